#!/bin/bash
# A real SLURM, end to end (ctest hpc/slurm, label 'slurm'; docs/hpc.md, "Tests"):
#   1. the job-array example (scripts/slurm/submit-shards.sh: 3 shards, then
#      the merge job with --dependency=afterok) equals a plain run, bit for bit;
#   2. the one-node and hybrid examples (2 MPI ranks, srun --mpi=pmix, else
#      mpirun in the allocation) equal a plain run;
#   3. scripts/slurm/run-resumable.sbatch:
#      a. stopped by --max-time after its first chunk (MAX_TIME of a
#         microsecond: a stop that does not depend on how fast anything is),
#         it writes a checkpoint, exits 3, resubmits itself with the same
#         time limit; the next jobs resume until done; the file equals a
#         plain run and the checkpoint is gone;
#      b. SIGUSR1 to the batch shell (what --signal=B:USR1@120 does before
#         the time limit) reaches scenmc, which checkpoints; the script
#         resubmits itself (held here, then cancelled). The run is of 10^12
#         trajectories, so it is still running when the signal comes; were it
#         over anyway, that try would be repeated, never counted as a failure.
#   Every wait is on a state (job states, lines in the job's output), never a
#   fixed sleep; the time limits below only bound the waits.
#
# Environment:
#   SCENMC_TEST_SLURM=1     run it (otherwise it skips: it installs packages
#                           and starts daemons as root). scripts/test.sh sets it
#                           unless SCENMC_TEST_SLURM=0 is given (the opt-out).
#   CI=true or SCENMC_TEST_SLURM_REQUIRED=1
#                           a SLURM that cannot be started fails the test
#                           (exit 1) instead of skipping it.
#   SCENMC_TEST_SLURM_DIR   where the jobs' files go (default: /tmp for the
#                           private SLURM; the current folder where a SLURM
#                           already answers, since compute nodes must see it).
#   SCENMC_TEST_SLURM_LIMIT the whole test's time bound in seconds (default
#                           540, below ctest's 600); on a busy real cluster
#                           run the script directly with a larger one.
#   SCENMC_TEST_SLURM_KEEP=1  keep the folder (logs, job output) afterwards.
#
# Where a SLURM already answers (sinfo), its default partition is used
# (sbatch reads SBATCH_PARTITION, SBATCH_ACCOUNT, ...) and nothing is
# installed or started. Otherwise, as root, it installs slurm-wlm and munge
# when missing and starts its own munged, slurmctld and slurmd: a private
# munge socket and key, free TCP ports, state, spool and logs in a temporary
# folder (/etc/slurm and /etc/munge untouched, nothing shared with another
# SLURM on the machine). At the end, on failure too, it cancels its jobs and
# stops every process of that cluster; a watchdog does the same should the
# test itself be killed. Exit 77 (ctest: skipped) with the reason when it
# cannot run and is not required to.
#
# usage: slurm_test.sh SCENMC_BINARY SOURCE_DIR
#        slurm_test.sh --stop WORK_DIR     (the watchdog's cleanup)
set -uo pipefail

say() { echo "== $*"; }

