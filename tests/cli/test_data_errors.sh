#!/bin/sh
# Malformed inputs through `alstune stats`: every one exits with status 2, writes nothing on stdout,
# and prints exactly one 'path:line: error: ...' line (docs/data.md).  Then the inputs that must be
# accepted: UTF-8 BOM, no trailing newline, CRLF, --skip-bad-lines, the duplicate policies.
. "$(dirname "$0")/lib.sh"

D=$WORK
H='userId,movieId,rating,timestamp'

# expect_error NAME EXIT 'exact stderr line' — for the last run: exit status, nothing on stdout,
# stderr exactly that one line.
expect_error() {
    if [ "$RC" = "$2" ] && [ -z "$OUT" ] && [ "$ERR" = "$3" ]; then _tap 0 "$1"; else
        _tap 1 "$1" "expected exit $2, empty stdout and stderr: $3" "exit status: $RC" \
            "stdout: $(printf '%s' "$OUT" | head -c 300)" "stderr: $ERR"
    fi
}
# csv_value METRIC — value of a metric in the last run's --format csv output
csv_value() { printf '%s\n' "$OUT" | awk -F, -v m="$1" '$1 == m { print $2 }'; }

# ---- files ----------------------------------------------------------------------------------
run "$ALSTUNE" stats "$D/nope.csv"
expect_error "missing file: exit 2" 2 "$D/nope.csv: error: cannot open file: No such file or directory"

mkdir "$D/dir"
run "$ALSTUNE" stats "$D/dir"
expect_error "directory: exit 2" 2 "$D/dir: error: is a directory, expected a ratings file"

printf '%s\n1,2,3,4\n' "$H" >"$D/unreadable.csv"
chmod 000 "$D/unreadable.csv"
if [ -r "$D/unreadable.csv" ]; then
    skip "unreadable file: exit 2" "running as root, chmod 000 does not stop reading"
else
    run "$ALSTUNE" stats "$D/unreadable.csv"
    expect_error "unreadable file: exit 2" 2 "$D/unreadable.csv: error: cannot open file: Permission denied"
fi

: >"$D/empty.csv"
run "$ALSTUNE" stats "$D/empty.csv"
expect_error "empty file" 2 "$D/empty.csv:1: error: expected ratings, found an empty file"

printf '%s\n' "$H" >"$D/header.csv"
run "$ALSTUNE" stats "$D/header.csv"
expect_error "header only" 2 "$D/header.csv:2: error: expected ratings after the header, found end of file"

# ---- lines ----------------------------------------------------------------------------------
printf '%s\n1,2,3,4\n1,2,3\n' "$H" >"$D/cols.csv"
run "$ALSTUNE" stats "$D/cols.csv"
expect_error "wrong column count" 2 "$D/cols.csv:3: error: expected 4 fields separated by ',', found 3 in '1,2,3'"

printf '%s\n1,2,abc,4\n' "$H" >"$D/nonnum.csv"
run "$ALSTUNE" stats "$D/nonnum.csv"
expect_error "non-numeric rating" 2 "$D/nonnum.csv:2: error: expected a finite number as the rating in field 3, found 'abc'"

printf '%s\n1,2,3,4\n1,3,NaN,4\n' "$H" >"$D/nan.csv"
run "$ALSTUNE" stats "$D/nan.csv"
expect_error "NaN rating" 2 "$D/nan.csv:3: error: expected a finite number as the rating in field 3, found 'NaN'"

printf '%s\n1,2,-inf,4\n' "$H" >"$D/inf.csv"
run "$ALSTUNE" stats "$D/inf.csv"
expect_error "infinite rating" 2 "$D/inf.csv:2: error: expected a finite number as the rating in field 3, found '-inf'"

printf '%s\n1,2,5,4\n1,3,7,4\n' "$H" >"$D/range.csv"
run "$ALSTUNE" stats "$D/range.csv" --rating-range 1,5
expect_error "rating outside --rating-range" 2 "$D/range.csv:3: error: expected a rating in [1, 5], found '7'"

printf '%s\n,2,3,4\n' "$H" >"$D/nouser.csv"
run "$ALSTUNE" stats "$D/nouser.csv"
expect_error "empty user id" 2 "$D/nouser.csv:2: error: expected a non-empty user id in field 1, found ''"

