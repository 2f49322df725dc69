// A NIR graph holding every node type of NIR 1.0 once, in three branches with consistent shapes,
// with every dtype the reader keeps (float16/32/64, int64, string padding) and metadata.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "io/nir/nir_graph.h"

namespace snn::test {

inline io::NirNode nir_node(const std::string& name, io::NirNodeType t,
                            std::vector<std::pair<std::string, io::NirArray>> params) {
  io::NirNode n;
  n.name = name;
  n.type = t;
  for (auto& p : params) n.params[p.first] = std::move(p.second);
  return n;
}

/// Values 0.1*(i+1)*sign, distinct per element so that a transposition would show.
inline std::vector<double> ramp(std::size_t n, double scale = 0.1) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = scale * double(i + 1) * (i % 2 ? -1 : 1);
  return v;
}

inline io::NirGraph nir_sample_graph() {
  using io::NirArray;
  using T = io::NirNodeType;
  using D = io::NirDType;
  auto vec = [](std::vector<double> v, D d = D::Float64) {
    return NirArray::vector(std::move(v), d);
  };
  auto ints = [](std::vector<std::int64_t> v) { return NirArray::integers(v); };
  auto f16 = [](std::vector<double> v) { return NirArray::vector(std::move(v), D::Float16); };
  io::NirGraph g;
  // Branch A: [1, 4, 4] -> Conv2d ('same') -> SumPool2d -> AvgPool2d -> IF -> Flatten -> Affine ->
  // LIF.
  g.nodes.push_back(nir_node("in_a", T::Input, {{"shape", ints({1, 4, 4})}}));
  g.nodes.push_back(nir_node("conv2", T::Conv2d,
                             {{"input_shape", ints({4, 4})},
                              {"weight", NirArray::tensor({2, 1, 3, 3}, ramp(18), D::Float32)},
                              {"stride", ints({1, 1})},
                              {"padding", NirArray::string("same")},
                              {"dilation", NirArray::integer(1)},
                              {"groups", NirArray::integer(1)},
                              {"bias", vec({0.5, -0.25}, D::Float32)}}));
  g.nodes.push_back(nir_node(
      "sum", T::SumPool2d,
      {{"kernel_size", ints({2, 2})}, {"stride", ints({2, 2})}, {"padding", ints({0, 0})}}));
  g.nodes.push_back(nir_node(
      "avg", T::AvgPool2d,
      {{"kernel_size", ints({1, 1})}, {"stride", ints({1, 1})}, {"padding", ints({0, 0})}}));
  g.nodes.push_back(
      nir_node("if", T::IF,
               {{"r", NirArray::tensor({2, 2, 2}, ramp(8, 1.0))},
                {"v_threshold", NirArray::tensor({2, 2, 2}, std::vector<double>(8, 1.0))},
                {"v_reset", NirArray::tensor({2, 2, 2}, std::vector<double>(8, 0.0))}}));
  g.nodes.push_back(nir_node("flat", T::Flatten,
                             {{"start_dim", NirArray::integer(0)},
                              {"end_dim", NirArray::integer(-1)},
                              {"input_type", ints({2, 2, 2})}}));
  g.nodes.push_back(nir_node("aff", T::Affine,
                             {{"weight", NirArray::tensor({3, 8}, ramp(24, 0.01), D::Float32)},
                              {"bias", vec({0.1, 0.2, 0.3}, D::Float32)}}));
  g.nodes.push_back(nir_node(
      "lif", T::LIF,
      {{"tau", f16({0.1, 1.0 / 3.0, 3e-6})},  // rounded to half precision (3e-6: subnormal)
       {"r", vec({1, 2, 3})},
       {"v_leak", vec({0, 0.1, -0.1})},
       {"v_threshold", vec({1, 1.5, 2})},
       {"v_reset", vec({0, -0.5, 0})}}));
  g.nodes.push_back(nir_node("out_a", T::Output, {{"shape", ints({3})}}));
  // Branch B: [2] -> Linear -> Scale -> Delay -> Threshold -> LI -> I -> CubaLIF -> CubaLI ->
  // subgraph.
  g.nodes.push_back(nir_node("in_b", T::Input, {{"shape", ints({2})}}));
  g.nodes.push_back(
      nir_node("lin", T::Linear, {{"weight", NirArray::tensor({2, 2}, {1, -2, 3, 4})}}));
  g.nodes.push_back(nir_node("scale", T::Scale, {{"scale", vec({2, 0.5})}}));
  g.nodes.push_back(nir_node("delay", T::Delay, {{"delay", vec({1e-3, 2e-3})}}));
  g.nodes.push_back(nir_node("thr", T::Threshold, {{"threshold", vec({0.25, 0.75})}}));
  g.nodes.push_back(nir_node(
      "li", T::LI, {{"tau", vec({0.02, 0.03})}, {"r", vec({1, 1})}, {"v_leak", vec({0, 0})}}));
  g.nodes.push_back(nir_node("i", T::I, {{"r", vec({1.5, 2.5})}}));
  g.nodes.push_back(nir_node("cuba_lif", T::CubaLIF,
                             {{"tau_syn", vec({0.005, 0.006})},
                              {"tau_mem", vec({0.02, 0.021})},
                              {"r", vec({1, 1})},
                              {"v_leak", vec({0, 0})},
                              {"v_threshold", vec({1, 1})},
                              {"v_reset", vec({0, 0})},
                              {"w_in", vec({1, 2})}}));
  g.nodes.push_back(nir_node("cuba_li", T::CubaLI,
                             {{"tau_syn", vec({0.005, 0.005})},
                              {"tau_mem", vec({0.01, 0.01})},
                              {"r", vec({1, 1})},
                              {"v_leak", vec({0, 0.5})},
                              {"w_in", vec({3, 4})}}));
  io::NirNode sub;
  sub.name = "sub";
  sub.type = T::NIRGraph;
  sub.graph.nodes.push_back(nir_node("input", T::Input, {{"shape", ints({2})}}));
  sub.graph.nodes.push_back(nir_node("s", T::Scale, {{"scale", vec({-1, 1})}}));
  sub.graph.nodes.push_back(nir_node("output", T::Output, {{"shape", ints({2})}}));
  sub.graph.edges = {{"input", "s"}, {"s", "output"}};
  g.nodes.push_back(sub);
  g.nodes.push_back(nir_node("out_b", T::Output, {{"shape", ints({2})}}));
  // Branch C: [1, 8] -> Conv1d -> [2, 8].
  g.nodes.push_back(nir_node("in_c", T::Input, {{"shape", ints({1, 8})}}));
  g.nodes.push_back(nir_node("conv1", T::Conv1d,
                             {{"input_shape", NirArray::integer(8)},
                              {"weight", NirArray::tensor({2, 1, 3}, ramp(6))},
                              {"stride", NirArray::integer(1)},
                              {"padding", NirArray::integer(1)},
                              {"dilation", NirArray::integer(1)},
                              {"groups", NirArray::integer(1)},
                              {"bias", vec({0, 1})}}));
  g.nodes.push_back(nir_node("out_c", T::Output, {{"shape", ints({2, 8})}}));
  g.edges = {{"in_a", "conv2"},  {"conv2", "sum"}, {"sum", "avg"},     {"avg", "if"},
             {"if", "flat"},     {"flat", "aff"},  {"aff", "lif"},     {"lif", "out_a"},
             {"in_b", "lin"},    {"lin", "scale"}, {"scale", "delay"}, {"delay", "thr"},
             {"thr", "li"},      {"li", "i"},      {"i", "cuba_lif"},  {"cuba_lif", "cuba_li"},
             {"cuba_li", "sub"}, {"sub", "out_b"}, {"in_c", "conv1"},  {"conv1", "out_c"}};
  g.nodes[1].metadata["note"] = NirArray::string("a 3x3 kernel");
  g.metadata["producer"] = NirArray::string("snn tests");
  g.metadata["dt"] = NirArray::scalar(1e-4);
  return g;
}

}  // namespace snn::test
