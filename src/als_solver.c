/* als_solver — the ALS core (design §6, docs/als.md): parameters, model, Spark's init, the
 * alternating half-iterations and the per-row solvers (Cholesky, CG, NNLS).
 *
 * Per half-iteration every row of the side being solved is independent: its neighbours' factors
 * are gathered into a per-thread buffer, its normal equations built by the kernels of
 * als_kernels.h (float products, chunk sums added in double) and solved in double.  Rows run in
 * parallel under OpenMP dynamic scheduling; since a row's arithmetic never depends on which
 * thread runs it, the factors are bitwise identical for any thread count. */
#include "als_solver.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "als_kernels.h"
#include "als_limits.h"
#include "als_util.h"

/* A Cholesky pivot must exceed this fraction of its original diagonal entry. */
#define ALS_CHOL_RTOL 1e-10

/* ---- parameters -------------------------------------------------------------------------- */

void als_params_default(als_params *p)
{
    memset(p, 0, sizeof *p);
    p->rank = 10;
    p->regParam = 0.1;
    p->maxIter = 10;
    p->implicitPrefs = false;
    p->alpha = 1.0;
    p->nonnegative = false;
    p->seed = 0;
    p->bias = false;
    p->solver = ALS_SOLVE_CHOLESKY;
    p->cgSteps = 3;
    p->threads = 0;
}

als_status als_params_check(const als_params *p, als_diag *d)
{
    /* The bounds are the table's (als_limits.h): the loader and the options use the same ones. */
    als_status st;
    if ((st = als_limit_check(ALS_LIM_RANK, p->rank, d, "", 0, 0)) ||
        (st = als_limit_check(ALS_LIM_REGPARAM, p->regParam, d, "", 0, 0)) ||
        (st = als_limit_check(ALS_LIM_MAXITER, p->maxIter, d, "", 0, 0)) ||
        (st = als_limit_check(ALS_LIM_ALPHA, p->alpha, d, "", 0, 0)))
        return st;
    if (p->solver != ALS_SOLVE_CHOLESKY && p->solver != ALS_SOLVE_CG)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "solver must be cholesky or cg, got %d", (int)p->solver);
    if ((st = als_limit_check(ALS_LIM_CGSTEPS, p->cgSteps, d, "", 0, 0)) ||
        (st = als_limit_check(ALS_LIM_THREADS, p->threads, d, "", 0, 0)))
        return st;
    if (p->bias && p->implicitPrefs)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "bias is only supported for explicit feedback: set implicitPrefs: false or bias: false");
    return ALS_OK;
}

/* ---- model ------------------------------------------------------------------------------- */

als_status als_model_alloc(als_model *m, uint32_t nusers, uint32_t nitems, int rank, bool bias)
{
    memset(m, 0, sizeof *m);
    if (rank < 1)
        return ALS_E_INPUT;
    m->nusers = nusers;
    m->nitems = nitems;
    m->rank = rank;
    m->has_bias = bias;
    size_t k = (size_t)rank;
    m->U = calloc(nusers ? (size_t)nusers * k : 1, sizeof(float));
    m->V = calloc(nitems ? (size_t)nitems * k : 1, sizeof(float));
    if (bias) {
        m->ubias = calloc(nusers ? nusers : 1, sizeof(float));
        m->ibias = calloc(nitems ? nitems : 1, sizeof(float));
    }
    if (!m->U || !m->V || (bias && (!m->ubias || !m->ibias))) {
        als_model_free(m);
        return ALS_E_NOMEM;
    }
    return ALS_OK;
}

void als_model_free(als_model *m)
{
    if (!m)
        return;
    free(m->U);
    free(m->V);
    free(m->ubias);
    free(m->ibias);
    memset(m, 0, sizeof *m);
}

/* Row `row` of side `side` (0 users, 1 items): N(0,1) per component from the counter-based
 * generator, stream side·2³² + row, then scaled to unit norm (|·| first when nonnegative). */
static void init_row(float *x, int k, uint64_t seed, uint64_t side, uint64_t row, bool nonneg)
{
    /* Two passes over the counter-based draws instead of a rank-sized stack buffer: a rank
     * beyond ALS_RANK_MAX must be refused by als_params_check, never overflow the stack here. */
    double norm = 0.0;
    uint64_t stream = (side << 32) + row;
    for (int c = 0; c < k; c++) {
        double g = als_rand_normal(seed, stream, (uint64_t)c);
        norm += g * g;
    }
    norm = sqrt(norm);
    for (int c = 0; c < k; c++) {
        double g = als_rand_normal(seed, stream, (uint64_t)c);
        g = nonneg ? fabs(g) : g;
        x[c] = norm > 0 ? (float)(g / norm) : 0.0f;
    }
}

void als_model_init(als_model *m, const als_params *p, const als_csr *by_user)
{
    const int k = m->rank;
    const size_t K = (size_t)k;
    for (uint32_t u = 0; u < m->nusers; u++)
        init_row(m->U + u * K, k, p->seed, 0, u, p->nonnegative);
    for (uint32_t i = 0; i < m->nitems; i++)
        init_row(m->V + i * K, k, p->seed, 1, i, p->nonnegative);
    if (by_user) {
        /* Rows without ratings are not part of the problem (Spark never sees them): zero. */
        for (uint32_t u = 0; u < m->nusers && u < by_user->nrows; u++)
            if (als_csr_rowlen(by_user, u) == 0)
                memset(m->U + u * K, 0, K * sizeof(float));
        unsigned char *seen = calloc(m->nitems ? m->nitems : 1, 1);
        if (seen) {
            for (size_t e = 0; e < by_user->nnz; e++)
                if (by_user->idx[e] < m->nitems)
                    seen[by_user->idx[e]] = 1;
            for (uint32_t i = 0; i < m->nitems; i++)
                if (!seen[i])
                    memset(m->V + i * K, 0, K * sizeof(float));
            free(seen);
        }
    }
    if (m->has_bias) {
        double s = 0.0;
        size_t n = by_user ? by_user->nnz : 0;
        for (size_t e = 0; e < n; e++)
            s += by_user->val[e];
        m->mu = n ? s / (double)n : 0.0;
        if (m->ubias)
            memset(m->ubias, 0, (m->nusers ? m->nusers : 1) * sizeof(float));
        if (m->ibias)
            memset(m->ibias, 0, (m->nitems ? m->nitems : 1) * sizeof(float));
    }
}

