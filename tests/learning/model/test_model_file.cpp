// Model files: the example networks' inferred shapes, and errors that name file, line and field.
#include <gtest/gtest.h>

#include <string>

#include "learning/model/model_file.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

const std::string kExamples = std::string(SNN_SOURCE_DIR) + "/examples/models/";

/// The message of the error `f` throws as E (fails the test if it throws nothing or another type).
template <class E, class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

ModelFile resolved(const std::string& text, int c, int h, int w, int classes) {
  ModelFile m = parse_model_json(text, "net.json");
  resolve_model_file(m, c, h, w, classes);
  return m;
}

TEST(ModelFile, LeNetShapesAdaptToTheInput) {
  for (const char* file : {"lenet_bn.json", "lenet_layernorm.json"}) {
    ModelFile cifar = read_model_file(kExamples + file);
    resolve_model_file(cifar, 3, 32, 32, 10);
    ASSERT_EQ(cifar.layers.size(), 16u) << file;
    EXPECT_EQ(cifar.layers[0].in, 3);
    EXPECT_EQ(cifar.layers[0].out_shape, (std::vector<std::int64_t>{6, 28, 28}));
    EXPECT_EQ(cifar.layers[3].out_shape, (std::vector<std::int64_t>{6, 14, 14}));
    EXPECT_EQ(cifar.layers[7].out_shape, (std::vector<std::int64_t>{16, 5, 5}));
    EXPECT_EQ(cifar.layers[9].type, "Linear");
    EXPECT_EQ(cifar.layers[9].in, 400);  // the tutorial's Linear(400, 120)
    EXPECT_EQ(cifar.layers[9].out, 120);
    EXPECT_EQ(cifar.layers[12].in, 120);
    EXPECT_EQ(cifar.layers[15].in, 84);
    EXPECT_EQ(cifar.layers[15].out, 10);
    EXPECT_EQ(cifar.encoder, "direct");

    ModelFile mnist = read_model_file(kExamples + file);
    resolve_model_file(mnist, 1, 28, 28, 10);
    EXPECT_EQ(mnist.layers[0].in, 1);
    EXPECT_EQ(mnist.layers[9].in, 256);  // 16·4·4 on 28×28
  }
  ModelFile ln = read_model_file(kExamples + "lenet_layernorm.json");
  resolve_model_file(ln, 3, 32, 32, 10);
  EXPECT_EQ(ln.layers[1].type, "LayerNorm");
  EXPECT_EQ(ln.layers[1].in, 6 * 28 * 28);  // over C×H×W, as LayerNorm([6, 28, 28])
  EXPECT_EQ(ln.layers[10].in, 120);
}

TEST(ModelFile, DefaultNamesAndFields) {
  ModelFile m = resolved(R"({"layers": [
    {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "bias": false},
    {"type": "BatchNorm2d"}, {"type": "LIF", "tau": 3.5, "soft_reset": true},
    {"type": "LocalResponseNorm", "size": 5, "alpha": 0.001},
    {"type": "MaxPool2d", "kernel_size": 2},
    {"type": "SEWResNetBlock", "out_channels": 8, "stride": 2, "blocks": 2, "connect": "iand"},
    {"type": "GlobalAvgPool"}, {"type": "Dropout", "p": 0.25},
    {"type": "Linear", "out_features": "classes", "weight_norm": true}]})",
                         2, 8, 8, 7);
  EXPECT_EQ(m.layers[0].name, "conv0");
  EXPECT_FALSE(m.layers[0].bias);
  EXPECT_EQ(m.layers[0].out_shape, (std::vector<std::int64_t>{4, 8, 8}));
  EXPECT_EQ(m.layers[1].name, "bn0");
  EXPECT_EQ(m.layers[1].in, 4);
  ASSERT_TRUE(m.layers[2].neuron.tau.has_value());
  EXPECT_DOUBLE_EQ(*m.layers[2].neuron.tau, 3.5);
  EXPECT_TRUE(*m.layers[2].neuron.soft_reset);
  EXPECT_FALSE(m.layers[2].neuron.v_threshold.has_value());
  EXPECT_EQ(m.layers[3].size, 5);
  EXPECT_DOUBLE_EQ(m.layers[3].alpha, 0.001);
  EXPECT_DOUBLE_EQ(m.layers[3].beta, 0.75);  // PyTorch's default
  EXPECT_EQ(m.layers[3].in, 4);
  EXPECT_EQ(m.layers[4].out_shape, (std::vector<std::int64_t>{4, 4, 4}));
  EXPECT_EQ(m.layers[5].name, "layer1");
  EXPECT_EQ(m.layers[5].connect, "iand");
  EXPECT_EQ(m.layers[5].out_shape, (std::vector<std::int64_t>{8, 2, 2}));
  EXPECT_EQ(m.layers[6].out_shape, (std::vector<std::int64_t>{8}));
  EXPECT_DOUBLE_EQ(m.layers[7].p, 0.25);
  EXPECT_EQ(m.layers[8].name, "fc0");
  EXPECT_TRUE(m.layers[8].bias);  // PyTorch's default
  EXPECT_TRUE(m.layers[8].weight_norm);
  EXPECT_FALSE(m.layers[0].weight_norm);
  EXPECT_EQ(m.layers[8].in, 8);
  EXPECT_EQ(m.layers[8].out, 7);  // "classes"
  EXPECT_EQ(m.seeding, "layers");
}

