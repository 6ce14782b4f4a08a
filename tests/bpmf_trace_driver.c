/* bpmf_trace_driver — runs a tiny BPMF chain and prints the problem, every draw the sampler
 * consumed (the als_bpmf trace hook) and the final state, one record a line, for the independent
 * float64 reference tests/bpmf_ref.py (run by tests/cli/test_bpmf_ref.sh).
 *
 *   bpmf_trace_driver MODE [THREADS [KERNEL]]
 * KERNEL: naive (plain double Gram loops, the default here) or fast (the solver's vector kernel).
 *   MODE: fixed  (fixed μ, Λ and α), hyper (Normal–Wishart hyperparameters sampled),
 *         alpha  (hyperparameters and α sampled), nocenter (as hyper, without centring, W0 full),
 *         bias   (α sampled, with user and item biases)
 * Records: "param NAME VALUE", "rating U I R", "pair U I", then the trace ("init SIDE ROW v…",
 * "wishart SIDE SWEEP v…", "mu SIDE SWEEP z…", "row SIDE ROW SWEEP z…", "alpha SWEEP shape rate a"),
 * then "U ROW v…", "V ROW v…", ("UB ROW b", "VB ROW b" with biases), "pred J v", "state_alpha v".  Exit 2 on a bad argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_bpmf.h"

static void trace(const char *kind, int side, uint32_t row, int sweep, const double *v, size_t n, void *ctx)
{
    (void)ctx;
    if (!strcmp(kind, "init"))
        printf("init %d %u", side, row);
    else if (!strcmp(kind, "row"))
        printf("row %d %u %d", side, row, sweep);
    else if (!strcmp(kind, "alpha"))
        printf("alpha %d", sweep);
    else
        printf("%s %d %d", kind, side, sweep);
    for (size_t j = 0; j < n; j++)
        printf(" %.17g", v[j]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: bpmf_trace_driver fixed|hyper|alpha|nocenter|bias [THREADS [naive|fast]]\n");
        return 2;
    }
    const char *mode = argv[1];
    als_bpmf_params p;
    als_bpmf_params_default(&p);
    p.rank = 3;
    p.burnin = 2;
    p.samples = 3;
    p.alpha = 2.0;
    p.seed = 42;
    p.threads = 1;
    if (argc >= 3) {
        char *end;
        long t = strtol(argv[2], &end, 10);
        if (end == argv[2] || *end || t < 1 || t > 64) {
            fprintf(stderr, "bpmf_trace_driver: THREADS must be 1..64, found '%s'\n", argv[2]);
            return 2;
        }
        p.threads = (int)t;
    }
    p.naive = true;
    if (argc == 4) {
        if (!strcmp(argv[3], "fast"))
            p.naive = false;
        else if (strcmp(argv[3], "naive")) {
            fprintf(stderr, "bpmf_trace_driver: KERNEL must be naive or fast, found '%s'\n", argv[3]);
            return 2;
        }
    }
    double W0[9] = {1.5, 0.3, -0.2, 0.3, 1.0, 0.1, -0.2, 0.1, 0.8};
    if (!strcmp(mode, "fixed")) {
        p.sample_hyper = false;
        p.w0 = 0.7;
        p.mu0 = 0.1;
    } else if (!strcmp(mode, "hyper")) {
        p.beta0 = 2.0;
    } else if (!strcmp(mode, "alpha")) {
        p.sample_alpha = true;
        p.alpha_a0 = 2.0;
        p.alpha_b0 = 0.5;
        p.mu0 = -0.05;
        p.nu0 = 4.5;
    } else if (!strcmp(mode, "nocenter")) {
        p.center = false;
        p.W0 = W0;
        p.init_scale = 0.5;
        p.mu0 = 0.3;
    } else if (!strcmp(mode, "bias")) {
        p.sample_alpha = true;
        p.bias = true;
        p.bias_prec = 0.7;
        p.mu0 = 0.05;
    } else {
        fprintf(stderr, "bpmf_trace_driver: unknown mode '%s'\n", mode);
        return 2;
    }
    /* 7 users × 6 items, about half observed, ratings 1..5 */
    enum { NU = 7, NI = 6 };
    uint32_t ru[NU * NI], ri[NU * NI];
    float rv[NU * NI];
    size_t n = 0;
    for (uint32_t u = 0; u < NU; u++)
        for (uint32_t i = 0; i < NI; i++)
            if ((u * 7 + i * 3) % 5 < 3 || u == i) {
                ru[n] = u;
                ri[n] = i;
                rv[n] = (float)(1 + (u * 2 + i * 5 + u * i) % 5);
                n++;
            }
    uint32_t pu[] = {0, 1, 2, 3, 4, 5, 6, 0, 6}, pi[] = {1, 2, 3, 4, 5, 0, 1, 0, 5};
    const size_t np = sizeof pu / sizeof pu[0];
    als_csr byu, byi;
    als_diag d;
    als_diag_clear(&d);
    if (als_csr_build(&byu, NU, NI, ru, ri, rv, NULL, n) != ALS_OK || als_csr_transpose(&byi, &byu) != ALS_OK) {
        fprintf(stderr, "bpmf_trace_driver: out of memory\n");
        return 3;
    }
    printf("param nusers %d\nparam nitems %d\nparam rank %d\nparam burnin %d\nparam samples %d\n", NU, NI,
           p.rank, p.burnin, p.samples);
    printf("param alpha %.17g\nparam sample_alpha %d\nparam a0 %.17g\nparam b0 %.17g\n", p.alpha,
           (int)p.sample_alpha, p.alpha_a0, p.alpha_b0);
    printf("param mu0 %.17g\nparam beta0 %.17g\nparam nu0 %.17g\nparam sample_hyper %d\nparam center %d\n",
           p.mu0, p.beta0, p.nu0 > 0 ? p.nu0 : (double)p.rank, (int)p.sample_hyper, (int)p.center);
    printf("param bias %d\nparam bias_prec %.17g\n", (int)p.bias, p.bias_prec);
    printf("param W0");
    for (int a = 0; a < p.rank * p.rank; a++)
        printf(" %.17g", p.W0 ? p.W0[a] : (a % (p.rank + 1) == 0 ? p.w0 : 0.0));
    printf("\n");
    for (size_t e = 0; e < n; e++)
        printf("rating %u %u %.9g\n", ru[e], ri[e], (double)rv[e]);
    for (size_t j = 0; j < np; j++)
        printf("pair %u %u\n", pu[j], pi[j]);
    als_bpmf_state s;
    als_status st = als_bpmf_state_alloc(&s, NU, NI, &p, &d);
    if (st == ALS_OK)
        st = als_bpmf_run(&s, &p, &byu, &byi, pu, pi, np, NULL, NULL, p.threads == 1 ? trace : NULL, NULL, &d);
    if (st != ALS_OK) {
        als_diag_print(&d, stderr);
        als_csr_free(&byu);
        als_csr_free(&byi);
        return als_status_exit_code(st);
    }
    for (uint32_t u = 0; u < NU; u++) {
        printf("U %u", u);
        for (int a = 0; a < p.rank; a++)
            printf(" %.9g", (double)s.U[u * (uint32_t)p.rank + (uint32_t)a]);
        printf("\n");
    }
    for (uint32_t i = 0; i < NI; i++) {
        printf("V %u", i);
        for (int a = 0; a < p.rank; a++)
            printf(" %.9g", (double)s.V[i * (uint32_t)p.rank + (uint32_t)a]);
        printf("\n");
    }
    for (uint32_t u = 0; p.bias && u < NU; u++)
        printf("UB %u %.9g\n", u, (double)s.ubias[u]);
    for (uint32_t i = 0; p.bias && i < NI; i++)
        printf("VB %u %.9g\n", i, (double)s.ibias[i]);
    double pred[sizeof pu / sizeof pu[0]];
    als_bpmf_predictions(&s, 0, 0, pred);
    for (size_t j = 0; j < np; j++)
        printf("pred %zu %.17g\n", j, pred[j]);
    printf("state_alpha %.17g\n", s.alpha);
    als_bpmf_state_free(&s);
    als_csr_free(&byu);
    als_csr_free(&byi);
    return 0;
}
