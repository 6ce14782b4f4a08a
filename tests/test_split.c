/* test_split — holdout and k-fold: exact sizes, disjoint and covering, per-user shares,
 * determinism, and seed sensitivity.  Ratings are built by hand (no id maps needed). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als_split.h"

/* U users, user u has 1 + (u·7 mod 40) ratings (1..40, uneven). */
static als_ratings make(uint32_t U)
{
    als_ratings r;
    memset(&r, 0, sizeof r);
    size_t n = 0;
    for (uint32_t u = 0; u < U; u++)
        n += 1 + (u * 7) % 40;
    r.n = n;
    r.user = malloc(n * sizeof *r.user);
    r.item = malloc(n * sizeof *r.item);
    r.rating = malloc(n * sizeof *r.rating);
    cr_assert(r.user && r.item && r.rating, "malloc");
    /* interleave users (round-robin) so grouping by user matters */
    size_t e = 0;
    for (uint32_t t = 0; t < 40; t++)
        for (uint32_t u = 0; u < U; u++)
            if (t < 1 + (u * 7) % 40) {
                r.user[e] = u;
                r.item[e] = t;
                r.rating[e] = (float)(1 + (u + t) % 5);
                e++;
            }
    cr_assert_eq(e, n, "filled %zu of %zu", e, n);
    return r;
}

static void drop(als_ratings *r)
{
    free(r->user);
    free(r->item);
    free(r->rating);
}

static size_t user_count(const als_ratings *r, const size_t *idx, size_t n, uint32_t u)
{
    size_t c = 0;
    for (size_t j = 0; j < n; j++)
        c += r->user[idx ? idx[j] : j] == u;
    return c;
}

/* train ∪ test = 0..n-1, disjoint, each ascending */
static void check_partition(const size_t *tr, size_t ntr, const size_t *te, size_t nte, size_t n)
{
    cr_assert_eq(ntr + nte, n, "ntrain %zu + ntest %zu != n %zu", ntr, nte, n);
    unsigned char *seen = calloc(n, 1);
    for (size_t i = 0; i < ntr; i++) {
        cr_assert(tr[i] < n && !seen[tr[i]], "train[%zu] = %zu out of range or repeated", i, tr[i]);
        seen[tr[i]] = 1;
        if (i)
            cr_assert(tr[i] > tr[i - 1], "train not ascending at %zu", i);
    }
    for (size_t i = 0; i < nte; i++) {
        cr_assert(te[i] < n && !seen[te[i]], "test[%zu] = %zu out of range or in train", i, te[i]);
        seen[te[i]] = 1;
        if (i)
            cr_assert(te[i] > te[i - 1], "test not ascending at %zu", i);
    }
    free(seen);
}

Test(holdout, random_exact_size_and_partition)
{
    als_ratings r = make(50);
    double fr[] = {0.0, 0.2, 0.25, 0.5, 1.0};
    for (int t = 0; t < 5; t++) {
        size_t *tr, *te, ntr, nte;
        als_diag d;
        als_status st = als_split_holdout(&r, fr[t], ALS_SPLIT_RANDOM, 0, 42, &tr, &ntr, &te, &nte, &d);
        cr_assert_eq(st, ALS_OK, "status %d: %s", st, d.msg);
        size_t want = (size_t)floor(fr[t] * (double)r.n + 0.5);
        cr_assert_eq(nte, want, "f=%g: ntest %zu, want round(f*n) = %zu (n=%zu)", fr[t], nte, want, r.n);
        check_partition(tr, ntr, te, nte, r.n);
        free(tr);
        free(te);
    }
    drop(&r);
}

Test(holdout, deterministic_and_seeded)
{
    als_ratings r = make(60);
    size_t *a, *b, *c, *ta, *tb, *tc, na, nb, nc, ma, mb, mc;
    cr_assert_eq(als_split_holdout(&r, 0.3, ALS_SPLIT_RANDOM, 0, 7, &ta, &ma, &a, &na, NULL), ALS_OK, "split a");
    cr_assert_eq(als_split_holdout(&r, 0.3, ALS_SPLIT_RANDOM, 0, 7, &tb, &mb, &b, &nb, NULL), ALS_OK, "split b");
    cr_assert_eq(als_split_holdout(&r, 0.3, ALS_SPLIT_RANDOM, 0, 8, &tc, &mc, &c, &nc, NULL), ALS_OK, "split c");
    cr_assert(na == nb && memcmp(a, b, na * sizeof *a) == 0, "same seed must give the same test set");
    cr_assert_eq(na, nc, "sizes equal across seeds (%zu vs %zu)", na, nc);
    cr_assert(memcmp(a, c, na * sizeof *a) != 0, "seeds 7 and 8 gave the same test set");
    /* a random split spreads over users: the test set is not just a prefix of the input */
    cr_assert(a[na - 1] > na, "test indices look like a prefix: last %zu, count %zu", a[na - 1], na);
    free(a); free(b); free(c); free(ta); free(tb); free(tc);
    drop(&r);
}

