/* als_results — loading a results folder and its grid view; contracts in als_results.h. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "als_importance.h"
#include "als_util.h"

bool als_metric_name_lower_is_better(const char *name)
{
    static const char *const lower[] = {"rmse", "mse", "mae", "mpr"};
    size_t n = strcspn(name, "@");
    for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
        if (strlen(lower[i]) == n && strncasecmp(name, lower[i], n) == 0)
            return true;
    return false;
}

void als_results_free(als_results *r)
{
    free(r->cells);
    free(r->iters);
    free(r->folds);
    free(r->trials);
    r->trials = NULL;
    free(r->nested);
    r->nested = NULL;
    r->nnested = 0;
    r->ntrials = 0;
    free(r->rungs);
    r->rungs = NULL;
    r->nrungs = 0;
    free(r->jobs);
    r->jobs = NULL;
    r->njobs = 0;
    als_yflat_free(&r->experiment);
    als_yflat_free(&r->best);
    als_yflat_free(&r->provenance);
    r->cells = NULL;
    r->iters = NULL;
    r->folds = NULL;
    r->ncells = r->niters = r->nfold_rows = 0;
}

static bool same_params(const als_rcell *a, const als_rcell *b)
{
    return a->rank == b->rank && a->regParam == b->regParam && a->maxIter == b->maxIter &&
           (a->alpha == b->alpha || (isnan(a->alpha) && isnan(b->alpha))) && a->implicitPrefs == b->implicitPrefs &&
           a->nonnegative == b->nonnegative && a->bias == b->bias;
}

long als_results_find_cell(const als_results *r, const als_rcell *c)
{
    for (size_t i = 0; i < r->ncells; i++)
        if (same_params(&r->cells[i], c))
            return (long)i;
    return -1;
}

/* Order on the parameters of same_params (NaN alpha sorts first and equals NaN), for finding a
 * cell given twice in O(n log n). */
