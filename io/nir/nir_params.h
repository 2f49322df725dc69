// Spatial parameters of NIR's Conv1d/Conv2d/SumPool2d/AvgPool2d as plain integers: a stored
// scalar is repeated per spatial dimension, a stored vector is taken as is, padding "valid" is 0
// and "same" is PyTorch's (total d*(k-1), the smaller half before).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/nir/nir_graph.h"

namespace snn::io {

/// `field` of `node` as `n` integers (a scalar repeated, or a vector of n). FormatError naming
/// `where`, the node and the field for another shape, a non-integer or a string.
std::vector<std::int64_t> nir_ints(const NirNode& node, const std::string& field, std::size_t n,
                                   const std::string& where = "");

/// Padding per spatial dimension, before and after.
struct NirPadding {
  std::vector<std::int64_t> before;
  std::vector<std::int64_t> after;
};

/// The `padding` of a Conv or pooling node with `kernel` and `dilation` per spatial dimension.
NirPadding nir_padding(const NirNode& node, const std::vector<std::int64_t>& kernel,
                       const std::vector<std::int64_t>& dilation, const std::string& where = "");

/// Output length of one spatial dimension (PyTorch's formula): floor((in + pad - d*(k-1) - 1) / s)
/// + 1.
std::int64_t nir_conv_out(std::int64_t in, std::int64_t pad_total, std::int64_t kernel,
                          std::int64_t stride, std::int64_t dilation);

}  // namespace snn::io
