// for_each_index(n, f): f(i) for i in [0, n) on the device system (OpenMP threads or CUDA threads).
// The conv/pool/norm kernels hand it a functor that does one row of work per index, so CPU threads
// get long contiguous loops and the GPU still sees thousands of independent items.
#pragma once

#include <cstdint>

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "sim/core/config.h"

namespace snn::learning {

template <class F>
void for_each_index(std::int64_t n, const F& f) {
  if (n <= 0) return;
  thrust::for_each_n(exec(), thrust::counting_iterator<std::int64_t>(0), n, f);
}

/// Accumulator type of the reductions: double for float and double data, so that BatchNorm
/// statistics over T·B·H·W elements lose nothing to rounding.
template <class T>
using Accum = double;

}  // namespace snn::learning
