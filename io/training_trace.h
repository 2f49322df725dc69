// The trace of one test image after training, as SpikingJelly's lif_fc_mnist saves it for its
// plots: the output layer's membrane potential and spikes at every one of T steps.
//
// File layout (readable with h5py: f["v_t_array"][t, c], f.attrs["label"]):
//   /v_t_array   float32 [T × classes], attribute units = "1" (dimensionless: v_threshold is 1)
//   /s_t_array   float32 [T × classes], 0 or 1, attribute units = "1"
//   /spikes/output/{timestamps, node_ids}  the same spikes as SONATA (io/sonata_writer.h), with
//                timestamps in steps (attribute units = "step"), node id = class index
//   root attributes: label, predicted, image_index, T, classes, tau, v_threshold, dt = "1 step"
#pragma once

#include <string>
#include <vector>

namespace snn::io {

struct TrainingTrace {
  int steps = 0;                 ///< T
  int classes = 0;
  std::vector<float> v;          ///< [steps × classes] membrane potential after reset
  std::vector<float> s;          ///< [steps × classes] spikes, 0 or 1
  int label = -1;
  int predicted = -1;
  int image_index = 0;           ///< index in the test set
  double tau = 2.0;
  double v_threshold = 1.0;
};

/// Writes the trace atomically to `path`. InvalidParameter if v or s do not hold steps × classes
/// values; IoError if the file cannot be written.
void write_training_trace(const std::string& path, const TrainingTrace& trace);

/// Reads a trace written by write_training_trace (tests, tools). IoError/FormatError otherwise.
TrainingTrace read_training_trace(const std::string& path);

}  // namespace snn::io
