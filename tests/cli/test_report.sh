#!/bin/sh
# alstune report: report.md + report.html from the hand-made results fixture
# (tests/fixtures/results/tiny, docs/outputs.md), with and without gnuplot, and its errors.
. "$(dirname "$0")/lib.sh"

FIX="$TOP_SRCDIR/tests/fixtures/results/tiny"
fresh() { rm -rf "$WORK/$1"; cp -R "$FIX" "$WORK/$1"; }
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1

# The best cell's CV mean ± std, computed here from folds.csv (not by alstune): cell 7, 3 folds.
expect_best=$(awk -F, 'NR > 1 && $1 == 7 { v[n++] = $11 } END {
    m = (v[0] + v[1] + v[2]) / 3; s = 0; for (i = 0; i < 3; i++) s += (v[i] - m) ^ 2;
    printf "%.4f ± %.4f", m, sqrt(s / 2) }' "$FIX/folds.csv")
check "expected best computed from the fixture" '[ "$expect_best" = "0.9217 ± 0.0072" ]'

# ---- the full report ------------------------------------------------------------------------
fresh r1
run "$ALSTUNE" report "$WORK/r1"
check "report exits 0" '[ $RC = 0 ]'
check "report.md and report.html written" '[ -s "$WORK/r1/report.md" ] && [ -s "$WORK/r1/report.html" ]'
check "no temporary files left" '[ -z "$(find "$WORK/r1" -name "*.tmp.*" -o -name "*.stderr.*")" ]'
check "report.md states the best cell's mean ± std from folds.csv" 'grep -qF "$expect_best" "$WORK/r1/report.md"'
check "report.html states it too" 'grep -qF "$expect_best" "$WORK/r1/report.html"'
check "top table lists all 8 cells in report.md" \
    '[ $(awk "/^## Top/ {t=1; next} /^## / {t=0} t && /^\\| (\\*\\*)?[0-9]/" "$WORK/r1/report.md" | wc -l) = 8 ]'
check "holdout test metric shown" 'grep -q "0.9251" "$WORK/r1/report.md" && grep -q "holdout" "$WORK/r1/report.html"'
check "data set statistics shown" 'grep -q "1,682" "$WORK/r1/report.html" && grep -q "943" "$WORK/r1/report.md"'
check "provenance shown" 'grep -q "678fb1d" "$WORK/r1/report.html" && grep -q "OpenBLAS 0.3.21" "$WORK/r1/report.md"'
check "html is self-contained (no external resources)" \
    '! grep -qiE "<link|<img|src=|href=\"https?:|url\\(https?:|@import" "$WORK/r1/report.html"'
check "html has no XML prolog or doctype from the SVGs" \
    '[ $(grep -c "<?xml" "$WORK/r1/report.html") = 0 ] && [ $(grep -c "<!DOCTYPE" "$WORK/r1/report.html") = 1 ]'
if [ $have_gnuplot = 1 ]; then
    check "5 figures inlined in the html (heat map, spread, history, importance, learning curves)" '[ $(grep -o "<svg " "$WORK/r1/report.html" | wc -l) = 5 ]'
    check "plots/*.svg and *.gp written" 'for f in heatmap spread learning; do [ -s "$WORK/r1/plots/$f.svg" ] && [ -s "$WORK/r1/plots/$f.gp" ] || exit 1; done'
    check "report.md references the SVG files" 'grep -q "](plots/heatmap.svg)" "$WORK/r1/report.md" && grep -q "](plots/learning.svg)" "$WORK/r1/report.md"'
    check "inlined SVG ids are made unique per figure" \
        '[ -z "$(grep -o "id=.gnuplot_canvas" "$WORK/r1/report.html")" ] && grep -q "id=.f3-gnuplot_canvas" "$WORK/r1/report.html"'
    check "heat map has one panel per maxIter" 'grep -q "maxIter = 5" "$WORK/r1/plots/heatmap.svg" && grep -q "maxIter = 10" "$WORK/r1/plots/heatmap.svg"'
    check "the saved gnuplot script redraws the figure" '(cd "$WORK/r1/plots" && gnuplot heatmap.gp > again.svg) && cmp -s "$WORK/r1/plots/again.svg" "$WORK/r1/plots/heatmap.svg"'
    check "no warning on stderr but the search's edge warnings (tiny's best is at the largest rank and regParam)" \
        '[ -z "$(printf "%s\n" "$ERR" | grep -v "value tried (values tried\|^\$")" ] && printf "%s\n" "$ERR" | grep -q "rank 10 is the largest value tried"'
