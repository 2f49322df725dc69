// Recording: the HDF5 file, read back with the HDF5 C API, equals the in-memory record (spikes
// and voltages in SONATA's layout, with units and sorting), and a file holds what was flushed.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "io/sonata_journal.h"
#include "sim/builtin/networks.h"
#include "sim/network.h"
#include "sim/recording/recorder.h"
#include "tests/io/temp_dir.h"

namespace snn::sim {
namespace {

template <class T>
std::vector<T> read_dataset(hid_t file, const std::string& path, hid_t mem_type,
                            std::vector<hsize_t>* dims_out = nullptr) {
  hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  EXPECT_GE(ds, 0) << path;
  if (ds < 0) return {};
  hid_t space = H5Dget_space(ds);
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  std::vector<T> out(n);
  if (n) {
    EXPECT_GE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0);
  }
  H5Sclose(space);
  H5Dclose(ds);
  if (dims_out) *dims_out = dims;
  return out;
}

std::string string_attr(hid_t file, const std::string& object, const std::string& name) {
  hid_t obj = H5Oopen(file, object.c_str(), H5P_DEFAULT);
  hid_t attr = H5Aopen(obj, name.c_str(), H5P_DEFAULT);
  hid_t type = H5Aget_type(attr);
  std::string out;
  if (H5Tis_variable_str(type) > 0) {
    char* s = nullptr;
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));  // no conversion between character sets
    H5Aread(attr, mem, &s);
    out = s ? s : "";
    H5free_memory(s);
    H5Tclose(mem);
  } else {
    std::vector<char> buf(H5Tget_size(type) + 1, 0);
    H5Aread(attr, type, buf.data());
    out = buf.data();
  }
  H5Tclose(type);
  H5Aclose(attr);
  H5Oclose(obj);
  return out;
}

std::string sorting_attr(hid_t file, const std::string& group) {
  hid_t g = H5Oopen(file, group.c_str(), H5P_DEFAULT);
  hid_t attr = H5Aopen(g, "sorting", H5P_DEFAULT);
  hid_t type = H5Aget_type(attr);
  signed char v = -1;
  H5Aread(attr, type, &v);
  char name[16] = {0};
  H5Tenum_nameof(type, &v, name, sizeof name);
  H5Tclose(type);
  H5Aclose(attr);
  H5Oclose(g);
  return name;
}

