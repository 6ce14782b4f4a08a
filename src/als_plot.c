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
    long maxit = 0;
    for (size_t k = 0; k < r->niters; k++)
        if (r->iters[k].iteration > maxit)
            maxit = r->iters[k].iteration;
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
    als_sbuf_puts(g, "set xlabel 'iteration'\nset grid lc rgb '#e5e5e5' lw 1 dt 1\n");
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
            snprintf(title, sizeof title, "validation RMSE, iterations %ld–%ld", x0, maxit);
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
                 "lines mark the grid's maxIter values.",
                 ncfg, ml);
    else
        snprintf(caption, ncap,
                 "Learning curves of the %zu best configurations (ranked by their best cell), averaged over folds: "
                 "training (dashed) vs validation (solid) RMSE%s. Dotted vertical lines mark the grid's maxIter values.",
                 ncfg, npanels == 2 ? "; right: the validation RMSE over the second half of the iterations, zoomed" : "");
    if (clip) {
        size_t n = strlen(caption);
        snprintf(caption + n, ncap - n,
                 " The RMSE axis ends a little above the values of iteration 2: after the first iteration "
                 "(from random factors) the RMSE is up to %.3f, off the top.",
                 rmse_first);
    }
    return true;
}

