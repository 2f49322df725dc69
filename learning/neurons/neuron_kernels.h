// The IF/LIF kernels behind SpikingNeuron (neuron.cu, neuron_pooled.cu), as Thrust functors and
// the dispatchers that pick their template arguments once per call. On the CPU systems one index
// runs a chunk of kLanes neighbouring neurons through their T steps with the state in a small
// array, so the inner loop over neurons is a branch-free vector loop; on CUDA a chunk is one
// neuron (one thread). Internal to the neuron layer.
#pragma once

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>
#include <type_traits>

#include "learning/neurons/neuron_dynamics.h"
#include "sim/core/config.h"

namespace snn::learning::neuron_detail {

/// Neurons per index: a vector loop's worth on the CPU, one thread's one neuron on CUDA.
constexpr std::int64_t kLanes = device_is_cuda() ? 1 : 64;
/// Steps up to which a neuron fed one repeated frame recomputes H_t in its backward (the chunk's
/// history, kLanes × kMaxRecomputeSteps values, lives on the stack: 32 KB in double).
constexpr std::int64_t kMaxRecomputeSteps = 64;

/// One step of one neuron, the charge, the forward's firing (Θ, or the smooth test mode) and the
/// reset kind fixed: V_{t-1} → H_t (returned), S_t (into s), V_t (into v). The forward's formulas
/// live here only, so every recomputation of H_t repeats them bit for bit.
template <ChargeKind C, bool Smooth, bool Hard, class T>
SNN_HD inline T neuron_step(const NeuronCoeffs<T>& c, T& v, T x, T& s) {
  const T h = c.template charge_as<C>(v, x);
  s = Smooth ? c.fire(h) : heaviside(h - c.v_threshold);
  v = Hard ? h * (T(1) - s) + c.v_reset * s : h - c.v_threshold * s;  // NeuronCoeffs::reset
  return h;
}

/// f.run<Smooth, Hard>(index) with the coefficients' firing and reset kinds as template
/// arguments: chosen once per index, so that the lane loops have no test in them and vectorise.
template <class T, class F>
SNN_HD inline void with_step_kind(const NeuronCoeffs<T>& c, const F& f, std::int64_t index) {
  if (c.smooth_forward)
    c.hard_reset ? f.template run<true, true>(index) : f.template run<true, false>(index);
  else
    c.hard_reset ? f.template run<false, true>(index) : f.template run<false, false>(index);
}

template <class T, ChargeKind K>
struct ForwardNeuron {
  NeuronCoeffs<T> c;
  const T* x;
  T* s;
  T* h;
  std::int64_t n, steps;
  std::int64_t x_step;  // n, or 0 when one input frame is fed at every step
  SNN_HD void operator()(std::int64_t chunk) const { with_step_kind(c, *this, chunk); }
  // h null: H is recomputed in the backward, not stored; s null: h_seq() recomputing H. Also
  // chosen once per chunk.
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t chunk) const {
    if (h && s)
      lanes<Smooth, Hard, true, true>(chunk);
    else if (s)
      lanes<Smooth, Hard, false, true>(chunk);
    else
      lanes<Smooth, Hard, true, false>(chunk);
  }
  template <bool Smooth, bool Hard, bool StoreH, bool StoreS>
  SNN_HD void lanes(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T v[kLanes];
    for (std::int64_t j = 0; j < m; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t) {
      const std::int64_t k = t * n + i0;
      const T* xt = x + t * x_step + i0;
      for (std::int64_t j = 0; j < m; ++j) {
        T sj;
        const T hj = neuron_step<K, Smooth, Hard>(c, v[j], xt[j], sj);
        if (StoreH) h[k + j] = hj;
        if (StoreS) s[k + j] = sj;
      }
    }
  }
};

