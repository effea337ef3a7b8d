#!/usr/bin/env bash
# Regenerates the figures of docs/tutorial.md (docs/figures/*.png) by running the
# tutorial's own commands: scenmc run, scenmc exact and scenmc sweep on the
# built-in Västernorrland model, then scripts/scenmc-plot.
#   scripts/make-tutorial.sh            # builds scenmc in build/ if needed
#   SCENMC=/path/to/scenmc scripts/make-tutorial.sh
# The figures are deterministic (fixed seed and N) and kept small for the
# repository: 100 dpi PNG, each under 200 KB (checked at the end). The full
# report of the run goes to docs/figures/report.md: the tutorial quotes it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
figures="$root/docs/figures"
python=/usr/bin/python3
plot=("$python" "$root/scripts/scenmc-plot")
dpi=100
max_bytes=$((200 * 1024))

if ! "$python" -c 'import h5py, matplotlib, numpy' 2>/dev/null; then
    echo "make-tutorial: $python needs h5py and matplotlib" \
         "(apt-get install python3-h5py python3-matplotlib)" >&2
    exit 1
fi

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
echo "== scenmc-plot: English labels, and the exact results"
"${plot[@]}" "$work/vasternorrland.h5" -o "$work/en" --dpi "$dpi" --labels en \
    --only characteristics,early_warning >/dev/null
cp "$work/en/characteristics.png" "$figures/characteristics_en.png"
cp "$work/en/early_warning.png" "$figures/early_warning_en.png"
"${plot[@]}" "$work/vasternorrland-exact.h5" -o "$work/exact" --dpi "$dpi" \
    --only scenarios >/dev/null
cp "$work/exact/scenarios.png" "$figures/scenarios_exact.png"

echo "== scenmc sweep over beta, and its figure"
"$scenmc" sweep --param beta=0:2:0.25 -n 100000 -o beta.h5 --quiet
"${plot[@]}" "$work/beta.h5" -o "$work/beta" --dpi "$dpi" >/dev/null
cp "$work/beta/sweep.png" "$figures/sweep_beta.png"

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
