/* test_stats_test — src/als_stats_test on small cases whose answers are worked out by hand in the
 * comments (closed forms of the t distribution for df = 2 and 4, enumeration of the Wilcoxon null
 * distribution).  tests/cli/test_stats_scipy.sh compares the same code with scipy on recorded
 * fold scores.
 *
 * Closed forms used (u = t / sqrt(t² + ν)):  ν = 2: two-sided p = 1 − u;
 * ν = 4: F(t) = 1/2 + u(3 − u²)/4, so two-sided p = 1 − u(3 − u²)/2. */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als_stats_test.h"

#define TOL 1e-12
#define ASSERT_NEAR(got, want, tol, what)                                                        \
    cr_assert(fabs((double)(got) - (double)(want)) <= (tol) * fmax(1.0, fabs((double)(want))),  \
              "%s: got %.17g, want %.17g", what, (double)(got), (double)(want))

/* ---- t-tests -------------------------------------------------------------------------------- */

Test(paired_t, one_to_five)
{
    /* d = 1..5: mean 3, s² = (4+1+0+1+4)/4 = 2.5, t = 3/sqrt(2.5/5) = 3√2, df 4.
     * u² = 18/22 = 9/11, p = 1 − (3/√11)(3 − 9/11)/2 = 1 − 36/(11√11) = 0.013235599563682698. */
    double d[] = {1, 2, 3, 4, 5};
    als_stest_result r;
    als_diag dg;
    cr_assert_eq(als_stest_paired_t(d, 5, &r, &dg), ALS_OK, "%s", dg.msg);
    ASSERT_NEAR(r.statistic, 3 * sqrt(2.0), TOL, "t");
    ASSERT_NEAR(r.df, 4, TOL, "df");
    ASSERT_NEAR(r.mean_diff, 3, TOL, "mean");
    ASSERT_NEAR(r.pvalue, 1 - 36 / (11 * sqrt(11.0)), 1e-12, "p");
    cr_assert_eq(r.n, 5, "n = %zu", r.n);
}

Test(paired_t, df2_and_sign)
{
    /* d = −1, −2, −3: mean −2, s² = 1, t = −2/sqrt(1/3) = −2√3, df 2,
     * p = 1 − 2√3/sqrt(12 + 2) = 1 − sqrt(6/7) = 0.074179900227448580 (sign does not matter). */
    double d[] = {-1, -2, -3};
    als_stest_result r;
    cr_assert_eq(als_stest_paired_t(d, 3, &r, NULL), ALS_OK);
    ASSERT_NEAR(r.statistic, -2 * sqrt(3.0), TOL, "t");
    ASSERT_NEAR(r.pvalue, 1 - sqrt(6.0 / 7.0), 1e-12, "p");
}

Test(paired_t, degenerate)
{
    /* Zero variance: equal non-zero differences → t = +inf, p = 0; all zero → t = 0, p = 1. */
    double same[] = {0.5, 0.5, 0.5}, zero[] = {0, 0};
    als_stest_result r;
    cr_assert_eq(als_stest_paired_t(same, 3, &r, NULL), ALS_OK);
    cr_assert(isinf(r.statistic) && r.statistic > 0 && r.pvalue == 0, "t %g p %g", r.statistic, r.pvalue);
    cr_assert_eq(als_stest_paired_t(zero, 2, &r, NULL), ALS_OK);
    cr_assert(r.statistic == 0 && r.pvalue == 1, "t %g p %g", r.statistic, r.pvalue);
}

Test(paired_t, bad_input)
{
    double one[] = {1}, nan_[] = {1, NAN, 2};
    als_stest_result r;
    als_diag dg;
    cr_assert_eq(als_stest_paired_t(one, 1, &r, &dg), ALS_E_INPUT);
    cr_assert(strstr(dg.msg, "at least 2") != NULL, "msg: %s", dg.msg);
    cr_assert_eq(als_stest_paired_t(nan_, 3, &r, &dg), ALS_E_INPUT);
    cr_assert(strstr(dg.msg, "value 2 is not finite") != NULL, "msg: %s", dg.msg);
}

