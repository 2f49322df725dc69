// BatchNorm over time: statistics in two fused passes (per-row mean and M2 while the row is in
// cache, rows combined with Chan's formula), normalisation in one; backward in two.
#include <cmath>

#include "learning/layers/batch_norm.h"
#include "learning/layers/index_loop.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace batch_norm_detail {

/// Independent partial sums per row (summed in a fixed order at the end): the adds no longer wait
/// on each other, so the row loops vectorise and pipeline; still double, still deterministic.
constexpr int kLanes = 8;

/// For row (n, c) of `inner` values: its mean and M2 = Σ (x − mean)², written at [c, n].
template <class T>
struct RowMoments {
  const T* x;
  double* row_mean;
  double* row_m2;
  int n_frames, channels;
  std::int64_t inner;
  SNN_HD void operator()(std::int64_t i) const {  // i = n·C + c
    const T* r = x + i * inner;
    double s = 0, acc[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= inner; j += kLanes)
      for (int l = 0; l < kLanes; ++l) acc[l] += r[j + l];
    for (; j < inner; ++j) s += r[j];
    for (int l = 0; l < kLanes; ++l) s += acc[l];
    const double m = s / static_cast<double>(inner);
    double m2 = 0;
    for (int l = 0; l < kLanes; ++l) acc[l] = 0;
    for (j = 0; j + kLanes <= inner; j += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        const double d = r[j + l] - m;
        acc[l] += d * d;
      }
    for (; j < inner; ++j) {
      const double d = r[j] - m;
      m2 += d * d;
    }
    for (int l = 0; l < kLanes; ++l) m2 += acc[l];
    const int c = static_cast<int>(i % channels);
    const std::int64_t n = i / channels;
    row_mean[c * static_cast<std::int64_t>(n_frames) + n] = m;
    row_m2[c * static_cast<std::int64_t>(n_frames) + n] = m2;
  }
};

/// Channel statistics from the rows (equal counts: mean of means; M2 = Σ M2_r + inner·Σ (m_r −
/// μ)²), then the running estimates and the affine coefficients y = a·x + b.
template <class T>
struct ChannelStats {
  const double* row_mean;
  const double* row_m2;
  int n_frames;
  std::int64_t inner;
  double eps, momentum;
  double copies;  // identical steps each frame stands for (the unbiased count only)
  T* mean;
  T* invstd;
  T* running_mean;
  T* running_var;
  SNN_HD void operator()(std::int64_t c) const {
    const double* rm = row_mean + c * n_frames;
    const double* r2 = row_m2 + c * n_frames;
    double mu = 0;
    for (int n = 0; n < n_frames; ++n) mu += rm[n];
    mu /= n_frames;
    double m2 = 0;
    for (int n = 0; n < n_frames; ++n) {
      const double d = rm[n] - mu;
      m2 += r2[n] + static_cast<double>(inner) * d * d;
    }
    const double count = static_cast<double>(n_frames) * static_cast<double>(inner);
    const double var = m2 / count;
    mean[c] = static_cast<T>(mu);
    invstd[c] = static_cast<T>(1.0 / sqrt(var + eps));
    // PyTorch's unbiased estimate over every step the frames stand for: the copies' M2 is
    // copies·m2 over n = copies·count values
    const double n_all = copies * count;
    const double unbiased = n_all > 1 ? m2 * copies / (n_all - 1) : var;
    running_mean[c] = static_cast<T>((1 - momentum) * running_mean[c] + momentum * mu);
    running_var[c] = static_cast<T>((1 - momentum) * running_var[c] + momentum * unbiased);
  }
};

/// Evaluation: the statistics are the running estimates.
template <class T>
struct RunningStats {
  const T* running_mean;
  const T* running_var;
  double eps;
  T* mean;
  T* invstd;
  SNN_HD void operator()(std::int64_t c) const {
    mean[c] = running_mean[c];
    invstd[c] = static_cast<T>(1.0 / sqrt(static_cast<double>(running_var[c]) + eps));
  }
};

/// y = γ·scale·(x − μ)·invstd + β, one (n, c) row per index.
template <class T>
struct Normalize {
  const T* x;
  T* y;
  const T* mean;
  const T* invstd;
  const T* gamma;
  const T* beta;
  double scale;
  int channels;
  std::int64_t inner;
  SNN_HD void operator()(std::int64_t i) const {
    const int c = static_cast<int>(i % channels);
    const T a = static_cast<T>(gamma[c] * scale * invstd[c]);
    const T b = static_cast<T>(beta[c] - a * mean[c]);
    const T* r = x + i * inner;
    T* o = y + i * inner;
    for (std::int64_t j = 0; j < inner; ++j) o[j] = a * r[j] + b;
  }
};

