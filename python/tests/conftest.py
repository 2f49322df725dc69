"""Shared fixtures of the Python tests: where the programs are, tiny IDX data sets written by
the tests themselves (CI has no data), and one snn-train run folder per session."""

import gzip
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("SNN_SOURCE_DIR", pathlib.Path(__file__).parents[2]))


def binary(name):
    path = os.environ.get("SNN_" + name.upper() + "_BINARY")
    if not path:
        path = str(SOURCE_DIR / "build" / "apps" / ("snn-" + name) / ("snn-" + name))
    if not os.path.exists(path):
        pytest.skip(f"{path} not built")
    return path


def run(args, **kw):
    """Runs a program; fails the test with its stderr when it fails."""
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{args[0]} failed ({r.returncode}): {r.stderr}"
    return r


def write_idx(path, array, gz=False):
    """An IDX file (LeCun's format): magic 0x08 (ubyte) and the rank, big-endian dims, data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    head = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(head + array.tobytes())


def synthetic_mnist(folder, n_train=96, n_test=40, seed=1, gz=True):
    """Random 28x28 images whose class shows as a bright block (learnable in a few batches)."""
    rng = np.random.default_rng(seed)
    sets = {}
    for part, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 64, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            r0, c0 = (label // 5) * 14, (label % 5) * 5
            images[i, r0 : r0 + 10, c0 : c0 + 5] = 255
        ext = ".gz" if gz else ""
        write_idx(folder / f"{part}-images-idx3-ubyte{ext}", images, gz)
        write_idx(folder / f"{part}-labels-idx1-ubyte{ext}", labels, gz)
        sets[part] = (images, labels)
    return sets


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist")
    sets = synthetic_mnist(folder)
    return folder, sets


TRAIN_ARGS = ["-T", "6", "-b", "16", "-epochs", "1", "-j", "2", "-seed", "3"]


@pytest.fixture(scope="session")
def train_run(data_dir, tmp_path_factory):
    """snn-train on the tiny set (784-10, T 6, batch 16, one epoch, seed 3) with -save-npy."""
    folder, _ = data_dir
    out = tmp_path_factory.mktemp("run")
    run([binary("train"), "-data-dir", str(folder), "-out-dir", str(out), *TRAIN_ARGS,
         "-save-npy"])
    return out


def pytest_configure(config):
    sys.dont_write_bytecode = True
