// iaf_cond_exp and iaf_cond_alpha: the firing period under a constant current against the
// closed form, and the conductance response to excitatory and inhibitory inputs against an
// independent solution of NEST's equations (Boost.Odeint, Dormand-Prince at 1e-10).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;
constexpr double kE = 2.718281828459045235;

template <class P>
PopulationSpec population(const std::string& name, const P& p, std::int64_t n = 1) {
  PopulationSpec s;
  s.name = name;
  s.size = n;
  s.params = p;
  return s;
}

/// First step at which V, relaxing from v0 towards v_inf with time constant tau, reaches v_th.
long crossing_step(double v0, double v_inf, double v_th, double tau) {
  return static_cast<long>(std::ceil(tau * std::log((v_inf - v0) / (v_inf - v_th)) / kDt));
}

template <class Params>
void expect_analytic_period() {
  // I_e 300 pA: V_inf = E_L + I_e/g_L = -52 mV > V_th; tau = C/g_L = 15 ms. The first crossing
  // from E_L comes after 15 ln 6 = 26.88 ms, the next ones 15 ln(8/3) = 14.71 ms after each
  // refractory period (20 steps, V held at V_reset).
  Params p;
  p.i_e = 300;
  Network net(SimConfig{kDt, 1});
  net.add_population(population("n", p));
  auto s = test::run_and_collect(net, 70.0);
  const double v_inf = p.e_l + p.i_e / p.g_l, tau = p.c_m / p.g_l;
  const long first = crossing_step(p.e_l, v_inf, p.v_th, tau);
  const long period = 20 + crossing_step(p.v_reset, v_inf, p.v_th, tau);
  ASSERT_EQ(first, 269);
  ASSERT_EQ(period, 168);
  EXPECT_EQ(s["n"], (test::SpikeTrain{{first, 0}, {first + period, 0}, {first + 2 * period, 0}}));
}

TEST(IafCondExp, FiresWithTheAnalyticPeriodUnderAConstantCurrent) {
  expect_analytic_period<IafCondExp::Params>();
}
TEST(IafCondAlpha, FiresWithTheAnalyticPeriodUnderAConstantCurrent) {
  expect_analytic_period<IafCondAlpha::Params>();
}

/// The response to an excitatory input (5 nS) at step 11, then an excitatory (5 nS) and an
/// inhibitory one (-15 nS) together at step 201, each on its own receptor (NEST: they do not
/// cancel), V_m starting at -60 mV, against the reference solved from input to input.
template <class Model, std::size_t N, class Rhs, class Input>
void expect_conductance_response(Rhs rhs, Input input, double tol_mV) {
  typename Model::Params p;
  Network net(SimConfig{kDt, 1});
  PopulationSpec ps = population("n", p);
  ps.v_init = VInit::constant(-60.0);
  net.add_population(ps);
  net.add_spike_generator(test::one_generator("g", {1.0, 20.0}));
  ProjectionSpec ex = test::onto("g", "n", 0, 5.0, 0.1);
  net.connect(ex);
  SpikeGeneratorSpec gi = test::one_generator("gi", {20.0});
  net.add_spike_generator(gi);
  net.connect(test::onto("gi", "n", 0, -15.0, 0.1));  // the same step as g's second spike
  net.record_voltage("n", {0});
  Recorder rec("", true);
  net.run(60.0, &rec);

  std::array<double, N> y{};
  y[0] = -60.0;
  double max_err = 0, max_dev = 0;
  for (long t = 1; t <= 600; ++t) {
    test::reference_solve<N>(rhs, y, kDt);
    if (t == 11) input(y, 5.0);
    if (t == 201) {
      input(y, 5.0);
      input(y, -15.0);
    }
    const double v = test::v_at_step(rec, "n", 0, t);
    max_err = std::max(max_err, std::fabs(v - y[0]));
    max_dev = std::max(max_dev, std::fabs(y[0] + 60.0));
  }
  EXPECT_GT(max_dev, 1.0);  // a response of more than a millivolt
  EXPECT_LT(max_err, tol_mV);
}

TEST(IafCondExp, ConductanceResponseMatchesTheReferenceSolution) {
  const IafCondExp::Params p;
  auto rhs = [p](const std::array<double, 3>& y, std::array<double, 3>& d) {
    d[0] = (-p.g_l * (y[0] - p.e_l) - y[1] * (y[0] - p.e_ex) - y[2] * (y[0] - p.e_in)) / p.c_m;
    d[1] = -y[1] / p.tau_syn_ex;
    d[2] = -y[2] / p.tau_syn_in;
  };
  auto input = [](std::array<double, 3>& y, double w) { (w > 0 ? y[1] : y[2]) += std::fabs(w); };
  expect_conductance_response<IafCondExp, 3>(rhs, input, 2e-3);
}

TEST(IafCondAlpha, ConductanceResponseMatchesTheReferenceSolution) {
  const IafCondAlpha::Params p;
  auto rhs = [p](const std::array<double, 5>& y, std::array<double, 5>& d) {
    d[0] = (-p.g_l * (y[0] - p.e_l) - y[2] * (y[0] - p.e_ex) - y[4] * (y[0] - p.e_in)) / p.c_m;
    d[1] = -y[1] / p.tau_syn_ex;
    d[2] = y[1] - y[2] / p.tau_syn_ex;
    d[3] = -y[3] / p.tau_syn_in;
    d[4] = y[3] - y[4] / p.tau_syn_in;
  };
  auto input = [p](std::array<double, 5>& y, double w) {
    if (w > 0)
      y[1] += w * kE / p.tau_syn_ex;
    else
      y[3] -= w * kE / p.tau_syn_in;
  };
  expect_conductance_response<IafCondAlpha, 5>(rhs, input, 2e-3);
}

TEST(IafCondExp, InvalidParametersAreRejected) {
  Network net(SimConfig{kDt, 1});
  IafCondExp::Params p;
  p.g_l = 0;
  EXPECT_THROW(net.add_population(population("a", p)), InvalidParameter);
  IafCondAlpha::Params q;
  q.t_ref = 0.15;
  EXPECT_THROW(net.add_population(population("b", q)), InvalidParameter);
}

}  // namespace
}  // namespace snn::sim
