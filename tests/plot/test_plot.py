#!/usr/bin/python3
"""ctest plot_figures: scripts/scenmc-plot on small files of every kind.

    test_plot.py SCENMC_BINARY SOURCE_DIR SCRATCH_DIR [TEST_NAME...]

Checks, for run, exact, ensemble, sweep (one parameter, a grid, a Latin hypercube) and
sensitivity files: every figure is written as a non-empty PNG, PDF and SVG; its size in
inches is the --width preset (PNG pixels / dpi, PDF MediaBox, SVG width); no text is
smaller than 7 pt at that size; nothing is printed on stderr (no matplotlib warnings);
--force; --no-title (captions in NAME.txt, no title on the figure); SCENMC_PYTHON and the
search for a Python; early-warning panels without the scenarios' defining descriptors;
long imported names shortened with a key; the MC-minus-exact caption against the files.
Exit 77 (skip) when /usr/bin/python3 lacks h5py or matplotlib.
"""

import os
import re
import shutil
import struct
import subprocess
import sys

try:
    import h5py
    import numpy as np
    import matplotlib  # noqa: F401
except ImportError as e:
    print(f"SKIP: /usr/bin/python3 lacks h5py, numpy or matplotlib ({e})")
    sys.exit(77)

SCENMC, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
PLOT = os.path.join(SRC, "scripts", "scenmc-plot")
SMALL = os.path.join(SRC, "tests", "data", "good", "small.yaml")
CM = 1 / 2.54
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def sh(args, env=None, expect=0):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run(args, capture_output=True, text=True, env=e, cwd=WORK)
    if expect is not None and r.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {r.returncode}, expected {expect}\n{r.stdout}"
                        f"{r.stderr}")
        print("FAIL:", failures[-1])
    return r


def plot(*args, env=None, expect=0):
    """Runs the script as a user does (its shell preamble picks the Python; the Python
    named here unless env says otherwise: a pyenv shim on PATH is slow to ask)."""
    return sh([PLOT] + list(args), {"SCENMC_PYTHON": "/usr/bin/python3", **(env or {})},
              expect)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def pdf_width_pt(path):
    data = open(path, "rb").read()
    m = re.search(rb"/MediaBox \[ *0 +0 +([0-9.]+) +([0-9.]+) *\]", data)
    return float(m.group(1)) if data.startswith(b"%PDF") and m else None


def svg_facts(path):
    """(width in pt, smallest font size in pt, text) of an SVG written with text as text."""
    text = open(path, encoding="utf-8").read()
    w = float(re.search(r'<svg[^>]* width="([0-9.]+)pt"', text).group(1))
    sizes = [float(x) for x in re.findall(r"font: (?:\d+ )?([0-9.]+)px", text)]
    return w, min(sizes) if sizes else 0.0, text


def check_figures(folder, names, width_in, dpi, label):
    """Every figure in PNG, PDF and SVG, at the width asked, with text >= 7 pt."""
    for n in names:
        png, pdf, svg = (os.path.join(folder, f"{n}.{x}") for x in ("png", "pdf", "svg"))
        for p in (png, pdf, svg):
            check(os.path.exists(p) and os.path.getsize(p) > 1000, f"{label}: {p} missing/empty")
        if not all(os.path.exists(p) for p in (png, pdf, svg)):
            continue
        wpx, _ = png_size(png)
        check(abs(wpx - width_in * dpi) <= 1, f"{label}: {png} is {wpx} px wide, expected "
              f"{width_in * dpi:.1f} ({width_in:.3f} in at {dpi} dpi)")
        wpt = pdf_width_pt(pdf)
        check(wpt is not None and abs(wpt - width_in * 72) < 0.01,
              f"{label}: {pdf} MediaBox width {wpt} pt, expected {width_in * 72:.2f}")
        w, smallest, _ = svg_facts(svg)
        check(abs(w - width_in * 72) < 0.01, f"{label}: {svg} width {w} pt")
        check(smallest >= 7.0, f"{label}: {svg} has text of {smallest} pt (< 7 pt at print size)")


