// Adadelta: one Thrust pass per parameter, over (p, grad, square_avg, acc_delta).
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>
#include <sstream>

#include "learning/optim/adadelta.h"
#include "learning/optim/sqrt_of.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

/// One element of torch.optim.Adadelta's single-tensor update (maximize = false), in its order of
/// operations: std = sqrt(square_avg + eps); delta = sqrt(acc_delta + eps) / std · g.
template <class T>
struct AdadeltaUpdate {
  T* p;
  const T* grad;
  T* square_avg;
  T* acc_delta;
  T lr, rho, one_minus_rho, eps, weight_decay;

  SNN_HD void operator()(std::int64_t i) const {
    T g = grad[i];
    if (weight_decay != T(0)) g = g + weight_decay * p[i];
    const T sa = square_avg[i] * rho + one_minus_rho * (g * g);
    square_avg[i] = sa;
    const T std_ = sqrt_of(sa + eps);
    const T delta = sqrt_of(acc_delta[i] + eps) / std_ * g;
    acc_delta[i] = acc_delta[i] * rho + one_minus_rho * (delta * delta);
    p[i] = p[i] - lr * delta;
  }
};

}  // namespace

template <class T>
Adadelta<T>::Adadelta(ParameterList<T> params, double lr, double rho, double eps,
                      double weight_decay)
    : Optimizer<T>(std::move(params), lr), rho_(rho), eps_(eps), weight_decay_(weight_decay) {
  require(rho >= 0.0 && rho <= 1.0, "Adadelta rho must be in [0, 1], got " + num(rho));
  require(eps >= 0.0, "Adadelta eps must be >= 0, got " + num(eps));
  require(weight_decay >= 0.0, "Adadelta weight decay must be >= 0, got " + num(weight_decay));
  square_avg_.reserve(this->params_.size());
  acc_delta_.reserve(this->params_.size());
  for (const Parameter<T>* p : this->params_) {
    square_avg_.emplace_back("adadelta.square_avg." + p->name, p->value.shape());
    acc_delta_.emplace_back("adadelta.acc_delta." + p->name, p->value.shape());
  }
}

template <class T>
void Adadelta<T>::step() {
  ++this->step_count_;
  for (std::size_t j = 0; j < this->params_.size(); ++j) {
    Parameter<T>& p = *this->params_[j];
    AdadeltaUpdate<T> f{p.value.data(),
                        p.grad.data(),
                        square_avg_[j].value.data(),
                        acc_delta_[j].value.data(),
                        static_cast<T>(this->lr_),
                        static_cast<T>(rho_),
                        static_cast<T>(1.0 - rho_),
                        static_cast<T>(eps_),
                        static_cast<T>(p.decay ? weight_decay_ : 0.0)};
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(p.value.size()), f);
  }
}

template <class T>
BufferList<T> Adadelta<T>::state() {
  BufferList<T> out;
  for (std::size_t j = 0; j < square_avg_.size(); ++j) {
    out.push_back(&square_avg_[j]);
    out.push_back(&acc_delta_[j]);
  }
  return out;
}

template <class T>
std::string Adadelta<T>::describe() const {
  std::ostringstream s;
  s << "Adadelta(lr=" << this->lr_ << ", rho=" << rho_ << ", eps=" << eps_
    << ", weight_decay=" << weight_decay_ << ")";
  return s.str();
}

template class Adadelta<float>;
template class Adadelta<double>;

}  // namespace snn::learning
