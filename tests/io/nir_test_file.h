// Small NIR files written with the HDF5 C API for the reader's tests: each variant real files
// show (vlen/fixed strings, float16/int datasets, deflate, float64 empty edges) on demand.
#pragma once

#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace snn::test {

class NirTestFile {
 public:
  explicit NirTestFile(const std::string& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) {}
  ~NirTestFile() {
    if (lcpl_ >= 0) H5Pclose(lcpl_);
    H5Fclose(file_);
  }
  NirTestFile(const NirTestFile&) = delete;
  NirTestFile& operator=(const NirTestFile&) = delete;

  /// A string dataset at `path` (groups created as needed): vlen UTF-8, or fixed-length ASCII.
  void str(const std::string& path, const std::string& value, bool fixed = false) {
    strings(path, {value}, {}, fixed);
  }
  /// Edges as [E, 2] strings.
  void edges(const std::string& path, const std::vector<std::pair<std::string, std::string>>& e,
             bool fixed = false) {
    std::vector<std::string> flat;
    for (const auto& p : e) flat.insert(flat.end(), {p.first, p.second});
    strings(path, flat, {hsize_t(e.size()), 2}, fixed);
  }
  /// Numbers stored as `file_type` (H5T_IEEE_F32LE, H5T_STD_I32LE, a float16 type, ...).
  void num(const std::string& path, const std::vector<hsize_t>& dims, const std::vector<double>& v,
           hid_t file_type = H5T_IEEE_F64LE, bool deflate = false) {
    hid_t space = dims.empty() ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (deflate && !dims.empty()) {
      H5Pset_chunk(dcpl, int(dims.size()), dims.data());
      H5Pset_deflate(dcpl, 6);
    }
    hid_t ds = H5Dcreate2(file_, path.c_str(), file_type, space, lcpl(), dcpl, H5P_DEFAULT);
    if (!v.empty()) H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
  }
  void scalar(const std::string& path, double v, hid_t file_type = H5T_IEEE_F64LE) {
    num(path, {}, {v}, file_type);
  }
  void vec(const std::string& path, const std::vector<double>& v,
           hid_t file_type = H5T_IEEE_F64LE) {
    num(path, {hsize_t(v.size())}, v, file_type);
  }
  void group(const std::string& path) {
    H5Gclose(H5Gcreate2(file_, path.c_str(), lcpl(), H5P_DEFAULT, H5P_DEFAULT));
  }

  /// An IEEE half-precision type (HDF5 1.10 has no predefined one; h5py builds the same).
  static hid_t float16() {
    static hid_t t = [] {
      hid_t f = H5Tcopy(H5T_IEEE_F32LE);
      H5Tset_fields(f, 15, 10, 5, 0, 10);
      H5Tset_size(f, 2);
      H5Tset_ebias(f, 15);
      return f;
    }();
    return t;
  }

 private:
  hid_t lcpl() {
    if (lcpl_ < 0) {
      lcpl_ = H5Pcreate(H5P_LINK_CREATE);
      H5Pset_create_intermediate_group(lcpl_, 1);
    }
    return lcpl_;
  }

  void strings(const std::string& path, const std::vector<std::string>& v,
               std::vector<hsize_t> dims, bool fixed) {
    hid_t type = H5Tcopy(H5T_C_S1);
    std::size_t len = 1;
    for (const auto& s : v) len = std::max(len, s.size());
    std::vector<const char*> ptrs;
    std::string buf;
    const void* data = nullptr;
    if (fixed) {
      H5Tset_size(type, len);
      H5Tset_strpad(type, H5T_STR_NULLPAD);
      for (const auto& s : v) buf += s + std::string(len - s.size(), '\0');
      data = buf.data();
    } else {
      H5Tset_size(type, H5T_VARIABLE);
      H5Tset_cset(type, H5T_CSET_UTF8);
      for (const auto& s : v) ptrs.push_back(s.c_str());
      data = ptrs.data();
    }
    hid_t space = dims.empty() ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    hid_t ds = H5Dcreate2(file_, path.c_str(), type, space, lcpl(), H5P_DEFAULT, H5P_DEFAULT);
    if (!v.empty()) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(ds);
    H5Sclose(space);
    H5Tclose(type);
  }

  hid_t file_;
  hid_t lcpl_ = -1;
};

}  // namespace snn::test
