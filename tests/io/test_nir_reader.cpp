// NIR reader: the shared files from the NIR paper's repository (skipped when absent), the lenient
// variants real files show (written here with the HDF5 C API), and the strict errors.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "io/nir/nir_graph.h"
#include "io/nir/nir_params.h"
#include "nir_test_file.h"
#include "sim/core/errors.h"
#include "temp_dir.h"

namespace snn::io {
namespace {

using Shape = std::vector<std::int64_t>;

std::string shared_nir(const std::string& name) {
  return std::string(SNN_SHARED_DATA_DIR) + "/nir/" + name;
}
bool have(const std::string& path) {
  return bool(std::ifstream(path));
}
#define REQUIRE_SHARED(path) \
  if (!have(path))           \
  GTEST_SKIP() << "no " << path << " (the shared NIR files are not on this machine)"

bool has_edge(const NirGraph& g, const std::string& a, const std::string& b) {
  for (const auto& e : g.edges)
    if (e.source == a && e.target == b) return true;
  return false;
}

/// The message of the FormatError `f` throws ("" if it throws none).
template <class F>
std::string format_error(F&& f) {
  try {
    f();
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

// ---- the shared files -------------------------------------------------------------------------

TEST(NirReader, LifNorseOldLayoutWithoutVReset) {
  const std::string path = shared_nir("lif_norse.nir");
  REQUIRE_SHARED(path);
  NirGraph g = read_nir(path);
  EXPECT_EQ(g.version, "0.1.1");
  ASSERT_EQ(g.nodes.size(), 4u);
  const NirNode& lif = g.at("1");
  EXPECT_EQ(lif.type, NirNodeType::LIF);
  EXPECT_EQ(lif.param("tau").dtype, NirDType::Float32);
  EXPECT_EQ(lif.param("tau").shape, Shape{1});
  EXPECT_EQ(lif.param("tau").values[0], double(0.0025f));
  EXPECT_EQ(lif.param("v_threshold").values[0], double(0.1f));
  // v_reset is absent in NIR 0.1 files: zeros shaped and typed like v_threshold.
  ASSERT_EQ(lif.defaulted, std::vector<std::string>{"v_reset"});
  EXPECT_EQ(lif.param("v_reset"), NirArray::tensor({1}, {0.0}, NirDType::Float32));
  EXPECT_EQ(g.at("0").type, NirNodeType::Affine);
  EXPECT_EQ(g.at("0").param("weight").shape, (Shape{1, 1}));
  ASSERT_EQ(g.edges.size(), 3u);
  EXPECT_TRUE(has_edge(g, "input", "0") && has_edge(g, "0", "1") && has_edge(g, "1", "output"));
  EXPECT_EQ(g.at("1").input_type, Shape{1});
  EXPECT_EQ(g.at("output").input_type, Shape{1});
}

TEST(NirReader, SinabsCnnShapesInferredAlongTheEdges) {
  const std::string path = shared_nir("cnn_sinabs.nir");
  REQUIRE_SHARED(path);
  NirGraph g = read_nir(path);
  EXPECT_EQ(g.nodes.size(), 15u);
  EXPECT_EQ(g.edges.size(), 14u);
  const NirNode& c0 = g.at("0");
  EXPECT_EQ(c0.type, NirNodeType::Conv2d);
  EXPECT_EQ(c0.param("weight").shape, (Shape{16, 2, 5, 5}));
  EXPECT_EQ(c0.param("weight").values[0], double(-0.2573422f));
  EXPECT_EQ(nir_ints(c0, "stride", 2), (Shape{2, 2}));
  EXPECT_EQ(c0.param("groups").dtype, NirDType::Int64);
  // 34x34, kernel 5, stride 2, padding 1: floor((34 + 2 - 4 - 1) / 2) + 1 = 16.
  EXPECT_EQ(c0.input_type, (Shape{2, 34, 34}));
  EXPECT_EQ(c0.output_type, (Shape{16, 16, 16}));
  EXPECT_EQ(g.at("1").type, NirNodeType::IF);
  EXPECT_EQ(g.at("1").param("r").shape, (Shape{16, 16, 16}));
  EXPECT_EQ(g.at("4").type, NirNodeType::SumPool2d);
  EXPECT_EQ(g.at("4").output_type, (Shape{16, 8, 8}));
  EXPECT_EQ(g.at("7").output_type, (Shape{8, 4, 4}));
  EXPECT_EQ(g.at("8").type, NirNodeType::Flatten);
  EXPECT_EQ(g.at("8").output_type, Shape{128});
  EXPECT_EQ(g.at("11").param("weight").shape, (Shape{10, 256}));
  EXPECT_EQ(g.at("output").input_type, Shape{10});
  EXPECT_TRUE(has_edge(g, "input", "0") && has_edge(g, "12", "output"));
}

TEST(NirReader, BrailleDottedNamesAndRecurrence) {
  const std::string path = shared_nir("braille_noDelay_bias_zero.nir");
  REQUIRE_SHARED(path);
  NirGraph g = read_nir(path);
  const NirNode& lif = g.at("lif1.lif");  // a flat node whose name has a dot, not a subgraph
  EXPECT_EQ(lif.type, NirNodeType::CubaLIF);
  EXPECT_EQ(lif.param("tau_mem").shape, Shape{38});
  EXPECT_EQ(lif.param("tau_mem").values[0], 0.0009999997615814777);
  EXPECT_EQ(lif.param("w_in").values[0], 2.2222222810910086);
  EXPECT_EQ(lif.defaulted, std::vector<std::string>{"v_reset"});
  EXPECT_EQ(g.at("lif1.w_rec").param("weight").values[2 * 38 + 5], double(0.7951539754867554f));
  EXPECT_EQ(g.at("fc1").param("weight").values[1 * 12 + 3], double(-0.32375115156173706f));
  EXPECT_EQ(g.edges.size(), 7u);
  EXPECT_TRUE(has_edge(g, "lif1.lif", "lif1.w_rec") && has_edge(g, "lif1.w_rec", "lif1.lif"));
  EXPECT_EQ(resolve_endpoint(g, "lif1.lif").inner, "");
  EXPECT_EQ(g.at("lif2").output_type, Shape{7});
}

TEST(NirReader, TwoLifNeurons) {
  const std::string path = shared_nir("two_lif_neurons.nir");
  REQUIRE_SHARED(path);
  NirGraph g = read_nir(path);
  EXPECT_EQ(g.at("lif1").param("v_leak").values[0], 1.2);
  EXPECT_EQ(g.at("lif2").param("v_threshold").values[0], 20.0);
  EXPECT_EQ(g.at("linear1").type, NirNodeType::Linear);
  EXPECT_EQ(g.edges.size(), 5u);
  EXPECT_TRUE(has_edge(g, "in", "linear1") && has_edge(g, "lif2", "out"));
}

// ---- lenient variants -------------------------------------------------------------------------

/// input [3] -> lin (Linear 2x3) -> lif (LIF, 2) -> output [2], with knobs for the variants.
struct Chain {
  bool fixed_strings = false;
  bool version = true;
  bool v_reset = true;
  bool deflate = false;
  hid_t weight_type = H5T_IEEE_F64LE;
  hid_t tau_type = H5T_IEEE_F64LE;

  void write(const std::string& path) const {
    test::NirTestFile f(path);
    if (version) f.str("/version", "1.0.7", fixed_strings);
    f.str("/node/type", "NIRGraph", fixed_strings);
    f.str("/node/nodes/input/type", "Input", fixed_strings);
    f.vec("/node/nodes/input/shape", {3}, H5T_STD_I64LE);
    f.str("/node/nodes/lin/type", "Linear", fixed_strings);
    f.num("/node/nodes/lin/weight", {2, 3}, {1, 2, 3, -4, 5, 6}, weight_type, deflate);
    f.str("/node/nodes/lif/type", "LIF", fixed_strings);
    f.vec("/node/nodes/lif/tau", {0.5, 0.25}, tau_type);
    f.vec("/node/nodes/lif/r", {1, 1});
    f.vec("/node/nodes/lif/v_leak", {0, 0});
    f.vec("/node/nodes/lif/v_threshold", {1, 2}, H5T_IEEE_F32LE);
    if (v_reset) f.vec("/node/nodes/lif/v_reset", {-1, -1});
    f.str("/node/nodes/output/type", "Output", fixed_strings);
    f.vec("/node/nodes/output/shape", {2}, H5T_STD_I32LE);
    f.edges("/node/edges", {{"input", "lin"}, {"lin", "lif"}, {"lif", "output"}}, fixed_strings);
  }
};

TEST(NirReader, FixedLengthStringsNoVersionNoVResetFloat16IntegersDeflate) {
  test::TempDir dir;
  Chain c;
  c.fixed_strings = true;
  c.version = false;
  c.v_reset = false;
  c.deflate = true;
  c.weight_type = H5T_STD_I32LE;
  c.tau_type = test::NirTestFile::float16();
  c.write(dir / "chain.nir");
  NirGraph g = read_nir(dir / "chain.nir");
  EXPECT_EQ(g.version, "");
  const NirArray& w = g.at("lin").param("weight");
  EXPECT_EQ(w.dtype, NirDType::Int64);
  EXPECT_EQ(w.shape, (Shape{2, 3}));
  EXPECT_EQ(w.values, (std::vector<double>{1, 2, 3, -4, 5, 6}));
  const NirArray& tau = g.at("lif").param("tau");
  EXPECT_EQ(tau.dtype, NirDType::Float16);
  EXPECT_EQ(tau.values, (std::vector<double>{0.5, 0.25}));  // exact in half precision
  EXPECT_EQ(g.at("lif").param("v_reset"), NirArray::tensor({2}, {0, 0}, NirDType::Float32));
  EXPECT_EQ(g.at("output").param("shape").values, std::vector<double>{2});
  EXPECT_EQ(g.edges.size(), 3u);
  EXPECT_EQ(g.at("lif").input_type, Shape{2});
}

TEST(NirReader, VlenStringsAndStoredVReset) {
  test::TempDir dir;
  Chain c;
  c.write(dir / "chain.nir");
  NirGraph g = read_nir(dir / "chain.nir");
  EXPECT_EQ(g.version, "1.0.7");
  EXPECT_TRUE(g.at("lif").defaulted.empty());
  EXPECT_EQ(g.at("lif").param("v_reset").values, (std::vector<double>{-1, -1}));
}

TEST(NirReader, ConvScalarStrideStringPaddingPoolFlattenWithoutTypes) {
  test::TempDir dir;
  const std::string path = dir / "conv.nir";
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/input/type", "Input");
    f.vec("/node/nodes/input/shape", {1, 6, 5}, H5T_STD_I64LE);
    f.str("/node/nodes/conv/type", "Conv2d");  // no input_shape: inferred from the edge
    f.num("/node/nodes/conv/weight", {4, 1, 3, 3}, std::vector<double>(36, 0.5), H5T_IEEE_F32LE);
    f.scalar("/node/nodes/conv/stride", 1, H5T_STD_I64LE);
    f.str("/node/nodes/conv/padding", "same");
    f.scalar("/node/nodes/conv/dilation", 1, H5T_STD_I64LE);
    f.scalar("/node/nodes/conv/groups", 1, H5T_STD_I64LE);
    f.vec("/node/nodes/conv/bias", {0, 0, 0, 0});
    f.str("/node/nodes/pool/type", "AvgPool2d");
    f.scalar("/node/nodes/pool/kernel_size", 2, H5T_STD_I64LE);
    f.vec("/node/nodes/pool/stride", {2, 1}, H5T_STD_I64LE);
    f.scalar("/node/nodes/pool/padding", 0, H5T_STD_I64LE);
    f.str("/node/nodes/if/type", "IF");  // scalar parameters: the shape comes from the edge
    f.scalar("/node/nodes/if/r", 1);
    f.scalar("/node/nodes/if/v_threshold", 1);
    f.str("/node/nodes/flat/type", "Flatten");
    f.scalar("/node/nodes/flat/start_dim", 0, H5T_STD_I64LE);
    f.scalar("/node/nodes/flat/end_dim", -1, H5T_STD_I64LE);
    f.str("/node/nodes/output/type", "Output");
    f.vec("/node/nodes/output/shape", {48}, H5T_STD_I64LE);
    f.edges(
        "/node/edges",
        {{"input", "conv"}, {"conv", "pool"}, {"pool", "if"}, {"if", "flat"}, {"flat", "output"}});
  }
  NirGraph g = read_nir(path);
  const NirNode& conv = g.at("conv");
  EXPECT_EQ(conv.param("stride").shape, Shape{});  // kept as stored
  EXPECT_EQ(nir_ints(conv, "stride", 2), (Shape{1, 1}));
  const NirPadding p = nir_padding(conv, {3, 3}, {1, 1});
  EXPECT_EQ(p.before, (Shape{1, 1}));
  EXPECT_EQ(conv.output_type, (Shape{4, 6, 5}));          // 'same'
  EXPECT_EQ(g.at("pool").output_type, (Shape{4, 3, 4}));  // kernel 2, strides (2, 1)
  EXPECT_EQ(g.at("if").output_type, (Shape{4, 3, 4}));
  EXPECT_EQ(g.at("if").param("v_reset"), NirArray::scalar(0.0));
  EXPECT_EQ(g.at("flat").output_type, Shape{48});
}

TEST(NirReader, EmptyEdgesAsFloat64CubaDefaultsAndMetadata) {
  test::TempDir dir;
  const std::string path = dir / "lone.nir";
  {
    test::NirTestFile f(path);
    f.str("/version", "1.0.0");
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/n/type", "CubaLI");
    f.vec("/node/nodes/n/tau_mem", {0.02, 0.03});
    f.vec("/node/nodes/n/tau_syn", {0.005, 0.005});
    f.vec("/node/nodes/n/r", {1, 1});
    f.vec("/node/nodes/n/v_leak", {0, 0});
    f.str("/node/nodes/n/metadata/author", "test");
    f.scalar("/node/nodes/n/metadata/dt", 1e-4);
    f.num("/node/edges", {0}, {});  // what h5py writes for an empty list
    f.str("/node/metadata/source", "nir_test_file.h");
  }
  NirGraph g = read_nir(path);
  EXPECT_TRUE(g.edges.empty());
  const NirNode& n = g.at("n");
  EXPECT_EQ(n.param("w_in"), NirArray::vector({1, 1}));
  EXPECT_EQ(n.metadata.at("author").text, "test");
  EXPECT_EQ(n.metadata.at("dt").values[0], 1e-4);
  EXPECT_EQ(g.metadata.at("source").text, "nir_test_file.h");
  EXPECT_EQ(n.output_type, Shape{2});
}

TEST(NirReader, NestedGraphAddressedAsGraphDotNode) {
  test::TempDir dir;
  const std::string path = dir / "nested.nir";
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/input/type", "Input");
    f.vec("/node/nodes/input/shape", {2}, H5T_STD_I64LE);
    f.str("/node/nodes/sub/type", "NIRGraph");
    f.str("/node/nodes/sub/nodes/input/type", "Input");
    f.vec("/node/nodes/sub/nodes/input/shape", {2}, H5T_STD_I64LE);
    f.str("/node/nodes/sub/nodes/s/type", "Scale");
    f.vec("/node/nodes/sub/nodes/s/scale", {2, 3});
    f.str("/node/nodes/sub/nodes/output/type", "Output");
    f.vec("/node/nodes/sub/nodes/output/shape", {2}, H5T_STD_I64LE);
    f.edges("/node/nodes/sub/edges", {{"input", "s"}, {"s", "output"}});
    f.str("/node/nodes/output/type", "Output");
    f.vec("/node/nodes/output/shape", {2}, H5T_STD_I64LE);
    f.edges("/node/edges", {{"input", "sub.input"}, {"sub.output", "output"}});
  }
  NirGraph g = read_nir(path);
  const NirNode& sub = g.at("sub");
  ASSERT_EQ(sub.type, NirNodeType::NIRGraph);
  EXPECT_EQ(sub.graph.nodes.size(), 3u);
  EXPECT_EQ(sub.graph.at("s").param("scale").values, (std::vector<double>{2, 3}));
  EXPECT_EQ(sub.input_type, Shape{2});
  const NirEndpoint ep = resolve_endpoint(g, "sub.input");
  EXPECT_EQ(ep.node, "sub");
  EXPECT_EQ(ep.inner, "input");
}

// ---- strict errors: one FormatError naming the file, the node and the field -------------------

TEST(NirReader, EdgeToAMissingNode) {
  test::TempDir dir;
  const std::string path = dir / "bad.nir";
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/input/type", "Input");
    f.vec("/node/nodes/input/shape", {2}, H5T_STD_I64LE);
    f.edges("/node/edges", {{"input", "ghost"}});
  }
  const std::string msg = format_error([&] { read_nir(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("edge 'input' -> 'ghost'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no node named 'ghost'"), std::string::npos) << msg;
}

TEST(NirReader, ShapeMismatchAlongAnEdge) {
  test::TempDir dir;
  const std::string path = dir / "bad.nir";
  Chain c;
  c.write(path);
  {  // the output now claims 3 neurons where the LIF gives 2
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, "/node/nodes/output/shape", H5P_DEFAULT);
    const hsize_t n = 1;
    const std::int64_t v = 3;
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t ds = H5Dcreate2(f, "/node/nodes/output/shape", H5T_STD_I64LE, space, H5P_DEFAULT,
                          H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
  }
  const std::string msg = format_error([&] { read_nir(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("edge 'lif' -> 'output': shape mismatch: 'lif' gives [2], 'output' takes [3]"),
            std::string::npos)
      << msg;
}

TEST(NirReader, UnknownNodeType) {
  test::TempDir dir;
  const std::string path = dir / "bad.nir";
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/x/type", "MaxPool2d");
    f.num("/node/edges", {0}, {});
  }
  const std::string msg = format_error([&] { read_nir(path); });
  EXPECT_NE(
      msg.find(path + ": node 'x' (MaxPool2d): field 'type': unknown NIR node type 'MaxPool2d'"),
      std::string::npos)
      << msg;
}

TEST(NirReader, MissingParameter) {
  test::TempDir dir;
  const std::string path = dir / "bad.nir";
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/lif/type", "LIF");
    f.vec("/node/nodes/lif/r", {1});
    f.vec("/node/nodes/lif/v_leak", {0});
    f.vec("/node/nodes/lif/v_threshold", {1});
    f.num("/node/edges", {0}, {});
  }
  const std::string msg = format_error([&] { read_nir(path); });
  EXPECT_NE(msg.find(path + ": node 'lif' (LIF): field 'tau': missing"), std::string::npos) << msg;
}

TEST(NirReader, BadStridesAndNeuronShapes) {
  test::TempDir dir;
  const std::string path = dir / "bad.nir";
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/p/type", "SumPool2d");
    f.vec("/node/nodes/p/kernel_size", {2, 2, 2}, H5T_STD_I64LE);
    f.vec("/node/nodes/p/stride", {2, 2}, H5T_STD_I64LE);
    f.vec("/node/nodes/p/padding", {0, 0}, H5T_STD_I64LE);
    f.num("/node/edges", {0}, {});
  }
  std::string msg = format_error([&] { read_nir(path); });
  EXPECT_NE(
      msg.find("node 'p' (SumPool2d): field 'kernel_size': expected a scalar or 2 values, got 3"),
      std::string::npos)
      << msg;
  {
    test::NirTestFile f(path);
    f.str("/node/type", "NIRGraph");
    f.str("/node/nodes/n/type", "IF");
    f.vec("/node/nodes/n/r", {1, 1, 1});
    f.vec("/node/nodes/n/v_threshold", {1, 1});
    f.num("/node/edges", {0}, {});
  }
  msg = format_error([&] { read_nir(path); });
  EXPECT_NE(msg.find("node 'n' (IF): field 'v_threshold': shape [2] differs from 'r' [3]"),
            std::string::npos)
      << msg;
}

TEST(NirReader, NotAFileOrNotHdf5) {
  test::TempDir dir;
  EXPECT_THROW(read_nir(dir / "absent.nir"), IoError);
  std::ofstream(dir / "text.nir") << "not hdf5";
  EXPECT_THROW(read_nir(dir / "text.nir"), FormatError);
  {
    test::NirTestFile f(dir / "empty.nir");
    f.group("/other");
  }
  const std::string msg = format_error([&] { read_nir(dir / "empty.nir"); });
  EXPECT_NE(msg.find("no /node group"), std::string::npos) << msg;
}

}  // namespace
}  // namespace snn::io
