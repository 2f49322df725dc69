// What the NIR neuron models (nir_lif.h, nir_if.h, nir_li.h, nir_i.h, nir_cuba_lif.h,
// nir_cuba_li.h) share: NIR's continuous-time equations (Pedersen et al., Nat. Commun. 15, 8122,
// 2024) integrated by forward Euler at the step dt, one step per engine step, in NIR's units
// (seconds; voltages and currents unitless). NIR stores no dt, integrator or reset; the choices
// (dt, reset to v_reset or subtract, `v > v_th` or `>=`) are NirOptions, documented in README
// "NIR".
//
// One step with input x (the weighted sum of the spikes arriving at this step, spike = 1) and the
// constant input b (an Affine's bias), in this order (charge, fire, reset within the step):
//   Cuba models:  I <- I + a_s·((0 - I) + w_in·(x + b)),  u = I         (a_s = dt / tau_syn)
//   otherwise:    u = x + b
//   leaky:        v <- v + a·((v_leak - v) + r·u)                        (a = dt / tau)
//   non-leaky:    v <- v + (dt·r)·u    (dt·r formed in double: r = 1/dt adds u exactly)
//   spiking:      v > v_th (or >=): a spike, v <- v_reset (or v - v_th)
// The synaptic current is updated first and the membrane reads the new one (snnTorch's order).
//
// Event-driven and exact: a neuron's state is stored when it receives input; the silent steps in
// between are replayed one by one with the same arithmetic when the next input (or a read) comes,
// so the event-driven run, the clock-driven run and a step-by-step loop give the same floats. A
// replay stops early at a fixed point. A neuron stays in the active set only while it could fire
// with no input (a bound on its free evolution, see could_fire), so skipped steps never hide a
// spike; neurons with a bias are visited at every step.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/neurons/neuron_model.h"

namespace snn::sim {

/// The simulation choices NIR leaves open (NirParams' defaults: what most exporters assume).
/// Trivial (no initialisers), so that it sits in a kernel.
struct NirOptions {
  bool reset_subtract;  ///< after a spike v <- v - v_th instead of v <- v_reset; default false
  bool threshold_ge;    ///< spike when v >= v_th (SpikingJelly) instead of v > v_th; default false
};

/// Per-neuron values that override a model's scalar parameters (empty: the scalar for all).
struct NirPerNeuron {
  std::vector<double> tau, tau_syn, r, v_leak, v_threshold, v_reset, w_in;
  std::vector<double> bias;  ///< constant input added to x at every step (an Affine's bias)
};

/// The parameters of every NIR model; each model visits the fields it has.
struct NirParams {
  double tau = 0.01;       ///< membrane time constant (tau_mem of the Cuba models), s, default 0.01
  double tau_syn = 0.005;  ///< synaptic time constant (Cuba models), s, default 0.005
  double r = 1.0;          ///< input resistance, default 1
  double v_leak = 0.0;     ///< leak (resting) potential, default 0
  double v_threshold = 1.0;  ///< firing threshold, default 1
  double v_reset = 0.0;      ///< reset potential, default 0
  double w_in = 1.0;         ///< input weight of the Cuba models, default 1
  NirOptions options{false, false};
  NirPerNeuron each;

  /// The value of field `v` (scalar `s`) for neuron j.
  static double at(const std::vector<double>& v, double s, std::size_t j) {
    return v.empty() ? s : v[j];
  }
};

/// Which equations a model uses.
struct NirKind {
  bool cuba;     ///< synaptic current state
  bool leaky;    ///< leak towards v_leak with tau
  bool spiking;  ///< threshold and reset
};

/// One neuron's constants, side by side.
struct NirCoeff {
  float a;  ///< dt/tau (leaky) or dt (non-leaky)
  float r, v_leak, v_th, v_reset;
  float a_s;  ///< dt/tau_syn
  float w_in, bias;
};

/// One neuron's state: V, the synaptic current, the step they belong to.
struct NirCell {
  float v, i;
  std::int32_t t_last;
};

/// The kernel of every NIR model (each model derives its own type from it).
struct NirKernel {
  NirCell* cell;
  const NirCoeff* coeff;
  NirKind kind;
  NirOptions options;

  /// One Euler step of (v, i) with input x; true if it spikes (then v is reset).
  SNN_HD bool euler(const NirCoeff& c, float& v, float& i, float x) const {
    float u = x + c.bias;
    if (kind.cuba) {
      i = i + c.a_s * ((0.0f - i) + c.w_in * u);
      u = i;
    }
    v = kind.leaky ? v + c.a * ((c.v_leak - v) + c.r * u) : v + c.a * u;
    if (!kind.spiking) return false;
    const bool fire = options.threshold_ge ? v >= c.v_th : v > c.v_th;
    if (fire) v = options.reset_subtract ? v - c.v_th : c.v_reset;
    return fire;
  }
  /// Replays k silent steps (no input); stops early at a fixed point.
  SNN_HD void replay(const NirCoeff& c, float& v, float& i, int k) const {
    for (int s = 0; s < k; ++s) {
      const float v0 = v, i0 = i;
      euler(c, v, i, 0.0f);
      if (v == v0 && i == i0) break;
    }
  }
  /// Whether the neuron could reach the threshold with no input (a conservative bound on the
  /// free evolution: V relaxes towards v_leak, pushed by at most |a·r|·|I|/a_s).
  SNN_HD bool could_fire(const NirCoeff& c, float v, float i) const {
    if (!kind.spiking) return false;
    if (c.bias != 0.0f || (kind.leaky && c.a > 1.0f) || (kind.cuba && c.a_s > 1.0f)) return true;
    float bound = kind.leaky ? (v > c.v_leak ? v : c.v_leak) : v;
    if (kind.cuba) bound += ::fabsf(c.a * c.r) * ::fabsf(i) / c.a_s;
    const float slack = 1e-5f * (::fabsf(bound) + ::fabsf(c.v_th));
    return bound + slack >= c.v_th;
  }

