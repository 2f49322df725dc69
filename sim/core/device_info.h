// What the device system can run on: lets apps reject `-device cuda` clearly and lets GPU tests
// skip on machines without a GPU.
#pragma once

#include <string>

namespace snn {

/// True when the device system can run now: always for OMP/CPP, a visible GPU for CUDA.
bool device_available();

/// One line describing the device ("omp, 2 threads" or "cuda: NVIDIA H100 80GB HBM3, 132 SMs").
std::string device_description();

}  // namespace snn
