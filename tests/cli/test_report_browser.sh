#!/bin/sh
# The report in a real browser: headless Chromium renders report.html of the fixture, takes a
# screenshot (tests/cli/report-screenshot.png in the build tree; look at it after changing the
# report), and the page's own counters say every figure laid out and no script failed.
# A deliberately broken copy of the page shows that the checks can fail.
. "$(dirname "$0")/lib.sh"

DRIVER="$TOP_SRCDIR/tests/browser/check_report.sh"
SHOT=${REPORT_SCREENSHOT:-$PWD/tests/cli/report-screenshot.png}
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
    ! command -v google-chrome >/dev/null 2>&1; then
    skip "report in headless Chromium" "Chromium is not installed (Debian: apt-get install chromium)"
    finish; exit $?
fi
if ! command -v gnuplot >/dev/null 2>&1; then
    skip "report in headless Chromium" "gnuplot is not installed, the report would have no figures"
    finish; exit $?
fi

cp -R "$TOP_SRCDIR/tests/fixtures/results/tiny" "$WORK/tiny"
run "$ALSTUNE" report "$WORK/tiny"
check "report written" '[ $RC = 0 ] && [ -s "$WORK/tiny/report.html" ]'

mkdir -p "$(dirname "$SHOT")"
rm -f "$SHOT"
WINDOW_H=3300 sh "$DRIVER" screenshot "$WORK/tiny/report.html" "$SHOT"
RC=$?
check "screenshot taken ($SHOT)" '[ $RC = 0 ] && [ -s "$SHOT" ] && [ "$(head -c 4 "$SHOT" | tail -c 3)" = PNG ]'

sh "$DRIVER" dom "$WORK/tiny/report.html" "$WORK/dom.html" "$WORK/chromium.err"
RC=$?
ERR=$(grep -iE "uncaught|CONSOLE|error" "$WORK/chromium.err" | grep -v -e dbus -e "Fontconfig" | head -20)
check "Chromium dumped the DOM" '[ $RC = 0 ] && grep -q "<body" "$WORK/dom.html"'
N=$(sed -n "s/.*data-expected-plots=\"\([0-9]*\)\".*/\1/p" "$WORK/tiny/report.html" | head -1)
check "all $N figures rendered with a non-empty box (data-plots=\"$N\" = data-expected-plots, 5 for the tiny grid)" '[ "$N" = 5 ] && grep -q "data-plots=\"$N\"" "$WORK/dom.html"'
check "no script errors (data-errors=\"0\")" 'grep -q "data-errors=\"0\"" "$WORK/dom.html"'
check "no Uncaught errors or console messages in the browser log" \
    '! grep -qE "Uncaught|:CONSOLE\(" "$WORK/chromium.err"'

# negative control: a thrown error and a figure emptied out must be seen
sed -e 's|</main>|</main><script>throw new Error("planted")</script>|' \
    -e '0,/<figure class="plot"/s|<figure class="plot"\([^>]*\)>|<figure class="plot"\1><svg viewBox="0 0 10 10"></svg><div hidden>|' \
    "$WORK/tiny/report.html" > "$WORK/broken.html"
sh "$DRIVER" dom "$WORK/broken.html" "$WORK/broken.dom" "$WORK/broken.err"
check "control: a planted error is counted (data-errors=\"1\")" 'grep -q "data-errors=\"1\"" "$WORK/broken.dom"'
check "control: the planted error is in the browser log" 'grep -q "Uncaught Error: planted" "$WORK/broken.err"'
check "control: an empty figure is not counted" '! grep -q "data-plots=\"$N\"" "$WORK/broken.dom"'
finish
