// NIR graphs on the event-driven engine: the NIR neuron models against step-by-step loops,
// zero-delay propagation within a step, small graphs built here (conv, pooling, recurrence, bias,
// delays, nested graphs) against independent forwards written as plain loops, and the shared
// files from the NIR paper (skipped when absent): the Norse LIF trace, the Sinabs CNN and the
// snnTorch Braille network against forwards written from the files' parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "io/nir/nir_graph.h"
#include "sim/core/errors.h"
#include "sim/core/rng.h"
#include "sim/nir/nir_plan.h"
#include "sim_test_util.h"

namespace snn::sim::nir {
namespace {

using io::NirArray;
using io::NirGraph;
using io::NirNode;
using io::NirNodeType;

std::string shared_nir(const std::string& name) {
  return std::string(SNN_SHARED_DATA_DIR) + "/nir/" + name;
}
bool have(const std::string& path) {
  return bool(std::ifstream(path));
}
#define REQUIRE_SHARED(path) \
  if (!have(path))           \
  GTEST_SKIP() << "no " << path << " (the shared NIR files are not on this machine)"

NirNode node(const std::string& name, NirNodeType t, std::map<std::string, NirArray> params = {}) {
  NirNode n;
  n.name = name;
  n.type = t;
  n.params = std::move(params);
  return n;
}
NirArray vec(std::vector<double> v) {
  return NirArray::vector(std::move(v));
}
NirArray full(std::size_t n, double x) {
  return vec(std::vector<double>(n, x));
}
NirArray mat(std::int64_t r, std::int64_t c, std::vector<double> v) {
  return NirArray::tensor({r, c}, std::move(v));
}

/// Random spikes: per step, per input neuron with probability p (steps 1..T).
std::vector<std::vector<std::uint8_t>> random_spikes(int T, int n, double p, std::uint64_t seed) {
  CounterRng rng{seed, 7};
  std::vector<std::vector<std::uint8_t>> s(T + 1, std::vector<std::uint8_t>(n, 0));
  for (int t = 1; t <= T; ++t)
    for (int j = 0; j < n; ++j) s[t][j] = uniform01_double(rng.draw(t, j, 0, 0).w[0], 0) < p;
  return s;
}
InputSpikes as_input(const std::vector<std::vector<std::uint8_t>>& s) {
  InputSpikes in;
  for (std::size_t t = 1; t < s.size(); ++t)
    for (std::size_t j = 0; j < s[t].size(); ++j)
      if (s[t][j]) {
        in.neurons.push_back(static_cast<std::uint32_t>(j));
        in.steps.push_back(static_cast<std::int64_t>(t));
      }
  return in;
}

struct RunResult {
  std::map<std::string, test::SpikeTrain> spikes;
  std::map<std::string, std::vector<float>> v;  ///< [step][neuron] rows
};

RunResult run_plan(const NirPlan& plan, const std::map<std::string, InputSpikes>& in, int T,
                   Mode mode = Mode::EventDriven, const std::vector<std::string>& record_v = {},
                   int lanes = 0, const std::map<std::string, double>& currents = {}) {
  SimConfig cfg;
  cfg.dt_ms = plan.dt_ms();
  cfg.mode = mode;
  cfg.lanes = lanes;
  Network net(cfg);
  add_to_network(plan, net, in, currents);
  for (const PlanPopulation& p : plan.populations)
    if (!p.input && p.spiking) net.record_spikes(p.node);  // every population, not only outputs
  for (const std::string& p : record_v) {
    std::vector<std::uint32_t> ids(net.population_size(p));
    for (std::size_t j = 0; j < ids.size(); ++j) ids[j] = static_cast<std::uint32_t>(j);
    net.record_voltage(p, ids);
  }
  Recorder rec("", true);
  RunResult r;
  r.spikes = test::run_and_collect(net, T * cfg.dt_ms, &rec);
  for (auto& [name, vr] : rec.voltages()) r.v[name] = vr.rows;
  return r;
}

/// Spikes as [step][neuron] 0/1 for steps 1..T.
std::vector<std::vector<std::uint8_t>> dense_spikes(const test::SpikeTrain& s, int T, int n) {
  std::vector<std::vector<std::uint8_t>> out(T + 1, std::vector<std::uint8_t>(n, 0));
  for (auto& [t, j] : s) out.at(t).at(j) = 1;
  return out;
}

/// Number of (step, neuron) pairs where a and b differ.
long differing(const std::vector<std::vector<std::uint8_t>>& a,
               const std::vector<std::vector<std::uint8_t>>& b) {
  long d = 0;
  for (std::size_t t = 0; t < a.size(); ++t)
    for (std::size_t j = 0; j < a[t].size(); ++j) d += a[t][j] != b.at(t).at(j);
  return d;
}
long count(const std::vector<std::vector<std::uint8_t>>& a) {
  long n = 0;
  for (auto& row : a)
    for (auto x : row) n += x;
  return n;
}

// ---- neuron models ------------------------------------------------------------------------

/// One LIF behind an Affine: the trace against the Euler loop, by hand.
TEST(NirNeurons, LifEulerStepByStep) {
  NirGraph g;
  g.nodes = {node("in", NirNodeType::Input, {{"shape", vec({1})}}),
             node("fc", NirNodeType::Affine, {{"weight", mat(1, 1, {4.0})}, {"bias", vec({0.0})}}),
             node("lif", NirNodeType::LIF,
                  {{"tau", vec({0.002})},
                   {"r", vec({1.5})},
                   {"v_leak", vec({0.1})},
                   {"v_threshold", vec({1.0})},
                   {"v_reset", vec({-0.2})}}),
             node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  g.edges = {{"in", "fc"}, {"fc", "lif"}, {"lif", "out"}};
  NirPlan plan = plan_nir(g, NirSimOptions{});
  const int T = 300;
  auto s = random_spikes(T, 1, 0.3, 1);
  RunResult r = run_plan(plan, {{"in", as_input(s)}}, T, Mode::EventDriven, {"lif"});
  const float a = static_cast<float>(1e-4 / 0.002), w = 4.0f;
  float v = 0;
  std::vector<std::vector<std::uint8_t>> ref(T + 1, std::vector<std::uint8_t>(1, 0));
  const std::vector<float>& rows = r.v.at("lif");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(T));
  for (int t = 1; t <= T; ++t) {
    const float x = s[t][0] ? w : 0.0f;
    v = v + a * ((0.1f - v) + 1.5f * (x + 0.0f));
    if (v > 1.0f) {
      ref[t][0] = 1;
      v = -0.2f;
    }
    EXPECT_EQ(rows[t - 1], v) << "step " << t;
  }
  EXPECT_GT(count(ref), 3);
  EXPECT_EQ(differing(dense_spikes(r.spikes.at("lif"), T, 1), ref), 0);
}

/// A CubaLIF with the options subtract and >=: against the loop; event-driven = clock-driven.
TEST(NirNeurons, CubaLifSubtractGeEqualsLoopAndClock) {
  NirGraph g;
  g.nodes = {node("in", NirNodeType::Input, {{"shape", vec({3})}}),
             node("fc", NirNodeType::Linear, {{"weight", mat(2, 3, {1, 0.5, 0.25, -0.5, 2, 1})}}),
             node("cuba", NirNodeType::CubaLIF,
                  {{"tau_mem", full(2, 0.001)},
                   {"tau_syn", full(2, 0.0005)},
                   {"r", vec({2, 3})},
                   {"v_leak", full(2, 0)},
                   {"v_threshold", vec({0.5, 0.75})},
                   {"v_reset", full(2, 0)},
                   {"w_in", vec({1, 0.5})}}),
             node("out", NirNodeType::Output, {{"shape", vec({2})}})};
  g.edges = {{"in", "fc"}, {"fc", "cuba"}, {"cuba", "out"}};
  NirSimOptions o;
  o.neuron.reset_subtract = true;
  o.neuron.threshold_ge = true;
  NirPlan plan = plan_nir(g, o);
  const int T = 400;
  auto s = random_spikes(T, 3, 0.2, 2);
  RunResult ev = run_plan(plan, {{"in", as_input(s)}}, T, Mode::EventDriven, {"cuba"});
  RunResult ck = run_plan(plan, {{"in", as_input(s)}}, T, Mode::ClockDriven, {"cuba"});
  const float am = 0.1f, as = 0.2f;
  const float W[2][3] = {{1, 0.5f, 0.25f}, {-0.5f, 2, 1}}, r[2] = {2, 3}, th[2] = {0.5f, 0.75f},
              win[2] = {1, 0.5f};
  float v[2] = {0, 0}, i[2] = {0, 0};
  std::vector<std::vector<std::uint8_t>> ref(T + 1, std::vector<std::uint8_t>(2, 0));
  for (int t = 1; t <= T; ++t)
    for (int o2 = 0; o2 < 2; ++o2) {
      float x = 0;
      for (int j = 0; j < 3; ++j)
        if (s[t][j]) x += W[o2][j];
      i[o2] = i[o2] + as * ((0.0f - i[o2]) + win[o2] * (x + 0.0f));
      v[o2] = v[o2] + am * ((0.0f - v[o2]) + r[o2] * i[o2]);
      if (v[o2] >= th[o2]) {
        ref[t][o2] = 1;
        v[o2] = v[o2] - th[o2];
      }
      EXPECT_EQ(ev.v.at("cuba")[(t - 1) * 2 + o2], v[o2]) << "step " << t;
    }
  EXPECT_GT(count(ref), 10);  // spikes during the free evolution after an input, too
  EXPECT_EQ(differing(dense_spikes(ev.spikes.at("cuba"), T, 2), ref), 0);
  EXPECT_EQ(ev.spikes, ck.spikes);
  EXPECT_EQ(ev.v, ck.v);
}

/// IF and I (no leak: v += dt·r·u) and LI read out as V.
TEST(NirNeurons, IfIntegratesAndLiReadsOut) {
  NirGraph g;
  g.nodes = {
      node("in", NirNodeType::Input, {{"shape", vec({1})}}),
      node("fc", NirNodeType::Linear, {{"weight", mat(1, 1, {0.5})}}),
      node("if", NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({1})}}),
      node("fc2", NirNodeType::Linear, {{"weight", mat(1, 1, {2})}}),
      node("li", NirNodeType::LI, {{"tau", vec({2})}, {"r", vec({1})}, {"v_leak", vec({0})}}),
      node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  g.edges = {{"in", "fc"}, {"fc", "if"}, {"if", "fc2"}, {"fc2", "li"}, {"li", "out"}};
  NirSimOptions o;
  o.dt_s = 1.0;  // discrete time (Sinabs): v += r·u
  NirPlan plan = plan_nir(g, o);
  ASSERT_EQ(plan.outputs.size(), 1u);
  EXPECT_FALSE(plan.outputs[0].spikes);
  InputSpikes in{{0, 0, 0, 0, 0}, {1, 2, 3, 4, 5}};
  RunResult r = run_plan(plan, {{"in", in}}, 8, Mode::EventDriven, {"if"});
  // IF: 0.5, 1.0 (not > 1), 1.5 -> spike at 3, 0.5, 1.0, then constant.
  EXPECT_EQ(r.spikes.at("if"), (test::SpikeTrain{{3, 0}}));
  const std::vector<float> v_if = {0.5f, 1.0f, 0.0f, 0.5f, 1.0f, 1.0f, 1.0f, 1.0f};
  EXPECT_EQ(r.v.at("if"), v_if);
  // LI, tau = 2 dt: v += 0.5·((0 - v) + 2·s): 0, 0, 1, 0.5, 0.25, ...
  const std::vector<float> v_li = {0, 0, 1, 0.5f, 0.25f, 0.125f, 0.0625f, 0.03125f};
  EXPECT_EQ(r.v.at("li"), v_li);
}

// ---- zero delay, cycles, bias, delays ----------------------------------------------------------

/// A chain of three IFs: a spike crosses all of them in the step it enters; the recurrent edge
/// of the last reads the previous step.
TEST(NirGraphRun, ZeroDelayChainAndRecurrence) {
  NirGraph g;
  auto if1 = [](const std::string& n) {
    return node(n, NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({0.5})}});
  };
  g.nodes = {node("in", NirNodeType::Input, {{"shape", vec({1})}}),
             node("w1", NirNodeType::Linear, {{"weight", mat(1, 1, {1})}}),
             if1("a"),
             node("w2", NirNodeType::Linear, {{"weight", mat(1, 1, {1})}}),
             if1("b"),
             node("w3", NirNodeType::Linear, {{"weight", mat(1, 1, {1})}}),
             if1("c"),
             node("rec", NirNodeType::Linear, {{"weight", mat(1, 1, {1})}}),
             node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  g.edges = {{"in", "w1"}, {"w1", "a"},  {"a", "w2"},  {"w2", "b"}, {"b", "w3"},
             {"w3", "c"},  {"c", "rec"}, {"rec", "c"}, {"c", "out"}};
  NirSimOptions o;
  o.dt_s = 1.0;
  NirPlan plan = plan_nir(g, o);
  ASSERT_EQ(plan.populations.size(), 4u);
  EXPECT_EQ(plan.populations[0].node, "in");
  EXPECT_EQ(plan.populations[3].node, "c");
  for (auto mode : {Mode::EventDriven, Mode::ClockDriven}) {
    RunResult r = run_plan(plan, {{"in", InputSpikes{{0}, {5}}}}, 12, mode);
    // c fires at 5 (same step), then every step from its own recurrent input (v = 1 > 0.5).
    test::SpikeTrain expect;
    for (int t = 5; t <= 12; ++t) expect.push_back({t, 0});
    EXPECT_EQ(r.spikes.at("c"), expect);
  }
}

