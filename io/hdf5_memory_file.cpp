// See hdf5_memory_file.h.
#include "io/hdf5_memory_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/core/errors.h"

// HDF5's own metadata checksum (Jenkins lookup3), exported by libhdf5 since 1.8.7 but declared only
// in its private headers.
extern "C" std::uint32_t H5_checksum_metadata(const void* data, std::size_t len,
                                              std::uint32_t initval);

namespace snn::io::h5 {

namespace {
// The core driver grows its buffer in steps of this size.
constexpr std::size_t kGrowBytes = std::size_t{1} << 20;

// Before HDF5 2.0, H5Fget_file_image clears the superblock's file-open flags without updating the
// checksum of a version 2 or 3 superblock (HDFGroup/hdf5#1915), so the image would fail to open
// with "incorrect metadata checksum". Recomputing it is a no-op where HDF5 already did.
void repair_superblock_checksum(std::vector<char>& image) {
  static const char kSignature[8] = {'\211', 'H', 'D', 'F', '\r', '\n', '\032', '\n'};
  if (image.size() < 12 || std::memcmp(image.data(), kSignature, 8) != 0) return;
  const int version = static_cast<unsigned char>(image[8]);
  if (version < 2) return;  // versions 0 and 1 carry no checksum
  // signature, version, size of offsets, size of lengths, flags; four addresses; the checksum.
  const std::size_t offsets = static_cast<unsigned char>(image[9]);
  const std::size_t covered = 12 + 4 * offsets;
  if (image.size() < covered + 4) return;
  const std::uint32_t sum = H5_checksum_metadata(image.data(), covered, 0);
  for (int b = 0; b < 4; ++b) image[covered + b] = static_cast<char>((sum >> (8 * b)) & 0xff);
}

void write_all(const std::string& path, const std::vector<char>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create '" + path + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      throw IoError("cannot write '" + path + "' (" + std::to_string(done) + " of " +
                    std::to_string(bytes.size()) + " bytes written): " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw IoError("cannot write '" + path + "': " + std::strerror(errno));
}
}  // namespace

MemoryFile::MemoryFile(bool checksummed) {
  quiet_errors();
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), "cannot create HDF5 file access list");
  check_status(H5Pset_fapl_core(fapl, kGrowBytes, /*backing_store=*/0),
               "cannot select HDF5's in-memory driver");
  // 1.10, not 1.8: its chunk indexes (a single chunk's address in the checksummed object header,
  // fixed and extensible arrays) carry checksums; 1.8's version-1 B-trees do not, and a damaged
  // chunk address reads as fill values without an error.
  if (checksummed)
    check_status(H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_LATEST),
                 "cannot select the HDF5 1.10 file format");
  // The name only identifies the file inside HDF5: nothing is created on disk.
  file_ = check(H5Fcreate("snn-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
                "cannot create an HDF5 file in memory");
}

void MemoryFile::save(const std::string& path) {
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), "cannot finish '" + path + "' in memory");
  const ssize_t size = H5Fget_file_image(file_, nullptr, 0);
  if (size < 0) check_status(-1, "cannot size the HDF5 image of '" + path + "'");
  std::vector<char> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(file_, image.data(), image.size()) != size)
    check_status(-1, "cannot copy the HDF5 image of '" + path + "'");
  file_.reset();
  repair_superblock_checksum(image);
  write_all(path, image);
}

}  // namespace snn::io::h5
