// Checkpoint files: attributes for scalars and arguments, one dataset per tensor.
#include "io/checkpoint.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "io/atomic_file.h"
#include "io/hdf5_handle.h"
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
                             f.data());
    } else {
      ds = h5::write_dataset(group, escape(t.name), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims,
                             t.values.data());
    }
    h5::set_attr(ds, "index", static_cast<std::int64_t>(i));
  }
}

std::vector<NamedTensor> read_group(hid_t file, const std::string& group_name,
                                    const std::string& path) {
  std::vector<NamedTensor> out;
  if (!h5::exists(file, group_name)) return out;
  h5::Handle group = h5::open_group(file, group_name);
  std::vector<std::pair<std::int64_t, NamedTensor>> indexed;
  for (const std::string& link : h5::link_names(group)) {
    std::string where = "checkpoint '" + path + "', /" + group_name + "/" + link;
    hid_t id = H5Dopen2(group, link.c_str(), H5P_DEFAULT);
    if (id < 0) throw FormatError(where + " is not a dataset");
    h5::Handle ds(id);
    NamedTensor t;
    t.name = unescape(link);
    for (hsize_t d : h5::dataset_dims(ds)) t.shape.push_back(static_cast<std::int64_t>(d));
    std::int64_t n =
        std::accumulate(t.shape.begin(), t.shape.end(), std::int64_t{1}, std::multiplies<>());
    h5::Handle type(H5Dget_type(ds));
    if (H5Tget_class(type) != H5T_FLOAT && H5Tget_class(type) != H5T_INTEGER)
      throw FormatError(where + " is not numeric");
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

}  // namespace

void write_checkpoint_file(const std::string& path, const CheckpointData& data) {
  h5::Handle file = h5::create_file(path);
  h5::set_attr(file, "format", std::string(kCheckpointFormat));
  h5::set_attr(file, "version", static_cast<std::int64_t>(kCheckpointVersion));
  h5::set_attr(file, "epoch", static_cast<std::int64_t>(data.epoch));
  h5::set_attr(file, "max_test_acc", data.max_test_acc);
  h5::set_attr(file, "optimizer", data.optimizer);
  h5::set_attr(file, "optimizer_step", static_cast<std::int64_t>(data.optimizer_step));
  h5::set_attr(file, "scheduler", data.scheduler);
  h5::set_attr(file, "scheduler_last_epoch", static_cast<std::int64_t>(data.scheduler_last_epoch));
  h5::set_attr(file, "dtype", std::string(data.single_precision ? "float32" : "float64"));
  {
    h5::Handle args = h5::create_group(file, "args");
    for (const auto& [key, value] : data.args) h5::set_attr(args, key, value);
  }
  write_group(file, "parameters", data.parameters, data.single_precision);
  write_group(file, "buffers", data.buffers, data.single_precision);
  write_group(file, "optimizer", data.optimizer_state, data.single_precision);
  if (!data.scheduler_state.empty())
    write_group(file, "scheduler", data.scheduler_state, false);  // exact: best loss, lr
  h5::check_status(H5Fflush(file, H5F_SCOPE_GLOBAL), "cannot write checkpoint '" + path + "'");
}

void write_checkpoint(const std::string& path, const CheckpointData& data) {
  write_atomically(path, [&](const std::string& tmp) { write_checkpoint_file(tmp, data); });
}

CheckpointData read_checkpoint(const std::string& path) {
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
  CheckpointData data;
  data.epoch = static_cast<int>(h5::get_attr_int(file, "epoch", where));
  data.max_test_acc = h5::get_attr_double(file, "max_test_acc", where);
  data.optimizer = h5::get_attr_string(file, "optimizer", where);
  data.optimizer_step = h5::get_attr_int(file, "optimizer_step", where);
  data.scheduler = h5::get_attr_string(file, "scheduler", where);
  data.scheduler_last_epoch =
      static_cast<int>(h5::get_attr_int(file, "scheduler_last_epoch", where));
  data.single_precision = h5::get_attr_string(file, "dtype", where) != "float64";
  if (h5::exists(file, "args")) {
    h5::Handle args = h5::open_group(file, "args");
    for (const std::string& key : h5::attr_names(args))
      data.args[key] = h5::get_attr_string(args, key, where);
  }
  data.parameters = read_group(file, "parameters", path);
  data.buffers = read_group(file, "buffers", path);
  data.optimizer_state = read_group(file, "optimizer", path);
  data.scheduler_state = read_group(file, "scheduler", path);
  return data;
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
