/* als_bpmf — the BPMF Gibbs sampler (issue 15; maths in docs/bpmf.md).
 *
 * The row step is the ALS row system with a prior precision in place of λn_u I, followed by one
 * Gaussian draw.  Two paths (docs/bpmf.md §6): the kernel path reuses the ALS solver's kernels
 * (gather, gram, gemv_t, chol_batch eight rows at a time or the Cholesky kernel), and its
 * square-root-free factor P = WᵀD⁻¹W serves both the mean and the draw (U⁻¹z = W⁻¹D^{1/2}z); the
 * naive path (als_bpmf_draw_row) is the double-loop reference.  Factors are stored float.  Random
 * numbers come from one GSL taus2 generator per thread, re-seeded from
 * als_bpmf_seed(seed, chain, side, row, sweep) before each row, so the draws of a row never
 * depend on which thread ran it. */
#include "als_bpmf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "als_kernels.h"
#include "als_util.h"

#define CHOL_RTOL 1e-12

typedef struct {
    double *A, *b, *z; /* k×k, k, k (naive path; z also the kernel path's single-system normals) */
    float *G;          /* ALS_KCHUNK gathered rows, ld stride, zero padding (kernel path) */
    float *t;          /* ALS_KCHUNK targets of the gathered rows (kernel path) */
    double *C;         /* ld×ld Gram matrix, then the row system (kernel path, one system) */
    double *cb, *diag, *dt; /* ld each: right-hand side, 1/d_j, draw work (kernel path) */
    /* kernel path, kk ≤ ALS_BATCH_MAXK: eight systems factored at once by chol_batch */
    double *Cs, *bs, *zs;   /* 8 × (ld×ld), 8 × ld, 8 × ld: the queued systems and their normals */
    double *zt;             /* kp × 8: the normals lane-wise, then the draws' δ */
    double *B, *BX;         /* chol_batch layout: kp×kp×8, kp×8 */
    uint32_t brow[8];
    int nb;
    gsl_rng *rng;
} bpmf_ws;

typedef struct {
    int nthreads;
    bpmf_ws *ws;
    double *rowsse;       /* max(nusers, nitems) doubles: per-row SSE, or per-row failure flags */
    double *lm[2];        /* Λμ per side */
    double *W0inv;        /* k×k */
    float *Xp[2];         /* users', items' factors padded to ld(k + bias) floats a row (the bias
                           * column holds 1): what the kernel path gathers (als_kernels gather) */
    int pld;
    /* hyper workspace */
    double *xbar, *S, *T, *Ui, *muq;
    gsl_matrix *L, *Lam, *gwork;
    gsl_rng *hrng;
} bpmf_priv;

void als_bpmf_params_default(als_bpmf_params *p)
{
    memset(p, 0, sizeof *p);
    p->rank = 10;
    p->burnin = 20;
    p->samples = 200;
    p->alpha = 2.0;
    p->sample_alpha = false;
    p->alpha_a0 = 1.0;
    p->alpha_b0 = 1.0;
    p->mu0 = 0.0;
    p->beta0 = 2.0;
    p->nu0 = 0.0;
    p->w0 = 1.0;
    p->W0 = NULL;
    p->sample_hyper = true;
    p->center = true;
    p->init_scale = 0.1;
    p->rmin = p->rmax = 0.0;
    p->seed = 0;
    p->chain = 0;
    p->threads = 0;
    p->naive = false;
    p->bias = false;
    p->bias_prec = 1.0;
}

unsigned long als_bpmf_seed(uint64_t seed, uint64_t chain, uint64_t side, uint64_t row, uint64_t sweep)
{
    uint64_t h = als_mix64(seed);
    h = als_mix64(h ^ chain);
    h = als_mix64(h ^ side);
    h = als_mix64(h ^ row);
    h = als_mix64(h ^ sweep);
    unsigned long s = (unsigned long)((h ^ (h >> 32)) & UINT64_C(0xffffffff));
    return s ? s : 1UL;
}

/* ---- dense double kernels (k×k row-major) -------------------------------------------------- */

/* In-place Cholesky of the upper triangle: A = UᵀU, U upper (the lower triangle is zeroed).
 * False when a pivot is not > rtol × its original diagonal entry, or not finite. */
static bool chol_upper(double *A, int k)
{
    const size_t K = (size_t)k;
    for (size_t j = 0; j < K; j++) {
        double d = A[j * K + j];
        const double orig = d;
        for (size_t i = 0; i < j; i++)
            d -= A[i * K + j] * A[i * K + j];
        if (!(d > CHOL_RTOL * fabs(orig)) || !isfinite(d) || d <= 0.0)
            return false;
        const double ujj = sqrt(d);
        A[j * K + j] = ujj;
        for (size_t c = j + 1; c < K; c++) {
            double s = A[j * K + c];
            for (size_t i = 0; i < j; i++)
                s -= A[i * K + j] * A[i * K + c];
            A[j * K + c] = s / ujj;
        }
        for (size_t c = 0; c < j; c++)
            A[j * K + c] = 0.0;
    }
    return true;
}


/* Uᵀ y = b (forward substitution), in place. */
static void solve_ut(const double *U, int k, double *b)
{
    const size_t K = (size_t)k;
    for (size_t j = 0; j < K; j++) {
        double s = b[j];
        for (size_t i = 0; i < j; i++)
            s -= U[i * K + j] * b[i];
        b[j] = s / U[j * K + j];
    }
}

/* U x = b (back substitution), in place. */
static void solve_u(const double *U, int k, double *b)
{
    const size_t K = (size_t)k;
    for (size_t j = K; j-- > 0;) {
        double s = b[j];
        for (size_t c = j + 1; c < K; c++)
            s -= U[j * K + c] * b[c];
        b[j] = s / U[j * K + j];
    }
}

/* Inverse of an SPD matrix M (full, symmetric) into out (full), via M = UᵀU: M⁻¹ = U⁻¹U⁻ᵀ.
 * work: k×k.  False when M is not positive definite. */