Test(corrected_t, five_fold)
{
    /* d = 1..5 as 5 folds of a 5-fold CV: n_valid/n_train = 1/4.  Variance factor 1/5 + 1/4 =
     * 9/20, t = 3/sqrt(9/20 · 2.5) = 3/sqrt(1.125) = 2√2, df 4; u² = 8/12 = 2/3,
     * p = 1 − sqrt(2/3)(3 − 2/3)/2 = 1 − (7/6)sqrt(2/3) = 0.047420655584319515. */
    double d[] = {1, 2, 3, 4, 5};
    als_stest_result r;
    cr_assert_eq(als_stest_corrected_t(d, 5, 80000, 20000, &r, NULL), ALS_OK);
    ASSERT_NEAR(r.statistic, 2 * sqrt(2.0), TOL, "t");
    ASSERT_NEAR(r.pvalue, 1 - 7.0 / 6.0 * sqrt(2.0 / 3.0), 1e-12, "p");
    ASSERT_NEAR(r.df, 4, TOL, "df");
}

Test(corrected_t, repeated_form)
{
    /* Bouckaert–Frank with k = 3 folds... here 3 differences with n2/n1 = 1: factor 1/3 + 1 =
     * 4/3, t = 2/sqrt(4/3) = √3, df 2, p = 1 − √3/√5 = 1 − sqrt(3/5) = 0.22540333075851660. */
    double d[] = {1, 2, 3};
    als_stest_result r;
    cr_assert_eq(als_stest_corrected_t(d, 3, 10, 10, &r, NULL), ALS_OK);
    ASSERT_NEAR(r.statistic, sqrt(3.0), TOL, "t");
    ASSERT_NEAR(r.pvalue, 1 - sqrt(0.6), 1e-12, "p");
    /* n_valid = 0 is the plain paired t-test */
    als_stest_result q;
    cr_assert_eq(als_stest_corrected_t(d, 3, 10, 0, &r, NULL), ALS_OK);
    cr_assert_eq(als_stest_paired_t(d, 3, &q, NULL), ALS_OK);
    ASSERT_NEAR(r.pvalue, q.pvalue, 1e-15, "n_valid = 0 vs paired");
}

Test(corrected_t, repeated_k_fold)
{
    /* Bouckaert & Frank (2004): k = 2 folds repeated R = 3 times, n = k·R = 6 differences 1..6
     * (any order), n_valid/n_train = 1 (2-fold).  mean 3.5, s² = 17.5/5 = 3.5; variance factor
     * 1/(k·R) + n_valid/n_train = 1/6 + 1 = 7/6, so t = 3.5/sqrt(7/6 · 3.5) = 3.5/sqrt(49/12) = √3,
     * df = k·R − 1 = 5.  Student's t with 5 df, θ = atan(t/√5), cos²θ = 5/8:
     *   p = 1 − (2/π)(θ + sinθ·cosθ·(1 + (2/3)cos²θ)) = 1 − (2/π)(atan(√0.6) + (5/8)√0.6·(17/12)).
     * The uncorrected paired t on the same differences is t = 3.5/sqrt(3.5/6) = √21. */
    double d[] = {4, 1, 6, 2, 5, 3};
    als_stest_result r, q;
    cr_assert_eq(als_stest_corrected_t(d, 6, 40, 40, &r, NULL), ALS_OK);
    ASSERT_NEAR(r.statistic, sqrt(3.0), TOL, "t");
    ASSERT_NEAR(r.df, 5, TOL, "df");
    double s6 = sqrt(0.6);
    ASSERT_NEAR(r.pvalue, 1 - 2 / M_PI * (atan(s6) + 5.0 / 8.0 * s6 * 17.0 / 12.0), 1e-12, "p");
    cr_assert_eq(als_stest_paired_t(d, 6, &q, NULL), ALS_OK);
    ASSERT_NEAR(q.statistic, sqrt(21.0), TOL, "paired t");
    /* through compare_best: 2 cells x 6 folds, the second worse by d */
    double sc[12] = {1, 1, 1, 1, 1, 1, 5, 2, 7, 3, 6, 4};
    als_stest_compare_in in = {.scores = sc, .n_cells = 2, .n_folds = 6, .higher_is_better = 0,
                               .test = ALS_STEST_CORRECTED_T, .n_train = 40, .n_valid = 40, .level = 0.05};
    als_stest_cell out[2];
    size_t best = 9;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, NULL), ALS_OK);
    cr_assert_eq(best, 0);
    ASSERT_NEAR(out[1].pvalue, r.pvalue, 1e-12, "compare_best p");
}

