#!/usr/bin/python3
"""Opens every group of every kind of scenmc results file (format version 2)
with xarray under both netCDF engines (h5netcdf, netcdf4), checks the
dimension names of every table and one value each against scenmc's own
tables (scenmc export --csv, a standalone run, numpy on the members), and
runs the h5py one-liners of docs/file-format.md. Exit 77 (ctest SKIP) when
xarray or an engine is missing.

usage: check_xarray.py DIR   (DIR written by make_files.sh)"""
import csv
import os
import sys
import warnings

try:
    import h5py
    import numpy as np
    import xarray as xr
    import h5netcdf  # noqa: F401
    import netCDF4  # noqa: F401
except ImportError as e:
    print(f"SKIP: {e}")
    sys.exit(77)

warnings.simplefilter("ignore")
D = sys.argv[1]
ENGINES = ("h5netcdf", "netcdf4")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def groups(path):
    out = ["/"]
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.append("/" + n) if isinstance(o, h5py.Group) else None)
    return out


def open_all(name):
    """{(group, engine): Dataset} for every group of the file, loaded."""
    path = os.path.join(D, name)
    out = {}
    for g in groups(path):
        for e in ENGINES:
            try:
                ds = xr.open_dataset(path, group=g, engine=e)
                ds.load()
                ds.close()
                out[(g, e)] = ds
                phony = [d for d in ds.dims if str(d).startswith("phony_dim")]
                check(not phony, f"{name} {g} {e}: unnamed dimensions {phony}")
            except Exception as ex:  # noqa: BLE001
                check(False, f"{name} {g} {e}: {type(ex).__name__}: {ex}")
    return out


def dims(dsets, g, var, want):
    for e in ENGINES:
        ds = dsets.get((g, e))
        if ds is None:
            continue
        check(var in ds.variables, f"{g}/{var} missing ({e})")
        if var in ds.variables:
            check(tuple(ds[var].dims) == want, f"{g}/{var} ({e}): dims {ds[var].dims}, want {want}")


def rows(folder, table):
    with open(os.path.join(D, folder, table + ".csv"), newline="") as f:
        return list(csv.DictReader(f))


TABLE_DIMS = {
    "scenario_by_year": ("year", "scenario"),
    "variant_by_year": ("year", "variant"),
    "scenario_variant": ("year", "scenario", "variant"),
    "scenario_transition": ("year_from", "from_scenario", "to_scenario"),
    "early_warning": ("year", "variant", "final_scenario"),
    "consistency_by_year": ("year", "consistency_bin"),
    "lock_in": ("year", "final_scenario"),
    "final_state": ("state",),
}


def check_results(name, csvdir, exact=False):
    ds = open_all(name)
    for g in ["/probability"] + ([] if exact else ["/counts", "/stderr"]):
        for t, want in TABLE_DIMS.items():
            dims(ds, g, t, want)
    dims(ds, "/", "state_variants", ("state", "descriptor"))
    dims(ds, "/", "variant_descriptor", ("variant",))
    dims(ds, "/model", "consistency", ("from_variant", "to_variant"))
    dims(ds, "/model", "descriptor_id", ("descriptor",))
    dims(ds, "/params", "initial", ("variant",))
    for e in ENGINES:
        p = ds.get(("/probability", e))
        if p is None:
            continue
        check(p["scenario_by_year"].attrs.get("units") == "1", f"{name}: units of a probability")
        # One value of each of two tables against scenmc export's CSV.
        r = rows(csvdir, "scenario")[-1]
        v = float(p["scenario_by_year"].sel(year=int(r["year"]), scenario=r["scenario"]))
        check(v == float(r["probability"]), f"{name} ({e}): P({r['scenario']}, {r['year']}) {v} "
              f"but export says {r['probability']}")
        r = [x for x in rows(csvdir, "scenario_transition") if x["probability"] != "NaN"][-1]
        v = float(p["scenario_transition"].sel(year_from=int(r["year_from"]),
                                               from_scenario=r["from_scenario"],
                                               to_scenario=r["to_scenario"]))
        check(v == float(r["probability"]), f"{name} ({e}): a transition {v} vs {r['probability']}")
        if not exact:
            c = ds[("/counts", e)]
            r = rows(csvdir, "variant")[3]
            key = f"{r['descriptor']}: "
            vv = [s for s in c["variant"].values if str(s).startswith(key)]
            check(len(vv) > 0, f"{name}: no variant of {r['descriptor']}")


def check_sweep():
    ds = open_all("sweep.h5")
    for t, want in TABLE_DIMS.items():
        dims(ds, "/probability", t, ("point",) + want)
    dims(ds, "/sweep", "value", ("point", "param"))
    for e in ENGINES:
        sw, p = ds.get(("/sweep", e)), ds.get(("/probability", e))
        if sw is None or p is None:
            continue
        check(list(sw["param"].values) == ["beta"], f"sweep ({e}): params {sw['param'].values}")
        point = int(np.flatnonzero(sw["value"].sel(param="beta").values == 0.5)[0])
        # The point with beta = 0.5 equals a standalone run with --beta 0.5.
        r = rows("csv_beta05", "scenario")[-1]
        v = float(p["scenario_by_year"].sel(point=point, year=int(r["year"]), scenario=r["scenario"]))
        check(v == float(r["probability"]), f"sweep ({e}): point beta=0.5 gives {v}, the run "
              f"{r['probability']}")


