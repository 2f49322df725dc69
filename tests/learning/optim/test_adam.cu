// Adam and AdamW against PyTorch's documented algorithm (computed here in double with plain
// loops) and against hand-computed two-element cases.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>

#include "learning/optim/adam.h"
#include "optim_test_support.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using testing::Values;

struct AdamSettings {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;
};

std::ostream& operator<<(std::ostream& os, const AdamSettings& s) {
  return os << (s.decoupled ? "AdamW" : "Adam") << " lr=" << s.lr << " betas=" << s.beta1 << ","
            << s.beta2 << " eps=" << s.eps << " weight_decay=" << s.weight_decay;
}

/// torch.optim.Adam / AdamW as documented: m̂ = m / (1 − β1^k), v̂ = v / (1 − β2^k),
/// p −= lr · m̂ / (sqrt(v̂) + eps); Adam adds wd·p to the grad, AdamW scales p by 1 − lr·wd first.
Values reference_adam(const AdamSettings& s, int steps) {
  Values p = testing::initial_values();
  Values m = p, v = p;
  for (auto& x : m) std::fill(x.begin(), x.end(), 0.0);
  for (auto& x : v) std::fill(x.begin(), x.end(), 0.0);
  for (int k = 1; k <= steps; ++k) {
    const Values grad = testing::reference_grads(p, k);
    for (int j = 0; j < 2; ++j) {
      const double wd = testing::decays(j) ? s.weight_decay : 0.0;
      for (std::size_t i = 0; i < p[j].size(); ++i) {
        double g = grad[j][i];
        if (s.decoupled) {
          p[j][i] *= 1 - s.lr * wd;
        } else {
          g += wd * p[j][i];
        }
        m[j][i] = s.beta1 * m[j][i] + (1 - s.beta1) * g;
        v[j][i] = s.beta2 * v[j][i] + (1 - s.beta2) * g * g;
        const double m_hat = m[j][i] / (1 - std::pow(s.beta1, k));
        const double v_hat = v[j][i] / (1 - std::pow(s.beta2, k));
        p[j][i] -= s.lr * m_hat / (std::sqrt(v_hat) + s.eps);
      }
    }
  }
  return p;
}

template <class T>
Values run_adam(const AdamSettings& s, int steps) {
  testing::TwoParams<T> params;
  std::unique_ptr<Adam<T>> opt;
  if (s.decoupled) {
    opt = std::make_unique<AdamW<T>>(params.list(), s.lr, s.beta1, s.beta2, s.eps, s.weight_decay);
  } else {
    opt = std::make_unique<Adam<T>>(params.list(), s.lr, s.beta1, s.beta2, s.eps, s.weight_decay);
  }
  for (int k = 1; k <= steps; ++k) {
    params.set_grads(k);
    opt->step();
  }
  EXPECT_EQ(opt->step_count(), steps);
  return params.get();
}

class AdamVariants : public ::testing::TestWithParam<AdamSettings> {};

