/* als_kernels_tmpl.h — the kernel bodies, included once per ISA variant by als_kernels.c with
 *   KV   floats per vector (4, 8, 16)       KR  max rows of C per gram pass (a power of two)
 *   KT   max column tiles per gram pass     KSFX name suffix      KATTR function attributes
 * Written with GCC vector extensions, so the same text compiles to SSE2/NEON, AVX2 or AVX-512
 * depending on KATTR.  See als_kernels.h for the contracts and the data layout. */

#define KCAT_(a, b) a##_##b
#define KCAT(a, b) KCAT_(a, b)
#define KFN(name) KCAT(name, KSFX)
#define KVD (KV / 2)

typedef float KFN(vf) __attribute__((vector_size(KV * 4)));
typedef double KFN(vd) __attribute__((vector_size(KVD * 8)));
#define VF KFN(vf)
#define VD KFN(vd)

#define KSTR_(x) #x
#define KSTR(x) KSTR_(x)
#if defined(__SANITIZE_ADDRESS__)
/* Sanitizer builds check correctness, not speed: without the forced unrolling this file compiles
 * in seconds instead of most of a minute (same results: unrolling does not reorder arithmetic). */
#define KUNROLL
#else
#define KUNROLL _Pragma("GCC unroll 16")
#endif

/* ---- Gram micro-kernels: an R×(T·KV) block of C over n ≤ ALS_KCHUNK rows ------------------
 * U interleaved accumulator sets (rows i ≡ u mod U, added in a fixed order at the end) keep at
 * least ~8 independent FMA chains in flight when R·T is small. */
#define KDEF_MK(R, T, U)                                                                          \
    static KATTR void KFN(mk_##R##_##T)(size_t n, int ld, const float *W, const float *Y, int a0, \
                                        int c0, double *C, bool acc)                              \
    {                                                                                             \
        VF s[U][R][T];                                                                            \
        KUNROLL for (int u = 0; u < U; u++) KUNROLL for (int r = 0; r < R; r++)                   \
            KUNROLL for (int t = 0; t < T; t++) s[u][r][t] = (VF){0};                             \
        size_t i = 0;                                                                             \
        for (; i + U <= n; i += U) {                                                              \
            KUNROLL for (int u = 0; u < U; u++)                                                   \
            {                                                                                     \
                const float *w = W + (i + (size_t)u) * (size_t)ld + a0;                           \
                const VF *y = (const VF *)(const void *)(Y + (i + (size_t)u) * (size_t)ld + c0);  \
                VF yv[T];                                                                         \
                KUNROLL for (int t = 0; t < T; t++) yv[t] = y[t];                                 \
                KUNROLL for (int r = 0; r < R; r++)                                               \
                {                                                                                 \
                    const float wr = w[r];                                                        \
                    KUNROLL for (int t = 0; t < T; t++) s[u][r][t] += wr * yv[t];                 \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
        for (; i < n; i++) {                                                                      \
            const float *w = W + i * (size_t)ld + a0;                                             \
            const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld + c0);                    \
            VF yv[T];                                                                             \
            KUNROLL for (int t = 0; t < T; t++) yv[t] = y[t];                                     \
            KUNROLL for (int r = 0; r < R; r++)                                                   \
            {                                                                                     \
                const float wr = w[r];                                                            \
                KUNROLL for (int t = 0; t < T; t++) s[0][r][t] += wr * yv[t];                     \
            }                                                                                     \
        }                                                                                         \
        KUNROLL for (int r = 0; r < R; r++) KUNROLL for (int t = 0; t < T; t++)                   \
        {                                                                                         \
            VF v = s[0][r][t];                                                                    \
            KUNROLL for (int u = 1; u < U; u++) v += s[u][r][t];                                  \
            double *dst = C + (size_t)(a0 + r) * (size_t)ld + c0 + t * KV;                        \
            if (acc) {                                                                            \
                KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)v[l];                      \
            } else {                                                                              \
                KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)v[l];                       \
            }                                                                                     \
        }                                                                                         \
    }

KDEF_MK(1, 1, 8)
KDEF_MK(1, 2, 4)
KDEF_MK(1, 3, 2)
KDEF_MK(2, 1, 4)
KDEF_MK(2, 2, 2)
KDEF_MK(2, 3, 1)
KDEF_MK(4, 1, 2)
KDEF_MK(4, 2, 1)
KDEF_MK(4, 3, 1)
#if KR >= 8
KDEF_MK(8, 1, 1)
KDEF_MK(8, 2, 1)
KDEF_MK(8, 3, 1)
#endif

