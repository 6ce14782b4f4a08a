#!/bin/sh
# `alstune tune`: outputs, determinism across thread counts, path reuse, kill -9 + resume,
# fingerprint refusal, dry run.
. "$(dirname "$0")/lib.sh"
FIX="$TOP_SRCDIR/tests/fixtures/tune"
DET_FILES="experiment.yaml folds.csv iterations.csv summary.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy model/user_ids.txt model/item_ids.txt"

run "$ALSTUNE" tune "$FIX/small.yaml" --dry-run
check "dry run prints the resolved experiment and the job count" \
    '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "rank:" && printf "%s" "$OUT" | grep -q "8 configs x 2 maxIter values, 3 folds: 24 jobs"'

run "$ALSTUNE" tune "$FIX/small.yaml" --threads 1 --out "$WORK/t1" --quiet --no-report
check "tune runs with 1 thread" '[ $RC = 0 ]'
for f in experiment.yaml folds.csv iterations.csv summary.csv best.yaml timings.csv provenance.yaml model/model.yaml model/user_factors.npy; do
    check "writes $f" '[ -s "$WORK/t1/$f" ]'
done
check "no temporary files left behind" '[ -z "$(find "$WORK/t1" -name "*.tmp.*")" ]'
check "folds.csv has a header and one row per cell x fold (16 cells x 3 folds)" \
    '[ "$(head -n1 "$WORK/t1/folds.csv" | cut -d, -f1-3)" = "cell,rank,regParam" ] && [ $(($(wc -l < "$WORK/t1/folds.csv") - 1)) = 48 ]'
check "iterations.csv has one row per job x iteration (8 configs x 3 folds x 6)" \
    '[ $(($(wc -l < "$WORK/t1/iterations.csv") - 1)) = 144 ]'
check "summary.csv has 16 cells sorted by mean rmse ascending" \
    '[ $(($(wc -l < "$WORK/t1/summary.csv") - 1)) = 16 ] && tail -n +2 "$WORK/t1/summary.csv" | cut -d, -f11 | sort -g -c'
check "summary mean equals the mean of the fold values (awk)" '
    cell=$(sed -n 2p "$WORK/t1/summary.csv" | cut -d, -f2); mean=$(sed -n 2p "$WORK/t1/summary.csv" | cut -d, -f11)
    awk -F, -v c="$cell" -v m="$mean" "NR>1 && \$1==c {s+=\$11; n++} END {d=s/n-m; exit !(n==3 && d<1e-12 && d>-1e-12)}" "$WORK/t1/folds.csv"'
check "best.yaml names the best cell and holdout test metrics" \
    'grep -q "^params: {rank: " "$WORK/t1/best.yaml" && grep -q "^test: {n_test: 1800" "$WORK/t1/best.yaml"'
check "validation rmse is sane (between 0.3 and 2)" \
    'awk -F, "NR==2 {exit !(\$11 > 0.3 && \$11 < 2)}" "$WORK/t1/summary.csv"'

run "$ALSTUNE" tune "$FIX/small.yaml" --threads 2 --out "$WORK/t2" --quiet --no-report
check "tune runs with 2 threads" '[ $RC = 0 ]'
for f in $DET_FILES; do
    check "$f is byte-identical with 1 and 2 threads" 'cmp -s "$WORK/t1/$f" "$WORK/t2/$f"'
done

run "$ALSTUNE" tune "$FIX/single.yaml" --out "$WORK/single" --quiet --no-report
check "path reuse: rows at maxIter 6 equal separate maxIter-6 runs bit for bit" '
    [ $RC = 0 ] &&
    awk -F, "NR>1 && \$4==6 {print \$2,\$3,\$4,\$5,\$6,\$7,\$8,\$9,\$11,\$12,\$13,\$14,\$15}" "$WORK/t1/folds.csv" | sort > "$WORK/a" &&
    awk -F, "NR>1 {print \$2,\$3,\$4,\$5,\$6,\$7,\$8,\$9,\$11,\$12,\$13,\$14,\$15}" "$WORK/single/folds.csv" | sort > "$WORK/b" &&
    [ -s "$WORK/a" ] && cmp -s "$WORK/a" "$WORK/b"'

# kill -9 part-way, rerun, compare with an uninterrupted run
run "$ALSTUNE_HEAVY" tune "$FIX/slow.yaml" --out "$WORK/full" --quiet --no-report
check "uninterrupted reference run" '[ $RC = 0 ]'
kill_tune "$FIX/slow.yaml" "$WORK/killed" 6
check "the run was killed part-way ($KILLED_ROWS of 80 fold rows written)" '[ "$KILLED_ROWS" -gt 0 ] && [ "$KILLED_ROWS" -lt 80 ]'
resume_same "$FIX/slow.yaml" "$WORK/full" "$WORK/killed" ""

