// Initialisation against torch.nn.init's formulas: the mean, spread and range of large draws,
// the fans of Linear and Conv2d weights, orthogonality, determinism and bad settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "learning/init/init.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

struct Stats {
  double mean, sd, lo, hi;
};

Stats stats_of(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / n), *std::min_element(v.begin(), v.end()),
          *std::max_element(v.begin(), v.end())};
}

std::vector<double> draw(const Shape& shape, const InitOptions& o, std::uint64_t seed = 7) {
  Parameter<double> p("w", shape);
  initialize(p, o, seed, 0);
  return p.value.to_host();
}

InitOptions scheme(const std::string& s) {
  InitOptions o;
  o.scheme = s;
  return o;
}

// 1000 × 800 = 800,000 draws: the sample sd is within 0.2% of σ at 6 standard errors
// (SE ≈ σ/sqrt(2n) = 0.08% σ); the mean within 6σ/sqrt(n) = 0.0067σ.
void expect_normal(const std::vector<double>& v, double sd) {
  const Stats s = stats_of(v);
  EXPECT_NEAR(s.sd, sd, 0.002 * sd);
  EXPECT_NEAR(s.mean, 0.0, 6 * sd / std::sqrt(static_cast<double>(v.size())));
  EXPECT_GT(s.hi, 4 * sd);  // tails exist: not a uniform of the same spread
}

// U(−b, b): sd = b/sqrt(3), every value inside, extremes near ±b.
void expect_uniform(const std::vector<double>& v, double b) {
  const Stats s = stats_of(v);
  EXPECT_NEAR(s.sd, b / std::sqrt(3.0), 0.002 * b);
  EXPECT_NEAR(s.mean, 0.0, 6 * b / std::sqrt(3.0 * v.size()));
  EXPECT_GE(s.lo, -b);
  EXPECT_LE(s.hi, b);
  EXPECT_LT(s.lo, -0.999 * b);
  EXPECT_GT(s.hi, 0.999 * b);
}

TEST(Init, NormalAndUniformTakeTheGivenStdAndBound) {
  InitOptions n = scheme("normal");
  n.stddev = 0.02;
  expect_normal(draw({1000, 800}, n), 0.02);
  InitOptions u = scheme("uniform");
  u.bound = 0.3;
  expect_uniform(draw({1000, 800}, u), 0.3);
}

TEST(Init, XavierUsesFanInPlusFanOut) {
  // Linear 800 → 1000: weight [1000, 800], fan_in 800, fan_out 1000.
  expect_uniform(draw({1000, 800}, scheme("xavier_uniform")), std::sqrt(6.0 / 1800));
  InitOptions g = scheme("xavier_normal");
  g.gain = 2.0;
  expect_normal(draw({1000, 800}, g), 2.0 * std::sqrt(2.0 / 1800));
}

TEST(Init, KaimingFansGainsAndConvolutionReceptiveField) {
  // Default: leaky_relu with a = 0 → gain sqrt(2); fan_in 800.
  expect_normal(draw({1000, 800}, scheme("kaiming_normal")), std::sqrt(2.0) / std::sqrt(800.0));
  InitOptions out = scheme("kaiming_normal");
  out.mode = "fan_out";
  expect_normal(draw({1000, 800}, out), std::sqrt(2.0) / std::sqrt(1000.0));
  // Conv2d 32 → 64, 5×5 kernels: weight [64, 32, 5, 5], fan_in 800, fan_out 1600 (pooled over
  // 16 independent draws of the kernel to have 819,200 values).
  expect_uniform(draw({64 * 16, 32, 5, 5}, scheme("kaiming_uniform")),
                 std::sqrt(3.0) * std::sqrt(2.0) / std::sqrt(800.0));
  InitOptions lr = scheme("kaiming_uniform");
  lr.nonlinearity = "leaky_relu";
  lr.a = std::sqrt(5.0);  // PyTorch's Linear default: bound = 1/sqrt(fan_in)
  expect_uniform(draw({1000, 800}, lr), 1.0 / std::sqrt(800.0));
  InitOptions tanh = scheme("kaiming_normal");
  tanh.nonlinearity = "tanh";
  tanh.mode = "fan_out";
  expect_normal(draw({1000, 800}, tanh), (5.0 / 3.0) / std::sqrt(1000.0));
}

