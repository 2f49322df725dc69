// NIR writer: our graph -> our file -> our reader gives the same graph (every node type); the
// layout NIR's Python reader takes; atomic writes and errors; and, where /usr/bin/python3 with
// h5py and the shared nir-1.0.7 sources exist, NIR's own reader on what we write.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/nir/nir_graph.h"
#include "nir_python.h"
#include "nir_sample_graph.h"
#include "sim/core/errors.h"
#include "temp_dir.h"

namespace snn::io {
namespace {

using Shape = std::vector<std::int64_t>;

template <class F>
std::string error_text(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(NirWriter, RoundTripEveryNodeType) {
  test::TempDir dir;
  const NirGraph g = test::nir_sample_graph();
  write_nir(g, dir / "all.nir");
  const NirGraph back = read_nir(dir / "all.nir");
  EXPECT_EQ(back.version, kNirWriteVersion);
  ASSERT_EQ(back.nodes.size(), g.nodes.size());
  for (const NirNode& n : g.nodes) {
    const NirNode* m = back.find(n.name);
    ASSERT_NE(m, nullptr) << n.name;
    EXPECT_EQ(m->type, n.type) << n.name;
    for (const auto& kv : n.params)
      EXPECT_EQ(m->param(kv.first), kv.second) << n.name << "." << kv.first;
    EXPECT_EQ(m->params.size(), n.params.size()) << n.name;
    EXPECT_TRUE(m->defaulted.empty()) << n.name;
  }
  EXPECT_EQ(back.edges, g.edges);
  EXPECT_EQ(back, g);  // also metadata and the nested graph
  EXPECT_EQ(back.at("lif").param("tau").dtype, NirDType::Float16);
  EXPECT_EQ(back.at("conv2").param("padding").text, "same");
  EXPECT_EQ(back.at("conv2").metadata.at("note").text, "a 3x3 kernel");
  EXPECT_EQ(back.metadata.at("dt").values[0], 1e-4);
  EXPECT_EQ(back.at("sum").output_type, (Shape{2, 2, 2}));
  EXPECT_EQ(back.at("conv1").output_type, (Shape{2, 8}));
  EXPECT_EQ(back.at("sub").graph.at("s").param("scale").values, (std::vector<double>{-1, 1}));
}

TEST(NirWriter, LayoutNirPythonReads) {
  test::TempDir dir;
  NirGraph g;
  g.nodes.push_back(test::nir_node("in", NirNodeType::Input, {{"shape", NirArray::integers({2})}}));
  write_nir(g, dir / "lone.nir");
  hid_t f = H5Fopen((dir / "lone.nir").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  auto type_class = [&](const char* path, hsize_t* dims, int* rank, bool* vlen) {
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t t = H5Dget_type(ds);
    hid_t s = H5Dget_space(ds);
    *rank = H5Sget_simple_extent_dims(s, dims, nullptr);
    *vlen = H5Tis_variable_str(t) > 0;
    H5T_class_t c = H5Tget_class(t);
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(ds);
    return c;
  };
  hsize_t dims[4] = {0, 0, 0, 0};
  int rank = -1;
  bool vlen = false;
  EXPECT_EQ(type_class("/version", dims, &rank, &vlen), H5T_STRING);
  EXPECT_TRUE(vlen);
  EXPECT_EQ(rank, 0);
  EXPECT_EQ(type_class("/node/type", dims, &rank, &vlen), H5T_STRING);
  EXPECT_EQ(type_class("/node/nodes/in/type", dims, &rank, &vlen), H5T_STRING);
  EXPECT_EQ(type_class("/node/nodes/in/shape", dims, &rank, &vlen), H5T_INTEGER);
  // An empty edge list as h5py writes one: float64, shape (0,).
  EXPECT_EQ(type_class("/node/edges", dims, &rank, &vlen), H5T_FLOAT);
  EXPECT_EQ(rank, 1);
  EXPECT_EQ(dims[0], 0u);
  EXPECT_EQ(H5Lexists(f, "/node/metadata", H5P_DEFAULT), 0);  // no empty metadata group
  H5Fclose(f);
  EXPECT_EQ(read_nir(dir / "lone.nir"), g);
}

TEST(NirWriter, ParametersNirHasNoNameForGoUnderMetadata) {
  test::TempDir dir;
  NirGraph g;
  NirNode in = test::nir_node("in", NirNodeType::Input, {{"shape", NirArray::integers({2})}});
  in.params["spikingjelly_note"] = NirArray::string("extra");
  g.nodes.push_back(in);
  write_nir(g, dir / "x.nir");
  const NirGraph back = read_nir(dir / "x.nir");
  EXPECT_FALSE(back.at("in").has("spikingjelly_note"));
  EXPECT_EQ(back.at("in").metadata.at("spikingjelly_note").text, "extra");
}

TEST(NirWriter, MissingParameterAndDanglingEdgeAreRefused) {
  test::TempDir dir;
  NirGraph g = test::nir_sample_graph();
  g.find("lif")->params.erase("v_threshold");
  std::string msg = error_text([&] { write_nir(g, dir / "bad.nir"); });
  EXPECT_NE(msg.find("node 'lif' (LIF)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("v_threshold"), std::string::npos) << msg;
  g = test::nir_sample_graph();
  g.edges.push_back({"lif", "nowhere"});
  msg = error_text([&] { write_nir(g, dir / "bad.nir"); });
  EXPECT_NE(msg.find("no node named 'nowhere'"), std::string::npos) << msg;
  g = test::nir_sample_graph();
  g.find("aff")->params["weight"].shape = {3, 4};  // 12 values claimed, 24 stored
  msg = error_text([&] { write_nir(g, dir / "bad.nir"); });
  EXPECT_FALSE(msg.empty());
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.nir"));
}

TEST(NirWriter, AtomicReplaceAndMissingFolder) {
  test::TempDir dir;
  const std::string path = dir / "m.nir";
  std::ofstream(path) << "old";
  write_nir(test::nir_sample_graph(), path);
  EXPECT_EQ(read_nir(path).nodes.size(), test::nir_sample_graph().nodes.size());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.str())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);  // no temporary left beside it
  EXPECT_THROW(write_nir(test::nir_sample_graph(), dir / "no/such/folder/m.nir"), IoError);
}

// ---- NIR's Python reader ----------------------------------------------------------------------

std::string q(const std::string& s) {
  return test::shell_quote(s);
}

/// `value` broadcast over `ref`'s elements (NIR's Python writer widens scalars, e.g. w_in).
bool same_values(const NirArray& ref, const NirArray& got) {
  if (ref.is_string() || got.is_string())
    return ref.is_string() && got.is_string() && ref.text == got.text;
  if (got.size() != ref.size() && ref.size() != 1) return false;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got.values[i] != ref.values[ref.size() == 1 ? 0 : i]) return false;
  return true;
}

void expect_same_values(const NirGraph& ref, const NirGraph& got, const std::string& path) {
  ASSERT_EQ(got.nodes.size(), ref.nodes.size()) << path;
  EXPECT_EQ(got.edges, ref.edges) << path;
  for (const NirNode& n : ref.nodes) {
    const NirNode* m = got.find(n.name);
    ASSERT_NE(m, nullptr) << path << n.name;
    EXPECT_EQ(m->type, n.type);
    for (const auto& kv : n.params) {
      ASSERT_TRUE(m->has(kv.first)) << path << n.name << "." << kv.first;
      EXPECT_TRUE(same_values(kv.second, m->param(kv.first))) << path << n.name << "." << kv.first;
    }
    for (const auto& kv : n.metadata) {
      ASSERT_TRUE(m->metadata.count(kv.first)) << path << n.name << ".metadata." << kv.first;
      EXPECT_TRUE(same_values(kv.second, m->metadata.at(kv.first)));
    }
    if (n.type == NirNodeType::NIRGraph) expect_same_values(n.graph, m->graph, path + n.name + ".");
  }
}

TEST(NirPython, NirReadsEveryNodeTypeAsWeWroteIt) {
  const test::NirPython py;
  if (!py.why_not.empty()) GTEST_SKIP() << py.why_not;
  test::TempDir dir;
  const NirGraph g = test::nir_sample_graph();
  write_nir(g, dir / "ours.nir");
  // Ours -> nir.read -> nir.write -> our reader: NIR's Python saw every parameter we meant.
  std::string out;
  ASSERT_EQ(py.run("rewrite " + q(dir / "ours.nir") + " " + q(dir / "py.nir"), out), 0) << out;
  std::printf("%s", out.c_str());
  const NirGraph back = read_nir(dir / "py.nir");
  expect_same_values(g, back, "");
  EXPECT_EQ(back.metadata.at("producer").text, "snn tests");
}

TEST(NirPython, ForeignFilesThroughOurReaderAndWriterIntoNir) {
  const test::NirPython py;
  if (!py.why_not.empty()) GTEST_SKIP() << py.why_not;
  const std::string data = std::string(SNN_SHARED_DATA_DIR) + "/nir";
  const char* files[] = {"lif_norse.nir", "cnn_sinabs.nir", "braille_noDelay_bias_zero.nir",
                         "two_lif_neurons.nir"};
  test::TempDir dir;
  int tested = 0;
  for (const char* name : files) {
    const std::string src = data + "/" + name;
    if (!std::ifstream(src)) continue;
    const std::string ours = dir / name;
    write_nir(read_nir(src), ours);
    std::string out;
    EXPECT_EQ(py.run("compare " + q(src) + " " + q(ours), out), 0) << out;
    std::printf("%s", out.c_str());
    ++tested;
  }
  if (tested == 0) GTEST_SKIP() << "no shared NIR files in " << data;
}

}  // namespace
}  // namespace snn::io
