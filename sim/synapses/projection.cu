// Builds projections: each rule draws its synapses in parallel from counter-based random numbers
// keyed by (source or target, synapse), so the result depends on the seed alone, then stores
// them by source with rows sorted by target.
#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/core/errors.h"
#include "sim/core/random_dist.h"
#include "sim/core/simd.h"
#include "sim/neurons/neuron_model.h"
#include "sim/synapses/degree_share.h"
#include "sim/synapses/projection.h"
#include "sim/synapses/total_number_split.h"

namespace snn::sim {

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::FixedInDegree:
      return "fixed_indegree";
    case Rule::FixedOutDegree:
      return "fixed_outdegree";
    case Rule::FixedProbability:
      return "fixed_probability";
    case Rule::OneToOne:
      return "one_to_one";
    case Rule::AllToAll:
      return "all_to_all";
    case Rule::List:
      return "list";
    case Rule::FixedTotalNumber:
      return "fixed_total_number";
  }
  return "?";
}

namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using Count = thrust::counting_iterator<u32>;

/// Fixed total number: target first + i's offs[i + 1] - offs[i] sources into out[offs[i] ..), and
/// each synapse's key (target << 32 | pick) into key[offs[i] ..).
struct CountedRows {
  rows::DegreeRow row;  // k is set per target
  const u64* offs;
  u32* out;
  u64* key;
  u32 first;
  SNN_HD void operator()(u32 t) const {
    const u64 o = offs[t - first];
    rows::DegreeRow r = row;
    r.k = static_cast<u32>(offs[t - first + 1] - o);
    r.draw(t, out + o);
    for (u32 q = 0; q < r.k; ++q) key[o + q] = (static_cast<u64>(t) << 32) | q;
  }
};
struct HighWord {
  SNN_HD u32 operator()(u64 x) const { return static_cast<u32>(x >> 32); }
};

/// Fixed probability: counts the rows (row_ptr null), then writes them.
struct WalkRows {
  rows::BernoulliRow row;
  const u64* row_ptr;  // null on the counting pass
  u32* targets;
  u64* counts;
  u32 lo, hi;  // the targets kept
  SNN_HD void operator()(u32 s) const {
    u64 c = 0;
    u32* out = row_ptr ? targets + row_ptr[s] : nullptr;
    row.for_each_target(s, lo, hi, [&](u32 j) {
      if (out) out[c] = j;
      ++c;
    });
    if (!row_ptr) counts[s] = c;
  }
};

/// Weights and delays per synapse of source s's row, keyed as random_rows.h says: by (s, target)
/// (kByTarget), (s, position) (kByPosition), (target, pick) from the pre-sort index (kByPick), or
/// (target, pick) packed as target << 32 | pick (kByPacked, fixed total number).
enum KeyMode { kByTarget, kByPosition, kByPick, kByPacked };
struct RowValues {
  CounterRng rng;
  rows::ValueDraw w;
  rows::DelayDraw d;
  const u64* row_ptr;
  const u32* targets;
  const u64* orig;  // kByPick: owner * k + pick of each synapse
  u32 k;
  int mode;
  float* w_out;          // null: no weight per synapse
  std::uint16_t* d_out;  // null: no delay per synapse
  SNN_HD void operator()(u32 s) const {
    for (u64 m = row_ptr[s]; m < row_ptr[s + 1]; ++m) {
      u32 ka = s, kb = static_cast<u32>(m - row_ptr[s]);
      if (mode == kByTarget) kb = targets[m];
      if (mode == kByPick) {
        ka = static_cast<u32>(orig[m] / k);
        kb = static_cast<u32>(orig[m] % k);
      }
      if (mode == kByPacked) {
        ka = static_cast<u32>(orig[m] >> 32);
        kb = static_cast<u32>(orig[m]);
      }
      if (w_out) w_out[m] = w.weight(rng, ka, kb);
      if (d_out) d_out[m] = d.steps(rng, ka, kb);
    }
  }
};

struct AllTargets {
  u32 n_target;
  bool skip_self;
  const u64* row_ptr;
  u32* targets;
  SNN_HD void operator()(u32 s) const {
    u32* out = targets + row_ptr[s];
    for (u32 j = 0, c = 0; j < n_target; ++j)
      if (!(skip_self && j == s)) out[c++] = j;
  }
};

