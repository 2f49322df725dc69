// Graph checks and shape inference: every edge's endpoints exist, and the shape each node gives
// equals the shape its targets take; unknown shapes (Conv without input_shape, pools, Flatten
// without input_type, neurons with scalar parameters) are inferred along the edges.
#include <string>
#include <vector>

#include "io/nir/nir_graph.h"
#include "io/nir/nir_params.h"
#include "sim/core/errors.h"

namespace snn::io {
namespace {

using Shape = std::vector<std::int64_t>;

std::string shape_text(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

Shape ints_of(const NirArray& a) {
  return Shape(a.values.begin(), a.values.end());
}

struct Ctx {
  std::string file;
  std::string path;  ///< "" at the top, "outer/" inside a nested graph
  std::string node(const NirNode& n) const {
    return file + ": node '" + path + n.name + "' (" + nir_type_name(n.type) + ")";
  }
};

/// The neuron-like node's shape from its parameters ({} when every parameter is a scalar).
Shape param_shape(const NirNode& n) {
  for (const auto& kv : n.params)
    if (!kv.second.is_string() && !kv.second.shape.empty()) return kv.second.shape;
  return {};
}

/// Output shape of `n` for input shape `in` (both per sample); FormatError when `in` does not fit.
Shape output_for(const NirNode& n, const Shape& in, const Ctx& c) {
  const std::string where = c.node(n);
  auto bad = [&](const std::string& what) -> FormatError {
    return FormatError(where + ": input shape " + shape_text(in) + " " + what);
  };
  switch (n.type) {
    case NirNodeType::Conv1d:
    case NirNodeType::Conv2d: {
      const std::size_t dims = n.type == NirNodeType::Conv1d ? 1 : 2;
      const Shape& w = n.param("weight").shape;
      const std::int64_t groups = nir_ints(n, "groups", 1, where)[0];
      if (in.size() != dims + 1)
        throw bad("has not " + std::to_string(dims + 1) + " dimensions [C, ...]");
      if (in[0] != w[1] * groups)
        throw bad("has " + std::to_string(in[0]) + " channels, weight takes " +
                  std::to_string(w[1] * groups));
      const auto stride = nir_ints(n, "stride", dims, where);
      const auto dil = nir_ints(n, "dilation", dims, where);
      const Shape kernel(w.begin() + 2, w.end());
      const NirPadding pad = nir_padding(n, kernel, dil, where);
      Shape out{w[0]};
      for (std::size_t i = 0; i < dims; ++i) {
        const std::int64_t o =
            nir_conv_out(in[i + 1], pad.before[i] + pad.after[i], kernel[i], stride[i], dil[i]);
        if (o < 1) throw bad("is smaller than the kernel");
        out.push_back(o);
      }
      return out;
    }
    case NirNodeType::SumPool2d:
    case NirNodeType::AvgPool2d: {
      if (in.size() != 3) throw bad("has not 3 dimensions [C, H, W]");
      const auto k = nir_ints(n, "kernel_size", 2, where);
      const auto s = nir_ints(n, "stride", 2, where);
      const NirPadding pad = nir_padding(n, k, {1, 1}, where);
      Shape out{in[0]};
      for (int i = 0; i < 2; ++i) {
        const std::int64_t o = nir_conv_out(in[i + 1], pad.before[i] + pad.after[i], k[i], s[i], 1);
        if (o < 1) throw bad("is smaller than the pooling window");
        out.push_back(o);
      }
      return out;
    }
    case NirNodeType::Flatten: {
      const auto nd = std::int64_t(in.size());
      std::int64_t start = nir_ints(n, "start_dim", 1, where)[0];
      std::int64_t end = nir_ints(n, "end_dim", 1, where)[0];
      if (start < 0) start += nd;
      if (end < 0) end += nd;
      if (start < 0 || end >= nd || start > end)
        throw bad("cannot be flattened from dimension " + std::to_string(start) + " to " +
                  std::to_string(end));
      Shape out(in.begin(), in.begin() + start);
      std::int64_t prod = 1;
      for (std::int64_t d = start; d <= end; ++d) prod *= in[std::size_t(d)];
      out.push_back(prod);
      out.insert(out.end(), in.begin() + end + 1, in.end());
      return out;
    }
    default:
      return in;  // element-wise nodes with scalar parameters
  }
}

/// The shapes a node states by itself (before any edge is looked at).
void own_types(NirNode& n, const Ctx& c) {
  switch (n.type) {
    case NirNodeType::Input:
    case NirNodeType::Output:
      n.input_type = n.output_type = ints_of(n.param("shape"));
      break;
    case NirNodeType::Affine:
    case NirNodeType::Linear: {
      const Shape& w = n.param("weight").shape;
      n.input_type = Shape(w.begin(), w.end() - 2);
      n.input_type.push_back(w.back());
      n.output_type = Shape(w.begin(), w.end() - 2);
      n.output_type.push_back(w[w.size() - 2]);
      break;
    }
    case NirNodeType::Conv1d:
    case NirNodeType::Conv2d:
      if (n.has("input_shape")) {
        const std::size_t dims = n.type == NirNodeType::Conv1d ? 1 : 2;
        const Shape& w = n.param("weight").shape;
        Shape in{w[1] * nir_ints(n, "groups", 1, c.node(n))[0]};
        for (auto v : nir_ints(n, "input_shape", dims, c.node(n))) in.push_back(v);
        n.input_type = in;
        n.output_type = output_for(n, in, c);
      }
      break;
    case NirNodeType::Flatten:
      if (n.has("input_type")) {
        n.input_type = ints_of(n.param("input_type"));
        n.output_type = output_for(n, n.input_type, c);
      }
      break;
    case NirNodeType::SumPool2d:
    case NirNodeType::AvgPool2d:
      break;
    case NirNodeType::NIRGraph: {
      const NirNode* in = nullptr;
      const NirNode* out = nullptr;
      int n_in = 0, n_out = 0;
      for (const NirNode& m : n.graph.nodes) {
        if (m.type == NirNodeType::Input) in = &m, ++n_in;
        if (m.type == NirNodeType::Output) out = &m, ++n_out;
      }
      if (n_in == 1) n.input_type = in->output_type;
      if (n_out == 1) n.output_type = out->input_type;
      break;
    }
    default:  // Scale, Delay, Threshold, neurons: the parameters' shape
      n.input_type = n.output_type = param_shape(n);
      break;
  }
}

/// The shape flowing out of an edge's source / into its target.
struct Port {
  NirNode* node = nullptr;  ///< the node whose type is read or set
  bool settable = false;    ///< a node of this graph (not inside a nested one)
};

Port port(NirGraph& g, const std::string& ref, const NirEdge& e, const Ctx& c) {
  NirEndpoint ep;
  try {
    ep = resolve_endpoint(g, ref);
  } catch (const FormatError&) {
    throw FormatError(
        c.file + ": edge '" + e.source + "' -> '" + e.target + "'" +
        (c.path.empty() ? "" : " in graph '" + c.path.substr(0, c.path.size() - 1) + "'") +
        ": no node named '" + ref + "'");
  }
  NirNode* n = g.find(ep.node);
  if (ep.inner.empty()) return {n, true};
  return {n->graph.find(ep.inner), false};
}

void infer(NirGraph& g, const Ctx& c) {
  for (NirNode& n : g.nodes) {
    if (n.type == NirNodeType::NIRGraph) {
      n.graph.file = c.file;
      infer(n.graph, Ctx{c.file, c.path + n.name + "/"});
    }
    own_types(n, c);
  }
  std::vector<std::pair<Port, Port>> ports;
  for (const NirEdge& e : g.edges)
    ports.emplace_back(port(g, e.source, e, c), port(g, e.target, e, c));
  // Propagate until nothing changes: each pass fixes at least one more node or stops.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < ports.size(); ++i) {
      const NirEdge& e = g.edges[i];
      NirNode* src = ports[i].first.node;
      NirNode* dst = ports[i].second.node;
      if (src->output_type.empty()) continue;
      if (dst->input_type.empty()) {
        if (!ports[i].second.settable) continue;
        dst->input_type = src->output_type;
        dst->output_type = output_for(*dst, dst->input_type, c);
        changed = true;
      } else if (dst->input_type != src->output_type) {
        throw FormatError(c.file + ": edge '" + c.path + e.source + "' -> '" + c.path + e.target +
                          "': shape mismatch: '" + e.source + "' gives " +
                          shape_text(src->output_type) + ", '" + e.target + "' takes " +
                          shape_text(dst->input_type));
      }
    }
  }
}

}  // namespace

void check_and_infer_shapes(NirGraph& g) {
  infer(g, Ctx{g.file.empty() ? "NIR graph" : g.file, ""});
}

}  // namespace snn::io
