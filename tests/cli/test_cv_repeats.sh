#!/bin/sh
# Issue 13 items 3-5 (docs/statistics.md): split.numRepeats (repeated k-fold), replicates (training
# seeds per job), split.outerFolds (nested CV).  Each: 1 is today's run byte for byte; 1 vs 2
# threads and kill -9 + resume are byte-identical; no outer test rating reaches the inner search;
# every bad value is a file:line:col error, exit 2, nothing written.
. "$(dirname "$0")/lib.sh"
CHK="$TOP_SRCDIR/tests/cli/stats_select_check.py"
DET_FILES="experiment.yaml folds.csv iterations.csv summary.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy"
cd "$WORK" || exit 1

. "$TOP_SRCDIR/tests/cli/cv_exp.sh" # exp NAME SPLIT-EXTRA TOP-EXTRA: the small experiment
col() { # col FILE NAME: the values of column NAME, one a line
    awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"
}
same_dirs() { # same_dirs A B: every file but timings.csv, provenance.yaml and the lock identical
    diff -r -q -x timings.csv -x provenance.yaml -x alstune.lock "$1" "$2" >/dev/null
}

exp base "" "" > base.yaml
run "$ALSTUNE" tune base.yaml --out o_base --quiet --no-report --threads 1
check "the base experiment runs" '[ $RC = 0 ]'

# ---- numRepeats -------------------------------------------------------------------------------
exp base "  numRepeats: 1" "" > r1.yaml
run "$ALSTUNE" tune r1.yaml --out o_r1 --quiet --no-report --threads 1
for f in folds.csv iterations.csv summary.csv best.yaml experiment.yaml; do
    if [ $f = experiment.yaml ]; then
        check "numRepeats: 1: experiment.yaml equals the run without the key but for the config's sha" \
            'grep -v config_sha256 o_r1/$f > e1; grep -v config_sha256 o_base/$f > e0; cmp -s e0 e1'
    else
        check "numRepeats: 1: $f is byte-identical to the run without the key" 'cmp -s o_base/$f o_r1/$f'
    fi
done
exp base "  numRepeats: 3" "" > r3.yaml
run "$ALSTUNE" tune r3.yaml --out o_r3 --quiet --no-report --threads 1
check "numRepeats: 3 runs" '[ $RC = 0 ]'
check "numRepeats: 3: folds 0..8 (repeat = fold / numFolds)" \
    '[ "$(col o_r3/folds.csv fold | sort -n | uniq | tr "\n" " ")" = "0 1 2 3 4 5 6 7 8 " ]'
check "numRepeats: 3: summary.csv's n_folds is k x R = 9" '[ "$(col o_r3/summary.csv n_folds | sort -u)" = 9 ]'
check "numRepeats: 3: repeat 0 (folds 0-2) is the numRepeats: 1 partition, row for row" \
    '[ "$(awk -F, "NR>1 && \$9<3" o_r3/folds.csv | sort)" = "$(awk -F, "NR>1" o_base/folds.csv | sort)" ]'
check "numRepeats: 3: repeat 1 is another partition (its fold 0 scores differ from repeat 0's)" \
    '[ "$(awk -F, "NR>1 && \$9==0 {print \$11}" o_r3/folds.csv)" != "$(awk -F, "NR>1 && \$9==3 {print \$11}" o_r3/folds.csv)" ]'
check "numRepeats: 3: best.yaml's cv n_folds is 9" 'grep -q "^cv: {.*n_folds: 9}" o_r3/best.yaml'
check "numRepeats: 3: experiment.yaml records it and n_folds 9" \
    'grep -q "^  numRepeats: 3$" o_r3/experiment.yaml && grep -q "^  n_folds: 9$" o_r3/experiment.yaml'
run "$ALSTUNE" tune o_r3/experiment.yaml --dry-run
check "numRepeats: 3: experiment.yaml loads again (--dry-run: 4 configs x 9 folds = 36 jobs)" \
    '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "36 jobs"'
PY=""
for cand in ${STATS_PYTHON:-python3 /usr/bin/python3}; do
    if "$cand" -c 'import scipy.stats, numpy' >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -n "$PY" ]; then
    run "$PY" "$CHK" o_r3 corrected_t 0.05
    check "numRepeats: 3: p_value is the Bouckaert-Frank corrected t over k.R = 9 folds (scipy's t, from folds.csv)" \
        '[ "$OUT" = ok ]'
else
    skip "numRepeats: 3: scipy comparison" "no python3 with scipy and numpy"
fi

# ---- replicates -------------------------------------------------------------------------------
exp base "" "replicates: 1" > n1.yaml
run "$ALSTUNE" tune n1.yaml --out o_n1 --quiet --no-report --threads 1
for f in folds.csv iterations.csv summary.csv best.yaml; do
    check "replicates: 1: $f is byte-identical to the run without the key" 'cmp -s o_base/$f o_n1/$f'
