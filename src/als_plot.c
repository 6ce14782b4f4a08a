/* als_plot — gnuplot figures of a results folder; contracts in als_plot.h. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "als_util.h"

#include <gsl/gsl_cdf.h>

extern char **environ;

typedef char num_t[48];

static const char *fmt_param(num_t out, double v)
{
    snprintf(out, sizeof(num_t), "%g", v);
    return out;
}

static const char *const COLORS[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                     "#E69F00", "#56B4E9", "#000000", "#999999"};
#define NCOLORS (sizeof COLORS / sizeof COLORS[0])


/* A gnuplot single-quoted string for enhanced text: specials escaped, ' doubled. */
static void sb_gp(als_sbuf *b, const char *s)
{
    als_sbuf_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            als_sbuf_puts(b, "''");
        else if (strchr("^_@&~{}\\", *s)) {
            als_sbuf_putn(b, "\\", 1);
            als_sbuf_putn(b, s, 1);
        } else
            als_sbuf_putn(b, s, 1);
    }
    als_sbuf_puts(b, "'");
}


bool als_plot_find_program(const char *name, char *out, size_t n)
{
    if (strchr(name, '/')) {
        snprintf(out, n, "%s", name);
        struct stat sb;
        return stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        snprintf(out, n, "%.*s/%s", (int)len, len ? path : ".", name);
        struct stat sb;
        if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
            return true;
        path += len;
        if (*path == ':')
            path++;
    }
    return false;
}

/* Run `prog script` with stdout into svg_path (temp + rename); on failure err gets gnuplot's
 * first lines of stderr (or the reason) and false is returned. */
