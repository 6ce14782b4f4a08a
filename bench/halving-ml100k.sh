#!/bin/sh
# bench/halving-ml100k.sh — issue 12 acceptance (a): synchronous successive halving over the
# tutorials' seed grid (rank {5,10,20,50} x regParam {0.01,0.05,0.1,0.2}, maxIter up to 20) against
# the full grid (maxIter [5, 10, 20] by path reuse) on real MovieLens 100k, 5-fold CV, testFraction
# 0, measured in the same run.  Prints one table row per pruner setting: the best cell, its CV RMSE,
# the gap to the full grid's best, the wall time and its ratio to the full grid's.
#   bench/halving-ml100k.sh [path/to/alstune] [path/to/u.data] [threads]
#   HALVING="5:2 2:3 5:4" picks the minIter:eta settings (default those three).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/alstune}
data=${2:-$top/../shared/data/ml-100k/u.data}
th=${3:-2}
[ -f "$data" ] || { echo "bench: no MovieLens 100k at $data" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
base="data: {ratings: $data}
split: {testFraction: 0, numFolds: 5, seed: 42}
metric: rmse"
printf 'name: full\n%s\nals: {rank: [5, 10, 20, 50], regParam: [0.01, 0.05, 0.1, 0.2], maxIter: [5, 10, 20], seed: 42}\n' "$base" > "$tmp/full.yaml"
wall() { # yaml out -> seconds
    s=$(date +%s.%N)
    "$bin" tune "$1" --out "$2" --fresh --quiet --no-report --threads "$th"
    e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "%.2f", b - a}'
}
tf=$(wall "$tmp/full.yaml" "$tmp/full")
fb=$(sed -n 2p "$tmp/full/summary.csv" | cut -d, -f3,4,5,11)
fv=$(echo "$fb" | cut -d, -f4)
printf '%-22s | %-28s | %-10s | %-9s | %-7s | %s\n' "run" "best cell (rank,reg,maxIter)" "CV RMSE" "gap" "wall s" "wall ratio"
printf '%-22s | %-28s | %.6f | %-9s | %-7s | %s\n' "full grid (48 cells)" "$(echo "$fb" | cut -d, -f1-3)" "$fv" "-" "$tf" "100 %"
for s in ${HALVING:-5:2 2:3 5:4}; do
    mi=${s%:*}; eta=${s#*:}
    printf 'name: halving\n%s\nals: {rank: [5, 10, 20, 50], regParam: [0.01, 0.05, 0.1, 0.2], maxIter: 20, seed: 42}\npruner: {method: halving, minIter: %s, eta: %s}\n' "$base" "$mi" "$eta" > "$tmp/h.yaml"
    th_=$(wall "$tmp/h.yaml" "$tmp/h")
    hb=$(sed -n 2p "$tmp/h/summary.csv" | cut -d, -f3,4,5,11)
    hv=$(echo "$hb" | cut -d, -f4)
    printf '%-22s | %-28s | %.6f | %+.6f | %-7s | %.0f %%\n' "halving minIter $mi eta $eta" "$(echo "$hb" | cut -d, -f1-3)" "$hv" \
        "$(awk -v a="$hv" -v b="$fv" 'BEGIN {print a - b}')" "$th_" "$(awk -v a="$th_" -v b="$tf" 'BEGIN {print 100 * a / b}')"
done
