// Conv2d: forward against a direct convolution, backward against finite differences (stride,
// padding, bias), and the PyTorch initialisation range.
#include <gtest/gtest.h>

#include <cmath>

#include "learning/layers/conv2d.h"
#include "sim/core/errors.h"
#include "tests/learning/conv/fd_check.h"

namespace snn::learning {
namespace {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

struct ConvCase {
  int cin, cout, kernel, stride, padding, height, width;
  bool bias;
};

/// y[n][co][oh][ow] = b[co] + Σ w[co][ci][kh][kw] · x[n][ci][oh·s − p + kh][ow·s − p + kw].
std::vector<double> direct_conv(const std::vector<double>& x, const std::vector<double>& w,
                                const std::vector<double>* b, int frames, const ConvCase& c) {
  const int oh_n = (c.height + 2 * c.padding - c.kernel) / c.stride + 1;
  const int ow_n = (c.width + 2 * c.padding - c.kernel) / c.stride + 1;
  std::vector<double> y(static_cast<std::size_t>(frames) * c.cout * oh_n * ow_n, 0.0);
  for (int n = 0; n < frames; ++n)
    for (int co = 0; co < c.cout; ++co)
      for (int oh = 0; oh < oh_n; ++oh)
        for (int ow = 0; ow < ow_n; ++ow) {
          double s = b ? (*b)[co] : 0.0;
          for (int ci = 0; ci < c.cin; ++ci)
            for (int kh = 0; kh < c.kernel; ++kh)
              for (int kw = 0; kw < c.kernel; ++kw) {
                const int h = oh * c.stride - c.padding + kh, ww = ow * c.stride - c.padding + kw;
                if (h < 0 || h >= c.height || ww < 0 || ww >= c.width) continue;
                s += w[((co * c.cin + ci) * c.kernel + kh) * c.kernel + kw] *
                     x[((static_cast<std::size_t>(n) * c.cin + ci) * c.height + h) * c.width + ww];
              }
          y[((static_cast<std::size_t>(n) * c.cout + co) * oh_n + oh) * ow_n + ow] = s;
        }
  return y;
}

class Conv2dCases : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dCases, ForwardMatchesDirectConvolution) {
  const ConvCase c = GetParam();
  Conv2d<double> conv(c.cin, c.cout, c.kernel, c.stride, c.padding, c.bias, "conv", 3);
  Tensor<double> x = random_tensor({2, 3, c.cin, c.height, c.width}, 11), y;
  conv.forward(x, y);
  const int oh = conv.out_size(c.height), ow = conv.out_size(c.width);
  ASSERT_EQ(y.shape(), (Shape{2, 3, c.cout, oh, ow}));
  std::vector<double> b = c.bias ? conv.bias()->value.to_host() : std::vector<double>();
  std::vector<double> expect =
      direct_conv(x.to_host(), conv.weight().value.to_host(), c.bias ? &b : nullptr, 6, c);
  std::vector<double> got = y.to_host();
  ASSERT_EQ(got.size(), expect.size());
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], expect[i], 1e-12) << i;
}

TEST_P(Conv2dCases, BackwardMatchesFiniteDifferences) {
  const ConvCase c = GetParam();
  Conv2d<double> conv(c.cin, c.cout, c.kernel, c.stride, c.padding, c.bias, "conv", 5);
  Tensor<double> x = random_tensor({2, 2, c.cin, c.height, c.width}, 21), y, gx;
  conv.forward(x, y);
  Tensor<double> w = random_tensor(y.shape(), 22);
  conv.weight().zero_grad();
  if (c.bias) conv.bias()->zero_grad();
  conv.backward(x, y, w, gx);
  ASSERT_EQ(gx.shape(), x.shape());
  auto loss = [&] {
    Tensor<double> out;
    conv.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "dL/dx", 1e-7, 200);
  expect_gradient(conv.weight().value, conv.weight().grad.to_host(), loss, "dL/dW", 1e-7, 200);
  if (c.bias) expect_gradient(conv.bias()->value, conv.bias()->grad.to_host(), loss, "dL/db", 1e-7);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2dCases,
    ::testing::Values(ConvCase{2, 3, 3, 1, 1, 5, 6, false},   // same padding
                      ConvCase{3, 4, 3, 2, 1, 7, 6, true},    // stride 2, padding 1, bias
                      ConvCase{2, 3, 1, 2, 0, 6, 5, false},   // 1×1 projection with stride
                      ConvCase{1, 2, 5, 1, 0, 7, 8, true},    // large kernel, no padding
                      ConvCase{2, 2, 3, 3, 2, 8, 7, false}));  // stride 3, padding 2

