// Adagrad as torch.optim.Adagrad (defaults lr = 0.01, lr_decay = 0, weight_decay = 0,
// initial_accumulator_value = 0, eps = 1e-10). Per step k (from 1):
//   g = grad + wd·p                      (wd only for parameters with decay = true)
//   clr = lr / (1 + (k − 1)·lr_decay)
//   sum = sum + g²;  p = p − clr · g / (sqrt(sum) + eps)
#pragma once

#include <vector>

#include "learning/optim/optimizer.h"

namespace snn::learning {

template <class T>
class Adagrad : public Optimizer<T> {
 public:
  /// Throws InvalidParameter for lr, lr_decay, weight_decay, initial_accumulator_value or eps < 0.
  Adagrad(ParameterList<T> params, double lr = 1e-2, double lr_decay = 0.0,
          double weight_decay = 0.0, double initial_accumulator_value = 0.0, double eps = 1e-10);

  void step() override;
  /// "adagrad.sum.<param>" per parameter.
  BufferList<T> state() override;
  std::string name() const override { return "adagrad"; }
  std::string describe() const override;

 private:
  double lr_decay_, weight_decay_, initial_accumulator_value_, eps_;
  std::vector<Buffer<T>> sum_;  // sized once in the constructor: pointers stay valid
};

}  // namespace snn::learning
