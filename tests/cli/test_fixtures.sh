#!/usr/bin/env bash
# test_fixtures — the known-answer numbers copied into tests/fixtures/als-known-answer (so a fresh
# clone runs the solver's known-answer tests) are the same as the reference set in ../shared when
# that is present.
. "$(dirname "$0")/lib.sh"
fx="$TOP_SRCDIR/tests/fixtures/als-known-answer"
check "known-answer fixtures are in the tree" '[ -f "$fx/explicit_ratings.csv" ] && [ "$(ls "$fx"/*.csv | wc -l)" -eq 20 ]'
if [ -d "$SHARED_DATA/als-known-answer" ]; then
    for f in "$SHARED_DATA"/als-known-answer/*.csv; do
        b=$(basename "$f")
        check "fixture $b equals ../shared/data/als-known-answer/$b" 'cmp -s "$f" "$fx/$b"'
    done
else
    skip "fixtures equal ../shared/data/als-known-answer" "../shared/data/als-known-answer not found beside the checkout"
fi
finish
