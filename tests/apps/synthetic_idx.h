// Small MNIST-format data sets written into a folder for tests: random images whose class shows
// in a bright block, so a few batches of training already learn something.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace snn::test {

inline void write_idx_gz(const std::string& path, std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                         const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> bytes;
  auto be = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<std::uint8_t>(v >> s));
  };
  be(magic);
  for (auto d : dims) be(d);
  bytes.insert(bytes.end(), data.begin(), data.end());
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

/// Writes {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz with n_train and n_test 28×28 images.
inline void write_synthetic_mnist(const std::string& dir, int n_train, int n_test, std::uint64_t seed = 1) {
  std::mt19937_64 gen(seed);
  for (int part = 0; part < 2; ++part) {
    int n = part == 0 ? n_train : n_test;
    std::vector<std::uint8_t> images(static_cast<std::size_t>(n) * 784), labels(n);
    for (int i = 0; i < n; ++i) {
      int label = static_cast<int>(gen() % 10);
      labels[i] = static_cast<std::uint8_t>(label);
      for (int p = 0; p < 784; ++p) images[i * 784 + p] = static_cast<std::uint8_t>(gen() % 64);
      int r0 = (label / 5) * 14, c0 = (label % 5) * 5;
      for (int r = r0; r < r0 + 10; ++r)
        for (int c = c0; c < c0 + 5; ++c) images[i * 784 + r * 28 + c] = 255;
    }
    std::string prefix = dir + (part == 0 ? "/train" : "/t10k");
    write_idx_gz(prefix + "-images-idx3-ubyte.gz", 0x803, {static_cast<std::uint32_t>(n), 28, 28}, images);
    write_idx_gz(prefix + "-labels-idx1-ubyte.gz", 0x801, {static_cast<std::uint32_t>(n)}, labels);
  }
}

}  // namespace snn::test
