// The ResNet classifier learns: a small ten-class problem of fixed 28×28 patterns is fitted within
// a few Adam steps with the presets' head. A regression test for a head that leaves the readout
// too little to learn from: with global average pooling over narrow stages the same network stays
// near chance for an epoch of MNIST.
#include <gtest/gtest.h>

#include <thrust/copy.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "learning/layers/conv2d.h"
#include "learning/loss/rate_loss.h"
#include "learning/model/resnet_builder.h"
#include "learning/optim/adam.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

/// 32 images, label b % 10, each a striped pattern whose phase depends on the label plus a little
/// per-image noise: separable, but only through the spatial layout.
void ten_patterns(Tensor<float>& images, DeviceVector<int>& labels) {
  const int B = 32;
  std::vector<float> h(B * 784);
  std::vector<int> lab(B);
  for (int b = 0; b < B; ++b) {
    lab[b] = b % 10;
    for (int i = 0; i < 784; ++i) {
      const int r = i / 28, c = i % 28;
      h[b * 784 + i] = ((r / 3 + c / 3 * 2 + lab[b] * 3 + (i * 31 + b) % 3) % 10 < 4) ? 1.f : 0.f;
    }
  }
  images.from_host({B, 784}, h);
  labels = to_device(lab);
}

int correct_after(const std::string& head, int steps) {
  ResNetConfig config = resnet_preset("tiny");
  config.head = head;
  auto model = build_resnet<float>(config, 1, 28, 28, 10, 0);
  Tensor<float> images, grad;
  DeviceVector<int> labels;
  ten_patterns(images, labels);
  Adam<float> opt(model->parameters(), 1e-3);
  for (int it = 0; it < steps; ++it) {
    opt.zero_grad();
    const Tensor<float>& out = model->forward(images, 4, it);
    rate_loss(LossKind::CrossEntropy, out, labels, grad);
    model->backward(grad);
    opt.step();
  }
  // Training mode: 20 steps are too few for the running statistics (momentum 0.1) to settle.
  return count_correct(model->forward(images, 4, steps), labels);
}

TEST(ResNetLearning, ThePresetsHeadFitsTenPatternsInTwentyAdamSteps) {
  EXPECT_EQ(resnet_preset("tiny").head, "flatten");
  EXPECT_GE(correct_after("flatten", 20), 30);
}

/// Every parameter of the "small" preset after `steps` Adam steps on the ten patterns (the whole
/// data set, so one step is one epoch), with float convolutions on oneDNN or on im2col + GEMM.
std::vector<std::vector<float>> weights_after(bool dnnl, int steps) {
  ConvBackend::use_dnnl(dnnl);
  auto model = build_resnet<float>(resnet_preset("small"), 1, 28, 28, 10, 0);
  Tensor<float> images, grad;
  DeviceVector<int> labels;
  ten_patterns(images, labels);
  Adam<float> opt(model->parameters(), 1e-3);
  for (int it = 0; it < steps; ++it) {
    opt.zero_grad();
    rate_loss(LossKind::CrossEntropy, model->forward(images, 4, it), labels, grad);
    model->backward(grad);
    opt.step();
  }
  ConvBackend::use_dnnl(true);
  std::vector<std::vector<float>> w;
  for (auto* p : model->parameters()) w.push_back(p->value.to_host());
  return w;
}

TEST(ResNetLearning, OneDnnConvolutionsTrainTheSameWeightsAsIm2col) {
  if (!DnnlConv::available()) GTEST_SKIP() << "this build has no oneDNN";
  const int steps = 3;
  const auto ref = weights_after(false, steps), got = weights_after(true, steps);
  ASSERT_EQ(ref.size(), got.size());
  double worst = 0;
  for (std::size_t p = 0; p < ref.size(); ++p) {
    ASSERT_EQ(ref[p].size(), got[p].size());
    for (std::size_t i = 0; i < ref[p].size(); ++i)
      worst = std::max(worst, std::abs(static_cast<double>(ref[p][i]) - got[p][i]));
  }
  std::printf("max |w_oneDNN - w_im2col| after %d Adam steps: %.3g\n", steps, worst);
  // Adam moves each weight by about lr = 1e-3 a step; a flipped spike or a sign change of a
  // near-zero gradient would show as ~1e-3. Float rounding of the sums stays far below.
  EXPECT_LT(worst, 2e-5);
}

TEST(ResNetLearning, GlobalAveragePoolingHeadBuildsAndIsChecked) {
  ResNetConfig config = resnet_preset("tiny");
  config.head = "gap";
  auto body = build_resnet_body<float>(config, 1, 28, 28, 10, 0);
  Tensor<float> x({2, 3, 784}, 0.5f), y;
  body->forward(x, y);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 10}));
  config.head = "mean";
  EXPECT_THROW(validate_resnet_config(config), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
