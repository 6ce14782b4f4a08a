#!/bin/sh
# The installable library: `make install DESTDIR=...` from the build tree puts libalstune
# (shared with its soname, static), the public headers under include/alstune/ and alstune.pc
# in place; every public header compiles alone from there with only `pkg-config --cflags
# alstune`; tests/install/example.c (train, save, load, recommend) builds and runs against the
# installed shared library (`pkg-config --cflags --libs alstune`) and static library
# (Libs.private); `make uninstall` removes everything again.
#
# Under `make check` (and so inside `make distcheck`) it installs into a DESTDIR of its own.
# `make installcheck` runs it with ALS_INSTALLED=yes against the real $(prefix) instead.
# The variables ALS_* come from AM_TESTS_ENVIRONMENT (Makefile.am).
. "$(dirname "$0")/lib.sh"

: "${ALS_BUILDDIR:=$(dirname "$ALSTUNE")}"
: "${ALS_MAKE:=make}" "${ALS_CC:=cc}" "${ALS_SAN_CFLAGS:=}" "${ALS_INSTALLED:=no}"
if [ -z "${ALS_LIBDIR:-}" ] || [ -z "${ALS_INCLUDEDIR:-}" ] || [ -z "${ALS_PKGCONFIGDIR:-}" ]; then
    skip "install test" "ALS_LIBDIR/ALS_INCLUDEDIR/ALS_PKGCONFIGDIR not set (run it through make check)"
    finish; exit
fi
if ! command -v pkg-config >/dev/null 2>&1; then
    skip "install test" "pkg-config not found"
    finish; exit
fi
# A nested make must not inherit the jobserver or the flags of the `make check` running us.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES $ALS_MAKE -C "$ALS_BUILDDIR" "$@"; }

if [ "$ALS_INSTALLED" = yes ]; then
    DEST=""
else
    DEST=$WORK/dest
    run submake install DESTDIR="$DEST"
    check "make install DESTDIR=... succeeds" '[ $RC = 0 ]'
fi
LIB=$DEST$ALS_LIBDIR
INC=$DEST$ALS_INCLUDEDIR/alstune
PCDIR=$DEST$ALS_PKGCONFIGDIR

