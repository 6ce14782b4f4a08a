#!/usr/bin/env python3
"""Independent check of summary.csv's issue-13 columns from folds.csv (tests/cli/test_stats_select.sh).

usage: stats_select_check.py RESULTS_DIR TEST LEVEL      -> prints "ok" or the mismatches
       stats_select_check.py --one-se RESULTS_DIR        -> prints the cell one_se must pick
       stats_select_check.py --ci RESULTS_DIR PRED_CSV   -> "ok" or the mismatches: best.yaml's
           test_ci against numpy's own percentile bootstrap (B = 4000) of the holdout errors from
           `alstune predict model/ holdout.csv` (PRED_CSV): within 15 % of the interval's width
           (Monte Carlo error of a 2.5 % quantile at B = 1000 is about 2 % of it)

The tests: scipy.stats.ttest_rel (paired_t), scipy.stats.wilcoxon (exact without zeros or ties,
else approx, as alstune's auto rule for <= 25 folds), the corrected resampled t-test by its formula
with scipy's t distribution; Holm's step-down adjustment by hand."""
import csv, math, sys

def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

def close(a, b, rel=1e-9, abs_=1e-15):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))

def one_se(d):
    s = rows(d + "/summary.csv")
    best = min(s, key=lambda r: int(r["position"]))
    lim = float(best["mean"]) + float(best["se"])
    cand = [r for r in s if not math.isnan(float(r["mean"])) and float(r["mean"]) <= lim]
    cand.sort(key=lambda r: (int(r["rank"]), -float(r["regParam"]), int(r["maxIter"]), float(r["mean"]), int(r["cell"])))
    print(cand[0]["cell"])

def main(d, test, level):
    import numpy as np
    from scipy import stats
    s = rows(d + "/summary.csv")
    f = rows(d + "/folds.csv")
    score, ntr, nva = {}, {}, {}
    for r in f:
        score.setdefault(int(r["cell"]), {})[int(r["fold"])] = float(r["value"])
        ntr[int(r["fold"])] = float(r["n_train"])
        nva[int(r["fold"])] = float(r["n_valid"])
    folds = sorted(ntr)
    n1, n2 = np.mean([ntr[k] for k in folds]), np.mean([nva[k] for k in folds])
    best = int(min(s, key=lambda r: int(r["position"]))["cell"])
    b = np.array([score[best][k] for k in folds])
    p = {}
    for c in score:
        if c == best:
            continue
        a = np.array([score[c][k] for k in folds])
        dd = a - b
        if test == "paired_t":
            p[c] = stats.ttest_rel(a, b).pvalue
        elif test == "wilcoxon":
            nz = dd[dd != 0]
            tied = len(set(np.abs(nz))) < len(nz)
            exact = len(nz) == len(dd) and not tied and len(nz) <= 25
            p[c] = stats.wilcoxon(a, b, method="exact" if exact else "approx").pvalue
        else:
            n = len(dd)
            t = dd.mean() / math.sqrt((1.0 / n + n2 / n1) * dd.var(ddof=1))
            p[c] = 2 * stats.t.sf(abs(t), n - 1)
    # Holm by hand
    order = sorted(p, key=lambda c: (p[c], c))
    m, run, holm = len(order), 0.0, {}
    for i, c in enumerate(order):
        run = max(run, min(1.0, (m - i) * p[c]))
        holm[c] = run
    bad = []
    mean_best = float(next(r for r in s if int(r["cell"]) == best)["mean"])
    for r in s:
        c = int(r["cell"])
        want_p, want_h = (1.0, 1.0) if c == best else (p[c], holm[c])
        sc = np.array([score[c][k] for k in folds])
        checks = [("p_value", float(r["p_value"]), want_p), ("p_holm", float(r["p_holm"]), want_h),
                  ("delta", float(r["delta"]), float(r["mean"]) - mean_best),
                  ("se", float(r["se"]), sc.std(ddof=1) / math.sqrt(len(sc)))]
        for name, got, want in checks:
            if not close(got, want):
                bad.append("cell %d %s: summary %r, python %r" % (c, name, got, want))
        if int(r["equivalent_to_best"]) != int(want_h >= level):
            bad.append("cell %d equivalent_to_best %s, python %d" % (c, r["equivalent_to_best"], want_h >= level))
    print("\n".join(bad) if bad else "ok")

def flow(path, key):
    """The flow mapping on line `key: {...}` of a YAML file alstune wrote, as a dict of strings."""
    for line in open(path):
        if line.startswith(key + ": {"):
            body = line[len(key) + 3:line.rindex("}")]
            return dict(kv.split(": ", 1) for kv in body.split(", "))
    return None

def ci(d, pred_csv):
    import numpy as np
    r = rows(pred_csv)
    a = np.array([float(x["rating"]) for x in r])
    p = np.array([float(x["prediction"]) for x in r])
    test, tci = flow(d + "/best.yaml", "test"), flow(d + "/best.yaml", "test_ci")
    bad = []
    if tci is None:
        print("no test_ci line in best.yaml")
        return
    e = a - p
    full = {"rmse": math.sqrt(np.mean(e * e)), "mae": np.mean(np.abs(e)), "mse": np.mean(e * e),
            "r2": 1 - np.sum(e * e) / np.sum((a - a.mean()) ** 2)}
    if int(tci["n_units"]) != len(e):
        bad.append("n_units %s, predict scored %d" % (tci["n_units"], len(e)))
    for k, v in full.items():
        if not close(float(test[k]), v, rel=1e-6):
            bad.append("test.%s %s, from predict %r" % (k, test[k], v))
    rng = np.random.default_rng(12345)
    B, n = 4000, len(e)
    reps = {k: [] for k in full}
    for _ in range(B):
        i = rng.integers(0, n, n)
        ee, aa = e[i], a[i]
        reps["mse"].append(np.mean(ee * ee))
        reps["rmse"].append(math.sqrt(reps["mse"][-1]))
        reps["mae"].append(np.mean(np.abs(ee)))
        reps["r2"].append(1 - np.sum(ee * ee) / np.sum((aa - aa.mean()) ** 2))
    for k in full:
        lo, hi = np.percentile(reps[k], [2.5, 97.5])
        glo, ghi = float(tci[k + "_lo"]), float(tci[k + "_hi"])
        w = hi - lo
        if not (abs(glo - lo) <= 0.15 * w and abs(ghi - hi) <= 0.15 * w):
            bad.append("%s interval [%r, %r], numpy's [%r, %r]" % (k, glo, ghi, lo, hi))
        if not (glo <= full[k] <= ghi):
            bad.append("%s %r outside [%r, %r]" % (k, full[k], glo, ghi))
    print("\n".join(bad) if bad else "ok")

if __name__ == "__main__":
    if sys.argv[1] == "--one-se":
        one_se(sys.argv[2])
    elif sys.argv[1] == "--ci":
        ci(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
