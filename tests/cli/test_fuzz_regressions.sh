#!/bin/sh
# test_fuzz_regressions.sh — the fuzzing corpora in `make check` (docs/fuzzing.md):
#  1. every seed (fuzz/corpus/T/*) and regression input (fuzz/regressions/T/*) goes through the
#     harness of target T, built as a plain program (fuzz/replay_T): no crash, no violated
#     invariant, no sanitizer report (in the --enable-sanitizers build);
#  2. every input is unpacked into the files it stands for and fed to the alstune command that
#     reads them (fuzz/replay_T --unpack writes DIR/cli-args): the command may succeed (0), fail
#     the gate (1) or reject the input (2, with a 'path[:line[:col]]: error:' message), never
#     crash or exit otherwise.  A regression input (a bug the fuzzers found) must be rejected:
#     exit 2 with a 'path:line[:col]: error:' message.
. "$(dirname "$0")/lib.sh"
FUZZ_BIN=${FUZZ_BIN:-$(dirname "$ALSTUNE")/fuzz}
targets="ratings movies yaml model baseline results yflat"

# cli TARGET INPUT: unpack INPUT and run the command; sets RC/OUT/ERR; returns 1 if it could not
cli() {
    rm -rf "$WORK/u"
    "$FUZZ_BIN/replay_$1" --unpack "$WORK/u" "$2" >/dev/null 2>&1 || return 1
    [ -f "$WORK/u/cli-args" ] || return 1
    set --
    while IFS= read -r a; do set -- "$@" "$a"; done <"$WORK/u/cli-args"
    (cd "$WORK" && run "$ALSTUNE" "$@"; echo "$RC" >"$WORK/.rc")
    RC=$(cat "$WORK/.rc"); ERR=$(cat "$WORK/.err")
    return 0
}

for t in $targets; do
    for kind in corpus regressions; do
        dir=$TOP_SRCDIR/fuzz/$kind/$t
        set -- "$dir"/*
        if [ ! -e "$1" ]; then
            [ "$kind" = corpus ] && check "fuzz $t: seed corpus exists" false
            continue
        fi
        n=$#
        run "$FUZZ_BIN/replay_$t" "$@"
        check "fuzz $t: $n $kind inputs replay through the harness without a crash" '[ "$RC" = 0 ]'
        bad=""
        for f in "$dir"/*; do
            if ! cli "$t" "$f"; then bad="$bad $(basename "$f")(unpack)"; continue; fi
            case $kind:$RC in
            corpus:0|corpus:1) ;;
            corpus:2) printf '%s\n' "$ERR" | grep -Eq '(^|: )error: ' || bad="$bad $(basename "$f")(exit 2 without 'error:')" ;;
            regressions:2) printf '%s\n' "$ERR" | grep -Eq '^[^ ]+:[0-9]+(:[0-9]+)?: error: ' ||
                bad="$bad $(basename "$f")(exit 2 without a 'path:line: error:' message)" ;;
            *) bad="$bad $(basename "$f")(exit $RC: $(printf '%s' "$ERR" | tail -n 3 | tr '\n' ' '))" ;;
            esac
        done
        [ -z "$bad" ] || printf '# failing inputs:%s\n' "$bad"
        check "fuzz $t: the command line reads all $n $kind inputs without a crash" '[ -z "$bad" ]'
    done
done
finish
