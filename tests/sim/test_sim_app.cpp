// snn-sim: command line, summary, and one clear line with a non-zero exit for each bad input.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_options.h"
#include "sim/core/errors.h"
#include "tests/io/temp_dir.h"

namespace snn::apps {
namespace {

SimArgs args_of(std::vector<std::string> words) {
  std::vector<const char*> argv = {"snn-sim"};
  for (auto& w : words) argv.push_back(w.c_str());
  return parse_sim_args(static_cast<int>(argv.size()), argv.data());
}

std::string run_error(std::vector<std::string> words) {
  try {
    std::ostringstream out;
    run_sim(args_of(std::move(words)), out);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

/// Runs the binary; returns (exit status, stderr).
std::pair<int, std::string> run_binary(const std::string& args) {
  test::TempDir d;
  std::string cmd = std::string(SNN_SIM_BINARY) + " " + args + " >/dev/null 2>" + (d / "err");
  int status = std::system(cmd.c_str());
  std::ifstream f(d / "err");
  std::stringstream ss;
  ss << f.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(SnnSim, OptionsParseSingleDashAndDefaults) {
  SimArgs a = args_of({"-network", "sparse", "-n", "500", "-k", "10", "-t", "50", "-seed", "3",
                       "-record-v", "neurons:0-2,7", "-j", "-0.1"});
  EXPECT_EQ(a.network, "sparse");
  EXPECT_EQ(a.n, 500);
  EXPECT_EQ(*a.t_ms, 50.0);
  EXPECT_EQ(*a.seed, 3u);
  EXPECT_EQ(*a.j, -0.1);
  EXPECT_EQ(parse_id_list("0-2,7", "x"), (std::vector<std::uint32_t>{0, 1, 2, 7}));
  EXPECT_THROW(args_of({"-bogus", "1"}), SimUsageError);
  EXPECT_THROW(args_of({"-mode", "lazy"}), SimUsageError);
  EXPECT_THROW(args_of({"-record-v", "3-1"}), SimUsageError);
  EXPECT_THROW(args_of({"-order", "many"}), SimUsageError);
}

TEST(SnnSim, SummaryHasTheKeysScriptsRead) {
  test::TempDir d;
  std::ostringstream out;
  SimSummary s = run_sim(args_of({"-network", "brunel", "-order", "40", "-t", "100", "-summary",
                                  d / "s.json", "-out", d / "s.h5", "-record-v", "exc:0,1",
                                  "-progress", "off"}),
                         out);
  EXPECT_EQ(s.neurons, 200u);
  EXPECT_GT(s.spikes, 0u);
  for (const char* line : {"neurons", "synapses", "spikes", "mean rate", "syn events", "build",
                           "simulation", "events/s", "peak memory"})
    EXPECT_NE(out.str().find(line), std::string::npos) << line;
  EXPECT_NE(out.str().find("neurons      200\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("synapses     4000\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("spikes       " + std::to_string(s.spikes) + "\n"), std::string::npos) << out.str();
  std::ifstream f(d / "s.json");
  nlohmann::json j = nlohmann::json::parse(f);
  // Every key the README lists, each with its value.
  EXPECT_EQ(j.size(), 25u) << j.dump();
  EXPECT_EQ(j["network"], "brunel (order 40)");
  EXPECT_EQ(j["ranks"], 1);  // one process (sim/distributed)
  EXPECT_EQ(j["exchange_s"], 0.0);
  EXPECT_EQ(j["neurons"], 200);
  EXPECT_EQ(j["synapses"], 200 * (16 + 4));  // in-degrees CE = NE/10 = 16, CI = NI/10 = 4
  EXPECT_EQ(j["spikes"].get<std::uint64_t>(), s.spikes);
  EXPECT_NEAR(j["rate_hz"].get<double>(), s.spikes / (200 * 0.1), 1e-6);
  EXPECT_EQ(j["syn_events"].get<std::uint64_t>(), s.syn_events);
  EXPECT_GT(s.syn_events, s.spikes);  // every neuron projects to several others
  EXPECT_GE(j["build_s"].get<double>(), 0.0);
  EXPECT_GT(j["sim_s"].get<double>(), 0.0);
  EXPECT_NEAR(j["events_per_s"].get<double>(), s.syn_events / j["sim_s"].get<double>(),
              1e-6 * j["events_per_s"].get<double>());
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 1.0);
  EXPECT_EQ(j["t_ms"], 100.0);
  EXPECT_EQ(j["dt_ms"], 0.1);
  EXPECT_EQ(j["seed"], 1);
  EXPECT_GE(j["threads"].get<int>(), 1);
  EXPECT_EQ(j["device"], s.device);
  EXPECT_EQ(j["mode"], "event");
  // Memory: 4000 stored synapses in 16-bit targets plus four row-pointer arrays (8 bytes per
  // source neuron and one): (161 + 41 + 161 + 41) * 8 + 4000 * 2 bytes.
  EXPECT_EQ(j["stored_synapses"], 4000);
  EXPECT_EQ(j["procedural_synapses"], 0);
  EXPECT_NEAR(j["bytes_per_stored_synapse"].get<double>(), (404.0 * 8 + 8000) / 4000, 1e-9);
  EXPECT_EQ(j["bytes_per_procedural_synapse"], 0.0);
  EXPECT_GT(j["bytes_per_neuron"].get<double>(), 0.0);
  EXPECT_GE(j["queue_event_bytes"].get<double>(), 0.0);
  EXPECT_GT(j["zeroed_reserved_bytes"].get<double>(), 0.0);
  // The output file holds the same spikes.
  hid_t h5 = H5Fopen((d / "s.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(h5, 0);
  hsize_t n_file = 0;
  for (const char* pop : {"/spikes/exc/timestamps", "/spikes/inh/timestamps"}) {
    hid_t ds = H5Dopen2(h5, pop, H5P_DEFAULT);
    ASSERT_GE(ds, 0) << pop;
    hid_t space = H5Dget_space(ds);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, nullptr);
    n_file += n;
    H5Sclose(space);
    H5Dclose(ds);
  }
  H5Fclose(h5);
  EXPECT_EQ(n_file, s.spikes);
}

TEST(SnnSim, ProceduralBuiltinsStoreNoSynapse) {
  std::ostringstream out;
  SimSummary s = run_sim(args_of({"-network", "sparse", "-n", "5000", "-k", "100", "-outdegree",
                                  "10", "-t", "50", "-procedural", "-progress", "off"}),
                         out);
  SimSummary stored = run_sim(args_of({"-network", "sparse", "-n", "5000", "-k", "100",
                                       "-outdegree", "10", "-t", "50", "-progress", "off"}),
                              out);
  EXPECT_EQ(s.stored_synapses, 0u);
  EXPECT_EQ(s.procedural_synapses, 50000u);
  EXPECT_EQ(stored.stored_synapses, 50000u);
  EXPECT_GT(s.spikes, 0u);
  EXPECT_EQ(s.spikes, stored.spikes);  // fixed out-degree: the same network
  EXPECT_EQ(s.syn_events, stored.syn_events);
  // Only one row of 10 targets per lane (padded to 32) is drawn at a time.
  EXPECT_LE(s.bytes_per_procedural_synapse, 64.0 * 128 / 50000);
}

TEST(SnnSim, EachBadInputGivesItsError) {
  test::TempDir d;
  const std::string pop = R"({"name": "a", "model": "lif_delta", "size": 10)";
  write(d / "tau.json", "{\"populations\": [" + pop + ", \"params\": {\"tau_m\": 0}}]}");
  write(d / "short.json", "{\"populations\": [" + pop + "}], \"projections\": [{\"source\": \"a\", "
        "\"target\": \"a\", \"rule\": \"one_to_one\", \"weight\": 1, \"delay\": 0.05}]}");
  write(d / "multiple.json", "{\"populations\": [" + pop + "}], \"projections\": [{\"source\": \"a\", "
        "\"target\": \"a\", \"rule\": \"one_to_one\", \"weight\": 1, \"delay\": 0.15}]}");
  write(d / "size.json", R"({"populations": [{"name": "a", "model": "lif_delta", "size": -4}]})");
  write(d / "bad.json", "{\"populations\": [\n  {\"name\": }\n]}");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"-network", d / "tau.json"}, "tau_m must be > 0 ms, got 0"},
      {{"-network", "brunel", "-order", "10", "-dt", "0"}, "dt must be > 0 ms, got 0"},
      {{"-network", "brunel", "-order", "10", "-dt", "-0.1"}, "dt must be > 0 ms, got -0.1"},
      {{"-network", d / "short.json"}, "delay 0.05 ms is shorter than dt 0.1 ms"},
      {{"-network", d / "multiple.json"}, "delay 0.15 ms is not a multiple of dt 0.1 ms"},
      {{"-network", "brunel", "-order", "10", "-dt", "0.2"}, "delay 1.5 ms is not a multiple of dt 0.2 ms"},
      {{"-network", "brunel", "-order", "-5"}, "order must be >= 1, got -5"},
      {{"-network", "sparse", "-n", "-3"}, "n must be >= 1, got -3"},
      {{"-network", d / "size.json"}, "size: must be >= 0, got -4"},
      {{"-network", d / "missing.json"}, "cannot read network file"},
      {{"-network", d / "bad.json"}, "bad.json: parse error at line 2"},
      {{"-network", "brunel", "-order", "10", "-out", "/nonexistent-dir/x.h5"}, "/nonexistent-dir/x.h5"},
      {{"-network", "brunel", "-order", "10", "-summary", "/nonexistent-dir/s.json"}, "/nonexistent-dir"},
      {{"-network", "brunel", "-order", "10", "-t", "1.05"}, "run time 1.05 ms is not a multiple of dt 0.1 ms"},
  };
  for (auto& c : cases) {
    std::string e = run_error(c.args);
    EXPECT_NE(e.find(c.message), std::string::npos) << c.args[1] << ": " << e;
  }
}

TEST(SnnSim, TheProgramPrintsOneLineAndExitsNonZero) {
  auto [status, err] = run_binary("-network /nonexistent.json");
  EXPECT_EQ(status, 1);
  EXPECT_EQ(err, "snn-sim: error: cannot read network file /nonexistent.json\n");
  auto [status2, err2] = run_binary("-order");
  EXPECT_EQ(status2, 2);
  EXPECT_EQ(std::count(err2.begin(), err2.end(), '\n'), 1) << err2;
  auto [status3, err3] = run_binary("-network brunel -order 20 -t 10 -progress off");
  EXPECT_EQ(status3, 0) << err3;
}

}  // namespace
}  // namespace snn::apps
