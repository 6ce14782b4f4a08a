/* ref_als — naive double-precision reference ALS (tests only). */
#include "ref_als.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool ref_model_alloc(ref_model *m, int nu, int ni, int k, bool bias)
{
    memset(m, 0, sizeof *m);
    m->nu = nu;
    m->ni = ni;
    m->k = k;
    m->bias = bias;
    m->U = calloc((size_t)nu * (size_t)k + 1, sizeof(double));
    m->V = calloc((size_t)ni * (size_t)k + 1, sizeof(double));
    m->bu = calloc((size_t)nu + 1, sizeof(double));
    m->bi = calloc((size_t)ni + 1, sizeof(double));
    return m->U && m->V && m->bu && m->bi;
}

void ref_model_free(ref_model *m)
{
    free(m->U);
    free(m->V);
    free(m->bu);
    free(m->bi);
    memset(m, 0, sizeof *m);
}

/* Gaussian elimination with partial pivoting on a copy; false when singular. */
static bool gauss_solve(int n, double *A, double *b, double *x)
{
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[piv * n + c]))
                piv = r;
        if (fabs(A[piv * n + c]) < 1e-300)
            return false;
        if (piv != c) {
            for (int j = 0; j < n; j++) {
                double t = A[c * n + j];
                A[c * n + j] = A[piv * n + j];
                A[piv * n + j] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (int r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (int j = c; j < n; j++)
                A[r * n + j] -= f * A[c * n + j];
            b[r] -= f * b[c];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int j = r + 1; j < n; j++)
            s -= A[r * n + j] * x[j];
        x[r] = s / A[r * n + r];
    }
    return true;
}

/* Projected coordinate descent for min ½xᵀAx − bᵀx, x_j ≥ 0 for j < ncons, run to convergence. */
static void pcd_nnls(int n, int ncons, const double *A, const double *b, double *x)
{
    for (int j = 0; j < n; j++)
        x[j] = 0.0;
    for (int sweep = 0; sweep < 200000; sweep++) {
        double change = 0.0, scale = 1e-300;
        for (int j = 0; j < n; j++) {
            double g = -b[j];
            for (int c = 0; c < n; c++)
                g += A[j * n + c] * x[c];
            double v = x[j] - g / A[j * n + j];
            if (j < ncons && v < 0)
                v = 0;
            change = fmax(change, fabs(v - x[j]));
            scale = fmax(scale, fabs(v));
            x[j] = v;
        }
        if (change <= 1e-15 * scale)
            break;
    }
}

/* Solve every row of one side: X (nx × k) given Y (ny × k). */
static bool half(const ref_params *p, int k, int nx, double *X, double *xb, int ny, const double *Y,
                 const double *yb, double mu, const uint32_t *xi, const uint32_t *yi, const float *r, size_t n)
{
    const int kk = k + (p->bias ? 1 : 0);
    double *A = malloc(sizeof(double) * (size_t)(kk * kk));
    double *b = malloc(sizeof(double) * (size_t)kk);
    double *x = malloc(sizeof(double) * (size_t)kk);
    double *G = calloc((size_t)(k * k), sizeof(double));
    bool ok = A && b && x && G;
    if (ok && p->implicitPrefs)
        for (int j = 0; j < ny; j++)
            for (int a = 0; a < k; a++)
                for (int c = 0; c < k; c++)
                    G[a * k + c] += Y[j * k + a] * Y[j * k + c];
    for (int row = 0; ok && row < nx; row++) {
        memset(A, 0, sizeof(double) * (size_t)(kk * kk));
        memset(b, 0, sizeof(double) * (size_t)kk);
        size_t cnt = 0, nreg = 0;
        for (size_t e = 0; e < n; e++) {
            if ((int)xi[e] != row)
                continue;
            cnt++;
            const double *y = Y + (size_t)yi[e] * (size_t)k;
            double f[1025];
            for (int a = 0; a < k; a++)
                f[a] = y[a];
            if (p->bias)
                f[k] = 1.0;
            if (p->implicitPrefs) {
                double c1 = p->alpha * fabs((double)r[e]);
                double pref = r[e] > 0 ? 1.0 + c1 : 0.0;
                if (r[e] > 0)
                    nreg++;
                for (int a = 0; a < kk; a++) {
                    b[a] += pref * f[a];
                    for (int c = 0; c < kk; c++)
                        A[a * kk + c] += c1 * f[a] * f[c];
                }
            } else {
                nreg++;
                double t = r[e] - (p->bias ? mu + yb[yi[e]] : 0.0);
                for (int a = 0; a < kk; a++) {
                    b[a] += t * f[a];
                    for (int c = 0; c < kk; c++)
                        A[a * kk + c] += f[a] * f[c];
                }
            }
        }
        if (cnt == 0) {
            for (int a = 0; a < k; a++)
                X[row * k + a] = 0.0;
            if (p->bias)
                xb[row] = 0.0;
            continue;
        }
        if (p->implicitPrefs)
            for (int a = 0; a < k; a++)
                for (int c = 0; c < k; c++)
                    A[a * kk + c] += G[a * k + c];
        for (int a = 0; a < kk; a++)
            A[a * kk + a] += p->regParam * (double)nreg;
        if (p->nonnegative)
            pcd_nnls(kk, k, A, b, x);
        else
            ok = gauss_solve(kk, A, b, x);
        for (int a = 0; a < k; a++)
            X[row * k + a] = x[a];
        if (p->bias)
            xb[row] = x[k];
    }
    free(A);
    free(b);
    free(x);
    free(G);
    return ok;
}

bool ref_als_train(ref_model *m, const ref_params *p, const uint32_t *u, const uint32_t *i, const float *r,
                   size_t n, int iters)
{
    if (p->bias) {
        double s = 0.0;
        for (size_t e = 0; e < n; e++)
            s += r[e];
        m->mu = n ? s / (double)n : 0.0;
    }
    for (int it = 0; it < iters; it++) {
        if (!half(p, m->k, m->ni, m->V, m->bi, m->nu, m->U, m->bu, m->mu, i, u, r, n))
            return false;
        if (!half(p, m->k, m->nu, m->U, m->bu, m->ni, m->V, m->bi, m->mu, u, i, r, n))
            return false;
    }
    return true;
}