static int cmp_params(const void *pa, const void *pb)
{
    const als_rcell *a = *(const als_rcell *const *)pa, *b = *(const als_rcell *const *)pb;
    double x[4] = {a->rank, a->regParam, a->maxIter, a->alpha};
    double y[4] = {b->rank, b->regParam, b->maxIter, b->alpha};
    for (int k = 0; k < 4; k++) {
        if (isnan(x[k]) || isnan(y[k])) {
            if (isnan(x[k]) != isnan(y[k]))
                return isnan(x[k]) ? -1 : 1;
            continue;
        }
        if (x[k] != y[k])
            return x[k] < y[k] ? -1 : 1;
    }
    int fa = a->implicitPrefs * 4 + a->nonnegative * 2 + a->bias, fb = b->implicitPrefs * 4 + b->nonnegative * 2 + b->bias;
    return (fa > fb) - (fa < fb);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_position(const void *a, const void *b)
{
    const als_rcell *x = a, *y = b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return 0;
}

static als_status need_long(const als_csv *t, size_t row, int col, long *out, als_diag *d)
{
    double v;
    als_status st = als_csv_double(t, row, col, &v, d);
    if (st)
        return st;
    if (!(v == floor(v)) || fabs(v) > 1e15)
        return als_diag_set(d, ALS_E_INPUT, t->path, t->lines[row], als_csv_field_col(t, row, col),
                            "expected an integer in column '%s', found '%s'", t->names[col], als_csv_at(t, row, col));
    *out = (long)v;
    return ALS_OK;
}

static als_status load_summary(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_cell, c_rank, c_reg, c_mi, c_metric, c_mean, c_std;
    if ((st = als_csv_need(&t, "cell", &c_cell, d)) || (st = als_csv_need(&t, "rank", &c_rank, d)) ||
        (st = als_csv_need(&t, "regParam", &c_reg, d)) || (st = als_csv_need(&t, "maxIter", &c_mi, d)) ||
        (st = als_csv_need(&t, "metric", &c_metric, d)) || (st = als_csv_need(&t, "mean", &c_mean, d)) ||
        (st = als_csv_need(&t, "std", &c_std, d)))
        goto fail;
    int c_pos = als_csv_col(&t, "position"), c_alpha = als_csv_col(&t, "alpha"),
        c_imp = als_csv_col(&t, "implicitPrefs"), c_nn = als_csv_col(&t, "nonnegative"), c_bias = als_csv_col(&t, "bias"),
        c_min = als_csv_col(&t, "min"), c_max = als_csv_col(&t, "max"), c_nf = als_csv_col(&t, "n_folds"),
        c_mr = als_csv_col(&t, "mean_rmse"), c_mm = als_csv_col(&t, "mean_mae");
    /* issue 13's columns, optional (summaries written before them load as they did) */
    int c_delta = als_csv_col(&t, "delta"), c_p = als_csv_col(&t, "p_value"), c_ph = als_csv_col(&t, "p_holm"),
        c_eq = als_csv_col(&t, "equivalent_to_best"), c_se = als_csv_col(&t, "se"), c_sel = als_csv_col(&t, "selected");
    r->has_stats = c_ph >= 0 && c_eq >= 0;
    int c_ss = als_csv_col(&t, "seed_std"); /* replicates > 1 only */
    if (t.nrows == 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, 2, 0, "no rows after the header, expected one row per grid cell");
        goto fail;
    }
    r->cells = calloc(t.nrows, sizeof *r->cells);
    if (!r->cells) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rcell *c = &r->cells[i];
        c->line = t.lines[i];
        const char *m = als_csv_at(&t, i, c_metric);
        if (i == 0) {
            /* a name token: it is copied unquoted into baselines and reports */
            if (!*m || strlen(m) >= sizeof r->metric ||
                strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@_.-") != strlen(m)) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_metric),
                                  "expected a metric name in column 'metric', found '%.60s'", m);
                goto fail;
            }
            snprintf(r->metric, sizeof r->metric, "%s", m);
        } else if (strcmp(m, r->metric) != 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_metric),
                              "expected the same metric on every row ('%s'), found '%.60s'", r->metric, m);
            goto fail;
        }
        double nf = NAN;
        c->position = (long)i + 1;
        if ((c_pos >= 0 && (st = need_long(&t, i, c_pos, &c->position, d))) ||
            (st = need_long(&t, i, c_cell, &c->cell, d)) || (st = als_csv_double(&t, i, c_rank, &c->rank, d)) ||
            (st = als_csv_double(&t, i, c_reg, &c->regParam, d)) || (st = als_csv_double(&t, i, c_mi, &c->maxIter, d)) ||
            (st = als_csv_double(&t, i, c_alpha, &c->alpha, d)) || (st = als_csv_bool(&t, i, c_imp, &c->implicitPrefs, d)) ||
            (st = als_csv_bool(&t, i, c_nn, &c->nonnegative, d)) || (st = als_csv_bool(&t, i, c_bias, &c->bias, d)) ||
            (st = als_csv_double(&t, i, c_mean, &c->mean, d)) || (st = als_csv_double(&t, i, c_std, &c->std, d)) ||
            (st = als_csv_double(&t, i, c_min, &c->min, d)) || (st = als_csv_double(&t, i, c_max, &c->max, d)) ||
            (st = als_csv_double(&t, i, c_nf, &nf, d)) || (st = als_csv_double(&t, i, c_mr, &c->mean_rmse, d)) ||
            (st = als_csv_double(&t, i, c_mm, &c->mean_mae, d)) || (st = als_csv_double(&t, i, c_delta, &c->delta, d)) ||
            (st = als_csv_double(&t, i, c_p, &c->p_value, d)) || (st = als_csv_double(&t, i, c_ph, &c->p_holm, d)) ||
            (st = als_csv_double(&t, i, c_se, &c->se, d)))
            goto fail;
        if ((st = als_csv_double(&t, i, c_ss, &c->seed_std, d)))
            goto fail;
        /* a cell is found by its parameters (als_results_find_cell): they must compare equal to themselves */
        const int pcol[3] = {c_rank, c_reg, c_mi};
        const double pval[3] = {c->rank, c->regParam, c->maxIter};
        for (int k = 0; k < 3; k++) {
            if (!isfinite(pval[k])) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, pcol[k]),
                                  "expected a finite number in column '%s', found '%.40s'", t.names[pcol[k]],
                                  als_csv_at(&t, i, pcol[k]));
                goto fail;
            }
        }
        c->equivalent_to_best = c->selected = -1;
        if (c_eq >= 0) {
            bool b;
            if ((st = als_csv_bool(&t, i, c_eq, &b, d)))
                goto fail;
            c->equivalent_to_best = b;
        }
        if (c_sel >= 0) {
            bool b;
            if ((st = als_csv_bool(&t, i, c_sel, &b, d)))
                goto fail;
            c->selected = b;
        }
        if (c->cell < 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_cell),
                              "expected a cell number ≥ 0, found %ld", c->cell);
            goto fail;
        }
        if (!(c->rank >= 1) || !(c->maxIter >= 1)) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], 0, "expected rank ≥ 1 and maxIter ≥ 1, found %g and %g",
                              c->rank, c->maxIter);
            goto fail;
        }
        if (isfinite(nf) && !(nf >= 0 && nf <= 1e15 && nf == floor(nf))) { /* (long)nf would be UB */
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_nf),
                              "expected a fold count (an integer ≥ 0) in column 'n_folds', found '%s'",
                              als_csv_at(&t, i, c_nf));
            goto fail;
        }
        c->n_folds = isfinite(nf) ? (long)nf : 0;
        bool seen = false;
        for (size_t k = 0; k < r->n_maxIter; k++)
            seen |= r->maxIters[k] == c->maxIter;
        if (!seen) {
            if (r->n_maxIter == sizeof r->maxIters / sizeof r->maxIters[0]) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], 0, "more than %zu distinct maxIter values",
                                  sizeof r->maxIters / sizeof r->maxIters[0]);
                goto fail;
            }
            r->maxIters[r->n_maxIter++] = c->maxIter;
        }
        for (size_t k = 0; k < i; k++) {
            if (r->cells[k].cell == c->cell) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_cell),
                                  "cell %ld appears twice (first on line %ld)", c->cell, t.lines[k]);
                goto fail;
            }
        }
        r->ncells++;
    }
    qsort(r->maxIters, r->n_maxIter, sizeof r->maxIters[0], cmp_double);
    for (size_t i = 0; i < r->ncells; i++)
        r->cells[i].cell0 = r->cells[i].cell - r->cells[i].cell % (long)r->n_maxIter;
    /* stable sort by position: insertion order among equal positions (qsort is not stable, but
     * positions are unique in a well-formed file; check that) */
    qsort(r->cells, r->ncells, sizeof *r->cells, cmp_position);
    for (size_t i = 1; i < r->ncells; i++) {
        if (r->cells[i].position == r->cells[i - 1].position) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "position %ld appears twice", r->cells[i].position);
            goto fail;
        }
    }
    /* every cell once: `check` and the report find cells by their parameters */
    if (r->ncells > 1) {
        const als_rcell **by = malloc(r->ncells * sizeof *by);
        if (!by) {
            st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < r->ncells; i++)
            by[i] = &r->cells[i];
        qsort(by, r->ncells, sizeof *by, cmp_params);
        for (size_t i = 1; i < r->ncells; i++) {
            if (same_params(by[i], by[i - 1])) {
                const als_rcell *first = by[i - 1]->line < by[i]->line ? by[i - 1] : by[i];
                const als_rcell *again = first == by[i] ? by[i - 1] : by[i];
                st = als_diag_set(d, ALS_E_INPUT, path, again->line, 0,
                                  "expected each cell once, found rank %g, regParam %g, maxIter %g again (first at line %ld)",
                                  again->rank, again->regParam, again->maxIter, first->line);
                free(by);
                goto fail;
            }
        }
        free(by);
    }
    r->selected = -1;
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].selected == 1 && r->selected < 0)
            r->selected = (long)i;
    snprintf(r->metric, sizeof r->metric, "%s", als_csv_at(&t, 0, c_metric));
    r->higher_is_better = !als_metric_name_lower_is_better(r->metric);
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

