#!/bin/sh
# tests/browser/check_report.sh — open an alstune report.html in headless Chromium.
#
#   check_report.sh screenshot REPORT.html OUT.png    full-page-ish screenshot (1280×WINDOW_H)
#   check_report.sh dom REPORT.html OUT.dom OUT.err   the DOM after load (--dump-dom) and the
#                                                    browser's log (console messages) on stderr
#
# report.html counts its own figures when it loads: <body data-plots="N"> is the number of
# <figure class="plot"> SVGs that laid out with a non-empty bounding box, and data-errors the
# number of JavaScript errors (window 'error' events).  tests/cli/test_report_browser.sh greps them.
# Exit status: Chromium's (124 on the 90 s timeout); 77 when no Chromium is installed.
set -u
CHROMIUM=${CHROMIUM:-}
if [ -z "$CHROMIUM" ]; then
    for c in chromium chromium-browser google-chrome; do
        if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$(command -v "$c"); break; fi
    done
fi
[ -n "$CHROMIUM" ] || exit 77
profile=$(mktemp -d "${TMPDIR:-/tmp}/alstune-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT
chrome() {
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" "$@"
}
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
mode=$1; page=$(abs "$2")
case $mode in
screenshot)
    chrome --screenshot="$(abs "$3")" --window-size=1280,"${WINDOW_H:-2400}" "file://$page" >/dev/null 2>&1 ;;
dom)
    chrome --enable-logging=stderr --v=0 --dump-dom "file://$page" >"$3" 2>"$4" ;;
*)
    echo "usage: $0 screenshot|dom REPORT.html OUT..." >&2; exit 2 ;;
esac
