/* als_search — hyper-parameter search beyond the grid (issue 12): a search space of named
 * dimensions, three samplers (random, Sobol, TPE) and a successive-halving / Hyperband bracket
 * planner.  The runner (src/als_runner.c, "rounds and rungs") calls it for the YAML `search:` and
 * `pruner:` sections (docs/search.md).
 *
 * Determinism rule.  Trials are numbered 0, 1, 2, ... and proposed in rounds of `batch` trials:
 * trial t belongs to round t / batch and its proposal is a pure function of (space, options,
 * seed, t, the points and values of trials 0 .. round_start(t) - 1).  Results that arrive during
 * a round are never seen by that round, so proposals do not depend on the thread count, on the
 * order in which trials finish, or on a kill -9 + resume.
 *
 * Values are minimised; a caller that maximises passes -value.  A non-finite value marks a failed
 * trial: TPE leaves it out, as Optuna leaves out FAIL trials.
 *
 * Points are arrays of `ndim` doubles in the order the dimensions were added: a float dimension
 * holds its value, an int dimension an integral value, a categorical dimension the index of the
 * choice (0 .. ncat-1; the caller maps indices to its own values). */
#ifndef ALS_SEARCH_H
#define ALS_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "als_error.h"

#define ALS_SEARCH_MAX_DIM 40  /* GSL's Sobol generator supports at most 40 dimensions */
#define ALS_SEARCH_NAME_MAX 32
#define ALS_SEARCH_MAX_RUNGS 32

/* ---- search space ------------------------------------------------------------------------- */
typedef enum { ALS_SEARCH_FLOAT, ALS_SEARCH_INT, ALS_SEARCH_CAT } als_search_kind;

typedef struct {
    char name[ALS_SEARCH_NAME_MAX];
    als_search_kind kind;
    double lo, hi; /* float: lo < hi; int: integral, lo <= hi; log needs lo > 0 */
    bool log;      /* float/int: uniform in log space */
    size_t ncat;   /* categorical: number of choices (>= 1) */
} als_search_dim;

typedef struct {
    size_t ndim;
    als_search_dim dim[ALS_SEARCH_MAX_DIM];
} als_search_space;

void als_search_space_init(als_search_space *sp);
/* Add a dimension; ALS_E_INPUT (with a message naming it) for bad bounds, a duplicate or empty
 * name, or more than ALS_SEARCH_MAX_DIM dimensions. */
als_status als_search_space_add_float(als_search_space *sp, const char *name, double lo, double hi,
                                      bool log, als_diag *d);
als_status als_search_space_add_int(als_search_space *sp, const char *name, long lo, long hi, bool log,
                                    als_diag *d);
als_status als_search_space_add_cat(als_search_space *sp, const char *name, size_t ncat, als_diag *d);

/* Map a point of the unit cube [0,1)^ndim to the space (the transform of Optuna's RandomSampler):
 * float u -> lo + u (hi - lo), or exp of that in log space; int: the same over [lo-1/2, hi+1/2]
 * (log: over [log(lo-1/2), log(hi+1/2)]), rounded and clipped to [lo, hi]; categorical:
 * floor(u ncat). */
void als_search_from_unit(const als_search_space *sp, const double *u, double *x);

/* ---- samplers ----------------------------------------------------------------------------- */
typedef enum { ALS_SEARCH_RANDOM, ALS_SEARCH_SOBOL, ALS_SEARCH_TPE } als_search_method;

typedef struct {
    als_search_method method;
    uint64_t seed;            /* random and TPE; Sobol is unscrambled and ignores it */
    size_t batch;             /* round size B (default 8) */
    /* TPE, defaults of Optuna's TPESampler (docs/search.md) */
    size_t n_startup;         /* random proposals until this many finished trials are visible (10) */
    size_t n_ei_candidates;   /* candidates drawn from l(x) per proposal (24) */
    double prior_weight;      /* weight of the prior kernel (1.0) */
    bool consider_magic_clip; /* sigma >= range / min(100, 1 + kernels) (true) */
    bool consider_endpoints;  /* (false) */
    bool multivariate;        /* one joint Parzen estimator over all dimensions (false) */
    bool constant_liar;       /* earlier proposals of the same round join g(x) as running trials
                                 (true here; Optuna's default is false) */
} als_search_opts;

void als_search_opts_default(als_search_opts *o);
/* "grid" is not a sampler here; "random", "sobol", "tpe" -> true. */
bool als_search_method_parse(const char *s, als_search_method *m);
const char *als_search_method_name(als_search_method m);

typedef struct als_search als_search;

