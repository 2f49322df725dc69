// A NIR graph as populations and projections of the engine (see nir_plan.h).
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <type_traits>

#include "sim/core/errors.h"
#include "sim/nir/nir_plan.h"

namespace snn::sim::nir {
namespace {

using io::NirArray;
using io::NirGraph;
using io::NirNode;
using io::NirNodeType;

std::string where(const std::string& file) {
  return file.empty() ? "NIR graph" : file;
}

/// The graph with nested graphs inlined: names "graph.inner", a nested Input/Output an identity.
struct Flat {
  std::vector<NirNode> nodes;  ///< in the file's order, nested ones in place
  std::map<std::string, std::size_t> index;
  std::vector<std::pair<std::string, std::string>> edges;
  std::set<std::string> top_io;  ///< the top level's Input and Output nodes
  std::string file;

  const NirNode& at(const std::string& n) const { return nodes[index.at(n)]; }
};

/// The first node of type t in a nested graph (its Input or Output).
std::string io_node(const NirGraph& g, NirNodeType t, const std::string& graph_name,
                    const std::string& file) {
  for (const NirNode& n : g.nodes)
    if (n.type == t) return n.name;
  throw FormatError(where(file) + ": nested graph '" + graph_name + "' has no " +
                    io::nir_type_name(t) + " node");
}

/// An edge endpoint of g (under `prefix`) as a flat node name; as_source: a whole nested graph
/// stands for its Output, else for its Input.
std::string flat_endpoint(const NirGraph& g, const std::string& ref, const std::string& prefix,
                          bool as_source, const std::string& file) {
  io::NirEndpoint e = io::resolve_endpoint(g, ref);
  const NirNode& n = *g.find(e.node);
  if (n.type != NirNodeType::NIRGraph) return prefix + e.node;
  const std::string inner =
      e.inner.empty()
          ? io_node(n.graph, as_source ? NirNodeType::Output : NirNodeType::Input, n.name, file)
          : e.inner;
  return flat_endpoint(n.graph, inner, prefix + n.name + ".", as_source, file);
}

void flatten(const NirGraph& g, const std::string& prefix, Flat& f) {
  for (const NirNode& n : g.nodes) {
    if (n.type == NirNodeType::NIRGraph) {
      flatten(n.graph, prefix + n.name + ".", f);
      continue;
    }
    NirNode c = n;
    c.graph = NirGraph{};
    c.name = prefix + n.name;
    if (prefix.empty() && (n.type == NirNodeType::Input || n.type == NirNodeType::Output))
      f.top_io.insert(c.name);
    f.index[c.name] = f.nodes.size();
    f.nodes.push_back(std::move(c));
  }
  for (const io::NirEdge& e : g.edges)
    f.edges.emplace_back(flat_endpoint(g, e.source, prefix, true, f.file),
                         flat_endpoint(g, e.target, prefix, false, f.file));
}

bool is_neuron(NirNodeType t) {
  switch (t) {
    case NirNodeType::LIF:
    case NirNodeType::IF:
    case NirNodeType::LI:
    case NirNodeType::I:
    case NirNodeType::CubaLIF:
    case NirNodeType::CubaLI:
    case NirNodeType::Threshold:
      return true;
    default:
      return false;
  }
}
bool is_spiking(NirNodeType t) {
  return t != NirNodeType::LI && t != NirNodeType::I && t != NirNodeType::CubaLI;
}

/// The shape of a neuron node: that of its first per-neuron parameter (or output_type).
Shape neuron_shape(const NirNode& n) {
  for (const char* f : {"v_threshold", "threshold", "tau", "tau_mem", "r"})
    if (n.has(f) && !n.params.at(f).shape.empty()) return n.params.at(f).shape;
  if (!n.output_type.empty()) return n.output_type;
  return Shape{1};
}

/// A parameter as per-neuron values (empty: absent); broadcast from one value.
std::vector<double> per_neuron(const NirNode& n, const std::string& field, std::int64_t size,
                               const std::string& file) {
  if (!n.has(field)) return {};
  const NirArray& a = n.params.at(field);
  if (a.is_string())
    throw FormatError(where(file) + ": node '" + n.name + "': " + field + ": expected numbers");
  if (a.size() == 1) return std::vector<double>(size, a.values[0]);
  if (static_cast<std::int64_t>(a.size()) != size)
    throw FormatError(where(file) + ": node '" + n.name + "': " + field + ": " +
                      std::to_string(a.size()) + " values for " + std::to_string(size) +
                      " neurons");
  return a.values;
}

template <class P>
void fill_params(P& p, const NirNode& n, std::int64_t size, const std::string& file, bool cuba,
                 const NirSimOptions& o) {
  auto req = [&](const std::string& f) {
    n.param(f, file);  // FormatError naming the missing field
    return per_neuron(n, f, size, file);
  };
  auto opt = [&](const std::string& f) { return per_neuron(n, f, size, file); };
  NirPerNeuron& e = p.each;
  const NirNodeType t = n.type;
  const bool leaky = t != NirNodeType::IF && t != NirNodeType::I;
  if (leaky) {
    e.tau = req(cuba ? "tau_mem" : "tau");
    e.v_leak = req("v_leak");
  }
  if (cuba) {
    e.tau_syn = req("tau_syn");
    e.w_in = opt("w_in");
  }
  e.r = req("r");
  if (is_spiking(t)) {
    e.v_threshold = req("v_threshold");
    e.v_reset = opt("v_reset");
  }
  p.options = o.neuron;
  // A node that says it resets by subtraction (our exporter's metadata for a soft reset).
  auto m = n.metadata.find("reset");
  if (m != n.metadata.end() && m->second.is_string() && m->second.text == "subtract")
    p.options.reset_subtract = true;
}

PopulationSpec neuron_spec(const NirNode& n, std::int64_t size, const NirSimOptions& o,
                           const std::string& file) {
  PopulationSpec s;
  s.name = n.name;
  s.size = size;
  switch (n.type) {
    case NirNodeType::LIF: {
      NirLif::Params p;
      fill_params(p, n, size, file, false, o);
      s.params = p;
      break;
    }
    case NirNodeType::IF: {
      NirIf::Params p;
      fill_params(p, n, size, file, false, o);
      s.params = p;
      break;
    }
    case NirNodeType::LI: {
      NirLi::Params p;
      fill_params(p, n, size, file, false, o);
      s.params = p;
      break;
    }
    case NirNodeType::I: {
      NirI::Params p;
      fill_params(p, n, size, file, false, o);
      s.params = p;
      break;
    }
    case NirNodeType::CubaLIF: {
      NirCubaLif::Params p;
      fill_params(p, n, size, file, true, o);
      s.params = p;
      break;
    }
    case NirNodeType::CubaLI: {
      NirCubaLi::Params p;
      fill_params(p, n, size, file, true, o);
      s.params = p;
      break;
    }
    case NirNodeType::Threshold: {
      // Stateless: v = x each step (a LIF with tau = dt, r = 1, v_leak = v_reset = 0).
      NirLif::Params p;
      p.tau = o.dt_s;
      p.each.v_threshold = per_neuron(n, "threshold", size, file);
      if (p.each.v_threshold.empty()) n.param("threshold", file);
      p.options = o.neuron;
      p.options.reset_subtract = false;
      s.params = p;
      break;
    }
    default:
      throw FormatError(where(file) + ": node '" + n.name + "': not a neuron");
  }
  return s;
}

/// The NIR parameters of a population spec (all plan populations are nir_* models).
NirParams& nir_params(PopulationSpec& s) {
  NirParams* out = nullptr;
  std::visit(
      [&](auto& q) {
        if constexpr (std::is_base_of_v<NirParams, std::decay_t<decltype(q)>>) out = &q;
      },
      s.params);
  require(out != nullptr, "population " + s.name + " is not a NIR model");
  return *out;
}

/// What flows out of a node: per source population, the map from its neurons; a constant part.
struct Value {
  std::map<std::string, LinearMap> terms;
  std::vector<double> bias;
  Shape shape;
};

}  // namespace

const PlanPopulation& NirPlan::input(const std::string& node) const {
  for (const PlanPopulation& p : populations)
    if (p.node == node && p.input) return p;
  throw FormatError(where(file) + ": no Input node named '" + node + "'");
}

std::vector<std::string> NirPlan::input_names() const {
  std::vector<std::string> v;
  for (const PlanPopulation& p : populations)
    if (p.input) v.push_back(p.node);
  return v;
}

NirPlan plan_nir(const NirGraph& g, const NirSimOptions& options) {
  require(options.dt_s > 0, "NIR dt must be > 0 s, got " + num(options.dt_s));
  Flat f;
  f.file = g.file;
  flatten(g, "", f);
  const std::string file = where(g.file);
  std::map<std::string, std::vector<std::string>> preds;
  for (auto& [s, t] : f.edges) preds[t].push_back(s);

  auto is_state = [&](const NirNode& n) {
    return is_neuron(n.type) || (n.type == NirNodeType::Input && f.top_io.count(n.name));
  };
  auto state_shape = [&](const NirNode& n) {
    if (n.type == NirNodeType::Input) {
      const NirArray& a = n.param("shape", g.file);
      Shape s;
      for (double x : a.values) s.push_back(static_cast<std::int64_t>(x));
      return s;
    }
    return neuron_shape(n);
  };
  auto node_error = [&](const NirNode& n, const std::string& what) {
    return FormatError(file + ": node '" + n.name + "' (" + io::nir_type_name(n.type) +
                       "): " + what);
  };
  for (const NirNode& n : f.nodes)
    if (!is_state(n) && !is_linear(n.type))
      throw node_error(n, "node type not supported by the simulator");

  // The value flowing into a node: the sum over its incoming edges.
  std::map<std::string, Value> memo;
  std::set<std::string> visiting;
  std::function<Value(const std::string&)> out_value;
  auto in_value = [&](const NirNode& n) {
    Value v;
    auto it = preds.find(n.name);
    if (it == preds.end() || it->second.empty()) throw node_error(n, "no incoming edge");
    bool first = true;
    for (const std::string& p : it->second) {
      Value x = out_value(p);
      if (first) {
        v = std::move(x);
        first = false;
        continue;
      }
      if (elements(x.shape) != elements(v.shape))
        throw node_error(n, "inputs of different sizes (" + std::to_string(elements(v.shape)) +
                                " and " + std::to_string(elements(x.shape)) + ") are summed");
      for (auto& [s, m] : x.terms) {
        auto t = v.terms.find(s);
        if (t == v.terms.end())
          v.terms[s] = std::move(m);
        else
          t->second = sum(t->second, m);
      }
      if (!x.bias.empty()) {
        if (v.bias.empty()) v.bias.assign(x.bias.size(), 0.0);
        for (std::size_t j = 0; j < x.bias.size(); ++j) v.bias[j] += x.bias[j];
      }
    }
    return v;
  };
  out_value = [&](const std::string& name) -> Value {
    const NirNode& n = f.at(name);
    if (is_state(n)) {
      if (!is_spiking(n.type))
        throw node_error(n,
                         "a non-spiking node can only feed a graph Output (the simulator "
                         "passes spikes between nodes)");
      Value v;
      v.shape = state_shape(n);
      v.terms[name] = identity_map(v.shape);
      return v;
    }
    auto hit = memo.find(name);
    if (hit != memo.end()) return hit->second;
    if (!visiting.insert(name).second)
      throw node_error(n,
                       "a cycle of linear nodes only (an edge that closes a cycle must pass "
                       "through a neuron)");
    Value x = in_value(n);
    Value y;
    LinearMap a = linear_map(n, x.shape, options.dt_s, g.file);
    y.shape = a.out_shape;
    const std::vector<double> own_bias = a.bias;
    a.bias.clear();
    for (auto& [s, m] : x.terms) y.terms[s] = compose(m, a);
    if (!x.bias.empty() || !own_bias.empty()) {
      y.bias = own_bias.empty() ? std::vector<double>(a.n_out, 0.0) : own_bias;
      if (!x.bias.empty())
        for (const MapEntry& e : a.entries) y.bias[e.out] += x.bias[e.in] * e.weight;
    }
    visiting.erase(name);
    memo[name] = y;
    return y;
  };

  // Inputs of every neuron and output node.
  struct Target {
    std::string name;
    Value in;
  };
  std::vector<Target> targets;
  std::map<std::string, Shape> shapes;
  for (const NirNode& n : f.nodes) {
    if (is_state(n)) shapes[n.name] = state_shape(n);
    const bool output = n.type == NirNodeType::Output && f.top_io.count(n.name);
    if (output) {
      bool all_v = preds.count(n.name) > 0;
      for (const std::string& p : preds[n.name])
        all_v = all_v && is_neuron(f.at(p).type) && !is_spiking(f.at(p).type);
      if (all_v) continue;  // V read-outs, below
    }
    if (is_neuron(n.type) || output) {
      Value v = in_value(n);
      if (is_neuron(n.type) && elements(v.shape) != elements(shapes[n.name]))
        throw node_error(n, std::to_string(elements(v.shape)) + " inputs for " +
                                std::to_string(elements(shapes[n.name])) + " neurons");
      targets.push_back({n.name, std::move(v)});
    }
  }

  // Topological order of the populations (inputs first); edges to a node on the DFS stack close
  // a cycle.
  std::map<std::string, std::vector<std::string>> succ;
  for (const Target& t : targets)
    if (f.at(t.name).type != NirNodeType::Output)
      for (auto& [s, m] : t.in.terms) succ[s].push_back(t.name);
  std::map<std::string, int> color;  // 0 new, 1 on stack, 2 done
  std::set<std::pair<std::string, std::string>> back;
  std::vector<std::string> post;
  std::function<void(const std::string&)> dfs = [&](const std::string& u) {
    color[u] = 1;
    for (const std::string& w : succ[u]) {
      if (color[w] == 1)
        back.insert({u, w});
      else if (color[w] == 0)
        dfs(w);
    }
    color[u] = 2;
    post.push_back(u);
  };
  for (const NirNode& n : f.nodes)
    if (is_state(n) && n.type == NirNodeType::Input && color[n.name] == 0) dfs(n.name);
  for (const NirNode& n : f.nodes)
    if (is_state(n) && color[n.name] == 0) dfs(n.name);
  std::reverse(post.begin(), post.end());

  NirPlan plan;
  plan.options = options;
  plan.file = g.file;
  std::map<std::string, const Target*> target_of;
  for (const Target& t : targets) target_of[t.name] = &t;
  for (const std::string& name : post) {
    const NirNode& n = f.at(name);
    PlanPopulation p;
    p.node = name;
    p.type = n.type;
    p.shape = shapes[name];
    p.input = n.type == NirNodeType::Input;
    p.spiking = is_spiking(n.type);
    if (!p.input) {
      p.spec = neuron_spec(n, elements(p.shape), options, g.file);
      const Value& in = target_of.at(name)->in;
      if (!in.bias.empty()) nir_params(p.spec).each.bias = in.bias;
    }
    plan.populations.push_back(std::move(p));
  }
  for (const std::string& name : post) {
    auto it = target_of.find(name);
    if (it == target_of.end()) continue;
    for (auto& [s, m] : it->second->in.terms)
      plan.projections.push_back({s, name, back.count({s, name}) > 0 || s == name, m});
  }
  for (const Target& t : targets) {
    if (f.at(t.name).type != NirNodeType::Output) continue;
    if (t.in.terms.empty()) throw node_error(f.at(t.name), "reads no population");
    const std::string& src = t.in.terms.begin()->first;
    plan.outputs.push_back({t.name, src, is_spiking(f.at(src).type), {t.in.terms, t.in.bias}});
  }
  // Non-spiking outputs: the node feeding the Output directly.
  for (const NirNode& n : f.nodes) {
    if (n.type != NirNodeType::Output || !f.top_io.count(n.name)) continue;
    for (const std::string& p : preds[n.name])
      if (is_neuron(f.at(p).type) && !is_spiking(f.at(p).type))
        plan.outputs.push_back({n.name, p, false, {}});
  }
  return plan;
}

void add_to_network(const NirPlan& plan, Network& net,
                    const std::map<std::string, InputSpikes>& spikes,
                    const std::map<std::string, double>& currents, bool record_v_outputs,
                    const std::map<std::string, std::vector<double>>& values) {
  const double dt = plan.dt_ms();
  require(std::fabs(net.config().dt_ms - dt) <= 1e-12 * dt,
          "the network's dt " + num(net.config().dt_ms) + " ms is not the NIR plan's " + num(dt) +
              " ms");
  for (auto& [name, s] : spikes) plan.input(name);  // names an Input
  for (auto& [name, c] : currents) plan.input(name);
  for (auto& [name, v] : values) {
    const std::int64_t n = elements(plan.input(name).shape);
    require(static_cast<std::int64_t>(v.size()) == n,
            "input " + name + ": " + std::to_string(v.size()) + " values for " + std::to_string(n) +
                " elements");
  }
  // Constant inputs reach their targets as a bias.
  std::map<std::string, std::vector<double>> extra_bias;
  for (const PlanProjection& q : plan.projections) {
    auto c = currents.find(q.source);
    auto v = values.find(q.source);
    if (c == currents.end() && v == values.end()) continue;
    std::vector<double>& b = extra_bias[q.target];
    if (b.empty()) b.assign(q.map.n_out, 0.0);
    const double same = c == currents.end() ? 0.0 : c->second;
    const std::vector<double>* each = v == values.end() ? nullptr : &v->second;
    for (const MapEntry& e : q.map.entries)
      b[e.out] += e.weight * (same + (each ? (*each)[e.in] : 0.0));
  }
  for (const PlanPopulation& p : plan.populations) {
    const std::int64_t n = elements(p.shape);
    if (p.input) {
      SpikeGeneratorSpec g;
      g.name = p.node;
      g.size = static_cast<std::uint32_t>(n);
      auto it = spikes.find(p.node);
      if (it != spikes.end()) {
        require(it->second.neurons.size() == it->second.steps.size(),
                "input " + p.node + ": one step per spike needed");
        g.nodes = it->second.neurons;
        for (std::int64_t s : it->second.steps) g.times_ms.push_back(static_cast<double>(s) * dt);
      }
      net.add_spike_generator(g);
      continue;
    }
    PopulationSpec s = p.spec;
    auto b = extra_bias.find(p.node);
    if (b != extra_bias.end()) {
      std::vector<double>& bias = nir_params(s).each.bias;
      if (bias.empty()) bias.assign(n, 0.0);
      for (std::int64_t j = 0; j < n; ++j) bias[j] += b->second[j];
    }
    net.add_population(s);
  }
  for (const PlanProjection& q : plan.projections) {
    if (q.map.entries.empty()) continue;
    std::vector<std::uint32_t> src, tgt;
    std::vector<float> w;
    std::vector<double> d;
    bool same_delay = true;
    const int d0 = q.map.entries[0].delay;
    for (const MapEntry& e : q.map.entries) {
      src.push_back(e.in);
      tgt.push_back(e.out);
      w.push_back(static_cast<float>(e.weight));
      d.push_back((e.delay + (q.back_edge ? 1 : 0)) * dt);
      same_delay = same_delay && e.delay == d0;
    }
    ProjectionSpec spec;
    spec.source = q.source;
    spec.target = q.target;
    spec.connectivity = Connectivity::list(std::move(src), std::move(tgt));
    spec.connectivity.weights = std::move(w);
    if (same_delay)
      spec.delay_ms = Distribution::constant(d.empty() ? 0.0 : d[0]);
    else
      spec.connectivity.delays_ms = std::move(d);
    net.connect(spec);
  }
  bool any_spikes = false;
  for (const PlanOutput& o : plan.outputs) {
    if (o.spikes) {
      net.record_spikes(o.population);
      for (auto& [source, map] : o.readout.maps)
        if (source != o.population) net.record_spikes(source);
      any_spikes = true;
    } else if (record_v_outputs) {
      const std::int64_t n = net.population_size(o.population);
      std::vector<std::uint32_t> ids(n);
      for (std::int64_t j = 0; j < n; ++j) ids[j] = static_cast<std::uint32_t>(j);
      net.record_voltage(o.population, ids);
    }
  }
  if (!any_spikes) net.record_no_spikes();
}

}  // namespace snn::sim::nir
