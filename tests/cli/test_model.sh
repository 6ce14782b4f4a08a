#!/bin/sh
# CLI: recommend, similar, foldin, predict, evaluate on a hand-made rank-2 model whose every
# output is computed by hand below (tests/mkmodel writes the folder).
. "$(dirname "$0")/lib.sh"
MKMODEL=$(dirname "$ALSTUNE")/tests/mkmodel

# users u1 (1,0), u2 (0,1), u3 (1,1); movies 10 (5,0), 20 (4,1), 30 (1,3), 40 (0,2)
# predictions x_u.y_i:   10  20  30  40
#                   u1    5   4   1   0
#                   u2    0   1   3   2
#                   u3    5   5   4   2
# training (seen): u1-10 5, u2-30 3, u3-20 4, u3-40 2 (mean 3.5)
cat >"$WORK/spec" <<'EOF'
rank 2
param regParam 0.1
user 1 1 0
user 2 0 1
user 3 1 1
item 10 5 0
item 20 4 1
item 30 1 3
item 40 0 2
seen 1 10 5
seen 2 30 3
seen 3 20 4
seen 3 40 2
EOF
M=$WORK/model
"$MKMODEL" "$M" <"$WORK/spec" || { echo "Bail out! mkmodel failed"; exit 1; }
cat >"$WORK/movies.csv" <<'EOF'
movieId,title,genres
10,"Alpha, The (1999)",Drama
20,Beta (2001),Comedy|Drama
30,Gamma (2002),Horror
40,Delta (2003),(no genres listed)
EOF

nl='
'
# ---- recommend ----------------------------------------------------------------------------
run "$ALSTUNE" recommend "$M" --user 1 -k 2 --format csv
check "recommend excludes seen: u1 gets 20 (4) then 30 (1)" \
    '[ $RC = 0 ] && [ "$OUT" = "userId,rank,movieId,score${nl}1,1,20,4${nl}1,2,30,1" ]'

run "$ALSTUNE" recommend "$M" --user 1 -k 2 --format csv --include-seen
check "--include-seen keeps the rated 10 (5)" '[ "$OUT" = "userId,rank,movieId,score${nl}1,1,10,5${nl}1,2,20,4" ]'

run "$ALSTUNE" recommend "$M" --user 3 -k 2 --format csv --include-seen
check "ties (10 and 20 both 5) are broken by model row" '[ "$OUT" = "userId,rank,movieId,score${nl}3,1,10,5${nl}3,2,20,5" ]'

run "$ALSTUNE" recommend "$M" --user 3 --user 2 -k 5 --format csv
check "repeated --user, k larger than the candidates: u3 10 30, u2 20 40 10" \
    '[ "$OUT" = "userId,rank,movieId,score${nl}3,1,10,5${nl}3,2,30,4${nl}2,1,40,2${nl}2,2,20,1${nl}2,3,10,0" ]'

run "$ALSTUNE" recommend "$M" --user 2,nobody,1 -k 1 --format csv
check "unknown id: one message, the others served, exit 0" \
    '[ $RC = 0 ] && [ "$OUT" = "userId,rank,movieId,score${nl}2,1,40,2${nl}1,1,20,4" ] && [ "$(printf "%s\n" "$ERR" | grep -c "unknown user id .nobody.")" = 1 ]'

run "$ALSTUNE" recommend "$M" --user nobody,ghost
expect_fail "only unknown ids: exit 2, both named" 2 "unknown user id 'ghost'"
check "  ... and nothing on stdout" '[ -z "$OUT" ] && printf "%s" "$ERR" | grep -q "unknown user id .nobody."'

run "$ALSTUNE" recommend "$M" --all-users -k 1 --format csv --threads 2
check "--all-users: one line per user" '[ "$OUT" = "userId,rank,movieId,score${nl}1,1,20,4${nl}2,1,40,2${nl}3,1,10,5" ]'