static als_status load_iterations(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_c0, c_fold, c_it, c_tr, c_va;
    if ((st = als_csv_need(&t, "cell0", &c_c0, d)) || (st = als_csv_need(&t, "fold", &c_fold, d)) ||
        (st = als_csv_need(&t, "iteration", &c_it, d)) || (st = als_csv_need(&t, "train_rmse", &c_tr, d)) ||
        (st = als_csv_need(&t, "valid_rmse", &c_va, d)))
        goto fail;
    int c_val = als_csv_col(&t, "value");
    r->iters = calloc(t.nrows ? t.nrows : 1, sizeof *r->iters);
    if (!r->iters) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_riter *it = &r->iters[i];
        if ((st = need_long(&t, i, c_c0, &it->cell0, d)) || (st = need_long(&t, i, c_fold, &it->fold, d)) ||
            (st = need_long(&t, i, c_it, &it->iteration, d)) || (st = als_csv_double(&t, i, c_tr, &it->train_rmse, d)) ||
            (st = als_csv_double(&t, i, c_va, &it->valid_rmse, d)) || (st = als_csv_double(&t, i, c_val, &it->value, d)))
            goto fail;
        if (it->iteration < 1) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_it),
                              "expected an iteration ≥ 1, found %ld", it->iteration);
            goto fail;
        }
        r->niters++;
    }
    r->has_iterations = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

static als_status load_folds(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_cell, c_fold, c_val;
    if ((st = als_csv_need(&t, "cell", &c_cell, d)) || (st = als_csv_need(&t, "fold", &c_fold, d)) ||
        (st = als_csv_need(&t, "value", &c_val, d)))
        goto fail;
    int c_nt = als_csv_col(&t, "n_train"), c_nv = als_csv_col(&t, "n_valid"), c_nd = als_csv_col(&t, "n_dropped");
    r->folds = calloc(t.nrows ? t.nrows : 1, sizeof *r->folds);
    if (!r->folds) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rfold *f = &r->folds[i];
        if ((st = need_long(&t, i, c_cell, &f->cell, d)) || (st = need_long(&t, i, c_fold, &f->fold, d)) ||
            (st = als_csv_double(&t, i, c_val, &f->value, d)) || (st = als_csv_double(&t, i, c_nt, &f->n_train, d)) ||
            (st = als_csv_double(&t, i, c_nv, &f->n_valid, d)) || (st = als_csv_double(&t, i, c_nd, &f->n_dropped, d)))
            goto fail;
        r->nfold_rows++;
    }
    r->has_folds = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

static int cmp_outer(const void *pa, const void *pb)
{
    const als_rnested *a = pa, *b = pb;
    return (a->outer_fold > b->outer_fold) - (a->outer_fold < b->outer_fold);
}

/* nested.csv (split.outerFolds, docs/outputs.md "nested.csv"), when dir has one: one row per outer
 * fold, each fold once, the summary's metric; a bad field is path:line:col. */
static als_status load_nested(als_results *r, const char *dir, als_diag *d)
{
    char path[4200];
    als_path_join(path, sizeof path, dir, "nested.csv");
    if (!als_file_exists(path))
        return ALS_OK;
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_of, c_cell, c_rank, c_reg, c_mi, c_metric, c_ib, c_os;
    if ((st = als_csv_need(&t, "outer_fold", &c_of, d)) || (st = als_csv_need(&t, "cell", &c_cell, d)) ||
        (st = als_csv_need(&t, "rank", &c_rank, d)) || (st = als_csv_need(&t, "regParam", &c_reg, d)) ||
        (st = als_csv_need(&t, "maxIter", &c_mi, d)) || (st = als_csv_need(&t, "metric", &c_metric, d)) ||
        (st = als_csv_need(&t, "inner_best", &c_ib, d)) || (st = als_csv_need(&t, "outer_score", &c_os, d)))
        goto fail;
    int c_alpha = als_csv_col(&t, "alpha"), c_imp = als_csv_col(&t, "implicitPrefs"),
        c_nn = als_csv_col(&t, "nonnegative"), c_bias = als_csv_col(&t, "bias"), c_is = als_csv_col(&t, "inner_std"),
        c_ntr = als_csv_col(&t, "n_train"), c_nte = als_csv_col(&t, "n_test");
    if (t.nrows == 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, 2, 0, "no rows after the header, expected one row per outer fold");
        goto fail;
    }
    r->nested = calloc(t.nrows, sizeof *r->nested);
    if (!r->nested) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rnested *x = &r->nested[i];
        x->line = t.lines[i];
        if ((st = need_long(&t, i, c_of, &x->outer_fold, d)) || (st = need_long(&t, i, c_cell, &x->cell, d)) ||
            (st = als_csv_double(&t, i, c_rank, &x->rank, d)) || (st = als_csv_double(&t, i, c_reg, &x->regParam, d)) ||
            (st = als_csv_double(&t, i, c_mi, &x->maxIter, d)) || (st = als_csv_double(&t, i, c_alpha, &x->alpha, d)) ||
            (st = als_csv_bool(&t, i, c_imp, &x->implicitPrefs, d)) || (st = als_csv_bool(&t, i, c_nn, &x->nonnegative, d)) ||
            (st = als_csv_bool(&t, i, c_bias, &x->bias, d)) || (st = als_csv_double(&t, i, c_ib, &x->inner_best, d)) ||
            (st = als_csv_double(&t, i, c_is, &x->inner_std, d)) || (st = als_csv_double(&t, i, c_os, &x->outer_score, d)) ||
            (st = als_csv_double(&t, i, c_ntr, &x->n_train, d)) || (st = als_csv_double(&t, i, c_nte, &x->n_test, d)))
            goto fail;
        if (x->outer_fold < 0 || x->cell < 0) {
            int col = x->outer_fold < 0 ? c_of : c_cell;
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, col),
                              "expected a number ≥ 0 in column '%s', found '%s'", t.names[col], als_csv_at(&t, i, col));
            goto fail;
        }
        const char *m = als_csv_at(&t, i, c_metric);
        if (strcmp(m, r->metric) != 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_metric),
                              "expected the metric of summary.csv ('%s') in column 'metric', found '%.60s'", r->metric, m);
            goto fail;
        }
        for (size_t k = 0; k < i; k++) {
            if (r->nested[k].outer_fold == x->outer_fold) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_of),
                                  "outer fold %ld appears twice (first on line %ld)", x->outer_fold, r->nested[k].line);
                goto fail;
            }
        }
        r->nnested++;
    }
    qsort(r->nested, r->nnested, sizeof *r->nested, cmp_outer);
    r->has_nested = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

