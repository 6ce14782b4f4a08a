/* bench_dpals — the constants of the data-parallel ALS model (docs/scale-dataparallel.md):
 *
 *   bench_dpals syrk THREADS          OpenBLAS SSYRK rate: large square (peak) and the ALS shape
 *                                     (k = 10, 128-row chunks), GFLOP/s, best of 3
 *   bench_dpals volumes DATA K ALIGN P... for each rank count P, as als_dpals splits the data (ALIGN 1:
 *                                     explicit, 128: implicit):
 *                                     rows each rank receives by lists (max, mean) and by all-gather,
 *                                     per table (max over ranks), and the work imbalance (max block / mean)
 *   mpirun -np 2 bench_dpals pingpong MPI latency (8 bytes) and bandwidth (4 MiB), one way
 *
 * Output: `key value` lines (syrk, pingpong) or a table with a header (volumes), read by
 * bench/dpals_model.py. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_data.h"
#include "als_dpals.h"
#include "als_kernels.h"
#include "als_sparse.h"
#include "als_util.h"

#ifdef HAVE_MPI
#include <mpi.h>
#endif

void openblas_set_num_threads(int);

static int syrk(int threads)
{
    const int n = 2048, k = 10, m = 128, reps = 20000;
    float *A = als_kernels_alloc((size_t)n * (size_t)n * sizeof(float));
    float *C = als_kernels_alloc((size_t)n * (size_t)n * sizeof(float));
    if (!A || !C)
        return 3;
    for (size_t j = 0; j < (size_t)n * (size_t)n; j++)
        A[j] = (float)(als_rand_uniform(1, 0, j) - 0.5);
    openblas_set_num_threads(threads);
    double peak = 0, small = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = als_now();
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, n, n, 1.0f, A, n, 0.0f, C, n);
        double t1 = als_now();
        peak = fmax(peak, (double)n * n * n / (t1 - t0) / 1e9);
    }
    openblas_set_num_threads(1);
    for (int rep = 0; rep < 3; rep++) {
        double t0 = als_now();
        for (int r = 0; r < reps; r++)
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, k, m, 1.0f, A + (size_t)(r % 64) * 16, 16, 0.0f, C, 16);
        double t1 = als_now();
        small = fmax(small, (double)reps * k * (k + 1) * m / (t1 - t0) / 1e9);
    }
    printf("ssyrk_peak_gflops %.2f\nssyrk_k10_1thread_gflops %.3f\nthreads %d\n", peak, small, threads);
    free(A);
    free(C);
    return 0;
}

static int volumes(const char *path, int k, uint32_t align, int argc, char **argv)
{
    als_load_opts lo;
    als_load_opts_default(&lo);
    als_ratings r;
    als_ratings_init(&r);
    als_diag d;
    als_diag_clear(&d);
    als_csr R[2];
    memset(R, 0, sizeof R);
    if (als_ratings_load(&r, path, &lo, &d) ||
        als_csr_build(&R[0], r.users.n, r.items.n, r.user, r.item, r.rating, NULL, r.n) ||
        als_csr_transpose(&R[1], &R[0])) {
        fprintf(stderr, "bench_dpals: %s: %s\n", path, d.msg);
        return 3;
    }
    printf("P users_list_max users_list_mean users_gather_max items_list_max items_list_mean items_gather_max "
           "imbalance_users imbalance_items nusers nitems nnz\n");
    uint32_t maxn = R[0].ncols > R[1].ncols ? R[0].ncols : R[1].ncols;
    uint32_t *needed = malloc(((size_t)maxn + 1) * sizeof *needed);
    for (int a = 0; a < argc; a++) {
        int P = atoi(argv[a]);
        if (P < 1 || !needed)
            return 2;
        uint32_t *b[2] = {malloc(((size_t)P + 1) * 4), malloc(((size_t)P + 1) * 4)};
        size_t *first = malloc(((size_t)P + 1) * sizeof *first);
        if (!b[0] || !b[1] || !first)
            return 3;
        als_dpals_split(&R[0], P, align, k, b[0]);
        als_dpals_split(&R[1], P, align, k, b[1]);
        double lmax[2] = {0, 0}, lsum[2] = {0, 0}, gat[2] = {0, 0}, imb[2] = {0, 0};
        for (int t = 0; t < 2; t++) {
            /* side t's rows read table 1-t: rows received of table 1-t */
            double wmax = 0, wsum = 0;
            for (int q = 0; q < P; q++) {
                als_csr L = R[t];
                const uint32_t r0 = b[t][q], r1 = b[t][q + 1];
                L.nrows = r1 - r0;
                L.idx = R[t].idx + R[t].ptr[r0];
                L.nnz = R[t].ptr[r1] - R[t].ptr[r0];
                size_t n = als_dpals_needed(&L, b[1 - t], P, needed, first);
                double recv = (double)(n - (first[q + 1] - first[q]));
                lmax[1 - t] = fmax(lmax[1 - t], recv);
                lsum[1 - t] += recv;
                /* the all-gather brings every other block of table 1-t */
                gat[1 - t] = fmax(gat[1 - t], (double)(R[t].ncols - (b[1 - t][q + 1] - b[1 - t][q])));
                double w = 0;
                for (uint32_t x = r0; x < r1; x++)
                    w += (double)als_csr_rowlen(&R[t], x) * k * k + (double)k * k * k / 4.0;
                wmax = fmax(wmax, w);
                wsum += w;
            }
            imb[t] = wsum > 0 ? wmax / (wsum / P) : 1.0;
        }
        printf("%d %.0f %.0f %.0f %.0f %.0f %.0f %.4f %.4f %u %u %zu\n", P, lmax[0], lsum[0] / P, gat[0], lmax[1],
               lsum[1] / P, gat[1], imb[0], imb[1], R[0].nrows, R[1].nrows, R[0].nnz);
        fflush(stdout);
        free(b[0]);
        free(b[1]);
        free(first);
    }
    free(needed);
    als_csr_free(&R[0]);
    als_csr_free(&R[1]);
    als_ratings_free(&r);
    return 0;
}

