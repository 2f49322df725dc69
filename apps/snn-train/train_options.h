// The command line of snn-train: SpikingJelly's lif_fc_mnist options verbatim, with single-dash
// long options (-tau 2.0 -T 100 -b 64 ...) and their double-dash forms, plus options for the
// network, loss, schedule and residual models. Parsing and validation are separate from main so
// that tests can call them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/core/errors.h"

namespace snn::apps {

/// A bad command line (unknown option, bad value, impossible combination).
class UsageError : public InvalidParameter {
 public:
  using InvalidParameter::InvalidParameter;
};

struct TrainArgs {
  // SpikingJelly lif_fc_mnist
  int T = 100;  ///< steps; when not given: 100 for fc, 4 for resnet
  bool T_given = false;
  std::string device;  ///< "cpu" or "cuda"; "" → the build's device
  int b = 64;          ///< batch size
  int epochs = 100;
  int j = 4;                       ///< CPU threads (SpikingJelly: data-loading workers)
  std::string data_dir;            ///< folder with the four IDX files
  std::string out_dir = "./logs";  ///< run folder: checkpoints, metrics.csv, trace.h5, args.txt
  std::string resume;              ///< checkpoint to continue from
  bool amp = false;                ///< accepted for compatibility; training is float32
  std::string opt = "adam";        ///< sgd, adam, adamw
  double momentum = 0.9;           ///< SGD momentum
  double lr = 1e-3;
  double tau = 2.0;
  // ours
  std::uint64_t seed = 0;
  std::vector<int> hidden;     ///< fc hidden sizes: {} → 784-10, {20} → 784-20-10
  std::string loss = "mse";    ///< mse or ce
  std::string sched = "none";  ///< none, step, exp, cosine
  int step_size = 30;          ///< step schedule period (epochs)
  double gamma = 0.1;          ///< step/exp decay
  int t_max = 0;               ///< cosine half period; 0 → epochs
  double eta_min = 0.0;        ///< cosine floor
  double weight_decay = 0.0;
  std::string surrogate = "atan";
  double alpha = 0.0;  ///< surrogate sharpness; 0 → the surrogate's default
  bool detach_reset = false;
  double v_threshold = 1.0;
  std::string trace;          ///< "" → <out-dir>/trace.h5; "none" → no trace
  bool save_npy = false;      ///< also the trace as OUT/v_t_array.npy, OUT/s_t_array.npy
  int max_train_batches = 0;  ///< per epoch, 0 = all
  int max_test_batches = 0;   ///< 0 = all
  // residual networks
  std::string model = "fc";      ///< fc, resnet, sew-resnet
  std::string connect = "add";   ///< sew-resnet: add, and, iand
  std::string head = "flatten";  ///< resnet readout input: flatten or gap
  std::vector<int> channels;     ///< per stage; {} → the preset's
  std::vector<int> blocks;       ///< per stage; {} → the preset's
  std::string encoder;           ///< poisson or direct; "" → poisson for fc, direct for resnet
  std::string preset;            ///< resnet preset name; "" → the default preset
  bool spiking_readout = false;  ///< resnet: Linear → LIF readout (spikes) instead of Linear values

  bool help = false;
  std::string help_text;
  std::vector<std::string> command_line;

  bool is_resnet() const { return model != "fc"; }
  /// Every option as text (saved in checkpoints and args.txt).
  std::map<std::string, std::string> as_map() const;
  /// "Namespace(T=100, device='cpu', ...)", as SpikingJelly's print(args).
  std::string namespace_line() const;
};

/// Parses argv (argv[0] is the program). Throws UsageError with a one-line message. Does not
/// check values; -help sets help (and help_text) and nothing else matters.
TrainArgs parse_train_args(int argc, const char* const argv[]);

/// Checks values and fills defaults (T by model, device, encoder, trace path). Throws UsageError
/// for bad values (T <= 0, batch <= 0, lr < 0, unknown optimizer/loss/schedule/surrogate/model,
/// -device cuda in a CPU build ...) and IoError for an unreadable data folder, an unwritable
/// output folder or a missing -resume file.
void validate_train_args(TrainArgs& args);

}  // namespace snn::apps
