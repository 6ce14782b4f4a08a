/* als_check — the regression gate: compare a results folder with a baseline YAML file
 * (configs/baselines/NAME.yaml) and write such baselines.  See docs/report.md ("alstune check")
 * and docs/reproducibility.md for why there is a tolerance at all.
 *
 * Compared items: the best cell's CV mean, the holdout test metric (when the baseline has one),
 * and the CV mean of every cell of the baseline (matched by parameters, not by cell number).
 * Direction comes from the metric's name (als_metric_name_lower_is_better).  An item is
 *   regressed  when it is worse than the baseline by more than the tolerance,
 *   improved   when it is better by more than the tolerance,
 *   ok         otherwise. */
#ifndef ALS_CHECK_H
#define ALS_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "als_error.h"
#include "als_results.h"

typedef struct {
    double value;   /* ≥ 0 */
    bool relative;  /* value is a fraction of |baseline| (e.g. 0.01 = 1%) */
} als_tolerance;

/* Default tolerance of a metric: absolute 0.002 for rmse and mae, absolute 0.004 for mse,
 * absolute 0.002 for r2 and var, relative 1% for every other metric (ranking metrics, mpr, auc). */
als_tolerance als_check_default_tolerance(const char *metric);
/* "0.002" → absolute 0.002; "1%" → relative 0.01.  false on junk or a negative value. */
bool als_tolerance_parse(const char *s, als_tolerance *t);
/* The allowed deviation around baseline value base (absolute units). */
double als_tolerance_abs(const als_tolerance *t, double base);

/* MISSING: a baseline cell the results no longer have (the grid lost it) — fails the gate like a
 * regression, because the gate can no longer vouch for it. */
typedef enum { ALS_VERDICT_OK = 0, ALS_VERDICT_IMPROVED, ALS_VERDICT_REGRESSED, ALS_VERDICT_MISSING } als_verdict;
const char *als_verdict_name(als_verdict v);
/* Verdict of now against base, allowing tol (absolute units).  NaN now against a finite base
 * regressed; NaN base against a finite now improved; both NaN ok. */
als_verdict als_check_compare(double base, double now, bool higher_is_better, double tol);

typedef struct {
    char path[4096];
    char experiment[256];
    char metric[64];
    bool higher_is_better;
    bool has_tolerance;
    als_tolerance tol;
    char data_sha256[80];      /* "" when absent */
    char alstune_version[64];
    als_rcell best;            /* parameters and mean (std may be NaN) */
    bool has_test;
    double test_value;
    als_rcell *cells;          /* parameters and mean */
    size_t ncells;
} als_baseline;

/* Read a baseline.  Missing file, missing keys, bad numbers, a direction that contradicts the
 * metric's name: ALS_E_INPUT at path[:line[:col]]. */
als_status als_baseline_load(als_baseline *b, const char *path, als_diag *d);
void als_baseline_free(als_baseline *b);
/* Write a baseline of r to path (temp + rename).  tol NULL: the metric's default tolerance. */
als_status als_baseline_write(const als_results *r, const als_tolerance *tol, const char *path, als_diag *d);

typedef struct {
    char item[200];
    double base, now, delta, tol; /* delta = now − base; tol in absolute units */
    als_verdict verdict;
} als_check_row;

typedef struct {
    als_check_row *rows;
    size_t n, n_regressed, n_improved;
    als_tolerance tol;
    const char *tol_source;    /* "--tolerance", "baseline", "default for <metric>" */
    char metric[64];
    bool higher_is_better;
    char best_note[512];       /* "" or what changed about the best cell */
} als_check_result;

/* Compare r against b.  override: --tolerance (NULL = the baseline's, else the default).
 * Returns ALS_OK when nothing regressed, ALS_E_CHECK when something did (res is filled in both
 * cases), ALS_E_INPUT when the two do not belong together (different metric or data, a baseline
 * cell or the holdout metric missing from the results). */
als_status als_check_run(const als_results *r, const als_baseline *b, const als_tolerance *override,
                         als_check_result *res, als_diag *d);
void als_check_result_free(als_check_result *res);
/* The comparison table and a PASS/FAIL line. */
void als_check_print(const als_check_result *res, const char *results_dir, const char *baseline_path, FILE *f);

#endif