static bool spd_inverse(const double *M, int k, double *out, double *work)
{
    const size_t K = (size_t)k;
    memcpy(work, M, K * K * sizeof(double));
    if (!chol_upper(work, k))
        return false;
    /* out = U⁻¹ column by column (upper triangular), then out·outᵀ */
    double *Ui = out;
    for (size_t c = 0; c < K; c++) {
        for (size_t r = 0; r < K; r++)
            Ui[r * K + c] = 0.0;
        /* solve U x = e_c; x is zero below row c */
        for (size_t r = c + 1; r-- > 0;) {
            double s = r == c ? 1.0 : 0.0;
            for (size_t j = r + 1; j <= c; j++)
                s -= work[r * K + j] * Ui[j * K + c];
            Ui[r * K + c] = s / work[r * K + r];
        }
    }
    /* work = Ui Uiᵀ (symmetric), then copy back */
    for (size_t a = 0; a < K; a++)
        for (size_t b = a; b < K; b++) {
            double s = 0.0;
            for (size_t j = (a > b ? a : b); j < K; j++)
                s += Ui[a * K + j] * Ui[b * K + j];
            work[a * K + b] = s;
            work[b * K + a] = s;
        }
    memcpy(out, work, K * K * sizeof(double));
    return true;
}

static void std_normals(const gsl_rng *r, double *z, int k)
{
    for (int c = 0; c < k; c++)
        z[c] = gsl_ran_gaussian_ziggurat(r, 1.0);
}

/* ---- parameters ---------------------------------------------------------------------------- */

static double nu0_of(const als_bpmf_params *p) { return p->nu0 > 0 ? p->nu0 : (double)p->rank; }

als_status als_bpmf_params_check(const als_bpmf_params *p, als_diag *d)
{
    if (p->rank < 1 || p->rank > ALS_BPMF_MAX_RANK)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: rank must be in 1..%d, got %d",
                            ALS_BPMF_MAX_RANK, p->rank);
    if (p->burnin < 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: burnin must be >= 0, got %d", p->burnin);
    if (p->samples < 1)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: samples must be >= 1, got %d", p->samples);
    if (p->burnin > 1000000 || p->samples > 1000000)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: burnin and samples must be <= 1000000");
    if (!(p->alpha > 0) || !isfinite(p->alpha))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: alpha must be a finite number > 0, got %g", p->alpha);
    if (p->sample_alpha && (!(p->alpha_a0 > 0) || !isfinite(p->alpha_a0) || !(p->alpha_b0 > 0) ||
                            !isfinite(p->alpha_b0)))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "bpmf: the Gamma prior of alpha needs a0 > 0 and b0 > 0, got %g and %g",
                            p->alpha_a0, p->alpha_b0);
    if (!isfinite(p->mu0))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: mu0 must be finite");
    if (!(p->beta0 > 0) || !isfinite(p->beta0))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: beta0 must be a finite number > 0, got %g", p->beta0);
    if (p->nu0 < 0 || !isfinite(p->nu0) || (p->nu0 > 0 && !(p->nu0 > p->rank - 1)))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "bpmf: nu0 must be > rank - 1 = %d (or 0 for rank), got %g", p->rank - 1, p->nu0);
    if (!(p->init_scale >= 0) || !isfinite(p->init_scale))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: init_scale must be finite and >= 0, got %g",
                            p->init_scale);
    if (!isfinite(p->rmin) || !isfinite(p->rmax) || p->rmin > p->rmax)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: rating range [%g, %g] is not a finite interval",
                            p->rmin, p->rmax);
    if (p->bias && (!(p->bias_prec > 0) || !isfinite(p->bias_prec)))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: bias_prec must be a finite number > 0, got %g",
                            p->bias_prec);
    if (p->threads < 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: threads must be >= 0, got %d", p->threads);
    if (p->W0) {
        const size_t K = (size_t)p->rank;
        double *w = malloc(K * K * sizeof(double));
        if (!w)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "bpmf: out of memory");
        bool sym = true;
        for (size_t a = 0; a < K; a++)
            for (size_t b = 0; b < K; b++) {
                double x = p->W0[a * K + b], y = p->W0[b * K + a];
                if (!isfinite(x) || fabs(x - y) > 1e-12 * (fabs(x) + fabs(y)))
                    sym = false;
            }
        memcpy(w, p->W0, K * K * sizeof(double));
        bool pd = sym && chol_upper(w, p->rank);
        free(w);
        if (!pd)
            return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                                "bpmf: W0 must be a finite symmetric positive definite %dx%d matrix", p->rank,
                                p->rank);
    } else if (!(p->w0 > 0) || !isfinite(p->w0)) {
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: w0 (W0 = w0 I) must be a finite number > 0, got %g",
                            p->w0);
    }
    return ALS_OK;
}

/* ---- state --------------------------------------------------------------------------------- */

static int threads_of(const als_bpmf_params *p)
{
    int nt = p->threads;
#ifdef _OPENMP
    if (nt <= 0)
        nt = omp_get_max_threads();
#else
    nt = 1;
#endif
    return nt < 1 ? 1 : nt;
}

void als_bpmf_state_free(als_bpmf_state *s)
{
    if (!s)
        return;
    bpmf_priv *P = s->priv;
    if (P) {
        if (P->ws) {
            for (int t = 0; t < P->nthreads; t++) {
                free(P->ws[t].A);
                free(P->ws[t].G);
                free(P->ws[t].t);
                free(P->ws[t].C);
                free(P->ws[t].Cs);
                free(P->ws[t].B);
                if (P->ws[t].rng)
                    gsl_rng_free(P->ws[t].rng);
            }
            free(P->ws);
        }
        free(P->rowsse);
        free(P->Xp[0]);
        free(P->Xp[1]);
        free(P->lm[0]);
        free(P->lm[1]);
        free(P->W0inv);
        free(P->xbar);
        if (P->L)
            gsl_matrix_free(P->L);
        if (P->Lam)
            gsl_matrix_free(P->Lam);
        if (P->gwork)
            gsl_matrix_free(P->gwork);
        if (P->hrng)
            gsl_rng_free(P->hrng);
        free(P);
    }
    free(s->U);
    free(s->V);
    for (int side = 0; side < 2; side++) {
        free(s->mu[side]);
        free(s->Lambda[side]);
    }
    free(s->pred_sum);
    free(s->ubias);
    free(s->ibias);
    memset(s, 0, sizeof *s);
}

