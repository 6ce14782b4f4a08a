#!/bin/sh
# Rounds and rungs (issue 12, docs/search.md "TPE in the runner" and "Pruning"): method tpe in
# rounds of search.batch, pruner halving | hyperband over maxIter with every method (grid, random,
# sobol, tpe).  Outputs byte-identical for 1 and 2 threads, after a journal cut at any row (what a
# kill -9 leaves, including jobs cut between rungs, which a resume retrains from iteration 0) and
# after a real kill -9; rungs.csv and trials.csv follow docs/outputs.md; bad configurations are
# file:line:col, exit 2, nothing written.
. "$(dirname "$0")/lib.sh"
Y="$TOP_SRCDIR/tests/fixtures/yaml"
DET_FILES="experiment.yaml folds.csv iterations.csv summary.csv trials.csv rungs.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy"
RUNGS_HEADER="trial,bracket,rung,budget,metric,value,promoted"
TRIALS_HEADER="trial,cell,position,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,state,metric,mean,budget"

same_outputs() { # dir1 dir2 -> 0 when every DET file is byte-identical (and present in both or neither)
    for f in $DET_FILES; do
        [ -e "$1/$f" ] || [ -e "$2/$f" ] || continue
        cmp -s "$1/$f" "$2/$f" || { echo "differs: $f" >&2; return 1; }
    done
}