bool als_plot_run(const char *prog, const char *script, const char *svg_path, char *err, size_t nerr)
{
    als_afile a;
    als_diag d;
    err[0] = '\0';
    if (als_afile_open(&a, svg_path, &d) != ALS_OK) {
        snprintf(err, nerr, "%.400s", d.msg);
        return false;
    }
    char errpath[4400];
    if (snprintf(errpath, sizeof errpath, "%s.stderr.%ld", svg_path, (long)getpid()) >= (int)sizeof errpath) {
        snprintf(err, nerr, "path too long");
        als_afile_abort(&a);
        return false;
    }
    int efd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (efd < 0) {
        snprintf(err, nerr, "cannot create %.300s: %s", errpath, strerror(errno));
        als_afile_abort(&a);
        return false;
    }
    fflush(a.f);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fileno(a.f), 1);
    posix_spawn_file_actions_adddup2(&fa, efd, 2);
    char *argv[] = {(char *)prog, (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    bool ok = false;
    if (rc != 0) {
        snprintf(err, nerr, "cannot run %.300s: %s", prog, strerror(rc));
    } else {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            struct stat sb;
            ok = fstat(fileno(a.f), &sb) == 0 && sb.st_size > 0;
            if (!ok)
                snprintf(err, nerr, "gnuplot wrote no SVG");
        } else {
            char msg[400] = "";
            ssize_t got = pread(efd, msg, sizeof msg - 1, 0);
            msg[got > 0 ? got : 0] = '\0';
            for (char *q = msg; *q; q++)
                if (*q == '\n' || *q == '\r')
                    *q = ' ';
            if (WIFEXITED(status))
                snprintf(err, nerr, "gnuplot exited with status %d%s%s", WEXITSTATUS(status), *als_str_trim(msg) ? ": " : "",
                         als_str_trim(msg));
            else
                snprintf(err, nerr, "gnuplot was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        }
    }
    close(efd);
    unlink(errpath);
    if (!ok) {
        als_afile_abort(&a);
        return false;
    }
    if (als_afile_commit(&a, &d) != ALS_OK) {
        snprintf(err, nerr, "%.400s", d.msg);
        return false;
    }
    return true;
}

static void gp_header(als_sbuf *g, const char *name, int w, int h)
{
    als_sbuf_printf(g,
              "# plots/%s.gp — written by 'alstune report'; edit and redraw with:  gnuplot %s.gp > %s.svg\n"
              "set terminal svg size %d,%d dynamic enhanced font 'sans,12' background rgb 'white'\n"
              "set encoding utf8\n"
              "set border lw 1 lc rgb '#333333'\n"
              "set tics nomirror\n",
              name, name, name, w, h);
}

/* Screen coordinates of a panel's plot area inside a ncols × nrows multiplot of panel size pw×ph
 * (pixels) with extra_w pixels reserved on the right and top_h on top. */
static void gp_margins(als_sbuf *g, int W, int H, int col, int row, int pw, int ph, int top_h, int l, int r, int t, int b)
{
    double x0 = col * pw, y0 = top_h + row * ph;
    als_sbuf_printf(g, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", (x0 + l) / W, (x0 + pw - r) / W);
    als_sbuf_printf(g, "set tmargin at screen %.4f\nset bmargin at screen %.4f\n", 1.0 - (y0 + t) / H,
              1.0 - (y0 + ph - b) / H);
}

/* A panel title just above the plot area (gnuplot's own title sits at the top of the canvas
 * when the margins are fixed, where the SVG clips it). */
static void gp_title(als_sbuf *g, const char *text)
{
    als_sbuf_puts(g, "set label 100 ");
    sb_gp(g, text);
    als_sbuf_puts(g, " at graph 0.5, graph 1 center offset 0,0.9 font ',12'\n");
}

static void gp_xtics_categories(als_sbuf *g, const als_raxis *a, const char *axis)
{
    als_sbuf_printf(g, "set %stics (", axis);
    for (size_t i = 0; i < a->n; i++) {
        num_t s;
        als_sbuf_printf(g, "%s'%s' %zu", i ? ", " : "", fmt_param(s, a->v[i]), i);
    }
    als_sbuf_puts(g, ")\n");
}

#define PW 330 /* panel width, px */
#define PH 300 /* panel height, px */
#define LEGEND_W 170

/* Heat map of the mean CV metric over rank × regParam, one panel per maxIter. */
bool als_plot_heatmap(const als_results *r, const als_rgrid *G, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    size_t np = G->mi.n, ncols = np < 3 ? np : 3, nrows = (np + ncols - 1) / ncols;
    int W = (int)ncols * PW + 150, H = (int)nrows * PH + 10;
    *W_out = W;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < r->ncells; i++) {
        double v = r->cells[i].mean;
        if (isfinite(v)) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    if (!isfinite(lo))
        return false;
    if (hi - lo < 1e-12 * fmax(1.0, fabs(hi))) {
        double pad = fmax(1e-6, fabs(hi) * 1e-4);
        lo -= pad;
        hi += pad;
    }
    char ml[64], vtxt[200];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "heatmap", W, H);
    als_sbuf_puts(g, "set palette defined (0 '#440154', 0.125 '#472d7b', 0.25 '#3b528b', 0.375 '#2c728e', 0.5 '#21918c', "
               "0.625 '#28ae80', 0.75 '#5ec962', 0.875 '#addc30', 1 '#fde725')\n");
    if (!r->higher_is_better)
        als_sbuf_puts(g, "set palette negative   # better (lower) values are brighter\n");
    als_sbuf_printf(g, "set cbrange [%.17g:%.17g]\nset cbtics format '%%.3f' font ',10'\n", lo, hi);
    als_sbuf_puts(g, "set cblabel ");
    char cbl[160];
    snprintf(cbl, sizeof cbl, "mean CV %s (%s is better)", ml, r->higher_is_better ? "higher" : "lower");
    sb_gp(g, cbl);
    als_sbuf_puts(g, " offset 1,0\n");
    gp_xtics_categories(g, &G->reg, "x");
    gp_xtics_categories(g, &G->rank, "y");
    if (G->reg.n > 5)
        als_sbuf_puts(g, "set xtics rotate by 45 right\n");
    als_sbuf_printf(g, "set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n", G->reg.n - 1, G->rank.n - 1);
    als_sbuf_puts(g, "set xlabel 'regParam (λ)'\nset ylabel 'rank'\nset tics scale 0\nset border lw 0.5\n");
    const char *vfmt = G->reg.n <= 4 ? "%.4f" : "%.3f";
    int lfont = G->reg.n <= 5 ? 10 : 8;
    /* the best cell of the whole grid */
    const als_rcell *best = &r->cells[0];
    als_sbuf_puts(g, "set multiplot\n");
    for (size_t p = 0; p < np; p++) {
        als_sbuf_printf(g, "$H%zu << EOD\n", p);
        for (size_t ri = 0; ri < G->rank.n; ri++) {
            for (size_t gi = 0; gi < G->reg.n; gi++) {
                long b = als_results_best_at(r, G->rank.v[ri], G->reg.v[gi], G->mi.v[p]);
                if (b < 0 || !isfinite(r->cells[b].mean))
                    continue;
                double v = r->cells[b].mean, t = (v - lo) / (hi - lo);
                if (!r->higher_is_better)
                    t = 1 - t;
                int tc = t < 0.6 ? 0xffffff : 0x000000;
                snprintf(vtxt, sizeof vtxt, vfmt, v);
                als_sbuf_printf(g, "%zu %zu %.17g \"%s\" %d\n", gi, ri, v, vtxt, tc);
            }
        }
        als_sbuf_puts(g, "EOD\n");
    }
    for (size_t p = 0; p < np; p++) {
        size_t col = p % ncols, row = p / ncols;
        gp_margins(g, W, H, (int)col, (int)row, PW, PH, 0, 80, 15, 40, 55);
        char title[64];
        snprintf(title, sizeof title, "maxIter = %g", G->mi.v[p]);
        gp_title(g, title);
        als_sbuf_puts(g, "unset object\n");
        if (best->maxIter == G->mi.v[p]) {
            long bx = als_raxis_index(&G->reg, best->regParam), by = als_raxis_index(&G->rank, best->rank);
            if (bx >= 0 && by >= 0)
                als_sbuf_printf(g,
                          "set object 1 rect from %g,%g to %g,%g front fillstyle empty border lc rgb '#e4002b' "
                          "lw 3\n",
                          (double)bx - 0.47, (double)by - 0.47, (double)bx + 0.47, (double)by + 0.47);
        }
        if (p == np - 1) {
            double top = 1.0 - 40.0 / H, bot = 1.0 - ((double)(nrows - 1) * PH + PH - 55) / H;
            als_sbuf_printf(g, "set colorbox user origin screen %.4f,%.4f size screen %.4f,%.4f\n",
                      ((double)ncols * PW + 20) / W, bot, 18.0 / W, top - bot);
        } else {
            als_sbuf_puts(g, "unset colorbox\n");
        }
        als_sbuf_printf(g,
                  "plot $H%zu using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid 1.0 noborder "
                  "fillcolor palette notitle, \\\n     $H%zu using 1:2:4:5 with labels font ',%d' tc rgb variable notitle\n",
                  p, p, lfont);
    }
    als_sbuf_puts(g, "unset multiplot\n");
    char vary[128];
    als_rgrid_varying_axes(G, vary, sizeof vary);
    snprintf(caption, ncap,
             "Mean cross-validated %s of every rank × regParam cell, one panel per maxIter%s%s%s. "
             "The red frame marks the best cell; brighter is better.",
             ml, vary[0] ? " (best over " : "", vary, vary[0] ? ")" : "");
    return true;
}

/* Mean ± std over folds against regParam, one line per rank, one panel per maxIter. */
bool als_plot_spread(const als_results *r, const als_rgrid *G, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    size_t np = G->mi.n, ncols = np < 3 ? np : 3, nrows = (np + ncols - 1) / ncols;
    int W = (int)ncols * PW + LEGEND_W, H = (int)nrows * PH + 10;
    *W_out = W;
    double lo = INFINITY, hi = -INFINITY;
    long nfolds = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        double s = isfinite(c->std) ? c->std : 0;
        if (isfinite(c->mean)) {
            lo = fmin(lo, c->mean - s);
            hi = fmax(hi, c->mean + s);
        }
        if (c->n_folds > nfolds)
            nfolds = c->n_folds;
    }
    if (!isfinite(lo))
        return false;
    double pad = (hi - lo) * 0.06;
    if (pad <= 0)
        pad = fmax(1e-6, fabs(hi) * 1e-3);
    char ml[64], yl[160];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "spread", W, H);
    als_sbuf_printf(g, "set yrange [%.17g:%.17g]\nset ytics format '%%.3f'\n", lo - pad, hi + pad);
    gp_xtics_categories(g, &G->reg, "x");
    if (G->reg.n > 5)
        als_sbuf_puts(g, "set xtics rotate by 45 right\n");
    als_sbuf_printf(g, "set xrange [-0.4:%zu.4]\n", G->reg.n - 1);
    if (nfolds > 0)
        snprintf(yl, sizeof yl, "CV %s, mean ± std over %ld folds", ml, nfolds);
    else
        snprintf(yl, sizeof yl, "CV %s, mean ± std over folds", ml);
    als_sbuf_puts(g, "set xlabel 'regParam (λ)'\nset ylabel ");
    sb_gp(g, yl);
    als_sbuf_puts(g, "\nset grid ytics lc rgb '#dddddd' lw 1 dt 1\n");
    double width = 0.5, step = G->rank.n > 1 ? width / (double)(G->rank.n - 1) : 0;
    for (size_t p = 0; p < np; p++) {
        for (size_t ri = 0; ri < G->rank.n; ri++) {
            als_sbuf_printf(g, "$S%zu_%zu << EOD\n", p, ri);
            for (size_t gi = 0; gi < G->reg.n; gi++) {
                long b = als_results_best_at(r, G->rank.v[ri], G->reg.v[gi], G->mi.v[p]);
                if (b < 0 || !isfinite(r->cells[b].mean))
                    continue;
                double x = (double)gi + (G->rank.n > 1 ? -width / 2 + step * (double)ri : 0);
                double s = r->cells[b].std;
                als_sbuf_printf(g, "%.6f %.17g %.17g\n", x, r->cells[b].mean, isfinite(s) ? s : 0.0);
            }
            als_sbuf_puts(g, "EOD\n");
        }
    }
    als_sbuf_puts(g, "set multiplot\n");
    for (size_t p = 0; p < np; p++) {
        size_t col = p % ncols, row = p / ncols;
        gp_margins(g, W, H, (int)col, (int)row, PW, PH, 0, 90, 15, 40, 55);
        char title[64];
        snprintf(title, sizeof title, "maxIter = %g", G->mi.v[p]);
        gp_title(g, title);
        if (p == np - 1)
            als_sbuf_printf(g, "set key at screen %.4f,%.4f left top Left reverse samplen 2 spacing 1.3 title 'rank' box lc rgb '#bbbbbb'\n",
                      ((double)ncols * PW + 10) / W, 1.0 - 40.0 / H);
        else
            als_sbuf_puts(g, "unset key\n");
        als_sbuf_puts(g, "plot ");
        for (size_t ri = 0; ri < G->rank.n; ri++) {
            num_t s;
            als_sbuf_printf(g, "%s$S%zu_%zu using 1:2:3 with yerrorlines lw 1.6 pt 7 ps 0.7 lc rgb '%s' title '%s'",
                      ri ? ", \\\n     " : "", p, ri, COLORS[ri % NCOLORS], fmt_param(s, G->rank.v[ri]));
        }
        als_sbuf_puts(g, "\n");
    }
    als_sbuf_puts(g, "unset multiplot\n");
    char vary[128];
    als_rgrid_varying_axes(G, vary, sizeof vary);
    snprintf(caption, ncap,
             "Mean ± sample standard deviation over folds of the validation %s of each cell, "
             "against regParam, one line per rank (points offset horizontally so the bars do not overlap)%s%s%s.",
             ml, vary[0] ? "; best over " : "", vary, "");
    return true;
}

/* ---- model: bpmf (issue 15, docs/report.md "BPMF runs") ----------------------------------------
 * A BPMF run's iterations.csv has one row per collected Gibbs sample (iteration n = the posterior
 * mean of n samples) and its maxIter column holds the `samples` values: the learning curves say
 * so, and a per-fold figure shows how the posterior-mean RMSE settles on each fold. */
bool als_plot_is_bpmf(const als_results *r)
{
    const char *m = r->has_experiment ? als_yflat_get(&r->experiment, "als.model") : NULL;
    return m && !strcmp(m, "bpmf");
}

