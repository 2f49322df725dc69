// The body of snn-train: load the data, build the network, optimizer and schedule, train (or
// resume), write the trace. Separate from main so tests can run it in-process.
#pragma once

#include <iosfwd>
#include <memory>

#include "apps/snn-train/train_options.h"
#include "io/idx_reader.h"
#include "learning/model/classifier.h"

namespace snn::apps {

/// Runs a validated configuration; prints the run header, the two lines per epoch and the
/// firing rates of the traced image to `out`. Throws snn::Error on failure.
void run_train(const TrainArgs& args, std::ostream& out);

/// The network that `args` describes (-model, -hidden, the neuron and ResNet options) for images
/// shaped like `like`'s and `classes` outputs, freshly initialised (snn-predict loads weights).
std::unique_ptr<learning::Classifier<float>> build_model(const TrainArgs& args,
                                                         const io::ImageSet& like, int classes);

}  // namespace snn::apps
