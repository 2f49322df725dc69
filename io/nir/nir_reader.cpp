// NIR reader: the HDF5 layout of NIR 0.1-1.0 (/version, /node with type, nodes/<name>/...,
// edges [E, 2] strings, metadata) into a NirGraph, lenient where real files vary (string kinds,
// numeric dtypes, missing optional fields) and strict about what a simulation needs.
#include <hdf5.h>

#include <algorithm>
#include <string>
#include <vector>

#include "io/hdf5_handle.h"
#include "io/nir/nir_graph.h"
#include "io/nir/nir_schema.h"
#include "sim/core/errors.h"

namespace snn::io {
namespace {

using h5::Handle;

/// Where we are, for messages: "FILE: node 'a/b' (LIF): field 'tau'".
struct Where {
  std::string file;
  std::string node;  ///< "" at the top level; nested graphs as "outer/inner"
  std::string type;

  std::string text(const std::string& field = "") const {
    std::string s = file;
    if (!node.empty()) s += ": node '" + node + "'" + (type.empty() ? "" : " (" + type + ")");
    if (!field.empty()) s += ": field '" + field + "'";
    return s;
  }
};

enum class LinkKind { Dataset, Group, Other };

LinkKind link_kind(hid_t parent, const std::string& name) {
  H5O_info_t info;
  if (H5Oget_info_by_name(parent, name.c_str(), &info, H5P_DEFAULT) < 0) return LinkKind::Other;
  if (info.type == H5O_TYPE_DATASET) return LinkKind::Dataset;
  if (info.type == H5O_TYPE_GROUP) return LinkKind::Group;
  return LinkKind::Other;
}

std::vector<std::int64_t> dims_of(hid_t ds) {
  std::vector<std::int64_t> out;
  for (hsize_t d : h5::dataset_dims(ds)) out.push_back(std::int64_t(d));
  return out;
}

std::size_t count_of(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= std::size_t(d);
  return n;
}

/// Every string of a string dataset (any shape), vlen or fixed-length, null- or space-padded.
std::vector<std::string> read_strings(hid_t ds, hid_t ftype, std::size_t n, const Where& w,
                                      const std::string& field) {
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  if (H5Tis_variable_str(ftype) > 0) {
    Handle mem = h5::check(H5Tcopy(H5T_C_S1), "cannot create HDF5 string type");
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(ftype));  // HDF5 converts no string between character sets
    std::vector<char*> ptrs(n, nullptr);
    if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
      throw FormatError(w.text(field) + ": cannot read strings: " + h5::last_error());
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle space(H5Dget_space(ds));
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
    return out;
  }
  const std::size_t len = H5Tget_size(ftype);
  Handle mem = h5::check(H5Tcopy(H5T_C_S1), "cannot create HDF5 string type");
  H5Tset_size(mem, len);
  H5Tset_cset(mem, H5Tget_cset(ftype));
  H5Tset_strpad(mem, H5T_STR_NULLPAD);
  std::string buf(n * len, '\0');
  if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
    throw FormatError(w.text(field) + ": cannot read strings: " + h5::last_error());
  const bool spaces = H5Tget_strpad(ftype) == H5T_STR_SPACEPAD;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s = buf.substr(i * len, len);
    s.resize(std::min(s.find('\0'), s.size()));
    if (spaces) s.erase(s.find_last_not_of(' ') + 1);
    out.push_back(s);
  }
  return out;
}

