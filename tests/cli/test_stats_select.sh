#!/bin/sh
# Issue 13 in the tuner: every cell compared with the best (statistics: {test, level}), Holm's
# adjustment, the one-standard-error rule (select: one_se), and their bad values.  summary.csv's
# new columns are checked against an independent computation from folds.csv in Python
# (tests/cli/stats_select_check.py: scipy.stats.ttest_rel, scipy.stats.wilcoxon, the corrected
# t-test by its formula, Holm by hand), skipped with a message when no python3 has scipy.
. "$(dirname "$0")/lib.sh"
FIX="$TOP_SRCDIR/tests/fixtures/stats_select"
CHK="$TOP_SRCDIR/tests/cli/stats_select_check.py"
cp "$FIX/grid.yaml" "$WORK/grid.yaml"
cd "$WORK" || exit 1

PY=""
for cand in ${STATS_PYTHON:-python3 /usr/bin/python3}; do
    if "$cand" -c 'import scipy.stats, numpy' >/dev/null 2>&1; then PY=$cand; break; fi
done

col() { # col FILE NAME: the values of column NAME, one a line
    awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"
}

# ---- the new columns, for each test ------------------------------------------------------------
for t in corrected_t paired_t wilcoxon; do
    sed "s/test: corrected_t/test: $t/" grid.yaml > "g_$t.yaml"
    run "$ALSTUNE" tune "g_$t.yaml" --out "o_$t" --quiet --no-report --threads 1
    check "$t: the grid runs" '[ $RC = 0 ]'
    check "$t: summary.csv ends with the issue-13 columns" \
        'head -1 o_$t/summary.csv | grep -q ",mean_rmse,mean_mae,delta,p_value,p_holm,equivalent_to_best,se,selected\$"'
    check "$t: the best cell has delta 0, p 1, equivalent 1" \
        '[ "$(sed -n 2p o_$t/summary.csv | cut -d, -f18-21)" = "0,1,1,1" ]'
    check "$t: best.yaml records the test and level" \
        'grep -q "^statistics: {test: $t, level: 0.05, equivalent_to_best: [0-9]*," o_$t/best.yaml'
    if [ -n "$PY" ]; then
        run "$PY" "$CHK" "o_$t" "$t" 0.05
        check "$t: p_value, p_holm, delta, se and equivalent_to_best equal scipy's from folds.csv" '[ "$OUT" = ok ]'
    else
        skip "$t: scipy comparison" "no python3 with scipy and numpy (apt-get install python3-scipy)"
    fi
done
check "corrected_t: some cells but not all are equivalent to the best" \
    '[ "$(col o_corrected_t/summary.csv equivalent_to_best | sort | uniq | tr -d "\n")" = 01 ]'
check "wilcoxon with 5 folds: the smallest two-sided exact p is 2/32 = 0.0625" \
    '[ "$(col o_wilcoxon/summary.csv p_value | sort -g | head -1)" = 0.0625 ]'

# ---- the level -----------------------------------------------------------------------------------
sed 's/level: 0.05/level: 0.5/' grid.yaml > lev.yaml
run "$ALSTUNE" tune lev.yaml --out o_lev --quiet --no-report
check "level 0.5: the same p-values, fewer cells equivalent" \
    '[ "$(col o_lev/summary.csv p_holm)" = "$(col o_corrected_t/summary.csv p_holm)" ] &&
     [ "$(col o_lev/summary.csv equivalent_to_best | grep -c 1)" -lt "$(col o_corrected_t/summary.csv equivalent_to_best | grep -c 1)" ]'
if [ -n "$PY" ]; then
    run "$PY" "$CHK" o_lev corrected_t 0.5
    check "level 0.5: equivalent_to_best = (p_holm >= 0.5)" '[ "$OUT" = ok ]'
fi

