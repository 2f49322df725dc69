// The journal of a SONATA output while a run writes it: an append-only file of whole records
// (populations, spikes, report rows), so that a process killed at any moment leaves every record
// written before the kill, and at most a torn last record that replay drops. HDF5's own files are
// not crash-consistent (a kill while HDF5 updates its metadata can leave the file unreadable), so
// the SONATA file itself is built from the journal at the end (sonata_from_journal).
//
// Format: the 8-byte magic "SNNSONJ1", then records [u32 type][u32 0][u64 payload bytes][payload]
// in the machine's byte order (a journal is read back on the machine that wrote it).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace snn::io {

class SonataJournal {
 public:
  /// Creates (or truncates) the journal; IoError naming the path if it cannot.
  explicit SonataJournal(const std::string& path);
  ~SonataJournal();
  SonataJournal(const SonataJournal&) = delete;
  SonataJournal& operator=(const SonataJournal&) = delete;

  void spike_population(const std::string& name, const std::string& time_unit);
  /// Spikes of the `population`-th spike population added.
  void spikes(std::uint32_t population, const double* timestamps, const std::uint64_t* node_ids,
              std::size_t n);
  void report(const std::string& name, const std::vector<std::uint64_t>& node_ids,
              double t_start_ms, double dt_ms, const std::string& variable,
              const std::string& unit);
  /// n_rows rows of n_nodes values of the `report`-th report added.
  void rows(std::uint32_t report, const float* values, std::size_t n_rows, std::size_t n_nodes);
  /// Hands everything written to the kernel: a later SIGKILL keeps it (a power cut may not).
  void flush();
  /// Flushes and closes; IoError if the disk refused a write. Idempotent.
  void close();

 private:
  void record(std::uint32_t type, const std::vector<const void*>& parts,
              const std::vector<std::size_t>& sizes);
  std::string path_;
  std::FILE* file_ = nullptr;
};

struct JournalReplay {
  std::size_t records = 0;
  std::size_t spikes = 0;
  std::size_t report_rows = 0;
  std::uint64_t torn_bytes = 0;  ///< bytes of a last record cut off by a kill, dropped
};

/// Writes the SONATA file `out_path` (atomically) from the whole records of the journal.
/// FormatError naming the journal and the byte offset for anything but a torn last record.
JournalReplay sonata_from_journal(const std::string& journal_path, const std::string& out_path);

}  // namespace snn::io