printf '# users\n3\n\n1\n' >"$WORK/users.txt"
run "$ALSTUNE" recommend "$M" --users "$WORK/users.txt" -k 1 --format csv
check "--users FILE (comments and blank lines skipped)" '[ "$OUT" = "userId,rank,movieId,score${nl}3,1,10,5${nl}1,1,20,4" ]'

run "$ALSTUNE" recommend "$M" --item 30 -k 2 --format csv
check "--item: top users for movie 30 excluding u2 who rated it" '[ "$OUT" = "movieId,rank,userId,score${nl}30,1,3,4${nl}30,2,1,1" ]'

run "$ALSTUNE" recommend "$M" --all-items -k 1 --format csv --include-seen
check "--all-items --include-seen" '[ "$OUT" = "movieId,rank,userId,score${nl}10,1,1,5${nl}20,1,3,5${nl}30,1,3,4${nl}40,1,2,2" ]'

run "$ALSTUNE" recommend "$M" --user 1 -k 2 --movies "$WORK/movies.csv" --format csv
check "--movies adds title and genres (quoted when needed)" \
    '[ "$OUT" = "userId,rank,movieId,score,title,genres${nl}1,1,20,4,Beta (2001),Comedy|Drama${nl}1,2,30,1,Gamma (2002),Horror" ]'

run "$ALSTUNE" recommend "$M" --user 1 -k 1 --movies "$WORK/movies.csv"
check "text output names the user, movie, score and title" \
    'printf "%s" "$OUT" | grep -q "^userId 1: top 1 movies" && printf "%s" "$OUT" | grep -Eq "1\. 20 +4\.0000  Beta \(2001\)  \[Comedy\|Drama\]"'

run "$ALSTUNE" recommend "$M" --user 1 -k 2 --format json --movies "$WORK/movies.csv"
check "json output" 'printf "%s" "$OUT" | tr -d " \n" | grep -qF "[{\"userId\":\"1\",\"recommendations\":[{\"movieId\":\"20\",\"score\":4,\"title\":\"Beta(2001)\",\"genres\":\"Comedy|Drama\"},{\"movieId\":\"30\",\"score\":1,"'

run "$ALSTUNE" recommend "$M" --all-users -k 1 --format csv -o "$WORK/recs.csv"
check "-o writes the file and nothing to stdout, no temporary left" \
    '[ $RC = 0 ] && [ -z "$OUT" ] && [ "$(sed -n 2p "$WORK/recs.csv")" = "1,1,20,4" ] && [ -z "$(ls "$WORK" | grep tmp)" ]'

run "$ALSTUNE" recommend "$M"
expect_fail "recommend without a target is a usage error" 2 "--user ID"
run "$ALSTUNE" recommend "$M" --user 1 --item 10
expect_fail "users and movies together is a usage error" 2 "not both"
run "$ALSTUNE" recommend "$M" --user 1 -k 0
expect_fail "-k 0 is rejected" 2 "-k expects an integer"
run "$ALSTUNE" recommend "$M" --user 1 --format xml
expect_fail "unknown format is rejected" 2 "text, csv or json"

# ---- similar ------------------------------------------------------------------------------
# cos(10,20) = 20/(5*sqrt 17) = 0.970142500, cos(10,30) = 5/(5*sqrt 10) = 0.316227766, cos(10,40) = 0
run "$ALSTUNE" similar "$M" --item 10 --format csv
check "similar movies by cosine" \
    '[ "$OUT" = "movieId,rank,similarMovieId,similarity${nl}10,1,20,0.970142484${nl}10,2,30,0.316227764${nl}10,3,40,0" ]'
