// Large device vectors read at random (the spike queue, the neuron state of a large network) are
// backed by 2 MiB pages where Linux allows it. Such arrays are read one entry per event; with 4 KiB
// pages nearly every read also misses the TLB, and the cost per event grows with the network
// instead of with the activity. Transparent huge pages are often in "madvise" mode, so the program
// asks, before the first touch (advising pages already touched would need a copy). It is a hint:
// errors are ignored. No effect on device (CUDA) memory or off Linux.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/core/device_vector.h"

#if defined(__linux__) && !defined(SNN_SYSTEM_CUDA)
#include <sys/mman.h>
#define SNN_HUGE_PAGES 1
#endif

namespace snn {

/// madvise(MADV_HUGEPAGE) on the whole 2 MiB pages inside [data, data + bytes).
inline void prefer_huge_pages(const void* data, std::size_t bytes) {
#ifdef SNN_HUGE_PAGES
  constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

/// A device vector holding `values`, its storage advised for huge pages before it is written.
template <class T>
DeviceVector<T> huge_page_vector(const std::vector<T>& values) {
  DeviceVector<T> v;
  v.reserve(values.size());
  if (values.empty()) return v;  // thrust's copy of an empty std::vector binds *nullptr (UBSan)
  prefer_huge_pages(raw(v), values.size() * sizeof(T));
  v.assign(values.begin(), values.end());
  return v;
}

/// Resizes `v` to n copies of `value`, its new storage advised for huge pages before it is written.
template <class T>
void resize_on_huge_pages(DeviceVector<T>& v, std::size_t n, const T& value = T()) {
  DeviceVector<T>().swap(v);
  v.reserve(n);
  prefer_huge_pages(raw(v), n * sizeof(T));
  v.resize(n, value);
}

}  // namespace snn