static KATTR void KFN(mk)(int R, int T, size_t n, int ld, const float *W, const float *Y, int a0, int c0,
                          double *C, bool acc)
{
#define KCASE(RR)                                                                                 \
    case RR:                                                                                      \
        if (T == 1)                                                                               \
            KFN(mk_##RR##_1)(n, ld, W, Y, a0, c0, C, acc);                                        \
        else if (T == 2)                                                                          \
            KFN(mk_##RR##_2)(n, ld, W, Y, a0, c0, C, acc);                                        \
        else                                                                                      \
            KFN(mk_##RR##_3)(n, ld, W, Y, a0, c0, C, acc);                                        \
        break;
    switch (R) {
#if KR >= 8
        KCASE(8)
#endif
        KCASE(4)
        KCASE(2)
    default:
        KCASE(1)
    }
#undef KCASE
}

/* When k is a little above a multiple kf of KV, the last (partial) column tile would be computed
 * for all kf rows to get a few columns: cheaper to compute the rows kf..k-1 against every tile and
 * mirror them (gram_finish).  True when that scheme is used for this k. */
static inline KATTR __attribute__((always_inline)) bool KFN(gram_tail)(int k)
{
    const int nt = (k + KV - 1) / KV, kf = k / KV * KV, rem = k - kf;
    return rem > 0 && kf > 0 && rem * (nt - 1) < kf;
}

/* The passes: row blocks of KR rows (then 4, 2, 1 for the remainder), each against its column
 * tiles from the diagonal tile on, KT tiles at a time (with gram_tail: rows below kf stop before
 * the partial tile, rows from kf take every tile).  Runs pass number `only` (or every pass when
 * only == -1; none when only == -2) and returns the number of passes. */
static KATTR int KFN(gram_walk)(int k, int ld, size_t n, const float *W, const float *Y, double *C,
                                int only, bool acc)
{
    const int nt = (k + KV - 1) / KV, kf = k / KV * KV;
    const bool tail = KFN(gram_tail)(k);
    int pass = 0;
    for (int a0 = 0; a0 < k;) {
        int R = KR;
        while (R > k - a0 || (tail && a0 < kf && R > kf - a0))
            R /= 2;
        const int tbeg = tail && a0 >= kf ? 0 : a0 / KV;
        const int tend = tail && a0 < kf ? kf / KV : nt;
        for (int t0 = tbeg; t0 < tend; t0 += KT) {
            int T = tend - t0 < KT ? tend - t0 : KT;
            if (only == -1 || only == pass) {
                for (size_t i0 = 0; i0 < n || (i0 == 0 && n == 0); i0 += ALS_KCHUNK) {
                    size_t m = n - i0 < ALS_KCHUNK ? n - i0 : ALS_KCHUNK;
                    KFN(mk)(R, T, m, ld, W + i0 * (size_t)ld, Y + i0 * (size_t)ld, a0, t0 * KV, C,
                            acc || i0 > 0);
                    if (n == 0)
                        break;
                }
            }
            pass++;
        }
        a0 += R;
    }
    return pass;
}

/* Completes the upper triangle after the passes: with gram_tail, C[b][a] = C[a][b] for the tail
 * rows a ≥ kf and b < kf, and zeros in the padding columns k..⌈k/KVD⌉·KVD of the rows b < kf (the
 * per-row Cholesky reads that far; the full tiles of the other rows hold zeros there anyway). */
static KATTR void KFN(gram_finish)(int k, int ld, double *C)
{
    if (!KFN(gram_tail)(k))
        return;
    const int kf = k / KV * KV, cend = (k + KVD - 1) / KVD * KVD;
    const size_t L = (size_t)ld;
    for (int b = 0; b < kf; b++) {
        double *Cb = C + (size_t)b * L;
        for (int a = kf; a < k; a++)
            Cb[a] = C[(size_t)a * L + (size_t)b];
        for (int a = k; a < cend; a++)
            Cb[a] = 0.0;
    }
}

static KATTR void KFN(gram)(int k, int ld, size_t n, const float *W, const float *Y, double *C, bool acc)
{
    KFN(gram_walk)(k, ld, n, W, Y, C, -1, acc);
    KFN(gram_finish)(k, ld, C);
}

static KATTR int KFN(gram_npasses)(int k)
{
    return KFN(gram_walk)(k, 16, 0, NULL, NULL, NULL, -2, false);
}

static KATTR void KFN(gram_pass)(int k, int ld, size_t n, const float *W, const float *Y, double *C,
                                 int pass, bool acc)
{
    KFN(gram_walk)(k, ld, n, W, Y, C, pass, acc);
}

/* ---- b = Σ t_i Y_i ------------------------------------------------------------------------- */
/* NT tiles starting at tile t0; U interleaved accumulator sets (rows i ≡ u mod U) hide the FMA
 * latency and are added in a fixed order at the end of each chunk. */
#define KDEF_GV(NT, U)                                                                            \
    static KATTR void KFN(gv_##NT)(int ld, size_t n, const float *Y, const float *t, double *b, int t0, bool acc) \
    {                                                                                             \
        size_t i0 = 0;                                                                            \
        bool first = !acc;                                                                        \
        do {                                                                                      \
            size_t m = n - i0 < ALS_KCHUNK ? n - i0 : ALS_KCHUNK;                                 \
            VF s[U][NT];                                                                          \
            KUNROLL for (int u = 0; u < U; u++) KUNROLL for (int j = 0; j < NT; j++) s[u][j] = (VF){0}; \
            size_t i = i0;                                                                        \
            for (; i + U <= i0 + m; i += U) {                                                     \
                KUNROLL for (int u = 0; u < U; u++)                                               \
                {                                                                                 \
                    const VF *y = (const VF *)(const void *)(Y + (i + (size_t)u) * (size_t)ld) + t0; \
                    const float ti = t[i + (size_t)u];                                            \
                    KUNROLL for (int j = 0; j < NT; j++) s[u][j] += ti * y[j];                    \
                }                                                                                 \
            }                                                                                     \
            for (; i < i0 + m; i++) {                                                             \
                const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld) + t0;                \
                const float ti = t[i];                                                            \
                KUNROLL for (int j = 0; j < NT; j++) s[0][j] += ti * y[j];                        \
            }                                                                                     \
            KUNROLL for (int j = 0; j < NT; j++)                                                  \
            {                                                                                     \
                KUNROLL for (int u = 1; u < U; u++) s[0][j] += s[u][j];                           \
                double *dst = b + (t0 + j) * KV;                                                  \
                if (first) {                                                                      \
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)s[0][j][l];             \
                } else {                                                                          \
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)s[0][j][l];            \
                }                                                                                 \
            }                                                                                     \
            first = false;                                                                        \
            i0 += m;                                                                              \
        } while (i0 < n);                                                                         \
    }
KDEF_GV(1, 4)
KDEF_GV(2, 2)
KDEF_GV(3, 2)
KDEF_GV(4, 2)

static KATTR void KFN(gemv_t)(int k, int ld, size_t n, const float *Y, const float *t, double *b, bool acc)
{
    const int nt = (k + KV - 1) / KV;
    for (int t0 = 0; t0 < nt; t0 += 4) {
        switch (nt - t0) {
        case 1: KFN(gv_1)(ld, n, Y, t, b, t0, acc); break;
        case 2: KFN(gv_2)(ld, n, Y, t, b, t0, acc); break;
        case 3: KFN(gv_3)(ld, n, Y, t, b, t0, acc); break;
        default: KFN(gv_4)(ld, n, Y, t, b, t0, acc); break;
        }
    }
    if (!acc)
        for (int c = nt * KV; c < ld; c++)
            b[c] = 0.0;
}

/* ---- horizontal sums in a fixed order ------------------------------------------------------ */
static inline KATTR __attribute__((always_inline)) float KFN(hsum_f)(VF v)
{
#if KV == 16
    typedef float v8 __attribute__((vector_size(32)));
    v8 h8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
            __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    typedef float v4 __attribute__((vector_size(16)));
    v4 h4 = __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
#elif KV == 8
    typedef float v4 __attribute__((vector_size(16)));
    v4 h4 = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
#else
    VF h4 = v;
#endif
    return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

static inline KATTR __attribute__((always_inline)) double KFN(hsum_d)(VD v)
{
    double s = 0.0;
#if KVD == 8
    typedef double v4 __attribute__((vector_size(32)));
    v4 h4 = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    s = (h4[0] + h4[2]) + (h4[1] + h4[3]);
#elif KVD == 4
    s = (v[0] + v[2]) + (v[1] + v[3]);
#else
    s = v[0] + v[1];
#endif
    return s;
}

/* ---- q = Σ c_i (Y_i·p) Y_i (the implicit CG operator's sparse part) ------------------------ */
#define KDEF_CMV(NT)                                                                              \
    static KATTR void KFN(cmv_##NT)(int ld, size_t n, const float *Y, const float *c, const float *p, \
                                    double *q, bool acc)                                          \
    {                                                                                             \
        VF pv[NT];                                                                                \
        KUNROLL for (int j = 0; j < NT; j++) pv[j] = ((const VF *)(const void *)p)[j];            \
        size_t i0 = 0;                                                                            \
        bool first = !acc;                                                                        \
        do {                                                                                      \
            size_t m = n - i0 < ALS_KCHUNK ? n - i0 : ALS_KCHUNK;                                 \
            VF s[2][NT];                                                                          \
            KUNROLL for (int u = 0; u < 2; u++) KUNROLL for (int j = 0; j < NT; j++) s[u][j] = (VF){0}; \
            size_t i = i0;                                                                        \
            for (; i < i0 + m; i++) {                                                             \
                const int u = (int)((i - i0) & 1);                                                \
                const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld);                     \
                VF d = y[0] * pv[0];                                                              \
                KUNROLL for (int j = 1; j < NT; j++) d += y[j] * pv[j];                           \
                const float w = c[i] * KFN(hsum_f)(d);                                            \
                if (u) {                                                                          \
                    KUNROLL for (int j = 0; j < NT; j++) s[1][j] += w * y[j];                     \
                } else {                                                                          \
                    KUNROLL for (int j = 0; j < NT; j++) s[0][j] += w * y[j];                     \
                }                                                                                 \
            }                                                                                     \
            KUNROLL for (int j = 0; j < NT; j++)                                                  \
            {                                                                                     \
                const VF sj = s[0][j] + s[1][j];                                                  \
                double *dst = q + j * KV;                                                         \
                if (first) {                                                                      \
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)sj[l];                  \
                } else {                                                                          \
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)sj[l];                 \
                }                                                                                 \
            }                                                                                     \
            first = false;                                                                        \
            i0 += m;                                                                              \
        } while (i0 < n);                                                                         \
    }