Test(corrected_t, bad_sizes)
{
    double d[] = {1, 2, 3};
    als_stest_result r;
    als_diag dg;
    cr_assert_eq(als_stest_corrected_t(d, 3, 0, 10, &r, &dg), ALS_E_INPUT);
    cr_assert_eq(als_stest_corrected_t(d, 3, 10, -1, &r, &dg), ALS_E_INPUT);
    cr_assert(strstr(dg.msg, "training size") != NULL, "msg: %s", dg.msg);
}

/* ---- Wilcoxon ------------------------------------------------------------------------------- */

static als_stest_result wil(const double *d, size_t n, als_wilcoxon_method m)
{
    als_stest_workspace *w = als_stest_workspace_alloc(n);
    cr_assert(w != NULL, "workspace");
    als_stest_result r;
    als_diag dg;
    cr_assert_eq(als_stest_wilcoxon(d, n, m, w, &r, &dg), ALS_OK, "%s", dg.msg);
    als_stest_workspace_free(w);
    return r;
}

Test(wilcoxon, exact_all_positive)
{
    /* d = 1..5 all positive: R+ = 15 = the maximum, P(R+ = 15) = 1/32, p = 2/32 = 0.0625. */
    double d[] = {1, 2, 3, 4, 5};
    als_stest_result r = wil(d, 5, ALS_WILCOXON_AUTO);
    cr_assert(r.exact, "exact");
    ASSERT_NEAR(r.statistic, 0, TOL, "T");
    ASSERT_NEAR(r.pvalue, 0.0625, TOL, "p");
}

Test(wilcoxon, exact_enumerated)
{
    /* d = 1, −2, 3, 4, 5: R− = 2, T = 2.  Subsets of {1..5} with sum ≤ 2: {}, {1}, {2} → 3/32,
     * p = 6/32 = 0.1875. */
    double d1[] = {1, -2, 3, 4, 5};
    als_stest_result r = wil(d1, 5, ALS_WILCOXON_EXACT);
    cr_assert(r.exact, "exact");
    ASSERT_NEAR(r.statistic, 2, TOL, "T");
    ASSERT_NEAR(r.pvalue, 6.0 / 32.0, TOL, "p");
    /* d = −1, 2, −3, 4, 5, 6: R− = 1 + 3 = 4.  Subsets of {1..6} with sum ≤ 4: {}, {1}, {2},
     * {3}, {1,2}, {4}, {1,3} → 7/64, p = 14/64 = 0.21875. */
    double d2[] = {-1, 2, -3, 4, 5, 6};
    r = wil(d2, 6, ALS_WILCOXON_AUTO);
    ASSERT_NEAR(r.statistic, 4, TOL, "T");
    ASSERT_NEAR(r.pvalue, 14.0 / 64.0, TOL, "p");
    /* d = 1, −2, −3, 4: R+ = 5 = n(n+1)/4, the centre of the distribution → p = 1. */
    double d3[] = {1, -2, -3, 4};
    r = wil(d3, 4, ALS_WILCOXON_AUTO);
    ASSERT_NEAR(r.statistic, 5, TOL, "T");
    ASSERT_NEAR(r.pvalue, 1, TOL, "p");
}