Test(holdout, per_user_shares)
{
    als_ratings r = make(80);
    size_t *tr, *te, ntr, nte;
    double f = 0.25;
    cr_assert_eq(als_split_holdout(&r, f, ALS_SPLIT_PER_USER, 0, 3, &tr, &ntr, &te, &nte, NULL), ALS_OK, "split");
    check_partition(tr, ntr, te, nte, r.n);
    for (uint32_t u = 0; u < 80; u++) {
        size_t nu = user_count(&r, NULL, r.n, u), tu = user_count(&r, te, nte, u);
        size_t want = (size_t)floor(f * (double)nu + 0.5);
        cr_assert_eq(tu, want, "user %u: %zu of %zu in test, want round(%g*%zu) = %zu", u, tu, nu, f, nu, want);
    }
    free(tr);
    free(te);
    drop(&r);
}

Test(holdout, leave_k_out)
{
    als_ratings r = make(80);
    size_t *tr, *te, ntr, nte;
    cr_assert_eq(als_split_holdout(&r, 0.0, ALS_SPLIT_LEAVE_K_OUT, 2, 3, &tr, &ntr, &te, &nte, NULL), ALS_OK, "split");
    check_partition(tr, ntr, te, nte, r.n);
    for (uint32_t u = 0; u < 80; u++) {
        size_t nu = user_count(&r, NULL, r.n, u), tu = user_count(&r, te, nte, u);
        size_t want = nu > 2 ? 2 : 0;
        cr_assert_eq(tu, want, "user %u with %zu ratings has %zu in test, want %zu", u, nu, tu, want);
    }
    free(tr);
    free(te);
    drop(&r);
}

Test(holdout, bad_arguments)
{
    als_ratings r = make(5);
    size_t *tr, *te, ntr, nte;
    als_diag d;
    cr_assert_eq(als_split_holdout(&r, 1.5, ALS_SPLIT_RANDOM, 0, 1, &tr, &ntr, &te, &nte, &d), ALS_E_INPUT,
                 "fraction 1.5 must fail");
    cr_assert(strstr(d.msg, "testFraction"), "message names testFraction: %s", d.msg);
    cr_assert_eq(als_split_holdout(&r, NAN, ALS_SPLIT_RANDOM, 0, 1, &tr, &ntr, &te, &nte, &d), ALS_E_INPUT,
                 "NaN fraction must fail");
    cr_assert_eq(als_split_holdout(&r, 0.1, ALS_SPLIT_LEAVE_K_OUT, 0, 1, &tr, &ntr, &te, &nte, &d), ALS_E_INPUT,
                 "leave_k 0 must fail");
    cr_assert(tr == NULL && te == NULL, "nothing allocated on failure");
    drop(&r);
}

Test(scheme, names_roundtrip)
{
    als_split_scheme s;
    cr_assert(als_split_scheme_parse("per_user", &s) && s == ALS_SPLIT_PER_USER, "per_user");
    cr_assert(als_split_scheme_parse("leave_k_out", &s) && s == ALS_SPLIT_LEAVE_K_OUT, "leave_k_out");
    cr_assert(als_split_scheme_parse("random", &s) && s == ALS_SPLIT_RANDOM, "random");
    cr_assert(!als_split_scheme_parse("Random", &s), "case matters");
    cr_assert_str_eq(als_split_scheme_name(ALS_SPLIT_PER_USER), "per_user", "name");
}

/* ---- k-fold -------------------------------------------------------------------------------- */

static void fold_sizes(const int *fold, size_t n, int k, size_t *sizes)
{
    memset(sizes, 0, (size_t)k * sizeof *sizes);
    for (size_t j = 0; j < n; j++) {
        cr_assert(fold[j] >= 0 && fold[j] < k, "fold[%zu] = %d outside [0, %d)", j, fold[j], k);
        sizes[fold[j]]++;
    }
}