TEST(ModelFile, PresetFilesParse) {
  for (const char* f : {"fc.json", "spiking_resnet_tiny.json", "spiking_resnet_small.json",
                        "spiking_resnet_medium.json", "sew_resnet_tiny.json",
                        "sew_resnet_small.json", "sew_resnet_medium.json", "spiking_resnet18.json",
                        "spiking_resnet34.json", "sew_resnet18.json", "sew_resnet34.json",
                        "spiking_resnet18_imagenet.json", "spiking_resnet34_imagenet.json",
                        "sew_resnet18_imagenet.json", "sew_resnet34_imagenet.json"}) {
    ModelFile m = read_model_file(kExamples + f);
    const bool imagenet = std::string(f).find("imagenet") != std::string::npos;
    EXPECT_NO_THROW(resolve_model_file(m, imagenet ? 3 : 1, imagenet ? 224 : 28,
                                       imagenet ? 224 : 28, imagenet ? 1000 : 10))
        << f;
  }
  ModelFile fc = read_model_file(kExamples + "fc.json");
  resolve_model_file(fc, 1, 28, 28, 10);
  EXPECT_EQ(fc.seeding, "fc");
  EXPECT_EQ(fc.encoder, "poisson");
  EXPECT_EQ(fc.layers[1].in, 784);
  EXPECT_FALSE(fc.layers[1].bias);
  ModelFile r18 = read_model_file(kExamples + "spiking_resnet18_imagenet.json");
  resolve_model_file(r18, 3, 224, 224, 1000);
  EXPECT_EQ(r18.layers[0].out_shape, (std::vector<std::int64_t>{64, 112, 112}));
  EXPECT_EQ(r18.layers[3].out_shape, (std::vector<std::int64_t>{64, 56, 56}));
  EXPECT_EQ(r18.layers[7].out_shape, (std::vector<std::int64_t>{512, 7, 7}));
  EXPECT_FALSE(r18.layers[4].shortcut_bn);
}

TEST(ModelFile, SyntaxAndTypeErrorsNameFileLineAndField) {
  std::string e = message_of<FormatError>([] { parse_model_json("{\"layers\": [\n", "net.json"); });
  EXPECT_EQ(e.rfind("net.json: ", 0), 0u) << e;

  e = message_of<FormatError>([] {
    parse_model_json("{\"layers\": [\n  {\"type\": \"Flatten\"},\n  {\"type\": \"Dense\"}\n]}",
                     "net.json");
  });
  EXPECT_NE(e.find("net.json:3: layers[1].type: unknown layer type 'Dense'"), std::string::npos)
      << e;

  e = message_of<FormatError>([] {
    parse_model_json(
        "{\"layers\": [\n  {\"type\": \"Conv2d\", \"out_channels\": 4,\n   \"kernel_size\": 2.5}]}",
        "net.json");
  });
  EXPECT_NE(e.find("net.json:3: layers[0].kernel_size: expected an integer, got 2.5"),
            std::string::npos)
      << e;

  e = message_of<FormatError>(
      [] { parse_model_json("{\"layers\": [{\"type\": \"Linear\", \"out\": 4}]}", "net.json"); });
  EXPECT_NE(e.find("net.json:1: layers[0].out: unknown field 'out'"), std::string::npos) << e;

  e = message_of<FormatError>(
      [] { parse_model_json("{\"layers\": [{\"type\": \"Linear\"}]}", "net.json"); });
  EXPECT_NE(e.find("layers[0]: missing field 'out_features'"), std::string::npos) << e;

  e = message_of<FormatError>([] { parse_model_json("{\"layer\": []}", "net.json"); });
  EXPECT_NE(e.find("net.json:1: layer: unknown field 'layer'"), std::string::npos) << e;
  e = message_of<FormatError>([] { parse_model_json("{}", "net.json"); });
  EXPECT_NE(e.find("missing field 'layers'"), std::string::npos) << e;
  e = message_of<FormatError>([] {
    parse_model_json("{\"layers\": [{\"type\": \"LIF\", \"detach_reset\": 1}]}", "net.json");
  });
  EXPECT_NE(e.find("layers[0].detach_reset: expected true or false"), std::string::npos) << e;
}

