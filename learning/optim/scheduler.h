// Learning-rate schedulers, per epoch, in PyTorch's closed forms. A scheduler knows nothing of the
// optimizer: the trainer applies its rate,
//     optimizer.set_lr(scheduler.lr());          // before the first epoch (epoch 0 → base_lr)
//     ... train one epoch, evaluate ...
//     optimizer.set_lr(scheduler.step(test_loss));  // after every epoch, as PyTorch's sched.step()
// (the metric matters to ReduceLROnPlateau only). last_epoch() (0 after construction, as PyTorch's
// after its constructor) and state() (the named values of a stateful scheduler) are the
// scheduler's checkpoint state: restore with set_last_epoch(saved), set_state(saved values) and
// then optimizer.set_lr(lr()).
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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

  /// Advances to the next epoch and returns its rate. `metric` is the finished epoch's value
  /// (the trainer passes the test loss); closed-form schedulers ignore it.
  double step(double metric = std::numeric_limits<double>::quiet_NaN()) {
    ++last_epoch_;
    on_step(metric);
    return lr();
  }
  /// The current rate: lr_at(last_epoch()) for the closed forms.
  virtual double lr() const { return lr_at(last_epoch_); }
  double base_lr() const { return base_lr_; }
  int last_epoch() const { return last_epoch_; }
  /// Throws InvalidParameter for a negative epoch.
  void set_last_epoch(int epoch);

  /// Named values beyond last_epoch() that a checkpoint must hold (empty for closed forms).
  virtual std::vector<std::pair<std::string, double>> state() const { return {}; }
  /// Restores state(); throws InvalidParameter for a missing or invalid value.
  virtual void set_state(const std::map<std::string, double>& values) { (void)values; }

 protected:
  /// Called by step() after the epoch counter advanced.
  virtual void on_step(double metric) { (void)metric; }
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

/// base_lr · f(epoch), as torch.optim.lr_scheduler.LambdaLR. Throws for an empty function;
/// lr_at throws InvalidParameter when f gives a negative or non-finite factor.
class LambdaLR : public Scheduler {
 public:
  LambdaLR(double base_lr, std::function<double(int)> f, std::string text = "");
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  std::function<double(int)> f_;
  std::string text_;  // the expression, for describe()
};

/// base_lr · gamma^(number of milestones <= epoch), as torch.optim.lr_scheduler.MultiStepLR.
/// Throws for gamma < 0 or milestones that are not increasing and >= 1.
class MultiStepLR : public Scheduler {
 public:
  MultiStepLR(double base_lr, std::vector<int> milestones, double gamma = 0.1);
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  std::vector<int> milestones_;
  double gamma_;
};

/// base_lr · (start + (end − start) · min(epoch, total_iters) / total_iters), as
/// torch.optim.lr_scheduler.LinearLR (defaults start 1/3, end 1, total_iters 5). Throws for
/// start_factor outside (0, 1], end_factor outside [0, 1] or total_iters < 1.
class LinearLR : public Scheduler {
 public:
  LinearLR(double base_lr, double start_factor = 1.0 / 3, double end_factor = 1.0,
           int total_iters = 5);
  double lr_at(int epoch) const override;
  std::string describe() const override;

 private:
  double start_factor_, end_factor_;
  int total_iters_;
};

/// torch.optim.lr_scheduler.ReduceLROnPlateau in mode "min" (the test loss): an epoch is better
/// when metric < best·(1 − threshold) ("rel") or metric < best − threshold ("abs"); after more
/// than `patience` epochs without improvement the rate becomes max(lr·factor, min_lr) (unless the
/// change is <= eps), then `cooldown` epochs count no bad epochs. Defaults as PyTorch's: factor
/// 0.1, patience 10, threshold 1e-4 rel, cooldown 0, min_lr 0, eps 1e-8. lr_at() ignores its
/// argument and gives the current rate (it depends on the metrics seen). State: "plateau.best",
/// "plateau.num_bad_epochs", "plateau.cooldown_counter", "plateau.lr". step() throws
/// InvalidParameter for a NaN metric (none given).
class ReduceLROnPlateau : public Scheduler {
 public:
  ReduceLROnPlateau(double base_lr, double factor = 0.1, int patience = 10, double threshold = 1e-4,
                    const std::string& threshold_mode = "rel", int cooldown = 0,
                    double min_lr = 0.0, double eps = 1e-8);
  double lr_at(int) const override { return lr_; }
  double lr() const override { return lr_; }
  std::string describe() const override;
  std::vector<std::pair<std::string, double>> state() const override;
  void set_state(const std::map<std::string, double>& values) override;

 protected:
  void on_step(double metric) override;

 private:
  double factor_;
  int patience_;
  double threshold_;
  bool relative_;
  int cooldown_;
  double min_lr_, eps_;
  double best_ = std::numeric_limits<double>::infinity();
  int num_bad_epochs_ = 0, cooldown_counter_ = 0;
  double lr_;
};

/// A warm-up then another schedule, as torch.optim.lr_scheduler.SequentialLR with one milestone:
/// epochs 0 .. milestone−1 take first.lr_at(epoch); from the milestone on, `then` runs from its
/// own epoch 0 (stepped with the metrics from then on, so a ReduceLROnPlateau works too). State:
/// "then.last_epoch" and then's state prefixed "then.". Throws for milestone < 1 or a null part.
class SequentialLR : public Scheduler {
 public:
  SequentialLR(std::unique_ptr<Scheduler> first, std::unique_ptr<Scheduler> then, int milestone);
  double lr_at(int epoch) const override;
  double lr() const override;
  std::string describe() const override;
  std::vector<std::pair<std::string, double>> state() const override;
  void set_state(const std::map<std::string, double>& values) override;

 protected:
  void on_step(double metric) override;

 private:
  std::unique_ptr<Scheduler> first_, then_;
  int milestone_;
};

/// Settings of make_scheduler. Fields that do not apply to the chosen scheduler are ignored.
struct SchedulerOptions {
  /// "none", "step", "exp", "cosine", "multistep", "linear", "lambda" or "plateau"
  std::string name = "none";
  double base_lr = 1e-3;
  int epochs = 1;               ///< cosine: T_max when t_max is 0 (epochs − warmup)
  int step_size = 30;           ///< step: epochs between decays
  double gamma = 0.1;           ///< step, exp and multistep: decay factor
  int t_max = 0;                ///< cosine: half period in epochs; 0 → epochs − warmup
  double eta_min = 0.0;         ///< cosine: the lowest rate
  std::vector<int> milestones;  ///< multistep: epochs of the decays
  double start_factor = 1.0 / 3, end_factor = 1.0;  ///< linear
  int total_iters = 5;                              ///< linear
  std::string lr_lambda;  ///< lambda: an expression of `epoch` (muparser syntax), e.g. 0.95^epoch
  // plateau
  double factor = 0.1;
  int patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";
  int cooldown = 0;
  double min_lr = 0.0;
  /// Epochs of linear warm-up from warmup_start_factor·base_lr before the schedule (0: none).
  int warmup = 0;
  double warmup_start_factor = 1.0 / 3;
};

/// The scheduler named by options.name; "none" gives a ConstantRate (never null). Throws
/// InvalidParameter for an unknown name or invalid settings.
std::unique_ptr<Scheduler> make_scheduler(const SchedulerOptions& options);

}  // namespace snn::learning
