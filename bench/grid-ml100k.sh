#!/bin/sh
# bench/grid-ml100k.sh — wall time of the Spark tutorials' grid (48 cells × 5 folds) on real
# MovieLens 100k with 1 and with all threads, measured in the same run, and the speed-up.
#   bench/grid-ml100k.sh [path/to/alstune] [path/to/u.data]
set -eu
. "$(dirname "$0")/lib.sh"
bin=${1:-$top/alstune}
data=${2:-$ML100K}
need_ml100k "$data"
make_tmp
cat > "$tmp/g.yaml" <<EOY
name: bench-grid
data: {ratings: $data}
split: {testFraction: 0, numFolds: 5, seed: 42}
als: {rank: [5, 10, 20, 50], regParam: [0.01, 0.05, 0.1, 0.2], maxIter: [5, 10, 20]}
metric: rmse
EOY
nt=$(nproc)
best() { # runs; prints best wall seconds of 3
    b=""
    for i in 1 2 3; do
        s=$(date +%s.%N); "$bin" tune "$tmp/g.yaml" --out "$tmp/r$1" --fresh --quiet --no-report --threads "$1"; e=$(date +%s.%N)
        t=$(awk -v a="$s" -v b="$e" 'BEGIN {print b - a}')
        if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN {exit !(t < b)}'; then b=$t; fi
    done
    echo "$b"
}
t1=$(best 1); tn=$(best "$nt")
printf 'grid ml-100k 48 cells x 5 folds: 1 thread %.2f s, %d threads %.2f s, speed-up %.2fx\n' "$t1" "$nt" "$tn" "$(awk -v a="$t1" -v b="$tn" 'BEGIN {print a / b}')"
printf 'best: %s\n' "$(sed -n 2p "$tmp/r$nt/summary.csv" | cut -d, -f3-5,11,12)"
cmp -s "$tmp/r1/summary.csv" "$tmp/r$nt/summary.csv" && echo "summary.csv identical for 1 and $nt threads"
