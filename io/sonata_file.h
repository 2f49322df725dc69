// A SONATA output file (spike reports and per-node reports of one variable) built with the HDF5
// C API: extensible chunked datasets that grow with every append. Not crash-consistent (a kill
// while HDF5 updates its metadata can leave it unreadable): SonataWriter (sonata_writer.h) journals
// a run and builds this file from the journal at the end.
//
// Layout (SONATA "Output" spec,
// https://github.com/AllenInstitute/sonata/blob/master/docs/SONATA_DEVELOPER_GUIDE.md):
//   /spikes/<pop>                 attribute sorting: HDF5 enum {none=0, by_id=1, by_time=2} over
//   int8
//                                 (as libsonata reads it). "by_time" while every appended timestamp
//                                 is >= the one before; set to "none" at the first one that is not.
//   /spikes/<pop>/timestamps      float64 [n], attribute units ("ms" by default)
//   /spikes/<pop>/node_ids        uint64  [n]
//   /report/<pop>/data            float32 [time × nodes], attribute units (e.g. "mV")
//   /report/<pop>/mapping/node_ids        uint64 [nodes]
//   /report/<pop>/mapping/index_pointers  uint64 [nodes + 1] (0, 1, ..., nodes: one element per
//   node) /report/<pop>/mapping/element_ids     uint32 [nodes] (all 0) /report/<pop>/mapping/time
//   float64 [3] = (start, stop, dt), attribute units "ms";
//                                         stop = start + rows × dt, updated with every append.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace snn::io {

/// InvalidParameter unless `population` can name an HDF5 group under /spikes or /report.
void check_population_name(const std::string& population);

class SonataFile {
 public:
  /// Creates (or truncates) the file; IoError naming the path if it cannot.
  explicit SonataFile(const std::string& path);
  /// Writes into an HDF5 file the caller has open and keeps (an h5::MemoryFile that also receives
  /// other datasets, saved in one write); `name` names it in errors. close() releases our
  /// reference only: the caller's file stays open.
  SonataFile(hid_t file, const std::string& name);
  /// close(); never throws.
  ~SonataFile();
  SonataFile(const SonataFile&) = delete;
  SonataFile& operator=(const SonataFile&) = delete;

  /// Adds /spikes/<population> with empty timestamps and node_ids. `time_unit` is the units
  /// attribute of timestamps ("ms"; training traces use "step"). InvalidParameter if the name is
  /// empty, holds '/', or was added before.
  void add_spike_population(const std::string& population, const std::string& time_unit = "ms");
  /// Appends n spikes (timestamps in the population's time unit). InvalidParameter for an unknown
  /// population; IoError if HDF5 fails.
  void append_spikes(const std::string& population, const double* timestamps,
                     const std::uint64_t* node_ids, std::size_t n);
  std::size_t spike_count(const std::string& population) const;

  /// Adds /report/<population> for `node_ids` (non-empty), one row every dt_ms from t_start_ms.
  /// `variable` names the recorded variable (attribute variable_name on data), `unit` its units.
  void add_report(const std::string& population, const std::vector<std::uint64_t>& node_ids,
                  double t_start_ms, double dt_ms, const std::string& variable = "v",
                  const std::string& unit = "mV");
  /// Appends n_rows rows of n_nodes values each (row-major [n_rows × n_nodes]).
  void append_report_rows(const std::string& population, const float* rows, std::size_t n_rows);
  std::size_t report_rows(const std::string& population) const;

  /// Flushes and closes the file; later appends throw. Idempotent.
  void close();

  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snn::io
