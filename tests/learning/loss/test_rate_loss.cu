// Rate losses: values against hand-computed numbers, gradients against central finite
// differences in double precision, count_correct with ties, input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "learning/loss/rate_loss.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

// T = 2, B = 2, C = 3. Rates: sample 0 = [1, 0.5, 0.5] (label 0), sample 1 = [0, 0.5, 1] (label 2).
template <class T>
Tensor<T> small_output() {
  Tensor<T> out;
  out.from_host({2, 2, 3}, {1, 0, 1, /*b1*/ 0, 0, 1,    // t = 0
                            1, 1, 0, /*b1*/ 0, 1, 1});  // t = 1
  return out;
}

DeviceVector<int> device_labels(const std::vector<int>& labels) {
  return to_device(labels);
}

TEST(RateLoss, MseValueAndGradientMatchHandComputedNumbers) {
  Tensor<double> out = small_output<double>(), grad;
  const DeviceVector<int> labels = device_labels({0, 2});
  // Squared errors: sample 0 → 0 + 0.25 + 0.25, sample 1 → 0 + 0.25 + 0; mean over 6 = 0.125.
  EXPECT_DOUBLE_EQ(rate_loss(LossKind::MSE, out, labels, grad), 0.125);
  EXPECT_DOUBLE_EQ(rate_loss_value(LossKind::MSE, out, labels), 0.125);
  // dL/drate = 2 (rate − y) / 6; dL/doutput = that / T = (rate − y) / 6, the same at every t.
  const double s = 1.0 / 12.0;
  const std::vector<double> expected = {0, s, s, 0, s, 0, 0, s, s, 0, s, 0};
  ASSERT_EQ(grad.shape(), (Shape{2, 2, 3}));
  const std::vector<double> g = grad.to_host();
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(g[i], expected[i], 1e-15) << i;
}

TEST(RateLoss, CrossEntropyValueAndGradientMatchHandComputedNumbers) {
  Tensor<double> out = small_output<double>(), grad;
  const DeviceVector<int> labels = device_labels({0, 2});
  // log(e + 2 e^0.5) − 1 = 0.7943767694176431, log(1 + e^0.5 + e) − 1 = 0.6802696706417346.
  EXPECT_NEAR(rate_loss(LossKind::CrossEntropy, out, labels, grad), 0.7373232200296889, 1e-14);
  EXPECT_NEAR(rate_loss_value(LossKind::CrossEntropy, out, labels), 0.7373232200296889, 1e-14);
  // (softmax − one_hot) / (B · T).
  const std::vector<double> step = {-0.13703430953059847, 0.06851715476529925, 0.06851715476529925,
                                    0.04658093080646189,  0.0767989714296246,  -0.1233799022360865};
  const std::vector<double> g = grad.to_host();
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], step[i % 6], 1e-15) << i;
}

// Deterministic, non-spike output values so that every gradient component is exercised.
Tensor<double> smooth_output(std::int64_t steps, std::int64_t batch, std::int64_t classes) {
  std::vector<double> v(steps * batch * classes);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.9 * std::sin(0.7 * i + 0.3) + 0.1 * (i % 3);
  Tensor<double> out;
  out.from_host({steps, batch, classes}, v);
  return out;
}

void check_against_finite_differences(LossKind kind) {
  const std::int64_t steps = 3, batch = 4, classes = 5;
  Tensor<double> out = smooth_output(steps, batch, classes), grad;
  const DeviceVector<int> labels = device_labels({1, 4, 0, 2});
  rate_loss(kind, out, labels, grad);
  const std::vector<double> analytic = grad.to_host();
  const std::vector<double> base = out.to_host();
  const double h = 1e-6;
  for (std::size_t i = 0; i < base.size(); ++i) {
    std::vector<double> x = base;
    x[i] = base[i] + h;
    out.from_host({steps, batch, classes}, x);
    const double plus = rate_loss_value(kind, out, labels);
    x[i] = base[i] - h;
    out.from_host({steps, batch, classes}, x);
    const double minus = rate_loss_value(kind, out, labels);
    const double numeric = (plus - minus) / (2 * h);
    EXPECT_NEAR(analytic[i], numeric, 1e-9 + 1e-6 * std::fabs(numeric)) << "element " << i;
  }
}

TEST(RateLoss, MseGradientMatchesCentralFiniteDifferences) {
  check_against_finite_differences(LossKind::MSE);
}