Test(wilcoxon, approx_ties_and_zero)
{
    /* d = 0, 1, −1, 2, 2, 3: the zero is dropped (m = 5); |d| = 1 1 2 2 3 → ranks 1.5 1.5 3.5 3.5 5,
     * R− = 1.5, T = 1.5.  Mean 5·6/4 = 7.5; variance (5·6·11 − (2·3 + 2·3)/2)/24 = 324/24 = 13.5;
     * z = −6/sqrt(13.5) = −1.6329931618554521; p = erfc(|z|/√2) = 0.10247043485974937 (scipy
     * wilcoxon(method='approx') gives the same).  Exact and auto fall back to this. */
    double d[] = {0, 1, -1, 2, 2, 3};
    als_wilcoxon_method ms[] = {ALS_WILCOXON_AUTO, ALS_WILCOXON_EXACT, ALS_WILCOXON_APPROX};
    for (size_t i = 0; i < 3; i++) {
        als_stest_result r = wil(d, 6, ms[i]);
        cr_assert(!r.exact, "method %zu: not exact", i);
        cr_assert_eq(r.n, 5, "n = %zu", r.n);
        ASSERT_NEAR(r.statistic, 1.5, TOL, "T");
        ASSERT_NEAR(r.z, -6 / sqrt(13.5), TOL, "z");
        ASSERT_NEAR(r.pvalue, erfc(6 / sqrt(13.5) / sqrt(2.0)), 1e-12, "p");
    }
}

Test(wilcoxon, approx_untied_matches_formula)
{
    /* d = 1..5 approx: T = 0, mean 7.5, variance 5·6·11/24 = 13.75, z = −7.5/sqrt(13.75). */
    double d[] = {1, 2, 3, 4, 5};
    als_stest_result r = wil(d, 5, ALS_WILCOXON_APPROX);
    ASSERT_NEAR(r.z, -7.5 / sqrt(13.75), TOL, "z");
    ASSERT_NEAR(r.pvalue, erfc(7.5 / sqrt(13.75) / sqrt(2.0)), 1e-12, "p");
}

Test(wilcoxon, exact_distribution_sums_to_one_and_auto_limit)
{
    /* 26 untied differences: auto uses the approximation (n > 25), exact the table; for n = 26,
     * all positive, the exact p is 2/2^26. */
    double d[26];
    for (size_t i = 0; i < 26; i++)
        d[i] = (double)(i + 1);
    als_stest_result a = wil(d, 26, ALS_WILCOXON_AUTO), e = wil(d, 26, ALS_WILCOXON_EXACT);
    cr_assert(!a.exact && e.exact, "auto exact=%d, exact exact=%d", a.exact, e.exact);
    cr_assert(fabs(e.pvalue * 33554432.0 - 1.0) < 1e-12, "exact p %.17g, want 2^-25", e.pvalue);
}

Test(wilcoxon, all_zero_and_errors)
{
    double z[] = {0, 0, 0};
    als_stest_result r = wil(z, 3, ALS_WILCOXON_AUTO);
    cr_assert(r.n == 0 && r.pvalue == 1 && r.statistic == 0, "n %zu p %g", r.n, r.pvalue);
    als_stest_workspace *w = als_stest_workspace_alloc(2);
    als_diag dg;
    cr_assert_eq(als_stest_wilcoxon(z, 3, ALS_WILCOXON_AUTO, w, &r, &dg), ALS_E_INTERNAL,
                 "n above the workspace size");
    double inf_[] = {1, INFINITY};
    cr_assert_eq(als_stest_wilcoxon(inf_, 2, ALS_WILCOXON_AUTO, w, &r, &dg), ALS_E_INPUT);
    als_stest_workspace_free(w);
}

/* ---- Holm ----------------------------------------------------------------------------------- */

