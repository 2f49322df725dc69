// snn-train -model-file end to end: the fc example file trains exactly as -model fc, a file-built
// network's checkpoint carries the file's text so that snn-predict rebuilds it after the file is
// gone, and bad command lines or files fail with one error naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/snn-predict/run_predict.h"
#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_options.h"
#include "io/checkpoint.h"
#include "tests/apps/synthetic_idx.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn;
using snn::test::TempDir;

const std::string kModels = std::string(SNN_SOURCE_DIR) + "/examples/models/";

apps::TrainArgs parsed(std::vector<std::string> args) {
  std::vector<const char*> argv = {"snn-train"};
  for (auto& a : args) argv.push_back(a.c_str());
  apps::TrainArgs a = apps::parse_train_args(int(argv.size()), argv.data());
  apps::validate_train_args(a);
  return a;
}

std::string train(std::vector<std::string> args) {
  std::ostringstream out;
  apps::run_train(parsed(std::move(args)), out);
  return out.str();
}

std::string predict(std::vector<std::string> args) {
  std::vector<const char*> argv = {"snn-predict"};
  for (auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  apps::run_predict(apps::parse_predict_args(int(argv.size()), argv.data()), out);
  return out.str();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

TEST(ModelFileApp, FcFileTrainsExactlyAsTheBuiltInFc) {
  TempDir data, runs;
  snn::test::write_synthetic_mnist(data.str(), 48, 16);
  const std::vector<std::string> common = {"-data-dir", data.str(), "-T",  "4",   "-b",     "16",
                                           "-epochs",   "2",        "-j",  "1",   "-trace", "none",
                                           "-seed",     "3",        "-lr", "0.05"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  train(with({"-out-dir", runs / "builtin"}));
  const std::string log =
      train(with({"-out-dir", runs / "file", "-model-file", kModels + "fc.json"}));
  EXPECT_NE(log.find("model='file', model_file='"), std::string::npos) << log;
  const io::CheckpointData a = io::read_checkpoint(runs / "builtin/checkpoint_latest.h5");
  const io::CheckpointData b = io::read_checkpoint(runs / "file/checkpoint_latest.h5");
  ASSERT_EQ(a.parameters.size(), 1u);
  ASSERT_EQ(b.parameters.size(), 1u);
  EXPECT_EQ(a.parameters[0].name, b.parameters[0].name);      // fc0.weight
  EXPECT_EQ(a.parameters[0].values, b.parameters[0].values);  // after two epochs of training
  EXPECT_EQ(b.args.at("model"), "file");
  EXPECT_EQ(b.args.at("encoder"), "poisson");  // the file's
}

TEST(ModelFileApp, CheckpointCarriesTheFileForPredict) {
  TempDir data, runs;
  snn::test::write_synthetic_mnist(data.str(), 48, 20);
  const std::string net = runs / "net.json";
  const std::string text = R"({"encoder": "direct", "layers": [
    {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2},
    {"type": "BatchNorm2d"}, {"type": "LIF"}, {"type": "AvgPool2d", "kernel_size": 2},
    {"type": "Flatten"}, {"type": "Dropout", "p": 0.1},
    {"type": "Linear", "out_features": 16, "weight_norm": true}, {"type": "LayerNorm"},
    {"type": "LocalResponseNorm", "size": 3}, {"type": "IF"},
    {"type": "Linear", "out_features": "classes"}]})";
  write(net, text);
  const std::string log =
      train({"-data-dir", data.str(), "-out-dir", runs / "r", "-model-file", net, "-T", "2", "-b",
             "16", "-epochs", "1", "-j", "1", "-trace", "none", "-lr", "1e-2"});
  EXPECT_NE(log.find("WeightNorm(Linear(144, 16, bias=true))"), std::string::npos)
      << log;  // 4·6·6 inferred
  const io::CheckpointData ck = io::read_checkpoint(runs / "r/checkpoint_latest.h5");
  EXPECT_EQ(ck.args.at("model_json"), text);
  EXPECT_EQ(ck.args.at("model_file"), net);
  bool has_g = false;
  for (const io::NamedTensor& t : ck.parameters) has_g = has_g || t.name == "fc0.weight_g";
  EXPECT_TRUE(has_g);
  std::filesystem::remove(net);  // predict needs only the checkpoint

  std::stringstream csv;
  {
    std::ifstream f(runs / "r/metrics.csv");
    csv << f.rdbuf();
  }
  std::string line, field;
  std::getline(csv, line);
  std::getline(csv, line);
  std::stringstream row(line);
  for (int i = 0; i < 5; ++i) std::getline(row, field, ',');
  std::ostringstream expected;
  expected.precision(4);
  expected << std::fixed << "accuracy = " << std::stod(field);
  const std::string out = predict({runs / "r/checkpoint_latest.h5", "-data-dir", data.str(), "-out",
                                   runs / "p.csv", "-j", "1"});
  EXPECT_NE(out.find(expected.str()), std::string::npos) << out;
}

