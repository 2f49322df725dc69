// snn-sim -save-weights / -load-weights: a network's projection weights to and from the weights
// file (io/weights_file.h), on one process or on every rank of several (mpiexec): the file is
// the same for any split.
#pragma once

#include <string>

#include "sim/distributed/exchange.h"
#include "sim/network.h"

namespace snn::apps {

/// Writes every projection's synapses (source, target, weight) to `path`, atomically. With an
/// exchange of several ranks (a collective call: every rank calls it) rank 0 gathers each rank's
/// synapses, those onto the targets it owns, and writes the file one process would.
void save_weights(const sim::Network& net, const std::string& path, sim::Exchange* ex = nullptr);

/// Sets the weights of the network's plastic projections from `path`. The file must hold the
/// network's projections in order, with the same synapses (source and target ids); static
/// projections in it must match too but keep their weights. FormatError naming the file and the
/// projection otherwise. On several ranks each rank reads the synapses onto its own targets.
void load_weights(sim::Network& net, const std::string& path);

}  // namespace snn::apps
