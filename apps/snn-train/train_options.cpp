// Boost.Program_options with allow_long_disguise: "-tau 2" is "--tau 2". Guessing (prefixes) is
// off so that -T never means -tau. A negative number after an option is glued to it ("-lr=-1") so
// that it reaches validation instead of being taken for an option.
#include "apps/snn-train/train_options.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>
#include <sstream>

#include "io/atomic_file.h"
#include "io/cifar_reader.h"
#include "io/idx_reader.h"
#include "learning/init/init.h"
#include "learning/model/model_file.h"
#include "learning/optim/lr_expression.h"
#include "learning/optim/optimizer.h"
#include "sim/core/config.h"

namespace snn::apps {

namespace po = boost::program_options;

namespace {

bool looks_negative_number(const std::string& s) {
  return s.size() >= 2 && s[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}

std::vector<double> parse_double_list(const std::vector<std::string>& items,
                                      const std::string& option) {
  std::vector<double> out;
  for (const std::string& item : items) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (part.empty()) continue;
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(part, &used);
      } catch (...) {
        used = 0;
      }
      if (used != part.size()) throw UsageError("-" + option + ": '" + part + "' is not a number");
      out.push_back(v);
    }
  }
  return out;
}

std::string list_text(const std::vector<double>& v);

std::vector<int> parse_int_list(const std::vector<std::string>& items, const std::string& option) {
  std::vector<int> out;
  for (const std::string& item : items) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (part.empty()) continue;
      std::size_t used = 0;
      int v = 0;
      try {
        v = std::stoi(part, &used);
      } catch (...) {
        used = 0;
      }
      if (used != part.size())
        throw UsageError("-" + option + ": '" + part + "' is not an integer");
      out.push_back(v);
    }
  }
  return out;
}

// Shortest round-trip text, with ".0" on whole numbers as Python prints floats.
std::string fmt(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eninf") == std::string::npos) s += ".0";
  return s;
}

std::string list_text(const std::vector<double>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + fmt(v[i]);
  return out;
}

std::string list_text(const std::vector<int>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

void one_of(const std::string& option, const std::string& value,
            const std::set<std::string>& allowed) {
  if (allowed.count(value)) return;
  std::string names;
  for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
  throw UsageError("-" + option + " '" + value + "' is not one of: " + names);
}

}  // namespace

