/* bench_als — seconds per ALS iteration on MovieLens-sized synthetic data, with every ratio measured
 * in the same run: the Gram build's GFLOP/s against this machine's OpenBLAS SSYRK peak, the tuned
 * Gram kernel against the naive one and against per-row SSYRK, and 1-thread vs 2-thread speed-up.
 *
 *   bench_als [--ratings N] [--users U] [--items I] [--iters N] [--ranks 10,64] [--threads T]
 *             [--skip-1thread] [--train-only] [--ml100k PATH]
 * Default: 10M ratings, 100k users × 20k items, 2 iterations per timing. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "als_kernels.h"
#include "als_solver.h"
#include "als_sparse.h"
#include "als_util.h"

typedef struct {
    size_t n;
    uint32_t nu, ni;
    uint32_t *u, *i;
    float *r;
} ratings;

/* Long-tailed ratings: user activity log-normal (at least 5 each), item popularity Zipf(0.9),
 * values from a planted rank-5 model plus uniform noise, rounded to 1..5.  Deterministic. */
static int generate(ratings *R, size_t n, uint32_t nu, uint32_t ni, uint64_t seed)
{
    memset(R, 0, sizeof *R);
    R->nu = nu;
    R->ni = ni;
    R->u = malloc(n * sizeof *R->u);
    R->i = malloc(n * sizeof *R->i);
    R->r = malloc(n * sizeof *R->r);
    double *w = malloc(nu * sizeof *w), *cdf = malloc(ni * sizeof *cdf);
    size_t *cnt = malloc(nu * sizeof *cnt);
    uint32_t *stamp = calloc(ni, sizeof *stamp);
    if (!R->u || !R->i || !R->r || !w || !cdf || !cnt || !stamp)
        return -1;
    double ws = 0;
    for (uint32_t u = 0; u < nu; u++)
        ws += w[u] = exp(als_rand_normal(seed, 1, u));
    size_t cap = ni / 2, base = 5, total = 0;
    for (uint32_t u = 0; u < nu; u++) {
        double want = (double)(n - base * nu) * w[u] / ws;
        cnt[u] = base + (size_t)want;
        if (cnt[u] > cap)
            cnt[u] = cap;
        total += cnt[u];
    }
    for (uint32_t u = 0; total < n; u = (u + 1) % nu)
        if (cnt[u] < cap) {
            cnt[u]++;
            total++;
        }
    double cs = 0;
    for (uint32_t i = 0; i < ni; i++)
        cdf[i] = cs += pow(1.0 + i, -0.9);
    double *pu = malloc((size_t)nu * 5 * sizeof *pu), *pi = malloc((size_t)ni * 5 * sizeof *pi);
    if (!pu || !pi)
        return -1;
    for (size_t j = 0; j < (size_t)nu * 5; j++)
        pu[j] = 0.5 * als_rand_normal(seed, 3, j);
    for (size_t j = 0; j < (size_t)ni * 5; j++)
        pi[j] = als_rand_normal(seed, 4, j);
    size_t e = 0;
    for (uint32_t u = 0; u < nu; u++) {
        uint64_t draw = 0;
        for (size_t j = 0; j < cnt[u]; j++) {
            uint32_t it;
            do {
                double x = als_rand_uniform(seed, 2 + (uint64_t)u, draw++) * cs;
                uint32_t lo = 0, hi = ni - 1;
                while (lo < hi) {
                    uint32_t mid = (lo + hi) / 2;
                    if (cdf[mid] < x)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                it = lo;
            } while (stamp[it] == u + 1);
            stamp[it] = u + 1;
            double s = 3.5;
            for (int a = 0; a < 5; a++)
                s += pu[(size_t)u * 5 + (size_t)a] * pi[(size_t)it * 5 + (size_t)a];
            s += 1.4 * (als_rand_uniform(seed, 5, e) - 0.5);
            s = round(s);
            R->u[e] = u;
            R->i[e] = it;
            R->r[e] = (float)(s < 1 ? 1 : s > 5 ? 5 : s);
            e++;
        }
    }
    R->n = e;
    free(pu);
    free(pi);
    free(w);
    free(cdf);
    free(cnt);
    free(stamp);
    return 0;
}

static float *rand_matrix(size_t n, uint64_t seed)
{
    float *a = als_kernels_alloc(n * sizeof(float));
    for (size_t j = 0; a && j < n; j++)
        a[j] = (float)(als_rand_uniform(seed, 0, j) - 0.5);
    return a;
}

/* OpenBLAS peaks: all threads, large square matrices, best of 3. */
static void blas_peaks(int threads, double *sgemm, double *ssyrk)
{
    const int n = 3072;
    const size_t nn = (size_t)n * (size_t)n;
    float *A = rand_matrix(nn, 1), *B = rand_matrix(nn, 2), *C = rand_matrix(nn, 3);
    openblas_set_num_threads(threads);
    *sgemm = *ssyrk = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = als_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
        double t1 = als_now();
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, n, n, 1.0f, A, n, 0.0f, C, n);
        double t2 = als_now();
        *sgemm = fmax(*sgemm, 2.0 * n * (double)n * n / (t1 - t0) / 1e9);
        *ssyrk = fmax(*ssyrk, 1.0 * n * (double)n * n / (t2 - t1) / 1e9); /* n²·k useful flops */
    }
    openblas_set_num_threads(1);
    free(A);
    free(B);
    free(C);
}