/* ---- small dense solvers ----------------------------------------------------------------- */

/* Portable Cholesky solve of a dense n×n SPD system (row-major, stride lda; only the upper
 * triangle read; destroyed).  Used inside NNLS on sub-systems.  false when not PD. */
static bool chol_solve_dense(double *A, int lda, double *b, int n)
{
    const size_t L = (size_t)lda;
    for (int j = 0; j < n; j++) {
        double *Aj = A + (size_t)j * L;
        double piv = Aj[j];
        if (!(piv > 0) || !isfinite(piv))
            return false;
        double d = sqrt(piv), inv = 1.0 / d;
        Aj[j] = d;
        for (int c = j + 1; c < n; c++)
            Aj[c] *= inv;
        for (int i = j + 1; i < n; i++) {
            double s = Aj[i];
            double *Ai = A + (size_t)i * L;
            for (int c = i; c < n; c++)
                Ai[c] -= s * Aj[c];
        }
    }
    for (int j = 0; j < n; j++) {
        const double *Aj = A + (size_t)j * L;
        double z = b[j] / Aj[j];
        b[j] = z;
        for (int c = j + 1; c < n; c++)
            b[c] -= Aj[c] * z;
    }
    for (int j = n - 1; j >= 0; j--) {
        const double *Aj = A + (size_t)j * L;
        double s = b[j];
        for (int c = j + 1; c < n; c++)
            s -= Aj[c] * b[c];
        b[j] = s / Aj[j];
    }
    return true;
}

bool als_cholesky_solve(double *A, double *b, int k)
{
    if (k < 1)
        return false;
    const als_kernel_table *kt = als_kernels();
    const int ld = als_kernels_ld(k);
    const size_t L = (size_t)ld, K = (size_t)k;
    double *buf = als_kernels_alloc((L * L + 2 * L) * sizeof(double));
    if (!buf) {
        /* No memory for the aligned copy: solve in place with the portable routine. */
        return chol_solve_dense(A, k, b, k);
    }
    double *bb = buf + L * L, *diag = bb + L;
    for (size_t a = 0; a < K; a++)
        memcpy(buf + a * L, A + a * K, K * sizeof(double));
    memcpy(bb, b, K * sizeof(double));
    bool ok = kt->cholesky(buf, ld, k, ALS_CHOL_RTOL, diag);
    if (ok) {
        kt->chol_solve(buf, ld, k, diag, bb);
        memcpy(b, bb, K * sizeof(double));
        /* U = D^{-1/2} W */
        for (size_t a = 0; a < K; a++) {
            const double sc = sqrt(diag[a]);
            for (size_t c = 0; c < K; c++)
                A[a * K + c] = c >= a ? buf[a * L + c] * sc : 0.0;
        }
    }
    free(buf);
    return ok;
}

/* Lawson–Hanson active set on the normal equations: min ½xᵀAx − bᵀx subject to x_j ≥ 0 for the
 * constrained j (freev[j] == 0; freev may be NULL: all constrained).  A: k×k SPD, stride lda,
 * upper triangle read (lower mirrored).  x: warm start in, solution out.  work: k*k + 6k doubles.
 * Returns the number of outer iterations, or -1 when a sub-system is not positive definite. */
static int nnls_core(const double *A, int lda, const double *b, double *x, int k,
                     const unsigned char *freev, double *work)
{
    const size_t L = (size_t)lda, K = (size_t)k;
    /* work: sub (k×k), z, w, rhs (k each), then P (k bytes) and pidx (k ints) in 2k doubles */
    double *sub = work, *z = sub + K * K, *w = z + K, *rhs = w + K;
    unsigned char *P = (unsigned char *)(rhs + K);
    int *pidx = (int *)(void *)(rhs + 2 * K);
#define AS(i, j) ((i) <= (j) ? A[(size_t)(i) * L + (size_t)(j)] : A[(size_t)(j) * L + (size_t)(i)])
    double bmax = 0.0;
    for (int j = 0; j < k; j++)
        bmax = fmax(bmax, fabs(b[j]));
    const double tol = 1e-11 * bmax + 1e-300;
    for (int j = 0; j < k; j++) {
        bool fr = freev && freev[j];
        if (!fr && !(x[j] > 0))
            x[j] = 0.0;
        if (!isfinite(x[j]))
            x[j] = 0.0;
        P[j] = (unsigned char)(fr || x[j] > 0);
    }
    const int max_outer = 3 * k + 20;
    int outer = 0;
    for (;;) {
        {
            /* Move towards the unconstrained minimiser on the passive set P, keeping x feasible;
             * each pass either reaches it or drops at least one variable from P. */
            for (int guard = 0; guard <= k + 1; guard++) {
                int np = 0;
                for (int j = 0; j < k; j++)
                    if (P[j])
                        pidx[np++] = j;
                if (np == 0)
                    break;
                for (int a = 0; a < np; a++) {
                    for (int c = 0; c < np; c++)
                        sub[(size_t)a * (size_t)np + (size_t)c] = AS(pidx[a], pidx[c]);
                    rhs[a] = b[pidx[a]];
                }
                if (!chol_solve_dense(sub, np, rhs, np))
                    return -1;
                for (int j = 0; j < k; j++)
                    z[j] = 0.0;
                for (int a = 0; a < np; a++)
                    z[pidx[a]] = rhs[a];
                double alpha = 2.0;
                int arg = -1;
                for (int a = 0; a < np; a++) {
                    int j = pidx[a];
                    if (freev && freev[j])
                        continue;
                    if (z[j] <= 0) {
                        double den = x[j] - z[j];
                        double al = den > 0 ? x[j] / den : 0.0;
                        if (al < alpha) {
                            alpha = al;
                            arg = j;
                        }
                    }
                }
                if (arg < 0) {
                    for (int j = 0; j < k; j++)
                        x[j] = z[j];
                    break;
                }
                for (int a = 0; a < np; a++) {
                    int j = pidx[a];
                    x[j] += alpha * (z[j] - x[j]);
                }
                x[arg] = 0.0;
                P[arg] = 0;
                for (int a = 0; a < np; a++) {
                    int j = pidx[a];
                    if (!(freev && freev[j]) && x[j] <= 0) {
                        x[j] = 0.0;
                        P[j] = 0;
                    }
                }
            }
        }
        if (++outer > max_outer)
            break;
        /* w = b − A x: the negative gradient. */
        int t = -1;
        double wmax = tol;
        for (int i = 0; i < k; i++) {
            double s = b[i];
            for (int j = 0; j < k; j++)
                s -= AS(i, j) * x[j];
            w[i] = s;
            if (!P[i] && s > wmax) {
                wmax = s;
                t = i;
            }
        }
        if (t < 0)
            break;
        P[t] = 1;
    }
#undef AS
    return outer;
}

