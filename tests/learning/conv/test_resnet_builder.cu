// The ResNet builder: presets, validation, shapes, names, and the whole network's gradient
// against finite differences (smooth neuron forward, BatchNorm in training mode).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/model/fc_network.h"
#include "learning/neurons/if_neuron.h"
#include "learning/model/model_file_build.h"
#include "learning/model/resnet_builder.h"
#include "sim/core/errors.h"
#include "tests/learning/conv/fd_check.h"

namespace snn::learning {
namespace {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

void smooth_all(Sequential<double>& body) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    Layer<double>* l = &body.layer(i);
    if (auto* n = dynamic_cast<SpikingNeuron<double>*>(l)) n->set_smooth_forward(true);
    if (auto* b = dynamic_cast<SpikingResNetBlock<double>*>(l))
      for (auto* n : b->neurons()) n->set_smooth_forward(true);
    if (auto* b = dynamic_cast<SewResNetBlock<double>*>(l))
      for (auto* n : b->neurons()) n->set_smooth_forward(true);
  }
}

TEST(ResNetBuilder, PresetsAndValidation) {
  EXPECT_EQ(resnet_preset("").channels, resnet_preset(resnet_default_preset()).channels);
  for (const char* name : {"tiny", "small", "medium"}) {
    ResNetConfig c = resnet_preset(name);
    EXPECT_NO_THROW(validate_resnet_config(c)) << name;
    EXPECT_EQ(c.channels.size(), c.blocks.size());
  }
  EXPECT_THROW(resnet_preset("huge"), InvalidParameter);
  ResNetConfig c = resnet_preset("tiny");
  c.block = "dense";
  EXPECT_THROW(validate_resnet_config(c), InvalidParameter);
  c = resnet_preset("tiny");
  c.block = "sew";
  c.connect = "or";
  EXPECT_THROW(validate_resnet_config(c), InvalidParameter);
  c = resnet_preset("tiny");
  c.blocks = {1};
  EXPECT_THROW(validate_resnet_config(c), InvalidParameter);
  c = resnet_preset("tiny");
  c.channels = {8, 0};
  EXPECT_THROW(validate_resnet_config(c), InvalidParameter);
  c = resnet_preset("tiny");
  c.dropout = 1.0;
  EXPECT_THROW(validate_resnet_config(c), InvalidParameter);
}

TEST(ResNetBuilder, BodyShapesNamesAndBuffers) {
  for (const char* kind : {"spiking", "sew"}) {
    ResNetConfig c = resnet_preset("tiny");
    c.block = kind;
    c.blocks = {2, 1};
    c.dropout = 0.2;
    auto body = build_resnet_body<float>(c, 1, 28, 28, 10, 7);
    Tensor<float> x = Tensor<float>({4, 3, 784}, 0.5f), y;
    body->forward(x, y);
    EXPECT_EQ(y.shape(), (Shape{4, 3, 10})) << kind;
    ParameterList<float> params;
    body->collect_parameters(params);
    std::set<std::string> names;
    for (auto* p : params) EXPECT_TRUE(names.insert(p->name).second) << "duplicate " << p->name;
    EXPECT_TRUE(names.count("stem.conv.weight"));
    EXPECT_TRUE(names.count("layer2.0.down.conv.weight"));
    EXPECT_TRUE(names.count("fc.weight"));
    EXPECT_TRUE(names.count("fc.bias"));
    BufferList<float> buffers;
    body->collect_buffers(buffers);
    std::set<std::string> bnames;
    for (auto* b : buffers) EXPECT_TRUE(bnames.insert(b->name).second) << "duplicate " << b->name;
    EXPECT_TRUE(bnames.count("stem.bn.running_mean"));
    EXPECT_TRUE(bnames.count("layer1.1.bn2.running_var"));
    // shaped images work as well as flat ones
    Tensor<float> shaped({4, 3, 1, 28, 28}, 0.5f), y2;
    body->forward(shaped, y2);
    EXPECT_EQ(y2.shape(), y.shape());
  }
}

