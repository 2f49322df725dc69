// MultiStepLR, LinearLR, LambdaLR from an expression (muparser), ReduceLROnPlateau and warm-up
// then another schedule (SequentialLR): closed forms against PyTorch's chainable forms,
// hand-traced plateau runs, state round trips, and cosine past T_max.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "learning/optim/lr_expression.h"
#include "learning/optim/scheduler.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

const double kPi = 3.14159265358979323846;

std::map<std::string, double> as_map(const std::vector<std::pair<std::string, double>>& v) {
  return {v.begin(), v.end()};
}

TEST(MultiStepLR, ClosedFormEqualsTheChainableForm) {
  MultiStepLR s(0.5, {2, 5, 6}, 0.3);
  double lr = 0.5;
  for (int e = 1; e <= 10; ++e) {
    if (e == 2 || e == 5 || e == 6) lr *= 0.3;  // get_lr: multiply at each milestone
    EXPECT_NEAR(s.lr_at(e), lr, 1e-16) << e;
  }
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.5);
  EXPECT_DOUBLE_EQ(s.lr_at(1), 0.5);
  EXPECT_DOUBLE_EQ(s.lr_at(4), 0.15);
  EXPECT_NEAR(s.lr_at(7), 0.5 * 0.027, 1e-16);
  EXPECT_EQ(s.describe(), "MultiStepLR(base_lr=0.5, milestones=[2, 5, 6], gamma=0.3)");
  EXPECT_THROW(MultiStepLR(0.1, {}, 0.1), InvalidParameter);
  EXPECT_THROW(MultiStepLR(0.1, {3, 3}, 0.1), InvalidParameter);
  EXPECT_THROW(MultiStepLR(0.1, {0, 3}, 0.1), InvalidParameter);
  EXPECT_THROW(MultiStepLR(0.1, {3}, -0.1), InvalidParameter);
}

TEST(LinearLR, ClosedFormEqualsTheChainableFormAndDefaults) {
  // torch.optim.lr_scheduler.LinearLR.get_lr, epoch after epoch.
  const double base = 0.2, start = 0.1, end = 0.9;
  const int total = 4;
  LinearLR s(base, start, end, total);
  double lr = base * start;
  EXPECT_NEAR(s.lr_at(0), lr, 1e-17);
  for (int e = 1; e <= 8; ++e) {
    if (e <= total) lr *= 1 + (end - start) / (total * start + (e - 1) * (end - start));
    EXPECT_NEAR(s.lr_at(e), lr, 1e-16) << e;
  }
  EXPECT_NEAR(s.lr_at(2), 0.2 * 0.5, 1e-16);
  LinearLR d(0.3);  // start 1/3, end 1, total 5
  EXPECT_NEAR(d.lr_at(0), 0.1, 1e-16);
  EXPECT_NEAR(d.lr_at(5), 0.3, 1e-16);
  EXPECT_NEAR(d.lr_at(99), 0.3, 1e-16);
  EXPECT_THROW(LinearLR(0.1, 0.0), InvalidParameter);
  EXPECT_THROW(LinearLR(0.1, 0.5, 1.5), InvalidParameter);
  EXPECT_THROW(LinearLR(0.1, 0.5, 1.0, 0), InvalidParameter);
}

TEST(LrExpression, MuparserEvaluatesTheEpochExpression) {
  auto f = parse_lr_expression("0.95^epoch");
  for (int e : {0, 1, 7, 30}) EXPECT_NEAR(f(e), std::pow(0.95, e), 1e-15) << e;
  auto warm = parse_lr_expression("epoch < 5 ? (epoch + 1) / 5 : 0.5^(epoch - 5)");
  EXPECT_DOUBLE_EQ(warm(0), 0.2);
  EXPECT_DOUBLE_EQ(warm(4), 1.0);
  EXPECT_DOUBLE_EQ(warm(7), 0.25);
  EXPECT_NEAR(parse_lr_expression("1 / (1 + 0.1 * epoch)")(10), 0.5, 1e-16);
  EXPECT_NEAR(parse_lr_expression("exp(-0.1 * epoch)")(10), std::exp(-1.0), 1e-16);
}

TEST(LrExpression, BadExpressionsNameTheExpression) {
  auto message = [](const std::string& text) {
    try {
      parse_lr_expression(text);
    } catch (const InvalidParameter& e) {
      return std::string(e.what());
    }
    return std::string("NO ERROR");
  };
  EXPECT_NE(message("0.95^").find("\"0.95^\""), std::string::npos) << message("0.95^");
  EXPECT_NE(message("gamma^epoch").find("gamma"), std::string::npos) << message("gamma^epoch");
  EXPECT_NE(message("(epoch").find("\"(epoch\""), std::string::npos);
  EXPECT_NE(message("").find("empty"), std::string::npos);
}

