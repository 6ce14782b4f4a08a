/* test_solver — the ALS core: kernels against naive loops, Cholesky/NNLS, Spark known answers,
 * the fast path against the naive double reference (tests/ref_als.c), ALS properties (monotone
 * objective, planted low-rank recovery, noise floor), thread independence, degenerate inputs,
 * parameter checks, and an ml-100k accuracy check. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_kernels.h"
#include "als_limits.h"
#include "als_solver.h"
#include "als_util.h"
#include "ref_als.h"

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct {
    size_t n, cap;
    uint32_t *u, *i;
    float *r;
    uint32_t nu, ni;
} trip;

static void trip_add(trip *t, uint32_t u, uint32_t i, float r)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->u = realloc(t->u, t->cap * sizeof *t->u);
        t->i = realloc(t->i, t->cap * sizeof *t->i);
        t->r = realloc(t->r, t->cap * sizeof *t->r);
        cr_assert(t->u && t->i && t->r, "out of memory growing triplets to %zu", t->cap);
    }
    t->u[t->n] = u;
    t->i[t->n] = i;
    t->r[t->n] = r;
    t->n++;
    if (u + 1 > t->nu)
        t->nu = u + 1;
    if (i + 1 > t->ni)
        t->ni = i + 1;
}

static void trip_free(trip *t)
{
    free(t->u);
    free(t->i);
    free(t->r);
    memset(t, 0, sizeof *t);
}

/* Random ratings: each (u, i) present with probability dens·pop(i) (long-tailed items), values
 * 1..5 in halves (explicit) or signed counts with some zeros (implicit). */
static void make_random(trip *t, uint32_t nu, uint32_t ni, double dens, uint64_t seed, bool implicit)
{
    memset(t, 0, sizeof *t);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t i = 0; i < ni; i++) {
            double pop = 1.5 / pow(1.0 + i, 0.5);
            if (als_rand_uniform(seed, u, i) < dens * pop) {
                double v = als_rand_uniform(seed + 1, u, i);
                float r = implicit ? (float)floor(v * 12.0 - 2.0) : (float)(1.0 + floor(v * 9.0) / 2.0);
                trip_add(t, u, i, r);
            }
        }
    t->nu = nu;
    t->ni = ni;
}

static void build(const trip *t, als_csr *bu, als_csr *bi)
{
    cr_assert_eq(als_csr_build(bu, t->nu, t->ni, t->u, t->i, t->r, NULL, t->n), ALS_OK, "csr build failed");
    cr_assert_eq(als_csr_transpose(bi, bu), ALS_OK, "csr transpose failed");
}

static void params(als_params *p, int rank, double reg, int iters)
{
    als_params_default(p);
    p->rank = rank;
    p->regParam = reg;
    p->maxIter = iters;
    p->seed = 7;
}

static double max_abs_f(const float *a, size_t n)
{
    double m = 0.0;
    for (size_t j = 0; j < n; j++)
        m = fmax(m, fabs((double)a[j]));
    return m;
}

/* max |fast − ref| / max(1e-3, max |ref|) */
static double rel_diff(const float *f, const double *r, size_t n)
{
    double md = 0.0, mr = 1e-3;
    for (size_t j = 0; j < n; j++) {
        md = fmax(md, fabs((double)f[j] - r[j]));
        mr = fmax(mr, fabs(r[j]));
    }
    return md / mr;
}

static double rel_diff_ff(const float *a, const float *b, size_t n)
{
    double md = 0.0, mr = 1e-3;
    for (size_t j = 0; j < n; j++) {
        md = fmax(md, fabs((double)a[j] - (double)b[j]));
        mr = fmax(mr, fabs((double)b[j]));
    }
    return md / mr;
}

static const char *srcdir(void)
{
    const char *s = getenv("TOP_SRCDIR");
    return s && *s ? s : NULL;
}

/* First existing of TOP_SRCDIR/../shared/data/<rel>, ../shared/data/<rel>, ../../shared/data/<rel>. */
static bool shared_path(char *out, size_t n, const char *rel)
{
    const char *s = srcdir();
    if (s) {
        snprintf(out, n, "%s/../shared/data/%s", s, rel);
        if (als_file_exists(out))
            return true;
    }
    const char *pre[] = {"../shared/data/", "../../shared/data/"};
    for (int j = 0; j < 2; j++) {
        snprintf(out, n, "%s%s", pre[j], rel);
        if (als_file_exists(out))
            return true;
    }
    return false;
}

/* ---- parameters -------------------------------------------------------------------------- */

static void expect_bad(const als_params *p, const char *name)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_params_check(p, &d);
    cr_assert_eq(st, ALS_E_INPUT, "expected ALS_E_INPUT for bad %s, got %d", name, st);
    cr_assert(strstr(d.msg, name) != NULL, "message '%s' should name %s", d.msg, name);
}

Test(params, defaults_are_sparks)
{
    als_params p;
    als_params_default(&p);
    cr_assert(p.rank == 10 && p.regParam == 0.1 && p.maxIter == 10 && p.alpha == 1.0 && !p.implicitPrefs &&
                  !p.nonnegative && p.cgSteps == 3 && p.solver == ALS_SOLVE_CHOLESKY && !p.bias,
              "defaults: rank %d regParam %g maxIter %d alpha %g cgSteps %d", p.rank, p.regParam, p.maxIter,
              p.alpha, p.cgSteps);
    als_diag d;
    cr_assert_eq(als_params_check(&p, &d), ALS_OK, "defaults rejected: %s", d.msg);
}

Test(params, rejects_bad_values_naming_them)
{
    als_params p;
    als_params_default(&p);
    p.rank = 0;
    expect_bad(&p, "rank");
    p.rank = 1025;
    expect_bad(&p, "rank");
    als_params_default(&p);
    p.regParam = -0.1;
    expect_bad(&p, "regParam");
    p.regParam = NAN;
    expect_bad(&p, "regParam");
    p.regParam = INFINITY;
    expect_bad(&p, "regParam");
    als_params_default(&p);
    p.maxIter = -1;
    expect_bad(&p, "maxIter");
    als_params_default(&p);
    p.alpha = -1;
    expect_bad(&p, "alpha");
    p.alpha = NAN;
    expect_bad(&p, "alpha");
    als_params_default(&p);
    p.cgSteps = 0;
    expect_bad(&p, "cgSteps");
    als_params_default(&p);
    p.threads = -2;
    expect_bad(&p, "threads");
    als_params_default(&p);
    p.bias = true;
    p.implicitPrefs = true;
    expect_bad(&p, "implicitPrefs");
    als_params_default(&p);
    p.maxIter = 0;
    p.regParam = 0;
    p.alpha = 0;
    p.rank = 1;
    als_diag d;
    cr_assert_eq(als_params_check(&p, &d), ALS_OK, "boundary values rejected: %s", d.msg);
}

/* ---- kernels ----------------------------------------------------------------------------- */

static float *rand_rows(size_t n, int k, int ld, uint64_t seed)
{
    float *Y = als_kernels_alloc((n ? n : 1) * (size_t)ld * sizeof(float));
    cr_assert(Y, "alloc");
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < k; a++)
            Y[i * (size_t)ld + (size_t)a] = (float)(als_rand_uniform(seed, i, (uint64_t)a) * 2.0 - 1.0);
    return Y;
}

