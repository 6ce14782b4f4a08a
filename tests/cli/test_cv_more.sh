#!/bin/sh
# Issue 13 around the edges of numRepeats, replicates and outerFolds: `tune --dry-run` counts
# their jobs and estimates their cost (docs/scale.md "Estimates"); `tune --fresh` removes an
# earlier nested run's outer/<i>/ folders and nested.csv; replicates with als.earlyStopping
# (docs/statistics.md: each replicate stops on its own, the row is their mean, stopped_at the
# largest).
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

. "$TOP_SRCDIR/tests/cli/cv_exp.sh" # exp NAME SPLIT-EXTRA TOP-EXTRA [ALS-EXTRA]: the small experiment
CV_REG="[0.01, 0.3]"
# big NAME SPLIT-EXTRA TOP-EXTRA — the same grid on a synthetic shape large enough for the
# estimate's numbers to be printed with digits (--dry-run does not generate the data)
big() { exp "$@" | sed 's/synthetic: {users: 150, items: 100, ratings: 3000,/synthetic: {users: 20000, items: 5000, ratings: 2000000,/'; }
field() { # field OUTPUT PATTERN: the first number after PATTERN in the dry-run output
    printf '%s\n' "$1" | sed -n "s/.*$2 *\\([0-9.e+]*\\).*/\\1/p" | head -1
}
near() { # near A B R: A / B is R within 1 % (the output rounds to 3 digits)
    awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { exit !(b > 0 && a / b > 0.99 * r && a / b < 1.01 * r) }'
}

# ---- --dry-run: jobs and the estimate ---------------------------------------------------------
big b0 "" "" > b0.yaml
run "$ALSTUNE" tune b0.yaml --dry-run --threads 2
O0=$OUT
check "dry run: the plain line is unchanged" '[ $RC = 0 ] && printf "%s\n" "$O0" | grep -q "^# 4 configs x 2 maxIter values, 3 folds: 12 jobs$"'
big b0 "  numRepeats: 3" "" > r3.yaml
run "$ALSTUNE" tune r3.yaml --dry-run --threads 2
OR=$OUT
check "dry run, numRepeats 3: the folds are k x R and so are the jobs" \
    '[ $RC = 0 ] && printf "%s\n" "$OR" | grep -q "^# 4 configs x 2 maxIter values, 3 folds x 3 repeats: 36 jobs$"'
