// Direct encoding computed once (Sequential::forward_repeated, Classifier::direct_once): the
// stem's convolution and BatchNorm run on one frame instead of T identical ones. Each piece is
// checked against the T-copy computation it replaces: the neuron fed one frame at every step, the
// BatchNorm's running variance over the copies, and whole ResNets trained for a few Adam steps
// both ways (the same weights and running statistics, up to float rounding); and the neuron that
// folds the max pool after it into its passes against the two layers run one after the other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/encoding/encoders.h"
#include "learning/layers/batch_norm.h"
#include "learning/layers/pooling.h"
#include "learning/loss/rate_loss.h"
#include "learning/model/resnet_builder.h"
#include "learning/neurons/lif.h"
#include "learning/optim/adam.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

/// Values in [-1, 2) from a fixed formula: about half the LIF inputs cross the threshold.
std::vector<double> pattern(std::size_t n, int salt) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = ((i * 37 + salt * 11) % 97) / 32.0 - 1.0;
  return v;
}

// 5 steps: the backward recomputes H_t from the frame; 70 (over its 64-step stack history): the
// forward stores H_t. Both must be the T-copy computation's values.
class DirectOnceSteps : public ::testing::TestWithParam<int> {};

TEST_P(DirectOnceSteps, NeuronFedOneFrameEqualsTheRepeatedInputAndSumsItsGradient) {
  const int steps = GetParam(), batch = 3, n = 70;  // 70 neurons: a whole and a partial chunk
  const std::vector<double> frame = pattern(batch * n, 1), grad = pattern(steps * batch * n, 2);
  Tensor<double> x1, xt, g, y1, yt, gx1, gxt;
  x1.from_host({1, batch, n}, frame);
  std::vector<double> copies;
  for (int t = 0; t < steps; ++t) copies.insert(copies.end(), frame.begin(), frame.end());
  xt.from_host({steps, batch, n}, copies);
  g.from_host({steps, batch, n}, grad);

  LIF<double> once, repeated;
  once.forward_repeated(x1, steps, y1);
  repeated.forward(xt, yt);
  ASSERT_EQ(y1.shape(), yt.shape());
  EXPECT_EQ(y1.to_host(), yt.to_host());
  const auto s = y1.to_host();
  const double rate = std::count(s.begin(), s.end(), 1.0) / double(s.size());
  EXPECT_GT(rate, 0.1);  // the test exercises spikes and resets, not a silent layer
  EXPECT_LT(rate, 0.9);

  once.backward(x1, y1, g, gx1);
  repeated.backward(xt, yt, g, gxt);
  ASSERT_EQ(gx1.shape(), (Shape{1, batch, n}));
  const auto a = gx1.to_host(), b = gxt.to_host();
  double worst = 0, norm = 0;
  for (int i = 0; i < batch * n; ++i) {
    double sum = 0;
    for (int t = 0; t < steps; ++t) sum += b[t * batch * n + i];
    worst = std::max(worst, std::abs(a[i] - sum));
    norm = std::max(norm, std::abs(sum));
  }
  EXPECT_GT(norm, 0.1);
  EXPECT_LT(worst, 1e-13);
  // asked for after the backward, which did not need them
  EXPECT_EQ(once.h_seq().to_host(), repeated.h_seq().to_host());
  EXPECT_EQ(once.v_seq().to_host(), repeated.v_seq().to_host());
  EXPECT_THROW(once.forward_repeated(xt, steps, y1), InvalidParameter);  // not one frame
}

INSTANTIATE_TEST_SUITE_P(RecomputedAndStored, DirectOnceSteps, ::testing::Values(5, 70));