/// An Affine bias is a constant input: a neuron with a bias fires with no input at all; a Delay
/// node delays the edge by whole steps; two inputs are summed.
TEST(NirGraphRun, BiasDelayAndSum) {
  NirGraph g;
  g.nodes = {
      node("in", NirNodeType::Input, {{"shape", vec({2})}}),
      node("fa", NirNodeType::Affine, {{"weight", mat(1, 2, {0, 0})}, {"bias", vec({0.25})}}),
      node("ia", NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({0.9})}}),
      node("d", NirNodeType::Delay, {{"delay", vec({3, 3})}}),
      node("fb", NirNodeType::Linear, {{"weight", mat(1, 2, {0.5, 0.25})}}),
      node("fc", NirNodeType::Linear, {{"weight", mat(1, 1, {0.5})}}),
      node("ib", NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({0.6})}}),
      node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  g.edges = {{"in", "fa"}, {"fa", "ia"}, {"in", "d"},  {"d", "fb"},
             {"fb", "ib"}, {"ia", "fc"}, {"fc", "ib"}, {"ib", "out"}};
  NirSimOptions o;
  o.dt_s = 1.0;
  NirPlan plan = plan_nir(g, o);
  RunResult r =
      run_plan(plan, {{"in", InputSpikes{{0, 1}, {2, 2}}}}, 10, Mode::EventDriven, {"ib"});
  // ia: 0.25 per step, fires at step 4 (1.0 > 0.9) and 8.
  EXPECT_EQ(r.spikes.at("ia"), (test::SpikeTrain{{4, 0}, {8, 0}}));
  // ib: the spikes of step 2 arrive at 5 (0.75 > 0.6), ia's at 4 (0.5) and 8 (0.5): 4: 0.5,
  // 5: 1.25 -> spike, 8: 0.5.
  EXPECT_EQ(r.spikes.at("ib"), (test::SpikeTrain{{5, 0}}));
  EXPECT_EQ(r.v.at("ib")[7], 0.5f);
}

