// Helpers for the neuron model tests: one spike generator, a synapse onto one neuron, a recorded
// voltage, a reference ODE solution (tests/sim/ode_reference.h) between inputs.
#pragma once

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "sim/network.h"
#include "sim/recording/recorder.h"
#include "tests/sim/ode_reference.h"
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

/// V - E_L of iaf_psc_alpha at time t (ms) after an alpha current of peak w (pA) began: the
/// current w·e/tau_s · t·e^{-t/tau_s} convolved with the membrane's e^{-t/tau_m}/C (C in pF).
inline double alpha_psp(double w, double c, double tau_m, double tau_s, double t) {
  const double k = w * 2.718281828459045235 / (tau_s * c);
  if (tau_m == tau_s) return k * t * t * std::exp(-t / tau_m) / 2;
  const double beta = 1 / tau_m - 1 / tau_s;
  return k * (std::exp(-t / tau_m) - std::exp(-t / tau_s) * (1 - beta * t)) / (beta * beta);
}

/// V of recorded neuron `col` at step `step` (>= 1).
inline float v_at_step(const sim::Recorder& r, const std::string& pop, std::size_t col, long step) {
  const auto& v = r.voltages().at(pop);
  return v.rows.at(static_cast<std::size_t>(step - 1) * v.node_ids.size() + col);
}

}  // namespace snn::test
