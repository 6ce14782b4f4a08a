#!/bin/sh
# alstune check: the regression gate against a baseline (and --write-baseline), on copies of the
# hand-made results fixture with injected regressions and improvements.
. "$(dirname "$0")/lib.sh"

FIX="$TOP_SRCDIR/tests/fixtures/results/tiny"
fresh() { rm -rf "$WORK/$1"; cp -R "$FIX" "$WORK/$1"; }
# shift_mean DIR POSITION DELTA: add DELTA to the mean of the summary row at POSITION
shift_mean() {
    awk -F, -v OFS=, -v p="$2" -v d="$3" 'NR > 1 && $1 == p { $11 = sprintf("%.17g", $11 + d) } 1' \
        "$1/summary.csv" > "$1/summary.tmp" && mv "$1/summary.tmp" "$1/summary.csv"
}
BASE="$WORK/baselines/tiny.yaml"

# ---- write-baseline ---------------------------------------------------------------------------
fresh same
run "$ALSTUNE" check "$WORK/same" --write-baseline "$BASE"
check "write-baseline exits 0 and creates the file (and its folder)" '[ $RC = 0 ] && [ -s "$BASE" ]'
check "baseline records metric, direction, tolerance, data sha256" \
    'grep -qx "metric: rmse" "$BASE" && grep -qx "direction: lower" "$BASE" && grep -qx "tolerance: 0.002" "$BASE" &&
     grep -qx "tolerance_kind: absolute" "$BASE" && grep -q "^data_sha256: 06f8a8b5" "$BASE"'
check "baseline has the best cell, the test value and all 8 cells" \
    'grep -q "^best: {cell: 7, rank: 10, regParam: 0.1, maxIter: 10," "$BASE" &&
     grep -q "^test: {metric: rmse, value: 0.925053003816329" "$BASE" && [ $(grep -c "^  - {cell: " "$BASE") = 8 ]'
check "no temporary file left beside the baseline" '[ $(ls "$WORK/baselines" | wc -l) = 1 ]'

# ---- identical ----------------------------------------------------------------------------------
run "$ALSTUNE" check "$WORK/same" --baseline "$BASE"
check "identical results pass (exit 0)" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^PASS"'
check "table has a header and one row per item (best, holdout, 8 cells)" \
    'printf "%s\n" "$OUT" | grep -qE "^item +baseline +now +delta +verdict" &&
     [ $(printf "%s\n" "$OUT" | grep -cE "  (ok|improved|REGRESSED)$") = 10 ]'
check "identical results: every delta is zero" '[ $(printf "%s\n" "$OUT" | grep -cE " \+0\.000000  ok$") = 10 ]'

# ---- regression -----------------------------------------------------------------------------
fresh worse
shift_mean "$WORK/worse" 1 0.01
run "$ALSTUNE" check "$WORK/worse" --baseline "$BASE"
check "worse best mean (+0.01 > 0.002) fails with exit 1" '[ $RC = 1 ]'
check "regression: the best item and its cell are REGRESSED" \
    'printf "%s\n" "$OUT" | grep -qE "^best cell: CV rmse .* \+0\.010000  REGRESSED$" &&
     printf "%s\n" "$OUT" | grep -qE "^cell rank=10 regParam=0.1 maxIter=10 .* REGRESSED$" &&
     printf "%s" "$OUT" | grep -q "^FAIL: 2 of 10 items regressed"'
