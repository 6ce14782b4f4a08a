/* als_runner — grid × k-fold cross-validation, journaling/resume and the results folder.
 * The file layout is the contract of docs/outputs.md. */
#define _GNU_SOURCE
#include "als_runner.h"

#include "config.h"

#include <cblas.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "als_bpmf.h"
#include "als_data.h"
#include "als_dpals.h"
#include "als_eval.h"
#include "als_metrics.h"
#include "als_model.h"
#include "als_mpi.h"
#include "als_search.h"
#include "als_solver.h"
#include "als_sparse.h"
#include "als_split.h"
#include "als_stats_test.h"
#include "als_synth.h"
#include "als_util.h"

#define FOLDS_HEADER "cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,fold,metric,value,rmse,mae,mse,r2,n_train,n_valid,n_dropped\n"
/* with als.earlyStopping, folds.csv has one more column at the end (docs/outputs.md) */
#define FOLDS_HEADER_ES "cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,fold,metric,value,rmse,mae,mse,r2,n_train,n_valid,n_dropped,stopped_at\n"
#define FOLDS_HEADER_SEED "cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,fold,metric,value,rmse,mae,mse,r2,n_train,n_valid,n_dropped,seed_std\n"
#define FOLDS_HEADER_ES_SEED "cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,fold,metric,value,rmse,mae,mse,r2,n_train,n_valid,n_dropped,stopped_at,seed_std\n"
#define ITERS_HEADER "cell0,rank,regParam,alpha,implicitPrefs,nonnegative,bias,fold,iteration,train_rmse,valid_rmse,metric,value\n"

typedef struct {
    int rank;
    double regParam, alpha;
    bool implicit, nonneg, bias;
} cfg_t;

typedef struct {
    als_csr by_user, by_item; /* training ratings of the fold */
    als_csr valid;            /* validation ratings by user */
    uint32_t *item_count;     /* training ratings per item (0: cold, never recommended) */
    size_t ntrain;
    double train_mean;
} fold_t;

typedef struct {
    double value, rmse, mae, mse, r2;
    size_t n_valid, n_dropped;
} eval_t;

typedef struct {
    int cfg, fold;
    double cost;
    bool done, resumed, failed;
    double seconds;
    int threads;       /* threads the job's solver used */
    char **fold_rows;  /* n_maxiter rows (with '\n') */
    char **iter_rows;  /* max_maxiter rows */
    /* rounds and rungs (issue 12; the search section below): a job trains to `target` iterations
     * (0: the largest maxIter), continuing from `model` when it holds `trained` iterations; the
     * rows below it_jn / fo_jn are already in the live journal */
    int target, trained, it_jn, fo_jn;
    als_model *model;  /* kept between rungs (NULL: train from iteration 0) */
    int model_iters;   /* iterations `model` holds (0: none, e.g. after a resume) */
    bool keep_model;
} job_t;

typedef struct {
    const als_experiment *e;
    const als_run_opts *o;
    als_ratings r;
    als_movies movies;
    char config_sha[65], data_sha[65];
    int threads;
    cfg_t *cfgs;
    int ncfg, nmax, maxmax, K;
    int maxiters[ALS_GRID_MAX];
    int ntrials;      /* a sampled search: its trials (0 for a grid) */
    int *trial_cell;  /* trial t's cell (config * nmax + maxIter index) */
    /* issue 12's rounds and rungs (search_run): NULL/0 for a plain grid, random or Sobol search */
    bool driven;      /* TPE and/or a pruner: jobs run phase by phase */
    int *trial_cfg;   /* trial t's config */
    int *trial_budget;/* iterations trial t reached (0: not evaluated yet) */
    signed char *trial_state; /* 0 running, 1 complete, 2 pruned, 3 failed */
    int *trial_bracket;
    int nproposed;    /* trials proposed so far */
    struct rung_row *rungs;
    int nrungs, rungs_cap;
    char *jbuf_f, *jbuf_i; /* a previous run's journal, matched as configs appear */
    char phase[128];  /* progress: the round or rung running */
    fold_t *folds;
    size_t *train_idx, *test_idx;
    size_t ntrain, ntest;
    job_t *jobs;
    int njobs;
    char out[4096];
    FILE *folds_f, *iters_f;
    int lock_fd;       /* flock'ed <out>/alstune.lock, -1 before it is taken */
    /* progress */
    double t0, cost_total, cost_done;
    int jobs_done, jobs_todo;
    double next_log_frac;
    bool tty;
    atomic_int running;
    /* scale-out (docs/scale.md): the MPI dealer's view of the worker ranks (NULL: no ranks), the
     * journal's file names (a shard's own), the shard lock */
    struct mpi_deal *mpi;
    char jfolds[64], jiters[64];
    int shard_lock_fd;
} run_t;

/* ---- small helpers ---------------------------------------------------------------------------- */

/* Has the caller asked us to stop (SIGINT/SIGTERM in the CLI)?  Polled at safe points only. */
static bool stop_requested(const run_t *R) { return R->o->stop && *R->o->stop != 0; }

static als_status interrupted(const run_t *R, als_diag *d)
{
    return als_diag_set(d, ALS_E_INTERRUPTED, "", 0, 0,
                        "interrupted (signal %d); the finished jobs are saved in %s and a rerun resumes",
                        R->o->stop ? (int)*R->o->stop : 0, R->out);
}

static const char *tf(bool b) { return b ? "true" : "false"; }

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Folds of the cross-validation: numFolds x split.numRepeats (repeat r's folds are r*k .. r*k+k-1). */
static int total_folds(const als_experiment *e) { return e->numFolds * (e->numRepeats > 1 ? e->numRepeats : 1); }

int als_runner_nconfigs(const als_experiment *e)
{
    if (e->search.sampled)
        return e->search.trials;
    return e->rank.n * e->regParam.n * e->alpha.n * e->implicitPrefs.n * e->nonnegative.n * e->bias.n;
}

/* pruner: {method, minIter, eta} (the loader checked them; experiments built in code may not be). */
static als_status check_pruner(const als_experiment *e, als_diag *d)
{
    const als_search_cfg *s = &e->search;
    if (s->pruner == ALS_PRUNE_NONE)
        return ALS_OK;
    const als_keypos *kp = &s->pruner_pos;
    if (s->pruner != ALS_PRUNE_HALVING && s->pruner != ALS_PRUNE_HYPERBAND)
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col, "pruner.method: unknown pruner %d",
                            (int)s->pruner);
    if (als_limit_check(ALS_LIM_ETA, s->eta, d, e->path, kp->line, kp->col) ||
        als_limit_check(ALS_LIM_MINITER, s->minIter, d, e->path, kp->line, kp->col))
        return ALS_E_INPUT;
    if (s->maxIter.on || e->maxIter.n != 1)
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                            "pruner: maxIter is the largest budget and must be one value");
    if (s->minIter > (int)e->maxIter.v[0])
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                            "pruner.minIter: %d is above maxIter %.0f (the largest budget)", s->minIter,
                            e->maxIter.v[0]);
    if (e->earlyStopping)
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                            "pruner and als.earlyStopping both stop training early; use one of them");
    return ALS_OK;
}

/* A sampled search's own fields (the loader checked them; experiments built in code may not be). */
static als_status check_search(const als_experiment *e, als_diag *d)
{
    if (e->search.sampled) {
        const als_keypos *kp = &e->search.trials_pos;
        if (als_limit_check(ALS_LIM_TRIALS, e->search.trials, d, e->path, kp->line, kp->col))
            return ALS_E_INPUT;
        if (e->search.method == ALS_SEARCH_TPE && als_limit_check(ALS_LIM_BATCH, e->search.batch, d, e->path,
                                                                 e->search.pos.line, e->search.pos.col))
            return ALS_E_INPUT;
        const als_dist *ds[4] = {&e->search.rank, &e->search.regParam, &e->search.maxIter, &e->search.alpha};
        const als_axis *ax[4] = {&e->rank, &e->regParam, &e->maxIter, &e->alpha};
        for (int p = 0; p < 4; p++)
            if (ds[p]->on && ax[p]->n != 2)
                return als_diag_set(d, ALS_E_INPUT, e->path, 0, 0, "search: a distribution's axis must hold "
                                    "[min, max], got %d values", ax[p]->n);
    }
    return check_pruner(e, d);
}

/* als.earlyStopping's fields (the loader checked them; experiments built in code may not be). */
static als_status check_early(const als_experiment *e, als_diag *d)
{
    if (!e->earlyStopping)
        return ALS_OK;
    const als_keypos *kp = &e->pos[ALS_KEY_ALS];
    if (als_limit_check(ALS_LIM_PATIENCE, e->esPatience, d, e->path, kp->line, kp->col))
        return ALS_E_INPUT;
    if (!(isfinite(e->esMinDelta) && e->esMinDelta >= 0))
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                            "earlyStopping.minDelta must be a finite number >= 0, got %g", e->esMinDelta);
    return ALS_OK;
}

/* split.numRepeats, split.outerFolds and replicates (the loader checked them; experiments built in
 * code may not be). */
static als_status check_cv(const als_experiment *e, als_diag *d)
{
    const als_keypos *kp = &e->pos[ALS_KEY_SPLIT];
    if (als_limit_check(ALS_LIM_NUMREPEATS, e->numRepeats, d, e->path, kp->line, kp->col) ||
        (e->outerFolds != 0 && als_limit_check(ALS_LIM_OUTERFOLDS, e->outerFolds, d, e->path, kp->line, kp->col)) ||
        als_limit_check(ALS_LIM_REPLICATES, e->replicates, d, e->path, 0, 0))
        return ALS_E_INPUT;
    if ((long)e->numFolds * e->numRepeats > ALS_NUMFOLDS_MAX)
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col, "numRepeats: %d folds x %d repeats = %ld "
                            "folds; at most %d are allowed", e->numFolds, e->numRepeats,
                            (long)e->numFolds * e->numRepeats, ALS_NUMFOLDS_MAX);
    return ALS_OK;
}

static als_status check_bpmf_grid(const als_experiment *e, als_diag *d); /* model: bpmf (below) */

/* Each value of each axis against the table of limits, at its key; then the job cap. */
static als_status check_grid(const als_experiment *e, als_diag *d)
{
    if (check_search(e, d) || check_early(e, d) || check_cv(e, d))
        return ALS_E_INPUT;
    if (e->model == ALS_MODEL_BPMF && check_bpmf_grid(e, d))
        return ALS_E_INPUT;
    static const struct {
        size_t off;
        als_limit_id id;
        als_key key;
    } ax[] = {
        {offsetof(als_experiment, rank), ALS_LIM_RANK, ALS_KEY_RANK},
        {offsetof(als_experiment, regParam), ALS_LIM_REGPARAM, ALS_KEY_REGPARAM},
        {offsetof(als_experiment, maxIter), ALS_LIM_MAXITER, ALS_KEY_MAXITER},
        {offsetof(als_experiment, alpha), ALS_LIM_ALPHA, ALS_KEY_ALPHA},
    };
    for (size_t a = 0; a < sizeof ax / sizeof ax[0]; a++) {
        const als_axis *x = (const als_axis *)((const char *)e + ax[a].off);
        const als_keypos *kp = &e->pos[ax[a].key];
        if (e->model == ALS_MODEL_BPMF && (ax[a].id == ALS_LIM_MAXITER || ax[a].id == ALS_LIM_ALPHA))
            continue; /* samples and alpha (or sample): check_bpmf_grid */
        if (x->n < 1 || x->n > ALS_GRID_MAX)
            return als_limit_check(ALS_LIM_GRID_VALUES, x->n, d, e->path, kp->line, kp->col);
        for (int i = 0; i < x->n; i++)
            if (als_limit_check(ax[a].id, x->v[i], d, e->path, kp->line, kp->col))
                return ALS_E_INPUT;
        if (ax[a].id == ALS_LIM_MAXITER)
            for (int i = 0; i < x->n; i++)
                if (x->v[i] < 1)
                    return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                                        "maxIter must be >= 1 in a grid, got %.17g", x->v[i]);
    }
    const als_keypos *kp = &e->pos[ALS_KEY_CGSTEPS];
    if (als_limit_check(ALS_LIM_CGSTEPS, e->cgSteps, d, e->path, kp->line, kp->col))
        return ALS_E_INPUT;
    kp = &e->pos[ALS_KEY_NUMFOLDS];
    if (als_limit_check(ALS_LIM_NUMFOLDS, e->numFolds, d, e->path, kp->line, kp->col))
        return ALS_E_INPUT;
    double jobs = als_experiment_njobs(e);
    if (!als_limit_ok(ALS_LIM_JOBS, jobs)) {
        kp = &e->pos[ALS_KEY_ALS];
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                            "the grid has %.0f points (without maxIter) x %d folds = %.0f jobs; at most %d jobs "
                            "are allowed (%s)", als_experiment_nconfigs(e), e->numFolds, jobs, ALS_JOBS_MAX,
                            als_limit_get(ALS_LIM_JOBS)->why);
    }
    double rows = als_experiment_iter_rows(e);
    if (!als_limit_ok(ALS_LIM_ITER_ROWS, rows)) {
        kp = &e->pos[ALS_KEY_MAXITER];
        return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                            "maxIter: %.0f jobs x %.0f iterations = %.0f iteration rows; at most %d are allowed (%s)",
                            jobs, rows / jobs, rows, ALS_ITER_ROWS_MAX, als_limit_get(ALS_LIM_ITER_ROWS)->why);
    }
    return ALS_OK;
}

static void axis_maxiters(run_t *R);

static void expand_grid(run_t *R)
{
    const als_experiment *e = R->e;
    int n = 0;
    for (int a = 0; a < e->rank.n; a++)
        for (int b = 0; b < e->regParam.n; b++)
            for (int c = 0; c < e->alpha.n; c++)
                for (int d = 0; d < e->implicitPrefs.n; d++)
                    for (int f = 0; f < e->nonnegative.n; f++)
                        for (int g = 0; g < e->bias.n; g++) {
                            cfg_t *x = &R->cfgs[n++];
                            x->rank = (int)e->rank.v[a];
                            x->regParam = e->regParam.v[b];
                            x->alpha = e->alpha.v[c];
                            x->implicit = e->implicitPrefs.v[d] != 0;
                            x->nonneg = e->nonnegative.v[f] != 0;
                            x->bias = e->bias.v[g] != 0;
                        }
    R->ncfg = n;
    axis_maxiters(R);
}

/* The maxIter table from the maxIter axis: its values sorted ascending, unique. */
static void axis_maxiters(run_t *R)
{
    const als_experiment *e = R->e;
    int m = 0;
    for (int i = 0; i < e->maxIter.n; i++) {
        int v = (int)e->maxIter.v[i], j = m;
        bool dup = false;
        for (int k = 0; k < m; k++)
            dup |= R->maxiters[k] == v;
        if (dup)
            continue;
        while (j > 0 && R->maxiters[j - 1] > v) {
            R->maxiters[j] = R->maxiters[j - 1];
            j--;
        }
        R->maxiters[j] = v;
        m++;
    }
    R->nmax = m;
    R->maxmax = R->maxiters[m - 1];
}

/* A sampled search (docs/search.md "In the runner"): trials 0 .. trials-1 proposed by als_search
 * in trial order from (space, seed) — random and Sobol read no results, so the list is a pure
 * function of the experiment.  Dimensions, in this order: rank, regParam, maxIter, alpha,
 * implicitPrefs, nonnegative, bias; a distribution is a float or int dimension, a list of n > 1
 * values a categorical one, a scalar no dimension.  Trials that land on the same config (all but
 * maxIter) share it: R->cfgs holds each distinct config once, in the order of its first trial,
 * and the maxIter table holds the distinct drawn maxIter values, so every config is trained once
 * per fold to the largest and evaluated at each (path reuse).  trial_cell maps a trial to its
 * own cell. */
static const char *const search_names[7] = {"rank", "regParam", "maxIter", "alpha", "implicitPrefs", "nonnegative",
                                                "bias"};

/* The search space of a sampled search; dim[p] = parameter p's dimension (-1: fixed). */
static als_status search_space(const als_experiment *e, als_search_space *sp, int dim[7], als_diag *d)
{
    const als_search_cfg *sc = &e->search;
    const als_axis *ax[7] = {&e->rank, &e->regParam, &e->maxIter, &e->alpha, &e->implicitPrefs, &e->nonnegative,
                             &e->bias};
    const als_dist *ds[7] = {&sc->rank, &sc->regParam, &sc->maxIter, &sc->alpha, NULL, NULL, NULL};
    als_search_space_init(sp);
    als_status st = ALS_OK;
    for (int p = 0; p < 7 && !st; p++) {
        dim[p] = -1;
        if (ds[p] && ds[p]->on) {
            dim[p] = (int)sp->ndim;
            st = ds[p]->integer ? als_search_space_add_int(sp, search_names[p], (long)ax[p]->v[0], (long)ax[p]->v[1],
                                                           ds[p]->log, d)
                                : als_search_space_add_float(sp, search_names[p], ax[p]->v[0], ax[p]->v[1],
                                                             ds[p]->log, d);
        } else if (ax[p]->n > 1) {
            dim[p] = (int)sp->ndim;
            st = als_search_space_add_cat(sp, search_names[p], (size_t)ax[p]->n, d);
        }
    }
    return st;
}

/* The config of a proposed point x (its index in R->cfgs, added when new: trials that land on one
 * config share it) and its maxIter. */
static int trial_config(run_t *R, const int dim[7], const double *x, int *maxIter)
{
    const als_experiment *e = R->e;
    const als_search_cfg *sc = &e->search;
    const als_axis *ax[7] = {&e->rank, &e->regParam, &e->maxIter, &e->alpha, &e->implicitPrefs, &e->nonnegative,
                             &e->bias};
    const als_dist *ds[7] = {&sc->rank, &sc->regParam, &sc->maxIter, &sc->alpha, NULL, NULL, NULL};
    double v[7];
    for (int p = 0; p < 7; p++)
        v[p] = dim[p] < 0 ? ax[p]->v[0] : (ds[p] && ds[p]->on) ? x[dim[p]] : ax[p]->v[(size_t)x[dim[p]]];
    cfg_t c = {.rank = (int)v[0], .regParam = v[1], .alpha = v[3], .implicit = v[4] != 0, .nonneg = v[5] != 0,
               .bias = v[6] != 0};
    int k = 0;
    while (k < R->ncfg && !(R->cfgs[k].rank == c.rank && R->cfgs[k].regParam == c.regParam &&
                            (R->cfgs[k].alpha == c.alpha || (isnan(c.alpha) && isnan(R->cfgs[k].alpha))) &&
                            R->cfgs[k].implicit == c.implicit &&
                            R->cfgs[k].nonneg == c.nonneg && R->cfgs[k].bias == c.bias))
        k++;
    if (k == R->ncfg)
        R->cfgs[R->ncfg++] = c;
    *maxIter = (int)v[2];
    return k;
}

/* The index of maxIter value v in R->maxiters (which holds it). */
static int maxiter_index(const run_t *R, int v)
{
    int m = 0;
    while (m < R->nmax - 1 && R->maxiters[m] != v)
        m++;
    return m;
}

static als_status sample_trials(run_t *R, als_diag *d)
{
    const als_experiment *e = R->e;
    const als_search_cfg *sc = &e->search;
    als_search_space sp;
    int dim[7];
    als_status st = search_space(e, &sp, dim, d);
    if (st)
        return st;
    int T = sc->trials;
    als_search_opts so;
    als_search_opts_default(&so);
    so.method = sc->method;
    so.seed = sc->seed;
    so.batch = (size_t)T; /* random and Sobol read no results: one round */
    als_search *S = NULL;
    int *titer = malloc((size_t)T * sizeof *titer);
    R->trial_cfg = malloc((size_t)T * sizeof *R->trial_cfg);
    R->trial_cell = malloc((size_t)T * sizeof *R->trial_cell);
    if (!R->trial_cfg || !titer || !R->trial_cell) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    if ((st = als_search_alloc(&S, &sp, &so, (size_t)T, d)))
        goto out;
    R->ncfg = 0;
    R->nmax = 0;
    for (int t = 0; t < T; t++) {
        double x[ALS_SEARCH_MAX_DIM];
        if ((st = als_search_propose(S, (size_t)t, NULL, NULL, 0, x, d)))
            goto out;
        R->trial_cfg[t] = trial_config(R, dim, x, &titer[t]);
        /* the distinct maxIter values, ascending (at most ALS_GRID_MAX: the loader checks) */
        int j = 0;
        while (j < R->nmax && R->maxiters[j] < titer[t])
            j++;
        if (j < R->nmax && R->maxiters[j] == titer[t])
            continue;
        if (R->nmax == ALS_GRID_MAX) {
            st = als_experiment_error(e, ALS_KEY_MAXITER, d, "maxIter: more than %d distinct values drawn",
                                      ALS_GRID_MAX);
            goto out;
        }
        memmove(&R->maxiters[j + 1], &R->maxiters[j], (size_t)(R->nmax - j) * sizeof R->maxiters[0]);
        R->maxiters[j] = titer[t];
        R->nmax++;
    }
    R->maxmax = R->maxiters[R->nmax - 1];
    for (int t = 0; t < T; t++)
        R->trial_cell[t] = R->trial_cfg[t] * R->nmax + maxiter_index(R, titer[t]);
    R->ntrials = T;
    R->nproposed = T;
out:
    als_search_free(S);
    free(titer);
    return st;
}

static bool search_driven(const als_experiment *e);
static als_status driven_configs(run_t *R, als_diag *d);

/* R->cfgs and the maxIter table: the grid's points, or a sampled search's trials. */
static als_status build_configs(run_t *R, als_diag *d)
{
    R->cfgs = calloc((size_t)als_runner_nconfigs(R->e), sizeof *R->cfgs);
    if (!R->cfgs)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    if (search_driven(R->e))
        return driven_configs(R, d);
    if (R->e->search.sampled)
        return sample_trials(R, d);
    expand_grid(R);
    return ALS_OK;
}

static void params_of(const run_t *R, const cfg_t *c, int maxIter, int threads, als_params *p)
{
    als_params_default(p);
    p->rank = c->rank;
    p->regParam = c->regParam;
    p->maxIter = maxIter;
    p->implicitPrefs = c->implicit;
    p->alpha = c->alpha;
    p->nonnegative = c->nonneg;
    p->bias = c->bias;
    p->seed = R->e->seed;
    p->solver = (als_implicit_solver)R->e->solver;
    p->cgSteps = R->e->cgSteps;
    p->threads = threads;
}

/* ---- row formatting (the one place that defines the CSV bytes) -------------------------------- */

static void fmt_cfg(char *buf, size_t n, const cfg_t *c, int maxIter)
{
    char a[32], b[32];
    if (maxIter > 0)
        snprintf(buf, n, "%d,%s,%d,%s,%s,%s,%s", c->rank, als_fmt_double(a, c->regParam), maxIter,
                 als_fmt_double(b, c->alpha), tf(c->implicit), tf(c->nonneg), tf(c->bias));
    else
        snprintf(buf, n, "%d,%s,%s,%s,%s,%s", c->rank, als_fmt_double(a, c->regParam),
                 als_fmt_double(b, c->alpha), tf(c->implicit), tf(c->nonneg), tf(c->bias));
}

static void fold_prefix(const run_t *R, char *buf, size_t n, int cfg, int m, int fold)
{
    char p[256];
    fmt_cfg(p, sizeof p, &R->cfgs[cfg], R->maxiters[m]);
    snprintf(buf, n, "%d,%s,%d,%s,", cfg * R->nmax + m, p, fold, R->e->metric.name);
}

static void iter_prefix(const run_t *R, char *buf, size_t n, int cfg, int fold, int iter)
{
    char p[256];
    fmt_cfg(p, sizeof p, &R->cfgs[cfg], 0);
    snprintf(buf, n, "%d,%s,%d,%d,", cfg * R->nmax, p, fold, iter);
}

/* stopped_at: the iteration of the model the row reports (only written with earlyStopping) */
static char *fold_row(const run_t *R, int cfg, int m, int fold, size_t ntrain, const eval_t *ev, int stopped_at)
{
    char pre[512], v[5][32], line[1024], es[32] = "";
    fold_prefix(R, pre, sizeof pre, cfg, m, fold);
    if (R->e->earlyStopping)
        snprintf(es, sizeof es, ",%d", stopped_at);
    snprintf(line, sizeof line, "%s%s,%s,%s,%s,%s,%zu,%zu,%zu%s\n", pre, als_fmt_double(v[0], ev->value),
             als_fmt_double(v[1], ev->rmse), als_fmt_double(v[2], ev->mae), als_fmt_double(v[3], ev->mse),
             als_fmt_double(v[4], ev->r2), ntrain, ev->n_valid, ev->n_dropped, es);
    return xstrdup(line);
}

static const char *folds_header(const run_t *R)
{
    /* with replicates (issue 13), one more column at the very end: seed_std (docs/outputs.md) */
    static const char *const h[4] = {FOLDS_HEADER, FOLDS_HEADER_ES, FOLDS_HEADER_SEED, FOLDS_HEADER_ES_SEED};
    return h[(R->e->earlyStopping ? 1 : 0) + (R->e->replicates > 1 ? 2 : 0)];
}

/* The number of fields of a folds.csv row (18, + stopped_at, + seed_std). */
static int folds_nfields(const run_t *R) { return 18 + (R->e->earlyStopping ? 1 : 0) + (R->e->replicates > 1 ? 1 : 0); }

