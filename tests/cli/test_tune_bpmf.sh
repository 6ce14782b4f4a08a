#!/bin/sh
# als.model: bpmf in `alstune tune` (issue 15, docs/yaml.md "BPMF", docs/bpmf.md "In tune",
# docs/outputs.md): one Gibbs chain per (config, fold) scored at every collected sample, the grid
# over rank, alpha (a number or sample) and samples, sampled searches (random, sobol, tpe) over
# them, the refit's model folder, 1 vs 2 threads and kill -9 + resume byte-identical, and every bad value a file:line:col error, exit 2.
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/cli/cv_exp.sh" # ml_exp NAME ALS-LINES [METRIC]: the small experiment
DET_FILES="experiment.yaml folds.csv iterations.csv summary.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy model/user_bias.npy model/item_bias.npy"

# exp NAME EXTRA-ALS-LINES — a small synthetic experiment (2 ranks x 2 alphas x samples [3, 8], 3 folds)
exp() {
    ml_exp "$1" "  model: bpmf
  rank: [2, 6]
  alpha: [2, sample]
  samples: [3, 8]
  seed: 11
$2"
}

exp b "  bpmf: {burnin: 2}" > "$WORK/b.yaml"
run "$ALSTUNE" tune "$WORK/b.yaml" --out "$WORK/b1" --threads 1 --quiet --no-report
check "tune with model: bpmf runs" '[ $RC = 0 ]'
check "folds.csv keeps the ALS header" \
    '[ "$(head -n1 "$WORK/b1/folds.csv")" = "cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,fold,metric,value,rmse,mae,mse,r2,n_train,n_valid,n_dropped" ]'
check "folds.csv: 4 configs x 2 sample counts x 3 folds rows" '[ $(($(wc -l < "$WORK/b1/folds.csv") - 1)) = 24 ]'
check "folds.csv: regParam is 0, maxIter is the sample count (3 or 8), alpha 2 or nan (sampled)" \
    'awk -F, "NR>1 && !(\$3 == 0 && (\$4 == 3 || \$4 == 8) && (\$5 == 2 || \$5 == \"nan\") && \$6 == \"false\" && \$7 == \"false\") {bad=1} END {exit bad}" "$WORK/b1/folds.csv" &&
     grep -q ",nan,false,false,false," "$WORK/b1/folds.csv"'
check "iterations.csv: one row per collected sample (8 x 4 configs x 3 folds)" \
    '[ $(($(wc -l < "$WORK/b1/iterations.csv") - 1)) = 96 ] &&
     awk -F, "NR>1 && (\$9 < 1 || \$9 > 8) {bad=1} END {exit bad}" "$WORK/b1/iterations.csv"'
check "path reuse: the samples-3 cell of a fold is iteration 3 of the same chain" '
    v=$(awk -F, "NR>1 && \$1==0 && \$9==0 {print \$11}" "$WORK/b1/folds.csv")
    w=$(awk -F, "NR>1 && \$1==0 && \$8==0 && \$9==3 {print \$13}" "$WORK/b1/iterations.csv")
    [ -n "$v" ] && [ "$v" = "$w" ]'
check "more samples help on this data: every config's mean RMSE at 8 samples is below its 3-sample one" '
    awk -F, "NR>1 {m[\$2\",\"\$5\",\"\$4]=\$11} END {for (k in m) {split(k,a,\",\"); if (a[3]==3 && !(m[a[1]\",\"a[2]\",8\"] < m[k])) bad=1}; exit bad}" "$WORK/b1/summary.csv"'
check "best.yaml: the params line and the bpmf line" \
    'grep -q "^params: {rank: [26], regParam: 0, maxIter: [38], " "$WORK/b1/best.yaml" &&
     grep -q "^bpmf: {model: bpmf, rank: [26], samples: [38], burnin: 2, alpha: " "$WORK/b1/best.yaml"'
check "the refit wrote a bpmf model folder (model: bpmf, posterior-mean factors)" \
    'grep -q "^model: bpmf$" "$WORK/b1/model/model.yaml" && grep -q "^burnin: 2$" "$WORK/b1/model/model.yaml" &&
     [ -s "$WORK/b1/model/user_factors.npy" ]'
