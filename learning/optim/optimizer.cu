// The optimizer base (checks, lr, step counter) and the factory from names.
#include <set>

#include "learning/optim/adadelta.h"
#include "learning/optim/adagrad.h"
#include "learning/optim/adam.h"
#include "learning/optim/optimizer.h"
#include "learning/optim/rmsprop.h"
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

double default_lr(const std::string& name) {
  if (name == "sgd" || name == "adam" || name == "adamw") return 1e-3;
  if (name == "adagrad" || name == "rmsprop") return 1e-2;
  if (name == "adadelta") return 1.0;
  throw InvalidParameter("unknown optimizer '" + name +
                         "' (expected sgd, adam, adamw, adagrad, adadelta or rmsprop)");
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerOptions& o, ParameterList<T> params) {
  auto eps_or = [&](double pytorch_default) { return o.eps < 0 ? pytorch_default : o.eps; };
  if (o.name == "sgd") {
    return std::make_unique<SGD<T>>(std::move(params), o.lr, o.momentum, o.weight_decay,
                                    o.dampening, o.nesterov);
  }
  if (o.name == "adam") {
    return std::make_unique<Adam<T>>(std::move(params), o.lr, o.beta1, o.beta2, eps_or(1e-8),
                                     o.weight_decay);
  }
  if (o.name == "adamw") {
    return std::make_unique<AdamW<T>>(std::move(params), o.lr, o.beta1, o.beta2, eps_or(1e-8),
                                      o.weight_decay);
  }
  if (o.name == "adagrad") {
    return std::make_unique<Adagrad<T>>(std::move(params), o.lr, o.lr_decay, o.weight_decay,
                                        o.initial_accumulator_value, eps_or(1e-10));
  }
  if (o.name == "adadelta") {
    return std::make_unique<Adadelta<T>>(std::move(params), o.lr, o.rho, eps_or(1e-6),
                                         o.weight_decay);
  }
  if (o.name == "rmsprop") {
    return std::make_unique<RMSprop<T>>(std::move(params), o.lr, o.alpha, eps_or(1e-8),
                                        o.weight_decay, o.momentum, o.centered);
  }
  default_lr(o.name);  // throws: the one message listing every name
  return nullptr;
}

template class Optimizer<float>;
template class Optimizer<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerOptions&,
                                                                 ParameterList<float>);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerOptions&,
                                                                   ParameterList<double>);

}  // namespace snn::learning
