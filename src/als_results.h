/* als_results — a results folder (docs/outputs.md) loaded into memory: summary.csv (required),
 * iterations.csv, folds.csv, trials.csv, rungs.csv, timings.csv (job rows), experiment.yaml, best.yaml, provenance.yaml, read with als_csv and
 * als_yflat; and the grid view of it (distinct axis values, what varies, best cells) that the
 * report, its figures (als_plot) and the regression gate (als_check) share. */
#ifndef ALS_RESULTS_H
#define ALS_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "als_csv.h"
#include "als_error.h"
#include "als_yflat.h"

typedef struct {
    long position, cell, cell0;  /* cell0 = first cell of the cell's config (cell - cell % n_maxIter) */
    long line;                   /* its line in summary.csv (for messages) */
    double rank, regParam, maxIter, alpha;
    bool implicitPrefs, nonnegative, bias;
    double mean, std, min, max, mean_rmse, mean_mae; /* NaN when the column is absent */
    long n_folds;
    /* issue 13 (docs/statistics.md): NaN / -1 when the column is absent (older summaries) */
    double delta, p_value, p_holm, se;
    int equivalent_to_best, selected;
    double seed_std;             /* replicates: the seed-to-seed spread (NaN when the column is absent) */
} als_rcell;

typedef struct {
    long cell0, fold, iteration;
    double train_rmse, valid_rmse, value;
} als_riter;

typedef struct {
    long cell, fold;
    double value;
    double n_train, n_valid, n_dropped;
} als_rfold;

/* nested.csv of nested CV (split.outerFolds, docs/outputs.md): one row per outer fold. */
typedef struct {
    long outer_fold, cell;
    long line;                   /* its line in nested.csv */
    double rank, regParam, maxIter, alpha;
    bool implicitPrefs, nonnegative, bias;
    double inner_best, inner_std, outer_score, n_train, n_test; /* NaN when the column is absent */
} als_rnested;

/* trials.csv of a sampled search (docs/outputs.md): one row per trial, in trial order. */
typedef enum { ALS_TRIAL_COMPLETE, ALS_TRIAL_PRUNED, ALS_TRIAL_FAILED } als_trial_state;
typedef struct {
    long trial, cell, position;
    double rank, regParam, maxIter, alpha, mean;
    bool implicitPrefs, nonnegative, bias;
    als_trial_state state;  /* the `state` column; COMPLETE when the column is absent */
    double budget;          /* iterations the trial reached (`budget`, pruned searches); NaN when absent */
} als_rtrial;

/* rungs.csv of a pruned search (docs/outputs.md, written by the pruner): one row per (trial, rung). */
typedef struct {
    long trial, bracket, rung;
    double budget;   /* iterations (maxIter) of the rung */
    double value;    /* CV mean of the metric at that budget */
    bool promoted;
} als_rrung;

/* timings.csv's job rows (phase `job`): wall seconds of one (config, fold) job; NaN for a job
 * resumed from an earlier run (empty seconds). */
typedef struct {
    long cell0, fold;
    double seconds;
} als_rjob;

typedef struct {
    char dir[4096];
    char name[256];            /* experiment name (experiment.yaml name:, else the folder name) */
    char metric[64];           /* selection metric, from summary.csv */
    bool higher_is_better;
    als_rcell *cells;          /* summary.csv rows, best first */
    size_t ncells;
    double maxIters[64];       /* distinct maxIter values, ascending */
    size_t n_maxIter;
    als_riter *iters;          /* iterations.csv (niters = 0 when the file is absent) */
    size_t niters;
    als_rfold *folds;          /* folds.csv (nfolds_rows = 0 when absent) */
    size_t nfold_rows;
    als_rtrial *trials;        /* trials.csv (ntrials = 0 when absent: a grid) */
    size_t ntrials;
    als_rnested *nested;       /* nested.csv sorted by outer fold (nnested = 0 when absent) */
    size_t nnested;
    bool has_nested;
    als_yflat experiment, best, provenance;  /* n = 0 when the file is absent */
    bool has_experiment, has_best, has_provenance, has_iterations, has_folds;
    bool has_trials;           /* trials.csv exists: a sampled search, not a grid */
    bool has_budget;           /* trials.csv has the `budget` column (a pruned search) */
    als_rrung *rungs;          /* rungs.csv (nrungs = 0 when absent: no pruner ran) */
    size_t nrungs;
    bool has_rungs;
    als_rjob *jobs;            /* timings.csv's job rows (njobs = 0 when absent) */
    size_t njobs;
    bool has_timings;
    bool has_stats;            /* summary.csv has p_holm and equivalent_to_best (issue 13) */
    long selected;             /* index in cells of the row with selected = 1, or -1 */
} als_results;

/* Load dir/summary.csv (required) and the other files of docs/outputs.md when present.
 * A missing folder or summary.csv, a garbled file, or a summary mixing metrics is ALS_E_INPUT
 * with path:line.  r is always free-able afterwards. */
als_status als_results_load(als_results *r, const char *dir, als_diag *d);
void als_results_free(als_results *r);

/* Direction of a metric by name: rmse, mse, mae, mpr (any case, with or without @k) are
 * lower-is-better; every other metric is higher-is-better. */
bool als_metric_name_lower_is_better(const char *name);

/* The row index in r->cells matching the parameters of c (rank, regParam, maxIter, alpha,
 * implicitPrefs, nonnegative, bias), or -1. */
long als_results_find_cell(const als_results *r, const als_rcell *c);

/* Display name of a metric: "RMSE", "NDCG@10", "R²", ...; unknown names as they are. */
void als_metric_label(char *out, size_t n, const char *metric);