else
    skip "figures" "gnuplot is not installed"
fi
cp "$WORK/r1/report.html" "$WORK/first.html"
run "$ALSTUNE" report "$WORK/r1"
check "a second run writes a byte-identical report" '[ $RC = 0 ] && cmp -s "$WORK/first.html" "$WORK/r1/report.html"'

# ---- without gnuplot ---------------------------------------------------------------------------
fresh r2
ALSTUNE_GNUPLOT=/nonexistent/gnuplot run "$ALSTUNE" report "$WORK/r2"
check "missing gnuplot is not an error" '[ $RC = 0 ]'
check "missing gnuplot: warning on stderr" 'printf "%s" "$ERR" | grep -q "warning: gnuplot was not found"'
check "missing gnuplot: visible note in both reports" \
    'grep -q "class=\"note\".*gnuplot was not found" "$WORK/r2/report.html" && grep -q "Note:.*gnuplot was not found" "$WORK/r2/report.md"'
check "missing gnuplot: tables kept, no figures" \
    'grep -qF "$expect_best" "$WORK/r2/report.html" && ! grep -q "<svg" "$WORK/r2/report.html" && [ ! -d "$WORK/r2/plots" ]'
fresh r2b
ALSTUNE_GNUPLOT=false run "$ALSTUNE" report "$WORK/r2b"
check "a failing gnuplot is a warning per figure, not an error" \
    '[ $RC = 0 ] && [ $(printf "%s\n" "$ERR" | grep -c "warning: plots/.*svg was not drawn: gnuplot exited with status 1$") = 5 ]'
check "a failing gnuplot: no figures, no SVG or temporary files, the note in the report" \
    '! grep -q "<svg" "$WORK/r2b/report.html" && [ -z "$(find "$WORK/r2b" -name "*.svg*" -o -name "*.tmp.*")" ] &&
     grep -q "was not drawn" "$WORK/r2b/report.md"'
fresh r3
run "$ALSTUNE" report --no-plots "$WORK/r3"
check "--no-plots: tables only, with a note" '[ $RC = 0 ] && ! grep -q "<svg" "$WORK/r3/report.html" && grep -q "no-plots" "$WORK/r3/report.md"'

# ---- optional files missing, other metric ------------------------------------------------------
fresh r4
rm "$WORK/r4/iterations.csv" "$WORK/r4/provenance.yaml" "$WORK/r4/experiment.yaml"
run "$ALSTUNE" report "$WORK/r4"
check "only summary.csv + folds.csv + best.yaml: still a report" '[ $RC = 0 ] && grep -qF "$expect_best" "$WORK/r4/report.md"'
check "missing files are noted" 'grep -q "iterations.csv is missing" "$WORK/r4/report.md" && grep -q "provenance.yaml is missing" "$WORK/r4/report.md"'
if [ $have_gnuplot = 1 ]; then
    check "no iterations.csv: 4 figures" '[ $(grep -o "<svg " "$WORK/r4/report.html" | wc -l) = 4 ]'
fi
fresh r5
for f in summary.csv folds.csv iterations.csv; do sed -i 's/,rmse,/,ndcg@10,/' "$WORK/r5/$f"; done
run "$ALSTUNE" report "$WORK/r5"
check "a ranking metric: higher is better, named NDCG@10" \
    '[ $RC = 0 ] && grep -q "NDCG@10 (higher is better)" "$WORK/r5/report.md"'
if [ $have_gnuplot = 1 ]; then
    check "a ranking metric: 5 figures, '@' survives gnuplot's enhanced text" \
        '[ $(grep -o "<svg " "$WORK/r5/report.html" | wc -l) = 5 ] && grep -q "NDCG@10" "$WORK/r5/plots/learning.svg"'