/* The learning figure's caption for a BPMF run (collected samples instead of iterations). */
static void bpmf_learning_caption(const als_results *r, size_t ncfg, int npanels, bool metric_panel, char *caption,
                                  size_t ncap)
{
    char ml[64];
    als_metric_label(ml, sizeof ml, r->metric);
    snprintf(caption, ncap,
             "RMSE against collected samples (model: bpmf) of the %zu best configurations (ranked by their best "
             "cell), averaged over folds: at n samples, the error of the posterior mean of the first n samples' "
             "predictions (clipped to the rating range), on the training (dashed) and validation (solid) "
             "ratings%s%s. Dotted vertical lines mark the %s samples values.",
             ncfg, metric_panel ? "; left: the validation " : "", metric_panel ? ml : "",
             r->has_trials ? "search's" : "grid's");
    if (!metric_panel && npanels == 2) {
        size_t n = strlen(caption);
        snprintf(caption + n, ncap - n, " Right: the validation RMSE over the second half of the samples, zoomed.");
    }
}

bool als_plot_bpmf_folds(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!als_plot_is_bpmf(r) || !r->has_iterations || r->niters == 0 || r->ncells == 0)
        return false;
    const als_rcell *best = &r->cells[r->selected >= 0 ? (size_t)r->selected : 0];
    long maxs = 0, folds[64];
    size_t nf = 0;
    for (size_t i = 0; i < r->niters; i++) {
        const als_riter *it = &r->iters[i];
        if (it->cell0 != best->cell0 || !isfinite(it->valid_rmse))
            continue;
        maxs = it->iteration > maxs ? it->iteration : maxs;
        size_t k = 0;
        while (k < nf && folds[k] != it->fold)
            k++;
        if (k == nf && nf < 64)
            folds[nf++] = it->fold;
    }
    if (nf == 0 || maxs < 1)
        return false;
    for (size_t a = 1; a < nf; a++) /* ascending fold numbers */
        for (size_t b = a; b > 0 && folds[b - 1] > folds[b]; b--) {
            long t = folds[b];
            folds[b] = folds[b - 1];
            folds[b - 1] = t;
        }
    const int pw = 600, ph = 340, W = pw + LEGEND_W + 40, H = ph + 10;
    *W_out = W;
    gp_header(g, "bpmf_folds", W, H);
    for (size_t k = 0; k < nf; k++) {
        als_sbuf_printf(g, "$F%zu << EOD\n# samples  valid_rmse  (fold %ld)\n", k, folds[k]);
        for (long s = 1; s <= maxs; s++)
            for (size_t i = 0; i < r->niters; i++) {
                const als_riter *it = &r->iters[i];
                if (it->cell0 == best->cell0 && it->fold == folds[k] && it->iteration == s && isfinite(it->valid_rmse)) {
                    als_sbuf_printf(g, "%ld %.17g\n", s, it->valid_rmse);
                    break;
                }
            }
        als_sbuf_puts(g, "EOD\n");
    }
    als_sbuf_puts(g, "set xlabel 'collected samples'\nset ylabel 'validation RMSE'\n"
                     "set grid lc rgb '#e5e5e5' lw 1 dt 1\nset ytics format '%.3f'\nset autoscale y\n");
    gp_margins(g, W, H, 0, 0, pw, ph, 0, 85, 25, 40, 55);
    als_sbuf_printf(g, "set xrange [1:%ld]\n", maxs > 1 ? maxs : 2);
    char title[200], a[40];
    if (isnan(best->alpha))
        snprintf(a, sizeof a, "sample");
    else
        snprintf(a, sizeof a, "%g", best->alpha);
    snprintf(title, sizeof title, "rank %g, alpha %s%s: validation RMSE per fold", best->rank, a,
             best->bias ? ", bias" : "");
    gp_title(g, title);
    als_sbuf_printf(g, "set key at screen %.4f,%.4f left top Left reverse samplen 2.5 spacing 1.3 box lc rgb '#bbbbbb'\n",
                    ((double)pw + 15) / W, 1.0 - 40.0 / H);
    als_sbuf_puts(g, "plot ");
    for (size_t k = 0; k < nf; k++)
        als_sbuf_printf(g, "%s$F%zu using 1:2 with lines lw 2 lc rgb '%s' title 'fold %ld'", k ? ", \\\n     " : "", k,
                        COLORS[k % NCOLORS], folds[k]);
    als_sbuf_puts(g, "\n");
    snprintf(caption, ncap,
             "RMSE against collected samples, per fold (model: bpmf, iterations.csv): the validation RMSE of the "
             "posterior mean of the first n samples on each fold, for the %s configuration (rank %g, alpha %s, "
             "bias %s), one line per fold. The lines flatten once the posterior mean has converged; their spread "
             "is the fold-to-fold variation that the CV standard deviation summarises.",
             r->selected >= 0 ? "selected" : "best", best->rank, a, best->bias ? "true" : "false");
    return true;
}

/* Learning curves of the best (up to 3) configs, averaged over folds.  Panels: for rmse, the
 * training vs validation RMSE and a zoom on the validation RMSE over the second half of the
 * iterations (where the configs differ by less than the full range shows); for other metrics,
 * the validation metric and the training vs validation RMSE. */
