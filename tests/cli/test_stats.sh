#!/bin/sh
# `alstune stats`: hand-computed numbers on the tiny fixtures, the three output formats, and on
# MovieLens 100k the sizes plus numbers recomputed here with awk (skipped when the data is absent).
. "$(dirname "$0")/lib.sh"

FIX=$TOP_SRCDIR/tests/fixtures/data
csv_value() { printf '%s\n' "$OUT" | awk -F, -v m="$1" '$1 == m { sub(/^[^,]*,/, ""); print }'; }
HAVE_PY=no
command -v python3 >/dev/null 2>&1 && HAVE_PY=yes
json_ok() { printf '%s' "$OUT" | python3 -c 'import json, sys; json.load(sys.stdin)'; }

# ---- tiny fixtures: u1 m1 5, u1 m2 3, u2 m1 4, u3 m3 1, u3 m1 2, u2 m5 4 ----------------------
run "$ALSTUNE" stats "$FIX/tiny.csv" --movies "$FIX/tiny_movies.csv" --format csv --top 1
check "tiny: exit 0, csv header" '[ $RC = 0 ] && [ "$(printf "%s\n" "$OUT" | head -n 1)" = "metric,value" ]'
check "tiny: 6 ratings, 3 users, 4 movies" '[ "$(csv_value ratings)" = 6 ] && [ "$(csv_value users)" = 3 ] && [ "$(csv_value movies)" = 4 ]'
check "tiny: sparsity 1 - 6/12 = 0.5" '[ "$(csv_value sparsity)" = 0.5 ]'
check "tiny: histogram 1,1,1,2,1" '[ "$(csv_value count_rating_1)$(csv_value count_rating_2)$(csv_value count_rating_3)$(csv_value count_rating_4)$(csv_value count_rating_5)" = 11121 ]'
check "tiny: ratings per movie min 1, median 1, max 3" '[ "$(csv_value ratings_per_movie_min)/$(csv_value ratings_per_movie_median)/$(csv_value ratings_per_movie_max)" = 1/1/3 ]'
check "tiny: most-rated movie m1 (3 ratings, titled)" '[ "$(csv_value top_1_movie)" = m1 ] && [ "$(csv_value top_1_ratings)" = 3 ] && [ "$(csv_value top_1_title)" = "Alpha (2001)" ]'
check "tiny: --top 1 lists one movie" '[ -z "$(csv_value top_2_movie)" ]'
check "tiny: genres Drama 4 ratings/2 movies, Comedy 3/2" '[ "$(csv_value genre_Drama_ratings)/$(csv_value genre_Drama_movies)/$(csv_value genre_Comedy_ratings)/$(csv_value genre_Comedy_movies)" = 4/2/3/2 ]'
check "tiny: m4 never rated, m5 not in the catalogue" '[ "$(csv_value catalogue_unrated)" = 1 ] && [ "$(csv_value rated_not_in_catalogue)" = 1 ]'

run "$ALSTUNE" stats "$FIX/tiny.csv" --movies "$FIX/tiny_movies.csv"
check "tiny text: readable lines" 'printf "%s" "$OUT" | grep -q "^ratings  *6$" && printf "%s" "$OUT" | grep -q "^catalogue .*1 never rated" && printf "%s" "$OUT" | grep -q "Alpha (2001)"'

run "$ALSTUNE" stats "$FIX/tiny.csv" --movies "$FIX/tiny_movies.csv" --format json
if [ "$HAVE_PY" = yes ]; then
    check "tiny json: valid JSON" json_ok
    check "tiny json: values" '[ "$(printf "%s" "$OUT" | python3 -c "import json,sys; j=json.load(sys.stdin); print(j[\"ratings\"], j[\"users\"], j[\"top_movies\"][0][\"title\"], j[\"catalogue\"][\"unrated_ids\"])")" = "6 3 Alpha (2001) ['"'m4'"']" ]'
else
    skip "tiny json: valid JSON" "python3 not installed"
    skip "tiny json: values" "python3 not installed"
fi

run "$ALSTUNE" stats "$FIX/u.item"
check "a movies file given as DATA is rejected with a line number" '[ $RC = 2 ] && printf "%s" "$ERR" | grep -q "^$FIX/u.item:1: error: expected fields separated by"'

for f in ratings.csv ratings_crlf.csv ratings.dat sample_movielens_ratings.txt u.data; do
    run "$ALSTUNE" stats "$FIX/$f" --format csv
    n=$(awk 'NF && !/userId/' "$FIX/$f" | wc -l)
    check "$f: all $n ratings read" '[ $RC = 0 ] && [ "$(csv_value ratings)" = "$n" ]'
