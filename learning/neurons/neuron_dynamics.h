// One step of the IF/LIF dynamics and of its BPTT backward, as SNN_HD functions shared by the
// generic neuron layers and the fused Poisson→Linear→LIF path (one formula, one place).
//
// Charge (SpikingJelly neuron_kernel, v_r = v_reset, or 0 with soft reset):
//   LIF, decay_input:  H_t = V_{t-1} + (X_t - (V_{t-1} - v_r)) / tau
//   LIF, !decay_input: H_t = V_{t-1} - (V_{t-1} - v_r) / tau + X_t
//   IF:                H_t = V_{t-1} + X_t
// Fire:  S_t = Θ(H_t - v_th)   (Θ(0) = 1)
// Reset: hard V_t = H_t (1 - S_t) + v_reset S_t;  soft V_t = H_t - v_th S_t.   V_{-1} = v_r.
// Backward, with g_t = surrogate'(H_t - v_th) and dS/dH := g_t (0 on the reset path if detached):
//   dL/dH_t = dL/dS_t g_t + (dL/dV_t) dV_t/dH_t,  dL/dV_t = gv_t + dL/dH_{t+1} · k_v,
//   dV/dH = 1 - S + (v_reset - H) g   (hard) | 1 - v_th g (soft);   dL/dX_t = dL/dH_t · k_x,
//   k_v = 1 - 1/tau (LIF) or 1 (IF);  k_x = 1/tau (LIF, decay_input) or 1.
#pragma once

#include "learning/surrogate/surrogate.h"
#include "sim/core/config.h"

namespace snn::learning {

/// Which charge equation applies (the fused path picks it once, outside its loops).
enum class ChargeKind { LifDecayInput, Lif, If };

/// The dynamics' constants in the layer's precision, copied into functors.
template <class T>
struct NeuronCoeffs {
  T k_v = T(0.5);        ///< dH/dV_{t-1}: 1 - 1/tau (LIF), 1 (IF)
  T k_x = T(0.5);        ///< dH/dX: 1/tau (LIF with decay_input), 1 otherwise
  T inv_tau = T(0.5);    ///< 1/tau (LIF)
  T v_rest = T(0);       ///< the potential the leak decays to: v_reset (hard), 0 (soft)
  T v_threshold = T(1);  ///< firing threshold
  T v_reset = T(0);      ///< reset potential (hard reset only)
  T alpha = T(2);        ///< surrogate sharpness
  SurrogateKind surrogate = SurrogateKind::ATan;
  bool leak = true;             ///< LIF (true) or IF (false)
  bool decay_input = true;      ///< LIF: the input is divided by tau as well
  bool hard_reset = true;       ///< hard (to v_reset) or soft (subtract v_threshold)
  bool detach_reset = false;    ///< drop dS/dH on the reset path
  bool smooth_forward = false;  ///< tests: S = surrogate_primitive(H - v_th) instead of Θ

  using Charge = ChargeKind;
  SNN_HD Charge charge_kind() const {
    return !leak ? Charge::If : decay_input ? Charge::LifDecayInput : Charge::Lif;
  }
  /// H_t from V_{t-1} and X_t for charge kind K (as SpikingJelly's kernels, 1/tau precomputed).
  template <Charge K>
  SNN_HD T charge_as(T v, T x) const {
    if (K == Charge::If) return v + x;
    if (K == Charge::LifDecayInput) return v + (x - (v - v_rest)) * inv_tau;
    return v - (v - v_rest) * inv_tau + x;
  }
  /// H_t from V_{t-1} and X_t.
  SNN_HD T charge(T v, T x) const {
    switch (charge_kind()) {
      case Charge::If:
        return charge_as<Charge::If>(v, x);
      case Charge::LifDecayInput:
        return charge_as<Charge::LifDecayInput>(v, x);
      default:
        return charge_as<Charge::Lif>(v, x);
    }
  }
  /// S_t from H_t.
  SNN_HD T fire(T h) const {
    return smooth_forward ? surrogate_primitive(surrogate, alpha, h - v_threshold)
                          : heaviside(h - v_threshold);
  }
  /// V_t from H_t and S_t.
  SNN_HD T reset(T h, T s) const {
    return hard_reset ? h * (T(1) - s) + v_reset * s : h - v_threshold * s;
  }
  /// One backward step with surrogate K. grad_h_next = dL/dH_{t+1} (0 at the last step),
  /// grad_s = dL/dS_t, grad_v = external dL/dV_t (0 unless the potential is read out).
  /// Returns dL/dH_t.
  template <SurrogateKind K>
  SNN_HD T backward_h_as(T h, T s, T grad_s, T grad_v, T grad_h_next) const {
    const T g = surrogate_grad(K, alpha, h - v_threshold);
    const T g_reset = detach_reset ? T(0) : g;
    const T dv_dh = hard_reset ? T(1) - s + (v_reset - h) * g_reset : T(1) - v_threshold * g_reset;
    return grad_s * g + (grad_v + grad_h_next * k_v) * dv_dh;
  }
  /// backward_h_as for this neuron's surrogate.
  SNN_HD T backward_h(T h, T s, T grad_s, T grad_v, T grad_h_next) const {
    switch (surrogate) {
      case SurrogateKind::ATan:
        return backward_h_as<SurrogateKind::ATan>(h, s, grad_s, grad_v, grad_h_next);
      case SurrogateKind::Sigmoid:
        return backward_h_as<SurrogateKind::Sigmoid>(h, s, grad_s, grad_v, grad_h_next);
      case SurrogateKind::PiecewiseQuadratic:
        return backward_h_as<SurrogateKind::PiecewiseQuadratic>(h, s, grad_s, grad_v, grad_h_next);
      default:
        return backward_h_as<SurrogateKind::SoftSign>(h, s, grad_s, grad_v, grad_h_next);
    }
  }
};

/// The reset, threshold and surrogate constants, which IF and LIF parameters share (the fields
/// hard_reset, v_reset, v_threshold, detach_reset, surrogate); the caller sets the charge.
template <class T, class Params>
NeuronCoeffs<T> reset_coeffs(const Params& p) {
  NeuronCoeffs<T> c;
  c.hard_reset = p.hard_reset;
  c.v_reset = p.hard_reset ? T(p.v_reset) : T(0);
  c.v_rest = c.v_reset;
  c.v_threshold = T(p.v_threshold);
  c.detach_reset = p.detach_reset;
  c.surrogate = p.surrogate.kind;
  c.alpha = T(p.surrogate.alpha);
  return c;
}

}  // namespace snn::learning