struct TimesK {
  u64 k;
  SNN_HD u64 operator()(u32 i) const { return i * k; }
};
struct DivK {
  u32 k;
  SNN_HD u32 operator()(u64 i) const { return static_cast<u32>(i / k); }
};
struct Narrow16 {
  SNN_HD std::uint16_t operator()(u32 x) const { return static_cast<std::uint16_t>(x); }
};

/// Sorts (source, target) pairs generated in target order into rows by source, keeping each
/// row's targets in order (stable), and returns the row pointers.
template <class V>
DeviceVector<u64> rows_from_pairs(DeviceVector<u32>& src, DeviceVector<V>& tgt, u32 n_source) {
  thrust::stable_sort_by_key(exec(), src.begin(), src.end(), tgt.begin());
  DeviceVector<u64> row_ptr(static_cast<std::size_t>(n_source) + 1);
  thrust::lower_bound(exec(), src.begin(), src.end(), Count(0), Count(n_source + 1),
                      row_ptr.begin());
  return row_ptr;
}

/// Keeps only the synapses onto targets in [lo, hi) (rows stay sorted by target), with their
/// weights and delays; returns the number kept. On the host: used by the rules whose rows are
/// drawn whole (fixed out-degree, one-to-one, all-to-all, lists).
u64 keep_targets(u32 lo, u32 hi, DeviceVector<u64>& row_ptr, DeviceVector<u32>& targets,
                 DeviceVector<float>& weights, DeviceVector<std::uint16_t>& delays) {
  const std::vector<u64> rp = to_std(row_ptr);
  const std::vector<u32> tg = to_std(targets);
  const std::vector<float> w = to_std(weights);
  const std::vector<std::uint16_t> d = to_std(delays);
  std::vector<u64> rp2(rp.size(), 0);
  std::vector<u32> tg2;
  std::vector<float> w2;
  std::vector<std::uint16_t> d2;
  for (std::size_t s = 0; s + 1 < rp.size(); ++s) {
    for (u64 m = rp[s]; m < rp[s + 1]; ++m) {
      if (tg[m] < lo || tg[m] >= hi) continue;
      tg2.push_back(tg[m]);
      if (!w.empty()) w2.push_back(w[m]);
      if (!d.empty()) d2.push_back(d[m]);
    }
    rp2[s + 1] = tg2.size();
  }
  row_ptr = to_device(rp2);
  targets = to_device(tg2);
  if (!w.empty()) weights = to_device(w2);
  if (!d.empty()) delays = to_device(d2);
  return tg2.size();
}

/// Steps of a valid delay in ms: exactly 0 (a zero-delay edge, delivered within the step: see
/// network.h), or a whole number of steps in [1, 65535]; -1 when invalid (delay_steps says why).
/// Cheap enough for lists of millions of delays, which build a message only for a bad one.
int valid_delay_steps(double ms, double dt_ms) {
  if (ms == 0.0) return 0;
  const double k = std::round(ms / dt_ms);
  return ms >= dt_ms * (1 - 1e-9) && k <= 65535 && on_step_grid(ms, dt_ms) ? static_cast<int>(k)
                                                                           : -1;
}

/// valid_delay_steps, or the InvalidParameter that names what is wrong with the delay.
int delay_steps(double ms, double dt_ms, const std::string& what) {
  const int k = valid_delay_steps(ms, dt_ms);
  if (k >= 0) return k;
  if (!(ms >= dt_ms * (1 - 1e-9)))
    throw InvalidParameter(what + " delay " + num(ms) + " ms is shorter than dt " + num(dt_ms) +
                           " ms");
  steps_of(ms, dt_ms, what + " delay");  // throws: not a multiple of dt
  throw InvalidParameter(what + " delay " + num(ms) + " ms is longer than 65535 steps");
}

