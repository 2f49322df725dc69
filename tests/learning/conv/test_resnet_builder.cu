// The ResNet builder: presets, validation, shapes, names, and the whole network's gradient
// against finite differences (smooth neuron forward, BatchNorm in training mode).
#include <gtest/gtest.h>

#include <set>

#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
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

}  // namespace
}  // namespace snn::learning
