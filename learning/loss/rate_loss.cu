// Rate losses on the device: one transform_reduce over the samples computes each sample's rate,
// loss and dL/drate/T (written into time step 0 of the gradient), and one transform copies that
// slice to the other T − 1 steps. No scratch allocation: the gradient tensor is the scratch.
#include <math.h>
#include <thrust/count.h>
#include <thrust/for_each.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform.h>
#include <thrust/transform_reduce.h>

#include <cstdint>

#include "learning/loss/rate_loss.h"
#include "sim/core/errors.h"

namespace snn::learning {

LossKind parse_loss(const std::string& name) {
  if (name == "mse") return LossKind::MSE;
  if (name == "ce" || name == "cross_entropy") return LossKind::CrossEntropy;
  throw InvalidParameter("unknown loss '" + name + "' (expected mse or ce)");
}

std::string loss_name(LossKind kind) {
  return kind == LossKind::MSE ? "mse" : "ce";
}

namespace {

SNN_HD inline float exp_of(float x) {
  return expf(x);
}
SNN_HD inline double exp_of(double x) {
  return ::exp(x);
}
SNN_HD inline float log_of(float x) {
  return logf(x);
}
SNN_HD inline double log_of(double x) {
  return ::log(x);
}

struct LabelOutOfRange {
  int classes;
  SNN_HD bool operator()(int label) const { return label < 0 || label >= classes; }
};

/// Checks the shapes and labels; returns {T, B, C}.
template <class T>
void check_inputs(const Tensor<T>& output, const DeviceVector<int>& labels, std::int64_t& steps,
                  std::int64_t& batch, std::int64_t& classes) {
  require(output.ndim() == 3,
          "rate loss: output must be [T, B, C], got " + shape_string(output.shape()));
  steps = output.dim(0);
  batch = output.dim(1);
  classes = output.dim(2);
  require(steps > 0 && batch > 0 && classes > 0,
          "rate loss: empty output " + shape_string(output.shape()));
  require(static_cast<std::int64_t>(labels.size()) == batch,
          "rate loss: " + std::to_string(labels.size()) + " labels for a batch of " +
              std::to_string(batch));
  const auto bad = thrust::count_if(exec(), labels.begin(), labels.end(),
                                    LabelOutOfRange{static_cast<int>(classes)});
  require(bad == 0, "rate loss: " + std::to_string(bad) + " label(s) outside [0, " +
                        std::to_string(classes) + ")");
}

/// Per sample b: rate[c] = mean_t output[t, b, c]; returns the sample's loss term and, when
/// `slice` is not null, writes dL/drate[b, c] / T into slice[b·C + c].
/// MSE term: Σ_c (rate_c − y_c)², with dL/drate_c = 2 (rate_c − y_c) / (B·C) (the caller divides
/// the summed terms by B·C). CE term: logsumexp(rate) − rate_label, with
/// dL/drate_c = (softmax_c − y_c) / B (the caller divides by B).
template <class T>
struct SampleLoss {
  const T* out;
  const int* labels;
  T* slice;  // time step 0 of the gradient; also holds the rate while it is computed
  std::int64_t steps, batch, classes;
  bool cross_entropy;

  SNN_HD T rate(std::int64_t b, std::int64_t c) const {
    const std::int64_t stride = batch * classes;
    T sum = T(0);
    for (std::int64_t t = 0; t < steps; ++t) sum += out[t * stride + b * classes + c];
    return sum / T(steps);
  }

