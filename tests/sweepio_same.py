#!/usr/bin/python3
"""Compares HDF5 results files without knowing their layout (task sweepio).

  sweepio_same.py same A B         every dataset of A and B bit for bit, and the
                                   root attributes except the run's own (created,
                                   wall_seconds, command_line)
  sweepio_same.py point S I RUN    point I of the sweep file S equals the run
                                   file RUN in every integer dataset they share
                                   (the counts)
Exit 0 when equal; 1 with the first difference.
"""
import sys

import h5py
import numpy as np

OWN = {"created", "wall_seconds", "command_line"}


def datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o) if isinstance(o, h5py.Dataset) else None)
    return out


def equal(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.kind == "f":
        return x.tobytes() == y.tobytes()
    return np.array_equal(x, y)


def same(a, b):
    fa, fb = h5py.File(a, "r"), h5py.File(b, "r")
    da, db = datasets(fa), datasets(fb)
    if set(da) != set(db):
        sys.exit(f"datasets differ: {sorted(set(da) ^ set(db))}")
    for n in da:
        if not equal(da[n][()], db[n][()]):
            sys.exit(f"dataset {n} differs")
    for k in (set(fa.attrs) | set(fb.attrs)) - OWN:
        if k not in fa.attrs or k not in fb.attrs or not equal(fa.attrs[k], fb.attrs[k]):
            sys.exit(f"root attribute {k} differs")
    print(f"{len(da)} datasets equal")


def point(s, i, run):
    fs, fr = h5py.File(s, "r"), h5py.File(run, "r")
    ds, dr = datasets(fs), datasets(fr)
    n = total = 0
    for name, d in dr.items():
        if d.dtype.kind not in "iu" or name not in ds:
            continue
        if ds[name].ndim != d.ndim + 1 or ds[name].shape[1:] != d.shape:
            continue
        if not equal(ds[name][i], d[()]):
            sys.exit(f"{name}: point {i} differs from the run")
        n += 1
        total += int(np.sum(d[()]))
    if n == 0 or total == 0:
        sys.exit("no counts in common: nothing compared")
    print(f"{n} count datasets equal")


if __name__ == "__main__":
    if sys.argv[1] == "same":
        same(sys.argv[2], sys.argv[3])
    else:
        point(sys.argv[2], int(sys.argv[3]), sys.argv[4])