fi

# ---- bad input: path:line: error, exit 2, nothing written --------------------------------------
run "$ALSTUNE" report "$WORK/nonexistent"
expect_fail "missing folder" 2 "nonexistent: error: no such results folder"
fresh b1
rm "$WORK/b1/summary.csv"
run "$ALSTUNE" report "$WORK/b1"
expect_fail "missing summary.csv" 2 "b1/summary.csv: error: missing"
check "nothing written on error" '[ ! -e "$WORK/b1/report.html" ] && [ ! -e "$WORK/b1/report.md" ]'
fresh b2
sed -i '3s/,0\.[0-9]*,0\.00[0-9]*,/,abc,0.0049,/' "$WORK/b2/summary.csv"
run "$ALSTUNE" report "$WORK/b2"
expect_fail "garbled number in summary.csv" 2 "b2/summary.csv:3:[0-9]+: error: expected a number in column 'mean', found 'abc'"
check "nothing written on a garbled summary" '[ ! -e "$WORK/b2/report.html" ]'
fresh b3
sed -i '4s/$/,extra/' "$WORK/b3/summary.csv"
run "$ALSTUNE" report "$WORK/b3"
expect_fail "wrong number of fields" 2 "b3/summary.csv:4: error: expected 17 comma-separated fields"
fresh b4
sed -i '1s/,mean,/,average,/' "$WORK/b4/summary.csv"
run "$ALSTUNE" report "$WORK/b4"
expect_fail "missing column" 2 "b4/summary.csv:1: error: missing column 'mean'"
fresh b5
printf 'cell: 7\nparams: {rank: 10\n' > "$WORK/b5/best.yaml"
run "$ALSTUNE" report "$WORK/b5"
expect_fail "garbled best.yaml" 2 "b5/best.yaml:2:9: error: expected a flow mapping"
fresh b6
sed -i '5s/^/\t/' "$WORK/b6/experiment.yaml"
run "$ALSTUNE" report "$WORK/b6"
expect_fail "tab in experiment.yaml" 2 "b6/experiment.yaml:5:1: error: tab in indentation"
fresh b7
: > "$WORK/b7/summary.csv"
run "$ALSTUNE" report "$WORK/b7"
expect_fail "empty summary.csv" 2 "b7/summary.csv:1: error: empty file"
fresh b8
sed -i '2,$d' "$WORK/b8/summary.csv"
run "$ALSTUNE" report "$WORK/b8"
expect_fail "header-only summary.csv" 2 "b8/summary.csv:2: error: no rows"
fresh b9
sed -i '3s/^[0-9]*,[0-9]*,/2,7,/' "$WORK/b9/summary.csv"
run "$ALSTUNE" report "$WORK/b9"
expect_fail "duplicate cell" 2 "b9/summary.csv:3:3: error: cell 7 appears twice"
fresh b10
sed -i '5s/,rmse,/,rmse,oops/' "$WORK/b10/iterations.csv"
run "$ALSTUNE" report "$WORK/b10"
expect_fail "garbled iterations.csv" 2 "b10/iterations.csv:5:[0-9]+: error: "

# ---- warnings, the CI figure, a sampled search (fixtures of make_warn.py) -----------------------
FIXD="$TOP_SRCDIR/tests/fixtures/results"
for f in edge interior sampled; do rm -rf "$WORK/$f"; cp -R "$FIXD/$f" "$WORK/$f"; done
run "$ALSTUNE" report "$WORK/edge"
check "edge: report exits 0" '[ $RC = 0 ]'
check "edge: Warnings block in report.md with the rank and regParam edges" \
    'grep -q "^## Warnings" "$WORK/edge/report.md" &&
     grep -qF "rank 10 is the largest value tried (values tried 5 to 10): extend the range upward" "$WORK/edge/report.md" &&
     grep -qF "regParam 0.1 is the largest value tried (values tried 0.05 to 0.1): extend the range upward" "$WORK/edge/report.md"'