static char *iter_row(const run_t *R, int cfg, int fold, int iter, double train_rmse, double valid_rmse,
                      double value)
{
    char pre[512], v[3][32], line[1024];
    iter_prefix(R, pre, sizeof pre, cfg, fold, iter);
    snprintf(line, sizeof line, "%s%s,%s,%s,%s\n", pre, als_fmt_double(v[0], train_rmse),
             als_fmt_double(v[1], valid_rmse), R->e->metric.name, als_fmt_double(v[2], value));
    return xstrdup(line);
}

/* Start of field number `idx` (0-based) of a CSV row, or NULL when the row is shorter. */
static const char *row_at(const char *row, int idx)
{
    const char *p = row;
    for (int i = 0; i < idx && p; i++) {
        p = strchr(p, ',');
        if (p)
            p++;
    }
    return p;
}

/* Field number `idx` of a CSV row, as a double (NaN when absent). */
static double row_field(const char *row, int idx)
{
    const char *p = row_at(row, idx);
    return p ? strtod(p, NULL) : NAN;
}

/* Field number `idx` of a CSV row as an integer; -1 when absent or not an integer. */
static long row_long(const char *row, int idx)
{
    const char *p = row_at(row, idx);
    if (!p)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (errno || end == p || (*end != ',' && *end != '\n' && *end != '\0'))
        return -1;
    return v;
}

/* ---- evaluation (als_eval) ------------------------------------------------------------------ */

/* A workspace for evaluating a model of config cfg on data with nrows users and nnz ratings. */
static als_status eval_alloc(const run_t *R, const cfg_t *cfg, size_t nnz, int threads, als_eval_ws **w, als_diag *d)
{
    const als_experiment *e = R->e;
    als_eval_opts o = {.cold = e->coldStart, .implicit = cfg->implicit, .threshold = e->relevanceThreshold,
                       .k = e->rankingK, .threads = threads};
    return als_eval_ws_alloc(w, R->r.users.n, R->r.items.n, nnz, &e->metric, 1, &o, d);
}

/* The experiment's metric and the regression metrics of m on data (F's validation fold, or the
 * holdout for the refit), with F's training ratings defining what is cold. */
static als_status evaluate(const fold_t *F, const als_csr *data, const als_model *m, als_eval_ws *w, eval_t *out,
                           als_diag *d)
{
    als_eval_model em = {.m = m, .train = &F->by_user, .item_count = F->item_count, .train_mean = F->train_mean};
    als_eval_result res;
    als_status st = als_eval_run(w, &em, data, &res, d);
    if (st)
        return st;
    out->value = res.value[0];
    out->rmse = res.reg.rmse;
    out->mae = res.reg.mae;
    out->mse = res.reg.mse;
    out->r2 = res.reg.r2;
    out->n_valid = res.n_rows;
    out->n_dropped = res.n_cold;
    return ALS_OK;
}

/* ---- folds ---------------------------------------------------------------------------------- */

static als_status fold_build(const run_t *R, fold_t *F, const size_t *train, size_t ntrain, const size_t *valid,
                             size_t nvalid)
{
    const als_ratings *r = &R->r;
    memset(F, 0, sizeof *F);
    if (als_csr_build(&F->by_user, r->users.n, r->items.n, r->user, r->item, r->rating, train, ntrain) ||
        als_csr_transpose(&F->by_item, &F->by_user) ||
        als_csr_build(&F->valid, r->users.n, r->items.n, r->user, r->item, r->rating, valid, nvalid))
        return ALS_E_NOMEM;
    F->ntrain = ntrain;
    F->item_count = malloc((size_t)(F->by_item.nrows ? F->by_item.nrows : 1) * sizeof *F->item_count);
    if (!F->item_count)
        return ALS_E_NOMEM;
    for (uint32_t i = 0; i < F->by_item.nrows; i++)
        F->item_count[i] = als_csr_rowlen(&F->by_item, i);
    F->train_mean = ntrain ? als_eval_train_mean(&F->by_user) : 0;
    return ALS_OK;
}

static void fold_free(fold_t *F)
{
    als_csr_free(&F->by_user);
    als_csr_free(&F->by_item);
    als_csr_free(&F->valid);
    free(F->item_count);
    F->item_count = NULL;
}

/* ---- jobs ----------------------------------------------------------------------------------- */

typedef struct {
    run_t *R;
    job_t *J;
    const fold_t *F;
    als_eval_ws *w;
    als_status st;    /* of the evaluation that stopped training */
    als_diag d;
    double *train_rmse, *valid_rmse, *value;
    eval_t *at;   /* per maxIter index */
    /* early stopping (als.earlyStopping): the best value so far, iterations since it improved by
     * more than minDelta, and the iteration training stopped at (0: it did not stop early) */
    double best;
    int wait, stopped_at;
    eval_t last;  /* the evaluation at the last iteration trained */
    int off;      /* iterations the model held before this training (a rung continuing) */
} job_ctx;

/* Early stopping: has value v improved on c->best by more than minDelta?  A NaN never improves;
 * the first finite value always does. */
static bool es_improved(const job_ctx *c, double v)
{
    const als_experiment *e = c->R->e;
    if (!isfinite(v))
        return false;
    if (isnan(c->best))
        return true;
    return als_metric_higher_is_better(&e->metric) ? v > c->best + e->esMinDelta : v < c->best - e->esMinDelta;
}

static int job_callback(int iter, const als_model *m, void *ctx)
{
    job_ctx *c = ctx;
    const cfg_t *cfg = &c->R->cfgs[c->J->cfg];
    eval_t ev;
    iter += c->off;
    (void)cfg;
    if ((c->st = evaluate(c->F, &c->F->valid, m, c->w, &ev, &c->d)))
        return 1; /* stop training; run_job reports it */
    c->train_rmse[iter - 1] = als_train_rmse(m, &c->F->by_user);
    c->valid_rmse[iter - 1] = ev.rmse;
    c->value[iter - 1] = ev.value;
    for (int k = 0; k < c->R->nmax; k++)
        if (c->R->maxiters[k] == iter)
            c->at[k] = ev;
    c->last = ev;
    if (c->R->e->earlyStopping && iter < c->R->maxmax) {
        if (es_improved(c, ev.value)) {
            c->best = ev.value;
            c->wait = 0;
        } else if (++c->wait >= c->R->e->esPatience) {
            c->stopped_at = iter; /* run_job fills the cells and iterations past it */
            return 1;
        }
    }
    return stop_requested(c->R); /* a stopped job is not journaled: a rerun redoes it whole */
}

/* ---- model: bpmf (issue 15, docs/bpmf.md "In tune") -------------------------------------------
 * A BPMF job runs one Gibbs chain (als_bpmf) per (config, fold) with burnin + the largest
 * `samples` sweeps; after every collected sample it scores the posterior-mean predictions (clipped
 * to the rating range) of the fold's validation ratings — the cells of the smaller sample counts
 * and every iterations.csv row come from the same chain (path reuse, as maxIter for ALS).  The
 * refit runs one chain on the training set and writes the posterior-mean factors as the model
 * folder of `alstune train --model bpmf`. */

_Static_assert(ALS_BPMF_RANK_MAX == ALS_BPMF_MAX_RANK, "als_limits.h and als_bpmf.h disagree on the BPMF rank");

static bool is_bpmf(const run_t *R) { return R->e->model == ALS_MODEL_BPMF; }

static bool axis_all_zero(const als_axis *a)
{
    for (int i = 0; i < a->n; i++)
        if (a->v[i] != 0)
            return false;
    return true;
}

/* The clipping range: data.rating_range when given, else the smallest and largest rating read. */
static void bpmf_range(const run_t *R, double *lo, double *hi)
{
    const als_experiment *e = R->e;
    if (e->load.has_range) {
        *lo = e->load.min_rating;
        *hi = e->load.max_rating;
        return;
    }
    *lo = *hi = 0;
    for (size_t j = 0; j < R->r.n; j++) {
        double v = (double)R->r.rating[j];
        if (j == 0 || v < *lo)
            *lo = v;
        if (j == 0 || v > *hi)
            *hi = v;
    }
}

/* The sampler's parameters of config c with `samples` collected sweeps on chain `chain`. */
static void bpmf_params_of(const run_t *R, const cfg_t *c, int samples, int threads, uint32_t chain,
                           als_bpmf_params *p)
{
    const als_experiment *e = R->e;
    als_bpmf_params_default(p);
    p->rank = c->rank;
    p->burnin = e->bpmfBurnin;
    p->samples = samples;
    p->sample_alpha = isnan(c->alpha); /* alpha: sample */
    p->alpha = p->sample_alpha ? 2 : c->alpha;
    p->alpha_a0 = e->bpmfAlphaShape;
    p->alpha_b0 = e->bpmfAlphaRate;
    p->mu0 = e->bpmfMu0;
    p->beta0 = e->bpmfBeta0;
    p->nu0 = e->bpmfNu0;
    p->w0 = e->bpmfW0;
    p->init_scale = e->bpmfInitScale;
    p->bias = c->bias;
    p->bias_prec = e->bpmfBiasPrec;
    bpmf_range(R, &p->rmin, &p->rmax);
    p->seed = e->seed;
    p->chain = chain;
    p->threads = threads;
}

/* The grid of a model: bpmf experiment (the loader checked it; experiments built in code may not
 * be): rank, alpha (> 0 or NaN = sample), samples, and the sampler's check of every config. */
static als_status check_bpmf_grid(const als_experiment *e, als_diag *d)
{
    const als_keypos *kp = &e->pos[ALS_KEY_MAXITER];
    for (int i = 0; i < e->maxIter.n; i++)
        if (als_limit_check(ALS_LIM_SAMPLES, e->maxIter.v[i], d, e->path, kp->line, kp->col))
            return ALS_E_INPUT;
    kp = &e->pos[ALS_KEY_RANK];
    for (int i = 0; i < e->rank.n; i++)
        if (als_limit_check(ALS_LIM_BPMF_RANK, e->rank.v[i], d, e->path, kp->line, kp->col))
            return ALS_E_INPUT;
    kp = &e->pos[ALS_KEY_ALPHA];
    for (int i = 0; i < e->alpha.n; i++)
        if (!isnan(e->alpha.v[i]) && !(e->alpha.v[i] > 0 && als_limit_ok(ALS_LIM_ALPHA, e->alpha.v[i])))
            return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                                "alpha must be a number > 0 or sample with model: bpmf, got %.17g", e->alpha.v[i]);
    if (!axis_all_zero(&e->implicitPrefs) || !axis_all_zero(&e->nonnegative) || e->earlyStopping ||
        als_metric_is_ranking(&e->metric))
        return als_diag_set(d, ALS_E_INPUT, e->path, e->bpmfPos.line, e->bpmfPos.col,
                            "model: bpmf supports explicit ratings, no earlyStopping and the regression metrics "
                            "only");
    if (e->search.pruner != ALS_PRUNE_NONE) /* a rung would restart the chain: docs/bpmf.md §12 */
        return als_diag_set(d, ALS_E_INPUT, e->path, e->search.pruner_pos.line, e->search.pruner_pos.col,
                            "pruner: not supported with model: bpmf (a Gibbs chain is not resumed between rungs); "
                            "use search.method random, sobol or tpe without a pruner");
    for (int r = 0; r < e->rank.n; r++)
        for (int a = 0; a < e->alpha.n; a++) {
            run_t R0 = {.e = e};
            cfg_t c = {.rank = (int)e->rank.v[r], .alpha = e->alpha.v[a]};
            als_bpmf_params p;
            bpmf_params_of(&R0, &c, 1, 1, 0, &p);
            p.rmin = p.rmax = 0; /* the range comes from the data */
            als_diag pd;
            als_diag_clear(&pd);
            if (als_bpmf_params_check(&p, &pd))
                return als_diag_set(d, ALS_E_INPUT, e->path, e->bpmfPos.line, e->bpmfPos.col, "%s", pd.msg);
        }
    return ALS_OK;
}

/* The warning of a BPMF cell whose chain failed numerically (its metrics are NaN): it names the
 * config (rank, alpha or sample, bias) and the fold, at the model key. */
static void bpmf_warn_numeric(const run_t *R, const cfg_t *c, int fold, const char *msg)
{
    char a[40];
    if (isnan(c->alpha))
        snprintf(a, sizeof a, "sample");
    else
        als_fmt_double(a, c->alpha);
    const als_experiment *e = R->e;
    if (e->bpmfPos.line > 0)
        fprintf(R->o->log, "%s%s:%ld:%ld: warning: bpmf rank %d alpha %s bias %s fold %d: %s; its metrics are NaN\n",
                R->tty ? "\r\033[K" : "", e->path, e->bpmfPos.line, e->bpmfPos.col, c->rank, a,
                c->bias ? "true" : "false", fold, msg);
    else
        fprintf(R->o->log, "%salstune: warning: bpmf rank %d alpha %s bias %s fold %d: %s; its metrics are NaN\n",
                R->tty ? "\r\033[K" : "", c->rank, a, c->bias ? "true" : "false", fold, msg);
}

/* A job's or the refit's chain: the pairs it scores and what it accumulates. */
typedef struct {
    run_t *R;
    job_ctx *jc;          /* a CV job (NULL for the refit) */
    const fold_t *F;
    double rmin, rmax;
    size_t nvalid, npairs; /* pairs [0, nvalid): F->valid in CSR order; [nvalid, npairs): training */
    uint32_t *pu, *pi;
    double *pred, *vp, *va;
    double *sum;          /* the refit: running sums of U, V (and biases), for the posterior means */
} bpmf_job;

static void bpmf_job_free(bpmf_job *b)
{
    free(b->pu);
    free(b->pi);
    free(b->pred);
    free(b->vp);
    free(b->va);
    free(b->sum);
}

/* The pairs of F: its validation ratings, then (with_train) its training ratings. */
static als_status bpmf_job_pairs(bpmf_job *b, bool with_train)
{
    const fold_t *F = b->F;
    b->nvalid = F->valid.nnz;
    b->npairs = b->nvalid + (with_train ? F->by_user.nnz : 0);
    size_t n = b->npairs ? b->npairs : 1;
    b->pu = malloc(n * sizeof *b->pu);
    b->pi = malloc(n * sizeof *b->pi);
    b->pred = malloc(n * sizeof *b->pred);
    b->vp = malloc(n * sizeof *b->vp);
    b->va = malloc(n * sizeof *b->va);
    if (!b->pu || !b->pi || !b->pred || !b->vp || !b->va)
        return ALS_E_NOMEM;
    size_t j = 0;
    const als_csr *src[2] = {&F->valid, &F->by_user};
    for (int s = 0; s < (with_train ? 2 : 1); s++)
        for (uint32_t u = 0; u < src[s]->nrows; u++)
            for (uint64_t e = src[s]->ptr[u]; e < src[s]->ptr[u + 1]; e++) {
                b->pu[j] = u;
                b->pi[j] = src[s]->idx[e];
                j++;
            }
    return ALS_OK;
}

/* The metrics of the posterior-mean predictions b->pred of the validation pairs, under the
 * experiment's coldStartStrategy (a rating is cold when its user or item has no training rating;
 * mean predicts it by the mean training rating), as als_eval_run does for a model. */
static void bpmf_score(const bpmf_job *b, eval_t *out)
{
    const fold_t *F = b->F;
    const als_experiment *e = b->R->e;
    size_t n = 0, ncold = 0;
    for (size_t j = 0; j < b->nvalid; j++) {
        uint32_t u = b->pu[j], i = b->pi[j];
        bool cold = als_csr_rowlen(&F->by_user, u) == 0 || F->item_count[i] == 0;
        if (cold) {
            ncold++;
            if (e->coldStart != ALS_COLD_MEAN)
                continue;
        }
        b->vp[n] = cold ? F->train_mean : b->pred[j];
        b->va[n] = (double)F->valid.val[j];
        n++;
    }
    als_regression reg = als_metrics_regression(b->vp, b->va, n);
    if (e->coldStart == ALS_COLD_NAN && ncold > 0)
        reg.rmse = reg.mse = reg.mae = reg.r2 = reg.var = NAN;
    out->rmse = reg.rmse;
    out->mse = reg.mse;
    out->mae = reg.mae;
    out->r2 = reg.r2;
    out->n_valid = b->nvalid;
    out->n_dropped = ncold;
    switch (e->metric.kind) {
    case ALS_METRIC_MSE: out->value = reg.mse; break;
    case ALS_METRIC_MAE: out->value = reg.mae; break;
    case ALS_METRIC_R2: out->value = reg.r2; break;
    case ALS_METRIC_VAR: out->value = reg.var; break;
    default: out->value = reg.rmse; break;
    }
}

/* After every collected sample of a CV job: its iterations.csv numbers and, at a requested sample
 * count, its cell's evaluation. */
static int bpmf_job_callback(int nsamples, const als_bpmf_state *s, void *ctx)
{
    bpmf_job *b = ctx;
    job_ctx *c = b->jc;
    als_bpmf_predictions(s, b->rmin, b->rmax, b->pred);
    eval_t ev;
    bpmf_score(b, &ev);
    /* the training RMSE of the posterior-mean predictions, clipped like the validation ones */
    const als_csr *tr = &b->F->by_user;
    double sse = 0;
    for (size_t j = b->nvalid; j < b->npairs; j++) {
        double t = b->pred[j] - (double)tr->val[j - b->nvalid];
        sse += t * t;
    }
    c->train_rmse[nsamples - 1] = tr->nnz ? sqrt(sse / (double)tr->nnz) : NAN;
    c->valid_rmse[nsamples - 1] = ev.rmse;
    c->value[nsamples - 1] = ev.value;
    for (int k = 0; k < b->R->nmax; k++)
        if (b->R->maxiters[k] == nsamples)
            c->at[k] = ev;
    c->last = ev;
    return stop_requested(b->R);
}

/* A CV job of model: bpmf: chain `fold` of the config from `seed`, scored at every sample (fills c
 * as job_callback does for ALS). */
static als_status bpmf_run_job(run_t *R, job_ctx *c, int threads, uint64_t seed, als_diag *d)
{
    const cfg_t *cfg = &R->cfgs[c->J->cfg];
    bpmf_job b = {.R = R, .jc = c, .F = c->F};
    als_bpmf_params p;
    bpmf_params_of(R, cfg, R->maxmax, threads, (uint32_t)c->J->fold, &p);
    p.seed = seed; /* als.seed, or a replicate's seed */
    b.rmin = p.rmin;
    b.rmax = p.rmax;
    als_bpmf_state s;
    als_status st = bpmf_job_pairs(&b, true);
    if (st) {
        bpmf_job_free(&b);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the bpmf predictions");
    }
    if ((st = als_bpmf_state_alloc(&s, R->r.users.n, R->r.items.n, &p, d))) {
        bpmf_job_free(&b);
        return st;
    }
    st = als_bpmf_run(&s, &p, &c->F->by_user, &c->F->by_item, b.pu, b.pi, b.npairs, bpmf_job_callback, &b, NULL,
                      NULL, d);
    als_bpmf_state_free(&s);
    bpmf_job_free(&b);
    return st;
}

/* The refit: running sums of the collected samples' factors and biases. */
static int bpmf_refit_callback(int nsamples, const als_bpmf_state *s, void *ctx)
{
    bpmf_job *b = ctx;
    size_t nu = (size_t)s->nusers * (size_t)s->rank, ni = (size_t)s->nitems * (size_t)s->rank;
    double *su = b->sum, *sv = su + nu, *sbu = sv + ni, *sbi = sbu + s->nusers;
    (void)nsamples;
    for (size_t j = 0; j < nu; j++)
        su[j] += (double)s->U[j];
    for (size_t j = 0; j < ni; j++)
        sv[j] += (double)s->V[j];
    for (uint32_t j = 0; s->ubias && j < s->nusers; j++)
        sbu[j] += (double)s->ubias[j];
    for (uint32_t j = 0; s->ibias && j < s->nitems; j++)
        sbi[j] += (double)s->ibias[j];
    return stop_requested(b->R);
}

/* The refit of config c with `samples` samples on F's training ratings (chain K, after the folds'
 * chains 0..K-1): m (allocated with biases) gets the posterior-mean factors and biases and mu = the
 * centring offset, and the model folder <out>/model is written as `train --model bpmf` writes it. */
static als_status bpmf_refit(run_t *R, const cfg_t *c, int samples, const fold_t *F, als_model *m, als_diag *d)
{
    als_bpmf_params p;
    bpmf_params_of(R, c, samples, R->threads, (uint32_t)R->K, &p);
    uint32_t nu = R->r.users.n, ni = R->r.items.n;
    size_t k = (size_t)c->rank, tot = (size_t)nu * k + (size_t)ni * k + nu + ni;
    bpmf_job b = {.R = R, .F = F};
    b.sum = calloc(tot ? tot : 1, sizeof *b.sum);
    if (!b.sum)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the refit's posterior means");
    als_bpmf_state s;
    als_status st = als_bpmf_state_alloc(&s, nu, ni, &p, d);
    if (st) {
        free(b.sum);
        return st;
    }
    st = als_bpmf_run(&s, &p, &F->by_user, &F->by_item, NULL, NULL, 0, bpmf_refit_callback, &b, NULL, NULL, d);
    if (!st && stop_requested(R))
        st = interrupted(R, d);
    if (!st && s.collected < 1)
        st = als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "bpmf: no sample collected");
    if (!st) {
        const double *su = b.sum, *sv = su + (size_t)nu * k, *sbu = sv + (size_t)ni * k, *sbi = sbu + nu;
        double n = (double)s.collected;
        for (size_t j = 0; j < (size_t)nu * k; j++)
            m->U[j] = (float)(su[j] / n);
        for (size_t j = 0; j < (size_t)ni * k; j++)
            m->V[j] = (float)(sv[j] / n);
        for (uint32_t j = 0; j < nu; j++)
            m->ubias[j] = (float)(sbu[j] / n);
        for (uint32_t j = 0; j < ni; j++)
            m->ibias[j] = (float)(sbi[j] / n);
        m->mu = s.offset;
        als_params ap;
        als_params_default(&ap);
        ap.rank = c->rank;
        ap.seed = p.seed;
        ap.bias = true;
        als_model_bpmf mb = {true, s.alpha, p.sample_alpha, p.burnin, p.samples, p.bias, 0, 1};
        char mdir[4200];
        als_path_join(mdir, sizeof mdir, R->out, "model");
        st = als_model_save_bpmf(mdir, m, &ap, &mb, &R->r.users, &R->r.items, &F->by_user, R->data_sha, d);
    }
    als_bpmf_state_free(&s);
    free(b.sum);
    return st;
}

/* best.yaml's line for a BPMF refit: the model's own keys (params: has maxIter = samples). */
static void bpmf_best_line(const run_t *R, FILE *f, const cfg_t *c, int samples)
{
    const als_experiment *e = R->e;
    char v[9][32];
    fprintf(f, "bpmf: {model: bpmf, rank: %d, samples: %d, burnin: %d, alpha: %s, bias: %s, mu0: %s, beta0: %s, "
               "W0: %s, nu0: %s, alphaShape: %s, alphaRate: %s, biasPrecision: %s, initScale: %s}\n",
            c->rank, samples, e->bpmfBurnin, isnan(c->alpha) ? "sample" : als_fmt_double(v[0], c->alpha),
            tf(c->bias), als_fmt_double(v[1], e->bpmfMu0), als_fmt_double(v[2], e->bpmfBeta0),
            als_fmt_double(v[3], e->bpmfW0), als_fmt_double(v[4], e->bpmfNu0 > 0 ? e->bpmfNu0 : c->rank),
            als_fmt_double(v[5], e->bpmfAlphaShape), als_fmt_double(v[6], e->bpmfAlphaRate),
            als_fmt_double(v[7], e->bpmfBiasPrec), als_fmt_double(v[8], e->bpmfInitScale));
}

