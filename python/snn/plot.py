"""Pictures of what snn wrote, with matplotlib (figures built without pyplot, so any backend or
none works: Agg in scripts, inline in notebooks).

    spikes_figure("brunel.h5")        raster and population rates from SONATA spikes (+ voltages)
    voltage_figure("run.h5")          voltage traces from SONATA reports
    trace_figure("runs/x/trace.h5")   the output layer over T as SpikingJelly's lif_fc_mnist
                                      tutorial shows it: a heat map of V and the spike raster
    metrics_figure("runs/x/metrics.csv")   loss and accuracy per epoch
    weights_figure("runs/x/checkpoint_latest.h5")   the first layer's weights as images
    plot_file(path)                   whichever of these fits the file's content

Command line: python3 -m snn.plot FILE [-o out.png] [--population NAME] [--bin MS]
"""

import argparse
import csv
import sys

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "spikes_figure", "voltage_figure", "trace_figure", "metrics_figure", "weights_figure",
    "heatmap_figure", "plot_file", "raster", "population_rates", "main",
]


def _h5py():
    import h5py  # only the HDF5 plots need it

    return h5py


def read_sonata_spikes(path):
    """{population: (times_ms, node_ids)} of a SONATA spike file."""
    with _h5py().File(path, "r") as f:
        if "spikes" not in f:
            return {}
        return {p: (g["timestamps"][:], g["node_ids"][:]) for p, g in f["spikes"].items()}


def read_sonata_reports(path):
    """{population: (times_ms, node_ids, data[time, node])} of SONATA reports."""
    out = {}
    with _h5py().File(path, "r") as f:
        for p, g in f.get("report", {}).items():
            start, _, dt = g["mapping/time"][:]
            data = g["data"][:]
            out[p] = (start + dt * np.arange(data.shape[0]), g["mapping/node_ids"][:], data)
    return out


def raster(ax, spikes, sizes=None):
    """Dots (time, neuron) per population, populations stacked; returns the y offsets."""
    offset, ticks = 0, []
    for i, (pop, (t, ids)) in enumerate(spikes.items()):
        ax.plot(t, ids.astype(np.int64) + offset, ",", color=f"C{i}", label=pop, rasterized=True)
        n = sizes.get(pop) if sizes else None
        n = int(n if n is not None else (ids.max() + 1 if len(ids) else 1))
        ticks.append((offset + n / 2, pop))
        offset += n
    ax.set_yticks([y for y, _ in ticks], [p for _, p in ticks])
    ax.set_ylabel("neuron")
    return ticks


def population_rates(spikes, sizes=None, bin_ms=5.0, t_stop=None):
    """{population: (bin_centres_ms, rate_hz)}: spikes per bin / (neurons · bin)."""
    t_end = t_stop or max((t.max() for t, _ in spikes.values() if len(t)), default=bin_ms)
    edges = np.arange(0.0, t_end + bin_ms, bin_ms)
    out = {}
    for pop, (t, ids) in spikes.items():
        n = (sizes or {}).get(pop) or (int(ids.max()) + 1 if len(ids) else 1)
        counts, _ = np.histogram(t, edges)
        out[pop] = (edges[:-1] + bin_ms / 2, counts / (n * bin_ms * 1e-3))
    return out


