// Phase 2 of a block of steps: every spike of the block goes through its projections' CSR rows
// into the queue slots of the targets' arrival steps. Each lane writes only its own targets, in a
// fixed order (step, source, synapse), so sums are the same for any number of threads.
#pragma once

#include <cstdint>

#include "sim/core/prefetch.h"
#include "sim/events/procedural_delivery.h"
#include "sim/network_view.h"

namespace snn::sim::engine {

template <class T>
SNN_HD u64 lower_bound_in(const T* a, u64 b, u64 e, u32 x) {
  while (b < e) {
    u64 m = b + (e - b) / 2;
    if (a[m] < x)
      b = m + 1;
    else
      e = m;
  }
  return b;
}

/// Delivers n spikes (source ids) through one projection to the targets of one lane. kListed:
/// the lane's targets may need listing for their arrival step (else they are always active and
/// their sums are dense).
template <class T, bool kPerWeight, bool kPerDelay, bool kListed, bool kPlastic = false>
SNN_HD u64 deliver(const NetView& v, const ProjectionView& pv, const T* tg, const u32* src, u32 n,
                   int t, int lane) {
  const int tp = pv.target_pop;
  const u32 offset = v.pops[tp].offset;
  const u32 tlo = v.lo(tp, lane), thi = v.hi(tp, lane);
  const bool whole = tlo == 0 && thi == v.pops[tp].size;
  const u64* row_ptr = pv.row_ptr;
  const float* weights = pv.weights;
  const std::uint16_t* delays = pv.delays;
  const float weight = pv.weight;
  // A projection-wide delay: one slot for the whole call.
  const int at = t + pv.delay;
  const u64 base = v.q.slot_base(at);
  QueueEntry* in = v.q.entry + base + offset;
  float* in_inh = v.q.inh ? v.q.inh + base + offset : nullptr;  // used only where inh_bit is set
  const u32 inh_bit = pv.inh_bit;
  QueueEntry* ev = v.q.events_of(at, tp, lane);
  u32* count = v.q.count_of(at, tp, lane);
  u32 c = *count;
  u64 events = 0;
  // STDP reads each target's archived spikes: a scattered miss per synapse unless prefetched.
  const bool post_archive = kPlastic && pv.plastic.post.ring != nullptr;
  for (u32 i = 0; i < n; ++i) {
    const u32 s = src[i];
    u64 b = row_ptr[s], e = row_ptr[s + 1];
    if (!whole) {
      b = lower_bound_in(tg, b, e, tlo);
      e = lower_bound_in(tg, b, e, thi);
    }
    events += e - b;
    if (post_archive)
      for (u64 m = b; m < e && m < b + kPrefetchAhead; ++m) pv.plastic.post.prefetch(tg[m]);
    for (u64 m = b; m < e; ++m) {
      const u32 j = tg[m];
      if (post_archive && m + kPrefetchAhead < e) pv.plastic.post.prefetch(tg[m + kPrefetchAhead]);
      const float w = kPlastic     ? pv.plastic.on_spike(m, j, t, kPerDelay ? delays[m] : pv.delay)
                      : kPerWeight ? weights[m]
                                   : weight;
      const u32 key = receptor_key(j, w, inh_bit);
      if (kPerDelay) {
        v.q.add(t + delays[m], offset, tlo, thi - tlo, tp, lane, key, w);
      } else if (!kListed) {
        if (m + kPrefetchAhead < e) prefetch(in + tg[m + kPrefetchAhead]);
        if (key & kInhibitoryBit)
          in_inh[j] += w;
        else
          in[j].x += w;
      } else {
        // Dense sums are scattered over the slot: prefetch them; event lists are appended to.
        if ((c & kDenseSlot) && m + kPrefetchAhead < e) prefetch(in + tg[m + kPrefetchAhead]);
        v.q.add_at(base, ev, offset, tlo, thi - tlo, c, at, key, w);
      }
    }
  }
  if (!kPerDelay && kListed) *count = c;
  return events;
}

template <class T>
SNN_HD u64 deliver_any(const NetView& v, const ProjectionView& pv, const T* tg, const u32* src,
                       u32 n, int t, int lane) {
  if (pv.plastic.model)
    return pv.delays ? deliver<T, true, true, true, true>(v, pv, tg, src, n, t, lane)
                     : deliver<T, true, false, true, true>(v, pv, tg, src, n, t, lane);
  if (pv.weights)
    return pv.delays ? deliver<T, true, true, true>(v, pv, tg, src, n, t, lane)
                     : deliver<T, true, false, true>(v, pv, tg, src, n, t, lane);
  if (pv.delays) return deliver<T, false, true, true>(v, pv, tg, src, n, t, lane);
  return v.all_active[v.cell(pv.target_pop, lane)]
             ? deliver<T, false, false, false>(v, pv, tg, src, n, t, lane)
             : deliver<T, false, false, true>(v, pv, tg, src, n, t, lane);
}

/// Starts loading the CSR rows (target ids) of the spikes of one run, within a budget of cache
/// lines: in a large network every row is a miss, and rows fetched one after the other wait on
/// memory one after the other.
template <class T>
SNN_HD void prefetch_rows(const ProjectionView& pv, const T* tg, const u32* src, u32 n,
                          u32& budget) {
  constexpr u64 kPerLine = 64 / sizeof(T);
  for (u32 i = 0; i < n && budget > 0; ++i) {
    const u64 b = pv.row_ptr[src[i]], e = pv.row_ptr[src[i] + 1];
    for (u64 m = b; m < e && budget > 0; m += kPerLine, --budget) prefetch(tg + m);
  }
}

/// Phase 2 of a block, per lane: every spike of the block's steps, in step order, into the queue
/// slots of the lane's targets (all at least one block ahead: the block is the minimum delay; a
/// zero delay lands in the current step, whose later stages have not run yet).
/// With zero-delay projections (block 1, network.h) one call per stage delivers only the spikes of
/// the populations [p_lo, p_hi), some of them into the current step's slot.
struct DeliverBlock {
  NetView v;
  int t0, steps;
  int p_lo = 0, p_hi = 1 << 30;  ///< source populations (default: all)

