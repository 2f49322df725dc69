// Conv2d: im2col + GEMM forward, GEMM + col2im backward (gather form, no atomics).
#include <chrono>
#include <cmath>
#include <type_traits>
#include <vector>

#include "learning/layers/conv2d.h"
#include "learning/layers/index_loop.h"
#include "learning/math/gemm.h"
#include "sim/core/errors.h"
#include "sim/core/rng.h"

namespace snn::learning {
namespace conv2d_detail {

/// The output columns ow whose input column w = ow·stride − padding + kw lies in [0, width):
/// [lo, hi). Computed once per row so that the copy loops have no per-element branch.
SNN_HD inline void valid_columns(int kw, int stride, int padding, int width, int out_w, int& lo,
                                 int& hi) {
  const int first = padding - kw;  // ow·stride >= first
  lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  const int last = width - 1 + padding - kw;  // ow·stride <= last
  hi = last < 0 ? 0 : last / stride + 1;
  if (hi > out_w) hi = out_w;
  if (lo > hi) lo = hi;
}

/// col[(c·k + kh)·k + kw][n·P + oh·Wo + ow] = x[n][c][oh·s − p + kh][ow·s − p + kw] (0 outside).
/// One index = one (k-row, n) plane of Ho·Wo contiguous writes: the index arithmetic is paid once
/// per plane, and the inner loop is a branch-free strided copy.
template <class T>
struct Im2col {
  const T* x;
  T* col;
  int n_frames, channels, height, width, kernel, stride, padding, out_h, out_w;
  SNN_HD void operator()(std::int64_t i) const {
    const int n = static_cast<int>(i % n_frames);
    const int krow = static_cast<int>(i / n_frames);  // (c·k + kh)·k + kw
    const int kw = krow % kernel;
    const int kh = (krow / kernel) % kernel;
    const int c = krow / (kernel * kernel);
    T* dst = col + i * (static_cast<std::int64_t>(out_h) * out_w);
    const T* plane = x + (static_cast<std::int64_t>(n) * channels + c) * height * width;
    int lo, hi;
    valid_columns(kw, stride, padding, width, out_w, lo, hi);
    for (int oh = 0; oh < out_h; ++oh, dst += out_w) {
      const int h = oh * stride - padding + kh;
      if (h < 0 || h >= height) {
        for (int ow = 0; ow < out_w; ++ow) dst[ow] = T(0);
        continue;
      }
      const T* src = plane + h * width + (kw - padding);  // src[ow·s] = column ow·s − p + kw
      for (int ow = 0; ow < lo; ++ow) dst[ow] = T(0);
      if (stride == 1)
        for (int ow = lo; ow < hi; ++ow) dst[ow] = src[ow];
      else
        for (int ow = lo; ow < hi; ++ow) dst[ow] = src[ow * stride];
      for (int ow = hi; ow < out_w; ++ow) dst[ow] = T(0);
    }
  }
};

/// grad_x[n][c][h][w] = Σ over (kh, kw, oh, ow) with h = oh·s − p + kh, w = ow·s − p + kw of
/// grad_col[(c·k + kh)·k + kw][n·P + oh·Wo + ow]. One index = one input plane (n, c), which only
/// this index writes: no atomics, deterministic sums.
template <class T>
struct Col2im {
  const T* grad_col;
  T* grad_x;
  int n_frames, channels, height, width, kernel, stride, padding, out_h, out_w;
  SNN_HD void operator()(std::int64_t i) const {
    const int c = static_cast<int>(i % channels);
    const int n = static_cast<int>(i / channels);
    const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
    T* dst = grad_x + i * height * width;
    for (int j = 0; j < height * width; ++j) dst[j] = T(0);
    for (int kh = 0; kh < kernel; ++kh)
      for (int kw = 0; kw < kernel; ++kw) {
        const std::int64_t krow = (static_cast<std::int64_t>(c) * kernel + kh) * kernel + kw;
        const T* src = grad_col + (krow * n_frames + n) * plane;
        int lo, hi;
        valid_columns(kw, stride, padding, width, out_w, lo, hi);
        for (int oh = 0; oh < out_h; ++oh) {
          const int h = oh * stride - padding + kh;
          if (h < 0 || h >= height) continue;
          T* d = dst + h * width + (kw - padding);  // d[ow·s] = column ow·s − p + kw
          const T* s = src + oh * out_w;
          if (stride == 1)
            for (int ow = lo; ow < hi; ++ow) d[ow] += s[ow];
          else
            for (int ow = lo; ow < hi; ++ow) d[ow * stride] += s[ow];
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

bool dnnl_requested = true;
bool timer_on = false;
double timer_seconds = 0;

/// Adds the lifetime of the scope to the conv timer when it is enabled.
class ScopedConvTime {
 public:
  ScopedConvTime() : on_(timer_on) {
    if (on_) start_ = std::chrono::steady_clock::now();
  }
  ~ScopedConvTime() {
    if (on_)
      timer_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace conv2d_detail

void ConvTimer::enable(bool on) {
  conv2d_detail::timer_on = on;
}
bool ConvTimer::enabled() {
  return conv2d_detail::timer_on;
}
double ConvTimer::seconds() {
  return conv2d_detail::timer_seconds;
}
void ConvTimer::reset() {
  conv2d_detail::timer_seconds = 0;
}

void ConvBackend::use_dnnl(bool on) {
  conv2d_detail::dnnl_requested = on;
}
bool ConvBackend::dnnl() {
  return conv2d_detail::dnnl_requested && DnnlConv::available();
}

template <class T>
bool Conv2d<T>::run_dnnl() const {
  return std::is_same<T, float>::value && ConvBackend::dnnl();
}

template <class T>
ConvGeometry Conv2d<T>::geometry(const Tensor<T>& x, int out_h, int out_w) const {
  return ConvGeometry{static_cast<int>(x.dim(0) * x.dim(1)),
                      in_channels_,
                      static_cast<int>(x.dim(3)),
                      static_cast<int>(x.dim(4)),
                      out_channels_,
                      out_h,
                      out_w,
                      kernel_,
                      stride_,
                      padding_,
                      has_bias_};
}

/// The oneDNN calls for float; never reached for double (run_dnnl() is false there).
inline void dnnl_forward(DnnlConv& d, const ConvGeometry& g, const float* x, const float* w,
                         const float* b, float* y) {
  d.forward(g, x, w, b, y);
}
inline void dnnl_forward(DnnlConv&, const ConvGeometry&, const double*, const double*,
                         const double*, double*) {}
inline void dnnl_backward(DnnlConv& d, const ConvGeometry& g, const float* x, const float* w,
                          const float* gy, float* gw, float* gb, float* gx) {
  d.backward(g, x, w, gy, gw, gb, gx);
}
inline void dnnl_backward(DnnlConv&, const ConvGeometry&, const double*, const double*,
                          const double*, double*, double*, double*) {}

template <class T>
Conv2d<T>::Conv2d(int in_channels, int out_channels, int kernel, int stride, int padding, bool bias,
                  std::string name, std::uint64_t seed)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      has_bias_(bias),
      name_(std::move(name)) {
  require(in_channels >= 1 && out_channels >= 1, name_ + ": channels must be >= 1, got " +
                                                     std::to_string(in_channels) + " → " +
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
  conv2d_detail::ScopedConvTime timer;
  require(x.ndim() == 5 && x.dim(2) == in_channels_, name_ + ": input must be [T, B, " +
                                                         std::to_string(in_channels_) +
                                                         ", H, W], got " + shape_string(x.shape()));
  const int steps = static_cast<int>(x.dim(0)), batch = static_cast<int>(x.dim(1));
  const int height = static_cast<int>(x.dim(3)), width = static_cast<int>(x.dim(4));
  const int out_h = out_size(height), out_w = out_size(width);
  require(height + 2 * padding_ >= kernel_ && width + 2 * padding_ >= kernel_,
          name_ + ": input " + shape_string(x.shape()) + " too small");
  const int n = steps * batch;
  forward_dnnl_ = run_dnnl();
  if (forward_dnnl_) {
    if (!dnnl_) dnnl_ = std::make_unique<DnnlConv>();
    y.resize({steps, batch, out_channels_, out_h, out_w});
    dnnl_forward(*dnnl_, geometry(x, out_h, out_w), x.data(), weight_.value.data(),
                 has_bias_ ? bias_.value.data() : nullptr, y.data());
    return;
  }
  const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
  const std::int64_t cols = n * plane;
  const int krows = in_channels_ * kernel_ * kernel_;
  col_.resize({krows, cols});
  for_each_index(static_cast<std::int64_t>(krows) * n,
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
  conv2d_detail::ScopedConvTime timer;
  require(grad_y.shape() == y.shape(), name_ + ": grad_y " + shape_string(grad_y.shape()) +
                                           " does not match y " + shape_string(y.shape()));
  const int steps = static_cast<int>(x.dim(0)), batch = static_cast<int>(x.dim(1));
  const int height = static_cast<int>(x.dim(3)), width = static_cast<int>(x.dim(4));
  const int out_h = static_cast<int>(y.dim(3)), out_w = static_cast<int>(y.dim(4));
  const int n = steps * batch;
  if (forward_dnnl_) {
    if (need_grad_x) grad_x.resize(x.shape());
    dnnl_backward(*dnnl_, geometry(x, out_h, out_w), x.data(), weight_.value.data(), grad_y.data(),
                  weight_.grad.data(), has_bias_ ? bias_.grad.data() : nullptr,
                  need_grad_x ? grad_x.data() : nullptr);
    return;
  }
  const std::int64_t plane = static_cast<std::int64_t>(out_h) * out_w;
  const int cols = static_cast<int>(n * plane);
  const int krows = in_channels_ * kernel_ * kernel_;
  out_cm_.resize({out_channels_, cols});
  for_each_index(static_cast<std::int64_t>(n) * out_channels_,
                 conv2d_detail::FramesToChannelMajor<T>{grad_y.data(), out_cm_.data(), n,
                                                        out_channels_, plane});
  // dL/dW [Cout, K] += dL/dy_cm [Cout, cols] · col^T [cols, K]
  gemm(false, true, out_channels_, krows, cols, T(1), out_cm_.data(), cols, col_.data(), cols, T(1),
       weight_.grad.data(), krows);
  if (has_bias_)
    for_each_index(out_channels_,
                   conv2d_detail::BiasGrad<T>{out_cm_.data(), bias_.grad.data(), cols});
  if (!need_grad_x) return;
  // dL/dcol [K, cols] = W^T [K, Cout] · dL/dy_cm [Cout, cols]
  grad_col_.resize({krows, cols});
  gemm(true, false, krows, cols, out_channels_, T(1), weight_.value.data(), krows, out_cm_.data(),
       cols, T(0), grad_col_.data(), cols);
  grad_x.resize(x.shape());
  for_each_index(static_cast<std::int64_t>(n) * in_channels_,
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
