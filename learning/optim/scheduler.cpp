// Learning-rate schedulers: PyTorch's closed forms, evaluated on the host once per epoch.
#include "learning/optim/scheduler.h"

#include <cmath>

#include "sim/core/errors.h"

namespace snn::learning {

Scheduler::Scheduler(double base_lr) : base_lr_(base_lr) {
  require(base_lr >= 0.0, "scheduler base learning rate must be >= 0, got " + num(base_lr));
}

void Scheduler::set_last_epoch(int epoch) {
  require(epoch >= 0, "scheduler epoch must be >= 0, got " + std::to_string(epoch));
  last_epoch_ = epoch;
}

std::string ConstantRate::describe() const {
  return "ConstantRate(lr=" + num(base_lr_) + ")";
}

StepLR::StepLR(double base_lr, int step_size, double gamma)
    : Scheduler(base_lr), step_size_(step_size), gamma_(gamma) {
  require(step_size >= 1, "StepLR step size must be >= 1 epoch, got " + std::to_string(step_size));
  require(gamma >= 0.0, "StepLR gamma must be >= 0, got " + num(gamma));
}

double StepLR::lr_at(int epoch) const {
  return base_lr_ * std::pow(gamma_, epoch / step_size_);
}

std::string StepLR::describe() const {
  return "StepLR(base_lr=" + num(base_lr_) + ", step_size=" + std::to_string(step_size_) +
         ", gamma=" + num(gamma_) + ")";
}

ExponentialLR::ExponentialLR(double base_lr, double gamma) : Scheduler(base_lr), gamma_(gamma) {
  require(gamma >= 0.0, "ExponentialLR gamma must be >= 0, got " + num(gamma));
}

double ExponentialLR::lr_at(int epoch) const {
  return base_lr_ * std::pow(gamma_, epoch);
}

std::string ExponentialLR::describe() const {
  return "ExponentialLR(base_lr=" + num(base_lr_) + ", gamma=" + num(gamma_) + ")";
}

CosineAnnealingLR::CosineAnnealingLR(double base_lr, int t_max, double eta_min)
    : Scheduler(base_lr), t_max_(t_max), eta_min_(eta_min) {
  require(t_max >= 1, "CosineAnnealingLR T_max must be >= 1 epoch, got " + std::to_string(t_max));
  require(eta_min >= 0.0, "CosineAnnealingLR eta_min must be >= 0, got " + num(eta_min));
}

double CosineAnnealingLR::lr_at(int epoch) const {
  const double pi = 3.14159265358979323846;
  return eta_min_ + (base_lr_ - eta_min_) * (1.0 + std::cos(pi * epoch / t_max_)) / 2.0;
}

std::string CosineAnnealingLR::describe() const {
  return "CosineAnnealingLR(base_lr=" + num(base_lr_) + ", T_max=" + std::to_string(t_max_) +
         ", eta_min=" + num(eta_min_) + ")";
}

LambdaLR::LambdaLR(double base_lr, std::function<double(int)> f)
    : Scheduler(base_lr), f_(std::move(f)) {
  require(static_cast<bool>(f_), "LambdaLR needs a function of the epoch");
}

double LambdaLR::lr_at(int epoch) const {
  return base_lr_ * f_(epoch);
}

std::string LambdaLR::describe() const {
  return "LambdaLR(base_lr=" + num(base_lr_) + ")";
}

std::unique_ptr<Scheduler> make_scheduler(const SchedulerOptions& o) {
  if (o.name == "none") return std::make_unique<ConstantRate>(o.base_lr);
  if (o.name == "step") return std::make_unique<StepLR>(o.base_lr, o.step_size, o.gamma);
  if (o.name == "exp") return std::make_unique<ExponentialLR>(o.base_lr, o.gamma);
  if (o.name == "cosine") {
    const int t_max = o.t_max > 0 ? o.t_max : o.epochs;
    require(t_max >= 1, "cosine schedule needs epochs >= 1 (or t_max >= 1), got epochs " +
                            std::to_string(o.epochs) + ", t_max " + std::to_string(o.t_max));
    return std::make_unique<CosineAnnealingLR>(o.base_lr, t_max, o.eta_min);
  }
  throw InvalidParameter("unknown scheduler '" + o.name + "' (expected none, step, exp or cosine)");
}

}  // namespace snn::learning