check "experiment.yaml writes the bpmf keys and no ALS-only key" \
    'grep -q "^  model: bpmf$" "$WORK/b1/experiment.yaml" && grep -q "^  alpha: \[2, sample\]$" "$WORK/b1/experiment.yaml" &&
     grep -q "^  samples: \[3, 8\]$" "$WORK/b1/experiment.yaml" && grep -q "^  bpmf: {burnin: 2, mu0: 0, beta0: 2, W0: 1, " "$WORK/b1/experiment.yaml" &&
     ! grep -q "regParam\|solver\|cgSteps" "$WORK/b1/experiment.yaml"'
run "$ALSTUNE" tune "$WORK/b1/experiment.yaml" --out "$WORK/b1y" --threads 1 --quiet --no-report
check "the written experiment.yaml runs again to the same results" '[ $RC = 0 ] && cmp -s "$WORK/b1/summary.csv" "$WORK/b1y/summary.csv"'
run "$ALSTUNE" report "$WORK/b1"
check "alstune report reads a bpmf run (RMSE against collected samples)" '[ $RC = 0 ] && [ -s "$WORK/b1/report.html" ]'
if command -v gnuplot >/dev/null 2>&1; then
    check "report of a bpmf run: the learning curves' x axis is collected samples, the caption says so" \
        'grep -q "^set xlabel .collected samples.$" "$WORK/b1/plots/learning.gp" &&
         grep -q "Learning curves.\* RMSE against collected samples (model: bpmf)" "$WORK/b1/report.md" &&
         grep -q "marks\? the grid.s samples values" "$WORK/b1/report.md"'
    check "report of a bpmf run: RMSE against collected samples per fold, one line per fold (3 folds, 8 samples each)" \
        '[ -s "$WORK/b1/plots/bpmf_folds.svg" ] && [ $(grep -c "^\$F[0-9] << EOD$" "$WORK/b1/plots/bpmf_folds.gp") = 3 ] &&
         [ $(grep -c "title .fold [0-2]." "$WORK/b1/plots/bpmf_folds.gp") = 3 ] &&
         [ $(awk "/^\\\$F0 << EOD/{on=1; next} /^EOD/{on=0} on && !/^#/" "$WORK/b1/plots/bpmf_folds.gp" | wc -l) = 8 ] &&
         grep -q "RMSE against collected samples, per fold" "$WORK/b1/report.md"'
    check "the per-fold figure plots iterations.csv: fold 0 at sample 8 is its valid_rmse" '
        c=$(awk -F, "NR>1 && \$NF == 1 {print \$2}" "$WORK/b1/summary.csv")
        v=$(awk "/^\\\$F0 << EOD/{on=1; next} /^EOD/{on=0} on && \$1 == 8 {print \$2}" "$WORK/b1/plots/bpmf_folds.gp")
        [ -n "$v" ] && [ -n "$c" ] && awk -F, -v v="$v" -v c="$c" "NR>1 && \$1 == c - c % 2 && \$8 == 0 && \$9 == 8 && \$11 == v {f=1} END {exit !f}" "$WORK/b1/iterations.csv"'
    cat > "$WORK/als.yaml" <<EOY
name: als
data:
  synthetic: {preset: ml-100k, seed: 3, users: 300, items: 200, ratings: 9000, min_per_user: 10}
split:
  numFolds: 2
als: {rank: 2, maxIter: 3}
EOY
    run "$ALSTUNE" tune "$WORK/als.yaml" --out "$WORK/als" --quiet --no-report
    run "$ALSTUNE" report "$WORK/als"
    check "an ALS run's report keeps 'iteration' and has no per-fold BPMF figure" \
        '[ $RC = 0 ] && grep -q "^set xlabel .iteration.$" "$WORK/als/plots/learning.gp" &&
         [ ! -e "$WORK/als/plots/bpmf_folds.gp" ] && ! grep -q "collected samples" "$WORK/als/report.md"'
else
    skip "report figures of a bpmf run" "gnuplot is not installed"
fi
run "$ALSTUNE" evaluate "$WORK/b1/model" "$WORK/b1/folds.csv"
check "the refit's model folder is a model the model commands read (evaluate refuses a non-rating file, not the model)" \
    '! printf "%s" "$ERR" | grep -q "model.yaml"'

