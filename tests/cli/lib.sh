# tests/cli/lib.sh — TAP helpers for alstune's CLI tests (sourced by tests/cli/*.sh).
#
#   run CMD...            runs CMD, capturing $OUT (stdout), $ERR (stderr), $RC (exit status)
#   check NAME COND...    one TAP test: passes when the shell condition COND succeeds
#   expect_fail NAME RC PATTERN   last run exited RC and stderr matches the grep -E PATTERN
#   skip NAME REASON      a skipped test
#   finish                prints the plan; call last
#   kill_tune YAML DIR MINROWS [POLLS] [JOURNAL]   runs `$ALSTUNE_HEAVY tune YAML --out DIR --quiet
#                         --no-report --threads 2` in the background and kill -9s it once JOURNAL
#                         (default DIR/folds.csv) has MINROWS data rows, the run ended, or POLLS
#                         (default 400) polls 0.02 s apart passed; sets KILLED_ROWS to its rows then
#   resume_same YAML FULL KILLED PREFIX [ARGS...]   after kill_tune: reruns `$ALSTUNE_HEAVY tune YAML
#                         --out KILLED --no-report ARGS`; one test that it resumed, one per file of
#                         $DET_FILES that it is byte-identical to FULL's (names start with PREFIX)
#   bad_yaml_cases DIR    one test per stdin line FILE|LINE:COL|MESSAGE: `alstune tune DIR/FILE`
#                         exits 2 with exactly "DIR/FILE:LINE:COL: error: MESSAGE" on stderr,
#                         nothing on stdout and nothing written (redirect stdin from a file:
#                         behind a pipe the tests would be counted in a subshell)
set -u
: "${ALSTUNE:?ALSTUNE must point at the alstune binary (make check sets it)}"
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SHARED_DATA:=$TOP_SRCDIR/../shared/data}"
# ALSTUNE_HEAVY: the binary for the runs on 100 000 ratings (real MovieLens 100k, the embedded
# default grid, the ml-100k-sized experiments that kill_tune interrupts and their uninterrupted
# references).  It is $ALSTUNE, except under `make valgrind` (mk/faults.am), where it is the
# plain binary $ALSTUNE_REAL: one tune of the embedded grid (8.1 CPU seconds natively) was still
# running under memcheck after 7 CPU minutes.  The same code paths (training, the
# journal, resume, the outputs) run under memcheck on the small data of the other runs.
ALSTUNE_HEAVY=${ALSTUNE_REAL:-$ALSTUNE}
TAP_N=0
TAP_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/alstune-cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OUT=""; ERR=""; RC=0

run() {
    "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

_tap() { # status name [diag...]
    TAP_N=$((TAP_N + 1))
    if [ "$1" = 0 ]; then
        echo "ok $TAP_N - $2"
    else
        TAP_FAILED=$((TAP_FAILED + 1))
        echo "not ok $TAP_N - $2"
        shift 2
        for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
    fi
}

check() {
    name=$1; shift
    if eval "$@"; then _tap 0 "$name"; else
        _tap 1 "$name" "condition failed: $*" "exit status: $RC" "stdout: $(printf '%s' "$OUT" | head -c 600)" "stderr: $(printf '%s' "$ERR" | head -c 600)"
    fi
}

expect_fail() {
    name=$1 want=$2 pat=$3
    if [ "$RC" = "$want" ] && printf '%s\n' "$ERR" | grep -Eq -- "$pat"; then _tap 0 "$name"; else
        _tap 1 "$name" "expected exit $want and stderr matching /$pat/" "exit status: $RC" "stderr: $(printf '%s' "$ERR" | head -c 600)"
    fi
}

skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1 # SKIP $2"
}

finish() {
    echo "1..$TAP_N"
    [ "$TAP_FAILED" = 0 ]
}

# the rows of a journal after its header (0 when it is not there yet)
_journal_rows() { echo $(($( (wc -l < "$1") 2>/dev/null || echo 1) - 1)); }

kill_tune() {
    "$ALSTUNE_HEAVY" tune "$1" --out "$2" --quiet --no-report --threads 2 >/dev/null 2>&1 &
    _kt_pid=$!
    _kt_journal=${5:-$2/folds.csv}
    _kt_n=0
    while [ $_kt_n -lt "${4:-400}" ]; do
        [ "$(_journal_rows "$_kt_journal")" -ge "$3" ] && break
        kill -0 $_kt_pid 2>/dev/null || break
        sleep 0.02; _kt_n=$((_kt_n + 1))
    done
    kill -9 $_kt_pid 2>/dev/null; wait $_kt_pid 2>/dev/null
    KILLED_ROWS=$(_journal_rows "$_kt_journal")
}

resume_same() {
    _rs_full=$2 _rs_killed=$3 _rs_prefix=$4
    _rs_yaml=$1
    shift 4
    run "$ALSTUNE_HEAVY" tune "$_rs_yaml" --out "$_rs_killed" --no-report "$@"
    check "rerun resumes and skips finished jobs" '[ $RC = 0 ] && printf "%s" "$ERR" | grep -q "resuming in .* jobs already done"'
    for _rs_f in $DET_FILES; do
        check "${_rs_prefix}after kill -9 + resume, $_rs_f is byte-identical to the uninterrupted run" \
            'cmp -s "$_rs_full/$_rs_f" "$_rs_killed/$_rs_f"'
    done
}

bad_yaml_cases() {
    _by_dir=$1 _by_i=0
    while IFS='|' read -r _by_file _by_pos _by_msg; do
        _by_i=$((_by_i + 1))
        run "$ALSTUNE" tune "$_by_dir/$_by_file" --out "$WORK/bad$_by_i" --quiet --no-report
        check "$_by_file: exit 2, '$_by_pos: error: ...', nothing written" '
            [ $RC = 2 ] && [ -z "$OUT" ] && [ "$ERR" = "$_by_dir/$_by_file:$_by_pos: error: $_by_msg" ] &&
            [ ! -e "$WORK/bad$_by_i" ]'
    done
}
