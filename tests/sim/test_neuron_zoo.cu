// Every stepped model (iaf_psc_alpha, iaf_cond_exp, iaf_cond_alpha, aeif_cond_exp, izhikevich,
// hh_psc_alpha) in a random recurrent network with sparse Poisson drive, excitatory and
// inhibitory synapses and random delays: the event-driven mode gives the clock-driven mode's
// spikes, and one thread gives two threads' spikes (and a third lane partition's).
#include <gtest/gtest.h>

#include "sim/core/threads.h"
#include "tests/sim/neuron_test_util.h"

namespace snn::sim {
namespace {

struct ModelCase {
  const char* model;
  double w_ex, w_in, w_poisson;  ///< in the model's weight unit (pA, nS or mV)
};

const ModelCase kCases[] = {
    {"iaf_psc_alpha", 60.0, -120.0, 400.0}, {"iaf_cond_exp", 6.0, -6.0, 70.0},
    {"iaf_cond_alpha", 3.0, -3.0, 25.0},    {"aeif_cond_exp", 8.0, -6.0, 120.0},
    {"izhikevich", 1.5, -3.0, 12.0},        {"hh_psc_alpha", 60.0, -120.0, 500.0},
};

test::SpikeTrain::size_type total(const std::map<std::string, test::SpikeTrain>& s) {
  std::size_t n = 0;
  for (auto& [k, v] : s) n += v.size();
  return n;
}

std::map<std::string, test::SpikeTrain> run(const ModelCase& c, Mode mode, int threads,
                                            int lanes = 0) {
  set_num_threads(threads);
  Network net(SimConfig{0.1, 7, mode, lanes});
  for (auto [name, n] : {std::pair<const char*, int>{"e", 80}, {"i", 20}}) {
    PopulationSpec p;
    p.name = name;
    p.size = n;
    p.params = default_params(model_index(c.model));
    net.add_population(p);
  }
  for (const char* target : {"e", "i"}) {
    ProjectionSpec ex = test::projection("e", target, Connectivity::fixed_indegree(8), c.w_ex, 1);
    ex.delay_ms = Distribution::uniform(0.5, 2.0);
    net.connect(ex);
    net.connect(test::projection("i", target, Connectivity::fixed_indegree(2), c.w_in, 0.8));
    net.add_poisson(PoissonSpec{target, 0, -1, 400.0, c.w_poisson, 0.0});  // sparse drive
  }
  auto s = test::run_and_collect(net, 200.0);
  set_num_threads(2);
  return s;
}

TEST(NeuronZoo, EventDrivenEqualsClockDrivenForEveryModel) {
  for (const ModelCase& c : kCases) {
    auto event = run(c, Mode::EventDriven, 2);
    auto clock = run(c, Mode::ClockDriven, 2);
    EXPECT_GT(total(event), 100u) << c.model;
    EXPECT_EQ(event, clock) << c.model;
  }
}

TEST(NeuronZoo, OneThreadEqualsTwoThreadsForEveryModel) {
  for (const ModelCase& c : kCases) {
    auto one = run(c, Mode::EventDriven, 1);
    auto two = run(c, Mode::EventDriven, 2);
    auto three_lanes = run(c, Mode::EventDriven, 2, 3);
    EXPECT_GT(total(one), 100u) << c.model;
    EXPECT_EQ(one, two) << c.model;
    EXPECT_EQ(one, three_lanes) << c.model;
  }
}

}  // namespace
}  // namespace snn::sim
