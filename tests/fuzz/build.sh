#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + libFuzzer) into
# build-fuzz/, then: build-fuzz/fuzz_model tests/fuzz/corpus/model -max_total_time=1800
# Needs clang and libclang-rt-14-dev (Debian). New crashing or slow inputs go
# into tests/fuzz/corpus/<target>/ so that CI replays them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build-fuzz"
mkdir -p "$out"
cmake -S "$root" -B "$out/gen" -DSCENMC_TESTS=OFF >/dev/null
cmake --build "$out/gen" --target scenmc_lib -j "$(nproc)" >/dev/null # generates default_model.c
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_POSIX_C_SOURCE=200809L"
inc="-I$root/include -I$root/src -I/usr/include/hdf5/serial"
libs="$(pkg-config --libs yaml-0.1 nettle gsl) -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5_hl -lhdf5 -fopenmp -lm"
# Every library layer (docs/architecture.md); not the command-line front end.
srcs=$(ls "$root"/src/{base,model,engine,cib,interop,io}/*.c)
for target in "$root"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$target" .c)
    clang $flags $inc $srcs "$out/gen/default_model.c" "$target" $libs -o "$out/$name"
    echo "built $out/$name"
done
