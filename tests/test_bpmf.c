/* test_bpmf — the BPMF Gibbs sampler (src/als_bpmf): parameter checks, the documented seed hash,
 * GSL's Wishart convention as used, the ridge limit (weak fixed prior, large alpha: the posterior
 * mean is the ALS ridge solution), planted low-rank recovery (alpha fixed and sampled), thread
 * independence, the sample callback, clipping and input errors.  The known-answer comparison with
 * an independent float64 sampler is tests/cli/test_bpmf_ref.sh. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "als_bpmf.h"
#include "als_config.h"
#include "als_estimate.h"
#include "als_solver.h"
#include "als_util.h"

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct {
    uint32_t nu, ni;
    size_t n;
    uint32_t *u, *i;
    float *r;
    als_csr byu, byi;
    /* held-out pairs and their noise-free values */
    size_t nt;
    uint32_t *tu, *ti;
    double *tv;
} problem;

/* A planted rank-`rank` matrix: r = off + x_u·y_i + noise·N(0,1), x, y ~ N(0,1)/rank^¼ per component;
 * each entry observed with probability dens (always at least one per row and column when
 * dens < 1), the others held out (at most maxt of them). */
static void make_planted(problem *P, uint32_t nu, uint32_t ni, int rank, double dens, double off, double noise,
                         uint64_t seed, size_t maxt)
{
    memset(P, 0, sizeof *P);
    P->nu = nu;
    P->ni = ni;
    const size_t K = (size_t)rank;
    double *X = malloc(nu * K * sizeof(double)), *Y = malloc(ni * K * sizeof(double));
    P->u = malloc((size_t)nu * ni * sizeof(uint32_t));
    P->i = malloc((size_t)nu * ni * sizeof(uint32_t));
    P->r = malloc((size_t)nu * ni * sizeof(float));
    P->tu = malloc(maxt * sizeof(uint32_t) + 1);
    P->ti = malloc(maxt * sizeof(uint32_t) + 1);
    P->tv = malloc(maxt * sizeof(double) + 1);
    cr_assert(X && Y && P->u && P->i && P->r && P->tu && P->ti && P->tv, "out of memory");
    const double sc = 1.0 / pow((double)rank, 0.25);
    for (size_t a = 0; a < nu * K; a++)
        X[a] = sc * als_rand_normal(seed, 1, a);
    for (size_t a = 0; a < ni * K; a++)
        Y[a] = sc * als_rand_normal(seed, 2, a);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t i = 0; i < ni; i++) {
            double t = off;
            for (size_t a = 0; a < K; a++)
                t += X[u * K + a] * Y[i * K + a];
            const uint64_t e = (uint64_t)u * ni + i;
            bool obs = dens >= 1.0 || u == i % nu || i == u % ni || als_rand_uniform(seed, 3, e) < dens;
            if (obs) {
                P->u[P->n] = u;
                P->i[P->n] = i;
                P->r[P->n] = (float)(t + noise * als_rand_normal(seed, 4, e));
                P->n++;
            } else if (P->nt < maxt) {
                P->tu[P->nt] = u;
                P->ti[P->nt] = i;
                P->tv[P->nt] = t;
                P->nt++;
            }
        }
    free(X);
    free(Y);
    cr_assert_eq(als_csr_build(&P->byu, nu, ni, P->u, P->i, P->r, NULL, P->n), ALS_OK, "csr build");
    cr_assert_eq(als_csr_transpose(&P->byi, &P->byu), ALS_OK, "csr transpose");
}

static void problem_free(problem *P)
{
    free(P->u);
    free(P->i);
    free(P->r);
    free(P->tu);
    free(P->ti);
    free(P->tv);
    als_csr_free(&P->byu);
    als_csr_free(&P->byi);
}

static void run_ok(als_bpmf_state *s, const als_bpmf_params *p, const problem *P, const uint32_t *pu,
                   const uint32_t *pi, size_t np)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_bpmf_state_alloc(s, P->nu, P->ni, p, &d);
    cr_assert_eq(st, ALS_OK, "state_alloc: %s", d.msg);
    st = als_bpmf_run(s, p, &P->byu, &P->byi, pu, pi, np, NULL, NULL, NULL, NULL, &d);
    cr_assert_eq(st, ALS_OK, "run: %s", d.msg);
}

/* ---- parameters --------------------------------------------------------------------------- */