/* One training of job J from the seed `seed` (als.seed, or a replicate's seed: run_job). */
static als_status run_job_seed(run_t *R, job_t *J, int inner_threads, uint64_t seed, als_diag *d)
{
    const cfg_t *cfg = &R->cfgs[J->cfg];
    const fold_t *F = &R->folds[J->fold];
    double t0 = als_now();
    /* a rung continues from the kept model; without it (a resume) it retrains from iteration 0,
     * which gives the same bits (training is deterministic; docs/search.md "Pruning") */
    int target = J->target > 0 ? J->target : R->maxmax;
    int from = J->model && J->model_iters > 0 && J->model_iters == J->trained && J->trained < target ? J->trained : 0;
    als_params p;
    params_of(R, cfg, target - from, inner_threads, &p);
    p.seed = seed;
    /* parameters first: nothing is sized or initialised from a value the solver would refuse */
    if (!is_bpmf(R) && als_params_check(&p, d))
        return ALS_E_INPUT;
    job_ctx c = {.R = R, .J = J, .F = F, .best = NAN, .off = from};
    als_model m0, *mp = J->model ? J->model : &m0;
    memset(&m0, 0, sizeof m0);
    als_status st = ALS_E_NOMEM;
    c.train_rmse = calloc((size_t)R->maxmax, sizeof(double));
    c.valid_rmse = calloc((size_t)R->maxmax, sizeof(double));
    c.value = calloc((size_t)R->maxmax, sizeof(double));
    c.at = calloc((size_t)R->nmax, sizeof(eval_t));
    if (!J->fold_rows)
        J->fold_rows = calloc((size_t)R->nmax, sizeof(char *));
    if (!J->iter_rows)
        J->iter_rows = calloc((size_t)R->maxmax, sizeof(char *));
    if (!c.train_rmse || !c.valid_rmse || !c.value || !c.at || !J->fold_rows || !J->iter_rows ||
        eval_alloc(R, cfg, F->valid.nnz, 1, &c.w, d))
        goto done;
    if (from == 0) {
        if (mp != &m0)
            als_model_free(mp);
        if ((st = als_model_alloc(mp, R->r.users.n, R->r.items.n, cfg->rank, cfg->bias)))
            goto done;
        als_model_init(mp, &p, &F->by_user);
    }
    als_diag jd;
    als_diag_clear(&jd);
    if (is_bpmf(R))
        st = bpmf_run_job(R, &c, inner_threads, seed, &jd);
    else
        st = als_train(mp, &p, &F->by_user, &F->by_item, job_callback, &c, &jd);
    if (!st && c.st) {
        st = c.st;
        jd = c.d;
    }
    if ((st == ALS_OK || st == ALS_E_NUMERIC) && stop_requested(R)) {
        st = ALS_E_INTERRUPTED; /* possibly cut short by job_callback: not a result */
        goto done;
    }
    if (st == ALS_OK && c.stopped_at > 0) {
        /* Stopped early at s: a cell with maxIter m > s reports the model of iteration s (the one
         * training ended with, as Spark would return had maxIter been s); the iterations past s
         * were not trained and their iterations.csv rows are NaN. */
        for (int k = 0; k < R->nmax; k++)
            if (R->maxiters[k] > c.stopped_at)
                c.at[k] = c.last;
        for (int it = c.stopped_at; it < target; it++)
            c.train_rmse[it] = c.valid_rmse[it] = c.value[it] = NAN;
    }
    if (st == ALS_E_NUMERIC) {
        /* A numerical failure is a result of this cell, not of the run: its metrics are NaN. */
        J->failed = true;
        for (int it = 0; it < R->maxmax; it++)
            c.train_rmse[it] = c.valid_rmse[it] = c.value[it] = NAN;
        for (int k = 0; k < R->nmax; k++) {
            c.at[k].value = c.at[k].rmse = c.at[k].mae = c.at[k].mse = c.at[k].r2 = NAN;
            c.at[k].n_valid = F->valid.nnz;
            c.at[k].n_dropped = 0;
        }
        if (R->o->log)
#pragma omp critical(als_runner_log)
        {
            /* at the regParam key (every message says what regParam to use) */
            const als_keypos *kp = &R->e->pos[ALS_KEY_REGPARAM];
            if (is_bpmf(R))
                bpmf_warn_numeric(R, cfg, J->fold, jd.msg);
            else if (kp->line > 0)
                fprintf(R->o->log, "%s%s:%ld:%ld: warning: rank %d regParam %g fold %d: %s; its metrics are NaN\n",
                        R->tty ? "\r\033[K" : "", R->e->path, kp->line, kp->col, cfg->rank, cfg->regParam, J->fold,
                        jd.msg);
            else
                fprintf(R->o->log, "%salstune: warning: rank %d regParam %g fold %d: %s; its metrics are NaN\n",
                        R->tty ? "\r\033[K" : "", cfg->rank, cfg->regParam, J->fold, jd.msg);
        }
        st = ALS_OK;
    } else if (st) {
        *d = jd;
        goto done;
    }
    for (int k = 0; k < R->nmax; k++) {
        if (R->maxiters[k] <= from || R->maxiters[k] > target)
            continue; /* rows of earlier rungs are kept; later ones are not reached yet */
        free(J->fold_rows[k]);
        if (!(J->fold_rows[k] = fold_row(R, J->cfg, k, J->fold, F->ntrain, &c.at[k],
                                         c.stopped_at > 0 && c.stopped_at < R->maxiters[k] ? c.stopped_at
                                                                                           : R->maxiters[k])))
            st = ALS_E_NOMEM;
    }
    for (int it = from; it < target; it++) {
        free(J->iter_rows[it]);
        if (!(J->iter_rows[it] = iter_row(R, J->cfg, J->fold, it + 1, c.train_rmse[it], c.valid_rmse[it], c.value[it])))
            st = ALS_E_NOMEM;
    }
    if (st == ALS_OK)
        J->trained = target;
    if (J->model)
        J->model_iters = st == ALS_OK ? target : 0;
done:
    if (st == ALS_E_NOMEM)
        als_diag_set(d, st, "", 0, 0, "out of memory in job rank %d regParam %g fold %d", cfg->rank, cfg->regParam, J->fold);
    als_model_free(&m0);
    if (J->model && (st != ALS_OK || !J->keep_model || J->failed)) {
        als_model_free(J->model); /* a failed model is not continued: a later rung retrains it */
        free(J->model);
        J->model = NULL;
        J->model_iters = 0;
    }
    als_eval_ws_free(c.w);
    free(c.train_rmse);
    free(c.valid_rmse);
    free(c.value);
    free(c.at);
    J->seconds += als_now() - t0; /* a job of several rungs: their sum */
    return st;
}

static void job_free_rows(const run_t *R, job_t *J)
{
    if (J->fold_rows)
        for (int k = 0; k < R->nmax; k++)
            free(J->fold_rows[k]);
    if (J->iter_rows)
        for (int k = 0; k < R->maxmax; k++)
            free(J->iter_rows[k]);
    free(J->fold_rows);
    free(J->iter_rows);
    J->fold_rows = NULL;
    J->iter_rows = NULL;
}

/* ---- replicates (issue 13, docs/statistics.md "Initialisation variance") ------------------------ */

/* The training seed of replicate r: als.seed for r = 0 (so replicates: 1 is today's run), else
 * als_stest_seed(als.seed, "replicate <r>") = splitmix64(seed ^ FNV-1a-64(tag)) folded to 32 bits. */
static uint64_t replicate_seed(const als_experiment *e, int r)
{
    if (r == 0)
        return e->seed;
    char tag[32];
    snprintf(tag, sizeof tag, "replicate %d", r);
    return als_stest_seed(e->seed, tag);
}

/* A job with replicates: N trainings from replicate_seed(0 .. N-1), in that order, each producing
 * its rows as run_job_seed does; the job's rows are then the replicates' means field by field
 * (value, rmse, mae, mse, r2; iterations.csv's train_rmse, valid_rmse, value), stopped_at the
 * largest, and folds.csv's extra last column seed_std the sample standard deviation (n − 1) of
 * the metric value over the replicates.  NaN in a replicate makes the mean NaN. */
static als_status run_job_replicates(run_t *R, job_t *J, int inner_threads, als_diag *d)
{
    int N = R->e->replicates, nm = R->nmax, mm = R->maxmax;
    double *fsum = calloc((size_t)nm * 5, sizeof *fsum), *fval = calloc((size_t)nm * (size_t)N, sizeof *fval),
           *isum = calloc((size_t)mm * 3, sizeof *isum);
    long *stop = calloc((size_t)nm, sizeof *stop);
    size_t *ncnt = calloc((size_t)nm * 3, sizeof *ncnt);
    als_status st = ALS_OK;
    bool failed = false;
    double secs = 0;
    if (!fsum || !fval || !isum || !stop || !ncnt) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    for (int r = 0; r < N && !st; r++) {
        J->failed = false;
        if ((st = run_job_seed(R, J, inner_threads, replicate_seed(R->e, r), d)))
            break;
        secs += J->seconds;
        failed |= J->failed;
        for (int k = 0; k < nm; k++) {
            const char *row = J->fold_rows[k];
            for (int j = 0; j < 5; j++)
                fsum[k * 5 + j] += row_field(row, 10 + j);
            fval[(size_t)k * (size_t)N + (size_t)r] = row_field(row, 10);
            for (int j = 0; j < 3; j++)
                ncnt[k * 3 + j] = (size_t)row_long(row, 15 + j);
            if (R->e->earlyStopping) {
                long s = row_long(row, 18);
                stop[k] = s > stop[k] ? s : stop[k];
            }
        }
        for (int it = 0; it < mm; it++) {
            const char *row = J->iter_rows[it];
            isum[it * 3] += row_field(row, 9);
            isum[it * 3 + 1] += row_field(row, 10);
            isum[it * 3 + 2] += row_field(row, 12);
        }
        job_free_rows(R, J);
    }
    if (st)
        goto out;
    J->fold_rows = calloc((size_t)nm, sizeof(char *));
    J->iter_rows = calloc((size_t)mm, sizeof(char *));
    if (!J->fold_rows || !J->iter_rows) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    for (int k = 0; k < nm && !st; k++) {
        eval_t ev = {.value = fsum[k * 5] / N, .rmse = fsum[k * 5 + 1] / N, .mae = fsum[k * 5 + 2] / N,
                     .mse = fsum[k * 5 + 3] / N, .r2 = fsum[k * 5 + 4] / N, .n_valid = ncnt[k * 3 + 1],
                     .n_dropped = ncnt[k * 3 + 2]};
        double sd = gsl_stats_sd(fval + (size_t)k * (size_t)N, 1, (size_t)N);
        char *row = fold_row(R, J->cfg, k, J->fold, ncnt[k * 3], &ev, (int)stop[k]);
        char v[32], *ext = row ? malloc(strlen(row) + 40) : NULL;
        if (ext) {
            size_t n = strlen(row) - 1; /* without its '\n' */
            snprintf(ext, strlen(row) + 40, "%.*s,%s\n", (int)n, row, als_fmt_double(v, sd));
        }
        free(row);
        if (!(J->fold_rows[k] = ext))
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    }
    for (int it = 0; it < mm && !st; it++)
        if (!(J->iter_rows[it] = iter_row(R, J->cfg, J->fold, it + 1, isum[it * 3] / N, isum[it * 3 + 1] / N,
                                          isum[it * 3 + 2] / N)))
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    J->failed = failed;
    J->seconds = secs;
out:
    if (st)
        job_free_rows(R, J);
    free(fsum);
    free(fval);
    free(isum);
    free(stop);
    free(ncnt);
    return st;
}

/* A job: one training from als.seed, or `replicates` of them averaged. */
static als_status run_job(run_t *R, job_t *J, int inner_threads, als_diag *d)
{
    if (R->e->replicates > 1)
        return run_job_replicates(R, J, inner_threads, d);
    return run_job_seed(R, J, inner_threads, R->e->seed, d);
}

/* ---- journal: folds.csv and iterations.csv ---------------------------------------------------- */

/* Write a job's rows from iteration row it0 and fold row fo0 on (a rung's job has rows only up to
 * its budget: the others are NULL); false (errno set) when a write fails: the iterations file when
 * *which_it. */
static bool journal_write_job(run_t *R, const job_t *J, FILE *fo, FILE *it, bool *which_it, int it0, int fo0)
{
    *which_it = true;
    for (int k = it0; k < R->maxmax; k++)
        if (J->iter_rows[k] && fputs(J->iter_rows[k], it) == EOF)
            return false;
    *which_it = false;
    for (int k = fo0; k < R->nmax; k++)
        if (J->fold_rows[k] && fputs(J->fold_rows[k], fo) == EOF)
            return false;
    return true;
}

/* The journal marks past a job's rows (all rows it holds are on disk). */
static void journal_mark(const run_t *R, job_t *J)
{
    J->it_jn = J->fo_jn = 0;
    for (int k = 0; k < R->maxmax && J->iter_rows && J->iter_rows[k]; k++)
        J->it_jn = k + 1;
    for (int k = 0; k < R->nmax && J->fold_rows && J->fold_rows[k]; k++)
        J->fo_jn = k + 1;
}

/* Append a finished job to the live journal and push it to the kernel.  On a failed write (disk
 * full) the file may end in a cut row: it has no line break, so journal_load ignores it, and
 * nothing more is appended after it (the run stops; the next run rewrites the journal first). */
static als_status journal_append_job(run_t *R, job_t *J, als_diag *d)
{
    bool which_it;
    bool ok = journal_write_job(R, J, R->folds_f, R->iters_f, &which_it, J->it_jn, J->fo_jn);
    if (ok) {
        which_it = true;
        ok = fflush(R->iters_f) == 0;
    }
    if (ok) {
        which_it = false;
        ok = fflush(R->folds_f) == 0;
    }
    if (ok) {
        journal_mark(R, J);
        return ALS_OK;
    }
    int err = errno ? errno : EIO;
    char p[4200];
    als_path_join(p, sizeof p, R->out, which_it ? R->jiters : R->jfolds);
    return als_diag_set(d, ALS_E_IO, p, 0, 0, "write failed: %s", strerror(err));
}

/* Open the journal files (a shard's own under --shard) for appending; the caller closes them
 * (journal_close, or the run's cleanup). */
static als_status journal_open(run_t *R, als_diag *d)
{
    char pf[4200], pi[4200];
    als_path_join(pf, sizeof pf, R->out, R->jfolds);
    als_path_join(pi, sizeof pi, R->out, R->jiters);
    if (!(R->folds_f = fopen(pf, "ab")) || !(R->iters_f = fopen(pi, "ab")))
        return als_diag_set(d, ALS_E_IO, R->folds_f ? pi : pf, 0, 0, "cannot append: %s", strerror(errno));
    return ALS_OK;
}

/* Close the live journal files; ALS_E_IO naming the file when the last flush fails. */
static als_status journal_close(run_t *R, als_diag *d)
{
    als_status st = ALS_OK;
    FILE *fs[2] = {R->iters_f, R->folds_f};
    const char *names[2] = {R->jiters, R->jfolds};
    for (int k = 0; k < 2; k++) {
        if (!fs[k])
            continue;
        errno = 0;
        bool bad = ferror(fs[k]) != 0;
        bad |= fclose(fs[k]) != 0;
        if (bad && !st) {
            char p[4200];
            als_path_join(p, sizeof p, R->out, names[k]);
            st = als_diag_set(d, ALS_E_IO, p, 0, 0, "write failed: %s", strerror(errno ? errno : EIO));
        }
    }
    R->iters_f = R->folds_f = NULL;
    return st;
}

/* Rewrite both journal files in canonical order with the finished jobs (temp + rename). */
static als_status journal_rewrite(run_t *R, als_diag *d)
{
    als_afile af, ai;
    als_status st = als_afile_open_at(&af, R->out, R->jfolds, d);
    if (st)
        return st;
    if ((st = als_afile_open_at(&ai, R->out, R->jiters, d))) {
        als_afile_abort(&af);
        return st;
    }
    fputs(folds_header(R), af.f);
    fputs(ITERS_HEADER, ai.f);
    bool which_it;
    for (int j = 0; j < R->njobs; j++) /* jobs are stored in canonical (config, fold) order */
        if (R->jobs[j].done && !journal_write_job(R, &R->jobs[j], af.f, ai.f, &which_it, 0, 0))
            break; /* the error flag is set: als_afile_commit reports it, naming the file */
    /* both complete on disk before either replaces the old journal: never one without the other */
    if ((st = als_afile_finish(&ai, d)) || (st = als_afile_finish(&af, d)) || (st = als_afile_rename(&ai, d)) ||
        (st = als_afile_rename(&af, d))) {
        als_afile_abort(&ai);
        als_afile_abort(&af);
    }
    return st;
}

/* A previous run's journal files pf, pi into *bf, *bi (both NULL when there is none); their
 * headers are checked. */
static als_status journal_read_pair(run_t *R, const char *pf, const char *pi, char **bf, char **bi, als_diag *d)
{
    *bf = *bi = NULL;
    if (!als_file_exists(pf) || !als_file_exists(pi))
        return ALS_OK;
    size_t lf, li;
    als_status st = als_read_file(pf, bf, &lf, d);
    if (!st)
        st = als_read_file(pi, bi, &li, d);
    for (int pass = 0; pass < 2 && !st; pass++) {
        const char *hdr = pass ? ITERS_HEADER : folds_header(R);
        if (strncmp(pass ? *bi : *bf, hdr, strlen(hdr)) != 0)
            st = als_diag_set(d, ALS_E_INPUT, pass ? pi : pf, 1, 0,
                              "unexpected header in a previous run's file; rerun with --fresh to start over");
    }
    if (st) {
        free(*bf);
        free(*bi);
        *bf = *bi = NULL;
    }
    return st;
}

/* Our own journal files (a shard's own under --shard) into *bf, *bi: journal_read_pair. */
static als_status journal_read(run_t *R, char **bf, char **bi, als_diag *d)
{
    char pf[4200], pi[4200];
    als_path_join(pf, sizeof pf, R->out, R->jfolds);
    als_path_join(pi, sizeof pi, R->out, R->jiters);
    return journal_read_pair(R, pf, pi, bf, bi, d);
}

/* Match the journal's rows (bf, bi from journal_read) to the jobs of configs c0 .. c1-1 that are
 * not done yet (a job may be done from another journal: a shard's).  Only complete lines whose
 * prefix matches the cell exactly are taken. */
static als_status journal_match(run_t *R, char *bf, char *bi, int c0, int c1, als_diag *d)
{
    for (int j = c0 * R->K; j < c1 * R->K; j++) {
        if (R->jobs[j].done)
            continue;
        if (!R->jobs[j].fold_rows)
            R->jobs[j].fold_rows = calloc((size_t)R->nmax, sizeof(char *));
        if (!R->jobs[j].iter_rows)
            R->jobs[j].iter_rows = calloc((size_t)R->maxmax, sizeof(char *));
        if (!R->jobs[j].fold_rows || !R->jobs[j].iter_rows)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    }
    if (!bf || !bi)
        return ALS_OK;
    char pre[512];
    for (int pass = 0; pass < 2; pass++) {
        char *buf = pass ? bi : bf;
        const char *hdr = pass ? ITERS_HEADER : folds_header(R);
        char *line = buf + strlen(hdr);
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            char *next = nl + 1;
            char save = *next;
            *next = '\0';
            long a = strtol(line, NULL, 10);
            long fold = row_long(line, pass ? 7 : 8);
            int nfields = 1;
            for (const char *q = line; *q; q++)
                nfields += *q == ',';
            /* only whole rows of this grid: a cut or damaged line is simply not resumed */
            if (nfields == (pass ? 13 : folds_nfields(R)) && a >= (long)c0 * R->nmax && a < (long)c1 * R->nmax &&
                fold >= 0 && fold < R->K) {
                int cfg = (int)(a / R->nmax), m = (int)(a % R->nmax);
                job_t *J = &R->jobs[cfg * R->K + fold];
                if (J->done) {
                } else if (pass == 0) {
                    fold_prefix(R, pre, sizeof pre, cfg, m, (int)fold);
                    if (strncmp(line, pre, strlen(pre)) == 0 && !J->fold_rows[m])
                        J->fold_rows[m] = xstrdup(line);
                } else if (m == 0) {
                    long it = row_long(line, 8);
                    if (it >= 1 && it <= R->maxmax) {
                        iter_prefix(R, pre, sizeof pre, cfg, (int)fold, (int)it);
                        if (strncmp(line, pre, strlen(pre)) == 0 && !J->iter_rows[it - 1])
                            J->iter_rows[it - 1] = xstrdup(line);
                    }
                }
            }
            *next = save;
            line = next;
        }
    }
    return ALS_OK;
}

/* Read a finished job's rows back from the journal pf, pi of a previous (interrupted) run; a job
 * is resumed when all its rows are there. */
static als_status journal_load_pair(run_t *R, const char *pf, const char *pi, als_diag *d)
{
    char *bf = NULL, *bi = NULL;
    als_status st = journal_read_pair(R, pf, pi, &bf, &bi, d);
    if (st || !bf)
        return st;
    if ((st = journal_match(R, bf, bi, 0, R->ncfg, d)))
        goto out;
    for (int j = 0; j < R->njobs; j++) {
        job_t *J = &R->jobs[j];
        if (J->done)
            continue;
        bool all = true;
        for (int k = 0; k < R->nmax; k++)
            all &= J->fold_rows[k] != NULL;
        for (int k = 0; k < R->maxmax; k++)
            all &= J->iter_rows[k] != NULL;
        if (all)
            J->done = J->resumed = true;
        else
            job_free_rows(R, J);
    }
out:
    free(bf);
    free(bi);
    return st;
}

/* The journal: our own files (a shard's own under --shard), then, in a plain run or a merge, the
 * journals of every shard in the folder ("folds.shard-I-of-N.csv" + "iterations.shard-I-of-N.csv",
 * docs/scale.md): a job complete in any of them is done. */
static als_status journal_load(run_t *R, als_diag *d)
{
    char pf[4200], pi[4200];
    als_path_join(pf, sizeof pf, R->out, R->jfolds);
    als_path_join(pi, sizeof pi, R->out, R->jiters);
    als_status st = journal_load_pair(R, pf, pi, d);
    if (st || R->o->nshards > 0)
        return st;
    DIR *D = opendir(R->out);
    if (!D)
        return ALS_OK;
    struct dirent *de;
    while (!st && (de = readdir(D)) != NULL) {
        int i, n, end = 0;
        if (sscanf(de->d_name, "folds.shard-%d-of-%d.csv%n", &i, &n, &end) != 2 || de->d_name[end] != '\0')
            continue;
        char it[64];
        snprintf(it, sizeof it, "iterations.shard-%d-of-%d.csv", i, n);
        als_path_join(pf, sizeof pf, R->out, de->d_name);
        als_path_join(pi, sizeof pi, R->out, it);
        st = journal_load_pair(R, pf, pi, d);
    }
    closedir(D);
    return st;
}

/* ---- progress ------------------------------------------------------------------------------- */

