// Dropout with a per-sample mask shared over T.
#include "learning/layers/dropout.h"

#include "learning/layers/index_loop.h"
#include "sim/core/errors.h"
#include "sim/core/rng.h"

namespace snn::learning {
namespace dropout_detail {

constexpr std::uint32_t kStream = 0x44726f70u;  // "Drop"

/// mask[b, f] = (u ≥ p) / (1 − p), u from counter (f / 4, b, draw low, draw high), word f % 4.
template <class T>
struct DrawMask {
  CounterRng rng;
  std::uint32_t draw_lo, draw_hi;
  float p;
  T keep_scale;
  std::int64_t features;
  T* mask;
  SNN_HD void operator()(std::int64_t i) const {
    const std::int64_t b = i / features, f = i % features;
    const Random4 r = rng.draw(static_cast<std::uint32_t>(f / 4), static_cast<std::uint32_t>(b),
                               draw_lo, draw_hi);
    mask[i] = uniform01(r.w[f % 4]) >= p ? keep_scale : T(0);
  }
};

/// out[t, b, f] = in[t, b, f] · mask[b, f]; one (t, b) row per index.
template <class T>
struct ApplyMask {
  const T* in;
  const T* mask;
  T* out;
  int batch;
  std::int64_t features;
  SNN_HD void operator()(std::int64_t i) const {
    const T* m = mask + (i % batch) * features;
    const T* a = in + i * features;
    T* o = out + i * features;
    for (std::int64_t f = 0; f < features; ++f) o[f] = a[f] * m[f];
  }
};

}  // namespace dropout_detail

template <class T>
Dropout<T>::Dropout(double p, std::uint64_t seed) : p_(p), seed_(seed) {
  require(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got " + std::to_string(p));
}

template <class T>
void Dropout<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 3, "Dropout: input must be [T, B, ...], got " + shape_string(x.shape()));
  last_training_ = this->training_;
  y.resize(x.shape());
  if (!this->training_ || p_ == 0) {
    thrust::copy(exec(), x.begin(), x.end(), y.begin());
    return;
  }
  const int batch = static_cast<int>(x.dim(1));
  const std::int64_t features = x.size() / (x.dim(0) * batch);
  Shape mshape(x.shape().begin() + 1, x.shape().end());
  mask_.resize(mshape);
  for_each_index(mask_.size(), dropout_detail::DrawMask<T>{
                                   CounterRng{seed_, dropout_detail::kStream},
                                   static_cast<std::uint32_t>(draw_),
                                   static_cast<std::uint32_t>(draw_ >> 32), static_cast<float>(p_),
                                   static_cast<T>(1.0 / (1.0 - p_)), features, mask_.data()});
  ++draw_;
  for_each_index(x.dim(0) * batch,
                 dropout_detail::ApplyMask<T>{x.data(), mask_.data(), y.data(), batch, features});
}

template <class T>
void Dropout<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                          Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  grad_x.resize(grad_y.shape());
  if (!last_training_ || p_ == 0) {
    thrust::copy(exec(), grad_y.begin(), grad_y.end(), grad_x.begin());
    return;
  }
  const int batch = static_cast<int>(grad_y.dim(1));
  const std::int64_t features = grad_y.size() / (grad_y.dim(0) * batch);
  for_each_index(grad_y.dim(0) * batch, dropout_detail::ApplyMask<T>{grad_y.data(), mask_.data(),
                                                                      grad_x.data(), batch,
                                                                      features});
}

template <class T>
std::string Dropout<T>::describe() const {
  return "Dropout(p=" + std::to_string(p_) + ", mask shared over T)";
}

template class Dropout<float>;
template class Dropout<double>;

}  // namespace snn::learning