run "$ALSTUNE" check "$WORK/worse" --baseline "$BASE" --tolerance 0.02
check "--tolerance 0.02 lets +0.01 pass" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "tolerance 0.02 absolute (--tolerance)"'
run "$ALSTUNE" check "$WORK/worse" --baseline "$BASE" --tolerance 1%
check "--tolerance 1% (about 0.0092 here) still fails on +0.01" '[ $RC = 1 ] && printf "%s" "$OUT" | grep -q "1% relative"'
fresh slight
shift_mean "$WORK/slight" 1 0.0015
run "$ALSTUNE" check "$WORK/slight" --baseline "$BASE"
check "worse by 0.0015 (within 0.002) passes as ok" '[ $RC = 0 ] && printf "%s\n" "$OUT" | grep -qE "^best cell: CV rmse .* \+0\.001500  ok$"'
fresh other
shift_mean "$WORK/other" 5 0.003
run "$ALSTUNE" check "$WORK/other" --baseline "$BASE"
check "a regression in a non-best cell fails too" '[ $RC = 1 ] && [ $(printf "%s\n" "$OUT" | grep -c "REGRESSED$") = 1 ]'
fresh test
sed -i 's/value: 0.92505300381632949}/value: 0.93505300381632949}/' "$WORK/test/best.yaml"
run "$ALSTUNE" check "$WORK/test" --baseline "$BASE"
check "a holdout regression fails" '[ $RC = 1 ] && printf "%s\n" "$OUT" | grep -qE "^holdout test rmse .* REGRESSED$"'

# ---- improvement --------------------------------------------------------------------------------
fresh better
shift_mean "$WORK/better" 1 -0.01
run "$ALSTUNE" check "$WORK/better" --baseline "$BASE"
check "an improvement passes (exit 0) and is reported as improved" \
    '[ $RC = 0 ] && printf "%s\n" "$OUT" | grep -qE "^best cell: CV rmse .* -0\.010000  improved$" &&
     printf "%s" "$OUT" | grep -q "^PASS: .* 2 improved"'
fresh swap
shift_mean "$WORK/swap" 1 0.02   # now worse than position 2: swap their positions
awk -F, -v OFS=, 'NR == 2 { $1 = 2 } NR == 3 { $1 = 1 } 1' "$WORK/swap/summary.csv" > "$WORK/swap.csv" && mv "$WORK/swap.csv" "$WORK/swap/summary.csv"
run "$ALSTUNE" check "$WORK/swap" --baseline "$BASE" --tolerance 0.05
check "a changed best cell is noted" \
    '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "note: the best cell changed: baseline rank=10 regParam=0.1 maxIter=10, now rank=5 regParam=0.1 maxIter=10"'
# (only the CV mean moved, the ranking in summary.csv is unchanged: no note expected)
run "$ALSTUNE" check "$WORK/worse" --baseline "$BASE" --tolerance 0.05
check "an unchanged best cell is not noted" '[ $RC = 0 ] && ! printf "%s" "$OUT" | grep -q "note:"'

# ---- round trip -------------------------------------------------------------------------------
run "$ALSTUNE" check "$WORK/better" --write-baseline "$WORK/b2.yaml"
run "$ALSTUNE" check "$WORK/better" --baseline "$WORK/b2.yaml"
check "round trip: a fresh baseline of the improved results passes with 0 improved" \
    '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^PASS: .*; 0 improved"'
run "$ALSTUNE" check "$WORK/better" --write-baseline "$WORK/b3.yaml"
check "write-baseline is deterministic" 'cmp -s "$WORK/b2.yaml" "$WORK/b3.yaml"'
run "$ALSTUNE" check "$WORK/same" --write-baseline "$WORK/rel.yaml" --tolerance 1%
check "--write-baseline --tolerance 1% stores a relative tolerance" \
    'grep -qx "tolerance: 0.01" "$WORK/rel.yaml" && grep -qx "tolerance_kind: relative" "$WORK/rel.yaml"'
fresh half
shift_mean "$WORK/half" 1 0.005
run "$ALSTUNE" check "$WORK/half" --baseline "$WORK/rel.yaml"
check "the baseline's relative tolerance is used (+0.005 < 1% of 0.92)" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "1% relative (baseline)"'
run "$ALSTUNE" check "$WORK/half" --baseline "$BASE"
check "and the same +0.005 fails the 0.002 baseline" '[ $RC = 1 ]'

