// Neuron models against their analytic solutions, driven through a network (generators,
// currents) and read back from the voltage recording, so host and device run the same test.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/network.h"
#include "sim/recording/recorder.h"
#include "tests/sim/sim_test_util.h"

namespace snn::sim {
namespace {

using test::SpikeTrain;

constexpr double kDt = 0.1;

SpikeGeneratorSpec generator(const std::string& name, std::vector<double> times_ms) {
  SpikeGeneratorSpec g;
  g.name = name;
  g.size = 1;
  g.times_ms = std::move(times_ms);
  g.nodes.assign(g.times_ms.size(), 0);
  return g;
}

ProjectionSpec to_neuron(const std::string& from, const std::string& to, std::uint32_t target,
                         double weight, double delay_ms) {
  Connectivity c = Connectivity::list({0}, {target});
  return test::projection(from, to, c, weight, delay_ms);
}

/// V of recorded neuron `col` at row r (the row of step r + 1).
float v_at(const Recorder& r, const std::string& pop, std::size_t col, std::size_t row) {
  const auto& v = r.voltages().at(pop);
  return v.rows.at(row * v.node_ids.size() + col);
}

TEST(LifDelta, DecaysExactlyAndJumpsByTheWeight) {
  Network net(SimConfig{kDt, 1});
  PopulationSpec p = test::lif_population("n", 2);
  auto& lp = std::get<LifDelta::Params>(p.params);
  lp.e_l = -5;
  p.v_init = VInit::constant(15);
  net.add_population(p);
  net.add_spike_generator(generator("g", {5.0}));
  net.connect(to_neuron("g", "n", 0, 2.0, 1.0));  // arrives at step 60
  net.add_current(CurrentSpec{"n", 1, 1, 100.0});  // V_inf = -5 + 100·20/250 = 3 mV
  net.record_voltage("n", {0, 1});
  Recorder rec("", true);
  net.run(100.0, &rec);
  ASSERT_EQ(rec.voltages().at("n").rows.size(), 2000u);
  for (int t = 1; t <= 1000; ++t) {
    double v0 = -5 + 20 * std::exp(-t * kDt / 20);
    if (t >= 60) v0 += 2 * std::exp(-(t - 60) * kDt / 20);
    double v1 = 3 + 12 * std::exp(-t * kDt / 20);
    ASSERT_NEAR(v_at(rec, "n", 0, t - 1), v0, 2e-5) << "step " << t;
    ASSERT_NEAR(v_at(rec, "n", 1, t - 1), v1, 2e-5) << "step " << t;
  }
}

TEST(LifDelta, ThresholdResetAndRefractoryPeriodDiscardsInput) {
  Network net(SimConfig{kDt, 1});
  net.add_population(test::lif_population("n", 1));  // at rest 0, V_th 20, V_reset 10, t_ref 2
  net.add_spike_generator(generator("g", {5.0, 5.9}));
  net.connect(to_neuron("g", "n", 0, 25.0, 0.1));  // arrive at steps 51 and 60 (refractory)
  net.record_voltage("n", {0});
  Recorder rec("", true);
  auto spikes = test::run_and_collect(net, 20.0, &rec);
  EXPECT_EQ(spikes["n"], (SpikeTrain{{51, 0}}));
  for (int t = 51; t <= 71; ++t) EXPECT_FLOAT_EQ(v_at(rec, "n", 0, t - 1), 10.0f) << t;
  for (int t = 72; t <= 200; ++t)
    ASSERT_NEAR(v_at(rec, "n", 0, t - 1), 10 * std::exp(-(t - 71) * kDt / 20), 2e-5) << t;
}

/// V of a LIF neuron with exponential current synapses after a current jump of w at step 0.
double exp_response(double w, double c_m, double tau_m, double tau_s, double t) {
  if (tau_m == tau_s) return w / c_m * t * std::exp(-t / tau_m);
  return w / c_m * (std::exp(-t / tau_m) - std::exp(-t / tau_s)) / (1 / tau_s - 1 / tau_m);
}

TEST(LifExp, MatchesTheAnalyticPostsynapticPotential) {
  Network net(SimConfig{kDt, 1});
  for (double tau_syn : {2.0, 10.0}) {  // the second: equal time constants
    PopulationSpec p;
    p.name = tau_syn == 2.0 ? "a" : "b";
    p.size = 1;
    LifExp::Params lp;
    lp.tau_m = 10;
    lp.tau_syn = tau_syn;
    lp.c_m = 250;
    lp.e_l = 0;
    lp.v_th = 1000;
    p.params = lp;
    net.add_population(p);
    net.connect(to_neuron("g", p.name, 0, 1000.0, 0.1));  // 1000 pA at step 11
    net.record_voltage(p.name, {0});
  }
  net.add_spike_generator(generator("g", {1.0}));
  Recorder rec("", true);
  net.run(60.0, &rec);
  for (auto [pop, tau_s] : {std::pair<const char*, double>{"a", 2.0}, {"b", 10.0}}) {
    double peak = 0;
    for (int t = 1; t <= 600; ++t) {
      double exact = t <= 11 ? 0.0 : exp_response(1000, 250, 10, tau_s, (t - 11) * kDt);
      peak = std::max(peak, exact);
      ASSERT_NEAR(v_at(rec, pop, 0, t - 1), exact, 1e-5 * 4) << pop << " step " << t;
    }
    EXPECT_GT(peak, 0.5);
  }
}

TEST(LifExp, FiresDuringTheDecayOfItsCurrentAndStaysClampedWhileCurrentContinues) {
  // A big current jump: V crosses threshold several steps after the input, with no input at
  // that step: the event-driven mode must keep the neuron active.
  std::vector<SpikeTrain> runs;
  for (Mode mode : {Mode::EventDriven, Mode::ClockDriven}) {
    Network net(SimConfig{kDt, 1, mode});
    PopulationSpec p;
    p.name = "n";
    p.size = 1;
    LifExp::Params lp;  // tau_m 10, tau_syn 2, C 250, V_th 15, V_reset 0, t_ref 2
    p.params = lp;
    net.add_population(p);
    net.add_spike_generator(generator("g", {1.0}));
    net.connect(to_neuron("g", "n", 0, 20000.0, 0.1));
    auto s = test::run_and_collect(net, 30.0);
    runs.push_back(s["n"]);
  }
  ASSERT_GE(runs[0].size(), 2u);  // a burst: fires again after the refractory period
  EXPECT_GT(runs[0][0].first, 12);
  EXPECT_GE(runs[0][1].first - runs[0][0].first, 21);
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(IfDelta, IntegratesItsCurrentAndFiresPeriodically) {
  Network net(SimConfig{kDt, 1});
  PopulationSpec p;
  p.name = "n";
  p.size = 1;
  IfDelta::Params ip;
  ip.c_m = 250;
  ip.v_th = 19.9;
  ip.v_reset = 0;
  ip.t_ref = 1.0;
  ip.i_e = 500;  // 2 mV/ms: 0.2 mV per step
  p.params = ip;
  net.add_population(p);
  net.record_voltage("n", {0});
  Recorder rec("", true);
  auto s = test::run_and_collect(net, 35.0, &rec);
  EXPECT_EQ(s["n"], (SpikeTrain{{100, 0}, {210, 0}, {320, 0}}));
  for (int t = 1; t < 100; ++t) ASSERT_NEAR(v_at(rec, "n", 0, t - 1), 0.2 * t, 1e-4) << t;
  EXPECT_NEAR(v_at(rec, "n", 0, 150 - 1), 0.2 * 40, 1e-4);
}

TEST(NeuronParams, InvalidValuesAreRejectedWithTheirNames) {
  Network net(SimConfig{kDt, 1});
  auto expect_error = [&](PopulationSpec p, const std::string& fragment) {
    try {
      net.add_population(p);
      FAIL() << "no error for " << fragment;
    } catch (const InvalidParameter& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  PopulationSpec p = test::lif_population("x", 10);
  std::get<LifDelta::Params>(p.params).tau_m = 0;
  expect_error(p, "tau_m must be > 0 ms, got 0");
  p = test::lif_population("x", 10);
  std::get<LifDelta::Params>(p.params).t_ref = 0.25;
  expect_error(p, "t_ref 0.25 ms is not a multiple of dt 0.1 ms");
  p = test::lif_population("x", 10);
  std::get<LifDelta::Params>(p.params).v_reset = 30;
  expect_error(p, "v_reset (30 mV) must be below v_th (20 mV)");
  p = test::lif_population("x", -1);
  expect_error(p, "size must be >= 0, got -1");
  PopulationSpec e;
  e.name = "y";
  e.size = 1;
  LifExp::Params ep;
  ep.tau_syn = -1;
  e.params = ep;
  expect_error(e, "tau_syn must be > 0 ms, got -1");
  IfDelta::Params ip;
  ip.c_m = 0;
  e.params = ip;
  expect_error(e, "c_m must be > 0 pF, got 0");
  EXPECT_THROW(Network(SimConfig{0.0, 1}), InvalidParameter);
  EXPECT_THROW(Network(SimConfig{-0.1, 1}), InvalidParameter);
}

}  // namespace
}  // namespace snn::sim
