#!/usr/bin/env python3
"""bpmf_ref — an independent float64 BPMF Gibbs sampler (numpy) for the known-answer test of
src/als_bpmf.c.  It reads the output of tests/bpmf_trace_driver (the problem, every random draw
the C sampler consumed, and its final state) on stdin, re-runs the chain in float64 from the same
draws — standard normals for the rows and the means, the Wishart matrices and the alpha draws
(whose posterior parameters it recomputes and checks) — and compares the final factors and the
posterior-mean predictions.

It prints one line per check, "ok<TAB>name" or "fail<TAB>name<TAB>detail", and exits 0.
The maths is written from the paper (Salakhutdinov & Mnih 2008, section 3.3) and docs/bpmf.md,
not from the C code: numpy's Cholesky and solves, no shared routine.
"""
import sys
import numpy as np

RTOL = 1e-5  # naive Gram loops: measured agreement ~1e-7 (the C chain stores float factors)


def report(ok, name, detail=""):
    print(("ok\t%s" % name) if ok else ("fail\t%s\t%s" % (name, detail)))


def close(a, b, rtol=None, atol=None):
    rtol = RTOL if rtol is None else rtol
    atol = RTOL / 10 if atol is None else atol
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def main():
    global RTOL
    tag = sys.argv[1] if len(sys.argv) > 1 else "bpmf"
    if len(sys.argv) > 2:  # the vector Gram kernel sums float products in float: ~1e-5 measured
        RTOL = float(sys.argv[2])
    P, ratings, pairs = {}, [], []
    init, wish, mus, rows, alphas = {}, {}, {}, {}, {}
    cU, cV, cpred, calpha = {}, {}, {}, None
    cB = [{}, {}]
    for line in sys.stdin:
        f = line.split()
        if not f:
            continue
        k = f[0]
        if k == "param":
            P[f[1]] = [float(x) for x in f[2:]]
        elif k == "rating":
            ratings.append((int(f[1]), int(f[2]), float(f[3])))
        elif k == "pair":
            pairs.append((int(f[1]), int(f[2])))
        elif k == "init":
            init[(int(f[1]), int(f[2]))] = np.array([float(x) for x in f[3:]])
        elif k == "wishart":
            wish[(int(f[1]), int(f[2]))] = np.array([float(x) for x in f[3:]])
        elif k == "mu":
            mus[(int(f[1]), int(f[2]))] = np.array([float(x) for x in f[3:]])
        elif k == "row":
            rows[(int(f[1]), int(f[2]), int(f[3]))] = np.array([float(x) for x in f[4:]])
        elif k == "alpha":
            alphas[int(f[1])] = [float(x) for x in f[2:]]
        elif k == "U":
            cU[int(f[1])] = [float(x) for x in f[2:]]
        elif k == "V":
            cV[int(f[1])] = [float(x) for x in f[2:]]
        elif k == "UB":
            cB[0][int(f[1])] = float(f[2])
        elif k == "VB":
            cB[1][int(f[1])] = float(f[2])
        elif k == "pred":
            cpred[int(f[1])] = float(f[2])
        elif k == "state_alpha":
            calpha = float(f[1])

    nu, ni, k = int(P["nusers"][0]), int(P["nitems"][0]), int(P["rank"][0])
    burnin, samples = int(P["burnin"][0]), int(P["samples"][0])
    alpha = P["alpha"][0]
    sample_alpha, sample_hyper = bool(P["sample_alpha"][0]), bool(P["sample_hyper"][0])
    a0, b0, mu0, beta0, nu0 = P["a0"][0], P["b0"][0], P["mu0"][0], P["beta0"][0], P["nu0"][0]
    W0 = np.array(P["W0"]).reshape(k, k)
    bias, lam_b = bool(P["bias"][0]), P["bias_prec"][0]
    R = np.array([r for _, _, r in ratings])
    c = R.mean() if P["center"][0] else 0.0
    by = [[[] for _ in range(nu)], [[] for _ in range(ni)]]
    for u, i, r in ratings:
        by[0][u].append((i, r - c))
        by[1][i].append((u, r - c))
    B = [np.zeros(nu), np.zeros(ni)]  # biases start at 0

    X = [np.array([init[(0, u)] for u in range(nu)]), np.array([init[(1, i)] for i in range(ni)])]
    mu = [np.full(k, mu0), np.full(k, mu0)]
    Lam = [nu0 * W0, nu0 * W0]
    pred_sum = np.zeros(len(pairs))
    ok_w = ok_a = True
    detail_w = detail_a = ""
    for sweep in range(burnin + samples):
        for side in (0, 1):
            if sample_hyper:
                Xs = X[side]
                N = Xs.shape[0]
                xbar = Xs.mean(axis=0)
                S = (Xs - xbar).T @ (Xs - xbar)
                beta_s, nu_s = beta0 + N, nu0 + N
                mu_s = (beta0 * mu0 + N * xbar) / beta_s
                d = xbar - mu0
                Ws = np.linalg.inv(np.linalg.inv(W0) + S + beta0 * N / beta_s * np.outer(d, d))
                w = wish[(side, sweep)]
                if not (w[0] == nu_s and close(w[1:1 + k * k], Ws.ravel(), 1e-4, 1e-8)):
                    ok_w = False
                    detail_w += " side %d sweep %d: nu* %r vs %r, W* %s vs %s;" % (
                        side, sweep, w[0], nu_s, w[1:1 + k * k], Ws.ravel())
                Lam[side] = w[1 + k * k:].reshape(k, k)
                L = np.linalg.cholesky(beta_s * Lam[side])  # beta* Lambda = L L^T, U = L^T
                mu[side] = mu_s + np.linalg.solve(L.T, mus[(side, sweep)])
            Y = X[1 - side]
            Yb = B[1 - side]
            new = np.empty_like(X[side])
            newb = np.zeros(X[side].shape[0])
            kk = k + 1 if bias else k
            for r in range(X[side].shape[0]):
                # unknown (x, b): prior precision diag(Lambda, lam_b), prior mean (mu, 0)
                A = np.zeros((kk, kk))
                A[:k, :k] = Lam[side]
                b = np.zeros(kk)
                b[:k] = Lam[side] @ mu[side]
                if bias:
                    A[k, k] = lam_b
                for j, t in by[side][r]:
                    dvec = np.append(Y[j], 1.0) if bias else Y[j]
                    tt = t - Yb[j] if bias else t
                    A += alpha * np.outer(dvec, dvec)
                    b += alpha * tt * dvec
                L = np.linalg.cholesky(A)
                m = np.linalg.solve(A, b)
                draw = m + np.linalg.solve(L.T, rows[(side, r, sweep)])
                new[r] = draw[:k]
                if bias:
                    newb[r] = draw[k]
            X[side] = new
            B[side] = newb
        if sample_alpha:
            sse = sum((r - c - B[0][u] - B[1][i] - X[0][u] @ X[1][i]) ** 2 for u, i, r in ratings)
            shape, rate = a0 + len(ratings) / 2.0, b0 + sse / 2.0
            got = alphas[sweep]
            if not (close(got[0], shape, 1e-12, 0) and close(got[1], rate, 1e-4, 1e-8)):
                ok_a = False
                detail_a += " sweep %d: shape/rate %r %r vs %r %r;" % (sweep, got[0], got[1], shape, rate)
            alpha = got[2]
        if sweep >= burnin:
            pred_sum += np.array([c + B[0][u] + B[1][i] + X[0][u] @ X[1][i] for u, i in pairs])
    pred = pred_sum / samples

    if sample_hyper:
        report(ok_w and len(wish) == 2 * (burnin + samples),
               "%s: Normal-Wishart posterior (nu*, W*) = reference at every sweep" % tag, detail_w)
    else:
        report(len(wish) == 0 and len(mus) == 0, "%s: fixed hyperparameters draw no Wishart" % tag)
    if sample_alpha:
        report(ok_a and len(alphas) == burnin + samples, "%s: Gamma posterior of alpha = reference" % tag, detail_a)
        report(calpha == alphas[burnin + samples - 1][2], "%s: final alpha is the last draw" % tag)
    else:
        report(len(alphas) == 0 and calpha == alpha, "%s: fixed alpha stays %r" % (tag, alpha))
    report(len(rows) == (nu + ni) * (burnin + samples), "%s: one normal vector per row per sweep" % tag,
           "got %d" % len(rows))
    gU = np.array([cU[u] for u in range(nu)])
    gV = np.array([cV[i] for i in range(ni)])
    report(close(gU, X[0]) and close(gV, X[1]), "%s: final factors = float64 reference" % tag,
           "max |dU| %g |dV| %g" % (np.abs(gU - X[0]).max(), np.abs(gV - X[1]).max()))
    if bias:
        gB = [np.array([cB[0][u] for u in range(nu)]), np.array([cB[1][i] for i in range(ni)])]
        report(close(gB[0], B[0]) and close(gB[1], B[1]), "%s: final biases = float64 reference" % tag,
               "got %s %s want %s %s" % (gB[0], gB[1], B[0], B[1]))
    else:
        report(not cB[0] and not cB[1], "%s: no biases without bias" % tag)
    gp = np.array([cpred[j] for j in range(len(pairs))])
    report(close(gp, pred), "%s: posterior-mean predictions = float64 reference" % tag,
           "got %s want %s" % (gp, pred))
    return 0


if __name__ == "__main__":
    sys.exit(main())
