// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as
// torch.optim.SGD: g = grad + wd·p (wd only for parameters with decay = true);
// with momentum μ: buf = g on the first step, else buf = μ·buf + (1 − dampening)·g;
// g = g + μ·buf (nesterov) or g = buf; then p = p − lr·g.
#pragma once

#include <vector>

#include "learning/optim/optimizer.h"

namespace snn::learning {

template <class T>
class SGD : public Optimizer<T> {
 public:
  /// Throws InvalidParameter for lr, momentum, weight_decay or dampening < 0, or nesterov with
  /// momentum = 0 or dampening ≠ 0 (PyTorch's rules).
  SGD(ParameterList<T> params, double lr, double momentum = 0.0, double weight_decay = 0.0,
      double dampening = 0.0, bool nesterov = false);

  void step() override;
  /// "sgd.momentum.<param>" per parameter when momentum ≠ 0; nothing otherwise.
  BufferList<T> state() override;
  std::string name() const override { return "sgd"; }
  std::string describe() const override;

  double momentum() const { return momentum_; }
  double weight_decay() const { return weight_decay_; }
  double dampening() const { return dampening_; }
  bool nesterov() const { return nesterov_; }

 private:
  double momentum_, weight_decay_, dampening_;
  bool nesterov_;
  std::vector<Buffer<T>> momentum_buffers_;  // sized once in the constructor: pointers stay valid
};

}  // namespace snn::learning
