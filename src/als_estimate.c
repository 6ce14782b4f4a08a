/* als_estimate — the byte and flop model of a tuning run (see als_estimate.h, docs/scale.md). */
#include "als_estimate.h"

#include <math.h>
#include <string.h>

/* Flops of one ALS iteration over nnz ratings with rank k on U + I rows (docs/als.md): each
 * rating adds a rank-1 term to its user's and its item's Gram matrix (k(k+1) flops each, the
 * symmetric half, multiply-add) and to the right-hand sides (2k each); each row is then solved
 * by Cholesky (k³/3 + 2k²). Implicit: the same plus the YᵀY Gram of each side (2 (U+I) k²). */
static double iter_flops(double nnz, double rows, double k, bool implicit)
{
    double f = 2 * nnz * (k * (k + 1) + 2 * k) + rows * (k * k * k / 3 + 2 * k * k);
    if (implicit)
        f += 2 * rows * k * k;
    return f;
}

/* One ordinary run (no nested CV) whose holdout has ntest ratings.  Its folds are cut k·R times
 * (split.numRepeats: all k·R fold matrices are built before the jobs run) and every job trains
 * `replicates` times (the evaluation too: each replicate is scored). */
static void estimate_one(const als_experiment *e, const als_data_shape *s, int threads, double ntest, als_estimate *out)
{
    memset(out, 0, sizeof *out);
    const double n = (double)s->ratings, U = s->users, I = s->items, k_folds = e->numFolds;
    const double R = e->numRepeats > 1 ? e->numRepeats : 1, N = e->replicates > 1 ? e->replicates : 1;
    const double K = k_folds * R; /* the folds of the run: k per repeat */
    const double ntrain = n - ntest;
    const double nvalid = ntrain / k_folds, nfit = ntrain - nvalid; /* per fold */
    double kmax = 1, maxmax = 1;
    for (int i = 0; i < e->rank.n; i++)
        kmax = fmax(kmax, e->rank.v[i]);
    for (int i = 0; i < e->maxIter.n; i++)
        maxmax = fmax(maxmax, e->maxIter.v[i]);
    /* model: bpmf: maxIter holds the samples; a chain runs burnin + the largest of them sweeps,
     * each ALS_EST_BPMF_SWEEP ALS iterations, and keeps 3 doubles per prediction pair (the running
     * sum, the validation predictions and their values: training and validation pairs) */
    const bool bpmf = e->model == ALS_MODEL_BPMF;
    const double sweeps = bpmf ? (e->bpmfBurnin + maxmax) * ALS_EST_BPMF_SWEEP : maxmax;
    const double nmax = e->maxIter.n, ncfg = als_experiment_nconfigs(e);
    out->jobs = ncfg * K;
    out->trainings = out->jobs * N;
    const bool ranking = als_metric_is_ranking(&e->metric);

    /* bytes: ratings 12 n (user, item, rating), id maps ≈ 24 per id; train/test index 8 n;
     * fold_of 4 ntrain */
    out->bytes_data = 12 * n + 24 * (U + I) + 8 * n + 4 * ntrain;
    out->bytes_load = (double)s->file_bytes + 16 * ntrain; /* file buffer; tr/va while splitting */
    /* per fold: by-user + by-item CSR of its training part (8 per entry each), its validation
     * part by user (8), row pointers (8 per row, three matrices), the cold-item list */
    out->bytes_folds = K * (16 * nfit + 8 * nvalid + 8 * (2 * U + I + 3) + 4 * I);
    /* a running job: the model (4 k per row), the solver's padded copy (4 (k+8) per row), its
     * workspace (a k² double system, a gathered block of up to 4096 neighbours), the evaluation
     * buffers (8 per validation rating, 24 per item), per-iteration values (24 per iteration) */
    double ld = kmax + 8, job = 4 * kmax * (U + I) + 4 * ld * (U + I) + 8 * ld * ld * 4 + 4096.0 * 4 * ld +
                                8 * nvalid + 24 * I + 24 * maxmax + (bpmf ? 24 * (nfit + nvalid) : 0);
    double running = fmin((double)threads, out->jobs);
    out->bytes_jobs = running * job;
    /* journal: each job keeps nmax folds.csv rows (~160 B) and maxmax iterations.csv rows (~120 B) */
    out->bytes_journal = out->jobs * (nmax * 160 + maxmax * 120 + 64);
    out->bytes_refit = 8 * ntrain * 2 + 8 * ntest + 8 * (2 * U + I) + 4 * kmax * (U + I) * 2 + 8 * ntest + 24 * I;
    double load = out->bytes_data + out->bytes_load;
    double cv = out->bytes_data + out->bytes_folds + out->bytes_jobs + out->bytes_journal;
    double refit = out->bytes_data + out->bytes_journal + out->bytes_refit;
    out->peak_bytes = ALS_EST_BASE_BYTES + fmax(load, fmax(cv, refit));

    /* time: every (config, fold) job trains maxmax iterations; each iteration visits each training
     * rating twice (user side, item side) and, for the training and validation RMSE of
     * iterations.csv, each training and validation rating once more; at each maxIter of the grid
     * it evaluates the metric (a ranking metric scores every item for every user: 2k U I). */
    const double touch = 12 * n <= ALS_EST_CACHE_BYTES ? ALS_EST_TOUCH_CACHED : ALS_EST_TOUCH_MEMORY;
    double flops = 0, refit_flops = 0, cv_seconds = 0, refit_seconds = 0;
    for (int a = 0; a < e->rank.n; a++) {
        const double k = e->rank.v[a];
        const double visit = 4 * k * (U + I) <= ALS_EST_CACHE_BYTES ? ALS_EST_VISIT_CACHED : ALS_EST_VISIT_MEMORY;
        const double same_rank = ncfg / (e->rank.n * e->implicitPrefs.n) * K; /* jobs per (rank, implicit) */
        for (int d = 0; d < e->implicitPrefs.n; d++) {
            const bool imp = e->implicitPrefs.v[d] != 0;
            double it = iter_flops(nfit, U + I, k, imp) + 2 * k * (nfit + nvalid);
            double ev = ranking ? 2 * k * U * I : 2 * k * nvalid;
            double f = sweeps * it + nmax * ev;
            double visits = sweeps * (3 * nfit + nvalid) + nmax * (ranking ? U * I : nvalid);
            flops += f * same_rank * N;
            cv_seconds += (f / ALS_EST_FLOPS_PER_THREAD + visits * visit) * same_rank * N;
            double rf = sweeps * iter_flops(ntrain, U + I, k, imp) + (ranking ? 2 * k * U * I : 2 * k * ntest);
            double rv = sweeps * 2 * ntrain + (ranking ? U * I : ntest);
            double rs = rf / ALS_EST_FLOPS_PER_THREAD + rv * visit;
            if (rs > refit_seconds) {
                refit_seconds = rs;
                refit_flops = rf;
            }
        }
    }
    out->flops_cv = flops;
    out->flops_refit = refit_flops;
    out->seconds_load = n * ALS_EST_LOAD_PER_RATING;
    /* the holdout, then each fold's three CSR matrices */
    out->seconds_split = touch * (n + K * (2 * nfit + nvalid));
    /* jobs are independent and run on all threads (no fewer jobs than threads: the last job
     * gets the idle threads, counted as perfect here) */
    out->seconds_cv = cv_seconds / threads;
    /* the refit (the worst cell's cost: the best is not known yet) builds its CSR matrices on one
     * thread and trains on all */
    out->seconds_refit = touch * (2 * ntrain + ntest) + refit_seconds / threads;
    out->seconds = out->seconds_load + out->seconds_split + out->seconds_cv + out->seconds_refit;
    out->cpu_seconds = out->seconds_load + out->seconds_split + cv_seconds + touch * (2 * ntrain + ntest) +
                       refit_seconds;
}

void als_estimate_run(const als_experiment *e, const als_data_shape *s, int threads, als_estimate *out)
{
    if (threads < 1)
        threads = 1;
    const double n = (double)s->ratings;
    estimate_one(e, s, threads, floor(n * e->testFraction), out);
    out->jobs_run = out->jobs;
    if (e->outerFolds < 2)
        return;
    /* nested CV: after the ordinary run, outerFolds inner runs one after the other, each the same
     * search on all ratings but one outer fold (its holdout, about n / outerFolds ratings), each
     * loading the data again; the peak is the largest run's */
    als_estimate in;
    const double Ko = e->outerFolds;
    estimate_one(e, s, threads, floor(n / Ko), &in);
    out->outer_runs = Ko;
    out->jobs_nested = Ko * in.jobs;
    out->jobs += out->jobs_nested;
    out->trainings += Ko * in.trainings;
    out->flops_nested = Ko * (in.flops_cv + in.flops_refit);
    out->seconds_nested = Ko * in.seconds;
    out->seconds += out->seconds_nested;
    out->cpu_seconds += Ko * in.cpu_seconds;
    out->peak_bytes = fmax(out->peak_bytes, in.peak_bytes);
}
