/* als_check — baselines and the regression gate (see als_check.h, docs/report.md). */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_check.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "als_util.h"

als_tolerance als_check_default_tolerance(const char *metric)
{
    als_tolerance t = {0.01, true};
    size_t n = strcspn(metric, "@");
    if ((n == 4 && strncasecmp(metric, "rmse", 4) == 0) || (n == 3 && strncasecmp(metric, "mae", 3) == 0) ||
        (n == 2 && strncasecmp(metric, "r2", 2) == 0) || (n == 3 && strncasecmp(metric, "var", 3) == 0)) {
        t.value = 0.002;
        t.relative = false;
    } else if (n == 3 && strncasecmp(metric, "mse", 3) == 0) {
        t.value = 0.004;
        t.relative = false;
    }
    return t;
}

bool als_tolerance_parse(const char *s, als_tolerance *t)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n + 1);
    bool rel = buf[n - 1] == '%';
    if (rel)
        buf[n - 1] = '\0';
    double v;
    if (!als_str_to_double(buf, &v) || !(v >= 0) || !isfinite(v))
        return false;
    t->value = rel ? v / 100.0 : v;
    t->relative = rel;
    return true;
}

double als_tolerance_abs(const als_tolerance *t, double base)
{
    if (!t->relative)
        return t->value;
    return isfinite(base) ? t->value * fabs(base) : 0.0;
}

const char *als_verdict_name(als_verdict v)
{
    switch (v) {
    case ALS_VERDICT_OK: return "ok";
    case ALS_VERDICT_IMPROVED: return "improved";
    case ALS_VERDICT_REGRESSED: return "REGRESSED";
    case ALS_VERDICT_MISSING: return "MISSING";
    }
    return "?";
}

als_verdict als_check_compare(double base, double now, bool higher_is_better, double tol)
{
    if (isnan(base) && isnan(now))
        return ALS_VERDICT_OK;
    if (isnan(now))
        return ALS_VERDICT_REGRESSED;
    if (isnan(base))
        return ALS_VERDICT_IMPROVED;
    double worse = higher_is_better ? base - now : now - base;
    /* a hair of slack so that a delta printed as exactly the tolerance passes */
    double slack = tol * 1e-9 + 1e-15;
    if (worse > tol + slack)
        return ALS_VERDICT_REGRESSED;
    if (-worse > tol + slack)
        return ALS_VERDICT_IMPROVED;
    return ALS_VERDICT_OK;
}

/* ---- baseline file ------------------------------------------------------------------------- */

void als_baseline_free(als_baseline *b)
{
    free(b->cells);
    b->cells = NULL;
    b->ncells = 0;
}

static als_status get_str(const als_yflat *y, const char *key, char *out, size_t n, bool required, als_diag *d)
{
    const char *v = als_yflat_get(y, key);
    if (!v) {
        out[0] = '\0';
        if (!required)
            return ALS_OK;
        const als_yentry *e = als_yflat_find(y, key);
        return als_diag_set(d, ALS_E_INPUT, y->path, e ? e->line : 0, 0,
                            "missing '%s' (expected a baseline written by 'alstune check --write-baseline')", key);
    }
    if (strlen(v) >= n) {
        const als_yentry *e = als_yflat_find(y, key);
        return als_diag_set(d, ALS_E_INPUT, y->path, e->line, e->col, "value of '%s' is too long", key);
    }
    snprintf(out, n, "%s", v);
    return ALS_OK;
}

static als_status get_bool(const als_yflat *y, const char *key, bool *out, als_diag *d)
{
    const als_yentry *e = als_yflat_find(y, key);
    if (!e)
        return als_diag_set(d, ALS_E_INPUT, y->path, 0, 0, "missing '%s'", key);
    if (strcmp(e->value, "true") == 0)
        *out = true;
    else if (strcmp(e->value, "false") == 0)
        *out = false;
    else
        return als_diag_set(d, ALS_E_INPUT, y->path, e->line, e->col, "expected true or false for '%s', found '%.40s'",
                            key, e->value);
    return ALS_OK;
}

