/* als_config — experiment YAML → als_experiment (design §4, docs/yaml.md).  The only libyaml
 * user.  Every error names file:line:col (1-based) and what was expected; unknown keys get a
 * "did you mean" hint.  Paths in the experiment are resolved relative to the YAML file. */
#ifndef ALS_CONFIG_H
#define ALS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "als_data.h"
#include "als_limits.h"
#include "als_metrics.h"
#include "als_search.h"
#include "als_split.h"
#include "als_synth.h"

/* ALS_GRID_MAX (values per grid axis) and every other bound: als_limits.h */

typedef enum { ALS_COLD_DROP = 0, ALS_COLD_NAN, ALS_COLD_MEAN } als_cold_start;
/* als.model (issue 15): Spark's ALS (default) or Bayesian PMF by Gibbs sampling (docs/bpmf.md) */
typedef enum { ALS_MODEL_ALS = 0, ALS_MODEL_BPMF } als_model_kind;

/* statistics/select (issue 13, docs/statistics.md): the tests are als_stest_kind's values, in
 * its order (corrected_t, paired_t, wilcoxon); the runner asserts it. */
typedef enum { ALS_STAT_CORRECTED_T = 0, ALS_STAT_PAIRED_T, ALS_STAT_WILCOXON } als_stat_test;
typedef enum { ALS_SELECT_BEST = 0, ALS_SELECT_ONE_SE } als_select_rule;
const char *als_stat_test_name(als_stat_test t);
const char *als_select_rule_name(als_select_rule s);
const char *als_cold_start_name(als_cold_start c);

/* Keys whose position the runner needs for errors found only after the data is read. */
typedef enum {
    ALS_KEY_DATA, ALS_KEY_RATINGS, ALS_KEY_SPLIT, ALS_KEY_TESTFRACTION, ALS_KEY_NUMFOLDS, ALS_KEY_LEAVEK,
    ALS_KEY_ALS, ALS_KEY_RANK, ALS_KEY_REGPARAM, ALS_KEY_MAXITER, ALS_KEY_ALPHA, ALS_KEY_CGSTEPS,
    ALS_KEY_RANKINGK, ALS_KEY_METRIC, ALS_KEY_N
} als_key;
/* Where a key's value was given in the experiment file (1-based); line 0 = not given (default). */
typedef struct { long line, col; } als_keypos;

/* One axis of the grid: n ≥ 1 values (a scalar is a one-value list). */
typedef struct { int n; double v[ALS_GRID_MAX]; } als_axis;

/* A parameter's distribution under a sampled search (docs/yaml.md "search"): when `on`, the
 * parameter's axis holds exactly [min, max] and the sampler draws from it (log: uniform in log
 * space; integer: an integer).  When not on, a one-value axis is fixed and a list of n values is a
 * categorical choice among them. */
typedef struct {
    bool on, log, integer;
} als_dist;

typedef enum { ALS_PRUNE_NONE = 0, ALS_PRUNE_HALVING, ALS_PRUNE_HYPERBAND } als_pruner;
const char *als_pruner_name(als_pruner p);

/* The `search:` section.  grid (the default, sampled = false) trains every point of the axes; a
 * sampled method trains `trials` configs proposed by als_search in trial order from `seed`. */
typedef struct {
    bool sampled;               /* method random, sobol or tpe */
    als_search_method method;   /* when sampled */
    int trials;                 /* when sampled: 1 .. ALS_TRIALS_MAX */
    uint64_t seed;              /* random: the proposals' seed (default 42); Sobol ignores it */
    als_dist rank, regParam, maxIter, alpha;
    als_keypos pos;             /* of search.method (line 0: not given) */
    als_keypos trials_pos;      /* of search.trials */
    int batch;                  /* tpe: proposals per round, [1, ALS_BATCH_MAX] (default 8) */
    /* pruner: {method, minIter, eta} (docs/search.md "Pruning"): synchronous successive halving or
     * Hyperband over maxIter; works with the grid and every sampler */
    als_pruner pruner;          /* ALS_PRUNE_NONE (default) */
    int minIter;                /* the smallest rung budget, [1, maxIter] (default 1) */
    int eta;                    /* [2, ALS_ETA_MAX] (default 3) */
    als_keypos pruner_pos;      /* of pruner.method (line 0: not given) */
} als_search_cfg;

