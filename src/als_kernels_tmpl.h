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
#define KUNROLL _Pragma("GCC unroll 16")

/* ---- Gram micro-kernels: an R×(T·KV) block of C over n ≤ ALS_KCHUNK rows ------------------ */
#define KDEF_MK(R, T)                                                                             \
    static KATTR void KFN(mk_##R##_##T)(size_t n, int ld, const float *W, const float *Y, int a0, \
                                        int c0, double *C, bool acc)                              \
    {                                                                                             \
        VF s[R][T];                                                                               \
        KUNROLL for (int r = 0; r < R; r++) KUNROLL for (int t = 0; t < T; t++) s[r][t] = (VF){0}; \
        for (size_t i = 0; i < n; i++) {                                                          \
            const float *w = W + i * (size_t)ld + a0;                                             \
            const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld + c0);                    \
            VF yv[T];                                                                             \
            KUNROLL for (int t = 0; t < T; t++) yv[t] = y[t];                                     \
            KUNROLL for (int r = 0; r < R; r++)                                                   \
            {                                                                                     \
                const float wr = w[r];                                                            \
                KUNROLL for (int t = 0; t < T; t++) s[r][t] += wr * yv[t];                        \
            }                                                                                     \
        }                                                                                         \
        KUNROLL for (int r = 0; r < R; r++) KUNROLL for (int t = 0; t < T; t++)                   \
        {                                                                                         \
            double *dst = C + (size_t)(a0 + r) * (size_t)ld + c0 + t * KV;                        \
            if (acc) {                                                                            \
                KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)s[r][t][l];                \
            } else {                                                                              \
                KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)s[r][t][l];                 \
            }                                                                                     \
        }                                                                                         \
    }

#define KDEF_MK_R(R) KDEF_MK(R, 1) KDEF_MK(R, 2) KDEF_MK(R, 3)
KDEF_MK_R(1)
KDEF_MK_R(2)
KDEF_MK_R(4)
#if KR >= 8
KDEF_MK_R(8)
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

/* The passes: row blocks of KR rows (then 4, 2, 1 for the remainder), each against its column
 * tiles from the diagonal tile on, KT tiles at a time.  Calls f for pass number `only` (or every
 * pass when only == -1; never when only == -2) and returns the number of passes. */