bool als_plot_learning(const als_results *r, const als_rgrid *G, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!r->has_iterations || r->niters == 0)
        return false;
    long cfg[3];
    size_t ncfg = 0;
    const als_rcell *cfgcell[3];
    for (size_t i = 0; i < r->ncells && ncfg < 3; i++) {
        bool dup = false;
        for (size_t k = 0; k < ncfg; k++)
            dup |= cfg[k] == r->cells[i].cell0;
        if (dup)
            continue;
        bool has = false; /* only configs that have iterations */
        for (size_t k = 0; k < r->niters && !has; k++)
            has = r->iters[k].cell0 == r->cells[i].cell0;
        if (!has)
            continue;
        cfgcell[ncfg] = &r->cells[i];
        cfg[ncfg++] = r->cells[i].cell0;
    }
    if (ncfg == 0)
        return false;
    long maxit = 0, maxit_finite = 0;
    for (size_t k = 0; k < r->niters; k++) {
        const als_riter *it = &r->iters[k];
        if (it->iteration > maxit)
            maxit = it->iteration;
        if (it->iteration > maxit_finite && (isfinite(it->train_rmse) || isfinite(it->valid_rmse) || isfinite(it->value)))
            maxit_finite = it->iteration;
    }
    if (maxit_finite > 0) /* early stopping leaves NaN rows after the last trained iteration */
        maxit = maxit_finite;
    bool is_rmse = strcasecmp(r->metric, "rmse") == 0;
    bool have_value = false;
    for (size_t k = 0; k < r->niters && !have_value; k++)
        have_value = !isnan(r->iters[k].value);
    enum { P_METRIC, P_RMSE, P_ZOOM } kinds[2];
    int npanels = 0;
    if (!is_rmse && have_value)
        kinds[npanels++] = P_METRIC;
    kinds[npanels++] = P_RMSE;
    long zoom_from = maxit / 2 + 1;
    if (npanels == 1 && maxit >= 4)
        kinds[npanels++] = P_ZOOM;
    int pw = npanels == 1 ? 600 : 450, ph = 340;
    int W = npanels * pw + LEGEND_W + 40, H = ph + 10;
    *W_out = W;
    char ml[64];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "learning", W, H);
    /* fold-averaged curves: columns iteration, train_rmse, valid_rmse, value */
    double *sum = calloc((size_t)maxit * 3, sizeof *sum);
    long *cnt = calloc((size_t)maxit * 3, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        g->oom = true;
        return true;
    }
    double rmse_first = -INFINITY, rmse_rest_hi = -INFINITY, rmse_lo = INFINITY;
    for (size_t k = 0; k < ncfg; k++) {
        memset(sum, 0, (size_t)maxit * 3 * sizeof *sum);
        memset(cnt, 0, (size_t)maxit * 3 * sizeof *cnt);
        for (size_t i = 0; i < r->niters; i++) {
            const als_riter *it = &r->iters[i];
            if (it->cell0 != cfg[k])
                continue;
            size_t j = (size_t)(it->iteration - 1) * 3;
            double v[3] = {it->train_rmse, it->valid_rmse, it->value};
            for (int q = 0; q < 3; q++)
                if (isfinite(v[q])) {
                    sum[j + (size_t)q] += v[q];
                    cnt[j + (size_t)q]++;
                }
        }
        als_sbuf_printf(g, "$L%zu << EOD\n# iteration  train_rmse  valid_rmse  %s  (means over folds)\n", k, r->metric);
        for (long t = 0; t < maxit; t++) {
            size_t j = (size_t)t * 3;
            if (!cnt[j] && !cnt[j + 1] && !cnt[j + 2])
                continue;
            als_sbuf_printf(g, "%ld", t + 1);
            for (int q = 0; q < 3; q++) {
                if (cnt[j + (size_t)q]) {
                    double m = sum[j + (size_t)q] / (double)cnt[j + (size_t)q];
                    als_sbuf_printf(g, " %.17g", m);
                    if (q < 2) { /* RMSE extremes: of iteration 1, and of the rest */
                        if (t == 0)
                            rmse_first = fmax(rmse_first, m);
                        else
                            rmse_rest_hi = fmax(rmse_rest_hi, m);
                        rmse_lo = fmin(rmse_lo, m);
                    }
                } else {
                    als_sbuf_puts(g, " NaN");
                }
            }
            als_sbuf_puts(g, "\n");
        }
        als_sbuf_puts(g, "EOD\n");
    }
    free(sum);
    free(cnt);
    const bool bpmf = als_plot_is_bpmf(r); /* model: bpmf: iterations.csv counts collected samples */
    als_sbuf_printf(g, "set xlabel '%s'\nset grid lc rgb '#e5e5e5' lw 1 dt 1\n", bpmf ? "collected samples" : "iteration");
    /* The first iteration starts from random factors and can sit far above the rest: when it
     * would take more than half of the RMSE axis, the axis ends a little above iteration 2. */
    bool clip = isfinite(rmse_first) && isfinite(rmse_rest_hi) && isfinite(rmse_lo) &&
                rmse_first - rmse_rest_hi > rmse_rest_hi - rmse_lo;
    double clip_lo = 0, clip_hi = 0;
    if (clip) {
        double pad = (rmse_rest_hi - rmse_lo) * 0.08;
        clip_lo = rmse_lo - pad;
        clip_hi = rmse_rest_hi + pad;
    }
    als_sbuf_puts(g, "set multiplot\n");
    for (int p = 0; p < npanels; p++) {
        gp_margins(g, W, H, p, 0, pw, ph, 0, 85, 25, 40, 55);
        long x0 = kinds[p] == P_ZOOM ? zoom_from : 1;
        als_sbuf_printf(g, "set xrange [%ld:%ld]\n", x0, maxit > x0 ? maxit : x0 + 1);
        als_sbuf_printf(g, "set xtics %ld\n", maxit - x0 <= 20 ? 1 : (maxit - x0) / 10);
        als_sbuf_puts(g, "unset arrow\n");
        for (size_t k = 0; k < G->mi.n; k++) /* arrows are not clipped: only those inside the range */
            if (G->mi.v[k] > (double)x0 && G->mi.v[k] < (double)maxit)
                als_sbuf_printf(g, "set arrow %zu from %g, graph 0 to %g, graph 1 nohead dt 3 lw 1 lc rgb '#888888' back\n",
                          k + 1, G->mi.v[k], G->mi.v[k]);
        als_sbuf_puts(g, kinds[p] == P_ZOOM ? "set ytics format '%.4f'\n" : "set ytics format '%.3f'\n");
        if (kinds[p] == P_RMSE && clip)
            als_sbuf_printf(g, "set yrange [%.6g:%.6g]\n", clip_lo, clip_hi);
        else
            als_sbuf_puts(g, "set autoscale y\n");
        char title[160];
        if (kinds[p] == P_METRIC)
            snprintf(title, sizeof title, "validation %s", ml);
        else if (kinds[p] == P_RMSE)
            snprintf(title, sizeof title, "RMSE: training (dashed), validation (solid)");
        else
            snprintf(title, sizeof title, "validation RMSE, %s %ld–%ld", bpmf ? "samples" : "iterations", x0, maxit);
        gp_title(g, title);
        als_sbuf_puts(g, "set ylabel ");
        sb_gp(g, kinds[p] == P_METRIC ? ml : "RMSE");
        als_sbuf_puts(g, "\n");
        if (p == npanels - 1)
            als_sbuf_printf(g, "set key at screen %.4f,%.4f left top Left reverse samplen 2.5 spacing 1.3 box lc rgb '#bbbbbb'\n",
                      ((double)npanels * pw + 15) / W, 1.0 - 40.0 / H);
        else
            als_sbuf_puts(g, "unset key\n");
        als_sbuf_puts(g, "plot ");
        for (size_t k = 0; k < ncfg; k++) {
            char lab[200];
            als_rgrid_config_label(G, cfgcell[k], lab, sizeof lab);
            const char *col = COLORS[k % NCOLORS];
            int ycol = kinds[p] == P_METRIC ? 4 : 3;
            als_sbuf_printf(g, "%s$L%zu using 1:%d with linespoints lw 2 pt 7 ps 0.6 lc rgb '%s' title ", k ? ", \\\n     " : "",
                      k, ycol, col);
            sb_gp(g, lab);
            if (kinds[p] == P_RMSE)
                als_sbuf_printf(g, ", \\\n     $L%zu using 1:2 with lines lw 2 dt 2 lc rgb '%s' notitle", k, col);
        }
        if (p == npanels - 1)
            als_sbuf_puts(g, ", \\\n     NaN with lines lw 2 dt 1 lc rgb '#444444' title 'validation', \\\n"
                       "     NaN with lines lw 2 dt 2 lc rgb '#444444' title 'training'");
        als_sbuf_puts(g, "\n");
    }
    als_sbuf_puts(g, "unset multiplot\n");
    if (kinds[0] == P_METRIC)
        snprintf(caption, ncap,
                 "Learning curves of the %zu best configurations (ranked by their best cell), averaged over folds: "
                 "validation %s (left) and training (dashed) vs validation (solid) RMSE (right). Dotted vertical "
                 "lines mark the %s maxIter values.",
                 ncfg, ml, r->has_trials ? "search's" : "grid's");
    else
        snprintf(caption, ncap,
                 "Learning curves of the %zu best configurations (ranked by their best cell), averaged over folds: "
                 "training (dashed) vs validation (solid) RMSE%s. Dotted vertical lines mark the %s maxIter values.",
                 ncfg, npanels == 2 ? "; right: the validation RMSE over the second half of the iterations, zoomed" : "",
                 r->has_trials ? "search's" : "grid's");
    if (clip) {
        size_t n = strlen(caption);
        snprintf(caption + n, ncap - n,
                 " The RMSE axis ends a little above the values of iteration 2: after the first iteration "
                 "(from random factors) the RMSE is up to %.3f, off the top.",
                 rmse_first);
    }
    if (bpmf)
        bpmf_learning_caption(r, ncfg, npanels, kinds[0] == P_METRIC, caption, ncap);
    return true;
}


