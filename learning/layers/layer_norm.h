// Layer normalisation of every step of every sample: x [T, B, F...] is normalised over its F
// values (all dimensions after B) with their own mean and biased variance, then scaled and
// shifted per feature: y = γ ⊙ (x − μ)/√(σ² + ε) + β (nn.LayerNorm(F...) applied per step).
#pragma once

#include <cstdint>
#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class LayerNorm : public Layer<T> {
 public:
  /// features = the product of the normalised dimensions (≥ 1); eps > 0.
  explicit LayerNorm(std::int64_t features, std::string name = "ln", double eps = 1e-5);

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  void collect_parameters(ParameterList<T>& out) override;
  bool frame_wise() const override { return true; }
  std::string describe() const override;

  Parameter<T>& weight() { return weight_; }  ///< γ [F], init 1, no weight decay
  Parameter<T>& bias() { return bias_; }      ///< β [F], init 0, no weight decay

 private:
  std::int64_t features_;
  std::string name_;
  double eps_;
  Parameter<T> weight_, bias_;
  Tensor<T> mean_, invstd_;  // per (t, b) row of the last forward
};

}  // namespace snn::learning
