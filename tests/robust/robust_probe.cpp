// The kill harness's probe (tests/robust/kill_test.sh): writes a small data set, and checks what a
// killed run left behind.
//   robust_probe mnist DIR N_TRAIN N_TEST    synthetic MNIST-format files
//   (tests/apps/synthetic_idx.h) robust_probe checkpoint FILE             loads it; prints epoch,
//   next_batch and every value robust_probe sonata FILE                 opens it; every
//   /spikes/<pop> has as many timestamps as
//                                            node ids, timestamps in order; every report's rows
//                                            are whole (data is [rows × nodes]); prints the counts
// Exit status 0 when the file is good, 1 when it is not (with the reason on stderr), 2 for usage.
#include <hdf5.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "io/hdf5_handle.h"
#include "sim/core/errors.h"
#include "tests/apps/synthetic_idx.h"

namespace {

using snn::io::h5::Handle;

int check_checkpoint(const std::string& path) {
  snn::io::CheckpointData d = snn::io::read_checkpoint(path);
  std::printf("epoch %d next_batch %d step %lld\n", d.epoch, d.next_batch,
              static_cast<long long>(d.optimizer_step));
  for (const auto* list : {&d.parameters, &d.buffers, &d.optimizer_state})
    for (const auto& t : *list) {
      std::printf("%s", t.name.c_str());
      for (double v : t.values) std::printf(" %a", v);
      std::printf("\n");
    }
  return 0;
}

std::vector<hsize_t> dims_of(hid_t file, const std::string& path) {
  Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  if (ds < 0) throw snn::FormatError(path + " cannot be opened");
  return snn::io::h5::dataset_dims(ds);
}

int check_sonata(const std::string& path) {
  Handle file = snn::io::h5::open_file_read(path);
  std::size_t spikes = 0, rows = 0;
  for (const std::string& pop :
       snn::io::h5::exists(file, "spikes")
           ? snn::io::h5::link_names(snn::io::h5::open_group(file, "spikes"))
           : std::vector<std::string>{}) {
    const std::string g = "/spikes/" + pop;
    std::vector<hsize_t> t = dims_of(file, g + "/timestamps"), n = dims_of(file, g + "/node_ids");
    if (t.size() != 1 || n.size() != 1 || t[0] != n[0])
      throw snn::FormatError(g + ": timestamps and node_ids differ in length");
    std::vector<double> times(t[0]);
    Handle ds(H5Dopen2(file, (g + "/timestamps").c_str(), H5P_DEFAULT));
    if (t[0] > 0) snn::io::h5::read_dataset(ds, H5T_NATIVE_DOUBLE, times.data(), g);
    for (std::size_t i = 1; i < times.size(); ++i)
      if (times[i] < times[i - 1]) throw snn::FormatError(g + ": timestamps out of order");
    spikes += t[0];
  }
  for (const std::string& pop :
       snn::io::h5::exists(file, "report")
           ? snn::io::h5::link_names(snn::io::h5::open_group(file, "report"))
           : std::vector<std::string>{}) {
    const std::string g = "/report/" + pop;
    std::vector<hsize_t> d = dims_of(file, g + "/data"),
                         ids = dims_of(file, g + "/mapping/node_ids");
    if (d.size() != 2 || ids.size() != 1 || d[1] != ids[0])
      throw snn::FormatError(g + "/data is not [rows × recorded nodes]");
    std::vector<float> data(d[0] * d[1]);
    Handle ds(H5Dopen2(file, (g + "/data").c_str(), H5P_DEFAULT));
    if (!data.empty()) snn::io::h5::read_dataset(ds, H5T_NATIVE_FLOAT, data.data(), g);
    rows += d[0];
  }
  std::printf("spikes %zu report_rows %zu\n", spikes, rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  try {
    if (what == "mnist" && argc == 5) {
      snn::test::write_synthetic_mnist(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
      return 0;
    }
    if (what == "checkpoint" && argc == 3) return check_checkpoint(argv[2]);
    if (what == "sonata" && argc == 3) return check_sonata(argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "robust_probe: %s: %s\n", argv[2], e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: robust_probe mnist DIR N_TRAIN N_TEST | checkpoint FILE | sonata FILE\n");
  return 2;
}
