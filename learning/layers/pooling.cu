// Pooling kernels: one (t, b, c) plane per index, forward and backward, so that no two threads
// write the same element and no atomics are needed.
#include "learning/layers/index_loop.h"
#include "learning/layers/max_pool_tiles.h"
#include "learning/layers/pooling.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace pooling_detail {

struct Geometry {
  int height, width, out_h, out_w, kernel, stride, padding;
};

/// One (t, b, c) plane per index: the max over each window, and its offset kh·k + kw in the
/// window (every window holds an input: padding <= kernel / 2).
template <class T>
struct MaxForward {
  const T* x;
  T* y;
  std::uint8_t* argmax;
  Geometry g;
  SNN_HD void operator()(std::int64_t plane) const {
    const T* src = x + plane * g.height * g.width;
    T* out = y + plane * g.out_h * g.out_w;
    std::uint8_t* arg = argmax + plane * g.out_h * g.out_w;
    for (int oh = 0; oh < g.out_h; ++oh)
      for (int ow = 0; ow < g.out_w; ++ow) {
        int best = -1;
        T best_v = T(0);
        for (int kh = 0; kh < g.kernel; ++kh) {
          const int h = oh * g.stride - g.padding + kh;
          if (h < 0 || h >= g.height) continue;
          for (int kw = 0; kw < g.kernel; ++kw) {
            const int w = ow * g.stride - g.padding + kw;
            if (w < 0 || w >= g.width) continue;
            const T v = src[h * g.width + w];
            if (best < 0 || v > best_v) {
              best = kh * g.kernel + kw;
              best_v = v;
            }
          }
        }
        out[oh * g.out_w + ow] = best_v;
        arg[oh * g.out_w + ow] = static_cast<std::uint8_t>(best);
      }
  }
};

/// MaxForward for windows that tile the plane (stride = kernel, no padding: the common 2×2),
/// without the bounds tests of the general window (max_pool_tiles, the same visiting order).
template <class T>
struct MaxForwardTiles {
  const T* x;
  T* y;
  std::uint8_t* argmax;
  Geometry g;
  SNN_HD void operator()(std::int64_t plane) const {
    const std::int64_t o = plane * g.out_h * g.out_w;
    max_pool_tiles(x + plane * g.height * g.width, g.width, g.kernel, g.out_h, g.out_w, y + o,
                   argmax + o);
  }
};

/// One plane per index (only this index writes it): each output's gradient goes to its argmax.
template <class T>
struct MaxBackward {
  const T* grad_y;
  const std::uint8_t* argmax;
  T* grad_x;
  Geometry g;
  SNN_HD void operator()(std::int64_t plane) const {
    T* dst = grad_x + plane * g.height * g.width;
    for (int j = 0; j < g.height * g.width; ++j) dst[j] = T(0);
    const std::int64_t o = plane * g.out_h * g.out_w;
    for (int oh = 0; oh < g.out_h; ++oh)
      for (int ow = 0; ow < g.out_w; ++ow) {
        const int j = oh * g.out_w + ow, a = argmax[o + j];
        const int h = oh * g.stride - g.padding + a / g.kernel;
        const int w = ow * g.stride - g.padding + a % g.kernel;
        dst[h * g.width + w] += grad_y[o + j];
      }
  }
};

template <class T>
struct AvgForward {
  const T* x;
  T* y;
  Geometry g;
  SNN_HD void operator()(std::int64_t plane) const {
    const T* src = x + plane * g.height * g.width;
    T* out = y + plane * g.out_h * g.out_w;
    const T inv = T(1) / T(g.kernel * g.kernel);
    for (int oh = 0; oh < g.out_h; ++oh)
      for (int ow = 0; ow < g.out_w; ++ow) {
        T s = T(0);
        for (int kh = 0; kh < g.kernel; ++kh) {
          const int h = oh * g.stride - g.padding + kh;
          if (h < 0 || h >= g.height) continue;
          for (int kw = 0; kw < g.kernel; ++kw) {
            const int w = ow * g.stride - g.padding + kw;
            if (w >= 0 && w < g.width) s += src[h * g.width + w];
          }
        }
        out[oh * g.out_w + ow] = s * inv;
      }
  }
};