Test(kernels, gram_gemv_cmatvec_match_naive_loops_for_every_variant)
{
    const int ks[] = {1, 3, 10, 16, 17, 20, 33, 40, 50, 64, 65, 100};
    const size_t ns[] = {0, 1, 7, 128, 300};
    for (int isa = ALS_ISA_GENERIC; isa <= ALS_ISA_AVX512; isa++) {
        const als_kernel_table *kt = als_kernels_get((als_isa)isa);
        if (!kt)
            continue;
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
            for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
                const int k = ks[ki], ld = als_kernels_ld(k);
                const size_t n = ns[ni], L = (size_t)ld;
                float *Y = rand_rows(n, k, ld, 11 + ki), *W = rand_rows(n, k, ld, 99 + ni);
                /* the gram's contract: W_i = c_i·Y_i (symmetric sum), as in the solver */
                for (size_t i = 0; i < n; i++)
                    for (size_t a = 0; a < L; a++)
                        W[i * L + a] = (float)(0.5 + (double)i / 64.0) * Y[i * L + a];
                float *t = als_kernels_alloc((n + 1) * sizeof(float)), *c = als_kernels_alloc((n + 1) * sizeof(float));
                float *pf = als_kernels_alloc(L * sizeof(float));
                double *C = als_kernels_alloc(L * L * sizeof(double)), *R = als_kernels_alloc(L * L * sizeof(double));
                double *b = als_kernels_alloc(L * sizeof(double)), *q = als_kernels_alloc(L * sizeof(double));
                cr_assert(t && c && pf && C && R && b && q, "alloc");
                for (size_t i = 0; i < n; i++) {
                    t[i] = (float)(als_rand_uniform(5, i, 0) * 4.0 - 1.0);
                    c[i] = (float)(als_rand_uniform(6, i, 0) * 3.0);
                }
                for (int a = 0; a < k; a++)
                    pf[a] = (float)(als_rand_uniform(8, (uint64_t)a, 0) - 0.5);
                /* gram, twice (the second accumulating) against the naive loops */
                for (size_t j = 0; j < L * L; j++)
                    C[j] = 1e300; /* stored-not-added check */
                kt->gram(k, ld, n, W, Y, C, false);
                kt->gram(k, ld, n, W, Y, C, true);
                als_gram_naive(k, ld, n, W, Y, R, false);
                als_gram_naive(k, ld, n, W, Y, R, true);
                for (int a = 0; a < k; a++) {
                    for (int bb = a; bb < k; bb++) {
                        double want = R[(size_t)a * L + (size_t)bb], got = C[(size_t)a * L + (size_t)bb];
                        cr_assert(fabs(got - want) <= 1e-5 * (1.0 + (double)n),
                                  "%s gram k=%d n=%zu C[%d][%d] = %.9g, naive %.9g", kt->name, k, n, a, bb, got, want);
                    }
                    for (int bb = k; bb < (k + kt->vlen / 2 - 1) / (kt->vlen / 2) * (kt->vlen / 2); bb++)
                        cr_assert(C[(size_t)a * L + (size_t)bb] == 0.0, "%s gram k=%d n=%zu: padding C[%d][%d] = %g",
                                  kt->name, k, n, a, bb, C[(size_t)a * L + (size_t)bb]);
                }
                /* gram by passes equals gram */
                int np = kt->gram_npasses(k);
                for (int pass = 0; pass < np; pass++)
                    kt->gram_pass(k, ld, n, W, Y, R, pass, false);
                kt->gram_finish(k, ld, R);
                kt->gram(k, ld, n, W, Y, C, false);
                for (int a = 0; a < k; a++)
                    for (int bb = a; bb < k; bb++)
                        cr_assert(C[(size_t)a * L + (size_t)bb] == R[(size_t)a * L + (size_t)bb],
                                  "%s gram passes differ at [%d][%d] (k=%d n=%zu)", kt->name, a, bb, k, n);
                /* b = Σ t_i Y_i */
                kt->gemv_t(k, ld, n, Y, t, b, false);
                for (int a = 0; a < ld; a++) {
                    double want = 0.0;
                    for (size_t i = 0; i < n; i++)
                        want += (double)t[i] * Y[i * L + (size_t)a];
                    cr_assert(fabs(b[a] - want) <= 1e-5 * (1.0 + (double)n), "%s gemv_t k=%d n=%zu b[%d] = %.9g, want %.9g",
                              kt->name, k, n, a, b[a], want);
                }
                /* q = Σ c_i (Y_i·p) Y_i */
                kt->cmatvec(k, ld, n, Y, c, pf, q, false);
                for (int a = 0; a < ld; a++) {
                    double want = 0.0;
                    for (size_t i = 0; i < n; i++) {
                        double dot = 0.0;
                        for (int e = 0; e < k; e++)
                            dot += (double)Y[i * L + (size_t)e] * pf[e];
                        want += (double)c[i] * dot * Y[i * L + (size_t)a];
                    }
                    cr_assert(fabs(q[a] - want) <= 1e-4 * (1.0 + (double)n), "%s cmatvec k=%d n=%zu q[%d] = %.9g, want %.9g",
                              kt->name, k, n, a, q[a], want);
                }
                free(Y);
                free(W);
                free(t);
                free(c);
                free(pf);
                free(C);
                free(R);
                free(b);
                free(q);
            }
    }
}

Test(kernels, cholesky_and_symv_every_variant_on_random_spd)
{
    const int ks[] = {1, 2, 5, 8, 9, 16, 31, 64, 70};
    for (int isa = ALS_ISA_GENERIC; isa <= ALS_ISA_AVX512; isa++) {
        const als_kernel_table *kt = als_kernels_get((als_isa)isa);
        if (!kt)
            continue;
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            const int k = ks[ki], ld = als_kernels_ld(k);
            const size_t L = (size_t)ld, K = (size_t)k;
            double *A = als_kernels_alloc(L * L * sizeof(double)), *F = als_kernels_alloc(L * L * sizeof(double));
            double *x = als_kernels_alloc(L * sizeof(double)), *b = als_kernels_alloc(L * sizeof(double));
            double *q = als_kernels_alloc(L * sizeof(double)), *diag = als_kernels_alloc(L * sizeof(double));
            cr_assert(A && F && x && b && q && diag, "alloc");
            /* A = MᵀM + I (full symmetric), x known, b = A x */
            for (size_t a = 0; a < K; a++)
                for (size_t c = 0; c < K; c++) {
                    double s = a == c ? 1.0 : 0.0;
                    for (size_t e = 0; e < K + 2; e++)
                        s += (als_rand_uniform(3, e, a) - 0.5) * (als_rand_uniform(3, e, c) - 0.5);
                    A[a * L + c] = s;
                }
            for (size_t a = 0; a < K; a++)
                x[a] = als_rand_uniform(4, a, 0) * 2.0 - 1.0;
            kt->symv(k, ld, A, x, 0.5, q);
            for (size_t a = 0; a < K; a++) {
                double s = 0.5 * x[a];
                for (size_t c = 0; c < K; c++)
                    s += A[a * L + c] * x[c];
                b[a] = s - 0.5 * x[a];
                cr_assert(fabs(q[a] - s) <= 1e-12 * (1.0 + fabs(s)), "%s symv k=%d q[%zu] = %.17g, want %.17g",
                          kt->name, k, a, q[a], s);
            }
            memcpy(F, A, L * L * sizeof(double));
            cr_assert(kt->cholesky(F, ld, k, 1e-10, diag), "%s cholesky failed on an SPD matrix (k=%d)", kt->name, k);
            kt->chol_solve(F, ld, k, diag, b);
            for (size_t a = 0; a < K; a++)
                cr_assert(fabs(b[a] - x[a]) <= 1e-9, "%s cholesky k=%d x[%zu] = %.17g, want %.17g", kt->name, k, a,
                          b[a], x[a]);
            /* indefinite: flip one diagonal entry */
            memcpy(F, A, L * L * sizeof(double));
            F[(K - 1) * L + K - 1] = -1.0;
            cr_assert(!kt->cholesky(F, ld, k, 1e-10, diag), "%s cholesky accepted an indefinite matrix (k=%d)",
                      kt->name, k);
            free(A);
            free(F);
            free(x);
            free(b);
            free(q);
            free(diag);
        }
    }
}

