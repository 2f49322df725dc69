// snn.Network objects for the binding files other than sim_bindings.cpp (which defines the class):
// a loader (NIR, SONATA) fills a new Network and names its inputs and outputs.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/network.h"

namespace snn::python {

/// A named readout of a loaded network: the population it reads, as spikes or as V.
struct NetworkOutput {
  std::string population;
  bool spikes = true;  ///< false: V of every neuron (recorded at every step)
};

/// What a loader gives the new Network besides its populations.
struct NetworkInfo {
  std::optional<double> t_stop_ms;               ///< a file's stop time
  std::vector<std::string> inputs;               ///< input populations (spike generators)
  std::map<std::string, NetworkOutput> outputs;  ///< by output name
};

/// A new snn.Network (dt ms, seed, mode 'event' or 'clock') that `fill` populates.
pybind11::object new_network(double dt_ms, std::uint64_t seed, const std::string& mode,
                             const std::function<void(sim::Network&)>& fill, NetworkInfo info);

}  // namespace snn::python