LONG_MODEL = """format: scenmc-model
format_version: 1
name: Long names
years: {start: 2020, end: 2024}
scale: {consistency: [-3, 3]}
descriptors:
  - id: INT
    name: International cooperation on energy, climate and trade in the region
    variants:
      - {id: deep, name: International cooperation deepens through binding multilateral agreements}
      - {id: stall, name: International cooperation stalls while bilateral deals fragment markets}
  - id: REG
    name: Regional institutions and their capacity to coordinate investments
    variants:
      - {id: strong, name: Regional institutions strengthened with new mandates and stable funding}
      - {id: weak, name: Regional institutions weakened by budget cuts and overlapping duties}
  - id: TEC
    name: Technology
    variants: [fast, slow]
consistency:
  - between: [INT, REG]
    scores: [[2, -1], [-2, 1]]
  - between: [INT, TEC]
    scores: [[1, -1], [-1, 1]]
scenarios:
  - name: International cooperation with strong regional institutions and open data
    when: {INT: deep, REG: strong}
  - name: International cooperation with weak regional institutions and closed data
    when: {INT: deep, REG: weak}
  - name: International fragmentation with strong regional institutions and open data
    when: {INT: stall, REG: strong}
  - name: International fragmentation with weak regional institutions and closed data
    when: {INT: stall, REG: weak}
defaults: {beta: 1, trajectories: 2000, seed: 7}
"""


def table(f, group):
    """The scenario-by-year table of GROUP in a file of format version 1 or 2."""
    return f[f"{group}/scenario_by_year"] if f"{group}/scenario_by_year" in f else \
        f[f"{group}/scenario"]


def make_files():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    q = ["--quiet"]
    sh([SCENMC, "run", SMALL, "-n", "4000", "-o", "mc.h5"] + q)
    sh([SCENMC, "exact", SMALL, "-o", "exact.h5"] + q)
    sh([SCENMC, "run", SMALL, "-n", "2000", "--ensemble", "6", "--judgement-sd", "0.5",
        "-o", "ens.h5"] + q)
    sh([SCENMC, "sweep", SMALL, "--param", "beta=0:1:0.5", "-n", "1000", "-o", "sweep1.h5"] + q)
    sh([SCENMC, "sweep", SMALL, "--param", "beta=0:1:0.5", "--param", "w-cross=0.5,1",
        "-n", "500", "-o", "grid.h5"] + q)
    sh([SCENMC, "sweep", SMALL, "--param", "beta=0:1:0.5", "--param", "w-cross=0.5:1:0.5",
        "--design", "lhs:4", "-n", "500", "-o", "lhs.h5"] + q)
    sh([SCENMC, "sensitivity", SMALL, "--method", "difference", "-n", "200", "-o", "sens.h5"] + q)
    sh([SCENMC, "sensitivity", SMALL, "--method", "exact", "--tables", "scenario", "-o",
        "deriv.h5"] + q)
    sh([SCENMC, "sensitivity", SMALL, "--method", "score", "--tables", "scenario", "-n", "2000",
        "-o", "dscore.h5"] + q)
    with open(os.path.join(WORK, "long.yaml"), "w") as f:
        f.write(LONG_MODEL)
    sh([SCENMC, "run", "long.yaml", "-n", "2000", "-o", "long.h5"] + q)
    # The same model through ScenarioWizard and back, as imported models come: descriptor
    # ids are the long names, scenarios 'ID=variant / ID=variant'.
    sh([SCENMC, "export-model", "long.yaml", "--scw", "long.scw"])
    sh([SCENMC, "import", "long.scw", "-o", "plain.yaml"])
    import yaml
    ids = [d["id"] for d in yaml.safe_load(open(os.path.join(WORK, "plain.yaml")))["descriptors"]]
    sh([SCENMC, "import", "long.scw", "--scenario-axes", f"{ids[0]},{ids[1]}", "-o",
        "imported.yaml"])
    sh([SCENMC, "run", "imported.yaml", "-n", "2000", "-o", "imported.h5"] + q)


