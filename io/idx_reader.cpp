// IDX parsing through zlib's gzread, which reads gzip'd and plain files alike. Data are read in
// bounded chunks, so a corrupt header that claims billions of items fails as a truncated file
// rather than as a huge allocation.
#include "io/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "sim/core/errors.h"

namespace snn::io {
namespace {

constexpr int kIdxUnsignedByte = 0x08;

class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      throw IoError("cannot open '" + path + "': " +
                    (errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(f_, 1 << 17);
  }
  ~GzFile() {
    if (f_) gzclose(f_);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  /// Reads up to n bytes; returns how many were read (short only at the end of the data).
  std::size_t read(void* dst, std::size_t n) {
    std::size_t done = 0;
    auto* out = static_cast<unsigned char*>(dst);
    while (done < n) {
      unsigned want = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 24));
      int got = gzread(f_, out + done, want);
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(f_, &code);
        throw FormatError("'" + path_ + "' is corrupt: " + (msg ? msg : "read error"));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    // A truncated gzip stream reports its error after the last short read.
    int code = Z_OK;
    const char* msg = gzerror(f_, &code);
    if (code != Z_OK && code != Z_STREAM_END)
      throw FormatError("'" + path_ + "' is corrupt: " + (msg ? msg : "read error"));
    return done;
  }

 private:
  std::string path_;
  gzFile f_ = nullptr;
};

std::uint32_t big_endian(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

std::string hex(std::uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << std::setfill('0');
  s.width(8);
  s << v;
  return s.str();
}

/// Reads an unsigned-byte IDX file of `ndim` dimensions; fills dims and returns the data.
std::vector<std::uint8_t> read_idx(const std::string& path, int ndim, const char* what,
                                   std::vector<std::uint32_t>& dims) {
  GzFile f(path);
  unsigned char header[4];
  if (f.read(header, 4) != 4)
    throw FormatError("'" + path + "' is truncated: shorter than the 4-byte IDX header");
  std::uint32_t magic = big_endian(header);
  std::uint32_t expected = (kIdxUnsignedByte << 8) | ndim;
  if (magic != expected)
    throw FormatError("'" + path + "' is not an IDX " + what + " file: magic number " + hex(magic) +
                      ", expected " + hex(expected) + " (unsigned bytes, " + std::to_string(ndim) +
                      " dimensions)");
  dims.assign(ndim, 0);
  std::uint64_t total = 1;
  for (int i = 0; i < ndim; ++i) {
    unsigned char d[4];
    if (f.read(d, 4) != 4) throw FormatError("'" + path + "' is truncated inside its header");
    dims[i] = big_endian(d);
    if (dims[i] == 0)
      throw FormatError("'" + path + "': dimension " + std::to_string(i) + " is 0");
    if (i > 0 && dims[i] > 65535)
      throw FormatError("'" + path + "': dimension " + std::to_string(i) + " is " +
                        std::to_string(dims[i]) + ", more than 65535");
    total *= dims[i];
  }
  if (dims[0] > 0x7fffffffu || total > (std::uint64_t(1) << 40))
    throw FormatError("'" + path + "': header declares " + std::to_string(total) +
                      " bytes of data, implausibly many");
  std::vector<std::uint8_t> data;
  constexpr std::size_t kChunk = std::size_t(1) << 24;
  while (data.size() < total) {
    std::size_t want = std::min<std::size_t>(kChunk, total - data.size());
    std::size_t old = data.size();
    data.resize(old + want);
    std::size_t got = f.read(data.data() + old, want);
    if (got < want)
      throw FormatError("'" + path + "' is truncated: header declares " + std::to_string(dims[0]) +
                        " " + what + "s (" + std::to_string(total) + " data bytes), file holds " +
                        std::to_string(old + got));
  }
  unsigned char extra[256];
  std::size_t trailing = 0, got = 0;
  while ((got = f.read(extra, sizeof extra)) > 0) trailing += got;
  if (trailing > 0)
    throw FormatError("'" + path + "' has " + std::to_string(trailing) +
                      " bytes after the data its header declares (wrong dimensions?)");
  return data;
}

}  // namespace

int ImageSet::classes() const {
  if (declared_classes > 0) return declared_classes;
  if (labels.empty()) return 0;
  return *std::max_element(labels.begin(), labels.end()) + 1;
}

ImageSet ImageSet::slice(int first, int n) const {
  ImageSet out;
  first = std::clamp(first, 0, count);
  n = std::clamp(n, 0, count - first);
  out.rows = rows;
  out.cols = cols;
  out.channels = channels;
  out.declared_classes = declared_classes;
  out.count = n;
  std::size_t px = static_cast<std::size_t>(pixels());
  out.images.assign(images.begin() + first * px, images.begin() + (first + n) * px);
  out.labels.assign(labels.begin() + first, labels.begin() + first + n);
  return out;
}

std::string find_idx_file(const std::string& dir, const std::string& base) {
  namespace fs = std::filesystem;
  fs::path plain = fs::path(dir) / base;
  fs::path gz = fs::path(dir) / (base + ".gz");
  std::error_code ec;
  if (fs::is_regular_file(plain, ec)) return plain.string();
  if (fs::is_regular_file(gz, ec)) return gz.string();
  if (!fs::is_directory(dir, ec))
    throw IoError("data folder '" + dir + "' does not exist or is not a folder");
  throw IoError("data folder '" + dir + "' has neither '" + base + "' nor '" + base + ".gz'");
}

ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  std::vector<std::uint32_t> idims, ldims;
  ImageSet set;
  set.images = read_idx(images_path, 3, "image", idims);
  set.labels = read_idx(labels_path, 1, "label", ldims);
  if (idims[0] != ldims[0])
    throw FormatError("'" + images_path + "' holds " + std::to_string(idims[0]) + " images but '" +
                      labels_path + "' holds " + std::to_string(ldims[0]) + " labels");
  set.count = static_cast<int>(idims[0]);
  set.rows = static_cast<int>(idims[1]);
  set.cols = static_cast<int>(idims[2]);
  return set;
}

ImageSet read_mnist(const std::string& dir, bool train) {
  std::string prefix = train ? "train" : "t10k";
  std::string images = find_idx_file(dir, prefix + "-images-idx3-ubyte");
  std::string labels = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
  return read_idx_pair(images, labels);
}

}  // namespace snn::io
