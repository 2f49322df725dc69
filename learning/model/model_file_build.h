// The network of a resolved model file (learning/model/model_file.h) from the existing layers and
// blocks: one layer object per entry, an Unflatten in front unless the file starts with Flatten.
#pragma once

#include <cstdint>
#include <memory>

#include "learning/encoding/encoders.h"
#include "learning/model/classifier.h"
#include "learning/model/model_file.h"
#include "learning/neurons/lif.h"

namespace snn::learning {

/// `model` must have been through resolve_model_file. `neuron` gives every LIF/IF setting a
/// layer does not set itself (IF takes its threshold, reset and surrogate); `seed` the initial
/// weights (ModelFile::seeding). InvalidParameter naming the layer for bad merged neuron values.
template <class T>
std::unique_ptr<Sequential<T>> build_model_file_body(const ModelFile& model, int channels, int rows,
                                                     int cols, const LIFParams& neuron,
                                                     std::uint64_t seed);

/// The classifier: `encoder` in front of the body.
template <class T>
std::unique_ptr<Classifier<T>> build_model_file(const ModelFile& model, int channels, int rows,
                                                int cols, EncoderKind encoder,
                                                const LIFParams& neuron, std::uint64_t seed);

}  // namespace snn::learning
