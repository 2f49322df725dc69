// Recorder: forwards chunks to the SONATA writer and keeps an in-memory copy on request.
#include <algorithm>

#include "io/sonata_writer.h"
#include "sim/recording/recorder.h"

namespace snn::sim {

Recorder::Recorder(const std::string& path, bool keep_in_memory) : keep_(keep_in_memory) {
  if (!path.empty()) writer_ = std::make_unique<io::SonataWriter>(path);
}

Recorder::~Recorder() = default;

void Recorder::set_file_name(const std::string& population, FileName name) {
  file_names_[population] = std::move(name);
}

void Recorder::add_spike_population(const std::string& population) {
  if (has_spike_population(population)) return;
  auto named = file_names_.find(population);
  const std::string& in_file = named == file_names_.end() ? population : named->second.population;
  if (writer_ && std::find(file_spike_populations_.begin(), file_spike_populations_.end(),
                           in_file) == file_spike_populations_.end()) {
    writer_->add_spike_population(in_file, "ms");
    file_spike_populations_.push_back(in_file);
  }
  spikes_[population];
}

bool Recorder::has_spike_population(const std::string& population) const {
  return spikes_.count(population) > 0;
}

void Recorder::add_report(const std::string& population, const std::vector<std::uint64_t>& node_ids,
                          double t_start_ms, double dt_ms) {
  if (writer_) {
    auto named = file_names_.find(population);
    std::vector<std::uint64_t> ids = node_ids;
    if (named != file_names_.end())
      for (std::uint64_t& id : ids) id = named->second.node_ids.at(id);
    writer_->add_report(population, ids, t_start_ms, dt_ms, "v", "mV");
  }
  Voltages& v = voltages_[population];
  v.node_ids = node_ids;
  v.t_start_ms = t_start_ms;
  v.dt_ms = dt_ms;
}

void Recorder::append_spikes(const std::string& population, const std::vector<double>& times_ms,
                             const std::vector<std::uint64_t>& node_ids) {
  if (times_ms.empty()) return;
  if (writer_) {
    auto named = file_names_.find(population);
    if (named == file_names_.end()) {
      writer_->append_spikes(population, times_ms.data(), node_ids.data(), times_ms.size());
    } else {
      ids_.resize(node_ids.size());
      for (std::size_t k = 0; k < node_ids.size(); ++k)
        ids_[k] = named->second.node_ids.at(node_ids[k]);
      writer_->append_spikes(named->second.population, times_ms.data(), ids_.data(),
                             times_ms.size());
    }
  }
  if (keep_) {
    Spikes& s = spikes_[population];
    s.times_ms.insert(s.times_ms.end(), times_ms.begin(), times_ms.end());
    s.node_ids.insert(s.node_ids.end(), node_ids.begin(), node_ids.end());
  }
}

void Recorder::append_voltage_rows(const std::string& population, const float* rows,
                                   std::size_t n_rows) {
  if (n_rows == 0) return;
  if (writer_) writer_->append_report_rows(population, rows, n_rows);
  if (keep_) {
    Voltages& v = voltages_[population];
    v.rows.insert(v.rows.end(), rows, rows + n_rows * v.node_ids.size());
  }
}

void Recorder::flush() {
  if (writer_) writer_->flush();
}

void Recorder::close() {
  if (writer_) writer_->close();
}

}  // namespace snn::sim