/// A nested graph (edges "sub.input" / "sub.output") runs as if inlined.
TEST(NirGraphRun, NestedGraphIsInlined) {
  NirNode sub = node("sub", NirNodeType::NIRGraph);
  sub.graph.nodes = {node("input", NirNodeType::Input, {{"shape", vec({1})}}),
                     node("lin", NirNodeType::Linear, {{"weight", mat(1, 1, {2})}}),
                     node("if", NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({1.5})}}),
                     node("output", NirNodeType::Output, {{"shape", vec({1})}})};
  sub.graph.edges = {{"input", "lin"}, {"lin", "if"}, {"if", "output"}};
  NirGraph g;
  g.nodes = {node("in", NirNodeType::Input, {{"shape", vec({1})}}), sub,
             node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  g.edges = {{"in", "sub"}, {"sub", "out"}};
  NirSimOptions o;
  o.dt_s = 1.0;
  NirPlan plan = plan_nir(g, o);
  RunResult r = run_plan(plan, {{"in", InputSpikes{{0}, {3}}}}, 5);
  EXPECT_EQ(r.spikes.at("sub.if"), (test::SpikeTrain{{3, 0}}));
}

TEST(NirGraphRun, ErrorsNameTheNode) {
  NirGraph g;
  g.file = "x.nir";
  g.nodes = {
      node("in", NirNodeType::Input, {{"shape", vec({1})}}),
      node("li", NirNodeType::LI, {{"tau", vec({1})}, {"r", vec({1})}, {"v_leak", vec({0})}}),
      node("fc", NirNodeType::Linear, {{"weight", mat(1, 1, {1})}}),
      node("if", NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({1})}}),
      node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  g.edges = {{"in", "li"}, {"li", "fc"}, {"fc", "if"}, {"if", "out"}};
  try {
    plan_nir(g, NirSimOptions{});
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("x.nir: node 'li' (LI): a non-spiking node"),
              std::string::npos)
        << e.what();
  }
  NirGraph h;
  h.file = "y.nir";
  h.nodes = {node("in", NirNodeType::Input, {{"shape", vec({2})}}),
             node("fc", NirNodeType::Linear, {{"weight", mat(1, 3, {1, 1, 1})}}),
             node("if", NirNodeType::IF, {{"r", vec({1})}, {"v_threshold", vec({1})}}),
             node("out", NirNodeType::Output, {{"shape", vec({1})}})};
  h.edges = {{"in", "fc"}, {"fc", "if"}, {"if", "out"}};
  try {
    plan_nir(h, NirSimOptions{});
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("y.nir: node 'fc' (Linear): weight: expects 3 inputs"),
              std::string::npos)
        << e.what();
  }
}

