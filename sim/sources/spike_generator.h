// Spike-time arrays: a population of generator nodes that emit spikes at given times (as NEST's
// spike_generator or Brian2's SpikeGeneratorGroup). They connect through ordinary projections.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snn::sim {

struct SpikeGeneratorSpec {
  std::string name;
  std::uint32_t size = 0;             ///< generator nodes
  std::vector<std::uint32_t> nodes;   ///< node of each spike
  std::vector<double> times_ms;       ///< time of each spike, ms, > 0 and a multiple of dt
};

}  // namespace snn::sim
