#!/usr/bin/python3
"""The scenario dynamics written the way a researcher would in NumPy.

Vectorised over trajectories: each year draws every trajectory's revision
count from Poisson(Lambda), then applies revision r to the trajectories that
have at least r revisions left, with the heat-bath rule of the spec
(docs/model.md). Tallies the scenario of every trajectory at every year, which
is less than scenmc tallies (eight tables): the comparison favours NumPy.

  /usr/bin/python3 bench/reference_numpy.py [--json MODEL_JSON] [-n N] [--seed S]

The model comes from `scenmc info --json` (the default model if --json is not
given and build/scenmc exists). Prints trajectories per second and the
final-year scenario probabilities, which agree with scenmc's within sampling
error (an end-to-end check that the two implement the same dynamics).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def load_model(path, scenmc):
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    out = subprocess.run([scenmc, "info", "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def simulate(model, n, beta, rate, years, seed):
    rng = np.random.default_rng(seed)
    C = np.array(model["consistency"], dtype=float)
    W = beta * C  # w_C = 1, no cross impact in the default model
    descs = model["descriptors"]
    nvar = np.array([len(d["variants"]) for d in descs])
    D, V = len(descs), C.shape[0]
    offset = np.concatenate([[0], np.cumsum(nvar)[:-1]])
    maxn = nvar.max()
    # index of descriptor i's b-th variant, padded with -1
    vidx = np.full((D, maxn), -1)
    for i in range(D):
        vidx[i, : nvar[i]] = offset[i] + np.arange(nvar[i])
    # scenario lookup from the scenario conditions
    scen = model["scenarios"]
    ids = model["descriptor_ids"]

    def scenario_of(state):
        out = np.full(state.shape[0], len(scen))
        for k in range(len(scen) - 1, -1, -1):
            ok = np.ones(state.shape[0], bool)
            for did, vname in scen[k]["when"].items():
                i = ids.index(did)
                b = descs[i]["variants"].index(vname)
                ok &= state[:, i] == b
            out[ok] = k
        return out

    state = np.stack([rng.integers(0, nvar[i], n) for i in range(D)], axis=1)
    F = W[offset + state].sum(axis=1)  # (n, V) field
    lam = rate * D
    tally = np.zeros((years + 1, len(scen) + 1), dtype=np.int64)
    tally[0] = np.bincount(scenario_of(state), minlength=len(scen) + 1)
    rows = np.arange(n)
    for y in range(1, years + 1):
        k = rng.poisson(lam, n)
        for r in range(k.max()):
            act = rows[k > r]
            i = rng.integers(0, D, act.size)
            cols = vidx[i]  # (m, maxn)
            f = np.where(cols >= 0, F[act[:, None], np.maximum(cols, 0)], -np.inf)
            w = np.exp(f - f.max(axis=1, keepdims=True))
            c = np.cumsum(w, axis=1)
            u = rng.random(act.size) * c[:, -1]
            b = (c < u[:, None]).sum(axis=1)
            old = state[act, i]
            moved = b != old
            a2, i2, b2, o2 = act[moved], i[moved], b[moved], old[moved]
            F[a2] += W[offset[i2] + b2] - W[offset[i2] + o2]
            state[a2, i2] = b2
        tally[y] = np.bincount(scenario_of(state), minlength=len(scen) + 1)
    return tally


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="model as written by `scenmc info --json`")
    ap.add_argument("--scenmc", default=os.path.join(os.path.dirname(__file__), "..", "build", "scenmc"))
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--beta", type=float, default=0.5)
    ap.add_argument("--rate", type=float, default=0.5)
    ap.add_argument("--years", type=int, default=10)
    a = ap.parse_args()
    model = load_model(a.json, a.scenmc)
    t0 = time.perf_counter()
    tally = simulate(model, a.n, a.beta, a.rate, a.years, a.seed)
    dt = time.perf_counter() - t0
    print(f"numpy\ttrajectories\t{a.n}\tseconds\t{dt:.3f}\ttraj_per_s\t{a.n / dt:.0f}")
    names = [s["name"] for s in model["scenarios"]]
    final = tally[-1] / a.n
    print("final\t" + "\t".join(f"{n}={p:.4f}" for n, p in zip(names, final)))


if __name__ == "__main__":
    sys.exit(main())
