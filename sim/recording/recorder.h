// Where a run's spikes and membrane potentials go: a SONATA HDF5 file (io::SonataWriter), an
// in-memory copy, or both. The network hands over chunks (spikes in time order per population,
// voltage rows); the recorder writes them and flushes the file after every chunk, so a run
// interrupted part way leaves a readable file holding what was flushed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snn::io {
class SonataWriter;
}

namespace snn::sim {

/// Where a population's records go in the file: the population name and node id of each neuron
/// there (a SONATA circuit's node population, split by node type into several of ours).
struct FileName {
  std::string population;
  std::vector<std::uint64_t> node_ids;  ///< by our neuron index
};

class Recorder {
 public:
  struct Spikes {
    std::vector<double> times_ms;
    std::vector<std::uint64_t> node_ids;
  };
  struct Voltages {
    std::vector<std::uint64_t> node_ids;
    double t_start_ms = 0, dt_ms = 0;
    std::vector<float> rows;  ///< [time × nodes], mV
  };

  /// `path`: the HDF5 file to write (empty: none); IoError if it cannot be created.
  /// `keep_in_memory`: also keep everything in memory (spikes(), voltages()).
  explicit Recorder(const std::string& path, bool keep_in_memory = false);
  ~Recorder();

  /// Spikes of `population` go to the file as `name.population` with ids name.node_ids[i]
  /// (several populations may share one file population); its report, under its own name, with
  /// those ids. The in-memory copy keeps our names and ids. Call before adding the population.
  void set_file_name(const std::string& population, FileName name);
  void add_spike_population(const std::string& population);
  void add_report(const std::string& population, const std::vector<std::uint64_t>& node_ids,
                  double t_start_ms, double dt_ms);
  void append_spikes(const std::string& population, const std::vector<double>& times_ms,
                     const std::vector<std::uint64_t>& node_ids);
  void append_voltage_rows(const std::string& population, const float* rows, std::size_t n_rows);
  /// Makes everything appended so far readable in the file.
  void flush();
  void close();

  bool has_spike_population(const std::string& population) const;
  const std::map<std::string, Spikes>& spikes() const { return spikes_; }
  const std::map<std::string, Voltages>& voltages() const { return voltages_; }

 private:
  std::unique_ptr<io::SonataWriter> writer_;
  bool keep_;
  std::map<std::string, Spikes> spikes_;
  std::map<std::string, Voltages> voltages_;
  std::map<std::string, FileName> file_names_;
  std::vector<std::string> file_spike_populations_;  ///< added to the writer
  std::vector<std::uint64_t> ids_;                   ///< translated ids, reused
};

}  // namespace snn::sim
