#!/bin/sh
# src/als_stats_test against an independent computation in Python: scipy.stats.ttest_rel and
# scipy.stats.wilcoxon (exact and approx), a hand formula for the corrected resampled t-test
# (Nadeau–Bengio / Bouckaert–Frank) with scipy's t distribution, a hand Holm adjustment, and
# numpy's percentiles of the bootstrap replicates.  Inputs: recorded fold scores in
# tests/fixtures/stats/*.csv.  p-values must agree to 1e-9 relative.  Skipped, with a message,
# when no python3 with scipy is found (Debian: apt-get install python3-scipy).
. "$(dirname "$0")/lib.sh"

DRIVER=${STATS_TEST_DRIVER:-$(dirname "$ALSTUNE")/tests/stats_test_driver}
FIX=$TOP_SRCDIR/tests/fixtures/stats

# STATS_PYTHON names the one interpreter to use (e.g. to check the skip path); otherwise the first
# of python3 and /usr/bin/python3 (Debian's, where python3-scipy installs) that has scipy.
PY=""
for cand in ${STATS_PYTHON:-python3 /usr/bin/python3}; do
    if "$cand" -c 'import scipy.stats, numpy' >/dev/null 2>&1; then PY=$cand; break; fi
done

if [ ! -x "$DRIVER" ]; then
    skip "scipy cross-check" "driver $DRIVER not built"
    finish
    exit $?
fi

# ---- checks that need no Python ------------------------------------------------------------
run "$DRIVER" holm 0.01 0.04 0.03 0.005
check "holm: 4 p-values by hand (0.03, 0.06, 0.06, 0.02)" \
    '[ "$(printf "%s\n" "$OUT" | tr "\n" " ")" = "0.029999999999999999 0.059999999999999998 0.059999999999999998 0.02 " ]'
run "$DRIVER" holm 0.5 1.5
expect_fail "holm: p-value outside [0, 1] is refused" 1 'not in \[0, 1\]'
run "$DRIVER" pair "$FIX/k5_clear.csv" r10_reg0.1 nosuch 80000 20000
check "driver: unknown column exits 2" '[ $RC = 2 ]'

if [ -z "$PY" ]; then
    skip "scipy cross-check" "no python3 with scipy and numpy (apt-get install python3-scipy)"
    finish
    exit $?
fi

# The Python side prints one line per check: "ok<TAB>name" or "fail<TAB>name<TAB>detail".
"$PY" - "$DRIVER" "$FIX" >"$WORK/py.out" 2>"$WORK/py.err" <<'EOF'
import subprocess, sys, warnings
import numpy as np
from scipy import stats

warnings.filterwarnings("ignore")
driver, fix = sys.argv[1], sys.argv[2]
RTOL = 1e-9

def report(ok, name, detail=""):
    print(("ok\t%s" % name) if ok else ("fail\t%s\t%s" % (name, detail)))

def close(x, y, rtol=RTOL):
    x, y = float(x), float(y)
    if x == y:
        return True
    return abs(x - y) <= rtol * max(abs(x), abs(y))

def load(name):
    with open("%s/%s" % (fix, name)) as f:
        head = f.readline().strip().split(",")[2:]
        rows = [[float(v) for v in line.strip().split(",")[2:]] for line in f if line.strip()]
    return head, np.array(rows)

