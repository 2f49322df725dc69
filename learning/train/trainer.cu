// Trainer: epochs, evaluation, checkpoints, metrics, trace.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "io/atomic_file.h"
#include "learning/optim/clip_grad.h"
#include "learning/train/checkpoint_state.h"
#include "learning/train/progress_bar.h"
#include "learning/train/shuffle.h"
#include "learning/train/trainer.h"
#include "sim/core/errors.h"
#include "sim/core/stop_request.h"

namespace snn::learning {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string join(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}
}  // namespace

std::uint64_t train_batch_key(int epoch, int batch) {
  return static_cast<std::uint64_t>(epoch) * 1000000ull + static_cast<std::uint64_t>(batch);
}
std::uint64_t test_batch_key(int epoch, int batch) {
  return (std::uint64_t{1} << 32) + train_batch_key(epoch, batch);
}

template <class T>
Trainer<T>::Trainer(Classifier<T>& model, Optimizer<T>& optimizer, Scheduler& scheduler,
                    const DeviceImageSet<T>& train, const DeviceImageSet<T>& test,
                    TrainerOptions options, std::ostream& out)
    : model_(model),
      optimizer_(optimizer),
      scheduler_(scheduler),
      train_(train),
      test_(test),
      options_(std::move(options)),
      out_(out) {
  require(options_.steps >= 1, "T (steps) must be >= 1, got " + std::to_string(options_.steps));
  require(options_.batch >= 1, "batch size must be >= 1, got " + std::to_string(options_.batch));
  require(options_.epochs >= 1, "epochs must be >= 1, got " + std::to_string(options_.epochs));
  require(train_.count() >= options_.batch,
          "the training set has " + std::to_string(train_.count()) +
              " images, fewer than one batch of " + std::to_string(options_.batch));
  require(test_.count() >= 1, "the test set is empty");
  optimizer_.set_lr(scheduler_.lr());
}

template <class T>
void Trainer<T>::resume(const std::string& path) {
  io::CheckpointData ck = io::read_checkpoint(path);
  std::string where = "checkpoint '" + path + "'";
  if (ck.optimizer != optimizer_.name())
    throw FormatError(where + " holds the state of optimizer '" + ck.optimizer +
                      "', this run uses '" + optimizer_.name() + "'");
  load_named(ck.parameters, model_.parameters(), "parameter", where);
  load_named(ck.buffers, model_.buffers(), "buffer", where);
  load_named(ck.optimizer_state, optimizer_.state(), "optimizer state", where);
  optimizer_.set_step_count(ck.optimizer_step);
  scheduler_.set_last_epoch(ck.scheduler_last_epoch);
  {
    std::vector<std::string> names;
    for (const auto& [name, value] : scheduler_.state()) names.push_back(name);
    io::require_same_names(ck.scheduler_state, names, "scheduler state", where);
    std::map<std::string, double> values;
    for (const io::NamedTensor& t : ck.scheduler_state) {
      if (t.values.size() != 1)
        throw FormatError(where + ": scheduler state '" + t.name + "' is not a scalar");
      values[t.name] = t.values[0];
    }
    try {
      scheduler_.set_state(values);
    } catch (const InvalidParameter& e) {
      throw FormatError(where + ": " + e.what());
    }
  }
  optimizer_.set_lr(scheduler_.lr());
  start_epoch_ = ck.epoch + 1;
  start_batch_ = ck.next_batch;
  max_test_acc_ = ck.max_test_acc;
}

