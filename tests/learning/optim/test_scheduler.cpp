// Learning-rate schedulers against their closed forms, literal values, and PyTorch's chainable
// (recursive) forms, which agree with the closed forms for these schedulers.
#include <gtest/gtest.h>

#include <cmath>

#include "learning/optim/scheduler.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

const double kPi = 3.14159265358979323846;

TEST(StepLR, MatchesItsFormulaAndLiteralValues) {
  StepLR s(0.1, 3, 0.5);
  const double expected[] = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025};
  for (int e = 0; e < 8; ++e) EXPECT_DOUBLE_EQ(s.lr_at(e), expected[e]) << e;
  for (int e : {0, 4, 9, 31}) EXPECT_DOUBLE_EQ(s.lr_at(e), 0.1 * std::pow(0.5, e / 3)) << e;
  EXPECT_NEAR(StepLR(1.0, 30).lr_at(65), 0.01, 1e-15);  // default gamma 0.1
}

TEST(ExponentialLR, MatchesItsFormulaAndLiteralValues) {
  ExponentialLR s(0.1, 0.5);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(1), 0.05);
  EXPECT_DOUBLE_EQ(s.lr_at(3), 0.0125);
  ExponentialLR t(2e-3, 0.95);
  for (int e : {2, 7, 20}) EXPECT_NEAR(t.lr_at(e), 2e-3 * std::pow(0.95, e), 1e-18) << e;
}

TEST(CosineAnnealingLR, MatchesItsFormulaAndLiteralValues) {
  CosineAnnealingLR s(0.1, 10);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.1);
  EXPECT_NEAR(s.lr_at(5), 0.05, 1e-16);
  EXPECT_NEAR(s.lr_at(10), 0.0, 1e-16);
  EXPECT_NEAR(s.lr_at(2), 0.1 * (1 + std::cos(kPi * 0.2)) / 2, 1e-16);  // 0.0904508...
  EXPECT_NEAR(s.lr_at(2), 0.09045084971874737, 1e-15);
  CosineAnnealingLR m(0.1, 10, 0.01);
  EXPECT_NEAR(m.lr_at(5), 0.055, 1e-16);
  EXPECT_NEAR(m.lr_at(10), 0.01, 1e-16);
  for (int e : {1, 3, 7, 9}) {
    EXPECT_NEAR(m.lr_at(e), 0.01 + 0.09 * (1 + std::cos(kPi * e / 10)) / 2, 1e-16) << e;
  }
}

TEST(CosineAnnealingLR, ClosedFormEqualsPyTorchsChainableFormUpToTMax) {
  // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr, applied epoch after epoch.
  const double base = 0.2, eta_min = 0.003;
  const int t_max = 12;
  CosineAnnealingLR s(base, t_max, eta_min);
  double lr = base;
  for (int e = 1; e <= t_max; ++e) {
    if ((e - 1 - t_max) % (2 * t_max) == 0) {
      lr += (base - eta_min) * (1 - std::cos(kPi / t_max)) / 2;
    } else {
      lr =
          (1 + std::cos(kPi * e / t_max)) / (1 + std::cos(kPi * (e - 1) / t_max)) * (lr - eta_min) +
          eta_min;
    }
    EXPECT_NEAR(s.lr_at(e), lr, 1e-15) << e;
  }
}

TEST(StepAndExponentialLR, ClosedFormsEqualTheChainableForms) {
  StepLR step(0.3, 4, 0.7);
  ExponentialLR exp(0.3, 0.7);
  double lr_step = 0.3, lr_exp = 0.3;
  for (int e = 1; e <= 20; ++e) {
    if (e % 4 == 0) lr_step *= 0.7;
    lr_exp *= 0.7;
    EXPECT_NEAR(step.lr_at(e), lr_step, 1e-15) << e;
    EXPECT_NEAR(exp.lr_at(e), lr_exp, 1e-15) << e;
  }
}

TEST(LambdaLR, ScalesTheBaseRateByTheFunction) {
  LambdaLR s(0.1, [](int e) { return 1.0 / (1 + e); });
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.lr_at(4), 0.02);
  LambdaLR warmup(1e-3, [](int e) { return e < 5 ? (e + 1) / 5.0 : 1.0; });
  EXPECT_DOUBLE_EQ(warmup.lr_at(0), 2e-4);
  EXPECT_DOUBLE_EQ(warmup.lr_at(9), 1e-3);
  EXPECT_THROW(LambdaLR(0.1, nullptr), InvalidParameter);
}

TEST(Scheduler, StepAdvancesTheEpochAndLastEpochIsRestorable) {
  StepLR s(0.1, 2, 0.5);
  EXPECT_EQ(s.last_epoch(), 0);
  EXPECT_DOUBLE_EQ(s.lr(), 0.1);
  EXPECT_DOUBLE_EQ(s.step(), 0.1);   // epoch 1
  EXPECT_DOUBLE_EQ(s.step(), 0.05);  // epoch 2
  EXPECT_EQ(s.last_epoch(), 2);
  StepLR restored(0.1, 2, 0.5);
  restored.set_last_epoch(s.last_epoch());
  EXPECT_DOUBLE_EQ(restored.lr(), s.lr());
  EXPECT_DOUBLE_EQ(restored.step(), s.step());
  EXPECT_THROW(restored.set_last_epoch(-1), InvalidParameter);
}

TEST(Scheduler, FactoryBuildsByNameAndRejectsBadSettings) {
  SchedulerOptions o;
  o.base_lr = 0.1;
  o.epochs = 10;
  auto none = make_scheduler(o);
  ASSERT_NE(none, nullptr);
  EXPECT_DOUBLE_EQ(none->lr_at(7), 0.1);
  o.name = "cosine";
  EXPECT_NEAR(make_scheduler(o)->lr_at(5), 0.05, 1e-16);  // T_max = epochs
  o.t_max = 20;
  EXPECT_NEAR(make_scheduler(o)->lr_at(10), 0.05, 1e-16);
  o.name = "step";
  o.step_size = 3;
  o.gamma = 0.5;
  EXPECT_DOUBLE_EQ(make_scheduler(o)->lr_at(3), 0.05);
  o.name = "exp";
  EXPECT_DOUBLE_EQ(make_scheduler(o)->lr_at(2), 0.025);
  EXPECT_EQ(make_scheduler(o)->describe(), "ExponentialLR(base_lr=0.1, gamma=0.5)");

  o.name = "poly";
  EXPECT_THROW(make_scheduler(o), InvalidParameter);
  o.name = "step";
  o.step_size = 0;
  EXPECT_THROW(make_scheduler(o), InvalidParameter);
  o.name = "cosine";
  o.t_max = 0;
  o.epochs = 0;
  EXPECT_THROW(make_scheduler(o), InvalidParameter);
  o.name = "none";
  o.base_lr = -1;
  EXPECT_THROW(make_scheduler(o), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