static als_status load_trials(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_trial, c_cell, c_rank, c_reg, c_mi, c_mean;
    if ((st = als_csv_need(&t, "trial", &c_trial, d)) || (st = als_csv_need(&t, "cell", &c_cell, d)) ||
        (st = als_csv_need(&t, "rank", &c_rank, d)) || (st = als_csv_need(&t, "regParam", &c_reg, d)) ||
        (st = als_csv_need(&t, "maxIter", &c_mi, d)) || (st = als_csv_need(&t, "mean", &c_mean, d)))
        goto fail;
    int c_pos = als_csv_col(&t, "position"), c_alpha = als_csv_col(&t, "alpha"),
        c_imp = als_csv_col(&t, "implicitPrefs"), c_nn = als_csv_col(&t, "nonnegative"), c_bias = als_csv_col(&t, "bias"),
        c_state = als_csv_col(&t, "state"), c_budget = als_csv_col(&t, "budget");
    r->has_budget = c_budget >= 0;
    r->trials = calloc(t.nrows ? t.nrows : 1, sizeof *r->trials);
    if (!r->trials) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rtrial *x = &r->trials[i];
        x->position = -1;
        /* a pruned or failed trial may have no summary row (empty position) and no final mean */
        x->mean = NAN;
        if ((st = need_long(&t, i, c_trial, &x->trial, d)) || (st = need_long(&t, i, c_cell, &x->cell, d)) ||
            (c_pos >= 0 && *als_csv_at(&t, i, c_pos) && (st = need_long(&t, i, c_pos, &x->position, d))) ||
            (st = als_csv_double(&t, i, c_rank, &x->rank, d)) || (st = als_csv_double(&t, i, c_reg, &x->regParam, d)) ||
            (st = als_csv_double(&t, i, c_mi, &x->maxIter, d)) || (st = als_csv_double(&t, i, c_alpha, &x->alpha, d)) ||
            (*als_csv_at(&t, i, c_mean) && (st = als_csv_double(&t, i, c_mean, &x->mean, d))) || (st = als_csv_bool(&t, i, c_imp, &x->implicitPrefs, d)) ||
            (st = als_csv_bool(&t, i, c_nn, &x->nonnegative, d)) || (st = als_csv_bool(&t, i, c_bias, &x->bias, d)) ||
            (st = als_csv_double(&t, i, c_budget, &x->budget, d)))
            goto fail;
        x->state = ALS_TRIAL_COMPLETE;
        if (c_state >= 0) {
            const char *sv = als_csv_at(&t, i, c_state);
            if (!strcmp(sv, "pruned"))
                x->state = ALS_TRIAL_PRUNED;
            else if (!strcmp(sv, "failed"))
                x->state = ALS_TRIAL_FAILED;
            else if (strcmp(sv, "complete") != 0) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_state),
                                  "expected complete, pruned or failed in column 'state', found '%.40s'", sv);
                goto fail;
            }
        }
        if (c_budget >= 0 && !(x->budget >= 1 && x->budget <= 1e9)) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_budget),
                              "expected a number of iterations (≥ 1) in column 'budget', found '%.40s'",
                              als_csv_at(&t, i, c_budget));
            goto fail;
        }
        r->ntrials++;
    }
    r->has_trials = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

/* rungs.csv (docs/outputs.md): trial,bracket,rung,budget,metric,value,promoted; written by the
 * pruner only.  The order of the rows is not relied on. */
static als_status load_rungs(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_trial, c_bracket, c_rung, c_budget, c_metric, c_value, c_prom;
    if ((st = als_csv_need(&t, "trial", &c_trial, d)) || (st = als_csv_need(&t, "bracket", &c_bracket, d)) ||
        (st = als_csv_need(&t, "rung", &c_rung, d)) || (st = als_csv_need(&t, "budget", &c_budget, d)) ||
        (st = als_csv_need(&t, "metric", &c_metric, d)) || (st = als_csv_need(&t, "value", &c_value, d)) ||
        (st = als_csv_need(&t, "promoted", &c_prom, d)))
        goto fail;
    r->rungs = calloc(t.nrows ? t.nrows : 1, sizeof *r->rungs);
    if (!r->rungs) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rrung *x = &r->rungs[i];
        if ((st = need_long(&t, i, c_trial, &x->trial, d)) || (st = need_long(&t, i, c_bracket, &x->bracket, d)) ||
            (st = need_long(&t, i, c_rung, &x->rung, d)) || (st = als_csv_double(&t, i, c_budget, &x->budget, d)) ||
            (st = als_csv_double(&t, i, c_value, &x->value, d)) || (st = als_csv_bool(&t, i, c_prom, &x->promoted, d)))
            goto fail;
        const long lv[3] = {x->trial, x->bracket, x->rung};
        const int lc[3] = {c_trial, c_bracket, c_rung};
        for (int k = 0; k < 3; k++) {
            if (lv[k] < 0) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, lc[k]),
                                  "expected an integer ≥ 0 in column '%s', found %ld", t.names[lc[k]], lv[k]);
                goto fail;
            }
        }
        if (!(x->budget >= 1 && x->budget <= 1e9)) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_budget),
                              "expected a number of iterations (≥ 1) in column 'budget', found '%.40s'",
                              als_csv_at(&t, i, c_budget));
            goto fail;
        }
        const char *m = als_csv_at(&t, i, c_metric);
        if (r->metric[0] && strcmp(m, r->metric) != 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], als_csv_field_col(&t, i, c_metric),
                              "expected the metric of summary.csv ('%s'), found '%.60s'", r->metric, m);
            goto fail;
        }
        r->nrungs++;
    }
    r->has_rungs = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