/* The default parameters with the chain's shape set: rank, burn-in sweeps and collected samples. */
static als_bpmf_params chain(int rank, int burnin, int samples)
{
    als_bpmf_params p;
    als_bpmf_params_default(&p);
    p.rank = rank;
    p.burnin = burnin;
    p.samples = samples;
    return p;
}

static void expect_bad(const als_bpmf_params *p, const char *needle)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_bpmf_params_check(p, &d);
    cr_assert_eq(st, ALS_E_INPUT, "expected ALS_E_INPUT for '%s', got %d (%s)", needle, st, d.msg);
    cr_assert(strstr(d.msg, needle), "message '%s' should mention '%s'", d.msg, needle);
}

Test(bpmf, defaults_are_the_papers)
{
    als_bpmf_params p;
    als_bpmf_params_default(&p);
    cr_assert(p.rank == 10 && p.burnin == 20 && p.samples == 200 && p.alpha == 2.0, "rank/burnin/samples/alpha");
    cr_assert(p.mu0 == 0.0 && p.beta0 == 2.0 && p.nu0 == 0.0 && p.w0 == 1.0 && !p.W0,
              "mu0 0, beta0 2, nu0 = rank, W0 = I");
    cr_assert(p.sample_hyper && !p.sample_alpha && p.center, "hyper sampled, alpha fixed, centred");
    als_diag d;
    cr_assert_eq(als_bpmf_params_check(&p, &d), ALS_OK, "defaults pass the check: %s", d.msg);
}

Test(bpmf, params_check_rejects_bad_values)
{
    als_bpmf_params p, q;
    als_bpmf_params_default(&p);
    q = p; q.rank = 0; expect_bad(&q, "rank");
    q = p; q.rank = ALS_BPMF_MAX_RANK + 1; expect_bad(&q, "rank");
    q = p; q.burnin = -1; expect_bad(&q, "burnin");
    q = p; q.samples = 0; expect_bad(&q, "samples");
    q = p; q.alpha = 0; expect_bad(&q, "alpha");
    q = p; q.alpha = NAN; expect_bad(&q, "alpha");
    q = p; q.sample_alpha = true; q.alpha_a0 = 0; expect_bad(&q, "Gamma prior");
    q = p; q.sample_alpha = true; q.alpha_b0 = -1; expect_bad(&q, "Gamma prior");
    q = p; q.beta0 = 0; expect_bad(&q, "beta0");
    q = p; q.nu0 = 9; expect_bad(&q, "nu0");     /* must be > rank − 1 = 9 */
    q = p; q.nu0 = -1; expect_bad(&q, "nu0");
    q = p; q.w0 = 0; expect_bad(&q, "w0");
    q = p; q.mu0 = INFINITY; expect_bad(&q, "mu0");
    q = p; q.init_scale = -1; expect_bad(&q, "init_scale");
    q = p; q.rmin = 5; q.rmax = 1; expect_bad(&q, "rating range");
    q = p; q.threads = -2; expect_bad(&q, "threads");
    q = p; q.bias = true; q.bias_prec = 0; expect_bad(&q, "bias_prec");
    double W[4] = {1, 2, 2, 1}; /* symmetric, indefinite */
    q = p; q.rank = 2; q.W0 = W; expect_bad(&q, "W0");
    double Wn[4] = {1, 0.5, 0.4, 1}; /* not symmetric */
    q = p; q.rank = 2; q.W0 = Wn; expect_bad(&q, "W0");
    double Wg[4] = {2, 0.5, 0.5, 1};
    q = p; q.rank = 2; q.W0 = Wg; q.nu0 = 1.5;
    als_diag d;
    cr_assert_eq(als_bpmf_params_check(&q, &d), ALS_OK, "a PD W0 and nu0 = 1.5 > rank - 1 pass: %s", d.msg);
}

/* ---- seeding ------------------------------------------------------------------------------ */

