// The network a TrainArgs describes, shared by snn-train and snn-nir-export: building it,
// recovering the arguments from a checkpoint, and writing it as NIR.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "apps/snn-train/train_options.h"
#include "io/checkpoint.h"
#include "io/nir/nir_graph.h"
#include "learning/model/classifier.h"

namespace snn::apps {

/// The classifier of `a` for `channels`×`rows`×`cols` images and `classes` outputs.
std::unique_ptr<learning::Classifier<float>> build_model(const TrainArgs& a, int channels, int rows,
                                                         int cols, int classes);

/// The architecture options of a run from a checkpoint's /args (TrainArgs::as_map's keys): the
/// model, widths, neuron and encoder options; the rest keep their defaults.
TrainArgs train_args_from_map(const std::map<std::string, std::string>& args);

/// Image size and class count a checkpoint was trained for: its "image_rows", "image_cols" and
/// "classes" arguments (and "image_channels"), else 1×28×28 and the rows of the last Linear weight.
struct ModelGeometry {
  int channels = 1, rows = 28, cols = 28, classes = 10;
};
ModelGeometry model_geometry(const io::CheckpointData& ck);

/// The model of a checkpoint with its parameters and buffers loaded (FormatError naming `path`
/// for a checkpoint of another network).
std::unique_ptr<learning::Classifier<float>> load_model(const io::CheckpointData& ck,
                                                        const std::string& path,
                                                        const ModelGeometry& geometry);

/// Writes `model` as a NIR graph (learning/export) to `path`, atomically; dt in seconds. Returns
/// the graph written.
io::NirGraph write_model_nir(learning::Classifier<float>& model, const TrainArgs& a, int channels,
                             int rows, int cols, const std::string& path, double dt = 1e-4);

}  // namespace snn::apps
