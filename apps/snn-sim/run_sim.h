// snn-sim's run: build the chosen network, simulate, record, and summarise.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "apps/snn-sim/sim_options.h"

namespace snn::sim {
class Exchange;
}

namespace snn::apps {

struct SimSummary {
  std::string network;
  std::uint64_t neurons = 0, synapses = 0, spikes = 0, syn_events = 0;
  double rate_hz = 0, build_s = 0, sim_s = 0, events_per_s = 0, peak_rss_mb = 0;
  double t_ms = 0, dt_ms = 0;
  std::uint64_t seed = 0;
  int threads = 0;        ///< per rank
  int ranks = 1;          ///< processes sharing the network (mpiexec -n)
  double exchange_s = 0;  ///< seconds of sim_s spent in the spike exchange (rank 0)
  std::string device, mode;
  // Memory (Network::memory()): per stored and per procedural synapse (their own storage: CSR,
  // or the rows being drawn), and per neuron (queue and buffers; the neuron models' state is not
  // counted; the dense ring is counted as reserved, on the CPU only its written pages are memory).
  std::uint64_t stored_synapses = 0, procedural_synapses = 0;
  double bytes_per_stored_synapse = 0, bytes_per_procedural_synapse = 0, bytes_per_neuron = 0;
  double queue_event_bytes = 0, zeroed_reserved_bytes = 0;
};

/// Runs the simulation the arguments describe, printing the summary table to `out`. Throws
/// snn::Error (and SimUsageError) with a one-line message on bad input.
/// With `ex` of several ranks (sim/distributed) every rank calls it with the same arguments: the
/// network is split over the ranks, rank 0 prints, writes the output and the summary (of the
/// whole network); an error of any rank while reading or building makes every rank throw
/// sim::AgreedError with the first failing rank's message.
SimSummary run_sim(const SimArgs& args, std::ostream& out, sim::Exchange* ex = nullptr);

/// The summary as a JSON object (keys neurons, synapses, spikes, rate_hz, syn_events, build_s,
/// sim_s, memory per synapse and per neuron, and more).
std::string summary_json(const SimSummary& s);

/// Peak resident memory of this process so far, MB.
double peak_rss_mb();

}  // namespace snn::apps