// ---- a small CNN built here, against a forward written as loops -------------------------------

/// Conv2d (stride 2, padding 1) -> IF -> SumPool2d -> Conv2d -> IF -> AvgPool -> Flatten ->
/// Affine -> IF, weights multiples of 1/64 (every sum exact, in any order).
struct SmallCnn {
  int C0 = 2, H = 10, C1 = 3, C2 = 2, O = 4;
  std::vector<double> w1, w2, w3, b3;
  NirGraph graph;
  SmallCnn() {
    CounterRng rng{5, 1};
    auto q = [&](int k) {
      return std::floor(uniform01_double(rng.draw(k, 0, 0, 0).w[0], 0) * 96 - 40) / 64;
    };
    int k = 0;
    for (int i = 0; i < C1 * C0 * 3 * 3; ++i) w1.push_back(q(k++));
    for (int i = 0; i < C2 * C1 * 3 * 3; ++i) w2.push_back(q(k++));
    for (int i = 0; i < O * C2 * 1 * 1; ++i) w3.push_back(q(k++) * 4);
    for (int i = 0; i < O; ++i) b3.push_back(0.125 * (i % 2));
    auto conv = [&](const std::string& n, int co, int ci, std::vector<double> w, int s, int p) {
      return node(n, NirNodeType::Conv2d,
                  {{"weight", NirArray::tensor({co, ci, 3, 3}, std::move(w))},
                   {"bias", full(co, 0)},
                   {"stride", NirArray::integers({s, s})},
                   {"padding", NirArray::integers({p, p})},
                   {"dilation", NirArray::integers({1, 1})},
                   {"groups", NirArray::integer(1)}});
    };
    auto ifn = [](const std::string& n, Shape s) {
      std::int64_t e = 1;
      for (auto x : s) e *= x;
      return node(n, NirNodeType::IF,
                  {{"r", NirArray::tensor(s, std::vector<double>(e, 1))},
                   {"v_threshold", NirArray::tensor(s, std::vector<double>(e, 1))}});
    };
    graph.nodes = {node("input", NirNodeType::Input, {{"shape", vec({2, 10, 10})}}),
                   conv("c1", C1, C0, w1, 2, 1),
                   ifn("n1", {3, 5, 5}),
                   node("p1", NirNodeType::SumPool2d,
                        {{"kernel_size", NirArray::integers({2, 2})},
                         {"stride", NirArray::integers({1, 1})},
                         {"padding", NirArray::integers({0, 0})}}),
                   conv("c2", C2, C1, w2, 1, 1),
                   ifn("n2", {2, 4, 4}),
                   node("p2", NirNodeType::AvgPool2d,
                        {{"kernel_size", NirArray::integers({2, 2})},
                         {"stride", NirArray::integers({2, 2})},
                         {"padding", NirArray::integers({0, 0})}}),
                   node("flat", NirNodeType::Flatten,
                        {{"start_dim", NirArray::integer(0)}, {"end_dim", NirArray::integer(-1)}}),
                   node("fc", NirNodeType::Affine, {{"weight", mat(O, 8, {})}, {"bias", vec(b3)}}),
                   ifn("n3", {4}),
                   node("output", NirNodeType::Output, {{"shape", vec({4})}})};
    // fc: [4, 8] from w3 (4 x 2) spread over the 2x2 pooled positions.
    std::vector<double> wf(O * 8);
    for (int o = 0; o < O; ++o)
      for (int c = 0; c < C2; ++c)
        for (int pos = 0; pos < 4; ++pos) wf[o * 8 + c * 4 + pos] = w3[o * C2 + c] * (pos + 1) / 4;
    graph.nodes[8].params["weight"] = mat(O, 8, wf);
    graph.edges = {{"input", "c1"}, {"c1", "n1"},   {"n1", "p1"},   {"p1", "c2"}, {"c2", "n2"},
                   {"n2", "p2"},    {"p2", "flat"}, {"flat", "fc"}, {"fc", "n3"}, {"n3", "output"}};
  }
};

