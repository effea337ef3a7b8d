#!/bin/bash
# Writes one file of every kind (run, exact, shards and their merge, sweep,
# sensitivity, derivatives, ensemble) of the small test model into DIR, for the xarray and
# R checks beside this script (ctest fixture layout_files).
# usage: make_files.sh SCENMC MODEL DIR
set -eu
B=$1 M=$2 D=$3
rm -rf "$D"
mkdir -p "$D"
cd "$D"
q="--quiet --force --seed 7"
"$B" run "$M" -n 2000 $q -o run.h5
"$B" exact "$M" $q -o exact.h5
"$B" run "$M" -n 2000 --shard 1/2 $q -o shard1.h5
"$B" run "$M" -n 2000 --shard 2/2 $q -o shard2.h5
"$B" merge shard1.h5 shard2.h5 --quiet --force -o merge.h5
"$B" sweep "$M" --param beta=0,0.5,1 -n 500 $q -o sweep.h5
"$B" run "$M" -n 500 --beta 0.5 $q -o beta05.h5
"$B" sensitivity "$M" --method difference -n 200 $q -o sensitivity.h5
"$B" sensitivity "$M" --method exact $q -o derivative.h5
"$B" exact "$M" --beta 1.5001 $q -o exact_beta_plus.h5   # the model's beta is 1.5
"$B" exact "$M" --beta 1.4999 $q -o exact_beta_minus.h5
"$B" sensitivity "$M" --method score -n 2000 $q -o derivative_score.h5
"$B" sweep "$M" --param "cell:X=up,Y=y1=3" -n 200 $q -o cell_plus.h5
"$B" run "$M" -n 2000 --ensemble 5 $q -o ensemble.h5
for f in run exact merge beta05; do
    "$B" export $f.h5 --csv csv_$f --force
done
echo "files written to $D"
