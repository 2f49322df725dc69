// Direct 2-D convolutions of float NCHW frames on the CPU through oneDNN (forward, backward-data,
// backward-weights), behind a plain-pointer interface so that no nvcc translation unit sees
// oneDNN. Builds without oneDNN (CUDA, or libdnnl-dev absent) link a stub whose available() is
// false; Conv2d then keeps its im2col + GEMM path.
#pragma once

#include <memory>

namespace snn::learning {

/// One convolution's geometry: `frames` NCHW input frames [frames, in_channels, height, width],
/// square kernel, zero padding; output [frames, out_channels, out_h, out_w].
struct ConvGeometry {
  int frames, in_channels, height, width, out_channels, out_h, out_w, kernel, stride, padding;
  bool bias;
  bool operator==(const ConvGeometry& o) const {
    return frames == o.frames && in_channels == o.in_channels && height == o.height &&
           width == o.width && out_channels == o.out_channels && out_h == o.out_h &&
           out_w == o.out_w && kernel == o.kernel && stride == o.stride && padding == o.padding &&
           bias == o.bias;
  }
};

/// oneDNN primitives for one Conv2d layer, created once per geometry (the first call with a new
/// geometry builds them; later calls only execute) and cached with their reordered buffers. Blocked
/// layouts oneDNN prefers live in a per-thread scratch arena shared by every layer, so the cache
/// does not hold a copy of each layer's activations. Not for concurrent use of one object.
class DnnlConv {
 public:
  /// True where this build links oneDNN (then the methods below work), false for the stub.
  static bool available();

  DnnlConv();
  ~DnnlConv();
  DnnlConv(const DnnlConv&) = delete;
  DnnlConv& operator=(const DnnlConv&) = delete;

  /// y = conv(x, w) + bias; w [out, in, k, k] (OIHW); bias [out] or null when !g.bias.
  void forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);
  /// grad_w += dL/dW, grad_bias += dL/db (when g.bias); then, when grad_x is not null,
  /// grad_x = dL/dx (overwritten). One call so that dL/dy is reordered once for both.
  void backward(const ConvGeometry& g, const float* x, const float* w, const float* grad_y,
                float* grad_w, float* grad_bias, float* grad_x);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace snn::learning
