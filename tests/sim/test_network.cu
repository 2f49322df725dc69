// The network's step loop: exact delays, event-driven equals clock-driven, results independent
// of the thread count, and Brunel's network in its asynchronous irregular state.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include <cmath>
#include <numeric>

#include "sim/builtin/networks.h"
#include "sim/core/threads.h"
#include "sim/events/spike_queue.h"
#include "sim/network.h"
#include "sim/recording/recorder.h"
#include "tests/sim/sim_test_util.h"

namespace snn::sim {
namespace {

using test::SpikeTrain;
constexpr double kDt = 0.1;

TEST(Network, ASpikeWithDelayDArrivesExactlyDStepsLater) {
  Network net(SimConfig{kDt, 1});
  net.add_population(test::lif_population("relay", 1));
  net.add_population(test::lif_population("out", 6));
  SpikeGeneratorSpec g;
  g.name = "g";
  g.size = 1;
  g.nodes = {0};
  g.times_ms = {1.0};  // step 10
  net.add_spike_generator(g);
  const std::vector<double> delays = {0.1, 0.7, 1.5, 3.2};
  for (std::size_t i = 0; i < delays.size(); ++i)
    net.connect(test::projection("g", "out", Connectivity::list({0}, {std::uint32_t(i)}), 25.0, delays[i]));
  // Per-synapse delays through a list, and a neuron-to-neuron hop.
  Connectivity per = Connectivity::list({0}, {4});
  per.delays_ms = {2.4};
  net.connect(test::projection("g", "out", per, 25.0, 1.0));
  net.connect(test::projection("g", "relay", Connectivity::one_to_one(), 25.0, 0.1));  // fires at 11
  net.connect(test::projection("relay", "out", Connectivity::list({0}, {5}), 25.0, 0.6));
  auto s = test::run_and_collect(net, 10.0);
  EXPECT_EQ(s["relay"], (SpikeTrain{{11, 0}}));
  EXPECT_EQ(s["out"], (SpikeTrain{{11, 0}, {17, 1}, {17, 5}, {25, 2}, {34, 4}, {42, 3}}));
}

/// A random network mixing every model, rule, source and delay kind.
void add_random_network(Network& net, bool exp_synapses, double min_delay) {
  PopulationSpec a = test::lif_population("a", 300);
  a.v_init = VInit::uniform(0, 20);
  net.add_population(a);
  PopulationSpec b;
  b.name = "b";
  b.size = 200;
  if (exp_synapses) {
    LifExp::Params p;
    p.tau_m = 15;
    p.tau_syn = 3;
    p.c_m = 100;
    p.v_th = 12;
    p.t_ref = 1;
    b.params = p;
  } else {
    LifDelta::Params p;
    p.tau_m = 10;
    p.v_th = 15;
    p.v_reset = 0;
    p.t_ref = 0.5;
    b.params = p;
  }
  b.v_init = VInit::uniform(0, 10);
  net.add_population(b);
  PopulationSpec c;
  c.name = "c";
  c.size = 200;
  IfDelta::Params ip;
  ip.v_th = 10;
  c.params = ip;
  net.add_population(c);
  SpikeGeneratorSpec g;
  g.name = "g";
  g.size = 10;
  for (int i = 0; i < 60; ++i) {
    g.nodes.push_back(i % 10);
    g.times_ms.push_back(0.1 * (1 + (i * 37) % 1900));
  }
  net.add_spike_generator(g);
  const double wb = exp_synapses ? 300.0 : 2.0;  // pA or mV into b
  net.connect(test::projection("a", "a", Connectivity::fixed_indegree(30), 0.6, std::max(min_delay, 1.0)));
  ProjectionSpec ab = test::projection("a", "b", Connectivity::fixed_probability(0.1), 0, 1);
  ab.weight = Distribution::normal(0.4 * wb, 0.2 * wb);
  ab.delay_ms = Distribution::uniform(std::max(min_delay, 0.5), 2.0);
  net.connect(ab);
  net.connect(test::projection("b", "a", Connectivity::fixed_outdegree(20), -1.5, std::max(min_delay, 0.5)));
  net.connect(test::projection("c", "a", Connectivity::all_to_all(), 0.05, std::max(min_delay, 0.3)));
  net.connect(test::projection("b", "c", Connectivity::one_to_one(), 4.0, min_delay));
  net.connect(test::projection("g", "b", Connectivity::fixed_outdegree(15), 3 * wb, std::max(min_delay, 0.2)));
  net.add_poisson(PoissonSpec{"a", 0, -1, 7000.0, 0.35, 0.0});           // dense: 0.7 per step
  net.add_poisson(PoissonSpec{"b", 20, 100, 60.0, 2.5 * wb, 0.3});       // sparse
  net.add_current(CurrentSpec{"c", 0, 50, 30.0});                         // IF: always active
  net.add_current(CurrentSpec{"a", 100, 20, 150.0});                      // V_inf 12 mV
}

std::map<std::string, SpikeTrain> run_random(Mode mode, bool exp_synapses, double min_delay,
                                             int threads, int lanes = 0) {
  set_num_threads(threads);
  SimConfig cfg{kDt, 42, mode, lanes};
  Network net(cfg);
  add_random_network(net, exp_synapses, min_delay);
  auto s = test::run_and_collect(net, 200.0);
  set_num_threads(2);
  return s;
}

std::size_t total(const std::map<std::string, SpikeTrain>& s) {
  std::size_t n = 0;
  for (auto& [k, v] : s) n += v.size();
  return n;
}

TEST(Network, EventDrivenEqualsClockDrivenOnRandomNetworks) {
  for (bool exp_synapses : {false, true})
    for (double min_delay : {0.1, 0.3}) {
      auto event = run_random(Mode::EventDriven, exp_synapses, min_delay, 2);
      auto clock = run_random(Mode::ClockDriven, exp_synapses, min_delay, 2);
      EXPECT_GT(total(event), 1000u);
      for (const char* pop : {"a", "b", "c"}) {
        EXPECT_FALSE(event[pop].empty()) << pop;
        EXPECT_EQ(event[pop], clock[pop]) << pop << (exp_synapses ? " (exp)" : " (delta)")
                                          << " min delay " << min_delay;
      }
    }
}

/// A network in which every population is sparse: no currents, no dense Poisson input; only 40
/// neurons of "a" are driven (Poisson, 20 Hz through 25 mV), and activity spreads through sparse
/// projections into "b" (exponential synapses) and "c" (IF, no leak, so it only moves on input).
void add_all_sparse_network(Network& net) {
  PopulationSpec a = test::lif_population("a", 4000);
  net.add_population(a);
  PopulationSpec b;
  b.name = "b";
  b.size = 3000;
  LifExp::Params bp;
  bp.tau_m = 15;
  bp.tau_syn = 2;
  bp.c_m = 100;
  bp.v_th = 10;
  bp.t_ref = 2;
  b.params = bp;
  net.add_population(b);
  PopulationSpec c;
  c.name = "c";
  c.size = 2000;
  IfDelta::Params cp;
  cp.v_th = 10;
  c.params = cp;
  net.add_population(c);
  net.add_poisson(PoissonSpec{"a", 0, 40, 20.0, 25.0, 0.0});
  net.connect(test::projection("a", "a", Connectivity::fixed_outdegree(10), 4.0, 1.5));
  net.connect(test::projection("a", "b", Connectivity::fixed_outdegree(20), 900.0, 1.0));
  net.connect(test::projection("b", "c", Connectivity::fixed_outdegree(10), 6.0, 0.7));
  net.connect(test::projection("b", "a", Connectivity::fixed_outdegree(5), -5.0, 0.5));
}

TEST(Network, EventDrivenEqualsClockDrivenWhenEveryPopulationIsSparse) {
  const double t_ms = 500;
  std::map<std::string, SpikeTrain> s[2];
  for (Mode mode : {Mode::EventDriven, Mode::ClockDriven}) {
    Network net(SimConfig{kDt, 9, mode});
    add_all_sparse_network(net);
    s[mode == Mode::ClockDriven] = test::run_and_collect(net, t_ms);
  }
  const std::map<std::string, double> size = {{"a", 4000}, {"b", 3000}, {"c", 2000}};
  for (const auto& [pop, n] : size) {
    const SpikeTrain& e = s[0][pop];
    // Active, and sparse: fewer than 1 neuron in 200 spikes per step on average (measured: a 376,
    // b 7315, c 33050 spikes, i.e. 1.9e-5, 4.9e-4, 3.3e-3 per neuron and step).
    EXPECT_GT(e.size(), 100u) << pop;
    EXPECT_LT(e.size() / (n * t_ms / kDt), 5e-3) << pop;
    EXPECT_EQ(e, s[1][pop]) << pop;
  }
  std::printf("all-sparse network: spikes a %zu, b %zu, c %zu in %g ms\n", s[0]["a"].size(), s[0]["b"].size(),
              s[0]["c"].size(), t_ms);
}

TEST(Network, SameSeedGivesIdenticalSpikesForOneAndTwoThreads) {
  auto one = run_random(Mode::EventDriven, false, 0.3, 1);
  auto two = run_random(Mode::EventDriven, false, 0.3, 2);
  auto three_lanes = run_random(Mode::EventDriven, false, 0.3, 2, 3);
  EXPECT_GT(total(one), 1000u);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, three_lanes);
  auto exp_one = run_random(Mode::EventDriven, true, 0.1, 1);
  auto exp_two = run_random(Mode::EventDriven, true, 0.1, 2);
  EXPECT_EQ(exp_one, exp_two);

