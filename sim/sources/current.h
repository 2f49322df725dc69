// Constant current injected into a range of neurons for the whole run (as NEST's dc_generator
// without start/stop); added to the model's I_e.
#pragma once

#include <cstdint>
#include <string>

namespace snn::sim {

struct CurrentSpec {
  std::string target;        ///< population name
  std::uint32_t first = 0;   ///< first target neuron
  std::int64_t count = -1;   ///< number of targets, -1: to the end of the population
  double amplitude_pa = 0;   ///< pA
};

}  // namespace snn::sim
