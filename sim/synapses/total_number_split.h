// fixed_total_number (NEST's rule): N synapses, each with a uniform source and a uniform target.
// The number of synapses onto each target is then multinomial(N; 1/n, ..., 1/n). It is drawn as a
// binary tree of binomial splits over the target indices [0, n): the node [lo, hi) holding m
// synapses sends Binomial(m, (mid - lo) / (hi - lo)) of them to its left half, from Philox
// counters keyed by (lo, hi). The tree is over target indices, not over workers or processes, so
// whoever owns targets [a, b) walks only the nodes that overlap them (about 2 (b - a) + 2 log2 n
// draws) and gets the counts one process would: the connectivity does not depend on the split.
// Each target's sources are then drawn like fixed_indegree's, keyed by (target, pick).
// Host code: std::binomial_distribution (exact for any m) fed by the node's counter words.
#pragma once

#include <cstdint>
#include <random>

#include "sim/core/rng.h"
#include "sim/synapses/random_rows.h"

namespace snn::sim::rows {

/// One tree node's counter words as a UniformRandomBitGenerator.
class NodeBits {
 public:
  using result_type = std::uint32_t;
  NodeBits(const CounterRng& rng, std::uint32_t lo, std::uint32_t hi)
      : rng_(rng), lo_(lo), hi_(hi) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 0xffffffffu; }
  result_type operator()() {
    if ((i_ & 3) == 0) r_ = rng_.draw(lo_, hi_, i_ >> 2, kSplit);
    return r_.w[i_++ & 3];
  }

 private:
  CounterRng rng_;
  std::uint32_t lo_, hi_, i_ = 0;
  Random4 r_{};
};

/// counts[j - a] = the synapses onto target j, for j in [a, b), of a projection of `total`
/// synapses over n targets. Called with the root [0, n) and m = total.
inline void total_number_counts(const CounterRng& rng, std::uint32_t lo, std::uint32_t hi,
                                std::uint64_t m, std::uint32_t a, std::uint32_t b,
                                std::uint64_t* counts) {
  if (hi <= a || lo >= b || lo >= hi) return;
  if (hi - lo == 1 || m == 0) {
    for (std::uint32_t j = lo > a ? lo : a; j < hi && j < b; ++j) counts[j - a] = 0;
    if (hi - lo == 1) counts[lo - a] = m;
    return;
  }
  const std::uint32_t mid = lo + (hi - lo) / 2;
  NodeBits bits(rng, lo, hi);
  std::binomial_distribution<std::uint64_t> left(
      m, static_cast<double>(mid - lo) / static_cast<double>(hi - lo));
  const std::uint64_t l = left(bits);
  total_number_counts(rng, lo, mid, l, a, b, counts);
  total_number_counts(rng, mid, hi, m - l, a, b, counts);
}

}  // namespace snn::sim::rows
