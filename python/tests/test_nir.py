"""NIR from Python: read_nir of a file written here with h5py (independently of our writer),
write_nir -> read_nir and h5py round trips, load_nir against forward Euler's closed form and
against `snn-sim -network FILE.nir` on the same file and inputs, the shared NIR files (skipped
where /work/shared is absent, as in CI), the example script, and bad files and arguments."""

import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import pytest

import snn
from conftest import SOURCE_DIR, binary, run

SHARED_NIR = pathlib.Path(os.environ.get("SNN_SHARED_DIR", SOURCE_DIR.parent / "shared")) / "data" / "nir"
if not SHARED_NIR.is_dir():
    SHARED_NIR = pathlib.Path("/work/shared/data/nir")

STR = h5py.string_dtype()


def write_nir_h5py(path, nodes, edges, version="1.0.7"):
    """A NIR 1.0 file as NIR's own writer lays it out: /version, /node (type NIRGraph) with
    nodes/<name>/{type, params...} and edges [E, 2] of strings."""
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data=version, dtype=STR)
        g = f.create_group("node")
        g.create_dataset("type", data="NIRGraph", dtype=STR)
        ng = g.create_group("nodes")
        for name, (kind, params) in nodes.items():
            n = ng.create_group(name)
            n.create_dataset("type", data=kind, dtype=STR)
            for k, v in params.items():
                n.create_dataset(k, data=v)
        g.create_dataset("edges", data=np.array(edges, dtype=object), dtype=STR)


