// HDF5 C API helpers: error text from the error stack, owned ids, attributes, whole datasets.
#include "io/hdf5_handle.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "sim/core/errors.h"

namespace snn::io::h5 {

void quiet_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

void skip_exit_handler() {
  H5dont_atexit();
}

namespace {
herr_t first_message(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && err && err->desc) *out = err->desc;
  for (char& c : *out)  // messages become one line ("file write failed: time = ...\n, filename")
    if (c == '\n') c = ' ';
  return 0;
}
}  // namespace

std::string last_error() {
  std::string msg;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_message, &msg);
  return msg;
}

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      H5Fclose(id_);
      break;
    case H5I_GROUP:
      H5Gclose(id_);
      break;
    case H5I_DATASET:
      H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      H5Tclose(id_);
      break;
    case H5I_ATTR:
      H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id_);
      break;
    default:
      break;
  }
  id_ = H5I_INVALID_HID;
}

Handle check(hid_t id, const std::string& what) {
  if (id < 0) {
    std::string detail = last_error();
    throw IoError(what + (detail.empty() ? "" : ": " + detail));
  }
  return Handle(id);
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) {
    std::string detail = last_error();
    throw IoError(what + (detail.empty() ? "" : ": " + detail));
  }
}

Handle create_file(const std::string& path) {
  quiet_errors();
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    namespace fs = std::filesystem;
    fs::path p(path);
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw IoError("cannot create '" + path + "': folder '" + dir.string() + "' does not exist");
    throw IoError("cannot create '" + path + "' (no permission, or the disk is full?)");
  }
  return Handle(f);
}

Handle open_file_read(const std::string& path) {
  quiet_errors();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError("'" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    throw IoError("'" + path + "' is a folder, not a file");
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (!probe) throw IoError("cannot open '" + path + "' for reading (no permission?)");
  std::fclose(probe);
  if (H5Fis_hdf5(path.c_str()) <= 0) throw FormatError("'" + path + "' is not an HDF5 file");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw FormatError("cannot open HDF5 file '" + path + "': " + last_error());
  return Handle(f);
}

Handle create_group(hid_t parent, const std::string& name) {
  return check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               "cannot create HDF5 group '" + name + "'");
}

bool exists(hid_t parent, const std::string& path) {
  // Check each component so a missing intermediate group is not an error.
  std::string partial;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) {
      partial += (partial.empty() ? "" : "/") + part;
      if (H5Lexists(parent, partial.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return !partial.empty();
}

Handle open_group(hid_t parent, const std::string& name) {
  if (!exists(parent, name)) throw FormatError("HDF5 group '" + name + "' is missing");
  hid_t g = H5Gopen2(parent, name.c_str(), H5P_DEFAULT);
  if (g < 0) throw FormatError("'" + name + "' is not an HDF5 group");
  return Handle(g);
}

namespace {
Handle scalar_space() {
  return check(H5Screate(H5S_SCALAR), "cannot create HDF5 dataspace");
}

void replace_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
}
}  // namespace

// Variable-length UTF-8 strings: h5py returns them as str (fixed-length ones come back as bytes).
void set_attr(hid_t obj, const std::string& name, const std::string& value) {
  replace_attr(obj, name);
  Handle type = check(H5Tcopy(H5T_C_S1), "cannot create HDF5 string type");
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  Handle space = scalar_space();
  Handle attr = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                      "cannot create HDF5 attribute '" + name + "'");
  const char* text = value.c_str();
  check_status(H5Awrite(attr, type, &text), "cannot write HDF5 attribute '" + name + "'");
}

void set_attr(hid_t obj, const std::string& name, double value) {
  replace_attr(obj, name);
  Handle space = scalar_space();
  Handle attr =
      check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
            "cannot create HDF5 attribute '" + name + "'");
  check_status(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value),
               "cannot write HDF5 attribute '" + name + "'");
}

void set_attr(hid_t obj, const std::string& name, std::int64_t value) {
  replace_attr(obj, name);
  Handle space = scalar_space();
  Handle attr = check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                      "cannot create HDF5 attribute '" + name + "'");
  check_status(H5Awrite(attr, H5T_NATIVE_INT64, &value),
               "cannot write HDF5 attribute '" + name + "'");
}

