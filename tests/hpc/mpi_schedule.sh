#!/bin/bash
# Trends, interventions and shocks under MPI (ctest hpc/mpi_schedule; task
# schedhpc, issue 18): 2 ranks of `scenmc run` and of `scenmc sweep` over
# intervene.1.year give the one-process counts bit for bit, and ranks given
# different schedules are refused before any computing. Skips (exit 77) where
# scenmc is built without MPI or mpirun is missing. Small model, seconds.
#
# usage: mpi_schedule.sh SCENMC_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
model=$src/tests/data/good/small.yaml
py=/usr/bin/python3

command -v mpirun >/dev/null || { echo "skipped: no mpirun on PATH"; exit 77; }
"$py" -c 'import h5py' 2>/dev/null || { echo "skipped: no h5py for $py"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi() {
    env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 \
        mpirun --oversubscribe --bind-to none -np 2 "$@"
}
fail() { echo "FAIL: $*"; exit 1; }

# Every /counts dataset of two files, bit for bit.
same_counts() {
    "$py" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(f, "r") for f in sys.argv[1:3])
for k in a["counts"]:
    if not np.array_equal(a["counts"][k][()], b["counts"][k][()]):
        sys.exit("counts/%s differ between %s and %s" % (k, sys.argv[1], sys.argv[2]))
PY
}

sched=(--trend Y=y2:2000=0,2005=2 --intervene 2002-2003:Y=y1 --shock 2001-2004:Z=z2@0.5)
args=(-n 3001 --seed 7 --threads 1 --quiet)

# Built without MPI, mpirun starts two independent processes that each write the
# whole file; scenmc says it has MPI in its run summary ("2 MPI ranks").
out=$(mpi "$bin" run "$model" -n 200 --threads 1 2>&1)
grep -q "2 MPI ranks" <<<"$out" || { echo "skipped: scenmc built without MPI"; exit 77; }

"$bin" run "$model" "${args[@]}" "${sched[@]}" -o "$work/one.h5" || fail "plain run"
mpi "$bin" run "$model" "${args[@]}" "${sched[@]}" -o "$work/two.h5" || fail "mpirun -np 2 run"
same_counts "$work/one.h5" "$work/two.h5" || fail "2 ranks differ from one process"
echo "ok: run with a schedule, 2 ranks == 1 process"

sw=(--intervene 2002:Y=y1 --param intervene.1.year=2001,2003)
"$bin" sweep "$model" "${args[@]}" "${sw[@]}" -o "$work/sw1.h5" || fail "plain sweep"
mpi "$bin" sweep "$model" "${args[@]}" "${sw[@]}" -o "$work/sw2.h5" || fail "mpirun -np 2 sweep"
same_counts "$work/sw1.h5" "$work/sw2.h5" || fail "2-rank sweep differs from one process"
echo "ok: sweep over intervene.1.year, 2 ranks == 1 process"

# Rank r intervenes from 2001 + r: the ranks disagree and are refused.
out=$(mpi sh -c "exec '$bin' run '$model' ${args[*]} --intervene \$((2001 + OMPI_COMM_WORLD_RANK)):Y=y1 -o '$work/never.h5'" 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "ranks with different schedules: exit $rc, expected 2: $out"
grep -q "do not agree on the model or the parameters" <<<"$out" || fail "no word of the disagreement: $out"
[ ! -e "$work/never.h5" ] || fail "a file was written by disagreeing ranks"
echo "ok: ranks with different schedules refused"
