// The interface of the optimizers (SGD, Adam, AdamW, Adagrad, Adadelta, RMSprop) and a factory from names for the apps.
// An optimizer updates the values of the parameters it was given from their grads; it does not
// zero the grads (call zero_grad() before the next backward). Update rules follow PyTorch's
// torch.optim exactly (same formulas, same order of operations).
//
// Checkpoints: state() lists the optimizer's per-parameter tensors by name
// ("sgd.momentum.<param>", "adam.exp_avg.<param>", "adam.exp_avg_sq.<param>", "adamw.…"), each
// already shaped like its parameter; restoring = copying saved values into those buffers and
// calling set_step_count(saved). The learning rate is restored by the scheduler (or set_lr).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "learning/core/parameter.h"

namespace snn::learning {

template <class T>
class Optimizer {
 public:
  /// Throws InvalidParameter for lr < 0, a null parameter, an empty or repeated parameter name,
  /// or a grad whose size differs from its value's.
  Optimizer(ParameterList<T> params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// One update of every parameter from its grad; increments step_count().
  virtual void step() = 0;
  /// Zeroes every parameter's grad.
  void zero_grad();

  double lr() const { return lr_; }
  /// Throws InvalidParameter for lr < 0.
  void set_lr(double lr);

  /// Named state tensors for checkpoints, shaped like their parameters (empty for plain SGD).
  /// The pointers stay valid for the optimizer's lifetime.
  virtual BufferList<T> state() { return {}; }
  /// Number of step() calls so far (Adam's bias correction; SGD's first-step momentum copy).
  std::int64_t step_count() const { return step_count_; }
  /// Throws InvalidParameter for a negative count.
  void set_step_count(std::int64_t n);

  /// "sgd", "adam", "adamw", "adagrad", "adadelta" or "rmsprop".
  virtual std::string name() const = 0;
  /// The settings, e.g. "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)".
  virtual std::string describe() const = 0;

  const ParameterList<T>& parameters() const { return params_; }

 protected:
  ParameterList<T> params_;
  double lr_;
  std::int64_t step_count_ = 0;
};

/// Settings of make_optimizer. Fields that do not apply to the chosen optimizer are ignored.
struct OptimizerOptions {
  std::string name = "adam";  ///< "sgd", "adam", "adamw", "adagrad", "adadelta" or "rmsprop"
  double lr = 1e-3;
  double weight_decay = 0.0;  ///< L2 added to the grad; decoupled for adamw
  // SGD, RMSprop
  double momentum = 0.0;
  // SGD
  double dampening = 0.0;
  bool nesterov = false;
  // Adam / AdamW
  double beta1 = 0.9;
  double beta2 = 0.999;
  /// Added to the denominator; < 0 → the optimizer's PyTorch default (Adam/AdamW/RMSprop 1e-8,
  /// Adagrad 1e-10, Adadelta 1e-6).
  double eps = -1.0;
  // Adagrad
  double lr_decay = 0.0;
  double initial_accumulator_value = 0.0;
  // Adadelta
  double rho = 0.9;
  // RMSprop
  double alpha = 0.99;  ///< smoothing constant of the squared-gradient average
  bool centered = false;
};

/// PyTorch's default learning rate of optimizer `name` (sgd and adam/adamw: 1e-3, SpikingJelly's
/// scripts' value, as torch.optim.Adam's; adagrad and rmsprop 1e-2; adadelta 1.0). Throws
/// InvalidParameter for an unknown name.
double default_lr(const std::string& name);

/// The optimizer named by options.name over `params`. Throws InvalidParameter for an unknown
/// name or invalid settings (negative lr, momentum, weight decay or eps; betas outside [0, 1);
/// nesterov without momentum or with dampening).
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerOptions& options,
                                             ParameterList<T> params);

}  // namespace snn::learning
