// SonataWriter: the journal while the run writes, the SONATA file at close (sonata_writer.h).
#include "io/sonata_writer.h"

#include <cstdio>
#include <exception>
#include <filesystem>

#include "io/sonata_file.h"
#include "io/sonata_journal.h"
#include "sim/core/errors.h"

namespace snn::io {

SonataWriter::SonataWriter(const std::string& path) : path_(path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError("cannot create '" + path + "': folder '" + dir.string() + "' does not exist");
  journal_ = std::make_unique<SonataJournal>(journal_path());
}

// Unwinding from an error (a full disk, out of memory): the journal is kept, not built into the
// file, which would need more of the disk that just failed and would look like a finished run;
// `snn-sim -recover` turns it into the file once the cause is fixed.
SonataWriter::~SonataWriter() {
  try {
    if (std::uncaught_exceptions() > 0 && journal_) {
      std::unique_ptr<SonataJournal> journal = std::move(journal_);
      journal->close();
    } else {
      close();
    }
  } catch (...) {
  }
}

void SonataWriter::add_spike_population(const std::string& population,
                                        const std::string& time_unit) {
  if (!journal_) throw IoError("SONATA file '" + path_ + "' is closed");
  check_population_name(population);
  require(!spikes_.count(population),
          "'" + path_ + "': spike population '" + population + "' added twice");
  journal_->spike_population(population, time_unit);
  const auto index = static_cast<std::uint32_t>(spikes_.size());
  spikes_[population].index = index;
}

void SonataWriter::append_spikes(const std::string& population, const double* timestamps,
                                 const std::uint64_t* node_ids, std::size_t n) {
  if (!journal_) throw IoError("SONATA file '" + path_ + "' is closed");
  auto it = spikes_.find(population);
  if (it == spikes_.end())
    throw InvalidParameter("'" + path_ + "': no spike population '" + population +
                           "' (call add_spike_population first)");
  journal_->spikes(it->second.index, timestamps, node_ids, n);
  it->second.count += n;
}

std::size_t SonataWriter::spike_count(const std::string& population) const {
  auto it = spikes_.find(population);
  return it == spikes_.end() ? 0 : it->second.count;
}

void SonataWriter::add_report(const std::string& population,
                              const std::vector<std::uint64_t>& node_ids, double t_start_ms,
                              double dt_ms, const std::string& variable, const std::string& unit) {
  if (!journal_) throw IoError("SONATA file '" + path_ + "' is closed");
  check_population_name(population);
  require(!reports_.count(population),
          "'" + path_ + "': report population '" + population + "' added twice");
  require(!node_ids.empty(), "report '" + population + "' needs at least one node");
  require(dt_ms > 0,
          "report '" + population + "': dt must be > 0 ms, got " + std::to_string(dt_ms));
  journal_->report(population, node_ids, t_start_ms, dt_ms, variable, unit);
  const auto index = static_cast<std::uint32_t>(reports_.size());
  Population& r = reports_[population];
  r.index = index;
  r.nodes = node_ids.size();
}

void SonataWriter::append_report_rows(const std::string& population, const float* rows,
                                      std::size_t n_rows) {
  if (!journal_) throw IoError("SONATA file '" + path_ + "' is closed");
  auto it = reports_.find(population);
  if (it == reports_.end())
    throw InvalidParameter("'" + path_ + "': no report population '" + population +
                           "' (call add_report first)");
  journal_->rows(it->second.index, rows, n_rows, it->second.nodes);
  it->second.count += n_rows;
}

std::size_t SonataWriter::report_rows(const std::string& population) const {
  auto it = reports_.find(population);
  return it == reports_.end() ? 0 : it->second.count;
}

void SonataWriter::flush() {
  if (!journal_) throw IoError("SONATA file '" + path_ + "' is closed");
  journal_->flush();
}

void SonataWriter::close() {
  if (!journal_) return;
  std::unique_ptr<SonataJournal> journal = std::move(journal_);
  journal->close();
  try {
    sonata_from_journal(journal_path(), path_);
  } catch (const Error& e) {
    throw IoError("cannot write '" + path_ + "' (its journal '" + journal_path() +
                  "' keeps the run): " + e.what());
  }
  std::remove(journal_path().c_str());
}

}  // namespace snn::io