done
run "$ALSTUNE" stats "$FIX/generic.tsv" --user-col customer --item-col product --format csv
check "generic TSV with named columns" '[ $RC = 0 ] && [ "$(csv_value format)" = tsv ] && [ "$(csv_value users)" = 2 ] && [ "$(csv_value rating_mean)" = 2.5 ]'
run "$ALSTUNE" stats "$FIX/ratings.dat" --input-format csv
check "--input-format overrides detection" '[ $RC = 2 ] && printf "%s" "$ERR" | grep -q "ratings.dat:1: error: expected at least 3 fields"'

# ---- MovieLens 100k ------------------------------------------------------------------------
UDATA=$SHARED_DATA/ml-100k/u.data
UITEM=$SHARED_DATA/ml-100k/u.item
if [ ! -r "$UDATA" ] || [ ! -r "$UITEM" ]; then
    for t in sizes mean five-star per-user most-rated title json text; do
        skip "ml-100k $t" "MovieLens 100k not found in $SHARED_DATA/ml-100k"
    done
    finish
    exit $?
fi

run "$ALSTUNE" stats "$UDATA" --movies "$UITEM" --format csv
check "ml-100k: 100000 ratings, 943 users, 1682 movies" '[ $RC = 0 ] && [ "$(csv_value ratings)" = 100000 ] && [ "$(csv_value users)" = 943 ] && [ "$(csv_value movies)" = 1682 ]'
mean=$(awk -F'\t' '{ s += $3 } END { printf "%.6f", s / NR }' "$UDATA")
check "ml-100k: mean rating $mean (awk)" '[ "$(printf "%.6f" "$(csv_value rating_mean)")" = "$mean" ]'
fives=$(awk -F'\t' '$3 == 5' "$UDATA" | wc -l)
check "ml-100k: $fives five-star ratings (awk)" '[ "$(csv_value count_rating_5)" = "$fives" ]'
umin=$(awk -F'\t' '{ c[$1]++ } END { m = 1e9; for (u in c) if (c[u] < m) m = c[u]; print m }' "$UDATA")
umax=$(awk -F'\t' '{ c[$1]++ } END { m = 0; for (u in c) if (c[u] > m) m = c[u]; print m }' "$UDATA")
check "ml-100k: ratings per user min $umin, max $umax (awk)" '[ "$(csv_value ratings_per_user_min)" = "$umin" ] && [ "$(csv_value ratings_per_user_max)" = "$umax" ]'
top=$(awk -F'\t' '{ c[$2]++ } END { for (i in c) print c[i], i }' "$UDATA" | sort -k1,1nr -k2,2n | head -n 1)
topn=${top% *}
topid=${top#* }
check "ml-100k: most-rated movie $topid with $topn ratings (awk), i.e. 50" '[ "$topid" = 50 ] && [ "$(csv_value top_1_movie)" = "$topid" ] && [ "$(csv_value top_1_ratings)" = "$topn" ]'
title=$(awk -F'|' -v id="$topid" '$1 == id { print $2 }' "$UITEM")
check "ml-100k: its u.item title is '$title' (Star Wars)" '[ "$title" = "Star Wars (1977)" ] && [ "$(csv_value top_1_title)" = "$title" ]'
drama=$(awk -F'|' 'NR == FNR { if ($14 == 1) d[$1] = 1; next } ($2 in d) { n++ } END { print n }' "$UITEM" FS='\t' "$UDATA")
check "ml-100k: $drama Drama ratings (awk)" '[ "$(csv_value genre_Drama_ratings)" = "$drama" ]'
check "ml-100k: every catalogue movie rated" '[ "$(csv_value catalogue_unrated)" = 0 ] && [ "$(csv_value rated_not_in_catalogue)" = 0 ]'

run "$ALSTUNE" stats "$UDATA" --movies "$UITEM" --format json --top 5
if [ "$HAVE_PY" = yes ]; then
    check "ml-100k: json valid, Latin-1 titles converted to UTF-8" 'json_ok && printf "%s" "$OUT" | python3 -c "import json,sys; j=json.load(sys.stdin); assert j[\"ratings\"] == 100000 and len(j[\"top_movies\"]) == 5"'
else
    skip "ml-100k: json valid" "python3 not installed"
fi
run "$ALSTUNE" stats "$UDATA" --movies "$UITEM"
check "ml-100k text: Star Wars first in the top list" 'printf "%s\n" "$OUT" | grep -A2 "most-rated" | grep -q "50 .*Star Wars (1977)"'
finish
