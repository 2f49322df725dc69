// Phase 1 of a block of steps: per lane, the sources, then only the active neurons of every
// population (those listed by the queue for this step, those carried over because they could fire
// without input, the always-active ones), then the recorded voltages.
#pragma once

#include <cstdint>

#include "sim/core/prefetch.h"
#include "sim/core/simd.h"
#include "sim/events/event_sums.h"
#include "sim/network_view.h"
#include "sim/sources/poisson_input.h"

namespace snn::sim::engine {

/// Takes neuron j's input from the dense sums (in[j].x, and in_inh[j] for a two-receptor
/// population, else null), leaving them at 0 for the slot's next use.
SNN_HD inline SynInput take_dense(QueueEntry* in, float* in_inh, u32 j) {
  SynInput x{in[j].x, 0.0f};
  in[j].x = 0.0f;
  if (in_inh) {
    x.in = in_inh[j];
    in_inh[j] = 0.0f;
  }
  return x;
}

/// A lane's input for step t in dense form: sums in the ring slot, the listed neurons.
struct DenseInput {
  QueueEntry* in;  ///< the slot's entries of the population
  float* in_inh;   ///< the slot's inhibitory sums of a two-receptor population, or null
  const u32* list;
  int t;
  SNN_HD bool received(u32 j) const { return in[j].stamp == t; }
  SNN_HD u32 id(u32 i) const { return list[i]; }
  SNN_HD SynInput take(u32 i) const { return take_dense(in, in_inh, list[i]); }
  SNN_HD void prefetch(u32 i) const { snn::prefetch(in + list[i]); }
};

/// A lane's input for step t summed from its event list: `order` holds table slots.
struct EventInput {
  EventSums sums;
  const u32* order;
  SNN_HD bool received(u32 j) const { return sums.contains(j); }
  SNN_HD u32 id(u32 i) const { return sums.table[order[i]].key; }
  SNN_HD SynInput take(u32 i) const { return sums.take(order[i]); }
  SNN_HD void prefetch(u32) const {}
};

/// Updates the active neurons of population p in one lane at step t (visitor over the model).
struct UpdateCell {
  const NetView& v;
  int p, lane, t, b, parity;

  /// The carried-over neurons that received no input, then the nl neurons that did.
  template <class K, class Input>
  SNN_HD void step_listed(const K& k, const Input& input, u32 nl, u32* spk, u32& ns,
                          u32& nout) const {
    const u32 lo = v.lo(p, lane);
    const int c = v.cell(p, lane);
    // Neurons that could fire without input (current synapses), unless input lists them too.
    const u32* cin = v.carry[parity] + v.pops[p].offset + lo;
    u32* cin_n = v.carry_count[parity] + c;
    u32* cout = v.carry[1 - parity] + v.pops[p].offset + lo;
    for (u32 i = 0; i < *cin_n; ++i) {
      const u32 j = cin[i];
      if (input.received(j)) continue;
      const StepOutcome r = step_with(k, j, t, SynInput{});
      if (r.spiked) spk[ns++] = j;
      if (r.keep_active) cout[nout++] = j;
    }
    *cin_n = 0;
    for (u32 i = 0; i < nl; ++i) {
      if (i + kPrefetchAhead < nl) {
        input.prefetch(i + kPrefetchAhead);
        k.prefetch(input.id(i + kPrefetchAhead));
      }
      const u32 j = input.id(i);
      const StepOutcome r = step_with(k, j, t, input.take(i));
      if (r.spiked) spk[ns++] = j;
      if (r.keep_active) cout[nout++] = j;
    }
  }

