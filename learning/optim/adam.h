// Adam and AdamW as torch.optim.Adam / torch.optim.AdamW (amsgrad = false). Per step k (from 1):
//   Adam:  g = grad + wd·p                          (wd only for parameters with decay = true)
//   AdamW: p = p · (1 − lr·wd), g = grad
//   m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²
//   denom = sqrt(v) / sqrt(1 − β2^k) + eps;  p = p − (lr / (1 − β1^k)) · m / denom
#pragma once

#include <vector>

#include "learning/optim/optimizer.h"

namespace snn::learning {

template <class T>
class Adam : public Optimizer<T> {
 public:
  /// Throws InvalidParameter for lr, eps or weight_decay < 0, or a beta outside [0, 1).
  Adam(ParameterList<T> params, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, double weight_decay = 0.0);

  void step() override;
  /// "<name>.exp_avg.<param>" and "<name>.exp_avg_sq.<param>" per parameter (name() = "adam").
  BufferList<T> state() override;
  std::string name() const override { return decoupled_ ? "adamw" : "adam"; }
  std::string describe() const override;

  double beta1() const { return beta1_; }
  double beta2() const { return beta2_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }

 protected:
  /// decoupled = true gives AdamW.
  Adam(ParameterList<T> params, double lr, double beta1, double beta2, double eps,
       double weight_decay, bool decoupled);

 private:
  double beta1_, beta2_, eps_, weight_decay_;
  bool decoupled_;
  std::vector<Buffer<T>> exp_avg_, exp_avg_sq_;  // sized once in the constructor
};

/// AdamW: decoupled weight decay (PyTorch's default weight_decay is 1e-2).
template <class T>
class AdamW : public Adam<T> {
 public:
  AdamW(ParameterList<T> params, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 1e-2)
      : Adam<T>(std::move(params), lr, beta1, beta2, eps, weight_decay, true) {}
};

}  // namespace snn::learning
