#!/bin/sh
# Signals and the results folder's lock.
#  - `tune` is stopped at 20 moments (a fixed, seeded list of fractions of an uninterrupted run's
#    wall time) by SIGKILL, SIGTERM and SIGINT in turn; SIGINT/SIGTERM must stop cleanly (exit
#    130/143, the resume hint, no temporary file); then a rerun resumes, and every output must be
#    byte-identical to the uninterrupted run's.
#  - two `tune` processes on one folder: the second is refused at once (exit 5, the holder's pid).
. "$(dirname "$0")/lib.sh"
SCALE=${ALSTUNE_TIME_SCALE:-1}   # `make valgrind` runs alstune ~30x slower: wait longer
FIX="$TOP_SRCDIR/tests/fixtures/tune"
cat > "$WORK/s.yaml" <<EOY
name: signals
data:
  synthetic: {preset: ml-100k, seed: 4, users: 600, items: 400, ratings: 25000, min_per_user: 10}
split: {testFraction: 0.1, numFolds: 3, seed: 2}
als: {rank: [4, 8, 12], regParam: [0.05, 0.2], maxIter: [4, 8], seed: 3}
metric: rmse
EOY
DET="experiment.yaml folds.csv iterations.csv summary.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy model/user_ids.txt model/item_ids.txt model/seen.csr plots/heatmap.svg plots/spread.svg plots/learning.svg plots/heatmap.gp plots/spread.gp plots/learning.gp"
# report.md without the provenance rows that differ run to run, the folder's name replaced
report_core() {
    grep -v -E '^\| (start|end|wall\\_seconds|jobs\\_resumed) \|' "$1/report.md" | sed "s|$1|DIR|g"
}
same_as_ref() {
    for f in $DET; do cmp -s "$WORK/ref/$f" "$1/$f" || { echo "differs: $f"; return 1; }; done
    report_core "$WORK/ref" > "$WORK/r1"; report_core "$1" > "$WORK/r2"
    cmp -s "$WORK/r1" "$WORK/r2" || { echo "differs: report.md"; return 1; }
}
now() { date +%s.%N; }

t0=$(now)
run "$ALSTUNE" tune "$WORK/s.yaml" --out "$WORK/ref" --quiet --threads 2
wall=$(echo "$t0 $(now)" | awk '{print $2 - $1}')
check "uninterrupted reference run (${wall}s)" '[ $RC = 0 ] && [ -s "$WORK/ref/report.html" ]'

# 20 moments: fractions of the reference wall time in [0.02, 0.95), seeded, so the list is the
# same on every run; the signals cycle KILL, TERM, INT
MOMENTS=${ALSTUNE_SIGNAL_MOMENTS:-20}   # `make valgrind` uses fewer
fracs=$(awk -v n="$MOMENTS" 'BEGIN {srand(20261205); for (i = 0; i < n; i++) printf "%.3f ", 0.02 + 0.93 * rand()}')
i=0 bad_stop="" bad_resume="" n_stopped=0 n_finished=0 n_killed=0
for f in $fracs; do
    case $((i % 3)) in 0) sig=KILL want=137 ;; 1) sig=TERM want=143 ;; 2) sig=INT want=130 ;; esac
    i=$((i + 1))
    dir="$WORK/k$i"
    delay=$(echo "$f $wall" | awk '{printf "%.3f", $1 * $2}')
    "$ALSTUNE" tune "$WORK/s.yaml" --out "$dir" --quiet --threads 2 >"$WORK/out.$i" 2>"$WORK/err.$i" &
    pid=$!
    sleep "$delay"
    kill -s $sig $pid 2>/dev/null
    { wait $pid; } 2>/dev/null
    rc=$?
    if [ $rc = 0 ]; then
        n_finished=$((n_finished + 1))   # finished before the signal came
    elif [ $rc = $want ] && { [ $sig = KILL ] || [ ! -s "$WORK/err.$i" ]; }; then
        n_killed=$((n_killed + 1))   # SIGKILL, or a signal that came before the handlers were set
    elif [ $rc = $want ]; then
        n_stopped=$((n_stopped + 1))
        grep -q "^alstune tune: interrupted by SIG$sig; completed jobs are saved; resume with: alstune tune $WORK/s.yaml --out $dir\$" "$WORK/err.$i" ||
            bad_stop="$bad_stop [#$i SIG$sig after ${delay}s: message: $(head -c 300 "$WORK/err.$i")]"
        [ -z "$(find "$dir" -name '*.tmp.*' 2>/dev/null)" ] || bad_stop="$bad_stop [#$i SIG$sig: temporary files left]"
    else
        bad_stop="$bad_stop [#$i SIG$sig after ${delay}s: exit $rc, wanted $want: $(head -c 300 "$WORK/err.$i")]"
    fi
    run "$ALSTUNE" tune "$WORK/s.yaml" --out "$dir" --quiet --threads 2
    why=$(same_as_ref "$dir") && [ $RC = 0 ] && [ -z "$(find "$dir" -name '*.tmp.*')" ] ||
        bad_resume="$bad_resume [#$i SIG$sig after ${delay}s (exit $rc): rerun exit $RC $why $(printf '%s' "$ERR" | head -c 200)]"
    rm -rf "$dir"
