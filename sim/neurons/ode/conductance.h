// What NEST's iaf_cond_exp and iaf_cond_alpha share: their parameters (names, units and
// defaults of NEST), constants of the step, and the refractory/threshold rule after a step.
#pragma once

#include <cstdint>

#include "sim/neurons/neuron_model.h"
#include "sim/neurons/ode/rkf45.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct CondParams {
  double v_th = -55.0;      ///< spike threshold, mV, default -55
  double v_reset = -60.0;   ///< reset potential, mV, default -60
  double t_ref = 2.0;       ///< absolute refractory period, ms (a multiple of dt), default 2
  double g_l = 16.6667;     ///< leak conductance, nS, default 16.6667
  double c_m = 250.0;       ///< membrane capacitance, pF, default 250
  double e_ex = 0.0;        ///< excitatory reversal potential, mV, default 0
  double e_in = -85.0;      ///< inhibitory reversal potential, mV, default -85
  double e_l = -70.0;       ///< leak reversal potential, mV, default -70
  double tau_syn_ex = 0.2;  ///< excitatory synaptic time constant, ms, default 0.2
  double tau_syn_in = 2.0;  ///< inhibitory synaptic time constant, ms, default 2
  double i_e = 0.0;         ///< constant input current, pA, default 0

  template <class F>
  void cond_fields(F& f) {
    f("v_th", "mV", v_th);
    f("v_reset", "mV", v_reset);
    f("t_ref", "ms", t_ref);
    f("g_l", "nS", g_l);
    f("c_m", "pF", c_m);
    f("e_ex", "mV", e_ex);
    f("e_in", "mV", e_in);
    f("e_l", "mV", e_l);
    f("tau_syn_ex", "ms", tau_syn_ex);
    f("tau_syn_in", "ms", tau_syn_in);
    f("i_e", "pA", i_e);
  }
  void validate(double dt_ms) const {
    require(v_reset < v_th,
            "v_reset (" + num(v_reset) + " mV) must be below v_th (" + num(v_th) + " mV)");
    require_positive("c_m", c_m, "pF");
    require_positive("g_l", g_l, "nS");
    require_non_negative("t_ref", t_ref, "ms");
    steps_of(t_ref, dt_ms, "t_ref");
    require_positive("tau_syn_ex", tau_syn_ex, "ms");
    require_positive("tau_syn_in", tau_syn_in, "ms");
  }
};

struct CondConsts {
  double v_th, v_reset, g_l, c_m, e_ex, e_in, e_l, tau_ex, tau_in;
  double psc_ex, psc_in;  ///< e/tau: the alpha conductance's jump of dg per nS of weight
  std::int32_t ref_steps;
};

inline CondConsts cond_consts(const CondParams& p, double dt) {
  const double e = 2.718281828459045235;
  return CondConsts{p.v_th,
                    p.v_reset,
                    p.g_l,
                    p.c_m,
                    p.e_ex,
                    p.e_in,
                    p.e_l,
                    p.tau_syn_ex,
                    p.tau_syn_in,
                    e / p.tau_syn_ex,
                    e / p.tau_syn_in,
                    static_cast<std::int32_t>(steps_of(p.t_ref, dt, "t_ref"))};
}

/// After the step's integration (NEST's order): a refractory neuron counts down with V clamped
/// at V_reset; otherwise V >= V_th is a spike, V = V_reset and t_ref/dt refractory steps.
template <int N>
SNN_HD bool cond_threshold(const CondConsts& c, SteppedCell<N>& s) {
  if (s.r > 0) {
    --s.r;
    s.y[0] = c.v_reset;
    return false;
  }
  if (s.y[0] >= c.v_th) {
    s.r = c.ref_steps;
    s.y[0] = c.v_reset;
    return true;
  }
  return false;
}

}  // namespace snn::sim
