// Building the network of a run, recovering it from a checkpoint, exporting it to NIR.
#include <algorithm>
#include <vector>

#include "apps/snn-train/train_model.h"
#include "io/nir/nir_graph.h"
#include "learning/export/nir_export.h"
#include "learning/model/fc_network.h"
#include "learning/model/model_file_build.h"
#include "learning/model/resnet_builder.h"
#include "learning/train/checkpoint_state.h"

namespace snn::apps {
namespace {

learning::LIFParams neuron_params(const TrainArgs& a) {
  learning::LIFParams p;
  p.tau = a.tau;
  p.v_threshold = a.v_threshold;
  p.detach_reset = a.detach_reset;
  p.surrogate = learning::parse_surrogate(a.surrogate);
  if (a.alpha > 0) p.surrogate.alpha = a.alpha;
  learning::validate(p);
  return p;
}

int arg_int(const std::map<std::string, std::string>& m, const std::string& key, int fallback) {
  auto it = m.find(key);
  if (it == m.end() || it->second.empty()) return fallback;
  return std::stoi(it->second);
}

}  // namespace

std::unique_ptr<learning::Classifier<float>> build_model(const TrainArgs& a, int channels, int rows,
                                                         int cols, int classes) {
  learning::LIFParams neuron = neuron_params(a);
  if (a.model == "file") {
    learning::ModelFile mf = learning::parse_model_json(
        a.model_json, a.model_file.empty() ? std::string("model file") : a.model_file);
    learning::resolve_model_file(mf, channels, rows, cols, classes);
    const std::string enc = !a.encoder.empty()   ? a.encoder
                            : mf.encoder.empty() ? "direct"
                                                 : mf.encoder;
    return learning::build_model_file<float>(
        mf, channels, rows, cols,
        enc == "poisson" ? learning::EncoderKind::Poisson : learning::EncoderKind::Direct, neuron,
        a.seed);
  }
  if (!a.is_resnet()) {
    if (a.encoder != "poisson")
      throw UsageError("-encoder direct is available for -model resnet and sew-resnet only");
    return learning::build_fc_classifier<float>(channels * rows * cols, a.hidden, classes, neuron,
                                                a.seed);
  }
  learning::ResNetConfig cfg = learning::resnet_preset(a.preset);
  cfg.block = a.model == "sew-resnet" ? "sew" : "spiking";
  cfg.connect = a.connect;
  cfg.head = a.head;  // validate_train_args made it "gap" for resnet18/34 unless given
  if (!a.channels.empty()) cfg.channels = a.channels;
  if (!a.blocks.empty()) cfg.blocks = a.blocks;
  if (cfg.channels.size() != cfg.blocks.size())
    throw UsageError("-channels and -blocks must have the same number of stages");
  cfg.encoder =
      a.encoder == "poisson" ? learning::EncoderKind::Poisson : learning::EncoderKind::Direct;
  cfg.neuron = neuron;
  cfg.spiking_readout = a.spiking_readout;
  learning::validate_resnet_config(cfg);
  return learning::build_resnet<float>(cfg, channels, rows, cols, classes, a.seed);
}

TrainArgs train_args_from_map(const std::map<std::string, std::string>& m) {
  // Through the command-line parser, so that every value is read as snn-train reads it.
  const char* keys[] = {"T",         "tau",    "v_threshold", "seed",    "hidden",
                        "surrogate", "alpha",  "model",       "connect", "head",
                        "channels",  "blocks", "encoder",     "preset"};
  std::vector<std::string> argv{"snn-train"};
  for (const char* k : keys) {
    auto it = m.find(k);
    if (it == m.end() || it->second.empty()) continue;
    std::string opt = k;
    std::replace(opt.begin(), opt.end(), '_', '-');
    argv.push_back("-" + opt);
    argv.push_back(it->second);
  }
  for (const char* flag : {"detach_reset", "spiking_readout"}) {
    auto it = m.find(flag);
    if (it == m.end() || it->second != "true") continue;
    std::string opt = flag;
    std::replace(opt.begin(), opt.end(), '_', '-');
    argv.push_back("-" + opt);
  }
  std::vector<const char*> ptrs;
  for (const auto& s : argv) ptrs.push_back(s.c_str());
  TrainArgs a = parse_train_args(int(ptrs.size()), ptrs.data());
  // A model file's text travels in the checkpoint: the file itself may be gone.
  auto text = m.find("model_json");
  if (text != m.end() && !text->second.empty()) {
    a.model = "file";
    a.model_json = text->second;
    auto file = m.find("model_file");
    if (file != m.end()) a.model_file = file->second;
    a.file_encoder = learning::parse_model_json(a.model_json, a.model_file).encoder;
  }
  if (a.encoder.empty()) a.encoder = a.is_resnet() ? "direct" : "poisson";
  return a;
}

ModelGeometry model_geometry(const io::CheckpointData& ck) {
  ModelGeometry g;
  g.channels = arg_int(ck.args, "image_channels", 1);
  g.rows = arg_int(ck.args, "image_rows", 28);
  g.cols = arg_int(ck.args, "image_cols", 28);
  int classes = 0;
  for (const io::NamedTensor& t : ck.parameters)  // the readout is the last Linear
    if (t.shape.size() == 2) classes = int(t.shape[0]);
  g.classes = arg_int(ck.args, "classes", classes > 0 ? classes : 10);
  return g;
}

std::unique_ptr<learning::Classifier<float>> load_model(const io::CheckpointData& ck,
                                                        const std::string& path,
                                                        const ModelGeometry& geo) {
  const TrainArgs a = train_args_from_map(ck.args);
  auto model = build_model(a, geo.channels, geo.rows, geo.cols, geo.classes);
  learning::load_named(ck.parameters, model->parameters(), "parameters", path);
  learning::load_named(ck.buffers, model->buffers(), "buffers", path);
  model->set_training(false);
  return model;
}

io::NirGraph write_model_nir(learning::Classifier<float>& model, const TrainArgs& a, int channels,
                             int rows, int cols, const std::string& path, double dt) {
  learning::NirExportOptions o;
  o.dt = dt;
  o.input_shape = {channels, rows, cols};
  o.steps = a.T;
  o.producer = "snn-train";
  io::NirGraph g = learning::export_nir(model, o);
  io::write_nir(g, path);
  return g;
}

}  // namespace snn::apps
