// sqrt in the functors' own precision on host and device (sqrtf for float, sqrt for double), so
// that float updates round as PyTorch's float kernels do.
#pragma once

#include <math.h>

#include "sim/core/config.h"

namespace snn::learning {

SNN_HD inline float sqrt_of(float x) {
  return sqrtf(x);
}
SNN_HD inline double sqrt_of(double x) {
  return ::sqrt(x);
}

}  // namespace snn::learning
