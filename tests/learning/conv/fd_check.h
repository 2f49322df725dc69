// Finite-difference helpers of the conv tests: random tensors, a weighted-sum loss and a central
// difference check of any tensor's analytic gradient, in double precision.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "learning/core/tensor.h"

namespace snn::learning::testing {

inline std::vector<double> random_values(std::size_t n, std::uint64_t seed, double lo = -1,
                                         double hi = 1) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = u(gen);
  return v;
}

inline Tensor<double> random_tensor(const Shape& shape, std::uint64_t seed, double lo = -1,
                                    double hi = 1) {
  Tensor<double> t;
  t.from_host(shape, random_values(static_cast<std::size_t>(shape_size(shape)), seed, lo, hi));
  return t;
}

/// L = Σ w ⊙ y for fixed random weights w: dL/dy = w, and every output matters.
inline double weighted_sum(const Tensor<double>& y, const Tensor<double>& w) {
  std::vector<double> a = y.to_host(), b = w.to_host();
  EXPECT_EQ(a.size(), b.size());
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

inline void set_value(Tensor<double>& t, std::size_t i, double v) {
  std::vector<double> h = t.to_host();
  h[i] = v;
  t.from_host(t.shape(), h);
}

/// Checks analytic[i] ≈ (L(t_i + h) − L(t_i − h)) / 2h for up to `max_checks` indices of `t`
/// (evenly spread), where `loss` recomputes L from scratch.
inline void expect_gradient(Tensor<double>& t, const std::vector<double>& analytic,
                            const std::function<double()>& loss, const char* what,
                            double tol = 1e-6, std::size_t max_checks = 60, double h = 1e-5) {
  ASSERT_EQ(static_cast<std::size_t>(t.size()), analytic.size()) << what;
  const std::size_t n = analytic.size();
  const std::size_t step = std::max<std::size_t>(1, n / max_checks);
  double max_abs = 0;
  for (double g : analytic) max_abs = std::max(max_abs, std::abs(g));
  for (std::size_t i = 0; i < n; i += step) {
    const double orig = t.to_host()[i];
    set_value(t, i, orig + h);
    const double lp = loss();
    set_value(t, i, orig - h);
    const double lm = loss();
    set_value(t, i, orig);
    const double numeric = (lp - lm) / (2 * h);
    EXPECT_NEAR(analytic[i], numeric, tol * std::max(1.0, max_abs))
        << what << " index " << i << " of " << n;
  }
}

}  // namespace snn::learning::testing