/// conv2d of a [ci, h, w] map (float sums in (ci, ky, kx) order).
std::vector<float> conv_ref(const std::vector<float>& x, int ci, int h, int co,
                            const std::vector<double>& w, int k, int s, int p, int& ho) {
  ho = (h + 2 * p - k) / s + 1;
  std::vector<float> y(co * ho * ho, 0.0f);
  for (int o = 0; o < co; ++o)
    for (int oy = 0; oy < ho; ++oy)
      for (int ox = 0; ox < ho; ++ox) {
        float acc = 0;
        for (int c = 0; c < ci; ++c)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              int iy = oy * s - p + ky, ix = ox * s - p + kx;
              if (iy < 0 || ix < 0 || iy >= h || ix >= h) continue;
              acc += static_cast<float>(w[((o * ci + c) * k + ky) * k + kx]) *
                     x[(c * h + iy) * h + ix];
            }
        y[(o * ho + oy) * ho + ox] = acc;
      }
  return y;
}
std::vector<float> pool_ref(const std::vector<float>& x, int c, int h, int k, int s, bool avg,
                            int& ho) {
  ho = (h - k) / s + 1;
  std::vector<float> y(c * ho * ho, 0.0f);
  for (int ch = 0; ch < c; ++ch)
    for (int oy = 0; oy < ho; ++oy)
      for (int ox = 0; ox < ho; ++ox) {
        float acc = 0;
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) acc += x[(ch * h + oy * s + ky) * h + ox * s + kx];
        y[(ch * ho + oy) * ho + ox] = avg ? acc / (k * k) : acc;
      }
  return y;
}
/// IF at dt = 1 (v += u; v > 1: spike, v = 0); returns the spikes.
std::vector<float> if_step(std::vector<float>& v, const std::vector<float>& u) {
  std::vector<float> s(v.size(), 0.0f);
  for (std::size_t j = 0; j < v.size(); ++j) {
    v[j] = v[j] + 1.0f * (1.0f * u[j]);
    if (v[j] > 1.0f) {
      s[j] = 1;
      v[j] = 0;
    }
  }
  return s;
}