Test(holm, hand)
{
    /* sorted 0.005 0.01 0.03 0.04 → ×4 ×3 ×2 ×1 = 0.02 0.03 0.06 0.04 → running max
     * 0.02 0.03 0.06 0.06; back in input order: 0.03 0.06 0.06 0.02. */
    double p[] = {0.01, 0.04, 0.03, 0.005}, q[4], want[] = {0.03, 0.06, 0.06, 0.02};
    cr_assert_eq(als_stest_holm(p, 4, q, NULL), ALS_OK);
    for (size_t i = 0; i < 4; i++)
        ASSERT_NEAR(q[i], want[i], 1e-15, "holm");
    /* capped at 1, in place: 0.5·2 = 1, 0.6·1 → max(1, 0.6) = 1 */
    double c[] = {0.6, 0.5};
    cr_assert_eq(als_stest_holm(c, 2, c, NULL), ALS_OK);
    cr_assert(c[0] == 1 && c[1] == 1, "capped %g %g", c[0], c[1]);
    /* equal p-values get equal adjusted values: 0.02 ×3 = 0.06 for all three */
    double e[] = {0.02, 0.02, 0.02};
    cr_assert_eq(als_stest_holm(e, 3, e, NULL), ALS_OK);
    for (size_t i = 0; i < 3; i++)
        ASSERT_NEAR(e[i], 0.06, 1e-15, "ties");
    double bad[] = {0.1, -0.1};
    als_diag dg;
    cr_assert_eq(als_stest_holm(bad, 2, bad, &dg), ALS_E_INPUT);
    cr_assert_eq(als_stest_holm(bad, 0, bad, &dg), ALS_OK, "m = 0 is a no-op");
}

/* ---- comparing with the best ---------------------------------------------------------------- */

Test(compare, three_cells_hand)
{
    /* Cells × 3 folds; lower is better.  best = cell 1 (mean 0).  Cell 0: d = 1 2 3 → paired p
     * = 1 − sqrt(6/7) = 0.0741799; cell 2: d = 0.5 0.5 0.5 → p = 0; cell 3 has a NaN fold and
     * is left out.  Holm over m = 2: sorted 0 (×2 = 0), 0.0741799 (×1) → cell 0 keeps 0.0741799
     * and is equivalent at 0.05, cell 2 is not. */
    double s[] = {1, 2, 3, 0, 0, 0, 0.5, 0.5, 0.5, 0, NAN, 0};
    als_stest_compare_in in = {.scores = s, .n_cells = 4, .n_folds = 3, .test = ALS_STEST_PAIRED_T,
                               .level = 0.05};
    als_stest_cell out[4];
    size_t best = 99;
    als_diag dg;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_OK, "%s", dg.msg);
    cr_assert_eq(best, 1, "best %zu", best);
    ASSERT_NEAR(out[0].pvalue, 1 - sqrt(6.0 / 7.0), 1e-12, "cell 0 p");
    ASSERT_NEAR(out[0].p_holm, 1 - sqrt(6.0 / 7.0), 1e-12, "cell 0 holm");
    ASSERT_NEAR(out[0].mean_diff, 2, TOL, "cell 0 mean diff");
    cr_assert(out[0].equivalent_to_best && !out[2].equivalent_to_best, "flags %d %d",
              out[0].equivalent_to_best, out[2].equivalent_to_best);
    cr_assert(out[2].pvalue == 0 && out[2].p_holm == 0, "cell 2 p %g", out[2].pvalue);
    cr_assert(out[1].pvalue == 1 && out[1].equivalent_to_best && out[1].statistic == 0, "best row");
    cr_assert(!out[3].valid && isnan(out[3].pvalue) && !out[3].equivalent_to_best, "invalid row");

    /* Corrected test with n_train = n_valid: cell 0 p = 1 − sqrt(3/5). */
    in.test = ALS_STEST_CORRECTED_T;
    in.n_train = in.n_valid = 100;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_OK, "%s", dg.msg);
    ASSERT_NEAR(out[0].pvalue, 1 - sqrt(0.6), 1e-12, "corrected p");

    /* Higher is better: best is cell 0 (mean 2); cell 1: d = −1 −2 −3 → same p as before. */
    in.test = ALS_STEST_PAIRED_T;
    in.higher_is_better = 1;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_OK, "%s", dg.msg);
    cr_assert_eq(best, 0, "best %zu", best);
    ASSERT_NEAR(out[1].pvalue, 1 - sqrt(6.0 / 7.0), 1e-12, "cell 1 p");
}

