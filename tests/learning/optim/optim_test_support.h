// Shared by the optimizer tests: a two-parameter model (a weight with weight decay, a bias
// without) and a deterministic gradient that depends on the current values, as a loss would.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "learning/core/parameter.h"

namespace snn::learning::testing {

/// Host values of both parameters, weight first: 6 weight values then 3 bias values.
using Values = std::vector<std::vector<double>>;

inline Values initial_values() {
  return {{0.5, -0.25, 1.0, -1.5, 0.75, 0.125}, {0.1, -0.2, 0.3}};
}

/// Gradient of step k (1-based) for value x at flat index i of parameter j.
inline double grad_of(double x, int j, int i, int k) {
  return 0.3 * x + 0.1 * std::sin(1.0 + i + 3 * j + 0.7 * k) - 0.05 * k;
}

template <class T>
struct TwoParams {
  Parameter<T> weight{"fc.weight", {2, 3}};
  Parameter<T> bias{"fc.bias", {3}};

  TwoParams() {
    bias.decay = false;
    set(initial_values());
  }
  ParameterList<T> list() { return {&weight, &bias}; }
  Parameter<T>& at(int j) { return j == 0 ? weight : bias; }

  void set(const Values& v) {
    for (int j = 0; j < 2; ++j) at(j).value.from_host(at(j).value.shape(), cast(v[j]));
  }
  Values get() {
    Values v(2);
    for (int j = 0; j < 2; ++j) {
      const std::vector<T> h = at(j).value.to_host();
      v[j].assign(h.begin(), h.end());
    }
    return v;
  }
  /// Sets the grads of step k from the current values.
  void set_grads(int k) {
    const Values v = get();
    for (int j = 0; j < 2; ++j) {
      std::vector<double> g(v[j].size());
      for (std::size_t i = 0; i < g.size(); ++i) g[i] = grad_of(v[j][i], j, static_cast<int>(i), k);
      at(j).grad.from_host(at(j).grad.shape(), cast(g));
    }
  }

  static std::vector<T> cast(const std::vector<double>& v) {
    return std::vector<T>(v.begin(), v.end());
  }
};

/// Reference grads of step k for host values (decay flags: weight yes, bias no).
inline Values reference_grads(const Values& p, int k) {
  Values g = p;
  for (int j = 0; j < 2; ++j)
    for (std::size_t i = 0; i < p[j].size(); ++i)
      g[j][i] = grad_of(p[j][i], j, static_cast<int>(i), k);
  return g;
}

inline bool decays(int j) {
  return j == 0;
}

}  // namespace snn::learning::testing
