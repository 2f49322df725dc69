// The value of a spiking graph Output over a run, from the spikes of the populations it reads.
// An Output fed by a LIF node directly counts that node's spikes; one fed through linear nodes
// (snn-train's Linear head after the last LIF layer, SpikingJelly's and snnTorch's usual
// classifier) sums y_t = W s_t + b over the run's steps, as the trainer averages it (argmax
// unchanged).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/nir/linear_map.h"

namespace snn::sim::nir {

/// What a spiking Output reads: the map from each population into its elements, and a bias.
struct OutputReadout {
  std::map<std::string, LinearMap> maps;  ///< source population -> map
  std::vector<double> bias;               ///< [elements] or empty
};

/// One population's spikes: neuron ids and their steps (1-based), in any order.
struct StepSpikes {
  std::vector<std::uint32_t> ids;
  std::vector<std::int64_t> steps;
};

/// Whether `r` reads one population's spikes unchanged (its map the identity, no bias).
bool reads_spikes_directly(const OutputReadout& r);

/// Σ over steps 1..steps of the Output's value: spike counts when it reads a population directly,
/// else Σ_t (Σ maps · s_t + bias), a spike at step t counting through an entry of delay d only
/// when t + d <= steps. `spikes` holds every population the Output reads (absent: silent).
/// InvalidParameter for a spike outside its population or a readout of nothing.
std::vector<double> output_sum(const OutputReadout& r,
                               const std::map<std::string, StepSpikes>& spikes, std::int64_t steps);

}  // namespace snn::sim::nir
