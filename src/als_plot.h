/* als_plot — the report's figures: gnuplot scripts built from a results folder, and running
 * gnuplot on them.  Each figure function appends a complete gnuplot script (SVG terminal, output on
 * stdout) to g, sets *W_out to the figure's width in px and a caption, and returns false when the
 * data has nothing to draw (g then holds nothing useful).  Scripts are kept beside the SVGs
 * (plots/NAME.gp) so a researcher can restyle a figure.  Never prints; the gnuplot process gets
 * /dev/null as stdin and its stderr is captured for the error text. */
#ifndef ALS_PLOT_H
#define ALS_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "als_results.h"
#include "als_sbuf.h"

/* name as a path (contains '/') or searched on PATH; the executable's path in out. */
bool als_plot_find_program(const char *name, char *out, size_t n);
/* Run prog on the script file, writing its stdout to svg_path via temp + rename.  On failure the
 * first lines of stderr (or the reason) go to err and false is returned. */
bool als_plot_run(const char *prog, const char *script, const char *svg_path, char *err, size_t nerr);
/* Mean CV metric over the (rank, regParam) grid, one panel per maxIter. */
bool als_plot_heatmap(const als_results *r, const als_rgrid *G, als_sbuf *g, int *W_out, char *caption, size_t ncap);
/* Spread of the metric over folds, per config. */
bool als_plot_spread(const als_results *r, const als_rgrid *G, als_sbuf *g, int *W_out, char *caption, size_t ncap);
/* Learning curves from iterations.csv (false when it is missing or empty). */
bool als_plot_learning(const als_results *r, const als_rgrid *G, als_sbuf *g, int *W_out, char *caption, size_t ncap);
/* Every cell's CV mean with its 95 % confidence interval (mean ± t_{0.975,k-1}·se, k = n_folds),
 * sorted by mean (best first), cells equivalent_to_best in blue, the selected cell marked.  False
 * when summary.csv has no issue 13 columns (has_stats, a finite se) or no finite mean. */
bool als_plot_ci(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap);
/* A sampled search (trials.csv): each trial's CV mean against each sampled numeric parameter (rank,
 * regParam, maxIter, alpha with ≥ 2 distinct values among the trials), one panel each, log x when
 * experiment.yaml's distribution says log: true; the best trial in red.  False without trials. */
bool als_plot_trials(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap);

#endif
