// NIR LI: leaky integrator (no spikes; a readout of V). Forward Euler at dt, see nir_euler.h.
//   tau dv/dt = (v_leak - v) + r I
// Parameters in NIR's units (time constants in s); the field names are NIR's (nir_li in files).
#pragma once

#include "sim/neurons/nir_euler.h"

namespace snn::sim {

struct NirLi {
  static constexpr const char* kName = "nir_li";
  static constexpr NirKind kKind{false, true, false};

  struct Params : NirParams {
    template <class F>
    void fields(F&& f) {
      f("tau", "s", tau);
      f("r", "", r);
      f("v_leak", "", v_leak);
    }
    void validate(double) const { require_positive("tau", tau, "s"); }
  };
  struct Kernel : NirKernel {};
  struct State : NirState<Kernel> {
    State(const Params& p, double dt_ms, std::size_t n) : NirState<Kernel>(p, kKind, dt_ms, n) {}
  };
};

}  // namespace snn::sim