/* prefix.{rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,mean} */
static als_status get_cell(const als_yflat *y, const char *prefix, als_rcell *c, als_diag *d)
{
    char k[300];
    als_status st;
    memset(c, 0, sizeof *c);
    c->std = c->min = c->max = c->mean_rmse = c->mean_mae = NAN;
    double cell = -1;
    struct { const char *name; double *dst; } nums[] = {{"cell", &cell}, {"rank", &c->rank}, {"regParam", &c->regParam},
                                                         {"maxIter", &c->maxIter}, {"alpha", &c->alpha}, {"mean", &c->mean}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        snprintf(k, sizeof k, "%s.%s", prefix, nums[i].name);
        if ((st = als_yflat_double(y, k, nums[i].dst, d)))
            return st;
    }
    if (!(cell == floor(cell)) || fabs(cell) > 1e15) { /* (long)cell would be undefined */
        snprintf(k, sizeof k, "%s.cell", prefix);
        const als_yentry *e = als_yflat_find(y, k);
        return als_diag_set(d, ALS_E_INPUT, y->path, e ? e->line : 0, e ? e->col : 0,
                            "expected an integer for '%s', found '%.40s'", k, e ? e->value : "");
    }
    c->cell = (long)cell;
    const char *bn[3] = {"implicitPrefs", "nonnegative", "bias"};
    bool *bd[3] = {&c->implicitPrefs, &c->nonnegative, &c->bias};
    for (int i = 0; i < 3; i++) {
        snprintf(k, sizeof k, "%s.%s", prefix, bn[i]);
        if ((st = get_bool(y, k, bd[i], d)))
            return st;
    }
    snprintf(k, sizeof k, "%s.std", prefix);
    if (als_yflat_get(y, k) && (st = als_yflat_double(y, k, &c->std, d)))
        return st;
    return ALS_OK;
}

als_status als_baseline_load(als_baseline *b, const char *path, als_diag *d)
{
    memset(b, 0, sizeof *b);
    snprintf(b->path, sizeof b->path, "%s", path);
    als_yflat y;
    als_yflat_init(&y);
    als_status st;
    if (!als_file_exists(path)) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "no such baseline file; create one with 'alstune check RESULTS "
                                                      "--write-baseline %s'", path);
        goto fail;
    }
    if ((st = als_yflat_read(&y, path, d)))
        goto fail;
    if ((st = get_str(&y, "experiment", b->experiment, sizeof b->experiment, false, d)) ||
        (st = get_str(&y, "metric", b->metric, sizeof b->metric, true, d)) ||
        (st = get_str(&y, "data_sha256", b->data_sha256, sizeof b->data_sha256, false, d)) ||
        (st = get_str(&y, "alstune_version", b->alstune_version, sizeof b->alstune_version, false, d)))
        goto fail;
    b->higher_is_better = !als_metric_name_lower_is_better(b->metric);
    const als_yentry *dir = als_yflat_find(&y, "direction");
    if (dir) {
        bool lower = strcmp(dir->value, "lower") == 0, higher = strcmp(dir->value, "higher") == 0;
        if (!lower && !higher) {
            st = als_diag_set(d, ALS_E_INPUT, path, dir->line, dir->col, "expected direction: lower or higher, found '%.40s'",
                              dir->value);
            goto fail;
        }
        if (higher != b->higher_is_better) {
            st = als_diag_set(d, ALS_E_INPUT, path, dir->line, dir->col,
                              "direction '%s' contradicts metric '%s', which is %s-is-better", dir->value, b->metric,
                              b->higher_is_better ? "higher" : "lower");
            goto fail;
        }
    }
    const als_yentry *te = als_yflat_find(&y, "tolerance");
    if (te) {
        if (!als_str_to_double(te->value, &b->tol.value) || !(b->tol.value >= 0) || !isfinite(b->tol.value)) {
            st = als_diag_set(d, ALS_E_INPUT, path, te->line, te->col, "expected a tolerance ≥ 0, found '%.40s'", te->value);
            goto fail;
        }
        b->has_tolerance = true;
        const als_yentry *tk = als_yflat_find(&y, "tolerance_kind");
        if (tk) {
            if (strcmp(tk->value, "relative") == 0)
                b->tol.relative = true;
            else if (strcmp(tk->value, "absolute") != 0) {
                st = als_diag_set(d, ALS_E_INPUT, path, tk->line, tk->col,
                                  "expected tolerance_kind: absolute or relative, found '%.40s'", tk->value);
                goto fail;
            }
        }
    }
    if ((st = get_cell(&y, "best", &b->best, d)))
        goto fail;
    if (als_yflat_get(&y, "test.value")) {
        if ((st = als_yflat_double(&y, "test.value", &b->test_value, d)))
            goto fail;
        b->has_test = true;
    }
    /* cells[i] */
    size_t n = 0;
    for (;; n++) {
        char k[64];
        snprintf(k, sizeof k, "cells[%zu].mean", n);
        if (!als_yflat_find(&y, k))
            break;
    }
    if (n == 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "no 'cells:' list (expected one entry per grid cell)");
        goto fail;
    }
    b->cells = calloc(n, sizeof *b->cells);
    if (!b->cells) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        char k[64];
        snprintf(k, sizeof k, "cells[%zu]", i);
        if ((st = get_cell(&y, k, &b->cells[i], d)))
            goto fail;
        b->ncells++;
    }
    als_yflat_free(&y);
    return ALS_OK;
