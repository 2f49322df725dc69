// The in-memory NIR graph (Neuromorphic Intermediate Representation, NIR 1.0; Pedersen et al.,
// Nat. Commun. 15, 8122, 2024): nodes by name with their type and parameters as N-d arrays in the
// shapes the file stores, edges "source" -> "target" (a subgraph's node as "graph.node"),
// nested graphs, metadata. read_nir/write_nir convert it from/to the HDF5 layout of NIR 1.0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace snn::io {

/// The node types of NIR 1.0 (the names are the strings stored in a node's `type` dataset).
enum class NirNodeType {
  Input,    ///< shape: the graph input's shape
  Output,   ///< shape: the graph output's shape
  Affine,   ///< weight [out, in], bias [out]: y = W x + b
  Linear,   ///< weight [out, in]: y = W x
  Scale,    ///< scale [n]: y = s * x
  Conv1d,   ///< weight [Cout, Cin/groups, K], stride, padding, dilation, groups, bias; input_shape
            ///< (N) optional
  Conv2d,   ///< weight [Cout, Cin/groups, KH, KW], stride, padding, dilation, groups, bias;
            ///< input_shape (H, W) optional
  Flatten,  ///< start_dim, end_dim (of the shape without batch), input_type optional
  SumPool2d,  ///< kernel_size, stride, padding
  AvgPool2d,  ///< kernel_size, stride, padding
  Delay,      ///< delay [n], seconds
  Threshold,  ///< threshold [n]: spike when x > threshold
  LIF,  ///< tau, r, v_leak, v_threshold, v_reset (0 when absent): tau dv/dt = (v_leak - v) + r I
  IF,   ///< r, v_threshold, v_reset: dv/dt = r I
  LI,   ///< tau, r, v_leak (no spikes)
  I,    ///< r: dv/dt = r I
  CubaLIF,   ///< tau_mem, tau_syn, r, v_leak, v_threshold, v_reset (0), w_in (1)
  CubaLI,    ///< tau_mem, tau_syn, r, v_leak, w_in (1)
  NIRGraph,  ///< a nested graph (NirNode::graph)
};

/// The name NIR stores for `t` ("Conv2d", "CubaLIF", ...).
const char* nir_type_name(NirNodeType t);
/// The type named `name`; false (and `out` untouched) for a name that is not a NIR 1.0 type.
bool nir_type_from_name(const std::string& name, NirNodeType& out);

/// The element type a parameter dataset had in the file (kept so a written file stores the same
/// type: float32 weights stay float32, integer strides stay integers).
enum class NirDType { Float16, Float32, Float64, Int64, String };

/// `x` as the nearest value of type `t` (float32, IEEE half, integer), round-half-even.
double nir_round(double x, NirDType t);

/// A parameter or metadata value: an N-d array of numbers in C (row-major) order, or a string.
/// Values are held as double, exact for every float16/float32 and for integers below 2^53.
struct NirArray {
  NirDType dtype = NirDType::Float64;
  std::vector<std::int64_t> shape;  ///< exactly as stored; empty = a scalar
  std::vector<double> values;       ///< product(shape) numbers (1 for a scalar); empty for a string
  std::string text;                 ///< the string, when dtype == String

  bool is_string() const { return dtype == NirDType::String; }
  /// Number of elements (product of shape; 1 for a scalar; 0 for a string).
  std::size_t size() const { return values.size(); }

  /// Makers (shape checked against the number of values by the writer). Values are rounded to
  /// `t` (nir_round), so an array holds exactly what a file of that dtype stores.
  static NirArray scalar(double v, NirDType t = NirDType::Float64);
  static NirArray integer(std::int64_t v);
  static NirArray vector(std::vector<double> v, NirDType t = NirDType::Float64);
  static NirArray integers(const std::vector<std::int64_t>& v);
  static NirArray tensor(std::vector<std::int64_t> shape, std::vector<double> v,
                         NirDType t = NirDType::Float64);
  static NirArray string(std::string s);

  /// Same dtype, shape and values (bitwise equal doubles) or text.
  bool operator==(const NirArray& o) const;
  bool operator!=(const NirArray& o) const { return !(*this == o); }
};

struct NirNode;