Test(kernels, chol_batch_solves_eight_independent_systems)
{
    const int ks[] = {1, 2, 3, 7, 8, 9, 16, 33, 50, 53, 57, 64};
    for (int isa = ALS_ISA_GENERIC; isa <= ALS_ISA_AVX512; isa++) {
        const als_kernel_table *kt = als_kernels_get((als_isa)isa);
        if (!kt)
            continue;
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            const int k = ks[ki], kp = (k + 7) / 8 * 8;
            const size_t K = (size_t)k, KP = (size_t)kp;
            double *B = als_kernels_alloc(KP * KP * 8 * sizeof(double)), *X = als_kernels_alloc(KP * 8 * sizeof(double));
            double *B2 = als_kernels_alloc(KP * KP * 8 * sizeof(double)), *X2 = als_kernels_alloc(KP * 8 * sizeof(double));
            double *A = malloc(K * K * sizeof(double)), *x = malloc(K * sizeof(double));
            cr_assert(B && X && B2 && X2 && A && x, "alloc");
            double want[8][64];
            for (size_t sys = 0; sys < 8; sys++) {
                /* A = MᵀM + I, a known x, b = A x; system 5 made indefinite */
                for (size_t a = 0; a < K; a++)
                    for (size_t c = 0; c < K; c++) {
                        double v = a == c ? 1.0 : 0.0;
                        for (size_t e = 0; e < K + 1; e++)
                            v += (als_rand_uniform(50 + sys, e, a) - 0.5) * (als_rand_uniform(50 + sys, e, c) - 0.5);
                        A[a * K + c] = v;
                    }
                if (sys == 5)
                    A[(K - 1) * K + K - 1] = -1.0;
                for (size_t a = 0; a < K; a++)
                    want[sys][a] = x[a] = als_rand_uniform(60 + sys, a, 0) * 2.0 - 1.0;
                for (size_t a = 0; a < K; a++) {
                    double v = 0.0;
                    for (size_t c = 0; c < K; c++)
                        v += A[a * K + c] * x[c];
                    X[a * 8 + sys] = v;
                    for (size_t c = 0; c < K; c++)
                        B[(a * KP + c) * 8 + sys] = A[a * K + c];
                }
            }
            memcpy(B2, B, KP * KP * 8 * sizeof(double));
            memcpy(X2, X, KP * 8 * sizeof(double));
            unsigned char bad[8];
            kt->chol_batch(B, k, kp, X, 1e-10, bad);
            for (size_t sys = 0; sys < 8; sys++) {
                cr_assert_eq(bad[sys], sys == 5, "%s k=%d: system %zu bad flag %d", kt->name, k, sys, bad[sys]);
                for (size_t a = 0; a < K; a++) {
                    double got = X[a * 8 + sys];
                    if (sys == 5)
                        cr_assert(isfinite(got), "%s k=%d: failed system must stay finite, x[%zu] = %g", kt->name, k, a, got);
                    else
                        cr_assert(fabs(got - want[sys][a]) <= 1e-9, "%s k=%d system %zu: x[%zu] = %.17g, want %.17g",
                                  kt->name, k, sys, a, got, want[sys][a]);
                }
            }
            /* lanes are independent: changing system 2 leaves the others bit for bit */
            for (size_t a = 0; a < K; a++)
                B2[(a * KP + a) * 8 + 2] += 100.0;
            kt->chol_batch(B2, k, kp, X2, 1e-10, bad);
            for (size_t sys = 0; sys < 8; sys++)
                for (size_t a = 0; sys != 2 && a < K; a++)
                    cr_assert(memcmp(&X2[a * 8 + sys], &X[a * 8 + sys], sizeof(double)) == 0,
                              "%s k=%d: system %zu changed when only system 2 did", kt->name, k, sys);
            free(B);
            free(X);
            free(B2);
            free(X2);
            free(A);
            free(x);
        }
    }
}

Test(kernels, dot_and_sse_row_match_double_loops)
{
    const int ks[] = {1, 5, 7, 8, 9, 16, 17, 24, 50, 64, 100};
    for (int isa = ALS_ISA_GENERIC; isa <= ALS_ISA_AVX512; isa++) {
        const als_kernel_table *kt = als_kernels_get((als_isa)isa);
        if (!kt)
            continue;
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            const int k = ks[ki];
            const size_t K = (size_t)k, ni = 37, n = 23;
            /* unaligned rows on purpose: Y starts one float into the allocation */
            float *buf = malloc((ni * K + 1) * sizeof(float)), *Y = buf + 1, *x = malloc(K * sizeof(float));
            float *ib = malloc(ni * sizeof(float)), *val = malloc(n * sizeof(float));
            uint32_t *idx = malloc(n * sizeof(uint32_t));
            cr_assert(buf && x && ib && val && idx, "alloc");
            for (size_t j = 0; j < ni * K; j++)
                Y[j] = (float)(als_rand_uniform(70, j, 0) * 2.0 - 1.0);
            for (size_t a = 0; a < K; a++)
                x[a] = (float)(als_rand_uniform(71, a, 0) * 2.0 - 1.0);
            for (size_t i = 0; i < ni; i++)
                ib[i] = (float)(als_rand_uniform(72, i, 0) - 0.5);
            double want = 0.0;
            for (size_t e = 0; e < n; e++) {
                idx[e] = (uint32_t)(als_rand_uniform(73, e, 0) * (double)ni);
                val[e] = (float)(1.0 + 4.0 * als_rand_uniform(74, e, 0));
                double p = 3.25 + ib[idx[e]];
                for (size_t a = 0; a < K; a++)
                    p += (double)x[a] * (double)Y[idx[e] * K + a];
                want += (val[e] - p) * (val[e] - p);
                double d = kt->dot(x, Y + idx[e] * K, k);
                cr_assert(fabs(d - (p - 3.25 - ib[idx[e]])) <= 1e-12 * (1.0 + (double)k), "%s dot k=%d: %.17g vs %.17g",
                          kt->name, k, d, p - 3.25 - ib[idx[e]]);
            }
            double got = kt->sse_row(x, Y, k, idx, val, n, 3.25, ib);
            cr_assert(fabs(got - want) <= 1e-10 * (1.0 + want), "%s sse_row k=%d: %.17g, double loops %.17g", kt->name,
                      k, got, want);
            free(buf);
            free(x);
            free(ib);
            free(val);
            free(idx);
        }
    }
}

Test(cholesky, known_matrix)
{
    /* A = UᵀU with U = [[2,1,0],[0,2,1],[0,0,3]]; x = (1,-1,2) → b = A x = (2, 1, 18). */
    double A[9] = {4, 2, 0, 2, 5, 2, 0, 2, 10};
    double b[3] = {2, 1, 18};
    const double U[9] = {2, 1, 0, 0, 2, 1, 0, 0, 3};
    cr_assert(als_cholesky_solve(A, b, 3), "known SPD matrix rejected");
    const double x[3] = {1, -1, 2};
    for (int j = 0; j < 3; j++)
        cr_assert(fabs(b[j] - x[j]) < 1e-14, "x[%d] = %.17g, want %g", j, b[j], x[j]);
    for (int j = 0; j < 9; j++)
        cr_assert(fabs(A[j] - U[j]) < 1e-14, "factor entry %d = %.17g, want %g", j, A[j], U[j]);
    double S[4] = {1, 2, 2, 4}; /* singular */
    double c[2] = {1, 2};
    cr_assert(!als_cholesky_solve(S, c, 2), "singular matrix accepted");
    double N[4] = {1, 2, 2, 1}; /* indefinite */
    cr_assert(!als_cholesky_solve(N, c, 2), "indefinite matrix accepted");
}

/* ---- NNLS -------------------------------------------------------------------------------- */

