#!/bin/sh
# fuzz/longrun.sh RUNS TARGET... — the long run of docs/fuzzing.md: each target in turn (one at a
# time, nice -n 10) for RUNS executions (or MAXSECS seconds when set, whichever comes first), on
# fuzz/build/corpus/T plus the seed corpus; prints one table row per target: target, executions,
# exec/s, seconds, new units, result.  The working corpus persists, so runs can be topped up.
# Run `make fuzz-build` first (from the build tree; the script runs where it is called from).
runs=${1:?usage: fuzz/longrun.sh RUNS TARGET...}; shift
top=$(cd "$(dirname "$0")/.." && pwd)
for t in "$@"; do
    mkdir -p fuzz/build/corpus/$t fuzz/build/artifacts
    dict=; [ -f "$top/fuzz/$t.dict" ] && dict=-dict=$top/fuzz/$t.dict
    start=$(date +%s)
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    nice -n 10 fuzz/build/fuzz_$t -runs="$runs" ${MAXSECS:+-max_total_time=$MAXSECS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $dict \
        -artifact_prefix=fuzz/build/artifacts/$t- fuzz/build/corpus/$t "$top/fuzz/corpus/$t" \
        >fuzz/build/long-$t.log 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz/build/long-$t.log)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' fuzz/build/long-$t.log)
    new=$(sed -n 's/^stat::new_units_added: *//p' fuzz/build/long-$t.log)
    case $rc in
    0) res="no crash" ;;
    72) res="interrupted, no crash" ;;
    *) res="CRASH (rc $rc, fuzz/build/long-$t.log)" ;;
    esac
    echo "| $t | $execs | $eps | $secs | $new | $res |"
done
