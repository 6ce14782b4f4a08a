/* test_metrics — known answers for every metric, computed by hand in the comments, plus the
 * published values of Spark's own RankingMetricsSuite (mllib/src/test/scala/org/apache/spark/
 * mllib/evaluation/RankingMetricsSuite.scala) as an independent cross-check. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "als_metrics.h"

#define TOL 1e-12
#define ASSERT_NEAR(got, want, tol, what)                                                        \
    cr_assert(fabs((got) - (want)) <= (tol), "%s: got %.17g, want %.17g", what, (double)(got), (double)(want))

static als_metric M(const char *s)
{
    als_metric m;
    cr_assert(als_metric_parse(s, &m), "als_metric_parse(\"%s\") failed", s);
    return m;
}

/* ---- regression ---------------------------------------------------------------------------- */

Test(regression, hand_computed)
{
    /* actual y = 1 2 3 4, pred = 2 2 2 6
     * errors y-ŷ = -1 0 1 -2: SSerr = 1+0+1+4 = 6, mse = 1.5, rmse = √1.5, mae = (1+0+1+2)/4 = 1
     * ȳ = 2.5: SStot = 2.25+0.25+0.25+2.25 = 5, r2 = 1 - 6/5 = -0.2
     * var = Σ(ŷ-ȳ)²/n = (0.25+0.25+0.25+12.25)/4 = 13/4 = 3.25 */
    double y[] = {1, 2, 3, 4}, p[] = {2, 2, 2, 6};
    als_regression r = als_metrics_regression(p, y, 4);
    cr_assert_eq(r.n, 4, "n = %zu", r.n);
    ASSERT_NEAR(r.mse, 1.5, TOL, "mse");
    ASSERT_NEAR(r.rmse, sqrt(1.5), TOL, "rmse");
    ASSERT_NEAR(r.mae, 1.0, TOL, "mae");
    ASSERT_NEAR(r.r2, -0.2, TOL, "r2");
    ASSERT_NEAR(r.var, 3.25, TOL, "var");
}

Test(regression, perfect_prediction)
{
    /* ŷ = y: every error 0, r2 = 1, var = Σ(y-ȳ)²/n = (4+0+4)/3 = 8/3 */
    double y[] = {1, 3, 5};
    als_regression r = als_metrics_regression(y, y, 3);
    ASSERT_NEAR(r.rmse, 0.0, TOL, "rmse");
    ASSERT_NEAR(r.mae, 0.0, TOL, "mae");
    ASSERT_NEAR(r.r2, 1.0, TOL, "r2");
    ASSERT_NEAR(r.var, 8.0 / 3.0, TOL, "var");
}

Test(regression, nan_predictions_are_skipped)
{
    /* the NaN/inf pairs drop out; what is left is the hand_computed case */
    double y[] = {1, 9, 2, 3, 7, 4}, p[] = {2, NAN, 2, 2, INFINITY, 6};
    als_regression r = als_metrics_regression(p, y, 6);
    cr_assert_eq(r.n, 4, "n = %zu, want 4 (2 skipped)", r.n);
    ASSERT_NEAR(r.mse, 1.5, TOL, "mse");
    ASSERT_NEAR(r.r2, -0.2, TOL, "r2");
    ASSERT_NEAR(r.var, 3.25, TOL, "var");
}

Test(regression, all_nan_gives_nan)
{
    double y[] = {1, 2}, p[] = {NAN, NAN};
    als_regression r = als_metrics_regression(p, y, 2);
    cr_assert_eq(r.n, 0, "n = %zu", r.n);
    cr_assert(isnan(r.rmse) && isnan(r.r2), "rmse %g r2 %g should be NaN", r.rmse, r.r2);
}

Test(regression, constant_actuals_r2_like_spark)
{
    /* SStot = 0: Spark computes 1 - SSerr/0 = -inf */
    double y[] = {3, 3}, p[] = {2, 4};
    als_regression r = als_metrics_regression(p, y, 2);
    cr_assert(isinf(r.r2) && r.r2 < 0, "r2 = %g, want -inf", r.r2);
    ASSERT_NEAR(r.rmse, 1.0, TOL, "rmse");
}

