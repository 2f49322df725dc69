// The spike queue's two forms (spike_queue.h): a lane's events for a step are kept as a list and
// summed in the lane's table (event_sums.h) until they outnumber the lane's neurons, then turned
// into dense sums. Whichever form a step takes, every neuron must see the same input, summed in
// the same order, as in the clock-driven mode (always dense): voltages equal bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "sim/core/threads.h"
#include "sim/events/event_sums.h"
#include "sim/network.h"
#include "tests/sim/sim_test_util.h"

namespace snn::sim {
namespace {

TEST(EventSums, SumsPerTargetInEventOrderAndListsFirstEvents) {
  std::vector<EventSums::Slot> table(EventSums::kCapacity, {EventSums::kEmpty, 0.0f, 0.0f});
  const EventSums sums = EventSums::at(table.data());
  // (weight, target): target 7 three times, 65543 twice; 7's sum must be ((0 + 1e8) + 1) - 1e8
  // = 0, the event order, not 1 as another order would give.
  const std::vector<QueueEntry> events = {{1e8f, 7}, {0.5f, 65543}, {1.0f, 7},
                                          {2.0f, 3}, {-1e8f, 7},    {0.25f, 65543}};
  std::vector<std::uint32_t> order(events.size());
  const std::uint32_t n = sums.sum(events.data(), events.size(), order.data());
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(table[order[0]].key, 7u);
  EXPECT_EQ(table[order[1]].key, 65543u);
  EXPECT_EQ(table[order[2]].key, 3u);
  EXPECT_TRUE(sums.contains(3));
  EXPECT_FALSE(sums.contains(4));
  EXPECT_EQ(sums.take(order[0]).ex, ((0.0f + 1e8f) + 1.0f) + -1e8f);
  EXPECT_EQ(sums.take(order[1]).ex, 0.75f);
  EXPECT_EQ(sums.take(order[2]).ex, 2.0f);
  for (const auto& s : table) EXPECT_EQ(s.key, EventSums::kEmpty);  // empty again for the next step
}

TEST(EventSums, KeepsInhibitoryReceptorEventsApartUnderOneNeuron) {
  std::vector<EventSums::Slot> table(EventSums::kCapacity, {EventSums::kEmpty, 0.0f, 0.0f});
  const EventSums sums = EventSums::at(table.data());
  const auto inh = [](std::uint32_t j) { return static_cast<std::int32_t>(j | kInhibitoryBit); };
  // Neuron 5 gets +2 and -2 (must not cancel), neuron 9 only inhibition, neuron 3 only excitation.
  const std::vector<QueueEntry> events = {
      {2.0f, 5}, {-2.0f, inh(5)}, {-0.5f, inh(9)}, {1.0f, 3}, {-0.25f, inh(9)}};
  std::vector<std::uint32_t> order(events.size());
  const std::uint32_t n = sums.sum(events.data(), events.size(), order.data());
  ASSERT_EQ(n, 3u);  // one entry per neuron, in the order of its first event
  EXPECT_EQ(table[order[0]].key, 5u);
  EXPECT_EQ(table[order[1]].key, 9u);
  EXPECT_EQ(table[order[2]].key, 3u);
  EXPECT_TRUE(sums.contains(9));
  const SynInput a = sums.take(order[0]), b = sums.take(order[1]), c = sums.take(order[2]);
  EXPECT_EQ(a.ex, 2.0f);
  EXPECT_EQ(a.in, -2.0f);
  EXPECT_EQ(b.ex, 0.0f);
  EXPECT_EQ(b.in, -0.75f);
  EXPECT_EQ(c.ex, 1.0f);
  EXPECT_EQ(c.in, 0.0f);
}

/// A generator whose spikes come in bursts (1, 2, 4 or 25 sources in a step) projects with
/// out-degree 6 and per-synapse weights onto a population of 20 LIF neurons: a few sources stay
/// in a lane's list (10 or 20 events at most), a burst turns the step dense after its list already
/// holds repeated targets. Returns the voltage rows and the number of spikes.
std::pair<std::vector<float>, std::size_t> run_bursts(Mode mode, int lanes) {
  SimConfig cfg{0.1, 3, mode, lanes};
  Network net(cfg);
  PopulationSpec t = test::lif_population("t", 20);
  net.add_population(t);
  SpikeGeneratorSpec g;
  g.name = "g";
  g.size = 25;
  for (int step = 1; step < 600; ++step) {
    const int sources = step % 7 == 0   ? 25
                        : step % 5 == 0 ? 4
                        : step % 3 == 0 ? 2
                        : step % 2 == 0 ? 1
                                        : 0;
    for (int s = 0; s < sources; ++s) {
      g.nodes.push_back((step + s) % 25);
      g.times_ms.push_back(0.1 * step);
    }
  }
  net.add_spike_generator(g);
  ProjectionSpec p = test::projection("g", "t", Connectivity::fixed_outdegree(6), 0, 1.5);
  p.weight = Distribution::normal(1.5, 1.0);
  net.connect(p);
  std::vector<std::uint32_t> all(20);
  for (std::uint32_t j = 0; j < 20; ++j) all[j] = j;
  net.record_voltage("t", all);
  Recorder r("", true);
  net.run(65.0, &r);
  return {r.voltages().at("t").rows, r.spikes().at("t").node_ids.size()};
}

TEST(SpikeQueue, EventListsAndDenseSumsGiveTheClockDrivenVoltagesBitForBit) {
  for (int lanes : {1, 2}) {
    const auto [event, event_spikes] = run_bursts(Mode::EventDriven, lanes);
    const auto [clock, clock_spikes] = run_bursts(Mode::ClockDriven, lanes);
    ASSERT_EQ(event.size(), 650u * 20u);
    ASSERT_EQ(clock.size(), event.size());
    for (std::size_t i = 0; i < event.size(); ++i)
      ASSERT_EQ(event[i], clock[i])
          << "row " << i / 20 << " neuron " << i % 20 << ", lanes " << lanes;
    EXPECT_EQ(event_spikes, clock_spikes);
    EXPECT_GT(event_spikes, 100u) << "the bursts must drive the neurons over threshold";
  }
}

}  // namespace
}  // namespace snn::sim
