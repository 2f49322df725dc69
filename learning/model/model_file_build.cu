// Model file → layers: the entries map one to one onto learning/layers and learning/blocks.
#include "learning/blocks/block_common.h"
#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/layers/batch_norm.h"
#include "learning/layers/conv2d.h"
#include "learning/layers/dropout.h"
#include "learning/layers/flatten.h"
#include "learning/layers/layer_norm.h"
#include "learning/layers/linear.h"
#include "learning/layers/local_response_norm.h"
#include "learning/layers/pooling.h"
#include "learning/layers/unflatten.h"
#include "learning/layers/weight_norm.h"
#include "learning/model/model_file_build.h"
#include "learning/neurons/if_neuron.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

LIFParams merged(const LIFParams& base, const NeuronOverrides& o) {
  LIFParams p = base;
  if (o.tau) p.tau = *o.tau;
  if (o.v_threshold) p.v_threshold = *o.v_threshold;
  if (o.v_reset) p.v_reset = *o.v_reset;
  if (o.soft_reset) p.hard_reset = !*o.soft_reset;
  if (o.decay_input) p.decay_input = *o.decay_input;
  if (o.detach_reset) p.detach_reset = *o.detach_reset;
  if (o.surrogate) {
    const double alpha = p.surrogate.alpha;
    const bool same_kind = parse_surrogate(*o.surrogate).kind == p.surrogate.kind;
    p.surrogate = parse_surrogate(*o.surrogate);  // that kind's default α ...
    if (same_kind) p.surrogate.alpha = alpha;     // ... unless the kind is the command line's
  }
  if (o.alpha) p.surrogate.alpha = *o.alpha;
  return p;
}

}  // namespace

template <class T>
std::unique_ptr<Sequential<T>> build_model_file_body(const ModelFile& m, int channels, int rows,
                                                     int cols, const LIFParams& neuron,
                                                     std::uint64_t seed) {
  require(!m.layers.empty() && !m.layers.back().out_shape.empty(),
          m.source + ": build_model_file_body needs a resolved model file");
  auto body = std::make_unique<Sequential<T>>();
  // The residual blocks run one at a time: one set of gradient buffers serves them all.
  auto workspace = std::make_shared<BlockWorkspace<T>>();
  if (m.layers.front().type != "Flatten")
    body->add(std::make_unique<Unflatten<T>>(Shape{channels, rows, cols}));
  std::uint64_t k = 0;       // child seed index (seeding "layers", as build_resnet_body)
  std::uint64_t linear = 0;  // Linear index (seeding "fc", as build_fc_classifier)
  const bool fc_seeds = m.seeding == "fc";
  for (const LayerSpec& L : m.layers) {
    const std::string& t = L.type;
    LIFParams lif;
    try {
      lif = merged(neuron, L.neuron);
      validate(lif);
    } catch (const InvalidParameter& e) {
      throw InvalidParameter(m.where(L.path) + ": " + e.what());
    }
    if (t == "Flatten") {
      body->add(std::make_unique<Flatten<T>>());
    } else if (t == "Linear") {
      const std::uint64_t s = fc_seeds ? seed * 1000003ull + linear : child_seed(seed, k++);
      ++linear;
      auto layer = std::make_unique<Linear<T>>(L.in, L.out, L.bias, L.name, s);
      if (L.weight_norm)
        body->add(std::make_unique<WeightNorm<T, Linear<T>>>(std::move(layer), L.name));
      else
        body->add(std::move(layer));
    } else if (t == "Conv2d") {
      auto layer = std::make_unique<Conv2d<T>>(L.in, L.out, L.kernel, L.stride, L.padding, L.bias,
                                               L.name, child_seed(seed, k++));
      if (L.weight_norm)
        body->add(std::make_unique<WeightNorm<T, Conv2d<T>>>(std::move(layer), L.name));
      else
        body->add(std::move(layer));
    } else if (t == "BatchNorm1d" || t == "BatchNorm2d") {
      body->add(std::make_unique<BatchNorm<T>>(L.in, L.name, L.momentum, L.eps));
    } else if (t == "LayerNorm") {
      body->add(std::make_unique<LayerNorm<T>>(L.in, L.name, L.eps));
    } else if (t == "LocalResponseNorm") {
      body->add(std::make_unique<LocalResponseNorm<T>>(L.size, L.alpha, L.beta, L.k));
    } else if (t == "MaxPool2d") {
      body->add(std::make_unique<MaxPool2d<T>>(L.kernel, L.stride, L.padding));
    } else if (t == "AvgPool2d") {
      body->add(std::make_unique<AvgPool2d<T>>(L.kernel, L.stride, L.padding));
    } else if (t == "GlobalAvgPool") {
      body->add(std::make_unique<GlobalAvgPool<T>>());
    } else if (t == "Dropout") {
      body->add(std::make_unique<Dropout<T>>(L.p, child_seed(seed, k++)));
    } else if (t == "LIF") {
      body->add(std::make_unique<LIF<T>>(lif));
    } else if (t == "IF") {
      IFParams p;
      p.v_threshold = lif.v_threshold;
      p.hard_reset = lif.hard_reset;
      p.v_reset = lif.v_reset;
      p.detach_reset = lif.detach_reset;
      p.surrogate = lif.surrogate;
      body->add(std::make_unique<IF<T>>(p));
    } else if (t == "SpikingResNetBlock" || t == "SEWResNetBlock") {
      int in = L.in;
      for (int b = 0; b < L.blocks; ++b) {
        const int stride = b == 0 ? L.stride : 1;
        const std::string name = L.name + "." + std::to_string(b);
        if (t == "SEWResNetBlock") {
          auto block = std::make_unique<SewResNetBlock<T>>(
              in, L.out, stride, parse_sew_connect(L.connect), lif, name, child_seed(seed, k++));
          block->share_workspace(workspace);
          body->add(std::move(block));
        } else {
          auto block = std::make_unique<SpikingResNetBlock<T>>(
              in, L.out, stride, lif, name, child_seed(seed, k++), L.shortcut_bn);
          block->share_workspace(workspace);
          body->add(std::move(block));
        }
        in = L.out;
      }
    } else {
      throw InvalidParameter(m.where(L.path) + ": unknown layer type '" + t + "'");
    }
  }
  return body;
}

template <class T>
std::unique_ptr<Classifier<T>> build_model_file(const ModelFile& m, int channels, int rows,
                                                int cols, EncoderKind encoder,
                                                const LIFParams& neuron, std::uint64_t seed) {
  auto body = build_model_file_body<T>(m, channels, rows, cols, neuron, seed);
  return std::make_unique<Classifier<T>>(encoder, std::move(body), seed);
}

template std::unique_ptr<Sequential<float>> build_model_file_body<float>(const ModelFile&, int, int,
                                                                         int, const LIFParams&,
                                                                         std::uint64_t);
template std::unique_ptr<Sequential<double>> build_model_file_body<double>(const ModelFile&, int,
                                                                           int, int,
                                                                           const LIFParams&,
                                                                           std::uint64_t);
template std::unique_ptr<Classifier<float>> build_model_file<float>(const ModelFile&, int, int, int,
                                                                    EncoderKind, const LIFParams&,
                                                                    std::uint64_t);
template std::unique_ptr<Classifier<double>> build_model_file<double>(const ModelFile&, int, int,
                                                                      int, EncoderKind,
                                                                      const LIFParams&,
                                                                      std::uint64_t);

}  // namespace snn::learning
