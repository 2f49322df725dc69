// Weight initialisation as torch.nn.init, applied to every weight matrix or convolution kernel
// (parameters of two or more dimensions) of a model after it is built; biases and normalisation
// parameters keep their PyTorch defaults. Fans as torch.nn.init._calculate_fan_in_and_fan_out:
// fan_in = size(1)·receptive field, fan_out = size(0)·receptive field (receptive field: the
// product of the dimensions after the second, k² for a Conv2d kernel).
//   normal:           N(0, std²)
//   uniform:          U(−bound, bound)
//   xavier_uniform:   U(±gain·sqrt(6 / (fan_in + fan_out)));  xavier_normal: std = gain·sqrt(2 /
//   (fan_in + fan_out)) kaiming_uniform:  U(±sqrt(3)·gain / sqrt(fan));           kaiming_normal:
//   std = gain / sqrt(fan)
//                     (fan = fan_in or fan_out by mode; gain = calculate_gain(nonlinearity, a))
//   orthogonal:       the weight flattened to size(0) × rest is gain·Q of a normal matrix's QR
//                     decomposition (signs fixed by diag(R) > 0), as torch.nn.init.orthogonal_
// Draws come from Philox streams keyed by (seed, parameter index, element): the same on every
// device system and thread count.
#pragma once

#include <cstdint>
#include <string>

#include "learning/core/parameter.h"

namespace snn::learning {

struct InitOptions {
  /// "default" (PyTorch's layer defaults: nothing is redrawn), "normal", "uniform",
  /// "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal" or "orthogonal".
  std::string scheme = "default";
  double stddev = 1.0;                      ///< normal (torch.nn.init.normal_'s default)
  double bound = 1.0;                       ///< uniform: U(−bound, bound)
  double gain = 1.0;                        ///< xavier and orthogonal
  std::string mode = "fan_in";              ///< kaiming: fan_in or fan_out
  std::string nonlinearity = "leaky_relu";  ///< kaiming (torch's default, with a = 0: sqrt(2))
  double a = 0.0;                           ///< kaiming: negative slope of leaky_relu
};

/// torch.nn.init.calculate_gain: linear, conv*, sigmoid → 1; tanh → 5/3; relu → sqrt(2);
/// leaky_relu → sqrt(2 / (1 + a²)); selu → 3/4. Throws InvalidParameter for another name.
double calculate_gain(const std::string& nonlinearity, double a = 0.0);

/// Throws InvalidParameter for an unknown scheme, mode or nonlinearity, std or bound <= 0 or a
/// gain < 0.
void validate(const InitOptions& options);

/// Redraws every parameter of two or more dimensions by `options` (nothing for "default").
/// Returns the number of parameters redrawn.
template <class T>
int initialize(const ParameterList<T>& params, const InitOptions& options, std::uint64_t seed);

/// Fills `p` (two or more dimensions) by `options`, drawing from stream `index` of `seed`.
template <class T>
void initialize(Parameter<T>& p, const InitOptions& options, std::uint64_t seed,
                std::uint32_t index);

}  // namespace snn::learning
