// File readers from Python: MNIST-format IDX files as NumPy arrays, snn-train checkpoints and
// training traces as dicts of arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "io/checkpoint.h"
#include "io/idx_reader.h"
#include "io/training_trace.h"
#include "python/src/bindings.h"

namespace py = pybind11;

namespace snn::python {
namespace {

py::tuple image_arrays(const io::ImageSet& s) {
  py::array_t<std::uint8_t> images({s.count, s.rows, s.cols});
  std::copy(s.images.begin(), s.images.end(), images.mutable_data());
  py::array_t<std::uint8_t> labels(s.count);
  std::copy(s.labels.begin(), s.labels.end(), labels.mutable_data());
  return py::make_tuple(images, labels);
}

py::dict tensors(const std::vector<io::NamedTensor>& list, bool single) {
  py::dict d;
  for (const auto& t : list) {
    std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
    if (single) {
      py::array_t<float> a(shape);
      std::copy(t.values.begin(), t.values.end(), a.mutable_data());
      d[py::str(t.name)] = a;
    } else {
      py::array_t<double> a(shape);
      std::copy(t.values.begin(), t.values.end(), a.mutable_data());
      d[py::str(t.name)] = a;
    }
  }
  return d;
}

py::array_t<float> matrix(const std::vector<float>& v, int rows, int cols) {
  py::array_t<float> a({rows, cols});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

}  // namespace

void bind_io(py::module_& m) {
  m.def(
      "read_mnist",
      [](const std::string& dir, bool train) {
        io::ImageSet s;
        {
          py::gil_scoped_release release;
          s = io::read_mnist(dir, train);
        }
        return image_arrays(s);
      },
      py::arg("dir"), py::arg("train") = true,
      "(images, labels) of dir/train-* (train=True) or dir/t10k-* IDX files, plain or .gz: "
      "uint8 [N, rows, cols] and uint8 [N]. OSError for a missing file, ValueError for a "
      "malformed one.");
  m.def(
      "read_idx",
      [](const std::string& images, const std::string& labels) {
        return image_arrays(io::read_idx_pair(images, labels));
      },
      py::arg("images"), py::arg("labels"), "(images, labels) of one IDX image and label file.");
  m.def(
      "read_checkpoint",
      [](const std::string& path) {
        io::CheckpointData ck = io::read_checkpoint(path);
        py::dict d;
        d["epoch"] = ck.epoch;
        d["max_test_acc"] = ck.max_test_acc;
        d["optimizer"] = ck.optimizer;
        d["optimizer_step"] = ck.optimizer_step;
        d["scheduler"] = ck.scheduler;
        d["scheduler_last_epoch"] = ck.scheduler_last_epoch;
        d["args"] = ck.args;
        d["parameters"] = tensors(ck.parameters, ck.single_precision);
        d["buffers"] = tensors(ck.buffers, ck.single_precision);
        d["optimizer_state"] = tensors(ck.optimizer_state, ck.single_precision);
        return d;
      },
      py::arg("path"),
      "An snn-train checkpoint as a dict: epoch, max_test_acc, optimizer, optimizer_step, "
      "scheduler, scheduler_last_epoch, args, and parameters / buffers / optimizer_state as "
      "{name: array}.");
  m.def(
      "read_trace",
      [](const std::string& path) {
        io::TrainingTrace t = io::read_training_trace(path);
        py::dict d;
        d["v"] = matrix(t.v, t.steps, t.classes);
        d["s"] = matrix(t.s, t.steps, t.classes);
        d["label"] = t.label;
        d["predicted"] = t.predicted;
        d["image_index"] = t.image_index;
        d["tau"] = t.tau;
        d["v_threshold"] = t.v_threshold;
        return d;
      },
      py::arg("path"),
      "A training trace (trace.h5): v and s as float32 [T, classes], label, predicted, "
      "image_index, tau, v_threshold.");
}

}  // namespace snn::python