/* ---- confidence intervals of every cell (issue 13) ---------------------------------------------- */
bool als_plot_ci(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!r->has_stats || r->ncells == 0)
        return false;
    bool any_se = false;
    double lo = INFINITY, hi = -INFINITY;
    long kmax = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        any_se |= isfinite(c->se);
        if (c->n_folds > kmax)
            kmax = c->n_folds;
    }
    if (!any_se)
        return false;
    /* half-widths; cells without a finite se or with fewer than 2 folds get no bar */
    double *hw = calloc(r->ncells, sizeof *hw);
    if (!hw) {
        g->oom = true;
        return true;
    }
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        hw[i] = c->n_folds >= 2 && isfinite(c->se) ? gsl_cdf_tdist_Pinv(0.975, (double)(c->n_folds - 1)) * c->se : 0;
        if (!isfinite(hw[i]))
            hw[i] = 0;
        if (isfinite(c->mean)) {
            lo = fmin(lo, c->mean - hw[i]);
            hi = fmax(hi, c->mean + hw[i]);
        }
    }
    if (!isfinite(lo)) {
        free(hw);
        return false;
    }
    double pad = (hi - lo) * 0.06;
    if (pad <= 0)
        pad = fmax(1e-6, fabs(hi) * 1e-3);
    size_t n = r->ncells;
    int W = (int)(140 + 16 * n);
    W = W < 520 ? 520 : W > 1400 ? 1400 : W;
    int H = 360;
    *W_out = W;
    char ml[64], yl[160];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "ci", W, H);
    /* three groups: ≈ best, significantly different, the selected cell (drawn last, on top) */
    static const char *const blocks[3] = {"$EQ", "$NE", "$SEL"};
    for (int b = 0; b < 3; b++) {
        als_sbuf_printf(g, "%s << EOD\n", blocks[b]);
        for (size_t i = 0; i < n; i++) {
            const als_rcell *c = &r->cells[i];
            if (!isfinite(c->mean))
                continue;
            bool sel = r->selected >= 0 ? (long)i == r->selected : i == 0;
            int grp = c->equivalent_to_best == 1 ? 0 : 1;
            if ((b == 2) != sel || (b < 2 && grp != b))
                continue;
            als_sbuf_printf(g, "%zu %.17g %.17g\n", i + 1, c->mean, hw[i]);
        }
        als_sbuf_puts(g, "EOD\n");
    }
    free(hw);
    als_sbuf_printf(g, "set lmargin 11\nset rmargin 3\nset tmargin 2\nset bmargin 4\n");
    /* room for the key above the points (lower is better: the worst cells are on the right, so the
     * top left is free) or below them (higher is better) */
    double room = (hi - lo + 2 * pad) * 0.3;
    als_sbuf_printf(g, "set xrange [0.3:%zu.7]\nset yrange [%.17g:%.17g]\nset ytics format '%%.4f'\n", n,
                    lo - pad - (r->higher_is_better ? room : 0), hi + pad + (r->higher_is_better ? 0 : room));
    if (n <= 20)
        als_sbuf_puts(g, "set xtics 1\n");
    als_sbuf_puts(g, "set xlabel 'cell, by position in summary.csv (1 = best)'\nset ylabel ");
    if (kmax > 0)
        snprintf(yl, sizeof yl, "CV %s, mean and 95 %% CI (%ld folds)", ml, kmax);
    else
        snprintf(yl, sizeof yl, "CV %s, mean and 95 %% CI", ml);
    sb_gp(g, yl);
    als_sbuf_printf(g, "\nset grid ytics lc rgb '#dddddd' lw 1 dt 1\n"
                       "set arrow 1 from graph 0, first %.17g to graph 1, first %.17g nohead dt 2 lc rgb '#999999'\n"
                       "set key %s left Left reverse samplen 1 spacing 1.2 box lc rgb '#bbbbbb' opaque\n",
                    r->cells[0].mean, r->cells[0].mean, r->higher_is_better ? "bottom" : "top");
    als_sbuf_puts(g, "plot $EQ using 1:2:3 with yerrorbars pt 7 ps 0.8 lw 1.4 lc rgb '#0072B2' title '≈ best (not significantly different)', \\\n"
                     "     $NE using 1:2:3 with yerrorbars pt 6 ps 0.8 lw 1.2 lc rgb '#888888' title 'significantly worse', \\\n"
                     "     $SEL using 1:2:3 with yerrorbars pt 13 ps 1.6 lw 1.8 lc rgb '#D55E00' title 'selected (refit)'\n");
    snprintf(caption, ncap,
             "Cross-validated %s of every cell, sorted by mean (best on the left), with a 95 %% confidence "
             "interval for the cell's mean: mean ± t(0.975, k−1)·se, where se is summary.csv's standard error over "
             "the k folds. Blue filled points: cells not significantly different from the best "
             "(equivalent_to_best, the paired test of docs/statistics.md — which, being paired, can separate "
             "cells whose intervals overlap); grey open points: significantly different; red diamond: the "
             "selected cell. The dashed line is the best mean.",
             ml);
    return true;
}

/* ---- a sampled search: trials against each sampled parameter ------------------------------------- */
bool als_plot_trials(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!r->has_trials || r->ntrials == 0)
        return false;
    static const char *const names[4] = {"rank", "regParam", "maxIter", "alpha"};
    static const char *const labels[4] = {"rank", "regParam (λ)", "maxIter", "alpha (α)"};
    int dims[4], nd = 0;
    double lo = INFINITY, hi = -INFINITY;
    long best = -1;
    for (size_t t = 0; t < r->ntrials; t++) {
        const als_rtrial *x = &r->trials[t];
        if (isfinite(x->mean)) {
            lo = fmin(lo, x->mean);
            hi = fmax(hi, x->mean);
            if (x->state == ALS_TRIAL_COMPLETE && (best < 0 || als_results_better(r, x->mean, r->trials[best].mean)))
                best = (long)t;
        }
    }
    if (best < 0)
        return false;
    for (int d = 0; d < 4; d++) {
        bool two = false;
        for (size_t t = 1; t < r->ntrials && !two; t++) {
            const als_rtrial *a = &r->trials[0], *b = &r->trials[t];
            double va = d == 0 ? a->rank : d == 1 ? a->regParam : d == 2 ? a->maxIter : a->alpha;
            double vb = d == 0 ? b->rank : d == 1 ? b->regParam : d == 2 ? b->maxIter : b->alpha;
            two = isfinite(va) && isfinite(vb) && va != vb;
        }
        if (two)
            dims[nd++] = d;
    }
    if (nd == 0)
        return false;
    size_t ncols = nd < 3 ? (size_t)nd : 3, nrows = ((size_t)nd + ncols - 1) / ncols;
    int W = (int)ncols * PW + 10, H = (int)nrows * PH + 10;
    *W_out = W;
    double pad = (hi - lo) * 0.06;
    if (pad <= 0)
        pad = fmax(1e-6, fabs(hi) * 1e-3);
    char ml[64], yl[128];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "trials", W, H);
    for (int k = 0; k < nd; k++) {
        int d = dims[k];
        als_sbuf_printf(g, "$T%d << EOD\n", k);
        for (size_t t = 0; t < r->ntrials; t++) {
            const als_rtrial *x = &r->trials[t];
            double v = d == 0 ? x->rank : d == 1 ? x->regParam : d == 2 ? x->maxIter : x->alpha;
            if (isfinite(v) && isfinite(x->mean) && (long)t != best && x->state == ALS_TRIAL_COMPLETE)
                als_sbuf_printf(g, "%.17g %.17g\n", v, x->mean);
        }
        /* pruned or failed trials with a value (at the budget they reached): grey */
        als_sbuf_printf(g, "EOD\n$Q%d << EOD\n", k);
        for (size_t t = 0; t < r->ntrials; t++) {
            const als_rtrial *x = &r->trials[t];
            double v = d == 0 ? x->rank : d == 1 ? x->regParam : d == 2 ? x->maxIter : x->alpha;
            if (isfinite(v) && isfinite(x->mean) && x->state != ALS_TRIAL_COMPLETE)
                als_sbuf_printf(g, "%.17g %.17g\n", v, x->mean);
        }
        const als_rtrial *b = &r->trials[best];
        double v = d == 0 ? b->rank : d == 1 ? b->regParam : d == 2 ? b->maxIter : b->alpha;
        als_sbuf_printf(g, "EOD\n$B%d << EOD\n%.17g %.17g\nEOD\n", k, v, b->mean);
    }
    als_sbuf_printf(g, "set yrange [%.17g:%.17g]\nset ytics format '%%.3f'\n", lo - pad, hi + pad);
    snprintf(yl, sizeof yl, "CV %s (mean over folds)", ml);
    als_sbuf_puts(g, "set ylabel ");
    sb_gp(g, yl);
    als_sbuf_puts(g, "\nset grid xtics ytics lc rgb '#dddddd' lw 1 dt 1\nunset key\nset multiplot\n");
    for (int k = 0; k < nd; k++) {
        int d = dims[k];
        size_t col = (size_t)k % ncols, row = (size_t)k / ncols;
        gp_margins(g, W, H, (int)col, (int)row, PW, PH, 0, 90, 15, 40, 55);
        char key[48];
        snprintf(key, sizeof key, "als.%s.log", names[d]);
        const char *lg = r->has_experiment ? als_yflat_get(&r->experiment, key) : NULL;
        bool logx = lg && strcmp(lg, "true") == 0;
        als_sbuf_printf(g, "%s\n", logx ? "set logscale x" : "unset logscale x");
        /* a distribution's bounds as the x range, so the figure shows where in the range the trials fell */
        double dlo, dhi;
        snprintf(key, sizeof key, "als.%s.min", names[d]);
        const char *smin = r->has_experiment ? als_yflat_get(&r->experiment, key) : NULL;
        snprintf(key, sizeof key, "als.%s.max", names[d]);
        const char *smax = r->has_experiment ? als_yflat_get(&r->experiment, key) : NULL;
        if (smin && smax && als_str_to_double(smin, &dlo) && als_str_to_double(smax, &dhi) && dlo < dhi &&
            (!logx || dlo > 0)) {
            double a = logx ? dlo / 1.12 : dlo - 0.04 * (dhi - dlo), b = logx ? dhi * 1.12 : dhi + 0.04 * (dhi - dlo);
            als_sbuf_printf(g, "set xrange [%.17g:%.17g]\nset offsets 0, 0, 0, 0\n", a, b);
        } else {
            als_sbuf_puts(g, "set autoscale x\nset offsets graph 0.04, graph 0.04, 0, 0\n");
        }
        als_sbuf_puts(g, "set xlabel ");
        sb_gp(g, labels[d]);
        als_sbuf_printf(g, "\nplot $Q%d using 1:2 with points pt 6 ps 0.7 lc rgb '#b0b0b0', \\\n"
                           "     $T%d using 1:2 with points pt 7 ps 0.8 lc rgb '#0072B2', \\\n"
                           "     $B%d using 1:2 with points pt 13 ps 1.8 lc rgb '#D55E00'\n",
                        k, k, k);
    }
    als_sbuf_puts(g, "unset multiplot\n");
    snprintf(caption, ncap,
             "Sampled search: the cross-validated %s of each of the %zu trials (its cell's mean over the folds, "
             "trials.csv) against each parameter that was sampled, one panel per parameter (log scale where the "
             "distribution is log-uniform). The red diamond is the best trial; grey open circles, if any, are "
             "pruned or failed trials at the budget they reached. The trials are points of a "
             "sample, not a grid, so no heat map is drawn.",
             ml, r->ntrials);
    return true;
}

