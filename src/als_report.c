/* als_report — report.md and report.html for a results folder.  See als_report.h for the
 * contracts and docs/report.md for the user's view.
 *
 * The report is built in memory (two growing strings, one per format) and written with
 * temp + rename at the end, so a failure leaves the previous report in place.  Figures come from
 * als_plot: gnuplot reads a script (kept beside the SVG as plots/NAME.gp so a researcher can
 * restyle a figure) and writes the SVG on stdout, which goes straight into the temporary file of
 * the SVG; the SVG is then inlined into the HTML. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "als_plot.h"
#include "als_sbuf.h"
#include "als_util.h"

/* HTML text (for element content and double-quoted attributes). */
static void sb_html(als_sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': als_sbuf_puts(b, "&lt;"); break;
        case '>': als_sbuf_puts(b, "&gt;"); break;
        case '&': als_sbuf_puts(b, "&amp;"); break;
        case '"': als_sbuf_puts(b, "&quot;"); break;
        default: als_sbuf_putn(b, s, 1);
        }
    }
}

/* Markdown table cell text: escape the characters that would break a table or start markup. */
static void sb_md(als_sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[' || *s == ']' || *s == '\\')
            als_sbuf_putn(b, "\\", 1);
        if (*s == '\n')
            als_sbuf_puts(b, " ");
        else
            als_sbuf_putn(b, s, 1);
    }
}


typedef char num_t[48];

static const char *fmt_metric(num_t out, double v)
{
    if (isnan(v))
        snprintf(out, sizeof(num_t), "nan");
    else
        snprintf(out, sizeof(num_t), "%.4f", v);
    return out;
}

