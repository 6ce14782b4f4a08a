/* als_search — search space, random / Sobol / TPE samplers and the Hyperband planner.
 * The maths, every constant and the Optuna source it follows are in docs/search.md. */
#include "als_search.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_erf.h>

#include "als_util.h"

/* Optuna constants (optuna/samplers/_tpe/parzen_estimator.py, sampler.py) */
#define TPE_EPS 1e-12            /* minimum sigma without the magic clip */
#define TPE_SIGMA0_MAGNITUDE 0.2 /* multivariate bandwidth: Scott's rule factor (BOHB) */
#define TPE_MAGIC_CLIP_MAX 100.0 /* minsigma = range / min(100, 1 + kernels) */
#define TPE_GAMMA_FRACTION 0.1   /* gamma(n) = min(ceil(0.1 n), 25) */
#define TPE_GAMMA_CAP 25
#define TPE_WEIGHTS_FLAT 25      /* default_weights: the newest 25 weigh 1, older ones ramp */

/* RNG stream tags: a proposal's generator is seeded from (seed, tag, trial). */
#define STREAM_RANDOM 0x52414e44u
#define STREAM_TPE 0x54504521u

/* One Parzen estimator over the dimensions dims[0..nd-1]: nk kernels (observations, then the
 * prior) with mixture weights w; per dimension the kernel centres/bandwidths in the transformed
 * space (numeric) or a row of choice probabilities per kernel (categorical). */
typedef struct {
    size_t nk;
    double *w;     /* [cap] */
    double *mu;    /* [ndim * cap] */
    double *sigma; /* [ndim * cap] */
    double *lc;    /* [ndim * cap] per-kernel log normaliser (log-pdf constant of the truncation) */
    double *lw;    /* [cap] log w */
    double *catw;  /* [sum ncat * cap], dimension j at catoff[j] * cap */
} parzen;

typedef struct {
    double v;
    size_t i;
} keyed;

struct als_search {
    als_search_space sp;
    als_search_opts o;
    size_t max_trials;
    size_t cap;              /* kernels: max_trials + 1 */
    gsl_rng *rng;
    double *sobol;           /* [max_trials * ndim] */
    size_t catoff[ALS_SEARCH_MAX_DIM];
    double lo[ALS_SEARCH_MAX_DIM], hi[ALS_SEARCH_MAX_DIM]; /* transformed (adapted) bounds */
    parzen below, above;
    keyed *keys;             /* [cap] */
    size_t *rows;            /* [cap] history rows in use */
    size_t *sel;             /* [cap] rows of one group */
    double *obs;             /* [cap] one dimension's observations */
    double *sorted;          /* [cap + 2] */
    double *sig_sorted;      /* [cap] */
    double *cand;            /* [n_ei * ndim] */
    double *score;           /* [n_ei] */
    double *lpk;             /* [cap] per-kernel log terms */
};

/* ---- space ------------------------------------------------------------------------------- */
void als_search_space_init(als_search_space *sp) { memset(sp, 0, sizeof *sp); }

static als_status add_dim(als_search_space *sp, const char *name, als_diag *d, als_search_dim **out)
{
    if (!name || !name[0] || strlen(name) >= ALS_SEARCH_NAME_MAX)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: dimension name must have 1 to %d characters",
                            ALS_SEARCH_NAME_MAX - 1);
    if (sp->ndim >= ALS_SEARCH_MAX_DIM)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: '%s': at most %d dimensions", name,
                            ALS_SEARCH_MAX_DIM);
    for (size_t j = 0; j < sp->ndim; j++)
        if (strcmp(sp->dim[j].name, name) == 0)
            return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: dimension '%s' given twice", name);
    als_search_dim *dm = &sp->dim[sp->ndim];
    memset(dm, 0, sizeof *dm);
    snprintf(dm->name, sizeof dm->name, "%s", name);
    *out = dm;
    return ALS_OK;
}

als_status als_search_space_add_float(als_search_space *sp, const char *name, double lo, double hi,
                                      bool log, als_diag *d)
{
    als_search_dim *dm;
    als_status st = add_dim(sp, name, d, &dm);
    if (st)
        return st;
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: '%s': need finite min < max, got %g, %g", name,
                            lo, hi);
    if (log && !(lo > 0))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: '%s': log scale needs min > 0, got %g", name, lo);
    dm->kind = ALS_SEARCH_FLOAT;
    dm->lo = lo;
    dm->hi = hi;
    dm->log = log;
    sp->ndim++;
    return ALS_OK;
}

