// Network files: the documented example runs; malformed or invalid files fail with the file,
// line and field named.
#include <gtest/gtest.h>

#include "sim/core/errors.h"
#include "sim/network.h"
#include "sim/network_file.h"
#include "sim/recording/recorder.h"

namespace snn::sim {
namespace {

std::string example_path() {
  return std::string(SNN_SOURCE_DIR) + "/examples/network.json";
}

TEST(NetworkFile, TheExampleRuns) {
  NetworkDescription d = read_network_file(example_path());
  ASSERT_TRUE(d.dt_ms && d.t_stop_ms && d.seed);
  Network net(SimConfig{*d.dt_ms, *d.seed});
  d.apply(net);
  Recorder rec("", true);
  net.run(*d.t_stop_ms, &rec);
  EXPECT_EQ(net.neurons(), 1010u);
  for (const char* pop : {"exc", "inh", "readout"}) EXPECT_GT(net.spike_count(pop), 0u) << pop;
  EXPECT_EQ(rec.voltages().at("readout").node_ids, (std::vector<std::uint64_t>{0, 1, 5}));
  EXPECT_EQ(rec.voltages().at("readout").rows.size(), 5000u * 3u);
}

/// The error message of parsing and applying `text` (dt 0.1), or "no error".
std::string error_of(const std::string& text) {
  try {
    NetworkDescription d = parse_network_json(text, "net.json");
    Network net(SimConfig{d.dt_ms.value_or(0.1), 1});
    d.apply(net);
    net.build();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

const std::string kPop = R"({"name": "a", "model": "lif_delta", "size": 10})";

std::string with_projection(const std::string& projection) {
  return "{\"populations\": [" + kPop + "],\n\"projections\": [\n" + projection + "]}";
}

TEST(NetworkFile, MalformedJsonSaysWhere) {
  std::string e = error_of("{\n  \"populations\": [\n    {\"name\": \"a\",, }\n  ]\n}");
  EXPECT_NE(e.find("net.json: parse error at line 3, column"), std::string::npos) << e;
  EXPECT_THROW(parse_network_json("[1, 2", "x"), FormatError);
}

TEST(NetworkFile, FieldErrorsNameTheLineAndField) {
  EXPECT_EQ(error_of("{\n\"populations\": [\n{\"name\": \"a\", \"model\": \"lif_delta\"}]}"),
            "net.json:3: populations[0]: missing field 'size'");
  EXPECT_EQ(
      error_of(
          "{\"populations\": [\n{\"name\": \"a\",\n \"model\": \"lif_delta\",\n \"size\": -5}]}"),
      "net.json:4: populations[0].size: must be >= 0, got -5");
  EXPECT_EQ(
      error_of("{\"populations\": [{\"name\": \"a\", \"model\": \"lif_delta\", \"size\": 2.5}]}"),
      "net.json:1: populations[0].size: expected an integer, got 2.5");
  std::string e = error_of(
      "{\"populations\": [{\"name\": \"a\", \"model\": \"lif_delta\", \"size\": 3,\n"
      " \"params\": {\"tua_m\": 20}}]}");
  EXPECT_NE(e.find("net.json:2: populations[0].params.tua_m: unknown parameter 'tua_m' (expected "
                   "one of: tau_m (ms)"),
            std::string::npos)
      << e;
  e = error_of("{\"populations\": [{\"name\": \"a\", \"model\": \"lif_foo\", \"size\": 3}]}");
  EXPECT_NE(e.find("unknown model 'lif_foo' (expected one of: spike_generator, lif_delta, lif_exp, "
                   "if_delta, iaf_psc_alpha"),
            std::string::npos)
      << e;
  e = error_of("{\"populations\": [" + kPop + "], \"extra\": 1}");
  EXPECT_NE(e.find("net.json:1: extra: unknown field 'extra'"), std::string::npos) << e;
}

TEST(NetworkFile, InvalidValuesSayWhere) {
  EXPECT_EQ(
      error_of("{\"populations\": [\n{\"name\": \"a\", \"model\": \"lif_delta\", \"size\": 3,\n"
               " \"params\": {\"tau_m\": -1}}]}"),
      "net.json:2: populations[0]: tau_m must be > 0 ms, got -1");
  EXPECT_EQ(error_of("{\"dt\": 0, \"populations\": []}"),
            "net.json:1: dt: dt must be > 0 ms, got 0");
  EXPECT_EQ(
      error_of(with_projection(
          R"({"source": "a", "target": "a", "rule": "one_to_one", "weight": 1, "delay": 0.25})")),
      "net.json:3: projections[0].delay: delay 0.25 ms is not a multiple of dt 0.1 ms");
  EXPECT_EQ(
      error_of(with_projection(
          R"({"source": "a", "target": "a", "rule": "one_to_one", "weight": 1, "delay": 0.05})")),
      "net.json:3: projections[0].delay: delay 0.05 ms is shorter than dt 0.1 ms");
  std::string e = error_of(with_projection(
      R"({"source": "a", "target": "b", "rule": "one_to_one", "weight": 1, "delay": 1})"));
  EXPECT_NE(e.find("no population named 'b'"), std::string::npos) << e;
  e = error_of(with_projection(
      R"({"source": "a", "target": "a", "rule": "fixed_indegree", "weight": 1, "delay": 1})"));
  EXPECT_NE(e.find("net.json:3: projections[0]: missing field 'indegree'"), std::string::npos) << e;
  e = error_of(with_projection(
      R"({"source": "a", "target": "a", "rule": "fixed_total_number", "weight": 1, "delay": 1})"));
  EXPECT_NE(e.find("net.json:3: projections[0]: missing field 'N'"), std::string::npos) << e;
  e = error_of("{\"populations\": [" + kPop +
               "], \"sources\": [{\"type\": \"poisson\", \"target\": \"a\", "
               "\"rate\": -3, \"weight\": 1}]}");
  EXPECT_NE(e.find("sources[0].rate: rate must be >= 0 Hz, got -3"), std::string::npos) << e;
}

TEST(NetworkFile, ProceduralProjectionsAndTheirErrors) {
  NetworkDescription d = parse_network_json(
      with_projection(R"({"source": "a", "target": "a", "rule": "fixed_outdegree", "outdegree": 3,
                          "weight": {"normal": [1, 0.5]}, "delay": 1, "procedural": true})"),
      "net.json");
  ASSERT_EQ(d.projections.size(), 1u);
  EXPECT_TRUE(d.projections[0].procedural);
  Network net(SimConfig{0.1, 1});
  d.apply(net);
  net.build();
  EXPECT_EQ(net.memory().procedural_synapses, 30u);
  EXPECT_EQ(net.memory().stored_synapses, 0u);
  std::string e = error_of(with_projection(
      R"({"source": "a", "target": "a", "rule": "list", "pairs": [[0, 1, 0.5], [1, 2, 0.25]],
          "delay": 1, "procedural": true})"));
  EXPECT_EQ(e.find("net.json:"), 0u) << e;
  EXPECT_NE(e.find("projections[0].procedural: projection a -> a: a list of pairs (with its "
                   "per-synapse weights and delays) cannot be procedural"),
            std::string::npos)
      << e;
  e = error_of(with_projection(
      R"({"source": "a", "target": "a", "rule": "one_to_one", "weight": 1, "delay": 1, "procedural": 1})"));
  EXPECT_NE(e.find("projections[0].procedural"), std::string::npos) << e;
}

TEST(NetworkFile, AnUnreadableFileIsAnIoError) {
  EXPECT_THROW(read_network_file("/nonexistent/net.json"), IoError);
}

}  // namespace
}  // namespace snn::sim
