"""snn.Model from Python: the IDX readers, fit() giving exactly the weights of snn-train with the
same seed, evaluate/predict/simulate, weights in and out, checkpoints, ResNets, errors, Ctrl-C."""

import csv
import os
import signal
import threading

import h5py
import numpy as np
import pytest

import snn
from conftest import TRAIN_ARGS, binary, run, synthetic_mnist, write_idx


@pytest.fixture(scope="module", autouse=True)
def two_threads():
    snn.set_threads(2)  # as snn-train -j 2
    assert snn.threads() == 2


def test_read_mnist_returns_what_the_files_hold(data_dir, tmp_path):
    folder, sets = data_dir
    for train, part in ((True, "train"), (False, "t10k")):
        images, labels = snn.read_mnist(str(folder), train=train)
        assert images.dtype == np.uint8 and images.shape == sets[part][0].shape
        np.testing.assert_array_equal(images, sets[part][0])
        np.testing.assert_array_equal(labels, sets[part][1])
    plain = synthetic_mnist(tmp_path, n_train=5, n_test=3, seed=9, gz=False)
    images, labels = snn.read_idx(str(tmp_path / "t10k-images-idx3-ubyte"),
                                  str(tmp_path / "t10k-labels-idx1-ubyte"))
    np.testing.assert_array_equal(images, plain["t10k"][0])
    np.testing.assert_array_equal(labels, plain["t10k"][1])


def test_reader_errors(tmp_path):
    with pytest.raises(OSError, match="train-images-idx3-ubyte"):
        snn.read_mnist(str(tmp_path))
    write_idx(tmp_path / "i", np.zeros((3, 28, 28)))
    (tmp_path / "l").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]))
    with pytest.raises(ValueError, match="holds 3 images but .* holds 2 labels"):
        snn.read_idx(str(tmp_path / "i"), str(tmp_path / "l"))


def test_fit_gives_the_weights_of_snn_train(data_dir, train_run, tmp_path):
    folder, _ = data_dir
    x, y = snn.read_mnist(str(folder))
    xt, yt = snn.read_mnist(str(folder), train=False)
    model = snn.fc(seed=3)
    assert model.kind == "fc" and model.T == 100 and model.classes == 10
    assert "Linear(784, 10" in repr(model)
    history = model.fit(x, y, xt, yt, epochs=1, T=6, batch=16, seed=3, out_dir=str(tmp_path),
                        verbose=False)
    with h5py.File(train_run / "checkpoint_latest.h5", "r") as f:
        theirs = f["parameters/fc0.weight"][:]
        exp_avg = f["optimizer/adam.exp_avg.fc0.weight"][:]
    ours = model.weights()
    assert list(ours) == ["fc0.weight"] and ours["fc0.weight"].shape == (10, 784)
    np.testing.assert_array_equal(ours["fc0.weight"], theirs)
    with h5py.File(tmp_path / "checkpoint_latest.h5", "r") as f:
        np.testing.assert_array_equal(f["optimizer/adam.exp_avg.fc0.weight"][:], exp_avg)
        assert f.attrs["optimizer_step"] == 96 // 16
    with open(train_run / "metrics.csv") as f:
        row = next(csv.DictReader(f))
    assert len(history) == 1 and history[0]["epoch"] == 0
    for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
        assert history[0][key] == pytest.approx(float(row[key]), abs=1e-6), key
    assert (tmp_path / "metrics.csv").exists() and (tmp_path / "checkpoint_max.h5").exists()

    # evaluation uses the test loop's draws: the same numbers as the epoch's test
    ev = model.evaluate(xt, yt, T=6, batch=16)
    assert ev["acc"] == pytest.approx(history[0]["test_acc"], abs=1e-12)
    assert ev["loss"] == pytest.approx(history[0]["test_loss"], rel=1e-9)
    rates = model.predict(xt, T=6, batch=16)
    assert rates.shape == (40, 10) and rates.dtype == np.float32
    np.testing.assert_allclose(rates * 6, np.round(rates * 6), atol=1e-5)  # k/T spikes
    assert np.mean(np.argmax(rates, axis=1) == yt) == pytest.approx(ev["acc"])
    out, v = model.simulate(xt[:16], T=6, key=2**32)  # the first test batch's draws
    assert out.shape == (6, 16, 10) and v.shape == (6, 16, 10)
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert np.all(v < 1.0)  # hard reset after reaching the threshold
    np.testing.assert_allclose(out.mean(axis=0), rates[:16], atol=1e-6)


