#!/bin/sh
# `alstune train`: model folder contents, per-iteration output, thread independence, options,
# and the errors (bad options, bad input, numerical failure) with nothing written on failure.
. "$(dirname "$0")/lib.sh"

D=$WORK/ratings.csv
cat >"$D" <<'CSV'
userId,movieId,rating,timestamp
u1,m1,4,0
u1,m2,3,0
u1,m4,5,0
u2,m1,5,0
u2,m3,1,0
u3,m2,2,0
u3,m3,4,0
u3,m4,4.5,0
u4,m1,1,0
u4,m2,5,0
u4,m3,3.5,0
u4,m4,2,0
u5,m3,3,0
u6,m5,4,0
u6,m1,2.5,0
CSV

run "$ALSTUNE" train "$D" --rank 3 --regParam 0.1 --maxIter 4 -o "$WORK/m1"
check "train exits 0" '[ $RC = 0 ]'
check "one 'iteration N  train_rmse X' line per iteration on stderr" \
    '[ "$(printf "%s\n" "$ERR" | grep -cE "^iteration [1-4]  train_rmse [0-9.]+$")" = 4 ]'
check "the model folder has model.yaml, factors, ids and seen.csr" \
    'for f in model.yaml user_factors.npy item_factors.npy user_ids.txt item_ids.txt seen.csr; do [ -s "$WORK/m1/$f" ] || exit 1; done'
check "ids are written in first-seen order" \
    '[ "$(tr "\n" " " <"$WORK/m1/user_ids.txt")" = "u1 u2 u3 u4 u5 u6 " ] && [ "$(head -n 1 "$WORK/m1/item_ids.txt")" = m1 ]'
check "the factors are 6x3 and 5x3 float32" \
    'head -c 128 "$WORK/m1/user_factors.npy" | grep -q "(6, 3)" && head -c 128 "$WORK/m1/item_factors.npy" | grep -q "(5, 3)"'
check "model.yaml records the parameters" 'grep -q "^rank: 3" "$WORK/m1/model.yaml" && grep -q "^maxIter: 4" "$WORK/m1/model.yaml"'

run "$ALSTUNE" train "$D" --rank 3 --maxIter 4 --threads 1 -q -o "$WORK/t1"
run "$ALSTUNE" train "$D" --rank 3 --maxIter 4 --threads 2 -q -o "$WORK/t2"
check "--quiet prints nothing" '[ $RC = 0 ] && [ -z "$ERR" ] && [ -z "$OUT" ]'
check "factors are identical with 1 and 2 threads" \
    'cmp -s "$WORK/t1/user_factors.npy" "$WORK/t2/user_factors.npy" && cmp -s "$WORK/t1/item_factors.npy" "$WORK/t2/item_factors.npy"'
check "the default regParam is Spark's 0.1 (same factors as --regParam 0.1)" \
    'cmp -s "$WORK/t1/user_factors.npy" "$WORK/m1/user_factors.npy"'
run "$ALSTUNE" train "$D" --rank 3 --maxIter 4 --seed 5 -q -o "$WORK/t3"
check "another --seed gives other factors" '[ $RC = 0 ] && ! cmp -s "$WORK/t1/user_factors.npy" "$WORK/t3/user_factors.npy"'

run "$ALSTUNE" train "$D" --rank 2 --maxIter 3 --bias -o "$WORK/b"
check "--bias writes the bias files" '[ $RC = 0 ] && [ -s "$WORK/b/user_bias.npy" ] && [ -s "$WORK/b/item_bias.npy" ]'
run "$ALSTUNE" train "$D" --rank 2 --maxIter 3 --implicitPrefs --alpha 2 --solver cg --cgSteps 5 -o "$WORK/i"
check "--implicitPrefs --solver cg trains" '[ $RC = 0 ] && [ -s "$WORK/i/item_factors.npy" ]'
run "$ALSTUNE" train "$D" --rank 2 --maxIter 3 --nonnegative -o "$WORK/nn"
check "--nonnegative trains" '[ $RC = 0 ] && [ -s "$WORK/nn/item_factors.npy" ]'
run "$ALSTUNE" train "$D" --rank 2 --maxIter 0 -o "$WORK/z"
check "--maxIter 0 writes the initial model" '[ $RC = 0 ] && [ -s "$WORK/z/user_factors.npy" ] && ! printf "%s" "$ERR" | grep -q "^iteration"'

