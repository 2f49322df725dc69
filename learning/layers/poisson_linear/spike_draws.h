// The fused layer's Poisson spike draws, steps 1 and 2 of its forward (see forward.cu):
//   1. scan the pixels: p >= 1 always spikes, 0 < p < 1 needs draws, p <= 0 never spikes;
//   2. draw the spikes of 16 pixels at a time (SIMD lanes): one Philox call gives 8 steps of a
//      pixel (16-bit digits, see PoissonStream); kept as T-bit masks for the backward.
#pragma once

#if !defined(__CUDACC__) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstdint>

#include "learning/encoding/encoders.h"
#include "learning/layers/poisson_linear/kernels.h"
#include "sim/core/config.h"

namespace snn::learning::poisson_linear_detail {
// Internal linkage, like the helpers of kernels.h (see there).
namespace {

constexpr int kLanes = 16;  // pixels whose Philox draws run side by side

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
inline bool cpu_has_avx512() {
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
                                         std::uint32_t key0, std::uint32_t key1,
                                         std::uint64_t* bits) {
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
      const __m512i e0 = _mm512_mul_epu32(x0, m0),
                    o0 = _mm512_mul_epu32(_mm512_srli_epi64(x0, 32), m0);
      const __m512i e1 = _mm512_mul_epu32(x2, m1),
                    o1 = _mm512_mul_epu32(_mm512_srli_epi64(x2, 32), m1);
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
      byte = _mm512_or_si512(
          byte, _mm512_maskz_mov_epi16(_mm512_cmplt_epu16_mask(xs[w], vhi16), pattern[w]));
      eq |= _mm512_cmpeq_epu16_mask(xs[w], vhi16);
    }
    byte = _mm512_and_si512(_mm512_or_si512(byte, _mm512_srli_epi32(byte, 16)), low_byte);
    const int shift = (8 * q) & 63;
    acc_lo = _mm512_or_si512(
        acc_lo,
        _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(byte)), unsigned(shift)));
    acc_hi = _mm512_or_si512(
        acc_hi, _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(byte, 1)),
                                  unsigned(shift)));
    if (eq != 0) {  // a digit equals a threshold's top bits: rare (2^-16 per step)
      __m512i tb = _mm512_setzero_si512();
      for (int w = 0; w < 4; ++w)
        tb = _mm512_or_si512(
            tb, _mm512_maskz_mov_epi16(_mm512_cmpeq_epu16_mask(xs[w], vhi16), pattern[w]));
      tb = _mm512_and_si512(_mm512_or_si512(tb, _mm512_srli_epi32(tb, 16)), low_byte);
      tie_lo = _mm512_or_si512(
          tie_lo,
          _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(tb)), unsigned(shift)));
      tie_hi = _mm512_or_si512(
          tie_hi, _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(tb, 1)),
                                    unsigned(shift)));
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
            if (ps.tie_spikes(pix[l], std::uint32_t(64 * w + k), sample, thr[l]))
              bw |= std::uint64_t(1) << k;
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

}  // namespace
}  // namespace snn::learning::poisson_linear_detail
