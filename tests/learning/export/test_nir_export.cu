// NIR export of trained networks: an FC network and small Spiking/SEW ResNets exported, written,
// read back; parameters equal to the model's; BatchNorm folding checked numerically against the
// eval-mode forward of conv + BN; what NIR cannot express refused with the layer's name.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "../../io/nir_python.h"
#include "../../io/temp_dir.h"
#include "io/nir/nir_graph.h"
#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/export/nir_export.h"
#include "learning/layers/batch_norm.h"
#include "learning/layers/conv2d.h"
#include "learning/layers/flatten.h"
#include "learning/layers/layer_norm.h"
#include "learning/layers/linear.h"
#include "learning/layers/pooling.h"
#include "learning/model/fc_network.h"
#include "learning/model/resnet_builder.h"
#include "learning/neurons/if_neuron.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using io::NirGraph;
using io::NirNodeType;
using Dims = std::vector<std::int64_t>;

std::vector<double> host(const Tensor<float>& t) {
  auto h = t.to_host();
  return std::vector<double>(h.begin(), h.end());
}

bool has_edge(const NirGraph& g, const std::string& a, const std::string& b) {
  for (const auto& e : g.edges)
    if (e.source == a && e.target == b) return true;
  return false;
}

/// Random γ, β, running mean and variance (> 0), so that folding has something to get wrong.
void randomize(BatchNorm<float>& bn, std::mt19937& gen) {
  std::uniform_real_distribution<float> u(-1, 1), pos(0.2f, 2.0f);
  const std::int64_t c = bn.channels();
  auto fill = [&](Tensor<float>& t, bool positive) {
    std::vector<float> v(static_cast<std::size_t>(c));
    for (auto& x : v) x = positive ? pos(gen) : u(gen);
    t.from_host({c}, v);
  };
  fill(bn.weight().value, true);
  fill(bn.bias().value, false);
  fill(bn.running_mean().value, false);
  fill(bn.running_var().value, true);
}

void randomize_all(Layer<float>& l, std::mt19937& gen) {
  BufferList<float> buffers;
  l.collect_buffers(buffers);
  ParameterList<float> params;
  l.collect_parameters(params);
  std::uniform_real_distribution<float> u(-1, 1), pos(0.2f, 2.0f);
  for (auto* p : params) {
    if (p->name.find("bn") == std::string::npos) continue;  // γ and β of the BatchNorms
    std::vector<float> v(std::size_t(p->value.size()));
    for (auto& x : v) x = p->name.find("weight") != std::string::npos ? pos(gen) : u(gen);
    p->value.from_host(p->value.shape(), v);
  }
  for (auto* b : buffers) {
    std::vector<float> v(std::size_t(b->value.size()));
    for (auto& x : v) x = b->name.find("var") != std::string::npos ? pos(gen) : u(gen);
    b->value.from_host(b->value.shape(), v);
  }
}

/// y = conv(x) + bias in double, from a NIR Conv2d node: x [B, C, H, W] flat.
std::vector<double> nir_conv(const io::NirNode& n, const std::vector<double>& x, int batch, int H,
                             int W) {
  const auto& w = n.param("weight");
  const auto& b = n.param("bias");
  const int Co = int(w.shape[0]), Ci = int(w.shape[1]), K = int(w.shape[2]);
  const int s = int(n.param("stride").values[0]), p = int(n.param("padding").values[0]);
  const int Ho = (H + 2 * p - K) / s + 1, Wo = (W + 2 * p - K) / s + 1;
  std::vector<double> y(std::size_t(batch * Co * Ho * Wo));
  for (int bi = 0; bi < batch; ++bi)
    for (int o = 0; o < Co; ++o)
      for (int i = 0; i < Ho; ++i)
        for (int j = 0; j < Wo; ++j) {
          double acc = b.values[std::size_t(o)];
          for (int c = 0; c < Ci; ++c)
            for (int ki = 0; ki < K; ++ki)
              for (int kj = 0; kj < K; ++kj) {
                const int r = i * s - p + ki, q = j * s - p + kj;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                acc += w.values[std::size_t(((o * Ci + c) * K + ki) * K + kj)] *
                       x[std::size_t(((bi * Ci + c) * H + r) * W + q)];
              }
          y[std::size_t(((bi * Co + o) * Ho + i) * Wo + j)] = acc;
        }
  return y;
}

