// Batch normalisation over time, per channel (tdBN / "BatchNorm3d over T"): x [T, B, C, ...];
// channel c is normalised with the mean and variance of all its T·B·H·W values in training, with
// running estimates in evaluation (PyTorch conventions: momentum 0.1, eps 1e-5, running_var updated
// with the unbiased variance, normalisation with the biased one). The same class is BatchNorm1d for
// [T, B, C] (after a Linear) and BatchNorm2d for [T, B, C, H, W].
//   y = γ · scale · (x − μ) / √(σ² + ε) + β
// `scale` is tdBN's α·V_th (Zheng et al. 2021, "Going deeper with directly-trained larger SNNs");
// 1 gives plain BN over time, what SpikingJelly's SeqToANNContainer(BatchNorm2d) computes.
#pragma once

#include <string>

#include "learning/core/layer.h"

namespace snn::learning {

template <class T>
class BatchNorm : public Layer<T> {
 public:
  /// channels ≥ 1; momentum in [0, 1]; eps > 0; scale > 0 (α·V_th of tdBN, default 1).
  explicit BatchNorm(int channels, std::string name = "bn", double momentum = 0.1,
                     double eps = 1e-5, double scale = 1.0);

  void forward(const Tensor<T>& x, Tensor<T>& y) override;
  void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& grad_y, Tensor<T>& grad_x,
                bool need_grad_x = true) override;
  void collect_parameters(ParameterList<T>& out) override;
  void collect_buffers(BufferList<T>& out) override;
  bool frame_wise() const override { return true; }
  bool backward_reads_output() const override { return false; }
  std::string describe() const override;

  Parameter<T>& weight() { return weight_; }           ///< γ [C], init 1, no weight decay
  Parameter<T>& bias() { return bias_; }               ///< β [C], init 0, no weight decay
  Buffer<T>& running_mean() { return running_mean_; }  ///< [C], init 0
  Buffer<T>& running_var() { return running_var_; }    ///< [C], init 1
  int channels() const { return channels_; }
  double eps() const { return eps_; }
  double scale() const { return scale_; }  ///< tdBN's α·V_th (1 = plain BN)
  /// Each input frame stands for `copies` identical steps (a repeated input run once, see
  /// Sequential::forward_repeated): the batch statistics are those of the copies already, only
  /// the unbiased count of running_var is copies·n. Default 1.
  void set_frame_copies(int copies) { frame_copies_ = copies; }
  /// The last forward's output again from its input x, bit for bit (the same statistics, γ and
  /// β, so before the optimiser step): a residual block recomputes its neurons' inputs in the
  /// backward instead of keeping them.
  void renormalize(const Tensor<T>& x, Tensor<T>& y) const;
  /// Batch mean and 1/√(σ²+ε) of the last training forward, per channel (tests, diagnostics).
  const Tensor<T>& batch_mean() const { return mean_; }
  const Tensor<T>& batch_invstd() const { return invstd_; }

 private:
  int channels_;
  std::string name_;
  double momentum_, eps_, scale_;
  Parameter<T> weight_, bias_;
  Buffer<T> running_mean_, running_var_;
  Tensor<T> mean_, invstd_;                     // statistics the last forward normalised with
  bool last_training_ = true;                   // whether the last forward used batch statistics
  int frame_copies_ = 1;                        // identical steps each input frame stands for
  DeviceVector<double> partial_a_, partial_b_;  // per (channel, frame) sums [C, N]
  DeviceVector<double> sums_a_, sums_b_;        // per channel [C]
};

/// PyTorch's names for the two uses.
template <class T>
using BatchNorm1d = BatchNorm<T>;
template <class T>
using BatchNorm2d = BatchNorm<T>;

}  // namespace snn::learning
