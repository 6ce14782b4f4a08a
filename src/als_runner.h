/* als_runner — the tuning workbench: grid × k-fold cross-validation of ALS on all cores,
 * crash-safe journaling and resume, and the results folder of docs/outputs.md.
 *
 * Jobs are (config, fold) pairs — a config is a grid point without maxIter — trained once to the
 * largest maxIter and evaluated at every maxIter of the grid (path reuse).  Jobs run largest-first
 * on OpenMP threads; each job is single-threaded unless it is the last one running, when
 * parallelism moves inside it.  Every output except timings.csv and provenance.yaml is a pure
 * function of (binary, experiment, data): byte-identical for any thread count, resumed or not. */
#ifndef ALS_RUNNER_H
#define ALS_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "als_config.h"
#include "als_error.h"

typedef struct {
    int threads;          /* 0 = all cores */
    bool fresh;           /* discard any previous (partial) results in the output folder */
    bool quiet;           /* no progress, no final table */
    bool save_holdout;    /* write holdout.csv, the held-out test ratings (docs/outputs.md) */
    const char *out_dir;  /* overrides the experiment's output folder when not NULL */
    FILE *log;            /* progress and messages (stderr) */
    FILE *out;            /* the final table (stdout) */
} als_run_opts;

typedef struct {
    char out_dir[4096];   /* where the results went */
    int jobs_total, jobs_resumed;
    double wall_seconds;
} als_run_result;

/* Run the experiment end to end.  On failure d explains; the journal (folds.csv/iterations.csv,
 * complete jobs only) and any file already renamed into place stay, so a rerun resumes. */
als_status als_run_experiment(const als_experiment *e, const als_run_opts *o, als_run_result *res,
                              als_diag *d);

/* Number of configs (grid points without maxIter) and cells (with) of an experiment. */
int als_runner_nconfigs(const als_experiment *e);

#endif
