/* test_search — the search module's contract: the space's validation, samples inside their bounds
 * (ints integral, categoricals covering every choice, log dimensions uniform in log space),
 * determinism and the round rule, Sobol = GSL's sequence mapped, the Parzen estimator against
 * numbers from scipy.stats.truncnorm on a transcription of Optuna's rule (docs/search.md), TPE
 * beating random on toy objectives, and the Hyperband table of Li et al. 2017. */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_search.h"

static void init(void) { gsl_set_error_handler_off(); }
TestSuite(search, .init = init);

/* regParam float log [1e-4, 10], rank int [2, 64] log, alpha float [0, 40], maxIter int [5, 20],
 * implicitPrefs categorical {false, true}, a 3-valued categorical. */
static void mixed_space(als_search_space *sp)
{
    als_diag d;
    als_search_space_init(sp);
    cr_assert_eq(als_search_space_add_float(sp, "regParam", 1e-4, 10, true, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_search_space_add_int(sp, "rank", 2, 64, true, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_search_space_add_float(sp, "alpha", 0, 40, false, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_search_space_add_int(sp, "maxIter", 5, 20, false, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_search_space_add_cat(sp, "implicitPrefs", 2, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_search_space_add_cat(sp, "coldStart", 3, &d), ALS_OK, "%s", d.msg);
}

static als_search *mk(const als_search_space *sp, als_search_method m, uint64_t seed, size_t batch, size_t trials)
{
    als_search_opts o;
    als_search_opts_default(&o);
    o.method = m;
    o.seed = seed;
    o.batch = batch;
    als_search *s;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_search_alloc(&s, sp, &o, trials, &d);
    cr_assert_eq(st, ALS_OK, "als_search_alloc: %s", d.msg);
    return s;
}

/* A made-up objective on the mixed space (minimum near regParam 0.01, rank 16, alpha 10). */
static double mixed_objective(const double *x)
{
    double a = log10(x[0]) + 2, b = log2(x[1]) - 4, c = (x[2] - 10) / 10, e = (x[3] - 10) / 10;
    return a * a + b * b + c * c + e * e + 0.3 * x[4] + 0.1 * (x[5] == 1);
}

/* Run a whole search sequentially, round by round; X (trials x ndim) and Y receive everything. */
static void run(als_search *s, size_t ndim, size_t trials, double (*f)(const double *), double *X, double *Y)
{
    als_diag d;
    for (size_t t = 0; t < trials; t++) {
        als_status st = als_search_propose(s, t, X, Y, t, X + t * ndim, &d);
        cr_assert_eq(st, ALS_OK, "propose %zu: %s", t, d.msg);
        Y[t] = f(X + t * ndim);
    }
}

static void check_point(const als_search_space *sp, const double *x, const char *what, size_t t)
{
    for (size_t j = 0; j < sp->ndim; j++) {
        const als_search_dim *dm = &sp->dim[j];
        double v = x[j];
        cr_assert(isfinite(v), "%s trial %zu %s: not finite", what, t, dm->name);
        if (dm->kind == ALS_SEARCH_CAT) {
            cr_assert(v >= 0 && v < (double)dm->ncat && v == floor(v), "%s trial %zu %s = %g not a choice index",
                      what, t, dm->name, v);
        } else {
            cr_assert(v >= dm->lo && v <= dm->hi, "%s trial %zu %s = %.17g outside [%g, %g]", what, t, dm->name, v,
                      dm->lo, dm->hi);
            if (dm->kind == ALS_SEARCH_INT)
                cr_assert(v == floor(v), "%s trial %zu %s = %.17g not integral", what, t, dm->name, v);
        }
    }
}

Test(search, space_rejects_bad_dimensions)
{
    als_search_space sp;
    als_diag d;
    als_search_space_init(&sp);
    cr_expect_eq(als_search_space_add_float(&sp, "a", 1, 1, false, &d), ALS_E_INPUT, "min == max");
    cr_expect_eq(als_search_space_add_float(&sp, "a", 0, 1, true, &d), ALS_E_INPUT, "log with min 0");
    cr_expect(strstr(d.msg, "log scale") != NULL, "message: %s", d.msg);
    cr_expect_eq(als_search_space_add_float(&sp, "a", NAN, 1, false, &d), ALS_E_INPUT, "NaN bound");
    cr_expect_eq(als_search_space_add_int(&sp, "r", 5, 4, false, &d), ALS_E_INPUT, "int min > max");
    cr_expect_eq(als_search_space_add_int(&sp, "r", 0, 4, true, &d), ALS_E_INPUT, "int log with min 0");
    cr_expect_eq(als_search_space_add_cat(&sp, "c", 0, &d), ALS_E_INPUT, "no choices");
    cr_expect_eq(als_search_space_add_float(&sp, "", 0, 1, false, &d), ALS_E_INPUT, "empty name");
    cr_expect_eq(sp.ndim, 0, "nothing added, ndim %zu", sp.ndim);
    cr_assert_eq(als_search_space_add_float(&sp, "a", 0, 1, false, &d), ALS_OK, "%s", d.msg);
    cr_expect_eq(als_search_space_add_cat(&sp, "a", 2, &d), ALS_E_INPUT, "duplicate name");
    cr_expect(strstr(d.msg, "'a'") != NULL, "message names it: %s", d.msg);
    char name[16];
    for (int i = 1; i < ALS_SEARCH_MAX_DIM; i++) {
        snprintf(name, sizeof name, "x%d", i);
        cr_assert_eq(als_search_space_add_float(&sp, name, 0, 1, false, &d), ALS_OK, "%s", d.msg);
    }
    cr_expect_eq(als_search_space_add_float(&sp, "x40", 0, 1, false, &d), ALS_E_INPUT, "41st dimension");
    /* GSL's own limit is 40 — and gsl_qrng_alloc does not check it (it returns a generator for 41
     * dimensions), so the space must. */
    cr_expect_eq(gsl_qrng_sobol->max_dimension, ALS_SEARCH_MAX_DIM, "GSL Sobol max dimension %u",
                 gsl_qrng_sobol->max_dimension);
    als_search *s = mk(&sp, ALS_SEARCH_SOBOL, 1, 8, 4);
    als_search_free(s);

    als_search_opts o;
    als_search_opts_default(&o);
    o.batch = 0;
    cr_expect_eq(als_search_alloc(&s, &sp, &o, 10, &d), ALS_E_INPUT, "batch 0");
    als_search_opts_default(&o);
    o.prior_weight = 0;
    cr_expect_eq(als_search_alloc(&s, &sp, &o, 10, &d), ALS_E_INPUT, "prior weight 0");
    als_search_opts_default(&o);
    cr_expect_eq(als_search_alloc(&s, &sp, &o, 0, &d), ALS_E_INPUT, "0 trials");
    als_search_method m;
    cr_expect(als_search_method_parse("sobol", &m) && m == ALS_SEARCH_SOBOL, "parse sobol");
    cr_expect(!als_search_method_parse("grid", &m), "grid is not a sampler");
    cr_expect_str_eq(als_search_method_name(ALS_SEARCH_TPE), "tpe", "name");
}

Test(search, samples_inside_bounds_every_method)
{
    als_search_space sp;
    mixed_space(&sp);
    size_t T = 300, nd = sp.ndim;
    double *X = malloc(T * nd * sizeof *X), *Y = malloc(T * sizeof *Y);
    als_search_method ms[] = {ALS_SEARCH_RANDOM, ALS_SEARCH_SOBOL, ALS_SEARCH_TPE};
    for (size_t mi = 0; mi < 3; mi++) {
        for (int clip = 0; clip < 2; clip++) {
            als_search_opts o;
            als_search_opts_default(&o);
            o.method = ms[mi];
            o.seed = 5;
            o.consider_magic_clip = clip; /* without the clip sigmas can shrink to 1e-12 */
            o.multivariate = clip == 0 && ms[mi] == ALS_SEARCH_TPE;
            als_search *s;
            als_diag d;
            cr_assert_eq(als_search_alloc(&s, &sp, &o, T, &d), ALS_OK, "%s", d.msg);
            run(s, nd, T, mixed_objective, X, Y);
            size_t seen[2][3] = {{0}};
            for (size_t t = 0; t < T; t++) {
                check_point(&sp, X + t * nd, als_search_method_name(ms[mi]), t);
                seen[0][(size_t)X[t * nd + 4]]++;
                seen[1][(size_t)X[t * nd + 5]]++;
            }
            for (size_t c = 0; c < 3; c++)
                cr_expect(seen[1][c] > 0 && (c == 2 || seen[0][c] > 0), "%s: choice %zu never proposed",
                          als_search_method_name(ms[mi]), c);
            als_search_free(s);
        }
    }
    free(X);
    free(Y);
}

/* Chi-square of n samples in `bins` equal bins; df = bins - 1 = 9: P(chi2 > 33.7) = 1e-4. */
static double chi2(const size_t *count, size_t bins, size_t n)
{
    double e = (double)n / (double)bins, c = 0;
    for (size_t b = 0; b < bins; b++)
        c += ((double)count[b] - e) * ((double)count[b] - e) / e;
    return c;
}

Test(search, log_dimensions_uniform_in_log_space)
{
    als_search_space sp;
    mixed_space(&sp);
    size_t n = 20000;
    als_search_method ms[] = {ALS_SEARCH_RANDOM, ALS_SEARCH_SOBOL};
    for (size_t mi = 0; mi < 2; mi++) {
        als_search *s = mk(&sp, ms[mi], 42, 8, n);
        size_t lg[10] = {0}, lin[10] = {0}, ranks[64] = {0};
        double x[ALS_SEARCH_MAX_DIM];
        als_diag d;
        for (size_t t = 0; t < n; t++) {
            cr_assert_eq(als_search_propose(s, t, NULL, NULL, t, x, &d), ALS_OK, "%s", d.msg);
            /* log10 regParam spans [-4, 1]: 10 bins of 0.5 decades */
            size_t b = (size_t)((log10(x[0]) + 4) / 0.5);
            lg[b > 9 ? 9 : b]++;
            size_t c = (size_t)(x[2] / 4.0);
            lin[c > 9 ? 9 : c]++;
            ranks[(size_t)x[1] - 1]++;
        }
        double c1 = chi2(lg, 10, n), c2 = chi2(lin, 10, n);
        cr_expect(c1 < 33.7, "%s: log10(regParam) not uniform, chi2 = %g", als_search_method_name(ms[mi]), c1);
        cr_expect(c2 < 33.7, "%s: alpha not uniform, chi2 = %g", als_search_method_name(ms[mi]), c2);
        /* rank is log-uniform over [1.5, 64.5] then rounded: P(rank = r) = log((r+.5)/(r-.5)) / log(64.5/1.5) */
        for (size_t r = 2; r <= 64; r *= 2) {
            double p = (r == 2 ? log(2.5 / 1.5) : log((r + .5) / (r - .5))) / log(64.5 / 1.5);
            double got = (double)ranks[r - 1] / (double)n, sd = sqrt(p * (1 - p) / (double)n);
            cr_expect(fabs(got - p) < 5 * sd + 1e-3, "%s: P(rank=%zu) = %g, want %g",
                      als_search_method_name(ms[mi]), r, got, p);
        }
        als_search_free(s);
    }
}

Test(search, same_seed_same_proposals_any_order)
{
    als_search_space sp;
    mixed_space(&sp);
    size_t T = 48, nd = sp.ndim;
    als_search_method ms[] = {ALS_SEARCH_RANDOM, ALS_SEARCH_TPE};
    for (size_t mi = 0; mi < 2; mi++) {
        double *X1 = malloc(T * nd * sizeof *X1), *Y1 = malloc(T * sizeof *Y1);
        double *X2 = malloc(T * nd * sizeof *X2), *Y2 = malloc(T * sizeof *Y2);
        als_search *a = mk(&sp, ms[mi], 7, 8, T), *b = mk(&sp, ms[mi], 7, 8, T), *c = mk(&sp, ms[mi], 8, 8, T);
        run(a, nd, T, mixed_objective, X1, Y1);
        run(b, nd, T, mixed_objective, X2, Y2);
        cr_expect(memcmp(X1, X2, T * nd * sizeof *X1) == 0, "%s: same seed, different proposals",
                  als_search_method_name(ms[mi]));
        /* Re-propose with a fresh workspace in reverse trial order, each from the full history:
         * every proposal depends only on (seed, t, earlier rounds). */
        als_search *r = mk(&sp, ms[mi], 7, 8, T);
        double x[ALS_SEARCH_MAX_DIM];
        als_diag d;
        for (size_t t = T; t-- > 0;) {
            cr_assert_eq(als_search_propose(r, t, X1, Y1, T, x, &d), ALS_OK, "%s", d.msg);
            cr_expect(memcmp(x, X1 + t * nd, nd * sizeof *x) == 0, "%s: trial %zu differs out of order",
                      als_search_method_name(ms[mi]), t);
        }
        run(c, nd, T, mixed_objective, X2, Y2);
        cr_expect(memcmp(X1, X2, T * nd * sizeof *X1) != 0, "%s: seeds 7 and 8 agree",
                  als_search_method_name(ms[mi]));
        als_search_free(a);
        als_search_free(b);
        als_search_free(c);
        als_search_free(r);
        free(X1);
        free(Y1);
        free(X2);
        free(Y2);
    }
}

Test(search, round_sees_only_earlier_rounds)
{
    als_search_space sp;
    mixed_space(&sp);
    size_t T = 64, nd = sp.ndim, B = 8;
    double *X = malloc(T * nd * sizeof *X), *Y = malloc(T * sizeof *Y);
    als_search *s = mk(&sp, ALS_SEARCH_TPE, 3, B, T);
    run(s, nd, T, mixed_objective, X, Y);
    cr_expect_eq(als_search_visible(s, 0), 0, "round 0 sees nothing");
    cr_expect_eq(als_search_visible(s, 23), 16, "trial 23 sees %zu", als_search_visible(s, 23));
    /* Round 5 (trials 40..47): results of its own members, arriving in any order and with any
     * values, change nothing; neither does the order in which the round's proposals are made. */
    double *Yg = malloc(T * sizeof *Yg);
    memcpy(Yg, Y, T * sizeof *Y);
    for (size_t t = 40; t < T; t++)
        Yg[t] = -1e9 * (double)(t % 3); /* would dominate the split if it were seen */
    als_search *r = mk(&sp, ALS_SEARCH_TPE, 3, B, T);
    double x[ALS_SEARCH_MAX_DIM];
    als_diag d;
    for (size_t k = 0; k < B; k++) {
        size_t t = 47 - k;
        for (size_t n_hist = t; n_hist <= T; n_hist += 7) {
            cr_assert_eq(als_search_propose(r, t, X, Yg, n_hist, x, &d), ALS_OK, "%s", d.msg);
            cr_expect(memcmp(x, X + t * nd, nd * sizeof *x) == 0, "trial %zu changed with %zu results visible", t,
                      n_hist);
        }
    }
    cr_expect_eq(als_search_propose(r, 40, X, Y, 39, x, &d), ALS_E_USAGE, "round 4 incomplete");
    cr_expect(strstr(d.msg, "round not complete") != NULL, "message: %s", d.msg);
    cr_expect_eq(als_search_propose(r, T, X, Y, T, x, &d), ALS_E_USAGE, "trial beyond max_trials");
    /* constant liar: trial 45 reads the points of trials 40..44 */
    cr_expect_eq(als_search_propose(r, 45, X, Y, 44, x, &d), ALS_E_USAGE, "points of 40..44 missing");
    cr_expect(strstr(d.msg, "constant liar") != NULL, "message: %s", d.msg);
    double keep[ALS_SEARCH_MAX_DIM];
    memcpy(keep, X + 42 * nd, nd * sizeof *keep);
    X[42 * nd] = X[42 * nd] > 1 ? 1e-4 : 10; /* another point for trial 42 moves trial 45's g(x) */
    cr_assert_eq(als_search_propose(r, 45, X, Yg, T, x, &d), ALS_OK, "%s", d.msg);
    cr_expect(memcmp(x, X + 45 * nd, nd * sizeof *x) != 0, "trial 45 ignores trial 42's point");
    memcpy(X + 42 * nd, keep, nd * sizeof *keep);
    /* without the liar a round's proposals are independent of each other */
    als_search_opts o;
    als_search_opts_default(&o);
    o.seed = 3;
    o.constant_liar = false;
    als_search *nl;
    cr_assert_eq(als_search_alloc(&nl, &sp, &o, T, &d), ALS_OK, "%s", d.msg);
    double x0[ALS_SEARCH_MAX_DIM];
    cr_assert_eq(als_search_propose(nl, 45, X, Y, 40, x0, &d), ALS_OK, "no liar: 40 rows suffice: %s", d.msg);
    cr_assert_eq(als_search_propose(nl, 45, X, Yg, T, x, &d), ALS_OK, "%s", d.msg);
    cr_expect(memcmp(x, x0, nd * sizeof *x) == 0, "no liar: trial 45 depends on its round");
    als_search_free(nl);
    /* the TPE rounds really differ from random: trial 40 is not the random proposal of trial 40 */
    als_search *rnd = mk(&sp, ALS_SEARCH_RANDOM, 3, B, T);
    double xr[ALS_SEARCH_MAX_DIM];
    cr_assert_eq(als_search_propose(rnd, 40, X, Y, T, xr, &d), ALS_OK, "%s", d.msg);
    cr_expect(memcmp(xr, X + 40 * nd, nd * sizeof *xr) != 0, "trial 40 is a random proposal");
    /* ...while the startup trials (fewer than 10 results visible) are */
    cr_assert_eq(als_search_propose(rnd, 9, X, Y, T, xr, &d), ALS_OK, "%s", d.msg);
    cr_expect(memcmp(xr, X + 9 * nd, nd * sizeof *xr) == 0, "trial 9 should be the random proposal");
    als_search_free(rnd);
    als_search_free(r);
    als_search_free(s);
    free(X);
    free(Y);
    free(Yg);
}

Test(search, failed_trials_are_left_out)
{
    als_search_space sp;
    mixed_space(&sp);
    size_t T = 40, nd = sp.ndim;
    double *X = malloc(T * nd * sizeof *X), *Y = malloc(T * sizeof *Y);
    als_search *s = mk(&sp, ALS_SEARCH_TPE, 11, 4, T);
    als_diag d;
    for (size_t t = 0; t < T; t++) {
        cr_assert_eq(als_search_propose(s, t, X, Y, t, X + t * nd, &d), ALS_OK, "%s", d.msg);
        Y[t] = t % 2 ? NAN : mixed_objective(X + t * nd);
        check_point(&sp, X + t * nd, "tpe with failures", t);
    }
    /* 10 finite results are visible only from trial 20 on: trial 19 is still random */
    als_search *rnd = mk(&sp, ALS_SEARCH_RANDOM, 11, 4, T);
    double xr[ALS_SEARCH_MAX_DIM];
    cr_assert_eq(als_search_propose(rnd, 19, X, Y, T, xr, &d), ALS_OK, "%s", d.msg);
    cr_expect(memcmp(xr, X + 19 * nd, nd * sizeof *xr) == 0, "trial 19 should be random (9 finite results)");
    cr_assert_eq(als_search_propose(rnd, 20, X, Y, T, xr, &d), ALS_OK, "%s", d.msg);
    cr_expect(memcmp(xr, X + 20 * nd, nd * sizeof *xr) != 0, "trial 20 should be TPE (10 finite results)");
    als_search_free(rnd);
    als_search_free(s);
    free(X);
    free(Y);
}

Test(search, sobol_is_gsl_sequence_mapped)
{
    als_search_space sp;
    mixed_space(&sp);
    size_t T = 64, nd = sp.ndim;
    als_search *s = mk(&sp, ALS_SEARCH_SOBOL, 99, 8, T);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)nd);
    double u[ALS_SEARCH_MAX_DIM], want[ALS_SEARCH_MAX_DIM], x[ALS_SEARCH_MAX_DIM];
    als_diag d;
    for (size_t t = 0; t < T; t++) {
        cr_assert_eq(gsl_qrng_get(q, u), 0, "gsl_qrng_get");
        als_search_from_unit(&sp, u, want);
        cr_assert_eq(als_search_propose(s, t, NULL, NULL, t, x, &d), ALS_OK, "%s", d.msg);
        cr_expect(memcmp(x, want, nd * sizeof *x) == 0, "sobol trial %zu: regParam %.17g want %.17g", t, x[0],
                  want[0]);
    }
    /* GSL's first point is the centre of the cube: regParam = sqrt(1e-4 * 10), alpha = 20 */
    cr_assert_eq(als_search_propose(s, 0, NULL, NULL, 0, x, &d), ALS_OK, "%s", d.msg);
    cr_expect(fabs(x[0] - sqrt(1e-3)) < 1e-15 && x[2] == 20, "first sobol point %g %g", x[0], x[2]);
    gsl_qrng_free(q);
    als_search_free(s);
}

Test(search, from_unit_mapping)
{
    als_search_space sp;
    mixed_space(&sp);
    double u0[ALS_SEARCH_MAX_DIM] = {0}, u1[ALS_SEARCH_MAX_DIM], x[ALS_SEARCH_MAX_DIM];
    for (size_t j = 0; j < sp.ndim; j++)
        u1[j] = nextafter(1.0, 0.0);
    als_search_from_unit(&sp, u0, x);
    cr_expect(fabs(x[0] - 1e-4) < 1e-18 && x[1] == 2 && x[2] == 0 && x[3] == 5 && x[4] == 0 && x[5] == 0,
              "u = 0 maps to the lower corner: %g %g %g %g %g %g", x[0], x[1], x[2], x[3], x[4], x[5]);
    als_search_from_unit(&sp, u1, x);
    cr_expect(x[0] <= 10 && x[0] > 9.99 && x[1] == 64 && x[2] < 40 && x[3] == 20 && x[4] == 1 && x[5] == 2,
              "u -> 1 maps to the upper corner: %g %g %g %g %g %g", x[0], x[1], x[2], x[3], x[4], x[5]);
}

/* ---- Parzen estimator against scipy ---------------------------------------------------------- */
/* Reference numbers: /usr/bin/python3 with scipy 1.10 running the transcription of Optuna's
 * _calculate_numerical_distributions / categorical rule printed in docs/search.md (appendix). */
static als_search *one_dim(int kind, bool log, double lo, double hi, size_t ncat)
{
    als_search_space sp;
    als_diag d;
    als_search_space_init(&sp);
    if (kind == 0)
        cr_assert_eq(als_search_space_add_float(&sp, "x", lo, hi, log, &d), ALS_OK, "%s", d.msg);
    else if (kind == 1)
        cr_assert_eq(als_search_space_add_int(&sp, "x", (long)lo, (long)hi, log, &d), ALS_OK, "%s", d.msg);
    else
        cr_assert_eq(als_search_space_add_cat(&sp, "x", ncat, &d), ALS_OK, "%s", d.msg);
    return mk(&sp, ALS_SEARCH_TPE, 0, 8, 64);
}

static void expect_close(double got, double want, double tol, const char *what)
{
    cr_expect(fabs(got - want) <= tol * (1 + fabs(want)), "%s: got %.17g want %.17g", what, got, want);
}

Test(search, parzen_float_linear_by_hand)
{
    als_search *s = one_dim(0, false, 0, 10, 0);
    double obs[] = {2, 6}, xs[] = {0.5, 2.0, 6.0, 9.9}, lp[4], mu[3], sg[3], w[3];
    als_diag d;
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs, 2, xs, 4, lp, mu, sg, w, &d), ALS_OK, "%s", d.msg);
    /* By hand: sorted {low 0, 2, prior 5, 6, high 10}; sigma(2) = gap to the right (endpoints not
     * considered) = 3, sigma(6) = gap to the left = 1 -> clipped up to 10 / min(100, 1 + 3) = 2.5;
     * the prior N(5, 10); weights 1/3 each. */
    double wmu[] = {2, 6, 5}, wsg[] = {3, 2.5, 10};
    for (int k = 0; k < 3; k++) {
        expect_close(mu[k], wmu[k], 1e-15, "mu");
        expect_close(sg[k], wsg[k], 1e-15, "sigma");
        expect_close(w[k], 1.0 / 3, 1e-15, "weight");
    }
    double want[] = {-2.418749962951583, -2.220191009188836, -2.1556546080691703, -3.0063382741237263};
    for (int i = 0; i < 4; i++) {
        /* the same by the textbook formula, with erfc from libm */
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            double z = (xs[i] - wmu[k]) / wsg[k];
            double mass = 0.5 * erfc(-(10 - wmu[k]) / wsg[k] / M_SQRT2) - 0.5 * erfc(-(0 - wmu[k]) / wsg[k] / M_SQRT2);
            sum += (1.0 / 3) * exp(-0.5 * z * z) / (sqrt(2 * M_PI) * wsg[k] * mass);
        }
        expect_close(lp[i], want[i], 1e-12, "log l(x), scipy");
        expect_close(lp[i], log(sum), 1e-12, "log l(x), by hand");
    }
    als_search_free(s);
}

