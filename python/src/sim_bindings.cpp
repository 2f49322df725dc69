// snn.Network: the simulator (sim/network.h) from Python. Populations by model name with keyword
// parameters checked as the network-file reader checks them, spike generators, projections,
// Poisson and current sources, network files and the built-in networks; run(t) in pieces (the
// state carries over), spikes and voltages as NumPy arrays from an in-memory recorder, SONATA out.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "io/atomic_file.h"
#include "io/sonata_writer.h"
#include "python/src/bindings.h"
#include "python/src/interrupt.h"
#include "python/src/py_network.h"
#include "sim/builtin/networks.h"
#include "sim/core/errors.h"
#include "sim/core/threads.h"
#include "sim/network.h"
#include "sim/network_file.h"
#include "sim/neurons/neuron_model.h"
#include "sim/recording/recorder.h"
#include "sim/sonata/circuit_network.h"

namespace py = pybind11;

namespace snn::python {
namespace {

using namespace snn::sim;

/// A real number from Python (int, float, NumPy scalars); TypeError for str, bool and the rest.
double real(const py::handle& v, const std::string& what) {
  if (py::isinstance<py::bool_>(v) || py::isinstance<py::str>(v) || !PyNumber_Check(v.ptr()))
    throw py::type_error(what + ": expected a number, got " +
                         std::string(py::str(py::type::of(v).attr("__name__"))));
  return py::float_(py::reinterpret_borrow<py::object>(v));
}

/// The model's parameters: defaults, then the keyword arguments, each a known field (as the
/// network-file reader: a misspelt name is an error that lists the model's fields and units).
NeuronParams model_params(const std::string& model, const py::kwargs& kw, const std::string& pop) {
  const int m = model_index(model);
  if (m < 0) {
    std::string names;
    for (int k = 0; k < NeuronModels::size; ++k)
      names += std::string(k ? ", " : "") + model_name(k);
    throw InvalidParameter("population " + pop + ": unknown model '" + model +
                           "' (expected one of: " + names +
                           "; spike generators: " + "add_spike_generator)");
  }
  NeuronParams p = default_params(m);
  std::visit(
      [&](auto& params) {
        for (auto item : kw) {
          const std::string key = py::str(item.first);
          bool found = false;
          std::string names;
          params.fields([&](const char* name, const char* unit, double& value) {
            names += std::string(names.empty() ? "" : ", ") + name + " (" + unit + ")";
            if (key == name) {
              value = real(item.second, "population " + pop + ": " + key);
              found = true;
            }
          });
          if (!found)
            throw InvalidParameter("population " + pop + ": unknown parameter '" + key + "' for " +
                                   model + " (expected one of: " + names + ")");
        }
      },
      p);
  return p;
}

/// A weight or delay: a number, {"uniform": [lo, hi]} or {"normal": [mean, sd]} (weights only).
Distribution distribution(const py::handle& v, const std::string& what, bool allow_normal) {
  if (!py::isinstance<py::dict>(v)) return Distribution::constant(real(v, what));
  py::dict d = py::reinterpret_borrow<py::dict>(v);
  const std::string expected = std::string("expected a number or {\"uniform\": [low, high]}") +
                               (allow_normal ? " or {\"normal\": [mean, sd]}" : "");
  if (d.size() != 1) throw InvalidParameter(what + ": " + expected);
  auto item = *d.begin();
  const std::string kind = py::str(item.first);
  auto pair = py::cast<std::vector<double>>(item.second);
  if (pair.size() != 2) throw InvalidParameter(what + "." + kind + ": expected [low, high]");
  if (kind == "uniform") {
    require(pair[0] <= pair[1],
            what + ".uniform: empty range [" + num(pair[0]) + ", " + num(pair[1]) + "]");
    return Distribution::uniform(pair[0], pair[1]);
  }
  if (kind == "normal" && allow_normal) {
    require(pair[1] >= 0, what + ".normal: standard deviation must be >= 0, got " + num(pair[1]));
    return Distribution::normal(pair[0], pair[1]);
  }
  throw InvalidParameter(what + ": unknown distribution '" + kind + "' (" + expected + ")");
}

Mode parse_mode(const std::string& mode) {
  if (mode == "event") return Mode::EventDriven;
  if (mode == "clock") return Mode::ClockDriven;
  throw InvalidParameter("mode must be 'event' or 'clock', got '" + mode + "'");
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

/// A Network with its in-memory recorder (created before the first run, passed to every run).
class PyNetwork {
 public:
  PyNetwork(double dt, std::uint64_t seed, const std::string& mode) {
    SimConfig c;
    c.dt_ms = dt;
    c.seed = seed;
    c.mode = parse_mode(mode);
    net_ = std::make_unique<Network>(c);
  }

  Network& net() { return *net_; }
  std::optional<double> t_stop;  ///< from a network file
  NetworkInfo info;              ///< inputs and named outputs of a loaded graph (NIR)

  void add_population(const std::string& name, const std::string& model, std::int64_t size,
                      const py::object& v_init, const py::kwargs& kw) {
    PopulationSpec s;
    s.name = name;
    s.size = size;
    s.params = model_params(model, kw, name);
    if (!v_init.is_none()) {
      Distribution v = distribution(v_init, "population " + name + ": v_init", false);
      s.v_init = v.kind == Distribution::Constant ? VInit::constant(v.a) : VInit::uniform(v.a, v.b);
    }
    net_->add_population(s);
  }

  void add_spike_generator(const std::string& name, std::uint32_t size,
                           const std::vector<std::uint32_t>& nodes,
                           const std::vector<double>& times) {
    SpikeGeneratorSpec s;
    s.name = name;
    s.size = size;
    s.nodes = nodes;
    s.times_ms = times;
    net_->add_spike_generator(s);
  }

  void connect(const std::string& source, const std::string& target, const std::string& rule,
               const py::object& weight, const py::object& delay, const py::object& indegree,
               const py::object& outdegree, const py::object& p, const py::object& sources,
               const py::object& targets, const py::object& weights, const py::object& delays,
               bool allow_autapses, bool allow_multapses, const py::object& n_total) {
    const std::string what = "projection " + source + " -> " + target;
    auto need = [&](const py::object& v, const char* name) {
      if (v.is_none()) throw InvalidParameter(what + ": rule " + rule + " needs " + name + "=");
      return v;
    };
    ProjectionSpec s;
    s.source = source;
    s.target = target;
    Connectivity& c = s.connectivity;
    if (rule == "fixed_indegree") {
      auto k = py::cast<std::int64_t>(need(indegree, "indegree"));
      require(k >= 0, what + ": indegree must be >= 0, got " + std::to_string(k));
      c = Connectivity::fixed_indegree(k);
    } else if (rule == "fixed_outdegree") {
      auto k = py::cast<std::int64_t>(need(outdegree, "outdegree"));
      require(k >= 0, what + ": outdegree must be >= 0, got " + std::to_string(k));
      c = Connectivity::fixed_outdegree(k);
    } else if (rule == "fixed_total_number") {
      auto n = py::cast<std::int64_t>(need(n_total, "N"));
      require(n >= 0, what + ": N must be >= 0, got " + std::to_string(n));
      c = Connectivity::fixed_total_number(n);
    } else if (rule == "fixed_probability") {
      double q = real(need(p, "p"), what + ": p");
      require(q >= 0 && q <= 1, what + ": p must be in [0, 1], got " + num(q));
      c = Connectivity::fixed_probability(q);
    } else if (rule == "one_to_one") {
      c = Connectivity::one_to_one();
    } else if (rule == "all_to_all") {
      c = Connectivity::all_to_all();
    } else if (rule == "list") {
      c = Connectivity::list(py::cast<std::vector<std::uint32_t>>(need(sources, "sources")),
                             py::cast<std::vector<std::uint32_t>>(need(targets, "targets")));
      require(c.sources.size() == c.targets.size(),
              what + ": " + std::to_string(c.sources.size()) + " sources but " +
                  std::to_string(c.targets.size()) + " targets");
      if (!weights.is_none()) c.weights = py::cast<std::vector<float>>(weights);
      if (!delays.is_none()) c.delays_ms = py::cast<std::vector<double>>(delays);
      require(c.weights.empty() || c.weights.size() == c.sources.size(),
              what + ": weights must have one value per pair");
      require(c.delays_ms.empty() || c.delays_ms.size() == c.sources.size(),
              what + ": delays must have one value per pair");
    } else {
      throw InvalidParameter(what + ": unknown rule '" + rule +
                             "' (expected fixed_indegree, fixed_outdegree, fixed_total_number, "
                             "fixed_probability, one_to_one, all_to_all or list)");
    }
    c.allow_autapses = allow_autapses;
    c.allow_multapses = allow_multapses;
    if (!weight.is_none())
      s.weight = distribution(weight, what + ": weight", true);
    else
      require(!c.weights.empty(), what + ": weight= is required");
    if (!delay.is_none()) s.delay_ms = distribution(delay, what + ": delay", false);
    net_->connect(s);
  }

  void add_poisson(const std::string& target, double rate, double weight, double delay,
                   std::uint32_t first, std::int64_t count) {
    require(rate >= 0, "poisson source -> " + target + ": rate must be >= 0 Hz, got " + num(rate));
    require(delay >= 0,
            "poisson source -> " + target + ": delay must be >= 0 ms, got " + num(delay));
    net_->add_poisson(PoissonSpec{target, first, count, rate, weight, delay});
  }

  void add_current(const std::string& target, double amplitude, std::uint32_t first,
                   std::int64_t count) {
    net_->add_current(CurrentSpec{target, first, count, amplitude});
  }

  void record_spikes(const py::object& which) {
    if (py::isinstance<py::str>(which)) {
      const std::string s = py::cast<std::string>(which);
      if (s == "none") return net_->record_no_spikes();
      if (s == "all") return;
      return net_->record_spikes(s);
    }
    for (auto name : which) net_->record_spikes(py::cast<std::string>(name));
  }

  py::dict run(double t_ms) {
    if (!recorder_) recorder_ = std::make_unique<Recorder>("", true);
    require(t_ms >= 0, "run time must be >= 0 ms, got " + num(t_ms));
    const double dt = net_->config().dt_ms;
    const std::int64_t n_steps = steps_of(t_ms, dt, "run time");
    // In pieces of at most kChunk steps (the same spikes as one run): Ctrl-C is checked at
    // least once per piece, however long the whole run.
    constexpr std::int64_t kChunk = 1000;
    RunStats total;
    without_gil([&] {
      std::int64_t done = 0;
      do {
        const std::int64_t k = std::min(kChunk, n_steps - done);
        RunStats st = net_->run(static_cast<double>(k) * dt, recorder_.get(),
                                [](double) { check_signals_without_gil(); });
        total.steps += st.steps;
        total.spikes += st.spikes;
        total.syn_events += st.syn_events;
        total.sim_s += st.sim_s;
        done += k;
        check_signals_without_gil();
      } while (done < n_steps);
    });
    py::dict d;
    d["steps"] = total.steps;
    d["spikes"] = total.spikes;
    d["syn_events"] = total.syn_events;
    d["sim_s"] = total.sim_s;
    return d;
  }

  py::tuple spikes(const std::string& pop) const {
    if (recorder_) {
      auto it = recorder_->spikes().find(pop);
      if (it != recorder_->spikes().end())
        return py::make_tuple(to_numpy(it->second.times_ms), to_numpy(it->second.node_ids));
    }
    net_->population_size(pop);  // an unknown name throws
    if (recorder_ && !recorder_->has_spike_population(pop))
      throw InvalidParameter("spikes of population '" + pop + "' are not recorded");
    return py::make_tuple(py::array_t<double>(0), py::array_t<std::uint64_t>(0));
  }

  py::tuple voltages(const std::string& pop) const {
    const Recorder::Voltages* v = nullptr;
    if (recorder_) {
      auto it = recorder_->voltages().find(pop);
      if (it != recorder_->voltages().end()) v = &it->second;
    }
    if (!v)
      throw InvalidParameter("no voltage recorded for population '" + pop +
                             "' (record_voltage before the first run)");
    const std::size_t n = v->node_ids.size(), rows = n ? v->rows.size() / n : 0;
    py::array_t<float> a({rows, n});
    std::copy(v->rows.begin(), v->rows.end(), a.mutable_data());
    py::array_t<double> t(static_cast<py::ssize_t>(rows));
    for (std::size_t r = 0; r < rows; ++r) t.mutable_data()[r] = v->t_start_ms + r * v->dt_ms;
    return py::make_tuple(t, to_numpy(v->node_ids), a);
  }

  /// A named output: (times, ids) of a spiking one, (times, ids, v) of a V readout.
  py::tuple output(const std::string& name) const {
    auto it = info.outputs.find(name);
    if (it == info.outputs.end()) {
      std::string names;
      for (const auto& [n, o] : info.outputs) names += (names.empty() ? "" : ", ") + n;
      throw InvalidParameter("no output named '" + name +
                             "' (outputs: " + (names.empty() ? "none" : names) + ")");
    }
    return it->second.spikes ? spikes(it->second.population) : voltages(it->second.population);
  }

  /// Everything recorded so far as a SONATA file, written atomically.
  void write_sonata(const std::string& path) const {
    io::write_atomically(path, [&](const std::string& tmp) {
      io::SonataWriter w(tmp);
      if (recorder_) {
        for (const auto& [pop, s] : recorder_->spikes()) {
          w.add_spike_population(pop);
          w.append_spikes(pop, s.times_ms.data(), s.node_ids.data(), s.times_ms.size());
        }
        for (const auto& [pop, v] : recorder_->voltages()) {
          w.add_report(pop, v.node_ids, v.t_start_ms, v.dt_ms);
          if (!v.node_ids.empty())
            w.append_report_rows(pop, v.rows.data(), v.rows.size() / v.node_ids.size());
        }
      }
      w.close();
    });
  }

 private:
  std::unique_ptr<Network> net_;
  std::unique_ptr<Recorder> recorder_;
};

py::dict neuron_models() {
  py::dict out;
  for (int m = 0; m < NeuronModels::size; ++m) {
    py::dict params;
    NeuronParams p = default_params(m);
    std::visit(
        [&](auto& q) {
          q.fields([&](const char* name, const char* unit, double& value) {
            params[name] = py::make_tuple(value, unit);
          });
        },
        p);
    out[model_name(m)] = params;
  }
  return out;
}

}  // namespace

py::object new_network(double dt_ms, std::uint64_t seed, const std::string& mode,
                       const std::function<void(Network&)>& fill, NetworkInfo info) {
  auto n = std::make_unique<PyNetwork>(dt_ms, seed, mode);
  fill(n->net());
  n->t_stop = info.t_stop_ms;
  n->info = std::move(info);
  return py::cast(std::move(n));
}

void bind_sim(py::module_& m) {
  m.def("neuron_models", &neuron_models,
        "The simulator's neuron models: {model: {parameter: (default, unit)}}.");
  m.def(
      "set_threads", [](int n) { set_num_threads(n); }, py::arg("n"),
      "Sets the CPU worker threads (OpenMP and BLAS), n >= 1.");
  m.def("threads", &num_threads, "The CPU worker threads in use.");

  py::class_<PyNetwork>(m, "Network", R"doc(
A spiking network for the event-driven simulator.

Describe populations, sources and projections, then call run(t_ms) as often as you like: the
first run builds the network, every run continues from where the last one stopped. Every
neuron population's spikes are recorded unless record_spikes() says otherwise; voltages of the
neurons named in record_voltage() are recorded at every step. Times in ms, potentials in mV,
currents in pA, rates in Hz; weights in mV (delta synapses) or pA (lif_exp).

    net = snn.Network(dt=0.1, seed=1)
    net.add_population("exc", "lif_delta", 800, v_init={"uniform": [0, 20]}, tau_m=20)
    net.add_poisson("exc", rate=20000, weight=0.1)
    net.connect("exc", "exc", "fixed_indegree", indegree=80, weight=0.1, delay=1.5)
    net.run(100); net.run(100)
    times, ids = net.spikes("exc")
)doc")
      .def(py::init<double, std::uint64_t, const std::string&>(), py::arg("dt") = 0.1,
           py::arg("seed") = 1, py::arg("mode") = "event",
           "dt: time step, ms; seed: of every random draw; mode: 'event' (event-driven) or "
           "'clock' (every neuron every step, a reference).")
      .def("add_population", &PyNetwork::add_population, py::arg("name"), py::arg("model"),
           py::arg("size"), py::kw_only(), py::arg("v_init") = py::none(),
           "Adds `size` neurons of `model` (see neuron_models()); the model's parameters as "
           "keyword arguments (unknown names and bad values raise ValueError). v_init: a number "
           "or {'uniform': [low, high]} (default: the model's).")
      .def("add_spike_generator", &PyNetwork::add_spike_generator, py::arg("name"), py::arg("size"),
           py::arg("nodes"), py::arg("times"),
           "Adds `size` generator nodes; node nodes[i] spikes at times[i] ms (> 0, multiples of "
           "dt). They project through connect() like any population.")
      .def("connect", &PyNetwork::connect, py::arg("source"), py::arg("target"),
           py::arg("rule") = "all_to_all", py::kw_only(), py::arg("weight") = py::none(),
           py::arg("delay") = py::none(), py::arg("indegree") = py::none(),
           py::arg("outdegree") = py::none(), py::arg("p") = py::none(),
           py::arg("sources") = py::none(), py::arg("targets") = py::none(),
           py::arg("weights") = py::none(), py::arg("delays") = py::none(),
           py::arg("allow_autapses") = true, py::arg("allow_multapses") = true,
           py::arg("N") = py::none(),
           "Adds a projection. rule: fixed_indegree (indegree=), fixed_outdegree (outdegree=), "
           "fixed_total_number (N=), "
           "fixed_probability (p=), one_to_one, all_to_all, list (sources=, targets=, optional "
           "weights=, delays=). weight: a number, {'uniform': [lo, hi]} or {'normal': [mean, "
           "sd]}; delay (ms, default 1): a number or {'uniform': [lo, hi]}.")
      .def("add_poisson", &PyNetwork::add_poisson, py::arg("target"), py::kw_only(),
           py::arg("rate"), py::arg("weight"), py::arg("delay") = 0.0, py::arg("first") = 0,
           py::arg("count") = -1,
           "Gives each target neuron (first .. first+count-1; count -1: to the end) its own "
           "Poisson train of `rate` Hz through `weight` with `delay` ms (0: one step).")
      .def("add_current", &PyNetwork::add_current, py::arg("target"), py::kw_only(),
           py::arg("amplitude"), py::arg("first") = 0, py::arg("count") = -1,
           "Adds a constant current of `amplitude` pA to the target neurons for the whole run.")
      .def("record_spikes", &PyNetwork::record_spikes, py::arg("populations"),
           "Which populations' spikes are recorded: 'all' (the default), 'none', a name or a "
           "list of names. Before the first run.")
      .def(
          "record_voltage",
          [](PyNetwork& n, const std::string& pop, const std::vector<std::uint32_t>& ids) {
            n.net().record_voltage(pop, ids);
          },
          py::arg("population"), py::arg("ids"),
          "Records V (mV) of these neurons at every step. Before the first run.")
      .def(
          "build", [](PyNetwork& n) { without_gil([&] { n.net().build(); }); },
          "Builds populations and synapses now (run() does it when needed).")
      .def("run", &PyNetwork::run, py::arg("t_ms"),
           "Advances t_ms (a whole number of steps) from where the last run stopped, without "
           "the GIL; Ctrl-C stops it at a step boundary (KeyboardInterrupt) with the state "
           "kept. Returns {'steps', 'spikes', 'syn_events', 'sim_s'} of this run.")
      .def("spikes", &PyNetwork::spikes, py::arg("population"),
           "(times, ids): float64 spike times in ms and uint64 neuron ids, in time order.")
      .def("voltages", &PyNetwork::voltages, py::arg("population"),
           "(times, ids, v): float64 times [rows] in ms, uint64 recorded neuron ids [n], "
           "float32 V [rows, n] in mV (row = step).")
      .def(
          "membrane_potentials",
          [](PyNetwork& n, const std::string& pop) { return to_numpy(n.net().voltages(pop)); },
          py::arg("population"), "V of every neuron of the population now, float32, mV.")
      .def(
          "spike_count", [](PyNetwork& n, const std::string& p) { return n.net().spike_count(p); },
          py::arg("population"), "Spikes of the population since the start.")
      .def("write_sonata", &PyNetwork::write_sonata, py::arg("path"),
           "Writes the recorded spikes and voltages as a SONATA HDF5 file (atomically), the "
           "layout of snn-sim -out.")
      .def_property_readonly(
          "t", [](PyNetwork& n) { return n.net().current_step() * n.net().config().dt_ms; },
          "Simulated time so far, ms.")
      .def_property_readonly(
          "step", [](PyNetwork& n) { return n.net().current_step(); }, "Steps simulated so far.")
      .def_property_readonly(
          "dt", [](PyNetwork& n) { return n.net().config().dt_ms; }, "Time step, ms.")
      .def_property_readonly(
          "seed", [](PyNetwork& n) { return n.net().config().seed; }, "Seed of every random draw.")
      .def_readonly("t_stop", &PyNetwork::t_stop,
                    "A network file's t_stop, ms (None when not given).")
      .def_property_readonly(
          "inputs", [](PyNetwork& n) { return n.info.inputs; },
          "Input populations of a loaded graph (a NIR graph's Input nodes), else [].")
      .def_property_readonly(
          "outputs",
          [](PyNetwork& n) {
            py::dict d;
            for (const auto& [name, o] : n.info.outputs)
              d[py::str(name)] = py::make_tuple(o.population, o.spikes ? "spikes" : "v");
            return d;
          },
          "Named outputs of a loaded graph: {name: (population, 'spikes' or 'v')} (a NIR "
          "graph's Output nodes), else {}.")
      .def("output", &PyNetwork::output, py::arg("name"),
           "A named output (see outputs): spikes(population) for 'spikes', "
           "voltages(population) for 'v'.")
      .def_property_readonly(
          "populations", [](PyNetwork& n) { return n.net().population_names(); },
          "Names of the neuron populations, in order.")
      .def(
          "population_size",
          [](PyNetwork& n, const std::string& p) { return n.net().population_size(p); },
          py::arg("population"), "Neurons (or generator nodes) of the population.")
      .def_property_readonly(
          "neurons", [](PyNetwork& n) { return n.net().neurons(); },
          "Neurons of the neuron populations.")
      .def_property_readonly(
          "synapses", [](PyNetwork& n) { return n.net().synapses(); },
          "Synapses of the built network (0 before the first run).");

  m.def(
      "load_network",
      [](const std::string& path, std::optional<double> dt, std::optional<std::uint64_t> seed,
         const std::string& mode) {
        NetworkDescription d = read_network_file(path);
        auto n = std::make_unique<PyNetwork>(dt ? *dt : d.dt_ms.value_or(0.1),
                                             seed ? *seed : d.seed.value_or(1), mode);
        d.apply(n->net());
        n->t_stop = d.t_stop_ms;
        return n;
      },
      py::arg("path"), py::kw_only(), py::arg("dt") = py::none(), py::arg("seed") = py::none(),
      py::arg("mode") = "event",
      "A Network from a JSON network file (the format of snn-sim -network FILE); dt and seed "
      "override the file's. OSError if unreadable, ValueError naming file:line: field.");
  m.def(
      "load_sonata",
      [](const std::string& config, std::optional<double> dt, std::optional<std::uint64_t> seed,
         const std::string& mode) {
        // As snn-sim -network CONFIG: the circuit read with the given dt (else the config's
        // run.dt, else 0.1 ms), the network's dt the given one, else the config's.
        NetworkDescription d = sonata::read_sonata_network(config, dt.value_or(0.1));
        auto n = std::make_unique<PyNetwork>(dt ? *dt : d.dt_ms.value_or(0.1),
                                             seed ? *seed : d.seed.value_or(1), mode);
        d.apply(n->net());
        n->t_stop = d.t_stop_ms;
        return n;
      },
      py::arg("config"), py::kw_only(), py::arg("dt") = py::none(), py::arg("seed") = py::none(),
      py::arg("mode") = "event",
      "A Network from a SONATA circuit (circuit_config.json, or a simulation config with "
      "'network'/'networks'), as snn-sim -network CONFIG: one population per node population "
      "and node type ('<population>' or '<population>.<node_type_id>'), virtual nodes as spike "
      "generators driven by the config's spike inputs, edges as list projections. dt (ms) "
      "overrides run.dt, t_stop is run.tstop. OSError for a missing file, ValueError naming the "
      "file and field for malformed content.");
  m.def(
      "brunel",
      [](std::int64_t order, double g, double eta, double j, double dt, std::uint64_t seed,
         const std::string& mode) {
        auto n = std::make_unique<PyNetwork>(dt, seed, mode);
        BrunelParams p;
        p.order = order;
        p.g = g;
        p.eta = eta;
        p.j = j;
        add_brunel(n->net(), p);
        return n;
      },
      py::kw_only(), py::arg("order") = 2500, py::arg("g") = 5.0, py::arg("eta") = 2.0,
      py::arg("j") = 0.1, py::arg("dt") = 0.1, py::arg("seed") = 1, py::arg("mode") = "event",
      "Brunel (2000) model A as snn-sim -network brunel: populations 'exc' (4·order) and 'inh' "
      "(order) of lif_delta neurons with Poisson drive.");
  m.def(
      "sparse",
      [](std::int64_t n_neurons, std::int64_t k, double rate, std::int64_t outdegree, double j,
         double dt, std::uint64_t seed, const std::string& mode) {
        auto n = std::make_unique<PyNetwork>(dt, seed, mode);
        SparseParams p;
        p.n = n_neurons;
        p.k = k;
        p.rate_hz = rate;
        p.outdegree = outdegree;
        p.j = j;
        add_sparse(n->net(), p);
        return n;
      },
      py::kw_only(), py::arg("n") = 100000, py::arg("k") = 1000, py::arg("rate") = 10.0,
      py::arg("outdegree") = 100, py::arg("j") = 0.2, py::arg("dt") = 0.1, py::arg("seed") = 1,
      py::arg("mode") = "event", "The sparse network of snn-sim -network sparse.");
}

}  // namespace snn::python
