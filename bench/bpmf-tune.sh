#!/bin/sh
# bench/bpmf-tune.sh — issue 15's acceptance: `alstune tune` with model: bpmf on real MovieLens
# 100k (5-fold CV, no holdout, 20 burn-in sweeps, clipped) and on the synthetic ml-1m preset,
# beside the wall and CPU time of the ALS seed grid (48 cells x 5 folds, bench/grid-ml100k.sh's
# grid) measured in the same run.  Prints, per experiment, the mean CV RMSE ± sd over the folds of
# every (rank, alpha, samples) cell — the RMSE-against-samples table of docs/bpmf.md "In tune".
#   bench/bpmf-tune.sh [path/to/alstune] [threads] [experiments...]
# default experiments: experiments/bpmf-ml100k.yaml experiments/bpmf-ml100k-best.yaml
# experiments/bpmf-ml1m.yaml.  Runs under nice; each tune run is --fresh in a temporary folder.
set -eu
. "$(dirname "$0")/lib.sh"
bin=${1:-$top/alstune}
nt=${2:-2}
[ $# -ge 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- "$top/experiments/bpmf-ml100k.yaml" "$top/experiments/bpmf-ml100k-best.yaml" \
    "$top/experiments/bpmf-ml1m.yaml"
data=$ML100K
need_ml100k "$data"
make_tmp

# timed NAME YAML — run tune; print "NAME wall W s, cpu C s"
timed() {
    /usr/bin/time -f "%e %U %S" -o "$tmp/$1.time" nice "$bin" tune "$2" --out "$tmp/$1" --fresh --quiet --no-report \
        --threads "$nt"
    awk -v n="$1" '{printf "%s: wall %.1f s, cpu %.1f s\n", n, $1, $2 + $3}' "$tmp/$1.time"
}

cat > "$tmp/als-grid.yaml" <<EOY
name: als-grid
data: {ratings: $data}
split: {testFraction: 0, numFolds: 5, seed: 42}
als: {rank: [5, 10, 20, 50], regParam: [0.01, 0.05, 0.1, 0.2], maxIter: [5, 10, 20]}
metric: rmse
EOY
timed als-grid "$tmp/als-grid.yaml"
printf 'als-grid best: %s\n' "$(sed -n 2p "$tmp/als-grid/summary.csv" | cut -d, -f3-5,11,12)"

for y in "$@"; do
    n=$(basename "$y" .yaml)
    timed "$n" "$y"
    # rank, alpha (nan = sampled), samples, mean ± sd, in the grid's order
    awk -F, 'NR > 1 {printf "  rank %-3s alpha %-6s samples %-4s  %.4f ± %.4f\n", $3, ($6 == "nan" ? "sample" : $6), $5, $11, $12}' \
        "$tmp/$n/summary.csv" | sort -k2,2n -k4,4 -k6,6n
done