Test(kfold, random_sizes_differ_by_at_most_one)
{
    als_ratings r = make(70);
    /* fold a subset: every third rating */
    size_t n = r.n / 3;
    size_t *idx = malloc(n * sizeof *idx);
    for (size_t j = 0; j < n; j++)
        idx[j] = 3 * j;
    int *fold = malloc(n * sizeof *fold);
    for (int k = 2; k <= 7; k++) {
        cr_assert_eq(als_split_kfold(&r, idx, n, k, ALS_SPLIT_RANDOM, 11, fold, NULL), ALS_OK, "kfold k=%d", k);
        size_t sizes[7];
        fold_sizes(fold, n, k, sizes);
        size_t lo = n, hi = 0;
        for (int f = 0; f < k; f++) {
            lo = sizes[f] < lo ? sizes[f] : lo;
            hi = sizes[f] > hi ? sizes[f] : hi;
        }
        cr_assert(hi - lo <= 1, "k=%d: fold sizes range %zu..%zu (n=%zu)", k, lo, hi, n);
    }
    free(idx);
    free(fold);
    drop(&r);
}

Test(kfold, deterministic_and_seeded)
{
    als_ratings r = make(40);
    size_t n = r.n;
    int *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    for (int s = 0; s < 2; s++) {
        als_split_scheme sch = s ? ALS_SPLIT_PER_USER : ALS_SPLIT_RANDOM;
        cr_assert_eq(als_split_kfold(&r, NULL, n, 5, sch, 99, a, NULL), ALS_OK, "a");
        cr_assert_eq(als_split_kfold(&r, NULL, n, 5, sch, 99, b, NULL), ALS_OK, "b");
        cr_assert_eq(als_split_kfold(&r, NULL, n, 5, sch, 100, c, NULL), ALS_OK, "c");
        cr_assert(memcmp(a, b, n * sizeof *a) == 0, "%s: same seed, different folds", als_split_scheme_name(sch));
        cr_assert(memcmp(a, c, n * sizeof *a) != 0, "%s: seeds 99 and 100 gave the same folds",
                  als_split_scheme_name(sch));
    }
    free(a); free(b); free(c);
    drop(&r);
}

Test(kfold, per_user_stratified)
{
    als_ratings r = make(90);
    size_t n = r.n;
    int k = 4;
    int *fold = malloc(n * sizeof *fold);
    cr_assert_eq(als_split_kfold(&r, NULL, n, k, ALS_SPLIT_PER_USER, 5, fold, NULL), ALS_OK, "kfold");
    size_t total[4] = {0};
    for (uint32_t u = 0; u < 90; u++) {
        size_t cnt[4] = {0}, nu = 0;
        for (size_t j = 0; j < n; j++)
            if (r.user[j] == u) {
                cr_assert(fold[j] >= 0 && fold[j] < k, "fold[%zu] = %d", j, fold[j]);
                cnt[fold[j]]++;
                total[fold[j]]++;
                nu++;
            }
        for (int f = 0; f < k; f++)
            cr_assert(cnt[f] == nu / 4 || cnt[f] == (nu + 3) / 4,
                      "user %u (%zu ratings): fold %d has %zu, want floor/ceil of %zu/4", u, nu, f, cnt[f], nu);
    }
    /* overall folds stay near n/k thanks to the random per-user offsets */
    for (int f = 0; f < k; f++)
        cr_assert(fabs((double)total[f] - (double)n / k) < 0.1 * (double)n / k,
                  "fold %d has %zu of %zu ratings, far from n/k", f, total[f], n);
    free(fold);
    drop(&r);
}

Test(kfold, bad_k)
{
    als_ratings r = make(3);
    int fold[64];
    als_diag d;
    cr_assert_eq(als_split_kfold(&r, NULL, r.n, 1, ALS_SPLIT_RANDOM, 1, fold, &d), ALS_E_INPUT, "k=1 must fail");
    cr_assert(strstr(d.msg, "numFolds"), "message: %s", d.msg);
    cr_assert_eq(als_split_kfold(&r, NULL, 2, 3, ALS_SPLIT_RANDOM, 1, fold, &d), ALS_E_INPUT, "k > n must fail");
    drop(&r);
}