/* ---- parsing ------------------------------------------------------------------------------- */

Test(parse, names_and_k)
{
    als_metric m = M("ndcg@10");
    cr_assert(m.kind == ALS_METRIC_NDCG_AT && m.k == 10, "kind %d k %d", m.kind, m.k);
    cr_assert_str_eq(m.name, "ndcg@10", "name %s", m.name);
    m = M("map");
    cr_assert(m.kind == ALS_METRIC_MAP, "map kind %d", m.kind);
    m = M("map@5");
    cr_assert(m.kind == ALS_METRIC_MAP_AT && m.k == 5, "map@5 kind %d k %d", m.kind, m.k);
    cr_assert_str_eq(m.name, "map@5", "name %s", m.name);
    m = M("precisionAtK");
    cr_assert(m.kind == ALS_METRIC_PRECISION_AT && m.k == 10, "Spark name, default k: kind %d k %d", m.kind, m.k);
    cr_assert_str_eq(m.name, "precision@10", "name %s", m.name);
    m = M("meanAveragePrecision");
    cr_assert(m.kind == ALS_METRIC_MAP, "kind %d", m.kind);
    m = M("rmse");
    cr_assert(m.kind == ALS_METRIC_RMSE && !als_metric_higher_is_better(&m) && !als_metric_is_ranking(&m),
              "rmse: lower is better, not ranking");
    m = M("r2");
    cr_assert(als_metric_higher_is_better(&m), "r2 is higher-better");
    m = M("var");
    cr_assert(als_metric_higher_is_better(&m), "var is higher-better (Spark isLargerBetter)");
    m = M("mpr");
    cr_assert(!als_metric_higher_is_better(&m) && als_metric_is_ranking(&m), "mpr: lower better, ranking");
    m = M("auc");
    cr_assert(als_metric_higher_is_better(&m) && als_metric_is_ranking(&m), "auc: higher better, ranking");
}

Test(parse, rejects_bad)
{
    const char *bad[] = {"", "RMSE", "rmse@3", "ndcg@", "ndcg@0", "ndcg@x", "ndcg@-1", "ndcg@10x",
                         "precision@99999999999", "foo", "mpr@5", "auc@2", "nd"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        als_metric m;
        cr_assert(!als_metric_parse(bad[i], &m), "\"%s\" should be rejected", bad[i]);
    }
}

/* ---- ranking, hand-computed ---------------------------------------------------------------- */

Test(ranking, precision_recall_hand)
{
    /* ranked 5 3 8 1 9, relevant {3, 9, 7}
     * top-3 = 5 3 8: 1 hit → precision@3 = 1/3, recall@3 = 1/3
     * top-5: hits 3 and 9 → precision@5 = 2/5, recall@5 = 2/3
     * k = 10 with only 5 recommended: precision divides by k → 2/10 */
    uint32_t ranked[] = {5, 3, 8, 1, 9}, rel[] = {3, 9, 7};
    als_metric p3 = M("precision@3"), p5 = M("precision@5"), p10 = M("precision@10");
    als_metric r3 = M("recall@3"), r5 = M("recall@5");
    ASSERT_NEAR(als_metric_user(&p3, ranked, 5, rel, 3), 1.0 / 3, TOL, "precision@3");
    ASSERT_NEAR(als_metric_user(&p5, ranked, 5, rel, 3), 0.4, TOL, "precision@5");
    ASSERT_NEAR(als_metric_user(&p10, ranked, 5, rel, 3), 0.2, TOL, "precision@10 (divides by k)");
    ASSERT_NEAR(als_metric_user(&r3, ranked, 5, rel, 3), 1.0 / 3, TOL, "recall@3");
    ASSERT_NEAR(als_metric_user(&r5, ranked, 5, rel, 3), 2.0 / 3, TOL, "recall@5");
}

