// Checkpoint files: attributes for scalars and arguments, one dataset per tensor.
#include "io/checkpoint.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "io/atomic_file.h"
#include "io/hdf5_handle.h"
#include "io/hdf5_memory_file.h"
#include "sim/core/errors.h"

namespace snn::io {
namespace {

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string escape(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '%')
      out += "%25";
    else if (c == '/')
      out += "%2F";
    else
      out += c;
  }
  if (out == ".") out = "%2E";
  return out;
}

std::string unescape(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name.compare(i, 3, "%25") == 0)
      out += '%', i += 2;
    else if (name.compare(i, 3, "%2F") == 0)
      out += '/', i += 2;
    else if (name.compare(i, 3, "%2E") == 0)
      out += '.', i += 2;
    else
      out += name[i];
  }
  return out;
}

void write_group(hid_t file, const std::string& group_name, const std::vector<NamedTensor>& list,
                 bool single) {
  h5::Handle group = h5::create_group(file, group_name);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const NamedTensor& t = list[i];
    require(!t.name.empty(), "checkpoint: a tensor in '" + group_name + "' has an empty name");
    require(seen.insert(t.name).second,
            "checkpoint: tensor name '" + t.name + "' repeated in '" + group_name + "'");
    std::int64_t n =
        std::accumulate(t.shape.begin(), t.shape.end(), std::int64_t{1}, std::multiplies<>());
    require(n == static_cast<std::int64_t>(t.values.size()),
            "checkpoint: tensor '" + t.name + "' has " + std::to_string(t.values.size()) +
                " values for shape " + shape_text(t.shape));
    std::vector<hsize_t> dims(t.shape.begin(), t.shape.end());
    h5::Handle ds;
    if (single) {
      std::vector<float> f(t.values.begin(), t.values.end());
      ds = h5::write_dataset(group, escape(t.name), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims,
                             f.data(), /*fletcher32=*/true);
    } else {
      ds = h5::write_dataset(group, escape(t.name), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims,
                             t.values.data(), /*fletcher32=*/true);
    }
    h5::set_attr(ds, "index", static_cast<std::int64_t>(i));
  }
}

/// The shape of the tensor dataset `ds`, checked before anything is read: a simple dataspace of
/// rank <= 8 of floating-point values (4 or 8 bytes) that fit in the file's `file_bytes` (the
/// writer never compresses), so that a damaged header cannot make the reader allocate or read
/// beyond what is there.
std::vector<std::int64_t> checked_shape(hid_t ds, std::uint64_t file_bytes,
                                        const std::string& where) {
  h5::Handle type(H5Dget_type(ds));
  if (type < 0 || H5Tget_class(type) != H5T_FLOAT ||
      (H5Tget_size(type) != 4 && H5Tget_size(type) != 8))
    throw FormatError(where + " is not a float32 or float64 dataset");
  h5::Handle space(H5Dget_space(ds));
  if (space < 0) throw FormatError(where + ": unreadable dataspace");
  const H5S_class_t cls = H5Sget_simple_extent_type(space);
  const int rank = H5Sget_simple_extent_ndims(space);
  if ((cls != H5S_SIMPLE && cls != H5S_SCALAR) || rank < 0 || rank > 8)
    throw FormatError(where + ": not a tensor of rank 0 to 8");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) != rank)
    throw FormatError(where + ": unreadable dimensions");
  std::vector<std::int64_t> shape;
  std::uint64_t bytes = H5Tget_size(type);
  for (hsize_t d : dims) {
    if (d > file_bytes || (d > 0 && bytes > file_bytes / d))
      throw FormatError(
          where + ": shape " + shape_text(std::vector<std::int64_t>(dims.begin(), dims.end())) +
          " holds more data than the file (" + std::to_string(file_bytes) + " bytes)");
    bytes *= d;
    shape.push_back(static_cast<std::int64_t>(d));
  }
  return shape;
}

