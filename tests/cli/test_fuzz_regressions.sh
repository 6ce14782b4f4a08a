#!/bin/sh
# test_fuzz_regressions.sh — the fuzzing corpora in `make check` (docs/fuzzing.md):
#  1. every seed (fuzz/corpus/T/*) and regression input (fuzz/regressions/T/*) goes through the
#     harness of target T, built as a plain program (fuzz/replay_T): no crash, no violated
#     invariant, no sanitizer report (in the --enable-sanitizers build);
#  2. every input is unpacked into the files it stands for and fed to the alstune command that
#     reads them (fuzz/replay_T --unpack writes DIR/cli-args): the command may succeed (0), fail
#     the gate (1) or reject the input (2, with a 'path[:line[:col]]: error:' message), never
#     crash or exit otherwise.  A regression input (a bug the fuzzers found) must be rejected by
#     at least one of its commands (exit 2 with a 'path:line[:col]: error:' message), none exits 1.
. "$(dirname "$0")/lib.sh"
FUZZ_BIN=${FUZZ_BIN:-$(dirname "$ALSTUNE")/fuzz}
targets="ratings movies yaml model baseline results yflat"

# cli TARGET INPUT: unpack INPUT and run its commands (DIR/cli-args: one argument a line, "--next"
# between commands); sets CODES (the exit statuses), ERRS (their stderr); returns 1 if it could not
cli() {
    rm -rf "$WORK/u"
    "$FUZZ_BIN/replay_$1" --unpack "$WORK/u" "$2" >/dev/null 2>&1 || return 1
    [ -f "$WORK/u/cli-args" ] || return 1
    CODES=""; ERRS=""
    set --
    while :; do
        IFS= read -r a; more=$?
        if [ $more = 0 ] && [ "$a" != "--next" ]; then set -- "$@" "$a"; continue; fi
        (cd "$WORK" && "$ALSTUNE" "$@" >/dev/null 2>"$WORK/.err")
        CODES="$CODES $?"; ERRS="$ERRS$(cat "$WORK/.err")
"
        set --
        [ $more = 0 ] || break
    done <"$WORK/u/cli-args"
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
            name=$(basename "$f")
            for c in $CODES; do
                case $c in 0|1|2) ;; *) bad="$bad $name(exit $c: $(printf '%s' "$ERRS" | tail -n 3 | tr '\n' ' '))" ;; esac
            done
            if [ "$kind" = corpus ]; then
                case " $CODES " in *" 2 "*)
                    printf '%s\n' "$ERRS" | grep -Eq '(^|: )error: ' || bad="$bad $name(exit 2 without 'error:')" ;;
                esac
            else
                case " $CODES " in
                *" 1 "*) bad="$bad $name(exit 1)" ;;
                *" 2 "*) printf '%s\n' "$ERRS" | grep -Eq '^[^ ]+:[0-9]+(:[0-9]+)?: error: ' ||
                    bad="$bad $name(exit 2 without a 'path:line: error:' message)" ;;
                *) bad="$bad $name(accepted by every command: exit$CODES)" ;;
                esac
            fi
        done
        [ -z "$bad" ] || printf '# failing inputs:%s\n' "$bad"
        check "fuzz $t: the command line reads all $n $kind inputs without a crash" '[ -z "$bad" ]'
    done
done
finish
