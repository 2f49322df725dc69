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
#include "io/idx_reader.h"
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
  io::ImageSet train = io::read_mnist(a.data_dir, true);
  io::ImageSet test = io::read_mnist(a.data_dir, false);
  if (train.rows != test.rows || train.cols != test.cols)
    throw FormatError("'" + a.data_dir + "': training images are " + std::to_string(train.rows) +
                      "×" + std::to_string(train.cols) + " but test images are " +
                      std::to_string(test.rows) + "×" + std::to_string(test.cols));
  const int classes = std::max({10, train.classes(), test.classes()});

  auto model = build_model(a, train.rows, train.cols, classes);
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
  // What the converter (snn-nir-export) needs to rebuild the network from a checkpoint alone.
  to.args["image_rows"] = std::to_string(train.rows);
  to.args["image_cols"] = std::to_string(train.cols);
  to.args["classes"] = std::to_string(classes);
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
  // model.nir: the network after the last epoch (as checkpoint_latest.h5), written once at the end.
  try {
    write_model_nir(*model, a, train.rows, train.cols,
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
    out << firing_rates(tr) << std::endl;
  }
}

}  // namespace snn::apps
