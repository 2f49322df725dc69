// snn-train: SpikingJelly's lif_fc_mnist command line over the snn trainer. Errors end the
// program with one line "snn-train: error: ..." and a non-zero status (2 for a bad command line);
// SIGINT/SIGTERM write the checkpoint after the current batch and exit with 128 + the signal.
#include <exception>
#include <iostream>

#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_options.h"
#include "io/hdf5_handle.h"
#include "sim/core/errors.h"
#include "sim/core/stop_request.h"

int main(int argc, char** argv) {
  snn::io::h5::skip_exit_handler();  // a failed write never crashes at exit (hdf5_handle.h)
  using namespace snn::apps;
  TrainArgs args;
  try {
    args = parse_train_args(argc, argv);
    if (args.help) {
      std::cout << args.help_text;
      return 0;
    }
    validate_train_args(args);
  } catch (const UsageError& e) {
    std::cerr << "snn-train: error: " << e.what() << " (see snn-train -help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "snn-train: error: " << e.what() << '\n';
    return 2;
  }
  snn::install_stop_handlers();  // SIGINT/SIGTERM: checkpoint at the next batch, exit 128 + signal
  try {
    run_train(args, std::cout);
  } catch (const snn::Interrupted& e) {
    std::cout.flush();
    std::cerr << "snn-train: " << e.what() << '\n';
    return 128 + e.code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "snn-train: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
