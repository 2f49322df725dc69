// The training loop of SpikingJelly's examples (lif_fc_mnist, conv_fashion_mnist) for any
// Classifier: per epoch, shuffled batches (drop_last) through forward → rate loss → BPTT →
// optimizer step, then the whole test set (last batch partial), the seed's two printed lines,
// metrics.csv, checkpoint_latest.h5 and checkpoint_max.h5 in the run folder.
//
// Reproducibility: the epoch's order is epoch_permutation(n, seed, epoch) and each batch's
// Poisson draws are keyed by (epoch, batch index), so nothing random carries state from one epoch
// to the next: resuming from checkpoint_latest.h5 (parameters, buffers, optimizer state and step
// count, scheduler epoch and state) gives the same weights as a run that was never interrupted.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>

#include "io/checkpoint.h"
#include "io/training_trace.h"
#include "learning/loss/rate_loss.h"
#include "learning/model/classifier.h"
#include "learning/optim/optimizer.h"
#include "learning/optim/scheduler.h"
#include "learning/train/device_dataset.h"
#include "learning/train/metrics_csv.h"

namespace snn::learning {

struct TrainerOptions {
  int steps = 100;            ///< T, simulation steps per image
  int batch = 64;             ///< images per batch
  int epochs = 1;             ///< total epochs (a resumed run continues up to this)
  std::uint64_t seed = 0;     ///< shuffling seed (the model has its own)
  LossKind loss = LossKind::MSE;
  std::string out_dir;        ///< run folder; "" writes no files
  bool progress = true;       ///< progress bar on stderr (only when it is a terminal)
  int max_train_batches = 0;  ///< per epoch, 0 = all
  int max_test_batches = 0;   ///< 0 = all
  double tau = 2.0;           ///< for the trace attributes
  double v_threshold = 1.0;   ///< for the trace attributes
  /// Gradient clipping between backward and the optimizer step (learning/optim/clip_grad.h): by
  /// value first (0 = off), then the total norm (0 = off) of p-norm clip_norm_type.
  double clip_grad_value = 0.0;
  double clip_grad_norm = 0.0;
  double clip_norm_type = 2.0;
  std::map<std::string, std::string> args;  ///< the run's arguments, saved in checkpoints
  /// Called after every training and test batch (an interpreter checks for Ctrl-C there). An
  /// exception it throws stops the run at that batch; the unfinished epoch is not saved.
  std::function<void()> on_batch;
  /// Honour stop_requested() (sim/core/stop_request.h): finish the current batch, write
  /// checkpoint_latest.h5 (mid-epoch: its next_batch says where to go on) and throw Interrupted.
  bool stop_on_request = true;
};

/// The key of a batch's random draws: training epoch·10⁶ + batch; test batches in another stream.
std::uint64_t train_batch_key(int epoch, int batch);
std::uint64_t test_batch_key(int epoch, int batch);

template <class T>
class Trainer {
 public:
  /// Keeps references to everything; sets the optimizer's rate from the scheduler. Throws
  /// InvalidParameter for steps/batch/epochs < 1, a training set smaller than one batch or an
  /// empty test set (rate_loss throws for a label outside the model's classes).
  Trainer(Classifier<T>& model, Optimizer<T>& optimizer, Scheduler& scheduler, const DeviceImageSet<T>& train,
          const DeviceImageSet<T>& test, TrainerOptions options, std::ostream& out);

  /// Restores a checkpoint written by this trainer: the next epoch is the saved one + 1. Throws
  /// IoError/FormatError (missing file, foreign file, another network's shapes, another optimizer).
  void resume(const std::string& checkpoint_path);

  /// Runs epochs start_epoch() .. epochs-1, printing, saving and recording each. On a stop
  /// request: checkpoint_latest.h5 of the state after the current batch, then Interrupted.
  void run();

  /// One training epoch from batch `first` on (no printing); fills the train fields of the
  /// result. Returns early, with stopped_at() set, on a stop request.
  EpochMetrics train_epoch(int epoch, int first = 0);
  /// The whole test set (or max_test_batches); fills the test fields of `m`. Returns early, with
  /// stopped_at() set, on a stop request.
  void evaluate(int epoch, EpochMetrics& m);
  /// The training batch of the epoch at which a stop request was honoured (-1: none).
  int stopped_at() const { return stopped_at_; }

  /// The output layer's v and spikes over T steps for test image `index` (evaluation mode).
  io::TrainingTrace trace(int index);

  /// The state to save after epoch `epoch` (and `next_batch` batches of the epoch after it).
  io::CheckpointData checkpoint(int epoch, int next_batch = 0) const;

  int start_epoch() const { return start_epoch_; }
  int start_batch() const { return start_batch_; }
  double max_test_acc() const { return max_test_acc_; }
  const std::vector<EpochMetrics>& history() const { return history_; }

 private:
  Classifier<T>& model_;
  Optimizer<T>& optimizer_;
  Scheduler& scheduler_;
  const DeviceImageSet<T>& train_;
  const DeviceImageSet<T>& test_;
  TrainerOptions options_;
  std::ostream& out_;
  int start_epoch_ = 0;
  int start_batch_ = 0;  ///< training batches of start_epoch_ done before a stop
  int stopped_at_ = -1;
  double max_test_acc_ = -1.0;
  std::vector<EpochMetrics> history_;
  Tensor<T> images_, grad_;
  DeviceVector<int> labels_, order_;
};

}  // namespace snn::learning