TEST(NirGraphRun, SmallCnnEqualsLoopForward) {
  SmallCnn net;
  NirSimOptions o;
  o.dt_s = 1.0;
  NirPlan plan = plan_nir(net.graph, o);
  const int T = 40;
  auto s = random_spikes(T, 200, 0.3, 9);
  RunResult ev = run_plan(plan, {{"input", as_input(s)}}, T);
  RunResult ck = run_plan(plan, {{"input", as_input(s)}}, T, Mode::ClockDriven, {}, 3);
  std::vector<float> v1(75, 0), v2(32, 0), v3(4, 0);
  std::vector<std::vector<std::uint8_t>> ref(T + 1, std::vector<std::uint8_t>(4, 0));
  for (int t = 1; t <= T; ++t) {
    std::vector<float> x(s[t].begin(), s[t].end());
    int h;
    std::vector<float> s1 = if_step(v1, conv_ref(x, 2, 10, 3, net.w1, 3, 2, 1, h));
    std::vector<float> p1 = pool_ref(s1, 3, 5, 2, 1, false, h);
    std::vector<float> s2 = if_step(v2, conv_ref(p1, 3, 4, 2, net.w2, 3, 1, 1, h));
    std::vector<float> p2 = pool_ref(s2, 2, 4, 2, 2, true, h);
    std::vector<float> u(4);
    for (int q = 0; q < 4; ++q) {
      float acc = 0;
      for (int j = 0; j < 8; ++j)
        acc += static_cast<float>(net.graph.nodes[8].params["weight"].values[q * 8 + j]) * p2[j];
      u[q] = acc + static_cast<float>(net.b3[q]);
    }
    std::vector<float> s3 = if_step(v3, u);
    for (int q = 0; q < 4; ++q) ref[t][q] = s3[q] > 0;
  }
  EXPECT_GT(count(ref), 10);
  EXPECT_EQ(differing(dense_spikes(ev.spikes.at("n3"), T, 4), ref), 0);
  EXPECT_EQ(ev.spikes, ck.spikes);  // clock-driven, 3 lanes
}

// ---- the shared files ---------------------------------------------------------------------

std::vector<std::vector<double>> read_csv(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(f, line)) {
    std::vector<double> r;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) r.push_back(std::stod(cell));
    rows.push_back(r);
  }
  return rows;
}

/// Norse's published trace of one LIF (lif_norse.csv: input, V, spike per step at dt 1e-4).
TEST(NirSharedFiles, LifNorseReproducesTrace) {
  const std::string path = shared_nir("lif_norse.nir");
  REQUIRE_SHARED(path);
  NirPlan plan = plan_nir(io::read_nir(path), NirSimOptions{});
  auto csv = read_csv(shared_nir("lif_norse.csv"));
  ASSERT_EQ(csv.size(), 1000u);
  InputSpikes in;
  for (std::size_t k = 0; k < csv.size(); ++k)
    if (csv[k][0] != 0) {
      in.neurons.push_back(0);
      in.steps.push_back(static_cast<std::int64_t>(k) + 1);  // row k = engine step k + 1
    }
  RunResult r = run_plan(plan, {{"input", in}}, 1000, Mode::EventDriven, {"1"});
  std::vector<long> steps;
  for (auto& [t, j] : r.spikes.at("1")) steps.push_back(t - 1);
  EXPECT_EQ(steps, (std::vector<long>{460, 510, 710, 760}));
  double worst = 0;
  for (std::size_t k = 0; k < csv.size(); ++k)
    worst = std::max(worst, std::fabs(r.v.at("1")[k] - csv[k][1]));
  EXPECT_LT(worst, 1e-5);
}

