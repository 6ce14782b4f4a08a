/* als_split — seeded holdout and k-fold assignment (docs/metrics.md § splits, design §4).
 *
 * Every random choice is a counter-based draw keyed by (seed, purpose, user, position), so the
 * result is a pure function of the seed and the input order and never of threads.  Sizes are
 * exact (round(f·n) test ratings; folds differ by at most one), unlike Spark's randomSplit,
 * whose sizes are only right on average. */
#include "als_split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als_util.h"

/* Purposes: separate streams so the holdout and the folds never reuse each other's draws. */
enum { STREAM_HOLDOUT = 0x484f4c44, STREAM_FOLDS = 0x464f4c44, STREAM_OFFSET = 0x4f464653 };

const char *als_split_scheme_name(als_split_scheme s)
{
    switch (s) {
    case ALS_SPLIT_RANDOM: return "random";
    case ALS_SPLIT_PER_USER: return "per_user";
    case ALS_SPLIT_LEAVE_K_OUT: return "leave_k_out";
    }
    return "?";
}

bool als_split_scheme_parse(const char *s, als_split_scheme *out)
{
    static const als_split_scheme all[] = {ALS_SPLIT_RANDOM, ALS_SPLIT_PER_USER, ALS_SPLIT_LEAVE_K_OUT};
    if (!s)
        return false;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(s, als_split_scheme_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

/* 64 random bits as a pure function of (seed, stream, user, index). */
static inline uint64_t draw_bits(uint64_t seed, uint64_t stream, uint64_t user, uint64_t index)
{
    return als_mix64(als_mix64(als_mix64(als_mix64(seed) ^ stream) ^ user) ^ index);
}

/* Uniform integer in [0, bound) (bound ≥ 1) by Lemire's multiply-shift; the bias is below
 * bound/2^64, i.e. nil for any array that fits in memory. */
static inline size_t draw_below(uint64_t bits, size_t bound)
{
    return (size_t)(((unsigned __int128)bits * (unsigned __int128)bound) >> 64);
}

/* Partial Fisher–Yates: after it, a[0..take) is a uniform random take-subset of a[0..n) in
 * random order.  Draw i is keyed by (seed, stream, user, i). */
static void shuffle_prefix(size_t *a, size_t n, size_t take, uint64_t seed, uint64_t stream, uint64_t user)
{
    if (take >= n && n > 0)
        take = n - 1; /* the last position is forced */
    for (size_t i = 0; i < take; i++) {
        size_t j = i + draw_below(draw_bits(seed, stream, user, i), n - i);
        size_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* round(f·n) for 0 ≤ f ≤ 1, never above n. */
static size_t round_share(double f, size_t n)
{
    double x = floor(f * (double)n + 0.5);
    if (x <= 0.0)
        return 0;
    if (x >= (double)n)
        return n;
    return (size_t)x;
}

/* Group entries e ∈ idx[0..n) (or 0..n when idx is NULL) by user, keeping input order within a
 * user (stable counting sort).  On success *ptr has nusers+1 offsets into *order, which holds
 * positions j ∈ [0, n) (positions into idx, not rating indices). */
static als_status group_by_user(const als_ratings *r, const size_t *idx, size_t n, size_t **ptr_out,
                                size_t **order_out, uint32_t *nusers_out, als_diag *d)
{
    uint32_t nusers = 0;
    for (size_t j = 0; j < n; j++) {
        size_t e = idx ? idx[j] : j;
        if (r->user[e] >= nusers)
            nusers = r->user[e] + 1;
    }
    size_t *ptr = calloc((size_t)nusers + 2, sizeof *ptr);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!ptr || !order) {
        free(ptr);
        free(order);
        return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory grouping %zu ratings by user", n);
    }
    for (size_t j = 0; j < n; j++)
        ptr[r->user[idx ? idx[j] : j] + 2]++;
    for (size_t u = 2; u < (size_t)nusers + 2; u++)
        ptr[u] += ptr[u - 1];
    for (size_t j = 0; j < n; j++)
        order[ptr[r->user[idx ? idx[j] : j] + 1]++] = j;
    *ptr_out = ptr; /* ptr[u]..ptr[u+1] after the fill shifted each start by one slot */
    *order_out = order;
    *nusers_out = nusers;
    return ALS_OK;
}

als_status als_split_holdout(const als_ratings *r, double test_fraction, als_split_scheme scheme,
                             int leave_k, uint64_t seed, size_t **train, size_t *ntrain,
                             size_t **test, size_t *ntest, als_diag *d)
{
    *train = *test = NULL;
    *ntrain = *ntest = 0;
    if (!(test_fraction >= 0.0 && test_fraction <= 1.0))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "testFraction must be in [0, 1], got %g", test_fraction);
    if (scheme == ALS_SPLIT_LEAVE_K_OUT && leave_k < 1)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "leave_k_out needs k >= 1, got %d", leave_k);
    if (scheme != ALS_SPLIT_RANDOM && scheme != ALS_SPLIT_PER_USER && scheme != ALS_SPLIT_LEAVE_K_OUT)
        return als_diag_set(d, ALS_E_INTERNAL, NULL, 0, 0, "unknown split scheme %d", (int)scheme);

    size_t n = r->n;
    als_status st = ALS_OK;
    unsigned char *is_test = calloc(n ? n : 1, 1);
    size_t *perm = NULL, *ptr = NULL, *order = NULL, *tr = NULL, *te = NULL;
    if (!is_test)
        goto nomem;

    if (scheme == ALS_SPLIT_RANDOM) {
        size_t want = round_share(test_fraction, n);
        perm = malloc((n ? n : 1) * sizeof *perm);
        if (!perm)
            goto nomem;
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        shuffle_prefix(perm, n, want, seed, STREAM_HOLDOUT, 0);
        for (size_t i = 0; i < want; i++)
            is_test[perm[i]] = 1;
    } else {
        uint32_t nusers;
        st = group_by_user(r, NULL, n, &ptr, &order, &nusers, d);
        if (st)
            goto fail;
        for (uint32_t u = 0; u < nusers; u++) {
            size_t *a = order + ptr[u];
            size_t nu = ptr[u + 1] - ptr[u];
            size_t want;
            if (scheme == ALS_SPLIT_PER_USER)
                want = round_share(test_fraction, nu);
            else
                want = nu > (size_t)leave_k ? (size_t)leave_k : 0;
            shuffle_prefix(a, nu, want, seed, STREAM_HOLDOUT, (uint64_t)u + 1);
            for (size_t i = 0; i < want; i++)
                is_test[a[i]] = 1;
        }
    }

    size_t nte = 0;
    for (size_t i = 0; i < n; i++)
        nte += is_test[i];
    tr = malloc((n - nte ? n - nte : 1) * sizeof *tr);
    te = malloc((nte ? nte : 1) * sizeof *te);
    if (!tr || !te)
        goto nomem;
    size_t a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_test[i])
            te[b++] = i;
        else
            tr[a++] = i;
    }
    *train = tr;
    *ntrain = a;
    *test = te;
    *ntest = b;
    tr = te = NULL;
    goto done;

