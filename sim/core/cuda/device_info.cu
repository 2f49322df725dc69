// device_info for the CUDA system: asks the runtime for a visible GPU.
#include <cuda_runtime_api.h>

#include "sim/core/device_info.h"

namespace snn {

bool device_available() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return false;
  }
  return count > 0;
}

std::string device_description() {
  if (!device_available()) return "cuda: no GPU visible";
  int dev = 0;
  cudaGetDevice(&dev);
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, dev);
  return std::string("cuda: ") + prop.name + ", " + std::to_string(prop.multiProcessorCount) +
         " SMs";
}

}  // namespace snn
