"""Load a network file, run it from Python in pieces, write SONATA, and plot what was recorded.

    PYTHONPATH=build/python python3 examples/load_network.py examples/network.json -o net.png
"""
import argparse
import pathlib

import snn
import snn.plot

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("network", nargs="?", default=str(pathlib.Path(__file__).with_name("network.json")))
p.add_argument("--t", type=float, default=None, help="ms (default: the file's t_stop)")
p.add_argument("--sonata", default="network.h5")
p.add_argument("-o", "--output", default="network.png")
a = p.parse_args()

net = snn.load_network(a.network)
t_stop = a.t if a.t is not None else (net.t_stop or 1000.0)
half = round(t_stop / 2 / net.dt) * net.dt
net.run(half)  # state carries over between runs
net.run(t_stop - half)
for pop in net.populations:
    print(f"{pop}: {net.spike_count(pop)} spikes")
t, ids, v = net.voltages("readout")
print(f"readout V recorded for neurons {list(ids)}: {v.shape[0]} steps, max {v.max():.2f} mV")

net.write_sonata(a.sonata)
sizes = {p: net.population_size(p) for p in net.populations}
fig = snn.plot.spikes_figure(a.sonata, sizes=sizes)  # raster, rates, and the voltages
fig.savefig(a.output, dpi=110)
print(a.output)