  SNN_HD double operator()(std::int64_t b) const {
    const int label = labels[b];
    const T inv_steps = T(1) / T(steps);
    T* g = slice ? slice + b * classes : nullptr;
    if (!cross_entropy) {
      const T scale = T(2) / T(batch * classes) * inv_steps;
      double term = 0.0;
      for (std::int64_t c = 0; c < classes; ++c) {
        const T diff = rate(b, c) - (c == label ? T(1) : T(0));
        term += static_cast<double>(diff) * static_cast<double>(diff);
        if (g) g[c] = scale * diff;
      }
      return term;
    }
    // Cross-entropy, numerically stable: rates go into the slice when it exists, else are
    // recomputed (evaluation only).
    T max_rate = rate(b, 0);
    if (g) g[0] = max_rate;
    for (std::int64_t c = 1; c < classes; ++c) {
      const T r = rate(b, c);
      if (g) g[c] = r;
      if (r > max_rate) max_rate = r;
    }
    T sum_exp = T(0);
    for (std::int64_t c = 0; c < classes; ++c)
      sum_exp += exp_of((g ? g[c] : rate(b, c)) - max_rate);
    const T log_sum = log_of(sum_exp);
    const T label_rate = g ? g[label] : rate(b, label);
    if (g) {
      const T scale = inv_steps / T(batch);
      for (std::int64_t c = 0; c < classes; ++c) {
        const T p = exp_of(g[c] - max_rate - log_sum);
        g[c] = scale * (p - (c == label ? T(1) : T(0)));
      }
    }
    return static_cast<double>(max_rate + log_sum - label_rate);
  }
};

/// grad[t] = grad[0] (a [B·C] slice) for step t >= 1, one step per index: a plain row copy,
/// no modulo per element.
template <class T>
struct CopyFirstStep {
  T* grad;
  std::int64_t slice_size;
  SNN_HD void operator()(std::int64_t t) const {
    T* row = grad + t * slice_size;
    for (std::int64_t j = 0; j < slice_size; ++j) row[j] = grad[j];
  }
};

template <class T>
double loss_impl(LossKind kind, const Tensor<T>& output, const DeviceVector<int>& labels,
                 Tensor<T>* grad) {
  std::int64_t steps, batch, classes;
  check_inputs(output, labels, steps, batch, classes);
  T* slice = nullptr;
  if (grad) {
    grad->resize(output.shape());
    slice = grad->data();
  }
  const bool ce = kind == LossKind::CrossEntropy;
  SampleLoss<T> f{output.data(), raw(labels), slice, steps, batch, classes, ce};
  const double total = thrust::transform_reduce(exec(), thrust::counting_iterator<std::int64_t>(0),
                                                thrust::counting_iterator<std::int64_t>(batch), f,
                                                0.0, thrust::plus<double>());
  if (grad && steps > 1)
    thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(1),
                     thrust::counting_iterator<std::int64_t>(steps),
                     CopyFirstStep<T>{slice, batch * classes});
  return ce ? total / static_cast<double>(batch) : total / static_cast<double>(batch * classes);
}

/// 1 when the argmax of the sample's mean-over-T output (first maximum) is its label.
template <class T>
struct IsCorrect {
  const T* out;
  const int* labels;
  std::int64_t steps, batch, classes;
  SNN_HD int operator()(std::int64_t b) const {
    const std::int64_t stride = batch * classes;
    std::int64_t best = 0;
    T best_rate = T(0);
    for (std::int64_t c = 0; c < classes; ++c) {
      T sum = T(0);
      for (std::int64_t t = 0; t < steps; ++t) sum += out[t * stride + b * classes + c];
      const T r = sum / T(steps);
      if (c == 0 || r > best_rate) {
        best = c;
        best_rate = r;
      }
    }
    return best == labels[b] ? 1 : 0;
  }
};

}  // namespace

template <class T>
double rate_loss(LossKind kind, const Tensor<T>& output, const DeviceVector<int>& labels,
                 Tensor<T>& grad) {
  return loss_impl(kind, output, labels, &grad);
}

template <class T>
double rate_loss_value(LossKind kind, const Tensor<T>& output, const DeviceVector<int>& labels) {
  return loss_impl<T>(kind, output, labels, nullptr);
}

template <class T>
int count_correct(const Tensor<T>& output, const DeviceVector<int>& labels) {
  std::int64_t steps, batch, classes;
  check_inputs(output, labels, steps, batch, classes);
  IsCorrect<T> f{output.data(), raw(labels), steps, batch, classes};
  return thrust::transform_reduce(exec(), thrust::counting_iterator<std::int64_t>(0),
                                  thrust::counting_iterator<std::int64_t>(batch), f, 0,
                                  thrust::plus<int>());
}

#define SNN_INSTANTIATE_RATE_LOSS(T)                                                              \
  template double rate_loss<T>(LossKind, const Tensor<T>&, const DeviceVector<int>&, Tensor<T>&); \
  template double rate_loss_value<T>(LossKind, const Tensor<T>&, const DeviceVector<int>&);       \
  template int count_correct<T>(const Tensor<T>&, const DeviceVector<int>&);
SNN_INSTANTIATE_RATE_LOSS(float)
SNN_INSTANTIATE_RATE_LOSS(double)
#undef SNN_INSTANTIATE_RATE_LOSS

}  // namespace snn::learning
