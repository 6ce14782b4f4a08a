/* als_metrics — regression and ranking metrics with Spark MLlib's exact definitions.
 *
 * Regression follows org.apache.spark.mllib.evaluation.RegressionMetrics (used by
 * ml.evaluation.RegressionEvaluator); ranking follows mllib.evaluation.RankingMetrics (used by
 * ml.evaluation.RankingEvaluator).  docs/metrics.md quotes each definition and its source.
 * MPR and AUC are not in Spark; they are defined in docs/metrics.md. */
#include "als_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- regression ---------------------------------------------------------------------------- */

als_regression als_metrics_regression(const double *pred, const double *actual, size_t n)
{
    als_regression out;
    memset(&out, 0, sizeof out);
    /* Two passes in double: the mean of the observations first (Spark's summary.mean(0)), then
     * the sums of squares around it.  Non-finite predictions (cold start) are skipped. */
    double sum_y = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pred[i]))
            continue;
        sum_y += actual[i];
        m++;
    }
    out.n = m;
    if (m == 0) {
        out.rmse = out.mse = out.mae = out.r2 = out.var = NAN;
        return out;
    }
    double ybar = sum_y / (double)m;
    double sserr = 0.0, sabs = 0.0, sstot = 0.0, ssreg = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pred[i]))
            continue;
        double e = actual[i] - pred[i];
        sserr += e * e;
        sabs += fabs(e);
        double t = actual[i] - ybar;
        sstot += t * t;
        double g = pred[i] - ybar;
        ssreg += g * g;
    }
    out.mse = sserr / (double)m;
    out.rmse = sqrt(out.mse);
    out.mae = sabs / (double)m;
    /* Spark: 1 - SSerr/SStot with SStot = variance(y)·(n-1) = Σ(y-ȳ)².  Constant observations
     * give SStot = 0, hence -inf (or NaN when SSerr is 0 too), exactly as in Spark. */
    out.r2 = 1.0 - sserr / sstot;
    /* Spark's "explained variance" is Σ(ŷ-ȳ)²/n — the variance explained by the regression,
     * not 1 - Var(y-ŷ)/Var(y) (Spark ≤ 1.4 used the latter). */
    out.var = ssreg / (double)m;
    return out;
}

/* ---- metric names -------------------------------------------------------------------------- */

typedef struct {
    const char *name;    /* as accepted (lower-case canonical, or Spark's spelling) */
    als_metric_kind kind;
    int takes_k;         /* 1: "@k" allowed (default 10 when absent) */
} metric_name;

static const metric_name NAMES[] = {
    {"rmse", ALS_METRIC_RMSE, 0},
    {"mse", ALS_METRIC_MSE, 0},
    {"mae", ALS_METRIC_MAE, 0},
    {"r2", ALS_METRIC_R2, 0},
    {"var", ALS_METRIC_VAR, 0},
    {"precision", ALS_METRIC_PRECISION_AT, 1},
    {"precisionAtK", ALS_METRIC_PRECISION_AT, 1},
    {"recall", ALS_METRIC_RECALL_AT, 1},
    {"recallAtK", ALS_METRIC_RECALL_AT, 1},
    {"ndcg", ALS_METRIC_NDCG_AT, 1},
    {"ndcgAtK", ALS_METRIC_NDCG_AT, 1},
    {"map", ALS_METRIC_MAP, 0},
    {"meanAveragePrecision", ALS_METRIC_MAP, 0},
    {"meanAveragePrecisionAtK", ALS_METRIC_MAP_AT, 1},
    {"mpr", ALS_METRIC_MPR, 0},
    {"auc", ALS_METRIC_AUC, 0},
};

