// The summed input per target of one step's event list (see spike_queue.h), formed in a small
// open-addressing hash table that belongs to the lane: 2^14 slots (192 KiB), so it stays in the
// cache and, at most kMaxEvents events against 16,384 slots, probes rarely go past the first slot.
// Summing an event costs no scattered memory access, however many neurons the network has. Each
// target's sum is formed in event order, as in the dense form, so both give the same values.
// Events whose key carries kInhibitoryBit (receptors.h) are summed apart, in the slot's x_in.
#pragma once

#include <cstdint>

#include "sim/core/config.h"
#include "sim/events/spike_queue.h"

namespace snn::sim {

struct EventSums {
  struct Slot {
    std::uint32_t key;  ///< local neuron id, or kEmpty
    float x;            ///< its summed input (all of it, or the excitatory receptor's)
    float x_in;         ///< the inhibitory receptor's summed input (two-receptor models)
  };
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  static constexpr int kBits = 14;
  static constexpr std::uint32_t kCapacity = 1u << kBits;  ///< slots per lane (load <= 1/4)

  Slot* table;  ///< the lane's kCapacity slots, all empty between uses

  /// The lane's table at `table`.
  SNN_HD static EventSums at(Slot* table) { return EventSums{table}; }

  SNN_HD static std::uint32_t mask() { return kCapacity - 1; }
  SNN_HD static std::uint32_t home(std::uint32_t j) { return (j * 2654435761u) >> (32 - kBits); }

  /// Sums n events (x = weight, stamp = target) per target; writes the slot of each target, in
  /// the order of its first event, to `order`, and returns how many.
  SNN_HD std::uint32_t sum(const QueueEntry* events, std::uint32_t n, std::uint32_t* order) const {
    std::uint32_t listed = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t key = static_cast<std::uint32_t>(events[i].stamp);
      const std::uint32_t j = key & ~kInhibitoryBit;
      std::uint32_t s = home(j);
      while (table[s].key != kEmpty && table[s].key != j) s = (s + 1) & mask();
      if (table[s].key == kEmpty) {
        table[s] = Slot{j, 0.0f, 0.0f};  // as a dense sum, which starts at 0
        order[listed++] = s;
      }
      if (key & kInhibitoryBit)
        table[s].x_in += events[i].x;
      else
        table[s].x += events[i].x;
    }
    return listed;
  }

  /// Whether neuron j received an event (before take() empties its slot).
  SNN_HD bool contains(std::uint32_t j) const {
    for (std::uint32_t s = home(j);; s = (s + 1) & mask()) {
      if (table[s].key == j) return true;
      if (table[s].key == kEmpty) return false;
    }
  }

  /// The sums in slot s; empties the slot. Every slot sum() filled must be taken once.
  SNN_HD SynInput take(std::uint32_t s) const {
    table[s].key = kEmpty;
    return SynInput{table[s].x, table[s].x_in};
  }
};

}  // namespace snn::sim
