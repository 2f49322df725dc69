// Network files: JSON (comments allowed) read through io/json_reader, which notes the line of
// every field, so that errors can say where.
#include <fstream>
#include <map>
#include <sstream>

#include "io/json_reader.h"
#include "sim/core/errors.h"
#include "sim/network_file.h"
#include "sim/neurons/neuron_model.h"

namespace snn::sim {
namespace {

using json = io::Json;

/// The shared located reader (io/json_reader) plus the network files' own value kinds.
class Reader : public io::JsonReader {
 public:
  using io::JsonReader::JsonReader;

  std::uint32_t index(const json& j, const std::string& path) const {
    std::int64_t v = non_negative(j, path);
    if (v > 0xffffffffll) value_error(path, "index too large: " + std::to_string(v));
    return static_cast<std::uint32_t>(v);
  }
  /// [lo, hi] as a two-number array.
  std::pair<double, double> range(const json& j, const std::string& path) const {
    array(j, path);
    if (j.size() != 2) format_error(path, "expected [low, high]");
    return {number(j[0], item(path, 0)), number(j[1], item(path, 1))};
  }
  /// A number, {"uniform": [lo, hi]} or (when allowed) {"normal": [mean, sd]}.
  Distribution distribution(const json& j, const std::string& path, bool allow_normal) const {
    if (j.is_number()) return Distribution::constant(j.get<double>());
    if (!j.is_object() || j.size() != 1)
      format_error(path, std::string("expected a number or {\"uniform\": [low, high]}") +
                             (allow_normal ? " or {\"normal\": [mean, sd]}" : ""));
    if (j.contains("uniform")) {
      auto [a, b] = range(j["uniform"], field(path, "uniform"));
      if (!(a <= b))
        value_error(field(path, "uniform"), "empty range [" + num(a) + ", " + num(b) + "]");
      return Distribution::uniform(a, b);
    }
    if (allow_normal && j.contains("normal")) {
      auto [a, b] = range(j["normal"], field(path, "normal"));
      if (!(b >= 0))
        value_error(field(path, "normal"), "standard deviation must be >= 0, got " + num(b));
      return Distribution::normal(a, b);
    }
    format_error(field(path, j.begin().key()), "unknown distribution '" + j.begin().key() + "'");
  }
};

template <class Params>
void read_params(const Reader& r, const json& obj, const std::string& path, Params& p) {
  r.object(obj, path);
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool found = false;
    std::string names;
    p.fields([&](const char* name, const char* unit, double& value) {
      names += std::string(names.empty() ? "" : ", ") + name + " (" + unit + ")";
      if (it.key() == name) {
        value = r.number(it.value(), Reader::field(path, name));
        found = true;
      }
    });
    if (!found)
      r.format_error(Reader::field(path, it.key()),
                     "unknown parameter '" + it.key() + "' (expected one of: " + names + ")");
  }
}

template <int I = 0>
void read_model_params(const Reader& r, const json& obj, const std::string& path, NeuronParams& p) {
  if constexpr (I < NeuronModels::size) {
    if (p.index() == I)
      read_params(r, obj, path, std::get<I>(p));
    else
      read_model_params<I + 1>(r, obj, path, p);
  }
}

/// A projection's "synapse": {"model": "stdp_synapse" | "tsodyks2_synapse" | "static_synapse",
/// parameters with NEST's names}.
SynapseSpec read_synapse(const Reader& r, const json& obj, const std::string& path) {
  r.object(obj, path);
  SynapseSpec s;
  const std::string model = r.string(r.need(obj, path, "model"), Reader::field(path, "model"));
  std::vector<std::pair<const char*, double*>> fields;
  if (model == "stdp_synapse") {
    s.model = SynapseModel::Stdp;
    StdpParams& p = s.stdp;
    fields = {{"tau_plus", &p.tau_plus}, {"tau_minus", &p.tau_minus}, {"lambda", &p.lambda},
              {"alpha", &p.alpha},       {"mu_plus", &p.mu_plus},     {"mu_minus", &p.mu_minus},
              {"Wmax", &p.w_max}};
  } else if (model == "tsodyks2_synapse") {
    s.model = SynapseModel::Tsodyks2;
    Tsodyks2Params& p = s.tsodyks2;
    fields = {
        {"U", &p.u_0}, {"u", &p.u}, {"x", &p.x}, {"tau_rec", &p.tau_rec}, {"tau_fac", &p.tau_fac}};
  } else if (model != "static_synapse") {
    r.value_error(Reader::field(path, "model"),
                  "unknown synapse model '" + model +
                      "' (expected static_synapse, stdp_synapse or tsodyks2_synapse)");
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "model") continue;
    std::string names;
    bool found = false;
    for (auto& [name, value] : fields) {
      names += std::string(names.empty() ? "" : ", ") + name;
      if (it.key() == name) {
        *value = r.number(it.value(), Reader::field(path, name));
        found = true;
      }
    }
    if (!found)
      r.format_error(Reader::field(path, it.key()),
                     "unknown parameter '" + it.key() + "' of " + model +
                         (names.empty() ? "" : " (expected one of: " + names + ")"));
  }
  return s;
}

}  // namespace

