/* bench_parse — throughput of the ratings parser.
 *
 * Generates a deterministic MovieLens-style ratings.csv text in memory (default 10M ratings,
 * grouped by user like ml-25m: "userId,movieId,rating,timestamp"), times als_ratings_parse over
 * it (best of 3) and a naive strtok/strtol/strtod reference parse of the same bytes (best of 3),
 * and prints both in MB/s and their ratio.  The reference only splits and converts; the real
 * parser also interns ids, validates and resolves duplicates, so the ratio understates it.
 * Each is measured in wall time and in the thread's CPU time (user + system, so page faults
 * count): on a shared machine the CPU figure is the one that does not depend on the neighbours.
 *
 *   OMP_NUM_THREADS=1 bench/bench_parse [N_RATINGS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "als_data.h"
#include "als_util.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static char *generate(size_t n, size_t *len, size_t *nusers)
{
    size_t cap = n * 32 + 64, o = 0, k = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    o += (size_t)sprintf(buf, "userId,movieId,rating,timestamp\n");
    uint64_t u = 0;
    while (k < n) {
        u++;
        /* 20 .. 400 ratings per user, movies ascending with random gaps (no duplicates) */
        size_t cnt = 20 + (size_t)(als_rand_uniform(7, 1, u) * 380);
        uint64_t movie = 0;
        for (size_t j = 0; j < cnt && k < n; j++, k++) {
            movie += 1 + (uint64_t)(als_rand_uniform(7, 2, k) * 400);
            int half = 1 + (int)(als_rand_uniform(7, 3, k) * 10); /* 0.5 .. 5.0 */
            long ts = 789652009 + (long)(als_rand_uniform(7, 4, k) * 785000000.0);
            o += (size_t)sprintf(buf + o, "%llu,%llu,%d.%d,%ld\n", (unsigned long long)u,
                                 (unsigned long long)movie, half / 2, half % 2 ? 5 : 0, ts);
        }
    }
    *len = o;
    *nusers = (size_t)u;
    return buf;
}

/* The obvious way: strtok_r over lines and commas, strtol/strtod per field, into arrays. */
static size_t naive_parse(char *buf, long *user, long *item, double *rating, long *ts)
{
    char *save_line, *line = strtok_r(buf, "\n", &save_line);
    size_t n = 0;
    line = strtok_r(NULL, "\n", &save_line); /* header */
    for (; line; line = strtok_r(NULL, "\n", &save_line)) {
        char *save, *f[4];
        f[0] = strtok_r(line, ",", &save);
        f[1] = strtok_r(NULL, ",", &save);
        f[2] = strtok_r(NULL, ",", &save);
        f[3] = strtok_r(NULL, ",", &save);
        if (!f[0] || !f[1] || !f[2] || !f[3])
            continue;
        user[n] = strtol(f[0], NULL, 10);
        item[n] = strtol(f[1], NULL, 10);
        rating[n] = strtod(f[2], NULL);
        ts[n] = strtol(f[3], NULL, 10);
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    if (n == 0) {
        fprintf(stderr, "usage: bench_parse [N_RATINGS > 0]\n");
        return 2;
    }
    size_t len, nusers;
    double t0 = als_now();
    char *text = generate(n, &len, &nusers);
    if (!text) {
        fprintf(stderr, "bench_parse: out of memory\n");
        return 3;
    }
    double mb = (double)len / 1e6;
    printf("generated %zu ratings, %zu users, %.1f MB of ratings.csv text in %.2f s\n", n, nusers, mb,
           als_now() - t0);

    double best = 1e300, best_cpu = 1e300;
    size_t got = 0, nitems = 0;
    for (int rep = 0; rep < 3; rep++) {
        als_ratings r;
        als_diag d;
        double t = als_now(), c = cpu_now();
        als_status st = als_ratings_parse(&r, text, len, "bench.csv", NULL, &d);
        t = als_now() - t;
        c = cpu_now() - c;
        if (st) {
            als_diag_print(&d, stderr);
            return 1;
        }
        got = r.n;
        nitems = r.items.n;
        if (r.users.n != nusers || r.n != n) {
            fprintf(stderr, "bench_parse: parsed %zu ratings / %u users, expected %zu / %zu\n", r.n,
                    r.users.n, n, nusers);
            return 1;
        }
        als_ratings_free(&r);
        if (t < best)
            best = t;
        if (c < best_cpu)
            best_cpu = c;
    }
    printf("als_ratings_parse  : %8.1f MB/s wall (%.3f s), %8.1f MB/s CPU (%.3f s); %zu ratings, %zu items; best of 3\n",
           mb / best, best, mb / best_cpu, best_cpu, got, nitems);

    char *copy = malloc(len + 1);
    long *user = malloc(n * sizeof *user), *item = malloc(n * sizeof *item), *ts = malloc(n * sizeof *ts);
    double *rating = malloc(n * sizeof *rating);
    if (!copy || !user || !item || !ts || !rating) {
        fprintf(stderr, "bench_parse: out of memory\n");
        return 3;
    }
    double nbest = 1e300, nbest_cpu = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        memcpy(copy, text, len);
        copy[len] = '\0';
        double t = als_now(), c = cpu_now();
        size_t nn = naive_parse(copy, user, item, rating, ts);
        t = als_now() - t;
        c = cpu_now() - c;
        if (nn != n) {
            fprintf(stderr, "bench_parse: naive parse found %zu ratings, expected %zu\n", nn, n);
            return 1;
        }
        if (t < nbest)
            nbest = t;
        if (c < nbest_cpu)
            nbest_cpu = c;
    }
    printf("naive strtok/strtod: %8.1f MB/s wall (%.3f s), %8.1f MB/s CPU (%.3f s); best of 3\n",
           mb / nbest, nbest, mb / nbest_cpu, nbest_cpu);
    printf("ratio              : %8.2fx wall, %.2fx CPU\n", nbest / best, nbest_cpu / best_cpu);
    free(copy);
    free(user);
    free(item);
    free(ts);
    free(rating);
    free(text);
    return 0;
}
