// snn-sim -save-weights / -load-weights: a network's projection weights to and from the weights
// file (io/weights_file.h).
#pragma once

#include <string>

#include "sim/network.h"

namespace snn::apps {

/// Writes every projection's synapses (source, target, weight) to `path`, atomically.
void save_weights(const sim::Network& net, const std::string& path);

/// Sets the weights of the network's plastic projections from `path`. The file must hold the
/// network's projections in order, with the same synapses (source and target ids); static
/// projections in it must match too but keep their weights. FormatError naming the file and the
/// projection otherwise.
void load_weights(sim::Network& net, const std::string& path);

}  // namespace snn::apps