template <class T>
EpochMetrics Trainer<T>::train_epoch(int epoch, int first) {
  EpochMetrics m;
  m.epoch = epoch;
  m.lr = optimizer_.lr();
  auto t0 = Clock::now();
  model_.set_training(true);
  std::vector<int> perm = epoch_permutation(train_.count(), options_.seed, epoch);
  order_ = DeviceVector<int>(perm.begin(), perm.end());
  const int B = options_.batch;
  int batches = train_.count() / B;  // drop_last, as the seed's DataLoader
  if (options_.max_train_batches > 0) batches = std::min(batches, options_.max_train_batches);
  ProgressBar bar("epoch " + std::to_string(epoch) + " train", batches, options_.progress, B);
  double loss_sum = 0;
  long correct = 0, samples = 0;
  stopped_at_ = -1;
  for (int b = first; b < batches; ++b) {
    if (options_.stop_on_request && stop_requested()) {
      stopped_at_ = b;
      break;
    }
    train_.gather(&order_, b * B, B, images_, labels_);
    model_.zero_grad();
    const Tensor<T>& output = model_.forward(images_, options_.steps, train_batch_key(epoch, b));
    double loss = rate_loss(options_.loss, output, labels_, grad_);
    correct += count_correct(output, labels_);
    model_.backward(grad_);
    if (options_.clip_grad_value > 0)
      clip_grad_value(optimizer_.parameters(), options_.clip_grad_value);
    if (options_.clip_grad_norm > 0)
      clip_grad_norm(optimizer_.parameters(), options_.clip_grad_norm, options_.clip_norm_type);
    optimizer_.step();
    loss_sum += loss * B;
    samples += B;
    char extra[64];
    std::snprintf(extra, sizeof extra, "loss %.4f acc %.4f", loss_sum / samples,
                  double(correct) / samples);
    bar.update(b + 1, extra);
    if (options_.on_batch) options_.on_batch();
  }
  bar.finish();
  m.train_seconds = seconds_since(t0);
  m.train_loss = samples ? loss_sum / samples : 0;
  m.train_acc = samples ? double(correct) / samples : 0;
  m.train_speed = m.train_seconds > 0 ? samples / m.train_seconds : 0;
  return m;
}

template <class T>
void Trainer<T>::evaluate(int epoch, EpochMetrics& m) {
  auto t0 = Clock::now();
  model_.set_training(false);
  const int B = options_.batch;
  int batches = (test_.count() + B - 1) / B;  // last batch partial, as the seed's test loader
  if (options_.max_test_batches > 0) batches = std::min(batches, options_.max_test_batches);
  ProgressBar bar("epoch " + std::to_string(epoch) + " test ", batches, options_.progress, B);
  double loss_sum = 0;
  long correct = 0, samples = 0;
  stopped_at_ = -1;
  for (int b = 0; b < batches; ++b) {
    if (options_.stop_on_request && stop_requested()) {
      stopped_at_ = b;
      break;
    }
    int n = std::min(B, test_.count() - b * B);
    test_.gather(nullptr, b * B, n, images_, labels_);
    const Tensor<T>& output = model_.forward(images_, options_.steps, test_batch_key(epoch, b));
    loss_sum += rate_loss_value(options_.loss, output, labels_) * n;
    correct += count_correct(output, labels_);
    samples += n;
    bar.update(b + 1);
    if (options_.on_batch) options_.on_batch();
  }
  bar.finish();
  model_.set_training(true);
  m.test_seconds = seconds_since(t0);
  m.test_loss = samples ? loss_sum / samples : 0;
  m.test_acc = samples ? double(correct) / samples : 0;
  m.test_speed = m.test_seconds > 0 ? samples / m.test_seconds : 0;
}

template <class T>
io::CheckpointData Trainer<T>::checkpoint(int epoch, int next_batch) const {
  io::CheckpointData ck;
  ck.parameters = to_named(model_.parameters());
  ck.buffers = to_named(model_.buffers());
  ck.optimizer_state = to_named(optimizer_.state());
  ck.optimizer = optimizer_.name();
  ck.optimizer_step = optimizer_.step_count();
  ck.scheduler_last_epoch = scheduler_.last_epoch();
  for (const auto& [name, value] : scheduler_.state())
    ck.scheduler_state.push_back({name, {}, {value}});
  ck.scheduler = scheduler_.describe();
  ck.epoch = epoch;
  ck.next_batch = next_batch;
  ck.max_test_acc = max_test_acc_;
  ck.single_precision = sizeof(T) == 4;
  ck.args = options_.args;
  return ck;
}

