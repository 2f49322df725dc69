// Fully-connected spiking classifiers as SpikingJelly's lif_fc_mnist:
// Poisson → Flatten → [Linear(no bias) → LIF]* → Linear(no bias) → LIF.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "learning/model/classifier.h"
#include "learning/neurons/lif.h"

namespace snn::learning {

/// inputs → hidden... → classes, every Linear without bias followed by a LIF with `neuron`.
/// Layer names "fc0", "fc1", ...; each Linear seeded from `seed` and its index.
template <class T>
std::unique_ptr<Classifier<T>> build_fc_classifier(int inputs, const std::vector<int>& hidden,
                                                   int classes, const LIFParams& neuron,
                                                   std::uint64_t seed);

}  // namespace snn::learning