  std::vector<std::map<std::string, SpikeTrain>> brunel;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Network net(SimConfig{kDt, 5});
    BrunelParams p;
    p.order = 100;
    add_brunel(net, p);
    brunel.push_back(test::run_and_collect(net, 100.0));
  }
  set_num_threads(2);
  EXPECT_GT(total(brunel[0]), 1000u);
  EXPECT_EQ(brunel[0], brunel[1]);
}

/// A network of the rules that can be procedural (drawn per source), with random and constant
/// weights and delays, dense (always-active) and sparse lanes, a spike generator; every
/// projection procedural when `procedural`. b has 5000 neurons: its Bernoulli rows span two
/// chunks of the walk.
void add_procedural_network(Network& net, bool procedural) {
  PopulationSpec a = test::lif_population("a", 300);
  a.v_init = VInit::uniform(0, 20);
  net.add_population(a);
  PopulationSpec b = test::lif_population("b", 5000);
  b.v_init = VInit::uniform(5, 19);
  net.add_population(b);
  SpikeGeneratorSpec g;
  g.name = "g";
  g.size = 8;
  for (int i = 0; i < 80; ++i) {
    g.nodes.push_back(i % 8);
    g.times_ms.push_back(0.1 * (1 + (i * 53) % 1900));
  }
  net.add_spike_generator(g);
  std::vector<ProjectionSpec> ps;
  Connectivity aa = Connectivity::fixed_probability(0.1);
  aa.allow_autapses = false;
  ps.push_back(test::projection("a", "a", aa, 0, 1));
  ps.back().weight = Distribution::normal(0.5, 0.3);
  ps.back().delay_ms = Distribution::uniform(0.5, 2.0);
  ps.push_back(test::projection("a", "b", Connectivity::fixed_probability(0.02), 2.0, 1.0));
  ps.push_back(test::projection("b", "a", Connectivity::fixed_outdegree(20), -0.05, 1));
  ps.back().delay_ms = Distribution::uniform(0.5, 1.5);
  Connectivity bb = Connectivity::fixed_outdegree(10);
  bb.allow_multapses = false;
  ps.push_back(test::projection("b", "b", bb, 0, 1.5));
  ps.back().weight = Distribution::normal(0.2, 0.3);
  ps.push_back(test::projection("g", "b", Connectivity::all_to_all(), 3.0, 0.5));
  for (ProjectionSpec& p : ps) {
    p.procedural = procedural;
    net.connect(p);
  }
  net.add_poisson(PoissonSpec{"a", 0, -1, 6000.0, 0.5, 0.0});  // dense: always-active lanes
  net.add_poisson(PoissonSpec{"b", 0, 400, 80.0, 15.0, 0.5});   // sparse
}

