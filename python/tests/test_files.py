"""Every HDF5 file we write, opened with h5py and checked against the README's description:
SONATA spikes and reports (snn-sim -out and Network.write_sonata), checkpoints, trace.h5, and
the .npy files of snn-train -save-npy."""

import subprocess

import h5py
import numpy as np
import pytest

import snn
from conftest import SOURCE_DIR, binary, run

SORTING = {"none": 0, "by_id": 1, "by_time": 2}


def check_sonata(f, spikes, reports):
    """/spikes/<pop> and /report/<pop> as the README's output-file table says."""
    assert set(f["spikes"]) == set(spikes)
    for pop in spikes:
        g = f["spikes"][pop]
        assert h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype) == SORTING
        assert g.attrs["sorting"] == SORTING["by_time"]
        t, ids = g["timestamps"], g["node_ids"]
        assert t.dtype == np.float64 and ids.dtype == np.uint64 and t.shape == ids.shape
        assert t.attrs["units"] == "ms"
        assert np.all(np.diff(t[:]) >= 0)
    for pop, n_nodes, rows in reports:
        r = f["report"][pop]
        assert r["data"].dtype == np.float32 and r["data"].shape == (rows, n_nodes)
        assert r["data"].attrs["units"] == "mV" and r["data"].attrs["variable_name"] == "v"
        m = r["mapping"]
        assert m["node_ids"].dtype == np.uint64 and m["node_ids"].shape == (n_nodes,)
        assert m["index_pointers"].dtype == np.uint64
        np.testing.assert_array_equal(m["index_pointers"][:], np.arange(n_nodes + 1))
        assert m["element_ids"].dtype == np.uint32
        np.testing.assert_array_equal(m["element_ids"][:], np.zeros(n_nodes))
        assert m["time"].dtype == np.float64 and m["time"].shape == (3,)
        assert m["time"].attrs["units"] == "ms"
        start, stop, dt = m["time"][:]
        assert dt == pytest.approx(0.1) and start == pytest.approx(0.1)
        assert stop == pytest.approx(start + rows * dt)


def test_sonata_from_snn_sim_and_from_python_are_the_same(tmp_path):
    net_file = str(SOURCE_DIR / "examples" / "network.json")
    app = tmp_path / "app.h5"
    run([binary("sim"), "-network", net_file, "-t", "50", "-threads", "2", "-out", str(app)])
    net = snn.load_network(net_file)
    net.run(20.0)
    net.run(30.0)
    ours = tmp_path / "py.h5"
    net.write_sonata(str(ours))
    reports = [("exc", 2, 500), ("readout", 3, 500)]
    with h5py.File(app, "r") as a, h5py.File(ours, "r") as b:
        check_sonata(a, ["exc", "inh", "readout"], reports)
        check_sonata(b, ["exc", "inh", "readout"], reports)
        for pop in ("exc", "inh", "readout"):
            for d in ("timestamps", "node_ids"):
                np.testing.assert_array_equal(a[f"spikes/{pop}/{d}"][:], b[f"spikes/{pop}/{d}"][:])
        for pop, _, _ in reports:
            np.testing.assert_array_equal(a[f"report/{pop}/data"][:], b[f"report/{pop}/data"][:])
            np.testing.assert_array_equal(a[f"report/{pop}/mapping/time"][:],
                                          b[f"report/{pop}/mapping/time"][:])
        np.testing.assert_array_equal(b["report/readout/mapping/node_ids"][:], [0, 1, 5])
    with pytest.raises(OSError, match="does not exist"):
        net.write_sonata(str(tmp_path / "no" / "x.h5"))


def _text(v):
    """Checkpoint strings are fixed-length, stored inline (version 2): h5py gives bytes."""
    return v.decode() if isinstance(v, bytes) else v


