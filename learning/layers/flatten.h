// Flatten [T, B, d1, d2, ...] → [T, B, d1·d2·...] (nn.Flatten over the non-batch dimensions of
// every step). Backward reshapes the gradient back.
#pragma once

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class Flatten : public Layer<T> {
 public:
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_input() const override { return false; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override { return "Flatten()"; }
};

}  // namespace snn::learning
