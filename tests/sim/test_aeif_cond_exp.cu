// aeif_cond_exp: the model's step (RKF45 with NEST's error control, reset inside the step)
// against NEST's LSODAR reference solution (tests/sim/reference/), NEST's tolerances; in a
// network: a spike-triggered adaptation current lengthens the intervals, event-driven =
// clock-driven.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;

TEST(AeifCondExp, MatchesNestsLsodarReference) {
  std::ifstream in(std::string(SNN_TEST_REFERENCE_DIR) + "/aeif_lsodar.dat");
  ASSERT_TRUE(in) << SNN_TEST_REFERENCE_DIR "/aeif_lsodar.dat";
  std::vector<double> rt, rv, rw;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    double t, v, w;
    s >> t >> v >> w;
    rt.push_back(t), rv.push_back(v), rw.push_back(w);
  }
  ASSERT_GT(rt.size(), 1000u);
  auto interp = [&](const std::vector<double>& y, double t) {
    std::size_t k = std::upper_bound(rt.begin(), rt.end(), t) - rt.begin();
    if (k == 0) return y[0];
    if (k >= rt.size()) return y.back();
    const double f = (t - rt[k - 1]) / (rt[k] - rt[k - 1]);
    return y[k - 1] + f * (y[k] - y[k - 1]);
  };
  AeifCondExp::Params p;  // the parameters of NEST's test_aeif_lsodar.py
  p.v_reset = -58, p.v_peak = 0, p.v_th = -50, p.i_e = 420, p.g_l = 11, p.tau_w = 300;
  p.e_l = -70, p.delta_t = 2, p.a = 3, p.b = 0, p.c_m = 200;
  const double dt = 0.01;  // NEST's test runs at 0.01 ms
  const auto c = AeifCondExp::consts(p, dt);
  SteppedCell<4> s{};
  s.y[0] = -70, s.y[3] = 5, s.h = dt;
  const double v_lim = (p.v_th + p.v_peak) / 2;
  double sum_v = 0, sum_w = 0;
  int nv = 0, nw = 0, spikes = 0;
  for (int k = 1; k * dt <= rt.back(); ++k) {  // the reference ends at 99.25 ms
    spikes += AeifCondExp::advance(c, s, p.i_e, 0.0, 0.0, dt);
    const double t = k * dt;
    if (s.y[0] <= v_lim)
      sum_v += std::fabs(s.y[0] - interp(rv, t)) / std::fabs(interp(rv, t)), ++nv;
    sum_w += std::fabs(s.y[3] - interp(rw, t)) / std::fabs(interp(rw, t)), ++nw;
  }
  EXPECT_EQ(spikes, 7);
  EXPECT_LT(sum_v / nv, 5e-4);
  EXPECT_LT(sum_w / nw, 1e-4);
}

PopulationSpec population(const std::string& name, const AeifCondExp::Params& p) {
  PopulationSpec s;
  s.name = name;
  s.size = 1;
  s.params = p;
  return s;
}

TEST(AeifCondExp, AdaptationLengthensIntervalsAndEventDrivenEqualsClockDriven) {
  std::vector<test::SpikeTrain> runs;
  for (Mode mode : {Mode::EventDriven, Mode::ClockDriven}) {
    Network net(SimConfig{kDt, 1, mode});
    AeifCondExp::Params p;  // NEST's defaults (Brette & Gerstner 2005)
    net.add_population(population("n", p));
    net.add_current(CurrentSpec{"n", 0, 1, 800.0});
    net.add_spike_generator(test::one_generator("g", {150.0, 151.0}));
    net.connect(test::onto("g", "n", 0, -20.0, 0.1));  // an inhibitory pause
    runs.push_back(test::run_and_collect(net, 300.0)["n"]);
  }
  ASSERT_GE(runs[0].size(), 5u);
  const auto& r = runs[0];
  EXPECT_GT(r[2].first - r[1].first, r[1].first - r[0].first);  // adaptation
  EXPECT_GT(r.back().first - r.front().first, 0);
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(AeifCondExp, RestsAtTheFixedPointOfItsNullclines) {
  AeifCondExp::Params p;
  double y[4];
  ASSERT_TRUE(AeifCondExp::rest(p, 0.0, y));
  EXPECT_NEAR(y[0], p.e_l, 1e-3);  // exp((E_L - V_th)/Delta_T) g_L Delta_T = 0.003 pA: tiny
  ASSERT_TRUE(AeifCondExp::rest(p, 100.0, y));
  const double i_spike = p.g_l * p.delta_t * std::exp((y[0] - p.v_th) / p.delta_t);
  EXPECT_NEAR(-(p.g_l + p.a) * (y[0] - p.e_l) + i_spike + 100.0, 0.0, 1e-9);
  EXPECT_NEAR(y[3], p.a * (y[0] - p.e_l), 1e-12);
  EXPECT_FALSE(AeifCondExp::rest(p, 2000.0, y));  // above rheobase: no rest
}

}  // namespace
}  // namespace snn::sim