run "$ALSTUNE" similar "$M" --item 10 -k 1 --movies "$WORK/movies.csv" --format csv
check "similar with titles" '[ "$OUT" = "movieId,rank,similarMovieId,similarity,title,genres${nl}10,1,20,0.970142484,Beta (2001),Comedy|Drama" ]'
# users: cos(u1,u3) = 1/sqrt 2, cos(u1,u2) = 0
run "$ALSTUNE" similar "$M" --user 1 --format csv
check "similar users" '[ "$OUT" = "userId,rank,similarUserId,similarity${nl}1,1,3,0.707106769${nl}1,2,2,0" ]'
run "$ALSTUNE" similar "$M" --item 99
expect_fail "similar for an unknown movie is exit 2" 2 "unknown movie id '99'"

# ---- foldin -------------------------------------------------------------------------------
# ratings 10:4, 40:2, lambda 0.1, n 2: A = diag(25 + .2, 4 + .2), b = (20, 4): x = (0.793650794, 0.952380952)
# recommendations excluding 10 and 40: 20 = 4x1 + x2 = 4.12698413, 30 = x1 + 3 x2 = 3.65079365
printf 'movieId,rating\n10,4\n40,2\n999,5\n' >"$WORK/new.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/new.csv" --format csv
check "foldin recommends for the new user" '[ $RC = 0 ] && [ "$OUT" = "rank,movieId,score${nl}1,20,4.12698412${nl}2,30,3.65079355" ]'
check "  ... warning about the unknown movie with the file" 'printf "%s" "$ERR" | grep -q "new.csv: warning: movie id .999. is not in the model"'
run "$ALSTUNE" foldin "$M" --ratings "$WORK/new.csv" --print-factors -k 1
check "--print-factors prints the solved factors" '[ "$(printf "%s\n" "$OUT" | head -1)" = "factors: 0.793650806 0.952380955" ]'
printf 'userId,movieId,rating,timestamp\n7,30,5,0\n' >"$WORK/slice.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/slice.csv" --format json --print-factors -k 1
# 30 = (1,3): A = [[1.1,3],[3,9.1]] (det 1.01), b = (5,15): x = (0.5/1.01, 1.5/1.01) = (0.495049505, 1.48514851);
# best unrated: 20 = 4 x1 + x2 = 3.5/1.01 = 3.46534653
check "foldin reads a ratings.csv slice (extra columns), json" \
    'printf "%s" "$OUT" | tr -d " \n" | grep -qF "{\"rated\":1,\"factors\":[0.49504" && printf "%s" "$OUT" | grep -qF ", 1.485148" && printf "%s" "$OUT" | grep -qF "\"movieId\": \"20\", \"score\": 3.465346"'
printf 'movieId,rating\n10,4\n10,5\n' >"$WORK/dup.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/dup.csv"
expect_fail "a duplicate movie is an error with file:line" 2 "dup.csv:3: error: expected one rating per item, found a second rating for item '10' \(first at line 2\)"
printf 'movieId,grade\n10,4\n' >"$WORK/nohdr.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/nohdr.csv"
expect_fail "a header without rating is an error" 2 "nohdr.csv:1: error: expected a header naming the rating column \(rating, score, count, ...\), found 'movieId,grade'"
printf 'movieId,rating\n10,four\n' >"$WORK/badnum.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/badnum.csv"
expect_fail "a bad rating is an error with file:line" 2 "badnum.csv:2: error: expected a finite number as the rating in field 2, found 'four'"
# Regression (issue 11): foldin had its own header reader and rejected movie_id,rating, which the
# ratings loader accepts; now it reads through the loader (names compared case-insensitively).
printf 'movie_id,rating\n10,4\n40,2\n' >"$WORK/new2.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/new2.csv" --format csv
check "foldin reads a movie_id,rating header (the loader's names)" '[ $RC = 0 ] && [ "$OUT" = "rank,movieId,score${nl}1,20,4.12698412${nl}2,30,3.65079355" ]'
printf 'MovieID,Stars\n10,4\n40,2\n' >"$WORK/new3.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/new3.csv" --format csv
check "foldin: header names case-insensitive, any rating name of the loader" '[ $RC = 0 ] && [ "$OUT" = "rank,movieId,score${nl}1,20,4.12698412${nl}2,30,3.65079355" ]'
printf 'userId,movieId,rating\n7,10,4\n8,40,2\n' >"$WORK/two.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/two.csv"
expect_fail "foldin: ratings of two users are an error" 2 "two.csv: error: expected the ratings of one new user, found 2 users"
printf 'movieId,rating\n999,4\n' >"$WORK/none.csv"
run "$ALSTUNE" foldin "$M" --ratings "$WORK/none.csv"
expect_fail "no known movie: exit 2" 2 "none of the rated movies is known"

