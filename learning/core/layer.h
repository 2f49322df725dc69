// The interface of every multi-step layer: input and output are [T, B, ...] tensors.
// The model that owns the layers keeps every activation alive between forward and backward and
// passes them back in, so a layer stores only its own history (the LIF's H_t, a dropout mask).
#pragma once

#include <memory>
#include <string>

#include "learning/core/parameter.h"
#include "learning/core/tensor.h"

namespace snn::learning {

template <class T>
class Layer {
 public:
  virtual ~Layer() = default;

  /// y = f(x). x has shape [T, B, ...]; the layer resizes y.
  virtual void forward(const Tensor<T>& x, Tensor<T>& y) = 0;

  /// Given the x and y of the last forward and dL/dy, writes dL/dx (resized by the layer) and
  /// adds dL/dparameters into each parameter's grad. `need_grad_x` false lets the first layer
  /// skip dL/dx.
  virtual void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                        Tensor<T>& grad_x, bool need_grad_x = true) = 0;

  /// Trainable parameters (default: none).
  virtual void collect_parameters(ParameterList<T>& out) {}
  /// Saved, non-trained state (default: none).
  virtual void collect_buffers(BufferList<T>& out) {}
  /// Training mode (BatchNorm batch statistics, Dropout active) or evaluation mode.
  virtual void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }

  /// True when step t of the output depends on step t of the input alone, with no state carried
  /// between steps and no per-step randomness (convolution, BatchNorm, Linear, pooling, reshapes).
  /// Such a layer computes an input that is the same at every step (direct encoding) once, on a
  /// single frame [1, B, ...]: Sequential::forward_repeated relies on it.
  virtual bool frame_wise() const { return false; }

  /// Whether backward() reads the values of x, or of y (else only their shapes). A model keeps
  /// an activation's values for the backward only when a layer says it reads them.
  virtual bool backward_reads_input() const { return true; }
  virtual bool backward_reads_output() const { return true; }

  /// Short description for logs, e.g. "Linear(784, 10, bias=false)".
  virtual std::string describe() const = 0;

 protected:
  bool training_ = true;
};

template <class T>
using LayerPtr = std::unique_ptr<Layer<T>>;

}  // namespace snn::learning