// 7×5 planes: the 2×2 windows drop the last row and column, whose gradient must be 0; each
// plane's steps run in one call. 67×65: too large a plane for that, the steps run one by one.
class FoldedPool : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(FoldedPool, NeuronFoldsTheMaxPoolAfterItIntoItsPasses) {
  const int steps = 6, batch = 2, channels = 3;
  const int height = GetParam().first, width = GetParam().second;
  const int n = batch * channels * height * width;
  Tensor<double> x, spikes, y_ref, y, g, g_spikes, gx_ref, gx;
  x.from_host({1, batch, channels, height, width}, pattern(n, 4));
  LIF<double> plain, folded;
  MaxPool2d<double> pool_ref(2), pool(2);
  plain.forward_repeated(x, steps, spikes);
  pool_ref.forward(spikes, y_ref);
  folded.forward_repeated_pooled(x, steps, pool, y);
  ASSERT_EQ(y.shape(), (Shape{steps, batch, channels, height / 2, width / 2}));
  EXPECT_EQ(y.to_host(), y_ref.to_host());
  const auto s = spikes.to_host();
  const double rate = std::count(s.begin(), s.end(), 1.0) / double(s.size());
  EXPECT_GT(rate, 0.1);
  EXPECT_LT(rate, 0.9);

  g.from_host(y.shape(), pattern(y.size(), 5));
  pool_ref.backward(spikes, y_ref, g, g_spikes);
  plain.backward(x, spikes, g_spikes, gx_ref);
  folded.backward_pooled(x, pool, g, gx);
  ASSERT_EQ(gx.shape(), x.shape());
  const auto a = gx.to_host(), b = gx_ref.to_host();
  EXPECT_EQ(a, b);  // the same operations on the same values: bit for bit
  EXPECT_GT(*std::max_element(a.begin(), a.end()), 0.1);
  EXPECT_EQ(folded.h_seq().to_host(), plain.h_seq().to_host());

  EXPECT_FALSE(SpikingNeuron<double>::can_fold(MaxPool2d<double>(3, 2, 1), steps));  // overlaps
  EXPECT_FALSE(SpikingNeuron<double>::can_fold(pool, 70));  // H_t over the stack history
  EXPECT_THROW(folded.forward_repeated_pooled(x, 70, pool, y), InvalidParameter);
}

INSTANTIATE_TEST_SUITE_P(PlaneAtOnceAndStepByStep, FoldedPool,
                         ::testing::Values(std::make_pair(7, 5), std::make_pair(67, 65)));

TEST(DirectOnce, BatchNormOverOneFrameKeepsTheRunningVarianceOfItsCopies) {
  const int steps = 4, batch = 2, channels = 3, plane = 5;
  const std::vector<double> frame = pattern(batch * channels * plane, 3);
  std::vector<double> copies;
  for (int t = 0; t < steps; ++t) copies.insert(copies.end(), frame.begin(), frame.end());
  Tensor<double> x1, xt, y1, yt;
  x1.from_host({1, batch, channels, plane, 1}, frame);
  xt.from_host({steps, batch, channels, plane, 1}, copies);
  BatchNorm<double> once(channels), repeated(channels);
  once.set_frame_copies(steps);
  once.forward(x1, y1);
  repeated.forward(xt, yt);
  const auto a = y1.to_host(), b = yt.to_host();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-14) << i;
  const auto va = once.running_var().value.to_host(), vb = repeated.running_var().value.to_host();
  const auto ma = once.running_mean().value.to_host(), mb = repeated.running_mean().value.to_host();
  for (int c = 0; c < channels; ++c) {
    EXPECT_NEAR(va[c], vb[c], 1e-14) << c;
    EXPECT_NEAR(ma[c], mb[c], 1e-14) << c;
  }
  // Without the copies the unbiased count would be 10 instead of 40: a visible difference.
  BatchNorm<double> plain(channels);
  plain.forward(x1, y1);
  EXPECT_GT(std::abs(plain.running_var().value.to_host()[0] - vb[0]), 1e-4);
}

/// 16 images with label b % 10: stripes whose phase depends on the label.
template <class T>
void stripes(Tensor<T>& images, DeviceVector<int>& labels) {
  const int B = 16;
  std::vector<T> h(B * 784);
  std::vector<int> lab(B);
  for (int b = 0; b < B; ++b) {
    lab[b] = b % 10;
    for (int i = 0; i < 784; ++i) {
      const int r = i / 28, c = i % 28;
      h[b * 784 + i] = T(((r / 3 + c / 3 * 2 + lab[b] * 3 + (i * 31 + b) % 5) % 10) / 9.0);
    }
  }
  images.from_host({B, 784}, h);
  labels = to_device(lab);
}