Test(ranking, ndcg_hand)
{
    /* ranked 5 3 8 1 9, relevant {3, 9, 7}; gains 1/log2(pos+2) (log base cancels)
     * ndcg@3: DCG = 1/log2(3); IDCG@min(3,3) = 1 + 1/log2(3) + 1/log2(4) = 1 + 0.63093 + 0.5
     * ndcg@5: DCG = 1/log2(3) + 1/log2(6); IDCG@3 the same
     * ndcg@1: DCG = 0 (5 not relevant) */
    uint32_t ranked[] = {5, 3, 8, 1, 9}, rel[] = {3, 9, 7};
    double idcg3 = 1.0 + 1.0 / log2(3.0) + 0.5;
    als_metric n3 = M("ndcg@3"), n5 = M("ndcg@5"), n1 = M("ndcg@1");
    ASSERT_NEAR(als_metric_user(&n3, ranked, 5, rel, 3), (1.0 / log2(3.0)) / idcg3, 1e-12, "ndcg@3");
    ASSERT_NEAR(als_metric_user(&n5, ranked, 5, rel, 3), (1.0 / log2(3.0) + 1.0 / log2(6.0)) / idcg3,
                1e-12, "ndcg@5");
    ASSERT_NEAR(als_metric_user(&n1, ranked, 5, rel, 3), 0.0, TOL, "ndcg@1");
    /* a single relevant item at the top: ndcg = 1 whatever k */
    uint32_t rel1[] = {5};
    ASSERT_NEAR(als_metric_user(&n5, ranked, 5, rel1, 1), 1.0, TOL, "ndcg@5 perfect");
}

Test(ranking, map_hand)
{
    /* ranked 5 3 8 1 9, relevant {3, 9, 7}
     * hits at positions 2 and 5: precisions 1/2 and 2/5
     * AP = (1/2 + 2/5) / |rel| = 0.9/3 = 0.3
     * AP@2 = (1/2) / min(3, 2) = 0.25;  AP@5 = 0.9 / min(3,5) = 0.3;  AP@1 = 0 */
    uint32_t ranked[] = {5, 3, 8, 1, 9}, rel[] = {3, 9, 7};
    als_metric map = M("map"), m2 = M("map@2"), m5 = M("map@5"), m1 = M("map@1");
    ASSERT_NEAR(als_metric_user(&map, ranked, 5, rel, 3), 0.3, TOL, "map");
    ASSERT_NEAR(als_metric_user(&m2, ranked, 5, rel, 3), 0.25, TOL, "map@2");
    ASSERT_NEAR(als_metric_user(&m5, ranked, 5, rel, 3), 0.3, TOL, "map@5");
    ASSERT_NEAR(als_metric_user(&m1, ranked, 5, rel, 3), 0.0, TOL, "map@1");
}

Test(ranking, empty_ground_truth_is_zero_like_spark)
{
    uint32_t ranked[] = {1, 2, 3};
    const char *names[] = {"precision@3", "recall@3", "ndcg@3", "map", "map@3"};
    for (size_t i = 0; i < 5; i++) {
        als_metric m = M(names[i]);
        ASSERT_NEAR(als_metric_user(&m, ranked, 3, NULL, 0), 0.0, TOL, names[i]);
    }
}

Test(ranking, large_relevant_set_uses_sorted_lookup)
{
    /* 300 relevant items (the even numbers 0..598), ranked 0..9: hits 0,2,4,6,8 → precision@10 =
     * 0.5, recall@10 = 5/300; AP@10 = (1/1 + 2/3 + 3/5 + 4/7 + 5/9) / min(300, 10) */
    uint32_t rel[300], ranked[10];
    for (uint32_t i = 0; i < 300; i++)
        rel[i] = 598 - 2 * i; /* any order */
    for (uint32_t i = 0; i < 10; i++)
        ranked[i] = i;
    als_metric p = M("precision@10"), r = M("recall@10"), m = M("map@10");
    ASSERT_NEAR(als_metric_user(&p, ranked, 10, rel, 300), 0.5, TOL, "precision@10");
    ASSERT_NEAR(als_metric_user(&r, ranked, 10, rel, 300), 5.0 / 300, TOL, "recall@10");
    ASSERT_NEAR(als_metric_user(&m, ranked, 10, rel, 300), (1 + 2.0 / 3 + 3.0 / 5 + 4.0 / 7 + 5.0 / 9) / 10, TOL,
                "map@10");
}

/* Spark's RankingMetricsSuite: three users, the third with an empty ground truth, averaged over
 * all three (Spark counts the empty user as 0). */
