// Damaged checkpoints: bytes changed anywhere (HDF5 metadata in the first 4 KB, tensor data),
// truncation, and datasets of the wrong type or an impossible shape give one FormatError or
// IoError naming the file, never a crash and never silently different values.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <random>

#include "io/checkpoint.h"
#include "io/hdf5_handle.h"
#include "sim/core/errors.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn::io;
using snn::test::TempDir;

CheckpointData sample() {
  CheckpointData d;
  d.parameters = {{"fc0.weight", {4, 8}, {}}, {"fc1.weight", {2, 4}, {}}};
  for (auto& t : d.parameters)
    for (int i = 0; i < t.shape[0] * t.shape[1]; ++i) t.values.push_back(0.25 * i - 3);
  d.optimizer_state = {{"adam.exp_avg.fc0.weight", {4, 8}, std::vector<double>(32, 0.5)}};
  d.optimizer = "adam";
  d.optimizer_step = 12;
  d.epoch = 3;
  d.max_test_acc = 0.75;
  d.args = {{"T", "8"}, {"opt", "adam"}, {"lr", "0.001"}};
  return d;
}

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::string& path, const std::vector<char>& b) {
  std::ofstream(path, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
}

bool same(const CheckpointData& a, const CheckpointData& b) {
  auto eq = [](const std::vector<NamedTensor>& x, const std::vector<NamedTensor>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].name != y[i].name || x[i].shape != y[i].shape || x[i].values != y[i].values)
        return false;
    return true;
  };
  return eq(a.parameters, b.parameters) && eq(a.optimizer_state, b.optimizer_state) &&
         a.epoch == b.epoch && a.optimizer == b.optimizer && a.optimizer_step == b.optimizer_step &&
         a.args == b.args && a.max_test_acc == b.max_test_acc;
}

/// Changes 1-4 bytes of the file in [0, limit) 100 times; counts errors and intact loads. A load
/// that returns other values than were written fails the test; a crash ends it.
void damage_bytes(std::size_t limit_of_region, std::uint64_t seed, int& errors, int& intact) {
  TempDir d;
  const CheckpointData in = sample();
  write_checkpoint(d / "c.h5", in);
  const std::vector<char> good = bytes_of(d / "c.h5");
  const CheckpointData original = read_checkpoint(d / "c.h5");
  ASSERT_TRUE(same(original, read_checkpoint(d / "c.h5")));
  std::mt19937_64 gen(seed);
  const std::size_t limit = std::min(limit_of_region, good.size());
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<char> b = good;
    const int changes = 1 + static_cast<int>(gen() % 4);
    for (int k = 0; k < changes; ++k) b[gen() % limit] ^= static_cast<char>(1 + gen() % 255);
    write_bytes(d / "bad.h5", b);
    try {
      CheckpointData out = read_checkpoint(d / "bad.h5");
      EXPECT_TRUE(same(original, out)) << "trial " << trial << ": damaged file loaded other values";
      ++intact;  // the bytes were unused (free space, padding)
    } catch (const snn::Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.h5"), std::string::npos) << e.what();
      ++errors;
    }
  }
}

TEST(CheckpointDamage, BytesChangedInTheMetadataGiveAnError) {
  int errors = 0, intact = 0;
  damage_bytes(4096, 1, errors, intact);
  EXPECT_EQ(errors + intact, 100);
  std::cout << errors << " errors, " << intact << " changes of unused bytes\n";
  EXPECT_GE(errors, 60) << "checksums should catch most changes of the first 4 KB";
}

TEST(CheckpointDamage, BytesChangedAnywhereGiveAnError) {
  int errors = 0, intact = 0;
  damage_bytes(std::size_t(-1), 2, errors, intact);
  EXPECT_EQ(errors + intact, 100);
  std::cout << errors << " errors, " << intact << " changes of unused bytes\n";
  EXPECT_GE(errors, 40);
}