static void fmt_secs(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, n, "?");
    else if (s < 60)
        snprintf(buf, n, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

static void progress(run_t *R, const job_t *J)
{
    FILE *f = R->o->log;
    if (R->o->quiet || !f)
        return;
    double el = als_now() - R->t0;
    double frac = R->cost_total > 0 ? R->cost_done / R->cost_total : 1;
    char e1[32], e2[32];
    fmt_secs(e1, sizeof e1, el);
    fmt_secs(e2, sizeof e2, frac > 0 ? el / frac - el : NAN);
    const cfg_t *c = &R->cfgs[J->cfg];
    if (R->tty) {
        char bar[31];
        int fill = (int)(frac * 30 + 0.5);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(f, "\r\033[K[%s] %s%d/%d jobs  rank %d regParam %g fold %d  elapsed %s  ETA %s", bar, R->phase,
                R->jobs_done, R->jobs_todo, c->rank, c->regParam, J->fold, e1, e2);
        if (R->jobs_done == R->jobs_todo)
            fputc('\n', f);
        fflush(f);
    } else if (frac >= R->next_log_frac || R->jobs_done == R->jobs_todo) {
        fprintf(f, "alstune: %s%d/%d jobs done (%.0f%%), last rank %d regParam %g fold %d, elapsed %s, ETA %s\n",
                R->phase, R->jobs_done, R->jobs_todo, 100 * frac, c->rank, c->regParam, J->fold, e1, e2);
        while (R->next_log_frac <= frac)
            R->next_log_frac += 0.1;
    }
}

/* ---- summary -------------------------------------------------------------------------------- */

typedef struct {
    int cell;
    double mean, std, min, max, mean_rmse, mean_mae;
    int n;
    /* issue 13 (docs/statistics.md): the comparison with the best cell and the selection */
    double delta;         /* mean − the best cell's mean (NaN when either is NaN) */
    double pvalue, p_holm; /* the test of this cell against the best; Holm over the cells */
    int equivalent;       /* p_holm >= statistics.level (the best cell: 1) */
    double se;            /* standard error of the mean over folds: std / sqrt(n) */
    int selected;         /* the cell best.yaml refits (select: best | one_se) */
    double seed_std;      /* replicates > 1: mean over folds of folds.csv's seed_std */
} cell_sum;

_Static_assert((int)ALS_STAT_CORRECTED_T == (int)ALS_STEST_CORRECTED_T &&
                   (int)ALS_STAT_PAIRED_T == (int)ALS_STEST_PAIRED_T &&
                   (int)ALS_STAT_WILCOXON == (int)ALS_STEST_WILCOXON,
               "als_stat_test and als_stest_kind disagree");

static bool g_higher;
static int cmp_cells(const void *a, const void *b)
{
    const cell_sum *x = a, *y = b;
    bool nx = isnan(x->mean), ny = isnan(y->mean);
    if (nx != ny)
        return nx ? 1 : -1;
    if (!nx && x->mean != y->mean)
        return (g_higher ? x->mean > y->mean : x->mean < y->mean) ? -1 : 1;
    return x->cell - y->cell;
}

/* The comparison with the best cell and the selection rule, on the journal's fold scores
 * (score[cell * K + fold], cells in cell order), so the numbers are the same across thread counts
 * and resumes.  cs is in cell order here.  Only running out of memory is an error: a grid where
 * no cell has finite scores gets NaN p-values and selects by the mean order. */
static als_status cell_statistics(run_t *R, cell_sum *cs, const double *score)
{
    const als_experiment *e = R->e;
    size_t ncell = (size_t)(R->ncfg * R->nmax), K = (size_t)R->K;
    als_stest_cell *sc = calloc(ncell, sizeof *sc);
    double *mean = malloc(ncell * sizeof *mean), *se = malloc(ncell * sizeof *se);
    als_stest_simplicity *simp = malloc(ncell * sizeof *simp);
    if (!sc || !mean || !se || !simp) {
        free(sc);
        free(mean);
        free(se);
        free(simp);
        return ALS_E_NOMEM;
    }
    /* n_train, n_valid of the corrected test: the mean training and validation sizes of the folds
     * (folds.csv: n_train and n_valid, the same in every cell) */
    double ntr = 0, nva = 0;
    for (int f = 0; f < R->K; f++) {
        ntr += (double)R->folds[f].ntrain;
        nva += (double)R->folds[f].valid.nnz;
    }
    ntr /= R->K;
    nva /= R->K;
    als_stest_compare_in in = {.scores = score, .n_cells = ncell, .n_folds = K,
                               .higher_is_better = g_higher, .test = (als_stest_kind)e->statTest,
                               .wilcoxon_method = ALS_WILCOXON_AUTO, .n_train = ntr, .n_valid = nva,
                               .level = e->statLevel};
    size_t best = 0;
    als_diag dd;
    als_status st = als_stest_compare_best(&in, &best, sc, &dd);
    for (size_t i = 0; i < ncell; i++) {
        cell_sum *s = &cs[i];
        bool ok = st == ALS_OK && sc[i].valid;
        s->pvalue = ok ? sc[i].pvalue : NAN;
        s->p_holm = ok ? sc[i].p_holm : NAN;
        s->equivalent = ok ? sc[i].equivalent_to_best : 0;
        s->se = isnan(s->mean) ? NAN : als_stest_std_error(score + i * K, K);
        mean[i] = s->mean;
        se[i] = s->se;
        const cfg_t *c = &R->cfgs[i / (size_t)R->nmax];
        simp[i] = (als_stest_simplicity){.rank = c->rank, .reg_param = c->regParam,
                                         .max_iter = R->maxiters[i % (size_t)R->nmax]};
    }
    if (st == ALS_E_NOMEM) {
        free(sc);
        free(mean);
        free(se);
        free(simp);
        return st;
    }
    /* the best by mean: the first of the mean order (as cmp_cells sorts) */
    size_t top = 0;
    for (size_t i = 1; i < ncell; i++)
        if (cmp_cells(&cs[i], &cs[top]) < 0)
            top = i;
    for (size_t i = 0; i < ncell; i++)
        cs[i].delta = cs[i].mean - cs[top].mean;
    size_t chosen = top;
    if (e->select == ALS_SELECT_ONE_SE &&
        als_stest_one_se(mean, se, ncell, g_higher, als_stest_simpler_als, simp, &chosen, NULL, &dd) != ALS_OK)
        chosen = top;
    cs[chosen].selected = 1;
    free(sc);
    free(mean);
    free(se);
    free(simp);
    return ALS_OK;
}

/* Is config c in summary.csv?  Every config of a plain grid or search; under a pruner only the
 * configs whose jobs all reached the largest budget (complete trials). */
static bool cfg_in_summary(const run_t *R, int c)
{
    if (!R->driven)
        return true;
    for (int f = 0; f < R->K; f++)
        if (R->jobs[c * R->K + f].trained < R->maxmax)
            return false;
    return true;
}

static als_status summarize(run_t *R, cell_sum *cs)
{
    size_t K = (size_t)R->K, ncell = (size_t)(R->ncfg * R->nmax);
    double *v = malloc(K * sizeof *v), *vr = malloc(K * sizeof *vr), *va = malloc(K * sizeof *va),
           *score = malloc(ncell * K * sizeof *score);
    if (!v || !vr || !va || !score) {
        free(v);
        free(vr);
        free(va);
        free(score);
        return ALS_E_NOMEM;
    }
    for (int c = 0; c < R->ncfg; c++)
        for (int m = 0; m < R->nmax; m++) {
            cell_sum *s = &cs[c * R->nmax + m];
            s->cell = c * R->nmax + m;
            s->n = R->K;
            bool nan = false, in = cfg_in_summary(R, c);
            for (int f = 0; f < R->K; f++) {
                const char *row = in ? R->jobs[c * R->K + f].fold_rows[m] : NULL;
                v[f] = row_field(row, 10);
                vr[f] = row_field(row, 11);
                va[f] = row_field(row, 12);
                score[(size_t)s->cell * K + (size_t)f] = v[f];
                nan |= isnan(v[f]);
            }
            if (nan) {
                s->mean = s->std = s->min = s->max = NAN;
            } else {
                s->mean = gsl_stats_mean(v, 1, (size_t)R->K);
                s->std = R->K > 1 ? gsl_stats_sd_m(v, 1, (size_t)R->K, s->mean) : 0;
                s->min = gsl_stats_min(v, 1, (size_t)R->K);
                s->max = gsl_stats_max(v, 1, (size_t)R->K);
            }
            s->mean_rmse = gsl_stats_mean(vr, 1, (size_t)R->K);
            s->mean_mae = gsl_stats_mean(va, 1, (size_t)R->K);
        }
    free(v);
    free(vr);
    free(va);
    g_higher = als_metric_higher_is_better(&R->e->metric);
    als_status st = cell_statistics(R, cs, score);
    free(score);
    if (st)
        return st;
    qsort(cs, ncell, sizeof *cs, cmp_cells);
    return ALS_OK;
}

/* replicates > 1: each cell's seed-to-seed spread, the mean over its folds of folds.csv's
 * seed_std (the last field); cs in any order. */
static void seed_spread(run_t *R, cell_sum *cs)
{
    int ncell = R->ncfg * R->nmax, last = folds_nfields(R) - 1;
    for (int i = 0; i < ncell; i++) {
        double sum = 0;
        int c = cs[i].cell / R->nmax, m = cs[i].cell % R->nmax;
        for (int f = 0; f < R->K; f++)
            sum += row_field(R->jobs[c * R->K + f].fold_rows[m], last);
        cs[i].seed_std = R->e->replicates > 1 ? sum / R->K : NAN;
    }
}

/* replicates > 1: the seed-to-seed spread beside the cell-to-cell differences — best.yaml's
 * replicates line (f) or the final table's line (stdout).  cs in the mean order. */
static void write_spread(const run_t *R, const cell_sum *cs, FILE *f, bool yaml)
{
    int ncell = R->ncfg * R->nmax;
    double mean_sd = 0, gap = ncell > 1 ? fabs(cs[1].delta) : NAN;
    for (int i = 0; i < ncell; i++)
        mean_sd += cs[i].seed_std;
    mean_sd /= ncell;
    char a[32], b[32], c[32], g[32];
    if (yaml)
        fprintf(f, "replicates: {n: %d, seed_std_best: %s, seed_std_mean: %s, cv_std_best: %s, delta_second: %s}\n",
                R->e->replicates, als_fmt_double(a, cs[0].seed_std), als_fmt_double(b, mean_sd),
                als_fmt_double(c, cs[0].std), als_fmt_double(g, gap));
    else
        fprintf(f, "\n  seed-to-seed std (%d replicates, mean over folds): best cell %.4f, all cells %.4f;"
                   "\n  cell-to-cell: best - second %.4f, fold-to-fold std of the best %.4f\n",
                R->e->replicates, cs[0].seed_std, mean_sd, gap, cs[0].std);
}

static als_status write_summary(run_t *R, const cell_sum *cs, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, "summary.csv", d);
    if (st)
        return st;
    /* issue 13's columns are appended: readers find columns by name (docs/outputs.md) */
    fputs("position,cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,metric,mean,std,min,max,n_folds,"
          "mean_rmse,mean_mae,delta,p_value,p_holm,equivalent_to_best,se,selected", a.f);
    fputs(R->e->replicates > 1 ? ",seed_std\n" : "\n", a.f); /* issue 13: replicates' column */
    for (int i = 0, pos = 0; i < R->ncfg * R->nmax; i++) {
        const cell_sum *s = &cs[i];
        if (!cfg_in_summary(R, s->cell / R->nmax))
            continue; /* a pruned trial's config */
        char p[256], v[10][32], sd[40] = "";
        fmt_cfg(p, sizeof p, &R->cfgs[s->cell / R->nmax], R->maxiters[s->cell % R->nmax]);
        if (R->e->replicates > 1)
            snprintf(sd, sizeof sd, ",%s", als_fmt_double(v[0], s->seed_std));
        fprintf(a.f, "%d,%d,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%d,%s,%d%s\n", ++pos, s->cell, p, R->e->metric.name,
                als_fmt_double(v[0], s->mean), als_fmt_double(v[1], s->std), als_fmt_double(v[2], s->min),
                als_fmt_double(v[3], s->max), s->n, als_fmt_double(v[4], s->mean_rmse),
                als_fmt_double(v[5], s->mean_mae), als_fmt_double(v[6], s->delta), als_fmt_double(v[7], s->pvalue),
                als_fmt_double(v[8], s->p_holm), s->equivalent, als_fmt_double(v[9], s->se), s->selected, sd);
    }
    return als_afile_commit(&a, d);
}

static double cell_mean(const run_t *R, int cfg, int m);

/* trials.csv (a sampled search, or a pruned grid): one row per trial in trial order, with the
 * trial's parameters, its cell's CV mean, its state and the iterations it reached; trials that
 * share a cell share its numbers.  A pruned trial's cell (at the budget it reached) is not in
 * summary.csv: its position is 0 and its mean is the CV mean at that budget. */
static als_status write_trials(run_t *R, const cell_sum *cs, als_diag *d)
{
    int ncell = R->ncfg * R->nmax;
    int *pos = malloc((size_t)ncell * sizeof *pos);
    if (!pos)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    for (int i = 0, p = 0; i < ncell; i++)
        pos[cs[i].cell] = cfg_in_summary(R, cs[i].cell / R->nmax) ? p++ : -1;
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, "trials.csv", d);
    if (st) {
        free(pos);
        return st;
    }
    fputs("trial,cell,position,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,state,metric,mean,budget\n",
          a.f);
    static const char *const state_name[4] = {"complete", "complete", "pruned", "failed"};
    for (int t = 0; t < R->ntrials; t++) {
        int cell = R->trial_cell[t];
        double mean = cell_mean(R, cell / R->nmax, cell % R->nmax);
        int state = R->trial_state ? R->trial_state[t] : isnan(mean) ? 3 : 1;
        char p[256], v[32], ps[16] = "0"; /* 0: not in summary.csv (a pruned trial) */
        if (pos[cell] >= 0)
            snprintf(ps, sizeof ps, "%d", pos[cell] + 1);
        fmt_cfg(p, sizeof p, &R->cfgs[cell / R->nmax], R->maxiters[cell % R->nmax]);
        fprintf(a.f, "%d,%d,%s,%s,%s,%s,%s,%d\n", t, cell, ps, p, state_name[state & 3], R->e->metric.name,
                als_fmt_double(v, mean), R->maxiters[cell % R->nmax]);
    }
    (void)cs;
    free(pos);
    return als_afile_commit(&a, d);
}

/* ---- refit and best.yaml -------------------------------------------------------------------- */

static int refit_callback(int iter, const als_model *m, void *ctx)
{
    (void)iter;
    (void)m;
    return stop_requested(ctx);
}

/* The ratings idx[0 .. n-1] of the data as userId,movieId,rating lines with the original ids
 * (holdout.csv; an inner run of nested CV's cv_ratings.csv) into <out>/<name>. */
static als_status write_ratings(run_t *R, const char *name, const size_t *idx, size_t n, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, name, d);
    if (st)
        return st;
    const als_ratings *r = &R->r;
    fputs("userId,movieId,rating\n", a.f);
    for (size_t t = 0; t < n; t++) {
        size_t e = idx[t];
        als_csv_field(a.f, als_idmap_str(&r->users, r->user[e]));
        fputc(',', a.f);
        als_csv_field(a.f, als_idmap_str(&r->items, r->item[e]));
        fprintf(a.f, ",%.9g\n", (double)r->rating[e]);
    }
    return als_afile_commit(&a, d);
}

/* holdout.csv: the held-out ratings in the order the refit evaluates them (test_idx order, which
 * als_csr_build keeps within each user), with the original ids, so that `alstune evaluate
 * model/ holdout.csv` sums the same numbers in the same order as best.yaml's test section. */
static als_status write_holdout(run_t *R, als_diag *d)
{
    return write_ratings(R, "holdout.csv", R->test_idx, R->ntest, d);
}

/* ---- holdout bootstrap intervals (issue 13, docs/statistics.md) ------------------------------ */

enum { BR_RMSE, BR_MAE, BR_MSE, BR_R2, BR_VAR, BR_N };
static const char *const br_name[BR_N] = {"rmse", "mae", "mse", "r2", "var"};

/* All regression metrics of a resample of the scored holdout ratings in one pass (the weights are
 * the multiplicities); the bootstrap keeps rmse's replicates, the others are kept here. */
typedef struct {
    const double *pred, *act;
    size_t call, B;
    double *rep[BR_N]; /* B each */
} boot_reg;

static double boot_reg_stat(const double *w, size_t n, void *ctx)
{
    boot_reg *b = ctx;
    double sw = 0, sy = 0;
    for (size_t k = 0; k < n; k++) {
        sw += w[k];
        sy += w[k] * b->act[k];
    }
    double ybar = sy / sw, sserr = 0, sabs = 0, sstot = 0, ssreg = 0;
    for (size_t k = 0; k < n; k++) {
        if (w[k] == 0)
            continue;
        double e = b->act[k] - b->pred[k], t = b->act[k] - ybar, g = b->pred[k] - ybar;
        sserr += w[k] * e * e;
        sabs += w[k] * fabs(e);
        sstot += w[k] * t * t;
        ssreg += w[k] * g * g;
    }
    double v[BR_N] = {sqrt(sserr / sw), sabs / sw, sserr / sw, 1.0 - sserr / sstot, ssreg / sw};
    if (b->call < b->B)
        for (int j = 0; j < BR_N; j++)
            b->rep[j][b->call] = v[j];
    b->call++;
    return v[BR_RMSE];
}

static int cmp_double_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The percentile interval of B replicates, as als_stest_bootstrap_ci computes it; NaN when one
 * is not finite (e.g. r2 of a resample with constant ratings). */
static void boot_quantiles(double *rep, size_t B, double conf, double *lo, double *hi)
{
    for (size_t b = 0; b < B; b++)
        if (!isfinite(rep[b])) {
            *lo = *hi = NAN;
            return;
        }
    qsort(rep, B, sizeof *rep, cmp_double_asc);
    *lo = gsl_stats_quantile_from_sorted_data(rep, 1, B, 0.5 * (1.0 - conf));
    *hi = gsl_stats_quantile_from_sorted_data(rep, 1, B, 0.5 * (1.0 + conf));
}

#define BOOT_CONF 0.95

/* best.yaml's test_ci line: seeded percentile intervals of the holdout metrics — the regression
 * metrics resampling the scored test ratings, a ranking selection metric resampling the ranked
 * users (user_value: per-user values, NaN for users not in the average).  Only out of memory is
 * an error; anything undefined prints nan. */
static als_status write_test_ci(run_t *R, FILE *f, const als_eval_ws *w, const eval_t *test, const double *user_value,
                                uint32_t nusers)
{
    const als_experiment *e = R->e;
    size_t B = (size_t)e->bootstrapB, n = 0;
    const double *pred, *act;
    als_eval_ws_scored(w, &pred, &act, &n);
    double *p2 = malloc((n ? n : 1) * sizeof *p2), *a2 = malloc((n ? n : 1) * sizeof *a2), *reps = malloc(BR_N * B * sizeof *reps);
    if (!p2 || !a2 || !reps) {
        free(p2);
        free(a2);
        free(reps);
        return ALS_E_NOMEM;
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (isfinite(pred[k])) {
            p2[m] = pred[k];
            a2[m++] = act[k];
        }
    double lo[BR_N], hi[BR_N];
    for (int j = 0; j < BR_N; j++)
        lo[j] = hi[j] = NAN;
    unsigned long seed_r = als_stest_seed(e->seed, "holdout ratings"), seed_u = als_stest_seed(e->seed, "holdout users");
    als_diag dd;
    boot_reg br = {.pred = p2, .act = a2, .B = B};
    for (int j = 0; j < BR_N; j++)
        br.rep[j] = reps + (size_t)j * B;
    als_status st = ALS_OK;
    if (m > 0 && !isnan(test->rmse)) { /* NaN: coldStartStrategy nan met a cold rating */
        double l, h;
        st = als_stest_bootstrap_ci(m, B, BOOT_CONF, seed_r, boot_reg_stat, &br, &l, &h, NULL, &dd);
        if (st == ALS_OK)
            for (int j = 0; j < BR_N; j++)
                boot_quantiles(br.rep[j], B, BOOT_CONF, &lo[j], &hi[j]);
        else if (st != ALS_E_NOMEM)
            st = ALS_OK; /* a non-finite resample: the intervals stay NaN */
    }
    /* the selection metric: a regression one is above; a ranking one resamples users */
    double vlo = NAN, vhi = NAN;
    size_t nu = 0;
    const char *units = "ratings";
    if (!st && als_metric_is_ranking(&e->metric)) {
        units = "users";
        double *v = malloc((nusers ? nusers : 1) * sizeof *v);
        if (!v) {
            st = ALS_E_NOMEM;
        } else {
            for (uint32_t u = 0; user_value && u < nusers; u++)
                if (isfinite(user_value[u]))
                    v[nu++] = user_value[u];
            als_stest_mean_ctx mc = {.v = v, .off = NULL, .root = 0};
            if (nu > 0 && !isnan(test->value)) {
                als_status bs = als_stest_bootstrap_ci(nu, B, BOOT_CONF, seed_u, als_stest_stat_mean, &mc, &vlo, &vhi,
                                                       NULL, &dd);
                if (bs == ALS_E_NOMEM)
                    st = bs;
                else if (bs)
                    vlo = vhi = NAN;
            }
            free(v);
        }
    } else if (!st) {
        int j = e->metric.kind == ALS_METRIC_RMSE  ? BR_RMSE
                : e->metric.kind == ALS_METRIC_MAE ? BR_MAE
                : e->metric.kind == ALS_METRIC_MSE ? BR_MSE
                : e->metric.kind == ALS_METRIC_R2  ? BR_R2
                                                   : BR_VAR;
        vlo = lo[j];
        vhi = hi[j];
        nu = m;
    }
    if (!st) {
        char a[32], b[32];
        fprintf(f, "test_ci: {level: 0.95, B: %zu, units: ratings, n_units: %zu, seed: %lu", B, m, seed_r);
        for (int j = 0; j < BR_N; j++)
            fprintf(f, ", %s_lo: %s, %s_hi: %s", br_name[j], als_fmt_double(a, lo[j]), br_name[j], als_fmt_double(b, hi[j]));
        fprintf(f, ", value_units: %s, value_n_units: %zu, value_seed: %lu, value_lo: %s, value_hi: %s}\n", units, nu,
                !strcmp(units, "users") ? seed_u : seed_r, als_fmt_double(a, vlo), als_fmt_double(b, vhi));
    }
    free(p2);
    free(a2);
    free(reps);
    return st;
}

/* The ALS refit's training: data-parallel over the ranks under mpirun, else als_train (the MPI
 * section below). */
static als_status refit_als(run_t *R, const cfg_t *c, int maxIter, const als_params *p, const fold_t *F,
                            als_model *m, als_diag *d);

/* cs: every cell, in the mean order (cs[0] the best by mean); the refit is of the selected one. */
static als_status refit_and_write_best(run_t *R, const cell_sum *cs, double *refit_seconds, als_diag *d)
{
    int ncell = R->ncfg * R->nmax, n_equiv = 0, n_within = 0;
    const cell_sum *best = &cs[0];
    for (int i = 0; i < ncell; i++) {
        if (cs[i].selected)
            best = &cs[i];
        n_equiv += cs[i].equivalent;
        n_within += !isnan(cs[i].delta) && fabs(cs[i].delta) <= cs[0].se;
    }
    const cfg_t *c = &R->cfgs[best->cell / R->nmax];
    int maxIter = R->maxiters[best->cell % R->nmax];
    double t0 = als_now();
    fold_t F;
    als_model m;
    memset(&m, 0, sizeof m);
    als_eval_ws *w = NULL;
    eval_t test = {0};
    double *uv = NULL;
    bool have_test = R->ntest > 0;
    als_status st = fold_build(R, &F, R->train_idx, R->ntrain, R->test_idx, R->ntest);
    if (st) {
        als_diag_set(d, st, "", 0, 0, "out of memory building the refit data");
        goto out;
    }
    als_params p;
    params_of(R, c, maxIter, R->threads, &p);
    if (!is_bpmf(R) && (st = als_params_check(&p, d)))
        goto out;
    if ((st = als_model_alloc(&m, R->r.users.n, R->r.items.n, c->rank, c->bias || is_bpmf(R)))) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the refit model");
        goto out;
    }
    if ((st = eval_alloc(R, c, R->ntest, R->threads, &w, d)))
        goto out;
    als_model_init(&m, &p, &F.by_user);
    if ((st = is_bpmf(R) ? bpmf_refit(R, c, maxIter, &F, &m, d)
                         : refit_als(R, c, maxIter, &p, &F, &m, d))) {
        if (st == ALS_E_NUMERIC && R->e->pos[ALS_KEY_REGPARAM].line > 0) {
            /* found only now, on the data: name the key whose value the message says to change */
            snprintf(d->path, sizeof d->path, "%.*s", (int)sizeof d->path - 1, R->e->path);
            d->line = R->e->pos[ALS_KEY_REGPARAM].line;
            d->col = R->e->pos[ALS_KEY_REGPARAM].col;
        }
        goto out;
    }
    if (stop_requested(R)) {
        st = interrupted(R, d);
        goto out;
    }
    /* the holdout (F.valid here) through the same evaluator as `alstune evaluate model/ holdout.csv`;
     * per-user values of a ranking metric kept for its bootstrap interval */
    if (have_test && als_metric_is_ranking(&R->e->metric)) {
        if (!(uv = malloc((R->r.users.n ? R->r.users.n : 1) * sizeof *uv))) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            goto out;
        }
        for (uint32_t u = 0; u < R->r.users.n; u++)
            uv[u] = NAN;
        als_eval_ws_user_values(w, 0, uv);
    }
    if (have_test && (st = evaluate(&F, &F.valid, &m, w, &test, d)))
        goto out;
    if (have_test && R->o->save_holdout && (st = write_holdout(R, d)))
        goto out;
    /* nested CV's inner run: the ratings its search saw, for the test that the outer fold is unseen */
    if (R->e->outerFold >= 0 && R->o->save_holdout &&
        (st = write_ratings(R, "cv_ratings.csv", R->train_idx, R->ntrain, d)))
        goto out;
    char mdir[4200];
    als_path_join(mdir, sizeof mdir, R->out, "model");
    if (!is_bpmf(R) && /* bpmf_refit wrote it */
        (st = als_model_save(mdir, &m, &p, &R->r.users, &R->r.items, &F.by_user, R->data_sha, d)))
        goto out;

    char v[8][32], pr[256];
    als_afile a;
    if ((st = als_afile_open_at(&a, R->out, "best.yaml", d)))
        goto out;
    fmt_cfg(pr, sizeof pr, c, maxIter);
    if (R->e->select == ALS_SELECT_ONE_SE)
        fprintf(a.f, "# the simplest cell within one standard error of the best mean CV %s (docs/outputs.md)\n",
                R->e->metric.name);
    else
        fprintf(a.f, "# best cell of the grid by mean CV %s (docs/outputs.md)\n", R->e->metric.name);
    fprintf(a.f, "cell: %d\n", best->cell);
    fprintf(a.f, "params: {rank: %d, regParam: %s, maxIter: %d, alpha: %s, implicitPrefs: %s, nonnegative: %s, bias: %s}\n",
            c->rank, als_fmt_double(v[0], c->regParam), maxIter, als_fmt_double(v[1], c->alpha), tf(c->implicit),
            tf(c->nonneg), tf(c->bias));
    if (is_bpmf(R))
        bpmf_best_line(R, a.f, c, maxIter);
    fprintf(a.f, "metric: %s\n", R->e->metric.name);
    fprintf(a.f, "higher_is_better: %s\n", tf(als_metric_higher_is_better(&R->e->metric)));
    fprintf(a.f, "cv: {mean: %s, std: %s, min: %s, max: %s, n_folds: %d}\n", als_fmt_double(v[0], best->mean),
            als_fmt_double(v[1], best->std), als_fmt_double(v[2], best->min), als_fmt_double(v[3], best->max), best->n);
    if (have_test)
        fprintf(a.f, "test: {n_test: %zu, n_dropped: %zu, rmse: %s, mae: %s, mse: %s, r2: %s, metric: %s, value: %s}\n",
                test.n_valid, test.n_dropped, als_fmt_double(v[0], test.rmse), als_fmt_double(v[1], test.mae),
                als_fmt_double(v[2], test.mse), als_fmt_double(v[3], test.r2), R->e->metric.name,
                als_fmt_double(v[4], test.value));
    else
        fprintf(a.f, "test: null   # testFraction is 0: no holdout\n");
    if (have_test && (st = write_test_ci(R, a.f, w, &test, uv, R->r.users.n))) {
        als_afile_abort(&a);
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the holdout bootstrap");
        goto out;
    }
    fprintf(a.f, "refit: {n_train: %zu, train_rmse: %s}\n", R->ntrain, als_fmt_double(v[5], als_train_rmse(&m, &F.by_user)));
    /* issue 13: the rule that chose the cell, and the comparison with the best (docs/statistics.md) */
    fprintf(a.f, "selection: {rule: %s, best_cell: %d, best_mean: %s, best_se: %s, within_one_se: %d}\n",
            als_select_rule_name(R->e->select), cs[0].cell, als_fmt_double(v[0], cs[0].mean),
            als_fmt_double(v[1], cs[0].se), n_within);
    fprintf(a.f, "statistics: {test: %s, level: %s, equivalent_to_best: %d, p_value: %s, p_holm: %s}\n",
            als_stat_test_name(R->e->statTest), als_fmt_double(v[0], R->e->statLevel), n_equiv,
            als_fmt_double(v[1], best->pvalue), als_fmt_double(v[2], best->p_holm));
    if (R->e->replicates > 1)
        write_spread(R, cs, a.f, true);
    fprintf(a.f, "model: model\n");
    st = als_afile_commit(&a, d);