Test(bpmf, seed_is_the_documented_hash)
{
    const uint64_t a[][5] = {{0, 0, 0, 0, 0}, {42, 1, 0, 7, 3}, {42, 1, 1, 7, 3}, {42, 1, 0, 8, 3},
                             {42, 1, 0, 7, 4}, {43, 1, 0, 7, 3}, {42, 2, 0, 7, 3},
                             {9, 0, 1, ALS_BPMF_ROW_HYPER, 5}, {9, 0, 1, 5, ALS_BPMF_SWEEP_INIT}};
    unsigned long seen[sizeof a / sizeof a[0]];
    for (size_t t = 0; t < sizeof a / sizeof a[0]; t++) {
        uint64_t h = als_mix64(a[t][0]);
        for (int j = 1; j < 5; j++)
            h = als_mix64(h ^ a[t][j]);
        unsigned long want = (unsigned long)((h ^ (h >> 32)) & 0xffffffffu);
        if (!want)
            want = 1;
        seen[t] = als_bpmf_seed(a[t][0], a[t][1], a[t][2], a[t][3], a[t][4]);
        cr_assert_eq(seen[t], want, "case %zu: seed %lu, documented hash %lu", t, seen[t], want);
        for (size_t o = 0; o < t; o++)
            cr_assert_neq(seen[t], seen[o], "cases %zu and %zu collide", t, o);
    }
}

/* gsl_ran_wishart as the sampler calls it (L lower, zeros above): E[Λ] = ν·W. */
Test(bpmf, gsl_wishart_mean_is_nu_times_scale)
{
    const double W[4] = {0.5, 0.2, 0.2, 0.3}; /* L = chol(W) lower */
    const double l00 = sqrt(W[0]), l10 = W[2] / l00, l11 = sqrt(W[3] - l10 * l10);
    gsl_matrix *L = gsl_matrix_calloc(2, 2), *R = gsl_matrix_alloc(2, 2), *work = gsl_matrix_alloc(2, 2);
    gsl_matrix_set(L, 0, 0, l00);
    gsl_matrix_set(L, 1, 0, l10);
    gsl_matrix_set(L, 1, 1, l11);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    const double nu = 5.0;
    const int N = 20000;
    double m[4] = {0, 0, 0, 0};
    for (int t = 0; t < N; t++) {
        cr_assert_eq(gsl_ran_wishart(r, nu, L, R, work), 0, "wishart draw");
        for (int a = 0; a < 4; a++)
            m[a] += gsl_matrix_get(R, (size_t)a / 2, (size_t)a % 2) / N;
    }
    for (int a = 0; a < 4; a++)
        cr_assert(fabs(m[a] - nu * W[a]) < 0.05 * nu * sqrt(W[0] * W[3]), "E[Lambda][%d] = %g, nu W = %g", a, m[a],
                  nu * W[a]);
    gsl_rng_free(r);
    gsl_matrix_free(L);
    gsl_matrix_free(R);
    gsl_matrix_free(work);
}

/* ---- properties --------------------------------------------------------------------------- */

/* Fixed hyperparameters μ = 0, Λ = λp I and α → ∞: the posterior concentrates at the MAP, i.e.
 * the ridge problem min α Σ(r − x·y)² + λp(Σ‖x‖² + Σ‖y‖²) — Spark's ALS with regParam λp/(α n)
 * on a fully observed n × n matrix (its λ is scaled by n_u = n_i = n). */
static double ridge_gap(double alpha)
{
    const uint32_t n = 12;
    problem P;
    make_planted(&P, n, n, 2, 1.0, 0.0, 0.05, 11, 0);
    als_bpmf_params p = chain(2, 100, 200);
    p.center = false;
    p.sample_hyper = false;
    p.mu0 = 0.0;
    p.w0 = 0.5; /* Λ = ν₀W₀ = 2 · 0.5 I = I */
    p.alpha = alpha;
    p.threads = 1;
    p.seed = 5;
    uint32_t pu[144], pi[144];
    for (uint32_t j = 0; j < n * n; j++) {
        pu[j] = j / n;
        pi[j] = j % n;
    }
    als_bpmf_state s;
    run_ok(&s, &p, &P, pu, pi, n * n);
    double pred[144];
    als_bpmf_predictions(&s, 0, 0, pred);

    als_params ap;
    als_params_default(&ap);
    ap.rank = 2;
    ap.regParam = 1.0 / (alpha * n);
    ap.maxIter = 300;
    ap.threads = 1;
    als_model m;
    cr_assert_eq(als_model_alloc(&m, n, n, 2, false), ALS_OK, "model alloc");
    als_model_init(&m, &ap, &P.byu);
    als_diag d;
    cr_assert_eq(als_train(&m, &ap, &P.byu, &P.byi, NULL, NULL, &d), ALS_OK, "als_train: %s", d.msg);
    double gap = 0.0;
    for (uint32_t j = 0; j < n * n; j++)
        gap = fmax(gap, fabs(pred[j] - als_predict(&m, pu[j], pi[j])));
    als_model_free(&m);
    als_bpmf_state_free(&s);
    problem_free(&P);
    return gap;
}

