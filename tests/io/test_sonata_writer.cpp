// SonataWriter: read the file back with the HDF5 C API, check the layout of the SONATA spec, and
// check that a process killed after flush() leaves a journal that becomes the file it would have
// written, however the journal's last record was cut.
#include "io/sonata_writer.h"

#include <csignal>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "io/hdf5_handle.h"
#include "io/sonata_journal.h"
#include "sim/core/errors.h"
#include "tests/io/temp_dir.h"

namespace {

using snn::io::SonataWriter;
using snn::test::TempDir;
namespace h5 = snn::io::h5;

template <class T>
std::vector<T> read_all(hid_t file, const std::string& path, hid_t mem_type) {
  h5::Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  EXPECT_TRUE(ds.valid()) << path;
  if (!ds.valid()) return {};
  hsize_t total = 1;
  for (auto d : h5::dataset_dims(ds)) total *= d;
  std::vector<T> out(total);
  if (total) h5::read_dataset(ds, mem_type, out.data(), path);
  return out;
}

std::string attr_string(hid_t file, const std::string& path, const std::string& name) {
  h5::Handle obj(H5Oopen(file, path.c_str(), H5P_DEFAULT));
  return h5::get_attr_string(obj, name, path);
}

// The sorting attribute read back as its enum name.
std::string sorting(hid_t file, const std::string& group) {
  h5::Handle g(H5Gopen2(file, group.c_str(), H5P_DEFAULT));
  h5::Handle attr(H5Aopen(g, "sorting", H5P_DEFAULT));
  h5::Handle type(H5Aget_type(attr));
  EXPECT_EQ(H5Tget_class(type), H5T_ENUM);
  signed char v = -1;
  H5Aread(attr, type, &v);
  char name[16] = {0};
  H5Tenum_nameof(type, &v, name, sizeof name);
  return name;
}

TEST(SonataWriter, SpikesRoundTrip) {
  TempDir d;
  std::string path = d / "out.h5";
  {
    SonataWriter w(path);
    w.add_spike_population("exc");
    w.add_spike_population("inh");
    std::vector<double> t1 = {0.1, 0.1, 0.5};
    std::vector<std::uint64_t> n1 = {3, 7, 1};
    w.append_spikes("exc", t1.data(), n1.data(), 3);
    std::vector<double> t2 = {0.6, 2.0};
    std::vector<std::uint64_t> n2 = {0, 3};
    w.append_spikes("exc", t2.data(), n2.data(), 2);
    w.append_spikes("exc", t2.data(), n2.data(), 0);
    EXPECT_EQ(w.spike_count("exc"), 5u);
    // Out of time order: sorting falls back to "none".
    std::vector<double> t3 = {5.0, 1.0};
    w.append_spikes("inh", t3.data(), n2.data(), 2);
  }
  h5::Handle f = h5::open_file_read(path);
  EXPECT_EQ(read_all<double>(f, "/spikes/exc/timestamps", H5T_NATIVE_DOUBLE),
            (std::vector<double>{0.1, 0.1, 0.5, 0.6, 2.0}));
  EXPECT_EQ(read_all<std::uint64_t>(f, "/spikes/exc/node_ids", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{3, 7, 1, 0, 3}));
  EXPECT_EQ(attr_string(f, "/spikes/exc/timestamps", "units"), "ms");
  EXPECT_EQ(sorting(f, "/spikes/exc"), "by_time");
  EXPECT_EQ(sorting(f, "/spikes/inh"), "none");
  // Stored types: float64 timestamps, uint64 node ids.
  h5::Handle ds(H5Dopen2(f, "/spikes/exc/node_ids", H5P_DEFAULT));
  h5::Handle type(H5Dget_type(ds));
  EXPECT_TRUE(H5Tequal(type, H5T_STD_U64LE) > 0);
}

TEST(SonataWriter, ReportRoundTrip) {
  TempDir d;
  std::string path = d / "report.h5";
  {
    SonataWriter w(path);
    w.add_report("exc", {10, 11, 12}, 0.0, 0.1);
    std::vector<float> rows = {1, 2, 3, 4, 5, 6};
    w.append_report_rows("exc", rows.data(), 2);
    w.append_report_rows("exc", rows.data(), 1);
    EXPECT_EQ(w.report_rows("exc"), 3u);
  }
  h5::Handle f = h5::open_file_read(path);
  h5::Handle data(H5Dopen2(f, "/report/exc/data", H5P_DEFAULT));
  EXPECT_EQ(h5::dataset_dims(data), (std::vector<hsize_t>{3, 3}));
  EXPECT_EQ(read_all<float>(f, "/report/exc/data", H5T_NATIVE_FLOAT),
            (std::vector<float>{1, 2, 3, 4, 5, 6, 1, 2, 3}));
  EXPECT_EQ(attr_string(f, "/report/exc/data", "units"), "mV");
  EXPECT_EQ(read_all<std::uint64_t>(f, "/report/exc/mapping/node_ids", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{10, 11, 12}));
  EXPECT_EQ(read_all<std::uint64_t>(f, "/report/exc/mapping/index_pointers", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(read_all<std::uint32_t>(f, "/report/exc/mapping/element_ids", H5T_NATIVE_UINT32),
            (std::vector<std::uint32_t>{0, 0, 0}));
  auto time = read_all<double>(f, "/report/exc/mapping/time", H5T_NATIVE_DOUBLE);
  ASSERT_EQ(time.size(), 3u);
  EXPECT_DOUBLE_EQ(time[0], 0.0);
  EXPECT_NEAR(time[1], 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(time[2], 0.1);
  EXPECT_EQ(attr_string(f, "/report/exc/mapping/time", "units"), "ms");
}

TEST(SonataWriter, ManyAppendsCrossChunks) {
  TempDir d;
  std::string path = d / "big.h5";
  const std::size_t n = 200000;
  {
    SonataWriter w(path);
    w.add_spike_population("p", "step");
    std::vector<double> t(1000);
    std::vector<std::uint64_t> id(1000);
    for (std::size_t k = 0; k < n / 1000; ++k) {
      for (std::size_t i = 0; i < 1000; ++i) {
        t[i] = double(k * 1000 + i);
        id[i] = i;
      }
      w.append_spikes("p", t.data(), id.data(), 1000);
    }
  }
  h5::Handle f = h5::open_file_read(path);
  auto t = read_all<double>(f, "/spikes/p/timestamps", H5T_NATIVE_DOUBLE);
  ASSERT_EQ(t.size(), n);
  EXPECT_EQ(t[123456], 123456.0);
  EXPECT_EQ(attr_string(f, "/spikes/p/timestamps", "units"), "step");
}

TEST(SonataWriter, KilledAfterFlushLeavesAJournalThatRecoversEveryRecord) {
  TempDir d;
  std::string path = d / "killed.h5";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    SonataWriter w(path);
    w.add_spike_population("exc");
    w.add_report("exc", {0, 1}, 0.0, 1.0);
    double t[2] = {1.0, 2.0};
    std::uint64_t id[2] = {0, 1};
    float rows[4] = {1, 2, 3, 4};
    w.append_spikes("exc", t, id, 2);
    w.append_report_rows("exc", rows, 2);
    w.flush();
    double t2[1] = {3.0};
    std::uint64_t id2[1] = {1};
    w.append_spikes("exc", t2, id2, 1);  // not flushed: lost with the process
    kill(getpid(), SIGKILL);             // no destructor, no close, no stdio flush
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(std::filesystem::exists(path)) << "a SONATA file appeared before close()";
  const std::string journal = path + ".partial";
  ASSERT_TRUE(std::filesystem::exists(journal));
  snn::io::JournalReplay r = snn::io::sonata_from_journal(journal, path);
  EXPECT_EQ(r.spikes, 2u);
  EXPECT_EQ(r.report_rows, 2u);
  EXPECT_EQ(r.torn_bytes, 0u);
  {
    h5::Handle f = h5::open_file_read(path);
    EXPECT_EQ(read_all<double>(f, "/spikes/exc/timestamps", H5T_NATIVE_DOUBLE), (std::vector<double>{1.0, 2.0}));
    EXPECT_EQ(read_all<float>(f, "/report/exc/data", H5T_NATIVE_FLOAT), (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(read_all<double>(f, "/report/exc/mapping/time", H5T_NATIVE_DOUBLE), (std::vector<double>{0, 2, 1}));
  }
  // Cut anywhere inside the last record (the rows): replay drops that record and keeps the rest.
  const auto size = std::filesystem::file_size(journal);
  for (std::uintmax_t cut : {1u, 7u, 16u, 20u, 31u}) {
    std::filesystem::copy_file(journal, d / "cut.partial", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(d / "cut.partial", size - cut);
    r = snn::io::sonata_from_journal(d / "cut.partial", d / "cut.h5");
    EXPECT_EQ(r.spikes, 2u) << cut;
    EXPECT_EQ(r.report_rows, 0u) << cut;
    EXPECT_EQ(r.torn_bytes, 16u + 8u + 16u - cut) << cut;  // header, index, 4 floats
    h5::Handle f = h5::open_file_read(d / "cut.h5");
    EXPECT_EQ(read_all<std::uint64_t>(f, "/spikes/exc/node_ids", H5T_NATIVE_UINT64), (std::vector<std::uint64_t>{0, 1}));
  }
  // Killed before its magic reached the disk: an empty journal, an empty file.
  std::ofstream(d / "start.partial", std::ios::binary) << "SNNS";
  r = snn::io::sonata_from_journal(d / "start.partial", d / "start.h5");
  EXPECT_EQ(r.records, 0u);
  EXPECT_TRUE(h5::open_file_read(d / "start.h5").valid());
  // Not a journal, or a record of an unknown type: one error naming the journal.
  std::ofstream(d / "junk.partial", std::ios::binary) << "SNNSONJ1" << std::string(40, 'x');
  EXPECT_THROW(snn::io::sonata_from_journal(d / "junk.partial", d / "j.h5"), snn::FormatError);
  std::ofstream(d / "junk2.partial", std::ios::binary) << "not a journal at all";
  EXPECT_THROW(snn::io::sonata_from_journal(d / "junk2.partial", d / "j.h5"), snn::FormatError);
  EXPECT_FALSE(std::filesystem::exists(d / "j.h5"));
}

TEST(SonataWriter, CloseWritesTheFileAndRemovesTheJournal) {
  TempDir d;
  std::string path = d / "c.h5";
  SonataWriter w(path);
  w.add_spike_population("p");
  double t = 0.5;
  std::uint64_t id = 4;
  w.append_spikes("p", &t, &id, 1);
  EXPECT_TRUE(std::filesystem::exists(path + ".partial"));
  w.close();
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  h5::Handle f = h5::open_file_read(path);
  EXPECT_EQ(read_all<double>(f, "/spikes/p/timestamps", H5T_NATIVE_DOUBLE), (std::vector<double>{0.5}));
}

TEST(SonataWriter, Errors) {
  TempDir d;
  EXPECT_THROW(SonataWriter(d / "missing-folder/x.h5"), snn::IoError);
  SonataWriter w(d / "e.h5");
  EXPECT_THROW(w.add_spike_population(""), snn::InvalidParameter);
  EXPECT_THROW(w.add_spike_population("a/b"), snn::InvalidParameter);
  w.add_spike_population("a");
  EXPECT_THROW(w.add_spike_population("a"), snn::InvalidParameter);
  double t = 0;
  std::uint64_t id = 0;
  EXPECT_THROW(w.append_spikes("b", &t, &id, 1), snn::InvalidParameter);
  EXPECT_THROW(w.add_report("r", {}, 0, 0.1), snn::InvalidParameter);
  EXPECT_THROW(w.add_report("r", {1}, 0, 0), snn::InvalidParameter);
  float row = 0;
  EXPECT_THROW(w.append_report_rows("r", &row, 1), snn::InvalidParameter);
  w.close();
  w.close();
  EXPECT_THROW(w.append_spikes("a", &t, &id, 1), snn::IoError);
}

}  // namespace