als_status als_search_space_add_int(als_search_space *sp, const char *name, long lo, long hi, bool log,
                                    als_diag *d)
{
    als_search_dim *dm;
    als_status st = add_dim(sp, name, d, &dm);
    if (st)
        return st;
    if (lo > hi || labs(lo) > (1L << 52) || labs(hi) > (1L << 52))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: '%s': need min <= max, got %ld, %ld", name, lo,
                            hi);
    if (log && lo < 1)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: '%s': log scale needs min >= 1, got %ld", name,
                            lo);
    dm->kind = ALS_SEARCH_INT;
    dm->lo = (double)lo;
    dm->hi = (double)hi;
    dm->log = log;
    sp->ndim++;
    return ALS_OK;
}

als_status als_search_space_add_cat(als_search_space *sp, const char *name, size_t ncat, als_diag *d)
{
    als_search_dim *dm;
    als_status st = add_dim(sp, name, d, &dm);
    if (st)
        return st;
    if (ncat < 1 || ncat > 1000000)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: '%s': need 1 to 1000000 choices, got %zu", name,
                            ncat);
    dm->kind = ALS_SEARCH_CAT;
    dm->ncat = ncat;
    sp->ndim++;
    return ALS_OK;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Numeric bounds in the space the kernels live in: ints widened by 1/2 (step 1), then logs. */
static void adapted_bounds(const als_search_dim *dm, double *lo, double *hi)
{
    double a = dm->lo, b = dm->hi;
    if (dm->kind == ALS_SEARCH_INT) {
        a -= 0.5;
        b += 0.5;
    }
    if (dm->log) {
        a = log(a);
        b = log(b);
    }
    *lo = a;
    *hi = b;
}

/* From the adapted space back to a value: exp for log, round-half-even and clip for ints. */
static double untransform(const als_search_dim *dm, double v)
{
    if (dm->log)
        v = exp(v);
    if (dm->kind == ALS_SEARCH_INT)
        v = nearbyint(v);
    return clampd(v, dm->lo, dm->hi);
}

void als_search_from_unit(const als_search_space *sp, const double *u, double *x)
{
    for (size_t j = 0; j < sp->ndim; j++) {
        const als_search_dim *dm = &sp->dim[j];
        if (dm->kind == ALS_SEARCH_CAT) {
            double k = floor(u[j] * (double)dm->ncat);
            x[j] = clampd(k, 0, (double)(dm->ncat - 1));
            continue;
        }
        double a, b;
        adapted_bounds(dm, &a, &b);
        x[j] = untransform(dm, a + u[j] * (b - a));
    }
}

/* ---- options ------------------------------------------------------------------------------- */
void als_search_opts_default(als_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = ALS_SEARCH_TPE;
    o->seed = 0;
    o->batch = 8;
    o->n_startup = 10;
    o->n_ei_candidates = 24;
    o->prior_weight = 1.0;
    o->consider_magic_clip = true;
    o->consider_endpoints = false;
    o->multivariate = false;
    o->constant_liar = true;
}

bool als_search_method_parse(const char *s, als_search_method *m)
{
    static const struct { const char *name; als_search_method m; } tab[] = {
        {"random", ALS_SEARCH_RANDOM}, {"sobol", ALS_SEARCH_SOBOL}, {"tpe", ALS_SEARCH_TPE}};
    for (size_t i = 0; s && i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(s, tab[i].name) == 0) {
            *m = tab[i].m;
            return true;
        }
    return false;
}

const char *als_search_method_name(als_search_method m)
{
    switch (m) {
    case ALS_SEARCH_RANDOM: return "random";
    case ALS_SEARCH_SOBOL: return "sobol";
    case ALS_SEARCH_TPE: return "tpe";
    }
    return "?";
}

/* ---- workspace ----------------------------------------------------------------------------- */
static void *xcalloc(size_t n, size_t sz, bool *ok)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        *ok = false;
    return p;
}

static void parzen_alloc(parzen *p, size_t ndim, size_t ncat_total, size_t cap, bool *ok)
{
    p->w = xcalloc(cap, sizeof *p->w, ok);
    p->mu = xcalloc(ndim * cap, sizeof *p->mu, ok);
    p->sigma = xcalloc(ndim * cap, sizeof *p->sigma, ok);
    p->lc = xcalloc(ndim * cap, sizeof *p->lc, ok);
    p->lw = xcalloc(cap, sizeof *p->lw, ok);
    p->catw = xcalloc(ncat_total * cap, sizeof *p->catw, ok);
}