TEST(RateLoss, CrossEntropyGradientMatchesCentralFiniteDifferences) {
  check_against_finite_differences(LossKind::CrossEntropy);
}

TEST(RateLoss, FloatAgreesWithDouble) {
  const Tensor<double> outd = smooth_output(4, 3, 10);
  Tensor<float> outf;
  const std::vector<double> hd = outd.to_host();
  outf.from_host(outd.shape(), std::vector<float>(hd.begin(), hd.end()));
  const DeviceVector<int> labels = device_labels({9, 0, 5});
  for (LossKind kind : {LossKind::MSE, LossKind::CrossEntropy}) {
    Tensor<double> gd;
    Tensor<float> gf;
    Tensor<double> outd_copy = outd;
    const double ld = rate_loss(kind, outd_copy, labels, gd);
    const double lf = rate_loss(kind, outf, labels, gf);
    EXPECT_NEAR(lf, ld, 1e-6 * std::fabs(ld));
    const std::vector<double> a = gd.to_host();
    const std::vector<float> b = gf.to_host();
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 1e-6) << i;
  }
}

TEST(RateLoss, CrossEntropyIsStableForLargeRates) {
  Tensor<float> out, grad;
  out.from_host({1, 2, 3}, {1000.f, 0.f, -1000.f, 0.f, 1000.f, 999.f});
  const DeviceVector<int> labels = device_labels({0, 2});
  // Sample 0: log-softmax of the label ≈ 0; sample 1: loss ≈ log(1 + e^-1) + 1 = 1.3132617.
  const double loss = rate_loss(LossKind::CrossEntropy, out, labels, grad);
  EXPECT_NEAR(loss, (0.0 + 1.3132616875182228) / 2, 1e-4);  // float ulp at 1000 ≈ 6e-5
  for (float g : grad.to_host()) EXPECT_TRUE(std::isfinite(g));
}

TEST(RateLoss, GradientTensorIsResizedAndReused) {
  Tensor<float> out = small_output<float>(), grad({7}, 3.f);
  const DeviceVector<int> labels = device_labels({1, 1});
  rate_loss(LossKind::MSE, out, labels, grad);
  EXPECT_EQ(grad.shape(), out.shape());
}

TEST(CountCorrect, ArgmaxOfTheRateWithTiesToTheLowestIndex) {
  // T = 2, B = 4, C = 3.
  // sample 0: rates [0.5, 1, 0]       → 1
  // sample 1: rates [0, 0, 0] (tie)   → 0
  // sample 2: rates [0, 0.5, 0.5] tie → 1
  // sample 3: rates [0.5, 0, 1]       → 2
  Tensor<float> out;
  out.from_host({2, 4, 3}, {1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1,  //
                            0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1});
  EXPECT_EQ(count_correct(out, device_labels({1, 0, 1, 2})), 4);
  EXPECT_EQ(count_correct(out, device_labels({1, 1, 2, 2})), 2);
  EXPECT_EQ(count_correct(out, device_labels({0, 2, 0, 0})), 0);
  Tensor<double> outd;
  outd.from_host({1, 2, 2}, {-3.0, -2.0, 7.0, 7.0});
  EXPECT_EQ(count_correct(outd, device_labels({1, 0})), 2);
}

TEST(RateLoss, RejectsBadShapesAndLabels) {
  Tensor<float> out = small_output<float>(), grad;
  EXPECT_THROW(rate_loss(LossKind::MSE, out, device_labels({0}), grad), InvalidParameter);
  EXPECT_THROW(rate_loss(LossKind::MSE, out, device_labels({0, 3}), grad), InvalidParameter);
  EXPECT_THROW(rate_loss(LossKind::CrossEntropy, out, device_labels({-1, 0}), grad),
               InvalidParameter);
  EXPECT_THROW(count_correct(out, device_labels({0, 5})), InvalidParameter);
  Tensor<float> flat({6});
  EXPECT_THROW(rate_loss_value(LossKind::MSE, flat, device_labels({0, 0})), InvalidParameter);
}

TEST(RateLoss, ParsesNames) {
  EXPECT_EQ(parse_loss("mse"), LossKind::MSE);
  EXPECT_EQ(parse_loss("ce"), LossKind::CrossEntropy);
  EXPECT_EQ(parse_loss("cross_entropy"), LossKind::CrossEntropy);
  EXPECT_EQ(loss_name(LossKind::CrossEntropy), "ce");
  EXPECT_THROW(parse_loss("hinge"), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