/// A dataset as a NirArray: numbers of any float or integer type (values as double, dtype kept),
/// or a single string.
NirArray read_array(hid_t parent, const std::string& name, const Where& w) {
  Handle ds(H5Dopen2(parent, name.c_str(), H5P_DEFAULT));
  if (!ds.valid()) throw FormatError(w.text(name) + ": cannot open dataset: " + h5::last_error());
  Handle ftype(H5Dget_type(ds));
  NirArray a;
  a.shape = dims_of(ds);
  const std::size_t n = count_of(a.shape);
  switch (H5Tget_class(ftype)) {
    case H5T_STRING: {
      auto s = read_strings(ds, ftype, n, w, name);
      if (s.size() != 1)
        throw FormatError(w.text(name) + ": expected one string, got an array of " +
                          std::to_string(s.size()));
      return NirArray::string(s[0]);
    }
    case H5T_FLOAT: {
      const std::size_t size = H5Tget_size(ftype);
      a.dtype = size == 2 ? NirDType::Float16 : size == 4 ? NirDType::Float32 : NirDType::Float64;
      if (size != 2 && size != 4 && size != 8)
        throw FormatError(w.text(name) + ": unsupported float size " + std::to_string(size));
      break;
    }
    case H5T_INTEGER:
      a.dtype = NirDType::Int64;
      break;
    default:
      throw FormatError(w.text(name) + ": unsupported dataset type (expected numbers or a string)");
  }
  a.values.assign(n, 0.0);
  // HDF5 converts every float (float16 included, by its soft conversion) and integer to double.
  if (n > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
    throw FormatError(w.text(name) + ": cannot read numbers: " + h5::last_error());
  return a;
}

/// The `type` dataset (or, in some old files, attribute) of a node group.
std::string read_type(hid_t group, const Where& w) {
  if (h5::exists(group, "type") && link_kind(group, "type") == LinkKind::Dataset) {
    NirArray t = read_array(group, "type", w);
    if (!t.is_string()) throw FormatError(w.text("type") + ": not a string");
    return t.text;
  }
  if (h5::has_attr(group, "type")) return h5::get_attr_string(group, "type", w.text());
  throw FormatError(w.text("type") + ": missing (every NIR node stores its type)");
}

/// A metadata group: datasets by name, nested groups flattened as "group/name".
void read_metadata(hid_t group, const std::string& prefix, const Where& w,
                   std::map<std::string, NirArray>& out) {
  for (const std::string& name : h5::link_names(group)) {
    const std::string key = prefix.empty() ? name : prefix + "/" + name;
    switch (link_kind(group, name)) {
      case LinkKind::Dataset:
        out[key] = read_array(group, name, w);
        break;
      case LinkKind::Group: {
        Handle sub = h5::open_group(group, name);
        read_metadata(sub, key, w, out);
        break;
      }
      default:
        throw FormatError(w.text("metadata/" + key) + ": neither a dataset nor a group");
    }
  }
}

/// The edges dataset: [E, 2] strings (vlen or fixed), or an empty list h5py stores as float64 (0,).
std::vector<NirEdge> read_edges(hid_t group, const Where& w) {
  if (!h5::exists(group, "edges"))
    throw FormatError(w.text("edges") + ": missing (a NIRGraph stores its edges)");
  Handle ds(H5Dopen2(group, "edges", H5P_DEFAULT));
  if (!ds.valid()) throw FormatError(w.text("edges") + ": not a dataset");
  Handle ftype(H5Dget_type(ds));
  const auto shape = dims_of(ds);
  const std::size_t n = count_of(shape);
  std::vector<NirEdge> edges;
  if (n == 0) return edges;  // an empty list, whatever its stored type
  if (H5Tget_class(ftype) != H5T_STRING)
    throw FormatError(w.text("edges") + ": expected strings (source, target)");
  if (shape.size() != 2 || shape[1] != 2)
    throw FormatError(w.text("edges") + ": expected shape [E, 2]");
  auto s = read_strings(ds, ftype, n, w, "edges");
  for (std::size_t e = 0; e < s.size() / 2; ++e) edges.push_back({s[2 * e], s[2 * e + 1]});
  return edges;
}

void read_graph_group(hid_t group, const Where& w, NirGraph& g);

NirNode read_node(hid_t group, const std::string& name, const Where& outer) {
  Where w{outer.file, outer.node.empty() ? name : outer.node + "/" + name, ""};
  const std::string type = read_type(group, w);
  w.type = type;
  NirNode node;
  node.name = name;
  if (!nir_type_from_name(type, node.type))
    throw FormatError(w.text("type") + ": unknown NIR node type '" + type + "'");
  if (node.type == NirNodeType::NIRGraph) {
    read_graph_group(group, w, node.graph);
    return node;
  }
  for (const std::string& field : h5::link_names(group)) {
    if (field == "type") continue;
    if (field == "metadata" && link_kind(group, field) == LinkKind::Group) {
      Handle md = h5::open_group(group, field);
      read_metadata(md, "", w, node.metadata);
      continue;
    }
    if (link_kind(group, field) != LinkKind::Dataset)
      throw FormatError(w.text(field) + ": expected a dataset");
    node.params[field] = read_array(group, field, w);
  }
  apply_schema(node, w.text());
  return node;
}

void read_graph_group(hid_t group, const Where& w, NirGraph& g) {
  g.file = w.file;
  if (!h5::exists(group, "nodes"))
    throw FormatError(w.text("nodes") + ": missing (a NIRGraph stores its nodes)");
  Handle nodes = h5::open_group(group, "nodes");
  for (const std::string& name : h5::link_names(nodes)) {
    if (link_kind(nodes, name) != LinkKind::Group)
      throw FormatError(w.text("nodes/" + name) + ": expected a node group");
    Handle ng = h5::open_group(nodes, name);
    g.nodes.push_back(read_node(ng, name, w));
  }
  g.edges = read_edges(group, w);
  if (h5::exists(group, "metadata") && link_kind(group, "metadata") == LinkKind::Group) {
    Handle md = h5::open_group(group, "metadata");
    read_metadata(md, "", w, g.metadata);
  }
}

}  // namespace

NirGraph read_nir(const std::string& path) {
  Handle file = h5::open_file_read(path);
  NirGraph g;
  const Where top{path, "", ""};
  if (h5::exists(file, "version") && link_kind(file, "version") == LinkKind::Dataset) {
    NirArray v = read_array(file, "version", top);
    if (!v.is_string()) throw FormatError(path + ": /version is not a string");
    g.version = v.text;
  }
  if (!h5::exists(file, "node") || link_kind(file, "node") != LinkKind::Group)
    throw FormatError(path + ": no /node group (not a NIR file)");
  Handle root = h5::open_group(file, "node");
  const std::string type = read_type(root, Where{path, "/node", ""});
  if (type != "NIRGraph")
    throw FormatError(path + ": /node has type '" + type + "', expected 'NIRGraph'");
  read_graph_group(root, top, g);
  check_and_infer_shapes(g);
  return g;
}

}  // namespace snn::io