run "$ALSTUNE" tune "$WORK/b.yaml" --out "$WORK/b2" --threads 2 --quiet --no-report
check "tune with model: bpmf runs with 2 threads" '[ $RC = 0 ]'
for f in $DET_FILES; do
    check "bpmf: $f is byte-identical with 1 and 2 threads" 'cmp -s "$WORK/b1/$f" "$WORK/b2/$f"'
done

# tune --dry-run: the estimate counts burnin + samples sweeps (docs/scale.md "Estimates")
cvflops() { "$ALSTUNE" tune "$1" --dry-run 2>/dev/null | sed -n 's/.*flops: CV \([^,]*\),.*/\1/p'; }
exp d1 "  bpmf: {burnin: 2}" > "$WORK/d1.yaml"
exp d2 "  bpmf: {burnin: 50}" > "$WORK/d2.yaml"
f1=$(cvflops "$WORK/d1.yaml"); f2=$(cvflops "$WORK/d2.yaml")
check "--dry-run of a bpmf run: 50 + 8 sweeps estimate more than 4x the flops of 2 + 8 ($f1 vs $f2)" \
    '[ -n "$f1" ] && [ -n "$f2" ] && awk -v a="$f1" -v b="$f2" "BEGIN {exit !(b > 4 * a)}"'

# biases, a fixed-prior variant and a coldStartStrategy: they run and change the numbers
exp bb "  bias: true
  coldStartStrategy: mean
  bpmf: {burnin: 2, beta0: 1, W0: 0.5, nu0: 7, biasPrecision: 4, alphaShape: 2, alphaRate: 1, initScale: 0.2}" > "$WORK/bb.yaml"
run "$ALSTUNE" tune "$WORK/bb.yaml" --out "$WORK/bb" --quiet --no-report
check "bias: true and every prior key run" '[ $RC = 0 ] && grep -q "^bpmf_bias: true$" "$WORK/bb/model/model.yaml" &&
    grep -q "nu0: 7, alphaShape: 2, alphaRate: 1, biasPrecision: 4, initScale: 0.2}" "$WORK/bb/best.yaml"'
check "the bias run's folds differ from the plain run's" '! cmp -s "$WORK/b1/folds.csv" "$WORK/bb/folds.csv"'

# ---- kill -9 part-way, rerun, compare with an uninterrupted run ----------------------------
cat > "$WORK/slow.yaml" <<EOY
name: slowbpmf
data:
  synthetic: {preset: ml-100k, seed: 9}
split:
  testFraction: 0.1
  numFolds: 4
  seed: 1
als:
  model: bpmf
  rank: [4, 8]
  alpha: [2, sample]
  samples: [5, 20]
  bpmf: {burnin: 5}
metric: rmse
EOY
run "$ALSTUNE_HEAVY" tune "$WORK/slow.yaml" --out "$WORK/full" --quiet --no-report
check "uninterrupted bpmf reference run" '[ $RC = 0 ]'
kill_tune "$WORK/slow.yaml" "$WORK/killed" 4 1000
check "the bpmf run was killed part-way ($KILLED_ROWS of 32 fold rows written)" '[ "$KILLED_ROWS" -gt 0 ] && [ "$KILLED_ROWS" -lt 32 ]'
resume_same "$WORK/slow.yaml" "$WORK/full" "$WORK/killed" "bpmf: "

# ---- bad values: file:line:col, exit 2, nothing written --------------------------------------
# badexp ALS-BLOCK [metric] — the block starts at line 8
badexp() {
    cat <<EOY
name: bad
data:
  synthetic: {preset: ml-100k, seed: 3, users: 300, items: 200, ratings: 9000, min_per_user: 10}
split:
  testFraction: 0.2
  numFolds: 3
als:
$1
metric: ${2:-rmse}
EOY
}
bad() { # name als-block line:col pattern [metric]
    badexp "$2" "${5:-rmse}" > "$WORK/bad.yaml"
    run "$ALSTUNE" tune "$WORK/bad.yaml" --out "$WORK/bad" --quiet --no-report
    expect_fail "$1" 2 "bad.yaml:$3: error: .*$4"
    check "$1: nothing written" '[ ! -e "$WORK/bad" ]'
}
M="  model: bpmf"
bad "samples 0 is refused" "$M
  samples: 0" "9:12" "samples: expected an integer in \[1, 1000000\], found '0'"