fail:
    als_yflat_free(&y);
    als_baseline_free(b);
    return st;
}

static void write_cell(FILE *f, const als_rcell *c, bool with_std)
{
    char a[32], b[32], m[32], s[32], it[32];
    fprintf(f, "{cell: %ld, rank: %s, regParam: %s, maxIter: %s, alpha: %s, implicitPrefs: %s, nonnegative: %s, "
               "bias: %s, mean: %s",
            c->cell, als_fmt_double(a, c->rank), als_fmt_double(b, c->regParam), als_fmt_double(it, c->maxIter),
            als_fmt_double(s, c->alpha),
            c->implicitPrefs ? "true" : "false", c->nonnegative ? "true" : "false", c->bias ? "true" : "false",
            als_fmt_double(m, c->mean));
    if (with_std)
        fprintf(f, ", std: %s", als_fmt_double(s, c->std));
    fputs("}\n", f);
}

/* A string copied from the results into a baseline must read back as written: at most max bytes,
 * hex digits only (hex), else no quote, backslash or control character.  y/key locate the value
 * in a results file for the message (y NULL: the folder). */
static als_status baseline_value(const als_results *r, const als_yflat *y, const char *key, const char *v,
                                 size_t max, bool hex, als_diag *d)
{
    bool ok = strlen(v) <= max;
    for (const unsigned char *p = (const unsigned char *)v; ok && *p; p++)
        ok = hex ? isxdigit(*p) != 0 : *p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\';
    if (ok)
        return ALS_OK;
    const als_yentry *e = y ? als_yflat_find(y, key) : NULL;
    return als_diag_set(d, ALS_E_INPUT, y ? y->path : r->dir, e ? e->line : 0, e ? e->col : 0,
                        "cannot write a baseline: expected %s of at most %zu characters for '%s', found '%.40s'",
                        hex ? "hex digits" : "text without quotes, backslashes or control characters", max, key, v);
}

