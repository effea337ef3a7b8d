#!/usr/bin/env bash
# The main job: builds scenmc (installing what is missing) and runs the
# Monte Carlo engine on a model, by default Ett Smart Västernorrland 2030.
#   scripts/run.sh                      # 10^6 trajectories of the default model
#   scripts/run.sh models/other.yaml -n 5e6 --beta 1
# Results: results/<model>.h5 (override with -o FILE.h5). Extra arguments go
# to 'scenmc run' (see 'scenmc run --help').
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
scenmc_install_deps

build="$root/build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSCENMC_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

name=vasternorrland2030
if [ $# -gt 0 ] && [ -f "$1" ]; then
    name=$(basename "${1%.*}")
fi
out=()
case " $* " in
    *" -o "*|*" --output "*|*" --output="*) ;;
    *) mkdir -p "$root/results"; out=(-o "$root/results/$name.h5" --force) ;;
esac
exec "$build/scenmc" run "$@" "${out[@]}"
