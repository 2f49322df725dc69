// Helpers for the simulator tests: small networks, runs with an in-memory recorder, spike trains.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/network.h"
#include "sim/recording/recorder.h"

namespace snn::test {

/// (step, neuron) pairs of one population, in the recorder's order (time, then id).
using SpikeTrain = std::vector<std::pair<long, std::uint64_t>>;

inline SpikeTrain train_of(const sim::Recorder& r, const std::string& pop, double dt) {
  SpikeTrain out;
  auto it = r.spikes().find(pop);
  if (it == r.spikes().end()) return out;
  for (std::size_t i = 0; i < it->second.times_ms.size(); ++i)
    out.emplace_back(std::lround(it->second.times_ms[i] / dt), it->second.node_ids[i]);
  return out;
}

/// Runs `net` for t_ms with an in-memory recorder; returns every population's spike train.
inline std::map<std::string, SpikeTrain> run_and_collect(sim::Network& net, double t_ms,
                                                         sim::Recorder* keep = nullptr) {
  sim::Recorder own("", true);
  sim::Recorder& r = keep ? *keep : own;
  net.run(t_ms, &r);
  std::map<std::string, SpikeTrain> out;
  for (auto& [name, s] : r.spikes()) out[name] = train_of(r, name, net.config().dt_ms);
  return out;
}

/// A LIF (delta) population with Brunel's parameters.
inline sim::PopulationSpec lif_population(const std::string& name, std::int64_t n) {
  sim::PopulationSpec s;
  s.name = name;
  s.size = n;
  sim::LifDelta::Params p;
  p.c_m = 250;
  p.e_l = 0;
  p.v_th = 20;
  p.v_reset = 10;
  p.t_ref = 2;
  s.params = p;
  return s;
}

inline sim::ProjectionSpec projection(const std::string& from, const std::string& to,
                                      sim::Connectivity c, double weight, double delay_ms) {
  sim::ProjectionSpec s;
  s.source = from;
  s.target = to;
  s.connectivity = std::move(c);
  s.weight = sim::Distribution::constant(weight);
  s.delay_ms = sim::Distribution::constant(delay_ms);
  return s;
}

}  // namespace snn::test
