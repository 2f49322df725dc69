// The spike queue's storage: sizes, initial count words, always-active stamps.
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "sim/events/spike_queue_buffers.h"

namespace snn::sim {
namespace {

/// Marks neuron ids[i % n] always active in slot i / n.
struct StampAlwaysActive {
  QueueEntry* entry;
  const std::uint32_t* ids;
  std::uint64_t n;
  std::uint32_t n_total;
  SNN_HD void operator()(std::uint64_t i) const {
    entry[(i / n) * n_total + ids[i % n]].stamp = kAlwaysActive;
  }
};

}  // namespace

void SpikeQueueBuffers::build(int slots, std::uint32_t n_total, int pops, int lanes,
                              const std::vector<std::uint32_t>& cell_size,
                              const std::vector<std::uint8_t>& dense,
                              const std::vector<std::uint32_t>& always_active, bool two_receptors) {
  slots_ = slots;
  pops_ = pops;
  lanes_ = lanes;
  n_total_ = n_total;
  const std::size_t cells = static_cast<std::size_t>(pops) * lanes;
  std::vector<std::uint32_t> off(cells, 0), counts(cells * slots, 0);
  ev_total_ = 0;
  for (std::size_t c = 0; c < cells; ++c) {
    off[c] = ev_total_;
    if (!dense[c]) ev_total_ += SpikeQueueView::event_capacity(cell_size[c]);
    for (int s = 0; s < slots; ++s) counts[s * cells + c] = dense[c] ? kDenseSlot : 0;
  }
  ring_.reset(static_cast<std::size_t>(slots) * n_total, true);
  touched_.reset(static_cast<std::size_t>(slots) * n_total);
  inh_ring_.reset(two_receptors ? static_cast<std::size_t>(slots) * n_total : 0, true);
  events_.resize(static_cast<std::size_t>(slots) * ev_total_);
  ev_off_ = to_device(off);
  touched_count_ = to_device(counts);
  dense_only_ = to_device(dense);
  order_.resize(static_cast<std::size_t>(lanes) * kMaxEvents);
  sums_.assign(static_cast<std::size_t>(lanes) * EventSums::kCapacity,
               EventSums::Slot{EventSums::kEmpty, 0.0f, 0.0f});
  if (!always_active.empty()) {
    DeviceVector<std::uint32_t> ids = to_device(always_active);
    const std::uint64_t n = ids.size();
    thrust::for_each(exec(), thrust::counting_iterator<std::uint64_t>(0),
                     thrust::counting_iterator<std::uint64_t>(n * slots),
                     StampAlwaysActive{ring_.data(), raw(ids), n, n_total});
  }
}

SpikeQueueView SpikeQueueBuffers::view() {
  return SpikeQueueView{ring_.data(),
                        inh_ring_.size() ? inh_ring_.data() : nullptr,
                        raw(events_),
                        touched_.data(),
                        raw(touched_count_),
                        raw(ev_off_),
                        n_total_,
                        ev_total_,
                        slots_ - 1,
                        pops_,
                        lanes_};
}

QueueBytes SpikeQueueBuffers::bytes() const {
  QueueBytes b;
  b.events = events_.size() * sizeof(QueueEntry);
  b.dense_reserved =
      ring_.size() * sizeof(QueueEntry) + inh_ring_.size() * sizeof(float) + touched_.size() * 4;
  b.other = ev_off_.size() * 4 + touched_count_.size() * 4 + order_.size() * 4 +
            dense_only_.size() + sums_.size() * sizeof(EventSums::Slot);
  return b;
}

}  // namespace snn::sim