def test_checkpoint_layout(train_run):
    with h5py.File(train_run / "checkpoint_latest.h5", "r") as f:
        a = {k: _text(v) for k, v in f.attrs.items()}
        assert a["format"] == "snn-checkpoint" and a["version"] == 2 and a["dtype"] == "float32"
        assert a["epoch"] == 0 and 0 <= a["max_test_acc"] <= 1
        assert a["optimizer"] == "adam" and a["optimizer_step"] == 6
        assert a["scheduler"].startswith("ConstantRate") and a["scheduler_last_epoch"] == 1
        args = {k: _text(v) for k, v in f["args"].attrs.items()}
        assert args["T"] == "6" and args["b"] == "16" and args["model"] == "fc"
        assert all(isinstance(v, str) for v in args.values())
        w = f["parameters/fc0.weight"]
        assert w.dtype == np.float32 and w.shape == (10, 784) and w.attrs["index"] == 0
        assert list(f["buffers"]) == []
        for name in ("adam.exp_avg.fc0.weight", "adam.exp_avg_sq.fc0.weight"):
            s = f["optimizer"][name]
            assert s.dtype == np.float32 and s.shape == (10, 784)
        assert np.all(f["optimizer/adam.exp_avg_sq.fc0.weight"][:] >= 0)
    with h5py.File(train_run / "checkpoint_max.h5", "r") as f:
        assert _text(f.attrs["format"]) == "snn-checkpoint"


def test_resnet_checkpoint_has_buffers(data_dir, tmp_path):
    folder, _ = data_dir
    run([binary("train"), "-data-dir", str(folder), "-out-dir", str(tmp_path), "-model", "resnet",
         "-preset", "tiny", "-T", "2", "-b", "8", "-epochs", "1", "-j", "2",
         "-max-train-batches", "1", "-max-test-batches", "1", "-loss", "ce"])
    with h5py.File(tmp_path / "checkpoint_latest.h5", "r") as f:
        names = list(f["buffers"])
        assert any(n.endswith("running_mean") for n in names)
        for n in names:
            assert f["buffers"][n].dtype == np.float32
        idx = sorted(f["parameters"][n].attrs["index"] for n in f["parameters"])
        assert idx == list(range(len(idx)))
    model = snn.resnet(preset="tiny")
    model.load_checkpoint(str(tmp_path / "checkpoint_latest.h5"))
    with h5py.File(tmp_path / "checkpoint_latest.h5", "r") as f:
        for n, w in model.weights().items():
            np.testing.assert_array_equal(w, f["parameters"][n.replace("/", "%2F")][:])


def test_trace_layout_and_npy_files(train_run):
    with h5py.File(train_run / "trace.h5", "r") as f:
        a = f.attrs
        assert a["T"] == 6 and a["classes"] == 10 and a["dt"] == "1 step"
        assert a["image_index"] == 0 and 0 <= a["label"] < 10 and 0 <= a["predicted"] < 10
        assert a["tau"] == 2.0 and a["v_threshold"] == 1.0
        v, s = f["v_t_array"], f["s_t_array"]
        assert v.dtype == np.float32 and v.shape == (6, 10) and v.attrs["units"] == "1"
        assert s.dtype == np.float32 and s.shape == (6, 10)
        assert set(np.unique(s[:])) <= {0.0, 1.0}
        g = f["spikes/output"]
        assert g.attrs["sorting"] == SORTING["by_time"]
        t, ids = g["timestamps"][:], g["node_ids"][:]
        assert g["timestamps"].attrs["units"] == "step" and ids.dtype == np.uint64
        steps, classes = np.nonzero(s[:])
        np.testing.assert_array_equal(t, steps)  # the same spikes, time in steps
        np.testing.assert_array_equal(ids, classes)
        trace = snn.read_trace(str(train_run / "trace.h5"))
        np.testing.assert_array_equal(trace["v"], v[:])
        assert trace["label"] == a["label"]
        # -save-npy: SpikingJelly's file names, [T, classes] float32, the same values
        vn, sn = np.load(train_run / "v_t_array.npy"), np.load(train_run / "s_t_array.npy")
        assert vn.dtype == np.float32 and vn.shape == (6, 10) and sn.shape == (6, 10)
        np.testing.assert_array_equal(vn, v[:])
        np.testing.assert_array_equal(sn, s[:])


def test_save_npy_needs_a_trace(data_dir, tmp_path):
    folder, _ = data_dir
    r = subprocess.run([binary("train"), "-data-dir", str(folder), "-out-dir", str(tmp_path),
                        "-save-npy", "-trace", "none"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "-save-npy writes the trace as .npy files: it needs a trace" in r.stderr