TEST(NirSharedFiles, EveryFileLoadsAndRuns) {
  for (const char* name : {"lif_norse.nir", "two_lif_neurons.nir", "cnn_sinabs.nir",
                           "braille_noDelay_bias_zero.nir"}) {
    const std::string path = shared_nir(name);
    REQUIRE_SHARED(path);
    NirPlan plan = plan_nir(io::read_nir(path), NirSimOptions{});
    std::map<std::string, InputSpikes> in;
    for (const std::string& i : plan.input_names()) {
      const std::int64_t n = elements(plan.input(i).shape);
      auto s = random_spikes(50, static_cast<int>(n), 0.2, 3);
      in[i] = as_input(s);
    }
    RunResult ev = run_plan(plan, in, 50);
    RunResult ck = run_plan(plan, in, 50, Mode::ClockDriven);
    EXPECT_EQ(ev.spikes, ck.spikes) << name;
    EXPECT_FALSE(plan.outputs.empty()) << name;
  }
}

/// two_lif_neurons.nir: lif1 has v_leak 1.2 > v_th 1, so it fires on its own, periodically.
TEST(NirSharedFiles, TwoLifNeuronsFireOnTheirOwn) {
  const std::string path = shared_nir("two_lif_neurons.nir");
  REQUIRE_SHARED(path);
  NirPlan plan = plan_nir(io::read_nir(path), NirSimOptions{});
  RunResult r = run_plan(plan, {}, 1000);
  // v_k = 1.2 (1 - 0.99^k) crosses 1 at k = 179 (Euler with a = 0.01), then the same period.
  float v = 0;
  std::vector<long> expect;
  for (int t = 1; t <= 1000; ++t) {
    v = v + 0.01f * ((1.2f - v) + 1.0f * 0.0f);
    if (v > 1.0f) {
      expect.push_back(t);
      v = 0;
    }
  }
  test::SpikeTrain got = r.spikes["lif1"];
  ASSERT_EQ(got.size(), expect.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].first, expect[i]);
}

const NirArray& P(const NirGraph& g, const std::string& n, const std::string& f) {
  return g.at(n).params.at(f);
}

/// The Braille network (snnTorch): Affine -> CubaLIF with a recurrent Affine -> Affine -> CubaLIF,
/// against a forward written here from the file's parameters.
TEST(NirSharedFiles, BrailleEqualsLoopForward) {
  const std::string path = shared_nir("braille_noDelay_bias_zero.nir");
  REQUIRE_SHARED(path);
  NirGraph g = io::read_nir(path);
  NirPlan plan = plan_nir(g, NirSimOptions{});
  const int T = 200, NI = 12, NH = 38, NO = 7;
  auto s = random_spikes(T, NI, 0.15, 11);
  RunResult ev = run_plan(plan, {{"input", as_input(s)}}, T);
  const auto &W1 = P(g, "fc1", "weight").values, &B1 = P(g, "fc1", "bias").values,
             &WR = P(g, "lif1.w_rec", "weight").values, &BR = P(g, "lif1.w_rec", "bias").values,
             &W2 = P(g, "fc2", "weight").values, &B2 = P(g, "fc2", "bias").values;
  auto layer = [&](const std::string& n, int j) {
    struct C {
      float am, as, r, vl, th, vr, win;
    } c;
    const double dt = 1e-4;
    c.am = static_cast<float>(dt / P(g, n, "tau_mem").values[j]);
    c.as = static_cast<float>(dt / P(g, n, "tau_syn").values[j]);
    c.r = static_cast<float>(P(g, n, "r").values[j]);
    c.vl = static_cast<float>(P(g, n, "v_leak").values[j]);
    c.th = static_cast<float>(P(g, n, "v_threshold").values[j]);
    c.vr = static_cast<float>(g.at(n).has("v_reset") ? P(g, n, "v_reset").values[j] : 0.0);
    c.win = static_cast<float>(g.at(n).has("w_in") ? P(g, n, "w_in").values[j] : 1.0);
    return c;
  };
  std::vector<float> v1(NH, 0), i1(NH, 0), v2(NO, 0), i2(NO, 0);
  std::vector<std::uint8_t> z1(NH, 0);
  std::vector<std::vector<std::uint8_t>> ref1(T + 1, std::vector<std::uint8_t>(NH, 0)),
      ref2(T + 1, std::vector<std::uint8_t>(NO, 0));
  for (int t = 1; t <= T; ++t) {
    std::vector<std::uint8_t> z1_new(NH, 0);
    for (int o = 0; o < NH; ++o) {
      // The recurrent edge reads the previous step; its input was summed first (it arrived at
      // the end of the previous step), then this step's.
      float x = 0;
      for (int j = 0; j < NH; ++j)
        if (z1[j]) x += static_cast<float>(WR[o * NH + j]);
      for (int j = 0; j < NI; ++j)
        if (s[t][j]) x += static_cast<float>(W1[o * NI + j]);
      const float b = static_cast<float>(B1[o] + BR[o]);
      auto c = layer("lif1.lif", o);
      i1[o] = i1[o] + c.as * ((0.0f - i1[o]) + c.win * (x + b));
      v1[o] = v1[o] + c.am * ((c.vl - v1[o]) + c.r * i1[o]);
      if (v1[o] > c.th) {
        z1_new[o] = 1;
        v1[o] = c.vr;
      }
    }
    z1 = z1_new;
    ref1[t] = z1;
    for (int o = 0; o < NO; ++o) {
      float x = 0;
      for (int j = 0; j < NH; ++j)
        if (z1[j]) x += static_cast<float>(W2[o * NH + j]);
      auto c = layer("lif2", o);
      i2[o] = i2[o] + c.as * ((0.0f - i2[o]) + c.win * (x + static_cast<float>(B2[o])));
      v2[o] = v2[o] + c.am * ((c.vl - v2[o]) + c.r * i2[o]);
      if (v2[o] > c.th) {
        ref2[t][o] = 1;
        v2[o] = c.vr;
      }
    }
  }
  EXPECT_GT(count(ref1), 20);
  EXPECT_GT(count(ref2), 5);
  EXPECT_EQ(differing(dense_spikes(ev.spikes["lif1.lif"], T, NH), ref1), 0);
  EXPECT_EQ(differing(dense_spikes(ev.spikes["lif2"], T, NO), ref2), 0);
}

