// SONATA circuit files: see circuit_files.h.
#include "sim/sonata/circuit_files.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/hdf5_handle.h"
#include "sim/core/errors.h"

namespace snn::sim::sonata {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
namespace h5 = snn::io::h5;

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read SONATA config " + path);
  try {
    return json::parse(in, nullptr, true, true);
  } catch (const json::exception& e) {
    throw FormatError(path + ": " + e.what());
  }
}

/// Replaces $NAME of the manifest (repeatedly: entries may use each other) and makes relative
/// paths relative to the config's folder.
struct Manifest {
  std::map<std::string, std::string> vars;
  fs::path base;
  std::string resolve(std::string s) const {
    for (int round = 0; round < 10 && s.find('$') != std::string::npos; ++round)
      for (auto& [k, v] : vars)
        for (std::size_t at; (at = s.find(k)) != std::string::npos;) s.replace(at, k.size(), v);
    fs::path p(s);
    return (p.is_relative() ? base / p : p).lexically_normal().string();
  }
};

std::string need_string(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string())
    throw FormatError(where + ": missing string field '" + key + "'");
  return j[key].get<std::string>();
}

/// A whitespace-separated types table with a header row (SONATA's *_types.csv).
std::map<std::int64_t, TypeRow> read_types(const std::string& path, const std::string& id_column) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read SONATA types file " + path);
  std::string line;
  std::vector<std::string> header;
  std::map<std::int64_t, TypeRow> out;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream ss(line);
    std::vector<std::string> cells;
    for (std::string c; ss >> c;) cells.push_back(c);
    if (cells.empty()) continue;
    if (header.empty()) {
      header = cells;
      if (std::find(header.begin(), header.end(), id_column) == header.end())
        throw FormatError(path + ":1: missing column '" + id_column + "'");
      continue;
    }
    if (cells.size() != header.size())
      throw FormatError(path + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
                        " columns, the header has " + std::to_string(header.size()));
    TypeRow row;
    for (std::size_t i = 0; i < cells.size(); ++i) row[header[i]] = cells[i];
    std::int64_t id;
    try {
      id = std::stoll(row[id_column]);
    } catch (...) {
      throw FormatError(path + ":" + std::to_string(line_no) + ": " + id_column + " '" +
                        row[id_column] + "' is not an integer");
    }
    out[id] = row;
  }
  return out;
}

template <class T>
std::vector<T> read_vector(hid_t group, const std::string& name, hid_t type,
                           const std::string& where) {
  h5::Handle d = h5::check(H5Dopen2(group, name.c_str(), H5P_DEFAULT), where);
  const auto dims = h5::dataset_dims(d);
  if (dims.size() != 1) throw FormatError(where + ": expected a one-dimensional dataset");
  std::vector<T> v(dims[0]);
  h5::read_dataset(d, type, v.data(), where);
  return v;
}

void read_nodes(const std::string& file, const std::string& types_file, Circuit& c) {
  h5::Handle f = h5::open_file_read(file);
  h5::Handle root = h5::open_group(f, "nodes");
  const auto types = read_types(types_file, "node_type_id");
  for (const std::string& name : h5::link_names(root)) {
    h5::Handle g = h5::open_group(root, name);
    const std::string at = file + ": /nodes/" + name;
    NodePopulation p;
    p.name = name;
    p.file = file;
    p.types_file = types_file;
    if (!h5::exists(g, "node_type_id")) throw FormatError(at + "/node_type_id: missing");
    p.node_type_id =
        read_vector<std::int64_t>(g, "node_type_id", H5T_NATIVE_INT64, at + "/node_type_id");
    const std::size_t n = p.node_type_id.size();
    for (const char* field : {"node_id", "node_group_id", "node_group_index"})
      if (h5::exists(g, field)) {
        auto v = read_vector<std::int64_t>(g, field, H5T_NATIVE_INT64, at + "/" + field);
        if (v.size() != n)
          throw FormatError(at + "/" + field + ": " + std::to_string(v.size()) + " entries, " +
                            "node_type_id has " + std::to_string(n));
        if (std::string(field) == "node_id")
          for (std::size_t i = 0; i < n; ++i)
            if (v[i] != static_cast<std::int64_t>(i))
              throw FormatError(at + "/node_id: node ids must be 0 .. n-1 in order");
      }
    for (const std::string& sub : h5::link_names(g))
      if (h5::exists(g, sub + "/dynamics_params"))
        throw FormatError(at + "/" + sub +
                          "/dynamics_params: per-node dynamics parameters are "
                          "not supported (give them per node type in " +
                          types_file + ")");
    for (std::size_t i = 0; i < n; ++i)
      if (!types.count(p.node_type_id[i]))
        throw FormatError(at + "/node_type_id: node " + std::to_string(i) + " has type " +
                          std::to_string(p.node_type_id[i]) + ", not in " + types_file);
    for (auto& [id, row] : types) p.types[id] = row;
    c.nodes.push_back(std::move(p));
  }
}

