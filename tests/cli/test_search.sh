#!/bin/sh
# `search: {method: random | sobol, trials, seed}` (docs/search.md "In the runner"): sampled
# searches run and write summary.csv, best.yaml and trials.csv; outputs are byte-identical for 1
# and 2 threads and after kill -9 + resume; trials that land on one config share it; every bad
# search configuration is file:line:col, exit 2, nothing written.
. "$(dirname "$0")/lib.sh"
Y="$TOP_SRCDIR/tests/fixtures/yaml"
: "${CONFIG_CHECK:=$(pwd)/tests/config_check}"
DET_FILES="experiment.yaml folds.csv iterations.csv summary.csv trials.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy"

for m in random sobol; do
    run "$ALSTUNE" tune "$Y/search_$m.yaml" --threads 1 --out "$WORK/${m}1" --quiet --no-report
    check "$m search runs (6 trials, 3 folds)" '[ $RC = 0 ]'
    for f in summary.csv best.yaml trials.csv folds.csv experiment.yaml; do
        check "$m search writes $f" '[ -s "$WORK/${m}1/$f" ]'
    done
    check "$m: trials.csv has a header and 6 trials numbered 0..5, state complete" '
        [ "$(head -n1 "$WORK/${m}1/trials.csv")" = "trial,cell,position,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,state,metric,mean,budget" ] &&
        [ "$(tail -n +2 "$WORK/${m}1/trials.csv" | cut -d, -f1 | tr "\n" " ")" = "0 1 2 3 4 5 " ] &&
        [ "$(tail -n +2 "$WORK/${m}1/trials.csv" | cut -d, -f11 | sort -u)" = complete ]'
    check "$m: every trial lies in its distribution (rank 2..8 int, regParam 0.01..1, maxIter 3..6, nonnegative a choice)" '
        awk -F, "NR>1 && !(\$4>=2 && \$4<=8 && \$4==int(\$4) && \$5>=0.01 && \$5<=1 && \$6>=3 && \$6<=6 && \$6==int(\$6) && (\$9==\"true\" || \$9==\"false\")) {bad=1} END {exit bad}" "$WORK/${m}1/trials.csv"'
    check "$m: a trial's mean is its cell's row in summary.csv (cell, params and mean agree)" '
        awk -F, "NR==FNR {if (FNR>1) s[\$2]=\$3\",\"\$4\",\"\$5\",\"\$6\",\"\$7\",\"\$8\",\"\$9\",\"\$11; next}
                 FNR>1 {n++; if (s[\$2] != \$4\",\"\$5\",\"\$6\",\"\$7\",\"\$8\",\"\$9\",\"\$10\",\"\$13) bad=1} END {exit bad || n!=6}" \
            "$WORK/${m}1/summary.csv" "$WORK/${m}1/trials.csv"'
    check "$m: a trial's position is its cell's row number in summary.csv" '
        awk -F, "NR==FNR {if (FNR>1) p[\$2]=\$1; next} FNR>1 && p[\$2] != \$3 {bad=1} END {exit bad}" \
            "$WORK/${m}1/summary.csv" "$WORK/${m}1/trials.csv"'
    check "$m: best.yaml names summary.csv's first cell" \
        '[ "$(sed -n "s/^cell: //p" "$WORK/${m}1/best.yaml")" = "$(sed -n 2p "$WORK/${m}1/summary.csv" | cut -d, -f2)" ]'
    check "$m: experiment.yaml keeps the search and the distributions" '
        grep -q "^search: {method: $m, trials: 6, seed: " "$WORK/${m}1/experiment.yaml" &&
        grep -q "^  regParam: {min: 0.01, max: 1, log: true, type: float}" "$WORK/${m}1/experiment.yaml"'
    if [ -x "$CONFIG_CHECK" ]; then
        run "$CONFIG_CHECK" "$WORK/${m}1/experiment.yaml"
        check "$m: the written experiment.yaml loads again" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^search: {method: $m, trials: 6"'
    else
        skip "$m: the written experiment.yaml loads again" "no $CONFIG_CHECK"
    fi
    run "$ALSTUNE" tune "$Y/search_$m.yaml" --threads 2 --out "$WORK/${m}2" --quiet --no-report
    check "$m search runs with 2 threads" '[ $RC = 0 ]'
    for f in $DET_FILES; do
        check "$m: $f is byte-identical with 1 and 2 threads" 'cmp -s "$WORK/${m}1/$f" "$WORK/${m}2/$f"'
    done
done
check "random and Sobol propose different trials" '! cmp -s "$WORK/random1/trials.csv" "$WORK/sobol1/trials.csv"'
sed 's/seed: 7}/seed: 8}/' "$Y/search_random.yaml" > "$WORK/seed8.yaml"
run "$ALSTUNE" tune "$WORK/seed8.yaml" --out "$WORK/seed8" --quiet --no-report
check "another search.seed gives other random trials" '[ $RC = 0 ] && ! cmp -s "$WORK/random1/trials.csv" "$WORK/seed8/trials.csv"'
sed 's/seed: 7}/seed: 99}/' "$Y/search_sobol.yaml" > "$WORK/sobol99.yaml"
sed -i 's/method: sobol, trials: 6}/method: sobol, trials: 6, seed: 99}/' "$WORK/sobol99.yaml"
run "$ALSTUNE" tune "$WORK/sobol99.yaml" --out "$WORK/sobol99" --quiet --no-report
check "Sobol ignores search.seed (the sequence is unscrambled)" '[ $RC = 0 ] && cmp -s "$WORK/sobol1/trials.csv" "$WORK/sobol99/trials.csv"'

# duplicates: 6 trials over 4 categorical configs
run "$ALSTUNE" tune "$Y/search_categorical.yaml" --out "$WORK/cat" --quiet --no-report
check "categorical-only search runs" '[ $RC = 0 ]'
check "trials that land on one config share its cell (6 trials, fewer distinct cells)" '
    [ $(($(wc -l < "$WORK/cat/trials.csv") - 1)) = 6 ] &&
    n=$(tail -n +2 "$WORK/cat/trials.csv" | cut -d, -f2 | sort -u | wc -l) && [ "$n" -lt 6 ] &&
    [ $(($(wc -l < "$WORK/cat/summary.csv") - 1)) = "$n" ]'
check "each distinct config is trained once per fold (folds.csv: distinct cells x 3 folds)" '
    n=$(tail -n +2 "$WORK/cat/trials.csv" | cut -d, -f2 | sort -u | wc -l) &&
    [ $(($(wc -l < "$WORK/cat/folds.csv") - 1)) = $((n * 3)) ] && grep -q "^  n_configs: $n$" "$WORK/cat/experiment.yaml"'

# kill -9 part-way, rerun, compare with an uninterrupted run
run "$ALSTUNE_HEAVY" tune "$Y/search_slow.yaml" --out "$WORK/full" --quiet --no-report
check "uninterrupted reference search" '[ $RC = 0 ]'
total=$(($(wc -l < "$WORK/full/folds.csv") - 1))
kill_tune "$Y/search_slow.yaml" "$WORK/killed" 4
check "the search was killed part-way ($KILLED_ROWS of $total fold rows written)" '[ "$KILLED_ROWS" -gt 0 ] && [ "$KILLED_ROWS" -lt "$total" ]'
resume_same "$Y/search_slow.yaml" "$WORK/full" "$WORK/killed" "search: " --threads 1
sed 's/seed: 3}/seed: 4}/' "$Y/search_slow.yaml" > "$WORK/slow4.yaml"
run "$ALSTUNE" tune "$WORK/slow4.yaml" --out "$WORK/full" --quiet --no-report
expect_fail "another search.seed on the same results folder is refused (fingerprint)" 2 "fingerprint mismatch"

# the example experiment loads (with the shared data in place of data/)
if [ -f "$SHARED_DATA/ml-100k/u.data" ]; then
    sed "s|\.\./data/|$SHARED_DATA/|" "$TOP_SRCDIR/experiments/ml-100k-random.yaml" > "$WORK/ex.yaml"
    run "$ALSTUNE" tune "$WORK/ex.yaml" --dry-run
    check "experiments/ml-100k-random.yaml loads: 16 trials x 5 folds" \
        '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^search: {method: random, trials: 16, seed: 1}" && printf "%s" "$OUT" | grep -q "^# random search: 16 trials, 5 folds: at most 80 jobs"'
else
    skip "experiments/ml-100k-random.yaml loads" "no $SHARED_DATA/ml-100k/u.data"
fi

# Bad search configurations: file | line:col | message; exit 2, nothing on stdout, nothing written.
CASES=$(cat <<'TABLE'
bad_search_trials_zero.yaml|5:34|search.trials: expected an integer in [1, 10000], found '0'
bad_search_trials_huge.yaml|5:34|search.trials: expected an integer in [1, 10000], found '10001' (the limit: every trial is numFolds jobs, and the job cap is 100000; split a larger search into several experiments)
bad_search_min_gt_max.yaml|7:27|regParam: distribution min 1 > max 0.1
bad_search_log_min_zero.yaml|7:19|regParam: a log distribution needs min > 0, found 0
bad_search_dist_grid.yaml|7:9|rank: a range needs min, max and num (missing 'num'); a mapping without num is a distribution, which needs a sampled search (search.method: random, sobol or tpe)
bad_search_dist_nosearch.yaml|6:9|rank: a range needs min, max and num (missing 'num'); a mapping without num is a distribution, which needs a sampled search (search.method: random, sobol or tpe)
bad_search_num_sampler.yaml|7:26|rank: 'num' makes a grid range, but search.method is a sampler: a parameter is a distribution {min, max, log, type}; drop num (the search's trials say how many configs are drawn)
bad_search_method.yaml|5:18|search.method: expected one of grid, random, sobol, tpe, found 'bayes'
bad_search_no_trials.yaml|5:18|search.method: random needs 'trials: N', the number of configs to draw
bad_search_trials_grid.yaml|7:3|search.trials: only for a sampled search (method: random, sobol or tpe); method: grid trains every point of the als: axes
bad_search_nothing.yaml|5:18|search.method: random needs a parameter to sample: give one under als: a distribution {min, max} or a list of values
bad_search_type_float.yaml|7:32|rank: type float, but rank is an integer; use type: int or leave type out
bad_search_type_grid.yaml|6:34|rank: 'type' belongs to a distribution of a sampled search (search.method: random, sobol or tpe); a grid range is {min, max, num, log}
bad_search_key.yaml|5:37|unknown key 'prune' in 'search'; expected one of: method, trials, seed, batch
bad_search_rank_bound.yaml|7:23|rank max: expected an integer in [1, 1024], found '2000' (the limit: each row's normal equations are rank x rank doubles on a thread's stack)
bad_search_float_equal.yaml|7:29|regParam: a continuous distribution needs min < max, found 0.1 for both; a fixed value is a scalar
bad_search_int_min.yaml|7:19|regParam: type int needs an integer min, found 0.5
bad_search_seed.yaml|5:43|search.seed: expected an integer >= 0, found '-1'
bad_search_maxiter_wide.yaml|7:12|maxIter: a distribution over 1000 values with 300 trials could draw more than 256 distinct maxIter values (each config is evaluated at every drawn maxIter); narrow it to 256 values or use at most 256 trials
bad_search_jobs.yaml|5:33|search.trials: 10000 trials x 11 folds = 110000 jobs; at most 100000 jobs are allowed (a larger grid runs for days; split it into several experiments or use ranges with fewer values)
TABLE
)
printf '%s\n' "$CASES" > "$WORK/cases"
bad_yaml_cases "$Y" < "$WORK/cases"
finish