/* ---- what the search tells the user (issue 12 item 5; docs/report.md) -------------------------- */

/* The y range of a set of values, padded by 6 %. */
static bool value_range(const double *v, size_t n, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = fmin(*lo, v[i]);
            *hi = fmax(*hi, v[i]);
        }
    if (!isfinite(*lo))
        return false;
    double pad = (*hi - *lo) * 0.06;
    if (pad <= 0)
        pad = fmax(1e-6, fabs(*hi) * 1e-3);
    *lo -= pad;
    *hi += pad;
    return true;
}

bool als_plot_history(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    als_rstep *s;
    size_t nu; /* resumed jobs: deliberately not in the caption (report.md is deterministic) */
    bool oom;
    size_t n = als_results_sequence(r, &s, &nu, &oom);
    if (oom) {
        g->oom = true;
        return true;
    }
    if (n == 0)
        return false;
    double *best = malloc(n * sizeof *best), *wall = malloc(n * sizeof *wall), *val = malloc(n * sizeof *val);
    if (!best || !wall || !val) {
        free(best), free(wall), free(val), free(s);
        g->oom = true;
        return true;
    }
    bool timed = als_results_history(r, s, n, best, wall);
    size_t ncomplete = 0, ibest = 0;
    for (size_t i = 0; i < n; i++) {
        val[i] = s[i].complete ? s[i].value : NAN;
        if (isfinite(val[i])) {
            ncomplete++;
            if (ncomplete == 1 || als_results_better(r, val[i], val[ibest]))
                ibest = i;
        }
    }
    double lo, hi;
    if (!value_range(val, n, &lo, &hi)) {
        free(best), free(wall), free(val), free(s);
        return false;
    }
    int np = timed ? 2 : 1;
    int W = np * 440 + 10, H = 340;
    *W_out = W;
    char ml[64], yl[128];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "history", W, H);
    /* columns: step number (1-based), cumulative seconds, the step's value, best so far */
    als_sbuf_puts(g, "$H << EOD\n");
    for (size_t i = 0; i < n; i++)
        als_sbuf_printf(g, "%zu %.17g %.17g %.17g\n", i + 1, wall[i], val[i], best[i]);
    als_sbuf_printf(g, "EOD\n$B << EOD\n%zu %.17g %.17g\nEOD\n", ibest + 1, wall[ibest], val[ibest]);
    als_sbuf_printf(g, "set yrange [%.17g:%.17g]\nset ytics format '%s'\nset datafile missing 'NaN'\n", lo, hi,
                    hi - lo < 0.02 ? "%.4f" : "%.3f");
    snprintf(yl, sizeof yl, "CV %s", ml);
    als_sbuf_puts(g, "set ylabel ");
    sb_gp(g, yl);
    als_sbuf_printf(g, "\nset grid xtics ytics lc rgb '#dddddd' lw 1 dt 1\n"
                       "set key %s right samplen 2 spacing 1.1 box lc rgb '#bbbbbb' opaque\nset multiplot\n",
                    r->higher_is_better ? "bottom" : "top");
    for (int p = 0; p < np; p++) {
        gp_margins(g, W, H, p, 0, 440, H, 0, 80, 15, 30, 55);
        int xc = p == 0 ? 1 : 2;
        als_sbuf_puts(g, "set xlabel ");
        sb_gp(g, p == 0 ? (r->has_trials ? "trial (in trial order)" : "cell (in cell order, each cell a trial)")
                        : "cumulative wall time of the jobs (s, timings.csv)");
        als_sbuf_printf(g, "\n%s\nplot $H using %d:3 with points pt 7 ps 0.6 lc rgb '#9a9a9a' title 'trial', \\\n"
                           "     $H using %d:4 with steps lw 2 lc rgb '#0072B2' title 'best so far', \\\n"
                           "     $B using %d:3 with points pt 13 ps 1.8 lc rgb '#D55E00' title 'best trial'\n",
                        p == 0 ? "set xrange [0.5:*]" : "set xrange [0:*]", xc, xc, xc == 1 ? 1 : 2);
        if (p == 0 && np == 2)
            als_sbuf_puts(g, "unset key\n");
    }
    als_sbuf_puts(g, "unset multiplot\n");
    int w = snprintf(caption, ncap,
                     "Optimisation history: the cross-validated %s of each %s (grey) and the best so far (blue "
                     "steps), against the number of %s%s. %zu of %zu %s completed",
                     ml, r->has_trials ? "trial" : "cell", r->has_trials ? "trials" : "cells taken in cell order",
                     timed ? " (left) and against the cumulative wall time of their jobs (right: a config's jobs "
                             "are counted at its first trial, later trials of the config reuse them)"
                           : "",
                     ncomplete, n, r->has_trials ? "trials" : "cells");
    if (w > 0 && (size_t)w < ncap) {
        size_t k = (size_t)w;
        if (!timed)
            k += (size_t)snprintf(caption + k, ncap - k, "; no wall-time panel: %s",
                                  r->has_timings ? "timings.csv has no job rows of these trials" : "timings.csv is missing");
        /* the caption goes into report.md, which must be byte-identical after a resume: it says
         * nothing that depends on the times (nor on how many jobs were resumed) */
        if (k < ncap)
            snprintf(caption + k, ncap - k, ". Wall times are not deterministic, so they are in the figure only; "
                                            "jobs resumed from an earlier run have no time and count 0.");
    }
    free(best), free(wall), free(val), free(s);
    return true;
}

/* Parallel coordinates of a sampled search's complete trials. */
bool als_plot_parallel(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!r->has_trials || r->ntrials < 2)
        return false;
    static const char *const names[7] = {"rank", "regParam", "maxIter", "alpha", "implicitPrefs", "nonnegative", "bias"};
    int dims[7], nd = 0;
    double dlo[7], dhi[7];
    bool dlog[7];
    size_t ncomplete = 0;
    long best = -1;
    double vlo = INFINITY, vhi = -INFINITY;