/// The eval-mode forward of conv then bn (the model's own layers) equals the exported Conv2d.
void expect_folded(Conv2d<float>& conv, BatchNorm<float>& bn, const io::NirNode& node, int H, int W,
                   std::mt19937& gen) {
  bn.set_training(false);
  const int B = 2;
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> xv(std::size_t(B * conv.in_channels() * H * W));
  for (auto& v : xv) v = u(gen) < 0.3f ? 1.0f : 0.0f;  // spikes, as in the network
  Tensor<float> x({1, B, conv.in_channels(), H, W}), a, y;
  x.from_host(x.shape(), xv);
  conv.forward(x, a);
  bn.forward(a, y);
  const auto ref = host(y);
  const auto got = nir_conv(node, std::vector<double>(xv.begin(), xv.end()), B, H, W);
  ASSERT_EQ(got.size(), ref.size()) << node.name;
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(got[i] - ref[i]));
  EXPECT_LT(worst, 2e-5) << node.name << ": folded conv+BN differs from the eval forward by "
                         << worst;
  double norm = 0;
  for (double v : ref) norm = std::max(norm, std::fabs(v));
  EXPECT_GT(norm, 0.1) << "the check compares something";
}

/// The eval-mode forward of a lone BatchNorm equals the exported 1×1 convolution.
void expect_bn(BatchNorm<float>& bn, const io::NirNode& node, int H, int W, std::mt19937& gen) {
  bn.set_training(false);
  const int B = 2, C = bn.channels();
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> xv(std::size_t(B * C * H * W));
  for (auto& v : xv) v = u(gen) < 0.5f ? 1.0f : 0.0f;
  Tensor<float> x({1, B, C, H, W}), y;
  x.from_host(x.shape(), xv);
  bn.forward(x, y);
  const auto ref = host(y);
  const auto got = nir_conv(node, std::vector<double>(xv.begin(), xv.end()), B, H, W);
  ASSERT_EQ(got.size(), ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i)
    EXPECT_NEAR(got[i], ref[i], 2e-6) << node.name << " " << i;
}

NirExportOptions opts(Dims in) {
  NirExportOptions o;
  o.input_shape = std::move(in);
  return o;
}

TEST(NirExport, FcNetworkWeightsAndSpikingJellyLifMapping) {
  LIFParams neuron;  // tau 2 steps, decay_input, hard reset to 0, threshold 1
  auto model = build_fc_classifier<float>(16, {5}, 3, neuron, 7);
  NirExportOptions o = opts({1, 4, 4});
  o.steps = 100;
  const NirGraph g = export_nir(*model, o);
  test::TempDir dir;
  io::write_nir(g, dir / "fc.nir");
  const NirGraph back = io::read_nir(dir / "fc.nir");
  EXPECT_EQ(back, g);
  ParameterList<float> params = model->parameters();
  ASSERT_EQ(params.size(), 2u);
  const auto& fc0 = back.at("fc0");
  EXPECT_EQ(fc0.type, NirNodeType::Linear);
  EXPECT_EQ(fc0.param("weight").shape, (Dims{5, 16}));
  EXPECT_EQ(fc0.param("weight").values, host(params[0]->value));  // bit for bit
  EXPECT_EQ(back.at("fc1").param("weight").values, host(params[1]->value));
  const auto& lif = back.at("fc0_lif");
  EXPECT_EQ(lif.type, NirNodeType::LIF);
  EXPECT_EQ(lif.param("tau").values, std::vector<double>(5, 2.0 * 1e-4));  // tau·dt
  EXPECT_EQ(lif.param("r").values, std::vector<double>(5, 1.0));           // decay_input
  EXPECT_EQ(lif.param("v_leak").values, std::vector<double>(5, 0.0));
  EXPECT_EQ(lif.param("v_threshold").values, std::vector<double>(5, 1.0));
  EXPECT_EQ(lif.param("v_reset").values, std::vector<double>(5, 0.0));
  EXPECT_EQ(lif.param("tau").dtype, io::NirDType::Float64);  // as SpikingJelly's np.full
  EXPECT_EQ(lif.param("tau").values[0] / 1e-4, 2.0);         // its importer's tau = tau_NIR / dt
  EXPECT_TRUE(has_edge(back, "input", "flatten0") && has_edge(back, "flatten0", "fc0") &&
              has_edge(back, "fc0", "fc0_lif") && has_edge(back, "fc0_lif", "fc1") &&
              has_edge(back, "fc1", "fc1_lif") && has_edge(back, "fc1_lif", "output"));
  EXPECT_EQ(back.edges.size(), 6u);
  EXPECT_EQ(back.at("output").input_type, Dims{3});
  EXPECT_EQ(back.metadata.at("encoder").text, "poisson");
  EXPECT_EQ(back.metadata.at("threshold_comparison").text, ">=");
  EXPECT_EQ(back.metadata.at("dt").values[0], 1e-4);
  EXPECT_EQ(back.metadata.at("steps").values[0], 100);
}