typedef struct {
    char path[4096];       /* the YAML file as given */
    char name[256];        /* results/<name>/ ; default: the YAML file's base name */
    char output[4096];     /* resolved output dir ("" = results/<name> relative to the cwd) */

    /* data */
    bool synthetic;
    als_synth_opts synth;  /* when synthetic */
    char ratings[4096];    /* resolved path (when not synthetic) */
    char movies[4096];     /* resolved path or "" */
    als_load_opts load;    /* format, skip_bad_lines, rating range, duplicates; load.*_col point
                            * into the three fields below (NULL when not given), so after copying
                            * the struct call als_experiment_fix_cols() on the copy */
    char user_col[128], item_col[128], rating_col[128]; /* generic CSV/TSV column names or "" */

    /* split */
    double testFraction;   /* [0, 1) */
    int numFolds;          /* ≥ 2 */
    als_split_scheme scheme;
    int leaveK;            /* leave_k_out: k (default 1) */
    uint64_t splitSeed;

    /* als grid (integers stored as doubles) */
    als_axis rank, regParam, maxIter, alpha;
    als_axis implicitPrefs, nonnegative, bias;  /* 0/1 */
    als_cold_start coldStart;
    uint64_t seed;
    int solver;            /* als_implicit_solver */
    int cgSteps;
    /* als.earlyStopping (docs/yaml.md): a fold's training stops once the selection metric on its
     * validation fold has not improved by more than esMinDelta for esPatience iterations */
    bool earlyStopping;    /* the key was given */
    int esPatience;        /* [1, ALS_PATIENCE_MAX] */
    double esMinDelta;     /* finite, >= 0 */

    als_search_cfg search; /* grid (default) or a sampled search */

    als_metric metric;     /* selection metric */
    int rankingK;          /* k for recommendations when a ranking metric is used */
    double relevanceThreshold; /* explicit data: rating ≥ this is relevant for ranking metrics */

    /* statistics and selection (issue 13) */
    als_stat_test statTest; /* comparison of every cell with the best (default corrected_t) */
    double statLevel;      /* equivalent_to_best when Holm's p >= this; (0, 1), default 0.05 */
    int bootstrapB;        /* holdout bootstrap resamples (default 1000) */
    als_select_rule select; /* which cell best.yaml refits (default best) */

    /* repeated and nested cross-validation, initialisation variance (issue 13, docs/statistics.md) */
    int numRepeats;        /* split.numRepeats: R seeded k-fold partitions (default 1) */
    int outerFolds;        /* split.outerFolds: nested CV outer folds (0 = no nested CV; else >= 2) */
    int outerFold;         /* internal, not a key: the outer fold an inner run is for (-1 = none) */
    int replicates;        /* replicates: training seeds per job (default 1) */

    als_keypos pos[ALS_KEY_N]; /* file:line:col of each key's value, for data-dependent errors */

    /* als.model: bpmf (issue 15, docs/yaml.md "BPMF", docs/bpmf.md "In tune").  The grid's maxIter
     * axis then holds the `samples` values (path reuse: one chain per (config, fold), scored at
     * every collected sample) and pos[ALS_KEY_MAXITER] points at `samples`; regParam is [0],
     * implicitPrefs and nonnegative [false]; an alpha value NaN is `sample` (α drawn from its
     * Gamma conditional). */
    als_model_kind model;
    int bpmfBurnin;            /* als.bpmf.burnin, [0, ALS_BURNIN_MAX] (default 20) */
    double bpmfMu0;            /* every component of μ₀, finite (default 0) */
    double bpmfBeta0;          /* β₀ > 0 (default 2) */
    double bpmfW0;             /* W₀ = W0·I, > 0 (default 1) */
    double bpmfNu0;            /* ν₀ > rank − 1; 0 = each config's rank (default) */
    double bpmfAlphaShape, bpmfAlphaRate; /* Gamma prior of a sampled α, > 0 (default 1, 1) */
    double bpmfBiasPrec;       /* prior precision of each bias when bias: true, > 0 (default 1) */
    double bpmfInitScale;      /* initial factors init_scale·N(0, 1), [0, 1e3] (default 0.1) */
    als_keypos bpmfPos;        /* of als.model (line 0: not given) */
    als_keypos bpmfNu0Pos;     /* of als.bpmf.nu0 (line 0: not given) */
} als_experiment;

void als_experiment_default(als_experiment *e);
/* Grid points without maxIter (product of the axes; for a sampled search its trials, an upper
 * bound of its distinct configs) and jobs (× numFolds), as doubles so that a huge grid cannot
 * overflow; the loader refuses more than ALS_JOBS_MAX jobs. */
double als_experiment_nconfigs(const als_experiment *e);
double als_experiment_njobs(const als_experiment *e);
/* Jobs × the largest maxIter: the iterations.csv rows a run holds (capped at ALS_ITER_ROWS_MAX). */
double als_experiment_iter_rows(const als_experiment *e);
/* Fill d with ALS_E_INPUT at key k's position in e->path (just the path when the key was not
 * given) and the message; returns ALS_E_INPUT.  For errors found after the data is read. */
als_status als_experiment_error(const als_experiment *e, als_key k, als_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Point e->load.user_col/item_col/rating_col at e's own fields (NULL for ""). */
void als_experiment_fix_cols(als_experiment *e);
/* Parse and validate; e is filled with defaults first.  Does not read the data files but checks
 * that they exist (a missing one is reported with its resolved path, at the key's line:col). */
als_status als_config_load(als_experiment *e, const char *path, als_diag *d);
/* Write the resolved experiment as YAML (all defaults filled in) — results/<name>/experiment.yaml.
 * The caller may append a top-level "fingerprint:" mapping after it; als_config_load accepts and
 * ignores that key, so experiment.yaml can be loaded again. */
void als_config_write(const als_experiment *e, FILE *f);

#endif
