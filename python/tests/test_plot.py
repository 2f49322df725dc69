"""snn.plot and the examples: every figure kind drawn from files we wrote, `python3 -m
snn.plot` choosing the plot by content, and each examples/*.py script run end to end; every PNG
must exist and hold a picture (size, variance and colours checked, not just "it ran")."""

import os
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest

import snn
import snn.plot
from conftest import SOURCE_DIR, synthetic_mnist


def check_png(path, min_bytes=10_000):
    assert os.path.exists(path), path
    assert os.path.getsize(path) > min_bytes, f"{path}: {os.path.getsize(path)} bytes"
    img = matplotlib.image.imread(path)
    assert img.ndim == 3 and img.shape[0] > 150 and img.shape[1] > 300
    assert img[..., :3].std() > 0.05, "blank image"
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20, "too few colours for a plot"


def cli(*args):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "snn.plot", *args], capture_output=True,
                          text=True, env=env)


@pytest.fixture(scope="module")
def sonata(tmp_path_factory):
    d = tmp_path_factory.mktemp("sonata")
    net = snn.load_network(str(SOURCE_DIR / "examples" / "network.json"))
    net.run(60.0)
    net.write_sonata(str(d / "net.h5"))
    only_v = snn.Network()
    only_v.add_population("n", "lif_delta", 2, i_e=300.0)
    only_v.record_spikes("none")
    only_v.record_voltage("n", [0, 1])
    only_v.run(30.0)
    only_v.write_sonata(str(d / "v.h5"))
    return d


def test_rates_and_raster_values(sonata):
    spikes = snn.plot.read_sonata_spikes(str(sonata / "net.h5"))
    rates = snn.plot.population_rates(spikes, {"exc": 800}, bin_ms=10.0, t_stop=60.0)
    centres, r = rates["exc"]
    np.testing.assert_allclose(centres, [5, 15, 25, 35, 45, 55])
    assert r.sum() * 10e-3 * 800 == pytest.approx(len(spikes["exc"][0]))


def test_every_figure_kind(sonata, train_run, tmp_path):
    figures = {
        "spikes": snn.plot.spikes_figure(str(sonata / "net.h5")),
        "voltage": snn.plot.voltage_figure(str(sonata / "v.h5")),
        "trace": snn.plot.trace_figure(str(train_run / "trace.h5")),
        "metrics": snn.plot.metrics_figure(str(train_run / "metrics.csv")),
        "weights": snn.plot.weights_figure(str(train_run / "checkpoint_latest.h5")),
    }
    assert len(figures["spikes"].axes) == 3  # raster, rates, voltages
    assert len(figures["trace"].axes) == 3  # heat map, its colour bar, raster
    for name, fig in figures.items():
        fig.savefig(tmp_path / f"{name}.png", dpi=80)
        check_png(tmp_path / f"{name}.png", min_bytes=5_000)


@pytest.mark.parametrize("name", ["net.h5", "v.h5", "trace.h5", "metrics.csv",
                                  "checkpoint_latest.h5", "v_t_array.npy"])
def test_command_line_picks_the_plot(name, sonata, train_run, tmp_path, capsys):
    src = (sonata if name.endswith(("net.h5", "v.h5")) else train_run) / name
    out = tmp_path / (name + ".png")
    assert snn.plot.main([str(src), "-o", str(out)]) == 0  # what python3 -m snn.plot runs
    assert capsys.readouterr().out.strip() == str(out)
    check_png(out, min_bytes=5_000)


def test_python_m_snn_plot(sonata, tmp_path):
    out = tmp_path / "net.png"
    r = cli(str(sonata / "net.h5"), "-o", str(out), "--population", "exc", "--bin", "2")
    assert r.returncode == 0, r.stderr
    check_png(out)
    r = cli(str(tmp_path / "missing.h5"))
    assert r.returncode == 1 and "snn.plot: error:" in r.stderr


def test_command_line_errors(tmp_path, capsys):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    assert snn.plot.main([str(tmp_path / "x.csv")]) == 1
    assert "not a metrics.csv" in capsys.readouterr().err


def example(script, *args, cwd):
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / script), *args],
                       capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_example_brunel_raster(tmp_path):
    out = example("brunel_raster.py", "--order", "200", "--t", "200", "-o", "b.png", cwd=tmp_path)
    assert "1000 neurons" in out
    check_png(tmp_path / "b.png")


def test_example_train_fc(tmp_path):
    synthetic_mnist(tmp_path, n_train=64, n_test=16)
    out = example("train_fc.py", "--data-dir", str(tmp_path), "--T", "8", "--batch", "16",
                  "-o", "fc.png", cwd=tmp_path)
    assert "test accuracy" in out
    check_png(tmp_path / "fc.png")


def test_example_load_network(tmp_path):
    out = example("load_network.py", "--t", "80", "-o", "n.png", cwd=tmp_path)
    assert "readout V recorded for neurons [0, 1, 5]: 800 steps" in out
    check_png(tmp_path / "n.png")
    assert (tmp_path / "network.h5").exists()
