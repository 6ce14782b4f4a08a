#!/bin/sh
# bench/bench_dpals.sh — measurements of data-parallel ALS (docs/scale-dataparallel.md).
#
#   bench/bench_dpals.sh [PRESET [ITERS [RANKS]]]     (from the build directory; default ml-25m 3 "1 2 4")
#
# On `alstune gen --preset PRESET` data: plain `train` with 1 and 2 threads, then
# `mpirun --oversubscribe -np P alstune train --mpi=lists|allgather` with one thread per rank for
# each P in RANKS (checking that every model folder equals the single-process one), the OpenBLAS
# SSYRK rate, the MPI ping-pong latency/bandwidth and the exact list volumes for 1..64 ranks; then
# bench/dpals_model.py fits the model's constants and prints the table and the projection.
# Everything runs under nice; the load average is recorded (the machine is shared).
# Results go to $OUT (default bench/dpals-PRESET/).
set -eu
PRESET=${1:-ml-25m}
ITERS=${2:-3}
RANKS=${3:-1 2 4}
B=${BUILDDIR:-.}
SRC=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
OUT=${OUT:-bench/dpals-$PRESET}
A=$B/alstune
MPIRUN=${MPIRUN:-mpirun}
mkdir -p "$OUT"
data=$OUT/data/ratings.csv
[ -r "$data" ] || nice "$A" gen --preset "$PRESET" -o "$OUT/data" -q
. "$(dirname "$0")/lib.sh"
mpi_allow_root
{ date -u; nproc; uptime; } >"$OUT/load-start.txt"
nice "$B/bench/bench_dpals" syrk 1 >"$OUT/syrk.txt"
nice "$MPIRUN" --oversubscribe -np 2 "$B/bench/bench_dpals" pingpong >"$OUT/pingpong.txt"
nice "$B/bench/bench_dpals" volumes "$data" 10 1 1 2 4 8 16 32 64 >"$OUT/volumes.txt"
nice "$B/bench/bench_dpals" volumes "$data" 10 128 1 2 4 8 16 32 64 >"$OUT/volumes-implicit.txt"
for t in 1 2; do
    rm -rf "$OUT/single-t$t"
    nice /usr/bin/time -f "maxrss_kB %M" "$A" train "$data" -n "$ITERS" -t "$t" -o "$OUT/single-t$t" \
        >"$OUT/single-t$t.log" 2>&1
done
for np in $RANKS; do
    for ex in lists allgather; do
        [ "$np" = 1 ] && [ "$ex" = allgather ] && continue
        m=$OUT/mpi-np$np-$ex
        rm -rf "$m"
        { uptime; nice "$MPIRUN" --oversubscribe -np "$np" -x OMP_NUM_THREADS=1 "$A" train "$data" -n "$ITERS" \
            -t 1 --mpi="$ex" -o "$m" 2>&1; } >"$m.log"
        if diff -r "$OUT/single-t1" "$m" >/dev/null; then echo "identical yes" >>"$m.log"; else
            echo "identical NO" >>"$m.log"; fi
        rm -rf "$m"
    done
done
{ date -u; uptime; } >"$OUT/load-end.txt"
rm -rf "$OUT/single-t1" "$OUT/single-t2"
python3 "$SRC/bench/dpals_model.py" "$OUT" | tee "$OUT/model.txt"
