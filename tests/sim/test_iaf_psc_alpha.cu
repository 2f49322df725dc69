// iaf_psc_alpha against its analytic solutions: the alpha-current PSP (unequal and equal time
// constants, excitatory and inhibitory), the firing period under a constant current, reset and
// refractoriness.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;

PopulationSpec population(const std::string& name, const IafPscAlpha::Params& p) {
  PopulationSpec s;
  s.name = name;
  s.size = 1;
  s.params = p;
  return s;
}

TEST(IafPscAlpha, PostsynapticPotentialsMatchTheClosedForm) {
  Network net(SimConfig{kDt, 1});
  struct Case {
    const char* name;
    double tau_s, w;
  };
  const Case cases[] = {
      {"ex", 2.0, 100.0}, {"in", 2.0, -100.0}, {"same", 10.0, 50.0}, {"slow", 5.0, 30.0}};
  for (const Case& c : cases) {
    IafPscAlpha::Params p;  // tau_m 10, C 250, E_L -70, V_th -55
    p.tau_syn_ex = p.tau_syn_in = c.tau_s;
    net.add_population(population(c.name, p));
    net.connect(test::onto("g", c.name, 0, c.w, 0.1));  // arrives at step 11
    net.record_voltage(c.name, {0});
  }
  net.add_spike_generator(test::one_generator("g", {1.0}));
  Recorder rec("", true);
  net.run(80.0, &rec);
  for (const Case& c : cases) {
    double peak = 0, t_peak = 0;
    for (long t = 1; t <= 800; ++t) {
      const double exact = t <= 11 ? 0.0 : test::alpha_psp(c.w, 250, 10, c.tau_s, (t - 11) * kDt);
      if (std::fabs(exact) > std::fabs(peak)) peak = exact, t_peak = (t - 11) * kDt;
      ASSERT_NEAR(test::v_at_step(rec, c.name, 0, t), -70.0 + exact, 2e-5) << c.name << " " << t;
    }
    EXPECT_GT(std::fabs(peak), 0.1) << c.name;
    if (std::string(c.name) == "ex") {  // 100 pA, tau_m 10, tau_s 2, C 250: 1.300 mV at 6.7 ms
      EXPECT_NEAR(t_peak, 6.7, 1e-9);
      EXPECT_NEAR(peak, 1.3000, 1e-4);
    }
  }
}

TEST(IafPscAlpha, FiresWithTheAnalyticPeriodUnderAConstantCurrent) {
  // I_e 500 pA: V_inf = E_L + 20 mV; from V_reset = E_L the threshold (15 mV up) is reached after
  // -tau_m ln(1 - 15/20) = 13.86 ms, i.e. at the 139th free step; t_ref 2 ms = 20 steps.
  Network net(SimConfig{kDt, 1});
  IafPscAlpha::Params p;
  p.i_e = 500;
  net.add_population(population("n", p));
  net.record_voltage("n", {0});
  Recorder rec("", true);
  auto s = test::run_and_collect(net, 50.0, &rec);
  EXPECT_EQ(s["n"], (test::SpikeTrain{{139, 0}, {298, 0}, {457, 0}}));
  for (long t = 1; t < 139; ++t)
    ASSERT_NEAR(test::v_at_step(rec, "n", 0, t), -70 + 20 * (1 - std::exp(-t * kDt / 10)), 2e-5);
  for (long t = 139; t <= 159; ++t) EXPECT_FLOAT_EQ(test::v_at_step(rec, "n", 0, t), -70.0f);
  EXPECT_NEAR(test::v_at_step(rec, "n", 0, 160), -70 + 20 * (1 - std::exp(-kDt / 10)), 2e-5);
}

TEST(IafPscAlpha, EventDrivenEqualsClockDrivenAndTheNeuronComesToRest) {
  std::vector<test::SpikeTrain> runs;
  std::vector<float> v_end;
  for (Mode mode : {Mode::EventDriven, Mode::ClockDriven}) {
    Network net(SimConfig{kDt, 1, mode});
    net.add_population(population("n", IafPscAlpha::Params{}));
    net.add_spike_generator(test::one_generator("g", {1.0, 1.5, 30.0}));
    net.connect(test::onto("g", "n", 0, 1500.0, 0.1));
    auto s = test::run_and_collect(net, 300.0);
    runs.push_back(s["n"]);
    v_end.push_back(net.voltages("n")[0]);
  }
  ASSERT_GE(runs[0].size(), 2u);
  EXPECT_GT(runs[0][0].first, 12);  // the current needs time to charge the membrane
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(v_end[0], v_end[1]);
  EXPECT_NEAR(v_end[0], -70.0, 1e-3);  // back at rest within the stated tolerance
}

TEST(IafPscAlpha, InvalidParametersAreRejected) {
  Network net(SimConfig{kDt, 1});
  IafPscAlpha::Params p;
  p.tau_syn_in = 0;
  EXPECT_THROW(net.add_population(population("a", p)), InvalidParameter);
  p = IafPscAlpha::Params{};
  p.v_reset = -50;
  EXPECT_THROW(net.add_population(population("b", p)), InvalidParameter);
}

}  // namespace
}  // namespace snn::sim
