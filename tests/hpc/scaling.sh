#!/bin/bash
# Strong scaling of scenmc run on this machine: MPI ranks x OpenMP threads,
# the same N and seed each time (docs/hpc.md shows its output).
#
#   tests/hpc/scaling.sh BUILD/scenmc [N] [REPEATS] [CONFIGS]
#   CONFIGS: "RANKSxTHREADS ...", default "0x1 1x1 1x2 2x1 2x2"; RANKS 0 = no mpirun
#
# Prints, per configuration, the best of REPEATS runs: the wall time of the
# whole command (start-up, MPI_Init, reduction and writing included), the
# compute time scenmc reports, the CPU time used (all processes, user + system),
# the throughput and the speed-up over the first configuration; and checks
# that every file holds the same counts. Before that, a calibration: how many
# cores a CPU-bound loop actually gets now (other work on the machine shows here).
set -uo pipefail
SCENMC=${1:?usage: scaling.sh SCENMC [N] [REPEATS] [CONFIGS]}
N=${2:-2000000}
REPEATS=${3:-3}
CONFIGS=${4:-"0x1 1x1 1x2 2x1 2x2"}
dir=$(mktemp -d /tmp/scenmc-scaling-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TIMEFORMAT='%R %U %S'
cores=$(nproc)
# Calibration: the same busy loop once, then on every core at once.
spin() { local i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done; }
one=$( { time spin; } 2>&1 | cut -d' ' -f1)
all=$( { time (for _ in $(seq "$cores"); do spin & done; wait); } 2>&1 | cut -d' ' -f1)
echo "scenmc run -n $N --seed 1 (default model), $(uname -n), $cores cores, best of $REPEATS"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); cores a busy loop gets now: $(awk -v a="$one" -v b="$all" -v c="$cores" 'BEGIN { printf "%.1f", c * a / b }')"
printf "%-6s %-7s %7s %9s %7s %14s %8s\n" ranks threads "wall s" "compute s" "CPU s" "trajectories/s" speedup
base=""
first=""
for c in $CONFIGS; do
    r=${c%x*}
    t=${c#*x}
    best="" bestc="" bestcpu=""
    for i in $(seq "$REPEATS"); do
        out=$dir/$c-$i.h5
        if [ "$r" = 0 ]; then
            launch=()
        else
            launch=(mpirun -np "$r" --oversubscribe --bind-to none)
        fi
        { time "${launch[@]}" "$SCENMC" run -n "$N" --seed 1 --threads "$t" -o "$out" >"$dir/log" 2>&1; } 2>"$dir/time" || {
            echo "$c failed: $(cat "$dir/log")"; exit 1; }
        read -r wall u s <"$dir/time"
        cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
        comp=$(sed -n 's/.*threads, \([0-9.]*\) s).*/\1/p' "$dir/log")
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall bestc=$comp bestcpu=$cpu
        fi
        if [ -z "$first" ]; then
            first=$out
        elif ! h5diff -q "$first" "$out" /counts /counts; then
            echo "$c: the counts differ from $first"; exit 1
        fi
    done
    [ -z "$base" ] && base=$best
    printf "%-6s %-7s %7.2f %9s %7s %14.0f %8.2f\n" "${r/#0/-}" "$t" "$best" "$bestc" "$bestcpu" \
        "$(awk -v n="$N" -v t="$best" 'BEGIN { print n / t }')" \
        "$(awk -v a="$base" -v t="$best" 'BEGIN { print a / t }')"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(every file: the same counts, bit for bit)"