/* timings.csv: the job rows only (phase `job`); other phases are skipped unread.  Empty seconds
 * (a job resumed from an earlier run) load as NaN. */
static als_status load_timings(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_phase, c_c0, c_fold, c_sec;
    if ((st = als_csv_need(&t, "phase", &c_phase, d)) || (st = als_csv_need(&t, "cell0", &c_c0, d)) ||
        (st = als_csv_need(&t, "fold", &c_fold, d)) || (st = als_csv_need(&t, "seconds", &c_sec, d)))
        goto fail;
    r->jobs = calloc(t.nrows ? t.nrows : 1, sizeof *r->jobs);
    if (!r->jobs) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        if (strcmp(als_csv_at(&t, i, c_phase), "job") != 0)
            continue;
        als_rjob *x = &r->jobs[r->njobs];
        x->seconds = NAN;
        if ((st = need_long(&t, i, c_c0, &x->cell0, d)) || (st = need_long(&t, i, c_fold, &x->fold, d)) ||
            (*als_csv_at(&t, i, c_sec) && (st = als_csv_double(&t, i, c_sec, &x->seconds, d))))
            goto fail;
        if (x->cell0 < 0 || (isfinite(x->seconds) && x->seconds < 0) || isinf(x->seconds)) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], 0,
                              "expected a cell0 ≥ 0 and seconds ≥ 0 on a job row, found %ld and '%.40s'", x->cell0,
                              als_csv_at(&t, i, c_sec));
            goto fail;
        }
        r->njobs++;
    }
    r->has_timings = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

als_status als_results_load(als_results *r, const char *dir, als_diag *d)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return als_diag_set(d, ALS_E_INPUT, dir, 0, 0, "no such results folder (%s); run 'alstune tune' first",
                            strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return als_diag_set(d, ALS_E_INPUT, dir, 0, 0, "not a folder, expected a results folder of 'alstune tune'");
    char path[4200];
    als_path_join(path, sizeof path, dir, "summary.csv");
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                            "missing: expected the results folder of 'alstune tune' (docs/outputs.md)");
    als_status st = load_summary(r, path, d);
    if (st)
        goto fail;
    als_path_join(path, sizeof path, dir, "iterations.csv");
    if (als_file_exists(path) && (st = load_iterations(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "folds.csv");
    if (als_file_exists(path) && (st = load_folds(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "trials.csv");
    if (als_file_exists(path) && (st = load_trials(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "rungs.csv");
    if (als_file_exists(path) && (st = load_rungs(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "timings.csv");
    if (als_file_exists(path) && (st = load_timings(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "experiment.yaml");
    if (als_file_exists(path)) {
        if ((st = als_yflat_read(&r->experiment, path, d)))
            goto fail;
        r->has_experiment = true;
    }
    als_path_join(path, sizeof path, dir, "best.yaml");
    if (als_file_exists(path)) {
        if ((st = als_yflat_read(&r->best, path, d)))
            goto fail;
        r->has_best = true;
    }
    als_path_join(path, sizeof path, dir, "provenance.yaml");
    if (als_file_exists(path)) {
        if ((st = als_yflat_read(&r->provenance, path, d)))
            goto fail;
        r->has_provenance = true;
    }
    if ((st = load_nested(r, dir, d)))
        goto fail;
    const char *name = r->has_experiment ? als_yflat_get(&r->experiment, "name") : NULL;
    if (name) {
        snprintf(r->name, sizeof r->name, "%s", name);
    } else {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", dir);
        size_t n = strlen(tmp);
        while (n > 1 && tmp[n - 1] == '/')
            tmp[--n] = '\0';
        const char *b = strrchr(tmp, '/');
        snprintf(r->name, sizeof r->name, "%s", b ? b + 1 : tmp);
    }
    return ALS_OK;
fail:
    als_results_free(r);
    return st;
}


/* Display name of a metric: "RMSE", "NDCG@10", "R²"... */
void als_metric_label(char *out, size_t n, const char *m)
{
    static const struct { const char *in, *out; } map[] = {
        {"rmse", "RMSE"}, {"mse", "MSE"}, {"mae", "MAE"}, {"r2", "R²"}, {"var", "explained variance"},
        {"mpr", "MPR"}, {"auc", "AUC"}, {"map", "MAP"}, {"ndcg", "NDCG"}, {"precision", "precision"},
        {"recall", "recall"}};
    size_t base = strcspn(m, "@");
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strlen(map[i].in) == base && strncasecmp(m, map[i].in, base) == 0) {
            snprintf(out, n, "%s%s", map[i].out, m + base);
            return;
        }
    }
    snprintf(out, n, "%s", m);
}


static void axis_add(als_raxis *a, double v)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] == v || (isnan(a->v[i]) && isnan(v)))
            return;
    if (a->n < ALS_RAXIS_MAX)
        a->v[a->n++] = v;
}

long als_raxis_index(const als_raxis *a, double v)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] == v)
            return (long)i;
    return -1;
}


void als_rgrid_build(const als_results *r, als_rgrid *g)
{
    memset(g, 0, sizeof *g);
    bool imp[2] = {0}, nn[2] = {0}, bias[2] = {0};
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        axis_add(&g->rank, c->rank);
        axis_add(&g->reg, c->regParam);
        axis_add(&g->mi, c->maxIter);
        axis_add(&g->alpha, c->alpha);
        imp[c->implicitPrefs] = true;
        nn[c->nonnegative] = true;
        bias[c->bias] = true;
    }
    qsort(g->rank.v, g->rank.n, sizeof(double), cmp_double);
    qsort(g->reg.v, g->reg.n, sizeof(double), cmp_double);
    qsort(g->mi.v, g->mi.n, sizeof(double), cmp_double);
    qsort(g->alpha.v, g->alpha.n, sizeof(double), cmp_double);
    g->vary_alpha = g->alpha.n > 1;
    g->vary_imp = imp[0] && imp[1];
    g->vary_nn = nn[0] && nn[1];
    g->vary_bias = bias[0] && bias[1];
}

