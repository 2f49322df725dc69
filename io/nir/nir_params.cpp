// Spatial parameters expanded to one integer per dimension (scalar or vector as files store them).
#include "io/nir/nir_params.h"

#include <cmath>

#include "sim/core/errors.h"

namespace snn::io {
namespace {

std::string prefix(const std::string& where, const NirNode& node, const std::string& field) {
  std::string w =
      where.empty() ? "node '" + node.name + "' (" + nir_type_name(node.type) + ")" : where;
  return w + ": field '" + field + "'";
}

}  // namespace

std::vector<std::int64_t> nir_ints(const NirNode& node, const std::string& field, std::size_t n,
                                   const std::string& where) {
  auto it = node.params.find(field);
  if (it == node.params.end()) throw FormatError(prefix(where, node, field) + ": missing");
  const NirArray& a = it->second;
  if (a.is_string())
    throw FormatError(prefix(where, node, field) + ": expected integers, got '" + a.text + "'");
  if (a.shape.size() > 1 || (a.size() != 1 && a.size() != n))
    throw FormatError(prefix(where, node, field) + ": expected a scalar or " + std::to_string(n) +
                      " values, got " + std::to_string(a.size()));
  std::vector<std::int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = a.values[a.size() == 1 ? 0 : i];
    if (v != std::floor(v) || std::fabs(v) > 9.0e15)
      throw FormatError(prefix(where, node, field) + ": expected integers, got " + num(v));
    out[i] = std::int64_t(v);
  }
  return out;
}

NirPadding nir_padding(const NirNode& node, const std::vector<std::int64_t>& kernel,
                       const std::vector<std::int64_t>& dilation, const std::string& where) {
  const std::size_t n = kernel.size();
  NirPadding p;
  auto it = node.params.find("padding");
  if (it != node.params.end() && it->second.is_string()) {
    const std::string& s = it->second.text;
    if (s == "valid") {
      p.before.assign(n, 0);
      p.after.assign(n, 0);
    } else if (s == "same") {
      // PyTorch's 'same' (stride 1): total d*(k-1); the extra one of an odd total goes after.
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t total = dilation[i] * (kernel[i] - 1);
        p.before.push_back(total / 2);
        p.after.push_back(total - total / 2);
      }
    } else {
      throw FormatError(prefix(where, node, "padding") +
                        ": expected 'same', 'valid' or integers, got '" + s + "'");
    }
    return p;
  }
  p.before = nir_ints(node, "padding", n, where);
  for (auto v : p.before)
    if (v < 0) throw FormatError(prefix(where, node, "padding") + ": must be >= 0");
  p.after = p.before;
  return p;
}

std::int64_t nir_conv_out(std::int64_t in, std::int64_t pad_total, std::int64_t kernel,
                          std::int64_t stride, std::int64_t dilation) {
  const std::int64_t span = in + pad_total - dilation * (kernel - 1) - 1;
  if (span < 0 || stride < 1) return 0;
  return span / stride + 1;
}

}  // namespace snn::io
