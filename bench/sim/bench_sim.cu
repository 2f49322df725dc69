// snn-bench-sim: the issue's three cases on N threads (default 2), one table.
//   1. brunel, order 2500 (12,500 neurons, 15.6 M synapses), 1 s, all spikes recorded to HDF5.
//   2. sparse, N = 100,000, K = 1,000 inputs at 10 Hz, out-degree 100, J = 0.2 mV, 1 s.
//   3. sparse, N = 1,000,000, the same K: the simulation time should stay within 1.5x of case 2.
// Peak memory is the resident high-water mark of each case (reset between cases).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
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

/// Resident high-water mark, MB (VmHWM), and its reset (Linux: clear_refs 5).
double peak_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct Row {
  std::string name;
  std::uint64_t neurons = 0, synapses = 0, spikes = 0, events = 0;
  double rate = 0, build_s = 0, sim_s = 0, peak = 0;
  std::string reference;
};

Row run_case(const std::string& name, const std::function<void(Network&)>& add, double t_ms,
             const std::string& out, const std::string& reference) {
  reset_peak();
  Row r;
  r.name = name;
  r.reference = reference;
  Network net(SimConfig{0.1, 1});
  add(net);
  net.build();
  std::unique_ptr<Recorder> rec;
  if (!out.empty()) rec = std::make_unique<Recorder>(out);
  RunStats st = net.run(t_ms, rec.get());
  if (rec) rec->close();
  r.neurons = net.neurons();
  r.synapses = net.synapses();
  r.spikes = st.spikes;
  r.events = st.syn_events;
  r.rate = st.spikes / (r.neurons * t_ms * 1e-3);
  r.build_s = net.build_seconds();
  r.sim_s = st.sim_s;
  r.peak = peak_mb();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  std::string out_dir, cases = "1,2,3";
  double t_ms = 1000;
  po::options_description opts("snn-bench-sim options (single or double dash)");
  opts.add_options()("help,h", "print this help")(
      "threads", po::value<int>(&threads)->default_value(2), "CPU threads")(
      "t", po::value<double>(&t_ms)->default_value(1000, "1000"), "biological time per case, ms")(
      "cases", po::value<std::string>(&cases)->default_value("1,2,3"), "which cases, e.g. 1,3")(
      "out-dir", po::value<std::string>(&out_dir)->default_value("/tmp"),
      "folder for case 1's spike file (all spikes recorded)");
  po::variables_map vm;
  try {
    auto style = (po::command_line_style::default_style | po::command_line_style::allow_long_disguise) &
                 ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(argc, argv).options(opts).style(style).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts;
      return 0;
    }
    snn::set_num_threads(threads);
    std::vector<Row> rows;
    if (cases.find('1') != std::string::npos)
      rows.push_back(run_case(
          "brunel order 2500", [](Network& n) { add_brunel(n, BrunelParams{}); }, t_ms,
          out_dir + "/snn-bench-brunel-" + std::to_string(::getpid()) + ".h5",
          "Brian2 ~10 s, NEST 2 thr ~12 s; target < 2 s, goal < 0.5 s"));
    for (long n : {100000L, 1000000L}) {
      const char* c = n == 100000 ? "2" : "3";
      if (cases.find(c) == std::string::npos) continue;
      SparseParams p;
      p.n = n;
      rows.push_back(run_case("sparse N " + std::to_string(n),
                              [p](Network& net) { add_sparse(net, p); }, t_ms, "",
                              n == 100000 ? "Brian2 ~1 s; target < 0.05 s"
                                          : "target: sim within 1.5x of N 100000"));
    }
    if (!out_dir.empty() && cases.find('1') != std::string::npos)
      std::remove((out_dir + "/snn-bench-brunel-" + std::to_string(::getpid()) + ".h5").c_str());

    std::printf("snn-bench-sim: %s, %d threads, %.0f ms of biological time, dt 0.1 ms\n\n",
                snn::device_system_name(), snn::num_threads(), t_ms);
    std::printf("| case | neurons | synapses | spikes | rate (Hz) | syn events | build (s) | sim (s) | events/s | peak RSS (MB) | reference |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (const Row& r : rows)
      std::printf("| %s | %llu | %llu | %llu | %.2f | %.3g | %.3f | %.3f | %.3g | %.0f | %s |\n",
                  r.name.c_str(), (unsigned long long)r.neurons, (unsigned long long)r.synapses,
                  (unsigned long long)r.spikes, r.rate, (double)r.events, r.build_s, r.sim_s,
                  r.sim_s > 0 ? r.events / r.sim_s : 0.0, r.peak, r.reference.c_str());
    if (rows.size() == 3 || (rows.size() == 2 && cases.find('1') == std::string::npos)) {
      const Row& a = rows[rows.size() - 2];
      const Row& b = rows.back();
      std::printf("\nsparse: simulation time N 1,000,000 / N 100,000 = %.2f (target <= 1.5)\n",
                  b.sim_s / a.sim_s);
    }
  } catch (const std::exception& e) {
    std::cerr << "snn-bench-sim: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
