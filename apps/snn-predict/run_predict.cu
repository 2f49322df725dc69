// snn-predict's body: checkpoint args → TrainArgs → the same build_model as snn-train.
#include <boost/program_options.hpp>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "apps/snn-predict/run_predict.h"
#include "apps/snn-train/train_model.h"
#include "apps/snn-train/train_options.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/cifar_reader.h"
#include "learning/train/checkpoint_state.h"
#include "learning/train/device_dataset.h"
#include "learning/train/trainer.h"
#include "sim/core/threads.h"

namespace snn::apps {

namespace po = boost::program_options;

namespace {

std::vector<double> doubles(const std::string& text) {
  std::vector<double> out;
  std::stringstream s(text);
  std::string part;
  while (std::getline(s, part, ','))
    if (!part.empty()) out.push_back(std::stod(part));
  return out;
}

std::vector<int> ints(const std::string& text) {
  std::vector<int> out;
  for (double d : doubles(text)) out.push_back(static_cast<int>(d));
  return out;
}

/// The training arguments that shape the network, from the checkpoint's /args.
TrainArgs train_args_of(const io::CheckpointData& ck, const std::string& where) {
  auto get = [&](const std::string& key) {
    auto it = ck.args.find(key);
    if (it == ck.args.end())
      throw FormatError(where + " has no argument '" + key + "' (not written by snn-train?)");
    return it->second;
  };
  auto opt = [&](const std::string& key, const std::string& fallback) {
    auto it = ck.args.find(key);
    return it == ck.args.end() ? fallback : it->second;
  };
  TrainArgs a;
  try {
    a.model = get("model");
    a.T = std::stoi(get("T"));
    a.seed = std::stoull(get("seed"));
    a.hidden = ints(opt("hidden", ""));
    a.tau = std::stod(get("tau"));
    a.v_threshold = std::stod(get("v_threshold"));
    a.detach_reset = get("detach_reset") == "true";
    a.surrogate = get("surrogate");
    a.alpha = std::stod(get("alpha"));
    a.encoder = get("encoder");
    a.preset = opt("preset", "");
    a.connect = opt("connect", "add");
    a.head = opt("head", "flatten");
    a.channels = ints(opt("channels", ""));
    a.blocks = ints(opt("blocks", ""));
    a.spiking_readout = opt("spiking_readout", "false") == "true";
    a.model_file = opt("model_file", "");  // -model-file: the network is the file's text
    a.model_json = opt("model_json", "");
    if (a.model == "file" && a.model_json.empty())
      throw FormatError(where + " was trained with -model-file but holds no model_json");
    a.normalize_mean = doubles(opt("normalize_mean", ""));
    a.normalize_std = doubles(opt("normalize_std", ""));
  } catch (const std::logic_error& e) {  // stoi/stod
    throw FormatError(where + ": an argument is not a number (" + e.what() + ")");
  }
  return a;
}

std::string rates_text(const std::vector<double>& r) {
  std::ostringstream s;
  s << "[[";
  for (std::size_t c = 0; c < r.size(); ++c)
    s << (c ? " " : "") << std::fixed << std::setprecision(2) << r[c];
  return s.str() + "]]";
}

}  // namespace

PredictArgs parse_predict_args(int argc, const char* const argv[]) {
  PredictArgs a;
  std::string rates;
  po::options_description o(
      "snn-predict: predictions of a trained network on the test images of a data folder.\n"
      "Usage: snn-predict CHECKPOINT -data-dir DIR [-out predictions.csv] [-b 64] [-rates 0,5]\n");
  o.add_options()("help,h", "print this help and exit")(
      "checkpoint", po::value<std::string>(&a.checkpoint), "checkpoint written by snn-train")(
      "data-dir", po::value<std::string>(&a.data_dir), "folder with IDX or CIFAR-10 test files")(
      "out", po::value<std::string>(&a.out)->default_value("predictions.csv"),
      "CSV of index,predicted,label")("b", po::value<int>(&a.b)->default_value(64), "batch size")(
      "T", po::value<int>(&a.T)->default_value(0), "time steps (0: the checkpoint's)")(
      "j", po::value<int>(&a.j)->default_value(4), "CPU threads")(
      "rates", po::value<std::string>(&rates),
      "test images whose output firing rates are printed, e.g. 0,5");
  po::positional_options_description pos;
  pos.add("checkpoint", 1);
  po::variables_map vm;
  try {
    auto style =
        (po::command_line_style::default_style | po::command_line_style::allow_long_disguise) &
        ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(argc, argv).options(o).positional(pos).style(style).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (vm.count("help")) {
    std::ostringstream s;
    s << o;
    a.help = true;
    a.help_text = s.str();
    return a;
  }
  if (a.checkpoint.empty())
    throw UsageError("a CHECKPOINT is required (e.g. logs/checkpoint_max.h5)");
  if (a.data_dir.empty()) throw UsageError("-data-dir is required");
  if (a.b < 1) throw UsageError("-b must be >= 1, got " + std::to_string(a.b));
  if (a.T < 0)
    throw UsageError("-T must be >= 1 (or 0: the checkpoint's), got " + std::to_string(a.T));
  if (a.j < 1) throw UsageError("-j must be >= 1, got " + std::to_string(a.j));
  try {
    a.rates = ints(rates);
  } catch (const std::logic_error&) {
    throw UsageError("-rates: '" + rates + "' is not a list of image indices");
  }
  return a;
}

void run_predict(const PredictArgs& p, std::ostream& out) {
  set_num_threads(p.j);
  const io::CheckpointData ck = io::read_checkpoint(p.checkpoint);
  const std::string where = "checkpoint '" + p.checkpoint + "'";
  TrainArgs a = train_args_of(ck, where);
  const io::ImageSet test = io::has_cifar10(p.data_dir) ? io::read_cifar10(p.data_dir, false)
                                                        : io::read_mnist(p.data_dir, false);
  // The readout's size: the first dimension of the last weight matrix.
  int classes = 0;
  for (auto it = ck.parameters.rbegin(); it != ck.parameters.rend() && classes == 0; ++it)
    if (it->shape.size() == 2) classes = static_cast<int>(it->shape[0]);
  if (classes < 1) throw FormatError(where + " has no readout weight matrix");
  for (std::size_t i = 0; i < test.labels.size(); ++i)
    if (test.labels[i] >= classes)
      throw FormatError("'" + p.data_dir + "': test label " + std::to_string(test.labels[i]) +
                        " of image " + std::to_string(i) + " is not below the network's " +
                        std::to_string(classes) + " classes");
  for (int r : p.rates)
    if (r < 0 || r >= test.count)
      throw UsageError("-rates: image " + std::to_string(r) + " outside the " +
                       std::to_string(test.count) + " test images");

  auto model = build_model(a, test.channels, test.rows, test.cols, classes);
  learning::load_named(ck.parameters, model->parameters(), "parameter", where);
  learning::load_named(ck.buffers, model->buffers(), "buffer", where);
  model->set_training(false);
  learning::ChannelNormalization norm{a.normalize_mean, a.normalize_std};
  learning::DeviceImageSet<float> set(test, norm);
  const int steps = p.T > 0 ? p.T : a.T;

  std::vector<int> predicted(test.count);
  std::vector<std::vector<double>> rates(test.count);
  learning::Tensor<float> images;
  DeviceVector<int> labels;
  for (int first = 0, b = 0; first < test.count; first += p.b, ++b) {
    const int n = std::min(p.b, test.count - first);
    set.gather(nullptr, first, n, images, labels);
    const std::vector<float> o =
        model->forward(images, steps, learning::test_batch_key(0, b)).to_host();
    for (int i = 0; i < n; ++i) {
      std::vector<double> r(classes, 0.0);
      for (int t = 0; t < steps; ++t)
        for (int c = 0; c < classes; ++c)
          r[c] += o[(static_cast<std::size_t>(t) * n + i) * classes + c];
      for (double& x : r) x /= steps;
      predicted[first + i] =
          static_cast<int>(std::max_element(r.begin(), r.end()) - r.begin());  // first max
      rates[first + i] = std::move(r);
    }
  }
  int correct = 0;
  for (int i = 0; i < test.count; ++i) correct += predicted[i] == test.labels[i];
  io::write_atomically(p.out, [&](const std::string& tmp) {
    std::ofstream f(tmp);
    f << "index,predicted,label\n";
    for (int i = 0; i < test.count; ++i)
      f << i << ',' << predicted[i] << ',' << int(test.labels[i]) << '\n';
    if (!f) throw IoError("cannot write '" + tmp + "'");
  });
  out << "# " << model->describe() << "; T " << steps << "; " << test.count << " test images of '"
      << p.data_dir << "'\n";
  out << "accuracy = " << std::fixed << std::setprecision(4) << double(correct) / test.count << " ("
      << correct << "/" << test.count << ")\n";
  for (int r : p.rates)
    out << "image " << r << ": label " << int(test.labels[r]) << " predicted " << predicted[r]
        << " Firing rate: " << rates_text(rates[r]) << '\n';
  out << "predictions: " << p.out << std::endl;
}

}  // namespace snn::apps
