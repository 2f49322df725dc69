// snn-sim on a NIR file (see run_nir.h). The deployed classifier encodes test image i as
// snn-train's Poisson encoder does for a batch of one in epoch 0: PoissonStream with batch key
// 2^32 + i, sample 0, pixel = byte / 255, so the simulator sees the trainer's input spikes; a
// direct-encoded graph gets the image itself (byte / 255) as a constant input at every step.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "apps/snn-sim/run_nir.h"
#include "io/hdf5_handle.h"
#include "io/idx_reader.h"
#include "io/nir/nir_graph.h"
#include "learning/encoding/encoders.h"
#include "sim/core/config.h"
#include "sim/core/errors.h"
#include "sim/core/threads.h"
#include "sim/network.h"
#include "sim/recording/recorder.h"

namespace snn::apps {

using namespace snn::sim;
using namespace snn::sim::nir;

bool is_hdf5_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char sig[8] = {};
  f.read(sig, 8);
  return f && std::string(sig, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

NirSimOptions nir_options(const SimArgs& a, const io::NirGraph& g) {
  NirSimOptions o;
  o.dt_s = a.nir_dt;
  o.neuron.reset_subtract = a.nir_reset == "subtract";
  o.neuron.threshold_ge = a.nir_threshold == "ge";
  // What the graph's metadata states (our exporter writes dt and the comparison) applies unless
  // the command line says otherwise.
  auto dt = g.metadata.find("dt");
  if (!a.nir_dt_set && dt != g.metadata.end() && dt->second.size() == 1 && dt->second.values[0] > 0)
    o.dt_s = dt->second.values[0];
  auto cmp = g.metadata.find("threshold_comparison");
  if (!a.nir_threshold_set && cmp != g.metadata.end() && cmp->second.is_string())
    o.neuron.threshold_ge = cmp->second.text == ">=";
  return o;
}

std::map<std::string, InputSpikes> read_input_spikes(const std::string& path, const NirPlan& plan) {
  namespace h5 = io::h5;
  h5::Handle f = h5::open_file_read(path);
  std::map<std::string, InputSpikes> out;
  const double dt = plan.dt_ms();
  for (const std::string& name : plan.input_names()) {
    const std::string g = "spikes/" + name;
    if (!h5::exists(f, g)) continue;
    h5::Handle ts = h5::check(H5Dopen2(f, (g + "/timestamps").c_str(), H5P_DEFAULT),
                              path + ": " + g + "/timestamps");
    h5::Handle ids = h5::check(H5Dopen2(f, (g + "/node_ids").c_str(), H5P_DEFAULT),
                               path + ": " + g + "/node_ids");
    const std::size_t n = h5::dataset_dims(ts).at(0);
    require(h5::dataset_dims(ids).at(0) == n,
            path + ": " + g + ": timestamps and node_ids differ in length");
    std::vector<double> t(n);
    std::vector<std::uint64_t> id(n);
    h5::read_dataset(ts, H5T_NATIVE_DOUBLE, t.data(), path + ": " + g + "/timestamps");
    h5::read_dataset(ids, H5T_NATIVE_UINT64, id.data(), path + ": " + g + "/node_ids");
    InputSpikes& s = out[name];
    const std::int64_t size = elements(plan.input(name).shape);
    for (std::size_t k = 0; k < n; ++k) {
      require(id[k] < static_cast<std::uint64_t>(size),
              path + ": " + g + "/node_ids: " + std::to_string(id[k]) + " out of range [0, " +
                  std::to_string(size) + ")");
      const double steps = t[k] / dt;
      require(steps >= 1 - 1e-9 && std::fabs(steps - std::round(steps)) < 1e-6,
              path + ": " + g + "/timestamps: " + num(t[k]) +
                  " ms is not a positive multiple of dt " + num(dt) + " ms");
      s.neurons.push_back(static_cast<std::uint32_t>(id[k]));
      s.steps.push_back(std::llround(steps));
    }
  }
  return out;
}

InputSpikes poisson_image_spikes(const std::uint8_t* pixels, std::int64_t n, int steps,
                                 std::uint64_t seed, int index) {
  const learning::PoissonStream ps =
      learning::PoissonStream::make(seed, (std::uint64_t{1} << 32) + static_cast<unsigned>(index));
  std::vector<std::uint32_t> threshold(n);
  for (std::int64_t p = 0; p < n; ++p)
    threshold[p] = learning::poisson_threshold24(static_cast<float>(pixels[p]) / 255.0f);
  InputSpikes in;
  for (int t = 0; t < steps; ++t)
    for (std::int64_t p = 0; p < n; ++p)
      if (ps.spikes(static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(t), 0,
                    threshold[p])) {
        in.neurons.push_back(static_cast<std::uint32_t>(p));
        in.steps.push_back(t + 1);
      }
  return in;
}

std::vector<double> direct_image_values(const std::uint8_t* pixels, std::int64_t n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t p = 0; p < n; ++p)
    v[p] = static_cast<float>(pixels[p]) / 255.0f;  // the trainer's float
  return v;
}

namespace {

std::map<std::string, double> parse_currents(const SimArgs& a) {
  std::map<std::string, double> c;
  for (const std::string& s : a.input_current) {
    const auto eq = s.rfind('=');
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s.substr(eq + 1), &used);
    } catch (...) {
      used = 0;
    }
    if (eq == std::string::npos || eq == 0 || used != s.size() - eq - 1)
      throw SimUsageError("-input-current '" + s + "' is not NODE=VALUE");
    c[s.substr(0, eq)] = v;
  }
  return c;
}

