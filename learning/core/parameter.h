// Trainable parameters and non-trained state (BatchNorm running statistics), by name, so that
// optimizers and checkpoints see every layer's tensors the same way.
#pragma once

#include <string>
#include <vector>

#include "learning/core/tensor.h"

namespace snn::learning {

/// A trainable tensor and its gradient. Backward passes add into `grad`; zeroing is explicit.
template <class T>
struct Parameter {
  std::string name;  ///< unique within a model, e.g. "fc0.weight"
  Tensor<T> value;
  Tensor<T> grad;
  bool decay = true;  ///< whether weight decay applies (false for BatchNorm affine, biases if asked)

  Parameter() = default;
  Parameter(std::string n, const Shape& shape) : name(std::move(n)), value(shape), grad(shape) {}
  void zero_grad() { grad.fill(T(0)); }
};

/// A named tensor that is saved in checkpoints but not trained (running mean, running var).
template <class T>
struct Buffer {
  std::string name;
  Tensor<T> value;
  Buffer() = default;
  Buffer(std::string n, const Shape& shape, T fill = T(0)) : name(std::move(n)), value(shape, fill) {}
};

template <class T>
using ParameterList = std::vector<Parameter<T>*>;
template <class T>
using BufferList = std::vector<Buffer<T>*>;

}  // namespace snn::learning