static void parzen_free(parzen *p)
{
    free(p->w);
    free(p->mu);
    free(p->sigma);
    free(p->lc);
    free(p->lw);
    free(p->catw);
}

void als_search_free(als_search *s)
{
    if (!s)
        return;
    gsl_rng_free(s->rng);
    free(s->sobol);
    parzen_free(&s->below);
    parzen_free(&s->above);
    free(s->keys);
    free(s->rows);
    free(s->sel);
    free(s->obs);
    free(s->sorted);
    free(s->sig_sorted);
    free(s->cand);
    free(s->score);
    free(s->lpk);
    free(s);
}

als_status als_search_alloc(als_search **out, const als_search_space *sp, const als_search_opts *o,
                            size_t max_trials, als_diag *d)
{
    *out = NULL;
    if (sp->ndim < 1 || sp->ndim > ALS_SEARCH_MAX_DIM)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: need 1 to %d dimensions, got %zu",
                            ALS_SEARCH_MAX_DIM, sp->ndim);
    if (o->batch < 1)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: batch must be >= 1");
    if (o->method == ALS_SEARCH_TPE) {
        if (o->n_ei_candidates < 1)
            return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: n_ei_candidates must be >= 1");
        if (!(o->prior_weight > 0) || !isfinite(o->prior_weight))
            return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: prior_weight must be > 0, got %g",
                                o->prior_weight);
    }
    if (max_trials < 1 || max_trials > (size_t)1 << 24)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: trials must be 1 to %zu, got %zu",
                            (size_t)1 << 24, max_trials);
    als_search *s = calloc(1, sizeof *s);
    if (!s)
        return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "search: out of memory");
    s->sp = *sp;
    s->o = *o;
    s->max_trials = max_trials;
    s->cap = max_trials + 1;
    size_t ndim = sp->ndim, ncat_total = 0;
    for (size_t j = 0; j < ndim; j++) {
        s->catoff[j] = ncat_total;
        if (sp->dim[j].kind == ALS_SEARCH_CAT)
            ncat_total += sp->dim[j].ncat;
        else
            adapted_bounds(&sp->dim[j], &s->lo[j], &s->hi[j]);
    }
    bool ok = true;
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s->rng)
        ok = false;
    if (ok && o->method == ALS_SEARCH_SOBOL) {
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)ndim);
        s->sobol = xcalloc(max_trials * ndim, sizeof *s->sobol, &ok);
        if (!q) {
            free(s->sobol);
            s->sobol = NULL;
            als_search_free(s);
            return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: GSL's Sobol sequence refused %zu dimensions",
                                ndim);
        }
        for (size_t t = 0; ok && t < max_trials; t++)
            if (gsl_qrng_get(q, s->sobol + t * ndim) != 0)
                ok = false;
        gsl_qrng_free(q);
    }
    if (ok && o->method == ALS_SEARCH_TPE) {
        size_t cap = s->cap;
        parzen_alloc(&s->below, ndim, ncat_total, cap, &ok);
        parzen_alloc(&s->above, ndim, ncat_total, cap, &ok);
        s->keys = xcalloc(cap, sizeof *s->keys, &ok);
        s->rows = xcalloc(cap, sizeof *s->rows, &ok);
        s->sel = xcalloc(cap, sizeof *s->sel, &ok);
        s->obs = xcalloc(cap, sizeof *s->obs, &ok);
        s->sorted = xcalloc(cap + 2, sizeof *s->sorted, &ok);
        s->sig_sorted = xcalloc(cap, sizeof *s->sig_sorted, &ok);
        s->cand = xcalloc(o->n_ei_candidates * ndim, sizeof *s->cand, &ok);
        s->score = xcalloc(o->n_ei_candidates, sizeof *s->score, &ok);
        s->lpk = xcalloc(cap, sizeof *s->lpk, &ok);
    }
    if (!ok) {
        als_search_free(s);
        return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "search: out of memory (%zu trials)", max_trials);
    }
    *out = s;
    return ALS_OK;
}

size_t als_search_visible(const als_search *s, size_t t) { return t / s->o.batch * s->o.batch; }

/* The proposal generator of trial t: MT19937 seeded from a hash of (seed, stream, t), so a
 * trial's draws do not depend on how many proposals were made before it. */
static void seed_trial(als_search *s, uint32_t stream, size_t t)
{
    uint64_t h = als_mix64(als_mix64(s->o.seed ^ als_mix64(stream)) + (uint64_t)t);
    gsl_rng_set(s->rng, (unsigned long)(h ^ (h >> 32)) & 0xffffffffUL);
}

