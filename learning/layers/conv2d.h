// 2-D convolution over every frame of a multi-step input: x [T, B, Cin, H, W] → y [T, B, Cout,
// Ho, Wo], Ho = (H + 2·padding − k)/stride + 1. All T·B frames go through one im2col and one GEMM
// (CPU BLAS or cuBLAS): one large product runs far faster than T·B small ones.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "learning/core/layer.h"
#include "learning/math/conv_dnnl.h"

namespace snn::learning {

/// Wall time spent in the forward and backward passes of every Conv2d (im2col, GEMM, col2im), for
/// benchmarks. Off by default (then it costs nothing). Device work is synchronous on the CPU
/// systems; under CUDA the figure counts launches up to the last synchronising Thrust call.
struct ConvTimer {
  static void enable(bool on);
  static bool enabled();
  static double seconds();
  static void reset();
};

/// Which algorithm float Conv2d layers use on the CPU builds, process-wide, read at each call:
/// oneDNN's direct convolutions where the build links oneDNN (the default), else im2col + GEMM.
/// Double precision and the CUDA build always use im2col + GEMM. Tests and benchmarks switch it
/// to compare the two.
struct ConvBackend {
  static void use_dnnl(bool on);
  /// True when float convolutions run through oneDNN now (requested and available).
  static bool dnnl();
};

template <class T>
class Conv2d : public Layer<T> {
 public:
  /// Square kernel `kernel`×`kernel`, zero padding. Weights and bias are initialised as PyTorch's
  /// nn.Conv2d: U(−1/√fan_in, 1/√fan_in), fan_in = in_channels·kernel², drawn from `seed`.
  Conv2d(int in_channels, int out_channels, int kernel, int stride = 1, int padding = 0,
         bool bias = false, std::string name = "conv", std::uint64_t seed = 0);

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  void collect_parameters(ParameterList<T>& out) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override;

  /// Output height or width for an input height or width.
  int out_size(int in) const { return (in + 2 * padding_ - kernel_) / stride_ + 1; }
  int in_channels() const { return in_channels_; }
  int kernel() const { return kernel_; }
  int stride() const { return stride_; }
  int padding() const { return padding_; }
  int out_channels() const { return out_channels_; }
  Parameter<T>& weight() { return weight_; }                     ///< [Cout, Cin, k, k]
  Parameter<T>* bias() { return has_bias_ ? &bias_ : nullptr; }  ///< [Cout] or none

 private:
  int in_channels_, out_channels_, kernel_, stride_, padding_;
  bool has_bias_;
  std::string name_;
  Parameter<T> weight_, bias_;
  Tensor<T> col_;     // im2col of the last input: [Cin·k·k, N·Ho·Wo], kept for dL/dW
  Tensor<T> out_cm_;  // channel-major product [Cout, N·Ho·Wo] (forward), dL/dy likewise (backward)
  Tensor<T> grad_col_;              // [Cin·k·k, N·Ho·Wo]
  std::unique_ptr<DnnlConv> dnnl_;  // oneDNN primitives (float, created on first use)
  bool forward_dnnl_ = false;       // the last forward ran on oneDNN (then col_ is stale)
  bool run_dnnl() const;
  ConvGeometry geometry(const Tensor<T>& x, int out_h, int out_w) const;
};

}  // namespace snn::learning
