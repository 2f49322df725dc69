// A network: neuron populations, spike generators, projections, Poisson and current sources, and
// the run loop. Describe it, then run() builds it (once) and advances time.
//
// The run loop, per step t:
//   1. in parallel over lanes (each lane owns a contiguous range of every population): Poisson
//      sources add their input, then the lane's active neurons are updated: those listed for t in
//      the spike queue (they received input), those always active (dense Poisson targets,
//      suprathreshold currents) and, for current synapses, those that could still fire;
//   2. in parallel over lanes: the spikes of step t are delivered into the queue slots t + delay of
//      the targets each lane owns;
//   3. recording.
// Zero-delay projections (delay 0 ms, as NIR's feed-forward edges) are delivered within the step:
// their source population must be added before their target, the populations are cut into stages
// at each such target whose source is in the same stage, and a step then runs phases 1 and 2 once
// per stage, in order (the block is one step). A cycle needs a delay of at least one step.
// EventDriven visits only active neurons; ClockDriven visits every neuron at every step with the
// same arithmetic (a reference for tests: both give the same spikes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/neurons/registry.h"
#include "sim/sources/current.h"
#include "sim/sources/poisson.h"
#include "sim/sources/spike_generator.h"
#include "sim/synapses/connectivity.h"

namespace snn::sim {

class Recorder;
class Exchange;

enum class Mode { EventDriven, ClockDriven };

/// Initial membrane potential: the model's default, a constant, or uniform in [a, b).
struct VInit {
  enum Kind { Default, Constant, Uniform };
  Kind kind = Default;
  double a = 0, b = 0;
  static VInit constant(double v) { return VInit{Constant, v, 0}; }
  static VInit uniform(double lo, double hi) { return VInit{Uniform, lo, hi}; }
};

struct PopulationSpec {
  std::string name;
  std::int64_t size = 0;
  NeuronParams params;  ///< which model, and its parameters
  VInit v_init;
};

struct SimConfig {
  double dt_ms = 0.1;      ///< time step, ms
  std::uint64_t seed = 1;  ///< every random draw derives from it
  Mode mode = Mode::EventDriven;
  int lanes = 0;  ///< workers' partition; 0: the thread count (CPU) or 64 (CUDA)
};

struct RunStats {
  std::int64_t steps = 0;        ///< steps done (fewer than asked when interrupted)
  bool interrupted = false;      ///< stopped early by a stop request (sim/core/stop_request.h)
  std::uint64_t spikes = 0;      ///< all neuron populations
  std::uint64_t syn_events = 0;  ///< spike deliveries through projections
  double sim_s = 0;              ///< wall time of the step loop
  /// Of sim_s, this rank's time in the spike exchange (packing, collectives and their waits,
  /// unpacking; several ranks only).
  double exchange_s = 0;
};

/// Memory the built network holds, bytes (device memory; on the CPU, host memory). Neuron
/// state (the models' arrays) is not counted.
struct MemoryUse {
  std::uint64_t stored_synapses = 0;      ///< synapses of stored projections
  std::uint64_t procedural_synapses = 0;  ///< of procedural ones (expected number for Bernoulli)
  std::uint64_t stored_bytes = 0;  ///< their CSR: row pointers, targets, weights/delays per synapse
  std::uint64_t procedural_bytes = 0;   ///< procedural rows being drawn (a row per worker)
  std::uint64_t queue_event_bytes = 0;  ///< event regions: slots × Σ min(lane, kMaxEvents)
  /// Zeroed storage (zeroed_buffer.h): the queue's dense ring and touched lists, the spike lists
  /// and carried neurons; reserved, on the CPU memory only where written.
  std::uint64_t zeroed_reserved = 0;
  std::uint64_t queue_other_bytes = 0;  ///< count words, per-lane sum tables
  std::uint64_t buffer_bytes = 0;       ///< recording buffers
  /// What scales with neurons: the queue's event regions and other words, and the buffers (the
  /// zeroed storage, reserved, is left out: on the CPU it is memory only where written).
  double neurons_bytes() const {
    return static_cast<double>(queue_event_bytes + queue_other_bytes + buffer_bytes);
  }
};

class Network {
 public:
  explicit Network(const SimConfig& config);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  void add_population(const PopulationSpec& spec);
  void add_spike_generator(const SpikeGeneratorSpec& spec);
  void connect(const ProjectionSpec& spec);
  void add_poisson(const PoissonSpec& spec);
  void add_current(const CurrentSpec& spec);
  /// Spikes of these populations go to the recorder (none named: every neuron population).
  void record_spikes(const std::string& population);
  /// No spikes go to the recorder.
  void record_no_spikes();
  /// The membrane potential of these neurons at every step goes to the recorder.
  void record_voltage(const std::string& population, const std::vector<std::uint32_t>& ids);
  /// Runs this network as one rank of several processes (sim/distributed/exchange.h; call before
  /// build(), on every rank, with the same description; `ex` must outlive the network). The lanes
  /// of all ranks partition every population as one process's lanes would (rank r owns lanes
  /// [r J, (r + 1) J), J = config lanes or threads, the same on every rank); each rank updates its
  /// own lanes' neurons, stores the synapses onto them, and gets the other ranks' spikes from the
  /// exchange once per block (the minimum delay). Results equal one process's, bit for bit.
  /// Counts (RunStats, spike_count, synapses, memory) are this rank's share, except RunStats,
  /// summed over the ranks; spikes and voltages go to rank 0's recorder (every rank passes one).
  void set_exchange(Exchange* ex);
  /// Materialises populations, synapses and buffers (run() calls it if needed).
  void build();
  /// Advances `duration_ms` (a whole number of steps); spikes and voltages go to `recorder` when
  /// given; progress(fraction done) is called now and then. A stop request (SIGINT/SIGTERM in
  /// snn-sim) ends the run at the next block of steps, with everything recorded so far flushed.
  RunStats run(double duration_ms, Recorder* recorder = nullptr,
               const std::function<void(double)>& progress = {});

  const SimConfig& config() const { return config_; }
  double build_seconds() const;
  std::int64_t current_step() const;
  std::uint64_t neurons() const;  ///< neurons of neuron populations
  std::uint64_t synapses() const;
  std::vector<std::string> population_names() const;  ///< neuron populations, in order
  std::int64_t population_size(const std::string& name) const;
  /// Spikes per neuron population since the start.
  std::uint64_t spike_count(const std::string& population) const;
  /// Membrane potentials of a population now (tests).
  std::vector<float> voltages(const std::string& population) const;
  /// The built projections' synapses (tests): row pointers and targets of projection i.
  std::vector<std::uint64_t> projection_rows(int i) const;
  std::vector<std::uint32_t> projection_targets(int i) const;
  /// The neurons [first, last) of a population whose incoming synapses this rank stores and
  /// updates (set_exchange); the whole population on one process (after build()).
  std::pair<std::uint32_t, std::uint32_t> owned_neurons(const std::string& population) const;
  /// Projections, in connect() order, and their descriptions.
  int projection_count() const;
  const ProjectionSpec& projection_spec(int i) const;
  /// The weights of projection i, one per synapse in the order of projection_targets(i); for a
  /// plastic projection its current weights (after build()).
  std::vector<float> projection_weights(int i) const;
  /// Replaces the weights of plastic projection i (builds the network first).
  void set_projection_weights(int i, const std::vector<float>& weights);
  /// Device bytes held by synapses and buffers (the sum of memory()).
  std::size_t bytes() const;
  /// What they are spent on (after build()).
  MemoryUse memory() const;

 private:
  struct Impl;
  SimConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snn::sim