TEST(NirExport, LifWithoutDecayInputSoftResetAndIf) {
  auto body = std::make_unique<Sequential<float>>();
  body->add(std::make_unique<Linear<float>>(4, 3, true, "a", 1));
  LIFParams p;
  p.tau = 4.0;
  p.decay_input = false;
  p.v_reset = -0.5;
  body->add(std::make_unique<LIF<float>>(p));
  body->add(std::make_unique<Linear<float>>(3, 2, false, "b", 2));
  IFParams q;
  q.hard_reset = false;
  q.v_threshold = 0.75;
  body->add(std::make_unique<IF<float>>(q));
  NirExportOptions o = opts({4});
  o.dt = 1e-3;
  const NirGraph g = export_nir(*body, o);
  const auto& lif = g.at("a_lif");
  EXPECT_EQ(g.at("a").type, NirNodeType::Affine);
  EXPECT_EQ(lif.param("tau").values[0], 4.0 * 1e-3);
  EXPECT_EQ(lif.param("r").values[0], 4.0);  // tau when the input is not decayed
  EXPECT_EQ(lif.param("v_leak").values[0], -0.5);
  EXPECT_EQ(lif.param("v_reset").values[0], -0.5);
  const auto& ifn = g.at("b_if");
  EXPECT_EQ(ifn.type, NirNodeType::IF);
  EXPECT_EQ(ifn.param("r").values[0], 1.0 / 1e-3);
  EXPECT_EQ(ifn.param("v_threshold").values[0], 0.75);
  EXPECT_EQ(ifn.param("v_reset").values[0], 0.0);
  EXPECT_EQ(ifn.metadata.at("reset").text, "subtract");
}

TEST(NirExport, ConvBatchNormFoldedAsTheEvalForward) {
  std::mt19937 gen(3);
  auto body = std::make_unique<Sequential<float>>();
  auto& conv = static_cast<Conv2d<float>&>(
      body->add(std::make_unique<Conv2d<float>>(2, 3, 3, 2, 1, true, "c", 5)));
  auto& bn = static_cast<BatchNorm<float>&>(
      body->add(std::make_unique<BatchNorm<float>>(3, "bn", 0.1, 1e-5, 0.5)));
  body->add(std::make_unique<LIF<float>>());
  body->add(std::make_unique<AvgPool2d<float>>(2));
  body->add(std::make_unique<Flatten<float>>());
  auto& fc =
      static_cast<Linear<float>&>(body->add(std::make_unique<Linear<float>>(3, 4, true, "fc", 6)));
  auto& bn1d =
      static_cast<BatchNorm<float>&>(body->add(std::make_unique<BatchNorm<float>>(4, "bn1d")));
  randomize(bn, gen);
  randomize(bn1d, gen);
  const NirGraph g = export_nir(*body, opts({2, 5, 5}));
  expect_folded(conv, bn, g.at("c"), 5, 5, gen);
  EXPECT_EQ(g.at("c").output_type, (Dims{3, 3, 3}));
  EXPECT_EQ(g.at("avgpool3").type, NirNodeType::AvgPool2d);
  EXPECT_EQ(g.at("avgpool3").output_type, (Dims{3, 1, 1}));
  // Linear + BatchNorm1d: W' = diag(a) W, b' = a (b − μ) + β, a = γ/√(σ²+ε).
  const auto w = host(fc.weight().value), b = host(fc.bias().value);
  const auto gam = host(bn1d.weight().value), beta = host(bn1d.bias().value);
  const auto mu = host(bn1d.running_mean().value), var = host(bn1d.running_var().value);
  const auto& aff = g.at("fc");
  for (int o = 0; o < 4; ++o) {
    const double a = gam[o] / std::sqrt(var[o] + 1e-5);
    EXPECT_NEAR(aff.param("bias").values[o], a * (b[o] - mu[o]) + beta[o], 1e-6);
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(aff.param("weight").values[o * 3 + i], a * w[o * 3 + i], 1e-6);
  }
}

ResNetConfig tiny(const std::string& block, const std::string& connect = "add") {
  ResNetConfig c = resnet_preset("tiny");
  c.channels = {4, 8};
  c.block = block;
  c.connect = connect;
  return c;
}

