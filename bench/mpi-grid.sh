#!/bin/sh
# bench/mpi-grid.sh — MPI ranks against threads on the same cores: the ml-100k seed grid
# (experiments/ml-100k.yaml: 16 configs × maxIter 5,10,20, 5 folds, 80 jobs, on the real
# MovieLens 100k) as `mpirun -np 2 alstune tune --threads 1` and as one process with
# `--threads 2`, alternating (so both see the same machine load), REPS times each.  Prints
# every wall time, the best of each and the speed ratio ranks/threads = t_threads / t_ranks
# (goal >= 0.9), and checks that summary.csv and best.yaml are the same bytes.
#   bench/mpi-grid.sh [path/to/alstune] [path/to/u.data] [REPS]
set -eu
. "$(dirname "$0")/lib.sh"
bin=${1:-$top/alstune}
data=${2:-$ML100K}
reps=${3:-3}
np=2
need_ml100k "$data"
command -v mpirun >/dev/null 2>&1 || { echo "bench: no mpirun (apt-get install openmpi-bin)" >&2; exit 2; }
"$bin" --version | grep -q '^MPI: [^n]' || { echo "bench: $bin was built without MPI" >&2; exit 2; }
mpi_allow_root
make_tmp
sed "s|^  ratings: .*|  ratings: $data|; /^  movies: /d" "$top/experiments/ml-100k.yaml" >"$tmp/g.yaml"
wall() { # command...: prints its wall seconds
    s=$(date +%s.%N); "$@"; e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN {printf "%.3f\n", b - a}'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN {print (b == "" || a < b) ? a : b}'; }
br=""; bt=""
for i in $(seq 1 "$reps"); do
    tr=$(wall mpirun --oversubscribe --bind-to none -np $np "$bin" tune "$tmp/g.yaml" --out "$tmp/ranks" --fresh --quiet --no-report --threads 1)
    tt=$(wall "$bin" tune "$tmp/g.yaml" --out "$tmp/threads" --fresh --quiet --no-report --threads $np)
    echo "run $i: mpirun -np $np x 1 thread ${tr} s, 1 process x $np threads ${tt} s"
    br=$(min "$tr" "$br"); bt=$(min "$tt" "$bt")
    echo "$tt $tr" >>"$tmp/pairs"
done
# the median of the per-pair ratios: each pair ran back to back, under about the same load
printf 'median of the %d pairwise ratios t_threads/t_ranks: %.3f\n' "$reps" \
    "$(awk '{print $1 / $2}' "$tmp/pairs" | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
printf 'best of %d: ranks %.3f s, threads %.3f s, speed ranks/threads %.3f (goal >= 0.9)\n' "$reps" "$br" "$bt" \
    "$(awk -v r="$br" -v t="$bt" 'BEGIN {print t / r}')"
sed -n 's/^mpi_jobs_per_rank: /jobs per rank (last ranks run): /p' "$tmp/ranks/provenance.yaml"
for f in summary.csv best.yaml folds.csv; do
    cmp -s "$tmp/ranks/$f" "$tmp/threads/$f" && echo "$f identical" || echo "$f DIFFERS"
done
