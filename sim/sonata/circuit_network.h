// SONATA circuits as input, part 2: a circuit (circuit_files.h) as the simulator's network
// description. Each node population becomes one population per node type it uses (named after
// the SONATA population when it has a single type, else "<population>.<node_type_id>"); virtual
// nodes become spike generators driven by the "inputs" spike files (times rounded to the grid);
// "nest:<model>" model_templates map onto the registered models (nest:iaf_psc_delta onto
// lif_delta), their dynamics_params JSON files (NEST's parameter names, any case; V_m sets the
// initial potential) onto the model's parameters; edges become list projections with per-edge
// weight syn_weight·nsyns and delay (ms), from the edge group or else the edge type;
// static_synapse, stdp_synapse and tsodyks2_synapse edge types are understood.
#pragma once

#include <string>

#include "sim/network_file.h"
#include "sim/sonata/circuit_files.h"

namespace snn::sim::sonata {

/// The network of `c` for a run with time step dt_ms. FormatError naming the file and the field
/// for an unknown model_template, an unknown parameter, an edge to a node that does not exist.
NetworkDescription circuit_network(const Circuit& c, double dt_ms);

/// Reads a SONATA config and builds its network description (dt and t_stop from "run").
NetworkDescription read_sonata_network(const std::string& config_path, double default_dt_ms);

}  // namespace snn::sim::sonata