std::vector<NamedTensor> read_group(hid_t file, const std::string& group_name,
                                    const std::string& path, std::uint64_t file_bytes) {
  std::vector<NamedTensor> out;
  if (!h5::exists(file, group_name)) return out;
  h5::Handle group = h5::open_group(file, group_name);
  std::vector<std::pair<std::int64_t, NamedTensor>> indexed;
  for (const std::string& link : h5::link_names(group)) {
    std::string where = "checkpoint '" + path + "', /" + group_name + "/" + link;
    H5O_info_t info;
    if (H5Oget_info_by_name2(group, link.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0 ||
        info.type != H5O_TYPE_DATASET)
      throw FormatError(where + " is not a dataset");
    hid_t id = H5Dopen2(group, link.c_str(), H5P_DEFAULT);
    if (id < 0) throw FormatError(where + " is not a readable dataset: " + h5::last_error());
    h5::Handle ds(id);
    NamedTensor t;
    t.name = unescape(link);
    t.shape = checked_shape(ds, file_bytes, where);
    std::int64_t n =
        std::accumulate(t.shape.begin(), t.shape.end(), std::int64_t{1}, std::multiplies<>());
    t.values.resize(static_cast<std::size_t>(n));
    if (n > 0) h5::read_dataset(ds, H5T_NATIVE_DOUBLE, t.values.data(), where);
    std::int64_t index = h5::has_attr(ds, "index") ? h5::get_attr_int(ds, "index", where)
                                                   : static_cast<std::int64_t>(indexed.size());
    indexed.emplace_back(index, std::move(t));
  }
  std::stable_sort(indexed.begin(), indexed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& p : indexed) out.push_back(std::move(p.second));
  return out;
}

/// An integer attribute that must lie in [lo, hi].
std::int64_t int_in(hid_t obj, const std::string& name, std::int64_t lo, std::int64_t hi,
                    const std::string& where) {
  std::int64_t v = h5::get_attr_int(obj, name, where);
  if (v < lo || v > hi)
    throw FormatError(where + ": attribute '" + name + "' is " + std::to_string(v) + ", outside [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

}  // namespace

namespace {
void write_checkpoint_content(const std::string& path, const CheckpointData& data) {
  h5::MemoryFile file(/*checksummed=*/true);
  h5::set_attr_fixed(file, "format", kCheckpointFormat);
  h5::set_attr(file, "version", static_cast<std::int64_t>(kCheckpointVersion));
  h5::set_attr(file, "epoch", static_cast<std::int64_t>(data.epoch));
  h5::set_attr(file, "next_batch", static_cast<std::int64_t>(data.next_batch));
  h5::set_attr(file, "max_test_acc", data.max_test_acc);
  h5::set_attr_fixed(file, "optimizer", data.optimizer);
  h5::set_attr(file, "optimizer_step", static_cast<std::int64_t>(data.optimizer_step));
  h5::set_attr_fixed(file, "scheduler", data.scheduler);
  h5::set_attr(file, "scheduler_last_epoch", static_cast<std::int64_t>(data.scheduler_last_epoch));
  h5::set_attr_fixed(file, "dtype", data.single_precision ? "float32" : "float64");
  {
    h5::Handle args = h5::create_group(file, "args");
    for (const auto& [key, value] : data.args) h5::set_attr_fixed(args, key, value);
  }
  write_group(file, "parameters", data.parameters, data.single_precision);
  write_group(file, "buffers", data.buffers, data.single_precision);
  write_group(file, "optimizer", data.optimizer_state, data.single_precision);
  if (!data.scheduler_state.empty())
    write_group(file, "scheduler", data.scheduler_state, false);  // exact: best loss, lr
  file.save(path);
}
}  // namespace

void write_checkpoint_file(const std::string& path, const CheckpointData& data) {
  try {
    write_checkpoint_content(path, data);
  } catch (const IoError& e) {  // a failed dataset write names the dataset, not the file
    if (std::string(e.what()).find(path) != std::string::npos) throw;
    throw IoError("cannot write checkpoint '" + path + "' (disk full?): " + e.what());
  }
}

void write_checkpoint(const std::string& path, const CheckpointData& data) {
  write_atomically(path, [&](const std::string& tmp) { write_checkpoint_file(tmp, data); });
}

namespace {
CheckpointData read_checkpoint_file(const std::string& path) {
  h5::Handle file = h5::open_file_read(path);
  std::string where = "checkpoint '" + path + "'";
  if (!h5::has_attr(file, "format") ||
      h5::get_attr_string(file, "format", where) != kCheckpointFormat)
    throw FormatError("'" + path + "' is an HDF5 file but not an snn checkpoint (no format=\"" +
                      std::string(kCheckpointFormat) + "\" attribute)");
  std::int64_t version = h5::get_attr_int(file, "version", where);
  if (version < 1 || version > kCheckpointVersion)
    throw FormatError(where + " has format version " + std::to_string(version) +
                      "; this program reads up to " + std::to_string(kCheckpointVersion));
  hsize_t file_bytes = 0;
  if (H5Fget_filesize(file, &file_bytes) < 0) throw IoError(where + ": cannot get its size");
  constexpr std::int64_t kMaxEpoch = 100000000;
  CheckpointData data;
  data.epoch = static_cast<int>(int_in(file, "epoch", -1, kMaxEpoch, where));
  if (h5::has_attr(file, "next_batch"))
    data.next_batch = static_cast<int>(int_in(file, "next_batch", 0, kMaxEpoch, where));
  data.max_test_acc = h5::get_attr_double(file, "max_test_acc", where);
  data.optimizer = h5::get_attr_string(file, "optimizer", where);
  data.optimizer_step = int_in(file, "optimizer_step", 0, std::int64_t{1} << 53, where);
  data.scheduler = h5::get_attr_string(file, "scheduler", where);
  data.scheduler_last_epoch =
      static_cast<int>(int_in(file, "scheduler_last_epoch", -1, kMaxEpoch, where));
  data.single_precision = h5::get_attr_string(file, "dtype", where) != "float64";
  if (h5::exists(file, "args")) {
    h5::Handle args = h5::open_group(file, "args");
    for (const std::string& key : h5::attr_names(args))
      data.args[key] = h5::get_attr_string(args, key, where);
  }
  data.parameters = read_group(file, "parameters", path, file_bytes);
  data.buffers = read_group(file, "buffers", path, file_bytes);
  data.optimizer_state = read_group(file, "optimizer", path, file_bytes);
  data.scheduler_state = read_group(file, "scheduler", path, file_bytes);
  return data;
}
}  // namespace

CheckpointData read_checkpoint(const std::string& path) {
  try {
    return read_checkpoint_file(path);
  } catch (const FormatError& e) {  // the h5 helpers' messages do not always name the file
    if (std::string(e.what()).find(path) != std::string::npos) throw;
    throw FormatError("checkpoint '" + path + "': " + e.what());
  }
}

const NamedTensor& find_tensor(const std::vector<NamedTensor>& list, const std::string& name,
                               const std::vector<std::int64_t>& shape, const std::string& where) {
  for (const NamedTensor& t : list) {
    if (t.name != name) continue;
    if (t.shape != shape)
      throw FormatError(where + ": '" + name + "' has shape " + shape_text(t.shape) +
                        " but the model's is " + shape_text(shape) +
                        " (a checkpoint of another network?)");
    return t;
  }
  throw FormatError(where + ": no tensor '" + name + "' (a checkpoint of another network?)");
}

void require_same_names(const std::vector<NamedTensor>& list, const std::vector<std::string>& names,
                        const std::string& what, const std::string& where) {
  std::set<std::string> expected(names.begin(), names.end());
  for (const NamedTensor& t : list)
    if (!expected.count(t.name))
      throw FormatError(where + ": " + what + " '" + t.name +
                        "' is not in the model (a checkpoint of another network?)");
  std::set<std::string> present;
  for (const NamedTensor& t : list) present.insert(t.name);
  for (const std::string& n : names)
    if (!present.count(n))
      throw FormatError(where + ": " + what + " '" + n +
                        "' is missing (a checkpoint of another network?)");
}

}  // namespace snn::io