static void propose_random(als_search *s, size_t t, double *x)
{
    double u[ALS_SEARCH_MAX_DIM];
    seed_trial(s, STREAM_RANDOM, t);
    for (size_t j = 0; j < s->sp.ndim; j++)
        u[j] = gsl_rng_uniform(s->rng);
    als_search_from_unit(&s->sp, u, x);
}

/* ---- truncated normal ------------------------------------------------------------------------ */
static const double LOG_SQRT_2PI = 0.91893853320467274178;

/* log Phi(z), accurate far into the left tail (gsl_sf_log_erfc). */
static double log_ndtr(double z)
{
    if (z > 6)
        return log1p(-gsl_cdf_ugaussian_Q(z));
    gsl_sf_result r;
    if (gsl_sf_log_erfc_e(-z / M_SQRT2, &r) != 0)
        return -INFINITY;
    return r.val - M_LN2;
}

/* log(exp(a) - exp(b)) for a >= b */
static double log_diff_exp(double a, double b)
{
    if (b == -INFINITY)
        return a;
    double dlt = b - a;
    return a + (dlt > -M_LN2 ? log(-expm1(dlt)) : log1p(-exp(dlt)));
}

/* log(Phi(b) - Phi(a)), a <= b: Optuna's _truncnorm._log_gauss_mass (left tail, right tail by
 * symmetry, central part as 1 - both tails). */
static double log_gauss_mass(double a, double b)
{
    if (b <= 0)
        return log_diff_exp(log_ndtr(b), log_ndtr(a));
    if (a > 0)
        return log_diff_exp(log_ndtr(-a), log_ndtr(-b));
    return log1p(-gsl_cdf_ugaussian_P(a) - gsl_cdf_ugaussian_Q(b));
}

/* Inverse-CDF draw from N(0,1) truncated to [a, b] with uniform u, working in the lower tail
 * (mirrored when a > 0) so that Phi keeps its relative accuracy. */
static double trunc_std_ppf(double a, double b, double u)
{
    if (a > 0)
        return -trunc_std_ppf(-b, -a, 1 - u);
    double pa = gsl_cdf_ugaussian_P(a), pb = gsl_cdf_ugaussian_P(b);
    double z = gsl_cdf_ugaussian_Pinv(pa + u * (pb - pa));
    if (!(z >= a)) /* also NaN */
        z = a;
    if (z > b)
        z = b;
    return z;
}

/* ---- Parzen estimator ------------------------------------------------------------------------ */
static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->v < b->v)
        return -1;
    if (a->v > b->v)
        return 1;
    return (a->i > b->i) - (a->i < b->i);
}

static double *pmu(const als_search *s, const parzen *p, size_t j) { return p->mu + j * s->cap; }
static double *psig(const als_search *s, const parzen *p, size_t j) { return p->sigma + j * s->cap; }
static double *pcat(const als_search *s, const parzen *p, size_t j) { return p->catw + s->catoff[j] * s->cap; }

size_t als_search_tpe_gamma(size_t n)
{
    size_t g = (size_t)ceil(TPE_GAMMA_FRACTION * (double)n);
    return g < TPE_GAMMA_CAP ? g : TPE_GAMMA_CAP;
}

void als_search_tpe_weights(size_t n, double *w)
{
    if (n < TPE_WEIGHTS_FLAT) {
        for (size_t i = 0; i < n; i++)
            w[i] = 1.0;
        return;
    }
    /* np.linspace(1/n, 1, num=n-25) then 25 ones; linspace with num=1 is [start]. */
    size_t m = n - TPE_WEIGHTS_FLAT;
    double start = 1.0 / (double)n;
    for (size_t i = 0; i < m; i++)
        w[i] = m == 1 ? start : start + (double)i * (1.0 - start) / (double)(m - 1);
    for (size_t i = m; i < n; i++)
        w[i] = 1.0;
}

/* Bandwidths of one numeric dimension (univariate rule): each observation's sigma is the larger
 * gap to its neighbours among {low, observations, prior mean, high}; without consider_endpoints
 * the leftmost and rightmost kernels use their inner gap only. */
