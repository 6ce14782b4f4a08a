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

/* model: bpmf (issue 15): experiment.yaml's als.model is bpmf (iterations are collected samples). */
bool als_plot_is_bpmf(const als_results *r);
/* A BPMF run: the validation RMSE against collected samples of the selected (else best) config,
 * one line per fold, from iterations.csv.  False for an ALS run or without iterations. */
bool als_plot_bpmf_folds(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap);

/* ---- what the search tells the user (issue 12 item 5; docs/report.md) ------------------------- */
/* Optimisation history over als_results_sequence: each step's value and the best so far against
 * the step number and, when timings.csv times the jobs, against the cumulative wall seconds.
 * False when no step has a finite value. */
bool als_plot_history(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap);
/* Parallel coordinates of a sampled search's complete trials: one axis per parameter with ≥ 2
 * distinct values among them, one for the metric; lines coloured by the metric, the best in red.
 * False without trials.csv or with fewer than 2 complete trials or nothing varying. */
bool als_plot_parallel(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap);
/* Bar chart of als_results_importance's shares (imp sorted as given).  False when imp->np = 0. */
bool als_plot_importance(const als_results *r, const als_rimportance *imp, als_sbuf *g, int *W_out, char *caption,
                         size_t ncap);
/* Rung diagram of a pruned search (rungs.csv): value against budget per trial, lines between its
 * rungs, one panel per bracket (at most 16), pruned trials grey (state from trials.csv, else not
 * promoted at a last rung below the largest budget), the best trial that was not pruned red.
 * False without rungs or finite values. */
bool als_plot_rungs(const als_results *r, als_sbuf *g, int *W_out, char *caption, size_t ncap);

#endif
