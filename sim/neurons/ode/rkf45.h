// Adaptive Runge-Kutta-Fehlberg 4(5) over one simulation step, the method NEST's conductance and
// Hodgkin-Huxley models use (GSL's rkf45 with its standard step-size control), written for
// SNN_HD functors: fixed-size arrays, no allocation, no exceptions, so the same code runs in the
// OpenMP and CUDA builds. (Boost.Odeint's steppers are host-only templates over resizable state
// containers that throw on failure: they cannot run inside a CUDA device functor. The tests use
// Odeint's Dormand-Prince stepper as the independent reference for this one.)
//
// Tableau: Fehlberg (1969); the solution advances with the 5th-order weights, the difference to
// the 4th-order ones estimates the error. Control (as GSL's gsl_odeiv_control_standard):
//   D_i = eps_abs + eps_rel·(a_y·|y_i| + a_dydt·h·|y'_i|),  r = max_i |err_i| / D_i;
//   r > 1.1: retry with h·max(0.2, 0.9·r^(-1/5));  r < 0.5: next h·min(5, max(1, 0.9·r^(-1/6))).
#pragma once

#include <cmath>

#include "sim/core/config.h"

namespace snn::sim::ode {

/// Error control of the adaptive stepper (see the file header).
struct Control {
  double eps_abs, eps_rel, a_y, a_dydt;
  /// GSL's control_y(eps_abs, eps_rel): error relative to the state.
  static constexpr Control y(double eps_abs, double eps_rel) {
    return Control{eps_abs, eps_rel, 1.0, 0.0};
  }
  /// GSL's control_yp(eps_abs, eps_rel): error relative to the step's change.
  static constexpr Control yp(double eps_abs, double eps_rel) {
    return Control{eps_abs, eps_rel, 0.0, 1.0};
  }
};

/// One RKF45 trial step of size h from y: y5 (5th order), err (y5 - y4), dydt at the start in k1.
/// f(y, dydt) evaluates the right-hand side.
template <int N, class F>
SNN_HD void rkf45_trial(F& f, const double* y, double h, const double* k1, double* y5,
                        double* err) {
  double k2[N], k3[N], k4[N], k5[N], k6[N], tmp[N];
  for (int i = 0; i < N; ++i) tmp[i] = y[i] + h * (1.0 / 4) * k1[i];
  f(tmp, k2);
  for (int i = 0; i < N; ++i) tmp[i] = y[i] + h * ((3.0 / 32) * k1[i] + (9.0 / 32) * k2[i]);
  f(tmp, k3);
  for (int i = 0; i < N; ++i)
    tmp[i] =
        y[i] + h * ((1932.0 / 2197) * k1[i] - (7200.0 / 2197) * k2[i] + (7296.0 / 2197) * k3[i]);
  f(tmp, k4);
  for (int i = 0; i < N; ++i)
    tmp[i] = y[i] + h * ((439.0 / 216) * k1[i] - 8.0 * k2[i] + (3680.0 / 513) * k3[i] -
                         (845.0 / 4104) * k4[i]);
  f(tmp, k5);
  for (int i = 0; i < N; ++i)
    tmp[i] = y[i] + h * (-(8.0 / 27) * k1[i] + 2.0 * k2[i] - (3544.0 / 2565) * k3[i] +
                         (1859.0 / 4104) * k4[i] - (11.0 / 40) * k5[i]);
  f(tmp, k6);
  for (int i = 0; i < N; ++i) {
    const double d5 = (16.0 / 135) * k1[i] + (6656.0 / 12825) * k3[i] + (28561.0 / 56430) * k4[i] -
                      (9.0 / 50) * k5[i] + (2.0 / 55) * k6[i];
    const double d4 = (25.0 / 216) * k1[i] + (1408.0 / 2565) * k3[i] + (2197.0 / 4104) * k4[i] -
                      (1.0 / 5) * k5[i];
    y5[i] = y[i] + h * d5;
    err[i] = h * (d5 - d4);
  }
}

/// Advances y over [0, dt] in adaptive substeps, starting with step size h (updated: the size to
/// try next time, as NEST keeps it per neuron). f(y, dydt) is the right-hand side; after(y) is
/// called after every accepted substep and may change y (a reset inside the step, as NEST's
/// aeif models do) — it returns true when it did, so that the derivative is evaluated again.
/// Returns the number of accepted substeps.
template <int N, class F, class After>
SNN_HD int evolve(F& f, double* y, double dt, double& h, const Control& c, After& after) {
  constexpr double kOrder = 5.0;
  double k1[N], y5[N], err[N];
  double t = 0.0;
  int accepted = 0;
  if (!(h > 0.0) || h > dt) h = dt;
  f(y, k1);
  while (t < dt) {
    bool final_step = false;
    double h0 = h;
    if (h0 >= dt - t) {
      h0 = dt - t;
      final_step = true;
    }
    for (;;) {
      rkf45_trial<N>(f, y, h0, k1, y5, err);
      double r = 0.0;
      double k_end[N];
      if (c.a_dydt != 0.0) f(y5, k_end);
      for (int i = 0; i < N; ++i) {
        const double yp = c.a_dydt != 0.0 ? h0 * ::fabs(k_end[i]) : 0.0;
        const double d = c.eps_abs + c.eps_rel * (c.a_y * ::fabs(y5[i]) + c.a_dydt * yp);
        const double q = ::fabs(err[i]) / d;
        r = q > r ? q : r;
      }
      if (r > 1.1) {
        double s = 0.9 * ::pow(r, -1.0 / kOrder);
        if (s < 0.2) s = 0.2;
        const double h_new = h0 * s;
        // Retry only if the smaller step still moves t (the step cannot shrink forever).
        if (h_new < h0 && t + h_new != t) {
          h0 = h_new;
          final_step = false;
          continue;
        }
      } else if (r < 0.5) {
        double s = 0.9 * ::pow(r > 0.0 ? r : 1e-300, -1.0 / (kOrder + 1.0));
        if (s > 5.0) s = 5.0;
        if (s < 1.0) s = 1.0;
        h = h0 * s;
      } else {
        h = h0;
      }
      if (r > 1.1) h = h0;
      break;
    }
    t = final_step ? dt : t + h0;
    for (int i = 0; i < N; ++i) y[i] = y5[i];
    ++accepted;
    after(y);
    if (t < dt) f(y, k1);
  }
  return accepted;
}

/// An after() that changes nothing.
struct NoReset {
  SNN_HD bool operator()(double*) const { return false; }
};

}  // namespace snn::sim::ode