printf '1::5::3\n2::::4\n' >"$D/noitem.dat"
run "$ALSTUNE" stats "$D/noitem.dat"
expect_error "empty item id ('::' file)" 2 "$D/noitem.dat:2: error: expected a non-empty item id in field 2, found ''"

{ printf '%s\n1,2,3,4\n1,' "$H"; head -c 70000 /dev/zero | tr '\0' 7; printf ',3,4\n'; } >"$D/long.csv"
run "$ALSTUNE" stats "$D/long.csv"
expect_error "line longer than 64 KiB" 2 "$D/long.csv:3: error: expected a line of at most 65536 bytes, found 70006 bytes"

printf '%s\n1,2,3,4\n\001\002\000\377garbage\n' "$H" >"$D/binary.csv"
run "$ALSTUNE" stats "$D/binary.csv"
expect_error "binary garbage (NUL byte)" 2 "$D/binary.csv:3: error: expected text, found a NUL byte at byte 3 of the line (binary data?)"

printf '\000\001\002\003' >"$D/allbinary"
run "$ALSTUNE" stats "$D/allbinary"
expect_error "binary file" 2 "$D/allbinary:1: error: expected a text ratings file, found a NUL byte (binary data?)"

printf '%s\n1,2,3,4\n1\t3\t4\t5\n' "$H" >"$D/mixed.csv"
run "$ALSTUNE" stats "$D/mixed.csv"
expect_error "mixed separators (tabs in a CSV)" 2 "$D/mixed.csv:3: error: expected 4 fields separated by ',', found 1 in '1\t3\t4\t5'"

printf '1::2::3::4\n1,3,4,5\n' >"$D/mixed.dat"
run "$ALSTUNE" stats "$D/mixed.dat"
expect_error "mixed separators (commas in a '::' file)" 2 "$D/mixed.dat:2: error: expected 4 fields separated by '::', found 1 in '1,3,4,5'"

printf '1\t2\t3\t4\n1\t3\tfive\t5\n' >"$D/bad.udata"
run "$ALSTUNE" stats "$D/bad.udata"
expect_error "u.data with a word for a rating" 2 "$D/bad.udata:2: error: expected a finite number as the rating in field 3, found 'five'"

printf '%s\n1,"2,3,4\n' "$H" >"$D/quote.csv"
run "$ALSTUNE" stats "$D/quote.csv"
expect_error "unterminated quote" 2 "$D/quote.csv:2: error: expected a closing '\"', found '1,\"2,3,4'"

printf 'hello world\n' >"$D/text.txt"
run "$ALSTUNE" stats "$D/text.txt"
expect_error "no separator" 2 "$D/text.txt:1: error: expected fields separated by ',', tabs or '::', found 'hello world'"

printf 'name,movieId,rating\nann,1,2\n' >"$D/nouser-col.csv"
run "$ALSTUNE" stats "$D/nouser-col.csv"
expect_error "header without a user column" 2 "$D/nouser-col.csv:1: error: expected a header naming the user column (userId, user_id, user), found 'name,movieId,rating'"

printf '%s\n1,2,3,4\n1,2,4,5\n' "$H" >"$D/dup.csv"
run "$ALSTUNE" stats "$D/dup.csv" --duplicates error
expect_error "duplicate pair with --duplicates error" 2 "$D/dup.csv:3: error: expected one rating per (user, item) pair, found a second rating of user '1' for item '2' (first at line 2)"

printf '%s\n1,2\n3,4\n' "$H" >"$D/allbad.csv"
run "$ALSTUNE" stats "$D/allbad.csv" --skip-bad-lines
expect_error "--skip-bad-lines with no good line" 2 "$D/allbad.csv:2: error: expected at least one valid rating, found none (2 bad lines skipped, the first here)"

printf '%s\n1,2,3,4\n' "$H" >"$D/good.csv"
printf 'movieId,title,genres\n2,"Broken,Comedy\n' >"$D/movies.csv"
run "$ALSTUNE" stats "$D/good.csv" --movies "$D/movies.csv"
expect_error "bad movies file" 2 "$D/movies.csv:2: error: expected a closing '\"', found '2,\"Broken,Comedy'"

run "$ALSTUNE" stats "$D/good.csv" --movies "$D/nomovies.csv"
expect_error "missing movies file" 2 "$D/nomovies.csv: error: cannot open file: No such file or directory"

