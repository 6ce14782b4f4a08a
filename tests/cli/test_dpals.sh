#!/bin/sh
# Data-parallel ALS (alstune train --mpi, docs/scale-dataparallel.md): under
# `mpirun --oversubscribe -np 1/2/3` the model folder is byte-identical to plain `train` (explicit,
# implicit with Cholesky and CG, bias, nonnegative; both exchanges), only rank 0 writes and prints,
# and the refusals are clear.  Skipped when built without MPI or mpirun is missing.
. "$(dirname "$0")/lib.sh"

DATA=$SHARED_DATA/ml-100k/u.data
: "${MPIRUN:=}"

# --mpi outside mpirun is refused whatever the build
run "$ALSTUNE" train "$DATA" -n 1 --mpi -o "$WORK/x"
expect_fail "--mpi outside mpirun is refused" 2 "(must be started by mpirun|built without MPI)"
check "nothing written on refusal" '[ ! -e "$WORK/x" ]'
run "$ALSTUNE" train "$DATA" -n 1 --mpi=ring -o "$WORK/x"
expect_fail "--mpi with an unknown exchange is refused" 2 "--mpi expects auto, lists or allgather, got 'ring'"

if ! grep -q '^#define HAVE_MPI 1' "$TOP_SRCDIR/config.h" 2>/dev/null && ! grep -q '^#define HAVE_MPI 1' "$(dirname "$ALSTUNE")/config.h" 2>/dev/null; then
    # the non-MPI build: the refusal names the cause
    run env OMPI_COMM_WORLD_SIZE=1 "$ALSTUNE" train "$DATA" -n 1 --mpi -o "$WORK/x"
    expect_fail "built without MPI: --mpi says so" 2 "built without MPI"
    skip "data-parallel equals single-process" "built without MPI"
    finish
    exit $?
fi
if [ -z "$MPIRUN" ] || ! command -v "$MPIRUN" >/dev/null 2>&1; then
    skip "data-parallel equals single-process" "mpirun not found"
    finish
    exit $?
fi
if [ ! -r "$DATA" ]; then
    skip "data-parallel equals single-process" "no ml-100k data at $DATA"
    finish
    exit $?
fi
# OpenMPI refuses to run as root unless told; set here only, never on the user's machine.
if [ "$(id -u)" = 0 ]; then
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
fi
# In a sanitizer build LeakSanitizer reports OpenMPI's own allocations at exit from components it
# has unloaded (no symbols to suppress them by): leak checking is off for the MPI processes only;
# ASan's and UBSan's other checks stay on.
mpi() { # NP ARGS...: alstune under mpirun, one thread per rank
    np=$1
    shift
    run env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$MPIRUN" --oversubscribe -np "$np" \
        -x OMP_NUM_THREADS=1 "$ALSTUNE" "$@"
}

for case in "explicit:-k 8" "implicit:-k 12 --implicitPrefs -a 3" "cg:-k 12 --implicitPrefs --solver cg" \
    "bias:-k 7 --bias" "nonneg:-k 5 --nonnegative --bias"; do
    cname=${case%%:*}
    opts=${case#*:}
    # shellcheck disable=SC2086
    run "$ALSTUNE" train "$DATA" -n 2 $opts -q -o "$WORK/$cname.single"
    check "$cname: single-process model" '[ "$RC" = 0 ]'
    for np in 1 2 3; do
        for ex in lists allgather; do
            [ "$np" = 1 ] && [ "$ex" = allgather ] && continue
            # shellcheck disable=SC2086
            mpi "$np" train "$DATA" -n 2 $opts --mpi=$ex -o "$WORK/$cname.$np.$ex"
            check "$cname: -np $np --mpi=$ex equals single-process bitwise" \
                '[ "$RC" = 0 ] && diff -r "$WORK/$cname.single" "$WORK/$cname.$np.$ex" >/dev/null'
        done
    done
done

# rank 0 prints: one summary line per rank, one 'iteration' line per iteration
mpi 2 train "$DATA" -n 3 --mpi -o "$WORK/p"
check "one line per rank from rank 0" '[ "$(printf "%s\n" "$ERR" | grep -c "^rank [01]/2 ")" = 2 ]'
check "iteration lines printed once" '[ "$(printf "%s\n" "$ERR" | grep -c "^iteration ")" = 3 ]'
check "auto picks an exchange per table" 'printf "%s\n" "$ERR" | grep -Eq "users_table (lists|allgather)  items_table (lists|allgather)"'

# errors agree over the ranks and are printed once
mpi 2 train "$DATA" -n 1 -r 0 -k 40 --mpi -o "$WORK/bad"
expect_fail "a singular system stops every rank with one message" 4 "are singular"
check "the message is printed once" '[ "$(printf "%s\n" "$ERR" | grep -c "are singular")" = 1 ]'
check "nothing written on failure" '[ ! -e "$WORK/bad" ]'
mpi 2 train "$WORK/missing.csv" --mpi -o "$WORK/bad"
expect_fail "a missing file stops every rank, exit 2" 2 "missing.csv: error: cannot open file"
check "its message is printed once" '[ "$(printf "%s\n" "$ERR" | grep -c "missing.csv")" = 1 ]'
mpi 2 train "$DATA" --model bpmf --mpi -o "$WORK/bad"
expect_fail "--mpi with bpmf is refused" 2 "--mpi trains ALS only"

finish
