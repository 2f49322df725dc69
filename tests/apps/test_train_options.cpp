// snn-train's command line: SpikingJelly's single-dash options, double-dash forms, defaults, and
// one clear error for every kind of bad argument (also through the built binary's exit status).
#include "apps/snn-train/train_options.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "sim/core/config.h"
#include "tests/apps/synthetic_idx.h"
#include "tests/io/temp_dir.h"

namespace {

using snn::apps::parse_train_args;
using snn::apps::TrainArgs;
using snn::apps::UsageError;
using snn::apps::validate_train_args;
using snn::test::TempDir;

TrainArgs parse(std::vector<std::string> args) {
  std::vector<const char*> argv = {"snn-train"};
  for (auto& a : args) argv.push_back(a.c_str());
  return parse_train_args(static_cast<int>(argv.size()), argv.data());
}

template <class E>
std::string error_of(std::vector<std::string> args, bool validate = true) {
  try {
    TrainArgs a = parse(args);
    if (validate) validate_train_args(a);
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("WRONG TYPE: ") + e.what();
  }
  return "NO ERROR";
}

class TrainOptions : public ::testing::Test {
 protected:
  void SetUp() override { snn::test::write_synthetic_mnist(data.str(), 8, 4); }
  TempDir data, out;
};

TEST_F(TrainOptions, SpikingJellyCommandLineVerbatim) {
  TrainArgs a = parse({"-tau", "2.0", "-T", "100", "-device", "cpu", "-b", "64", "-epochs", "50", "-data-dir",
                       data.str(), "-out-dir", out.str(), "-opt", "adam", "-lr", "1e-3", "-j", "2"});
  EXPECT_EQ(a.T, 100);
  EXPECT_EQ(a.b, 64);
  EXPECT_EQ(a.epochs, 50);
  EXPECT_EQ(a.j, 2);
  EXPECT_EQ(a.opt, "adam");
  EXPECT_DOUBLE_EQ(a.lr, 1e-3);
  EXPECT_DOUBLE_EQ(a.tau, 2.0);
  EXPECT_EQ(a.data_dir, data.str());
  validate_train_args(a);
  EXPECT_EQ(a.device, "cpu");
  EXPECT_EQ(a.trace, out / "trace.h5");
  EXPECT_EQ(a.encoder, "poisson");
}

TEST_F(TrainOptions, DoubleDashAndEqualsForms) {
  TrainArgs a = parse({"--T", "8", "--b=16", "--lr", "0.5", "-momentum=0.8", "--opt", "sgd", "--detach-reset"});
  EXPECT_EQ(a.T, 8);
  EXPECT_EQ(a.b, 16);
  EXPECT_DOUBLE_EQ(a.lr, 0.5);
  EXPECT_DOUBLE_EQ(a.momentum, 0.8);
  EXPECT_TRUE(a.detach_reset);
}

TEST_F(TrainOptions, Defaults) {
  TrainArgs a = parse({"-data-dir", data.str(), "-out-dir", out.str()});
  validate_train_args(a);
  EXPECT_EQ(a.T, 100);
  EXPECT_EQ(a.b, 64);
  EXPECT_EQ(a.epochs, 100);
  EXPECT_EQ(a.opt, "adam");
  EXPECT_DOUBLE_EQ(a.momentum, 0.9);
  EXPECT_TRUE(a.hidden.empty());
  EXPECT_EQ(a.model, "fc");
  TrainArgs r = parse({"-model", "sew-resnet", "-data-dir", data.str(), "-out-dir", out.str()});
  validate_train_args(r);
  EXPECT_EQ(r.T, 4);
  EXPECT_EQ(r.encoder, "direct");
}

TEST_F(TrainOptions, OptimiserOptionsAndPyTorchDefaults) {
  auto v = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"-data-dir", data.str(), "-out-dir", out.str()};
    args.insert(args.end(), extra.begin(), extra.end());
    TrainArgs a = parse(args);
    validate_train_args(a);
    return a;
  };
  EXPECT_DOUBLE_EQ(v({"-opt", "adagrad"}).lr, 0.01);
  EXPECT_DOUBLE_EQ(v({"-opt", "rmsprop"}).lr, 0.01);
  EXPECT_DOUBLE_EQ(v({"-opt", "adadelta"}).lr, 1.0);
  EXPECT_DOUBLE_EQ(v({"-opt", "sgd"}).lr, 1e-3);
  EXPECT_DOUBLE_EQ(v({"-opt", "adadelta", "-lr", "0.5"}).lr, 0.5);
  EXPECT_DOUBLE_EQ(v({"-opt", "rmsprop"}).momentum, 0.0);  // torch's default, not SpikingJelly's 0.9
  EXPECT_DOUBLE_EQ(v({"-opt", "rmsprop", "-momentum", "0.5"}).momentum, 0.5);
  EXPECT_DOUBLE_EQ(v({"-opt", "sgd"}).momentum, 0.9);
  TrainArgs a = v({"-opt", "sgd", "-nesterov", "-dampening", "0", "-clip-grad-norm", "1.5", "-clip-norm-type", "inf",
                   "-clip-grad-value", "0.25"});
  EXPECT_TRUE(a.nesterov);
  EXPECT_DOUBLE_EQ(a.clip_grad_norm, 1.5);
  EXPECT_TRUE(std::isinf(a.clip_norm_type));
  EXPECT_DOUBLE_EQ(a.clip_grad_value, 0.25);
  EXPECT_EQ(a.as_map().at("clip_norm_type"), "inf");
  EXPECT_NE(a.namespace_line().find("clip_grad_norm=1.5, clip_norm_type=inf, clip_grad_value=0.25"),
            std::string::npos);
  TrainArgs r = v({"-opt", "rmsprop", "-centered", "-rmsprop-alpha", "0.9", "-eps", "1e-6"});
  EXPECT_TRUE(r.centered);
  EXPECT_DOUBLE_EQ(r.rmsprop_alpha, 0.9);
  EXPECT_DOUBLE_EQ(r.eps, 1e-6);
  TrainArgs g = v({"-opt", "adagrad", "-lr-decay", "0.1", "-initial-accumulator-value", "0.2"});
  EXPECT_DOUBLE_EQ(g.lr_decay, 0.1);
  EXPECT_DOUBLE_EQ(g.initial_accumulator_value, 0.2);
  EXPECT_DOUBLE_EQ(v({"-opt", "adadelta", "-rho", "0.8"}).rho, 0.8);
  EXPECT_DOUBLE_EQ(v({"-beta1", "0.8", "-beta2", "0.9"}).beta2, 0.9);
}

