// Adam / AdamW: one Thrust pass per parameter, over (p, grad, exp_avg, exp_avg_sq).
#include <math.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cmath>
#include <cstdint>
#include <sstream>

#include "learning/optim/adam.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

SNN_HD inline float sqrt_of(float x) {
  return sqrtf(x);
}
SNN_HD inline double sqrt_of(double x) {
  return ::sqrt(x);
}

/// One element of torch.optim.Adam's single-tensor update (amsgrad = false, maximize = false).
template <class T>
struct AdamUpdate {
  T* p;
  const T* grad;
  T* m;
  T* v;
  T weight_decay;     // L2 added to the grad (Adam), 0 for AdamW
  T decay_factor;     // 1 − lr·wd (AdamW), 1 for Adam
  T one_minus_beta1;  // lerp weight
  T beta2, one_minus_beta2;
  T step_size;              // lr / (1 − β1^k)
  T bias_correction2_sqrt;  // sqrt(1 − β2^k)
  T eps;

  SNN_HD void operator()(std::int64_t i) const {
    T param = p[i];
    if (decay_factor != T(1)) param = param * decay_factor;
    T g = grad[i];
    if (weight_decay != T(0)) g = g + weight_decay * param;
    // torch.lerp(m, g, w): m + w·(g − m) for w < 0.5, g − (g − m)·(1 − w) otherwise.
    const T mi = m[i];
    const T w = one_minus_beta1;
    const T m_new = w < T(0.5) ? mi + w * (g - mi) : g - (g - mi) * (T(1) - w);
    const T v_new = v[i] * beta2 + one_minus_beta2 * g * g;
    m[i] = m_new;
    v[i] = v_new;
    const T denom = sqrt_of(v_new) / bias_correction2_sqrt + eps;
    p[i] = param - step_size * m_new / denom;
  }
};

}  // namespace

template <class T>
Adam<T>::Adam(ParameterList<T> params, double lr, double beta1, double beta2, double eps,
              double weight_decay)
    : Adam(std::move(params), lr, beta1, beta2, eps, weight_decay, false) {}

template <class T>
Adam<T>::Adam(ParameterList<T> params, double lr, double beta1, double beta2, double eps,
              double weight_decay, bool decoupled)
    : Optimizer<T>(std::move(params), lr),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay),
      decoupled_(decoupled) {
  const std::string who = decoupled ? "AdamW" : "Adam";
  require(beta1 >= 0.0 && beta1 < 1.0, who + " beta1 must be in [0, 1), got " + num(beta1));
  require(beta2 >= 0.0 && beta2 < 1.0, who + " beta2 must be in [0, 1), got " + num(beta2));
  require(eps >= 0.0, who + " eps must be >= 0, got " + num(eps));
  require(weight_decay >= 0.0, who + " weight decay must be >= 0, got " + num(weight_decay));
  const std::string prefix = name();
  exp_avg_.reserve(this->params_.size());
  exp_avg_sq_.reserve(this->params_.size());
  for (const Parameter<T>* p : this->params_) {
    exp_avg_.emplace_back(prefix + ".exp_avg." + p->name, p->value.shape());
    exp_avg_sq_.emplace_back(prefix + ".exp_avg_sq." + p->name, p->value.shape());
  }
}

template <class T>
void Adam<T>::step() {
  const std::int64_t k = ++this->step_count_;
  const double bias_correction1 = 1.0 - std::pow(beta1_, static_cast<double>(k));
  const double bias_correction2 = 1.0 - std::pow(beta2_, static_cast<double>(k));
  const double step_size = this->lr_ / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  for (std::size_t j = 0; j < this->params_.size(); ++j) {
    Parameter<T>& p = *this->params_[j];
    const double wd = p.decay ? weight_decay_ : 0.0;
    AdamUpdate<T> f{p.value.data(),
                    p.grad.data(),
                    exp_avg_[j].value.data(),
                    exp_avg_sq_[j].value.data(),
                    static_cast<T>(decoupled_ ? 0.0 : wd),
                    static_cast<T>(decoupled_ ? 1.0 - this->lr_ * wd : 1.0),
                    static_cast<T>(1.0 - beta1_),
                    static_cast<T>(beta2_),
                    static_cast<T>(1.0 - beta2_),
                    static_cast<T>(step_size),
                    static_cast<T>(bias_correction2_sqrt),
                    static_cast<T>(eps_)};
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(p.value.size()), f);
  }
}

template <class T>
BufferList<T> Adam<T>::state() {
  BufferList<T> out;
  for (std::size_t j = 0; j < exp_avg_.size(); ++j) {
    out.push_back(&exp_avg_[j]);
    out.push_back(&exp_avg_sq_[j]);
  }
  return out;
}

template <class T>
std::string Adam<T>::describe() const {
  std::ostringstream s;
  s << (decoupled_ ? "AdamW" : "Adam") << "(lr=" << this->lr_ << ", betas=(" << beta1_ << ", "
    << beta2_ << "), eps=" << eps_ << ", weight_decay=" << weight_decay_ << ")";
  return s.str();
}

template class Adam<float>;
template class Adam<double>;

}  // namespace snn::learning
