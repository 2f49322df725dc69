// snn-bench-sim: the issue's three cases on N threads (default 2), one table.
//   1. brunel, order 2500 (12,500 neurons, 15.6 M synapses), 1 s, all spikes recorded to HDF5.
//   2. sparse, N = 100,000, K = 1,000 inputs at 10 Hz, out-degree 100, J = 0.2 mV, 1 s.
//   3. sparse, N = 1,000,000, the same K: the simulation time should stay within 1.5x of case 2.
// Each case is built once and simulated for `-repeat` consecutive periods of `-t`: the table gives
// the first period (cold caches: what one run of that length costs; spikes, rate and events are
// the first period's) and the median over all of them (steady state; on a shared machine also the
// figure least disturbed by other work). Peak memory is the resident memory each case added.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sim/builtin/networks.h"
#include "sim/core/config.h"
#include "sim/core/threads.h"
#include "sim/network.h"
#include "sim/recording/recorder.h"

namespace {

using namespace snn::sim;
namespace po = boost::program_options;

/// Resident high-water mark (VmHWM) or current resident size (VmRSS), MB, and the mark's reset
/// (Linux: clear_refs 5).
double status_mb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::string(key).size())) / 1024.0;
  return 0;
}
void reset_peak() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

double median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x[x.size() / 2];
}

/// One case: its network, built, and the figures of its periods.
struct Case {
  std::string name, reference;
  std::unique_ptr<Network> net;
  std::unique_ptr<Recorder> rec;
  RunStats first;
  std::vector<double> times;  ///< simulation time of each period
  double peak = 0;

  /// Builds the network and runs the first period; the peak is the memory this case added.
  Case(const std::string& name, const std::function<void(Network&)>& add, double t_ms,
       const std::string& out, const std::string& reference)
      : name(name), reference(reference) {
    const double before = status_mb("VmRSS:");
    reset_peak();
    net = std::make_unique<Network>(SimConfig{0.1, 1});
    add(*net);
    net->build();
    if (!out.empty()) rec = std::make_unique<Recorder>(out);
    first = net->run(t_ms, rec.get());
    times.push_back(first.sim_s);
    peak = status_mb("VmHWM:") - before;
  }
  double period(double t_ms) {
    times.push_back(net->run(t_ms, rec.get()).sim_s);
    return times.back();
  }
  void print(double t_ms) const {
    const double neurons = static_cast<double>(net->neurons());
    std::printf(
        "| %s | %llu | %llu | %llu | %.2f | %.3g | %.3f | %.3f | %.3f | %.3g | %.0f | %s |\n",
        name.c_str(), (unsigned long long)net->neurons(), (unsigned long long)net->synapses(),
        (unsigned long long)first.spikes, first.spikes / (neurons * t_ms * 1e-3),
        (double)first.syn_events, net->build_seconds(), first.sim_s, median(times),
        first.sim_s > 0 ? first.syn_events / first.sim_s : 0.0, peak, reference.c_str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  std::string out_dir, cases = "1,2,3";
  double t_ms = 1000;
  int repeat = 5;
  po::options_description opts("snn-bench-sim options (single or double dash)");
  opts.add_options()("help,h", "print this help")(
      "threads", po::value<int>(&threads)->default_value(2), "CPU threads")(
      "t", po::value<double>(&t_ms)->default_value(1000, "1000"), "biological time per case, ms")(
      "cases", po::value<std::string>(&cases)->default_value("1,2,3"), "which cases, e.g. 1,3")(
      "repeat", po::value<int>(&repeat)->default_value(5),
      "consecutive periods of -t per case (median reported beside the first)")(
      "out-dir", po::value<std::string>(&out_dir)->default_value("/tmp"),
      "folder for case 1's spike file (all spikes recorded)");
  po::variables_map vm;
  try {
    auto style =
        (po::command_line_style::default_style | po::command_line_style::allow_long_disguise) &
        ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(argc, argv).options(opts).style(style).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts;
      return 0;
    }
    if (repeat < 1)
      throw std::invalid_argument("repeat must be >= 1, got " + std::to_string(repeat));
    if (!(t_ms > 0)) throw std::invalid_argument("t must be > 0 ms");
    snn::set_num_threads(threads);
    std::vector<std::unique_ptr<Case>> done;
    if (cases.find('1') != std::string::npos) {
      const std::string out = out_dir + "/snn-bench-brunel-" + std::to_string(::getpid()) + ".h5";
      auto c = std::make_unique<Case>(
          "brunel order 2500", [](Network& n) { add_brunel(n, BrunelParams{}); }, t_ms, out,
          "Brian2 ~10 s, NEST 2 thr ~12 s; target < 2 s, goal < 0.5 s");
      for (int i = 1; i < repeat; ++i) c->period(t_ms);
      c->rec->close();
      std::remove(out.c_str());
      done.push_back(std::move(c));
    }
    // The sparse cases are built side by side and their periods alternate, so that the ratio of
    // each pair compares runs made under the same conditions of the machine.
    std::vector<Case*> sparse;
    for (long n : {100000L, 1000000L}) {
      if (cases.find(n == 100000 ? '2' : '3') == std::string::npos) continue;
      SparseParams p;
      p.n = n;
      done.push_back(std::make_unique<Case>(
          "sparse N " + std::to_string(n), [p](Network& net) { add_sparse(net, p); }, t_ms, "",
          n == 100000 ? "Brian2 ~1 s; target < 0.05 s" : "target: sim within 1.5x of N 100000"));
      sparse.push_back(done.back().get());
    }
    std::vector<double> ratios;
    if (sparse.size() == 2) ratios.push_back(sparse[1]->times[0] / sparse[0]->times[0]);
    for (int i = 1; i < repeat; ++i) {
      for (Case* c : sparse) c->period(t_ms);
      if (sparse.size() == 2) ratios.push_back(sparse[1]->times.back() / sparse[0]->times.back());
    }

    std::printf(
        "snn-bench-sim: %s, %d threads, %.0f ms of biological time per period, %d periods, dt 0.1 "
        "ms\n\n",
        snn::device_system_name(), snn::num_threads(), t_ms, repeat);
    std::printf(
        "| case | neurons | synapses | spikes | rate (Hz) | syn events | build (s) | sim (s) | sim "
        "median (s) | events/s | peak RSS (MB) | reference |\n");
    std::printf(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (const auto& c : done) c->print(t_ms);
    if (!ratios.empty()) {
      std::printf(
          "\nsparse: simulation time N 1,000,000 / N 100,000, periods run in turn: first %.2f, "
          "median %.2f, range %.2f-%.2f (target <= 1.5)\n",
          ratios[0], median(ratios), *std::min_element(ratios.begin(), ratios.end()),
          *std::max_element(ratios.begin(), ratios.end()));
    }
  } catch (const std::exception& e) {
    std::cerr << "snn-bench-sim: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