TEST(ModelFileApp, BadCommandLinesAndFiles) {
  TempDir data, runs;
  snn::test::write_synthetic_mnist(data.str(), 8, 8);
  const std::vector<std::string> base = {"-data-dir", data.str(), "-out-dir", runs / "r"};
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  EXPECT_THROW(parsed(args({"-model-file", kModels + "fc.json", "-hidden", "20"})),
               apps::UsageError);
  EXPECT_THROW(parsed(args({"-model-file", kModels + "fc.json", "-model", "resnet"})),
               apps::UsageError);
  EXPECT_THROW(parsed(args({"-model-file", kModels + "fc.json", "-preset", "tiny"})),
               apps::UsageError);
  EXPECT_THROW(parsed(args({"-model", "file"})), apps::UsageError);
  EXPECT_THROW(parsed(args({"-model-file", runs / "missing.json"})), IoError);
  const std::string bad = runs / "bad.json";
  write(bad,
        "{\"layers\": [\n  {\"type\": \"Flatten\"},\n  {\"type\": \"Linear\", \"out_features\": "
        "10,\n   \"bias\": 1}]}");
  try {
    parsed(args({"-model-file", bad}));
    ADD_FAILURE() << "bad model file accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(bad + ":4: layers[1].bias: expected true or false"),
              std::string::npos)
        << e.what();
  }
  // Shapes are checked when the data is known: 10 outputs for the 10 classes, not 7.
  const std::string seven = runs / "seven.json";
  write(seven, R"({"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 7}]})");
  try {
    train(args({"-model-file", seven, "-epochs", "1", "-T", "1", "-j", "1", "-trace", "none"}));
    ADD_FAILURE() << "7 outputs for 10 classes accepted";
  } catch (const InvalidParameter& e) {
    EXPECT_NE(std::string(e.what()).find(seven + ":1: layers[1]: the network ends with 7 outputs"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(runs / "r/checkpoint_latest.h5"));
}

TEST(ModelFileApp, ResNet18PresetOptions) {
  TempDir data, runs;
  snn::test::write_synthetic_mnist(data.str(), 8, 8);
  apps::TrainArgs a = parsed(
      {"-data-dir", data.str(), "-out-dir", runs / "r", "-model", "resnet", "-preset", "resnet18"});
  EXPECT_EQ(a.head, "gap");  // torchvision's readout unless -head is given
  EXPECT_EQ(a.T, 4);
  a = parsed({"-data-dir", data.str(), "-out-dir", runs / "r", "-model", "resnet", "-preset",
              "resnet34", "-head", "flatten"});
  EXPECT_EQ(a.head, "flatten");
  a = parsed(
      {"-data-dir", data.str(), "-out-dir", runs / "r", "-model-file", kModels + "lenet_bn.json"});
  EXPECT_EQ(a.T, 4);  // not Poisson: the residual networks' default
  EXPECT_EQ(a.encoder, "direct");
  a = parsed({"-data-dir", data.str(), "-out-dir", runs / "r", "-model-file", kModels + "fc.json"});
  EXPECT_EQ(a.T, 100);  // the fc file asks for the Poisson encoder: fc's default
}

}  // namespace
