// snn.Model: the trainer's networks (learning/) from Python. snn.fc and snn.resnet build the
// networks of snn-train -model fc / resnet / sew-resnet; fit() runs learning::Trainer with the
// app's optimizers, schedules, checkpoints and metrics.csv; evaluate/predict/simulate; weights
// in and out as NumPy arrays; checkpoints of snn-train load into the same network.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <sstream>
#include <streambuf>

#include "io/checkpoint.h"
#include "io/idx_reader.h"
#include "learning/model/fc_network.h"
#include "learning/model/resnet_builder.h"
#include "learning/train/checkpoint_state.h"
#include "learning/train/trainer.h"
#include "python/src/bindings.h"
#include "python/src/interrupt.h"
#include "sim/core/errors.h"

namespace py = pybind11;

namespace snn::python {
namespace {

using learning::Classifier;

/// A streambuf that hands each flushed chunk to sys.stdout (taking the GIL), or drops it.
class PythonOut : public std::streambuf {
 public:
  explicit PythonOut(bool on) : on_(on) {}
  ~PythonOut() override { sync(); }

 protected:
  int overflow(int c) override {
    if (c != EOF) buffer_ += static_cast<char>(c);
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    buffer_.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int sync() override {
    if (on_ && !buffer_.empty()) {
      py::gil_scoped_acquire gil;
      py::module_::import("sys").attr("stdout").attr("write")(buffer_);
      py::module_::import("sys").attr("stdout").attr("flush")();
    }
    buffer_.clear();
    return 0;
  }

 private:
  bool on_;
  std::string buffer_;
};

/// Images [N, rows, cols] or [N, rows·cols] of uint8 and integer labels [N] as an io::ImageSet.
io::ImageSet image_set(const py::array& images, const py::array& labels, int rows, int cols) {
  if (images.dtype().kind() != 'u' || images.itemsize() != 1)
    throw InvalidParameter("images must be uint8 (0..255, as the IDX files hold them), got " +
                           std::string(py::str(images.dtype())));
  auto img = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(images);
  io::ImageSet s;
  if (img.ndim() == 3) {
    s.rows = static_cast<int>(img.shape(1));
    s.cols = static_cast<int>(img.shape(2));
  } else if (img.ndim() == 2) {
    require(img.shape(1) == static_cast<py::ssize_t>(rows) * cols,
            "images [N, " + std::to_string(img.shape(1)) + "]: the network takes " +
                std::to_string(rows) + "×" + std::to_string(cols) + " pixels");
    s.rows = rows;
    s.cols = cols;
  } else {
    throw InvalidParameter("images must be [N, rows, cols] or [N, pixels], got " +
                           std::to_string(img.ndim()) + " dimensions");
  }
  require(s.rows == rows && s.cols == cols, "images are " + std::to_string(s.rows) + "×" +
                                                std::to_string(s.cols) + ", the network takes " +
                                                std::to_string(rows) + "×" + std::to_string(cols));
  s.count = static_cast<int>(img.shape(0));
  s.images.assign(img.data(), img.data() + img.size());
  auto lab = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(labels);
  if (!lab || lab.ndim() != 1 || lab.shape(0) != s.count)
    throw InvalidParameter("labels must be integers [" + std::to_string(s.count) + "]");
  s.labels.resize(s.count);
  for (int i = 0; i < s.count; ++i) {
    const std::int64_t l = lab.data()[i];
    require(l >= 0 && l < 256,
            "label " + std::to_string(l) + " of image " + std::to_string(i) + " outside [0, 256)");
    s.labels[i] = static_cast<std::uint8_t>(l);
  }
  return s;
}

/// Labels only matter for fit/evaluate: predict takes images alone.
py::array zero_labels(const py::array& images) {
  py::array_t<std::int64_t> labels(images.ndim() ? images.shape(0) : 0);
  std::fill(labels.mutable_data(), labels.mutable_data() + labels.size(), 0);
  return labels;
}

py::array_t<float> tensor_array(const learning::Tensor<float>& t) {
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  py::array_t<float> a(shape);
  std::vector<float> h = t.to_host();
  std::copy(h.begin(), h.end(), a.mutable_data());
  return a;
}

learning::LIFParams neuron_params(double tau, double v_threshold, bool detach_reset,
                                  const std::string& surrogate, double alpha) {
  learning::LIFParams p;
  p.tau = tau;
  p.v_threshold = v_threshold;
  p.detach_reset = detach_reset;
  p.surrogate = learning::parse_surrogate(surrogate);
  if (alpha > 0) p.surrogate.alpha = alpha;
  learning::validate(p);
  return p;
}

class PyModel {
 public:
  PyModel(std::unique_ptr<Classifier<float>> m, std::string kind, int rows, int cols, int classes,
          int default_steps, double tau, double v_threshold, std::uint64_t seed)
      : model_(std::move(m)),
        kind_(std::move(kind)),
        rows_(rows),
        cols_(cols),
        classes_(classes),
        default_steps_(default_steps),
        tau_(tau),
        v_threshold_(v_threshold),
        seed_(seed) {}

