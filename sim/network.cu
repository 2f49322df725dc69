// Network: the description, the build, and the step loop (see network.h for the algorithm). The
// step's two phases are functors in sim/neurons/update_phase.h and sim/events/delivery.h.
#include <thrust/copy.h>
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/sequence.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

#include "sim/core/errors.h"
#include "sim/core/huge_pages.h"
#include "sim/core/stop_request.h"
#include "sim/core/threads.h"
#include "sim/core/zeroed_buffer.h"
#include "sim/distributed/exchange.h"
#include "sim/events/delivery.h"
#include "sim/events/spike_queue_buffers.h"
#include "sim/network.h"
#include "sim/network_view.h"
#include "sim/neurons/neuron_group.h"
#include "sim/neurons/update_phase.h"
#include "sim/recording/recorder.h"
#include "sim/synapses/plastic_state.h"

namespace snn::sim {
namespace {

using namespace engine;  // NetView, the phase functors, u32 and friends
using Clock = std::chrono::steady_clock;

// Random stream ids per purpose (CounterRng::stream): projections, Poisson sources, initial V.
constexpr u32 kStreamProjection = 0x10000000u, kStreamPoisson = 0x20000000u,
              kStreamVInit = 0x30000000u;

// Below this much work a phase runs on the calling thread: a parallel region costs more.
constexpr u64 kParallelGrain = 1024;
// Steps between flushes of the recording buffers to the recorder (and file).
constexpr int kFlushSteps = 10000;
// Voltage rows buffered on the device before they go to the recorder.
constexpr int kVoltageRows = 1000;
// Most steps run between two synchronisations of the lanes (the block is the minimum delay).
constexpr int kMaxBlock = 16;

/// The host reads device memory directly when the device system is the host (OMP/CPP).
template <class T>
const T* host_ptr(const DeviceVector<T>& v) {
  return raw(v);
}

template <class T>
std::vector<T> slice_to_host(const DeviceVector<T>& v, u64 begin, u64 n) {
  std::vector<T> h(n);
  if (n) thrust::copy(v.begin() + begin, v.begin() + begin + n, h.begin());
  return h;
}

/// Spikes of several sources, each in (step, id) order and holding ascending id ranges (lanes,
/// or ranks), merged into (step, id) order as times and node ids.
void merge_by_step(const std::vector<std::vector<i32>>& steps,
                   const std::vector<std::vector<u32>>& ids, double dt, std::vector<double>& times,
                   std::vector<u64>& nodes) {
  u64 n = 0;
  for (auto& s : steps) n += s.size();
  times.clear();
  nodes.clear();
  times.reserve(n);
  nodes.reserve(n);
  std::vector<std::size_t> at(steps.size(), 0);
  while (nodes.size() < n) {
    i32 s = 0x7fffffff;
    for (std::size_t l = 0; l < steps.size(); ++l)
      if (at[l] < steps[l].size()) s = std::min(s, steps[l][at[l]]);
    for (std::size_t l = 0; l < steps.size(); ++l)
      for (; at[l] < steps[l].size() && steps[l][at[l]] == s; ++at[l]) {
        times.push_back(s * dt);
        nodes.push_back(ids[l][at[l]]);
      }
  }
}

template <class T>
void put(std::vector<char>& b, const T* p, u64 n) {
  const char* c = reinterpret_cast<const char*>(p);
  b.insert(b.end(), c, c + n * sizeof(T));
}
template <class T>
void take(const std::vector<char>& b, std::size_t& at, T* p, u64 n) {
  std::copy(b.begin() + at, b.begin() + at + n * sizeof(T), reinterpret_cast<char*>(p));
  at += n * sizeof(T);
}

u32 next_pow2(u32 x) {
  u32 p = 1;
  while (p < x) p <<= 1;
  return p;
}

}  // namespace

struct Network::Impl {
  struct PopEntry {
    std::string name;
    bool generator = false;
    u32 size = 0;
    PopulationSpec spec;
    SpikeGeneratorSpec gen;
  };
  // Description.
  std::vector<PopEntry> pops;
  std::vector<ProjectionSpec> proj_specs;
  std::vector<PoissonSpec> poisson_specs;
  std::vector<CurrentSpec> current_specs;
  std::vector<std::string> rec_spike_names;
  bool no_spikes = false;
  std::vector<std::pair<std::string, std::vector<u32>>> rec_voltage;

  // Built state.
  bool built = false;
  double build_s = 0;
  int t = 0;  // steps done
  int L = 1, P = 0, slots = 1;
  // Ranks (sim/distributed): this one runs lanes [lane_first, lane_last) of L.
  Exchange* ex = nullptr;
  bool dist = false;
  int ranks = 1, rank = 0, lane_first = 0, lane_last = 1;
  bool pending_stop = false, pending_flush = false;  // any rank's flags, from the last exchange
  std::vector<u32> x_counts, x_ids, x_all_counts, x_all_ids;  // exchange buffers, reused
  std::vector<u32> vrec_ptr_h, vrec_col_h;
  int block = 1;              // steps between synchronisations: the minimum delay (capped)
  std::vector<int> stage_lo;  // first population of each stage (zero-delay projections), + P
  u32 n_total = 0;
  std::vector<u32> offsets;
  std::vector<std::unique_ptr<NeuronGroup>> groups;
  std::vector<std::unique_ptr<Projection>> projections;
  std::vector<std::unique_ptr<PlasticState>> plastic;  // per projection, null when static
  std::vector<std::unique_ptr<PostArchive>> archives;  // per population, null without STDP input
  std::vector<std::unique_ptr<PoissonSource>> poissons;
  std::vector<double> fanout;  // mean synapses per spike of each population, all projections
  u64 static_work = 0;         // neuron visits per step regardless of input

  SpikeQueueBuffers queue;
  DeviceVector<u32> scratch;  ///< [lanes][scratch_stride]: procedural rows (fixed out-degree)
  u32 scratch_stride = 0;
  DeviceVector<PopView> pop_views;
  std::vector<PopView> pop_views_h;
  DeviceVector<u32> lane_lo;
  std::vector<u32> lane_lo_h;
  DeviceVector<u8> all_active;
  DeviceVector<u32> perm;
  DeviceVector<u64> perm_ptr;
  ZeroedBuffer<u32> carry[2];  // written per cell from the region's start: memory follows use
  DeviceVector<u32> carry_count[2];
  ZeroedBuffer<u32> spikes;
  DeviceVector<u32> spike_count;
  DeviceVector<u64> spike_total, events;
  DeviceVector<u32> rec_ids, rec_count;
  DeviceVector<i32> rec_steps;
  DeviceVector<u64> rec_base;
  std::vector<u64> rec_base_h, rec_cap_h, cell_size_h;
  std::vector<u8> record_h;
  DeviceVector<PoissonView> poisson_views;
  DeviceVector<ProjectionView> proj_views;
  DeviceVector<u32> gen_ids;
  std::vector<std::vector<i32>> gen_steps;  // per population (generators), sorted
  std::vector<u64> gen_base, gen_cursor;
  DeviceVector<u64> gen_slice;
  std::vector<u64> gen_slice_h;
  // Voltage recording, grouped by lane; columns follow the order of record_voltage().
  DeviceVector<u32> vrec_ptr, vrec_pop, vrec_id, vrec_col;
  std::vector<std::pair<int, std::vector<u32>>> vrec_groups;  // (population, ids) per report
  u32 n_vrec = 0;
  DeviceVector<float> vrows;
  int vrow_capacity = 0, vrows_filled = 0;
  bool recorder_ready = false;