# ---------------------------------------------------------------- stopping
# Everything this test started is recorded in its work folder: the daemons'
# pids (pids), the job ids (jobids; all jobs on a private SLURM), and every
# process of a private SLURM carries SLURM_CONF=WORK/slurm.conf in its
# environment (slurmstepd, batch shells, scenmc), which finds the stragglers.
stop_all() {
    local work=$1 conf=$1/slurm.conf p ids
    [ -d "$work" ] || return 0
    if [ -f "$work/private" ]; then
        ids=$(SLURM_CONF=$conf timeout 10 squeue -h -o %i 2>/dev/null)
    else
        ids=$(cat "$work/jobids" 2>/dev/null)
    fi
    if [ -n "$ids" ]; then
        # shellcheck disable=SC2086
        SLURM_CONF=$conf timeout 20 scancel $ids 2>/dev/null
        if [ -f "$work/private" ]; then
            for _ in $(seq 100); do
                [ -z "$(SLURM_CONF=$conf timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    # slurmd, then slurmctld, then munged (the reverse of their start).
    for p in $(tac "$work/pids" 2>/dev/null); do
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    if [ -f "$work/private" ]; then
        for p in /proc/[0-9]*; do
            p=${p#/proc/}
            [ "$p" = $$ ] && continue
            env -u SLURM_CONF grep -qzx "SLURM_CONF=$conf" "/proc/$p/environ" 2>/dev/null &&
                kill -9 "$p" 2>/dev/null
        done
    fi
    rm -f "$work/pids"
}

if [ "${1:-}" = --stop ]; then
    stop_all "$2"
    [ "${SCENMC_TEST_SLURM_KEEP:-0}" = 1 ] || rm -rf "$2"
    exit 0
fi

# The rest is one compound command, read whole before it runs: an edit of
# this file during a run cannot change the run.
{

SCENMC=$(readlink -f "$1")
SRC=$(cd "$2" && pwd)
export SCENMC

dump_logs() {
    local f
    [ -n "${work:-}" ] || return 0
    for f in "$work"/*.log "$work"/jobs/*.out; do
        [ -f "$f" ] || continue
        echo "---- $f (last lines)" >&2
        tail -n 25 "$f" >&2
    done
}
required=0
[ "${CI:-}" = true ] || [ "${SCENMC_TEST_SLURM_REQUIRED:-0}" = 1 ] && required=1
skip() { echo "SKIPPED (slurm test): $*"; exit 77; }
# A SLURM that cannot be had: skipped, or a failure where it is required.
cannot() {
    if [ $required = 1 ]; then
        echo "FAILED (slurm test; required since CI=true or SCENMC_TEST_SLURM_REQUIRED=1): $*" >&2
        dump_logs
        exit 1
    fi
    dump_logs
    skip "$*"
}
fail() { echo "FAILED (slurm test): $*" >&2; dump_logs; exit 1; }

case ${SCENMC_TEST_SLURM:-} in
1) ;;
0) skip "opted out (SCENMC_TEST_SLURM=0)" ;;
*) skip "opt-in: set SCENMC_TEST_SLURM=1 to run it (as root it installs slurm-wlm and munge when missing and starts a private single-node SLURM; about a minute; scripts/test.sh sets it)" ;;
esac

limit=${SCENMC_TEST_SLURM_LIMIT:-540}
t0=$SECONDS
have_slurm=0
# (No 'cmd | grep -q' anywhere: under pipefail, grep leaving early can fail
# the pipeline with the writer's SIGPIPE, by chance.)
if command -v sinfo >/dev/null && [[ $(timeout 10 sinfo -h -o %a 2>/dev/null) == *up* ]]; then
    have_slurm=1
    base=${SCENMC_TEST_SLURM_DIR:-$PWD}
else
    base=${SCENMC_TEST_SLURM_DIR:-/tmp}
fi
work=$(mktemp -d "$base/scenmc-slurm-XXXXXX") || cannot "cannot create a folder in $base"
chmod 755 "$work"
: >"$work/jobids"

watchdog=""
# shellcheck disable=SC2317 # (called by the trap)
cleanup() {
    trap - EXIT INT TERM HUP
    [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
    stop_all "$work"
    if [ "${SCENMC_TEST_SLURM_KEEP:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'echo "FAILED (slurm test): interrupted" >&2; exit 1' INT TERM HUP

# The watchdog: past the time limit it asks this test to stop (the EXIT trap
# cleans up); should the test be killed outright (ctest's timeout), it stops
# the cluster itself. Detached, so that killing the test's process tree
# spares it, and without SLURM_CONF, so that the cleanup spares it.
me=$$
self=$(readlink -f "$0")
(
    # shellcheck disable=SC2016 # (expanded by that shell)
    env -u SLURM_CONF setsid bash -c '
        me=$1 work=$2 limit=$3 self=$4 n=0
        while kill -0 "$me" 2>/dev/null && [ -d "$work" ]; do
            sleep 1
            n=$((n + 1))
            [ $n -eq "$limit" ] && kill -TERM "$me" 2>/dev/null
        done
        [ -d "$work" ] && bash "$self" --stop "$work"' \
        watchdog "$me" "$work" "$limit" "$self" </dev/null >/dev/null 2>&1 &
    echo $! >"$work/watchdog.pid"
)
watchdog=$(cat "$work/watchdog.pid")

# ---------------------------------------------------------------- a SLURM to use
# Two free TCP ports for slurmctld and slurmd.
free_ports() {
    python3 - <<'EOF'
import random, socket
ports = []
while len(ports) < 2:
    p = random.randrange(20000, 30000)
    s = socket.socket()
    try:
        s.bind(("", p))
        ports.append(p)
    except OSError:
        pass
    finally:
        s.close()
print(*ports)
EOF
}

start_private_slurm() {
    [ "$(id -u)" = 0 ] || cannot "no SLURM answers here and starting one needs root"
    if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
        command -v apt-get >/dev/null || cannot "slurm-wlm and munge are missing and there is no apt-get"
        say "installing slurm-wlm munge"
        export DEBIAN_FRONTEND=noninteractive
        if ! timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge >"$work/apt.log" 2>&1; then
            timeout 300 apt-get update -qq >>"$work/apt.log" 2>&1
            timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge >>"$work/apt.log" 2>&1 ||
                cannot "could not install slurm-wlm munge (no network?): $(tail -n 2 "$work/apt.log" | tr '\n' ' ')"
        fi
    fi
    touch "$work/private"
    local host ports m sock
    host=$(hostname -s)
    ports=$(free_ports) || cannot "no free TCP ports (python3)"
    export SLURM_CONF=$work/slurm.conf

    # munge: a private key, socket and daemon (not the machine's /run/munge).
    m=$work/munge
    sock=$m/munge.socket
    mkdir -m 755 "$m"
    dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
    chmod 400 "$m/munge.key"
    munged --force --socket="$sock" --key-file="$m/munge.key" --pid-file="$m/munged.pid" \
        --log-file="$work/munged.log" --seed-file="$m/munged.seed" >"$work/munged.out.log" 2>&1 ||
        cannot "munged does not start: $(tail -n 2 "$work/munged.log" "$work/munged.out.log" | tr '\n' ' ')"
    cat "$m/munged.pid" >>"$work/pids"
    for _ in $(seq 100); do
        munge -S "$sock" -n 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -S "$sock" -n 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1 || cannot "munge does not work"

    mkdir -p "$work/state" "$work/spool" "$work/tmp"
    cat >"$SLURM_CONF" <<EOF
# A private single-node SLURM for scenmc's test (tests/hpc/slurm_test.sh)
ClusterName=scenmctest
SlurmctldHost=$host
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
MinJobAge=3600
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
TmpFS=$work/tmp
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    say "starting munged, slurmctld and slurmd (ports $ports; $SLURM_CONF)"
    slurmctld -f "$SLURM_CONF" -i >"$work/slurmctld.out.log" 2>&1 || cannot "slurmctld does not start"
    for _ in $(seq 100); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.1; done
    cat "$work/slurmctld.pid" >>"$work/pids" 2>/dev/null || cannot "slurmctld wrote no pid file"
    slurmd -f "$SLURM_CONF" >"$work/slurmd.out.log" 2>&1 || cannot "slurmd does not start"
    for _ in $(seq 100); do [ -s "$work/slurmd.pid" ] && break; sleep 0.1; done
    cat "$work/slurmd.pid" >>"$work/pids" 2>/dev/null || cannot "slurmd wrote no pid file"
    for _ in $(seq 240); do
        [[ $(sinfo -h -o %t 2>/dev/null) == *idle* ]] && return 0
        sleep 0.5
    done
    cannot "the node did not become idle within 120 s: $(sinfo -h 2>&1 | head -n 3 | tr '\n' ' ')"
}

if [ $have_slurm = 1 ]; then
    say "using the SLURM that answers here ($(sinfo -V 2>/dev/null)); files in $work"
else
    start_private_slurm
fi
say "$(sinfo 2>&1 | tr '\n' ';')"

# ---------------------------------------------------------------- helpers
# A job's state; once SLURM forgets the job (MinJobAge), accounting's, if any.
job_state() {
    local st
    st=$(scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1)
    [ -z "$st" ] && command -v sacct >/dev/null &&
        st=$(sacct -n -X -P -j "$1" -o State 2>/dev/null | head -n 1 | cut -d' ' -f1)
    echo "$st"
}
left() { echo $((limit - (SECONDS - t0))); }
# Waits until a job is over (or the test's time is up); echoes its final state.
wait_job() {
    local id=$1 st=""
    while [ "$(left)" -gt 0 ]; do
        st=$(job_state "$id")
        case $st in
        COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE)
            echo "$st"
            return 0
            ;;
        "") if [ -z "$(squeue -h -j "$id" 2>/dev/null)" ]; then echo GONE; return 0; fi ;;
        esac
        sleep 0.5
    done
    echo "STILL_${st:-UNKNOWN}_AT_THE_TIME_LIMIT"
}
# Waits until FILE has a line matching RE, as long as job ID is not over.
wait_line() {
    local file=$1 re=$2 id=$3
    while [ "$(left)" -gt 0 ]; do
        grep -q "$re" "$file" 2>/dev/null && return 0
        case $(job_state "$id") in
        PENDING | CONFIGURING | RUNNING | COMPLETING | SUSPENDED) ;;
        *) grep -q "$re" "$file" 2>/dev/null; return ;;
        esac
        sleep 0.2
    done
    return 1
}
submitted() { local id; for id in "$@"; do echo "${id%%;*}" >>"$work/jobids"; done; }
same() {
    h5diff -q "$1" "$2" /counts /counts && h5diff -q "$1" "$2" /probability /probability
}

mkdir -p "$work/jobs"
cd "$work/jobs" || fail "cannot enter $work/jobs"
export OMP_NUM_THREADS=1
# A sanitizer build: no leak reports from Open MPI's own allocations.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# ---------------------------------------------------------------- 1. job array + merge
say "job array of 3 shards and the dependent merge job"
args=(-n 30011 --seed 7)
"$SCENMC" run "${args[@]}" --quiet --threads 1 -o "$work/ref.h5" || fail "plain run failed"
out=$(SHARDS=3 OUT="$work/all.h5" PARTS="$work/parts" SBATCH_ARGS="--cpus-per-task=1" \
    "$SRC/scripts/slurm/submit-shards.sh" "${args[@]}" 2>&1) || fail "submit-shards.sh: $out"
echo "$out"
array=$(echo "$out" | sed -n 's/^shards: job array \([0-9]*\).*/\1/p')
merge=$(echo "$out" | sed -n 's/^merge: *job \([0-9]*\).*/\1/p')
{ [ -n "$array" ] && [ -n "$merge" ]; } || fail "no job ids in: $out"
submitted "$array" "$merge"
st=$(wait_job "$merge")
[ "$st" = COMPLETED ] || fail "merge job $merge: $st ($(scontrol show job "$array" 2>&1 | grep -o 'JobState=[A-Z]*' | sort | uniq -c | tr '\n' ' '))"
for k in 1 2 3; do
    [ -s "$work/parts/part-$k.h5" ] || fail "no part $k"
done
same "$work/ref.h5" "$work/all.h5" || fail "the merged file differs from a plain run"
say "ok: 3 shards merged by the dependent job equal the plain run bit for bit"

# ---------------------------------------------------------------- 2. one node; MPI + OpenMP
say "run-node.sbatch (OpenMP) and run-hybrid.sbatch (2 MPI ranks) equal a plain run"
args=(-n 20011 --seed 5)
"$SCENMC" run "${args[@]}" --quiet --threads 1 -o "$work/ref3.h5" || fail "plain run failed"
jid=$(OUT="$work/node.h5" sbatch --parsable --cpus-per-task=2 "$SRC/scripts/slurm/run-node.sbatch" \
    "${args[@]}" --quiet) || fail "sbatch run-node.sbatch"
submitted "$jid"
st=$(wait_job "${jid%%;*}")
[ "$st" = COMPLETED ] || fail "run-node job $jid: $st"
same "$work/ref3.h5" "$work/node.h5" || fail "run-node.sbatch: differs from a plain run"
hybrid() {
    rm -f "$work/hybrid.h5" scenmc-hybrid-*.out
    local id
    id=$(OUT="$work/hybrid.h5" LAUNCH="$1" sbatch --parsable --nodes=1 --ntasks=2 --cpus-per-task=1 \
        "$SRC/scripts/slurm/run-hybrid.sbatch" "${args[@]}") || return 1
    submitted "$id"
    # one MPI job of 2 ranks (not 2 separate runs), and the same tables
    [ "$(wait_job "${id%%;*}")" = COMPLETED ] && grep -q "2 MPI ranks x 1 threads" scenmc-hybrid-*.out &&
        same "$work/ref3.h5" "$work/hybrid.h5"
}
if hybrid "srun --mpi=pmix --cpu-bind=cores"; then
    say "ok: srun --mpi=pmix, 2 ranks"
elif OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 hybrid "mpirun --bind-to none"; then
    say "ok: mpirun inside the allocation, 2 ranks (srun --mpi=pmix did not work here: $(cat scenmc-hybrid-*.out 2>/dev/null | tail -n 3 | tr '\n' ' '))"
else
    fail "run-hybrid.sbatch: $(cat scenmc-hybrid-*.out 2>/dev/null | tail -n 5)"
fi
say "ok: one node and hybrid batch scripts equal the plain run bit for bit"

# ---------------------------------------------------------------- 3a. --max-time, resubmission, resume
say "run-resumable.sbatch: stopped by MAX_TIME after one chunk, resubmitted, resumed to the end"
resumable=$SRC/scripts/slurm/run-resumable.sbatch
log=$work/jobs/scenmc-resumable.out
n=150000
"$SCENMC" run -n $n --seed 3 --quiet --threads 1 -o "$work/ref2.h5" || fail "plain run failed"
rm -f "$log"
# A microsecond: every attempt stops after its first chunk, however fast it
# is (the stop is judged after a chunk: the next one would end past the
# deadline). Attempt 1 does 20000 (--chunk); a resumed attempt uses the
# default chunk (65536 per thread), so this takes at least 3 attempts.
jid=$(OUT="$work/res.h5" MAX_TIME=0.000001s SCENMC_SELF="$resumable" \
    sbatch --parsable --cpus-per-task=1 --time=10 "$resumable" -n $n --seed 3 --chunk 20000 --quiet) ||
    fail "sbatch run-resumable.sbatch"
jid=${jid%%;*}
submitted "$jid"
chain=("$jid")
while :; do
    cur=${chain[${#chain[@]} - 1]}
    st=$(wait_job "$cur")
    [ "$st" = COMPLETED ] || fail "job $cur (attempt ${#chain[@]}): $st"
    next=$(sed -n 's/.*resubmitted as job \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    # The last job finished, resubmitting nothing new: the chain is over.
    if [ -z "$next" ] || [[ " ${chain[*]} " == *" $next "* ]]; then
        break
    fi
    submitted "$next"
    chain+=("$next")
    [ ${#chain[@]} -le 20 ] || fail "more than 20 attempts: ${chain[*]}"
    # The resubmission keeps the time limit (10 minutes).
    [[ $(scontrol show job "$next") == *TimeLimit=00:10:00* ]] ||
        fail "job $next was not resubmitted with the time limit: $(scontrol show job "$next" | grep -o 'TimeLimit=[^ ]*')"
done
grep -q "^done:" "$log" || fail "the last job (${chain[*]}) did not finish"
[ ${#chain[@]} -ge 3 ] || fail "expected at least 3 attempts (2 resubmissions), got jobs ${chain[*]}"
[ "$(grep -c 'stopped by the time limit' "$log")" -eq $((${#chain[@]} - 1)) ] ||
    fail "expected a stop at --max-time in each of the first $((${#chain[@]} - 1)) attempts"
[ ! -e "$work/res.h5.ckpt" ] || fail "the checkpoint was left behind"
same "$work/ref2.h5" "$work/res.h5" || fail "the resumed file differs from a plain run"
grep -E "^(attempt|scenmc run: stopped|checkpoint|done)" "$log"
say "ok: ${#chain[@]} jobs (${chain[*]}), each stopped by --max-time and resubmitted, the last done: equal to the plain run bit for bit"

# ---------------------------------------------------------------- 3b. SIGUSR1 to the batch shell
say "run-resumable.sbatch: SIGUSR1 to the batch shell (what --signal=B:USR1@120 does) -> checkpoint, resubmission"
mv "$log" "$work/jobs/maxtime.out"
n=1000000000000
ok=0
for try in 1 2 3; do
    rm -f "$log" "$work/big.h5" "$work/big.h5.ckpt"
    # MAX_ATTEMPTS=2 and --hold: the resubmitted job is queued, held, never run.
    jid=$(OUT="$work/big.h5" MAX_ATTEMPTS=2 RESUBMIT_ARGS=--hold SCENMC_SELF="$resumable" \
        sbatch --parsable --cpus-per-task=1 --time=10 "$resumable" -n $n --seed 3 --chunk 20000) ||
        fail "sbatch run-resumable.sbatch"
    jid=${jid%%;*}
    submitted "$jid"
    # scenmc says so once its handlers are in place.
    wait_line "$log" "stops the run with a checkpoint" "$jid" ||
        fail "job $jid did not start scenmc: $(job_state "$jid")"
    if scancel --batch --signal=USR1 "$jid" 2>"$work/scancel.log"; then
        st=$(wait_job "$jid")
        [ "$st" = COMPLETED ] || fail "job $jid: $st"
        grep -q "resubmitted as job" "$log" && { ok=1; break; }
    else
        st=$(wait_job "$jid")
    fi
    # Over before the signal came: not a failure; again with a longer run.
    grep -q "^done:" "$log" || fail "job $jid ($st) was signalled but neither checkpointed nor finished: $(cat "$work/scancel.log")"
    say "job $jid was over before the signal came; again (try $((try + 1)))"
    n=${n}0
done
[ $ok = 1 ] || fail "every run finished before the signal came"
grep -q "^got SIGUSR1" "$log" || fail "the batch shell did not report the signal"
grep -q "stopped by SIGUSR1 after" "$log" || fail "scenmc was not stopped by SIGUSR1"
[ -s "$work/big.h5.ckpt" ] || fail "no checkpoint $work/big.h5.ckpt"
next=$(sed -n 's/.*resubmitted as job \([0-9]*\).*/\1/p' "$log" | tail -n 1)
submitted "$next"
info=$(scontrol show job "$next")
for want in "JobState=PENDING" "TimeLimit=00:10:00" "Command=$resumable"; do
    [[ $info == *"$want"* ]] ||
        fail "the resubmitted job $next: no $want (held, the same time limit, the original script): $info"
done
scancel "$next"
# The checkpoint is one a next attempt resumes (one more chunk, then stop).
"$SCENMC" run --resume "$work/big.h5.ckpt" --threads 1 --quiet --max-time 0.000001s >"$work/resume.log" 2>&1
rc=$?
[ $rc = 3 ] || fail "--resume of the signal's checkpoint: exit $rc, not 3 (stopped again): $(cat "$work/resume.log")"
grep -E "^(attempt|got|scenmc run: stopped|checkpoint|done)" "$log"
say "ok: the signal reached scenmc through the batch shell; checkpoint written, job $next resubmitted"
say "all SLURM checks passed in $((SECONDS - t0)) s"
exit 0
}
