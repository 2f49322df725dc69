// Output sums of a NIR run (nir_readout.h).
#include "sim/nir/nir_readout.h"

#include "sim/core/errors.h"

namespace snn::sim::nir {

bool reads_spikes_directly(const OutputReadout& r) {
  if (r.maps.size() != 1 || !r.bias.empty()) return false;
  const LinearMap& m = r.maps.begin()->second;
  if (m.n_in != m.n_out || static_cast<std::int64_t>(m.entries.size()) != m.n_out) return false;
  for (const MapEntry& e : m.entries)
    if (e.in != e.out || e.weight != 1.0 || e.delay != 0) return false;
  return true;
}

std::vector<double> output_sum(const OutputReadout& r,
                               const std::map<std::string, StepSpikes>& spikes,
                               std::int64_t steps) {
  require(!r.maps.empty(), "output read-out: reads no population");
  const std::int64_t n = r.maps.begin()->second.n_out;
  std::vector<double> y(static_cast<std::size_t>(n), 0.0);
  for (std::size_t j = 0; j < r.bias.size() && j < y.size(); ++j)
    y[j] = r.bias[j] * static_cast<double>(steps);
  for (const auto& [source, map] : r.maps) {
    auto it = spikes.find(source);
    if (it == spikes.end()) continue;
    const StepSpikes& s = it->second;
    require(s.ids.size() == s.steps.size(),
            "output read-out of " + source + ": one step per spike needed");
    // Rows by input element: the map's entries are kept sorted by (in, out, delay).
    std::vector<std::size_t> row(static_cast<std::size_t>(map.n_in) + 1, 0);
    for (const MapEntry& e : map.entries) ++row[e.in + 1];
    for (std::size_t k = 1; k < row.size(); ++k) row[k] += row[k - 1];
    std::vector<std::size_t> at(row.begin(), row.end() - 1);
    std::vector<const MapEntry*> sorted(map.entries.size());
    for (const MapEntry& e : map.entries) sorted[at[e.in]++] = &e;
    for (std::size_t k = 0; k < s.ids.size(); ++k) {
      if (s.ids[k] >= map.n_in)
        throw InvalidParameter("output read-out: spike of neuron " + std::to_string(s.ids[k]) +
                               " outside " + source + " (" + std::to_string(map.n_in) +
                               " neurons)");
      for (std::size_t r = row[s.ids[k]]; r < row[s.ids[k] + 1]; ++r)
        if (s.steps[k] + sorted[r]->delay <= steps) y[sorted[r]->out] += sorted[r]->weight;
    }
  }
  return y;
}

}  // namespace snn::sim::nir
