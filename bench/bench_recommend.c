/* bench_recommend — top-k recommendation for every user (alstune recommend --all-users) at
 * MovieLens 25M shape, against plain SGEMM measured in the same run.
 *
 *   bench/bench_recommend [--users N] [--items M] [--rank K] [-k 10] [--threads T] [--seen S]
 *                         [--bq B] [--bt B] [--reps R]   (best of R runs, default 2)
 *
 * Defaults: 162541 users × 59047 items (ml-25m), rank 64, top 10, all threads, 150 random seen
 * items per user excluded (ml-25m averages 155 ratings per user).  Prints the wall time of
 * als_topk_gemm over all users, its effective rate (2·users·items·rank flops / time), the rate
 * of one plain multi-threaded cblas_sgemm of 1024 users × all items × rank (C written to memory,
 * no selection), and their ratio; for context also the SGEMM peak at a large inner dimension
 * (2048³).  Factors are N(0,1) from the counter RNG (seed 1). */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_model.h"
#include "als_util.h"

static long arg_long(const char *opt, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "bench_recommend: %s expects an integer in [%ld, %ld], got '%s'\n", opt, lo, hi, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long nu = 162541, ni = 59047, rank = 64, k = 10, threads = omp_get_max_threads(), seen = 150;
    long bq = 0, bt = 0, reps = 2;
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : "";
        if (strcmp(o, "--users") == 0)
            nu = arg_long(o, v, 1, 100000000);
        else if (strcmp(o, "--items") == 0)
            ni = arg_long(o, v, 1, 100000000);
        else if (strcmp(o, "--rank") == 0)
            rank = arg_long(o, v, 1, 1024);
        else if (strcmp(o, "-k") == 0)
            k = arg_long(o, v, 1, 100000);
        else if (strcmp(o, "--threads") == 0)
            threads = arg_long(o, v, 1, 4096);
        else if (strcmp(o, "--seen") == 0)
            seen = arg_long(o, v, 0, 100000);
        else if (strcmp(o, "--bq") == 0)
            bq = arg_long(o, v, 1, 100000);
        else if (strcmp(o, "--bt") == 0)
            bt = arg_long(o, v, 1, 100000000);
        else if (strcmp(o, "--reps") == 0)
            reps = arg_long(o, v, 1, 100);
        else {
            fprintf(stderr, "usage: bench_recommend [--users N] [--items M] [--rank K] [-k 10] [--threads T] "
                            "[--seen S] [--bq B] [--bt B] [--reps R]\n");
            return 2;
        }
        a++;
    }
    if (seen > ni)
        seen = ni;
    const size_t U_n = (size_t)nu * (size_t)rank, V_n = (size_t)ni * (size_t)rank;
    float *U = malloc(U_n * sizeof *U), *V = malloc(V_n * sizeof *V);
    if (!U || !V)
        return fprintf(stderr, "bench_recommend: out of memory\n"), 3;
#pragma omp parallel for num_threads((int)threads) schedule(static)
    for (long r = 0; r < nu; r++)
        for (long c = 0; c < rank; c++)
            U[(size_t)r * (size_t)rank + (size_t)c] = (float)als_rand_normal(1, 1, (uint64_t)r * (uint64_t)rank + (uint64_t)c);
#pragma omp parallel for num_threads((int)threads) schedule(static)
    for (long r = 0; r < ni; r++)
        for (long c = 0; c < rank; c++)
            V[(size_t)r * (size_t)rank + (size_t)c] = (float)als_rand_normal(1, 2, (uint64_t)r * (uint64_t)rank + (uint64_t)c);

    /* seen: `seen` distinct items per user, increasing (random gaps). */
    als_csr ex;
    memset(&ex, 0, sizeof ex);
    ex.nrows = (uint32_t)nu;
    ex.ncols = (uint32_t)ni;
    ex.nnz = (size_t)nu * (size_t)seen;
    ex.ptr = malloc(((size_t)nu + 1) * sizeof *ex.ptr);
    ex.idx = malloc((ex.nnz ? ex.nnz : 1) * sizeof *ex.idx);
    ex.val = calloc(ex.nnz ? ex.nnz : 1, sizeof *ex.val);
    if (!ex.ptr || !ex.idx || !ex.val)
        return fprintf(stderr, "bench_recommend: out of memory\n"), 3;
    for (long u = 0; u <= nu; u++)
        ex.ptr[u] = (size_t)u * (size_t)seen;
