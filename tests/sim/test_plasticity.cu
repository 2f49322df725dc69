// Plastic synapses: stdp_synapse against the pair sums of NEST's rule (every pre/post pattern in
// a range of lags, additive and multiplicative, with several spikes each), tsodyks2_synapse
// against its recurrence, one thread = two threads in a recurrent network with STDP, and the
// weights file round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "io/weights_file.h"
#include "sim/core/threads.h"
#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

constexpr double kDt = 0.1;

/// NEST's stdp_synapse written with explicit pair sums instead of traces: at the n-th
/// presynaptic spike, every postsynaptic spike q with t_{n-1} - d < t_q <= t_n - d facilitates
/// with K+ = sum_{k < n} exp(-(t_q + d - t_k)/tau_plus), then K- = sum_{t_q < t_n - d}
/// exp(-(t_n - d - t_q)/tau_minus) depresses. Times in steps.
double stdp_reference(const StdpParams& p, double w, const std::vector<long>& pre,
                      const std::vector<long>& post, long d) {
  auto fac = [&](double w, double k) {
    return std::min(1.0, w / p.w_max + p.lambda * std::pow(1 - w / p.w_max, p.mu_plus) * k) *
           p.w_max;
  };
  auto dep = [&](double w, double k) {
    return std::max(0.0, w / p.w_max - p.alpha * p.lambda * std::pow(w / p.w_max, p.mu_minus) * k) *
           p.w_max;
  };
  long t_last = 0;
  for (std::size_t n = 0; n < pre.size(); ++n) {
    for (long tq : post) {
      if (!(tq > t_last - d && tq <= pre[n] - d)) continue;
      double kp = 0;
      for (std::size_t k = 0; k < n; ++k) kp += std::exp(-(tq + d - pre[k]) * kDt / p.tau_plus);
      w = fac(w, kp);
    }
    double km = 0;
    for (long tq : post)
      if (tq < pre[n] - d) km += std::exp(-(pre[n] - d - tq) * kDt / p.tau_minus);
    w = dep(w, km);
    t_last = pre[n];
  }
  return w;
}

/// One presynaptic generator onto one lif_delta neuron through an STDP synapse of delay d; a
/// second generator makes the neuron fire at the given steps. Returns the final weight.
double run_stdp(const StdpParams& sp, double w0, const std::vector<long>& pre,
                const std::vector<long>& post, double delay_ms) {
  Network net(SimConfig{kDt, 1});
  PopulationSpec ps = test::lif_population("n", 1);  // V_th 20: one input of 40 mV fires
  auto& lp = std::get<LifDelta::Params>(ps.params);
  lp.v_reset = 0;
  lp.t_ref = 0.1;  // post spikes may follow each other closely
  net.add_population(ps);
  std::vector<double> tp, tq;
  for (long s : pre) tp.push_back(s * kDt);
  for (long s : post) tq.push_back((s - 1) * kDt);  // arrives one step later: the neuron's spike
  net.add_spike_generator(test::one_generator("pre", tp));
  net.add_spike_generator(test::one_generator("drive", tq));
  ProjectionSpec s = test::onto("pre", "n", 0, w0, delay_ms);
  s.synapse.model = SynapseModel::Stdp;
  s.synapse.stdp = sp;
  net.connect(s);
  net.connect(test::onto("drive", "n", 0, 40.0, 0.1));
  auto spikes = test::run_and_collect(net, (std::max(pre.back(), post.back()) + 50) * kDt);
  std::vector<long> got;
  for (auto& [step, id] : spikes["n"]) got.push_back(step);
  EXPECT_EQ(got, post) << "the drive must make the neuron fire exactly at the post steps";
  return net.projection_weights(0)[0];
}

TEST(StdpSynapse, EverySpikePairPatternMatchesThePairRule) {
  StdpParams add;  // additive: mu 0
  add.mu_plus = add.mu_minus = 0;
  add.lambda = 0.05;
  add.alpha = 1.2;
  StdpParams mult;  // multiplicative (NEST's defaults, larger lambda)
  mult.lambda = 0.1;
  mult.tau_minus = 30;
  for (const StdpParams& p : {add, mult}) {
    for (long lag = -300; lag <= 300; lag += 25) {  // post - pre, steps
      for (double delay : {0.1, 1.5}) {
        const long d = std::lround(delay / kDt);
        const std::vector<long> pre = {1000, 2500};  // the second collects the facilitation
        const std::vector<long> post = {1000 + lag};
        const double got = run_stdp(p, 1.0, pre, post, delay);
        const double want = stdp_reference(p, 1.0, pre, post, d);
        ASSERT_NEAR(got, want, 2e-6 * p.w_max) << "lag " << lag << " delay " << delay;
        if (lag + d > 0 && lag + d < 300) {
          ASSERT_NE(got, 1.0);
        }
      }
    }
  }
}

TEST(StdpSynapse, TrainsOfSpikesAllToAllMatchThePairSums) {
  StdpParams p;
  p.lambda = 0.2;
  p.w_max = 5;
  const std::vector<long> pre = {100, 180, 260, 300, 520, 700, 710, 900};
  const std::vector<long> post = {120, 150, 265, 270, 500, 690, 705, 800, 950};
  for (double delay : {0.1, 2.0}) {
    const double got = run_stdp(p, 2.5, pre, post, delay);
    const double want = stdp_reference(p, 2.5, pre, post, std::lround(delay / kDt));
    EXPECT_NEAR(got, want, 1e-5) << delay;
    EXPECT_GT(std::fabs(got - 2.5), 0.05);
  }
}