struct ProceduralRun {
  std::map<std::string, SpikeTrain> spikes;
  std::vector<float> va, vb;
  std::uint64_t events = 0;
};
ProceduralRun run_procedural(bool procedural, Mode mode, int threads, int lanes) {
  set_num_threads(threads);
  Network net(SimConfig{kDt, 17, mode, lanes});
  add_procedural_network(net, procedural);
  ProceduralRun r;
  Recorder rec("", true);
  const RunStats st = net.run(80.0, &rec);
  for (auto& [name, sp] : rec.spikes()) r.spikes[name] = test::train_of(rec, name, kDt);
  r.va = net.voltages("a");
  r.vb = net.voltages("b");
  r.events = st.syn_events;
  set_num_threads(2);
  return r;
}

// Procedural projections are the stored network, spike by spike and voltage by voltage: the rows
// are drawn again from the same counters, for any number of threads and lanes and in both modes.
TEST(Network, ProceduralProjectionsGiveTheStoredNetworksSpikesAndVoltages) {
  const ProceduralRun stored = run_procedural(false, Mode::EventDriven, 1, 1);
  std::printf("procedural test network: spikes a %zu, b %zu, %llu events\n",
              stored.spikes.at("a").size(), stored.spikes.at("b").size(),
              static_cast<unsigned long long>(stored.events));
  EXPECT_GT(stored.spikes.at("a").size(), 500u);
  EXPECT_GT(stored.spikes.at("b").size(), 500u);
  for (auto [threads, lanes] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{2, 3}}) {
    const ProceduralRun proc = run_procedural(true, Mode::EventDriven, threads, lanes);
    EXPECT_EQ(proc.spikes, stored.spikes) << threads << " threads, " << lanes << " lanes";
    EXPECT_EQ(proc.va, stored.va);
    EXPECT_EQ(proc.vb, stored.vb);
    EXPECT_EQ(proc.events, stored.events);
  }
  const ProceduralRun clock = run_procedural(true, Mode::ClockDriven, 2, 2);
  EXPECT_EQ(clock.spikes, stored.spikes);
  EXPECT_EQ(clock.vb, stored.vb);
}

