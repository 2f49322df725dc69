// BatchNorm over time and LayerNorm: training-mode gradients against finite differences, running
// statistics against their formula, evaluation with the running statistics.
#include <gtest/gtest.h>

#include <cmath>

#include "learning/layers/batch_norm.h"
#include "learning/layers/layer_norm.h"
#include "learning/layers/linear.h"
#include "learning/layers/conv2d.h"
#include "learning/layers/local_response_norm.h"
#include "learning/layers/weight_norm.h"
#include "sim/core/errors.h"
#include "tests/learning/conv/fd_check.h"

namespace snn::learning {
namespace {

using testing::expect_gradient;
using testing::random_tensor;
using testing::random_values;
using testing::weighted_sum;

/// Per-channel mean and biased variance of x [T, B, C, inner...] over everything but C.
void channel_moments(const Tensor<double>& x, std::vector<double>& mean, std::vector<double>& var) {
  const int c_n = static_cast<int>(x.dim(2));
  const std::int64_t frames = x.dim(0) * x.dim(1), inner = x.size() / (frames * c_n);
  std::vector<double> h = x.to_host();
  mean.assign(c_n, 0);
  var.assign(c_n, 0);
  for (std::int64_t n = 0; n < frames; ++n)
    for (int c = 0; c < c_n; ++c)
      for (std::int64_t j = 0; j < inner; ++j) mean[c] += h[(n * c_n + c) * inner + j];
  for (double& m : mean) m /= frames * inner;
  for (std::int64_t n = 0; n < frames; ++n)
    for (int c = 0; c < c_n; ++c)
      for (std::int64_t j = 0; j < inner; ++j) {
        const double d = h[(n * c_n + c) * inner + j] - mean[c];
        var[c] += d * d;
      }
  for (double& v : var) v /= frames * inner;
}

TEST(BatchNorm, TrainingForwardNormalisesEachChannelOverTimeBatchAndSpace) {
  BatchNorm<double> bn(3, "bn");
  Tensor<double> x = random_tensor({4, 2, 3, 5, 5}, 1, -2, 3), y;
  bn.forward(x, y);
  std::vector<double> m, v;
  channel_moments(y, m, v);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(m[c], 0, 1e-12);
    EXPECT_NEAR(v[c], 1, 1e-4);  // σ²/(σ²+ε)
  }
}

TEST(BatchNorm, TrainingBackwardMatchesFiniteDifferences) {
  for (double scale : {1.0, 0.7}) {
    BatchNorm<double> bn(3, "bn", 0.1, 1e-5, scale);
    // non-trivial affine parameters
    bn.weight().value.from_host({3}, {1.3, -0.6, 0.9});
    bn.bias().value.from_host({3}, {0.2, -0.1, 0.5});
    Tensor<double> x = random_tensor({3, 2, 3, 4, 3}, 2, -1, 2), y, gx;
    bn.forward(x, y);
    Tensor<double> w = random_tensor(y.shape(), 3);
    bn.weight().zero_grad();
    bn.bias().zero_grad();
    bn.backward(x, y, w, gx);
    auto loss = [&] {
      Tensor<double> out;
      bn.forward(x, out);
      return weighted_sum(out, w);
    };
    expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-7, 216);
    expect_gradient(bn.weight().value, bn.weight().grad.to_host(), loss, "dL/dgamma", 1e-7);
    expect_gradient(bn.bias().value, bn.bias().grad.to_host(), loss, "dL/dbeta", 1e-7);
  }
}

TEST(BatchNorm, BatchNorm1dOnLinearOutputs) {
  BatchNorm1d<double> bn(4, "bn1d");
  Tensor<double> x = random_tensor({3, 5, 4}, 4, -1, 1), y, gx;
  bn.forward(x, y);
  Tensor<double> w = random_tensor(y.shape(), 5);
  bn.backward(x, y, w, gx);
  auto loss = [&] {
    Tensor<double> out;
    bn.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-7, 60);
}