static const char *canonical(als_metric_kind k)
{
    switch (k) {
    case ALS_METRIC_RMSE: return "rmse";
    case ALS_METRIC_MSE: return "mse";
    case ALS_METRIC_MAE: return "mae";
    case ALS_METRIC_R2: return "r2";
    case ALS_METRIC_VAR: return "var";
    case ALS_METRIC_PRECISION_AT: return "precision";
    case ALS_METRIC_RECALL_AT: return "recall";
    case ALS_METRIC_NDCG_AT: return "ndcg";
    case ALS_METRIC_MAP: return "map";
    case ALS_METRIC_MAP_AT: return "map";
    case ALS_METRIC_MPR: return "mpr";
    case ALS_METRIC_AUC: return "auc";
    }
    return "?";
}

#define ALS_METRIC_K_MAX 1000000

bool als_metric_parse(const char *s, als_metric *m)
{
    if (!s || !m)
        return false;
    const char *at = strchr(s, '@');
    size_t base_len = at ? (size_t)(at - s) : strlen(s);
    long k = 0;
    if (at) {
        /* k: decimal digits only, 1..ALS_METRIC_K_MAX */
        const char *p = at + 1;
        if (!*p)
            return false;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            k = k * 10 + (*p - '0');
            if (k > ALS_METRIC_K_MAX)
                return false;
        }
        if (k < 1)
            return false;
    }
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (strlen(NAMES[i].name) != base_len || strncmp(NAMES[i].name, s, base_len) != 0)
            continue;
        als_metric_kind kind = NAMES[i].kind;
        if (at && kind == ALS_METRIC_MAP)
            kind = ALS_METRIC_MAP_AT; /* "map@k" */
        else if (at && !NAMES[i].takes_k)
            return false;
        else if (!at && NAMES[i].takes_k)
            k = 10; /* Spark's RankingEvaluator default k */
        memset(m, 0, sizeof *m);
        m->kind = kind;
        m->k = (int)k;
        if (kind == ALS_METRIC_PRECISION_AT || kind == ALS_METRIC_RECALL_AT ||
            kind == ALS_METRIC_NDCG_AT || kind == ALS_METRIC_MAP_AT)
            snprintf(m->name, sizeof m->name, "%s@%d", canonical(kind), m->k);
        else
            snprintf(m->name, sizeof m->name, "%s", canonical(kind));
        return true;
    }
    return false;
}

bool als_metric_higher_is_better(const als_metric *m)
{
    switch (m->kind) {
    case ALS_METRIC_RMSE:
    case ALS_METRIC_MSE:
    case ALS_METRIC_MAE:
    case ALS_METRIC_MPR:
        return false;
    default:
        return true; /* r2, var (as Spark's isLargerBetter), every ranking metric but MPR */
    }
}

bool als_metric_is_ranking(const als_metric *m)
{
    return m->kind >= ALS_METRIC_PRECISION_AT;
}

/* ---- per-user ranking metrics -------------------------------------------------------------- */

/* Relevant sets are small (a user's held-out items); a linear scan beats hashing for the sizes
 * seen in practice, and for large sets we sort a copy once and binary-search. */
typedef struct {
    const uint32_t *rel;
    size_t nrel;
    uint32_t *sorted;    /* non-NULL when nrel is large */
    bool heap;
    uint32_t buf[256];
} relset;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

#define RELSET_LINEAR_MAX 32

static bool relset_init(relset *s, const uint32_t *rel, size_t nrel)
{
    s->rel = rel;
    s->nrel = nrel;
    s->sorted = NULL;
    s->heap = false;
    if (nrel > RELSET_LINEAR_MAX) {
        s->heap = nrel > sizeof s->buf / sizeof s->buf[0];
        s->sorted = s->heap ? malloc(nrel * sizeof *s->sorted) : s->buf;
        if (!s->sorted)
            return false;
        memcpy(s->sorted, rel, nrel * sizeof *rel);
        qsort(s->sorted, nrel, sizeof *s->sorted, cmp_u32);
    }
    return true;
}

