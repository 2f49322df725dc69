// Training traces: arrays, attributes and the SONATA spikes read back with the HDF5 C API.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>

#include "io/hdf5_handle.h"
#include "io/training_trace.h"
#include "sim/core/errors.h"
#include "tests/io/file_size_limit.h"
#include "tests/io/temp_dir.h"

namespace {

using namespace snn::io;
using snn::test::TempDir;

TEST(TrainingTrace, RoundTripAndSonataSpikes) {
  TempDir d;
  TrainingTrace t;
  t.steps = 4;
  t.classes = 3;
  t.label = 7 % 3;
  t.predicted = 2;
  t.image_index = 0;
  t.tau = 2.0;
  t.v_threshold = 1.0;
  for (int i = 0; i < 12; ++i) t.v.push_back(0.1f * i);
  t.s = {0, 0, 1,  //
         0, 0, 0,  //
         1, 0, 1,  //
         0, 1, 0};
  write_training_trace(d / "trace.h5", t);

  TrainingTrace r = read_training_trace(d / "trace.h5");
  EXPECT_EQ(r.v, t.v);
  EXPECT_EQ(r.s, t.s);
  EXPECT_EQ(r.label, 1);
  EXPECT_EQ(r.predicted, 2);
  EXPECT_EQ(r.steps, 4);
  EXPECT_DOUBLE_EQ(r.tau, 2.0);

  h5::Handle f = h5::open_file_read(d / "trace.h5");
  EXPECT_EQ(h5::get_attr_string(f, "dt", "t"), "1 step");
  h5::Handle v(H5Dopen2(f, "v_t_array", H5P_DEFAULT));
  EXPECT_EQ(h5::dataset_dims(v), (std::vector<hsize_t>{4, 3}));
  EXPECT_EQ(h5::get_attr_string(v, "units", "t"), "1");
  h5::Handle ts(H5Dopen2(f, "/spikes/output/timestamps", H5P_DEFAULT));
  h5::Handle ids(H5Dopen2(f, "/spikes/output/node_ids", H5P_DEFAULT));
  ASSERT_TRUE(ts.valid());
  std::vector<double> times(4);
  std::vector<std::uint64_t> nodes(4);
  ASSERT_EQ(h5::dataset_dims(ts), (std::vector<hsize_t>{4}));
  h5::read_dataset(ts, H5T_NATIVE_DOUBLE, times.data(), "t");
  h5::read_dataset(ids, H5T_NATIVE_UINT64, nodes.data(), "t");
  EXPECT_EQ(times, (std::vector<double>{0, 2, 2, 3}));
  EXPECT_EQ(nodes, (std::vector<std::uint64_t>{2, 0, 2, 1}));
  EXPECT_EQ(h5::get_attr_string(ts, "units", "t"), "step");
}

TEST(TrainingTrace, WrongSizes) {
  TempDir d;
  TrainingTrace t;
  t.steps = 2;
  t.classes = 2;
  t.v = {1, 2, 3};
  t.s = {0, 0, 0, 0};
  EXPECT_THROW(write_training_trace(d / "x.h5", t), snn::InvalidParameter);
  EXPECT_THROW(write_training_trace(d / "no/such/folder/x.h5", TrainingTrace{2, 1, {1, 2}, {0, 1}}),
               snn::IoError);
}

// A full disk (EFBIG under a file-size limit): one error naming the file, the previous trace
// intact, no HDF5 file left open (the trace is built in memory and written in one write).
TEST(TrainingTrace, FullDiskIsAnErrorAndKeepsThePreviousTrace) {
  TempDir d;
  const std::string path = d / "trace.h5";
  write_training_trace(path, TrainingTrace{2, 1, {1, 2}, {0, 1}, 0, 0, 5});
  TrainingTrace big{
      1000, 100, std::vector<float>(100000, 0.25f), std::vector<float>(100000, 0.0f), 3, 3, 9};
  std::string e;
  ASSERT_TRUE(snn::test::with_file_size_limit(64 * 1024, [&] {  // the trace needs about 800 KB
    try {
      write_training_trace(path, big);
    } catch (const snn::IoError& err) {
      e = err.what();
    }
  }));
  EXPECT_NE(e.find("trace.h5.tmp."), std::string::npos) << e;
  EXPECT_NE(e.find("File too large"), std::string::npos) << e;
  EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE), 0) << "an HDF5 file was left open";
  EXPECT_EQ(read_training_trace(path).image_index, 5);
  int files = 0;
  for (auto& entry : std::filesystem::directory_iterator(d.str())) files += (void(entry), 1);
  EXPECT_EQ(files, 1) << "the temporary file was not removed";
}

}  // namespace
