#!/bin/sh
# bench/tpe-ml100k.sh — issue 12 acceptance (b): TPE against random search, the same trials, over
# rank int log [2, 128], regParam log [1e-3, 1], maxIter int [5, 40], bias {false, true} on real
# MovieLens 100k, 5-fold CV, testFraction 0.  One row per search seed: each method's best trial
# (trials.csv, the trial's own maxIter), its best cell (summary.csv's first row, what best.yaml
# refits) and wall time; then the medians over the seeds.
#   bench/tpe-ml100k.sh [path/to/alstune] [path/to/u.data] [threads]
#   SEEDS="1 2 3 4 5" TRIALS=60 METHODS="tpe random" (the defaults)
set -eu
. "$(dirname "$0")/lib.sh"
bin=${1:-$top/alstune}
data=${2:-$ML100K}
th=${3:-2}
need_ml100k "$data"
make_tmp
printf '%-6s | %-4s | %-11s | %-11s | %-26s | %s\n' method seed "best trial" "best cell" "best cell (rank,reg,it,bias)" "wall s"
for seed in ${SEEDS:-1 2 3 4 5}; do
    for m in ${METHODS:-tpe random}; do
        cat > "$tmp/s.yaml" <<EOY
name: s
data: {ratings: $data}
split: {testFraction: 0, numFolds: 5, seed: 42}
search: {method: $m, trials: ${TRIALS:-60}, seed: $seed}
als:
  rank: {min: 2, max: 128, log: true, type: int}
  regParam: {min: 0.001, max: 1, log: true}
  maxIter: {min: 5, max: 40, type: int}
  bias: [false, true]
  seed: 42
metric: rmse
EOY
        s=$(date +%s.%N)
        "$bin" tune "$tmp/s.yaml" --out "$tmp/$m$seed" --fresh --quiet --no-report --threads "$th"
        e=$(date +%s.%N)
        bt=$(awk -F, 'NR > 1 && $11 == "complete" && (b == "" || $13 < b) {b = $13} END {printf "%.6f", b}' "$tmp/$m$seed/trials.csv")
        bc=$(sed -n 2p "$tmp/$m$seed/summary.csv" | cut -d, -f11)
        bp=$(sed -n 2p "$tmp/$m$seed/summary.csv" | cut -d, -f3,4,5,9)
        printf '%-6s | %-4s | %-11s | %.6f | %-26s | %.1f\n' "$m" "$seed" "$bt" "$bc" "$bp" "$(awk -v a="$s" -v b="$e" 'BEGIN {print b - a}')"
    done
done
