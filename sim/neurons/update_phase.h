// Phase 1 of a block of steps: per lane, the sources, then only the active neurons of every
// population (those listed by the queue for this step, those carried over because they could fire
// without input, the always-active ones), then the recorded voltages.
#pragma once

#include <cstdint>

#include "sim/core/prefetch.h"
#include "sim/core/simd.h"
#include "sim/network_view.h"
#include "sim/sources/poisson_input.h"

namespace snn::sim::engine {

/// Updates the active neurons of population p in one lane at step t (visitor over the model).
struct UpdateCell {
  const NetView& v;
  int p, lane, t, b, parity;

  template <class K>
  SNN_HD void operator()(const K& kernel) const {
    const K k = kernel;  // a local copy: stores to the state cannot alias its fields
    const PopView& pop = v.pops[p];
    const u32 lo = v.lo(p, lane), hi = v.hi(p, lane);
    if (lo == hi) return;
    const int c = v.cell(p, lane);
    QueueEntry* in = v.q.entry + v.q.slot_base(t) + pop.offset;
    u32* spk = v.spikes + v.spikes_at(b, p, lane);
    u32 ns = 0;
    if (v.all_active[c]) {
      for (u32 j = lo; j < hi; ++j) {
        float x = in[j].x;
        in[j].x = 0.0f;
        if (k.step(j, t, x).spiked) spk[ns++] = j;
      }
    } else {
      for (u64 i = v.perm_ptr[c]; i < v.perm_ptr[c + 1]; ++i) {
        u32 j = v.perm[i];
        float x = in[j].x;
        in[j].x = 0.0f;
        if (k.step(j, t, x).spiked) spk[ns++] = j;
      }
      // Neurons that could fire without input (current synapses), unless input lists them too.
      u32* cin = v.carry[parity] + pop.offset + lo;
      u32* cin_n = v.carry_count[parity] + c;
      u32* cout = v.carry[1 - parity] + pop.offset + lo;
      u32 nout = 0;
      for (u32 i = 0; i < *cin_n; ++i) {
        u32 j = cin[i];
        if (in[j].stamp == t) continue;
        StepOutcome r = k.step(j, t, 0.0f);
        if (r.spiked) spk[ns++] = j;
        if (r.keep_active) cout[nout++] = j;
      }
      *cin_n = 0;
      // Neurons that received input for step t.
      const u32* list = v.q.touched + v.q.slot_base(t) + pop.offset + lo;
      u32* n_list = v.q.count_of(t, p, lane);
      const u32 nl = *n_list;
      for (u32 i = 0; i < nl; ++i) {
        if (i + kPrefetchAhead < nl) {
          const u32 ahead = list[i + kPrefetchAhead];
          prefetch(in + ahead);
          k.prefetch(ahead);
        }
        u32 j = list[i];
        float x = in[j].x;
        in[j].x = 0.0f;
        StepOutcome r = k.step(j, t, x);
        if (r.spiked) spk[ns++] = j;
        if (r.keep_active) cout[nout++] = j;
      }
      *n_list = 0;
      v.carry_count[1 - parity][c] = nout;
      // Delivery sums in spike order: make it the order of neuron ids, whatever the visit order.
      sort_in_place(spk, ns);
    }
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
struct UpdateBlock {
  NetView v;
  int t0, steps;  ///< steps t0 + 1 .. t0 + steps
  u32 row0;       ///< voltage row of the first step
  SNN_HD void operator()(u32 lane_u) const {
    const int lane = static_cast<int>(lane_u);
    for (int b = 0; b < steps; ++b) {
      const int t = t0 + 1 + b;
      for (int s = 0; s < v.n_poisson; ++s) apply_poisson(v, v.poisson[s], lane, t);
      for (int p = 0; p < v.n_pops; ++p) {
        if (v.pops[p].generator) continue;
        UpdateCell u{v, p, lane, t, b, t & 1};
        visit_kernel(v.pops[p].kernel, u);
      }
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
