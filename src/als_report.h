/* als_report — the report of a results folder: report.md (Markdown tables, figures referenced as
 * plots/NAME.svg) and report.html (one self-contained file: inline CSS, inline SVG, no external
 * resources).  Plots are drawn by the gnuplot binary (als_plot) when it is available; without it
 * the report keeps every table and says so in a visible note.  The folder is read by als_results
 * (with als_csv and als_yflat), which this header includes for its callers. */
#ifndef ALS_REPORT_H
#define ALS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "als_error.h"
#include "als_results.h"

/* ---- the report ----------------------------------------------------------------------------- */
typedef struct {
    bool plots;           /* false: tables only (--no-plots) */
    const char *gnuplot;  /* gnuplot program: a path, or a name searched on PATH; NULL = "gnuplot" */
} als_report_opts;

#define ALS_REPORT_NOTES 8
typedef struct {
    int n_plots;          /* figures drawn */
    int n_plots_wanted;   /* figures the data called for */
    bool gnuplot_missing;
    char md_path[4200], html_path[4200];
    int n_notes;          /* warnings also shown in the report (gnuplot missing, file absent...) */
    char notes[ALS_REPORT_NOTES][600];
    size_t n_warnings;    /* the report's Warnings block (als_results_warnings), for the CLI to print */
    als_rwarn warnings[ALS_RWARN_MAX];
} als_report_info;

void als_report_opts_default(als_report_opts *o);
/* Write r->dir/report.md, r->dir/report.html and (with plots) r->dir/plots/{NAME.gp,NAME.svg}
 * for NAME in heatmap, spread, history, importance, learning, ci (a grid) or trials, parallel,
 * history, importance, learning, ci (a sampled search, r->has_trials), plus rungs when the folder
 * has rungs.csv (a pruner ran); ci only with issue 13's columns, importance only when
 * als_results_importance has something (then also a "Parameter importance" table).  A Warnings block lists als_results_warnings().  Every file is written via temp + rename.  A gnuplot
 * that is missing or fails is not an error: the report carries a note and info->notes says why.
 * info may be NULL. */
als_status als_report_write(const als_results *r, const als_report_opts *o, als_report_info *info,
                            als_diag *d);
/* als_results_load + als_report_write (what `alstune report` and the end of `tune` call). */
als_status als_report_dir(const char *dir, const als_report_opts *o, als_report_info *info, als_diag *d);

#endif