/// The weight and delay of a projection as drawn per synapse (or constant), checked.
struct Values {
  rows::ValueDraw w;
  rows::DelayDraw d;
  bool per_weight, per_delay;
  int min_delay, max_delay;
};
Values values_of(const ProjectionSpec& spec, double dt_ms, const std::string& what) {
  Values v{};
  const Distribution& w = spec.weight;
  require(w.kind != Distribution::Normal || w.b >= 0,
          what + ": weight standard deviation must be >= 0, got " + num(w.b));
  v.w = rows::ValueDraw{static_cast<int>(w.kind), w.a, w.b};
  v.per_weight = w.kind != Distribution::Constant;
  const Distribution& d = spec.delay_ms;
  if (d.kind == Distribution::Constant) {
    v.min_delay = v.max_delay = delay_steps(d.a, dt_ms, what);
  } else {
    require(d.kind == Distribution::Uniform, what + ": a delay is constant or uniform, not normal");
    v.min_delay = delay_steps(d.a, dt_ms, what);
    v.max_delay = delay_steps(d.b, dt_ms, what);
    require(v.min_delay <= v.max_delay,
            what + ": delay range [" + num(d.a) + ", " + num(d.b) + "] ms is empty");
  }
  v.per_delay = v.max_delay > v.min_delay || d.kind == Distribution::Uniform;
  v.d = rows::DelayDraw{static_cast<u32>(v.min_delay),
                        v.per_delay ? static_cast<u32>(v.max_delay - v.min_delay + 1) : 0u};
  return v;
}

}  // namespace

