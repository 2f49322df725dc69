// snn-train's body: data → model → optimizer/schedule → Trainer → trace.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "apps/snn-train/run_train.h"
#include "apps/snn-train/train_model.h"
#include "io/atomic_file.h"
#include "io/cifar_reader.h"
#include "io/dataset_classes.h"
#include "io/idx_reader.h"
#include "io/npy_writer.h"
#include "io/training_trace.h"
#include "learning/train/trainer.h"
#include "sim/core/device_info.h"
#include "sim/core/threads.h"

namespace snn::apps {

namespace {

using learning::Classifier;

std::string firing_rates(const io::TrainingTrace& tr) {
  std::ostringstream s;
  s << "Firing rate: [[";
  for (int c = 0; c < tr.classes; ++c) {
    double n = 0;
    for (int t = 0; t < tr.steps; ++t) n += tr.s[static_cast<std::size_t>(t) * tr.classes + c];
    s << (c ? " " : "") << std::fixed << std::setprecision(2) << n / tr.steps;
  }
  s << "]]";
  return s.str();
}

}  // namespace

void run_train(const TrainArgs& a, std::ostream& out) {
  if (!device_available()) throw IoError("no usable device: " + device_description());
  set_num_threads(a.j);
  const bool cifar = io::has_cifar10(a.data_dir);
  io::ImageSet train =
      cifar ? io::read_cifar10(a.data_dir, true) : io::read_mnist(a.data_dir, true);
  io::ImageSet test =
      cifar ? io::read_cifar10(a.data_dir, false) : io::read_mnist(a.data_dir, false);
  if (train.rows != test.rows || train.cols != test.cols)
    throw FormatError("'" + a.data_dir + "': training images are " + std::to_string(train.rows) +
                      "×" + std::to_string(train.cols) + " but test images are " +
                      std::to_string(test.rows) + "×" + std::to_string(test.cols));
  const int classes =
      cifar
          ? io::checked_class_count(
                train, test, "CIFAR-10 training batches in '" + a.data_dir + "'", "the test batch")
          : io::checked_class_count(train, test, "the training labels in '" + a.data_dir + "'",
                                    "the test labels (t10k-labels-idx1-ubyte)");

  auto model = build_model(a, train.channels, train.rows, train.cols, classes);
  learning::initialize(model->parameters(), a.init_options(), a.seed);
  learning::OptimizerOptions oo;
  oo.name = a.opt;
  oo.lr = a.lr;
  oo.weight_decay = a.weight_decay;
  oo.momentum = a.opt == "sgd" || a.opt == "rmsprop" ? a.momentum : 0.0;
  oo.dampening = a.dampening;
  oo.nesterov = a.nesterov;
  oo.beta1 = a.beta1;
  oo.beta2 = a.beta2;
  oo.eps = a.eps;
  oo.lr_decay = a.lr_decay;
  oo.initial_accumulator_value = a.initial_accumulator_value;
  oo.rho = a.rho;
  oo.alpha = a.rmsprop_alpha;
  oo.centered = a.centered;
  auto optimizer = learning::make_optimizer<float>(oo, model->parameters());
  learning::SchedulerOptions so;
  so.name = a.sched;
  so.base_lr = a.lr;
  so.epochs = a.epochs;
  so.step_size = a.step_size;
  so.gamma = a.gamma;
  so.t_max = a.t_max;
  so.eta_min = a.eta_min;
  so.milestones = a.milestones;
  so.start_factor = a.start_factor;
  so.end_factor = a.end_factor;
  so.total_iters = a.total_iters;
  so.lr_lambda = a.lr_lambda;
  so.factor = a.factor;
  so.patience = a.patience;
  so.threshold = a.threshold;
  so.threshold_mode = a.threshold_mode;
  so.cooldown = a.cooldown;
  so.min_lr = a.min_lr;
  so.warmup = a.warmup;
  so.warmup_start_factor = a.warmup_start_factor;
  auto scheduler = learning::make_scheduler(so);

  learning::ChannelNormalization norm;
  if (a.normalize) {
    norm = a.normalize_mean.empty()
               ? learning::channel_statistics(train)
               : learning::ChannelNormalization{a.normalize_mean, a.normalize_std};
  }
  learning::DeviceImageSet<float> train_set(train, norm), test_set(test, norm);
  learning::TrainerOptions to;
  to.steps = a.T;
  to.batch = a.b;
  to.epochs = a.epochs;
  to.seed = a.seed;
  to.loss = learning::parse_loss(a.loss);
  to.out_dir = a.out_dir;
  to.max_train_batches = a.max_train_batches;
  to.max_test_batches = a.max_test_batches;
  to.tau = a.tau;
  to.v_threshold = a.v_threshold;
  to.clip_grad_norm = a.clip_grad_norm;
  to.clip_norm_type = a.clip_norm_type;
  to.clip_grad_value = a.clip_grad_value;
  to.args = a.as_map();
  // What the converter (snn-nir-export) needs to rebuild the network from a checkpoint alone.
  to.args["image_channels"] = std::to_string(train.channels);
  to.args["image_rows"] = std::to_string(train.rows);
  to.args["image_cols"] = std::to_string(train.cols);
  to.args["classes"] = std::to_string(classes);
  if (!norm.empty()) {  // the values used, so that inference standardises the same way
    auto text = [](const std::vector<double>& v) {
      std::ostringstream s;
      s.precision(17);
      for (std::size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
      return s.str();
    };
    to.args["normalize_mean"] = text(norm.mean);
    to.args["normalize_std"] = text(norm.std);
  }
  learning::Trainer<float> trainer(*model, *optimizer, *scheduler, train_set, test_set, to, out);
  if (!a.resume.empty()) trainer.resume(a.resume);

  out << a.namespace_line() << '\n';
  out << a.out_dir << '\n';
  out << model->describe() << '\n';
  out << "# " << optimizer->describe() << "; " << scheduler->describe() << "; "
      << device_description() << "; train " << train.count << " test " << test.count << " images";
  if (a.init != "default") out << "; init " << a.init;
  if (!norm.empty()) {
    out << "; normalize mean";
    for (double m : norm.mean) out << ' ' << m;
    out << " std";
    for (double s : norm.std) out << ' ' << s;
  }
  if (trainer.start_epoch() > 0) out << "; resumed at epoch " << trainer.start_epoch();
  out << std::endl;
  if (a.amp) out << "# -amp has no effect: training runs in float32" << std::endl;
  io::write_atomically((std::filesystem::path(a.out_dir) / "args.txt").string(),
                       [&](const std::string& tmp) {
                         std::ofstream f(tmp);
                         f << a.namespace_line() << "\nsnn-train";
                         for (const std::string& t : a.command_line) f << ' ' << t;
                         f << '\n';
                         if (!f) throw IoError("cannot write '" + tmp + "'");
                       });

  trainer.run();
  // model.nir: the network after the last epoch (as checkpoint_latest.h5), written once at the end.
  try {
    write_model_nir(*model, a, train.channels, train.rows, train.cols,
                    (std::filesystem::path(a.out_dir) / "model.nir").string());
  } catch (const InvalidParameter& e) {  // a layer NIR cannot express: the run itself succeeded
    out << "# no model.nir: " << e.what() << std::endl;
  }

  if (a.trace != "none") {
    io::TrainingTrace tr;
    try {
      tr = trainer.trace(0);
    } catch (const InvalidParameter& e) {  // a non-spiking readout has no membrane potential
      out << "# no trace: " << e.what() << std::endl;
      return;
    }
    io::write_training_trace(a.trace, tr);
    if (a.save_npy) {  // SpikingJelly's lif_fc_mnist file names and shapes: [T, classes]
      const std::filesystem::path dir(a.out_dir);
      const std::vector<std::size_t> shape{static_cast<std::size_t>(tr.steps),
                                           static_cast<std::size_t>(tr.classes)};
      io::write_npy((dir / "v_t_array.npy").string(), tr.v, shape);
      io::write_npy((dir / "s_t_array.npy").string(), tr.s, shape);
    }
    out << firing_rates(tr) << std::endl;
  }
}

}  // namespace snn::apps
