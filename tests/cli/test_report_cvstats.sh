#!/bin/sh
# Issue 13 in the report (docs/report.md "Statistics"): the nested estimate beside the optimistic
# inner best with the per-outer-fold table (nested.csv), the seed-to-seed spread beside the
# cell-to-cell differences (summary.csv seed_std), the cells indistinguishable from the best named,
# select: one_se explained; a bad nested.csv is path:line:col.  Fixture: the hand-written
# tests/fixtures/results/cvstats (4 cells, select one_se, replicates 4, 3 outer folds).
. "$(dirname "$0")/lib.sh"

FIX="$TOP_SRCDIR/tests/fixtures/results/cvstats"
fresh() { rm -rf "$WORK/$1"; cp -R "$FIX" "$WORK/$1"; }
md() { cat "$WORK/$1/report.md"; }

# The nested estimate and the inner best, computed here from nested.csv (not by alstune).
est=$(awk -F, 'BEGIN { n = 0 } NR > 1 { o[n] = $13; b[n] = $11; n++ } END {
    for (i = 0; i < n; i++) { mo += o[i] / n; mb += b[i] / n }
    for (i = 0; i < n; i++) { so += (o[i] - mo) ^ 2; sb += (b[i] - mb) ^ 2 }
    printf "%.4f ± %.4f|%.4f ± %.4f", mo, sqrt(so / (n - 1)), mb, sqrt(sb / (n - 1)) }' "$FIX/nested.csv")