/* Gram build over every row of both sides, as the explicit solver does it (gather a chunk, then
 * the kernel), without the solves.  method 0: tuned kernel, 1: per-chunk SSYRK, 2: naive loops.
 * Returns GFLOP/s counting k(k+1) flops per rating (the upper triangle's multiply-adds). */
static double gram_build(const als_csr *by_user, const als_csr *by_item, const float *Up, const float *Vp, int k,
                         int threads, int method, double *seconds)
{
    const als_kernel_table *kt = als_kernels();
    const int ld = als_kernels_ld(k);
    const size_t L = (size_t)ld;
    double t0 = als_now();
    double sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    {
        float *G = als_kernels_alloc(ALS_KCHUNK * L * sizeof(float));
        double *C = als_kernels_alloc(L * L * sizeof(double));
        float *Cf = als_kernels_alloc(L * L * sizeof(float));
        for (int side = 0; side < 2; side++) {
            const als_csr *R = side ? by_user : by_item;
            const float *Y = side ? Vp : Up;
#pragma omp for schedule(dynamic, 64)
            for (uint32_t row = 0; row < R->nrows; row++) {
                size_t n = als_csr_rowlen(R, row);
                for (size_t off = 0; off < n; off += ALS_KCHUNK) {
                    size_t m = n - off < ALS_KCHUNK ? n - off : ALS_KCHUNK;
                    kt->gather(ld, m, R->idx + R->ptr[row] + off, Y, G);
                    if (method == 0) {
                        kt->gram(k, ld, m, G, G, C, off > 0);
                    } else if (method == 1) {
                        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, k, (int)m, 1.0f, G, ld, 0.0f, Cf, ld);
                        for (int a = 0; a < k; a++)
                            for (int c = a; c < k; c++)
                                C[(size_t)a * L + (size_t)c] = (off ? C[(size_t)a * L + (size_t)c] : 0.0) +
                                                                Cf[(size_t)a * L + (size_t)c];
                    } else {
                        als_gram_naive(k, ld, m, G, G, C, off > 0);
                    }
                }
                sink += C[0];
            }
        }
        free(G);
        free(C);
        free(Cf);
    }
    double t = als_now() - t0;
    if (seconds)
        *seconds = t;
    (void)sink;
    return 2.0 * (double)by_user->nnz * k * (k + 1) / t / 1e9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Wall seconds per iteration; *cpu (may be NULL) gets process CPU seconds per iteration. */
static double time_train(const als_csr *bu, const als_csr *bi, int rank, bool implicit, int threads, int iters,
                         double *rmse, double *cpu)
{
    als_params p;
    als_params_default(&p);
    p.rank = rank;
    p.regParam = 0.1;
    p.maxIter = iters;
    p.implicitPrefs = implicit;
    p.solver = ALS_SOLVE_CG;
    p.cgSteps = 3;
    p.threads = threads;
    p.seed = 1;
    als_model m;
    if (als_model_alloc(&m, bu->nrows, bu->ncols, rank, false))
        return NAN;
    als_model_init(&m, &p, bu);
    als_diag d;
    double c0 = cpu_now(), t0 = als_now();
    als_status st = als_train(&m, &p, bu, bi, NULL, NULL, &d);
    double t = (als_now() - t0) / iters;
    if (cpu)
        *cpu = (cpu_now() - c0) / iters;
    if (st)
        fprintf(stderr, "train failed: %s\n", d.msg);
    if (rmse)
        *rmse = als_train_rmse(&m, bu);
    als_model_free(&m);
    return t;
}

