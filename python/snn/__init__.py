"""snn: event-driven simulation and BPTT training of spiking neural networks.

The same C++ engine as the programs snn-sim and snn-train, from Python:

    import snn
    net = snn.brunel(order=250, seed=1)          # or snn.Network(), snn.load_network("net.json")
    net.run(200.0)                               # snn.load_nir("g.nir"), snn.load_sonata(cfg)
    times, ids = net.spikes("exc")               # NumPy arrays

    x, y = snn.read_mnist("/usr/share/datasets/fashion-mnist")
    xt, yt = snn.read_mnist("/usr/share/datasets/fashion-mnist", train=False)
    model = snn.fc(seed=0)                        # 784-10 LIF, as snn-train
    model.fit(x, y, xt, yt, epochs=1, T=100)

Errors raise ValueError (bad parameters, malformed files), OSError (unreadable or unwritable
files) or RuntimeError, with the engine's message. Long runs release the GIL; Ctrl-C stops them.
Plots: snn.plot (matplotlib); `python3 -m snn.plot FILE -o out.png`.
"""

from ._snn import (  # noqa: F401
    Model,
    Network,
    __version__,
    brunel,
    fc,
    load_network,
    load_nir,
    load_sonata,
    neuron_models,
    read_checkpoint,
    read_idx,
    read_mnist,
    read_nir,
    read_trace,
    resnet,
    set_threads,
    sparse,
    threads,
    write_nir,
)

__all__ = [
    "Model", "Network", "__version__", "brunel", "fc", "load_network", "load_nir",
    "load_sonata", "neuron_models", "read_checkpoint", "read_idx", "read_mnist", "read_nir",
    "read_trace", "resnet", "set_threads", "sparse", "threads", "write_nir",
]
