"""The report and the export of a judgement ensemble against numpy's quantiles
of the members' own table in the HDF5 file (scenmc's test_cliout runs this).

usage: check_ensemble.py FILE.h5 REPORT.md EXPORT_DIR"""
import csv
import sys

import h5py
import numpy as np


def members_table(f):
    """Each member's scenario probabilities [M, Y, S], wherever the layout keeps them."""
    g = f["ensemble"]
    if "scenario_probability" in g:
        return g["scenario_probability"][()]
    m = int(g.attrs["n_members"])
    found = []
    g.visititems(lambda n, o: found.append(o) if isinstance(o, h5py.Dataset) and o.ndim == 3
                 and o.shape[0] == m else None)
    if len(found) != 1:
        sys.exit(f"expected one [M, Y, S] table under /ensemble, found {len(found)}")
    return found[0][()]


def report_rows(path):
    """The rows of the judgement-uncertainty table: name -> (q05, q50, q95)."""
    rows, inside = {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("## Judgement uncertainty"):
            inside = True
        elif line.startswith("## "):
            inside = False
        elif inside and line.startswith("| ") and "---" not in line and "Scenario" not in line:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = tuple(float(x) for x in cells[2:5])
    return rows


def main(h5, report, folder):
    got = report_rows(report)
    with h5py.File(h5, "r") as f:
        table = members_table(f)
        names = open_names(f, table.shape[2])
    # Without names in the file (another layout), the report's rows in model order.
    names = [n.decode() if isinstance(n, bytes) else n for n in names] if names else list(got)
    want = np.quantile(table[:, -1, :], [0.05, 0.5, 0.95], axis=0)  # linear, as GSL's
    if len(got) != len(names):
        sys.exit(f"{len(got)} rows in the report's ensemble table; expected {len(names)}")
    for s, name in enumerate(names):
        for k in range(3):
            if abs(got[name][k] - want[k, s]) > 5.01e-5:
                sys.exit(f"{name}: report {got[name]}, numpy {want[:, s]}")
    text = open(report, encoding="utf-8").read()
    if "dominates" not in text:
        sys.exit("no sentence on what dominates")
    rows = list(csv.DictReader(open(f"{folder}/ensemble_scenario.csv", encoding="utf-8")))
    last = max(int(r["year"]) for r in rows)
    checked = 0
    for r in rows:
        if int(r["year"]) != last:
            continue
        s = names.index(r["scenario"])
        for k, col in enumerate(("q05", "q50", "q95")):
            if abs(float(r[col]) - want[k, s]) > 1e-12:
                sys.exit(f"ensemble_scenario.csv {r['scenario']} {col} {r[col]}, numpy {want[k, s]}")
            checked += 1
    members = list(csv.DictReader(open(f"{folder}/ensemble_members.csv", encoding="utf-8")))
    if len(members) != table.size:
        sys.exit(f"ensemble_members.csv: {len(members)} rows; expected {table.size}")
    print(f"{len(names)} scenarios, {checked} exported quantiles as numpy computes them")


def open_names(f, n):
    """The scenario names, the last one 'unclassified' when the table has one more."""
    for key in ("scenario", "scenario_name"):
        if key in f and f[key].ndim == 1 and f[key].dtype.kind in "SO":
            return list(f[key][()])[:n]
    return None


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
