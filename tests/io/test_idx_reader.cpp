// IDX reader: good files plain and gzip'd, every kind of bad file, and the real MNIST test set.
#include "io/idx_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "sim/core/errors.h"
#include "tests/io/temp_dir.h"

namespace {

using snn::FormatError;
using snn::IoError;
using snn::io::ImageSet;
using snn::io::read_idx_pair;
using snn::io::read_mnist;
using snn::test::TempDir;

std::vector<unsigned char> be32(std::uint32_t v) {
  return {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
          static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
}

std::vector<unsigned char> idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                                     const std::vector<unsigned char>& data) {
  std::vector<unsigned char> out = be32(magic);
  for (auto d : dims) {
    auto b = be32(d);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void write_plain(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// 3 images of 2×4 pixels with values i*8+p, labels 5, 0, 9.
std::vector<unsigned char> good_images(int n = 3) {
  std::vector<unsigned char> px;
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < 8; ++p) px.push_back(static_cast<unsigned char>(i * 8 + p));
  return idx_bytes(0x803, {static_cast<std::uint32_t>(n), 2, 4}, px);
}
std::vector<unsigned char> good_labels() { return idx_bytes(0x801, {3}, {5, 0, 9}); }

void expect_good(const ImageSet& s) {
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.cols, 4);
  ASSERT_EQ(s.images.size(), 24u);
  for (int i = 0; i < 24; ++i) EXPECT_EQ(s.images[i], i);
  EXPECT_EQ(s.labels, (std::vector<std::uint8_t>{5, 0, 9}));
  EXPECT_EQ(s.classes(), 10);
}

// Runs f, expects exception E whose message contains every one of `parts`.
template <class E, class F>
void expect_error(F f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const E& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

TEST(IdxReader, ReadsPlainFiles) {
  TempDir d;
  write_plain(d / "train-images-idx3-ubyte", good_images());
  write_plain(d / "train-labels-idx1-ubyte", good_labels());
  expect_good(read_mnist(d.str(), true));
}

TEST(IdxReader, ReadsGzipFiles) {
  TempDir d;
  write_gz(d / "t10k-images-idx3-ubyte.gz", good_images());
  write_gz(d / "t10k-labels-idx1-ubyte.gz", good_labels());
  expect_good(read_mnist(d.str(), false));
}

TEST(IdxReader, MissingFileNamesTheFile) {
  TempDir d;
  write_gz(d / "t10k-images-idx3-ubyte.gz", good_images());
  expect_error<IoError>([&] { read_mnist(d.str(), false); }, {"t10k-labels-idx1-ubyte"});
  expect_error<IoError>([&] { read_mnist(d / "nonexistent", false); }, {"nonexistent", "does not exist"});
}

TEST(IdxReader, WrongMagic) {
  TempDir d;
  write_plain(d / "i", good_labels());  // a label file where images are expected
  write_plain(d / "l", good_labels());
  expect_error<FormatError>([&] { read_idx_pair(d / "i", d / "l"); }, {d / "i", "magic", "0x00000801"});
  write_plain(d / "i", idx_bytes(0x0d03, {3, 2, 4}, std::vector<unsigned char>(24)));  // float type
  expect_error<FormatError>([&] { read_idx_pair(d / "i", d / "l"); }, {"magic"});
}

TEST(IdxReader, TruncatedData) {
  TempDir d;
  auto img = good_images();
  img.resize(img.size() - 5);
  write_gz(d / "i.gz", img);
  write_gz(d / "l.gz", good_labels());
  expect_error<FormatError>([&] { read_idx_pair(d / "i.gz", d / "l.gz"); }, {"i.gz", "truncated"});
  write_plain(d / "short", {0, 0, 8});
  expect_error<FormatError>([&] { read_idx_pair(d / "short", d / "l.gz"); }, {"short", "truncated"});
  write_plain(d / "hdr", {0, 0, 8, 3, 0, 0, 0, 3, 0});
  expect_error<FormatError>([&] { read_idx_pair(d / "hdr", d / "l.gz"); }, {"hdr", "truncated"});
}

TEST(IdxReader, TrailingBytesMeanWrongDimensions) {
  TempDir d;
  auto img = good_images();
  img.push_back(1);
  write_plain(d / "i", img);
  write_plain(d / "l", good_labels());
  expect_error<FormatError>([&] { read_idx_pair(d / "i", d / "l"); }, {"'" + (d / "i") + "'", "1 bytes after"});
}

TEST(IdxReader, ZeroDimension) {
  TempDir d;
  write_plain(d / "i", idx_bytes(0x803, {3, 0, 4}, {}));
  write_plain(d / "l", good_labels());
  expect_error<FormatError>([&] { read_idx_pair(d / "i", d / "l"); }, {"dimension 1 is 0"});
}

TEST(IdxReader, HugeHeaderFailsAsTruncatedNotAsAllocation) {
  TempDir d;
  write_plain(d / "i", idx_bytes(0x803, {2000000000u, 28, 28}, std::vector<unsigned char>(100)));
  write_plain(d / "l", good_labels());
  expect_error<FormatError>([&] { read_idx_pair(d / "i", d / "l"); }, {"implausibly"});
  write_plain(d / "i", idx_bytes(0x803, {100000, 28, 28}, std::vector<unsigned char>(100)));
  expect_error<FormatError>([&] { read_idx_pair(d / "i", d / "l"); }, {"truncated"});
}

TEST(IdxReader, CountMismatch) {
  TempDir d;
  write_plain(d / "train-images-idx3-ubyte", good_images(4));
  write_plain(d / "train-labels-idx1-ubyte", good_labels());
  expect_error<FormatError>([&] { read_mnist(d.str(), true); }, {"4 images", "3 labels"});
}

TEST(IdxReader, CorruptGzip) {
  TempDir d;
  write_gz(d / "i.gz", good_images());
  // Flip bytes in the middle of the deflate stream.
  std::fstream f(d / "i.gz", std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(14);
  const char junk[6] = {'\x7f', '\x7f', '\x7f', '\x7f', '\x7f', '\x7f'};
  f.write(junk, 6);
  f.close();
  write_gz(d / "l.gz", good_labels());
  expect_error<FormatError>([&] { read_idx_pair(d / "i.gz", d / "l.gz"); }, {"i.gz"});
}

TEST(IdxReader, Slice) {
  TempDir d;
  write_plain(d / "i", good_images());
  write_plain(d / "l", good_labels());
  ImageSet s = read_idx_pair(d / "i", d / "l").slice(1, 5);
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.labels, (std::vector<std::uint8_t>{0, 9}));
  EXPECT_EQ(s.images.front(), 8);
}

TEST(IdxReader, RealMnistTestSet) {
  std::string dir = std::string(SNN_SHARED_DATA_DIR) + "/mnist";
  if (!std::ifstream(dir + "/t10k-labels-idx1-ubyte.gz")) GTEST_SKIP() << "no " << dir;
  ImageSet s = read_mnist(dir, false);
  EXPECT_EQ(s.count, 10000);
  EXPECT_EQ(s.rows, 28);
  EXPECT_EQ(s.cols, 28);
  EXPECT_EQ(s.classes(), 10);
  ASSERT_GE(s.labels.size(), 5u);
  EXPECT_EQ(std::vector<int>(s.labels.begin(), s.labels.begin() + 5), (std::vector<int>{7, 2, 1, 0, 4}));
}

}  // namespace