Projection::Projection(const ProjectionSpec& spec, u32 n_source, u32 n_target, bool same_population,
                       double dt_ms, const CounterRng& rng, int source_pop, int target_pop,
                       u32 keep_lo, u32 keep_hi)
    : n_source_(n_source), n_target_(n_target), source_pop_(source_pop), target_pop_(target_pop) {
  keep_hi = std::min(keep_hi, n_target);
  keep_lo = std::min(keep_lo, keep_hi);
  const bool part = keep_lo > 0 || keep_hi < n_target;
  const std::string what = "projection " + spec.source + " -> " + spec.target;
  const Connectivity& c = spec.connectivity;
  const bool skip_self = same_population && !c.allow_autapses;
  const u32 partners_src = skip_self ? n_source - (n_source > 0) : n_source;
  const u32 partners_tgt = skip_self ? n_target - (n_target > 0) : n_target;
  if (c.rule == Rule::FixedInDegree || c.rule == Rule::FixedOutDegree) {
    const bool in = c.rule == Rule::FixedInDegree;
    const u32 pool = in ? partners_src : partners_tgt;
    require(c.degree >= 0, what + ": degree must be >= 0, got " + std::to_string(c.degree));
    require(c.degree == 0 || pool > 0, what + ": no neurons to connect to");
    require(c.allow_multapses || static_cast<u64>(c.degree) <= pool,
            what + ": degree " + std::to_string(c.degree) + " exceeds the " + std::to_string(pool) +
                " distinct partners (multapses not allowed)");
  }
  if (c.rule == Rule::FixedTotalNumber) {
    require(c.degree >= 0, what + ": N must be >= 0, got " + std::to_string(c.degree));
    require(c.degree == 0 || (partners_src > 0 && n_target > 0), what + ": no neurons to connect");
    // NEST draws without multapses by rejection; here the per-target counts are multinomial, so
    // a target could be dealt more synapses than it has distinct sources.
    require(c.allow_multapses, what +
                                   ": fixed_total_number draws its N pairs with repetition "
                                   "(allow_multapses true, NEST's default); use fixed_indegree or "
                                   "fixed_probability for distinct pairs");
  }
  if (c.rule == Rule::FixedProbability)
    require(c.probability >= 0 && c.probability <= 1,
            what + ": probability must be in [0, 1], got " + num(c.probability));
  if (spec.procedural) {
    build_procedural(spec, skip_self, dt_ms, rng, what);
    // Rows are drawn whole at delivery, which keeps a lane's targets: count this share only.
    if (part && n_target)
      nnz_ = static_cast<u64>(
          std::llround(static_cast<double>(nnz_) * (keep_hi - keep_lo) / n_target));
    return;
  }
  bool drawn_in_range = false;  // rows hold only kept targets already
  DeviceVector<u32> targets;
  DeviceVector<u64> orig;  // fixed in-degree with values per synapse: owner * k + pick
  std::vector<float> list_weights;
  std::vector<int> list_delays;
  int key_mode = kByPosition;
  const Values val = values_of(spec, dt_ms, what);

  switch (c.rule) {
    case Rule::FixedInDegree:
    case Rule::FixedOutDegree: {
      bool in = c.rule == Rule::FixedInDegree;
      u32 k = static_cast<u32>(c.degree);
      const rows::DegreeRow row{rng,       in ? n_source : n_target, k,
                                skip_self, !c.allow_multapses,       !in};
      if (!in && part && !val.per_weight && !val.per_delay) {
        // A share of the targets (a rank of several): drawn in chunks (degree_share.h). Values
        // per synapse are keyed by the position in the whole row, so those rows take the path
        // below and are filtered afterwards.
        nnz_ = rows::draw_degree_share(row, n_source, keep_lo, keep_hi, row_ptr_, targets);
        drawn_in_range = true;
        break;
      }
      // In-degree: only the kept targets' partners are drawn (owners keep_lo .. keep_hi).
      const u32 first = in ? keep_lo : 0;
      const u32 owners = in ? keep_hi - keep_lo : n_source;
      drawn_in_range = in;
      nnz_ = static_cast<u64>(owners) * k;
      DeviceVector<u32> partners(nnz_);
      thrust::for_each(exec(), Count(first), Count(first + owners),
                       rows::DegreeRows{row, raw(partners), first});
      if (in && (val.per_weight || val.per_delay)) {
        // Values keyed by (target, pick): keep each synapse's pre-sort index.
        orig.resize(nnz_);
        thrust::sequence(exec(), orig.begin(), orig.end(), static_cast<u64>(first) * k);
        row_ptr_ = rows_from_pairs(partners, orig, n_source);
        targets.resize(nnz_);
        thrust::transform(exec(), orig.begin(), orig.end(), targets.begin(), DivK{k});
        key_mode = kByPick;
      } else if (in) {
        DeviceVector<u32> owner_of(nnz_);
        thrust::transform(exec(), thrust::counting_iterator<u64>(static_cast<u64>(first) * k),
                          thrust::counting_iterator<u64>(static_cast<u64>(first) * k + nnz_),
                          owner_of.begin(), DivK{k});
        row_ptr_ = rows_from_pairs(partners, owner_of, n_source);
        targets.swap(owner_of);
      } else {
        row_ptr_.resize(static_cast<std::size_t>(n_source) + 1);
        thrust::transform(exec(), Count(0), Count(n_source + 1), row_ptr_.begin(), TimesK{k});
        targets.swap(partners);
      }
      break;
    }
    case Rule::FixedTotalNumber: {
      // The kept targets' synapse counts (total_number_split.h), then their sources.
      const u32 owners = keep_hi - keep_lo;
      std::vector<u64> offs(static_cast<std::size_t>(owners) + 1, 0);
      rows::total_number_counts(rng, 0, n_target, static_cast<u64>(c.degree), keep_lo, keep_hi,
                                offs.data() + 1);
      for (std::size_t i = 1; i < offs.size(); ++i)
        require(offs[i] <= 0xffffffffull, what + ": more than 2^32 synapses onto one target");
      std::partial_sum(offs.begin(), offs.end(), offs.begin());
      nnz_ = offs.back();
      const DeviceVector<u64> d_offs = to_device(offs);
      DeviceVector<u32> partners(nnz_);
      orig.resize(nnz_);
      thrust::for_each(exec(), Count(keep_lo), Count(keep_hi),
                       CountedRows{rows::DegreeRow{rng, n_source, 0, skip_self, false, false},
                                   raw(d_offs), raw(partners), raw(orig), keep_lo});
      row_ptr_ = rows_from_pairs(partners, orig, n_source);
      targets.resize(nnz_);
      thrust::transform(exec(), orig.begin(), orig.end(), targets.begin(), HighWord{});
      drawn_in_range = true;
      key_mode = kByPacked;
      break;
    }
    case Rule::FixedProbability: {
      DeviceVector<u64> counts(n_source);
      WalkRows walk{rows::BernoulliRow::make(rng, n_target, c.probability, skip_self),
                    nullptr,
                    nullptr,
                    raw(counts),
                    keep_lo,
                    keep_hi};
      drawn_in_range = true;
      thrust::for_each(exec(), Count(0), Count(n_source), walk);
      row_ptr_.assign(static_cast<std::size_t>(n_source) + 1, 0);
      thrust::inclusive_scan(exec(), counts.begin(), counts.end(), row_ptr_.begin() + 1);
      nnz_ = row_ptr_.back();
      targets.resize(nnz_);
      walk.row_ptr = raw(row_ptr_);
      walk.targets = raw(targets);
      thrust::for_each(exec(), Count(0), Count(n_source), walk);
      key_mode = kByTarget;
      break;
    }
    case Rule::OneToOne: {
      require(n_source == n_target, what + ": one_to_one needs equal sizes, got " +
                                        std::to_string(n_source) + " and " +
                                        std::to_string(n_target));
      nnz_ = n_source;
      row_ptr_.resize(static_cast<std::size_t>(n_source) + 1);
      thrust::sequence(exec(), row_ptr_.begin(), row_ptr_.end());
      targets.resize(nnz_);
      thrust::sequence(exec(), targets.begin(), targets.end());
      key_mode = kByTarget;
      break;
    }
    case Rule::AllToAll: {
      u64 per_row = skip_self ? n_target - 1 : n_target;
      nnz_ = per_row * n_source;
      row_ptr_.resize(static_cast<std::size_t>(n_source) + 1);
      thrust::transform(exec(), Count(0), Count(n_source + 1), row_ptr_.begin(), TimesK{per_row});
      targets.resize(nnz_);
      thrust::for_each(exec(), Count(0), Count(n_source),
                       AllTargets{n_target, skip_self, raw(row_ptr_), raw(targets)});
      key_mode = kByTarget;
      break;
    }
    case Rule::List: {
      const std::size_t n = c.sources.size();
      require(c.targets.size() == n, what + ": the list has " + std::to_string(n) +
                                         " sources but " + std::to_string(c.targets.size()) +
                                         " targets");
      require(c.weights.empty() || c.weights.size() == n,
              what + ": the list needs one weight per pair");
      require(c.delays_ms.empty() || c.delays_ms.size() == n,
              what + ": the list needs one delay per pair");
      // Messages are built only for an entry that fails: lists hold millions of pairs.
      for (std::size_t q = 0; q < n; ++q) {
        if (c.sources[q] < n_source && c.targets[q] < n_target) continue;
        require(c.sources[q] < n_source, what + ": list entry " + std::to_string(q) + ": source " +
                                             std::to_string(c.sources[q]) + " out of range [0, " +
                                             std::to_string(n_source) + ")");
        require(c.targets[q] < n_target, what + ": list entry " + std::to_string(q) + ": target " +
                                             std::to_string(c.targets[q]) + " out of range [0, " +
                                             std::to_string(n_target) + ")");
      }
      std::vector<std::size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      auto before = [&](std::size_t x, std::size_t y) {
        return c.sources[x] != c.sources[y] ? c.sources[x] < c.sources[y]
                                            : c.targets[x] < c.targets[y];
      };
      // Lists often come in order (NIR maps, SONATA edges sorted by source): no sort then.
      if (!std::is_sorted(order.begin(), order.end(), before))
        std::stable_sort(order.begin(), order.end(), before);
      std::vector<u64> rp(static_cast<std::size_t>(n_source) + 1, 0);
      std::vector<u32> tg(n);
      for (std::size_t q = 0; q < n; ++q) {
        ++rp[c.sources[order[q]] + 1];
        tg[q] = c.targets[order[q]];
        if (!c.weights.empty()) list_weights.push_back(c.weights[order[q]]);
        if (!c.delays_ms.empty()) {
          const double ms = c.delays_ms[order[q]];
          const int k = valid_delay_steps(ms, dt_ms);
          list_delays.push_back(
              k >= 0 ? k
                     : delay_steps(ms, dt_ms, what + " list entry " + std::to_string(order[q])));
        }
      }
      std::partial_sum(rp.begin(), rp.end(), rp.begin());
      nnz_ = n;
      row_ptr_ = to_device(rp);
      targets = to_device(tg);
      break;
    }
  }

  // Weights and delays: one per projection unless drawn or listed per synapse.
  weight_ = static_cast<float>(spec.weight.a);
  delay_ = min_delay_ = val.min_delay;
  max_delay_ = val.max_delay;
  if (!list_weights.empty()) {
    weights_ = to_device(list_weights);
  } else if (val.per_weight) {
    weights_.resize(nnz_);
  }
  if (!list_delays.empty()) {
    auto mm = std::minmax_element(list_delays.begin(), list_delays.end());
    min_delay_ = delay_ = *mm.first;
    max_delay_ = *mm.second;
    std::vector<std::uint16_t> h(list_delays.begin(), list_delays.end());
    delays_ = to_device(h);
  } else if (val.per_delay) {
    delays_.resize(nnz_);
  }
  const bool draw_w = list_weights.empty() && val.per_weight;
  const bool draw_d = list_delays.empty() && val.per_delay;
  if (draw_w || draw_d)
    thrust::for_each(exec(), Count(0), Count(n_source),
                     RowValues{rng, val.w, val.d, raw(row_ptr_), raw(targets), raw(orig),
                               static_cast<u32>(c.degree), key_mode,
                               draw_w ? raw(weights_) : nullptr, draw_d ? raw(delays_) : nullptr});
  DeviceVector<u64>().swap(orig);
  if (part && !drawn_in_range)
    nnz_ = keep_targets(keep_lo, keep_hi, row_ptr_, targets, weights_, delays_);

  // Targets: 16 bits when they fit.
  if (n_target <= 65536) {
    t16_.resize(nnz_);
    thrust::transform(exec(), targets.begin(), targets.end(), t16_.begin(), Narrow16{});
  } else {
    t32_.swap(targets);
  }
}

