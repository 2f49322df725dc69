// Spiking ResNet and SEW ResNet classifiers for small images (28×28): a stem (conv3×3, BN, LIF,
// optional 2×2 max pool), stages of residual blocks, global average pooling, a Linear readout
// (LIF spikes, or the non-spiking Linear values averaged over T by the loss).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "learning/model/classifier.h"
#include "learning/model/sequential.h"
#include "learning/neurons/lif.h"

namespace snn::learning {

struct ResNetConfig {
  std::string block = "spiking";  ///< "spiking" (conv-BN-LIF-conv-BN + BN shortcut, add, LIF) or "sew"
  std::string connect = "add";    ///< SEW connect function: "add", "and" or "iand"
  std::vector<int> channels;      ///< width of each stage, e.g. {16, 32}; stage i>0 halves H and W
  std::vector<int> blocks;        ///< residual blocks per stage, same length as channels
  EncoderKind encoder = EncoderKind::Direct;  ///< image at every step (Direct) or Poisson spikes
  bool spiking_readout = false;   ///< Linear → LIF output (spikes) instead of raw Linear values
  LIFParams neuron;               ///< every LIF of the network (SpikingJelly defaults)
  double dropout = 0;             ///< dropout before the readout (mask shared over T), 0 = none
  int stem_channels = 0;          ///< stem width; 0 = channels[0]
  bool stem_pool = true;          ///< 2×2 max pool after a 3×3 stem (28×28 → 14×14)
  /// "3x3" (conv3×3 stride 1, for 28/32-pixel images), "7x7" (ImageNet's conv7×7 stride 2,
  /// padding 3, then a 3×3 stride-2 max pool: 224 → 56) or "auto" (7x7 for images of 64 pixels
  /// and more on both sides, else 3x3).
  std::string stem = "3x3";
  /// A BatchNorm on the identity shortcuts of "spiking" blocks (the SNN-ResNet note's layout);
  /// false gives torchvision's BasicBlock (SpikingJelly's spiking_resnet18).
  bool shortcut_bn = true;
  /// Readout input: "gap" (global average pooling: C features, as in ImageNet ResNets) or
  /// "flatten" (the last stage's C·H·W spike map). On 28×28 images with narrow stages, C
  /// space-averaged rates carry too little for the readout to learn at Adam's usual rates, so
  /// the presets flatten (7×7×32 = 1,568 features for "small").
  std::string head = "flatten";
};

/// Preset sizes: "tiny" (fast; tests, quick runs), "small" (the default for the accuracy
/// targets) and "medium"; "resnet18" and "resnet34" (torchvision's layout as SpikingJelly's
/// spiking_resnet18/34 and sew_resnet18/34: stages 64-128-256-512 of 2-2-2-2 / 3-4-6-3 blocks,
/// global average pooling, no BN on identity shortcuts, stem "auto" without the 2×2 pool);
/// "" gives the default preset. Throws InvalidParameter for an unknown name.
ResNetConfig resnet_preset(const std::string& name);
/// The name of the default preset ("small").
std::string resnet_default_preset();
/// Validates a configuration (lengths, widths > 0, block kind, connect); throws InvalidParameter.
void validate_resnet_config(const ResNetConfig& config);

/// The network body alone ([T,B,C,H,W] images or [T,B,C·H·W] vectors in, [T,B,classes] out).
template <class T>
std::unique_ptr<Sequential<T>> build_resnet_body(const ResNetConfig& config, int in_channels,
                                                 int height, int width, int classes,
                                                 std::uint64_t seed);

/// The whole classifier (encoder + body). Images may come flat ([B, C·H·W]) or shaped.
template <class T>
std::unique_ptr<Classifier<T>> build_resnet(const ResNetConfig& config, int in_channels,
                                            int height, int width, int classes,
                                            std::uint64_t seed);

}  // namespace snn::learning
