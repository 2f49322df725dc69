// prefetch(p): asks the CPU to start loading the cache line of p, for loops that visit scattered
// neurons (event targets, touched lists) whose indices are known a few iterations ahead. Once the
// state of a large population outgrows the caches, those loops wait on memory, not arithmetic;
// overlapping the misses keeps their cost per event flat as the network grows. No-op on the GPU.
#pragma once

#include "sim/core/config.h"

namespace snn {

/// How many iterations ahead the scattered loops prefetch.
constexpr unsigned kPrefetchAhead = 8;
/// At most how many neurons of a block's event lists are prefetched before its first step
/// (as many cache lines as fit in a core's L2 with room to spare).
constexpr unsigned kPrefetchBlock = 4096;

SNN_HD inline void prefetch(const void* p) {
#if !defined(__CUDA_ARCH__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_prefetch(p, 1, 3);
#else
  (void)p;
#endif
}

}  // namespace snn