als_status als_bpmf_state_alloc(als_bpmf_state *s, uint32_t nusers, uint32_t nitems,
                                const als_bpmf_params *p, als_diag *d)
{
    memset(s, 0, sizeof *s);
    als_status st = als_bpmf_params_check(p, d);
    if (st != ALS_OK)
        return st;
    if (nusers == 0 || nitems == 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: need at least one user and one item");
    const size_t K = (size_t)p->rank;
    s->nusers = nusers;
    s->nitems = nitems;
    s->rank = p->rank;
    s->U = calloc((size_t)nusers * K, sizeof(float));
    s->V = calloc((size_t)nitems * K, sizeof(float));
    bpmf_priv *P = calloc(1, sizeof *P);
    s->priv = P;
    if (!s->U || !s->V || !P)
        goto nomem;
    for (int side = 0; side < 2; side++) {
        s->mu[side] = calloc(K, sizeof(double));
        s->Lambda[side] = calloc(K * K, sizeof(double));
        P->lm[side] = calloc(K, sizeof(double));
        if (!s->mu[side] || !s->Lambda[side] || !P->lm[side])
            goto nomem;
    }
    P->nthreads = threads_of(p);
    P->ws = calloc((size_t)P->nthreads, sizeof *P->ws);
    if (!P->ws)
        goto nomem;
    for (int t = 0; t < P->nthreads; t++) {
        bpmf_ws *w = &P->ws[t];
        const size_t K1 = K + 1; /* room for the bias */
        w->A = malloc((K1 * K1 + 3 * K1) * sizeof(double)); /* A and its work: K1² + K1; b; z */
        w->rng = gsl_rng_alloc(gsl_rng_taus2);
        const size_t L = (size_t)als_kernels_ld(p->rank + 1);
        const size_t kp = (K1 + 7) / 8 * 8 + 1;
        w->G = als_kernels_alloc(ALS_KCHUNK * L * sizeof(float));
        w->t = als_kernels_alloc(ALS_KCHUNK * sizeof(float));
        w->C = als_kernels_alloc((L * L + 3 * L) * sizeof(double));
        w->Cs = als_kernels_alloc(8 * (L * L + 2 * L) * sizeof(double));
        w->B = als_kernels_alloc((kp * kp * 8 + 2 * kp * 8) * sizeof(double));
        if (!w->A || !w->rng || !w->G || !w->t || !w->C || !w->Cs || !w->B)
            goto nomem;
        w->cb = w->C + L * L;
        w->diag = w->cb + L;
        w->dt = w->diag + L;
        w->bs = w->Cs + 8 * L * L;
        w->zs = w->bs + 8 * L;
        w->BX = w->B + kp * kp * 8;
        w->zt = w->BX + kp * 8;
        w->b = w->A + K1 * K1 + K1;
        w->z = w->b + K1;
    }
    if (p->bias) {
        s->ubias = calloc(nusers, sizeof(float));
        s->ibias = calloc(nitems, sizeof(float));
        if (!s->ubias || !s->ibias)
            goto nomem;
    }
    P->pld = als_kernels_ld(p->rank + (p->bias ? 1 : 0));
    P->Xp[0] = als_kernels_alloc((size_t)nusers * (size_t)P->pld * sizeof(float));
    P->Xp[1] = als_kernels_alloc((size_t)nitems * (size_t)P->pld * sizeof(float));
    if (!P->Xp[0] || !P->Xp[1])
        goto nomem;
    P->rowsse = calloc(nusers > nitems ? nusers : nitems, sizeof(double));
    P->W0inv = malloc(K * K * sizeof(double));
    P->xbar = malloc((2 * K + 3 * K * K) * sizeof(double));
    P->L = gsl_matrix_alloc(K, K);
    P->Lam = gsl_matrix_alloc(K, K);
    P->gwork = gsl_matrix_alloc(K, K);
    P->hrng = gsl_rng_alloc(gsl_rng_taus2);
    if (!P->rowsse || !P->W0inv || !P->xbar || !P->L || !P->Lam || !P->gwork || !P->hrng)
        goto nomem;
    P->muq = P->xbar + K;
    P->S = P->muq + K;
    P->T = P->S + K * K;
    P->Ui = P->T + K * K;
    return ALS_OK;
nomem:
    als_bpmf_state_free(s);
    return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "bpmf: out of memory for a %u x %u chain of rank %d",
                        nusers, nitems, p->rank);
}

/* ---- the sampler --------------------------------------------------------------------------- */

typedef struct {
    als_bpmf_state *s;
    const als_bpmf_params *p;
    als_bpmf_trace_fn trace;
    void *tctx;
    int k;
    int nt;       /* threads for this run (≤ the workspaces allocated) */
    double nu0;
} run_ctx;

static void tr(const run_ctx *c, const char *kind, int side, uint32_t row, int sweep, const double *v, size_t n)
{
    if (c->trace)
        c->trace(kind, side, row, sweep, v, n, c->tctx);
}

/* Fixed hyperparameters: μ = μ₀·1, Λ = ν₀W₀ (the prior means). */
static void hyper_fixed(run_ctx *c, int side)
{
    const als_bpmf_params *p = c->p;
    const size_t K = (size_t)c->k;
    double *mu = c->s->mu[side], *Lam = c->s->Lambda[side];
    for (size_t a = 0; a < K; a++) {
        mu[a] = p->mu0;
        for (size_t b = 0; b < K; b++)
            Lam[a * K + b] = c->nu0 * (p->W0 ? p->W0[a * K + b] : (a == b ? p->w0 : 0.0));
    }
}

