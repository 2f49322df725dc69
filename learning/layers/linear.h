// Fully-connected layer on multi-step input: y[t, b, :] = W x[t, b, :] (+ bias), W [out, in]
// as PyTorch's nn.Linear (so checkpoints read alike). Dense BLAS over the T·B rows.
#pragma once

#include <cstdint>
#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class Linear : public Layer<T> {
 public:
  /// in, out >= 1. Weight (and bias) drawn U(-1/sqrt(in), 1/sqrt(in)) from a counter-based
  /// stream of `seed` (PyTorch's default kaiming-uniform range), the same on every system.
  /// Parameters are named "<name>.weight" and "<name>.bias".
  Linear(int in, int out, bool bias = false, const std::string& name = "fc",
         std::uint64_t seed = 0);

  /// x [T, B, in] (or [N, in]) → y [T, B, out].
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  void collect_parameters(ParameterList<T>& out) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override;

  int in_features() const { return in_; }
  int out_features() const { return out_; }
  bool has_bias() const { return has_bias_; }
  Parameter<T>& weight() { return weight_; }
  Parameter<T>& bias() { return bias_; }  ///< empty when has_bias() is false

 private:
  int in_, out_;
  bool has_bias_;
  Parameter<T> weight_, bias_;
};

}  // namespace snn::learning
