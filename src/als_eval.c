/* als_eval — cold start, regression and ranking metrics of a model on held-out ratings; the
 * contract is in als_eval.h and docs/metrics.md. */
#include "als_eval.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als_model.h"

struct als_eval_ws {
    als_metric met[ALS_EVAL_MAX_METRICS];
    int nmet;
    als_eval_opts o;
    int K;                    /* top-k list length (0: no top-k metric) */
    bool any_full;            /* mpr or auc: full score rows */
    uint32_t nrows, nitems;
    size_t nnz;
    double *pred, *act;       /* nnz */
    uint32_t *rows;           /* nrows: users to rank */
    uint32_t *rel, *rel_c;    /* nitems */
    float *tadd;              /* nitems: b_i or 0 for candidates, −inf for cold items */
    float *scores, *cand;     /* nitems (mpr, auc) */
    uint32_t *cand_of;        /* nitems (mpr, auc) */
    als_topk t;               /* nrows × K */
    size_t nscored;           /* pred/act entries of the last run (issue 13's holdout bootstrap) */
    int uv_metric;            /* als_eval_ws_user_values: metric index, or -1 */
    double *uv;               /* nrows per-user values of that metric, or NULL */
};

bool als_eval_user_warm(const als_eval_model *em, uint32_t u)
{
    return u < em->m->nusers && (!em->train || als_csr_rowlen(em->train, u) > 0);
}

bool als_eval_item_warm(const als_eval_model *em, uint32_t i)
{
    return i < em->m->nitems && (!em->item_count || em->item_count[i] > 0);
}

double als_eval_cold_mean(const als_eval_model *em, uint32_t u, uint32_t i)
{
    const als_model *m = em->m;
    if (!m->has_bias)
        return em->train_mean;
    double p = m->mu;
    if (als_eval_user_warm(em, u))
        p += m->ubias[u];
    if (als_eval_item_warm(em, i))
        p += m->ibias[i];
    return p;
}

double als_eval_train_mean(const als_csr *train)
{
    if (!train || train->nnz == 0)
        return NAN;
    double s = 0;
    for (size_t e = 0; e < train->nnz; e++)
        s += train->val[e];
    return s / (double)train->nnz;
}

/* ---- workspace ------------------------------------------------------------------------------ */

void als_eval_ws_free(als_eval_ws *w)
{
    if (!w)
        return;
    free(w->pred);
    free(w->act);
    free(w->rows);
    free(w->rel);
    free(w->rel_c);
    free(w->tadd);
    free(w->scores);
    free(w->cand);
    free(w->cand_of);
    als_topk_free(&w->t);
    free(w);
}

als_status als_eval_ws_alloc(als_eval_ws **out, uint32_t nrows, uint32_t nitems, size_t nnz, const als_metric *met,
                             int nmet, const als_eval_opts *o, als_diag *d)
{
    *out = NULL;
    if (nmet < 1 || nmet > ALS_EVAL_MAX_METRICS || o->k < 1)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "als_eval_ws_alloc: %d metrics, k %d", nmet, o->k);
    als_eval_ws *w = calloc(1, sizeof *w);
    if (!w)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the evaluation workspace");
    memcpy(w->met, met, (size_t)nmet * sizeof *met);
    w->nmet = nmet;
    w->o = *o;
    w->nrows = nrows;
    w->nitems = nitems;
    w->nnz = nnz;
    w->uv_metric = -1;
    bool ranking = false;
    for (int j = 0; j < nmet; j++) {
        if (!als_metric_is_ranking(&met[j]))
            continue;
        ranking = true;
        if (met[j].kind == ALS_METRIC_MPR || met[j].kind == ALS_METRIC_AUC) {
            w->any_full = true;
        } else {
            int need = met[j].kind == ALS_METRIC_MAP ? o->k : met[j].k;
            if (need > w->K)
                w->K = need;
        }
    }
    size_t nv = nnz ? nnz : 1, ni = nitems ? nitems : 1, nr = nrows ? nrows : 1;
    w->pred = malloc(nv * sizeof *w->pred);
    w->act = malloc(nv * sizeof *w->act);
    bool ok = w->pred && w->act;
    if (ranking) {
        w->rows = malloc(nr * sizeof *w->rows);
        w->rel = malloc(ni * sizeof *w->rel);
        w->tadd = malloc(ni * sizeof *w->tadd);
        ok = ok && w->rows && w->rel && w->tadd;
    }
    if (w->any_full) {
        w->rel_c = malloc(ni * sizeof *w->rel_c);
        w->scores = malloc(ni * sizeof *w->scores);
        w->cand = malloc(ni * sizeof *w->cand);
        w->cand_of = malloc(ni * sizeof *w->cand_of);
        ok = ok && w->rel_c && w->scores && w->cand && w->cand_of;
    }
    if (ok && w->K > 0 && als_topk_alloc(&w->t, nrows, w->K))
        ok = false;
    if (!ok) {
        als_eval_ws_free(w);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the evaluation workspace");
    }
    *out = w;
    return ALS_OK;
}