# a changed experiment is refused unless --fresh
cp "$FIX/small.yaml" "$WORK/changed.yaml"
run "$ALSTUNE" tune "$WORK/changed.yaml" --out "$WORK/t1" --quiet --no-report
check "an identical copy of the experiment reuses the finished results" '[ $RC = 0 ] && [ -z "$(find "$WORK/t1" -name "*.tmp.*")" ]'
sed 's/regParam: \[0.05, 0.3\]/regParam: [0.05, 0.2]/' "$FIX/small.yaml" > "$WORK/changed.yaml"
run "$ALSTUNE" tune "$WORK/changed.yaml" --out "$WORK/t1" --quiet --no-report
expect_fail "changed experiment is refused with a fingerprint message" 2 "experiment.yaml: error: the experiment file changed .*--fresh"
run "$ALSTUNE" tune "$WORK/changed.yaml" --out "$WORK/t1" --quiet --no-report --fresh
check "--fresh starts over" '[ $RC = 0 ] && grep -q "0.2," "$WORK/t1/summary.csv"'

# coldStartStrategy: sparse synthetic data so that folds have unseen users/movies
cold_yaml() { # strategy metric
    cat <<EOY
name: cold
data:
  synthetic: {preset: ml-100k, seed: 4, users: 60, items: 400, ratings: 1500, min_per_user: 5}
split: {testFraction: 0, numFolds: 3, seed: 2}
als: {rank: 3, regParam: 0.1, maxIter: 3, coldStartStrategy: $1}
metric: $2
EOY
}
cold_yaml drop rmse > "$WORK/cold-drop.yaml"; cold_yaml nan rmse > "$WORK/cold-nan.yaml"; cold_yaml mean rmse > "$WORK/cold-mean.yaml"
run "$ALSTUNE" tune "$WORK/cold-drop.yaml" --out "$WORK/cd" --quiet --no-report
check "coldStartStrategy drop: cold validation ratings are counted in n_dropped and metrics stay finite" \
    '[ $RC = 0 ] && awk -F, "NR>1 {d+=\$18; if (\$11 == \"nan\") bad=1} END {exit !(d > 0 && !bad)}" "$WORK/cd/folds.csv"'
run "$ALSTUNE" tune "$WORK/cold-nan.yaml" --out "$WORK/cn" --quiet --no-report
check "coldStartStrategy nan: NaN metric as in Spark, with a warning that explains it" \
    '[ $RC = 0 ] && awk -F, "NR>1 && \$18 > 0 && \$11 != \"nan\" {bad=1} END {exit bad}" "$WORK/cn/folds.csv" && printf "%s" "$ERR" | grep -q "warning: coldStartStrategy nan: .* metrics are NaN"'
run "$ALSTUNE" tune "$WORK/cold-mean.yaml" --out "$WORK/cm" --quiet --no-report
check "coldStartStrategy mean: cold ratings predicted by the training mean, so its rmse differs from drop's and is finite" \
    '[ $RC = 0 ] && [ "$(sed -n 2p "$WORK/cm/folds.csv" | cut -d, -f11)" != "$(sed -n 2p "$WORK/cd/folds.csv" | cut -d, -f11)" ] && awk -F, "NR>1 && \$11 == \"nan\" {bad=1} END {exit bad}" "$WORK/cm/folds.csv"'

# implicit feedback with a ranking metric (a small version of experiments/implicit.yaml)
cat > "$WORK/impl.yaml" <<EOY
name: impl
data:
  synthetic: {preset: msd, seed: 7, users: 400, items: 300, ratings: 12000, min_per_user: 10}
split: {testFraction: 0.2, numFolds: 2, scheme: per_user, seed: 42}
als: {implicitPrefs: true, rank: [4, 8], regParam: 0.1, alpha: [1, 10], maxIter: [3, 5]}
metric: ndcg@10
EOY
run "$ALSTUNE" tune "$WORK/impl.yaml" --out "$WORK/impl" --quiet --no-report
check "implicit experiment with ndcg@10: ranking metric in (0, 1], sorted descending (higher is better)" \
    '[ $RC = 0 ] && awk -F, "NR>1 {if (!(\$11 > 0 && \$11 <= 1)) bad=1} END {exit bad}" "$WORK/impl/summary.csv" && tail -n +2 "$WORK/impl/summary.csv" | cut -d, -f11 | sort -g -r -c'
check "implicit best.yaml: higher_is_better and a holdout ndcg@10" \
    'grep -q "^higher_is_better: true" "$WORK/impl/best.yaml" && grep -q "metric: ndcg@10, value: 0\." "$WORK/impl/best.yaml"'

rm -f "$WORK/t2/experiment.yaml"
run "$ALSTUNE" tune "$FIX/small.yaml" --out "$WORK/t2" --quiet --no-report
expect_fail "a journal without its experiment.yaml (fingerprint) is refused" 2 "folds.csv: error: results of an earlier run are here but its experiment.yaml"
run "$ALSTUNE" "$FIX/small.yaml" --help
check "alstune FILE.yaml --help prints the tune help" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "alstune tune"'

mkdir -p "$WORK/cwd"
run sh -c 'cd "$1" && "$2" "$3" --quiet --no-report' sh "$WORK/cwd" "$ALSTUNE" "$FIX/small.yaml"
check "without --out the results go to results/<name>/ under the current directory" '[ $RC = 0 ] && [ -s "$WORK/cwd/results/small/summary.csv" ]'

run "$ALSTUNE" tune "$WORK/nonexistent.yaml"
check "missing experiment file: exit 2 naming it" '[ $RC = 2 ] && printf "%s" "$ERR" | grep -q "nonexistent.yaml"'
run "$ALSTUNE" tune
expect_fail "no experiment argument is a usage error" 2 "expected exactly one EXPERIMENT.yaml"
finish