# ---- select: one_se and best ---------------------------------------------------------------------
S=o_corrected_t
# by hand from summary.csv: best mean + its se bounds the candidates; smaller rank, then larger
# regParam, then fewer maxIter, then the better mean
WANT=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    { m[NR] = $h["mean"]; r[NR] = $h["rank"]; g[NR] = $h["regParam"]; it[NR] = $h["maxIter"]; c[NR] = $h["cell"]
      if ($h["position"] == 1) lim = $h["mean"] + $h["se"] }
    END { for (i = 2; i <= NR; i++) if (m[i] <= lim && (b == "" || r[i] < r[b] || (r[i] == r[b] && (g[i] > g[b] ||
          (g[i] == g[b] && (it[i] < it[b] || (it[i] == it[b] && m[i] < m[b]))))))) b = i; print c[b] }' $S/summary.csv)
BEST=$(sed -n 2p $S/summary.csv | cut -d, -f2)
check "one_se: the documented cell ($WANT) is picked, not the best by mean ($BEST)" \
    '[ -n "$WANT" ] && [ "$WANT" != "$BEST" ] && grep -q "^cell: $WANT\$" $S/best.yaml &&
     [ "$(awk -F, "\$23 == 1 { print \$2 }" $S/summary.csv)" = "$WANT" ]'
check "one_se: best.yaml records the rule and the best cell" \
    'grep -q "^selection: {rule: one_se, best_cell: $BEST, " $S/best.yaml && grep -q "^# the simplest cell within one standard error" $S/best.yaml'
if [ -n "$PY" ]; then
    run "$PY" "$CHK" --one-se $S
    check "one_se: python's pick from summary.csv agrees" '[ "$OUT" = "$WANT" ]'
fi
check "one_se: best.yaml params are the picked cell's" \
    'grep -q "^params: {rank: $(awk -F, -v c=$WANT "\$2 == c { print \$3 }" $S/summary.csv), regParam: $(awk -F, -v c=$WANT "\$2 == c { print \$4 }" $S/summary.csv), maxIter: $(awk -F, -v c=$WANT "\$2 == c { print \$5 }" $S/summary.csv)," $S/best.yaml'
sed 's/select: one_se/select: best/' grid.yaml > sb.yaml
run "$ALSTUNE" tune sb.yaml --out o_best --quiet --no-report
check "select: best refits the first cell of summary.csv and marks it selected" \
    'grep -q "^cell: $BEST\$" o_best/best.yaml && grep -q "^selection: {rule: best, best_cell: $BEST," o_best/best.yaml &&
     [ "$(awk -F, "\$23 == 1 { print \$2 }" o_best/summary.csv)" = "$BEST" ]'
sed '/^select:/d; /^statistics:/d' grid.yaml > def.yaml
run "$ALSTUNE" tune def.yaml --out o_def --quiet --no-report
check "defaults: corrected_t at 0.05, select best (experiment.yaml says so)" \
    'cmp -s o_def/summary.csv o_best/summary.csv &&
     grep -q "^statistics: {test: corrected_t, level: 0.05, bootstrap: 1000}\$" o_def/experiment.yaml &&
     grep -q "^select: best\$" o_def/experiment.yaml'
run "$ALSTUNE" tune o_corrected_t/experiment.yaml --out o_again --quiet --no-report
check "experiment.yaml with the new keys loads and runs again, same summary" \
    '[ $RC = 0 ] && cmp -s o_again/summary.csv o_corrected_t/summary.csv'

# ---- threads and resume ----------------------------------------------------------------------------
run "$ALSTUNE" tune g_corrected_t.yaml --out o_t2 --quiet --no-report --threads 2
check "1 vs 2 threads: summary.csv and best.yaml byte-identical" \
    'cmp -s o_t2/summary.csv o_corrected_t/summary.csv && cmp -s o_t2/best.yaml o_corrected_t/best.yaml'
head -n 20 o_t2/folds.csv > o_t2/f && mv o_t2/f o_t2/folds.csv && rm o_t2/summary.csv o_t2/best.yaml
run "$ALSTUNE" tune g_corrected_t.yaml --out o_t2 --quiet --no-report --threads 2
check "resumed run: summary.csv and best.yaml byte-identical" \
    '[ $RC = 0 ] && cmp -s o_t2/summary.csv o_corrected_t/summary.csv && cmp -s o_t2/best.yaml o_corrected_t/best.yaml'

