/* bench_gen — synthetic data generation and CSV writing speed.
 *
 *   bench/bench_gen [RATINGS [USERS ITEMS]]   (default 10,000,000 ratings, 100,000 × 20,000,
 *                                              shape of the ml-1m preset)
 *   bench/bench_gen --preset NAME             (a preset at its own size, e.g. ml-25m)
 *
 * Prints the generation and write times, ratings per second, and checks that one and all
 * threads give identical ratings (the determinism contract), timing both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "als_synth.h"
#include "als_util.h"

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t R = 10000000, U = 100000, I = 20000;
    als_synth_opts o;
    if (argc == 3 && strcmp(argv[1], "--preset") == 0) {
        if (!als_synth_preset(&o, argv[2], 7)) {
            fprintf(stderr, "bench_gen: unknown preset '%s'\n", argv[2]);
            return 2;
        }
        R = o.ratings;
        U = o.users;
        I = o.items;
    } else {
        if ((argc > 1 && parse_u64(argv[1], &R)) ||
            (argc > 3 && (parse_u64(argv[2], &U) || parse_u64(argv[3], &I)))) {
            fprintf(stderr, "usage: bench_gen [RATINGS [USERS ITEMS]] | bench_gen --preset NAME\n");
            return 2;
        }
        als_synth_preset(&o, "ml-1m", 7);
        o.users = (uint32_t)U;
        o.items = (uint32_t)I;
        o.ratings = R;
    }
    als_diag d;
    als_ratings r1, rn;
    int nthreads = 1;
#ifdef _OPENMP
    nthreads = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    double t0 = als_now();
    if (als_synth_generate(&o, &r1, NULL, &d)) {
        als_diag_print(&d, stderr);
        return 1;
    }
    double t1 = als_now();
#ifdef _OPENMP
    omp_set_num_threads(nthreads);
#endif
    if (als_synth_generate(&o, &rn, NULL, &d)) {
        als_diag_print(&d, stderr);
        return 1;
    }
    double t2 = als_now();
    int same = r1.n == rn.n && memcmp(r1.user, rn.user, r1.n * sizeof *r1.user) == 0 &&
               memcmp(r1.item, rn.item, r1.n * sizeof *r1.item) == 0 &&
               memcmp(r1.rating, rn.rating, r1.n * sizeof *r1.rating) == 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/bench_gen.%ld.csv", (long)getpid());
    double t3 = als_now();
    als_status st = als_synth_write_ratings(&rn, path, &d);
    double t4 = als_now();
    unlink(path);
    if (st) {
        als_diag_print(&d, stderr);
        return 1;
    }
    printf("ratings %llu users %llu items %llu\n", (unsigned long long)R, (unsigned long long)U,
           (unsigned long long)I);
    printf("generate, 1 thread:   %.3f s (%.1f M ratings/s)\n", t1 - t0, (double)R / (t1 - t0) / 1e6);
    printf("generate, %d threads: %.3f s (%.1f M ratings/s), speed-up %.2f\n", nthreads, t2 - t1,
           (double)R / (t2 - t1) / 1e6, (t1 - t0) / (t2 - t1));
    printf("write ratings.csv:    %.3f s (%.1f M lines/s)\n", t4 - t3, (double)R / (t4 - t3) / 1e6);
    printf("identical across thread counts: %s\n", same ? "yes" : "NO");
    als_ratings_free(&r1);
    als_ratings_free(&rn);
    return same ? 0 : 1;
}
