// Small helpers for loops inside functors: SNN_SIMD before a loop asks the host compiler to
// vectorise it (OpenMP simd; device code ignores it), for loops whose iterations are independent
// by construction; sort_in_place sorts a short range inside a functor.
#pragma once

#if defined(__CUDA_ARCH__) || !defined(_OPENMP)
#define SNN_SIMD
#else
#define SNN_SIMD _Pragma("omp simd")
#endif

#include "sim/core/config.h"

namespace snn {

/// Sorts a[0..n) ascending in place, in a functor on any device system: insertion sort for short
/// ranges, heapsort beyond (no recursion, no allocation).
template <class T>
SNN_HD void sort_in_place(T* a, unsigned long long n) {
  if (n < 2) return;
  if (n <= 32) {
    for (unsigned long long i = 1; i < n; ++i) {
      T x = a[i];
      unsigned long long k = i;
      for (; k > 0 && x < a[k - 1]; --k) a[k] = a[k - 1];
      a[k] = x;
    }
    return;
  }
  auto sift = [a](unsigned long long root, unsigned long long end) {
    for (;;) {
      unsigned long long child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && a[child] < a[child + 1]) ++child;
      if (!(a[root] < a[child])) return;
      T t = a[root];
      a[root] = a[child];
      a[child] = t;
      root = child;
    }
  };
  for (unsigned long long i = n / 2; i-- > 0;) sift(i, n);
  for (unsigned long long end = n - 1; end > 0; --end) {
    T t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift(0, end);
  }
}

}  // namespace snn