/// One plane per index: each output's gradient spread over its window (padding excluded).
template <class T>
struct AvgBackward {
  const T* grad_y;
  T* grad_x;
  Geometry g;
  SNN_HD void operator()(std::int64_t plane) const {
    T* dst = grad_x + plane * g.height * g.width;
    const T* gy = grad_y + plane * g.out_h * g.out_w;
    const T inv = T(1) / T(g.kernel * g.kernel);
    for (int j = 0; j < g.height * g.width; ++j) dst[j] = T(0);
    for (int oh = 0; oh < g.out_h; ++oh)
      for (int ow = 0; ow < g.out_w; ++ow) {
        const T v = gy[oh * g.out_w + ow] * inv;
        for (int kh = 0; kh < g.kernel; ++kh) {
          const int h = oh * g.stride - g.padding + kh;
          if (h < 0 || h >= g.height) continue;
          for (int kw = 0; kw < g.kernel; ++kw) {
            const int w = ow * g.stride - g.padding + kw;
            if (w >= 0 && w < g.width) dst[h * g.width + w] += v;
          }
        }
      }
  }
};

template <class T>
struct GlobalForward {
  const T* x;
  T* y;
  std::int64_t inner;
  SNN_HD void operator()(std::int64_t i) const {
    const T* r = x + i * inner;
    Accum<T> s = 0;
    for (std::int64_t j = 0; j < inner; ++j) s += r[j];
    y[i] = static_cast<T>(s / static_cast<Accum<T>>(inner));
  }
};

template <class T>
struct GlobalBackward {
  const T* grad_y;
  T* grad_x;
  std::int64_t inner;
  SNN_HD void operator()(std::int64_t i) const {
    const T g = grad_y[i] / static_cast<T>(inner);
    T* r = grad_x + i * inner;
    for (std::int64_t j = 0; j < inner; ++j) r[j] = g;
  }
};

void check_window(const char* what, int kernel, int stride, int padding) {
  require(kernel >= 1, std::string(what) + ": kernel must be >= 1, got " + std::to_string(kernel));
  require(stride >= 1, std::string(what) + ": stride must be >= 1, got " + std::to_string(stride));
  require(padding >= 0 && 2 * padding <= kernel,
          std::string(what) + ": padding must be in [0, kernel/2], got " + std::to_string(padding));
}

Geometry geometry(const char* what, const Shape& x, int kernel, int stride, int padding) {
  require(x.size() == 5,
          std::string(what) + ": input must be [T, B, C, H, W], got " + shape_string(x));
  Geometry g{static_cast<int>(x[3]), static_cast<int>(x[4]), 0, 0, kernel, stride, padding};
  g.out_h = (g.height + 2 * padding - kernel) / stride + 1;
  g.out_w = (g.width + 2 * padding - kernel) / stride + 1;
  require(g.height + 2 * padding >= kernel && g.width + 2 * padding >= kernel,
          std::string(what) + ": input " + shape_string(x) + " smaller than the window");
  return g;
}

std::string window_string(const char* what, int kernel, int stride, int padding) {
  return std::string(what) + "(k=" + std::to_string(kernel) + ", stride=" + std::to_string(stride) +
         (padding ? ", padding=" + std::to_string(padding) : std::string()) + ")";
}

}  // namespace pooling_detail

using pooling_detail::Geometry;

template <class T>
MaxPool2d<T>::MaxPool2d(int kernel, int stride, int padding)
    : kernel_(kernel), stride_(stride ? stride : kernel), padding_(padding) {
  pooling_detail::check_window("MaxPool2d", kernel_, stride_, padding_);
  require(kernel_ <= 16, "MaxPool2d: kernel must be <= 16 (its argmax is a byte per output), got " +
                             std::to_string(kernel_));
}

template <class T>
void MaxPool2d<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  const Geometry g = pooling_detail::geometry("MaxPool2d", x.shape(), kernel_, stride_, padding_);
  const std::int64_t planes = x.dim(0) * x.dim(1) * x.dim(2);
  y.resize({x.dim(0), x.dim(1), x.dim(2), g.out_h, g.out_w});
  if (static_cast<std::int64_t>(argmax_.size()) < y.size()) argmax_.resize(y.size());
  if (tiles())
    for_each_index(planes, pooling_detail::MaxForwardTiles<T>{x.data(), y.data(), raw(argmax_), g});
  else
    for_each_index(planes, pooling_detail::MaxForward<T>{x.data(), y.data(), raw(argmax_), g});
}