#ifdef HAVE_MPI
static int pingpong(void)
{
    MPI_Init(NULL, NULL);
    int me = 0, n = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    if (n != 2) {
        if (me == 0)
            fprintf(stderr, "bench_dpals pingpong: run with mpirun -np 2\n");
        MPI_Finalize();
        return 2;
    }
    const int big = 4 << 20, reps_small = 2000, reps_big = 20;
    char *buf = calloc((size_t)big, 1);
    double best_small = 1e9, best_big = 1e9;
    for (int trial = 0; trial < 3; trial++) {
        for (int pass = 0; pass < 2; pass++) {
            const int len = pass ? big : 8, reps = pass ? reps_big : reps_small;
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            for (int r = 0; r < reps; r++) {
                if (me == 0) {
                    MPI_Send(buf, len, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
                    MPI_Recv(buf, len, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                } else {
                    MPI_Recv(buf, len, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                    MPI_Send(buf, len, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
                }
            }
            double one_way = (MPI_Wtime() - t0) / reps / 2;
            if (pass)
                best_big = fmin(best_big, one_way);
            else
                best_small = fmin(best_small, one_way);
        }
    }
    if (me == 0)
        printf("latency_us %.3f\nbandwidth_GBps %.3f\n", best_small * 1e6, (double)big / (best_big - best_small) / 1e9);
    free(buf);
    MPI_Finalize();
    return 0;
}
#endif

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "syrk") == 0)
        return syrk(atoi(argv[2]));
    if (argc >= 6 && strcmp(argv[1], "volumes") == 0)
        return volumes(argv[2], atoi(argv[3]), (uint32_t)atoi(argv[4]), argc - 5, argv + 5);
#ifdef HAVE_MPI
    if (argc >= 2 && strcmp(argv[1], "pingpong") == 0)
        return pingpong();
#endif
    fprintf(stderr, "usage: bench_dpals syrk THREADS | volumes DATA K ALIGN P... | pingpong (under mpirun -np 2)\n");
    return 2;
}