void Projection::build_procedural(const ProjectionSpec& spec, bool skip_self, double dt_ms,
                                  const CounterRng& rng, const std::string& what) {
  const Connectivity& c = spec.connectivity;
  const std::string why =
      what + ": procedural connectivity regenerates every synapse from the seed";
  require(c.rule != Rule::List,
          what +
              ": a list of pairs (with per-synapse weights or delays from the list) cannot be "
              "procedural; drop \"procedural\" or use a random rule (fixed_probability, "
              "fixed_indegree, fixed_outdegree, fixed_total_number, all_to_all) with a "
              "projection-wide or random "
              "weight and delay");
  require(c.rule != Rule::OneToOne,
          why + ", and one_to_one is not random: store it (drop \"procedural\")");
  require(spec.synapse.model == SynapseModel::Static,
          why +
              ", but a plastic synapse keeps a weight per synapse: store it (drop "
              "\"procedural\")");
  const Values val = values_of(spec, dt_ms, what);
  weight_ = static_cast<float>(spec.weight.a);
  delay_ = min_delay_ = val.min_delay;
  max_delay_ = val.max_delay;
  proc_.weight = val.w;
  proc_.delay = val.d;
  proc_.rng = rng;
  const u32 partners_src = skip_self ? n_source_ - (n_source_ > 0) : n_source_;
  const u32 partners_tgt = skip_self ? n_target_ - (n_target_ > 0) : n_target_;
  switch (c.rule) {
    case Rule::FixedOutDegree: {
      const u32 k = static_cast<u32>(c.degree);
      proc_.kind = ProceduralView::OutDegree;
      proc_.degree = rows::DegreeRow{rng, n_target_, k, skip_self, !c.allow_multapses, true};
      nnz_ = static_cast<u64>(n_source_) * k;
      break;
    }
    case Rule::FixedInDegree: {
      // Drawn per target in the stored form; procedurally each pair with p = K / sources.
      require(static_cast<u64>(c.degree) <= partners_src,
              why +
                  ": a procedural fixed_indegree connects each pair with probability K / "
                  "sources, so K = " +
                  std::to_string(c.degree) + " must not exceed the " +
                  std::to_string(partners_src) + " sources");
      const double p = partners_src ? static_cast<double>(c.degree) / partners_src : 0.0;
      proc_.kind = ProceduralView::Walk;
      proc_.walk = rows::BernoulliRow::make(rng, n_target_, p, skip_self);
      nnz_ = static_cast<u64>(c.degree) * n_target_;
      break;
    }
    case Rule::FixedTotalNumber: {
      // Drawn per target in the stored form; procedurally each pair with p = N / pairs.
      const double pairs = static_cast<double>(n_source_) * partners_tgt;
      require(static_cast<double>(c.degree) <= pairs,
              why +
                  ": a procedural fixed_total_number connects each pair with probability N / "
                  "pairs, so N = " +
                  std::to_string(c.degree) + " must not exceed the " + num(pairs) + " pairs");
      const double p = pairs > 0 ? static_cast<double>(c.degree) / pairs : 0.0;
      proc_.kind = ProceduralView::Walk;
      proc_.walk = rows::BernoulliRow::make(rng, n_target_, p, skip_self);
      nnz_ = static_cast<u64>(c.degree);
      break;
    }
    case Rule::FixedProbability:
    case Rule::AllToAll: {
      const double p = c.rule == Rule::AllToAll ? 1.0 : c.probability;
      proc_.kind = ProceduralView::Walk;
      proc_.walk = rows::BernoulliRow::make(rng, n_target_, p, skip_self);
      nnz_ = static_cast<u64>(std::llround(p * n_source_ * static_cast<double>(partners_tgt)));
      break;
    }
    default:
      break;
  }
}

