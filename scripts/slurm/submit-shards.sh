#!/bin/bash
# Submits M shards as one job array and the merge job that waits for them.
#
#   SHARDS=16 OUT=all.h5 scripts/slurm/submit-shards.sh [MODEL] [scenmc run options]
#   SHARDS=8 OUT=sweep.h5 SCENMC_CMD=sweep scripts/slurm/submit-shards.sh --param beta=0:2:0.1
#
# Environment: SHARDS (M, default 4), OUT (merged file, default all.h5),
# PARTS (folder for the parts, default OUT.parts), SCENMC_CMD (run or sweep),
# SCENMC (the binary), SBATCH_ARGS (extra sbatch options for the array,
# e.g. "--partition=long --cpus-per-task=8"). Prints the two job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHARDS=${SHARDS:-4}
OUT=${OUT:-all.h5}
PARTS=${PARTS:-$OUT.parts}
SCENMC_CMD=${SCENMC_CMD:-run}
mkdir -p "$PARTS"
export SHARDS PARTS OUT SCENMC_CMD
# shellcheck disable=SC2086
array=$(sbatch --parsable --array=1-"$SHARDS" ${SBATCH_ARGS:-} "$here/shards.sbatch" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/merge.sbatch")
merge=${merge%%;*}
echo "shards: job array $array (1-$SHARDS) -> $PARTS/part-K.h5"
echo "merge:  job $merge (after all shards succeed) -> $OUT"
