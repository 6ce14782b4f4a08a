#!/bin/sh
# Accuracy on real MovieLens 100k: the Spark tuning tutorials' grid, 5-fold CV, no holdout.
# A Spark-semantics reference reaches 0.916 at rank 50, regParam 0.1, maxIter 20.
. "$(dirname "$0")/lib.sh"
data="$SHARED_DATA/ml-100k/u.data"
if [ ! -f "$data" ]; then
    skip "ml-100k grid: best mean CV RMSE <= 0.925" "no MovieLens 100k at $data (../shared/data beside the checkout)"
    finish; exit
fi
cat > "$WORK/ml100k.yaml" <<EOY
name: ml100k-accuracy
data:
  ratings: $data
split: {testFraction: 0, numFolds: 5, seed: 42}
als:
  rank: [5, 10, 20, 50]
  regParam: [0.01, 0.05, 0.1, 0.2]
  maxIter: [5, 10, 20]
metric: rmse
EOY
run "$ALSTUNE_HEAVY" tune "$WORK/ml100k.yaml" --out "$WORK/res" --quiet --no-report
check "the ml-100k grid runs (48 cells x 5 folds)" '[ $RC = 0 ] && [ $(($(wc -l < "$WORK/res/folds.csv") - 1)) = 240 ]'
best=$(sed -n 2p "$WORK/res/summary.csv" | cut -d, -f11)
echo "# best cell: $(sed -n 2p "$WORK/res/summary.csv" | cut -d, -f3-5) mean CV rmse $best"
check "best mean CV RMSE $best <= 0.925" 'awk -v b="$best" "BEGIN {exit !(b <= 0.925 && b > 0.5)}"'
check "every fold evaluated 20000 validation ratings" \
    'awk -F, "NR>1 && \$17 != 20000 {bad=1} END {exit bad}" "$WORK/res/folds.csv"'
check "test: null in best.yaml when testFraction is 0" 'grep -q "^test: null" "$WORK/res/best.yaml"'
finish