TEST(NirExport, SpikingResNetShortcutsAsSummingEdges) {
  std::mt19937 gen(11);
  auto body = build_resnet_body<float>(tiny("spiking"), 1, 8, 8, 3, 21);
  randomize_all(*body, gen);
  body->set_training(false);
  const NirGraph g = export_nir(*body, opts({1, 8, 8}));
  // stem: conv+BN, LIF, max pool of spikes as a sum pool and a threshold at 0.5
  EXPECT_EQ(g.at("stem_conv").type, NirNodeType::Conv2d);
  EXPECT_EQ(g.at("maxpool4_sum").type, NirNodeType::SumPool2d);
  EXPECT_EQ(g.at("maxpool4_any").param("threshold").values[0], 0.5);
  EXPECT_EQ(g.at("maxpool4_any").output_type, (Dims{4, 4, 4}));
  // layer1.0 (4 → 4, stride 1): identity shortcut BN_s(x) as a diagonal 1×1 convolution
  auto& b1 = static_cast<SpikingResNetBlock<float>&>(body->layer(5));
  const auto& shortcut = g.at("layer1_0_short");
  EXPECT_EQ(shortcut.param("weight").shape, (Dims{4, 4, 1, 1}));
  EXPECT_EQ(shortcut.param("weight").values[1], 0.0);  // off-diagonal
  EXPECT_TRUE(has_edge(g, "maxpool4_any", "layer1_0_short") &&
              has_edge(g, "maxpool4_any", "layer1_0_conv1"));
  EXPECT_TRUE(has_edge(g, "layer1_0_conv2", "layer1_0_sn2") &&
              has_edge(g, "layer1_0_short", "layer1_0_sn2"));
  expect_folded(b1.conv1(), b1.bn1(), g.at("layer1_0_conv1"), 4, 4, gen);
  expect_folded(b1.conv2(), b1.bn2(), g.at("layer1_0_conv2"), 4, 4, gen);
  expect_bn(b1.bn_short(), g.at("layer1_0_short"), 4, 4, gen);  // BN_s(x) exactly
  // layer2.0 (4 → 8, stride 2): projection conv 1×1 + BN
  auto& b2 = static_cast<SpikingResNetBlock<float>&>(body->layer(6));
  ASSERT_NE(b2.down(), nullptr);
  expect_folded(*b2.down(), b2.bn_short(), g.at("layer2_0_down"), 4, 4, gen);
  expect_folded(b2.conv1(), b2.bn1(), g.at("layer2_0_conv1"), 4, 4, gen);
  // readout: the trained weights bit for bit
  auto& fc = static_cast<Linear<float>&>(body->layer(body->size() - 1));
  EXPECT_EQ(g.at("fc").param("weight").values, host(fc.weight().value));
  EXPECT_EQ(g.at("fc").param("bias").values, host(fc.bias().value));
  EXPECT_EQ(g.at("fc").input_type, Dims{8 * 2 * 2});
  test::TempDir dir;
  io::write_nir(g, dir / "resnet.nir");
  EXPECT_EQ(io::read_nir(dir / "resnet.nir"), g);
}

TEST(NirExport, SewConnectionsMapExactlyOnSpikes) {
  std::mt19937 gen(5);
  for (const char* connect : {"add", "and", "iand"}) {
    SCOPED_TRACE(connect);
    auto body = build_resnet_body<float>(tiny("sew", connect), 1, 8, 8, 3, 22);
    randomize_all(*body, gen);
    const NirGraph g = export_nir(*body, opts({1, 8, 8}));
    const std::string in = "maxpool4_any";  // block layer1.0's input, spikes
    if (std::string(connect) == "add") {    // O + x where the two edges meet in a Scale of ones
      EXPECT_EQ(g.at("layer1_0_add").type, NirNodeType::Scale);
      EXPECT_TRUE(has_edge(g, "layer1_0_sn2", "layer1_0_add") && has_edge(g, in, "layer1_0_add"));
      EXPECT_TRUE(has_edge(g, "layer2_0_down_sn", "layer2_0_add"));
    } else if (std::string(connect) == "and") {  // O·x = Θ(O + x − 1.5)
      EXPECT_EQ(g.at("layer1_0_and").param("threshold").values[0], 1.5);
      EXPECT_TRUE(has_edge(g, "layer1_0_sn2", "layer1_0_and") && has_edge(g, in, "layer1_0_and"));
    } else {  // (1 − O)·x = Θ(x − O − 0.5)
      EXPECT_EQ(g.at("layer1_0_not").param("scale").values[0], -1.0);
      EXPECT_EQ(g.at("layer1_0_iand").param("threshold").values[0], 0.5);
      EXPECT_TRUE(has_edge(g, "layer1_0_sn2", "layer1_0_not") &&
                  has_edge(g, "layer1_0_not", "layer1_0_iand") && has_edge(g, in, "layer1_0_iand"));
    }
    auto& b = static_cast<SewResNetBlock<float>&>(body->layer(6));
    expect_folded(*b.down(), *b.bn_down(), g.at("layer2_0_down"), 4, 4, gen);
  }
}