static void update_lm(run_ctx *c, int side)
{
    bpmf_priv *P = c->s->priv;
    const size_t K = (size_t)c->k;
    const double *mu = c->s->mu[side], *Lam = c->s->Lambda[side];
    for (size_t a = 0; a < K; a++) {
        double t = 0.0;
        for (size_t b = 0; b < K; b++)
            t += Lam[a * K + b] * mu[b];
        P->lm[side][a] = t;
    }
}

/* (μ, Λ) | X from the Normal–Wishart posterior (docs/bpmf.md §2). */
static als_status hyper_sample(run_ctx *c, int side, int sweep, als_diag *d)
{
    als_bpmf_state *s = c->s;
    bpmf_priv *P = s->priv;
    const als_bpmf_params *p = c->p;
    const int k = c->k;
    const size_t K = (size_t)k;
    const size_t n = side == 0 ? s->nusers : s->nitems;
    const float *X = side == 0 ? s->U : s->V;
    double *xbar = P->xbar, *S = P->S, *T = P->T, *muq = P->muq;

    for (size_t a = 0; a < K; a++)
        xbar[a] = 0.0;
    for (size_t r = 0; r < n; r++)
        for (size_t a = 0; a < K; a++)
            xbar[a] += (double)X[r * K + a];
    for (size_t a = 0; a < K; a++)
        xbar[a] /= (double)n;
    /* S = Σ (x − x̄)(x − x̄)ᵀ (upper triangle, then mirrored): plain double loops on the naive
     * path; else the solver's Gram kernel over chunks of centred rows rounded to float (float
     * sums within a chunk, double across chunks, as for the row systems) */
    memset(S, 0, K * K * sizeof(double));
    if (p->naive) {
        for (size_t r = 0; r < n; r++) {
            const float *x = X + r * K;
            for (size_t a = 0; a < K; a++) {
                const double da = (double)x[a] - xbar[a];
                for (size_t b = a; b < K; b++)
                    S[a * K + b] += da * ((double)x[b] - xbar[b]);
            }
        }
    } else {
        bpmf_ws *w = &P->ws[0];
        const int ld = als_kernels_ld(k);
        const size_t L = (size_t)ld;
        for (size_t o = 0; o < n; o += ALS_KCHUNK) {
            const size_t m = n - o < ALS_KCHUNK ? n - o : ALS_KCHUNK;
            for (size_t q = 0; q < m; q++) {
                for (size_t a = 0; a < K; a++)
                    w->G[q * L + a] = (float)((double)X[(o + q) * K + a] - xbar[a]);
                for (size_t a = K; a < L; a++)
                    w->G[q * L + a] = 0.0f;
            }
            als_kernels()->gram(k, ld, m, w->G, w->G, w->C, o > 0);
        }
        for (size_t a = 0; a < K; a++)
            for (size_t b = a; b < K; b++)
                S[a * K + b] = w->C[a * L + b];
    }
    const double N = (double)n;
    const double betas = p->beta0 + N, nus = c->nu0 + N;
    const double f = p->beta0 * N / betas;
    /* T = W*⁻¹ = W₀⁻¹ + S + β₀N/(β₀+N) (x̄ − μ₀)(x̄ − μ₀)ᵀ */
    for (size_t a = 0; a < K; a++) {
        muq[a] = (p->beta0 * p->mu0 + N * xbar[a]) / betas;
        for (size_t b = a; b < K; b++) {
            double t = P->W0inv[a * K + b] + S[a * K + b] + f * (xbar[a] - p->mu0) * (xbar[b] - p->mu0);
            T[a * K + b] = t;
            T[b * K + a] = t;
        }
    }
    /* W* = T⁻¹ (into S), its lower Cholesky factor L for gsl_ran_wishart */
    if (!spd_inverse(T, k, S, P->Ui))
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                            "bpmf: the Wishart scale of side %d is not positive definite at sweep %d", side, sweep);
    memcpy(T, S, K * K * sizeof(double));
    if (!chol_upper(T, k))
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                            "bpmf: the Wishart scale of side %d is not positive definite at sweep %d", side, sweep);
    for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b < K; b++)
            gsl_matrix_set(P->L, a, b, b <= a ? T[b * K + a] : 0.0);
    gsl_rng_set(P->hrng, als_bpmf_seed(p->seed, p->chain, (uint64_t)side, ALS_BPMF_ROW_HYPER, (uint64_t)sweep));
    if (gsl_ran_wishart(P->hrng, nus, P->L, P->Lam, P->gwork) != GSL_SUCCESS)
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0, "bpmf: the Wishart draw of side %d failed at sweep %d",
                            side, sweep);
    double *Lam = s->Lambda[side];
    for (size_t a = 0; a < K; a++)
        for (size_t b = a; b < K; b++) {
            /* symmetrise: GSL's product is symmetric up to rounding */
            double v = 0.5 * (gsl_matrix_get(P->Lam, a, b) + gsl_matrix_get(P->Lam, b, a));
            Lam[a * K + b] = v;
            Lam[b * K + a] = v;
        }
    if (c->trace) {
        double *v = malloc((1 + 2 * K * K) * sizeof(double));
        if (v) {
            v[0] = nus;
            memcpy(v + 1, S, K * K * sizeof(double));
            memcpy(v + 1 + K * K, Lam, K * K * sizeof(double));
            tr(c, "wishart", side, 0, sweep, v, 1 + 2 * K * K);
            free(v);
        }
    }
    /* μ ~ N(μ*, (β*Λ)⁻¹): β*Λ = UᵀU, μ = μ* + U⁻¹z */
    for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b < K; b++)
            T[a * K + b] = betas * Lam[a * K + b];
    if (!chol_upper(T, k))
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                            "bpmf: the drawn precision of side %d is not positive definite at sweep %d", side,
                            sweep);
    double *z = P->Ui;
    std_normals(P->hrng, z, k);
    tr(c, "mu", side, 0, sweep, z, K);
    solve_u(T, k, z);
    for (size_t a = 0; a < K; a++)
        s->mu[side][a] = muq[a] + z[a];
    return ALS_OK;
}

