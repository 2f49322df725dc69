// A SONATA circuit as a network description: see circuit_network.h.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "sim/core/errors.h"
#include "sim/sonata/circuit_network.h"

namespace snn::sim::sonata {
namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

json read_params_file(const std::string& dir, const std::string& name, const std::string& where) {
  const std::string path = name.empty() || name == "NULL" || name == "None" ? "" : dir + "/" + name;
  if (path.empty()) return json::object();
  std::ifstream in(path);
  if (!in) throw IoError(where + ": cannot read dynamics_params file " + path);
  try {
    json j = json::parse(in, nullptr, true, true);
    if (!j.is_object()) throw FormatError(path + ": expected a JSON object");
    return j;
  } catch (const json::exception& e) {
    throw FormatError(path + ": " + e.what());
  }
}

/// Sets the model parameters of `p` from a NEST parameter dictionary; V_m goes to v_init.
template <int I = 0>
void set_params(NeuronParams& p, const json& d, const std::string& file, VInit& v_init) {
  if constexpr (I < NeuronModels::size) {
    if (p.index() != I) return set_params<I + 1>(p, d, file, v_init);
    auto& params = std::get<I>(p);
    for (auto it = d.begin(); it != d.end(); ++it) {
      const std::string key = lower(it.key());
      if (!it.value().is_number() && !it.value().is_boolean())
        throw FormatError(file + ": " + it.key() + ": expected a number");
      const double value =
          it.value().is_boolean() ? (it.value().get<bool>() ? 1.0 : 0.0) : it.value().get<double>();
      if (key == "v_m") {
        v_init = VInit::constant(value);
        continue;
      }
      bool found = false;
      std::string names;
      params.fields([&](const char* name, const char*, double& v) {
        names += std::string(names.empty() ? "" : ", ") + name;
        if (key == lower(name)) v = value, found = true;
      });
      if (!found)
        throw FormatError(file + ": " + it.key() + ": unknown parameter of " + model_name(I) +
                          " (expected one of: " + names + ", V_m)");
    }
  }
}

int model_of(const std::string& templ, const std::string& where) {
  const std::string prefix = "nest:";
  if (templ.rfind(prefix, 0) == 0) {
    std::string name = templ.substr(prefix.size());
    if (name == "iaf_psc_delta") name = "lif_delta";
    const int m = model_index(name);
    if (m >= 0) return m;
  }
  std::string names;
  for (int k = 0; k < NeuronModels::size; ++k)
    if (std::string(model_name(k)).find('_') != std::string::npos)
      names += std::string(names.empty() ? "" : ", ") + "nest:" + model_name(k);
  throw FormatError(where + ": unknown model_template '" + templ + "' (expected one of: " + names +
                    ", nest:iaf_psc_delta)");
}

std::string cell(const TypeRow& row, const std::string& column) {
  auto it = row.find(column);
  return it == row.end() ? "" : it->second;
}

double number(const std::string& text, const std::string& where) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (...) {
  }
  throw FormatError(where + ": '" + text + "' is not a number");
}

SynapseSpec synapse_of(const TypeRow& row, const Circuit& c, const std::string& where) {
  SynapseSpec s;
  std::string templ = cell(row, "model_template");
  if (templ.rfind("nest:", 0) == 0) templ = templ.substr(5);
  if (templ.empty() || templ == "static_synapse" || templ == "NULL") return s;
  const json d = read_params_file(c.synaptic_models_dir, cell(row, "dynamics_params"), where);
  std::vector<std::pair<const char*, double*>> fields;
  if (templ == "stdp_synapse") {
    s.model = SynapseModel::Stdp;
    fields = {{"tau_plus", &s.stdp.tau_plus}, {"tau_minus", &s.stdp.tau_minus},
              {"lambda", &s.stdp.lambda},     {"alpha", &s.stdp.alpha},
              {"mu_plus", &s.stdp.mu_plus},   {"mu_minus", &s.stdp.mu_minus},
              {"Wmax", &s.stdp.w_max}};
  } else if (templ == "tsodyks2_synapse") {
    s.model = SynapseModel::Tsodyks2;
    fields = {{"U", &s.tsodyks2.u_0},
              {"u", &s.tsodyks2.u},
              {"x", &s.tsodyks2.x},
              {"tau_rec", &s.tsodyks2.tau_rec},
              {"tau_fac", &s.tsodyks2.tau_fac}};
  } else {
    throw FormatError(where + ": model_template: unknown synapse model '" + templ +
                      "' (expected static_synapse, stdp_synapse or tsodyks2_synapse)");
  }
  for (auto it = d.begin(); it != d.end(); ++it) {
    bool found = false;
    for (auto& [name, v] : fields)
      if (it.key() == name && it.value().is_number()) *v = it.value().get<double>(), found = true;
    if (!found && it.key() != "weight" && it.key() != "delay")
      throw FormatError(where + ": dynamics_params: unknown parameter '" + it.key() + "' of " +
                        templ);
  }
  return s;
}

}  // namespace

