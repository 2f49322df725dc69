// Trained networks to NIR: snn-train writes model.nir beside its checkpoints, and snn-nir-export
// turns a checkpoint into the same graph; the NIR parameters are the checkpoint's trained weights
// (BatchNorm folded into the stem convolution, checked against the checkpoint's statistics).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_model.h"
#include "apps/snn-train/train_options.h"
#include "io/checkpoint.h"
#include "io/nir/nir_graph.h"
#include "tests/apps/synthetic_idx.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn;

void train(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"snn-train"};
  for (auto& a : args) argv.push_back(a.c_str());
  apps::TrainArgs a = apps::parse_train_args(static_cast<int>(argv.size()), argv.data());
  apps::validate_train_args(a);
  std::ostringstream out;
  apps::run_train(a, out);
}

const io::NamedTensor& tensor(const std::vector<io::NamedTensor>& list, const std::string& name) {
  for (const auto& t : list)
    if (t.name == name) return t;
  throw std::runtime_error("no tensor " + name);
}

class NirExportApp : public ::testing::Test {
 public:
  void SetUp() override { snn::test::write_synthetic_mnist(data.str(), 64, 16); }
  std::vector<std::string> base(const std::string& out) {
    return {"-data-dir", data.str(), "-out-dir", out,  "-T", "4",     "-b",
            "16",        "-epochs",  "1",        "-j", "2",  "-seed", "5"};
  }
  /// Runs the converter program on `checkpoint`; its exit status.
  int convert(const std::string& checkpoint, const std::string& out) {
    const std::string cmd =
        std::string(SNN_NIR_EXPORT_BINARY) + " '" + checkpoint + "' -o '" + out + "' > /dev/null";
    return std::system(cmd.c_str());
  }
  snn::test::TempDir data, runs;
};

TEST_F(NirExportApp, FcModelNirHoldsTheTrainedWeights) {
  const std::string dir = runs / "fc";
  auto args = base(dir);
  args.insert(args.end(), {"-hidden", "12", "-tau", "3"});
  train(args);
  const io::NirGraph g = io::read_nir(dir + "/model.nir");
  const io::CheckpointData ck = io::read_checkpoint(dir + "/checkpoint_latest.h5");
  EXPECT_EQ(g.at("fc0").param("weight").values, tensor(ck.parameters, "fc0.weight").values);
  EXPECT_EQ(g.at("fc0").param("weight").shape, (std::vector<std::int64_t>{12, 784}));
  EXPECT_EQ(g.at("fc1").param("weight").values, tensor(ck.parameters, "fc1.weight").values);
  EXPECT_EQ(g.at("fc0_lif").param("tau").values[0], 3 * 1e-4);
  EXPECT_EQ(g.metadata.at("steps").values[0], 4);
  // The converter gives the same graph from the checkpoint alone.
  ASSERT_EQ(convert(dir + "/checkpoint_latest.h5", runs / "fc_conv.nir"), 0);
  EXPECT_EQ(io::read_nir(runs / "fc_conv.nir"), g);
}

TEST_F(NirExportApp, ResNetStemBatchNormFoldedAndConverterAgrees) {
  const std::string dir = runs / "resnet";
  auto args = base(dir);
  args.insert(args.end(), {"-model", "resnet", "-preset", "tiny", "-loss", "ce"});
  train(args);
  const io::NirGraph g = io::read_nir(dir + "/model.nir");
  const io::CheckpointData ck = io::read_checkpoint(dir + "/checkpoint_latest.h5");
  // stem: W' = W γ/√(σ²+ε), b' = β − γ μ/√(σ²+ε) per output channel, from the trained values
  const auto& w = tensor(ck.parameters, "stem.conv.weight");
  const auto& gam = tensor(ck.parameters, "stem.bn.weight");
  const auto& beta = tensor(ck.parameters, "stem.bn.bias");
  const auto& mu = tensor(ck.buffers, "stem.bn.running_mean");
  const auto& var = tensor(ck.buffers, "stem.bn.running_var");
  const auto& conv = g.at("stem_conv");
  ASSERT_EQ(conv.param("weight").shape, w.shape);
  const std::size_t per = w.values.size() / gam.values.size();
  double moved = 0;
  for (std::size_t c = 0; c < gam.values.size(); ++c) {
    const double a = gam.values[c] / std::sqrt(var.values[c] + 1e-5);
    EXPECT_NEAR(conv.param("bias").values[c], beta.values[c] - a * mu.values[c], 1e-6);
    for (std::size_t k = 0; k < per; ++k)
      EXPECT_NEAR(conv.param("weight").values[c * per + k], a * w.values[c * per + k], 1e-6);
    moved += std::fabs(mu.values[c]);
  }
  EXPECT_GT(moved, 0) << "training moved the running statistics";
  EXPECT_EQ(g.at("fc").param("weight").values, tensor(ck.parameters, "fc.weight").values);
  EXPECT_EQ(g.at("fc").param("bias").values, tensor(ck.parameters, "fc.bias").values);
  EXPECT_EQ(g.metadata.at("encoder").text, "direct");
  ASSERT_EQ(convert(dir + "/checkpoint_max.h5", runs / "resnet_conv.nir"), 0);
  EXPECT_EQ(io::read_nir(runs / "resnet_conv.nir"), g);  // one epoch: max = latest
}

TEST_F(NirExportApp, ConverterErrors) {
  EXPECT_NE(convert(runs / "absent.h5", runs / "x.nir"), 0);
  EXPECT_FALSE(std::filesystem::exists(runs / "x.nir"));
}

TEST(NirExportArgs, ArchitectureBackFromTheCheckpointArguments) {
  apps::TrainArgs a;
  a.model = "sew-resnet";
  a.connect = "iand";
  a.channels = {4, 8};
  a.blocks = {1, 2};
  a.tau = 3.5;
  a.spiking_readout = true;
  a.encoder = "poisson";
  const apps::TrainArgs b = apps::train_args_from_map(a.as_map());
  EXPECT_EQ(b.model, "sew-resnet");
  EXPECT_EQ(b.connect, "iand");
  EXPECT_EQ(b.channels, (std::vector<int>{4, 8}));
  EXPECT_EQ(b.blocks, (std::vector<int>{1, 2}));
  EXPECT_EQ(b.tau, 3.5);
  EXPECT_TRUE(b.spiking_readout);
  EXPECT_EQ(b.encoder, "poisson");
}

}  // namespace
