/* test_eval — the evaluator (als_eval) on a hand-made rank-2 model: what is cold, the cold-start
 * strategies, regression and ranking metrics by hand, training rows in any order, workspace
 * reuse, metric lists; and the top-k routine with unsorted exclusion rows against its reference. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als_eval.h"
#include "als_model.h"
#include "als_util.h"

#define ASSERT_NEAR(got, want, what)                                                               \
    cr_assert(fabs((double)(got) - (double)(want)) <= 1e-12, "%s: got %.17g, want %.17g", what, \
              (double)(got), (double)(want))

/* users x: u0 (1,0), u1 (0,1), u2 (1,1); items y: i0 (5,0), i1 (4,1), i2 (1,3), i3 (0,0).
 * predictions x·y:  u0: 5 4 1 0   u1: 0 1 3 0   u2: 5 5 4 0
 * training ratings: u0 {i0: 5}; u1 {i2: 3, i1: 1} (columns deliberately not increasing); u2 none.
 * So u2 is a cold user and i3 (no training rating) a cold item; mean training rating 3. */
static float U[] = {1, 0, 0, 1, 1, 1};
static float V[] = {5, 0, 4, 1, 1, 3, 0, 0};
static size_t tr_ptr[] = {0, 1, 3, 3};
static uint32_t tr_idx[] = {0, 2, 1};
static float tr_val[] = {5, 3, 1};
static uint32_t item_count[] = {1, 1, 1, 0};

static als_model model = {.nusers = 3, .nitems = 4, .rank = 2, .U = U, .V = V};
static als_csr train = {.nrows = 3, .ncols = 4, .nnz = 3, .ptr = tr_ptr, .idx = tr_idx, .val = tr_val};

static als_eval_model em_of(void)
{
    als_eval_model em = {.m = &model, .train = &train, .item_count = item_count,
                         .train_mean = als_eval_train_mean(&train)};
    return em;
}

