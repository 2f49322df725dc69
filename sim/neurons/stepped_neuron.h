// The event step of models that are advanced one simulation step at a time (NEST's update
// loop): exact propagators (iaf_psc_alpha), an ODE integrator (iaf_cond_exp, aeif_cond_exp, ...)
// or Euler steps (izhikevich). A model M provides
//   kN                      the size of its state vector y (y[0] is V_m, mV)
//   Consts                  trivially copyable constants of the step (parameters, propagators)
//   consts(p, dt)           them, from Params
//   kTwoReceptors          true for models with an excitatory and an inhibitory receptor
//   SNN_HD advance(c, cell, i_stim, x_ex, x_in, dt) -> bool   (kTwoReceptors)
//   SNN_HD advance(c, cell, i_stim, x, dt) -> bool            (otherwise)
//                           one step as NEST orders it: dynamics over dt, the input of this step
//                           (the summed weights per receptor: x_ex >= 0, x_in <= 0; or all of
//                           them, x), the threshold; true on a spike
//   rest(p, i_stim, y)      the stable resting state with constant current i_stim, false if none
//   initial(p, v, y)        the state at V_m = v (NEST's default state at v = NEST's V_m)
//   SNN_HD rest_tol(i)      how close y[i] must be to rest to count as resting
// A neuron is active only while it is away from rest: once every y[i] is within rest_tol(i) of
// the resting state (and it is not refractory) its state is frozen and it costs nothing until its
// next input. Both simulation modes run the same code (the clock-driven one calls step() for a
// resting neuron, which returns at once), so they give the same spikes.
//
// Two-receptor models receive the step's excitatory and inhibitory sums apart (receptors.h), as
// NEST's ring buffers per receptor: spikes of both kinds in one step do not cancel.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/prefetch.h"
#include "sim/neurons/neuron_model.h"

namespace snn::sim {

/// The state of one neuron of a stepped model, one cache line or two.
template <int N>
struct SteppedCell {
  double y[N];     ///< the state vector, y[0] = V_m in mV
  double h;        ///< the integrator's next substep, ms (NEST's IntegrationStep)
  std::int32_t r;  ///< refractory steps left
  std::int32_t spare;
};

template <class M>
struct SteppedKernel {
  static constexpr int N = M::kN;
  using Cell = SteppedCell<N>;
  Cell* cell;
  const float* i_each;  ///< per-neuron external current, pA, or null
  const double* rest;   ///< the resting state: [N], or [n][N] when rest_each; NaN: none
  bool rest_each;
  double i_e;  ///< the model's constant current, pA
  double dt;
  typename M::Consts c;

  SNN_HD double i_stim(std::uint32_t j) const { return i_e + (i_each ? i_each[j] : 0.0f); }

  SNN_HD bool at_rest(std::uint32_t j, const Cell& s) const {
    if (s.r > 0) return false;
    const double* yr = rest_each ? rest + static_cast<std::uint64_t>(j) * N : rest;
    for (int i = 0; i < N; ++i)
      if (!(::fabs(s.y[i] - yr[i]) <= M::rest_tol(i))) return false;  // NaN: no rest
    return true;
  }

  static constexpr bool kTwoReceptors = M::kTwoReceptors;

  /// One step of neuron j with the step's input per receptor (x_in: 0 for single-receptor models,
  /// whose queue sums hold everything in x_ex).
  SNN_HD StepOutcome step(std::uint32_t j, int, float x_ex, float x_in) const {
    Cell s = cell[j];
    if (x_ex == 0.0f && x_in == 0.0f && at_rest(j, s)) return StepOutcome{false, false};
    bool spiked;
    if constexpr (M::kTwoReceptors)
      spiked =
          M::advance(c, s, i_stim(j), static_cast<double>(x_ex), static_cast<double>(x_in), dt);
    else
      spiked = M::advance(c, s, i_stim(j), static_cast<double>(x_ex), dt);
    cell[j] = s;
    return StepOutcome{spiked, !at_rest(j, s)};
  }
  SNN_HD StepOutcome step(std::uint32_t j, int t, float x) const { return step(j, t, x, 0.0f); }
  SNN_HD void prefetch(std::uint32_t j) const { snn::prefetch(cell + j); }
  SNN_HD float voltage(std::uint32_t j, int) const { return static_cast<float>(cell[j].y[0]); }
};

/// The device state of a population of a stepped model.
template <class M>
class SteppedState {
 public:
  static constexpr int N = M::kN;
  using Cell = SteppedCell<N>;
  using Params = typename M::Params;

  SteppedState(const Params& p, double dt_ms, std::size_t n)
      : p_((p.validate(dt_ms), p)), dt_(dt_ms), c_(M::consts(p, dt_ms)), n_(n) {
    v0_.assign(n, M::default_v(p));
    upload();
  }
  void set_voltage(const std::vector<float>& v_mV) {
    v0_.assign(v_mV.begin(), v_mV.end());
    upload();
  }
  /// Constant external current per neuron, pA (added to I_e).
  void set_current(const std::vector<float>& i_pA) {
    i_ext_ = i_pA;
    i_each_ = to_device(i_pA);
    upload();
  }
  bool always_active(std::size_t) const { return false; }
  /// Neurons that start away from rest: evaluated from the first step on.
  bool initially_active(std::size_t j) const {
    const Cell& s = cells_h_[j];
    const double* yr =
        rest_h_.size() == static_cast<std::size_t>(N) ? rest_h_.data() : rest_h_.data() + j * N;
    for (int i = 0; i < N; ++i)
      if (!(std::fabs(s.y[i] - yr[i]) <= M::rest_tol(i))) return true;
    return false;
  }
  SteppedKernel<M> kernel() {
    return SteppedKernel<M>{raw(cells_), i_each_.empty() ? nullptr : raw(i_each_),
                            raw(rest_),  rest_.size() != static_cast<std::size_t>(N),
                            M::i_e(p_),  dt_,
                            c_};
  }

 private:
  void upload() {
    cells_h_.assign(n_, Cell{});
    for (std::size_t j = 0; j < n_; ++j) {
      M::initial(p_, v0_[j], cells_h_[j].y);
      cells_h_[j].h = dt_;
      cells_h_[j].r = 0;
    }
    cells_ = huge_page_vector(cells_h_);
    const bool each = !i_ext_.empty();
    rest_h_.assign(each ? n_ * N : N, 0.0);
    for (std::size_t j = 0; j < (each ? n_ : 1); ++j) {
      double* yr = rest_h_.data() + j * N;
      if (!M::rest(p_, M::i_e(p_) + (each ? i_ext_[j] : 0.0f), yr))
        for (int i = 0; i < N; ++i) yr[i] = std::numeric_limits<double>::quiet_NaN();
    }
    rest_ = to_device(rest_h_);
  }
  Params p_;
  double dt_;
  typename M::Consts c_;
  std::size_t n_;
  std::vector<double> v0_;
  std::vector<float> i_ext_;
  std::vector<Cell> cells_h_;
  std::vector<double> rest_h_;
  DeviceVector<Cell> cells_;
  DeviceVector<float> i_each_;
  DeviceVector<double> rest_;
};

}  // namespace snn::sim
