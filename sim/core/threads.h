// Number of CPU threads used by the OMP system and the CPU BLAS.
#pragma once

namespace snn {

/// Sets the worker threads of the OpenMP system and of the CPU BLAS (n >= 1).
void set_num_threads(int n);

/// Worker threads the OpenMP system uses now.
int num_threads();

}  // namespace snn