/* The prior of a row system (upper triangle of A, stride lda, and right-hand side b hold the data
 * terms Σ d dᵀ and Σ t d):  A ← diag(Λ, λ_b) + αA,  b ← (Λμ, 0) + αb. */
static void add_prior(double *A, size_t lda, double *b, size_t K, bool bias, const double *Lam, const double *lm,
                      double alpha, double bias_prec)
{
    for (size_t a = 0; a < K; a++) {
        b[a] = lm[a] + alpha * b[a];
        for (size_t bb = a; bb < K; bb++)
            A[a * lda + bb] = Lam[a * K + bb] + alpha * A[a * lda + bb];
        if (bias)
            A[a * lda + K] *= alpha;
    }
    if (bias) {
        b[K] *= alpha;
        A[K * lda + K] = bias_prec + alpha * A[K * lda + K];
    }
}

/* The draw's noise term added to x: δ = U⁻¹z for the Cholesky factor U = D^{-1/2}W of the row
 * precision, as left by the solver's square-root-free kernels (A = WᵀD⁻¹W, d_j = W[j][j], upper
 * triangle of W at W[a·rs + c·cs]):  W δ = D^{1/2} z by back substitution.  t: kk doubles. */
static void add_draw(const double *W, size_t rs, size_t cs, int kk, const double *z, double *x, double *t)
{
    for (int j = kk - 1; j >= 0; j--) {
        const double *wj = W + (size_t)j * rs;
        const double dj = wj[(size_t)j * cs];
        double v = sqrt(dj) * z[j];
        for (int c = j + 1; c < kk; c++)
            v -= wj[(size_t)c * cs] * t[c];
        t[j] = v / dj;
        x[j] += t[j];
    }
}

/* Store a drawn row (k factor values, then the bias) as float, in the factor table x and its
 * padded copy xp; 2.0 into *fail when non-finite. */
static void store_draw(const double *v, int k, bool bias, float *x, float *xp, float *xb, double *fail)
{
    for (int a = 0; a < k + (bias ? 1 : 0); a++) {
        if (!isfinite(v[a]) || fabs(v[a]) > 3e38)
            *fail = 2.0;
        if (a < k)
            xp[a] = x[a] = (float)v[a];
        else
            *xb = (float)v[a];
    }
}

/* The padded copy of a side's factors (after the initialisation); the bias column reads 1. */
static void pad_side(als_bpmf_state *s, int side, bool bias)
{
    bpmf_priv *P = s->priv;
    const size_t K = (size_t)s->rank, L = (size_t)P->pld;
    const uint32_t n = side == 0 ? s->nusers : s->nitems;
    const float *X = side == 0 ? s->U : s->V;
    for (uint32_t r = 0; r < n; r++) {
        memcpy(P->Xp[side] + r * L, X + r * K, K * sizeof(float));
        if (bias)
            P->Xp[side][r * L + K] = 1.0f;
    }
}

/* Shared by the kernel path's rows of one side. */
typedef struct {
    run_ctx *c;
    int side, sweep, k, kk, ld, kp;
    float *X, *Xp, *xb;   /* the side's factors, their padded copy, biases */
    const float *Yp;      /* the other side's padded factors */
    double *fail;
    const als_kernel_table *kt;
} rows_job;

/* Factor the queued systems of w together (chol_batch: identity systems in the free lanes), then
 * draw and store each row: x = m + U⁻¹z. */
static void batch_flush(const rows_job *j, bpmf_ws *w)
{
    if (w->nb == 0)
        return;
    const size_t kk = (size_t)j->kk, kp = (size_t)j->kp, L = (size_t)j->ld, K = (size_t)j->k;
    als_kernels_batch_load(j->kt, w->Cs, L * L, w->bs, L, j->ld, j->kk, j->kp, w->nb, w->B, w->BX);
    unsigned char bad[8];
    j->kt->chol_batch(w->B, j->kk, j->kp, w->BX, CHOL_RTOL, bad);
    /* the draws of the eight lanes together (add_draw's recurrence, lane-wise; the free lanes'
     * identity systems get z = 0): BX += δ with W δ = D^{1/2} z */
    double *T = w->zt;
    for (size_t a = 0; a < kk; a++)
        for (size_t s = 0; s < 8; s++)
            T[a * 8 + s] = (int)s < w->nb ? w->zs[s * L + a] : 0.0;
    for (size_t a = kk; a-- > 0;) {
        const double *Ba = w->B + a * kp * 8;
        double v[8], dd[8];
        for (size_t s = 0; s < 8; s++) {
            dd[s] = Ba[a * 8 + s];
            v[s] = sqrt(fabs(dd[s])) * T[a * 8 + s];
        }
        for (size_t c = a + 1; c < kk; c++)
            for (size_t s = 0; s < 8; s++)
                v[s] -= Ba[c * 8 + s] * T[c * 8 + s];
        for (size_t s = 0; s < 8; s++) {
            T[a * 8 + s] = v[s] / dd[s];
            w->BX[a * 8 + s] += T[a * 8 + s];
        }
    }
    double *x = w->cb; /* ld doubles */
    for (int s = 0; s < w->nb; s++) {
        const uint32_t r = w->brow[s];
        if (bad[s]) {
            j->fail[r] = 1.0;
            continue;
        }
        for (size_t a = 0; a < kk; a++)
            x[a] = w->BX[a * 8 + (size_t)s];
        store_draw(x, j->k, j->kk > j->k, j->X + (size_t)r * K, j->Xp + (size_t)r * L, j->xb ? j->xb + r : NULL,
                   &j->fail[r]);
    }
    w->nb = 0;
}