# ---- predict ------------------------------------------------------------------------------
printf 'userId,movieId,rating\n1,20,4\n2,10,1\n3,30,5\n9,10,3\n1,99,2\n' >"$WORK/test.csv"
run "$ALSTUNE" predict "$M" "$WORK/test.csv"
check "predict (cold-start drop)" '[ "$OUT" = "userId,movieId,rating,prediction${nl}1,20,4,4${nl}2,10,1,0${nl}3,30,5,4" ]'
check "  ... reports the cold rows on stderr" 'printf "%s" "$ERR" | grep -q "2 of 5 rows are cold-start (dropped)"'
run "$ALSTUNE" predict "$M" "$WORK/test.csv" --cold-start nan
check "predict --cold-start nan" '[ "$(printf "%s\n" "$OUT" | tail -2 | tr "\n" " ")" = "9,10,3,NaN 1,99,2,NaN " ]'
run "$ALSTUNE" predict "$M" "$WORK/test.csv" --cold-start mean -o "$WORK/pred.csv"
check "predict --cold-start mean writes the training mean 3.5, -o FILE" \
    '[ -z "$OUT" ] && [ "$(tail -2 "$WORK/pred.csv" | tr "\n" " ")" = "9,10,3,3.5 1,99,2,3.5 " ]'
printf 'userId,movieId\n1,20\n3,10\n1,20\n' >"$WORK/pairs.csv"
run "$ALSTUNE" predict "$M" "$WORK/pairs.csv"
# a repeated pair is one row, at its last place, as for ratings (the loader's duplicate policy)
check "predict on pairs without ratings" '[ "$OUT" = "userId,movieId,prediction${nl}3,10,5${nl}1,20,4" ] && printf "%s" "$ERR" | grep -q "1 duplicate (user, movie) pairs; the last row of each was used"'
# Regression (issue 11): predict had its own pairs reader and rejected uid,iid, which the ratings
# loader accepts; now it reads through the loader with the rating column optional.
printf 'UID,iid\n1,20\n3,10\n' >"$WORK/pairs2.csv"
run "$ALSTUNE" predict "$M" "$WORK/pairs2.csv"
check "predict reads a uid,iid header (the loader's names, case-insensitive)" '[ $RC = 0 ] && [ "$OUT" = "userId,movieId,prediction${nl}1,20,4${nl}3,10,5" ]'
printf '1,20\n3,10\n' >"$WORK/pairs3.csv"
run "$ALSTUNE" predict "$M" "$WORK/pairs3.csv"
check "predict reads headerless user,movie pairs" '[ $RC = 0 ] && [ "$OUT" = "userId,movieId,prediction${nl}1,20,4${nl}3,10,5" ]'
printf '1\t20\t4\t0\n3\t30\t5\t0\n' >"$WORK/u.data"
run "$ALSTUNE" predict "$M" "$WORK/u.data"
check "predict on u.data format" '[ "$OUT" = "userId,movieId,rating,prediction${nl}1,20,4,4${nl}3,30,5,4" ]'
run "$ALSTUNE" predict "$M" "$WORK/test.csv" --cold-start zero
expect_fail "unknown cold-start strategy" 2 "drop, nan or mean"