Test(bpmf, posterior_mean_tends_to_the_ridge_solution, .timeout = 60)
{
    const double g2 = ridge_gap(1e2), g4 = ridge_gap(1e4), g6 = ridge_gap(1e6);
    cr_assert(g4 < g2 && g6 < g4, "gap to ALS should shrink as alpha grows: %g (1e2) %g (1e4) %g (1e6)", g2, g4, g6);
    cr_assert(g6 < 2e-3, "alpha 1e6: max |BPMF posterior mean - ALS ridge| = %g", g6);
}

static double heldout_rmse(const problem *P, const double *pred)
{
    double t = 0.0;
    for (size_t j = 0; j < P->nt; j++)
        t += (pred[j] - P->tv[j]) * (pred[j] - P->tv[j]);
    return sqrt(t / (double)P->nt);
}

Test(bpmf, planted_low_rank_is_recovered, .timeout = 60)
{
    problem P;
    make_planted(&P, 80, 60, 3, 0.4, 3.0, 0.1, 21, 400);
    als_bpmf_params p = chain(3, 40, 80);
    p.alpha = 100.0; /* 1/σ² */
    p.threads = 2;
    als_bpmf_state s;
    run_ok(&s, &p, &P, P.tu, P.ti, P.nt);
    double *pred = malloc(P.nt * sizeof(double));
    als_bpmf_predictions(&s, 0, 0, pred);
    double rm = heldout_rmse(&P, pred), sd = 0.0, mean = 0.0;
    for (size_t j = 0; j < P.nt; j++)
        mean += P.tv[j] / (double)P.nt;
    for (size_t j = 0; j < P.nt; j++)
        sd += (P.tv[j] - mean) * (P.tv[j] - mean) / (double)P.nt;
    sd = sqrt(sd);
    cr_assert(rm < 0.1 * sd && rm < 0.12, "held-out RMSE vs the planted truth %g (signal sd %g)", rm, sd);
    als_bpmf_state_free(&s);

    /* α sampled from its Gamma conditional settles near the true noise precision 1/0.1² = 100 */
    p.sample_alpha = true;
    p.alpha = 1.0;
    run_ok(&s, &p, &P, P.tu, P.ti, P.nt);
    als_bpmf_predictions(&s, 0, 0, pred);
    double rm2 = heldout_rmse(&P, pred);
    cr_assert(s.alpha > 50 && s.alpha < 200, "sampled alpha %g should be near 100", s.alpha);
    cr_assert(rm2 < 0.12, "held-out RMSE with alpha sampled %g", rm2);
    als_bpmf_state_free(&s);
    free(pred);
    problem_free(&P);
}

Test(bpmf, threads_do_not_change_a_single_bit, .timeout = 60)
{
    problem P;
    make_planted(&P, 150, 120, 4, 0.2, 3.5, 0.8, 31, 500);
    als_bpmf_params p = chain(5, 3, 4);
    p.sample_alpha = true;
    p.seed = 99;
    als_bpmf_state s1, s2;
    p.threads = 1;
    run_ok(&s1, &p, &P, P.tu, P.ti, P.nt);
    p.threads = 2;
    run_ok(&s2, &p, &P, P.tu, P.ti, P.nt);
    cr_assert(!memcmp(s1.U, s2.U, 150 * 5 * sizeof(float)), "user factors differ between 1 and 2 threads");
    cr_assert(!memcmp(s1.V, s2.V, 120 * 5 * sizeof(float)), "item factors differ between 1 and 2 threads");
    cr_assert(!memcmp(s1.pred_sum, s2.pred_sum, P.nt * sizeof(double)), "predictions differ between 1 and 2 threads");
    cr_assert(s1.alpha == s2.alpha, "alpha %.17g vs %.17g", s1.alpha, s2.alpha);
    /* a different chain id gives a different chain */
    als_bpmf_state s3;
    p.chain = 1;
    run_ok(&s3, &p, &P, P.tu, P.ti, P.nt);
    cr_assert(memcmp(s1.U, s3.U, 150 * 5 * sizeof(float)) != 0, "chain 1 should differ from chain 0");
    als_bpmf_state_free(&s1);
    als_bpmf_state_free(&s2);
    als_bpmf_state_free(&s3);
    problem_free(&P);
}

/* ---- callback, clipping, errors ------------------------------------------------------------ */

typedef struct {
    int calls, stop_at;
    double first0;
} cb_ctx;