run "$ALSTUNE" stats "$D/good.csv" --format xml
check "--format xml is a usage error (exit 2)" '[ $RC = 2 ] && [ -z "$OUT" ] && printf "%s" "$ERR" | grep -q "format expects text, csv or json"'
run "$ALSTUNE" stats "$D/good.csv" --input-format parquet
check "--input-format parquet is a usage error (exit 2)" '[ $RC = 2 ] && printf "%s" "$ERR" | grep -q "input-format expects"'
run "$ALSTUNE" stats
check "no DATA is a usage error (exit 2)" '[ $RC = 2 ] && printf "%s" "$ERR" | grep -q "expected a ratings file"'

# ---- accepted oddities ------------------------------------------------------------------------
printf '\357\273\277%s\n1,2,4.5,4\n2,2,3.5,5\n' "$H" >"$D/bom.csv"
run "$ALSTUNE" stats "$D/bom.csv" --format csv
check "UTF-8 BOM accepted" '[ $RC = 0 ] && [ "$(csv_value ratings)" = 2 ] && [ "$(csv_value rating_mean)" = 4 ]'

printf '%s\n1,2,4.5,4\n2,3,1,5' "$H" >"$D/nonl.csv"
run "$ALSTUNE" stats "$D/nonl.csv" --format csv
check "no trailing newline accepted" '[ $RC = 0 ] && [ "$(csv_value ratings)" = 2 ] && [ "$(csv_value movies)" = 2 ] && [ "$(csv_value rating_max)" = 4.5 ]'

printf '%s\r\n1,2,4.5,4\r\n2,3,1.5,5\r\n' "$H" >"$D/crlf.csv"
run "$ALSTUNE" stats "$D/crlf.csv" --format csv
check "CRLF accepted" '[ $RC = 0 ] && [ -z "$ERR" ] && [ "$(csv_value ratings)" = 2 ] && [ "$(csv_value rating_mean)" = 3 ] && [ "$(csv_value format)" = csv ]'

printf '%s\n1,2,3,4\n1,2\n2,x,abc,4\n3,4,5,6\n\n4,5,1,7,8\n' "$H" >"$D/skip.csv"
run "$ALSTUNE" stats "$D/skip.csv" --skip-bad-lines --format csv
check "--skip-bad-lines: exit 0, 2 ratings, 3 bad lines" '[ $RC = 0 ] && [ "$(csv_value ratings)" = 2 ] && [ "$(csv_value bad_lines)" = 3 ]'
check "--skip-bad-lines: one warning naming the first bad line and the count" \
    '[ "$ERR" = "$D/skip.csv:3: warning: skipped 3 bad lines (the first: expected 4 fields separated by '"','"', found 2 in '"'1,2'"')" ]'
run "$ALSTUNE" stats "$D/skip.csv"
expect_error "without --skip-bad-lines the first bad line fails" 2 "$D/skip.csv:3: error: expected 4 fields separated by ',', found 2 in '1,2'"

# user 1 rates movie 2 three times: 1, then 2, then 5; user 2 rates it 4
printf '%s\n1,2,1,1\n2,2,4,2\n1,2,2,3\n1,3,3,4\n1,2,5,5\n' "$H" >"$D/dups.csv"
run "$ALSTUNE" stats "$D/dups.csv" --format csv
check "duplicates: the last rating is kept by default (mean (4+3+5)/3 = 4)" \
    '[ $RC = 0 ] && [ "$(csv_value ratings)" = 3 ] && [ "$(csv_value duplicates)" = 2 ] && [ "$(csv_value rating_mean)" = 4 ]'
check "duplicates: a warning says how many were dropped" \
    '[ "$ERR" = "$D/dups.csv: warning: 2 duplicate (user, movie) ratings dropped, kept the last" ]'
run "$ALSTUNE" stats "$D/dups.csv" --format csv --duplicates first
check "--duplicates first keeps the first (mean (1+4+3)/3)" \
    '[ $RC = 0 ] && [ "$(csv_value ratings)" = 3 ] && [ "$(csv_value rating_mean)" = "$(awk "BEGIN { printf \"%.17g\", 8/3 }")" ]'
run "$ALSTUNE" stats "$D/dups.csv" --duplicates error
expect_error "--duplicates error names the earliest repeat" 2 "$D/dups.csv:4: error: expected one rating per (user, item) pair, found a second rating of user '1' for item '2' (first at line 2)"

finish
