// Two-receptor models (receptors.h) receive an excitatory and an inhibitory spike that arrive in
// the same step on their own receptors, as NEST does: they do not cancel. Against closed forms
// (iaf_psc_alpha, unequal time constants) and an independent ODE solution (iaf_cond_exp), through
// every path of the queue: event lists, lists turned dense, dense in-place sums (clock-driven),
// per-synapse weights of both signs in one projection, per-synapse delays, Poisson drive.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;

PopulationSpec one_model(const std::string& name, std::uint32_t size, NeuronParams p) {
  PopulationSpec s;
  s.name = name;
  s.size = size;
  s.params = std::move(p);
  return s;
}

/// How the excitatory and the inhibitory spike reach neuron 0 of the target.
enum class Route { TwoProjections, OneMixedProjection, PerSynapseDelays };

/// Builds: generator g (2 neurons, both spiking at 1.0 ms), target "n" of `size` neurons, w_ex from
/// g[0] and w_in from g[1] onto n[0], both arriving at step 11 (delay 0.1 ms).
void wire(Network& net, Route route, double w_ex, double w_in) {
  SpikeGeneratorSpec g;
  g.name = "g";
  g.size = 2;
  g.nodes = {0, 1};
  g.times_ms = {1.0, 1.0};
  net.add_spike_generator(g);
  if (route == Route::TwoProjections) {
    net.connect(test::projection("g", "n", Connectivity::list({0}, {0}), w_ex, 0.1));
    net.connect(test::projection("g", "n", Connectivity::list({1}, {0}), w_in, 0.1));
    return;
  }
  Connectivity c = Connectivity::list({0, 1}, {0, 0});
  c.weights = {static_cast<float>(w_ex), static_cast<float>(w_in)};
  ProjectionSpec p = test::projection("g", "n", c, 0.0, 0.1);
  // Delays drawn from [0.1, 0.1 + 1e-9]: one step each, but stored per synapse.
  if (route == Route::PerSynapseDelays) p.delay_ms = Distribution::uniform(0.1, 0.1 + 1e-9);
  net.connect(p);
}

struct PathCase {
  Mode mode;
  std::uint32_t size;  ///< 1: the second event turns the list dense; 8: it stays a list
  Route route;
};

const PathCase kPaths[] = {
    {Mode::EventDriven, 8, Route::TwoProjections},
    {Mode::EventDriven, 1, Route::TwoProjections},
    {Mode::ClockDriven, 8, Route::TwoProjections},
    {Mode::EventDriven, 8, Route::OneMixedProjection},
    {Mode::EventDriven, 1, Route::OneMixedProjection},
    {Mode::ClockDriven, 1, Route::OneMixedProjection},
    {Mode::EventDriven, 8, Route::PerSynapseDelays},
    {Mode::ClockDriven, 8, Route::PerSynapseDelays},
};

std::string describe(const PathCase& c) {
  return std::string(c.mode == Mode::EventDriven ? "event" : "clock") + " size " +
         std::to_string(c.size) + " route " + std::to_string(static_cast<int>(c.route));
}

TEST(Receptors, SimultaneousExcitationAndInhibitionOfIafPscAlphaAddTheirOwnAlphaPsps) {
  // +100 pA on the fast excitatory receptor and -100 pA on the slow inhibitory one: summed into
  // one number they would cancel and V would stay at E_L.
  IafPscAlpha::Params p;
  p.tau_syn_ex = 2.0;
  p.tau_syn_in = 8.0;
  for (const PathCase& c : kPaths) {
    Network net(SimConfig{kDt, 1, c.mode});
    net.add_population(one_model("n", c.size, p));
    wire(net, c.route, 100.0, -100.0);
    net.record_voltage("n", {0});
    Recorder rec("", true);
    net.run(60.0, &rec);
    double extreme = 0;
    for (long t = 1; t <= 600; ++t) {
      const double s = (t - 11) * kDt;
      const double exact = t <= 11 ? 0.0
                                   : test::alpha_psp(100.0, 250, 10, 2.0, s) +
                                         test::alpha_psp(-100.0, 250, 10, 8.0, s);
      if (std::fabs(exact) > std::fabs(extreme)) extreme = exact;
      ASSERT_NEAR(test::v_at_step(rec, "n", 0, t), -70.0 + exact, 2e-5) << describe(c) << " " << t;
    }
    EXPECT_GT(std::fabs(extreme), 0.3) << describe(c);  // far from the cancelled sum's 0
  }
}

