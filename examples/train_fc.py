"""Train the 784-10 LIF network (SpikingJelly's lif_fc_mnist) from Python, then plot its output
layer for one test image as the tutorial does: V as a heat map over T, and the spikes.

    PYTHONPATH=build/python python3 examples/train_fc.py \
        --data-dir /usr/share/datasets/fashion-mnist --epochs 1 -o fc.png

The same weights as `snn-train -data-dir DIR -epochs 1 -T 100 -b 64 -seed 0` after the epoch.
"""
import argparse

import numpy as np

import snn
import snn.plot

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--T", type=int, default=100)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--train-limit", type=int, default=0, help="use only the first N training images")
p.add_argument("--out-dir", default="", help="run folder for checkpoints and metrics.csv")
p.add_argument("-o", "--output", default="fc.png")
a = p.parse_args()

x, y = snn.read_mnist(a.data_dir, train=True)
xt, yt = snn.read_mnist(a.data_dir, train=False)
if a.train_limit:
    x, y = x[: a.train_limit], y[: a.train_limit]

model = snn.fc(seed=0)
history = model.fit(x, y, xt, yt, epochs=a.epochs, T=a.T, batch=a.batch, out_dir=a.out_dir)
print(f"test accuracy {100 * history[-1]['test_acc']:.2f} %")

spikes, v = model.simulate(xt[:1], T=a.T)  # [T, 1, 10] each
fig = snn.plot.heatmap_figure(v[:, 0], spikes[:, 0],
                              title=f"test image 0 (label {yt[0]}, predicted "
                                    f"{int(np.argmax(spikes[:, 0].mean(axis=0)))})")
fig.savefig(a.output, dpi=110)
print(a.output)