static KATTR int KFN(gram_walk)(int k, int ld, size_t n, const float *W, const float *Y, double *C,
                                int only, bool acc)
{
    const int nt = (k + KV - 1) / KV;
    int pass = 0;
    for (int a0 = 0; a0 < k;) {
        int R = KR;
        while (R > k - a0)
            R /= 2;
        for (int t0 = a0 / KV; t0 < nt; t0 += KT) {
            int T = nt - t0 < KT ? nt - t0 : KT;
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

static KATTR void KFN(gram)(int k, int ld, size_t n, const float *W, const float *Y, double *C, bool acc)
{
    KFN(gram_walk)(k, ld, n, W, Y, C, -1, acc);
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
#define KGV_TILES 8
static KATTR void KFN(gemv_t)(int k, int ld, size_t n, const float *Y, const float *t, double *b, bool acc)
{
    const int nt = (k + KV - 1) / KV;
    for (int t0 = 0; t0 < nt; t0 += KGV_TILES) {
        const int T = nt - t0 < KGV_TILES ? nt - t0 : KGV_TILES;
        size_t i0 = 0;
        bool first = !acc;
        do {
            size_t m = n - i0 < ALS_KCHUNK ? n - i0 : ALS_KCHUNK;
            VF s[KGV_TILES];
            KUNROLL for (int j = 0; j < KGV_TILES; j++) s[j] = (VF){0};
            if (T == KGV_TILES) {
                for (size_t i = i0; i < i0 + m; i++) {
                    const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld + t0 * KV);
                    const float ti = t[i];
                    KUNROLL for (int j = 0; j < KGV_TILES; j++) s[j] += ti * y[j];
                }
            } else {
                for (size_t i = i0; i < i0 + m; i++) {
                    const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld + t0 * KV);
                    const float ti = t[i];
                    for (int j = 0; j < T; j++)
                        s[j] += ti * y[j];
                }
            }
            for (int j = 0; j < T; j++) {
                double *dst = b + (t0 + j) * KV;
                if (first) {
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)s[j][l];
                } else {
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)s[j][l];
                }
            }
            first = false;
            i0 += m;
        } while (i0 < n);
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
            VF s[NT];                                                                             \
            KUNROLL for (int j = 0; j < NT; j++) s[j] = (VF){0};                                  \
            for (size_t i = i0; i < i0 + m; i++) {                                                \
                const VF *y = (const VF *)(const void *)(Y + i * (size_t)ld);                     \
                VF d = y[0] * pv[0];                                                              \
                KUNROLL for (int j = 1; j < NT; j++) d += y[j] * pv[j];                           \
                const float w = c[i] * KFN(hsum_f)(d);                                            \
                KUNROLL for (int j = 0; j < NT; j++) s[j] += w * y[j];                            \
            }                                                                                     \
            KUNROLL for (int j = 0; j < NT; j++)                                                  \
            {                                                                                     \
                double *dst = q + j * KV;                                                         \
                if (first) {                                                                      \
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] = (double)s[j][l];                \
                } else {                                                                          \
                    KUNROLL for (int l = 0; l < KV; l++) dst[l] += (double)s[j][l];               \
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

/* ---- Cholesky A = UᵀU, upper triangle, row-major --------------------------------------------
 * Right-looking: row j of U is row j of A scaled by 1/√pivot, then each later row i gets
 * A[i][i..] -= U[j][i] U[j][i..].  The vector loops start at the aligned column at or below the
 * diagonal and run to the padded end, so they also touch a few entries left of the diagonal,
 * which are never read as results (those lie inside tiles the gram kernel wrote, so they are
 * initialised, and the padding columns stay zero). */
static KATTR bool KFN(cholesky)(double *A, int ld, int k, double rtol, double *diag)
{
    const int kend = (k + KVD - 1) / KVD * KVD;
    for (int j = 0; j < k; j++)
        diag[j] = A[(size_t)j * (size_t)ld + (size_t)j];
    for (int j = 0; j < k; j++) {
        double *Aj = A + (size_t)j * (size_t)ld;
        double piv = Aj[j];
        if (!(piv > rtol * diag[j]) || !(piv < INFINITY))
            return false;
        double d = sqrt(piv), inv = 1.0 / d;
        int c0 = j / KVD;
        VD *rowj = (VD *)(void *)Aj;
        for (int c = c0; c < kend / KVD; c++)
            rowj[c] *= inv;
        Aj[j] = d;
        for (int i = j + 1; i < k; i++) {
            const double s = Aj[i];
            VD *rowi = (VD *)(void *)(A + (size_t)i * (size_t)ld);
            for (int c = i / KVD; c < kend / KVD; c++)
                rowi[c] -= s * rowj[c];
        }
    }
    return true;
}

static KATTR void KFN(chol_solve)(const double *U, int ld, int k, double *b)
{
    const int kend = (k + KVD - 1) / KVD * KVD;
    /* Uᵀ z = b: z_j = b_j / U_jj, then b_c -= U_jc z_j for c > j. */
    for (int j = 0; j < k; j++) {
        const double *Uj = U + (size_t)j * (size_t)ld;
        const double z = b[j] / Uj[j];
        b[j] = z;
        int c = j + 1;
        for (; c < kend && c % KVD; c++)
            b[c] -= Uj[c] * z;
        VD *bv = (VD *)(void *)b;
        const VD *uv = (const VD *)(const void *)Uj;
        for (int v = c / KVD; v < kend / KVD; v++)
            bv[v] -= z * uv[v];
    }
    /* U x = z: x_j = (z_j - Σ_{c>j} U_jc x_c) / U_jj. */
    for (int j = k - 1; j >= 0; j--) {
        const double *Uj = U + (size_t)j * (size_t)ld;
        double s = 0.0;
        int c = j + 1;
        for (; c < kend && c % KVD; c++)
            s += Uj[c] * b[c];
        VD acc = (VD){0};
        const VD *bv = (const VD *)(const void *)b;
        const VD *uv = (const VD *)(const void *)Uj;
        for (int v = c / KVD; v < kend / KVD; v++)
            acc += uv[v] * bv[v];
        s += KFN(hsum_d)(acc);
        b[j] = (b[j] - s) / Uj[j];
    }
}

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

static const als_kernel_table KFN(table) = {
    .isa = KISA,
    .name = KSTR(KSFX),
    .vlen = KV,
    .gram = KFN(gram),
    .gram_npasses = KFN(gram_npasses),
    .gram_pass = KFN(gram_pass),
    .gemv_t = KFN(gemv_t),
    .cmatvec = KFN(cmatvec),
    .symv = KFN(symv),
    .cholesky = KFN(cholesky),
    .chol_solve = KFN(chol_solve),
    .gather = KFN(gather),
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