/* ---- evaluation ----------------------------------------------------------------------------- */

static bool relevant(const als_eval_ws *w, float r)
{
    return w->o.implicit ? r > 0 : r >= w->o.threshold;
}

/* The relevant warm items of data row u into w->rel; *cold_rel when a relevant item is cold. */
static size_t relevant_items(const als_eval_ws *w, const als_eval_model *em, const als_csr *data, uint32_t u,
                             bool *cold_rel)
{
    size_t nrel = 0;
    for (size_t e = data->ptr[u]; e < data->ptr[u + 1]; e++) {
        if (!relevant(w, data->val[e]))
            continue;
        if (!als_eval_item_warm(em, data->idx[e])) {
            *cold_rel = true;
            continue;
        }
        w->rel[nrel++] = data->idx[e];
    }
    return nrel;
}

/* Ranking metrics into res->value (NaN when a user or a relevant item is cold under
 * coldStartStrategy nan, or when no user could be ranked). */
static als_status ranking(als_eval_ws *w, const als_eval_model *em, const als_csr *data, als_eval_result *res,
                          als_diag *d)
{
    const als_model *m = em->m;
    const uint32_t nitems = m->nitems;
    double sum[ALS_EVAL_MAX_METRICS] = {0};
    size_t cnt[ALS_EVAL_MAX_METRICS] = {0};
    bool nan = false;
    /* users to rank: warm, with at least one relevant warm item */
    size_t nrows = 0;
    for (uint32_t u = 0; u < data->nrows && !nan; u++) {
        if (data->ptr[u] == data->ptr[u + 1])
            continue;
        if (!als_eval_user_warm(em, u)) {
            nan = w->o.cold == ALS_COLD_NAN;
            continue;
        }
        bool cold_rel = false;
        size_t nrel = relevant_items(w, em, data, u, &cold_rel);
        if (cold_rel && w->o.cold == ALS_COLD_NAN)
            nan = true;
        else if (nrel > 0)
            w->rows[nrows++] = u;
    }
    for (int j = 0; j < w->nmet; j++)
        if (als_metric_is_ranking(&w->met[j]))
            res->value[j] = NAN;
    if (w->uv)
        for (uint32_t u = 0; u < data->nrows; u++)
            w->uv[u] = NAN;
    if (nan)
        return ALS_OK;
    /* candidates: warm items (bias models add b_i; μ + b_u is constant per user) */
    for (uint32_t i = 0; i < nitems; i++)
        w->tadd[i] = !als_eval_item_warm(em, i) ? -INFINITY : m->has_bias ? m->ibias[i] : 0.0f;
    if (w->K > 0) {
        w->t.n = nrows;
        als_status st = als_topk_gemm(m->U, w->rows, nrows, m->V, nitems, m->rank, NULL, w->tadd, em->train,
                                      w->o.threads, 0, 0, &w->t, d);
        if (st)
            return st;
    }
    for (size_t o = 0; o < nrows; o++) {
        uint32_t u = w->rows[o];
        bool cold_rel = false;
        size_t nrel = relevant_items(w, em, data, u, &cold_rel);
        uint32_t nc = 0;
        size_t nrc = 0;
        if (w->any_full) {
            /* every candidate's score (single-threaded BLAS: the tuner calls this inside a job) */
            cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)nitems, m->rank, 1.0f, m->V, m->rank,
                        m->U + (size_t)u * (size_t)m->rank, 1, 0.0f, w->scores, 1);
            for (uint32_t i = 0; i < nitems; i++)
                w->scores[i] += w->tadd[i];
            for (size_t e = em->train ? em->train->ptr[u] : 0; em->train && e < em->train->ptr[u + 1]; e++)
                w->scores[em->train->idx[e]] = -INFINITY; /* rated in training */
            for (uint32_t i = 0; i < nitems; i++) {
                if (w->scores[i] == -INFINITY) {
                    w->cand_of[i] = UINT32_MAX;
                    continue;
                }
                w->cand_of[i] = nc;
                w->cand[nc++] = w->scores[i];
            }
            for (size_t t = 0; t < nrel; t++)
                if (w->cand_of[w->rel[t]] != UINT32_MAX)
                    w->rel_c[nrc++] = w->cand_of[w->rel[t]];
        }
        for (int j = 0; j < w->nmet; j++) {
            const als_metric *met = &w->met[j];
            if (!als_metric_is_ranking(met))
                continue;
            double v;
            if (met->kind == ALS_METRIC_MPR || met->kind == ALS_METRIC_AUC) {
                if (nrc == 0)
                    continue; /* every relevant item was rated in training */
                v = met->kind == ALS_METRIC_MPR ? als_metric_user_mpr(w->cand, nc, w->rel_c, nrc)
                                                : als_metric_user_auc(w->cand, nc, w->rel_c, nrc);
            } else {
                size_t len = w->t.count[o];
                if (met->kind == ALS_METRIC_MAP && len > (size_t)w->o.k)
                    len = (size_t)w->o.k; /* map: over the top k */
                v = als_metric_user(met, w->t.idx + o * (size_t)w->K, len, w->rel, nrel);
            }
            if (isnan(v))
                continue; /* undefined for this user (AUC when every candidate is relevant) */
            sum[j] += v;
            cnt[j]++;
            if (w->uv && j == w->uv_metric)
                w->uv[u] = v;
        }
    }
    res->n_ranked = nrows;
    for (int j = 0; j < w->nmet; j++)
        if (als_metric_is_ranking(&w->met[j]))
            res->value[j] = cnt[j] ? sum[j] / (double)cnt[j] : NAN;
    return ALS_OK;
}