TEST(BatchNorm, RunningStatisticsFollowPyTorchsFormula) {
  const double momentum = 0.1, eps = 1e-5;
  BatchNorm<double> bn(2, "bn", momentum, eps);
  std::vector<double> rm{0, 0}, rv{1, 1};
  Tensor<double> y;
  for (int it = 0; it < 3; ++it) {
    Tensor<double> x = random_tensor({2, 3, 2, 3, 3}, 10 + it, -1 + it, 2 + 2 * it);
    bn.forward(x, y);
    std::vector<double> m, v;
    channel_moments(x, m, v);
    const double count = 2 * 3 * 3 * 3;
    for (int c = 0; c < 2; ++c) {
      rm[c] = (1 - momentum) * rm[c] + momentum * m[c];
      rv[c] = (1 - momentum) * rv[c] + momentum * v[c] * count / (count - 1);  // unbiased
    }
    std::vector<double> grm = bn.running_mean().value.to_host(), grv = bn.running_var().value.to_host();
    for (int c = 0; c < 2; ++c) {
      EXPECT_NEAR(grm[c], rm[c], 1e-12) << "iteration " << it;
      EXPECT_NEAR(grv[c], rv[c], 1e-12) << "iteration " << it;
    }
  }
  EXPECT_EQ(bn.running_mean().name, "bn.running_mean");
  EXPECT_EQ(bn.running_var().name, "bn.running_var");
  BufferList<double> buffers;
  bn.collect_buffers(buffers);
  EXPECT_EQ(buffers.size(), 2u);
}

TEST(BatchNorm, EvaluationUsesRunningStatisticsAndLeavesThemAlone) {
  BatchNorm<double> bn(2, "bn");
  bn.weight().value.from_host({2}, {2.0, 0.5});
  bn.bias().value.from_host({2}, {0.1, -0.3});
  bn.running_mean().value.from_host({2}, {0.4, -1.0});
  bn.running_var().value.from_host({2}, {2.5, 0.2});
  bn.set_training(false);
  Tensor<double> x = random_tensor({2, 2, 2, 2, 2}, 7), y, gx;
  bn.forward(x, y);
  std::vector<double> hx = x.to_host(), hy = y.to_host();
  const double g[2] = {2.0, 0.5}, b[2] = {0.1, -0.3}, m[2] = {0.4, -1.0}, v[2] = {2.5, 0.2};
  for (std::size_t i = 0; i < hx.size(); ++i) {
    const int c = static_cast<int>((i / 4) % 2);
    EXPECT_NEAR(hy[i], g[c] * (hx[i] - m[c]) / std::sqrt(v[c] + 1e-5) + b[c], 1e-12);
  }
  EXPECT_EQ(bn.running_mean().value.to_host(), (std::vector<double>{0.4, -1.0}));
  EXPECT_EQ(bn.running_var().value.to_host(), (std::vector<double>{2.5, 0.2}));
  // evaluation backward is the affine map's
  Tensor<double> w = random_tensor(y.shape(), 8);
  bn.backward(x, y, w, gx);
  auto loss = [&] {
    Tensor<double> out;
    bn.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "eval dL/dx", 1e-7);
  expect_gradient(bn.weight().value, bn.weight().grad.to_host(), loss, "eval dL/dgamma", 1e-7);
}

TEST(BatchNorm, ParametersAreNamedAndNotDecayed) {
  BatchNorm<float> bn(5, "stem.bn");
  ParameterList<float> p;
  bn.collect_parameters(p);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0]->name, "stem.bn.weight");
  EXPECT_EQ(p[1]->name, "stem.bn.bias");
  EXPECT_FALSE(p[0]->decay);
  EXPECT_FALSE(p[1]->decay);
  EXPECT_EQ(p[0]->value.to_host(), std::vector<float>(5, 1.0f));
}

TEST(BatchNorm, RejectsBadParametersAndInputs) {
  EXPECT_THROW(BatchNorm<float>(0), InvalidParameter);
  EXPECT_THROW(BatchNorm<float>(2, "bn", 1.5), InvalidParameter);
  EXPECT_THROW(BatchNorm<float>(2, "bn", 0.1, 0), InvalidParameter);
  BatchNorm<float> bn(3);
  Tensor<float> x({2, 2, 4, 3, 3}), y;
  EXPECT_THROW(bn.forward(x, y), InvalidParameter);
}

