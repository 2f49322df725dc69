// Spiking ResNet / SEW ResNet builder and presets.
#include "learning/blocks/block_common.h"
#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/layers/batch_norm.h"
#include "learning/layers/conv2d.h"
#include "learning/layers/dropout.h"
#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "learning/layers/pooling.h"
#include "learning/layers/unflatten.h"
#include "learning/model/resnet_builder.h"
#include "sim/core/errors.h"

namespace snn::learning {

std::string resnet_default_preset() {
  return "small";
}

ResNetConfig resnet_preset(const std::string& name) {
  const std::string n = name.empty() ? resnet_default_preset() : name;
  ResNetConfig c;
  if (n == "tiny") {
    c.channels = {8, 16};
    c.blocks = {1, 1};
  } else if (n == "small") {
    c.channels = {16, 32};
    c.blocks = {1, 1};
  } else if (n == "medium") {
    c.channels = {32, 64};
    c.blocks = {1, 1};
  } else if (n == "resnet18" || n == "resnet34") {
    c.channels = {64, 128, 256, 512};
    c.blocks = n == "resnet18" ? std::vector<int>{2, 2, 2, 2} : std::vector<int>{3, 4, 6, 3};
    c.head = "gap";
    c.stem = "auto";
    c.stem_pool = false;
    c.shortcut_bn = false;
  } else {
    throw InvalidParameter(
        "ResNet preset must be tiny, small, medium, resnet18 or resnet34, got '" + name + "'");
  }
  return c;
}

void validate_resnet_config(const ResNetConfig& c) {
  require(c.block == "spiking" || c.block == "sew",
          "ResNet block must be 'spiking' or 'sew', got '" + c.block + "'");
  if (c.block == "sew") parse_sew_connect(c.connect);
  require(!c.channels.empty(), "ResNet needs at least one stage (channels is empty)");
  require(c.channels.size() == c.blocks.size(),
          "ResNet channels and blocks must have the same length, got " +
              std::to_string(c.channels.size()) + " and " + std::to_string(c.blocks.size()));
  for (int ch : c.channels)
    require(ch >= 1, "ResNet stage width must be >= 1, got " + std::to_string(ch));
  for (int b : c.blocks)
    require(b >= 1, "ResNet blocks per stage must be >= 1, got " + std::to_string(b));
  require(c.stem_channels >= 0,
          "ResNet stem_channels must be >= 0, got " + std::to_string(c.stem_channels));
  require(c.stem == "3x3" || c.stem == "7x7" || c.stem == "auto",
          "ResNet stem must be '3x3', '7x7' or 'auto', got '" + c.stem + "'");
  require(c.head == "gap" || c.head == "flatten",
          "ResNet head must be 'gap' or 'flatten', got '" + c.head + "'");
  require(c.dropout >= 0 && c.dropout < 1,
          "ResNet dropout must be in [0, 1), got " + std::to_string(c.dropout));
  validate(c.neuron);
}

template <class T>
std::unique_ptr<Sequential<T>> build_resnet_body(const ResNetConfig& c, int in_channels, int height,
                                                 int width, int classes, std::uint64_t seed) {
  validate_resnet_config(c);
  require(in_channels >= 1 && height >= 1 && width >= 1,
          "ResNet input must have >= 1 channel, height and width, got " +
              std::to_string(in_channels) + "×" + std::to_string(height) + "×" +
              std::to_string(width));
  require(classes >= 1, "ResNet classes must be >= 1, got " + std::to_string(classes));
  auto body = std::make_unique<Sequential<T>>();
  std::uint64_t k = 0;
  body->add(std::make_unique<Unflatten<T>>(Shape{in_channels, height, width}));
  const int stem = c.stem_channels ? c.stem_channels : c.channels[0];
  const bool big = c.stem == "7x7" || (c.stem == "auto" && height >= 64 && width >= 64);
  body->add(std::make_unique<Conv2d<T>>(in_channels, stem, big ? 7 : 3, big ? 2 : 1, big ? 3 : 1,
                                        false, "stem.conv", child_seed(seed, k++)));
  body->add(std::make_unique<BatchNorm<T>>(stem, "stem.bn"));
  body->add(std::make_unique<LIF<T>>(c.neuron));
  int h = height, w = width;  // after the stem
  if (big) {
    body->add(std::make_unique<MaxPool2d<T>>(3, 2, 1));
    h = ((h + 6 - 7) / 2 + 1 + 2 - 3) / 2 + 1;
    w = ((w + 6 - 7) / 2 + 1 + 2 - 3) / 2 + 1;
  } else if (c.stem_pool) {
    body->add(std::make_unique<MaxPool2d<T>>(2));
    h /= 2;
    w /= 2;
  }
  int channels = stem;
  // The blocks run one at a time: one set of gradient buffers serves them all.
  auto workspace = std::make_shared<BlockWorkspace<T>>();
  for (std::size_t s = 0; s < c.channels.size(); ++s) {
    for (int b = 0; b < c.blocks[s]; ++b) {
      const int stride = (s > 0 && b == 0) ? 2 : 1;
      const std::string name = "layer" + std::to_string(s + 1) + "." + std::to_string(b);
      if (c.block == "sew") {
        auto block = std::make_unique<SewResNetBlock<T>>(channels, c.channels[s], stride,
                                                         parse_sew_connect(c.connect), c.neuron,
                                                         name, child_seed(seed, k++));
        block->share_workspace(workspace);
        body->add(std::move(block));
      } else {
        auto block = std::make_unique<SpikingResNetBlock<T>>(
            channels, c.channels[s], stride, c.neuron, name, child_seed(seed, k++), c.shortcut_bn);
        block->share_workspace(workspace);
        body->add(std::move(block));
      }
      channels = c.channels[s];
    }
  }
  int features = channels;
  if (c.head == "gap") {
    body->add(std::make_unique<GlobalAvgPool<T>>());
  } else {
    for (std::size_t s = 1; s < c.channels.size();
         ++s) {  // each later stage's 3×3, stride 2, pad 1
      h = (h - 1) / 2 + 1;
      w = (w - 1) / 2 + 1;
    }
    features = channels * h * w;
    body->add(std::make_unique<Flatten<T>>());
  }
  if (c.dropout > 0) body->add(std::make_unique<Dropout<T>>(c.dropout, child_seed(seed, k++)));
  body->add(std::make_unique<Linear<T>>(features, classes, true, "fc", child_seed(seed, k++)));
  if (c.spiking_readout) body->add(std::make_unique<LIF<T>>(c.neuron));
  return body;
}

template <class T>
std::unique_ptr<Classifier<T>> build_resnet(const ResNetConfig& c, int in_channels, int height,
                                            int width, int classes, std::uint64_t seed) {
  auto body = build_resnet_body<T>(c, in_channels, height, width, classes, seed);
  return std::make_unique<Classifier<T>>(c.encoder, std::move(body), seed);
}

template std::unique_ptr<Sequential<float>> build_resnet_body<float>(const ResNetConfig&, int, int,
                                                                     int, int, std::uint64_t);
template std::unique_ptr<Sequential<double>> build_resnet_body<double>(const ResNetConfig&, int,
                                                                       int, int, int,
                                                                       std::uint64_t);
template std::unique_ptr<Classifier<float>> build_resnet<float>(const ResNetConfig&, int, int, int,
                                                                int, std::uint64_t);
template std::unique_ptr<Classifier<double>> build_resnet<double>(const ResNetConfig&, int, int,
                                                                  int, int, std::uint64_t);

}  // namespace snn::learning