Test(compare, wilcoxon_kind)
{
    /* best = cell 0 (all 0); cell 1: d = 1 −2 3 4 5 → exact p = 6/32 (see wilcoxon tests),
     * cell 2: d = 1..5 → 2/32.  Holm, m = 2: 0.0625·2 = 0.125, 0.1875 → max 0.1875; both ≥ 0.05,
     * so both are equivalent to the best; at level 0.15 only cell 1 is. */
    double s[] = {0, 0, 0, 0, 0, 1, -2, 3, 4, 5, 1, 2, 3, 4, 5};
    als_stest_compare_in in = {.scores = s, .n_cells = 3, .n_folds = 5, .test = ALS_STEST_WILCOXON,
                               .level = 0.05};
    als_stest_cell out[3];
    size_t best;
    als_diag dg;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_OK, "%s", dg.msg);
    cr_assert_eq(best, 0, "best %zu", best);
    ASSERT_NEAR(out[1].pvalue, 0.1875, TOL, "cell 1 p");
    ASSERT_NEAR(out[2].pvalue, 0.0625, TOL, "cell 2 p");
    ASSERT_NEAR(out[1].p_holm, 0.1875, TOL, "cell 1 holm");
    ASSERT_NEAR(out[2].p_holm, 0.125, TOL, "cell 2 holm");
    cr_assert(out[1].equivalent_to_best && out[2].equivalent_to_best, "both equivalent at 0.05");
    in.level = 0.15;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_OK, "%s", dg.msg);
    cr_assert(out[1].equivalent_to_best && !out[2].equivalent_to_best, "at 0.15: %d %d",
              out[1].equivalent_to_best, out[2].equivalent_to_best);
}

Test(compare, errors)
{
    double s[] = {NAN, 1, 2, NAN};
    als_stest_compare_in in = {.scores = s, .n_cells = 2, .n_folds = 2, .level = 0.05};
    als_stest_cell out[2];
    size_t best;
    als_diag dg;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_E_INPUT);
    cr_assert(strstr(dg.msg, "no cell") != NULL, "msg: %s", dg.msg);
    in.level = 1.5;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_E_INPUT);
    in.level = 0.05;
    in.n_folds = 1;
    cr_assert_eq(als_stest_compare_best(&in, &best, out, &dg), ALS_E_INPUT);
}

/* ---- one-standard-error rule ---------------------------------------------------------------- */

Test(one_se, picks_simplest_within_one_se)
{
    /* best = cell 0 (0.900, se 0.01) → bound 0.910: cells 0, 1, 3 qualify, cell 2 (0.930) not.
     * Ranks 20, 5, 2, 5: cells 1 and 3 tie on rank 5; cell 3 has the larger regParam → 3. */
    double mean[] = {0.900, 0.905, 0.930, 0.904}, se[] = {0.01, 0.01, 0.01, 0.01};
    als_stest_simplicity s[] = {{20, 0.1, 10}, {5, 0.1, 10}, {2, 0.1, 10}, {5, 0.5, 10}};
    size_t chosen, best;
    cr_assert_eq(als_stest_one_se(mean, se, 4, 0, als_stest_simpler_als, s, &chosen, &best, NULL),
                 ALS_OK);
    cr_assert(best == 0 && chosen == 3, "best %zu chosen %zu", best, chosen);
    /* same regParam: fewer iterations wins */
    s[3].reg_param = 0.1;
    s[1].max_iter = 5;
    cr_assert_eq(als_stest_one_se(mean, se, 4, 0, als_stest_simpler_als, s, &chosen, NULL, NULL),
                 ALS_OK);
    cr_assert_eq(chosen, 1, "chosen %zu", chosen);
    /* identical simplicity: the better mean (cell 3, 0.904 < 0.905) */
    s[1].max_iter = 10;
    cr_assert_eq(als_stest_one_se(mean, se, 4, 0, als_stest_simpler_als, s, &chosen, NULL, NULL),
                 ALS_OK);
    cr_assert_eq(chosen, 3, "chosen %zu", chosen);
}

