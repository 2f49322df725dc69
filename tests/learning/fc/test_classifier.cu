// Sequential and Classifier: composition, parameters, descriptions, the Direct encoder, and a
// tiny learning problem solved by plain gradient descent through the BPTT of the whole model.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "learning/model/classifier.h"
#include "learning/model/fc_network.h"
#include "learning/neurons/lif.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

TEST(FcNetwork, BuildsSpikingJellysLifFcMnist) {
  auto model = build_fc_classifier<float>(784, {}, 10, LIFParams{}, 0);
  EXPECT_TRUE(model->fused());
  EXPECT_EQ(model->body().size(), 3u);
  auto params = model->parameters();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0]->name, "fc0.weight");
  EXPECT_EQ(params[0]->value.shape(), (Shape{10, 784}));
  const std::string d = model->describe();
  EXPECT_NE(d.find("Linear(784, 10, bias=false)"), std::string::npos) << d;
  EXPECT_NE(d.find("LIF(tau=2"), std::string::npos) << d;
  auto deep = build_fc_classifier<float>(784, {20}, 10, LIFParams{}, 0);
  auto dp = deep->parameters();
  ASSERT_EQ(dp.size(), 2u);
  EXPECT_EQ(dp[1]->name, "fc1.weight");
  EXPECT_EQ(dp[1]->value.shape(), (Shape{10, 20}));
  EXPECT_THROW(build_fc_classifier<float>(784, {0}, 10, LIFParams{}, 0), InvalidParameter);
  LIFParams bad;
  bad.tau = 0.5;
  EXPECT_THROW(build_fc_classifier<float>(784, {}, 10, bad, 0), InvalidParameter);
}

TEST(Classifier, OutputShapesAndMembraneOfTheLastLayer) {
  auto model = build_fc_classifier<float>(16, {8}, 3, LIFParams{}, 1);
  auto params = model->parameters();
  for (auto* p : params) {  // weights that make every layer fire now and then
    std::vector<float> w(p->value.size());
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.1f + 0.05f * static_cast<float>((i * 7) % 5);
    p->value.from_host(p->value.shape(), w);
  }
  Tensor<float> images({5, 4, 4}, 0.7f);
  const std::vector<float> fused_out = model->forward(images, 12, 0).to_host();
  const std::vector<float> fused_v = model->output_v_seq().to_host();
  EXPECT_EQ(model->forward(images, 12, 0).shape(), (Shape{12, 5, 3}));
  EXPECT_EQ(model->output_v_seq().shape(), (Shape{12, 5, 3}));
  // Spikes are 0/1 and the membrane is the last LIF's after its hard reset: 0 where it spiked,
  // below the threshold (1) where it did not.
  std::size_t spikes = 0;
  for (std::size_t i = 0; i < fused_out.size(); ++i) {
    ASSERT_TRUE(fused_out[i] == 0.0f || fused_out[i] == 1.0f) << i;
    if (fused_out[i] == 1.0f)
      EXPECT_EQ(fused_v[i], 0.0f) << i;
    else
      EXPECT_LT(fused_v[i], 1.0f) << i;
    spikes += fused_out[i] == 1.0f;
  }
  EXPECT_GT(spikes, 10u);
  EXPECT_LT(spikes, fused_out.size());
  // The generic layers compute the same spikes from the same Poisson draws.
  model->set_fused(false);
  EXPECT_EQ(model->forward(images, 12, 0).to_host(), fused_out);
  EXPECT_EQ(model->output_v_seq().shape(), (Shape{12, 5, 3}));
}

TEST(Classifier, DirectEncoderFeedsTheImageEveryStep) {
  auto body = std::make_unique<Sequential<double>>();
  body->add(std::make_unique<Flatten<double>>());
  auto fc = std::make_unique<Linear<double>>(2, 1, false, "fc", 0);
  fc->weight().value.from_host({1, 2}, {1.0, 1.0});
  body->add(std::move(fc));
  body->add(std::make_unique<LIF<double>>());
  Classifier<double> model(EncoderKind::Direct, std::move(body), 0);
  EXPECT_FALSE(model.fused());
  Tensor<double> images;
  images.from_host({1, 2}, {0.75, 0.75});  // X = 1.5 each step: spikes 0 1 0 1
  EXPECT_EQ(model.forward(images, 4, 0).to_host(), (std::vector<double>{0, 1, 0, 1}));
  EXPECT_EQ(model.output_v_seq().to_host(), (std::vector<double>{0.75, 0, 0.75, 0}));
}

