// Poisson input of the step: each source's counts for the targets one lane owns, added to the
// queue slot of their arrival step (dense sources: drawn per target by inversion, in vectorised
// batches; sparse sources: only the targets that receive events). A negative weight onto a
// two-receptor population goes to the inhibitory receptor (receptors.h).
#pragma once

#include <cstdint>

#include "sim/core/rng.h"
#include "sim/core/simd.h"
#include "sim/network_view.h"

namespace snn::sim::engine {

/// Dense Poisson counts for the targets of groups [g_lo, g_hi) (4 targets per group, one Philox
/// call each) by inversion: count = #{k : u >= threshold_k}. Written in batches so that the host
/// compiler vectorises the Philox rounds and the comparisons; thresholds above the batch's largest
/// word are skipped. add(r, x) adds x to target r's sum.
template <class Add>
SNN_HD void dense_poisson_groups(const PoissonView& s, const Add& add, u32 ut, u32 g_lo, u32 g_hi) {
  constexpr u32 kBatch = 16;
  const u32* thr = s.thresholds;
  const int n_thr = s.n_thresholds;
  const float w = s.weight;
  const CounterRng rng = s.rng;
  for (u32 g = g_lo; g < g_hi; g += kBatch) {
    u32 words[4 * kBatch];
    SNN_SIMD
    for (u32 i = 0; i < kBatch; ++i) {
      Random4 R = rng.draw(ut, g + i, 0, 0);
      words[i] = R.w[0];
      words[kBatch + i] = R.w[1];
      words[2 * kBatch + i] = R.w[2];
      words[3 * kBatch + i] = R.w[3];
    }
    u32 top = 0;
    for (u32 i = 0; i < 4 * kBatch; ++i) top = words[i] > top ? words[i] : top;
    u32 count[4 * kBatch];
    for (u32 i = 0; i < 4 * kBatch; ++i) count[i] = 0;
    for (int k = 0; k < n_thr && thr[k] <= top; ++k) {
      const u32 th = thr[k];
      SNN_SIMD
      for (u32 i = 0; i < 4 * kBatch; ++i) count[i] += words[i] >= th ? 1u : 0u;
    }
    const u32 n = g_hi - g < kBatch ? g_hi - g : kBatch;
    for (u32 i = 0; i < n; ++i)
      for (u32 q = 0; q < 4; ++q) {
        const u32 c = count[q * kBatch + i];
        if (c) add(4 * (g + i) + q, w * static_cast<float>(c));
      }
  }
}

/// Poisson input of one source into the targets one lane owns, for step t.
SNN_HD inline void apply_poisson(const NetView& v, const PoissonView& s, int lane, int t) {
  const PopView& pop = v.pops[s.pop];
  u32 lo = v.lo(s.pop, lane), hi = v.hi(s.pop, lane);
  u32 a = lo > s.first ? lo : s.first;
  u32 b = hi < s.first + s.count ? hi : s.first + s.count;
  if (a >= b) return;
  const u32 r0 = a - s.first, r1 = b - s.first;
  const int at = t + s.delay;
  const u32 ut = static_cast<u32>(t);
  const bool to_inh = pop.two_receptors && s.weight < 0.0f;
  if (s.dense) {
    // Targets of dense sources are always active: add to their sums directly.
    const u64 at_first = v.q.slot_base(at) + pop.offset + s.first;
    QueueEntry* in = v.q.entry + at_first;
    float* in_inh = to_inh ? v.q.inh + at_first : nullptr;
    auto add = [&](u32 r, float x) {
      if (in_inh)
        in_inh[r] += x;
      else
        in[r].x += x;
    };
    const u32 g_lo = (r0 + 3) >> 2, g_hi = r1 >> 2;  // groups of 4 wholly in [r0, r1)
    auto one = [&](u32 r) {
      Random4 R = s.rng.draw(ut, r >> 2, 0, 0);
      u32 c = s.dense_count(R.w[r & 3], t, r);
      if (c) add(r, s.weight * static_cast<float>(c));
    };
    if (g_lo >= g_hi || !s.thresholds) {
      for (u32 r = r0; r < r1; ++r) one(r);
      return;
    }
    for (u32 r = r0; r < 4 * g_lo; ++r) one(r);
    dense_poisson_groups(s, add, ut, g_lo, g_hi);
    for (u32 r = 4 * g_hi; r < r1; ++r) one(r);
    return;
  }
  const u32 inh_bit = to_inh ? kInhibitoryBit : 0u;
  const u32 B = PoissonView::kBlock;
  for (u32 blk = r0 / B; blk <= (r1 - 1) / B; ++blk) {
    u32 nb = s.count - blk * B < B ? s.count - blk * B : B;
    u32 m = poisson_count(s.lambda * nb, s.rng, ut, blk, 2);
    for (u32 e = 0; e < m; e += 2) {
      Random4 R = s.rng.draw(ut, blk, 3, e >> 1);
      for (u32 h = 0; h < 2 && e + h < m; ++h) {
        u32 r = blk * B + uniform_index(R.w[2 * h], R.w[2 * h + 1], nb);
        if (r >= r0 && r < r1)
          v.q.add(at, pop.offset, lo, hi - lo, s.pop, lane, (s.first + r) | inh_bit, s.weight);
      }
    }
  }
}

}  // namespace snn::sim::engine
