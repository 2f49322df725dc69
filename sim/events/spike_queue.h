// The spike-event queue: a ring of delay slots, each holding the summed input of every neuron for
// one future step, and per slot the list of neurons that received something (so that a step
// visits only those). A spike emitted at step t through a synapse of delay d is added to slot
// (t + d) mod slots; the slot is read and cleared at step t + d.
//
// Layout: slot s, neuron n (global index) at entry[s·n_total + n], the summed input and the stamp
// side by side, so that an event to a neuron touches one cache line of the queue, not two. Lists are split by population
// and lane (a contiguous range of each population's neurons owned by one worker), so every entry
// is written by exactly one worker: sums per target are formed in a fixed order (step, source
// order, synapse order) whatever the number of threads, and need no atomics.
#pragma once

#include <cstdint>

#include "sim/core/config.h"

namespace snn::sim {

/// Per slot and neuron, beside the summed input x, a stamp: the step whose touched list holds the
/// neuron (older steps: not listed yet); kAlwaysActive marks neurons visited at every step anyway.
constexpr std::int32_t kAlwaysActive = 0x7fffffff;

struct QueueEntry {
  float x;             ///< summed input arriving at the slot's step, mV or pA
  std::int32_t stamp;  ///< see kAlwaysActive
};

struct SpikeQueueView {
  QueueEntry* entry;             ///< [slots][n_total]
  std::uint32_t* touched;        ///< [slots][n_total]: per (population, lane) region, local ids
  std::uint32_t* touched_count;  ///< [slots][pops][lanes]
  std::uint32_t n_total;
  int slot_mask;                 ///< slots - 1 (slots is a power of two)
  int pops, lanes;

  SNN_HD std::uint64_t slot_base(int step) const {
    return static_cast<std::uint64_t>(step & slot_mask) * n_total;
  }
  SNN_HD std::uint32_t* count_of(int step, int pop, int lane) const {
    return touched_count + ((step & slot_mask) * pops + pop) * lanes + lane;
  }

  /// Adds w to neuron j (local to the population at `offset`, inside `lane`, whose range starts at
  /// lane_lo) for arrival step `step`, and lists j for that step on its first input.
  SNN_HD void add(int step, std::uint32_t offset, std::uint32_t lane_lo, int pop, int lane,
                  std::uint32_t j, float w) const {
    const std::uint64_t base = slot_base(step), i = base + offset + j;
    QueueEntry& e = entry[i];
    e.x += w;
    if (e.stamp < step) {
      e.stamp = step;
      std::uint32_t* c = count_of(step, pop, lane);
      touched[base + offset + lane_lo + (*c)++] = j;
    }
  }
};

}  // namespace snn::sim
