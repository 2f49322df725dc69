// Synaptic weights in HDF5: see weights_file.h.
#include "io/weights_file.h"

#include "io/atomic_file.h"
#include "io/hdf5_handle.h"
#include "io/hdf5_memory_file.h"
#include "sim/core/errors.h"

namespace snn::io {

void write_weights(const std::string& path, const std::vector<ProjectionWeights>& projections) {
  h5::quiet_errors();
  write_atomically(path, [&](const std::string& tmp) {
    h5::MemoryFile f(/*checksummed=*/false);
    h5::set_attr(f, "format", std::string("snn-weights"));
    h5::set_attr(f, "version", std::int64_t{1});
    h5::Handle g = h5::create_group(f, "projections");
    for (std::size_t i = 0; i < projections.size(); ++i) {
      const ProjectionWeights& p = projections[i];
      h5::Handle pg = h5::create_group(g, std::to_string(i));
      h5::set_attr(pg, "source", p.source);
      h5::set_attr(pg, "target", p.target);
      h5::set_attr(pg, "synapse", p.synapse);
      const std::vector<hsize_t> dims{p.weight.size()};
      h5::write_dataset(pg, "source_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, dims,
                        p.source_ids.data());
      h5::write_dataset(pg, "target_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, dims,
                        p.target_ids.data());
      h5::write_dataset(pg, "weight", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims, p.weight.data());
    }
    f.save(tmp);
  });
}

std::vector<ProjectionWeights> read_weights(const std::string& path) {
  h5::quiet_errors();
  h5::Handle f = h5::open_file_read(path);
  h5::Handle g = h5::open_group(f, "projections");
  std::vector<std::string> names = h5::link_names(g);
  std::vector<ProjectionWeights> out(names.size());
  for (const std::string& name : names) {
    const std::string where = path + ": /projections/" + name;
    std::size_t i = 0;
    try {
      i = std::stoul(name);
    } catch (...) {
      throw FormatError(where + ": group name must be a projection index");
    }
    if (i >= out.size()) throw FormatError(where + ": projection index out of range");
    h5::Handle pg = h5::open_group(g, name);
    ProjectionWeights& p = out[i];
    p.source = h5::get_attr_string(pg, "source", where);
    p.target = h5::get_attr_string(pg, "target", where);
    p.synapse = h5::get_attr_string(pg, "synapse", where);
    auto read_u32 = [&](const char* field, std::vector<std::uint32_t>& v) {
      if (!h5::exists(pg, field)) throw FormatError(where + "/" + field + ": missing");
      h5::Handle d = h5::check(H5Dopen2(pg, field, H5P_DEFAULT), where + "/" + field);
      const auto dims = h5::dataset_dims(d);
      if (dims.size() != 1) throw FormatError(where + "/" + field + ": expected one dimension");
      v.resize(dims[0]);
      h5::read_dataset(d, H5T_NATIVE_UINT32, v.data(), where + "/" + field);
    };
    read_u32("source_ids", p.source_ids);
    read_u32("target_ids", p.target_ids);
    if (!h5::exists(pg, "weight")) throw FormatError(where + "/weight: missing");
    h5::Handle d = h5::check(H5Dopen2(pg, "weight", H5P_DEFAULT), where + "/weight");
    const auto dims = h5::dataset_dims(d);
    if (dims.size() != 1 || dims[0] != p.source_ids.size() || dims[0] != p.target_ids.size())
      throw FormatError(where + "/weight: length differs from source_ids/target_ids");
    p.weight.resize(dims[0]);
    h5::read_dataset(d, H5T_NATIVE_FLOAT, p.weight.data(), where + "/weight");
  }
  return out;
}

}  // namespace snn::io
