#!/bin/sh
# als.earlyStopping (issue 12 item 4, docs/yaml.md "earlyStopping", docs/outputs.md): folds stop
# early, stopped_at is recorded, a patience no fold can exhaust changes nothing, 1 vs 2 threads and
# kill -9 + resume are byte-identical, and every bad value is a file:line:col error, exit 2.
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/cli/cv_exp.sh" # ml_exp NAME ALS-LINES [METRIC]: the small experiment
DET_FILES="experiment.yaml folds.csv iterations.csv summary.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy"

# exp NAME EARLY-LINE [metric] — a small synthetic experiment (2 x 2 configs x maxIter [3, 8], 3 folds)
exp() {
    ml_exp "$1" "  rank: [2, 6]
  regParam: [0.05, 0.3]
  maxIter: [3, 8]
  seed: 11
$2" "${3-}"
}

# ---- every fold stops: patience 1 and a minDelta no improvement can beat ----------------------
exp stop "  earlyStopping: {patience: 1, minDelta: 100}" > "$WORK/stop.yaml"
run "$ALSTUNE" tune "$WORK/stop.yaml" --out "$WORK/s1" --threads 1 --quiet --no-report
check "tune with earlyStopping runs" '[ $RC = 0 ]'
check "folds.csv has stopped_at appended as the last column" \
    '[ "$(head -n1 "$WORK/s1/folds.csv")" = "cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,fold,metric,value,rmse,mae,mse,r2,n_train,n_valid,n_dropped,stopped_at" ]'
check "folds.csv keeps one row per cell x fold (8 cells x 3 folds)" '[ $(($(wc -l < "$WORK/s1/folds.csv") - 1)) = 24 ]'
check "every fold stopped at iteration 2 (patience 1): stopped_at 2 < maxIter on every row" \
    'awk -F, "NR>1 && !(\$19 == 2 && \$19 < \$4) {bad=1} END {exit bad}" "$WORK/s1/folds.csv"'
check "a cell past the stop reports the model it ended with: maxIter 8 rows equal maxIter 3 rows" '
    awk -F, "NR>1 && \$4==3 {print \$2,\$3,\$9,\$11,\$12,\$13,\$14,\$15,\$19}" "$WORK/s1/folds.csv" > "$WORK/a" &&
    awk -F, "NR>1 && \$4==8 {print \$2,\$3,\$9,\$11,\$12,\$13,\$14,\$15,\$19}" "$WORK/s1/folds.csv" > "$WORK/b" &&
    [ -s "$WORK/a" ] && cmp -s "$WORK/a" "$WORK/b"'
check "the reported value is the iteration-2 value of iterations.csv" '
    v=$(awk -F, "NR==2 {print \$11}" "$WORK/s1/folds.csv")
    w=$(awk -F, "NR>1 && \$1==0 && \$8==0 && \$9==2 {print \$13}" "$WORK/s1/iterations.csv")
    [ -n "$v" ] && [ "$v" = "$w" ]'
check "iterations.csv keeps every row; those after the stop are NaN (8 iterations x 4 configs x 3 folds)" '
    [ $(($(wc -l < "$WORK/s1/iterations.csv") - 1)) = 96 ] &&
    awk -F, "NR>1 && (\$9 > 2) != (\$13 == \"nan\") {bad=1} END {exit bad}" "$WORK/s1/iterations.csv"'
check "experiment.yaml records earlyStopping" 'grep -q "^  earlyStopping: {patience: 1, minDelta: 100}$" "$WORK/s1/experiment.yaml"'
check "summary and best.yaml are written" '[ -s "$WORK/s1/summary.csv" ] && grep -q "^params: " "$WORK/s1/best.yaml"'
run "$ALSTUNE" report "$WORK/s1"
check "alstune report reads a stopped run" '[ $RC = 0 ] && [ -s "$WORK/s1/report.html" ]'
check "the learning curves of a run where every fold stopped are drawn (x axis ends at the last trained iteration)" \
    '! printf "%s" "$ERR" | grep -q "was not drawn" && [ -s "$WORK/s1/plots/learning.svg" ]'

run "$ALSTUNE" tune "$WORK/stop.yaml" --out "$WORK/s2" --threads 2 --quiet --no-report
check "tune with earlyStopping runs with 2 threads" '[ $RC = 0 ]'
for f in $DET_FILES; do
    check "earlyStopping: $f is byte-identical with 1 and 2 threads" 'cmp -s "$WORK/s1/$f" "$WORK/s2/$f"'
done

# a higher-is-better metric stops too (ndcg@10 on explicit data: relevance = rating >= 4)
exp stopndcg "  earlyStopping: {patience: 1, minDelta: 100}" "ndcg@10" > "$WORK/ndcg.yaml"
run "$ALSTUNE" tune "$WORK/ndcg.yaml" --out "$WORK/n1" --quiet --no-report
check "a higher-is-better metric (ndcg@10) stops at iteration 2 as well" \
    '[ $RC = 0 ] && awk -F, "NR>1 && \$19 != 2 {bad=1} END {exit bad}" "$WORK/n1/folds.csv"'

