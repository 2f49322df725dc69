#!/usr/bin/env python3
"""The anchor of `bench/sim/stdp_vs_brian2.sh`: examples/brunel_stdp.json in Brian2 (C++ standalone).

Brunel (2000) model A at order 2500 (NE = 10,000, NI = 2,500, fixed in-degree 1,000 exc and 250
inh, multapses and autapses allowed as NEST's fixed_indegree, J 0.1 mV, g 5, delay 1.5 ms, V_th
20 mV, V_reset 10 mV, t_ref 2 ms, dt 0.1 ms, v(0) uniform in [0, 20) mV, Poisson drive 20 kHz of
0.1 mV per neuron; inputs during the refractory period dropped, as NEST's iaf_psc_delta) with
NEST's multiplicative stdp_synapse on E -> E: traces of tau_plus = tau_minus = 20 ms, lambda 0.01,
alpha 1, mu_plus = mu_minus = 1, Wmax 0.2 mV, weights start at J. At a presynaptic spike (as it
reaches the synapse) w -= alpha lambda w K-, at a postsynaptic spike w += lambda (Wmax - w) K+.

Usage: brian2_brunel_stdp.py [--duration 1000] [--threads 0] [--reruns 1]
Prints one 'RESULT ...' line per timed run: run_s is the simulation time Brian2 measures itself
(the binary's network run, without code generation and compilation).
"""
import argparse
import os
import shutil
import tempfile

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--duration", type=float, default=1000.0, help="ms")
    p.add_argument("--threads", type=int, default=0, help="OpenMP threads (0: none)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reruns", type=int, default=1, help="extra runs of the built binary")
    p.add_argument("--outdir", default=os.path.join(tempfile.gettempdir(), "brian2_brunel_stdp"))
    args = p.parse_args()

    import brian2 as b2
    from brian2 import ms, mV, Hz, NeuronGroup, Synapses, PoissonInput, SpikeMonitor, prefs

    directory = os.path.join(args.outdir, f"thr{args.threads}")
    if os.path.exists(directory):
        shutil.rmtree(directory)
    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = args.threads
    b2.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    b2.defaultclock.dt = 0.1 * ms

    NE, NI, CE, CI = 10000, 2500, 1000, 250
    N = NE + NI
    ns = dict(tau_m=20 * ms, V_th=20 * mV, V_reset=10 * mV, J=0.1 * mV, JI=-0.5 * mV,
              tau_plus=20 * ms, tau_minus=20 * ms, lam=0.01, alpha=1.0, Wmax=0.2 * mV)
    P = NeuronGroup(N, "dv/dt = -v/tau_m : volt (unless refractory)", threshold="v > V_th",
                    reset="v = V_reset", refractory=2 * ms, method="exact", namespace=ns)
    P.v = "20*mV*rand()"
    PE, PI = P[:NE], P[NE:]

    def indegree(n_source, n_target, k):
        return rng.integers(0, n_source, size=n_target * k, dtype=np.int32), np.repeat(
            np.arange(n_target, dtype=np.int32), k)

    # E -> E: plastic.
    pre, post = indegree(NE, NE, CE)
    SEE = Synapses(PE, PE, model="""w : volt
                                     dKp/dt = -Kp / tau_plus : 1 (event-driven)
                                     dKm/dt = -Km / tau_minus : 1 (event-driven)""",
                   on_pre="""v_post += w * int(not_refractory_post)
                             w = clip(w - alpha * lam * w * Km, 0 * mV, Wmax)
                             Kp += 1""",
                   on_post="""w = clip(w + lam * (Wmax - w) * Kp, 0 * mV, Wmax)
                              Km += 1""",
                   delay=1.5 * ms, namespace=ns)
    SEE.connect(i=pre, j=post)
    SEE.w = 0.1 * mV
    # E -> I, I -> E, I -> I: static.
    pre, post = indegree(NE, NI, CE)
    SEI = Synapses(PE, PI, on_pre="v_post += J * int(not_refractory_post)", delay=1.5 * ms, namespace=ns)
    SEI.connect(i=pre, j=post)
    pre, post = indegree(NI, N, CI)
    SIX = Synapses(PI, P, on_pre="v_post += JI * int(not_refractory_post)", delay=1.5 * ms, namespace=ns)
    SIX.connect(i=pre, j=post)
    ext = PoissonInput(P, "v", N=CE, rate=20 * Hz, weight="J * int(not_refractory)")
    mon = SpikeMonitor(P)
    net = b2.Network(P, SEE, SEI, SIX, ext, mon)
    net.run(args.duration * ms, namespace=ns)

    dev = b2.get_device()
    dev.build(directory=directory, compile=True, run=True, with_output=False)

    def report(label):
        idx = np.asarray(mon.i[:])
        w = np.asarray(SEE.w[:] / mV)
        print(f"RESULT {label} neurons={N} synapses={NE * CE + NI * CE + N * CI} "
              f"threads={args.threads} spikes={len(idx)} rate_hz={len(idx) / N / (args.duration / 1e3):.2f} "
              f"mean_ee_weight_mv={w.mean():.6f} run_s={dev._last_run_time:.3f}", flush=True)

    report("build")
    for k in range(args.reruns):
        dev.run(directory, with_output=False, run_args=[])
        report(f"rerun{k}")


if __name__ == "__main__":
    main()
