// The spike-event queue: a ring of delay slots. A spike emitted at step t through a synapse of
// delay d is an event for slot (t + d) mod slots, consumed at step t + d.
//
// Each slot holds, for every (population, lane) — a lane is a contiguous range of a population's
// neurons owned by one worker — the lane's input for the slot's step, in one of two forms:
//   event list  the events (weight, target) in arrival order, appended one after the other to the
//               lane's event region: min(lane size, kMaxEvents) entries per slot, whatever the
//               network's size. Writing them is sequential; the step that consumes them sums them
//               per target in a small per-lane table that stays in the cache (event_sums.h). This
//               is what a sparse network uses: an event then costs one scattered access (its
//               neuron), however large the network.
//   dense sums  the summed input and a stamp per neuron in the dense ring [slots][neurons], plus
//               the list of the neurons that received something. A lane switches to it when its
//               events for a step outnumber its event region (busy networks, where a neuron
//               receives several events a step). Lanes with always-active neurons (clock-driven
//               mode, dense Poisson drive, suprathreshold currents) use nothing else: their inputs
//               are added in place.
// The dense ring and the touched lists are zero-initialised storage that the CPU build takes from
// the kernel untouched (zeroed_buffer.h): only the pages that dense lanes write are ever backed by
// memory, so a sparse network's queue costs the event regions, not slots × neurons.
// Either way every entry is written by exactly one worker and sums are formed in event order
// (step, source, synapse), whatever the number of threads and whichever form: no atomics, and the
// same results.
// Populations with two receptors (receptors.h) get their inhibitory sums in a second dense ring of
// floats, `inh`, beside the entries (same indices; the entry's stamp lists the neuron for both); in
// event lists an inhibitory event's target id carries kInhibitoryBit.
#pragma once

#include <cstdint>

#include "sim/core/config.h"
#include "sim/events/receptors.h"

namespace snn::sim {

/// Per neuron, beside the summed input x, a stamp: the step whose touched list holds the neuron
/// (older steps, and 0 in untouched storage: not listed yet; steps start at 1); kAlwaysActive marks
/// neurons visited at every step anyway.
constexpr std::int32_t kAlwaysActive = 0x7fffffff;

/// A dense entry (x, stamp), or in an event list one event (x = weight, stamp = local target id).
struct QueueEntry {
  float x;             ///< summed input arriving at the slot's step, mV or pA
  std::int32_t stamp;  ///< see kAlwaysActive
};

/// The most events a lane's event list holds for one step before it turns into dense sums.
constexpr std::uint32_t kMaxEvents = 4096;

/// Flag in a lane's count word: the lane's share of the slot holds dense sums, and the count is
/// that of its touched list; without it the count is that of its event list.
constexpr std::uint32_t kDenseSlot = 0x80000000u;

struct SpikeQueueView {
  QueueEntry* entry;             ///< [slots][n_total]: dense sums (zeroed, touched on use)
  float* inh;                    ///< [slots][n_total]: inhibitory dense sums (zeroed), or null
                                 ///< when no population has two receptors
  QueueEntry* events;            ///< [slots][ev_total]: event lists, cell c's at ev_off[c]
  std::uint32_t* touched;        ///< [slots][n_total]: per (population, lane) region, local ids
  std::uint32_t* touched_count;  ///< [slots][pops][lanes]: count word, see kDenseSlot
  const std::uint32_t* ev_off;   ///< [pops][lanes]: a cell's event region within a slot
  std::uint32_t n_total;
  std::uint32_t ev_total;  ///< event entries per slot
  int slot_mask;           ///< slots - 1 (slots is a power of two)
  int pops, lanes;

  SNN_HD std::uint64_t slot_base(int step) const {
    return static_cast<std::uint64_t>(step & slot_mask) * n_total;
  }
  SNN_HD std::uint32_t* count_of(int step, int pop, int lane) const {
    return touched_count + ((step & slot_mask) * pops + pop) * lanes + lane;
  }
  /// The event region of (population, lane) in the slot of `step`.
  SNN_HD QueueEntry* events_of(int step, int pop, int lane) const {
    return events + static_cast<std::uint64_t>(step & slot_mask) * ev_total +
           ev_off[pop * lanes + lane];
  }

  /// How many events a lane of `size` neurons holds before its sums turn dense.
  SNN_HD static std::uint32_t event_capacity(std::uint32_t size) {
    return size < kMaxEvents ? size : kMaxEvents;
  }

  /// Adds an event of weight w for key j (local neuron id, with kInhibitoryBit for an inhibitory
  /// receptor; the population at `offset`, inside the lane [lo, lo + size)) arriving at `step`.
  SNN_HD void add(int step, std::uint32_t offset, std::uint32_t lo, std::uint32_t size, int pop,
                  int lane, std::uint32_t j, float w) const {
    add_at(slot_base(step), events_of(step, pop, lane), offset, lo, size,
           *count_of(step, pop, lane), step, j, w);
  }

  /// add() with the slot's base, the lane's event region and its count word given (a caller
  /// adding many events to one slot keeps the count in a register and stores it once).
  SNN_HD void add_at(std::uint64_t base, QueueEntry* ev, std::uint32_t offset, std::uint32_t lo,
                     std::uint32_t size, std::uint32_t& c, int step, std::uint32_t j,
                     float w) const {
    if (!(c & kDenseSlot)) {
      if (c < event_capacity(size)) {
        ev[c++] = QueueEntry{w, static_cast<std::int32_t>(j)};
        return;
      }
      make_dense(base, ev, offset, lo, c, step);
    }
    add_dense(base, offset, lo, c, step, j, w);
  }

  /// Adds w to the dense sum of key j's receptor, listing the neuron on its first input for the
  /// step.
  SNN_HD void add_dense(std::uint64_t base, std::uint32_t offset, std::uint32_t lo,
                        std::uint32_t& c, int step, std::uint32_t key, float w) const {
    const std::uint32_t j = key & ~kInhibitoryBit;
    QueueEntry& e = entry[base + offset + j];
    if (key & kInhibitoryBit)
      inh[base + offset + j] += w;
    else
      e.x += w;
    if (e.stamp < step) {
      e.stamp = step;
      touched[base + offset + lo + (c & ~kDenseSlot)] = j;
      ++c;
    }
  }

  /// Turns a lane's full event list into dense sums: its events are added again, in their order.
  /// The dense entries need no clearing: consuming a slot leaves every sum at 0 and every stamp
  /// older than the next use.
  SNN_HD void make_dense(std::uint64_t base, const QueueEntry* ev, std::uint32_t offset,
                         std::uint32_t lo, std::uint32_t& c, int step) const {
    const std::uint32_t n = c;
    c = kDenseSlot;
    for (std::uint32_t i = 0; i < n; ++i)
      add_dense(base, offset, lo, c, step, static_cast<std::uint32_t>(ev[i].stamp), ev[i].x);
  }
};

}  // namespace snn::sim
