/* als_kernels — instantiates the kernel template per ISA and picks one at run time.
 *
 * The AVX2 and AVX-512 variants are compiled with GCC target attributes, so the binary stays
 * portable (no -march needed) and runs them only when __builtin_cpu_supports says the CPU can. */
#include "als_kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Sanitizer builds: UBSan's instrumentation of these heavily inlined vector kernels made this file
 * take minutes to compile, so they are checked by ASan only (and by the tests' comparisons with
 * the naive loops). */
#if defined(__SANITIZE_ADDRESS__)
#define KNOUBSAN __attribute__((no_sanitize("undefined")))
#else
#define KNOUBSAN
#endif

#define KV 4
#define KR 4
#define KT 2
#define KSFX generic
#define KATTR KNOUBSAN
#define KISA ALS_ISA_GENERIC
#include "als_kernels_tmpl.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define ALS_HAVE_X86_VARIANTS 1

#define KV 8
#define KR 4
#define KT 3
#define KSFX avx2
#define KATTR __attribute__((target("avx2,fma"))) KNOUBSAN
#define KISA ALS_ISA_AVX2
#include "als_kernels_tmpl.h"

#define KV 16
#define KR 8
#define KT 3
#define KSFX avx512
#define KATTR __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma"))) KNOUBSAN
#define KISA ALS_ISA_AVX512
#include "als_kernels_tmpl.h"
#endif

static const als_kernel_table *current;

const als_kernel_table *als_kernels_get(als_isa isa)
{
    switch (isa) {
    case ALS_ISA_GENERIC:
        return &table_generic;
#ifdef ALS_HAVE_X86_VARIANTS
    case ALS_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &table_avx2 : NULL;
    case ALS_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                       __builtin_cpu_supports("avx512dq")
                   ? &table_avx512
                   : NULL;
#endif
    default:
        return NULL;
    }
}

als_isa als_kernels_select(als_isa want)
{
    if (want == ALS_ISA_AUTO)
        want = ALS_ISA_AVX512;
    const als_kernel_table *t = NULL;
    for (int i = (int)want; i >= (int)ALS_ISA_GENERIC && !t; i--)
        t = als_kernels_get((als_isa)i);
    if (!t)
        t = &table_generic;
    __atomic_store_n(&current, t, __ATOMIC_RELEASE);
    return t->isa;
}

const als_kernel_table *als_kernels(void)
{
    /* The first call may come from several threads at once (als_predict): each computes the same
     * answer and stores it atomically. */
    const als_kernel_table *t = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    if (!t) {
        als_kernels_select(ALS_ISA_AUTO);
        t = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    }
    return t;
}

void als_gram_naive(int k, int ld, size_t n, const float *W, const float *Y, double *C, bool acc)
{
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += (double)W[i * (size_t)ld + (size_t)a] * (double)Y[i * (size_t)ld + (size_t)b];
            double *dst = C + (size_t)a * (size_t)ld + (size_t)b;
            *dst = acc ? *dst + s : s;
        }
}

void als_kernels_batch_load(const als_kernel_table *kt, const double *C, size_t cstride, const double *b,
                            size_t bstride, int ld, int k, int kp, int nb, double *B, double *X)
{
    const size_t kk = (size_t)k, KP = (size_t)kp;
    kt->batch_pack(C, cstride, ld, k, kp, B);
    for (size_t s = 0; s < 8; s++) {
        const bool used = (int)s < nb;
        for (size_t a = 0; a < kk; a++) {
            if (!used)
                for (size_t c = a; c < kk; c++)
                    B[(a * KP + c) * 8 + s] = a == c ? 1.0 : 0.0;
            X[a * 8 + s] = used ? b[s * bstride + a] : 0.0;
        }
    }
}

void *als_kernels_alloc(size_t bytes)
{
    size_t n = (bytes + 63) / 64 * 64;
    if (n == 0)
        n = 64;
    void *p = aligned_alloc(64, n);
    if (p)
        memset(p, 0, n);
    return p;
}