int als_nnls_solve(const double *A, const double *b, double *x, int k, double *work)
{
    return nnls_core(A, k, b, x, k, NULL, work);
}

/* ---- training ---------------------------------------------------------------------------- */

enum { FAIL_NONE = 0, FAIL_SINGULAR, FAIL_NOT_PD, FAIL_NONFINITE };

typedef struct {
    _Alignas(64) float *G;  /* own cache lines per thread: the batch fields below change per row */
    float *W, *t, *c, *pf;
    uint32_t *gi;        /* neighbour indices of a gathered block */
    double *B, *BX;      /* 8 systems solved together (chol_batch layout), their right-hand sides */
    double *Cs;          /* the 8 systems' matrices, row-major (w->C points into it while batching) */
    double *bs;          /* their right-hand sides, ld each */
    size_t cstride;      /* doubles between two of them */
    size_t bstride;
    double *Cbase;       /* the allocation behind C, b, x, ... (w->C moves while batching) */
    uint32_t brow[8];    /* the rows in the batch */
    size_t bn[8];        /* their rating counts */
    int nb;              /* systems in the batch */
    double *C, *b, *x, *r, *pv, *q, *tmp, *diag, *nnls;
    size_t cap;          /* rows of G/W/t/c */
    int64_t fail_row;    /* smallest failing row of this half-iteration, -1 = none */
    int fail_kind;
    size_t fail_n;
} als_ws;

typedef struct {
    const als_params *p;
    const als_kernel_table *kt;
    int k, kk, ld;       /* rank, unknowns per row (k or k+1 with bias), padded stride */
    int nthreads;
    bool cg;             /* implicit with the CG solver (and not nonnegative) */
    bool batched;        /* dense Cholesky systems go through chol_batch, 8 at a time */
    int kp;              /* their row stride: kk rounded up to 8, plus 1 (odd: no cache aliasing) */
    float *Up, *Vp;      /* padded factor tables */
    double *YtY;         /* implicit: Gram of the other side, full symmetric, ld × ld */
    als_ws *ws;
    double mu;           /* global mean (bias models) */
    uint32_t *chunks[2]; /* per side (0 users, 1 items): row boundaries of work-balanced chunks */
    uint32_t nchunks[2];
    unsigned char freev[ALS_RANK_MAX + 1];
} als_trainer;

static void ws_free(als_ws *w)
{
    free(w->G);
    free(w->W);
    free(w->t);
    free(w->c);
    free(w->pf);
    free(w->gi);
    free(w->B);
    free(w->BX);
    free(w->Cs);
    free(w->bs);
    free(w->Cbase);
    free(w->nnls);
    memset(w, 0, sizeof *w);
}

static bool ws_alloc(als_ws *w, size_t cap, int ld, int kk, bool weighted, bool batch)
{
    memset(w, 0, sizeof *w);
    const size_t L = (size_t)ld, KK = (size_t)kk;
    w->cap = cap;
    w->G = als_kernels_alloc(cap * L * sizeof(float));
    w->W = als_kernels_alloc((weighted ? cap : 1) * L * sizeof(float)); /* c·y: implicit Cholesky */
    w->t = als_kernels_alloc(cap * sizeof(float));
    w->c = als_kernels_alloc(cap * sizeof(float));
    w->pf = als_kernels_alloc(L * sizeof(float));
    w->gi = als_kernels_alloc(cap * sizeof(uint32_t));
    if (batch) {
        const size_t kp = (KK + 7) / 8 * 8 + 1;
        w->B = als_kernels_alloc(kp * kp * 8 * sizeof(double));
        w->BX = als_kernels_alloc(kp * 8 * sizeof(double));
        w->cstride = L * L;
        w->bstride = L;
        w->Cs = als_kernels_alloc(8 * L * L * sizeof(double));
        w->bs = als_kernels_alloc(8 * L * sizeof(double));
    }
    /* C, then eight ld-long double vectors, each starting on a 64-byte boundary. */
    w->C = w->Cbase = als_kernels_alloc((L * L + 8 * L) * sizeof(double));
    w->nnls = als_kernels_alloc((KK * KK + 8 * KK) * sizeof(double));
    if (!w->G || !w->W || !w->t || !w->c || !w->pf || !w->gi || !w->C || !w->nnls ||
        (batch && (!w->B || !w->BX || !w->Cs || !w->bs))) {
        ws_free(w);
        return false;
    }
    w->b = w->C + L * L;
    w->x = w->b + L;
    w->r = w->x + L;
    w->pv = w->r + L;
    w->q = w->pv + L;
    w->tmp = w->q + L;
    w->diag = w->tmp + L;
    return true;
}