out:
    *refit_seconds = als_now() - t0;
    free(uv);
    als_eval_ws_free(w);
    als_model_free(&m);
    fold_free(&F);
    return st;
}

/* ---- experiment.yaml, provenance.yaml, timings.csv ------------------------------------------- */

static als_status write_experiment(run_t *R, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, "experiment.yaml", d);
    if (st)
        return st;
    als_config_write(R->e, a.f);
    fprintf(a.f, "dataset:\n  n_ratings: %zu\n  n_users: %u\n  n_items: %u\n  n_train: %zu\n  n_test: %zu\n"
                 "  n_duplicates: %zu\n  n_bad_lines: %zu\n",
            R->r.n, R->r.users.n, R->r.items.n, R->ntrain, R->ntest, R->r.n_duplicates, R->r.n_bad_lines);
    fprintf(a.f, "grid:\n  n_configs: %d\n  n_cells: %d\n  n_folds: %d\n  n_jobs: %d\n  maxIter: [", R->ncfg,
            R->ncfg * R->nmax, R->K, R->njobs);
    for (int k = 0; k < R->nmax; k++)
        fprintf(a.f, "%s%d", k ? ", " : "", R->maxiters[k]);
    fprintf(a.f, "]\nfingerprint:\n  config_sha256: %s\n  data_sha256: %s\n  alstune_version: %s\n", R->config_sha,
            R->data_sha, PACKAGE_VERSION);
    return als_afile_commit(&a, d);
}

/* Compare the fingerprint of a previous run's experiment.yaml with ours. */
static als_status check_fingerprint(run_t *R, als_diag *d)
{
    char path[4200];
    als_path_join(path, sizeof path, R->out, "experiment.yaml");
    char *buf;
    size_t len;
    als_diag tmp;
    if (als_read_file(path, &buf, &len, &tmp) != ALS_OK) {
        char pf[4200];
        als_path_join(pf, sizeof pf, R->out, "folds.csv");
        if (als_file_exists(pf))
            return als_diag_set(d, ALS_E_INPUT, pf, 0, 0,
                                "results of an earlier run are here but its experiment.yaml (the fingerprint) is "
                                "missing; rerun with --fresh to discard them, or use --out for a new folder");
        return ALS_OK; /* no previous run */
    }
    const char *keys[3] = {"  config_sha256: ", "  data_sha256: ", "  alstune_version: "};
    const char *want[3] = {R->config_sha, R->data_sha, PACKAGE_VERSION};
    const char *what[3] = {"the experiment file", "the data", "the alstune version"};
    als_status st = ALS_OK;
    for (int k = 0; k < 3 && !st; k++) {
        const char *p = strstr(buf, keys[k]);
        size_t n = strlen(want[k]);
        if (!p || strncmp(p + strlen(keys[k]), want[k], n) != 0 || p[strlen(keys[k]) + n] != '\n')
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                              "%s changed since the results in %s were started (fingerprint mismatch); "
                              "rerun with --fresh to discard them, or use --out for a new folder",
                              what[k], R->out);
    }
    free(buf);
    return st;
}

static void iso_time(char *buf, size_t n, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* provenance.yaml's lines about the ranks (in the MPI section below) */
static void provenance_mpi(const run_t *R, FILE *f);

static als_status write_provenance(run_t *R, time_t start, time_t end, double wall, int resumed, als_diag *d)
{
    char s1[64], s2[64], host[256] = "unknown";
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, "provenance.yaml", d);
    if (st)
        return st;
    gethostname(host, sizeof host - 1);
    struct utsname un;
    memset(&un, 0, sizeof un);
    uname(&un);
    iso_time(s1, sizeof s1, start);
    iso_time(s2, sizeof s2, end);
    const char *src = R->e->synthetic ? "synthetic" : R->e->ratings;
    fprintf(a.f, "# how these results were produced (not deterministic: times, host)\n");
    fprintf(a.f, "alstune_version: %s\ngit_sha: %s\nconfig_path: \"%s\"\nconfig_sha256: %s\n", PACKAGE_VERSION,
            ALS_GIT_SHA, R->e->path, R->config_sha);
    fprintf(a.f, "data_path: \"%s\"\ndata_sha256: %s\n", src, R->data_sha);
    fprintf(a.f, "seed: %llu\nsplit_seed: %llu\nthreads: %d\n", (unsigned long long)R->e->seed,
            (unsigned long long)R->e->splitSeed, R->threads);
    fprintf(a.f, "openblas_config: \"%s\"\nopenblas_variant: \"%s\"\nopenblas_parallel: %d\n", openblas_get_config(),
            ALS_OPENBLAS_VARIANT, openblas_get_parallel());
    fprintf(a.f, "host: \"%s\"\nos: \"%s %s %s\"\n", host, un.sysname, un.release, un.machine);
    fprintf(a.f, "start: %s\nend: %s\nwall_seconds: %.3f\njobs_total: %d\njobs_resumed: %d\n", s1, s2, wall,
            R->njobs, resumed);
    provenance_mpi(R, a.f);
    return als_afile_commit(&a, d);
}

static als_status write_timings(run_t *R, double t_load, double t_split, double t_refit, double t_total, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, "timings.csv", d);
    if (st)
        return st;
    fprintf(a.f, "phase,cell0,fold,seconds,threads\nload,,,%.6f,1\nsplit,,,%.6f,1\n", t_load, t_split);
    for (int j = 0; j < R->njobs; j++) {
        const job_t *J = &R->jobs[j];
        if (J->resumed) /* done by an earlier, interrupted run: no time, 0 threads */
            fprintf(a.f, "job,%d,%d,,0\n", J->cfg * R->nmax, J->fold);
        else
            fprintf(a.f, "job,%d,%d,%.6f,%d\n", J->cfg * R->nmax, J->fold, J->seconds, J->threads);
    }
    fprintf(a.f, "refit,,,%.6f,%d\ntotal,,,%.6f,%d\n", t_refit, R->threads, t_total, R->threads);
    return als_afile_commit(&a, d);
}

/* ---- data ----------------------------------------------------------------------------------- */

static als_status load_data(run_t *R, als_diag *d)
{
    const als_experiment *e = R->e;
    als_status st = als_sha256_file(e->path, R->config_sha, d);
    if (st)
        return st;
    als_ratings_init(&R->r);
    als_movies_init(&R->movies);
    if (e->synthetic) {
        char desc[512];
        snprintf(desc, sizeof desc, "synthetic preset=%s users=%u items=%u ratings=%llu rank=%d noise=%.17g implicit=%d min_per_user=%u seed=%llu",
                 e->synth.preset ? e->synth.preset : "", e->synth.users, e->synth.items,
                 (unsigned long long)e->synth.ratings, e->synth.rank, e->synth.noise, (int)e->synth.implicit,
                 e->synth.min_per_user, (unsigned long long)e->synth.seed);
        als_sha256 s;
        als_sha256_init(&s);
        als_sha256_update(&s, desc, strlen(desc));
        als_sha256_hex(&s, R->data_sha);
        return als_synth_generate(&e->synth, &R->r, NULL, d);
    }
    if ((st = als_sha256_file(e->ratings, R->data_sha, d)))
        return st;
    return als_ratings_load(&R->r, e->ratings, &e->load, d);
}

/* ---- repeated and nested cross-validation (issue 13, docs/statistics.md) ------------------------- */

/* The split seed of repeat r: split.seed for r = 0 (so numRepeats: 1 is today's split), else
 * als_stest_seed(split.seed, "repeat <r>") = splitmix64(seed ^ FNV-1a-64(tag)) folded to 32 bits. */
static uint64_t repeat_seed(const als_experiment *e, int r)
{
    if (r == 0)
        return e->splitSeed;
    char tag[32];
    snprintf(tag, sizeof tag, "repeat %d", r);
    return als_stest_seed(e->splitSeed, tag);
}

/* The seed of the outer partition of nested CV: als_stest_seed(split.seed, "outer"). */
static uint64_t outer_seed(const als_experiment *e) { return als_stest_seed(e->splitSeed, "outer"); }

/* An inner run of nested CV (e->outerFold = i): all ratings are cut into outerFolds folds by
 * als_split_kfold (split.scheme, outer_seed); the test part (the inner run's holdout, scored only
 * by the refit of the chosen cell) is outer fold i, the training part — everything the inner
 * search ever sees — the other folds.  testFraction is not used.  Both index lists ascending. */
static als_status outer_holdout(run_t *R, als_diag *d)
{
    const als_experiment *e = R->e;
    size_t n = R->r.n;
    if (n < (size_t)e->outerFolds)
        return als_experiment_error(e, ALS_KEY_SPLIT, d, "outerFolds: %d outer folds need at least as many "
                                    "ratings, but there are %zu", e->outerFolds, n);
    size_t *all = malloc(n * sizeof *all);
    int *of = malloc(n * sizeof *of);
    R->train_idx = malloc(n * sizeof *R->train_idx);
    R->test_idx = malloc(n * sizeof *R->test_idx);
    als_status st = ALS_OK;
    if (!all || !of || !R->train_idx || !R->test_idx) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    for (size_t t = 0; t < n; t++)
        all[t] = t;
    if ((st = als_split_kfold(&R->r, all, n, e->outerFolds, e->scheme, outer_seed(e), of, d)))
        goto out;
    R->ntrain = R->ntest = 0;
    for (size_t t = 0; t < n; t++) {
        if (of[t] == e->outerFold)
            R->test_idx[R->ntest++] = t;
        else
            R->train_idx[R->ntrain++] = t;
    }
out:
    free(all);
    free(of);
    return st;
}

/* The holdout split and the k folds of the rest (R->train_idx/test_idx, R->folds). */
static als_status build_folds(run_t *R, als_diag *d)
{
    const als_experiment *e = R->e;
    als_status st = ALS_OK;
    int *fold_of = NULL, k = e->numFolds;
    if (e->outerFold >= 0) /* an inner run of nested CV: its holdout is the outer test fold */
        st = outer_holdout(R, d);
    else
        st = als_split_holdout(&R->r, e->testFraction, e->scheme, e->leaveK, e->splitSeed, &R->train_idx,
                               &R->ntrain, &R->test_idx, &R->ntest, d);
    if (st)
        goto fail;
    if (R->ntrain < (size_t)k) {
        st = als_experiment_error(e, ALS_KEY_NUMFOLDS, d,
                                  "numFolds: %d folds need at least as many ratings, but only %zu remain for "
                                  "cross-validation after the %g test holdout", k, R->ntrain, e->testFraction);
        goto fail;
    }
    fold_of = malloc((R->ntrain ? R->ntrain : 1) * sizeof *fold_of);
    R->folds = calloc((size_t)R->K, sizeof *R->folds);
    size_t *tr = malloc((R->ntrain ? R->ntrain : 1) * sizeof *tr), *va = malloc((R->ntrain ? R->ntrain : 1) * sizeof *va);
    if (!fold_of || !R->folds || !tr || !va) {
        free(tr);
        free(va);
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto fail;
    }
    /* split.numRepeats (issue 13): repeat r's k folds are folds r*k .. r*k+k-1, from repeat_seed(r) */
    for (int rep = 0; rep < R->K / k && !st; rep++) {
        if ((st = als_split_kfold(&R->r, R->train_idx, R->ntrain, k, e->scheme, repeat_seed(e, rep), fold_of, d)))
            break;
        for (int j = 0; j < k && !st; j++) {
            int f = rep * k + j;
            size_t nt = 0, nv = 0;
            for (size_t t = 0; t < R->ntrain; t++) {
                if (fold_of[t] == j)
                    va[nv++] = R->train_idx[t];
                else
                    tr[nt++] = R->train_idx[t];
            }
            if (fold_build(R, &R->folds[f], tr, nt, va, nv))
                st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory building fold %d", f);
        }
    }
    free(tr);
    free(va);
fail:
    free(fold_of);
    return st;
}

/* Free what a run_t holds (the journal files and locks are closed by the run itself). */
static void run_free(run_t *R)
{
    if (R->folds)
        for (int f = 0; f < R->K; f++)
            fold_free(&R->folds[f]);
    if (R->jobs)
        for (int j = 0; j < R->njobs; j++) {
            job_free_rows(R, &R->jobs[j]);
            if (R->jobs[j].model) { /* a pruned search's kept model */
                als_model_free(R->jobs[j].model);
                free(R->jobs[j].model);
            }
        }
    free(R->jobs);
    free(R->folds);
    free(R->cfgs);
    free(R->trial_cell);
    free(R->trial_cfg);
    free(R->trial_budget);
    free(R->trial_state);
    free(R->trial_bracket);
    free(R->rungs);
    free(R->jbuf_f);
    free(R->jbuf_i);
    free(R->train_idx);
    free(R->test_idx);
    als_ratings_free(&R->r);
    als_movies_free(&R->movies);
}

/* ---- scale-out: MPI ranks (docs/scale.md) ------------------------------------------------------
 * Under `mpirun -np N alstune tune`, every rank reads the data and builds the same folds from the
 * seed; rank 0 runs the search (it alone asks the sampler), deals the jobs of each execute_jobs
 * call largest first to the ranks that are free — one message per job carrying its job_t, cfg_t
 * and the maxIter budget — runs jobs on its own threads as well, and alone journals and writes.
 * The other ranks serve jobs (mpi_serve) until rank 0 says DONE, so a search that calls
 * execute_jobs once per round or rung works unchanged.  A worker runs one job at a time with all
 * its threads (training is bitwise the same for any thread count) and sends back the job's rows
 * and any warning, which rank 0 prints: progress and errors come from rank 0 only. */

enum { MPI_TAG_READY = 101, MPI_TAG_JOB, MPI_TAG_RESULT, MPI_TAG_DONE, MPI_TAG_REFIT };

/* rank 0 -> worker: run this job (every rank runs the same binary, so structs travel as bytes) */
typedef struct {
    job_t job;         /* its cfg, fold and cost; the row pointers are not used */
    int index;         /* in rank 0's R->jobs */
    cfg_t cfg;         /* R->cfgs[job.cfg] */
    int nmax, maxmax;
    int maxiters[ALS_GRID_MAX];
} mpi_job_msg;

/* worker -> rank 0: READY (index -1: its folds are built, or status/d say why not) or RESULT,
 * followed by log_len bytes of warnings and rows_len bytes of rows (fold rows, then iteration
 * rows, each ending in '\n') */
typedef struct {
    int index, status, failed, threads;
    double seconds;
    als_diag d;
    size_t log_len, rows_len;
    char data_sha[65]; /* READY: the SHA-256 of the data this rank read */
} mpi_result_hdr;

typedef struct mpi_deal {
    int size;
    int *busy;   /* the job worker w runs, -1 none */
    bool *ready; /* worker w has built its folds */
    int *njobs;  /* jobs worker w ran and rank 0 journaled */
    bool abandoned; /* stopped without a rank's answer: no goodbye (mpirun ends the job) */
    int refit_ranks; /* the ranks the refit of the best cell ran on (1: rank 0 alone) */
} mpi_deal;

/* What execute_jobs's threads (and the dealer) share. */
typedef struct {
    atomic_int next, failed;
    als_status job_st;
    als_diag job_d;
    bool journal_bad;
} deal_t;

/* A job ended with status js (J NULL: an error of no job, e.g. a worker that could not start):
 * journal it, count it, show progress; the first real error wins over an interruption and stops
 * the dealing.  Any thread may call it. */
static void job_finished(run_t *R, job_t *J, als_status js, const als_diag *jd, deal_t *S)
{
#pragma omp critical(als_runner_journal)
    {
        /* flushed to the kernel: survives kill -9 (a power cut may lose the last jobs, which are
         * then simply rerun; fsync per job would cost more than small jobs) */
        bool journaled = false;
        als_diag ad = *jd;
        if (J && !js && !S->journal_bad) {
            js = journal_append_job(R, J, &ad);
            S->journal_bad = js != ALS_OK; /* nothing is appended after a failed write */
            journaled = !S->journal_bad;
        }
        if (js && (S->job_st == ALS_OK || S->job_st == ALS_E_INTERRUPTED) && js != S->job_st) {
            S->job_st = js;
            S->job_d = ad;
            atomic_store(&S->failed, 1);
        } else if (journaled) {
            J->done = true;
            R->jobs_done++;
            R->cost_done += J->cost;
            progress(R, J);
        }
    }
}

static als_status mpi_deal_init(run_t *R, als_diag *d)
{
    mpi_deal *M = calloc(1, sizeof *M);
    int n = als_mpi_size();
    if (M) {
        M->size = n;
        M->busy = malloc((size_t)n * sizeof *M->busy);
        M->ready = calloc((size_t)n, sizeof *M->ready);
        M->njobs = calloc((size_t)n, sizeof *M->njobs);
    }
    if (!M || !M->busy || !M->ready || !M->njobs) {
        if (M) {
            free(M->busy);
            free(M->ready);
            free(M->njobs);
        }
        free(M);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    }
    for (int w = 0; w < n; w++)
        M->busy[w] = -1;
    R->mpi = M;
    return ALS_OK;
}

static als_status mpi_send_job(run_t *R, int w, int j, als_diag *d)
{
    mpi_job_msg m;
    memset(&m, 0, sizeof m);
    m.job = R->jobs[j];
    m.job.fold_rows = m.job.iter_rows = NULL;
    /* a pruned search's kept model stays on rank 0: the worker retrains from iteration 0 to the
     * rung's budget, which gives the same bits (training is deterministic; docs/scale.md) */
    m.job.model = NULL;
    m.job.model_iters = 0;
    m.job.keep_model = false;
    m.index = j;
    m.cfg = R->cfgs[R->jobs[j].cfg];
    m.nmax = R->nmax;
    m.maxmax = R->maxmax;
    memcpy(m.maxiters, R->maxiters, sizeof m.maxiters);
    return als_mpi_send(w, MPI_TAG_JOB, &m, sizeof m, d);
}

/* Split a worker's rows back into J's row arrays: nmax fold rows then maxmax iteration rows, an
 * empty line for a row the job did not reach (a rung's job stops at its budget).  The worker
 * trained from iteration 0, so its rows replace J's (those of earlier rungs are the same bits);
 * a model rank 0 kept for J is stale now and goes. */
static als_status mpi_unpack_rows(run_t *R, job_t *J, const char *rows, size_t len, als_diag *d)
{
    job_free_rows(R, J);
    if (J->model) {
        als_model_free(J->model);
        free(J->model);
        J->model = NULL;
        J->model_iters = 0;
    }
    J->fold_rows = calloc((size_t)R->nmax, sizeof(char *));
    J->iter_rows = calloc((size_t)R->maxmax, sizeof(char *));
    if (!J->fold_rows || !J->iter_rows)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    const char *p = rows, *end = rows + len;
    for (int k = 0; k < R->nmax + R->maxmax; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "a worker rank sent a job's rows cut short");
        char *row = NULL;
        if (nl > p) { /* an empty line: a row not reached */
            if (!(row = malloc((size_t)(nl - p) + 2)))
                return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            memcpy(row, p, (size_t)(nl - p) + 1);
            row[nl - p + 1] = '\0';
        }
        if (k < R->nmax)
            J->fold_rows[k] = row;
        else
            J->iter_rows[k - R->nmax] = row;
        p = nl + 1;
    }
    J->trained = J->target > 0 ? J->target : R->maxmax;
    return ALS_OK;
}

/* Take one waiting message from a worker, if any: READY, or the RESULT of a job, journaled
 * through job_finished (dropped when !journal: rank 0 is ending the run).  True when one was
 * taken. */
static bool mpi_take(run_t *R, deal_t *S, bool journal)
{
    mpi_deal *M = R->mpi;
    int src, tag;
    size_t len;
    if (!als_mpi_poll(-1, &src, &tag, &len))
        return false;
    als_diag rd;
    als_diag_clear(&rd);
    char *buf = malloc(len ? len : 1);
    if (!buf) {
        als_diag_set(&rd, ALS_E_NOMEM, "", 0, 0, "out of memory");
        job_finished(R, NULL, ALS_E_NOMEM, &rd, S);
        return false;
    }
    als_status st = als_mpi_recv(src, tag, buf, len, &rd);
    mpi_result_hdr h;
    if (!st && (len < sizeof h || (tag != MPI_TAG_READY && tag != MPI_TAG_RESULT)))
        st = als_diag_set(&rd, ALS_E_INTERNAL, "", 0, 0, "unexpected MPI message (tag %d, %zu bytes) from rank %d",
                          tag, len, src);
    if (!st) {
        memcpy(&h, buf, sizeof h);
        if (h.log_len > len - sizeof h || h.rows_len > len - sizeof h - h.log_len ||
            (tag == MPI_TAG_RESULT && (h.index < 0 || h.index >= R->njobs || M->busy[src] != h.index)))
            st = als_diag_set(&rd, ALS_E_INTERNAL, "", 0, 0, "malformed MPI message from rank %d", src);
    }
    if (st) {
        job_finished(R, NULL, st, &rd, S);
    } else if (tag == MPI_TAG_READY) {
        M->ready[src] = true;
        if (!h.status && strncmp(h.data_sha, R->data_sha, 64) != 0 && journal) {
            als_diag_set(&rd, ALS_E_INPUT, R->e->synthetic ? R->e->path : R->e->ratings, 0, 0,
                         "MPI rank %d (host %.64s) read different data (SHA-256 %.64s, rank 0 read %.64s); every "
                         "rank needs the same file", src, als_mpi_host(src), h.data_sha, R->data_sha);
            job_finished(R, NULL, ALS_E_INPUT, &rd, S);
        } else if (h.status && journal) {
            /* a rank that cannot build the folds (its copy of the data differs, say) */
            als_diag wd = h.d;
            snprintf(wd.msg, sizeof wd.msg, "MPI rank %d (host %.64s): %.900s", src, als_mpi_host(src), h.d.msg);
            job_finished(R, NULL, (als_status)h.status, &wd, S);
        }
    } else {
        job_t *J = &R->jobs[h.index];
        M->busy[src] = -1;
        if (h.log_len && R->o->log)
#pragma omp critical(als_runner_log)
        {
            fwrite(buf + sizeof h, 1, h.log_len, R->o->log);
            fflush(R->o->log);
        }
        if (journal) {
            als_status js = (als_status)h.status;
            als_diag jd = h.d;
            if (!js)
                js = mpi_unpack_rows(R, J, buf + sizeof h + h.log_len, h.rows_len, &jd);
            J->seconds = h.seconds;
            J->threads = h.threads;
            J->failed = h.failed != 0;
            job_finished(R, J, js, &jd, S);
            M->njobs[src] += J->done;
        }
    }
    free(buf);
    return true;
}

/* The dealer (rank 0's master thread, the one that initialised MPI): give each free worker the
 * next job of order[], largest first, from the queue rank 0's own threads take from too, and
 * journal what comes back; return when the queue is empty (or a stop or an error) and no worker
 * has a job in flight. */
static void mpi_deal_jobs(run_t *R, const int *order, int n, deal_t *S)
{
    mpi_deal *M = R->mpi;
    double stop_t = 0;
    for (;;) {
        bool stopping = atomic_load(&S->failed) || stop_requested(R), any_busy = false;
        if (stop_requested(R) && stop_t == 0)
            stop_t = als_now();
        if (stop_t > 0 && als_now() - stop_t > 2) {
            /* Stopped, and a rank has not answered for 2 s: it died (mpirun then stops every
             * rank) or hangs.  Its job is not journaled; a rerun does it. */
            M->abandoned = true;
            return;
        }
        for (int w = 1; w < M->size; w++) {
            if (!stopping && M->ready[w] && M->busy[w] < 0 && atomic_load(&S->next) < n) {
                int s = atomic_fetch_add(&S->next, 1);
                if (s < n) {
                    als_diag sd;
                    if (mpi_send_job(R, w, order[s], &sd))
                        job_finished(R, NULL, ALS_E_IO, &sd, S);
                    else
                        M->busy[w] = order[s];
                }
            }
            any_busy |= M->busy[w] >= 0;
        }
        if (!any_busy && (stopping || atomic_load(&S->next) >= n))
            return;
        if (!mpi_take(R, S, true))
            als_mpi_nap();
    }
}

/* End of rank 0's run: wait for every worker to be ready and idle, then tell it DONE. */
static void mpi_release(run_t *R)
{
    mpi_deal *M = R->mpi;
    if (!M)
        return;
    deal_t S;
    memset(&S, 0, sizeof S);
    for (int w = 1; w < M->size && !M->abandoned; w++) {
        while (!M->ready[w] || M->busy[w] >= 0)
            if (!mpi_take(R, &S, false))
                als_mpi_nap();
        als_diag d;
        als_mpi_send(w, MPI_TAG_DONE, "", 0, &d);
    }
    free(M->busy);
    free(M->ready);
    free(M->njobs);
    free(M);
    R->mpi = NULL;
}

