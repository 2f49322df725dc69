"""snn.Network from Python: parameters checked as network files check them, neurons against
their analytic solution, sources, projections, run in pieces, the GIL, Ctrl-C, and Brunel's
spikes equal to snn-sim's."""

import math
import os
import re
import signal
import threading
import time

import h5py
import numpy as np
import pytest

import snn
from conftest import SOURCE_DIR, binary, run


def test_version_matches_the_cmake_project():
    text = (SOURCE_DIR / "CMakeLists.txt").read_text()
    assert snn.__version__ == re.search(r"project\(snn .*VERSION ([0-9.]+)\)", text).group(1)


def test_every_public_name_has_a_docstring():
    for name in snn.__all__:
        obj = getattr(snn, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 20, name
    for cls in (snn.Network, snn.Model):
        for name, member in vars(cls).items():
            if not name.startswith("_") and callable(member):
                assert member.__doc__, f"{cls.__name__}.{name}"


def test_neuron_models_list_every_model_with_defaults_and_units():
    models = snn.neuron_models()
    assert {"lif_delta", "lif_exp", "if_delta", "iaf_psc_alpha", "iaf_cond_exp", "aeif_cond_exp",
            "izhikevich", "nir_lif", "nir_cuba_lif"} <= set(models)
    assert models["lif_delta"]["tau_m"] == (20.0, "ms")
    assert models["lif_exp"]["tau_syn"] == (2.0, "ms")
    assert models["if_delta"]["c_m"] == (250.0, "pF")


def test_parameters_are_checked_like_the_network_file_reader():
    net = snn.Network()
    with pytest.raises(ValueError, match=r"unknown parameter 'tau' for lif_delta \(expected one of: tau_m \(ms\)"):
        net.add_population("a", "lif_delta", 10, tau=5)
    with pytest.raises(ValueError, match="tau_m must be > 0 ms, got -5"):
        net.add_population("a", "lif_delta", 10, tau_m=-5)
    with pytest.raises(ValueError, match="t_ref 2.05 ms is not a multiple of dt 0.1 ms"):
        net.add_population("a", "lif_delta", 10, t_ref=2.05)
    with pytest.raises(ValueError, match=r"v_reset \(30 mV\) must be below v_th \(20 mV\)"):
        net.add_population("a", "lif_delta", 10, v_reset=30)
    with pytest.raises(ValueError, match="unknown model 'iaf'"):
        net.add_population("a", "iaf", 10)
    with pytest.raises(TypeError, match="tau_m: expected a number, got str"):
        net.add_population("a", "lif_delta", 10, tau_m="20")
    with pytest.raises(ValueError, match=r"v_init.uniform: empty range \[5, 1\]"):
        net.add_population("a", "lif_delta", 10, v_init={"uniform": [5, 1]})
    net.add_population("a", "lif_delta", 10, tau_m=np.float32(10.0), v_init=5.0)
    with pytest.raises(ValueError, match="population 'a' defined twice"):
        net.add_population("a", "lif_delta", 10)
    with pytest.raises(ValueError, match="mode must be 'event' or 'clock'"):
        snn.Network(mode="fast")


def test_lif_delta_with_a_current_follows_the_analytic_solution():
    # tau_m dV/dt = -V + R·I: V(t) = V_inf (1 - exp(-t/tau_m)), V_inf = I·tau_m/C_m = 40 mV;
    # threshold 20 mV first at t = tau_m ln 2 = 13.86 ms, the step ending at 13.9 ms.
    net = snn.Network(dt=0.1, seed=1)
    net.add_population("n", "lif_delta", 1, i_e=500.0, v_reset=0.0, t_ref=2.0)
    net.record_voltage("n", [0])
    net.run(13.0)
    t, ids, v = net.voltages("n")
    assert v.shape == (130, 1) and v.dtype == np.float32 and list(ids) == [0]
    np.testing.assert_allclose(t, 0.1 * np.arange(1, 131), rtol=1e-12)
    # float32 arithmetic near 40 mV: absolute agreement to 1e-5 mV
    np.testing.assert_allclose(v[:, 0], 40.0 * (1 - np.exp(-t / 20.0)), rtol=0, atol=1e-5)
    net.run(7.0)
    times, ids = net.spikes("n")
    assert times[0] == pytest.approx(13.9) and ids.dtype == np.uint64
    assert len(times) == 1  # the next one at 13.9 + 2 + 13.9 ms
    t, _, v = net.voltages("n")
    assert v.shape == (200, 1)
    after = (t > 13.9 + 1e-9) & (t <= 15.9 + 1e-9)
    assert np.all(v[after, 0] == 0.0)
    np.testing.assert_allclose(net.membrane_potentials("n"), v[-1], rtol=0)


def test_the_same_current_from_a_current_source():
    a = snn.Network()
    a.add_population("n", "lif_delta", 3, v_reset=0.0)
    a.add_current("n", amplitude=500.0, first=1, count=2)
    a.run(50.0)
    b = snn.Network()
    b.add_population("n", "lif_delta", 1, v_reset=0.0, i_e=500.0)
    b.run(50.0)
    ta, ia = a.spikes("n")
    tb, _ = b.spikes("n")
    assert len(tb) == 3  # 13.9, 29.8, 45.7 ms
    np.testing.assert_allclose(tb, [13.9, 29.8, 45.7], atol=1e-9)
    np.testing.assert_array_equal(ta[ia == 1], tb)
    np.testing.assert_array_equal(ta[ia == 2], tb)
    assert not np.any(ia == 0)


def test_spike_generator_and_list_projection_with_exact_delays():
    net = snn.Network(dt=0.1)
    net.add_spike_generator("stim", 2, nodes=[0, 1, 0], times=[1.0, 2.0, 5.0])
    net.add_population("n", "lif_delta", 3, t_ref=0.0, v_reset=0.0)
    net.connect("stim", "n", "list", sources=[0, 1], targets=[2, 0], weights=[25.0, 30.0],
                delays=[1.0, 0.5])
    net.run(10.0)
    times, ids = net.spikes("n")
    np.testing.assert_allclose(times, [2.0, 2.5, 6.0], atol=1e-9)
    np.testing.assert_array_equal(ids, [2, 0, 2])
    assert net.spike_count("n") == 3
    with pytest.raises(ValueError, match="spike generator g: spike 0: node 5 out of range"):
        snn.Network().add_spike_generator("g", 2, nodes=[5], times=[1.0])


def test_poisson_source_rate():
    # 1000 neurons, each input a spike (25 mV > 20 mV threshold, no refractoriness): about
    # 10 Hz · 1 s · 1000 = 10,000 spikes, sd 100.
    net = snn.Network(dt=0.1, seed=4)
    net.add_population("n", "lif_delta", 1000, t_ref=0.0, v_reset=0.0)
    net.add_poisson("n", rate=10.0, weight=25.0)
    stats = net.run(1000.0)
    assert 9600 < stats["spikes"] < 10400
    assert stats["steps"] == 10000 and stats["spikes"] == net.spike_count("n")
    with pytest.raises(ValueError, match="rate must be >= 0 Hz, got -1"):
        snn.Network().add_poisson("n", rate=-1.0, weight=1.0)


def test_connectivity_rules_give_the_expected_synapse_counts():
    def synapses(rule, **kw):
        net = snn.Network()
        net.add_population("a", "lif_delta", 10)
        net.add_population("b", "lif_delta", 20 if rule != "one_to_one" else 10)
        net.connect("a", "b", rule, weight=kw.pop("weight", 0.1), **kw)
        net.build()
        return net.synapses

    assert synapses("fixed_indegree", indegree=5) == 100
    assert synapses("fixed_outdegree", outdegree=3) == 30
    assert synapses("fixed_total_number", N=77) == 77
    assert synapses("all_to_all") == 200
    assert synapses("one_to_one") == 10
    assert synapses("fixed_probability", p=1.0) == 200
    assert synapses("fixed_probability", p=0.0) == 0
    assert synapses("all_to_all", weight={"normal": [1.0, 0.5]}, delay={"uniform": [1.0, 2.0]}) == 200
    net = snn.Network()
    with pytest.raises(ValueError, match="rule fixed_indegree needs indegree="):
        net.connect("a", "b", "fixed_indegree", weight=1.0)
    with pytest.raises(ValueError, match="rule fixed_total_number needs N="):
        net.connect("a", "b", "fixed_total_number", weight=1.0)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 1.5"):
        net.connect("a", "b", "fixed_probability", p=1.5, weight=1.0)
    with pytest.raises(ValueError, match="unknown rule 'ring'"):
        net.connect("a", "b", "ring", weight=1.0)
    with pytest.raises(ValueError, match="unknown distribution 'normal'"):
        net.connect("a", "b", weight=1.0, delay={"normal": [1, 1]})
    with pytest.raises(ValueError, match="weight= is required"):
        net.connect("a", "b")


def test_run_in_pieces_equals_one_run():
    whole = snn.brunel(order=200, seed=5)
    whole.run(60.0)
    pieces = snn.brunel(order=200, seed=5)
    for t in (10.0, 0.0, 25.0, 25.0):
        pieces.run(t)
    assert pieces.t == pytest.approx(60.0) and pieces.step == 600
    for pop in ("exc", "inh"):
        for a, b in zip(whole.spikes(pop), pieces.spikes(pop)):
            np.testing.assert_array_equal(a, b)
    assert len(whole.spikes("exc")[0]) > 100
    with pytest.raises(ValueError, match="run time 0.05 ms is not a multiple of dt 0.1 ms"):
        pieces.run(0.05)
    with pytest.raises(ValueError, match="record_voltage after the network was built"):
        pieces.record_voltage("exc", [0])


def test_event_and_clock_modes_give_the_same_spikes():
    a, b = snn.brunel(order=100, seed=2), snn.brunel(order=100, seed=2, mode="clock")
    a.run(50.0)
    b.run(50.0)
    np.testing.assert_array_equal(a.spikes("exc")[0], b.spikes("exc")[0])
    np.testing.assert_array_equal(a.spikes("exc")[1], b.spikes("exc")[1])


def test_record_spikes_selection():
    net = snn.brunel(order=100, seed=2)
    net.record_spikes(["inh"])
    net.run(20.0)
    assert len(net.spikes("inh")[0]) > 0
    with pytest.raises(ValueError, match="spikes of population 'exc' are not recorded"):
        net.spikes("exc")
    with pytest.raises(ValueError, match="no population named 'nope'"):
        net.spikes("nope")


def test_brunel_spikes_equal_snn_sim(tmp_path):
    out = tmp_path / "brunel.h5"
    run([binary("sim"), "-network", "brunel", "-order", "250", "-t", "200", "-seed", "7",
         "-threads", "2", "-out", str(out)])
    net = snn.brunel(order=250, seed=7)
    net.run(80.0)
    net.run(120.0)
    with h5py.File(out, "r") as f:
        for pop in ("exc", "inh"):
            times, ids = net.spikes(pop)
            assert len(times) > 1000
            np.testing.assert_array_equal(times, f[f"spikes/{pop}/timestamps"][:])
            np.testing.assert_array_equal(ids, f[f"spikes/{pop}/node_ids"][:])


def test_network_file_loads_and_runs_as_snn_sim(tmp_path):
    path = SOURCE_DIR / "examples" / "network.json"
    net = snn.load_network(str(path))
    assert net.populations == ["exc", "inh", "readout"]
    assert net.t_stop == 500.0 and net.seed == 12 and net.dt == pytest.approx(0.1)
    assert net.population_size("exc") == 800
    net.run(100.0)
    t, ids, v = net.voltages("readout")
    assert v.shape == (1000, 3) and list(ids) == [0, 1, 5]
    out = tmp_path / "run.h5"
    run([binary("sim"), "-network", str(path), "-t", "100", "-threads", "2", "-out", str(out)])
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(net.spikes("exc")[0], f["spikes/exc/timestamps"][:])
        np.testing.assert_array_equal(v, f["report/readout/data"][:])


def test_network_file_errors(tmp_path):
    with pytest.raises(OSError, match="cannot read network file"):
        snn.load_network(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"populations": [\n {"name": "a", "model": "lif_delta", "size": 2,\n'
                   '  "params": {"tau_m": -5}}]}')
    with pytest.raises(ValueError, match=r"bad.json:2: populations\[0\]: tau_m must be > 0 ms, got -5"):
        snn.load_network(str(bad))


def test_runs_release_the_gil():
    net = snn.brunel(order=500, seed=3)
    net.build()
    ticks, done = [0], threading.Event()

    def count():
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=count)
    thread.start()
    try:
        # Grow the simulated time until one call lasts long enough to tell: a faster
        # engine or machine must not turn this into a timing lottery.
        duration = 300.0
        while True:
            t0 = time.perf_counter()
            before = ticks[0]
            net.run(duration)
            during = ticks[0] - before
            elapsed = time.perf_counter() - t0
            if elapsed > 0.2 or duration > 1e5:
                break
            duration *= 4
    finally:
        done.set()
        thread.join()
    assert elapsed > 0.2, "run too short to tell"
    assert during >= 5, f"the other thread ran {during} times in {elapsed:.2f} s"


def test_ctrl_c_stops_a_long_run_and_keeps_the_state():
    net = snn.brunel(order=500, seed=3)
    net.build()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        net.run(1e6)
    timer.join()
    assert time.perf_counter() - t0 < 20
    stopped = net.t
    assert 0 < stopped < 1e6
    net.run(10.0)
    assert net.t == pytest.approx(stopped + 10.0)