TEST(Conv2d, GradientsAccumulateAndSkipGradX) {
  Conv2d<double> conv(2, 3, 3, 1, 1, false, "c", 1);
  Tensor<double> x = random_tensor({1, 2, 2, 4, 4}, 3), y, gx;
  conv.forward(x, y);
  Tensor<double> g = random_tensor(y.shape(), 4);
  conv.weight().zero_grad();
  conv.backward(x, y, g, gx, false);
  std::vector<double> once = conv.weight().grad.to_host();
  conv.backward(x, y, g, gx, false);
  std::vector<double> twice = conv.weight().grad.to_host();
  for (std::size_t i = 0; i < once.size(); ++i) EXPECT_NEAR(twice[i], 2 * once[i], 1e-12);
  EXPECT_EQ(gx.size(), 0);  // need_grad_x = false leaves grad_x alone
}

TEST(Conv2d, InitialisationIsPyTorchsUniformRange) {
  Conv2d<float> conv(4, 8, 3, 1, 1, true, "c", 9);
  const double bound = 1.0 / std::sqrt(4.0 * 9.0);
  std::vector<float> w = conv.weight().value.to_host();
  double mx = 0;
  for (float v : w) {
    ASSERT_LE(std::abs(v), bound);
    mx = std::max(mx, std::abs(static_cast<double>(v)));
  }
  EXPECT_GT(mx, 0.8 * bound);
  for (float v : conv.bias()->value.to_host()) ASSERT_LE(std::abs(v), bound);
  EXPECT_EQ(conv.weight().name, "c.weight");
  EXPECT_EQ(conv.bias()->name, "c.bias");
  Conv2d<float> same(4, 8, 3, 1, 1, true, "c", 9), other(4, 8, 3, 1, 1, true, "c", 10);
  EXPECT_EQ(same.weight().value.to_host(), w);
  EXPECT_NE(other.weight().value.to_host(), w);
}

TEST(Conv2d, FloatMatchesDouble) {
  Conv2d<float> cf(3, 5, 3, 2, 1, true, "c", 2);
  Conv2d<double> cd(3, 5, 3, 2, 1, true, "c", 2);
  Tensor<double> xd = random_tensor({2, 4, 3, 9, 9}, 8), yd;
  std::vector<double> h = xd.to_host();
  Tensor<float> xf, yf;
  xf.from_host(xd.shape(), std::vector<float>(h.begin(), h.end()));
  cf.forward(xf, yf);
  cd.forward(xd, yd);
  std::vector<float> a = yf.to_host();
  std::vector<double> b = yd.to_host();
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5);
}

/// Float Conv2d on oneDNN against the same layer on im2col + GEMM (itself checked against the
/// direct convolution above): y, dL/dx, dL/dW, dL/db for one geometry, gradients accumulated over
/// two backward calls so that oneDNN's overwrite-then-add matches the GEMM's beta = 1.
struct BackendCase {
  int steps, batch, cin, cout, kernel, stride, padding, height, width;
  bool bias;
};

class Conv2dBackends : public ::testing::TestWithParam<BackendCase> {};

struct ConvRun {
  std::vector<float> y, gx, gw, gb;
};

ConvRun run_conv(const BackendCase& c, bool dnnl, int steps) {
  ConvBackend::use_dnnl(dnnl);
  Conv2d<float> conv(c.cin, c.cout, c.kernel, c.stride, c.padding, c.bias, "c", 4);
  auto to_float = [](const Tensor<double>& d) {
    std::vector<double> h = d.to_host();
    Tensor<float> f;
    f.from_host(d.shape(), std::vector<float>(h.begin(), h.end()));
    return f;
  };
  Tensor<float> x = to_float(random_tensor({steps, c.batch, c.cin, c.height, c.width}, 31, 0, 2));
  Tensor<float> y, gx;
  conv.forward(x, y);
  Tensor<float> g = to_float(random_tensor(y.shape(), 32));
  conv.weight().zero_grad();
  if (c.bias) conv.bias()->zero_grad();
  conv.backward(x, y, g, gx);
  conv.backward(x, y, g, gx);
  ConvBackend::use_dnnl(true);
  return {y.to_host(), gx.to_host(), conv.weight().grad.to_host(),
          c.bias ? conv.bias()->grad.to_host() : std::vector<float>()};
}