KDEF_CMV(1)
KDEF_CMV(2)
KDEF_CMV(3)
KDEF_CMV(4)

static KATTR void KFN(cmatvec)(int k, int ld, size_t n, const float *Y, const float *c, const float *p,
                               double *q, bool acc)
{
    const int nt = (k + KV - 1) / KV;
    switch (nt) {
    case 1: KFN(cmv_1)(ld, n, Y, c, p, q, acc); break;
    case 2: KFN(cmv_2)(ld, n, Y, c, p, q, acc); break;
    case 3: KFN(cmv_3)(ld, n, Y, c, p, q, acc); break;
    case 4: KFN(cmv_4)(ld, n, Y, c, p, q, acc); break;
    default: {
        /* Large k: the chunk's dot products first, then the updates in groups of 16 tiles. */
        const VF *pv = (const VF *)(const void *)p;
        float w[ALS_KCHUNK];
        size_t i0 = 0;
        bool first = !acc;
        do {
            size_t m = n - i0 < ALS_KCHUNK ? n - i0 : ALS_KCHUNK;
            for (size_t i = i0; i < i0 + m; i++) {
                const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld);
                VF d = (VF){0};
                for (int j = 0; j < nt; j++)
                    d += y[j] * pv[j];
                w[i - i0] = c[i] * KFN(hsum_f)(d);
            }
            for (int j0 = 0; j0 < nt; j0 += 16) {
                const int J = nt - j0 < 16 ? nt - j0 : 16;
                VF part[16];
                for (int j = 0; j < J; j++)
                    part[j] = (VF){0};
                for (size_t i = i0; i < i0 + m; i++) {
                    const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld) + j0;
                    const float wi = w[i - i0];
                    for (int j = 0; j < J; j++)
                        part[j] += wi * y[j];
                }
                for (int j = 0; j < J; j++) {
                    double *dst = q + (j0 + j) * KV;
                    if (first) {
                        KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)part[j][l];
                    } else {
                        KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)part[j][l];
                    }
                }
            }
            first = false;
            i0 += m;
        } while (i0 < n);
    }
    }
    if (!acc)
        for (int c2 = nt * KV; c2 < ld; c2++)
            q[c2] = 0.0;
}

