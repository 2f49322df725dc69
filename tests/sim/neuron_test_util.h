// Helpers for the neuron model tests: one spike generator, a synapse onto one neuron, a recorded
// voltage, a reference ODE solution (Boost.Odeint's Dormand-Prince stepper) between inputs.
#pragma once

#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "sim/network.h"
#include "sim/recording/recorder.h"
#include "tests/sim/sim_test_util.h"

namespace snn::test {

inline sim::SpikeGeneratorSpec one_generator(const std::string& name, std::vector<double> times) {
  sim::SpikeGeneratorSpec g;
  g.name = name;
  g.size = 1;
  g.times_ms = std::move(times);
  g.nodes.assign(g.times_ms.size(), 0);
  return g;
}

inline sim::ProjectionSpec onto(const std::string& from, const std::string& to,
                                std::uint32_t target, double weight, double delay_ms) {
  return projection(from, to, sim::Connectivity::list({0}, {target}), weight, delay_ms);
}

/// V of recorded neuron `col` at step `step` (>= 1).
inline float v_at_step(const sim::Recorder& r, const std::string& pop, std::size_t col, long step) {
  const auto& v = r.voltages().at(pop);
  return v.rows.at(static_cast<std::size_t>(step - 1) * v.node_ids.size() + col);
}

/// Integrates dy/dt = f(y) over [0, t] with Odeint's controlled Dormand-Prince 5(4) stepper at
/// tolerance 1e-10 (absolute and relative): the independent reference for the RKF45 stepper.
template <std::size_t N, class F>
void reference_solve(F f, std::array<double, N>& y, double t) {
  using namespace boost::numeric::odeint;
  using State = std::array<double, N>;
  auto rhs = [&](const State& x, State& d, double) { f(x, d); };
  integrate_adaptive(make_controlled(1e-10, 1e-10, runge_kutta_dopri5<State>()), rhs, y, 0.0, t,
                     t / 10);
}

}  // namespace snn::test