TEST(ResNetBuilder, EvaluationModeIsDeterministicAndUsesRunningStatistics) {
  ResNetConfig c = resnet_preset("tiny");
  c.dropout = 0.5;
  auto body = build_resnet_body<float>(c, 1, 12, 12, 5, 3);
  Tensor<float> x = Tensor<float>({2, 4, 144}, 0.3f), y1, y2;
  body->forward(x, y1);  // training: moves the running statistics
  BufferList<float> buffers;
  body->collect_buffers(buffers);
  std::vector<float> rm = buffers[0]->value.to_host();
  EXPECT_NE(rm, std::vector<float>(rm.size(), 0.0f));
  body->set_training(false);
  body->forward(x, y1);
  body->forward(x, y2);
  EXPECT_EQ(y1.to_host(), y2.to_host());
  EXPECT_EQ(buffers[0]->value.to_host(), rm);
}

TEST(ResNetBuilder, WholeNetworkGradientMatchesFiniteDifferences) {
  for (const char* kind : {"spiking", "sew"}) {
    ResNetConfig c;
    c.block = kind;
    c.connect = "iand";
    c.channels = {3, 4};
    c.blocks = {1, 1};
    auto body = build_resnet_body<double>(c, 1, 8, 8, 3, 11);
    smooth_all(*body);
    Tensor<double> x = random_tensor({2, 3, 64}, 12, 0, 1), y, gx;
    body->forward(x, y);
    Tensor<double> w = random_tensor(y.shape(), 13);
    ParameterList<double> params;
    body->collect_parameters(params);
    for (auto* p : params) p->zero_grad();
    body->backward(x, y, w, gx);
    auto loss = [&] {
      Tensor<double> out;
      body->forward(x, out);
      return weighted_sum(out, w);
    };
    expect_gradient(x, gx.to_host(), loss, "dL/dimage", 1e-6, 40);
    for (auto* p : params)
      expect_gradient(p->value, p->grad.to_host(), loss, p->name.c_str(), 1e-6, 6);
  }
}


// --- Model files (learning/model/model_file*) against the built-in builders ---------------------

const std::string kModels = std::string(SNN_SOURCE_DIR) + "/examples/models/";

std::int64_t parameter_count(ParameterList<float> params) {  // torch: sum(p.numel())
  std::int64_t n = 0;
  for (Parameter<float>* p : params) n += p->value.size();
  return n;
}

std::unique_ptr<Classifier<float>> from_file(const std::string& file, int c, int h, int w,
                                             int classes, EncoderKind enc, std::uint64_t seed) {
  ModelFile m = read_model_file(kModels + file);
  resolve_model_file(m, c, h, w, classes);
  return build_model_file<float>(m, c, h, w, enc, LIFParams{}, seed);
}

/// Same parameter names, shapes and values, and the same output on the same images.
void expect_same_network(Classifier<float>& a, Classifier<float>& b, int c, int h, int w,
                         int batch, int steps, const std::string& what) {
  ParameterList<float> pa = a.parameters(), pb = b.parameters();
  ASSERT_EQ(pa.size(), pb.size()) << what;
  EXPECT_EQ(parameter_count(pa), parameter_count(pb)) << what;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i]->name, pb[i]->name) << what;
    ASSERT_EQ(pa[i]->value.shape(), pb[i]->value.shape()) << what << " " << pa[i]->name;
    EXPECT_EQ(pa[i]->value.to_host(), pb[i]->value.to_host()) << what << " " << pa[i]->name;
  }
  EXPECT_EQ(a.buffers().size(), b.buffers().size()) << what;
  Tensor<float> images;
  std::vector<float> v(std::size_t(batch) * c * h * w);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = float((i * 7919) % 256) / 255.0f;
  images.from_host({batch, std::int64_t(c) * h * w}, v);
  const std::vector<float> ya = a.forward(images, steps, 11).to_host();
  const std::vector<float> yb = b.forward(images, steps, 11).to_host();
  ASSERT_EQ(ya.size(), yb.size()) << what;
  EXPECT_EQ(ya, yb) << what;
  double sum = 0;
  for (float x : ya) sum += std::abs(x);
  if (dynamic_cast<SpikingNeuron<float>*>(&a.body().layer(a.body().size() - 1))) {
    // Spiking output: the membrane potentials too (few spikes at initialisation).
    const std::vector<float> va = a.output_v_seq().to_host(), vb = b.output_v_seq().to_host();
    EXPECT_EQ(va, vb) << what;
    for (float x : va) sum += std::abs(x);
  }
  EXPECT_GT(sum, 0) << what << ": an all-zero output would compare equal trivially";
}

