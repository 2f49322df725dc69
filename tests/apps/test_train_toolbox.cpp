// snn-train's optimisation toolbox end to end on a small synthetic set: every optimiser and
// schedule resumes exactly (N epochs straight = k epochs, then resume to N), and gradient
// clipping reaches the update.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_options.h"
#include "io/checkpoint.h"
#include "io/cifar_reader.h"
#include "tests/apps/synthetic_idx.h"
#include "tests/io/cifar_files.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn;
using snn::test::TempDir;

std::string run(std::vector<std::string> args) {
  std::vector<const char*> argv = {"snn-train"};
  for (auto& a : args) argv.push_back(a.c_str());
  apps::TrainArgs a = apps::parse_train_args(static_cast<int>(argv.size()), argv.data());
  apps::validate_train_args(a);
  std::ostringstream out;
  apps::run_train(a, out);
  return out.str();
}

class Toolbox : public ::testing::Test {
 public:
  void SetUp() override { snn::test::write_synthetic_mnist(data.str(), 64, 32); }
  std::vector<std::string> base(const std::string& out, int epochs,
                                const std::vector<std::string>& extra) {
    std::vector<std::string> v = {
        "-data-dir", data.str(), "-out-dir", out,       "-T",
        "4",         "-b",       "16",       "-epochs", std::to_string(epochs),
        "-j",        "2",        "-seed",    "5",       "-trace",
        "none"};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  }
  /// Runs `epochs` straight and `split` + (epochs − split) with -resume; both final checkpoints
  /// must be bit-identical (parameters, optimizer and scheduler state).
  io::CheckpointData check_resume(const std::vector<std::string>& extra, int epochs = 2,
                                  int split = 1) {
    run(base(runs / "straight", epochs, extra));
    run(base(runs / "split", split, extra));
    io::CheckpointData mid = io::read_checkpoint(runs / "split/checkpoint_latest.h5");
    std::vector<std::string> resume = base(runs / "split", epochs, extra);
    resume.push_back("-resume");
    resume.push_back(runs / "split/checkpoint_latest.h5");
    std::string out = run(resume);
    EXPECT_NE(out.find("resumed at epoch " + std::to_string(split)), std::string::npos) << out;
    io::CheckpointData a = io::read_checkpoint(runs / "straight/checkpoint_latest.h5");
    io::CheckpointData b = io::read_checkpoint(runs / "split/checkpoint_latest.h5");
    EXPECT_EQ(a.epoch, epochs - 1);
    EXPECT_EQ(b.epoch, epochs - 1);
    auto same = [](const std::vector<io::NamedTensor>& x, const std::vector<io::NamedTensor>& y) {
      ASSERT_EQ(x.size(), y.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_EQ(x[i].name, y[i].name);
        EXPECT_EQ(x[i].values, y[i].values) << x[i].name << " differs";
      }
    };
    same(a.parameters, b.parameters);
    same(a.optimizer_state, b.optimizer_state);
    EXPECT_EQ(a.optimizer, b.optimizer);
    EXPECT_EQ(a.optimizer_step, b.optimizer_step);
    EXPECT_EQ(a.scheduler_last_epoch, b.scheduler_last_epoch);
    EXPECT_NE(mid.parameters[0].values, a.parameters[0].values)
        << "the resumed epochs changed nothing";
    return a;
  }
  TempDir data, runs;
};

TEST_F(Toolbox, ResumeIsExactForAdagrad) {
  io::CheckpointData ck =
      check_resume({"-opt", "adagrad", "-lr-decay", "0.01", "-weight-decay", "1e-3"});
  EXPECT_EQ(ck.optimizer, "adagrad");
  EXPECT_EQ(ck.optimizer_state.front().name.rfind("adagrad.sum.", 0), 0u);
}

TEST_F(Toolbox, ResumeIsExactForAdadelta) {
  io::CheckpointData ck = check_resume({"-opt", "adadelta"});
  EXPECT_EQ(ck.optimizer_state.size(), 2 * ck.parameters.size());
}

TEST_F(Toolbox, ResumeIsExactForCenteredRmspropWithMomentum) {
  io::CheckpointData ck =
      check_resume({"-opt", "rmsprop", "-momentum", "0.5", "-centered", "-lr", "1e-3"});
  EXPECT_EQ(ck.optimizer_state.size(), 3 * ck.parameters.size());
}

TEST_F(Toolbox, ResumeIsExactForNesterovSgdWithClipping) {
  check_resume({"-opt", "sgd", "-lr", "0.2", "-nesterov", "-clip-grad-norm", "0.5",
                "-clip-grad-value", "0.01"});
}

// One resume-exact test per schedule: 3 epochs straight = 2 epochs, then resume to 3 (and the
// rates of the straight run's metrics.csv are the schedule's).
std::vector<double> lr_column(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);  // header; lr is the 9th column
  std::vector<double> out;
  while (std::getline(f, line)) {
    std::stringstream s(line);
    std::string field;
    for (int i = 0; i < 9; ++i) std::getline(s, field, ',');
    out.push_back(std::stod(field));
  }
  return out;
}

