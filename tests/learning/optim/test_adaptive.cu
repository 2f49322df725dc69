// Adagrad, Adadelta and RMSprop against torch.optim's documented algorithms (computed here in
// double with plain loops, written from the pseudo-code of the torch.optim docs) and against
// hand-computed single-element steps.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <ostream>

#include "learning/optim/adadelta.h"
#include "learning/optim/adagrad.h"
#include "learning/optim/rmsprop.h"
#include "optim_test_support.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using testing::Values;

Values zeros_like(const Values& v, double fill = 0.0) {
  Values z = v;
  for (auto& x : z) std::fill(x.begin(), x.end(), fill);
  return z;
}

/// Runs `steps` steps of the reference update `f(j, i, k, g, p)` (g with weight decay added).
Values reference(int steps, double wd,
                 const std::function<void(int, int, int, double, double&)>& f) {
  Values p = testing::initial_values();
  for (int k = 1; k <= steps; ++k) {
    const Values grad = testing::reference_grads(p, k);
    for (int j = 0; j < 2; ++j)
      for (std::size_t i = 0; i < p[j].size(); ++i) {
        const double g = grad[j][i] + (testing::decays(j) ? wd * p[j][i] : 0.0);
        f(j, static_cast<int>(i), k, g, p[j][i]);
      }
  }
  return p;
}

template <class T, class Make>
Values run(int steps, Make make) {
  testing::TwoParams<T> params;
  std::unique_ptr<Optimizer<T>> opt = make(T{}, params.list());
  for (int k = 1; k <= steps; ++k) {
    params.set_grads(k);
    opt->step();
  }
  EXPECT_EQ(opt->step_count(), steps);
  return params.get();
}

void expect_close(const Values& a, const Values& b, double tol) {
  for (int j = 0; j < 2; ++j)
    for (std::size_t i = 0; i < a[j].size(); ++i)
      EXPECT_NEAR(a[j][i], b[j][i], tol) << "parameter " << j << " element " << i;
}

void expect_moved(const Values& v) {
  EXPECT_GT(std::fabs(v[0][0] - testing::initial_values()[0][0]), 1e-3);
}

// --- Adagrad ---------------------------------------------------------------------------------

struct AdagradSettings {
  double lr, lr_decay, wd, init, eps;
};
std::ostream& operator<<(std::ostream& os, const AdagradSettings& s) {
  return os << "lr=" << s.lr << " lr_decay=" << s.lr_decay << " wd=" << s.wd << " init=" << s.init
            << " eps=" << s.eps;
}

class AdagradVariants : public ::testing::TestWithParam<AdagradSettings> {};

TEST_P(AdagradVariants, FourStepsMatchPyTorchsAlgorithm) {
  const AdagradSettings s = GetParam();
  Values sum = zeros_like(testing::initial_values(), s.init);
  const Values expected = reference(4, s.wd, [&](int j, int i, int k, double g, double& p) {
    const double clr = s.lr / (1 + (k - 1) * s.lr_decay);
    sum[j][i] += g * g;
    p -= clr * g / (std::sqrt(sum[j][i]) + s.eps);
  });
  auto make = [&](auto zero, auto list) {
    using T = decltype(zero);
    return std::unique_ptr<Optimizer<T>>(
        std::make_unique<Adagrad<T>>(list, s.lr, s.lr_decay, s.wd, s.init, s.eps));
  };
  expect_close(run<double>(4, make), expected, 1e-13);
  expect_close(run<float>(4, make), expected, 3e-6);
  expect_moved(expected);
}

INSTANTIATE_TEST_SUITE_P(Adagrad, AdagradVariants,
                         ::testing::Values(AdagradSettings{0.01, 0, 0, 0, 1e-10},  // defaults
                                           AdagradSettings{0.1, 0.2, 0, 0, 1e-10},
                                           AdagradSettings{0.1, 0, 0.05, 0.3, 1e-10},
                                           AdagradSettings{0.05, 0.1, 0.01, 0.1, 1e-3}));

TEST(Adagrad, HandComputedSteps) {
  // lr 0.1, lr_decay 0.5, grad 0.5 at every step, p = 1:
  // step 1: sum = 0.25, p = 1 − 0.1·0.5/(0.5 + 1e-10)              ≈ 0.9
  // step 2: sum = 0.5,  p −= (0.1/1.5)·0.5/sqrt(0.5) = 0.0471404521  ≈ 0.8528595479
  Parameter<double> p("p", {1});
  p.value.from_host({1}, {1.0});
  p.grad.from_host({1}, {0.5});
  Adagrad<double> opt({&p}, 0.1, 0.5);
  opt.step();
  EXPECT_NEAR(p.value.to_host()[0], 0.9, 1e-10);
  opt.step();
  EXPECT_NEAR(p.value.to_host()[0], 0.8528595479, 1e-10);
  EXPECT_NEAR(opt.state().at(0)->value.to_host()[0], 0.5, 1e-15);
}