TEST(ModelFileBuild, FcFileIsTheBuiltInFcNetwork) {
  auto builtin = build_fc_classifier<float>(784, {}, 10, LIFParams{}, 5);
  auto file = from_file("fc.json", 1, 28, 28, 10, EncoderKind::Poisson, 5);
  EXPECT_EQ(builtin->describe(), file->describe());
  EXPECT_TRUE(file->fused());
  expect_same_network(*builtin, *file, 1, 28, 28, 4, 20, "fc");
  auto other_seed = from_file("fc.json", 1, 28, 28, 10, EncoderKind::Poisson, 6);
  EXPECT_NE(builtin->parameters()[0]->value.to_host(), other_seed->parameters()[0]->value.to_host());
}

TEST(ModelFileBuild, ResNetPresetFilesAreTheBuiltInPresets) {
  for (const char* kind : {"spiking", "sew"})
    for (const char* preset : {"tiny", "small", "medium"}) {
      ResNetConfig c = resnet_preset(preset);
      c.block = kind;
      auto builtin = build_resnet<float>(c, 1, 28, 28, 10, 3);
      auto file = from_file(std::string(kind) + "_resnet_" + preset + ".json", 1, 28, 28, 10,
                            EncoderKind::Direct, 3);
      EXPECT_EQ(builtin->describe(), file->describe()) << kind << " " << preset;
      expect_same_network(*builtin, *file, 1, 28, 28, 2, 2, std::string(kind) + " " + preset);
    }
}

TEST(ModelFileBuild, ResNet18FileIsThePresetOnSmallImages) {
  // Parameters do not depend on the image size below 64 px (the 3×3 stem, no stem pool): built
  // on 8×8 images so that the forward comparison stays quick.
  ResNetConfig c = resnet_preset("resnet18");
  auto builtin = build_resnet<float>(c, 3, 8, 8, 10, 1);
  auto file = from_file("spiking_resnet18.json", 3, 8, 8, 10, EncoderKind::Direct, 1);
  // The CIFAR ResNet-18 (3×3 stem, no stem pool, 10 classes): 11,173,962 parameters.
  EXPECT_EQ(parameter_count(builtin->parameters()), 11173962);
  expect_same_network(*builtin, *file, 3, 8, 8, 2, 1, "spiking resnet18");
}

// torchvision's resnet18/resnet34 (SpikingJelly's spiking_resnet18/34, sew_resnet18/34 with
// connect ADD: the neurons have no parameters): sum(p.numel() for p in model.parameters()).
// Each depth: one block kind's preset against the other kind's file (same layout and names).
TEST(ModelFileBuild, ResNet18And34ParameterCountsAtImageNetSize) {
  struct Case {
    int depth;
    std::int64_t expected;
    const char* preset_kind;
    const char* file_kind;
  };
  for (const Case& k : {Case{18, 11689512, "spiking", "sew"}, Case{34, 21797672, "sew", "spiking"}}) {
    const std::string preset = "resnet" + std::to_string(k.depth);
    ResNetConfig c = resnet_preset(preset);
    c.block = k.preset_kind;
    auto body = build_resnet_body<float>(c, 3, 224, 224, 1000, 0);
    ParameterList<float> params;
    body->collect_parameters(params);
    EXPECT_EQ(parameter_count(params), k.expected) << k.preset_kind << " " << preset;
    EXPECT_EQ(params[0]->value.shape(), (Shape{64, 3, 7, 7})) << "the 7×7 stem at 224 px";
    auto file = from_file(std::string(k.file_kind) + "_" + preset + "_imagenet.json", 3, 224, 224,
                          1000, EncoderKind::Direct, 0);
    ParameterList<float> fp = file->parameters();
    EXPECT_EQ(parameter_count(fp), k.expected) << k.file_kind << " " << preset << " file";
    ASSERT_EQ(fp.size(), params.size());
    for (std::size_t i = 0; i < fp.size(); ++i) {
      EXPECT_EQ(fp[i]->name, params[i]->name);
      EXPECT_EQ(fp[i]->value.shape(), params[i]->value.shape()) << params[i]->name;
    }
    EXPECT_EQ(fp[0]->value.to_host(), params[0]->value.to_host()) << "same stem weights";
  }
}

