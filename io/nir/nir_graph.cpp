// The in-memory NIR graph: type names, array makers, lookups and equality.
#include "io/nir/nir_graph.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "sim/core/errors.h"

namespace snn::io {
namespace {

struct TypeName {
  NirNodeType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {NirNodeType::Input, "Input"},
    {NirNodeType::Output, "Output"},
    {NirNodeType::Affine, "Affine"},
    {NirNodeType::Linear, "Linear"},
    {NirNodeType::Scale, "Scale"},
    {NirNodeType::Conv1d, "Conv1d"},
    {NirNodeType::Conv2d, "Conv2d"},
    {NirNodeType::Flatten, "Flatten"},
    {NirNodeType::SumPool2d, "SumPool2d"},
    {NirNodeType::AvgPool2d, "AvgPool2d"},
    {NirNodeType::Delay, "Delay"},
    {NirNodeType::Threshold, "Threshold"},
    {NirNodeType::LIF, "LIF"},
    {NirNodeType::IF, "IF"},
    {NirNodeType::LI, "LI"},
    {NirNodeType::I, "I"},
    {NirNodeType::CubaLIF, "CubaLIF"},
    {NirNodeType::CubaLI, "CubaLI"},
    {NirNodeType::NIRGraph, "NIRGraph"},
};

std::string where(const std::string& file) {
  return file.empty() ? "NIR graph" : file;
}

}  // namespace

double nir_round(double x, NirDType t) {
  switch (t) {
    case NirDType::Float32:
      return double(float(x));
    case NirDType::Int64:
      return std::nearbyint(x);
    case NirDType::Float16: {
      // IEEE binary16: 11 significant bits, exponents down to -14, subnormals in steps of 2^-24.
      if (!std::isfinite(x) || x == 0) return x;
      if (std::fabs(x) < std::ldexp(1.0, -14))
        return std::ldexp(std::nearbyint(std::ldexp(x, 24)), -24);
      int e = 0;
      const double m = std::frexp(x, &e);  // x = m 2^e, 0.5 <= |m| < 1
      const double r = std::ldexp(std::nearbyint(std::ldexp(m, 11)), e - 11);
      return std::fabs(r) > 65504.0 ? std::copysign(HUGE_VAL, x) : r;
    }
    default:
      return x;
  }
}

const char* nir_type_name(NirNodeType t) {
  for (const auto& tn : kTypeNames)
    if (tn.type == t) return tn.name;
  return "?";
}

bool nir_type_from_name(const std::string& name, NirNodeType& out) {
  for (const auto& tn : kTypeNames)
    if (name == tn.name) {
      out = tn.type;
      return true;
    }
  return false;
}

NirArray NirArray::scalar(double v, NirDType t) {
  return tensor({}, {v}, t);
}
NirArray NirArray::integer(std::int64_t v) {
  return tensor({}, {double(v)}, NirDType::Int64);
}
NirArray NirArray::vector(std::vector<double> v, NirDType t) {
  const auto n = std::int64_t(v.size());
  return tensor({n}, std::move(v), t);
}
NirArray NirArray::integers(const std::vector<std::int64_t>& v) {
  return tensor({std::int64_t(v.size())}, std::vector<double>(v.begin(), v.end()), NirDType::Int64);
}
NirArray NirArray::tensor(std::vector<std::int64_t> shape, std::vector<double> v, NirDType t) {
  for (double& x : v) x = nir_round(x, t);
  NirArray a;
  a.dtype = t;
  a.shape = std::move(shape);
  a.values = std::move(v);
  return a;
}
NirArray NirArray::string(std::string s) {
  NirArray a;
  a.dtype = NirDType::String;
  a.text = std::move(s);
  return a;
}

bool NirArray::operator==(const NirArray& o) const {
  if (dtype != o.dtype || shape != o.shape || text != o.text || values.size() != o.values.size())
    return false;
  // Bitwise, so that a NaN parameter read back equals itself.
  return values.empty() ||
         std::memcmp(values.data(), o.values.data(), values.size() * sizeof(double)) == 0;
}

const NirNode* NirGraph::find(const std::string& name) const {
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

NirNode* NirGraph::find(const std::string& name) {
  for (auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}

const NirNode& NirGraph::at(const std::string& name) const {
  if (const NirNode* n = find(name)) return *n;
  throw FormatError(where(file) + ": no node named '" + name + "'");
}

bool NirGraph::operator==(const NirGraph& o) const {
  // Nodes by name (a file keeps them sorted by name, a graph built in memory may not).
  if (nodes.size() != o.nodes.size() || edges != o.edges || metadata != o.metadata) return false;
  for (const NirNode& n : nodes) {
    const NirNode* m = o.find(n.name);
    if (!m || *m != n) return false;
  }
  return true;
}

const NirArray& NirNode::param(const std::string& field, const std::string& file) const {
  auto it = params.find(field);
  if (it == params.end())
    throw FormatError(where(file) + ": node '" + name + "' (" + nir_type_name(type) +
                      "): missing parameter '" + field + "'");
  return it->second;
}

bool NirNode::operator==(const NirNode& o) const {
  return name == o.name && type == o.type && params == o.params && metadata == o.metadata &&
         graph == o.graph;
}

NirEndpoint resolve_endpoint(const NirGraph& g, const std::string& ref) {
  if (g.find(ref)) return {ref, ""};
  // "graph.inner": split at each dot in turn, so that dotted node names inside work too.
  for (std::size_t dot = ref.find('.'); dot != std::string::npos; dot = ref.find('.', dot + 1)) {
    const NirNode* outer = g.find(ref.substr(0, dot));
    if (outer && outer->type == NirNodeType::NIRGraph && outer->graph.find(ref.substr(dot + 1)))
      return {outer->name, ref.substr(dot + 1)};
  }
  throw FormatError(where(g.file) + ": edge endpoint '" + ref + "' names no node");
}

}  // namespace snn::io
