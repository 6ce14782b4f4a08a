/* als_stats_test — paired tests, Holm, the one-standard-error rule and the seeded bootstrap for
 * comparing tuning cells.  The formulas are written out in docs/statistics.md; the tests in
 * tests/test_stats_test.c (hand-computed) and tests/cli/test_stats_scipy.sh (scipy) check them. */
#include "als_stats_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

struct als_stest_workspace {
    size_t n_max;
    double *absd;  /* |d| of the non-zero differences, n_max */
    double *sign;  /* +1 / −1, n_max */
    size_t *perm;  /* sort order of absd, n_max */
    double *rank;  /* average ranks, n_max */
    double *pmf;   /* exact null distribution of R+, n_max(n_max+1)/2 + 1 */
};

static void gsl_quiet(void)
{
    /* The library checks every GSL return itself; GSL's default handler would abort. */
    gsl_set_error_handler_off();
}

static als_status check_finite(const double *d, size_t n, const char *what, als_diag *diag)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(d[i]))
            return als_diag_set(diag, ALS_E_INPUT, "", 0, 0, "%s: value %zu is not finite (%g)",
                                what, i + 1, d[i]);
    return ALS_OK;
}

static void result_init(als_stest_result *res)
{
    res->statistic = NAN;
    res->pvalue = NAN;
    res->df = NAN;
    res->mean_diff = NAN;
    res->z = NAN;
    res->n = 0;
    res->exact = 0;
}

/* Two-sided p of a t statistic with df degrees of freedom; t = ±inf gives 0. */
static double t_two_sided(double t, double df)
{
    if (isinf(t))
        return 0.0;
    double p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
    return p > 1.0 ? 1.0 : p;
}

/* Shared by both t-tests: var_factor multiplies s² (1/n for the paired test, 1/n + n2/n1 for
 * the corrected one). */
static als_status t_common(const double *d, size_t n, double var_factor, const char *what,
                           als_stest_result *res, als_diag *diag)
{
    gsl_quiet();
    result_init(res);
    if (n < 2)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "%s: needs at least 2 paired scores, got %zu", what, n);
    als_status st = check_finite(d, n, what, diag);
    if (st != ALS_OK)
        return st;
    double mean = gsl_stats_mean(d, 1, n);
    double var = gsl_stats_variance_m(d, 1, n, mean);
    res->mean_diff = mean;
    res->df = (double)(n - 1);
    res->n = n;
    if (var == 0.0) {
        res->statistic = mean == 0.0 ? 0.0 : (mean > 0 ? INFINITY : -INFINITY);
        res->pvalue = mean == 0.0 ? 1.0 : 0.0;
        return ALS_OK;
    }
    res->statistic = mean / sqrt(var_factor * var);
    res->pvalue = t_two_sided(res->statistic, res->df);
    return ALS_OK;
}

als_status als_stest_paired_t(const double *d, size_t n, als_stest_result *res, als_diag *diag)
{
    return t_common(d, n, n ? 1.0 / (double)n : 0.0, "paired t-test", res, diag);
}

als_status als_stest_corrected_t(const double *d, size_t n, double n_train, double n_valid,
                                 als_stest_result *res, als_diag *diag)
{
    if (!(n_train > 0) || !isfinite(n_train) || !(n_valid >= 0) || !isfinite(n_valid)) {
        result_init(res);
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "corrected t-test: training size must be > 0 and validation size "
                            ">= 0, got %g and %g", n_train, n_valid);
    }
    return t_common(d, n, (n ? 1.0 / (double)n : 0.0) + n_valid / n_train, "corrected t-test",
                    res, diag);
}

/* ---- Wilcoxon ------------------------------------------------------------------------------- */