#define TV(x, d)                                                                                                   \
    ((d) == 0 ? (x)->rank : (d) == 1 ? (x)->regParam : (d) == 2 ? (x)->maxIter : (d) == 3 ? (x)->alpha         \
     : (d) == 4 ? (double)(x)->implicitPrefs : (d) == 5 ? (double)(x)->nonnegative : (double)(x)->bias)
    for (size_t t = 0; t < r->ntrials; t++) {
        const als_rtrial *x = &r->trials[t];
        if (x->state != ALS_TRIAL_COMPLETE || !isfinite(x->mean))
            continue;
        ncomplete++;
        vlo = fmin(vlo, x->mean);
        vhi = fmax(vhi, x->mean);
        if (best < 0 || als_results_better(r, x->mean, r->trials[best].mean))
            best = (long)t;
    }
    if (ncomplete < 2)
        return false;
    for (int d = 0; d < 7; d++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t t = 0; t < r->ntrials; t++) {
            const als_rtrial *x = &r->trials[t];
            double v = TV(x, d);
            if (x->state == ALS_TRIAL_COMPLETE && isfinite(x->mean) && isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
        if (!(hi > lo))
            continue;
        char key[48];
        snprintf(key, sizeof key, "als.%s.log", names[d]);
        const char *lg = r->has_experiment ? als_yflat_get(&r->experiment, key) : NULL;
        dlog[nd] = lg && strcmp(lg, "true") == 0 && lo > 0;
        dlo[nd] = lo;
        dhi[nd] = hi;
        dims[nd++] = d;
    }
    if (nd == 0)
        return false;
    int naxes = nd + 1;
    int W = 240 + 130 * naxes, H = 380;
    W = W < 620 ? 620 : W;
    *W_out = W;
    char ml[64];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "parallel", W, H);
    /* one block per trial (blank line between): axis, position in [0, 1], the trial's value */
    for (int pass = 0; pass < 2; pass++) {
        als_sbuf_printf(g, "%s << EOD\n", pass == 0 ? "$P" : "$BEST");
        for (size_t t = 0; t < r->ntrials; t++) {
            const als_rtrial *x = &r->trials[t];
            if (x->state != ALS_TRIAL_COMPLETE || !isfinite(x->mean) || (pass == 1) != ((long)t == best))
                continue;
            for (int k = 0; k < nd; k++) {
                double v = TV(x, dims[k]), u;
                if (!isfinite(v))
                    continue;
                u = dlog[k] ? (log(v) - log(dlo[k])) / (log(dhi[k]) - log(dlo[k])) : (v - dlo[k]) / (dhi[k] - dlo[k]);
                als_sbuf_printf(g, "%d %.17g %.17g\n", k + 1, u, x->mean);
            }
            double u = vhi > vlo ? (x->mean - vlo) / (vhi - vlo) : 0.5;
            als_sbuf_printf(g, "%d %.17g %.17g\n\n", nd + 1, u, x->mean);
        }
        als_sbuf_puts(g, "EOD\n");
    }
#undef TV
    als_sbuf_printf(g, "set xrange [0.7:%d.3]\nset yrange [-0.09:1.09]\nunset ytics\nunset border\nset border 1\n"
                       "set lmargin 4\nset rmargin 20\nset tmargin 2\nset bmargin 4\nunset key\n",
                    naxes);
    als_sbuf_puts(g, "set xtics (");
    for (int k = 0; k < naxes; k++) {
        als_sbuf_printf(g, "%s", k ? ", " : "");
        sb_gp(g, k < nd ? names[dims[k]] : ml);
        als_sbuf_printf(g, " %d", k + 1);
    }
    als_sbuf_puts(g, ") scale 0\n");
    /* each axis: a vertical line with its bounds written below and above */
    for (int k = 0; k < naxes; k++) {
        num_t a, b;
        double lo = k < nd ? dlo[k] : vlo, hi = k < nd ? dhi[k] : vhi;
        bool boolean = k < nd && dims[k] >= 4;
        if (boolean) {
            snprintf(a, sizeof a, "false");
            snprintf(b, sizeof b, "true");
        } else if (k < nd) {
            fmt_param(a, lo);
            fmt_param(b, hi);
        } else {
            snprintf(a, sizeof a, "%.4f", lo);
            snprintf(b, sizeof b, "%.4f", hi);
        }
        als_sbuf_printf(g, "set arrow %d from %d, 0 to %d, 1 nohead lw 1.2 lc rgb '#444444' front\n", k + 1, k + 1, k + 1);
        als_sbuf_printf(g, "set label %d '%s' at %d, -0.045 center font ',10' front\n", 2 * k + 1, a, k + 1);
        als_sbuf_printf(g, "set label %d '%s%s' at %d, 1.045 center font ',10' front\n", 2 * k + 2, b,
                        k < nd && dlog[k] ? " (log)" : "", k + 1);
    }
    /* colour by value, the better end dark blue */
    als_sbuf_printf(g, "set cbrange [%.17g:%.17g]\nset cbtics format '%%.3f'\nset colorbox vertical user origin %.4f,0.15 size %.4f,0.7\n"
                       "set palette defined (0 '%s', 1 '%s')\n",
                    (double)(W - 125) / W, 14.0 / W, vhi > vlo ? vlo : vlo - 1e-6, vhi > vlo ? vhi : vhi + 1e-6, r->higher_is_better ? "#dddddd" : "#0072B2",
                    r->higher_is_better ? "#0072B2" : "#dddddd");
    als_sbuf_puts(g, "plot $P using 1:2:3 with lines lw 1.2 lc palette, \\\n"
                     "     $BEST using 1:2 with linespoints lw 2.6 pt 13 ps 1.2 lc rgb '#D55E00'\n");
    size_t nother = r->ntrials - ncomplete;
    int w = snprintf(caption, ncap,
                     "Parallel coordinates of the %zu complete trials: one vertical axis per parameter the trials "
                     "varied and one for the CV %s; each trial is a line through its values, each axis spans the "
                     "values drawn (bounds written at its ends; log-scaled where the distribution is "
                     "log-uniform), and its colour is its CV %s (dark blue = better). The best trial is the thick "
                     "red line. Lines that bundle on one axis near the better values show where the good region is",
                     ncomplete, ml, ml);
    if (nother && w > 0 && (size_t)w < ncap)
        snprintf(caption + w, ncap - (size_t)w, "; the %zu pruned or failed trials are left out (they have no final value)",
                 nother);
    size_t len = strlen(caption);
    if (len + 1 < ncap)
        snprintf(caption + len, ncap - len, ".");
    return true;
}

bool als_plot_importance(const als_results *r, const als_rimportance *imp, als_sbuf *g, int *W_out, char *caption,
                         size_t ncap)
{
    (void)r;
    if (imp->np == 0)
        return false;
    int W = 160 + 90 * (int)imp->np, H = 320;
    W = W < 480 ? 480 : W;
    *W_out = W;
    gp_header(g, "importance", W, H);
    als_sbuf_puts(g, "$I << EOD\n");
    for (size_t k = 0; k < imp->np; k++)
        als_sbuf_printf(g, "\"%s\" %.17g %.17g\n", imp->p[k].name, isfinite(imp->p[k].share) ? imp->p[k].share : 0,
                        imp->p[k].eta2);
    als_sbuf_puts(g, "EOD\n");
    als_sbuf_printf(g, "set yrange [0:1.12]\nset xrange [-0.6:%zu.6]\nset ytics 0.2 format '%%.1f'\n"
                       "set ylabel 'importance (share of Σ η²)'\nset grid ytics lc rgb '#dddddd' lw 1 dt 1\n"
                       "set style fill solid 0.8 border rgb '#333333'\nset boxwidth 0.6\nunset key\n"
                       "set lmargin 10\nset rmargin 3\nset tmargin 2\nset bmargin 3\n",
                    imp->np - 1);
    als_sbuf_puts(g, "plot $I using 0:2:xtic(1) with boxes lc rgb '#0072B2', \\\n"
                     "     $I using 0:2:(sprintf('%.2f (η² %.2f)', $2, $3)) with labels offset 0,0.8 font ',10'\n");
    snprintf(caption, ncap,
             "Parameter importance by the variance of binned marginals, over %zu completed trials: for each "
             "parameter the trials varied, η² = the share of the variance of the trials' CV values explained by the "
             "means of its bins (one bin per value when it took at most %zu values, else %zu bins of equal count), "
             "and its importance η² / Σ η² (the bars, summing to 1). η² of a parameter with no effect is about "
             "(bins − 1)/(trials − 1) by chance alone; the table below gives it. Marginal: an interaction "
             "between parameters is credited to each of them.",
             imp->n_trials, imp->max_bins, imp->max_bins);
    return true;
}

