// SONATA circuits as input: a small circuit written here with the HDF5 C API following the
// SONATA spec (two node types of iaf_psc_alpha and virtual input nodes, two edge populations, a
// spike input file) gives the spikes of the same network written as a JSON network file; bad
// circuits give one error naming the file and the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "io/hdf5_handle.h"
#include "sim/network_file.h"
#include "sim/recording/recorder.h"
#include "sim/sonata/circuit_network.h"
#include "tests/sim/sim_test_util.h"

namespace snn::sim {
namespace {

namespace fs = std::filesystem;
namespace h5 = io::h5;

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

template <class T>
h5::Handle dataset(hid_t g, const std::string& name, const std::vector<T>& v, hid_t file_type,
                   hid_t mem_type) {
  return h5::write_dataset(g, name, file_type, mem_type,
                           std::vector<hsize_t>{static_cast<hsize_t>(v.size())}, v.data());
}

struct Edge {
  std::uint64_t s, t;
  std::int64_t type;
};

/// The circuit: population "net" of 30 nodes (types 100: exc, 101: inh, interleaved), "input"
/// of 4 virtual nodes; edges input -> net (type 0) and net -> net (types 1, 2).
struct TestCircuit {
  fs::path dir;
  std::vector<std::int64_t> net_types;
  std::vector<Edge> in_edges, rec_edges;
  std::vector<double> spike_t;
  std::vector<std::uint64_t> spike_id;
  std::string types_csv =
      "node_type_id model_type model_template dynamics_params pop_name\n"
      "100 point_process nest:iaf_psc_alpha exc.json exc\n"
      "101 point_process nest:iaf_psc_alpha inh.json inh\n"
      "200 virtual NULL NULL input\n";
  bool bad_target_size = false;

  explicit TestCircuit(const std::string& name) : dir(fs::path(::testing::TempDir()) / name) {
    fs::remove_all(dir);
    for (int i = 0; i < 30; ++i) net_types.push_back(i % 5 == 4 ? 101 : 100);
    for (std::uint64_t i = 0; i < 4; ++i)
      for (std::uint64_t t = i; t < 30; t += 3) in_edges.push_back({i, t, 0});
    for (std::uint64_t s = 0; s < 30; ++s)
      for (std::uint64_t k = 1; k <= 4; ++k)
        rec_edges.push_back({s, (s * 7 + k * 11) % 30, net_types[s] == 100 ? 1 : 2});
    for (int k = 0; k < 40; ++k) {
      spike_t.push_back(5.0 + 4.0 * k + 0.03 * (k % 3));  // off the grid: rounded
      spike_id.push_back(k % 4);
    }
  }