/* Kernel path of one row: the Gram matrix and right-hand side by the solver's kernels (gather a
 * chunk, gram, gemv_t), the prior added, the normals drawn; then queued for chol_batch, or (kk >
 * ALS_BATCH_MAXK) factored here by the solver's Cholesky kernel, solved, drawn and stored. */
static void row_kernel(const rows_job *j, bpmf_ws *w, const als_csr *R, uint32_t r)
{
    run_ctx *c = j->c;
    als_bpmf_state *s = c->s;
    bpmf_priv *P = s->priv;
    const als_bpmf_params *p = c->p;
    const int side = j->side, k = j->k, kk = j->kk, ld = j->ld;
    const size_t K = (size_t)k, KK = (size_t)kk, L = (size_t)ld;
    const bool bias = kk > k, batched = kk <= ALS_BATCH_MAXK;
    const float *yb = side == 0 ? s->ibias : s->ubias;
    const double alpha = s->alpha, off = s->offset;
    const double *Lam = s->Lambda[side], *lm = P->lm[side];
    double *C = batched ? w->Cs + (size_t)w->nb * L * L : w->C;
    double *b = batched ? w->bs + (size_t)w->nb * L : w->cb;
    double *z = batched ? w->zs + (size_t)w->nb * L : w->z;
    const size_t e0 = R->ptr[r], n_r = R->ptr[r + 1] - e0;
    if (n_r == 0) {
        memset(C, 0, L * L * sizeof(double));
        memset(b, 0, L * sizeof(double));
    }
    for (size_t o = 0; o < n_r; o += ALS_KCHUNK) {
        const size_t m = n_r - o < ALS_KCHUNK ? n_r - o : ALS_KCHUNK;
        j->kt->gather(ld, m, R->idx + e0 + o, j->Yp, w->G);
        for (size_t q = 0; q < m; q++) {
            const size_t e = e0 + o + q;
            w->t[q] = (float)((double)R->val[e] - off - (bias ? (double)yb[R->idx[e]] : 0.0));
        }
        j->kt->gram(kk, ld, m, w->G, w->G, C, o > 0);
        j->kt->gemv_t(kk, ld, m, w->G, w->t, b, o > 0);
    }
    add_prior(C, L, b, K, bias, Lam, lm, alpha, p->bias_prec);
    gsl_rng_set(w->rng, als_bpmf_seed(p->seed, p->chain, (uint64_t)side, r, (uint64_t)j->sweep));
    std_normals(w->rng, z, kk);
    tr(c, "row", side, r, j->sweep, z, KK);
    if (batched) {
        w->brow[w->nb] = r;
        if (++w->nb == 8)
            batch_flush(j, w);
        return;
    }
    /* rows kk .. the next multiple of 8 are read (times zero) by the kernel: zero them */
    size_t end = (KK + 7) / 8 * 8;
    if (end > L)
        end = L;
    if (end > KK)
        memset(C + KK * L, 0, (end - KK) * L * sizeof(double));
    if (!j->kt->cholesky(C, ld, kk, CHOL_RTOL, w->diag)) {
        j->fail[r] = 1.0;
        return;
    }
    j->kt->chol_solve(C, ld, kk, w->diag, b);
    add_draw(C, L, 1, kk, z, b, w->dt);
    store_draw(b, k, bias, j->X + (size_t)r * K, j->Xp + (size_t)r * L, j->xb ? j->xb + r : NULL, &j->fail[r]);
}

bool als_bpmf_normals(uint64_t seed, uint64_t chain, uint64_t side, uint64_t row, uint64_t sweep, double *z,
                      int n)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r)
        return false;
    gsl_rng_set(r, als_bpmf_seed(seed, chain, side, row, sweep));
    std_normals(r, z, n);
    gsl_rng_free(r);
    return true;
}

bool als_bpmf_draw_row(int k, bool bias, const float *Y, const float *yb, const uint32_t *idx, const float *val,
                       size_t n, double offset, double alpha, const double *mu, const double *Lambda,
                       double bias_prec, const double *z, double *x, double *work)
{
    const int kk = k + (bias ? 1 : 0);
    const size_t K = (size_t)k, KK = (size_t)kk;
    double *A = work, *dz = work + KK * KK;
    /* A = Σ d dᵀ, b = Σ t d with d = y (or (y, 1)), t = r − c (− b_other);
     * then A ← prior precision + αA, b ← Λμ + αb */
    memset(x, 0, KK * sizeof(double));
    memset(A, 0, KK * KK * sizeof(double));
    for (size_t e = 0; e < n; e++) {
        const float *y = Y + (size_t)idx[e] * K;
        const double t = (double)val[e] - offset - (bias ? (double)yb[idx[e]] : 0.0);
        for (size_t a = 0; a < K; a++) {
            const double ya = (double)y[a];
            x[a] += t * ya;
            for (size_t bb = a; bb < K; bb++)
                A[a * KK + bb] += ya * (double)y[bb];
            if (bias)
                A[a * KK + K] += ya;
        }
        if (bias) {
            x[K] += t;
            A[K * KK + K] += 1.0;
        }
    }
    for (size_t a = 0; a < K; a++) {
        double lm = 0.0;
        for (size_t bb = 0; bb < K; bb++)
            lm += Lambda[a * K + bb] * mu[bb];
        dz[a] = lm;
    }
    add_prior(A, KK, x, K, bias, Lambda, dz, alpha, bias_prec);
    if (!chol_upper(A, kk))
        return false;
    solve_ut(A, kk, x);
    solve_u(A, kk, x); /* x = m */
    memcpy(dz, z, KK * sizeof(double));
    solve_u(A, kk, dz);
    for (size_t a = 0; a < KK; a++)
        x[a] += dz[a];
    return true;
}