/// Every parameter and buffer after `steps` Adam steps, then the test-mode output. once: the
/// memory-lean path (direct input once, the stem's max pool folded into its neuron, the blocks'
/// neurons recomputing H_t); else T copies of the input and every neuron storing H_t.
template <class T>
std::vector<std::vector<T>> trained(const ResNetConfig& config, bool once, int steps) {
  auto model = build_resnet<T>(config, 1, 28, 28, 10, 0);
  model->set_direct_once(once);
  EXPECT_EQ(model->direct_once(), once);
  int stored = 0;
  for (std::size_t i = 0; i < model->body().size() && !once; ++i) {
    std::vector<SpikingNeuron<T>*> neurons;
    if (auto* b = dynamic_cast<SpikingResNetBlock<T>*>(&model->body().layer(i)))
      neurons = b->neurons();
    if (auto* b = dynamic_cast<SewResNetBlock<T>*>(&model->body().layer(i))) neurons = b->neurons();
    for (SpikingNeuron<T>* n : neurons) n->set_store_history(true), ++stored;
  }
  if (!once) {
    EXPECT_GE(stored, 4);
  }
  Tensor<T> images, grad;
  DeviceVector<int> labels;
  stripes(images, labels);
  Adam<T> opt(model->parameters(), 1e-3);
  for (int it = 0; it < steps; ++it) {
    opt.zero_grad();
    rate_loss(LossKind::CrossEntropy, model->forward(images, 4, it), labels, grad);
    model->backward(grad);
    opt.step();
  }
  std::vector<std::vector<T>> w;
  for (auto* p : model->parameters()) w.push_back(p->value.to_host());
  for (auto* b : model->buffers()) w.push_back(b->value.to_host());
  model->set_training(false);
  w.push_back(model->forward(images, 4, 0).to_host());
  return w;
}

template <class T>
double max_difference(const ResNetConfig& config, int steps) {
  const auto ref = trained<T>(config, false, steps), got = trained<T>(config, true, steps);
  EXPECT_EQ(ref.size(), got.size());
  double worst = 0;
  for (std::size_t p = 0; p < ref.size() && p < got.size(); ++p) {
    EXPECT_EQ(ref[p].size(), got[p].size());
    for (std::size_t i = 0; i < ref[p].size() && i < got[p].size(); ++i)
      worst = std::max(worst, std::abs(static_cast<double>(ref[p][i]) - got[p][i]));
  }
  return worst;
}

TEST(DirectOnce, ResNetsTrainTheSameWeightsAsWithTCopies) {
  for (const char* block : {"spiking", "sew"}) {
    ResNetConfig config = resnet_preset("small");
    config.block = block;
    // double: only the order of the sums differs (1e-12); a flipped spike would show as 1e-3
    const double d = max_difference<double>(config, 3);
    // float: the same, at float rounding (the oneDNN/im2col test's bound)
    const double f = max_difference<float>(config, 3);
    std::printf("%s ResNet, 3 Adam steps: max |once - T copies| double %.3g, float %.3g\n", block,
                d, f);
    EXPECT_LT(d, 1e-10) << block;
    EXPECT_LT(f, 2e-5) << block;
  }
}

TEST(DirectOnce, OnlyFrameWisePrefixesBeforeANeuronRunOnce) {
  ResNetConfig config = resnet_preset("tiny");
  auto model = build_resnet<float>(config, 1, 28, 28, 10, 0);
  EXPECT_EQ(model->body().repeat_prefix(), 3u);  // Unflatten, stem conv, stem BN
  EXPECT_TRUE(model->direct_once());
  config.encoder = EncoderKind::Poisson;  // a fresh input every step: nothing to share
  EXPECT_FALSE(build_resnet<float>(config, 1, 28, 28, 10, 0)->direct_once());
}

}  // namespace
}  // namespace snn::learning
