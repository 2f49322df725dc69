// Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ on hand-computed
// grads.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "learning/optim/clip_grad.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

struct Grads {
  Parameter<double> a{"a", {2}}, b{"b", {2}};
  Grads() {
    a.grad.from_host({2}, {3.0, -4.0});
    b.grad.from_host({2}, {0.0, 12.0});
  }
  ParameterList<double> list() { return {&a, &b}; }
};

TEST(ClipGradNorm, ScalesAllGradsByMaxNormOverTheTotalNorm) {
  // ‖a‖ = 5, ‖b‖ = 12, total = sqrt(25 + 144) = 13; coef = 6.5 / (13 + 1e-6).
  Grads g;
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.list(), 6.5), 13.0);
  const double c = 6.5 / (13.0 + 1e-6);
  EXPECT_NEAR(g.a.grad.to_host()[0], 3 * c, 1e-15);
  EXPECT_NEAR(g.a.grad.to_host()[1], -4 * c, 1e-15);
  EXPECT_NEAR(g.b.grad.to_host()[1], 12 * c, 1e-15);
  EXPECT_NEAR(g.a.grad.to_host()[0], 1.5, 1e-6);
}

TEST(ClipGradNorm, LeavesGradsBelowTheBoundUnchanged) {
  Grads g;
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.list(), 13.0 + 1e-3), 13.0);
  EXPECT_EQ(g.b.grad.to_host()[1], 12.0);
  EXPECT_EQ(g.a.grad.to_host()[1], -4.0);
}

TEST(ClipGradNorm, OtherNormTypes) {
  Grads g;
  // p = 1: total = 3 + 4 + 12 = 19.
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.list(), 100.0, 1.0), 19.0);
  // p = inf: total = 12; coef = 6 / (12 + 1e-6).
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.list(), 6.0, std::numeric_limits<double>::infinity()), 12.0);
  EXPECT_NEAR(g.b.grad.to_host()[1], 6.0, 1e-6);
  // p = 3 on fresh grads: (27 + 64 + 1728)^(1/3).
  Grads h;
  EXPECT_NEAR(clip_grad_norm(h.list(), 1e3, 3.0), std::cbrt(1819.0), 1e-12);
  // float grads reduce in double.
  Parameter<float> f("f", {3});
  f.grad.from_host({3}, {1.0f, 2.0f, 2.0f});
  EXPECT_DOUBLE_EQ(clip_grad_norm<float>({&f}, 1.5), 3.0);
  EXPECT_NEAR(f.grad.to_host()[2], 1.0f, 1e-6);
}

TEST(ClipGradValue, ClampsEveryElement) {
  Grads g;
  clip_grad_value(g.list(), 3.5);
  EXPECT_EQ(g.a.grad.to_host(), (std::vector<double>{3.0, -3.5}));
  EXPECT_EQ(g.b.grad.to_host(), (std::vector<double>{0.0, 3.5}));
}

TEST(ClipGrad, RejectsBadBounds) {
  Grads g;
  EXPECT_THROW(clip_grad_norm(g.list(), 0.0), InvalidParameter);
  EXPECT_THROW(clip_grad_norm(g.list(), 1.0, 0.5), InvalidParameter);
  EXPECT_THROW(clip_grad_value(g.list(), -1.0), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