# ---- evaluate -----------------------------------------------------------------------------
# warm rows: (4 vs 4) (1 vs 0) (5 vs 4): mse 2/3, mae 2/3, ybar 10/3, SStot 78/9: r2 = 1 - 18/78,
# var = ((2/3)^2 + (10/3)^2 + (2/3)^2)/3 = 4
# ranking, threshold 4: u1 relevant {20}, ranked 20 30 40 (10 seen); u3 relevant {30}, ranked 10 30
#   precision@1 (1+0)/2, precision@2 (1/2+1/2)/2, recall@2 1, ndcg@2 (1 + 1/log2 3)/2 = 0.815464877
#   map over -k 2: (1 + 1/2)/2; map@1 (1+0)/2; mpr (0/2 + 1/1)/2; auc (1 + 0)/2
run "$ALSTUNE" evaluate "$M" "$WORK/test.csv" -k 2 --metric rmse,mse,mae,r2,var,precision@1,precision,recall,ndcg,map,map@1,mpr,auc
check "evaluate: every metric by hand" '[ "$OUT" = "rmse,0.816496581${nl}mse,0.666666667${nl}mae,0.666666667${nl}r2,0.769230769${nl}var,4${nl}precision@1,0.5${nl}precision@2,0.5${nl}recall@2,1${nl}ndcg@2,0.815464877${nl}map,0.75${nl}map@1,0.5${nl}mpr,0.5${nl}auc,0.5" ]'
check "  ... summary on stderr" 'printf "%s" "$ERR" | grep -q "5 rows, 2 cold-start (dropped), 2 users ranked"'
run "$ALSTUNE" evaluate "$M" "$WORK/test.csv" --threshold 5 --metric precision@1,recall@3 -k 3
# threshold 5: only u3 (30) is relevant; u3's list 10 30: precision@1 0, recall@3 1
check "--threshold changes the relevant sets" '[ "$OUT" = "precision@1,0${nl}recall@3,1" ]'
run "$ALSTUNE" evaluate "$M" "$WORK/test.csv" --cold-start mean --format csv --metric rmse,mae
# plus (3 vs 3.5) (2 vs 3.5): mse (0+1+1+.25+2.25)/5 = 0.9
check "evaluate --cold-start mean, csv with %.17g" '[ "$OUT" = "metric,value${nl}rmse,0.94868329805051377${nl}mae,0.80000000000000004" ]'
run "$ALSTUNE" evaluate "$M" "$WORK/test.csv" --cold-start nan --format json --metric rmse,ndcg@2
check "evaluate --cold-start nan gives null/NaN like Spark" '[ "$OUT" = "{\"rmse\": null, \"ndcg@2\": null}" ]'
run "$ALSTUNE" evaluate "$M" "$WORK/test.csv"
check "evaluate default metrics of an explicit model" '[ "$(printf "%s\n" "$OUT" | cut -d, -f1 | tr "\n" " ")" = "rmse mse mae r2 var " ]'
run "$ALSTUNE" evaluate "$M" "$WORK/test.csv" --metric rmse,foo
expect_fail "unknown metric" 2 "unknown metric 'foo'"
run "$ALSTUNE" evaluate "$M" "$WORK/pairs.csv"
expect_fail "evaluate needs ratings" 2 "pairs.csv:1"

# implicit model (same factors): relevant = rating > 0 whatever --threshold
sed 's/^param regParam 0.1$/param implicitPrefs 1/' "$WORK/spec" | "$MKMODEL" "$WORK/im"
printf 'userId,movieId,rating\n1,20,1\n1,30,-1\n3,30,2\n' >"$WORK/itest.csv"
run "$ALSTUNE" evaluate "$WORK/im" "$WORK/itest.csv" --metric precision@1,recall@2
# u1: relevant {20} (30 has r < 0), list 20 30 40: p@1 1; u3: relevant {30}, list 10 30: p@1 0
check "implicit model: relevant items are those with r > 0" '[ "$OUT" = "precision@1,0.5${nl}recall@2,1" ]'
run "$ALSTUNE" evaluate "$WORK/im" "$WORK/itest.csv" -k 5
check "implicit model: default metrics are the ranking ones with -k" \
    '[ "$(printf "%s\n" "$OUT" | cut -d, -f1 | tr "\n" " ")" = "precision@5 recall@5 ndcg@5 map@5 mpr auc " ]'