NetworkDescription circuit_network(const Circuit& c, double dt_ms) {
  NetworkDescription d;
  // Node id of each population -> (our population index in d.populations, local index).
  struct Place {
    int pop;
    std::uint32_t local;
  };
  std::map<std::string, std::vector<Place>> place;
  std::vector<std::string> names;
  for (const NodePopulation& np : c.nodes) {
    std::map<std::int64_t, int> index_of_type;
    std::vector<std::int64_t> types_used;
    for (std::int64_t t : np.node_type_id)
      if (!index_of_type.count(t)) index_of_type[t] = 0, types_used.push_back(t);
    std::sort(types_used.begin(), types_used.end());
    std::vector<Place>& pl = place[np.name];
    pl.resize(np.node_type_id.size());
    std::map<std::int64_t, std::uint32_t> count;
    for (std::int64_t t : types_used) {
      const TypeRow& row = np.types.at(t);
      const std::string where = np.types_file + ": node_type_id " + std::to_string(t);
      const std::string name = types_used.size() == 1 ? np.name : np.name + "." + std::to_string(t);
      index_of_type[t] = static_cast<int>(d.populations.size());
      std::uint32_t n = 0;
      for (std::int64_t x : np.node_type_id) n += x == t;
      if (cell(row, "model_type") == "virtual") {
        SpikeGeneratorSpec g;
        g.name = name;
        g.size = n;
        d.populations.emplace_back(g);
      } else {
        if (!row.count("model_template")) throw FormatError(where + ": model_template: missing");
        PopulationSpec p;
        p.name = name;
        p.size = n;
        p.params =
            default_params(model_of(cell(row, "model_template"), where + ": model_template"));
        const json params = read_params_file(
            c.point_neuron_models_dir, cell(row, "dynamics_params"), where + ": dynamics_params");
        set_params(p.params, params, c.point_neuron_models_dir + "/" + cell(row, "dynamics_params"),
                   p.v_init);
        d.populations.emplace_back(p);
      }
      d.where_populations.push_back(where);
      names.push_back(name);
    }
    for (std::size_t i = 0; i < np.node_type_id.size(); ++i) {
      const std::int64_t t = np.node_type_id[i];
      pl[i] = Place{index_of_type[t], count[t]++};
      // Output names: the circuit's population and node id (the node's index in nodes.h5).
      FileName& fname = d.file_names[names[index_of_type[t]]];
      fname.population = np.name;
      fname.node_ids.push_back(i);
    }
  }

  // Spike inputs into the virtual populations.
  for (const SpikeInput& in : c.inputs) {
    const std::string where = c.config + ": inputs." + in.name;
    auto it = place.find(in.node_set);
    if (it == place.end())
      throw FormatError(where + ".node_set: no node population named '" + in.node_set + "'");
    for (std::size_t k = 0; k < in.node_ids.size(); ++k) {
      if (in.node_ids[k] >= it->second.size())
        throw FormatError(in.file + ": node_ids: node " + std::to_string(in.node_ids[k]) +
                          " does not exist in population " + in.node_set + " (" +
                          std::to_string(it->second.size()) + " nodes)");
      const Place p = it->second[in.node_ids[k]];
      auto* g = std::get_if<SpikeGeneratorSpec>(&d.populations[p.pop]);
      if (!g)
        throw FormatError(where + ".node_set: " + in.node_set + " node " +
                          std::to_string(in.node_ids[k]) + " is not a virtual node");
      const double t = std::round(in.times_ms[k] / dt_ms) * dt_ms;  // onto the grid
      if (!(t > 0)) continue;  // a spike at or before the first step cannot be emitted
      g->nodes.push_back(p.local);
      g->times_ms.push_back(t);
    }
  }

  // Edges: one list projection per (source population, target population, plastic synapse
  // type), in that order (the order of a step's sums does not depend on the files' edge order).
  std::map<std::tuple<int, int, std::int64_t>, std::pair<ProjectionSpec, std::string>> projs;
  for (const EdgePopulation& ep : c.edges) {
    const std::string at = ep.file + ": /edges/" + ep.name;
    auto sp = place.find(ep.source_population), tp = place.find(ep.target_population);
    if (sp == place.end())
      throw FormatError(at + "/source_node_id: node_population '" + ep.source_population +
                        "' does not exist");
    if (tp == place.end())
      throw FormatError(at + "/target_node_id: node_population '" + ep.target_population +
                        "' does not exist");
    std::map<std::int64_t, SynapseSpec> syn_of_type;
    for (std::size_t i = 0; i < ep.source.size(); ++i) {
      if (ep.source[i] >= sp->second.size())
        throw FormatError(at + "/source_node_id: edge " + std::to_string(i) + " comes from node " +
                          std::to_string(ep.source[i]) + ", " + ep.source_population + " has " +
                          std::to_string(sp->second.size()) + " nodes");
      if (ep.target[i] >= tp->second.size())
        throw FormatError(at + "/target_node_id: edge " + std::to_string(i) + " goes to node " +
                          std::to_string(ep.target[i]) + ", " + ep.target_population + " has " +
                          std::to_string(tp->second.size()) + " nodes");
      const std::int64_t type = ep.edge_type_id[i];
      const TypeRow& row = ep.types.at(type);
      const std::string tw = ep.types_file + ": edge_type_id " + std::to_string(type);
      if (!syn_of_type.count(type)) syn_of_type[type] = synapse_of(row, c, tw);
      const Place s = sp->second[ep.source[i]], t = tp->second[ep.target[i]];
      if (std::holds_alternative<SpikeGeneratorSpec>(d.populations[t.pop]))
        throw FormatError(at + "/target_node_id: edge " + std::to_string(i) +
                          " targets a virtual node");
      // Plastic synapses of different types must not share a projection; static ones may.
      const std::int64_t key = syn_of_type[type].model == SynapseModel::Static ? -1 : type;
      auto [it, fresh] = projs.try_emplace({s.pop, t.pop, key});
      ProjectionSpec& p = it->second.first;
      if (fresh) {
        p.source = names[s.pop];
        p.target = names[t.pop];
        p.connectivity = Connectivity::list({}, {});
        p.synapse = syn_of_type[type];
        it->second.second = at;
      }
      const double w = !ep.syn_weight.empty()
                           ? ep.syn_weight[i]
                           : number(cell(row, "syn_weight"), tw + ": syn_weight");
      const double n = !ep.nsyns.empty()    ? ep.nsyns[i]
                       : row.count("nsyns") ? number(cell(row, "nsyns"), tw + ": nsyns")
                                            : 1.0;
      const double delay =
          !ep.delay.empty() ? ep.delay[i] : number(cell(row, "delay"), tw + ": delay");
      p.connectivity.sources.push_back(s.local);
      p.connectivity.targets.push_back(t.local);
      p.connectivity.weights.push_back(static_cast<float>(w * n));
      p.connectivity.delays_ms.push_back(delay);
    }
  }
  for (auto& [key, entry] : projs) {
    d.projections.push_back(std::move(entry.first));
    d.where_projections.push_back(entry.second);
  }
  return d;
}

NetworkDescription read_sonata_network(const std::string& config_path, double default_dt_ms) {
  const Circuit c = read_circuit(config_path);
  const double dt = c.dt_ms.value_or(default_dt_ms);
  NetworkDescription d = circuit_network(c, dt);
  d.dt_ms = c.dt_ms;
  d.t_stop_ms = c.tstop_ms;
  return d;
}

}  // namespace snn::sim::sonata
