// snn-sim: simulate a built-in network or a network file. Errors end the program with one line
// "snn-sim: error: ..." and a non-zero status (2 for a bad command line); SIGINT/SIGTERM stop the
// run at the next block of steps, close the output file whole and exit with 128 + the signal.
#include <exception>
#include <iostream>

#include "apps/snn-sim/recover_output.h"
#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_options.h"
#include "sim/core/errors.h"
#include "sim/core/stop_request.h"

int main(int argc, char** argv) {
  using namespace snn::apps;
  SimArgs args;
  try {
    args = parse_sim_args(argc, argv);
    if (args.help) {
      std::cout << args.help_text;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "snn-sim: error: " << e.what() << " (see snn-sim -help)\n";
    return 2;
  }
  if (!args.recover.empty()) {
    try {
      std::cout << recover_output(args) << '\n';
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "snn-sim: error: " << e.what() << '\n';
      return 1;
    }
  }
  snn::install_stop_handlers();  // SIGINT/SIGTERM: stop at the next block, flush, exit 128 + signal
  try {
    run_sim(args, std::cout);
  } catch (const snn::Interrupted& e) {
    std::cout.flush();
    std::cerr << "snn-sim: " << e.what() << '\n';
    return 128 + e.code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "snn-sim: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
