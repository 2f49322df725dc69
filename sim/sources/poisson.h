// Poisson generators with an independent stream per target, as NEST's poisson_generator or
// Brian2's PoissonInput: every target receives its own Poisson spike train of `rate_hz` through
// a synapse of weight `weight` and delay `delay_ms`.
//
// Two exact samplers, chosen by lambda = rate·dt, the mean count per target per step:
//  - dense (lambda >= 0.05): a count per target per step by inversion of the Poisson CDF with a
//    precomputed table of thresholds (one 32-bit word per draw, four per Philox call); the
//    targets are then visited at every step anyway.
//  - sparse: targets in blocks of 1024; per block and step a Poisson(lambda·n) total, each event
//    landing on a uniform target of the block (superposition of independent Poisson processes),
//    so the cost follows the number of events, not of targets.
// Draws are a function of (seed, source, step, target or block), independent of thread count.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/device_vector.h"
#include "sim/core/random_dist.h"
#include "sim/core/rng.h"

namespace snn::sim {

struct PoissonSpec {
  std::string target;          ///< population name
  std::uint32_t first = 0;     ///< first target neuron
  std::int64_t count = -1;     ///< number of targets, -1: to the end of the population
  double rate_hz = 0;          ///< rate of each target's train, Hz
  double weight = 0;           ///< mV (delta synapses) or pA (current synapses)
  double delay_ms = 0;         ///< ms, a multiple of dt; 0: one step
};

/// What the update functor reads, trivially copyable.
struct PoissonView {
  int pop;
  std::uint32_t first, count;
  float weight;
  int delay;                        ///< steps
  int dense;                        ///< 1: a count per target and step
  const std::uint32_t* thresholds;  ///< dense, lambda <= kTableMaxLambda: P(X <= k)·2^32
  int n_thresholds;
  double lambda;                    ///< mean count per target per step
  CounterRng rng;

  static constexpr std::uint32_t kBlock = 1024;

  /// Dense: the count of target r (relative to `first`) from word w of its group's draw.
  SNN_HD std::uint32_t dense_count(std::uint32_t w, int t, std::uint32_t r) const {
    if (thresholds) {
      std::uint32_t c = 0;
      for (int k = 0; k < n_thresholds; ++k) c += w >= thresholds[k];
      return c;
    }
    return poisson_count(lambda, rng, static_cast<std::uint32_t>(t), r, 1);
  }
};

/// Owns a source's table; builds its view.
class PoissonSource {
 public:
  static constexpr double kDenseLambda = 0.05;
  static constexpr double kTableMaxLambda = 30.0;

  PoissonSource(int pop, std::uint32_t first, std::uint32_t count, double rate_hz, double weight,
                int delay_steps, double dt_ms, const CounterRng& rng)
      : view_{pop, first, count, static_cast<float>(weight), delay_steps, 0, nullptr, 0,
              rate_hz * dt_ms * 1e-3, rng} {
    view_.dense = view_.lambda >= kDenseLambda;
    if (view_.dense && view_.lambda <= kTableMaxLambda) {
      // thresholds t_k = ceil(F(k)·2^32) while below 2^32 - 1: X = #{k : u >= t_k}, exact to 2^-32
      std::vector<std::uint32_t> h;
      double p = std::exp(-view_.lambda), f = p;
      for (int k = 0; k < 4096 && f * 4294967296.0 < 4294967295.0; ++k) {
        h.push_back(static_cast<std::uint32_t>(std::ceil(f * 4294967296.0)));
        p *= view_.lambda / (k + 1);
        f += p;
      }
      table_ = to_device(h);
      view_.n_thresholds = static_cast<int>(h.size());
    }
  }
  PoissonView view() const {
    PoissonView v = view_;
    v.thresholds = table_.empty() ? nullptr : raw(table_);
    return v;
  }
  bool dense() const { return view_.dense; }

 private:
  PoissonView view_;
  DeviceVector<std::uint32_t> table_;
};

}  // namespace snn::sim
