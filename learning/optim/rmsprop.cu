// RMSprop: one Thrust pass per parameter, over (p, grad, square_avg[, momentum_buffer, grad_avg]).
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>
#include <sstream>

#include "learning/optim/rmsprop.h"
#include "learning/optim/sqrt_of.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

/// One element of torch.optim.RMSprop's single-tensor update (maximize = false).
template <class T>
struct RmspropUpdate {
  T* p;
  const T* grad;
  T* square_avg;
  T* buf;       // null without momentum
  T* grad_avg;  // null unless centered
  T lr, alpha, one_minus_alpha, eps, weight_decay, momentum;

  SNN_HD void operator()(std::int64_t i) const {
    T g = grad[i];
    if (weight_decay != T(0)) g = g + weight_decay * p[i];
    const T sa = square_avg[i] * alpha + one_minus_alpha * (g * g);
    square_avg[i] = sa;
    T avg;
    if (grad_avg) {
      // torch.lerp(ga, g, w): ga + w·(g − ga) for w < 0.5, g − (g − ga)·(1 − w) otherwise.
      const T ga = grad_avg[i];
      const T w = one_minus_alpha;
      const T ga_new = w < T(0.5) ? ga + w * (g - ga) : g - (g - ga) * (T(1) - w);
      grad_avg[i] = ga_new;
      avg = sqrt_of(sa - ga_new * ga_new) + eps;
    } else {
      avg = sqrt_of(sa) + eps;
    }
    if (buf) {
      const T b = buf[i] * momentum + g / avg;
      buf[i] = b;
      p[i] = p[i] - lr * b;
    } else {
      p[i] = p[i] - lr * (g / avg);
    }
  }
};

}  // namespace

template <class T>
RMSprop<T>::RMSprop(ParameterList<T> params, double lr, double alpha, double eps,
                    double weight_decay, double momentum, bool centered)
    : Optimizer<T>(std::move(params), lr),
      alpha_(alpha),
      eps_(eps),
      weight_decay_(weight_decay),
      momentum_(momentum),
      centered_(centered) {
  require(alpha >= 0.0 && alpha <= 1.0, "RMSprop alpha must be in [0, 1], got " + num(alpha));
  require(eps >= 0.0, "RMSprop eps must be >= 0, got " + num(eps));
  require(weight_decay >= 0.0, "RMSprop weight decay must be >= 0, got " + num(weight_decay));
  require(momentum >= 0.0, "RMSprop momentum must be >= 0, got " + num(momentum));
  const std::size_t n = this->params_.size();
  square_avg_.reserve(n);
  momentum_buffer_.reserve(n);
  grad_avg_.reserve(n);
  for (const Parameter<T>* p : this->params_) {
    square_avg_.emplace_back("rmsprop.square_avg." + p->name, p->value.shape());
    if (momentum_ > 0.0)
      momentum_buffer_.emplace_back("rmsprop.momentum_buffer." + p->name, p->value.shape());
    if (centered_) grad_avg_.emplace_back("rmsprop.grad_avg." + p->name, p->value.shape());
  }
}

template <class T>
void RMSprop<T>::step() {
  ++this->step_count_;
  for (std::size_t j = 0; j < this->params_.size(); ++j) {
    Parameter<T>& p = *this->params_[j];
    RmspropUpdate<T> f{p.value.data(),
                       p.grad.data(),
                       square_avg_[j].value.data(),
                       momentum_ > 0.0 ? momentum_buffer_[j].value.data() : nullptr,
                       centered_ ? grad_avg_[j].value.data() : nullptr,
                       static_cast<T>(this->lr_),
                       static_cast<T>(alpha_),
                       static_cast<T>(1.0 - alpha_),
                       static_cast<T>(eps_),
                       static_cast<T>(p.decay ? weight_decay_ : 0.0),
                       static_cast<T>(momentum_)};
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(p.value.size()), f);
  }
}

template <class T>
BufferList<T> RMSprop<T>::state() {
  BufferList<T> out;
  for (std::size_t j = 0; j < square_avg_.size(); ++j) {
    out.push_back(&square_avg_[j]);
    if (!momentum_buffer_.empty()) out.push_back(&momentum_buffer_[j]);
    if (!grad_avg_.empty()) out.push_back(&grad_avg_[j]);
  }
  return out;
}

template <class T>
std::string RMSprop<T>::describe() const {
  std::ostringstream s;
  s << "RMSprop(lr=" << this->lr_ << ", alpha=" << alpha_ << ", eps=" << eps_
    << ", weight_decay=" << weight_decay_ << ", momentum=" << momentum_
    << ", centered=" << (centered_ ? "true" : "false") << ")";
  return s.str();
}

template class RMSprop<float>;
template class RMSprop<double>;

}  // namespace snn::learning
