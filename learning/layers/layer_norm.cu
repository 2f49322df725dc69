// LayerNorm: per-row statistics (two passes over a row in cache), per-column parameter gradients.
#include "learning/layers/layer_norm.h"

#include <cmath>

#include "learning/layers/index_loop.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace layer_norm_detail {

template <class T>
struct Forward {
  const T* x;
  const T* gamma;
  const T* beta;
  T* y;
  T* mean;
  T* invstd;
  std::int64_t features;
  double eps;
  SNN_HD void operator()(std::int64_t i) const {
    const T* r = x + i * features;
    double s = 0;
    for (std::int64_t f = 0; f < features; ++f) s += r[f];
    const double m = s / features;
    double v = 0;
    for (std::int64_t f = 0; f < features; ++f) v += (r[f] - m) * (r[f] - m);
    const double is = 1.0 / sqrt(v / features + eps);
    mean[i] = static_cast<T>(m);
    invstd[i] = static_cast<T>(is);
    T* o = y + i * features;
    for (std::int64_t f = 0; f < features; ++f)
      o[f] = static_cast<T>(gamma[f] * ((r[f] - m) * is) + beta[f]);
  }
};

/// dx = invstd · (g − mean(g) − x̂ · mean(g·x̂)), g = dy ⊙ γ; one row per index.
template <class T>
struct InputGrad {
  const T* x;
  const T* grad_y;
  const T* gamma;
  const T* mean;
  const T* invstd;
  T* grad_x;
  std::int64_t features;
  SNN_HD void operator()(std::int64_t i) const {
    const T* r = x + i * features;
    const T* gy = grad_y + i * features;
    const double m = mean[i], is = invstd[i];
    double sg = 0, sgx = 0;
    for (std::int64_t f = 0; f < features; ++f) {
      const double g = gy[f] * gamma[f];
      sg += g;
      sgx += g * (r[f] - m) * is;
    }
    sg /= features;
    sgx /= features;
    T* o = grad_x + i * features;
    for (std::int64_t f = 0; f < features; ++f)
      o[f] = static_cast<T>(is * (gy[f] * gamma[f] - sg - (r[f] - m) * is * sgx));
  }
};

/// dγ[f] += Σ_rows dy·x̂, dβ[f] += Σ_rows dy; one feature per index.
template <class T>
struct ParamGrad {
  const T* x;
  const T* grad_y;
  const T* mean;
  const T* invstd;
  T* grad_gamma;
  T* grad_beta;
  std::int64_t rows, features;
  SNN_HD void operator()(std::int64_t f) const {
    double sg = 0, sb = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
      const double g = grad_y[r * features + f];
      sb += g;
      sg += g * (x[r * features + f] - mean[r]) * invstd[r];
    }
    grad_gamma[f] += static_cast<T>(sg);
    grad_beta[f] += static_cast<T>(sb);
  }
};

}  // namespace layer_norm_detail

template <class T>
LayerNorm<T>::LayerNorm(std::int64_t features, std::string name, double eps)
    : features_(features), name_(std::move(name)), eps_(eps) {
  require(features >= 1, name_ + ": features must be >= 1, got " + std::to_string(features));
  require(eps > 0, name_ + ": eps must be > 0, got " + std::to_string(eps));
  weight_ = Parameter<T>(name_ + ".weight", {features});
  weight_.value.fill(T(1));
  weight_.decay = false;
  bias_ = Parameter<T>(name_ + ".bias", {features});
  bias_.decay = false;
}

template <class T>
void LayerNorm<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 3 && x.size() == x.dim(0) * x.dim(1) * features_,
          name_ + ": input must be [T, B, ...] with " + std::to_string(features_) +
              " values per step and sample, got " + shape_string(x.shape()));
  const std::int64_t rows = x.dim(0) * x.dim(1);
  mean_.resize({rows});
  invstd_.resize({rows});
  y.resize(x.shape());
  for_each_index(rows, layer_norm_detail::Forward<T>{x.data(), weight_.value.data(),
                                                     bias_.value.data(), y.data(), mean_.data(),
                                                     invstd_.data(), features_, eps_});
}

template <class T>
void LayerNorm<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                            Tensor<T>& grad_x, bool need_grad_x) {
  const std::int64_t rows = x.dim(0) * x.dim(1);
  for_each_index(features_, layer_norm_detail::ParamGrad<T>{
                                x.data(), grad_y.data(), mean_.data(), invstd_.data(),
                                weight_.grad.data(), bias_.grad.data(), rows, features_});
  if (!need_grad_x) return;
  grad_x.resize(x.shape());
  for_each_index(rows, layer_norm_detail::InputGrad<T>{x.data(), grad_y.data(),
                                                       weight_.value.data(), mean_.data(),
                                                       invstd_.data(), grad_x.data(), features_});
}

template <class T>
void LayerNorm<T>::collect_parameters(ParameterList<T>& out) {
  out.push_back(&weight_);
  out.push_back(&bias_);
}

template <class T>
std::string LayerNorm<T>::describe() const {
  return "LayerNorm(" + std::to_string(features_) + ")";
}

template class LayerNorm<float>;
template class LayerNorm<double>;

}  // namespace snn::learning