  template <class K>
  SNN_HD void operator()(const K& kernel) const {
    const K k = kernel;  // a local copy: stores to the state cannot alias its fields
    const PopView& pop = v.pops[p];
    const u32 lo = v.lo(p, lane), hi = v.hi(p, lane);
    if (lo == hi) return;
    const int c = v.cell(p, lane);
    QueueEntry* in = v.q.entry + v.q.slot_base(t) + pop.offset;
    float* in_inh = pop.two_receptors ? v.q.inh + v.q.slot_base(t) + pop.offset : nullptr;
    u32* spk = v.spikes + v.spikes_at(b, p, lane);
    u32 ns = 0;
    if (v.all_active[c]) {
      for (u32 j = lo; j < hi; ++j)
        if (step_with(k, j, t, take_dense(in, in_inh, j)).spiked) spk[ns++] = j;
    } else {
      for (u64 i = v.perm_ptr[c]; i < v.perm_ptr[c + 1]; ++i) {
        // Only dense-only lanes have always-active neurons: their input is in the ring.
        u32 j = v.perm[i];
        if (step_with(k, j, t, take_dense(in, in_inh, j)).spiked) spk[ns++] = j;
      }
      u32* count = v.q.count_of(t, p, lane);
      u32* list = v.q.touched + v.q.slot_base(t) + pop.offset + lo;
      u32 nout = 0;
      if (*count & kDenseSlot) {
        step_listed(k, DenseInput{in, in_inh, list, t}, *count & ~kDenseSlot, spk, ns, nout);
      } else {
        const EventSums sums = EventSums::at(v.sums + lane * EventSums::kCapacity);
        u32* order = v.order + static_cast<u64>(lane) * kMaxEvents;
        const u32 nl = sums.sum(v.q.events_of(t, p, lane), *count, order);
        step_listed(k, EventInput{sums, order}, nl, spk, ns, nout);
      }
      *count = v.dense_only[c] ? kDenseSlot : 0u;
      v.carry_count[1 - parity][c] = nout;
      // Delivery sums in spike order: make it the order of neuron ids, whatever the visit order.
      sort_in_place(spk, ns);
    }
    if (pop.archive.ring)
      for (u32 i = 0; i < ns; ++i) pop.archive.record(spk[i], t);
    *v.spike_count_at(b, c) = ns;
    v.spike_total[c] += ns;
    if (pop.record && ns) {
      u32 n0 = v.rec_count[c];
      u32* ids = v.rec_ids + v.rec_base[c] + n0;
      i32* steps = v.rec_steps + v.rec_base[c] + n0;
      for (u32 i = 0; i < ns; ++i) {
        ids[i] = spk[i];
        steps[i] = t;
      }
      v.rec_count[c] = n0 + ns;
    }
  }
};

/// Starts loading the neurons that the event lists of a block's steps will update, for one
/// population and lane, before the block's first step. In a large sparse network each of them is
/// a miss in the caches (a neuron gets an event now and then), and a step has too few events for
/// the prefetches inside its own list to run ahead of memory: issued together, up to
/// kPrefetchBlock of them are in flight at once and the steps then find them in the cache.
struct PrefetchBlockEvents {
  const NetView& v;
  int p, lane, t0, steps;  ///< steps t0 + 1 .. t0 + steps

  template <class K>
  SNN_HD void operator()(const K& k) const {
    const int c = v.cell(p, lane);
    if (v.dense_only[c]) return;  // all-active lanes are dense-only too
    u32 budget = kPrefetchBlock;
    for (int b = 0; b < steps && budget > 0; ++b) {
      const int t = t0 + 1 + b;
      const u32 n = *v.q.count_of(t, p, lane);
      if (n & kDenseSlot) continue;
      const QueueEntry* events = v.q.events_of(t, p, lane);
      for (u32 i = 0; i < n && budget > 0; ++i, --budget)
        k.prefetch(static_cast<u32>(events[i].stamp) & ~kInhibitoryBit);
    }
  }
};

/// Reads one neuron's membrane potential (visitor over the model).
struct ReadVoltage {
  u32 j;
  int t;
  float v;
  template <class K>
  SNN_HD void operator()(const K& k) {
    v = k.voltage(j, t);
  }
};

/// Phase 1 of a block, per lane: for each step, sources, then every population's active neurons,
/// then the lane's recorded voltages. No lane reads another's data until the block ends.
/// With zero-delay projections a step runs in stages (network.h): one call per stage updates only
/// the populations [p_lo, p_hi); the first stage applies the sources, the last records voltages.
struct UpdateBlock {
  NetView v;
  int t0, steps;                 ///< steps t0 + 1 .. t0 + steps
  u32 row0;                      ///< voltage row of the first step
  int p_lo = 0, p_hi = 1 << 30;  ///< the stage's populations (default: all)
  bool sources = true, record = true;
  SNN_HD void operator()(u32 lane_u) const {
    const int lane = static_cast<int>(lane_u);
    const int p_end = p_hi < v.n_pops ? p_hi : v.n_pops;
    for (int p = p_lo; p < p_end; ++p) {
      if (v.pops[p].generator) continue;
      PrefetchBlockEvents f{v, p, lane, t0, steps};
      visit_kernel(v.pops[p].kernel, f);
    }
    for (int b = 0; b < steps; ++b) {
      const int t = t0 + 1 + b;
      if (sources)
        for (int s = 0; s < v.n_poisson; ++s) apply_poisson(v, v.poisson[s], lane, t);
      for (int p = p_lo; p < p_end; ++p) {
        if (v.pops[p].generator) continue;
        UpdateCell u{v, p, lane, t, b, t & 1};
        visit_kernel(v.pops[p].kernel, u);
      }
      if (!record || !v.vrows)
        continue;  // the last stage records; run() without a recorder keeps none
      float* row = v.vrows + static_cast<u64>(row0 + b) * v.n_vrec;
      for (u32 i = v.vrec_ptr[lane]; i < v.vrec_ptr[lane + 1]; ++i) {
        ReadVoltage r{v.vrec_id[i], t, 0.0f};
        visit_kernel(v.pops[v.vrec_pop[i]].kernel, r);
        row[v.vrec_col[i]] = r.v;
      }
    }
  }
};

/// Membrane potential of neuron i of one population at step t (tests).
struct VoltageOf {
  const PopView* pop;
  float* out;
  int t;
  SNN_HD void operator()(u32 i) const {
    ReadVoltage r{i, t, 0.0f};
    visit_kernel(pop->kernel, r);
    out[i] = r.v;
  }
};

}  // namespace snn::sim::engine