bad "samples 0 in a list is refused" "$M
  samples: [5, 0]" "9:16" "samples: expected an integer in \[1, 1000000\], found '0'"
bad "samples above the cap is refused, saying why" "$M
  samples: 1000001" "9:12" "the limit: every collected sweep"
bad "a negative burnin is refused" "$M
  bpmf: {burnin: -1}" "9:18" "burnin: expected an integer in \[0, 1000000\], found '-1'"
bad "W0 0 (not positive definite) is refused" "$M
  bpmf: {W0: 0}" "9:14" "W0: expected a number > 0 \(W0 = W0 x identity, the Wishart scale, must be positive definite\), found '0'"
bad "a negative W0 is refused" "$M
  bpmf: {W0: -1}" "9:14" "W0: expected a number > 0"
bad "beta0 0 is refused" "$M
  bpmf: {beta0: 0}" "9:17" "beta0: expected a number > 0"
bad "nu0 <= rank - 1 (an improper Wishart) is refused at nu0" "$M
  rank: [5, 10]
  bpmf: {nu0: 9}" "10:15" "nu0: expected a number > rank - 1 = 9 for rank 10"
bad "alphaShape 0 is refused" "$M
  bpmf: {alphaShape: 0}" "9:22" "alphaShape: expected a number > 0"
bad "a negative alphaRate is refused" "$M
  bpmf: {alphaRate: -2}" "9:21" "alphaRate: expected a number > 0"
bad "biasPrecision 0 is refused" "$M
  bpmf: {biasPrecision: 0}" "9:25" "biasPrecision: expected a number > 0"
bad "a negative initScale is refused" "$M
  bpmf: {initScale: -1}" "9:21" "initScale: expected a number in \[0, 1000\]"
bad "a NaN mu0 is refused" "$M
  bpmf: {mu0: .nan}" "9:15" "mu0: expected a number"
bad "an unknown key under bpmf is refused" "$M
  bpmf: {burnin: 2, thin: 3}" "9:21" "unknown key 'thin' in 'als.bpmf'"
bad "bpmf must be a mapping" "$M
  bpmf: 3" "9:9" "bpmf: expected a mapping"
bad "bpmf with implicitPrefs is refused" "$M
  implicitPrefs: true" "9:18" "implicitPrefs: model: bpmf supports explicit ratings"
bad "bpmf with nonnegative is refused" "$M
  nonnegative: [false, true]" "9:16" "nonnegative: model: bpmf supports explicit ratings"
bad "regParam with bpmf is refused" "$M
  regParam: 0.1" "9:3" "regParam: an ALS key; model: bpmf learns its regularisation"
bad "maxIter with bpmf is refused" "$M
  maxIter: 10" "9:3" "maxIter: an ALS key"
bad "solver with bpmf is refused" "$M
  solver: cg" "9:3" "solver: an ALS key"
bad "earlyStopping with bpmf is refused" "$M
  earlyStopping: {patience: 2}" "9:3" "earlyStopping: an ALS key"
bad "alpha 0 with bpmf is refused" "$M
  alpha: 0" "9:10" "alpha: expected a number > 0 \(the observation precision\) or 'sample'"
bad "a misspelt sample is refused" "$M
  alpha: [2, sampled]" "9:14" "alpha: expected a number > 0 .* found 'sampled'"
bad "alpha sample twice is refused" "$M
  alpha: [sample, 2, sample]" "9:22" "alpha: value sample appears twice"
bad "rank above the BPMF bound is refused, saying why" "$M
  rank: [10, 600]" "9:9" "rank: expected an integer in \[1, 512\] with model: bpmf, found 600"
bad "an unknown model is refused" "  model: bmpf" "8:10" "model: expected one of als, bpmf, found 'bmpf'"
bad "samples without model: bpmf is refused" "  samples: 10" "8:3" "samples: only for model: bpmf"
bad "bpmf keys without model: bpmf are refused" "  model: als
  bpmf: {burnin: 2}" "9:3" "bpmf: only for model: bpmf"
