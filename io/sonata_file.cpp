// SonataFile: one HDF5 file, extensible 1-D spike datasets and 2-D report datasets.
#include "io/sonata_file.h"

#include <map>

#include "io/hdf5_handle.h"
#include "sim/core/errors.h"

namespace snn::io {

namespace {

constexpr hsize_t kSpikeChunk = 1 << 13;  // elements per chunk of timestamps/node_ids (64 KiB)
constexpr hsize_t kReportChunkBytes = 1 << 20;  // target bytes per chunk of report data

enum class Sorting : signed char { none = 0, by_id = 1, by_time = 2 };

void set_sorting(hid_t group, Sorting value) {
  h5::Handle type = h5::check(H5Tenum_create(H5T_NATIVE_SCHAR), "cannot create HDF5 enum type");
  signed char v = 0;
  H5Tenum_insert(type, "none", &(v = 0));
  H5Tenum_insert(type, "by_id", &(v = 1));
  H5Tenum_insert(type, "by_time", &(v = 2));
  if (H5Aexists(group, "sorting") > 0) H5Adelete(group, "sorting");
  h5::Handle space = h5::check(H5Screate(H5S_SCALAR), "cannot create HDF5 dataspace");
  h5::Handle attr = h5::check(H5Acreate2(group, "sorting", type, space, H5P_DEFAULT, H5P_DEFAULT),
                              "cannot create attribute 'sorting'");
  signed char value_c = static_cast<signed char>(value);
  h5::check_status(H5Awrite(attr, type, &value_c), "cannot write attribute 'sorting'");
}

/// A chunked dataset with an unlimited first dimension.
h5::Handle create_extensible(hid_t parent, const std::string& name, hid_t file_type,
                             hsize_t columns, hsize_t chunk_rows) {
  int rank = columns == 0 ? 1 : 2;
  hsize_t dims[2] = {0, columns};
  hsize_t maxdims[2] = {H5S_UNLIMITED, columns};
  hsize_t chunk[2] = {chunk_rows, columns};
  h5::Handle space = h5::check(H5Screate_simple(rank, dims, maxdims),
                               "cannot create dataspace for '" + name + "'");
  h5::Handle plist = h5::check(H5Pcreate(H5P_DATASET_CREATE), "cannot create HDF5 property list");
  h5::check_status(H5Pset_chunk(plist, rank, chunk), "cannot set chunking of '" + name + "'");
  return h5::check(
      H5Dcreate2(parent, name.c_str(), file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT),
      "cannot create dataset '" + name + "'");
}

/// Appends n rows (of `columns` values, 0 for 1-D) at row `offset`.
void append_rows(hid_t ds, hid_t mem_type, hsize_t offset, hsize_t n, hsize_t columns,
                 const void* data, const std::string& what) {
  if (n == 0) return;
  int rank = columns == 0 ? 1 : 2;
  hsize_t new_dims[2] = {offset + n, columns};
  h5::check_status(H5Dset_extent(ds, new_dims), "cannot extend " + what);
  h5::Handle file_space = h5::check(H5Dget_space(ds), "cannot get dataspace of " + what);
  hsize_t start[2] = {offset, 0};
  hsize_t count[2] = {n, columns};
  h5::check_status(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                   "cannot select rows of " + what);
  h5::Handle mem_space =
      h5::check(H5Screate_simple(rank, count, nullptr), "cannot create dataspace");
  h5::check_status(H5Dwrite(ds, mem_type, mem_space, file_space, H5P_DEFAULT, data),
                   "cannot write " + what);
}

}  // namespace

void check_population_name(const std::string& population) {
  require(!population.empty(), "SONATA population name must not be empty");
  require(population.find('/') == std::string::npos && population != "." && population != "..",
          "SONATA population name '" + population + "' must not contain '/'");
}

struct SonataFile::Impl {
  struct SpikePop {
    h5::Handle group, timestamps, node_ids;
    hsize_t count = 0;
    bool sorted = true;
    double last_time = 0;
  };
  struct ReportPop {
    h5::Handle group, data, time;
    hsize_t rows = 0, nodes = 0;
    double t_start = 0, dt = 0;
  };
  std::string path;
  h5::Handle file;
  h5::Handle spikes_group, report_group;
  std::map<std::string, SpikePop> spikes;
  std::map<std::string, ReportPop> reports;