static int ml100k(const char *path, int threads)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_als: cannot open %s\n", path);
        return 2;
    }
    ratings R = {0};
    size_t cap = 100000;
    R.u = malloc(cap * sizeof *R.u);
    R.i = malloc(cap * sizeof *R.i);
    R.r = malloc(cap * sizeof *R.r);
    long u, i, r, ts;
    while (R.n < cap && fscanf(f, "%ld\t%ld\t%ld\t%ld", &u, &i, &r, &ts) == 4) {
        R.u[R.n] = (uint32_t)(u - 1);
        R.i[R.n] = (uint32_t)(i - 1);
        R.r[R.n] = (float)r;
        if ((uint32_t)u > R.nu)
            R.nu = (uint32_t)u;
        if ((uint32_t)i > R.ni)
            R.ni = (uint32_t)i;
        R.n++;
    }
    fclose(f);
    /* an 80% training part, as one cross-validation fold would see */
    size_t *sub = malloc(R.n * sizeof *sub), ns = 0;
    for (size_t e = 0; e < R.n; e++)
        if (als_rand_uniform(9, e, 0) < 0.8)
            sub[ns++] = e;
    als_csr bu, bi;
    if (als_csr_build(&bu, R.nu, R.ni, R.u, R.i, R.r, sub, ns) || als_csr_transpose(&bi, &bu))
        return 3;
    printf("ml-100k training part: %zu ratings, %u users x %u items; %d thread(s); 10 iterations per row\n", ns,
           R.nu, R.ni, threads);
    const int ranks[] = {5, 10, 20, 50};
    for (int j = 0; j < 4; j++) {
        double best = 1e9, bcpu = 1e9, rm = 0, cpu;
        for (int rep = 0; rep < 3; rep++) {
            best = fmin(best, time_train(&bu, &bi, ranks[j], false, threads, 10, &rm, &cpu));
            bcpu = fmin(bcpu, cpu);
        }
        printf("  explicit rank %2d: %.2f ms/iteration (CPU %.2f ms), %.1f ms per 10-iteration job (train RMSE "
               "%.4f)\n",
               ranks[j], best * 1e3, bcpu * 1e3, best * 1e4, rm);
    }
    als_csr_free(&bu);
    als_csr_free(&bi);
    free(sub);
    free(R.u);
    free(R.i);
    free(R.r);
    return 0;
}

