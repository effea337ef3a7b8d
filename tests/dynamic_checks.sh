#!/usr/bin/env bash
# Dynamic checks beyond the unit tests (run by scripts/test.sh):
#   1. ThreadSanitizer on the OpenMP paths of run, exact, sweep, sensitivity,
#      ensemble and consistent, built with clang so that the OpenMP runtime
#      (LLVM's libomp with its archer tool) tells TSan about its own
#      synchronisation; GCC's libgomp would give false reports.
#   2. valgrind memcheck on a small run, exact and consistent: zero errors and
#      no definite or indirect leaks.
# Usage: tests/dynamic_checks.sh SOURCE_DIR RELEASE_BUILD_DIR
set -euo pipefail
src=$1
rel=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small="$src/tests/data/good/small.yaml"

echo "-- ThreadSanitizer (clang, libomp + archer)"
archer=$(ls /usr/lib/llvm-*/lib/libarcher.so 2>/dev/null | head -1 || true)
if command -v clang >/dev/null && [ -n "$archer" ]; then
    CC=clang cmake -S "$src" -B "$src/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCENMC_TSAN=ON \
        -DSCENMC_TESTS=OFF >/dev/null
    cmake --build "$src/build-tsan" --target scenmc -j "$(nproc)" >/dev/null
    export OMP_TOOL_LIBRARIES="$archer" TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1"
    t="$src/build-tsan/scenmc"
    "$t" run -n 20000 --threads 2 --quiet
    "$t" run -n 20000 --threads 2 --quiet --ensemble 3
    "$t" exact --threads 2 --quiet --beta 0.3
    "$t" sweep --param beta=0,1 -n 5000 --threads 2 --quiet
    "$t" sensitivity "$small" -n 500 --threads 2 --quiet
    if "$t" --help | grep -q consistent; then
        "$t" consistent --threads 2 --count >/dev/null
        "$t" consistent --threads 2 --basins >/dev/null
    fi
    unset OMP_TOOL_LIBRARIES TSAN_OPTIONS
    echo "ThreadSanitizer: no data races reported"
else
    echo "ThreadSanitizer: SKIPPED (needs clang and LLVM's libomp with libarcher: apt-get install clang libomp-14-dev)"
fi

echo "-- valgrind memcheck"
if command -v valgrind >/dev/null; then
    vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
        --suppressions="$src/tests/valgrind.supp")
    "${vg[@]}" "$rel/scenmc" run -n 2000 --threads 2 --quiet -o "$tmp/r.h5"
    "${vg[@]}" "$rel/scenmc" exact "$small" --threads 2 --quiet -o "$tmp/e.h5"
    if "$rel/scenmc" --help | grep -q consistent; then
        "${vg[@]}" "$rel/scenmc" consistent "$small" --threads 2 >/dev/null
    fi
    echo "valgrind: no errors, no leaks"
else
    echo "valgrind: SKIPPED (not installed)"
fi