/* A worker runs one job of rank 0's and sends the result back. */
static als_status mpi_serve_job(run_t *R, const mpi_job_msg *m, als_diag *d)
{
    if (m->job.cfg < 0 || m->job.cfg >= (1 << 24) || m->job.fold < 0 || m->job.fold >= R->K || m->nmax < 1 ||
        m->nmax > ALS_GRID_MAX || m->maxmax < 1 || m->maxmax > ALS_MAXITER_MAX)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "malformed job message from rank 0");
    if (m->job.cfg >= R->ncfg) {
        cfg_t *c = realloc(R->cfgs, (size_t)(m->job.cfg + 1) * sizeof *c);
        if (!c)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        R->cfgs = c;
        R->ncfg = m->job.cfg + 1;
    }
    R->cfgs[m->job.cfg] = m->cfg;
    R->nmax = m->nmax;
    R->maxmax = m->maxmax;
    memcpy(R->maxiters, m->maxiters, sizeof R->maxiters);
    job_t J = m->job;
    J.fold_rows = J.iter_rows = NULL;
    J.done = J.failed = J.resumed = false;
    J.model = NULL; /* rank 0 kept any model: this rank trains from iteration 0 */
    J.model_iters = J.trained = 0;
    J.keep_model = false;
    J.threads = R->threads;
    /* the job's warnings go to rank 0, which prints them */
    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *lf = open_memstream(&logbuf, &loglen);
    als_run_opts wo = *R->o;
    wo.log = lf;
    const als_run_opts *saved = R->o;
    R->o = &wo;
    mpi_result_hdr h;
    memset(&h, 0, sizeof h);
    h.index = m->index;
    h.status = run_job(R, &J, R->threads, &h.d);
    R->o = saved;
    if (lf)
        fclose(lf);
    else
        loglen = 0;
    size_t rl = 0;
    if (h.status == ALS_OK) { /* a row not reached (a rung's budget) travels as an empty line */
        for (int k = 0; k < R->nmax; k++)
            rl += J.fold_rows[k] ? strlen(J.fold_rows[k]) : 1;
        for (int k = 0; k < R->maxmax; k++)
            rl += J.iter_rows[k] ? strlen(J.iter_rows[k]) : 1;
    }
    h.failed = J.failed;
    h.threads = J.threads;
    h.seconds = J.seconds;
    h.log_len = loglen;
    h.rows_len = rl;
    char *buf = malloc(sizeof h + loglen + rl + 1);
    als_status st;
    if (!buf) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    } else {
        memcpy(buf, &h, sizeof h);
        if (loglen)
            memcpy(buf + sizeof h, logbuf, loglen);
        char *p = buf + sizeof h + loglen;
        if (h.status == ALS_OK) {
            for (int k = 0; k < R->nmax; k++)
                p = stpcpy(p, J.fold_rows[k] ? J.fold_rows[k] : "\n");
            for (int k = 0; k < R->maxmax; k++)
                p = stpcpy(p, J.iter_rows[k] ? J.iter_rows[k] : "\n");
        }
        st = als_mpi_send(0, MPI_TAG_RESULT, buf, sizeof h + loglen + rl, d);
    }
    job_free_rows(R, &J);
    free(buf);
    free(logbuf);
    return st;
}

/* ---- the refit of the best cell over the ranks (data-parallel ALS, docs/scale-dataparallel.md)
 * After the CV jobs rank 0 waits until every worker is ready and idle, sends each the REFIT
 * message (the cell), and every rank builds the same refit data (all CV ratings, R->train_idx)
 * and model (Spark's init from the seed) and calls als_dpals_train collectively; rank 0 ends with
 * the whole model, bitwise the one als_train gives, and writes model/ and best.yaml as a single
 * process does.  BPMF refits on rank 0 alone (refit_and_write_best does not come here). */

typedef struct {
    cfg_t cfg;
    int maxIter;
} mpi_refit_msg;

static int refit_dp_callback(int iter, const als_dpals_stats *s, void *ctx)
{
    (void)iter;
    (void)s;
    return stop_requested(ctx);
}

static als_status refit_als(run_t *R, const cfg_t *c, int maxIter, const als_params *p, const fold_t *F,
                            als_model *m, als_diag *d)
{
    mpi_deal *M = R->mpi;
    if (!M || M->size < 2 || M->abandoned) {
        if (M)
            M->refit_ranks = 1;
        return als_train(m, p, &F->by_user, &F->by_item, refit_callback, R, d);
    }
    /* every worker ready (its folds built) and idle: then none sends anything until DONE */
    deal_t S;
    memset(&S, 0, sizeof S);
    for (int w = 1; w < M->size; w++)
        while (!M->ready[w] || M->busy[w] >= 0) {
            if (S.job_st) {
                *d = S.job_d;
                return S.job_st;
            }
            if (stop_requested(R))
                return interrupted(R, d);
            if (!mpi_take(R, &S, true))
                als_mpi_nap();
        }
    if (S.job_st) {
        *d = S.job_d;
        return S.job_st;
    }
    mpi_refit_msg rm;
    memset(&rm, 0, sizeof rm);
    rm.cfg = *c;
    rm.maxIter = maxIter;
    for (int w = 1; w < M->size; w++) {
        als_status st = als_mpi_send(w, MPI_TAG_REFIT, &rm, sizeof rm, d);
        if (st) {
            M->abandoned = true; /* the ranks that got it wait in the training: mpirun ends the job */
            return st;
        }
    }
    if (R->o->log && !R->o->quiet) {
        fprintf(R->o->log, "refit of the best cell: data-parallel ALS over %d MPI ranks\n", M->size);
        fflush(R->o->log);
    }
    als_dpals_stats stats;
    als_status st = als_dpals_agree(ALS_OK, d); /* a worker that could not build the data says so */
    if (!st)
        st = als_dpals_train(m, p, &F->by_user, &F->by_item, ALS_DPALS_AUTO, refit_dp_callback, R, &stats, d);
    if (!st)
        M->refit_ranks = M->size;
    return st;
}

/* A worker's part of the refit: the same data and model as rank 0, then the collective training.
 * Its errors are agreed with rank 0 (als_dpals_agree/als_dpals_train), which reports them. */
static void mpi_serve_refit(run_t *R, const mpi_refit_msg *rm)
{
    for (int f = 0; f < R->K; f++)
        fold_free(&R->folds[f]); /* the CV folds are done with (as on rank 0) */
    als_diag dd;
    als_diag_clear(&dd);
    fold_t F;
    memset(&F, 0, sizeof F);
    als_model m;
    memset(&m, 0, sizeof m);
    als_params p;
    params_of(R, &rm->cfg, rm->maxIter, R->threads, &p);
    als_status st = fold_build(R, &F, R->train_idx, R->ntrain, R->test_idx, R->ntest);
    if (st)
        als_diag_set(&dd, st, "", 0, 0, "out of memory building the refit data");
    else if (als_model_alloc(&m, R->r.users.n, R->r.items.n, rm->cfg.rank, rm->cfg.bias))
        st = als_diag_set(&dd, ALS_E_NOMEM, "", 0, 0, "out of memory for the refit model");
    else
        als_model_init(&m, &p, &F.by_user);
    if (!(st = als_dpals_agree(st, &dd))) {
        als_dpals_stats stats;
        als_dpals_train(&m, &p, &F.by_user, &F.by_item, ALS_DPALS_AUTO, NULL, NULL, &stats, &dd);
    }
    als_model_free(&m);
    fold_free(&F);
}

/* A worker rank's whole run: build the folds, say READY (or why not), serve jobs until DONE.
 * ALS_OK once rank 0 said DONE (a setup error went to rank 0, which reports it); an error only
 * when the messages themselves failed (the caller then aborts the MPI job). */
static als_status mpi_serve(const als_experiment *e, const als_run_opts *o, als_diag *d)
{
    run_t R;
    memset(&R, 0, sizeof R);
    als_run_opts wo = *o;
    wo.log = NULL;
    wo.out = NULL;
    wo.quiet = true;
    R.e = e;
    R.o = &wo;
    R.lock_fd = R.shard_lock_fd = -1;
    R.threads = o->threads > 0 ? o->threads : omp_get_num_procs();
    R.K = total_folds(e);
    openblas_set_num_threads(1);
    mpi_result_hdr h;
    memset(&h, 0, sizeof h);
    h.index = -1;
    als_status st = check_grid(e, &h.d);
    if (!st)
        st = load_data(&R, &h.d);
    if (!st && R.r.n == 0)
        st = als_diag_set(&h.d, ALS_E_INPUT, e->synthetic ? e->path : e->ratings, 0, 0, "no ratings to tune on");
    if (!st)
        st = build_folds(&R, &h.d);
    h.status = st;
    memcpy(h.data_sha, R.data_sha, sizeof h.data_sha);
    als_status mst = als_mpi_send(0, MPI_TAG_READY, &h, sizeof h, d);
    while (!mst) {
        int src, tag;
        size_t len;
        if (!als_mpi_poll(0, &src, &tag, &len)) {
            als_mpi_nap();
            continue;
        }
        if (tag == MPI_TAG_DONE) {
            char c;
            mst = als_mpi_recv(0, tag, &c, 0, d);
            break;
        }
        if (tag == MPI_TAG_REFIT && len == sizeof(mpi_refit_msg) && !st) {
            mpi_refit_msg rm;
            if (!(mst = als_mpi_recv(0, tag, &rm, sizeof rm, d)))
                mpi_serve_refit(&R, &rm);
            continue;
        }
        mpi_job_msg m;
        if (tag != MPI_TAG_JOB || len != sizeof m || st) {
            mst = als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "unexpected MPI message (tag %d, %zu bytes) from rank 0",
                               tag, len);
            break;
        }
        if (!(mst = als_mpi_recv(0, tag, &m, sizeof m, d)))
            mst = mpi_serve_job(&R, &m, d);
    }
    run_free(&R);
    return mst;
}


/* provenance.yaml's lines about the ranks: mpi_ranks (1 without mpirun); with more, the MPI
 * library, every rank's host and the jobs each rank ran in this run (rank 0's own included) */
static void provenance_mpi(const run_t *R, FILE *f)
{
    int n = als_mpi_size();
    fprintf(f, "mpi_ranks: %d\n", n);
    if (n <= 1 || !R->mpi)
        return;
    fprintf(f, "mpi_library: \"%s\"\nmpi_hosts: [", als_mpi_library());
    for (int r = 0; r < n; r++)
        fprintf(f, "%s\"%s\"", r ? ", " : "", als_mpi_host(r));
    fprintf(f, "]\nmpi_jobs_per_rank: [%d", R->mpi->njobs[0]);
    for (int r = 1; r < n; r++)
        fprintf(f, ", %d", R->mpi->njobs[r]);
    fprintf(f, "]\n");
    /* the refit of the best cell: data-parallel over every rank, or rank 0 alone (1; BPMF) */
    fprintf(f, "mpi_refit_ranks: %d\n", R->mpi->refit_ranks > 0 ? R->mpi->refit_ranks : 1);
}

/* Run the jobs order[0 .. n-1] (in that order: the caller sorts them, largest first) on R->threads
 * OpenMP threads and append each finished job to the open journal; the last jobs running take the
 * idle threads.  Returns the first real error (d explains; an error wins over an interruption), or
 * ALS_E_INTERRUPTED when a stop was requested (the jobs in flight are then not journaled).  The one
 * place that deals jobs: a search that runs in rounds or rungs calls it once per round. */
static als_status execute_jobs(run_t *R, const int *order, int n, als_diag *d)
{
    deal_t S;
    memset(&S, 0, sizeof S);
    atomic_init(&S.next, 0);
    atomic_init(&S.failed, 0);
    bool dealer = R->mpi != NULL; /* under mpirun: the master thread deals to the other ranks */
    omp_set_max_active_levels(2);
#pragma omp parallel num_threads(R->threads + (dealer ? 1 : 0))
    {
        if (dealer && omp_get_thread_num() == 0)
            mpi_deal_jobs(R, order, n, &S);
        else
            for (;;) {
                int s = atomic_fetch_add(&S.next, 1);
                if (s >= n)
                    break;
                if (atomic_load(&S.failed) || stop_requested(R))
                    break; /* stop: the jobs in flight end at their next iteration, unjournaled */
                int run_now = atomic_fetch_add(&R->running, 1) + 1;
                int inner = 1;
                if (s == n - 1 || n - s <= 1)
                    inner = R->threads - run_now + 1 > 1 ? R->threads - run_now + 1 : 1;
                job_t *J = &R->jobs[order[s]];
                J->threads = inner;
                als_diag jd;
                als_diag_clear(&jd);
                als_status js = run_job(R, J, inner, &jd);
                atomic_fetch_sub(&R->running, 1);
                job_finished(R, J, js, &jd, &S);
                if (R->mpi && !js && J->done) {
#pragma omp atomic
                    R->mpi->njobs[0]++; /* rank 0's own (a job of every rung counts once per rung) */
                }
            }
    }
    if (S.job_st)
        *d = S.job_d;
    return S.job_st;
}

/* Flops of training job J for `iters` iterations (the order jobs are dealt in, and the ETA). */
static double job_cost(const run_t *R, const job_t *J, int iters)
{
    double k = R->cfgs[J->cfg].rank;
    const fold_t *F = &R->folds[J->fold];
    return iters * ((double)F->ntrain * 2 * k * (k + 1) + (double)(F->by_user.nrows + F->by_item.nrows) * k * k * k / 3);
}

static void job_init(run_t *R, int c, int f)
{
    job_t *J = &R->jobs[c * R->K + f];
    J->cfg = c;
    J->fold = f;
    J->cost = job_cost(R, J, R->maxmax);
}

/* R->jobs: one (config, fold) job per config and fold, job c*K + f, each with its cost estimate
 * (flops of training to the largest maxIter), by which jobs are dealt largest first. */
static als_status setup_jobs(run_t *R, als_diag *d)
{
    R->njobs = R->ncfg * R->K;
    R->jobs = calloc((size_t)R->njobs, sizeof *R->jobs);
    if (!R->jobs)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    for (int c = 0; c < R->ncfg; c++)
        for (int f = 0; f < R->K; f++)
            job_init(R, c, f);
    return ALS_OK;
}

static int cmp_cost(const void *a, const void *b, void *ctx)
{
    const run_t *R = ctx;
    const job_t *x = &R->jobs[*(const int *)a], *y = &R->jobs[*(const int *)b];
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

/* ---- scale-out: shards (docs/scale.md) ---------------------------------------------------------
 * `--shard I/N` runs shard I (0 .. N-1) of the jobs, journaled in its own folds.shard-I-of-N.csv
 * and iterations.shard-I-of-N.csv, under a shared lock on alstune.lock (shards do not block each
 * other; a plain tune or a merge, which takes it exclusively, waits for none and is refused while
 * any shard runs) and an exclusive one on alstune.shard-I-of-N.lock (the same shard twice). */

/* The shard of every job: the jobs in dealing order (cost, largest first; ties by index), each to
 * the shard with the least cost so far (ties: the lowest shard).  A pure function of the jobs'
 * costs, which every shard computes from the same folds.  load: nshards sums, may be NULL. */
static als_status shard_assign(const run_t *R, int nshards, int *shard_of, double *load, als_diag *d)
{
    int *ord = malloc((size_t)(R->njobs ? R->njobs : 1) * sizeof *ord);
    double *L = calloc((size_t)nshards, sizeof *L);
    if (!ord || !L) {
        free(ord);
        free(L);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    }
    for (int j = 0; j < R->njobs; j++)
        ord[j] = j;
    qsort_r(ord, (size_t)R->njobs, sizeof *ord, cmp_cost, (void *)R);
    for (int s = 0; s < R->njobs; s++) {
        int k = 0;
        for (int i = 1; i < nshards; i++)
            if (L[i] < L[k])
                k = i;
        shard_of[ord[s]] = k;
        L[k] += R->jobs[ord[s]].cost;
    }
    if (load)
        memcpy(load, L, (size_t)nshards * sizeof *L);
    free(ord);
    free(L);
    return ALS_OK;
}

/* A sampled search that reads results (TPE) is not split: its next trials depend on the others. */
static als_status shard_check(const run_t *R, als_diag *d)
{
    const als_experiment *e = R->e;
    if (e->search.sampled && e->search.method != ALS_SEARCH_RANDOM && e->search.method != ALS_SEARCH_SOBOL)
        return als_diag_set(d, ALS_E_USAGE, e->path, e->search.pos.line, e->search.pos.col,
                            "--shard: search.method %s proposes trials from the results of earlier ones, so it "
                            "cannot be split into independent shards; use mpirun -np N (ranks share the "
                            "rounds), or method random or sobol", als_search_method_name(e->search.method));
    if (e->search.pruner != ALS_PRUNE_NONE)
        return als_diag_set(d, ALS_E_USAGE, e->path, e->search.pos.line, e->search.pos.col,
                            "--shard: a pruner promotes trials by the results of each rung, so its jobs cannot "
                            "be split into independent shards; use mpirun -np N (ranks share the rungs)");
    return ALS_OK;
}

/* flock the file `name` in the folder (LOCK_SH or LOCK_EX, never waiting) into *fd. */
static als_status shard_flock(const run_t *R, const char *name, int how, int *fd, als_diag *d)
{
    char path[4200];
    als_path_join(path, sizeof path, R->out, name);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "cannot create the lock file: %s", strerror(errno));
    if (flock(*fd, how | LOCK_NB) == 0)
        return ALS_OK;
    int err = errno;
    char buf[32] = "";
    ssize_t n = err == EWOULDBLOCK && how == LOCK_EX ? pread(*fd, buf, sizeof buf - 1, 0) : -1;
    buf[n > 0 ? n : 0] = '\0';
    close(*fd);
    *fd = -1;
    if (err != EWOULDBLOCK)
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "cannot lock the results folder: %s", strerror(err));
    if (how == LOCK_SH)
        return als_diag_set(d, ALS_E_BUSY, R->out, 0, 0,
                            "results folder in use by a plain alstune tune or merge; shards wait for it to finish");
    return als_diag_set(d, ALS_E_BUSY, R->out, 0, 0, "shard %d/%d is already running in this folder (pid %ld)",
                        R->o->shard, R->o->nshards, strtol(buf, NULL, 10));
}

/* The locks of shard I/N (see above); our pid in the shard's lock file, for the message. */
static als_status lock_shard(run_t *R, als_diag *d)
{
    char name[64];
    snprintf(name, sizeof name, "alstune.shard-%d-of-%d.lock", R->o->shard, R->o->nshards);
    als_status st = shard_flock(R, "alstune.lock", LOCK_SH, &R->lock_fd, d);
    if (!st && pwrite(R->lock_fd, "shards\n", 7, 0) != 7) {
        /* informational only: a plain tune then says "pid unknown" */
    }
    if (!st && (st = shard_flock(R, name, LOCK_EX, &R->shard_lock_fd, d)) == ALS_OK) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
        if (ftruncate(R->shard_lock_fd, 0) == 0 && pwrite(R->shard_lock_fd, buf, (size_t)n, 0) != n) {
            /* informational only */
        }
    }
    return st;
}

/* After a plain run or a merge has rewritten folds.csv/iterations.csv with every job: the shards'
 * journals and locks are merged, so they go (we hold alstune.lock exclusively: no shard runs). */
static void shard_cleanup(const run_t *R)
{
    DIR *D = opendir(R->out);
    if (!D)
        return;
    struct dirent *de;
    while ((de = readdir(D)) != NULL) {
        int i, n, end = 0;
        const char *nm = de->d_name;
        if ((sscanf(nm, "folds.shard-%d-of-%d.csv%n", &i, &n, &end) == 2 ||
             sscanf(nm, "iterations.shard-%d-of-%d.csv%n", &i, &n, &end) == 2 ||
             sscanf(nm, "alstune.shard-%d-of-%d.lock%n", &i, &n, &end) == 2) &&
            nm[end] == '\0') {
            char p[4500];
            als_path_join(p, sizeof p, R->out, nm);
            unlink(p);
        }
    }
    closedir(D);
}

/* The number of shards of the folder's shard journals (0: none), for naming missing jobs. */
static int shard_count_seen(const run_t *R)
{
    int seen = 0;
    DIR *D = opendir(R->out);
    if (!D)
        return 0;
    struct dirent *de;
    while ((de = readdir(D)) != NULL) {
        int i, n, end = 0;
        if (sscanf(de->d_name, "folds.shard-%d-of-%d.csv%n", &i, &n, &end) == 2 && de->d_name[end] == '\0' &&
            n > 0 && n <= ALS_SHARDS_MAX)
            seen = n;
    }
    closedir(D);
    return seen;
}

/* alstune merge with jobs missing: name them (and their shards) and fail with ALS_E_CHECK. */
static als_status merge_missing(run_t *R, const int *order, int n, als_diag *d)
{
    int ns = shard_count_seen(R);
    int *shard_of = ns ? malloc((size_t)R->njobs * sizeof *shard_of) : NULL;
    if (shard_of && shard_assign(R, ns, shard_of, NULL, d)) {
        free(shard_of);
        shard_of = NULL;
    }
    char list[1024] = "";
    size_t used = 0;
    for (int s = 0; s < n && s < 4; s++) {
        const job_t *J = &R->jobs[order[s]];
        const cfg_t *c = &R->cfgs[J->cfg];
        char sh[48] = "";
        if (shard_of)
            snprintf(sh, sizeof sh, " (shard %d/%d)", shard_of[order[s]], ns);
        int w = snprintf(list + used, sizeof list - used, "%srank %d regParam %g fold %d%s", s ? "; " : "", c->rank,
                         c->regParam, J->fold, sh);
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
    }
    free(shard_of);
    return als_diag_set(d, ALS_E_CHECK, R->out, 0, 0,
                        "cannot merge: %d of %d jobs are in no journal (%s%s); run the missing shards, or a plain "
                        "alstune tune, which runs them", n, R->njobs, list, n > 4 ? "; ..." : "");
}

/* alstune merge: the config fingerprint is the folder's own (the experiment was loaded from its
 * experiment.yaml, not from the original file). */
static als_status merge_fingerprint(run_t *R, als_diag *d)
{
    char path[4200];
    als_path_join(path, sizeof path, R->out, "experiment.yaml");
    char *buf;
    size_t len;
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    const char *key = "  config_sha256: ";
    const char *p = strstr(buf, key);
    if (!p || strspn(p + strlen(key), "0123456789abcdef") != 64)
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "no fingerprint config_sha256: not a results folder's "
                                                      "experiment.yaml");
    else
        snprintf(R->config_sha, sizeof R->config_sha, "%.64s", p + strlen(key));
    free(buf);
    return st;
}

/* --dry-run's split of the jobs over shards or ranks. */
als_status als_runner_plan(const als_experiment *e, const als_run_opts *o, int ranks, als_diag *d)
{
    run_t R;
    memset(&R, 0, sizeof R);
    R.e = e;
    R.o = o;
    R.lock_fd = R.shard_lock_fd = -1;
    R.K = total_folds(e);
    int parts = o->nshards > 0 ? o->nshards : ranks;
    int *shard_of = NULL;
    double *load = NULL;
    als_status st = check_grid(e, d);
    if (!st)
        st = build_configs(&R, d);
    if (!st)
        st = load_data(&R, d);
    if (!st && R.r.n == 0)
        st = als_diag_set(d, ALS_E_INPUT, e->synthetic ? e->path : e->ratings, 0, 0, "no ratings to tune on");
    if (!st)
        st = build_folds(&R, d);
    if (!st)
        st = setup_jobs(&R, d);
    if (!st && o->nshards > 0)
        st = shard_check(&R, d);
    if (!st && parts > 0) {
        shard_of = malloc((size_t)R.njobs * sizeof *shard_of);
        load = calloc((size_t)parts, sizeof *load);
        if (!shard_of || !load)
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        else
            st = shard_assign(&R, parts, shard_of, load, d);
    }
    if (!st && parts > 0 && o->out) {
        double total = 0;
        for (int k = 0; k < parts; k++)
            total += load[k];
        fprintf(o->out, "# job split over %d %s (docs/scale.md):\n", parts,
                o->nshards > 0 ? "shards; --shard I/N runs shard I"
                               : "MPI ranks, simulated: each free rank takes the largest job left");
        for (int k = 0; k < parts; k++) {
            int nj = 0;
            for (int j = 0; j < R.njobs; j++)
                nj += shard_of[j] == k;
            fprintf(o->out, "#   %s %d: %d jobs, %.1f%% of the cost", o->nshards > 0 ? "shard" : "rank", k, nj,
                    total > 0 ? 100 * load[k] / total : 0.0);
            int shown = 0;
            for (int j = 0; j < R.njobs; j++)
                if (shard_of[j] == k && shown++ < 4)
                    fprintf(o->out, "%s rank %d regParam %g fold %d", shown == 1 ? ":" : ";",
                            R.cfgs[R.jobs[j].cfg].rank, R.cfgs[R.jobs[j].cfg].regParam, R.jobs[j].fold);
            fprintf(o->out, "%s\n", nj > 4 ? "; ..." : "");
        }
    }
    free(shard_of);
    free(load);
    run_free(&R);
    return st;
}