  int index_of(const std::string& name) const {
    for (std::size_t i = 0; i < pops.size(); ++i)
      if (pops[i].name == name) return static_cast<int>(i);
    return -1;
  }
  int neuron_pop(const std::string& name, const std::string& what) const {
    int p = index_of(name);
    if (p < 0) throw InvalidParameter(what + ": no population named '" + name + "'");
    if (pops[p].generator)
      throw InvalidParameter(what + ": '" + name +
                             "' is a spike generator, not a neuron population");
    return p;
  }
  u32 lane_size(int p, int l) const {
    return lane_lo_h[p * (L + 1) + l + 1] - lane_lo_h[p * (L + 1) + l];
  }
  /// Population p's model keeps excitatory and inhibitory input apart (receptors.h).
  bool two_receptors(int p) const {
    return groups[p] && model_has_two_receptors(groups[p]->kernel().model);
  }
  u32 lane_lo_of(int p, int l) const { return lane_lo_h[p * (L + 1) + l]; }
  bool owns_lane(int l) const { return l >= lane_first && l < lane_last; }

  /// The block's spikes of populations [p_lo, p_hi) from every rank's lanes into the spike lists
  /// of the lanes this rank does not own, in the layout the delivery reads (step, population,
  /// lane): after it every rank holds the spikes one process would. A flags word rides along:
  /// 1 a stop request, 2 a recording buffer near full, so that all ranks stop and flush together.
  void exchange_block(int steps, int p_lo, int p_hi, u32 flags) {
    const int J = lane_last - lane_first;
    const int cells = P * L;
    u32* sc = raw(spike_count);
    u32* spk = spikes.data();
    const int p_end = std::min(p_hi, P);
    x_counts.clear();
    x_ids.clear();
    for (int b = 0; b < steps; ++b)
      for (int p = p_lo; p < p_end; ++p) {
        if (pops[p].generator) continue;  // every rank has the generators' spikes
        for (int l = lane_first; l < lane_last; ++l) {
          const u32 n = sc[b * cells + p * L + l];
          const u32* from = spk + static_cast<u64>(b) * n_total + offsets[p] + lane_lo_of(p, l);
          x_counts.push_back(n);
          x_ids.insert(x_ids.end(), from, from + n);
        }
      }
    const int n_id = static_cast<int>(x_counts.size());
    x_counts.push_back(flags);
    ex->exchange_spikes(x_counts, n_id, x_ids, x_all_counts, x_all_ids);
    const std::size_t n = x_counts.size();
    const bool synth = ex->synthesised();
    u64 at = 0;
    for (int r = 0; r < ranks; ++r) {
      const u32* rc = x_all_counts.data() + r * n;
      std::size_t i = 0;
      for (int b = 0; b < steps; ++b)
        for (int p = p_lo; p < p_end; ++p) {
          if (pops[p].generator) continue;
          for (int k = 0; k < J; ++k, ++i) {
            const u32 cnt = rc[i];
            const int l = r * J + k;
            if (r != rank) {
              u32* to = spk + static_cast<u64>(b) * n_total + offsets[p] + lane_lo_of(p, l);
              u32 kept = 0;
              if (!synth) {
                std::copy(x_all_ids.begin() + at, x_all_ids.begin() + at + cnt, to);
                kept = cnt;
              } else {
                // The dry run: rank 0's lane k's spikes, moved to the same place of lane l.
                const u32 from_lo = lane_lo_of(p, lane_first + k), lo = lane_lo_of(p, l);
                for (u32 i = 0; i < cnt; ++i) {
                  const u32 j = x_all_ids[at + i] - from_lo + lo;
                  if (j < lo + lane_size(p, l)) to[kept++] = j;
                }
              }
              sc[b * cells + p * L + l] = kept;
            }
            at += cnt;
          }
        }
      pending_stop |= (rc[n - 1] & 1u) != 0;
      pending_flush |= (rc[n - 1] & 2u) != 0;
    }
  }

