// Export of a trained classifier's body to a NIR graph (io/nir/nir_graph.h): Linear/Affine,
// Conv2d with BatchNorm folded in (eval mode), pooling, Flatten, LIF/IF with SpikingJelly's own
// NIR mapping (spikingjelly/activation_based/nir_exchange/to_nir.py), residual blocks as summing
// edges. What NIR cannot express exactly is refused with an error naming the layer.
//
// LIF (tau in steps, time step dt in seconds), as SpikingJelly's export writes it:
//   tau_NIR = tau · dt;  r = 1 (decay_input) or tau (not);  v_leak = v_reset;  v_reset = v_reset
//   (0 for a soft reset, which NIR cannot state: the node's metadata says reset = "subtract").
// IF: r = 1/dt, v_threshold, v_reset. Forward Euler at dt then gives the trainer's step exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/nir/nir_graph.h"
#include "learning/model/classifier.h"
#include "learning/model/sequential.h"

namespace snn::learning {

struct NirExportOptions {
  double dt = 1e-4;  ///< seconds per trainer step (SpikingJelly's and most NIR tools' default)
  /// Shape of one input sample, e.g. {1, 28, 28} (the Input node's shape).
  std::vector<std::int64_t> input_shape;
  int steps = 0;        ///< trainer steps per sample, recorded in metadata (0 = not recorded)
  std::string encoder;  ///< "poisson" or "direct", recorded in metadata ("" = not recorded)
  std::string producer = "snn";
};

/// The body of a classifier as a NIR graph: Input → ... → Output. Throws InvalidParameter naming
/// the layer ("(4) MaxPool2d(2): ...") for what NIR cannot express.
template <class T>
io::NirGraph export_nir(Sequential<T>& body, const NirExportOptions& options);

/// export_nir of the classifier's body, the encoder recorded in the metadata.
template <class T>
io::NirGraph export_nir(Classifier<T>& model, NirExportOptions options);

}  // namespace snn::learning
