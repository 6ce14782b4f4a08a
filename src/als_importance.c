/* als_importance — variance of binned marginals; contracts in als_importance.h. */
#include "config.h"

#include "als_importance.h"

#include <math.h>
#include <stdlib.h>

size_t als_importance_nbins(size_t n)
{
    size_t b = (size_t)floor(sqrt((double)n));
    return b < 2 ? 2 : b > ALS_IMP_MAX_BINS ? ALS_IMP_MAX_BINS : b;
}

typedef struct {
    double v;
    size_t i;
} vi;

static int cmp_vi(const void *a, const void *b)
{
    const vi *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i); /* ties in input order: a total order, so qsort is deterministic */
}

size_t als_importance_bins(const double *x, size_t n, size_t max_bins, size_t *bin)
{
    if (n == 0 || max_bins == 0)
        return 0;
    vi *s = malloc(n * sizeof *s);
    if (!s)
        return 0;
    for (size_t i = 0; i < n; i++)
        s[i] = (vi){x[i], i};
    qsort(s, n, sizeof *s, cmp_vi);
    size_t distinct = 1;
    for (size_t j = 1; j < n; j++)
        distinct += s[j].v != s[j - 1].v;
    size_t nb = 0, prev = 0;
    for (size_t j = 0; j < n; j++) {
        size_t b;
        if (j > 0 && s[j].v == s[j - 1].v)
            b = prev; /* ties share the bin of their first occurrence */
        else if (distinct <= max_bins)
            b = j == 0 ? 0 : prev + 1;
        else
            b = j * max_bins / n;
        /* renumber so that bins are 0, 1, 2, ... with no gap (a tie run can swallow a bin) */
        if (j == 0 || b != prev)
            nb++;
        prev = b;
        bin[s[j].i] = nb - 1;
    }
    free(s);
    return nb;
}

double als_importance_eta2(const double *y, const size_t *bin, size_t n, size_t nbins)
{
    if (n == 0 || nbins == 0)
        return NAN;
    double *sum = calloc(nbins, sizeof *sum);
    size_t *cnt = calloc(nbins, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        return NAN;
    }
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        total += (y[i] - mean) * (y[i] - mean);
        sum[bin[i]] += y[i];
        cnt[bin[i]]++;
    }
    double between = 0;
    for (size_t b = 0; b < nbins; b++) {
        if (cnt[b] == 0)
            continue;
        double m = sum[b] / (double)cnt[b];
        between += (double)cnt[b] * (m - mean) * (m - mean);
    }
    free(sum);
    free(cnt);
    if (!(total > 0))
        return NAN;
    double e = between / total;
    return e > 1 ? 1 : e; /* rounding can push a perfect split a hair above 1 */
}

bool als_importance_compute(const double *X, const double *y, size_t n, size_t p, double *eta2, double *share,
                            size_t *nbins, bool *oom)
{
    *oom = false;
    for (size_t k = 0; k < p; k++) {
        eta2[k] = share[k] = NAN;
        nbins[k] = 0;
    }
    if (n < ALS_IMP_MIN_TRIALS || p == 0)
        return false;
    size_t *bin = malloc(n * sizeof *bin);
    if (!bin) {
        *oom = true;
        return false;
    }
    size_t B = als_importance_nbins(n);
    double total = 0;
    bool any = false;
    for (size_t k = 0; k < p; k++) {
        nbins[k] = als_importance_bins(X + k * n, n, B, bin);
        if (nbins[k] == 0) {
            free(bin);
            *oom = true;
            return false;
        }
        eta2[k] = als_importance_eta2(y, bin, n, nbins[k]);
        if (isnan(eta2[k])) { /* all y equal: nothing to explain */
            free(bin);
            return false;
        }
        total += eta2[k];
        any = true;
    }
    free(bin);
    if (!any)
        return false;
    for (size_t k = 0; k < p; k++)
        share[k] = total > 0 ? eta2[k] / total : NAN;
    return true;
}