/// Per row: Σ dy and Σ dy·x̂ with x̂ = (x − μ)·invstd, written at [c, n].
template <class T>
struct RowGradSums {
  const T* x;
  const T* grad_y;
  const T* mean;
  const T* invstd;
  double* sum_dy;
  double* sum_dy_xhat;
  int n_frames, channels;
  std::int64_t inner;
  SNN_HD void operator()(std::int64_t i) const {
    const int c = static_cast<int>(i % channels);
    const std::int64_t n = i / channels;
    const T* r = x + i * inner;
    const T* g = grad_y + i * inner;
    const double m = mean[c], is = invstd[c];
    double s = 0, sx = 0, acc[kLanes] = {}, accx[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= inner; j += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        acc[l] += g[j + l];
        accx[l] += g[j + l] * ((r[j + l] - m) * is);
      }
    for (; j < inner; ++j) {
      s += g[j];
      sx += g[j] * ((r[j] - m) * is);
    }
    for (int l = 0; l < kLanes; ++l) {
      s += acc[l];
      sx += accx[l];
    }
    sum_dy[c * static_cast<std::int64_t>(n_frames) + n] = s;
    sum_dy_xhat[c * static_cast<std::int64_t>(n_frames) + n] = sx;
  }
};

/// Per channel: totals, and dγ += scale·Σ dy·x̂, dβ += Σ dy.
template <class T>
struct ChannelGradSums {
  const double* sum_dy;
  const double* sum_dy_xhat;
  int n_frames;
  double scale;
  double* total_dy;
  double* total_dy_xhat;
  T* grad_gamma;
  T* grad_beta;
  SNN_HD void operator()(std::int64_t c) const {
    double s = 0, sx = 0;
    for (int n = 0; n < n_frames; ++n) {
      s += sum_dy[c * n_frames + n];
      sx += sum_dy_xhat[c * n_frames + n];
    }
    total_dy[c] = s;
    total_dy_xhat[c] = sx;
    grad_gamma[c] += static_cast<T>(scale * sx);
    grad_beta[c] += static_cast<T>(s);
  }
};

/// Training: dx = γ·scale·invstd · (dy − Σdy/M − x̂·Σ(dy·x̂)/M); evaluation: dx = γ·scale·invstd·dy.
template <class T>
struct InputGrad {
  const T* x;
  const T* grad_y;
  T* grad_x;
  const T* mean;
  const T* invstd;
  const T* gamma;
  const double* total_dy;       // null in evaluation
  const double* total_dy_xhat;  // null in evaluation
  double scale, count;
  int channels;
  std::int64_t inner;
  SNN_HD void operator()(std::int64_t i) const {
    const int c = static_cast<int>(i % channels);
    const T* r = x + i * inner;
    const T* g = grad_y + i * inner;
    T* o = grad_x + i * inner;
    const double k = gamma[c] * scale * invstd[c];
    if (!total_dy) {
      for (std::int64_t j = 0; j < inner; ++j) o[j] = static_cast<T>(k * g[j]);
      return;
    }
    const double mdy = total_dy[c] / count, mdyx = total_dy_xhat[c] / count;
    const double m = mean[c], is = invstd[c];
    for (std::int64_t j = 0; j < inner; ++j)
      o[j] = static_cast<T>(k * (g[j] - mdy - (r[j] - m) * is * mdyx));
  }
};

}  // namespace batch_norm_detail

template <class T>
BatchNorm<T>::BatchNorm(int channels, std::string name, double momentum, double eps, double scale)
    : channels_(channels), name_(std::move(name)), momentum_(momentum), eps_(eps), scale_(scale) {
  require(channels >= 1, name_ + ": channels must be >= 1, got " + std::to_string(channels));
  require(momentum >= 0 && momentum <= 1,
          name_ + ": momentum must be in [0, 1], got " + std::to_string(momentum));
  require(eps > 0, name_ + ": eps must be > 0, got " + std::to_string(eps));
  require(scale > 0, name_ + ": scale (alpha·V_th) must be > 0, got " + std::to_string(scale));
  weight_ = Parameter<T>(name_ + ".weight", {channels});
  weight_.value.fill(T(1));
  weight_.decay = false;
  bias_ = Parameter<T>(name_ + ".bias", {channels});
  bias_.decay = false;
  running_mean_ = Buffer<T>(name_ + ".running_mean", {channels}, T(0));
  running_var_ = Buffer<T>(name_ + ".running_var", {channels}, T(1));
  mean_.resize({channels}, T(0));
  invstd_.resize({channels}, T(1));
}

