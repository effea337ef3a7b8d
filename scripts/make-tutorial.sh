#!/usr/bin/env bash
# Regenerates the figures of docs/tutorial.md (docs/figures/*.png) by running the
# tutorial's own commands: scenmc run, scenmc exact, a judgement ensemble and
# scenmc sweep on the built-in Västernorrland model, then scripts/scenmc-plot.
#   scripts/make-tutorial.sh            # builds scenmc in build/ if needed
#   SCENMC=/path/to/scenmc scripts/make-tutorial.sh
# The figures are drawn at journal size: 17 cm wide (a page's text width), the
# early-warning example also at 8.5 cm (one column), fonts 7-9 pt at that size.
# They are deterministic (fixed seed and N) and kept small for the repository:
# 150 dpi PNG, each under 200 KB (checked at the end). The full report of the run
# goes to docs/figures/report.md: the tutorial quotes it. scenmc-plot finds its
# own Python (SCENMC_PYTHON, python3 with h5py and matplotlib, /usr/bin/python3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
figures="$root/docs/figures"
plot=("$root/scripts/scenmc-plot" --width 17cm)
dpi=150
max_bytes=$((200 * 1024))

scenmc=${SCENMC:-}
if [ -z "$scenmc" ]; then
    # The same build as scripts/run.sh.
    cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DSCENMC_TESTS=OFF >/dev/null
    cmake --build "$root/build" -j "$(nproc)" --target scenmc >/dev/null
    scenmc="$root/build/scenmc"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$figures"
cd "$work" # short file names in the files' provenance

echo "== scenmc run: 10^6 trajectories of the built-in model (seed 2030)"
"$scenmc" run -n 1e6 --seed 2030 -o vasternorrland.h5 --quiet
echo "== scenmc exact: the same tables without sampling noise"
"$scenmc" exact -o vasternorrland-exact.h5 --quiet

echo "== scenmc-plot: the five figures (the model's own Swedish names)"
"${plot[@]}" "$work/vasternorrland.h5" -o "$work/native" --dpi "$dpi" --year 2023 >/dev/null
for f in scenarios characteristics pathways early_warning consistency; do
    cp "$work/native/$f.png" "$figures/$f.png"
done
echo "== scenmc-plot: Monte Carlo minus exact, English labels, one column"
"${plot[@]}" "$work/vasternorrland.h5" -o "$work/diff" --dpi "$dpi" \
    --exact "$work/vasternorrland-exact.h5" --only scenarios >/dev/null
cp "$work/diff/scenarios.png" "$figures/scenarios_vs_exact.png"
"${plot[@]}" "$work/vasternorrland.h5" -o "$work/en" --dpi "$dpi" --labels en \
    --only characteristics >/dev/null
cp "$work/en/characteristics.png" "$figures/characteristics_en.png"
"${plot[@]}" "$work/vasternorrland.h5" -o "$work/column" --dpi "$dpi" --labels en \
    --width 8.5cm --top 4 --year 2024 --only early_warning >/dev/null
cp "$work/column/early_warning.png" "$figures/early_warning_en.png"

echo "== a judgement ensemble (20 members, judgement sd 0.5) and its fan chart"
"$scenmc" run -n 100000 --seed 2030 --ensemble 20 --judgement-sd 0.5 -o ensemble.h5 --quiet
"${plot[@]}" "$work/ensemble.h5" -o "$work/ensemble" --dpi "$dpi" --only fan >/dev/null
cp "$work/ensemble/fan.png" "$figures/fan.png"

echo "== scenmc sweep over beta, and its figures"
"$scenmc" sweep --param beta=0:2:0.25 -n 100000 -o beta.h5 --quiet
"${plot[@]}" "$work/beta.h5" -o "$work/beta" --dpi "$dpi" >/dev/null
cp "$work/beta/sweep.png" "$figures/sweep_beta.png"
cp "$work/beta/sweep_difference.png" "$figures/sweep_beta_difference.png"

echo "== the same file as CSV (not kept) and as a report (docs/figures/report.md)"
"$scenmc" export vasternorrland.h5 --csv csv --quiet
head -3 csv/scenario.csv
"$scenmc" report vasternorrland.h5 >"$figures/report.md"
"$scenmc" report vasternorrland-exact.h5 | grep -E '^\| (Year|2030) ' || true

status=0
for png in "$figures"/*.png "$figures"/report.md; do
    size=$(stat -c %s "$png")
    printf '  %-40s %7d bytes\n' "${png#"$root"/}" "$size"
    if [ "$size" -ge "$max_bytes" ]; then
        echo "make-tutorial: $png is $size bytes; keep committed figures under $max_bytes" >&2
        status=1
    fi
done
exit $status