static void check_kkt(const double *A, const double *b, const double *x, int k, double tol, const char *what)
{
    for (int j = 0; j < k; j++) {
        double g = -b[j];
        for (int c = 0; c < k; c++)
            g += A[j * k + c] * x[c];
        cr_assert(x[j] >= 0, "%s: x[%d] = %g < 0", what, j, x[j]);
        cr_assert(g >= -tol, "%s: gradient g[%d] = %g < -tol (x[%d] = %g)", what, j, g, j, x[j]);
        if (x[j] > 0)
            cr_assert(fabs(g) <= tol, "%s: x[%d] = %g > 0 but gradient %g", what, j, x[j], g);
    }
}

Test(nnls, kkt_on_random_problems_with_and_without_warm_start)
{
    for (int trial = 0; trial < 200; trial++) {
        int k = 1 + trial % 23;
        double A[23 * 23], b[23], x[23], work[23 * 23 + 8 * 23];
        for (int a = 0; a < k; a++)
            for (int c = 0; c < k; c++) {
                double s = a == c ? 0.01 * (1 + trial % 3) : 0.0;
                for (int e = 0; e < k + 3; e++)
                    s += (als_rand_uniform(trial, (uint64_t)e, (uint64_t)a) - 0.3) *
                         (als_rand_uniform(trial, (uint64_t)e, (uint64_t)c) - 0.3);
                A[a * k + c] = s;
            }
        double bmax = 0;
        for (int a = 0; a < k; a++) {
            b[a] = als_rand_uniform(trial + 1000, (uint64_t)a, 0) * 2.0 - 1.0;
            bmax = fmax(bmax, fabs(b[a]));
            x[a] = trial % 2 ? als_rand_uniform(trial + 2000, (uint64_t)a, 0) : 0.0; /* warm start or zero */
        }
        int it = als_nnls_solve(A, b, x, k, work);
        char what[64];
        snprintf(what, sizeof what, "trial %d (k=%d, %d iterations)", trial, k, it);
        cr_assert(it >= 0, "%s: nnls failed", what);
        check_kkt(A, b, x, k, 1e-9 * (1 + bmax), what);
    }
}

Test(nnls, hand_computed)
{
    /* min ½xᵀx − bᵀx with b = (1, −2): x = (1, 0). */
    double A[4] = {1, 0, 0, 1}, b[2] = {1, -2}, x[2] = {5, 5}, work[4 + 16];
    als_nnls_solve(A, b, x, 2, work);
    cr_assert(fabs(x[0] - 1) < 1e-14 && x[1] == 0, "x = (%g, %g), want (1, 0)", x[0], x[1]);
}

/* ---- Spark known answers ----------------------------------------------------------------- */

typedef struct {
    int n;
    char id[64][16];
} idlist;

static int id_of(idlist *l, const char *s)
{
    for (int j = 0; j < l->n; j++)
        if (strcmp(l->id[j], s) == 0)
            return j;
    cr_assert(l->n < 64, "too many ids");
    snprintf(l->id[l->n], sizeof l->id[0], "%.15s", s);
    return l->n++;
}

/* Tiny CSV reader: skips the header, splits on commas. */
static int read_csv(const char *path, char cells[][4][32], int maxrows)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    char line[512];
    int n = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (n++ < 0 || !line[0])
            continue;
        cr_assert(n <= maxrows, "%s: too many rows", path);
        int c = 0;
        for (char *tok = strtok(line, ","); tok && c < 4; tok = strtok(NULL, ","))
            snprintf(cells[n - 1][c++], 32, "%s", tok);
    }
    fclose(f);
    return n < 0 ? 0 : n;
}

static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    cr_assert(end != s && *end == 0, "bad number '%s'", s);
    return v;
}

static void load_factors(const char *dir, const char *name, idlist *ids, float *F, int k)
{
    char path[1024], cells[64][4][32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int n = read_csv(path, cells, 64);
    cr_assert_eq(n, ids->n, "%s has %d rows, the ratings have %d ids", path, n, ids->n);
    for (int r = 0; r < n; r++) {
        int row = id_of(ids, cells[r][0]);
        for (int c = 0; c < k; c++)
            F[row * k + c] = (float)num(cells[r][1 + c]);
    }
}

static void known_answer(const char *cas, const char *ratings, bool implicit, bool nonneg, als_implicit_solver solver)
{
    /* The known answers are numbers, not MovieLens data: a copy lives in tests/fixtures so a fresh
     * clone runs these tests (tests/cli/test_basics.sh checks the copy against ../shared). */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/als-known-answer", srcdir() ? srcdir() : ".");
    char path[2100], cells[64][4][32];
    snprintf(path, sizeof path, "%s/%s", dir, ratings);
    int n = read_csv(path, cells, 64);
    idlist users = {0}, items = {0};
    trip t = {0};
    for (int r = 0; r < n; r++) {
        uint32_t u = (uint32_t)id_of(&users, cells[r][0]), i = (uint32_t)id_of(&items, cells[r][1]);
        trip_add(&t, u, i, (float)num(cells[r][2]));
    }
    als_csr bu, bi;
    build(&t, &bu, &bi);
    const int k = 3;
    for (int iters = 1; iters <= 3; iters += 2) {
        als_params p;
        params(&p, k, 0.1, iters);
        p.implicitPrefs = implicit;
        p.alpha = 2.0;
        p.nonnegative = nonneg;
        p.solver = solver;
        p.cgSteps = 60;
        als_model m;
        cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, k, false), ALS_OK, "alloc");
        char name[64];
        snprintf(name, sizeof name, "%s_user_init.csv", cas);
        load_factors(dir, name, &users, m.U, k);
        snprintf(name, sizeof name, "%s_item_init.csv", cas);
        load_factors(dir, name, &items, m.V, k);
        als_diag d;
        als_diag_clear(&d);
        als_status st = als_train(&m, &p, &bu, &bi, NULL, NULL, &d);
        cr_assert_eq(st, ALS_OK, "%s: train failed: %s", cas, d.msg);
        float *U = calloc((size_t)t.nu * k, sizeof(float)), *V = calloc((size_t)t.ni * k, sizeof(float));
        snprintf(name, sizeof name, "%s_user_iter%d.csv", cas, iters);
        load_factors(dir, name, &users, U, k);
        snprintf(name, sizeof name, "%s_item_iter%d.csv", cas, iters);
        load_factors(dir, name, &items, V, k);
        for (uint32_t u = 0; u < t.nu * (uint32_t)k; u++)
            cr_assert(fabs(m.U[u] - U[u]) <= 1e-4 * fmax(1.0, fabs(U[u])),
                      "%s iter %d (%s): user %s factor %u = %.7g, expected %.7g", cas, iters,
                      solver == ALS_SOLVE_CG ? "cg" : "cholesky", users.id[u / 3], u % 3, m.U[u], U[u]);
        for (uint32_t i = 0; i < t.ni * (uint32_t)k; i++)
            cr_assert(fabs(m.V[i] - V[i]) <= 1e-4 * fmax(1.0, fabs(V[i])),
                      "%s iter %d (%s): item %s factor %u = %.7g, expected %.7g", cas, iters,
                      solver == ALS_SOLVE_CG ? "cg" : "cholesky", items.id[i / 3], i % 3, m.V[i], V[i]);
        free(U);
        free(V);
        als_model_free(&m);
    }
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(known_answer, explicit) { known_answer("explicit", "explicit_ratings.csv", false, false, ALS_SOLVE_CHOLESKY); }
Test(known_answer, nonnegative) { known_answer("nonnegative", "explicit_ratings.csv", false, true, ALS_SOLVE_CHOLESKY); }
Test(known_answer, implicit_cholesky) { known_answer("implicit", "implicit_ratings.csv", true, false, ALS_SOLVE_CHOLESKY); }
Test(known_answer, implicit_cg_many_steps) { known_answer("implicit", "implicit_ratings.csv", true, false, ALS_SOLVE_CG); }

