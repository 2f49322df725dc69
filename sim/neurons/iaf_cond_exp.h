// Leaky integrate-and-fire neuron with exponential conductance synapses, as NEST's iaf_cond_exp
// (Kuhn, Aertsen & Rotter 2004; NEST models/iaf_cond_exp.h).
//   C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in) + I_e
//   dg_ex/dt = -g_ex / tau_syn_ex,  dg_in/dt = -g_in / tau_syn_in
// An input of weight w > 0 makes g_ex jump by w (nS), w < 0 makes g_in jump by -w. V >= V_th: a
// spike, V = V_reset for t_ref (V's derivative is 0 meanwhile, the conductances keep decaying).
// The right-hand side uses min(V, V_th), as NEST. Integration: adaptive RKF45, absolute error
// 1e-3 (NEST's gsl_odeiv_control_y_new(1e-3, 0)); inputs enter after the step's integration.
// Resting: V within 1e-3 mV of E_L + I/g_L and both conductances below 1e-6 nS.
#pragma once

#include "sim/neurons/ode/conductance.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct IafCondExp {
  static constexpr const char* kName = "iaf_cond_exp";
  static constexpr int kN = 3;  // V_m, g_ex, g_in
  static constexpr bool kTwoReceptors = true;

  struct Params : CondParams {
    template <class F>
    void fields(F&& f) {
      cond_fields(f);
    }
  };
  using Consts = CondConsts;

  static Consts consts(const Params& p, double dt) { return cond_consts(p, dt); }
  static double i_e(const Params& p) { return p.i_e; }
  static double default_v(const Params& p) { return p.e_l; }
  static void initial(const Params&, double v, double* y) {
    y[0] = v;
    y[1] = y[2] = 0.0;
  }
  static bool rest(const Params& p, double i, double* y) {
    y[0] = p.e_l + i / p.g_l;
    y[1] = y[2] = 0.0;
    return y[0] < p.v_th;
  }
  SNN_HD static double rest_tol(int i) { return i == 0 ? 1e-3 : 1e-6; }

  SNN_HD static bool advance(const Consts& c, SteppedCell<kN>& s, double i_stim, double x_ex,
                             double x_in, double dt) {
    const bool refractory = s.r > 0;
    auto f = [&](const double* y, double* d) {
      const double v = refractory ? c.v_reset : (y[0] < c.v_th ? y[0] : c.v_th);
      d[0] =
          refractory
              ? 0.0
              : (-c.g_l * (v - c.e_l) - y[1] * (v - c.e_ex) - y[2] * (v - c.e_in) + i_stim) / c.c_m;
      d[1] = -y[1] / c.tau_ex;
      d[2] = -y[2] / c.tau_in;
    };
    ode::NoReset none;
    ode::evolve<kN>(f, s.y, dt, s.h, ode::Control::y(1e-3, 0.0), none);
    s.y[1] += x_ex;
    s.y[2] -= x_in;
    return cond_threshold(c, s);
  }
  using Kernel = SteppedKernel<IafCondExp>;
  using State = SteppedState<IafCondExp>;
};

}  // namespace snn::sim