/* Evaluate data (rows: users; row 3 is a user unknown to the model, column 5 an unknown item). */
static als_eval_result eval(const als_csr *data, const char *metrics, als_cold_start cold, int k)
{
    als_metric met[ALS_EVAL_MAX_METRICS];
    int nmet;
    als_diag d;
    cr_assert_eq(als_eval_parse_metrics(metrics, k, met, ALS_EVAL_MAX_METRICS, &nmet, &d), ALS_OK, "%s", d.msg);
    als_eval_opts o = {.cold = cold, .threshold = 4.0, .k = k, .threads = 1};
    als_eval_ws *w;
    cr_assert_eq(als_eval_ws_alloc(&w, data->nrows, model.nitems, data->nnz, met, nmet, &o, &d), ALS_OK, "%s", d.msg);
    als_eval_model em = em_of();
    als_eval_result r, again;
    cr_assert_eq(als_eval_run(w, &em, data, &r, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_eval_run(w, &em, data, &again, &d), ALS_OK, "%s", d.msg);
    for (int j = 0; j < nmet; j++) /* a reused workspace gives the same numbers */
        cr_assert(memcmp(&r.value[j], &again.value[j], sizeof(double)) == 0, "metric %d: %.17g then %.17g", j,
                  r.value[j], again.value[j]);
    als_eval_ws_free(w);
    return r;
}

/* held-out: u0 {i1: 4, i3: 2 (cold item)}, u1 {i0: 5}, u2 {i0: 3 (cold user)}, unknown user {i0: 1},
 * u0 {unknown item: 4} */
static size_t d_ptr[] = {0, 3, 4, 5, 6};
static uint32_t d_idx[] = {1, 3, 5, 0, 0, 0};
static float d_val[] = {4, 2, 4, 5, 3, 1};
static als_csr data = {.nrows = 4, .ncols = 6, .nnz = 6, .ptr = d_ptr, .idx = d_idx, .val = d_val};

Test(eval, what_is_cold)
{
    als_eval_model em = em_of();
    cr_assert(!als_eval_cold(&em, 0, 1), "u0,i1 warm");
    cr_assert(als_eval_cold(&em, 2, 0), "u2 has no training rating: cold");
    cr_assert(als_eval_cold(&em, 0, 3), "i3 has no training rating: cold");
    cr_assert(als_eval_cold(&em, 3, 0) && als_eval_cold(&em, 0, 4), "unknown rows are cold");
    ASSERT_NEAR(em.train_mean, 3.0, "train mean");
    ASSERT_NEAR(als_eval_cold_mean(&em, 2, 0), 3.0, "cold mean without bias");
    /* without training ratings every known row is warm */
    als_eval_model all = {.m = &model, .train_mean = NAN};
    cr_assert(!als_eval_cold(&all, 2, 3) && als_eval_cold(&all, 3, 0), "no seen.csr: known rows warm");
}

Test(eval, regression_by_hand_under_each_strategy)
{
    /* drop: warm (4 vs 4) (5 vs 0): mse 12.5, mae 2.5 */
    als_eval_result r = eval(&data, "rmse,mse,mae", ALS_COLD_DROP, 10);
    cr_assert(r.n_rows == 6 && r.n_cold == 4, "rows %zu cold %zu", r.n_rows, r.n_cold);
    ASSERT_NEAR(r.value[1], 12.5, "mse drop");
    ASSERT_NEAR(r.value[0], sqrt(12.5), "rmse drop");
    ASSERT_NEAR(r.value[2], 2.5, "mae drop");
    /* mean: plus the four cold ones predicted 3: errors 0, -1(2-3), 1(4-3), 5, 0(3-3), -2(1-3) in CSR order */
    r = eval(&data, "mse,mae", ALS_COLD_MEAN, 10);
    ASSERT_NEAR(r.value[0], (0 + 1 + 1 + 25 + 0 + 4) / 6.0, "mse mean");
    ASSERT_NEAR(r.value[1], (0 + 1 + 1 + 5 + 0 + 2) / 6.0, "mae mean");
    /* nan: any cold rating makes every metric NaN, ranking included */
    r = eval(&data, "rmse,precision@1", ALS_COLD_NAN, 10);
    cr_assert(isnan(r.value[0]) && isnan(r.value[1]), "nan: %g %g", r.value[0], r.value[1]);
}

Test(eval, ranking_excludes_training_items_in_any_order)
{
    /* u1's candidates: not i2, i1 (rated in training, unsorted row) and not i3 (cold): only i0,
     * which is relevant (5 >= 4).  Without the exclusion i2 (score 3) would be first. */
    size_t p[] = {0, 0, 1};
    uint32_t ix[] = {0};
    float v[] = {5};
    als_csr one = {.nrows = 2, .ncols = 4, .nnz = 1, .ptr = p, .idx = ix, .val = v};
    als_eval_result r = eval(&one, "precision@1,ndcg@3,map,auc,mpr", ALS_COLD_DROP, 2);
    cr_assert_eq(r.n_ranked, 1, "users ranked %zu", r.n_ranked);
    ASSERT_NEAR(r.value[0], 1.0, "precision@1");
    ASSERT_NEAR(r.value[1], 1.0, "ndcg@3");
    ASSERT_NEAR(r.value[2], 1.0, "map");
    /* AUC is undefined with no non-relevant candidate: that user is left out, so NaN */
    cr_assert(isnan(r.value[3]), "auc %g", r.value[3]);
    ASSERT_NEAR(r.value[4], 0.0, "mpr (the only candidate is at the top)");
}

Test(eval, ranking_of_the_mixed_data)
{
    /* drop: u0 relevant {i1 (4)} (i3 is not relevant, the unknown item (4) is cold and left out);
     * u0's candidates i1 (4), i2 (1): top-1 i1 → 1; u1 as above → 1; u2 cold: skipped */
    als_eval_result r = eval(&data, "precision@1,recall@1", ALS_COLD_DROP, 10);
    cr_assert_eq(r.n_ranked, 2, "users ranked %zu", r.n_ranked);
    ASSERT_NEAR(r.value[0], 1.0, "precision@1");
    ASSERT_NEAR(r.value[1], 1.0, "recall@1");
}

Test(eval, metric_lists)
{
    als_metric met[4];
    int n;
    als_diag d;
    cr_assert_eq(als_eval_parse_metrics("rmse, ndcg,map@,precisionAtK@5", 7, met, 4, &n, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(n, 4, "n %d", n);
    const char *want[] = {"rmse", "ndcg@7", "map@7", "precision@5"};
    for (int j = 0; j < 4; j++)
        cr_assert_str_eq(met[j].name, want[j], "metric %d: %s, want %s", j, met[j].name, want[j]);
    cr_assert_eq(als_eval_parse_metrics("rmse,foo", 10, met, 4, &n, &d), ALS_E_INPUT, "foo");
    cr_assert(strstr(d.msg, "unknown metric 'foo'"), "message %s", d.msg);
    cr_assert_eq(als_eval_parse_metrics(",", 10, met, 4, &n, &d), ALS_E_INPUT, "empty list");
    cr_assert(strstr(d.msg, "no metric given"), "message %s", d.msg);
    cr_assert_eq(als_eval_parse_metrics("rmse,mae,mse,r2,var", 10, met, 4, &n, &d), ALS_E_INPUT, "too many");
    cr_assert(strstr(d.msg, "at most 4 metrics"), "message %s", d.msg);
}

Test(topk, gemm_with_unsorted_exclusions_matches_naive)
{
    enum { NQ = 40, NT = 3000, K = 8, R = 5 };
    float *Q = malloc(NQ * R * sizeof *Q), *T = malloc(NT * R * sizeof *T);
    size_t *ptr = malloc((NQ + 1) * sizeof *ptr);
    uint32_t *idx = malloc(NQ * 50 * sizeof *idx);
    cr_assert(Q && T && ptr && idx, "malloc");
    for (size_t i = 0; i < NQ * R; i++)
        Q[i] = (float)als_rand_normal(5, 1, i);
    for (size_t i = 0; i < NT * R; i++)
        T[i] = (float)als_rand_normal(5, 2, i);
    /* each row excludes 50 targets in decreasing order, spread over every target block */
    ptr[0] = 0;
    for (uint32_t q = 0; q < NQ; q++) {
        for (uint32_t e = 0; e < 50; e++)
            idx[ptr[q] + e] = (NT - 1 - e * 59 - q) % NT;
        ptr[q + 1] = ptr[q] + 50;
    }
    als_csr excl = {.nrows = NQ, .ncols = NT, .nnz = NQ * 50, .ptr = ptr, .idx = idx};
    als_topk a, b;
    als_diag d;
    cr_assert_eq(als_topk_alloc(&a, NQ, K), ALS_OK, "alloc");
    cr_assert_eq(als_topk_alloc(&b, NQ, K), ALS_OK, "alloc");
    cr_assert_eq(als_topk_gemm(Q, NULL, NQ, T, NT, R, NULL, NULL, &excl, 2, 16, 512, &a, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_topk_naive(Q, NULL, NQ, T, NT, R, NULL, NULL, &excl, &b, &d), ALS_OK, "%s", d.msg);
    for (size_t q = 0; q < NQ; q++) {
        cr_assert_eq(a.count[q], b.count[q], "row %zu count", q);
        for (uint32_t j = 0; j < a.count[q]; j++) {
            uint32_t t = a.idx[q * K + j];
            cr_assert_eq(t, b.idx[q * K + j], "row %zu rank %u: %u vs naive %u", q, j, t, b.idx[q * K + j]);
            for (size_t e = ptr[q]; e < ptr[q + 1]; e++)
                cr_assert_neq(t, idx[e], "row %zu recommends excluded target %u", q, t);
        }
    }
    als_topk_free(&a);
    als_topk_free(&b);
    free(Q);
    free(T);
    free(ptr);
    free(idx);
}
