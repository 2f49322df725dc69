// Conv2d: im2col + GEMM forward, GEMM + col2im backward (gather form, no atomics).
#include "learning/layers/conv2d.h"

#include <cmath>
#include <vector>

#include "learning/layers/index_loop.h"
#include "learning/math/gemm.h"
#include "sim/core/errors.h"
#include "sim/core/rng.h"

namespace snn::learning {
namespace conv2d_detail {

/// col[(c·k + kh)·k + kw][n·P + oh·Wo + ow] = x[n][c][oh·s − p + kh][ow·s − p + kw] (0 outside).
/// One index = one output row (k-row, n, oh): Wo contiguous writes.
template <class T>
struct Im2col {
  const T* x;
  T* col;
  int n_frames, channels, height, width, kernel, stride, padding, out_h, out_w;
  SNN_HD void operator()(std::int64_t i) const {
    const int oh = static_cast<int>(i % out_h);
    std::int64_t rest = i / out_h;
    const int n = static_cast<int>(rest % n_frames);
    const std::int64_t krow = rest / n_frames;  // (c·k + kh)·k + kw
    const int kw = static_cast<int>(krow % kernel);
    const int kh = static_cast<int>((krow / kernel) % kernel);
    const int c = static_cast<int>(krow / (kernel * kernel));
    const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
    T* dst = col + (krow * n_frames + n) * plane + static_cast<std::int64_t>(oh) * out_w;
    const int h = oh * stride - padding + kh;
    if (h < 0 || h >= height) {
      for (int ow = 0; ow < out_w; ++ow) dst[ow] = T(0);
      return;
    }
    const T* src = x + ((static_cast<std::int64_t>(n) * channels + c) * height + h) * width;
    int w = -padding + kw;
    for (int ow = 0; ow < out_w; ++ow, w += stride) dst[ow] = (w >= 0 && w < width) ? src[w] : T(0);
  }
};

/// grad_x[n][c][h][w] = Σ over (kh, kw) with h = oh·s − p + kh, w = ow·s − p + kw of
/// grad_col[(c·k + kh)·k + kw][n·P + oh·Wo + ow]. One index = one input row (n, c, h).
template <class T>
struct Col2im {
  const T* grad_col;
  T* grad_x;
  int n_frames, channels, height, width, kernel, stride, padding, out_h, out_w;
  SNN_HD void operator()(std::int64_t i) const {
    const int h = static_cast<int>(i % height);
    const std::int64_t nc = i / height;
    const int c = static_cast<int>(nc % channels);
    const int n = static_cast<int>(nc / channels);
    const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
    T* dst = grad_x + i * width;
    for (int w = 0; w < width; ++w) dst[w] = T(0);
    for (int kh = 0; kh < kernel; ++kh) {
      const int oh_s = h + padding - kh;
      if (oh_s < 0 || oh_s % stride != 0) continue;
      const int oh = oh_s / stride;
      if (oh >= out_h) continue;
      for (int kw = 0; kw < kernel; ++kw) {
        const std::int64_t krow = (static_cast<std::int64_t>(c) * kernel + kh) * kernel + kw;
        const T* src = grad_col + (krow * n_frames + n) * plane + static_cast<std::int64_t>(oh) * out_w;
        // ow such that w = ow·s − p + kw lies in [0, width)
        for (int ow = 0; ow < out_w; ++ow) {
          const int w = ow * stride - padding + kw;
          if (w >= 0 && w < width) dst[w] += src[ow];
        }
      }
    }
  }
};

/// Between channel-major [C, N, P] and frame-major [N, C, P]; one index = one (n, c) plane.
template <class T>
struct ChannelMajorToFrames {
  const T* cm;
  const T* bias;  // may be null
  T* frames;
  int n_frames, channels;
  std::int64_t plane;
  SNN_HD void operator()(std::int64_t i) const {
    const int c = static_cast<int>(i % channels);
    const std::int64_t n = i / channels;
    const T* src = cm + (static_cast<std::int64_t>(c) * n_frames + n) * plane;
    T* dst = frames + i * plane;
    const T b = bias ? bias[c] : T(0);
    for (std::int64_t p = 0; p < plane; ++p) dst[p] = src[p] + b;
  }
};

template <class T>
struct FramesToChannelMajor {
  const T* frames;
  T* cm;
  int n_frames, channels;
  std::int64_t plane;
  SNN_HD void operator()(std::int64_t i) const {
    const int c = static_cast<int>(i % channels);
    const std::int64_t n = i / channels;
    const T* src = frames + i * plane;
    T* dst = cm + (static_cast<std::int64_t>(c) * n_frames + n) * plane;
    for (std::int64_t p = 0; p < plane; ++p) dst[p] = src[p];
  }
};

/// grad_bias[c] += Σ of row c of the channel-major dL/dy.
template <class T>
struct BiasGrad {
  const T* grad_cm;
  T* grad_bias;
  std::int64_t row;
  SNN_HD void operator()(std::int64_t c) const {
    Accum<T> s = 0;
    const T* g = grad_cm + c * row;
    for (std::int64_t j = 0; j < row; ++j) s += g[j];
    grad_bias[c] += static_cast<T>(s);
  }
};

}  // namespace conv2d_detail

template <class T>
Conv2d<T>::Conv2d(int in_channels, int out_channels, int kernel, int stride, int padding,
                  bool bias, std::string name, std::uint64_t seed)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      has_bias_(bias),
      name_(std::move(name)) {
  require(in_channels >= 1 && out_channels >= 1,
          name_ + ": channels must be >= 1, got " + std::to_string(in_channels) + " → " +
              std::to_string(out_channels));
  require(kernel >= 1, name_ + ": kernel must be >= 1, got " + std::to_string(kernel));
  require(stride >= 1, name_ + ": stride must be >= 1, got " + std::to_string(stride));
  require(padding >= 0, name_ + ": padding must be >= 0, got " + std::to_string(padding));
  weight_ = Parameter<T>(name_ + ".weight", {out_channels, in_channels, kernel, kernel});
  const int fan_in = in_channels * kernel * kernel;
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  CounterRng rng{seed, 0x436f6e76u};  // "Conv"
  auto init = [&](Parameter<T>& p, std::uint32_t which) {
    std::vector<T> h(static_cast<std::size_t>(p.value.size()));
    for (std::size_t i = 0; i < h.size(); ++i) {
      Random4 r = rng.draw(which, static_cast<std::uint32_t>(i), 0, 0);
      h[i] = static_cast<T>((2.0 * uniform01_double(r.w[0], r.w[1]) - 1.0) * bound);
    }
    p.value.from_host(p.value.shape(), h);
    p.grad.resize(p.value.shape(), T(0));
  };
  init(weight_, 0);
  if (has_bias_) {
    bias_ = Parameter<T>(name_ + ".bias", {out_channels});
    init(bias_, 1);
  }
}

template <class T>
void Conv2d<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() == 5 && x.dim(2) == in_channels_,
          name_ + ": input must be [T, B, " + std::to_string(in_channels_) + ", H, W], got " +
              shape_string(x.shape()));
  const int steps = static_cast<int>(x.dim(0)), batch = static_cast<int>(x.dim(1));
  const int height = static_cast<int>(x.dim(3)), width = static_cast<int>(x.dim(4));
  const int out_h = out_size(height), out_w = out_size(width);
  require(out_h >= 1 && out_w >= 1, name_ + ": input " + shape_string(x.shape()) + " too small");
  const int n = steps * batch;
  const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
  const std::int64_t cols = n * plane;
  const int krows = in_channels_ * kernel_ * kernel_;
  col_.resize({krows, cols});
  for_each_index(static_cast<std::int64_t>(krows) * n * out_h,
                 conv2d_detail::Im2col<T>{x.data(), col_.data(), n, in_channels_, height, width,
                                          kernel_, stride_, padding_, out_h, out_w});
  out_cm_.resize({out_channels_, cols});
  gemm(false, false, out_channels_, static_cast<int>(cols), krows, T(1), weight_.value.data(),
       krows, col_.data(), static_cast<int>(cols), T(0), out_cm_.data(), static_cast<int>(cols));
  y.resize({steps, batch, out_channels_, out_h, out_w});
  for_each_index(static_cast<std::int64_t>(n) * out_channels_,
                 conv2d_detail::ChannelMajorToFrames<T>{out_cm_.data(),
                                                        has_bias_ ? bias_.value.data() : nullptr,
                                                        y.data(), n, out_channels_, plane});
}

