// izhikevich against its recurrence (the model is defined by NEST's Euler steps): both
// integration schemes, spike times and V at every step; inputs jump V in their step.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;

TEST(Izhikevich, FollowsNestsRecurrenceInBothIntegrationSchemes) {
  for (double consistent : {1.0, 0.0}) {
    Izhikevich::Params p;  // regular spiking: a 0.02, b 0.2, c -65, d 8
    p.i_e = 10;
    p.consistent_integration = consistent;
    Network net(SimConfig{kDt, 1});
    PopulationSpec ps;
    ps.name = "n";
    ps.size = 1;
    ps.params = p;
    net.add_population(ps);
    net.add_spike_generator(test::one_generator("g", {50.0}));
    net.connect(test::onto("g", "n", 0, 4.0, 0.1));  // arrives at step 501
    net.record_voltage("n", {0});
    Recorder rec("", true);
    auto s = test::run_and_collect(net, 200.0, &rec);

    double v = -65, u = -13;  // NEST's initial state
    test::SpikeTrain expected;
    for (long t = 1; t <= 2000; ++t) {
      const double x = t == 501 ? 4.0 : 0.0;
      if (consistent != 0) {
        const double dv = 0.04 * v * v + 5 * v + 140 - u + p.i_e, du = p.a * (p.b * v - u);
        v += kDt * dv + x;
        u += kDt * du;
      } else {
        for (int half = 0; half < 2; ++half)
          v += kDt / 2 * (0.04 * v * v + 5 * v + 140 - u + p.i_e + x);
        u += kDt * p.a * (p.b * v - u);
      }
      if (v >= p.v_th) {
        v = p.c;
        u += p.d;
        expected.emplace_back(t, 0);
      }
      ASSERT_NEAR(test::v_at_step(rec, "n", 0, t), v, 1e-4 * std::max(1.0, std::fabs(v)))
          << "consistent " << consistent << " step " << t;
    }
    EXPECT_GE(expected.size(), 3u);
    EXPECT_EQ(s["n"], expected) << "consistent " << consistent;
  }
}

TEST(Izhikevich, RestsAtTheLowerFixedPointAndRejectsBadFlags) {
  Izhikevich::Params p;
  double y[2];
  ASSERT_TRUE(Izhikevich::rest(p, 0.0, y));
  EXPECT_NEAR(y[0], -70.0, 1e-12);  // 0.04 V² + 4.8 V + 140 = 0: V = -70 or -50
  EXPECT_NEAR(y[1], -14.0, 1e-12);
  EXPECT_FALSE(Izhikevich::rest(p, 10.0, y));  // tonic firing: no fixed point
  p.consistent_integration = 0.5;
  Network net(SimConfig{kDt, 1});
  PopulationSpec ps;
  ps.name = "n";
  ps.size = 1;
  ps.params = p;
  EXPECT_THROW(net.add_population(ps), InvalidParameter);
}

}  // namespace
}  // namespace snn::sim