/* Allocate a sampler workspace for proposals of trials 0 .. max_trials-1 (all scratch memory and
 * the Sobol points are allocated here, once).  ALS_E_INPUT for bad options or space,
 * ALS_E_NOMEM.  The space and options are copied.  One workspace per thread. */
als_status als_search_alloc(als_search **out, const als_search_space *sp, const als_search_opts *o,
                            size_t max_trials, als_diag *d);
void als_search_free(als_search *s);

/* Number of history rows trial t may see: (t / batch) * batch. */
size_t als_search_visible(const als_search *s, size_t t);

/* Propose trial t into x (ndim values).  hist_x (n_hist x ndim, row-major) and hist_y (n_hist)
 * are the points and values of trials 0 .. n_hist-1 in trial order; only the values of the first
 * als_search_visible(s, t) rows are read, and n_hist must be at least that (else ALS_E_USAGE,
 * "round not complete").  TPE with constant_liar also reads the points (not the values) of the
 * round's earlier trials visible(t) .. t-1, so there n_hist >= t: propose a round's trials in
 * trial order, then evaluate them.  t >= max_trials -> ALS_E_USAGE. */
als_status als_search_propose(als_search *s, size_t t, const double *hist_x, const double *hist_y,
                              size_t n_hist, double *x, als_diag *d);

/* The TPE Parzen estimator of dimension j fitted to obs[0..n-1] (chronological order, weights
 * 1 each below 25 observations; Optuna's default_weights), exposed for tests: log density (in the
 * transformed space: log x for log dimensions; a probability mass for int and categorical) at
 * xs[0..m-1] into logpdf.  When mu/sigma/w are not NULL they receive the n+1 kernels (the prior
 * last).  n <= max_trials. */
als_status als_search_parzen_logpdf(als_search *s, size_t j, const double *obs, size_t n,
                                    const double *xs, size_t m, double *logpdf, double *mu,
                                    double *sigma, double *w, als_diag *d);

/* TPE's split size gamma(n) = min(ceil(n / 10), 25) and Optuna's default_weights(n) into w[n]. */
size_t als_search_tpe_gamma(size_t n);
void als_search_tpe_weights(size_t n, double *w);

/* ---- successive halving / Hyperband -------------------------------------------------------- */
typedef struct {
    int s;                             /* Hyperband bracket index (s_max .. 0) */
    int nrungs;                        /* s + 1 */
    long n[ALS_SEARCH_MAX_RUNGS];      /* configurations evaluated at rung i */
    int iters[ALS_SEARCH_MAX_RUNGS];   /* their maxIter budget at rung i */
    long total_iters;                  /* sum of n[i] * iters[i] */
} als_search_bracket;

/* s_max = the largest s with min_iter * eta^s <= max_iter. */
int als_search_smax(int min_iter, int max_iter, int eta);
/* Hyperband (Li et al. 2017) with R = max_iter / min_iter: brackets s = s_max .. 0 into
 * out[0 .. s_max] (cap entries available), *nbrackets = s_max + 1.  Bracket s starts
 * n = ceil((s_max+1) eta^s / (s+1)) configurations; rung i keeps floor(n / eta^i) of them at
 * max(min_iter, floor(max_iter / eta^(s-i))) iterations.  ALS_E_INPUT for 1 <= min_iter <=
 * max_iter, eta >= 2 violated or cap too small. */
als_status als_search_hyperband(int min_iter, int max_iter, int eta, als_search_bracket *out, int cap,
                                int *nbrackets, als_diag *d);
/* Synchronous successive halving (Jamieson & Talwalkar 2016) of n0 configurations: the rungs of
 * Hyperband's bracket s_max with n[i] = max(1, floor(n0 / eta^i)). */
als_status als_search_halving(int min_iter, int max_iter, int eta, long n0, als_search_bracket *out,
                              als_diag *d);
/* Rank n trials of a rung by value (ascending; non-finite last; ties by trial number) into
 * rank[0..n-1] (positions into value/trial) and return keep = floor(n / eta): rank[0..keep-1]
 * are the promoted ones, re-ordered by trial number.  ALS_E_NOMEM possible; eta >= 2. */
als_status als_search_promote(const double *value, const size_t *trial, size_t n, int eta, size_t *rank,
                              size_t *keep, als_diag *d);

/* The same ranking with the number kept given (keep <= n; the runner keeps max(1, floor(n0 /
 * eta^(i+1))) of a bracket's n0 trials at rung i + 1). */
als_status als_search_promote_k(const double *value, const size_t *trial, size_t n, size_t keep, size_t *rank,
                                als_diag *d);

#endif
