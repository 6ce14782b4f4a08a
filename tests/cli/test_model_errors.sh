#!/bin/sh
# CLI: a damaged model folder is a clear "path: error: ..." and exit 2, never a crash.  Each case
# copies a good folder, breaks one file with head -c / printf, and checks the message.
. "$(dirname "$0")/lib.sh"
MKMODEL=$(dirname "$ALSTUNE")/tests/mkmodel

cat >"$WORK/spec" <<'EOF'
rank 2
mu 3
user 1 1 0 0.5
user 2 0 1 -0.5
item 10 5 0 0.125
item 20 4 1 0.25
item 30 1 3 0.375
seen 1 10 5
seen 2 30 3
seen 2 20 1
EOF
printf 'userId,movieId,rating\n1,20,4\n' >"$WORK/data.csv"
GOOD=$WORK/good
"$MKMODEL" "$GOOD" <"$WORK/spec" || { echo "Bail out! mkmodel failed"; exit 1; }

run "$ALSTUNE" recommend "$GOOD" --user 1 -k 1 --format csv
# u1: 20 = mu 3 + b_u 0.5 + b_i 0.25 + 4 = 7.75 (10 is seen)
check "the intact folder works" '[ $RC = 0 ] && [ "$(printf "%s\n" "$OUT" | tail -1)" = "1,1,20,7.75" ]'

fresh() { rm -rf "$WORK/m"; cp -r "$GOOD" "$WORK/m"; M=$WORK/m; }
# try NAME PATTERN: every command that loads a model must fail the same way
try() {
    run "$ALSTUNE" recommend "$M" --user 1
    expect_fail "recommend: $1" 2 "$2"
    check "  ... nothing on stdout" '[ -z "$OUT" ]'
    run "$ALSTUNE" predict "$M" "$WORK/data.csv"
    expect_fail "predict: $1" 2 "$2"
}

fresh; rm "$M/item_ids.txt"
try "missing item_ids.txt" "m/item_ids.txt: error: missing model file"

fresh; rm "$M/model.yaml"
try "missing model.yaml" "m/model.yaml: error: missing model file; is '.*' a model folder"

run "$ALSTUNE" recommend "$WORK/nonexistent" --user 1
expect_fail "a folder that does not exist" 2 "nonexistent/model.yaml: error: missing model file"

fresh; head -c 136 "$GOOD/user_factors.npy" >"$M/user_factors.npy"
try "truncated user_factors.npy" "m/user_factors.npy: error: truncated or oversized data: shape \(2, 2\) needs 16 bytes, file has 8"

fresh; head -c 40 "$GOOD/item_factors.npy" >"$M/item_factors.npy"
try "truncated .npy header" "m/item_factors.npy: error: truncated .npy header"

fresh; printf 'this is not numpy' >"$M/item_factors.npy"
try "not a .npy file" "m/item_factors.npy: error: not a .npy file"

fresh; sed 's/<f4/<f8/' "$GOOD/user_factors.npy" >"$M/user_factors.npy"
try "float64 factors" "m/user_factors.npy: error: expected dtype '<f4' \(float32\)"

fresh; cp "$GOOD/item_factors.npy" "$M/user_factors.npy"
try "factors with the wrong row count" "m/user_factors.npy: error: shape \(3, 2\) does not match model.yaml, expected \(2, 2\)"

fresh; sed 's/^rank: 2$/rank: 3/' "$GOOD/model.yaml" >"$M/model.yaml"
try "rank in model.yaml differs from the factors" "m/user_factors.npy: error: shape \(2, 2\) does not match model.yaml, expected \(2, 3\)"

fresh; printf '10\n20\n10\n' >"$M/item_ids.txt"
try "duplicate ids" "m/item_ids.txt:3: error: duplicate id '10' \(first on line 1\)"

fresh; printf '10\n20\n30\n40\n' >"$M/item_ids.txt"
try "more ids than factor rows" "m/item_ids.txt: error: has 4 ids, but item_factors.npy has 3 rows"

fresh; printf '1\n\n' >"$M/user_ids.txt"
try "an empty id line" "m/user_ids.txt:2: error: expected an id, found an empty line"

fresh; printf '1\n2\0x\n' >"$M/user_ids.txt"
try "an id file with a NUL byte" "m/user_ids.txt: error: binary file \(NUL byte\), expected one id per line"

fresh; rm "$M/user_bias.npy"
try "missing bias file of a bias model" "m/user_bias.npy: error: missing model file"

fresh; cp "$GOOD/item_bias.npy" "$M/user_bias.npy"
try "bias of the wrong length" "m/user_bias.npy: error: shape \(3, 1\) does not match model.yaml, expected \(2, 1\)"

fresh; head -c 40 "$GOOD/seen.csr" >"$M/seen.csr"
try "truncated seen.csr" "m/seen.csr: error: truncated or oversized"

fresh; printf 'garbage!' >"$M/seen.csr"
try "seen.csr with a bad magic" "m/seen.csr: error: not a seen.csr file"

fresh; sed 's/^regParam: .*/regParam: lots/' "$GOOD/model.yaml" >"$M/model.yaml"
try "a bad value in model.yaml" "m/model.yaml:5: error: regParam: invalid value 'lots'"

fresh; sed 's/^nitems: 3$/nitems: 4/' "$GOOD/model.yaml" >"$M/model.yaml"
try "nitems disagrees with the files" "m/item_factors.npy: error: shape \(3, 2\) does not match model.yaml, expected \(4, 2\)"

fresh; sed 's/^format_version: 1$/format_version: 2/' "$GOOD/model.yaml" >"$M/model.yaml"
try "a future format version" "m/model.yaml:2: error: format_version 2 is not supported"

fresh; grep -v '^nusers' "$GOOD/model.yaml" >"$M/model.yaml"
try "a missing key" "m/model.yaml: error: missing key 'nusers'"

fresh; sed 's/^bias: true$/bias: false/' "$GOOD/model.yaml" >"$M/model.yaml"
try "bias flag disagrees with the file list" "m/model.yaml: error: bias: false but files lists user_bias.npy"

finish
