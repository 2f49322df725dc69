// NIR LIF: leaky integrate-and-fire. Forward Euler at dt, see nir_euler.h.
//   tau dv/dt = (v_leak - v) + r I;  v > v_threshold: spike, v = v_reset
// Parameters in NIR's units (time constants in s); the field names are NIR's (nir_lif in files).
#pragma once

#include "sim/neurons/nir_euler.h"

namespace snn::sim {

struct NirLif {
  static constexpr const char* kName = "nir_lif";
  static constexpr NirKind kKind{false, true, true};

  struct Params : NirParams {
    template <class F>
    void fields(F&& f) {
      f("tau", "s", tau);
      f("r", "", r);
      f("v_leak", "", v_leak);
      f("v_threshold", "", v_threshold);
      f("v_reset", "", v_reset);
    }
    void validate(double) const { require_positive("tau", tau, "s"); }
  };
  struct Kernel : NirKernel {};
  struct State : NirState<Kernel> {
    State(const Params& p, double dt_ms, std::size_t n) : NirState<Kernel>(p, kKind, dt_ms, n) {}
  };
};

}  // namespace snn::sim