template <class T>
void Conv2d<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                         Tensor<T>& grad_x, bool need_grad_x) {
  require(grad_y.shape() == y.shape(), name_ + ": grad_y " + shape_string(grad_y.shape()) +
                                           " does not match y " + shape_string(y.shape()));
  const int steps = static_cast<int>(x.dim(0)), batch = static_cast<int>(x.dim(1));
  const int height = static_cast<int>(x.dim(3)), width = static_cast<int>(x.dim(4));
  const int out_h = static_cast<int>(y.dim(3)), out_w = static_cast<int>(y.dim(4));
  const int n = steps * batch;
  const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
  const int cols = static_cast<int>(n * plane);
  const int krows = in_channels_ * kernel_ * kernel_;
  out_cm_.resize({out_channels_, cols});
  for_each_index(static_cast<std::int64_t>(n) * out_channels_,
                 conv2d_detail::FramesToChannelMajor<T>{grad_y.data(), out_cm_.data(), n,
                                                        out_channels_, plane});
  // dL/dW [Cout, K] += dL/dy_cm [Cout, cols] · col^T [cols, K]
  gemm(false, true, out_channels_, krows, cols, T(1), out_cm_.data(), cols, col_.data(), cols,
       T(1), weight_.grad.data(), krows);
  if (has_bias_)
    for_each_index(out_channels_,
                   conv2d_detail::BiasGrad<T>{out_cm_.data(), bias_.grad.data(), cols});
  if (!need_grad_x) return;
  // dL/dcol [K, cols] = W^T [K, Cout] · dL/dy_cm [Cout, cols]
  grad_col_.resize({krows, cols});
  gemm(true, false, krows, cols, out_channels_, T(1), weight_.value.data(), krows, out_cm_.data(),
       cols, T(0), grad_col_.data(), cols);
  grad_x.resize(x.shape());
  for_each_index(static_cast<std::int64_t>(n) * in_channels_ * height,
                 conv2d_detail::Col2im<T>{grad_col_.data(), grad_x.data(), n, in_channels_, height,
                                          width, kernel_, stride_, padding_, out_h, out_w});
}

template <class T>
void Conv2d<T>::collect_parameters(ParameterList<T>& out) {
  out.push_back(&weight_);
  if (has_bias_) out.push_back(&bias_);
}

template <class T>
std::string Conv2d<T>::describe() const {
  return "Conv2d(" + std::to_string(in_channels_) + ", " + std::to_string(out_channels_) +
         ", k=" + std::to_string(kernel_) + ", stride=" + std::to_string(stride_) +
         ", padding=" + std::to_string(padding_) + ", bias=" + (has_bias_ ? "true" : "false") + ")";
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace snn::learning
