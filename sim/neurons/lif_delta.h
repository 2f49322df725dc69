// Leaky integrate-and-fire neuron with delta (voltage-jump) synapses, as NEST's iaf_psc_delta.
//   tau_m dV/dt = -(V - E_L) + (tau_m/C_m)·I_e;  an input spike of weight w makes V jump by w (mV).
//   V >= V_th: a spike, V = V_reset and clamped for t_ref; input arriving meanwhile is discarded.
// Exact between events: V(t) = V_inf + (V(t0) - V_inf)·exp(-(t - t0)/tau_m), V_inf = E_L +
// I_e·tau_m/C_m. Refractoriness is stored in the same stamp: after a spike at step s, t_last = s +
// t_ref/dt and V = V_reset, so steps t <= t_last are clamped and decay starts from V_reset at
// t_last. Reference: Brunel (2000), J Comput Neurosci 8:183; NEST models/iaf_psc_delta.h.
#pragma once

#include "sim/neurons/neuron_model.h"

namespace snn::sim {

struct LifDelta {
  static constexpr const char* kName = "lif_delta";

  struct Params {
    double tau_m = 20.0;    ///< membrane time constant, ms, default 20
    double c_m = 250.0;     ///< membrane capacitance, pF, default 250 (converts I_e into mV)
    double e_l = 0.0;       ///< resting potential, mV, default 0
    double v_th = 20.0;     ///< spike threshold, mV, default 20
    double v_reset = 10.0;  ///< reset potential, mV, default 10
    double t_ref = 2.0;     ///< absolute refractory period, ms (a multiple of dt), default 2
    double i_e = 0.0;       ///< constant input current, pA, default 0

    template <class F>
    void fields(F&& f) {
      f("tau_m", "ms", tau_m);
      f("c_m", "pF", c_m);
      f("e_l", "mV", e_l);
      f("v_th", "mV", v_th);
      f("v_reset", "mV", v_reset);
      f("t_ref", "ms", t_ref);
      f("i_e", "pA", i_e);
    }
    void validate(double dt_ms) const {
      require_positive("tau_m", tau_m, "ms");
      require_positive("c_m", c_m, "pF");
      require_non_negative("t_ref", t_ref, "ms");
      steps_of(t_ref, dt_ms, "t_ref");
      require(v_reset < v_th,
              "v_reset (" + num(v_reset) + " mV) must be below v_th (" + num(v_th) + " mV)");
    }
  };

  struct Kernel : DeltaKernel<Kernel> {
    const float* v_inf_each;  ///< per-neuron V_inf when currents differ, else null
    float v_inf;              ///< E_L + I_e·tau_m/C_m, mV
    DecayView decay;

    SNN_HD float v_inf_of(std::uint32_t j) const { return v_inf_each ? v_inf_each[j] : v_inf; }
    /// Exact decay towards V_inf over k steps.
    SNN_HD float free_v(std::uint32_t j, float v, int k) const {
      const float vi = v_inf_of(j);
      return vi + (v - vi) * decay(k);
    }
  };

  class State {
   public:
    State(const Params& p, double dt_ms, std::size_t n)
        : p_((p.validate(dt_ms), p)),
          cells_(voltage_stamps(std::vector<float>(n, static_cast<float>(p.e_l)))),
          decay_(dt_ms / p.tau_m),
          ref_steps_(static_cast<int>(steps_of(p.t_ref, dt_ms, "t_ref"))) {}
    void set_voltage(const std::vector<float>& v_mV) { cells_ = voltage_stamps(v_mV); }
    /// Constant external current per neuron, pA (added to I_e).
    void set_current(const std::vector<float>& i_pA) {
      i_ext_ = i_pA;
      std::vector<float> vi(i_pA.size());
      for (std::size_t j = 0; j < vi.size(); ++j) vi[j] = v_inf_host(i_pA[j]);
      v_inf_each_ = to_device(vi);
    }
    /// True when the neuron reaches threshold with no input at all (V_inf >= V_th).
    bool always_active(std::size_t j) const {
      return v_inf_host(i_ext_.empty() ? 0.0f : i_ext_[j]) >= p_.v_th;
    }
    Kernel kernel() {
      return Kernel{
          {raw(cells_), static_cast<float>(p_.v_th), static_cast<float>(p_.v_reset), ref_steps_},
          v_inf_each_.empty() ? nullptr : raw(v_inf_each_),
          v_inf_host(0.0f),
          decay_.view()};
    }

   private:
    float v_inf_host(float i_ext) const {
      return static_cast<float>(p_.e_l + (p_.i_e + i_ext) * p_.tau_m / p_.c_m);
    }
    Params p_;
    DeviceVector<VoltageStamp> cells_;
    DeviceVector<float> v_inf_each_;
    std::vector<float> i_ext_;
    DecayTable decay_;
    int ref_steps_ = 0;
  };
};

}  // namespace snn::sim
