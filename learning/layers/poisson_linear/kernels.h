// What the fused Poisson → Linear → IF/LIF kernels share (see poisson_linear.h): their arguments,
// the CPU build's function multiversioning, the row updates and the spike-mask bit helpers; and
// the two entry points the layer calls, forward_fused (forward.cu) and backward_fused
// (backward.cu).
#pragma once

#include <cstdint>
#include <cstring>

#include "learning/encoding/encoders.h"
#include "learning/neurons/neuron_dynamics.h"
#include "sim/core/config.h"

// The CPU build compiles the per-sample kernels three times, for AVX-512 (x86-64-v4), AVX2
// (x86-64-v3) and baseline x86-64, and the loader picks the best the machine has (GCC function
// multiversioning): the kernels' lane loops then run 8-16 wide without -march flags that would
// make the whole library unportable. Everything the kernels call is forced inline so that it is
// compiled for the clone's instruction set too. CUDA builds compile the same code for the GPU.
#if !defined(__CUDACC__) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SNN_FUSED_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define SNN_FUSED_INLINE inline __attribute__((always_inline))
#define SNN_FUSED_MULTIVERSION 1
#else
#define SNN_FUSED_CLONES
#define SNN_FUSED_INLINE inline
#define SNN_FUSED_MULTIVERSION 0
#endif

namespace snn::learning::poisson_linear_detail {

/// What a fused kernel reads and writes: the neuron's coefficients, the Poisson stream, and
/// pointers into the layer's buffers.
template <class T>
struct FusedArgs {
  NeuronCoeffs<T> c;
  PoissonStream ps;
  std::uint32_t key0 = 0, key1 = 0;  // the Philox key of ps.rng
  const T* images = nullptr;         // [B, in]
  const T* wt = nullptr;             // [in, width]
  const T* bias = nullptr;           // [out] or null
  int* drawn = nullptr;              // [B, in]: pixels with 0 < p < 1
  std::uint32_t* thr = nullptr;      // [B, in]: their thresholds
  int* ones = nullptr;               // [B, in]: pixels with p >= 1
  int* counts = nullptr;             // [B, 2]
  std::uint64_t* bits = nullptr;     // [B, in, words]
  T* scratch = nullptr;              // [B, steps + 2, width]
  T* y = nullptr;                    // [T, B, out]
  T* v = nullptr;                    // [T, B, out]
  const T* grad_y = nullptr;         // [T, B, out]
  const T* grad_v = nullptr;         // [T, B, out] or null
  T* grad_wt = nullptr;              // [P, in, width]
  T* grad_b = nullptr;               // [P, width]
  int steps = 0, batch = 0, in = 0, out = 0, width = 0, words = 0, partitions = 1;
};

/// Runs the forward of every sample b < a.batch: spikes, potentials and the scratch the backward
/// reads (see forward.cu).
template <class T>
void forward_fused(const FusedArgs<T>& a);

/// Runs the backward of every partition p < a.partitions, then adds their dL/dWᵀ and dL/dbias
/// into grad_w [out, in] and grad_bias [out] (null: no bias), leaving the partitions' buffers zero
/// for the next batch (see backward.cu).
template <class T>
void backward_fused(const FusedArgs<T>& a, T* grad_w, T* grad_bias);

// The helpers below have internal linkage (an unnamed namespace), as they had when the layer was
// one file: each kernel file gets its own copy, inlined into its own target clones, and GCC emits
// the same machine code as before the split (with external linkage it inlines them differently).
namespace {

SNN_HD inline int count_trailing_zeros(std::uint64_t w) {
#if defined(__CUDA_ARCH__)
  return __ffsll(static_cast<long long>(w)) - 1;
#else
  return __builtin_ctzll(w);
#endif
}

/// Bits of mask word w that are steps < steps.
SNN_HD inline std::uint64_t valid_mask(int steps, int w) {
  const int rem = steps - 64 * w;
  return rem >= 64 ? ~std::uint64_t(0) : ((std::uint64_t(1) << rem) - 1);
}

/// Pixels with p > 1/2 are accumulated through the steps where they did not spike.
SNN_HD inline bool inverted(std::uint32_t threshold24) {
  return threshold24 > (1u << 23);
}

/// dst[0, n) += row[0, n) (kAdd) or -= row[0, n) (n = W when W > 0). On the CPU a row of W values
/// is one GCC vector (a single AVX-512 operation for 16 floats): GCC does not vectorise these short
/// loops inside the bit-scanning loops by itself.
template <int W, bool kAdd, class T>
SNN_HD SNN_FUSED_INLINE void update_row(T* __restrict__ dst, const T* __restrict__ row, int width) {
#if SNN_FUSED_MULTIVERSION
  if constexpr (W > 0) {
    typedef T Row __attribute__((vector_size(W * sizeof(T))));
    Row x, r;
    std::memcpy(&x, dst, sizeof x);
    std::memcpy(&r, row, sizeof r);
    if constexpr (kAdd)
      x += r;
    else
      x -= r;
    std::memcpy(dst, &x, sizeof x);
    return;
  }
#endif
  const int n = W > 0 ? W : width;
  for (int o = 0; o < n; ++o) dst[o] = kAdd ? dst[o] + row[o] : dst[o] - row[o];
}
template <int W, class T>
SNN_HD SNN_FUSED_INLINE void add_row(T* __restrict__ dst, const T* __restrict__ row, int width) {
  update_row<W, true>(dst, row, width);
}
template <int W, class T>
SNN_HD SNN_FUSED_INLINE void sub_row(T* __restrict__ dst, const T* __restrict__ row, int width) {
  update_row<W, false>(dst, row, width);
}

}  // namespace

}  // namespace snn::learning::poisson_linear_detail