template <class T>
void BatchNorm<T>::forward(const Tensor<T>& x, Tensor<T>& y) {
  require(x.ndim() >= 3 && x.dim(2) == channels_, name_ + ": input must be [T, B, " +
                                                      std::to_string(channels_) + ", ...], got " +
                                                      shape_string(x.shape()));
  const int n = static_cast<int>(x.dim(0) * x.dim(1));
  const std::int64_t inner = x.size() / (static_cast<std::int64_t>(n) * channels_);
  last_training_ = this->training_;
  if (this->training_) {
    const std::int64_t rows = static_cast<std::int64_t>(n) * channels_;
    if (static_cast<std::int64_t>(partial_a_.size()) < rows) {
      partial_a_.resize(rows);
      partial_b_.resize(rows);
    }
    for_each_index(rows, batch_norm_detail::RowMoments<T>{x.data(), raw(partial_a_),
                                                          raw(partial_b_), n, channels_, inner});
    for_each_index(channels_, batch_norm_detail::ChannelStats<T>{
                                  raw(partial_a_), raw(partial_b_), n, inner, eps_, momentum_,
                                  double(frame_copies_), mean_.data(), invstd_.data(),
                                  running_mean_.value.data(), running_var_.value.data()});
  } else {
    for_each_index(channels_, batch_norm_detail::RunningStats<T>{running_mean_.value.data(),
                                                                 running_var_.value.data(), eps_,
                                                                 mean_.data(), invstd_.data()});
  }
  renormalize(x, y);
}

template <class T>
void BatchNorm<T>::renormalize(const Tensor<T>& x, Tensor<T>& y) const {
  require(x.ndim() >= 3 && x.dim(2) == channels_ && mean_.size() == channels_,
          name_ + ": renormalize needs a forward's input, got " + shape_string(x.shape()));
  const std::int64_t rows = x.dim(0) * x.dim(1) * channels_;
  y.resize(x.shape());
  for_each_index(rows, batch_norm_detail::Normalize<T>{
                           x.data(), y.data(), mean_.data(), invstd_.data(), weight_.value.data(),
                           bias_.value.data(), scale_, channels_, x.size() / rows});
}

template <class T>
void BatchNorm<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y,
                            Tensor<T>& grad_x, bool need_grad_x) {
  require(grad_y.shape() == x.shape(), name_ + ": grad_y " + shape_string(grad_y.shape()) +
                                           " does not match x " + shape_string(x.shape()));
  const int n = static_cast<int>(x.dim(0) * x.dim(1));
  const std::int64_t inner = x.size() / (static_cast<std::int64_t>(n) * channels_);
  const std::int64_t rows = static_cast<std::int64_t>(n) * channels_;
  if (static_cast<std::int64_t>(partial_a_.size()) < rows) {
    partial_a_.resize(rows);
    partial_b_.resize(rows);
  }
  if (static_cast<int>(sums_a_.size()) < channels_) {
    sums_a_.resize(channels_);
    sums_b_.resize(channels_);
  }
  for_each_index(rows, batch_norm_detail::RowGradSums<T>{x.data(), grad_y.data(), mean_.data(),
                                                         invstd_.data(), raw(partial_a_),
                                                         raw(partial_b_), n, channels_, inner});
  for_each_index(channels_, batch_norm_detail::ChannelGradSums<T>{
                                raw(partial_a_), raw(partial_b_), n, scale_, raw(sums_a_),
                                raw(sums_b_), weight_.grad.data(), bias_.grad.data()});
  if (!need_grad_x) return;
  grad_x.resize(x.shape());
  const bool batch_stats = last_training_;
  for_each_index(rows, batch_norm_detail::InputGrad<T>{
                           x.data(), grad_y.data(), grad_x.data(), mean_.data(), invstd_.data(),
                           weight_.value.data(), batch_stats ? raw(sums_a_) : nullptr,
                           batch_stats ? raw(sums_b_) : nullptr, scale_,
                           static_cast<double>(n) * static_cast<double>(inner), channels_, inner});
}

template <class T>
void BatchNorm<T>::collect_parameters(ParameterList<T>& out) {
  out.push_back(&weight_);
  out.push_back(&bias_);
}

template <class T>
void BatchNorm<T>::collect_buffers(BufferList<T>& out) {
  out.push_back(&running_mean_);
  out.push_back(&running_var_);
}

template <class T>
std::string BatchNorm<T>::describe() const {
  std::string s = "BatchNorm(" + std::to_string(channels_) + ", over T·B·H·W";
  if (scale_ != 1.0) s += ", scale=" + std::to_string(scale_);
  return s + ")";
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace snn::learning
