// What every neuron model shares: the per-step outcome, exact decay tables and parameter checks.
//
// A model (see lif_delta.h) is a struct with
//   kName                         the name used in network files ("lif_delta")
//   Params                        parameters with units, fields(f) to visit them, validate()
//   State                         device arrays, one entry per neuron (fields an event reads
//                                 together share one array: VoltageStamp)
//   Kernel                        a trivially copyable view of State and the propagators, with
//     SNN_HD StepOutcome step(j, t, x)   bring neuron j to step t exactly, add the input x that
//                                        arrives at t, test the threshold
//     SNN_HD float voltage(j, t)         V of neuron j at step t (after step t's update)
//     SNN_HD void prefetch(j)            start loading neuron j's state (a hint, see prefetch.h)
// The state is stored only when something happens (an input, a spike): between events it is
// evaluated from the last stored state in one exact step, so an idle neuron costs nothing and the
// event-driven and clock-driven modes perform the same arithmetic.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/device_vector.h"
#include "sim/core/errors.h"
#include "sim/core/huge_pages.h"
#include "sim/core/prefetch.h"

namespace snn::sim {

/// The state of a delta-synapse neuron, V and the step it belongs to, side by side: an event
/// touches one cache line per neuron, which is what a step costs once a large population's state
/// no longer fits in the caches.
struct VoltageStamp {
  float v;              ///< V at t_last, mV
  std::int32_t t_last;  ///< step of the stored V (end of refractoriness after a spike)
};

/// Device cells for n neurons at voltage v0 (or per-neuron voltages), stamped at step 0.
inline DeviceVector<VoltageStamp> voltage_stamps(const std::vector<float>& v_mV) {
  std::vector<VoltageStamp> h(v_mV.size());
  for (std::size_t j = 0; j < h.size(); ++j) h[j] = VoltageStamp{v_mV[j], 0};
  return huge_page_vector(h);
}

/// What one neuron did at one step.
struct StepOutcome {
  bool spiked;
  bool keep_active;  ///< could cross the threshold with no further input: evaluate it next step
};

/// The event step of a delta-synapse neuron (lif_delta, if_delta), which differ only in how V
/// evolves without input: Model::Kernel derives from DeltaKernel<Kernel> and provides
/// `SNN_HD float free_v(j, v, k)`, V of neuron j k >= 1 steps after it was v. An input x arriving
/// at step t is a jump added to the evolved V; reaching v_th gives a spike, V = v_reset and a
/// clamp for ref_steps steps (stored as t_last in the future), during which input is discarded.
template <class Model>
struct DeltaKernel {
  VoltageStamp* cell;  ///< V and the step it belongs to (see VoltageStamp)
  float v_th, v_reset;
  int ref_steps;

  SNN_HD StepOutcome step(std::uint32_t j, int t, float x) const {
    const int k = t - cell[j].t_last;
    if (k <= 0) return StepOutcome{false, false};  // refractory: clamped, input discarded
    const float vm = self().free_v(j, cell[j].v, k) + x;
    if (vm >= v_th) {
      cell[j].v = v_reset;
      cell[j].t_last = t + ref_steps;
      return StepOutcome{true, false};
    }
    if (x != 0.0f) {
      cell[j].v = vm;
      cell[j].t_last = t;
    }
    return StepOutcome{false, false};
  }
  SNN_HD void prefetch(std::uint32_t j) const { snn::prefetch(cell + j); }
  SNN_HD float voltage(std::uint32_t j, int t) const {
    const int k = t - cell[j].t_last;
    return k <= 0 ? cell[j].v : self().free_v(j, cell[j].v, k);
  }

 private:
  SNN_HD const Model& self() const { return static_cast<const Model&>(*this); }
};

/// f(k) for integer k >= 0 from a table for small k (computed in double, stored as float), from
/// the closed form beyond. Both simulation modes use the same values.
struct DecayView {
  const float* table;
  int size;
  double rate;  ///< f(k) = exp(-rate·k)
  SNN_HD float operator()(int k) const {
    return k < size ? table[k] : static_cast<float>(::exp(-rate * static_cast<double>(k)));
  }
};

/// Owns the table of exp(-k·dt/tau), k = 0 .. size-1.
class DecayTable {
 public:
  static constexpr int kSize = 4096;
  DecayTable() = default;
  explicit DecayTable(double dt_over_tau) : rate_(dt_over_tau) {
    std::vector<float> h(kSize);
    for (int k = 0; k < kSize; ++k) h[k] = static_cast<float>(std::exp(-rate_ * k));
    table_ = to_device(h);
  }
  DecayView view() const { return DecayView{raw(table_), static_cast<int>(table_.size()), rate_}; }

 private:
  DeviceVector<float> table_;
  double rate_ = 0;
};

/// Whether `ms` is a whole number of steps of dt_ms (to 1e-9 relative).
inline bool on_step_grid(double ms, double dt_ms) {
  const double k = std::round(ms / dt_ms);
  return std::fabs(k * dt_ms - ms) <= 1e-9 * std::max(1.0, std::fabs(ms));
}
/// Number of steps in `ms` (a duration that must be a whole number of steps of `dt_ms`); names
/// the quantity in the error: "t_ref 2.05 ms is not a multiple of dt 0.1 ms".
inline std::int64_t steps_of(double ms, double dt_ms, const std::string& what) {
  double k = std::round(ms / dt_ms);
  if (!on_step_grid(ms, dt_ms))
    throw InvalidParameter(what + " " + num(ms) + " ms is not a multiple of dt " + num(dt_ms) +
                           " ms");
  return static_cast<std::int64_t>(k);
}

/// Throws InvalidParameter unless value > 0: "tau_m must be > 0 ms, got -1".
inline void require_positive(const char* name, double value, const char* unit) {
  if (!(value > 0))
    throw InvalidParameter(std::string(name) + " must be > 0 " + unit + ", got " + num(value));
}
inline void require_non_negative(const char* name, double value, const char* unit) {
  if (!(value >= 0))
    throw InvalidParameter(std::string(name) + " must be >= 0 " + unit + ", got " + num(value));
}

}  // namespace snn::sim