nomem:
    st = als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory splitting %zu ratings", n);
fail:
done:
    free(is_test);
    free(perm);
    free(ptr);
    free(order);
    free(tr);
    free(te);
    return st;
}

als_status als_split_kfold(const als_ratings *r, const size_t *idx, size_t n, int k,
                           als_split_scheme scheme, uint64_t seed, int *fold, als_diag *d)
{
    if (k < 2)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "numFolds must be at least 2, got %d", k);
    if ((size_t)k > n)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0,
                            "numFolds %d exceeds the number of ratings to split (%zu)", k, n);
    if (scheme != ALS_SPLIT_RANDOM && scheme != ALS_SPLIT_PER_USER && scheme != ALS_SPLIT_LEAVE_K_OUT)
        return als_diag_set(d, ALS_E_INTERNAL, NULL, 0, 0, "unknown split scheme %d", (int)scheme);
    size_t kk = (size_t)k;

    if (scheme == ALS_SPLIT_RANDOM) {
        size_t *perm = malloc(n * sizeof *perm);
        if (!perm)
            return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory assigning %zu ratings to folds", n);
        for (size_t j = 0; j < n; j++)
            perm[j] = j;
        shuffle_prefix(perm, n, n, seed, STREAM_FOLDS, 0);
        /* dealing the shuffled positions round-robin makes fold sizes differ by at most one */
        for (size_t p = 0; p < n; p++)
            fold[perm[p]] = (int)(p % kk);
        free(perm);
        return ALS_OK;
    }

    /* per_user (and leave_k_out): shuffle each user's entries and deal them round-robin from a
     * random user-specific starting fold, so each fold holds ⌊n_u/k⌋ or ⌈n_u/k⌉ of every user
     * and the "extra" entries of different users land in different folds. */
    size_t *ptr, *order;
    uint32_t nusers;
    als_status st = group_by_user(r, idx, n, &ptr, &order, &nusers, d);
    if (st)
        return st;
    for (uint32_t u = 0; u < nusers; u++) {
        size_t *a = order + ptr[u];
        size_t nu = ptr[u + 1] - ptr[u];
        if (nu == 0)
            continue;
        shuffle_prefix(a, nu, nu, seed, STREAM_FOLDS, (uint64_t)u + 1);
        size_t off = draw_below(draw_bits(seed, STREAM_OFFSET, (uint64_t)u + 1, 0), kk);
        for (size_t t = 0; t < nu; t++)
            fold[a[t]] = (int)((off + t) % kk);
    }
    free(ptr);
    free(order);
    return ALS_OK;
}