als_stest_workspace *als_stest_workspace_alloc(size_t n_max)
{
    if (n_max < 1)
        n_max = 1;
    if (n_max > ((size_t)1 << 20))
        return NULL; /* the exact table would not fit anyway */
    als_stest_workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->n_max = n_max;
    w->absd = malloc(n_max * sizeof *w->absd);
    w->sign = malloc(n_max * sizeof *w->sign);
    w->perm = malloc(n_max * sizeof *w->perm);
    w->rank = malloc(n_max * sizeof *w->rank);
    /* The exact table is allocated on first use (als_stest_wilcoxon), only as large as needed. */
    if (!w->absd || !w->sign || !w->perm || !w->rank) {
        als_stest_workspace_free(w);
        return NULL;
    }
    return w;
}

void als_stest_workspace_free(als_stest_workspace *w)
{
    if (!w)
        return;
    free(w->absd);
    free(w->sign);
    free(w->perm);
    free(w->rank);
    free(w->pmf);
    free(w);
}

/* Null distribution of R+ for n untied non-zero ranks: P(R+ = s), s = 0 .. n(n+1)/2.  Each rank k
 * is in R+ with probability 1/2 independently, so pmf_k(s) = (pmf_{k−1}(s) + pmf_{k−1}(s − k))/2
 * (the same recursion as scipy's _get_wilcoxon_distr, in probabilities so no count overflows). */
static void wilcoxon_pmf(double *pmf, size_t n)
{
    size_t top = 0;
    pmf[0] = 1.0;
    for (size_t k = 1; k <= n; k++) {
        size_t ntop = top + k;
        for (size_t s = top + 1; s <= ntop; s++)
            pmf[s] = 0.0;
        for (size_t s = ntop; s >= k; s--)
            pmf[s] = 0.5 * (pmf[s] + pmf[s - k]);
        for (size_t s = 0; s < k && s <= ntop; s++)
            pmf[s] *= 0.5;
        top = ntop;
    }
}

als_status als_stest_wilcoxon(const double *d, size_t n, als_wilcoxon_method method,
                              als_stest_workspace *w, als_stest_result *res, als_diag *diag)
{
    gsl_quiet();
    result_init(res);
    if (!w || n > w->n_max)
        return als_diag_set(diag, ALS_E_INTERNAL, "", 0, 0,
                            "Wilcoxon test: %zu differences exceed the workspace (%zu)", n,
                            w ? w->n_max : 0);
    if (n < 1)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "Wilcoxon test: needs at least 1 paired score");
    als_status st = check_finite(d, n, "Wilcoxon test", diag);
    if (st != ALS_OK)
        return st;
    res->mean_diff = gsl_stats_mean(d, 1, n);

    /* zero_method 'wilcox': drop the zero differences. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == 0.0)
            continue;
        w->absd[m] = fabs(d[i]);
        w->sign[m] = d[i] > 0 ? 1.0 : -1.0;
        m++;
    }
    size_t n_zero = n - m;
    res->n = m;
    if (m == 0) {
        res->statistic = 0.0;
        res->pvalue = 1.0;
        return ALS_OK;
    }

    /* Average ranks of |d|; ties are exact equality, as scipy's rankdata. */
    gsl_sort_index(w->perm, w->absd, 1, m);
    double tie_sum = 0.0; /* Σ t(t² − 1) over tie groups */
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && w->absd[w->perm[j]] == w->absd[w->perm[i]])
            j++;
        double avg = 0.5 * (double)(i + 1 + j); /* ranks i+1 .. j */
        for (size_t q = i; q < j; q++)
            w->rank[w->perm[q]] = avg;
        double t = (double)(j - i);
        if (j - i > 1)
            tie_sum += t * (t * t - 1.0);
        i = j;
    }
    double r_plus = 0.0, r_minus = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (w->sign[i] > 0)
            r_plus += w->rank[i];
        else
            r_minus += w->rank[i];
    }
    double T = r_plus < r_minus ? r_plus : r_minus;
    res->statistic = T;

    int exact = 0;
    if (n_zero == 0 && tie_sum == 0.0) {
        if (method == ALS_WILCOXON_EXACT && m <= ALS_WILCOXON_EXACT_LIMIT)
            exact = 1;
        else if (method == ALS_WILCOXON_AUTO && m <= ALS_WILCOXON_EXACT_MAX)
            exact = 1;
    }
    double dm = (double)m;
    if (exact) {
        size_t total = m * (m + 1) / 2;
        double *pmf = realloc(w->pmf, (total + 1) * sizeof *pmf);
        if (!pmf)
            return als_diag_set(diag, ALS_E_NOMEM, "", 0, 0,
                                "Wilcoxon test: out of memory for the exact distribution");
        w->pmf = pmf;
        wilcoxon_pmf(pmf, m);
        size_t r = (size_t)r_plus; /* an integer: no ties */
        double p_le = 0.0, p_ge = 0.0;
        for (size_t s = 0; s <= r; s++)
            p_le += pmf[s];
        for (size_t s = r; s <= total; s++)
            p_ge += pmf[s];
        double p = 2.0 * (p_le < p_ge ? p_le : p_ge);
        res->pvalue = p > 1.0 ? 1.0 : p;
        res->exact = 1;
        return ALS_OK;
    }
    double mn = dm * (dm + 1.0) * 0.25;
    double var = (dm * (dm + 1.0) * (2.0 * dm + 1.0) - 0.5 * tie_sum) / 24.0;
    if (!(var > 0)) {
        res->z = 0.0;
        res->pvalue = 1.0;
        return ALS_OK;
    }
    double z = (T - mn) / sqrt(var);
    res->z = z;
    double p = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
    res->pvalue = p > 1.0 ? 1.0 : p;
    return ALS_OK;
}