outer=${est%%|*} inner=${est#*|}
check "expected nested estimate computed from the fixture" '[ "$outer" = "0.9200 ± 0.0100" ] && [ "$inner" = "0.9400 ± 0.0050" ]'

fresh c1
run "$ALSTUNE" report --no-plots "$WORK/c1"
check "report exits 0" '[ $RC = 0 ]'
check "nested: a section in report.md and report.html" \
    'md c1 | grep -q "^## Nested cross-validation$" && grep -q "<h2 id=\"nested\">Nested cross-validation</h2>" "$WORK/c1/report.html"'
check "nested: the estimate (mean ± std over outer folds) beside the optimistic inner best" \
    'md c1 | grep -qF "Nested estimate (3 outer folds, select: one\\_se): RMSE $outer (mean ± std over the outer folds), beside the optimistic inner best $inner"'
check "nested: one row per outer fold with the chosen cell, inner best ± std, outer score, sizes" \
    'md c1 | grep -qF "| 0 | rank 5, λ 0.1, maxIter 10 | 0.9350 ± 0.0120 | 0.9100 | 6,667 | 3,333 |" &&
     md c1 | grep -qF "| 1 | rank 10, λ 0.1, maxIter 10 | 0.9400 ± 0.0110 | 0.9200 | 6,667 | 3,333 |" &&
     md c1 | grep -qF "| 2 | rank 5, λ 0.1, maxIter 10 | 0.9450 ± 0.0130 | 0.9300 | 6,666 | 3,334 |" &&
     md c1 | grep -qF "| **mean ± std** |  | $inner | $outer |  |  |"'
check "nested: the table is in the html too" 'grep -qF "<td class=\"r\">0.9100</td>" "$WORK/c1/report.html"'
check "nested: says which way the two estimates differ" 'md c1 | grep -q "Here the nested estimate is better than the inner best"'
check "replicates: a seed spread table with each cell's seed std" \
    'md c1 | grep -q "^### Seed-to-seed spread (replicates)$" &&
     md c1 | grep -qF "| **2** | rank 5, λ 0.1, maxIter 10 | 0.9320 ± 0.0110 | +0.002 | 0.005 |" &&
     md c1 | grep -qF "| 4 | rank 5, λ 0.01, maxIter 10 | 0.9600 ± 0.0130 | +0.03 | 0.012 |"'
check "replicates: the best - second gap against the seed std, and the mean seed std" \
    'md c1 | grep -qF "mean of 4 trainings" && md c1 | grep -qF "0.0075 averaged over all 4 cells" &&
     md c1 | grep -qF "The best and the runner-up differ by 0.002, less than the larger seed std of the two (0.005): their order is partly initialisation noise"'
check "the cells indistinguishable from the best are named" \
    'md c1 | grep -qF "Indistinguishable from the best (≈ best, 2 cells): #1 (rank 10, λ 0.1, maxIter 10), 0.9300, the best; #2 (rank 5, λ 0.1, maxIter 10), 0.9320, Δ +0.002, p (Holm) 0.6, selected."'
check "select: one_se is explained, with the selected cell" \
    'md c1 | grep -qF "select: one\\_se — among the cells within one standard error (0.0041) of the best mean, the simplest" &&
     md c1 | grep -qF "position 2, rank 5, regParam 0.1, maxIter 10, CV 0.9320"'

# the gap larger than the seed std: the sentence says so
fresh c2
sed -i 's/,0.003$/,0.0005/; s/,0.005$/,0.001/' "$WORK/c2/summary.csv"
run "$ALSTUNE" report --no-plots "$WORK/c2"
check "replicates: a gap above the seed std is read the other way" \
    '[ $RC = 0 ] && md c2 | grep -qF "differ by 0.002, more than the larger seed std of the two (0.001): the order is not an artefact of the initial factors alone"'

# a nested estimate worse than the inner best
fresh c3
sed -i 's/,0.91,6667/,0.96,6667/; s/,0.92,6667/,0.95,6667/; s/,0.93,6666/,0.97,6666/' "$WORK/c3/nested.csv"
run "$ALSTUNE" report --no-plots "$WORK/c3"
check "nested: worse than the inner best is said so" \
    '[ $RC = 0 ] && md c3 | grep -qF "RMSE 0.9600 ± 0.0100 (mean" && md c3 | grep -q "Here the nested estimate is worse than the inner best"'

# without nested.csv and seed_std (an ordinary folder): none of the three sections
rm -rf "$WORK/tiny"
cp -R "$TOP_SRCDIR/tests/fixtures/results/tiny" "$WORK/tiny"
run "$ALSTUNE" report --no-plots "$WORK/tiny"
check "an ordinary folder has no nested or seed spread section" \
    '[ $RC = 0 ] && ! md tiny | grep -q "Nested cross-validation\|Seed-to-seed\|nested estimate"'
fresh c4
rm "$WORK/c4/nested.csv"
run "$ALSTUNE" report --no-plots "$WORK/c4"
check "no nested.csv: no nested section, the rest as before" \
    '[ $RC = 0 ] && ! md c4 | grep -q "Nested cross-validation" && md c4 | grep -q "Seed-to-seed spread"'

# a bad nested.csv is path:line:col, exit 2, and no report is written
bad() { # bad NAME SED-SCRIPT
    fresh "$1"
    sed -i "$2" "$WORK/$1/nested.csv"
    run "$ALSTUNE" report --no-plots "$WORK/$1"
}
bad b1 '3s/,0.92,/,oops,/'
expect_fail "nested.csv: a non-number in outer_score" 2 "b1/nested.csv:3:[0-9]+: error: expected a number in column 'outer_score', found 'oops'"
check "... and no report written" '[ ! -e "$WORK/b1/report.md" ] && [ ! -e "$WORK/b1/report.html" ]'
bad b2 '4s/^2,/0,/'
expect_fail "nested.csv: an outer fold twice" 2 "b2/nested.csv:4:1: error: outer fold 0 appears twice \\(first on line 2\\)"
bad b3 '2s/,rmse,/,mae,/'
expect_fail "nested.csv: another metric than summary.csv's" 2 \
    "b3/nested.csv:2:[0-9]+: error: expected the metric of summary.csv \\('rmse'\\) in column 'metric', found 'mae'"
bad b4 '1s/outer_score/outer/'
expect_fail "nested.csv: a missing column" 2 "b4/nested.csv:1: .*outer_score"
bad b5 '2,$d'
expect_fail "nested.csv: no rows" 2 "b5/nested.csv:2: error: no rows after the header, expected one row per outer fold"
bad b6 '2s/^0,/-1,/'
expect_fail "nested.csv: a negative outer fold" 2 "b6/nested.csv:2:1: error: expected a number ≥ 0 in column 'outer_fold', found '-1'"
bad b7 '3s/^1,3,/1,3.5,/'
expect_fail "nested.csv: a fractional cell" 2 "b7/nested.csv:3:3: error: expected an integer in column 'cell', found '3.5'"
finish