/* ---- the grid: distinct values of each axis, sorted, and which of the other axes vary -------- */
#define ALS_RAXIS_MAX 256
typedef struct {
    double v[ALS_RAXIS_MAX];
    size_t n;
} als_raxis;

typedef struct {
    als_raxis rank, reg, mi, alpha;
    bool vary_alpha, vary_imp, vary_nn, vary_bias;
} als_rgrid;

void als_rgrid_build(const als_results *r, als_rgrid *g);
/* Index of v in a (exact match), or -1. */
long als_raxis_index(const als_raxis *a, double v);
/* a is a better metric value than b in r's direction; NaN is worse than anything. */
bool als_results_better(const als_results *r, double a, double b);
/* Best cell (index into r->cells) with this rank/regParam/maxIter over the other axes, or -1. */
long als_results_best_at(const als_results *r, double rank, double reg, double mi);
/* "rank 10, λ 0.1" plus the other axes that vary in the grid. */
void als_rgrid_config_label(const als_rgrid *g, const als_rcell *c, char *out, size_t n);
/* "alpha, bias": the names of the varying non-grid axes (empty when none); returns out. */
const char *als_rgrid_varying_axes(const als_rgrid *g, char *out, size_t n);

/* The selected cell (selected = 1 in summary.csv), else the best (position 1): the cell that
 * best.yaml and the warnings are about. */
const als_rcell *als_results_chosen(const als_results *r);

/* ---- the search as a sequence of trials (issue 12 item 5; docs/report.md) ----------------------
 * A sampled search: the rows of trials.csv in trial order.  A grid: the cells of summary.csv in
 * cell order, each a trial.  value is the trial's CV mean, NaN unless it completed (a pruned or
 * failed trial has no final value).  seconds: the wall seconds of its config's jobs
 * (timings.csv, phase job, cell0 = the trial's cell - cell % n_maxIter), counted at the first
 * trial of that config (the later ones reuse its training: 0); NaN when timings.csv is absent or
 * has no job row of the config; resumed jobs (empty seconds) count 0 and are counted in
 * *n_untimed. */
typedef struct {
    long trial;          /* trial number (trials.csv) or cell number (a grid) */
    long cell, cell0;
    double rank, regParam, maxIter, alpha;
    bool implicitPrefs, nonnegative, bias;
    double value;
    bool complete;
    double seconds;
} als_rstep;
/* Fill *out (malloc'd, free() it) and return its length; 0 with *out = NULL for an empty folder or
 * when out of memory (*oom set). */
size_t als_results_sequence(const als_results *r, als_rstep **out, size_t *n_untimed, bool *oom);
/* best[i]: the best value among the complete steps 0..i (NaN before the first finite one), in r's
 * direction; wall[i]: the cumulative seconds of steps 0..i (NaN seconds count 0), or NaN for every
 * i when no step has finite seconds.  Returns whether any step has finite seconds. */
bool als_results_history(const als_results *r, const als_rstep *s, size_t n, double *best, double *wall);

/* Parameter importances of the search (als_importance, docs/report.md): over the complete steps
 * of als_results_sequence with a finite value, for each parameter with ≥ 2 distinct values among
 * them (rank, regParam, maxIter, alpha, implicitPrefs, nonnegative, bias, in that order), η² of
 * its bins and its share of Σ η².  p[] is sorted by share, largest first (ties in parameter
 * order).  Returns false (np = 0) when there are fewer than ALS_IMP_MIN_TRIALS such steps, no
 * parameter varies, the values are all equal, or out of memory (*oom). */
#define ALS_RIMP_MAX 7
typedef struct {
    char name[16];
    double eta2, share;
    size_t bins;
} als_rimp_param;
typedef struct {
    size_t n_trials;  /* steps used */
    size_t max_bins;  /* B = als_importance_nbins(n_trials) */
    size_t np;
    als_rimp_param p[ALS_RIMP_MAX];
} als_rimportance;
bool als_results_importance(const als_results *r, als_rimportance *out, bool *oom);

/* ---- warnings about the search (issue 12 item 5; the rule is in docs/report.md) ---------------
 * EDGE_LOW / EDGE_HIGH: the chosen cell's value of a numeric axis (rank, regParam, maxIter, alpha)
 * with ≥ 2 distinct values tried is the smallest / largest value tried (maxIter's largest is left
 * to IMPROVING, which looks at the curve).  IMPROVING: the chosen cell sits at the largest
 * iteration of its learning curve (iterations.csv) and the last iteration improved the fold-mean
 * validation metric by more than ALS_IMPROVING_FRAC of its value. */
#define ALS_IMPROVING_FRAC 0.001
typedef enum { ALS_RWARN_EDGE_LOW, ALS_RWARN_EDGE_HIGH, ALS_RWARN_IMPROVING } als_rwarn_kind;
typedef struct {
    als_rwarn_kind kind;
    char param[16];     /* rank, regParam, maxIter, alpha */
    double value;       /* the chosen cell's value (IMPROVING: its maxIter) */
    double lo, hi;      /* a distribution's [min, max] from experiment.yaml, else the values tried */
    bool distribution;  /* lo, hi are a sampled search's distribution bounds */
    double gain;        /* IMPROVING: relative gain of the last iteration */
    char text[320];     /* one line, no trailing newline: what the report and tune print */
} als_rwarn;
#define ALS_RWARN_MAX 8
/* Fill w[0..] (at most ALS_RWARN_MAX) and return how many; 0 for an empty folder. */
size_t als_results_warnings(const als_results *r, als_rwarn *w);

#endif
