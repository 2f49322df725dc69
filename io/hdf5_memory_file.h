// An HDF5 file built in memory and written to disk in one plain write. HDF5 never writes to disk
// itself, so a full disk (ENOSPC, EFBIG) is an error of our own write, reported with the path;
// a failed write inside HDF5 leaves the file open in HDF5's id table, and HDF5's exit handler then
// crashes closing it again (SIGSEGV in H5F__close_cb after the error message, HDF5 1.10.8).
#pragma once

#include <hdf5.h>

#include <string>

#include "io/hdf5_handle.h"

namespace snn::io::h5 {

class MemoryFile {
 public:
  /// checksummed: the HDF5 1.10 file format, whose metadata (superblock, object headers with their
  /// attributes, chunk indexes, heaps of link names) all carry checksums, so that a damaged file
  /// fails to open or read with an error instead of being parsed as garbage. HDF5 1.10+ reads it.
  explicit MemoryFile(bool checksummed);
  hid_t get() const { return file_.get(); }
  operator hid_t() const { return file_.get(); }
  /// Writes the file's image to `path` (created or truncated) and closes the file. IoError naming
  /// the path and the system's reason when the image cannot be written in full.
  void save(const std::string& path);

 private:
  Handle file_;
};

}  // namespace snn::io::h5