# ---- errors ----
run "$ALSTUNE" train "$D" --rank 3
expect_fail "missing -o is a usage error" 2 "missing -o"
run "$ALSTUNE" train --rank 3 -o "$WORK/x"
expect_fail "missing DATA is a usage error" 2 "missing the ratings file"
run "$ALSTUNE" train "$D" --rank 0 -o "$WORK/x"
expect_fail "--rank 0 is rejected" 2 "--rank expects an integer in \[1, 1024\]"
run "$ALSTUNE" train "$D" --regParam -1 -o "$WORK/x"
expect_fail "a negative --regParam is rejected" 2 "--regParam"
run "$ALSTUNE" train "$D" --maxIter abc -o "$WORK/x"
expect_fail "a non-numeric --maxIter is rejected" 2 "--maxIter"
run "$ALSTUNE" train "$D" --solver lu -o "$WORK/x"
expect_fail "an unknown --solver is rejected" 2 "--solver expects cholesky or cg"
run "$ALSTUNE" train "$D" --frobnicate -o "$WORK/x"
expect_fail "an unknown option is rejected" 2 "unknown option '--frobnicate'"
run "$ALSTUNE" train "$D" --bias --implicitPrefs -o "$WORK/x"
expect_fail "--bias with --implicitPrefs is rejected" 2 "bias .*implicitPrefs"
check "nothing was written by the failed runs" '[ ! -e "$WORK/x" ]'

run "$ALSTUNE" train "$WORK/nonexistent.csv" -o "$WORK/x"
expect_fail "a missing ratings file is bad input (exit 2, as in every command)" 2 "nonexistent.csv"
printf 'userId,movieId,rating\nu1,m1,4\nu2,m2,oops\n' >"$WORK/bad.csv"
run "$ALSTUNE" train "$WORK/bad.csv" -o "$WORK/x"
expect_fail "a malformed line is reported as path:line" 2 "bad.csv:3"
check "nothing was written for bad input" '[ ! -e "$WORK/x" ]'

run "$ALSTUNE" train "$D" --rank 3 --regParam 0 -o "$WORK/x"
expect_fail "regParam 0 with a row of fewer ratings than rank is a numerical failure" 4 "singular.*regParam"
check "nothing was written after the numerical failure" '[ ! -e "$WORK/x" ]'

run "$ALSTUNE" train --help
check "--help documents every option" \
    'for o in --rank --regParam --maxIter --implicitPrefs --alpha --nonnegative --bias --solver --cgSteps --seed --threads --input-format --out --quiet; do printf "%s" "$OUT" | grep -q -- "$o" || exit 1; done'

# ---- ml-100k ----
U=$SHARED_DATA/ml-100k/u.data
if [ -f "$U" ]; then
    run "$ALSTUNE" train "$U" --rank 10 --regParam 0.1 --maxIter 5 -o "$WORK/ml"
    last=$(printf "%s\n" "$ERR" | grep "^iteration 5 " | awk '{print $4}')
    check "ml-100k trains (943 users, 1682 movies) to a train RMSE below 0.85" \
        '[ $RC = 0 ] && [ "$(wc -l <"$WORK/ml/user_ids.txt")" = 943 ] && [ "$(wc -l <"$WORK/ml/item_ids.txt")" = 1682 ] && awk -v r="$last" "BEGIN{exit !(r > 0.3 && r < 0.85)}"'
    run "$ALSTUNE" train "$U" --rank 12 --maxIter 2 --threads 1 -q -o "$WORK/ml1"
    run "$ALSTUNE" train "$U" --rank 12 --maxIter 2 --threads 2 -q -o "$WORK/ml2"
    check "ml-100k factors are identical with 1 and 2 threads" \
        'cmp -s "$WORK/ml1/user_factors.npy" "$WORK/ml2/user_factors.npy" && cmp -s "$WORK/ml1/item_factors.npy" "$WORK/ml2/item_factors.npy"'
else
    skip "ml-100k trains" "ml-100k not found at $U"
    skip "ml-100k factors are identical with 1 and 2 threads" "ml-100k not found at $U"
fi
finish
