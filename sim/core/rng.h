// Counter-based random numbers (Philox4x32-10, Random123): a draw is a pure function of
// (seed, stream, counter), so any thread on any device system computes the same number for the
// same event, in any order. This is what makes the CPU and CUDA builds give identical spikes.
#pragma once

#include <Random123/philox.h>

#include <cstdint>

#include "sim/core/config.h"

namespace snn {

/// Four 32-bit random words.
struct Random4 {
  std::uint32_t w[4];
};

/// A stream of counter-based random numbers. Copyable into functors; holds no state.
struct CounterRng {
  std::uint64_t seed = 0;  ///< user seed
  std::uint32_t stream = 0;  ///< independent stream id (a purpose: "poisson input", "dropout")

  /// Four words for the counter (a, b, c, d), e.g. (step, sample, index, 0).
  SNN_HD Random4 draw(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) const {
    r123::Philox4x32 gen;
    r123::Philox4x32::ctr_type ctr = {{a, b, c, d}};
    r123::Philox4x32::key_type key = {
        {static_cast<std::uint32_t>(seed) ^ (stream * 0x9E3779B9u),
         static_cast<std::uint32_t>(seed >> 32) + stream}};
    r123::Philox4x32::ctr_type r = gen(ctr, key);
    return Random4{{r[0], r[1], r[2], r[3]}};
  }
};

/// Uniform float in [0, 1) from the top 24 bits of a word: exact in float, same on every system.
SNN_HD inline float uniform01(std::uint32_t word) {
  return static_cast<float>(word >> 8) * (1.0f / 16777216.0f);
}

/// Uniform double in [0, 1) from two words (53 bits).
SNN_HD inline double uniform01_double(std::uint32_t hi, std::uint32_t lo) {
  std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return static_cast<double>(bits & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
}

}  // namespace snn
