// snn-train end to end on a small synthetic set: the printed lines, the run folder, and resuming:
// 1 epoch + resume for 1 more gives exactly the weights and optimizer state of 2 epochs straight.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_options.h"
#include "io/checkpoint.h"
#include "io/sonata_writer.h"
#include "io/training_trace.h"
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

class TrainRun : public ::testing::Test {
 public:
  void SetUp() override { snn::test::write_synthetic_mnist(data.str(), 96, 40); }
  std::vector<std::string> base(const std::string& out, int epochs) {
    return {"-data-dir", data.str(), "-out-dir", out, "-T", "6", "-b", "16", "-epochs", std::to_string(epochs),
            "-j", "2", "-seed", "3"};
  }
  TempDir data, runs;
};

void expect_identical(const std::vector<io::NamedTensor>& a, const std::vector<io::NamedTensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].shape, b[i].shape);
    EXPECT_EQ(a[i].values, b[i].values) << a[i].name << " differs";
  }
}

void check_resume(TrainRun& t, const TempDir& runs, const std::vector<std::string>& extra) {
  // The base options with those of `extra` appended; an option in both takes extra's value.
  auto with = [&](std::vector<std::string> v) {
    for (std::size_t i = 0; i + 1 < extra.size(); ++i)
      for (std::size_t k = 0; k + 1 < v.size(); ++k)
        if (extra[i][0] == '-' && v[k] == extra[i]) {
          v.erase(v.begin() + k, v.begin() + k + 2);
          break;
        }
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  run(with(t.base(runs / "straight", 2)));
  run(with(t.base(runs / "split", 1)));
  io::CheckpointData after1 = io::read_checkpoint(runs / "split/checkpoint_latest.h5");
  EXPECT_EQ(after1.epoch, 0);
  std::vector<std::string> resume = with(t.base(runs / "split", 2));
  resume.push_back("-resume");
  resume.push_back(runs / "split/checkpoint_latest.h5");
  std::string out = run(resume);
  EXPECT_NE(out.find("resumed at epoch 1"), std::string::npos) << out;
  EXPECT_EQ(out.find("epoch = 0,"), std::string::npos) << "the resumed run repeated epoch 0";

  io::CheckpointData a = io::read_checkpoint(runs / "straight/checkpoint_latest.h5");
  io::CheckpointData b = io::read_checkpoint(runs / "split/checkpoint_latest.h5");
  EXPECT_EQ(a.epoch, 1);
  EXPECT_EQ(b.epoch, 1);
  expect_identical(a.parameters, b.parameters);
  expect_identical(a.buffers, b.buffers);
  expect_identical(a.optimizer_state, b.optimizer_state);
  EXPECT_EQ(a.optimizer_step, b.optimizer_step);
  EXPECT_EQ(a.scheduler_last_epoch, b.scheduler_last_epoch);
  EXPECT_EQ(a.max_test_acc, b.max_test_acc);
  // The weights did change during the second epoch (the comparison is not vacuous).
  EXPECT_NE(after1.parameters[0].values, a.parameters[0].values);

  // metrics.csv of the split run holds both epochs, equal to the straight run's except timings.
  auto rows = [](const std::string& path) {
    std::ifstream f(path);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(f, line)) {
      std::stringstream s(line);
      std::string field, kept;
      for (int i = 0; i < 6 && std::getline(s, field, ','); ++i) kept += field + ",";
      out.push_back(kept);
    }
    return out;
  };
  EXPECT_EQ(rows(runs / "straight/metrics.csv"), rows(runs / "split/metrics.csv"));
  EXPECT_EQ(rows(runs / "split/metrics.csv").size(), 3u);
}

TEST_F(TrainRun, ResumeMatchesUninterruptedRunAdam) { check_resume(*this, runs, {"-opt", "adam", "-lr", "1e-2"}); }

TEST_F(TrainRun, ResumeMatchesUninterruptedRunSgdStepScheduleHidden) {
  check_resume(*this, runs,
               {"-opt", "sgd", "-lr", "0.5", "-momentum", "0.9", "-sched", "step", "-step-size", "1", "-gamma", "0.5",
                "-hidden", "12", "-loss", "ce"});
}

// BatchNorm running statistics (buffers) are part of the resumed state too.
TEST_F(TrainRun, ResumeMatchesUninterruptedRunSewResNet) {
  check_resume(*this, runs, {"-model", "sew-resnet", "-preset", "tiny", "-T", "2", "-b", "4", "-max-train-batches", "3",
                             "-max-test-batches", "1"});
}

TEST_F(TrainRun, PrintsTheSeedLinesAndWritesTheRunFolder) {
  std::string out = run(base(runs / "r", 2));
  std::regex epoch_re(R"(epoch = (\d+), train_loss = \d\.\d{4}, train_acc = \d\.\d{4}, test_loss = \d\.\d{4}, )"
                      R"(test_acc = \d\.\d{4}, max_test_acc = \d\.\d{4})");
  std::regex speed_re(R"(train speed = \d+\.\d{4} images/s, test speed = \d+\.\d{4} images/s)");
  std::istringstream lines(out);
  std::string line;
  int epochs = 0, speeds = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("epoch = ", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, epoch_re)) << line;
      ++epochs;
    }
    if (line.rfind("train speed", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, speed_re)) << line;
      ++speeds;
    }
  }
  EXPECT_EQ(epochs, 2);
  EXPECT_EQ(speeds, 2);
  for (const char* f : {"checkpoint_latest.h5", "checkpoint_max.h5", "metrics.csv", "trace.h5", "args.txt"})
    EXPECT_TRUE(std::ifstream(runs / ("r/" + std::string(f)))) << f;
  io::TrainingTrace tr = io::read_training_trace(runs / "r/trace.h5");
  EXPECT_EQ(tr.steps, 6);
  EXPECT_EQ(tr.classes, 10);
  EXPECT_EQ(tr.v.size(), 60u);
  EXPECT_GE(tr.label, 0);
  EXPECT_LT(tr.label, 10);
}

TEST_F(TrainRun, ResumeOfAnotherNetworkFailsClearly) {
  run(base(runs / "fc", 1));
  std::vector<std::string> args = base(runs / "other", 2);
  args.insert(args.end(), {"-hidden", "20", "-resume", runs / "fc/checkpoint_latest.h5"});
  try {
    run(args);
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint_latest.h5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("another network"), std::string::npos) << e.what();
  }
  args = base(runs / "other", 2);
  args.insert(args.end(), {"-opt", "sgd", "-resume", runs / "fc/checkpoint_latest.h5"});
  EXPECT_THROW(run(args), FormatError);
}

TEST_F(TrainRun, ResumeOfForeignFileFailsClearly) {
  {
    io::SonataWriter w(runs / "spikes.h5");
    w.add_spike_population("x");
  }
  std::ofstream(runs / "text.h5") << "hello";
  for (const std::string& f : {runs / "spikes.h5", runs / "text.h5"}) {
    std::vector<std::string> args = base(runs / "r", 1);
    args.insert(args.end(), {"-resume", f});
    try {
      run(args);
      ADD_FAILURE() << "no error for " << f;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
    }
  }
}

}  // namespace
