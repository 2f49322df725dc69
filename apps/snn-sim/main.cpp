// snn-sim: simulate a built-in network or a network file. Errors end the program with one line
// "snn-sim: error: ..." and a non-zero status (2 for a bad command line); SIGINT/SIGTERM stop the
// run at the next block of steps, close the output file whole and exit with 128 + the signal.
// Under mpiexec (built with -DSNN_WITH_MPI=ON) every rank runs its share of one network; rank 0
// prints; an error of one rank makes every rank exit non-zero (agreed, or MPI_Abort).
#include <exception>
#include <iostream>
#include <memory>

#include "apps/snn-sim/recover_output.h"
#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_options.h"
#include "io/hdf5_handle.h"
#include "sim/core/errors.h"
#include "sim/core/stop_request.h"
#include "sim/distributed/exchange.h"

int main(int argc, char** argv) {
  snn::io::h5::skip_exit_handler();  // a failed write never crashes at exit (hdf5_handle.h)
  using namespace snn::apps;
  std::unique_ptr<snn::sim::Exchange> ex;
  try {
    ex = snn::sim::make_exchange(&argc, &argv);
  } catch (const std::exception& e) {
    if (snn::sim::launched_rank() == 0) std::cerr << "snn-sim: error: " << e.what() << '\n';
    return 2;
  }
  const bool root = ex->rank() == 0;
  SimArgs args;
  try {
    args = parse_sim_args(argc, argv);
    if (args.help) {
      if (root) std::cout << args.help_text;
      return 0;
    }
  } catch (const std::exception& e) {
    if (root) std::cerr << "snn-sim: error: " << e.what() << " (see snn-sim -help)\n";
    return 2;
  }
  if (!args.recover.empty()) {
    if (ex->size() > 1) {
      if (root) std::cerr << "snn-sim: error: -recover runs on one process, not under mpiexec\n";
      return 2;
    }
    try {
      std::cout << recover_output(args) << '\n';
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "snn-sim: error: " << e.what() << '\n';
      return 1;
    }
  }
  if (args.dry_run_ranks > 0) {
    if (ex->size() > 1) {
      if (root)
        std::cerr << "snn-sim: error: -dry-run-ranks runs on one process, not under mpiexec\n";
      return 2;
    }
    ex = snn::sim::make_dry_run_exchange(args.dry_run_ranks);
  }
  snn::install_stop_handlers();  // SIGINT/SIGTERM: stop at the next block, flush, exit 128 + signal
  std::ostream quiet(nullptr);   // ranks other than 0 print nothing
  try {
    run_sim(args, root ? std::cout : quiet, ex.get());
  } catch (const snn::Interrupted& e) {
    std::cout.flush();
    if (root) std::cerr << "snn-sim: " << e.what() << '\n';
    return 128 + e.code();
  } catch (const snn::sim::AgreedError& e) {
    std::cout.flush();
    if (root) std::cerr << "snn-sim: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    if (ex->size() > 1) {
      // Not agreed: the other ranks may wait in a collective; end them all.
      std::cerr << "snn-sim: error: rank " << ex->rank() << ": " << e.what() << '\n';
      std::cerr.flush();
      snn::sim::abort_all_ranks(*ex, 1);
    }
    std::cerr << "snn-sim: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