  int steps(std::optional<int> T) const {
    const int t = T.value_or(default_steps_);
    require(t >= 1, "T (steps) must be >= 1, got " + std::to_string(t));
    return t;
  }

  py::list fit(const py::array& train_x, const py::array& train_y, const py::array& test_x,
               const py::array& test_y, int epochs, std::optional<int> T, int batch,
               const std::string& opt, double lr, double momentum, double weight_decay,
               const std::string& sched, int step_size, double gamma, int t_max, double eta_min,
               const std::string& loss, std::uint64_t seed, const std::string& out_dir,
               const std::string& resume, int max_train_batches, int max_test_batches,
               bool verbose) {
    io::ImageSet train = image_set(train_x, train_y, rows_, cols_);
    io::ImageSet test = image_set(test_x, test_y, rows_, cols_);
    learning::OptimizerOptions oo;
    oo.name = opt;
    oo.lr = lr;
    oo.weight_decay = weight_decay;
    oo.momentum = opt == "sgd" ? momentum : 0.0;
    auto optimizer = learning::make_optimizer<float>(oo, model_->parameters());
    learning::SchedulerOptions so;
    so.name = sched;
    so.base_lr = lr;
    so.epochs = epochs;
    so.step_size = step_size;
    so.gamma = gamma;
    so.t_max = t_max;
    so.eta_min = eta_min;
    auto scheduler = learning::make_scheduler(so);
    learning::TrainerOptions to;
    to.steps = steps(T);
    to.batch = batch;
    to.epochs = epochs;
    to.seed = seed;
    to.loss = learning::parse_loss(loss);
    to.out_dir = out_dir;
    to.progress = false;
    to.max_train_batches = max_train_batches;
    to.max_test_batches = max_test_batches;
    to.tau = tau_;
    to.v_threshold = v_threshold_;
    to.args = {{"T", std::to_string(to.steps)},
               {"b", std::to_string(batch)},
               {"epochs", std::to_string(epochs)},
               {"opt", opt},
               {"lr", num(lr)},
               {"loss", loss},
               {"sched", sched},
               {"seed", std::to_string(seed)},
               {"model", kind_},
               {"tau", num(tau_)},
               {"v_threshold", num(v_threshold_)},
               {"weight_decay", num(weight_decay)},
               {"momentum", num(momentum)},
               {"source", "python"}};
    to.on_batch = [] { check_signals_without_gil(); };
    PythonOut buf(verbose);
    std::ostream out(&buf);
    std::vector<learning::EpochMetrics> history = without_gil([&] {
      learning::DeviceImageSet<float> train_set(train), test_set(test);
      learning::Trainer<float> trainer(*model_, *optimizer, *scheduler, train_set, test_set, to,
                                       out);
      if (!resume.empty()) trainer.resume(resume);
      trainer.run();
      out.flush();
      return trainer.history();
    });
    py::list rows;
    for (const auto& m : history) {
      py::dict d;
      d["epoch"] = m.epoch;
      d["train_loss"] = m.train_loss;
      d["train_acc"] = m.train_acc;
      d["test_loss"] = m.test_loss;
      d["test_acc"] = m.test_acc;
      d["max_test_acc"] = m.max_test_acc;
      d["train_speed"] = m.train_speed;
      d["test_speed"] = m.test_speed;
      d["lr"] = m.lr;
      rows.append(d);
    }
    return rows;
  }

  /// Batches of the set through the network in evaluation mode, each batch's output to f.
  template <class F>
  void batches(const io::ImageSet& set, int steps, int batch, F&& f) {
    require(batch >= 1, "batch size must be >= 1, got " + std::to_string(batch));
    without_gil([&] {
      learning::DeviceImageSet<float> data(set);
      learning::Tensor<float> images;
      DeviceVector<int> labels;
      const bool was_training = model_->training();
      model_->set_training(false);
      try {
        for (int b = 0, first = 0; first < data.count(); ++b, first += batch) {
          const int n = std::min(batch, data.count() - first);
          data.gather(nullptr, first, n, images, labels);
          const auto& out = model_->forward(images, steps, learning::test_batch_key(0, b));
          f(out, labels, first, n);
          check_signals_without_gil();
        }
      } catch (...) {
        model_->set_training(was_training);
        throw;
      }
      model_->set_training(was_training);
    });
  }