check "edge: the same warnings on stderr, as path: warning: ..." \
    'printf "%s\n" "$ERR" | grep -qF "$WORK/edge: warning: rank 10 is the largest value tried (values tried 5 to 10): extend the range upward" &&
     printf "%s\n" "$ERR" | grep -q "^$WORK/edge: warning: still improving at maxIter 10: "'
check "edge: still improving at maxIter 10 (md and html)" \
    'grep -q "still improving at maxIter 10: .*try more iterations" "$WORK/edge/report.md" &&
     grep -q "<li>still improving at maxIter 10" "$WORK/edge/report.html" && grep -q "id=\"warnings\"" "$WORK/edge/report.html"'
run "$ALSTUNE" report "$WORK/interior"
check "interior: no Warnings block" \
    '[ $RC = 0 ] && ! printf "%s" "$ERR" | grep -q "largest value tried\|still improving" && ! grep -q "Warning" "$WORK/interior/report.md" && ! grep -q "id=\"warnings\"" "$WORK/interior/report.html"'
run "$ALSTUNE" report "$WORK/sampled"
check "sampled: report exits 0" '[ $RC = 0 ]'
check "sampled: a search of 8 trials, not a grid" \
    'grep -q "^### Search space" "$WORK/sampled/report.md" && ! grep -q "^### Grid" "$WORK/sampled/report.md" &&
     grep -q "| trials | *| 8 |" "$WORK/sampled/report.md" && grep -qF "sampled log-uniform \\[4, 40\\]" "$WORK/sampled/report.md" &&
     grep -q ">search</span><span class=\"v\">8 trials" "$WORK/sampled/report.html"'
check "sampled: best inside the ranges, no warning" '! grep -q "Warning" "$WORK/sampled/report.md"'
if [ $have_gnuplot = 1 ]; then
    check "CI figure written for a summary with issue 13's columns" \
        '[ -s "$WORK/edge/plots/ci.svg" ] && [ -s "$WORK/interior/plots/ci.svg" ] && grep -q "](plots/ci.svg)" "$WORK/edge/report.md"'
    check "edge grid: heat map, spread, history, importance, learning curves, CI inlined" \
        '[ $(grep -o "<svg " "$WORK/edge/report.html" | wc -l) = 6 ] && [ -s "$WORK/edge/plots/history.svg" ] &&
         [ -s "$WORK/edge/plots/importance.svg" ] && [ ! -e "$WORK/edge/plots/rungs.svg" ] && [ ! -e "$WORK/edge/plots/parallel.svg" ]'
    check "CI figure absent for an old folder, and no note about it" \
        '[ ! -e "$WORK/r1/plots/ci.svg" ] && [ ! -e "$WORK/r1/plots/ci.gp" ] && ! grep -q "ci figure" "$WORK/r1/report.md"'
    check "sampled: no heat map or spread, the trials scatter instead" \
        '[ ! -e "$WORK/sampled/plots/heatmap.svg" ] && [ ! -e "$WORK/sampled/plots/spread.svg" ] &&
         [ -s "$WORK/sampled/plots/trials.svg" ] && grep -q "](plots/trials.svg)" "$WORK/sampled/report.md" &&
         ! grep -qiE "over the grid|the grid.s|Grid</h3>" "$WORK/sampled/report.md" "$WORK/sampled/report.html"'
    check "sampled: trials, parallel coordinates, history, importance, learning curves and CI inlined, no rungs" \
        '[ $(grep -o "<svg " "$WORK/sampled/report.html" | wc -l) = 6 ] && [ -s "$WORK/sampled/plots/parallel.svg" ] &&
         [ ! -e "$WORK/sampled/plots/rungs.svg" ] && grep -q "](plots/history.svg)" "$WORK/sampled/report.md"'
    check "sampled: no wall-time panel without timings.csv, and the caption says so" \
        'grep -q "no wall-time panel: timings.csv is missing" "$WORK/sampled/report.md"'
else
    skip "CI and trials figures" "gnuplot is not installed"