  void require_open() const {
    if (!file.valid()) throw IoError("SONATA file '" + path + "' is closed");
  }
  SpikePop& spike_pop(const std::string& p) {
    require_open();
    auto it = spikes.find(p);
    if (it == spikes.end())
      throw InvalidParameter("'" + path + "': no spike population '" + p +
                             "' (call add_spike_population first)");
    return it->second;
  }
  ReportPop& report_pop(const std::string& p) {
    require_open();
    auto it = reports.find(p);
    if (it == reports.end())
      throw InvalidParameter("'" + path + "': no report population '" + p +
                             "' (call add_report first)");
    return it->second;
  }
};

SonataFile::SonataFile(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = h5::create_file(path);
}

SonataFile::SonataFile(hid_t file, const std::string& name) : impl_(std::make_unique<Impl>()) {
  impl_->path = name;
  h5::check_status(H5Iinc_ref(file), "cannot use the HDF5 file of '" + name + "'");
  impl_->file = h5::Handle(file);  // its H5Fclose drops our reference only
}

SonataFile::~SonataFile() {
  try {
    close();
  } catch (...) {
  }
}

const std::string& SonataFile::path() const {
  return impl_->path;
}

void SonataFile::add_spike_population(const std::string& population, const std::string& time_unit) {
  impl_->require_open();
  check_population_name(population);
  require(!impl_->spikes.count(population),
          "'" + impl_->path + "': spike population '" + population + "' added twice");
  if (!impl_->spikes_group.valid()) impl_->spikes_group = h5::create_group(impl_->file, "spikes");
  Impl::SpikePop pop;
  pop.group = h5::create_group(impl_->spikes_group, population);
  set_sorting(pop.group, Sorting::by_time);
  pop.timestamps = create_extensible(pop.group, "timestamps", H5T_IEEE_F64LE, 0, kSpikeChunk);
  h5::set_attr(pop.timestamps, "units", time_unit);
  pop.node_ids = create_extensible(pop.group, "node_ids", H5T_STD_U64LE, 0, kSpikeChunk);
  impl_->spikes.emplace(population, std::move(pop));
}

void SonataFile::append_spikes(const std::string& population, const double* timestamps,
                               const std::uint64_t* node_ids, std::size_t n) {
  Impl::SpikePop& pop = impl_->spike_pop(population);
  if (n == 0) return;
  std::string what = "spikes of '" + population + "' in '" + impl_->path + "'";
  append_rows(pop.timestamps, H5T_NATIVE_DOUBLE, pop.count, n, 0, timestamps, what);
  append_rows(pop.node_ids, H5T_NATIVE_UINT64, pop.count, n, 0, node_ids, what);
  if (pop.sorted) {
    double last = pop.count > 0 ? pop.last_time : timestamps[0];
    for (std::size_t i = 0; i < n && pop.sorted; ++i) {
      if (timestamps[i] < last) pop.sorted = false;
      last = timestamps[i];
    }
    if (!pop.sorted) set_sorting(pop.group, Sorting::none);
  }
  pop.last_time = timestamps[n - 1];
  pop.count += n;
}

std::size_t SonataFile::spike_count(const std::string& population) const {
  auto it = impl_->spikes.find(population);
  return it == impl_->spikes.end() ? 0 : static_cast<std::size_t>(it->second.count);
}

void SonataFile::add_report(const std::string& population,
                            const std::vector<std::uint64_t>& node_ids, double t_start_ms,
                            double dt_ms, const std::string& variable, const std::string& unit) {
  impl_->require_open();
  check_population_name(population);
  require(!impl_->reports.count(population),
          "'" + impl_->path + "': report population '" + population + "' added twice");
  require(!node_ids.empty(), "report '" + population + "' needs at least one node");
  require(dt_ms > 0,
          "report '" + population + "': dt must be > 0 ms, got " + std::to_string(dt_ms));
  if (!impl_->report_group.valid()) impl_->report_group = h5::create_group(impl_->file, "report");
  Impl::ReportPop pop;
  pop.nodes = node_ids.size();
  pop.t_start = t_start_ms;
  pop.dt = dt_ms;
  pop.group = h5::create_group(impl_->report_group, population);
  hsize_t chunk_rows = std::max<hsize_t>(1, kReportChunkBytes / (4 * pop.nodes));
  pop.data = create_extensible(pop.group, "data", H5T_IEEE_F32LE, pop.nodes, chunk_rows);
  h5::set_attr(pop.data, "units", unit);
  h5::set_attr(pop.data, "variable_name", variable);
  h5::Handle mapping = h5::create_group(pop.group, "mapping");
  h5::write_dataset(mapping, "node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, {pop.nodes},
                    node_ids.data());
  std::vector<std::uint64_t> pointers(pop.nodes + 1);
  for (std::size_t i = 0; i < pointers.size(); ++i) pointers[i] = i;
  h5::write_dataset(mapping, "index_pointers", H5T_STD_U64LE, H5T_NATIVE_UINT64, {pop.nodes + 1},
                    pointers.data());
  std::vector<std::uint32_t> elements(pop.nodes, 0);
  h5::write_dataset(mapping, "element_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, {pop.nodes},
                    elements.data());
  double time[3] = {t_start_ms, t_start_ms, dt_ms};
  pop.time = h5::write_dataset(mapping, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {3}, time);
  h5::set_attr(pop.time, "units", std::string("ms"));
  impl_->reports.emplace(population, std::move(pop));
}

void SonataFile::append_report_rows(const std::string& population, const float* rows,
                                    std::size_t n_rows) {
  Impl::ReportPop& pop = impl_->report_pop(population);
  if (n_rows == 0) return;
  std::string what = "report '" + population + "' in '" + impl_->path + "'";
  append_rows(pop.data, H5T_NATIVE_FLOAT, pop.rows, n_rows, pop.nodes, rows, what);
  pop.rows += n_rows;
  double time[3] = {pop.t_start, pop.t_start + static_cast<double>(pop.rows) * pop.dt, pop.dt};
  h5::check_status(H5Dwrite(pop.time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time),
                   "cannot update the time of " + what);
}

std::size_t SonataFile::report_rows(const std::string& population) const {
  auto it = impl_->reports.find(population);
  return it == impl_->reports.end() ? 0 : static_cast<std::size_t>(it->second.rows);
}

void SonataFile::close() {
  if (!impl_ || !impl_->file.valid()) return;
  herr_t status = H5Fflush(impl_->file, H5F_SCOPE_GLOBAL);
  impl_->spikes.clear();
  impl_->reports.clear();
  impl_->spikes_group.reset();
  impl_->report_group.reset();
  impl_->file.reset();
  h5::check_status(status, "cannot write '" + impl_->path + "' to disk");
}

}  // namespace snn::io
