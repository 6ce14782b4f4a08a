#!/bin/sh
# bench/mpi-load.sh — how ranks get the data (docs/scale.md "MPI ranks: Data"): every rank reads
# the ratings file itself (what alstune does) against rank 0 reading it and broadcasting the
# parsed ratings (12 bytes a rating: user, item, rating) with MPI_Bcast.  On ml-25m-sized data
# from `alstune gen --preset ml-25m` it measures
#   1. the load phase of one process alone (timings.csv, row load),
#   2. rank 0's load phase while NP ranks read the same file at once (mpirun -np NP),
#   3. MPI_Bcast of 12 n bytes from rank 0 to NP ranks (a small MPI program built with mpicc),
# so per-rank reading costs (2) and broadcasting costs (1) + (3).
#   bench/mpi-load.sh [path/to/alstune] [NP]
set -eu
. "$(dirname "$0")/lib.sh"
bin=${1:-$top/alstune}
np=${2:-2}
command -v mpicc >/dev/null 2>&1 || { echo "bench: no mpicc (apt-get install libopenmpi-dev)" >&2; exit 2; }
mpi_allow_root
make_tmp
"$bin" gen --preset ml-25m --seed 1 -o "$tmp/data" >/dev/null
n=$(($(wc -l <"$tmp/data/ratings.csv") - 1))
cat >"$tmp/t.yaml" <<EOY
name: load
data: {ratings: $tmp/data/ratings.csv}
split: {testFraction: 0.1, numFolds: 2, seed: 1}
als: {rank: [2], regParam: [0.1], maxIter: [1]}
metric: rmse
EOY
load_of() { awk -F, '$1 == "load" {print $4}' "$1/timings.csv"; }
"$bin" tune "$tmp/t.yaml" --out "$tmp/one" --quiet --no-report --threads 1
mpirun --oversubscribe --bind-to none -np "$np" "$bin" tune "$tmp/t.yaml" --out "$tmp/ranks" --quiet --no-report --threads 1
cat >"$tmp/bcast.c" <<'EOC'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    size_t bytes = strtoull(argv[1], NULL, 10);
    char *buf = malloc(bytes);
    memset(buf, rank == 0 ? 7 : 0, bytes);
    const size_t chunk = (size_t)1 << 30;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (size_t off = 0; off < bytes; off += chunk)
        MPI_Bcast(buf + off, (int)(bytes - off < chunk ? bytes - off : chunk), MPI_BYTE, 0, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    double t = MPI_Wtime() - t0;
    if (rank == 0)
        printf("%.3f\n", t);
    free(buf);
    MPI_Finalize();
    return 0;
}
EOC
mpicc -O2 -o "$tmp/bcast" "$tmp/bcast.c"
tb=$(mpirun --oversubscribe --bind-to none -np "$np" "$tmp/bcast" $((12 * n)))
l1=$(load_of "$tmp/one"); ln=$(load_of "$tmp/ranks")
printf '%d ratings (%d MB CSV), %d ranks on %d cores\n' "$n" $(($(stat -c %s "$tmp/data/ratings.csv") / 1000000)) "$np" "$(nproc)"
printf 'one process alone: load %.2f s\n' "$l1"
printf 'every rank reads (rank 0 while %d ranks read at once): load %.2f s\n' "$np" "$ln"
printf 'broadcast instead: load %.2f s + MPI_Bcast of %d MB %.2f s = %.2f s\n' "$l1" $((12 * n / 1000000)) "$tb" \
    "$(awk -v a="$l1" -v b="$tb" 'BEGIN {print a + b}')"
