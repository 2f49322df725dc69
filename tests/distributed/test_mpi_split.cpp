// One network over several processes: `mpiexec -n P snn-sim -threads J` writes the same SONATA
// file (spikes and voltages, byte for byte) and counts as one process with one thread, for
// P in {1, 2, 4} and J in {1, 2}; a rank that fails makes every rank exit non-zero with one
// message; more ranks than neurons run; -save-weights/-load-weights files equal one process's;
// SIGTERM stops every rank at one step with a whole file. Runs only in builds with
// -DSNN_WITH_MPI=ON.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/io/temp_dir.h"

namespace {

struct Result {
  int status;
  std::string out, err;
};

/// As root (CI's container) Open MPI refuses to start without these; shared memory without the
/// cross-memory attach that containers forbid.
const bool kMpiEnvironment = [] {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  return true;
}();

/// The launcher. Open MPI keeps allocations until exit that a sanitizer build's leak check would
/// report in every rank (from components it unloads, so they cannot be suppressed by name): the
/// ranks it starts run with ASan's and UBSan's checks but without the leak check.
const std::string kMpiexec = std::string(SNN_MPIEXEC) + " -x ASAN_OPTIONS=detect_leaks=0";

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// Runs `snn-sim args` under `mpiexec -n ranks` (ranks 0: directly, no launcher).
Result run(int ranks, const std::string& args, const snn::test::TempDir& d) {
  std::string cmd =
      ranks == 0 ? std::string(SNN_SIM_BINARY)
                 : kMpiexec + " -n " + std::to_string(ranks) + " --oversubscribe " + SNN_SIM_BINARY;
  cmd += " " + args + " >" + (d / "out") + " 2>" + (d / "err");
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(d / "out"), slurp(d / "err")};
}

/// Every dataset of an HDF5 file: path -> raw bytes.
std::map<std::string, std::vector<char>> datasets(const std::string& path) {
  std::map<std::string, std::vector<char>> out;
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << path;
  if (f < 0) return out;
  H5Ovisit(
      f, H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t root, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type != H5O_TYPE_DATASET) return 0;
        hid_t ds = H5Dopen(root, name, H5P_DEFAULT);
        hid_t type = H5Dget_type(ds);
        hid_t space = H5Dget_space(ds);
        const hssize_t n = H5Sget_simple_extent_npoints(space);
        std::vector<char> bytes(static_cast<std::size_t>(n) * H5Tget_size(type));
        if (n) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
        (*static_cast<std::map<std::string, std::vector<char>>*>(data))[name] = std::move(bytes);
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(ds);
        return 0;
      },
      &out);
  H5Fclose(f);
  return out;
}

/// The 1 rank × 1 thread run, then every P × J: the same file, spike and event counts.
void expect_same_for_any_split(const std::string& args, const std::string& spike_pop,
                               const std::string& v_pop) {
  snn::test::TempDir d;
  const Result ref =
      run(0, args + " -threads 1 -out " + (d / "ref.h5") + " -summary " + (d / "ref.json"), d);
  ASSERT_EQ(ref.status, 0) << ref.err;
  const auto want = datasets(d / "ref.h5");
  const auto want_json = nlohmann::json::parse(slurp(d / "ref.json"));
  ASSERT_TRUE(want.count("spikes/" + spike_pop + "/node_ids"));
  ASSERT_GT(want.at("spikes/" + spike_pop + "/node_ids").size(), 100u);  // the test has spikes
  ASSERT_TRUE(want.count("report/" + v_pop + "/data"));
  for (int ranks : {1, 2, 4})
    for (int threads : {1, 2}) {
      const std::string tag =
          std::to_string(ranks) + " ranks x " + std::to_string(threads) + " threads";
      const std::string h5 =
          d / ("r" + std::to_string(ranks) + "t" + std::to_string(threads) + ".h5");
      const Result r = run(ranks,
                           args + " -threads " + std::to_string(threads) + " -out " + h5 +
                               " -summary " + (d / "s.json"),
                           d);
      ASSERT_EQ(r.status, 0) << tag << ": " << r.err;
      const auto got = datasets(h5);
      EXPECT_EQ(got.size(), want.size()) << tag;
      for (auto& [name, bytes] : want) {
        ASSERT_TRUE(got.count(name)) << tag << ": " << name;
        EXPECT_TRUE(got.at(name) == bytes) << tag << ": " << name << " differs";
      }
      const auto js = nlohmann::json::parse(slurp(d / "s.json"));
      EXPECT_EQ(js["ranks"], ranks) << tag;
      EXPECT_EQ(js["threads"], threads) << tag;
      for (const char* key : {"neurons", "synapses", "spikes", "syn_events"})
        EXPECT_EQ(js[key], want_json[key]) << tag << ": " << key;
      // One summary, printed by rank 0.
      EXPECT_EQ(r.out.find("spikes"), r.out.rfind("spikes       ")) << tag;
    }
}

