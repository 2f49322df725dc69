// Surrogate gradients for the Heaviside spike function S = Θ(x), x = H - v_threshold, as in
// SpikingJelly (activation_based/surrogate.py): the forward is always Θ(x) = (x >= 0); the backward
// uses dS/dx = g(x), the derivative of a smooth primitive σ(x) ("surrogate forward", used by tests).
#pragma once

#include <cmath>
#include <string>

#include "sim/core/config.h"

namespace snn::learning {

/// The surrogate functions of SpikingJelly that we implement.
enum class SurrogateKind {
  ATan,                ///< g = (α/2) / (1 + (π/2·α·x)²); σ = arctan(π/2·α·x)/π + 1/2. Default α 2.
  Sigmoid,             ///< g = α·sg(αx)·(1 - sg(αx)); σ = sg(αx). Default α 4.
  PiecewiseQuadratic,  ///< g = α - α²|x| for |x| <= 1/α, else 0. Default α 1.
  SoftSign,            ///< g = α / (2(1 + |αx|)²); σ = (αx/(1+|αx|) + 1)/2. Default α 2.
};

/// A surrogate function and its sharpness α. Default: ATan, α 2.0 (SpikingJelly's default).
struct Surrogate {
  SurrogateKind kind = SurrogateKind::ATan;
  double alpha = 2.0;

  static Surrogate atan(double alpha = 2.0) { return {SurrogateKind::ATan, alpha}; }
  static Surrogate sigmoid(double alpha = 4.0) { return {SurrogateKind::Sigmoid, alpha}; }
  static Surrogate piecewise_quadratic(double alpha = 1.0) {
    return {SurrogateKind::PiecewiseQuadratic, alpha};
  }
  static Surrogate soft_sign(double alpha = 2.0) { return {SurrogateKind::SoftSign, alpha}; }
};

/// "atan", "sigmoid", "piecewise_quadratic", "soft_sign".
std::string surrogate_name(SurrogateKind kind);
/// Parses a name as above (case-sensitive) with SpikingJelly's default α for that kind;
/// throws InvalidParameter naming the bad value and the accepted names.
Surrogate parse_surrogate(const std::string& name);
/// Throws InvalidParameter unless alpha > 0 (and finite).
void validate(const Surrogate& s);

/// The Heaviside forward: 1 where x >= 0 (SpikingJelly's heaviside), else 0.
template <class T>
SNN_HD inline T heaviside(T x) {
  return x >= T(0) ? T(1) : T(0);
}

/// dS/dx of the surrogate at x.
template <class T>
SNN_HD inline T surrogate_grad(SurrogateKind kind, T alpha, T x) {
  const T half_pi = T(1.57079632679489661923);
  switch (kind) {
    case SurrogateKind::ATan: {
      const T z = half_pi * alpha * x;
      return alpha / T(2) / (T(1) + z * z);
    }
    case SurrogateKind::Sigmoid: {
      const T sg = T(1) / (T(1) + std::exp(-alpha * x));
      return alpha * sg * (T(1) - sg);
    }
    case SurrogateKind::PiecewiseQuadratic: {
      const T ax = x < T(0) ? -x : x;
      return ax > T(1) / alpha ? T(0) : alpha - alpha * alpha * ax;
    }
    case SurrogateKind::SoftSign: {
      const T ax = x < T(0) ? -x : x;
      const T d = T(1) + alpha * ax;
      return alpha / (T(2) * d * d);
    }
  }
  return T(0);
}

/// The smooth primitive σ(x) whose derivative is surrogate_grad (σ(-∞) = 0, σ(+∞) = 1).
/// Training never uses it; tests replace Θ by it to check BPTT against finite differences.
template <class T>
SNN_HD inline T surrogate_primitive(SurrogateKind kind, T alpha, T x) {
  const T half_pi = T(1.57079632679489661923);
  const T pi = T(3.14159265358979323846);
  switch (kind) {
    case SurrogateKind::ATan:
      return std::atan(half_pi * alpha * x) / pi + T(0.5);
    case SurrogateKind::Sigmoid:
      return T(1) / (T(1) + std::exp(-alpha * x));
    case SurrogateKind::PiecewiseQuadratic: {
      if (x > T(1) / alpha) return T(1);
      if (x < -T(1) / alpha) return T(0);
      const T ax = x < T(0) ? -x : x;
      return -alpha * alpha / T(2) * x * ax + alpha * x + T(0.5);
    }
    case SurrogateKind::SoftSign: {
      const T ax = x < T(0) ? -x : x;
      return (alpha * x / (T(1) + alpha * ax) + T(1)) / T(2);
    }
  }
  return T(0);
}

}  // namespace snn::learning