/* ---- fast path against the naive reference ----------------------------------------------- */

static void vs_reference(const char *what, als_params *p, const trip *t)
{
    als_csr bu, bi;
    build(t, &bu, &bi);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t->nu, t->ni, p->rank, p->bias), ALS_OK, "alloc");
    als_model_init(&m, p, &bu);
    ref_model r;
    cr_assert(ref_model_alloc(&r, (int)t->nu, (int)t->ni, p->rank, p->bias), "ref alloc");
    const size_t nu = (size_t)t->nu * (size_t)p->rank, ni = (size_t)t->ni * (size_t)p->rank;
    for (size_t j = 0; j < nu; j++)
        r.U[j] = m.U[j];
    for (size_t j = 0; j < ni; j++)
        r.V[j] = m.V[j];
    ref_params rp = {p->rank, p->regParam, p->implicitPrefs, p->alpha, p->nonnegative, p->bias};
    cr_assert(ref_als_train(&r, &rp, t->u, t->i, t->r, t->n, p->maxIter), "%s: reference failed", what);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_train(&m, p, &bu, &bi, NULL, NULL, &d);
    cr_assert_eq(st, ALS_OK, "%s: train failed: %s", what, d.msg);
    double du = rel_diff(m.U, r.U, nu), dv = rel_diff(m.V, r.V, ni);
    cr_assert(du <= 1e-4 && dv <= 1e-4, "%s: relative difference to the double reference: users %.3g, items %.3g",
              what, du, dv);
    if (p->bias) {
        double db = fmax(rel_diff(m.ubias, r.bu, t->nu), rel_diff(m.ibias, r.bi, t->ni));
        cr_assert(db <= 1e-4, "%s: bias difference %.3g", what, db);
        cr_assert(fabs(m.mu - r.mu) < 1e-9, "%s: mu %.17g vs %.17g", what, m.mu, r.mu);
    }
    ref_model_free(&r);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
}

Test(reference, explicit_several_ranks)
{
    trip t;
    make_random(&t, 45, 300, 0.25, 1, false);
    const int ranks[] = {1, 4, 10, 17, 33};
    for (size_t j = 0; j < sizeof ranks / sizeof ranks[0]; j++) {
        als_params p;
        params(&p, ranks[j], 0.1, 3);
        char what[64];
        snprintf(what, sizeof what, "explicit rank %d", ranks[j]);
        vs_reference(what, &p, &t);
    }
    trip_free(&t);
}

Test(reference, ranks_above_the_batched_solver)
{
    /* rank + bias > ALS_BATCH_MAXK: one LDLᵀ per row instead of eight per call */
    trip t;
    make_random(&t, 30, 120, 0.3, 8, false);
    als_params p;
    params(&p, ALS_BATCH_MAXK + 6, 0.1, 2);
    vs_reference("explicit rank 70", &p, &t);
    p.rank = ALS_BATCH_MAXK;
    p.bias = true;
    vs_reference("bias rank 64 (65 unknowns)", &p, &t);
    trip_free(&t);
    make_random(&t, 30, 120, 0.3, 9, true);
    params(&p, ALS_BATCH_MAXK + 2, 0.1, 2);
    p.implicitPrefs = true;
    vs_reference("implicit cholesky rank 66", &p, &t);
    trip_free(&t);
}

Test(reference, implicit_cholesky_and_cg)
{
    trip t;
    make_random(&t, 40, 200, 0.3, 2, true);
    als_params p;
    params(&p, 6, 0.05, 3);
    p.implicitPrefs = true;
    p.alpha = 0.7;
    vs_reference("implicit cholesky", &p, &t);
    p.solver = ALS_SOLVE_CG;
    p.cgSteps = 80;
    vs_reference("implicit cg (80 steps)", &p, &t);
    p.rank = 20;
    p.solver = ALS_SOLVE_CHOLESKY;
    vs_reference("implicit cholesky rank 20", &p, &t);
    trip_free(&t);
}

Test(reference, nonnegative_explicit_and_implicit)
{
    trip t;
    make_random(&t, 30, 80, 0.3, 3, false);
    als_params p;
    params(&p, 5, 0.1, 3);
    p.nonnegative = true;
    vs_reference("nonnegative explicit", &p, &t);
    trip_free(&t);
    make_random(&t, 30, 80, 0.3, 4, true);
    p.implicitPrefs = true;
    p.alpha = 1.5;
    vs_reference("nonnegative implicit", &p, &t);
    trip_free(&t);
}

Test(reference, bias_and_bias_nonnegative)
{
    trip t;
    make_random(&t, 40, 150, 0.25, 5, false);
    als_params p;
    params(&p, 7, 0.1, 3);
    p.bias = true;
    vs_reference("bias", &p, &t);
    p.rank = 15; /* k + 1 = 16: the bias column fills the first tile exactly */
    vs_reference("bias rank 15", &p, &t);
    p.rank = 4;
    p.nonnegative = true;
    vs_reference("bias nonnegative", &p, &t);
    trip_free(&t);
}

Test(reference, portable_kernels_agree_with_reference)
{
    als_isa was = als_kernels()->isa;
    als_kernels_select(ALS_ISA_GENERIC);
    trip t;
    make_random(&t, 40, 200, 0.25, 6, false);
    als_params p;
    params(&p, 12, 0.1, 3);
    vs_reference("generic kernels, explicit", &p, &t);
    p.bias = true;
    vs_reference("generic kernels, bias", &p, &t);
    trip_free(&t);
    make_random(&t, 40, 200, 0.3, 7, true);
    params(&p, 12, 0.1, 3);
    p.implicitPrefs = true;
    p.solver = ALS_SOLVE_CG;
    p.cgSteps = 80;
    vs_reference("generic kernels, implicit cg", &p, &t);
    trip_free(&t);
    als_kernels_select(was);
}

/* ---- properties -------------------------------------------------------------------------- */

Test(properties, explicit_objective_never_increases_across_half_iterations)
{
    for (uint64_t seed = 1; seed <= 24; seed++) {
        trip t;
        make_random(&t, 25, 30, 0.35, 100 + seed, false);
        als_csr bu, bi;
        build(&t, &bu, &bi);
        als_params p;
        params(&p, 1 + (int)(seed % 6), seed % 3 == 0 ? 0.01 : 0.2, 1);
        p.seed = seed;
        p.bias = seed % 4 == 1;
        p.nonnegative = seed % 5 == 2;
        als_model m, half;
        cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, p.rank, p.bias), ALS_OK, "alloc");
        cr_assert_eq(als_model_alloc(&half, t.nu, t.ni, p.rank, p.bias), ALS_OK, "alloc");
        als_model_init(&m, &p, &bu);
        half.mu = m.mu;
        double prev = als_objective(&m, &p, &bu, &bi);
        const size_t nu = (size_t)t.nu * (size_t)p.rank, ni = (size_t)t.ni * (size_t)p.rank;
        for (int it = 1; it <= 6; it++) {
            memcpy(half.U, m.U, nu * sizeof(float));
            if (p.bias)
                memcpy(half.ubias, m.ubias, t.nu * sizeof(float));
            als_diag d;
            cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
            /* the state after the item half: old users, new items */
            memcpy(half.V, m.V, ni * sizeof(float));
            if (p.bias)
                memcpy(half.ibias, m.ibias, t.ni * sizeof(float));
            double oh = als_objective(&half, &p, &bu, &bi), of = als_objective(&m, &p, &bu, &bi);
            double slack = 1e-6 * prev + 1e-9;
            cr_assert(oh <= prev + slack, "seed %llu iteration %d: objective rose in the item half: %.12g → %.12g",
                      (unsigned long long)seed, it, prev, oh);
            cr_assert(of <= oh + slack, "seed %llu iteration %d: objective rose in the user half: %.12g → %.12g",
                      (unsigned long long)seed, it, oh, of);
            prev = of;
        }
        als_model_free(&m);
        als_model_free(&half);
        als_csr_free(&bu);
        als_csr_free(&bi);
        trip_free(&t);
    }
}

