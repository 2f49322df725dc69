// Local response normalisation across channels, as torch.nn.LocalResponseNorm:
//   b_c = a_c / d_c^β,  d_c = k + (α/n) Σ_{c' = c − ⌊n/2⌋}^{c + ⌊(n−1)/2⌋} a_{c'}²
// (channels outside [0, C) count as zero; x [T, B, C, ...], C = dim 2). No parameters.
#pragma once

#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class LocalResponseNorm : public Layer<T> {
 public:
  /// size n ≥ 1 (channels in the window); alpha, beta ≥ 0 and k > 0 (PyTorch's defaults).
  explicit LocalResponseNorm(int size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  /// dL/da_j = g_j d_j^−β − (2αβ/n) a_j Σ_{c: j in window(c)} g_c a_c d_c^(−β−1).
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool frame_wise() const override { return true; }
  std::string describe() const override;

 private:
  int size_;
  double alpha_, beta_, k_;
  Tensor<T> d_;  // the denominators before the power, of the last forward
};

}  // namespace snn::learning
