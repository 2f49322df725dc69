// Network files: a JSON description of populations, parameters, sources, projections and what to
// record (format: examples/README.md, example: examples/network.json). Errors name the file, the
// line and the field: "net.json:12: populations[1].params.tau_m: tau_m must be > 0 ms, got -5".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/network.h"
#include "sim/recording/recorder.h"

namespace snn::sim {

struct NetworkDescription {
  std::optional<double> dt_ms;        ///< "dt"
  std::optional<double> t_stop_ms;    ///< "t_stop"
  std::optional<std::uint64_t> seed;  ///< "seed"
  std::vector<std::variant<PopulationSpec, SpikeGeneratorSpec>> populations;
  std::vector<ProjectionSpec> projections;
  std::vector<PoissonSpec> poisson;
  std::vector<CurrentSpec> currents;
  std::vector<std::string> record_spikes;
  std::vector<std::pair<std::string, std::vector<std::uint32_t>>> record_voltage;
  /// SONATA circuits: each population's node population and node ids in the circuit (a node
  /// population of several node types is one population per type here), so that output files
  /// name the spikes as the circuit does (Recorder::set_file_name).
  std::map<std::string, FileName> file_names;
  /// "file:line: field" of each entry, for errors found once dt is known.
  std::vector<std::string> where_populations, where_projections, where_poisson, where_currents;

  /// Adds everything to `net`; checks what depends on dt (delays, refractory periods) and says
  /// where a bad value is.
  void apply(Network& net) const;
};

/// Parses JSON text; `source` names it in errors. FormatError for malformed JSON or a field of
/// the wrong type, InvalidParameter for a value out of range, each saying where.
NetworkDescription parse_network_json(const std::string& text, const std::string& source);

/// Reads and parses a network file; IoError if it cannot be read.
NetworkDescription read_network_file(const std::string& path);

}  // namespace snn::sim
