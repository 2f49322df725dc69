// Pooling over every frame of a multi-step input [T, B, C, H, W]: MaxPool2d and AvgPool2d
// (PyTorch semantics: floor output size, zero padding counted in the average, the max ignores
// padding) and global average pooling [T, B, C, H, W] → [T, B, C].
#pragma once

#include <cstdint>
#include <string>

#include "learning/core/layer.h"
#include "sim/core/device_vector.h"

namespace snn::learning {

template <class T>
class MaxPool2d : public Layer<T> {
 public:
  /// stride 0 means stride = kernel (PyTorch's default). padding < kernel/2 + 1 as in PyTorch;
  /// kernel <= 16.
  explicit MaxPool2d(int kernel, int stride = 0, int padding = 0);
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  /// dL/dx: each output's gradient goes to the input it took the max of (first max on ties).
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_input() const override { return false; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override;
  int out_size(int in) const { return (in + 2 * padding_ - kernel_) / stride_ + 1; }
  int kernel() const { return kernel_; }
  int stride() const { return stride_; }
  int padding() const { return padding_; }

  /// Whether the windows tile the plane (stride = kernel, no padding): each input is then in at
  /// most one window, and a spiking neuron before the pool can fold it into its own passes
  /// (SpikingNeuron::forward_repeated_pooled).
  bool tiles() const { return stride_ == kernel_ && padding_ == 0; }
  /// For a forward one step at a time: shapes y [steps, B, C, Ho, Wo] for frames `frame`
  /// [1, B, C, H, W] and returns the argmax, laid out as y, for a caller that pools each plane
  /// itself (max_pool_tiles); else forward_step fills both. backward() then works as after
  /// forward().
  std::uint8_t* prepare_steps(const Shape& frame, std::int64_t steps, Tensor<T>& y);
  /// The forward of step t alone, after prepare_steps: x_step [1, B, C, H, W] → y[t] and step t
  /// of the argmax.
  void forward_step(const Tensor<T>& x_step, std::int64_t t, std::int64_t steps, Tensor<T>& y);
  /// Per output of the last forward, the offset kh·kernel + kw of its max in its window.
  const std::uint8_t* argmax() const { return raw(argmax_); }

 private:
  int kernel_, stride_, padding_;
  DeviceVector<std::uint8_t> argmax_;  // per output: kh·kernel + kw of its max in its window
};

template <class T>
class AvgPool2d : public Layer<T> {
 public:
  /// stride 0 means stride = kernel. Divides by kernel² (count_include_pad=True).
  explicit AvgPool2d(int kernel, int stride = 0, int padding = 0);
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_input() const override { return false; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override;
  int out_size(int in) const { return (in + 2 * padding_ - kernel_) / stride_ + 1; }
  int kernel() const { return kernel_; }
  int stride() const { return stride_; }
  int padding() const { return padding_; }

 private:
  int kernel_, stride_, padding_;
};

/// [T, B, C, H, W] → [T, B, C]: the mean of each channel plane (AdaptiveAvgPool2d(1) + flatten).
template <class T>
class GlobalAvgPool : public Layer<T> {
 public:
  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_input() const override { return false; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override { return "GlobalAvgPool()"; }
};

}  // namespace snn::learning