Test(search, parzen_int_log_and_float_log_and_categorical)
{
    als_diag d;
    /* int, log, [1, 64]: kernels on log(x) within [log 0.5, log 64.5]; a probability mass */
    als_search *s = one_dim(1, true, 1, 64, 0);
    double obs[] = {4, 16, 4}, xs[] = {1, 4, 5, 64}, lp[4], mu[4], sg[4];
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs, 3, xs, 4, lp, mu, sg, NULL, &d), ALS_OK, "%s", d.msg);
    double wsg[] = {0.97196248, 1.0358297, 0.97196248, 4.8598124};
    for (int k = 0; k < 4; k++)
        expect_close(sg[k], wsg[k], 1e-8, "int log sigma");
    double want[] = {-2.0485715702155556, -2.5693314648692227, -2.767321293266542, -6.522241084726796};
    for (int i = 0; i < 4; i++)
        expect_close(lp[i], want[i], 1e-12, "int log, log pmf");
    als_search_free(s);

    /* float, log, [1e-3, 10]: density of log x */
    s = one_dim(0, true, 1e-3, 10, 0);
    double obs2[] = {0.01, 0.1, 1.0}, xs2[] = {0.002, 0.05, 3.0}, lp2[3];
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs2, 3, xs2, 3, lp2, NULL, NULL, NULL, &d), ALS_OK, "%s", d.msg);
    double want2[] = {-2.54725132416388, -2.0093329349605553, -2.4071247956604105};
    for (int i = 0; i < 3; i++)
        expect_close(lp2[i], want2[i], 1e-12, "float log, log pdf of log x");
    als_search_free(s);

    /* categorical, 3 choices, observed 0, 2, 2: kernel rows prior_weight/4 + 1 at the choice */
    s = one_dim(2, false, 0, 0, 3);
    double obs3[] = {0, 2, 2}, xs3[] = {0, 1, 2}, lp3[3];
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs3, 3, xs3, 3, lp3, NULL, NULL, NULL, &d), ALS_OK, "%s", d.msg);
    double want3[] = {-1.0986122886681098, -1.6582280766035324, -0.7419373447293772};
    for (int i = 0; i < 3; i++)
        expect_close(lp3[i], want3[i], 1e-14, "categorical log pmf");
    /* no observations: the prior alone, uniform */
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs3, 0, xs3, 1, lp3, NULL, NULL, NULL, &d), ALS_OK, "%s", d.msg);
    expect_close(lp3[0], -log(3.0), 1e-15, "categorical prior");
    als_search_free(s);
}

