// The rows of the random connectivity rules, as pure functions of (seed, projection, source):
// the stored build (projection.cu) writes them into its CSR, a procedural projection regenerates
// a row whenever its source spikes (sim/events/procedural_delivery.h). Both call these functions,
// so a procedural projection is the same network as the stored one for the same seed.
//
// Counter words (a, b, c, purpose) of each kind of draw, so no two kinds share numbers:
//   kPick    (owner, pair of picks, redraw attempt)  fixed in/out-degree partners
//   kWalk    (source, four gaps, chunk)              fixed probability: geometric gaps
//   kWeight  (key a, key b, 0)                       a weight per synapse
//   kDelay   (key a, key b, 0)                       a delay per synapse
//   kSplit   (node lo, node hi, draw)                fixed total number: counts per target
//                                                    (total_number_split.h)
// Weights and delays are keyed by (source, target) where a pair has at most one synapse
// (fixed_probability, all_to_all, one_to_one), by (source, position in the row) for fixed
// out-degree and lists, and by (target, pick) for fixed in-degree and fixed total number: never by
// a global synapse index, which would depend on the rows of every other source (and on a split over
// processes).
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/core/config.h"
#include "sim/core/random_dist.h"
#include "sim/core/rng.h"
#include "sim/core/simd.h"
#include "sim/synapses/connectivity.h"

namespace snn::sim::rows {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

constexpr u32 kPick = 0, kWalk = 1, kWeight = 2, kDelay = 3, kSplit = 4;

/// A weight or delay drawn per synapse (trivially copyable: a Distribution's kind and bounds).
struct ValueDraw {
  int kind;     ///< Distribution::Kind of the weight
  double a, b;  ///< its parameters
  SNN_HD float weight(const CounterRng& rng, u32 ka, u32 kb) const {
    if (kind == Distribution::Constant) return static_cast<float>(a);
    Random4 r = rng.draw(ka, kb, 0, kWeight);
    double v = kind == Distribution::Uniform ? a + (b - a) * uniform01_double(r.w[0], r.w[1])
                                             : a + b * standard_normal(r);
    return static_cast<float>(v);
  }
};

/// A delay in steps, uniform over [lo, lo + span) (span 0: the constant lo).
struct DelayDraw {
  u32 lo, span;
  SNN_HD std::uint16_t steps(const CounterRng& rng, u32 ka, u32 kb) const {
    if (span == 0) return static_cast<std::uint16_t>(lo);
    Random4 r = rng.draw(ka, kb, 0, kDelay);
    return static_cast<std::uint16_t>(lo + uniform_index(r.w[0], r.w[1], span));
  }
};

/// `k` partners of neuron `self` drawn uniformly from n (excluding self when skip_self), written
/// to seg, sorted when `sorted` (rows of targets); with `unique`, repeated partners are redrawn
/// until all differ.
struct DegreeRow {
  CounterRng rng;
  u32 n, k;
  bool skip_self, unique, sorted;

  SNN_HD u32 pick(Random4 r, int half, u32 self) const {
    u32 m = skip_self ? n - 1 : n;
    u32 s = half ? uniform_index(r.w[2], r.w[3], m) : uniform_index(r.w[0], r.w[1], m);
    return (skip_self && s >= self) ? s + 1 : s;
  }
  SNN_HD void draw(u32 self, u32* seg) const {
    for (u32 q = 0; q < k; q += 2) {
      Random4 r = rng.draw(self, q >> 1, 0, kPick);
      seg[q] = pick(r, 0, self);
      if (q + 1 < k) seg[q + 1] = pick(r, 1, self);
    }
    if (!unique) {
      if (sorted) sort_in_place(seg, k);
      return;
    }
    for (u32 attempt = 1;; ++attempt) {
      sort_in_place(seg, k);
      bool repeated = false;
      for (u32 q = 1; q < k; ++q) {
        if (seg[q] != seg[q - 1]) continue;
        repeated = true;
        seg[q] = pick(rng.draw(self, q, attempt, kPick), 0, self);
      }
      if (!repeated) return;
    }
  }
};

/// Fixed probability: each (source, target) pair independently with probability p, drawn as a
/// walk with geometric gaps over chunks of 2^chunk_bits targets, each chunk from its own counters:
/// a worker that owns a range of targets walks only the chunks that overlap it, and the rows do
/// not depend on how targets are split. A gap is floor(log(u) / log(1 - p)) in single precision
/// from a 32-bit uniform u (four gaps per Philox draw): this walk is what a procedural projection
/// redoes for every synapse of every spike, and float's log costs half of double's. u >= 2^-33
/// truncates gaps beyond 23 / p, an event of probability (1 - p)^(23/p) < 1.1e-10 per gap.
struct BernoulliRow {
  CounterRng rng;
  u32 n_target;
  double p;
  float inv_log_q;  ///< 1 / log(1 - p)
  u32 chunk_bits;
  bool skip_self;

  /// Chunk size: at least 4096 targets and about 32 expected synapses, so the walk's one extra
  /// draw per chunk stays small. A function of (p) alone.
  static u32 chunk_bits_for(double p) {
    u32 bits = 12;
    while (bits < 31 && p > 0 && p * static_cast<double>(1u << bits) < 32.0) ++bits;
    return bits;
  }
  static BernoulliRow make(const CounterRng& rng, u32 n_target, double p, bool skip_self) {
    const float inv = p > 0 && p < 1.0 ? static_cast<float>(1.0 / std::log1p(-p)) : 0.0f;
    return BernoulliRow{rng, n_target, p, inv, chunk_bits_for(p), skip_self};
  }

  /// Calls f(j) for the row's targets j in [lo, hi), in increasing order.
  template <class F>
  SNN_HD void for_each_target(u32 s, u32 lo, u32 hi, F&& f) const {
    if (hi > n_target) hi = n_target;
    if (lo >= hi || !(p > 0.0)) return;
    const u32 c_end =
        static_cast<u32>((static_cast<u64>(hi) + (1ull << chunk_bits) - 1) >> chunk_bits);
    for (u32 chunk = lo >> chunk_bits; chunk < c_end; ++chunk) {
      const u64 c_lo = static_cast<u64>(chunk) << chunk_bits;
      u64 c_hi = c_lo + (1ull << chunk_bits);
      if (c_hi > n_target) c_hi = n_target;
      if (p >= 1.0) {
        for (u64 j = c_lo > lo ? c_lo : lo; j < c_hi && j < hi; ++j)
          if (!(skip_self && j == s)) f(static_cast<u32>(j));
        continue;
      }
      const float n_c = static_cast<float>(c_hi - c_lo);
      const u64 end = c_hi < hi ? c_hi : hi;
      u64 j = c_lo;  // the next candidate
      Random4 r{};
      for (u32 i = 0;; ++i) {
        if ((i & 3) == 0) r = rng.draw(s, i >> 2, chunk, kWalk);
        const float u = (static_cast<float>(r.w[i & 3]) + 0.5f) * 2.3283064365386963e-10f;
        const float gap = ::floorf(::logf(u) * inv_log_q);
        if (!(gap < n_c)) break;
        j += static_cast<u64>(gap);
        if (j >= end) break;
        if (j >= lo && !(skip_self && j == s)) f(static_cast<u32>(j));
        ++j;
      }
    }
  }
};

}  // namespace snn::sim::rows