als_status als_baseline_write(const als_results *r, const als_tolerance *tol, const char *path, als_diag *d)
{
    if (r->ncells == 0)
        return als_diag_set(d, ALS_E_INPUT, r->dir, 0, 0, "no cells in summary.csv");
    {   /* what the baseline copies from the results must load again (als_baseline_load) */
        const als_yflat *ys = NULL, *yv = NULL;
        const char *sha = NULL, *ver = NULL;
        if (r->has_experiment) {
            if ((sha = als_yflat_get(&r->experiment, "fingerprint.data_sha256")))
                ys = &r->experiment;
            if ((ver = als_yflat_get(&r->experiment, "fingerprint.alstune_version")))
                yv = &r->experiment;
        }
        if (!sha && r->has_provenance && (sha = als_yflat_get(&r->provenance, "data_sha256")))
            ys = &r->provenance;
        if (!ver && r->has_provenance && (ver = als_yflat_get(&r->provenance, "alstune_version")))
            yv = &r->provenance;
        als_status vs;
        if ((sha && (vs = baseline_value(r, ys, ys == &r->experiment ? "fingerprint.data_sha256" : "data_sha256", sha,
                                         sizeof ((als_baseline *)0)->data_sha256 - 1, true, d))) ||
            (ver && (vs = baseline_value(r, yv, yv == &r->experiment ? "fingerprint.alstune_version" : "alstune_version",
                                         ver, sizeof ((als_baseline *)0)->alstune_version - 1, false, d))) ||
            (vs = baseline_value(r, r->has_experiment && als_yflat_get(&r->experiment, "name") ? &r->experiment : NULL,
                                 "name", r->name, sizeof ((als_baseline *)0)->experiment - 1, false, d)))
            return vs;
    }
    als_tolerance t = tol ? *tol : als_check_default_tolerance(r->metric);
    char dir[4096];
    als_path_dirname(dir, sizeof dir, path);
    als_status st = als_mkdir_p(dir, d);
    if (st)
        return st;
    als_afile a;
    if ((st = als_afile_open(&a, path, d)))
        return st;
    FILE *f = a.f;
    const char *sha = NULL, *ver = NULL;
    if (r->has_experiment) {
        sha = als_yflat_get(&r->experiment, "fingerprint.data_sha256");
        ver = als_yflat_get(&r->experiment, "fingerprint.alstune_version");
    }
    if (!sha && r->has_provenance)
        sha = als_yflat_get(&r->provenance, "data_sha256");
    if (!ver && r->has_provenance)
        ver = als_yflat_get(&r->provenance, "alstune_version");
    char v[32];
    fprintf(f, "# alstune baseline for the regression gate: 'alstune check RESULTS --baseline THIS_FILE'.\n"
               "# Written by 'alstune check %s --write-baseline'; see docs/report.md.  tolerance is the allowed\n"
               "# worsening of each item: absolute (metric units) or relative (a fraction of the baseline value).\n",
            r->dir);
    fprintf(f, "experiment: \"%s\"\n", r->name);
    fprintf(f, "metric: %s\n", r->metric);
    fprintf(f, "direction: %s\n", r->higher_is_better ? "higher" : "lower");
    fprintf(f, "tolerance: %s\n", als_fmt_double(v, t.value));
    fprintf(f, "tolerance_kind: %s\n", t.relative ? "relative" : "absolute");
    fprintf(f, "alstune_version: \"%s\"\n", ver ? ver : PACKAGE_VERSION);
    if (sha)
        fprintf(f, "data_sha256: %s\n", sha);
    fprintf(f, "best: ");
    write_cell(f, &r->cells[0], true);
    const char *tv = r->has_best ? als_yflat_get(&r->best, "test.value") : NULL;
    double x;
    if (tv && als_str_to_double(tv, &x))
        fprintf(f, "test: {metric: %s, value: %s}\n", r->metric, als_fmt_double(v, x));
    else
        fprintf(f, "test: null   # no holdout test set in the results\n");
    fprintf(f, "cells:   # every cell of summary.csv, best first\n");
    for (size_t i = 0; i < r->ncells; i++) {
        fputs("  - ", f);
        write_cell(f, &r->cells[i], false);
    }
    return als_afile_commit(&a, d);
}

