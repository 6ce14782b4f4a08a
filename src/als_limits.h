/* als_limits — the one table of bounds of every bounded quantity (issue 11, docs/yaml.md
 * "Limits").  Each bound is defined here once; the solver's parameter check, the experiment
 * loader (which reports at the key's file:line:col), the runner's job cap and every command's
 * option parser read it from this table, so the same value can never be accepted by one layer
 * and refused (or crash) in another.
 *
 * The upper bounds are not arbitrary: each entry says why (`why`), and that text is part of the
 * message when a value is refused.  Constants that size arrays are macros so that C can use them. */
#ifndef ALS_LIMITS_H
#define ALS_LIMITS_H

#include <stdbool.h>

#include "als_error.h"

#define ALS_RANK_MAX 1024         /* the solver's per-row stack buffers are sized by it */
#define ALS_MAXITER_MAX 100000
#define ALS_CGSTEPS_MAX 100000
#define ALS_NUMFOLDS_MAX 1000
#define ALS_GRID_MAX 256          /* values per grid axis (als_axis holds them inline) */
#define ALS_JOBS_MAX 100000       /* (grid point, fold) jobs of one experiment */
#define ALS_ITER_ROWS_MAX 10000000 /* jobs × the largest maxIter: iterations.csv rows held in memory */
#define ALS_TOPK_MAX 1000000      /* k of top-k: recommend/similar/evaluate -k, rankingK, @K */
#define ALS_THREADS_MAX 4096
#define ALS_REGPARAM_MAX 1e30      /* keeps λ·n and the regularised systems finite */
#define ALS_ALPHA_MAX 1e30
#define ALS_TRIALS_MAX 10000      /* trials of a sampled search (search.trials) */
#define ALS_SHARDS_MAX ALS_JOBS_MAX /* N of tune --shard I/N (docs/scale.md) */
#define ALS_PATIENCE_MAX ALS_MAXITER_MAX /* als.earlyStopping.patience */
#define ALS_BATCH_MAX 1000        /* search.batch: TPE's round size */
#define ALS_ETA_MAX 100           /* pruner.eta */
#define ALS_BURNIN_MAX 1000000    /* BPMF burn-in sweeps (als_bpmf_params_check's bound) */
#define ALS_SAMPLES_MAX 1000000   /* BPMF collected sweeps (als_bpmf_params_check's bound) */
#define ALS_NUMREPEATS_MAX 100    /* split.numRepeats (issue 13): repeated k-fold partitions */
#define ALS_OUTERFOLDS_MAX 100    /* split.outerFolds (issue 13): nested CV outer folds */
#define ALS_REPLICATES_MAX 100    /* replicates (issue 13): training seeds per job */
#define ALS_BPMF_RANK_MAX 512     /* BPMF rank (= ALS_BPMF_MAX_RANK of als_bpmf.h; the runner asserts it) */
#define ALS_BPMF_PRIOR_MAX 1e30   /* β₀, W₀, ν₀, the Gamma prior of α, the bias precision */