done
exp base "" "replicates: 3" > n3.yaml
run "$ALSTUNE" tune n3.yaml --out o_n3 --no-report --threads 1
check "replicates: 3 runs" '[ $RC = 0 ]'
check "replicates: 3: folds.csv ends with seed_std" 'head -1 o_n3/folds.csv | grep -q ",n_dropped,seed_std$"'
check "replicates: 3: summary.csv ends with seed_std" 'head -1 o_n3/summary.csv | grep -q ",selected,seed_std$"'
check "replicates: 3: every seed_std is a number >= 0, some > 0" \
    'col o_n3/folds.csv seed_std | awk "\$1 < 0 || \$1 != \$1+0 {bad=1} \$1 > 0 {pos=1} END {exit bad || !pos}"'
check "replicates: 3: the fold scores are not replicate 0's alone (the mean of three seeds)" \
    '[ "$(col o_n3/folds.csv value)" != "$(col o_base/folds.csv value)" ]'
check "replicates: 3: summary's seed_std is the mean of the cell's folds' seed_std" '
    awk -F, "FNR==1 {next} FILENAME ~ /folds/ {s[\$1]+=\$19; n[\$1]++; next} {if ((s[\$2]/n[\$2] - \$24)^2 > 1e-24) bad=1} END {exit bad}" \
        o_n3/folds.csv o_n3/summary.csv'
check "replicates: 3: experiment.yaml records it" 'grep -q "^replicates: 3$" o_n3/experiment.yaml'
check "replicates: 3: best.yaml's replicates line" 'grep -q "^replicates: {n: 3, seed_std_best: [0-9.e-]*, seed_std_mean: " o_n3/best.yaml'
check "replicates: 3: stdout prints the seed-to-seed spread beside the cell-to-cell difference" \
    'printf "%s" "$OUT" | grep -q "seed-to-seed std (3 replicates" && printf "%s" "$OUT" | grep -q "cell-to-cell: best - second"'

# ---- nested CV --------------------------------------------------------------------------------
exp nest "  outerFolds: 3" "" > nest.yaml
run "$ALSTUNE" tune nest.yaml --out o_nest --no-report --threads 1 --save-holdout
check "outerFolds: 3 runs" '[ $RC = 0 ]'
check "outerFolds: 3: experiment.yaml records it" 'grep -q "^  outerFolds: 3$" o_nest/experiment.yaml'
check "outerFolds: 3: nested.csv has a header and 3 rows" \
    '[ "$(wc -l < o_nest/nested.csv)" = 4 ] && head -1 o_nest/nested.csv | grep -q "^outer_fold,cell,rank,regParam,maxIter,.*,inner_best,inner_std,outer_score,n_train,n_test$"'
check "outerFolds: 3: the top-level run is the ordinary one (summary.csv as without outerFolds)" \
    'cmp -s o_base/summary.csv o_nest/summary.csv && cmp -s o_base/folds.csv o_nest/folds.csv'
check "outerFolds: 3: best.yaml's nested line is the mean of nested.csv's outer_score" '
    m=$(col o_nest/nested.csv outer_score | awk "{s+=\$1} END {printf \"%.10f\", s/NR}")
    grep "^nested: " o_nest/best.yaml | grep -q "mean: ${m%????}"'
check "outerFolds: 3: stdout prints the nested estimate beside the inner best" \
    'printf "%s" "$OUT" | grep -q "^nested CV (3 outer folds x 3 inner folds, select: best): rmse [0-9.]* ± " &&
     printf "%s" "$OUT" | grep -q "beside the optimistic inner best: "'
# No outer test rating is seen by the inner search: each inner folder's cv_ratings.csv (every
# rating its folds were cut from) and holdout.csv (its outer test fold) are disjoint, together
# the whole data, the inner folds' sizes add up to cv_ratings.csv, and the outer test folds
# partition the data.
all=$(awk '/n_ratings:/ {print $2}' o_nest/experiment.yaml)
for i in 0 1 2; do
    D=o_nest/outer/$i
    tail -n +2 $D/cv_ratings.csv | cut -d, -f1,2 | sort > cv$i
    tail -n +2 $D/holdout.csv | cut -d, -f1,2 | sort > ho$i
    check "outer fold $i: no holdout (outer test) pair is among the inner search's ratings" '[ -z "$(comm -12 cv$i ho$i)" ]'
    check "outer fold $i: inner ratings + outer test fold = all $all ratings" \
        '[ $(($(wc -l < cv$i) + $(wc -l < ho$i))) = "$all" ]'
    check "outer fold $i: each inner fold's n_train + n_valid = the inner ratings" '
        awk -F, -v n="$(wc -l < cv$i)" "NR>1 && \$16+\$17 != n {bad=1} END {exit bad}" $D/folds.csv'
    check "outer fold $i: experiment.yaml's n_train is the inner ratings, n_test the outer fold" \
        'grep -q "^  n_train: $(wc -l < cv$i)$" $D/experiment.yaml && grep -q "^  n_test: $(wc -l < ho$i)$" $D/experiment.yaml'