template <class T>
void MaxPool2d<T>::forward_step(const Tensor<T>& x_step, std::int64_t t, std::int64_t steps,
                                Tensor<T>& y) {
  const Geometry g =
      pooling_detail::geometry("MaxPool2d", x_step.shape(), kernel_, stride_, padding_);
  require(x_step.dim(0) == 1 && t >= 0 && t < steps,
          "MaxPool2d::forward_step: step " + std::to_string(t) + " of " + std::to_string(steps) +
              " needs one frame, got " + shape_string(x_step.shape()));
  const std::int64_t planes = x_step.dim(1) * x_step.dim(2);
  require(y.ndim() == 5 && y.dim(0) == steps && y.size() == steps * planes * g.out_h * g.out_w &&
              static_cast<std::int64_t>(argmax_.size()) >= y.size(),
          "MaxPool2d::forward_step: output " + shape_string(y.shape()) +
              " is not the one prepare_steps shaped");
  const std::int64_t offset = t * planes * g.out_h * g.out_w;
  T* out = y.data() + offset;
  std::uint8_t* arg = raw(argmax_) + offset;
  if (tiles())
    for_each_index(planes, pooling_detail::MaxForwardTiles<T>{x_step.data(), out, arg, g});
  else
    for_each_index(planes, pooling_detail::MaxForward<T>{x_step.data(), out, arg, g});
}

template <class T>
std::uint8_t* MaxPool2d<T>::prepare_steps(const Shape& frame, std::int64_t steps, Tensor<T>& y) {
  const Geometry g = pooling_detail::geometry("MaxPool2d", frame, kernel_, stride_, padding_);
  require(frame[0] == 1 && steps >= 1, "MaxPool2d::prepare_steps: needs one frame, got " +
                                           shape_string(frame) + " for " + std::to_string(steps) +
                                           " steps");
  y.resize({steps, frame[1], frame[2], g.out_h, g.out_w});
  if (static_cast<std::int64_t>(argmax_.size()) < y.size()) argmax_.resize(y.size());
  return raw(argmax_);
}

template <class T>
void MaxPool2d<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                            Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  const Geometry g = pooling_detail::geometry("MaxPool2d", x.shape(), kernel_, stride_, padding_);
  grad_x.resize(x.shape());
  const std::int64_t planes = x.dim(0) * x.dim(1) * x.dim(2);
  for_each_index(planes,
                 pooling_detail::MaxBackward<T>{grad_y.data(), raw(argmax_), grad_x.data(), g});
}

template <class T>
std::string MaxPool2d<T>::describe() const {
  return pooling_detail::window_string("MaxPool2d", kernel_, stride_, padding_);
}

template <class T>
AvgPool2d<T>::AvgPool2d(int kernel, int stride, int padding)
    : kernel_(kernel), stride_(stride ? stride : kernel), padding_(padding) {
  pooling_detail::check_window("AvgPool2d", kernel_, stride_, padding_);
}

template <class T>
void AvgPool2d<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  const Geometry g = pooling_detail::geometry("AvgPool2d", x.shape(), kernel_, stride_, padding_);
  const std::int64_t planes = x.dim(0) * x.dim(1) * x.dim(2);
  y.resize({x.dim(0), x.dim(1), x.dim(2), g.out_h, g.out_w});
  for_each_index(planes, pooling_detail::AvgForward<T>{x.data(), y.data(), g});
}

template <class T>
void AvgPool2d<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                            Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  const Geometry g = pooling_detail::geometry("AvgPool2d", x.shape(), kernel_, stride_, padding_);
  grad_x.resize(x.shape());
  const std::int64_t planes = x.dim(0) * x.dim(1) * x.dim(2);
  for_each_index(planes, pooling_detail::AvgBackward<T>{grad_y.data(), grad_x.data(), g});
}

template <class T>
std::string AvgPool2d<T>::describe() const {
  return pooling_detail::window_string("AvgPool2d", kernel_, stride_, padding_);
}

template <class T>
void GlobalAvgPool<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() == 5,
          "GlobalAvgPool: input must be [T, B, C, H, W], got " + shape_string(x.shape()));
  y.resize({x.dim(0), x.dim(1), x.dim(2)});
  for_each_index(y.size(),
                 pooling_detail::GlobalForward<T>{x.data(), y.data(), x.dim(3) * x.dim(4)});
}

template <class T>
void GlobalAvgPool<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                                Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  grad_x.resize(x.shape());
  for_each_index(y.size(), pooling_detail::GlobalBackward<T>{grad_y.data(), grad_x.data(),
                                                             x.dim(3) * x.dim(4)});
}

template class MaxPool2d<float>;
template class MaxPool2d<double>;
template class AvgPool2d<float>;
template class AvgPool2d<double>;
template class GlobalAvgPool<float>;
template class GlobalAvgPool<double>;

}  // namespace snn::learning
