// metrics.csv in the run folder: one row per epoch, rewritten atomically after every epoch, so a
// resumed run continues the table (rows of epochs it redoes are replaced).
#pragma once

#include <string>
#include <vector>

namespace snn::learning {

/// The figures of one epoch (accuracies as fractions, speeds in images/s).
struct EpochMetrics {
  int epoch = 0;
  double train_loss = 0, train_acc = 0, test_loss = 0, test_acc = 0, max_test_acc = 0;
  double train_speed = 0, test_speed = 0;
  double lr = 0;  ///< learning rate used in this epoch
  double train_seconds = 0, test_seconds = 0;
};

class MetricsCsv {
 public:
  /// Loads the rows of an existing `path` (if any) whose epoch is below `first_epoch`.
  MetricsCsv(const std::string& path, int first_epoch);
  /// Adds a row and rewrites the file.
  void append(const EpochMetrics& m);
  const std::vector<EpochMetrics>& rows() const { return rows_; }
  static const char* header();

 private:
  std::string path_;
  std::vector<EpochMetrics> rows_;
};

/// The two lines SpikingJelly's lif_fc_mnist prints per epoch (without the trailing newline).
std::string epoch_line(const EpochMetrics& m);
std::string speed_line(const EpochMetrics& m);

}  // namespace snn::learning