static void univariate_sigmas(als_search *s, const double *mus, size_t n, double low, double high,
                              double *sig)
{
    size_t m = n + 1;
    for (size_t i = 0; i < n; i++) {
        s->keys[i].v = mus[i];
        s->keys[i].i = i;
    }
    s->keys[n].v = 0.5 * (low + high);
    s->keys[n].i = n;
    qsort(s->keys, m, sizeof *s->keys, cmp_keyed); /* ties by index: a stable argsort */
    double *e = s->sorted;
    e[0] = low;
    for (size_t i = 0; i < m; i++)
        e[i + 1] = s->keys[i].v;
    e[m + 1] = high;
    for (size_t i = 0; i < m; i++)
        s->sig_sorted[i] = fmax(e[i + 1] - e[i], e[i + 2] - e[i + 1]);
    if (!s->o.consider_endpoints && m + 2 >= 4) {
        s->sig_sorted[0] = e[2] - e[1];
        s->sig_sorted[m - 1] = e[m] - e[m - 1];
    }
    for (size_t i = 0; i < m; i++)
        if (s->keys[i].i < n)
            sig[s->keys[i].i] = s->sig_sorted[i];
}

/* Fit p to the history rows rows[0..n-1] (chronological) over dimensions dims[0..nd-1]; when
 * obs1 is not NULL it holds the observations of the single dimension dims[0] instead. */
static void parzen_fit(als_search *s, parzen *p, const size_t *dims, size_t nd, const double *hist_x,
                       const size_t *rows, const double *obs1, size_t n)
{
    size_t ndim = s->sp.ndim;
    double pw = s->o.prior_weight;
    p->nk = n + 1;
    if (n == 0) {
        p->w[0] = 1.0;
    } else {
        als_search_tpe_weights(n, p->w);
        p->w[n] = pw;
        double sum = 0;
        for (size_t k = 0; k <= n; k++)
            sum += p->w[k];
        for (size_t k = 0; k <= n; k++)
            p->w[k] /= sum;
    }
    for (size_t q = 0; q < nd; q++) {
        size_t j = dims[q];
        const als_search_dim *dm = &s->sp.dim[j];
        for (size_t i = 0; i < n; i++)
            s->obs[i] = obs1 ? obs1[i] : hist_x[rows[i] * ndim + j];
        if (dm->kind == ALS_SEARCH_CAT) {
            double *cw = pcat(s, p, j);
            size_t nc = dm->ncat;
            if (n == 0) {
                for (size_t c = 0; c < nc; c++)
                    cw[c] = 1.0 / (double)nc;
                continue;
            }
            double fill = pw / (double)(n + 1);
            for (size_t k = 0; k <= n; k++) {
                double *row = cw + k * nc;
                for (size_t c = 0; c < nc; c++)
                    row[c] = fill;
                if (k < n) {
                    double v = s->obs[k];
                    size_t c = v >= 0 && v < (double)nc ? (size_t)v : 0;
                    row[c] += 1.0;
                }
                double sum = 0;
                for (size_t c = 0; c < nc; c++)
                    sum += row[c];
                for (size_t c = 0; c < nc; c++)
                    row[c] /= sum;
            }
            continue;
        }
        double low = s->lo[j], high = s->hi[j];
        double *mu = pmu(s, p, j), *sig = psig(s, p, j);
        for (size_t i = 0; i < n; i++)
            mu[i] = dm->log ? log(s->obs[i]) : s->obs[i];
        if (n > 0) {
            if (s->o.multivariate) {
                double sg = TPE_SIGMA0_MAGNITUDE * pow((double)n, -1.0 / ((double)ndim + 4)) * (high - low);
                for (size_t i = 0; i < n; i++)
                    sig[i] = sg;
            } else {
                univariate_sigmas(s, mu, n, low, high, sig);
            }
            double maxsigma = high - low;
            double minsigma = s->o.consider_magic_clip
                                  ? (high - low) / fmin(TPE_MAGIC_CLIP_MAX, 1.0 + (double)(n + 1))
                                  : TPE_EPS;
            for (size_t i = 0; i < n; i++)
                sig[i] = clampd(sig[i], minsigma, maxsigma);
        }
        mu[n] = 0.5 * (low + high);
        sig[n] = high - low;
        /* the part of each kernel's log density that does not depend on x */
        double *lc = p->lc + j * s->cap;
        for (size_t k = 0; k <= n; k++) {
            double norm = log_gauss_mass((low - mu[k]) / sig[k], (high - mu[k]) / sig[k]);
            lc[k] = dm->kind == ALS_SEARCH_INT ? -norm : -LOG_SQRT_2PI - log(sig[k]) - norm;
        }
    }
    for (size_t k = 0; k < p->nk; k++)
        p->lw[k] = log(p->w[k]);
}

