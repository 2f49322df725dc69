// snn-sim's command line: which network, how long, what to record, where to write.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace snn::apps {

/// A bad command line (exit status 2).
class SimUsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SimArgs {
  bool help = false;
  std::string help_text;
  std::string network = "brunel";  ///< brunel, sparse, or a network file (.json)
  std::int64_t order = 2500;       ///< brunel
  std::int64_t n = 100000;         ///< sparse: neurons
  std::int64_t k = 1000;           ///< sparse: Poisson-driven neurons
  double rate = 10.0;              ///< sparse: input rate, Hz
  std::int64_t outdegree = 100;    ///< sparse
  std::optional<double> j;         ///< mV; brunel 0.1, sparse 0.2
  double g = 5.0, eta = 2.0;       ///< brunel
  bool procedural = false;         ///< brunel, sparse: procedural projections (nothing stored)
  std::optional<double> t_ms, dt_ms;
  std::optional<std::uint64_t> seed;
  int threads = 0;                    ///< 0: OpenMP's default
  int dry_run_ranks = 0;              ///< > 0: play rank 0 of this many (sim/distributed)
  std::string mode = "event";         ///< event or clock
  std::vector<std::string> record_v;  ///< "POP:IDS" or "IDS" (first population)
  std::string record_spikes;          ///< all, none, a comma list; empty: the file's choice or all
  std::string out;                    ///< HDF5 file (SONATA)
  std::string summary;                ///< JSON summary file
  std::string save_weights;           ///< HDF5 file for the final weights of every projection
  std::string load_weights;           ///< HDF5 file with initial weights of plastic projections
  std::string device;                 ///< cpu or cuda (must match the build)
  std::string progress = "auto";      ///< auto (on a terminal), on, off
  std::string recover;                ///< a killed run's journal (OUT.partial) to turn into OUT
  // NIR graphs (README "NIR").
  double nir_dt = 1e-4;                                ///< NIR time step, s
  std::string nir_reset = "v_reset";                   ///< v_reset or subtract
  std::string nir_threshold = "gt";                    ///< gt (v > v_th) or ge (v >= v_th)
  std::string input;                                   ///< SONATA spike file for the Input nodes
  std::vector<std::string> input_current;              ///< NODE=VALUE: a constant input value
  bool nir_dt_set = false, nir_threshold_set = false;  ///< given (else the graph's metadata)
  std::string data_dir;                                ///< deployed classifier: MNIST-format folder
  int images = 0;                                      ///< test images (0: all)
  int steps = 100;                                     ///< -T: steps per image
  bool steps_set = false;  ///< -T given (else the graph's metadata "steps")
};

/// Parses argv; SimUsageError for unknown options or malformed values.
SimArgs parse_sim_args(int argc, const char* const argv[]);

/// Neuron ids from "0,3,5-9".
std::vector<std::uint32_t> parse_id_list(const std::string& text, const std::string& option);

}  // namespace snn::apps
