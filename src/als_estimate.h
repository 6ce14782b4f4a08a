/* als_estimate — peak memory and run time of an experiment before it runs (`tune --dry-run`,
 * docs/scale.md "Estimates").  A documented byte and flop model of the runner, nothing measured:
 * bytes count the arrays the runner allocates (ratings, index arrays, the folds' CSR matrices,
 * the running jobs' factors and workspaces, the journal rows kept until the summary, the refit);
 * seconds are the solver's and the evaluation's flops divided by a throughput per thread
 * (ALS_EST_FLOPS_PER_THREAD, calibrated on ml-100k, docs/scale.md) plus a cost per rating read. */
#ifndef ALS_ESTIMATE_H
#define ALS_ESTIMATE_H

#include <stdint.h>

#include "als_config.h"

/* The time model's constants (docs/scale.md "Estimates"): the shape (which term dominates for
 * which rank and size) from the per-job seconds of timings.csv of ml-100k (4 ranks, 80 jobs)
 * and the ml-25m preset (rank 10), the scale from the CPU seconds (user) of those runs, since
 * wall time on a shared machine depends on the other load.  A job's time is flops / ALS_EST_FLOPS_PER_THREAD plus a cost
 * per rating visited (gathering the other side's factor row): cheap while the factor tables fit
 * in cache (≤ ALS_EST_CACHE_BYTES), a memory access when they do not. */
#define ALS_EST_FLOPS_PER_THREAD 3.7e10   /* flop/s of one thread in the row solves */
#define ALS_EST_VISIT_CACHED 3.6e-9        /* s per rating visit, factor tables in cache */
#define ALS_EST_VISIT_MEMORY 1.1e-8        /* s per rating visit, factor tables in memory */
#define ALS_EST_TOUCH_CACHED 6e-9         /* s per rating moved by a split / CSR build, small data */
#define ALS_EST_TOUCH_MEMORY 3.5e-8       /* the same, ratings beyond the cache */
#define ALS_EST_LOAD_PER_RATING 7e-8      /* s per rating parsed (or generated) and hashed */
#define ALS_EST_CACHE_BYTES 4e6
/* model: bpmf (issue 15): a Gibbs sweep costs this many ALS iterations of the same rank on the same
 * data (docs/bpmf.md §10c: 0.91-1.25, measured in the same process at ranks 10 and 64); a job runs
 * burnin + the largest samples sweeps, each followed by the posterior-mean predictions of its
 * validation and training pairs. */
#define ALS_EST_BPMF_SWEEP 1.1
/* Resident size of the binary, its libraries and OpenBLAS/OpenMP buffers before any data. */
#define ALS_EST_BASE_BYTES 8e6

/* The size of the data: exact after loading, or the synthetic generator's parameters. */
typedef struct {
    uint64_t ratings;
    uint32_t users, items;
    uint64_t file_bytes;   /* the ratings file (read into memory while parsing); 0 for synthetic */
} als_data_shape;

typedef struct {
    double jobs;           /* (grid point, fold) jobs of the whole run, nested CV's inner runs included */
    double bytes_data;     /* ratings + id maps + holdout/fold index arrays, whole run */
    double bytes_load;     /* extra while parsing (the file's bytes) */
    double bytes_folds;    /* the K folds' CSR matrices, during CV */
    double bytes_jobs;     /* the jobs running at once: factors, padded tables, workspaces */
    double bytes_journal;  /* folds.csv/iterations.csv rows of every job, kept to the summary */
    double bytes_refit;    /* the refit on all non-test data, after the folds are freed */
    double peak_bytes;     /* max over the phases (load, CV, refit) */
    double flops_cv, flops_refit;
    double seconds_load, seconds_split, seconds_cv, seconds_refit;
    double seconds;        /* total wall estimate on otherwise idle cores */
    double cpu_seconds;    /* total CPU time (compare with user + sys of /usr/bin/time) */
    /* issue 13: the folds are numFolds x split.numRepeats, every job trains `replicates` times,
     * and split.outerFolds = K adds K inner runs after the ordinary one (docs/scale.md) */
    double trainings;      /* jobs x replicates: ALS trainings of CV (the refits not counted) */
    double jobs_run;       /* the ordinary run's jobs (= jobs without nested CV) */
    double outer_runs;     /* K inner runs of nested CV (0 without) */
    double jobs_nested;    /* their jobs, K x the jobs of one inner run */
    double flops_nested;   /* their flops (CV and refit) */
    double seconds_nested; /* their wall time, included in seconds */
} als_estimate;

/* Estimate e on data of shape s with `threads` worker threads (≥ 1): the ordinary run (k·R folds,
 * N replicates per job) and, with split.outerFolds = K, the K inner runs of nested CV. */
void als_estimate_run(const als_experiment *e, const als_data_shape *s, int threads, als_estimate *out);

#endif