/* log density of the point x (full ndim vector) under p, over dims[0..nd-1]. */
static double parzen_logpdf(als_search *s, const parzen *p, const size_t *dims, size_t nd, const double *x)
{
    double mx = -INFINITY;
    for (size_t k = 0; k < p->nk; k++) {
        double lp = p->lw[k];
        for (size_t q = 0; q < nd && lp > -INFINITY; q++) {
            size_t j = dims[q];
            const als_search_dim *dm = &s->sp.dim[j];
            if (dm->kind == ALS_SEARCH_CAT) {
                lp += log(pcat(s, p, j)[k * dm->ncat + (size_t)x[j]]);
                continue;
            }
            double mu = pmu(s, p, j)[k], sg = psig(s, p, j)[k], lc = p->lc[j * s->cap + k];
            if (dm->kind == ALS_SEARCH_INT) {
                double l = x[j] - 0.5, r = x[j] + 0.5;
                if (dm->log) {
                    l = log(l);
                    r = log(r);
                }
                lp += log_gauss_mass((l - mu) / sg, (r - mu) / sg) + lc;
            } else {
                double v = dm->log ? log(x[j]) : x[j];
                double z = (v - mu) / sg;
                lp += -0.5 * z * z + lc;
            }
        }
        s->lpk[k] = lp;
        if (lp > mx)
            mx = lp;
    }
    if (mx == -INFINITY)
        return -INFINITY;
    double sum = 0;
    for (size_t k = 0; k < p->nk; k++)
        sum += exp(s->lpk[k] - mx);
    return mx + log(sum);
}

/* Draw one point from p over dims into x (other coordinates untouched). */
static void parzen_sample(als_search *s, const parzen *p, const size_t *dims, size_t nd, double *x)
{
    double u = gsl_rng_uniform(s->rng), acc = 0;
    size_t k = p->nk - 1;
    for (size_t i = 0; i < p->nk; i++) {
        acc += p->w[i];
        if (u < acc) {
            k = i;
            break;
        }
    }
    for (size_t q = 0; q < nd; q++) {
        size_t j = dims[q];
        const als_search_dim *dm = &s->sp.dim[j];
        double v = gsl_rng_uniform(s->rng);
        if (dm->kind == ALS_SEARCH_CAT) {
            const double *row = pcat(s, p, j) + k * dm->ncat;
            size_t c = 0;
            double cum = row[0];
            while (c + 1 < dm->ncat && cum < v)
                cum += row[++c];
            x[j] = (double)c;
            continue;
        }
        double mu = pmu(s, p, j)[k], sg = psig(s, p, j)[k];
        double z = trunc_std_ppf((s->lo[j] - mu) / sg, (s->hi[j] - mu) / sg, v);
        x[j] = untransform(dm, mu + sg * z);
    }
}

/* TPE over dims[0..nd-1]: fit l (below) and g (above), draw n_ei candidates from l, keep the one
 * with the largest log l - log g (the first on ties). */
static void tpe_group(als_search *s, const size_t *dims, size_t nd, const double *hist_x, const size_t *below,
                      size_t nb, const size_t *above, size_t na, double *x)
{
    size_t ndim = s->sp.ndim, ne = s->o.n_ei_candidates;
    parzen_fit(s, &s->below, dims, nd, hist_x, below, NULL, nb);
    parzen_fit(s, &s->above, dims, nd, hist_x, above, NULL, na);
    size_t best = 0;
    for (size_t c = 0; c < ne; c++) {
        double *xc = s->cand + c * ndim;
        parzen_sample(s, &s->below, dims, nd, xc);
        s->score[c] = parzen_logpdf(s, &s->below, dims, nd, xc) - parzen_logpdf(s, &s->above, dims, nd, xc);
        if (s->score[c] > s->score[best] || (isnan(s->score[best]) && !isnan(s->score[c])))
            best = c;
    }
    for (size_t q = 0; q < nd; q++)
        x[dims[q]] = s->cand[best * ndim + dims[q]];
}