static void ws_fail(als_ws *w, uint32_t row, int kind, size_t n)
{
    if (w->fail_row < 0 || (int64_t)row < w->fail_row) {
        w->fail_row = row;
        w->fail_kind = kind;
        w->fail_n = n;
    }
}

/* Store the double solution x (kk values: factor, then bias) as the row's float factor. */
static void store_row(als_trainer *T, als_ws *w, float *X, float *xb, uint32_t row, const double *x, size_t n)
{
    const int k = T->k;
    float *dst = X + (size_t)row * (size_t)T->ld;
    bool finite = true;
    for (int a = 0; a < k; a++) {
        float v = (float)x[a];
        finite &= isfinite(v) != 0;
        dst[a] = v;
    }
    if (xb) {
        float v = (float)x[k];
        finite &= isfinite(v) != 0;
        xb[row] = v;
    }
    if (!finite)
        ws_fail(w, row, FAIL_NONFINITE, n);
}

static void zero_row(als_trainer *T, float *X, float *xb, uint32_t row)
{
    memset(X + (size_t)row * (size_t)T->ld, 0, (size_t)T->k * sizeof(float));
    if (xb)
        xb[row] = 0.0f;
}

/* Solve the row's system in w->C / w->b (reg already on the diagonal) into w->x, by Cholesky or
 * NNLS (warm-started from the current factor). */
static void solve_dense(als_trainer *T, als_ws *w, const float *xcur, const float *xbcur, uint32_t row, size_t n)
{
    const int kk = T->kk, ld = T->ld;
    double *x = w->x;
    if (T->p->nonnegative) {
        for (int a = 0; a < T->k; a++)
            x[a] = xcur[a];
        if (kk > T->k)
            x[T->k] = xbcur ? *xbcur : 0.0;
        if (nnls_core(w->C, ld, w->b, x, kk, T->freev, w->nnls) < 0) {
            ws_fail(w, row, FAIL_NOT_PD, n);
            memset(x, 0, (size_t)kk * sizeof(double));
        }
        return;
    }
    if (!T->kt->cholesky(w->C, ld, kk, ALS_CHOL_RTOL, w->diag)) {
        ws_fail(w, row, FAIL_NOT_PD, n);
        memset(x, 0, (size_t)ld * sizeof(double));
        return;
    }
    T->kt->chol_solve(w->C, ld, kk, w->diag, w->b);
    memcpy(x, w->b, (size_t)ld * sizeof(double));
}

/* Rows k..k+7 of a matrix with stride ld: the Cholesky kernels read them (times zero), so they
 * must be finite; the buffer is shared by systems of different sizes, hence zeroed per use. */
static void zero_pad_rows(double *C, size_t ld, size_t k)
{
    size_t end = (k + 7) / 8 * 8;
    if (end > ld)
        end = ld;
    if (end > k)
        memset(C + k * ld, 0, (end - k) * ld * sizeof(double));
}

/* Point w->C / w->b at the next free batch slot. */
static void batch_slot(als_ws *w)
{
    w->C = w->Cs + (size_t)w->nb * w->cstride;
    w->b = w->bs + (size_t)w->nb * w->bstride;
}

/* Solve the batched systems (padding the free lanes with identity systems) and store them. */
static void batch_flush(als_trainer *T, als_ws *w, float *X, float *xb)
{
    if (w->nb == 0)
        return;
    const size_t kk = (size_t)T->kk;
    als_kernels_batch_load(T->kt, w->Cs, w->cstride, w->bs, w->bstride, T->ld, T->kk, T->kp, w->nb, w->B, w->BX);
    unsigned char bad[8];
    T->kt->chol_batch(w->B, T->kk, T->kp, w->BX, ALS_CHOL_RTOL, bad);
    double *x = w->x;
    for (int s = 0; s < w->nb; s++) {
        for (size_t a = 0; a < kk; a++)
            x[a] = w->BX[a * 8 + (size_t)s];
        if (bad[s]) {
            ws_fail(w, w->brow[s], FAIL_NOT_PD, w->bn[s]);
            memset(x, 0, kk * sizeof(double));
        }
        store_row(T, w, X, xb, w->brow[s], x, w->bn[s]);
    }
    w->nb = 0;
    batch_slot(w);
}

/* The row's system is complete in the current slot (w->C with the regularisation, w->b): queue it. */
static void batch_add(als_trainer *T, als_ws *w, uint32_t row, size_t n, float *X, float *xb)
{
    w->brow[w->nb] = row;
    w->bn[w->nb] = n;
    if (++w->nb == 8)
        batch_flush(T, w, X, xb);
    else
        batch_slot(w);
}

/* Explicit (and biased) row: (Σ y yᵀ + λ n I) x = Σ (r − offsets) y over the row's ratings. */
static void row_explicit(als_trainer *T, als_ws *w, const als_csr *R, uint32_t row, const float *Y,
                         const float *yb, float *X, float *xb)
{
    const size_t n = als_csr_rowlen(R, row);
    if (n == 0) {
        zero_row(T, X, xb, row);
        return;
    }
    const int k = T->k, kk = T->kk, ld = T->ld;
    const size_t L = (size_t)ld;
    const size_t e0 = R->ptr[row];
    const double mu = T->mu;
    const double reg = T->p->regParam * (double)n;
    if (reg == 0.0 && n < (size_t)kk) {
        ws_fail(w, row, FAIL_SINGULAR, n);
        zero_row(T, X, xb, row);
        return;
    }
    for (size_t off = 0; off < n; off += w->cap) {
        size_t m = n - off < w->cap ? n - off : w->cap;
        T->kt->gather(ld, m, R->idx + e0 + off, Y, w->G);
        if (yb) {
            for (size_t j = 0; j < m; j++) {
                const size_t e = e0 + off + j;
                w->G[j * L + (size_t)k] = 1.0f;
                w->t[j] = (float)((double)R->val[e] - mu - (double)yb[R->idx[e]]);
            }
        } else {
            memcpy(w->t, R->val + e0 + off, m * sizeof(float));
        }
        T->kt->gram(kk, ld, m, w->G, w->G, w->C, off > 0);
        T->kt->gemv_t(kk, ld, m, w->G, w->t, w->b, off > 0);
    }
    for (int a = 0; a < kk; a++)
        w->C[(size_t)a * L + (size_t)a] += reg;
    if (T->batched) {
        batch_add(T, w, row, n, X, xb);
        return;
    }
    zero_pad_rows(w->C, L, (size_t)kk);
    solve_dense(T, w, X + (size_t)row * L, xb ? xb + row : NULL, row, n);
    store_row(T, w, X, xb, row, w->x, n);
}

