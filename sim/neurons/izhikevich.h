// Izhikevich's simple model, as NEST's izhikevich (Izhikevich 2003, IEEE Trans Neural Netw
// 14:1569; NEST models/izhikevich.h).
//   dV/dt = 0.04 V² + 5 V + 140 - U + I_e,  dU/dt = a (b V - U)
//   V >= V_th: a spike, V = c, U += d. An input of weight w makes V jump by w (mV) in its step.
// One Euler step per dt, as NEST: consistent_integration = 1 (default) is the standard forward
// Euler step from (V, U) at the step's start; 0 is the published scheme (two half steps for V,
// then U from the new V). V is bounded below by V_min (default: none). Resting: V and U within
// 1e-3 of the stable fixed point (the lower root of 0.04 V² + (5 - b) V + 140 + I = 0, U = b V).
#pragma once

#include <cmath>
#include <limits>

#include "sim/neurons/neuron_model.h"
#include "sim/neurons/stepped_neuron.h"

namespace snn::sim {

struct Izhikevich {
  static constexpr const char* kName = "izhikevich";
  static constexpr int kN = 2;  // V_m, U_m
  static constexpr bool kTwoReceptors = false;

  struct Params {
    double a = 0.02;     ///< time scale of U, 1/ms, default 0.02
    double b = 0.2;      ///< sensitivity of U to V, 1, default 0.2
    double c = -65.0;    ///< V after a spike, mV, default -65
    double d = 8.0;      ///< U increment at a spike, mV, default 8
    double i_e = 0.0;    ///< constant input current, pA (the model's units: R = 1), default 0
    double v_th = 30.0;  ///< spike threshold, mV, default 30
    double v_min = -std::numeric_limits<double>::max();  ///< lower bound of V, mV, default none
    double consistent_integration = 1.0;  ///< 1: forward Euler, 0: the published scheme

    template <class F>
    void fields(F&& f) {
      f("a", "1/ms", a);
      f("b", "1", b);
      f("c", "mV", c);
      f("d", "mV", d);
      f("i_e", "pA", i_e);
      f("v_th", "mV", v_th);
      f("v_min", "mV", v_min);
      f("consistent_integration", "0 or 1", consistent_integration);
    }
    void validate(double) const {
      require(consistent_integration == 0.0 || consistent_integration == 1.0,
              "consistent_integration must be 0 or 1, got " + num(consistent_integration));
      require(c < v_th, "c (" + num(c) + " mV) must be below v_th (" + num(v_th) + " mV)");
    }
  };

  struct Consts {
    double a, b, c, d, v_th, v_min;
    bool consistent;
  };

  static Consts consts(const Params& p, double) {
    return Consts{p.a, p.b, p.c, p.d, p.v_th, p.v_min, p.consistent_integration != 0.0};
  }
  static double i_e(const Params& p) { return p.i_e; }
  static double default_v(const Params&) { return -65.0; }  // NEST's V_m
  static void initial(const Params&, double v, double* y) {
    y[0] = v;
    y[1] = 0.2 * -65.0;  // NEST's U_m, whatever V_m and b
  }
  static bool rest(const Params& p, double i, double* y) {
    const double disc = (5.0 - p.b) * (5.0 - p.b) - 4 * 0.04 * (140.0 + i);
    if (!(disc >= 0)) return false;
    y[0] = (-(5.0 - p.b) - std::sqrt(disc)) / (2 * 0.04);
    y[1] = p.b * y[0];
    return y[0] < p.v_th && y[0] >= p.v_min;
  }
  SNN_HD static double rest_tol(int) { return 1e-3; }

  SNN_HD static bool advance(const Consts& c, SteppedCell<kN>& s, double i_stim, double x,
                             double h) {
    double& v = s.y[0];
    double& u = s.y[1];
    if (c.consistent) {
      const double v_old = v, u_old = u;
      v += h * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + i_stim) + x;
      u += h * c.a * (c.b * v_old - u_old);
    } else {
      // The published scheme: the input enters as a current of the step's two half steps.
      v += h * 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + i_stim + x);
      v += h * 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + i_stim + x);
      u += h * c.a * (c.b * v - u);
    }
    if (v < c.v_min) v = c.v_min;
    if (v >= c.v_th) {
      v = c.c;
      u += c.d;
      return true;
    }
    return false;
  }
  using Kernel = SteppedKernel<Izhikevich>;
  using State = SteppedState<Izhikevich>;
};

}  // namespace snn::sim