/* Every row of `side` given the other side: x = m + U⁻¹z (docs/bpmf.md §1).  With biases the
 * unknown is (x, b) of order k + 1: design rows (y, 1), targets r − c − b_other, prior precision
 * diag(Λ, λ_b) and prior mean (μ, 0) (docs/bpmf.md §3b).  The naive path (p->naive) is the
 * reference: double loops, an explicit Cholesky, two triangular solves and a third for the draw. */
static als_status rows_sample(run_ctx *c, int side, const als_csr *R, int sweep, als_diag *d)
{
    als_bpmf_state *s = c->s;
    bpmf_priv *P = s->priv;
    const als_bpmf_params *p = c->p;
    const int k = c->k;
    const bool bias = p->bias;
    const int kk = k + (bias ? 1 : 0);
    const size_t K = (size_t)k, KK = (size_t)kk;
    float *X = side == 0 ? s->U : s->V;
    const float *Y = side == 0 ? s->V : s->U;
    float *xb = side == 0 ? s->ubias : s->ibias;
    const float *yb = side == 0 ? s->ibias : s->ubias;
    const double alpha = s->alpha, off = s->offset;
    const double *Lam = s->Lambda[side];
    const uint32_t n = R->nrows;
    double *fail = P->rowsse;
    const int nt = c->nt;
    const bool naive = p->naive;
    const als_kernel_table *kt = als_kernels();
    const int ld = als_kernels_ld(kk);
    const rows_job job = {c,  side,           sweep, k, kk, ld, (kk + 7) / 8 * 8 + 1, X, P->Xp[side], xb,
                          P->Xp[1 - side], fail, kt};
    memset(fail, 0, (size_t)n * sizeof(double));

#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        bpmf_ws *w = &P->ws[omp_get_thread_num()];
#else
        bpmf_ws *w = &P->ws[0];
#endif
        double *A = w->A, *b = w->b, *z = w->z;
        w->nb = 0;
#pragma omp for schedule(dynamic, 16) nowait
        for (uint32_t r = 0; r < n; r++) {
            if (!naive) {
                row_kernel(&job, w, R, r);
                continue;
            }
            gsl_rng_set(w->rng, als_bpmf_seed(p->seed, p->chain, (uint64_t)side, r, (uint64_t)sweep));
            std_normals(w->rng, z, kk);
            tr(c, "row", side, r, sweep, z, KK);
            const size_t e0 = R->ptr[r];
            if (!als_bpmf_draw_row(k, bias, Y, yb, R->idx + e0, R->val + e0, R->ptr[r + 1] - e0, off, alpha,
                                   s->mu[side], Lam, p->bias_prec, z, b, A)) {
                fail[r] = 1.0;
                continue;
            }
            store_draw(b, k, bias, X + (size_t)r * K, P->Xp[side] + (size_t)r * (size_t)ld, xb ? xb + r : NULL,
                       &fail[r]);
        }
        if (!naive)
            batch_flush(&job, w);
    }
    for (uint32_t r = 0; r < n; r++)
        if (fail[r] != 0.0)
            return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                                fail[r] == 1.0 ? "bpmf: the system of %s %u is not positive definite at sweep %d"
                                               : "bpmf: %s %u drew a non-finite factor at sweep %d",
                                side == 0 ? "user" : "item", r, sweep);
    return ALS_OK;
}

static double dotf(const float *x, const float *y, size_t K)
{
    double t = 0.0;
    for (size_t a = 0; a < K; a++)
        t += (double)x[a] * (double)y[a];
    return t;
}

/* α | U, V ~ Gamma(a₀ + N/2, rate b₀ + SSE/2). */
static als_status alpha_sample(run_ctx *c, const als_csr *R, int sweep, als_diag *d)
{
    als_bpmf_state *s = c->s;
    bpmf_priv *P = s->priv;
    const als_bpmf_params *p = c->p;
    const size_t K = (size_t)c->k;
    const int nt = c->nt;
    const uint32_t n = R->nrows;
    double *sse = P->rowsse;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (uint32_t u = 0; u < n; u++) {
        double t = 0.0;
        const float *x = s->U + (size_t)u * K;
        for (size_t e = R->ptr[u]; e < R->ptr[u + 1]; e++) {
            double res = (double)R->val[e] - s->offset - dotf(x, s->V + (size_t)R->idx[e] * K, K);
            if (s->ubias)
                res -= (double)s->ubias[u] + (double)s->ibias[R->idx[e]];
            t += res * res;
        }
        sse[u] = t;
    }
    double SSE = 0.0;
    for (uint32_t u = 0; u < n; u++)
        SSE += sse[u];
    const double shape = p->alpha_a0 + 0.5 * (double)R->nnz, rate = p->alpha_b0 + 0.5 * SSE;
    gsl_rng_set(P->hrng, als_bpmf_seed(p->seed, p->chain, 2, 0, (uint64_t)sweep));
    const double a = gsl_ran_gamma(P->hrng, shape, 1.0 / rate);
    if (!(a > 0) || !isfinite(a))
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0, "bpmf: alpha drew %g at sweep %d (SSE %g)", a, sweep, SSE);
    s->alpha = a;
    double v[3] = {shape, rate, a};
    tr(c, "alpha", 2, 0, sweep, v, 3);
    return ALS_OK;
}

static void init_side(run_ctx *c, int side)
{
    als_bpmf_state *s = c->s;
    bpmf_priv *P = s->priv;
    const als_bpmf_params *p = c->p;
    const size_t K = (size_t)c->k;
    const uint32_t n = side == 0 ? s->nusers : s->nitems;
    float *X = side == 0 ? s->U : s->V;
    double *z = P->ws[0].z;
    double *v = P->ws[0].b;
    for (uint32_t r = 0; r < n; r++) {
        gsl_rng_set(P->hrng, als_bpmf_seed(p->seed, p->chain, (uint64_t)side, r, ALS_BPMF_SWEEP_INIT));
        std_normals(P->hrng, z, c->k);
        for (size_t a = 0; a < K; a++) {
            X[r * K + a] = (float)(p->init_scale * z[a]);
            v[a] = (double)X[r * K + a];
        }
        tr(c, "init", side, r, -1, v, K);
    }
}