TEST_F(TrainOptions, HiddenRepeatableOrCommaList) {
  EXPECT_EQ(parse({"-hidden", "20"}).hidden, (std::vector<int>{20}));
  EXPECT_EQ(parse({"-hidden", "20,30"}).hidden, (std::vector<int>{20, 30}));
  EXPECT_EQ(parse({"-hidden", "20", "-hidden", "30"}).hidden, (std::vector<int>{20, 30}));
  EXPECT_EQ(parse({"-channels", "16,32", "-blocks", "1", "-blocks", "2"}).blocks, (std::vector<int>{1, 2}));
}

TEST_F(TrainOptions, BadValuesGiveOneClearLine) {
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"-data-dir", data.str(), "-out-dir", out.str()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  EXPECT_NE(error_of<UsageError>(with({"-T", "0"})).find("-T must be >= 1"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-T", "-5"})).find("got -5"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-b", "0"})).find("-b must be >= 1"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-lr", "-1"})).find("-lr must be >= 0, got -1"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-epochs", "0"})).find("-epochs"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-opt", "lion"})).find("'lion' is not one of"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-opt", "adam", "-nesterov"})).find("-nesterov needs"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-opt", "sgd", "-nesterov", "-dampening", "0.1"})).find("-nesterov needs"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-opt", "adam", "-centered"})).find("-centered"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-rho", "1.5"})).find("-rho must be in [0, 1], got 1.5"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-beta1", "1"})).find("-beta1"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-eps", "-0.5"})).find("-eps must be >= 0"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-eps", "-1"})).find("-eps must be >= 0"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-clip-grad-norm", "-1"})).find("-clip-grad-norm"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-clip-norm-type", "0.5"})).find("-clip-norm-type"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-clip-norm-type", "two"})).find("'two'"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-clip-grad-value", "-2"})).find("-clip-grad-value"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "lambda"})).find("needs -lr-lambda"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "lambda", "-lr-lambda", "0.95^"})).find("\"0.95^\""),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "lambda", "-lr-lambda", "g^epoch"})).find("lr lambda"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-lr-lambda", "0.9^epoch"})).find("-sched lambda only"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "multistep"})).find("needs -milestones"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "multistep", "-milestones", "5,3"})).find("increasing"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-factor", "1"})).find("-factor"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-threshold-mode", "max"})).find("-threshold-mode"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-warmup", "-1"})).find("-warmup"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-normalize"})).find("-encoder direct"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-normalize-mean", "0.5"})).find("need -normalize"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-model", "resnet", "-normalize", "-normalize-mean", "0.5,0.5",
                                       "-normalize-std", "0.2"}))
                .find("as many values"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-model", "resnet", "-normalize", "-normalize-mean", "0.5",
                                       "-normalize-std", "0"}))
                .find("must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-init", "he"})).find("-init: unknown init 'he'"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-init", "normal", "-init-std", "0"})).find("std must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-init-mode", "fan_avg"})).find("fan_avg"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-init-nonlinearity", "gelu"})).find("gelu"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "cosine", "-epochs", "3", "-warmup", "3"})).find("-warmup 3"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-loss", "hinge"})).find("-loss"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-sched", "poly"})).find("-sched"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-surrogate", "relu"})).find("-surrogate"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-model", "vgg"})).find("-model"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-tau", "0.5"})).find("-tau must be > 1"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-hidden", "0"})).find("-hidden"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-hidden", "abc"})).find("'abc' is not an integer"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-bogus", "1"})).find("bogus"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-T", "ten"})).find("ten"), std::string::npos);
  std::string other = snn::device_is_cuda() ? "cpu" : "cuda";
  EXPECT_NE(error_of<UsageError>(with({"-device", other})).find("built for"), std::string::npos);
  EXPECT_NE(error_of<UsageError>(with({"-device", "tpu"})).find("-device"), std::string::npos);
}

