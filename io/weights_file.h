// Synaptic weights of a network's projections in HDF5 (snn-sim -save-weights / -load-weights):
//   /projections/<index>  group per projection, attributes source, target (population names),
//                         synapse (model name)
//     source_ids, target_ids  uint32 [synapses]: the synapses in the simulator's order (by source)
//     weight                  float32 [synapses], the weight unit of the target model
// Written atomically. A file read back must match the network: same projections, same synapses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace snn::io {

struct ProjectionWeights {
  std::string source, target, synapse;
  std::vector<std::uint32_t> source_ids, target_ids;
  std::vector<float> weight;
};

/// Writes every projection's weights to `path` (atomically); IoError naming the path on failure.
void write_weights(const std::string& path, const std::vector<ProjectionWeights>& projections);

/// Reads a weights file. IoError for a missing file, FormatError naming the file and the field
/// for a malformed one (missing dataset, mismatched lengths).
std::vector<ProjectionWeights> read_weights(const std::string& path);

}  // namespace snn::io
