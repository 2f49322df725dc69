// The fused forward, one pass per sample over all T steps: steps 1 and 2 (scan the pixels, draw
// their spikes) are in spike_draws.h, then
//   3. the input current X_t = bias + Σ_{spiking pixels} Wᵀ[pixel]. Rows of pixels that always
//      spike, and of pixels with p > 1/2, go into a constant `base`; then a pixel with p <= 1/2
//      adds its row at the steps where it spiked and one with p > 1/2 subtracts it at the steps
//      where it did not: Σ min(p, 1 - p) row operations per step instead of Σ p (MNIST: 21
//      instead of 102);
//   4. the neuron over all steps, its state in registers; X_t is overwritten by H_t.
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>

#include "learning/layers/poisson_linear/kernels.h"
#include "learning/layers/poisson_linear/spike_draws.h"
#include "learning/neurons/neuron_dynamics.h"
#include "learning/surrogate/surrogate.h"
#include "sim/core/config.h"

namespace snn::learning::poisson_linear_detail {
namespace {

/// 3. X_t for every step of sample b into X [steps, width].
template <int W, class T>
SNN_HD SNN_FUSED_INLINE void input_current(const FusedArgs<T>& a, int b, int nd, int no,
                                           T* __restrict__ X, T* __restrict__ base) {
  const int width = W > 0 ? W : a.width, steps = a.steps, words = a.words, out = a.out;
  const int* drawn = a.drawn + std::int64_t(b) * a.in;
  const std::uint32_t* thr = a.thr + std::int64_t(b) * a.in;
  const int* ones = a.ones + std::int64_t(b) * a.in;
  const std::uint64_t* bits = a.bits + std::int64_t(b) * a.in * words;
  const T* __restrict__ wt = a.wt;
  for (int o = 0; o < width; ++o) base[o] = (a.bias != nullptr && o < out) ? a.bias[o] : T(0);
  for (int k = 0; k < no; ++k) add_row<W>(base, wt + std::int64_t(ones[k]) * width, width);
  for (std::int64_t k = 0; k < std::int64_t(steps) * width; ++k) X[k] = T(0);
  const std::uint64_t last_mask = valid_mask(steps, words - 1);
  for (int j = 0; j < nd; ++j) {
    const T* __restrict__ row = wt + std::int64_t(drawn[j]) * width;
    const std::uint64_t* pb = bits + std::int64_t(j) * words;
    if (inverted(thr[j])) {
      add_row<W>(base, row, width);
      for (int w = 0; w < words; ++w) {
        const std::uint64_t m0 = ~pb[w] & (w == words - 1 ? last_mask : ~std::uint64_t(0));
        for (std::uint64_t m = m0; m != 0; m &= m - 1)
          sub_row<W>(X + std::int64_t(64 * w + count_trailing_zeros(m)) * width, row, width);
      }
    } else {
      for (int w = 0; w < words; ++w)
        for (std::uint64_t m = pb[w]; m != 0; m &= m - 1)
          add_row<W>(X + std::int64_t(64 * w + count_trailing_zeros(m)) * width, row, width);
    }
  }
  for (int t = 0; t < steps; ++t) add_row<W>(X + std::int64_t(t) * width, base, width);
}

/// 4. The neuron over all steps (charge kind K, Heaviside spikes): X_t → H_t in place; writes
/// S_t and V_t to the [T, B, out] outputs. vbuf: `width` values of scratch.
template <ChargeKind K, int W, class T>
SNN_HD SNN_FUSED_INLINE void neuron_forward(const FusedArgs<T>& a, int b, T* __restrict__ X,
                                            T* __restrict__ vbuf) {
  const NeuronCoeffs<T> c = a.c;
  const int width = W > 0 ? W : a.width, out = a.out;
  const std::int64_t stride = std::int64_t(a.batch) * out;
  T* __restrict__ y = a.y + std::int64_t(b) * out;
  T* __restrict__ v = a.v + std::int64_t(b) * out;
  T vloc[W > 0 ? W : 1];
  T* __restrict__ V = W > 0 ? vloc : vbuf;
  for (int o = 0; o < width; ++o) V[o] = c.v_rest;
  for (int t = 0; t < a.steps; ++t) {
    T* __restrict__ xt = X + std::int64_t(t) * width;
    for (int o = 0; o < width; ++o) {
      const T h = c.template charge_as<K>(V[o], xt[o]);
      const T s = heaviside(h - c.v_threshold);
      V[o] = c.hard_reset ? h * (T(1) - s) + c.v_reset * s : h - c.v_threshold * s;
      xt[o] = h;
    }
    for (int o = 0; o < out; ++o) {
      y[t * stride + o] = heaviside(xt[o] - c.v_threshold);
      v[t * stride + o] = V[o];
    }
  }
}

/// The neuron with the layer's own (runtime) functions: the smooth-forward test mode.
template <int W, class T>
SNN_HD SNN_FUSED_INLINE void neuron_forward_any(const FusedArgs<T>& a, int b, T* X, T* vbuf) {
  using C = ChargeKind;
  if (!a.c.smooth_forward) {
    switch (a.c.charge_kind()) {
      case C::LifDecayInput:
        neuron_forward<C::LifDecayInput, W>(a, b, X, vbuf);
        return;
      case C::Lif:
        neuron_forward<C::Lif, W>(a, b, X, vbuf);
        return;
      default:
        neuron_forward<C::If, W>(a, b, X, vbuf);
        return;
    }
  }
  const int width = W > 0 ? W : a.width, out = a.out;
  const std::int64_t stride = std::int64_t(a.batch) * out;
  for (int o = 0; o < out; ++o) {
    T V = a.c.v_rest;
    for (int t = 0; t < a.steps; ++t) {
      T& xt = X[std::int64_t(t) * width + o];
      const T h = a.c.charge(V, xt);
      const T s = a.c.fire(h);
      V = a.c.reset(h, s);
      xt = h;
      a.y[t * stride + std::int64_t(b) * out + o] = s;
      a.v[t * stride + std::int64_t(b) * out + o] = V;
    }
  }
}

template <int W, class T>
SNN_HD SNN_FUSED_INLINE void forward_sample(const FusedArgs<T>& a, int b) {
  const int width = W > 0 ? W : a.width;
  scan_pixels(a, b);
  const int nd = a.counts[2 * b], no = a.counts[2 * b + 1];
  for (int j0 = 0; j0 < nd; j0 += kLanes) draw_lanes(a, b, nd, j0);
  T* X = a.scratch + std::int64_t(b) * (a.steps + 2) * width;
  T* base = X + std::int64_t(a.steps) * width;
  input_current<W>(a, b, nd, no, X, base);
  neuron_forward_any<W>(a, b, X, base + width);
}

/// The width at hand: 16 and 32 unrolled, anything else by a runtime loop.
template <class T>
SNN_HD SNN_FUSED_INLINE void forward_any(const FusedArgs<T>& a, int b) {
  if (a.width == 16)
    forward_sample<16>(a, b);
  else if (a.width == 32)
    forward_sample<32>(a, b);
  else
    forward_sample<0>(a, b);
}

#if SNN_FUSED_MULTIVERSION
SNN_FUSED_CLONES void forward_cpu(const FusedArgs<float>& a, int b) {
  forward_any(a, b);
}
SNN_FUSED_CLONES void forward_cpu(const FusedArgs<double>& a, int b) {
  forward_any(a, b);
}
#endif

template <class T>
struct FusedForward {
  FusedArgs<T> a;
  SNN_HD void operator()(int b) const {
#if SNN_FUSED_MULTIVERSION
    forward_cpu(a, b);
#else
    forward_any(a, b);
#endif
  }
};

}  // namespace

template <class T>
void forward_fused(const FusedArgs<T>& a) {
  thrust::for_each(exec(), thrust::counting_iterator<int>(0),
                   thrust::counting_iterator<int>(a.batch), FusedForward<T>{a});
}

template void forward_fused(const FusedArgs<float>&);
template void forward_fused(const FusedArgs<double>&);

}  // namespace snn::learning::poisson_linear_detail