/* ---- Holm ----------------------------------------------------------------------------------- */

als_status als_stest_holm(const double *p, size_t m, double *p_adj, als_diag *diag)
{
    gsl_quiet();
    if (m == 0)
        return ALS_OK;
    for (size_t i = 0; i < m; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                                "Holm adjustment: p-value %zu is not in [0, 1] (%g)", i + 1, p[i]);
    size_t *order = malloc(m * sizeof *order);
    double *adj = malloc(m * sizeof *adj);
    if (!order || !adj) {
        free(order);
        free(adj);
        return als_diag_set(diag, ALS_E_NOMEM, "", 0, 0, "Holm adjustment: out of memory");
    }
    /* gsl_sort_index is a heapsort (not stable); equal p-values get equal adjusted values
     * whatever their order, so stability does not matter. */
    gsl_sort_index(order, p, 1, m);
    double run = 0.0;
    for (size_t j = 0; j < m; j++) {
        double v = (double)(m - j) * p[order[j]];
        if (v > 1.0)
            v = 1.0;
        if (v > run)
            run = v;
        adj[order[j]] = run;
    }
    memcpy(p_adj, adj, m * sizeof *adj);
    free(order);
    free(adj);
    return ALS_OK;
}

/* ---- comparing with the best ---------------------------------------------------------------- */

static int better(double a, double b, int higher_is_better)
{
    return higher_is_better ? a > b : a < b;
}