/* ---- q = A p + shift·p for a full symmetric A (both triangles, ld stride, zero padded) ----- */
static KATTR void KFN(symv)(int k, int ld, const double *A, const double *p, double shift, double *q)
{
    const int kend = (k + KVD - 1) / KVD * KVD;
    const VD *pv = (const VD *)(const void *)p;
    for (int a = 0; a < k; a++) {
        const VD *row = (const VD *)(const void *)(A + (size_t)a * (size_t)ld);
        VD s = (VD){0};
        for (int j = 0; j < kend / KVD; j++)
            s += row[j] * pv[j];
        q[a] = KFN(hsum_d)(s) + shift * p[a];
    }
    for (int a = k; a < ld; a++)
        q[a] = 0.0;
}

/* ---- LDLᵀ factorisation A = Wᵀ D⁻¹ W, upper triangle, row-major -----------------------------
 * Square-root-free Cholesky: row j of W is A[j][j..] − Σ_{p<j} (W[p][j]/d_p) W[p][j..] and
 * d_j = W[j][j] (the pivot), so U = D^{-1/2} W is the Cholesky factor.  The scalars W[p][j]/d_p
 * are kept in the otherwise unused lower triangle (A[j][p]), where row j reads them
 * contiguously.  Left-looking (row Crout):
 * each row is accumulated in registers over p, in groups of up to 8 vectors, with U interleaved
 * partial sums (p ≡ u mod U, added in a fixed order) so short rows are not bound by the FMA
 * latency; the chain from one row to the next is one division, no square root.  The vectors
 * start at the aligned column at or below the diagonal and run to the padded end, so they also
 * produce a few entries left of the diagonal, never read as results (they lie in tiles the gram
 * kernel wrote, so they are initialised, and the padding columns stay zero).
 * On success diag[0..kend) holds 1/d_j (0 for the padding rows) for chol_solve. */
#define KCHOL_NB(NB, U)                                                                           \
    static inline KATTR __attribute__((always_inline)) void KFN(chol_nb_##NB)(                    \
        const double *A, size_t ld, int j, int g0, VD *out)                                       \
    {                                                                                             \
        VD acc[U][NB];                                                                            \
        const double *sj = A + (size_t)j * ld; /* sj[p] = W[p][j] / d_p, stored left of the diagonal */ \
        const VD *aj = (const VD *)(const void *)sj + g0;                                         \
        KUNROLL for (int b = 0; b < NB; b++) acc[0][b] = aj[b];                                   \
        KUNROLL for (int u = 1; u < U; u++) KUNROLL for (int b = 0; b < NB; b++) acc[u][b] = (VD){0}; \
        int p = 0;                                                                                \
        for (; p + U <= j; p += U) {                                                              \
            KUNROLL for (int u = 0; u < U; u++)                                                   \
            {                                                                                     \
                const double sc = sj[p + u];                                                      \
                const VD *v = (const VD *)(const void *)(A + (size_t)(p + u) * ld) + g0;          \
                KUNROLL for (int b = 0; b < NB; b++) acc[u][b] -= sc * v[b];                      \
            }                                                                                     \
        }                                                                                         \
        for (; p < j; p++) {                                                                      \
            const double sc = sj[p];                                                              \
            const VD *v = (const VD *)(const void *)(A + (size_t)p * ld) + g0;                    \
            KUNROLL for (int b = 0; b < NB; b++) acc[0][b] -= sc * v[b];                          \
        }                                                                                         \
        /* pairwise tree over the U partial sums (a fixed order) */                                \
        KUNROLL for (int h = 1; h < U; h *= 2) KUNROLL for (int u = 0; u + h < U; u += 2 * h)      \
            KUNROLL for (int b = 0; b < NB; b++) acc[u][b] += acc[u + h][b];                       \
        KUNROLL for (int b = 0; b < NB; b++) out[b] = acc[0][b];                                  \
    }
KCHOL_NB(1, 8)
KCHOL_NB(2, 4)
KCHOL_NB(3, 2)
KCHOL_NB(4, 2)
KCHOL_NB(5, 2)
KCHOL_NB(6, 1)
KCHOL_NB(7, 1)
KCHOL_NB(8, 1)

static KATTR bool KFN(cholesky)(double *A, int ld, int k, double rtol, double *diag)
{
    const int nvb = (k + KVD - 1) / KVD;
    const size_t L = (size_t)ld;
    for (int j = 0; j < nvb * KVD; j++)
        diag[j] = 0.0;
    for (int j = 0; j < k; j++) {
        VD *aj = (VD *)(void *)(A + (size_t)j * L);
        const double orig = aj[j / KVD][j % KVD];
        const int b0 = j / KVD;
        /* groups last to first: the diagonal group's store overwrites the scalars sj[p] of its
         * own vector, which the other groups still read */
        double piv = 0.0;
        for (int g0 = b0 + (nvb - 1 - b0) / 8 * 8; g0 >= b0; g0 -= 8) {
            VD out[8];
            const int nb = nvb - g0 < 8 ? nvb - g0 : 8;
            switch (nb) {
            case 1: KFN(chol_nb_1)(A, L, j, g0, out); break;
            case 2: KFN(chol_nb_2)(A, L, j, g0, out); break;
            case 3: KFN(chol_nb_3)(A, L, j, g0, out); break;
            case 4: KFN(chol_nb_4)(A, L, j, g0, out); break;
            case 5: KFN(chol_nb_5)(A, L, j, g0, out); break;
            case 6: KFN(chol_nb_6)(A, L, j, g0, out); break;
            case 7: KFN(chol_nb_7)(A, L, j, g0, out); break;
            default: KFN(chol_nb_8)(A, L, j, g0, out); break;
            }
            for (int b = 0; b < nb; b++)
                aj[g0 + b] = out[b];
            if (g0 == b0)
                piv = out[0][j % KVD];
        }
        if (!(piv > rtol * orig) || !(piv < INFINITY))
            return false;
        const double r = 1.0 / piv;
        diag[j] = r;
        for (int c = j + 1; c < k; c++)
            A[(size_t)c * L + (size_t)j] = A[(size_t)j * L + (size_t)c] * r;
    }
    return true;
}