template <class T, SurrogateKind K, bool HasGradV>
struct BackwardNeuron {
  NeuronCoeffs<T> c;
  const T* h;  // S_t is fire(H_t) again: the forward's spikes are not read back
  const T* grad_s;
  const T* grad_v;  // null unless HasGradV
  T* grad_x;
  std::int64_t n, steps;
  bool sum_steps;  // the input was one frame fed at every step: grad_x [1, ...] is the sum
  SNN_HD void operator()(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T gh[kLanes];
    for (std::int64_t j = 0; j < m; ++j) gh[j] = T(0);
    if (sum_steps)
      for (std::int64_t j = 0; j < m; ++j) grad_x[i0 + j] = T(0);
    for (std::int64_t t = steps - 1; t >= 0; --t) {
      const std::int64_t k = t * n + i0;
      T* gx = grad_x + (sum_steps ? i0 : k);
      for (std::int64_t j = 0; j < m; ++j) {
        gh[j] = c.template backward_h_as<K>(h[k + j], c.fire(h[k + j]), grad_s[k + j],
                                            HasGradV ? grad_v[k + j] : T(0), gh[j]);
        if (sum_steps)
          gx[j] += gh[j] * c.k_x;
        else
          gx[j] = gh[j] * c.k_x;
      }
    }
  }
};

/// dL/dS_t of neuron i, read from a [T, n] tensor.
template <class T>
struct DenseGrad {
  const T* g;
  std::int64_t n;
  struct Lane {
    std::int64_t i;
  };
  /// The lanes of neurons i0 .. i0 + m - 1.
  SNN_HD void lanes(std::int64_t i0, std::int64_t m, Lane* out) const {
    for (std::int64_t j = 0; j < m; ++j) out[j].i = i0 + j;
  }
  SNN_HD T at(const Lane& l, std::int64_t t) const { return g[t * n + l.i]; }
};

/// BPTT with H_t recomputed from the input x by the forward's own formulas (bit for bit the
/// forward's H), into a stack array per chunk: every input of a chunk is read before its first
/// gradient is written, so grad_x may overwrite x. Grad: where dL/dS_t comes from (DenseGrad,
/// PooledGrad).
template <class T, SurrogateKind K, ChargeKind C, class Grad>
struct BackwardRecomputedNeuron {
  NeuronCoeffs<T> c;
  const T* x;  // [T, n], or one frame [1, n] fed at every step (x_step 0)
  Grad grad_s;
  const T* grad_v;        // or null
  T* grad_x;              // [T, n], or [1, n] (x_step 0): the sum over the steps. May be x itself.
  std::int64_t n, steps;  // steps <= kMaxRecomputeSteps
  std::int64_t x_step;    // n, or 0
  SNN_HD void operator()(std::int64_t chunk) const { with_step_kind(c, *this, chunk); }
  template <bool Smooth, bool Hard>
  SNN_HD void run(std::int64_t chunk) const {
    const std::int64_t i0 = chunk * kLanes;
    const std::int64_t m = n - i0 < kLanes ? n - i0 : kLanes;
    T h[kMaxRecomputeSteps * kLanes], v[kLanes], gh[kLanes], gs[kLanes];
    typename Grad::Lane lanes[kLanes];
    grad_s.lanes(i0, m, lanes);
    for (std::int64_t j = 0; j < m; ++j) v[j] = c.v_rest;
    for (std::int64_t t = 0; t < steps; ++t)
      for (std::int64_t j = 0; j < m; ++j) {
        T sj;
        h[t * kLanes + j] = neuron_step<C, Smooth, Hard>(c, v[j], x[t * x_step + i0 + j], sj);
      }
    for (std::int64_t j = 0; j < m; ++j) gh[j] = T(0);
    if (x_step == 0)
      for (std::int64_t j = 0; j < m; ++j) grad_x[i0 + j] = T(0);
    for (std::int64_t t = steps - 1; t >= 0; --t) {
      const std::int64_t k = t * n + i0;
      for (std::int64_t j = 0; j < m; ++j) gs[j] = grad_s.at(lanes[j], t);  // gathered apart
      const T* ht = h + t * kLanes;
      if (grad_v)
        for (std::int64_t j = 0; j < m; ++j)
          gh[j] =
              c.template backward_h_as<K>(ht[j], fire<Smooth>(ht[j]), gs[j], grad_v[k + j], gh[j]);
      else
        for (std::int64_t j = 0; j < m; ++j)
          gh[j] = c.template backward_h_as<K>(ht[j], fire<Smooth>(ht[j]), gs[j], T(0), gh[j]);
      if (x_step == 0)
        for (std::int64_t j = 0; j < m; ++j) grad_x[i0 + j] += gh[j] * c.k_x;
      else
        for (std::int64_t j = 0; j < m; ++j) grad_x[k + j] = gh[j] * c.k_x;
    }
  }
  template <bool Smooth>
  SNN_HD T fire(T h) const {
    return Smooth ? c.fire(h) : heaviside(h - c.v_threshold);
  }
};