  /// Calls f(b, pv, src, n) for every run of spikes (block step b) of the block that has targets in
  /// the lane.
  template <class F>
  SNN_HD void for_each_run(int lane, F&& f) const {
    for (int b = 0; b < steps; ++b) {
      for (int q = 0; q < v.n_proj; ++q) {
        const ProjectionView& pv = v.proj[q];
        const int sp = pv.source_pop;
        if (sp < p_lo || sp >= p_hi) continue;
        if (v.lo(pv.target_pop, lane) == v.hi(pv.target_pop, lane)) continue;
        if (v.pops[sp].generator) {
          const u64* slice = v.gen_slice + 2 * (static_cast<u64>(b) * v.n_pops + sp);
          const u32 n = static_cast<u32>(slice[1] - slice[0]);
          if (n) f(b, pv, v.gen_ids + slice[0], n);
        } else {
          for (int sl = 0; sl < v.lanes; ++sl) {
            const u32 n = *v.spike_count_at(b, v.cell(sp, sl));
            if (n) f(b, pv, v.spikes + v.spikes_at(b, sp, sl), n);
          }
        }
      }
    }
  }

  SNN_HD void operator()(u32 lane_u) const {
    const int lane = static_cast<int>(lane_u);
    u32 budget = kPrefetchBlock;
    for_each_run(lane, [&](int, const ProjectionView& pv, const u32* src, u32 n) {
      if (pv.proc.kind) return;  // no rows to load: they are drawn
      if (pv.t16)
        prefetch_rows(pv, pv.t16, src, n, budget);
      else
        prefetch_rows(pv, pv.t32, src, n, budget);
    });
    u64 events = 0;
    for_each_run(lane, [&](int b, const ProjectionView& pv, const u32* src, u32 n) {
      const int t = t0 + 1 + b;
      if (pv.proc.kind) {
        events += v.all_active[v.cell(pv.target_pop, lane)]
                      ? deliver_procedural<false>(v, pv, src, n, t, lane)
                      : deliver_procedural<true>(v, pv, src, n, t, lane);
        return;
      }
      events += pv.t16 ? deliver_any(v, pv, pv.t16, src, n, t, lane)
                       : deliver_any(v, pv, pv.t32, src, n, t, lane);
    });
    v.events[lane] += events;
  }
};

}  // namespace snn::sim::engine