run "$ALSTUNE" evaluate "$M" "$WORK/itest.csv" --metric precision@1
check "explicit model, nobody relevant at threshold 4: NaN" '[ "$OUT" = "precision@1,NaN" ]'

# ---- bias model: scores include mu + b_u + b_i; cold rows ----------------------------------
cat >"$WORK/bspec" <<'EOF'
rank 1
mu 3
user a 1 0.5
user b 2 -1
user c 0.5 0.25
item x 1 0.25
item y 0 1
item z -1 0
item w 1 0.125
seen a x 4
seen b y 3
seen b z 2
EOF
"$MKMODEL" "$WORK/bm" <"$WORK/bspec"
# a: x = 3 + .5 + .25 + 1 = 4.75 (seen), y = 3 + .5 + 1 + 0 = 4.5, z = 3 + .5 + 0 - 1 = 2.5,
#    w = 3 + .5 + .125 + 1 = 4.625 but w has no training rating (cold): never recommended
run "$ALSTUNE" recommend "$WORK/bm" --user a --format csv
check "bias model: scores are mu + b_u + b_i + x.y; the cold movie w is left out" \
    '[ "$OUT" = "userId,rank,movieId,score${nl}a,1,y,4.5${nl}a,2,z,2.5" ]'
run "$ALSTUNE" recommend "$WORK/bm" --user c
expect_fail "a user without training ratings is cold: named, exit 2" 2 "user id 'c' has no training ratings in the model \(cold start\)"
run "$ALSTUNE" recommend "$WORK/bm" --all-users -k 1 --format csv
check "--all-users skips cold users with a note" \
    '[ "$OUT" = "userId,rank,movieId,score${nl}a,1,y,4.5${nl}b,1,x,4.25" ] && printf "%s" "$ERR" | grep -q "1 users without training ratings (cold start) skipped"'
printf 'userId,movieId,rating\na,x,5\nc,x,1\na,w,2\n' >"$WORK/bt.csv"
# cold-start mean for bias models: mu + the biases of the warm side: c,x = 3 + .25; a,w = 3 + .5
run "$ALSTUNE" predict "$WORK/bm" "$WORK/bt.csv" --cold-start mean
check "bias model: cold-start mean is mu plus the warm biases" \
    '[ "$OUT" = "userId,movieId,rating,prediction${nl}a,x,5,4.75${nl}c,x,1,3.25${nl}a,w,2,3.5" ]'
printf 'movieId,rating\nw,5\ny,4\n' >"$WORK/bnew.csv"
# fold-in with bias: y' = (0, 1) for y, target 4 - 3 - 1 = 0: A = [[0 + .1, 0], [0, 1 + .1]] (lambda 0.1, n 1)
# b = (0, 0) -> x = 0, b_u = 0; best unrated warm movie: x = 3 + 0 + .25 + 0 = 3.25 (w is cold: ignored)
run "$ALSTUNE" foldin "$WORK/bm" --ratings "$WORK/bnew.csv" --format csv --print-factors
expect_fail "--print-factors with csv is a usage error" 2 "text or json"
run "$ALSTUNE" foldin "$WORK/bm" --ratings "$WORK/bnew.csv" --format csv -k 1
check "foldin on a bias model ignores the cold movie and solves the bias" \
    '[ "$OUT" = "rank,movieId,score${nl}1,x,3.25" ] && printf "%s" "$ERR" | grep -q "movie id .w. has no training ratings"'

finish
