// Which exchange this process uses: mpi under mpiexec (when built with MPI), else local.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "sim/core/errors.h"
#include "sim/distributed/exchange.h"

namespace snn::sim {

#ifdef SNN_WITH_MPI
std::unique_ptr<Exchange> make_mpi_exchange(int* argc, char*** argv);
void abort_mpi(int code);
#endif

int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const char* v = std::getenv(name);
    if (v && *v) return std::max(1, std::atoi(v));
  }
  return 1;
}

int launched_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}) {
    const char* v = std::getenv(name);
    if (v && *v) return std::max(0, std::atoi(v));
  }
  return 0;
}

std::unique_ptr<Exchange> make_exchange(int* argc, char*** argv) {
  const int ranks = launched_ranks();
  if (ranks <= 1) return make_local_exchange();
#ifdef SNN_WITH_MPI
  return make_mpi_exchange(argc, argv);
#else
  throw InvalidParameter("launched as " + std::to_string(ranks) +
                         " ranks, but this build has no MPI: configure with -DSNN_WITH_MPI=ON "
                         "(apt-get install libopenmpi-dev openmpi-bin) to run one network over "
                         "several processes");
#endif
}

void abort_all_ranks(Exchange& ex, int code) {
#ifdef SNN_WITH_MPI
  if (std::string(ex.kind()) == "mpi") abort_mpi(code);
#endif
}

}  // namespace snn::sim
