// The parts of the snn Python module, one function per part (module.cpp calls them).
#pragma once

#include <pybind11/pybind11.h>

namespace snn::python {

void bind_sim(pybind11::module_& m);    ///< Network, load_network, brunel, sparse, neuron_models
void bind_train(pybind11::module_& m);  ///< Model, fc, resnet
void bind_io(pybind11::module_& m);     ///< read_mnist, read_idx, read_checkpoint, read_trace
void bind_nir(pybind11::module_& m);    ///< read_nir, write_nir, load_nir

}  // namespace snn::python
