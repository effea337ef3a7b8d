#!/usr/bin/env bash
# Installs the build into a temporary prefix and links tests/install/example.c
# against it twice: with pkg-config and with CMake's find_package(scenmc).
# Usage: check_install.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for header in "$tmp"/prefix/include/scenmc/*.h; do   # public headers stand alone
    echo "#include <scenmc/$(basename "$header")>" | cc -std=c11 -fsyntax-only -I"$tmp/prefix/include" -x c -
done
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc -std=c11 -O2 -o "$tmp/example-pc" "$here/example.c" $(pkg-config --static --cflags --libs scenmc)
"$tmp/example-pc"
cmake -S "$here" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
"$tmp/consumer/example"
echo "install: pkg-config and find_package(scenmc) both link and run"