/// An edge from `source` to `target`: node names of the same graph. A node inside a nested graph
/// is addressed as "<graph node>.<inner node>" (NIR's convention, e.g. "block.input"); a name
/// that is itself a node of the graph (snnTorch writes names such as "lif1.lif") wins.
struct NirEdge {
  std::string source;
  std::string target;
  bool operator==(const NirEdge& o) const { return source == o.source && target == o.target; }
};

/// A NIR graph: the top level (the file's `/node` group) or a nested NIRGraph node.
struct NirGraph {
  std::vector<NirNode> nodes;  ///< in the file's order (HDF5 link names, sorted by name)
  std::vector<NirEdge> edges;  ///< in the file's order
  std::map<std::string, NirArray> metadata;  ///< the graph's `metadata` group (may be empty)
  std::string version;  ///< the file's /version ("" when absent; written as the writer's version)
  std::string file;     ///< the path it was read from, for error messages ("" when built in memory)

  /// The node named `name`, or nullptr.
  const NirNode* find(const std::string& name) const;
  NirNode* find(const std::string& name);
  /// The node named `name`; FormatError naming the file and the name if there is none.
  const NirNode& at(const std::string& name) const;

  bool operator==(const NirGraph& o) const;  ///< nodes (by name), edges (in order), metadata
  bool operator!=(const NirGraph& o) const { return !(*this == o); }
};

/// One node: its name in the graph, its type, its parameters by NIR's dataset names.
struct NirNode {
  std::string name;
  NirNodeType type = NirNodeType::Input;
  /// Parameter datasets by name ("weight", "tau", "stride", "padding", "shape", "input_shape",
  /// "input_type", ...), exactly as stored (shapes and dtypes untouched). Defaults that the reader
  /// supplies for absent optional fields (v_reset 0, w_in 1) are added here shaped and typed like
  /// v_threshold (tau_mem for CubaLI) and listed in `defaulted`.
  std::map<std::string, NirArray> params;
  std::vector<std::string> defaulted;        ///< parameters the file lacked, filled by the reader
  std::map<std::string, NirArray> metadata;  ///< the node's `metadata` group (may be empty)
  /// Shapes of one sample flowing in and out (no batch or time axis), e.g. {2, 34, 34}; from the
  /// file where it says (Input/Output `shape`, Flatten `input_type`, Conv `input_shape`) and
  /// otherwise inferred along the edges by read_nir. Empty = unknown.
  std::vector<std::int64_t> input_type;
  std::vector<std::int64_t> output_type;
  NirGraph graph;  ///< the nested graph when type == NIRGraph (empty otherwise)

  bool has(const std::string& field) const { return params.count(field) != 0; }
  /// The parameter `field`; FormatError "FILE: node 'NAME' (TYPE): missing parameter 'FIELD'".
  const NirArray& param(const std::string& field, const std::string& file = "") const;

  bool operator==(const NirNode& o) const;  ///< name, type, params, metadata, graph
  bool operator!=(const NirNode& o) const { return !(*this == o); }
};

/// An edge endpoint resolved: `node` is a node of the graph; `inner` is "" or, for a nested
/// graph addressed as "graph.inner", the inner node's name.
struct NirEndpoint {
  std::string node;
  std::string inner;
};
/// Resolves an edge endpoint of `g` (see NirEdge); FormatError naming the file and the endpoint
/// when it names no node.
NirEndpoint resolve_endpoint(const NirGraph& g, const std::string& ref);

/// Reads a NIR file (NIR 0.1-1.0 layouts: see README "NIR" for what is accepted). Checks every
/// edge's endpoints, the node types and required parameters, then infers input/output shapes
/// along the edges. Errors: IoError (cannot open), FormatError naming the file, node and field.
NirGraph read_nir(const std::string& path);

/// Checks `g` and infers each node's input_type/output_type along the edges (what read_nir does
/// after reading); FormatError for a dangling edge, a missing parameter or a shape mismatch.
void check_and_infer_shapes(NirGraph& g);

/// Writes `g` atomically as a NIR 1.0 file that NIR's Python reader (1.0.7) loads: `/version`,
/// `/node` (type "NIRGraph", `nodes/<name>/...`, `edges` as [E, 2] strings), only the dataset
/// names each node type accepts; metadata under `metadata`. IoError/FormatError on failure.
void write_nir(const NirGraph& g, const std::string& path);

/// The NIR version the writer stores in /version.
constexpr const char* kNirWriteVersion = "1.0.7";

}  // namespace snn::io