/// The N-MNIST CNN (Sinabs) at dt = 1 (Sinabs' discrete time: an IF adds its input), against a
/// forward written here from the file's parameters. Input: random spikes on the 2x34x34 grid.
TEST(NirSharedFiles, CnnEqualsLoopForward) {
  const std::string path = shared_nir("cnn_sinabs.nir");
  REQUIRE_SHARED(path);
  NirGraph g = io::read_nir(path);
  NirSimOptions o;
  o.dt_s = 1.0;
  NirPlan plan = plan_nir(g, o);
  const int T = 30;
  auto s = random_spikes(T, 2 * 34 * 34, 0.08, 13);
  RunResult ev = run_plan(plan, {{"input", as_input(s)}}, T);
  auto w = [&](const std::string& n) { return P(g, n, "weight").values; };
  std::vector<float> v1(16 * 16 * 16, 0), v3(16 * 16 * 16, 0), v6(8 * 8 * 8, 0), v10(256, 0),
      v12(10, 0);
  std::vector<std::vector<std::uint8_t>> ref(T + 1, std::vector<std::uint8_t>(10, 0));
  auto dense = [&](const std::vector<double>& W, int out, int in, const std::vector<float>& x) {
    std::vector<float> y(out, 0.0f);
    for (int q = 0; q < out; ++q) {
      float acc = 0;
      for (int j = 0; j < in; ++j) acc += static_cast<float>(W[q * in + j]) * x[j];
      y[q] = acc;
    }
    return y;
  };
  for (int t = 1; t <= T; ++t) {
    std::vector<float> x(s[t].begin(), s[t].end());
    int h;
    auto s1 = if_step(v1, conv_ref(x, 2, 34, 16, w("0"), 5, 2, 1, h));
    auto s3 = if_step(v3, conv_ref(s1, 16, 16, 16, w("2"), 3, 1, 1, h));
    auto p4 = pool_ref(s3, 16, 16, 2, 2, false, h);
    auto s6 = if_step(v6, conv_ref(p4, 16, 8, 8, w("5"), 3, 1, 1, h));
    auto p7 = pool_ref(s6, 8, 8, 2, 2, false, h);
    auto s10 = if_step(v10, dense(w("9"), 256, 128, p7));
    auto s12 = if_step(v12, dense(w("11"), 10, 256, s10));
    for (int q = 0; q < 10; ++q) ref[t][q] = s12[q] > 0;
  }
  EXPECT_GT(count(ref), 5);
  EXPECT_EQ(differing(dense_spikes(ev.spikes["12"], T, 10), ref), 0);
}

}  // namespace
}  // namespace snn::sim::nir
