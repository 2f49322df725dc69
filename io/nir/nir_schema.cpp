// Field lists of the NIR node types (as nir-1.0.7's `nir/ir/*.py` dataclasses and
// `serialization.read_node` take them) and the per-node checks of the reader.
#include "io/nir/nir_schema.h"

#include <cmath>

#include "io/nir/nir_params.h"
#include "sim/core/errors.h"

namespace snn::io {
namespace {

using N = NirNeed;

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

[[noreturn]] void fail(const std::string& where, const std::string& field,
                       const std::string& what) {
  throw FormatError(where + ": field '" + field + "': " + what);
}

/// The parameter whose shape the defaults and the neuron's shape follow.
const char* reference_field(NirNodeType t) {
  switch (t) {
    case NirNodeType::CubaLI:
      return "tau_mem";
    case NirNodeType::LI:
      return "tau";
    case NirNodeType::I:
      return "r";
    default:
      return "v_threshold";
  }
}

bool is_neuron(NirNodeType t) {
  switch (t) {
    case NirNodeType::LIF:
    case NirNodeType::IF:
    case NirNodeType::LI:
    case NirNodeType::I:
    case NirNodeType::CubaLIF:
    case NirNodeType::CubaLI:
      return true;
    default:
      return false;
  }
}

void require_rank(const NirNode& n, const std::string& where, const char* field, std::size_t rank) {
  const NirArray& a = n.param(field);
  if (a.shape.size() != rank)
    fail(where, field,
         "expected " + std::to_string(rank) + " dimensions, got shape " + shape_text(a.shape));
}

/// `bias` has one value per output (weight dimension `out_dim`), or one for all.
void check_bias(const NirNode& n, const std::string& where, std::size_t out_dim) {
  const NirArray& w = n.param("weight");
  const NirArray& b = n.param("bias");
  if (b.size() != std::size_t(w.shape[out_dim]) && b.size() != 1)
    fail(where, "bias",
         "has " + std::to_string(b.size()) + " values, weight has " +
             std::to_string(w.shape[out_dim]) + " outputs");
}

/// NIR's Affine/Linear weight: [..., out, in] (at least 2 dimensions).
void check_matrix(const NirNode& n, const std::string& where) {
  const NirArray& w = n.param("weight");
  if (w.shape.size() < 2)
    fail(where, "weight",
         "expected at least 2 dimensions [out, in], got shape " + shape_text(w.shape));
}

void check_conv(const NirNode& n, const std::string& where, std::size_t dims) {
  require_rank(n, where, "weight", dims + 2);
  check_bias(n, where, 0);
  nir_ints(n, "stride", dims, where);
  nir_ints(n, "dilation", dims, where);
  const auto groups = nir_ints(n, "groups", 1, where);
  if (groups[0] < 1) fail(where, "groups", "must be >= 1");
  const NirArray& w = n.param("weight");
  std::vector<std::int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  nir_padding(n, kernel, nir_ints(n, "dilation", dims, where), where);
  if (n.has("input_shape")) nir_ints(n, "input_shape", dims, where);
}

}  // namespace

const std::vector<NirField>& nir_fields(NirNodeType t) {
  static const std::vector<NirField> input{{"shape", N::Required}};
  static const std::vector<NirField> affine{{"weight", N::Required}, {"bias", N::Required}};
  static const std::vector<NirField> linear{{"weight", N::Required}};
  static const std::vector<NirField> scale{{"scale", N::Required}};
  static const std::vector<NirField> conv{{"input_shape", N::Optional}, {"weight", N::Required},
                                          {"stride", N::Required},      {"padding", N::Required},
                                          {"dilation", N::Required},    {"groups", N::Required},
                                          {"bias", N::Required}};
  static const std::vector<NirField> flatten{
      {"start_dim", N::Required}, {"end_dim", N::Required}, {"input_type", N::Optional}};
  static const std::vector<NirField> pool{
      {"kernel_size", N::Required}, {"stride", N::Required}, {"padding", N::Required}};
  static const std::vector<NirField> delay{{"delay", N::Required}};
  static const std::vector<NirField> threshold{{"threshold", N::Required}};
  static const std::vector<NirField> lif{{"tau", N::Required},
                                         {"r", N::Required},
                                         {"v_leak", N::Required},
                                         {"v_threshold", N::Required},
                                         {"v_reset", N::DefaultZero}};
  static const std::vector<NirField> if_{
      {"r", N::Required}, {"v_threshold", N::Required}, {"v_reset", N::DefaultZero}};
  static const std::vector<NirField> li{
      {"tau", N::Required}, {"r", N::Required}, {"v_leak", N::Required}};
  static const std::vector<NirField> i{{"r", N::Required}};
  static const std::vector<NirField> cuba_lif{
      {"tau_syn", N::Required}, {"tau_mem", N::Required},     {"r", N::Required},
      {"v_leak", N::Required},  {"v_threshold", N::Required}, {"v_reset", N::DefaultZero},
      {"w_in", N::DefaultOne}};
  static const std::vector<NirField> cuba_li{{"tau_syn", N::Required},
                                             {"tau_mem", N::Required},
                                             {"r", N::Required},
                                             {"v_leak", N::Required},
                                             {"w_in", N::DefaultOne}};
  static const std::vector<NirField> none{};
  switch (t) {
    case NirNodeType::Input:
    case NirNodeType::Output:
      return input;
    case NirNodeType::Affine:
      return affine;
    case NirNodeType::Linear:
      return linear;
    case NirNodeType::Scale:
      return scale;
    case NirNodeType::Conv1d:
    case NirNodeType::Conv2d:
      return conv;
    case NirNodeType::Flatten:
      return flatten;
    case NirNodeType::SumPool2d:
    case NirNodeType::AvgPool2d:
      return pool;
    case NirNodeType::Delay:
      return delay;
    case NirNodeType::Threshold:
      return threshold;
    case NirNodeType::LIF:
      return lif;
    case NirNodeType::IF:
      return if_;
    case NirNodeType::LI:
      return li;
    case NirNodeType::I:
      return i;
    case NirNodeType::CubaLIF:
      return cuba_lif;
    case NirNodeType::CubaLI:
      return cuba_li;
    case NirNodeType::NIRGraph:
      return none;
  }
  return none;
}

void apply_schema(NirNode& n, const std::string& where) {
  for (const NirField& f : nir_fields(n.type)) {
    auto it = n.params.find(f.name);
    if (it != n.params.end()) {
      const bool string_ok = std::string(f.name) == "padding";
      if (it->second.is_string() && !string_ok)
        fail(where, f.name, "expected numbers, got a string");
      continue;
    }
    switch (f.need) {
      case N::Required:
        fail(where, f.name, "missing (required for " + std::string(nir_type_name(n.type)) + ")");
      case N::Optional:
        break;
      case N::DefaultZero:
      case N::DefaultOne: {
        const NirArray& ref = n.param(reference_field(n.type), where);
        NirArray d = ref;
        std::fill(d.values.begin(), d.values.end(), f.need == N::DefaultOne ? 1.0 : 0.0);
        n.params[f.name] = d;
        n.defaulted.push_back(f.name);
        break;
      }
    }
  }
  switch (n.type) {
    case NirNodeType::Input:
    case NirNodeType::Output: {
      const NirArray& s = n.param("shape");
      for (double v : s.values)
        if (!(v >= 1) || v != std::floor(v)) fail(where, "shape", "expected positive integers");
      break;
    }
    case NirNodeType::Affine:
      check_matrix(n, where);
      check_bias(n, where, n.param("weight").shape.size() - 2);
      break;
    case NirNodeType::Linear:
      check_matrix(n, where);
      break;
    case NirNodeType::Conv1d:
      check_conv(n, where, 1);
      break;
    case NirNodeType::Conv2d:
      check_conv(n, where, 2);
      break;
    case NirNodeType::SumPool2d:
    case NirNodeType::AvgPool2d: {
      const auto k = nir_ints(n, "kernel_size", 2, where);
      nir_ints(n, "stride", 2, where);
      nir_padding(n, k, {1, 1}, where);
      break;
    }
    case NirNodeType::Flatten:
      nir_ints(n, "start_dim", 1, where);
      nir_ints(n, "end_dim", 1, where);
      break;
    default:
      break;
  }
  if (is_neuron(n.type)) {
    // Every non-scalar parameter has the neuron's shape (scalars apply to every neuron).
    const char* ref_name = nullptr;
    for (const NirField& f : nir_fields(n.type)) {
      const NirArray& a = n.params.at(f.name);
      if (a.shape.empty() || (a.shape.size() == 1 && a.shape[0] == 1)) continue;
      if (!ref_name) {
        ref_name = f.name;
      } else if (a.shape != n.params.at(ref_name).shape) {
        fail(where, f.name,
             "shape " + shape_text(a.shape) + " differs from '" + ref_name + "' " +
                 shape_text(n.params.at(ref_name).shape));
      }
    }
  }
}

}  // namespace snn::io
