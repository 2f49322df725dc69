// SGD: one Thrust pass per parameter, over (p, grad, momentum buffer).
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>
#include <sstream>

#include "learning/optim/sgd.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

/// One element of torch.optim.SGD's update (maximize = false).
template <class T>
struct SgdUpdate {
  T* p;
  const T* grad;
  T* buf;  // null without momentum
  T lr, weight_decay, momentum, dampening;
  bool first_step, nesterov;

  SNN_HD void operator()(std::int64_t i) const {
    T g = grad[i];
    if (weight_decay != T(0)) g = g + weight_decay * p[i];
    if (buf) {
      T b;
      if (first_step) {
        b = g;
      } else {
        b = momentum * buf[i] + (T(1) - dampening) * g;
      }
      buf[i] = b;
      g = nesterov ? g + momentum * b : b;
    }
    p[i] = p[i] - lr * g;
  }
};

}  // namespace

template <class T>
SGD<T>::SGD(ParameterList<T> params, double lr, double momentum, double weight_decay,
            double dampening, bool nesterov)
    : Optimizer<T>(std::move(params), lr),
      momentum_(momentum),
      weight_decay_(weight_decay),
      dampening_(dampening),
      nesterov_(nesterov) {
  require(momentum >= 0.0, "SGD momentum must be >= 0, got " + std::to_string(momentum));
  require(weight_decay >= 0.0,
          "SGD weight decay must be >= 0, got " + std::to_string(weight_decay));
  require(dampening >= 0.0, "SGD dampening must be >= 0, got " + std::to_string(dampening));
  require(!nesterov || (momentum > 0.0 && dampening == 0.0),
          "SGD nesterov momentum requires a momentum > 0 and zero dampening");
  if (momentum_ != 0.0) {
    momentum_buffers_.reserve(this->params_.size());
    for (const Parameter<T>* p : this->params_) {
      momentum_buffers_.emplace_back("sgd.momentum." + p->name, p->value.shape());
    }
  }
}

template <class T>
void SGD<T>::step() {
  const bool first = this->step_count_ == 0;
  for (std::size_t k = 0; k < this->params_.size(); ++k) {
    Parameter<T>& p = *this->params_[k];
    SgdUpdate<T> f{p.value.data(),
                   p.grad.data(),
                   momentum_ != 0.0 ? momentum_buffers_[k].value.data() : nullptr,
                   static_cast<T>(this->lr_),
                   static_cast<T>(p.decay ? weight_decay_ : 0.0),
                   static_cast<T>(momentum_),
                   static_cast<T>(dampening_),
                   first,
                   nesterov_};
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(p.value.size()), f);
  }
  ++this->step_count_;
}

template <class T>
BufferList<T> SGD<T>::state() {
  BufferList<T> out;
  for (Buffer<T>& b : momentum_buffers_) out.push_back(&b);
  return out;
}

template <class T>
std::string SGD<T>::describe() const {
  std::ostringstream s;
  s << "SGD(lr=" << this->lr_ << ", momentum=" << momentum_ << ", dampening=" << dampening_
    << ", weight_decay=" << weight_decay_ << ", nesterov=" << (nesterov_ ? "true" : "false") << ")";
  return s.str();
}

template class SGD<float>;
template class SGD<double>;

}  // namespace snn::learning
