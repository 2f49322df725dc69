// Builds projections: each rule draws its synapses in parallel from counter-based random numbers
// keyed by (source or target, synapse), so the result depends on the seed alone, then stores
// them by source with rows sorted by target.
#include "sim/synapses/projection.h"

#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <algorithm>
#include <numeric>

#include "sim/core/errors.h"
#include "sim/core/random_dist.h"
#include "sim/core/simd.h"
#include "sim/neurons/neuron_model.h"

namespace snn::sim {

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::FixedInDegree: return "fixed_indegree";
    case Rule::FixedOutDegree: return "fixed_outdegree";
    case Rule::FixedProbability: return "fixed_probability";
    case Rule::OneToOne: return "one_to_one";
    case Rule::AllToAll: return "all_to_all";
    case Rule::List: return "list";
  }
  return "?";
}

namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using Count = thrust::counting_iterator<u32>;

// Counter purposes (the fourth counter word), so no two kinds of draws share numbers.
constexpr u32 kPick = 0, kWalk = 1, kWeight = 2, kDelay = 3;

/// `k` partners of neuron `self` drawn uniformly from n (excluding self when skip_self),
/// written to seg, sorted when `sorted` (rows of targets); with `unique`, repeated partners are
/// redrawn until all differ.
struct DrawPartners {
  CounterRng rng;
  u32 n, k;
  bool skip_self, unique, sorted;
  u32* out;

  SNN_HD u32 pick(Random4 r, int half, u32 self) const {
    u32 m = skip_self ? n - 1 : n;
    u32 s = half ? uniform_index(r.w[2], r.w[3], m) : uniform_index(r.w[0], r.w[1], m);
    return (skip_self && s >= self) ? s + 1 : s;
  }
  SNN_HD void operator()(u32 self) const {
    u32* seg = out + static_cast<u64>(self) * k;
    for (u32 q = 0; q < k; q += 2) {
      Random4 r = rng.draw(self, q >> 1, 0, kPick);
      seg[q] = pick(r, 0, self);
      if (q + 1 < k) seg[q + 1] = pick(r, 1, self);
    }
    if (!unique) {
      if (sorted) sort_in_place(seg, k);
      return;
    }
    for (u32 attempt = 1;; ++attempt) {
      sort_in_place(seg, k);
      bool repeated = false;
      for (u32 q = 1; q < k; ++q) {
        if (seg[q] != seg[q - 1]) continue;
        repeated = true;
        seg[q] = pick(rng.draw(self, q, attempt, kPick), 0, self);
      }
      if (!repeated) return;
    }
  }
};

/// Fixed probability: a walk over the targets with geometric gaps (exact Bernoulli trials).
struct BernoulliRow {
  CounterRng rng;
  u32 n_target;
  double p;
  bool skip_self;
  const u64* row_ptr;  // null on the counting pass
  u32* targets;
  u64* counts;

