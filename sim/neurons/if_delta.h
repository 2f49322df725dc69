// Non-leaky (perfect) integrate-and-fire neuron with delta synapses.
//   C_m dV/dt = I_e;  an input spike of weight w makes V jump by w (mV);
//   V >= V_th: a spike, V = V_reset and clamped for t_ref; input arriving meanwhile is discarded.
// Exact between events: V(t) = V(t0) + (I_e/C_m)·(t - t0). Starts at V_reset unless set.
#pragma once

#include "sim/neurons/neuron_model.h"

namespace snn::sim {

struct IfDelta {
  static constexpr const char* kName = "if_delta";

  struct Params {
    double c_m = 250.0;    ///< membrane capacitance, pF, default 250 (converts I_e into mV/ms)
    double v_th = 20.0;    ///< spike threshold, mV, default 20
    double v_reset = 0.0;  ///< reset and initial potential, mV, default 0
    double t_ref = 2.0;    ///< absolute refractory period, ms (a multiple of dt), default 2
    double i_e = 0.0;      ///< constant input current, pA, default 0

    template <class F>
    void fields(F&& f) {
      f("c_m", "pF", c_m);
      f("v_th", "mV", v_th);
      f("v_reset", "mV", v_reset);
      f("t_ref", "ms", t_ref);
      f("i_e", "pA", i_e);
    }
    void validate(double dt_ms) const {
      require_positive("c_m", c_m, "pF");
      require_non_negative("t_ref", t_ref, "ms");
      steps_of(t_ref, dt_ms, "t_ref");
      require(v_reset < v_th,
              "v_reset (" + num(v_reset) + " mV) must be below v_th (" + num(v_th) + " mV)");
    }
  };

  struct Kernel : DeltaKernel<Kernel> {
    const float* drift_each;  ///< per-neuron drift when currents differ, else null
    float drift;              ///< I_e·dt/C_m, mV per step

    SNN_HD float drift_of(std::uint32_t j) const { return drift_each ? drift_each[j] : drift; }
    /// Linear drift over k steps.
    SNN_HD float free_v(std::uint32_t j, float v, int k) const {
      return v + drift_of(j) * static_cast<float>(k);
    }
  };

  class State {
   public:
    State(const Params& p, double dt_ms, std::size_t n)
        : p_((p.validate(dt_ms), p)),
          cells_(voltage_stamps(std::vector<float>(n, static_cast<float>(p.v_reset)))),
          dt_(dt_ms),
          ref_steps_(static_cast<int>(steps_of(p.t_ref, dt_ms, "t_ref"))) {}
    void set_voltage(const std::vector<float>& v_mV) { cells_ = voltage_stamps(v_mV); }
    void set_current(const std::vector<float>& i_pA) {
      i_ext_ = i_pA;
      std::vector<float> d(i_pA.size());
      for (std::size_t j = 0; j < d.size(); ++j) d[j] = drift_host(i_pA[j]);
      drift_each_ = to_device(d);
    }
    /// A positive current drives the neuron to threshold without input.
    bool always_active(std::size_t j) const {
      return drift_host(i_ext_.empty() ? 0.0f : i_ext_[j]) > 0.0f;
    }
    Kernel kernel() {
      return Kernel{
          {raw(cells_), static_cast<float>(p_.v_th), static_cast<float>(p_.v_reset), ref_steps_},
          drift_each_.empty() ? nullptr : raw(drift_each_),
          drift_host(0.0f)};
    }

   private:
    float drift_host(float i_ext) const {
      return static_cast<float>((p_.i_e + i_ext) * dt_ / p_.c_m);
    }
    Params p_;
    DeviceVector<VoltageStamp> cells_;
    DeviceVector<float> drift_each_;
    std::vector<float> i_ext_;
    double dt_;
    int ref_steps_ = 0;
  };
};

}  // namespace snn::sim
