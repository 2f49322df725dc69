// snn-sim's run. Output files are checked before the network is built, so that a bad path fails
// at once and not after minutes of building.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "apps/snn-sim/run_nir.h"
#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_weights.h"
#include "io/atomic_file.h"
#include "sim/builtin/networks.h"
#include "sim/core/config.h"
#include "sim/core/errors.h"
#include "sim/core/stop_request.h"
#include "sim/core/threads.h"
#include "sim/distributed/exchange.h"
#include "sim/network.h"
#include "sim/network_file.h"
#include "sim/recording/recorder.h"
#include "sim/sonata/circuit_network.h"

namespace snn::apps {

namespace {
/// A time on the step grid in the fewest digits that still name its step: "123456.7 ms", where
/// num()'s 6 digits say "123457" (another step, and a rerun with -t of it a different run) and
/// 17 digits say "123456.70000000001".
std::string step_time(std::int64_t steps, double dt_ms) {
  char buf[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, steps * dt_ms);
    if (std::llround(std::strtod(buf, nullptr) / dt_ms) == steps) break;
  }
  return buf;
}
}  // namespace

double peak_rss_mb() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // KB on Linux
}

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
std::string sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else if (static_cast<unsigned char>(c) < 0x20)
      out += ' ';
    else
      out += c;
  }
  return out + "\"";
}

