/* als_kernels — the solver's inner kernels (private to the solver, its tests and benchmark).
 *
 * Every kernel exists in up to three variants compiled from one template (als_kernels_tmpl.h):
 * "generic" (portable C with GCC vector extensions, whatever the baseline ISA is), "avx2"
 * (AVX2 + FMA) and "avx512" (AVX-512F/VL/DQ).  The variant is chosen at run time from the CPU
 * (als_kernels_select); the generic one is always available and tested.  Results of different
 * variants agree to float rounding only (FMA contraction, vector widths); for one variant they
 * are bitwise reproducible and independent of threads.
 *
 * Layout shared by all kernels: a block of n factor rows is stored with a leading dimension
 * ld = als_kernels_ld(k) floats (a multiple of 16, rows 64-byte aligned), the columns k..ld-1
 * being zero.  Square matrices are ld × ld doubles, row-major, 64-byte aligned; only the upper
 * triangle (a ≤ b < k) is meaningful.
 *
 * Precision: products are accumulated in float over chunks of at most ALS_KCHUNK rows, and each
 * chunk's sums are added into the double result; everything downstream (Cholesky, CG state,
 * right-hand sides) is double. */
#ifndef ALS_KERNELS_H
#define ALS_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALS_KCHUNK 128   /* rows per float accumulation chunk */
#define ALS_BATCH_MAXK 64 /* largest order solved 8 systems at a time (chol_batch) */

typedef enum { ALS_ISA_AUTO = 0, ALS_ISA_GENERIC, ALS_ISA_AVX2, ALS_ISA_AVX512 } als_isa;

static inline int als_kernels_ld(int k) { return (k + 15) / 16 * 16; }

typedef struct {
    als_isa isa;
    const char *name;
    int vlen; /* floats per vector */
    /* C (=, or += when acc) Σ_{i<n} W_i[a] · Y_i[b] for a ≤ b < k (upper triangle, plus some
     * entries below the diagonal that callers ignore, and zeros in the padding columns up to the
     * next multiple of vlen/2).  The sum must be symmetric (W = Y, or W_i = c_i Y_i): part of the
     * upper triangle may be computed as lower-triangle entries and mirrored. */
    void (*gram)(int k, int ld, size_t n, const float *W, const float *Y, double *C, bool acc);
    /* The gram as independent passes (each writes a disjoint part of C), for parallelising one
     * big Gram matrix deterministically: gram = all passes 0..gram_npasses(k)-1, then
     * gram_finish (which completes the upper triangle by symmetry; W·Yᵀ must be symmetric). */
    int (*gram_npasses)(int k);
    void (*gram_pass)(int k, int ld, size_t n, const float *W, const float *Y, double *C, int pass, bool acc);
    void (*gram_finish)(int k, int ld, double *C);
    /* b[0..ld) (=, or += when acc) Σ_{i<n} t_i · Y_i  (b's columns ≥ k receive zeros). */
    void (*gemv_t)(int k, int ld, size_t n, const float *Y, const float *t, double *b, bool acc);
    /* q[0..ld) (=, or += when acc) Σ_{i<n} c_i (Y_i · p) Y_i, with p: ld floats (zero padded). */
    void (*cmatvec)(int k, int ld, size_t n, const float *Y, const float *c, const float *p, double *q, bool acc);
    /* q[0..ld) = A p + shift·p for a symmetric A stored in full (both triangles, ld stride, zero
     * padding columns), p double and zero padded to ld. */
    void (*symv)(int k, int ld, const double *A, const double *p, double shift, double *q);
    /* In-place square-root-free Cholesky of the upper triangle (row-major, ld stride): A = Wᵀ D⁻¹ W
     * with d_j = W[j][j], i.e. U = D^{-1/2} W is the Cholesky factor.  Fails (false) when a pivot
     * is not > rtol × the original diagonal entry (or not finite).  diag: ld doubles; on success it
     * holds 1/d_j (0 past k) for chol_solve.  Rows k..ld-1 of A must be finite (zero). */
    bool (*cholesky)(double *A, int ld, int k, double rtol, double *diag);
    /* Solve A x = b in place from those factors; b is ld doubles with b[k..ld) zero. */
    void (*chol_solve)(const double *W, int ld, int k, const double *rdiag, double *b);
    /* Eight SPD systems of order k ≤ ALS_BATCH_MAXK at once, one per vector lane: element (a, c)
     * of system s at B[(a·kp + c)·8 + s] (a ≤ c < k read; kp ≥ k), right-hand side X[j·8 + s],
     * overwritten by the solution.  Square-root-free Cholesky as above, pivots checked per lane
     * (bad[s] = 1 and a zero solution when system s fails).  A lane's result does not depend on
     * the other lanes. */
    void (*chol_batch)(double *B, int k, int kp, double *X, double rtol, unsigned char *bad);
    /* Fill B (chol_batch layout, kp ≥ ⌈k/8⌉·8 columns per row) from eight row-major matrices at
     * C + s·cstride (stride ld ≥ ⌈k/8⌉·8; rows < k, from the 8-column block holding the diagonal;
     * 64-byte aligned).  Entries left of the diagonal inside that block are copied too. */
    void (*batch_pack)(const double *C, size_t cstride, int ld, int k, int kp, double *B);
    /* x·y over k floats (unaligned), products exact in double, summed in a fixed order. */
    double (*dot)(const float *x, const float *y, int k);
    /* Σ_e (val[e] − (off + ib[idx[e]] + x·Y_{idx[e]}))² with Y rows of k floats (ib may be NULL);
     * each prediction computed exactly like dot. */
    double (*sse_row)(const float *x, const float *Y, int k, const uint32_t *idx, const float *val, size_t n,
                      double off, const float *ib);
    /* G_i = Y_{idx[i]} (whole ld-long rows) for i < m. */
    void (*gather)(int ld, size_t m, const uint32_t *idx, const float *Y, float *G);
    /* W_i = c_i · G_i for i < m. */
    void (*scale_rows)(int ld, size_t m, const float *G, const float *c, float *W);
} als_kernel_table;

/* Choose the variant (ALS_ISA_AUTO: the best the CPU supports; an unsupported request falls back
 * to the best supported one below it).  Returns the variant now in effect.  The choice is stored
 * atomically, but switching while a training runs makes that training mix variants: tests and
 * benchmarks call it before training. */
als_isa als_kernels_select(als_isa want);
/* The variant in effect (selecting AUTO on first use; safe to call from several threads). */
const als_kernel_table *als_kernels(void);
/* A specific variant, or NULL when this CPU cannot run it. */
const als_kernel_table *als_kernels_get(als_isa isa);

/* The naive reference: C[a][b] = Σ_i W_i[a] Y_i[b] for a ≤ b < k in plain double loops (for the
 * tests and the benchmark's speed-up figure). */
void als_gram_naive(int k, int ld, size_t n, const float *W, const float *Y, double *C, bool acc);

/* Load nb ≤ 8 systems for chol_batch (the ALS solver's and the BPMF sampler's batches): matrix s
 * at C + s·cstride (row-major, stride ld, upper triangle of order k read) and right-hand side s at
 * b + s·bstride go to lane s of B (kp columns a row) and X; the free lanes s ≥ nb get identity
 * systems and zero right-hand sides. */
void als_kernels_batch_load(const als_kernel_table *kt, const double *C, size_t cstride, const double *b,
                            size_t bstride, int ld, int k, int kp, int nb, double *B, double *X);

/* 64-byte aligned allocation rounded up to whole cache lines, zero filled; free with free(). */
void *als_kernels_alloc(size_t bytes);

#endif