void Projection::draw_rows(std::vector<u64>* rp, std::vector<u32>* tg, std::vector<float>* w,
                           std::vector<int>* d) const {
  std::vector<u32> seg(scratch_size());
  if (rp) rp->assign(1, 0);
  for (u32 s = 0; s < n_source_; ++s) {
    u64 n = 0;
    auto emit = [&](u32 j, u32 kb) {
      if (tg) tg->push_back(j);
      if (w) w->push_back(proc_.weight.weight(proc_.rng, s, kb));
      if (d) d->push_back(proc_.delay.span ? proc_.delay.steps(proc_.rng, s, kb) : delay_);
      ++n;
    };
    if (proc_.kind == ProceduralView::OutDegree) {
      proc_.degree.draw(s, seg.data());
      for (u32 m = 0; m < proc_.degree.k; ++m) emit(seg[m], m);
    } else {
      proc_.walk.for_each_target(s, 0, n_target_, [&](u32 j) { emit(j, j); });
    }
    if (rp) rp->push_back(rp->back() + n);
  }
}

ProjectionView Projection::view() const {
  const bool narrow = n_target_ <= 65536;
  return ProjectionView{raw(row_ptr_),
                        narrow ? raw(t16_) : nullptr,
                        narrow ? nullptr : raw(t32_),
                        weights_.empty() ? nullptr : raw(weights_),
                        delays_.empty() ? nullptr : raw(delays_),
                        weight_,
                        delay_,
                        source_pop_,
                        target_pop_,
                        0u,  // the network sets inh_bit: it knows the target's model
                        PlasticView{},
                        proc_};
}