template <class T>
void Trainer<T>::run() {
  std::unique_ptr<MetricsCsv> csv;
  if (!options_.out_dir.empty()) {
    io::require_writable_dir(options_.out_dir);
    io::remove_stale_temporaries_in(options_.out_dir);
    csv = std::make_unique<MetricsCsv>(join(options_.out_dir, "metrics.csv"), start_epoch_);
  }
  // A stop request: the state after the last whole batch goes to checkpoint_latest.h5 as epoch
  // - 1 plus `done` batches of `epoch` (a stop during the test pass: all of them).
  auto stop = [&](int epoch, int done) {
    const int code = stop_requested();
    std::string where = "the state was not saved (no run folder)";
    if (!options_.out_dir.empty()) {
      where = join(options_.out_dir, "checkpoint_latest.h5");
      io::write_checkpoint(where, checkpoint(epoch - 1, done));
      where = "checkpoint written to " + where + " (-resume it to go on)";
    }
    throw Interrupted(std::string("interrupted by ") + stop_signal_name(code) + " at epoch " +
                          std::to_string(epoch) + ", batch " + std::to_string(done) + ": " + where,
                      code);
  };
  for (int epoch = start_epoch_; epoch < options_.epochs; ++epoch) {
    const int first = epoch == start_epoch_ ? start_batch_ : 0;
    EpochMetrics m = train_epoch(epoch, first);
    if (stopped_at_ >= 0) stop(epoch, stopped_at_);
    evaluate(epoch, m);
    if (stopped_at_ >= 0) {
      const int B = options_.batch;
      int batches = train_.count() / B;
      if (options_.max_train_batches > 0) batches = std::min(batches, options_.max_train_batches);
      stop(epoch, batches);
    }
    bool improved = m.test_acc > max_test_acc_;
    if (improved) max_test_acc_ = m.test_acc;
    m.max_test_acc = max_test_acc_;
    optimizer_.set_lr(scheduler_.step(m.test_loss));  // the metric of ReduceLROnPlateau
    if (!options_.out_dir.empty()) {
      io::CheckpointData ck = checkpoint(epoch);
      if (improved) io::write_checkpoint(join(options_.out_dir, "checkpoint_max.h5"), ck);
      io::write_checkpoint(join(options_.out_dir, "checkpoint_latest.h5"), ck);
      csv->append(m);
    }
    history_.push_back(m);
    out_ << epoch_line(m) << '\n' << speed_line(m) << std::endl;
  }
}

template <class T>
io::TrainingTrace Trainer<T>::trace(int index) {
  require(index >= 0 && index < test_.count(),
          "trace image " + std::to_string(index) + " outside the test set");
  model_.set_training(false);
  test_.gather(nullptr, index, 1, images_, labels_);
  const Tensor<T>& output = model_.forward(images_, options_.steps, test_batch_key(1 << 20, index));
  const Tensor<T>& v = model_.output_v_seq();
  io::TrainingTrace tr;
  tr.steps = options_.steps;
  tr.classes = static_cast<int>(output.dim(-1));
  std::vector<T> s = output.to_host(), vh = v.to_host();
  tr.s.assign(s.begin(), s.end());
  tr.v.assign(vh.begin(), vh.end());
  tr.label = test_.host_labels()[index];
  std::vector<double> count(tr.classes, 0.0);
  for (int t = 0; t < tr.steps; ++t)
    for (int c = 0; c < tr.classes; ++c)
      count[c] += tr.s[static_cast<std::size_t>(t) * tr.classes + c];
  tr.predicted = 0;
  for (int c = 1; c < tr.classes; ++c)
    if (count[c] > count[tr.predicted]) tr.predicted = c;
  tr.image_index = index;
  tr.tau = options_.tau;
  tr.v_threshold = options_.v_threshold;
  model_.set_training(true);
  return tr;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace snn::learning
