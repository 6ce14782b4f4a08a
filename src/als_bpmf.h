/* als_bpmf — Bayesian probabilistic matrix factorisation (Salakhutdinov & Mnih, ICML 2008) by
 * Gibbs sampling (issue 15; used by `alstune train --model bpmf` and the fold-in of a bpmf model
 * folder, not yet by the YAML loader or the runner).
 *
 *   r_ui − c ~ N(x_u·y_i, 1/α)       c: the mean training rating (when center), else 0
 *   x_u ~ N(μ_U, Λ_U⁻¹),  y_i ~ N(μ_V, Λ_V⁻¹)
 *   (μ, Λ) ~ Normal–Wishart:  Λ ~ W(W₀, ν₀),  μ | Λ ~ N(μ₀, (β₀Λ)⁻¹)   (per side)
 *   α fixed, or α ~ Gamma(a₀, rate b₀) and sampled from its conditional.
 *
 * One sweep: (μ_U, Λ_U) | U;  U | V, μ_U, Λ_U, α;  (μ_V, Λ_V) | V;  V | U, μ_V, Λ_V, α;  then α | U, V
 * (when sampled).  Each row draw is the ALS row system P = Λ + α Σ y yᵀ, m = P⁻¹(Λμ + α Σ r y),
 * x = m + U⁻¹z with P = UᵀU (Cholesky) and z standard normal.  The formulas, defaults, precision
 * and seeding are in docs/bpmf.md.
 *
 * Precision: every k×k system, mean and accumulated prediction is double; the Gram matrices
 * Σ y yᵀ and right-hand sides use the solver's kernels (float partial sums over ≤ 128 rows added
 * in double, as in ALS) unless p->naive; the stored factors are float (as in the ALS solver).
 * Random numbers: GSL (taus2), one generator re-seeded
 * for every (chain, side, row, sweep) from a documented hash, so a chain does not depend on the
 * thread count (als_bpmf_seed). */
#ifndef ALS_BPMF_H
#define ALS_BPMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "als_error.h"
#include "als_sparse.h"

#define ALS_BPMF_MAX_RANK 512

typedef struct {
    int rank;              /* k, 1..ALS_BPMF_MAX_RANK (default 10) */
    int burnin;            /* sweeps discarded, ≥ 0 (default 20) */
    int samples;           /* sweeps collected after the burn-in, ≥ 1 (default 200) */
    double alpha;          /* observation precision (fixed, or the start value when sampled); > 0, default 2 */
    bool sample_alpha;     /* draw α from its Gamma conditional each sweep (default false) */
    double alpha_a0;       /* Gamma prior shape a₀ > 0 (default 1) */
    double alpha_b0;       /* Gamma prior rate b₀ > 0 (default 1) */
    /* Normal–Wishart hyperprior, the same on both sides (paper: μ₀ = 0, β₀ = 2, ν₀ = k, W₀ = I). */
    double mu0;            /* every component of μ₀ (default 0) */
    double beta0;          /* > 0 (default 2) */
    double nu0;            /* > k − 1; 0 means k (default 0 → k) */
    double w0;             /* W₀ = w0·I when W0 is NULL; > 0 (default 1) */
    const double *W0;      /* optional full W₀ (k×k row-major, symmetric positive definite) */
    bool sample_hyper;     /* false: keep μ = μ₀ and Λ = ν₀W₀ (the prior means) fixed (default true) */
    bool center;           /* subtract the mean training rating c (default true) */
    double init_scale;     /* initial factors: init_scale·N(0,1) per component, ≥ 0 (default 0.1) */
    double rmin, rmax;     /* clip posterior-mean predictions to [rmin, rmax] when rmin < rmax
                            * (default 0, 0: no clipping) */
    uint64_t seed;         /* default 0 */
    uint32_t chain;        /* chain id, part of every random stream (default 0) */
    int threads;           /* OpenMP threads for the row loops; 0 = all (default 0) */
    bool naive;            /* Gram matrices Σ y yᵀ in plain double loops (the reference path) instead
                            * of the solver's vector kernel (float products summed in float over
                            * ≤ 128 rows, then in double); default false */
    bool bias;             /* r − c ≈ b_u + b_i + x_u·y_i, b ~ N(0, 1/bias_prec) (default false) */
    double bias_prec;      /* prior precision λ_b of every bias, > 0 (default 1) */
} als_bpmf_params;

/* Test hook: called once for every random draw the sampler consumes, in a fixed order when
 * threads == 1 (from worker threads otherwise — the hook must then be thread-safe).
 *   kind "init":    side, row;           v = the k initial factor values
 *   kind "wishart": side, sweep;          v = ν*, W* (k×k), the drawn Λ (k×k)
 *   kind "mu":      side, sweep;          v = z (k standard normals) for the μ draw
 *   kind "row":     side, row, sweep;     v = z (k, or k + 1 with biases, standard normals)
 *   kind "alpha":   sweep;                v = shape, rate, the drawn α
 * (row = 0 where it does not apply; side 2 for α). */
typedef void (*als_bpmf_trace_fn)(const char *kind, int side, uint32_t row, int sweep,
                                  const double *v, size_t n, void *ctx);