/* Implicit row, gathering the entries with r ≠ 0 (a zero contributes nothing): into G (y), W
 * (c·y), c (confidence − 1 = α|r|), t (1 + c when r > 0, else 0).  Returns the count gathered
 * from [from, from+cap) of the row; *nplus accumulates #{r > 0}. */
static size_t gather_implicit(als_trainer *T, als_ws *w, const als_csr *R, uint32_t row, size_t *pos,
                              const float *Y, bool weighted, size_t *nplus)
{
    const size_t end = R->ptr[row + 1];
    const double alpha = T->p->alpha;
    size_t m = 0;
    while (*pos < end && m < w->cap) {
        const size_t e = (*pos)++;
        const float r = R->val[e];
        if (r == 0.0f)
            continue;
        const double c = alpha * fabs((double)r);
        w->gi[m] = R->idx[e];
        w->c[m] = (float)c;
        if (r > 0) {
            w->t[m] = (float)(1.0 + c);
            (*nplus)++;
        } else {
            w->t[m] = 0.0f;
        }
        m++;
    }
    T->kt->gather(T->ld, m, w->gi, Y, w->G);
    if (weighted)
        T->kt->scale_rows(T->ld, m, w->G, w->c, w->W);
    return m;
}

static void row_implicit(als_trainer *T, als_ws *w, const als_csr *R, uint32_t row, const float *Y, float *X)
{
    const size_t n = als_csr_rowlen(R, row);
    if (n == 0) {
        zero_row(T, X, NULL, row);
        return;
    }
    const int k = T->k, ld = T->ld;
    const size_t L = (size_t)ld, K = (size_t)k;
    size_t pos = R->ptr[row], nplus = 0;
    if (!T->cg) {
        /* Exact: A = YᵀY + Σ c y yᵀ + λ n⁺ I, b = Σ_{r>0} (1 + c) y. */
        bool first = true;
        do {
            size_t m = gather_implicit(T, w, R, row, &pos, Y, true, &nplus);
            T->kt->gram(k, ld, m, w->W, w->G, w->C, !first);
            T->kt->gemv_t(k, ld, m, w->G, w->t, w->b, !first);
            first = false;
        } while (pos < R->ptr[row + 1]);
        if (nplus == 0) {
            zero_row(T, X, NULL, row); /* b = 0: the solution (also under x ≥ 0) is 0 */
            return;
        }
        const double reg = T->p->regParam * (double)nplus;
        for (size_t a = 0; a < K; a++) {
            double *Ca = w->C + a * L;
            const double *Ga = T->YtY + a * L;
            for (size_t c = a; c < K; c++)
                Ca[c] += Ga[c];
            Ca[a] += reg;
        }
        if (T->batched) {
            batch_add(T, w, row, n, X, NULL);
            return;
        }
        zero_pad_rows(w->C, L, K);
        solve_dense(T, w, X + (size_t)row * L, NULL, row, n);
        store_row(T, w, X, NULL, row, w->x, n);
        return;
    }
    /* Conjugate gradient, warm-started from the current factor, p->cgSteps steps. */
    size_t m = gather_implicit(T, w, R, row, &pos, Y, false, &nplus); /* cap ≥ the longest row */
    if (nplus == 0) {
        zero_row(T, X, NULL, row);
        return;
    }
    const double reg = T->p->regParam * (double)nplus;
    double *x = w->x, *r = w->r, *pv = w->pv, *q = w->q, *tmp = w->tmp, *b = w->b;
    float *pf = w->pf;
    const float *xcur = X + (size_t)row * L;
    T->kt->gemv_t(k, ld, m, w->G, w->t, b, false);
    for (size_t a = 0; a < L; a++) {
        x[a] = xcur[a];
        pf[a] = xcur[a];
    }
    /* r = b − A x */
    T->kt->cmatvec(k, ld, m, w->G, w->c, pf, q, false);
    T->kt->symv(k, ld, T->YtY, x, reg, tmp);
    double rr = 0.0, bb = 0.0;
    for (size_t a = 0; a < L; a++) {
        r[a] = b[a] - (q[a] + tmp[a]);
        pv[a] = r[a];
        rr += r[a] * r[a];
        bb += b[a] * b[a];
    }
    for (int s = 0; s < T->p->cgSteps; s++) {
        if (!(rr > 1e-30 * bb))
            break;
        for (size_t a = 0; a < L; a++)
            pf[a] = (float)pv[a];
        T->kt->cmatvec(k, ld, m, w->G, w->c, pf, q, false);
        T->kt->symv(k, ld, T->YtY, pv, reg, tmp);
        double pq = 0.0;
        for (size_t a = 0; a < L; a++) {
            q[a] += tmp[a];
            pq += pv[a] * q[a];
        }
        if (!(pq > 0.0))
            break;
        const double al = rr / pq;
        double rn = 0.0;
        for (size_t a = 0; a < L; a++) {
            x[a] += al * pv[a];
            r[a] -= al * q[a];
            rn += r[a] * r[a];
        }
        const double beta = rn / rr;
        for (size_t a = 0; a < L; a++)
            pv[a] = r[a] + beta * pv[a];
        rr = rn;
    }
    store_row(T, w, X, NULL, row, x, n);
}

