# tests/cli/lib.sh — TAP helpers for alstune's CLI tests (sourced by tests/cli/*.sh).
#
#   run CMD...            runs CMD, capturing $OUT (stdout), $ERR (stderr), $RC (exit status)
#   check NAME COND...    one TAP test: passes when the shell condition COND succeeds
#   expect_fail NAME RC PATTERN   last run exited RC and stderr matches the grep -E PATTERN
#   skip NAME REASON      a skipped test
#   finish                prints the plan; call last
set -u
: "${ALSTUNE:?ALSTUNE must point at the alstune binary (make check sets it)}"
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SHARED_DATA:=$TOP_SRCDIR/../shared/data}"
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
