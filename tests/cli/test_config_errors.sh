#!/bin/sh
# Experiment YAML validation from the command line: each bad file exits 2 with exactly
# `file:line:col: error: message` on stderr and nothing on stdout; good files print the resolved
# experiment, which loads again to the same text.
#
# Runs every case through tests/config_check (the config module's test driver, built by
# make check) and, once it is implemented, through `alstune tune FILE --dry-run` as well.
# Set CONFIG_CHECK to use another driver.
. "$(dirname "$0")/lib.sh"

Y="$TOP_SRCDIR/tests/fixtures/yaml"
: "${CONFIG_CHECK:=$(pwd)/tests/config_check}"

RUNNERS=""
[ -x "$CONFIG_CHECK" ] && RUNNERS="driver"
"$ALSTUNE" tune --help 2>/dev/null | grep -q -- "--dry-run" && RUNNERS="$RUNNERS alstune"
if [ -z "$RUNNERS" ]; then
    skip "config validation" "neither $CONFIG_CHECK nor 'alstune tune --dry-run' is available"
    finish
    exit $?
fi

load() { # load FILE: parse, validate and print the resolved experiment with the current runner
    if [ "$RUNNER" = driver ]; then run "$CONFIG_CHECK" "$1" </dev/null
    else run "$ALSTUNE" tune "$1" --dry-run </dev/null; fi
}

# Bad experiments: file | line:col | message (the whole diagnostic is "$Y/file:line:col: error: message").
CASES=$(cat <<'TABLE'
bad_syntax.yaml|5:11|YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 4, column 9)
bad_tab.yaml|2:1|YAML syntax error: found character that cannot start any token (tabs cannot indent YAML; use spaces)
bad_key_regparam.yaml|5:3|unknown key 'regparam' in 'als'; did you mean 'regParam'?
bad_key_maxiter.yaml|4:3|unknown key 'maxiter' in 'als'; did you mean 'maxIter'?
bad_key_numfolds.yaml|4:3|unknown key 'numfolds' in 'split'; did you mean 'numFolds'?
bad_key_misplaced.yaml|3:1|unknown key 'rank'; it belongs under 'als:' or 'data.synthetic:'
bad_key_unknown.yaml|4:3|unknown key 'learningRate' in 'als'; expected one of: rank, regParam, maxIter, alpha, implicitPrefs, nonnegative, bias, coldStartStrategy, seed, solver, cgSteps, earlyStopping, model, samples, bpmf
bad_rank_word.yaml|4:9|rank: expected an integer in [1, 1024], found 'ten'
bad_rank_float.yaml|4:9|rank: expected an integer in [1, 1024], found '2.5'
bad_rank_quoted.yaml|4:9|rank: expected an integer in [1, 1024], found the string "10"
bad_implicit_maybe.yaml|4:18|implicitPrefs: expected true or false, found 'maybe'
bad_empty_list.yaml|4:9|rank: empty list; expected at least one value
bad_list_too_long.yaml|4:13|regParam: list has 257 values; at most 256 are allowed
bad_rank_zero.yaml|4:13|rank: expected an integer in [1, 1024], found '0'
bad_regparam_negative.yaml|4:13|regParam: expected a number >= 0, found '-0.1'
bad_maxiter_zero.yaml|4:12|maxIter: expected an integer in [1, 100000], found '0'
bad_alpha_negative.yaml|5:11|alpha: expected a number >= 0, found '-1'
bad_numfolds_one.yaml|4:13|numFolds: expected an integer in [2, 1000], found '1'
bad_numfolds_synthetic.yaml|4:13|numFolds: 25 folds need at least as many ratings, but the synthetic data has 20
bad_testfraction.yaml|4:17|testFraction: expected a number in [0, 1), found '1.0'
bad_duplicate_key.yaml|6:3|duplicate key 'rank' (first given at line 4)
bad_missing_file.yaml|2:3|ratings: file '@Y@/no-such-ratings.csv' not found (paths are relative to the YAML file's directory)
bad_both_data.yaml|3:3|data: give either 'ratings' (a file) or 'synthetic' (generated data), not both
bad_neither_data.yaml|1:1|data: expected 'ratings' (a ratings file) or 'synthetic' (generated data), found neither
bad_no_data.yaml|1:1|missing required key 'data' (a 'ratings' file or 'synthetic' data)
bad_preset.yaml|3:13|preset: expected one of ml-100k, ml-1m, ml-25m, msd, found 'ml-200k'; did you mean 'ml-100k'?
bad_metric.yaml|3:9|metric: unknown metric 'rsme'; did you mean 'rmse'? (expected one of rmse, mse, mae, r2, var, precision@K, recall@K, ndcg@K, map, map@K, mpr, auc)
bad_anchor.yaml|4:9|YAML anchors (&ranks) are not supported; write the value out
bad_not_mapping.yaml|1:1|expected a mapping of experiment keys (name, data, split, als, metric, ...), found a list
bad_empty.yaml|1:1|empty experiment file; expected a mapping with at least a 'data' key
bad_not_utf8.yaml|2:14|not a UTF-8 text file: invalid trailing UTF-8 octet (byte 0x73)
bad_garbage.yaml|1:1|not a UTF-8 text file: control characters are not allowed (byte 0x01)
bad_range_log.yaml|4:19|regParam: a log range needs min > 0, found 0
bad_range_keys.yaml|4:27|unknown key 'steps' in 'rank range'; expected one of: min, max, num, log
bad_cold_start.yaml|4:22|coldStartStrategy: expected one of drop, nan, mean, found 'dorp'; did you mean 'drop'?
bad_two_documents.yaml|3:1|a second YAML document starts here; an experiment file holds exactly one
bad_bias_implicit.yaml|5:9|bias: biases are for explicit ratings only, but implicitPrefs is true
bad_rank_too_big.yaml|4:9|rank: expected an integer in [1, 1024], found '1100' (the limit: each row's normal equations are rank x rank doubles on a thread's stack)
bad_maxiter_huge.yaml|4:12|maxIter: expected an integer in [1, 100000], found '1000000000' (the limit: every iteration of every job keeps a journal row in memory until the summary)
bad_numfolds_huge.yaml|4:13|numFolds: expected an integer in [2, 1000], found '10000000' (the limit: every fold keeps its own by-user and by-item copy of the training ratings)
bad_cgsteps_huge.yaml|5:12|cgSteps: expected an integer in [1, 100000], found '100001' (the limit: CG converges in at most rank steps anyway)
bad_rankingk_huge.yaml|3:11|rankingK: expected an integer in [1, 1000000], found '1000001' (the limit: a top-k list is held in memory per user)
bad_range_num.yaml|4:33|rank num: expected an integer in [1, 256], found '257' (the limit: an axis holds them inline)
bad_grid_jobs.yaml|3:1|the grid has 16777216 points (without maxIter) x 5 folds = 83886080 jobs; at most 100000 jobs are allowed (a larger grid runs for days; split it into several experiments or use ranges with fewer values)
bad_iter_rows.yaml|6:12|maxIter: 99840 jobs x 101 iterations = 10083840 iteration rows; at most 10000000 are allowed (every job keeps one iterations.csv row (about 120 bytes) per iteration in memory until the summary: 10^7 rows are about 1.2 GB)
bad_scheme.yaml|4:11|scheme: expected one of random, per_user, leave_k_out, found 'peruser'; did you mean 'per_user'?
TABLE
)

