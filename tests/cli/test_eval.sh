#!/bin/sh
# One evaluator (als_eval): best.yaml's holdout metrics equal `alstune evaluate model/ holdout.csv`
# on the same split, for every metric of the test section, exactly (the same doubles: the tuner and
# evaluate run the same code on the same ratings in the same order; best.yaml prints the shortest
# round-trip form, evaluate --format csv %.17g, and awk compares them as doubles).
. "$(dirname "$0")/lib.sh"

# holdout_matches NAME DIR EVALUATE-OPTIONS...: tune wrote DIR with --save-holdout; compare every
# field of best.yaml's test section with evaluate's output and summary line.
holdout_matches() {
    hname=$1 dir=$2
    shift 2
    line=$(grep '^test: {' "$dir/best.yaml")
    metric=$(printf '%s\n' "$line" | sed 's/.* metric: \([^,]*\),.*/\1/')
    run "$ALSTUNE" evaluate "$dir/model" "$dir/holdout.csv" --metric "rmse,mae,mse,r2,$metric" --format csv "$@"
    check "$hname: evaluate runs on model/ and holdout.csv" '[ $RC = 0 ]'
    printf '%s\n' "$OUT" >"$WORK/eval.csv"
    printf '%s\n' "$line" | sed 's/^test: {//; s/}$//' | tr ',' '\n' | sed 's/^ *//; s/: /,/' >"$WORK/best.kv"
    for key in rmse mae mse r2 value; do
        want=$(grep "^$key," "$WORK/best.kv" | cut -d, -f2)
        ekey=$key
        [ "$key" = value ] && ekey=$metric
        got=$(grep "^$ekey," "$WORK/eval.csv" | cut -d, -f2)
        check "$hname: best.yaml test $key ($ekey) $want = evaluate's $got" \
            '[ -n "$want" ] && [ -n "$got" ] && awk -v a="$want" -v b="$got" "BEGIN { a = tolower(a); b = tolower(b); exit !((a == \"nan\" && b == \"nan\") || (a + 0 == b + 0 && a != \"nan\")) }"'
    done
    n_test=$(grep '^n_test,' "$WORK/best.kv" | cut -d, -f2)
    n_dropped=$(grep '^n_dropped,' "$WORK/best.kv" | cut -d, -f2)
    check "$hname: n_test $n_test and n_dropped $n_dropped as evaluate counts them" \
        'printf "%s" "$ERR" | grep -q "evaluate: $n_test rows, $n_dropped cold-start"'
}

# 1. explicit, rmse, coldStartStrategy drop; a random split leaves some cold test ratings
cat >"$WORK/ex.yaml" <<'EOY'
name: ex
data:
  synthetic: {preset: ml-100k, seed: 3, users: 300, items: 400, ratings: 6000, min_per_user: 5}