TEST_F(TrainOptions, FileSystemProblems) {
  EXPECT_NE(error_of<snn::IoError>({"-data-dir", data / "nope", "-out-dir", out.str()}).find("does not exist"),
            std::string::npos);
  TempDir empty;
  EXPECT_NE(error_of<snn::IoError>({"-data-dir", empty.str(), "-out-dir", out.str()}).find("train-images-idx3-ubyte"),
            std::string::npos);
  std::ofstream(out / "file") << "x";
  EXPECT_NE(error_of<snn::IoError>({"-data-dir", data.str(), "-out-dir", out / "file/sub"}).find("-out-dir"),
            std::string::npos);
  EXPECT_NE(error_of<snn::IoError>({"-data-dir", data.str(), "-out-dir", out.str(), "-resume", out / "none.h5"})
                .find("none.h5"),
            std::string::npos);
  EXPECT_NE(error_of<UsageError>({"-out-dir", out.str()}).find("-data-dir is required"), std::string::npos);
}

// The binary: status 2 and a single "snn-train: error: ..." line on stderr.
TEST_F(TrainOptions, BinaryExitsNonZeroWithOneLine) {
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"-T 0", "-T must be >= 1"},
      {"-b -2", "-b must be >= 1"},
      {"-lr -0.1", "-lr must be >= 0"},
      {"-opt lion", "'lion' is not one of"},
      {"-resume " + (out / "missing.h5"), "missing.h5"},
  };
  for (const Case& c : cases) {
    std::string err = out / "stderr.txt";
    std::string cmd = std::string(SNN_TRAIN_BINARY) + " -data-dir " + data.str() + " -out-dir " + out.str() + " " +
                      c.args + " > /dev/null 2> " + err;
    int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << cmd;
    EXPECT_EQ(WEXITSTATUS(status), 2) << cmd;
    std::ifstream f(err);
    std::string line, rest;
    std::getline(f, line);
    EXPECT_EQ(line.rfind("snn-train: error: ", 0), 0u) << line;
    EXPECT_NE(line.find(c.expect), std::string::npos) << line;
    EXPECT_FALSE(std::getline(f, rest)) << "more than one line: " << rest;
  }
}

}  // namespace
