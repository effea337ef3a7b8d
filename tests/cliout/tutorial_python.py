"""docs/tutorial.md, 'Your own tools': the Python route, run by test_cliout.
usage: tutorial_python.py TABLES_DIR"""
import sys

import pandas as pd

tables = sys.argv[1]
# --- tutorial: python
p = pd.read_csv(f"{tables}/scenario.csv")
p["scenario"] = pd.Categorical(p["scenario"],  # the model's order, not the alphabet's
                               categories=p.sort_values("scenario_order")["scenario"].unique())
wide = p.pivot(index="year", columns="scenario", values="probability")
print(wide.round(3).tail(3))
# --- end
assert list(wide.columns) == ["En gemensam färd", "Genom forsen", "Smart City Line", "Jättarnas kamp"]
assert abs(wide.sum(axis=1) - 1).max() < 1e-12