static bool relset_has(const relset *s, uint32_t x)
{
    if (!s->sorted) {
        for (size_t i = 0; i < s->nrel; i++)
            if (s->rel[i] == x)
                return true;
        return false;
    }
    size_t lo = 0, hi = s->nrel;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->sorted[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nrel && s->sorted[lo] == x;
}

double als_metric_user(const als_metric *m, const uint32_t *ranked, size_t nranked,
                       const uint32_t *relevant, size_t nrel)
{
    if (!als_metric_is_ranking(m) || m->kind == ALS_METRIC_MPR || m->kind == ALS_METRIC_AUC)
        return NAN; /* regression metrics and score-based metrics have their own functions */
    /* Spark: an empty ground-truth set scores 0 (with a log warning). */
    if (nrel == 0)
        return 0.0;
    relset s;
    if (!relset_init(&s, relevant, nrel))
        return NAN;
    size_t k = m->kind == ALS_METRIC_MAP ? (nranked > nrel ? nranked : nrel) : (size_t)m->k;
    size_t n = nranked < k ? nranked : k;
    double out = 0.0;
    switch (m->kind) {
    case ALS_METRIC_PRECISION_AT:
    case ALS_METRIC_RECALL_AT: {
        size_t hits = 0;
        for (size_t i = 0; i < n; i++)
            hits += relset_has(&s, ranked[i]);
        /* precision divides by k even when fewer than k items were recommended */
        out = (double)hits / (double)(m->kind == ALS_METRIC_PRECISION_AT ? k : nrel);
        break;
    }
    case ALS_METRIC_NDCG_AT: {
        /* binary relevance; gain 1/ln(i+2) (the log base cancels in the ratio) */
        double dcg = 0.0, idcg = 0.0;
        for (size_t i = 0; i < n; i++)
            if (relset_has(&s, ranked[i]))
                dcg += 1.0 / log((double)i + 2.0);
        size_t ni = nrel < k ? nrel : k;
        for (size_t i = 0; i < ni; i++)
            idcg += 1.0 / log((double)i + 2.0);
        out = dcg / idcg;
        break;
    }
    case ALS_METRIC_MAP:
    case ALS_METRIC_MAP_AT: {
        /* Spark's averagePrecision(pred, lab, k): Σ_hits (hits so far)/(pos+1), over the top k,
         * divided by min(|lab|, k); plain MAP uses k = max(|pred|, |lab|), i.e. divides by |lab|. */
        size_t hits = 0;
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (relset_has(&s, ranked[i])) {
                hits++;
                sum += (double)hits / ((double)i + 1.0);
            }
        }
        out = sum / (double)(nrel < k ? nrel : k);
        break;
    }
    default:
        out = NAN;
        break;
    }
    if (s.heap)
        free(s.sorted);
    return out;
}

/* ---- score-based metrics: MPR and AUC ------------------------------------------------------ */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* NaN scores rank below everything. */
static inline float score_of(const float *scores, uint32_t i)
{
    float v = scores[i];
    return isnan(v) ? -INFINITY : v;
}

/* For each relevant item t (in ascending order of score, r[0..m)):
 *   above[t] = #{items i : s_i > r_t},  tie[t] = #{items i : s_i == r_t} (itself included).
 * One pass over all items with a binary search into the m sorted relevant scores:
 * O(nitems log m) time, O(m) memory. */
#define RANK_STACK_MAX 64 /* relevant sets up to this size need no heap allocation */

typedef struct {
    size_t m;
    float *r;
    size_t *above;
    size_t *tie;
    bool heap;
    float r_buf[RANK_STACK_MAX];
    size_t above_buf[RANK_STACK_MAX + 1], tie_buf[RANK_STACK_MAX + 1];
} rank_counts;

static void rank_counts_free(rank_counts *c)
{
    if (c->heap) {
        free(c->r);
        free(c->above);
        free(c->tie);
    }
}

