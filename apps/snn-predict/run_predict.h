// snn-predict: the SpikingJelly tutorial's inference snippet as a program. It rebuilds the
// network from a snn-train checkpoint's saved arguments, loads its weights and buffers, and runs
// the test images of -data-dir (IDX or CIFAR-10) in batches: predicted labels as CSV, the
// accuracy, and the firing rates of chosen images.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace snn::apps {

struct PredictArgs {
  std::string checkpoint;
  std::string data_dir;
  std::string out = "predictions.csv";  ///< CSV: index,predicted,label
  int b = 64;                           ///< images per batch
  int T = 0;                            ///< steps; 0 → the checkpoint's
  int j = 4;                            ///< CPU threads
  std::vector<int> rates;               ///< images whose firing rates are printed
  bool help = false;
  std::string help_text;
};

/// Parses and checks argv (argv[0] the program). Throws UsageError (train_options.h).
PredictArgs parse_predict_args(int argc, const char* const argv[]);

/// Runs inference; prints "accuracy = ..." and the chosen images' rates to `out`; writes the CSV
/// atomically. Throws IoError/FormatError for a bad checkpoint or data folder (naming the file).
void run_predict(const PredictArgs& args, std::ostream& out);

}  // namespace snn::apps
