// Linear and Flatten: forward by hand, backward against central finite differences (double).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using Vec = std::vector<double>;

TEST(Linear, ForwardByHandWithAndWithoutBias) {
  Linear<double> fc(3, 2, true, "fc", 1);
  fc.weight().value.from_host({2, 3}, {1, 2, 3, -1, 0, 0.5});
  fc.bias().value.from_host({2}, {0.25, -0.5});
  Tensor<double> x, y;
  x.from_host({2, 1, 3}, {1, 1, 1, 2, 0, -2});  // [T=2, B=1, 3]
  fc.forward(x, y);
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(y.to_host(), (Vec{6.25, -1.0, -3.75, -3.5}));
  Linear<double> nb(3, 2);
  EXPECT_FALSE(nb.has_bias());
  nb.weight().value.from_host({2, 3}, {1, 2, 3, -1, 0, 0.5});
  nb.forward(x, y);
  EXPECT_EQ(y.to_host(), (Vec{6.0, -0.5, -4.0, -3.0}));
}

TEST(Linear, InitIsUniformInTheKaimingRangeAndSeeded) {
  Linear<float> a(400, 30, true, "a", 5), b(400, 30, true, "b", 5), c(400, 30, true, "c", 6);
  const auto wa = a.weight().value.to_host();
  EXPECT_EQ(wa, b.weight().value.to_host());
  EXPECT_NE(wa, c.weight().value.to_host());
  const double bound = 1.0 / 20.0;
  double mean = 0, sq = 0;
  for (float w : wa) {
    EXPECT_LE(std::fabs(w), bound);
    mean += w;
    sq += double(w) * w;
  }
  mean /= wa.size();
  sq /= wa.size();
  EXPECT_NEAR(mean, 0.0, 0.002);
  EXPECT_NEAR(sq, bound * bound / 3, 0.0001);  // variance of U(-b, b)
  for (float v : a.bias().value.to_host()) EXPECT_LE(std::fabs(v), bound);
  EXPECT_EQ(a.weight().name, "a.weight");
  EXPECT_EQ(a.bias().name, "a.bias");
  ParameterList<float> params;
  a.collect_parameters(params);
  EXPECT_EQ(params.size(), 2u);
  EXPECT_EQ(a.describe(), "Linear(400, 30, bias=true)");
  EXPECT_THROW(Linear<float>(0, 3), InvalidParameter);
}

/// L = Σ wy ⊙ y; checks dL/dx, dL/dW, dL/db by central differences.
void check_linear_fd(bool bias) {
  const int steps = 3, batch = 2, in = 5, out = 4;
  Linear<double> fc(in, out, bias, "fc", 11);
  Vec x(steps * batch * in), wy(steps * batch * out);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = std::sin(0.3 * k + 0.1);
  for (std::size_t k = 0; k < wy.size(); ++k) wy[k] = std::cos(0.7 * k);
  Tensor<double> tx, ty, gy, gx;
  auto loss = [&](const Vec& xv) {
    Tensor<double> a, b;
    a.from_host({steps, batch, in}, xv);
    fc.forward(a, b);
    const Vec y = b.to_host();
    double l = 0;
    for (std::size_t k = 0; k < y.size(); ++k) l += wy[k] * y[k];
    return l;
  };
  tx.from_host({steps, batch, in}, x);
  fc.forward(tx, ty);
  gy.from_host(ty.shape(), wy);
  fc.weight().zero_grad();
  if (bias) fc.bias().zero_grad();
  fc.backward(tx, ty, gy, gx);
  const Vec g = gx.to_host(), gw = fc.weight().grad.to_host();
  const double e = 1e-6;
  for (std::size_t k = 0; k < x.size(); ++k) {
    Vec xp = x, xm = x;
    xp[k] += e;
    xm[k] -= e;
    EXPECT_NEAR(g[k], (loss(xp) - loss(xm)) / (2 * e), 1e-8) << "dL/dx " << k;
  }
  Vec w = fc.weight().value.to_host();
  for (std::size_t k = 0; k < w.size(); ++k) {
    Vec wp = w, wm = w;
    wp[k] += e;
    wm[k] -= e;
    fc.weight().value.from_host({out, in}, wp);
    const double lp = loss(x);
    fc.weight().value.from_host({out, in}, wm);
    const double lm = loss(x);
    EXPECT_NEAR(gw[k], (lp - lm) / (2 * e), 1e-8) << "dL/dW " << k;
  }
  fc.weight().value.from_host({out, in}, w);
  if (bias) {
    const Vec gb = fc.bias().grad.to_host();
    Vec b = fc.bias().value.to_host();
    for (int k = 0; k < out; ++k) {
      Vec bp = b, bm = b;
      bp[k] += e;
      bm[k] -= e;
      fc.bias().value.from_host({out}, bp);
      const double lp = loss(x);
      fc.bias().value.from_host({out}, bm);
      const double lm = loss(x);
      EXPECT_NEAR(gb[k], (lp - lm) / (2 * e), 1e-8) << "dL/db " << k;
    }
  }
  // backward accumulates: a second call doubles the parameter gradient
  fc.backward(tx, ty, gy, gx, false);
  const Vec gw2 = fc.weight().grad.to_host();
  for (std::size_t k = 0; k < gw.size(); ++k) EXPECT_NEAR(gw2[k], 2 * gw[k], 1e-12);
}

TEST(Linear, BackwardMatchesFiniteDifferencesWithoutBias) { check_linear_fd(false); }
TEST(Linear, BackwardMatchesFiniteDifferencesWithBias) { check_linear_fd(true); }

TEST(Linear, WrongInputWidthThrows) {
  Linear<float> fc(4, 2);
  Tensor<float> x({2, 3, 5}), y;
  EXPECT_THROW(fc.forward(x, y), InvalidParameter);
}

TEST(Flatten, ReshapesEveryStepAndBackwardRestoresTheShape) {
  Flatten<float> f;
  Tensor<float> x, y, gx;
  std::vector<float> v(2 * 3 * 2 * 2);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = float(k);
  x.from_host({2, 3, 2, 2}, v);
  f.forward(x, y);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(y.to_host(), v);
  f.backward(x, y, y, gx);
  EXPECT_EQ(gx.shape(), x.shape());
  EXPECT_EQ(gx.to_host(), v);
}

}  // namespace
}  // namespace snn::learning