als_status als_stest_compare_best(const als_stest_compare_in *in, size_t *best,
                                  als_stest_cell *out, als_diag *diag)
{
    gsl_quiet();
    if (in->n_folds < 2)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "comparison with the best cell needs at least 2 folds, got %zu",
                            in->n_folds);
    if (!(in->level > 0.0 && in->level < 1.0))
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "comparison level must be in (0, 1), got %g", in->level);
    if (in->test != ALS_STEST_CORRECTED_T && in->test != ALS_STEST_PAIRED_T &&
        in->test != ALS_STEST_WILCOXON)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0, "unknown test kind %d", (int)in->test);
    size_t k = in->n_folds, b = (size_t)-1;
    for (size_t c = 0; c < in->n_cells; c++) {
        const double *row = in->scores + c * k;
        als_stest_cell *o = &out[c];
        o->valid = 1;
        for (size_t j = 0; j < k; j++)
            if (!isfinite(row[j]))
                o->valid = 0;
        o->mean = o->valid ? gsl_stats_mean(row, 1, k) : NAN;
        o->mean_diff = o->statistic = o->pvalue = o->p_holm = NAN;
        o->equivalent_to_best = 0;
        if (o->valid && (b == (size_t)-1 || better(o->mean, out[b].mean, in->higher_is_better)))
            b = c;
    }
    if (b == (size_t)-1)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "comparison with the best cell: no cell has finite scores on every fold");
    *best = b;

    double *d = malloc(k * sizeof *d);
    double *p = malloc(in->n_cells * sizeof *p);
    size_t *idx = malloc(in->n_cells * sizeof *idx);
    als_stest_workspace *w = in->test == ALS_STEST_WILCOXON ? als_stest_workspace_alloc(k) : NULL;
    als_status st = ALS_OK;
    if (!d || !p || !idx || (in->test == ALS_STEST_WILCOXON && !w)) {
        st = als_diag_set(diag, ALS_E_NOMEM, "", 0, 0, "comparison with the best: out of memory");
        goto done;
    }
    const double *rb = in->scores + b * k;
    size_t m = 0;
    for (size_t c = 0; c < in->n_cells; c++) {
        als_stest_cell *o = &out[c];
        if (!o->valid)
            continue;
        if (c == b) {
            o->mean_diff = 0.0;
            o->statistic = 0.0;
            o->pvalue = o->p_holm = 1.0;
            o->equivalent_to_best = 1;
            continue;
        }
        const double *row = in->scores + c * k;
        for (size_t j = 0; j < k; j++)
            d[j] = row[j] - rb[j];
        als_stest_result r;
        switch (in->test) {
        case ALS_STEST_CORRECTED_T:
            st = als_stest_corrected_t(d, k, in->n_train, in->n_valid, &r, diag);
            break;
        case ALS_STEST_PAIRED_T:
            st = als_stest_paired_t(d, k, &r, diag);
            break;
        default:
            st = als_stest_wilcoxon(d, k, in->wilcoxon_method, w, &r, diag);
            break;
        }
        if (st != ALS_OK)
            goto done;
        o->mean_diff = r.mean_diff;
        o->statistic = r.statistic;
        o->pvalue = r.pvalue;
        p[m] = r.pvalue;
        idx[m] = c;
        m++;
    }
    st = als_stest_holm(p, m, p, diag);
    if (st != ALS_OK)
        goto done;
    for (size_t i = 0; i < m; i++) {
        out[idx[i]].p_holm = p[i];
        out[idx[i]].equivalent_to_best = p[i] >= in->level;
    }
done:
    free(d);
    free(p);
    free(idx);
    als_stest_workspace_free(w);
    return st;
}

/* ---- one-standard-error rule ---------------------------------------------------------------- */

int als_stest_simpler_als(size_t a, size_t b, void *ctx)
{
    const als_stest_simplicity *s = ctx;
    if (s[a].rank != s[b].rank)
        return s[a].rank < s[b].rank ? -1 : 1;
    if (s[a].reg_param != s[b].reg_param)
        return s[a].reg_param > s[b].reg_param ? -1 : 1;
    if (s[a].max_iter != s[b].max_iter)
        return s[a].max_iter < s[b].max_iter ? -1 : 1;
    return 0;
}

double als_stest_std_error(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    return gsl_stats_sd(x, 1, n) / sqrt((double)n);
}

