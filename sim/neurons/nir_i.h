// NIR I: integrator (no spikes; a readout of V). Forward Euler at dt, see nir_euler.h.
//   dv/dt = r I
// Parameters in NIR's units (time constants in s); the field names are NIR's (nir_i in files).
#pragma once

#include "sim/neurons/nir_euler.h"

namespace snn::sim {

struct NirI {
  static constexpr const char* kName = "nir_i";
  static constexpr NirKind kKind{false, false, false};

  struct Params : NirParams {
    template <class F>
    void fields(F&& f) {
      f("r", "", r);
    }
    void validate(double) const {}
  };
  struct Kernel : NirKernel {};
  struct State : NirState<Kernel> {
    State(const Params& p, double dt_ms, std::size_t n) : NirState<Kernel>(p, kKind, dt_ms, n) {}
  };
};

}  // namespace snn::sim