/// The deployed classifier: accuracy over the test images, SynOps and time per image.
SimSummary run_classifier(const SimArgs& a, const NirPlan& plan, bool direct, std::ostream& out) {
  require(plan.input_names().size() == 1,
          a.network + ": -data-dir needs a graph with one Input node");
  const std::string input = plan.input_names()[0];
  const PlanOutput* output = nullptr;
  for (const PlanOutput& o : plan.outputs)
    if (o.spikes) output = &o;
  require(output != nullptr, a.network + ": -data-dir needs a spiking Output");
  io::ImageSet test = io::read_mnist(a.data_dir, false);
  const std::int64_t pixels = elements(plan.input(input).shape);
  require(pixels == test.pixels(), a.network + ": the Input has " + std::to_string(pixels) +
                                       " elements, the images " + std::to_string(test.pixels()));
  const int n = a.images > 0 ? std::min(a.images, test.count) : test.count;
  const std::uint64_t seed = a.seed ? *a.seed : 0;
  SimConfig cfg;
  cfg.dt_ms = plan.dt_ms();
  cfg.mode = a.mode == "clock" ? Mode::ClockDriven : Mode::EventDriven;
  std::uint64_t synapses = 0;
  for (const PlanProjection& q : plan.projections) synapses += q.map.entries.size();
  long correct = 0;
  std::uint64_t events = 0, spikes = 0;
  double sim_s = 0, build_s = 0;
  std::int64_t classes = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint8_t* px = &test.images[static_cast<std::size_t>(i) * pixels];
    Network net(cfg);
    if (direct)  // the image itself at every step, as the trainer's direct encoder gives it
      add_to_network(plan, net, {}, {}, false, {{input, direct_image_values(px, pixels)}});
    else
      add_to_network(plan, net, {{input, poisson_image_spikes(px, pixels, a.steps, seed, i)}}, {},
                     false);
    net.build();
    Recorder rec("", true);
    RunStats st = net.run(a.steps * cfg.dt_ms, &rec);
    // The Output's sum over the run: spike counts, or a Linear head's summed values.
    std::map<std::string, StepSpikes> read;
    for (const auto& [source, map] : output->readout.maps) {
      auto it = rec.spikes().find(source);
      if (it == rec.spikes().end()) continue;
      StepSpikes& sp = read[source];
      sp.ids.assign(it->second.node_ids.begin(), it->second.node_ids.end());
      for (double t : it->second.times_ms) sp.steps.push_back(std::llround(t / cfg.dt_ms));
    }
    const std::vector<double> score = output_sum(output->readout, read, a.steps);
    classes = static_cast<std::int64_t>(score.size());
    const long best = std::max_element(score.begin(), score.end()) - score.begin();  // first max
    correct += best == test.labels[i];
    events += st.syn_events;
    spikes += st.spikes;
    sim_s += st.sim_s;
    build_s += net.build_seconds();
  }
  SimSummary s;
  s.network = a.network;
  s.synapses = synapses;
  s.spikes = spikes;
  s.syn_events = events;
  s.sim_s = sim_s;
  s.build_s = build_s;
  s.t_ms = a.steps * cfg.dt_ms;
  s.dt_ms = cfg.dt_ms;
  s.seed = seed;
  s.threads = num_threads();
  s.device = device_system_name();
  s.mode = a.mode;
  s.events_per_s = sim_s > 0 ? events / sim_s : 0;
  s.peak_rss_mb = peak_rss_mb();
  char line[256];
  out << "network      " << a.network << " (NIR, " << plan.populations.size() << " populations, "
      << synapses << " synapses, " << classes << " classes)\n";
  std::snprintf(line, sizeof line, "images       %d (T %d, seed %llu, %s-driven)\n", n, a.steps,
                static_cast<unsigned long long>(seed), a.mode.c_str());
  out << line;
  std::snprintf(line, sizeof line, "accuracy     %.2f %% (%ld / %d)\n",
                n ? 100.0 * correct / n : 0.0, correct, n);
  out << line;
  std::snprintf(line, sizeof line, "SynOps/image %.0f (dense MACs %.0f: %.2f %%)\n",
                n ? double(events) / n : 0.0, double(synapses) * a.steps,
                n && synapses ? 100.0 * events / n / (double(synapses) * a.steps) : 0.0);
  out << line;
  std::snprintf(line, sizeof line, "time/image   %.3f ms simulation, %.3f ms build\n",
                n ? 1e3 * sim_s / n : 0.0, n ? 1e3 * build_s / n : 0.0);
  out << line;
  return s;
}

}  // namespace

