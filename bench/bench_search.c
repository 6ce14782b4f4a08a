/* bench_search — proposals per second of the random, Sobol and TPE samplers on a 5-dimensional
 * ALS-like space (regParam log, rank int log, alpha, maxIter int, implicitPrefs), with a toy
 * objective so that TPE's history grows as in a real search.
 *
 *   bench/bench_search [TRIALS]   (default 1000; TPE's cost grows with the history)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "als_search.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double objective(const double *x)
{
    double a = log10(x[0]) + 2, b = log2(x[1]) - 4, c = (x[2] - 10) / 10;
    return a * a + b * b + c * c + 0.01 * x[3] + 0.3 * x[4];
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    long trials = 1000;
    if (argc > 1) {
        char *end;
        trials = strtol(argv[1], &end, 10);
        if (end == argv[1] || *end || trials < 1 || trials > 1000000) {
            fprintf(stderr, "usage: bench_search [TRIALS]\n");
            return 2;
        }
    }
    als_search_space sp;
    als_diag d;
    als_search_space_init(&sp);
    if (als_search_space_add_float(&sp, "regParam", 1e-4, 10, true, &d) ||
        als_search_space_add_int(&sp, "rank", 2, 256, true, &d) ||
        als_search_space_add_float(&sp, "alpha", 0, 40, false, &d) ||
        als_search_space_add_int(&sp, "maxIter", 5, 30, false, &d) ||
        als_search_space_add_cat(&sp, "implicitPrefs", 2, &d)) {
        als_diag_print(&d, stderr);
        return 1;
    }
    size_t T = (size_t)trials, nd = sp.ndim;
    double *X = malloc(T * nd * sizeof *X), *Y = malloc(T * sizeof *Y);
    if (!X || !Y)
        return 3;
    als_search_method ms[] = {ALS_SEARCH_RANDOM, ALS_SEARCH_SOBOL, ALS_SEARCH_TPE, ALS_SEARCH_TPE};
    printf("%-16s %8s %12s %14s %10s\n", "sampler", "trials", "seconds", "proposals/s", "best");
    for (int k = 0; k < 4; k++) {
        als_search_opts o;
        als_search_opts_default(&o);
        o.method = ms[k];
        o.seed = 1;
        o.multivariate = k == 3;
        als_search *s;
        if (als_search_alloc(&s, &sp, &o, T, &d)) {
            als_diag_print(&d, stderr);
            return 1;
        }
        double t0 = now(), best = INFINITY;
        for (size_t t = 0; t < T; t++) {
            if (als_search_propose(s, t, X, Y, t, X + t * nd, &d)) {
                als_diag_print(&d, stderr);
                return 1;
            }
            Y[t] = objective(X + t * nd);
            best = fmin(best, Y[t]);
        }
        double dt = now() - t0;
        printf("%-16s %8zu %12.4f %14.0f %10.4g\n", k == 3 ? "tpe-multivariate" : als_search_method_name(ms[k]), T,
               dt, (double)T / dt, best);
        als_search_free(s);
    }
    free(X);
    free(Y);
    return 0;
}