  SNN_HD StepOutcome step(std::uint32_t j, int t, float x) const {
    const NirCoeff c = coeff[j];
    NirCell s = cell[j];
    replay(c, s.v, s.i, t - 1 - s.t_last);
    const bool fire = euler(c, s.v, s.i, x);
    s.t_last = t;
    cell[j] = s;
    return StepOutcome{fire, could_fire(c, s.v, s.i)};
  }
  SNN_HD float voltage(std::uint32_t j, int t) const {
    NirCell s = cell[j];
    replay(coeff[j], s.v, s.i, t - s.t_last);
    return s.v;
  }
  SNN_HD void prefetch(std::uint32_t j) const { snn::prefetch(cell + j); }
};

/// The state of a population of one NIR model: cells and per-neuron constants.
template <class Kernel>
class NirState {
 public:
  NirState(const NirParams& p, NirKind kind, double dt_ms, std::size_t n)
      : p_(p), kind_(kind), dt_s_(dt_ms * 1e-3) {
    check_sizes(n);
    std::vector<NirCoeff> h(n);
    for (std::size_t j = 0; j < n; ++j) h[j] = coeff_of(j);
    host_ = h;
    coeff_ = to_device(h);
    cells_ = to_device(std::vector<NirCell>(n, NirCell{0.0f, 0.0f, 0}));
  }
  void set_voltage(const std::vector<float>& v) {
    std::vector<NirCell> h(v.size());
    for (std::size_t j = 0; j < v.size(); ++j) h[j] = NirCell{v[j], 0.0f, 0};
    cells_ = to_device(h);
  }
  /// A constant input (the units of x) added to the bias.
  void set_current(const std::vector<float>& i) {
    for (std::size_t j = 0; j < i.size() && j < host_.size(); ++j) host_[j].bias += i[j];
    coeff_ = to_device(host_);
  }
  /// Visited at every step: a bias, or a neuron that fires on its own from rest.
  bool always_active(std::size_t j) const {
    const NirCoeff& c = host_[j];
    NirKernel k{nullptr, nullptr, kind_, p_.options};
    return k.could_fire(c, 0.0f, 0.0f) || k.could_fire(c, c.v_reset, 0.0f);
  }
  Kernel kernel() {
    Kernel k;
    static_cast<NirKernel&>(k) = NirKernel{raw(cells_), raw(coeff_), kind_, p_.options};
    return k;
  }

 private:
  void check_sizes(std::size_t n) const {
    const NirPerNeuron& e = p_.each;
    const std::vector<double>* all[] = {&e.tau,         &e.tau_syn, &e.r,    &e.v_leak,
                                        &e.v_threshold, &e.v_reset, &e.w_in, &e.bias};
    for (auto* v : all)
      require(v->empty() || v->size() == n, "NIR neuron parameters: " + std::to_string(v->size()) +
                                                " values for " + std::to_string(n) + " neurons");
  }
  NirCoeff coeff_of(std::size_t j) const {
    const NirPerNeuron& e = p_.each;
    auto at = [&](const std::vector<double>& v, double s) { return NirParams::at(v, s, j); };
    const double tau = at(e.tau, p_.tau), tau_syn = at(e.tau_syn, p_.tau_syn);
    if (kind_.leaky) require_positive("tau", tau, "s");
    if (kind_.cuba) require_positive("tau_syn", tau_syn, "s");
    NirCoeff c;
    const double r = at(e.r, p_.r);
    c.a = static_cast<float>(kind_.leaky ? dt_s_ / tau : dt_s_ * r);
    c.r = static_cast<float>(r);
    c.v_leak = static_cast<float>(kind_.leaky ? at(e.v_leak, p_.v_leak) : 0.0);
    c.v_th = static_cast<float>(at(e.v_threshold, p_.v_threshold));
    c.v_reset = static_cast<float>(at(e.v_reset, p_.v_reset));
    c.a_s = static_cast<float>(kind_.cuba ? dt_s_ / tau_syn : 1.0);
    c.w_in = static_cast<float>(at(e.w_in, p_.w_in));
    c.bias = static_cast<float>(at(e.bias, 0.0));
    return c;
  }
  NirParams p_;
  NirKind kind_;
  double dt_s_;
  std::vector<NirCoeff> host_;
  DeviceVector<NirCoeff> coeff_;
  DeviceVector<NirCell> cells_;
};

}  // namespace snn::sim
