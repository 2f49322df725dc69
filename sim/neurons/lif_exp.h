// Leaky integrate-and-fire neuron with exponential current synapses, as NEST's iaf_psc_exp (one
// synaptic time constant for all inputs).
//   tau_m dV/dt = -(V - E_L) + (tau_m/C_m)·(I + I_e),   tau_syn dI/dt = -I;
//   an input spike of weight w makes I jump by w (pA); V >= V_th: a spike, V = V_reset and clamped
//   for t_ref while I keeps decaying and integrating input.
// Exact between events (NEST's propagators, Rotter & Diesmann 1999), k steps after t0:
//   I(t) = I0·e_s(k),  V(t) = V_inf + (V0 - V_inf)·e_m(k) + I0·P21(k),
//   e_x(k) = exp(-k·dt/tau_x),  P21(k) = e_m(k)·expm1(b·k·dt)/(b·C_m),  b = 1/tau_m - 1/tau_syn
//   (k·dt·e_m(k)/C_m when the time constants are equal). Input arriving at step t enters I at t
// and V from t+1 on, as in NEST. The neuron stays active while V can still reach V_th without
// further input: max(V, V_inf) + max(I, 0)·tau_syn/C_m >= V_th bounds every future V.
#pragma once

#include "sim/core/prefetch.h"
#include "sim/neurons/neuron_model.h"

namespace snn::sim {

/// P21(k) of lif_exp: a table for small k, the closed form beyond.
struct P21View {
  const float* table;
  int size;
  double dt, tau_m, b, c_m;
  SNN_HD static double exact(double t, double tau_m, double b, double c_m) {
    double em = ::exp(-t / tau_m);
    return b == 0.0 ? t * em / c_m : em * ::expm1(b * t) / (b * c_m);
  }
  SNN_HD float operator()(int k) const {
    return k < size ? table[k] : static_cast<float>(exact(k * dt, tau_m, b, c_m));
  }
};

struct LifExp {
  static constexpr const char* kName = "lif_exp";

  struct Params {
    double tau_m = 10.0;   ///< membrane time constant, ms, default 10 (NEST)
    double tau_syn = 2.0;  ///< synaptic current time constant, ms, default 2 (NEST)
    double c_m = 250.0;    ///< membrane capacitance, pF, default 250
    double e_l = 0.0;      ///< resting potential, mV, default 0
    double v_th = 15.0;    ///< spike threshold, mV, default 15
    double v_reset = 0.0;  ///< reset potential, mV, default 0
    double t_ref = 2.0;    ///< absolute refractory period, ms (a multiple of dt), default 2
    double i_e = 0.0;      ///< constant input current, pA, default 0

    template <class F>
    void fields(F&& f) {
      f("tau_m", "ms", tau_m);
      f("tau_syn", "ms", tau_syn);
      f("c_m", "pF", c_m);
      f("e_l", "mV", e_l);
      f("v_th", "mV", v_th);
      f("v_reset", "mV", v_reset);
      f("t_ref", "ms", t_ref);
      f("i_e", "pA", i_e);
    }
    void validate(double dt_ms) const {
      require_positive("tau_m", tau_m, "ms");
      require_positive("tau_syn", tau_syn, "ms");
      require_positive("c_m", c_m, "pF");
      require_non_negative("t_ref", t_ref, "ms");
      steps_of(t_ref, dt_ms, "t_ref");
      require(v_reset < v_th,
              "v_reset (" + num(v_reset) + " mV) must be below v_th (" + num(v_th) + " mV)");
    }
  };

  /// Margin (mV) below V_th at which a neuron counts as able to fire: covers float rounding.
  static constexpr float kActiveMargin = 1e-3f;

  struct Kernel {
    float* v;                 ///< V at t_last, mV
    float* i;                 ///< I at t_last (input of t_last included), pA
    std::int32_t* t_last;     ///< step of the stored state
    std::int32_t* ref_until;  ///< last clamped step of the latest refractory period
    const float* v_inf_each;  ///< per-neuron V_inf when currents differ, else null
    float v_inf, v_th, v_reset;
    float i_to_v;  ///< tau_syn/C_m, mV per pA: the most a current can still add to V
    int ref_steps;
    DecayView em, es;
    P21View p21;

    SNN_HD float v_inf_of(std::uint32_t j) const { return v_inf_each ? v_inf_each[j] : v_inf; }