bad "alpha: sample for ALS is refused" "  alpha: sample" "8:10" "alpha: expected a number"
bad "a ranking metric with bpmf is refused" "$M" "9:9" "metric: ndcg@10 is a ranking metric; model: bpmf is scored by" "ndcg@10"
# ---- sampled searches over BPMF configs (docs/bpmf.md §12): random, sobol, tpe ---------------
# sexp METHOD-LINE ALPHA-VALUE
sexp() {
    cat <<EOY
name: s
data:
  synthetic: {preset: ml-100k, seed: 3, users: 300, items: 200, ratings: 9000, min_per_user: 10}
split:
  testFraction: 0.2
  numFolds: 2
  seed: 5
search: $1
als:
  model: bpmf
  rank: {min: 2, max: 8, log: true}
  alpha: $2
  samples: {min: 3, max: 8}
  bias: [false, true]
  seed: 11
  bpmf: {burnin: 2}
metric: rmse
EOY
}
SFILES="experiment.yaml folds.csv iterations.csv summary.csv trials.csv best.yaml model/user_factors.npy"
for m in random sobol tpe; do
    sexp "{method: $m, trials: 6, seed: 7, batch: 3}" "[2, sample]" > "$WORK/s$m.yaml"
    [ $m = tpe ] || sed -i 's/, batch: 3//' "$WORK/s$m.yaml"
    run "$ALSTUNE" tune "$WORK/s$m.yaml" --out "$WORK/s${m}1" --threads 1 --quiet --no-report
    check "search.method $m over bpmf configs runs (rank log-int, alpha [2, sample], samples int, bias)" \
        '[ $RC = 0 ] && [ $(($(wc -l < "$WORK/s${m}1/trials.csv") - 1)) = 6 ]'
    check "$m: trials.csv has regParam 0, samples in [3, 8], alpha 2 or nan" \
        'awk -F, "NR>1 && !(\$5 == 0 && \$6 >= 3 && \$6 <= 8 && \$4 >= 2 && \$4 <= 8 && (\$7 == 2 || \$7 == \"nan\")) {bad=1} END {exit bad}" "$WORK/s${m}1/trials.csv"'
    run "$ALSTUNE" tune "$WORK/s$m.yaml" --out "$WORK/s${m}2" --threads 2 --quiet --no-report
    for f in $SFILES; do
        check "$m over bpmf: $f is byte-identical with 1 and 2 threads" 'cmp -s "$WORK/s${m}1/$f" "$WORK/s${m}2/$f"'
    done
done
check "experiment.yaml writes the distributions" \
    'grep -q "^  rank: {min: 2, max: 8, log: true, type: int}$" "$WORK/stpe1/experiment.yaml" &&
     grep -q "^  samples: {min: 3, max: 8, log: false, type: int}$" "$WORK/stpe1/experiment.yaml"'
check "trials that draw alpha: sample share one config per (rank, bias) (a NaN alpha matches itself)" \
    'awk -F, "NR>1 {k=\$2\",\"\$4\",\"\$5\",\"\$6\",\"\$7\",\"\$8; if (k in s) bad=1; s[k]=1} END {exit bad}" "$WORK/srandom1/summary.csv"'
sexp "{method: tpe, trials: 5, seed: 3, batch: 2}" "{min: 0.5, max: 8, log: true}" > "$WORK/sa.yaml"
run "$ALSTUNE" tune "$WORK/sa.yaml" --out "$WORK/sa" --quiet --no-report
check "tpe over a continuous log alpha runs; every alpha drawn is in [0.5, 8]" \
    '[ $RC = 0 ] && awk -F, "NR>1 && !(\$7 >= 0.5 && \$7 <= 8) {bad=1} END {exit bad}" "$WORK/sa/trials.csv" &&
     grep -q "^  alpha: {min: 0.5, max: 8, log: true, type: float}$" "$WORK/sa/experiment.yaml"'
run "$ALSTUNE" tune "$WORK/sa/experiment.yaml" --out "$WORK/sa2" --quiet --no-report
check "the written experiment.yaml of a bpmf search runs again to the same results" \
    '[ $RC = 0 ] && cmp -s "$WORK/sa/summary.csv" "$WORK/sa2/summary.csv" && cmp -s "$WORK/sa/trials.csv" "$WORK/sa2/trials.csv"'

# kill -9 + resume of a TPE search over bpmf configs (rounds of 2)
cat > "$WORK/stk.yaml" <<EOY
name: slowsearch
data:
  synthetic: {preset: ml-100k, seed: 9}
split:
  testFraction: 0.1
  numFolds: 3
  seed: 1