TEST(Init, CalculateGainAsPyTorch) {
  EXPECT_DOUBLE_EQ(calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("conv2d"), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("sigmoid"), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.01), std::sqrt(2.0 / 1.0001));
  EXPECT_DOUBLE_EQ(calculate_gain("selu"), 0.75);
  EXPECT_THROW(calculate_gain("gelu"), InvalidParameter);
}

/// max |(W Wᵀ or Wᵀ W) − gain²·I| over the smaller side.
double orthogonality_error(const std::vector<double>& w, std::int64_t rows, std::int64_t cols,
                           double gain) {
  const bool by_rows = rows <= cols;
  const std::int64_t n = by_rows ? rows : cols;
  double err = 0;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double dot = 0;
      if (by_rows)
        for (std::int64_t k = 0; k < cols; ++k) dot += w[i * cols + k] * w[j * cols + k];
      else
        for (std::int64_t k = 0; k < rows; ++k) dot += w[k * cols + i] * w[k * cols + j];
      err = std::max(err, std::fabs(dot - (i == j ? gain * gain : 0.0)));
    }
  return err;
}

TEST(Init, OrthogonalGivesOrthonormalRowsOrColumns) {
  InitOptions o = scheme("orthogonal");
  EXPECT_LT(orthogonality_error(draw({64, 200}, o), 64, 200, 1.0), 1e-12);  // wide: rows
  EXPECT_LT(orthogonality_error(draw({200, 64}, o), 200, 64, 1.0), 1e-12);  // tall: columns
  EXPECT_LT(orthogonality_error(draw({50, 50}, o), 50, 50, 1.0), 1e-12);    // square
  o.gain = 0.5;
  // A Conv2d kernel [16, 3, 3, 3] flattened to 16 × 27.
  EXPECT_LT(orthogonality_error(draw({16, 3, 3, 3}, o), 16, 27, 0.5), 1e-12);
  // float storage: orthonormal to float rounding.
  Parameter<float> f("w", {32, 100});
  initialize(f, scheme("orthogonal"), 3, 0);
  const std::vector<float> h = f.value.to_host();
  EXPECT_LT(orthogonality_error(std::vector<double>(h.begin(), h.end()), 32, 100, 1.0), 1e-6);
  // Not merely a scaled identity: the entries spread (a random rotation).
  const Stats s = stats_of(draw({200, 200}, scheme("orthogonal")));
  EXPECT_NEAR(s.sd, 1.0 / std::sqrt(200.0), 0.05 / std::sqrt(200.0));
}

TEST(Init, ListRedrawsOnlyMatricesDeterministically) {
  Parameter<double> w("fc.weight", {20, 30}), b("fc.bias", {20}), k("conv.weight", {4, 2, 3, 3});
  b.value.fill(0.125);
  const ParameterList<double> list = {&w, &b, &k};
  EXPECT_EQ(initialize(list, scheme("xavier_normal"), 11), 2);
  EXPECT_EQ(b.value.to_host(), std::vector<double>(20, 0.125));  // biases keep their values
  const std::vector<double> w1 = w.value.to_host(), k1 = k.value.to_host();
  EXPECT_EQ(initialize(list, scheme("xavier_normal"), 11), 2);
  EXPECT_EQ(w.value.to_host(), w1);  // the same seed draws the same values
  initialize(list, scheme("xavier_normal"), 12);
  EXPECT_NE(w.value.to_host(), w1);
  EXPECT_NE(std::vector<double>(w1.begin(), w1.begin() + 72), k1);  // parameters draw apart
  EXPECT_EQ(initialize(list, scheme("default"), 11), 0);
}

TEST(Init, RejectsBadSettings) {
  Parameter<double> w("w", {3, 4}), b("b", {3});
  InitOptions o = scheme("he");
  EXPECT_THROW(initialize(w, o, 0, 0), InvalidParameter);
  o = scheme("normal");
  o.stddev = 0;
  EXPECT_THROW(initialize(w, o, 0, 0), InvalidParameter);
  o = scheme("uniform");
  o.bound = -1;
  EXPECT_THROW(validate(o), InvalidParameter);
  o = scheme("kaiming_normal");
  o.mode = "fan_avg";
  EXPECT_THROW(validate(o), InvalidParameter);
  o.mode = "fan_in";
  o.nonlinearity = "gelu";
  EXPECT_THROW(validate(o), InvalidParameter);
  EXPECT_THROW(initialize(b, scheme("orthogonal"), 0, 0), InvalidParameter);  // 1-D
}

}  // namespace
}  // namespace snn::learning