/// A progress bar on stderr, redrawn at each percent.
class ProgressBar {
 public:
  explicit ProgressBar(bool on) : on_(on), t0_(std::chrono::steady_clock::now()) {}
  void operator()(double f) const {
    if (!on_) return;
    const int width = 40, full = static_cast<int>(f * width);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    std::fprintf(stderr, "\r  [%s%s] %3d%%  %.1f s", std::string(full, '#').c_str(),
                 std::string(width - full, '.').c_str(), static_cast<int>(f * 100 + 0.5), s);
    if (f >= 1.0) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace

std::string summary_json(const SimSummary& s) {
  std::ostringstream o;
  o.precision(10);
  o << "{\n"
    << "  \"network\": " << json_string(s.network) << ",\n"
    << "  \"neurons\": " << s.neurons << ",\n"
    << "  \"synapses\": " << s.synapses << ",\n"
    << "  \"spikes\": " << s.spikes << ",\n"
    << "  \"rate_hz\": " << s.rate_hz << ",\n"
    << "  \"syn_events\": " << s.syn_events << ",\n"
    << "  \"build_s\": " << s.build_s << ",\n"
    << "  \"sim_s\": " << s.sim_s << ",\n"
    << "  \"events_per_s\": " << s.events_per_s << ",\n"
    << "  \"peak_rss_mb\": " << s.peak_rss_mb << ",\n"
    << "  \"stored_synapses\": " << s.stored_synapses << ",\n"
    << "  \"procedural_synapses\": " << s.procedural_synapses << ",\n"
    << "  \"bytes_per_stored_synapse\": " << s.bytes_per_stored_synapse << ",\n"
    << "  \"bytes_per_procedural_synapse\": " << s.bytes_per_procedural_synapse << ",\n"
    << "  \"bytes_per_neuron\": " << s.bytes_per_neuron << ",\n"
    << "  \"queue_event_bytes\": " << s.queue_event_bytes << ",\n"
    << "  \"zeroed_reserved_bytes\": " << s.zeroed_reserved_bytes << ",\n"
    << "  \"t_ms\": " << s.t_ms << ",\n"
    << "  \"dt_ms\": " << s.dt_ms << ",\n"
    << "  \"seed\": " << s.seed << ",\n"
    << "  \"threads\": " << s.threads << ",\n"
    << "  \"ranks\": " << s.ranks << ",\n"
    << "  \"exchange_s\": " << s.exchange_s << ",\n"
    << "  \"device\": " << json_string(s.device) << ",\n"
    << "  \"mode\": " << json_string(s.mode) << "\n"
    << "}\n";
  return o.str();
}

SimSummary run_sim(const SimArgs& a, std::ostream& out, sim::Exchange* ex) {
  using namespace snn::sim;
  const bool dist = ex && ex->size() > 1;
  const bool root = !ex || ex->rank() == 0;
  // With several ranks, a step that may fail on one rank only (a file, memory) ends in an
  // agreement: every rank then throws the first failing rank's message, none waits forever.
  auto agreed = [&](auto&& step) {
    if (!dist) return step();
    std::string error;
    try {
      step();
    } catch (const std::exception& e) {
      error = e.what();
    }
    const std::string first = ex->first_error(error);
    if (!first.empty()) throw AgreedError(first);
  };

  SimSummary s;
  std::unique_ptr<Recorder> recorder;
  NetworkDescription file;
  SimConfig config;
  double t_ms = 0;
  std::unique_ptr<Network> net_ptr;
  bool nir = false;
  agreed([&] {
    if (a.device == "cuda" && !device_is_cuda())
      throw InvalidParameter(std::string("-device cuda: this build runs on the CPU (") +
                             device_system_name() + "); configure with -DSNN_DEVICE_SYSTEM=CUDA");
    if (a.device == "cpu" && device_is_cuda())
      throw InvalidParameter(
          "-device cpu: this build runs on CUDA; configure with -DSNN_DEVICE_SYSTEM=OMP");
    if (a.threads < 0)
      throw InvalidParameter("-threads must be >= 0, got " + std::to_string(a.threads));
    if (a.threads > 0) set_num_threads(a.threads);

    if (a.network != "brunel" && a.network != "sparse" && is_hdf5_file(a.network)) {
      if (dist)
        throw InvalidParameter(a.network + ": a NIR graph runs on one process (not under mpiexec)");
      nir = true;
      return;
    }

    // Output paths first (rank 0 writes them; the other ranks send it their spikes).
    if (!a.out.empty()) recorder = std::make_unique<Recorder>(root ? a.out : std::string());
    if (!a.summary.empty() && root) {
      std::filesystem::path dir = std::filesystem::path(a.summary).parent_path();
      if (dir.empty()) dir = ".";
      if (!std::filesystem::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0)
        throw IoError("cannot write the summary " + a.summary + ": folder " + dir.string() +
                      " is missing or not writable");
    }

    const bool builtin = a.network == "brunel" || a.network == "sparse";
    if (!builtin)
      file = sonata::is_sonata_config(a.network)
                 ? sonata::read_sonata_network(a.network, a.dt_ms.value_or(0.1))
                 : read_network_file(a.network);
    if (recorder)
      for (const auto& [population, name] : file.file_names)
        recorder->set_file_name(population, name);
    config.dt_ms = a.dt_ms ? *a.dt_ms : file.dt_ms.value_or(0.1);
    config.seed = a.seed ? *a.seed : file.seed.value_or(1);
    config.mode = a.mode == "clock" ? Mode::ClockDriven : Mode::EventDriven;
    t_ms = a.t_ms ? *a.t_ms : file.t_stop_ms.value_or(1000.0);
    if (!(t_ms >= 0)) throw InvalidParameter("-t must be >= 0 ms, got " + num(t_ms));

    net_ptr = std::make_unique<Network>(config);
    Network& net = *net_ptr;
    if (a.network == "brunel") {
      BrunelParams p;
      p.order = a.order;
      p.g = a.g;
      p.eta = a.eta;
      if (a.j) p.j = *a.j;
      p.procedural = a.procedural;
      add_brunel(net, p);
      s.network = "brunel (order " + std::to_string(a.order) + ")";
    } else if (a.network == "sparse") {
      SparseParams p;
      p.n = a.n;
      p.k = a.k;
      p.rate_hz = a.rate;
      p.outdegree = a.outdegree;
      if (a.j) p.j = *a.j;
      p.procedural = a.procedural;
      add_sparse(net, p);
      s.network = "sparse (n " + std::to_string(a.n) + ", k " + std::to_string(a.k) + ")";
    } else {
      if (a.procedural)
        throw InvalidParameter(
            "-procedural applies to the built-in networks; in a network file "
            "mark projections \"procedural\": true");
      file.apply(net);
      s.network = a.network;
    }
    std::vector<std::string> pops = net.population_names();
    if (a.record_spikes == "none") {
      net.record_no_spikes();
    } else if (!a.record_spikes.empty() && a.record_spikes != "all") {
      std::stringstream ss(a.record_spikes);
      std::string name;
      while (std::getline(ss, name, ','))
        if (!name.empty()) net.record_spikes(name);
    }
    for (const std::string& r : a.record_v) {
      auto colon = r.find(':');
      if (colon == std::string::npos) {
        if (pops.empty()) throw InvalidParameter("-record-v: the network has no neuron population");
        net.record_voltage(pops.front(), parse_id_list(r, "record-v"));
      } else {
        net.record_voltage(r.substr(0, colon), parse_id_list(r.substr(colon + 1), "record-v"));
      }
    }
  });
  if (nir) return run_nir(a, out);
  Network& net = *net_ptr;

  if (dist) net.set_exchange(ex);
  agreed([&] {
    net.build();
    if (!a.load_weights.empty()) load_weights(net, a.load_weights);
  });
  const bool bar = root && (a.progress == "on" || (a.progress == "auto" && isatty(STDERR_FILENO)));
  RunStats st;
  agreed([&] { st = net.run(t_ms, recorder.get(), ProgressBar(bar)); });
  const double t_done_ms = st.interrupted ? st.steps * config.dt_ms : t_ms;

  // Counts of the whole network: this rank's shares summed over the ranks.
  const MemoryUse mu = net.memory();
  std::vector<std::uint64_t> totals{net.synapses(), mu.stored_synapses, mu.procedural_synapses,
                                    mu.stored_bytes, mu.procedural_bytes};
  if (dist) ex->sum(totals);
  s.neurons = net.neurons();
  s.synapses = totals[0];
  s.spikes = st.spikes;
  s.syn_events = st.syn_events;
  s.rate_hz = s.neurons && t_done_ms > 0 ? st.spikes / (s.neurons * t_done_ms * 1e-3) : 0.0;
  s.build_s = net.build_seconds();
  s.sim_s = st.sim_s;
  s.events_per_s = st.sim_s > 0 ? st.syn_events / st.sim_s : 0.0;
  s.peak_rss_mb = peak_rss_mb();
  {
    s.stored_synapses = totals[1];
    s.procedural_synapses = totals[2];
    s.bytes_per_stored_synapse = totals[1] ? static_cast<double>(totals[3]) / totals[1] : 0.0;
    s.bytes_per_procedural_synapse = totals[2] ? static_cast<double>(totals[4]) / totals[2] : 0.0;
    const double all = mu.neurons_bytes();
    s.bytes_per_neuron = s.neurons ? all / s.neurons : 0.0;
    s.queue_event_bytes = static_cast<double>(mu.queue_event_bytes);
    s.zeroed_reserved_bytes = static_cast<double>(mu.zeroed_reserved);
  }
  s.t_ms = t_done_ms;
  s.dt_ms = config.dt_ms;
  s.seed = config.seed;
  s.threads = num_threads();
  s.ranks = ex ? ex->size() : 1;
  s.exchange_s = st.exchange_s;
  s.device = device_system_name();
  s.mode = a.mode;

  // A collective (rank 0 gathers), so in a step of its own: no rank may skip it after another
  // rank's error.
  if (!a.save_weights.empty()) agreed([&] { save_weights(net, a.save_weights, ex); });
  agreed([&] {
    if (recorder) recorder->close();
    if (!root) return;
    out << "network      " << s.network << "\n"
        << "neurons      " << s.neurons << "\n"
        << "synapses     " << s.synapses << "\n"
        << "time         " << step_time(std::llround(t_done_ms / config.dt_ms), config.dt_ms)
        << " ms (dt " << num(config.dt_ms) << " ms, " << s.mode << "-driven, " << s.device << ", "
        << s.threads << " threads"
        << (s.ranks > 1 ? ", " + std::to_string(s.ranks) + " ranks" : std::string()) << ")\n"
        << "spikes       " << s.spikes << "\n"
        << "mean rate    " << fixed(s.rate_hz, 2) << " Hz\n"
        << "syn events   " << s.syn_events << " (" << sci(static_cast<double>(s.syn_events))
        << ")\n"
        << "build        " << fixed(s.build_s, 3) << " s\n"
        << "simulation   " << fixed(s.sim_s, 3) << " s\n"
        << "events/s     " << sci(s.events_per_s) << "\n"
        << "peak memory  " << fixed(s.peak_rss_mb, 1) << " MB" << (s.ranks > 1 ? " (rank 0)" : "")
        << "\n"
        << "memory use   " << fixed(s.bytes_per_stored_synapse, 2) << " B per stored synapse ("
        << s.stored_synapses << "), " << fixed(s.bytes_per_procedural_synapse, 6)
        << " B per procedural synapse (" << s.procedural_synapses << "), "
        << fixed(s.bytes_per_neuron, 1) << " B per neuron (queue and buffers)\n";
    if (dist) out << "exchange     " << fixed(s.exchange_s, 3) << " s of the simulation (rank 0)\n";
    if (!a.out.empty()) out << "output       " << a.out << "\n";
    if (!a.summary.empty()) {
      const std::string text = summary_json(s);
      io::write_atomically(a.summary, [&](const std::string& tmp) {
        std::ofstream f(tmp);
        f << text;
        if (!f) throw IoError("cannot write " + a.summary);
      });
    }
  });
  if (st.interrupted)
    throw Interrupted(std::string("interrupted by ") + stop_signal_name(stop_requested()) +
                          " at t = " + step_time(st.steps, config.dt_ms) + " ms of " + num(t_ms) +
                          " ms" +
                          (a.out.empty() ? "" : "; " + a.out + " holds every step up to then"),
                      stop_requested());
  return s;
}

}  // namespace snn::apps