/* Complete YᵀY from its upper triangle: mirror it, zero the padding columns. */
static void yty_mirror(als_trainer *T)
{
    const int k = T->k, ld = T->ld;
    const size_t L = (size_t)ld;
    for (int a = 0; a < k; a++) {
        for (int c = 0; c < a; c++)
            T->YtY[(size_t)a * L + (size_t)c] = T->YtY[(size_t)c * L + (size_t)a];
        for (int c = k; c < ld; c++)
            T->YtY[(size_t)a * L + (size_t)c] = 0.0;
    }
}

/* YᵀY of the padded table Y (n rows), deterministic for any thread count: the passes of the
 * gram kernel write disjoint parts of the matrix and run in parallel; then it is mirrored. */
static void compute_yty(als_trainer *T, const float *Y, uint32_t n)
{
    const int k = T->k, ld = T->ld;
    const int np = T->kt->gram_npasses(k);
    const int nt = T->nthreads < np ? T->nthreads : np;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
    for (int pass = 0; pass < np; pass++)
        T->kt->gram_pass(k, ld, n, Y, Y, T->YtY, pass, false);
    T->kt->gram_finish(k, ld, T->YtY);
    yty_mirror(T);
}

/* Split the rows of R into contiguous chunks of about equal work (≈ 32 per thread), so dynamic
 * scheduling balances even when heavy rows are clustered (popular items often come first).
 * Results do not depend on this: rows are independent. */
static bool make_chunks(als_trainer *T, const als_csr *R, int side)
{
    const double kk = T->kk;
    double total = 0.0;
    for (uint32_t r = 0; r < R->nrows; r++)
        total += (double)als_csr_rowlen(R, r) * (kk * kk + 8.0 * kk) + kk * kk * kk / 4.0 + 64.0;
    const double want = T->nthreads > 1 ? 32.0 * T->nthreads : 1.0;
    const double target = total / want;
    uint32_t *b = malloc(((size_t)R->nrows + 2) * sizeof *b);
    if (!b)
        return false;
    uint32_t n = 0;
    double acc = 0.0;
    b[n++] = 0;
    for (uint32_t r = 0; r < R->nrows; r++) {
        acc += (double)als_csr_rowlen(R, r) * (kk * kk + 8.0 * kk) + kk * kk * kk / 4.0 + 64.0;
        if (acc >= target && r + 1 < R->nrows) {
            b[n++] = r + 1;
            acc = 0.0;
        }
    }
    b[n] = R->nrows;
    T->chunks[side] = b;
    T->nchunks[side] = n;
    return true;
}

/* Solve every row of one side.  Returns ALS_OK or ALS_E_NUMERIC with d filled. */
static als_status solve_side(als_trainer *T, const als_csr *R, const float *Y, const float *yb, float *X,
                             float *xb, const char *what, uint32_t row0, int iter, als_diag *d)
{
    const int side = what[0] == 'i';
    const uint32_t *bounds = T->chunks[side];
    const uint32_t nchunks = T->nchunks[side];
    for (int t = 0; t < T->nthreads; t++)
        T->ws[t].fail_row = -1;
#pragma omp parallel num_threads(T->nthreads) if (T->nthreads > 1)
    {
        als_ws *w = &T->ws[omp_get_thread_num()];
        w->nb = 0;
        if (T->batched)
            batch_slot(w);
#pragma omp for schedule(dynamic, 1) nowait
        for (uint32_t ch = 0; ch < nchunks; ch++)
            for (uint32_t row = bounds[ch]; row < bounds[ch + 1]; row++) {
                if (T->p->implicitPrefs)
                    row_implicit(T, w, R, row, Y, X);
                else
                    row_explicit(T, w, R, row, Y, yb, X, xb);
            }
        batch_flush(T, w, X, xb);
    }
    const als_ws *bad = NULL;
    for (int t = 0; t < T->nthreads; t++)
        if (T->ws[t].fail_row >= 0 && (!bad || T->ws[t].fail_row < bad->fail_row))
            bad = &T->ws[t];
    if (!bad)
        return ALS_OK;
    const long long row = (long long)bad->fail_row + (long long)row0; /* the global index */
    switch (bad->fail_kind) {
    case FAIL_SINGULAR:
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                            "iteration %d: the normal equations of %s %lld (0-based index) are singular: "
                            "regParam is 0 and it has %zu rating(s) for %d unknowns; use regParam > 0",
                            iter, what, row, bad->fail_n, T->kk);
    case FAIL_NOT_PD:
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                            "iteration %d: the normal equations of %s %lld (0-based index, %zu ratings) are "
                            "not positive definite with regParam %g; use a larger regParam",
                            iter, what, row, bad->fail_n, T->p->regParam);
    default:
        return als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                            "iteration %d: non-finite factors for %s %lld (0-based index, %zu ratings); "
                            "check the ratings for huge values or use a larger regParam",
                            iter, what, row, bad->fail_n);
    }
}

/* Padded table → model rows (in parallel: at 10M ratings and small k this copy is a visible part
 * of an iteration). */
static void copy_out(const float *Xp, int ld, float *X, int k, uint32_t n, int nthreads)
{
    const int nt = n >= 65536 ? nthreads : 1;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (uint32_t r = 0; r < n; r++)
        memcpy(X + (size_t)r * (size_t)k, Xp + (size_t)r * (size_t)ld, (size_t)k * sizeof(float));
}

/* Model rows → padded table; rows without ratings become zero in both (see als_model_init). */
static void copy_in(float *Xp, int ld, float *X, int k, const als_csr *R, int nthreads)
{
    const uint32_t n = R->nrows;
    const int nt = n >= 65536 ? nthreads : 1;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (uint32_t r = 0; r < n; r++) {
        float *x = X + (size_t)r * (size_t)k;
        if (als_csr_rowlen(R, r) > 0)
            memcpy(Xp + (size_t)r * (size_t)ld, x, (size_t)k * sizeof(float));
        else
            memset(x, 0, (size_t)k * sizeof(float));
    }
}

