#!/bin/sh
# Runs TOOL SCRIPT DIR, or says SKIP (status 77 for ctest) when TOOL is missing.
[ -x "$1" ] || { echo "SKIP: $1 missing"; exit 77; }
exec "$@"