static int on_sample(int ns, const als_bpmf_state *s, void *ctx)
{
    cb_ctx *c = ctx;
    c->calls++;
    cr_assert_eq(ns, c->calls, "sample count %d on call %d", ns, c->calls);
    cr_assert_eq(s->collected, ns, "collected %d vs %d", s->collected, ns);
    double out[64];
    cr_assert(s->npairs <= 64, "test buffer");
    als_bpmf_predictions(s, 1.0, 5.0, out); /* callers can evaluate at every sample count */
    if (ns == 1)
        c->first0 = out[0];
    return c->stop_at && ns >= c->stop_at;
}

Test(bpmf, callback_every_sample_early_stop_and_clipping)
{
    problem P;
    make_planted(&P, 30, 20, 2, 0.5, 3.0, 0.5, 41, 50);
    als_bpmf_params p = chain(2, 2, 6);
    p.threads = 1;
    als_bpmf_state s;
    als_diag d;
    cr_assert_eq(als_bpmf_state_alloc(&s, P.nu, P.ni, &p, &d), ALS_OK, "alloc");
    double before[50];
    als_bpmf_predictions(&s, 0, 0, before); /* no pairs yet: nothing written */
    cb_ctx c = {0, 0, 0};
    cr_assert_eq(als_bpmf_run(&s, &p, &P.byu, &P.byi, P.tu, P.ti, P.nt, on_sample, &c, NULL, NULL, &d), ALS_OK,
                 "run: %s", d.msg);
    cr_assert_eq(c.calls, 6, "callback ran %d times for 6 samples", c.calls);
    cr_assert_eq(s.sweeps_done, 8, "sweeps %d", s.sweeps_done);
    /* clipping */
    double out[50], raw[50];
    als_bpmf_predictions(&s, 3.0, 3.5, out);
    als_bpmf_predictions(&s, 0, 0, raw);
    for (size_t j = 0; j < P.nt; j++) {
        cr_assert(out[j] >= 3.0 && out[j] <= 3.5, "clipped prediction %g", out[j]);
        cr_assert(raw[j] == s.pred_sum[j] / 6, "unclipped = mean of the samples");
        cr_assert(out[j] == fmin(3.5, fmax(3.0, raw[j])), "clip of the mean");
    }
    /* early stop: the same chain, stopped after 3 samples, agrees on the first sample */
    cb_ctx c2 = {0, 3, 0};
    cr_assert_eq(als_bpmf_run(&s, &p, &P.byu, &P.byi, P.tu, P.ti, P.nt, on_sample, &c2, NULL, NULL, &d), ALS_OK,
                 "run: %s", d.msg);
    cr_assert(c2.calls == 3 && s.collected == 3 && s.sweeps_done == 5, "stopped after %d calls (%d collected)",
              c2.calls, s.collected);
    cr_assert(c2.first0 == c.first0, "a rerun repeats the chain: %g vs %g", c2.first0, c.first0);
    als_bpmf_state_free(&s);
    problem_free(&P);
}

Test(bpmf, bad_inputs_are_refused)
{
    problem P;
    make_planted(&P, 10, 8, 2, 0.5, 3.0, 0.5, 51, 5);
    als_bpmf_params p = chain(2, 0, 1);
    als_bpmf_state s;
    als_diag d;
    cr_assert_eq(als_bpmf_state_alloc(&s, 0, 8, &p, &d), ALS_E_INPUT, "zero users refused");
    cr_assert_eq(als_bpmf_state_alloc(&s, 11, 8, &p, &d), ALS_OK, "alloc");
    cr_assert_eq(als_bpmf_run(&s, &p, &P.byu, &P.byi, NULL, NULL, 0, NULL, NULL, NULL, NULL, &d), ALS_E_INPUT,
                 "shape mismatch refused");
    cr_assert(strstr(d.msg, "chain is 11x8"), "message: %s", d.msg);
    als_bpmf_state_free(&s);
    cr_assert_eq(als_bpmf_state_alloc(&s, 10, 8, &p, &d), ALS_OK, "alloc");
    uint32_t pu[] = {3}, pi[] = {8};
    cr_assert_eq(als_bpmf_run(&s, &p, &P.byu, &P.byi, pu, pi, 1, NULL, NULL, NULL, NULL, &d), ALS_E_INPUT,
                 "pair out of range refused");
    cr_assert(strstr(d.msg, "out of range"), "message: %s", d.msg);
    als_bpmf_params q = p;
    q.rank = 3;
    cr_assert_eq(als_bpmf_run(&s, &q, &P.byu, &P.byi, NULL, NULL, 0, NULL, NULL, NULL, NULL, &d), ALS_E_INPUT,
                 "rank mismatch refused");
    /* a good run with zero pairs; predict_current for ids out of range is NaN */
    cr_assert_eq(als_bpmf_run(&s, &p, &P.byu, &P.byi, NULL, NULL, 0, NULL, NULL, NULL, NULL, &d), ALS_OK, "%s",
                 d.msg);
    cr_assert(isnan(als_bpmf_predict_current(&s, 10, 0)) && isnan(als_bpmf_predict_current(&s, -1, 0)),
              "unknown ids predict NaN");
    cr_assert(isfinite(als_bpmf_predict_current(&s, 9, 7)), "known ids predict a number");
    als_bpmf_state_free(&s);
    problem_free(&P);
}