TEST(Adagrad, RejectsInvalidSettings) {
  Parameter<float> p("p", {2});
  EXPECT_THROW(Adagrad<float>({&p}, -1), InvalidParameter);
  EXPECT_THROW(Adagrad<float>({&p}, 0.1, -0.1), InvalidParameter);
  EXPECT_THROW(Adagrad<float>({&p}, 0.1, 0, -1), InvalidParameter);
  EXPECT_THROW(Adagrad<float>({&p}, 0.1, 0, 0, -1), InvalidParameter);
  EXPECT_THROW(Adagrad<float>({&p}, 0.1, 0, 0, 0, -1e-10), InvalidParameter);
}

// --- Adadelta --------------------------------------------------------------------------------

struct AdadeltaSettings {
  double lr, rho, eps, wd;
};
std::ostream& operator<<(std::ostream& os, const AdadeltaSettings& s) {
  return os << "lr=" << s.lr << " rho=" << s.rho << " eps=" << s.eps << " wd=" << s.wd;
}

class AdadeltaVariants : public ::testing::TestWithParam<AdadeltaSettings> {};

TEST_P(AdadeltaVariants, FourStepsMatchPyTorchsAlgorithm) {
  const AdadeltaSettings s = GetParam();
  Values sq = zeros_like(testing::initial_values()), acc = sq;
  const Values expected = reference(4, s.wd, [&](int j, int i, int, double g, double& p) {
    sq[j][i] = s.rho * sq[j][i] + (1 - s.rho) * g * g;
    const double delta = std::sqrt(acc[j][i] + s.eps) / std::sqrt(sq[j][i] + s.eps) * g;
    acc[j][i] = s.rho * acc[j][i] + (1 - s.rho) * delta * delta;
    p -= s.lr * delta;
  });
  auto make = [&](auto zero, auto list) {
    using T = decltype(zero);
    return std::unique_ptr<Optimizer<T>>(
        std::make_unique<Adadelta<T>>(list, s.lr, s.rho, s.eps, s.wd));
  };
  expect_close(run<double>(4, make), expected, 1e-13);
  expect_close(run<float>(4, make), expected, 3e-6);
  expect_moved(expected);
}

INSTANTIATE_TEST_SUITE_P(Adadelta, AdadeltaVariants,
                         ::testing::Values(AdadeltaSettings{1.0, 0.9, 1e-6, 0},  // defaults
                                           AdadeltaSettings{1.0, 0.9, 1e-2, 0.1},
                                           AdadeltaSettings{0.5, 0.5, 1e-3, 0}));

TEST(Adadelta, HandComputedStep) {
  // Defaults (lr 1, rho 0.9, eps 1e-6), grad 0.5, p = 1:
  // square_avg = 0.1·0.25 = 0.025; delta = sqrt(1e-6)/sqrt(0.025001)·0.5 = 0.00316221...
  // acc_delta = 0.1·delta²; p = 1 − delta
  Parameter<double> p("p", {1});
  p.value.from_host({1}, {1.0});
  p.grad.from_host({1}, {0.5});
  Adadelta<double> opt({&p});
  opt.step();
  const double delta = 1e-3 / std::sqrt(0.025001) * 0.5;
  EXPECT_NEAR(delta, 0.0031622145, 1e-9);
  EXPECT_NEAR(p.value.to_host()[0], 1 - delta, 1e-15);
  EXPECT_NEAR(opt.state().at(0)->value.to_host()[0], 0.025, 1e-15);
  EXPECT_NEAR(opt.state().at(1)->value.to_host()[0], 0.1 * delta * delta, 1e-18);
}

TEST(Adadelta, RejectsInvalidSettings) {
  Parameter<float> p("p", {2});
  EXPECT_THROW(Adadelta<float>({&p}, -1), InvalidParameter);
  EXPECT_THROW(Adadelta<float>({&p}, 1, 1.5), InvalidParameter);
  EXPECT_THROW(Adadelta<float>({&p}, 1, 0.9, -1), InvalidParameter);
  EXPECT_THROW(Adadelta<float>({&p}, 1, 0.9, 1e-6, -1), InvalidParameter);
}

// --- RMSprop ---------------------------------------------------------------------------------