TEST(NirExport, GlobalAveragePoolingHead) {
  ResNetConfig c = tiny("spiking");
  c.head = "gap";
  auto body = build_resnet_body<float>(c, 1, 8, 8, 3, 23);
  const NirGraph g = export_nir(*body, opts({1, 8, 8}));
  const auto& pool = g.at("gap7");
  EXPECT_EQ(pool.type, NirNodeType::AvgPool2d);
  EXPECT_EQ(pool.param("kernel_size").values, (std::vector<double>{2, 2}));
  EXPECT_EQ(g.at("gap7_flatten").output_type, Dims{8});
  EXPECT_EQ(g.at("fc").input_type, Dims{8});
}

std::string refusal(Sequential<float>& body, Dims in) {
  try {
    export_nir(body, opts(std::move(in)));
  } catch (const InvalidParameter& e) {
    return e.what();
  }
  return "";
}

TEST(NirExport, RefusesWhatNirCannotExpressNamingTheLayer) {
  {  // a max pool of membrane values (not spikes)
    Sequential<float> body;
    body.add(std::make_unique<Conv2d<float>>(1, 2, 3, 1, 1, false, "c", 1));
    body.add(std::make_unique<BatchNorm<float>>(2));
    body.add(std::make_unique<MaxPool2d<float>>(2));
    const std::string msg = refusal(body, {1, 4, 4});
    EXPECT_NE(msg.find("layer (2) MaxPool2d"), std::string::npos) << msg;
    EXPECT_NE(msg.find("not spike-valued"), std::string::npos) << msg;
  }
  {  // SEW AND whose identity is not spikes
    Sequential<float> body;
    body.add(std::make_unique<Conv2d<float>>(1, 2, 3, 1, 1, false, "c", 1));
    body.add(
        std::make_unique<SewResNetBlock<float>>(2, 2, 1, SewConnect::And, LIFParams{}, "blk", 2));
    const std::string msg = refusal(body, {1, 4, 4});
    EXPECT_NE(msg.find("layer (1) SewResNetBlock"), std::string::npos) << msg;
    EXPECT_NE(msg.find("SEW AND"), std::string::npos) << msg;
  }
  {  // no NIR node for a LayerNorm
    Sequential<float> body;
    body.add(std::make_unique<Linear<float>>(4, 4, false, "a", 1));
    body.add(std::make_unique<LayerNorm<float>>(4));
    const std::string msg = refusal(body, {4});
    EXPECT_NE(msg.find("layer (1) LayerNorm"), std::string::npos) << msg;
  }
  {  // a shape the layer does not take
    Sequential<float> body;
    body.add(std::make_unique<Linear<float>>(4, 4, false, "a", 1));
    const std::string msg = refusal(body, {5});
    EXPECT_NE(msg.find("layer (0) Linear"), std::string::npos) << msg;
  }
}

TEST(NirExport, NirPythonReadsTheExportedResNets) {
  const test::NirPython py;
  if (!py.why_not.empty()) GTEST_SKIP() << py.why_not;
  test::TempDir dir;
  for (const char* connect : {"add", "iand"}) {
    auto body = build_resnet_body<float>(tiny("sew", connect), 1, 8, 8, 3, 24);
    const std::string path = dir / (std::string("sew_") + connect + ".nir");
    io::write_nir(export_nir(*body, opts({1, 8, 8})), path);
    std::string out;
    // nir.read type-checks every edge (shapes of Conv2d, SumPool2d, Threshold, Scale ...).
    EXPECT_EQ(
        py.run("rewrite " + test::shell_quote(path) + " " + test::shell_quote(path + ".py"), out),
        0)
        << out;
    std::printf("%s", out.c_str());
    EXPECT_EQ(io::read_nir(path + ".py").nodes.size(), io::read_nir(path).nodes.size());
  }
}

}  // namespace
}  // namespace snn::learning