TEST(StdpSynapse, WeightsStayWithinZeroAndWmax) {
  StdpParams p;
  p.lambda = 2.0;
  p.w_max = 3;
  // Facilitation at the pre spike at 2000 (K+ = e^{-(110 + 1 - 100)·0.1/20}) clips at Wmax = 3, the
  // depression that follows leaves 3·(1 - 2·e^{-(1999 - 110)·0.1/20}).
  EXPECT_NEAR(run_stdp(p, 2.9, {100, 2000}, {110}, 0.1), 3.0 * (1 - 2 * std::exp(-9.445)), 1e-6);
  EXPECT_NEAR(run_stdp(p, 0.2, {100}, {90}, 0.1), 0.0, 1e-7);  // depression clipped at 0
}

TEST(Tsodyks2Synapse, DeliveredWeightsFollowTheRecurrence) {
  for (double tau_fac : {0.0, 200.0}) {
    Tsodyks2Params q;
    q.u_0 = 0.3;
    q.u = 0.3;
    q.tau_rec = 100;
    q.tau_fac = tau_fac;
    Network net(SimConfig{kDt, 1});
    PopulationSpec ps = test::lif_population("n", 1);
    auto& lp = std::get<LifDelta::Params>(ps.params);
    lp.tau_m = 1e12;  // no decay: V sums the delivered weights
    lp.v_th = 1e9;
    net.add_population(ps);
    const std::vector<long> pre = {50, 150, 200, 220, 600, 610, 620, 630};
    std::vector<double> times;
    for (long s : pre) times.push_back(s * kDt);
    net.add_spike_generator(test::one_generator("pre", times));
    ProjectionSpec s = test::onto("pre", "n", 0, 10.0, 0.1);
    s.synapse.model = SynapseModel::Tsodyks2;
    s.synapse.tsodyks2 = q;
    net.connect(s);
    net.record_voltage("n", {0});
    Recorder rec("", true);
    net.run(80.0, &rec);
    double u = q.u, x = q.x;
    long t_last = -1;
    for (long t : pre) {
      if (t_last >= 0) {
        const double h = (t - t_last) * kDt;
        x = 1 + (x - x * u - 1) * std::exp(-h / q.tau_rec);
        u = q.u_0 + u * (1 - q.u_0) * (tau_fac == 0 ? 0.0 : std::exp(-h / tau_fac));
      }
      t_last = t;
      const double jump = test::v_at_step(rec, "n", 0, t + 1) - test::v_at_step(rec, "n", 0, t);
      EXPECT_NEAR(jump, 10.0 * u * x, 2e-4) << "tau_fac " << tau_fac << " spike at " << t;
    }
  }
}

std::map<std::string, test::SpikeTrain> run_stdp_network(int threads, std::vector<float>* w) {
  set_num_threads(threads);
  Network net(SimConfig{kDt, 3});
  PopulationSpec e = test::lif_population("e", 400), i = test::lif_population("i", 100);
  e.v_init = i.v_init = VInit::uniform(0, 20);
  net.add_population(e);
  net.add_population(i);
  ProjectionSpec ee = test::projection("e", "e", Connectivity::fixed_indegree(40), 0.5, 1.5);
  ee.synapse.model = SynapseModel::Stdp;
  ee.synapse.stdp.w_max = 1.0;
  ee.synapse.stdp.lambda = 0.05;
  ee.delay_ms = Distribution::uniform(0.5, 2.0);
  net.connect(ee);
  net.connect(test::projection("e", "i", Connectivity::fixed_indegree(40), 0.5, 1.5));
  net.connect(test::projection("i", "e", Connectivity::fixed_indegree(10), -2.0, 1.0));
  net.connect(test::projection("i", "i", Connectivity::fixed_indegree(10), -2.0, 1.0));
  net.add_poisson(PoissonSpec{"e", 0, -1, 12000.0, 0.2, 0.0});
  net.add_poisson(PoissonSpec{"i", 0, -1, 12000.0, 0.2, 0.0});
  auto s = test::run_and_collect(net, 300.0);
  *w = net.projection_weights(0);
  set_num_threads(2);
  return s;
}

TEST(StdpSynapse, OneThreadEqualsTwoThreadsWithPlasticity) {
  std::vector<float> w1, w2;
  auto one = run_stdp_network(1, &w1);
  auto two = run_stdp_network(2, &w2);
  std::size_t n = 0;
  for (auto& [k, v] : one) n += v.size();
  EXPECT_GT(n, 500u);
  EXPECT_EQ(one, two);
  ASSERT_EQ(w1.size(), 400u * 40u);
  EXPECT_EQ(w1, w2);
  double changed = 0;
  for (float w : w1) changed += w != 0.5f;
  EXPECT_GT(changed, 0.5 * w1.size());
}

TEST(WeightsFile, RoundTripsAndNamesTheBadField) {
  const std::string path = ::testing::TempDir() + "weights_rt.h5";
  io::ProjectionWeights p{"a", "b", "stdp_synapse", {0, 0, 1}, {1, 2, 0}, {0.5f, 1.5f, 2.5f}};
  io::write_weights(path, {p});
  auto back = io::read_weights(path);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].source, "a");
  EXPECT_EQ(back[0].synapse, "stdp_synapse");
  EXPECT_EQ(back[0].target_ids, p.target_ids);
  EXPECT_EQ(back[0].weight, p.weight);
  EXPECT_THROW(io::read_weights(path + ".missing"), IoError);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace snn::sim
