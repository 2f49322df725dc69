// The built-in networks of snn-sim and snn-bench-sim.
#pragma once

#include <cstdint>

#include "sim/network.h"

namespace snn::sim {

/// Brunel (2000) model A with delta synapses, as NEST's brunel_delta example: NE = 4·order
/// excitatory and NI = order inhibitory LIF neurons ("exc", "inh"), fixed in-degree CE = NE/10 and
/// CI = NI/10 from each population (autapses and multapses allowed, as NEST's defaults), weight J
/// and -g·J, delay 1.5 ms, and a Poisson drive per neuron at p_rate = 1000·eta·nu_th·CE Hz with
/// nu_th = V_th/(J·CE·tau_m), weight J. Initial V uniform in [0, V_th).
struct BrunelParams {
  std::int64_t order = 2500;
  double g = 5.0;         ///< relative inhibitory strength
  double eta = 2.0;       ///< external rate relative to threshold rate
  double j = 0.1;         ///< excitatory weight, mV
  double delay_ms = 1.5;  ///< synaptic delay, ms
  double tau_m = 20.0, v_th = 20.0, v_reset = 10.0, t_ref = 2.0;  ///< ms, mV, mV, ms
  /// Procedural projections (projection.h): nothing stored per synapse; each pair connected with
  /// probability C / N of its source population (fixed in-degree cannot be regenerated per source),
  /// so in-degrees are Binomial with mean CE and CI.
  bool procedural = false;
};
void add_brunel(Network& net, const BrunelParams& p);

/// N LIF neurons ("neurons", Brunel's parameters, at rest, no other drive); the first K each
/// driven one to one by an independent Poisson source of `rate_hz` through `input_weight` mV
/// (suprathreshold, so they fire at about that rate); every neuron projects to `outdegree` random
/// neurons with weight J and delay 1.5 ms.
struct SparseParams {
  std::int64_t n = 100000;
  std::int64_t k = 1000;
  double rate_hz = 10.0;
  std::int64_t outdegree = 100;
  double j = 0.2;              ///< mV
  double input_weight = 25.0;  ///< mV
  double delay_ms = 1.5;
  /// A procedural projection (projection.h): the same synapses as stored, none stored.
  bool procedural = false;
};
void add_sparse(Network& net, const SparseParams& p);

}  // namespace snn::sim