/* Set up T for solving the rows of R0 (users) and R1 (items) under p: the kernels, the thread
 * count, the per-thread workspaces, the row schedules and (implicit) the Gram buffer.  The factor
 * tables are the caller's.  On failure T is left for trainer_free. */
static als_status trainer_setup(als_trainer *T, const als_params *p, double mu, const als_csr *R0,
                                const als_csr *R1, als_diag *d)
{
    memset(T, 0, sizeof *T);
    T->p = p;
    T->mu = mu;
    T->kt = als_kernels();
    T->k = p->rank;
    T->kk = p->rank + (p->bias ? 1 : 0);
    T->ld = als_kernels_ld(T->kk);
    T->cg = p->implicitPrefs && p->solver == ALS_SOLVE_CG && !p->nonnegative;
    /* Small systems are solved 8 at a time, one per vector lane (chol_batch): a row's result does
     * not depend on its batch partners, and every such row takes this path, so results stay
     * independent of the scheduling. */
    T->batched = !T->cg && !p->nonnegative && T->kk <= ALS_BATCH_MAXK;
    T->kp = (T->kk + 7) / 8 * 8 + 1; /* odd: column walks do not alias in the cache */
    if (p->bias)
        T->freev[p->rank] = 1; /* the bias is never constrained by nonnegative */
    int nt = p->threads > 0 ? p->threads : omp_get_max_threads();
    if (omp_get_active_level() >= omp_get_max_active_levels())
        nt = 1; /* nested parallelism is off: an inner region would run on one thread anyway */
    /* Small problems run on fewer threads: a parallel region costs more than a few hundred
     * microseconds of work, and results do not depend on the thread count anyway. */
    const double kk3 = (double)T->kk * T->kk * T->kk;
    const double work = (double)R0->nnz * (T->kk * T->kk + 4.0 * T->kk) + ((double)R0->nrows + R1->nrows) * kk3 / 3.0;
    const double max_useful = 1.0 + work / 2e6;
    if ((double)nt > max_useful)
        nt = (int)max_useful;
    T->nthreads = nt < 1 ? 1 : nt;
    const size_t L = (size_t)T->ld;

    size_t maxn = 1;
    for (uint32_t r = 0; r < R0->nrows; r++)
        maxn = als_csr_rowlen(R0, r) > maxn ? als_csr_rowlen(R0, r) : maxn;
    for (uint32_t r = 0; r < R1->nrows; r++)
        maxn = als_csr_rowlen(R1, r) > maxn ? als_csr_rowlen(R1, r) : maxn;
    const size_t cap = T->cg ? maxn : (maxn < ALS_KCHUNK ? maxn : ALS_KCHUNK);

    T->ws = als_kernels_alloc((size_t)T->nthreads * sizeof *T->ws); /* 64-byte aligned, zeroed */
    if (p->implicitPrefs)
        T->YtY = als_kernels_alloc(L * L * sizeof(double));
    if (!T->ws || (p->implicitPrefs && !T->YtY))
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the solver workspaces");
    for (int t = 0; t < T->nthreads; t++)
        if (!ws_alloc(&T->ws[t], cap, T->ld, T->kk, p->implicitPrefs && !T->cg, T->batched))
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0,
                                "out of memory for the solver workspaces (%zu rows of %d floats)", cap, T->ld);
    if (!make_chunks(T, R0, 0) || !make_chunks(T, R1, 1))
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the row schedule");
    return ALS_OK;
}

static void trainer_free(als_trainer *T)
{
    if (T->ws)
        for (int t = 0; t < T->nthreads; t++)
            ws_free(&T->ws[t]);
    free(T->ws);
    free(T->chunks[0]);
    free(T->chunks[1]);
    free(T->Up);
    free(T->Vp);
    free(T->YtY);
    memset(T, 0, sizeof *T);
}

als_status als_train(als_model *m, const als_params *p, const als_csr *by_user, const als_csr *by_item,
                     als_iter_cb cb, void *ctx, als_diag *d)
{
    als_status st = als_params_check(p, d);
    if (st)
        return st;
    if (m->rank != p->rank)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "model rank %d differs from rank %d", m->rank, p->rank);
    if (by_user->nrows != m->nusers || by_user->ncols != m->nitems || by_item->nrows != m->nitems ||
        by_item->ncols != m->nusers || by_user->nnz != by_item->nnz)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0,
                            "ratings (%u × %u, transpose %u × %u) do not match the model (%u users × %u items)",
                            by_user->nrows, by_user->ncols, by_item->nrows, by_item->ncols, m->nusers, m->nitems);
    if (p->bias && (!m->has_bias || !m->ubias || !m->ibias))
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "bias requested but the model has no bias arrays");
    if (p->maxIter == 0)
        return ALS_OK;

    als_trainer T;
    if ((st = trainer_setup(&T, p, m->mu, by_user, by_item, d)))
        goto fail;
    const size_t L = (size_t)T.ld;
    T.Up = als_kernels_alloc((size_t)m->nusers * L * sizeof(float));
    T.Vp = als_kernels_alloc((size_t)m->nitems * L * sizeof(float));
    if (!T.Up || !T.Vp) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the factor tables (%u + %u rows of %d floats)",
                          m->nusers, m->nitems, T.ld);
        goto fail;
    }
    /* Padded copies of the factors; rows without ratings start at zero (see als_model_init). */
    copy_in(T.Up, T.ld, m->U, T.k, by_user, T.nthreads);
    copy_in(T.Vp, T.ld, m->V, T.k, by_item, T.nthreads);

    for (int it = 1; it <= p->maxIter; it++) {
        if (p->implicitPrefs)
            compute_yty(&T, T.Up, m->nusers);
        st = solve_side(&T, by_item, T.Up, p->bias ? m->ubias : NULL, T.Vp, p->bias ? m->ibias : NULL,
                        "item", 0, it, d);
        copy_out(T.Vp, T.ld, m->V, T.k, m->nitems, T.nthreads);
        if (st)
            break;
        if (p->implicitPrefs)
            compute_yty(&T, T.Vp, m->nitems);
        st = solve_side(&T, by_user, T.Vp, p->bias ? m->ibias : NULL, T.Up, p->bias ? m->ubias : NULL,
                        "user", 0, it, d);
        copy_out(T.Up, T.ld, m->U, T.k, m->nusers, T.nthreads);
        if (st)
            break;
        if (cb && cb(it, m, ctx))
            break;
    }