/* The solver's vector Gram kernel (default) against the plain double loops (p.naive): the same
 * draws, so after a few sweeps the chains differ only by float summation. */
/* The kernel path (gather, gram, gemv_t, chol_batch or the Cholesky kernel, the draw from the same
 * factor) against the naive reference path on the same normals. */
static void kernel_vs_naive(int rank, bool bias)
{
    problem P;
    make_planted(&P, 120, 90, 6, 0.3, 3.5, 0.5, 61, 300);
    als_bpmf_params p = chain(rank, 1, 2);
    p.bias = bias;
    p.threads = 2;
    als_bpmf_state a, b;
    p.naive = true;
    run_ok(&a, &p, &P, P.tu, P.ti, P.nt);
    p.naive = false;
    run_ok(&b, &p, &P, P.tu, P.ti, P.nt);
    const size_t K = (size_t)rank;
    double du = 0, dv = 0, dp = 0, su = 0, db = 0;
    for (size_t j = 0; j < 120 * K; j++) {
        du = fmax(du, fabs((double)a.U[j] - (double)b.U[j]));
        su = fmax(su, fabs((double)a.U[j]));
    }
    for (size_t j = 0; j < 90 * K; j++)
        dv = fmax(dv, fabs((double)a.V[j] - (double)b.V[j]));
    for (size_t j = 0; bias && j < 120; j++)
        db = fmax(db, fabs((double)a.ubias[j] - (double)b.ubias[j]));
    for (size_t j = 0; j < P.nt; j++)
        dp = fmax(dp, fabs(a.pred_sum[j] - b.pred_sum[j]) / 2);
    cr_assert(du < 1e-3 * su && dv < 1e-3 * su && db < 1e-3 && dp < 1e-3,
              "rank %d%s, naive vs kernel: max |dU| %g |dV| %g |db| %g |dpred| %g (|U| %g)", rank,
              bias ? " + bias" : "", du, dv, db, dp, su);
    cr_assert(du > 0 || dv > 0, "the two paths should not be the same code (|dU| = |dV| = 0)");
    als_bpmf_state_free(&a);
    als_bpmf_state_free(&b);
    problem_free(&P);
}

/* rank 17: not a multiple of the vector width (padding), eight systems per chol_batch; with a
 * bias; rank 64 + bias = order 65 and rank 70: above ALS_BATCH_MAXK, the unbatched Cholesky
 * kernel */
Test(bpmf, kernel_gram_matches_naive_loops, .timeout = 60) { kernel_vs_naive(17, false); }
Test(bpmf, kernel_path_with_bias_matches_naive, .timeout = 60) { kernel_vs_naive(17, true); }
Test(bpmf, kernel_path_unbatched_matches_naive, .timeout = 120)
{
    kernel_vs_naive(64, true);
    kernel_vs_naive(70, false);
}

/* Biases: r = 3 + b_u + b_i + x·y + noise is recovered, the draws do not depend on threads, and a
 * chain allocated without biases refuses a bias run. */
