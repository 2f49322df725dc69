// SGD against PyTorch's documented algorithm (computed here in double with plain loops) and
// against a hand-computed two-element case.
#include <gtest/gtest.h>

#include <ostream>

#include "learning/optim/sgd.h"
#include "optim_test_support.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using testing::Values;

struct SgdSettings {
  double lr, momentum, weight_decay, dampening;
  bool nesterov;
};

std::ostream& operator<<(std::ostream& os, const SgdSettings& s) {
  return os << "lr=" << s.lr << " momentum=" << s.momentum << " weight_decay=" << s.weight_decay
            << " dampening=" << s.dampening << " nesterov=" << s.nesterov;
}

/// torch.optim.SGD, step by step, in double (decay only for parameters that decay).
Values reference_sgd(const SgdSettings& s, int steps) {
  Values p = testing::initial_values();
  Values buf = p;
  for (int k = 1; k <= steps; ++k) {
    const Values grad = testing::reference_grads(p, k);
    for (int j = 0; j < 2; ++j) {
      for (std::size_t i = 0; i < p[j].size(); ++i) {
        double g = grad[j][i];
        if (testing::decays(j)) g += s.weight_decay * p[j][i];
        if (s.momentum != 0) {
          buf[j][i] = k == 1 ? g : s.momentum * buf[j][i] + (1 - s.dampening) * g;
          g = s.nesterov ? g + s.momentum * buf[j][i] : buf[j][i];
        }
        p[j][i] -= s.lr * g;
      }
    }
  }
  return p;
}

template <class T>
Values run_sgd(const SgdSettings& s, int steps) {
  testing::TwoParams<T> params;
  SGD<T> opt(params.list(), s.lr, s.momentum, s.weight_decay, s.dampening, s.nesterov);
  for (int k = 1; k <= steps; ++k) {
    params.set_grads(k);
    opt.step();
  }
  EXPECT_EQ(opt.step_count(), steps);
  return params.get();
}

void expect_close(const Values& a, const Values& b, double tol) {
  for (int j = 0; j < 2; ++j)
    for (std::size_t i = 0; i < a[j].size(); ++i)
      EXPECT_NEAR(a[j][i], b[j][i], tol) << "parameter " << j << " element " << i;
}

class SgdVariants : public ::testing::TestWithParam<SgdSettings> {};

TEST_P(SgdVariants, ThreeStepsMatchPyTorchsAlgorithm) {
  const SgdSettings s = GetParam();
  const Values expected = reference_sgd(s, 3);
  expect_close(run_sgd<double>(s, 3), expected, 1e-13);
  expect_close(run_sgd<float>(s, 3), expected, 2e-6);
  // The update moved the values (guards against a silent no-op).
  EXPECT_GT(std::fabs(expected[0][0] - testing::initial_values()[0][0]), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Sgd, SgdVariants,
                         ::testing::Values(SgdSettings{0.1, 0.0, 0.0, 0.0, false},   // plain
                                           SgdSettings{0.1, 0.9, 0.0, 0.0, false},   // momentum
                                           SgdSettings{0.05, 0.9, 0.0, 0.0, true},   // nesterov
                                           SgdSettings{0.1, 0.0, 0.01, 0.0, false},  // decay
                                           SgdSettings{0.1, 0.8, 0.05, 0.3, false},  // all
                                           SgdSettings{0.2, 0.5, 0.1, 0.0,
                                                       true}));  // nesterov+decay

TEST(Sgd, MomentumTwoElementCaseMatchesHandComputedValues) {
  // SGD(lr = 0.1, momentum = 0.9), p = [1, −2], the same grad [0.5, −1] at every step:
  // step 1: buf = [0.5, −1],       p = [0.95, −1.9]
  // step 2: buf = [0.95, −1.9],    p = [0.855, −1.71]
  // step 3: buf = [1.355, −2.71],  p = [0.7195, −1.439]
  Parameter<double> p("p", {2});
  p.value.from_host({2}, {1.0, -2.0});
  p.grad.from_host({2}, {0.5, -1.0});
  SGD<double> opt({&p}, 0.1, 0.9);
  const std::vector<std::vector<double>> expected = {
      {0.95, -1.9}, {0.855, -1.71}, {0.7195, -1.439}};
  for (const auto& e : expected) {
    opt.step();
    const std::vector<double> v = p.value.to_host();
    EXPECT_NEAR(v[0], e[0], 1e-14);
    EXPECT_NEAR(v[1], e[1], 1e-14);
  }
  const std::vector<double> buf = opt.state().at(0)->value.to_host();
  EXPECT_NEAR(buf[0], 1.355, 1e-14);
  EXPECT_NEAR(buf[1], -2.71, 1e-14);
}

TEST(Sgd, WeightDecaySkipsParametersWithoutTheDecayFlag) {
  Parameter<double> w("w", {1}), b("b", {1});
  b.decay = false;
  w.value.from_host({1}, {2.0});
  b.value.from_host({1}, {2.0});
  w.zero_grad();
  b.zero_grad();
  SGD<double> opt({&w, &b}, 0.1, 0.0, 0.5);
  opt.step();
  EXPECT_DOUBLE_EQ(w.value.to_host()[0], 2.0 - 0.1 * 0.5 * 2.0);
  EXPECT_DOUBLE_EQ(b.value.to_host()[0], 2.0);
}

TEST(Sgd, RejectsInvalidSettings) {
  Parameter<float> p("p", {2});
  EXPECT_THROW(SGD<float>({&p}, -0.1), InvalidParameter);
  EXPECT_THROW(SGD<float>({&p}, 0.1, -0.9), InvalidParameter);
  EXPECT_THROW(SGD<float>({&p}, 0.1, 0.9, -1e-4), InvalidParameter);
  EXPECT_THROW(SGD<float>({&p}, 0.1, 0.0, 0.0, 0.0, true), InvalidParameter);  // nesterov, μ = 0
  EXPECT_THROW(SGD<float>({&p}, 0.1, 0.9, 0.0, 0.1, true), InvalidParameter);  // with dampening
  Parameter<float> q("p", {2});
  EXPECT_THROW(SGD<float>({&p, &q}, 0.1), InvalidParameter);  // repeated name
  SGD<float> opt({&p}, 0.1);
  EXPECT_THROW(opt.set_lr(-1.0), InvalidParameter);
  EXPECT_TRUE(opt.state().empty());  // no momentum, no state
}

}  // namespace
}  // namespace snn::learning