/* ---- rounds and rungs: TPE and the pruners (issue 12, docs/search.md) ------------------------ */

/* One rungs.csv row: trial t evaluated at rung `rung` of bracket `bracket`. */
struct rung_row {
    int trial, bracket, rung, budget;
    double value;
    bool promoted;
};

enum { TS_RUNNING = 0, TS_COMPLETE = 1, TS_PRUNED = 2, TS_FAILED = 3 };

static bool search_driven(const als_experiment *e)
{
    return e->search.pruner != ALS_PRUNE_NONE || (e->search.sampled && e->search.method == ALS_SEARCH_TPE);
}

/* The CV mean of cell (cfg, m) from the fold rows (NaN when a fold's row is missing or NaN): the
 * same bits as summary.csv's mean, in a first run and after a resume alike. */
static double cell_mean(const run_t *R, int cfg, int m)
{
    double v[ALS_NUMFOLDS_MAX];
    for (int f = 0; f < R->K; f++) {
        const job_t *J = &R->jobs[cfg * R->K + f];
        v[f] = row_field(J->fold_rows ? J->fold_rows[m] : NULL, 10);
        if (isnan(v[f]))
            return NAN;
    }
    return gsl_stats_mean(v, 1, (size_t)R->K);
}

/* The pruner's maxIter table: the rung budgets of every Hyperband bracket (successive halving uses
 * bracket s_max's, the same set), ascending. */
static als_status prune_table(run_t *R, als_search_bracket *br, int *nb, als_diag *d)
{
    const als_search_cfg *sc = &R->e->search;
    int top = (int)R->e->maxIter.v[0];
    if (als_search_hyperband(sc->minIter, top, sc->eta, br, ALS_SEARCH_MAX_RUNGS, nb, d))
        return als_diag_set(d, ALS_E_INPUT, R->e->path, sc->pruner_pos.line, sc->pruner_pos.col, "pruner: %s",
                            d->msg);
    R->nmax = 0;
    for (int i = 0; i < br[0].nrungs; i++) /* bracket s_max has every budget */
        if (R->nmax == 0 || br[0].iters[i] > R->maxiters[R->nmax - 1])
            R->maxiters[R->nmax++] = br[0].iters[i];
    R->maxmax = R->maxiters[R->nmax - 1];
    return ALS_OK;
}

/* Configs, trials and the maxIter table of a driven search.  TPE proposes its trials round by
 * round (search_run); random and Sobol propose them all here; a pruned grid's trials are its
 * points in grid order. */
static als_status driven_configs(run_t *R, als_diag *d)
{
    const als_experiment *e = R->e;
    const als_search_cfg *sc = &e->search;
    als_status st = ALS_OK;
    R->driven = true;
    bool tpe = sc->sampled && sc->method == ALS_SEARCH_TPE;
    if (tpe) {
        R->ntrials = sc->trials;
        R->ncfg = 0;
        R->nproposed = 0;
        if (sc->maxIter.on) { /* every integer of the distribution (the loader bounds their count) */
            R->nmax = 0;
            for (int v = (int)e->maxIter.v[0]; v <= (int)e->maxIter.v[1] && R->nmax < ALS_GRID_MAX; v++)
                R->maxiters[R->nmax++] = v;
            R->maxmax = R->maxiters[R->nmax - 1];
        } else {
            axis_maxiters(R);
        }
        R->trial_cfg = malloc((size_t)R->ntrials * sizeof *R->trial_cfg);
        R->trial_cell = malloc((size_t)R->ntrials * sizeof *R->trial_cell);
        if (!R->trial_cfg || !R->trial_cell)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    } else if (sc->sampled) {
        if ((st = sample_trials(R, d)))
            return st;
    } else {
        expand_grid(R);
        R->ntrials = R->nproposed = R->ncfg;
        R->trial_cfg = malloc((size_t)R->ntrials * sizeof *R->trial_cfg);
        R->trial_cell = malloc((size_t)R->ntrials * sizeof *R->trial_cell);
        if (!R->trial_cfg || !R->trial_cell)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        for (int t = 0; t < R->ntrials; t++)
            R->trial_cfg[t] = t;
    }
    if (sc->pruner != ALS_PRUNE_NONE) {
        als_search_bracket br[ALS_SEARCH_MAX_RUNGS];
        int nb;
        if ((st = prune_table(R, br, &nb, d)))
            return st;
    }
    size_t T = (size_t)R->ntrials;
    R->trial_budget = calloc(T, sizeof *R->trial_budget);
    R->trial_state = calloc(T, sizeof *R->trial_state);
    R->trial_bracket = calloc(T, sizeof *R->trial_bracket);
    if (!R->trial_budget || !R->trial_state || !R->trial_bracket)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    return ALS_OK;
}

/* After the journal's rows were matched to a job: keep the longest prefix that a run could have
 * journaled — iterations 1..b and the fold rows at every budget <= b, b a budget — and drop the
 * rest (a rerun redoes it). */
static void job_resume_prefix(run_t *R, job_t *J)
{
    int itn = 0;
    while (itn < R->maxmax && J->iter_rows[itn])
        itn++;
    int b = 0;
    for (int m = 0; m < R->nmax && R->maxiters[m] <= itn && J->fold_rows[m]; m++)
        b = R->maxiters[m];
    for (int k = b; k < R->maxmax; k++) {
        free(J->iter_rows[k]);
        J->iter_rows[k] = NULL;
    }
    for (int m = 0; m < R->nmax; m++)
        if (R->maxiters[m] > b) {
            free(J->fold_rows[m]);
            J->fold_rows[m] = NULL;
        }
    J->trained = b;
    J->done = J->resumed = b > 0;
    journal_mark(R, J);
}

/* Jobs for configs c0 .. c1-1 (new configs of a round), with their journal rows when resuming.
 * live: the journal is open (a later round), so the rows found are appended to it again (the
 * initial canonical rewrite did not know these configs).  *nres counts resumed jobs. */
static als_status add_configs(run_t *R, int c0, int c1, bool live, int *nres, als_diag *d)
{
    for (int c = c0; c < c1; c++)
        for (int f = 0; f < R->K; f++)
            job_init(R, c, f);
    R->njobs = c1 * R->K;
    als_status st = journal_match(R, R->jbuf_f, R->jbuf_i, c0, c1, d);
    for (int j = c0 * R->K; j < c1 * R->K && !st; j++) {
        job_t *J = &R->jobs[j];
        job_resume_prefix(R, J);
        *nres += J->resumed;
        if (live && J->trained > 0) {
            J->it_jn = J->fo_jn = 0;
            st = journal_append_job(R, J, d);
        }
    }
    return st;
}

/* Train the jobs of configs cfgs[0..n) (duplicates allowed) to `budget` iterations, those not there
 * yet, with execute_jobs; keep: keep their models for a later rung. */
static als_status run_phase(run_t *R, const int *cfgs, int n, int budget, bool keep, als_diag *d)
{
    int *order = malloc(((size_t)n * (size_t)R->K + 1) * sizeof *order);
    if (!order)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    int cnt = 0;
    R->cost_total = R->cost_done = 0;
    for (int i = 0; i < n; i++)
        for (int f = 0; f < R->K; f++) {
            job_t *J = &R->jobs[cfgs[i] * R->K + f];
            if (J->trained >= budget || J->target == -budget)
                continue; /* there already, or listed twice */
            J->target = -budget; /* a mark against duplicates, set right below */
            order[cnt++] = cfgs[i] * R->K + f;
        }
    for (int s = 0; s < cnt; s++) {
        job_t *J = &R->jobs[order[s]];
        J->target = budget;
        J->done = false;
        J->keep_model = keep;
        if (keep && !J->model && !J->failed && !(J->model = calloc(1, sizeof *J->model))) {
            free(order);
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        }
        J->cost = job_cost(R, J, budget - (J->model_iters > 0 ? J->trained : 0));
        R->cost_total += J->cost;
    }
    qsort_r(order, (size_t)cnt, sizeof *order, cmp_cost, R);
    R->jobs_done = 0;
    R->jobs_todo = cnt;
    R->next_log_frac = 0.1;
    /* The last cnt % threads jobs (the smallest: order is largest first) run one at a time on all
     * the threads once the others are done: a rung of a few equal jobs (the 5 folds of the one
     * trial left, on 2 threads) would otherwise run its last job on one thread while the others
     * idle.  Training is bitwise the same for any thread count, so only the wall time changes.
     * Under mpirun, execute_jobs deals to the ranks and no tail is kept back. */
    int tail = !R->mpi && R->threads > 1 && cnt > R->threads ? cnt % R->threads : 0;
    als_status st = cnt - tail > 0 ? execute_jobs(R, order, cnt - tail, d) : ALS_OK;
    for (int s = cnt - tail; s < cnt && st == ALS_OK && !stop_requested(R); s++)
        st = execute_jobs(R, order + s, 1, d);
    free(order);
    if (st == ALS_OK && stop_requested(R))
        st = ALS_E_INTERRUPTED;
    if (st == ALS_E_INTERRUPTED)
        interrupted(R, d);
    for (int i = 0; i < n && st == ALS_OK; i++)
        for (int f = 0; f < R->K; f++)
            R->jobs[cfgs[i] * R->K + f].done = true;
    return st;
}

/* Free the kept models of config c's jobs (its trial was pruned or completed). */
static void drop_models(run_t *R, int c)
{
    for (int f = 0; f < R->K; f++) {
        job_t *J = &R->jobs[c * R->K + f];
        if (J->model) {
            als_model_free(J->model);
            free(J->model);
            J->model = NULL;
            J->model_iters = 0;
        }
    }
}

/* A trial's value as the sampler and the promotion see it: the CV mean at the budget it reached,
 * negated for metrics to maximise (both minimise). */
static double trial_value(const run_t *R, int t)
{
    double v = cell_mean(R, R->trial_cfg[t], maxiter_index(R, R->trial_budget[t]));
    return als_metric_higher_is_better(&R->e->metric) ? -v : v;
}

/* The plan of a pruned search: brackets (one for halving) with their first trial, trial count
 * and rung budgets and sizes. */
typedef struct {
    int nb;
    int t0[ALS_SEARCH_MAX_RUNGS], n0[ALS_SEARCH_MAX_RUNGS];
    als_search_bracket br[ALS_SEARCH_MAX_RUNGS];
} prune_plan;

static als_status plan_brackets(run_t *R, prune_plan *P, als_diag *d)
{
    const als_search_cfg *sc = &R->e->search;
    als_search_bracket br[ALS_SEARCH_MAX_RUNGS];
    int nb;
    als_status st = prune_table(R, br, &nb, d);
    if (st)
        return st;
    int T = R->ntrials;
    memset(P, 0, sizeof *P);
    if (sc->pruner == ALS_PRUNE_HALVING) {
        P->nb = 1;
        P->br[0] = br[0];
        P->n0[0] = T;
    } else {
        /* Hyperband: the T trials are shared out in proportion to the brackets' sizes n_s,
         * floor(T n_s / sum n), the remainder one each to the first (most aggressive) brackets */
        double sum = 0;
        for (int b = 0; b < nb; b++)
            sum += (double)br[b].n[0];
        int given = 0;
        for (int b = 0; b < nb; b++) {
            P->br[b] = br[b];
            P->n0[b] = (int)floor((double)T * (double)br[b].n[0] / sum);
            given += P->n0[b];
        }
        for (int b = 0; given < T; b = (b + 1) % nb, given++)
            P->n0[b]++;
        P->nb = nb;
    }
    int t = 0;
    for (int b = 0; b < P->nb; b++) {
        P->t0[b] = t;
        /* rung i keeps max(1, floor(n0 / eta^i)) trials */
        long n = P->n0[b];
        for (int i = 0; i < P->br[b].nrungs; i++, n /= sc->eta)
            P->br[b].n[i] = n > 0 ? n : 1;
        for (int k = 0; k < P->n0[b]; k++)
            R->trial_bracket[t + k] = b;
        t += P->n0[b];
    }
    return ALS_OK;
}

/* TPE's state in search_run: the sampler, its dimensions and the proposed points. */
typedef struct {
    als_search *S;
    int dim[7];
    size_t ndim;
    double *x, *y; /* points (ntrials x ndim) and history values */
    int *titer;    /* a trial's own maxIter (no pruner) */
    int nres;
} tpe_state;

static als_status ensure_evaluated(run_t *R, const prune_plan *P, int upto, als_diag *d);

/* Propose the round that starts at R->nproposed (TPE; als_search's round rule), adding its new
 * configs.  The history values are the trials' values at the budgets they reached; under a
 * pruner they enter by their order — the largest budget first, then by value, then by trial
 * number — as ranks 0, 1, 2, ... (TPE's split only orders them); failed trials are NaN. */
static als_status propose_round(run_t *R, tpe_state *ts, const prune_plan *P, als_diag *d)
{
    int start = R->nproposed, B = R->e->search.batch, T = R->ntrials;
    int end = (start / B + 1) * B < T ? (start / B + 1) * B : T;
    als_status st = ALS_OK;
    if (P && (st = ensure_evaluated(R, P, start, d)))
        return st;
    for (int t = 0; t < start; t++)
        ts->y[t] = trial_value(R, t);
    if (P) {
        int *ord = malloc(((size_t)start + 1) * sizeof *ord);
        if (!ord)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        int n = 0;
        for (int t = 0; t < start; t++)
            if (!isnan(ts->y[t])) {
                int j = n++;
                /* insertion: budget descending, value ascending, trial ascending */
                while (j > 0) {
                    int u = ord[j - 1];
                    bool after = R->trial_budget[u] < R->trial_budget[t] ||
                                 (R->trial_budget[u] == R->trial_budget[t] && ts->y[u] > ts->y[t]);
                    if (!after)
                        break;
                    ord[j] = u;
                    j--;
                }
                ord[j] = t;
            }
        for (int j = 0; j < n; j++)
            ts->y[ord[j]] = j; /* ranks; NaN (failed) stays NaN */
        free(ord);
    }
    int c0 = R->ncfg;
    for (int t = start; t < end && !st; t++) {
        ts->y[t] = NAN; /* a running trial: its value is never read (the round rule) */
        double *x = ts->x + (size_t)t * ts->ndim;
        if ((st = als_search_propose(ts->S, (size_t)t, ts->x, ts->y, (size_t)t, x, d)))
            break;
        R->trial_cfg[t] = trial_config(R, ts->dim, x, &ts->titer[t]);
    }
    R->nproposed = end;
    if (!st)
        st = add_configs(R, c0, R->ncfg, true, &ts->nres, d);
    return st;
}

/* Under a pruner, the trials 0 .. upto-1 that a proposal is about to see but that were not
 * evaluated yet (proposed by a round that spans two brackets) are trained to their bracket's first
 * budget now — a fixed point of the schedule, so proposals stay deterministic. */
static als_status ensure_evaluated(run_t *R, const prune_plan *P, int upto, als_diag *d)
{
    int *cf = malloc(((size_t)upto + 1) * sizeof *cf);
    if (!cf)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    als_status st = ALS_OK;
    for (int b = 0; b < P->nb && !st; b++) {
        int n = 0;
        for (int t = P->t0[b]; t < P->t0[b] + P->n0[b] && t < upto; t++)
            if (R->trial_budget[t] == 0)
                cf[n++] = R->trial_cfg[t];
        if (!n)
            continue;
        snprintf(R->phase, sizeof R->phase, "bracket %d/%d rung 1/%d (%d trials, for the next proposals): ", b + 1,
                 P->nb, P->br[b].nrungs, n);
        st = run_phase(R, cf, n, P->br[b].iters[0], P->br[b].nrungs > 1, d);
        for (int t = P->t0[b]; t < P->t0[b] + P->n0[b] && t < upto && !st; t++)
            if (R->trial_budget[t] == 0)
                R->trial_budget[t] = P->br[b].iters[0];
    }
    free(cf);
    return st;
}

static als_status add_rung_row(run_t *R, int t, int b, int i, int budget, double value, bool promoted)
{
    if (R->nrungs == R->rungs_cap) {
        int cap = R->rungs_cap ? 2 * R->rungs_cap : 64;
        struct rung_row *p = realloc(R->rungs, (size_t)cap * sizeof *p);
        if (!p)
            return ALS_E_NOMEM;
        R->rungs = p;
        R->rungs_cap = cap;
    }
    R->rungs[R->nrungs++] = (struct rung_row){t, b, i, budget, value, promoted};
    return ALS_OK;
}

/* The brackets of a pruned search, one after the other; in each, rung by rung: train the rung's
 * trials to its budget (continuing from their factors), rank them by the CV mean at that budget
 * (ties by trial number) and promote the best to the next rung; the rest are pruned. */
static als_status run_brackets(run_t *R, tpe_state *ts, const prune_plan *P, als_diag *d)
{
    const als_search_cfg *sc = &R->e->search;
    size_t T = (size_t)R->ntrials;
    int *mem = malloc(T * sizeof *mem), *cf = malloc(T * sizeof *cf);
    double *val = malloc(T * sizeof *val);
    size_t *tr = malloc(T * sizeof *tr), *rk = malloc(T * sizeof *rk);
    bool *prom = malloc(T * sizeof *prom);
    als_status st = ALS_OK;
    if (!mem || !cf || !val || !tr || !rk || !prom) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    for (int b = 0; b < P->nb && !st; b++) {
        const als_search_bracket *br = &P->br[b];
        int n = P->n0[b];
        if (n == 0)
            continue;
        while (ts && R->nproposed < P->t0[b] + n && !st)
            st = propose_round(R, ts, P, d);
        for (int k = 0; k < n; k++)
            mem[k] = P->t0[b] + k;
        for (int i = 0; i < br->nrungs && !st; i++) {
            int budget = br->iters[i];
            bool last = i == br->nrungs - 1;
            for (int k = 0; k < n; k++)
                cf[k] = R->trial_cfg[mem[k]];
            snprintf(R->phase, sizeof R->phase, "bracket %d/%d rung %d/%d (%d of %d trials at %d iterations): ",
                     b + 1, P->nb, i + 1, br->nrungs, n, R->ntrials, budget);
            if ((st = run_phase(R, cf, n, budget, !last, d)))
                break;
            for (int k = 0; k < n; k++) {
                R->trial_budget[mem[k]] = budget;
                val[k] = trial_value(R, mem[k]);
                tr[k] = (size_t)mem[k];
                prom[k] = false;
            }
            size_t keep = 0;
            if (!last) {
                keep = (size_t)br->n[i + 1] < (size_t)n ? (size_t)br->n[i + 1] : (size_t)n;
                if ((st = als_search_promote_k(val, tr, (size_t)n, keep, rk, d)))
                    break;
                for (size_t k = 0; k < keep; k++)
                    prom[rk[k]] = true;
            }
            for (int k = 0; k < n && !st; k++) {
                int t = mem[k];
                double v = cell_mean(R, R->trial_cfg[t], maxiter_index(R, budget));
                if (add_rung_row(R, t, b, i, budget, v, prom[k]))
                    st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
                if (last)
                    R->trial_state[t] = isnan(v) ? TS_FAILED : TS_COMPLETE;
                else if (!prom[k])
                    R->trial_state[t] = isnan(v) ? TS_FAILED : TS_PRUNED;
            }
            /* the next rung: the promoted trials in trial order (rk[0..keep) is in trial order) */
            for (size_t k = 0; k < keep; k++)
                mem[k] = (int)tr[rk[k]];
            n = (int)keep;
            for (int t = P->t0[b]; t < P->t0[b] + P->n0[b]; t++) /* models of finished trials */
                if (R->trial_state[t] != TS_RUNNING) {
                    bool needed = false;
                    for (int k = 0; k < n; k++)
                        needed |= R->trial_cfg[mem[k]] == R->trial_cfg[t];
                    if (!needed)
                        drop_models(R, R->trial_cfg[t]);
                }
        }
        (void)sc;
    }
out:
    free(mem);
    free(cf);
    free(val);
    free(tr);
    free(rk);
    free(prom);
    return st;
}

/* TPE without a pruner: round by round, propose, train the round's new configs to the largest
 * maxIter, journal; every trial is complete (or failed) at its own maxIter. */
static als_status run_rounds(run_t *R, tpe_state *ts, als_diag *d)
{
    int *cf = malloc((size_t)R->e->search.batch * sizeof *cf);
    if (!cf)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    als_status st = ALS_OK;
    int B = R->e->search.batch, nround = (R->ntrials + B - 1) / B;
    while (R->nproposed < R->ntrials && !st) {
        int start = R->nproposed;
        if ((st = propose_round(R, ts, NULL, d)))
            break;
        int n = 0;
        for (int t = start; t < R->nproposed; t++)
            cf[n++] = R->trial_cfg[t];
        snprintf(R->phase, sizeof R->phase, "round %d/%d (trials %d-%d of %d): ", start / B + 1, nround, start,
                 R->nproposed - 1, R->ntrials);
        if ((st = run_phase(R, cf, n, R->maxmax, false, d)))
            break;
        for (int t = start; t < R->nproposed; t++) {
            R->trial_budget[t] = ts->titer[t];
            R->trial_state[t] = isnan(trial_value(R, t)) ? TS_FAILED : TS_COMPLETE;
        }
    }
    free(cf);
    return st;
}

/* A driven search (TPE and/or a pruner) from the jobs to the closed journal: the counterpart of
 * the job loop of als_run_experiment.  *resumed: jobs found in a previous run's journal. */
static als_status search_run(run_t *R, int *resumed, als_diag *d)
{
    const als_experiment *e = R->e;
    const als_search_cfg *sc = &e->search;
    bool tpe = sc->sampled && sc->method == ALS_SEARCH_TPE;
    tpe_state ts;
    memset(&ts, 0, sizeof ts);
    prune_plan P;
    als_status st = ALS_OK;
    int cap = als_runner_nconfigs(e);
    R->jobs = calloc((size_t)cap * (size_t)R->K, sizeof *R->jobs);
    if (!R->jobs)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    if (tpe) {
        als_search_space sp;
        als_search_opts so;
        als_search_opts_default(&so);
        so.method = ALS_SEARCH_TPE;
        so.seed = sc->seed;
        so.batch = (size_t)sc->batch;
        if ((st = search_space(e, &sp, ts.dim, d)) || (st = als_search_alloc(&ts.S, &sp, &so, (size_t)R->ntrials, d)))
            goto out;
        ts.ndim = sp.ndim;
        ts.x = calloc((size_t)R->ntrials * (sp.ndim ? sp.ndim : 1), sizeof *ts.x);
        ts.y = calloc((size_t)R->ntrials, sizeof *ts.y);
        ts.titer = calloc((size_t)R->ntrials, sizeof *ts.titer);
        if (!ts.x || !ts.y || !ts.titer) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            goto out;
        }
    }
    if (sc->pruner != ALS_PRUNE_NONE && (st = plan_brackets(R, &P, d)))
        goto out;
    if (!R->o->fresh && (st = journal_read(R, &R->jbuf_f, &R->jbuf_i, d)))
        goto out;
    if ((st = add_configs(R, 0, R->ncfg, false, &ts.nres, d)) || (st = write_experiment(R, d)) ||
        (st = journal_rewrite(R, d)))
        goto out;
    if (R->jbuf_f && R->o->log && !R->o->quiet)
        fprintf(R->o->log, "alstune: resuming in %s: the journal's jobs already done are reused (%s)\n", R->out,
                tpe ? "matched round by round" : "matched to the trials");
    if ((st = journal_open(R, d)))
        goto out;
    if (sc->pruner != ALS_PRUNE_NONE)
        st = run_brackets(R, tpe ? &ts : NULL, &P, d);
    else
        st = run_rounds(R, &ts, d);
    {
        als_diag cd;
        als_status cst = journal_close(R, &cd);
        if (cst && (st == ALS_OK || st == ALS_E_INTERRUPTED)) {
            st = cst;
            *d = cd;
        }
    }
    if (st)
        goto out;
    R->phase[0] = '\0';
    for (int t = 0; t < R->ntrials; t++)
        R->trial_cell[t] = R->trial_cfg[t] * R->nmax + maxiter_index(R, R->trial_budget[t]);
    st = write_experiment(R, d); /* the final config count (TPE learns it round by round) */
out:
    *resumed = 0;
    for (int j = 0; j < R->njobs; j++)
        *resumed += R->jobs[j].resumed;
    als_search_free(ts.S);
    free(ts.x);
    free(ts.y);
    free(ts.titer);
    return st;
}

/* rungs.csv (a pruned search; docs/outputs.md): one row per (trial, rung) evaluated, by bracket,
 * rung and trial. */
static als_status write_rungs(run_t *R, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open_at(&a, R->out, "rungs.csv", d);
    if (st)
        return st;
    fputs("trial,bracket,rung,budget,metric,value,promoted\n", a.f);
    for (int k = 0; k < R->nrungs; k++) {
        const struct rung_row *r = &R->rungs[k];
        char v[32];
        fprintf(a.f, "%d,%d,%d,%d,%s,%s,%s\n", r->trial, r->bracket, r->rung, r->budget, R->e->metric.name,
                als_fmt_double(v, r->value), tf(r->promoted));
    }
    return als_afile_commit(&a, d);
}

