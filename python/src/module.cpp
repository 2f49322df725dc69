// The extension module snn._snn; the package snn (python/snn/__init__.py) re-exports it.
#include <pybind11/pybind11.h>

#include "python/src/bindings.h"
#include "python/src/errors.h"

PYBIND11_MODULE(_snn, m) {
  m.doc() =
      "snn: event-driven simulation and BPTT training of spiking neural networks, over the "
      "same C++ engine as snn-sim and snn-train.";
  m.attr("__version__") = SNN_VERSION;
  snn::python::register_errors(m);
  snn::python::bind_sim(m);
  snn::python::bind_train(m);
  snn::python::bind_io(m);
  snn::python::bind_nir(m);
}
