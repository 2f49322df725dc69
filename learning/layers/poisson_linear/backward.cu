// The fused backward, per partition of samples (one per CPU thread, private gradient rows, no
// atomics; one per sample on a GPU):
//   BPTT through the neuron gives dL/dX_t (overwriting H_t); then dL/dWᵀ[pixel] += Σ_t s_t dX_t
//   from the stored masks (G - Σ over non-spiking steps for p > 1/2, G = Σ_t dX_t for p >= 1).
// Then the partitions' dL/dWᵀ and dL/dbias are summed into the Linear's gradients.
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstdint>

#include "learning/layers/poisson_linear/kernels.h"
#include "learning/neurons/neuron_dynamics.h"
#include "learning/surrogate/surrogate.h"
#include "sim/core/config.h"

namespace snn::learning::poisson_linear_detail {
namespace {

/// BPTT through the neuron of sample b with surrogate S: H_t → dL/dX_t in place, G = Σ_t dX_t.
template <SurrogateKind S, int W, class T>
SNN_HD SNN_FUSED_INLINE void neuron_backward(const FusedArgs<T>& a, int b, T* __restrict__ H,
                                             T* __restrict__ G, T* __restrict__ ghbuf) {
  const NeuronCoeffs<T> c = a.c;
  const int width = W > 0 ? W : a.width, out = a.out;
  const std::int64_t stride = std::int64_t(a.batch) * out;
  const T* __restrict__ gy = a.grad_y + std::int64_t(b) * out;
  const T* __restrict__ gv = a.grad_v != nullptr ? a.grad_v + std::int64_t(b) * out : nullptr;
  T ghloc[W > 0 ? W : 1], gsloc[W > 0 ? W : 1], gvloc[W > 0 ? W : 1];
  T* __restrict__ gh = W > 0 ? ghloc : ghbuf;
  for (int o = 0; o < width; ++o) {
    gh[o] = T(0);
    G[o] = T(0);
  }
  for (int t = a.steps - 1; t >= 0; --t) {
    T* __restrict__ ht = H + std::int64_t(t) * width;
    if (W > 0) {
      for (int o = 0; o < W; ++o) {
        gsloc[o] = o < out ? gy[t * stride + o] : T(0);
        gvloc[o] = (gv != nullptr && o < out) ? gv[t * stride + o] : T(0);
      }
      for (int o = 0; o < W; ++o) {
        const T h = ht[o];
        const T g =
            c.template backward_h_as<S>(h, heaviside(h - c.v_threshold), gsloc[o], gvloc[o], gh[o]);
        gh[o] = g;
        ht[o] = g * c.k_x;
        G[o] += ht[o];
      }
    } else {
      for (int o = 0; o < width; ++o) {
        const T gs = o < out ? gy[t * stride + o] : T(0);
        const T gvo = (gv != nullptr && o < out) ? gv[t * stride + o] : T(0);
        const T h = ht[o];
        const T g = c.template backward_h_as<S>(h, heaviside(h - c.v_threshold), gs, gvo, gh[o]);
        gh[o] = g;
        ht[o] = g * c.k_x;
        G[o] += ht[o];
      }
    }
  }
}

/// The smooth-forward test mode: S from the layer's fire().
template <int W, class T>
SNN_HD SNN_FUSED_INLINE void neuron_backward_any(const FusedArgs<T>& a, int b, T* H, T* G,
                                                 T* ghbuf) {
  if (!a.c.smooth_forward) {
    switch (a.c.surrogate) {
      case SurrogateKind::ATan:
        neuron_backward<SurrogateKind::ATan, W>(a, b, H, G, ghbuf);
        return;
      case SurrogateKind::Sigmoid:
        neuron_backward<SurrogateKind::Sigmoid, W>(a, b, H, G, ghbuf);
        return;
      case SurrogateKind::PiecewiseQuadratic:
        neuron_backward<SurrogateKind::PiecewiseQuadratic, W>(a, b, H, G, ghbuf);
        return;
      default:
        neuron_backward<SurrogateKind::SoftSign, W>(a, b, H, G, ghbuf);
        return;
    }
  }
  const int width = W > 0 ? W : a.width, out = a.out;
  const std::int64_t stride = std::int64_t(a.batch) * out;
  for (int o = 0; o < width; ++o) G[o] = T(0);
  for (int o = 0; o < out; ++o) {
    T gh = T(0);
    for (int t = a.steps - 1; t >= 0; --t) {
      const std::int64_t k = t * stride + std::int64_t(b) * out + o;
      T& ht = H[std::int64_t(t) * width + o];
      gh = a.c.backward_h(ht, a.c.fire(ht), a.grad_y[k], a.grad_v != nullptr ? a.grad_v[k] : T(0),
                          gh);
      ht = gh * a.c.k_x;
      G[o] += ht;
    }
  }
  for (int t = 0; t < a.steps; ++t)
    for (int o = out; o < width; ++o) H[std::int64_t(t) * width + o] = T(0);
}

template <int W, class T>
SNN_HD SNN_FUSED_INLINE void backward_partition(const FusedArgs<T>& a, int part) {
  const int width = W > 0 ? W : a.width, steps = a.steps, in = a.in, words = a.words;
  const int b0 = int(std::int64_t(a.batch) * part / a.partitions);
  const int b1 = int(std::int64_t(a.batch) * (part + 1) / a.partitions);
  T* __restrict__ gw = a.grad_wt + std::int64_t(part) * in * width;
  T* __restrict__ gb = a.grad_b + std::int64_t(part) * width;
  for (int b = b0; b < b1; ++b) {
    T* dX = a.scratch + std::int64_t(b) * (steps + 2) * width;
    T* G = dX + std::int64_t(steps) * width;
    T* tmp = G + width;
    neuron_backward_any<W>(a, b, dX, G, tmp);
    const int nd = a.counts[2 * b], no = a.counts[2 * b + 1];
    const int* ones = a.ones + std::int64_t(b) * in;
    const int* drawn = a.drawn + std::int64_t(b) * in;
    const std::uint32_t* thr = a.thr + std::int64_t(b) * in;
    const std::uint64_t* bits = a.bits + std::int64_t(b) * in * words;
    for (int k = 0; k < no; ++k) add_row<W>(gw + std::int64_t(ones[k]) * width, G, width);
    const std::uint64_t last_mask = valid_mask(steps, words - 1);
    for (int j = 0; j < nd; ++j) {
      T accloc[W > 0 ? W : 1];
      T* __restrict__ sum = W > 0 ? accloc : tmp;
      for (int o = 0; o < width; ++o) sum[o] = T(0);
      const bool inv = inverted(thr[j]);
      const std::uint64_t* pb = bits + std::int64_t(j) * words;
      for (int w = 0; w < words; ++w) {
        std::uint64_t m0 = pb[w];
        if (inv) m0 = ~m0 & (w == words - 1 ? last_mask : ~std::uint64_t(0));
        for (std::uint64_t m = m0; m != 0; m &= m - 1)
          add_row<W>(sum, dX + std::int64_t(64 * w + count_trailing_zeros(m)) * width, width);
      }
      T* __restrict__ row = gw + std::int64_t(drawn[j]) * width;
      if (inv) {
        for (int o = 0; o < width; ++o) row[o] += G[o] - sum[o];
      } else {
        add_row<W>(row, sum, width);
      }
    }
    add_row<W>(gb, G, width);
  }
}

/// The width at hand: 16 and 32 unrolled, anything else by a runtime loop.
template <class T>
SNN_HD SNN_FUSED_INLINE void backward_any(const FusedArgs<T>& a, int part) {
  if (a.width == 16)
    backward_partition<16>(a, part);
  else if (a.width == 32)
    backward_partition<32>(a, part);
  else
    backward_partition<0>(a, part);
}

#if SNN_FUSED_MULTIVERSION
SNN_FUSED_CLONES void backward_cpu(const FusedArgs<float>& a, int p) {
  backward_any(a, p);
}
SNN_FUSED_CLONES void backward_cpu(const FusedArgs<double>& a, int p) {
  backward_any(a, p);
}
#endif

template <class T>
struct FusedBackward {
  FusedArgs<T> a;
  SNN_HD void operator()(int part) const {
#if SNN_FUSED_MULTIVERSION
    backward_cpu(a, part);
#else
    backward_any(a, part);
#endif
  }
};

/// grad_W[o, i] += Σ_p grad_wt[p, i, o]; grad_wt is left zero for the next batch. One input
/// pixel i per index: its rows of grad_wt are contiguous, and no index needs dividing.
template <class T>
struct ReduceWeight {
  T* gwt;
  T* gw;
  int in, out, width, partitions;
  SNN_HD void operator()(std::int64_t i) const {
    for (int o = 0; o < out; ++o) {
      T acc = T(0);
      for (int p = 0; p < partitions; ++p) {
        T& g = gwt[(std::int64_t(p) * in + i) * width + o];
        acc += g;
        g = T(0);
      }
      gw[std::int64_t(o) * in + i] += acc;
    }
  }
};

/// grad_b[o] += Σ_p grad_b_part[p, o] (when there is a bias); the parts are left zero.
template <class T>
struct ReduceBias {
  T* gbp;
  T* gb;
  int out, width, partitions;
  SNN_HD void operator()(int o) const {
    T acc = T(0);
    for (int p = 0; p < partitions; ++p) {
      acc += gbp[std::int64_t(p) * width + o];
      gbp[std::int64_t(p) * width + o] = T(0);
    }
    if (gb != nullptr && o < out) gb[o] += acc;
  }
};

}  // namespace

template <class T>
void backward_fused(const FusedArgs<T>& a, T* grad_w, T* grad_bias) {
  thrust::for_each(exec(), thrust::counting_iterator<int>(0),
                   thrust::counting_iterator<int>(a.partitions), FusedBackward<T>{a});
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(a.in),
                   ReduceWeight<T>{a.grad_wt, grad_w, a.in, a.out, a.width, a.partitions});
  thrust::for_each(exec(), thrust::counting_iterator<int>(0),
                   thrust::counting_iterator<int>(a.width),
                   ReduceBias<T>{a.grad_b, grad_bias, a.out, a.width, a.partitions});
}

template void backward_fused(const FusedArgs<float>&, float*, float*);
template void backward_fused(const FusedArgs<double>&, double*, double*);

}  // namespace snn::learning::poisson_linear_detail