typedef struct {
    long bracket, trial, rung;
    size_t i;
} rung_key;

static int cmp_rung_key(const void *a, const void *b)
{
    const rung_key *x = a, *y = b;
    if (x->bracket != y->bracket)
        return x->bracket < y->bracket ? -1 : 1;
    if (x->trial != y->trial)
        return x->trial < y->trial ? -1 : 1;
    if (x->rung != y->rung)
        return x->rung < y->rung ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* state of a trial by number from trials.csv, or -1 when it is not there */
static int trial_state(const als_results *r, long trial)
{
    if (trial >= 0 && (size_t)trial < r->ntrials && r->trials[trial].trial == trial)
        return (int)r->trials[trial].state;
    for (size_t t = 0; t < r->ntrials; t++)
        if (r->trials[t].trial == trial)
            return (int)r->trials[t].state;
    return -1;
}

bool als_plot_rungs(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!r->has_rungs || r->nrungs == 0)
        return false;
    rung_key *k = malloc(r->nrungs * sizeof *k);
    if (!k) {
        g->oom = true;
        return true;
    }
    size_t n = 0;
    double lo = INFINITY, hi = -INFINITY, blo = INFINITY, bhi = -INFINITY;
    for (size_t i = 0; i < r->nrungs; i++) {
        const als_rrung *x = &r->rungs[i];
        if (!isfinite(x->value))
            continue;
        k[n++] = (rung_key){x->bracket, x->trial, x->rung, i};
        lo = fmin(lo, x->value);
        hi = fmax(hi, x->value);
        blo = fmin(blo, x->budget);
        bhi = fmax(bhi, x->budget);
    }
    if (n == 0) {
        free(k);
        return false;
    }
    qsort(k, n, sizeof *k, cmp_rung_key);
    long brackets[16];
    size_t nbr = 0, nbr_all = 0;
    for (size_t j = 0; j < n; j++)
        if (j == 0 || k[j].bracket != k[j - 1].bracket) {
            nbr_all++;
            if (nbr < 16)
                brackets[nbr++] = k[j].bracket;
        }
    /* the best trial: among trials not pruned, the best value at the largest budget it reached */
    long best_trial = -1;
    double best_val = NAN;
    size_t ntr = 0, npruned = 0;
    for (size_t j = 0; j < n; j++) {
        bool last = j + 1 == n || k[j + 1].trial != k[j].trial || k[j + 1].bracket != k[j].bracket;
        if (!last)
            continue;
        ntr++;
        const als_rrung *x = &r->rungs[k[j].i];
        int stt = trial_state(r, x->trial);
        bool pruned = stt >= 0 ? stt != ALS_TRIAL_COMPLETE : (!x->promoted && x->budget < bhi);
        npruned += pruned;
        if (!pruned && als_results_better(r, x->value, best_val)) {
            best_val = x->value;
            best_trial = x->trial;
        }
    }
    size_t ncols = nbr < 3 ? nbr : 3, nrows = (nbr + ncols - 1) / ncols;
    int W = (int)ncols * 400 + 10, H = (int)nrows * 320 + 10;
    *W_out = W;
    char ml[64], yl[128];
    als_metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "rungs", W, H);
    /* per bracket three blocks: pruned trials, the others, the best; one trial per block of lines */
    bool filled[16][3] = {{false}};
    for (size_t b = 0; b < nbr; b++) {
        for (int grp = 0; grp < 3; grp++) {
            als_sbuf_printf(g, "$R%zu_%d << EOD\n", b, grp);
            for (size_t j = 0; j < n; j++) {
                if (k[j].bracket != brackets[b])
                    continue;
                /* the trial's group, from its last rung */
                size_t e = j;
                while (e + 1 < n && k[e + 1].trial == k[j].trial && k[e + 1].bracket == k[j].bracket)
                    e++;
                const als_rrung *last = &r->rungs[k[e].i];
                int stt = trial_state(r, last->trial);
                bool pruned = stt >= 0 ? stt != ALS_TRIAL_COMPLETE : (!last->promoted && last->budget < bhi);
                int tg = last->trial == best_trial && !pruned ? 2 : pruned ? 0 : 1;
                if (tg == grp) {
                    filled[b][grp] = true;
                    for (size_t q = j; q <= e; q++)
                        als_sbuf_printf(g, "%.17g %.17g\n", r->rungs[k[q].i].budget, r->rungs[k[q].i].value);
                    als_sbuf_puts(g, "\n");
                }
                j = e;
            }
            als_sbuf_puts(g, "EOD\n");
        }
    }
    double pad = (hi - lo) * 0.06;
    if (pad <= 0)
        pad = fmax(1e-6, fabs(hi) * 1e-3);
    bool logx = bhi >= 4 * blo;
    als_sbuf_printf(g, "set yrange [%.17g:%.17g]\nset ytics format '%%.3f'\n", lo - pad, hi + pad);
    if (logx)
        als_sbuf_printf(g, "set logscale x 2\nset xrange [%.17g:%.17g]\n", blo / 1.25, bhi * 1.25);
    else
        als_sbuf_printf(g, "set xrange [%.17g:%.17g]\n", blo - 0.5 - 0.05 * (bhi - blo), bhi + 0.5 + 0.05 * (bhi - blo));
    snprintf(yl, sizeof yl, "CV %s at the rung", ml);
    als_sbuf_puts(g, "set ylabel ");
    sb_gp(g, yl);
    als_sbuf_puts(g, "\nset xlabel 'budget (iterations)'\nset grid xtics ytics lc rgb '#dddddd' lw 1 dt 1\nunset key\nset multiplot\n");
    for (size_t b = 0; b < nbr; b++) {
        gp_margins(g, W, H, (int)(b % ncols), (int)(b / ncols), 400, 320, 0, 80, 15, 35, 55);
        char t[64];
        snprintf(t, sizeof t, "bracket %ld", brackets[b]);
        gp_title(g, t);
        /* only the groups the bracket has (gnuplot warns about an empty block) */
        static const char *const style[3] = {"lw 1 pt 6 ps 0.6 lc rgb '#b0b0b0'", "lw 1.4 pt 7 ps 0.7 lc rgb '#0072B2'",
                                             "lw 2.4 pt 13 ps 1.4 lc rgb '#D55E00'"};
        const char *sep = "plot ";
        for (int grp = 0; grp < 3; grp++) {
            if (!filled[b][grp])
                continue;
            als_sbuf_printf(g, "%s$R%zu_%d using 1:2 with linespoints %s", sep, b, grp, style[grp]);
            sep = ", \\\n     ";
        }
        als_sbuf_puts(g, "\n");
    }
    als_sbuf_puts(g, "unset multiplot\n");
    free(k);
    int w = snprintf(caption, ncap,
                     "Rungs of the pruned search (rungs.csv): each trial's CV %s at every budget (iterations) it was "
                     "evaluated at, joined by lines, one panel per bracket; grey: the %zu of %zu trials pruned (not "
                     "promoted past their last rung), blue: the trials that ran to the end, red: the best of them",
                     ml, npruned, ntr);
    if (nbr < nbr_all && w > 0 && (size_t)w < ncap)
        w += snprintf(caption + w, ncap - (size_t)w, "; the first %zu of %zu brackets are drawn", nbr, nbr_all);
    size_t len = strlen(caption);
    if (len + 1 < ncap)
        snprintf(caption + len, ncap - len, ".");
    return true;
}