/// V_t = reset(H_t, fire(H_t)), elementwise: exactly the forward's V.
template <class T>
struct PotentialFromCharge {
  NeuronCoeffs<T> c;
  const T* h;
  T* v;
  SNN_HD void operator()(std::int64_t i) const { v[i] = c.reset(h[i], c.fire(h[i])); }
};

inline std::int64_t chunks(std::int64_t n) {
  return (n + kLanes - 1) / kLanes;
}

template <class T, SurrogateKind K>
void backward_surrogate(const NeuronCoeffs<T>& c, const T* h, const T* gs, const T* gv, T* gx,
                        std::int64_t n, std::int64_t steps, bool sum_steps) {
  auto first = thrust::counting_iterator<std::int64_t>(0);
  auto last = thrust::counting_iterator<std::int64_t>(chunks(n));
  if (gv)
    thrust::for_each(exec(), first, last,
                     BackwardNeuron<T, K, true>{c, h, gs, gv, gx, n, steps, sum_steps});
  else
    thrust::for_each(exec(), first, last,
                     BackwardNeuron<T, K, false>{c, h, gs, nullptr, gx, n, steps, sum_steps});
}

/// Calls f(std::integral_constant<ChargeKind, kind>): the charge as a template argument.
template <class F>
void with_charge(ChargeKind kind, F&& f) {
  switch (kind) {
    case ChargeKind::If:
      return f(std::integral_constant<ChargeKind, ChargeKind::If>{});
    case ChargeKind::LifDecayInput:
      return f(std::integral_constant<ChargeKind, ChargeKind::LifDecayInput>{});
    default:
      return f(std::integral_constant<ChargeKind, ChargeKind::Lif>{});
  }
}

template <class T, SurrogateKind K, class Grad>
void backward_recomputed(const NeuronCoeffs<T>& c, const T* x, std::int64_t x_step, const Grad& gs,
                         const T* gv, T* gx, std::int64_t n, std::int64_t steps) {
  with_charge(c.charge_kind(), [&](auto charge) {
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(chunks(n)),
                     BackwardRecomputedNeuron<T, K, decltype(charge)::value, Grad>{
                         c, x, gs, gv, gx, n, steps, x_step});
  });
}

/// Calls f(std::integral_constant<SurrogateKind, kind>): the surrogate as a template argument.
template <class F>
void with_surrogate(SurrogateKind kind, F&& f) {
  switch (kind) {
    case SurrogateKind::ATan:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::ATan>{});
    case SurrogateKind::Sigmoid:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::Sigmoid>{});
    case SurrogateKind::PiecewiseQuadratic:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::PiecewiseQuadratic>{});
    default:
      return f(std::integral_constant<SurrogateKind, SurrogateKind::SoftSign>{});
  }
}

template <class T>
void forward_any(const NeuronCoeffs<T>& c, const T* x, T* s, T* h, std::int64_t n,
                 std::int64_t steps, std::int64_t x_step) {
  with_charge(c.charge_kind(), [&](auto charge) {
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(chunks(n)),
                     ForwardNeuron<T, decltype(charge)::value>{c, x, s, h, n, steps, x_step});
  });
}

}  // namespace snn::learning::neuron_detail
