// Fused Poisson → Linear → IF/LIF: one pass per sample over all T steps (see poisson_linear.h).
//
// Per sample, forward:
//   1. scan the pixels: p >= 1 always spikes, 0 < p < 1 needs draws, p <= 0 never spikes;
//   2. draw the spikes of 16 pixels at a time (SIMD lanes): one Philox call gives 8 steps of a
//      pixel (16-bit digits, see PoissonStream); kept as T-bit masks for the backward;
//   3. the input current X_t = bias + Σ_{spiking pixels} Wᵀ[pixel]. Rows of pixels that always
//      spike, and of pixels with p > 1/2, go into a constant `base`; then a pixel with p <= 1/2
//      adds its row at the steps where it spiked and one with p > 1/2 subtracts it at the steps
//      where it did not: Σ min(p, 1 - p) row operations per step instead of Σ p (MNIST: 21
//      instead of 102);
//   4. the neuron over all steps, its state in registers; X_t is overwritten by H_t.
// Backward, per partition of samples (one per CPU thread, private gradient rows, no atomics):
//   BPTT through the neuron gives dL/dX_t (overwriting H_t); then dL/dWᵀ[pixel] += Σ_t s_t dX_t
//   from the stored masks (G - Σ over non-spiking steps for p > 1/2, G = Σ_t dX_t for p >= 1).
#include "learning/layers/poisson_linear.h"

#if !defined(__CUDACC__) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cstring>

#include "learning/encoding/encoders.h"
#include "sim/core/errors.h"
#include "sim/core/threads.h"

// The CPU build compiles the per-sample kernels three times, for AVX-512 (x86-64-v4), AVX2
// (x86-64-v3) and baseline x86-64, and the loader picks the best the machine has (GCC function
// multiversioning): the lane loops below then run 8-16 wide without -march flags that would
// make the whole library unportable. Everything the kernels call is forced inline so that it is
// compiled for the clone's instruction set too. CUDA builds compile the same code for the GPU.
#if !defined(__CUDACC__) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SNN_FUSED_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define SNN_FUSED_INLINE inline __attribute__((always_inline))
#define SNN_FUSED_MULTIVERSION 1
#else
#define SNN_FUSED_CLONES
#define SNN_FUSED_INLINE inline
#define SNN_FUSED_MULTIVERSION 0
#endif

namespace snn::learning {
namespace {

constexpr int kLanes = 16;      // pixels whose Philox draws run side by side
constexpr int kAlign = 64;      // bytes: rows of Wᵀ, of the scratch and of the gradients
constexpr int kWidthStep = 16;  // out is padded to a multiple of this many values

/// Philox4x32-10 on kLanes counters at once: the same function as CounterRng::draw (a test
/// checks it), written as lane loops that the compiler vectorises. c0..c3: counters in, words out.
SNN_HD SNN_FUSED_INLINE void philox_lanes(std::uint32_t* c0, std::uint32_t* c1, std::uint32_t* c2,
                                          std::uint32_t* c3, std::uint32_t k0, std::uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    for (int l = 0; l < kLanes; ++l) {
      const std::uint64_t p0 = std::uint64_t(0xD2511F53u) * c0[l];
      const std::uint64_t p1 = std::uint64_t(0xCD9E8D57u) * c2[l];
      const std::uint32_t n0 = std::uint32_t(p1 >> 32) ^ c1[l] ^ k0;
      const std::uint32_t n2 = std::uint32_t(p0 >> 32) ^ c3[l] ^ k1;
      c1[l] = std::uint32_t(p1);
      c3[l] = std::uint32_t(p0);
      c0[l] = n0;
      c2[l] = n2;
    }
  }
}

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
SNN_HD inline bool inverted(std::uint32_t threshold24) { return threshold24 > (1u << 23); }

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

/// dst[0, n) += row[0, n) (kAdd) or -= row[0, n) (n = W when W > 0). On the CPU a row of W values is
/// one GCC vector (a single AVX-512 operation for 16 floats): GCC does not vectorise these short
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

/// 1. Splits the pixels of sample b; returns (drawn, ones) counts.
template <class T>
SNN_HD SNN_FUSED_INLINE void scan_pixels(const FusedArgs<T>& a, int b) {
  const int in = a.in;
  const T* __restrict__ img = a.images + std::int64_t(b) * in;
  int* __restrict__ drawn = a.drawn + std::int64_t(b) * in;
  std::uint32_t* __restrict__ thr = a.thr + std::int64_t(b) * in;
  int* __restrict__ ones = a.ones + std::int64_t(b) * in;
  int nd = 0, no = 0;
  for (int p = 0; p < in; ++p) {
    const std::uint32_t k = poisson_threshold24(static_cast<float>(img[p]));
    if (k >= (1u << 24)) {
      ones[no++] = p;
    } else if (k > 0) {
      drawn[nd] = p;
      thr[nd] = k;
      ++nd;
    }
  }
  a.counts[2 * b] = nd;
  a.counts[2 * b + 1] = no;
}

#if SNN_FUSED_MULTIVERSION
/// Whether this CPU runs AVX-512 (F, BW, DQ, VL): then the Poisson draws use the intrinsics below.
bool cpu_has_avx512() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }();
  return has;
}

