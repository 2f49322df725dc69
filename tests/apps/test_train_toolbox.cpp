// snn-train's optimisation toolbox end to end on a small synthetic set: every optimiser and
// schedule resumes exactly (N epochs straight = k epochs, then resume to N), and gradient
// clipping reaches the update.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_options.h"
#include "io/checkpoint.h"
#include "tests/apps/synthetic_idx.h"
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