/* Integers with thousands separators ("100,000"); anything else verbatim. */
static const char *fmt_count_str(num_t out, const char *s)
{
    long v;
    if (!als_str_to_long(s, LONG_MIN, LONG_MAX, &v)) {
        snprintf(out, sizeof(num_t), "%s", s);
        return out;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%ld", v < 0 ? -v : v);
    size_t n = strlen(digits), w = 0;
    if (v < 0)
        out[w++] = '-';
    for (size_t i = 0; i < n && w + 2 < sizeof(num_t); i++) {
        if (i && (n - i) % 3 == 0)
            out[w++] = ',';
        out[w++] = digits[i];
    }
    out[w] = '\0';
    return out;
}

static const char *fmt_count(num_t out, double v)
{
    if (!isfinite(v)) {
        snprintf(out, sizeof(num_t), "–");
        return out;
    }
    char s[48];
    snprintf(s, sizeof s, "%.0f", v);
    return fmt_count_str(out, s);
}

/* =============================================================================================
 * the report
 * ============================================================================================= */

typedef struct {
    const char *name;  /* heatmap, spread, learning, ci, trials */
    const char *title;
    char caption[1024];
    int width;         /* px */
    char *svg;         /* the SVG text (malloc'd) when drawn */
    bool drawn;
} figure;

typedef struct {
    const als_results *r;
    als_rgrid G;
    als_sbuf md, html;
    als_report_info *info;
    figure fig[10];
    int nfig;
    als_rimportance imp;  /* parameter importances (np = 0: none) */
} rep;

static void note(rep *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(rep *R, const char *fmt, ...)
{
    if (R->info->n_notes >= ALS_REPORT_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(R->info->notes[R->info->n_notes++], sizeof R->info->notes[0], fmt, ap);
    va_end(ap);
}

/* Inline an SVG file's text: drop the XML prolog/doctype, make ids unique with a prefix, give the
 * root element an accessible label and a max-width. */
static char *svg_for_html(const char *svg, int k, const char *label, int width)
{
    const char *start = strstr(svg, "<svg");
    if (!start)
        return NULL;
    als_sbuf b = {0};
    char pre[16];
    snprintf(pre, sizeof pre, "f%d-", k);
    const char *p = start;
    bool root_done = false;
    while (*p) {
        if (!root_done && strncmp(p, "<svg", 4) == 0) {
            als_sbuf_printf(&b, "<svg role=\"img\" style=\"max-width:%dpx\" aria-label=\"", width);
            sb_html(&b, label);
            als_sbuf_puts(&b, "\"");
            p += 4;
            root_done = true;
            continue;
        }
        if (strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
            als_sbuf_puts(&b, "<title>");
            sb_html(&b, label);
            als_sbuf_puts(&b, "</title>");
            p += 22;
            continue;
        }
        if (strncmp(p, "id='", 4) == 0 || strncmp(p, "id=\"", 4) == 0) {
            if (p == start || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') {
                als_sbuf_putn(&b, p, 4);
                als_sbuf_puts(&b, pre);
                p += 4;
                continue;
            }
        }
        if (strncmp(p, "href='#", 7) == 0 || strncmp(p, "href=\"#", 7) == 0) {
            als_sbuf_putn(&b, p, 7);
            als_sbuf_puts(&b, pre);
            p += 7;
            continue;
        }
        if (strncmp(p, "url(#", 5) == 0) {
            als_sbuf_puts(&b, "url(#");
            als_sbuf_puts(&b, pre);
            p += 5;
            continue;
        }
        size_t run = strcspn(p + 1, "<iuh") + 1;
        als_sbuf_putn(&b, p, run);
        p += run;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static als_status write_text(const char *path, const als_sbuf *b, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open(&a, path, d);
    if (st)
        return st;
    if (b->n && fwrite(b->s, 1, b->n, a.f) != b->n) {
        als_afile_abort(&a);
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "write failed: %s", strerror(errno));
    }
    return als_afile_commit(&a, d);
}

static void draw_figures(rep *R, const als_report_opts *o, als_diag *d, als_status *st)
{
    const als_results *r = R->r;
    /* a grid: heatmap, spread, learning, ci; a sampled search (trials.csv): trials, learning, ci —
     * its cells are not a grid, so no heat map or per-rank lines (docs/report.md) */
    enum { F_HEAT, F_SPREAD, F_LEARN, F_CI, F_TRIALS, F_HIST, F_PAR, F_IMP, F_RUNGS, F_BFOLDS };
    static const char *const names[10] = {"heatmap", "spread", "learning", "ci", "trials",
                                          "history", "parallel", "importance", "rungs", "bpmf_folds"};
    static const char *const titles[10] = {"Mean CV metric over the grid", "Spread over folds", "Learning curves",
                                          "Every cell's mean with its 95 % confidence interval",
                                          "Trials of the sampled search", "Optimisation history",
                                          "Parallel coordinates of the trials", "Parameter importance",
                                          "Rungs of the pruned search",
                                          "RMSE against collected samples, per fold"};
    /* issue 12 item 5: history, importance and rungs for every search, parallel coordinates for a
     * sampled one; each is left out without a note when the data has nothing for it */
    /* model: bpmf adds the per-fold RMSE against collected samples after the learning curves */
    static const int grid_order[8] = {F_HEAT, F_SPREAD, F_HIST, F_IMP, F_RUNGS, F_LEARN, F_BFOLDS, F_CI},
                     sampled_order[8] = {F_TRIALS, F_PAR, F_HIST, F_IMP, F_RUNGS, F_LEARN, F_BFOLDS, F_CI};
    const int *order = r->has_trials ? sampled_order : grid_order;
    int norder = 8;
    R->nfig = 0;
    char prog[4096];
    const char *want = o->gnuplot ? o->gnuplot : "gnuplot";
    bool have_gp = o->plots && als_plot_find_program(want, prog, sizeof prog);
    if (o->plots && !have_gp) {
        R->info->gnuplot_missing = true;
        note(R, "gnuplot was not found (%s): the report has tables only; install gnuplot (Debian: gnuplot-nox) and "
                "rerun 'alstune report'", want);
    }
    if (!o->plots)
        note(R, "plots were disabled (--no-plots): the report has tables only");
    if (!have_gp)
        return;
    char dir[4200];
    als_path_join(dir, sizeof dir, r->dir, "plots");
    if ((*st = als_mkdir_p(dir, d)) != ALS_OK)
        return;
    for (int j = 0; j < norder; j++) {
        int k = order[j];
        figure *f = &R->fig[R->nfig];
        memset(f, 0, sizeof *f);
        f->name = names[k];
        f->title = titles[k];
        als_sbuf g = {0};
        bool ok = k == F_HEAT     ? als_plot_heatmap(r, &R->G, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_SPREAD ? als_plot_spread(r, &R->G, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_LEARN  ? als_plot_learning(r, &R->G, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_CI     ? als_plot_ci(r, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_HIST   ? als_plot_history(r, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_PAR    ? als_plot_parallel(r, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_IMP    ? als_plot_importance(r, &R->imp, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_RUNGS  ? als_plot_rungs(r, &g, &f->width, f->caption, sizeof f->caption)
                  : k == F_BFOLDS ? als_plot_bpmf_folds(r, &g, &f->width, f->caption, sizeof f->caption)
                                  : als_plot_trials(r, &g, &f->width, f->caption, sizeof f->caption);
        if (!ok) {
            free(g.s);
            if (k == F_LEARN)
                note(R, "no learning curves: iterations.csv is %s", r->has_iterations ? "empty" : "missing");
            else if (k == F_HEAT || k == F_SPREAD || k == F_TRIALS) /* a summary without issue 13's columns simply has no CI figure */
                note(R, "no %s figure: no finite mean in %s", f->name, k == F_TRIALS ? "trials.csv" : "summary.csv");
            continue;
        }
        if (g.oom) {
            free(g.s);
            *st = als_diag_set(d, ALS_E_NOMEM, r->dir, 0, 0, "out of memory");
            return;
        }
        R->info->n_plots_wanted++;
        char gp[4300], svg[4300], err[512];
        snprintf(gp, sizeof gp, "%s/%s.gp", dir, f->name);
        snprintf(svg, sizeof svg, "%s/%s.svg", dir, f->name);
        *st = write_text(gp, &g, d);
        free(g.s);
        if (*st)
            return;
        R->nfig++;
        if (!als_plot_run(prog, gp, svg, err, sizeof err)) {
            note(R, "plots/%s.svg was not drawn: %s", f->name, err);
            continue;
        }
        char *text;
        size_t len;
        als_diag tmp;
        if (als_read_file(svg, &text, &len, &tmp) != ALS_OK) {
            note(R, "plots/%s.svg cannot be read back: %s", f->name, tmp.msg);
            continue;
        }
        f->svg = svg_for_html(text, R->nfig, f->title, f->width);
        free(text);
        if (!f->svg) {
            note(R, "plots/%s.svg is not an SVG file", f->name);
            continue;
        }
        f->drawn = true;
        R->info->n_plots++;
    }
}

/* ---- tables: a table is written to both outputs at once ------------------------------------ */

typedef struct {
    rep *R;
    int ncols;
    const char *align; /* per column: 'l' or 'r' */
} table;

static void t_begin(table *t, rep *R, const char *cls, const char *align, const char *const *head, int ncols)
{
    t->R = R;
    t->ncols = ncols;
    t->align = align;
    als_sbuf_printf(&R->html, "<table class=\"%s\">\n<thead><tr>", cls);
    als_sbuf_puts(&R->md, "|");
    for (int i = 0; i < ncols; i++) {
        als_sbuf_printf(&R->html, "<th class=\"%c\">", align[i]);
        sb_html(&R->html, head[i]);
        als_sbuf_puts(&R->html, "</th>");
        als_sbuf_puts(&R->md, " ");
        sb_md(&R->md, head[i]);
        als_sbuf_puts(&R->md, " |");
    }
    als_sbuf_puts(&R->html, "</tr></thead>\n<tbody>\n");
    als_sbuf_puts(&R->md, "\n|");
    for (int i = 0; i < ncols; i++)
        als_sbuf_puts(&R->md, align[i] == 'r' ? "---:|" : ":---|");
    als_sbuf_puts(&R->md, "\n");
}

/* One row; cells[i] plain text.  cls: optional row class ("best"). */
static void t_row(table *t, const char *cls, const char *const *cells)
{
    rep *R = t->R;
    if (cls)
        als_sbuf_printf(&R->html, "<tr class=\"%s\">", cls);
    else
        als_sbuf_puts(&R->html, "<tr>");
    als_sbuf_puts(&R->md, "|");
    for (int i = 0; i < t->ncols; i++) {
        als_sbuf_printf(&R->html, "<td class=\"%c\">", t->align[i]);
        sb_html(&R->html, cells[i]);
        als_sbuf_puts(&R->html, "</td>");
        als_sbuf_puts(&R->md, " ");
        if (cls && i == 0)
            als_sbuf_puts(&R->md, "**");
        sb_md(&R->md, cells[i]);
        if (cls && i == 0)
            als_sbuf_puts(&R->md, "**");
        als_sbuf_puts(&R->md, " |");
    }
    als_sbuf_puts(&R->html, "</tr>\n");
    als_sbuf_puts(&R->md, "\n");
}

static void t_end(table *t)
{
    als_sbuf_puts(&t->R->html, "</tbody></table>\n");
    als_sbuf_puts(&t->R->md, "\n");
}

static void h2(rep *R, const char *id, const char *title)
{
    als_sbuf_printf(&R->html, "<h2 id=\"%s\">", id);
    sb_html(&R->html, title);
    als_sbuf_puts(&R->html, "</h2>\n");
    als_sbuf_printf(&R->md, "## %s\n\n", title);
}

static void para(rep *R, const char *text)
{
    als_sbuf_puts(&R->html, "<p>");
    sb_html(&R->html, text);
    als_sbuf_puts(&R->html, "</p>\n");
    sb_md(&R->md, text);
    als_sbuf_puts(&R->md, "\n\n");
}

/* Two-column key/value table from y entries with the given prefix (prefix stripped). */
static void kv_table(rep *R, const als_yflat *y, const char *prefix, const char *const *skip, const char *cls)
{
    static const char *const head[2] = {"setting", "value"};
    table t;
    bool any = false;
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < y->n; i++) {
        const als_yentry *e = &y->e[i];
        if (e->item || strncmp(e->key, prefix, pl) != 0)
            continue;
        bool skipped = false;
        for (const char *const *s = skip; s && *s && !skipped; s++) {
            size_t sl = strlen(*s);
            skipped = strncmp(e->key, *s, sl) == 0 && (e->key[sl] == '\0' || e->key[sl] == '.' || e->key[sl] == '[');
        }
        if (skipped || !e->value[0] || strcmp(e->value, "null") == 0)
            continue; /* unset options (empty or null) are left out */
        if (!any) {
            t_begin(&t, R, cls, "ll", head, 2);
            any = true;
        }
        const char *row[2] = {e->key + pl, e->value[0] ? e->value : "—"};
        if (e->list) {
            char v[2048];
            snprintf(v, sizeof v, "[%s]", e->value);
            const char *row2[2] = {e->key + pl, v};
            t_row(&t, NULL, row2);
        } else {
            t_row(&t, NULL, row);
        }
    }
    if (any)
        t_end(&t);
}

static void section_summary(rep *R)
{
    const als_results *r = R->r;
    const als_rcell *b = &r->cells[0];
    char ml[64], lab[200], txt[1024];
    num_t m, s;
    als_metric_label(ml, sizeof ml, r->metric);
    als_rgrid_config_label(&R->G, b, lab, sizeof lab);
    als_sbuf_puts(&R->html, "<div class=\"card\">\n<div class=\"big\">");
    als_sbuf_printf(&R->html, "<span class=\"k\">best cell</span> rank <b>%g</b>, regParam <b>%g</b>, maxIter <b>%g</b>",
              b->rank, b->regParam, b->maxIter);
    if (R->G.vary_alpha || b->implicitPrefs)
        als_sbuf_printf(&R->html, ", alpha <b>%g</b>", b->alpha);
    if (b->implicitPrefs)
        als_sbuf_puts(&R->html, ", implicit");
    if (b->nonnegative)
        als_sbuf_puts(&R->html, ", nonnegative");
    if (b->bias)
        als_sbuf_puts(&R->html, ", biases");
    als_sbuf_puts(&R->html, "</div>\n<div class=\"stats\">");
    snprintf(txt, sizeof txt, "%s ± %s", fmt_metric(m, b->mean), fmt_metric(s, b->std));
    als_sbuf_puts(&R->html, "<div><span class=\"k\">CV ");
    sb_html(&R->html, ml);
    als_sbuf_printf(&R->html, ", mean ± std over %ld folds</span><span class=\"v\">", b->n_folds);
    sb_html(&R->html, txt);
    als_sbuf_puts(&R->html, "</span></div>");
    als_sbuf_printf(&R->md, "**Best cell:** rank %g, regParam %g, maxIter %g", b->rank, b->regParam, b->maxIter);
    if (R->G.vary_alpha || b->implicitPrefs)
        als_sbuf_printf(&R->md, ", alpha %g", b->alpha);
    als_sbuf_printf(&R->md, " — CV %s %s ± %s over %ld folds", ml, fmt_metric(m, b->mean), fmt_metric(s, b->std), b->n_folds);
    const char *tv = r->has_best ? als_yflat_get(&r->best, "test.value") : NULL;
    const char *tn = r->has_best ? als_yflat_get(&r->best, "test.n_test") : NULL;
    if (r->selected > 0) { /* select: one_se refit another cell than the best: the holdout is its */
        const als_rcell *c = &r->cells[r->selected];
        als_sbuf_printf(&R->html, "<div><span class=\"k\">selected (one standard error rule), refit</span>"
                                  "<span class=\"v\">rank %g, regParam %g, maxIter %g: %s</span></div>",
                        c->rank, c->regParam, c->maxIter, fmt_metric(m, c->mean));
        als_sbuf_printf(&R->md, "; **selected** by the one-standard-error rule and refit: rank %g, regParam %g, maxIter "
                                "%g, CV %s", c->rank, c->regParam, c->maxIter, fmt_metric(m, c->mean));
    }
    double tval;
    if (tv && als_str_to_double(tv, &tval)) {
        num_t c;
        als_sbuf_printf(&R->html, "<div><span class=\"k\">holdout test %s%s%s</span><span class=\"v\">%s</span></div>", ml,
                  tn ? ", n = " : "", tn ? fmt_count_str(c, tn) : "", fmt_metric(m, tval));
        als_sbuf_printf(&R->md, "; holdout test %s %s", ml, fmt_metric(m, tval));
        if (tn)
            als_sbuf_printf(&R->md, " (%s ratings)", fmt_count_str(c, tn));
    }
    if (r->has_trials)
        als_sbuf_printf(&R->html, "<div><span class=\"k\">search</span><span class=\"v\">%zu trials, %zu cells</span></div>",
                        r->ntrials, r->ncells);
    else
        als_sbuf_printf(&R->html, "<div><span class=\"k\">grid</span><span class=\"v\">%zu cells</span></div>", r->ncells);
    als_sbuf_puts(&R->html, "</div>\n</div>\n");
    als_sbuf_puts(&R->md, ".\n\n");
}

/* issue 12 item 5: the chosen cell on the edge of the searched range, or still improving
 * (als_results_warnings; the rule is in docs/report.md). Nothing when there is nothing to say. */
static void section_warnings(rep *R)
{
    als_rwarn *w = R->info->warnings;
    size_t n = R->info->n_warnings = als_results_warnings(R->r, w);
    if (n == 0)
        return;
    als_sbuf_puts(&R->html, "<section class=\"warn\" id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
    als_sbuf_puts(&R->md, "## Warnings\n\n");
    for (size_t i = 0; i < n; i++) {
        als_sbuf_puts(&R->html, "<li>");
        sb_html(&R->html, w[i].text);
        als_sbuf_puts(&R->html, "</li>\n");
        als_sbuf_puts(&R->md, "- **Warning:** ");
        sb_md(&R->md, w[i].text);
        als_sbuf_puts(&R->md, "\n");
    }
    als_sbuf_puts(&R->html, "</ul>\n</section>\n");
    als_sbuf_puts(&R->md, "\n");
}

static void section_experiment(rep *R)
{
    const als_results *r = R->r;
    h2(R, "experiment", "Experiment");
    if (!r->has_experiment) {
        para(R, "experiment.yaml is missing from the results folder: the setup cannot be shown.");
    } else {
        als_sbuf_puts(&R->html, "<div class=\"cols\"><div>\n<h3>Setup</h3>\n");
        als_sbuf_puts(&R->md, "### Setup\n\n");
        static const char *const skip[] = {"name",       "dataset",   "grid",      "fingerprint", "als.rank",
                                           "als.regParam", "als.maxIter", "als.alpha", "als.implicitPrefs",
                                           "als.nonnegative", "als.bias", NULL};
        kv_table(R, &r->experiment, "", skip, "kv");
        als_sbuf_puts(&R->html, "</div><div>\n");
    }
    if (!r->has_experiment)
        als_sbuf_puts(&R->html, "<div class=\"cols\"><div>\n");
    /* grid (or a sampled search's space), from summary.csv and experiment.yaml */
    als_sbuf_puts(&R->html, r->has_trials ? "<h3>Search space</h3>\n" : "<h3>Grid</h3>\n");
    als_sbuf_puts(&R->md, r->has_trials ? "### Search space\n\n" : "### Grid\n\n");
    static const char *const gh[3] = {"axis", "values", "n"};
    table t;
    t_begin(&t, R, "kv", "llr", gh, 3);
    const als_raxis *ax[4] = {&R->G.rank, &R->G.reg, &R->G.mi, &R->G.alpha};
    const char *an[4] = {"rank", "regParam", "maxIter", "alpha"};
    for (int a = 0; a < 4; a++) {
        if (a == 3 && (isnan(ax[a]->v[0]) && ax[a]->n == 1))
            continue;
        char vals[2048] = "";
        size_t k = 0;
        char key[48];
        snprintf(key, sizeof key, "als.%s.min", an[a]);
        const char *dmin = r->has_trials && r->has_experiment ? als_yflat_get(&r->experiment, key) : NULL;
        snprintf(key, sizeof key, "als.%s.max", an[a]);
        const char *dmax = r->has_trials && r->has_experiment ? als_yflat_get(&r->experiment, key) : NULL;
        snprintf(key, sizeof key, "als.%s.log", an[a]);
        const char *dlog = dmin && dmax ? als_yflat_get(&r->experiment, key) : NULL;
        if (dmin && dmax) /* a distribution: its bounds, and the range the trials drew */
            snprintf(vals, sizeof vals, "sampled %s[%s, %s]; drawn %g to %g",
                     dlog && strcmp(dlog, "true") == 0 ? "log-uniform " : "", dmin, dmax, ax[a]->v[0],
                     ax[a]->v[ax[a]->n - 1]);
        else
            for (size_t i = 0; i < ax[a]->n && k < sizeof vals - 40; i++)
                k += (size_t)snprintf(vals + k, sizeof vals - k, "%s%g", i ? ", " : "", ax[a]->v[i]);
        char n[16];
        snprintf(n, sizeof n, "%zu", ax[a]->n);
        const char *row[3] = {an[a], vals, n};
        t_row(&t, NULL, row);
    }
    bool imp_any = false, nn_any = false, bias_any = false;
    for (size_t i = 0; i < R->r->ncells; i++) {
        imp_any |= R->r->cells[i].implicitPrefs;
        nn_any |= R->r->cells[i].nonnegative;
        bias_any |= R->r->cells[i].bias;
    }
    const char *bn[3] = {"implicitPrefs", "nonnegative", "bias"};
    bool bv[3] = {R->G.vary_imp, R->G.vary_nn, R->G.vary_bias}, ba[3] = {imp_any, nn_any, bias_any};
    for (int a = 0; a < 3; a++) {
        const char *row[3] = {bn[a], bv[a] ? "false, true" : ba[a] ? "true" : "false", bv[a] ? "2" : "1"};
        t_row(&t, NULL, row);
    }
    char ncells[32], nf[32], ntr[32];
    if (r->has_trials) {
        snprintf(ntr, sizeof ntr, "%zu", r->ntrials);
        const char *rowt[3] = {"trials", "", ntr};
        t_row(&t, NULL, rowt);
    }
    snprintf(ncells, sizeof ncells, "%zu", r->ncells);
    const char *rowc[3] = {"cells", "", ncells};
    t_row(&t, NULL, rowc);
    snprintf(nf, sizeof nf, "%ld", r->cells[0].n_folds);
    const char *rowf[3] = {"folds", "", nf};
    t_row(&t, NULL, rowf);
    t_end(&t);

    /* data set */
    als_sbuf_puts(&R->html, "<h3>Data set</h3>\n");
    als_sbuf_puts(&R->md, "### Data set\n\n");
    static const struct { const char *key, *label; } ds[] = {
        {"dataset.n_ratings", "ratings"},
        {"dataset.n_users", "users"},
        {"dataset.n_items", "items (movies)"},
        {"dataset.n_train", "ratings for cross-validation"},
        {"dataset.n_test", "holdout test ratings"},
        {"dataset.n_duplicates", "duplicates removed"},
        {"dataset.n_bad_lines", "bad lines skipped"}};
    static const char *const dh[2] = {"statistic", "value"};
    bool any = false;
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        const char *v = r->has_experiment ? als_yflat_get(&r->experiment, ds[i].key) : NULL;
        if (!v)
            continue;
        if (!any)
            t_begin(&t, R, "kv", "lr", dh, 2);
        any = true;
        num_t c;
        const char *row[2] = {ds[i].label, fmt_count_str(c, v)};
        t_row(&t, NULL, row);
    }
    double nr, nu, ni;
    const char *snr = r->has_experiment ? als_yflat_get(&r->experiment, "dataset.n_ratings") : NULL;
    const char *snu = r->has_experiment ? als_yflat_get(&r->experiment, "dataset.n_users") : NULL;
    const char *sni = r->has_experiment ? als_yflat_get(&r->experiment, "dataset.n_items") : NULL;
    if (any && snr && snu && sni && als_str_to_double(snr, &nr) && als_str_to_double(snu, &nu) &&
        als_str_to_double(sni, &ni) && nu > 0 && ni > 0) {
        char dens[64];
        snprintf(dens, sizeof dens, "%.2f%%", 100.0 * nr / (nu * ni));
        const char *row[2] = {"density (ratings / users × items)", dens};
        t_row(&t, NULL, row);
        snprintf(dens, sizeof dens, "%.1f", nr / nu);
        const char *row2[2] = {"ratings per user (mean)", dens};
        t_row(&t, NULL, row2);
    }
    if (!any && r->has_folds && r->nfold_rows > 0) {
        /* fall back on the fold sizes */
        t_begin(&t, R, "kv", "lr", dh, 2);
        any = true;
        const als_rfold *f = &r->folds[0];
        num_t c;
        const char *row[2] = {"ratings for cross-validation (fold 0: train + valid + dropped)",
                              fmt_count(c, f->n_train + f->n_valid + f->n_dropped)};
        t_row(&t, NULL, row);
        const char *tn = r->has_best ? als_yflat_get(&r->best, "test.n_test") : NULL;
        if (tn) {
            const char *row2[2] = {"holdout test ratings", fmt_count_str(c, tn)};
            t_row(&t, NULL, row2);
        }
    }
    if (any)
        t_end(&t);
    else
        para(R, "No data set statistics: experiment.yaml has no dataset: section and folds.csv is missing.");
    als_sbuf_puts(&R->html, "</div></div>\n");
}

static void section_figures(rep *R)
{
    h2(R, "figures", "Figures");
    int num = 0;
    for (int k = 0; k < R->nfig; k++) {
        figure *f = &R->fig[k];
        if (!f->drawn)
            continue;
        num++;
        als_sbuf_printf(&R->html, "<figure class=\"plot\" id=\"fig-%s\">\n", f->name);
        als_sbuf_puts(&R->html, f->svg);
        als_sbuf_printf(&R->html, "\n<figcaption><b>Figure %d. ", num);
        sb_html(&R->html, f->title);
        als_sbuf_puts(&R->html, ".</b> ");
        sb_html(&R->html, f->caption);
        als_sbuf_puts(&R->html, "</figcaption>\n</figure>\n");
        als_sbuf_printf(&R->md, "![Figure %d: %s](plots/%s.svg)\n\n*Figure %d. %s.* ", num, f->title, f->name, num,
                  f->title);
        sb_md(&R->md, f->caption);
        als_sbuf_puts(&R->md, "\n\n");
    }
    if (R->info->n_plots == 0)
        para(R, "No figures (see the notes above).");
}

/* issue 12 item 5: the importance table (docs/report.md "Parameter importance"). */
static void section_importance(rep *R)
{
    const als_rimportance *m = &R->imp;
    if (m->np == 0)
        return;
    h2(R, "importance", "Parameter importance");
    static const char *const head[5] = {"parameter", "bins", "η²", "chance level (bins−1)/(n−1)", "importance"};
    table t;
    t_begin(&t, R, "imp", "lrrrr", head, 5);
    for (size_t k = 0; k < m->np; k++) {
        char b[32], e[32], c[32], s[32];
        snprintf(b, sizeof b, "%zu", m->p[k].bins);
        snprintf(e, sizeof e, "%.3f", m->p[k].eta2);
        snprintf(c, sizeof c, "%.3f", (double)(m->p[k].bins - 1) / (double)(m->n_trials - 1));
        if (isfinite(m->p[k].share))
            snprintf(s, sizeof s, "%.3f", m->p[k].share);
        else
            snprintf(s, sizeof s, "—");
        const char *row[5] = {m->p[k].name, b, e, c, s};
        t_row(&t, NULL, row);
    }
    t_end(&t);
    char txt[1024];
    snprintf(txt, sizeof txt,
             "Variance of binned marginals over the %zu completed %s with a finite value: a parameter's trials are "
             "put in bins (one per value when it took at most %zu values, else %zu bins of equal count by rank), "
             "η² = Σ_b n_b (ȳ_b − ȳ)² / Σ_i (y_i − ȳ)² is the share of the variance of the CV values explained "
             "by the bin means, and the importance is η² / Σ η² over the parameters (summing to 1). A parameter "
             "with no effect still gets η² near the chance level by noise; interactions are credited to every "
             "parameter involved. Not a CSV: the numbers are in this table and in plots/importance.gp.",
             m->n_trials, R->r->has_trials ? "trials" : "cells (each cell a trial)", m->max_bins, m->max_bins);
    para(R, txt);
}

/* issue 13: what "≈ best" means, and which cell the selection rule refit (docs/report.md). */
static void stats_note(rep *R)
{
    const als_results *r = R->r;
    const char *test = r->has_best ? als_yflat_get(&r->best, "statistics.test") : NULL;
    const char *level = r->has_best ? als_yflat_get(&r->best, "statistics.level") : NULL;
    const char *rule = r->has_best ? als_yflat_get(&r->best, "selection.rule") : NULL;
    const char *tname = !test                        ? "a paired test"
                        : !strcmp(test, "paired_t")  ? "the paired t-test"
                        : !strcmp(test, "wilcoxon")  ? "the Wilcoxon signed-rank test"
                                                     : "the corrected resampled t-test (Nadeau–Bengio)";
    size_t neq = 0;
    for (size_t i = 0; i < r->ncells; i++)
        neq += r->cells[i].equivalent_to_best == 1;
    char txt[1024];
    snprintf(txt, sizeof txt,
             "≈ best: not significantly different from the best cell by %s over the %ld folds, p-values "
             "Holm-adjusted over the cells, at level %s: %zu of %zu cells, the best included. \"Not "
             "significant\" is not \"equal\": with few folds the tests have little power.",
             tname, r->cells[0].n_folds, level ? level : "0.05", neq, r->ncells);
    para(R, txt);
    if (r->selected >= 0 && rule && !strcmp(rule, "one_se")) {
        const als_rcell *c = &r->cells[r->selected];
        num_t a, b;
        snprintf(txt, sizeof txt,
                 "select: one_se — among the cells within one standard error (%s) of the best mean, the simplest "
                 "(smaller rank, then larger regParam, then fewer iterations): position %ld, rank %g, regParam %g, "
                 "maxIter %g, CV %s. best.yaml and the model are this cell's.",
                 fmt_metric(a, r->cells[0].se), c->position, c->rank, c->regParam, c->maxIter, fmt_metric(b, c->mean));
        para(R, txt);
    }
}

static void section_top(rep *R)
{
    const als_results *r = R->r;
    const als_rgrid *G = &R->G;
    size_t n = r->ncells < 10 ? r->ncells : 10;
    char ml[64], title[128];
    als_metric_label(ml, sizeof ml, r->metric);
    snprintf(title, sizeof title, "Top %zu cells", n);
    h2(R, "top", title);
    const char *head[16];
    char align[17];
    int nc = 0;
    char h_mean[96], h_delta[96];
    snprintf(h_mean, sizeof h_mean, "CV %s mean ± std", ml);
    snprintf(h_delta, sizeof h_delta, "Δ vs best");
    bool is_rmse = strcasecmp(r->metric, "rmse") == 0, is_mae = strcasecmp(r->metric, "mae") == 0;
    bool show_rmse = !is_rmse, show_mae = !is_mae;
    for (size_t i = 0; i < n; i++) {
        show_rmse &= !isnan(r->cells[i].mean_rmse) || i > 0;
        show_mae &= !isnan(r->cells[i].mean_mae) || i > 0;
    }
    if (isnan(r->cells[0].mean_rmse))
        show_rmse = false;
    if (isnan(r->cells[0].mean_mae))
        show_mae = false;
#define COL(h, a) (head[nc] = (h), align[nc++] = (a))
    COL("#", 'r');
    COL("rank", 'r');
    COL("regParam", 'r');
    COL("maxIter", 'r');
    if (G->vary_alpha)
        COL("alpha", 'r');
    if (G->vary_imp)
        COL("implicitPrefs", 'l');
    if (G->vary_nn)
        COL("nonnegative", 'l');
    if (G->vary_bias)
        COL("bias", 'l');
    COL(h_mean, 'r');
    COL("min", 'r');
    COL("max", 'r');
    COL(h_delta, 'r');
    if (show_rmse)
        COL("mean RMSE", 'r');
    if (show_mae)
        COL("mean MAE", 'r');
    if (r->has_stats) {
        COL("p (Holm)", 'r');
        COL("≈ best", 'l');
    }
#undef COL
    align[nc] = '\0';
    table t;
    t_begin(&t, R, "data", align, head, nc);
    for (size_t i = 0; i < n; i++) {
        const als_rcell *c = &r->cells[i];
        char buf[16][64];
        const char *row[16];
        int k = 0;
        num_t a, b;
        snprintf(buf[k], 64, "%ld", c->position), k++;
        snprintf(buf[k], 64, "%g", c->rank), k++;
        snprintf(buf[k], 64, "%g", c->regParam), k++;
        snprintf(buf[k], 64, "%g", c->maxIter), k++;
        if (G->vary_alpha)
            snprintf(buf[k], 64, "%g", c->alpha), k++;
        if (G->vary_imp)
            snprintf(buf[k], 64, "%s", c->implicitPrefs ? "true" : "false"), k++;
        if (G->vary_nn)
            snprintf(buf[k], 64, "%s", c->nonnegative ? "true" : "false"), k++;
        if (G->vary_bias)
            snprintf(buf[k], 64, "%s", c->bias ? "true" : "false"), k++;
        snprintf(buf[k], 64, "%.24s ± %.24s", fmt_metric(a, c->mean), fmt_metric(b, c->std)), k++;
        snprintf(buf[k], 64, "%s", fmt_metric(a, c->min)), k++;
        snprintf(buf[k], 64, "%s", fmt_metric(a, c->max)), k++;
        if (i == 0)
            snprintf(buf[k], 64, "—"), k++;
        else
            snprintf(buf[k], 64, "%+.4f", c->mean - r->cells[0].mean), k++;
        if (show_rmse)
            snprintf(buf[k], 64, "%s", fmt_metric(a, c->mean_rmse)), k++;
        if (show_mae)
            snprintf(buf[k], 64, "%s", fmt_metric(a, c->mean_mae)), k++;
        if (r->has_stats) {
            if (i == 0)
                snprintf(buf[k], 64, "—"), k++;
            else if (isnan(c->p_holm))
                snprintf(buf[k], 64, "n/a"), k++;
            else
                snprintf(buf[k], 64, "%.3g", c->p_holm), k++;
            snprintf(buf[k], 64, "%s%s", c->equivalent_to_best == 1 ? "yes" : "no",
                     c->selected == 1 ? ", selected" : ""), k++;
        }
        for (int j = 0; j < k; j++)
            row[j] = buf[j];
        t_row(&t, i == 0 ? "best" : c->selected == 1 ? "sel" : NULL, row);
    }
    t_end(&t);
    if (r->has_stats)
        stats_note(R);
    char txt[512];
    snprintf(txt, sizeof txt,
             "Sorted best first (%s is better); std is the sample standard deviation over folds (n − 1); "
             "all %zu cells are in summary.csv.",
             r->higher_is_better ? "higher" : "lower", r->ncells);
    para(R, txt);
}

/* ---- issue 13: the cells indistinguishable from the best, the seed-to-seed spread (replicates),
 * nested CV (split.outerFolds); docs/report.md "Statistics" ------------------------------------- */

/* "rank 10, λ 0.1, maxIter 20" (plus the other axes that vary). */
static void cell_label(rep *R, const als_rcell *c, char *out, size_t n)
{
    char lab[200];
    als_rgrid_config_label(&R->G, c, lab, sizeof lab);
    snprintf(out, n, "%s, maxIter %g", lab, c->maxIter);
}

/* One sentence naming every cell with equivalent_to_best = 1 (the first 20; summary.csv has all). */
static void cv_equivalents(rep *R)
{
    const als_results *r = R->r;
    size_t neq = 0;
    for (size_t i = 0; i < r->ncells; i++)
        neq += r->cells[i].equivalent_to_best == 1;
    if (neq == 0)
        return;
    als_sbuf b = {0};
    if (neq == 1) {
        als_sbuf_puts(&b, "No other cell is indistinguishable from the best: every other cell's fold scores differ "
                          "significantly from the best cell's.");
    } else {
        als_sbuf_printf(&b, "Indistinguishable from the best (≈ best, %zu cells): ", neq);
        size_t shown = 0;
        for (size_t i = 0; i < r->ncells && shown < 20; i++) {
            const als_rcell *c = &r->cells[i];
            if (c->equivalent_to_best != 1)
                continue;
            char lab[256];
            cell_label(R, c, lab, sizeof lab);
            num_t m;
            als_sbuf_printf(&b, "%s#%ld (%s), %s", shown ? "; " : "", c->position, lab, fmt_metric(m, c->mean));
            if (i == 0)
                als_sbuf_puts(&b, ", the best");
            else if (!isnan(c->p_holm))
                als_sbuf_printf(&b, ", Δ %+.4g, p (Holm) %.3g", c->mean - r->cells[0].mean, c->p_holm);
            if (c->selected == 1)
                als_sbuf_puts(&b, ", selected");
            shown++;
        }
        if (neq > shown)
            als_sbuf_printf(&b, "; and %zu more (summary.csv, equivalent_to_best = 1)", neq - shown);
        als_sbuf_puts(&b, ". Any of them could be the best on other data; the differences between them are within "
                          "what the folds can resolve.");
    }
    if (b.s && !b.oom)
        para(R, b.s);
    free(b.s);
}

/* replicates > 1: each cell's seed-to-seed spread (summary.csv seed_std) beside the fold-to-fold
 * std and the differences between cells, and the best − runner-up gap against it. */
static void cv_seed_spread(rep *R)
{
    const als_results *r = R->r;
    bool any = false;
    for (size_t i = 0; i < r->ncells; i++)
        any |= !isnan(r->cells[i].seed_std);
    if (!any)
        return;
    const char *nrep = r->has_best ? als_yflat_get(&r->best, "replicates.n") : NULL;
    char ml[64], h_mean[96], txt[1024];
    als_metric_label(ml, sizeof ml, r->metric);
    snprintf(h_mean, sizeof h_mean, "CV %s mean ± std (folds)", ml);
    als_sbuf_puts(&R->html, "<h3>Seed-to-seed spread (replicates)</h3>\n");
    als_sbuf_puts(&R->md, "### Seed-to-seed spread (replicates)\n\n");
    const char *head[5] = {"#", "cell", h_mean, "Δ vs best", "seed std"};
    table t;
    t_begin(&t, R, "data", "rlrrr", head, 5);
    size_t n = r->ncells < 10 ? r->ncells : 10;
    double sum = 0;
    size_t nfin = 0;
    for (size_t i = 0; i < r->ncells; i++)
        if (isfinite(r->cells[i].seed_std))
            sum += r->cells[i].seed_std, nfin++;
    for (size_t i = 0; i < n; i++) {
        const als_rcell *c = &r->cells[i];
        char pos[32], lab[256], ms[112], dl[48], ss[48];
        num_t a, b;
        snprintf(pos, sizeof pos, "%ld", c->position);
        cell_label(R, c, lab, sizeof lab);
        snprintf(ms, sizeof ms, "%.24s ± %.24s", fmt_metric(a, c->mean), fmt_metric(b, c->std));
        if (i == 0)
            snprintf(dl, sizeof dl, "—");
        else
            snprintf(dl, sizeof dl, "%+.4g", c->mean - r->cells[0].mean);
        snprintf(ss, sizeof ss, "%.4g", c->seed_std);
        const char *row[5] = {pos, lab, ms, dl, ss};
        t_row(&t, i == 0 ? "best" : c->selected == 1 ? "sel" : NULL, row);
    }
    t_end(&t);
    const als_rcell *b0 = &r->cells[0];
    int w = snprintf(txt, sizeof txt,
                     "Each fold score is the mean of %s trainings from different seeds (replicates); seed std is "
                     "the sample std over those seeds of one fold score, averaged over the cell's folds "
                     "(summary.csv seed_std; %.4g averaged over all %zu cells).",
                     nrep ? nrep : "N", nfin ? sum / (double)nfin : NAN, nfin);
    if (r->ncells > 1 && w > 0 && (size_t)w < sizeof txt) {
        const als_rcell *b1 = &r->cells[1];
        double gap = fabs(b1->mean - b0->mean), sd = fmax(b0->seed_std, b1->seed_std);
        snprintf(txt + w, sizeof txt - (size_t)w,
                 " The best and the runner-up differ by %.4g, %s the larger seed std of the two (%.4g)%s; the "
                 "best cell's fold-to-fold std is %.4g.",
                 gap, gap < sd ? "less than" : "more than", sd,
                 gap < sd ? ": their order is partly initialisation noise (averaging N seeds divides that part "
                            "of a fold score's variance by N)"
                          : ": the order is not an artefact of the initial factors alone",
                 b0->std);
    }
    para(R, txt);
}

/* split.outerFolds: the nested estimate beside the optimistic inner best, and the per-outer-fold
 * table of nested.csv. */
static void cv_nested(rep *R)
{
    const als_results *r = R->r;
    if (!r->has_nested)
        return;
    char ml[64], txt[1400];
    als_metric_label(ml, sizeof ml, r->metric);
    h2(R, "nested", "Nested cross-validation");
    size_t K = r->nnested;
    double so = 0, si = 0, vo = 0, vi = 0;
    for (size_t i = 0; i < K; i++)
        so += r->nested[i].outer_score, si += r->nested[i].inner_best;
    so /= (double)K, si /= (double)K;
    for (size_t i = 0; i < K; i++) {
        vo += (r->nested[i].outer_score - so) * (r->nested[i].outer_score - so);
        vi += (r->nested[i].inner_best - si) * (r->nested[i].inner_best - si);
    }
    double sdo = K > 1 ? sqrt(vo / (double)(K - 1)) : NAN, sdi = K > 1 ? sqrt(vi / (double)(K - 1)) : NAN;
    const char *sel = r->has_best ? als_yflat_get(&r->best, "nested.select") : NULL;
    num_t a, b, c, e, f;
    snprintf(txt, sizeof txt,
             "Nested estimate (%zu outer folds, select: %s): %s %s ± %s (mean ± std over the outer folds), beside the "
             "optimistic inner best %s ± %s (the chosen cells' inner CV mean) and this run's CV best %s. For each "
             "outer fold the whole search ran on the other outer folds only (outer/<i>/), its chosen cell was "
             "refit there and scored once on the outer fold, which the search never saw.",
             K, sel ? sel : "best", ml, fmt_metric(a, so), fmt_metric(b, sdo), fmt_metric(c, si), fmt_metric(e, sdi),
             fmt_metric(f, r->cells[0].mean));
    para(R, txt);
    char h_in[96], h_out[96];
    snprintf(h_in, sizeof h_in, "inner best %s ± std", ml);
    snprintf(h_out, sizeof h_out, "outer %s", ml);
    const char *head[6] = {"outer fold", "chosen cell", h_in, h_out, "n_train", "n_test"};
    table t;
    t_begin(&t, R, "data", "rlrrrr", head, 6);
    for (size_t i = 0; i < K; i++) {
        const als_rnested *x = &r->nested[i];
        als_rcell cc;
        memset(&cc, 0, sizeof cc);
        cc.rank = x->rank, cc.regParam = x->regParam, cc.maxIter = x->maxIter, cc.alpha = x->alpha;
        cc.implicitPrefs = x->implicitPrefs, cc.nonnegative = x->nonnegative, cc.bias = x->bias;
        char of[32], lab[256], ib[112];
        num_t p, q, n1, n2;
        snprintf(of, sizeof of, "%ld", x->outer_fold);
        cell_label(R, &cc, lab, sizeof lab);
        snprintf(ib, sizeof ib, "%.24s ± %.24s", fmt_metric(p, x->inner_best), fmt_metric(q, x->inner_std));
        const char *row[6] = {of, lab, ib, fmt_metric(a, x->outer_score), fmt_count(n1, x->n_train),
                              fmt_count(n2, x->n_test)};
        t_row(&t, NULL, row);
    }
    num_t m1, m2, s1, s2;
    char im[112], om[112];
    snprintf(im, sizeof im, "%.24s ± %.24s", fmt_metric(m1, si), fmt_metric(s1, sdi));
    snprintf(om, sizeof om, "%.24s ± %.24s", fmt_metric(m2, so), fmt_metric(s2, sdo));
    const char *row[6] = {"mean ± std", "", im, om, "", ""};
    t_row(&t, "best", row);
    t_end(&t);
    bool better = als_results_better(r, so, si);
    snprintf(txt, sizeof txt,
             "The inner best is optimistic: each chosen cell won on those very folds. The outer score is the "
             "honest estimate of the tuning procedure's error. Here the nested estimate is %s than the inner best%s.",
             better ? "better" : "worse",
             better ? ": each outer refit trains on more ratings than an inner fold does, and on a learning curve "
                      "that still improves with data that effect outweighs the selection optimism (docs/statistics.md)"
                    : ", by the selection optimism and the spread between outer folds");
    para(R, txt);
}

/* The three, after the Top cells table (one call in als_report_write). */
static void section_cv_statistics(rep *R)
{
    if (R->r->has_stats)
        cv_equivalents(R);
    cv_seed_spread(R);
    cv_nested(R);
}

/* "0.9218 (95 % CI 0.9114 – 0.9314)" from best.yaml's test_ci.<name>_lo/_hi; just v without them. */
static const char *with_ci(rep *R, char *out, size_t n, const char *v, const char *name)
{
    const als_results *r = R->r;
    char k[64];
    snprintf(k, sizeof k, "test_ci.%s_lo", name);
    const char *lo = als_yflat_get(&r->best, k);
    snprintf(k, sizeof k, "test_ci.%s_hi", name);
    const char *hi = als_yflat_get(&r->best, k);
    double l, h;
    if (!lo || !hi || !als_str_to_double(lo, &l) || !als_str_to_double(hi, &h) || isnan(l) || isnan(h))
        return v;
    num_t a, b;
    snprintf(out, n, "%s (95 %% CI %s – %s)", v, fmt_metric(a, l), fmt_metric(b, h));
    return out;
}

static void section_best(rep *R)
{
    const als_results *r = R->r;
    const als_rcell *b = &r->cells[0];
    char ml[64];
    als_metric_label(ml, sizeof ml, r->metric);
    h2(R, "best", "Best cell");
    table t;
    /* per fold */
    if (r->has_folds) {
        static const char *const head[5] = {"fold", "value", "n_train", "n_valid", "n_dropped"};
        char hv[96];
        snprintf(hv, sizeof hv, "validation %s", ml);
        const char *h[5] = {head[0], hv, head[2], head[3], head[4]};
        bool any = false;
        for (size_t i = 0; i < r->nfold_rows; i++) {
            const als_rfold *f = &r->folds[i];
            if (f->cell != b->cell)
                continue;
            if (!any) {
                als_sbuf_puts(&R->html, "<div class=\"cols\"><div>\n<h3>Cross-validation folds</h3>\n");
                als_sbuf_puts(&R->md, "### Cross-validation folds\n\n");
                t_begin(&t, R, "data", "rrrrr", h, 5);
            }
            any = true;
            num_t a, n1, n2, n3;
            char fold[32];
            snprintf(fold, sizeof fold, "%ld", f->fold);
            const char *row[5] = {fold, fmt_metric(a, f->value), fmt_count(n1, f->n_train), fmt_count(n2, f->n_valid),
                                  fmt_count(n3, f->n_dropped)};
            t_row(&t, NULL, row);
        }
        if (any) {
            num_t a, s;
            char ms[96];
            snprintf(ms, sizeof ms, "%.24s ± %.24s", fmt_metric(a, b->mean), fmt_metric(s, b->std));
            const char *row[5] = {"mean ± std", ms, "", "", ""};
            t_row(&t, "best", row);
            t_end(&t);
            als_sbuf_puts(&R->html, "</div><div>\n");
        } else {
            als_sbuf_puts(&R->html, "<div class=\"cols\"><div>\n");
        }
    } else {
        als_sbuf_puts(&R->html, "<div class=\"cols\"><div>\n");
    }
    als_sbuf_puts(&R->html, "<h3>Holdout test set</h3>\n");
    als_sbuf_puts(&R->md, "### Holdout test set\n\n");
    const char *tv = r->has_best ? als_yflat_get(&r->best, "test.value") : NULL;
    if (!r->has_best) {
        para(R, "best.yaml is missing: no holdout metrics.");
    } else if (!tv && !als_yflat_get(&r->best, "test.rmse")) {
        para(R, "No holdout test set (testFraction is 0): the CV estimate is the only one.");
    } else {
        static const char *const head[2] = {"metric", "value"};
        t_begin(&t, R, "kv", "lr", head, 2);
        static const struct { const char *key, *label; bool count; } tm[] = {
            {"test.n_test", "test ratings", true}, {"test.n_dropped", "dropped (cold start)", true},
            {"test.rmse", "RMSE", false},          {"test.mae", "MAE", false},
            {"test.mse", "MSE", false},            {"test.r2", "R²", false}};
        for (size_t i = 0; i < sizeof tm / sizeof tm[0]; i++) {
            const char *v = als_yflat_get(&r->best, tm[i].key);
            if (!v)
                continue;
            num_t a;
            double x;
            const char *shown = tm[i].count ? fmt_count_str(a, v)
                                : als_str_to_double(v, &x) ? fmt_metric(a, x)
                                                                 : v;
            char withci[160];
            if (!tm[i].count) /* issue 13: best.yaml's bootstrap interval, when there is one */
                shown = with_ci(R, withci, sizeof withci, shown, tm[i].key + 5);
            const char *row[2] = {tm[i].label, shown};
            t_row(&t, NULL, row);
        }
        const char *tm_name = als_yflat_get(&r->best, "test.metric");
        double x;
        if (tv && tm_name && strcasecmp(tm_name, "rmse") && strcasecmp(tm_name, "mae") && strcasecmp(tm_name, "mse") &&
            strcasecmp(tm_name, "r2") && als_str_to_double(tv, &x)) {
            char lab[64];
            num_t a;
            als_metric_label(lab, sizeof lab, tm_name);
            char withci[160];
            const char *row[2] = {lab, with_ci(R, withci, sizeof withci, fmt_metric(a, x), "value")};
            t_row(&t, NULL, row);
        }
        t_end(&t);
        const char *tr = als_yflat_get(&r->best, "refit.train_rmse");
        const char *nt = als_yflat_get(&r->best, "refit.n_train");
        const char *model = als_yflat_get(&r->best, "model");
        char txt[1024];
        num_t a, c;
        if (tr && als_str_to_double(tr, &x)) {
            snprintf(txt, sizeof txt,
                     "The %s was refit on all %s non-test ratings (training RMSE %s) and evaluated once on the "
                     "holdout set%s%s%s.",
                     r->selected > 0 ? "selected cell (select: one_se; see Top cells)" : "best cell",
                     nt ? fmt_count_str(c, nt) : "", fmt_metric(a, x), model ? "; model folder: " : "",
                     model ? model : "", model ? "/" : "");
            para(R, txt);
        }
    }
    als_sbuf_puts(&R->html, "</div></div>\n");
}

static void section_provenance(rep *R)
{
    const als_results *r = R->r;
    h2(R, "provenance", "Provenance");
    if (r->has_provenance) {
        kv_table(R, &r->provenance, "", NULL, "kv mono");
    } else if (r->has_experiment && als_yflat_find(&r->experiment, "fingerprint.config_sha256")) {
        para(R, "provenance.yaml is missing; the experiment's fingerprint:");
        kv_table(R, &r->experiment, "fingerprint.", NULL, "kv mono");
    } else {
        para(R, "provenance.yaml is missing.");
    }
}

static const char CSS[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f6f7f9;color:#1d2330;font:15px/1.5 'DejaVu Sans',system-ui,-apple-system,'Segoe "
    "UI',Roboto,sans-serif}\n"
    "main{max-width:1160px;margin:0 auto;padding:28px 36px 48px;background:#fff;min-height:100vh;"
    "box-shadow:0 0 0 1px #e3e6eb}\n"
    "h1{font-size:26px;margin:0 0 4px}\n"
    "h2{font-size:19px;margin:36px 0 12px;padding-bottom:4px;border-bottom:2px solid #e3e6eb}\n"
    "h3{font-size:15px;margin:16px 0 8px;color:#3a4254}\n"
    ".sub{color:#5b6375;margin:0 0 18px}\n"
    ".warn{background:#fdecea;border-left:4px solid #d93025;padding:4px 14px;margin:14px 0}\n"
    ".warn h2{margin:8px 0 4px;font-size:18px}.warn ul{margin:4px 0 8px;padding-left:20px}\n"
    ".note{background:#fff5d6;border-left:4px solid #e0a800;padding:8px 12px;margin:10px 0;font-size:14px}\n"
    ".card{border:1px solid #d7dce4;border-radius:6px;padding:14px 18px;margin:14px 0 6px;background:#fafbfc}\n"
    ".card .big{font-size:17px;margin-bottom:8px}\n"
    ".card .stats{display:flex;flex-wrap:wrap;gap:12px 40px}\n"
    ".card .stats div{display:flex;flex-direction:column}\n"
    ".k{color:#5b6375;font-size:12px;text-transform:uppercase;letter-spacing:.04em;margin-right:6px}\n"
    ".v{font-size:22px;font-variant-numeric:tabular-nums;font-weight:600}\n"
    ".cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:8px 36px;align-items:start}\n"
    "table{border-collapse:collapse;margin:6px 0 10px;font-size:14px;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:4px 10px;border-bottom:1px solid #e3e6eb;vertical-align:top}\n"
    "th{background:#f0f2f5;font-weight:600;border-bottom:2px solid #cfd5de;white-space:nowrap}\n"
    "td.r,th.r{text-align:right}td.l,th.l{text-align:left}\n"
    "table.data td.r{white-space:nowrap}\n"
    "table.kv td:first-child{color:#3a4254;white-space:nowrap}\n"
    "table.mono td:last-child{font-family:'DejaVu Sans Mono',monospace;font-size:12.5px;word-break:break-all}\n"
    "tr.best td{background:#eef6ee;font-weight:600}\n"
    "tr.sel td{background:#eef2fb;font-weight:600}\n"
    "figure.plot{margin:18px 0 26px}\n"
    "figure.plot>svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:13.5px;color:#3a4254;max-width:900px;margin-top:6px}\n"
    "footer{margin-top:36px;font-size:12.5px;color:#5b6375;border-top:1px solid #e3e6eb;padding-top:8px}\n"
    "code{font-family:'DejaVu Sans Mono',monospace;font-size:13px;background:#f0f2f5;padding:1px 4px;border-radius:3px}\n"
    "@media print{body{background:#fff}main{box-shadow:none;padding:0}figure.plot{break-inside:avoid}}\n";

static const char JS_HEAD[] =
    "<script>\n"
    "window.alsErrors=0;\n"
    "window.addEventListener('error',function(){window.alsErrors++;\n"
    "  if(document.body)document.body.setAttribute('data-errors',String(window.alsErrors));},true);\n"
    "</script>\n";

/* Counts the figures that laid out with a non-empty box (the browser test reads data-plots). */
static const char JS_TAIL[] =
    "<script>\n"
    "(function(){var n=0,s=document.querySelectorAll('figure.plot>svg');\n"
    "for(var i=0;i<s.length;i++){try{var b=s[i].getBBox();if(b.width>0&&b.height>0)n++;}catch(e){window.alsErrors++;}}\n"
    "document.body.setAttribute('data-plots',String(n));\n"
    "document.body.setAttribute('data-errors',String(window.alsErrors));})();\n"
    "</script>\n";

als_status als_report_write(const als_results *r, const als_report_opts *o, als_report_info *info_out,
                            als_diag *d)
{
    als_report_info info_local;
    als_report_info *info = info_out ? info_out : &info_local;
    memset(info, 0, sizeof *info);
    rep R;
    memset(&R, 0, sizeof R);
    R.r = r;
    R.info = info;
    als_status st = ALS_OK;
    if (r->ncells == 0)
        return als_diag_set(d, ALS_E_INPUT, r->dir, 0, 0, "no cells to report");
    als_rgrid_build(r, &R.G);
    bool oom = false;
    als_results_importance(r, &R.imp, &oom);
    if (oom) {
        st = als_diag_set(d, ALS_E_NOMEM, r->dir, 0, 0, "out of memory");
        goto done;
    }
    if (!r->has_experiment)
        note(&R, "experiment.yaml is missing: the setup is not shown");
    if (!r->has_best)
        note(&R, "best.yaml is missing: no holdout test metrics");
    if (!r->has_provenance)
        note(&R, "provenance.yaml is missing");
    if (!r->has_folds)
        note(&R, "folds.csv is missing: no per-fold table");
    draw_figures(&R, o, d, &st);
    if (st)
        goto done;

    char ml[64];
    als_metric_label(ml, sizeof ml, r->metric);
    /* ---- head ---- */
    als_sbuf_puts(&R.html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    sb_html(&R.html, r->name);
    als_sbuf_puts(&R.html, " — alstune report</title>\n<meta name=\"generator\" content=\"alstune " PACKAGE_VERSION "\">\n<style>\n");
    als_sbuf_puts(&R.html, CSS);
    als_sbuf_puts(&R.html, "</style>\n");
    als_sbuf_puts(&R.html, JS_HEAD);
    als_sbuf_printf(&R.html, "</head>\n<body data-errors=\"0\" data-plots=\"0\" data-expected-plots=\"%d\">\n<main>\n",
              info->n_plots);
    als_sbuf_puts(&R.html, "<h1>");
    sb_html(&R.html, r->name);
    als_sbuf_puts(&R.html, "</h1>\n<p class=\"sub\">ALS hyper-parameter search with k-fold cross-validation — selection metric ");
    sb_html(&R.html, ml);
    als_sbuf_printf(&R.html, " (%s is better) · %zu cells · results folder <code>", r->higher_is_better ? "higher" : "lower",
              r->ncells);
    sb_html(&R.html, r->dir);
    als_sbuf_puts(&R.html, "</code></p>\n");
    als_sbuf_printf(&R.md, "# %s — alstune report\n\n", r->name);
    als_sbuf_printf(&R.md, "ALS hyper-parameter search with k-fold cross-validation — selection metric %s (%s is better), "
                     "%zu cells. Results folder `%s`. The HTML version (report.html) has the same content in one "
                     "self-contained file.\n\n",
              ml, r->higher_is_better ? "higher" : "lower", r->ncells, r->dir);
    for (int i = 0; i < info->n_notes; i++) {
        als_sbuf_puts(&R.html, "<div class=\"note\"><b>Note:</b> ");
        sb_html(&R.html, info->notes[i]);
        als_sbuf_puts(&R.html, "</div>\n");
        als_sbuf_puts(&R.md, "> **Note:** ");
        sb_md(&R.md, info->notes[i]);
        als_sbuf_puts(&R.md, "\n\n");
    }
    section_summary(&R);
    section_warnings(&R);
    section_experiment(&R);
    section_figures(&R);
    section_importance(&R);
    section_top(&R);
    section_cv_statistics(&R);
    section_best(&R);
    section_provenance(&R);
    als_sbuf_puts(&R.html, "<footer>Written by alstune " PACKAGE_VERSION " from the files of docs/outputs.md; regenerate with "
                     "<code>alstune report ");
    sb_html(&R.html, r->dir);
    als_sbuf_puts(&R.html, "</code>. Figures drawn by gnuplot; their scripts are in plots/*.gp.</footer>\n</main>\n");
    als_sbuf_puts(&R.html, JS_TAIL);
    als_sbuf_puts(&R.html, "</body>\n</html>\n");
    als_sbuf_printf(&R.md, "---\nWritten by alstune " PACKAGE_VERSION "; regenerate with `alstune report %s`.\n", r->dir);
    if (R.md.oom || R.html.oom) {
        st = als_diag_set(d, ALS_E_NOMEM, r->dir, 0, 0, "out of memory building the report");
        goto done;
    }
    als_path_join(info->md_path, sizeof info->md_path, r->dir, "report.md");
    als_path_join(info->html_path, sizeof info->html_path, r->dir, "report.html");
    if ((st = write_text(info->md_path, &R.md, d)) || (st = write_text(info->html_path, &R.html, d)))
        goto done;
done:
    for (int k = 0; k < 10; k++)
        free(R.fig[k].svg);
    free(R.md.s);
    free(R.html.s);
    return st;
}

void als_report_opts_default(als_report_opts *o)
{
    o->plots = true;
    o->gnuplot = NULL;
}

als_status als_report_dir(const char *dir, const als_report_opts *o, als_report_info *info, als_diag *d)
{
    als_results r;
    als_status st = als_results_load(&r, dir, d);
    if (st)
        return st;
    st = als_report_write(&r, o, info, d);
    als_results_free(&r);
    return st;
}

