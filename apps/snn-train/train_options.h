// The command line of snn-train: SpikingJelly's lif_fc_mnist options verbatim, with single-dash
// long options (-tau 2.0 -T 100 -b 64 ...) and their double-dash forms, plus options for the
// network, loss, schedule and residual models. Parsing and validation are separate from main so
// that tests can call them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "learning/init/init.h"
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
  std::string opt = "adam";        ///< sgd, adam, adamw, adagrad, adadelta, rmsprop
  double momentum = 0.9;           ///< SGD momentum (RMSprop: 0 unless given)
  double lr = 1e-3;                ///< when not given: the optimizer's default (default_lr)
  double tau = 2.0;
  // ours
  std::uint64_t seed = 0;
  std::vector<int> hidden;     ///< fc hidden sizes: {} → 784-10, {20} → 784-20-10
  std::string loss = "mse";    ///< mse or ce
  std::string sched = "none";  ///< none, step, exp, cosine, multistep, linear, lambda, plateau
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
  bool head_given = false;       ///< -head on the command line (resnet18/34 default to gap)
  // networks as files (learning/model/model_file.h)
  std::string model_file;  ///< -model-file NET.json; sets model "file"
  std::string model_json;  ///< its text, read by validate_train_args (checkpoints keep it)

  // optimisation toolbox (torch.optim's settings, PyTorch's defaults)
  bool lr_given = false;
  bool momentum_given = false;
  double dampening = 0.0;                  ///< SGD
  bool nesterov = false;                   ///< SGD
  double beta1 = 0.9, beta2 = 0.999;       ///< Adam, AdamW
  double eps = -1.0;                       ///< < 0: the optimizer's default
  double lr_decay = 0.0;                   ///< Adagrad
  double initial_accumulator_value = 0.0;  ///< Adagrad
  double rho = 0.9;                        ///< Adadelta
  double rmsprop_alpha = 0.99;             ///< RMSprop smoothing constant
  bool centered = false;                   ///< RMSprop
  double clip_grad_norm = 0.0;             ///< max total grad norm, 0 = off (clip_grad_norm_)
  double clip_norm_type = 2.0;             ///< p of the norm; inf allowed
  double clip_grad_value = 0.0;            ///< grad elements clamped to ±value, 0 = off
  // schedules (torch.optim.lr_scheduler's settings and defaults)
  std::string lr_lambda;               ///< lambda: expression of `epoch`
  std::vector<int> milestones;         ///< multistep
  double start_factor = 1.0 / 3;       ///< linear
  double end_factor = 1.0;             ///< linear
  int total_iters = 5;                 ///< linear
  double factor = 0.1;                 ///< plateau
  int patience = 10;                   ///< plateau
  double threshold = 1e-4;             ///< plateau
  std::string threshold_mode = "rel";  ///< plateau
  int cooldown = 0;                    ///< plateau
  double min_lr = 0.0;                 ///< plateau
  // initialisation (torch.nn.init)
  std::string init = "default";
  double init_std = 1.0, init_bound = 1.0, init_gain = 1.0, init_a = 0.0;
  std::string init_mode = "fan_in", init_nonlinearity = "leaky_relu";
  // data
  bool normalize = false;  ///< per-channel standardisation (direct encoder)
  std::vector<double> normalize_mean, normalize_std;  ///< {} → from the training set
  int warmup = 0;  ///< linear warm-up epochs before -sched, 0 = none
  double warmup_start_factor = 1.0 / 3;

  bool help = false;
  std::string help_text;
  std::vector<std::string> command_line;

  /// Everything but the built-in fc network (T defaults to 4, encoder to direct), and a model
  /// file unless it asks for the Poisson encoder.
  bool is_resnet() const {
    return model != "fc" && !(model == "file" && file_encoder == "poisson");
  }
  std::string file_encoder;  ///< the model file's "encoder" ("" when it names none)
  /// Every option as text (saved in checkpoints and args.txt).
  std::map<std::string, std::string> as_map() const;
  /// -init and its settings.
  learning::InitOptions init_options() const;
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