fi
fresh_w() { rm -rf "$WORK/$1"; cp -R "$FIXD/$2" "$WORK/$1"; }
check "sampled: the importance table (η², chance level, importance), regParam first" \
    'grep -q "^## Parameter importance" "$WORK/sampled/report.md" &&
     grep -q "^| regParam | 2 | 0.568 | 0.143 | 0.635 |" "$WORK/sampled/report.md" &&
     grep -q "^| rank | 2 | 0.326 | 0.143 | 0.365 |" "$WORK/sampled/report.md" && grep -q "id=\"importance\"" "$WORK/sampled/report.html"'

# ---- a pruned search: rungs.csv, trials.csv with budget and state (tests/fixtures/results/pruned) -----
fresh_w pr pruned
run "$ALSTUNE" report "$WORK/pr"
check "pruned: report exits 0" '[ $RC = 0 ]'
if [ $have_gnuplot = 1 ]; then
    check "pruned: the rung diagram, history (two panels), trials, parallel coordinates, importance" \
        'for f in rungs history trials parallel importance; do [ -s "$WORK/pr/plots/$f.svg" ] || exit 1; done &&
         [ $(grep -o "<svg " "$WORK/pr/report.html" | wc -l) = 5 ] && grep -q "](plots/rungs.svg)" "$WORK/pr/report.md"'
    check "pruned: the rung diagram's caption counts the pruned trials" \
        'grep -q "Rungs of the pruned search.*grey: the 8 of 11 trials pruned" "$WORK/pr/report.md"'
    check "pruned: history against wall time, from timings.csv" \
        'grep -q "against the cumulative wall time of their jobs" "$WORK/pr/report.md" && grep -q "3 of 11 trials completed" "$WORK/pr/report.md"'
    check "pruned: the rung diagram's script draws gnuplot-clean (no warning on an empty block)" \
        'gnuplot "$WORK/pr/plots/rungs.gp" >/dev/null 2>"$WORK/gp.err" && [ ! -s "$WORK/gp.err" ]'
else
    skip "pruned search figures" "gnuplot is not installed"
fi
check "pruned: the edge warning takes the values tried from trials.csv, not the completed cells" \
    '! grep -q "largest value tried" "$WORK/pr/report.md"'
fresh_w pr2 pruned
sed -i "4s/,true\$/,yes/" "$WORK/pr2/rungs.csv"
run "$ALSTUNE" report "$WORK/pr2"
expect_fail "garbled rungs.csv" 2 "pr2/rungs.csv:4:[0-9]+: error: expected true or false in column 'promoted', found 'yes'"
check "garbled rungs.csv: nothing written" '[ ! -e "$WORK/pr2/report.md" ] && [ ! -e "$WORK/pr2/report.html" ]'
fresh_w pr3 pruned
rm "$WORK/pr3/rungs.csv"
sed -i "s/,budget,/,/; s/,\(complete\|pruned\),[0-9]*,rmse,/,\1,rmse,/" "$WORK/pr3/trials.csv"
run "$ALSTUNE" report "$WORK/pr3"
check "no rungs.csv and a trials.csv without budget: the report is written, no rung diagram" \
    '[ $RC = 0 ] && [ ! -e "$WORK/pr3/plots/rungs.svg" ] && ! grep -q "Rungs of the pruned" "$WORK/pr3/report.md"'
fresh_w s2 sampled
sed -i "4s/^2,2,2,12,/2,2,2,oops,/" "$WORK/s2/trials.csv"
run "$ALSTUNE" report "$WORK/s2"
expect_fail "garbled trials.csv" 2 "s2/trials.csv:4:[0-9]+: error: expected a number in column 'rank', found 'oops'"

# ---- usage ------------------------------------------------------------------------------------
run "$ALSTUNE" report
expect_fail "no folder is a usage error" 2 "expected a results folder"
run "$ALSTUNE" report --frobnicate "$WORK/r1"
expect_fail "unknown option" 2 "unknown option '--frobnicate'"
run "$ALSTUNE" report "$WORK/r1" "$WORK/r2"
expect_fail "two folders" 2 "expected one results folder"
finish
