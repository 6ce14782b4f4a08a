/* als_stats_test — significance tests and selection rules for comparing tuning cells (issue 13,
 * "Is the best cell really better?").  A library module: it reads no YAML and writes no file; the
 * runner (als_runner.c) calls it for summary.csv's comparison columns, select: one_se and
 * best.yaml's holdout intervals (docs/statistics.md).
 *
 * Every cell of a grid is scored on the same folds, so a cell is compared with the best one by a
 * paired test over the per-fold differences d_j = score_cell,j − score_best,j:
 *   - the corrected resampled t-test (Nadeau & Bengio 2003), in the corrected repeated k-fold form
 *     of Bouckaert & Frank (2004) when the k folds are repeated R times (the default test);
 *   - the plain paired t-test;
 *   - the Wilcoxon signed-rank test, exact for small n without zeros or ties, else the normal
 *     approximation with the tie correction (zeros dropped: scipy's zero_method='wilcox').
 * All p-values are two-sided and come from GSL's distributions.  Holm's step-down adjustment runs
 * over the cells compared with the best.  The one-standard-error rule picks the simplest cell
 * within one standard error of the best, and a seeded bootstrap gives percentile intervals for a
 * holdout metric.
 *
 * Conventions: functions return an als_status and fill an als_diag on failure (bad input is
 * ALS_E_INPUT); nothing prints; GSL's error handler must be off (als_stest_* turn it off once). */
#ifndef ALS_STATS_TEST_H
#define ALS_STATS_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "als_error.h"

/* ---- paired tests --------------------------------------------------------------------------- */

typedef enum {
    ALS_STEST_CORRECTED_T = 0, /* Nadeau–Bengio / Bouckaert–Frank corrected t (default) */
    ALS_STEST_PAIRED_T,        /* plain paired t-test */
    ALS_STEST_WILCOXON         /* Wilcoxon signed-rank test */
} als_stest_kind;

typedef enum {
    ALS_WILCOXON_AUTO = 0, /* exact when n ≤ ALS_WILCOXON_EXACT_MAX and no zeros or ties */
    ALS_WILCOXON_EXACT,    /* exact up to ALS_WILCOXON_EXACT_LIMIT, unless zeros or ties */
    ALS_WILCOXON_APPROX    /* normal approximation with tie correction, no continuity correction */
} als_wilcoxon_method;

#define ALS_WILCOXON_EXACT_MAX 25
/* ALS_WILCOXON_EXACT beyond this many non-zero differences uses the approximation (the exact
 * table grows as n², its computation as n³). */
#define ALS_WILCOXON_EXACT_LIMIT 1000

typedef struct {
    double statistic; /* t; Wilcoxon: T = min(R+, R−) */
    double pvalue;    /* two-sided, in [0, 1] */
    double df;        /* t tests: degrees of freedom (n − 1); Wilcoxon: NAN */
    double mean_diff; /* mean of the differences given (zeros included) */
    double z;         /* Wilcoxon normal approximation: (T − n(n+1)/4) / σ; else NAN */
    size_t n;         /* differences used: all for the t tests, the non-zero ones for Wilcoxon */
    int exact;        /* Wilcoxon: 1 when the exact null distribution gave the p-value */
} als_stest_result;

/* Paired t-test on n ≥ 2 differences: t = mean(d) / sqrt(s²/n), s² the sample variance (n − 1
 * divisor), df = n − 1, p = 2·Q_t(|t|; df).  When s² = 0: t = 0 and p = 1 if mean(d) = 0, else
 * t = ±inf and p = 0.  Non-finite d → ALS_E_INPUT. */
als_status als_stest_paired_t(const double *d, size_t n, als_stest_result *res, als_diag *diag);

/* Corrected resampled t-test over n = k·R differences (k folds, R repeats, any order):
 *   t = mean(d) / sqrt((1/n + n_valid/n_train) · s²),  df = n − 1,  p = 2·Q_t(|t|; df)
 * with n_train, n_valid the (mean) training and validation set sizes of one fold.  n_train > 0,
 * n_valid ≥ 0 (n_valid = 0 gives the plain paired t-test).  Degenerate s² as in paired_t. */
als_status als_stest_corrected_t(const double *d, size_t n, double n_train, double n_valid,
                                 als_stest_result *res, als_diag *diag);

/* Workspace for the Wilcoxon test: room for n_max differences and the exact null distribution.
 * Returns NULL when out of memory. */
typedef struct als_stest_workspace als_stest_workspace;
als_stest_workspace *als_stest_workspace_alloc(size_t n_max);
void als_stest_workspace_free(als_stest_workspace *w);

/* Wilcoxon signed-rank test on n ≥ 1 differences (n ≤ the workspace's n_max).  Zeros are
 * dropped (zero_method 'wilcox'); ties of |d| (exact equality) get average ranks.  With no
 * non-zero difference left: T = 0, p = 1, n = 0.  See docs/statistics.md for the exact and the
 * approximate p-values and when each is used. */
als_status als_stest_wilcoxon(const double *d, size_t n, als_wilcoxon_method method,
                              als_stest_workspace *w, als_stest_result *res, als_diag *diag);

/* ---- multiple comparisons ------------------------------------------------------------------- */

