#!/bin/sh
# alstune tune --shard I/N and alstune merge (docs/scale.md "Shards"): the SLURM array script of
# docs/scale.md, run for every index (one after the other, and all at once), merges into exactly
# the outputs of one run; missing shards are named (exit 1); a plain tune merges and runs the
# rest; the locks let shards run together but not with a plain tune or the same shard twice;
# --dry-run prints the split; bad --shard values are usage errors.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
mkdir -p experiments bin
ln -s "$ALSTUNE" bin/alstune
cp "$TOP_SRCDIR/tests/fixtures/yaml/scale_grid.yaml" experiments/grid.yaml
FILES="folds.csv iterations.csv summary.csv best.yaml experiment.yaml model/model.yaml model/user_factors.npy model/item_factors.npy"  # report.md quotes provenance.yaml (times, folder): not compared
same() { # DIR_A DIR_B: every deterministic output equal
    for f in $FILES; do cmp -s "$1/$f" "$2/$f" || { echo "# differs: $f"; return 1; }; done
}
run "$ALSTUNE" tune experiments/grid.yaml --out one -q -t 2
check "the one-process run" '[ $RC = 0 ] && [ -f one/report.md ]'

# the array script's body, from docs/scale.md, for every index
sed -n '/^<!-- slurm-array/,/^<!-- \/slurm-array/p' "$TOP_SRCDIR/docs/scale.md" | sed '1,2d;$d' | sed '$d' >array.sh
check "docs/scale.md has the SLURM array script" 'grep -q "SBATCH --array" array.sh && grep -q -- "--shard" array.sh'
array() { # N [bg]: run the script for indexes 0 .. N-1
    for i in $(seq 0 $(($1 - 1))); do
        if [ "${2:-}" = bg ]; then
            PATH="$WORK/bin:$PATH" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$1 SLURM_CPUS_PER_TASK=1 sh array.sh &
        else
            PATH="$WORK/bin:$PATH" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$1 SLURM_CPUS_PER_TASK=1 sh array.sh || return 1
        fi
    done
    wait
}
run array 3
check "array 0-2 one after another: every task exits 0" '[ $RC = 0 ]'
check "each shard journaled its own files" \
    '[ -f results/grid/folds.shard-0-of-3.csv ] && [ -f results/grid/iterations.shard-2-of-3.csv ] && [ ! -f results/grid/summary.csv ]'
n_rows=$(cat results/grid/folds.shard-*-of-3.csv | grep -vc '^cell')
check "the shards hold every job once (24 jobs x 2 maxIter rows)" '[ "$n_rows" = 48 ]'
run "$ALSTUNE" merge results/grid -q
check "merge: exit 0" '[ $RC = 0 ]'
check "merge: the outputs of one run" 'same one results/grid'
check "merge: the shards' journals and locks are gone" '! ls results/grid | grep -q shard'

rm -rf results
run array 4 bg
check "array 0-3 all at once: merge equals one run" '"$ALSTUNE" merge results/grid -q && same one results/grid'

# a missing shard is named; a plain tune merges and runs it
rm -rf results
for i in 0 2; do "$ALSTUNE" tune experiments/grid.yaml --out results/grid --shard $i/3 -q; done
run "$ALSTUNE" merge results/grid -q
expect_fail "merge with shard 1/3 missing: exit 1, naming it" 1 'cannot merge: [0-9]+ of 24 jobs are in no journal .*\(shard 1/3\)'
check "merge with a shard missing writes no summary" '[ ! -f results/grid/summary.csv ]'
run "$ALSTUNE" tune experiments/grid.yaml --out results/grid -q
check "a plain tune merges the shards and runs the missing jobs" '[ $RC = 0 ] && same one results/grid'

# --fresh discards the shards' journals too
rm -rf results
"$ALSTUNE" tune experiments/grid.yaml --out results/grid --shard 0/3 -q
run "$ALSTUNE" tune experiments/grid.yaml --out results/grid -q --fresh
check "a plain tune --fresh resumes nothing from shards and removes them" \
    '[ $RC = 0 ] && grep -q "^jobs_resumed: 0$" results/grid/provenance.yaml && ! ls results/grid | grep -q shard && same one results/grid'

# locks: a running shard holds alstune.lock shared and its own lock exclusively
rm -rf results
mkdir -p results/grid
hold=$((3 * ${ALSTUNE_TIME_SCALE:-1}))   # seconds a lock is held; `make valgrind` runs alstune ~30x slower
if command -v flock >/dev/null 2>&1; then
    flock -s results/grid/alstune.lock sleep $hold &
    sleep 0.3
    run "$ALSTUNE" tune experiments/grid.yaml --out results/grid --shard 0/2 -q
    check "a shard runs while another shard holds the folder (shared lock)" '[ $RC = 0 ]'
    check "a shard marks alstune.lock as held by shards" 'grep -q "^shards$" results/grid/alstune.lock'
    run "$ALSTUNE" merge results/grid -q
    expect_fail "merge while a shard runs: exit 5" 5 'in use by shards of alstune tune --shard I/N'
    run "$ALSTUNE" tune experiments/grid.yaml --out results/grid -q
    expect_fail "a plain tune while a shard runs: exit 5" 5 'in use by shards of alstune tune --shard I/N'
    wait
    flock -x results/grid/alstune.shard-1-of-2.lock sleep $hold &
    sleep 0.3
    run "$ALSTUNE" tune experiments/grid.yaml --out results/grid --shard 1/2 -q
    expect_fail "the same shard twice: exit 5" 5 'shard 1/2 is already running'
    wait
    flock -x results/grid/alstune.lock sleep $hold &
    sleep 0.3
    run "$ALSTUNE" tune experiments/grid.yaml --out results/grid --shard 1/2 -q
    expect_fail "a shard while a plain tune runs: exit 5" 5 'in use by a plain alstune tune or merge'
    wait
else
    skip "locks" "no flock(1)"
fi

# --dry-run prints the split: every job in exactly one shard, and it is the split the shards run
run "$ALSTUNE" tune experiments/grid.yaml --dry-run --shard 0/3
check "dry-run: the split over 3 shards" 'printf "%s\n" "$OUT" | grep -q "^# job split over 3 shards"'
total=$(printf '%s\n' "$OUT" | sed -n 's/^#   shard [0-9]*: \([0-9]*\) jobs.*/\1/p' | awk '{s += $1} END {print s}')
check "dry-run: the shards' jobs add up to 24" '[ "$total" = 24 ]'
s1=$(printf '%s\n' "$OUT" | sed -n 's/^#   shard 1: \([0-9]*\) jobs.*/\1/p')
rm -rf results
"$ALSTUNE" tune experiments/grid.yaml --out results/grid --shard 1/3 -q
check "dry-run: shard 1 runs the jobs it showed" '[ "$(grep -vc "^cell" results/grid/folds.shard-1-of-3.csv)" = $((s1 * 2)) ]'

# bad --shard values
for bad in 3/3 -1/2 1 a/b 0/0 1/2/3 0/100001; do
    run "$ALSTUNE" tune experiments/grid.yaml --shard "$bad" --out bad
    expect_fail "--shard $bad: usage error" 2 '--shard expects I/N'
done
run "$ALSTUNE" merge nowhere
expect_fail "merge of a folder that is not a results folder: exit 2" 2 'not a results folder'
run "$ALSTUNE" merge
expect_fail "merge without a folder: exit 2" 2 'RESULTS_DIR'
finish
