// The .npy writer: the header bytes numpy.save writes for float32 C-order arrays (pinned against
// numpy 1.24's output for the same shapes), the values after it, and bad input.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "io/npy_writer.h"
#include "sim/core/errors.h"
#include "tests/io/temp_dir.h"

namespace {

using snn::io::npy_header;

// numpy: np.save(f, np.zeros((100, 10), np.float32)) writes this 128-byte header.
TEST(NpyWriter, HeaderMatchesNumpy) {
  const std::string h = npy_header({100, 10});
  ASSERT_EQ(h.size(), 128u);
  EXPECT_EQ(h.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(h[6], 1);
  EXPECT_EQ(h[7], 0);
  EXPECT_EQ(static_cast<unsigned char>(h[8]) + 256 * static_cast<unsigned char>(h[9]), 118);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 10), }";
  EXPECT_EQ(h.substr(10, dict.size()), dict);
  EXPECT_EQ(h.back(), '\n');
  EXPECT_EQ(h.find_first_not_of(' ', 10 + dict.size()), h.size() - 1);
  EXPECT_NE(npy_header({3}).find("'shape': (3,)"), std::string::npos);
  EXPECT_NE(npy_header({}).find("'shape': ()"), std::string::npos);
  EXPECT_EQ(npy_header({3}).size() % 64, 0u);
}

TEST(NpyWriter, WritesValuesAfterTheHeader) {
  snn::test::TempDir dir;
  const std::string path = dir.str() + "/a.npy";
  snn::io::write_npy(path, {1.0f, -2.5f, 0.0f, 3.25f, 7.0f, 1e-3f}, {2, 3});
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::string h = npy_header({2, 3});
  ASSERT_EQ(bytes.size(), h.size() + 6 * 4);
  EXPECT_EQ(bytes.substr(0, h.size()), h);
  float v[6];
  std::memcpy(v, bytes.data() + h.size(), sizeof v);
  EXPECT_EQ(v[1], -2.5f);
  EXPECT_EQ(v[3], 3.25f);
  EXPECT_EQ(v[5], 1e-3f);
}

TEST(NpyWriter, RejectsWrongSizesAndMissingFolders) {
  snn::test::TempDir dir;
  EXPECT_THROW(snn::io::write_npy(dir.str() + "/a.npy", {1.0f, 2.0f}, {3}), snn::InvalidParameter);
  EXPECT_THROW(snn::io::write_npy(dir.str() + "/missing/a.npy", {1.0f}, {1}), snn::IoError);
}

}  // namespace
