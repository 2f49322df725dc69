// CIFAR-10 batches from plain files or from the tar.gz archive (zlib's gzread + ustar headers).
#include "io/cifar_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "sim/core/errors.h"

namespace snn::io {
namespace {

namespace fs = std::filesystem;

const char* kArchive = "cifar-10-binary.tar.gz";
const char* kSubfolder = "cifar-10-batches-bin";

std::vector<std::string> batch_names(bool train) {
  if (!train) return {"test_batch.bin"};
  std::vector<std::string> out;
  for (int i = 1; i <= 5; ++i) out.push_back("data_batch_" + std::to_string(i) + ".bin");
  return out;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError("cannot open '" + path + "': " + std::strerror(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                  std::istreambuf_iterator<char>());
  if (f.bad()) throw IoError("cannot read '" + path + "'");
  return bytes;
}

/// Sequential reads from a gzip stream; short only at its end.
class GzStream {
 public:
  explicit GzStream(const std::string& path) : path_(path) {
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (!f_)
      throw IoError("cannot open '" + path +
                    "': " + (errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(f_, 1 << 17);
  }
  ~GzStream() { gzclose(f_); }
  GzStream(const GzStream&) = delete;
  GzStream& operator=(const GzStream&) = delete;

  std::size_t read(void* dst, std::size_t n) {
    std::size_t done = 0;
    auto* out = static_cast<unsigned char*>(dst);
    while (done < n) {
      const unsigned want = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 24));
      const int got = gzread(f_, out + done, want);
      if (got < 0) fail();
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    int code = Z_OK;
    gzerror(f_, &code);
    if (code != Z_OK && code != Z_STREAM_END) fail();
    return done;
  }

 private:
  [[noreturn]] void fail() {
    int code = 0;
    const char* msg = gzerror(f_, &code);
    throw FormatError("'" + path_ + "' is corrupt: " + (msg ? msg : "read error"));
  }
  std::string path_;
  gzFile f_ = nullptr;
};

std::uint64_t octal(const unsigned char* p, int n, const std::string& where) {
  std::uint64_t v = 0;
  int i = 0;
  while (i < n && (p[i] == ' ' || p[i] == 0)) ++i;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) v = v * 8 + (p[i] - '0');
  for (; i < n; ++i)
    if (p[i] != ' ' && p[i] != 0)
      throw FormatError(where + " is not a tar.gz archive (a tar header field is not octal)");
  return v;
}

std::string field(const unsigned char* p, int n) {
  const auto* end = static_cast<const unsigned char*>(std::memchr(p, 0, n));
  return std::string(reinterpret_cast<const char*>(p), end ? end - p : n);
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The members of the tar.gz at `path` whose base names are in `wanted`, by base name.
std::map<std::string, std::vector<std::uint8_t>> read_archive(
    const std::string& path, const std::vector<std::string>& wanted) {
  GzStream gz(path);
  std::map<std::string, std::vector<std::uint8_t>> out;
  std::string long_name;
  unsigned char h[512];
  std::vector<std::uint8_t> skip(1 << 16);
  for (std::int64_t block = 0;; ++block) {
    const std::size_t got = gz.read(h, 512);
    if (got == 0 && block > 0) break;  // no end-of-archive blocks: tolerated, as GNU tar does
    if (got != 512) throw FormatError("'" + path + "' is truncated inside a tar header");
    if (std::all_of(h, h + 512, [](unsigned char c) { return c == 0; })) break;
    const std::string where = "'" + path + "'";
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    if (octal(h + 148, 8, where) != sum)
      throw FormatError(where + " is not a tar.gz archive (bad tar header checksum)");
    const std::uint64_t size = octal(h + 124, 12, where);
    const char type = static_cast<char>(h[156]);
    std::string name = field(h, 100);
    if (std::memcmp(h + 257, "ustar", 5) == 0 && h[345]) name = field(h + 345, 155) + "/" + name;
    if (!long_name.empty()) name = long_name, long_name.clear();
    const std::uint64_t padded = (size + 511) / 512 * 512;
    const bool regular = type == '0' || type == 0;
    const std::string base = base_name(name);
    const bool keep = regular && std::find(wanted.begin(), wanted.end(), base) != wanted.end();
    if (keep || type == 'L') {
      std::vector<std::uint8_t> data(size);
      if (gz.read(data.data(), size) != size ||
          gz.read(skip.data(), padded - size) != padded - size)
        throw FormatError(where + " is truncated inside member '" + name + "'");
      if (type == 'L')
        long_name = std::string(data.begin(), std::find(data.begin(), data.end(), 0));
      else
        out[base] = std::move(data);
    } else {
      for (std::uint64_t left = padded; left > 0;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, skip.size()));
        if (gz.read(skip.data(), n) != n)
          throw FormatError(where + " is truncated inside member '" + name + "'");
        left -= n;
      }
    }
    block += static_cast<std::int64_t>(padded / 512);
  }
  return out;
}

}  // namespace

bool has_cifar10(const std::string& dir) {
  std::error_code ec;
  const fs::path d(dir);
  return fs::is_regular_file(d / "data_batch_1.bin", ec) ||
         fs::is_regular_file(d / kSubfolder / "data_batch_1.bin", ec) ||
         fs::is_regular_file(d / kArchive, ec);
}

void append_cifar_records(const std::vector<std::uint8_t>& bytes, const std::string& name,
                          ImageSet& set) {
  if (bytes.empty())
    throw FormatError(name + " is empty (a CIFAR-10 batch holds 3073-byte records)");
  if (bytes.size() % kCifarRecordBytes != 0)
    throw FormatError(
        name + " is truncated or not a CIFAR-10 batch: " + std::to_string(bytes.size()) +
        " bytes are not a whole number of 3073-byte records (1 label + 3×32×32 pixels)");
  const std::size_t n = bytes.size() / kCifarRecordBytes;
  set.images.reserve(set.images.size() + n * (kCifarRecordBytes - 1));
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint8_t* rec = bytes.data() + r * kCifarRecordBytes;
    if (rec[0] >= 10)
      throw FormatError(name + ": record " + std::to_string(r) + " has label " +
                        std::to_string(rec[0]) + "; CIFAR-10 has 10 classes (0..9)");
    set.labels.push_back(rec[0]);
    set.images.insert(set.images.end(), rec + 1, rec + kCifarRecordBytes);
  }
  set.count += static_cast<int>(n);
}

