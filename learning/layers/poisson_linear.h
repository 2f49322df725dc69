// The fused first stage of a Poisson-encoded network: Poisson encoder → Linear → IF/LIF in one
// pass per sample. An input spike only selects a weight row of Wᵀ [in, out]; pixels at 0 never
// spike and pixels at 1 always do (no draw: their weight rows are summed once per batch); one
// Philox call gives 8 steps of one pixel; the neuron runs all T steps with its state in registers.
// The spikes are kept as bit masks (T bits per drawn pixel) for the backward, which sums dL/dX_t
// over the steps where each pixel spiked into per-thread gradient buffers, reduced at the end.
// Gives the same spikes, potentials and gradients as poisson_encode → Flatten → Linear → neuron
// (to float rounding), and reads/writes the same Parameter objects.
#pragma once

#include <cstdint>
#include <vector>

#include "learning/core/tensor.h"
#include "learning/layers/linear.h"
#include "learning/neurons/neuron.h"

namespace snn::learning {

template <class T>
class PoissonLinearNeuron {
 public:
  /// Uses (does not own) `linear` and `neuron`; they must outlive this object.
  PoissonLinearNeuron(Linear<T>& linear, SpikingNeuron<T>& neuron, std::uint64_t seed);

  /// images [B, ...] (in_features values each, in [0, 1]) → spikes [T, B, out].
  /// With `record` false (evaluation) nothing is kept for backward.
  void forward(const Tensor<T>& images, int steps, std::uint64_t batch_key, Tensor<T>& spikes,
               bool record = true);
  /// dL/dspikes [T, B, out] → adds dL/dW (and dL/dbias) into the Linear's gradients. Once per
  /// training forward (record = true).
  void backward(const Tensor<T>& grad_spikes);

  /// The input spikes of the last forward as [T, B, in] values 0/1, rebuilt on the host from the
  /// stored masks (tests; slow).
  std::vector<T> input_spikes() const;

  /// V_t after reset, [T, B, out], of the last forward.
  const Tensor<T>& v_seq() const { return v_seq_; }
  /// dL/dV_t to add in the next backward (nullptr: none).
  void set_grad_v_seq(const Tensor<T>* g) { grad_v_seq_ = g; }

 private:
  Linear<T>& linear_;
  SpikingNeuron<T>& neuron_;
  std::uint64_t seed_;
  int steps_ = 0, batch_ = 0, in_ = 0, out_ = 0, width_ = 0;  // width_: out padded for SIMD
  std::uint64_t batch_key_ = 0;
  const Tensor<T>* grad_v_seq_ = nullptr;
  // Buffers reused from batch to batch (grown, never shrunk).
  DeviceVector<T> wt_;            // Wᵀ padded [in, width]
  DeviceVector<T> base_;          // per sample: Σ rows of always-spiking pixels (+ bias) [B, width]
  DeviceVector<int> drawn_;       // per sample: indices of pixels with 0 < p < 1 [B, in]
  DeviceVector<std::uint32_t> thr_;  // their 24-bit thresholds [B, in]
  DeviceVector<int> counts_;      // per sample: [n_drawn, n_ones]
  DeviceVector<int> ones_;        // per sample: indices of pixels >= 1 [B, in]
  DeviceVector<std::uint64_t> bits_;  // per sample, per drawn pixel: T bits [B, in, words]
  DeviceVector<T> current_;       // per sample X_t, then H_t, then dL/dX_t, + 2 rows [B, T + 2, width]
  DeviceVector<T> grad_wt_;       // per partition dL/dWᵀ [P, in, width], zero between batches
  DeviceVector<T> grad_b_;        // per partition dL/dbias [P, width], zero between batches
  bool recorded_ = false;         // a training forward whose scratch the backward may use
  Tensor<T> v_seq_;
};

}  // namespace snn::learning