done
echo "# $MOMENTS signals: $n_killed killed, $n_stopped stopped cleanly, $n_finished came after the run had finished"
check "SIGINT/SIGTERM stop with exit 130/143, the resume hint and no temporary file; SIGKILL exits 137" \
    '[ -z "$bad_stop" ] || { echo "$bad_stop"; false; }'
check "after each of the $MOMENTS signals, the resumed run's outputs are byte-identical to the uninterrupted run's" \
    '[ -z "$bad_resume" ] || { echo "$bad_resume"; false; }'
check "at least a quarter of the $MOMENTS moments fell inside the run" '[ $((n_killed + n_stopped)) -ge $((MOMENTS / 4)) ]'
check "at least one SIGINT or SIGTERM stopped the run cleanly" '[ $n_stopped -ge 1 ]'

# SIGINT while the jobs run: stops at once (well before the run would end), then resumes
"$ALSTUNE" tune "$FIX/slow.yaml" --out "$WORK/int" --threads 1 >/dev/null 2>"$WORK/err.int" &
pid=$!
n=0
while [ $n -lt $((500 * SCALE)) ] && [ "$(cat "$WORK/int/folds.csv" 2>/dev/null | wc -l)" -lt 3 ]; do
    kill -0 $pid 2>/dev/null || break
    sleep 0.02; n=$((n + 1))
done
kill -INT $pid; wait $pid; rc=$?
rows=$(($(wc -l < "$WORK/int/folds.csv") - 1))
check "SIGINT during the jobs: exit 130, the journal keeps whole jobs only ($rows of 80 fold rows)" \
    '[ $rc = 130 ] && [ $((rows % 2)) = 0 ] && [ $rows -lt 80 ] && [ -z "$(find "$WORK/int" -name "*.tmp.*")" ]'
check "no summary is written by an interrupted run" '[ ! -e "$WORK/int/summary.csv" ]'
run "$ALSTUNE_HEAVY" tune "$FIX/slow.yaml" --out "$WORK/int" --no-report
check "the rerun resumes the interrupted run" '[ $RC = 0 ] && printf "%s" "$ERR" | grep -q "resuming in .* jobs already done"'

# the lock: a second tune on the same folder is refused while the first runs
"$ALSTUNE_HEAVY" tune "$FIX/slow.yaml" --out "$WORK/lock" --threads 1 --quiet --no-report >/dev/null 2>&1 &
pid=$!
n=0
while [ $n -lt $((500 * SCALE)) ] && [ "$(cat "$WORK/lock/alstune.lock" 2>/dev/null)" != "$pid" ]; do
    kill -0 $pid 2>/dev/null || break
    sleep 0.02; n=$((n + 1))
done
run "$ALSTUNE" tune "$FIX/slow.yaml" --out "$WORK/lock" --quiet --no-report
running=no; kill -0 $pid 2>/dev/null && running=yes
expect_fail "a second tune on a locked folder is refused at once: exit 5 naming the holder's pid" 5 \
    "^$WORK/lock: error: results folder in use by another alstune tune \(pid $pid\); wait for it to finish, or use --out for another folder"
check "the first run was still going when the second was refused" '[ $running = yes ]'
wait $pid; rc=$?
check "the first run completes undisturbed" '[ $rc = 0 ] && [ -s "$WORK/lock/best.yaml" ] && [ $(($(wc -l < "$WORK/lock/folds.csv") - 1)) = 80 ]'
run "$ALSTUNE" tune "$FIX/slow.yaml" --out "$WORK/lock" --quiet --no-report
check "once the first has finished, the folder is free again" '[ $RC = 0 ]'
finish
