// The spike queue's storage (spike_queue.h): the dense ring and touched lists (zeroed storage,
// backed by memory only where written), the event regions, the count words, and the per-lane
// tables that sum event lists. Owned by the network, read through SpikeQueueView.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/device_vector.h"
#include "sim/core/zeroed_buffer.h"
#include "sim/events/event_sums.h"
#include "sim/events/spike_queue.h"

namespace snn::sim {

/// Bytes of the queue: the event regions (slots × Σ min(lane, kMaxEvents)) and the rest, held;
/// the dense ring and touched lists, reserved (on the CPU only their written pages are memory).
struct QueueBytes {
  std::uint64_t events = 0, dense_reserved = 0, other = 0;
};

class SpikeQueueBuffers {
 public:
  /// `slots` (a power of two) slots over n_total neurons of `pops` populations in `lanes` lanes;
  /// per cell (population × lane): its size and whether its sums are always dense (lanes with
  /// always-active neurons: they get no event region); `always_active`: neuron ids (in the index
  /// space) that never enter touched lists; two_receptors: some population keeps inhibitory sums
  /// apart (receptors.h), which needs the second dense ring.
  void build(int slots, std::uint32_t n_total, int pops, int lanes,
             const std::vector<std::uint32_t>& cell_size, const std::vector<std::uint8_t>& dense,
             const std::vector<std::uint32_t>& always_active, bool two_receptors);

  SpikeQueueView view();
  EventSums::Slot* sums() { return raw(sums_); }
  std::uint32_t* order() { return raw(order_); }
  const std::uint8_t* dense_only() const { return raw(dense_only_); }
  /// The count words (read by the host to size a block's work).
  const DeviceVector<std::uint32_t>& counts() const { return touched_count_; }
  QueueBytes bytes() const;

 private:
  int slots_ = 1, pops_ = 0, lanes_ = 1;
  std::uint32_t n_total_ = 0, ev_total_ = 0;
  ZeroedBuffer<QueueEntry> ring_;
  ZeroedBuffer<float> inh_ring_;  ///< empty unless two_receptors
  ZeroedBuffer<std::uint32_t> touched_;
  DeviceVector<QueueEntry> events_;
  DeviceVector<std::uint32_t> ev_off_, touched_count_, order_;
  DeviceVector<std::uint8_t> dense_only_;
  DeviceVector<EventSums::Slot> sums_;
};

}  // namespace snn::sim