RESULTS = ["scenarios", "characteristics", "pathways", "early_warning", "consistency"]


def test_every_kind():
    """Each kind of file, every figure, three formats, two width presets."""
    kinds = [("mc.h5", RESULTS), ("exact.h5", RESULTS), ("ens.h5", RESULTS + ["fan"]),
             ("sweep1.h5", ["sweep", "sweep_difference"]), ("grid.h5", ["sweep",
             "sweep_difference"]), ("lhs.h5", ["sweep"]), ("sens.h5", ["sensitivity"]),
             ("deriv.h5", ["derivative"]), ("dscore.h5", ["derivative"]),
             ("long.h5", RESULTS), ("imported.h5", RESULTS)]
    wide = ("mc.h5", "ens.h5", "grid.h5", "sens.h5", "deriv.h5", "imported.h5")
    for width, inches in (("8.5cm", 8.5 * CM), ("double", 17 * CM), ("3.5in", 3.5)):
        for h5, names in kinds:
            if (width == "double" and h5 not in wide or
                    width == "3.5in" and h5 not in ("sweep1.h5", "exact.h5")):
                continue
            out = f"fig-{width}-{h5[:-3]}"
            r = plot(h5, "-o", out, "--width", width, "--dpi", "40", "--format", "png,pdf,svg",
                     "--year", "2021" if h5 in ("long.h5", "imported.h5") else "2001")
            check(r.stderr == "", f"{h5} --width {width}: stderr not empty:\n{r.stderr}")
            made = sorted(os.path.splitext(x)[0] for x in os.listdir(os.path.join(WORK, out))
                          if x.endswith(".png")) if os.path.isdir(os.path.join(WORK, out)) else []
            check(made == sorted(names), f"{h5}: figures {made}, expected {sorted(names)}")
            check_figures(os.path.join(WORK, out), names, inches, 40, f"{h5} {width}")


def test_force():
    plot("mc.h5", "-o", "force", "--only", "scenarios", "--dpi", "40")
    target = os.path.join(WORK, "force", "scenarios.png")
    before = open(target, "rb").read()
    r = plot("mc.h5", "-o", "force", "--only", "scenarios", "--dpi", "60", expect=2)
    check("force/scenarios.png exists" in r.stderr and "--force" in r.stderr,
          f"refusal names the file and --force: {r.stderr!r}")
    check(open(target, "rb").read() == before, "refused run left the figure unchanged")
    plot("mc.h5", "-o", "force", "--only", "scenarios", "--dpi", "60", "--force")
    check(png_size(target)[0] != png_size_of(before), "--force rewrote the figure")
    # --no-title also owns NAME.txt: an existing caption is refused too
    plot("mc.h5", "-o", "force2", "--only", "scenarios", "--no-title", "--dpi", "40")
    os.remove(os.path.join(WORK, "force2", "scenarios.png"))
    plot("mc.h5", "-o", "force2", "--only", "scenarios", "--no-title", "--dpi", "40", expect=2)


def png_size_of(data):
    return struct.unpack(">II", data[16:24])[0]


def test_no_title():
    plot("mc.h5", "-o", "titled", "--only", "scenarios", "--format", "svg")
    plot("mc.h5", "-o", "bare", "--only", "scenarios", "--format", "svg", "--no-title")
    _, _, titled = svg_facts(os.path.join(WORK, "titled", "scenarios.svg"))
    _, _, bare = svg_facts(os.path.join(WORK, "bare", "scenarios.svg"))
    check(">Scenario probabilities<" in titled, "the title is on a titled figure")
    check(">Scenario probabilities<" not in bare and "Shaded" not in bare,
          "no title and no notes with --no-title")
    cap = open(os.path.join(WORK, "bare", "scenarios.txt"), encoding="utf-8").read()
    check(cap.startswith("Scenario probabilities.") and "95% Monte Carlo" in cap,
          f"caption file: {cap!r}")