TEST(ModelFile, ValueErrorsNameTheField) {
  auto value_error = [](const std::string& text) {
    return message_of<InvalidParameter>([&] { parse_model_json(text, "net.json"); });
  };
  std::string e = value_error("{\"layers\": [\n {\"type\": \"LIF\", \"tau\": 1.0}]}");
  EXPECT_NE(e.find("net.json:2: layers[0].tau: tau must be > 1"), std::string::npos) << e;
  e = value_error("{\"layers\": [{\"type\": \"Dropout\", \"p\": 1}]}");
  EXPECT_NE(e.find("layers[0].p: p must be in [0, 1)"), std::string::npos) << e;
  e = value_error(
      "{\"layers\": [{\"type\": \"Conv2d\", \"out_channels\": 0, \"kernel_size\": 3}]}");
  EXPECT_NE(e.find("layers[0].out_channels: must be >= 1, got 0"), std::string::npos) << e;
  e = value_error(
      "{\"layers\": [{\"type\": \"SEWResNetBlock\", \"out_channels\": 4, "
      "\"connect\": \"or\"}]}");
  EXPECT_NE(e.find("layers[0].connect: unknown connect function 'or'"), std::string::npos) << e;
  e = value_error("{\"layers\": [{\"type\": \"LIF\", \"surrogate\": \"relu\"}]}");
  EXPECT_NE(e.find("layers[0].surrogate: unknown surrogate 'relu'"), std::string::npos) << e;
  e = value_error("{\"encoder\": \"rate\", \"layers\": [{\"type\": \"LIF\"}]}");
  EXPECT_NE(e.find("net.json:1: encoder: encoder must be poisson or direct"), std::string::npos)
      << e;
  e = value_error(
      "{\"layers\": [\n{\"type\": \"Linear\", \"out_features\": 4},\n"
      "{\"type\": \"Linear\", \"out_features\": 4, \"name\": \"fc0\"}]}");
  EXPECT_NE(e.find("net.json:3: layers[1].name: layer name 'fc0' is used twice"), std::string::npos)
      << e;
  e = value_error("{\"layers\": [{\"type\": \"MaxPool2d\", \"kernel_size\": 2, \"padding\": 2}]}");
  EXPECT_NE(e.find("layers[0].padding: padding must be at most half the kernel size (1)"),
            std::string::npos)
      << e;
}

TEST(ModelFile, ShapeErrorsNameTheLayer) {
  auto shape_error = [](const std::string& text, int c, int h, int w, int classes) {
    return message_of<InvalidParameter>([&] { resolved(text, c, h, w, classes); });
  };
  // The tutorial's Linear(400, 120) written out, on MNIST's 28×28: 256 features arrive.
  std::string e = shape_error(R"({"layers": [
    {"type": "Conv2d", "out_channels": 6, "kernel_size": 5}, {"type": "AvgPool2d", "kernel_size": 2},
    {"type": "Conv2d", "out_channels": 16, "kernel_size": 5}, {"type": "AvgPool2d", "kernel_size": 2},
    {"type": "Flatten"},
    {"type": "Linear",
     "in_features": 400, "out_features": 10}]})",
                              1, 28, 28, 10);
  EXPECT_NE(e.find("net.json:6: layers[5].in_features: Linear declares 400 but gets 256"),
            std::string::npos)
      << e;
  e = shape_error(R"({"layers": [{"type": "Conv2d", "in_channels": 3, "out_channels": 6,
    "kernel_size": 5}, {"type": "Flatten"}, {"type": "Linear", "out_features": 10}]})",
                  1, 28, 28, 10);
  EXPECT_NE(e.find("layers[0].in_channels: Conv2d declares 3 but gets 1"), std::string::npos) << e;
  e = shape_error(R"({"layers": [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3},
    {"type": "Linear", "out_features": 10}]})",
                  1, 28, 28, 10);
  EXPECT_NE(e.find("layers[1]: Linear needs a flat input, got 2×26×26"), std::string::npos) << e;
  e = shape_error(R"({"layers": [{"type": "Flatten"},
    {"type": "Conv2d", "out_channels": 2, "kernel_size": 3}]})",
                  1, 28, 28, 10);
  EXPECT_NE(e.find("layers[1]: Conv2d needs a C×H×W input, got 784 features"), std::string::npos)
      << e;
  e = shape_error(R"({"layers": [{"type": "Conv2d", "out_channels": 2, "kernel_size": 9}]})", 1, 8,
                  8, 10);
  EXPECT_NE(e.find("layers[0].kernel_size: Conv2d kernel 9 is larger than its padded input"),
            std::string::npos)
      << e;
  e = shape_error(R"({"layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10},
    {"type": "LIF"}]})",
                  1, 28, 28, 100);
  EXPECT_NE(e.find("layers[2]: the network ends with 10 outputs but the data has 100 classes"),
            std::string::npos)
      << e;
  e = shape_error(R"({"layers": [{"type": "Flatten"}, {"type": "BatchNorm2d"},
    {"type": "Linear", "out_features": 10}]})",
                  1, 4, 4, 10);
  EXPECT_NE(e.find("layers[1]: BatchNorm2d needs a C×H×W input"), std::string::npos) << e;
}

TEST(ModelFile, UnreadableFileIsAnIoError) {
  EXPECT_THROW(read_model_file("/nonexistent/net.json"), IoError);
}

}  // namespace
}  // namespace snn::learning
