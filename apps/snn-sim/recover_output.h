// snn-sim -recover OUT.partial: the SONATA file of a run killed before it could write it, from
// the journal the run left (io/sonata_journal.h).
#pragma once

#include <string>

#include "apps/snn-sim/sim_options.h"

namespace snn::apps {

/// Writes the SONATA file (-out, else the journal's name without ".partial") and removes the
/// journal; returns the line to print. IoError/FormatError naming the journal.
std::string recover_output(const SimArgs& args);

}  // namespace snn::apps
