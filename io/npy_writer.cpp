// .npy writer (see npy_writer.h).
#include "io/npy_writer.h"

#include <cstdint>
#include <cstring>
#include <fstream>

#include "io/atomic_file.h"
#include "sim/core/errors.h"

namespace snn::io {

std::string npy_header(const std::vector<std::size_t>& shape) {
  std::string dims;  // Python's tuple syntax: (), (3,), (3, 4)
  for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t prefix = 10;  // magic 6, version 2, length 2
  std::size_t total = prefix + dict.size() + 1;
  total = (total + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  const std::size_t len = dict.size();
  std::string h = "\x93NUMPY";
  h += '\x01';
  h += '\x00';
  h += static_cast<char>(len & 0xff);
  h += static_cast<char>(len >> 8);
  return h + dict;
}

void write_npy(const std::string& path, const std::vector<float>& values,
               const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  require(n == values.size(), "write_npy " + path + ": " + std::to_string(values.size()) +
                                  " values for " + std::to_string(n) + " elements");
  static_assert(sizeof(float) == 4);
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream f(tmp, std::ios::binary);
    const std::string h = npy_header(shape);
    f.write(h.data(), static_cast<std::streamsize>(h.size()));
    const std::uint32_t one = 1;  // '<f4' is little-endian: x86-64 and aarch64 hosts are
    unsigned char first;
    std::memcpy(&first, &one, 1);
    if (first != 1) throw IoError("write_npy: big-endian hosts are not supported");
    f.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
    f.close();
    if (!f) throw IoError("cannot write '" + tmp + "'");
  });
}

}  // namespace snn::io