TEST(CheckpointDamage, TruncatedFileGivesAnError) {
  TempDir d;
  write_checkpoint(d / "c.h5", sample());
  const std::vector<char> good = bytes_of(d / "c.h5");
  for (std::size_t keep :
       {std::size_t(0), std::size_t(7), std::size_t(100), good.size() / 2, good.size() - 1}) {
    write_bytes(d / "cut.h5",
                std::vector<char>(good.begin(), good.begin() + static_cast<long>(keep)));
    EXPECT_THROW(read_checkpoint(d / "cut.h5"), snn::Error) << "kept " << keep << " bytes";
  }
}

/// A checkpoint whose parameter `fc0.weight` is replaced by `make(group)`.
std::string with_replaced_tensor(const TempDir& d, const std::function<void(hid_t)>& make) {
  std::string path = d / "r.h5";
  write_checkpoint(path, sample());
  h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  h5::Handle g(H5Gopen2(f, "parameters", H5P_DEFAULT));
  H5Ldelete(g, "fc0.weight", H5P_DEFAULT);
  make(g);
  return path;
}

std::string message(const std::string& path) {
  try {
    read_checkpoint(path);
  } catch (const snn::FormatError& e) {
    return e.what();
  }
  return "NO FormatError";
}

TEST(CheckpointDamage, DatasetOfWrongTypeIsRejected) {
  TempDir d;
  std::string p = with_replaced_tensor(d, [](hid_t g) {
    const std::int32_t v[2] = {1, 2};
    h5::write_dataset(g, "fc0.weight", H5T_STD_I32LE, H5T_NATIVE_INT32, {2}, v);
  });
  std::string m = message(p);
  EXPECT_NE(m.find("/parameters/fc0.weight is not a float32 or float64 dataset"), std::string::npos)
      << m;
  p = with_replaced_tensor(d, [](hid_t g) {
    h5::Handle sub(H5Gcreate2(g, "fc0.weight", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  });
  m = message(p);
  EXPECT_NE(m.find("/parameters/fc0.weight is not a dataset"), std::string::npos) << m;
}

TEST(CheckpointDamage, DatasetLargerThanTheFileIsRejectedBeforeAllocating) {
  TempDir d;
  // A chunked, empty dataset declaring 2^40 floats: HDF5 would return fill values for all of them.
  std::string p = with_replaced_tensor(d, [](hid_t g) {
    hsize_t dims[2] = {hsize_t{1} << 20, hsize_t{1} << 20}, chunk[2] = {16, 16};
    h5::Handle space(H5Screate_simple(2, dims, nullptr));
    h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_chunk(dcpl, 2, chunk);
    h5::Handle ds(
        H5Dcreate2(g, "fc0.weight", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  });
  std::string m = message(p);
  EXPECT_NE(m.find("holds more data than the file"), std::string::npos) << m;
  EXPECT_NE(m.find("[1048576, 1048576]"), std::string::npos) << m;
}

TEST(CheckpointDamage, CounterOutOfRangeIsRejected) {
  TempDir d;
  std::string path = d / "c.h5";
  write_checkpoint(path, sample());
  {
    h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    h5::set_attr(f, "epoch", std::int64_t{1} << 40);
  }
  std::string m = message(path);
  EXPECT_NE(m.find("attribute 'epoch' is 1099511627776, outside [-1, 100000000]"),
            std::string::npos)
      << m;
}

TEST(CheckpointDamage, NewFilesCarryChecksums) {
  TempDir d;
  write_checkpoint(d / "c.h5", sample());
  h5::Handle f(H5Fopen((d / "c.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  H5F_info2_t info;
  ASSERT_GE(H5Fget_info2(f, &info), 0);
  EXPECT_GE(info.super.version, 2u) << "superblock without checksum";
  h5::Handle ds(H5Dopen2(f, "parameters/fc0.weight", H5P_DEFAULT));
  h5::Handle dcpl(H5Dget_create_plist(ds));
  EXPECT_GE(H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, nullptr, nullptr, nullptr, 0, nullptr,
                                 nullptr),
            0);
  h5::Handle attr(H5Aopen(f, "optimizer", H5P_DEFAULT));
  h5::Handle type(H5Aget_type(attr));
  EXPECT_LE(H5Tis_variable_str(type), 0)
      << "variable-length strings live in the unchecksummed global heap";
}

}  // namespace