# ---- a patience no fold can exhaust changes nothing ----------------------------------------
exp same "  earlyStopping: {patience: 8}" > "$WORK/patient.yaml"
exp same "" > "$WORK/plain.yaml"
run "$ALSTUNE" tune "$WORK/patient.yaml" --out "$WORK/p1" --quiet --no-report
check "patience >= maxIter runs" '[ $RC = 0 ]'
run "$ALSTUNE" tune "$WORK/plain.yaml" --out "$WORK/p0" --quiet --no-report
check "the same experiment without earlyStopping runs" '[ $RC = 0 ]'
check "without earlyStopping folds.csv has no stopped_at column" '! head -n1 "$WORK/p0/folds.csv" | grep -q stopped_at'
check "patience >= maxIter: no fold stops (stopped_at = maxIter on every row)" \
    'awk -F, "NR>1 && \$19 != \$4 {bad=1} END {exit bad}" "$WORK/p1/folds.csv"'
for f in summary.csv iterations.csv best.yaml model/user_factors.npy; do
    check "patience >= maxIter: $f equals the run without earlyStopping" 'cmp -s "$WORK/p0/$f" "$WORK/p1/$f"'
done
check "patience >= maxIter: folds.csv equals the run without earlyStopping but for stopped_at" \
    'cut -d, -f1-18 "$WORK/p1/folds.csv" | cmp -s - "$WORK/p0/folds.csv"'

# ---- kill -9 part-way, rerun, compare with an uninterrupted run ----------------------------
cat > "$WORK/slow.yaml" <<EOY
name: slowes
data:
  synthetic: {preset: ml-100k, seed: 9}
split:
  testFraction: 0.1
  numFolds: 5
  seed: 1
als:
  rank: [8, 16, 24, 32]
  regParam: [0.05, 0.1]
  maxIter: [4, 8]
  earlyStopping: {patience: 1, minDelta: 0.005}
metric: rmse
EOY
run "$ALSTUNE_HEAVY" tune "$WORK/slow.yaml" --out "$WORK/full" --quiet --no-report
check "uninterrupted reference run with earlyStopping" '[ $RC = 0 ]'
check "the reference run has folds that stopped early and folds that did not" '
    awk -F, "NR>1 && \$4==8 {if (\$19 < 8) s=1; else n=1} END {exit !(s && n)}" "$WORK/full/folds.csv"'
kill_tune "$WORK/slow.yaml" "$WORK/killed" 6
check "the run was killed part-way ($KILLED_ROWS of 80 fold rows written)" '[ "$KILLED_ROWS" -gt 0 ] && [ "$KILLED_ROWS" -lt 80 ]'
resume_same "$WORK/slow.yaml" "$WORK/full" "$WORK/killed" "earlyStopping: "

# ---- bad values: file:line:col, exit 2, nothing written --------------------------------------
bad() { # name early-line line:col pattern
    exp bad "$2" > "$WORK/bad.yaml"
    run "$ALSTUNE" tune "$WORK/bad.yaml" --out "$WORK/bad" --quiet --no-report
    expect_fail "$1" 2 "bad.yaml:$3: error: .*$4"
    check "$1: nothing written" '[ ! -e "$WORK/bad" ]'
}
bad "patience 0 is refused" "  earlyStopping: {patience: 0}" "13:29" "patience: expected an integer in \[1, 100000\], found '0'"
bad "patience above the cap is refused, saying why" "  earlyStopping: {patience: 100001}" "13:29" "the limit: a patience above"
bad "a non-integer patience is refused" "  earlyStopping: {patience: two}" "13:29" "patience: expected an integer"
bad "a missing patience is refused" "  earlyStopping: {minDelta: 0.1}" "13:18" "patience is required"
bad "a negative minDelta is refused" "  earlyStopping: {patience: 2, minDelta: -0.5}" "13:42" "minDelta: expected a number >= 0, found '-0.5'"
bad "an infinite minDelta is refused" "  earlyStopping: {patience: 2, minDelta: .inf}" "13:42" "minDelta: expected a number >= 0, found '.inf'"
bad "a NaN minDelta is refused" "  earlyStopping: {patience: 2, minDelta: .nan}" "13:42" "minDelta: expected a number >= 0, found '.nan'"
bad "an unknown key under earlyStopping is refused" "  earlyStopping: {patience: 2, restore_best_weights: true}" "13:32" "unknown key 'restore_best_weights' in 'als.earlyStopping'"
bad "earlyStopping must be a mapping" "  earlyStopping: 3" "13:18" "earlyStopping: expected a mapping"

finish