bool als_results_better(const als_results *r, double a, double b)
{
    if (isnan(b))
        return !isnan(a);
    if (isnan(a))
        return false;
    return r->higher_is_better ? a > b : a < b;
}

/* Best cell (index into r->cells) with this rank/regParam/maxIter over the other axes, or -1. */
long als_results_best_at(const als_results *r, double rank, double reg, double mi)
{
    long best = -1;
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        if (c->rank == rank && c->regParam == reg && c->maxIter == mi &&
            (best < 0 || als_results_better(r, c->mean, r->cells[best].mean)))
            best = (long)i;
    }
    return best;
}

/* "rank 10, λ 0.1" plus the other axes that vary in the grid. */
void als_rgrid_config_label(const als_rgrid *g, const als_rcell *c, char *out, size_t n)
{
    int w = snprintf(out, n, "rank %g, λ %g", c->rank, c->regParam);
    if (w < 0 || (size_t)w >= n)
        return;
    size_t k = (size_t)w;
    if (g->vary_alpha)
        k += (size_t)snprintf(out + k, n - k, ", α %g", c->alpha);
    if (g->vary_imp && k < n)
        k += (size_t)snprintf(out + k, n - k, c->implicitPrefs ? ", implicit" : ", explicit");
    if (g->vary_nn && k < n)
        k += (size_t)snprintf(out + k, n - k, c->nonnegative ? ", nonneg" : "");
    if (g->vary_bias && k < n)
        snprintf(out + k, n - k, c->bias ? ", bias" : "");
}

const char *als_rgrid_varying_axes(const als_rgrid *g, char *out, size_t n)
{
    out[0] = '\0';
    size_t k = 0;
    const char *names[4] = {"alpha", "implicitPrefs", "nonnegative", "bias"};
    bool v[4] = {g->vary_alpha, g->vary_imp, g->vary_nn, g->vary_bias};
    for (int i = 0; i < 4; i++)
        if (v[i] && k < n)
            k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", names[i]);
    return out;
}


const als_rcell *als_results_chosen(const als_results *r)
{
    if (r->ncells == 0)
        return NULL;
    return r->selected >= 0 ? &r->cells[r->selected] : &r->cells[0];
}

struct cfg_sum {
    long cell0;
    double seconds;
    size_t untimed;
    bool used;
};

static int cmp_cfg_sum(const void *a, const void *b)
{
    const struct cfg_sum *x = a, *y = b;
    return (x->cell0 > y->cell0) - (x->cell0 < y->cell0);
}

static int cmp_step_cell(const void *a, const void *b)
{
    const als_rstep *x = a, *y = b;
    return (x->cell > y->cell) - (x->cell < y->cell);
}

size_t als_results_sequence(const als_results *r, als_rstep **out, size_t *n_untimed, bool *oom)
{
    *out = NULL;
    *n_untimed = 0;
    *oom = false;
    size_t n = r->has_trials ? r->ntrials : r->ncells;
    if (n == 0 || r->n_maxIter == 0)
        return 0;
    als_rstep *s = calloc(n, sizeof *s);
    if (!s) {
        *oom = true;
        return 0;
    }
    long nm = (long)r->n_maxIter;
    for (size_t i = 0; i < n; i++) {
        als_rstep *x = &s[i];
        if (r->has_trials) {
            const als_rtrial *t = &r->trials[i];
            x->trial = t->trial;
            x->cell = t->cell;
            x->rank = t->rank;
            x->regParam = t->regParam;
            x->maxIter = t->maxIter;
            x->alpha = t->alpha;
            x->implicitPrefs = t->implicitPrefs;
            x->nonnegative = t->nonnegative;
            x->bias = t->bias;
            x->complete = t->state == ALS_TRIAL_COMPLETE;
            x->value = x->complete ? t->mean : NAN;
        } else {
            const als_rcell *c = &r->cells[i];
            x->trial = x->cell = c->cell;
            x->rank = c->rank;
            x->regParam = c->regParam;
            x->maxIter = c->maxIter;
            x->alpha = c->alpha;
            x->implicitPrefs = c->implicitPrefs;
            x->nonnegative = c->nonnegative;
            x->bias = c->bias;
            x->complete = true;
            x->value = c->mean;
        }
        x->cell0 = x->cell - x->cell % nm;
        x->seconds = NAN;
    }
    if (!r->has_trials)
        qsort(s, n, sizeof *s, cmp_step_cell);
    if (r->has_timings && r->njobs > 0) {
        /* per config: its jobs' seconds summed (sorted by cell0, found by bisection), used once */
        struct cfg_sum *sums = calloc(r->njobs, sizeof *sums);
        if (!sums) {
            free(s);
            *oom = true;
            return 0;
        }
        size_t ns = 0;
        struct cfg_sum *tmp = sums;
        for (size_t j = 0; j < r->njobs; j++) {
            tmp[j].cell0 = r->jobs[j].cell0;
            tmp[j].seconds = isfinite(r->jobs[j].seconds) ? r->jobs[j].seconds : 0;
            tmp[j].untimed = isfinite(r->jobs[j].seconds) ? 0u : 1u;
        }
        qsort(tmp, r->njobs, sizeof *tmp, cmp_cfg_sum);
        for (size_t j = 0; j < r->njobs; j++) {
            if (ns > 0 && sums[ns - 1].cell0 == tmp[j].cell0) {
                sums[ns - 1].seconds += tmp[j].seconds;
                sums[ns - 1].untimed += tmp[j].untimed;
            } else {
                sums[ns++] = tmp[j];
            }
        }
        for (size_t i = 0; i < n; i++) {
            struct cfg_sum key = {.cell0 = s[i].cell0};
            struct cfg_sum *c = bsearch(&key, sums, ns, sizeof *sums, cmp_cfg_sum);
            if (!c)
                continue;
            s[i].seconds = c->used ? 0 : c->seconds;
            if (!c->used)
                *n_untimed += c->untimed;
            c->used = true;
        }
        free(sums);
    }
    *out = s;
    return n;
}

