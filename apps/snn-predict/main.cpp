// snn-predict: inference with a snn-train checkpoint. Errors end the program with one line
// "snn-predict: error: ..." and a non-zero status (2 for a bad command line).
#include <exception>
#include <iostream>

#include "apps/snn-predict/run_predict.h"
#include "apps/snn-train/train_options.h"
#include "io/hdf5_handle.h"

int main(int argc, char** argv) {
  snn::io::h5::skip_exit_handler();  // a failed write never crashes at exit (hdf5_handle.h)
  using namespace snn::apps;
  PredictArgs args;
  try {
    args = parse_predict_args(argc, argv);
    if (args.help) {
      std::cout << args.help_text;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "snn-predict: error: " << e.what() << " (see snn-predict -help)\n";
    return 2;
  }
  try {
    run_predict(args, std::cout);
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "snn-predict: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