TEST(MpiSplit, BrunelIsTheSameForAnySplit) {
  // Delay 1.5 ms = 15 steps: one exchange per 15 steps; dense Poisson drive.
  expect_same_for_any_split("-network brunel -order 100 -t 100 -record-v 0-3,250-251", "exc",
                            "exc");
}

/// Several populations and models, delays of 1-20 steps (one exchange per step), dense and sparse
/// Poisson sources, a spike generator, every connection rule and an STDP projection.
constexpr const char* kNetwork = R"({
  "dt": 0.1, "t_stop": 60, "seed": 5,
  "populations": [
    {"name": "stim", "model": "spike_generator", "size": 3,
     "spikes": [[0, 5.0], [1, 5.0], [2, 12.3], [0, 20.0], [1, 33.3], [2, 40.1]]},
    {"name": "exc", "model": "lif_delta", "size": 300,
     "params": {"tau_m": 20, "v_th": 20, "v_reset": 10, "t_ref": 2, "e_l": 0},
     "v_init": {"uniform": [0, 20]}},
    {"name": "inh", "model": "lif_delta", "size": 77,
     "params": {"tau_m": 20, "v_th": 20, "v_reset": 10, "t_ref": 2, "e_l": 0},
     "v_init": {"uniform": [0, 20]}},
    {"name": "readout", "model": "lif_exp", "size": 13,
     "params": {"tau_m": 10, "tau_syn": 2, "c_m": 250, "v_th": 15, "v_reset": 0, "t_ref": 2}}
  ],
  "projections": [
    {"source": "exc", "target": "exc", "rule": "fixed_indegree", "indegree": 40,
     "weight": {"uniform": [0.05, 0.2]}, "delay": {"uniform": [0.1, 2.0]},
     "synapse": {"model": "stdp_synapse", "lambda": 0.01, "alpha": 1.0, "mu_plus": 1,
                 "mu_minus": 1, "tau_plus": 20, "tau_minus": 20, "Wmax": 0.3}},
    {"source": "exc", "target": "inh", "rule": "fixed_probability", "p": 0.1, "weight": 0.15,
     "delay": {"uniform": [0.1, 2.0]}},
    {"source": "inh", "target": "exc", "rule": "fixed_outdegree", "outdegree": 30,
     "weight": {"normal": [-0.6, 0.1]}, "delay": {"uniform": [0.1, 2.0]}},
    {"source": "inh", "target": "inh", "rule": "all_to_all", "weight": -0.05, "delay": 0.7},
    {"source": "exc", "target": "readout", "rule": "fixed_probability", "p": 0.05,
     "weight": {"normal": [20, 5]}, "delay": 0.1},
    {"source": "stim", "target": "exc", "rule": "fixed_outdegree", "outdegree": 100,
     "weight": 15, "delay": 0.5, "allow_multapses": false},
    {"source": "inh", "target": "readout", "rule": "fixed_total_number", "N": 200,
     "weight": {"uniform": [-40, 10]}, "delay": {"uniform": [0.1, 1.0]}},
    {"source": "stim", "target": "readout", "rule": "list",
     "pairs": [[0, 0, 600.0, 1.0], [1, 12, 600.0, 2.0]]}
  ],
  "sources": [
    {"type": "poisson", "target": "exc", "rate": 18000, "weight": 0.1, "delay": 0.1},
    {"type": "poisson", "target": "inh", "first": 10, "count": 50, "rate": 20000, "weight": 0.1},
    {"type": "poisson", "target": "readout", "first": 5, "count": 5, "rate": 50, "weight": 400},
    {"type": "current", "target": "readout", "first": 0, "count": 2, "amplitude": 200}
  ],
  "record": {"spikes": "all", "voltage": {"readout": [0, 1, 5, 12], "exc": [0, 150, 299]}}
})";

