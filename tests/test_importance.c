/* Unit tests of als_importance: bins, η², the normalised importances, on hand-computed cases
 * (docs/report.md "Parameter importance"). */
#include <criterion/criterion.h>

#include <math.h>

#include "als_importance.h"

#define EPS 1e-12

Test(importance, nbins_is_clamped_sqrt)
{
    cr_assert_eq(als_importance_nbins(0), 2);
    cr_assert_eq(als_importance_nbins(3), 2);
    cr_assert_eq(als_importance_nbins(8), 2);
    cr_assert_eq(als_importance_nbins(9), 3);
    cr_assert_eq(als_importance_nbins(60), 7);
    cr_assert_eq(als_importance_nbins(100), 10);
    cr_assert_eq(als_importance_nbins(10000), ALS_IMP_MAX_BINS);
}

Test(importance, few_distinct_values_one_bin_each_in_value_order)
{
    const double x[6] = {20, 5, 10, 5, 20, 10};
    size_t bin[6];
    cr_assert_eq(als_importance_bins(x, 6, 3, bin), 3);
    const size_t want[6] = {2, 0, 1, 0, 2, 1};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(bin[i], want[i], "bin[%d] = %zu", i, bin[i]);
}

Test(importance, many_values_equal_count_by_rank)
{
    /* 6 distinct values, 2 bins: the 3 smallest and the 3 largest, whatever the scale */
    const double x[6] = {0.3, 0.001, 0.02, 0.5, 0.004, 0.1};
    size_t bin[6];
    cr_assert_eq(als_importance_bins(x, 6, 2, bin), 2);
    const size_t want[6] = {1, 0, 0, 1, 0, 1};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(bin[i], want[i], "bin[%d] = %zu", i, bin[i]);
}

Test(importance, ties_stay_together_and_empty_bins_are_dropped)
{
    /* 5 values, 3 distinct > 2 bins: sorted 1 1 1 1 2 ... rank bins floor(j*2/5) = 0 0 0 1 1 but
     * the fourth 1 joins its first occurrence's bin; 2 and 3 start bin 1 */
    const double x[5] = {1, 1, 3, 1, 2};
    size_t bin[5];
    cr_assert_eq(als_importance_bins(x, 5, 2, bin), 2);
    const size_t want[5] = {0, 0, 1, 0, 1};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(bin[i], want[i], "bin[%d] = %zu", i, bin[i]);
    /* all equal: one bin */
    const double c[4] = {7, 7, 7, 7};
    size_t b2[4];
    cr_assert_eq(als_importance_bins(c, 4, 3, b2), 1);
    cr_assert_eq(als_importance_bins(c, 0, 3, b2), 0);
}

Test(importance, eta2_by_hand)
{
    /* y = 1 2 3 6, mean 3, total SS = 4+1+0+9 = 14.
     * groups {1,2} {3,6}: means 1.5, 4.5 -> between = 2*2.25 + 2*2.25 = 9 -> 9/14
     * groups {1,3} {2,6}: means 2, 4   -> between = 2*1 + 2*1 = 4      -> 4/14 */
    const double y[4] = {1, 2, 3, 6};
    const size_t a[4] = {0, 0, 1, 1}, b[4] = {0, 1, 0, 1}, one[4] = {0, 0, 0, 0}, each[4] = {0, 1, 2, 3};
    cr_assert_float_eq(als_importance_eta2(y, a, 4, 2), 9.0 / 14, EPS);
    cr_assert_float_eq(als_importance_eta2(y, b, 4, 2), 4.0 / 14, EPS);
    cr_assert_float_eq(als_importance_eta2(y, one, 4, 1), 0.0, EPS);
    cr_assert_float_eq(als_importance_eta2(y, each, 4, 4), 1.0, EPS);
    const double flat[4] = {2, 2, 2, 2};
    cr_assert(isnan(als_importance_eta2(flat, a, 4, 2)));
    cr_assert(isnan(als_importance_eta2(y, a, 0, 2)));
}

Test(importance, compute_normalises_to_one)
{
    /* two parameters over the 4 trials above: p0 = {5,5,10,10} (η² 9/14), p1 = {0,1,0,1} (4/14);
     * importances 9/13 and 4/13 */
    const double X[8] = {5, 5, 10, 10, 0, 1, 0, 1};
    const double y[4] = {1, 2, 3, 6};
    double eta2[2], share[2];
    size_t nb[2];
    bool oom;
    cr_assert(als_importance_compute(X, y, 4, 2, eta2, share, nb, &oom));
    cr_assert(!oom);
    cr_assert_float_eq(eta2[0], 9.0 / 14, EPS);
    cr_assert_float_eq(eta2[1], 4.0 / 14, EPS);
    cr_assert_float_eq(share[0], 9.0 / 13, EPS);
    cr_assert_float_eq(share[1], 4.0 / 13, EPS);
    cr_assert_float_eq(share[0] + share[1], 1.0, EPS);
    cr_assert_eq(nb[0], 2);
    cr_assert_eq(nb[1], 2);
}

Test(importance, continuous_parameter_uses_rank_bins)
{
    /* 9 trials -> B = 3 bins of 3 by rank of x; y depends on the bin only: η² = 1.
     * A parameter constant over the trials explains nothing: η² = 0, importance 0. */
    const double X[18] = {0.9, 0.1, 0.5, 0.2, 0.8, 0.4, 0.3, 0.7, 0.6, /* bins 2 0 1 0 2 1 0 2 1 */
                          4, 4, 4, 4, 4, 4, 4, 4, 4};
    const double y[9] = {3, 1, 2, 1, 3, 2, 1, 3, 2};
    double eta2[2], share[2];
    size_t nb[2];
    bool oom;
    cr_assert(als_importance_compute(X, y, 9, 2, eta2, share, nb, &oom));
    cr_assert_eq(nb[0], 3);
    cr_assert_eq(nb[1], 1);
    cr_assert_float_eq(eta2[0], 1.0, EPS);
    cr_assert_float_eq(eta2[1], 0.0, EPS);
    cr_assert_float_eq(share[0], 1.0, EPS);
    cr_assert_float_eq(share[1], 0.0, EPS);
}

Test(importance, nothing_to_compute)
{
    const double X[4] = {1, 2, 3, 4}, y[4] = {1, 2, 3, 4}, flat[4] = {5, 5, 5, 5};
    double eta2[1], share[1];
    size_t nb[1];
    bool oom;
    cr_assert(!als_importance_compute(X, y, 2, 1, eta2, share, nb, &oom)); /* fewer than 3 trials */
    cr_assert(isnan(eta2[0]) && isnan(share[0]) && nb[0] == 0 && !oom);
    cr_assert(!als_importance_compute(X, flat, 4, 1, eta2, share, nb, &oom)); /* nothing varies */
    cr_assert(!oom);
    cr_assert(!als_importance_compute(X, y, 4, 0, eta2, share, nb, &oom));
}
