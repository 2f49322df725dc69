// Zero-initialised device storage whose memory follows its use. On the CPU systems (Linux) it is
// an anonymous mapping: the kernel hands out zero pages and backs a page with memory only when it
// is first written, so a large array of which a run writes a few entries (the spike queue's dense
// ring in a sparse network, per-step spike lists) costs what is written, not its size. Elsewhere
// (CUDA) it is a device vector filled with zeros. Either way every entry reads 0 until written.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

#include "sim/core/device_vector.h"
#include "sim/core/huge_pages.h"

#if defined(__linux__) && !defined(SNN_SYSTEM_CUDA)
#include <sys/mman.h>
#define SNN_LAZY_ZERO_PAGES 1
#endif

namespace snn {

template <class T>
class ZeroedBuffer {
 public:
  ZeroedBuffer() = default;
  ZeroedBuffer(const ZeroedBuffer&) = delete;
  ZeroedBuffer& operator=(const ZeroedBuffer&) = delete;
  ~ZeroedBuffer() { release(); }

  /// n entries, all zero (the old content is dropped); `huge`: prefer 2 MiB pages (arrays read at
  /// random, huge_pages.h).
  void reset(std::size_t n, bool huge = false) {
    release();
    n_ = n;
#ifdef SNN_LAZY_ZERO_PAGES
    if (n == 0) return;
    void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      n_ = 0;
      throw std::bad_alloc();
    }
    data_ = static_cast<T*>(p);
    if (huge) prefer_huge_pages(data_, n * sizeof(T));
#else
    (void)huge;
    v_.assign(n, T{});
    data_ = raw(v_);
#endif
  }
  T* data() {
    return data_;
  }
  const T* data() const {
    return data_;
  }
  std::size_t size() const {
    return n_;
  }

 private:
  void release() {
#ifdef SNN_LAZY_ZERO_PAGES
    if (data_) munmap(data_, n_ * sizeof(T));
#else
    DeviceVector<T>().swap(v_);
#endif
    data_ = nullptr;
    n_ = 0;
  }
  T* data_ = nullptr;
  std::size_t n_ = 0;
#ifndef SNN_LAZY_ZERO_PAGES
  DeviceVector<T> v_;
#endif
};

}  // namespace snn