# ---- the report marks the equivalent and the selected cells -------------------------------------
run "$ALSTUNE" report $S
check "report: the top table has p (Holm) and ≈ best, and marks the selected cell" \
    '[ $RC = 0 ] && grep -q "| p (Holm) | ≈ best |\$" $S/report.md && grep -q "| yes, selected |\$" $S/report.md &&
     grep -q "^select: one\\\\_se — among the cells within one standard error" $S/report.md &&
     grep -q "<tr class=\"sel\">" $S/report.html'
check "report: the holdout metrics carry their bootstrap intervals" \
    'grep -q "^| RMSE | [0-9.]* (95 % CI [0-9.]* – [0-9.]*) |\$" $S/report.md'
run "$ALSTUNE" report o_best
check "report, select: best: no selected line, the best row is the selected one" \
    '[ $RC = 0 ] && ! grep -q "^select: one" o_best/report.md && grep -q "^| \*\*1\*\* .*| yes, selected |\$" o_best/report.md'

# ---- holdout bootstrap intervals in best.yaml -----------------------------------------------------
ci() { grep "^test_ci: " "$1/best.yaml" | sed "s/^test_ci: //" | tr -d '{}' | tr ',' '\n' | sed -n "s/^ *$2: //p"; }
tv() { grep "^test: " "$1/best.yaml" | sed "s/^test: //" | tr -d '{}' | tr ',' '\n' | sed -n "s/^ *$2: //p"; }
inside() { awk -v l="$(ci $1 ${2}_lo)" -v v="$(tv $1 $2)" -v h="$(ci $1 ${2}_hi)" 'BEGIN { exit !(l < v && v < h) }'; }
check "test_ci: B 1000 (the default), 95 %, over the scored test ratings" \
    '[ "$(ci $S B)" = 1000 ] && [ "$(ci $S level)" = 0.95 ] && [ "$(ci $S units)" = ratings ] &&
     [ "$(ci $S n_units)" = $(( $(tv $S n_test) - $(tv $S n_dropped) )) ]'
check "test_ci: each holdout metric lies inside its interval" 'inside $S rmse && inside $S mae && inside $S mse && inside $S r2'
check "test_ci: the selection metric's interval is its own (rmse)" \
    '[ "$(ci $S value_lo)" = "$(ci $S rmse_lo)" ] && [ "$(ci $S value_hi)" = "$(ci $S rmse_hi)" ]'
run "$ALSTUNE" tune g_corrected_t.yaml --out o_ci --quiet --no-report --save-holdout
run "$ALSTUNE" predict o_ci/model o_ci/holdout.csv -o o_ci/pred.csv
if [ -n "$PY" ]; then
    run "$PY" "$CHK" --ci o_ci o_ci/pred.csv
    check "test_ci: the intervals agree with numpy's bootstrap of predict's holdout errors" '[ "$OUT" = ok ]'
else
    skip "test_ci: numpy comparison" "no python3 with scipy and numpy"
fi
sed 's/level: 0.05}/level: 0.05, bootstrap: 200}/' grid.yaml > b200.yaml
run "$ALSTUNE" tune b200.yaml --out o_b200 --quiet --no-report
check "bootstrap: 200 gives B 200, another interval, same metrics, same seed" \
    '[ "$(ci o_b200 B)" = 200 ] && [ "$(ci o_b200 rmse_lo)" != "$(ci $S rmse_lo)" ] && [ "$(tv o_b200 rmse)" = "$(tv $S rmse)" ] &&
     [ "$(ci o_b200 seed)" = "$(ci $S seed)" ] && inside o_b200 rmse'