void set_attr_fixed(hid_t obj, const std::string& name, const std::string& value) {
  replace_attr(obj, name);
  Handle type = check(H5Tcopy(H5T_C_S1), "cannot create HDF5 string type");
  H5Tset_size(type, value.empty() ? 1 : value.size());  // HDF5 has no zero-length strings
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  H5Tset_cset(type, H5T_CSET_UTF8);
  Handle space = scalar_space();
  Handle attr = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                      "cannot create HDF5 attribute '" + name + "'");
  std::string buf = value.empty() ? std::string(1, '\0') : value;
  check_status(H5Awrite(attr, type, buf.data()), "cannot write HDF5 attribute '" + name + "'");
}

bool has_attr(hid_t obj, const std::string& name) {
  return H5Aexists(obj, name.c_str()) > 0;
}

namespace {
Handle open_attr(hid_t obj, const std::string& name, const std::string& where) {
  if (!has_attr(obj, name)) throw FormatError(where + ": attribute '" + name + "' is missing");
  hid_t a = H5Aopen(obj, name.c_str(), H5P_DEFAULT);
  if (a < 0) throw FormatError(where + ": cannot open attribute '" + name + "'");
  return Handle(a);
}
}  // namespace

std::string get_attr_string(hid_t obj, const std::string& name, const std::string& where) {
  Handle attr = open_attr(obj, name, where);
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) != H5T_STRING)
    throw FormatError(where + ": attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(type) > 0) {
    Handle mem = check(H5Tcopy(H5T_C_S1), "cannot create HDF5 string type");
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));  // HDF5 converts no string between character sets
    char* s = nullptr;
    if (H5Aread(attr, mem, &s) < 0)
      throw FormatError(where + ": cannot read attribute '" + name + "'");
    std::string out = s ? s : "";
    Handle space(H5Aget_space(attr));
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, &s);
    return out;
  }
  std::size_t n = H5Tget_size(type);
  std::string buf(n, '\0');
  if (H5Aread(attr, type, buf.data()) < 0)
    throw FormatError(where + ": cannot read attribute '" + name + "'");
  std::size_t end = buf.find('\0');
  if (end != std::string::npos) buf.resize(end);
  return buf;
}

double get_attr_double(hid_t obj, const std::string& name, const std::string& where) {
  Handle attr = open_attr(obj, name, where);
  Handle type(H5Aget_type(attr));
  H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    throw FormatError(where + ": attribute '" + name + "' is not a number");
  double v = 0;
  if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0)
    throw FormatError(where + ": cannot read attribute '" + name + "'");
  return v;
}

std::int64_t get_attr_int(hid_t obj, const std::string& name, const std::string& where) {
  Handle attr = open_attr(obj, name, where);
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) != H5T_INTEGER)
    throw FormatError(where + ": attribute '" + name + "' is not an integer");
  std::int64_t v = 0;
  if (H5Aread(attr, H5T_NATIVE_INT64, &v) < 0)
    throw FormatError(where + ": cannot read attribute '" + name + "'");
  return v;
}

namespace {
herr_t collect_attr(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}
herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> attr_names(hid_t obj) {
  std::vector<std::string> out;
  hsize_t idx = 0;
  H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &out);
  return out;
}

std::vector<std::string> link_names(hid_t group) {
  std::vector<std::string> out;
  hsize_t idx = 0;
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &out);
  return out;
}

Handle write_dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t mem_type,
                     const std::vector<hsize_t>& dims, const void* data, bool fletcher32) {
  Handle space =
      check(dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            "cannot create HDF5 dataspace for '" + name + "'");
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), "cannot create HDF5 dataset properties");
  if (fletcher32 && total > 0 && !dims.empty()) {
    // Chunks of at most 256 MiB (HDF5 allows 4 GiB): split along the first dimension.
    std::vector<hsize_t> chunk = dims;
    const hsize_t bytes = total * H5Tget_size(file_type), limit = hsize_t{1} << 28;
    if (bytes > limit) chunk[0] = std::max<hsize_t>(1, chunk[0] / ((bytes + limit - 1) / limit));
    check_status(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()),
                 "cannot chunk HDF5 dataset '" + name + "'");
    check_status(H5Pset_fletcher32(dcpl), "cannot add a Fletcher-32 checksum to '" + name + "'");
  }
  Handle ds =
      check(H5Dcreate2(parent, name.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
            "cannot create HDF5 dataset '" + name + "'");
  if (total > 0)
    check_status(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
                 "cannot write HDF5 dataset '" + name + "'");
  return ds;
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  Handle space(H5Dget_space(dataset));
  int n = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(n > 0 ? n : 0);
  if (n > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

void read_dataset(hid_t dataset, hid_t mem_type, void* out, const std::string& where) {
  if (H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    throw FormatError(where + ": cannot read dataset: " + last_error());
}

}  // namespace snn::io::h5
