// Leaky integrate-and-fire neuron with alpha-shaped current synapses, as NEST's iaf_psc_alpha,
// integrated exactly (Rotter & Diesmann 1999, Biol Cybern 81:381; NEST models/iaf_psc_alpha.h).
//   tau_m dV/dt = -(V - E_L) + (tau_m/C_m)(I_ex + I_in + I_e)
//   dI/dt = dI - I/tau_syn,  d(dI)/dt = -dI/tau_syn  (per receptor)
// An input of weight w (pA) makes dI jump by w·e/tau_syn: the current then peaks at w after
// tau_syn. w > 0 goes to the excitatory receptor, w < 0 to the inhibitory one. V >= V_th: a
// spike, V = V_reset, and V held for t_ref while the currents evolve.
// One step of dt with the exact propagators (NEST's order: V from the currents at the step's
// start, then the currents, then the step's input, then the threshold):
//   V' = V + (V - E_L)·expm1(-dt/tau_m) + P30 I_e + P31 dI + P32 I,  P30 = -tau_m/C
//   expm1(-dt/tau_m) P32 = e^{-dt/tau_m} A/C,  P31 = e^{-dt/tau_m} B/C,  with β = 1/tau_m -
//   1/tau_syn: A = ∫_0^dt e^{βu} du,  B = ∫_0^dt u e^{βu} du   (a series near β = 0: equal time
//   constants) I' = (I + dt·dI) e^{-dt/tau_syn},  dI' = dI e^{-dt/tau_syn}.
// Resting: V within 1e-3 mV of E_L + I_e tau_m/C_m, currents below 1e-6 pA (and pA/ms).
#pragma once

#include <cmath>

#include "sim/neurons/neuron_model.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct IafPscAlpha {
  static constexpr const char* kName = "iaf_psc_alpha";
  static constexpr int kN = 5;  // V_m, I_ex, dI_ex, I_in, dI_in
  static constexpr bool kTwoReceptors = true;

  struct Params {
    double tau_m = 10.0;      ///< membrane time constant, ms, default 10
    double c_m = 250.0;       ///< membrane capacitance, pF, default 250
    double t_ref = 2.0;       ///< absolute refractory period, ms (a multiple of dt), default 2
    double e_l = -70.0;       ///< resting potential, mV, default -70
    double i_e = 0.0;         ///< constant input current, pA, default 0
    double v_reset = -70.0;   ///< reset potential, mV, default -70
    double v_th = -55.0;      ///< spike threshold, mV, default -55
    double tau_syn_ex = 2.0;  ///< excitatory current time constant, ms, default 2
    double tau_syn_in = 2.0;  ///< inhibitory current time constant, ms, default 2

    template <class F>
    void fields(F&& f) {
      f("tau_m", "ms", tau_m);
      f("c_m", "pF", c_m);
      f("t_ref", "ms", t_ref);
      f("e_l", "mV", e_l);
      f("i_e", "pA", i_e);
      f("v_reset", "mV", v_reset);
      f("v_th", "mV", v_th);
      f("tau_syn_ex", "ms", tau_syn_ex);
      f("tau_syn_in", "ms", tau_syn_in);
    }
    void validate(double dt_ms) const {
      require(v_reset < v_th,
              "v_reset (" + num(v_reset) + " mV) must be below v_th (" + num(v_th) + " mV)");
      require_positive("c_m", c_m, "pF");
      require_positive("tau_m", tau_m, "ms");
      require_positive("tau_syn_ex", tau_syn_ex, "ms");
      require_positive("tau_syn_in", tau_syn_in, "ms");
      require_non_negative("t_ref", t_ref, "ms");
      steps_of(t_ref, dt_ms, "t_ref");
    }
  };

  /// The propagators of one receptor.
  struct Syn {
    double p11, p21, p31, p32, jump;  ///< jump = e/tau_syn
  };
  struct Consts {
    double e_l, v_th, v_reset, expm1_m, p30;
    Syn ex, in;
    std::int32_t ref_steps;
  };

  /// A = ∫_0^h e^{βu} du and B = ∫_0^h u e^{βu} du.
  static void alpha_integrals(double beta, double h, double& a, double& b) {
    const double x = beta * h;
    if (std::fabs(x) < 0.1) {  // series: A = h Σ x^n/(n+1)!, B = h² Σ x^n/(n! (n+2))
      double term = 1.0, sa = 0.0, sb = 0.0;
      for (int n = 0; n < 16; ++n) {
        sa += term / (n + 1);
        sb += term / (n + 2);
        term *= x / (n + 1);
      }
      a = h * sa;
      b = h * h * sb;
    } else {
      a = std::expm1(x) / beta;
      b = (h * std::exp(x) - a) / beta;
    }
  }
  static Syn syn(double tau_s, double tau_m, double c_m, double h) {
    double a, b;
    alpha_integrals(1.0 / tau_m - 1.0 / tau_s, h, a, b);
    const double em = std::exp(-h / tau_m), es = std::exp(-h / tau_s);
    return Syn{es, h * es, em * b / c_m, em * a / c_m, 2.718281828459045235 / tau_s};
  }
  static Consts consts(const Params& p, double dt) {
    return Consts{p.e_l,
                  p.v_th,
                  p.v_reset,
                  std::expm1(-dt / p.tau_m),
                  -p.tau_m / p.c_m * std::expm1(-dt / p.tau_m),
                  syn(p.tau_syn_ex, p.tau_m, p.c_m, dt),
                  syn(p.tau_syn_in, p.tau_m, p.c_m, dt),
                  static_cast<std::int32_t>(steps_of(p.t_ref, dt, "t_ref"))};
  }
  static double i_e(const Params& p) { return p.i_e; }
  static double default_v(const Params& p) { return p.e_l; }
  static void initial(const Params&, double v, double* y) {
    y[0] = v;
    for (int i = 1; i < kN; ++i) y[i] = 0.0;
  }
  static bool rest(const Params& p, double i, double* y) {
    initial(p, p.e_l + i * p.tau_m / p.c_m, y);
    return y[0] < p.v_th;
  }
  SNN_HD static double rest_tol(int i) { return i == 0 ? 1e-3 : 1e-6; }

  SNN_HD static bool advance(const Consts& c, SteppedCell<kN>& s, double i_stim, double x_ex,
                             double x_in, double) {
    double* y = s.y;
    if (s.r == 0) {
      const double vr = y[0] - c.e_l;
      y[0] = c.e_l + vr + vr * c.expm1_m + c.p30 * i_stim + c.ex.p31 * y[2] + c.ex.p32 * y[1] +
             c.in.p31 * y[4] + c.in.p32 * y[3];
    } else {
      --s.r;
    }
    y[1] = c.ex.p21 * y[2] + c.ex.p11 * y[1];
    y[2] *= c.ex.p11;
    y[3] = c.in.p21 * y[4] + c.in.p11 * y[3];
    y[4] *= c.in.p11;
    y[2] += c.ex.jump * x_ex;
    y[4] += c.in.jump * x_in;
    if (y[0] >= c.v_th) {
      s.r = c.ref_steps;
      y[0] = c.v_reset;
      return true;
    }
    return false;
  }
  using Kernel = SteppedKernel<IafPscAlpha>;
  using State = SteppedState<IafPscAlpha>;
};

}  // namespace snn::sim
