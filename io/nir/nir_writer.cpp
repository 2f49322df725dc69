// NIR writer: a NirGraph as the HDF5 layout NIR 1.0.7 writes and reads (vlen UTF-8 strings,
// each type's dataset names only, extras under `metadata`), written atomically.
#include <hdf5.h>

#include <string>
#include <vector>

#include "io/atomic_file.h"
#include "io/hdf5_handle.h"
#include "io/hdf5_memory_file.h"
#include "io/nir/nir_graph.h"
#include "io/nir/nir_schema.h"
#include "sim/core/errors.h"

namespace snn::io {
namespace {

using h5::Handle;

Handle vlen_string_type() {
  Handle t = h5::check(H5Tcopy(H5T_C_S1), "cannot create HDF5 string type");
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);  // what h5py writes for str
  return t;
}

/// IEEE half precision, as h5py stores numpy float16.
Handle float16_type() {
  Handle t = h5::check(H5Tcopy(H5T_IEEE_F32LE), "cannot create HDF5 float16 type");
  H5Tset_fields(t, 15, 10, 5, 0, 10);
  H5Tset_size(t, 2);
  H5Tset_ebias(t, 15);
  return t;
}

Handle space_for(const std::vector<hsize_t>& dims) {
  return h5::check(dims.empty() ? H5Screate(H5S_SCALAR)
                                : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                   "cannot create HDF5 dataspace");
}

/// Link creation that makes the groups of a "a/b" metadata key.
Handle intermediate_groups() {
  Handle p = h5::check(H5Pcreate(H5P_LINK_CREATE), "cannot create HDF5 property list");
  H5Pset_create_intermediate_group(p, 1);
  return p;
}

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& s,
                   const std::vector<hsize_t>& dims) {
  Handle type = vlen_string_type();
  Handle space = space_for(dims);
  Handle lcpl = intermediate_groups();
  Handle ds =
      h5::check(H5Dcreate2(parent, name.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                "cannot create NIR dataset '" + name + "'");
  std::vector<const char*> ptrs;
  for (const auto& x : s) ptrs.push_back(x.c_str());
  if (!ptrs.empty())
    h5::check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
                     "cannot write NIR dataset '" + name + "'");
}

void write_array(hid_t parent, const std::string& name, const NirArray& a,
                 const std::string& where) {
  if (a.is_string()) {
    write_strings(parent, name, {a.text}, {});
    return;
  }
  std::vector<hsize_t> dims;
  std::size_t n = 1;
  for (auto d : a.shape) {
    if (d < 0) throw FormatError(where + ": field '" + name + "': negative dimension");
    dims.push_back(hsize_t(d));
    n *= std::size_t(d);
  }
  if (n != a.values.size())
    throw FormatError(where + ": field '" + name + "': shape holds " + std::to_string(n) +
                      " values, the array has " + std::to_string(a.values.size()));
  Handle f16;
  hid_t ftype = H5T_IEEE_F64LE;
  switch (a.dtype) {
    case NirDType::Float16:
      f16 = float16_type();
      ftype = f16;
      break;
    case NirDType::Float32:
      ftype = H5T_IEEE_F32LE;
      break;
    case NirDType::Float64:
      ftype = H5T_IEEE_F64LE;
      break;
    case NirDType::Int64:
      ftype = H5T_STD_I64LE;
      break;
    case NirDType::String:
      break;
  }
  Handle space = space_for(dims);
  Handle lcpl = intermediate_groups();
  Handle ds =
      h5::check(H5Dcreate2(parent, name.c_str(), ftype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                where + ": cannot create dataset '" + name + "'");
  if (n > 0)
    h5::check_status(
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()),
        where + ": cannot write dataset '" + name + "'");
}

void write_metadata(hid_t parent, const std::map<std::string, NirArray>& md,
                    const std::string& where) {
  if (md.empty()) return;  // NIR skips an empty metadata dict too
  Handle g = h5::create_group(parent, "metadata");
  for (const auto& kv : md) write_array(g, kv.first, kv.second, where + ": metadata");
}

void write_graph_group(hid_t group, const NirGraph& g, const std::string& where);

void write_node(hid_t nodes, const NirNode& n, const std::string& where_graph) {
  const std::string where = where_graph + ": node '" + n.name + "' (" + nir_type_name(n.type) + ")";
  Handle g = h5::create_group(nodes, n.name);
  write_strings(g, "type", {nir_type_name(n.type)}, {});
  if (n.type == NirNodeType::NIRGraph) {
    write_graph_group(g, n.graph, where);
    std::map<std::string, NirArray> md = n.graph.metadata;
    md.insert(n.metadata.begin(), n.metadata.end());
    write_metadata(g, md, where);
    return;
  }
  std::map<std::string, NirArray> extra = n.metadata;
  std::map<std::string, bool> known;
  for (const NirField& f : nir_fields(n.type)) {
    known[f.name] = true;
    auto it = n.params.find(f.name);
    if (it != n.params.end()) {
      write_array(g, f.name, it->second, where);
    } else if (f.need == NirNeed::Required) {
      throw FormatError(where + ": field '" + f.name + "': missing");
    } else if (std::string(f.name) == "input_shape" && n.input_type.size() >= 2) {
      // NIR's Python Conv1d/Conv2d take input_shape as a required argument: give the inferred one.
      write_array(g, f.name,
                  NirArray::integers(
                      std::vector<std::int64_t>(n.input_type.begin() + 1, n.input_type.end())),
                  where);
    } else if (std::string(f.name) == "input_type" && !n.input_type.empty()) {
      write_array(g, f.name, NirArray::integers(n.input_type), where);
    }
  }
  // Parameters NIR 1.0.7 has no name for would break its reader: they travel as metadata.
  for (const auto& kv : n.params)
    if (!known.count(kv.first)) extra.emplace(kv.first, kv.second);
  write_metadata(g, extra, where);
}

void write_graph_group(hid_t group, const NirGraph& g, const std::string& where) {
  Handle nodes = h5::create_group(group, "nodes");
  for (const NirNode& n : g.nodes) {
    if (n.name.empty() || n.name.find('/') != std::string::npos)
      throw FormatError(where + ": node name '" + n.name + "' cannot be an HDF5 group name");
    write_node(nodes, n, where);
  }
  if (g.edges.empty()) {
    // h5py stores an empty edge list as float64 (0,); NIR's reader iterates it as no edges.
    write_array(group, "edges", NirArray::tensor({0}, {}, NirDType::Float64), where);
  } else {
    std::vector<std::string> flat;
    for (const NirEdge& e : g.edges) flat.insert(flat.end(), {e.source, e.target});
    write_strings(group, "edges", flat, {hsize_t(g.edges.size()), 2});
  }
}

}  // namespace

void write_nir(const NirGraph& graph, const std::string& path) {
  h5::quiet_errors();
  // The same checks as the reader's (dangling edges, shapes), and the inferred shapes that
  // NIR's Conv nodes need as input_shape.
  NirGraph g = graph;
  g.file = path;
  check_and_infer_shapes(g);
  write_atomically(path, [&](const std::string& tmp) {
    h5::MemoryFile file(/*checksummed=*/false);
    write_strings(file, "version", {kNirWriteVersion}, {});
    Handle root = h5::create_group(file, "node");
    write_strings(root, "type", {"NIRGraph"}, {});
    write_graph_group(root, g, path);
    write_metadata(root, g.metadata, path);
    file.save(tmp);
  });
}

}  // namespace snn::io
