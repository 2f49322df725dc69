// NIR CubaLI: current-based leaky integrator (no spikes). Forward Euler at dt, see nir_euler.h.
//   tau_syn dI/dt = -I + w_in S;  tau_mem dv/dt = (v_leak - v) + r I
// Parameters in NIR's units (time constants in s); the field names are NIR's (nir_cuba_li in
// files).
#pragma once

#include "sim/neurons/nir_euler.h"

namespace snn::sim {

struct NirCubaLi {
  static constexpr const char* kName = "nir_cuba_li";
  static constexpr NirKind kKind{true, true, false};

  struct Params : NirParams {
    template <class F>
    void fields(F&& f) {
      f("tau_mem", "s", tau);
      f("tau_syn", "s", tau_syn);
      f("r", "", r);
      f("v_leak", "", v_leak);
      f("w_in", "", w_in);
    }
    void validate(double) const {
      require_positive("tau", tau, "s");
      require_positive("tau_syn", tau_syn, "s");
    }
  };
  struct Kernel : NirKernel {};
  struct State : NirState<Kernel> {
    State(const Params& p, double dt_ms, std::size_t n) : NirState<Kernel>(p, kKind, dt_ms, n) {}
  };
};

}  // namespace snn::sim
