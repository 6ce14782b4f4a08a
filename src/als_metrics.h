/* als_metrics — evaluation metrics exactly as Spark MLlib defines them.
 *
 * Regression (RegressionEvaluator): rmse, mse, mae, r2, var (explained variance).
 * Ranking (RankingEvaluator / RankingMetrics): precision@k, recall@k, ndcg@k, map, map@k,
 * plus MPR (mean percentile rank, lower is better) and AUC for implicit feedback. */
#ifndef ALS_METRICS_H
#define ALS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    double rmse, mse, mae, r2, var;
    size_t n;
} als_regression;

/* Over the pairs with finite pred (NaN predictions are the caller's business: cold start). */
als_regression als_metrics_regression(const double *pred, const double *actual, size_t n);

typedef enum {
    ALS_METRIC_RMSE = 0, ALS_METRIC_MSE, ALS_METRIC_MAE, ALS_METRIC_R2, ALS_METRIC_VAR,
    ALS_METRIC_PRECISION_AT, ALS_METRIC_RECALL_AT, ALS_METRIC_NDCG_AT, ALS_METRIC_MAP,
    ALS_METRIC_MAP_AT, ALS_METRIC_MPR, ALS_METRIC_AUC
} als_metric_kind;

typedef struct {
    als_metric_kind kind;
    int k;               /* for the @k metrics */
    char name[32];       /* canonical spelling, e.g. "rmse", "ndcg@10" */
} als_metric;

/* Parse "rmse", "ndcg@10", "map", "mpr"...; false when unknown. */
bool als_metric_parse(const char *s, als_metric *m);
bool als_metric_higher_is_better(const als_metric *m);
bool als_metric_is_ranking(const als_metric *m);

/* Ranking metrics of one user: ranked[0..nranked) recommended item ids (best first),
 * relevant[0..nrel) the relevant item ids (any order, no duplicates). Spark's definitions:
 *   precision@k = |top-k ∩ rel| / k
 *   recall@k    = |top-k ∩ rel| / |rel|
 *   ndcg@k      = DCG@k / IDCG@min(k,|rel|), gains 1/log2(pos+2)
 *   ap          = Σ_{pos: hit} (hits so far / (pos+1)) / |rel|
 *   ap@k        = the same over the top k, divided by min(k, |rel|)
 * Users with no relevant items are skipped by the caller (Spark counts them as 0; we document
 * that we skip them — see docs/metrics.md). */
double als_metric_user(const als_metric *m, const uint32_t *ranked, size_t nranked,
                       const uint32_t *relevant, size_t nrel);

/* Percentile rank of each relevant item among all nitems scores of a user (0 = top, 1 = bottom),
 * averaged, and AUC of the relevant items against the non-relevant ones. scores[0..nitems). */
double als_metric_user_mpr(const float *scores, uint32_t nitems, const uint32_t *relevant, size_t nrel);
double als_metric_user_auc(const float *scores, uint32_t nitems, const uint32_t *relevant, size_t nrel);

#endif