#pragma omp parallel for num_threads((int)threads) schedule(static)
    for (long u = 0; u < nu; u++) {
        /* choose `seen` of ni by selection sampling (Knuth's algorithm S): increasing, distinct */
        long need = seen, left = ni;
        size_t o = (size_t)u * (size_t)seen;
        for (long i = 0; i < ni && need > 0; i++, left--)
            if (als_rand_uniform(1, 3 + (uint64_t)u, (uint64_t)i) * (double)left < (double)need) {
                ex.idx[o++] = (uint32_t)i;
                need--;
            }
    }

    als_topk t;
    if (als_topk_alloc(&t, (size_t)nu, (int)k))
        return fprintf(stderr, "bench_recommend: out of memory\n"), 3;
    const double flops = 2.0 * (double)nu * (double)ni * (double)rank;
    double best = 1e300;
    for (long r = 0; r < reps; r++) {
        als_diag d;
        double t0 = als_now();
        als_status st = als_topk_gemm(U, NULL, (size_t)nu, V, (uint32_t)ni, (int)rank, NULL, NULL,
                                      seen ? &ex : NULL, (int)threads, (int)bq, (int)bt, &t, &d);
        double el = als_now() - t0;
        if (st)
            return fprintf(stderr, "bench_recommend: %s\n", d.msg), 1;
        if (el < best)
            best = el;
    }
    /* checksum so the work cannot be optimised away, and a sanity check of one row */
    double sum = 0;
    for (long u = 0; u < nu; u++)
        sum += t.score[(size_t)u * (size_t)k];

    /* Plain SGEMM in the same process: 1024 users × all items, OpenBLAS on all threads. */
    const int M = nu < 1024 ? (int)nu : 1024;
    float *C = malloc((size_t)M * (size_t)ni * sizeof *C);
    if (!C)
        return fprintf(stderr, "bench_recommend: out of memory\n"), 3;
    openblas_set_num_threads((int)threads);
    double sg_best = 1e300;
    for (int r = 0; r < 4; r++) {
        double t0 = als_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, (int)ni, (int)rank, 1.0f, U, (int)rank, V,
                    (int)rank, 0.0f, C, (int)ni);
        double el = als_now() - t0;
        if (r > 0 && el < sg_best) /* the first run pages C in */
            sg_best = el;
    }
    const double sg_rate = 2.0 * M * (double)ni * (double)rank / sg_best / 1e9;
    /* and the machine's SGEMM peak at a large inner dimension, for context */
    const size_t P = 2048;
    float *A = malloc((size_t)P * P * sizeof *A), *B = malloc((size_t)P * P * sizeof *B);
    double pk_best = 1e300;
    if (A && B && (size_t)P * P <= (size_t)M * (size_t)ni) {
        for (size_t i = 0; i < (size_t)P * P; i++) {
            A[i] = (float)(i % 7) * 0.125f;
            B[i] = (float)(i % 5) * 0.25f;
        }
        for (int r = 0; r < 3; r++) {
            double t0 = als_now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)P, (int)P, (int)P, 1.0f, A, (int)P, B, (int)P, 0.0f, C, (int)P);
            double el = als_now() - t0;
            if (el < pk_best)
                pk_best = el;
        }
    }
    free(A);
    free(B);
    const double pk_rate = pk_best < 1e300 ? 2.0 * (double)P * (double)P * (double)P / pk_best / 1e9 : 0.0;
    const double rate = flops / best / 1e9;
    printf("bench_recommend: %ld users x %ld items, rank %ld, top %ld, %ld seen/user, %ld threads (OpenBLAS %s)\n",
           nu, ni, rank, k, seen, threads, openblas_get_config());
    printf("recommend all users: %.3f s  (%.1f effective GFLOP/s)  checksum %.6g\n", best, rate, sum);
    printf("plain cblas_sgemm %d x %ld x %ld on %ld threads: %.1f GFLOP/s\n", M, ni, rank, threads, sg_rate);
    printf("ratio recommend / sgemm: %.2f\n", rate / sg_rate);
    if (pk_rate > 0)
        printf("(context: cblas_sgemm 2048^3 on %ld threads: %.1f GFLOP/s; recommend reaches %.2f of it)\n", threads,
               pk_rate, rate / pk_rate);
    free(C);
    free(U);
    free(V);
    als_csr_free(&ex);
    als_topk_free(&t);
    return 0;
}
