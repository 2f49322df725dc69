// snn-train's body: data → model → optimizer/schedule → Trainer → trace.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "apps/snn-train/run_train.h"
#include "io/atomic_file.h"
#include "io/idx_reader.h"
#include "io/npy_writer.h"
#include "io/training_trace.h"
#include "learning/model/fc_network.h"
#include "learning/model/resnet_builder.h"
#include "learning/train/trainer.h"
#include "sim/core/device_info.h"
#include "sim/core/threads.h"

namespace snn::apps {

namespace {

using learning::Classifier;

learning::LIFParams neuron_params(const TrainArgs& a) {
  learning::LIFParams p;
  p.tau = a.tau;
  p.v_threshold = a.v_threshold;
  p.detach_reset = a.detach_reset;
  p.surrogate = learning::parse_surrogate(a.surrogate);
  if (a.alpha > 0) p.surrogate.alpha = a.alpha;
  learning::validate(p);
  return p;
}

std::unique_ptr<Classifier<float>> build_model(const TrainArgs& a, const io::ImageSet& train,
                                               int classes) {
  learning::LIFParams neuron = neuron_params(a);
  if (!a.is_resnet()) {
    if (a.encoder != "poisson")
      throw UsageError("-encoder direct is available for -model resnet and sew-resnet only");
    return learning::build_fc_classifier<float>(train.pixels(), a.hidden, classes, neuron, a.seed);
  }
  learning::ResNetConfig cfg = learning::resnet_preset(a.preset);
  cfg.block = a.model == "sew-resnet" ? "sew" : "spiking";
  cfg.connect = a.connect;
  cfg.head = a.head;
  if (!a.channels.empty()) cfg.channels = a.channels;
  if (!a.blocks.empty()) cfg.blocks = a.blocks;
  if (cfg.channels.size() != cfg.blocks.size())
    throw UsageError("-channels and -blocks must have the same number of stages");
  cfg.encoder =
      a.encoder == "poisson" ? learning::EncoderKind::Poisson : learning::EncoderKind::Direct;
  cfg.neuron = neuron;
  cfg.spiking_readout = a.spiking_readout;
  learning::validate_resnet_config(cfg);
  return learning::build_resnet<float>(cfg, 1, train.rows, train.cols, classes, a.seed);
}

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
  io::ImageSet train = io::read_mnist(a.data_dir, true);
  io::ImageSet test = io::read_mnist(a.data_dir, false);
  if (train.rows != test.rows || train.cols != test.cols)
    throw FormatError("'" + a.data_dir + "': training images are " + std::to_string(train.rows) +
                      "×" + std::to_string(train.cols) + " but test images are " +
                      std::to_string(test.rows) + "×" + std::to_string(test.cols));
  const int classes = std::max({10, train.classes(), test.classes()});

  auto model = build_model(a, train, classes);
  learning::OptimizerOptions oo;
  oo.name = a.opt;
  oo.lr = a.lr;
  oo.weight_decay = a.weight_decay;
  oo.momentum = a.opt == "sgd" ? a.momentum : 0.0;
  auto optimizer = learning::make_optimizer<float>(oo, model->parameters());
  learning::SchedulerOptions so;
  so.name = a.sched;
  so.base_lr = a.lr;
  so.epochs = a.epochs;
  so.step_size = a.step_size;
  so.gamma = a.gamma;
  so.t_max = a.t_max;
  so.eta_min = a.eta_min;
  auto scheduler = learning::make_scheduler(so);

  learning::DeviceImageSet<float> train_set(train), test_set(test);
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
  to.args = a.as_map();
  learning::Trainer<float> trainer(*model, *optimizer, *scheduler, train_set, test_set, to, out);
  if (!a.resume.empty()) trainer.resume(a.resume);

  out << a.namespace_line() << '\n';
  out << a.out_dir << '\n';
  out << model->describe() << '\n';
  out << "# " << optimizer->describe() << "; " << scheduler->describe() << "; "
      << device_description() << "; train " << train.count << " test " << test.count << " images";
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
