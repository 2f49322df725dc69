// SONATA circuits as input, part 1: the files as they are (Dai et al. 2020, PLoS Comput Biol
// 16:e1007696; the SONATA specification of the Allen Institute and the Blue Brain Project).
// A config (circuit_config.json, or a simulation config with "network" or "networks") names
// nodes.h5 / node_types.csv and edges.h5 / edge_types.csv files through its manifest; "run"
// gives tstop and dt, "inputs" spike files for virtual nodes. Reading only: circuit_network.h
// maps it onto the simulator's populations and projections. Every error names the file and the
// field: "v1_nodes.h5: /nodes/v1/node_type_id: ...".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace snn::sim::sonata {

/// One row of a node_types.csv or edge_types.csv: column name -> text.
using TypeRow = std::map<std::string, std::string>;

struct NodePopulation {
  std::string name;
  std::string file;                        ///< the nodes.h5 it comes from
  std::vector<std::int64_t> node_type_id;  ///< per node, in node-id order
  std::map<std::int64_t, TypeRow> types;   ///< its node_types.csv, by node_type_id
  std::string types_file;
};

struct EdgePopulation {
  std::string name;
  std::string file;
  std::string source_population, target_population;  ///< attributes node_population
  std::vector<std::uint64_t> source, target;
  std::vector<std::int64_t> edge_type_id;
  std::vector<double> syn_weight, delay, nsyns;  ///< per edge from the edge group, or empty
  std::map<std::int64_t, TypeRow> types;
  std::string types_file;
};

struct SpikeInput {
  std::string name, file, node_set;  ///< node_set: the virtual node population it drives
  std::vector<double> times_ms;
  std::vector<std::uint64_t> node_ids;
};

struct Circuit {
  std::string config;  ///< the config file read
  std::optional<double> tstop_ms, dt_ms;
  std::vector<NodePopulation> nodes;
  std::vector<EdgePopulation> edges;
  std::vector<SpikeInput> inputs;
  std::string point_neuron_models_dir, synaptic_models_dir;
};

/// True when the JSON file at `path` is a SONATA config (it has "networks" or "network").
bool is_sonata_config(const std::string& path);

/// Reads the config and every file it names. IoError for a missing file, FormatError (naming the
/// file and the field) for malformed content.
Circuit read_circuit(const std::string& config_path);

}  // namespace snn::sim::sonata
