// Gradient clipping as torch.nn.utils.clip_grad_norm_ and clip_grad_value_, applied between the
// backward pass and the optimizer step:
//   by norm:  total = ‖(‖g_1‖_p, …, ‖g_n‖_p)‖_p over all parameters (p = inf: the largest |g|);
//             coef = max_norm / (total + 1e-6); every grad is multiplied by min(coef, 1).
//   by value: every grad element is clamped to [−clip_value, clip_value].
#pragma once

#include "learning/core/parameter.h"

namespace snn::learning {

/// Scales the grads of `params` so that their total p-norm is at most max_norm and returns the
/// total norm before clipping (PyTorch's return value). norm_type: p >= 1 or infinity. The sums
/// are accumulated in double. Throws InvalidParameter for max_norm <= 0 or norm_type < 1.
template <class T>
double clip_grad_norm(const ParameterList<T>& params, double max_norm, double norm_type = 2.0);

/// Clamps every grad element of `params` to [−clip_value, clip_value]. Throws InvalidParameter
/// for clip_value <= 0.
template <class T>
void clip_grad_value(const ParameterList<T>& params, double clip_value);

}  // namespace snn::learning