// The SNN-ResNet note's BN on identity shortcuts stays an option (the small presets keep it):
// tiny's layer1.0 (8 → 8) has an identity shortcut, so it adds γ and β of 8 channels.
TEST(ModelFileBuild, ShortcutBnIsAnOption) {
  ResNetConfig c = resnet_preset("tiny");
  EXPECT_TRUE(c.shortcut_bn);
  auto with = build_resnet<float>(c, 1, 28, 28, 10, 0);
  c.shortcut_bn = false;
  auto without = build_resnet<float>(c, 1, 28, 28, 10, 0);
  EXPECT_EQ(parameter_count(with->parameters()) - parameter_count(without->parameters()), 16);
  EXPECT_FALSE(resnet_preset("resnet18").shortcut_bn);
  EXPECT_EQ(resnet_preset("resnet34").blocks, (std::vector<int>{3, 4, 6, 3}));
  EXPECT_EQ(resnet_preset("resnet18").channels, (std::vector<int>{64, 128, 256, 512}));
}

TEST(ModelFileBuild, LeNetBuildsAndRunsOnBothInputSizes) {
  for (const char* file : {"lenet_bn.json", "lenet_layernorm.json"}) {
    auto cifar = from_file(file, 3, 32, 32, 10, EncoderKind::Direct, 0);
    // Conv(3→6,k5)+b, Conv(6→16,k5)+b, Linear(400,120)+b, Linear(120,84)+b, Linear(84,10)+b.
    const std::int64_t convs_linears = 456 + 2416 + 48120 + 10164 + 850;
    const std::int64_t norms = std::string(file) == "lenet_bn.json"
                                   ? 2 * (6 + 16 + 120 + 84)
                                   : 2 * (6 * 28 * 28 + 16 * 10 * 10 + 120 + 84);
    EXPECT_EQ(parameter_count(cifar->parameters()), convs_linears + norms) << file;
    auto mnist = from_file(file, 1, 28, 28, 10, EncoderKind::Direct, 0);
    Tensor<float> images;
    images.from_host({2, 784}, std::vector<float>(2 * 784, 0.5f));
    const Tensor<float>& y = mnist->forward(images, 3, 0);
    EXPECT_EQ(y.shape(), (Shape{3, 2, 10})) << file;
  }
}

TEST(ModelFileBuild, PerLayerNeuronSettingsOverrideTheCommandLine) {
  ModelFile m = parse_model_json(R"({"layers": [{"type": "Flatten"},
      {"type": "Linear", "out_features": 3}, {"type": "LIF", "tau": 4.0, "v_threshold": 0.5},
      {"type": "Linear", "out_features": 2}, {"type": "IF", "surrogate": "sigmoid"}]})",
                                 "net.json");
  resolve_model_file(m, 1, 2, 2, 2);
  LIFParams base;
  base.tau = 2.5;
  base.detach_reset = true;
  auto body = build_model_file_body<float>(m, 1, 2, 2, base, 0);
  ASSERT_EQ(body->size(), 5u);  // starts with Flatten: no Unflatten
  const auto& lif = dynamic_cast<const LIF<float>&>(body->layer(2));
  EXPECT_DOUBLE_EQ(lif.params().tau, 4.0);
  EXPECT_DOUBLE_EQ(lif.params().v_threshold, 0.5);
  EXPECT_TRUE(lif.params().detach_reset);  // the command line's
  const auto& ifn = dynamic_cast<const IF<float>&>(body->layer(4));
  EXPECT_EQ(ifn.params().surrogate.kind, SurrogateKind::Sigmoid);
  EXPECT_DOUBLE_EQ(ifn.params().surrogate.alpha, 4.0);  // sigmoid's default α
  EXPECT_TRUE(ifn.params().detach_reset);

  ModelFile bad = parse_model_json("{\"layers\": [{\"type\": \"Flatten\"},\n"
                                   "{\"type\": \"LIF\", \"v_reset\": 2.0},\n"
                                   "{\"type\": \"Linear\", \"out_features\": 2}]}",
                                   "bad.json");
  resolve_model_file(bad, 1, 2, 2, 2);
  try {
    build_model_file_body<float>(bad, 1, 2, 2, LIFParams{}, 0);
    ADD_FAILURE() << "v_reset above v_threshold accepted";
  } catch (const InvalidParameter& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json:2: layers[1]: "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snn::learning