als_status als_eval_run(als_eval_ws *w, const als_eval_model *em, const als_csr *data, als_eval_result *res,
                        als_diag *d)
{
    memset(res, 0, sizeof *res);
    if (data->nnz > w->nnz || data->nrows > w->nrows || em->m->nitems > w->nitems)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "als_eval_run: data larger than the workspace");
    const als_model *m = em->m;
    size_t n = 0, ncold = 0;
    for (uint32_t u = 0; u < data->nrows; u++)
        for (size_t e = data->ptr[u]; e < data->ptr[u + 1]; e++) {
            uint32_t i = data->idx[e];
            double pred;
            if (als_eval_cold(em, u, i)) {
                ncold++;
                if (w->o.cold != ALS_COLD_MEAN)
                    continue;
                pred = als_eval_cold_mean(em, u, i);
            } else {
                pred = als_predict(m, u, i);
            }
            w->pred[n] = pred;
            w->act[n] = data->val[e];
            n++;
        }
    res->n_rows = data->nnz;
    res->n_cold = ncold;
    w->nscored = n;
    res->reg = als_metrics_regression(w->pred, w->act, n);
    bool nan_all = w->o.cold == ALS_COLD_NAN && ncold > 0;
    if (nan_all)
        res->reg.rmse = res->reg.mse = res->reg.mae = res->reg.r2 = res->reg.var = NAN;
    bool any_ranking = false;
    for (int j = 0; j < w->nmet; j++) {
        switch (w->met[j].kind) {
        case ALS_METRIC_RMSE: res->value[j] = res->reg.rmse; break;
        case ALS_METRIC_MSE: res->value[j] = res->reg.mse; break;
        case ALS_METRIC_MAE: res->value[j] = res->reg.mae; break;
        case ALS_METRIC_R2: res->value[j] = res->reg.r2; break;
        case ALS_METRIC_VAR: res->value[j] = res->reg.var; break;
        default: any_ranking = true; res->value[j] = NAN; break;
        }
    }
    if (any_ranking && !nan_all) {
        als_status st = ranking(w, em, data, res, d);
        if (st)
            return st;
    }
    return ALS_OK;
}

void als_eval_ws_scored(const als_eval_ws *w, const double **pred, const double **act, size_t *n)
{
    *pred = w->pred;
    *act = w->act;
    *n = w->nscored;
}

void als_eval_ws_user_values(als_eval_ws *w, int j, double *user_value)
{
    w->uv_metric = user_value ? j : -1;
    w->uv = user_value;
}

/* ---- metric lists --------------------------------------------------------------------------- */

als_status als_eval_parse_metrics(const char *list, int k, als_metric *met, int max, int *nmet, als_diag *d)
{
    *nmet = 0;
    const char *p = list;
    for (;;) {
        while (*p == ' ')
            p++;
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0) {
            char tok[64], name[80];
            snprintf(tok, sizeof tok, "%.*s", (int)(len < 60 ? len : 60), p);
            size_t tl = strlen(tok);
            if (tl > 0 && tok[tl - 1] == '@')
                snprintf(name, sizeof name, "%s%d", tok, k); /* "map@" → map@k */
            else
                snprintf(name, sizeof name, "%s", tok);
            if (*nmet == max)
                return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "at most %d metrics", max);
            if (!als_metric_parse(name, &met[*nmet]))
                return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                                    "unknown metric '%s' (rmse, mse, mae, r2, var, precision@k, recall@k, ndcg@k, "
                                    "map, map@k, mpr, auc)", tok);
            if (!strchr(name, '@') && met[*nmet].k > 0) { /* "ndcg" → ndcg@k */
                char withk[100];
                snprintf(withk, sizeof withk, "%s@%d", name, k);
                als_metric_parse(withk, &met[*nmet]);
            }
            (*nmet)++;
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (*nmet == 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "--metric: no metric given");
    return ALS_OK;
}
