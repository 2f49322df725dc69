// A one-line progress bar on stderr while an epoch runs, redrawn at most a few times a second;
// silent when stderr is not a terminal (logs and pipes get only the per-epoch lines).
#pragma once

#include <chrono>
#include <string>

namespace snn::learning {

class ProgressBar {
 public:
  /// `total` items (batches) of `images_per_item` images each (for the images/s figure).
  /// `enabled` false, or stderr not a terminal, makes every call a no-op.
  ProgressBar(const std::string& label, long total, bool enabled = true, double images_per_item = 1);
  ~ProgressBar();
  /// Sets the number of finished items and an extra text (e.g. "loss 0.0123").
  void update(long done, const std::string& extra = "");
  /// Erases the bar.
  void finish();
  bool active() const { return active_; }

 private:
  std::string label_;
  long total_;
  bool active_;
  double images_per_item_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace snn::learning
