// snn-sim on a NIR file written here: spikes from a SONATA file (-input) reach the graph, the
// output goes to a SONATA file, the options -nir-threshold/-nir-reset change the run, and bad
// input names the file and field.
#include <gtest/gtest.h>

#include <sstream>

#include "apps/snn-sim/run_nir.h"
#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_options.h"
#include "io/nir/nir_graph.h"
#include "io/sonata_writer.h"
#include "sim/core/errors.h"
#include "tests/io/temp_dir.h"

namespace snn::apps {
namespace {

using io::NirArray;
using io::NirNodeType;

io::NirNode node(const std::string& name, NirNodeType t, std::map<std::string, NirArray> p) {
  io::NirNode n;
  n.name = name;
  n.type = t;
  n.params = std::move(p);
  return n;
}

/// in (2) -> Linear [0.5, 0.5] -> IF (threshold 1) -> out.
std::string write_graph(const test::TempDir& d) {
  io::NirGraph g;
  g.nodes = {node("in", NirNodeType::Input, {{"shape", NirArray::vector({2})}}),
             node("fc", NirNodeType::Linear, {{"weight", NirArray::tensor({1, 2}, {0.5, 0.5})}}),
             node("if", NirNodeType::IF,
                  {{"r", NirArray::vector({1e4})},
                   {"v_threshold", NirArray::vector({1})},
                   {"v_reset", NirArray::vector({0})}}),
             node("out", NirNodeType::Output, {{"shape", NirArray::vector({1})}})};
  g.edges = {{"in", "fc"}, {"fc", "if"}, {"if", "out"}};
  const std::string path = d / "g.nir";
  io::write_nir(g, path);
  return path;
}

/// Spikes of both inputs at 0.1, 0.2, 0.3, 0.4 ms (steps 1-4 at dt 1e-4 s).
std::string write_spikes(const test::TempDir& d) {
  const std::string path = d / "in.h5";
  io::SonataWriter w(path);
  w.add_spike_population("in");
  std::vector<double> t = {0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4};
  std::vector<std::uint64_t> id = {0, 1, 0, 1, 0, 1, 0, 1};
  w.append_spikes("in", t.data(), id.data(), t.size());
  w.close();
  return path;
}

SimSummary run(std::vector<std::string> argv) {
  std::vector<const char*> c = {"snn-sim"};
  for (auto& s : argv) c.push_back(s.c_str());
  std::ostringstream out;
  return run_sim(parse_sim_args(static_cast<int>(c.size()), c.data()), out);
}

TEST(NirApp, SpikeFileDrivesTheGraphAndOptionsApply) {
  test::TempDir d;
  const std::string g = write_graph(d), in = write_spikes(d);
  // r·dt = 1: each step adds 0.5 + 0.5 = 1. '>': v = 1 never exceeds 1 at step 1, 2 > 1 at 2.
  SimSummary gt = run({"-network", g, "-input", in, "-t", "1"});
  EXPECT_EQ(gt.spikes, 2u);  // steps 2 and 4
  EXPECT_EQ(gt.syn_events, 8u);
  SimSummary ge = run({"-network", g, "-input", in, "-t", "1", "-nir-threshold", "ge"});
  EXPECT_EQ(ge.spikes, 4u);  // every step
  SimSummary sub = run({"-network", g, "-input", in, "-t", "1", "-nir-reset", "subtract"});
  EXPECT_EQ(sub.spikes, 3u);  // v = 2 - 1 = 1 stays, so steps 2, 3, 4
  SimSummary clock = run({"-network", g, "-input", in, "-t", "1", "-mode", "clock"});
  EXPECT_EQ(clock.spikes, gt.spikes);
  SimSummary cur = run({"-network", g, "-input-current", "in=1", "-t", "1"});
  EXPECT_EQ(cur.spikes, 5u);  // a constant 1 per step: 1, 2 > 1 -> spike every 2nd step of 10
}

TEST(NirApp, BadInputNamesTheFile) {
  test::TempDir d;
  const std::string g = write_graph(d);
  const std::string bad = d / "bad.h5";
  {
    io::SonataWriter w(bad);
    w.add_spike_population("in");
    std::vector<double> t = {0.1};
    std::vector<std::uint64_t> id = {7};
    w.append_spikes("in", t.data(), id.data(), 1);
    w.close();
  }
  try {
    run({"-network", g, "-input", bad, "-t", "1"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad + ": spikes/in/node_ids: 7 out of range [0, 2)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(run({"-network", g, "-nir-threshold", "gte"}), SimUsageError);
  EXPECT_THROW(run({"-network", g, "-dt", "0.1"}), SimUsageError);
}

}  // namespace
}  // namespace snn::apps