Test(bpmf, biases_are_recovered_and_thread_independent, .timeout = 60)
{
    problem P;
    make_planted(&P, 80, 60, 2, 0.4, 3.0, 0.1, 71, 400);
    /* add planted biases to the observed ratings and to the truth */
    for (size_t e = 0; e < P.n; e++)
        P.r[e] += (float)(0.5 * als_rand_normal(72, 1, P.u[e]) + 0.5 * als_rand_normal(72, 2, P.i[e]));
    for (size_t j = 0; j < P.nt; j++)
        P.tv[j] += 0.5 * als_rand_normal(72, 1, P.tu[j]) + 0.5 * als_rand_normal(72, 2, P.ti[j]);
    als_csr_free(&P.byu);
    als_csr_free(&P.byi);
    cr_assert_eq(als_csr_build(&P.byu, P.nu, P.ni, P.u, P.i, P.r, NULL, P.n), ALS_OK, "csr build");
    cr_assert_eq(als_csr_transpose(&P.byi, &P.byu), ALS_OK, "csr transpose");
    als_bpmf_params p = chain(2, 40, 60);
    p.alpha = 100.0;
    p.bias = true;
    p.threads = 1;
    als_bpmf_state s1, s2;
    run_ok(&s1, &p, &P, P.tu, P.ti, P.nt);
    double *pred = malloc(P.nt * sizeof(double));
    als_bpmf_predictions(&s1, 0, 0, pred);
    double rm = heldout_rmse(&P, pred);
    cr_assert(rm < 0.12, "held-out RMSE with biases %g", rm);
    p.threads = 2;
    run_ok(&s2, &p, &P, P.tu, P.ti, P.nt);
    cr_assert(!memcmp(s1.ubias, s2.ubias, P.nu * sizeof(float)) && !memcmp(s1.ibias, s2.ibias, P.ni * sizeof(float)),
              "biases differ between 1 and 2 threads");
    cr_assert(!memcmp(s1.pred_sum, s2.pred_sum, P.nt * sizeof(double)), "predictions differ between 1 and 2 threads");
    /* without biases the same planted problem fits worse at rank 2 */
    als_bpmf_params q = p;
    q.bias = false;
    als_diag d;
    cr_assert_eq(als_bpmf_run(&s2, &q, &P.byu, &P.byi, P.tu, P.ti, P.nt, NULL, NULL, NULL, NULL, &d), ALS_E_INPUT,
                 "a bias chain refuses a run without biases");
    cr_assert(strstr(d.msg, "with biases"), "message: %s", d.msg);
    als_bpmf_state s3;
    run_ok(&s3, &q, &P, P.tu, P.ti, P.nt);
    cr_assert(!s3.ubias && !s3.ibias, "no bias arrays without biases");
    als_bpmf_predictions(&s3, 0, 0, pred);
    double rm0 = heldout_rmse(&P, pred);
    cr_assert(rm0 > rm, "rank 2 without biases (%g) should fit worse than with them (%g)", rm0, rm);
    free(pred);
    als_bpmf_state_free(&s1);
    als_bpmf_state_free(&s2);
    als_bpmf_state_free(&s3);
    problem_free(&P);
}

/* als_bpmf_draw_row at rank 1 against the closed form: P = Λ + α Σ y², m = (Λμ + α Σ (r − c) y) / P,
 * x = m + z / √P; with a bias the 2 × 2 system against a hand-solved one; a non-PD system fails. */
Test(bpmf, draw_row_is_the_conditional_in_closed_form)
{
    const float Y[3] = {0.5f, -1.0f, 2.0f}, yb[3] = {0.25f, 0.0f, -0.5f}, val[2] = {4.0f, 2.0f};
    const uint32_t idx[2] = {0, 2};
    const double mu = 0.3, Lam = 2.0, alpha = 1.5, c = 3.0, z[2] = {0.7, -0.4};
    double x[2], work[8];
    cr_assert(als_bpmf_draw_row(1, false, Y, NULL, idx, val, 2, c, alpha, &mu, &Lam, 1.0, z, x, work), "PD");
    const double P = Lam + alpha * (0.25 + 4.0), m = (Lam * mu + alpha * ((4.0 - c) * 0.5 + (2.0 - c) * 2.0)) / P;
    cr_assert(fabs(x[0] - (m + z[0] / sqrt(P))) < 1e-12, "x %.17g, closed form %.17g", x[0], m + z[0] / sqrt(P));
    /* with a bias: unknown (x, b), rows (y, 1), targets r − c − b_i, prior diag(Λ, λ_b = 2) */
    cr_assert(als_bpmf_draw_row(1, true, Y, yb, idx, val, 2, c, alpha, &mu, &Lam, 2.0, z, x, work), "PD");
    const double t0 = 4.0 - c - 0.25, t1 = 2.0 - c + 0.5;
    const double a = Lam + alpha * 4.25, bq = alpha * (0.5 + 2.0), d = 2.0 + alpha * 2.0;
    const double r0 = Lam * mu + alpha * (t0 * 0.5 + t1 * 2.0), r1 = alpha * (t0 + t1);
    const double det = a * d - bq * bq, m0 = (d * r0 - bq * r1) / det, m1 = (a * r1 - bq * r0) / det;
    /* U = chol([[a, bq], [bq, d]]) upper: u00 = √a, u01 = bq/√a, u11 = √(d − bq²/a); δ = U⁻¹z */
    const double u00 = sqrt(a), u01 = bq / u00, u11 = sqrt(d - u01 * u01);
    const double d1 = z[1] / u11, d0 = (z[0] - u01 * d1) / u00;
    cr_assert(fabs(x[0] - (m0 + d0)) < 1e-12 && fabs(x[1] - (m1 + d1)) < 1e-12, "x (%.17g, %.17g), expected (%.17g, %.17g)",
              x[0], x[1], m0 + d0, m1 + d1);
    const double bad = -1.0;
    cr_assert(!als_bpmf_draw_row(1, false, Y, NULL, idx, val, 0, c, alpha, &mu, &bad, 1.0, z, x, work),
              "a negative prior precision without ratings is not positive definite");
}

