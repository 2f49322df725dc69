"""SONATA circuits from Python: a circuit written here with h5py following the SONATA spec (two
node types of NEST's iaf_psc_alpha and virtual input nodes, two edge populations, per-edge
weights, a spike input file) loaded by snn.load_sonata gives the spikes of `snn-sim -network
circuit_config.json` on the same circuit, in one run or in pieces; bad circuits raise the
engine's error naming the file and the field."""

import json

import h5py
import numpy as np
import pytest

import snn
from conftest import binary, run

N, N_IN = 30, 4
TYPES_CSV = ("node_type_id model_type model_template dynamics_params pop_name\n"
             "100 point_process nest:iaf_psc_alpha exc.json exc\n"
             "101 point_process nest:iaf_psc_alpha inh.json inh\n"
             "200 virtual NULL NULL input\n")


def write_circuit(d, types_csv=TYPES_CSV, extra_edge=None, exc_json=None, tstop=150.0):
    """The circuit of tests/sim/test_sonata_circuit.cu: population 'net' of 30 nodes (type 101
    every fifth), 'input' of 4 virtual nodes driving every third node, 4 recurrent edges per
    node; type 1 (exc) edges with per-edge weights 100 + target, type 2 (inh) -250 - source."""
    (d / "components/point_neuron_models").mkdir(parents=True, exist_ok=True)
    (d / "network").mkdir(exist_ok=True)
    (d / "inputs").mkdir(exist_ok=True)
    (d / "components/point_neuron_models/exc.json").write_text(
        exc_json or json.dumps({"V_th": -55.0, "tau_syn_ex": 2.0, "C_m": 250.0, "V_m": -65.0}))
    (d / "components/point_neuron_models/inh.json").write_text(
        json.dumps({"V_th": -54.0, "tau_m": 8.0, "I_e": 100.0}))
    (d / "network/node_types.csv").write_text(types_csv)
    (d / "network/edge_types.csv").write_text(
        "edge_type_id syn_weight delay model_template dynamics_params nsyns\n"
        "0 450.0 1.0 static_synapse NULL 2\n"
        "1 120.0 1.5 static_synapse NULL 1\n"
        "2 -300.0 0.8 static_synapse NULL 1\n")
    types = np.array([101 if i % 5 == 4 else 100 for i in range(N)], np.int64)
    with h5py.File(d / "network/nodes.h5", "w") as f:
        g = f.create_group("nodes/net")
        g["node_type_id"] = types
        g["node_group_id"] = np.zeros(N, np.int64)
        g["node_group_index"] = np.arange(N, dtype=np.int64)
        f.create_group("nodes/input")["node_type_id"] = np.full(N_IN, 200, np.int64)
    inp = [(i, t, 0) for i in range(N_IN) for t in range(i, N, 3)]
    rec = [(s, (s * 7 + k * 11) % N, 1 if types[s] == 100 else 2) for s in range(N)
           for k in range(1, 5)]
    if extra_edge:
        rec.append(extra_edge)
    with h5py.File(d / "network/edges.h5", "w") as f:
        for name, src_pop, edges, weights in (("input_to_net", "input", inp, False),
                                               ("net_to_net", "net", rec, True)):
            g = f.create_group(f"edges/{name}")
            e = np.array(edges, np.int64)
            g["source_node_id"] = e[:, 0].astype(np.uint64)
            g["source_node_id"].attrs["node_population"] = src_pop
            g["target_node_id"] = e[:, 1].astype(np.uint64)
            g["target_node_id"].attrs["node_population"] = "net"
            g["edge_type_id"] = e[:, 2]
            g["edge_group_id"] = np.zeros(len(e), np.int64)
            g["edge_group_index"] = np.arange(len(e), dtype=np.int64)
            if weights:
                g["0/syn_weight"] = np.where(e[:, 2] == 1, 100.0 + e[:, 1], -250.0 - e[:, 0])
    k = np.arange(40)
    with h5py.File(d / "inputs/spikes.h5", "w") as f:
        f["spikes/input/timestamps"] = 5.0 + 4.0 * k + 0.03 * (k % 3)  # off the grid: rounded
        f["spikes/input/node_ids"] = (k % N_IN).astype(np.uint64)
    config = d / "circuit_config.json"
    config.write_text(json.dumps({
        "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network"},
        "components": {"point_neuron_models_dir": "$BASE_DIR/components/point_neuron_models"},
        "networks": {
            "nodes": [{"nodes_file": "$NETWORK_DIR/nodes.h5",
                       "node_types_file": "$NETWORK_DIR/node_types.csv"}],
            "edges": [{"edges_file": "$NETWORK_DIR/edges.h5",
                       "edge_types_file": "$NETWORK_DIR/edge_types.csv"}]},
        "run": {"tstop": tstop, "dt": 0.1},
        "inputs": {"lgn": {"input_type": "spikes", "module": "h5",
                           "input_file": "$BASE_DIR/inputs/spikes.h5", "node_set": "input"}},
    }))
    return str(config)


