#!/bin/sh
# CLI basics: --help, --version, help SUBCOMMAND, unknown commands, exit codes.
. "$(dirname "$0")/lib.sh"

run "$ALSTUNE" --version
check "--version exits 0" '[ $RC = 0 ]'
check "--version names alstune and OpenBLAS" 'printf "%s" "$OUT" | grep -q "^alstune [0-9]" && printf "%s" "$OUT" | grep -q OpenBLAS'

run "$ALSTUNE" --help
check "--help exits 0 and lists commands" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^  tune" && printf "%s" "$OUT" | grep -q "^  recommend"'

run "$ALSTUNE"
check "no arguments: usage on stderr, exit 2" '[ $RC = 2 ] && printf "%s" "$ERR" | grep -q Usage'

run "$ALSTUNE" frobnicate
expect_fail "unknown command is exit 2 with a message" 2 "unknown command 'frobnicate'"

run "$ALSTUNE" help nosuch
expect_fail "help of an unknown command is exit 2" 2 "no such command 'nosuch'"

# every command that `alstune --help` lists (the list comes from ALS_COMMANDS in src/cli/cli.h)
run "$ALSTUNE" --help
cmds=$(printf '%s\n' "$OUT" | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | grep -v '^help$')
check "--help lists the eleven commands" '[ "$(echo $cmds | wc -w)" -ge 11 ]'
for c in $cmds; do
    run "$ALSTUNE" help "$c"
    check "help $c prints its usage" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "alstune $c"'
    run "$ALSTUNE" "$c" --help
    check "$c --help prints its usage" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "alstune $c"'
done
finish
