// Distributions over CounterRng words, usable in device functors: bounded integers, normals,
// Poisson counts. Every draw is a pure function of the words it is given, so callers keep their
// randomness a function of (seed, purpose, index, step) and independent of thread count.
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/core/config.h"
#include "sim/core/rng.h"

namespace snn {

/// floor(u·n / 2^64) for the 64-bit uniform u = hi:lo: a uniform integer in [0, n) with bias
/// below n/2^64.
SNN_HD inline std::uint32_t uniform_index(std::uint32_t hi, std::uint32_t lo, std::uint32_t n) {
  std::uint64_t a = static_cast<std::uint64_t>(hi) * n;
  std::uint64_t b = static_cast<std::uint64_t>(lo) * n;
  return static_cast<std::uint32_t>((a + (b >> 32)) >> 32);
}

/// A standard normal from four words (Box-Muller, double precision).
SNN_HD inline double standard_normal(const Random4& r) {
  double u1 = 1.0 - uniform01_double(r.w[0], r.w[1]);  // (0, 1]
  double u2 = uniform01_double(r.w[2], r.w[3]);
  return ::sqrt(-2.0 * ::log(u1)) * ::cos(6.283185307179586 * u2);
}

/// A Poisson(mu) count drawn from the counter stream (a, b, c, attempt): inversion for small
/// means, Hormann's PTRS transformed rejection (as numpy) for mu >= 10. Exact in distribution.
SNN_HD inline std::uint32_t poisson_count(double mu, const CounterRng& rng, std::uint32_t a,
                                          std::uint32_t b, std::uint32_t c) {
  if (mu <= 0) return 0;
  if (mu < 10.0) {
    Random4 r = rng.draw(a, b, c, 0);
    double u = uniform01_double(r.w[0], r.w[1]);
    double p = ::exp(-mu), f = p;
    std::uint32_t k = 0;
    while (u > f && k < 1000) {
      ++k;
      p *= mu / k;
      f += p;
    }
    return k;
  }
  const double slam = ::sqrt(mu), loglam = ::log(mu);
  const double bb = 0.931 + 2.53 * slam, aa = -0.059 + 0.02483 * bb;
  const double inv_alpha = 1.1239 + 1.1328 / (bb - 3.4), vr = 0.9277 - 3.6224 / (bb - 2);
  for (std::uint32_t attempt = 0;; ++attempt) {
    Random4 r = rng.draw(a, b, c, attempt);
    double U = uniform01_double(r.w[0], r.w[1]) - 0.5;
    double V = uniform01_double(r.w[2], r.w[3]);
    double us = 0.5 - ::fabs(U);
    double k = ::floor((2 * aa / us + bb) * U + mu + 0.43);
    if (us >= 0.07 && V <= vr) return static_cast<std::uint32_t>(k);
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (::log(V) + ::log(inv_alpha) - ::log(aa / (us * us) + bb) <=
        -mu + k * loglam - ::lgamma(k + 1))
      return static_cast<std::uint32_t>(k);
  }
}

}  // namespace snn
