#!/usr/bin/env bash
# Builds scenmc and runs every test (installing what is missing):
#   1. a Release build with -Werror and the whole ctest suite;
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#      (this also replays the fuzzing corpora);
#   2. the SLURM test (ctest hpc/slurm, tests/hpc/slurm_test.sh): the batch
#      scripts of scripts/slurm/ on a private single-node SLURM that it starts
#      as root (slurm-wlm and munge are installed for it), or on the SLURM that
#      answers here; in the background during the sanitizer build (it mostly
#      waits), its log printed after;
#   3. ThreadSanitizer on the OpenMP paths and valgrind memcheck (tests/dynamic_checks.sh).
# Exits non-zero when anything fails. Build folders: build-test/, build-asan/.
#
# SCENMC_TEST_SLURM=0 leaves the SLURM test out (for machines where no SLURM
# can be started: not root, no packages). Otherwise it runs; where it cannot
# start a SLURM it is skipped, saying why, except under CI=true, where that
# is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
export SCENMC_TEST_SLURM=${SCENMC_TEST_SLURM:-1}
packages=$SCENMC_TEST_PACKAGES
# slurm-wlm and munge: only to start a private SLURM, which needs root.
if [ "$SCENMC_TEST_SLURM" = 1 ] && { [ "$(id -u)" = 0 ] || [ "${CI:-}" = true ]; } &&
    ! { command -v sinfo >/dev/null && [[ $(timeout 10 sinfo -h -o %a 2>/dev/null) == *up* ]]; }; then
    packages="$packages $SCENMC_SLURM_PACKAGES"
fi
SCENMC_EXTRA_PACKAGES="$packages" scenmc_install_deps
jobs=$(nproc)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
# ctest -j runs two tests of two threads each on two cores: OpenMP threads
# that spin at a barrier take the core the other test needs (the exact
# solver's small steps on the default model cost 2.5x the CPU that way);
# waiting threads sleep instead (4 exact-heavy tests: 30 -> 22 s wall).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

echo "== Release build (-Werror) and tests"
cmake -S "$root" -B "$root/build-test" -DCMAKE_BUILD_TYPE=Release -DSCENMC_WERROR=ON >/dev/null
cmake --build "$root/build-test" -j "$jobs"
(cd "$root/build-test" && ctest --output-on-failure -j "$jobs" -LE slurm)

# The SLURM test mostly waits on the batch system (job states, daemons): it runs in
# the background while the sanitizer build compiles, and its log is shown after.
echo "== SLURM: the batch scripts on a real SLURM (SCENMC_TEST_SLURM=$SCENMC_TEST_SLURM), in the background"
slurm_log=$root/build-test/slurm-test.log
(cd "$root/build-test" && ctest -L slurm --output-on-failure --verbose) >"$slurm_log" 2>&1 &
slurm_pid=$!
slurm_done() {
    local rc=0
    wait "$slurm_pid" || rc=$?
    echo "== SLURM test log ($slurm_log):"
    cat "$slurm_log"
    if grep -q "SKIPPED (slurm test)" "$slurm_log"; then
        echo "== SLURM test skipped: $(grep -o 'SKIPPED (slurm test).*' "$slurm_log" | head -n 1)"
    fi
    return "$rc"
}

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCENMC_SANITIZE=ON \
      -DSCENMC_WERROR=ON >/dev/null || { slurm_done || true; exit 1; }
cmake --build "$root/build-asan" -j "$jobs" || { slurm_done || true; exit 1; }
slurm_done
# Smaller statistical samples under the sanitizers (same tests, same thresholds).
# The tests labelled slow (2.2 million trajectories; every figure of scenmc-plot,
# mostly Python) ran in the Release stage and add little here but minutes.
(cd "$root/build-asan" && SCENMC_TEST_SCALE=0.05 \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs" -LE 'slurm|slow')
echo "== ThreadSanitizer and valgrind"
bash "$root/tests/dynamic_checks.sh" "$root" "$root/build-test"
echo "== all tests passed"
