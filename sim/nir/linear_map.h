// The linear NIR nodes (Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten,
// Delay, and a subgraph's Input/Output) as sparse maps from one sample's elements (C order) to
// the next's: entries (in, out, weight, delay in steps) and a bias. Chains of them compose into
// one map, which becomes a projection's CSR synapses (nir_plan.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/nir/nir_graph.h"

namespace snn::sim::nir {

using Shape = std::vector<std::int64_t>;

/// One synapse of a map: input element -> output element, weight, delay (steps).
struct MapEntry {
  std::uint32_t in, out;
  double weight;
  int delay;
};

/// y = sum over entries of weight · x[in] (delayed), plus bias (empty: none).
struct LinearMap {
  std::int64_t n_in = 0, n_out = 0;
  Shape out_shape;
  std::vector<MapEntry> entries;
  std::vector<double> bias;  ///< [n_out] or empty
};

/// Number of elements of a shape (1 for a scalar shape {}).
std::int64_t elements(const Shape& s);

/// The map of linear node `node` applied to an input of shape `in` (the shape flowing along the
/// edge); dt_s converts a Delay's seconds into steps. FormatError naming the file, node and field
/// for bad parameters or a shape that does not fit.
LinearMap linear_map(const io::NirNode& node, const Shape& in, double dt_s,
                     const std::string& file);

/// b ∘ a: a's outputs feed b (weights multiply in double, delays add; equal (in, out, delay)
/// merge).
LinearMap compose(const LinearMap& a, const LinearMap& b);

/// The identity on n elements of shape `s`.
LinearMap identity_map(const Shape& s);

/// a + b (same n_in and n_out): their entries and biases summed.
LinearMap sum(const LinearMap& a, const LinearMap& b);

/// Sorts by (in, out, delay) and merges equal keys, dropping zero weights.
void canonicalize(LinearMap& m);

/// Whether the node type is one of the linear ones above.
bool is_linear(io::NirNodeType t);

}  // namespace snn::sim::nir