static void propose_tpe(als_search *s, size_t t, const double *hist_x, const double *hist_y, size_t nvis,
                        double *x)
{
    size_t n = 0;
    for (size_t r = 0; r < nvis; r++)
        if (isfinite(hist_y[r])) {
            s->keys[n].v = hist_y[r];
            s->keys[n].i = r;
            n++;
        }
    if (n < s->o.n_startup || n == 0) {
        propose_random(s, t, x);
        return;
    }
    seed_trial(s, STREAM_TPE, t);
    /* split: the gamma(n) best (ties by trial number) form l(x), the rest g(x); each group in
     * trial order, as Optuna sorts below/above trials by number. */
    qsort(s->keys, n, sizeof *s->keys, cmp_keyed);
    size_t nb = als_search_tpe_gamma(n), na = n - nb;
    size_t *below = s->rows, *above = s->sel;
    for (size_t i = 0; i < nb; i++)
        below[i] = s->keys[i].i;
    for (size_t i = 0; i < na; i++)
        above[i] = s->keys[nb + i].i;
    /* constant liar: the earlier proposals of this round count as running trials, which Optuna
     * puts into the above group (their value taken as +inf); gamma still counts finished ones. */
    if (s->o.constant_liar)
        for (size_t r = nvis; r < t; r++)
            above[na++] = r;
    for (size_t g = 0; g < 2; g++) {
        size_t *a = g ? above : below, m = g ? na : nb;
        for (size_t i = 0; i < m; i++)
            s->keys[i].v = (double)a[i], s->keys[i].i = a[i];
        qsort(s->keys, m, sizeof *s->keys, cmp_keyed);
        for (size_t i = 0; i < m; i++)
            a[i] = s->keys[i].i;
    }
    size_t dims[ALS_SEARCH_MAX_DIM];
    for (size_t j = 0; j < s->sp.ndim; j++)
        dims[j] = j;
    if (s->o.multivariate) {
        tpe_group(s, dims, s->sp.ndim, hist_x, below, nb, above, na, x);
    } else {
        for (size_t j = 0; j < s->sp.ndim; j++)
            tpe_group(s, dims + j, 1, hist_x, below, nb, above, na, x);
    }
}

als_status als_search_propose(als_search *s, size_t t, const double *hist_x, const double *hist_y,
                              size_t n_hist, double *x, als_diag *d)
{
    if (t >= s->max_trials)
        return als_diag_set(d, ALS_E_USAGE, NULL, 0, 0, "search: trial %zu beyond the %zu allocated", t,
                            s->max_trials);
    size_t nvis = als_search_visible(s, t);
    if (n_hist < nvis)
        return als_diag_set(d, ALS_E_USAGE, NULL, 0, 0,
                            "search: trial %zu needs the results of trials 0..%zu (round not complete), got %zu",
                            t, nvis - 1, n_hist);
    if (s->o.method == ALS_SEARCH_TPE && s->o.constant_liar && n_hist < t)
        return als_diag_set(d, ALS_E_USAGE, NULL, 0, 0,
                            "search: trial %zu needs the points of trials 0..%zu (constant liar), got %zu", t,
                            t - 1, n_hist);
    switch (s->o.method) {
    case ALS_SEARCH_RANDOM:
        propose_random(s, t, x);
        return ALS_OK;
    case ALS_SEARCH_SOBOL: {
        als_search_from_unit(&s->sp, s->sobol + t * s->sp.ndim, x);
        return ALS_OK;
    }
    case ALS_SEARCH_TPE:
        if (nvis > 0 && (!hist_x || !hist_y))
            return als_diag_set(d, ALS_E_USAGE, NULL, 0, 0, "search: TPE needs the history");
        propose_tpe(s, t, hist_x, hist_y, nvis, x);
        return ALS_OK;
    }
    return als_diag_set(d, ALS_E_INTERNAL, NULL, 0, 0, "search: unknown method %d", (int)s->o.method);
}

als_status als_search_parzen_logpdf(als_search *s, size_t j, const double *obs, size_t n, const double *xs,
                                    size_t m, double *logpdf, double *mu, double *sigma, double *w, als_diag *d)
{
    if (!s->below.w)
        return als_diag_set(d, ALS_E_USAGE, NULL, 0, 0, "search: Parzen estimators need a TPE workspace");
    if (j >= s->sp.ndim || n > s->max_trials)
        return als_diag_set(d, ALS_E_USAGE, NULL, 0, 0, "search: dimension %zu / %zu observations out of range", j,
                            n);
    const als_search_dim *dm = &s->sp.dim[j];
    parzen_fit(s, &s->below, &j, 1, NULL, NULL, obs, n);
    double xv[ALS_SEARCH_MAX_DIM] = {0};
    for (size_t i = 0; i < m; i++) {
        xv[j] = xs[i];
        logpdf[i] = parzen_logpdf(s, &s->below, &j, 1, xv);
    }
    for (size_t k = 0; k <= n; k++) {
        if (w)
            w[k] = s->below.w[k];
        if (dm->kind != ALS_SEARCH_CAT) {
            if (mu)
                mu[k] = pmu(s, &s->below, j)[k];
            if (sigma)
                sigma[k] = psig(s, &s->below, j)[k];
        }
    }
    return ALS_OK;
}

