// Hodgkin-Huxley neuron with alpha-shaped current synapses, as NEST's hh_psc_alpha (Hodgkin &
// Huxley 1952; the rate functions of Gerstner & Kistler 2002 as NEST uses them, V in mV):
//   C_m dV/dt = -g_Na m³h (V - E_Na) - g_K n⁴ (V - E_K) - g_L (V - E_L) + I_ex + I_in + I_e
//   dx/dt = α_x(V)(1 - x) - β_x(V) x  for x = m, h, n
//   α_n = 0.01 (V + 55)/(1 - e^{-(V + 55)/10}),  β_n = 0.125 e^{-(V + 65)/80}
//   α_m = 0.1 (V + 40)/(1 - e^{-(V + 40)/10}),   β_m = 4 e^{-(V + 65)/18}
//   α_h = 0.07 e^{-(V + 65)/20},                 β_h = 1/(1 + e^{-(V + 35)/10})
//   alpha currents as iaf_psc_alpha: dI jumps by w·e/tau_syn (w > 0 excitatory, w < 0 inhibitory).
// A spike: V >= 0 mV and falling (past the action potential's peak), outside t_ref. Integration:
// adaptive RKF45, absolute error 1e-3 (NEST's control). Initial state: V = -65 mV and the gates
// at their steady state there (NEST's). Resting: V within 1e-3 mV of the fixed point (where the
// membrane current with gates at steady state balances I_e), gates within 1e-6, currents below
// 1e-6 pA.
#pragma once

#include <cmath>