  NetView view() {
    NetView v;
    v.q = queue.view();
    v.sums = queue.sums();
    v.order = queue.order();
    v.scratch = raw(scratch);
    v.scratch_stride = scratch_stride;
    v.pops = raw(pop_views);
    v.n_pops = P;
    v.lanes = L;
    v.lane_lo = raw(lane_lo);
    v.all_active = raw(all_active);
    v.dense_only = queue.dense_only();
    v.perm = raw(perm);
    v.perm_ptr = raw(perm_ptr);
    for (int k = 0; k < 2; ++k) {
      v.carry[k] = carry[k].data();
      v.carry_count[k] = raw(carry_count[k]);
    }
    v.spikes = spikes.data();
    v.spike_count = raw(spike_count);
    v.spike_total = raw(spike_total);
    v.rec_ids = raw(rec_ids);
    v.rec_steps = raw(rec_steps);
    v.rec_base = raw(rec_base);
    v.rec_count = raw(rec_count);
    v.poisson = raw(poisson_views);
    v.n_poisson = static_cast<int>(poisson_views.size());
    v.proj = raw(proj_views);
    v.n_proj = static_cast<int>(proj_views.size());
    v.gen_ids = raw(gen_ids);
    v.gen_slice = raw(gen_slice);
    v.events = raw(events);
    v.vrec_ptr = raw(vrec_ptr);
    v.vrec_pop = raw(vrec_pop);
    v.vrec_id = raw(vrec_id);
    v.vrec_col = raw(vrec_col);
    v.vrows = vrows.empty() ? nullptr : raw(vrows);  // null until run() has a recorder
    v.n_vrec = n_vrec;
    return v;
  }
};

Network::Network(const SimConfig& config) : config_(config), impl_(std::make_unique<Impl>()) {
  require(config.dt_ms > 0, "dt must be > 0 ms, got " + num(config.dt_ms));
  require(config.lanes >= 0, "lanes must be >= 0, got " + std::to_string(config.lanes));
}

Network::~Network() = default;

void Network::add_population(const PopulationSpec& spec) {
  require(!impl_->built, "add_population after the network was built");
  require(!spec.name.empty() && spec.name.find('/') == std::string::npos,
          "population name must be non-empty and without '/': '" + spec.name + "'");
  require(impl_->index_of(spec.name) < 0, "population '" + spec.name + "' defined twice");
  require(spec.size >= 0,
          "population " + spec.name + ": size must be >= 0, got " + std::to_string(spec.size));
  require(spec.size < (1ll << 31), "population " + spec.name + ": size too large");
  std::visit([&](const auto& p) { p.validate(config_.dt_ms); }, spec.params);
  if (spec.v_init.kind == VInit::Uniform)
    require(spec.v_init.a <= spec.v_init.b, "population " + spec.name + ": v_init range [" +
                                                num(spec.v_init.a) + ", " + num(spec.v_init.b) +
                                                ") is empty");
  Impl::PopEntry e;
  e.name = spec.name;
  e.size = static_cast<u32>(spec.size);
  e.spec = spec;
  impl_->pops.push_back(std::move(e));
}

void Network::add_spike_generator(const SpikeGeneratorSpec& spec) {
  require(!impl_->built, "add_spike_generator after the network was built");
  require(!spec.name.empty() && spec.name.find('/') == std::string::npos,
          "population name must be non-empty and without '/': '" + spec.name + "'");
  require(impl_->index_of(spec.name) < 0, "population '" + spec.name + "' defined twice");
  require(spec.nodes.size() == spec.times_ms.size(),
          "spike generator " + spec.name + ": " + std::to_string(spec.nodes.size()) +
              " nodes but " + std::to_string(spec.times_ms.size()) + " times");
  // The message is built only for a spike that fails: a generator holds millions of spikes.
  for (std::size_t i = 0; i < spec.nodes.size(); ++i) {
    const double t = spec.times_ms[i];
    if (spec.nodes[i] < spec.size && t > 0 && on_step_grid(t, config_.dt_ms)) continue;
    const std::string what = "spike generator " + spec.name + ": spike " + std::to_string(i);
    require(spec.nodes[i] < spec.size, what + ": node " + std::to_string(spec.nodes[i]) +
                                           " out of range [0, " + std::to_string(spec.size) + ")");
    require(t > 0, what + ": time " + num(t) + " ms must be > 0");
    steps_of(t, config_.dt_ms, what + ": time");
  }
  Impl::PopEntry e;
  e.name = spec.name;
  e.generator = true;
  e.size = spec.size;
  e.gen = spec;
  impl_->pops.push_back(std::move(e));
}

void Network::connect(const ProjectionSpec& spec) {
  require(!impl_->built, "connect after the network was built");
  impl_->proj_specs.push_back(spec);
}

void Network::add_poisson(const PoissonSpec& spec) {
  require(!impl_->built, "add_poisson after the network was built");
  impl_->poisson_specs.push_back(spec);
}

void Network::add_current(const CurrentSpec& spec) {
  require(!impl_->built, "add_current after the network was built");
  impl_->current_specs.push_back(spec);
}

void Network::record_spikes(const std::string& population) {
  require(!impl_->built, "record_spikes after the network was built");
  impl_->rec_spike_names.push_back(population);
}

void Network::record_no_spikes() {
  require(!impl_->built, "record_no_spikes after the network was built");
  impl_->no_spikes = true;
}

void Network::record_voltage(const std::string& population, const std::vector<u32>& ids) {
  require(!impl_->built, "record_voltage after the network was built");
  impl_->rec_voltage.emplace_back(population, ids);
}

void Network::set_exchange(Exchange* ex) {
  require(!impl_->built, "set_exchange after the network was built");
  impl_->ex = ex;
}

void Network::build() {
  Impl& m = *impl_;
  if (m.built) return;
  const auto t0 = Clock::now();
  const double dt = config_.dt_ms;
  m.P = static_cast<int>(m.pops.size());
  // Lanes: each owns a contiguous share of every population. Several ranks split the lanes of
  // one process into J per rank, so the partition, and with it every sum, is a one-process one.
  // Their check comes first: no rank may throw before this collective.
  const int J =
      config_.lanes > 0 ? config_.lanes : (device_is_cuda() ? 64 : std::max(1, num_threads()));
  m.ranks = m.ex ? m.ex->size() : 1;
  m.rank = m.ex ? m.ex->rank() : 0;
  m.dist = m.ranks > 1;
  if (m.dist) {
    require(!device_is_cuda(),
            "several ranks (MPI) run on the CPU build only (-DSNN_DEVICE_SYSTEM=OMP)");
    // Every rank must describe the same network with the same lanes: compare a digest.
    u64 h = 1469598103934665603ull;
    auto mix = [&](u64 x) { h = (h ^ x) * 1099511628211ull; };
    mix(m.P);
    for (auto& p : m.pops) mix(p.size), mix(p.generator);
    mix(m.proj_specs.size());
    auto mixd = [&](double x) {
      u64 b;
      std::memcpy(&b, &x, sizeof b);
      mix(b);
    };
    for (auto& q : m.proj_specs) {
      mix(static_cast<u64>(q.connectivity.rule));
      mix(static_cast<u64>(q.connectivity.degree));
      mixd(q.connectivity.probability);
      mixd(q.weight.a);
      mixd(q.weight.b);
      mixd(q.delay_ms.a);
      mixd(q.delay_ms.b);
      mix(std::hash<std::string>{}(q.source + "/" + q.target));
    }
    for (auto& q : m.poisson_specs) mixd(q.rate_hz), mixd(q.weight);
    mix(m.poisson_specs.size());
    mix(config_.seed);
    std::vector<u32> mine{static_cast<u32>(J), static_cast<u32>(h), static_cast<u32>(h >> 32)}, all,
        none;
    m.ex->exchange_spikes(mine, 0, none, all, none);
    for (int r = 0; r < m.ranks; ++r) {
      require(all[3 * r] == mine[0], "rank " + std::to_string(r) + " runs " +
                                         std::to_string(all[3 * r]) + " lanes (threads), rank " +
                                         std::to_string(m.rank) + " " + std::to_string(J) +
                                         ": give every rank the same -threads");
      require(all[3 * r + 1] == mine[1] && all[3 * r + 2] == mine[2],
              "the network differs between ranks (rank " + std::to_string(r) + " and rank " +
                  std::to_string(m.rank) +
                  " built different populations, projections, sources "
                  "or seeds): every rank must read the same network");
    }
  }
  require(!m.pops.empty(), "the network has no populations");

  // Index space: populations one after another.
  u64 total = 0;
  for (auto& p : m.pops) {
    m.offsets.push_back(static_cast<u32>(total));
    total += p.size;
  }
  require(total < (1ull << 31), "too many neurons: " + std::to_string(total));
  m.n_total = static_cast<u32>(total);

  m.L = J * m.ranks;
  m.lane_first = m.rank * J;
  m.lane_last = m.lane_first + J;
  m.lane_lo_h.assign(static_cast<std::size_t>(m.P) * (m.L + 1), 0);
  for (int p = 0; p < m.P; ++p)
    for (int l = 0; l <= m.L; ++l)
      m.lane_lo_h[p * (m.L + 1) + l] = static_cast<u32>(static_cast<u64>(m.pops[p].size) * l / m.L);
  auto lane_of = [&](int p, u32 j) {
    const u32* lo = m.lane_lo_h.data() + p * (m.L + 1);
    return static_cast<int>(std::upper_bound(lo, lo + m.L + 1, j) - lo) - 1;
  };

  // Neuron state, initial potentials, currents.
  std::vector<std::vector<float>> currents(m.P);
  for (const CurrentSpec& c : m.current_specs) {
    const std::string what = "current source into " + c.target;
    int p = m.neuron_pop(c.target, what);
    u32 n = m.pops[p].size;
    u64 count = c.count < 0 ? (c.first < n ? n - c.first : 0) : static_cast<u64>(c.count);
    require(static_cast<u64>(c.first) + count <= n,
            what + ": neurons [" + std::to_string(c.first) + ", " +
                std::to_string(c.first + count) + ") out of range [0, " + std::to_string(n) + ")");
    if (currents[p].empty()) currents[p].assign(n, 0.0f);
    for (u64 j = c.first; j < c.first + count; ++j)
      currents[p][j] += static_cast<float>(c.amplitude_pa);
  }
  m.groups.resize(m.P);
  for (int p = 0; p < m.P; ++p) {
    auto& e = m.pops[p];
    if (e.generator) continue;
    m.groups[p] = make_group(e.spec.params, dt, e.size);
    const VInit& vi = e.spec.v_init;
    if (vi.kind == VInit::Constant) {
      m.groups[p]->set_voltage(std::vector<float>(e.size, static_cast<float>(vi.a)));
    } else if (vi.kind == VInit::Uniform) {
      CounterRng rng{config_.seed, kStreamVInit + static_cast<u32>(p)};
      std::vector<float> v(e.size);
      for (u32 j = 0; j < e.size; ++j) {
        Random4 r = rng.draw(j, 0, 0, 0);
        v[j] = static_cast<float>(vi.a + (vi.b - vi.a) * uniform01_double(r.w[0], r.w[1]));
      }
      m.groups[p]->set_voltage(v);
    }
    if (!currents[p].empty()) m.groups[p]->set_current(currents[p]);
  }

  // Projections.
  int max_delay = 1, min_delay = 1 << 30;
  m.fanout.assign(m.P, 0.0);
  for (std::size_t q = 0; q < m.proj_specs.size(); ++q) {
    const ProjectionSpec& s = m.proj_specs[q];
    const std::string what = "projection " + s.source + " -> " + s.target;
    int sp = m.index_of(s.source);
    require(sp >= 0, what + ": no population named '" + s.source + "'");
    int tp = m.neuron_pop(s.target, what);
    // A rank stores the synapses onto its own lanes' targets only.
    const u32 keep_lo = m.dist ? m.lane_lo_of(tp, m.lane_first) : 0;
    const u32 keep_hi = m.dist ? m.lane_lo_of(tp, m.lane_last) : m.pops[tp].size;
    m.projections.push_back(std::make_unique<Projection>(
        s, m.pops[sp].size, m.pops[tp].size, sp == tp, dt,
        CounterRng{config_.seed, kStreamProjection + static_cast<u32>(q)}, sp, tp, keep_lo,
        keep_hi));
    max_delay = std::max(max_delay, m.projections.back()->max_delay());
    min_delay = std::min(min_delay, m.projections.back()->min_delay());
    if (m.pops[sp].size)
      m.fanout[sp] += static_cast<double>(m.projections.back()->synapses()) / m.pops[sp].size;
  }
  m.block = std::min(kMaxBlock, m.projections.empty() ? kMaxBlock : min_delay);
  // Zero-delay projections: a step in stages, in the order of the populations.
  m.stage_lo.assign(1, 0);
  for (int p = 1; p < m.P; ++p)
    for (std::size_t q = 0; q < m.projections.size(); ++q) {
      const ProjectionSpec& s = m.proj_specs[q];
      if (m.projections[q]->min_delay() > 0 || m.index_of(s.target) != p) continue;
      if (m.index_of(s.source) >= m.stage_lo.back()) {
        m.stage_lo.push_back(p);
        break;
      }
    }
  m.stage_lo.push_back(m.P);
  for (std::size_t q = 0; q < m.projections.size(); ++q) {
    const ProjectionSpec& s = m.proj_specs[q];
    require(m.projections[q]->min_delay() > 0 || m.index_of(s.source) < m.index_of(s.target),
            "projection " + s.source + " -> " + s.target +
                ": a zero delay needs the source population added before the target (edges that "
                "close a cycle need a delay of at least one step)");
  }
  if (min_delay == 0) m.block = 1;
  {
    std::vector<u32> sizes;
    for (auto& e : m.pops) sizes.push_back(e.size);
    build_plasticity(m.proj_specs, m.projections, sizes, dt, m.plastic, m.archives);
  }

  // Poisson sources; their dense targets are always active.
  std::vector<std::vector<u8>> perm_flag(m.P);
  for (int p = 0; p < m.P; ++p) perm_flag[p].assign(m.pops[p].size, 0);
  for (std::size_t i = 0; i < m.poisson_specs.size(); ++i) {
    const PoissonSpec& s = m.poisson_specs[i];
    const std::string what = "poisson source into " + s.target;
    int p = m.neuron_pop(s.target, what);
    u32 n = m.pops[p].size;
    u64 count = s.count < 0 ? (s.first < n ? n - s.first : 0) : static_cast<u64>(s.count);
    require(static_cast<u64>(s.first) + count <= n,
            what + ": neurons [" + std::to_string(s.first) + ", " +
                std::to_string(s.first + count) + ") out of range [0, " + std::to_string(n) + ")");
    require(s.rate_hz >= 0, what + ": rate must be >= 0 Hz, got " + num(s.rate_hz));
    int delay = 1;
    if (s.delay_ms != 0) {
      require(s.delay_ms >= dt * (1 - 1e-9),
              what + ": delay " + num(s.delay_ms) + " ms is shorter than dt " + num(dt) + " ms");
      delay = static_cast<int>(steps_of(s.delay_ms, dt, what + ": delay"));
    }
    max_delay = std::max(max_delay, delay);
    m.poissons.push_back(std::make_unique<PoissonSource>(
        p, s.first, static_cast<u32>(count), s.rate_hz, s.weight, delay, dt,
        CounterRng{config_.seed, kStreamPoisson + static_cast<u32>(i)}));
    if (m.poissons.back()->dense())
      for (u64 j = s.first; j < s.first + count; ++j) perm_flag[p][j] = 1;
  }
  for (int p = 0; p < m.P; ++p)
    if (m.groups[p])
      for (u32 j = 0; j < m.pops[p].size; ++j)
        if (!perm_flag[p][j] && m.groups[p]->always_active(j)) perm_flag[p][j] = 1;

  // Active sets per cell (population × lane): all, or a list of always-active neurons.
  const bool clock = config_.mode == Mode::ClockDriven;
  std::vector<u8> all_active_h(static_cast<std::size_t>(m.P) * m.L, 0);
  std::vector<u32> perm_h;
  std::vector<u64> perm_ptr_h(static_cast<std::size_t>(m.P) * m.L + 1, 0);
  m.static_work = 0;
  for (int p = 0; p < m.P; ++p) {
    for (int l = 0; l < m.L; ++l) {
      const int c = p * m.L + l;
      const u32 lo = m.lane_lo_h[p * (m.L + 1) + l], hi = m.lane_lo_h[p * (m.L + 1) + l + 1];
      std::vector<u32> list;
      for (u32 j = lo; j < hi; ++j)
        if (perm_flag[p][j]) list.push_back(j);
      if (!m.pops[p].generator && (clock || list.size() == hi - lo)) {
        all_active_h[c] = 1;
        m.static_work += hi - lo;
      } else {
        perm_h.insert(perm_h.end(), list.begin(), list.end());
        m.static_work += list.size();
      }
      perm_ptr_h[c + 1] = perm_h.size();
    }
  }
  for (auto& s : m.poissons)
    if (s->dense()) m.static_work += s->view().count;

  // The queue: a block's spikes land up to block - 1 + max_delay steps ahead. Always-active
  // neurons never enter touched lists; lanes with always-active neurons keep dense sums (inputs
  // such as dense Poisson drive are added in place); the others start every slot with an event
  // list.
  m.slots = static_cast<int>(next_pow2(static_cast<u32>(max_delay + m.block)));
  {
    std::vector<u32> always, cell_size(static_cast<std::size_t>(m.P) * m.L);
    std::vector<u8> dense_h(static_cast<std::size_t>(m.P) * m.L, 0);
    for (int p = 0; p < m.P; ++p)
      for (int l = 0; l < m.L; ++l) {
        const int c = p * m.L + l;
        cell_size[c] = m.lane_size(p, l);
        dense_h[c] = all_active_h[c] || perm_ptr_h[c + 1] > perm_ptr_h[c];
        const u32 lo = m.lane_lo_h[p * (m.L + 1) + l], hi = m.lane_lo_h[p * (m.L + 1) + l + 1];
        for (u32 j = lo; j < hi; ++j)
          if (all_active_h[c] || perm_flag[p][j]) always.push_back(m.offsets[p] + j);
      }
    bool any_two = false;
    for (int p = 0; p < m.P; ++p) any_two |= m.two_receptors(p);
    m.queue.build(m.slots, m.n_total, m.P, m.L, cell_size, dense_h, always, any_two);
  }
  for (auto& q : m.projections) m.scratch_stride = std::max(m.scratch_stride, q->scratch_size());
  m.scratch_stride = (m.scratch_stride + 31) / 32 * 32;  // whole cache lines: no false sharing
  m.scratch.resize(static_cast<std::size_t>(m.L) * m.scratch_stride);
  m.all_active = to_device(all_active_h);
  m.perm = to_device(perm_h);
  m.perm_ptr = to_device(perm_ptr_h);
  m.lane_lo = to_device(m.lane_lo_h);
  for (int k = 0; k < 2; ++k) {
    m.carry[k].reset(m.n_total);
    m.carry_count[k].assign(static_cast<std::size_t>(m.P) * m.L, 0);
  }
  {
    // Neurons that start away from rest are carried into the first step (parity of step 1).
    std::vector<u32> carry_h(m.n_total), count_h(static_cast<std::size_t>(m.P) * m.L, 0);
    bool any = false;
    for (int p = 0; p < m.P; ++p)
      for (int l = 0; l < m.L && m.groups[p]; ++l) {
        const int c = p * m.L + l;
        if (all_active_h[c]) continue;
        const u32 lo = m.lane_lo_h[p * (m.L + 1) + l], hi = m.lane_lo_h[p * (m.L + 1) + l + 1];
        for (u32 j = lo; j < hi; ++j)
          if (!perm_flag[p][j] && m.groups[p]->initially_active(j)) {
            carry_h[m.offsets[p] + lo + count_h[c]++] = j;
            any = true;
          }
      }
    if (any) {
      DeviceVector<u32> d = to_device(carry_h);
      thrust::copy(d.begin(), d.end(), thrust::device_pointer_cast(m.carry[(m.t + 1) & 1].data()));
      m.carry_count[(m.t + 1) & 1] = to_device(count_h);
    }
  }
  m.spikes.reset(static_cast<std::size_t>(m.block) * m.n_total);
  m.spike_count.assign(static_cast<std::size_t>(m.block) * m.P * m.L, 0);
  m.spike_total.assign(static_cast<std::size_t>(m.P) * m.L, 0);
  m.events.assign(m.L, 0);

  // Spike generators: events sorted by (step, node).
  std::vector<u32> gen_ids_h;
  m.gen_steps.assign(m.P, {});
  m.gen_base.assign(m.P, 0);
  m.gen_cursor.assign(m.P, 0);
  for (int p = 0; p < m.P; ++p) {
    if (!m.pops[p].generator) continue;
    const SpikeGeneratorSpec& g = m.pops[p].gen;
    std::vector<std::pair<i32, u32>> ev(g.nodes.size());
    for (std::size_t i = 0; i < ev.size(); ++i)
      ev[i] = {static_cast<i32>(steps_of(g.times_ms[i], dt, "spike time")), g.nodes[i]};
    if (!std::is_sorted(ev.begin(), ev.end()))
      std::sort(ev.begin(), ev.end());  // often given in order
    m.gen_base[p] = gen_ids_h.size();
    for (auto& e : ev) {
      m.gen_steps[p].push_back(e.first);
      gen_ids_h.push_back(e.second);
    }
  }
  m.gen_ids = to_device(gen_ids_h);
  m.gen_slice_h.assign(static_cast<std::size_t>(2) * m.block * m.P, 0);
  m.gen_slice = to_device(m.gen_slice_h);

  // Recording choices.
  m.record_h.assign(m.P, 0);
  for (const std::string& name : m.rec_spike_names)
    m.record_h[m.neuron_pop(name, "record spikes")] = 1;
  if (m.rec_spike_names.empty() && !m.no_spikes)
    for (int p = 0; p < m.P; ++p) m.record_h[p] = !m.pops[p].generator;
  std::vector<std::vector<std::array<u32, 3>>> by_lane(m.L);  // (population, id, column)
  for (auto& [name, ids] : m.rec_voltage) {
    int p = m.neuron_pop(name, "record voltage");
    for (u32 j : ids)
      require(j < m.pops[p].size, "record voltage: neuron " + std::to_string(j) + " of " + name +
                                      " out of range [0, " + std::to_string(m.pops[p].size) + ")");
    if (ids.empty()) continue;
    for (auto& g : m.vrec_groups)
      require(g.first != p, "record voltage: population " + name + " named twice");
    m.vrec_groups.emplace_back(p, ids);
    for (u32 j : ids) by_lane[lane_of(p, j)].push_back({static_cast<u32>(p), j, m.n_vrec++});
  }
  std::vector<u32> vptr(1, 0), vpop, vid, vcol;
  for (int l = 0; l < m.L; ++l) {
    for (auto& r : by_lane[l]) {
      vpop.push_back(r[0]);
      vid.push_back(r[1]);
      vcol.push_back(r[2]);
    }
    vptr.push_back(static_cast<u32>(vpop.size()));
  }
  m.vrec_ptr = to_device(vptr);
  m.vrec_pop = to_device(vpop);
  m.vrec_id = to_device(vid);
  m.vrec_col = to_device(vcol);
  m.vrec_ptr_h = vptr;
  m.vrec_col_h = vcol;

  // Views.
  m.pop_views_h.resize(m.P);
  for (int p = 0; p < m.P; ++p) {
    PopView& v = m.pop_views_h[p];
    v.offset = m.offsets[p];
    v.size = m.pops[p].size;
    v.generator = m.pops[p].generator;
    v.record = 0;
    v.two_receptors = m.two_receptors(p);
    v.kernel = m.groups[p] ? m.groups[p]->kernel() : AnyKernel{};
    v.archive = m.archives[p] ? m.archives[p]->view() : PostArchiveView{};
  }
  m.pop_views = to_device(m.pop_views_h);
  std::vector<PoissonView> pv;
  for (auto& s : m.poissons) pv.push_back(s->view());
  m.poisson_views = to_device(pv);
  std::vector<ProjectionView> qv;
  for (std::size_t q = 0; q < m.projections.size(); ++q) {
    qv.push_back(m.projections[q]->view());
    qv.back().inh_bit = m.two_receptors(qv.back().target_pop) ? kInhibitoryBit : 0u;
    if (m.plastic[q]) {
      const int tp = m.projections[q]->view().target_pop;
      qv.back().plastic =
          m.plastic[q]->view(m.archives[tp] ? m.archives[tp]->view() : PostArchiveView{});
    }
  }
  m.proj_views = to_device(qv);
  m.rec_count.assign(static_cast<std::size_t>(m.P) * m.L, 0);
  m.rec_base.assign(static_cast<std::size_t>(m.P) * m.L, 0);

  m.built = true;
  m.build_s = std::chrono::duration<double>(Clock::now() - t0).count();
}

RunStats Network::run(double duration_ms, Recorder* recorder,
                      const std::function<void(double)>& progress) {
  build();
  Impl& m = *impl_;
  const double dt = config_.dt_ms;
  require(duration_ms >= 0, "run time must be >= 0 ms, got " + num(duration_ms));
  const std::int64_t n_steps = steps_of(duration_ms, dt, "run time");
  require(m.t + n_steps < (1ll << 30), "run too long: " + std::to_string(m.t + n_steps) + " steps");

  // Recording buffers: per cell, room for one block of spikes beyond the flush threshold.
  if (recorder && !m.recorder_ready) {
    m.rec_base_h.assign(static_cast<std::size_t>(m.P) * m.L, 0);
    m.rec_cap_h.assign(static_cast<std::size_t>(m.P) * m.L, 0);
    m.cell_size_h.assign(static_cast<std::size_t>(m.P) * m.L, 0);
    u64 total = 0;
    for (int p = 0; p < m.P; ++p)
      for (int l = 0; l < m.L; ++l) {
        const int c = p * m.L + l;
        u64 size = m.lane_size(p, l);
        m.rec_base_h[c] = total;
        m.cell_size_h[c] = size;
        m.rec_cap_h[c] = m.record_h[p] && m.owns_lane(l)
                             ? m.block * size + std::clamp<u64>(8 * size, 1024, 65536)
                             : 0;
        total += m.rec_cap_h[c];
      }
    m.rec_ids.resize(total);
    m.rec_steps.resize(total);
    m.rec_base = to_device(m.rec_base_h);
    for (int p = 0; p < m.P; ++p) {
      m.pop_views_h[p].record = m.record_h[p];
      if (m.record_h[p]) recorder->add_spike_population(m.pops[p].name);
    }
    m.pop_views = to_device(m.pop_views_h);
    for (auto& [p, ids] : m.vrec_groups)
      recorder->add_report(m.pops[p].name, std::vector<u64>(ids.begin(), ids.end()), (m.t + 1) * dt,
                           dt);
    m.vrow_capacity = std::max(kVoltageRows, m.block);
    m.vrows.resize(static_cast<std::size_t>(m.vrow_capacity) * m.n_vrec);
    m.recorder_ready = true;
  }
  const bool recording = recorder && m.recorder_ready;

  // Spikes and voltages go to the recorder; with several ranks, to rank 0's (gathered there).
  auto flush_spikes = [&]() {
    std::vector<u32> counts = to_std(m.rec_count);
    std::vector<char> bytes;  // several ranks: per recorded population n, steps, ids
    for (int p = 0; p < m.P; ++p) {
      if (!m.record_h[p]) continue;
      std::vector<std::vector<u32>> ids(m.L);
      std::vector<std::vector<i32>> steps(m.L);
      for (int l = 0; l < m.L; ++l) {
        const int c = p * m.L + l;
        ids[l] = slice_to_host(m.rec_ids, m.rec_base_h[c], counts[c]);
        steps[l] = slice_to_host(m.rec_steps, m.rec_base_h[c], counts[c]);
      }
      // Merge the lanes: each is in (step, id) order and lanes hold ascending id ranges.
      std::vector<double> times;
      std::vector<u64> nodes;
      merge_by_step(steps, ids, dt, times, nodes);
      if (!m.dist) {
        recorder->append_spikes(m.pops[p].name, times, nodes);
        continue;
      }
      const u64 n = nodes.size();
      std::vector<i32> st(n);
      std::vector<u32> id(n);
      for (u64 i = 0; i < n; ++i) {
        st[i] = static_cast<i32>(std::llround(times[i] / dt));
        id[i] = static_cast<u32>(nodes[i]);
      }
      put(bytes, &n, 1);
      put(bytes, st.data(), n);
      put(bytes, id.data(), n);
    }
    thrust::fill(m.rec_count.begin(), m.rec_count.end(), 0u);
    if (!m.dist) return;
    const std::vector<std::vector<char>> all = m.ex->gather_to_root(bytes);
    if (m.rank != 0) return;
    std::vector<std::size_t> at(all.size(), 0);
    for (int p = 0; p < m.P; ++p) {
      if (!m.record_h[p]) continue;
      std::vector<std::vector<u32>> ids(all.size());
      std::vector<std::vector<i32>> steps(all.size());
      for (std::size_t r = 0; r < all.size(); ++r) {
        if (all[r].empty()) continue;  // the dry run's other ranks
        u64 n = 0;
        take(all[r], at[r], &n, 1);
        steps[r].resize(n);
        ids[r].resize(n);
        take(all[r], at[r], steps[r].data(), n);
        take(all[r], at[r], ids[r].data(), n);
      }
      std::vector<double> times;
      std::vector<u64> nodes;
      merge_by_step(steps, ids, dt, times, nodes);
      recorder->append_spikes(m.pops[p].name, times, nodes);
    }
  };
  auto flush_voltages = [&]() {
    if (m.vrows_filled == 0) return;
    const u64 n_vrec = m.n_vrec;
    std::vector<float> rows = slice_to_host(m.vrows, 0, m.vrows_filled * n_vrec);
    if (m.dist) {
      // Each rank's columns (its lanes' recorded neurons), rows × columns, to rank 0.
      const int J = m.lane_last - m.lane_first;
      auto columns = [&](int r, auto&& f) {
        for (u32 i = m.vrec_ptr_h[r * J]; i < m.vrec_ptr_h[(r + 1) * J]; ++i) f(m.vrec_col_h[i]);
      };
      std::vector<float> mine;
      for (int row = 0; row < m.vrows_filled; ++row)
        columns(m.rank, [&](u32 col) { mine.push_back(rows[row * n_vrec + col]); });
      std::vector<char> bytes;
      put(bytes, mine.data(), mine.size());
      const std::vector<std::vector<char>> all = m.ex->gather_to_root(bytes);
      if (m.rank != 0) {
        m.vrows_filled = 0;
        return;
      }
      for (std::size_t r = 0; r < all.size(); ++r) {
        if (all[r].empty() || static_cast<int>(r) == m.rank) continue;
        std::vector<float> theirs(all[r].size() / sizeof(float));
        std::size_t at = 0;
        take(all[r], at, theirs.data(), theirs.size());
        std::size_t k = 0;
        for (int row = 0; row < m.vrows_filled; ++row)
          columns(static_cast<int>(r), [&](u32 col) { rows[row * n_vrec + col] = theirs[k++]; });
      }
    }
    std::size_t col = 0;
    for (auto& [p, ids] : m.vrec_groups) {
      const std::size_t n = ids.size();
      std::vector<float> block(m.vrows_filled * n);
      for (int r = 0; r < m.vrows_filled; ++r)
        std::copy(rows.begin() + r * n_vrec + col, rows.begin() + r * n_vrec + col + n,
                  block.begin() + r * n);
      recorder->append_voltage_rows(m.pops[p].name, block.data(), m.vrows_filled);
      col += n;
    }
    m.vrows_filled = 0;
  };
  auto flush = [&]() {
    flush_spikes();
    flush_voltages();
    recorder->flush();
  };

  const std::vector<u64> spikes_before = to_std(m.spike_total);
  const std::vector<u64> events_before = to_std(m.events);
  const auto t0 = Clock::now();
  NetView v = m.view();
  const bool any_generator =
      std::any_of(m.pops.begin(), m.pops.end(), [](auto& e) { return e.generator; });
  auto parallel = [&](u64 work) { return device_is_cuda() || work >= kParallelGrain; };
  thrust::counting_iterator<u32> lanes_begin(static_cast<u32>(m.lane_first)),
      lanes_end(static_cast<u32>(m.lane_last));
  const int cells = m.P * m.L;
  std::int64_t done = 0, next_report = 0;

  bool interrupted = false;
  double exchange_s = 0;
  while (done < n_steps) {
    // SIGINT/SIGTERM: stop at this block boundary, flush below (several ranks: when any rank
    // had a request at the last exchange, all of them).
    if (m.dist ? m.pending_stop : stop_requested() != 0) {
      interrupted = true;
      break;
    }
    const int steps = static_cast<int>(std::min<std::int64_t>(m.block, n_steps - done));
    const int t_first = m.t + 1;

    if (recording) {
      // Room for this block's spikes and voltage rows.
      std::vector<u32> rc;
      const u32* counts;
      if constexpr (device_is_cuda()) {
        rc = to_std(m.rec_count);
        counts = rc.data();
      } else {
        counts = host_ptr(m.rec_count);
      }
      bool full = m.vrows_filled + steps > m.vrow_capacity;
      if (m.dist)
        full = full || m.pending_flush;  // the spike buffers of any rank, at the last exchange
      else
        for (int c = 0; c < cells && !full; ++c)
          full = m.rec_cap_h[c] && counts[c] + steps * m.cell_size_h[c] > m.rec_cap_h[c];
      if (full) flush();
      m.pending_flush = false;
    }
    if (any_generator) {
      for (int b = 0; b < steps; ++b)
        for (int p = 0; p < m.P; ++p) {
          if (!m.pops[p].generator) continue;
          const auto& st = m.gen_steps[p];
          u64 a = m.gen_cursor[p];
          while (a < st.size() && st[a] < t_first + b) ++a;
          u64 e = a;
          while (e < st.size() && st[e] == t_first + b) ++e;
          m.gen_cursor[p] = e;
          m.gen_slice_h[2 * (b * m.P + p)] = m.gen_base[p] + a;
          m.gen_slice_h[2 * (b * m.P + p) + 1] = m.gen_base[p] + e;
        }
      thrust::copy(m.gen_slice_h.begin(), m.gen_slice_h.end(), m.gen_slice.begin());
    }

    // Phase 1: sources and neuron updates for the block's steps.
    u64 work = m.static_work * steps;
    if constexpr (!device_is_cuda()) {
      const u32* tc = host_ptr(m.queue.counts());
      for (int b = 0; b < steps; ++b) {
        const u32* slot = tc + static_cast<u64>((t_first + b) & (m.slots - 1)) * cells;
        for (int c = 0; c < cells; ++c) work += slot[c] & ~kDenseSlot;
      }
      const u32* cc = host_ptr(m.carry_count[t_first & 1]);
      for (int c = 0; c < cells; ++c) work += static_cast<u64>(cc[c]) * steps;
    }
    const int n_stages = static_cast<int>(m.stage_lo.size()) - 1;
    for (int stage = 0; stage < n_stages; ++stage) {
      UpdateBlock update{v, m.t, steps, static_cast<u32>(m.vrows_filled)};
      update.p_lo = m.stage_lo[stage];
      update.p_hi = m.stage_lo[stage + 1];
      update.sources = stage == 0;
      update.record = stage == n_stages - 1;
      if (parallel(work))
        thrust::for_each(exec(), lanes_begin, lanes_end, update);
      else
        thrust::for_each(thrust::seq, lanes_begin, lanes_end, update);
      if (m.dist) {
        u32 flags = stop_requested() ? 1u : 0u;
        if (recording && stage == n_stages - 1) {
          // Would the next block overflow a buffer of this rank? Then every rank flushes first.
          const u32* counts = host_ptr(m.rec_count);
          for (int c = 0; c < cells; ++c)
            if (m.rec_cap_h[c] && counts[c] + m.block * m.cell_size_h[c] > m.rec_cap_h[c])
              flags |= 2u;
        }
        const auto x0 = Clock::now();
        m.exchange_block(steps, m.stage_lo[stage], m.stage_lo[stage + 1], flags);
        exchange_s += std::chrono::duration<double>(Clock::now() - x0).count();
      }

      // Phase 2: delivery of the block's spikes.
      if (!m.proj_views.empty()) {
        double fan = 0;
        if constexpr (!device_is_cuda()) {
          const u32* sc = host_ptr(m.spike_count);
          for (int b = 0; b < steps; ++b)
            for (int p = 0; p < m.P; ++p) {
              u64 s = 0;
              if (m.pops[p].generator)
                s = m.gen_slice_h[2 * (b * m.P + p) + 1] - m.gen_slice_h[2 * (b * m.P + p)];
              else
                for (int l = 0; l < m.L; ++l) s += sc[b * cells + p * m.L + l];
              fan += s * m.fanout[p];
            }
        }
        DeliverBlock deliver{v, m.t, steps};
        deliver.p_lo = m.stage_lo[stage];
        deliver.p_hi = m.stage_lo[stage + 1];
        if (parallel(static_cast<u64>(fan)))
          thrust::for_each(exec(), lanes_begin, lanes_end, deliver);
        else
          thrust::for_each(thrust::seq, lanes_begin, lanes_end, deliver);
      }
    }

    m.t += steps;
    done += steps;
    if (recording) {
      m.vrows_filled += steps;
      if ((m.t / kFlushSteps) != ((m.t - steps) / kFlushSteps)) flush();
    }
    if (progress && done >= next_report) {
      progress(static_cast<double>(done) / n_steps);
      next_report = done + std::max<std::int64_t>(1, n_steps / 100);
    }
  }
  if (recording) flush();
  RunStats st;
  st.steps = done;
  st.interrupted = interrupted;
  st.sim_s = std::chrono::duration<double>(Clock::now() - t0).count();
  st.exchange_s = exchange_s;
  const std::vector<u64> spikes_after = to_std(m.spike_total);
  const std::vector<u64> events_after = to_std(m.events);
  for (std::size_t c = 0; c < spikes_after.size(); ++c)
    st.spikes += spikes_after[c] - spikes_before[c];
  for (std::size_t l = 0; l < events_after.size(); ++l)
    st.syn_events += events_after[l] - events_before[l];
  if (m.dist) {
    std::vector<u64> sums{st.spikes, st.syn_events};
    m.ex->sum(sums);
    st.spikes = sums[0];
    st.syn_events = sums[1];
  }
  for (std::size_t p = 0; p < m.archives.size(); ++p)
    require(!m.archives[p] || !m.archives[p]->overflowed(),
            "stdp_synapse: a neuron of population " + m.pops[p].name + " fired more than " +
                std::to_string(PostArchiveView::kSlots) +
                " times between two presynaptic spikes of one of its synapses (its spike archive "
                "is too short for this network)");

  return st;
}

double Network::build_seconds() const {
  return impl_->build_s;
}
std::int64_t Network::current_step() const {
  return impl_->t;
}

std::uint64_t Network::neurons() const {
  u64 n = 0;
  for (auto& p : impl_->pops)
    if (!p.generator) n += p.size;
  return n;
}

std::uint64_t Network::synapses() const {
  u64 n = 0;
  for (auto& q : impl_->projections) n += q->synapses();
  return n;
}

std::vector<std::string> Network::population_names() const {
  std::vector<std::string> names;
  for (auto& p : impl_->pops)
    if (!p.generator) names.push_back(p.name);
  return names;
}

std::int64_t Network::population_size(const std::string& name) const {
  int p = impl_->index_of(name);
  require(p >= 0, "no population named '" + name + "'");
  return impl_->pops[p].size;
}

std::uint64_t Network::spike_count(const std::string& population) const {
  const Impl& m = *impl_;
  int p = m.neuron_pop(population, "spike_count");
  if (!m.built) return 0;
  std::vector<u64> total = to_std(m.spike_total);
  u64 n = 0;
  for (int l = 0; l < m.L; ++l) n += total[p * m.L + l];
  return n;
}

std::vector<float> Network::voltages(const std::string& population) const {
  Impl& m = *impl_;
  int p = m.neuron_pop(population, "voltages");
  require(m.built, "voltages before the network was built");
  const u32 n = m.pops[p].size;
  DeviceVector<float> out(n);
  thrust::for_each(exec(), thrust::counting_iterator<u32>(0), thrust::counting_iterator<u32>(n),
                   VoltageOf{raw(m.pop_views) + p, raw(out), m.t});
  return to_std(out);
}

int Network::projection_count() const {
  return static_cast<int>(impl_->proj_specs.size());
}

const ProjectionSpec& Network::projection_spec(int i) const {
  require(i >= 0 && i < projection_count(), "no projection " + std::to_string(i));
  return impl_->proj_specs[i];
}

std::vector<float> Network::projection_weights(int i) const {
  require(impl_->built, "projection weights: the network is not built yet");
  require(i >= 0 && i < projection_count(), "no projection " + std::to_string(i));
  if (impl_->plastic[i]) return impl_->plastic[i]->weights();
  return impl_->projections[i]->weights_host();
}

void Network::set_projection_weights(int i, const std::vector<float>& weights) {
  build();
  require(i >= 0 && i < projection_count(), "no projection " + std::to_string(i));
  const ProjectionSpec& s = impl_->proj_specs[i];
  const std::string what =
      "projection " + std::to_string(i) + " (" + s.source + " -> " + s.target + ")";
  require(impl_->plastic[i] != nullptr,
          what + " is static: weights can be set for plastic projections only");
  require(weights.size() == impl_->projections[i]->synapses(),
          what + ": " + std::to_string(weights.size()) + " weights for " +
              std::to_string(impl_->projections[i]->synapses()) + " synapses");
  if (s.synapse.model == SynapseModel::Stdp)
    for (float w : weights)
      if (!(w >= 0 && w <= s.synapse.stdp.w_max))
        throw InvalidParameter(what + ": stdp_synapse weights must lie in [0, Wmax = " +
                               num(s.synapse.stdp.w_max) + "], got " + num(w));
  impl_->plastic[i]->set_weights(weights);
  // The delivery views keep raw pointers: refresh them.
  std::vector<ProjectionView> qv = to_std(impl_->proj_views);
  const int tp = qv[i].target_pop;
  qv[i].plastic = impl_->plastic[i]->view(impl_->archives[tp] ? impl_->archives[tp]->view()
                                                              : PostArchiveView{});
  impl_->proj_views = to_device(qv);
}

std::vector<std::uint64_t> Network::projection_rows(int i) const {
  return impl_->projections.at(i)->row_ptr_host();
}
std::vector<std::uint32_t> Network::projection_targets(int i) const {
  return impl_->projections.at(i)->targets_host();
}
std::pair<std::uint32_t, std::uint32_t> Network::owned_neurons(const std::string& population) const {
  const Impl& m = *impl_;
  require(m.built, "owned neurons: the network is not built yet");
  const int p = m.index_of(population);
  require(p >= 0, "no population named '" + population + "'");
  if (!m.dist) return {0, m.pops[p].size};
  return {m.lane_lo_of(p, m.lane_first), m.lane_lo_of(p, m.lane_last)};
}

MemoryUse Network::memory() const {
  const Impl& m = *impl_;
  MemoryUse u;
  for (auto& q : m.projections) {
    (q->procedural() ? u.procedural_synapses : u.stored_synapses) += q->synapses();
    u.stored_bytes += q->bytes();
  }
  u.procedural_bytes = m.scratch.size() * 4;
  const QueueBytes qb = m.queue.bytes();
  u.queue_event_bytes = qb.events;
  u.zeroed_reserved = qb.dense_reserved + 2 * m.carry[0].size() * 4 + m.spikes.size() * 4;
  u.queue_other_bytes = qb.other;
  u.buffer_bytes = m.rec_ids.size() * 8 + m.vrows.size() * 4;
  return u;
}

std::size_t Network::bytes() const {
  const MemoryUse u = memory();
  return u.stored_bytes + u.procedural_bytes + u.queue_event_bytes + u.zeroed_reserved +
         u.queue_other_bytes + u.buffer_bytes;
}

}  // namespace snn::sim
