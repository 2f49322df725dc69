// snn-sim on a NIR file: the graph run event-driven with spike or current inputs, or (with
// -data-dir) a trained network deployed on MNIST-format test images, encoded as snn-train does.
#pragma once

#include <map>
#include <ostream>
#include <string>

#include "apps/snn-sim/run_sim.h"
#include "apps/snn-sim/sim_options.h"
#include "sim/nir/nir_plan.h"

namespace snn::apps {

/// Whether `path` is an HDF5 file (its signature), i.e. a NIR graph rather than JSON.
bool is_hdf5_file(const std::string& path);

/// The NIR choices of the command line (-nir-dt, -nir-reset, -nir-threshold).
sim::nir::NirSimOptions nir_options(const SimArgs& a);

/// Spikes per Input node from a SONATA spike file (/spikes/<node>/timestamps in ms, node_ids).
std::map<std::string, sim::nir::InputSpikes> read_input_spikes(const std::string& path,
                                                               const sim::nir::NirPlan& plan);

/// Runs `a.network` (a NIR file): a simulation, or with -data-dir the deployed classifier.
SimSummary run_nir(const SimArgs& a, std::ostream& out);

}  // namespace snn::apps