/* ---- successive halving / Hyperband ---------------------------------------------------------- */
static als_status check_budget(int min_iter, int max_iter, int eta, als_diag *d)
{
    if (min_iter < 1 || max_iter < min_iter)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: need 1 <= minIter <= maxIter, got %d, %d",
                            min_iter, max_iter);
    if (eta < 2)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: eta must be >= 2, got %d", eta);
    return ALS_OK;
}

int als_search_smax(int min_iter, int max_iter, int eta)
{
    int s = 0;
    long r = min_iter;
    while (r * eta <= max_iter && s + 1 < ALS_SEARCH_MAX_RUNGS) {
        r *= eta;
        s++;
    }
    return s;
}

static long ipow(long b, int e)
{
    long r = 1;
    while (e-- > 0)
        r *= b;
    return r;
}

static void fill_bracket(als_search_bracket *b, int s, long n, int min_iter, int max_iter, int eta, bool at_least_one)
{
    memset(b, 0, sizeof *b);
    b->s = s;
    b->nrungs = s + 1;
    for (int i = 0; i <= s; i++) {
        long ni = n / ipow(eta, i);
        b->n[i] = at_least_one && ni < 1 ? 1 : ni;
        long it = max_iter / ipow(eta, s - i);
        b->iters[i] = (int)(it < min_iter ? min_iter : it);
        b->total_iters += b->n[i] * b->iters[i];
    }
}

als_status als_search_hyperband(int min_iter, int max_iter, int eta, als_search_bracket *out, int cap,
                                int *nbrackets, als_diag *d)
{
    als_status st = check_budget(min_iter, max_iter, eta, d);
    if (st)
        return st;
    int smax = als_search_smax(min_iter, max_iter, eta);
    if (cap < smax + 1)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: Hyperband needs %d brackets, room for %d",
                            smax + 1, cap);
    for (int s = smax; s >= 0; s--) {
        long num = (long)(smax + 1) * ipow(eta, s);
        long n = (num + s) / (s + 1); /* ceil(B/R * eta^s / (s+1)) with B = (s_max+1) R */
        fill_bracket(&out[smax - s], s, n, min_iter, max_iter, eta, false);
    }
    *nbrackets = smax + 1;
    return ALS_OK;
}

als_status als_search_halving(int min_iter, int max_iter, int eta, long n0, als_search_bracket *out, als_diag *d)
{
    als_status st = check_budget(min_iter, max_iter, eta, d);
    if (st)
        return st;
    if (n0 < 1)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: successive halving needs >= 1 trial, got %ld", n0);
    fill_bracket(out, als_search_smax(min_iter, max_iter, eta), n0, min_iter, max_iter, eta, true);
    return ALS_OK;
}

typedef struct {
    double v;
    size_t trial, pos;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->v < b->v)
        return -1;
    if (a->v > b->v)
        return 1;
    return (a->trial > b->trial) - (a->trial < b->trial);
}

static int cmp_ranked_trial(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    return (a->trial > b->trial) - (a->trial < b->trial);
}

als_status als_search_promote(const double *value, const size_t *trial, size_t n, int eta, size_t *rank,
                              size_t *keep, als_diag *d)
{
    *keep = 0;
    if (eta < 2)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "search: eta must be >= 2, got %d", eta);
    *keep = n / (size_t)eta;
    return als_search_promote_k(value, trial, n, *keep, rank, d);
}

als_status als_search_promote_k(const double *value, const size_t *trial, size_t n, size_t keep, size_t *rank,
                                als_diag *d)
{
    if (n == 0)
        return ALS_OK;
    ranked *r = malloc(n * sizeof *r);
    if (!r)
        return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "search: out of memory");
    for (size_t i = 0; i < n; i++) {
        r[i].v = isfinite(value[i]) ? value[i] : INFINITY;
        r[i].trial = trial[i];
        r[i].pos = i;
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    size_t k = keep < n ? keep : n;
    qsort(r, k, sizeof *r, cmp_ranked_trial);
    for (size_t i = 0; i < n; i++)
        rank[i] = r[i].pos;
    free(r);
    return ALS_OK;
}