void expect_rates(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-6 * want[i] + 1e-12) << "epoch " << i;
}

TEST_F(Toolbox, ResumeIsExactForExponentialLR) {
  check_resume({"-opt", "sgd", "-lr", "0.1", "-sched", "exp", "-gamma", "0.5"}, 3, 2);
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.1, 0.05, 0.025});
}

TEST_F(Toolbox, ResumeIsExactForCosinePastTMax) {
  // T_max 1: epoch 1 at eta_min, epoch 2 past T_max back at the base rate (PyTorch's continuation).
  check_resume({"-opt", "sgd", "-lr", "0.1", "-sched", "cosine", "-t-max", "1", "-eta-min", "0.01"},
               3, 2);
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.1, 0.01, 0.1});
}

TEST_F(Toolbox, ResumeIsExactForMultiStepLR) {
  check_resume(
      {"-opt", "sgd", "-lr", "0.1", "-sched", "multistep", "-milestones", "1,2", "-gamma", "0.5"},
      3, 2);
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.1, 0.05, 0.025});
}

TEST_F(Toolbox, ResumeIsExactForLinearLR) {
  check_resume({"-opt", "sgd", "-lr", "0.1", "-sched", "linear", "-start-factor", "0.5",
                "-total-iters", "2"},
               3, 1);
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.05, 0.075, 0.1});
}

TEST_F(Toolbox, ResumeIsExactForLambdaLR) {
  check_resume({"-opt", "sgd", "-lr", "0.1", "-sched", "lambda", "-lr-lambda", "0.95^epoch"}, 3, 2);
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.1, 0.095, 0.09025});
}

TEST_F(Toolbox, ResumeIsExactForReduceLROnPlateau) {
  // threshold 0.9 rel: the test loss must fall by 90% to count, so every epoch after the first is
  // bad; patience 0 halves the rate after each: 0.1, 0.1 (first metric is the best), then 0.05.
  io::CheckpointData ck = check_resume({"-opt", "sgd", "-lr", "0.1", "-sched", "plateau",
                                        "-patience", "0", "-factor", "0.5", "-threshold", "0.9"},
                                       3, 2);
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.1, 0.1, 0.05});
  ASSERT_EQ(ck.scheduler_state.size(), 4u);
  EXPECT_EQ(ck.scheduler_state[0].name, "plateau.best");
  EXPECT_EQ(ck.scheduler_state[3].name, "plateau.lr");
  EXPECT_DOUBLE_EQ(ck.scheduler_state[3].values.at(0), 0.025);
  io::CheckpointData split = io::read_checkpoint(runs / "split/checkpoint_latest.h5");
  ASSERT_EQ(split.scheduler_state.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(split.scheduler_state[i].values, ck.scheduler_state[i].values);
}

TEST_F(Toolbox, ResumeIsExactForWarmupThenCosine) {
  check_resume({"-opt", "sgd", "-lr", "0.1", "-warmup", "2", "-warmup-start-factor", "0.5",
                "-sched", "cosine", "-t-max", "2", "-eta-min", "0.02"},
               4, 1);
  // Warm-up 0.05, 0.075; then cosine with T_max 2: 0.1, 0.06. (-t-max is given: its default,
  // -epochs − -warmup, differs between the split run's parts.)
  expect_rates(lr_column(runs / "straight/metrics.csv"), {0.05, 0.075, 0.1, 0.06});
}

TEST_F(Toolbox, ResumeOfAPlateauRunFromAClosedFormCheckpointFailsClearly) {
  run(base(runs / "step", 1, {"-opt", "sgd", "-sched", "step"}));
  try {
    run(base(runs / "step", 2,
             {"-opt", "sgd", "-sched", "plateau", "-resume", runs / "step/checkpoint_latest.h5"}));
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("scheduler state 'plateau.best' is missing"),
              std::string::npos)
        << e.what();
  }
}

// -init reaches the model: with -lr 0 the saved weights are the initial ones. Orthogonal: the
// readout's 10 rows of 784 are orthonormal; kaiming_normal: their spread is sqrt(2/784).
TEST_F(Toolbox, InitReachesTheModel) {
  auto initial = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> opt = {"-opt", "sgd", "-lr", "0"};
    opt.insert(opt.end(), extra.begin(), extra.end());
    run(base(runs / name, 1, opt));
    io::CheckpointData ck = io::read_checkpoint(runs / (name + "/checkpoint_latest.h5"));
    EXPECT_EQ(ck.parameters.at(0).shape, (std::vector<std::int64_t>{10, 784}));
    return ck.parameters.at(0).values;
  };
  const std::vector<double> w = initial("orth", {"-init", "orthogonal"});
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j) {
      double dot = 0;
      for (int k = 0; k < 784; ++k) dot += w[i * 784 + k] * w[j * 784 + k];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-5) << i << "," << j;
    }
  const std::vector<double> kn = initial("kaiming", {"-init", "kaiming_normal"});
  double ss = 0;
  for (double x : kn) ss += x * x;
  EXPECT_NEAR(std::sqrt(ss / kn.size()), std::sqrt(2.0 / 784), 0.03 * std::sqrt(2.0 / 784));
  // The default is PyTorch's U(±1/sqrt(784)), unchanged by -init default.
  const std::vector<double> d = initial("default", {}),
                            d2 = initial("default2", {"-init", "default"});
  EXPECT_EQ(d, d2);
  const double bound = 1 / std::sqrt(784.0);
  EXPECT_LE(*std::max_element(d.begin(), d.end()), bound);
  EXPECT_GT(*std::max_element(d.begin(), d.end()), 0.99 * bound);
}

