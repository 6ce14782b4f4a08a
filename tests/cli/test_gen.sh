#!/bin/sh
# alstune gen: files, sizes, determinism (also across thread counts), value ranges, distinct pairs,
# minimum ratings per user, and bad options (exit 2, nothing written).
. "$(dirname "$0")/lib.sh"

W=$WORK

run "$ALSTUNE" gen --seed 7 -o "$W/a"
check "gen ml-100k exits 0" '[ $RC = 0 ] && [ -f "$W/a/ratings.csv" ] && [ -f "$W/a/movies.csv" ]'
check "summary line names the files" 'printf "%s" "$OUT" | grep -q "wrote 100000 ratings (943 users, 1682 movies"'
check "ratings.csv header" '[ "$(head -n 1 "$W/a/ratings.csv")" = "userId,movieId,rating,timestamp" ]'
check "ratings.csv has 100000 rows" '[ "$(wc -l < "$W/a/ratings.csv")" -eq 100001 ]'
check "movies.csv header and 1682 rows" '[ "$(head -n 1 "$W/a/movies.csv")" = "movieId,title,genres" ] && [ "$(wc -l < "$W/a/movies.csv")" -eq 1683 ]'
check "943 users, 1682 movies rated" '[ "$(tail -n +2 "$W/a/ratings.csv" | cut -d, -f1 | sort -u | wc -l)" -eq 943 ] && [ "$(tail -n +2 "$W/a/ratings.csv" | cut -d, -f2 | sort -u | wc -l)" -eq 1682 ]'
check "every user has at least 20 ratings" \
    '[ "$(tail -n +2 "$W/a/ratings.csv" | awk -F, "{c[\$1]++} END {m = 1e9; for (u in c) if (c[u] < m) m = c[u]; print m}")" -ge 20 ]'
check "ratings are whole stars 1..5" \
    '[ "$(tail -n +2 "$W/a/ratings.csv" | awk -F, "\$3 !~ /^[1-5]\$/ {bad++} END {print bad + 0}")" -eq 0 ]'
check "no duplicate (user, movie) pairs" '[ -z "$(tail -n +2 "$W/a/ratings.csv" | cut -d, -f1,2 | sort | uniq -d | head -n 1)" ]'
check "titles look like MovieLens" 'sed -n 2p "$W/a/movies.csv" | grep -Eq "^1,Synthetic Movie 1 \([0-9]{4}\),[A-Z]"'

run "$ALSTUNE" gen --seed 7 -o "$W/b" --quiet
check "same seed: identical ratings.csv" 'cmp -s "$W/a/ratings.csv" "$W/b/ratings.csv"'
check "same seed: identical movies.csv" 'cmp -s "$W/a/movies.csv" "$W/b/movies.csv"'
check "--quiet prints nothing" '[ -z "$OUT" ]'

run env OMP_NUM_THREADS=1 "$ALSTUNE" gen --seed 7 -o "$W/c" -q
check "one thread gives the same bytes" '[ $RC = 0 ] && cmp -s "$W/a/ratings.csv" "$W/c/ratings.csv"'

run "$ALSTUNE" gen --seed 8 -o "$W/d" -q
check "different seed: different ratings" '[ $RC = 0 ] && ! cmp -s "$W/a/ratings.csv" "$W/d/ratings.csv"'

run "$ALSTUNE" gen --users 50 --items 80 --ratings 2000 --rank 4 --noise 0.3 --min-per-user 25 -s 3 -o "$W/e"
check "custom sizes: exact row count" '[ $RC = 0 ] && [ "$(wc -l < "$W/e/ratings.csv")" -eq 2001 ]'
check "custom sizes: 50 users, each >= 25 ratings" \
    '[ "$(tail -n +2 "$W/e/ratings.csv" | awk -F, "{c[\$1]++} END {n = 0; m = 1e9; for (u in c) {n++; if (c[u] < m) m = c[u]}; print n, (m >= 25)}")" = "50 1" ]'

run "$ALSTUNE" gen --preset msd --users 300 --items 200 --ratings 6000 -s 1 -o "$W/f"
check "msd: play counts are integers >= 1" \
    '[ $RC = 0 ] && [ "$(tail -n +2 "$W/f/ratings.csv" | awk -F, "\$3 !~ /^[1-9][0-9]*\$/ {bad++} END {print bad + 0}")" -eq 0 ]'
check "msd: some counts above 5 (heavy tail)" '[ "$(tail -n +2 "$W/f/ratings.csv" | awk -F, "\$3 > 5" | wc -l)" -gt 0 ]'
run "$ALSTUNE" gen --users 30 --items 40 --ratings 900 --implicit -s 1 -o "$W/g" -q
check "--implicit on a custom size" '[ $RC = 0 ] && [ "$(wc -l < "$W/g/ratings.csv")" -eq 901 ]'

# ---- bad options: exit 2 with a message, nothing written
run "$ALSTUNE" gen --preset ml-10m -o "$W/x1"
expect_fail "unknown preset" 2 "unknown preset 'ml-10m'"
check "unknown preset writes nothing" '[ ! -e "$W/x1" ]'
run "$ALSTUNE" gen --users 10 --items 10 --ratings 101 --min-per-user 0 -o "$W/x2"
expect_fail "more ratings than pairs" 2 "must not exceed users"
check "inconsistent sizes write nothing" '[ ! -e "$W/x2" ]'
run "$ALSTUNE" gen --users 10 --items 100 --ratings 150 -o "$W/x3"
expect_fail "min-per-user times users above ratings" 2 "exceeds ratings"
run "$ALSTUNE" gen --ratings 0 -o "$W/x4"
expect_fail "--ratings 0" 2 "--ratings expects an integer"
run "$ALSTUNE" gen --rank abc -o "$W/x5"
expect_fail "--rank abc" 2 "--rank expects an integer"
run "$ALSTUNE" gen --noise -1 -o "$W/x6"
expect_fail "--noise -1" 2 "--noise expects a number"
run "$ALSTUNE" gen --seed 1
expect_fail "missing -o" 2 "missing -o DIR"
run "$ALSTUNE" gen --frobnicate -o "$W/x7"
expect_fail "unknown option" 2 "unknown option '--frobnicate'"
run "$ALSTUNE" gen -o "$W/x8" extra
expect_fail "stray argument" 2 "unexpected argument 'extra'"
run "$ALSTUNE" gen --seed
expect_fail "option without its value" 2 "needs a value"
: > "$W/file"
run "$ALSTUNE" gen -o "$W/file/sub"
expect_fail "output under a regular file is an I/O error" 3 "error"
finish