def check_sensitivity():
    ds = open_all("sensitivity.h5")
    for t in ("p_minus", "p_plus", "effect", "stderr"):
        dims(ds, "/sensitivity", t, ("cell", "final_scenario"))
    dims(ds, "/sensitivity", "plus_value", ("cell",))
    with h5py.File(os.path.join(D, "cell_plus.h5"), "r") as f:
        want = f["probability/scenario_by_year"][0, -1, :]
    for e in ENGINES:
        s = ds.get(("/sensitivity", e))
        if s is None:
            continue
        # Cell X=up,Y=y1 at its plus value equals a sweep run at that score (same seed, N).
        got = s["p_plus"].sel(cell="X=Growth,Y=y1").values
        check(float(s["plus_value"].sel(cell="X=Growth,Y=y1")) == 3.0, "sensitivity: plus_value")
        check(np.array_equal(got, want), f"sensitivity ({e}): p_plus {got}, the run {want}")


def check_ensemble():
    ds = open_all("ensemble.h5")
    dims(ds, "/ensemble", "scenario_probability", ("member", "year", "scenario"))
    for t, want in TABLE_DIMS.items():
        if t == "final_state":
            continue
        v1 = {"scenario_by_year": "scenario", "variant_by_year": "variant",
              "consistency_by_year": "consistency"}.get(t, t)
        dims(ds, "/ensemble", v1 + "_quantile", ("quantile",) + want)
    for e in ENGINES:
        g = ds.get(("/ensemble", e))
        if g is None:
            continue
        check(g.attrs.get("n_members") == 5, f"ensemble ({e}): n_members {g.attrs.get('n_members')}")
        m = g["scenario_probability"].values
        q = np.quantile(m, g["quantile"].values, axis=0)  # numpy's linear rule, as GSL's
        check(np.allclose(q, g["scenario_quantile"].values, rtol=0, atol=1e-15),
              f"ensemble ({e}): quantiles differ from numpy's on the members")


def beta_central_difference():
    """dP(Boom, 2003)/dbeta by a central difference of two exact solves (h = 1e-4)."""
    p = []
    for f in ("exact_beta_plus.h5", "exact_beta_minus.h5"):
        with h5py.File(os.path.join(D, f), "r") as h:
            names = [x.decode() if isinstance(x, bytes) else x for x in h["scenario"][()]]
            years = list(h["year"][()])
            p.append(h["probability/scenario_by_year"][years.index(2003), names.index("Boom")])
    return (p[0] - p[1]) / 2e-4


BETA_FD = beta_central_difference()


def check_derivative(name):
    """Derivative files (sensitivity --method exact|score): named dimensions, and dP/dbeta
    of the exact file against a central difference of two exact solves computed here."""
    ds = open_all(name)
    for t, want in (("dP_scenario", ("param", "year", "scenario")),
                    ("dP_variant", ("param", "year", "variant")),
                    ("dP_scenario_variant", ("param", "year", "scenario", "variant"))):
        dims(ds, "/derivative", t, want)
        if "score" in name:
            dims(ds, "/derivative", "stderr_" + t[3:], want)
    if "score" in name:
        return
    for e in ENGINES:
        g = ds.get(("/derivative", e))
        if g is None:
            continue
        got = float(g["dP_scenario"].sel(param="beta", year=2003, scenario="Boom"))
        check(abs(got - BETA_FD) < 1e-6 * abs(BETA_FD) + 1e-9,
              f"{name} ({e}): dP(Boom, 2003)/dbeta {got}, central difference {BETA_FD}")


def check_h5py_one_liners():
    """The h5py lines of docs/file-format.md."""
    f = h5py.File(os.path.join(D, "run.h5"), "r")
    p = f["probability/scenario_by_year"][()]
    names = [s.decode() for s in f["scenario"][()]]
    years = f["year"][()]
    r = rows("csv_run", "scenario")[-1]
    check(p[list(years).index(int(r["year"])), names.index(r["scenario"])] == float(r["probability"]),
          "h5py: probability/scenario_by_year")
    check([d.label for d in f["probability/scenario_transition"].dims] ==
          ["year_from", "from_scenario", "to_scenario"], "h5py: dimension labels")
    check(f.attrs["format_version"] == 2, "h5py: format_version")
    check(f.attrs["rng"] == "Philox4x32-10 (Random123)" or f.attrs["rng"] == b"Philox4x32-10 (Random123)",
          "h5py: rng attribute")


check_results("run.h5", "csv_run")
check_results("exact.h5", "csv_exact", exact=True)
check_results("merge.h5", "csv_merge")
check_results("shard1.h5", "csv_merge")  # dims only; its values are half the run's
check_sweep()
check_sensitivity()
check_ensemble()
check_derivative("derivative.h5")
check_derivative("derivative_score.h5")
check_h5py_one_liners()
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("LAYOUT XARRAY OK")