check "dry run, numRepeats 3: CV flops and fold matrices x 3, CPU seconds more" \
    'near "$(field "$OR" "flops: CV")" "$(field "$O0" "flops: CV")" 3 &&
     near "$(field "$OR" "fold matrices (during CV)")" "$(field "$O0" "fold matrices (during CV)")" 3 &&
     awk -v a="$(field "$OR" "idle cores (")" -v b="$(field "$O0" "idle cores (")" "BEGIN { exit !(a > 2 * b) }"'
big b0 "" "replicates: 4" > n4.yaml
run "$ALSTUNE" tune n4.yaml --dry-run --threads 2
ON=$OUT
check "dry run, replicates 4: jobs and trainings" \
    '[ $RC = 0 ] && printf "%s\n" "$ON" | grep -q "^# 4 configs x 2 maxIter values, 3 folds: 12 jobs, 4 replicates each: 48 trainings$"'
check "dry run, replicates 4: CV flops x 4, fold matrices unchanged" \
    'near "$(field "$ON" "flops: CV")" "$(field "$O0" "flops: CV")" 4 &&
     [ "$(field "$ON" "fold matrices (during CV)")" = "$(field "$O0" "fold matrices (during CV)")" ] &&
     [ -n "$(field "$O0" "CV [0-9.e+]*, refit")" ] && [ "$(field "$ON" "CV [0-9.e+]*, refit")" = "$(field "$O0" "CV [0-9.e+]*, refit")" ]'
big b0 "  outerFolds: 5" "" > o5.yaml
run "$ALSTUNE" tune o5.yaml --dry-run --threads 2
OO=$OUT
check "dry run, outerFolds 5: K + 1 searches in the job count" \
    '[ $RC = 0 ] && printf "%s\n" "$OO" | grep -q "^# 4 configs x 2 maxIter values, 3 folds: 12 jobs$" &&
     printf "%s\n" "$OO" | grep -q "^# nested CV: then 5 inner runs of the same search on all but one outer fold: 60 jobs more, 72 jobs in all$"'
check "dry run, outerFolds 5: the nested part is in the run time (about 5 x the inner run)" \
    'printf "%s\n" "$OO" | grep -q "^#   nested CV: 5 inner runs, flops [0-9.e+]*, seconds [0-9.]* (included in the run time and CPU seconds above)$" &&
     awk -v a="$(field "$OO" "run time")" -v b="$(field "$O0" "run time")" "BEGIN { exit !(a > 5 * b && a < 7 * b) }"'
printf '%s\n' "$OO" | grep -v '^#' > o5_resolved.yaml
run "$ALSTUNE" tune o5_resolved.yaml --dry-run
check "dry run with nested CV still loads again" '[ $RC = 0 ]'
big b0 "  numRepeats: 2
  outerFolds: 3" "replicates: 2" > all.yaml
run "$ALSTUNE" tune all.yaml --dry-run --threads 2
check "dry run, all three: 24 jobs x (1 + 3) and 2 trainings each" \
    '[ $RC = 0 ] && printf "%s\n" "$OUT" | grep -q "^# 4 configs x 2 maxIter values, 3 folds x 2 repeats: 24 jobs, 2 replicates each: 48 trainings$" &&
     printf "%s\n" "$OUT" | grep -q ": 72 jobs more, 96 jobs in all$"'

# ---- --fresh after a nested run ---------------------------------------------------------------
exp fr "  outerFolds: 3" "" > nest3.yaml
run "$ALSTUNE" tune nest3.yaml --out o_fr --quiet --threads 2
check "a nested run leaves outer/0..2 and nested.csv" \
    '[ $RC = 0 ] && [ -d o_fr/outer/2 ] && [ -s o_fr/nested.csv ] && grep -q "^## Nested cross-validation" o_fr/report.md'
exp fr "  outerFolds: 2" "" > nest2.yaml
run "$ALSTUNE" tune nest2.yaml --out o_fr --quiet --threads 2 --fresh
check "--fresh with 2 outer folds: outer/2 of the earlier run is gone, outer/0..1 remade" \
    '[ $RC = 0 ] && [ ! -e o_fr/outer/2 ] && [ -s o_fr/outer/1/best.yaml ] && [ $(($(wc -l < o_fr/nested.csv) - 1)) = 2 ]'
exp fr "" "" > plain.yaml
run "$ALSTUNE" tune plain.yaml --out o_fr --quiet --threads 2 --fresh
check "--fresh without outerFolds: no outer/, no nested.csv, no nested section in the report" \
    '[ $RC = 0 ] && [ ! -e o_fr/outer ] && [ ! -e o_fr/nested.csv ] && ! grep -q "Nested" o_fr/report.md && ! grep -q "^nested:" o_fr/best.yaml'
mkdir -p o_keep/outer/0 && echo mine > o_keep/outer/0/note.txt
run "$ALSTUNE" tune plain.yaml --out o_keep --quiet --no-report --threads 2
check "without --fresh nothing under outer/ is touched" '[ $RC = 0 ] && [ "$(cat o_keep/outer/0/note.txt)" = mine ]'

# ---- replicates with als.earlyStopping ----------------------------------------------------------
ES="  earlyStopping: {patience: 1, minDelta: 0.005}"
# esx: exp with maxIter [3, 12], so that folds have room to stop
esx() { exp "$@" | sed "s/maxIter: \[3, 6\]/maxIter: [3, 12]/"; }
esx es "" "replicates: 3" "$ES" > es3.yaml
run "$ALSTUNE" tune es3.yaml --out o_es3 --quiet --no-report --threads 2
check "replicates 3 + earlyStopping run; folds.csv ends with stopped_at,seed_std" \
    '[ $RC = 0 ] && head -1 o_es3/folds.csv | grep -q ",n_dropped,stopped_at,seed_std$"'
check "... some folds stopped early (stopped_at < maxIter)" \
    '[ $(awk -F, "NR > 1 && \$19 < \$4" o_es3/folds.csv | wc -l) -gt 0 ]'
# the three replicates as single-seed runs: als.seed, then als_stest_seed(als.seed, "replicate r")
PY=""
for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'pass' >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -n "$PY" ]; then
    seeds=$("$PY" -c '
M = (1 << 64) - 1
def sseed(seed, tag):  # src/als_stats_test.c als_stest_seed
    h = 0xcbf29ce484222325
    for c in tag.encode():
        h = ((h ^ c) * 0x100000001b3) & M
    z = (seed ^ h) & M
    z = (z + 0x9e3779b97f4a7c15) & M
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    z ^= z >> 31
    s = (z ^ (z >> 32)) & 0xffffffff
    return s or 1
print(1, sseed(1, "replicate 1"), sseed(1, "replicate 2"))')
    i=0
    for s in $seeds; do
        CV_SEED=$s
        esx es "" "" "$ES" > es_r$i.yaml
        run "$ALSTUNE" tune es_r$i.yaml --out o_r$i --quiet --no-report --threads 2
        i=$((i + 1))
    done
    CV_SEED=1
    # per (cell, fold): value = mean of the three, stopped_at = the largest, seed_std = their sample std
    cmp_out=$(awk -F, 'FNR == 1 { f++; next }
        { k = $1 "," $9 }
        f <= 3 { v[k] += $11; s = v[k, "n"]++; x[k, s] = $11; if ($19 > m[k]) m[k] = $19; next }
        { mean = v[k] / 3; sd = 0; for (j = 0; j < 3; j++) sd += (x[k, j] - mean) ^ 2; sd = sqrt(sd / 2)
          d = $11 - mean; if (d < 0) d = -d; e = $20 - sd; if (e < 0) e = -e
          if (d > 1e-12 * mean || $19 != m[k] || e > 1e-9 * (sd + 1e-300)) bad++; n++ }
        END { printf "%d %d", n, bad }' o_r0/folds.csv o_r1/folds.csv o_r2/folds.csv o_es3/folds.csv)
    check "replicates + earlyStopping: each row is the mean of the 3 single-seed runs, stopped_at their largest, seed_std their std" \
        '[ "$cmp_out" = "24 0" ]'
    check "... and the single-seed runs disagree on some stop (so the largest is a real choice)" \
        '[ "$(cut -d, -f19 o_r0/folds.csv)" != "$(cut -d, -f19 o_r1/folds.csv)" ] || [ "$(cut -d, -f19 o_r0/folds.csv)" != "$(cut -d, -f19 o_r2/folds.csv)" ]'
else
    skip "replicates + earlyStopping against single-seed runs" "no python3 to compute the replicate seeds"
fi
esx es "" "replicates: 3" "  earlyStopping: {patience: 100}" > es_never.yaml
esx es "" "replicates: 3" "" > es_off.yaml
run "$ALSTUNE" tune es_never.yaml --out o_never --quiet --no-report --threads 2
run "$ALSTUNE" tune es_off.yaml --out o_off --quiet --no-report --threads 2
check "replicates 3 + a patience that never stops = replicates 3 without earlyStopping (but stopped_at)" \
    '[ "$(cut -d, -f1-18,20 o_never/folds.csv)" = "$(cut -d, -f1-18,19 o_off/folds.csv)" ] && cmp -s o_never/summary.csv o_off/summary.csv'
finish
