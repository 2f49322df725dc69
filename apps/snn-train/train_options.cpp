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
#include "io/idx_reader.h"
#include "sim/core/config.h"

namespace snn::apps {

namespace po = boost::program_options;

namespace {

bool looks_negative_number(const std::string& s) {
  return s.size() >= 2 && s[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}

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

  std::vector<std::string> hidden, channels, blocks;
  po::options_description sj("SpikingJelly lif_fc_mnist options (single or double dash)");
  sj.add_options()("help,h", "print this help and exit")(
      "T", po::value<int>(&a.T), "simulating time-steps (default 100 for fc, 4 for resnet)")(
      "device", po::value<std::string>(&a.device), "cpu or cuda (default: the build's device)")(
      "b", po::value<int>(&a.b)->default_value(64), "batch size")(
      "epochs", po::value<int>(&a.epochs)->default_value(100), "number of total epochs to run")(
      "j", po::value<int>(&a.j)->default_value(4),
      "CPU threads (SpikingJelly: data-loading workers)")(
      "data-dir", po::value<std::string>(&a.data_dir),
      "folder with the MNIST-format IDX files (gzip'd or not)")(
      "out-dir", po::value<std::string>(&a.out_dir)->default_value("./logs"),
      "run folder for checkpoints, metrics.csv, trace.h5")(
      "resume", po::value<std::string>(&a.resume),
      "resume from this checkpoint (e.g. OUT/checkpoint_latest.h5)")(
      "amp", po::bool_switch(&a.amp), "accepted for compatibility (training is float32)")(
      "opt", po::value<std::string>(&a.opt)->default_value("adam"),
      "optimizer: sgd, adam or adamw")(
      "momentum", po::value<double>(&a.momentum)->default_value(0.9, "0.9"), "momentum for SGD")(
      "lr", po::value<double>(&a.lr)->default_value(1e-3, "0.001"), "learning rate")(
      "tau", po::value<double>(&a.tau)->default_value(2.0, "2.0"),
      "parameter tau of the LIF neurons");
  po::options_description ours("Network, loss, schedule and run options");
  ours.add_options()("seed", po::value<std::uint64_t>(&a.seed)->default_value(0),
                     "seed of weights, Poisson draws and shuffling")(
      "hidden", po::value<std::vector<std::string>>(&hidden)->composing(),
      "hidden layer sizes of the fc model, repeatable or a comma list (-hidden 20 → 784-20-10)")(
      "loss", po::value<std::string>(&a.loss)->default_value("mse"),
      "mse or ce (on the firing rate)")("sched",
                                        po::value<std::string>(&a.sched)->default_value("none"),
                                        "learning-rate schedule: none, step, exp, cosine")(
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
      "resnet size preset: tiny, small (default) or medium")(
      "spiking-readout", po::bool_switch(&a.spiking_readout),
      "resnet: LIF after the readout Linear (spikes out)");
  po::options_description all(
      "snn-train: train a spiking network with BPTT on MNIST-format data.\n"
      "Usage: snn-train -data-dir DIR [-out-dir DIR] [-T 100] [-b 64] [-epochs N] ...\n");
  all.add(sj).add(ours).add(res);

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
  a.hidden = parse_int_list(hidden, "hidden");
  a.channels = parse_int_list(channels, "channels");
  a.blocks = parse_int_list(blocks, "blocks");
  return a;
}

void validate_train_args(TrainArgs& a) {
  if (a.help) return;
  one_of("model", a.model, {"fc", "resnet", "sew-resnet"});
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
  one_of("opt", a.opt, {"sgd", "adam", "adamw"});
  one_of("loss", a.loss, {"mse", "ce"});
  one_of("sched", a.sched, {"none", "step", "exp", "cosine"});
  one_of("surrogate", a.surrogate, {"atan", "sigmoid", "piecewise_quadratic", "soft_sign"});
  one_of("connect", a.connect, {"add", "and", "iand"});
  one_of("head", a.head, {"flatten", "gap"});
  if (a.encoder.empty()) a.encoder = a.is_resnet() ? "direct" : "poisson";
  one_of("encoder", a.encoder, {"poisson", "direct"});
  for (int h : a.hidden)
    if (h < 1) throw UsageError("-hidden sizes must be >= 1, got " + std::to_string(h));
  if (a.is_resnet() && !a.hidden.empty()) throw UsageError("-hidden applies to -model fc only");
  if (!a.is_resnet() &&
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
  for (const char* base : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    try {
      io::find_idx_file(a.data_dir, base);
    } catch (const IoError& e) {
      throw IoError(std::string("-data-dir: ") + e.what());
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
          {"spiking_readout", spiking_readout ? "true" : "false"}};
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
  if (!is_resnet())
    out += ", hidden=[" + list_text(hidden) + "]";
  else
    out += ", preset=" + q(preset) + ", channels=[" + list_text(channels) + "], blocks=[" +
           list_text(blocks) + "]" + (model == "sew-resnet" ? ", connect=" + q(connect) : "") +
           ", head=" + q(head) + ", spiking_readout=" + (spiking_readout ? "True" : "False");
  out += ", encoder=" + q(encoder) + ", loss=" + q(loss) + ", sched=" + q(sched) +
         ", weight_decay=" + fmt(weight_decay) + ", surrogate=" + q(surrogate) +
         ", detach_reset=" + (detach_reset ? "True" : "False") + ")";
  return out;
}

}  // namespace snn::apps
