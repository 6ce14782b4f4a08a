#!/bin/sh
# The layers of docs/architecture.md, checked on the sources with grep:
#   - no library file (src/als_*) includes a header of the command-line layer (src/cli/);
#   - every library module has a layer, and includes only headers of its own layer or below;
#   - the include graph has no cycle, between files or between modules (tsort finds loops);
#   - the library never exits and never writes to stdout/stderr (it returns als_status + als_diag).
# The layer table below is the one of docs/architecture.md; a new module must be added to both.
. "$(dirname "$0")/lib.sh"

SRC=$TOP_SRCDIR/src

# module -> layer (0 error, 1 foundation, 2 domain, 3 application; the CLI is 4)
layer_of() {
    case $1 in
    als_error | als_limits) echo 0 ;;
    als_util | als_mpi | als_sbuf | als_csv | als_yflat | als_sparse | als_kernels | als_kernels_tmpl | als_metrics | \
        als_data | als_solver | als_dpals | als_split | als_synth | als_stats | als_stats_test | als_search | als_bpmf | \
        als_importance) echo 1 ;;
    als_model | als_config | als_eval | als_estimate) echo 2 ;;
    als_runner | als_results | als_plot | als_report | als_check) echo 3 ;;
    *) echo "" ;;
    esac
}

# quoted includes of a file, one name per line (config.h is autoconf's, not a module)
includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1" | grep -v '^config\.h$'; }

# --- the library includes nothing from src/cli/
cli_headers=$(cd "$SRC/cli" && ls ./*.h | sed 's|^\./||')
bad=""
for f in "$SRC"/als_*.c "$SRC"/als_*.h; do
    for h in $(includes "$f"); do
        case $h in
        cli/* | ../*) bad="$bad $(basename "$f"):$h" ;;
        esac
        for c in $cli_headers; do
            [ "$h" = "$c" ] && bad="$bad $(basename "$f"):$h"
        done
    done
done
check "no library file includes a CLI header (src/cli/*.h)" '[ -z "$bad" ] || { echo "# $bad"; false; }'

# --- every library module has a layer and includes only its own layer or below
unknown="" up=""
edges="$WORK/edges" fedges="$WORK/fedges"
: >"$edges"
: >"$fedges"
for f in "$SRC"/als_*.c "$SRC"/als_*.h; do
    b=$(basename "$f")
    m=${b%.*}
    lm=$(layer_of "$m")
    if [ -z "$lm" ]; then
        unknown="$unknown $m"
        continue
    fi
    for h in $(includes "$f"); do
        echo "$b $h" >>"$fedges"
        hm=${h%.h}
        [ "$hm" = "$m" ] && continue
        lh=$(layer_of "$hm")
        [ -z "$lh" ] && continue # reported as unknown when its own files are visited
        echo "$m $hm" >>"$edges"
        [ "$lh" -gt "$lm" ] && up="$up $b(layer $lm)->$h(layer $lh)"
    done
done
for f in "$SRC"/cli/*.c "$SRC"/cli/*.h; do
    for h in $(includes "$f"); do echo "cli/$(basename "$f") $h" >>"$fedges"; done
done
unknown=$(printf '%s\n' $unknown | sort -u | tr '\n' ' ')
check "every library module has a layer (add new ones to tests/cli/test_layers.sh and docs/architecture.md)" \
    '[ -z "$(printf "%s" "$unknown" | tr -d " ")" ] || { echo "# no layer: $unknown"; false; }'
check "library files include only headers of their own layer or below" '[ -z "$up" ] || { echo "# $up"; false; }'

# --- no include cycle (between modules, and between files)
tsort "$edges" >/dev/null 2>"$WORK/tsort.err"
check "the module include graph has no cycle" '! grep -q . "$WORK/tsort.err" || { sed "s/^/# /" "$WORK/tsort.err"; false; }'
tsort "$fedges" >/dev/null 2>"$WORK/tsort.err"
check "the file include graph has no cycle" '! grep -q . "$WORK/tsort.err" || { sed "s/^/# /" "$WORK/tsort.err"; false; }'

# the checks above can fail: a planted upward include and a planted cycle are caught
printf 'als_util als_report\nals_report als_util\n' >"$WORK/cyc"
tsort "$WORK/cyc" >/dev/null 2>"$WORK/tsort.err"
check "a planted cycle is detected by the same tsort check" 'grep -q . "$WORK/tsort.err"'
check "the layer table ranks util below report" '[ "$(layer_of als_util)" -lt "$(layer_of als_report)" ]'

# --- the library never exits or prints (comment lines skipped)
prints=$(grep -nE '(^|[^A-Za-z0-9_.])(exit|_exit|abort)[[:space:]]*\(|(^|[^A-Za-z0-9_.%])(stdout|stderr)([^A-Za-z0-9_.]|$)|(^|[^A-Za-z0-9_])(printf|puts|perror)[[:space:]]*\(' \
    "$SRC"/als_*.c | grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/\*|\*|//)')
check "no library file calls exit/abort or writes to stdout/stderr" '[ -z "$prints" ] || { printf "%s\n" "$prints" | sed "s/^/# /"; false; }'

# --- main.c is only the dispatcher; the shared helpers live in cli.c
check "main.c defines no als_cli_* helper" '! grep -q "^int als_cli_" "$SRC/cli/main.c"'
check "no command calls getopt_long directly (als_cli_getopt gives one message per bad option)" \
    '! grep -n "getopt_long *(" "$SRC"/cli/cmd_*.c'
finish