static void accumulate(als_bpmf_state *s, int nt)
{
    const size_t K = (size_t)s->rank;
    const size_t np = s->npairs;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (size_t j = 0; j < np; j++)
        s->pred_sum[j] += s->offset + dotf(s->U + (size_t)s->pu[j] * K, s->V + (size_t)s->pi[j] * K, K) +
                          (s->ubias ? (double)s->ubias[s->pu[j]] + (double)s->ibias[s->pi[j]] : 0.0);
}

als_status als_bpmf_run(als_bpmf_state *s, const als_bpmf_params *p, const als_csr *by_user,
                        const als_csr *by_item, const uint32_t *pu, const uint32_t *pi,
                        size_t npairs, als_bpmf_sample_cb cb, void *cb_ctx,
                        als_bpmf_trace_fn trace, void *trace_ctx, als_diag *d)
{
    als_status st = als_bpmf_params_check(p, d);
    if (st != ALS_OK)
        return st;
    if (!s->priv || p->rank != s->rank)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: the chain was allocated for another rank");
    if (p->bias != (s->ubias != NULL))
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: the chain was allocated %s biases",
                            s->ubias ? "with" : "without");
    bpmf_priv *P = s->priv;
    if (threads_of(p) > P->nthreads)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "bpmf: the chain was allocated for %d threads, %d requested", P->nthreads, threads_of(p));
    if (by_user->nrows != s->nusers || by_user->ncols != s->nitems || by_item->nrows != s->nitems ||
        by_item->ncols != s->nusers || by_item->nnz != by_user->nnz)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "bpmf: ratings are %ux%u (transpose %ux%u), the chain is %ux%u", by_user->nrows,
                            by_user->ncols, by_item->nrows, by_item->ncols, s->nusers, s->nitems);
    for (size_t j = 0; j < npairs; j++)
        if (pu[j] >= s->nusers || pi[j] >= s->nitems)
            return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: pair %zu (%u, %u) is out of range %ux%u", j,
                                pu[j], pi[j], s->nusers, s->nitems);
    gsl_set_error_handler_off();

    const int k = p->rank;
    const size_t K = (size_t)k;
    const int nt = threads_of(p);
    run_ctx c = {.s = s, .p = p, .trace = trace, .tctx = trace_ctx, .k = k, .nt = nt, .nu0 = nu0_of(p)};

    free(s->pred_sum);
    s->pred_sum = calloc(npairs ? npairs : 1, sizeof(double));
    if (!s->pred_sum)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "bpmf: out of memory for %zu predictions", npairs);
    s->npairs = npairs;
    s->pu = pu;
    s->pi = pi;
    s->sweeps_done = 0;
    s->collected = 0;
    s->alpha = p->alpha;
    s->offset = 0.0;
    if (p->center && by_user->nnz > 0) {
        double t = 0.0;
        for (size_t e = 0; e < by_user->nnz; e++)
            t += (double)by_user->val[e];
        s->offset = t / (double)by_user->nnz;
    }
    /* W₀⁻¹ */
    if (p->W0) {
        if (!spd_inverse(p->W0, k, P->W0inv, P->Ui))
            return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf: W0 is not positive definite");
    } else {
        for (size_t a = 0; a < K; a++)
            for (size_t b = 0; b < K; b++)
                P->W0inv[a * K + b] = a == b ? 1.0 / p->w0 : 0.0;
    }
    hyper_fixed(&c, 0);
    hyper_fixed(&c, 1);
    update_lm(&c, 0);
    update_lm(&c, 1);
    init_side(&c, 0);
    init_side(&c, 1);
    pad_side(s, 0, p->bias);
    pad_side(s, 1, p->bias);
    if (p->bias) {
        memset(s->ubias, 0, s->nusers * sizeof(float));
        memset(s->ibias, 0, s->nitems * sizeof(float));
    }

    const int total = p->burnin + p->samples;
    for (int sweep = 0; sweep < total; sweep++) {
        for (int side = 0; side < 2; side++) {
            if (p->sample_hyper) {
                st = hyper_sample(&c, side, sweep, d);
                if (st != ALS_OK)
                    return st;
                update_lm(&c, side);
            }
            st = rows_sample(&c, side, side == 0 ? by_user : by_item, sweep, d);
            if (st != ALS_OK)
                return st;
        }
        if (p->sample_alpha) {
            st = alpha_sample(&c, by_user, sweep, d);
            if (st != ALS_OK)
                return st;
        }
        s->sweeps_done = sweep + 1;
        if (sweep >= p->burnin) {
            accumulate(s, nt);
            s->collected++;
            if (cb && cb(s->collected, s, cb_ctx))
                break;
        }
    }
    return ALS_OK;
}

void als_bpmf_predictions(const als_bpmf_state *s, double rmin, double rmax, double *out)
{
    for (size_t j = 0; j < s->npairs; j++) {
        double v = s->collected > 0 ? s->pred_sum[j] / (double)s->collected : NAN;
        if (rmin < rmax && !isnan(v))
            v = v < rmin ? rmin : (v > rmax ? rmax : v);
        out[j] = v;
    }
}

double als_bpmf_predict_current(const als_bpmf_state *s, int64_t u, int64_t i)
{
    if (u < 0 || i < 0 || (uint64_t)u >= s->nusers || (uint64_t)i >= s->nitems)
        return NAN;
    const size_t K = (size_t)s->rank;
    return s->offset + dotf(s->U + (size_t)u * K, s->V + (size_t)i * K, K) +
           (s->ubias ? (double)s->ubias[u] + (double)s->ibias[i] : 0.0);
}
