// Delivery through a procedural projection (projection.h): a spiking source's row is drawn again
// from its counters (random_rows.h), only the lane's targets are kept, in row order, with the
// weights and delays the stored form would hold. Nothing per synapse is read from memory.
#pragma once

#include <cstdint>

#include "sim/network_view.h"

namespace snn::sim::engine {

/// Delivers n spikes (source ids) through procedural projection pv to the targets of one lane.
/// kListed: the lane's targets may need listing for their arrival step (else they are always
/// active and their sums are dense).
template <bool kListed>
SNN_HD u64 deliver_procedural(const NetView& v, const ProjectionView& pv, const u32* src, u32 n,
                              int t, int lane) {
  const ProceduralView& pr = pv.proc;
  const int tp = pv.target_pop;
  const u32 offset = v.pops[tp].offset;
  const u32 tlo = v.lo(tp, lane), thi = v.hi(tp, lane);
  const bool per_weight = pr.weight.kind != Distribution::Constant;
  const bool per_delay = pr.delay.span != 0;
  // A projection-wide delay: one slot for the whole call.
  const int at = t + pv.delay;
  const u64 base = v.q.slot_base(at);
  QueueEntry* in = v.q.entry + base + offset;
  float* in_inh = v.q.inh ? v.q.inh + base + offset : nullptr;  // used only where inh_bit is set
  QueueEntry* ev = v.q.events_of(at, tp, lane);
  u32* count = v.q.count_of(at, tp, lane);
  u32 c = *count;
  u64 events = 0;
  auto emit = [&](u32 s, u32 j, u32 key) {
    const float w = per_weight ? pr.weight.weight(pr.rng, s, key) : pv.weight;
    ++events;
    const u32 rk = receptor_key(j, w, pv.inh_bit);
    if (per_delay)
      v.q.add(t + pr.delay.steps(pr.rng, s, key), offset, tlo, thi - tlo, tp, lane, rk, w);
    else if (!kListed && (rk & kInhibitoryBit))
      in_inh[j] += w;
    else if (!kListed)
      in[j].x += w;
    else
      v.q.add_at(base, ev, offset, tlo, thi - tlo, c, at, rk, w);
  };
  for (u32 i = 0; i < n; ++i) {
    const u32 s = src[i];
    if (pr.kind == ProceduralView::Walk) {
      // Weights keyed by (source, target): a pair has at most one synapse.
      pr.walk.for_each_target(s, tlo, thi, [&](u32 j) { emit(s, j, j); });
    } else {
      // Fixed out-degree: the whole row (sorted), keyed by (source, position).
      u32* seg = v.scratch + static_cast<u64>(lane) * v.scratch_stride;
      pr.degree.draw(s, seg);
      for (u32 m = 0; m < pr.degree.k; ++m)
        if (seg[m] >= tlo && seg[m] < thi) emit(s, seg[m], m);
    }
  }
  if (!per_delay && kListed) *count = c;
  return events;
}

}  // namespace snn::sim::engine