Test(search, tpe_gamma_and_weights)
{
    size_t ns[] = {0, 1, 10, 11, 100, 250, 251, 1000}, want[] = {0, 1, 1, 2, 10, 25, 25, 25};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        cr_expect_eq(als_search_tpe_gamma(ns[i]), want[i], "gamma(%zu) = %zu, want %zu", ns[i],
                     als_search_tpe_gamma(ns[i]), want[i]);
    double w[30];
    als_search_tpe_weights(24, w);
    cr_expect(w[0] == 1 && w[23] == 1, "below 25 all weights are 1");
    als_search_tpe_weights(26, w);
    expect_close(w[0], 1.0 / 26, 1e-15, "linspace num=1 is its start");
    als_search_tpe_weights(30, w);
    /* linspace(1/30, 1, 5) then 25 ones */
    expect_close(w[0], 1.0 / 30, 1e-15, "ramp start");
    expect_close(w[1], 1.0 / 30 + (1 - 1.0 / 30) / 4, 1e-15, "ramp step");
    expect_close(w[4], 1, 1e-15, "ramp end");
    cr_expect(w[5] == 1 && w[29] == 1, "flat part");
}

/* ---- TPE beats random ---------------------------------------------------------------------- */
static double f1(const double *x)
{
    double a = log10(x[0]) + 2;
    return a * a;
}

