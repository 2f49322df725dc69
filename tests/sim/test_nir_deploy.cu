// A trained-network layout deployed: the 784-10 LIF classifier of snn-train (lif_fc_mnist) as a
// NIR graph (Input -> Linear -> LIF with tau = tau_steps·dt, r = 1, v_leak = v_reset = 0,
// threshold >=, SpikingJelly's mapping) run event-driven on the trainer's own Poisson input
// spikes gives the trainer's output spikes, step for step. Synthetic images always; the shared
// 2,000-image MNIST split when present.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "apps/snn-sim/run_nir.h"
#include "io/idx_reader.h"
#include "io/nir/nir_graph.h"
#include "learning/export/nir_export.h"
#include "learning/model/classifier.h"
#include "learning/model/fc_network.h"
#include "learning/model/resnet_builder.h"
#include "sim/core/rng.h"
#include "sim/nir/nir_plan.h"
#include "sim/nir/nir_readout.h"
#include "sim_test_util.h"

namespace snn::sim::nir {
namespace {

using io::NirArray;
using io::NirGraph;
using io::NirNode;
using io::NirNodeType;

NirNode node(const std::string& name, NirNodeType t, std::map<std::string, NirArray> params) {
  NirNode n;
  n.name = name;
  n.type = t;
  n.params = std::move(params);
  return n;
}

/// The 784-10 network as NIR (what the exporter writes for -model fc).
NirGraph fc_graph(const std::vector<float>& w, int in, int out, double tau_steps, double dt) {
  NirGraph g;
  std::vector<double> wd(w.begin(), w.end());
  auto full = [](int n, double x) { return NirArray::vector(std::vector<double>(n, x)); };
  g.nodes = {node("input", NirNodeType::Input, {{"shape", NirArray::vector({double(in)})}}),
             node("fc0", NirNodeType::Linear, {{"weight", NirArray::tensor({out, in}, wd)}}),
             node("lif0", NirNodeType::LIF,
                  {{"tau", full(out, tau_steps * dt)},
                   {"r", full(out, 1)},
                   {"v_leak", full(out, 0)},
                   {"v_threshold", full(out, 1)},
                   {"v_reset", full(out, 0)}}),
             node("output", NirNodeType::Output, {{"shape", NirArray::vector({double(out)})}})};
  g.edges = {{"input", "fc0"}, {"fc0", "lif0"}, {"lif0", "output"}};
  return g;
}

struct Comparison {
  long spikes = 0, differing = 0, images = 0, same_prediction = 0;
};

Comparison compare(const std::vector<std::uint8_t>& images, int count, int T, bool fused,
                   bool from_exporter) {
  const int in = 784, out = 10;
  learning::LIFParams lif;
  lif.tau = 2.0;
  auto model = learning::build_fc_classifier<float>(in, {}, out, lif, 0);
  model->set_training(false);
  model->set_fused(fused);
  // Weights that make the outputs fire often (a strong test), as a trained net's would.
  CounterRng rng{42, 3};
  std::vector<float> w(out * in);
  for (std::size_t k = 0; k < w.size(); ++k)
    w[k] = static_cast<float>(uniform01_double(rng.draw(k, 0, 0, 0).w[0], 0) * 0.13 - 0.05);
  model->parameters().at(0)->value.from_host({out, in}, w);
  NirSimOptions o;
  o.neuron.threshold_ge = true;
  NirPlan plan = plan_nir(fc_graph(w, in, out, 2.0, o.dt_s), o);
  if (from_exporter) {
    // snn-train's path: learning/export -> model.nir -> read back -> the metadata's choices.
    learning::NirExportOptions eo;
    eo.input_shape = {1, 28, 28};
    eo.steps = T;
    const std::string path = ::testing::TempDir() + "nir_deploy_fc.nir";
    io::write_nir(learning::export_nir(*model, eo), path);
    const io::NirGraph g = io::read_nir(path);
    EXPECT_EQ(g.metadata.at("threshold_comparison").text, ">=");
    plan = plan_nir(g, NirSimOptions{});  // threshold '>' unless the metadata is applied ...
    apps::SimArgs args;
    plan = plan_nir(g, apps::nir_options(args, g));  // ... as snn-sim does
  }
  std::string input = plan.input_names().at(0), output;
  for (const PlanOutput& po : plan.outputs)
    if (po.spikes) output = po.population;
  Comparison c;
  for (int i = 0; i < count; ++i) {
    const std::uint8_t* px = &images[static_cast<std::size_t>(i) * in];
    learning::Tensor<float> x({1, in});
    std::vector<float> xh(in);
    for (int p = 0; p < in; ++p) xh[p] = static_cast<float>(px[p]) / 255.0f;
    x.from_host({1, in}, xh);
    const std::vector<float> trainer =
        model->forward(x, T, (std::uint64_t{1} << 32) + static_cast<unsigned>(i)).to_host();
    SimConfig cfg;
    cfg.dt_ms = plan.dt_ms();
    cfg.lanes = 1;
    Network net(cfg);
    add_to_network(plan, net, {{input, apps::poisson_image_spikes(px, in, T, 0, i)}});
    auto sim = test::run_and_collect(net, T * cfg.dt_ms);
    std::vector<std::uint8_t> s(T * out, 0);
    for (auto& [t, j] : sim[output]) s.at((t - 1) * out + j) = 1;
    std::vector<long> ct(out, 0), cs(out, 0);
    for (int k = 0; k < T * out; ++k) {
      c.spikes += trainer[k] != 0;
      c.differing += (trainer[k] != 0) != (s[k] != 0);
      ct[k % out] += trainer[k] != 0;
      cs[k % out] += s[k];
    }
    c.same_prediction += std::max_element(ct.begin(), ct.end()) - ct.begin() ==
                         std::max_element(cs.begin(), cs.end()) - cs.begin();
    ++c.images;
  }
  return c;
}

std::vector<std::uint8_t> synthetic_images(int n) {
  CounterRng rng{7, 1};
  std::vector<std::uint8_t> img(static_cast<std::size_t>(n) * 784);
  for (std::size_t k = 0; k < img.size(); ++k) {
    const double u = uniform01_double(rng.draw(k, 0, 0, 0).w[0], 0);
    img[k] = u < 0.8 ? 0 : static_cast<std::uint8_t>(255 * (u - 0.8) / 0.2);
  }
  return img;
}

TEST(NirDeploy, FcOutputSpikesEqualTrainerForwardSynthetic) {
  for (bool exporter : {false, true})
    for (bool fused : {true, false}) {
      Comparison c = compare(synthetic_images(20), 20, 100, fused, exporter);
      EXPECT_GT(c.spikes, 2000) << "fused " << fused << ", exporter " << exporter;
      EXPECT_EQ(c.differing, 0) << "fused " << fused << ", exporter " << exporter << ": of "
                                << c.spikes << " spikes";
      EXPECT_EQ(c.same_prediction, c.images);
    }
}

TEST(NirDeploy, FcOutputSpikesEqualTrainerForwardMnistSplit) {
  const std::string dir = std::string(SNN_SHARED_DATA_DIR) + "/mnist-t10k-split";
  if (!std::ifstream(dir + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "no " << dir << " (the shared MNIST split is not on this machine)";
  io::ImageSet test = io::read_mnist(dir, false);
  ASSERT_EQ(test.count, 2000);
  // The first 100 images here (a few seconds); all 2,000: build/bench/nir/snn-bench-nir, which
  // exits non-zero if any spike differs.
  Comparison c = compare(test.images, 100, 100, true, true);
  EXPECT_GT(c.spikes, 5000);
  EXPECT_EQ(c.differing, 0) << "of " << c.spikes << " spikes";
  EXPECT_EQ(c.same_prediction, c.images);
}

// A ResNet with snn-train's default Linear head (no output neurons): the graph's Output reads the
// last LIF layer through the Affine, and the event-driven run's summed read-out over T equals the
// trainer's forward (the head's mean over T, times T) on the same Poisson input spikes: BatchNorm
// folded into the convolutions, SEW ADD and the Spiking ResNet shortcut as summing edges.
struct ResNetComparison {
  int images = 0, differing = 0, same_prediction = 0;
  double max_error = 0, head_input_spikes = 0;
};

ResNetComparison compare_resnet(const std::string& block, const std::vector<std::uint8_t>& images,
                                int count, int T, bool direct = false) {
  learning::ResNetConfig c = learning::resnet_preset("tiny");
  c.block = block;
  c.connect = "add";
  learning::Classifier<float> model(
      direct ? learning::EncoderKind::Direct : learning::EncoderKind::Poisson,
      learning::build_resnet_body<float>(c, 1, 28, 28, 10, 11), 0);
  model.set_training(false);
  // Stronger weights than the initialiser's, so that the deep layers fire as a trained net's do.
  for (auto* p : model.parameters())
    if (p->value.shape().size() >= 2) {
      std::vector<float> w = p->value.to_host();
      for (float& v : w) v *= 5.0f;
      p->value.from_host(p->value.shape(), w);
    }
  learning::NirExportOptions eo;
  eo.input_shape = {1, 28, 28};
  eo.steps = T;
  eo.encoder = direct ? "direct" : "poisson";
  const std::string path =
      ::testing::TempDir() + "nir_deploy_" + block + (direct ? "_direct" : "") + ".nir";
  io::write_nir(learning::export_nir(model, eo), path);
  const io::NirGraph g = io::read_nir(path);
  const NirPlan plan = plan_nir(g, apps::nir_options(apps::SimArgs{}, g));
  const std::string input = plan.input_names().at(0);
  const PlanOutput* out = nullptr;
  for (const PlanOutput& o : plan.outputs)
    if (o.spikes) out = &o;
  EXPECT_NE(out, nullptr);
  if (!out) return {};
  EXPECT_FALSE(reads_spikes_directly(out->readout)) << "the Linear head is not a read-out";
  ResNetComparison r;
  for (int i = 0; i < count; ++i) {
    const std::uint8_t* px = &images[static_cast<std::size_t>(i) * 784];
    learning::Tensor<float> x({1, 784});
    std::vector<float> xh(784);
    for (int p = 0; p < 784; ++p) xh[p] = static_cast<float>(px[p]) / 255.0f;
    x.from_host({1, 784}, xh);
    const std::vector<float> y =
        model.forward(x, T, (std::uint64_t{1} << 32) + static_cast<unsigned>(i)).to_host();
    std::vector<double> trainer(10, 0.0);
    for (int t = 0; t < T; ++t)
      for (int k = 0; k < 10; ++k) trainer[k] += y[t * 10 + k];
    SimConfig cfg;
    cfg.dt_ms = plan.dt_ms();
    cfg.lanes = 1;
    Network net(cfg);
    if (direct)
      add_to_network(plan, net, {}, {}, true, {{input, apps::direct_image_values(px, 784)}});
    else
      add_to_network(plan, net, {{input, apps::poisson_image_spikes(px, 784, T, 0, i)}});
    auto sim = test::run_and_collect(net, T * cfg.dt_ms);
    std::map<std::string, StepSpikes> read;
    for (const auto& [source, map] : out->readout.maps)
      for (auto& [t, j] : sim[source]) {
        read[source].ids.push_back(static_cast<std::uint32_t>(j));
        read[source].steps.push_back(t);
        r.head_input_spikes += 1;
      }
    const std::vector<double> ev = output_sum(out->readout, read, T);
    EXPECT_EQ(ev.size(), 10u);
    double err = 0;
    for (int k = 0; k < 10; ++k)
      err = std::max(err, std::fabs(ev[k] - trainer[k]) / (1 + std::fabs(trainer[k])));
    r.max_error = std::max(r.max_error, err);
    r.differing += err > 1e-4;
    r.same_prediction += std::max_element(ev.begin(), ev.end()) - ev.begin() ==
                         std::max_element(trainer.begin(), trainer.end()) - trainer.begin();
    ++r.images;
  }
  r.head_input_spikes /= std::max(1, r.images);
  return r;
}

// A direct-encoded ResNet (snn-train's default for ResNets): the image is a constant input of the
// stem's convolution at every step (add_to_network's per-element values, a bias of the stem's
// neurons), the rest event-driven as above.
TEST(NirDeploy, DirectEncodedResNetEqualsTrainerForward) {
  for (const std::string block : {"spiking", "sew"}) {
    ResNetComparison c = compare_resnet(block, synthetic_images(8), 8, 8, true);
    EXPECT_EQ(c.images, 8);
    std::printf(
        "%s ResNet, direct input: %.1f spikes into the head per image, read-out error up to %.2g, "
        "%d of %d images differ\n",
        block.c_str(), c.head_input_spikes, c.max_error, c.differing, c.images);
    EXPECT_GT(c.head_input_spikes, 20)
        << block << ": the last LIF layer hardly fires (a weak test)";
    EXPECT_EQ(c.differing, 0) << block << ": read-out error up to " << c.max_error;
    EXPECT_EQ(c.same_prediction, c.images) << block;
  }
}

TEST(NirDeploy, DirectEncodedResNetEqualsTrainerForwardMnistSplit) {
  const std::string dir = std::string(SNN_SHARED_DATA_DIR) + "/mnist-t10k-split";
  if (!std::ifstream(dir + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "no " << dir << " (the shared MNIST split is not on this machine)";
  io::ImageSet test = io::read_mnist(dir, false);
  // The first 50 images (seconds); a trained network on all 2,000: README "Deployed classifiers".
  for (const std::string block : {"spiking", "sew"}) {
    ResNetComparison c = compare_resnet(block, test.images, 50, 4, true);
    EXPECT_GT(c.head_input_spikes, 20) << block;
    EXPECT_EQ(c.differing, 0) << block << ": read-out error up to " << c.max_error;
    EXPECT_EQ(c.same_prediction, c.images) << block;
  }
}

TEST(NirDeploy, ResNetLinearHeadEqualsTrainerForward) {
  for (const std::string block : {"spiking", "sew"}) {
    ResNetComparison c = compare_resnet(block, synthetic_images(8), 8, 8);
    EXPECT_EQ(c.images, 8);
    std::printf("%s ResNet: %.1f spikes into the head per image, read-out error up to %.2g\n",
                block.c_str(), c.head_input_spikes, c.max_error);
    EXPECT_GT(c.head_input_spikes, 20)
        << block << ": the last LIF layer hardly fires (a weak test)";
    EXPECT_EQ(c.differing, 0) << block << ": read-out error up to " << c.max_error;
    EXPECT_EQ(c.same_prediction, c.images) << block;
  }
}

}  // namespace
}  // namespace snn::sim::nir
