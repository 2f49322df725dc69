// WeightNorm: w from (g, v) before the inner forward; the inner weight gradient mapped onto g, v.
#include <cmath>

#include "learning/layers/conv2d.h"
#include "learning/layers/index_loop.h"
#include "learning/layers/linear.h"
#include "learning/layers/weight_norm.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace weight_norm_detail {

/// norm_o = ‖v_o‖, w_o = g_o v_o / norm_o; one output unit per index.
template <class T>
struct Compose {
  const T* g;
  const T* v;
  T* w;
  T* norm;
  std::int64_t row;
  SNN_HD void operator()(std::int64_t o) const {
    const T* r = v + o * row;
    double s = 0;
    for (std::int64_t i = 0; i < row; ++i) s += double(r[i]) * r[i];
    const double n = sqrt(s);
    norm[o] = static_cast<T>(n);
    const double scale = g[o] / n;
    for (std::int64_t i = 0; i < row; ++i) w[o * row + i] = static_cast<T>(scale * r[i]);
  }
};

/// Adds dL/dg_o and dL/dv_o from dL/dw_o.
template <class T>
struct Decompose {
  const T* g;
  const T* v;
  const T* norm;
  const T* grad_w;
  T* grad_g;
  T* grad_v;
  std::int64_t row;
  SNN_HD void operator()(std::int64_t o) const {
    const T* r = v + o * row;
    const T* gw = grad_w + o * row;
    const double n = norm[o];
    double dot = 0;
    for (std::int64_t i = 0; i < row; ++i) dot += double(gw[i]) * r[i];
    const double dg = dot / n;
    grad_g[o] += static_cast<T>(dg);
    const double a = g[o] / n, b = g[o] * dg / (n * n);
    for (std::int64_t i = 0; i < row; ++i)
      grad_v[o * row + i] += static_cast<T>(a * gw[i] - b * r[i]);
  }
};

}  // namespace weight_norm_detail

template <class T, class Inner>
WeightNorm<T, Inner>::WeightNorm(std::unique_ptr<Inner> inner, const std::string& name)
    : inner_(std::move(inner)) {
  require(inner_ != nullptr, "WeightNorm: no layer to wrap");
  Parameter<T>& w = inner_->weight();
  const std::int64_t out = w.value.dim(0);
  v_ = Parameter<T>(name + ".weight_v", w.value.shape());
  g_ = Parameter<T>(name + ".weight_g", Shape{out});
  g_.decay = true;
  const std::vector<T> wh = w.value.to_host();
  const std::int64_t row = w.value.size() / out;
  std::vector<T> gh(out);
  for (std::int64_t o = 0; o < out; ++o) {
    double s = 0;
    for (std::int64_t i = 0; i < row; ++i) s += double(wh[o * row + i]) * wh[o * row + i];
    gh[o] = static_cast<T>(std::sqrt(s));
  }
  v_.value.from_host(w.value.shape(), wh);
  g_.value.from_host({out}, gh);
  norm_.resize({out});
}

template <class T, class Inner>
void WeightNorm<T, Inner>::forward(const Tensor<T>& x, Tensor<T>& y) {
  Parameter<T>& w = inner_->weight();
  const std::int64_t out = g_.value.size();
  for_each_index(out,
                 weight_norm_detail::Compose<T>{g_.value.data(), v_.value.data(), w.value.data(),
                                                norm_.data(), w.value.size() / out});
  inner_->forward(x, y);
}

template <class T, class Inner>
void WeightNorm<T, Inner>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                                    Tensor<T>& grad_x, bool need_grad_x) {
  Parameter<T>& w = inner_->weight();
  w.zero_grad();  // the inner layer adds dL/dw there; only g and v are trained
  inner_->backward(x, y, grad_y, grad_x, need_grad_x);
  const std::int64_t out = g_.value.size();
  for_each_index(out, weight_norm_detail::Decompose<T>{g_.value.data(), v_.value.data(),
                                                       norm_.data(), w.grad.data(), g_.grad.data(),
                                                       v_.grad.data(), w.value.size() / out});
}

template <class T, class Inner>
void WeightNorm<T, Inner>::collect_parameters(ParameterList<T>& out) {
  out.push_back(&g_);
  out.push_back(&v_);
  ParameterList<T> inner;
  inner_->collect_parameters(inner);
  for (Parameter<T>* p : inner)
    if (p != &inner_->weight()) out.push_back(p);  // the bias
}

template <class T, class Inner>
void WeightNorm<T, Inner>::set_training(bool training) {
  Layer<T>::set_training(training);
  inner_->set_training(training);
}

template <class T, class Inner>
std::string WeightNorm<T, Inner>::describe() const {
  return "WeightNorm(" + inner_->describe() + ")";
}

template class WeightNorm<float, Linear<float>>;
template class WeightNorm<double, Linear<double>>;
template class WeightNorm<float, Conv2d<float>>;
template class WeightNorm<double, Conv2d<double>>;

}  // namespace snn::learning