/* ---- the comparison ------------------------------------------------------------------------ */

void als_check_result_free(als_check_result *res)
{
    free(res->rows);
    res->rows = NULL;
    res->n = 0;
}

static void cell_text(const als_rcell *c, bool alpha, bool flags, char *out, size_t n)
{
    int w = snprintf(out, n, "rank=%g regParam=%g maxIter=%g", c->rank, c->regParam, c->maxIter);
    if (w < 0 || (size_t)w >= n)
        return;
    size_t k = (size_t)w;
    if (alpha)
        k += (size_t)snprintf(out + k, n - k, " alpha=%g", c->alpha);
    if (flags && k < n)
        snprintf(out + k, n - k, " implicit=%d nonneg=%d bias=%d", c->implicitPrefs, c->nonnegative, c->bias);
}

static void add_row(als_check_result *res, const char *item, double base, double now, double tol)
{
    als_check_row *row = &res->rows[res->n++];
    snprintf(row->item, sizeof row->item, "%s", item);
    row->base = base;
    row->now = now;
    row->delta = now - base;
    row->tol = tol;
    row->verdict = als_check_compare(base, now, res->higher_is_better, tol);
    res->n_regressed += row->verdict == ALS_VERDICT_REGRESSED;
    res->n_improved += row->verdict == ALS_VERDICT_IMPROVED;
}

als_status als_check_run(const als_results *r, const als_baseline *b, const als_tolerance *override,
                         als_check_result *res, als_diag *d)
{
    memset(res, 0, sizeof *res);
    if (strcmp(r->metric, b->metric) != 0)
        return als_diag_set(d, ALS_E_INPUT, b->path, 0, 0,
                            "the baseline is for metric '%s' but %s/summary.csv uses '%s'; write a new baseline with "
                            "--write-baseline",
                            b->metric, r->dir, r->metric);
    const char *sha = r->has_experiment ? als_yflat_get(&r->experiment, "fingerprint.data_sha256") : NULL;
    if (!sha && r->has_provenance)
        sha = als_yflat_get(&r->provenance, "data_sha256");
    if (b->data_sha256[0] && sha && strcmp(sha, b->data_sha256) != 0)
        return als_diag_set(d, ALS_E_INPUT, b->path, 0, 0,
                            "the baseline was made on other data (data_sha256 %.12s…, the results have %.12s…); if the "
                            "data change is intended, rewrite the baseline with --write-baseline",
                            b->data_sha256, sha);
    snprintf(res->metric, sizeof res->metric, "%s", r->metric);
    res->higher_is_better = b->higher_is_better;
    if (override) {
        res->tol = *override;
        res->tol_source = "--tolerance";
    } else if (b->has_tolerance) {
        res->tol = b->tol;
        res->tol_source = "baseline";
    } else {
        res->tol = als_check_default_tolerance(r->metric);
        res->tol_source = "default";
    }
    res->rows = calloc(b->ncells + 2, sizeof *res->rows);
    if (!res->rows)
        return als_diag_set(d, ALS_E_NOMEM, b->path, 0, 0, "out of memory");
    bool alpha = false, flags = false;
    for (size_t i = 0; i < b->ncells; i++) {
        const als_rcell *c = &b->cells[i], *c0 = &b->cells[0];
        alpha |= !(c->alpha == c0->alpha || (isnan(c->alpha) && isnan(c0->alpha)));
        flags |= c->implicitPrefs != c0->implicitPrefs || c->nonnegative != c0->nonnegative || c->bias != c0->bias;
    }
    char item[200], a[160], bb[160];
    /* the best cell */
    const als_rcell *now_best = &r->cells[0];
    snprintf(item, sizeof item, "best cell: CV %s", r->metric);
    add_row(res, item, b->best.mean, now_best->mean, als_tolerance_abs(&res->tol, b->best.mean));
    als_rcell bp = b->best, np = *now_best;
    bp.mean = np.mean = 0;
    if (als_results_find_cell(r, &bp) != 0) {
        cell_text(&b->best, alpha, flags, a, sizeof a);
        cell_text(now_best, alpha, flags, bb, sizeof bb);
        snprintf(res->best_note, sizeof res->best_note, "the best cell changed: baseline %s, now %s", a, bb);
    }
    /* holdout */
    if (b->has_test) {
        const char *tv = r->has_best ? als_yflat_get(&r->best, "test.value") : NULL;
        double x;
        if (!tv) {
            als_check_result_free(res);
            return als_diag_set(d, ALS_E_INPUT, r->dir, 0, 0,
                                "the baseline %s has a holdout test value but %s/best.yaml has none (test.value); "
                                "was testFraction changed?",
                                b->path, r->dir);
        }
        if (!als_str_to_double(tv, &x)) {
            const als_yentry *e = als_yflat_find(&r->best, "test.value");
            als_check_result_free(res);
            return als_diag_set(d, ALS_E_INPUT, r->best.path, e->line, e->col, "expected a number for test.value, found '%.40s'",
                                tv);
        }
        snprintf(item, sizeof item, "holdout test %s", r->metric);
        add_row(res, item, b->test_value, x, als_tolerance_abs(&res->tol, b->test_value));
    }
    /* every cell of the baseline */
    for (size_t i = 0; i < b->ncells; i++) {
        const als_rcell *c = &b->cells[i];
        long k = als_results_find_cell(r, c);
        cell_text(c, alpha, flags, a, sizeof a);
        if (k < 0) {
            als_check_row *row = &res->rows[res->n++];
            snprintf(row->item, sizeof row->item, "cell %s", a);
            row->base = c->mean;
            row->now = row->delta = NAN;
            row->tol = als_tolerance_abs(&res->tol, c->mean);
            row->verdict = ALS_VERDICT_MISSING;
            res->n_regressed++;
            continue;
        }
        snprintf(item, sizeof item, "cell %s", a);
        add_row(res, item, c->mean, r->cells[k].mean, als_tolerance_abs(&res->tol, c->mean));
    }
    return res->n_regressed ? ALS_E_CHECK : ALS_OK;
}

