// LocalResponseNorm: one (frame, position) per index, a loop over channels.
#include <cmath>

#include "learning/layers/index_loop.h"
#include "learning/layers/local_response_norm.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace lrn_detail {

template <class T>
struct Forward {
  const T* x;
  T* y;
  T* d;
  std::int64_t channels, inner;
  int before, after;  // window: c − before … c + after
  double alpha_n, beta, k;
  SNN_HD void operator()(std::int64_t i) const {
    const std::int64_t n = i / inner, p = i % inner, base = n * channels * inner + p;
    for (std::int64_t c = 0; c < channels; ++c) {
      double s = 0;
      const std::int64_t lo = c - before < 0 ? 0 : c - before;
      const std::int64_t hi = c + after >= channels ? channels - 1 : c + after;
      for (std::int64_t q = lo; q <= hi; ++q) {
        const double a = x[base + q * inner];
        s += a * a;
      }
      const double dc = k + alpha_n * s;
      d[base + c * inner] = static_cast<T>(dc);
      y[base + c * inner] = static_cast<T>(x[base + c * inner] * pow(dc, -beta));
    }
  }
};

template <class T>
struct Backward {
  const T* x;
  const T* d;
  const T* grad_y;
  T* grad_x;
  std::int64_t channels, inner;
  int before, after;
  double alpha_n, beta;
  SNN_HD void operator()(std::int64_t i) const {
    const std::int64_t n = i / inner, p = i % inner, base = n * channels * inner + p;
    for (std::int64_t j = 0; j < channels; ++j) {
      // c whose window holds j: c − before ≤ j ≤ c + after
      const std::int64_t lo = j - after < 0 ? 0 : j - after;
      const std::int64_t hi = j + before >= channels ? channels - 1 : j + before;
      double s = 0;
      for (std::int64_t c = lo; c <= hi; ++c) {
        const std::int64_t e = base + c * inner;
        s += double(grad_y[e]) * x[e] * pow(double(d[e]), -beta - 1);
      }
      const std::int64_t e = base + j * inner;
      grad_x[e] =
          static_cast<T>(grad_y[e] * pow(double(d[e]), -beta) - 2 * alpha_n * beta * x[e] * s);
    }
  }
};

}  // namespace lrn_detail

template <class T>
LocalResponseNorm<T>::LocalResponseNorm(int size, double alpha, double beta, double k)
    : size_(size), alpha_(alpha), beta_(beta), k_(k) {
  require(size >= 1, "LocalResponseNorm: size must be >= 1, got " + std::to_string(size));
  require(alpha >= 0, "LocalResponseNorm: alpha must be >= 0, got " + std::to_string(alpha));
  require(beta >= 0, "LocalResponseNorm: beta must be >= 0, got " + std::to_string(beta));
  require(k > 0, "LocalResponseNorm: k must be > 0, got " + std::to_string(k));
}

template <class T>
void LocalResponseNorm<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 3,
          "LocalResponseNorm: x must be [T, B, C, ...], got " + shape_string(x.shape()));
  const std::int64_t channels = x.dim(2), inner = x.size() / (x.dim(0) * x.dim(1) * channels);
  y.resize(x.shape());
  d_.resize(x.shape());
  for_each_index(x.dim(0) * x.dim(1) * inner,
                 lrn_detail::Forward<T>{x.data(), y.data(), d_.data(), channels, inner, size_ / 2,
                                        (size_ - 1) / 2, alpha_ / size_, beta_, k_});
}

template <class T>
void LocalResponseNorm<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                                    Tensor<T>& grad_x, bool need_grad_x) {
  if (!need_grad_x) return;
  require(grad_y.shape() == x.shape() && d_.shape() == x.shape(),
          "LocalResponseNorm: backward without its forward, or grad_y " +
              shape_string(grad_y.shape()) + " vs x " + shape_string(x.shape()));
  const std::int64_t channels = x.dim(2), inner = x.size() / (x.dim(0) * x.dim(1) * channels);
  grad_x.resize(x.shape());
  for_each_index(
      x.dim(0) * x.dim(1) * inner,
      lrn_detail::Backward<T>{x.data(), d_.data(), grad_y.data(), grad_x.data(), channels, inner,
                              size_ / 2, (size_ - 1) / 2, alpha_ / size_, beta_});
}

template <class T>
std::string LocalResponseNorm<T>::describe() const {
  return "LocalResponseNorm(" + std::to_string(size_) + ", alpha=" + std::to_string(alpha_) +
         ", beta=" + std::to_string(beta_) + ", k=" + std::to_string(k_) + ")";
}

template class LocalResponseNorm<float>;
template class LocalResponseNorm<double>;

}  // namespace snn::learning