ImageSet read_cifar10(const std::string& dir, bool train) {
  ImageSet set;
  set.rows = set.cols = 32;
  set.channels = 3;
  set.declared_classes = 10;
  const std::vector<std::string> names = batch_names(train);
  std::error_code ec;
  fs::path folder(dir);
  if (!fs::is_regular_file(folder / "data_batch_1.bin", ec) &&
      fs::is_directory(folder / kSubfolder, ec))
    folder /= kSubfolder;
  if (fs::is_regular_file(folder / "data_batch_1.bin", ec)) {
    for (const std::string& n : names) {
      const fs::path p = folder / n;
      if (!fs::is_regular_file(p, ec))
        throw IoError("CIFAR-10 folder '" + folder.string() + "' has data_batch_1.bin but no '" +
                      n + "'");
      append_cifar_records(read_file(p.string()), "'" + p.string() + "'", set);
    }
    return set;
  }
  const fs::path archive = fs::path(dir) / kArchive;
  if (!fs::is_regular_file(archive, ec))
    throw IoError("data folder '" + dir +
                  "' has no CIFAR-10 batches (data_batch_1.bin ... test_batch.bin) and no '" +
                  kArchive + "'");
  auto members = read_archive(archive.string(), names);
  for (const std::string& n : names) {
    auto it = members.find(n);
    if (it == members.end())
      throw FormatError("'" + archive.string() + "' has no member '" + n + "'");
    append_cifar_records(it->second, "'" + archive.string() + "' member '" + n + "'", set);
  }
  return set;
}

}  // namespace snn::io
