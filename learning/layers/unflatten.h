// Unflatten [T, B, F] → [T, B, d1, d2, ...] with d1·d2·... = F (nn.Unflatten of each step): lets a
// convolutional body take images that the data pipeline delivers as flat rows. Any input of the
// right size per step is accepted, so shaped images pass through unchanged.
#pragma once

#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class Unflatten : public Layer<T> {
 public:
  /// The shape of each step of each sample, e.g. {1, 28, 28}.
  explicit Unflatten(Shape inner);
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_input() const override { return false; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override;
  const Shape& inner() const { return inner_; }

 private:
  Shape inner_;
};

}  // namespace snn::learning
