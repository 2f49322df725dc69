// Model files: a spiking network written layer by layer as JSON, as a SpikingJelly user writes
// nn.Sequential (format: examples/models/README.md). Parsing and shape inference only, on the
// host with no tensors; learning/model/model_file_build builds the layers. Errors name the file,
// the line and the field: "lenet.json:9: layers[4].in: Linear expects 400 inputs, got 256".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace snn::learning {

/// Per-layer neuron settings; unset ones take the command line's (-tau, -v-threshold, ...).
struct NeuronOverrides {
  std::optional<double> tau, v_threshold, v_reset, alpha;
  std::optional<bool> detach_reset, soft_reset, decay_input;
  std::optional<std::string> surrogate;
};

/// One entry of "layers". `type` is one of: Flatten, Linear, Conv2d, BatchNorm1d, BatchNorm2d,
/// LayerNorm, LocalResponseNorm, MaxPool2d, AvgPool2d, GlobalAvgPool, Dropout, LIF, IF, SpikingResNetBlock,
/// SEWResNetBlock. The sizes below are filled in by resolve_model_file.
struct LayerSpec {
  std::string type;
  std::string path;     ///< "layers[3]"
  std::string name;     ///< parameter name prefix ("fc0", "conv1", "layer1" ...)
  int declared_in = 0;  ///< "in" / "num_features" as written (0: inferred)
  int in = 0, out = 0;  ///< features (Linear, BN1d, LayerNorm) or channels (conv, BN2d, blocks)
  bool out_is_classes = false;  ///< "out": "classes" (the data's class count)
  int kernel = 0, stride = 0, padding = 0;
  bool bias = true;  ///< Linear, Conv2d (PyTorch's default: true)
  bool weight_norm = false;  ///< Linear, Conv2d: w = g·v/‖v‖ (torch.nn.utils.weight_norm)
  double eps = 1e-5, momentum = 0.1, p = 0.5;
  int size = 0;                                  ///< LocalResponseNorm window (channels)
  double alpha = 1e-4, beta = 0.75, k = 1.0;     ///< LocalResponseNorm
  int blocks = 1;                       ///< residual blocks of a stage (the first one has `stride`)
  std::string connect = "add";          ///< SEW connect function
  bool shortcut_bn = true;              ///< SpikingResNetBlock: BN on identity shortcuts too
  NeuronOverrides neuron;               ///< LIF, IF and the blocks' neurons
  std::vector<std::int64_t> out_shape;  ///< per sample after this layer: {C,H,W} or {F}
};

struct ModelFile {
  std::string source;       ///< file name, for errors
  std::string text;         ///< the JSON as read (checkpoints keep it to rebuild the network)
  std::string description;  ///< "description"
  std::string encoder;      ///< "poisson", "direct" or "" (the command line's)
  /// Where each layer's initial weights are drawn from: "layers" (child_seed(seed, k) for the
  /// k-th Conv2d/Linear/Dropout/residual block, as the ResNet builder) or "fc" (seed·1000003 + i
  /// for the i-th Linear, as the built-in fc network).
  std::string seeding = "layers";
  std::vector<LayerSpec> layers;
  std::map<std::string, int> lines;  ///< line of each field path

  /// "file:line: path".
  std::string where(const std::string& path) const;
};

/// Parses a model file's text; FormatError for malformed JSON, an unknown type or field or a
/// value of the wrong type, InvalidParameter for a value out of range, each saying where.
ModelFile parse_model_json(const std::string& text, const std::string& source);
/// Reads and parses a model file; IoError if it cannot be read.
ModelFile read_model_file(const std::string& path);

/// Infers every layer's sizes for channels×rows×cols images and checks them: a declared "in"
/// that disagrees, a Linear on a spatial input (Flatten missing), a kernel larger than its
/// input, a network whose output is not `classes` features. InvalidParameter saying where.
void resolve_model_file(ModelFile& model, int channels, int rows, int cols, int classes);

/// Whether a layer type works on [C,H,W] maps (the network then starts with an Unflatten).
bool is_spatial_layer(const std::string& type);

}  // namespace snn::learning
