/* bench_bpmf — BPMF (src/als_bpmf) on a real ratings file: an 80/20 holdout (or k-fold CV),
 * posterior-mean RMSE at chosen sample counts (predictions clipped to the file's rating range),
 * seconds per Gibbs sweep, and one ALS iteration of the same rank on the same training set for
 * comparison.  A sanity/benchmark driver until issue 15 wires BPMF into the runner.
 *
 *   bench_bpmf RATINGS [rank=10] [alpha=2] [burnin=20] [samples=100] [threads=0] [folds=0]
 *              [sample_alpha=0] [seed=1] [bias=0]
 *   folds 0: one 80/20 random holdout; folds ≥ 2: k-fold CV, mean ± sd of the fold RMSEs.
 *
 *   bench_bpmf --synthetic [ratings=10000000] [users=100000] [items=20000] [sweeps=3] [threads=0]
 *              [ranks=10,64] [bias=0]
 *   speed only: the 10M-rating synthetic data of bench_als's shape (als_synth, ml-25m's popularity
 *   shape at 100k users × 20k movies), then at each rank, in the same run, seconds per ALS
 *   iteration (als_train, `sweeps` iterations, Spark's defaults otherwise) and seconds per Gibbs
 *   sweep (`sweeps` sweeps, no burn-in, α 2), and their ratio. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_bpmf.h"
#include "als_data.h"
#include "als_kernels.h"
#include "als_solver.h"
#include "als_split.h"
#include "als_synth.h"
#include "als_util.h"

static int arg_long(int argc, char **argv, int i, long def, long lo, long hi, long *out)
{
    *out = def;
    if (argc <= i)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(argv[i], &end, 10);
    if (errno || end == argv[i] || *end || v < lo || v > hi) {
        fprintf(stderr, "bench_bpmf: argument %d: expected an integer in [%ld, %ld], found '%s'\n", i, lo, hi,
                argv[i]);
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct {
    const double *truth;
    double rmin, rmax;
    double *buf;
    double *rmse_at; /* RMSE after each sample */
} eval_ctx;

static int on_sample(int ns, const als_bpmf_state *s, void *ctx)
{
    eval_ctx *e = ctx;
    als_bpmf_predictions(s, e->rmin, e->rmax, e->buf);
    double t = 0.0;
    for (size_t j = 0; j < s->npairs; j++)
        t += (e->buf[j] - e->truth[j]) * (e->buf[j] - e->truth[j]);
    e->rmse_at[ns - 1] = sqrt(t / (double)s->npairs);
    return 0;
}