TEST(Recording, TheHdf5FileEqualsTheInMemoryRecord) {
  test::TempDir dir;
  const std::string path = dir / "brunel.h5";
  const double dt = 0.1;
  std::vector<std::uint32_t> ids = {0, 3, 7, 49};
  {
    Network net(SimConfig{dt, 4});
    BrunelParams p;
    p.order = 50;
    add_brunel(net, p);
    net.record_voltage("inh", ids);
    Recorder rec(path, true);
    net.run(150.0, &rec);
    rec.close();

    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    for (const char* pop : {"exc", "inh"}) {
      const auto& mem = rec.spikes().at(pop);
      ASSERT_GT(mem.times_ms.size(), 100u) << pop;
      std::string g = std::string("/spikes/") + pop;
      auto times = read_dataset<double>(f, g + "/timestamps", H5T_NATIVE_DOUBLE);
      auto nodes = read_dataset<std::uint64_t>(f, g + "/node_ids", H5T_NATIVE_UINT64);
      EXPECT_EQ(times, mem.times_ms) << pop;
      EXPECT_EQ(nodes, mem.node_ids) << pop;
      EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
      EXPECT_EQ(sorting_attr(f, g), "by_time");
      EXPECT_EQ(string_attr(f, g + "/timestamps", "units"), "ms");
    }
    const auto& v = rec.voltages().at("inh");
    std::vector<hsize_t> dims;
    auto data = read_dataset<float>(f, "/report/inh/data", H5T_NATIVE_FLOAT, &dims);
    ASSERT_EQ(dims, (std::vector<hsize_t>{1500, 4}));
    EXPECT_EQ(data, v.rows);
    EXPECT_EQ(string_attr(f, "/report/inh/data", "units"), "mV");
    auto node_ids = read_dataset<std::uint64_t>(f, "/report/inh/mapping/node_ids", H5T_NATIVE_UINT64);
    EXPECT_EQ(node_ids, (std::vector<std::uint64_t>(ids.begin(), ids.end())));
    auto ptr = read_dataset<std::uint64_t>(f, "/report/inh/mapping/index_pointers", H5T_NATIVE_UINT64);
    EXPECT_EQ(ptr, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
    auto elements = read_dataset<std::uint32_t>(f, "/report/inh/mapping/element_ids", H5T_NATIVE_UINT32);
    EXPECT_EQ(elements, (std::vector<std::uint32_t>(4, 0)));
    auto time = read_dataset<double>(f, "/report/inh/mapping/time", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(time.size(), 3u);
    EXPECT_DOUBLE_EQ(time[0], 0.1);
    EXPECT_NEAR(time[1], 0.1 + 1500 * dt, 1e-9);
    EXPECT_DOUBLE_EQ(time[2], dt);
    H5Fclose(f);

    // The recorded voltages are the network's: the last row is the state now.
    auto now = net.voltages("inh");
    for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(v.rows[1499 * 4 + i], now[ids[i]]);
    EXPECT_EQ(rec.spikes().at("exc").times_ms.size(), net.spike_count("exc"));
  }
}

TEST(Recording, ChosenPopulationsOnlyAndLongRunsFlushInChunks) {
  test::TempDir dir;
  Network net(SimConfig{0.1, 4});
  BrunelParams p;
  p.order = 50;
  add_brunel(net, p);
  net.record_spikes("inh");
  Recorder rec(dir / "x.h5", true);
  net.run(1100.0, &rec);  // beyond one flush interval (10,000 steps)
  // The run goes on; its journal now (what a killed run leaves) recovers every spike so far.
  EXPECT_FALSE(std::filesystem::exists(dir / "x.h5"));
  std::filesystem::copy_file(dir / "x.h5.partial", dir / "copy.partial");
  snn::io::sonata_from_journal(dir / "copy.partial", dir / "copy.h5");
  const std::uint64_t spikes_then = net.spike_count("inh");
  net.run(100.0, &rec);
  rec.close();
  EXPECT_EQ(rec.spikes().count("exc"), 0u);
  const auto& mem = rec.spikes().at("inh");
  EXPECT_EQ(mem.times_ms.size(), net.spike_count("inh"));
  EXPECT_TRUE(std::is_sorted(mem.times_ms.begin(), mem.times_ms.end()));
  ASSERT_GT(spikes_then, 1000u);
  ASSERT_GT(net.spike_count("inh"), spikes_then);
  for (const char* name : {"copy.h5", "x.h5"}) {
    hid_t f = H5Fopen((dir / name).c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0) << name;
    EXPECT_LE(H5Lexists(f, "/spikes/exc", H5P_DEFAULT), 0) << name;
    auto times = read_dataset<double>(f, "/spikes/inh/timestamps", H5T_NATIVE_DOUBLE);
    auto nodes = read_dataset<std::uint64_t>(f, "/spikes/inh/node_ids", H5T_NATIVE_UINT64);
    const std::size_t n = std::string(name) == "copy.h5" ? spikes_then : mem.times_ms.size();
    ASSERT_EQ(times.size(), n) << name;
    ASSERT_EQ(nodes.size(), n) << name;
    EXPECT_TRUE(std::equal(times.begin(), times.end(), mem.times_ms.begin())) << name;
    EXPECT_TRUE(std::equal(nodes.begin(), nodes.end(), mem.node_ids.begin())) << name;
    EXPECT_LE(times.back(), 1100.0 + (std::string(name) == "x.h5") * 100.0);
    H5Fclose(f);
  }
}

// Regression: voltage recording requested and run() without a recorder wrote rows through a null
// buffer (SIGSEGV in snn-sim for a network file with "record": {"voltage": ...} and no -out).
TEST(Recording, VoltageRecordingWithoutARecorderRunsAndKeepsNothing) {
  Network net(SimConfig{0.1, 4});
  BrunelParams p;
  p.order = 50;
  add_brunel(net, p);
  net.record_voltage("exc", {0, 1, 2});
  RunStats st = net.run(50.0);
  EXPECT_GT(st.spikes, 0u);
  Recorder rec("", true);  // a recorder added later still gets every step from then on
  net.run(10.0, &rec);
  EXPECT_EQ(rec.voltages().at("exc").rows.size(), 100u * 3);
  auto now = net.voltages("exc");
  EXPECT_EQ(rec.voltages().at("exc").rows[99 * 3 + 2], now[2]);
}

TEST(Recording, AnUnwritablePathIsAnIoError) {
  EXPECT_THROW(Recorder("/nonexistent-folder/x.h5"), IoError);
}

}  // namespace
}  // namespace snn::sim
