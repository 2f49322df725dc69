// Adadelta as torch.optim.Adadelta (defaults lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0):
//   g = grad + wd·p                      (wd only for parameters with decay = true)
//   square_avg = rho·square_avg + (1 − rho)·g²
//   delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) · g
//   acc_delta = rho·acc_delta + (1 − rho)·delta²;  p = p − lr·delta
#pragma once

#include <vector>

#include "learning/optim/optimizer.h"

namespace snn::learning {

template <class T>
class Adadelta : public Optimizer<T> {
 public:
  /// Throws InvalidParameter for lr, eps or weight_decay < 0, or rho outside [0, 1].
  Adadelta(ParameterList<T> params, double lr = 1.0, double rho = 0.9, double eps = 1e-6,
           double weight_decay = 0.0);

  void step() override;
  /// "adadelta.square_avg.<param>" and "adadelta.acc_delta.<param>" per parameter.
  BufferList<T> state() override;
  std::string name() const override { return "adadelta"; }
  std::string describe() const override;

 private:
  double rho_, eps_, weight_decay_;
  std::vector<Buffer<T>> square_avg_, acc_delta_;  // sized once in the constructor
};

}  // namespace snn::learning
