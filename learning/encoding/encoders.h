// Input encoders: images [B, ...] with values in [0, 1] → multi-step input [T, B, ...].
// Poisson: a fresh Bernoulli spike map each step, spike where u < pixel (so 0 never spikes and
// 1 always does). u comes from the counter-based Philox stream, a pure function of
// (seed, batch_key, sample, pixel, step): identical on every system and in the fused path.
// Direct: the image itself at every step.
#pragma once

#include <cstdint>

#include "learning/core/tensor.h"
#include "sim/core/config.h"
#include "sim/core/rng.h"

namespace snn::learning {

enum class EncoderKind { Poisson, Direct };

/// The random stream of Poisson input spikes for one batch. One Philox call gives the uniforms
/// of 4 consecutive steps of one pixel: counter (pixel, step / 4, sample, batch_key low word),
/// word step % 4; the key mixes the seed with batch_key's high word.
struct PoissonStream {
  CounterRng rng;
  std::uint32_t batch_lo = 0;

  static constexpr std::uint32_t kStream = 0x5053u;  ///< "PS": the Poisson input stream id

  static PoissonStream make(std::uint64_t seed, std::uint64_t batch_key) {
    PoissonStream p;
    p.rng.seed = seed ^ ((batch_key >> 32) * 0x9E3779B97F4A7C15ull);
    p.rng.stream = kStream;
    p.batch_lo = static_cast<std::uint32_t>(batch_key);
    return p;
  }
  /// The 4 words for steps 4·quad .. 4·quad+3 of (sample, pixel).
  SNN_HD Random4 draw(std::uint32_t pixel, std::uint32_t quad, std::uint32_t sample) const {
    return rng.draw(pixel, quad, sample, batch_lo);
  }
  /// The spike decision: u = uniform01(word) < pixel. u has 24 bits, so this equals
  /// (word >> 8) < threshold24(pixel).
  template <class T>
  SNN_HD static bool spikes(std::uint32_t word, T pixel) {
    return uniform01(word) < static_cast<float>(pixel);
  }
};

/// The integer threshold k such that uniform01(w) < pixel ⇔ (w >> 8) < k, k in [0, 2^24].
SNN_HD inline std::uint32_t poisson_threshold24(float pixel) {
  if (!(pixel > 0.0f)) return 0u;
  if (pixel >= 1.0f) return 1u << 24;
  // u = m / 2^24 < p ⇔ m < p·2^24 (exact in float) ⇔ m < ceil(p·2^24).
  const float scaled = pixel * 16777216.0f;
  std::uint32_t k = static_cast<std::uint32_t>(scaled);
  return static_cast<float>(k) < scaled ? k + 1 : k;
}

/// Poisson encoding of images [B, ...] into spikes [T, B, ...] (0/1 values).
template <class T>
void poisson_encode(const Tensor<T>& images, int steps, std::uint64_t seed,
                    std::uint64_t batch_key, Tensor<T>& out);

/// Direct encoding: out[t] = images for every t.
template <class T>
void direct_encode(const Tensor<T>& images, int steps, Tensor<T>& out);

}  // namespace snn::learning