def test_weights_in_and_out_and_checkpoints(train_run, data_dir):
    folder, _ = data_dir
    xt, _ = snn.read_mnist(str(folder), train=False)
    model = snn.fc(seed=11)
    ck = model.load_checkpoint(str(train_run / "checkpoint_latest.h5"))
    assert ck["epoch"] == 0 and ck["args"]["T"] == "6" and ck["args"]["seed"] == "3"
    saved = snn.read_checkpoint(str(train_run / "checkpoint_latest.h5"))
    assert saved["optimizer"] == "adam" and saved["optimizer_step"] == 6
    assert saved["parameters"]["fc0.weight"].dtype == np.float32
    np.testing.assert_array_equal(model.weights()["fc0.weight"], saved["parameters"]["fc0.weight"])
    assert set(saved["optimizer_state"]) == {"adam.exp_avg.fc0.weight", "adam.exp_avg_sq.fc0.weight"}
    w = np.zeros((10, 784), np.float32)
    model.set_weights({"fc0.weight": w})
    assert np.all(model.predict(xt[:4], T=5) == 0.0)  # no input current: no spike
    w[3] = 1.0  # class 3 gets every pixel
    model.set_weights({"fc0.weight": w})
    assert np.all(np.argmax(model.predict(xt[:4], T=5), axis=1) == 3)
    with pytest.raises(ValueError, match=r"fc0.weight.*\[10, 784\]|shape"):
        model.set_weights({"fc0.weight": np.zeros((10, 783))})
    with pytest.raises(ValueError, match="extra|unknown|bias"):
        model.set_weights({"fc0.weight": w, "fc0.bias": np.zeros(10)})
    model.set_weights({"fc0.weight": w * 2}, strict=False)
    np.testing.assert_array_equal(model.weights()["fc0.weight"], w * 2)
    with pytest.raises(OSError):
        model.load_checkpoint(str(train_run / "missing.h5"))
    with pytest.raises(ValueError, match=r"'fc0.weight' has shape \[10, 784\] but the model's is \[20, 784\]"):
        snn.fc(hidden=[20]).load_checkpoint(str(train_run / "checkpoint_latest.h5"))


def test_hidden_layers_and_resume_match_snn_train(data_dir, tmp_path):
    folder, _ = data_dir
    x, y = snn.read_mnist(str(folder))
    xt, yt = snn.read_mnist(str(folder), train=False)
    args = ["-T", "4", "-b", "16", "-j", "2", "-seed", "5", "-hidden", "12", "-opt", "sgd",
            "-lr", "0.1", "-sched", "step", "-step-size", "1", "-gamma", "0.5"]
    run([binary("train"), "-data-dir", str(folder), "-out-dir", str(tmp_path / "app"),
         "-epochs", "2", *args])
    model = snn.fc(hidden=[12], seed=5)
    opts = dict(T=4, batch=16, seed=5, opt="sgd", lr=0.1, sched="step", step_size=1, gamma=0.5,
                verbose=False)
    model.fit(x, y, xt, yt, epochs=1, out_dir=str(tmp_path / "py"), **opts)
    hist = model.fit(x, y, xt, yt, epochs=2, resume=str(tmp_path / "py" / "checkpoint_latest.h5"),
                     out_dir=str(tmp_path / "py"), **opts)
    assert [h["epoch"] for h in hist] == [1] and hist[0]["lr"] == pytest.approx(0.05)
    app = snn.read_checkpoint(str(tmp_path / "app" / "checkpoint_latest.h5"))["parameters"]
    ours = model.weights()
    assert set(ours) == {"fc0.weight", "fc1.weight"} and ours["fc0.weight"].shape == (12, 784)
    for name in ours:
        np.testing.assert_array_equal(ours[name], app[name])


def test_resnet_preset_trains_and_has_buffers(data_dir):
    folder, _ = data_dir
    x, y = snn.read_mnist(str(folder))
    xt, yt = snn.read_mnist(str(folder), train=False)
    model = snn.resnet(preset="tiny", seed=1)
    assert model.kind == "resnet" and model.T == 4
    w0 = model.weights()
    hist = model.fit(x, y, xt, yt, epochs=1, T=2, batch=8, loss="ce", max_train_batches=2,
                     max_test_batches=1, verbose=False)
    assert len(hist) == 1 and 0 <= hist[0]["test_acc"] <= 1
    w1 = model.weights()
    assert any(not np.array_equal(w0[k], w1[k]) for k in w0)
    bufs = model.buffers()
    assert any("running_mean" in k for k in bufs)
    assert model.predict(xt[:3], T=2).shape == (3, 10)
    out, v = model.simulate(xt[:2], T=2)
    assert out.shape == (2, 2, 10) and v is None  # a Linear readout: values, no V
    sew = snn.resnet(preset="tiny", block="sew", connect="iand")
    assert sew.kind == "sew-resnet"
    with pytest.raises(ValueError, match="preset|unknown"):
        snn.resnet(preset="huge")


def test_bad_input_raises_value_errors(data_dir):
    folder, _ = data_dir
    x, y = snn.read_mnist(str(folder))
    model = snn.fc()
    with pytest.raises(ValueError, match="images must be uint8"):
        model.predict(x.astype(np.float32))
    with pytest.raises(ValueError, match="labels must be integers"):
        model.fit(x, y[:10], x, y, verbose=False)
    with pytest.raises(ValueError, match="unknown optimizer|optimizer"):
        model.fit(x, y, x, y, opt="nadam", verbose=False)
    with pytest.raises(ValueError, match="fewer than one batch"):
        model.fit(x[:8], y[:8], x, y, batch=16, verbose=False)
    with pytest.raises(ValueError, match="images are 14×14"):
        model.predict(np.zeros((2, 14, 14), np.uint8))
    with pytest.raises(ValueError, match="tau"):
        snn.fc(tau=0.5)
    with pytest.raises(OSError):
        model.fit(x, y, x, y, resume="/nonexistent/ck.h5", verbose=False)


def test_fit_prints_the_epoch_lines(data_dir, capsys):
    folder, _ = data_dir
    x, y = snn.read_mnist(str(folder))
    snn.fc().fit(x, y, x[:16], y[:16], T=2, batch=32, verbose=True)
    out = capsys.readouterr().out
    assert out.startswith("epoch = 0, train_loss = ") and "train speed = " in out


def test_ctrl_c_stops_training():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (512, 28, 28)).astype(np.uint8)
    y = rng.integers(0, 10, 512)
    model = snn.fc(hidden=[64])
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, x, y, epochs=1000, T=20, verbose=False)
    timer.join()
