"""Checks scenmc export's tables of a signposts, calibration or levers file
(tests/test_export17.c) against the HDF5 file read here with h5py, apart
from scenmc's reader: the column headers, one row per observation, every
value (CSV numbers read back to the identical double), and the JSON form
(the same rows as the CSV).

usage: export17_check.py KIND FILE.h5 CSVDIR [JSON] [--order-labels]
KIND: signposts | calibrate | levers, or any (only the JSON against the
CSV, for a file of any other kind). Exit status 0 when every check holds,
else 1 with the failed checks on standard error."""
import csv
import json
import math
import os
import sys

import h5py
import numpy as np

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def strings(ds):
    return [text(x) for x in ds[()]]


def read_csv(folder, name):
    path = os.path.join(folder, name + ".csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def same(a, b):
    """A CSV field against the file's number: identical, or both NaN."""
    x = float(a)
    return (math.isnan(x) and math.isnan(b)) or x == b


def header(folder, name, want):
    head, rows = read_csv(folder, name)
    check(head == want, f"{name}.csv header {head} != {want}")
    return [dict(zip(head, r)) for r in rows]


# ---------------------------------------------------------------- signposts


def check_signposts(h, folder, names):
    g = h["signposts"]
    desc, years = strings(g["descriptor"]), [int(y) for y in g["year"][()]]
    variant, vdesc = strings(g["variant"]), g["variant_descriptor"][()]
    target = strings(g["target"])
    mi, rank, defining = g["mutual_information"][()], g["rank"][()], g["defining"][()]
    best = g["best_descriptor"][()]
    mc = "mutual_information_stderr" in g
    D, Y, V, K = len(desc), len(years), len(variant), len(target)
    cols = ["descriptor"] + names("descriptor") + ["year", "bits"]
    cols += ["stderr", "bias"] if mc else []
    rows = header(folder, "signposts_mutual_information", cols + ["rank", "defining", "best"])
    check(len(rows) == D * Y, f"mutual_information: {len(rows)} rows, expected {D * Y}")
    seen = set()
    for r in rows:
        d, y = desc.index(r["descriptor"]), years.index(int(r["year"]))
        seen.add((d, y))
        check(same(r["bits"], mi[d, y]), f"bits {r}")
        check(int(r["rank"]) == rank[d, y] and int(r["defining"]) == defining[d], f"rank/defining {r}")
        check(int(r["best"]) == int(best[y] == d), f"best {r}")
        if mc:
            check(same(r["stderr"], g["mutual_information_stderr"][d, y]), f"stderr {r}")
            check(same(r["bias"], g["mutual_information_bias"][d, y]), f"bias {r}")
        if "descriptor_order" in r:
            check(int(r["descriptor_order"]) == d + 1, f"descriptor_order {r}")
    check(len(seen) == D * Y, "mutual_information: a (descriptor, year) repeated")

    cols = ["year", "descriptor"] + names("descriptor") + ["variant"] + names("variant")
    cols += ["target"] + names("target") + ["probability", "joint"]
    rows = header(folder, "signposts_conditional", cols)
    check(len(rows) == Y * V * K, f"conditional: {len(rows)} rows, expected {Y * V * K}")
    cond, joint = g["conditional"][()], g["joint"][()]
    for r in rows:
        v = variant.index(r["descriptor"] + "=" + r["variant"])
        check(desc[vdesc[v]] == r["descriptor"], f"variant's descriptor {r}")
        y, k = years.index(int(r["year"])), target.index(r["target"])
        check(same(r["probability"], cond[y, v, k]) and same(r["joint"], joint[y, v, k]), f"conditional {r}")

    has_pairs = "pair_mutual_information" in g and int(g.attrs.get("has_pairs", 0))
    present = os.path.exists(os.path.join(folder, "signposts_pairs.csv"))
    check(bool(has_pairs) == present, f"signposts_pairs.csv present {present}, file has pairs {has_pairs}")
    if has_pairs and present:
        pmi = g["pair_mutual_information"][()]
        pse = g["pair_mutual_information_stderr"][()] if mc else None
        bp = list(zip(g["best_pair_first"][()], g["best_pair_second"][()]))
        cols = ["year", "descriptor"] + names("descriptor") + ["other_descriptor"]
        cols += names("other_descriptor") + ["bits"] + (["stderr"] if mc else []) + ["best"]
        rows = header(folder, "signposts_pairs", cols)
        check(len(rows) == Y * D * (D - 1) // 2, f"pairs: {len(rows)} rows")
        for r in rows:
            y, d, e = years.index(int(r["year"])), desc.index(r["descriptor"]), desc.index(r["other_descriptor"])
            check(d < e and same(r["bits"], pmi[y, d, e]), f"pair bits {r}")
            check(not mc or same(r["stderr"], pse[y, d, e]), f"pair stderr {r}")
            check(int(r["best"]) == int({d, e} == {int(bp[y][0]), int(bp[y][1])}), f"pair best {r}")

    rows = header(folder, "signposts_target", ["target"] + names("target") + ["probability"])
    tp = g["target_probability"][()]
    check([r["target"] for r in rows] == target, "target names")
    for k, r in enumerate(rows):
        check(same(r["probability"], tp[k]), f"target probability {r}")


# ---------------------------------------------------------------- calibration


def check_calibrate(h, folder, names):
    g = h["calibrate"]
    params, value = strings(g["param"]), g["value"][()]
    P, K = value.shape
    ll, lp, post, cred = g["log_likelihood"][()], g["log_prior"][()], g["posterior"][()], g["credible"][()]
    mc = "likelihood_se" in g
    cols = ["point"] + params + ["log_likelihood"] + (["likelihood_se", "effective_size"] if mc else [])
    rows = header(folder, "calibration_points", cols + ["log_prior", "prior", "posterior", "credible"])
    check(len(rows) == P, f"points: {len(rows)} rows, expected {P}")
    for r in rows:
        i = int(r["point"])
        check(all(same(r[p], value[i, j]) for j, p in enumerate(params)), f"point values {r}")
        check(same(r["log_likelihood"], ll[i]) and same(r["log_prior"], lp[i]), f"log likelihood/prior {r}")
        check(abs(float(r["prior"]) - math.exp(lp[i])) <= 1e-15, f"prior {r}")
        check(same(r["posterior"], post[i]) and int(r["credible"]) == cred[i], f"posterior/credible {r}")
        if mc:
            check(same(r["likelihood_se"], g["likelihood_se"][i]), f"likelihood_se {r}")
            check(same(r["effective_size"], g["effective_size"][i]), f"effective_size {r}")
    check(abs(sum(float(r["posterior"]) for r in rows) - 1) < 1e-12, "posterior sums to 1")

    rows = header(folder, "calibration_parameters", ["parameter", "prior", "posterior_mean", "posterior_sd",
                                                     "credible_min", "credible_max"])
    prior, pm, psd = strings(g["prior"]), g["posterior_mean"][()], g["posterior_sd"][()]
    for j, r in enumerate(rows):
        inset = value[cred != 0, j]
        check(r["parameter"] == params[j] and r["prior"] == prior[j], f"parameter {r}")
        check(same(r["posterior_mean"], pm[j]) and same(r["posterior_sd"], psd[j]), f"moments {r}")
        check(same(r["credible_min"], inset.min()) and same(r["credible_max"], inset.max()), f"range {r}")
        # the mean again, from the points: an independent sum
        check(abs(float(r["posterior_mean"]) - float(np.dot(post, value[:, j]))) < 1e-12, f"mean by hand {r}")

    years, scen = [int(y) for y in g["year"][()]], strings(g["scenario"])
    pred, ps = g["predictive_scenario_probability"][()], g["point_scenario_probability"][()]
    rows = header(folder, "calibration_predictive", ["year", "scenario"] + names("scenario") + ["probability"])
    check(len(rows) == len(years) * len(scen), "predictive rows")
    for r in rows:
        y, s = years.index(int(r["year"])), scen.index(r["scenario"])
        check(same(r["probability"], pred[y, s]), f"predictive {r}")
        check(abs(float(r["probability"]) - float(np.dot(post, ps[:, y, s]))) < 1e-12, f"mixture {r}")
    cols = ["point"] + params + ["year", "scenario"] + names("scenario") + ["probability"]
    rows = header(folder, "calibration_point_scenario", cols)
    check(len(rows) == P * len(years) * len(scen), "point_scenario rows")
    for r in rows:
        i, y, s = int(r["point"]), years.index(int(r["year"])), scen.index(r["scenario"])
        check(same(r["probability"], ps[i, y, s]), f"point_scenario {r}")

    variant = strings(g["variant"])
    lik, oyear = g["observation_likelihood"][()], g["observation_year"][()]
    odesc, ohard, where = strings(g["observation_descriptor"]), g["observation_hard"][()], strings(g["observation_where"])
    cols = ["observation", "year", "descriptor"] + names("descriptor") + ["variant"] + names("variant")
    rows = header(folder, "calibration_observations", cols + ["likelihood", "hard", "where"])
    want = sum(int(np.sum(~np.isnan(lik[o]))) for o in range(len(oyear)))
    check(len(rows) == want, f"observations: {len(rows)} rows, expected {want}")
    for r in rows:
        o, v = int(r["observation"]), variant.index(r["descriptor"] + "=" + r["variant"])
        check(int(r["year"]) == oyear[o] and r["descriptor"] == odesc[o], f"observation {r}")
        check(same(r["likelihood"], lik[o, v]) and int(r["hard"]) == ohard[o] and r["where"] == where[o],
              f"observation likelihood {r}")


# ---------------------------------------------------------------- levers


def check_levers(h, folder, names):
    g = h["levers"]
    desc, var, kind = strings(g["descriptor"]), strings(g["variant"]), strings(g["kind"])
    key = {(d, v, k): i for i, (d, v, k) in enumerate(zip(desc, var, kind))}
    pb = float(g.attrs["p_baseline"])
    cols = ["rank", "descriptor"] + names("descriptor") + ["variant"] + names("variant")
    cols += ["kind", "effect", "se", "p_with", "p_baseline", "ratio", "defining", "trivial"]
    rows = header(folder, "levers", cols)
    check(len(rows) == len(desc), f"levers: {len(rows)} rows, expected {len(desc)}")
    for n, r in enumerate(rows):
        i = key[(r["descriptor"], r["variant"], r["kind"])]
        check(int(r["rank"]) == n + 1 == g["rank"][i], f"rank {r}")
        for col in ("effect", "se", "p_with", "ratio"):
            check(same(r[col], g[col][i]), f"{col} {r}")
        check(same(r["p_baseline"], pb), f"p_baseline {r}")
        check(abs(float(r["p_with"]) - float(r["p_baseline"]) - float(r["effect"])) < 1e-12, f"effect by hand {r}")
        check(int(r["defining"]) == g["defining"][i] and int(r["trivial"]) == g["trivial"][i], f"flags {r}")
    npairs = g["pair"].shape[0] if "pair" in g else 0
    present = os.path.exists(os.path.join(folder, "levers_pairs.csv"))
    check((npairs > 0) == present, f"levers_pairs.csv present {present}, {npairs} pairs")
    if not present:
        return
    cols = ["pair", "descriptor"] + names("descriptor") + ["variant"] + names("variant")
    cols += ["other_descriptor"] + names("other_descriptor") + ["other_variant"] + names("other_variant")
    rows = header(folder, "levers_pairs", cols + ["effect", "se", "p_with", "p_baseline", "best"])
    check(len(rows) == npairs, "pair rows")
    first, second, best = g["pair_first"][()], g["pair_second"][()], int(g.attrs["best_pair"])
    for r in rows:
        k = int(r["pair"])
        a, b = first[k], second[k]
        check((r["descriptor"], r["variant"]) == (desc[a], var[a]), f"pair first {r}")
        check((r["other_descriptor"], r["other_variant"]) == (desc[b], var[b]), f"pair second {r}")
        check(same(r["effect"], g["pair_effect"][k]) and same(r["se"], g["pair_se"][k]), f"pair effect {r}")
        check(same(r["p_with"], g["pair_p_with"][k]) and int(r["best"]) == int(k == best), f"pair p {r}")


# ---------------------------------------------------------------- JSON


def is_number(field):
    try:
        float(field)
        return True
    except ValueError:
        return False


def check_json(path, folder, h5):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    check(doc["file"] == h5, f"JSON file {doc['file']}")
    files = sorted(n[:-4] for n in os.listdir(folder) if n.endswith(".csv"))
    check(sorted(doc["tables"]) == files, f"JSON tables {sorted(doc['tables'])} != CSV files {files}")
    for name, rows in doc["tables"].items():
        head, csv_rows = read_csv(folder, name)
        check(len(rows) == len(csv_rows), f"JSON {name}: {len(rows)} rows, CSV {len(csv_rows)}")
        for jr, cr in zip(rows, csv_rows):
            check(list(jr) == head, f"JSON {name} keys {list(jr)}")
            for col, field in zip(head, cr):
                x = jr[col]
                if x is None:
                    ok = not math.isfinite(float(field))  # JSON has no NaN nor infinities
                elif isinstance(x, str):
                    # a number must come as a number, not its digits in a string
                    ok = x == field and (not is_number(field) or col in ("key", "value", "where"))
                else:
                    ok = float(field) == x
                if not check(ok, f"JSON {name} {col}: {x!r} vs CSV {field!r}"):
                    return


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    labels = "--order-labels" in sys.argv
    kind, h5, folder = args[:3]

    def names(col):
        return [col + "_order", col + "_label"] if labels else []

    if kind != "any":
        with h5py.File(h5, "r") as h:
            {"signposts": check_signposts, "calibrate": check_calibrate, "levers": check_levers}[kind](h, folder,
                                                                                                      names)
        meta = dict(read_csv(folder, "metadata")[1])
        check(meta.get("method") == kind, f"metadata method {meta.get('method')}")
    if len(args) > 3:
        check_json(args[3], folder, h5)
    for f in failures[:20]:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        print(f"{len(failures)} checks failed", file=sys.stderr)
        return 1
    print(f"{kind}: all checks hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
