// A NIR graph translated for the event-driven engine: its Input nodes become spike-generator
// populations, its neuron nodes populations of the nir_* models (sim/neurons/nir_*.h), and the
// linear nodes between two of them one projection each (the chain composed into CSR synapses,
// an Affine's bias a constant input of the target). Feed-forward edges have no delay (the engine
// runs them within the step, in topological order); an edge that closes a cycle reads the previous
// step (one step of delay); several inputs of a node are summed. The plan is built once and can
// be added to any number of Networks (one per input sample).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/nir/nir_graph.h"
#include "sim/network.h"
#include "sim/neurons/nir_euler.h"
#include "sim/nir/linear_map.h"
#include "sim/nir/nir_readout.h"

namespace snn::sim::nir {

/// The choices NIR leaves open (README "NIR").
struct NirSimOptions {
  double dt_s = 1e-4;  ///< time step, s (forward Euler); the engine's dt is dt_s·1000 ms
  NirOptions neuron{false, false};  ///< reset to v_reset (or subtract), threshold > (or >=)
};

/// One population of the plan, in the engine's order (topological: inputs first).
struct PlanPopulation {
  std::string node;  ///< the NIR node (flattened name "graph.inner" for nested graphs)
  io::NirNodeType type;
  Shape shape;
  bool input = false;   ///< a graph Input: a spike generator
  bool spiking = true;  ///< false for LI, I, CubaLI (read out as V)
  PopulationSpec spec;  ///< neurons (not for inputs)
};

/// One projection: the composed map from one population to another.
struct PlanProjection {
  std::string source, target;
  bool back_edge = false;  ///< closes a cycle: one step of delay
  LinearMap map;
};

/// A graph Output: which population it reads (spikes, or V for non-spiking models). A spiking
/// Output may read its populations through linear nodes (the trainer's Linear head):
/// y_t = Σ readout maps · s_t + bias, which nir_readout.h evaluates from the recorded spikes.
struct PlanOutput {
  std::string node, population;  ///< population: the first one read
  bool spikes = true;
  OutputReadout readout;  ///< spiking Outputs: what they read, and how
};

struct NirPlan {
  NirSimOptions options;
  std::vector<PlanPopulation> populations;
  std::vector<PlanProjection> projections;
  std::vector<PlanOutput> outputs;
  std::string file;

  /// The population for an Input node (FormatError naming it if it is not an Input).
  const PlanPopulation& input(const std::string& node) const;
  std::vector<std::string> input_names() const;
  double dt_ms() const { return options.dt_s * 1e3; }
};

/// Translates `g` (nested graphs flattened). FormatError naming the file, node and field for what
/// the engine cannot run: a non-spiking node feeding another node, a cycle of linear nodes only,
/// an unsupported node type.
NirPlan plan_nir(const io::NirGraph& g, const NirSimOptions& options);

/// Spikes into one Input node: input neuron (C-order index) and step (1-based, engine steps).
struct InputSpikes {
  std::vector<std::uint32_t> neurons;
  std::vector<std::int64_t> steps;
};

/// Adds the plan's populations and projections to `net` (whose dt must be plan.dt_ms()), with
/// the given spikes per Input node (absent: none) and constant input values per Input node
/// (`currents`: the same value into every element, applied through the Input's maps as a
/// constant input of their targets; `values`: one value per element, as a direct-encoded image
/// is). Records spikes of the spiking outputs and, if `record_v_outputs`, V of the non-spiking
/// ones.
void add_to_network(const NirPlan& plan, Network& net,
                    const std::map<std::string, InputSpikes>& spikes,
                    const std::map<std::string, double>& currents = {},
                    bool record_v_outputs = true,
                    const std::map<std::string, std::vector<double>>& values = {});

}  // namespace snn::sim::nir