/* Ratings of a planted rank-3 model (factors N(0,1)/√3·1.5 + offset), plus optional noise. */
static void make_planted(trip *t, uint32_t nu, uint32_t ni, double dens, double sigma, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t i = 0; i < ni; i++) {
            if (als_rand_uniform(seed, u, i) >= dens)
                continue;
            double s = 0.0;
            for (int a = 0; a < 3; a++)
                s += als_rand_normal(seed + 1, u, (uint64_t)a) * als_rand_normal(seed + 2, i, (uint64_t)a);
            s = 3.0 + s;
            if (sigma > 0)
                s += sigma * als_rand_normal(seed + 3, u, i);
            trip_add(t, u, i, (float)s);
        }
    t->nu = nu;
    t->ni = ni;
}

Test(properties, planted_low_rank_without_noise_is_recovered)
{
    trip t;
    make_planted(&t, 80, 60, 0.5, 0.0, 21);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 4, 1e-6, 40); /* rank 4 = planted 3 + the offset */
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, p.rank, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    als_diag d;
    cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    double rmse = als_train_rmse(&m, &bu);
    cr_assert(rmse < 1e-3, "train RMSE on noise-free rank-4 data = %g, want < 1e-3", rmse);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(properties, held_out_rmse_reaches_the_noise_floor)
{
    const double sigma = 0.5;
    trip all, tr = {0}, te = {0};
    make_planted(&all, 300, 200, 0.3, sigma, 31);
    for (size_t e = 0; e < all.n; e++) {
        trip *dst = als_rand_uniform(77, e, 0) < 0.1 ? &te : &tr;
        trip_add(dst, all.u[e], all.i[e], all.r[e]);
    }
    tr.nu = te.nu = all.nu;
    tr.ni = te.ni = all.ni;
    als_csr bu, bi;
    build(&tr, &bu, &bi);
    als_params p;
    params(&p, 4, 0.05, 15);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, tr.nu, tr.ni, p.rank, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    als_diag d;
    cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    double s = 0;
    size_t n = 0;
    for (size_t e = 0; e < te.n; e++) {
        if (als_csr_rowlen(&bu, te.u[e]) == 0 || als_csr_rowlen(&bi, te.i[e]) == 0)
            continue;
        double r = te.r[e] - als_predict(&m, te.u[e], te.i[e]);
        s += r * r;
        n++;
    }
    double rmse = sqrt(s / (double)n);
    cr_assert(n > 1000 && rmse <= 1.15 * sigma && rmse >= 0.8 * sigma,
              "held-out RMSE %g over %zu ratings, noise sigma %g (want within 15%%)", rmse, n, sigma);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&all);
    trip_free(&tr);
    trip_free(&te);
}

