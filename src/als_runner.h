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

#include <signal.h>
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
    /* Stop request, set asynchronously (the CLI's SIGINT/SIGTERM handler stores the signal
     * number); NULL = never.  The runner polls it at safe points — before each job, after each
     * iteration of a job, between the final files — finishes the write in progress and returns
     * ALS_E_INTERRUPTED.  The library itself installs no handler. */
    volatile sig_atomic_t *stop;
    /* Scale-out (docs/scale.md).  Under mpirun (als_mpi_init called, more than one rank) rank 0
     * deals the jobs to every rank and alone writes; the other ranks' call serves jobs and
     * returns when rank 0's run ends.  --shard I/N: nshards > 0 runs only shard `shard`
     * (0 .. nshards-1) of the jobs, journaled in its own files, and stops before the summary.
     * merge: run no job; combine the shards' journals, or fail naming the missing jobs. */
    int shard, nshards;
    bool merge;
} als_run_opts;

typedef struct {
    char out_dir[4096];   /* where the results went */
    int jobs_total, jobs_resumed;
    double wall_seconds;
    int lock_fd;          /* the folder's lock, still held after a successful run; -1 = none */
} als_run_result;

/* Run the experiment end to end.  On failure d explains; the journal (folds.csv/iterations.csv,
 * complete jobs only) and any file already renamed into place stay, so a rerun resumes.
 * The output folder is locked (flock on <out>/alstune.lock) for the whole run: a second run on
 * the same folder fails at once with ALS_E_BUSY naming the holder's pid.  On success with res
 * not NULL the lock stays held (res->lock_fd) so the caller can add files (the report) before
 * releasing it with als_runner_unlock; on failure it is released. */
als_status als_run_experiment(const als_experiment *e, const als_run_opts *o, als_run_result *res,
                              als_diag *d);

/* Print the split of the jobs (docs/scale.md) over o->nshards shards (the exact assignment), or
 * over `ranks` MPI ranks (simulated: dynamic dealing, largest first, by the cost model) on o->out.
 * Reads the data and builds the folds: the costs depend on the folds' sizes. */
als_status als_runner_plan(const als_experiment *e, const als_run_opts *o, int ranks, als_diag *d);

/* Release the lock left held by a successful als_run_experiment (no-op when none). */
void als_runner_unlock(als_run_result *res);

/* Number of configs (grid points without maxIter) and cells (with) of an experiment. */
int als_runner_nconfigs(const als_experiment *e);

#endif