als_status als_stest_one_se(const double *mean, const double *se, size_t n, int higher_is_better,
                            als_stest_simpler_fn simpler, void *ctx, size_t *chosen, size_t *best,
                            als_diag *diag)
{
    size_t b = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(mean[i]) || !isfinite(se[i]) || se[i] < 0)
            continue;
        if (b == (size_t)-1 || better(mean[i], mean[b], higher_is_better))
            b = i;
    }
    if (b == (size_t)-1)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "one-standard-error rule: no cell has a finite mean and standard error");
    double bound = higher_is_better ? mean[b] - se[b] : mean[b] + se[b];
    size_t c = b;
    for (size_t i = 0; i < n; i++) {
        if (i == c || !isfinite(mean[i]) || !isfinite(se[i]) || se[i] < 0)
            continue;
        int within = higher_is_better ? mean[i] >= bound : mean[i] <= bound;
        if (!within)
            continue;
        int s = simpler(i, c, ctx);
        if (s < 0 || (s == 0 && better(mean[i], mean[c], higher_is_better)) ||
            (s == 0 && mean[i] == mean[c] && i < c))
            c = i;
    }
    *chosen = c;
    if (best)
        *best = b;
    return ALS_OK;
}

/* ---- bootstrap ------------------------------------------------------------------------------ */

double als_stest_stat_mean(const double *w, size_t n_units, void *ctx)
{
    const als_stest_mean_ctx *m = ctx;
    double num = 0.0, den = 0.0;
    for (size_t g = 0; g < n_units; g++) {
        if (w[g] == 0.0)
            continue;
        if (m->off) {
            double s = 0.0;
            for (size_t i = m->off[g]; i < m->off[g + 1]; i++)
                s += m->v[i];
            num += w[g] * s;
            den += w[g] * (double)(m->off[g + 1] - m->off[g]);
        } else {
            num += w[g] * m->v[g];
            den += w[g];
        }
    }
    double v = den > 0 ? num / den : NAN;
    return m->root ? sqrt(v) : v;
}

unsigned long als_stest_seed(uint64_t seed, const char *tag)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */
    for (const unsigned char *p = (const unsigned char *)(tag ? tag : ""); *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    uint64_t z = seed ^ h; /* splitmix64 finaliser */
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    unsigned long s = (unsigned long)((z ^ (z >> 32)) & 0xffffffffULL);
    return s ? s : 1UL;
}

als_status als_stest_bootstrap_ci(size_t n_units, size_t B, double conf, unsigned long seed,
                                  als_stest_boot_stat_fn stat, void *ctx, double *lo, double *hi,
                                  double *replicates, als_diag *diag)
{
    gsl_quiet();
    *lo = *hi = NAN;
    if (n_units < 1 || B < 2 || !(conf > 0.0 && conf < 1.0))
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "bootstrap: needs at least 1 unit, B >= 2 and a level in (0, 1); "
                            "got %zu units, B = %zu, level %g", n_units, B, conf);
    if (n_units > 0xffffffffUL)
        return als_diag_set(diag, ALS_E_INPUT, "", 0, 0,
                            "bootstrap: %zu units exceed the generator's range", n_units);
    double *w = malloc(n_units * sizeof *w);
    double *t = malloc(B * sizeof *t);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    als_status st = ALS_OK;
    if (!w || !t || !rng) {
        st = als_diag_set(diag, ALS_E_NOMEM, "", 0, 0, "bootstrap: out of memory");
        goto done;
    }
    gsl_rng_set(rng, seed);
    for (size_t b = 0; b < B; b++) {
        memset(w, 0, n_units * sizeof *w);
        for (size_t i = 0; i < n_units; i++)
            w[gsl_rng_uniform_int(rng, (unsigned long)n_units)] += 1.0;
        t[b] = stat(w, n_units, ctx);
        if (!isfinite(t[b])) {
            st = als_diag_set(diag, ALS_E_NUMERIC, "", 0, 0,
                              "bootstrap: the statistic of resample %zu is not finite (%g)", b + 1,
                              t[b]);
            goto done;
        }
    }
    if (replicates)
        memcpy(replicates, t, B * sizeof *t);
    gsl_sort(t, 1, B);
    *lo = gsl_stats_quantile_from_sorted_data(t, 1, B, 0.5 * (1.0 - conf));
    *hi = gsl_stats_quantile_from_sorted_data(t, 1, B, 0.5 * (1.0 + conf));
done:
    free(w);
    free(t);
    if (rng)
        gsl_rng_free(rng);
    return st;
}