bool als_results_history(const als_results *r, const als_rstep *s, size_t n, double *best, double *wall)
{
    double b = NAN, w = 0;
    bool timed = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i].complete && als_results_better(r, s[i].value, b))
            b = s[i].value;
        best[i] = b;
        if (isfinite(s[i].seconds)) {
            w += s[i].seconds;
            timed = true;
        }
        wall[i] = w;
    }
    if (!timed)
        for (size_t i = 0; i < n; i++)
            wall[i] = NAN;
    return timed;
}

static int cmp_imp(const void *a, const void *b)
{
    const als_rimp_param *x = a, *y = b;
    if (x->share != y->share)
        return x->share > y->share ? -1 : 1;
    return 0;
}

bool als_results_importance(const als_results *r, als_rimportance *out, bool *oom)
{
    memset(out, 0, sizeof *out);
    static const char *const names[ALS_RIMP_MAX] = {"rank", "regParam", "maxIter", "alpha",
                                                    "implicitPrefs", "nonnegative", "bias"};
    size_t nu = 0;
    als_rstep *s;
    size_t n = als_results_sequence(r, &s, &nu, oom);
    if (*oom || n == 0)
        return false;
    double *X = malloc(n * ALS_RIMP_MAX * sizeof *X), *y = malloc(n * sizeof *y);
    double *col = malloc(n * ALS_RIMP_MAX * sizeof *col);
    if (!X || !y || !col) {
        *oom = true;
        free(X), free(y), free(col), free(s);
        return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].complete && isfinite(s[i].value))
            y[m++] = s[i].value;
    size_t np = 0, which[ALS_RIMP_MAX];
    for (int k = 0; k < ALS_RIMP_MAX; k++) {
        size_t j = 0;
        bool varies = false;
        for (size_t i = 0; i < n; i++) {
            if (!(s[i].complete && isfinite(s[i].value)))
                continue;
            const als_rstep *x = &s[i];
            double v = k == 0   ? x->rank
                       : k == 1 ? x->regParam
                       : k == 2 ? x->maxIter
                       : k == 3 ? x->alpha
                       : k == 4 ? (double)x->implicitPrefs
                       : k == 5 ? (double)x->nonnegative
                                : (double)x->bias;
            if (isnan(v))
                v = -INFINITY; /* one bin for "absent" */
            col[np * n + j] = v;
            varies |= j > 0 && v != col[np * n];
            j++;
        }
        if (varies)
            which[np++] = (size_t)k;
    }
    double eta2[ALS_RIMP_MAX], share[ALS_RIMP_MAX];
    size_t nb[ALS_RIMP_MAX];
    /* the columns were written with stride n; compact them to stride m for the pure module */
    for (size_t k = 0; k < np; k++)
        for (size_t i = 0; i < m; i++)
            X[k * m + i] = col[k * n + i];
    bool ok = np > 0 && als_importance_compute(X, y, m, np, eta2, share, nb, oom);
    free(X), free(y), free(col), free(s);
    if (!ok)
        return false;
    out->n_trials = m;
    out->max_bins = als_importance_nbins(m);
    out->np = np;
    for (size_t k = 0; k < np; k++) {
        snprintf(out->p[k].name, sizeof out->p[k].name, "%s", names[which[k]]);
        out->p[k].eta2 = eta2[k];
        out->p[k].share = share[k];
        out->p[k].bins = nb[k];
    }
    /* insertion sort: stable, so ties keep the parameter order */
    for (size_t i = 1; i < np; i++)
        for (size_t j = i; j > 0 && cmp_imp(&out->p[j], &out->p[j - 1]) < 0; j--) {
            als_rimp_param t = out->p[j];
            out->p[j] = out->p[j - 1];
            out->p[j - 1] = t;
        }
    return true;
}

/* A distribution's bounds from experiment.yaml (als.NAME: {min: A, max: B, ...}); false for a
 * list or when the file or the keys are absent. */
static bool dist_bounds(const als_results *r, const char *name, double *lo, double *hi)
{
    if (!r->has_experiment)
        return false;
    char k[64];
    snprintf(k, sizeof k, "als.%s.min", name);
    const char *a = als_yflat_get(&r->experiment, k);
    snprintf(k, sizeof k, "als.%s.max", name);
    const char *b = als_yflat_get(&r->experiment, k);
    return a && b && als_str_to_double(a, lo) && als_str_to_double(b, hi);
}

