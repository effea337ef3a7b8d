#!/usr/bin/env bash
# The whole benchmark set: builds a Release scenmc, measures, prints a table
# and appends the figures to bench/history.tsv (date, commit, machine, figure,
# value), so throughput is tracked from version to version.
#   bench/run_all.sh            # full set (several minutes)
#   QUICK=1 bench/run_all.sh    # smaller N, for a smoke test
# Figures are medians of 5 runs (bench_throughput --repeat 5). Run it on an
# otherwise idle machine.
#
# Thread scaling is measured in rounds, each of which runs back to back: one
# thread; two threads; and two one-thread processes at once (what two cores
# give two programs that share nothing: the machine's own ceiling). Each
# round's ratios are taken against its own one-thread run, so that on a
# machine whose speed drifts from minute to minute (a shared VM) like is
# compared with like; the figures are the medians over the rounds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSCENMC_TESTS=OFF ${SCENMC_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
bt="$build/bench_throughput"
n=1000000; big=10000000; nsyn=200000; nnp=100000
if [ -n "${QUICK:-}" ]; then n=100000; big=1000000; nsyn=20000; nnp=20000; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
hist="$root/bench/history.tsv"
[ -f "$hist" ] || printf 'date\tcommit\tmachine\tfigure\tvalue\n' >"$hist"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$date" "$commit" "$machine" "$1" "$2" >>"$hist"; printf '%-48s %s\n' "$1" "$2"; }
field() { tr '\t' '\n' <<<"$1" | grep -A1 -x "$2" | tail -1; }

echo "scenmc benchmarks, commit $commit, $machine"
echo "default model: beta 0.5, rate 0.5, uniform start, 10 years; medians of 5 runs"
for t in 1 2; do
    line=$(OMP_PROC_BIND=true "$bt" -n "$n" --threads "$t" --repeat 5)
    record "default_traj_per_s_threads$t" "$(field "$line" traj_per_s)"
    record "default_revisions_per_s_threads$t" "$(field "$line" revisions_per_s)"
    [ "$t" = 1 ] && hash1=$(field "$line" hash)
    [ "$t" = 2 ] && hash2=$(field "$line" hash)
done
[ "$hash1" = "$hash2" ] || { echo "verification hash differs between 1 and 2 threads" >&2; exit 1; }
record "verification_hash_n$n" "$hash1"
# The plain reference engine (src/engine/reference.c): the baseline, the same counts.
line=$("$bt" -n "$nnp" --threads 1 --repeat 1 --engine reference)
ref_hash=$(field "$("$bt" -n "$nnp" --threads 1 --repeat 1)" hash)
[ "$(field "$line" hash)" = "$ref_hash" ] || { echo "the reference engine's counts differ" >&2; exit 1; }
record "reference_traj_per_s_threads1" "$(field "$line" traj_per_s)"
rounds=11; [ -n "${QUICK:-}" ] && rounds=3
tps() { # one run: its throughput, after checking its hash
    local line; line=$("$bt" -n "$n" --repeat 1 "$@")
    [ "$(field "$line" hash)" = "$hash1" ] || { echo "verification hash differs: $*" >&2; exit 1; }
    field "$line" traj_per_s
}
for r in $(seq "$rounds"); do
    one=$(tps --threads 1)
    two=$(OMP_PROC_BIND=true tps --threads 2)
    tps --threads 1 >"$tmp/pair_a" &
    pa=$!
    b=$(tps --threads 1)
    wait "$pa"
    echo "$one $two $(<"$tmp/pair_a") $b"
done >"$tmp/rounds"
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
record "default_speedup_threads2_rounds$rounds" "$(awk '{printf "%.3f\n", $2 / $1}' "$tmp/rounds" | median)"
record "independent_pair_speedup_rounds$rounds" "$(awk '{printf "%.3f\n", ($3 + $4) / $1}' "$tmp/rounds" | median)"
for nn in "$n" "$big"; do
    line=$("$bt" -n "$nn" --threads 2 --repeat 1)
    record "peak_rss_mib_n$nn" "$(field "$line" peak_rss_mib)"
done
for d in 10 20 40 80; do
    /usr/bin/python3 "$root/bench/gen_model.py" --descriptors "$d" --variants-min 2 --variants-max 6 \
        --seed 1 -o "$tmp/m$d.yaml"
    line=$("$bt" "$tmp/m$d.yaml" -n "$nsyn" --threads 1 --repeat 5)
    record "synthetic_D${d}_V$(field "$line" variants)_revisions_per_s_threads1" "$(field "$line" revisions_per_s)"
done
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    "$build/scenmc" info --json >"$tmp/model.json"
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 "$root/bench/reference_numpy.py" \
        --json "$tmp/model.json" -n "$nnp" >"$tmp/numpy.txt"
    np=$(head -1 "$tmp/numpy.txt") # (not a pipe: head closing it early broke the script)
    nps=$(field "$np" traj_per_s)
    line=$("$bt" -n "$nnp" --threads 1 --repeat 5)
    ours=$(field "$line" traj_per_s)
    record "numpy_reference_traj_per_s_1core" "$nps"
    record "scenmc_over_numpy_1core" "$(awk -v a="$ours" -v b="$nps" 'BEGIN{printf "%.1f", a/b}')"
fi
echo "appended to $hist"