static double f2(const double *x)
{
    double a = log10(x[0]) + 2, b = (x[1] - 12) / 10;
    return a * a + b * b;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over 10 seeds of the best value after 40 trials. */
static double median_best(const als_search_space *sp, als_search_method m, size_t batch, bool mv,
                          double (*f)(const double *))
{
    size_t T = 40, nd = sp->ndim;
    double best[10], X[40 * ALS_SEARCH_MAX_DIM], Y[40];
    for (uint64_t seed = 0; seed < 10; seed++) {
        als_search_opts o;
        als_search_opts_default(&o);
        o.method = m;
        o.seed = 1000 + seed;
        o.batch = batch;
        o.multivariate = mv;
        als_search *s;
        als_diag d;
        cr_assert_eq(als_search_alloc(&s, sp, &o, T, &d), ALS_OK, "%s", d.msg);
        run(s, nd, T, f, X, Y);
        best[seed] = INFINITY;
        for (size_t t = 0; t < T; t++)
            best[seed] = fmin(best[seed], Y[t]);
        als_search_free(s);
    }
    qsort(best, 10, sizeof best[0], cmp_d);
    return 0.5 * (best[4] + best[5]);
}

Test(search, tpe_beats_random_on_toy_objectives)
{
    als_search_space s1, s2;
    als_diag d;
    als_search_space_init(&s1);
    cr_assert_eq(als_search_space_add_float(&s1, "regParam", 1e-6, 1e2, true, &d), ALS_OK, "%s", d.msg);
    als_search_space_init(&s2);
    cr_assert_eq(als_search_space_add_float(&s2, "regParam", 1e-6, 1e2, true, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_search_space_add_int(&s2, "rank", 2, 200, false, &d), ALS_OK, "%s", d.msg);
    struct { const als_search_space *sp; double (*f)(const double *); const char *name; } cases[] = {
        {&s1, f1, "1-D"}, {&s2, f2, "2-D"}};
    for (int c = 0; c < 2; c++) {
        double r = median_best(cases[c].sp, ALS_SEARCH_RANDOM, 1, false, cases[c].f);
        double t1 = median_best(cases[c].sp, ALS_SEARCH_TPE, 1, false, cases[c].f);
        double t8 = median_best(cases[c].sp, ALS_SEARCH_TPE, 8, false, cases[c].f);
        double mv = median_best(cases[c].sp, ALS_SEARCH_TPE, 8, true, cases[c].f);
        cr_log_info("%s: median best of 40 trials: random %g, TPE batch 1 %g, batch 8 %g, multivariate %g",
                    cases[c].name, r, t1, t8, mv);
        cr_expect(t1 < r, "%s: TPE (batch 1) median best %g not below random %g", cases[c].name, t1, r);
        cr_expect(t8 < r, "%s: TPE (batch 8) median best %g not below random %g", cases[c].name, t8, r);
        cr_expect(mv < r, "%s: multivariate TPE median best %g not below random %g", cases[c].name, mv, r);
    }
}

/* ---- Hyperband / successive halving ------------------------------------------------------------ */
Test(search, hyperband_table_li_2017)
{
    /* Li et al. 2017, Table 1: R = 81, eta = 3 */
    static const long n[5][5] = {{81, 27, 9, 3, 1}, {34, 11, 3, 1}, {15, 5, 1}, {8, 2}, {5}};
    static const int r[5][5] = {{1, 3, 9, 27, 81}, {3, 9, 27, 81}, {9, 27, 81}, {27, 81}, {81}};
    als_search_bracket b[8];
    int nb = 0;
    als_diag d;
    cr_assert_eq(als_search_hyperband(1, 81, 3, b, 8, &nb, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(nb, 5, "5 brackets, got %d", nb);
    for (int k = 0; k < 5; k++) {
        cr_expect_eq(b[k].s, 4 - k, "bracket %d is s = %d", k, b[k].s);
        cr_expect_eq(b[k].nrungs, 5 - k, "bracket s=%d: %d rungs", b[k].s, b[k].nrungs);
        long tot = 0;
        for (int i = 0; i < b[k].nrungs; i++) {
            cr_expect_eq(b[k].n[i], n[k][i], "s=%d rung %d: n = %ld, want %ld", b[k].s, i, b[k].n[i], n[k][i]);
            cr_expect_eq(b[k].iters[i], r[k][i], "s=%d rung %d: r = %d, want %d", b[k].s, i, b[k].iters[i], r[k][i]);
            tot += n[k][i] * r[k][i];
        }
        cr_expect_eq(b[k].total_iters, tot, "s=%d total %ld want %ld", b[k].s, b[k].total_iters, tot);
    }
    /* budgets in iterations: minIter 2, maxIter 162 is the same table scaled by 2 */
    cr_assert_eq(als_search_hyperband(2, 162, 3, b, 8, &nb, &d), ALS_OK, "%s", d.msg);
    cr_expect(nb == 5 && b[1].iters[0] == 6 && b[1].n[0] == 34 && b[4].iters[0] == 162, "scaled table");
    /* a ratio that is not a power of eta: 5..30, eta 3 -> s_max = 1, rungs 10 then 30 */
    cr_assert_eq(als_search_hyperband(5, 30, 3, b, 8, &nb, &d), ALS_OK, "%s", d.msg);
    cr_expect(nb == 2 && b[0].iters[0] == 10 && b[0].iters[1] == 30 && b[0].n[0] == 3 && b[0].n[1] == 1 &&
                  b[1].n[0] == 2 && b[1].iters[0] == 30,
              "5..30: s_max %d, %d@%d %ld@%d", nb - 1, (int)b[0].n[0], b[0].iters[0], b[0].n[1], b[0].iters[1]);
    cr_expect_eq(als_search_hyperband(0, 81, 3, b, 8, &nb, &d), ALS_E_INPUT, "minIter 0");
    cr_expect_eq(als_search_hyperband(1, 81, 1, b, 8, &nb, &d), ALS_E_INPUT, "eta 1");
    cr_expect_eq(als_search_hyperband(1, 81, 3, b, 4, &nb, &d), ALS_E_INPUT, "no room");
    cr_expect_eq(als_search_smax(1, 80, 3), 3, "s_max(1, 80, 3)");
}

Test(search, successive_halving_and_promotion)
{
    als_search_bracket b;
    als_diag d;
    cr_assert_eq(als_search_halving(1, 27, 3, 27, &b, &d), ALS_OK, "%s", d.msg);
    cr_expect(b.nrungs == 4 && b.n[0] == 27 && b.n[1] == 9 && b.n[2] == 3 && b.n[3] == 1, "27 trials, eta 3");
    cr_expect(b.iters[0] == 1 && b.iters[1] == 3 && b.iters[2] == 9 && b.iters[3] == 27, "budgets 1 3 9 27");
    cr_assert_eq(als_search_halving(1, 27, 3, 10, &b, &d), ALS_OK, "%s", d.msg);
    cr_expect(b.n[0] == 10 && b.n[1] == 3 && b.n[2] == 1 && b.n[3] == 1, "10 trials: 10 3 1 1, got %ld %ld %ld %ld",
              b.n[0], b.n[1], b.n[2], b.n[3]);
    cr_expect_eq(als_search_halving(1, 27, 3, 0, &b, &d), ALS_E_INPUT, "no trials");

    /* promotion: 7 trials, eta 3 -> keep 2; ties by trial number; NaN last */
    double v[] = {0.9, NAN, 0.5, 0.7, 0.5, 0.8, 0.95};
    size_t trial[] = {30, 31, 36, 33, 34, 35, 32}, rank[7], keep;
    cr_assert_eq(als_search_promote(v, trial, 7, 3, rank, &keep, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(keep, 2, "keep %zu", keep);
    /* value 0.5 twice: trials 34 (pos 4) and 36 (pos 2), kept in trial order */
    cr_expect(rank[0] == 4 && rank[1] == 2, "promoted positions %zu %zu, want 4 2", rank[0], rank[1]);
    cr_expect(rank[2] == 3 && rank[3] == 5 && rank[4] == 0 && rank[5] == 6 && rank[6] == 1,
              "the rest ranked: %zu %zu %zu %zu %zu", rank[2], rank[3], rank[4], rank[5], rank[6]);
    cr_assert_eq(als_search_promote(v, trial, 2, 3, rank, &keep, &d), ALS_OK, "%s", d.msg);
    cr_expect_eq(keep, 0, "2 trials, eta 3: nobody promoted");
}

Test(search, parzen_multivariate_bandwidth_and_prior_alone)
{
    als_search_space sp;
    als_diag d;
    als_search_space_init(&sp);
    cr_assert_eq(als_search_space_add_float(&sp, "x", 0, 10, false, &d), ALS_OK, "%s", d.msg);
    als_search_opts o;
    als_search_opts_default(&o);
    o.multivariate = true;
    als_search *s;
    cr_assert_eq(als_search_alloc(&s, &sp, &o, 32, &d), ALS_OK, "%s", d.msg);
    /* Scott's rule: 0.2 * n^(-1/(d+4)) * range = 0.2 * 10^(-1/5) * 10, above the clip 10/12 */
    double obs[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 9.5}, x = 5, lp, mu[11], sg[11], w[11];
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs, 10, &x, 1, &lp, mu, sg, w, &d), ALS_OK, "%s", d.msg);
    for (int k = 0; k < 10; k++)
        expect_close(sg[k], 2.0 * pow(10, -0.2), 1e-15, "multivariate sigma");
    expect_close(sg[10], 10, 0, "prior sigma");
    expect_close(w[10], 1.0 / 11, 1e-15, "prior weight");
    /* two observations: 0.2 * 2^(-1/5) * 10 = 1.74 is clipped up to 10 / min(100, 1 + 3) = 2.5 */
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs, 2, &x, 1, &lp, mu, sg, w, &d), ALS_OK, "%s", d.msg);
    expect_close(sg[0], 2.5, 1e-15, "clipped multivariate sigma");
    /* no observations: the prior N(5, 10) truncated to [0, 10] alone */
    double xs[] = {0, 5, 10}, lps[3];
    cr_assert_eq(als_search_parzen_logpdf(s, 0, obs, 0, xs, 3, lps, mu, sg, w, &d), ALS_OK, "%s", d.msg);
    double mass = erf(0.5 / M_SQRT2); /* Phi(0.5) - Phi(-0.5) */
    for (int i = 0; i < 3; i++) {
        double z = (xs[i] - 5) / 10;
        expect_close(lps[i], -0.5 * z * z - log(sqrt(2 * M_PI) * 10 * mass), 1e-13, "prior alone");
    }
    cr_expect(w[0] == 1 && mu[0] == 5, "prior alone: weight %g centre %g", w[0], mu[0]);
    als_search_free(s);
}
