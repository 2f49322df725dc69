"""NIR's own Python reader (nir 1.0.7) against files our writer produced (run by test_io).

  compare REF CAND   nir.read both; every node's type, parameters (values, shapes) and metadata,
                     and the edges, must be equal. Exit 1 with the differences otherwise.
  rewrite IN OUT     nir.read IN, then nir.write OUT (NIR's writer), for our reader to check.
"""

import dataclasses
import sys

import numpy as np

import nir

if not hasattr(nir, "version"):  # only set when nir is pip-installed; the writer needs it
    nir.version = "1.0.7"

SKIP = {"input_type", "output_type", "metadata", "nodes", "edges"}


def fields(node):
    return {f.name: getattr(node, f.name) for f in dataclasses.fields(node) if f.name not in SKIP}


def same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def compare_graphs(ref, cand, path, out):
    if set(ref.nodes) != set(cand.nodes):
        out.append(f"{path}: nodes {sorted(ref.nodes)} != {sorted(cand.nodes)}")
        return
    if [tuple(e) for e in ref.edges] != [tuple(e) for e in cand.edges]:
        out.append(f"{path}: edges {ref.edges} != {cand.edges}")
    for name, r in ref.nodes.items():
        c = cand.nodes[name]
        where = f"{path}{name}"
        if type(r) is not type(c):
            out.append(f"{where}: type {type(r).__name__} != {type(c).__name__}")
            continue
        for key, value in fields(r).items():
            if not same(value, fields(c)[key]):
                out.append(f"{where}.{key}: {value!r} != {fields(c)[key]!r}")
        rm, cm = r.metadata or {}, c.metadata or {}
        for key in rm:
            if key not in cm or not same(rm[key], cm[key]):
                out.append(f"{where}.metadata[{key}] differs")
        if isinstance(r, nir.NIRGraph):
            compare_graphs(r, c, where + ".", out)


def count(g):
    return sum(1 + (count(n) if isinstance(n, nir.NIRGraph) else 0) for n in g.nodes.values())


def main(argv):
    if len(argv) == 4 and argv[1] == "compare":
        ref, cand = nir.read(argv[2]), nir.read(argv[3])
        problems = []
        compare_graphs(ref, cand, "", problems)
        for p in problems:
            print(f"{argv[3]}: {p}")
        print(f"{argv[2]} -> our reader -> our writer -> nir.read: {count(ref)} nodes, "
              f"{len(ref.edges)} edges, {'equal' if not problems else f'{len(problems)} differences'}")
        return 1 if problems else 0
    if len(argv) == 4 and argv[1] == "rewrite":
        g = nir.read(argv[2])
        nir.write(argv[3], g)
        print(f"{argv[2]}: nir.read {count(g)} nodes, {len(g.edges)} edges; nir.write {argv[3]}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