void read_edges(const std::string& file, const std::string& types_file, Circuit& c) {
  h5::Handle f = h5::open_file_read(file);
  h5::Handle root = h5::open_group(f, "edges");
  const auto types = read_types(types_file, "edge_type_id");
  for (const std::string& name : h5::link_names(root)) {
    h5::Handle g = h5::open_group(root, name);
    const std::string at = file + ": /edges/" + name;
    EdgePopulation e;
    e.name = name;
    e.file = file;
    e.types_file = types_file;
    e.types = types;
    for (const char* field : {"source_node_id", "target_node_id", "edge_type_id"})
      if (!h5::exists(g, field)) throw FormatError(at + "/" + field + ": missing");
    e.source =
        read_vector<std::uint64_t>(g, "source_node_id", H5T_NATIVE_UINT64, at + "/source_node_id");
    e.target =
        read_vector<std::uint64_t>(g, "target_node_id", H5T_NATIVE_UINT64, at + "/target_node_id");
    e.edge_type_id =
        read_vector<std::int64_t>(g, "edge_type_id", H5T_NATIVE_INT64, at + "/edge_type_id");
    {
      h5::Handle d = h5::check(H5Dopen2(g, "source_node_id", H5P_DEFAULT), at + "/source_node_id");
      e.source_population = h5::get_attr_string(d, "node_population", at + "/source_node_id");
      h5::Handle t = h5::check(H5Dopen2(g, "target_node_id", H5P_DEFAULT), at + "/target_node_id");
      e.target_population = h5::get_attr_string(t, "node_population", at + "/target_node_id");
    }
    const std::size_t n = e.source.size();
    auto same_size = [&](std::size_t m, const std::string& field) {
      if (m != n)
        throw FormatError(at + "/" + field + ": " + std::to_string(m) +
                          " entries, source_node_id has " + std::to_string(n));
    };
    same_size(e.target.size(), "target_node_id");
    same_size(e.edge_type_id.size(), "edge_type_id");
    for (std::size_t i = 0; i < n; ++i)
      if (!types.count(e.edge_type_id[i]))
        throw FormatError(at + "/edge_type_id: edge " + std::to_string(i) + " has type " +
                          std::to_string(e.edge_type_id[i]) + ", not in " + types_file);
    // One edge group (SONATA allows several; a single one, group 0, is what tools write for
    // point networks): its per-edge syn_weight, delay, nsyns.
    std::vector<std::int64_t> gid, gindex;
    if (h5::exists(g, "edge_group_id")) {
      gid = read_vector<std::int64_t>(g, "edge_group_id", H5T_NATIVE_INT64, at + "/edge_group_id");
      same_size(gid.size(), "edge_group_id");
      if (!h5::exists(g, "edge_group_index")) throw FormatError(at + "/edge_group_index: missing");
      gindex = read_vector<std::int64_t>(g, "edge_group_index", H5T_NATIVE_INT64,
                                         at + "/edge_group_index");
      same_size(gindex.size(), "edge_group_index");
      for (std::size_t i = 0; i < n; ++i)
        if (gid[i] != gid[0])
          throw FormatError(at + "/edge_group_id: more than one edge group is not supported");
    }
    const std::string group = gid.empty() ? "0" : std::to_string(gid[0]);
    if (h5::exists(g, group)) {
      h5::Handle eg = h5::open_group(g, group);
      for (auto [field, out] :
           {std::pair<const char*, std::vector<double>*>{"syn_weight", &e.syn_weight},
            {"delay", &e.delay},
            {"nsyns", &e.nsyns}}) {
        if (!h5::exists(eg, field)) continue;
        const std::string w = at + "/" + group + "/" + field;
        std::vector<double> v = read_vector<double>(eg, field, H5T_NATIVE_DOUBLE, w);
        out->resize(n);
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t k = gindex.empty() ? static_cast<std::int64_t>(i) : gindex[i];
          if (k < 0 || static_cast<std::size_t>(k) >= v.size())
            throw FormatError(at + "/edge_group_index: edge " + std::to_string(i) + " indexes " +
                              std::to_string(k) + ", " + w + " has " + std::to_string(v.size()) +
                              " entries");
          (*out)[i] = v[k];
        }
      }
    }
    c.edges.push_back(std::move(e));
  }
}

