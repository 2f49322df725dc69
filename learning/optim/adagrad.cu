// Adagrad: one Thrust pass per parameter, over (p, grad, sum).
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>
#include <sstream>

#include "learning/optim/adagrad.h"
#include "learning/optim/sqrt_of.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

/// One element of torch.optim.Adagrad's single-tensor update (maximize = false).
template <class T>
struct AdagradUpdate {
  T* p;
  const T* grad;
  T* sum;
  T clr, weight_decay, eps;

  SNN_HD void operator()(std::int64_t i) const {
    T g = grad[i];
    if (weight_decay != T(0)) g = g + weight_decay * p[i];
    const T s = sum[i] + g * g;  // addcmul_(g, g, value = 1)
    sum[i] = s;
    p[i] = p[i] - clr * (g / (sqrt_of(s) + eps));
  }
};

}  // namespace

template <class T>
Adagrad<T>::Adagrad(ParameterList<T> params, double lr, double lr_decay, double weight_decay,
                    double initial_accumulator_value, double eps)
    : Optimizer<T>(std::move(params), lr),
      lr_decay_(lr_decay),
      weight_decay_(weight_decay),
      initial_accumulator_value_(initial_accumulator_value),
      eps_(eps) {
  require(lr_decay >= 0.0, "Adagrad lr_decay must be >= 0, got " + num(lr_decay));
  require(weight_decay >= 0.0, "Adagrad weight decay must be >= 0, got " + num(weight_decay));
  require(initial_accumulator_value >= 0.0,
          "Adagrad initial_accumulator_value must be >= 0, got " + num(initial_accumulator_value));
  require(eps >= 0.0, "Adagrad eps must be >= 0, got " + num(eps));
  sum_.reserve(this->params_.size());
  for (const Parameter<T>* p : this->params_)
    sum_.emplace_back("adagrad.sum." + p->name, p->value.shape(),
                      static_cast<T>(initial_accumulator_value));
}

template <class T>
void Adagrad<T>::step() {
  const std::int64_t k = ++this->step_count_;
  const double clr = this->lr_ / (1.0 + static_cast<double>(k - 1) * lr_decay_);
  for (std::size_t j = 0; j < this->params_.size(); ++j) {
    Parameter<T>& p = *this->params_[j];
    AdagradUpdate<T> f{p.value.data(),
                       p.grad.data(),
                       sum_[j].value.data(),
                       static_cast<T>(clr),
                       static_cast<T>(p.decay ? weight_decay_ : 0.0),
                       static_cast<T>(eps_)};
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(p.value.size()), f);
  }
}

template <class T>
BufferList<T> Adagrad<T>::state() {
  BufferList<T> out;
  for (Buffer<T>& b : sum_) out.push_back(&b);
  return out;
}

template <class T>
std::string Adagrad<T>::describe() const {
  std::ostringstream s;
  s << "Adagrad(lr=" << this->lr_ << ", lr_decay=" << lr_decay_
    << ", weight_decay=" << weight_decay_
    << ", initial_accumulator_value=" << initial_accumulator_value_ << ", eps=" << eps_ << ")";
  return s.str();
}

template class Adagrad<float>;
template class Adagrad<double>;

}  // namespace snn::learning