/* X(ID, name, lo, hi, integer, why) */
#define ALS_LIMITS(X)                                                                               \
    X(RANK, "rank", 1, ALS_RANK_MAX, true,                                                          \
      "each row's normal equations are rank x rank doubles on a thread's stack")                   \
    X(REGPARAM, "regParam", 0, ALS_REGPARAM_MAX, false, "larger values overflow the regularised systems")       \
    X(MAXITER, "maxIter", 0, ALS_MAXITER_MAX, true,                                                  \
      "every iteration of every job keeps a journal row in memory until the summary")              \
    X(ALPHA, "alpha", 0, ALS_ALPHA_MAX, false, "larger confidences overflow the implicit systems")           \
    X(CGSTEPS, "cgSteps", 1, ALS_CGSTEPS_MAX, true, "CG converges in at most rank steps anyway")    \
    X(NUMFOLDS, "numFolds", 2, ALS_NUMFOLDS_MAX, true,                                              \
      "every fold keeps its own by-user and by-item copy of the training ratings")                 \
    X(LEAVEK, "leaveK", 1, 1000000, true, "a user with fewer ratings keeps all of them")           \
    X(GRID_VALUES, "values per grid axis", 1, ALS_GRID_MAX, true, "an axis holds them inline")     \
    X(JOBS, "jobs (grid points x folds)", 1, ALS_JOBS_MAX, true,                                    \
      "a larger grid runs for days; split it into several experiments or use ranges with fewer "   \
      "values")                                                                                     \
    X(ITER_ROWS, "iteration rows (jobs x the largest maxIter)", 1, ALS_ITER_ROWS_MAX, true,             \
      "every job keeps one iterations.csv row (about 120 bytes) per iteration in memory until the "   \
      "summary: 10^7 rows are about 1.2 GB")                                                          \
    X(TRIALS, "trials", 1, ALS_TRIALS_MAX, true,                                                     \
      "every trial is numFolds jobs, and the job cap is 100000; split a larger search into several "  \
      "experiments")                                                                                \
    X(BATCH, "search.batch", 1, ALS_BATCH_MAX, true,                                               \
      "a round's proposals see none of its own results; a round wider than 1000 trials is random "   \
      "search")                                                                                     \
    X(ETA, "eta", 2, ALS_ETA_MAX, true,                                                              \
      "each rung keeps 1/eta of its trials; above 100 a bracket is a single rung")                   \
    X(MINITER, "minIter", 1, ALS_MAXITER_MAX, true,                                                  \
      "a rung's budget is at most maxIter, which is capped there")                                  \
    X(PATIENCE, "patience", 1, ALS_PATIENCE_MAX, true,                                               \
      "a patience above the largest maxIter never stops a fold, and maxIter is capped there")         \
    X(TOPK, "k", 1, ALS_TOPK_MAX, true, "a top-k list is held in memory per user")                 \
    X(THREADS, "threads", 0, ALS_THREADS_MAX, true, "more threads than any machine has cores")      \
    X(SHARDS, "shards", 1, ALS_SHARDS_MAX, true, "a shard is at least one job, and the job cap is 100000") \
    X(BURNIN, "burnin", 0, ALS_BURNIN_MAX, true,                                                  \
      "every sweep costs about one ALS iteration; 10^6 sweeps of ml-100k take several hours")     \
    X(SAMPLES, "samples", 1, ALS_SAMPLES_MAX, true,                                                \
      "every collected sweep costs about one ALS iteration plus a pass over the factors")           \
    X(BPMF_RANK, "rank", 1, ALS_BPMF_RANK_MAX, true,                                                \
      "a BPMF row draw holds (rank+1) x (rank+1) doubles on a thread's workspace; model: als allows " \
      "1024")                                                                                       \
    X(BPMF_PRIOR, "prior", 0, ALS_BPMF_PRIOR_MAX, false,                                            \
      "larger precisions or scales overflow the Wishart and Gamma draws")                          \
    X(BPMF_INIT, "initScale", 0, 1000, false, "larger initial factors overflow the first predictions") \
    X(BOOTSTRAP, "bootstrap", 2, 100000, true,                                                      \
      "each resample redraws every holdout rating (or user): B x n_test draws after the refit")     \
    X(NUMREPEATS, "numRepeats", 1, ALS_NUMREPEATS_MAX, true,                                        \
      "every repeat is numFolds more folds, each with its own copy of the training ratings")       \
    X(OUTERFOLDS, "outerFolds", 2, ALS_OUTERFOLDS_MAX, true,                                        \
      "every outer fold reruns the whole inner search")                                            \
    X(REPLICATES, "replicates", 1, ALS_REPLICATES_MAX, true,                                        \
      "every replicate trains every job once more")                                        \
    X(QUANTILE, "quantile", 0, 1, false, "a probability (recommend --rank-by quantile)")

typedef enum {
#define ALS_LIMIT_ENUM(id, name, lo, hi, integer, why) ALS_LIM_##id,
    ALS_LIMITS(ALS_LIMIT_ENUM)
#undef ALS_LIMIT_ENUM
    ALS_LIM_N
} als_limit_id;

typedef struct {
    const char *name;  /* the parameter's name as the user writes it */
    double lo, hi;     /* inclusive bounds */
    bool integer;
    const char *why;   /* why the upper bound is what it is */
} als_limit;

/* The table entry of id (never NULL for a valid id). */
const als_limit *als_limit_get(als_limit_id id);
/* Bounds as longs, for integer option parsers. */
long als_limit_lo(als_limit_id id);
long als_limit_hi(als_limit_id id);

/* Is v inside the bounds of id (and an integer when id is integer)? */
bool als_limit_ok(als_limit_id id, double v);

/* "an integer in [1, 1024]" / "a number in [0, 1e+30]" into buf. */
void als_limit_want(als_limit_id id, char *buf, size_t n);

/* Check v against id.  On failure fills d with
 *   "<name> must be <want>, got <v> (<why>)"
 * at (path, line, col) and returns ALS_E_INPUT; d may be NULL. */
als_status als_limit_check(als_limit_id id, double v, als_diag *d, const char *path, long line, long col);

#endif