done
check "the outer test folds partition the data (no pair twice, all of them)" \
    '[ "$(cat ho0 ho1 ho2 | sort | uniq | wc -l)" = "$all" ]'

# ---- 1 vs 2 threads and kill -9 + resume, for each option ------------------------------------
exp slowbase "  numRepeats: 2" "replicates: 2" > slow1.yaml
exp slownest "  outerFolds: 2" "" > slow2.yaml
for y in slow1 slow2; do
    run "$ALSTUNE" tune $y.yaml --out t1_$y --quiet --no-report --threads 1
    run "$ALSTUNE" tune $y.yaml --out t2_$y --quiet --no-report --threads 2
    check "$y: 1 vs 2 threads: every output byte-identical" 'same_dirs t1_$y t2_$y'
done
# kill -9 part-way through a larger run (ml-100k-sized synthetic data), rerun, compare
killexp() {
    cat <<EOY
name: $1
data:
  synthetic: {preset: ml-100k, seed: 9}
split:
  testFraction: 0.1
  numFolds: 3
  seed: 1
$2
als:
  rank: [8, 16]
  regParam: [0.05, 0.1]
  maxIter: [4, 8]
metric: rmse
$3
EOY
}
killexp krep "  numRepeats: 2" "replicates: 2" > krep.yaml
killexp knest "  outerFolds: 2" "" > knest.yaml
for y in krep knest; do
    run "$ALSTUNE_HEAVY" tune $y.yaml --out full_$y --quiet --no-report --threads 2
    check "$y: the uninterrupted reference run" '[ $RC = 0 ]'
    # kill once some jobs are journaled: for the nested run, inside outer fold 0's inner search
    want=killed_$y/folds.csv
    [ $y = knest ] && want=killed_$y/outer/0/folds.csv
    kill_tune $y.yaml killed_$y 3 1500 "$want"
    if [ $y = knest ]; then
        check "$y: killed part-way (inside outer fold 0: no inner best.yaml, no nested.csv yet)" \
            '[ ! -e killed_$y/outer/0/best.yaml ] && [ ! -e killed_$y/nested.csv ]'
    else
        check "$y: killed part-way (no best.yaml yet)" '[ ! -e killed_$y/best.yaml ]'
    fi
    run "$ALSTUNE_HEAVY" tune $y.yaml --out killed_$y --no-report --threads 2
    check "$y: the rerun resumes" '[ $RC = 0 ] && printf "%s" "$ERR" | grep -q "resuming in .* jobs already done"'
    check "$y: after kill -9 + resume every output is byte-identical to the uninterrupted run" \
        'same_dirs full_$y killed_$y'
done

# ---- bad values: file:line:col, exit 2, nothing written ---------------------------------------
bad() { # name split-extra top-extra line:col pattern
    exp bad "$2" "$3" | sed "s/numFolds: 3/numFolds: ${FOLDS:-3}/" > bad.yaml
    run "$ALSTUNE" tune bad.yaml --out o_bad --quiet --no-report
    expect_fail "$1" 2 "^bad.yaml:$4: error: $5"
    check "$1: nothing written" '[ ! -e o_bad ]'
}
bad "numRepeats: 0" "  numRepeats: 0" "" 8:15 "numRepeats: expected an integer in \[1, 100\], found '0'"
bad "numRepeats: 2.5" "  numRepeats: 2.5" "" 8:15 "numRepeats: expected an integer in \[1, 100\]"
FOLDS=20
bad "numFolds x numRepeats above 1000 folds" "  numRepeats: 100" "" 8:15 \
    "numRepeats: 20 folds x 100 repeats = 2000 folds; at most 1000 are allowed"
FOLDS=3
bad "outerFolds: 1" "  outerFolds: 1" "" 8:15 "outerFolds: expected an integer in \[2, 100\], found '1'"
bad "outerFolds: 101" "  outerFolds: 101" "" 8:15 "outerFolds: expected an integer in \[2, 100\], found '101'"
bad "replicates above the cap" "" "replicates: 101" 15:13 "replicates: expected an integer in \[1, 100\], found '101'"
bad "replicates: 0" "" "replicates: 0" 15:13 "replicates: expected an integer in \[1, 100\], found '0'"
bad "an unknown test" "" "statistics: {test: bonferroni}" 15:20 "test: "
bad "a level of 1" "" "statistics: {level: 1}" 15:21 "level: expected a number in \(0, 1\), found '1'"
bad "a level of 0" "" "statistics: {level: 0}" 15:21 "level: expected a number in \(0, 1\), found '0'"
bad "a level of -0.5" "" "statistics: {level: -0.5}" 15:21 "level: expected a number in \(0, 1\)"

finish
