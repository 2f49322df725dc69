// RMSprop as torch.optim.RMSprop (defaults lr = 0.01, alpha = 0.99, eps = 1e-8, weight_decay = 0,
// momentum = 0, centered = false):
//   g = grad + wd·p                      (wd only for parameters with decay = true)
//   square_avg = alpha·square_avg + (1 − alpha)·g²
//   centered:  grad_avg = lerp(grad_avg, g, 1 − alpha); avg = sqrt(square_avg − grad_avg²) + eps
//   else:      avg = sqrt(square_avg) + eps
//   momentum μ > 0: buf = μ·buf + g / avg; p = p − lr·buf;   else p = p − lr·g / avg
#pragma once

#include <vector>

#include "learning/optim/optimizer.h"

namespace snn::learning {

template <class T>
class RMSprop : public Optimizer<T> {
 public:
  /// Throws InvalidParameter for lr, eps, momentum or weight_decay < 0, or alpha outside [0, 1].
  RMSprop(ParameterList<T> params, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
          double weight_decay = 0.0, double momentum = 0.0, bool centered = false);

  void step() override;
  /// "rmsprop.square_avg.<param>", then "rmsprop.momentum_buffer.<param>" (momentum > 0) and
  /// "rmsprop.grad_avg.<param>" (centered), per parameter.
  BufferList<T> state() override;
  std::string name() const override { return "rmsprop"; }
  std::string describe() const override;

 private:
  double alpha_, eps_, weight_decay_, momentum_;
  bool centered_;
  std::vector<Buffer<T>> square_avg_, momentum_buffer_, grad_avg_;  // sized once
};

}  // namespace snn::learning