def lif_chain(path, n_in=3, n=4, tau=0.002, v_th=1.0, v_reset=0.0, seed=0, w_range=(2.0, 9.0)):
    """Input [n_in] -> Affine [n, n_in] -> LIF [n] -> Output, and LIF -> Linear [2, n] -> LI [2]
    -> Output 'vout' (a V readout). Returns the Affine's weight and bias."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(*w_range, (n, n_in)).astype(np.float32)
    b = np.zeros(n, np.float32)
    f32 = lambda x: np.full(n, x, np.float32)  # noqa: E731
    write_nir_h5py(path, {
        "input": ("Input", {"shape": np.array([n_in])}),
        "fc": ("Affine", {"weight": w, "bias": b}),
        "lif": ("LIF", {"tau": f32(tau), "r": f32(1.0), "v_leak": f32(0.0),
                        "v_threshold": f32(v_th), "v_reset": f32(v_reset)}),
        "ro": ("Linear", {"weight": np.ones((2, n), np.float32) * 0.5}),
        "li": ("LI", {"tau": np.full(2, 0.005, np.float32), "r": np.ones(2, np.float32),
                      "v_leak": np.zeros(2, np.float32)}),
        "output": ("Output", {"shape": np.array([n])}),
        "vout": ("Output", {"shape": np.array([2])}),
    }, [["input", "fc"], ["fc", "lif"], ["lif", "output"], ["lif", "ro"], ["ro", "li"],
        ["li", "vout"]])
    return w, b


def input_spikes(n_in=3, steps=200, dt=0.1, p=0.15, seed=3):
    rng = np.random.default_rng(seed)
    k, i = np.nonzero(rng.random((steps, n_in)) < p)
    return (k + 1) * dt, i.astype(np.uint64)


def write_sonata_spikes(path, pop, times, ids):
    with h5py.File(path, "w") as f:
        g = f.create_group(f"spikes/{pop}")
        g.create_dataset("timestamps", data=np.asarray(times, np.float64))
        g.create_dataset("node_ids", data=np.asarray(ids, np.uint64))


# ---- read_nir / write_nir ------------------------------------------------------------------


def test_read_nir_of_a_file_written_with_h5py(tmp_path):
    path = tmp_path / "chain.nir"
    w, _ = lif_chain(path)
    g = snn.read_nir(str(path))
    assert g["version"] == "1.0.7"
    assert list(g["nodes"]) == ["fc", "input", "li", "lif", "output", "ro", "vout"]  # HDF5 order
    assert g["edges"] == [("input", "fc"), ("fc", "lif"), ("lif", "output"), ("lif", "ro"),
                          ("ro", "li"), ("li", "vout")]
    fc = g["nodes"]["fc"]
    assert fc["type"] == "Affine" and fc["input_type"] == [3] and fc["output_type"] == [4]
    assert fc["params"]["weight"].dtype == np.float32 and fc["params"]["weight"].shape == (4, 3)
    np.testing.assert_array_equal(fc["params"]["weight"], w)
    lif = g["nodes"]["lif"]
    assert lif["type"] == "LIF" and lif["defaulted"] == []
    np.testing.assert_array_equal(lif["params"]["tau"], np.full(4, 0.002, np.float32))
    assert g["nodes"]["input"]["params"]["shape"].dtype == np.int64


def test_write_nir_round_trip_keeps_dtypes_shapes_nesting_and_metadata(tmp_path):
    inner = {
        "nodes": {
            "input": {"type": "Input", "params": {"shape": np.array([2])}},
            "lif": {"type": "LIF", "params": {
                "tau": np.array([0.01, 0.02], np.float16), "r": np.ones(2),
                "v_leak": np.zeros(2), "v_threshold": np.array([1.0, 0.5], np.float32)}},
            "output": {"type": "Output", "params": {"shape": np.array([2])}},
        },
        "edges": [("input", "lif"), ("lif", "output")],
    }
    graph = {
        "nodes": {
            "input": {"type": "Input", "params": {"shape": np.array([3])}},
            "lin": {"type": "Linear", "params": {"weight": np.arange(6, dtype=np.float32).reshape(2, 3)}},
            "block": {"type": "NIRGraph", "graph": inner},
            "output": {"type": "Output", "params": {"shape": np.array([2])}},
        },
        "edges": [("input", "lin"), ("lin", "block.input"), ("block.output", "output")],
        "metadata": {"dt": 1e-4, "note": "written by the test", "steps": 7},
    }
    path = tmp_path / "w.nir"
    snn.write_nir(str(path), graph)
    with h5py.File(path, "r") as f:  # the layout NIR's reader expects
        assert f["version"][()].decode() == "1.0.7"
        assert f["node/type"][()].decode() == "NIRGraph"
        assert f["node/nodes/lin/type"][()].decode() == "Linear"
        assert f["node/nodes/lin/weight"].dtype == np.float32
        assert f["node/nodes/block/nodes/lif/tau"].dtype == np.float16
        assert f["node/edges"].shape == (3, 2)
    g = snn.read_nir(str(path))
    assert g["edges"] == graph["edges"]
    np.testing.assert_array_equal(g["nodes"]["lin"]["params"]["weight"], graph["nodes"]["lin"]["params"]["weight"])
    lif = g["nodes"]["block"]["graph"]["nodes"]["lif"]
    assert lif["params"]["tau"].dtype == np.float16
    np.testing.assert_array_equal(lif["params"]["tau"], inner["nodes"]["lif"]["params"]["tau"])
    assert lif["params"]["v_threshold"].dtype == np.float32
    assert lif["defaulted"] == ["v_reset"]  # the reader fills v_reset = 0, typed as v_threshold
    assert g["metadata"]["note"] == "written by the test"
    assert g["metadata"]["dt"].dtype == np.float64 and g["metadata"]["dt"][()] == 1e-4
    assert g["metadata"]["steps"].dtype == np.int64 and g["metadata"]["steps"][()] == 7
    # and the dict read_nir returns writes back to the same graph
    again = tmp_path / "again.nir"
    snn.write_nir(str(again), g)
    g2 = snn.read_nir(str(again))
    for name, node in g["nodes"].items():
        for k, v in node["params"].items():
            assert g2["nodes"][name]["params"][k].dtype == v.dtype
            np.testing.assert_array_equal(g2["nodes"][name]["params"][k], v)


# ---- load_nir ------------------------------------------------------------------------------


def test_load_nir_current_input_follows_forward_euler(tmp_path):
    # Input -> Affine (weight 1.5, bias 0) -> LIF (tau 2 ms, dt 0.1 ms: a = 0.05, v_th 1):
    # a constant input c = 1 gives u = 1.5 each step, v_k = 1.5 (1 - 0.95^k) until v > 1, i.e.
    # k = ceil(ln(1 - 1/1.5) / ln 0.95) = 22 (v_21 = 0.9898, v_22 = 1.0153), then reset to 0.
    path = tmp_path / "one.nir"
    write_nir_h5py(path, {
        "input": ("Input", {"shape": np.array([1])}),
        "fc": ("Affine", {"weight": np.array([[1.5]], np.float32), "bias": np.zeros(1, np.float32)}),
        "lif": ("LIF", {"tau": np.array([0.002]), "r": np.ones(1), "v_leak": np.zeros(1),
                        "v_threshold": np.ones(1), "v_reset": np.zeros(1)}),
        "output": ("Output", {"shape": np.array([1])}),
    }, [["input", "fc"], ["fc", "lif"], ["lif", "output"]])
    net = snn.load_nir(str(path), currents={"input": 1.0})
    assert net.dt == pytest.approx(0.1) and net.inputs == ["input"]
    assert net.outputs == {"output": ("lif", "spikes")}
    net.record_voltage("lif", [0])
    net.run(2.0)
    t, _, v = net.voltages("lif")
    k = np.arange(1, 21)
    np.testing.assert_allclose(v[:, 0], 1.5 * (1 - 0.95 ** k), rtol=0, atol=2e-6)
    net.run(8.0)  # in pieces
    times, ids = net.output("output")
    assert times[0] == pytest.approx(2.2)  # step 22
    np.testing.assert_allclose(np.diff(times), 2.2, atol=1e-9)  # the same period after reset
    assert len(times) == 4 and np.all(ids == 0)
    t, _, v = net.voltages("lif")
    assert v[21, 0] == 0.0  # reset to v_reset at step 22
    # reset 'subtract': v_22 - 1 = 1.5 (1 - 0.95^22) - 1 = 0.014702 carries over
    sub = snn.load_nir(str(path), currents={"input": 1.0}, reset="subtract", threshold="ge")
    sub.record_voltage("lif", [0])
    sub.run(2.3)
    np.testing.assert_allclose(sub.voltages("lif")[2][21, 0], 1.5 * (1 - 0.95**22) - 1, atol=2e-6)
    assert sub.spikes("lif")[0][0] == pytest.approx(2.2)


def test_load_nir_equals_snn_sim_on_the_same_file_and_inputs(tmp_path):
    path = tmp_path / "chain.nir"
    lif_chain(path, tau=0.002, v_th=0.8)
    times, ids = input_spikes(dt=0.2, steps=150)
    spikes_file = tmp_path / "in.h5"
    write_sonata_spikes(spikes_file, "input", times, ids)
    out = tmp_path / "sim.h5"
    run([binary("sim"), "-network", str(path), "-input", str(spikes_file), "-t", "30",
         "-nir-dt", "2e-4", "-nir-reset", "subtract", "-nir-threshold", "ge",
         "-record-v", "lif:0-3", "-threads", "2", "-out", str(out)])
    nets = [snn.load_nir(str(path), dt=0.2, reset="subtract", threshold="ge",
                         inputs={"input": (times, ids)}),
            snn.load_nir(str(path), dt=0.2, reset="subtract", threshold="ge",
                         inputs=str(spikes_file))]
    with h5py.File(out, "r") as f:
        ref_t, ref_i = f["spikes/lif/timestamps"][:], f["spikes/lif/node_ids"][:]
        ref_v, ref_li = f["report/lif/data"][:], f["report/li/data"][:]
    assert len(ref_t) > 20
    for net in nets:
        assert net.outputs == {"output": ("lif", "spikes"), "vout": ("li", "v")}
        net.record_voltage("lif", [0, 1, 2, 3])
        net.run(12.0)
        net.run(18.0)
        t, i = net.output("output")
        np.testing.assert_array_equal(t, ref_t)
        np.testing.assert_array_equal(i, ref_i)
        np.testing.assert_array_equal(net.voltages("lif")[2], ref_v)
        _, li_ids, li_v = net.output("vout")
        assert li_v.shape == (150, 2) and list(li_ids) == [0, 1]
        np.testing.assert_array_equal(li_v, ref_li)
        assert np.max(li_v) > 0


def test_load_nir_record_spikes_and_clock_mode(tmp_path):
    path = tmp_path / "chain.nir"
    lif_chain(path)
    times, ids = input_spikes()
    ev = snn.load_nir(str(path), inputs={"input": (times, ids)})
    ev.run(20.0)
    ck = snn.load_nir(str(path), inputs={"input": (times, ids)}, mode="clock")
    ck.run(20.0)
    np.testing.assert_array_equal(ev.spikes("lif")[0], ck.spikes("lif")[0])
    assert ev.spike_count("lif") == len(ev.spikes("lif")[0]) > 10
    # a chain of two spiking layers: 'outputs' records the last, 'all' both
    deep = tmp_path / "deep.nir"
    f32 = lambda n, x: np.full(n, x, np.float32)  # noqa: E731
    lif = lambda n: ("LIF", {"tau": f32(n, 0.002), "r": f32(n, 1), "v_leak": f32(n, 0),  # noqa: E731
                             "v_threshold": f32(n, 1), "v_reset": f32(n, 0)})
    write_nir_h5py(deep, {"input": ("Input", {"shape": np.array([3])}),
                          "w1": ("Linear", {"weight": np.full((2, 3), 6, np.float32)}), "l1": lif(2),
                          "w2": ("Linear", {"weight": np.full((1, 2), 12, np.float32)}), "l2": lif(1),
                          "output": ("Output", {"shape": np.array([1])})},
                   [["input", "w1"], ["w1", "l1"], ["l1", "w2"], ["w2", "l2"], ["l2", "output"]])
    outs = snn.load_nir(str(deep), inputs={"input": (times, ids)})
    outs.run(20.0)
    with pytest.raises(ValueError, match="spikes of population 'l1' are not recorded"):
        outs.spikes("l1")
    every = snn.load_nir(str(deep), inputs={"input": (times, ids)}, record_spikes="all")
    every.run(20.0)
    assert len(every.spikes("l1")[0]) == every.spike_count("l1") > 0
    np.testing.assert_array_equal(every.spikes("l2")[0], outs.output("output")[0])
    named = snn.load_nir(str(deep), inputs={"input": (times, ids)}, record_spikes=["l1"])
    named.run(20.0)
    np.testing.assert_array_equal(named.spikes("l1")[1], every.spikes("l1")[1])


# ---- the shared files (skipped without /work/shared) ---------------------------------------


def shared(name):
    p = SHARED_NIR / name
    if not p.exists():
        pytest.skip(f"{p} absent (shared NIR files are not in CI)")
    return str(p)


def test_shared_lif_norse_reproduces_norses_trace():
    path, csv = shared("lif_norse.nir"), shared("lif_norse.csv")
    rows = np.loadtxt(csv, delimiter=",")
    assert rows.shape == (1000, 3)
    k = np.nonzero(rows[:, 0])[0]
    net = snn.load_nir(path, inputs={"input": ((k + 1) * 0.1, np.zeros(len(k), np.int64))})
    net.record_voltage("1", [0])
    net.run(100.0)
    times, _ = net.output("output")
    np.testing.assert_array_equal(np.round(times / 0.1).astype(int) - 1, [460, 510, 710, 760])
    np.testing.assert_allclose(net.voltages("1")[2][:, 0], rows[:, 1], rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ["lif_norse.nir", "two_lif_neurons.nir", "cnn_sinabs.nir",
                                  "braille_noDelay_bias_zero.nir"])
def test_shared_files_read_load_and_run(name):
    path = shared(name)
    g = snn.read_nir(path)
    assert g["edges"] and g["nodes"]
    net = snn.load_nir(path)
    assert net.outputs
    rng = np.random.default_rng(1)
    inputs = {}
    for i in net.inputs:
        n = net.population_size(i)
        k, j = np.nonzero(rng.random((20, n)) < 0.2)
        inputs[i] = ((k + 1) * 0.1, j)
    net = snn.load_nir(path, inputs=inputs)
    net.run(2.0)
    assert net.step == 20


# ---- errors ---------------------------------------------------------------------------------


def test_bad_files_and_arguments_raise_the_engines_message(tmp_path):
    with pytest.raises(OSError, match="missing.nir' does not exist"):
        snn.read_nir(str(tmp_path / "missing.nir"))
    with pytest.raises(OSError, match="does not exist"):
        snn.load_nir(str(tmp_path / "missing.nir"))
    junk = tmp_path / "junk.nir"
    junk.write_bytes(b"not hdf5 at all")
    with pytest.raises(ValueError, match="is not an HDF5 file"):
        snn.read_nir(str(junk))
    dangling = tmp_path / "dangling.nir"
    write_nir_h5py(dangling, {"input": ("Input", {"shape": np.array([1])})}, [["input", "nowhere"]])
    with pytest.raises(ValueError, match="dangling.nir.*'nowhere'"):
        snn.read_nir(str(dangling))
    nolif = tmp_path / "nolif.nir"
    write_nir_h5py(nolif, {"input": ("Input", {"shape": np.array([1])}),
                           "lif": ("LIF", {"tau": np.ones(1), "r": np.ones(1)}),
                           "output": ("Output", {"shape": np.array([1])})},
                   [["input", "lif"], ["lif", "output"]])
    with pytest.raises(ValueError, match="node 'lif' \\(LIF\\).*v_leak"):
        snn.load_nir(str(nolif))

    path = tmp_path / "chain.nir"
    lif_chain(path)
    with pytest.raises(ValueError, match=r"inputs\['input'\]: id 3 out of range \[0, 3\)"):
        snn.load_nir(str(path), inputs={"input": ([0.1], [3])})
    with pytest.raises(ValueError, match="0.15 ms is not a positive multiple of dt 0.1 ms"):
        snn.load_nir(str(path), inputs={"input": ([0.15], [0])})
    with pytest.raises(ValueError, match="'lif'"):
        snn.load_nir(str(path), inputs={"lif": ([0.1], [0])})
    with pytest.raises(ValueError, match=r"inputs\['input'\]: expected \(times_ms, ids\)"):
        snn.load_nir(str(path), inputs={"input": [0.1]})
    with pytest.raises(ValueError, match="reset must be 'v_reset' or 'subtract'"):
        snn.load_nir(str(path), reset="zero")
    with pytest.raises(ValueError, match="threshold must be 'gt'"):
        snn.load_nir(str(path), threshold=">")
    with pytest.raises(ValueError, match="dt must be > 0 ms"):
        snn.load_nir(str(path), dt=0.0)
    with pytest.raises(OSError):
        snn.load_nir(str(path), inputs=str(tmp_path / "no_spikes.h5"))
    with pytest.raises(ValueError, match=r"no output named 'x' \(outputs: output, vout\)"):
        snn.load_nir(str(path)).output("x")

    with pytest.raises(ValueError, match="node 'a': unknown NIR type 'Lif'"):
        snn.write_nir(str(tmp_path / "x.nir"), {"nodes": {"a": {"type": "Lif"}}, "edges": []})
    with pytest.raises(ValueError, match="unknown key 'param'"):
        snn.write_nir(str(tmp_path / "x.nir"), {"nodes": {"a": {"type": "Input", "param": {}}},
                                                "edges": []})
    with pytest.raises(ValueError, match="each edge is \\(source, target\\)"):
        snn.write_nir(str(tmp_path / "x.nir"), {"nodes": {}, "edges": [("a", 1)]})
    with pytest.raises(ValueError, match="needs 'nodes' and 'edges'"):
        snn.write_nir(str(tmp_path / "x.nir"), {"nodes": {}})
    with pytest.raises(ValueError):  # the reader's checks run before writing
        snn.write_nir(str(tmp_path / "x.nir"), {"nodes": {"a": {"type": "Input", "params": {
            "shape": np.array([1])}}}, "edges": [("a", "b")]})
    assert not (tmp_path / "x.nir").exists()
    with pytest.raises(OSError):
        snn.write_nir(str(tmp_path / "no" / "dir.nir"), snn.read_nir(str(path)))


# ---- the example script --------------------------------------------------------------------


def test_example_load_nir(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / "load_nir.py"), "-o",
                        "nir.png"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    png = tmp_path / "nir.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000
    assert "output spikes" in r.stdout