  py::dict evaluate(const py::array& x, const py::array& y, std::optional<int> T, int batch,
                    const std::string& loss) {
    io::ImageSet set = image_set(x, y, rows_, cols_);
    const learning::LossKind kind = learning::parse_loss(loss);
    double loss_sum = 0;
    long correct = 0;
    batches(set, steps(T), batch, [&](const auto& out, const auto& labels, int, int n) {
      loss_sum += learning::rate_loss_value(kind, out, labels) * n;
      correct += learning::count_correct(out, labels);
    });
    py::dict d;
    d["loss"] = set.count ? loss_sum / set.count : 0.0;
    d["acc"] = set.count ? static_cast<double>(correct) / set.count : 0.0;
    return d;
  }

  py::array_t<float> predict(const py::array& x, std::optional<int> T, int batch) {
    io::ImageSet set = image_set(x, zero_labels(x), rows_, cols_);
    py::array_t<float> rates(
        {static_cast<py::ssize_t>(set.count), static_cast<py::ssize_t>(classes_)});
    float* r = rates.mutable_data();
    const int steps_ = steps(T);
    batches(set, steps_, batch, [&](const auto& out, const auto&, int first, int n) {
      std::vector<float> h = out.to_host();  // [T, n, classes]
      std::fill(r + static_cast<std::size_t>(first) * classes_,
                r + static_cast<std::size_t>(first + n) * classes_, 0.0f);
      for (int t = 0; t < steps_; ++t)
        for (int i = 0; i < n * classes_; ++i)
          r[static_cast<std::size_t>(first) * classes_ + i] +=
              h[static_cast<std::size_t>(t) * n * classes_ + i] / steps_;
    });
    return rates;
  }

  py::tuple simulate(const py::array& x, std::optional<int> T, std::uint64_t key) {
    io::ImageSet set = image_set(x, zero_labels(x), rows_, cols_);
    require(set.count >= 1, "simulate: no images");
    py::object out, v = py::none();
    without_gil([&] {
      learning::DeviceImageSet<float> data(set);
      learning::Tensor<float> images;
      DeviceVector<int> labels;
      data.gather(nullptr, 0, data.count(), images, labels);
      const bool was_training = model_->training();
      model_->set_training(false);
      const auto& o = model_->forward(images, steps(T), key);
      model_->set_training(was_training);
      py::gil_scoped_acquire gil;
      out = tensor_array(o);
      try {
        v = tensor_array(model_->output_v_seq());
      } catch (const InvalidParameter&) {  // a non-spiking readout has no membrane potential
      }
    });
    return py::make_tuple(out, v);
  }

  py::dict weights() {
    py::dict d;
    for (auto* p : model_->parameters()) d[py::str(p->name)] = tensor_array(p->value);
    return d;
  }
  py::dict buffers() {
    py::dict d;
    for (auto* b : model_->buffers()) d[py::str(b->name)] = tensor_array(b->value);
    return d;
  }

  static std::vector<io::NamedTensor> named(const py::dict& d) {
    std::vector<io::NamedTensor> out;
    for (auto item : d) {
      auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(item.second);
      if (!a) throw py::type_error("weights must be arrays of numbers");
      io::NamedTensor n;
      n.name = py::str(item.first);
      n.shape.assign(a.shape(), a.shape() + a.ndim());
      n.values.assign(a.data(), a.data() + a.size());
      out.push_back(std::move(n));
    }
    return out;
  }

  void set_weights(const py::dict& d, bool strict) {
    auto saved = named(d);
    if (strict) {
      learning::load_named(saved, model_->parameters(), "parameter", "set_weights");
      return;
    }
    learning::check_shapes(saved, model_->parameters(), "set_weights");
    for (auto* p : model_->parameters())
      for (auto& n : saved)
        if (n.name == p->name) learning::load_named(saved, p->name, p->value, "set_weights");
  }
  void set_buffers(const py::dict& d) {
    learning::load_named(named(d), model_->buffers(), "buffer", "set_buffers");
  }