static void print_table(run_t *R, const cell_sum *cs, double wall)
{
    FILE *f = R->o->out;
    const als_experiment *e = R->e;
    if (R->o->quiet || !f)
        return;
    int ncell = R->ncfg * R->nmax;
    fprintf(f, "\nalstune: %d cells x %d folds (%d jobs", ncell, R->K, R->njobs);
    int resumed = 0;
    for (int j = 0; j < R->njobs; j++)
        resumed += R->jobs[j].resumed;
    if (resumed)
        fprintf(f, ", %d resumed", resumed);
    fprintf(f, ") on %zu ratings in %.2f s, %d thread%s\n\n", R->r.n, wall, R->threads, R->threads == 1 ? "" : "s");
    /* the axes that vary, plus rank, regParam and maxIter always */
    bool sa = e->alpha.n > 1, si = e->implicitPrefs.n > 1, sn = e->nonnegative.n > 1, sb = e->bias.n > 1;
    fprintf(f, "  %3s  %5s  %9s  %7s", "#", "rank", "regParam", "maxIter");
    if (sa) fprintf(f, "  %6s", "alpha");
    if (si) fprintf(f, "  %8s", "implicit");
    if (sn) fprintf(f, "  %6s", "nonneg");
    if (sb) fprintf(f, "  %5s", "bias");
    fprintf(f, "  %s (mean ± std over folds)\n", e->metric.name);
    for (int i = 0; i < ncell && i < 5; i++) {
        const cfg_t *c = &R->cfgs[cs[i].cell / R->nmax];
        fprintf(f, "  %3d  %5d  %9g  %7d", i + 1, c->rank, c->regParam, R->maxiters[cs[i].cell % R->nmax]);
        if (sa) fprintf(f, "  %6g", c->alpha);
        if (si) fprintf(f, "  %8s", tf(c->implicit));
        if (sn) fprintf(f, "  %6s", tf(c->nonneg));
        if (sb) fprintf(f, "  %5s", tf(c->bias));
        fprintf(f, "  %.4f ± %.4f\n", cs[i].mean, cs[i].std);
    }
}

static void print_best(run_t *R, const char *best_path)
{
    FILE *f = R->o->out;
    if (R->o->quiet || !f)
        return;
    char *buf;
    size_t len;
    als_diag tmp;
    if (als_read_file(best_path, &buf, &len, &tmp))
        return;
    const char *keys[] = {"params: ", "cv: ", "test: "};
    fputc('\n', f);
    for (size_t k = 0; k < 3; k++) {
        const char *p = strstr(buf, keys[k]);
        if (p && (p == buf || p[-1] == '\n')) {
            const char *nl = strchr(p, '\n');
            const char *hash = memchr(p, '#', nl ? (size_t)(nl - p) : strlen(p));
            int n = (int)((hash ? hash : nl ? nl : p + strlen(p)) - p);
            fprintf(f, "best %.*s\n", n, p);
        }
    }
    free(buf);
}

/* ---- the results folder's lock --------------------------------------------------------------- */

/* Take an exclusive flock on <out>/alstune.lock, or fail at once with ALS_E_BUSY naming the pid
 * that holds it (written into the file by the holder).  The lock goes away with the process,
 * whatever kills it, so a stale file never blocks a rerun. */
static als_status lock_folder(run_t *R, als_diag *d)
{
    char path[4200];
    als_path_join(path, sizeof path, R->out, "alstune.lock");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "cannot create the lock file: %s", strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char buf[32] = "";
        ssize_t n = err == EWOULDBLOCK ? pread(fd, buf, sizeof buf - 1, 0) : -1;
        close(fd);
        if (err != EWOULDBLOCK)
            return als_diag_set(d, ALS_E_IO, path, 0, 0, "cannot lock the results folder: %s", strerror(err));
        buf[n > 0 ? n : 0] = '\0';
        char *end;
        long pid = strtol(buf, &end, 10);
        if (strncmp(buf, "shards", 6) == 0) /* lock_shard's mark */
            return als_diag_set(d, ALS_E_BUSY, R->out, 0, 0,
                                "results folder in use by shards of alstune tune --shard I/N (their pids are in "
                                "alstune.shard-I-of-N.lock); wait for them to finish");
        if (end == buf || pid <= 0)
            return als_diag_set(d, ALS_E_BUSY, R->out, 0, 0,
                                "results folder in use by another alstune tune (pid unknown, lock %s); wait for it "
                                "to finish, or use --out for another folder", path);
        return als_diag_set(d, ALS_E_BUSY, R->out, 0, 0,
                            "results folder in use by another alstune tune (pid %ld); wait for it to finish, or "
                            "use --out for another folder", pid);
    }
    /* our pid, for the message above; informational only, so a full disk here is not an error */
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n) {
        /* nothing: the message then says "pid unknown" */
    }
    R->lock_fd = fd;
    return ALS_OK;
}

void als_runner_unlock(als_run_result *res)
{
    if (res && res->lock_fd >= 0) {
        close(res->lock_fd);
        res->lock_fd = -1;
    }
}

/* --fresh: remove <out>/outer/, the inner runs of an earlier nested CV (all of it is alstune's,
 * docs/outputs.md); the inner runs of this one, if any, are made again after this. */
static int remove_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

static void remove_outer(const run_t *R)
{
    char p[4200];
    als_path_join(p, sizeof p, R->out, "outer");
    nftw(p, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove "<name>.tmp.<pid>" files that a killed run left behind (we hold the lock, so no live
 * process is writing them). */
static void remove_stale_temps(const run_t *R)
{
    static const char *const sub[] = {"", "model", "plots"};
    for (size_t k = 0; k < sizeof sub / sizeof sub[0]; k++) {
        char dir[4200];
        if (sub[k][0])
            als_path_join(dir, sizeof dir, R->out, sub[k]);
        else
            snprintf(dir, sizeof dir, "%s", R->out);
        DIR *D = opendir(dir);
        if (!D)
            continue;
        struct dirent *de;
        while ((de = readdir(D)) != NULL) {
            const char *t = strstr(de->d_name, ".tmp.");
            if (!t || !t[5] || strspn(t + 5, "0123456789") != strlen(t + 5))
                continue;
            char p[4500];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            unlink(p);
        }
        closedir(D);
    }
}

/* ---- the run -------------------------------------------------------------------------------- */

/* The results folder: --out, else the experiment's output, else results/<name>/ under the cwd. */
static void out_folder(const als_experiment *e, const als_run_opts *o, char *out, size_t n)
{
    if (o->out_dir && o->out_dir[0])
        snprintf(out, n, "%s", o->out_dir);
    else if (e->output[0])
        snprintf(out, n, "%s", e->output);
    else /* the default: results/<name>/ under the current directory */
        snprintf(out, n, "results/%s", e->name);
}

/* ---- nested cross-validation (issue 13, docs/statistics.md "Nested cross-validation") ---------- */

typedef struct {
    char cell[32], params[7][40], inner_mean[32], inner_std[32], outer[32], n_train[32], n_test[32];
} nested_row;

/* Copy the value of `key: ` on the line starting with `line` of a best.yaml (up to ',', '}' or the
 * end of the line) into out; "" when absent. */
static void yaml_value(const char *buf, const char *line, const char *key, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = buf;
    size_t ll = strlen(line);
    while (p && strncmp(p, line, ll) != 0) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return;
    const char *nl = strchr(p, '\n');
    char k[64];
    snprintf(k, sizeof k, "%s: ", key);
    const char *q = p;
    for (;;) {
        q = strstr(q, k);
        if (!q || (nl && q > nl))
            return;
        if (q == p || q[-1] == ' ' || q[-1] == '{')
            break;
        q++;
    }
    q += strlen(k);
    size_t m = strcspn(q, ",}\n");
    snprintf(out, n, "%.*s", (int)(m < n ? m : n - 1), q);
}

/* One outer fold's row of nested.csv, from its inner run's best.yaml and experiment.yaml. */
static als_status nested_read(const char *dir, nested_row *row, als_diag *d)
{
    static const char *const pk[7] = {"rank", "regParam", "maxIter", "alpha", "implicitPrefs", "nonnegative", "bias"};
    char path[4200];
    char *buf;
    size_t len;
    als_path_join(path, sizeof path, dir, "best.yaml");
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    yaml_value(buf, "cell: ", "cell", row->cell, sizeof row->cell);
    for (int k = 0; k < 7; k++)
        yaml_value(buf, "params: ", pk[k], row->params[k], sizeof row->params[k]);
    yaml_value(buf, "cv: ", "mean", row->inner_mean, sizeof row->inner_mean);
    yaml_value(buf, "cv: ", "std", row->inner_std, sizeof row->inner_std);
    yaml_value(buf, "test: ", "value", row->outer, sizeof row->outer);
    yaml_value(buf, "test: ", "n_test", row->n_test, sizeof row->n_test);
    yaml_value(buf, "refit: ", "n_train", row->n_train, sizeof row->n_train);
    free(buf);
    if (!row->cell[0] || !row->outer[0])
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "not the best.yaml of a finished inner run");
    return ALS_OK;
}

/* mean and sample std (n − 1) of the field `off` (a string) of K rows */
static void nested_stats(const nested_row *rows, int K, size_t off, double *mean, double *sd)
{
    double v[ALS_OUTERFOLDS_MAX];
    for (int i = 0; i < K; i++)
        v[i] = strtod((const char *)&rows[i] + off, NULL);
    *mean = gsl_stats_mean(v, 1, (size_t)K);
    *sd = gsl_stats_sd_m(v, 1, (size_t)K, *mean);
}

/* nested.csv, and best.yaml's nested line appended (temp + rename) — in the top-level folder. */
static als_status nested_write(const als_experiment *e, const char *out, const nested_row *rows, double *est,
                               als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open_at(&a, out, "nested.csv", d);
    if (st)
        return st;
    fputs("outer_fold,cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,metric,inner_best,inner_std,"
          "outer_score,n_train,n_test\n", a.f);
    for (int i = 0; i < e->outerFolds; i++) {
        const nested_row *r = &rows[i];
        fprintf(a.f, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", i, r->cell, r->params[0], r->params[1],
                r->params[2], r->params[3], r->params[4], r->params[5], r->params[6], e->metric.name, r->inner_mean,
                r->inner_std, r->outer, r->n_train, r->n_test);
    }
    if ((st = als_afile_commit(&a, d)))
        return st;
    nested_stats(rows, e->outerFolds, offsetof(nested_row, outer), &est[0], &est[1]);
    nested_stats(rows, e->outerFolds, offsetof(nested_row, inner_mean), &est[2], &est[3]);
    char path[4200];
    als_path_join(path, sizeof path, out, "best.yaml");
    char *buf;
    size_t len;
    if ((st = als_read_file(path, &buf, &len, d)))
        return st;
    if ((st = als_afile_open(&a, path, d))) {
        free(buf);
        return st;
    }
    char v[4][32];
    fwrite(buf, 1, len, a.f);
    free(buf);
    fprintf(a.f, "nested: {outer_folds: %d, select: %s, mean: %s, std: %s, inner_best_mean: %s, inner_best_std: %s, "
                 "file: nested.csv}\n", e->outerFolds, als_select_rule_name(e->select), als_fmt_double(v[0], est[0]),
            als_fmt_double(v[1], est[1]), als_fmt_double(v[2], est[2]), als_fmt_double(v[3], est[3]));
    return als_afile_commit(&a, d);
}

/* split.outerFolds = K: the ordinary run in the results folder (its CV best is the optimistic
 * estimate), then for each outer fold i the whole inner search — the same experiment, every
 * search method — on the outer training part only, as a resumable run of its own in
 * <out>/outer/<i>/ (its holdout is outer fold i: outer_holdout), its chosen cell (select) refit
 * on the outer training part and scored on outer fold i; then nested.csv and best.yaml's nested
 * line from the inner best.yaml files.  A rerun resumes every folder. */
static als_status run_nested(const als_experiment *e, const als_run_opts *o, als_run_result *res, als_diag *d)
{
    int K = e->outerFolds;
    als_experiment *ei = malloc(sizeof *ei);
    nested_row *rows = calloc((size_t)K, sizeof *rows);
    als_run_result top;
    top.lock_fd = -1;
    als_status st = ALS_OK;
    if (!ei || !rows) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    char out[4096];
    out_folder(e, o, out, sizeof out);
    *ei = *e;
    als_experiment_fix_cols(ei);
    ei->outerFold = -2; /* the top-level run: an ordinary one */
    if ((st = als_run_experiment(ei, o, &top, d)))
        goto out;
    double t0 = als_now();
    for (int i = 0; i < K; i++) {
        *ei = *e;
        als_experiment_fix_cols(ei);
        ei->outerFold = i;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/outer/%d", out, i);
        als_run_opts oi = *o;
        oi.out_dir = dir;
        oi.out = NULL; /* the inner tables would drown the nested one */
        if (o->log && !o->quiet)
            fprintf(o->log, "alstune: nested CV: outer fold %d of %d, inner search in %s\n", i + 1, K, dir);
        als_run_result ri;
        if ((st = als_run_experiment(ei, &oi, &ri, d)))
            goto out;
        als_runner_unlock(&ri);
        if ((st = nested_read(dir, &rows[i], d)))
            goto out;
    }
    double est[4];
    if ((st = nested_write(e, out, rows, est, d)))
        goto out;
    if (o->out && !o->quiet)
        fprintf(o->out, "\nnested CV (%d outer folds x %d inner folds, select: %s): %s %.4f ± %.4f (mean ± std over "
                        "outer folds)\n  beside the optimistic inner best: %.4f ± %.4f (the chosen cells' mean CV %s)"
                        "\n  nested.csv; nested search %.1f s\n",
                K, e->numFolds, als_select_rule_name(e->select), e->metric.name, est[0], est[1], est[2], est[3],
                e->metric.name, als_now() - t0);
out:
    if (st == ALS_OK && res) {
        *res = top; /* the top-level folder, still locked for the report */
    } else {
        als_runner_unlock(&top);
    }
    free(ei);
    free(rows);
    return st;
}

als_status als_run_experiment(const als_experiment *e, const als_run_opts *o, als_run_result *res,
                              als_diag *d)
{
    if (res)
        res->lock_fd = -1;
    if (e->outerFolds >= 2 && e->outerFold == -1) {
        if (als_mpi_size() > 1 || o->nshards > 0) {
            const als_keypos *kp = &e->pos[ALS_KEY_SPLIT];
            return als_diag_set(d, ALS_E_INPUT, e->path, kp->line, kp->col,
                                "split.outerFolds: nested cross-validation runs in one process only (threads), "
                                "not under mpirun or with --shard");
        }
        return run_nested(e, o, res, d);
    }
    if (als_mpi_size() > 1 && als_mpi_rank() > 0)
        return mpi_serve(e, o, d); /* a worker rank: serves rank 0's jobs until it is done */
    run_t R;
    memset(&R, 0, sizeof R);
    R.e = e;
    R.o = o;
    R.lock_fd = R.shard_lock_fd = -1;
    if (o->nshards > 0) { /* --shard I/N: its own journal (docs/scale.md) */
        snprintf(R.jfolds, sizeof R.jfolds, "folds.shard-%d-of-%d.csv", o->shard, o->nshards);
        snprintf(R.jiters, sizeof R.jiters, "iterations.shard-%d-of-%d.csv", o->shard, o->nshards);
    } else {
        snprintf(R.jfolds, sizeof R.jfolds, "folds.csv");
        snprintf(R.jiters, sizeof R.jiters, "iterations.csv");
    }
    R.t0 = als_now();
    time_t start = time(NULL);
    R.tty = o->log && isatty(fileno(o->log));
    R.threads = o->threads > 0 ? o->threads : omp_get_num_procs();
    R.K = total_folds(e);
    R.next_log_frac = 0.1;
    openblas_set_num_threads(1); /* all parallelism is ours; BLAS runs inside our threads */
    als_status st = ALS_OK;
    cell_sum *cs = NULL;
    int *order = NULL;
    int resumed = 0;

    out_folder(e, o, R.out, sizeof R.out);
    /* Every parameter and the job count are checked before anything is allocated, read or
     * initialised (a rank the solver cannot take once crashed als_model_init; a huge maxIter
     * sized the per-iteration buffers): the loader did this at each key already, this is for
     * experiments built in code. */
    if (als_mpi_size() > 1 && (st = mpi_deal_init(&R, d)))
        goto out;
    if ((st = check_grid(e, d)))
        goto out;
    if ((st = build_configs(&R, d)))
        goto out;

    /* data */
    if ((st = load_data(&R, d)))
        goto out;
    if (R.r.n == 0) {
        st = als_diag_set(d, ALS_E_INPUT, e->synthetic ? e->path : e->ratings, 0, 0, "no ratings to tune on");
        goto out;
    }
    double t_load = als_now() - R.t0;

    /* split */
    double t1 = als_now();
    if ((st = build_folds(&R, d)))
        goto out;
    double t_split = als_now() - t1;

    /* output folder, fingerprint, resume */
    if (stop_requested(&R)) { /* stopped while loading: nothing written yet */
        st = interrupted(&R, d);
        goto out;
    }
    if (o->merge && (st = merge_fingerprint(&R, d)))
        goto out;
    if ((st = als_mkdir_p(R.out, d)) || (st = (o->nshards > 0 ? lock_shard : lock_folder)(&R, d)))
        goto out;
    if (o->nshards > 0) { /* other shards may be writing their temporaries */
        char p[4200], p2[4200];
        als_path_join(p, sizeof p, R.out, R.jfolds);
        als_path_join(p2, sizeof p2, R.out, R.jiters);
        if (o->fresh) {
            unlink(p);
            unlink(p2);
        }
        if ((st = check_fingerprint(&R, d)))
            goto out;
    } else
        remove_stale_temps(&R);
    if (o->nshards > 0) {
    } else if (o->fresh) {
        const char *old[] = {"folds.csv", "iterations.csv", "summary.csv", "best.yaml", "experiment.yaml",
                             "timings.csv", "provenance.yaml", "report.md", "report.html",
                             "model/model.yaml", "model/user_factors.npy", "model/item_factors.npy",
                             "model/user_ids.txt", "model/item_ids.txt", "model/user_bias.npy",
                             "model/item_bias.npy", "model/seen.csr", "holdout.csv", "trials.csv", "nested.csv",
                             "rungs.csv"};
        for (size_t k = 0; k < sizeof old / sizeof old[0]; k++) {
            char p[4200];
            als_path_join(p, sizeof p, R.out, old[k]);
            unlink(p);
        }
        remove_outer(&R); /* an earlier nested run's outer/<i>/ folders */
        shard_cleanup(&R); /* shards' journals too: they would be merged */
    } else if ((st = check_fingerprint(&R, d))) {
        goto out;
    }
    if (R.driven) { /* TPE and the pruners: rounds and rungs (search_run) */
        if ((o->nshards > 0 || o->merge) && (st = shard_check(&R, d)))
            goto out;
        if ((st = search_run(&R, &resumed, d)))
            goto out;
        goto jobs_done;
    }
    if ((st = setup_jobs(&R, d)))
        goto out;
    order = malloc((size_t)R.njobs * sizeof *order);
    if (!order) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    if (!o->fresh && (st = journal_load(&R, d)))
        goto out;
    {
        /* shards write experiment.yaml only when it is not there (all write the same bytes) */
        char pe[4200];
        als_path_join(pe, sizeof pe, R.out, "experiment.yaml");
        if ((o->nshards == 0 || !als_file_exists(pe)) && (st = write_experiment(&R, d)))
            goto out;
    }
    if ((st = journal_rewrite(&R, d)))
        goto out;
    int *shard_of = NULL;
    if (o->nshards > 0) {
        if ((shard_of = malloc((size_t)R.njobs * sizeof *shard_of)) == NULL) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            goto out;
        }
        if ((st = shard_check(&R, d)) || (st = shard_assign(&R, o->nshards, shard_of, NULL, d))) {
            free(shard_of);
            goto out;
        }
    }
    int shard_jobs = 0;
    for (int j = 0; j < R.njobs; j++) {
        if (shard_of && shard_of[j] != o->shard)
            continue; /* another shard's */
        shard_jobs++;
        if (R.jobs[j].done)
            resumed++;
        else
            order[R.jobs_todo++] = j;
    }
    free(shard_of);
    if (resumed && o->log && !o->quiet)
        fprintf(o->log, "alstune: resuming in %s: %d of %d jobs already done\n", R.out, resumed, R.njobs);
    qsort_r(order, (size_t)R.jobs_todo, sizeof *order, cmp_cost, &R);
    if (o->merge && R.jobs_todo > 0) {
        st = merge_missing(&R, order, R.jobs_todo, d);
        goto out;
    }
    for (int s = 0; s < R.jobs_todo; s++)
        R.cost_total += R.jobs[order[s]].cost;

    if ((st = journal_open(&R, d)))
        goto out;

    /* the jobs: largest first; the last jobs running take the idle threads */
    als_diag job_d;
    als_diag_clear(&job_d);
    als_status job_st = execute_jobs(&R, order, R.jobs_todo, &job_d);
    {
        als_diag cd;
        als_status cst = journal_close(&R, &cd);
        if (cst && (job_st == ALS_OK || job_st == ALS_E_INTERRUPTED)) {
            job_st = cst;
            job_d = cd;
        }
    }
    if (job_st == ALS_OK && stop_requested(&R))
        job_st = interrupted(&R, &job_d);
    if (job_st) {
        if (job_st == ALS_E_INTERRUPTED)
            interrupted(&R, &job_d);
        *d = job_d;
        st = job_st;
        goto out;
    }
    if (o->nshards > 0) { /* a shard ends here: its journal in canonical order; merge does the rest */
        if ((st = journal_rewrite(&R, d)))
            goto out;
        if (o->log && !o->quiet)
            fprintf(o->log, "alstune: shard %d/%d: %d jobs done (%d resumed) of the %d of the experiment in %s\n",
                    o->shard, o->nshards, shard_jobs, resumed, R.njobs, R.out);
        if (res) {
            snprintf(res->out_dir, sizeof res->out_dir, "%s", R.out);
            res->jobs_total = shard_jobs;
            res->jobs_resumed = resumed;
            res->wall_seconds = als_now() - R.t0;
        }
        goto out;
    }
jobs_done:

    if (e->coldStart == ALS_COLD_NAN && o->log) {
        int nanrows = 0, rows = 0;
        for (int j = 0; j < R.njobs; j++)
            for (int k = 0; k < R.nmax; k++, rows++)
                nanrows += row_field(R.jobs[j].fold_rows[k], 17) > 0;
        if (nanrows)
            fprintf(o->log,
                    "alstune: warning: coldStartStrategy nan: in %d of %d (cell, fold) rows the validation fold has "
                    "users or movies with no training rating, so their metrics are NaN, as Spark's evaluator "
                    "gives; such cells sort last.  Use coldStartStrategy: drop to score the other ratings.\n",
                    nanrows, rows);
    }

    /* canonical journal, summary, refit, best; a stop request is honoured between the files */
#define STOP_POINT()                                                                                           \
    do {                                                                                                       \
        if (stop_requested(&R)) {                                                                              \
            st = interrupted(&R, d);                                                                           \
            goto out;                                                                                          \
        }                                                                                                      \
    } while (0)
    STOP_POINT();
    if ((st = journal_rewrite(&R, d)))
        goto out;
    shard_cleanup(&R); /* every shard's jobs are in folds.csv/iterations.csv now */
    STOP_POINT();
    int ncell = R.ncfg * R.nmax;
    cs = calloc((size_t)ncell, sizeof *cs);
    if (!cs || summarize(&R, cs)) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
        goto out;
    }
    seed_spread(&R, cs);
    if ((st = write_summary(&R, cs, d)) || (R.ntrials && (st = write_trials(&R, cs, d))) ||
        (e->search.pruner != ALS_PRUNE_NONE && (st = write_rungs(&R, d))))
        goto out;
    STOP_POINT();
    for (int f = 0; f < R.K; f++)
        fold_free(&R.folds[f]);
    double t_refit = 0;
    if ((st = refit_and_write_best(&R, cs, &t_refit, d)))
        goto out;
    STOP_POINT();
    double wall = als_now() - R.t0;
    if ((st = write_timings(&R, t_load, t_split, t_refit, wall, d)))
        goto out;
    STOP_POINT();
    if ((st = write_provenance(&R, start, time(NULL), wall, resumed, d)))
        goto out;
#undef STOP_POINT
    print_table(&R, cs, wall);
    if (e->replicates > 1 && !o->quiet && o->out)
        write_spread(&R, cs, o->out, false);
    {
        char bp[4200];
        als_path_join(bp, sizeof bp, R.out, "best.yaml");
        print_best(&R, bp);
    }
    if (res) {
        snprintf(res->out_dir, sizeof res->out_dir, "%s", R.out);
        res->jobs_total = R.njobs;
        res->jobs_resumed = resumed;
        res->wall_seconds = wall;
    }
out:
    mpi_release(&R); /* the other ranks return */
    if (R.shard_lock_fd >= 0)
        close(R.shard_lock_fd);
    if (R.folds_f)
        fclose(R.folds_f);
    if (R.iters_f)
        fclose(R.iters_f);
    if (R.lock_fd >= 0) {
        if (st == ALS_OK && res)
            res->lock_fd = R.lock_fd; /* the caller adds the report, then releases it */
        else
            close(R.lock_fd); /* closing the descriptor releases the flock */
    }
    run_free(&R);
    free(order);
    free(cs);
    return st;
}
