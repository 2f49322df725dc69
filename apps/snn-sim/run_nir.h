// snn-sim on a NIR file: the graph run event-driven with spike or current inputs, or (with
// -data-dir) a trained network deployed on MNIST-format test images, encoded as snn-train does.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_options.h"
#include "io/nir/nir_graph.h"
#include "sim/nir/nir_plan.h"

namespace snn::apps {

/// Whether `path` is an HDF5 file (its signature), i.e. a NIR graph rather than JSON.
bool is_hdf5_file(const std::string& path);

/// The NIR choices of the command line (-nir-dt, -nir-reset, -nir-threshold); where -nir-dt or
/// -nir-threshold is not given, the graph's metadata "dt" / "threshold_comparison" if present.
sim::nir::NirSimOptions nir_options(const SimArgs& a, const io::NirGraph& g);

/// Spikes per Input node from a SONATA spike file (/spikes/<node>/timestamps in ms, node_ids).
std::map<std::string, sim::nir::InputSpikes> read_input_spikes(const std::string& path,
                                                               const sim::nir::NirPlan& plan);

/// Test image `index` (bytes 0..255) as snn-train's Poisson encoder draws it for a batch of one
/// in epoch 0 (batch key 2^32 + index, sample 0, pixel = byte / 255): trainer step k is engine
/// step k + 1.
sim::nir::InputSpikes poisson_image_spikes(const std::uint8_t* pixels, std::int64_t n, int steps,
                                           std::uint64_t seed, int index);

/// Test image bytes as snn-train's direct encoder gives them at every step: float(byte) / 255.
std::vector<double> direct_image_values(const std::uint8_t* pixels, std::int64_t n);

/// Runs `a.network` (a NIR file): a simulation, or with -data-dir the deployed classifier.
SimSummary run_nir(const SimArgs& a, std::ostream& out);

}  // namespace snn::apps