TEST(Receptors, SimultaneousConductancesOfIafCondExpFollowTheReferenceOde) {
  // g_ex and g_in both jump by 20 nS: with E_ex = 0 and E_in = -85 mV the neuron depolarises
  // (the excitatory driving force is larger), which a cancelled sum (no conductance) cannot do.
  const IafCondExp::Params p;  // NEST's defaults: tau_syn_ex 0.2 ms, tau_syn_in 2 ms
  std::vector<double> reference(600, -70.0);
  {
    std::array<double, 3> y{-70.0, 20.0, 20.0};  // V, g_ex, g_in just after the jump at step 11
    auto f = [&](const std::array<double, 3>& x, std::array<double, 3>& d) {
      d[0] = (-p.g_l * (x[0] - p.e_l) - x[1] * (x[0] - p.e_ex) - x[2] * (x[0] - p.e_in)) / p.c_m;
      d[1] = -x[1] / p.tau_syn_ex;
      d[2] = -x[2] / p.tau_syn_in;
    };
    for (long t = 12; t <= 600; ++t) {
      test::reference_solve<3>(f, y, kDt);
      reference[t - 1] = y[0];
    }
  }
  const double peak = *std::max_element(reference.begin(), reference.end());
  ASSERT_GT(peak, -70.0 + 0.5);
  for (const PathCase& c : kPaths) {
    Network net(SimConfig{kDt, 1, c.mode});
    net.add_population(one_model("n", c.size, p));
    wire(net, c.route, 20.0, -20.0);
    net.record_voltage("n", {0});
    Recorder rec("", true);
    net.run(60.0, &rec);
    for (long t = 1; t <= 600; ++t)  // RKF45 at NEST's absolute tolerance of 1e-3
      ASSERT_NEAR(test::v_at_step(rec, "n", 0, t), reference[t - 1], 2e-3)
          << describe(c) << " " << t;
  }
}

/// Voltages of 40 iaf_psc_alpha neurons (tau_syn_in 8 ms) driven by excitatory and inhibitory
/// Poisson input, dense (rate high enough to draw a count per target and step) or sparse.
std::vector<float> poisson_voltages(Mode mode, double rate_hz) {
  const double w = 30.0 * 100.0 / rate_hz;  // the same mean current at every rate
  IafPscAlpha::Params p;
  p.tau_syn_in = 8.0;
  Network net(SimConfig{kDt, 5, mode});
  net.add_population(one_model("n", 40, p));
  net.add_poisson(PoissonSpec{"n", 0, -1, rate_hz, w, 0.0});
  net.add_poisson(PoissonSpec{"n", 0, -1, rate_hz, -w, 0.0});
  std::vector<std::uint32_t> all(40);
  for (std::uint32_t j = 0; j < 40; ++j) all[j] = j;
  net.record_voltage("n", all);
  Recorder rec("", true);
  net.run(100.0, &rec);
  return rec.voltages().at("n").rows;
}

TEST(Receptors, PoissonInputOfBothSignsReachesBothReceptorsInEveryMode) {
  for (double rate : {5000.0, 100.0}) {  // dense and sparse sources (kDenseLambda 0.05 per step)
    const std::vector<float> event = poisson_voltages(Mode::EventDriven, rate);
    const std::vector<float> clock = poisson_voltages(Mode::ClockDriven, rate);
    ASSERT_EQ(event, clock) << rate;
    // The inhibitory alpha kernel is 4 times slower: same peaks, 4 times the charge, so the mean
    // potential sits about 2 mV below E_L (-49 pA mean current over g = 25 nS, after the rise):
    // inhibitory input that never reached its receptor would leave it above.
    double mean = 0;
    for (float v : event) mean += v;
    mean /= static_cast<double>(event.size());
    EXPECT_LT(mean, -70.0 - 0.05) << rate;
  }
}

}  // namespace
}  // namespace snn::sim