/* --synthetic: seconds per Gibbs sweep beside seconds per ALS iteration, same data, same run. */
static int synthetic(int argc, char **argv)
{
    long nr, nu, ni, sweeps, threads, bias;
    if (arg_long(argc, argv, 2, 10000000, 1000, 100000000, &nr) || arg_long(argc, argv, 3, 100000, 10, 10000000, &nu) ||
        arg_long(argc, argv, 4, 20000, 10, 10000000, &ni) || arg_long(argc, argv, 5, 3, 1, 1000, &sweeps) ||
        arg_long(argc, argv, 6, 0, 0, 1024, &threads) || arg_long(argc, argv, 8, 0, 0, 1, &bias))
        return 2;
    int ranks[8] = {10, 64}, nranks = 2;
    if (argc > 7) {
        nranks = 0;
        for (char *t = argv[7], *end; *t && nranks < 8; t = *end ? end + 1 : end) {
            errno = 0;
            long v = strtol(t, &end, 10);
            if (errno || end == t || v < 1 || v > ALS_BPMF_MAX_RANK || (*end && *end != ',')) {
                fprintf(stderr, "bench_bpmf: ranks: expected a comma-separated list of 1..%d, found '%s'\n",
                        ALS_BPMF_MAX_RANK, argv[7]);
                return 2;
            }
            ranks[nranks++] = (int)v;
        }
    }
    als_diag d;
    als_diag_clear(&d);
    als_synth_opts o;
    als_synth_preset(&o, "ml-25m", 1);
    o.users = (uint32_t)nu;
    o.items = (uint32_t)ni;
    o.ratings = (uint64_t)nr;
    als_ratings r;
    als_ratings_init(&r);
    double t0 = als_now();
    if (als_synth_check(&o, &d) != ALS_OK || als_synth_generate(&o, &r, NULL, &d) != ALS_OK) {
        als_diag_print(&d, stderr);
        return 2;
    }
    als_csr byu, byi;
    if (als_csr_build(&byu, r.users.n, r.items.n, r.user, r.item, r.rating, NULL, r.n) != ALS_OK ||
        als_csr_transpose(&byi, &byu) != ALS_OK) {
        fprintf(stderr, "bench_bpmf: out of memory\n");
        return 3;
    }
    printf("synthetic: %zu ratings, %u users x %u movies (generated in %.1f s); threads %ld (0 = all), %ld "
           "timed iterations/sweeps per rank; kernels %s\n",
           r.n, r.users.n, r.items.n, als_now() - t0, threads, sweeps, als_kernels()->name);
    printf("rank,als_s_per_iteration,bpmf_s_per_sweep,ratio\n");
    for (int j = 0; j < nranks; j++) {
        als_params ap;
        als_params_default(&ap);
        ap.rank = ranks[j];
        ap.maxIter = (int)sweeps;
        ap.threads = (int)threads;
        ap.bias = bias != 0;
        als_model m;
        double als_s = NAN, bpmf_s = NAN;
        if (als_model_alloc(&m, r.users.n, r.items.n, ranks[j], ap.bias) == ALS_OK) {
            als_model_init(&m, &ap, &byu);
            double a0 = als_now();
            if (als_train(&m, &ap, &byu, &byi, NULL, NULL, &d) == ALS_OK)
                als_s = (als_now() - a0) / (double)sweeps;
            als_model_free(&m);
        }
        als_bpmf_params p;
        als_bpmf_params_default(&p);
        p.rank = ranks[j];
        p.burnin = 0;
        p.samples = (int)sweeps;
        p.threads = (int)threads;
        p.bias = bias != 0;
        p.seed = 1;
        als_bpmf_state s;
        if (als_bpmf_state_alloc(&s, r.users.n, r.items.n, &p, &d) != ALS_OK) {
            als_diag_print(&d, stderr);
            return 3;
        }
        double b0 = als_now();
        als_status st = als_bpmf_run(&s, &p, &byu, &byi, NULL, NULL, 0, NULL, NULL, NULL, NULL, &d);
        if (st == ALS_OK)
            bpmf_s = (als_now() - b0) / (double)sweeps;
        else
            als_diag_print(&d, stderr);
        als_bpmf_state_free(&s);
        printf("%d,%.4f,%.4f,%.2f\n", ranks[j], als_s, bpmf_s, bpmf_s / als_s);
        fflush(stdout);
    }
    als_csr_free(&byu);
    als_csr_free(&byi);
    als_ratings_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--synthetic") == 0)
        return synthetic(argc, argv);
    if (argc < 2) {
        fprintf(stderr, "usage: bench_bpmf RATINGS [rank alpha burnin samples threads folds sample_alpha seed bias]\n");
        return 2;
    }
    long rank, burnin, samples, threads, folds, salpha, seed, bias;
    double alpha = 2.0;
    if (arg_long(argc, argv, 2, 10, 1, ALS_BPMF_MAX_RANK, &rank) || arg_long(argc, argv, 4, 20, 0, 100000, &burnin) ||
        arg_long(argc, argv, 5, 100, 1, 100000, &samples) || arg_long(argc, argv, 6, 0, 0, 1024, &threads) ||
        arg_long(argc, argv, 7, 0, 0, 100, &folds) || arg_long(argc, argv, 8, 0, 0, 1, &salpha) ||
        arg_long(argc, argv, 9, 1, 0, 1000000000, &seed) || arg_long(argc, argv, 10, 0, 0, 1, &bias) || folds == 1)
        return 2;
    if (argc > 3) {
        char *end;
        errno = 0;
        alpha = strtod(argv[3], &end);
        if (errno || end == argv[3] || *end || !(alpha > 0)) {
            fprintf(stderr, "bench_bpmf: alpha: expected a number > 0, found '%s'\n", argv[3]);
            return 2;
        }
    }
    als_diag d;
    als_diag_clear(&d);
    als_ratings r;
    als_ratings_init(&r);
    als_load_opts o;
    als_load_opts_default(&o);
    if (als_ratings_load(&r, argv[1], &o, &d) != ALS_OK) {
        als_diag_print(&d, stderr);
        return 2;
    }
    double rmin = INFINITY, rmax = -INFINITY;
    for (size_t e = 0; e < r.n; e++) {
        rmin = fmin(rmin, (double)r.rating[e]);
        rmax = fmax(rmax, (double)r.rating[e]);
    }
    const uint32_t nu = (uint32_t)r.users.n, ni = (uint32_t)r.items.n;
    int nf = folds ? (int)folds : 1;
    int *fold = malloc(r.n * sizeof(int));
    size_t *all = malloc(r.n * sizeof(size_t)), *tr = malloc(r.n * sizeof(size_t));
    uint32_t *pu = malloc(r.n * sizeof(uint32_t)), *pi = malloc(r.n * sizeof(uint32_t));
    double *truth = malloc(r.n * sizeof(double)), *buf = malloc(r.n * sizeof(double));
    double *rm = calloc((size_t)samples * (size_t)nf, sizeof(double));
    if (!fold || !all || !tr || !pu || !pi || !truth || !buf || !rm) {
        fprintf(stderr, "bench_bpmf: out of memory\n");
        return 3;
    }
    for (size_t e = 0; e < r.n; e++)
        all[e] = e;
    if (folds) {
        if (als_split_kfold(&r, all, r.n, nf, ALS_SPLIT_RANDOM, (uint64_t)seed, fold, &d) != ALS_OK) {
            als_diag_print(&d, stderr);
            return 2;
        }
    } else {
        size_t *trn, *tst, ntr, nts;
        if (als_split_holdout(&r, 0.2, ALS_SPLIT_RANDOM, 1, (uint64_t)seed, &trn, &ntr, &tst, &nts, &d) != ALS_OK) {
            als_diag_print(&d, stderr);
            return 2;
        }
        for (size_t e = 0; e < ntr; e++)
            fold[trn[e]] = 1;
        for (size_t e = 0; e < nts; e++)
            fold[tst[e]] = 0;
        free(trn);
        free(tst);
    }
    als_bpmf_params p;
    als_bpmf_params_default(&p);
    p.rank = (int)rank;
    p.alpha = alpha;
    p.burnin = (int)burnin;
    p.samples = (int)samples;
    p.threads = (int)threads;
    p.sample_alpha = salpha != 0;
    p.seed = (uint64_t)seed;
    p.bias = bias != 0;
    double sweep_s = 0.0, als_s = 0.0;
    for (int f = 0; f < nf; f++) {
        size_t ntr = 0, nts = 0;
        for (size_t e = 0; e < r.n; e++) {
            if (fold[e] == f) {
                pu[nts] = r.user[e];
                pi[nts] = r.item[e];
                truth[nts] = (double)r.rating[e];
                nts++;
            } else {
                tr[ntr++] = e;
            }
        }
        als_csr byu, byi;
        if (als_csr_build(&byu, nu, ni, r.user, r.item, r.rating, tr, ntr) != ALS_OK ||
            als_csr_transpose(&byi, &byu) != ALS_OK) {
            fprintf(stderr, "bench_bpmf: out of memory\n");
            return 3;
        }
        als_bpmf_state s;
        if (als_bpmf_state_alloc(&s, nu, ni, &p, &d) != ALS_OK) {
            als_diag_print(&d, stderr);
            return 3;
        }
        eval_ctx ec = {truth, rmin, rmax, buf, rm + (size_t)f * (size_t)samples};
        double t0 = als_now();
        als_status st = als_bpmf_run(&s, &p, &byu, &byi, pu, pi, nts, on_sample, &ec, NULL, NULL, &d);
        double t1 = als_now();
        if (st != ALS_OK) {
            als_diag_print(&d, stderr);
            return als_status_exit_code(st);
        }
        sweep_s += (t1 - t0) / (double)(burnin + samples) / nf;
        fprintf(stderr, "fold %d: train %zu test %zu, RMSE %.4f after %ld samples, alpha %.3f, %.4f s/sweep\n", f, ntr,
                nts, ec.rmse_at[samples - 1], samples, s.alpha, (t1 - t0) / (double)(burnin + samples));
        als_bpmf_state_free(&s);
        /* one ALS iteration of the same rank, for scale */
        als_params ap;
        als_params_default(&ap);
        ap.rank = (int)rank;
        ap.maxIter = 1;
        ap.threads = (int)threads;
        als_model m;
        if (als_model_alloc(&m, nu, ni, (int)rank, false) == ALS_OK) {
            als_model_init(&m, &ap, &byu);
            double a0 = als_now();
            if (als_train(&m, &ap, &byu, &byi, NULL, NULL, &d) == ALS_OK)
                als_s += (als_now() - a0) / nf;
            als_model_free(&m);
        }
        als_csr_free(&byu);
        als_csr_free(&byi);
    }
    printf("rank %ld alpha %g%s burnin %ld samples %ld folds %d threads %ld%s\n", rank, alpha,
           salpha ? " (sampled)" : "", burnin, samples, nf, threads, bias ? " biases" : "");
    printf("samples,rmse_mean,rmse_sd\n");
    for (long t = 0; t < samples; t++) {
        if (!(t + 1 == 1 || t + 1 == 10 || (t + 1) % 50 == 0 || t + 1 == samples))
            continue;
        double mean = 0.0, sd = 0.0;
        for (int f = 0; f < nf; f++)
            mean += rm[(size_t)f * (size_t)samples + (size_t)t] / nf;
        for (int f = 0; f < nf; f++) {
            double x = rm[(size_t)f * (size_t)samples + (size_t)t] - mean;
            sd += x * x;
        }
        sd = nf > 1 ? sqrt(sd / (nf - 1)) : 0.0;
        printf("%ld,%.4f,%.4f\n", t + 1, mean, sd);
    }
    printf("seconds per sweep %.4f, one ALS iteration %.4f, ratio %.2f\n", sweep_s, als_s,
           als_s > 0 ? sweep_s / als_s : 0.0);
    free(fold);
    free(all);
    free(tr);
    free(pu);
    free(pi);
    free(truth);
    free(buf);
    free(rm);
    als_ratings_free(&r);
    return 0;
}
