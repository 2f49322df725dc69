// Leaky integrate-and-fire neuron with alpha-shaped conductance synapses, as NEST's
// iaf_cond_alpha (Kuhn, Aertsen & Rotter 2004; NEST models/iaf_cond_alpha.h).
//   C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in) + I_e
//   dg/dt = dg - g / tau,  d(dg)/dt = -dg / tau   (per receptor)
// An input of weight w > 0 makes dg_ex jump by w·e/tau_syn_ex (g_ex then peaks at w nS after
// tau_syn_ex), w < 0 does so for dg_in with -w. Threshold, reset, refractoriness, the min(V, V_th)
// in the right-hand side and the integrator (RKF45, absolute error 1e-3) as iaf_cond_exp.
// Resting: V within 1e-3 mV of E_L + I/g_L and every conductance term below 1e-6.
#pragma once

#include "sim/neurons/ode/conductance.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct IafCondAlpha {
  static constexpr const char* kName = "iaf_cond_alpha";
  static constexpr int kN = 5;  // V_m, dg_ex, g_ex, dg_in, g_in
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
    for (int i = 1; i < kN; ++i) y[i] = 0.0;
  }
  static bool rest(const Params& p, double i, double* y) {
    initial(p, p.e_l + i / p.g_l, y);
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
              : (-c.g_l * (v - c.e_l) - y[2] * (v - c.e_ex) - y[4] * (v - c.e_in) + i_stim) / c.c_m;
      d[1] = -y[1] / c.tau_ex;
      d[2] = y[1] - y[2] / c.tau_ex;
      d[3] = -y[3] / c.tau_in;
      d[4] = y[3] - y[4] / c.tau_in;
    };
    ode::NoReset none;
    ode::evolve<kN>(f, s.y, dt, s.h, ode::Control::y(1e-3, 0.0), none);
    const bool spiked = cond_threshold(c, s);
    s.y[1] += x_ex * c.psc_ex;
    s.y[3] -= x_in * c.psc_in;
    return spiked;
  }
  using Kernel = SteppedKernel<IafCondAlpha>;
  using State = SteppedState<IafCondAlpha>;
};

}  // namespace snn::sim