TEST(MpiSplit, NetworkFileIsTheSameForAnySplit) {
  snn::test::TempDir d;
  std::ofstream(d / "net.json") << kNetwork;
  expect_same_for_any_split("-network " + (d / "net.json"), "exc", "readout");
}

TEST(MpiSplit, WeightsFilesAreTheSameForAnySplit) {
  // The STDP projection's weights after 60 ms, saved by 1, 2 and 4 ranks: the same file. Then
  // every split starts from that file (-load-weights): the same spikes and final weights again.
  snn::test::TempDir d;
  std::ofstream(d / "net.json") << kNetwork;
  const std::string net = "-network " + (d / "net.json") + " -threads 1";
  const Result ref = run(0, net + " -record-spikes none -save-weights " + (d / "w1.h5"), d);
  ASSERT_EQ(ref.status, 0) << ref.err;
  const auto want = datasets(d / "w1.h5");
  ASSERT_EQ(want.size(), 8u * 3u);  // 8 projections: source_ids, target_ids, weight
  // The run changed the plastic weights: the file is not the initial network.
  ASSERT_GT(want.at("projections/0/weight").size(), 1000u);
  const Result loaded = run(0,
                            net + " -load-weights " + (d / "w1.h5") + " -save-weights " +
                                (d / "w2.h5") + " -out " + (d / "s2.h5"),
                            d);
  ASSERT_EQ(loaded.status, 0) << loaded.err;
  const auto want2 = datasets(d / "w2.h5");
  ASSERT_FALSE(want2.at("projections/0/weight") == want.at("projections/0/weight"));
  const auto want_spikes = datasets(d / "s2.h5");
  for (int ranks : {2, 4}) {
    const std::string tag = std::to_string(ranks) + " ranks";
    const Result r = run(ranks, net + " -record-spikes none -save-weights " + (d / "w.h5"), d);
    ASSERT_EQ(r.status, 0) << tag << ": " << r.err;
    EXPECT_TRUE(datasets(d / "w.h5") == want) << tag << ": saved weights differ";
    const Result l = run(ranks,
                         net + " -load-weights " + (d / "w1.h5") + " -save-weights " +
                             (d / "w.h5") + " -out " + (d / "s.h5"),
                         d);
    ASSERT_EQ(l.status, 0) << tag << ": " << l.err;
    EXPECT_TRUE(datasets(d / "w.h5") == want2) << tag << ": weights after loading differ";
    EXPECT_TRUE(datasets(d / "s.h5") == want_spikes) << tag << ": spikes after loading differ";
  }
  // A weights file of another network: every rank stops, rank 0 says why.
  std::ofstream(d / "other.json") << std::string(kNetwork).replace(
      std::string(kNetwork).find("\"seed\": 5"), 9, "\"seed\": 6");
  const Result bad =
      run(2, "-network " + (d / "other.json") + " -threads 1 -load-weights " + (d / "w1.h5"), d);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("not the network's synapses"), std::string::npos) << bad.err;
}

