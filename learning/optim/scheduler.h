// Learning-rate schedulers, per epoch, in PyTorch's closed forms. A scheduler knows nothing of the
// optimizer: the trainer applies its rate,
//     optimizer.set_lr(scheduler.lr());          // before the first epoch (epoch 0 → base_lr)
//     ... train one epoch ...
//     optimizer.set_lr(scheduler.step());        // after every epoch, as PyTorch's sched.step()
// last_epoch() (0 after construction, as PyTorch's after its constructor) is the scheduler's
// checkpoint state: restore it with set_last_epoch(saved) and then optimizer.set_lr(lr()).
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace snn::learning {

class Scheduler {
 public:
  /// Throws InvalidParameter for base_lr < 0.
  explicit Scheduler(double base_lr);
  virtual ~Scheduler() = default;

  /// The learning rate of epoch `epoch` (0-based), from the closed form.
  virtual double lr_at(int epoch) const = 0;
  /// e.g. "StepLR(base_lr=0.1, step_size=30, gamma=0.1)".
  virtual std::string describe() const = 0;

  /// Advances to the next epoch and returns its rate: lr_at(++last_epoch).
  double step() { return lr_at(++last_epoch_); }
  /// The current rate: lr_at(last_epoch()).
  double lr() const { return lr_at(last_epoch_); }
  double base_lr() const { return base_lr_; }
  int last_epoch() const { return last_epoch_; }
  /// Throws InvalidParameter for a negative epoch.
  void set_last_epoch(int epoch);

 protected:
  double base_lr_;
  int last_epoch_ = 0;
};

/// A constant rate (the app's "none").
class ConstantRate : public Scheduler {
 public:
  explicit ConstantRate(double base_lr) : Scheduler(base_lr) {}
  double lr_at(int) const override { return base_lr_; }
  std::string describe() const override;
};

/// base_lr · gamma^floor(epoch / step_size). Throws for step_size < 1 or gamma < 0.
class StepLR : public Scheduler {
 public:
  StepLR(double base_lr, int step_size, double gamma = 0.1);
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  int step_size_;
  double gamma_;
};

/// base_lr · gamma^epoch. Throws for gamma < 0.
class ExponentialLR : public Scheduler {
 public:
  ExponentialLR(double base_lr, double gamma);
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  double gamma_;
};

/// eta_min + (base_lr − eta_min)·(1 + cos(π·epoch / T_max)) / 2. Throws for T_max < 1 or
/// eta_min < 0.
class CosineAnnealingLR : public Scheduler {
 public:
  CosineAnnealingLR(double base_lr, int t_max, double eta_min = 0.0);
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  int t_max_;
  double eta_min_;
};

/// base_lr · f(epoch), as torch.optim.lr_scheduler.LambdaLR. Throws for an empty function.
class LambdaLR : public Scheduler {
 public:
  LambdaLR(double base_lr, std::function<double(int)> f);
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  std::function<double(int)> f_;
};

/// Settings of make_scheduler. Fields that do not apply to the chosen scheduler are ignored.
struct SchedulerOptions {
  std::string name = "none";  ///< "none", "step", "exp" or "cosine"
  double base_lr = 1e-3;
  int epochs = 1;        ///< cosine: T_max when t_max is 0
  int step_size = 30;    ///< step: epochs between decays
  double gamma = 0.1;    ///< step and exp: decay factor
  int t_max = 0;         ///< cosine: half period in epochs; 0 → epochs
  double eta_min = 0.0;  ///< cosine: the lowest rate
};

/// The scheduler named by options.name; "none" gives a ConstantRate (never null). Throws
/// InvalidParameter for an unknown name or invalid settings.
std::unique_ptr<Scheduler> make_scheduler(const SchedulerOptions& options);

}  // namespace snn::learning
