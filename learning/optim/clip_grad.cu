// Gradient clipping: a Thrust reduction per parameter for the norm, one transform per parameter
// for the scaling or clamping.
#include <math.h>
#include <thrust/for_each.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "learning/optim/clip_grad.h"
#include "sim/core/errors.h"

namespace snn::learning {

namespace {

/// |g|^p in double (p = 1 and 2 without pow: exact as PyTorch's specialised kernels).
template <class T>
struct PowAbs {
  const T* g;
  double p;
  SNN_HD double operator()(std::int64_t i) const {
    const double a = fabs(static_cast<double>(g[i]));
    if (p == 1.0) return a;
    if (p == 2.0) return a * a;
    return pow(a, p);
  }
};

template <class T>
struct AbsOf {
  const T* g;
  SNN_HD double operator()(std::int64_t i) const { return fabs(static_cast<double>(g[i])); }
};

struct MaxOf {
  SNN_HD double operator()(double a, double b) const { return a < b ? b : a; }
};

template <class T>
struct Scale {
  T* g;
  T coef;
  SNN_HD void operator()(std::int64_t i) const { g[i] = g[i] * coef; }
};

template <class T>
struct Clamp {
  T* g;
  T lo, hi;
  SNN_HD void operator()(std::int64_t i) const {
    const T v = g[i];
    g[i] = v < lo ? lo : (v > hi ? hi : v);
  }
};

template <class F>
void for_each_index(std::int64_t n, F f) {
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(n), f);
}

}  // namespace

template <class T>
double clip_grad_norm(const ParameterList<T>& params, double max_norm, double norm_type) {
  require(max_norm > 0.0, "gradient clipping: max_norm must be > 0, got " + num(max_norm));
  require(norm_type >= 1.0,
          "gradient clipping: norm_type must be >= 1 or inf, got " + num(norm_type));
  const bool inf = std::isinf(norm_type);
  double total = 0.0;
  for (const Parameter<T>* p : params) {
    const auto first = thrust::counting_iterator<std::int64_t>(0);
    const auto last = first + p->grad.size();
    if (inf) {
      total = std::max(total, thrust::transform_reduce(exec(), first, last,
                                                       AbsOf<T>{p->grad.data()}, 0.0, MaxOf{}));
    } else {
      // Σ_params ‖g‖_p^p = ‖(‖g_1‖_p, …)‖_p^p: the per-parameter norms need not be formed.
      total += thrust::transform_reduce(exec(), first, last, PowAbs<T>{p->grad.data(), norm_type},
                                        0.0, thrust::plus<double>());
    }
  }
  if (!inf) total = norm_type == 2.0 ? std::sqrt(total) : std::pow(total, 1.0 / norm_type);
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    for (Parameter<T>* p : params)
      for_each_index(p->grad.size(), Scale<T>{p->grad.data(), static_cast<T>(coef)});
  }
  return total;
}

template <class T>
void clip_grad_value(const ParameterList<T>& params, double clip_value) {
  require(clip_value > 0.0, "gradient clipping: clip value must be > 0, got " + num(clip_value));
  const T hi = static_cast<T>(clip_value);
  for (Parameter<T>* p : params) for_each_index(p->grad.size(), Clamp<T>{p->grad.data(), -hi, hi});
}

template double clip_grad_norm<float>(const ParameterList<float>&, double, double);
template double clip_grad_norm<double>(const ParameterList<double>&, double, double);
template void clip_grad_value<float>(const ParameterList<float>&, double);
template void clip_grad_value<double>(const ParameterList<double>&, double);

}  // namespace snn::learning