  py::dict load_checkpoint(const std::string& path) {
    io::CheckpointData ck = io::read_checkpoint(path);
    const std::string where = "checkpoint '" + path + "'";
    learning::load_named(ck.parameters, model_->parameters(), "parameter", where);
    learning::load_named(ck.buffers, model_->buffers(), "buffer", where);
    py::dict d;
    d["epoch"] = ck.epoch;
    d["max_test_acc"] = ck.max_test_acc;
    d["args"] = ck.args;
    return d;
  }

  std::string describe() const { return model_->describe(); }
  const std::string& kind() const { return kind_; }
  int classes() const { return classes_; }
  std::pair<int, int> image_shape() const { return {rows_, cols_}; }
  int default_steps() const { return default_steps_; }
  std::uint64_t seed() const { return seed_; }

 private:
  std::unique_ptr<Classifier<float>> model_;
  std::string kind_;
  int rows_, cols_, classes_, default_steps_;
  double tau_, v_threshold_;
  std::uint64_t seed_;
};

}  // namespace

void bind_train(py::module_& m) {
  py::class_<PyModel>(m, "Model", R"doc(
A spiking classifier trained by BPTT with surrogate gradients (SpikingJelly activation_based
semantics), built by snn.fc() or snn.resnet(). Images are uint8 arrays [N, rows, cols] (or
[N, rows*cols]) as read_mnist() returns them; labels integer arrays [N].

    model = snn.fc(hidden=[], seed=0)                       # 784-10, as snn-train -model fc
    history = model.fit(x_train, y_train, x_test, y_test, epochs=1, T=100, lr=1e-3)
    rates = model.predict(x_test[:8])                       # [8, 10] firing rates
    w = model.weights()["fc0.weight"]                      # [10, 784] float32
)doc")
      .def("fit", &PyModel::fit, py::arg("train_images"), py::arg("train_labels"),
           py::arg("test_images"), py::arg("test_labels"), py::kw_only(), py::arg("epochs") = 1,
           py::arg("T") = py::none(), py::arg("batch") = 64, py::arg("opt") = "adam",
           py::arg("lr") = 1e-3, py::arg("momentum") = 0.9, py::arg("weight_decay") = 0.0,
           py::arg("sched") = "none", py::arg("step_size") = 30, py::arg("gamma") = 0.1,
           py::arg("t_max") = 0, py::arg("eta_min") = 0.0, py::arg("loss") = "mse",
           py::arg("seed") = 0, py::arg("out_dir") = "", py::arg("resume") = "",
           py::arg("max_train_batches") = 0, py::arg("max_test_batches") = 0,
           py::arg("verbose") = true,
           "Trains as snn-train does (the same loop, optimizers, schedules and seeds): epochs "
           "0 .. epochs-1 (from the checkpoint's next epoch with resume=), each followed by "
           "the test set. opt: sgd, adam, adamw; sched: none, step, exp, cosine; loss: mse, "
           "ce; seed: shuffling and Poisson draws. With out_dir, writes checkpoint_latest.h5, "
           "checkpoint_max.h5 and metrics.csv there. A fresh optimizer per call. Runs without "
           "the GIL; Ctrl-C stops it after the current batch. Returns one dict per epoch.")
      .def("evaluate", &PyModel::evaluate, py::arg("images"), py::arg("labels"), py::kw_only(),
           py::arg("T") = py::none(), py::arg("batch") = 64, py::arg("loss") = "mse",
           "{'loss', 'acc'} over the images, in evaluation mode (the test loop of fit).")
      .def("predict", &PyModel::predict, py::arg("images"), py::kw_only(),
           py::arg("T") = py::none(), py::arg("batch") = 64,
           "Firing rates [N, classes] (the output averaged over T); argmax is the class.")
      .def("simulate", &PyModel::simulate, py::arg("images"), py::kw_only(),
           py::arg("T") = py::none(), py::arg("key") = 0,
           "(output, v): the output layer's spikes (or readout values) and membrane potential, "
           "float32 [T, N, classes] each (v is None for a non-spiking readout); `key` selects "
           "the Poisson draws.")
      .def("weights", &PyModel::weights,
           "The trained parameters {name: float32 array}, e.g. 'fc0.weight' [10, 784] "
           "(PyTorch's [out, in]); copies.")
      .def("set_weights", &PyModel::set_weights, py::arg("weights"), py::kw_only(),
           py::arg("strict") = true,
           "Sets parameters from {name: array}; shapes must match (ValueError). strict: every "
           "parameter and no other name.")
      .def("buffers", &PyModel::buffers, "Non-trained state (BatchNorm running statistics).")
      .def("set_buffers", &PyModel::set_buffers, py::arg("buffers"))
      .def("load_checkpoint", &PyModel::load_checkpoint, py::arg("path"),
           "Loads parameters and buffers of an snn-train checkpoint of the same network; "
           "returns {'epoch', 'max_test_acc', 'args'}. OSError/ValueError on a bad file.")
      .def_property_readonly("kind", &PyModel::kind, "'fc', 'resnet' or 'sew-resnet'.")
      .def_property_readonly("classes", &PyModel::classes)
      .def_property_readonly("image_shape", &PyModel::image_shape)
      .def_property_readonly("T", &PyModel::default_steps, "Default steps (100 fc, 4 resnet).")
      .def_property_readonly("seed", &PyModel::seed)
      .def("__repr__", &PyModel::describe);

  m.def(
      "fc",
      [](const std::vector<int>& hidden, int classes, std::pair<int, int> image_shape, double tau,
         double v_threshold, bool detach_reset, const std::string& surrogate, double alpha,
         std::uint64_t seed) {
        auto p = neuron_params(tau, v_threshold, detach_reset, surrogate, alpha);
        auto [rows, cols] = image_shape;
        require(rows >= 1 && cols >= 1, "image_shape must be positive");
        return std::make_unique<PyModel>(
            learning::build_fc_classifier<float>(rows * cols, hidden, classes, p, seed), "fc", rows,
            cols, classes, 100, tau, v_threshold, seed);
      },
      py::kw_only(), py::arg("hidden") = std::vector<int>{}, py::arg("classes") = 10,
      py::arg("image_shape") = std::make_pair(28, 28), py::arg("tau") = 2.0,
      py::arg("v_threshold") = 1.0, py::arg("detach_reset") = false, py::arg("surrogate") = "atan",
      py::arg("alpha") = 0.0, py::arg("seed") = 0,
      "SpikingJelly's lif_fc_mnist as snn-train -model fc: Poisson encoder, Flatten, [Linear "
      "(no bias), LIF] per hidden size, Linear (no bias), LIF. seed: the weights' (snn-train "
      "-seed). surrogate: atan, sigmoid, piecewise_quadratic, soft_sign; alpha 0: its default.");
  m.def(
      "resnet",
      [](const std::string& preset, const std::string& block, const std::string& connect,
         const std::string& head, const std::vector<int>& channels, const std::vector<int>& blocks,
         const std::string& encoder, bool spiking_readout, int classes,
         std::pair<int, int> image_shape, double tau, double v_threshold, bool detach_reset,
         const std::string& surrogate, double alpha, std::uint64_t seed) {
        learning::ResNetConfig cfg = learning::resnet_preset(preset);
        require(block == "spiking" || block == "sew",
                "block must be 'spiking' or 'sew', got '" + block + "'");
        cfg.block = block;
        cfg.connect = connect;
        cfg.head = head;
        if (!channels.empty()) cfg.channels = channels;
        if (!blocks.empty()) cfg.blocks = blocks;
        require(encoder == "direct" || encoder == "poisson",
                "encoder must be 'direct' or 'poisson', got '" + encoder + "'");
        cfg.encoder =
            encoder == "poisson" ? learning::EncoderKind::Poisson : learning::EncoderKind::Direct;
        cfg.neuron = neuron_params(tau, v_threshold, detach_reset, surrogate, alpha);
        cfg.spiking_readout = spiking_readout;
        learning::validate_resnet_config(cfg);
        auto [rows, cols] = image_shape;
        return std::make_unique<PyModel>(
            learning::build_resnet<float>(cfg, 1, rows, cols, classes, seed),
            block == "sew" ? "sew-resnet" : "resnet", rows, cols, classes, 4, tau, v_threshold,
            seed);
      },
      py::kw_only(), py::arg("preset") = "", py::arg("block") = "spiking",
      py::arg("connect") = "add", py::arg("head") = "flatten",
      py::arg("channels") = std::vector<int>{}, py::arg("blocks") = std::vector<int>{},
      py::arg("encoder") = "direct", py::arg("spiking_readout") = false, py::arg("classes") = 10,
      py::arg("image_shape") = std::make_pair(28, 28), py::arg("tau") = 2.0,
      py::arg("v_threshold") = 1.0, py::arg("detach_reset") = false, py::arg("surrogate") = "atan",
      py::arg("alpha") = 0.0, py::arg("seed") = 0,
      "A Spiking ResNet (block='spiking', snn-train -model resnet) or SEW ResNet (block='sew', "
      "-model sew-resnet): preset tiny, small (the default) or medium; channels/blocks "
      "override the preset's; connect: add, and, iand (SEW); head: flatten or gap.");
}

}  // namespace snn::python
