// build_fc_classifier: Flatten → [Linear → LIF]* → Linear → LIF behind a Poisson encoder.
#include "learning/model/fc_network.h"

#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
std::unique_ptr<Classifier<T>> build_fc_classifier(int inputs, const std::vector<int>& hidden,
                                                   int classes, const LIFParams& neuron,
                                                   std::uint64_t seed) {
  require(inputs >= 1 && classes >= 1, "build_fc_classifier: inputs and classes must be >= 1");
  validate(neuron);
  auto body = std::make_unique<Sequential<T>>();
  body->add(std::make_unique<Flatten<T>>());
  int prev = inputs;
  std::vector<int> sizes = hidden;
  sizes.push_back(classes);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    require(sizes[i] >= 1, "build_fc_classifier: layer sizes must be >= 1, got " +
                               std::to_string(sizes[i]));
    body->add(std::make_unique<Linear<T>>(prev, sizes[i], false, "fc" + std::to_string(i),
                                          seed * 1000003ull + i));
    body->add(std::make_unique<LIF<T>>(neuron));
    prev = sizes[i];
  }
  return std::make_unique<Classifier<T>>(EncoderKind::Poisson, std::move(body), seed);
}

template std::unique_ptr<Classifier<float>> build_fc_classifier<float>(int, const std::vector<int>&, int,
                                                                      const LIFParams&, std::uint64_t);
template std::unique_ptr<Classifier<double>> build_fc_classifier<double>(int, const std::vector<int>&, int,
                                                                        const LIFParams&, std::uint64_t);

}  // namespace snn::learning