def drive(*args):
    out = subprocess.run([driver] + [str(a) for a in args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("driver %s: exit %d: %s" % (args, out.returncode, out.stderr))
    return [line.split() for line in out.stdout.splitlines()]

def corrected_t(d, n_train, n_valid):
    n = len(d)
    t = d.mean() / np.sqrt((1.0 / n + n_valid / n_train) * d.var(ddof=1))
    return t, 2 * stats.t.sf(abs(t), n - 1)

def has_ties_or_zeros(d):
    nz = d[d != 0]
    return len(nz) != len(d) or len(np.unique(np.abs(nz))) != len(nz)

def holm(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    run = 0.0
    for j, i in enumerate(order):
        run = max(run, min(1.0, (m - j) * p[i]))
        adj[i] = run
    return adj

# fixture, n_train, n_valid, higher_is_better (sizes of MovieLens 100k folds)
SETS = [("k5_clear.csv", 80000, 20000, 0), ("k10_mixed.csv", 90000, 10000, 0),
        ("k5_zero.csv", 80000, 20000, 0), ("k10_ties.csv", 90000, 10000, 0),
        ("r3k5_repeated.csv", 80000, 20000, 0), ("k30_large.csv", 96667, 3333, 0),
        ("k8_ranking.csv", 87500, 12500, 1)]

for fname, ntr, nva, hib in SETS:
    names, X = load(fname)
    for ia in range(len(names)):
        for ib in range(len(names)):
            if ia == ib:
                continue
            a, b = X[:, ia], X[:, ib]
            d = a - b
            tag = "%s %s-%s" % (fname, names[ia], names[ib])
            got = {r[0]: r[1:] for r in drive("pair", "%s/%s" % (fix, fname), names[ia], names[ib], ntr, nva)}
            ref = stats.ttest_rel(a, b)
            report(close(got["paired_t"][0], ref.statistic) and close(got["paired_t"][1], ref.pvalue),
                   "%s: paired t = ttest_rel" % tag, "got %s want %r %r" % (got["paired_t"], ref.statistic, ref.pvalue))
            t, p = corrected_t(d, ntr, nva)
            report(close(got["corrected_t"][0], t) and close(got["corrected_t"][1], p),
                   "%s: corrected t = hand formula" % tag, "got %s want %r %r" % (got["corrected_t"], t, p))
            ap = stats.wilcoxon(a, b, method="approx")
            ga = got["wilcoxon_approx"]
            report(float(ga[0]) == ap.statistic and close(ga[1], ap.pvalue) and close(ga[2], ap.zstatistic),
                   "%s: wilcoxon approx = scipy approx" % tag, "got %s want %r %r %r" % (ga, ap.statistic, ap.pvalue, ap.zstatistic))
            ge, gu = got["wilcoxon_exact"], got["wilcoxon_auto"]
            if has_ties_or_zeros(d):
                # scipy 1.10 goes to the approximation for zeros; with ties it truncates R+ in
                # exact mode, where we use the approximation (docs/statistics.md).
                report(ge[2] == "0" and gu[2] == "0" and close(ge[1], ap.pvalue) and close(gu[1], ap.pvalue),
                       "%s: ties/zeros: exact and auto use the approximation" % tag, "got %s %s want %r" % (ge, gu, ap.pvalue))
            else:
                ex = stats.wilcoxon(a, b, method="exact")
                report(ge[2] == "1" and float(ge[0]) == ex.statistic and close(ge[1], ex.pvalue),
                       "%s: wilcoxon exact = scipy exact" % tag, "got %s want %r %r" % (ge, ex.statistic, ex.pvalue))
                want = ex.pvalue if len(d) <= 25 else ap.pvalue
                report(gu[2] == ("1" if len(d) <= 25 else "0") and close(gu[1], want),
                       "%s: wilcoxon auto (exact iff n <= 25)" % tag, "got %s want %r" % (gu, want))

    # every cell against the best, Holm over the others, equivalent_to_best at 0.05
    for test in ("corrected", "paired", "wilcoxon"):
        out = drive("compare", "%s/%s" % (fix, fname), test, 0.05, hib, ntr, nva)
        best = out[0][1]
        means = X.mean(axis=0)
        ib = int(np.argmax(means) if hib else np.argmin(means))
        others = [i for i in range(len(names)) if i != ib]
        ps = []
        for i in others:
            d = X[:, i] - X[:, ib]
            if test == "corrected":
                ps.append(corrected_t(d, ntr, nva)[1])
            elif test == "paired":
                ps.append(stats.ttest_rel(X[:, i], X[:, ib]).pvalue)
            else:
                exact = not has_ties_or_zeros(d) and len(d) <= 25
                ps.append(stats.wilcoxon(d, method="exact" if exact else "approx").pvalue)
        adj = holm(ps)
        cells = {r[1]: r[2:] for r in out[1:]}
        ok = best == names[ib] and cells[best][3] == "1" and cells[best][5] == "1"
        detail = "best %s want %s" % (best, names[ib])
        for i, p, q in zip(others, ps, adj):
            c = cells[names[i]]
            good = close(c[3], p) and close(c[4], q) and c[5] == ("1" if q >= 0.05 else "0") \
                and close(c[0], means[i])
            ok = ok and good
            if not good:
                detail += "; %s got %s want p %r holm %r mean %r" % (names[i], c, p, q, means[i])
        report(ok, "%s: compare with best (%s), Holm, equivalent_to_best" % (fname, test), detail)

# Holm on its own, against the hand implementation above
for ps in ([0.01, 0.04, 0.03, 0.005], [0.2, 0.2, 0.01], [1.0], [0.0, 0.5, 0.9, 0.04, 0.04], [0.3, 0.001, 0.02, 0.6, 0.049]):
    got = [float(r[0]) for r in drive("holm", *ps)]
    want = holm(ps)
    report(all(close(g, w) for g, w in zip(got, want)) and len(got) == len(ps),
           "holm %s" % ps, "got %s want %s" % (got, list(want)))

# bootstrap: the interval is numpy's linear percentile of the replicates; replicates are RMSEs of
# resamples, so they lie within [min, max] of the fold values; same seed, same numbers.
for col, root in (("r10", 1), ("r12", 0)):
    out = drive("boot", "%s/k30_large.csv" % fix, col, 1000, 0.95, 12345, root)
    lo, hi = float(out[0][1]), float(out[0][2])
    reps = np.array([float(r[1]) for r in out[1:]])
    wlo, whi = np.percentile(reps, [2.5, 97.5])
    report(len(reps) == 1000 and close(lo, wlo) and close(hi, whi),
           "bootstrap %s: interval = numpy percentile of replicates" % col, "got %r %r want %r %r" % (lo, hi, wlo, whi))
    names, X = load("k30_large.csv")
    v = X[:, names.index(col)]
    full = np.sqrt(v.mean()) if root else v.mean()
    s = np.sqrt(v) if root else v
    report(lo < full < hi and reps.min() >= s.min() - 1e-15 and reps.max() <= s.max() + 1e-15,
           "bootstrap %s: full-sample value inside the interval, replicates in range" % col,
           "lo %r full %r hi %r" % (lo, full, hi))
    again = drive("boot", "%s/k30_large.csv" % fix, col, 1000, 0.95, 12345, root)
    report(again == out, "bootstrap %s: same seed, same replicates" % col)
EOF
PYRC=$?
check "python cross-check ran (exit 0)" '[ $PYRC = 0 ]' || sed 's/^/# /' "$WORK/py.err"
while IFS='	' read -r status name detail; do
    if [ "$status" = ok ]; then _tap 0 "$name"; else _tap 1 "$name" "$detail"; fi
done <"$WORK/py.out"
finish