#define SNN_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
// GCC 12's own avx512fintrin.h trips -Wmaybe-uninitialized (its _mm512_undefined_* idiom).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/// draw_lanes with AVX-512 intrinsics: 16 Philox4x32-10 streams in 4 registers (GCC does not
/// find the 32x32→64 multiply by itself), the 16-bit digits compared 32 at a time, and each
/// lane's 8 results packed into a byte of its 64-step word. The same spikes as the portable loop.
SNN_AVX512 inline void draw_lanes_avx512(const std::uint32_t* pix, const std::uint32_t* hi,
                                         const std::uint32_t* thr, int live, std::uint32_t sample,
                                         int steps, int words, const PoissonStream& ps,
                                         std::uint32_t key0, std::uint32_t key1, std::uint64_t* bits) {
  const __m512i m0 = _mm512_set1_epi32(int(0xD2511F53u)), m1 = _mm512_set1_epi32(int(0xCD9E8D57u));
  const __m512i vpix = _mm512_loadu_si512(pix);
  const __m512i vsample = _mm512_set1_epi32(int(sample)), vlo = _mm512_set1_epi32(int(ps.batch_lo));
  const __m512i vh = _mm512_loadu_si512(hi);
  const __m512i vhi16 = _mm512_or_si512(vh, _mm512_slli_epi32(vh, 16));  // hi in both halves
  const __m512i low_byte = _mm512_set1_epi32(0xFF);
  // digit 2w is the low half of word w, digit 2w + 1 its high half
  const __m512i pattern[4] = {_mm512_set1_epi32(0x00020001), _mm512_set1_epi32(0x00080004),
                              _mm512_set1_epi32(0x00200010), _mm512_set1_epi32(0x00800040)};
  const int calls = (steps + PoissonStream::kStepsPerDraw - 1) / PoissonStream::kStepsPerDraw;
  __m512i acc_lo = _mm512_setzero_si512(), acc_hi = _mm512_setzero_si512();
  __m512i tie_lo = _mm512_setzero_si512(), tie_hi = _mm512_setzero_si512();
  bool ties = false;
  alignas(64) std::uint64_t word[kLanes], tie[kLanes];
  for (int q = 0; q < calls; ++q) {
    __m512i x0 = vpix, x1 = _mm512_set1_epi32(q), x2 = vsample, x3 = vlo;
    std::uint32_t k0 = key0, k1 = key1;
    for (int r = 0; r < 10; ++r) {
      if (r > 0) {
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
      }
      const __m512i e0 = _mm512_mul_epu32(x0, m0), o0 = _mm512_mul_epu32(_mm512_srli_epi64(x0, 32), m0);
      const __m512i e1 = _mm512_mul_epu32(x2, m1), o1 = _mm512_mul_epu32(_mm512_srli_epi64(x2, 32), m1);
      const __m512i hi0 = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(e0, 32), o0);
      const __m512i lo0 = _mm512_mask_blend_epi32(0xAAAA, e0, _mm512_slli_epi64(o0, 32));
      const __m512i hi1 = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(e1, 32), o1);
      const __m512i lo1 = _mm512_mask_blend_epi32(0xAAAA, e1, _mm512_slli_epi64(o1, 32));
      x0 = _mm512_ternarylogic_epi32(hi1, x1, _mm512_set1_epi32(int(k0)), 0x96);
      x2 = _mm512_ternarylogic_epi32(hi0, x3, _mm512_set1_epi32(int(k1)), 0x96);
      x1 = lo1;
      x3 = lo0;
    }
    const __m512i xs[4] = {x0, x1, x2, x3};
    __m512i byte = _mm512_setzero_si512();
    __mmask32 eq = 0;
    for (int w = 0; w < 4; ++w) {
      byte = _mm512_or_si512(byte, _mm512_maskz_mov_epi16(_mm512_cmplt_epu16_mask(xs[w], vhi16), pattern[w]));
      eq |= _mm512_cmpeq_epu16_mask(xs[w], vhi16);
    }
    byte = _mm512_and_si512(_mm512_or_si512(byte, _mm512_srli_epi32(byte, 16)), low_byte);
    const int shift = (8 * q) & 63;
    acc_lo = _mm512_or_si512(acc_lo, _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(byte)), unsigned(shift)));
    acc_hi = _mm512_or_si512(acc_hi, _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(byte, 1)), unsigned(shift)));
    if (eq != 0) {  // a digit equals a threshold's top bits: rare (2^-16 per step)
      __m512i tb = _mm512_setzero_si512();
      for (int w = 0; w < 4; ++w)
        tb = _mm512_or_si512(tb, _mm512_maskz_mov_epi16(_mm512_cmpeq_epu16_mask(xs[w], vhi16), pattern[w]));
      tb = _mm512_and_si512(_mm512_or_si512(tb, _mm512_srli_epi32(tb, 16)), low_byte);
      tie_lo = _mm512_or_si512(tie_lo, _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(tb)), unsigned(shift)));
      tie_hi = _mm512_or_si512(tie_hi, _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(tb, 1)), unsigned(shift)));
      ties = true;
    }
    if (shift == 56 || q == calls - 1) {  // a 64-step word is complete
      const int w = (8 * q) >> 6;
      const std::uint64_t mask = valid_mask(steps, w);
      _mm512_store_si512(word, acc_lo);
      _mm512_store_si512(word + 8, acc_hi);
      if (ties) {
        _mm512_store_si512(tie, tie_lo);
        _mm512_store_si512(tie + 8, tie_hi);
      }
      for (int l = 0; l < live; ++l) {
        std::uint64_t bw = word[l] & mask;
        if (ties)
          for (std::uint64_t m = tie[l] & mask; m != 0; m &= m - 1) {
            const int k = count_trailing_zeros(m);
            if (ps.tie_spikes(pix[l], std::uint32_t(64 * w + k), sample, thr[l])) bw |= std::uint64_t(1) << k;
          }
        bits[std::int64_t(l) * words + w] = bw;
      }
      acc_lo = acc_hi = tie_lo = tie_hi = _mm512_setzero_si512();
      ties = false;
    }
  }
}
#pragma GCC diagnostic pop
#endif

