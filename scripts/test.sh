#!/usr/bin/env bash
# Builds scenmc and runs every test (installing what is missing):
#   1. a Release build with -Werror and the whole ctest suite;
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#      (this also replays the fuzzing corpora);
#   3. ThreadSanitizer on the OpenMP paths and valgrind memcheck (tests/dynamic_checks.sh).
# Exits non-zero when anything fails. Build folders: build-test/, build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
SCENMC_EXTRA_PACKAGES="$SCENMC_TEST_PACKAGES" scenmc_install_deps
jobs=$(nproc)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

echo "== Release build (-Werror) and tests"
cmake -S "$root" -B "$root/build-test" -DCMAKE_BUILD_TYPE=Release -DSCENMC_WERROR=ON >/dev/null
cmake --build "$root/build-test" -j "$jobs"
(cd "$root/build-test" && ctest --output-on-failure -j "$jobs")

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCENMC_SANITIZE=ON \
      -DSCENMC_WERROR=ON >/dev/null
cmake --build "$root/build-asan" -j "$jobs"
# Smaller statistical samples under the sanitizers (same tests, same thresholds).
(cd "$root/build-asan" && SCENMC_TEST_SCALE=0.05 \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs")
echo "== ThreadSanitizer and valgrind"
bash "$root/tests/dynamic_checks.sh" "$root" "$root/build-test"
echo "== all tests passed"
