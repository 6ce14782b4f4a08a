#!/bin/sh
# bench/halving-ml100k.sh — issue 12 acceptance (a): synchronous successive halving over the
# tutorials' seed grid (rank {5,10,20,50} x regParam {0.01,0.05,0.1,0.2}, maxIter up to 20) against
# the full grid (maxIter [5, 10, 20] by path reuse) on real MovieLens 100k, 5-fold CV, testFraction
# 0, measured in the same run.  Prints one table row per pruner setting: the best cell, its CV RMSE,
# the gap to the full grid's best, the wall time and its ratio to the full grid's, and the CPU time
# (user + system, from /usr/bin/time; "-" without it) and its ratio: on a shared machine the wall
# time mostly measures the other processes, the CPU time what the run itself did.
#   bench/halving-ml100k.sh [path/to/alstune] [path/to/u.data] [threads]
#   HALVING="5:2 2:3 5:4" picks the minIter:eta settings (default those three).
set -eu
. "$(dirname "$0")/lib.sh"
bin=${1:-$top/alstune}
data=${2:-$ML100K}
th=${3:-2}
need_ml100k "$data"
make_tmp
base="data: {ratings: $data}
split: {testFraction: 0, numFolds: 5, seed: 42}
metric: rmse"
printf 'name: full\n%s\nals: {rank: [5, 10, 20, 50], regParam: [0.01, 0.05, 0.1, 0.2], maxIter: [5, 10, 20], seed: 42}\n' "$base" > "$tmp/full.yaml"
wall() { # yaml out -> "wall_seconds cpu_seconds" (cpu "-" without /usr/bin/time)
    s=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$bin" tune "$1" --out "$2" --fresh --quiet --no-report --threads "$th"
    else
        "$bin" tune "$1" --out "$2" --fresh --quiet --no-report --threads "$th"
        echo - > "$tmp/cpu"
    fi
    e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "%.2f ", b - a}'
    awk '$1 == "-" {printf "-"; next} {printf "%.2f", $1 + $2}' "$tmp/cpu"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-") printf "-"; else printf "%.0f %%", 100 * a / b}'; }
set -- $(wall "$tmp/full.yaml" "$tmp/full")
tf=$1 cf=$2
fb=$(sed -n 2p "$tmp/full/summary.csv" | cut -d, -f3,4,5,11)
fv=$(echo "$fb" | cut -d, -f4)
printf '%-22s | %-28s | %-10s | %-9s | %-7s | %-10s | %-7s | %s\n' "run" "best cell (rank,reg,maxIter)" "CV RMSE" "gap" "wall s" "wall ratio" "CPU s" "CPU ratio"
printf '%-22s | %-28s | %.6f | %-9s | %-7s | %-10s | %-7s | %s\n' "full grid (48 cells)" "$(echo "$fb" | cut -d, -f1-3)" "$fv" "-" "$tf" "100 %" "$cf" "100 %"
for s in ${HALVING:-5:2 2:3 5:4}; do
    mi=${s%:*}; eta=${s#*:}
    printf 'name: halving\n%s\nals: {rank: [5, 10, 20, 50], regParam: [0.01, 0.05, 0.1, 0.2], maxIter: 20, seed: 42}\npruner: {method: halving, minIter: %s, eta: %s}\n' "$base" "$mi" "$eta" > "$tmp/h.yaml"
    set -- $(wall "$tmp/h.yaml" "$tmp/h")
    th_=$1 ch=$2
    hb=$(sed -n 2p "$tmp/h/summary.csv" | cut -d, -f3,4,5,11)
    hv=$(echo "$hb" | cut -d, -f4)
    printf '%-22s | %-28s | %.6f | %+.6f | %-7s | %-10s | %-7s | %s\n' "halving minIter $mi eta $eta" "$(echo "$hb" | cut -d, -f1-3)" "$hv" \
        "$(awk -v a="$hv" -v b="$fv" 'BEGIN {print a - b}')" "$th_" "$(ratio "$th_" "$tf")" "$ch" "$(ratio "$ch" "$cf")"
done
