// Losses on the firing rate of the output layer, as in SpikingJelly's examples: the network output
// [T, B, C] is averaged over T into a rate [B, C], and the loss compares that rate with the label.
// Both the loss and dL/doutput are computed on the device (one pass over the samples, one over
// the elements); only the scalar loss comes back to the host.
#pragma once

#include <string>

#include "learning/core/tensor.h"
#include "sim/core/device_vector.h"

namespace snn::learning {

enum class LossKind {
  MSE,           ///< F.mse_loss(rate, one_hot(label)): mean over the B·C elements (default)
  CrossEntropy,  ///< F.cross_entropy(rate, label): log-softmax of the rate, mean over B
};

/// "mse" → MSE; "ce" or "cross_entropy" → CrossEntropy; anything else throws InvalidParameter.
LossKind parse_loss(const std::string& name);
/// "mse" or "ce".
std::string loss_name(LossKind kind);

/// Mean loss of the batch. `output` is [T, B, C]; `labels` holds B class indices in [0, C) on the
/// device. Writes dL/doutput (shape [T, B, C]; grad is resized) with
/// dL/doutput[t, b, c] = dL/drate[b, c] / T. Throws InvalidParameter for a wrong shape, a label
/// count other than B, or a label outside [0, C).
template <class T>
double rate_loss(LossKind kind, const Tensor<T>& output, const DeviceVector<int>& labels,
                 Tensor<T>& grad);

/// The same mean loss without the gradient (evaluation).
template <class T>
double rate_loss_value(LossKind kind, const Tensor<T>& output, const DeviceVector<int>& labels);

/// Number of samples whose rate argmax (mean over T) equals the label; ties go to the lowest
/// class index, as torch.argmax.
template <class T>
int count_correct(const Tensor<T>& output, const DeviceVector<int>& labels);

}  // namespace snn::learning