for y in search_tpe search_tpe_halving search_tpe_hyperband search_random_halving search_sobol_hyperband \
         search_grid_halving search_grid_hyperband; do
    run "$ALSTUNE" tune "$Y/$y.yaml" --threads 1 --out "$WORK/${y}1" --quiet --no-report
    check "$y runs" '[ $RC = 0 ] && [ -s "$WORK/${y}1/trials.csv" ] && [ -s "$WORK/${y}1/best.yaml" ]'
    run "$ALSTUNE" tune "$Y/$y.yaml" --threads 2 --out "$WORK/${y}2" --quiet --no-report
    check "$y: byte-identical outputs with 1 and 2 threads" '[ $RC = 0 ] && same_outputs "$WORK/${y}1" "$WORK/${y}2"'
    d="$WORK/${y}1"
    check "$y: trials.csv header; states complete/pruned/failed" '
        [ "$(head -n1 "$d/trials.csv")" = "$TRIALS_HEADER" ] &&
        ! tail -n +2 "$d/trials.csv" | cut -d, -f11 | grep -qvE "^(complete|pruned|failed)$"'
    check "$y: a trial's mean is the CV mean of folds.csv at its cell (the budget it reached)" '
        awk -F, "NR==FNR {if (FNR>1) {s[\$1]+=\$11; n[\$1]++}; next}
                 FNR>1 {m=s[\$2]/n[\$2]; if (m - \$13 > 1e-12 || \$13 - m > 1e-12) bad=1} END {exit bad}" "$d/folds.csv" "$d/trials.csv"'
    check "$y: summary.csv holds the complete trials only (every summary cell is a complete trial's config)" '
        awk -F, "NR==FNR {if (FNR>1 && \$11==\"complete\") ok[\$4\",\"\$5\",\"\$9]=1; next}
                 FNR>1 && !ok[\$3\",\"\$4\",\"\$8] {bad=1} END {exit bad}" "$d/trials.csv" "$d/summary.csv"'
    check "$y: a pruned trial has position 0; a complete one has its cell'\''s summary row" '
        awk -F, "NR==FNR {if (FNR>1) p[\$2]=\$1; next}
                 FNR>1 && \$11==\"pruned\" && \$3!=0 {bad=1}
                 FNR>1 && \$11==\"complete\" && p[\$2]!=\$3 {bad=1} END {exit bad}" "$d/summary.csv" "$d/trials.csv"'
    check "$y: best.yaml names summary.csv's first cell" \
        '[ "$(sed -n "s/^cell: //p" "$d/best.yaml")" = "$(sed -n 2p "$d/summary.csv" | cut -d, -f2)" ]'
done

# the written experiment.yaml loads again, with the search and the pruner
: "${CONFIG_CHECK:=$(pwd)/tests/config_check}"
if [ -x "$CONFIG_CHECK" ]; then
    run "$CONFIG_CHECK" "$WORK/search_tpe_hyperband1/experiment.yaml"
    check "tpe + hyperband: the written experiment.yaml loads again" '[ $RC = 0 ] &&
        printf "%s" "$OUT" | grep -q "^search: {method: tpe, trials: 20, seed: 7, batch: 4}" &&
        printf "%s" "$OUT" | grep -q "^pruner: {method: hyperband, minIter: 2, eta: 3}"'
else
    skip "tpe + hyperband: the written experiment.yaml loads again" "no $CONFIG_CHECK"
fi

# TPE without a pruner: its first rounds are random search (startup: fewer than 10 visible results)
sed 's/method: tpe, trials: 14, seed: 7, batch: 4/method: random, trials: 14, seed: 7/' "$Y/search_tpe.yaml" > "$WORK/rnd.yaml"
run "$ALSTUNE" tune "$WORK/rnd.yaml" --out "$WORK/rnd" --quiet --no-report
check "tpe: trials 0..11 (three rounds of 4, fewer than 10 results visible) are random search's; 12, 13 differ" '
    [ $RC = 0 ] &&
    [ "$(sed -n 2,13p "$WORK/search_tpe1/trials.csv" | cut -d, -f4-10)" = "$(sed -n 2,13p "$WORK/rnd/trials.csv" | cut -d, -f4-10)" ] &&
    [ "$(sed -n 14,15p "$WORK/search_tpe1/trials.csv" | cut -d, -f4-10)" != "$(sed -n 14,15p "$WORK/rnd/trials.csv" | cut -d, -f4-10)" ]'
check "tpe: every trial complete, budget = its maxIter, 14 trials" '
    [ $(tail -n +2 "$WORK/search_tpe1/trials.csv" | wc -l) = 14 ] &&
    awk -F, "NR>1 && (\$11!=\"complete\" || \$14!=\$6) {bad=1} END {exit bad}" "$WORK/search_tpe1/trials.csv"'
check "tpe: experiment.yaml keeps search.batch and counts the configs proposed" '
    grep -q "^search: {method: tpe, trials: 14, seed: 7, batch: 4}" "$WORK/search_tpe1/experiment.yaml" &&
    grep -q "^  n_configs: $(tail -n +2 "$WORK/search_tpe1/trials.csv" | cut -d, -f4,5,9 | sort -u | wc -l)$" "$WORK/search_tpe1/experiment.yaml"'
sed 's/seed: 7, batch: 4/seed: 7, batch: 2/' "$Y/search_tpe.yaml" > "$WORK/b2.yaml"
run "$ALSTUNE" tune "$WORK/b2.yaml" --out "$WORK/b2" --quiet --no-report
check "tpe: another batch proposes other trials after the startup" '[ $RC = 0 ] && ! cmp -s "$WORK/b2/trials.csv" "$WORK/search_tpe1/trials.csv"'

# rungs.csv (the agreed format: docs/outputs.md)
d="$WORK/search_grid_halving1"
check "pruned grid: rungs.csv header" '[ "$(head -n1 "$d/rungs.csv")" = "$RUNGS_HEADER" ]'
check "pruned grid (18 configs, eta 3): rungs 18 @ 2, 6 @ 6, 2 @ 18 iterations; 6 then 2 promoted" '
    [ "$(tail -n +2 "$d/rungs.csv" | cut -d, -f3,4 | sort | uniq -c | tr -s " " | tr "\n" ";")" = " 18 0,2; 6 1,6; 2 2,18;" ] &&
    [ "$(awk -F, "\$7==\"true\"" "$d/rungs.csv" | cut -d, -f3 | sort | uniq -c | tr -s " " | tr "\n" ";")" = " 6 0; 2 1;" ]'
check "rungs.csv is ordered by bracket, rung, trial" '
    tail -n +2 "$d/rungs.csv" | sort -t, -k2,2n -k3,3n -k1,1n | cmp -s - "$(printf "%s" "$d/rungs.csv")" ||
    [ "$(tail -n +2 "$d/rungs.csv" | sort -t, -k2,2n -k3,3n -k1,1n)" = "$(tail -n +2 "$d/rungs.csv")" ]'
check "promotion: the promoted trials of a rung have the lowest RMSE of the rung (ties by trial)" '
    awk -F, "NR>1 {k=\$2\",\"\$3; if (\$7==\"true\") {if (!(k in pmax) || \$6>pmax[k]) pmax[k]=\$6} else {if (!(k in nmin) || \$6<nmin[k]) nmin[k]=\$6}}
             END {for (k in pmax) if (k in nmin && pmax[k] > nmin[k]) bad=1; exit bad}" "$d/rungs.csv"'
check "each trial's last rungs.csv row is its budget and state (promoted at the last rung: false)" '
    awk -F, "NR==FNR {if (FNR>1) {b[\$1]=\$4; p[\$1]=\$7}; next}
             FNR>1 && (b[\$1]!=\$14 || p[\$1]!=\"false\") {bad=1} END {exit bad}" "$d/rungs.csv" "$d/trials.csv"'
check "a rung's value in rungs.csv is the trial's CV mean at that budget (a pruned trial: its trials.csv mean)" '
    awk -F, "NR==FNR {if (FNR>1) v[\$1\",\"\$4]=\$6; next}
             FNR>1 && v[\$1\",\"\$14]!=\$13 {bad=1} END {exit bad}" "$d/rungs.csv" "$d/trials.csv"'
d="$WORK/search_tpe_hyperband1"
check "hyperband (20 trials, minIter 2, eta 3): 3 brackets of 11, 6 and 3 trials starting at 2, 6 and 18 iterations" '
    [ "$(awk -F, "NR>1 && \$3==0" "$d/rungs.csv" | cut -d, -f2,4 | sort | uniq -c | tr -s " " | tr "\n" ";")" = " 11 0,2; 6 1,6; 3 2,18;" ]'
check "hyperband: trials are assigned to brackets in trial order" '
    [ "$(awk -F, "NR>1 && \$3==0 {print \$2}" "$d/rungs.csv" | tr "\n" " ")" = "0 0 0 0 0 0 0 0 0 0 0 1 1 1 1 1 1 2 2 2 " ] &&
    [ "$(awk -F, "NR>1 && \$3==0 {print \$1}" "$d/rungs.csv" | tr "\n" " ")" = "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 " ]'
check "iterations.csv of a pruned trial stops at its budget" '
    t=$(awk -F, "NR>1 && \$11==\"pruned\" && \$14==2 {print \$2; exit}" "$d/trials.csv") && [ -n "$t" ] &&
    [ "$(awk -F, -v c="$t" "NR>1 && \$1==c {print \$9}" "$d/iterations.csv" | sort -n | tail -n1)" = 2 ]'

# the report reads a pruned search's folder (pruned trials: position 0, not in summary.csv)
run "$ALSTUNE" report "$WORK/search_tpe_hyperband1"
check "report reads a TPE + Hyperband results folder" '[ $RC = 0 ] && [ -s "$WORK/search_tpe_hyperband1/report.md" ]'

# a metric to maximise: the promotion keeps the highest values
sed 's/^metric: rmse/metric: ndcg@5/' "$Y/search_grid_halving.yaml" > "$WORK/ndcg.yaml"
run "$ALSTUNE" tune "$WORK/ndcg.yaml" --out "$WORK/ndcg" --quiet --no-report
check "pruner with ndcg@5 (higher is better): the promoted trials have the highest values of their rung" '
    [ $RC = 0 ] && awk -F, "NR>1 {k=\$2\",\"\$3; if (\$7==\"true\") {if (!(k in pmin) || \$6<pmin[k]) pmin[k]=\$6} else {if (!(k in nmax) || \$6>nmax[k]) nmax[k]=\$6}}
             END {for (k in pmin) if (k in nmax && pmin[k] < nmax[k]) bad=1; exit bad}" "$WORK/ndcg/rungs.csv"'

# resume from a journal cut at any row (what kill -9 leaves between flushes; a cut inside a job's
# rungs leaves its model unknown: the resume retrains it from iteration 0 and must get the same bits)
for y in search_tpe search_tpe_hyperband search_grid_halving; do
    full="$WORK/${y}1"
    nf=$(wc -l < "$full/folds.csv"); ni=$(wc -l < "$full/iterations.csv")
    for frac in 3 5 8; do
        c="$WORK/cut_${y}_$frac"
        mkdir -p "$c"
        cp "$full/experiment.yaml" "$c/"
        head -n $((1 + (nf - 1) * frac / 10)) "$full/folds.csv" > "$c/folds.csv"
        head -n $((1 + (ni - 1) * frac / 10)) "$full/iterations.csv" > "$c/iterations.csv"
        run "$ALSTUNE" tune "$Y/$y.yaml" --out "$c" --quiet --no-report --threads 2
        check "$y: resumed from a journal cut at $frac/10 of its rows: byte-identical outputs" \
            '[ $RC = 0 ] && same_outputs "$full" "$c"'
    done
done

# a real kill -9 part-way through TPE + Hyperband, rerun, compare with an uninterrupted run
run "$ALSTUNE_HEAVY" tune "$Y/search_tpe_slow.yaml" --out "$WORK/slowfull" --quiet --no-report
check "uninterrupted TPE + Hyperband reference" '[ $RC = 0 ]'
total=$(($(wc -l < "$WORK/slowfull/folds.csv") - 1))
kill_tune "$Y/search_tpe_slow.yaml" "$WORK/killed" $((total / 3)) 500
check "the TPE + Hyperband search was killed part-way ($KILLED_ROWS of $total fold rows written)" \
    '[ "$KILLED_ROWS" -gt 0 ] && [ "$KILLED_ROWS" -lt "$total" ]'
run "$ALSTUNE_HEAVY" tune "$Y/search_tpe_slow.yaml" --out "$WORK/killed" --no-report --threads 1
check "rerun resumes" '[ $RC = 0 ] && printf "%s" "$ERR" | grep -q "resuming in .* jobs already done"'
check "after kill -9 + resume, every output is byte-identical to the uninterrupted search" 'same_outputs "$WORK/slowfull" "$WORK/killed"'
sed 's/seed: 3, batch: 4/seed: 3, batch: 2/' "$Y/search_tpe_slow.yaml" > "$WORK/slowb2.yaml"
run "$ALSTUNE" tune "$WORK/slowb2.yaml" --out "$WORK/slowfull" --quiet --no-report
expect_fail "another search.batch on the same results folder is refused (fingerprint)" 2 "fingerprint mismatch"

# Bad configurations: file | line:col | message; exit 2, nothing on stdout, nothing written.
CASES=$(cat <<'TABLE'
bad_search_tpe.yaml|5:41|search.batch: expected an integer in [1, 1000], found '0'
bad_search_batch_huge.yaml|5:41|search.batch: expected an integer in [1, 1000], found '1001' (the limit: a round's proposals see none of its own results; a round wider than 1000 trials is random search)
bad_search_batch_sobol.yaml|5:36|search.batch: only for method: tpe (the round size of its proposals); sobol proposals read no results
bad_search_tpe_maxiter.yaml|8:12|maxIter: method tpe evaluates every config at every maxIter of the distribution, so it may span at most 256 values, got [1, 300]
bad_prune_eta.yaml|5:44|pruner.eta: expected an integer in [2, 100], found '1'
bad_prune_eta_float.yaml|5:32|pruner.eta: expected an integer in [2, 100], found '2.5'
bad_prune_miniter.yaml|5:36|pruner.minIter: 12 is above maxIter 10 (the largest budget)
bad_prune_miniter_zero.yaml|5:38|pruner.minIter: expected an integer in [1, 100000], found '0'
bad_prune_method.yaml|5:18|pruner.method: expected one of none, halving, hyperband, found 'median'
bad_prune_maxiter_list.yaml|5:18|pruner.method: halving: maxIter is the largest budget and must be one value, but it is a list; the rungs' budgets come from minIter, eta and maxIter
bad_prune_maxiter_dist.yaml|6:18|pruner.method: hyperband: maxIter is the largest budget and must be one value, but it is a distribution; the rungs' budgets come from minIter, eta and maxIter
bad_prune_early.yaml|5:18|pruner.method: halving and als.earlyStopping both stop training early; use one of them
bad_prune_none_keys.yaml|5:24|pruner.eta: only with pruner.method halving or hyperband
TABLE
)
# A rung whose job count is not a multiple of the threads: its last (cnt mod threads) jobs, the
# smallest, run one at a time on all the threads (run_phase), so the last rung of the pruned grid
# (2 trials x 3 folds on 4 threads) has exactly 2 jobs on 4 threads (before: at most its last job);
# the outputs are the same bits as with 1 thread.
run "$ALSTUNE" tune "$Y/search_grid_halving.yaml" --threads 4 --out "$WORK/gh4" --quiet --no-report
check "search_grid_halving: 4 threads, byte-identical outputs; the last rung's 6 mod 4 = 2 smallest jobs ran on 4 threads" '
    [ $RC = 0 ] && same_outputs "$WORK/search_grid_halving1" "$WORK/gh4" &&
    [ "$(awk -F, "NR==FNR {if (FNR>1 && \$11==\"complete\") c[int(\$2/3)*3]=1; next}
                  \$1==\"job\" && (\$2 in c) && \$5==4 {n++} END {print n+0}" "$WORK/gh4/trials.csv" "$WORK/gh4/timings.csv")" = 2 ]'
printf '%s\n' "$CASES" > "$WORK/cases"
bad_yaml_cases "$Y" < "$WORK/cases"
finish