/// 2. Spike masks of drawn pixels j0 .. j0 + kLanes - 1 of sample b over all steps.
template <class T>
SNN_HD SNN_FUSED_INLINE void draw_lanes(const FusedArgs<T>& a, int b, int nd, int j0) {
  const int steps = a.steps, words = a.words;
  const int calls = (steps + PoissonStream::kStepsPerDraw - 1) / PoissonStream::kStepsPerDraw;
  const int* drawn = a.drawn + std::int64_t(b) * a.in;
  const std::uint32_t* thr = a.thr + std::int64_t(b) * a.in;
  std::uint64_t* bits = a.bits + std::int64_t(b) * a.in * words;
  std::uint32_t pix[kLanes], hi[kLanes];
  std::uint64_t acc[kLanes], tie[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    const bool live = j0 + l < nd;
    pix[l] = live ? std::uint32_t(drawn[j0 + l]) : 0u;
    hi[l] = live ? thr[j0 + l] >> 8 : 0u;
    acc[l] = 0;
    tie[l] = 0;
  }
  const std::uint32_t sample = std::uint32_t(b), lo_key = a.ps.batch_lo;
#if SNN_FUSED_MULTIVERSION
  if (cpu_has_avx512()) {
    draw_lanes_avx512(pix, hi, thr + j0, std::min(kLanes, nd - j0), sample, steps, words, a.ps,
                      a.key0, a.key1, bits + std::int64_t(j0) * words);
    return;
  }
#endif
  for (int q = 0; q < calls; ++q) {
    std::uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
    for (int l = 0; l < kLanes; ++l) {
      c0[l] = pix[l];
      c1[l] = std::uint32_t(q);
      c2[l] = sample;
      c3[l] = lo_key;
    }
    philox_lanes(c0, c1, c2, c3, a.key0, a.key1);
    const int shift = (8 * q) & 63;
    for (int l = 0; l < kLanes; ++l) {
      // digits 0..7: low then high half of words 0..3 (PoissonStream::digit)
      const std::uint32_t d[8] = {c0[l] & 0xFFFFu, c0[l] >> 16, c1[l] & 0xFFFFu, c1[l] >> 16,
                                  c2[l] & 0xFFFFu, c2[l] >> 16, c3[l] & 0xFFFFu, c3[l] >> 16};
      std::uint32_t lt = 0, eq = 0;
      for (int k = 0; k < 8; ++k) {
        lt |= std::uint32_t(d[k] < hi[l]) << k;
        eq |= std::uint32_t(d[k] == hi[l]) << k;
      }
      acc[l] |= std::uint64_t(lt) << shift;
      tie[l] |= std::uint64_t(eq) << shift;
    }
    if (shift == 56 || q == calls - 1) {  // a 64-step word is complete
      const int w = (8 * q) >> 6;
      const std::uint64_t mask = valid_mask(steps, w);
      for (int l = 0; l < kLanes && j0 + l < nd; ++l) {
        std::uint64_t word = acc[l] & mask;
        // Ties (probability 2^-16 per step) need 8 more bits of u.
        for (std::uint64_t m = tie[l] & mask; m != 0; m &= m - 1) {
          const int k = count_trailing_zeros(m);
          if (a.ps.tie_spikes(pix[l], std::uint32_t(64 * w + k), sample, thr[j0 + l]))
            word |= std::uint64_t(1) << k;
        }
        bits[std::int64_t(j0 + l) * words + w] = word;
        acc[l] = 0;
        tie[l] = 0;
      }
    }
  }
}

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
      case C::LifDecayInput: neuron_forward<C::LifDecayInput, W>(a, b, X, vbuf); return;
      case C::Lif: neuron_forward<C::Lif, W>(a, b, X, vbuf); return;
      default: neuron_forward<C::If, W>(a, b, X, vbuf); return;
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
        const T g = c.template backward_h_as<S>(h, heaviside(h - c.v_threshold), gsloc[o], gvloc[o], gh[o]);
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
SNN_HD SNN_FUSED_INLINE void neuron_backward_any(const FusedArgs<T>& a, int b, T* H, T* G, T* ghbuf) {
  if (!a.c.smooth_forward) {
    switch (a.c.surrogate) {
      case SurrogateKind::ATan: neuron_backward<SurrogateKind::ATan, W>(a, b, H, G, ghbuf); return;
      case SurrogateKind::Sigmoid: neuron_backward<SurrogateKind::Sigmoid, W>(a, b, H, G, ghbuf); return;
      case SurrogateKind::PiecewiseQuadratic:
        neuron_backward<SurrogateKind::PiecewiseQuadratic, W>(a, b, H, G, ghbuf);
        return;
      default: neuron_backward<SurrogateKind::SoftSign, W>(a, b, H, G, ghbuf); return;
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
      gh = a.c.backward_h(ht, a.c.fire(ht), a.grad_y[k], a.grad_v != nullptr ? a.grad_v[k] : T(0), gh);
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
SNN_HD SNN_FUSED_INLINE void forward_any(const FusedArgs<T>& a, int b) {
  if (a.width == 16)
    forward_sample<16>(a, b);
  else if (a.width == 32)
    forward_sample<32>(a, b);
  else
    forward_sample<0>(a, b);
}

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
SNN_FUSED_CLONES void forward_cpu(const FusedArgs<float>& a, int b) { forward_any(a, b); }
SNN_FUSED_CLONES void forward_cpu(const FusedArgs<double>& a, int b) { forward_any(a, b); }
SNN_FUSED_CLONES void backward_cpu(const FusedArgs<float>& a, int p) { backward_any(a, p); }
SNN_FUSED_CLONES void backward_cpu(const FusedArgs<double>& a, int p) { backward_any(a, p); }
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

/// Wᵀ padded: wt[i, o] = W[o, i] for o < out, 0 beyond.
template <class T>
struct Transpose {
  const T* w;
  T* wt;
  int in, out, width;
  SNN_HD void operator()(std::int64_t k) const {
    const int i = int(k / width), o = int(k % width);
    wt[k] = o < out ? w[std::int64_t(o) * in + i] : T(0);
  }
};

/// grad_W[o, i] += Σ_p grad_wt[p, i, o]; grad_wt is left zero for the next batch.
template <class T>
struct ReduceWeight {
  T* gwt;
  T* gw;
  int in, width, partitions;
  SNN_HD void operator()(std::int64_t k) const {
    const int o = int(k / in), i = int(k % in);
    T acc = T(0);
    for (int p = 0; p < partitions; ++p) {
      T& g = gwt[(std::int64_t(p) * in + i) * width + o];
      acc += g;
      g = T(0);
    }
    gw[k] += acc;
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

/// Grows v to hold n values after a kAlign-aligned start; returns that start.
template <class T>
T* aligned_buffer(DeviceVector<T>& v, std::int64_t n, bool zero_new = false) {
  const std::int64_t pad = kAlign / std::int64_t(sizeof(T));
  if (static_cast<std::int64_t>(v.size()) < n + pad) {
    v.resize(n + pad);
    if (zero_new) thrust::fill(exec(), v.begin(), v.end(), T(0));
  }
  const auto addr = reinterpret_cast<std::uintptr_t>(raw(v));
  const std::uintptr_t aligned = (addr + kAlign - 1) / kAlign * kAlign;
  return raw(v) + (aligned - addr) / sizeof(T);
}

template <class T>
void grow(DeviceVector<T>& v, std::int64_t n) {
  if (static_cast<std::int64_t>(v.size()) < n) v.resize(n);
}

}  // namespace

template <class T>
PoissonLinearNeuron<T>::PoissonLinearNeuron(Linear<T>& linear, SpikingNeuron<T>& neuron,
                                            std::uint64_t seed)
    : linear_(linear), neuron_(neuron), seed_(seed) {}

template <class T>
void PoissonLinearNeuron<T>::forward(const Tensor<T>& images, int steps, std::uint64_t batch_key,
                                     Tensor<T>& spikes, bool record) {
  require(steps >= 1, "fused Poisson-Linear: steps must be >= 1, got " + std::to_string(steps));
  require(images.ndim() >= 1 && images.dim(0) >= 1, "fused Poisson-Linear: images must be [B, ...]");
  batch_ = int(images.dim(0));
  in_ = linear_.in_features();
  out_ = linear_.out_features();
  require(images.size() == std::int64_t(batch_) * in_,
          "fused Poisson-Linear: images " + shape_string(images.shape()) + " do not hold " +
              std::to_string(in_) + " values per sample");
  steps_ = steps;
  batch_key_ = batch_key;
  width_ = (out_ + kWidthStep - 1) / kWidthStep * kWidthStep;
  const int words = (steps + 63) / 64;

  T* wt = aligned_buffer(wt_, std::int64_t(in_) * width_);
  grow(drawn_, std::int64_t(batch_) * in_);
  grow(thr_, std::int64_t(batch_) * in_);
  grow(ones_, std::int64_t(batch_) * in_);
  grow(counts_, std::int64_t(batch_) * 2);
  grow(bits_, std::int64_t(batch_) * in_ * words);
  T* scratch = aligned_buffer(current_, std::int64_t(batch_) * (steps + 2) * width_);
  spikes.resize({steps, batch_, out_});
  v_seq_.resize({steps, batch_, out_});

  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(std::int64_t(in_) * width_),
                   Transpose<T>{linear_.weight().value.data(), wt, in_, out_, width_});
  FusedArgs<T> a;
  a.c = neuron_.coeffs();
  a.ps = PoissonStream::make(seed_, batch_key);
  a.key0 = static_cast<std::uint32_t>(a.ps.rng.seed) ^ (a.ps.rng.stream * 0x9E3779B9u);
  a.key1 = static_cast<std::uint32_t>(a.ps.rng.seed >> 32) + a.ps.rng.stream;
  a.images = images.data();
  a.wt = wt;
  a.bias = linear_.has_bias() ? linear_.bias().value.data() : nullptr;
  a.drawn = raw(drawn_);
  a.thr = raw(thr_);
  a.ones = raw(ones_);
  a.counts = raw(counts_);
  a.bits = raw(bits_);
  a.scratch = scratch;
  a.y = spikes.data();
  a.v = v_seq_.data();
  a.steps = steps;
  a.batch = batch_;
  a.in = in_;
  a.out = out_;
  a.width = width_;
  a.words = words;
  thrust::for_each(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(batch_),
                   FusedForward<T>{a});
  recorded_ = record;
}

template <class T>
void PoissonLinearNeuron<T>::backward(const Tensor<T>& grad_spikes) {
  require(steps_ > 0 && recorded_ && grad_spikes.shape() == Shape{steps_, batch_, out_},
          "fused Poisson-Linear backward: gradient " + shape_string(grad_spikes.shape()) +
              " does not match the last training forward [" + std::to_string(steps_) + ", " +
              std::to_string(batch_) + ", " + std::to_string(out_) + "]");
  recorded_ = false;  // the backward consumes the scratch (H_t becomes dL/dX_t)
  const T* gv = nullptr;
  if (grad_v_seq_ != nullptr && grad_v_seq_->size() > 0) {
    require(grad_v_seq_->shape() == grad_spikes.shape(),
            "fused Poisson-Linear backward: dL/dV has shape " + shape_string(grad_v_seq_->shape()));
    gv = grad_v_seq_->data();
  }
  // One partition per CPU thread (private gradient rows, no atomics); one per sample on a GPU.
  const int partitions = device_is_cuda() ? batch_ : std::max(1, std::min(batch_, num_threads()));
  T* gwt = aligned_buffer(grad_wt_, std::int64_t(partitions) * in_ * width_, true);
  T* gbp = aligned_buffer(grad_b_, std::int64_t(partitions) * width_, true);
  FusedArgs<T> a;
  a.c = neuron_.coeffs();
  a.ones = raw(ones_);
  a.drawn = raw(drawn_);
  a.thr = raw(thr_);
  a.counts = raw(counts_);
  a.bits = raw(bits_);
  a.scratch = aligned_buffer(current_, std::int64_t(batch_) * (steps_ + 2) * width_);
  a.grad_y = grad_spikes.data();
  a.grad_v = gv;
  a.grad_wt = gwt;
  a.grad_b = gbp;
  a.steps = steps_;
  a.batch = batch_;
  a.in = in_;
  a.out = out_;
  a.width = width_;
  a.words = (steps_ + 63) / 64;
  a.partitions = partitions;
  thrust::for_each(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(partitions),
                   FusedBackward<T>{a});
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(std::int64_t(out_) * in_),
                   ReduceWeight<T>{gwt, linear_.weight().grad.data(), in_, width_, partitions});
  thrust::for_each(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(width_),
                   ReduceBias<T>{gbp, linear_.has_bias() ? linear_.bias().grad.data() : nullptr, out_,
                                 width_, partitions});
}

template <class T>
std::vector<T> PoissonLinearNeuron<T>::input_spikes() const {
  const int words = (steps_ + 63) / 64;
  const std::vector<int> drawn = to_std(drawn_), ones = to_std(ones_), counts = to_std(counts_);
  const std::vector<std::uint64_t> bits = to_std(bits_);
  std::vector<T> s(std::size_t(steps_) * batch_ * in_, T(0));
  for (int b = 0; b < batch_; ++b) {
    for (int k = 0; k < counts[2 * b + 1]; ++k)
      for (int t = 0; t < steps_; ++t) s[(std::size_t(t) * batch_ + b) * in_ + ones[std::size_t(b) * in_ + k]] = T(1);
    for (int j = 0; j < counts[2 * b]; ++j)
      for (int t = 0; t < steps_; ++t)
        if ((bits[(std::size_t(b) * in_ + j) * words + t / 64] >> (t % 64)) & 1u)
          s[(std::size_t(t) * batch_ + b) * in_ + drawn[std::size_t(b) * in_ + j]] = T(1);
  }
  return s;
}

template class PoissonLinearNeuron<float>;
template class PoissonLinearNeuron<double>;

}  // namespace snn::learning