/// |a − b| <= 1e-5 · (1 + max |b|): float rounding of sums of up to Cin·k² · N·Ho·Wo terms.
void expect_close(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double scale = 0;
  for (float v : b) scale = std::max(scale, std::abs(static_cast<double>(v)));
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], 1e-5 * (1 + scale)) << what << " index " << i << " of " << a.size();
}

TEST_P(Conv2dBackends, OneDnnMatchesIm2colForwardAndBothGradients) {
  if (!DnnlConv::available()) GTEST_SKIP() << "this build has no oneDNN";
  const BackendCase c = GetParam();
  const ConvRun ref = run_conv(c, false, c.steps), got = run_conv(c, true, c.steps);
  expect_close(got.y, ref.y, "y");
  expect_close(got.gx, ref.gx, "dL/dx");
  expect_close(got.gw, ref.gw, "dL/dW");
  expect_close(got.gb, ref.gb, "dL/db");
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2dBackends,
    ::testing::Values(BackendCase{4, 8, 1, 16, 3, 1, 1, 28, 28, false},  // the presets' stem
                      BackendCase{2, 5, 16, 32, 3, 2, 1, 14, 14, false},  // stage entry, stride 2
                      BackendCase{2, 3, 16, 32, 1, 2, 0, 14, 14, true},   // 1×1 projection, bias
                      BackendCase{1, 7, 3, 5, 3, 1, 1, 9, 11, true},      // odd channels, H ≠ W
                      BackendCase{3, 2, 8, 8, 5, 1, 2, 10, 10, false},    // 5×5 kernel
                      BackendCase{1, 4, 6, 10, 3, 3, 2, 13, 8, true},     // stride 3, padding 2
                      BackendCase{2, 2, 24, 8, 3, 2, 0, 7, 7, false}));   // no padding, odd size

TEST(Conv2d, OneDnnRebuildsForANewBatchAndAgrees) {
  if (!DnnlConv::available()) GTEST_SKIP() << "this build has no oneDNN";
  Conv2d<float> conv(3, 8, 3, 1, 1, true, "c", 6), ref(3, 8, 3, 1, 1, true, "c", 6);
  for (int batch : {4, 2, 4}) {
    std::vector<double> h = random_tensor({2, batch, 3, 6, 6}, 40 + batch).to_host();
    Tensor<float> x, y, yr;
    x.from_host({2, batch, 3, 6, 6}, std::vector<float>(h.begin(), h.end()));
    ConvBackend::use_dnnl(true);
    conv.forward(x, y);
    ConvBackend::use_dnnl(false);
    ref.forward(x, yr);
    ConvBackend::use_dnnl(true);
    ASSERT_EQ(y.shape(), yr.shape());
    expect_close(y.to_host(), yr.to_host(), "y");
  }
}

TEST(Conv2d, RejectsBadParametersAndInputs) {
  EXPECT_THROW(Conv2d<float>(0, 4, 3), InvalidParameter);
  EXPECT_THROW(Conv2d<float>(1, 4, 0), InvalidParameter);
  EXPECT_THROW(Conv2d<float>(1, 4, 3, 0), InvalidParameter);
  EXPECT_THROW(Conv2d<float>(1, 4, 3, 1, -1), InvalidParameter);
  Conv2d<float> conv(2, 4, 3);
  Tensor<float> wrong_channels({1, 1, 3, 5, 5}), flat({1, 1, 50}), tiny({1, 1, 2, 2, 2}), y;
  EXPECT_THROW(conv.forward(wrong_channels, y), InvalidParameter);
  EXPECT_THROW(conv.forward(flat, y), InvalidParameter);
  EXPECT_THROW(conv.forward(tiny, y), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
