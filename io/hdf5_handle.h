// Thin RAII over the HDF5 C API shared by the io/ writers and readers: owned ids, error text from
// the HDF5 error stack, and small helpers for attributes and whole datasets.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace snn::io::h5 {

/// For programs (snn-sim, snn-train, ...), first thing in main: HDF5 then skips its exit handler.
/// Before HDF5 2.0 a file whose write failed (a full disk) stays in HDF5's id table, and that
/// handler closes it a second time and crashes (SIGSEGV in H5F__close_cb) after our error message.
/// Every file we write is closed explicitly before exit, so the handler has nothing left to do.
void skip_exit_handler();

/// Turns off HDF5's printing of its error stack (io/ reports errors as exceptions instead).
void quiet_errors();

/// The most specific message on the HDF5 error stack ("" when empty).
std::string last_error();

/// An owned hid_t closed with the matching H5*close (file, group, dataset, space, type, attribute,
/// plist).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Throws IoError("<what>: <hdf5 message>") when id < 0, else wraps it.
Handle check(hid_t id, const std::string& what);
/// Throws IoError("<what>: <hdf5 message>") when status < 0.
void check_status(herr_t status, const std::string& what);

/// Creates (truncating) an HDF5 file; IoError naming the path if it cannot.
Handle create_file(const std::string& path);
/// Opens an existing file read-only; IoError for a missing file, FormatError for a non-HDF5 file.
Handle open_file_read(const std::string& path);

Handle create_group(hid_t parent, const std::string& name);
Handle open_group(hid_t parent, const std::string& name);  ///< FormatError if absent
bool exists(hid_t parent, const std::string& path);        ///< any link, nested path allowed

// Attributes on a file, group or dataset (created or overwritten).
void set_attr(hid_t obj, const std::string& name, const std::string& value);
void set_attr(hid_t obj, const std::string& name, double value);
void set_attr(hid_t obj, const std::string& name, std::int64_t value);
bool has_attr(hid_t obj, const std::string& name);
/// Readers: FormatError naming `where` if the attribute is missing or of another class.
std::string get_attr_string(hid_t obj, const std::string& name, const std::string& where);
double get_attr_double(hid_t obj, const std::string& name, const std::string& where);
std::int64_t get_attr_int(hid_t obj, const std::string& name, const std::string& where);
/// A string attribute stored inline (fixed length, UTF-8). Variable-length strings live in the
/// global heap, the one structure HDF5 never checksums: a damaged heap crashes H5Aread. h5py
/// returns these as bytes.
void set_attr_fixed(hid_t obj, const std::string& name, const std::string& value);
/// Names of every attribute of obj, in creation/name order.
std::vector<std::string> attr_names(hid_t obj);
/// Names of the links in a group, by name.
std::vector<std::string> link_names(hid_t group);

/// Writes a whole dataset of `dims` from `data` (native type `mem_type`, stored as `file_type`).
/// `fletcher32`: chunked storage with a Fletcher-32 checksum per chunk, verified by every read
/// (datasets of rank 0 or without elements have no chunks and are stored plainly).
Handle write_dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t mem_type,
                     const std::vector<hsize_t>& dims, const void* data, bool fletcher32 = false);
/// The dimensions of a dataset.
std::vector<hsize_t> dataset_dims(hid_t dataset);
/// Reads a whole dataset converted to the native type `mem_type` into `out` (sized by the caller).
void read_dataset(hid_t dataset, hid_t mem_type, void* out, const std::string& where);

}  // namespace snn::io::h5