SimSummary run_nir(const SimArgs& a, std::ostream& out) {
  if (a.threads > 0) set_num_threads(a.threads);
  if (a.dt_ms) throw SimUsageError("-dt is for network files; a NIR graph takes -nir-dt (s)");
  const io::NirGraph graph = io::read_nir(a.network);
  const NirPlan plan = plan_nir(graph, nir_options(a, graph));
  if (!a.data_dir.empty()) {
    SimArgs b = a;
    auto steps = graph.metadata.find("steps");
    if (!a.steps_set && steps != graph.metadata.end() && steps->second.size() == 1)
      b.steps = static_cast<int>(steps->second.values[0]);
    auto enc = graph.metadata.find("encoder");
    const std::string encoder =
        enc != graph.metadata.end() && enc->second.is_string() ? enc->second.text : "poisson";
    if (encoder != "poisson" && encoder != "direct")
      throw InvalidParameter(a.network +
                             ": -data-dir runs Poisson- or direct-encoded classifiers; the graph's "
                             "encoder is '" +
                             encoder + "'");
    return run_classifier(b, plan, encoder == "direct", out);
  }

  std::unique_ptr<Recorder> recorder;
  if (!a.out.empty()) recorder = std::make_unique<Recorder>(a.out);
  SimConfig cfg;
  cfg.dt_ms = plan.dt_ms();
  cfg.seed = a.seed ? *a.seed : 1;
  cfg.mode = a.mode == "clock" ? Mode::ClockDriven : Mode::EventDriven;
  const double t_ms = a.t_ms ? *a.t_ms : 1000.0 * cfg.dt_ms;  // default 1000 steps
  std::map<std::string, InputSpikes> spikes;
  if (!a.input.empty()) spikes = read_input_spikes(a.input, plan);
  Network net(cfg);
  add_to_network(plan, net, spikes, parse_currents(a));
  if (a.record_spikes == "all") {
    for (const PlanPopulation& p : plan.populations)
      if (!p.input && p.spiking) net.record_spikes(p.node);
  } else if (a.record_spikes == "none") {
    net.record_no_spikes();
  } else if (!a.record_spikes.empty()) {
    std::stringstream ss(a.record_spikes);
    std::string name;
    while (std::getline(ss, name, ','))
      if (!name.empty()) net.record_spikes(name);
  }
  for (const std::string& r : a.record_v) {
    auto colon = r.find(':');
    if (colon == std::string::npos)
      throw SimUsageError("-record-v: a NIR graph needs POP:IDS (POP: a node name)");
    net.record_voltage(r.substr(0, colon), parse_id_list(r.substr(colon + 1), "record-v"));
  }
  net.build();
  RunStats st = net.run(t_ms, recorder.get());
  if (recorder) recorder->close();
  SimSummary s;
  s.network = a.network;
  s.neurons = net.neurons();
  s.synapses = net.synapses();
  s.spikes = st.spikes;
  s.syn_events = st.syn_events;
  s.rate_hz = s.neurons && t_ms > 0 ? st.spikes / (s.neurons * t_ms * 1e-3) : 0.0;
  s.build_s = net.build_seconds();
  s.sim_s = st.sim_s;
  s.events_per_s = st.sim_s > 0 ? st.syn_events / st.sim_s : 0.0;
  s.peak_rss_mb = peak_rss_mb();
  s.t_ms = t_ms;
  s.dt_ms = cfg.dt_ms;
  s.seed = cfg.seed;
  s.threads = num_threads();
  s.device = device_system_name();
  s.mode = a.mode;
  out << "network      " << s.network << " (NIR: dt " << num(plan.options.dt_s) << " s, reset "
      << a.nir_reset << ", threshold " << (plan.options.neuron.threshold_ge ? ">=" : ">") << ")\n"
      << "neurons      " << s.neurons << "\n"
      << "synapses     " << s.synapses << "\n"
      << "time         " << num(t_ms) << " ms (" << st.steps << " steps, " << s.mode << "-driven, "
      << s.device << ", " << s.threads << " threads)\n"
      << "spikes       " << s.spikes << "\n"
      << "syn events   " << s.syn_events << "\n"
      << "simulation   " << s.sim_s << " s\n";
  if (!a.out.empty()) out << "output       " << a.out << "\n";
  return s;
}

}  // namespace snn::apps
