// The optimizer base (checks, lr, step counter) and the factory from names.
#include <set>

#include "learning/optim/adam.h"
#include "learning/optim/optimizer.h"
#include "learning/optim/sgd.h"
#include "sim/core/errors.h"

namespace snn::learning {

template <class T>
Optimizer<T>::Optimizer(ParameterList<T> params, double lr) : params_(std::move(params)), lr_(0) {
  set_lr(lr);
  std::set<std::string> names;
  for (const Parameter<T>* p : params_) {
    require(p != nullptr, "optimizer: null parameter");
    require(!p->name.empty(), "optimizer: a parameter has no name");
    require(names.insert(p->name).second, "optimizer: parameter name '" + p->name + "' repeats");
    require(p->grad.size() == p->value.size(), "optimizer: parameter '" + p->name + "' has grad " +
                                                   shape_string(p->grad.shape()) + " for value " +
                                                   shape_string(p->value.shape()));
  }
}

template <class T>
void Optimizer<T>::zero_grad() {
  for (Parameter<T>* p : params_) p->zero_grad();
}

template <class T>
void Optimizer<T>::set_lr(double lr) {
  require(lr >= 0.0, "learning rate must be >= 0, got " + num(lr));
  lr_ = lr;
}

template <class T>
void Optimizer<T>::set_step_count(std::int64_t n) {
  require(n >= 0, "optimizer step count must be >= 0, got " + std::to_string(n));
  step_count_ = n;
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerOptions& o, ParameterList<T> params) {
  if (o.name == "sgd") {
    return std::make_unique<SGD<T>>(std::move(params), o.lr, o.momentum, o.weight_decay,
                                    o.dampening, o.nesterov);
  }
  if (o.name == "adam") {
    return std::make_unique<Adam<T>>(std::move(params), o.lr, o.beta1, o.beta2, o.eps,
                                     o.weight_decay);
  }
  if (o.name == "adamw") {
    return std::make_unique<AdamW<T>>(std::move(params), o.lr, o.beta1, o.beta2, o.eps,
                                      o.weight_decay);
  }
  throw InvalidParameter("unknown optimizer '" + o.name + "' (expected sgd, adam or adamw)");
}

template class Optimizer<float>;
template class Optimizer<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerOptions&,
                                                                 ParameterList<float>);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerOptions&,
                                                                   ParameterList<double>);

}  // namespace snn::learning