struct RmspropSettings {
  double lr, alpha, eps, wd, momentum;
  bool centered;
};
std::ostream& operator<<(std::ostream& os, const RmspropSettings& s) {
  return os << "lr=" << s.lr << " alpha=" << s.alpha << " eps=" << s.eps << " wd=" << s.wd
            << " momentum=" << s.momentum << " centered=" << s.centered;
}

class RmspropVariants : public ::testing::TestWithParam<RmspropSettings> {};

TEST_P(RmspropVariants, FourStepsMatchPyTorchsAlgorithm) {
  const RmspropSettings s = GetParam();
  Values sq = zeros_like(testing::initial_values()), buf = sq, ga = sq;
  const Values expected = reference(4, s.wd, [&](int j, int i, int, double g, double& p) {
    sq[j][i] = s.alpha * sq[j][i] + (1 - s.alpha) * g * g;
    double avg;
    if (s.centered) {
      ga[j][i] = s.alpha * ga[j][i] + (1 - s.alpha) * g;
      avg = std::sqrt(sq[j][i] - ga[j][i] * ga[j][i]) + s.eps;
    } else {
      avg = std::sqrt(sq[j][i]) + s.eps;
    }
    if (s.momentum > 0) {
      buf[j][i] = s.momentum * buf[j][i] + g / avg;
      p -= s.lr * buf[j][i];
    } else {
      p -= s.lr * g / avg;
    }
  });
  auto make = [&](auto zero, auto list) {
    using T = decltype(zero);
    return std::unique_ptr<Optimizer<T>>(
        std::make_unique<RMSprop<T>>(list, s.lr, s.alpha, s.eps, s.wd, s.momentum, s.centered));
  };
  // Centered RMSprop's first steps divide by sqrt(E[g²] − E[g]²) of a short history: small
  // denominators amplify float rounding, hence the looser float bound.
  expect_close(run<double>(4, make), expected, 1e-12);
  expect_close(run<float>(4, make), expected, s.centered ? 2e-5 : 3e-6);
  expect_moved(expected);
}

INSTANTIATE_TEST_SUITE_P(Rmsprop, RmspropVariants,
                         ::testing::Values(RmspropSettings{0.01, 0.99, 1e-8, 0, 0,
                                                           false},  // defaults
                                           RmspropSettings{0.01, 0.9, 1e-8, 0.05, 0, false},
                                           RmspropSettings{0.01, 0.9, 1e-8, 0, 0.9, false},
                                           RmspropSettings{0.01, 0.9, 1e-8, 0, 0, true},
                                           RmspropSettings{0.005, 0.8, 1e-6, 0.1, 0.5, true}));

TEST(Rmsprop, HandComputedSteps) {
  // lr 0.01, alpha 0.99, eps 0, grad 0.5, p = 1. Plain: square_avg = 0.0025, p = 1 − 0.01·0.5/0.05
  // = 0.9. Centered: grad_avg = 0.005, avg = sqrt(0.0025 − 0.000025) = 0.049749372, p =
  // 0.899496218.
  for (bool centered : {false, true}) {
    Parameter<double> p("p", {1});
    p.value.from_host({1}, {1.0});
    p.grad.from_host({1}, {0.5});
    RMSprop<double> opt({&p}, 0.01, 0.99, 0.0, 0.0, 0.0, centered);
    opt.step();
    EXPECT_NEAR(p.value.to_host()[0], centered ? 0.899496218 : 0.9, 1e-9) << centered;
  }
  // Momentum 0.9, two steps: buf = 10, p = 0.9; square_avg = 0.004975, buf = 9 + 0.5/0.0705337,
  // p = 0.9 − 0.01·16.0888...
  Parameter<double> p("p", {1});
  p.value.from_host({1}, {1.0});
  p.grad.from_host({1}, {0.5});
  RMSprop<double> opt({&p}, 0.01, 0.99, 0.0, 0.0, 0.9);
  opt.step();
  opt.step();
  const double buf = 9 + 0.5 / std::sqrt(0.004975);
  EXPECT_NEAR(p.value.to_host()[0], 0.9 - 0.01 * buf, 1e-14);
}

TEST(Rmsprop, RejectsInvalidSettings) {
  Parameter<float> p("p", {2});
  EXPECT_THROW(RMSprop<float>({&p}, -1), InvalidParameter);
  EXPECT_THROW(RMSprop<float>({&p}, 0.01, -0.1), InvalidParameter);
  EXPECT_THROW(RMSprop<float>({&p}, 0.01, 0.99, -1), InvalidParameter);
  EXPECT_THROW(RMSprop<float>({&p}, 0.01, 0.99, 1e-8, -1), InvalidParameter);
  EXPECT_THROW(RMSprop<float>({&p}, 0.01, 0.99, 1e-8, 0, -0.9), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