TEST(LambdaLR, FromAnExpressionAndNegativeFactorsAreErrors) {
  SchedulerOptions o;
  o.name = "lambda";
  o.base_lr = 0.1;
  o.lr_lambda = "0.95^epoch";
  auto s = make_scheduler(o);
  EXPECT_NEAR(s->lr_at(3), 0.1 * std::pow(0.95, 3), 1e-17);
  EXPECT_EQ(s->describe(), "LambdaLR(base_lr=0.1, lr_lambda=\"0.95^epoch\")");
  LambdaLR neg(0.1, parse_lr_expression("1 - epoch"), "1 - epoch");
  EXPECT_DOUBLE_EQ(neg.lr_at(1), 0.0);
  try {
    neg.lr_at(3);
    ADD_FAILURE() << "no error";
  } catch (const InvalidParameter& e) {
    EXPECT_NE(std::string(e.what()).find("\"1 - epoch\" gives -2 at epoch 3"), std::string::npos)
        << e.what();
  }
  o.lr_lambda = "epoch^";
  EXPECT_THROW(make_scheduler(o), InvalidParameter);
}

TEST(ReduceLROnPlateau, HandTracedRunWithPatienceAndCooldown) {
  // factor 0.5, patience 1, threshold 0.1 rel, cooldown 1 (traced by hand from PyTorch's step):
  // 10 best | 9.5 bad 1 (not < 9) | 9.5 bad 2 > 1 → 0.5, cooldown 1 | 9.6 cooldown → bad 0 |
  // 9.6 bad 1 | 8 best (< 9) | 9 bad 1 | 9 bad 2 → 0.25
  ReduceLROnPlateau s(1.0, 0.5, 1, 0.1, "rel", 1);
  const double metrics[] = {10, 9.5, 9.5, 9.6, 9.6, 8.0, 9.0, 9.0};
  const double expected[] = {1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25};
  EXPECT_DOUBLE_EQ(s.lr(), 1.0);
  for (int i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(s.step(metrics[i]), expected[i]) << "step " << i + 1;
  EXPECT_EQ(s.last_epoch(), 8);
  const auto st = as_map(s.state());
  EXPECT_DOUBLE_EQ(st.at("plateau.best"), 8.0);
  EXPECT_DOUBLE_EQ(st.at("plateau.num_bad_epochs"), 0);
  EXPECT_DOUBLE_EQ(st.at("plateau.cooldown_counter"), 1);
  EXPECT_DOUBLE_EQ(st.at("plateau.lr"), 0.25);
}

TEST(ReduceLROnPlateau, AbsoluteThresholdMinLrAndEps) {
  // abs threshold 1: 10 best, 9.5 bad (not < 9), patience 0 → reduce at once.
  ReduceLROnPlateau a(1.0, 0.5, 0, 1.0, "abs");
  EXPECT_DOUBLE_EQ(a.step(10), 1.0);
  EXPECT_DOUBLE_EQ(a.step(9.5), 0.5);
  EXPECT_DOUBLE_EQ(a.step(8.9), 0.5);  // 8.9 < 10 − 1: better
  // min_lr 0.3: 0.5 → max(0.25, 0.3) = 0.3, then no change.
  ReduceLROnPlateau m(1.0, 0.5, 0, 1e-4, "rel", 0, 0.3);
  m.step(1.0);
  EXPECT_DOUBLE_EQ(m.step(2.0), 0.5);
  EXPECT_DOUBLE_EQ(m.step(2.0), 0.3);
  EXPECT_DOUBLE_EQ(m.step(2.0), 0.3);
  // A reduction smaller than eps is skipped.
  ReduceLROnPlateau e(1e-8, 0.5, 0);
  e.step(1.0);
  EXPECT_DOUBLE_EQ(e.step(2.0), 1e-8);
  EXPECT_THROW(e.step(), InvalidParameter);  // no metric
  EXPECT_THROW(ReduceLROnPlateau(0.1, 1.0), InvalidParameter);
  EXPECT_THROW(ReduceLROnPlateau(0.1, 0.1, -1), InvalidParameter);
  EXPECT_THROW(ReduceLROnPlateau(0.1, 0.1, 1, 1e-4, "max"), InvalidParameter);
}

TEST(ReduceLROnPlateau, RestoredStateContinuesIdentically) {
  ReduceLROnPlateau a(0.1, 0.5, 1, 1e-4, "rel", 2);
  const double metrics[] = {3, 2, 2.5, 2.5, 2.6, 2.7, 1.0, 1.5, 1.5, 1.5, 1.5};
  for (int i = 0; i < 5; ++i) a.step(metrics[i]);
  ReduceLROnPlateau b(0.1, 0.5, 1, 1e-4, "rel", 2);
  b.set_last_epoch(a.last_epoch());
  b.set_state(as_map(a.state()));
  EXPECT_DOUBLE_EQ(b.lr(), a.lr());
  for (int i = 5; i < 11; ++i) EXPECT_DOUBLE_EQ(b.step(metrics[i]), a.step(metrics[i])) << i;
  EXPECT_LT(a.lr(), 0.05);  // reductions happened
  ReduceLROnPlateau fresh(0.1, 0.5, 1, 1e-4, "rel", 2);
  EXPECT_THROW(fresh.set_state({{"plateau.best", 1.0}}), InvalidParameter);
}

TEST(SequentialLR, WarmupThenCosine) {
  SchedulerOptions o;
  o.name = "cosine";
  o.base_lr = 0.1;
  o.epochs = 13;
  o.warmup = 3;
  o.warmup_start_factor = 0.25;
  auto s = make_scheduler(o);  // cosine T_max = 13 − 3 = 10
  EXPECT_NEAR(s->lr_at(0), 0.025, 1e-16);
  EXPECT_NEAR(s->lr_at(1), 0.05, 1e-16);
  EXPECT_NEAR(s->lr_at(2), 0.075, 1e-16);
  EXPECT_NEAR(s->lr_at(3), 0.1, 1e-16);
  EXPECT_NEAR(s->lr_at(8), 0.05, 1e-16);
  EXPECT_NEAR(s->lr_at(13), 0.0, 1e-16);
  // step() follows lr_at.
  for (int e = 1; e <= 13; ++e) EXPECT_NEAR(s->step(1.0), s->lr_at(e), 1e-17) << e;
  EXPECT_NE(s->describe().find("LinearLR(base_lr=0.1, start_factor=0.25"), std::string::npos);
}

TEST(SequentialLR, WarmupThenPlateauSeesOnlyItsOwnEpochs) {
  SchedulerOptions o;
  o.name = "plateau";
  o.base_lr = 1.0;
  o.warmup = 2;
  o.warmup_start_factor = 0.5;
  o.patience = 0;
  o.factor = 0.5;
  auto s = make_scheduler(o);
  EXPECT_DOUBLE_EQ(s->lr(), 0.5);
  EXPECT_DOUBLE_EQ(s->step(5.0), 0.75);  // epoch 1: warm-up
  EXPECT_DOUBLE_EQ(s->step(5.0), 1.0);   // epoch 2: the plateau's epoch 0 (no metric seen)
  EXPECT_DOUBLE_EQ(s->step(5.0), 1.0);   // first metric: best
  EXPECT_DOUBLE_EQ(s->step(6.0), 0.5);   // worse, patience 0
  auto st = as_map(s->state());
  EXPECT_DOUBLE_EQ(st.at("then.last_epoch"), 2);
  EXPECT_DOUBLE_EQ(st.at("then.plateau.best"), 5.0);
  auto r = make_scheduler(o);
  r->set_last_epoch(s->last_epoch());
  r->set_state(st);
  EXPECT_DOUBLE_EQ(r->lr(), 0.5);
  EXPECT_DOUBLE_EQ(r->step(7.0), s->step(7.0));
  EXPECT_DOUBLE_EQ(r->lr(), 0.25);
}

TEST(CosineAnnealingLR, PastTMaxEqualsPyTorchsChainableForm) {
  // torch's get_lr past T_max: the rate climbs back to base_lr over the next T_max epochs.
  const double base = 0.2, eta_min = 0.01;
  const int t_max = 4;
  CosineAnnealingLR s(base, t_max, eta_min);
  double lr = base;
  for (int e = 1; e <= 3 * t_max; ++e) {
    if ((e - 1 - t_max) % (2 * t_max) == 0) {
      lr += (base - eta_min) * (1 - std::cos(kPi / t_max)) / 2;
    } else {
      lr =
          (1 + std::cos(kPi * e / t_max)) / (1 + std::cos(kPi * (e - 1) / t_max)) * (lr - eta_min) +
          eta_min;
    }
    EXPECT_NEAR(s.lr_at(e), lr, 1e-15) << e;
  }
  EXPECT_NEAR(s.lr_at(2 * t_max), base, 1e-16);
  EXPECT_NEAR(s.lr_at(3 * t_max), eta_min, 1e-16);
}

TEST(Scheduler, FactoryKnowsTheNewNames) {
  SchedulerOptions o;
  o.base_lr = 0.1;
  o.name = "multistep";
  EXPECT_THROW(make_scheduler(o), InvalidParameter);  // no milestones
  o.milestones = {2};
  EXPECT_DOUBLE_EQ(make_scheduler(o)->lr_at(2), 0.1 * 0.1);
  o.name = "linear";
  EXPECT_NEAR(make_scheduler(o)->lr_at(0), 0.1 / 3, 1e-17);
  o.name = "plateau";
  EXPECT_EQ(make_scheduler(o)->state().size(), 4u);
  o.name = "none";
  o.warmup = -1;
  EXPECT_THROW(make_scheduler(o), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