Test(one_se, higher_is_better_and_errors)
{
    /* precision: best = cell 1 (0.32, se 0.005) → bound 0.315: cell 0 (0.316) qualifies with
     * rank 4, cell 2 (0.30) does not. */
    double mean[] = {0.316, 0.32, 0.30}, se[] = {0.005, 0.005, 0.005};
    als_stest_simplicity s[] = {{4, 0.1, 10}, {16, 0.1, 10}, {2, 0.1, 10}};
    size_t chosen, best;
    cr_assert_eq(als_stest_one_se(mean, se, 3, 1, als_stest_simpler_als, s, &chosen, &best, NULL),
                 ALS_OK);
    cr_assert(best == 1 && chosen == 0, "best %zu chosen %zu", best, chosen);
    double nanm[] = {NAN, NAN};
    als_diag dg;
    cr_assert_eq(als_stest_one_se(nanm, se, 2, 1, als_stest_simpler_als, s, &chosen, NULL, &dg),
                 ALS_E_INPUT);
}

Test(one_se, std_error)
{
    /* 1..5: s = sqrt(2.5), se = sqrt(2.5/5) = sqrt(0.5) */
    double x[] = {1, 2, 3, 4, 5};
    ASSERT_NEAR(als_stest_std_error(x, 5), sqrt(0.5), TOL, "se");
    cr_assert(als_stest_std_error(x, 1) == 0, "n = 1");
}

/* ---- bootstrap ------------------------------------------------------------------------------ */

Test(bootstrap, single_unit_is_constant)
{
    double v[] = {2.5};
    als_stest_mean_ctx ctx = {v, NULL, 0};
    double lo, hi;
    cr_assert_eq(als_stest_bootstrap_ci(1, 10, 0.95, 7, als_stest_stat_mean, &ctx, &lo, &hi, NULL,
                                        NULL), ALS_OK);
    cr_assert(lo == 2.5 && hi == 2.5, "lo %g hi %g", lo, hi);
}

Test(bootstrap, two_values_cover_all)
{
    /* values 0, 1: the resample mean is 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4, so with
     * B = 4000 the 2.5 % and 97.5 % quantiles are 0 and 1. */
    double v[] = {0, 1};
    als_stest_mean_ctx ctx = {v, NULL, 0};
    double lo, hi;
    cr_assert_eq(als_stest_bootstrap_ci(2, 4000, 0.95, 99, als_stest_stat_mean, &ctx, &lo, &hi,
                                        NULL, NULL), ALS_OK);
    cr_assert(lo == 0 && hi == 1, "lo %g hi %g", lo, hi);
}

/* The documented algorithm written the naive way: draw n unit indices, average the drawn
 * values, then take the linear-interpolation quantiles of the sorted statistics. */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double quantile_sorted(const double *t, size_t n, double f)
{
    double h = (double)(n - 1) * f;
    size_t i = (size_t)floor(h);
    return i + 1 < n ? t[i] + (h - (double)i) * (t[i + 1] - t[i]) : t[n - 1];
}

