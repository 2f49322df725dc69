// Small CIFAR-10 binary batches written by tests: plain files, or a cifar-10-binary.tar.gz with
// ustar members under cifar-10-batches-bin/, as the real archive. Images show their class in a
// bright block of one channel, so a few batches of training learn something.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace snn::test {

/// n records; label of record i = labels[i % labels.size()] (default: i % 10).
inline std::vector<std::uint8_t> cifar_batch(int n, std::uint64_t seed,
                                             std::vector<int> labels = {}) {
  std::mt19937_64 gen(seed);
  std::vector<std::uint8_t> out;
  for (int i = 0; i < n; ++i) {
    const int label = labels.empty() ? static_cast<int>(gen() % 10) : labels[i % labels.size()];
    out.push_back(static_cast<std::uint8_t>(label));
    std::vector<std::uint8_t> px(3072);
    for (auto& p : px) p = static_cast<std::uint8_t>(gen() % 64);
    // The pattern uses label % 10 so that out-of-range labels (bad-file tests) stay in the image.
    const int c = label % 3, r0 = ((label % 10) / 3) * 8;
    for (int r = r0; r < r0 + 8; ++r)
      for (int col = 0; col < 32; ++col) px[c * 1024 + r * 32 + col] = 255;
    out.insert(out.end(), px.begin(), px.end());
  }
  return out;
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

/// The six batches: n_train records per training batch, n_test in the test batch.
inline std::vector<std::pair<std::string, std::vector<std::uint8_t>>> cifar_batches(int n_train,
                                                                                    int n_test) {
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> out;
  for (int i = 1; i <= 5; ++i)
    out.emplace_back("data_batch_" + std::to_string(i) + ".bin", cifar_batch(n_train, i));
  out.emplace_back("test_batch.bin", cifar_batch(n_test, 99));
  return out;
}

inline void write_cifar_files(const std::string& dir, int n_train, int n_test) {
  for (auto& [name, bytes] : cifar_batches(n_train, n_test)) write_bytes(dir + "/" + name, bytes);
}

/// A gzip'd ustar archive of `members` (name → bytes); `truncate` drops that many final bytes of
/// the uncompressed tar.
inline void write_tar_gz(
    const std::string& path,
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& members,
    std::size_t truncate = 0) {
  std::vector<std::uint8_t> tar;
  for (const auto& [name, data] : members) {
    unsigned char h[512] = {};
    std::snprintf(reinterpret_cast<char*>(h), 100, "%s", name.c_str());
    std::snprintf(reinterpret_cast<char*>(h + 100), 8, "%07o", 0644);
    std::snprintf(reinterpret_cast<char*>(h + 108), 8, "%07o", 0);
    std::snprintf(reinterpret_cast<char*>(h + 116), 8, "%07o", 0);
    std::snprintf(reinterpret_cast<char*>(h + 124), 12, "%011lo",
                  static_cast<unsigned long>(data.size()));
    std::snprintf(reinterpret_cast<char*>(h + 136), 12, "%011o", 0);
    h[156] = '0';
    std::snprintf(reinterpret_cast<char*>(h + 257), 6, "ustar");
    h[263] = '0';
    h[264] = '0';
    for (int i = 148; i < 156; ++i) h[i] = ' ';
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum);
    tar.insert(tar.end(), h, h + 512);
    tar.insert(tar.end(), data.begin(), data.end());
    tar.resize((tar.size() + 511) / 512 * 512, 0);
  }
  tar.resize(tar.size() + 1024, 0);
  tar.resize(tar.size() - truncate);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, tar.data(), static_cast<unsigned>(tar.size()));
  gzclose(f);
}

inline void write_cifar_archive(const std::string& dir, int n_train, int n_test) {
  auto batches = cifar_batches(n_train, n_test);
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> members = {
      {"cifar-10-batches-bin/readme.html", std::vector<std::uint8_t>(700, 'x')}};
  for (auto& [name, bytes] : batches) members.emplace_back("cifar-10-batches-bin/" + name, bytes);
  write_tar_gz(dir + "/cifar-10-binary.tar.gz", members);
}

}  // namespace snn::test