sed 's/^metric: rmse/metric: ndcg@10/' grid.yaml > rank.yaml
run "$ALSTUNE" tune rank.yaml --out o_rank --quiet --no-report
check "ranking metric: its interval resamples users and holds the holdout value" \
    '[ $RC = 0 ] && [ "$(ci o_rank value_units)" = users ] && [ "$(ci o_rank value_n_units)" -gt 10 ] &&
     awk -v l="$(ci o_rank value_lo)" -v v="$(tv o_rank value)" -v h="$(ci o_rank value_hi)" "BEGIN { exit !(l < v && v < h) }" &&
     [ "$(ci o_rank value_seed)" != "$(ci o_rank seed)" ]'
sed 's/testFraction: 0.2/testFraction: 0/' grid.yaml > nohold.yaml
run "$ALSTUNE" tune nohold.yaml --out o_nohold --quiet --no-report
check "testFraction 0: no holdout, no test_ci line" '[ $RC = 0 ] && ! grep -q "^test_ci:" o_nohold/best.yaml'

# ---- no cell with finite scores (coldStartStrategy nan): NaN statistics, no failure --------------
sed 's/^  seed: 1$/  seed: 1\n  coldStartStrategy: nan/' grid.yaml > nan.yaml
run "$ALSTUNE" tune nan.yaml --out o_nan --quiet
check "coldStartStrategy nan: the run and its report succeed" '[ $RC = 0 ] && [ -f o_nan/report.md ]'
check "coldStartStrategy nan: p-values and intervals are nan, nothing equivalent, position 1 selected" \
    '[ "$(sed -n 2p o_nan/summary.csv | cut -d, -f18-)" = "nan,nan,nan,0,nan,1" ] && [ "$(ci o_nan rmse_lo)" = nan ] &&
     [ "$(col o_nan/summary.csv equivalent_to_best | sort -u)" = 0 ]'

# ---- bad values: file:line:col, exit 2, nothing written -----------------------------------------
bad() { # bad NAME SED-EXPR PATTERN
    sed "$2" grid.yaml > bad.yaml
    rm -rf o_bad
    run "$ALSTUNE" tune bad.yaml --out o_bad
    expect_fail "bad value: $1" 2 "$3"
    check "bad value: $1: nothing written" '[ ! -e o_bad ]'
}
bad "unknown test" 's/test: corrected_t/test: ttest/' \
    "^bad.yaml:13:20: error: test: expected one of corrected_t, paired_t, wilcoxon, found 'ttest'"
bad "level 0" 's/level: 0.05/level: 0/' "^bad.yaml:13:40: error: level: expected a number in \(0, 1\), found '0'"
bad "level 1" 's/level: 0.05/level: 1/' "^bad.yaml:13:40: error: level: expected a number in \(0, 1\), found '1'"
bad "level -0.1" 's/level: 0.05/level: -0.1/' "^bad.yaml:13:40: error: level: expected a number in \(0, 1\)"
bad "level not a number" 's/level: 0.05/level: five/' "^bad.yaml:13:40: error: level: expected a number in \(0, 1\), found 'five'"
bad "unknown select rule" 's/select: one_se/select: one-se/' \
    "^bad.yaml:14:9: error: select: expected one of best, one_se, found 'one-se'; did you mean 'one_se'\?"
bad "bootstrap 1" 's/level: 0.05}/level: 0.05, bootstrap: 1}/' \
    "^bad.yaml:13:57: error: bootstrap: expected an integer in \[2, 100000\], found '1'"
bad "bootstrap too large" 's/level: 0.05}/level: 0.05, bootstrap: 1000000}/' \
    "^bad.yaml:13:57: error: bootstrap: expected an integer in \[2, 100000\], found '1000000' \(the limit: "
bad "bootstrap not an integer" 's/level: 0.05}/level: 0.05, bootstrap: 2.5}/' \
    "^bad.yaml:13:57: error: bootstrap: expected an integer in \[2, 100000\], found '2.5'"
bad "unknown statistics key" 's/level: 0.05}/level: 0.05, B: 10}/' \
    "^bad.yaml:13:46: error: unknown key 'B' in 'statistics'; expected one of: test, level, bootstrap"
bad "statistics not a mapping" 's/^statistics: .*/statistics: corrected_t/' \
    "^bad.yaml:13:13: error: statistics: expected a mapping of keys"
finish
