// hh_psc_alpha against an independent solution of NEST's equations (Boost.Odeint,
// Dormand-Prince at 1e-10): tonic firing under a constant current (spike times within one step,
// V within 0.05 mV before the first spike), an alpha-current input at rest, and the resting
// state.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;
constexpr double kE = 2.718281828459045235;

void rhs(const HhPscAlpha::Params& p, double i_e, const std::array<double, 8>& y,
         std::array<double, 8>& d) {
  double r[6];
  HhPscAlpha::rates(y[0], r);
  const double v = y[0], m = y[1], h = y[2], n = y[3];
  d[0] = (-p.g_na * m * m * m * h * (v - p.e_na) - p.g_k * n * n * n * n * (v - p.e_k) -
          p.g_l * (v - p.e_l) + i_e + y[5] + y[7]) /
         p.c_m;
  d[1] = r[0] * (1 - m) - r[1] * m;
  d[2] = r[2] * (1 - h) - r[3] * h;
  d[3] = r[4] * (1 - n) - r[5] * n;
  d[4] = -y[4] / p.tau_syn_ex;
  d[5] = y[4] - y[5] / p.tau_syn_ex;
  d[6] = -y[6] / p.tau_syn_in;
  d[7] = y[6] - y[7] / p.tau_syn_in;
}

TEST(HhPscAlpha, TonicFiringAndAlphaInputMatchTheReferenceSolution) {
  const HhPscAlpha::Params p;
  Network net(SimConfig{kDt, 1});
  for (const char* name : {"tonic", "psp"}) {
    PopulationSpec ps;
    ps.name = name;
    ps.size = 1;
    ps.params = p;
    net.add_population(ps);
    net.record_voltage(name, {0});
  }
  net.add_current(CurrentSpec{"tonic", 0, 1, 1000.0});
  net.add_spike_generator(test::one_generator("g", {10.0}));
  net.connect(test::onto("g", "psp", 0, 300.0, 0.1));  // arrives at step 101
  Recorder rec("", true);
  auto s = test::run_and_collect(net, 100.0, &rec);

  for (const char* name : {"tonic", "psp"}) {
    const bool tonic = std::string(name) == "tonic";
    std::array<double, 8> y{};
    double y0[8];
    HhPscAlpha::initial(p, -65.0, y0);
    std::copy(y0, y0 + 8, y.begin());
    std::vector<long> spikes;
    double max_err = 0, max_dev = 0;
    for (long t = 1; t <= 1000; ++t) {
      const double v_old = y[0];
      test::reference_solve<8>([&](const auto& a, auto& d) { rhs(p, tonic ? 1000.0 : 0.0, a, d); },
                               y, kDt);
      if (!tonic && t == 101) y[4] += 300.0 * kE / p.tau_syn_ex;
      if (y[0] >= 0 && v_old > y[0] && (spikes.empty() || t - spikes.back() > 20))
        spikes.push_back(t);
      if (spikes.empty()) {
        max_err = std::max(max_err, std::fabs(test::v_at_step(rec, name, 0, t) - y[0]));
        max_dev = std::max(max_dev, std::fabs(y[0] + 65.0));
      }
    }
    const auto& got = s[name];
    if (tonic) {
      ASSERT_GE(spikes.size(), 5u);
      ASSERT_EQ(got.size(), spikes.size());
      for (std::size_t k = 0; k < spikes.size(); ++k)
        EXPECT_LE(std::abs(got[k].first - spikes[k]), 1) << "spike " << k;
    } else {
      EXPECT_TRUE(got.empty());
      EXPECT_GT(max_dev, 0.5);
    }
    EXPECT_LT(max_err, 0.05) << name;
  }
}

TEST(HhPscAlpha, RestsNearMinus65Millivolts) {
  HhPscAlpha::Params p;
  double y[8];
  ASSERT_TRUE(HhPscAlpha::rest(p, 0.0, y));
  EXPECT_NEAR(y[0], -65.0, 0.1);  // E_L -54.402 is chosen so that rest is at -65 mV
  EXPECT_NEAR(HhPscAlpha::steady_current(p, y[0], 0.0), 0.0, 1e-6);
}

}  // namespace
}  // namespace snn::sim
