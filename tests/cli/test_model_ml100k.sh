#!/bin/sh
# CLI on real MovieLens 100k: a model refit by `alstune tune` on all ratings, then recommend,
# similar, foldin, predict and evaluate on it.  The end-to-end fold-in check: folding in user
# 196's own ratings gives the same recommendations as `recommend --user 196`.
. "$(dirname "$0")/lib.sh"
D=$SHARED_DATA/ml-100k
if [ ! -f "$D/u.data" ] || [ ! -f "$D/u.item" ]; then
    skip "ml-100k end to end" "MovieLens 100k not found in $D"
    finish
    exit 0
fi
cat >"$WORK/all.yaml" <<EOF
name: all
data:
  ratings: $D/u.data
  movies: $D/u.item
split:
  testFraction: 0
  numFolds: 2
  seed: 42
als:
  rank: [10]
  regParam: [0.1]
  maxIter: [10]
  seed: 42
metric: rmse
EOF
run "$ALSTUNE_HEAVY" tune "$WORK/all.yaml" --out "$WORK/res" --quiet --threads 2
if [ "$RC" != 0 ] || [ ! -f "$WORK/res/model/model.yaml" ]; then
    check "tune writes a model folder" 'false'
    finish
    exit 1
fi
M=$WORK/res/model
nl='
'
run "$ALSTUNE" recommend "$M" --all-users -k 10 --format csv --threads 2
check "--all-users: 943 users x 10 movies" '[ $RC = 0 ] && [ "$(printf "%s\n" "$OUT" | tail -n +2 | wc -l)" = 9430 ]'
check "  ... no user is recommended a movie they rated" \
    '[ -z "$(printf "%s\n" "$OUT" | tail -n +2 | cut -d, -f1,3 | tr , "\t" | awk -F"\t" "NR==FNR{r[\$1\"\t\"\$2]=1;next} (\$1\"\t\"\$2) in r" "$D/u.data" -)" ]'
check "  ... scores are non-increasing within each user" \
    '[ -z "$(printf "%s\n" "$OUT" | tail -n +2 | awk -F, "\$1==u && \$4>p+1e-9 {print} {u=\$1; p=\$4}")" ]'

run "$ALSTUNE" recommend "$M" --all-users -k 10 --format csv --threads 1
ONE=$OUT
run "$ALSTUNE" recommend "$M" --all-users -k 10 --format csv --threads 2
check "--all-users output is identical for 1 and 2 threads" '[ "$OUT" = "$ONE" ]'

run "$ALSTUNE" similar "$M" --item 50 -k 5 --movies "$D/u.item" --format csv
check "movies similar to Star Wars include The Empire Strikes Back (172)" \
    '[ $RC = 0 ] && printf "%s\n" "$OUT" | grep -q "^50,[1-5],172,.*Empire Strikes Back"'

(echo movieId,rating; awk -F'\t' '$1==196 {print $2 "," $3}' "$D/u.data") >"$WORK/u196.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/u196.csv" -k 10 --format csv
FOLD=$(printf "%s\n" "$OUT" | tail -n +2 | cut -d, -f2,3)
run "$ALSTUNE" recommend "$M" --user 196 -k 10 --format csv
REC=$(printf "%s\n" "$OUT" | tail -n +2 | cut -d, -f3,4)
check "fold-in of user 196's ratings recommends what the model recommends for 196" \
    '[ "$(printf "%s\n" "$FOLD" | cut -d, -f1)" = "$(printf "%s\n" "$REC" | cut -d, -f1)" ] && [ -z "$(printf "%s\n%s\n" "$FOLD" "$REC" | awk -F, "NR<=10{s[NR]=\$2;next} { d=s[NR-10]-\$2; if (d<0) d=-d; if (d>1e-5) print }")" ]'

run "$ALSTUNE" evaluate "$M" "$D/u.data" --metric rmse,ndcg@10 --format csv
check "training RMSE of a rank-10 model on ml-100k is between 0.6 and 0.85" \
    '[ $RC = 0 ] && printf "%s\n" "$OUT" | awk -F, "\$1==\"rmse\" {exit !(\$2>0.6 && \$2<0.85)}"'
# The same end-to-end fold-in check on models from `alstune train`: implicit, nonnegative, bias.
for opts in "--implicitPrefs --alpha 2" "--nonnegative" "--bias"; do
    # shellcheck disable=SC2086
    run "$ALSTUNE" train "$D/u.data" --rank 8 --maxIter 6 --seed 1 --quiet $opts -o "$WORK/m2"
    if [ "$RC" != 0 ]; then
        check "train $opts" 'false'
        continue
    fi
    run "$ALSTUNE" foldin "$WORK/m2" --ratings "$WORK/u196.csv" -k 10 --format csv
    FOLD=$(printf "%s\n" "$OUT" | tail -n +2 | cut -d, -f2,3)
    run "$ALSTUNE" recommend "$WORK/m2" --user 196 -k 10 --format csv
    REC=$(printf "%s\n" "$OUT" | tail -n +2 | cut -d, -f3,4)
    check "train $opts: fold-in of user 196 matches recommend --user 196" \
        '[ -n "$FOLD" ] && [ "$(printf "%s\n" "$FOLD" | cut -d, -f1)" = "$(printf "%s\n" "$REC" | cut -d, -f1)" ] && [ -z "$(printf "%s\n%s\n" "$FOLD" "$REC" | awk -F, "NR<=10{s[NR]=\$2;next} { d=s[NR-10]-\$2; if (d<0) d=-d; if (d>1e-4) print }")" ]'
done
finish