fail:
    trainer_free(&T);
    return st;
}

/* ---- the half-iteration engine for the data-parallel driver (als_dpals) ------------------ */

struct als_rowsolver {
    als_trainer T;
};

als_status als_rowsolver_new(als_rowsolver **out, const als_params *p, double mu, const als_csr *R0,
                             const als_csr *R1, als_diag *d)
{
    *out = NULL;
    als_status st = als_params_check(p, d);
    if (st)
        return st;
    als_rowsolver *S = calloc(1, sizeof *S);
    if (!S)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the row solver");
    if ((st = trainer_setup(&S->T, p, mu, R0, R1, d))) {
        als_rowsolver_free(S);
        return st;
    }
    *out = S;
    return ALS_OK;
}

int als_rowsolver_ld(const als_rowsolver *S)
{
    return S->T.ld;
}

void als_rowsolver_set_gram(als_rowsolver *S, const double *upper)
{
    als_trainer *T = &S->T;
    const size_t L = (size_t)T->ld;
    size_t j = 0;
    for (int a = 0; a < T->k; a++)
        for (int c = a; c < T->k; c++)
            T->YtY[(size_t)a * L + (size_t)c] = upper[j++];
    yty_mirror(T);
}

als_status als_rowsolver_solve(als_rowsolver *S, const als_csr *R, int side, const float *Y, const float *yb,
                               float *X, float *xb, uint32_t row0, int iter, als_diag *d)
{
    return solve_side(&S->T, R, Y, yb, X, xb, side ? "item" : "user", row0, iter, d);
}

void als_rowsolver_free(als_rowsolver *S)
{
    if (!S)
        return;
    trainer_free(&S->T);
    free(S);
}

/* ---- evaluation -------------------------------------------------------------------------- */

double als_predict(const als_model *m, int64_t u, int64_t i)
{
    if (u < 0 || i < 0 || u >= (int64_t)m->nusers || i >= (int64_t)m->nitems)
        return NAN;
    const size_t K = (size_t)m->rank;
    double s = als_kernels()->dot(m->U + (size_t)u * K, m->V + (size_t)i * K, m->rank);
    if (m->has_bias && m->ubias && m->ibias)
        s += m->mu + (double)m->ubias[u] + (double)m->ibias[i];
    return s;
}

#define ALS_EVAL_BLOCK 256

/* Σ over blocks of rows of f(row), blocks summed in order: the same value for any thread count. */
static double sq_error_sum(const als_model *m, const als_csr *by_user)
{
    const als_kernel_table *kt = als_kernels();
    const size_t K = (size_t)m->rank;
    const uint32_t nb = (by_user->nrows + ALS_EVAL_BLOCK - 1) / ALS_EVAL_BLOCK;
    double *part = calloc(nb ? nb : 1, sizeof *part);
    if (!part)
        return NAN;
    int nt = omp_get_max_threads();
    if (omp_get_active_level() >= omp_get_max_active_levels())
        nt = 1;
    if ((double)nt > 1.0 + (double)by_user->nnz * (double)m->rank / 1e6)
        nt = (int)(1.0 + (double)by_user->nnz * (double)m->rank / 1e6);
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt) if (nt > 1)
    for (uint32_t bl = 0; bl < nb; bl++) {
        double s = 0.0;
        uint32_t end = (bl + 1) * ALS_EVAL_BLOCK < by_user->nrows ? (bl + 1) * ALS_EVAL_BLOCK : by_user->nrows;
        for (uint32_t u = bl * ALS_EVAL_BLOCK; u < end && u < m->nusers; u++) {
            const bool bias = m->has_bias && m->ubias && m->ibias;
            const double off = bias ? m->mu + (double)m->ubias[u] : 0.0;
            s += kt->sse_row(m->U + (size_t)u * K, m->V, m->rank, by_user->idx + by_user->ptr[u],
                             by_user->val + by_user->ptr[u], als_csr_rowlen(by_user, u), off,
                             bias ? m->ibias : NULL);
        }
        part[bl] = s;
    }
    double s = 0.0;
    for (uint32_t bl = 0; bl < nb; bl++)
        s += part[bl];
    free(part);
    return s;
}

double als_train_rmse(const als_model *m, const als_csr *by_user)
{
    if (by_user->nnz == 0)
        return NAN;
    return sqrt(sq_error_sum(m, by_user) / (double)by_user->nnz);
}

double als_objective(const als_model *m, const als_params *p, const als_csr *by_user, const als_csr *by_item)
{
    double s = sq_error_sum(m, by_user);
    const size_t K = (size_t)m->rank;
    double reg = 0.0;
    for (uint32_t u = 0; u < m->nusers && u < by_user->nrows; u++) {
        double n2 = 0.0;
        for (size_t c = 0; c < K; c++)
            n2 += (double)m->U[u * K + c] * (double)m->U[u * K + c];
        if (m->has_bias && m->ubias)
            n2 += (double)m->ubias[u] * (double)m->ubias[u];
        reg += (double)als_csr_rowlen(by_user, u) * n2;
    }
    for (uint32_t i = 0; i < m->nitems && i < by_item->nrows; i++) {
        double n2 = 0.0;
        for (size_t c = 0; c < K; c++)
            n2 += (double)m->V[i * K + c] * (double)m->V[i * K + c];
        if (m->has_bias && m->ibias)
            n2 += (double)m->ibias[i] * (double)m->ibias[i];
        reg += (double)als_csr_rowlen(by_item, i) * n2;
    }
    return s + p->regParam * reg;
}