# ---- what is installed --------------------------------------------------------------------------
have_shared=no; [ -e "$LIB/libalstune.so" ] && have_shared=yes
have_static=no; [ -e "$LIB/libalstune.a" ] && have_static=yes
check "a shared or a static library is installed" '[ $have_shared = yes ] || [ $have_static = yes ]'
if [ $have_shared = yes ]; then
    check "libalstune.so -> libalstune.so.$ALS_SOVERSION (the soname link) is installed" \
        '[ -e "$LIB/libalstune.so.$ALS_SOVERSION" ] && [ -L "$LIB/libalstune.so.$ALS_SOVERSION" ]'
    if command -v readelf >/dev/null 2>&1; then
        soname=$(readelf -d "$LIB/libalstune.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
        check "its SONAME is libalstune.so.$ALS_SOVERSION" '[ "$soname" = "libalstune.so.$ALS_SOVERSION" ]'
        # Only the API (als_*) is exported: no helper of one module leaks into programs' namespace.
        others=$(readelf -W --dyn-syms "$LIB/libalstune.so" | awk '$5 == "GLOBAL" && $7 != "UND" && $8 !~ /^als_/ { print $8 }' | head -n 5)
        check "it exports only als_* symbols" '[ -z "$others" ]'
    else
        skip "SONAME" "readelf not found"
    fi
fi
check "alstune.pc is installed" '[ -f "$PCDIR/alstune.pc" ]'
public="alstune.h als_error.h als_util.h als_data.h als_sparse.h als_solver.h als_model.h als_metrics.h
        als_split.h als_synth.h als_stats.h als_config.h als_runner.h als_limits.h als_eval.h als_estimate.h
        als_search.h als_stats_test.h als_bpmf.h"
missing=""
for h in $public; do [ -f "$INC/$h" ] || missing="$missing $h"; done
check "the public headers are in include/alstune/" '[ -z "$missing" ]'
check "no private header (kernels, config.h) is installed" \
    '[ ! -e "$INC/als_kernels.h" ] && [ ! -e "$INC/als_kernels_tmpl.h" ] && [ ! -e "$INC/config.h" ] && [ ! -e "$DEST$ALS_INCLUDEDIR/config.h" ]'

# ---- pkg-config ---------------------------------------------------------------------------------
# DESTDIR installs keep the final paths in alstune.pc: PKG_CONFIG_SYSROOT_DIR maps them into DEST.
pc() { PKG_CONFIG_PATH="$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" PKG_CONFIG_SYSROOT_DIR="$DEST" pkg-config "$@"; }
run pc --modversion alstune
check "pkg-config finds alstune" '[ $RC = 0 ] && [ -n "$OUT" ]'
CFLAGS_PC=$(pc --cflags alstune)
LIBS_PC=$(pc --libs alstune)
check "--cflags points at the installed include dir, not the source tree" \
    'printf "%s" "$CFLAGS_PC" | grep -q -- "-I$DEST$ALS_INCLUDEDIR" && ! printf "%s" "$CFLAGS_PC" | grep -q -- "$TOP_SRCDIR"'
check "--libs links -lalstune from the installed lib dir" \
    'printf "%s" "$LIBS_PC" | grep -q -- "-L$LIB" && printf "%s" "$LIBS_PC" | grep -q -- "-lalstune"'
# Libs.private: without gslcblas (OpenBLAS is the CBLAS), with OpenMP and libyaml.
PRIV=$(PKG_CONFIG_PATH="$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" pkg-config --static --libs alstune)
check "--static --libs: openblas, gsl without gslcblas, yaml, OpenMP" \
    'printf "%s" "$PRIV" | grep -q -- -lopenblas && printf "%s" "$PRIV" | grep -q -- "-lgsl " && ! printf "%s" "$PRIV" | grep -q gslcblas && printf "%s" "$PRIV" | grep -q -- -lyaml && printf "%s" "$PRIV" | grep -q -- -fopenmp'

# ---- the headers compile alone from the installed location, without config.h -------------------
# Every installed header, not only the list above: a header that starts including a new one which
# is not installed fails here.
mkdir -p "$WORK/hdr"
bad=""
for h in $(cd "$INC" && ls -- *.h); do
    printf '#include <alstune/%s>\n#include <alstune/%s>\nint main(void) { return 0; }\n' "$h" "$h" >"$WORK/hdr/t.c"
    # shellcheck disable=SC2086
    (cd "$WORK/hdr" && $ALS_CC -std=c11 -Wall -Wextra -Wpedantic -Werror $CFLAGS_PC -c t.c -o t.o) >"$WORK/hdr/err" 2>&1 \
        || bad="$bad $h: $(head -c 300 "$WORK/hdr/err")"
done
check "each installed header compiles alone (and twice) with only pkg-config --cflags, -std=c11 -Wpedantic -Werror" '[ -z "$bad" ]'
[ -z "$bad" ] || printf '# %s\n' "$bad"

# ---- the example program --------------------------------------------------------------------------
EX=$TOP_SRCDIR/tests/install/example.c
if [ $have_shared = yes ]; then
    # shellcheck disable=SC2086
    run $ALS_CC -std=c11 -Wall -Wextra -Werror $ALS_SAN_CFLAGS -o "$WORK/example" "$EX" $CFLAGS_PC $LIBS_PC -Wl,-rpath,"$LIB"
    check "example.c builds with pkg-config --cflags --libs alstune (shared)" '[ $RC = 0 ] && [ -x "$WORK/example" ]'
    if command -v ldd >/dev/null 2>&1; then
        run ldd "$WORK/example"
        check "the example loads the installed libalstune.so.$ALS_SOVERSION" \
            'printf "%s\n" "$OUT" | grep -q "libalstune.so.$ALS_SOVERSION => $LIB/libalstune.so.$ALS_SOVERSION"'
    fi
    run "$WORK/example" "$WORK/model"
    check "the example trains, saves, loads and recommends: i2 (~5 stars) then i5 (~1 star)" \
        '[ $RC = 0 ] && [ "$(printf "%s\n" "$OUT" | awk "\$1 == \"u0\" { printf \"%s \", \$2 }")" = "i2 i5 " ]'
    check "the example wrote a model folder the CLI reads" \
        '[ -f "$WORK/model/model.yaml" ] && "$ALSTUNE" recommend "$WORK/model" --user u0 -k 1 --format csv 2>/dev/null | grep -q i2'
else
    skip "example against the shared library" "configured with --disable-shared"
fi
if [ $have_static = yes ]; then
    # The static archive named explicitly (a linker prefers the .so), the rest from Libs.private.
    # shellcheck disable=SC2086
    run $ALS_CC -std=c11 -Wall -Wextra -Werror $ALS_SAN_CFLAGS -o "$WORK/example-static" "$EX" $CFLAGS_PC \
        "$LIB/libalstune.a" $(printf '%s\n' "$PRIV" | sed 's/ -lalstune / /; s/^-lalstune //')
    check "example.c links statically with pkg-config --static's Libs.private" '[ $RC = 0 ] && [ -x "$WORK/example-static" ]'
    run "$WORK/example-static" "$WORK/model-static"
    check "the static example gives the same recommendations" \
        '[ $RC = 0 ] && [ "$(printf "%s\n" "$OUT" | awk "\$1 == \"u0\" { printf \"%s \", \$2 }")" = "i2 i5 " ]'
else
    skip "example against the static library" "configured with --disable-static"
fi

# ---- uninstall ----------------------------------------------------------------------------------
if [ "$ALS_INSTALLED" != yes ]; then
    run submake uninstall DESTDIR="$DEST"
    left=$(find "$DEST" -type f -o -type l | head -n 5)
    check "make uninstall DESTDIR=... removes every installed file" '[ $RC = 0 ] && [ -z "$left" ]'
fi
finish