printf '%s\n' "$CASES" >"$WORK/cases"
for RUNNER in $RUNNERS; do
    while IFS='|' read -r file pos msg; do
        f="$Y/$file"
        msg=$(printf '%s' "$msg" | sed "s|@Y@|$Y|g")
        want="$f:$pos: error: $msg"
        load "$f"
        first=$(printf '%s\n' "$ERR" | head -n 1)
        if [ "$RC" = 2 ] && [ "$first" = "$want" ] && [ -z "$OUT" ]; then
            _tap 0 "$RUNNER: $file"
        else
            _tap 1 "$RUNNER: $file" "expected exit 2, no stdout, and: $want" "got exit $RC" \
                "stdout: $(printf '%s' "$OUT" | head -c 200)" "stderr: $(printf '%s' "$ERR" | head -c 600)"
        fi
    done <"$WORK/cases"

    # A YAML file that does not exist: bad input, exit 2.
    load "$WORK/no-such-experiment.yaml"
    check "$RUNNER: a missing experiment file is exit 2" \
        '[ $RC = 2 ] && [ "$ERR" = "$WORK/no-such-experiment.yaml: error: cannot open experiment file: No such file or directory" ]'

    # Good experiments: exit 0, the resolved YAML, and loading that again gives the same text.
    for g in good_minimal good_grid good_ranges good_synthetic good_all; do
        load "$Y/$g.yaml"
        check "$RUNNER: $g.yaml is valid" '[ $RC = 0 ] && [ -z "$ERR" ]'
        printf '%s\n' "$OUT" | grep -v '^#' >"$WORK/$g.resolved.yaml"
        load "$WORK/$g.resolved.yaml"
        printf '%s\n' "$OUT" | grep -v '^#' >"$WORK/$g.again.yaml"
        check "$RUNNER: $g.yaml resolved loads back to the same experiment" \
            '[ $RC = 0 ] && cmp -s "$WORK/$g.resolved.yaml" "$WORK/$g.again.yaml"'
    done
    load "$Y/good_minimal.yaml"
    check "$RUNNER: defaults filled in (name from the file, Spark's ALS defaults)" \
        'printf "%s" "$OUT" | grep -qx "name: \"good_minimal\"" && printf "%s" "$OUT" | grep -qx "  rank: \[10\]" &&
         printf "%s" "$OUT" | grep -qx "  regParam: \[0.1\]" && printf "%s" "$OUT" | grep -qx "  numFolds: 5" &&
         printf "%s" "$OUT" | grep -qx "metric: rmse"'
    load "$Y/good_grid.yaml"
    check "$RUNNER: the tutorial grid as flow lists, ratings resolved next to the YAML" \
        'printf "%s" "$OUT" | grep -qx "  rank: \[5, 10, 20, 50\]" &&
         printf "%s" "$OUT" | grep -qx "  regParam: \[0.01, 0.05, 0.1, 0.2\]" &&
         printf "%s" "$OUT" | grep -qx "  maxIter: \[5, 10, 20\]" &&
         printf "%s" "$OUT" | grep -q "^  ratings: \"/.*/tests/fixtures/yaml/ratings.csv\"$"'
    load "$Y/good_ranges.yaml"
    check "$RUNNER: ranges expanded (log-spaced regParam, rounded rank)" \
        'printf "%s" "$OUT" | grep -qx "  regParam: \[0.001, 0.01, 0.1, 1, 10\]" &&
         printf "%s" "$OUT" | grep -qx "  rank: \[2, 3, 4\]"'
    load "$Y/good_synthetic.yaml"
    check "$RUNNER: implicit experiment defaults to ndcg@rankingK" \
        'printf "%s" "$OUT" | grep -qx "metric: ndcg@20"'
done
finish
