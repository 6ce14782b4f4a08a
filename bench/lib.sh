# bench/lib.sh — the common start of the bench/*.sh scripts, sourced after `set -eu`:
#   $top                the source tree (the folder above the script's own)
#   $ML100K             the default MovieLens 100k ratings: ../shared/data/ml-100k/u.data
#   need_ml100k FILE    exits 2 with a message when FILE (a u.data) is missing
#   make_tmp            sets $tmp to a new scratch folder, removed when the script exits
#   mpi_allow_root      lets mpirun run as root (OpenMPI refuses unless told), in this script only
top=$(cd "$(dirname "$0")/.." && pwd)
ML100K=$top/../shared/data/ml-100k/u.data
need_ml100k() { [ -f "$1" ] || { echo "bench: no MovieLens 100k at $1" >&2; exit 2; }; }
make_tmp() { tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; }
mpi_allow_root() {
    if [ "$(id -u)" = 0 ]; then
        OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
    fi
}
