#!/usr/bin/python3
"""tests/test_obsfile.c: the /observations group of conditioned results files
opens in xarray under both netCDF engines (named dimensions, its own
coordinates) and holds what docs/file-format.md says. Exit 77 when xarray or
an engine is missing.

usage: check_obs_layout.py DOC MC_FILE EXACT_FILE   (DOC: docs/file-format.md, whose h5py
example of section 13 is run on MC_FILE)"""
import math
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
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL:", what)


doc, files = sys.argv[1], sys.argv[2:]
text = open(doc, encoding="utf-8").read()
block = text[text.index("## 13."):].split("```python\n", 1)[1].split("```", 1)[0]
try:
    exec(block.replace('"given.h5"', repr(files[0])), {})
except Exception as ex:  # noqa: BLE001
    check(False, f"the h5py example of {doc}, section 13: {type(ex).__name__}: {ex}")

for path in files:
    with h5py.File(path, "r") as f:
        a = f.attrs
        check(a["conditioned"] == 1, f"{path}: conditioned")
        check(a["evidence"] == math.exp(a["log_evidence"]), f"{path}: evidence = exp(log_evidence)")
        n = f["observations/observation_year"].shape[0]
        lik = f["observations/likelihood"][...]
        desc = f["observations/observation_descriptor"][...]
        vdesc = f["model/variant_descriptor"][...]
        for i in range(n):
            mine = vdesc == desc[i]
            check(np.all(np.isnan(lik[i, ~mine])), f"{path}: row {i} NaN off its descriptor")
            check(np.all(lik[i, mine] >= 0) and lik[i, mine].sum() > 0, f"{path}: row {i} likelihoods")
            hard = np.sum(lik[i, mine] == 1) == 1 and np.sum(lik[i, mine] == 0) == mine.sum() - 1
            check(bool(f["observations/hard"][i]) == hard, f"{path}: row {i} hard flag")
    for e in ("h5netcdf", "netcdf4"):
        for g in ("/", "observations"):
            try:
                ds = xr.open_dataset(path, group=g, engine=e)
                ds.load()
            except Exception as ex:  # noqa: BLE001
                check(False, f"{path} {g} {e}: {type(ex).__name__}: {ex}")
                continue
            phony = [d for d in ds.dims if str(d).startswith("phony_dim")]
            check(not phony, f"{path} {g} {e}: unnamed dimensions {phony}")
            if g == "observations":
                check(ds["likelihood"].dims == ("observation", "variant"), f"{path} {e}: likelihood dims")
                check(ds["observation_year"].dims == ("observation",), f"{path} {e}: year dims")
                check(ds["where"].dims == ("observation",), f"{path} {e}: where dims")
                check(str(ds["variant"].values[0]).startswith(":") is False, f"{path} {e}: variant labels")
                if "start" in ds:
                    check(ds["start"].dims == ("descriptor",), f"{path} {e}: start dims")
            ds.close()
print("FAILED" if fails else "ok")
sys.exit(1 if fails else 0)