/* Solve A x = b in place from the LDLᵀ factors: forward Uᵀy = b with the unit U = D⁻¹W (keeping
 * v = D⁻¹y), then backward U x = v.  By blocks of KVD rows: the contributions of the other blocks
 * are accumulated in vector registers (forward: v_p · W[p][block] over earlier rows p; backward:
 * one dot product per row over the later columns), then the block's triangle is solved in
 * unrolled scalar code.  Rows k..kend of W must be zero (or at least finite) and rd zero there. */
static KATTR void KFN(chol_solve)(const double *W, int ld, int k, const double *rd, double *b)
{
    const int nvb = (k + KVD - 1) / KVD;
    const size_t L = (size_t)ld;
    VD *bv = (VD *)(void *)b;
    for (int bb = 0; bb < nvb; bb++) {
        const int base = bb * KVD;
        VD acc[4] = {bv[bb], (VD){0}, (VD){0}, (VD){0}};
        int p = 0;
        for (; p + 4 <= base; p += 4) {
            KUNROLL for (int u = 0; u < 4; u++)
            {
                const VD *row = (const VD *)(const void *)(W + (size_t)(p + u) * L);
                acc[u] -= b[p + u] * row[bb];
            }
        }
        for (; p < base; p++)
            acc[0] -= b[p] * ((const VD *)(const void *)(W + (size_t)p * L))[bb];
        const VD t = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        double v[KVD];
        KUNROLL for (int j = 0; j < KVD; j++)
        {
            double y = t[j];
            KUNROLL for (int q = 0; q < j; q++) y -= W[(size_t)(base + q) * L + (size_t)(base + j)] * v[q];
            v[j] = y * rd[base + j];
        }
        KUNROLL for (int j = 0; j < KVD; j++) b[base + j] = v[j];
    }
    for (int bb = nvb - 1; bb >= 0; bb--) {
        const int base = bb * KVD;
        double s[KVD], x[KVD];
        KUNROLL for (int j = 0; j < KVD; j++)
        {
            const VD *row = (const VD *)(const void *)(W + (size_t)(base + j) * L);
            VD a0 = (VD){0}, a1 = (VD){0};
            int c = bb + 1;
            for (; c + 2 <= nvb; c += 2) {
                a0 += row[c] * bv[c];
                a1 += row[c + 1] * bv[c + 1];
            }
            if (c < nvb)
                a0 += row[c] * bv[c];
            s[j] = KFN(hsum_d)(a0 + a1);
        }
        KUNROLL for (int j = KVD - 1; j >= 0; j--)
        {
            double y = s[j];
            KUNROLL for (int c = j + 1; c < KVD; c++) y += W[(size_t)(base + j) * L + (size_t)(base + c)] * x[c];
            x[j] = b[base + j] - rd[base + j] * y;
        }
        KUNROLL for (int j = 0; j < KVD; j++) b[base + j] = x[j];
    }
}

/* ---- 8 systems at once: LDLᵀ + solve with one system per lane ---------------------------------
 * Element (a, c) of system s is B[(a·kp + c)·8 + s] (kp ≥ k, only a ≤ c read), the right-hand
 * side X[j·8 + s].  The arithmetic of a lane is the scalar LDLᵀ of section "LDLᵀ" above (W[p][j]/d_p
 * kept at (j, p), left of the diagonal), so the lanes never interact: a system's solution does not
 * depend on the other seven.  A lane whose pivot fails gets 1/d = 0 (a zero, finite solution) and
 * bad[s] = 1. */
typedef double KFN(v8d) __attribute__((vector_size(64)));
typedef long long KFN(v8l) __attribute__((vector_size(64)));
#ifndef ALS_BATCH_QUAD_MINK
#define ALS_BATCH_QUAD_MINK 56 /* measured: a gain from k = 56 on (Zen 5), none or a loss below */
#endif
#define V8 KFN(v8d)
#define V8L KFN(v8l)