// Brunel with procedural projections (fixed in-degree becomes p = C / N, projection.h): the same
// spikes for one and two threads, and a rate near the stored network's.
TEST(Network, ProceduralBrunelIsDeterministicAcrossThreadsAndNearTheStoredRate) {
  std::vector<std::map<std::string, SpikeTrain>> runs;
  for (auto [threads, procedural] : {std::pair{1, true}, std::pair{2, true}, std::pair{2, false}}) {
    set_num_threads(threads);
    Network net(SimConfig{kDt, 5});
    BrunelParams p;
    p.order = 200;
    p.procedural = procedural;
    add_brunel(net, p);
    runs.push_back(test::run_and_collect(net, 200.0));
    if (procedural) {
      EXPECT_EQ(net.memory().stored_synapses, 0u);
      EXPECT_EQ(net.memory().procedural_synapses, 200u * 5 * (80 + 20));  // expected: N · C
    }
  }
  set_num_threads(2);
  EXPECT_GT(total(runs[0]), 1000u);
  EXPECT_EQ(runs[0], runs[1]);
  const double proc = static_cast<double>(total(runs[0])), stored = static_cast<double>(total(runs[2]));
  EXPECT_NEAR(proc / stored, 1.0, 0.25) << proc << " vs " << stored << " spikes";
}