TEST(LayerNorm, ForwardAndBackward) {
  LayerNorm<double> ln(12, "ln");
  ln.weight().value.from_host({12}, random_values(12, 30, 0.5, 1.5));
  ln.bias().value.from_host({12}, random_values(12, 31));
  Tensor<double> x = random_tensor({3, 2, 3, 4}, 32, -2, 2), y, gx;
  ln.forward(x, y);
  // The forward against its formula: each (t, b) row of F = 12 values, y = γ (x − μ)/√(σ² + ε) + β
  // with the biased variance and ε = 1e-5.
  {
    const std::vector<double> hx = x.to_host(), hy = y.to_host(), g = ln.weight().value.to_host(),
                              be = ln.bias().value.to_host();
    ASSERT_EQ(hy.size(), hx.size());
    for (std::size_t row = 0; row < 6; ++row) {
      double mean = 0, var = 0;
      for (int f = 0; f < 12; ++f) mean += hx[row * 12 + f] / 12;
      for (int f = 0; f < 12; ++f) var += (hx[row * 12 + f] - mean) * (hx[row * 12 + f] - mean) / 12;
      for (int f = 0; f < 12; ++f) {
        const double expected = g[f] * (hx[row * 12 + f] - mean) / std::sqrt(var + 1e-5) + be[f];
        EXPECT_NEAR(hy[row * 12 + f], expected, 1e-12) << "row " << row << " feature " << f;
      }
    }
  }
  Tensor<double> w = random_tensor(y.shape(), 33);
  ln.backward(x, y, w, gx);
  auto loss = [&] {
    Tensor<double> out;
    ln.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-7, 72);
  expect_gradient(ln.weight().value, ln.weight().grad.to_host(), loss, "dL/dgamma", 1e-7);
  expect_gradient(ln.bias().value, ln.bias().grad.to_host(), loss, "dL/dbeta", 1e-7);
  EXPECT_THROW(ln.forward(Tensor<double>({2, 2, 11}), y), InvalidParameter);
}


// torch.nn.LocalResponseNorm(2, alpha=0.5, beta=0.75, k=1) on channels (1, 2, 3): the window of
// channel c is {c − 1, c} (size//2 before, (size−1)//2 after), so d = 1 + 0.25·(1), 1 + 0.25·(1+4),
// 1 + 0.25·(4+9) and b = a·d^−0.75.
TEST(LocalResponseNorm, ForwardIsPyTorchsFormula) {
  LocalResponseNorm<double> lrn(2, 0.5, 0.75, 1.0);
  Tensor<double> x, y;
  x.from_host({1, 1, 3, 1, 1}, {1, 2, 3});
  lrn.forward(x, y);
  const std::vector<double> out = y.to_host();
  EXPECT_NEAR(out[0], 1 * std::pow(1.25, -0.75), 1e-12);
  EXPECT_NEAR(out[1], 2 * std::pow(2.25, -0.75), 1e-12);  // 1.0886621...
  EXPECT_NEAR(out[1], 1.0886621079036347, 1e-12);
  EXPECT_NEAR(out[2], 3 * std::pow(4.25, -0.75), 1e-12);
  // size 3 looks one channel each side: channel 1 of (1, 2, 3) has d = 1 + (0.5/3)·14
  LocalResponseNorm<double> wide(3, 0.5, 0.75, 1.0);
  wide.forward(x, y);
  EXPECT_NEAR(y.to_host()[1], 2 * std::pow(1 + 0.5 / 3 * 14, -0.75), 1e-12);
  EXPECT_THROW(LocalResponseNorm<double>(0), InvalidParameter);
  EXPECT_THROW(LocalResponseNorm<double>(2, 1e-4, 0.75, 0.0), InvalidParameter);
}