  void write() const {
    write_text(dir / "components/point_neuron_models/exc.json",
               "{\"V_th\": -55.0, \"tau_syn_ex\": 2.0, \"C_m\": 250.0, \"V_m\": -65.0}");
    write_text(dir / "components/point_neuron_models/inh.json",
               "{\"V_th\": -54.0, \"tau_m\": 8.0, \"I_e\": 100.0}");
    write_text(dir / "network/node_types.csv", types_csv);
    write_text(dir / "network/edge_types.csv",
               "edge_type_id syn_weight delay model_template dynamics_params nsyns\n"
               "0 450.0 1.0 static_synapse NULL 2\n"
               "1 120.0 1.5 static_synapse NULL 1\n"
               "2 -300.0 0.8 static_synapse NULL 1\n");
    h5::quiet_errors();
    {
      h5::Handle f = h5::create_file((dir / "network/nodes.h5").string());
      h5::Handle nodes = h5::create_group(f, "nodes");
      h5::Handle net = h5::create_group(nodes, "net");
      dataset(net, "node_type_id", net_types, H5T_STD_I64LE, H5T_NATIVE_INT64);
      std::vector<std::int64_t> zeros(30, 0), index(30);
      for (int i = 0; i < 30; ++i) index[i] = i;
      dataset(net, "node_group_id", zeros, H5T_STD_I64LE, H5T_NATIVE_INT64);
      dataset(net, "node_group_index", index, H5T_STD_I64LE, H5T_NATIVE_INT64);
      h5::Handle in = h5::create_group(nodes, "input");
      dataset(in, "node_type_id", std::vector<std::int64_t>(4, 200), H5T_STD_I64LE,
              H5T_NATIVE_INT64);
    }
    {
      h5::Handle f = h5::create_file((dir / "network/edges.h5").string());
      h5::Handle edges = h5::create_group(f, "edges");
      auto write_pop = [&](const char* name, const char* src_pop, const std::vector<Edge>& e,
                           bool per_edge_weight) {
        h5::Handle g = h5::create_group(edges, name);
        std::vector<std::uint64_t> s, t;
        std::vector<std::int64_t> type, gid, gidx;
        for (std::size_t i = 0; i < e.size(); ++i) {
          s.push_back(e[i].s), t.push_back(e[i].t), type.push_back(e[i].type);
          gid.push_back(0), gidx.push_back(static_cast<std::int64_t>(i));
        }
        if (bad_target_size) t.pop_back();
        h5::Handle ds = dataset(g, "source_node_id", s, H5T_STD_U64LE, H5T_NATIVE_UINT64);
        h5::set_attr(ds, "node_population", std::string(src_pop));
        h5::Handle dt = dataset(g, "target_node_id", t, H5T_STD_U64LE, H5T_NATIVE_UINT64);
        h5::set_attr(dt, "node_population", std::string("net"));
        dataset(g, "edge_type_id", type, H5T_STD_I64LE, H5T_NATIVE_INT64);
        dataset(g, "edge_group_id", gid, H5T_STD_I64LE, H5T_NATIVE_INT64);
        dataset(g, "edge_group_index", gidx, H5T_STD_I64LE, H5T_NATIVE_INT64);
        if (per_edge_weight) {  // per-edge weights override the type's
          h5::Handle g0 = h5::create_group(g, "0");
          std::vector<double> w;
          for (const Edge& x : e) w.push_back(x.type == 1 ? 100.0 + x.t : -250.0 - x.s);
          dataset(g0, "syn_weight", w, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
        }
      };
      write_pop("input_to_net", "input", in_edges, false);
      write_pop("net_to_net", "net", rec_edges, true);
    }
    fs::create_directories(dir / "inputs");
    {
      h5::Handle f = h5::create_file((dir / "inputs/spikes.h5").string());
      h5::Handle g = h5::create_group(f, "spikes");
      h5::Handle p = h5::create_group(g, "input");
      dataset(p, "timestamps", spike_t, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
      dataset(p, "node_ids", spike_id, H5T_STD_U64LE, H5T_NATIVE_UINT64);
    }
    write_text(dir / "circuit_config.json", R"({
      "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network"},
      "components": {"point_neuron_models_dir": "$BASE_DIR/components/point_neuron_models"},
      "networks": {
        "nodes": [{"nodes_file": "$NETWORK_DIR/nodes.h5", "node_types_file": "$NETWORK_DIR/node_types.csv"}],
        "edges": [{"edges_file": "$NETWORK_DIR/edges.h5", "edge_types_file": "$NETWORK_DIR/edge_types.csv"}]
      },
      "run": {"tstop": 150.0, "dt": 0.1},
      "inputs": {"lgn": {"input_type": "spikes", "module": "h5",
                         "input_file": "$BASE_DIR/inputs/spikes.h5", "node_set": "input"}}
    })");
  }
  std::string config() const { return (dir / "circuit_config.json").string(); }

