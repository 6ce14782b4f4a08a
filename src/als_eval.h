/* als_eval — the one evaluator of a model on held-out ratings, shared by the tuner (every fold at
 * every iteration, and the refit on the holdout that becomes best.yaml's test section) and by
 * `alstune evaluate` / `predict`.  Same data, same options → the same numbers, bit for bit.
 *
 * What is cold: a user row that is unknown to the model (row ≥ nusers) or has no training rating,
 * an item column that is unknown (col ≥ nitems) or has no training rating.  A held-out rating is
 * cold when its user or its item is.  Under the cold-start strategies (Spark's
 * coldStartStrategy plus `mean`, see docs/metrics.md):
 *   drop  cold ratings are left out of the regression metrics; cold users and cold relevant
 *         items are left out of the ranking metrics
 *   nan   any cold rating makes every metric NaN (Spark's evaluator on NaN predictions)
 *   mean  cold ratings are predicted by μ + the warm biases (bias models) or else the mean
 *         training rating; ranking as under drop
 *
 * Metrics (als_metrics.h, Spark's names and definitions): rmse, mse, mae, r2, var (regression,
 * over the ratings) and precision@k, recall@k, ndcg@k, map, map@k, mpr, auc (ranking, per warm
 * user with at least one relevant warm item, averaged over those users).  Relevant: rating ≥
 * threshold (explicit) or rating > 0 (implicit).  Candidates of a user: the warm items the user
 * did not rate in training.  Top-k lists come from als_topk_gemm (the one top-k routine, also
 * behind `recommend`); map ranks the top `k` of the options.  A user whose metric is undefined
 * (AUC when every candidate is relevant) is left out of that metric's average. */
#ifndef ALS_EVAL_H
#define ALS_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "als_config.h"
#include "als_error.h"
#include "als_metrics.h"
#include "als_solver.h"
#include "als_sparse.h"

#define ALS_EVAL_MAX_METRICS 32

/* The model side of an evaluation. */
typedef struct {
    const als_model *m;         /* factors (and biases) */
    const als_csr *train;       /* training ratings by user (m->nusers rows): warm users and the
                                 * items excluded from each user's candidates; NULL: every user
                                 * warm, nothing excluded.  Rows need not be sorted. */
    const uint32_t *item_count; /* training ratings per item (m->nitems); NULL: every item warm */
    double train_mean;          /* mean training rating (als_eval_train_mean); NaN when unknown */
} als_eval_model;

typedef struct {
    als_cold_start cold;        /* ALS_COLD_DROP, ALS_COLD_NAN or ALS_COLD_MEAN */
    bool implicit;              /* relevance: rating > 0 instead of rating ≥ threshold */
    double threshold;           /* relevance threshold of explicit models */
    int k;                      /* list length of map (≥ 1) */
    int threads;                /* threads of the top-k lists (0 = all; the tuner's jobs pass 1) */
} als_eval_opts;

typedef struct {
    size_t n_rows;              /* held-out ratings */
    size_t n_cold;              /* of which cold (dropped, NaN or predicted by the mean) */
    size_t n_ranked;            /* users ranked (0 without ranking metrics) */
    als_regression reg;         /* rmse, mse, mae, r2, var (NaN under nan with cold ratings) */
    double value[ALS_EVAL_MAX_METRICS]; /* one per metric, in the order given */
} als_eval_result;

typedef struct als_eval_ws als_eval_ws;

/* Workspace for evaluations of data with at most nrows user rows and nnz ratings against a model
 * with nitems items, for the metrics met[0..nmet) (copied).  Allocated once, reused for every
 * call of als_eval_run (the tuner calls it at every iteration).  *w NULL on failure. */
als_status als_eval_ws_alloc(als_eval_ws **w, uint32_t nrows, uint32_t nitems, size_t nnz, const als_metric *met,
                             int nmet, const als_eval_opts *o, als_diag *d);
void als_eval_ws_free(als_eval_ws *w);

/* Evaluate em on data: held-out ratings by user in the model's row/column space (rows ≥
 * m->nusers are users unknown to the model, columns ≥ m->nitems unknown items).  The regression
 * sums run over data in CSR order (rows, then entries in input order). */
als_status als_eval_run(als_eval_ws *w, const als_eval_model *em, const als_csr *data, als_eval_result *res,
                        als_diag *d);

/* For the holdout bootstrap (issue 13): the ratings the last als_eval_run scored for the
 * regression metrics, in CSR order (cold ones left out unless coldStartStrategy mean): pred[k],
 * act[k] for k < *n.  Valid until the next run or free. */
void als_eval_ws_scored(const als_eval_ws *w, const double **pred, const double **act, size_t *n);
/* Have later runs write user_value[u] (data->nrows entries): the value of ranking metric j for
 * user u, NaN when u is not in its average.  NULL turns it off. */
void als_eval_ws_user_values(als_eval_ws *w, int j, double *user_value);

/* Warm rows (see the top of this file). */
bool als_eval_user_warm(const als_eval_model *em, uint32_t u);
bool als_eval_item_warm(const als_eval_model *em, uint32_t i);
static inline bool als_eval_cold(const als_eval_model *em, uint32_t u, uint32_t i)
{
    return !als_eval_user_warm(em, u) || !als_eval_item_warm(em, i);
}
/* The prediction of coldStartStrategy mean for (u, i): μ + b_u (warm u) + b_i (warm i) for bias
 * models, else the mean training rating. */
double als_eval_cold_mean(const als_eval_model *em, uint32_t u, uint32_t i);
/* Mean of train's values in CSR order (NaN when empty). */
double als_eval_train_mean(const als_csr *train);

/* Parse a comma-separated metric list ("rmse,ndcg@10,map"; spaces after commas allowed).  Names
 * (als_metric_parse): rmse mse mae r2 var precision recall ndcg map map@k mpr auc, precision@k
 * recall@k ndcg@k, and Spark's spellings precisionAtK, recallAtK, ndcgAtK, meanAveragePrecision,
 * meanAveragePrecisionAtK.  An @k metric without a number ("ndcg", "map@") takes k.
 * ALS_E_INPUT with d->msg "unknown metric 'x' (...)" / "at most 32 metrics" / "no metric given". */
als_status als_eval_parse_metrics(const char *list, int k, als_metric *met, int max, int *nmet, als_diag *d);

#endif