void read_spikes(SpikeInput& in) {
  h5::Handle f = h5::open_file_read(in.file);
  const std::string base =
      h5::exists(f, "spikes/" + in.node_set) ? "spikes/" + in.node_set : "spikes";
  h5::Handle g = h5::open_group(f, base);
  const std::string at = in.file + ": /" + base;
  if (!h5::exists(g, "timestamps")) throw FormatError(at + "/timestamps: missing");
  const char* ids = h5::exists(g, "node_ids") ? "node_ids" : "gids";
  if (!h5::exists(g, ids)) throw FormatError(at + "/node_ids: missing");
  in.times_ms = read_vector<double>(g, "timestamps", H5T_NATIVE_DOUBLE, at + "/timestamps");
  in.node_ids = read_vector<std::uint64_t>(g, ids, H5T_NATIVE_UINT64, at + "/" + ids);
  if (in.times_ms.size() != in.node_ids.size())
    throw FormatError(at + "/" + ids + ": " + std::to_string(in.node_ids.size()) +
                      " entries, timestamps has " + std::to_string(in.times_ms.size()));
}

}  // namespace

bool is_sonata_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  try {
    json j = json::parse(in, nullptr, true, true);
    return j.is_object() && (j.contains("networks") || j.contains("network"));
  } catch (...) {
    return false;
  }
}

Circuit read_circuit(const std::string& config_path) {
  h5::quiet_errors();
  Circuit c;
  c.config = config_path;
  json cfg = read_json(config_path);
  Manifest m;
  m.base = fs::path(config_path).parent_path();
  auto load_manifest = [&](const json& j, const fs::path& base) {
    m.base = base;
    if (j.contains("manifest") && j["manifest"].is_object())
      for (auto it = j["manifest"].begin(); it != j["manifest"].end(); ++it)
        if (it.value().is_string()) m.vars[it.key()] = it.value().get<std::string>();
    for (auto& [k, v] : m.vars) {
      fs::path p(v);
      if (p.is_relative() && v.rfind("$", 0) != 0) v = (base / p).lexically_normal().string();
    }
  };
  load_manifest(cfg, m.base);
  if (cfg.contains("run")) {
    const json& run = cfg["run"];
    if (run.contains("tstop")) c.tstop_ms = run["tstop"].get<double>();
    if (run.contains("dt")) c.dt_ms = run["dt"].get<double>();
  }
  json circuit = cfg;
  std::string circuit_path = config_path;
  if (!cfg.contains("networks")) {  // a simulation config naming its circuit config
    circuit_path = m.resolve(need_string(cfg, "network", config_path));
    circuit = read_json(circuit_path);
    load_manifest(circuit, fs::path(circuit_path).parent_path());
  }
  if (circuit.contains("components")) {
    const json& comp = circuit["components"];
    if (comp.contains("point_neuron_models_dir"))
      c.point_neuron_models_dir = m.resolve(comp["point_neuron_models_dir"].get<std::string>());
    if (comp.contains("synaptic_models_dir"))
      c.synaptic_models_dir = m.resolve(comp["synaptic_models_dir"].get<std::string>());
  }
  const json& nets = circuit["networks"];
  const std::string np = circuit_path + ": networks";
  if (!nets.is_object()) throw FormatError(np + ": expected an object");
  if (nets.contains("nodes"))
    for (std::size_t i = 0; i < nets["nodes"].size(); ++i) {
      const std::string w = np + ".nodes[" + std::to_string(i) + "]";
      read_nodes(m.resolve(need_string(nets["nodes"][i], "nodes_file", w)),
                 m.resolve(need_string(nets["nodes"][i], "node_types_file", w)), c);
    }
  if (nets.contains("edges"))
    for (std::size_t i = 0; i < nets["edges"].size(); ++i) {
      const std::string w = np + ".edges[" + std::to_string(i) + "]";
      read_edges(m.resolve(need_string(nets["edges"][i], "edges_file", w)),
                 m.resolve(need_string(nets["edges"][i], "edge_types_file", w)), c);
    }
  if (cfg.contains("inputs"))
    for (auto it = cfg["inputs"].begin(); it != cfg["inputs"].end(); ++it) {
      const std::string w = config_path + ": inputs." + it.key();
      const json& e = it.value();
      const std::string type = need_string(e, "input_type", w);
      if (type != "spikes")
        throw FormatError(w + ".input_type: '" + type + "' is not supported (only spikes)");
      SpikeInput in;
      in.name = it.key();
      in.file = m.resolve(need_string(e, "input_file", w));
      in.node_set = need_string(e, "node_set", w);
      read_spikes(in);
      c.inputs.push_back(std::move(in));
    }
  return c;
}

}  // namespace snn::sim::sonata