NetworkDescription parse_network_json(const std::string& text, const std::string& source) {
  io::LocatedJson doc = io::parse_located_json(text, source);
  json& root = doc.root;
  const std::map<std::string, int>& lines = doc.lines;

  Reader r(source, lines);
  NetworkDescription d;
  r.object(root, "");
  r.only(
      root, "",
      {"dt", "t_stop", "seed", "populations", "projections", "sources", "record", "description"});
  if (root.contains("dt")) {
    d.dt_ms = r.number(root["dt"], "dt");
    if (!(*d.dt_ms > 0)) r.value_error("dt", "dt must be > 0 ms, got " + num(*d.dt_ms));
  }
  if (root.contains("t_stop")) {
    d.t_stop_ms = r.number(root["t_stop"], "t_stop");
    if (!(*d.t_stop_ms >= 0))
      r.value_error("t_stop", "t_stop must be >= 0 ms, got " + num(*d.t_stop_ms));
  }
  if (root.contains("seed"))
    d.seed = static_cast<std::uint64_t>(r.non_negative(root["seed"], "seed"));

  const json& pops = r.array(r.need(root, "", "populations"), "populations");
  for (std::size_t i = 0; i < pops.size(); ++i) {
    const std::string path = Reader::item("populations", i);
    const json& e = r.object(pops[i], path);
    const std::string name = r.string(r.need(e, path, "name"), Reader::field(path, "name"));
    const std::int64_t size = r.non_negative(r.need(e, path, "size"), Reader::field(path, "size"));
    const std::string model = r.string(r.need(e, path, "model"), Reader::field(path, "model"));
    d.where_populations.push_back(r.where(path));
    if (model == "spike_generator") {
      r.only(e, path, {"name", "size", "model", "spikes"});
      SpikeGeneratorSpec g;
      g.name = name;
      if (size > 0xffffffffll) r.value_error(Reader::field(path, "size"), "too large");
      g.size = static_cast<std::uint32_t>(size);
      if (e.contains("spikes")) {
        const std::string sp = Reader::field(path, "spikes");
        const json& s = r.array(e["spikes"], sp);
        for (std::size_t k = 0; k < s.size(); ++k) {
          const std::string ip = Reader::item(sp, k);
          r.array(s[k], ip);
          if (s[k].size() != 2) r.format_error(ip, "expected [node, time_ms]");
          g.nodes.push_back(r.index(s[k][0], Reader::item(ip, 0)));
          g.times_ms.push_back(r.number(s[k][1], Reader::item(ip, 1)));
          if (g.nodes.back() >= g.size)
            r.value_error(Reader::item(ip, 0), "node " + std::to_string(g.nodes.back()) +
                                                   " out of range [0, " + std::to_string(g.size) +
                                                   ")");
          if (!(g.times_ms.back() > 0))
            r.value_error(Reader::item(ip, 1),
                          "spike time must be > 0 ms, got " + num(g.times_ms.back()));
        }
      }
      d.populations.emplace_back(std::move(g));
      continue;
    }
    r.only(e, path, {"name", "size", "model", "params", "v_init"});
    int m = model_index(model);
    if (m < 0) {
      std::string names = "spike_generator";
      for (int k = 0; k < NeuronModels::size; ++k) names += std::string(", ") + model_name(k);
      r.value_error(Reader::field(path, "model"),
                    "unknown model '" + model + "' (expected one of: " + names + ")");
    }
    PopulationSpec p;
    p.name = name;
    p.size = size;
    p.params = default_params(m);
    if (e.contains("params"))
      read_model_params(r, e["params"], Reader::field(path, "params"), p.params);
    if (e.contains("v_init")) {
      const std::string vp = Reader::field(path, "v_init");
      Distribution v = r.distribution(e["v_init"], vp, false);
      p.v_init = v.kind == Distribution::Constant ? VInit::constant(v.a) : VInit::uniform(v.a, v.b);
    }
    d.populations.emplace_back(std::move(p));
  }

  if (root.contains("projections")) {
    const json& projs = r.array(root["projections"], "projections");
    for (std::size_t i = 0; i < projs.size(); ++i) {
      const std::string path = Reader::item("projections", i);
      const json& e = r.object(projs[i], path);
      r.only(e, path,
             {"source", "target", "rule", "indegree", "outdegree", "N", "p", "pairs", "weight",
              "delay", "allow_autapses", "allow_multapses", "synapse", "procedural"});
      ProjectionSpec s;
      s.source = r.string(r.need(e, path, "source"), Reader::field(path, "source"));
      s.target = r.string(r.need(e, path, "target"), Reader::field(path, "target"));
      const std::string rule = r.string(r.need(e, path, "rule"), Reader::field(path, "rule"));
      auto want = [&](const char* key) -> const json& { return r.need(e, path, key); };
      Connectivity& c = s.connectivity;
      if (rule == "fixed_indegree") {
        c = Connectivity::fixed_indegree(
            r.non_negative(want("indegree"), Reader::field(path, "indegree")));
      } else if (rule == "fixed_outdegree") {
        c = Connectivity::fixed_outdegree(
            r.non_negative(want("outdegree"), Reader::field(path, "outdegree")));
      } else if (rule == "fixed_total_number") {
        c = Connectivity::fixed_total_number(r.non_negative(want("N"), Reader::field(path, "N")));
      } else if (rule == "fixed_probability") {
        double p = r.number(want("p"), Reader::field(path, "p"));
        if (!(p >= 0 && p <= 1))
          r.value_error(Reader::field(path, "p"), "p must be in [0, 1], got " + num(p));
        c = Connectivity::fixed_probability(p);
      } else if (rule == "one_to_one") {
        c = Connectivity::one_to_one();
      } else if (rule == "all_to_all") {
        c = Connectivity::all_to_all();
      } else if (rule == "list") {
        c = Connectivity::list({}, {});
        const std::string pp = Reader::field(path, "pairs");
        const json& pairs = r.array(want("pairs"), pp);
        std::size_t width = 0;
        for (std::size_t k = 0; k < pairs.size(); ++k) {
          const std::string ip = Reader::item(pp, k);
          r.array(pairs[k], ip);
          if (k == 0) width = pairs[k].size();
          if (pairs[k].size() < 2 || pairs[k].size() > 4 || pairs[k].size() != width)
            r.format_error(
                ip,
                "expected [source, target] or [source, target, weight] or [source, target, "
                "weight, delay_ms], the same for every pair");
          c.sources.push_back(r.index(pairs[k][0], Reader::item(ip, 0)));
          c.targets.push_back(r.index(pairs[k][1], Reader::item(ip, 1)));
          if (width >= 3)
            c.weights.push_back(static_cast<float>(r.number(pairs[k][2], Reader::item(ip, 2))));
          if (width >= 4) c.delays_ms.push_back(r.number(pairs[k][3], Reader::item(ip, 3)));
        }
      } else {
        r.value_error(Reader::field(path, "rule"),
                      "unknown rule '" + rule +
                          "' (expected fixed_indegree, fixed_outdegree, fixed_total_number, "
                          "fixed_probability, one_to_one, all_to_all or list)");
      }
      if (e.contains("allow_autapses"))
        c.allow_autapses = r.boolean(e["allow_autapses"], Reader::field(path, "allow_autapses"));
      if (e.contains("allow_multapses"))
        c.allow_multapses = r.boolean(e["allow_multapses"], Reader::field(path, "allow_multapses"));
      if (e.contains("weight"))
        s.weight = r.distribution(e["weight"], Reader::field(path, "weight"), true);
      else if (c.weights.empty())
        r.format_error(path, "missing field 'weight'");
      if (e.contains("delay"))
        s.delay_ms = r.distribution(e["delay"], Reader::field(path, "delay"), false);
      else if (c.delays_ms.empty())
        r.format_error(path, "missing field 'delay'");
      if (e.contains("synapse"))
        s.synapse = read_synapse(r, e["synapse"], Reader::field(path, "synapse"));
      if (e.contains("procedural")) {
        const std::string pp = Reader::field(path, "procedural");
        s.procedural = r.boolean(e["procedural"], pp);
        if (s.procedural && rule == "list")
          r.value_error(
              pp, "projection " + s.source + " -> " + s.target +
                      ": a list of pairs (with its per-synapse weights and delays) "
                      "cannot be procedural; use a random rule (fixed_probability, "
                      "fixed_indegree, fixed_outdegree, fixed_total_number, all_to_all) with a "
                      "projection-wide or random weight and delay, or drop "
                      "\"procedural\"");
        if (s.procedural && rule == "one_to_one")
          r.value_error(pp, "projection " + s.source + " -> " + s.target +
                                ": one_to_one is not a random rule and cannot be procedural");
      }
      d.projections.push_back(std::move(s));
      d.where_projections.push_back(
          r.where(e.contains("delay") ? Reader::field(path, "delay") : path));
    }
  }

  if (root.contains("sources")) {
    const json& srcs = r.array(root["sources"], "sources");
    for (std::size_t i = 0; i < srcs.size(); ++i) {
      const std::string path = Reader::item("sources", i);
      const json& e = r.object(srcs[i], path);
      const std::string type = r.string(r.need(e, path, "type"), Reader::field(path, "type"));
      const std::string target = r.string(r.need(e, path, "target"), Reader::field(path, "target"));
      std::uint32_t first =
          e.contains("first") ? r.index(e["first"], Reader::field(path, "first")) : 0;
      std::int64_t count =
          e.contains("count") ? r.non_negative(e["count"], Reader::field(path, "count")) : -1;
      if (type == "poisson") {
        r.only(e, path, {"type", "target", "first", "count", "rate", "weight", "delay"});
        PoissonSpec s;
        s.target = target;
        s.first = first;
        s.count = count;
        s.rate_hz = r.number(r.need(e, path, "rate"), Reader::field(path, "rate"));
        if (!(s.rate_hz >= 0))
          r.value_error(Reader::field(path, "rate"), "rate must be >= 0 Hz, got " + num(s.rate_hz));
        s.weight = r.number(r.need(e, path, "weight"), Reader::field(path, "weight"));
        if (e.contains("delay")) {
          s.delay_ms = r.number(e["delay"], Reader::field(path, "delay"));
          if (!(s.delay_ms > 0))
            r.value_error(Reader::field(path, "delay"),
                          "delay must be > 0 ms, got " + num(s.delay_ms));
        }
        d.poisson.push_back(s);
        d.where_poisson.push_back(r.where(path));
      } else if (type == "current") {
        r.only(e, path, {"type", "target", "first", "count", "amplitude"});
        CurrentSpec s;
        s.target = target;
        s.first = first;
        s.count = count;
        s.amplitude_pa = r.number(r.need(e, path, "amplitude"), Reader::field(path, "amplitude"));
        d.currents.push_back(s);
        d.where_currents.push_back(r.where(path));
      } else {
        r.value_error(Reader::field(path, "type"),
                      "unknown source type '" + type + "' (expected poisson or current)");
      }
    }
  }

  if (root.contains("record")) {
    const json& rec = r.object(root["record"], "record");
    r.only(rec, "record", {"spikes", "voltage"});
    if (rec.contains("spikes")) {
      const json& s = rec["spikes"];
      if (!(s.is_string() && s.get<std::string>() == "all")) {
        r.array(s, "record.spikes");
        for (std::size_t k = 0; k < s.size(); ++k)
          d.record_spikes.push_back(r.string(s[k], Reader::item("record.spikes", k)));
      }
    }
    if (rec.contains("voltage")) {
      const json& v = r.object(rec["voltage"], "record.voltage");
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string vp = Reader::field("record.voltage", it.key());
        const json& ids = r.array(it.value(), vp);
        std::vector<std::uint32_t> list;
        for (std::size_t k = 0; k < ids.size(); ++k)
          list.push_back(r.index(ids[k], Reader::item(vp, k)));
        d.record_voltage.emplace_back(it.key(), std::move(list));
      }
    }
  }
  return d;
}