/* The state of one chain (factors, hyperparameters, running sums). */
typedef struct {
    uint32_t nusers, nitems;
    int rank;
    float *U, *V;          /* current factors, nusers × k and nitems × k, row-major */
    float *ubias, *ibias;  /* current biases (bias chains), else NULL */
    double offset;         /* c, added to every prediction */
    double alpha;          /* current α */
    double *mu[2];         /* current μ_U, μ_V (k each) */
    double *Lambda[2];     /* current Λ_U, Λ_V (k×k each) */
    int sweeps_done;       /* sweeps completed (burn-in included) */
    int collected;         /* samples collected (sweeps after the burn-in) */
    size_t npairs;         /* pairs whose predictions are accumulated */
    const uint32_t *pu, *pi; /* the pairs (borrowed from the caller of als_bpmf_run) */
    double *pred_sum;      /* Σ over collected samples of the unclipped prediction, per pair */
    /* private */
    void *priv;
} als_bpmf_state;

/* The paper's defaults (see the field comments). */
void als_bpmf_params_default(als_bpmf_params *p);
/* Reject bad values with a message naming the parameter, before any work (ALS_E_INPUT). */
als_status als_bpmf_params_check(const als_bpmf_params *p, als_diag *d);

/* Allocate a chain for nusers × nitems with p's rank and threads (p must pass the check).
 * Returns ALS_E_NOMEM on failure (s is then zeroed).  Free with als_bpmf_state_free. */
als_status als_bpmf_state_alloc(als_bpmf_state *s, uint32_t nusers, uint32_t nitems,
                                const als_bpmf_params *p, als_diag *d);
void als_bpmf_state_free(als_bpmf_state *s);

/* Called after each collected sample (1-based count); return non-zero to stop. */
typedef int (*als_bpmf_sample_cb)(int nsamples, const als_bpmf_state *s, void *ctx);

/* Run p->burnin + p->samples sweeps from a fresh initialisation.  by_user: nusers × nitems
 * ratings; by_item: its transpose (als_csr_transpose).  The npairs pairs (pu[j], pi[j]) (ids in
 * range; may be 0 pairs) get their posterior-mean prediction accumulated in s->pred_sum; read it
 * with als_bpmf_predictions.  cb (may be NULL) runs after every collected sample.  trace (may be
 * NULL) is the test hook above.  Returns ALS_E_INPUT for mismatched shapes or out-of-range
 * pairs, ALS_E_NUMERIC (with a message) when a system is not positive definite or a value
 * goes non-finite. */
als_status als_bpmf_run(als_bpmf_state *s, const als_bpmf_params *p, const als_csr *by_user,
                        const als_csr *by_item, const uint32_t *pu, const uint32_t *pi,
                        size_t npairs, als_bpmf_sample_cb cb, void *cb_ctx,
                        als_bpmf_trace_fn trace, void *trace_ctx, als_diag *d);

/* out[j] = posterior mean of the prediction for pair j over the samples collected so far
 * (offset included), clipped to [rmin, rmax] when rmin < rmax; NaN when none is collected. */
void als_bpmf_predictions(const als_bpmf_state *s, double rmin, double rmax, double *out);

/* The prediction of the current sample, c + x_u·y_i (double), NaN for ids out of range. */
double als_bpmf_predict_current(const als_bpmf_state *s, int64_t u, int64_t i);

/* The GSL seed of the stream for (seed, chain, side, row, sweep) — documented in docs/bpmf.md:
 *   h = mix(mix(mix(mix(mix(seed) ^ chain) ^ side) ^ row) ^ sweep),  mix = splitmix64 finaliser,
 *   GSL seed = (h ^ (h >> 32)) & 0xffffffff, or 1 if that is 0.
 * side: 0 users, 1 items, 2 α; row: the row, or ALS_BPMF_ROW_HYPER for the side's hyperparameters;
 * sweep: 0-based, or ALS_BPMF_SWEEP_INIT for the initial factors. */
#define ALS_BPMF_ROW_HYPER UINT64_C(0x100000000)
/* side of the fold-in streams: kept sample j's draw of a new user uses
 * als_bpmf_seed(seed, 0, ALS_BPMF_SIDE_FOLDIN, 0, j) (docs/bpmf.md §7, docs/model.md). */
#define ALS_BPMF_SIDE_FOLDIN 3
#define ALS_BPMF_SWEEP_INIT UINT64_C(0xffffffffffffffff)
unsigned long als_bpmf_seed(uint64_t seed, uint64_t chain, uint64_t side, uint64_t row, uint64_t sweep);

/* n standard normals of the stream (seed, chain, side, row, sweep), exactly as the sampler draws
 * them (GSL taus2 seeded with als_bpmf_seed, gsl_ran_gaussian_ziggurat).  False when out of
 * memory.  Allocates a generator per call: not for inner loops. */
bool als_bpmf_normals(uint64_t seed, uint64_t chain, uint64_t side, uint64_t row, uint64_t sweep, double *z,
                      int n);

/* One draw of a row from its conditional (docs/bpmf.md §1, §3b), the reference arithmetic (double
 * loops, explicit Cholesky): the sampler's naive path and the fold-in of a new user.  The row's n
 * ratings are (idx[e], val[e]) against the other side's factors Y (rows of k floats) and, with
 * bias, its biases yb; offset c, observation precision alpha, prior mean mu (k), prior precision
 * Lambda (k×k row-major), bias prior precision bias_prec (bias only).  z: kk = k (+1 with bias)
 * standard normals.  x receives kk doubles (the factor, then the bias) = m + U⁻¹z.  work:
 * kk² + kk doubles.  False (x undefined) when the row precision is not positive definite. */
bool als_bpmf_draw_row(int k, bool bias, const float *Y, const float *yb, const uint32_t *idx, const float *val,
                       size_t n, double offset, double alpha, const double *mu, const double *Lambda,
                       double bias_prec, const double *z, double *x, double *work);

#endif