search: {method: tpe, trials: 6, seed: 2, batch: 2}
als:
  model: bpmf
  rank: {min: 4, max: 8}
  alpha: [2, sample]
  samples: [5, 15]
  bpmf: {burnin: 3}
metric: rmse
EOY
run "$ALSTUNE_HEAVY" tune "$WORK/stk.yaml" --out "$WORK/stfull" --quiet --no-report
check "uninterrupted bpmf tpe reference run" '[ $RC = 0 ]'
kill_tune "$WORK/stk.yaml" "$WORK/stkilled" 3 1000
killed_rows=$KILLED_ROWS
total_rows=$(($(wc -l < "$WORK/stfull/folds.csv") - 1))
check "the bpmf tpe search was killed part-way ($killed_rows of $total_rows fold rows written)" \
    '[ "$killed_rows" -gt 0 ] && [ "$killed_rows" -lt "$total_rows" ]'
run "$ALSTUNE_HEAVY" tune "$WORK/stk.yaml" --out "$WORK/stkilled" --no-report
check "the killed bpmf tpe search resumes" '[ $RC = 0 ] && printf "%s" "$ERR" | grep -q "resuming in"'
for f in $SFILES; do
    check "bpmf tpe: after kill -9 + resume, $f is byte-identical to the uninterrupted run" \
        'cmp -s "$WORK/stfull/$f" "$WORK/stkilled/$f"'
done

# a chain that fails numerically: the cell's warning names the bpmf config, at the model key
cat > "$WORK/num.yaml" <<EOY
name: num
data:
  synthetic: {preset: ml-100k, seed: 3, users: 300, items: 200, ratings: 9000, min_per_user: 10}
split:
  testFraction: 0.2
  numFolds: 2
als:
  model: bpmf
  rank: 4
  alpha: 1e30
  samples: 2
  bpmf: {burnin: 1, initScale: 1000}
metric: rmse
EOY
run "$ALSTUNE" tune "$WORK/num.yaml" --out "$WORK/num" --quiet --no-report
check "a failed bpmf cell warns with its config (rank, alpha, bias, fold), not regParam" \
    'printf "%s" "$ERR" | grep -q "num.yaml:8:10: warning: bpmf rank 4 alpha 1e+30 bias false fold 0: bpmf: .*; its metrics are NaN" &&
     ! printf "%s" "$ERR" | grep -q "regParam"'

# what a bpmf search refuses: a pruner (file:line:col of pruner.method), an int alpha, alpha min 0
sexp "{method: random, trials: 3}" "[2, sample]" > "$WORK/bad.yaml"
sed -i 's/^  samples: .*/  samples: 8/' "$WORK/bad.yaml"
printf 'pruner: {method: halving, minIter: 2}\n' >> "$WORK/bad.yaml"
run "$ALSTUNE" tune "$WORK/bad.yaml" --out "$WORK/bad" --quiet --no-report
expect_fail "a pruner with bpmf is refused at pruner.method" 2 "bad.yaml:18:18: error: pruner: not supported with model: bpmf"
sexp "{method: random, trials: 3}" "{min: 1, max: 4, type: int}" > "$WORK/bad.yaml"
run "$ALSTUNE" tune "$WORK/bad.yaml" --out "$WORK/bad" --quiet --no-report
expect_fail "an int alpha distribution with bpmf is refused" 2 "bad.yaml:12:10: error: alpha: type int"
sexp "{method: random, trials: 3}" "{min: 0, max: 4}" > "$WORK/bad.yaml"
run "$ALSTUNE" tune "$WORK/bad.yaml" --out "$WORK/bad" --quiet --no-report
expect_fail "an alpha distribution from 0 with bpmf is refused" 2 "bad.yaml:12:10: error: alpha: a distribution with model: bpmf needs min > 0"
sexp "{method: random, trials: 3}" "{min: 1, max: 4}" > "$WORK/bad.yaml"
sed -i '/^search:/d' "$WORK/bad.yaml"
run "$ALSTUNE" tune "$WORK/bad.yaml" --out "$WORK/bad" --quiet --no-report
expect_fail "an alpha mapping in a bpmf grid is refused" 2 "bad.yaml:11:10: error: alpha: expected a number > 0, 'sample' or a non-empty list"

finish
