#!/bin/sh
# src/als_bpmf against an independent float64 BPMF sampler in numpy (tests/bpmf_ref.py): the C
# driver tests/bpmf_trace_driver runs a tiny chain (7 users x 6 items, rank 3, 2 burn-in + 3
# samples) and prints every draw it consumed; the reference re-runs the chain from the same
# standard normals, Wishart matrices and alpha draws, recomputing and checking the Normal-Wishart
# and Gamma posterior parameters, and compares the final factors and the posterior-mean
# predictions: 1e-5 relative with the plain double Gram loops (naive), 5e-4 with the solver's
# vector Gram kernel (float partial sums; fast).  Five set-ups: fixed hyperparameters, sampled
# hyperparameters, sampled alpha too, no centring with a full W0, user and item biases (alpha
# sampled).  Skipped, with a message, when no python3 with numpy is found (Debian: apt-get install python3-numpy).  BPMF_PYTHON names the interpreter.
. "$(dirname "$0")/lib.sh"

DRIVER=${BPMF_TRACE_DRIVER:-$(dirname "$ALSTUNE")/tests/bpmf_trace_driver}
REF=$TOP_SRCDIR/tests/bpmf_ref.py

if [ ! -x "$DRIVER" ]; then
    skip "numpy BPMF reference" "driver $DRIVER not built"
    finish
    exit $?
fi

# ---- checks that need no Python ------------------------------------------------------------
run "$DRIVER" nosuch
expect_fail "driver: unknown mode exits 2" 2 "unknown mode 'nosuch'"
run "$DRIVER" hyper 1 slow
expect_fail "driver: unknown kernel exits 2" 2 "KERNEL must be naive or fast"
for kern in naive fast; do
    run "$DRIVER" alpha 1 $kern
    check "driver: alpha mode runs ($kern, exit 0)" '[ $RC = 0 ]'
    ONE=$(printf '%s\n' "$OUT" | grep -E '^(U|V|pred|state_alpha) ')
    run "$DRIVER" alpha 2 $kern
    TWO=$(printf '%s\n' "$OUT" | grep -E '^(U|V|pred|state_alpha) ')
    check "driver: 1 and 2 threads give identical factors, alpha and predictions ($kern)" \
        '[ -n "$ONE" ] && [ "$ONE" = "$TWO" ]'
done

PY=""
for cand in ${BPMF_PYTHON:-python3 /usr/bin/python3}; do
    if "$cand" -c 'import numpy' >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -z "$PY" ]; then
    skip "numpy BPMF reference" "no python3 with numpy (apt-get install python3-numpy)"
    finish
    exit $?
fi

for run_ in fixed:naive hyper:naive alpha:naive nocenter:naive bias:naive fixed:fast hyper:fast alpha:fast nocenter:fast \
    bias:fast; do
    m=${run_%:*} kern=${run_#*:}
    mode=$m-$kern
    tol=1e-5
    [ "$kern" = fast ] && tol=5e-4
    "$DRIVER" "$m" 1 "$kern" >"$WORK/$mode.trace" 2>"$WORK/$mode.err"
    DRC=$?
    check "driver $mode exits 0" '[ $DRC = 0 ]' || sed 's/^/# /' "$WORK/$mode.err"
    "$PY" "$REF" "$mode" "$tol" <"$WORK/$mode.trace" >"$WORK/$mode.py" 2>"$WORK/$mode.pyerr"
    PYRC=$?
    check "reference $mode ran (exit 0)" '[ $PYRC = 0 ]' || sed 's/^/# /' "$WORK/$mode.pyerr"
    check "reference $mode made its checks" '[ $(grep -c . "$WORK/$mode.py") -ge 5 ]'
    while IFS='	' read -r status name detail; do
        if [ "$status" = ok ]; then _tap 0 "$name"; else _tap 1 "$name" "$detail"; fi
    done <"$WORK/$mode.py"
done
finish
