// Poisson sources: per target independent Poisson trains of the requested rate, in both samplers
// (dense: a count per target per step; sparse: blocks of superposed events). A non-leaky neuron
// with an unreachable threshold and weight 1 mV counts its input events in V.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "sim/core/random_dist.h"
#include "sim/network.h"

namespace snn::sim {
namespace {

struct Counts {
  double mean, var, neighbour_corr;
  std::vector<float> v;
};

Counts count_inputs(double rate_hz, int steps, std::uint32_t n, std::uint32_t first,
                    std::uint32_t count) {
  Network net(SimConfig{0.1, 11});
  PopulationSpec p;
  p.name = "counter";
  p.size = n;
  IfDelta::Params ip;
  ip.v_th = 1e9;
  ip.v_reset = 0;
  p.params = ip;
  net.add_population(p);
  net.add_poisson(PoissonSpec{"counter", first, count, rate_hz, 1.0, 0.0});
  net.run(steps * 0.1);
  Counts c;
  c.v = net.voltages("counter");
  std::vector<double> x(c.v.begin() + first, c.v.begin() + first + count);
  c.mean = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
  c.var = 0;
  double cov = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    c.var += (x[i] - c.mean) * (x[i] - c.mean);
    if (i + 1 < x.size()) cov += (x[i] - c.mean) * (x[i + 1] - c.mean);
  }
  c.var /= x.size();
  c.neighbour_corr = cov / (x.size() - 1) / c.var;
  return c;
}

TEST(Poisson, DenseCountsHaveThePoissonMeanAndVarianceAndAreIndependent) {
  // 20 kHz at dt 0.1 ms: 2 events per target per step (Brunel's drive); delay one step.
  const int steps = 400;
  Counts c = count_inputs(20000.0, steps, 3000, 0, 3000);
  const double expect = 2.0 * (steps - 1);
  EXPECT_NEAR(c.mean, expect, 5 * std::sqrt(expect / 3000));
  EXPECT_NEAR(c.var / expect, 1.0, 0.1);
  EXPECT_LT(std::fabs(c.neighbour_corr), 0.08);
}

TEST(Poisson, SparseEventsHaveThePoissonMeanAndVarianceAndStayInRange) {
  // 100 Hz: 0.01 per target per step, through the superposition sampler.
  const int steps = 2000;
  Counts c = count_inputs(100.0, steps, 5000, 1000, 3000);
  const double expect = 0.01 * (steps - 1);
  EXPECT_NEAR(c.mean, expect, 5 * std::sqrt(expect / 3000));
  EXPECT_NEAR(c.var / expect, 1.0, 0.1);
  EXPECT_LT(std::fabs(c.neighbour_corr), 0.08);
  for (std::uint32_t j = 0; j < 1000; ++j) ASSERT_EQ(c.v[j], 0.0f);
  for (std::uint32_t j = 4000; j < 5000; ++j) ASSERT_EQ(c.v[j], 0.0f);
}

TEST(Poisson, HighRatesUseTheGeneralSampler) {
  // 500 kHz: 50 per step, beyond the table.
  const int steps = 100;
  Counts c = count_inputs(500000.0, steps, 1000, 0, 1000);
  const double expect = 50.0 * (steps - 1);
  EXPECT_NEAR(c.mean, expect, 5 * std::sqrt(expect / 1000));
  EXPECT_NEAR(c.var / expect, 1.0, 0.15);
}

TEST(Poisson, CountSamplerMatchesThePoissonLaw) {
  for (double mu : {0.3, 4.0, 25.0, 300.0}) {
    CounterRng rng{5, 9};
    const int n = 40000;
    double m = 0, v = 0;
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i) x[i] = poisson_count(mu, rng, i, 0, 0);
    for (double a : x) m += a;
    m /= n;
    for (double a : x) v += (a - m) * (a - m);
    v /= n;
    EXPECT_NEAR(m, mu, 5 * std::sqrt(mu / n)) << mu;
    EXPECT_NEAR(v / mu, 1.0, 0.05) << mu;
  }
}

}  // namespace
}  // namespace snn::sim
