// Adaptive exponential integrate-and-fire neuron (AdEx) with exponential conductance synapses,
// as NEST's aeif_cond_exp (Brette & Gerstner 2005, J Neurophysiol 94:3637; NEST
// models/aeif_cond_exp.h).
//   C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th)/Delta_T) - g_ex (V - E_ex)
//               - g_in (V - E_in) - w + I_e
//   tau_w dw/dt = a (V - E_L) - w,  dg/dt = -g / tau_syn  (per receptor)
// V >= V_peak (V_th when Delta_T = 0) inside the step's integration: a spike, V = V_reset,
// w += b, and V held at V_reset for t_ref. The right-hand side uses min(V, V_peak). Integration:
// adaptive RKF45 with NEST's control (gsl_odeiv_control_yp_new(gsl_error_tol, gsl_error_tol)),
// reset checked after every substep as NEST does. With t_ref = 0 NEST can fire twice in one step;
// here a step emits one spike at most. Resting: V within 1e-3 mV of the stable fixed point, w
// within 1e-3 pA of a (V - E_L) there, conductances below 1e-6 nS.
#pragma once

#include <cmath>
#include <limits>

#include "sim/neurons/neuron_model.h"
#include "sim/neurons/ode/rkf45.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct AeifCondExp {
  static constexpr const char* kName = "aeif_cond_exp";
  static constexpr int kN = 4;  // V_m, g_ex, g_in, w
  static constexpr bool kTwoReceptors = true;

  struct Params {
    double v_peak = 0.0;          ///< spike detection threshold, mV, default 0
    double v_reset = -60.0;       ///< reset potential, mV, default -60
    double t_ref = 0.0;           ///< absolute refractory period, ms (a multiple of dt), default 0
    double g_l = 30.0;            ///< leak conductance, nS, default 30
    double c_m = 281.0;           ///< membrane capacitance, pF, default 281
    double e_ex = 0.0;            ///< excitatory reversal potential, mV, default 0
    double e_in = -85.0;          ///< inhibitory reversal potential, mV, default -85
    double e_l = -70.6;           ///< leak reversal potential, mV, default -70.6
    double delta_t = 2.0;         ///< slope factor, mV, default 2
    double tau_w = 144.0;         ///< adaptation time constant, ms, default 144
    double a = 4.0;               ///< subthreshold adaptation, nS, default 4
    double b = 80.5;              ///< spike-triggered adaptation, pA, default 80.5
    double v_th = -50.4;          ///< spike initiation threshold, mV, default -50.4
    double tau_syn_ex = 0.2;      ///< excitatory synaptic time constant, ms, default 0.2
    double tau_syn_in = 2.0;      ///< inhibitory synaptic time constant, ms, default 2
    double i_e = 0.0;             ///< constant input current, pA, default 0
    double gsl_error_tol = 1e-6;  ///< integrator error tolerance, default 1e-6

    template <class F>
    void fields(F&& f) {
      f("v_peak", "mV", v_peak);
      f("v_reset", "mV", v_reset);
      f("t_ref", "ms", t_ref);
      f("g_l", "nS", g_l);
      f("c_m", "pF", c_m);
      f("e_ex", "mV", e_ex);
      f("e_in", "mV", e_in);
      f("e_l", "mV", e_l);
      f("delta_t", "mV", delta_t);
      f("tau_w", "ms", tau_w);
      f("a", "nS", a);
      f("b", "pA", b);
      f("v_th", "mV", v_th);
      f("tau_syn_ex", "ms", tau_syn_ex);
      f("tau_syn_in", "ms", tau_syn_in);
      f("i_e", "pA", i_e);
      f("gsl_error_tol", "1", gsl_error_tol);
    }
    void validate(double dt_ms) const {
      require(v_peak >= v_th,
              "v_peak (" + num(v_peak) + " mV) must be >= v_th (" + num(v_th) + " mV)");
      require_non_negative("delta_t", delta_t, "mV");
      if (delta_t > 0)
        require((v_peak - v_th) / delta_t < std::log(std::numeric_limits<double>::max() / 1e20),
                "(v_peak - v_th) / delta_t overflows exp() at a spike: raise delta_t or lower "
                "v_peak");
      require(v_reset < v_peak,
              "v_reset (" + num(v_reset) + " mV) must be below v_peak (" + num(v_peak) + " mV)");
      require_positive("c_m", c_m, "pF");
      require_positive("g_l", g_l, "nS");
      require_non_negative("t_ref", t_ref, "ms");
      steps_of(t_ref, dt_ms, "t_ref");
      require_positive("tau_syn_ex", tau_syn_ex, "ms");
      require_positive("tau_syn_in", tau_syn_in, "ms");
      require_positive("tau_w", tau_w, "ms");
      require_positive("gsl_error_tol", gsl_error_tol, "");
    }
  };

  struct Consts {
    double v_peak, v_reset, g_l, c_m, e_ex, e_in, e_l, delta_t, tau_w, a, b, v_th, tau_ex, tau_in,
        tol;
    std::int32_t ref_steps;
  };

  static Consts consts(const Params& p, double dt) {
    return Consts{p.delta_t > 0 ? p.v_peak : p.v_th,
                  p.v_reset,
                  p.g_l,
                  p.c_m,
                  p.e_ex,
                  p.e_in,
                  p.e_l,
                  p.delta_t,
                  p.tau_w,
                  p.a,
                  p.b,
                  p.v_th,
                  p.tau_syn_ex,
                  p.tau_syn_in,
                  p.gsl_error_tol,
                  static_cast<std::int32_t>(steps_of(p.t_ref, dt, "t_ref"))};
  }
  static double i_e(const Params& p) { return p.i_e; }
  static double default_v(const Params& p) { return p.e_l; }
  static void initial(const Params&, double v, double* y) {
    y[0] = v;
    y[1] = y[2] = y[3] = 0.0;
  }
  /// The lower (stable) root of the V nullcline with w = a (V - E_L), by bisection.
  static bool rest(const Params& p, double i, double* y) {
    auto net = [&](double v) {
      const double spike =
          p.delta_t > 0 ? p.g_l * p.delta_t * std::exp((v - p.v_th) / p.delta_t) : 0.0;
      return -(p.g_l + p.a) * (v - p.e_l) + spike + i;
    };
    // net() falls, then (Delta_T > 0) rises after its minimum at V_th + Delta_T ln(1 + a/g_L).
    double hi = p.delta_t > 0 ? p.v_th + p.delta_t * std::log1p(p.a / p.g_l) : p.v_th;
    double lo = p.e_l + i / (p.g_l + p.a) - 100.0;
    if (hi > p.v_peak) hi = p.v_peak;
    initial(p, 0.0, y);
    if (!(net(hi) < 0) || !(net(lo) > 0)) return false;
    for (int k = 0; k < 200; ++k) {
      const double m = 0.5 * (lo + hi);
      (net(m) > 0 ? lo : hi) = m;
    }
    y[0] = 0.5 * (lo + hi);
    y[3] = p.a * (y[0] - p.e_l);
    return true;
  }
  SNN_HD static double rest_tol(int i) { return i == 0 || i == 3 ? 1e-3 : 1e-6; }

  SNN_HD static bool advance(const Consts& c, SteppedCell<kN>& s, double i_stim, double x_ex,
                             double x_in, double dt) {
    auto f = [&](const double* y, double* d) {
      const bool refractory = s.r > 0;
      const double v = refractory ? c.v_reset : (y[0] < c.v_peak ? y[0] : c.v_peak);
      const double spike =
          c.delta_t == 0.0 ? 0.0 : c.g_l * c.delta_t * ::exp((v - c.v_th) / c.delta_t);
      d[0] = refractory ? 0.0
                        : (-c.g_l * (v - c.e_l) + spike - y[1] * (v - c.e_ex) -
                           y[2] * (v - c.e_in) - y[3] + i_stim) /
                              c.c_m;
      d[1] = -y[1] / c.tau_ex;
      d[2] = -y[2] / c.tau_in;
      d[3] = (c.a * (v - c.e_l) - y[3]) / c.tau_w;
    };
    bool spiked = false;
    auto reset = [&](double* y) {
      if (s.r > 0) {
        y[0] = c.v_reset;
      } else if (y[0] >= c.v_peak) {
        y[0] = c.v_reset;
        y[3] += c.b;
        // One more than t_ref/dt: the count-down after this step's integration takes one.
        s.r = c.ref_steps > 0 ? c.ref_steps + 1 : 0;
        spiked = true;
      }
      return true;
    };
    ode::evolve<kN>(f, s.y, dt, s.h, ode::Control::yp(c.tol, c.tol), reset);
    if (s.r > 0) --s.r;
    s.y[1] += x_ex;
    s.y[2] -= x_in;
    return spiked;
  }
  using Kernel = SteppedKernel<AeifCondExp>;
  using State = SteppedState<AeifCondExp>;
};

}  // namespace snn::sim