#include "sim/neurons/neuron_model.h"
#include "sim/neurons/ode/rkf45.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct HhPscAlpha {
  static constexpr const char* kName = "hh_psc_alpha";
  static constexpr int kN = 8;  // V_m, m, h, n, dI_ex, I_ex, dI_in, I_in
  static constexpr bool kTwoReceptors = true;

  struct Params {
    double t_ref = 2.0;       ///< refractory period (no second spike), ms, default 2
    double g_na = 12000.0;    ///< sodium peak conductance, nS, default 12000
    double g_k = 3600.0;      ///< potassium peak conductance, nS, default 3600
    double g_l = 30.0;        ///< leak conductance, nS, default 30
    double c_m = 100.0;       ///< membrane capacitance, pF, default 100
    double e_na = 50.0;       ///< sodium reversal potential, mV, default 50
    double e_k = -77.0;       ///< potassium reversal potential, mV, default -77
    double e_l = -54.402;     ///< leak reversal potential, mV, default -54.402
    double tau_syn_ex = 0.2;  ///< excitatory current time constant, ms, default 0.2
    double tau_syn_in = 2.0;  ///< inhibitory current time constant, ms, default 2
    double i_e = 0.0;         ///< constant input current, pA, default 0

    template <class F>
    void fields(F&& f) {
      f("t_ref", "ms", t_ref);
      f("g_na", "nS", g_na);
      f("g_k", "nS", g_k);
      f("g_l", "nS", g_l);
      f("c_m", "pF", c_m);
      f("e_na", "mV", e_na);
      f("e_k", "mV", e_k);
      f("e_l", "mV", e_l);
      f("tau_syn_ex", "ms", tau_syn_ex);
      f("tau_syn_in", "ms", tau_syn_in);
      f("i_e", "pA", i_e);
    }
    void validate(double dt_ms) const {
      require_positive("c_m", c_m, "pF");
      require_non_negative("t_ref", t_ref, "ms");
      steps_of(t_ref, dt_ms, "t_ref");
      require_positive("tau_syn_ex", tau_syn_ex, "ms");
      require_positive("tau_syn_in", tau_syn_in, "ms");
      require_non_negative("g_na", g_na, "nS");
      require_non_negative("g_k", g_k, "nS");
      require_non_negative("g_l", g_l, "nS");
    }
  };

  struct Consts {
    double g_na, g_k, g_l, c_m, e_na, e_k, e_l, tau_ex, tau_in, jump_ex, jump_in;
    std::int32_t ref_steps;
  };

  /// The gates' rates at V (mV), 1/ms: α_m, β_m, α_h, β_h, α_n, β_n.
  SNN_HD static void rates(double v, double* r) {
    r[0] = 0.1 * (v + 40.0) / (1.0 - ::exp(-(v + 40.0) / 10.0));
    r[1] = 4.0 * ::exp(-(v + 65.0) / 18.0);
    r[2] = 0.07 * ::exp(-(v + 65.0) / 20.0);
    r[3] = 1.0 / (1.0 + ::exp(-(v + 35.0) / 10.0));
    r[4] = 0.01 * (v + 55.0) / (1.0 - ::exp(-(v + 55.0) / 10.0));
    r[5] = 0.125 * ::exp(-(v + 65.0) / 80.0);
  }

  static Consts consts(const Params& p, double dt) {
    const double e = 2.718281828459045235;
    return Consts{p.g_na,
                  p.g_k,
                  p.g_l,
                  p.c_m,
                  p.e_na,
                  p.e_k,
                  p.e_l,
                  p.tau_syn_ex,
                  p.tau_syn_in,
                  e / p.tau_syn_ex,
                  e / p.tau_syn_in,
                  static_cast<std::int32_t>(steps_of(p.t_ref, dt, "t_ref"))};
  }
  static double i_e(const Params& p) { return p.i_e; }
  static double default_v(const Params&) { return -65.0; }
  static void initial(const Params&, double v, double* y) {
    double r[6];
    rates(v, r);
    y[0] = v;
    y[1] = r[0] / (r[0] + r[1]);
    y[2] = r[2] / (r[2] + r[3]);
    y[3] = r[4] / (r[4] + r[5]);
    for (int i = 4; i < kN; ++i) y[i] = 0.0;
  }
  /// The membrane current at V with the gates at steady state, pA.
  static double steady_current(const Params& p, double v, double i) {
    double y[kN];
    initial(p, v, y);
    return -p.g_na * y[1] * y[1] * y[1] * y[2] * (v - p.e_na) -
           p.g_k * y[3] * y[3] * y[3] * y[3] * (v - p.e_k) - p.g_l * (v - p.e_l) + i;
  }
  /// The first fixed point from below (current changing sign from inward to outward).
  static bool rest(const Params& p, double i, double* y) {
    initial(p, -65.0, y);
    for (double v = -100.0; v < -30.0; v += 0.5) {
      double lo = v, hi = v + 0.5;
      if (steady_current(p, lo, i) > 0 && steady_current(p, hi, i) <= 0) {
        for (int k = 0; k < 100; ++k) {
          const double m = 0.5 * (lo + hi);
          (steady_current(p, m, i) > 0 ? lo : hi) = m;
        }
        initial(p, 0.5 * (lo + hi), y);
        return true;
      }
    }
    return false;
  }
  SNN_HD static double rest_tol(int i) { return i == 0 ? 1e-3 : 1e-6; }

  SNN_HD static bool advance(const Consts& c, SteppedCell<kN>& s, double i_stim, double x_ex,
                             double x_in, double dt) {
    auto f = [&](const double* y, double* d) {
      const double v = y[0], m = y[1], h = y[2], n = y[3];
      double r[6];
      rates(v, r);
      const double i_na = c.g_na * m * m * m * h * (v - c.e_na);
      const double i_k = c.g_k * n * n * n * n * (v - c.e_k);
      const double i_l = c.g_l * (v - c.e_l);
      d[0] = (-(i_na + i_k + i_l) + i_stim + y[5] + y[7]) / c.c_m;
      d[1] = r[0] * (1.0 - m) - r[1] * m;
      d[2] = r[2] * (1.0 - h) - r[3] * h;
      d[3] = r[4] * (1.0 - n) - r[5] * n;
      d[4] = -y[4] / c.tau_ex;
      d[5] = y[4] - y[5] / c.tau_ex;
      d[6] = -y[6] / c.tau_in;
      d[7] = y[6] - y[7] / c.tau_in;
    };
    const double v_old = s.y[0];
    ode::NoReset none;
    ode::evolve<kN>(f, s.y, dt, s.h, ode::Control::y(1e-3, 0.0), none);
    s.y[4] += c.jump_ex * x_ex;
    s.y[6] += c.jump_in * x_in;
    if (s.r > 0) {
      --s.r;
      return false;
    }
    if (s.y[0] >= 0.0 && v_old > s.y[0]) {
      s.r = c.ref_steps;
      return true;
    }
    return false;
  }
  using Kernel = SteppedKernel<HhPscAlpha>;
  using State = SteppedState<HhPscAlpha>;
};

}  // namespace snn::sim