void als_check_print(const als_check_result *res, const char *results_dir, const char *baseline_path, FILE *f)
{
    char tol[64];
    if (res->tol.relative)
        snprintf(tol, sizeof tol, "%g%% relative", res->tol.value * 100);
    else
        snprintf(tol, sizeof tol, "%g absolute", res->tol.value);
    fprintf(f, "alstune check: %s against %s\n", results_dir, baseline_path);
    fprintf(f, "metric %s (%s is better); tolerance %s (%s)\n\n", res->metric, res->higher_is_better ? "higher" : "lower",
            tol, res->tol_source);
    int w = 4;
    for (size_t i = 0; i < res->n; i++)
        if ((int)strlen(res->rows[i].item) > w)
            w = (int)strlen(res->rows[i].item);
    fprintf(f, "%-*s  %10s  %10s  %10s  %s\n", w, "item", "baseline", "now", "delta", "verdict");
    for (size_t i = 0; i < res->n; i++) {
        const als_check_row *row = &res->rows[i];
        fprintf(f, "%-*s  %10.6f  %10.6f  %+10.6f  %s\n", w, row->item, row->base, row->now, row->delta,
                als_verdict_name(row->verdict));
    }
    if (res->best_note[0])
        fprintf(f, "\nnote: %s\n", res->best_note);
    if (res->n_regressed)
        fprintf(f, "\nFAIL: %zu of %zu items regressed beyond the tolerance (%s) or are missing from the results\n",
                res->n_regressed, res->n, tol);
    else
        fprintf(f, "\nPASS: no regression beyond the tolerance (%s) in %zu items; %zu improved\n", tol, res->n,
                res->n_improved);
}