static void train_threads(const trip *t, als_params *p, int threads, als_model *m)
{
    als_csr bu, bi;
    build(t, &bu, &bi);
    p->threads = threads;
    cr_assert_eq(als_model_alloc(m, t->nu, t->ni, p->rank, p->bias), ALS_OK, "alloc");
    als_model_init(m, p, &bu);
    als_diag d;
    cr_assert_eq(als_train(m, p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    als_csr_free(&bu);
    als_csr_free(&bi);
}

Test(properties, factors_bitwise_identical_for_one_and_two_threads)
{
    trip te, ti;
    /* popular items have > ALS_KCHUNK ratings; enough work that als_train really uses 2 threads
     * (it runs small problems on fewer, see "work" in als_train) */
    make_random(&te, 1500, 400, 0.3, 41, false);
    make_random(&ti, 1500, 400, 0.3, 42, true);
    cr_assert(te.n * (10 * 10 + 40) > 2e6 && ti.n * (10 * 10 + 40) > 2e6,
              "too few ratings (%zu, %zu) to exercise two threads", te.n, ti.n);
    for (int variant = 0; variant < 6; variant++) {
        als_params p;
        params(&p, variant < 3 ? 10 : 24, 0.1, 3);
        const trip *t = &te;
        const char *what = "explicit";
        if (variant == 1 || variant == 4) {
            p.implicitPrefs = true;
            p.solver = variant == 1 ? ALS_SOLVE_CG : ALS_SOLVE_CHOLESKY;
            t = &ti;
            what = variant == 1 ? "implicit cg" : "implicit cholesky";
        } else if (variant == 2) {
            p.nonnegative = true;
            what = "nonnegative";
        } else if (variant == 5) {
            p.bias = true;
            what = "bias";
        }
        als_model a, b;
        train_threads(t, &p, 1, &a);
        train_threads(t, &p, 2, &b);
        cr_assert(memcmp(a.U, b.U, (size_t)t->nu * (size_t)p.rank * sizeof(float)) == 0 &&
                      memcmp(a.V, b.V, (size_t)t->ni * (size_t)p.rank * sizeof(float)) == 0,
                  "%s rank %d: factors differ between 1 and 2 threads (max rel diff %.3g)", what, p.rank,
                  rel_diff_ff(a.U, b.U, (size_t)t->nu * (size_t)p.rank));
        if (p.bias)
            cr_assert(memcmp(a.ubias, b.ubias, t->nu * sizeof(float)) == 0 &&
                          memcmp(a.ibias, b.ibias, t->ni * sizeof(float)) == 0,
                      "bias: biases differ between 1 and 2 threads");
        als_model_free(&a);
        als_model_free(&b);
    }
    trip_free(&te);
    trip_free(&ti);
}

Test(properties, init_is_unit_norm_seeded_and_nonnegative_when_asked)
{
    trip t;
    make_random(&t, 20, 20, 0.5, 9, false);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 5, 0.1, 1);
    als_model a, b;
    cr_assert_eq(als_model_alloc(&a, t.nu, t.ni, 5, false), ALS_OK, "alloc");
    cr_assert_eq(als_model_alloc(&b, t.nu, t.ni, 5, false), ALS_OK, "alloc");
    als_model_init(&a, &p, &bu);
    als_model_init(&b, &p, &bu);
    cr_assert(memcmp(a.U, b.U, 20 * 5 * sizeof(float)) == 0, "same seed, different init");
    bool any_neg = false;
    for (uint32_t u = 0; u < t.nu; u++) {
        if (als_csr_rowlen(&bu, u) == 0)
            continue;
        double n2 = 0;
        for (int c = 0; c < 5; c++) {
            n2 += (double)a.U[u * 5 + c] * a.U[u * 5 + c];
            any_neg |= a.U[u * 5 + c] < 0;
        }
        cr_assert(fabs(n2 - 1.0) < 1e-6, "user %u init norm² %g", u, n2);
    }
    cr_assert(any_neg, "the Gaussian init should have negative components");
    p.seed = 8;
    als_model_init(&b, &p, &bu);
    cr_assert(memcmp(a.U, b.U, 20 * 5 * sizeof(float)) != 0, "different seeds, same init");
    p.nonnegative = true;
    als_model_init(&b, &p, &bu);
    for (size_t j = 0; j < 20 * 5; j++)
        cr_assert(b.V[j] >= 0, "nonnegative init has %g", b.V[j]);
    als_model_free(&a);
    als_model_free(&b);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

typedef struct {
    int seen[16];
    int count;
} cb_ctx;

static int stop_after_4(int iter, const als_model *m, void *vctx)
{
    cb_ctx *c = vctx;
    (void)m;
    c->seen[c->count++] = iter;
    return iter >= 4;
}

Test(properties, callback_sees_every_iteration_and_can_stop)
{
    trip t;
    make_random(&t, 30, 30, 0.4, 12, false);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 3, 0.1, 10);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 3, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    cb_ctx ctx = {{0}, 0};
    als_diag d;
    cr_assert_eq(als_train(&m, &p, &bu, &bi, stop_after_4, &ctx, &d), ALS_OK, "train: %s", d.msg);
    cr_assert_eq(ctx.count, 4, "callback should stop training after iteration 4, saw %d calls", ctx.count);
    for (int j = 0; j < 4; j++)
        cr_assert_eq(ctx.seen[j], j + 1, "call %d saw iteration %d", j, ctx.seen[j]);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(properties, zero_implicit_ratings_contribute_nothing)
{
    trip a, b = {0};
    make_random(&a, 30, 40, 0.4, 13, true);
    /* b: a without its zeros (rows that keep at least one non-zero rating) */
    for (size_t e = 0; e < a.n; e++)
        if (a.r[e] != 0)
            trip_add(&b, a.u[e], a.i[e], a.r[e]);
    b.nu = a.nu;
    b.ni = a.ni;
    /* put the zeros back only where the row already has a non-zero rating, on both sides */
    trip c = {0};
    for (size_t e = 0; e < a.n; e++)
        trip_add(&c, a.u[e], a.i[e], a.r[e]);
    c.nu = a.nu;
    c.ni = a.ni;
    als_csr bu1, bi1, bu2, bi2;
    build(&b, &bu1, &bi1);
    build(&c, &bu2, &bi2);
    /* only compare when no row consists of zeros alone (those would start from a random factor) */
    for (uint32_t u = 0; u < c.nu; u++)
        if ((als_csr_rowlen(&bu1, u) == 0) != (als_csr_rowlen(&bu2, u) == 0))
            cr_skip_test("data has a user whose ratings are all zero; choose another seed");
    for (uint32_t i = 0; i < c.ni; i++)
        if ((als_csr_rowlen(&bi1, i) == 0) != (als_csr_rowlen(&bi2, i) == 0))
            cr_skip_test("data has an item whose ratings are all zero; choose another seed");
    als_params p;
    params(&p, 4, 0.1, 3);
    p.implicitPrefs = true;
    als_model m1, m2;
    cr_assert_eq(als_model_alloc(&m1, c.nu, c.ni, 4, false), ALS_OK, "alloc");
    cr_assert_eq(als_model_alloc(&m2, c.nu, c.ni, 4, false), ALS_OK, "alloc");
    als_model_init(&m1, &p, &bu1);
    als_model_init(&m2, &p, &bu2);
    als_diag d;
    cr_assert_eq(als_train(&m1, &p, &bu1, &bi1, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    cr_assert_eq(als_train(&m2, &p, &bu2, &bi2, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    cr_assert(b.n < c.n, "the data should contain zero ratings (%zu vs %zu)", b.n, c.n);
    cr_assert(memcmp(m1.U, m2.U, (size_t)c.nu * 4 * sizeof(float)) == 0 &&
                  memcmp(m1.V, m2.V, (size_t)c.ni * 4 * sizeof(float)) == 0,
              "adding zero ratings changed the factors (rel diff %.3g)",
              rel_diff_ff(m1.U, m2.U, (size_t)c.nu * 4));
    als_model_free(&m1);
    als_model_free(&m2);
    als_csr_free(&bu1);
    als_csr_free(&bi1);
    als_csr_free(&bu2);
    als_csr_free(&bi2);
    trip_free(&a);
    trip_free(&b);
    trip_free(&c);
}

/* ---- degenerate cases -------------------------------------------------------------------- */

static void small_set(trip *t)
{
    memset(t, 0, sizeof *t);
    /* users 0..3, items 0..4; item 4 has no ratings; user 3 and item 3 have one rating each */
    const uint32_t U[] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3};
    const uint32_t I[] = {0, 1, 2, 0, 1, 2, 0, 1, 3, 2};
    const float R[] = {5, 3, 4, 4, 2, 5, 1, 4, 3, 4.5f};
    for (int e = 0; e < 10; e++)
        trip_add(t, U[e], I[e], R[e]);
    t->ni = 5;
}

Test(degenerate, single_ratings_unrated_item_and_rank_above_counts)
{
    trip t;
    small_set(&t);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 8, 0.1, 10); /* rank 8 > every row's count: fine because λ·n > 0 */
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 8, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    for (size_t j = 0; j < (size_t)t.nu * 8; j++)
        cr_assert(isfinite(m.U[j]), "user factor %zu = %g", j, m.U[j]);
    for (int c = 0; c < 8; c++)
        cr_assert(m.V[4 * 8 + c] == 0.0f, "unrated item 4 factor %d = %g, want 0", c, m.V[4 * 8 + c]);
    /* the unrated item predicts 0 (a finite value: cold start is the caller's decision) */
    cr_assert(als_predict(&m, 0, 4) == 0.0, "prediction for the unrated item = %g", als_predict(&m, 0, 4));
    cr_assert(isnan(als_predict(&m, 0, 5)) && isnan(als_predict(&m, -1, 0)) && isnan(als_predict(&m, 4, 0)),
              "out-of-range ids must predict NaN");
    /* one rating each: user 3 rated item 2 with 4.5, item 3 was rated 3 by user 2; shrinkage keeps the
     * prediction below the rating but in its neighbourhood */
    double p32 = als_predict(&m, 3, 2), p23 = als_predict(&m, 2, 3);
    cr_assert(p32 > 2.0 && p32 < 4.5, "single-rating user predicts %g for its rating 4.5", p32);
    cr_assert(p23 > 1.0 && p23 < 3.0, "single-rating item predicts %g for its rating 3", p23);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(degenerate, zero_regparam_singular_system_is_a_numeric_error)
{
    trip t;
    small_set(&t);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 3, 0.0, 5);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 3, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_train(&m, &p, &bu, &bi, NULL, NULL, &d);
    cr_assert_eq(st, ALS_E_NUMERIC, "expected ALS_E_NUMERIC, got %d (%s)", st, d.msg);
    cr_assert(strstr(d.msg, "item 3") && strstr(d.msg, "regParam"),
              "message should name the row (item 3, the first singular one) and regParam: %s", d.msg);
    for (size_t j = 0; j < (size_t)t.ni * 3; j++)
        cr_assert(isfinite(m.V[j]), "factors must stay finite after the failure, V[%zu] = %g", j, m.V[j]);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(degenerate, zero_regparam_with_enough_ratings_works)
{
    trip t;
    make_planted(&t, 40, 30, 0.6, 0.0, 51);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 2, 0.0, 5);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 2, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train with regParam 0: %s", d.msg);
    cr_assert(isfinite(als_train_rmse(&m, &bu)), "rmse not finite");
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(degenerate, all_ratings_equal)
{
    trip t = {0};
    for (uint32_t u = 0; u < 20; u++)
        for (uint32_t i = 0; i < 15; i++)
            if ((u * 7 + i * 3) % 4 != 0)
                trip_add(&t, u, i, 3.5f);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    for (int bias = 0; bias <= 1; bias++) {
        als_params p;
        params(&p, 5, 0.01, 15);
        p.bias = bias;
        als_model m;
        cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 5, p.bias), ALS_OK, "alloc");
        als_model_init(&m, &p, &bu);
        als_diag d;
        cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
        double rmse = als_train_rmse(&m, &bu);
        cr_assert(isfinite(rmse) && rmse < 0.05, "bias %d: all ratings 3.5, train RMSE %g", bias, rmse);
        if (bias)
            cr_assert(fabs(m.mu - 3.5) < 1e-12, "mu = %.17g", m.mu);
        als_model_free(&m);
    }
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(degenerate, implicit_row_without_preference)
{
    /* user 3 has only negative counts (confidence, no preference), user 4 only zeros: both get
     * a zero factor, with Cholesky and with CG; the others are solved normally */
    trip t = {0};
    for (uint32_t u = 0; u < 3; u++)
        for (uint32_t i = 0; i < 6; i++)
            trip_add(&t, u, i, (float)((u + i) % 4));
    trip_add(&t, 3, 0, -2.0f);
    trip_add(&t, 3, 4, -1.0f);
    trip_add(&t, 4, 1, 0.0f);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    for (int cg = 0; cg <= 1; cg++) {
        als_params p;
        params(&p, 3, 0.1, 4);
        p.implicitPrefs = true;
        p.alpha = 2.0;
        p.solver = cg ? ALS_SOLVE_CG : ALS_SOLVE_CHOLESKY;
        als_model m;
        cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 3, false), ALS_OK, "alloc");
        als_model_init(&m, &p, &bu);
        als_diag d;
        cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
        for (int c = 0; c < 3; c++)
            cr_assert(m.U[3 * 3 + c] == 0.0f && m.U[4 * 3 + c] == 0.0f,
                      "%s: users without a positive rating must get 0, got %g and %g", cg ? "cg" : "cholesky",
                      m.U[3 * 3 + c], m.U[4 * 3 + c]);
        cr_assert(max_abs_f(m.U, 9) > 0.01, "%s: the other users should have factors", cg ? "cg" : "cholesky");
        als_model_free(&m);
    }
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

Test(degenerate, max_iter_zero_keeps_the_init)
{
    trip t;
    small_set(&t);
    als_csr bu, bi;
    build(&t, &bu, &bi);
    als_params p;
    params(&p, 3, 0.1, 0);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, t.nu, t.ni, 3, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    float U0[12];
    memcpy(U0, m.U, sizeof U0);
    als_diag d;
    cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    cr_assert(memcmp(U0, m.U, sizeof U0) == 0, "maxIter 0 changed the factors");
    cr_assert(max_abs_f(m.U, 12) > 0, "init is all zero");
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&t);
}

/* ---- ml-100k ----------------------------------------------------------------------------- */

Test(movielens, ml100k_holdout_rmse_below_0_95, .timeout = 60)
{
    char path[1024];
    if (!shared_path(path, sizeof path, "ml-100k/u.data"))
        cr_skip_test("ml-100k not found (../shared/data/ml-100k/u.data); skipping");
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    /* u.data: user \t item \t rating \t timestamp; ids are 1-based dense integers. */
    trip tr = {0}, te = {0};
    long u, i, r, ts;
    size_t line = 0;
    while (fscanf(f, "%ld\t%ld\t%ld\t%ld", &u, &i, &r, &ts) == 4) {
        cr_assert(u >= 1 && i >= 1 && r >= 1 && r <= 5, "%s:%zu: bad line", path, line + 1);
        trip *dst = als_rand_uniform(2024, line, 0) < 0.2 ? &te : &tr;
        trip_add(dst, (uint32_t)(u - 1), (uint32_t)(i - 1), (float)r);
        line++;
    }
    fclose(f);
    cr_assert_eq(line, 100000, "expected 100000 ratings, read %zu", line);
    tr.nu = te.nu = tr.nu > te.nu ? tr.nu : te.nu;
    tr.ni = te.ni = tr.ni > te.ni ? tr.ni : te.ni;
    als_csr bu, bi;
    build(&tr, &bu, &bi);
    als_params p;
    params(&p, 10, 0.1, 10);
    als_model m;
    cr_assert_eq(als_model_alloc(&m, tr.nu, tr.ni, 10, false), ALS_OK, "alloc");
    als_model_init(&m, &p, &bu);
    als_diag d;
    cr_assert_eq(als_train(&m, &p, &bu, &bi, NULL, NULL, &d), ALS_OK, "train: %s", d.msg);
    double s = 0;
    size_t n = 0, dropped = 0;
    for (size_t e = 0; e < te.n; e++) {
        if (als_csr_rowlen(&bu, te.u[e]) == 0 || als_csr_rowlen(&bi, te.i[e]) == 0) {
            dropped++;
            continue;
        }
        double err = te.r[e] - als_predict(&m, te.u[e], te.i[e]);
        s += err * err;
        n++;
    }
    double rmse = sqrt(s / (double)n);
    cr_assert(rmse < 0.95 && rmse > 0.5, "ml-100k 80/20 test RMSE %.4f over %zu ratings (%zu cold-start dropped)", rmse,
              n, dropped);
    cr_log_info("ml-100k rank 10 regParam 0.1 maxIter 10: test RMSE %.4f (%zu rated, %zu dropped)", rmse, n, dropped);
    als_model_free(&m);
    als_csr_free(&bu);
    als_csr_free(&bi);
    trip_free(&tr);
    trip_free(&te);
}

/* ---- the table of limits (als_limits.h) ------------------------------------------------------ */

Test(limits, params_check_uses_the_table_bounds_and_says_why)
{
    als_params p;
    als_params_default(&p);
    p.rank = ALS_RANK_MAX;
    p.maxIter = ALS_MAXITER_MAX;
    p.cgSteps = ALS_CGSTEPS_MAX;
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_params_check(&p, &d), ALS_OK, "the table's upper bounds themselves rejected: %s", d.msg);
    p.rank = 1100;
    cr_assert_eq(als_params_check(&p, &d), ALS_E_INPUT, "rank 1100 accepted");
    cr_assert(strstr(d.msg, "rank must be an integer in [1, 1024], got 1100 (") != NULL, "message: %s", d.msg);
    cr_assert(strstr(d.msg, als_limit_get(ALS_LIM_RANK)->why) != NULL, "message '%s' should say why", d.msg);
    als_params_default(&p);
    p.maxIter = 1000000000;
    cr_assert_eq(als_params_check(&p, &d), ALS_E_INPUT, "maxIter 1e9 accepted");
    cr_assert(strstr(d.msg, "maxIter must be an integer in [0, 100000]") != NULL, "message: %s", d.msg);
}

Test(limits, every_entry_is_consistent)
{
    for (int i = 0; i < ALS_LIM_N; i++) {
        const als_limit *l = als_limit_get((als_limit_id)i);
        cr_assert(l->name && l->name[0] && l->why && l->why[0], "entry %d lacks a name or a reason", i);
        cr_assert(l->lo <= l->hi, "%s: lo %g > hi %g", l->name, l->lo, l->hi);
        cr_assert(als_limit_ok((als_limit_id)i, l->lo) && als_limit_ok((als_limit_id)i, l->hi),
                  "%s: its own bounds are refused", l->name);
        cr_assert(!als_limit_ok((als_limit_id)i, l->hi * 2 + 1) && !als_limit_ok((als_limit_id)i, NAN),
                  "%s: a value above the bound or NaN is accepted", l->name);
    }
    cr_assert(!als_limit_ok(ALS_LIM_RANK, 2.5), "a fractional rank is accepted");
    cr_assert_eq(als_limit_hi(ALS_LIM_RANK), ALS_RANK_MAX, "rank bound %ld", als_limit_hi(ALS_LIM_RANK));
}

Test(limits, model_init_of_a_rank_beyond_the_limit_does_not_touch_the_stack)
{
    /* als_model_init once used a rank-sized stack buffer of ALS_RANK_MAX doubles: rank 1100
     * wrote past it (SIGSEGV).  Now it needs no buffer; the factors are unit rows. */
    als_model m;
    cr_assert_eq(als_model_alloc(&m, 2, 3, 1100, false), ALS_OK, "alloc");
    als_params p;
    als_params_default(&p);
    p.rank = 1100;
    als_model_init(&m, &p, NULL);
    double s = 0;
    for (int c = 0; c < 1100; c++)
        s += (double)m.U[c] * m.U[c];
    cr_assert(fabs(s - 1) < 1e-4, "row 0 norm² %g, expected 1", s);
    als_model_free(&m);
}