// The queue's event regions are min(lane, kMaxEvents) entries per lane and slot: they do not grow
// with the network (its dense ring is zeroed storage, memory only where written).
TEST(Network, QueueEventRegionsDoNotGrowWithTheNetwork) {
  std::vector<MemoryUse> m;
  for (std::int64_t n : {20000, 200000}) {
    Network net(SimConfig{kDt, 1, Mode::EventDriven, 2});
    SparseParams p;
    p.n = n;
    p.outdegree = 10;
    add_sparse(net, p);
    net.build();
    m.push_back(net.memory());
    EXPECT_EQ(m.back().stored_synapses, static_cast<std::uint64_t>(n) * 10);
  }
  EXPECT_EQ(m[0].queue_event_bytes, m[1].queue_event_bytes);
  EXPECT_EQ(m[0].queue_event_bytes, 32u * 2 * kMaxEvents * sizeof(QueueEntry));  // 32 slots
  EXPECT_EQ(m[1].zeroed_reserved, 10 * m[0].zeroed_reserved);
}

TEST(Network, DifferentSeedsGiveDifferentSpikes) {
  Network a(SimConfig{kDt, 1}), b(SimConfig{kDt, 2});
  add_random_network(a, false, 0.3);
  add_random_network(b, false, 0.3);
  EXPECT_NE(test::run_and_collect(a, 50.0), test::run_and_collect(b, 50.0));
}

// Brunel (2000) model A, g = 5, eta = 2, at a small order: 500 (NE = 2000, NI = 500, CE = 200,
// CI = 50) with J scaled to 0.5 mV so that J·CE = 100 mV as at order 2500 (with J = 0.1 mV at
// this order the recurrent input is ten times too weak and neurons fire regularly at 75 Hz,
// CV 0.13). The state is asynchronous irregular: irregular single neurons (mean CV of the
// interspike intervals near 1) and no population synchrony (Golomb's chi = sqrt(var of the
// population count / (N · mean count)), from 1 ms bins, is about 0.1; it would be 1 for full
// synchrony). Measured over seeds 1-7: 43.9-48.6 Hz, CV 1.13-1.22, chi 0.10-0.11. For reference,
// order 2500 with J = 0.1 mV gives 37.6 Hz, CV 0.41, chi 0.10 (NEST's example: about 37 Hz).
TEST(Network, BrunelFiresAsynchronouslyAndIrregularlyInItsRateBand) {
  Network net(SimConfig{kDt, 3});
  BrunelParams p;
  p.order = 500;
  p.j = 0.5;
  add_brunel(net, p);
  auto s = test::run_and_collect(net, 600.0);
  const long skip = 1000;  // 100 ms of transient
  const double seconds = 0.5;
  const int n_exc = 4 * p.order;
  std::vector<std::vector<long>> times(n_exc);
  std::vector<int> bins(5000 / 10, 0);
  std::size_t n = 0;
  for (auto& [step, id] : s["exc"]) {
    if (step <= skip) continue;
    times[id].push_back(step);
    ++bins[(step - skip - 1) / 10];
    ++n;
  }
  const double rate = n / (n_exc * seconds);
  double cv_sum = 0;
  int cv_n = 0;
  for (auto& t : times) {
    if (t.size() < 5) continue;
    std::vector<double> isi;
    for (std::size_t i = 1; i < t.size(); ++i) isi.push_back(t[i] - t[i - 1]);
    double m = std::accumulate(isi.begin(), isi.end(), 0.0) / isi.size(), v = 0;
    for (double x : isi) v += (x - m) * (x - m);
    cv_sum += std::sqrt(v / isi.size()) / m;
    ++cv_n;
  }
  const double cv = cv_sum / cv_n;
  double bm = std::accumulate(bins.begin(), bins.end(), 0.0) / bins.size(), bv = 0;
  for (int x : bins) bv += (x - bm) * (x - bm);
  const double chi = std::sqrt(bv / bins.size() / bm / n_exc);
  std::printf("brunel order %d, J %.2f mV: rate %.2f Hz, mean CV %.3f, chi %.3f\n",
              static_cast<int>(p.order), p.j, rate, cv, chi);
  EXPECT_GT(rate, 40.0);
  EXPECT_LT(rate, 52.0);
  EXPECT_GT(cv, 0.8);
  EXPECT_LT(cv, 1.6);
  EXPECT_LT(chi, 0.3);
}

}  // namespace
}  // namespace snn::sim
