#!/bin/sh
# mpirun -np N alstune tune (docs/scale.md): the outputs are the same bytes as one process's for
# -np 1, 2 and 3 (a grid and a sampled search), every rank does jobs, provenance names the ranks,
# a rank killed with kill -9 stops the run with completed jobs kept and a rerun with another -np
# resumes to the same bytes, and progress comes from rank 0 only.  Skipped without MPI.
. "$(dirname "$0")/lib.sh"

if ! "$ALSTUNE" --version | grep -q '^MPI: [^n]'; then
    skip "mpirun tests" "alstune built without MPI (./configure --with-mpi)"
    if command -v mpirun >/dev/null 2>&1; then # the binary without MPI under mpirun: a clear error
        [ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        run mpirun --oversubscribe -np 2 "$ALSTUNE" tune "$TOP_SRCDIR/experiments/grid.yaml" --out "$WORK/x"
        check "built without MPI, under mpirun: exit non-zero, the message once, nothing written" \
            '[ $RC != 0 ] && [ "$(printf "%s\n" "$ERR" | grep -c "built without MPI, so it cannot run under mpirun")" = 1 ] && [ ! -d "$WORK/x" ]'
    fi
    finish
    exit 0
fi
if [ -z "${MPIRUN:-}" ] || ! command -v "$MPIRUN" >/dev/null 2>&1; then
    skip "mpirun tests" "mpirun not found (apt-get install openmpi-bin)"
    finish
    exit 0
fi
# OpenMPI refuses root unless told; CI containers run as root (set here only, for this test)
if [ "$(id -u)" = 0 ]; then
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
fi
# no network interfaces to probe in a container: the shared-memory and self transports suffice
OMPI_MCA_btl=self,vader
export OMPI_MCA_btl
# In a sanitizer build, LeakSanitizer reports OpenMPI's own allocations (from its plugins,
# unloaded at exit: "<unknown module>", so no suppression matches): no leak checks under mpirun;
# the runner's code is leak-checked in every single-process test.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
export ASAN_OPTIONS
mpi() { np=$1; shift; "$MPIRUN" --oversubscribe -np "$np" "$ALSTUNE" "$@"; }
mpih() { np=$1; shift; "$MPIRUN" --oversubscribe -np "$np" "$ALSTUNE_HEAVY" "$@"; }  # ALSTUNE_HEAVY: lib.sh

cd "$WORK" || exit 1
cp "$TOP_SRCDIR/tests/fixtures/yaml/scale_grid.yaml" grid.yaml
cp "$TOP_SRCDIR/tests/fixtures/yaml/search_random.yaml" search.yaml

FILES="folds.csv iterations.csv summary.csv best.yaml experiment.yaml model/user_factors.npy model/item_factors.npy"  # report.md quotes provenance.yaml (times, folder): not compared
same() { # DIR_A DIR_B [FILES]: every file equal
    for f in ${3:-$FILES}; do cmp -s "$1/$f" "$2/$f" || { echo "# differs: $f"; return 1; }; done
}

for y in grid search; do
    run "$ALSTUNE" tune $y.yaml --out $y-one -q -t 2
    check "$y: the single-process run" '[ $RC = 0 ] && [ -f $y-one/summary.csv ]'
    [ $y = search ] && check "search: it is a sampled search (trials.csv)" '[ -f search-one/trials.csv ]'
    for np in 1 2 3; do
        run mpi $np tune $y.yaml --out $y-np$np -q -t 1
        check "$y: mpirun -np $np exits 0" '[ $RC = 0 ]'
        check "$y: mpirun -np $np outputs are the single-process bytes" 'same $y-one $y-np$np'
        [ $y = search ] && check "search: -np $np trials.csv too" 'same search-one search-np$np trials.csv'
    done
done
# searches that run in rounds (TPE) and rungs (the pruners): rank 0 proposes and promotes, the
# ranks train; a rung's job on another rank retrains from iteration 0 (the same bits)
FIXY=$TOP_SRCDIR/tests/fixtures/yaml
for y in search_tpe search_tpe_hyperband search_grid_halving; do
    run "$ALSTUNE" tune "$FIXY/$y.yaml" --out $y-one -q --no-report -t 2
    check "$y: the single-process run" '[ $RC = 0 ] && [ -f $y-one/trials.csv ]'
    for np in 1 2 3; do
        run mpi $np tune "$FIXY/$y.yaml" --out $y-np$np -q --no-report -t 1
        check "$y: mpirun -np $np exits 0" '[ $RC = 0 ]'
        check "$y: mpirun -np $np outputs, trials.csv and rungs.csv are the single-process bytes" \
            'same $y-one $y-np$np && same $y-one $y-np$np trials.csv && { [ ! -f $y-one/rungs.csv ] || same $y-one $y-np$np rungs.csv; }'
    done
done
check "provenance: 3 ranks, the library and the hosts" \
    'grep -q "^mpi_ranks: 3$" grid-np3/provenance.yaml && grep -q "^mpi_library: \"Open MPI" grid-np3/provenance.yaml && grep -q "^mpi_hosts: \[\"[^\"]*\", \"[^\"]*\", \"[^\"]*\"\]" grid-np3/provenance.yaml'
check "provenance: a plain run records 1 rank" 'grep -q "^mpi_ranks: 1$" grid-one/provenance.yaml'
check "provenance: the jobs per rank add up to the 24 jobs" \
    'sed -n "s/^mpi_jobs_per_rank: \[\(.*\)\]$/\1/p" grid-np3/provenance.yaml | awk -F", " "{ if (NF != 3 || \$1 + \$2 + \$3 != 24) exit 1 }"'

# the refit of the best cell runs data-parallel over the ranks (als_dpals): model/ and best.yaml
# are the single-process bytes (compared above for -np 1, 2, 3); provenance says how many ranks
check "refit: data-parallel over 2 and 3 ranks (provenance)" \
    'grep -q "^mpi_refit_ranks: 2$" grid-np2/provenance.yaml && grep -q "^mpi_refit_ranks: 3$" grid-np3/provenance.yaml && grep -q "^mpi_refit_ranks: 3$" search_tpe-np3/provenance.yaml'
check "refit: the whole model folder is the single-process one at -np 2 and 3" \
    'diff -r grid-one/model grid-np2/model >/dev/null && diff -r grid-one/model grid-np3/model >/dev/null'
# implicit feedback (the Gram chain over the ranks), bias and nonnegative refits: the same bytes
sed 's/^  maxIter: \[3, 6\]$/  maxIter: [3]\n  implicitPrefs: [true]\n  alpha: [2.0]/; s/^metric: rmse$/metric: ndcg@5/' grid.yaml >implicit.yaml
sed 's/^  maxIter: \[3, 6\]$/  maxIter: [3]\n  bias: [true]\n  nonnegative: [true]/' grid.yaml >biasnn.yaml
for y in implicit biasnn; do
    run "$ALSTUNE" tune $y.yaml --out $y-one -q --no-report -t 2
    check "refit $y: the single-process run" '[ $RC = 0 ] && [ -f $y-one/model/user_factors.npy ]'
    for np in 2 3; do
        run mpi $np tune $y.yaml --out $y-np$np -q --no-report -t 1
        check "refit $y: mpirun -np $np: best.yaml and model/ are the single-process bytes, refit over $np ranks" \
            '[ $RC = 0 ] && same $y-one $y-np$np "best.yaml summary.csv" && diff -r $y-one/model $y-np$np/model >/dev/null && grep -q "^mpi_refit_ranks: $np$" $y-np$np/provenance.yaml'
    done
done
# BPMF refits on rank 0 alone (not data-parallel): the same bytes, mpi_refit_ranks 1
cat >bpmf.yaml <<'YAML'
name: mpibpmf
data:
  synthetic: {preset: ml-100k, seed: 4, users: 120, items: 300, ratings: 4000, min_per_user: 5}
split: {testFraction: 0.2, numFolds: 3, seed: 42}
als: {model: bpmf, rank: [2, 4], alpha: [2], samples: [4], seed: 1, bpmf: {burnin: 2}}
metric: rmse
YAML
run "$ALSTUNE" tune bpmf.yaml --out bpmf-one -q --no-report -t 2
check "refit bpmf: the single-process run" '[ $RC = 0 ] && [ -f bpmf-one/best.yaml ]'
run mpi 2 tune bpmf.yaml --out bpmf-np2 -q --no-report -t 1
check "refit bpmf: mpirun -np 2 refits on rank 0 alone, the single-process bytes" \
    '[ $RC = 0 ] && same bpmf-one bpmf-np2 "best.yaml summary.csv" && diff -r bpmf-one/model bpmf-np2/model >/dev/null && grep -q "^mpi_refit_ranks: 1$" bpmf-np2/provenance.yaml'

# progress from rank 0 only: one line per 10 %, not one per rank
run mpi 3 tune grid.yaml --out grid-log -t 1 --no-report
check "progress: the 100% line once" '[ "$(printf "%s\n" "$ERR" | grep -c "24/24 jobs done")" = 1 ]'
check "the final table once" '[ "$(printf "%s\n" "$OUT" | grep -c "^best params")" = 1 ]'
check "refit: rank 0 says once that it is data-parallel over 3 ranks" \
    '[ "$(printf "%s\n" "$ERR" | grep -c "refit of the best cell: data-parallel ALS over 3 MPI ranks")" = 1 ]'

# a bad experiment: rank 0's message only, exit 2
printf 'name: bad\ndata:\n  synthetic: {preset: ml-100k}\nals:\n  rank: [0]\n' >bad.yaml
run mpi 2 tune bad.yaml --out bad -q
check "bad experiment under mpirun: exit 2" '[ $RC = 2 ]'
check "bad experiment under mpirun: the message once" '[ "$(printf "%s\n" "$ERR" | grep -c "bad.yaml:5")" = 1 ]'

# --dry-run under mpirun: the split per rank
run mpi 2 tune grid.yaml --dry-run
check "dry-run: the job split over 2 ranks" \
    'printf "%s\n" "$OUT" | grep -q "job split over 2 MPI ranks" && printf "%s\n" "$OUT" | grep -Eq "^#   rank 1: [0-9]+ jobs"'

# kill -9 of one rank: the run stops (non-zero), the jobs journaled so far stay, a rerun with
# another -np resumes to the same bytes
# jobs of about a second on an idle machine: the kill and SIGINT below land while the run is busy
cat >big.yaml <<'YAML'
name: mpikill
data:
  synthetic: {preset: ml-100k, seed: 4}
split:
  testFraction: 0.2
  numFolds: 3
  seed: 42
als:
  rank: [8, 16, 24, 32]
  regParam: [0.05, 0.1, 0.2]
  maxIter: [10, 20]
  seed: 1
metric: rmse
YAML
run "$ALSTUNE_HEAVY" tune big.yaml --out big-one -q -t 2
# the larger grid's jobs take long enough that the other ranks (ready once their folds are built)
# get some of them
run mpih 3 tune big.yaml --out big-np3 -q -t 1
check "larger grid, -np 3: the single-process bytes" '[ $RC = 0 ] && same big-one big-np3'
check "larger grid, -np 3: the jobs per rank add up to 36, the other ranks ran some" \
    'sed -n "s/^mpi_jobs_per_rank: \[\(.*\)\]$/\1/p" big-np3/provenance.yaml | awk -F", " "{ if (NF != 3 || \$1 + \$2 + \$3 != 36 || \$2 + \$3 < 1) exit 1 }"'
mpih 3 tune big.yaml --out big-kill -q -t 1 >kill.out 2>kill.err &
MPID=$!
rows=0
for i in $(seq 1 600); do
    rows=$(cat big-kill/folds.csv 2>/dev/null | wc -l)
    [ "$rows" -gt 4 ] && break
    sleep 0.05
done
victim=""
for p in $(pgrep -f "tune big.yaml --out big-kill"); do
    r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    [ "$r" = 1 ] && victim=$p
done
[ -n "$victim" ] && kill -9 "$victim"
wait $MPID
krc=$?
done_rows=$(($(wc -l <big-kill/folds.csv) - 1))
check "kill -9 of rank 1: the run stops with a non-zero status" '[ -n "$victim" ] && [ $krc != 0 ]'
check "kill -9 of rank 1: mpirun names the rank that died" 'grep -q "rank 1" kill.err'
check "kill -9 of rank 1: completed jobs kept (some, not all)" '[ $done_rows -ge 2 ] && [ $done_rows -lt 72 ]'
run mpih 2 tune big.yaml --out big-kill -q -t 1
check "rerun with -np 2 after the kill: exit 0" '[ $RC = 0 ]'
check "rerun: it resumed" 'grep -Eq "^jobs_resumed: [1-9]" big-kill/provenance.yaml'
check "rerun: the outputs are the single-process bytes" 'same big-one big-kill'

# Ctrl-C on mpirun: it passes SIGTERM to the ranks; rank 0 says so, the jobs done are kept
"$MPIRUN" --oversubscribe -np 3 "$ALSTUNE_HEAVY" tune big.yaml --out big-int -q -t 1 >int.out 2>int.err &
MPID=$!
for i in $(seq 1 600); do
    [ "$(cat big-int/folds.csv 2>/dev/null | wc -l)" -gt 4 ] && break
    sleep 0.05
done
kill -INT $MPID
wait $MPID
irc=$?
check "SIGINT to mpirun: non-zero, rank 0 says interrupted once" \
    '[ $irc != 0 ] && [ "$(grep -c "interrupted by SIGTERM; completed jobs are saved" int.err)" = 1 ]'
run mpih 2 tune big.yaml --out big-int -q -t 1
check "SIGINT to mpirun, then a rerun with -np 2: the single-process bytes" '[ $RC = 0 ] && same big-one big-int'
finish
