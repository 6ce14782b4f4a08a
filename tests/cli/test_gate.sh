#!/bin/sh
# The CI regression gate: the embedded default (experiments/grid.yaml) and real MovieLens 100k
# (configs/ci/ml-100k.yaml) against configs/baselines/, and proof that the gate fails on injected
# regressions (fewer iterations; a wrong regParam).  The check tables go to this test's log.
. "$(dirname "$0")/lib.sh"
B="$TOP_SRCDIR/configs/baselines"
show() { printf '%s\n' "$OUT" | sed 's/^/# /'; }

run "$ALSTUNE_HEAVY" tune "$TOP_SRCDIR/experiments/grid.yaml" --out "$WORK/grid" --quiet --no-report
check "embedded default experiment runs" '[ $RC = 0 ]'
run "$ALSTUNE" check "$WORK/grid" --baseline "$B/grid.yaml"
show
check "gate: embedded default passes against configs/baselines/grid.yaml" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^PASS"'

sed 's/^  maxIter: .*/  maxIter: [5, 10, 2]/' "$TOP_SRCDIR/experiments/grid.yaml" > "$WORK/fewer.yaml"
run "$ALSTUNE_HEAVY" tune "$WORK/fewer.yaml" --out "$WORK/fewer" --quiet --no-report
run "$ALSTUNE" check "$WORK/fewer" --baseline "$B/grid.yaml"
show
check "gate fails (exit 1) on an injected regression: fewer iterations" \
    '[ $RC = 1 ] && printf "%s" "$OUT" | grep -q "^best cell: CV rmse .*REGRESSED" && printf "%s" "$OUT" | grep -q "^FAIL"'

sed 's/^  regParam: .*/  regParam: [0.5, 1, 2, 4]/' "$TOP_SRCDIR/experiments/grid.yaml" > "$WORK/wrongreg.yaml"
run "$ALSTUNE_HEAVY" tune "$WORK/wrongreg.yaml" --out "$WORK/wrongreg" --quiet --no-report
run "$ALSTUNE" check "$WORK/wrongreg" --baseline "$B/grid.yaml"
check "gate fails (exit 1) on an injected regression: wrong regParam" \
    '[ $RC = 1 ] && printf "%s" "$OUT" | grep -q "^best cell: CV rmse .*REGRESSED"'

if [ -f "$SHARED_DATA/ml-100k/u.data" ]; then
    cp "$TOP_SRCDIR/configs/ci/ml-100k.yaml" "$WORK/ml-100k.yaml"
    sed -i "s|ratings: .*|ratings: $SHARED_DATA/ml-100k/u.data|" "$WORK/ml-100k.yaml"
    run "$ALSTUNE_HEAVY" tune "$WORK/ml-100k.yaml" --out "$WORK/ml100k" --quiet --no-report
    check "ml-100k gate experiment runs" '[ $RC = 0 ]'
    run "$ALSTUNE" check "$WORK/ml100k" --baseline "$B/ml-100k.yaml"
    show
    check "gate: ml-100k passes against configs/baselines/ml-100k.yaml" '[ $RC = 0 ] && printf "%s" "$OUT" | grep -q "^PASS"'
else
    skip "gate: ml-100k" "no MovieLens 100k at $SHARED_DATA/ml-100k (../shared/data beside the checkout)"
fi
finish
