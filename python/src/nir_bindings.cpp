// NIR from Python: read_nir / write_nir convert between a NIR file and a dict of NumPy arrays
// (io/nir/), load_nir turns a NIR file into an snn.Network on the event-driven engine (sim/nir/),
// with the NIR choices and the inputs of snn-sim -network FILE.nir (apps/snn-sim/run_nir.h).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "apps/snn-sim/run_nir.h"
#include "io/nir/nir_graph.h"
#include "python/src/bindings.h"
#include "python/src/interrupt.h"
#include "python/src/py_network.h"
#include "sim/core/errors.h"
#include "sim/nir/nir_plan.h"

namespace py = pybind11;

namespace snn::python {
namespace {

using io::NirArray;
using io::NirDType;
using io::NirGraph;
using io::NirNode;

// ---- NIR graph <-> dict -------------------------------------------------------------------

/// A parameter as NumPy: an array of the stored dtype and shape (0-d for a scalar), or a str.
py::object to_python(const NirArray& a) {
  if (a.is_string()) return py::str(a.text);
  py::module_ np = py::module_::import("numpy");
  const char* dtype = a.dtype == NirDType::Float16   ? "float16"
                      : a.dtype == NirDType::Float32 ? "float32"
                      : a.dtype == NirDType::Int64   ? "int64"
                                                     : "float64";
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  py::array_t<double> v(shape);
  std::copy(a.values.begin(), a.values.end(), v.mutable_data());
  return v.attr("astype")(np.attr(dtype));  // exact: the values are those of the dtype
}

py::dict to_python(const std::map<std::string, NirArray>& m) {
  py::dict d;
  for (const auto& [k, v] : m) d[py::str(k)] = to_python(v);
  return d;
}

py::dict to_python(const NirGraph& g) {
  py::dict nodes;
  for (const NirNode& n : g.nodes) {
    py::dict d;
    d["type"] = io::nir_type_name(n.type);
    d["params"] = to_python(n.params);
    d["metadata"] = to_python(n.metadata);
    d["input_type"] = n.input_type;
    d["output_type"] = n.output_type;
    d["defaulted"] = n.defaulted;
    if (n.type == io::NirNodeType::NIRGraph) d["graph"] = to_python(n.graph);
    nodes[py::str(n.name)] = d;
  }
  py::list edges;
  for (const auto& e : g.edges) edges.append(py::make_tuple(e.source, e.target));
  py::dict d;
  d["version"] = g.version;
  d["nodes"] = nodes;
  d["edges"] = edges;
  d["metadata"] = to_python(g.metadata);
  return d;
}

/// A value from Python: str, or anything np.asarray takes (float16/32/64 keep their type, any
/// integer type is stored as int64; Python floats and ints as float64 and int64 scalars).
NirArray from_python(const py::handle& v, const std::string& what) {
  if (py::isinstance<py::str>(v)) return NirArray::string(py::cast<std::string>(v));
  py::module_ np = py::module_::import("numpy");
  py::array a = np.attr("asarray")(v);
  const char kind = a.dtype().kind();
  const auto size = a.dtype().itemsize();
  NirDType t;
  if (kind == 'f' && size == 2)
    t = NirDType::Float16;
  else if (kind == 'f' && size == 4)
    t = NirDType::Float32;
  else if (kind == 'f' && size == 8)
    t = NirDType::Float64;
  else if (kind == 'i' || kind == 'u')
    t = NirDType::Int64;
  else
    throw InvalidParameter(what + ": expected a str or an array of floats or integers, got dtype " +
                           std::string(py::str(a.dtype())));
  std::vector<std::int64_t> shape(a.shape(), a.shape() + a.ndim());
  py::array_t<double, py::array::c_style | py::array::forcecast> d(a);
  return NirArray::tensor(std::move(shape), std::vector<double>(d.data(), d.data() + d.size()), t);
}

std::map<std::string, NirArray> arrays_from_python(const py::handle& v, const std::string& what) {
  std::map<std::string, NirArray> m;
  if (v.is_none()) return m;
  if (!py::isinstance<py::dict>(v)) throw InvalidParameter(what + ": expected a dict");
  for (auto item : py::reinterpret_borrow<py::dict>(v)) {
    const std::string k = py::str(item.first);
    m[k] = from_python(item.second, what + "['" + k + "']");
  }
  return m;
}

/// Keys of a dict (a node or graph) that are not in `allowed`: ValueError naming them.
void check_keys(const py::dict& d, std::initializer_list<const char*> allowed,
                const std::string& what) {
  for (auto item : d) {
    const std::string k = py::str(item.first);
    bool ok = false;
    std::string names;
    for (const char* a : allowed) {
      ok = ok || k == a;
      names += std::string(names.empty() ? "" : ", ") + a;
    }
    if (!ok) throw InvalidParameter(what + ": unknown key '" + k + "' (expected " + names + ")");
  }
}

NirGraph graph_from_python(const py::handle& v, const std::string& what) {
  if (!py::isinstance<py::dict>(v)) throw InvalidParameter(what + ": expected a dict");
  py::dict d = py::reinterpret_borrow<py::dict>(v);
  check_keys(d, {"nodes", "edges", "metadata", "version"}, what);
  if (!d.contains("nodes") || !d.contains("edges"))
    throw InvalidParameter(what + ": needs 'nodes' and 'edges'");
  NirGraph g;
  if (!py::isinstance<py::dict>(d["nodes"]))
    throw InvalidParameter(what + "['nodes']: expected a dict {name: node}");
  for (auto item : py::reinterpret_borrow<py::dict>(d["nodes"])) {
    const std::string name = py::str(item.first);
    const std::string w = what + ": node '" + name + "'";
    if (!py::isinstance<py::dict>(item.second)) throw InvalidParameter(w + ": expected a dict");
    py::dict nd = py::reinterpret_borrow<py::dict>(item.second);
    // input_type, output_type, defaulted: what read_nir reports; the writer infers them again.
    check_keys(
        nd, {"type", "params", "metadata", "graph", "input_type", "output_type", "defaulted"}, w);
    if (!nd.contains("type")) throw InvalidParameter(w + ": missing 'type'");
    NirNode n;
    n.name = name;
    const std::string type = py::str(nd["type"]);
    if (!io::nir_type_from_name(type, n.type))
      throw InvalidParameter(w + ": unknown NIR type '" + type + "'");
    if (nd.contains("params")) n.params = arrays_from_python(nd["params"], w + ": params");
    if (nd.contains("metadata")) n.metadata = arrays_from_python(nd["metadata"], w + ": metadata");
    if (n.type == io::NirNodeType::NIRGraph) {
      if (!nd.contains("graph")) throw InvalidParameter(w + ": a NIRGraph needs 'graph'");
      n.graph = graph_from_python(nd["graph"], w + ": graph");
    }
    g.nodes.push_back(std::move(n));
  }
  for (auto e : d["edges"]) {
    std::vector<std::string> pair;
    try {
      pair = py::cast<std::vector<std::string>>(e);
    } catch (const py::cast_error&) {
    }
    if (pair.size() != 2)
      throw InvalidParameter(what + "['edges']: each edge is (source, target), two names");
    g.edges.push_back({pair[0], pair[1]});
  }
  if (d.contains("metadata")) g.metadata = arrays_from_python(d["metadata"], what + ": metadata");
  return g;
}

// ---- load_nir ------------------------------------------------------------------------------

/// Spikes into one Input node from (times ms, ids), checked as snn-sim checks an -input file.
sim::nir::InputSpikes input_spikes(const sim::nir::NirPlan& plan, const std::string& name,
                                   const py::handle& value) {
  const std::string what = "inputs['" + name + "']";
  const std::int64_t size = sim::nir::elements(plan.input(name).shape);
  if (!py::isinstance<py::sequence>(value) || py::isinstance<py::str>(value) || py::len(value) != 2)
    throw InvalidParameter(what + ": expected (times_ms, ids)");
  auto pair = py::reinterpret_borrow<py::sequence>(value);
  auto t = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(pair[0]);
  auto id = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(pair[1]);
  if (!t || !id) throw InvalidParameter(what + ": times and ids must be numeric arrays");
  require(t.ndim() == 1 && id.ndim() == 1 && t.size() == id.size(),
          what + ": times and ids must be 1-d arrays of one length, got " +
              std::to_string(t.size()) + " and " + std::to_string(id.size()));
  const double dt = plan.dt_ms();
  sim::nir::InputSpikes s;
  for (py::ssize_t k = 0; k < t.size(); ++k) {
    const std::int64_t i = id.data()[k];
    require(i >= 0 && i < size,
            what + ": id " + std::to_string(i) + " out of range [0, " + std::to_string(size) + ")");
    const double steps = t.data()[k] / dt;
    require(steps >= 1 - 1e-9 && std::fabs(steps - std::round(steps)) < 1e-6,
            what + ": time " + num(t.data()[k]) + " ms is not a positive multiple of dt " +
                num(dt) + " ms");
    s.neurons.push_back(static_cast<std::uint32_t>(i));
    s.steps.push_back(std::llround(steps));
  }
  return s;
}

py::object load_nir(const std::string& path, std::optional<double> dt, const std::string& reset,
                    std::optional<std::string> threshold, const py::object& inputs,
                    const std::map<std::string, double>& currents, std::uint64_t seed,
                    const std::string& mode, const py::object& record) {
  // The options of snn-sim's command line, read by the app's own function.
  apps::SimArgs a;
  a.network = path;
  if (reset != "v_reset" && reset != "subtract")
    throw InvalidParameter("reset must be 'v_reset' or 'subtract', got '" + reset + "'");
  a.nir_reset = reset;
  if (threshold) {
    if (*threshold != "gt" && *threshold != "ge")
      throw InvalidParameter("threshold must be 'gt' (v > v_th) or 'ge' (v >= v_th), got '" +
                             *threshold + "'");
    a.nir_threshold = *threshold;
    a.nir_threshold_set = true;
  }
  if (dt) {
    if (!(*dt > 0)) throw InvalidParameter("dt must be > 0 ms, got " + num(*dt));
    a.nir_dt = *dt / 1000.0;
    a.nir_dt_set = true;
  }
  io::NirGraph graph;
  sim::nir::NirPlan plan;
  without_gil([&] {
    graph = io::read_nir(path);
    plan = sim::nir::plan_nir(graph, apps::nir_options(a, graph));
  });
  std::map<std::string, sim::nir::InputSpikes> spikes;
  if (py::isinstance<py::str>(inputs)) {
    spikes = apps::read_input_spikes(py::cast<std::string>(inputs), plan);
  } else if (py::isinstance<py::dict>(inputs)) {
    for (auto item : py::reinterpret_borrow<py::dict>(inputs)) {
      const std::string name = py::str(item.first);
      spikes[name] = input_spikes(plan, name, item.second);
    }
  } else if (!inputs.is_none()) {
    throw InvalidParameter(
        "inputs: expected a SONATA spike file (str) or {input node: (times_ms, ids)}");
  }
  NetworkInfo info;
  info.inputs = plan.input_names();
  for (const sim::nir::PlanOutput& o : plan.outputs)
    info.outputs[o.node] = NetworkOutput{o.population, o.spikes};
  auto fill = [&](sim::Network& net) {
    sim::nir::add_to_network(plan, net, spikes, currents);
    if (py::isinstance<py::str>(record)) {
      const std::string r = py::cast<std::string>(record);
      if (r == "all") {
        for (const sim::nir::PlanPopulation& p : plan.populations)
          if (!p.input && p.spiking) net.record_spikes(p.node);
      } else if (r != "outputs") {
        net.record_spikes(r);
      }
    } else {
      for (auto name : record) net.record_spikes(py::cast<std::string>(name));
    }
  };
  return new_network(plan.dt_ms(), seed, mode, fill, std::move(info));
}

}  // namespace

void bind_nir(py::module_& m) {
  m.def(
      "read_nir",
      [](const std::string& path) {
        NirGraph g;
        without_gil([&] { g = io::read_nir(path); });
        return to_python(g);
      },
      py::arg("path"), R"doc(
A NIR file (NIR 0.1-1.0) as a dict, read by the engine's reader (checked, shapes inferred):

    {"version": "1.0.7", "metadata": {...},
     "nodes": {name: {"type": "LIF", "params": {"tau": array, ...}, "metadata": {...},
                      "input_type": [..], "output_type": [..], "defaulted": [...],
                      "graph": {...} (NIRGraph nodes only)}},
     "edges": [(source, target), ...]}

Parameters are NumPy arrays with the stored dtype (float16/32/64, int64) and shape (0-d for a
scalar), or str. OSError if the file cannot be opened, ValueError naming the node and field for
malformed content.)doc");
  m.def(
      "write_nir",
      [](const std::string& path, const py::object& graph) {
        NirGraph g = graph_from_python(graph, "write_nir");
        without_gil([&] { io::write_nir(g, path); });
      },
      py::arg("path"), py::arg("graph"),
      "Writes a graph dict (the layout read_nir returns; input_type, output_type, defaulted and "
      "version are ignored) atomically as a NIR 1.0 file that NIR's own reader loads. Arrays "
      "keep their dtype (float16/32/64; integers as int64). The reader's checks run first: "
      "ValueError for a dangling edge, a missing parameter or a shape mismatch.");
  m.def("load_nir", &load_nir, py::arg("path"), py::kw_only(), py::arg("dt") = py::none(),
        py::arg("reset") = "v_reset", py::arg("threshold") = py::none(),
        py::arg("inputs") = py::none(), py::arg("currents") = std::map<std::string, double>{},
        py::arg("seed") = 1, py::arg("mode") = "event", py::arg("record_spikes") = "outputs", R"doc(
A Network from a NIR file, as snn-sim -network FILE.nir runs it (README "NIR graphs on the
simulator"): Input nodes become spike-generator populations, neuron nodes populations of the
nir_* models, the linear nodes between them projections; populations are named after the nodes.

dt: time step in ms (snn-sim's -nir-dt is in s: dt = 1000·nir_dt); default the graph's metadata
"dt", else 0.1 ms. reset: 'v_reset' or 'subtract'. threshold: 'gt' (v > v_th) or 'ge'
(v >= v_th); default the metadata's threshold_comparison, else 'gt'. inputs: a SONATA spike file
(snn-sim -input) or {input node: (times_ms, ids)}, times positive multiples of dt. currents:
{input node: value}, a constant input (-input-current). record_spikes: 'outputs' (the
populations feeding spiking Output nodes, always recorded), 'all' (every neuron population), or
more populations by name (a str or a list); V outputs (LI, I, CubaLI) are recorded at every step. net.inputs, net.outputs and net.output(name) name the graph's inputs and
outputs. OSError for an unreadable file, ValueError for what the engine cannot run.)doc");
}

}  // namespace snn::python
