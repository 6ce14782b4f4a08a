#!/bin/sh
# The one table of limits (src/als_limits.h): the regression cases of issue 11 and the dry-run
# estimate.  Each bad input exits 2 with `file:line:col: error: ...` naming the key, before any
# work — never a crash (exit 139), an out-of-memory (exit 3) or a run that never ends.
. "$(dirname "$0")/lib.sh"
L="$TOP_SRCDIR/tests/fixtures/limits"
cp "$L"/*.yaml "$L"/ratings.csv "$WORK"/
cd "$WORK" || exit 1

# rank 1100: once SIGSEGV (the model was initialised before the solver checked the rank).
for mode in "" --dry-run; do
    run "$ALSTUNE" tune rank_big.yaml --out "$WORK/o1" $mode
    expect_fail "rank 1100 ${mode:-run}: exit 2 at the key, with the limit and why" 2 \
        "^rank_big.yaml:4:9: error: rank: expected an integer in \[1, 1024\], found '1100' \(the limit: "
done

# maxIter 1e9: once exit 2 without file:line, or "out of memory" (exit 3) under ulimit -v.
# (A sanitizer build reserves terabytes of address space and cannot start under ulimit -v.)
if sh -c 'ulimit -v 8000000 && exec "$0" --help' "$ALSTUNE" >/dev/null 2>&1; then
    run sh -c 'ulimit -v 8000000; exec "$0" tune maxiter_huge.yaml --out o2' "$ALSTUNE"
    expect_fail "maxIter 1e9 under ulimit -v 8 GB: exit 2 at the key, not out of memory" 2 \
        "^maxiter_huge.yaml:4:12: error: maxIter: expected an integer in \[1, 100000\], found '1000000000'"
else
    skip "maxIter 1e9 under ulimit -v 8 GB" "this binary cannot start under ulimit -v (sanitizer build?)"
fi
run "$ALSTUNE" tune maxiter_huge.yaml --out o2
expect_fail "maxIter 1e9: exit 2 at the key" 2 \
    "^maxiter_huge.yaml:4:12: error: maxIter: expected an integer in \[1, 100000\], found '1000000000'"
run "$ALSTUNE" tune maxiter_huge.yaml --dry-run
expect_fail "maxIter 1e9: --dry-run refuses it too" 2 "^maxiter_huge.yaml:4:12: error: maxIter"

# 256^4 grid: once started and never finished.  Now refused at once with the count and the cap.
T0=$(date +%s)
run "$ALSTUNE" tune grid_jobs.yaml --out o3
T1=$(date +%s)
expect_fail "a 256^4 grid is refused with the job count and the cap" 2 \
    "^grid_jobs.yaml:3:1: error: the grid has 16777216 points \(without maxIter\) x 5 folds = 83886080 jobs; at most 100000 jobs are allowed"
check "... before any work (in under 5 s, no output folder)" '[ $((T1 - T0)) -lt 5 ] && [ ! -e o3 ]'

# numFolds larger than the ratings left after the holdout: found after reading the data, still
# at numFolds' file:line:col, by the run and by --dry-run.
run "$ALSTUNE" tune numfolds_data.yaml --out o4
expect_fail "numFolds > ratings (run): exit 2 at numFolds' line:col" 2 \
    "^numfolds_data.yaml:5:13: error: numFolds: 33 folds need at least as many ratings, but only 32 remain"
run "$ALSTUNE" tune numfolds_data.yaml --dry-run
expect_fail "numFolds > ratings (--dry-run reads the data): the same message" 2 \
    "^numfolds_data.yaml:5:13: error: numFolds: 33 folds need at least as many ratings, but only 32 remain"
check "... and --dry-run prints nothing on stdout then" '[ -z "$OUT" ]'

# regParam 0 with a rank larger than the users' ratings: the cells are NaN with a warning that
# names the regParam key's file:line:col.
run "$ALSTUNE" tune rank_reg0.yaml --out o5 --quiet --no-report
check "rank > ratings with regParam 0: each cell's warning names regParam's file:line:col" \
    'printf "%s\n" "$ERR" | grep -q "^rank_reg0.yaml:8:13: warning: rank 8 regParam 0 fold 0: .*singular"'
expect_fail "... and the refit of the (NaN) best cell fails at regParam's file:line:col, exit 4" 4 \
    "^rank_reg0.yaml:8:13: error: iteration 1: the normal equations of .* are singular: regParam is 0"

# The dry-run estimate.
run "$ALSTUNE" tune ok.yaml --dry-run --threads 2
check "dry run: job count, data size, estimate of peak memory and run time" \
    '[ $RC = 0 ] && printf "%s\n" "$OUT" | grep -q "^# 2 configs x 2 maxIter values, 2 folds: 4 jobs$" &&
     printf "%s\n" "$OUT" | grep -q "^# data: 40 ratings, 8 users, 5 items$" &&
     printf "%s\n" "$OUT" | grep -Eq "^# estimate with 2 threads .*: peak memory [0-9.]+ MB, run time [0-9.]+ s on idle cores \([0-9.]+ CPU seconds\)$"'
printf '%s\n' "$OUT" | grep -v '^#' >resolved.yaml
run "$ALSTUNE" tune resolved.yaml --dry-run
check "dry run output (estimate lines are comments) loads again" '[ $RC = 0 ]'

# Command options take their bounds from the same table.
run "$ALSTUNE" train ratings.csv --rank 1025 -o m1
expect_fail "train --rank 1025 is refused with the table's bound" 2 "1024"
run "$ALSTUNE" train ratings.csv --maxIter 100001 -o m2
expect_fail "train --maxIter 100001 is refused with the table's bound" 2 "100000"
run "$ALSTUNE" train ratings.csv --rank 1024 --maxIter 0 -o m3
check "train --rank 1024 (the limit itself) is accepted" '[ $RC = 0 ]'
finish
