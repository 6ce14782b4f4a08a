/* als_report — reading a results folder (docs/outputs.md) and writing its report: report.md
 * (Markdown tables, figures referenced as plots/NAME.svg) and report.html (one self-contained file:
 * inline CSS, inline SVG, no external resources).  Plots are drawn by the gnuplot binary when it
 * is available; without it the report keeps every table and says so in a visible note.
 *
 * The readers here are deliberately small: CSV files are header-driven (columns are found by
 * name, so added columns do not break old readers) and the YAML files alstune writes are read
 * with a line parser for the flat subset they use (see als_yflat).  libyaml stays in als_config.
 * als_check (the regression gate) reads results folders through the same functions. */
#ifndef ALS_REPORT_H
#define ALS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "als_error.h"

/* ---- CSV ------------------------------------------------------------------------------------ */
/* A CSV file with a header row: ',' separators, no quoting (docs/outputs.md), CRLF tolerated,
 * blank lines skipped.  Every row must have as many fields as the header. */
typedef struct {
    char path[4096];
    size_t ncols, nrows;
    char **names;  /* ncols header names */
    char **cells;  /* nrows × ncols field pointers (row-major), into buf */
    long *lines;   /* 1-based file line of each row */
    char *buf;     /* the file text, split in place */
} als_csv;

/* Read path.  A missing file is ALS_E_INPUT ("path: error: cannot open ..."), a row with the
 * wrong number of fields is ALS_E_INPUT at path:line.  On failure t is left empty (free-able). */
als_status als_csv_read(als_csv *t, const char *path, als_diag *d);
void als_csv_free(als_csv *t);
/* Column index of name, or -1. */
int als_csv_col(const als_csv *t, const char *name);
/* Like als_csv_col, but a missing column is ALS_E_INPUT at path:1 naming the column. */
als_status als_csv_need(const als_csv *t, const char *name, int *col, als_diag *d);
static inline const char *als_csv_at(const als_csv *t, size_t row, int col)
{
    return t->cells[row * t->ncols + (size_t)col];
}
/* Field (row, col) as a number (strtod: "nan"/"inf" accepted; empty or trailing junk is
 * ALS_E_INPUT at path:line:col naming the column and the text found).  col < 0 gives NaN. */
als_status als_csv_double(const als_csv *t, size_t row, int col, double *out, als_diag *d);
/* "true"/"false" (also 1/0); col < 0 gives false. */
als_status als_csv_bool(const als_csv *t, size_t row, int col, bool *out, als_diag *d);

/* ---- flat YAML ------------------------------------------------------------------------------- */
/* The YAML subset alstune writes (experiment.yaml, best.yaml, provenance.yaml, baselines):
 * block mappings by indentation, `key: scalar`, flow mappings `key: {a: 1, b: x}`, flow lists
 * `key: [1, 2]`, block lists of scalars or of mappings (`- a: 1` / `- {a: 1}`), '#' comments,
 * single/double-quoted scalars.  Each leaf becomes an entry keyed by its dotted path:
 * "params.rank", "cells[3].mean".  A list of scalars (flow or block) is one entry whose value is
 * the items joined by ", " (its block items also appear as "key[i]", flagged item).
 * Anchors, tags, multi-line scalars and multiple documents are errors. */
typedef struct {
    char *key;    /* dotted path */
    char *value;  /* unquoted scalar; "" for an empty value; lists joined by ", " */
    long line, col;
    bool list;    /* a list of scalars */
    bool item;    /* one element of a block list ("key[i]") */
} als_yentry;

typedef struct {
    char path[4096];
    als_yentry *e;
    size_t n, cap;
} als_yflat;

void als_yflat_init(als_yflat *y);
void als_yflat_free(als_yflat *y);
/* Parse text (path is for messages).  Errors are ALS_E_INPUT at path:line:col. */
als_status als_yflat_parse(als_yflat *y, const char *path, const char *text, als_diag *d);
/* Read and parse a file; a missing file is ALS_E_INPUT. */
als_status als_yflat_read(als_yflat *y, const char *path, als_diag *d);
const als_yentry *als_yflat_find(const als_yflat *y, const char *key);
/* The value of key, or NULL when absent or null ("", "null", "~"). */
const char *als_yflat_get(const als_yflat *y, const char *key);
/* key as a number: absent → ALS_E_INPUT "path: error: missing key"; junk → path:line:col. */
als_status als_yflat_double(const als_yflat *y, const char *key, double *out, als_diag *d);

/* ---- a results folder ------------------------------------------------------------------------ */
typedef struct {
    long position, cell, cell0;  /* cell0 = first cell of the cell's config (cell - cell % n_maxIter) */
    double rank, regParam, maxIter, alpha;
    bool implicitPrefs, nonnegative, bias;
    double mean, std, min, max, mean_rmse, mean_mae; /* NaN when the column is absent */
    long n_folds;
} als_rcell;

typedef struct {
    long cell0, fold, iteration;
    double train_rmse, valid_rmse, value;
} als_riter;

typedef struct {
    long cell, fold;
    double value;
    double n_train, n_valid, n_dropped;
} als_rfold;

typedef struct {
    char dir[4096];
    char name[256];            /* experiment name (experiment.yaml name:, else the folder name) */
    char metric[64];           /* selection metric, from summary.csv */
    bool higher_is_better;
    als_rcell *cells;          /* summary.csv rows, best first */
    size_t ncells;
    double maxIters[64];       /* distinct maxIter values, ascending */
    size_t n_maxIter;
    als_riter *iters;          /* iterations.csv (niters = 0 when the file is absent) */
    size_t niters;
    als_rfold *folds;          /* folds.csv (nfolds_rows = 0 when absent) */
    size_t nfold_rows;
    als_yflat experiment, best, provenance;  /* n = 0 when the file is absent */
    bool has_experiment, has_best, has_provenance, has_iterations, has_folds;
} als_results;

/* Load dir/summary.csv (required) and the other files of docs/outputs.md when present.
 * A missing folder or summary.csv, a garbled file, or a summary mixing metrics is ALS_E_INPUT
 * with path:line.  r is always free-able afterwards. */
als_status als_results_load(als_results *r, const char *dir, als_diag *d);
void als_results_free(als_results *r);

/* Direction of a metric by name: rmse, mse, mae, mpr (any case, with or without @k) are
 * lower-is-better; every other metric is higher-is-better. */
bool als_metric_name_lower_is_better(const char *name);

/* The row index in r->cells matching the parameters of c (rank, regParam, maxIter, alpha,
 * implicitPrefs, nonnegative, bias), or -1. */
long als_results_find_cell(const als_results *r, const als_rcell *c);

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
} als_report_info;

void als_report_opts_default(als_report_opts *o);
/* Write r->dir/report.md, r->dir/report.html and (with plots) r->dir/plots/{NAME.gp,NAME.svg}
 * for NAME in heatmap, spread, learning.  Every file is written via temp + rename.  A gnuplot
 * that is missing or fails is not an error: the report carries a note and info->notes says why.
 * info may be NULL. */
als_status als_report_write(const als_results *r, const als_report_opts *o, als_report_info *info,
                            als_diag *d);
/* als_results_load + als_report_write (what `alstune report` and the end of `tune` call). */
als_status als_report_dir(const char *dir, const als_report_opts *o, als_report_info *info, als_diag *d);

#endif