TEST(LocalResponseNorm, BackwardMatchesFiniteDifferences) {
  for (int size : {1, 2, 3, 5}) {
    LocalResponseNorm<double> lrn(size, 0.9, 0.75, 1.5);  // a large alpha: the cross terms matter
    Tensor<double> x = random_tensor({2, 2, 4, 3, 2}, 7, -2, 2), y, gx;
    lrn.forward(x, y);
    Tensor<double> w = random_tensor(y.shape(), 8);
    lrn.backward(x, y, w, gx);
    auto loss = [&] {
      Tensor<double> out;
      lrn.forward(x, out);
      return weighted_sum(out, w);
    };
    expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-7, 96);
  }
}


// weight_norm(nn.Linear(3, 2)): at first g = ‖w_o‖, v = w (the same function); after setting g
// and v the weight the inner layer uses is g_o · v_o / ‖v_o‖: v = [[3, 0, 4], [1, 2, 2]] has row
// norms 5 and 3, so g = (10, −1.5) gives w = [[6, 0, 8], [−0.5, −1, −1]].
TEST(WeightNorm, ReparametrisesTheWeightPerOutput) {
  auto lin = std::make_unique<Linear<double>>(3, 2, true, "fc", 4);
  const std::vector<double> w0 = lin->weight().value.to_host();
  WeightNorm<double, Linear<double>> wn(std::move(lin), "fc");
  ParameterList<double> params;
  wn.collect_parameters(params);
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0]->name, "fc.weight_g");
  EXPECT_EQ(params[1]->name, "fc.weight_v");
  EXPECT_EQ(params[2]->name, "fc.bias");
  EXPECT_EQ(wn.v().value.to_host(), w0);
  const std::vector<double> g0 = wn.g().value.to_host();
  EXPECT_NEAR(g0[0], std::sqrt(w0[0] * w0[0] + w0[1] * w0[1] + w0[2] * w0[2]), 1e-12);
  Tensor<double> x, y;
  x.from_host({1, 1, 3}, {0.5, -1, 2});
  wn.forward(x, y);
  const std::vector<double> w_first = wn.inner().weight().value.to_host();
  for (std::size_t i = 0; i < w0.size(); ++i) EXPECT_NEAR(w_first[i], w0[i], 1e-12);

  wn.v().value.from_host({2, 3}, {3, 0, 4, 1, 2, 2});
  wn.g().value.from_host({2}, {10, -1.5});
  wn.inner().bias().value.from_host({2}, {0.25, 0});
  wn.forward(x, y);
  const std::vector<double> w = wn.inner().weight().value.to_host();
  const std::vector<double> expected{6, 0, 8, -0.5, -1, -1};
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], expected[i], 1e-12) << i;
  const std::vector<double> out = y.to_host();
  EXPECT_NEAR(out[0], 6 * 0.5 + 8 * 2 + 0.25, 1e-12);
  EXPECT_NEAR(out[1], -0.5 * 0.5 + 1 - 2, 1e-12);
}

template <class Inner>
void check_weight_norm(std::unique_ptr<Inner> inner, const Shape& in_shape) {
  WeightNorm<double, Inner> wn(std::move(inner), "l");
  wn.g().value.from_host({wn.g().value.size()},
                         random_values(std::size_t(wn.g().value.size()), 5, 0.5, 2));
  Tensor<double> x = random_tensor(in_shape, 6), y, gx;
  wn.forward(x, y);
  Tensor<double> w = random_tensor(y.shape(), 7);
  ParameterList<double> params;
  wn.collect_parameters(params);
  for (Parameter<double>* p : params) p->zero_grad();
  wn.backward(x, y, w, gx);
  auto loss = [&] {
    Tensor<double> out;
    wn.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-7, 24);
  for (Parameter<double>* p : params)
    expect_gradient(p->value, p->grad.to_host(), loss, p->name.c_str(), 1e-7, 24);
}

TEST(WeightNorm, BackwardMatchesFiniteDifferences) {
  check_weight_norm(std::make_unique<Linear<double>>(5, 4, true, "l", 1), {2, 3, 5});
  check_weight_norm(std::make_unique<Conv2d<double>>(2, 3, 3, 1, 1, true, "l", 2), {1, 2, 2, 3, 3});
}

}  // namespace
}  // namespace snn::learning
