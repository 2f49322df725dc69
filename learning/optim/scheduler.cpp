// Learning-rate schedulers: PyTorch's closed forms, evaluated on the host once per epoch.
#include "learning/optim/scheduler.h"

#include <algorithm>
#include <cmath>

#include "learning/optim/lr_expression.h"
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

LambdaLR::LambdaLR(double base_lr, std::function<double(int)> f, std::string text)
    : Scheduler(base_lr), f_(std::move(f)), text_(std::move(text)) {
  require(static_cast<bool>(f_), "LambdaLR needs a function of the epoch");
}

double LambdaLR::lr_at(int epoch) const {
  const double factor = f_(epoch);
  require(std::isfinite(factor) && factor >= 0.0,
          "LambdaLR" + (text_.empty() ? std::string() : " \"" + text_ + "\"") + " gives " +
              num(factor) + " at epoch " + std::to_string(epoch) +
              " (expected a finite factor >= 0)");
  return base_lr_ * factor;
}

std::string LambdaLR::describe() const {
  return "LambdaLR(base_lr=" + num(base_lr_) +
         (text_.empty() ? std::string() : ", lr_lambda=\"" + text_ + "\"") + ")";
}

MultiStepLR::MultiStepLR(double base_lr, std::vector<int> milestones, double gamma)
    : Scheduler(base_lr), milestones_(std::move(milestones)), gamma_(gamma) {
  require(gamma >= 0.0, "MultiStepLR gamma must be >= 0, got " + num(gamma));
  require(!milestones_.empty(), "MultiStepLR needs at least one milestone (e.g. 30,80)");
  for (std::size_t i = 0; i < milestones_.size(); ++i)
    require(milestones_[i] >= 1 && (i == 0 || milestones_[i] > milestones_[i - 1]),
            "MultiStepLR milestones must be increasing epochs >= 1, got " +
                std::to_string(milestones_[i]) + " at position " + std::to_string(i + 1));
}

double MultiStepLR::lr_at(int epoch) const {
  // bisect_right: the number of milestones <= epoch, as PyTorch's closed form.
  const auto n =
      std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin();
  return base_lr_ * std::pow(gamma_, static_cast<double>(n));
}

std::string MultiStepLR::describe() const {
  std::string m;
  for (int e : milestones_) m += (m.empty() ? "" : ", ") + std::to_string(e);
  return "MultiStepLR(base_lr=" + num(base_lr_) + ", milestones=[" + m + "], gamma=" + num(gamma_) +
         ")";
}

LinearLR::LinearLR(double base_lr, double start_factor, double end_factor, int total_iters)
    : Scheduler(base_lr),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  require(start_factor > 0.0 && start_factor <= 1.0,
          "LinearLR start factor must be in (0, 1], got " + num(start_factor));
  require(end_factor >= 0.0 && end_factor <= 1.0,
          "LinearLR end factor must be in [0, 1], got " + num(end_factor));
  require(total_iters >= 1,
          "LinearLR total_iters must be >= 1, got " + std::to_string(total_iters));
}

double LinearLR::lr_at(int epoch) const {
  const double t = static_cast<double>(std::min(epoch, total_iters_)) / total_iters_;
  return base_lr_ * (start_factor_ + (end_factor_ - start_factor_) * t);
}

std::string LinearLR::describe() const {
  return "LinearLR(base_lr=" + num(base_lr_) + ", start_factor=" + num(start_factor_) +
         ", end_factor=" + num(end_factor_) + ", total_iters=" + std::to_string(total_iters_) + ")";
}

ReduceLROnPlateau::ReduceLROnPlateau(double base_lr, double factor, int patience, double threshold,
                                     const std::string& threshold_mode, int cooldown, double min_lr,
                                     double eps)
    : Scheduler(base_lr),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      relative_(threshold_mode == "rel"),
      cooldown_(cooldown),
      min_lr_(min_lr),
      eps_(eps),
      lr_(base_lr) {
  require(factor >= 0.0 && factor < 1.0,
          "ReduceLROnPlateau factor must be in [0, 1), got " + num(factor));
  require(patience >= 0,
          "ReduceLROnPlateau patience must be >= 0, got " + std::to_string(patience));
  require(threshold >= 0.0, "ReduceLROnPlateau threshold must be >= 0, got " + num(threshold));
  require(threshold_mode == "rel" || threshold_mode == "abs",
          "ReduceLROnPlateau threshold mode must be rel or abs, got '" + threshold_mode + "'");
  require(cooldown >= 0,
          "ReduceLROnPlateau cooldown must be >= 0, got " + std::to_string(cooldown));
  require(min_lr >= 0.0, "ReduceLROnPlateau min_lr must be >= 0, got " + num(min_lr));
  require(eps >= 0.0, "ReduceLROnPlateau eps must be >= 0, got " + num(eps));
}

void ReduceLROnPlateau::on_step(double metric) {
  require(!std::isnan(metric),
          "ReduceLROnPlateau needs the epoch's metric (the test loss), got NaN");
  const bool better = relative_ ? metric < best_ * (1.0 - threshold_) : metric < best_ - threshold_;
  if (better) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > patience_) {
    const double reduced = std::max(lr_ * factor_, min_lr_);
    if (lr_ - reduced > eps_) lr_ = reduced;
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
}

std::string ReduceLROnPlateau::describe() const {
  return "ReduceLROnPlateau(base_lr=" + num(base_lr_) + ", mode=min, factor=" + num(factor_) +
         ", patience=" + std::to_string(patience_) + ", threshold=" + num(threshold_) +
         ", threshold_mode=" + (relative_ ? "rel" : "abs") +
         ", cooldown=" + std::to_string(cooldown_) + ", min_lr=" + num(min_lr_) +
         ", eps=" + num(eps_) + ")";
}

