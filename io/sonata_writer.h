// SONATA output files (spike reports and per-node reports of one variable) for a run that may be
// killed at any moment. Appends go to a journal beside the file (`<path>.partial`, whole records,
// sonata_journal.h); close() builds the SONATA file from it atomically and removes the journal. So
// the file at `path` is always whole: absent until close(), then complete. A process killed
// before close() leaves the journal, which `snn-sim -recover <path>.partial` (or
// sonata_from_journal) turns into the SONATA file holding every record written before the kill.
//
// Layout (SONATA "Output" spec,
// https://github.com/AllenInstitute/sonata/blob/master/docs/SONATA_DEVELOPER_GUIDE.md):
//   /spikes/<pop>                 attribute sorting: HDF5 enum {none=0, by_id=1, by_time=2} over
//   int8
//                                 (as libsonata reads it). "by_time" while every appended timestamp
//                                 is >= the one before; "none" once one is not.
//   /spikes/<pop>/timestamps      float64 [n], attribute units ("ms" by default)
//   /spikes/<pop>/node_ids        uint64  [n]
//   /report/<pop>/data            float32 [time × nodes], attribute units (e.g. "mV")
//   /report/<pop>/mapping/node_ids        uint64 [nodes]
//   /report/<pop>/mapping/index_pointers  uint64 [nodes + 1] (0, 1, ..., nodes: one element per
//   node) /report/<pop>/mapping/element_ids     uint32 [nodes] (all 0) /report/<pop>/mapping/time
//   float64 [3] = (start, stop, dt), attribute units "ms";
//                                         stop = start + rows × dt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snn::io {

class SonataJournal;

class SonataWriter {
 public:
  /// Starts the journal `<path>.partial`; IoError naming the path if it cannot.
  explicit SonataWriter(const std::string& path);
  /// close(); never throws.
  ~SonataWriter();
  SonataWriter(const SonataWriter&) = delete;
  SonataWriter& operator=(const SonataWriter&) = delete;

  /// Adds /spikes/<population> with empty timestamps and node_ids. `time_unit` is the units
  /// attribute of timestamps ("ms"; training traces use "step"). InvalidParameter if the name is
  /// empty, holds '/', or was added before.
  void add_spike_population(const std::string& population, const std::string& time_unit = "ms");
  /// Appends n spikes (timestamps in the population's time unit). InvalidParameter for an unknown
  /// population; IoError if the disk refuses the write.
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

  /// Hands everything appended so far to the kernel: a kill after this keeps it in the journal.
  void flush();
  /// Writes the SONATA file from the journal and removes the journal; later appends throw.
  /// Idempotent. If the file cannot be written the journal stays (IoError names both).
  void close();

  const std::string& path() const { return path_; }
  std::string journal_path() const { return path_ + ".partial"; }

 private:
  struct Population {
    std::uint32_t index = 0;
    std::size_t count = 0;  ///< spikes, or report rows
    std::size_t nodes = 0;  ///< reports only
  };
  std::string path_;
  std::unique_ptr<SonataJournal> journal_;
  std::map<std::string, Population> spikes_, reports_;
};

}  // namespace snn::io