  /// The same network as our JSON network file, the node-to-population mapping done here.
  std::string as_json() const {
    std::vector<std::uint32_t> local(30);
    std::uint32_t ne = 0, ni = 0;
    for (int i = 0; i < 30; ++i) local[i] = net_types[i] == 100 ? ne++ : ni++;
    auto pop = [&](std::uint64_t i) { return net_types[i] == 100 ? "net.100" : "net.101"; };
    std::ostringstream j;
    j << "{\"dt\": 0.1, \"t_stop\": 150, \"populations\": [\n";
    j << "{\"name\": \"net.100\", \"model\": \"iaf_psc_alpha\", \"size\": " << ne
      << ", \"params\": {\"v_th\": -55, \"tau_syn_ex\": 2, \"c_m\": 250}, \"v_init\": -65},\n";
    j << "{\"name\": \"net.101\", \"model\": \"iaf_psc_alpha\", \"size\": " << ni
      << ", \"params\": {\"v_th\": -54, \"tau_m\": 8, \"i_e\": 100}},\n";
    j << "{\"name\": \"input\", \"model\": \"spike_generator\", \"size\": 4, \"spikes\": [";
    for (std::size_t k = 0; k < spike_t.size(); ++k)
      j << (k ? ", " : "") << "[" << spike_id[k] << ", " << std::round(spike_t[k] * 10) / 10 << "]";
    j << "]}],\n\"projections\": [\n";
    bool first = true;
    for (const char* src : {"net.100", "net.101", "input"})
      for (const char* tgt : {"net.100", "net.101"}) {
        std::ostringstream pairs;
        int n = 0;
        const bool from_input = std::string(src) == "input";
        for (const Edge& e : from_input ? in_edges : rec_edges) {
          if (!from_input && std::string(pop(e.s)) != src) continue;
          if (std::string(pop(e.t)) != tgt) continue;
          const double w = e.type == 0 ? 900.0 : e.type == 1 ? 100.0 + e.t : -250.0 - e.s;
          const double d = e.type == 0 ? 1.0 : e.type == 1 ? 1.5 : 0.8;
          pairs << (n++ ? ", " : "") << "[" << (from_input ? e.s : local[e.s]) << ", " << local[e.t]
                << ", " << w << ", " << d << "]";
        }
        if (!n) continue;
        j << (first ? "" : ",\n") << "{\"source\": \"" << src << "\", \"target\": \"" << tgt
          << "\", \"rule\": \"list\", \"pairs\": [" << pairs.str() << "]}";
        first = false;
      }
    j << "]}\n";
    return j.str();
  }
};

std::map<std::string, test::SpikeTrain> run(const NetworkDescription& d) {
  Network net(SimConfig{0.1, 1});
  d.apply(net);
  return test::run_and_collect(net, *d.t_stop_ms);
}

TEST(SonataCircuit, SpikesEqualThoseOfTheSameNetworkAsAJsonFile) {
  TestCircuit c("sonata_equal");
  c.write();
  ASSERT_TRUE(sonata::is_sonata_config(c.config()));
  const NetworkDescription from_sonata = sonata::read_sonata_network(c.config(), 0.1);
  ASSERT_EQ(from_sonata.populations.size(), 3u);
  const NetworkDescription from_json = parse_network_json(c.as_json(), "same.json");
  auto a = run(from_sonata), b = run(from_json);
  std::size_t n = 0;
  for (auto& [k, v] : a) n += v.size();
  EXPECT_GT(a["net.100"].size(), 20u);
  EXPECT_GT(a["net.101"].size(), 5u);
  EXPECT_EQ(a, b);
  EXPECT_GT(n, 60u);
}

// Circuit in, spikes out as bmtk expects: the output file names the circuit's node population
// ("net", split here by node type into net.100 and net.101) and its node ids.
TEST(SonataCircuit, OutputSpikesCarryTheCircuitsPopulationAndNodeIds) {
  TestCircuit c("sonata_round_trip");
  c.write();
  const NetworkDescription d = sonata::read_sonata_network(c.config(), 0.1);
  ASSERT_EQ(d.file_names.at("net.100").population, "net");
  const std::string out = (c.dir / "out.h5").string();
  Recorder rec(out, true);
  for (const auto& [population, name] : d.file_names) rec.set_file_name(population, name);
  Network net(SimConfig{0.1, 1});
  d.apply(net);
  net.run(*d.t_stop_ms, &rec);
  rec.close();
  // Expected: our spikes with local indices turned into circuit node ids.
  std::vector<std::uint64_t> id_of[2];
  for (std::uint64_t i = 0; i < 30; ++i) id_of[c.net_types[i] == 100 ? 0 : 1].push_back(i);
  std::multiset<std::pair<double, std::uint64_t>> expected, got;
  for (int k = 0; k < 2; ++k) {
    const Recorder::Spikes& s = rec.spikes().at(k == 0 ? "net.100" : "net.101");
    for (std::size_t j = 0; j < s.node_ids.size(); ++j)
      expected.insert({s.times_ms[j], id_of[k].at(s.node_ids[j])});
  }
  ASSERT_GT(expected.size(), 25u);
  h5::Handle f = h5::open_file_read(out);
  EXPECT_FALSE(h5::exists(f, "spikes/net.100"));
  h5::Handle ts(H5Dopen2(f, "spikes/net/timestamps", H5P_DEFAULT));
  h5::Handle ids(H5Dopen2(f, "spikes/net/node_ids", H5P_DEFAULT));
  ASSERT_TRUE(ts.valid() && ids.valid());
  const hsize_t n = h5::dataset_dims(ts).at(0);
  std::vector<double> t(n);
  std::vector<std::uint64_t> id(n);
  h5::read_dataset(ts, H5T_NATIVE_DOUBLE, t.data(), "timestamps");
  h5::read_dataset(ids, H5T_NATIVE_UINT64, id.data(), "node_ids");
  for (hsize_t k = 0; k < n; ++k) got.insert({t[k], id[k]});
  EXPECT_EQ(got, expected);
}

std::string error_of(const TestCircuit& c) {
  try {
    sonata::read_sonata_network(c.config(), 0.1);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SonataCircuit, BadInputNamesTheFileAndTheField) {
  {
    TestCircuit c("sonata_missing");
    c.write();
    fs::remove(c.dir / "network/edges.h5");
    const std::string e = error_of(c);
    EXPECT_NE(e.find("edges.h5"), std::string::npos) << e;
  }
  {
    TestCircuit c("sonata_template");
    c.types_csv =
        "node_type_id model_type model_template dynamics_params\n"
        "100 point_process nest:iaf_foo exc.json\n101 point_process nest:iaf_psc_alpha "
        "inh.json\n200 virtual NULL NULL\n";
    c.write();
    const std::string e = error_of(c);
    EXPECT_NE(e.find("node_types.csv: node_type_id 100: model_template: unknown model_template "
                     "'nest:iaf_foo'"),
              std::string::npos)
        << e;
  }
  {
    TestCircuit c("sonata_node");
    c.rec_edges.push_back({3, 31, 1});
    c.write();
    const std::string e = error_of(c);
    EXPECT_NE(e.find("edges.h5: /edges/net_to_net/target_node_id: edge"), std::string::npos) << e;
    EXPECT_NE(e.find("goes to node 31, net has 30 nodes"), std::string::npos) << e;
  }
  {
    TestCircuit c("sonata_sizes");
    c.bad_target_size = true;
    c.write();
    const std::string e = error_of(c);
    EXPECT_NE(e.find("/edges/input_to_net/target_node_id:"), std::string::npos) << e;
    EXPECT_NE(e.find("entries, source_node_id has"), std::string::npos) << e;
  }
  {
    TestCircuit c("sonata_param");
    c.write();
    write_text(c.dir / "components/point_neuron_models/exc.json", "{\"V_thresh\": -50}");
    const std::string e = error_of(c);
    EXPECT_NE(e.find("exc.json: V_thresh: unknown parameter of iaf_psc_alpha"), std::string::npos)
        << e;
  }
}

}  // namespace
}  // namespace snn::sim