static void edge_warnings(const als_results *r, const als_rcell *c, als_rwarn *w, size_t *n)
{
    als_rgrid g;
    als_rgrid_build(r, &g);
    if (r->has_trials && r->ntrials > 0) {
        /* a sampled search: the values tried are the trials' draws, pruned trials included (a pruned
         * search's summary.csv has only the cells that completed) */
        memset(&g.rank, 0, sizeof g.rank), memset(&g.reg, 0, sizeof g.reg), memset(&g.mi, 0, sizeof g.mi),
            memset(&g.alpha, 0, sizeof g.alpha);
        for (size_t i = 0; i < r->ntrials; i++) {
            axis_add(&g.rank, r->trials[i].rank);
            axis_add(&g.reg, r->trials[i].regParam);
            axis_add(&g.mi, r->trials[i].maxIter);
            axis_add(&g.alpha, r->trials[i].alpha);
        }
        for (size_t i = 0; i < r->ncells; i++) /* and the path-reuse cells of summary.csv */
            axis_add(&g.mi, r->cells[i].maxIter);
        qsort(g.rank.v, g.rank.n, sizeof(double), cmp_double);
        qsort(g.reg.v, g.reg.n, sizeof(double), cmp_double);
        qsort(g.mi.v, g.mi.n, sizeof(double), cmp_double);
        qsort(g.alpha.v, g.alpha.n, sizeof(double), cmp_double);
    }
    const struct {
        const char *name;
        const als_raxis *a;
        double v;
    } ax[4] = {{"rank", &g.rank, c->rank}, {"regParam", &g.reg, c->regParam}, {"maxIter", &g.mi, c->maxIter},
               {"alpha", &g.alpha, c->alpha}};
    for (int i = 0; i < 4 && *n < ALS_RWARN_MAX; i++) {
        const als_raxis *a = ax[i].a;
        if (a->n < 2 || !isfinite(ax[i].v) || !isfinite(a->v[0]) || !isfinite(a->v[a->n - 1]))
            continue;
        bool low = ax[i].v == a->v[0], high = ax[i].v == a->v[a->n - 1];
        if (i == 2) /* maxIter: the upper edge is judged by the learning curve (IMPROVING) */
            high = false;
        if (!low && !high)
            continue;
        als_rwarn *x = &w[(*n)++];
        memset(x, 0, sizeof *x);
        x->kind = low ? ALS_RWARN_EDGE_LOW : ALS_RWARN_EDGE_HIGH;
        snprintf(x->param, sizeof x->param, "%s", ax[i].name);
        x->value = ax[i].v;
        x->lo = a->v[0];
        x->hi = a->v[a->n - 1];
        char range[128];
        if (r->has_trials && dist_bounds(r, ax[i].name, &x->lo, &x->hi)) {
            x->distribution = true;
            snprintf(range, sizeof range, "searched range [%g, %g]", x->lo, x->hi);
        } else {
            snprintf(range, sizeof range, "values tried %g to %g", x->lo, x->hi);
        }
        snprintf(x->text, sizeof x->text, "%s %g is the %s value tried (%s): extend the range %s", x->param, x->value,
                 low ? "smallest" : "largest", range, low ? "downward" : "upward");
    }
}

/* Fold-mean validation metric of config cell0 at iteration it (the value column, or valid_rmse when
 * value is absent), NaN when no fold has it. */
static double curve_at(const als_results *r, long cell0, long it)
{
    double s = 0;
    long k = 0;
    for (size_t i = 0; i < r->niters; i++) {
        const als_riter *x = &r->iters[i];
        if (x->cell0 != cell0 || x->iteration != it)
            continue;
        double v = isfinite(x->value) ? x->value : x->valid_rmse;
        if (!isfinite(v))
            return NAN;
        s += v;
        k++;
    }
    return k ? s / (double)k : NAN;
}

static void improving_warning(const als_results *r, const als_rcell *c, als_rwarn *w, size_t *n)
{
    if (*n >= ALS_RWARN_MAX || !r->has_iterations)
        return;
    long last = 0;
    for (size_t i = 0; i < r->niters; i++)
        if (r->iters[i].cell0 == c->cell0 && r->iters[i].iteration > last)
            last = r->iters[i].iteration;
    if (last < 2 || (double)last != c->maxIter)
        return;
    bool lower = !r->higher_is_better;
    double a = curve_at(r, c->cell0, last - 1), b = curve_at(r, c->cell0, last);
    if (!isfinite(a) || !isfinite(b) || b == 0)
        return;
    /* without the value column the curve is valid_rmse, lower is better whatever the metric */
    bool use_rmse = false;
    for (size_t i = 0; i < r->niters && !use_rmse; i++)
        use_rmse = r->iters[i].cell0 == c->cell0 && !isfinite(r->iters[i].value);
    if (use_rmse)
        lower = true;
    double gain = (lower ? a - b : b - a) / fabs(b);
    if (!(gain > ALS_IMPROVING_FRAC))
        return;
    als_rwarn *x = &w[(*n)++];
    memset(x, 0, sizeof *x);
    x->kind = ALS_RWARN_IMPROVING;
    snprintf(x->param, sizeof x->param, "maxIter");
    x->value = c->maxIter;
    x->lo = x->hi = NAN;
    x->gain = gain;
    char ml[64];
    als_metric_label(ml, sizeof ml, use_rmse ? "rmse" : r->metric);
    snprintf(x->text, sizeof x->text,
             "still improving at maxIter %ld: the last iteration improved the mean validation %s by %.2g %% "
             "(more than %g %%): try more iterations",
             last, ml, 100 * gain, 100 * ALS_IMPROVING_FRAC);
}

size_t als_results_warnings(const als_results *r, als_rwarn *w)
{
    size_t n = 0;
    const als_rcell *c = als_results_chosen(r);
    if (!c)
        return 0;
    edge_warnings(r, c, w, &n);
    improving_warning(r, c, w, &n);
    return n;
}
