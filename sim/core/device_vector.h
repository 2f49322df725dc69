// Vectors in the device system's memory (GPU memory under CUDA, host memory under OMP/CPP) and
// the raw-pointer access that functors need.
#pragma once

#include <thrust/device_vector.h>
#include <thrust/host_vector.h>

#include "sim/core/config.h"

namespace snn {

template <class T>
using DeviceVector = thrust::device_vector<T>;
template <class T>
using HostVector = thrust::host_vector<T>;

/// Raw pointer to a device vector's storage, for use inside SNN_HD functors.
template <class T>
T* raw(DeviceVector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}
template <class T>
const T* raw(const DeviceVector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}

/// Copy a device vector into a std::vector (tests, I/O).
template <class T>
std::vector<T> to_std(const DeviceVector<T>& v) {
  HostVector<T> h(v);
  return std::vector<T>(h.begin(), h.end());
}

/// Copy a std::vector into a new device vector.
template <class T>
DeviceVector<T> to_device(const std::vector<T>& v) {
  return DeviceVector<T>(v.begin(), v.end());
}

}  // namespace snn