/* als_bpmf_normals is the sampler's stream: the same seed gives the same normals, another other. */
Test(bpmf, normals_are_seeded_streams)
{
    double a[5], b[5], c[5];
    cr_assert(als_bpmf_normals(1, 0, ALS_BPMF_SIDE_FOLDIN, 0, 3, a, 5) && als_bpmf_normals(1, 0, 3, 0, 3, b, 5) &&
                  als_bpmf_normals(1, 0, 3, 0, 4, c, 5), "allocation");
    cr_assert(memcmp(a, b, sizeof a) == 0, "same stream, same normals");
    cr_assert(memcmp(a, c, sizeof a) != 0, "another sweep, other normals");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, als_bpmf_seed(1, 0, 3, 0, 3));
    for (int j = 0; j < 5; j++)
        cr_assert(gsl_ran_gaussian_ziggurat(r, 1.0) == a[j], "normal %d is GSL's ziggurat of the documented seed", j);
    gsl_rng_free(r);
}

/* tune --dry-run's estimate of a model: bpmf run (docs/scale.md "Estimates", ALS_EST_BPMF_SWEEP):
 * a job runs burnin + max(samples) sweeps, each ALS_EST_BPMF_SWEEP ALS iterations of its rank. */
Test(bpmf, dry_run_estimate_counts_burnin_and_samples_sweeps)
{
    static als_experiment A, B;
    als_experiment_default(&A);
    A.rank.n = 1;
    A.rank.v[0] = 10;
    A.maxIter.n = 1;
    A.maxIter.v[0] = 220; /* ALS: 220 iterations */
    B = A;
    B.model = ALS_MODEL_BPMF;
    B.regParam.v[0] = 0;
    B.alpha.v[0] = 2;
    B.bpmfBurnin = 20;
    B.maxIter.v[0] = 200; /* BPMF: 20 burn-in + 200 samples = 220 sweeps */
    als_data_shape sh = {.ratings = 100000, .users = 943, .items = 1682, .file_bytes = 2000000};
    als_estimate a, b, c;
    als_estimate_run(&A, &sh, 2, &a);
    als_estimate_run(&B, &sh, 2, &b);
    double r = b.flops_cv / a.flops_cv, rs = b.seconds_cv / a.seconds_cv;
    cr_assert(fabs(r - ALS_EST_BPMF_SWEEP) < 0.01 && fabs(rs - ALS_EST_BPMF_SWEEP) < 0.01,
              "220 sweeps vs 220 ALS iterations: flops ratio %g, seconds ratio %g (want %g)", r, rs,
              ALS_EST_BPMF_SWEEP);
    cr_assert(b.flops_refit > a.flops_refit && b.bytes_jobs > a.bytes_jobs, "refit %g vs %g, jobs bytes %g vs %g",
              b.flops_refit, a.flops_refit, b.bytes_jobs, a.bytes_jobs);
    B.bpmfBurnin = 220; /* 440 sweeps: about twice the CV work (the one evaluation per cell is not doubled) */
    als_estimate_run(&B, &sh, 2, &c);
    cr_assert(c.flops_cv / b.flops_cv > 1.85 && c.flops_cv / b.flops_cv < 2, "burnin 220: flops %g vs %g",
              c.flops_cv, b.flops_cv);
}
