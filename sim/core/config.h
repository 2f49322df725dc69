// Backend configuration: the one place where the Thrust device system shows through.
// Everything else calls Thrust algorithms with snn::exec() and SNN_HD functors.
#pragma once

#include <thrust/execution_policy.h>

#if defined(__CUDACC__)
#define SNN_HD __host__ __device__
#define SNN_DEVICE_CODE 1
#else
#define SNN_HD
#define SNN_DEVICE_CODE 0
#endif

namespace snn {

/// Name of the Thrust device system this build runs on: "cuda", "omp" or "cpp".
inline const char* device_system_name() {
#if defined(SNN_SYSTEM_CUDA)
  return "cuda";
#elif defined(SNN_SYSTEM_OMP)
  return "omp";
#else
  return "cpp";
#endif
}

/// True when the build targets the CUDA system (device memory is not host-addressable).
constexpr bool device_is_cuda() {
#if defined(SNN_SYSTEM_CUDA)
  return true;
#else
  return false;
#endif
}

/// The execution policy of the device system: every algorithm in sim/ and learning/ runs on it.
inline auto exec() { return thrust::device; }

}  // namespace snn