TrainArgs parse_train_args(int argc, const char* const argv[]) {
  TrainArgs a;
  std::vector<std::string> tokens;
  for (int i = 1; i < argc; ++i) {
    std::string t = argv[i];
    a.command_line.push_back(t);
    if (looks_negative_number(t) && !tokens.empty() && tokens.back().size() > 1 &&
        tokens.back()[0] == '-' && tokens.back().find('=') == std::string::npos &&
        !looks_negative_number(tokens.back()))
      tokens.back() += "=" + t;
    else
      tokens.push_back(t);
  }

  std::vector<std::string> hidden, channels, blocks, milestones, norm_mean, norm_std;
  std::string clip_norm_type = "2";
  po::options_description sj("SpikingJelly lif_fc_mnist options (single or double dash)");
  sj.add_options()("help,h", "print this help and exit")(
      "T", po::value<int>(&a.T), "simulating time-steps (default 100 for fc, 4 for resnet)")(
      "device", po::value<std::string>(&a.device), "cpu or cuda (default: the build's device)")(
      "b", po::value<int>(&a.b)->default_value(64), "batch size")(
      "epochs", po::value<int>(&a.epochs)->default_value(100), "number of total epochs to run")(
      "j", po::value<int>(&a.j)->default_value(4),
      "CPU threads (SpikingJelly: data-loading workers)")(
      "data-dir", po::value<std::string>(&a.data_dir),
      "folder with the MNIST-format IDX files (gzip'd or not) or CIFAR-10's binary batches")(
      "out-dir", po::value<std::string>(&a.out_dir)->default_value("./logs"),
      "run folder for checkpoints, metrics.csv, trace.h5")(
      "resume", po::value<std::string>(&a.resume),
      "resume from this checkpoint (e.g. OUT/checkpoint_latest.h5)")(
      "amp", po::bool_switch(&a.amp), "accepted for compatibility (training is float32)")(
      "opt", po::value<std::string>(&a.opt)->default_value("adam"),
      "optimizer: sgd, adam, adamw, adagrad, adadelta or rmsprop")(
      "momentum", po::value<double>(&a.momentum)->default_value(0.9, "0.9"),
      "momentum for SGD (and RMSprop, default 0 there)")(
      "lr", po::value<double>(&a.lr)->default_value(1e-3, "0.001"),
      "learning rate (default: 0.001 for sgd/adam/adamw, 0.01 adagrad/rmsprop, 1.0 adadelta)")(
      "tau", po::value<double>(&a.tau)->default_value(2.0, "2.0"),
      "parameter tau of the LIF neurons");
  po::options_description ours("Network, loss, schedule and run options");
  ours.add_options()("seed", po::value<std::uint64_t>(&a.seed)->default_value(0),
                     "seed of weights, Poisson draws and shuffling")(
      "hidden", po::value<std::vector<std::string>>(&hidden)->composing(),
      "hidden layer sizes of the fc model, repeatable or a comma list (-hidden 20 → 784-20-10)")(
      "loss", po::value<std::string>(&a.loss)->default_value("mse"),
      "mse or ce (on the firing rate)")(
      "sched", po::value<std::string>(&a.sched)->default_value("none"),
      "learning-rate schedule: none, step, exp, cosine, multistep, linear, lambda, plateau")(
      "step-size", po::value<int>(&a.step_size)->default_value(30),
      "step schedule: epochs between decays")(
      "gamma", po::value<double>(&a.gamma)->default_value(0.1, "0.1"),
      "step/exp schedule: decay factor")("t-max", po::value<int>(&a.t_max)->default_value(0),
                                         "cosine schedule: half period in epochs (0: -epochs)")(
      "eta-min", po::value<double>(&a.eta_min)->default_value(0.0, "0"),
      "cosine schedule: lowest rate")(
      "weight-decay", po::value<double>(&a.weight_decay)->default_value(0.0, "0"),
      "L2 weight decay")("surrogate", po::value<std::string>(&a.surrogate)->default_value("atan"),
                         "surrogate gradient: atan, sigmoid, piecewise_quadratic, soft_sign")(
      "alpha", po::value<double>(&a.alpha)->default_value(0.0, "per surrogate"),
      "surrogate sharpness")("detach-reset", po::bool_switch(&a.detach_reset),
                             "do not back-propagate through the reset")(
      "v-threshold", po::value<double>(&a.v_threshold)->default_value(1.0, "1.0"), "LIF threshold")(
      "trace", po::value<std::string>(&a.trace),
      "trace file of test image 0 (default OUT/trace.h5; 'none': no trace)")(
      "save-npy", po::bool_switch(&a.save_npy),
      "also write the trace as OUT/v_t_array.npy and OUT/s_t_array.npy ([T, classes] float32)")(
      "max-train-batches", po::value<int>(&a.max_train_batches)->default_value(0),
      "train batches per epoch, 0 = all")("max-test-batches",
                                          po::value<int>(&a.max_test_batches)->default_value(0),
                                          "test batches, 0 = all");
  po::options_description res("Residual networks");
  res.add_options()("model", po::value<std::string>(&a.model)->default_value("fc"),
                    "fc, resnet or sew-resnet")(
      "connect", po::value<std::string>(&a.connect)->default_value("add"),
      "sew-resnet connect function: add, and, iand")(
      "head", po::value<std::string>(&a.head)->default_value("flatten"),
      "resnet readout input: flatten (last spike map) or gap (global average pool)")(
      "channels", po::value<std::vector<std::string>>(&channels)->composing(),
      "stage widths, e.g. 16,32")("blocks",
                                  po::value<std::vector<std::string>>(&blocks)->composing(),
                                  "blocks per stage, e.g. 1,1")(
      "encoder", po::value<std::string>(&a.encoder),
      "poisson or direct (default poisson for fc, direct for resnet)")(
      "preset", po::value<std::string>(&a.preset),
      "resnet size preset: tiny, small (default), medium, resnet18 or resnet34")(
      "model-file", po::value<std::string>(&a.model_file),
      "network described layer by layer in a JSON file (examples/models/)")(
      "spiking-readout", po::bool_switch(&a.spiking_readout),
      "resnet: LIF after the readout Linear (spikes out)");
  po::options_description optim("Optimisers and gradient clipping (torch.optim's settings)");
  optim.add_options()("dampening", po::value<double>(&a.dampening)->default_value(0.0, "0"),
                      "sgd: dampening of the momentum")("nesterov", po::bool_switch(&a.nesterov),
                                                        "sgd: Nesterov momentum")(
      "beta1", po::value<double>(&a.beta1)->default_value(0.9, "0.9"), "adam/adamw: beta1")(
      "beta2", po::value<double>(&a.beta2)->default_value(0.999, "0.999"), "adam/adamw: beta2")(
      "eps", po::value<double>(&a.eps),
      "denominator term (default: 1e-8 adam/adamw/rmsprop, 1e-10 adagrad, 1e-6 adadelta)")(
      "lr-decay", po::value<double>(&a.lr_decay)->default_value(0.0, "0"), "adagrad: lr decay")(
      "initial-accumulator-value",
      po::value<double>(&a.initial_accumulator_value)->default_value(0.0, "0"),
      "adagrad: initial sum of squares")("rho",
                                         po::value<double>(&a.rho)->default_value(0.9, "0.9"),
                                         "adadelta: coefficient of the running averages")(
      "rmsprop-alpha", po::value<double>(&a.rmsprop_alpha)->default_value(0.99, "0.99"),
      "rmsprop: smoothing constant (torch's alpha)")(
      "centered", po::bool_switch(&a.centered), "rmsprop: centered (variance of the gradient)")(
      "clip-grad-norm", po::value<double>(&a.clip_grad_norm)->default_value(0.0, "0 (off)"),
      "clip the total gradient norm to this (torch.nn.utils.clip_grad_norm_)")(
      "clip-norm-type", po::value<std::string>(&clip_norm_type)->default_value("2"),
      "p of -clip-grad-norm's norm: a number >= 1 or inf")(
      "clip-grad-value", po::value<double>(&a.clip_grad_value)->default_value(0.0, "0 (off)"),
      "clamp every gradient element to [-v, v] (torch.nn.utils.clip_grad_value_)");
  po::options_description sched("Schedules (torch.optim.lr_scheduler's settings)");
  sched.add_options()("lr-lambda", po::value<std::string>(&a.lr_lambda),
                      "lambda: factor of the base rate as an expression of epoch, e.g. 0.95^epoch")(
      "milestones", po::value<std::vector<std::string>>(&milestones)->composing(),
      "multistep: epochs of the decays by -gamma, e.g. 30,80")(
      "start-factor", po::value<double>(&a.start_factor)->default_value(1.0 / 3, "1/3"),
      "linear: factor at epoch 0")("end-factor",
                                   po::value<double>(&a.end_factor)->default_value(1.0, "1.0"),
                                   "linear: factor from -total-iters on")(
      "total-iters", po::value<int>(&a.total_iters)->default_value(5),
      "linear: epochs of the ramp")("factor",
                                    po::value<double>(&a.factor)->default_value(0.1, "0.1"),
                                    "plateau: rate multiplier on a plateau of the test loss")(
      "patience", po::value<int>(&a.patience)->default_value(10),
      "plateau: epochs without improvement before a reduction")(
      "threshold", po::value<double>(&a.threshold)->default_value(1e-4, "1e-4"),
      "plateau: least improvement that counts")(
      "threshold-mode", po::value<std::string>(&a.threshold_mode)->default_value("rel"),
      "plateau: rel or abs")("cooldown", po::value<int>(&a.cooldown)->default_value(0),
                             "plateau: epochs after a reduction before counting again")(
      "min-lr", po::value<double>(&a.min_lr)->default_value(0.0, "0"), "plateau: the lowest rate")(
      "warmup", po::value<int>(&a.warmup)->default_value(0),
      "epochs of linear warm-up before -sched (SequentialLR), 0 = none")(
      "warmup-start-factor",
      po::value<double>(&a.warmup_start_factor)->default_value(1.0 / 3, "1/3"),
      "warm-up: factor of the rate at epoch 0");
  po::options_description init("Initialisation of weight matrices and kernels (torch.nn.init)");
  init.add_options()(
      "init", po::value<std::string>(&a.init)->default_value("default"),
      "default (PyTorch's layer defaults), normal, uniform, xavier_uniform, xavier_normal, "
      "kaiming_uniform, kaiming_normal, orthogonal")(
      "init-std", po::value<double>(&a.init_std)->default_value(1.0, "1.0"), "normal: std")(
      "init-bound", po::value<double>(&a.init_bound)->default_value(1.0, "1.0"),
      "uniform: U(-bound, bound)")("init-gain",
                                   po::value<double>(&a.init_gain)->default_value(1.0, "1.0"),
                                   "xavier and orthogonal: gain")(
      "init-mode", po::value<std::string>(&a.init_mode)->default_value("fan_in"),
      "kaiming: fan_in or fan_out")(
      "init-nonlinearity",
      po::value<std::string>(&a.init_nonlinearity)->default_value("leaky_relu"),
      "kaiming: linear, sigmoid, tanh, relu, leaky_relu, selu")(
      "init-a", po::value<double>(&a.init_a)->default_value(0.0, "0"),
      "kaiming: negative slope of leaky_relu");
  po::options_description data("Data");
  data.add_options()("normalize", po::bool_switch(&a.normalize),
                     "standardise each channel (direct encoder): (x - mean) / std, from the "
                     "training set unless given")(
      "normalize-mean", po::value<std::vector<std::string>>(&norm_mean)->composing(),
      "per-channel means of pixel/255, e.g. 0.4914,0.4822,0.4465")(
      "normalize-std", po::value<std::vector<std::string>>(&norm_std)->composing(),
      "per-channel standard deviations, e.g. 0.247,0.243,0.261");
  po::options_description all(
      "snn-train: train a spiking network with BPTT on MNIST-format data.\n"
      "Usage: snn-train -data-dir DIR [-out-dir DIR] [-T 100] [-b 64] [-epochs N] ...\n");
  all.add(sj).add(ours).add(optim).add(sched).add(init).add(data).add(res);

  po::variables_map vm;
  try {
    auto style =
        (po::command_line_style::default_style | po::command_line_style::allow_long_disguise) &
        ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(tokens).options(all).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (vm.count("help")) {
    a.help = true;
    std::ostringstream s;
    s << all;
    a.help_text = s.str();
    return a;
  }
  a.T_given = vm.count("T") > 0;
  a.head_given = !vm["head"].defaulted();
  a.lr_given = !vm["lr"].defaulted();
  a.momentum_given = !vm["momentum"].defaulted();
  if (vm.count("eps") && !(a.eps >= 0))
    throw UsageError("-eps must be >= 0, got " + fmt(a.eps));  // -1 inside means "the default"
  {
    std::size_t used = 0;
    try {
      a.clip_norm_type = std::stod(clip_norm_type, &used);
    } catch (...) {
      used = 0;
    }
    if (used != clip_norm_type.size() || clip_norm_type.empty())
      throw UsageError("-clip-norm-type: '" + clip_norm_type + "' is not a number or inf");
  }
  a.hidden = parse_int_list(hidden, "hidden");
  a.channels = parse_int_list(channels, "channels");
  a.blocks = parse_int_list(blocks, "blocks");
  a.milestones = parse_int_list(milestones, "milestones");
  a.normalize_mean = parse_double_list(norm_mean, "normalize-mean");
  a.normalize_std = parse_double_list(norm_std, "normalize-std");
  return a;
}

void validate_train_args(TrainArgs& a) {
  if (a.help) return;
  if (!a.model_file.empty()) {
    if (a.model != "fc" && a.model != "file")
      throw UsageError("-model-file describes the whole network: drop -model " + a.model);
    if (!a.hidden.empty() || !a.channels.empty() || !a.blocks.empty() || !a.preset.empty() ||
        a.spiking_readout || a.head_given || a.connect != "add")
      throw UsageError(
          "-hidden, -channels, -blocks, -preset, -head, -connect and "
          "-spiking-readout do not apply with -model-file (the file says it all)");
    const learning::ModelFile mf = learning::read_model_file(a.model_file);  // errors say where
    a.model = "file";
    a.model_json = mf.text;
    a.file_encoder = mf.encoder;
    if (a.encoder.empty()) a.encoder = mf.encoder;
  } else if (a.model == "file") {
    throw UsageError("-model file needs -model-file NET.json");
  }
  one_of("model", a.model, {"fc", "resnet", "sew-resnet", "file"});
  if (!a.T_given) a.T = a.is_resnet() ? 4 : 100;
  if (a.T < 1) throw UsageError("-T must be >= 1 (time steps), got " + std::to_string(a.T));
  if (a.b < 1) throw UsageError("-b must be >= 1 (batch size), got " + std::to_string(a.b));
  if (a.epochs < 1) throw UsageError("-epochs must be >= 1, got " + std::to_string(a.epochs));
  if (a.j < 1) throw UsageError("-j must be >= 1 (threads), got " + std::to_string(a.j));
  if (!(a.lr >= 0)) throw UsageError("-lr must be >= 0, got " + fmt(a.lr));
  if (!(a.momentum >= 0)) throw UsageError("-momentum must be >= 0, got " + fmt(a.momentum));
  if (!(a.weight_decay >= 0))
    throw UsageError("-weight-decay must be >= 0, got " + fmt(a.weight_decay));
  if (!(a.tau > 1))
    throw UsageError("-tau must be > 1 (SpikingJelly's LIF requires it), got " + fmt(a.tau));
  if (!(a.alpha >= 0)) throw UsageError("-alpha must be > 0, got " + fmt(a.alpha));
  if (a.max_train_batches < 0 || a.max_test_batches < 0)
    throw UsageError("-max-train-batches and -max-test-batches must be >= 0");
  one_of("opt", a.opt, {"sgd", "adam", "adamw", "adagrad", "adadelta", "rmsprop"});
  if (!a.lr_given) a.lr = learning::default_lr(a.opt);
  if (a.opt == "rmsprop" && !a.momentum_given) a.momentum = 0.0;  // torch.optim.RMSprop's default
  if (a.nesterov && (a.opt != "sgd" || !(a.momentum > 0) || a.dampening != 0))
    throw UsageError("-nesterov needs -opt sgd, -momentum > 0 and -dampening 0 (PyTorch's rule)");
  if (a.centered && a.opt != "rmsprop") throw UsageError("-centered applies to -opt rmsprop only");
  if (!(a.dampening >= 0)) throw UsageError("-dampening must be >= 0, got " + fmt(a.dampening));
  if (!(a.beta1 >= 0 && a.beta1 < 1) || !(a.beta2 >= 0 && a.beta2 < 1))
    throw UsageError("-beta1 and -beta2 must be in [0, 1), got " + fmt(a.beta1) + " and " +
                     fmt(a.beta2));
  if (a.eps < 0 && a.eps != -1.0) throw UsageError("-eps must be >= 0, got " + fmt(a.eps));
  if (!(a.lr_decay >= 0)) throw UsageError("-lr-decay must be >= 0, got " + fmt(a.lr_decay));
  if (!(a.initial_accumulator_value >= 0))
    throw UsageError("-initial-accumulator-value must be >= 0, got " +
                     fmt(a.initial_accumulator_value));
  if (!(a.rho >= 0 && a.rho <= 1)) throw UsageError("-rho must be in [0, 1], got " + fmt(a.rho));
  if (!(a.rmsprop_alpha >= 0 && a.rmsprop_alpha <= 1))
    throw UsageError("-rmsprop-alpha must be in [0, 1], got " + fmt(a.rmsprop_alpha));
  if (!(a.clip_grad_norm >= 0))
    throw UsageError("-clip-grad-norm must be >= 0 (0: off), got " + fmt(a.clip_grad_norm));
  if (!(a.clip_norm_type >= 1))
    throw UsageError("-clip-norm-type must be >= 1 or inf, got " + fmt(a.clip_norm_type));
  if (!(a.clip_grad_value >= 0))
    throw UsageError("-clip-grad-value must be >= 0 (0: off), got " + fmt(a.clip_grad_value));
  one_of("loss", a.loss, {"mse", "ce"});
  one_of("sched", a.sched,
         {"none", "step", "exp", "cosine", "multistep", "linear", "lambda", "plateau"});
  if (a.sched == "lambda") {
    if (a.lr_lambda.empty())
      throw UsageError("-sched lambda needs -lr-lambda EXPR (e.g. -lr-lambda \"0.95^epoch\")");
    try {
      learning::parse_lr_expression(a.lr_lambda);
    } catch (const InvalidParameter& e) {
      throw UsageError(std::string("-") + e.what());
    }
  } else if (!a.lr_lambda.empty()) {
    throw UsageError("-lr-lambda applies to -sched lambda only");
  }
  if (a.sched == "multistep" && a.milestones.empty())
    throw UsageError("-sched multistep needs -milestones (e.g. -milestones 30,80)");
  for (std::size_t i = 0; i < a.milestones.size(); ++i)
    if (a.milestones[i] < 1 || (i > 0 && a.milestones[i] <= a.milestones[i - 1]))
      throw UsageError("-milestones must be increasing epochs >= 1, got " +
                       list_text(a.milestones));
  if (!(a.start_factor > 0 && a.start_factor <= 1) || !(a.end_factor >= 0 && a.end_factor <= 1))
    throw UsageError("-start-factor must be in (0, 1] and -end-factor in [0, 1], got " +
                     fmt(a.start_factor) + " and " + fmt(a.end_factor));
  if (a.total_iters < 1)
    throw UsageError("-total-iters must be >= 1, got " + std::to_string(a.total_iters));
  if (!(a.factor >= 0 && a.factor < 1))
    throw UsageError("-factor must be in [0, 1), got " + fmt(a.factor));
  if (a.patience < 0 || a.cooldown < 0) throw UsageError("-patience and -cooldown must be >= 0");
  if (!(a.threshold >= 0)) throw UsageError("-threshold must be >= 0, got " + fmt(a.threshold));
  one_of("threshold-mode", a.threshold_mode, {"rel", "abs"});
  if (!(a.min_lr >= 0)) throw UsageError("-min-lr must be >= 0, got " + fmt(a.min_lr));
  try {
    learning::validate(a.init_options());
  } catch (const InvalidParameter& e) {
    throw UsageError(std::string("-init: ") + e.what());
  }
  if (a.warmup < 0) throw UsageError("-warmup must be >= 0, got " + std::to_string(a.warmup));
  if (!(a.warmup_start_factor > 0 && a.warmup_start_factor <= 1))
    throw UsageError("-warmup-start-factor must be in (0, 1], got " + fmt(a.warmup_start_factor));
  if (a.sched == "cosine" && a.t_max == 0 && a.epochs - a.warmup < 1)
    throw UsageError("-sched cosine after -warmup " + std::to_string(a.warmup) +
                     " needs -epochs > -warmup or -t-max >= 1");
  one_of("surrogate", a.surrogate, {"atan", "sigmoid", "piecewise_quadratic", "soft_sign"});
  one_of("connect", a.connect, {"add", "and", "iand"});
  one_of("head", a.head, {"flatten", "gap"});
  if ((a.preset == "resnet18" || a.preset == "resnet34") && !a.head_given)
    a.head = "gap";  // torchvision's readout
  if (a.encoder.empty()) a.encoder = a.is_resnet() ? "direct" : "poisson";
  one_of("encoder", a.encoder, {"poisson", "direct"});
  if (!a.normalize && (!a.normalize_mean.empty() || !a.normalize_std.empty()))
    throw UsageError("-normalize-mean and -normalize-std need -normalize");
  if (a.normalize_mean.size() != a.normalize_std.size())
    throw UsageError(
        "-normalize-mean and -normalize-std need as many values (one per channel), got " +
        std::to_string(a.normalize_mean.size()) + " and " + std::to_string(a.normalize_std.size()));
  for (double s : a.normalize_std)
    if (!(s > 0)) throw UsageError("-normalize-std values must be > 0, got " + fmt(s));
  if (a.normalize && a.encoder != "direct")
    throw UsageError(
        "-normalize applies to -encoder direct (the Poisson encoder takes pixel/255 "
        "as firing probabilities)");
  for (int h : a.hidden)
    if (h < 1) throw UsageError("-hidden sizes must be >= 1, got " + std::to_string(h));
  if (a.model != "fc" && !a.hidden.empty()) throw UsageError("-hidden applies to -model fc only");
  if (a.model == "fc" &&
      (!a.channels.empty() || !a.blocks.empty() || !a.preset.empty() || a.spiking_readout))
    throw UsageError(
        "-channels, -blocks, -preset and -spiking-readout apply to -model resnet or sew-resnet "
        "only");
  if (a.channels.size() != a.blocks.size() && !a.channels.empty() && !a.blocks.empty())
    throw UsageError("-channels and -blocks must have the same number of stages (" +
                     std::to_string(a.channels.size()) + " vs " + std::to_string(a.blocks.size()) +
                     ")");

  std::string build = device_is_cuda() ? "cuda" : "cpu";
  if (a.device.empty()) a.device = build;
  std::string dev = a.device.substr(0, a.device.find(':'));  // "cuda:0" as SpikingJelly writes it
  one_of("device", dev, {"cpu", "cuda"});
  if (dev != build)
    throw UsageError("-device " + a.device + ": this snn-train was built for " + build +
                     (build == "cpu" ? " (configure with -DSNN_DEVICE_SYSTEM=CUDA for the GPU)"
                                     : " (the default CPU build runs on the CPU)"));
  a.device = dev;

  namespace fs = std::filesystem;
  std::error_code ec;
  if (a.data_dir.empty())
    throw UsageError("-data-dir is required (a folder with the four MNIST IDX files)");
  if (!fs::is_directory(a.data_dir, ec))
    throw IoError("-data-dir '" + a.data_dir + "' does not exist or is not a folder");
  if (::access(a.data_dir.c_str(), R_OK | X_OK) != 0)
    throw IoError("-data-dir '" + a.data_dir + "' is not readable");
  if (!io::has_cifar10(a.data_dir)) {
    for (const char* base : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
      try {
        io::find_idx_file(a.data_dir, base);
      } catch (const IoError& e) {
        throw IoError(std::string("-data-dir: ") + e.what() +
                      " (nor CIFAR-10's data_batch_1.bin or cifar-10-binary.tar.gz)");
      }
    }
  }
  try {
    io::require_writable_dir(a.out_dir);
  } catch (const IoError& e) {
    throw IoError(std::string("-out-dir: ") + e.what());
  }
  if (a.trace.empty()) a.trace = (fs::path(a.out_dir) / "trace.h5").string();
  if (a.save_npy && a.trace == "none")
    throw UsageError(
        "-save-npy writes the trace as .npy files: it needs a trace (not -trace none)");
  if (!a.resume.empty() && !fs::is_regular_file(a.resume, ec))
    throw IoError("-resume '" + a.resume + "': no such file");
}

std::map<std::string, std::string> TrainArgs::as_map() const {
  return {{"T", std::to_string(T)},
          {"device", device},
          {"b", std::to_string(b)},
          {"epochs", std::to_string(epochs)},
          {"j", std::to_string(j)},
          {"data_dir", data_dir},
          {"out_dir", out_dir},
          {"resume", resume},
          {"amp", amp ? "true" : "false"},
          {"opt", opt},
          {"momentum", fmt(momentum)},
          {"lr", fmt(lr)},
          {"tau", fmt(tau)},
          {"seed", std::to_string(seed)},
          {"hidden", list_text(hidden)},
          {"loss", loss},
          {"sched", sched},
          {"step_size", std::to_string(step_size)},
          {"gamma", fmt(gamma)},
          {"t_max", std::to_string(t_max)},
          {"eta_min", fmt(eta_min)},
          {"weight_decay", fmt(weight_decay)},
          {"surrogate", surrogate},
          {"alpha", fmt(alpha)},
          {"detach_reset", detach_reset ? "true" : "false"},
          {"v_threshold", fmt(v_threshold)},
          {"trace", trace},
          {"save_npy", save_npy ? "true" : "false"},
          {"max_train_batches", std::to_string(max_train_batches)},
          {"max_test_batches", std::to_string(max_test_batches)},
          {"model", model},
          {"connect", connect},
          {"head", head},
          {"channels", list_text(channels)},
          {"blocks", list_text(blocks)},
          {"encoder", encoder},
          {"preset", preset},
          {"spiking_readout", spiking_readout ? "true" : "false"},
          {"model_file", model_file},
          {"model_json", model_json},
          {"dampening", fmt(dampening)},
          {"nesterov", nesterov ? "true" : "false"},
          {"beta1", fmt(beta1)},
          {"beta2", fmt(beta2)},
          {"eps", eps < 0 ? "default" : fmt(eps)},
          {"lr_decay", fmt(lr_decay)},
          {"initial_accumulator_value", fmt(initial_accumulator_value)},
          {"rho", fmt(rho)},
          {"rmsprop_alpha", fmt(rmsprop_alpha)},
          {"centered", centered ? "true" : "false"},
          {"clip_grad_norm", fmt(clip_grad_norm)},
          {"clip_norm_type", fmt(clip_norm_type)},
          {"clip_grad_value", fmt(clip_grad_value)},
          {"lr_lambda", lr_lambda},
          {"milestones", list_text(milestones)},
          {"start_factor", fmt(start_factor)},
          {"end_factor", fmt(end_factor)},
          {"total_iters", std::to_string(total_iters)},
          {"factor", fmt(factor)},
          {"patience", std::to_string(patience)},
          {"threshold", fmt(threshold)},
          {"threshold_mode", threshold_mode},
          {"cooldown", std::to_string(cooldown)},
          {"min_lr", fmt(min_lr)},
          {"init", init},
          {"init_std", fmt(init_std)},
          {"init_bound", fmt(init_bound)},
          {"init_gain", fmt(init_gain)},
          {"init_mode", init_mode},
          {"init_nonlinearity", init_nonlinearity},
          {"init_a", fmt(init_a)},
          {"normalize", normalize ? "true" : "false"},
          {"normalize_mean", list_text(normalize_mean)},
          {"normalize_std", list_text(normalize_std)},
          {"warmup", std::to_string(warmup)},
          {"warmup_start_factor", fmt(warmup_start_factor)}};
}

learning::InitOptions TrainArgs::init_options() const {
  learning::InitOptions o;
  o.scheme = init;
  o.stddev = init_std;
  o.bound = init_bound;
  o.gain = init_gain;
  o.mode = init_mode;
  o.nonlinearity = init_nonlinearity;
  o.a = init_a;
  return o;
}

std::string TrainArgs::namespace_line() const {
  auto q = [](const std::string& s) { return s.empty() ? std::string("None") : "'" + s + "'"; };
  std::string out = "Namespace(T=" + std::to_string(T) + ", device=" + q(device) +
                    ", b=" + std::to_string(b) + ", epochs=" + std::to_string(epochs) +
                    ", j=" + std::to_string(j) + ", data_dir=" + q(data_dir) +
                    ", out_dir=" + q(out_dir) + ", resume=" + q(resume) +
                    ", amp=" + (amp ? "True" : "False") + ", opt=" + q(opt) +
                    ", momentum=" + fmt(momentum) + ", lr=" + fmt(lr) + ", tau=" + fmt(tau) +
                    ", seed=" + std::to_string(seed) + ", model=" + q(model);
  if (model == "file")
    out += ", model_file=" + q(model_file);
  else if (!is_resnet())
    out += ", hidden=[" + list_text(hidden) + "]";
  else
    out += ", preset=" + q(preset) + ", channels=[" + list_text(channels) + "], blocks=[" +
           list_text(blocks) + "]" + (model == "sew-resnet" ? ", connect=" + q(connect) : "") +
           ", head=" + q(head) + ", spiking_readout=" + (spiking_readout ? "True" : "False");
  out += ", encoder=" + q(encoder) + ", loss=" + q(loss) + ", sched=" + q(sched) +
         ", weight_decay=" + fmt(weight_decay) + ", surrogate=" + q(surrogate) +
         ", detach_reset=" + (detach_reset ? "True" : "False");
  if (clip_grad_norm > 0)
    out += ", clip_grad_norm=" + fmt(clip_grad_norm) + ", clip_norm_type=" + fmt(clip_norm_type);
  if (clip_grad_value > 0) out += ", clip_grad_value=" + fmt(clip_grad_value);
  if (sched == "lambda") out += ", lr_lambda=" + q(lr_lambda);
  if (warmup > 0) out += ", warmup=" + std::to_string(warmup);
  if (init != "default") out += ", init=" + q(init);
  if (normalize) out += ", normalize=True";
  out += ")";
  return out;
}

}  // namespace snn::apps
