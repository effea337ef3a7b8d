"""docs/tutorial.md, 'Your own tools': runs the xarray (Python) and hdf5r (R) blocks exactly
as the page prints them, on a results file, and checks their output against h5py.
usage: tutorial_blocks.py TUTORIAL_MD RESULTS_H5 WORKDIR   (exit 77: a tool is missing)"""
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

doc, results, work = sys.argv[1:4]
text = open(doc, encoding="utf-8").read()
section = text[text.index("## Your own tools"):]
py = [b for b in re.findall(r"```python\n(.*?)```", section, re.S) if "xarray" in b]
r = [b for b in re.findall(r"```r\n(.*?)```", section, re.S) if "hdf5r" in b]
assert len(py) == 1 and len(r) == 1, "expected one xarray and one hdf5r block in the tutorial"
os.makedirs(work, exist_ok=True)
shutil.copy(results, os.path.join(work, "run.h5"))
with h5py.File(results, "r") as f:
    years = list(f["year"][()])
    row = f["probability/scenario_by_year"][years.index(2030)]
    se = f["stderr/scenario_by_year"][years.index(2030)]
    names = [x.decode() if isinstance(x, bytes) else x for x in f["scenario"][()]]
try:
    import xarray  # noqa: F401
    import h5netcdf  # noqa: F401
except ImportError:
    sys.exit(77)
out = subprocess.run([sys.executable, "-c", py[0]], cwd=work, capture_output=True, text=True)
assert out.returncode == 0, out.stderr
lines = out.stdout.strip().splitlines()
for name, v in zip(names, row):
    assert any(l.startswith(name) and abs(float(l.split()[-1]) - round(v, 3)) < 1e-9
               for l in lines), f"xarray block: no '{name} {v:.3f}' in\n{out.stdout}"
assert abs(float(lines[-1]) - se[names.index("Genom forsen")]) < 1e-15, out.stdout
if not shutil.which("Rscript"):
    sys.exit(77)
out = subprocess.run(["Rscript", "-e", r[0]], cwd=work, capture_output=True, text=True)
assert out.returncode == 0, out.stderr
got = [float(x) for x in re.findall(r"-?\d+\.\d+", out.stdout)]
assert np.allclose(got[-len(row):], np.round(row, 3), atol=1e-9), f"hdf5r block:\n{out.stdout}"
for name in names:
    assert name in out.stdout, f"hdf5r block: no '{name}' in\n{out.stdout}"
print("tutorial blocks: xarray and hdf5r agree with h5py")
