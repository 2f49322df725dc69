"""Load a NIR graph onto the event-driven engine, feed it input spikes, and plot what it did.

    PYTHONPATH=build/python python3 examples/load_nir.py -o nir.png            # a graph made here
    PYTHONPATH=build/python python3 examples/load_nir.py model.nir --t 100 -o nir.png

Without a file, it writes a small graph (Input 20 -> Affine -> LIF 10 -> Output) with
snn.write_nir first. Each Input node gets random spikes (--rate per element per step).
"""
import argparse

import numpy as np

import snn
import snn.plot

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("nir", nargs="?", default=None, help="a NIR file (default: write example.nir)")
p.add_argument("--t", type=float, default=100.0, help="simulated time, ms")
p.add_argument("--dt", type=float, default=None, help="ms (default: the graph's, else 0.1)")
p.add_argument("--rate", type=float, default=0.05, help="input spike probability per step")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--sonata", default="nir.h5")
p.add_argument("-o", "--output", default="nir.png")
a = p.parse_args()
rng = np.random.default_rng(a.seed)

path = a.nir
if path is None:
    path = "example.nir"
    n_in, n = 20, 10
    full = lambda x: np.full(n, x, np.float32)  # noqa: E731
    snn.write_nir(path, {
        "nodes": {
            "input": {"type": "Input", "params": {"shape": np.array([n_in])}},
            "fc": {"type": "Affine", "params": {
                "weight": rng.uniform(0, 2, (n, n_in)).astype(np.float32),
                "bias": np.zeros(n, np.float32)}},
            "lif": {"type": "LIF", "params": {"tau": full(2e-3), "r": full(1), "v_leak": full(0),
                                              "v_threshold": full(1), "v_reset": full(0)}},
            "output": {"type": "Output", "params": {"shape": np.array([n])}},
        },
        "edges": [("input", "fc"), ("fc", "lif"), ("lif", "output")],
    })
graph = snn.read_nir(path)
print(f"{path}: {len(graph['nodes'])} nodes, {len(graph['edges'])} edges")

probe = snn.load_nir(path, dt=a.dt)  # to learn dt and the Inputs' sizes
steps = int(round(a.t / probe.dt))
inputs = {}
for name in probe.inputs:
    k, i = np.nonzero(rng.random((steps, probe.population_size(name))) < a.rate)
    inputs[name] = ((k + 1) * probe.dt, i)  # step k + 1, in ms
net = snn.load_nir(path, dt=a.dt, inputs=inputs, record_spikes="all")
spiking = [pop for pop, kind in net.outputs.values() if kind == "spikes"]
if spiking:
    net.record_voltage(spiking[0], list(range(min(5, net.population_size(spiking[0])))))
net.run(steps * net.dt)
for name, (pop, kind) in net.outputs.items():
    if kind == "spikes":
        print(f"output {name} ({pop}): {len(net.output(name)[0])} output spikes")
    else:
        print(f"output {name} ({pop}): V [{steps}, {net.population_size(pop)}]")

net.write_sonata(a.sonata)
sizes = {pop: net.population_size(pop) for pop in net.populations}
fig = snn.plot.spikes_figure(a.sonata, sizes=sizes)
fig.savefig(a.output, dpi=110)
print(a.output)