std::vector<std::pair<std::string, double>> ReduceLROnPlateau::state() const {
  return {{"plateau.best", best_},
          {"plateau.num_bad_epochs", num_bad_epochs_},
          {"plateau.cooldown_counter", cooldown_counter_},
          {"plateau.lr", lr_}};
}

namespace {
double value_of(const std::map<std::string, double>& values, const std::string& name) {
  auto it = values.find(name);
  require(it != values.end(), "scheduler state '" + name + "' is missing");
  return it->second;
}
}  // namespace

void ReduceLROnPlateau::set_state(const std::map<std::string, double>& values) {
  const double best = value_of(values, "plateau.best");
  const double bad = value_of(values, "plateau.num_bad_epochs");
  const double cool = value_of(values, "plateau.cooldown_counter");
  const double lr = value_of(values, "plateau.lr");
  require(!std::isnan(best) && bad >= 0 && cool >= 0 && lr >= 0 && std::isfinite(lr),
          "scheduler state of ReduceLROnPlateau is invalid (best " + num(best) + ", bad epochs " +
              num(bad) + ", cooldown " + num(cool) + ", lr " + num(lr) + ")");
  best_ = best;
  num_bad_epochs_ = static_cast<int>(bad);
  cooldown_counter_ = static_cast<int>(cool);
  lr_ = lr;
}

SequentialLR::SequentialLR(std::unique_ptr<Scheduler> first, std::unique_ptr<Scheduler> then,
                           int milestone)
    : Scheduler(first ? first->base_lr() : 0.0),
      first_(std::move(first)),
      then_(std::move(then)),
      milestone_(milestone) {
  require(first_ && then_, "SequentialLR needs two schedulers");
  require(milestone >= 1, "SequentialLR milestone must be >= 1, got " + std::to_string(milestone));
}

double SequentialLR::lr_at(int epoch) const {
  return epoch < milestone_ ? first_->lr_at(epoch) : then_->lr_at(epoch - milestone_);
}

double SequentialLR::lr() const {
  return last_epoch_ < milestone_ ? first_->lr_at(last_epoch_) : then_->lr();
}

void SequentialLR::on_step(double metric) {
  // Epoch last_epoch_ − 1 finished; `then` has run since the milestone, so it sees the metrics
  // of its own epochs only and starts at its epoch 0 on the milestone.
  if (last_epoch_ > milestone_) then_->step(metric);
}

std::string SequentialLR::describe() const {
  return "SequentialLR(" + first_->describe() + " for " + std::to_string(milestone_) +
         " epochs, then " + then_->describe() + ")";
}

std::vector<std::pair<std::string, double>> SequentialLR::state() const {
  std::vector<std::pair<std::string, double>> out = {{"then.last_epoch", then_->last_epoch()}};
  for (const auto& [name, value] : then_->state()) out.emplace_back("then." + name, value);
  return out;
}

void SequentialLR::set_state(const std::map<std::string, double>& values) {
  const double e = value_of(values, "then.last_epoch");
  require(e >= 0 && e == std::floor(e), "scheduler state 'then.last_epoch' is invalid: " + num(e));
  std::map<std::string, double> inner;
  for (const auto& [name, value] : values)
    if (name.rfind("then.", 0) == 0 && name != "then.last_epoch") inner[name.substr(5)] = value;
  then_->set_state(inner);
  then_->set_last_epoch(static_cast<int>(e));
}

namespace {
std::unique_ptr<Scheduler> make_main_scheduler(const SchedulerOptions& o) {
  if (o.name == "none") return std::make_unique<ConstantRate>(o.base_lr);
  if (o.name == "step") return std::make_unique<StepLR>(o.base_lr, o.step_size, o.gamma);
  if (o.name == "exp") return std::make_unique<ExponentialLR>(o.base_lr, o.gamma);
  if (o.name == "cosine") {
    const int t_max = o.t_max > 0 ? o.t_max : o.epochs - std::max(o.warmup, 0);
    require(t_max >= 1, "cosine schedule needs epochs - warmup >= 1 (or t_max >= 1), got epochs " +
                            std::to_string(o.epochs) + ", warmup " + std::to_string(o.warmup) +
                            ", t_max " + std::to_string(o.t_max));
    return std::make_unique<CosineAnnealingLR>(o.base_lr, t_max, o.eta_min);
  }
  if (o.name == "multistep") return std::make_unique<MultiStepLR>(o.base_lr, o.milestones, o.gamma);
  if (o.name == "linear")
    return std::make_unique<LinearLR>(o.base_lr, o.start_factor, o.end_factor, o.total_iters);
  if (o.name == "lambda")
    return std::make_unique<LambdaLR>(o.base_lr, parse_lr_expression(o.lr_lambda), o.lr_lambda);
  if (o.name == "plateau")
    return std::make_unique<ReduceLROnPlateau>(o.base_lr, o.factor, o.patience, o.threshold,
                                               o.threshold_mode, o.cooldown, o.min_lr);
  throw InvalidParameter("unknown scheduler '" + o.name +
                         "' (expected none, step, exp, cosine, multistep, linear, lambda or "
                         "plateau)");
}
}  // namespace

std::unique_ptr<Scheduler> make_scheduler(const SchedulerOptions& o) {
  require(o.warmup >= 0, "warm-up epochs must be >= 0, got " + std::to_string(o.warmup));
  std::unique_ptr<Scheduler> main = make_main_scheduler(o);
  if (o.warmup == 0) return main;
  auto warm = std::make_unique<LinearLR>(o.base_lr, o.warmup_start_factor, 1.0, o.warmup);
  return std::make_unique<SequentialLR>(std::move(warm), std::move(main), o.warmup);
}

}  // namespace snn::learning