static double spark_mean(const char *metric)
{
    static const uint32_t p0[] = {1, 6, 2, 7, 8, 3, 9, 10, 4, 5}, l0[] = {1, 2, 3, 4, 5};
    static const uint32_t p1[] = {4, 1, 5, 6, 2, 7, 3, 8, 9, 10}, l1[] = {1, 2, 3};
    static const uint32_t p2[] = {1, 2, 3, 4, 5};
    als_metric m = M(metric);
    return (als_metric_user(&m, p0, 10, l0, 5) + als_metric_user(&m, p1, 10, l1, 3) +
            als_metric_user(&m, p2, 5, NULL, 0)) / 3.0;
}

Test(ranking, spark_suite_values)
{
    const struct { const char *m; double want; } cases[] = {
        {"precision@1", 1.0 / 3}, {"precision@2", 1.0 / 3}, {"precision@3", 1.0 / 3},
        {"precision@4", 0.75 / 3}, {"precision@5", 0.8 / 3}, {"precision@10", 0.8 / 3},
        {"precision@15", 8.0 / 45}, {"map", 0.355026}, {"map@1", 0.333334}, {"map@2", 0.25},
        {"map@3", 0.24074}, {"ndcg@3", 1.0 / 3}, {"ndcg@5", 0.328788}, {"ndcg@10", 0.487913},
        {"ndcg@15", 0.487913}, {"recall@1", 1.0 / 15}, {"recall@2", 8.0 / 45}, {"recall@3", 11.0 / 45},
        {"recall@4", 11.0 / 45}, {"recall@5", 16.0 / 45}, {"recall@10", 2.0 / 3}, {"recall@15", 2.0 / 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ASSERT_NEAR(spark_mean(cases[i].m), cases[i].want, 1e-5, cases[i].m);
}

Test(ranking, spark_suite_few_predictions)
{
    /* SPARK-14886: (1 6 2 | 1..5) and (empty | 1 2 3) */
    static const uint32_t p0[] = {1, 6, 2}, l0[] = {1, 2, 3, 4, 5}, l1[] = {1, 2, 3};
    const struct { const char *m; double want; } cases[] = {
        {"precision@1", 0.5}, {"precision@2", 0.25}, {"ndcg@1", 0.5}, {"ndcg@2", 0.30657},
        {"recall@1", 0.1}, {"recall@2", 0.1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        als_metric m = M(cases[i].m);
        double v = (als_metric_user(&m, p0, 3, l0, 5) + als_metric_user(&m, NULL, 0, l1, 3)) / 2;
        ASSERT_NEAR(v, cases[i].want, 1e-5, cases[i].m);
    }
}

/* ---- MPR and AUC --------------------------------------------------------------------------- */

Test(mpr_auc, hand_computed)
{
    /* 5 items, scores 0.9 0.1 0.5 0.7 0.3 → order (best first): 0, 3, 2, 4, 1
     * relevant {3, 1}: item 3 has 1 item above → percentile 1/4; item 1 is last → 4/4
     * MPR = (0.25 + 1)/2 = 0.625
     * AUC: pairs (relevant, non-relevant ∈ {0, 2, 4}):
     *   item 3 (0.7) beats 2 (0.5) and 4 (0.3), loses to 0 (0.9) → 2 wins
     *   item 1 (0.1) beats none → 0; AUC = 2 / (2·3) = 1/3 */
    float s[] = {0.9f, 0.1f, 0.5f, 0.7f, 0.3f};
    uint32_t rel[] = {3, 1};
    ASSERT_NEAR(als_metric_user_mpr(s, 5, rel, 2), 0.625, TOL, "mpr");
    ASSERT_NEAR(als_metric_user_auc(s, 5, rel, 2), 1.0 / 3, TOL, "auc");
}

Test(mpr_auc, ties_count_half)
{
    /* scores 1 1 1 0: relevant {0}: above 0, 2 others tied → (0 + 0.5·2)/3 = 1/3
     * AUC of {0}: vs 1 (tie ½), vs 2 (tie ½), vs 3 (win 1) → 2/3 */
    float s[] = {1, 1, 1, 0};
    uint32_t rel[] = {0};
    ASSERT_NEAR(als_metric_user_mpr(s, 4, rel, 1), 1.0 / 3, TOL, "mpr ties");
    ASSERT_NEAR(als_metric_user_auc(s, 4, rel, 1), 2.0 / 3, TOL, "auc ties");
    /* relevant {0, 1} tied with each other and with non-relevant 2, above 3:
     * MPR: each has 0 above, 2 others tied → 1/3 each → 1/3
     * AUC: each vs 2 → ½, vs 3 → 1: (1.5 + 1.5) / (2·2) = 0.75 */
    uint32_t rel2[] = {0, 1};
    ASSERT_NEAR(als_metric_user_mpr(s, 4, rel2, 2), 1.0 / 3, TOL, "mpr ties 2");
    ASSERT_NEAR(als_metric_user_auc(s, 4, rel2, 2), 0.75, TOL, "auc ties 2");
}

Test(mpr_auc, extremes_and_invalid)
{
    float s[] = {4, 3, 2, 1};
    uint32_t top[] = {0, 1}, bottom[] = {3, 2};
    ASSERT_NEAR(als_metric_user_auc(s, 4, top, 2), 1.0, TOL, "auc perfect");
    ASSERT_NEAR(als_metric_user_auc(s, 4, bottom, 2), 0.0, TOL, "auc worst");
    /* top two: percentiles 0 and 1/3 → 1/6; bottom two: 1 and 2/3 → 5/6 */
    ASSERT_NEAR(als_metric_user_mpr(s, 4, top, 2), 1.0 / 6, TOL, "mpr top");
    ASSERT_NEAR(als_metric_user_mpr(s, 4, bottom, 2), 5.0 / 6, TOL, "mpr bottom");
    uint32_t all[] = {0, 1, 2, 3}, out_of_range[] = {4};
    cr_assert(isnan(als_metric_user_auc(s, 4, all, 4)), "auc with no negatives is NaN");
    cr_assert(isnan(als_metric_user_auc(s, 4, NULL, 0)), "auc with no positives is NaN");
    cr_assert(isnan(als_metric_user_mpr(s, 4, NULL, 0)), "mpr with no relevant items is NaN");
    cr_assert(isnan(als_metric_user_mpr(s, 4, out_of_range, 1)), "mpr with an id >= nitems is NaN");
}

/* The O(n log m) counting against a naive O(n·m) double loop on pseudo-random scores with ties,
 * for relevant sets below and above the stack-buffer size. */
static void naive(const float *s, uint32_t n, const uint32_t *rel, size_t m, double *mpr, double *auc)
{
    double psum = 0, wins = 0;
    for (size_t a = 0; a < m; a++) {
        double above = 0, tie = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (i == rel[a])
                continue;
            if (s[i] > s[rel[a]])
                above++;
            else if (s[i] == s[rel[a]])
                tie++;
            int isrel = 0;
            for (size_t b = 0; b < m; b++)
                isrel |= rel[b] == i;
            if (!isrel)
                wins += s[rel[a]] > s[i] ? 1.0 : s[rel[a]] == s[i] ? 0.5 : 0.0;
        }
        psum += (above + 0.5 * tie) / (n - 1);
    }
    *mpr = psum / (double)m;
    *auc = wins / ((double)m * (double)(n - m));
}

Test(mpr_auc, matches_naive)
{
    enum { N = 500 };
    static float s[N];
    static uint32_t rel[200];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (float)((x >> 16) % 40); /* many ties */
    }
    size_t sizes[] = {1, 7, 64, 65, 200};
    for (size_t t = 0; t < 5; t++) {
        size_t m = sizes[t];
        for (size_t j = 0; j < m; j++)
            rel[j] = (uint32_t)((j * 37 + 11) % N); /* distinct since gcd(37, 500) = 1 */
        double mpr, auc;
        naive(s, N, rel, m, &mpr, &auc);
        ASSERT_NEAR(als_metric_user_mpr(s, N, rel, m), mpr, 1e-12, "mpr vs naive");
        ASSERT_NEAR(als_metric_user_auc(s, N, rel, m), auc, 1e-12, "auc vs naive");
    }
}