TEST(MpiSplit, SigtermStopsEveryRankAtOneStepWithAWholeFile) {
  // mpiexec passes SIGTERM to every rank; the stop request rides along the next exchange, so all
  // ranks stop after the same block and rank 0 closes a file equal to a run of that length.
  snn::test::TempDir d;
  const std::string args = " -network brunel -order 100 -threads 1 -progress off -out ";
  const std::string cmd = "bash -c '" + kMpiexec + " -n 2 --oversubscribe " + SNN_SIM_BINARY +
                          args + (d / "term.h5") + " -t 10000000 >" + (d / "out") + " 2>" +
                          (d / "err") + " & p=$!; sleep 3; kill -TERM $p; wait $p; echo $? >" +
                          (d / "rc") + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_NE(std::stoi(slurp(d / "rc")), 0);
  const std::string err = slurp(d / "err");
  const std::string said = "snn-sim: interrupted by SIGTERM at t = ";
  const std::size_t at = err.find(said);
  ASSERT_NE(at, std::string::npos) << err;
  EXPECT_EQ(err.find(said, at + 1), std::string::npos) << "one message: " << err;
  const double t_ms = std::stod(err.substr(at + said.size()));
  ASSERT_GT(t_ms, 0);
  ASSERT_LT(t_ms, 10000000);
  // The same network run to that time on one process: the same file.
  std::ostringstream t;
  t.precision(17);
  t << t_ms;
  const Result ref = run(0, args + (d / "ref.h5") + " -t " + t.str(), d);
  ASSERT_EQ(ref.status, 0) << ref.err;
  const auto want = datasets(d / "ref.h5");
  ASSERT_GT(want.at("spikes/exc/node_ids").size(), 100u);
  EXPECT_TRUE(datasets(d / "term.h5") == want);
}

TEST(MpiSplit, MoreRanksThanNeuronsRun) {
  snn::test::TempDir d;
  std::ofstream(d / "tiny.json") << R"({"dt": 0.1, "t_stop": 20,
    "populations": [{"name": "a", "model": "lif_delta", "size": 3,
                     "params": {"tau_m": 20, "v_th": 20, "v_reset": 10, "t_ref": 2, "e_l": 0}}],
    "projections": [{"source": "a", "target": "a", "rule": "all_to_all", "weight": 5, "delay": 1}],
    "sources": [{"type": "current", "target": "a", "first": 0, "count": 1, "amplitude": 2000}]})";
  const std::string args = "-network " + (d / "tiny.json") + " -threads 1 -out ";
  const Result one = run(0, args + (d / "one.h5"), d);
  ASSERT_EQ(one.status, 0) << one.err;
  const Result four = run(4, args + (d / "four.h5"), d);
  ASSERT_EQ(four.status, 0) << four.err;
  const auto want = datasets(d / "one.h5");
  ASSERT_GT(want.at("spikes/a/node_ids").size(), 2u);
  EXPECT_TRUE(datasets(d / "four.h5") == want);
}

TEST(MpiSplit, ARankWithABadFileStopsEveryRank) {
  snn::test::TempDir d;
  std::ofstream(d / "bad.json")
      << R"({"populations": [{"name": "a", "model": "lif_delta", "size": -4}]})";
  // Rank 0 reads a good network, rank 1 a bad file: both exit non-zero, rank 0 says why.
  const std::string cmd = kMpiexec + " --oversubscribe -n 1 " + SNN_SIM_BINARY +
                          " -order 20 -t 10 : -n 1 " + SNN_SIM_BINARY + " -network " +
                          (d / "bad.json") + " -t 10 >" + (d / "out") + " 2>" + (d / "err");
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  const std::string err = slurp(d / "err");
  EXPECT_NE(err.find("snn-sim: error: rank 1: "), std::string::npos) << err;
  EXPECT_NE(err.find("populations[0].size: must be >= 0, got -4"), std::string::npos) << err;
  // Networks that differ between ranks: one error, every rank stops.
  const std::string cmd2 = kMpiexec + " --oversubscribe -n 1 " + SNN_SIM_BINARY +
                           " -order 20 -t 10 : -n 1 " + SNN_SIM_BINARY + " -order 21 -t 10 >" +
                           (d / "out") + " 2>" + (d / "err");
  const int status2 = std::system(cmd2.c_str());
  ASSERT_TRUE(WIFEXITED(status2));
  EXPECT_NE(WEXITSTATUS(status2), 0);
  const std::string err2 = slurp(d / "err");
  EXPECT_NE(err2.find("the network differs between ranks"), std::string::npos) << err2;
}

}  // namespace
