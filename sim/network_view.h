// NetView: everything the step functors of a network read and write, as raw device pointers
// (trivially copyable, passed by value to every Thrust functor). Built by Network::Impl::view().
#pragma once

#include <cstdint>

#include "sim/events/event_sums.h"
#include "sim/events/spike_queue.h"
#include "sim/neurons/registry.h"
#include "sim/sources/poisson.h"
#include "sim/synapses/projection.h"

namespace snn::sim::engine {

using u8 = std::uint8_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i32 = std::int32_t;

/// A population as the functors see it.
struct PopView {
  u32 offset, size;
  int generator;      ///< spike generator: no state, its spikes come from gen_slice
  int record;         ///< spikes go to the record buffers
  int two_receptors;  ///< the model keeps excitatory and inhibitory input apart (receptors.h)
  AnyKernel kernel;
  PostArchiveView archive;  ///< the population's spikes for STDP (ring null: none)
};

/// Everything the step functors read and write, trivially copyable.
struct NetView {
  SpikeQueueView q;
  EventSums::Slot* sums;  ///< [lanes][EventSums::kCapacity]: per-lane tables, empty between uses
  u32* order;             ///< [lanes][kMaxEvents]: the table slots of a step's targets
  const PopView* pops;
  int n_pops, lanes;
  const u32* lane_lo;    ///< [pops][lanes + 1]: lane l owns [lane_lo[l], lane_lo[l+1])
  const u8* all_active;  ///< [pops][lanes]: every neuron visited at every step
  const u8* dense_only;  ///< [pops][lanes]: queue sums always dense (see spike_queue.h)
  const u32* perm;       ///< always-active neurons of the other cells, ...
  const u64* perm_ptr;   ///< ... cell c's at perm[perm_ptr[c] .. perm_ptr[c+1])
  u32* carry[2];         ///< neurons to evaluate next step (could fire), regions like neuron ids
  u32* carry_count[2];   ///< [pops][lanes]
  u32* spikes;          ///< [block step][n_total]: spikes, regions like neuron ids, sorted per cell
  u32* spike_count;     ///< [block step][pops][lanes]
  u64* spike_total;     ///< [pops][lanes]
  u32* rec_ids;         ///< recorded spikes per cell since the last flush: local id ...
  i32* rec_steps;       ///< ... and step
  const u64* rec_base;  ///< [pops][lanes]
  u32* rec_count;       ///< [pops][lanes]
  const PoissonView* poisson;
  int n_poisson;
  const ProjectionView* proj;
  int n_proj;
  u32* scratch;  ///< [lanes][scratch_stride]: procedural rows being drawn (fixed out-degree)
  u32 scratch_stride;
  const u32* gen_ids;    ///< generator spikes (node ids), sorted by step then node
  const u64* gen_slice;  ///< [block step][pops][2]: slice of gen_ids per generator population
  u64* events;           ///< [lanes]: synaptic events delivered
  const u32* vrec_ptr;   ///< [lanes + 1]: recorded voltages, grouped by the lane owning them: ...
  const u32* vrec_pop;   ///< ... population,
  const u32* vrec_id;    ///< ... neuron,
  const u32* vrec_col;   ///< ... column in a row
  float* vrows;          ///< [row][n_vrec]
  u32 n_vrec;

  SNN_HD u32 lo(int p, int lane) const { return lane_lo[p * (lanes + 1) + lane]; }
  SNN_HD u32 hi(int p, int lane) const { return lane_lo[p * (lanes + 1) + lane + 1]; }
  SNN_HD int cell(int p, int lane) const { return p * lanes + lane; }
  SNN_HD u64 spikes_at(int b, int p, int lane) const {
    return static_cast<u64>(b) * q.n_total + pops[p].offset + lo(p, lane);
  }
  SNN_HD u32* spike_count_at(int b, int c) const { return spike_count + b * n_pops * lanes + c; }
};

}  // namespace snn::sim::engine