int main(int argc, char **argv)
{
    size_t nratings = 10000000;
    uint32_t nusers = 100000, nitems = 20000;
    int iters = 2, threads = omp_get_max_threads(), ranks[8] = {10, 64}, nranks = 2;
    bool one = true, train_only = false;
    const char *ml = NULL;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--ratings") && v)
            nratings = strtoull(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--users") && v)
            nusers = (uint32_t)strtoul(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--items") && v)
            nitems = (uint32_t)strtoul(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--iters") && v)
            iters = atoi(v), a++;
        else if (!strcmp(argv[a], "--threads") && v)
            threads = atoi(v), a++;
        else if (!strcmp(argv[a], "--skip-1thread"))
            one = false;
        else if (!strcmp(argv[a], "--train-only"))
            train_only = true;
        else if (!strcmp(argv[a], "--ml100k") && v)
            ml = v, a++;
        else if (!strcmp(argv[a], "--ranks") && v) {
            nranks = 0;
            for (char *s = argv[++a]; *s && nranks < 8;) {
                ranks[nranks++] = (int)strtol(s, &s, 10);
                if (*s == ',')
                    s++;
            }
        } else {
            fprintf(stderr,
                    "usage: bench_als [--ratings N] [--users U] [--items I] [--iters N] [--ranks 10,64] "
                    "[--threads T] [--skip-1thread] [--train-only] [--ml100k PATH]\n");
            return 2;
        }
    }
    if (iters < 1 || threads < 1 || nusers < 1 || nitems < 10 || nratings < nusers * 5ull) {
        fprintf(stderr, "bench_als: need iters >= 1, threads >= 1, items >= 10, ratings >= 5 per user\n");
        return 2;
    }
    const als_kernel_table *kt = als_kernels();
    printf("bench_als: kernels %s; OpenBLAS %s (OPENBLAS_CORETYPE=%s); %d thread(s)\n", kt->name,
           openblas_get_config(), getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset", threads);
    if (ml)
        return ml100k(ml, threads);

    double sg = NAN, sy = NAN;
    if (!train_only)
        blas_peaks(threads, &sg, &sy);
    printf("OpenBLAS peak (n=3072, %d threads, best of 3): SGEMM %.1f GFLOP/s, SSYRK %.1f GFLOP/s\n", threads, sg, sy);

    double t0 = als_now();
    ratings R;
    if (generate(&R, nratings, nusers, nitems, 42)) {
        fprintf(stderr, "bench_als: out of memory\n");
        return 3;
    }
    als_csr bu, bi;
    if (als_csr_build(&bu, R.nu, R.ni, R.u, R.i, R.r, NULL, R.n) || als_csr_transpose(&bi, &bu)) {
        fprintf(stderr, "bench_als: out of memory\n");
        return 3;
    }
    size_t maxi = 0;
    for (uint32_t i = 0; i < bi.nrows; i++)
        if (als_csr_rowlen(&bi, i) > maxi)
            maxi = als_csr_rowlen(&bi, i);
    printf("data: %zu ratings, %u users x %u items, longest item row %zu (generated in %.1f s)\n", R.n, R.nu, R.ni,
           maxi, als_now() - t0);
    free(R.u);
    free(R.i);
    free(R.r);

    for (int j = 0; j < nranks; j++) {
        const int k = ranks[j], ld = als_kernels_ld(k);
        if (train_only)
            goto iterations;
        /* kernel vs naive on one gathered chunk, one thread */
        float *G = rand_matrix(ALS_KCHUNK * (size_t)ld, 7);
        for (int i = 0; i < ALS_KCHUNK; i++)
            for (int c = k; c < ld; c++)
                G[(size_t)i * (size_t)ld + (size_t)c] = 0;
        double *C = als_kernels_alloc((size_t)ld * (size_t)ld * sizeof(double));
        double tk = 1e9, tn = 1e9;
        int reps = (int)(2e7 / ((double)k * k * ALS_KCHUNK)) + 1;
        for (int rep = 0; rep < 3; rep++) {
            double a = als_now();
            for (int q = 0; q < reps; q++)
                kt->gram(k, ld, ALS_KCHUNK, G, G, C, q > 0);
            double b = als_now();
            for (int q = 0; q < reps / 10 + 1; q++)
                als_gram_naive(k, ld, ALS_KCHUNK, G, G, C, q > 0);
            double c = als_now();
            tk = fmin(tk, (b - a) / reps);
            tn = fmin(tn, (c - b) / (reps / 10 + 1));
        }
        double fl = (double)ALS_KCHUNK * k * (k + 1);
        printf("\nrank %d: Gram kernel on a %d-row chunk, 1 thread: %.1f GFLOP/s, naive loops %.2f GFLOP/s "
               "(speed-up %.1fx)\n",
               k, ALS_KCHUNK, fl / tk / 1e9, fl / tn / 1e9, tn / tk);
        free(G);
        free(C);

        /* Gram build over the whole data: tuned kernel vs per-chunk SSYRK, all threads */
        float *Up = rand_matrix((size_t)bu.nrows * (size_t)ld, 8), *Vp = rand_matrix((size_t)bi.nrows * (size_t)ld, 9);
        for (uint32_t r = 0; r < bu.nrows; r++)
            for (int c = k; c < ld; c++)
                Up[(size_t)r * (size_t)ld + (size_t)c] = 0;
        for (uint32_t r = 0; r < bi.nrows; r++)
            for (int c = k; c < ld; c++)
                Vp[(size_t)r * (size_t)ld + (size_t)c] = 0;
        double sk, ss;
        double gk = gram_build(&bu, &bi, Up, Vp, k, threads, 0, &sk);
        double gs = gram_build(&bu, &bi, Up, Vp, k, threads, 1, &ss);
        printf("rank %d: Gram build of one iteration (both sides, %d threads): %.3f s = %.1f GFLOP/s = %.0f%% of "
               "the SSYRK peak; per-chunk SSYRK instead: %.3f s = %.1f GFLOP/s\n",
               k, threads, sk, gk, 100.0 * gk / sy, ss, gs);
        free(Up);
        free(Vp);

        /* whole iterations */
    iterations:
        for (int implicit = 0; implicit <= 1; implicit++) {
            double rm, cp, c1;
            double tp = time_train(&bu, &bi, k, implicit, threads, iters, &rm, &cp);
            printf("rank %d %s: %.3f s/iteration on %d threads (CPU %.3f s/iteration; train RMSE after %d: %.4f)", k,
                   implicit ? "implicit CG(3)" : "explicit", tp, threads, cp, iters, rm);
            if (one && threads > 1) {
                double t1 = time_train(&bu, &bi, k, implicit, 1, iters, NULL, &c1);
                printf("; 1 thread %.3f s/iteration (CPU %.3f), speed-up %.2fx", t1, c1, t1 / tp);
            }
            printf("\n");
            fflush(stdout);
        }
    }
    als_csr_free(&bu);
    als_csr_free(&bi);
    return 0;
}