NetworkDescription read_network_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read network file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("cannot read network file " + path);
  return parse_network_json(ss.str(), path);
}

void NetworkDescription::apply(Network& net) const {
  const double dt = net.config().dt_ms;
  auto at = [](const std::string& where, auto&& f) {
    try {
      f();
    } catch (const InvalidParameter& e) {
      throw InvalidParameter(where + ": " + e.what());
    }
  };
  for (std::size_t i = 0; i < populations.size(); ++i)
    at(where_populations[i], [&] {
      if (auto* p = std::get_if<PopulationSpec>(&populations[i]))
        net.add_population(*p);
      else
        net.add_spike_generator(std::get<SpikeGeneratorSpec>(populations[i]));
    });
  for (std::size_t i = 0; i < projections.size(); ++i)
    at(where_projections[i], [&] {
      const Distribution& d = projections[i].delay_ms;
      for (double ms : d.kind == Distribution::Constant ? std::vector<double>{d.a}
                                                        : std::vector<double>{d.a, d.b}) {
        if (!(ms >= dt * (1 - 1e-9)))
          throw InvalidParameter("delay " + num(ms) + " ms is shorter than dt " + num(dt) + " ms");
        steps_of(ms, dt, "delay");
      }
      net.connect(projections[i]);
    });
  for (std::size_t i = 0; i < poisson.size(); ++i)
    at(where_poisson[i], [&] {
      if (poisson[i].delay_ms != 0) {
        if (!(poisson[i].delay_ms >= dt * (1 - 1e-9)))
          throw InvalidParameter("delay " + num(poisson[i].delay_ms) + " ms is shorter than dt " +
                                 num(dt) + " ms");
        steps_of(poisson[i].delay_ms, dt, "delay");
      }
      net.add_poisson(poisson[i]);
    });
  for (std::size_t i = 0; i < currents.size(); ++i)
    at(where_currents[i], [&] { net.add_current(currents[i]); });
  for (const std::string& name : record_spikes) net.record_spikes(name);
  for (const auto& [name, ids] : record_voltage) net.record_voltage(name, ids);
}

}  // namespace snn::sim
