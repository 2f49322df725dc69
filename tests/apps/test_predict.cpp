// snn-predict end to end: a checkpoint trained here predicts the test set with the accuracy the
// trainer measured (direct encoder: no randomness), batch size does not change the predictions,
// firing rates of chosen images are printed, and bad inputs fail with one clear error.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "apps/snn-predict/run_predict.h"
#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_options.h"
#include "tests/apps/synthetic_idx.h"
#include "tests/io/cifar_files.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn;
using snn::test::TempDir;

template <class Parse, class Run>
std::string call(Parse parse, Run body, std::vector<std::string> args, const char* program) {
  std::vector<const char*> argv = {program};
  for (auto& a : args) argv.push_back(a.c_str());
  auto a = parse(static_cast<int>(argv.size()), argv.data());
  std::ostringstream out;
  body(a, out);
  return out.str();
}

std::string train(std::vector<std::string> args) {
  return call(
      [](int n, const char* const* v) {
        apps::TrainArgs a = apps::parse_train_args(n, v);
        apps::validate_train_args(a);
        return a;
      },
      [](const apps::TrainArgs& a, std::ostream& o) { apps::run_train(a, o); }, args, "snn-train");
}

std::string predict(std::vector<std::string> args) {
  return call([](int n, const char* const* v) { return apps::parse_predict_args(n, v); },
              [](const apps::PredictArgs& a, std::ostream& o) { apps::run_predict(a, o); }, args,
              "snn-predict");
}

std::string read_all(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(Predict, ReproducesTheTrainersAccuracyInBatchesAndPrintsRates) {
  TempDir data, runs;
  snn::test::write_synthetic_mnist(data.str(), 64, 30);
  train({"-data-dir", data.str(), "-out-dir", runs / "r", "-model", "resnet",  "-preset",
         "tiny",      "-T",       "2",        "-b",       "16",     "-epochs", "1",
         "-j",        "1",        "-trace",   "none",     "-lr",    "1e-2"});
  // The trainer's test accuracy of the epoch (metrics.csv column 5).
  std::stringstream csv(read_all(runs / "r/metrics.csv"));
  std::string line, field;
  std::getline(csv, line);
  std::getline(csv, line);
  std::stringstream row(line);
  for (int i = 0; i < 5; ++i) std::getline(row, field, ',');
  const double trainer_acc = std::stod(field);

  const std::string out = predict({runs / "r/checkpoint_latest.h5", "-data-dir", data.str(), "-out",
                                   runs / "p7.csv", "-b", "7", "-j", "1", "-rates", "0,29"});
  std::ostringstream expected;
  expected.precision(4);
  expected << std::fixed << "accuracy = " << trainer_acc;
  EXPECT_NE(out.find(expected.str()), std::string::npos) << out << " trainer " << trainer_acc;
  EXPECT_NE(out.find("image 0: label "), std::string::npos) << out;
  EXPECT_NE(out.find("image 29: label "), std::string::npos) << out;
  EXPECT_NE(out.find("Firing rate: [["), std::string::npos) << out;
  const std::string p7 = read_all(runs / "p7.csv");
  EXPECT_EQ(p7.rfind("index,predicted,label\n0,", 0), 0u) << p7;
  EXPECT_EQ(std::count(p7.begin(), p7.end(), '\n'), 31);
  // The same predictions in one batch.
  predict({runs / "r/checkpoint_latest.h5", "-data-dir", data.str(), "-out", runs / "p64.csv", "-j",
           "1"});
  EXPECT_EQ(read_all(runs / "p64.csv"), p7);
  // fc with Poisson input works too (rates from spikes).
  train({"-data-dir", data.str(), "-out-dir", runs / "fc", "-T", "4", "-b", "16", "-epochs", "1",
         "-j", "1", "-trace", "none"});
  const std::string fc = predict({runs / "fc/checkpoint_latest.h5", "-data-dir", data.str(), "-out",
                                  runs / "fc.csv", "-j", "1", "-rates", "3"});
  EXPECT_NE(fc.find("accuracy = "), std::string::npos);
  EXPECT_NE(fc.find("image 3: label "), std::string::npos);
}

TEST(Predict, BadInputsFailWithOneClearError) {
  TempDir data, runs, cifar;
  snn::test::write_synthetic_mnist(data.str(), 16, 8);
  snn::test::write_cifar_files(cifar.str(), 2, 4);
  train({"-data-dir", data.str(), "-out-dir", runs / "r", "-T", "2", "-b", "8", "-epochs", "1",
         "-j", "1", "-trace", "none"});
  const std::string ck = runs / "r/checkpoint_latest.h5";
  EXPECT_THROW(predict({runs / "none.h5", "-data-dir", data.str(), "-out", runs / "x.csv"}),
               IoError);
  // A network of 784 inputs on 3×32×32 images: the checkpoint's shapes do not fit.
  try {
    predict({ck, "-data-dir", cifar.str(), "-out", runs / "x.csv"});
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint_latest.h5"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::ifstream(runs / "x.csv").good());  // nothing partly written
  EXPECT_THROW(predict({ck, "-data-dir", data.str(), "-rates", "8"}), apps::UsageError);
  EXPECT_THROW(predict({"-data-dir", data.str()}), apps::UsageError);
  EXPECT_THROW(predict({ck}), apps::UsageError);
  EXPECT_THROW(predict({ck, "-data-dir", data.str(), "-b", "0"}), apps::UsageError);
}

}  // namespace
