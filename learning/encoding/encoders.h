// Input encoders: images [B, ...] with values in [0, 1] → multi-step input [T, B, ...].
// Poisson: a fresh Bernoulli spike map each step, spike where u < pixel (so 0 never spikes and
// 1 always does) for a 24-bit uniform u from the counter-based Philox stream, a pure function of
// (seed, batch_key, sample, pixel, step): identical on every system and in the fused path.
// Direct: the image itself at every step.
#pragma once

#include <cstdint>

#include "learning/core/tensor.h"
#include "sim/core/config.h"
#include "sim/core/rng.h"

namespace snn::learning {

enum class EncoderKind { Poisson, Direct };

/// The random stream of Poisson input spikes for one batch. A spike at step t of pixel p of
/// sample b is u < p for a 24-bit uniform u = (d·2^8 + r)/2^24, the same resolution as
/// uniform01: d is the 16-bit digit t % 8 of the Philox draw with counter
/// (p, t / 8, b, batch_key low word) (word (t % 8) / 2, low half first), so one draw serves
/// 8 steps; r, 8 more bits, matters only when d equals the top 16 bits of the pixel's threshold
/// (probability 2^-16) and then comes from a second stream with counter (p, t, b, key low word).
/// Both keys mix the seed with batch_key's high word. Any system, any order: the same spikes.
struct PoissonStream {
  CounterRng rng;     ///< the digits
  CounterRng refine;  ///< the 8 low bits, drawn only on ties
  std::uint32_t batch_lo = 0;

  static constexpr std::uint32_t kStream = 0x5053u;        ///< "PS": Poisson input digits
  static constexpr std::uint32_t kRefineStream = 0x5054u;  ///< Poisson input tie-breaks
  static constexpr int kStepsPerDraw = 8;

  static PoissonStream make(std::uint64_t seed, std::uint64_t batch_key) {
    PoissonStream p;
    p.rng.seed = seed ^ ((batch_key >> 32) * 0x9E3779B97F4A7C15ull);
    p.rng.stream = kStream;
    p.refine.seed = p.rng.seed;
    p.refine.stream = kRefineStream;
    p.batch_lo = static_cast<std::uint32_t>(batch_key);
    return p;
  }
  /// The 16-bit digit k (0..7) of a draw.
  SNN_HD static std::uint32_t digit(const Random4& r, int k) {
    return (r.w[k >> 1] >> ((k & 1) * 16)) & 0xFFFFu;
  }
  /// The tie-break: u's low 8 bits < the threshold's low 8 bits.
  SNN_HD bool tie_spikes(std::uint32_t pixel, std::uint32_t step, std::uint32_t sample,
                         std::uint32_t threshold24) const {
    return (refine.draw(pixel, step, sample, batch_lo).w[0] >> 24) < (threshold24 & 0xFFu);
  }
  /// Whether (pixel, step, sample) spikes for a pixel of 24-bit threshold (see poisson_threshold24).
  SNN_HD bool spikes(std::uint32_t pixel, std::uint32_t step, std::uint32_t sample,
                     std::uint32_t threshold24) const {
    if (threshold24 == 0) return false;
    if (threshold24 >= (1u << 24)) return true;
    const std::uint32_t d = digit(rng.draw(pixel, step / kStepsPerDraw, sample, batch_lo),
                                  int(step % kStepsPerDraw));
    const std::uint32_t hi = threshold24 >> 8;
    return d < hi || (d == hi && tie_spikes(pixel, step, sample, threshold24));
  }
};

/// The integer threshold k such that u < pixel ⇔ u·2^24 < k for any u in [0, 1) with 24
/// fractional bits; k in [0, 2^24] (0: never spikes, 2^24: always spikes).
SNN_HD inline std::uint32_t poisson_threshold24(float pixel) {
  if (!(pixel > 0.0f)) return 0u;
  if (pixel >= 1.0f) return 1u << 24;
  // m / 2^24 < p ⇔ m < p·2^24 (exact in float) ⇔ m < ceil(p·2^24).
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