std::vector<std::uint64_t> Projection::row_ptr_host() const {
  if (!procedural()) return to_std(row_ptr_);
  std::vector<u64> rp;
  draw_rows(&rp, nullptr, nullptr, nullptr);
  return rp;
}

std::vector<std::uint32_t> Projection::targets_host() const {
  if (procedural()) {
    std::vector<u32> tg;
    draw_rows(nullptr, &tg, nullptr, nullptr);
    return tg;
  }
  if (n_target_ <= 65536) {
    std::vector<std::uint16_t> h = to_std(t16_);
    return std::vector<std::uint32_t>(h.begin(), h.end());
  }
  return to_std(t32_);
}

std::vector<float> Projection::weights_host() const {
  if (procedural()) {
    std::vector<float> w;
    draw_rows(nullptr, nullptr, &w, nullptr);
    return w;
  }
  if (!weights_.empty()) return to_std(weights_);
  return std::vector<float>(nnz_, weight_);
}

std::vector<int> Projection::delays_host() const {
  if (procedural()) {
    std::vector<int> d;
    draw_rows(nullptr, nullptr, nullptr, &d);
    return d;
  }
  if (!delays_.empty()) {
    std::vector<std::uint16_t> h = to_std(delays_);
    return std::vector<int>(h.begin(), h.end());
  }
  return std::vector<int>(nnz_, delay_);
}

std::size_t Projection::bytes() const {
  return row_ptr_.size() * 8 + t16_.size() * 2 + t32_.size() * 4 + weights_.size() * 4 +
         delays_.size() * 2;
}

}  // namespace snn::sim