static bool rank_counts_compute(rank_counts *c, const float *scores, uint32_t nitems,
                                const uint32_t *relevant, size_t nrel)
{
    c->m = nrel;
    c->heap = nrel > RANK_STACK_MAX;
    if (c->heap) {
        c->r = malloc(nrel * sizeof *c->r);
        c->above = calloc(nrel + 1, sizeof *c->above);
        c->tie = calloc(nrel + 1, sizeof *c->tie);
        if (!c->r || !c->above || !c->tie) {
            rank_counts_free(c);
            return false;
        }
    } else {
        c->r = c->r_buf;
        c->above = c->above_buf;
        c->tie = c->tie_buf;
        memset(c->above, 0, (nrel + 1) * sizeof *c->above);
        memset(c->tie, 0, (nrel + 1) * sizeof *c->tie);
    }
    for (size_t j = 0; j < nrel; j++)
        c->r[j] = score_of(scores, relevant[j]);
    qsort(c->r, nrel, sizeof *c->r, cmp_float);
    /* hist_lt[x] counts items with exactly x relevant scores below them; above[t] is then the
     * number of items whose count exceeds t.  Ties go into a difference array over [lo, hi). */
    size_t *hist = c->above, *diff = c->tie;
    for (uint32_t i = 0; i < nitems; i++) {
        float s = score_of(scores, i);
        size_t lo = 0, hi = nrel;
        while (lo < hi) { /* first r >= s */
            size_t mid = lo + (hi - lo) / 2;
            if (c->r[mid] < s)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t eq_end = lo;
        while (eq_end < nrel && c->r[eq_end] == s)
            eq_end++;
        hist[lo]++;          /* s > r_t for every t < lo */
        if (eq_end > lo) {   /* s == r_t for lo <= t < eq_end */
            diff[lo]++;
            diff[eq_end]--;  /* wraps harmlessly: the running sum below restores it */
        }
    }
    /* suffix sums: above[t] = Σ_{x > t} hist[x]; ties: prefix sums of diff */
    size_t run = 0;
    for (size_t t = nrel + 1; t-- > 0;) {
        size_t h = hist[t];
        hist[t] = run;
        run += h;
    }
    size_t acc = 0;
    for (size_t t = 0; t < nrel; t++) {
        acc += diff[t];
        diff[t] = acc;
    }
    return true;
}

double als_metric_user_mpr(const float *scores, uint32_t nitems, const uint32_t *relevant, size_t nrel)
{
    if (nrel == 0 || nitems == 0)
        return NAN;
    for (size_t j = 0; j < nrel; j++)
        if (relevant[j] >= nitems)
            return NAN;
    if (nitems == 1)
        return 0.0;
    rank_counts c;
    if (!rank_counts_compute(&c, scores, nitems, relevant, nrel))
        return NAN;
    /* percentile of an item = (#items scored higher + ½·#other items tied with it) / (nitems-1):
     * 0 for the top, 1 for the bottom; ties share their mean position. */
    double sum = 0.0;
    for (size_t t = 0; t < nrel; t++)
        sum += ((double)c.above[t] + 0.5 * (double)(c.tie[t] - 1)) / (double)(nitems - 1);
    rank_counts_free(&c);
    return sum / (double)nrel;
}

double als_metric_user_auc(const float *scores, uint32_t nitems, const uint32_t *relevant, size_t nrel)
{
    if (nrel == 0 || nrel >= nitems)
        return NAN;
    for (size_t j = 0; j < nrel; j++)
        if (relevant[j] >= nitems)
            return NAN;
    rank_counts c;
    if (!rank_counts_compute(&c, scores, nitems, relevant, nrel))
        return NAN;
    /* AUC = P(score of a relevant item > score of a non-relevant one), ties count ½:
     * for relevant t, the non-relevant items below it are all items below it minus the relevant
     * ones below it; likewise for ties. */
    double wins = 0.0;
    size_t t = 0;
    while (t < nrel) {
        size_t e = t; /* [t, e) relevant items with equal score */
        while (e < nrel && c.r[e] == c.r[t])
            e++;
        size_t below_all = (size_t)nitems - c.above[t] - c.tie[t];
        size_t below_rel = t;
        size_t tie_nonrel = c.tie[t] - (e - t);
        wins += (double)(e - t) * ((double)(below_all - below_rel) + 0.5 * (double)tie_nonrel);
        t = e;
    }
    rank_counts_free(&c);
    return wins / ((double)nrel * (double)(nitems - nrel));
}
