// Thread count for OpenMP and OpenBLAS, kept in step so they never oversubscribe the cores.
#include "sim/core/threads.h"

#include <omp.h>

#include "sim/core/errors.h"

extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace snn {

void set_num_threads(int n) {
  require(n >= 1, "thread count must be >= 1, got " + std::to_string(n));
  omp_set_num_threads(n);
  if (openblas_set_num_threads) openblas_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace snn