// CIFAR-10 in -data-dir: 3×32×32 images flow through the fc network (3072 inputs) and a ResNet
// (a 3-channel stem); the archive works as the plain files do.
TEST_F(Toolbox, CifarTrainsFcAndResNetWithThreeChannels) {
  TempDir cifar, archive;
  snn::test::write_cifar_files(cifar.str(), 8, 16);  // 40 training images, 16 test images
  snn::test::write_cifar_archive(archive.str(), 8, 16);
  auto args = [&](const std::string& dir, const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> v = {"-data-dir", dir,  "-out-dir", runs / out, "-T",
                                  "2",         "-b", "8",        "-epochs",  "1",
                                  "-j",        "1",  "-trace",   "none"};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  std::string out = run(args(cifar.str(), "fc", {}));
  EXPECT_NE(out.find("train 40 test 16 images"), std::string::npos) << out;
  io::CheckpointData fc = io::read_checkpoint(runs / "fc/checkpoint_latest.h5");
  EXPECT_EQ(fc.parameters.at(0).shape, (std::vector<std::int64_t>{10, 3072}));
  run(args(archive.str(), "fc_archive", {}));
  EXPECT_EQ(io::read_checkpoint(runs / "fc_archive/checkpoint_latest.h5").parameters.at(0).values,
            fc.parameters.at(0).values);
  run(args(cifar.str(), "resnet", {"-model", "sew-resnet", "-preset", "tiny", "-normalize"}));
  io::CheckpointData r = io::read_checkpoint(runs / "resnet/checkpoint_latest.h5");
  // The stem convolution takes 3 input channels.
  bool found = false;
  for (const auto& t : r.parameters)
    if (t.shape.size() == 4 && !found) {
      EXPECT_EQ(t.shape[1], 3) << t.name;
      found = true;
    }
  EXPECT_TRUE(found);
  // A bad label in a batch: one error naming the file.
  snn::test::write_bytes(cifar / "data_batch_2.bin", snn::test::cifar_batch(2, 1, {11}));
  try {
    run(args(cifar.str(), "bad", {}));
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("data_batch_2.bin': record 0 has label 11"),
              std::string::npos)
        << e.what();
  }
}

// SGD without momentum moves the weights by lr·g per step. With the total grad norm clipped to c,
// no element moves more than lr·c per step; clipped by value v, no more than lr·v. 64 images in
// batches of 16 are 4 steps. -lr 0 gives the initial weights (the same seed).
TEST_F(Toolbox, GradientClippingBoundsEveryStep) {
  auto weights = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> opt = {"-opt", "sgd", "-momentum", "0"};
    opt.insert(opt.end(), extra.begin(), extra.end());
    run(base(runs / name, 1, opt));
    return io::read_checkpoint(runs / (name + "/checkpoint_latest.h5")).parameters;
  };
  const auto w0 = weights("initial", {"-lr", "0"});
  auto max_change = [&](const std::vector<io::NamedTensor>& w) {
    double d = 0;
    for (std::size_t j = 0; j < w.size(); ++j)
      for (std::size_t i = 0; i < w[j].values.size(); ++i)
        d = std::max(d, std::fabs(w[j].values[i] - w0[j].values[i]));
    return d;
  };
  const double free = max_change(weights("free", {"-lr", "0.5"}));
  const double by_norm = max_change(weights("norm", {"-lr", "0.5", "-clip-grad-norm", "1e-3"}));
  const double by_inf_norm = max_change(
      weights("inf", {"-lr", "0.5", "-clip-grad-norm", "1e-3", "-clip-norm-type", "inf"}));
  const double by_value = max_change(weights("value", {"-lr", "0.5", "-clip-grad-value", "1e-5"}));
  // Float weights round each step by up to half an ulp (~4e-9 here): 1e-8 of slack.
  const double slack = 1e-8;
  EXPECT_GT(free, 2 * 4 * 0.5 * 1e-3);  // unclipped, the weights move past both bounds
  EXPECT_GT(by_norm, 0.0);
  EXPECT_LE(by_norm, 4 * 0.5 * 1e-3 + slack);
  // The inf-norm bounds the largest element: each step moves some element by exactly lr·c.
  EXPECT_LE(by_inf_norm, 4 * 0.5 * 1e-3 + slack);
  EXPECT_GE(by_inf_norm, 0.5 * 1e-3 * (1 - 1e-3));
  EXPECT_GT(by_value, 0.0);
  EXPECT_LE(by_value, 4 * 0.5 * 1e-5 + slack);
}

}  // namespace