def test_load_sonata_gives_the_spikes_of_snn_sim(tmp_path):
    config = write_circuit(tmp_path)
    net = snn.load_sonata(config)
    assert net.populations == ["net.100", "net.101"]  # one per node type
    assert net.population_size("net.100") == 24 and net.population_size("net.101") == 6
    assert net.population_size("input") == N_IN
    assert net.t_stop == 150.0 and net.dt == pytest.approx(0.1)
    net.record_voltage("net.101", [0, 5])
    net.run(60.0)
    net.run(net.t_stop - 60.0)  # in pieces
    out = tmp_path / "sim.h5"
    run([binary("sim"), "-network", config, "-threads", "2", "-record-v", "net.101:0,5",
         "-out", str(out)])
    with h5py.File(tmp_path / "network" / "nodes.h5", "r") as f:
        types = f["nodes/net/node_type_id"][:]
    with h5py.File(out, "r") as f:
        # The file names the spikes as the circuit does: population "net", its node ids.
        assert "net.100" not in f["spikes"] and "net.101" not in f["spikes"]
        expected = []
        for pop, least in (("net.100", 20), ("net.101", 5)):
            times, ids = net.spikes(pop)
            assert len(times) > least, pop
            circuit_id = np.flatnonzero(types == int(pop.split(".")[1]))
            expected += zip(times.tolist(), circuit_id[ids].tolist())
        got = zip(f["spikes/net/timestamps"][:].tolist(), f["spikes/net/node_ids"][:].tolist())
        assert sorted(got) == sorted(expected)
        t, ids, v = net.voltages("net.101")
        assert v.shape == (1500, 2) and list(ids) == [0, 5]
        np.testing.assert_array_equal(v, f["report/net.101/data"][:])
        np.testing.assert_array_equal(f["report/net.101/mapping/node_ids"][:],
                                      np.flatnonzero(types == 101)[[0, 5]])
    # V_m = -65 from exc.json is the initial potential of net.100; inh.json sets none (NEST's
    # iaf_psc_alpha default E_L = -70 mV)
    fresh = snn.load_sonata(config)
    fresh.build()
    np.testing.assert_array_equal(fresh.membrane_potentials("net.100"), np.full(24, -65.0, np.float32))
    np.testing.assert_array_equal(fresh.membrane_potentials("net.101"), np.full(6, -70.0, np.float32))
    # one synapse per edge: input i -> nodes i, i+3, ... < 30 (10 + 10 + 10 + 9), 4 per node
    assert fresh.synapses == 39 + 120


def test_load_sonata_dt_and_seed_override_the_config(tmp_path):
    net = snn.load_sonata(write_circuit(tmp_path), dt=0.05, seed=9)
    assert net.dt == 0.05 and net.seed == 9
    net.run(20.0)
    assert net.step == 400


def test_bad_circuits_raise_the_engines_error(tmp_path):
    with pytest.raises(OSError, match="missing.json"):
        snn.load_sonata(str(tmp_path / "missing.json"))
    config = write_circuit(tmp_path / "a")
    (tmp_path / "a/network/edges.h5").unlink()
    with pytest.raises(OSError, match="edges.h5"):
        snn.load_sonata(config)
    config = write_circuit(tmp_path / "b", types_csv=TYPES_CSV.replace("nest:iaf_psc_alpha exc",
                                                                        "nest:iaf_foo exc"))
    with pytest.raises(ValueError, match="node_types.csv: node_type_id 100: model_template: "
                                         "unknown model_template 'nest:iaf_foo'"):
        snn.load_sonata(config)
    config = write_circuit(tmp_path / "c", extra_edge=(3, 31, 1))
    with pytest.raises(ValueError, match="edges.h5: /edges/net_to_net/target_node_id: edge.*"
                                         "goes to node 31, net has 30 nodes"):
        snn.load_sonata(config)
    config = write_circuit(tmp_path / "d", exc_json='{"V_thresh": -50}')
    with pytest.raises(ValueError, match="exc.json: V_thresh: unknown parameter of iaf_psc_alpha"):
        snn.load_sonata(config)
    (tmp_path / "e").mkdir()
    (tmp_path / "e/circuit_config.json").write_text("{not json")
    with pytest.raises(ValueError, match="circuit_config.json"):
        snn.load_sonata(str(tmp_path / "e/circuit_config.json"))