def spikes_figure(path, bin_ms=5.0, populations=None, sizes=None):
    """Raster of every population, their rates in bins of `bin_ms`, and (when the file holds
    reports) the recorded voltages."""
    spikes = read_sonata_spikes(path)
    if populations:
        spikes = {p: spikes[p] for p in populations}
    reports = read_sonata_reports(path)
    rows = 3 if reports else 2
    fig = Figure(figsize=(9, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, height_ratios=[3, 1.2] + ([1.5] if reports else []))
    raster(axes[0], spikes, sizes)
    total = sum(len(t) for t, _ in spikes.values())
    axes[0].set_title(f"{path}: {total} spikes")
    for i, (pop, (centres, rate)) in enumerate(population_rates(spikes, sizes, bin_ms).items()):
        axes[1].step(centres, rate, where="mid", color=f"C{i}", label=pop)
    axes[1].set_ylabel(f"rate (Hz, {bin_ms:g} ms bins)")
    axes[1].legend(loc="upper right", fontsize="small")
    if reports:
        _voltages(axes[2], reports)
    axes[-1].set_xlabel("time (ms)")
    return fig


def _voltages(ax, reports, max_traces=10):
    for pop, (t, ids, data) in reports.items():
        for k in range(min(max_traces, data.shape[1])):
            ax.plot(t, data[:, k], lw=0.8, label=f"{pop} {ids[k]}")
    ax.set_ylabel("V (mV)")
    ax.legend(loc="upper right", fontsize="x-small", ncol=2)


def voltage_figure(path, population=None, max_traces=10):
    """Voltage traces of the recorded neurons (SONATA /report), one panel per population."""
    reports = read_sonata_reports(path)
    if population:
        reports = {population: reports[population]}
    if not reports:
        raise ValueError(f"{path}: no /report group (record voltages with -record-v)")
    fig = Figure(figsize=(9, 2.4 * len(reports)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(reports), 1, sharex=True, squeeze=False)[:, 0])
    for ax, (pop, r) in zip(axes, reports.items()):
        _voltages(ax, {pop: r}, max_traces)
        ax.set_title(pop)
    axes[-1].set_xlabel("time (ms)")
    return fig


def heatmap_figure(v, s=None, title="", v_threshold=None):
    """V [T, neurons] as a heat map (x: step, y: neuron, as SpikingJelly's plot_2d_heatmap) and,
    given s [T, neurons], the spike raster (its plot_1d_spikes)."""
    v = np.asarray(v)
    fig = Figure(figsize=(9, 6 if s is not None else 3.5), layout="constrained")
    axes = fig.subplots(2 if s is not None else 1, 1, sharex=True, squeeze=False)[:, 0]
    im = axes[0].imshow(v.T, aspect="auto", origin="lower", cmap="viridis",
                        extent=(-0.5, v.shape[0] - 0.5, -0.5, v.shape[1] - 0.5))
    fig.colorbar(im, ax=axes[0], label="membrane potential")
    axes[0].set_ylabel("neuron")
    axes[0].set_title(title or "membrane potential of the output layer")
    if s is not None:
        s = np.asarray(s)
        for c in range(s.shape[1]):
            steps = np.nonzero(s[:, c])[0]
            axes[1].vlines(steps, c - 0.4, c + 0.4, color=f"C{c % 10}")
        axes[1].set_ylim(-0.5, s.shape[1] - 0.5)
        axes[1].set_ylabel("neuron")
        rates = s.mean(axis=0)
        axes[1].set_title("spikes; firing rates " + " ".join(f"{r:.2f}" for r in rates))
    axes[-1].set_xlabel("simulating step")
    return fig


def trace_figure(path):
    """trace.h5 of snn-train: the output layer's V heat map and spike raster over T."""
    with _h5py().File(path, "r") as f:
        v, s = f["v_t_array"][:], f["s_t_array"][:]
        a = dict(f.attrs)
    title = (f"test image {a.get('image_index', 0)}: label {a.get('label')}, "
             f"predicted {a.get('predicted')} (T {v.shape[0]})")
    return heatmap_figure(v, s, title)


def read_metrics(path):
    """metrics.csv as {column: float array}."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "epoch" not in rows[0]:
        raise ValueError(f"{path}: not a metrics.csv (no 'epoch' column)")
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def metrics_figure(path):
    """Training curves: train/test loss and accuracy per epoch, and the learning rate."""
    m = read_metrics(path)
    fig = Figure(figsize=(10, 3.4), layout="constrained")
    a, b, c = fig.subplots(1, 3)
    e = m["epoch"]
    a.plot(e, m["train_loss"], "o-", label="train")
    a.plot(e, m["test_loss"], "o-", label="test")
    a.set_ylabel("loss")
    b.plot(e, 100 * m["train_acc"], "o-", label="train")
    b.plot(e, 100 * m["test_acc"], "o-", label="test")
    b.set_ylabel("accuracy (%)")
    c.plot(e, m["lr"], "o-", color="C2")
    c.set_ylabel("learning rate")
    for ax in (a, b, c):
        ax.set_xlabel("epoch")
    a.legend()
    b.legend()
    fig.suptitle(str(path))
    return fig


def weights_figure(path, name=None):
    """The first Linear layer's weights of a checkpoint, one image per output neuron."""
    with _h5py().File(path, "r") as f:
        params = f["parameters"]
        name = name or next(n for n in params if params[n].ndim == 2)
        w = params[name][:]
    side = int(round(np.sqrt(w.shape[1])))
    if side * side != w.shape[1]:
        raise ValueError(f"{path}: {name} has {w.shape[1]} inputs, not a square image")
    cols = min(10, w.shape[0])
    rows = (w.shape[0] + cols - 1) // cols
    fig = Figure(figsize=(1.3 * cols, 1.5 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    lim = np.abs(w).max() or 1.0
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < w.shape[0]:
            ax.imshow(w[k].reshape(side, side), cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_title(str(k), fontsize="small")
    fig.suptitle(f"{name} ({w.shape[0]} × {w.shape[1]})")
    return fig


def plot_file(path, population=None, bin_ms=5.0):
    """The figure that fits the file: metrics.csv → curves; .npy [T, n] → heat map; HDF5: a
    trace → heat map and raster, a checkpoint → weights, SONATA spikes → raster and rates (and
    voltages), SONATA reports alone → voltages."""
    path = str(path)
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"\x93NUMPY"):
        return heatmap_figure(np.load(path), title=path)
    if magic != b"\x89HDF\r\n\x1a\n":
        return metrics_figure(path)
    with _h5py().File(path, "r") as f:
        kind = ("trace" if "v_t_array" in f else
                "checkpoint" if f.attrs.get("format") in ("snn-checkpoint", b"snn-checkpoint") else
                "spikes" if "spikes" in f and len(f["spikes"]) else
                "report" if "report" in f else None)
    if kind == "trace":
        return trace_figure(path)
    if kind == "checkpoint":
        return weights_figure(path)
    if kind == "spikes":
        return spikes_figure(path, bin_ms, [population] if population else None)
    if kind == "report":
        return voltage_figure(path, population)
    raise ValueError(f"{path}: no spikes, report, trace or checkpoint in this HDF5 file")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m snn.plot", description=__doc__.split("\n")[0])
    p.add_argument("file", help="SONATA .h5, trace.h5, checkpoint .h5, metrics.csv or .npy")
    p.add_argument("-o", "--output", help="image file (default: FILE with .png)")
    p.add_argument("--population", help="only this population (SONATA files)")
    p.add_argument("--bin", type=float, default=5.0, help="rate bin, ms (default 5)")
    p.add_argument("--dpi", type=int, default=120)
    a = p.parse_args(argv)
    try:
        fig = plot_file(a.file, a.population, a.bin)
    except (OSError, ValueError, KeyError) as e:
        print(f"snn.plot: error: {e}", file=sys.stderr)
        return 1
    out = a.output or a.file.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=a.dpi)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
