// NIR IF: integrate-and-fire without leak. Forward Euler at dt, see nir_euler.h.
//   dv/dt = r I;  v > v_threshold: spike, v = v_reset
// Parameters in NIR's units (time constants in s); the field names are NIR's (nir_if in files).
#pragma once

#include "sim/neurons/nir_euler.h"

namespace snn::sim {

struct NirIf {
  static constexpr const char* kName = "nir_if";
  static constexpr NirKind kKind{false, false, true};

  struct Params : NirParams {
    template <class F>
    void fields(F&& f) {
      f("r", "", r);
      f("v_threshold", "", v_threshold);
      f("v_reset", "", v_reset);
    }
    void validate(double) const {}
  };
  struct Kernel : NirKernel {};
  struct State : NirState<Kernel> {
    State(const Params& p, double dt_ms, std::size_t n) : NirState<Kernel>(p, kKind, dt_ms, n) {}
  };
};

}  // namespace snn::sim