# ---- bad input: exit 2 with path[:line] ------------------------------------------------------
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/nonexistent.yaml"
expect_fail "missing baseline" 2 "nonexistent.yaml: error: no such baseline file"
run "$ALSTUNE" check "$WORK/nothere" --baseline "$BASE"
expect_fail "missing results folder" 2 "nothere: error: no such results folder"
fresh nosum
rm "$WORK/nosum/summary.csv"
run "$ALSTUNE" check "$WORK/nosum" --baseline "$BASE"
expect_fail "missing summary.csv" 2 "nosum/summary.csv: error: missing"
fresh garbled
sed -i '2s/,rmse,0\.[0-9]*,/,rmse,zero,/' "$WORK/garbled/summary.csv"
run "$ALSTUNE" check "$WORK/garbled" --baseline "$BASE"
expect_fail "garbled summary.csv" 2 "garbled/summary.csv:2:[0-9]+: error: expected a number in column 'mean', found 'zero'"
sed 's/^metric: rmse$/metrik: rmse/' "$BASE" > "$WORK/nometric.yaml"
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/nometric.yaml"
expect_fail "baseline without metric" 2 "nometric.yaml: error: missing 'metric'"
line=$(grep -n "^  - {cell: 3," "$BASE" | cut -d: -f1)
sed "s/^\(  - {cell: 3,.*mean: \)[0-9.e-]*}/\1x0.9}/" "$BASE" > "$WORK/badnum.yaml"
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/badnum.yaml"
expect_fail "bad number in a baseline cell names file:line:col" 2 "badnum.yaml:$line:[0-9]+: error: expected a number for 'cells\[[0-9]\]\.mean', found 'x0.9'"
sed 's/^direction: lower$/direction: higher/' "$BASE" > "$WORK/dir.yaml"
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/dir.yaml"
expect_fail "direction contradicting the metric" 2 "dir.yaml:[0-9]+:12: error: direction 'higher' contradicts metric 'rmse'"
printf 'metric: rmse\n\tbest: 1\n' > "$WORK/tab.yaml"
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/tab.yaml"
expect_fail "garbled baseline YAML" 2 "tab.yaml:2:1: error: tab in indentation"
sed 's/^metric: rmse$/metric: mae/; s/^direction: lower$/direction: lower/' "$BASE" > "$WORK/mae.yaml"
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/mae.yaml"
expect_fail "baseline for another metric" 2 "mae.yaml: error: the baseline is for metric 'mae'"
sed 's/^data_sha256: .*/data_sha256: 0000000000000000000000000000000000000000000000000000000000000000/' "$BASE" > "$WORK/sha.yaml"
run "$ALSTUNE" check "$WORK/same" --baseline "$WORK/sha.yaml"
expect_fail "baseline made on other data" 2 "sha.yaml: error: the baseline was made on other data"
fresh fewer
sed -i '/^[0-9]*,4,/d' "$WORK/fewer/summary.csv"
run "$ALSTUNE" check "$WORK/fewer" --baseline "$BASE"
check "a baseline cell missing from the results fails the gate (exit 1, MISSING row)" \
    '[ $RC = 1 ] && printf "%s" "$OUT" | grep -Eq "cell rank=10 regParam=0.05 maxIter=5 .*MISSING"' 
fresh notest
sed -i 's/^test: .*/test: null/' "$WORK/notest/best.yaml"
run "$ALSTUNE" check "$WORK/notest" --baseline "$BASE"
expect_fail "holdout value missing from the results" 2 "has a holdout test value but .*best.yaml has none"

# ---- usage --------------------------------------------------------------------------------------
run "$ALSTUNE" check "$WORK/same"
expect_fail "neither --baseline nor --write-baseline" 2 "expected exactly one of --baseline"
run "$ALSTUNE" check "$WORK/same" --baseline "$BASE" --write-baseline "$WORK/x.yaml"
expect_fail "both --baseline and --write-baseline" 2 "expected exactly one of --baseline"
run "$ALSTUNE" check "$WORK/same" --baseline "$BASE" --tolerance -1
expect_fail "negative tolerance" 2 "--tolerance expects a number"
run "$ALSTUNE" check "$WORK/same" --baseline
expect_fail "option without its value" 2 "needs a value"
finish
