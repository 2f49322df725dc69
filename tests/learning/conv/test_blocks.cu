// Residual blocks: the whole block's BPTT gradient against finite differences. The LIF neurons
// run their smooth surrogate forward (S = σ(H − V_th), the primitive whose derivative the backward
// uses), which makes the block a differentiable function whose exact gradient the backward must
// produce: every convolution, BatchNorm (training mode), neuron, shortcut and connect function is
// on the checked path.
#include <gtest/gtest.h>

#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "sim/core/errors.h"
#include "tests/learning/conv/fd_check.h"

namespace snn::learning {
namespace {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

template <class Block>
void check_block(Block& block, const Shape& in_shape, double lo, double hi) {
  for (SpikingNeuron<double>* n : block.neurons()) n->set_smooth_forward(true);
  Tensor<double> x = random_tensor(in_shape, 41, lo, hi), y, gx;
  block.forward(x, y);
  Tensor<double> w = random_tensor(y.shape(), 42);
  ParameterList<double> params;
  block.collect_parameters(params);
  for (Parameter<double>* p : params) p->zero_grad();
  block.backward(x, y, w, gx);
  ASSERT_EQ(gx.shape(), x.shape());
  auto loss = [&] {
    Tensor<double> out;
    block.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-6, 120);
  for (Parameter<double>* p : params)
    expect_gradient(p->value, p->grad.to_host(), loss, p->name.c_str(), 1e-6, 24);
}

Tensor<float> random_tensor_f(const Shape& shape, std::uint64_t seed) {
  const std::vector<double> v =
      testing::random_values(static_cast<std::size_t>(shape_size(shape)), seed, 0, 1);
  Tensor<float> t;
  t.from_host(shape, std::vector<float>(v.begin(), v.end()));
  return t;
}

/// Gradients of a block whose neurons recompute H_t from the inputs the block passes back (its
/// default) and of the same block storing H_t: the same operations on the same values, so bit for
/// bit the same, with real (Heaviside) spikes.
template <class Block, class... Args>
void expect_recomputed_history_exact(const Shape& in_shape, Args... args) {
  Block recomputed(args...), stored(args...);
  for (SpikingNeuron<float>* n : stored.neurons()) n->set_store_history(true);
  std::vector<std::vector<float>> grads[2];
  int spikes = 0;
  for (int k = 0; k < 2; ++k) {
    Block& block = k ? stored : recomputed;
    Tensor<float> x = random_tensor_f(in_shape, 51), y, gx;
    block.forward(x, y);
    Tensor<float> w = random_tensor_f(y.shape(), 52);
    ParameterList<float> params;
    block.collect_parameters(params);
    for (Parameter<float>* p : params) p->zero_grad();
    block.backward(x, y, w, gx);
    grads[k].push_back(gx.to_host());
    for (Parameter<float>* p : params) grads[k].push_back(p->grad.to_host());
    for (float v : y.to_host()) spikes += v > 0;
  }
  EXPECT_GT(spikes, 10);  // the neurons fire: resets are on the path
  ASSERT_EQ(grads[0].size(), grads[1].size());
  for (std::size_t i = 0; i < grads[0].size(); ++i) EXPECT_EQ(grads[0][i], grads[1][i]) << i;
}

TEST(ResNetBlocks, RecomputedNeuronHistoryGivesTheStoredHistorysGradients) {
  expect_recomputed_history_exact<SpikingResNetBlock<float>>({4, 2, 3, 6, 6}, 3, 3, 1, LIFParams{},
                                                             "b", 1, true);
  expect_recomputed_history_exact<SpikingResNetBlock<float>>({4, 2, 3, 6, 6}, 3, 3, 1, LIFParams{},
                                                             "b", 1, false);
  expect_recomputed_history_exact<SpikingResNetBlock<float>>({4, 2, 2, 6, 6}, 2, 4, 2, LIFParams{},
                                                             "b", 2, true);
  for (SewConnect c : {SewConnect::Add, SewConnect::IAnd}) {
    expect_recomputed_history_exact<SewResNetBlock<float>>({4, 2, 3, 6, 6}, 3, 3, 1, c, LIFParams{},
                                                           "s", 3);
    expect_recomputed_history_exact<SewResNetBlock<float>>({4, 2, 2, 6, 6}, 2, 4, 2, c, LIFParams{},
                                                           "s", 4);
  }
}

TEST(SpikingResNetBlock, IdentityShortcutGradientMatchesFiniteDifferences) {
  SpikingResNetBlock<double> block(3, 3, 1, LIFParams{}, "b", 1);
  EXPECT_FALSE(block.has_projection());
  check_block(block, {3, 2, 3, 5, 5}, 0, 1);
}

// torchvision's BasicBlock (ResNet-18/34 presets): x added to the main branch as it is.
TEST(SpikingResNetBlock, IdentityWithoutShortcutBnGradientMatchesFiniteDifferences) {
  SpikingResNetBlock<double> block(3, 3, 1, LIFParams{}, "b", 1, /*identity_bn=*/false);
  EXPECT_FALSE(block.has_shortcut_bn());
  ParameterList<double> params;
  block.collect_parameters(params);
  EXPECT_EQ(params.size(), 6u);  // conv1, bn1 (2), conv2, bn2 (2): no short.bn
  for (Parameter<double>* p : params) EXPECT_EQ(p->name.find("short"), std::string::npos);
  check_block(block, {3, 2, 3, 5, 5}, 0, 1);
}

TEST(SpikingResNetBlock, ProjectionShortcutGradientMatchesFiniteDifferences) {
  SpikingResNetBlock<double> block(2, 4, 2, LIFParams{}, "b", 2);
  EXPECT_TRUE(block.has_projection());
  check_block(block, {3, 2, 2, 6, 5}, 0, 1);
}

class SewConnects : public ::testing::TestWithParam<SewConnect> {};

TEST_P(SewConnects, IdentityGradientMatchesFiniteDifferences) {
  SewResNetBlock<double> block(3, 3, 1, GetParam(), LIFParams{}, "b", 3);
  check_block(block, {3, 2, 3, 5, 4}, 0, 1);
}

TEST_P(SewConnects, DownsampleGradientMatchesFiniteDifferences) {
  SewResNetBlock<double> block(2, 3, 2, GetParam(), LIFParams{}, "b", 4);
  EXPECT_TRUE(block.has_projection());
  check_block(block, {2, 2, 2, 6, 6}, 0, 1);
}

INSTANTIATE_TEST_SUITE_P(Connect, SewConnects,
                         ::testing::Values(SewConnect::Add, SewConnect::And, SewConnect::IAnd));

TEST(SewResNetBlock, ConnectFunctionsOnSpikes) {
  // With real spikes: the block output is ADD O+id, AND O·id, IAND (1−O)·id of binary maps. The
  // three blocks share their weights (same seed), so O = ADD's output − id serves all three.
  Tensor<double> x = random_tensor({4, 3, 2, 5, 5}, 6, 0, 1);
  std::vector<double> h = x.to_host();
  for (double& v : h) v = v > 0.5 ? 1.0 : 0.0;
  x.from_host(x.shape(), h);
  std::vector<double> out[3];
  const SewConnect connects[3] = {SewConnect::Add, SewConnect::And, SewConnect::IAnd};
  for (int k = 0; k < 3; ++k) {
    SewResNetBlock<double> block(2, 2, 1, connects[k], LIFParams{}, "b", 5);
    Tensor<double> y;
    block.forward(x, y);
    out[k] = y.to_host();
  }
  ASSERT_EQ(out[0].size(), h.size());
  std::size_t branch_spikes = 0, both = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const double o = out[0][i] - h[i];  // the residual branch's spike
    ASSERT_TRUE(o == 0.0 || o == 1.0) << i;
    branch_spikes += o == 1.0;
    both += o == 1.0 && h[i] == 1.0;
    EXPECT_EQ(out[1][i], o * h[i]) << "AND at " << i;
    EXPECT_EQ(out[2][i], (1 - o) * h[i]) << "IAND at " << i;
  }
  // The branch must both spike and stay silent somewhere, where the identity spikes too, or the
  // checks above could not tell the functions apart.
  EXPECT_GT(both, 10u);
  EXPECT_LT(branch_spikes, h.size() - 10);
  std::size_t id_spikes = 0;
  for (double v : h) id_spikes += v == 1.0;
  EXPECT_LT(both + 10, id_spikes);
}

TEST(ResNetBlocks, NamesBuffersAndTrainingMode) {
  SpikingResNetBlock<float> a(4, 8, 2, LIFParams{}, "layer2.0", 1);
  ParameterList<float> p;
  a.collect_parameters(p);
  std::vector<std::string> names;
  for (auto* q : p) names.push_back(q->name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "layer2.0.conv1.weight", "layer2.0.bn1.weight", "layer2.0.bn1.bias",
                "layer2.0.conv2.weight", "layer2.0.bn2.weight", "layer2.0.bn2.bias",
                "layer2.0.down.conv.weight", "layer2.0.down.bn.weight", "layer2.0.down.bn.bias"}));
  BufferList<float> b;
  a.collect_buffers(b);
  EXPECT_EQ(b.size(), 6u);
  SewResNetBlock<float> s(4, 4, 1, SewConnect::Add, LIFParams{}, "layer1.0", 1);
  BufferList<float> sb;
  s.collect_buffers(sb);
  EXPECT_EQ(sb.size(), 4u);  // no downsample branch
  // evaluation mode: repeated forwards agree and do not move the running statistics
  a.set_training(false);
  Tensor<float> x({2, 2, 4, 6, 6}, 0.5f), y1, y2;
  a.forward(x, y1);
  std::vector<float> rm = b[0]->value.to_host();
  a.forward(x, y2);
  EXPECT_EQ(y1.to_host(), y2.to_host());
  EXPECT_EQ(b[0]->value.to_host(), rm);
}

TEST(SewConnect, ParsesNames) {
  EXPECT_EQ(parse_sew_connect("add"), SewConnect::Add);
  EXPECT_EQ(parse_sew_connect("AND"), SewConnect::And);
  EXPECT_EQ(parse_sew_connect("iand"), SewConnect::IAnd);
  EXPECT_THROW(parse_sew_connect("or"), InvalidParameter);
  EXPECT_EQ(sew_connect_name(SewConnect::IAnd), "iand");
}

}  // namespace
}  // namespace snn::learning