TEST_P(AdamVariants, ThreeStepsMatchPyTorchsAlgorithm) {
  const AdamSettings s = GetParam();
  const Values expected = reference_adam(s, 3);
  const Values got_d = run_adam<double>(s, 3);
  const Values got_f = run_adam<float>(s, 3);
  for (int j = 0; j < 2; ++j) {
    for (std::size_t i = 0; i < expected[j].size(); ++i) {
      EXPECT_NEAR(got_d[j][i], expected[j][i], 1e-12) << "double, parameter " << j << " el " << i;
      EXPECT_NEAR(got_f[j][i], expected[j][i], 2e-6) << "float, parameter " << j << " el " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Adam, AdamVariants,
                         ::testing::Values(AdamSettings{1e-3, 0.9, 0.999, 1e-8, 0.0, false},
                                           AdamSettings{0.1, 0.9, 0.999, 1e-8, 0.0, false},
                                           AdamSettings{0.05, 0.8, 0.99, 1e-3, 0.1, false},
                                           AdamSettings{0.05, 0.9, 0.999, 1e-8, 0.2, true},
                                           AdamSettings{1e-3, 0.9, 0.999, 1e-8, 1e-2, true}));

TEST(Adam, ConstantGradientTwoElementCaseMatchesHandComputedValues) {
  // With a constant grad g, m̂ = g and v̂ = g² exactly, so every step moves p by
  // −lr · g / (|g| + eps). Adam(lr = 0.1), p = [1, −2], g = [0.5, −1]:
  // step: 0.1 · 0.5 / (0.5 + 1e-8) = 0.099999998, 0.1 · 1 / (1 + 1e-8) = 0.0999999990
  // after 3 steps: p = [0.700000006, −1.700000003].
  Parameter<double> p("p", {2});
  p.value.from_host({2}, {1.0, -2.0});
  p.grad.from_host({2}, {0.5, -1.0});
  Adam<double> opt({&p}, 0.1);
  for (int k = 0; k < 3; ++k) opt.step();
  const std::vector<double> v = p.value.to_host();
  EXPECT_NEAR(v[0], 0.700000006, 1e-12);
  EXPECT_NEAR(v[1], -1.700000003, 1e-12);
}

TEST(Adam, VaryingGradientTwoElementCaseMatchesPrecomputedValues) {
  // Adam(lr = 0.1), p = [1, −2], grads [0.5, −1], [0.1, 0.2], [−0.3, 0.4]. By hand, step 2 of the
  // first element: m = 0.055, v = 0.00025975, m̂ = 0.2894737, v̂ = 0.1299400,
  // p = 0.900000002 − 0.1 · 0.2894737 / 0.3604719 = 0.8196959.
  Parameter<double> p("p", {2});
  p.value.from_host({2}, {1.0, -2.0});
  Adam<double> opt({&p}, 0.1);
  const std::vector<std::vector<double>> grads = {{0.5, -1.0}, {0.1, 0.2}, {-0.3, 0.4}};
  const std::vector<std::vector<double>> expected = {{0.900000002, -1.900000001},
                                                     {0.8196959063846518, -1.8488973939904947},
                                                     {0.7986246117635081, -1.8354734342081562}};
  for (int k = 0; k < 3; ++k) {
    p.grad.from_host({2}, grads[k]);
    opt.step();
    const std::vector<double> v = p.value.to_host();
    EXPECT_NEAR(v[0], expected[k][0], 1e-12) << "step " << k + 1;
    EXPECT_NEAR(v[1], expected[k][1], 1e-12) << "step " << k + 1;
  }
}

TEST(Adam, WeightDecaySkipsParametersWithoutTheDecayFlag) {
  for (bool decoupled : {false, true}) {
    Parameter<double> w("w", {1}), b("b", {1});
    b.decay = false;
    w.value.from_host({1}, {2.0});
    b.value.from_host({1}, {2.0});
    w.zero_grad();
    b.zero_grad();
    std::unique_ptr<Adam<double>> opt;
    if (decoupled) {
      opt = std::make_unique<AdamW<double>>(ParameterList<double>{&w, &b}, 0.1, 0.9, 0.999, 1e-8,
                                            0.5);
    } else {
      opt =
          std::make_unique<Adam<double>>(ParameterList<double>{&w, &b}, 0.1, 0.9, 0.999, 1e-8, 0.5);
    }
    opt->step();
    EXPECT_LT(w.value.to_host()[0], 2.0 - 0.05) << (decoupled ? "AdamW" : "Adam");
    EXPECT_DOUBLE_EQ(b.value.to_host()[0], 2.0) << (decoupled ? "AdamW" : "Adam");
  }
}

TEST(Adam, RejectsInvalidSettings) {
  Parameter<float> p("p", {2});
  EXPECT_THROW(Adam<float>({&p}, -1e-3), InvalidParameter);
  EXPECT_THROW(Adam<float>({&p}, 1e-3, 1.0), InvalidParameter);
  EXPECT_THROW(Adam<float>({&p}, 1e-3, 0.9, -0.1), InvalidParameter);
  EXPECT_THROW(Adam<float>({&p}, 1e-3, 0.9, 0.999, -1e-8), InvalidParameter);
  EXPECT_THROW(Adam<float>({&p}, 1e-3, 0.9, 0.999, 1e-8, -0.1), InvalidParameter);
  EXPECT_THROW(AdamW<float>({&p}, 1e-3, 0.9, 0.999, 1e-8, -0.1), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