    /// V at step t (> t_last) and the current just before t's input, from the stored state.
    SNN_HD float evaluate(std::uint32_t j, int t, float& i_now) const {
      int tl = t_last[j], ru = ref_until[j];
      float i0 = i[j];
      i_now = i0 * es(t - tl);
      if (t <= ru) return v_reset;
      float vi = v_inf_of(j);
      if (ru > tl) {  // refractoriness ended after the stored state: V restarts from V_reset at ru
        int k = t - ru;
        return vi + (v_reset - vi) * em(k) + (i0 * es(ru - tl)) * p21(k);
      }
      int k = t - tl;
      return vi + (v[j] - vi) * em(k) + i0 * p21(k);
    }

    SNN_HD StepOutcome step(std::uint32_t j, int t, float x) const {
      float i_now;
      float vm = evaluate(j, t, i_now);
      float ix = i_now + x;
      bool refractory = t <= ref_until[j];
      if (!refractory && vm >= v_th) {
        v[j] = v_reset;
        i[j] = ix;
        t_last[j] = t;
        ref_until[j] = t + ref_steps;
        vm = v_reset;
        return StepOutcome{true, can_fire(j, vm, ix)};
      }
      if (x != 0.0f) {
        v[j] = vm;
        i[j] = ix;
        t_last[j] = t;
      }
      return StepOutcome{false, can_fire(j, vm, ix)};
    }
    SNN_HD bool can_fire(std::uint32_t j, float vm, float i_now) const {
      float vi = v_inf_of(j);
      float bound = (vm > vi ? vm : vi) + (i_now > 0.0f ? i_now : 0.0f) * i_to_v;
      return bound >= v_th - kActiveMargin;
    }
    SNN_HD void prefetch(std::uint32_t j) const {
      snn::prefetch(v + j);
      snn::prefetch(i + j);
      snn::prefetch(t_last + j);
      snn::prefetch(ref_until + j);
    }
    SNN_HD float voltage(std::uint32_t j, int t) const {
      if (t <= t_last[j]) return v[j];
      float i_now;
      return evaluate(j, t, i_now);
    }
  };

  class State {
   public:
    State(const Params& p, double dt_ms, std::size_t n)
        : p_((p.validate(dt_ms), p)),
          v_(n, static_cast<float>(p.e_l)),
          i_(n, 0.0f),
          t_last_(n, 0),
          ref_until_(n, -1),
          em_(dt_ms / p.tau_m),
          es_(dt_ms / p.tau_syn),
          dt_(dt_ms),
          ref_steps_(static_cast<int>(steps_of(p.t_ref, dt_ms, "t_ref"))) {
      std::vector<float> h(DecayTable::kSize);
      for (int k = 0; k < DecayTable::kSize; ++k)
        h[k] = static_cast<float>(P21View::exact(k * dt_, p_.tau_m, b(), p_.c_m));
      p21_ = to_device(h);
    }
    void set_voltage(const std::vector<float>& v_mV) { v_ = to_device(v_mV); }
    /// Constant external current per neuron, pA (added to I_e).
    void set_current(const std::vector<float>& i_pA) {
      i_ext_ = i_pA;
      std::vector<float> vi(i_pA.size());
      for (std::size_t j = 0; j < vi.size(); ++j) vi[j] = v_inf_host(i_pA[j]);
      v_inf_each_ = to_device(vi);
    }
    bool always_active(std::size_t j) const {
      return v_inf_host(i_ext_.empty() ? 0.0f : i_ext_[j]) >= p_.v_th - kActiveMargin;
    }
    Kernel kernel() {
      return Kernel{raw(v_),
                    raw(i_),
                    raw(t_last_),
                    raw(ref_until_),
                    v_inf_each_.empty() ? nullptr : raw(v_inf_each_),
                    v_inf_host(0.0f),
                    static_cast<float>(p_.v_th),
                    static_cast<float>(p_.v_reset),
                    static_cast<float>(p_.tau_syn / p_.c_m),
                    ref_steps_,
                    em_.view(),
                    es_.view(),
                    P21View{raw(p21_), static_cast<int>(p21_.size()), dt_, p_.tau_m, b(), p_.c_m}};
    }

   private:
    double b() const { return 1.0 / p_.tau_m - 1.0 / p_.tau_syn; }
    float v_inf_host(float i_ext) const {
      return static_cast<float>(p_.e_l + (p_.i_e + i_ext) * p_.tau_m / p_.c_m);
    }
    Params p_;
    DeviceVector<float> v_, i_;
    DeviceVector<std::int32_t> t_last_, ref_until_;
    DeviceVector<float> v_inf_each_, p21_;
    std::vector<float> i_ext_;
    DecayTable em_, es_;
    double dt_;
    int ref_steps_ = 0;
  };
};

}  // namespace snn::sim