Test(bootstrap, matches_naive_reference_and_seed)
{
    /* RMSE from squared errors: v = e², statistic sqrt(mean of drawn e²). */
    double e2[] = {0.04, 0.81, 0.25, 1.44, 0.09, 0.36, 0.01, 2.25, 0.64, 0.16, 1.0, 0.49};
    size_t n = 12, B = 500;
    als_stest_mean_ctx ctx = {e2, NULL, 1};
    unsigned long seed = als_stest_seed(42, "cell 3/rmse");
    double lo, hi, rep[500];
    cr_assert_eq(als_stest_bootstrap_ci(n, B, 0.95, seed, als_stest_stat_mean, &ctx, &lo, &hi, rep,
                                        NULL), ALS_OK);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double t[500];
    for (size_t b = 0; b < B; b++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += e2[gsl_rng_uniform_int(rng, n)];
        t[b] = sqrt(s / (double)n);
        ASSERT_NEAR(rep[b], t[b], 1e-14, "replicate");
    }
    gsl_rng_free(rng);
    qsort(t, B, sizeof *t, cmp_d);
    ASSERT_NEAR(lo, quantile_sorted(t, B, 0.025), 1e-14, "lo");
    ASSERT_NEAR(hi, quantile_sorted(t, B, 0.975), 1e-14, "hi");
    double full = 0;
    for (size_t i = 0; i < n; i++)
        full += e2[i];
    full = sqrt(full / (double)n);
    cr_assert(lo < full && full < hi, "lo %g full %g hi %g", lo, full, hi);
}

Test(bootstrap, grouped_units)
{
    /* users as units: user 0 owns values 1 1, user 1 owns 4 4 4.  Full sample (w = 1 1):
     * 14/5.  Resamples are {0,0} → 1, {1,1} → 4, {0,1} → 2.8, so every replicate is one of
     * these and the interval lies inside [1, 4]. */
    double v[] = {1, 1, 4, 4, 4};
    size_t off[] = {0, 2, 5};
    als_stest_mean_ctx ctx = {v, off, 0};
    double w[] = {1, 1};
    ASSERT_NEAR(als_stest_stat_mean(w, 2, &ctx), 2.8, TOL, "full");
    double lo, hi, rep[200];
    cr_assert_eq(als_stest_bootstrap_ci(2, 200, 0.9, 5, als_stest_stat_mean, &ctx, &lo, &hi, rep,
                                        NULL), ALS_OK);
    for (size_t b = 0; b < 200; b++)
        cr_assert(rep[b] == 1 || rep[b] == 4 || fabs(rep[b] - 2.8) < 1e-15, "rep %g", rep[b]);
    cr_assert(lo >= 1 && hi <= 4 && lo <= hi, "lo %g hi %g", lo, hi);
}

Test(bootstrap, seeds_and_errors)
{
    unsigned long a = als_stest_seed(1, "x"), b = als_stest_seed(1, "y"), c = als_stest_seed(2, "x");
    cr_assert(a != b && a != c && a == als_stest_seed(1, "x") && a != 0 && a <= 0xffffffffUL,
              "seeds %lu %lu %lu", a, b, c);
    double v[] = {1, 2};
    als_stest_mean_ctx ctx = {v, NULL, 0};
    double lo, hi;
    als_diag dg;
    cr_assert_eq(als_stest_bootstrap_ci(2, 1, 0.95, 1, als_stest_stat_mean, &ctx, &lo, &hi, NULL,
                                        &dg), ALS_E_INPUT);
    cr_assert_eq(als_stest_bootstrap_ci(2, 10, 1.0, 1, als_stest_stat_mean, &ctx, &lo, &hi, NULL,
                                        &dg), ALS_E_INPUT);
    double neg[] = {-1, -1};
    als_stest_mean_ctx bad = {neg, NULL, 1}; /* sqrt of a negative mean: NaN */
    cr_assert_eq(als_stest_bootstrap_ci(2, 10, 0.95, 1, als_stest_stat_mean, &bad, &lo, &hi, NULL,
                                        &dg), ALS_E_NUMERIC);
    cr_assert(strstr(dg.msg, "not finite") != NULL, "msg: %s", dg.msg);
}
