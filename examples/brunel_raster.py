"""Simulate Brunel's balanced network from Python and plot its raster and population rates.

    PYTHONPATH=build/python python3 examples/brunel_raster.py --order 2500 --t 1000 -o brunel.png

The same network and seed as `snn-sim -network brunel -order 2500 -t 1000`, so the same spikes.
"""
import argparse

import snn
import snn.plot

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--order", type=int, default=2500, help="NE = 4·order, NI = order")
p.add_argument("--t", type=float, default=1000.0, help="simulated time, ms")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--sonata", default="brunel.h5", help="SONATA spike file to write")
p.add_argument("-o", "--output", default="brunel.png")
a = p.parse_args()

net = snn.brunel(order=a.order, seed=a.seed)
stats = net.run(a.t)  # or in pieces: net.run(500); net.run(500)
times, ids = net.spikes("exc")
rate = stats["spikes"] / (net.neurons * a.t * 1e-3)
print(f"{net.neurons} neurons, {net.synapses} synapses, {stats['spikes']} spikes "
      f"({rate:.1f} Hz) in {stats['sim_s']:.2f} s")

net.write_sonata(a.sonata)
sizes = {p: net.population_size(p) for p in net.populations}
fig = snn.plot.spikes_figure(a.sonata, bin_ms=5.0, sizes=sizes)
fig.savefig(a.output, dpi=110)
print(a.output)