#define KBATCH_ROW(NC, U)                                                                         \
    static inline KATTR __attribute__((always_inline)) void KFN(brow_##NC)(V8 *B, size_t kp, int j, int c0) \
    {                                                                                             \
        V8 *Bj = B + (size_t)j * kp;                                                              \
        V8 acc[U][NC];                                                                            \
        KUNROLL for (int c = 0; c < NC; c++) acc[0][c] = Bj[c0 + c];                              \
        KUNROLL for (int u = 1; u < U; u++) KUNROLL for (int c = 0; c < NC; c++) acc[u][c] = (V8){0}; \
        int p = 0;                                                                                \
        for (; p + U <= j; p += U) {                                                              \
            KUNROLL for (int u = 0; u < U; u++)                                                   \
            {                                                                                     \
                const V8 sc = Bj[p + u];                                                          \
                const V8 *w = B + (size_t)(p + u) * kp + c0;                                      \
                KUNROLL for (int c = 0; c < NC; c++) acc[u][c] -= sc * w[c];                      \
            }                                                                                     \
        }                                                                                         \
        for (; p < j; p++) {                                                                      \
            const V8 sc = Bj[p];                                                                  \
            const V8 *w = B + (size_t)p * kp + c0;                                                \
            KUNROLL for (int c = 0; c < NC; c++) acc[0][c] -= sc * w[c];                          \
        }                                                                                         \
        KUNROLL for (int h = 1; h < U; h *= 2) KUNROLL for (int u = 0; u + h < U; u += 2 * h)      \
            KUNROLL for (int c = 0; c < NC; c++) acc[u][c] += acc[u + h][c];                       \
        KUNROLL for (int c = 0; c < NC; c++) Bj[c0 + c] = acc[0][c];                              \
    }
#if KV == 16
KBATCH_ROW(1, 4)
KBATCH_ROW(2, 4)
KBATCH_ROW(3, 2)
KBATCH_ROW(4, 2)
KBATCH_ROW(5, 1)
KBATCH_ROW(6, 1)
KBATCH_ROW(7, 1)
KBATCH_ROW(8, 1)
#else
/* fewer vector registers: a V8 is 2 (AVX2) or 4 (SSE) of them */
KBATCH_ROW(1, 2)
KBATCH_ROW(2, 2)
KBATCH_ROW(3, 1)
KBATCH_ROW(4, 1)
KBATCH_ROW(5, 1)
KBATCH_ROW(6, 1)
KBATCH_ROW(7, 1)
KBATCH_ROW(8, 1)
#endif

#if KV == 16
/* Rows j..j+3 together over p < j, columns c0..c0+NC−1 of each (4·NC accumulators: each loaded
 * W[p][c] feeds four FMAs). */
#define KBATCH_ROW4(NC)                                                                           \
    static inline KATTR __attribute__((always_inline)) void KFN(brow4_##NC)(V8 *B, size_t kp, int j, int c0) \
    {                                                                                             \
        V8 *R0 = B + (size_t)j * kp;                                                              \
        V8 acc[4][NC];                                                                            \
        KUNROLL for (int r = 0; r < 4; r++) KUNROLL for (int c = 0; c < NC; c++)                  \
            acc[r][c] = R0[(size_t)r * kp + (size_t)(c0 + c)];                                    \
        for (int p = 0; p < j; p++) {                                                             \
            const V8 *w = B + (size_t)p * kp + c0;                                                \
            V8 sc[4];                                                                             \
            KUNROLL for (int r = 0; r < 4; r++) sc[r] = R0[(size_t)r * kp + (size_t)p];           \
            KUNROLL for (int c = 0; c < NC; c++)                                                  \
            {                                                                                     \
                const V8 wc = w[c];                                                               \
                KUNROLL for (int r = 0; r < 4; r++) acc[r][c] -= sc[r] * wc;                      \
            }                                                                                     \
        }                                                                                         \
        KUNROLL for (int r = 0; r < 4; r++) KUNROLL for (int c = 0; c < NC; c++)                  \
            R0[(size_t)r * kp + (size_t)(c0 + c)] = acc[r][c];                                    \
    }
KBATCH_ROW4(1)
KBATCH_ROW4(2)
KBATCH_ROW4(3)
KBATCH_ROW4(4)
#endif

static KATTR void KFN(chol_batch)(double *Bd, int k, int kp, double *Xd, double rtol, unsigned char *bad)
{
    V8 *B = (V8 *)(void *)Bd, *X = (V8 *)(void *)Xd;
    const size_t KP = (size_t)kp;
    V8 rd[ALS_BATCH_MAXK];
    V8L badm = (V8L){0};
    V8 orig_next = B[0];
    for (int j = 0; j < k; j++) {
        V8 *Bj = B + (size_t)j * KP;
        const V8 orig = orig_next; /* the diagonal entry before any update (pivot check) */
        if (j + 1 < k)
            orig_next = B[(size_t)(j + 1) * KP + (size_t)(j + 1)];
#if KV == 16
        /* AVX-512, k ≥ ALS_BATCH_QUAD_MINK: rows j..j+3 (j a multiple of 4, all four < k)
         * accumulate over p < j together, 4 rows × 4 columns at a time, so each loaded W[p][c]
         * feeds four FMAs (the left-looking loop is otherwise bound by loads from L2).  The
         * terms p = j..i−1 inside the quad are added when rows j..i−1 are final (below).  Their
         * columns left of the diagonal receive meaningless values, overwritten by the
         * scaled-row stores of the rows above before anyone reads them. */
        const bool quads = k >= ALS_BATCH_QUAD_MINK;
        const int j0 = j / 4 * 4;
        if (quads && j == j0 && j + 3 < k) {
            for (int c0 = j; c0 < k; c0 += 4) {
                switch (k - c0 < 4 ? k - c0 : 4) {
                case 1: KFN(brow4_1)(B, KP, j, c0); break;
                case 2: KFN(brow4_2)(B, KP, j, c0); break;
                case 3: KFN(brow4_3)(B, KP, j, c0); break;
                default: KFN(brow4_4)(B, KP, j, c0); break;
                }
            }
        } else if (quads && j0 + 3 < k) {
            for (int p = j0; p < j; p++) {
                const V8 sc = Bj[p];
                const V8 *w = B + (size_t)p * KP;
                for (int c = j; c < k; c++)
                    Bj[c] -= sc * w[c];
            }
        } else if (quads) {
            goto single; /* the rows after the last full quad, one at a time */
        } else
#endif
        {
#if KV == 16
        single:
#endif
            /* column blocks last to first: the first block's store overwrites the scalars Bj[p]
             * of its own columns left of the diagonal, which the other blocks still read */
            for (int c0 = j + (k - 1 - j) / 8 * 8; c0 >= j; c0 -= 8) {
                switch (k - c0 < 8 ? k - c0 : 8) {
                case 1: KFN(brow_1)(B, KP, j, c0); break;
                case 2: KFN(brow_2)(B, KP, j, c0); break;
                case 3: KFN(brow_3)(B, KP, j, c0); break;
                case 4: KFN(brow_4)(B, KP, j, c0); break;
                case 5: KFN(brow_5)(B, KP, j, c0); break;
                case 6: KFN(brow_6)(B, KP, j, c0); break;
                case 7: KFN(brow_7)(B, KP, j, c0); break;
                default: KFN(brow_8)(B, KP, j, c0); break;
                }
            }
        }
        const V8 piv = Bj[j];
        const V8 lim = rtol * orig;
        const V8L good = (piv > lim) & (piv < (V8){INFINITY, INFINITY, INFINITY, INFINITY, INFINITY,
                                                   INFINITY, INFINITY, INFINITY});
        badm |= ~good;
        const V8 r = (V8)((V8L)(1.0 / piv) & good);
        rd[j] = r;
        for (int c = j + 1; c < k; c++)
            B[(size_t)c * KP + (size_t)j] = Bj[c] * r;
    }
    /* forward: y_j = b_j − Σ_{p<j} W[p][j] v_p, v_j = y_j / d_j (v kept in X) */
    for (int j = 0; j < k; j++) {
        V8 a0 = X[j], a1 = (V8){0}, a2 = (V8){0}, a3 = (V8){0};
        int p = 0;
        for (; p + 4 <= j; p += 4) {
            a0 -= B[(size_t)p * KP + (size_t)j] * X[p];
            a1 -= B[(size_t)(p + 1) * KP + (size_t)j] * X[p + 1];
            a2 -= B[(size_t)(p + 2) * KP + (size_t)j] * X[p + 2];
            a3 -= B[(size_t)(p + 3) * KP + (size_t)j] * X[p + 3];
        }
        for (; p < j; p++)
            a0 -= B[(size_t)p * KP + (size_t)j] * X[p];
        X[j] = ((a0 + a1) + (a2 + a3)) * rd[j];
    }
    /* backward: x_j = v_j − (1/d_j) Σ_{c>j} W[j][c] x_c */
    for (int j = k - 1; j >= 0; j--) {
        const V8 *Bj = B + (size_t)j * KP;
        V8 a0 = (V8){0}, a1 = (V8){0}, a2 = (V8){0}, a3 = (V8){0};
        int c = j + 1;
        for (; c + 4 <= k; c += 4) {
            a0 += Bj[c] * X[c];
            a1 += Bj[c + 1] * X[c + 1];
            a2 += Bj[c + 2] * X[c + 2];
            a3 += Bj[c + 3] * X[c + 3];
        }
        for (; c < k; c++)
            a0 += Bj[c] * X[c];
        X[j] = X[j] - rd[j] * ((a0 + a1) + (a2 + a3));
    }
    for (int l = 0; l < 8; l++)
        bad[l] = badm[l] != 0;
}
/* Pack row a ≥ 0 of eight row-major matrices (C + s·cstride, stride ld) into the lane layout:
 * for every 8-column block from the one holding the diagonal, eight loads, an 8×8 transpose in
 * registers, eight full-line stores.  Columns up to ⌈k/8⌉·8 are copied (≤ ld). */
static KATTR void KFN(batch_pack)(const double *C, size_t cstride, int ld, int k, int kp, double *Bd)
{
    V8 *B = (V8 *)(void *)Bd;
    const int cend = (k + 7) / 8 * 8;
    for (int a = 0; a < k; a++) {
        for (int c0 = a / 8 * 8; c0 < cend; c0 += 8) {
            const size_t off = (size_t)a * (size_t)ld + (size_t)c0;
            V8 v[8];
            KUNROLL for (int s2 = 0; s2 < 8; s2++) v[s2] = *(const V8 *)(const void *)(C + (size_t)s2 * cstride + off);
            V8 t0 = __builtin_shufflevector(v[0], v[1], 0, 8, 2, 10, 4, 12, 6, 14);
            V8 t1 = __builtin_shufflevector(v[0], v[1], 1, 9, 3, 11, 5, 13, 7, 15);
            V8 t2 = __builtin_shufflevector(v[2], v[3], 0, 8, 2, 10, 4, 12, 6, 14);
            V8 t3 = __builtin_shufflevector(v[2], v[3], 1, 9, 3, 11, 5, 13, 7, 15);
            V8 t4 = __builtin_shufflevector(v[4], v[5], 0, 8, 2, 10, 4, 12, 6, 14);
            V8 t5 = __builtin_shufflevector(v[4], v[5], 1, 9, 3, 11, 5, 13, 7, 15);
            V8 t6 = __builtin_shufflevector(v[6], v[7], 0, 8, 2, 10, 4, 12, 6, 14);
            V8 t7 = __builtin_shufflevector(v[6], v[7], 1, 9, 3, 11, 5, 13, 7, 15);
            V8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
            V8 u2 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
            V8 u1 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
            V8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
            V8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
            V8 u6 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
            V8 u5 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
            V8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
            V8 *dst = B + (size_t)a * (size_t)kp + (size_t)c0;
            dst[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
            dst[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
            dst[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
            dst[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
            dst[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
            dst[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
            dst[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
            dst[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
        }
    }
}

#undef V8
#undef V8L

/* ---- gathering factor rows ----------------------------------------------------------------- */
static KATTR void KFN(gather)(int ld, size_t m, const uint32_t *idx, const float *Y, float *G)
{
    const int nv = ld / KV;
    for (size_t i = 0; i < m; i++) {
        const VF *src = (const VF *)(const void *)(Y + (size_t)idx[i] * (size_t)ld);
        VF *dst = (VF *)(void *)(G + i * (size_t)ld);
        for (int v = 0; v < nv; v++)
            dst[v] = src[v];
    }
}

static KATTR void KFN(scale_rows)(int ld, size_t m, const float *G, const float *c, float *W)
{
    const int nv = ld / KV;
    for (size_t i = 0; i < m; i++) {
        const VF *src = (const VF *)(const void *)(G + i * (size_t)ld);
        VF *dst = (VF *)(void *)(W + i * (size_t)ld);
        const float ci = c[i];
        for (int v = 0; v < nv; v++)
            dst[v] = ci * src[v];
    }
}

/* ---- predictions: x·y in double (float products are exact in double) ------------------------- */
typedef float KFN(v8fu) __attribute__((vector_size(32), aligned(4)));
typedef double KFN(v8dd) __attribute__((vector_size(64)));

static inline KATTR __attribute__((always_inline)) double KFN(dot_inl)(const float *x, const float *y, int k)
{
    KFN(v8dd) a0 = {0}, a1 = {0};
    int c = 0;
    for (; c + 16 <= k; c += 16) {
        a0 += __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(x + c), KFN(v8dd)) *
              __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(y + c), KFN(v8dd));
        a1 += __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(x + c + 8), KFN(v8dd)) *
              __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(y + c + 8), KFN(v8dd));
    }
    if (c + 8 <= k) {
        a0 += __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(x + c), KFN(v8dd)) *
              __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(y + c), KFN(v8dd));
        c += 8;
    }
    a0 += a1;
    double s = ((a0[0] + a0[4]) + (a0[2] + a0[6])) + ((a0[1] + a0[5]) + (a0[3] + a0[7]));
    for (; c < k; c++)
        s += (double)x[c] * (double)y[c];
    return s;
}

static KATTR double KFN(dot)(const float *x, const float *y, int k) { return KFN(dot_inl)(x, y, k); }

/* x (k floats, as doubles in xd, zero padded to a multiple of 8) · y: the same sums in the same
 * order as dot_inl. */
static inline KATTR __attribute__((always_inline)) double KFN(dot_xd)(const KFN(v8dd) *xd, const float *y, int k)
{
    KFN(v8dd) a0 = {0}, a1 = {0};
    int c = 0;
    for (; c + 16 <= k; c += 16) {
        a0 += xd[c / 8] * __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(y + c), KFN(v8dd));
        a1 += xd[c / 8 + 1] * __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(y + c + 8), KFN(v8dd));
    }
    if (c + 8 <= k) {
        a0 += xd[c / 8] * __builtin_convertvector(*(const KFN(v8fu) *)(const void *)(y + c), KFN(v8dd));
        c += 8;
    }
    a0 += a1;
    double s = ((a0[0] + a0[4]) + (a0[2] + a0[6])) + ((a0[1] + a0[5]) + (a0[3] + a0[7]));
    const double *xs = (const double *)(const void *)xd;
    for (; c < k; c++)
        s += xs[c] * (double)y[c];
    return s;
}

/* Σ over one user's ratings of (r − (off + ib[i] + x·y_i))² (ib may be NULL); k ≤ 1024. */
static KATTR double KFN(sse_row)(const float *x, const float *Y, int k, const uint32_t *idx, const float *val,
                                 size_t n, double off, const float *ib)
{
    KFN(v8dd) xd[128];
    double *xs = (double *)(void *)xd;
    for (int c = 0; c < k; c++)
        xs[c] = (double)x[c];
    double s = 0.0, s1 = 0.0;
    size_t e = 0;
    for (; e + 2 <= n; e += 2) { /* two independent predictions in flight */
        const uint32_t i0 = idx[e], i1 = idx[e + 1];
        double p0 = off + KFN(dot_xd)(xd, Y + (size_t)i0 * (size_t)k, k);
        double p1 = off + KFN(dot_xd)(xd, Y + (size_t)i1 * (size_t)k, k);
        if (ib) {
            p0 += (double)ib[i0];
            p1 += (double)ib[i1];
        }
        const double r0 = (double)val[e] - p0, r1 = (double)val[e + 1] - p1;
        s += r0 * r0;
        s1 += r1 * r1;
    }
    if (e < n) {
        const uint32_t i = idx[e];
        double p = off + KFN(dot_xd)(xd, Y + (size_t)i * (size_t)k, k);
        if (ib)
            p += (double)ib[i];
        const double r = (double)val[e] - p;
        s += r * r;
    }
    return s + s1;
}

static const als_kernel_table KFN(table) = {
    .isa = KISA,
    .name = KSTR(KSFX),
    .vlen = KV,
    .gram = KFN(gram),
    .gram_npasses = KFN(gram_npasses),
    .gram_pass = KFN(gram_pass),
    .gram_finish = KFN(gram_finish),
    .gemv_t = KFN(gemv_t),
    .cmatvec = KFN(cmatvec),
    .symv = KFN(symv),
    .cholesky = KFN(cholesky),
    .chol_solve = KFN(chol_solve),
    .chol_batch = KFN(chol_batch),
    .batch_pack = KFN(batch_pack),
    .gather = KFN(gather),
    .dot = KFN(dot),
    .sse_row = KFN(sse_row),
    .scale_rows = KFN(scale_rows),
};

#undef VF
#undef VD
#undef KVD
#undef KV
#undef KR
#undef KT
#undef KSFX
#undef KATTR
#undef KISA