def test_python_search():
    """SCENMC_PYTHON wins; else python3 on PATH if it has the modules; else /usr/bin/python3."""
    bin_dir = os.path.join(WORK, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    marker = os.path.join(WORK, "used")

    def script(name, body):
        p = os.path.join(bin_dir, name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(p, 0o755)
        return p

    wrapper = script("mypython", f"echo override >> '{marker}'\nexec /usr/bin/python3 \"$@\"\n")
    plot("mc.h5", "-o", "py1", "--only", "scenarios", "--dpi", "40",
         env={"SCENMC_PYTHON": wrapper})
    check(os.path.exists(marker) and "override" in open(marker).read(), "SCENMC_PYTHON used")
    r = plot("mc.h5", "-o", "py2", "--only", "scenarios", env={"SCENMC_PYTHON": "/nonexistent"},
             expect=None)
    check(r.returncode != 0, "a missing SCENMC_PYTHON is not silently replaced")
    # A python3 on PATH without h5py: passed over for /usr/bin/python3.
    os.remove(marker)
    script("python3", f"echo path >> '{marker}'\nexit 1\n")
    path = bin_dir + os.pathsep + os.environ.get("PATH", "")
    env = {"PATH": path, "SCENMC_PYTHON": ""}
    plot("mc.h5", "-o", "py3", "--only", "scenarios", "--dpi", "40", env=env)
    check(open(marker).read().split() == ["path"], "python3 on PATH asked once, then passed over")
    # A python3 on PATH that has them: used.
    os.remove(marker)
    script("python3", f"echo path >> '{marker}'\nexec /usr/bin/python3 \"$@\"\n")
    plot("mc.h5", "-o", "py4", "--only", "scenarios", "--dpi", "40", env=env)
    check(open(marker).read().split() == ["path", "path"], "python3 on PATH used (check + run)")


def test_early_warning_leaves_out_defining():
    """small.yaml: Boom is defined by X and Y, Bust by X: no X variant may be a signal."""
    plot("mc.h5", "-o", "ew", "--only", "early_warning", "--format", "svg", "--year", "2001",
         "--top", "10")
    _, _, svg = svg_facts(os.path.join(WORK, "ew", "early_warning.svg"))
    check("X: Growth" not in svg and "X: Decline" not in svg, "X variants left out")
    check("Z: z1" in svg and "Y: y1" in svg, "Y variants (for Bust) and Z variants shown")
    check("(X, Y)" in svg, "the figure says which descriptors are left out")


def test_long_names_keyed():
    plot("long.h5", "-o", "long", "--format", "svg", "--width", "8.5cm", "--no-title",
         "--only", "scenarios,characteristics")
    _, _, svg = svg_facts(os.path.join(WORK, "long", "scenarios.svg"))
    check(svg.count(">S1<") == 1 and svg.count(">S4<") == 1, "long scenario names tagged S1..S4")
    cap = open(os.path.join(WORK, "long", "scenarios.txt"), encoding="utf-8").read()
    check("S1 = International cooperation with strong regional institutions and open data"
          in cap, f"the key is in the caption: {cap!r}")


def test_difference_caption():
    """MC minus exact: the coverage the caption states, recounted from the two files."""
    plot("mc.h5", "-o", "diff", "--exact", "exact.h5", "--only", "scenarios", "--no-title",
         "--format", "png", "--dpi", "40")
    cap = open(os.path.join(WORK, "diff", "scenarios.txt"), encoding="utf-8").read()
    m = re.search(r"(\d+) of (\d+) cover 0", cap)
    check(m is not None, f"coverage in the caption: {cap!r}")
    with h5py.File(os.path.join(WORK, "mc.h5")) as a, h5py.File(os.path.join(WORK, "exact.h5")) \
            as b:
        d = table(a, "probability")[()] - table(b, "probability")[()]
        se = table(a, "stderr")[()]
    ok = se > 0
    want = (int(np.sum(np.abs(d[ok]) <= 1.96 * se[ok])), int(np.sum(ok)))
    check(m is not None and (int(m.group(1)), int(m.group(2))) == want,
          f"coverage {m and m.groups()} against {want} from the files")
    check(want[0] >= 0.8 * want[1], f"MC agrees with exact: {want[0]} of {want[1]} cover 0")
    # A constructed run: exact + 1.5 se in every other cell, exact + 2.5 se in the rest, so
    # the 95% intervals (1.96 se) cover 0 in exactly the first half.
    shutil.copy(os.path.join(WORK, "mc.h5"), os.path.join(WORK, "made.h5"))
    with h5py.File(os.path.join(WORK, "made.h5"), "r+") as a, \
            h5py.File(os.path.join(WORK, "exact.h5")) as b:
        se = table(a, "stderr")[()]
        k = np.where(np.arange(se.size).reshape(se.shape) % 2 == 0, 1.5, 2.5)
        table(a, "probability")[...] = table(b, "probability")[()] + k * se
        want = (int(np.sum((se > 0) & (k == 1.5))), int(np.sum(se > 0)))
    plot("made.h5", "-o", "diff3", "--exact", "exact.h5", "--only", "scenarios", "--no-title",
         "--format", "png", "--dpi", "40")
    cap = open(os.path.join(WORK, "diff3", "scenarios.txt"), encoding="utf-8").read()
    check(f"{want[0]} of {want[1]} cover 0" in cap, f"constructed coverage {want}: {cap!r}")
    # an exact file of another model is refused
    plot("mc.h5", "-o", "diff2", "--exact", "long.h5", expect=2)


def test_both_versions():
    """Files of format version 1 (tests/data/v1, written before the netCDF-style layout)
    and of the scenmc built here (version 2 once the layout lands) give the same figures."""
    v1 = os.path.join(SRC, "tests", "data", "v1")
    want = {"run.h5": RESULTS, "exact.h5": RESULTS, "merge.h5": RESULTS,
            "ensemble.h5": RESULTS + ["fan"], "sweep.h5": ["sweep", "sweep_difference"],
            "sensitivity.h5": ["sensitivity"]}
    if not os.path.isdir(v1):
        print("  (no tests/data/v1 in this tree: only this scenmc's files)")
        want = {}
    for name, figs in want.items():
        with h5py.File(os.path.join(v1, name)) as f:
            check(int(f.attrs["format_version"]) == 1, f"{name} is a version-1 file")
        out = f"v1-{name[:-3]}"
        r = plot(os.path.join(v1, name), "-o", out, "--dpi", "30", "--year", "2001")
        check(r.stderr == "", f"v1/{name}: stderr {r.stderr!r}")
        made = sorted(x[:-4] for x in os.listdir(os.path.join(WORK, out))) \
            if os.path.isdir(os.path.join(WORK, out)) else []
        check(made == sorted(figs), f"v1/{name}: figures {made}")
    with h5py.File(os.path.join(WORK, "mc.h5")) as f:
        print(f"  this scenmc writes format_version {int(f.attrs['format_version'])}")


def test_usage():
    r = plot("mc.h5", "-o", "u", "--width", "17", expect=2)
    check("--width" in r.stderr, "a width without a unit is refused")
    r = plot("--help")
    check("--width" in r.stdout and "SCENMC_PYTHON" in r.stdout and "fan" in r.stdout,
          "--help names the options")


def main():
    make_files()
    only = sys.argv[4:]
    for t in (test_every_kind, test_force, test_no_title, test_python_search,
              test_early_warning_leaves_out_defining, test_long_names_keyed,
              test_difference_caption, test_both_versions, test_usage):
        if only and t.__name__ not in only:
            continue
        print("==", t.__name__, flush=True)
        t()
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all plot checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