split: {testFraction: 0.25, numFolds: 2, seed: 5}
als: {rank: [3, 5], regParam: [0.05, 0.2], maxIter: 4, seed: 1}
metric: rmse
EOY
run "$ALSTUNE" tune "$WORK/ex.yaml" --out "$WORK/ex" --quiet --no-report --save-holdout
check "tune --save-holdout writes holdout.csv with a header and n_test rows" \
    '[ $RC = 0 ] && [ "$(head -1 "$WORK/ex/holdout.csv")" = "userId,movieId,rating" ] &&
     [ $(($(wc -l < "$WORK/ex/holdout.csv") - 1)) = "$(sed -n "s/^test: {n_test: \([0-9]*\),.*/\1/p" "$WORK/ex/best.yaml")" ]'
check "the holdout has cold ratings (so cold start is exercised)" 'grep -q "n_dropped: [1-9]" "$WORK/ex/best.yaml"'
holdout_matches "explicit rmse drop" "$WORK/ex"
run "$ALSTUNE" tune "$WORK/ex.yaml" --out "$WORK/ex-no" --quiet --no-report
check "without --save-holdout no holdout.csv" '[ $RC = 0 ] && [ ! -e "$WORK/ex-no/holdout.csv" ]'
check "holdout.csv does not change the other outputs" \
    'for f in folds.csv summary.csv best.yaml model/user_factors.npy; do cmp -s "$WORK/ex/$f" "$WORK/ex-no/$f" || exit 1; done'

# 2. bias model, coldStartStrategy mean, map over rankingK 5 at relevanceThreshold 3.5
cat >"$WORK/bm.yaml" <<'EOY'
name: bm
data:
  synthetic: {preset: ml-100k, seed: 4, users: 250, items: 300, ratings: 6000, min_per_user: 5}
split: {testFraction: 0.2, numFolds: 2, seed: 6}
als: {rank: 4, regParam: [0.1], maxIter: 5, bias: true, coldStartStrategy: mean}
metric: map
rankingK: 5
relevanceThreshold: 3.5
EOY
run "$ALSTUNE" tune "$WORK/bm.yaml" --out "$WORK/bm" --quiet --no-report --save-holdout
check "tune the bias/mean/map experiment" '[ $RC = 0 ]'
holdout_matches "bias mean map" "$WORK/bm" --cold-start mean -k 5 --threshold 3.5

# 3. implicit feedback, ndcg@10, per-user split
cat >"$WORK/im.yaml" <<'EOY'
name: im
data:
  synthetic: {preset: msd, seed: 7, users: 300, items: 250, ratings: 9000, min_per_user: 10}
split: {testFraction: 0.2, numFolds: 2, scheme: per_user, seed: 42}
als: {implicitPrefs: true, rank: [4, 6], regParam: 0.1, alpha: [1, 10], maxIter: 4}
metric: ndcg@10
EOY
run "$ALSTUNE" tune "$WORK/im.yaml" --out "$WORK/im" --quiet --no-report --save-holdout --threads 2
check "tune the implicit experiment" '[ $RC = 0 ]'
holdout_matches "implicit ndcg@10" "$WORK/im"
run "$ALSTUNE" evaluate "$WORK/im/model" "$WORK/im/holdout.csv" --metric ndcg@10,map,auc --format csv --threads 1
one=$OUT
run "$ALSTUNE" evaluate "$WORK/im/model" "$WORK/im/holdout.csv" --metric ndcg@10,map,auc --format csv --threads 2
check "evaluate's ranking metrics do not depend on --threads" '[ $RC = 0 ] && [ -n "$one" ] && [ "$OUT" = "$one" ]'
for m in auc mpr precision@5 recall@20; do
    sed "s/^metric: .*/metric: $m/" "$WORK/im.yaml" >"$WORK/im2.yaml"
    run "$ALSTUNE" tune "$WORK/im2.yaml" --out "$WORK/im-$m" --quiet --no-report --save-holdout
    check "tune the implicit experiment with $m" '[ $RC = 0 ]'
    holdout_matches "implicit $m" "$WORK/im-$m"
done

# 4. coldStartStrategy nan: NaN in both
sed 's/^als: {rank: \[3, 5\], regParam: \[0.05, 0.2\], maxIter: 4, seed: 1}/als: {rank: 3, regParam: 0.1, maxIter: 3, coldStartStrategy: nan}/; s/^metric: rmse/metric: ndcg@5/' \
    "$WORK/ex.yaml" >"$WORK/nan.yaml"
run "$ALSTUNE" tune "$WORK/nan.yaml" --out "$WORK/nan" --quiet --no-report --save-holdout
check "tune with coldStartStrategy nan" '[ $RC = 0 ] && grep -q "rmse: nan" "$WORK/nan/best.yaml"'
holdout_matches "coldStartStrategy nan" "$WORK/nan" --cold-start nan

# 5. the real MovieLens 100k, as in the README's flow
if [ -f "$SHARED_DATA/ml-100k/u.data" ]; then
    cat >"$WORK/ml.yaml" <<EOY
name: ml
data:
  ratings: $SHARED_DATA/ml-100k/u.data
split: {testFraction: 0.2, numFolds: 2, seed: 42}
als: {rank: 8, regParam: [0.1], maxIter: 4}
metric: ndcg@10
EOY
    run "$ALSTUNE" tune "$WORK/ml.yaml" --out "$WORK/ml" --quiet --no-report --save-holdout
    check "tune on ml-100k" '[ $RC = 0 ]'
    holdout_matches "ml-100k ndcg@10" "$WORK/ml"
else
    skip "ml-100k holdout" "no $SHARED_DATA/ml-100k"
fi

finish