  SNN_HD void operator()(u32 s) const {
    u64 c = 0;
    u32* out = row_ptr ? targets + row_ptr[s] : nullptr;
    if (p >= 1.0) {
      for (u32 j = 0; j < n_target; ++j)
        if (!(skip_self && j == s)) {
          if (out) out[c] = j;
          ++c;
        }
    } else if (p > 0.0) {
      const double log_q = ::log1p(-p);
      long long j = -1;
      for (u32 i = 0;; ++i) {
        Random4 r = rng.draw(s, i >> 1, 0, kWalk);
        double u = 1.0 - ((i & 1) ? uniform01_double(r.w[2], r.w[3])
                                  : uniform01_double(r.w[0], r.w[1]));
        double gap = ::floor(::log(u) / log_q);
        if (!(gap < static_cast<double>(n_target))) break;
        j += 1 + static_cast<long long>(gap);
        if (j >= static_cast<long long>(n_target)) break;
        if (skip_self && j == s) continue;
        if (out) out[c] = static_cast<u32>(j);
        ++c;
      }
    }
    if (!row_ptr) counts[s] = c;
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

struct DrawWeight {
  CounterRng rng;
  Distribution d;
  float* out;
  SNN_HD void operator()(u64 q) const {
    Random4 r = rng.draw(static_cast<u32>(q), static_cast<u32>(q >> 32), 0, kWeight);
    double v = d.kind == Distribution::Uniform ? d.a + (d.b - d.a) * uniform01_double(r.w[0], r.w[1])
                                               : d.a + d.b * standard_normal(r);
    out[q] = static_cast<float>(v);
  }
};
struct DrawDelay {
  CounterRng rng;
  u32 lo, span;
  std::uint16_t* out;
  SNN_HD void operator()(u64 q) const {
    Random4 r = rng.draw(static_cast<u32>(q), static_cast<u32>(q >> 32), 0, kDelay);
    out[q] = static_cast<std::uint16_t>(lo + uniform_index(r.w[0], r.w[1], span));
  }
};

/// Sorts (source, target) pairs generated in target order into rows by source, keeping each
/// row's targets in order (stable), and returns the row pointers.
DeviceVector<u64> rows_from_pairs(DeviceVector<u32>& src, DeviceVector<u32>& tgt, u32 n_source) {
  thrust::stable_sort_by_key(exec(), src.begin(), src.end(), tgt.begin());
  DeviceVector<u64> row_ptr(static_cast<std::size_t>(n_source) + 1);
  thrust::lower_bound(exec(), src.begin(), src.end(), Count(0), Count(n_source + 1),
                      row_ptr.begin());
  return row_ptr;
}

/// Steps of a delay in ms: exactly 0 (a zero-delay edge, delivered within the step: see
/// network.h), or at least one step and a whole number of steps.
int delay_steps(double ms, double dt_ms, const std::string& what) {
  if (ms == 0.0) return 0;
  if (!(ms >= dt_ms * (1 - 1e-9)))
    throw InvalidParameter(what + " delay " + num(ms) + " ms is shorter than dt " + num(dt_ms) +
                           " ms");
  std::int64_t k = steps_of(ms, dt_ms, what + " delay");
  require(k <= 65535, what + " delay " + num(ms) + " ms is longer than 65535 steps");
  return static_cast<int>(k);
}

}  // namespace

Projection::Projection(const ProjectionSpec& spec, u32 n_source, u32 n_target,
                       bool same_population, double dt_ms, const CounterRng& rng,
                       int source_pop, int target_pop)
    : n_source_(n_source), n_target_(n_target), source_pop_(source_pop), target_pop_(target_pop) {
  const std::string what = "projection " + spec.source + " -> " + spec.target;
  const Connectivity& c = spec.connectivity;
  const bool skip_self = same_population && !c.allow_autapses;
  const u32 partners_src = skip_self ? n_source - (n_source > 0) : n_source;
  const u32 partners_tgt = skip_self ? n_target - (n_target > 0) : n_target;
  DeviceVector<u32> targets;
  std::vector<float> list_weights;
  std::vector<int> list_delays;

  switch (c.rule) {
    case Rule::FixedInDegree:
    case Rule::FixedOutDegree: {
      bool in = c.rule == Rule::FixedInDegree;
      u32 pool = in ? partners_src : partners_tgt;
      require(c.degree >= 0, what + ": degree must be >= 0, got " + std::to_string(c.degree));
      require(c.degree == 0 || pool > 0, what + ": no neurons to connect to");
      require(c.allow_multapses || static_cast<u64>(c.degree) <= pool,
              what + ": degree " + std::to_string(c.degree) + " exceeds the " +
                  std::to_string(pool) + " distinct partners (multapses not allowed)");
      u32 k = static_cast<u32>(c.degree);
      u32 owners = in ? n_target : n_source;
      nnz_ = static_cast<u64>(owners) * k;
      DeviceVector<u32> partners(nnz_);
      thrust::for_each(exec(), Count(0), Count(owners),
                       DrawPartners{rng, in ? n_source : n_target, k, skip_self,
                                    !c.allow_multapses, !in, raw(partners)});
      if (in) {
        DeviceVector<u32> owner_of(nnz_);
        thrust::transform(exec(), thrust::counting_iterator<u64>(0),
                          thrust::counting_iterator<u64>(nnz_), owner_of.begin(), DivK{k});
        row_ptr_ = rows_from_pairs(partners, owner_of, n_source);
        targets.swap(owner_of);
      } else {
        row_ptr_.resize(static_cast<std::size_t>(n_source) + 1);
        thrust::transform(exec(), Count(0), Count(n_source + 1), row_ptr_.begin(), TimesK{k});
        targets.swap(partners);
      }
      break;
    }
    case Rule::FixedProbability: {
      require(c.probability >= 0 && c.probability <= 1,
              what + ": probability must be in [0, 1], got " + num(c.probability));
      DeviceVector<u64> counts(n_source);
      BernoulliRow walk{rng, n_target, c.probability, skip_self, nullptr, nullptr, raw(counts)};
      thrust::for_each(exec(), Count(0), Count(n_source), walk);
      row_ptr_.assign(static_cast<std::size_t>(n_source) + 1, 0);
      thrust::inclusive_scan(exec(), counts.begin(), counts.end(), row_ptr_.begin() + 1);
      nnz_ = row_ptr_.back();
      targets.resize(nnz_);
      walk.row_ptr = raw(row_ptr_);
      walk.targets = raw(targets);
      thrust::for_each(exec(), Count(0), Count(n_source), walk);
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
      break;
    }
    case Rule::List: {
      const std::size_t n = c.sources.size();
      require(c.targets.size() == n, what + ": the list has " + std::to_string(n) +
                                         " sources but " + std::to_string(c.targets.size()) +
                                         " targets");
      require(c.weights.empty() || c.weights.size() == n, what + ": the list needs one weight per pair");
      require(c.delays_ms.empty() || c.delays_ms.size() == n, what + ": the list needs one delay per pair");
      for (std::size_t q = 0; q < n; ++q) {
        require(c.sources[q] < n_source, what + ": list entry " + std::to_string(q) + ": source " +
                                             std::to_string(c.sources[q]) + " out of range [0, " +
                                             std::to_string(n_source) + ")");
        require(c.targets[q] < n_target, what + ": list entry " + std::to_string(q) + ": target " +
                                             std::to_string(c.targets[q]) + " out of range [0, " +
                                             std::to_string(n_target) + ")");
      }
      std::vector<std::size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return c.sources[x] != c.sources[y] ? c.sources[x] < c.sources[y]
                                            : c.targets[x] < c.targets[y];
      });
      std::vector<u64> rp(static_cast<std::size_t>(n_source) + 1, 0);
      std::vector<u32> tg(n);
      for (std::size_t q = 0; q < n; ++q) {
        ++rp[c.sources[order[q]] + 1];
        tg[q] = c.targets[order[q]];
        if (!c.weights.empty()) list_weights.push_back(c.weights[order[q]]);
        if (!c.delays_ms.empty())
          list_delays.push_back(delay_steps(c.delays_ms[order[q]], dt_ms,
                                            what + " list entry " + std::to_string(order[q])));
      }
      std::partial_sum(rp.begin(), rp.end(), rp.begin());
      nnz_ = n;
      row_ptr_ = to_device(rp);
      targets = to_device(tg);
      break;
    }
  }

  // Targets: 16 bits when they fit.
  if (n_target <= 65536) {
    t16_.resize(nnz_);
    thrust::transform(exec(), targets.begin(), targets.end(), t16_.begin(), Narrow16{});
  } else {
    t32_.swap(targets);
  }

  // Weights: one per projection unless drawn or listed per synapse.
  const Distribution& w = spec.weight;
  if (!list_weights.empty()) {
    weights_ = to_device(list_weights);
  } else if (w.kind == Distribution::Constant) {
    weight_ = static_cast<float>(w.a);
  } else {
    require(w.kind != Distribution::Normal || w.b >= 0,
            what + ": weight standard deviation must be >= 0, got " + num(w.b));
    weights_.resize(nnz_);
    thrust::for_each(exec(), thrust::counting_iterator<u64>(0), thrust::counting_iterator<u64>(nnz_),
                     DrawWeight{rng, w, raw(weights_)});
  }

  // Delays: in steps, one per projection unless drawn or listed per synapse.
  const Distribution& d = spec.delay_ms;
  if (!list_delays.empty()) {
    auto mm = std::minmax_element(list_delays.begin(), list_delays.end());
    min_delay_ = *mm.first;
    max_delay_ = *mm.second;
    std::vector<std::uint16_t> h(list_delays.begin(), list_delays.end());
    delays_ = to_device(h);
    delay_ = min_delay_;
  } else if (d.kind == Distribution::Constant) {
    delay_ = min_delay_ = max_delay_ = delay_steps(d.a, dt_ms, what);
  } else {
    require(d.kind == Distribution::Uniform, what + ": a delay is constant or uniform, not normal");
    int lo = delay_steps(d.a, dt_ms, what), hi = delay_steps(d.b, dt_ms, what);
    require(lo <= hi, what + ": delay range [" + num(d.a) + ", " + num(d.b) + "] ms is empty");
    min_delay_ = delay_ = lo;
    max_delay_ = hi;
    delays_.resize(nnz_);
    thrust::for_each(exec(), thrust::counting_iterator<u64>(0), thrust::counting_iterator<u64>(nnz_),
                     DrawDelay{rng, static_cast<u32>(lo), static_cast<u32>(hi - lo + 1), raw(delays_)});
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
                        PlasticView{}};
}

std::vector<std::uint32_t> Projection::targets_host() const {
  if (n_target_ <= 65536) {
    std::vector<std::uint16_t> h = to_std(t16_);
    return std::vector<std::uint32_t>(h.begin(), h.end());
  }
  return to_std(t32_);
}

std::vector<float> Projection::weights_host() const {
  if (!weights_.empty()) return to_std(weights_);
  return std::vector<float>(nnz_, weight_);
}

std::vector<int> Projection::delays_host() const {
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
