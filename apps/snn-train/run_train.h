// The body of snn-train: load the data, build the network, optimizer and schedule, train (or
// resume), write the trace. Separate from main so tests can run it in-process.
#pragma once

#include <iosfwd>

#include "apps/snn-train/train_options.h"

namespace snn::apps {

/// Runs a validated configuration; prints the run header, the two lines per epoch and the
/// firing rates of the traced image to `out`. Throws snn::Error on failure.
void run_train(const TrainArgs& args, std::ostream& out);

}  // namespace snn::apps