/* Holm's step-down adjustment of m p-values (each in [0, 1]): with p_(1) ≤ … ≤ p_(m),
 *   adj_(i) = min(1, max_{j ≤ i} (m − j + 1) · p_(j)),
 * written back in the input order into p_adj (may equal p).  m = 0 is a no-op. */
als_status als_stest_holm(const double *p, size_t m, double *p_adj, als_diag *diag);

/* ---- comparing every cell with the best ----------------------------------------------------- */

typedef struct {
    const double *scores;   /* n_cells × n_folds, row-major; n_folds = k·R, repeat-major */
    size_t n_cells, n_folds;
    int higher_is_better;   /* 0 for RMSE/MAE, 1 for ranking metrics */
    als_stest_kind test;
    als_wilcoxon_method wilcoxon_method;
    double n_train, n_valid; /* corrected t only: mean fold training/validation sizes */
    double level;            /* equivalent_to_best when p_holm ≥ level (e.g. 0.05) */
} als_stest_compare_in;

typedef struct {
    double mean;           /* mean score over folds (NAN when a score is not finite) */
    double mean_diff;      /* mean(score − score_best) */
    double statistic, pvalue, p_holm;
    int equivalent_to_best;
    int valid;             /* 0: a fold score is not finite; the cell is left out */
} als_stest_cell;

/* The best cell is the valid cell with the lowest (highest, when higher_is_better) mean, ties to
 * the lower index.  Every other valid cell is tested against it on d = score − score_best; Holm
 * runs over those n_valid_cells − 1 p-values.  The best cell itself gets statistic 0, p = p_holm
 * = 1 and equivalent_to_best = 1; invalid cells get NAN and 0.  out has n_cells entries.
 * ALS_E_INPUT when no cell is valid, n_folds < 2, or level ∉ (0, 1). */
als_status als_stest_compare_best(const als_stest_compare_in *in, size_t *best,
                                  als_stest_cell *out, als_diag *diag);

/* ---- selection rules ------------------------------------------------------------------------ */

/* Simplicity order of the one-standard-error rule: negative when cell a is simpler than b. */
typedef int (*als_stest_simpler_fn)(size_t a, size_t b, void *ctx);

/* The documented order for ALS cells: smaller rank, then larger regParam, then fewer maxIter. */
typedef struct {
    int rank;
    double reg_param;
    int max_iter;
} als_stest_simplicity;
/* ctx is a const als_stest_simplicity array indexed by cell. */
int als_stest_simpler_als(size_t a, size_t b, void *ctx);

/* Sample standard error of n ≥ 2 values: s / sqrt(n) with the n − 1 divisor (0 for n < 2). */
double als_stest_std_error(const double *x, size_t n);

/* One-standard-error rule: best = the finite mean that is lowest (highest when
 * higher_is_better), ties to the lower index; the candidates are the cells with
 * |mean − mean_best| ≤ se[best] on the good side or better; the chosen one is the simplest by
 * `simpler`, ties broken by the better mean, then the lower index.  Cells with non-finite mean
 * or se are skipped.  *best may be NULL.  ALS_E_INPUT when no cell is usable. */
als_status als_stest_one_se(const double *mean, const double *se, size_t n, int higher_is_better,
                            als_stest_simpler_fn simpler, void *ctx, size_t *chosen, size_t *best,
                            als_diag *diag);

/* ---- bootstrap ------------------------------------------------------------------------------ */

/* A statistic of a resample: w[g] is how often unit g was drawn (Σ w = n_units); returns the
 * value (non-finite aborts the bootstrap with ALS_E_NUMERIC). */
typedef double (*als_stest_boot_stat_fn)(const double *w, size_t n_units, void *ctx);

/* Mean of values grouped into units, for als_stest_stat_mean: unit g owns v[off[g] .. off[g+1])
 * (off == NULL: unit g owns v[g] alone).  The statistic is Σ_g w_g Σ_{i∈g} v_i / Σ_g w_g n_g,
 * square-rooted when root != 0.  RMSE resampling ratings: v = squared errors, off = NULL,
 * root = 1; a ranking metric resampling users: v = per-user values, off = NULL, root = 0. */
typedef struct {
    const double *v;
    const size_t *off;
    int root;
} als_stest_mean_ctx;
double als_stest_stat_mean(const double *w, size_t n_units, void *ctx);

/* A seed for one bootstrap, derived deterministically from a run seed and a tag (e.g. the cell
 * and metric): splitmix64(seed ^ FNV-1a-64(tag)), folded to 32 bits, never 0. */
unsigned long als_stest_seed(uint64_t seed, const char *tag);

/* Seeded percentile bootstrap: B resamples of n_units units drawn with replacement by a
 * gsl_rng_mt19937 seeded with `seed` (gsl_rng_uniform_int per draw, units in order); the
 * interval is the (1−conf)/2 and (1+conf)/2 quantiles of the B statistics (GSL's
 * quantile_from_sorted_data: linear interpolation, numpy's default).  replicates, when not NULL,
 * receives the B statistics in draw order.  n_units ≥ 1, B ≥ 2, conf ∈ (0, 1). */
als_status als_stest_bootstrap_ci(size_t n_units, size_t B, double conf, unsigned long seed,
                                  als_stest_boot_stat_fn stat, void *ctx, double *lo, double *hi,
                                  double *replicates, als_diag *diag);

#define ALS_STEST_BOOT_B_DEFAULT 1000

#endif