TEST(Classifier, NonSpikingLastLayerHasNoMembrane) {
  auto body = std::make_unique<Sequential<float>>();
  body->add(std::make_unique<Linear<float>>(4, 2, /*bias=*/true));
  Classifier<float> model(EncoderKind::Poisson, std::move(body), 0);
  EXPECT_FALSE(model.fused());
  auto params = model.parameters();
  ASSERT_EQ(params.size(), 2u);  // weight [2, 4] and bias [2]
  params[0]->value.from_host({2, 4}, {1, 1, 1, 1, 2, 2, 2, 2});
  params[1]->value.from_host({2}, {0.5f, -1.0f});
  Tensor<float> images({3, 4}, 0.5f);
  const Tensor<float>& out = model.forward(images, 50, 0);
  EXPECT_EQ(out.shape(), (Shape{50, 3, 2}));
  // Row 0 counts the Poisson spikes of the 4 pixels (+0.5), row 1 counts them twice (−1): the
  // readout is the Linear of 0/1 spikes, each firing with probability 0.5.
  const std::vector<float> h = out.to_host();
  double mean = 0;
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const float count = h[i] - 0.5f;
    ASSERT_EQ(count, std::round(count)) << i;
    ASSERT_GE(count, 0.0f);
    ASSERT_LE(count, 4.0f);
    EXPECT_EQ(h[i + 1], 2 * count - 1.0f) << i;
    mean += count / (h.size() / 2);
  }
  EXPECT_NEAR(mean, 2.0, 0.25);  // 150 samples of Binomial(4, 0.5): sd of the mean 0.08
  EXPECT_THROW(model.output_v_seq(), InvalidParameter);
}

/// Two classes of 16-pixel images (bright left half or bright right half): MSE between the
/// firing rate and the one-hot label, plain gradient descent. BPTT must make it learn.
void learns_two_classes(bool fused) {
  auto model = build_fc_classifier<float>(16, {}, 2, LIFParams{}, 3);
  model->set_fused(fused);
  const int batch = 16, steps = 20;
  std::vector<float> img(batch * 16);
  std::vector<int> label(batch);
  for (int b = 0; b < batch; ++b) {
    label[b] = b % 2;
    for (int p = 0; p < 16; ++p) img[b * 16 + p] = ((p % 4 < 2) == (label[b] == 0)) ? 0.9f : 0.05f;
  }
  Tensor<float> images, grad;
  images.from_host({batch, 16}, img);
  auto params = model->parameters();
  auto loss_and_grad = [&](int it, double* accuracy) {
    const std::vector<float> out = model->forward(images, steps, it).to_host();
    std::vector<float> g(out.size());
    double loss = 0;
    int correct = 0;
    for (int b = 0; b < batch; ++b) {
      double rate[2] = {0, 0};
      for (int t = 0; t < steps; ++t)
        for (int c = 0; c < 2; ++c) rate[c] += out[(t * batch + b) * 2 + c] / steps;
      for (int c = 0; c < 2; ++c) {
        const double d = rate[c] - (c == label[b] ? 1.0 : 0.0);
        loss += d * d / (batch * 2);
        for (int t = 0; t < steps; ++t) g[(t * batch + b) * 2 + c] = float(2 * d / (batch * 2) / steps);
      }
      correct += ((rate[1] > rate[0]) ? 1 : 0) == label[b];
    }
    if (accuracy) *accuracy = double(correct) / batch;
    grad.from_host({steps, batch, 2}, g);
    return loss;
  };
  double acc0 = 0, acc = 0;
  const double first = loss_and_grad(0, &acc0);
  double last = first;
  for (int it = 0; it < 60; ++it) {
    model->zero_grad();
    last = loss_and_grad(it, &acc);
    model->backward(grad);
    for (Parameter<float>* p : params) {
      std::vector<float> v = p->value.to_host(), g = p->grad.to_host();
      for (std::size_t k = 0; k < v.size(); ++k) v[k] -= 2.0f * g[k];
      p->value.from_host(p->value.shape(), v);
    }
  }
  EXPECT_LT(last, 0.5 * first) << "fused " << fused;
  EXPECT_EQ(acc, 1.0) << "fused " << fused;
}

TEST(Classifier, LearnsATwoClassProblemFused) { learns_two_classes(true); }
TEST(Classifier, LearnsATwoClassProblemGeneric) { learns_two_classes(false); }

}  // namespace
}  // namespace snn::learning
