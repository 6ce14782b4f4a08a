/* test_dpals — the pure parts of data-parallel ALS (als_dpals): the block split (aligned,
 * covering, monotone, balanced) and the receive lists from which the send lists (Spark's
 * OutBlocks) are exchanged: every needed column once, ascending, grouped by its owner.  The MPI
 * parts are tested end to end by tests/cli/test_dpals.sh under mpirun. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "als_dpals.h"

/* A CSR of n rows over ncols columns: row r has (r·13 mod 29) entries, columns (r + 7j) mod ncols
 * (skewed: the rows past n/2 are 4× longer). */
static als_csr make(uint32_t n, uint32_t ncols)
{
    als_csr R;
    memset(&R, 0, sizeof R);
    R.nrows = n;
    R.ncols = ncols;
    R.ptr = malloc(((size_t)n + 1) * sizeof *R.ptr);
    cr_assert(R.ptr, "malloc");
    size_t e = 0;
    for (uint32_t r = 0; r < n; r++) {
        R.ptr[r] = e;
        size_t len = (r * 13u) % 29u * (r >= n / 2 ? 4u : 1u);
        if (len > ncols)
            len = ncols;
        e += len;
    }
    R.ptr[n] = e;
    R.nnz = e;
    R.idx = malloc((e ? e : 1) * sizeof *R.idx);
    R.val = malloc((e ? e : 1) * sizeof *R.val);
    cr_assert(R.idx && R.val, "malloc");
    for (uint32_t r = 0; r < n; r++)
        for (size_t j = 0; j < R.ptr[r + 1] - R.ptr[r]; j++) {
            R.idx[R.ptr[r] + j] = (uint32_t)((r + 7 * j) % ncols);
            R.val[R.ptr[r] + j] = 1.0f;
        }
    return R;
}

/* The split of R into P blocks with boundaries at multiples of align: covering, monotone, aligned,
 * and no block heavier than the mean plus the rows rounding can move (align rows at each end). */
static void check_split(const als_csr *R, int P, uint32_t align)
{
    uint32_t b[10];
    als_dpals_split(R, P, align, 10, b);
    cr_assert_eq(b[0], 0u, "P=%d align %u starts at %u", P, align, b[0]);
    cr_assert_eq(b[P], R->nrows, "P=%d align %u ends at %u, not %u", P, align, b[P], R->nrows);
    double total = 0, worst = 0;
    for (uint32_t r = 0; r < R->nrows; r++)
        total += (double)als_csr_rowlen(R, r) * 100 + 250;
    for (int s = 0; s < P; s++) {
        cr_assert(b[s] <= b[s + 1], "P=%d bounds not monotone at %d: %u > %u", P, s, b[s], b[s + 1]);
        if (s > 0)
            cr_assert(b[s] % align == 0 || b[s] == R->nrows, "P=%d bound %d = %u not aligned to %u", P, s, b[s],
                      align);
        double w = 0;
        for (uint32_t r = b[s]; r < b[s + 1]; r++)
            w += (double)als_csr_rowlen(R, r) * 100 + 250;
        worst = w > worst ? w : worst;
    }
    double slack = 2.0 * align * (29 * 4 * 100 + 250);
    cr_assert(worst <= total / P + slack, "P=%d align %u heaviest block %g > %g + %g", P, align, worst, total / P,
              slack);
}

Test(dpals, split_aligned_covering_balanced)
{
    als_csr R = make(5000, 300);
    for (int P = 1; P <= 9; P++) {
        check_split(&R, P, ALS_DPALS_ALIGN); /* implicit */
        check_split(&R, P, 1);               /* explicit */
    }
    free(R.ptr), free(R.idx), free(R.val);
}

Test(dpals, split_more_ranks_than_blocks)
{
    als_csr R = make(300, 50); /* 3 aligned blocks of 128 at most */
    uint32_t b[9];
    als_dpals_split(&R, 8, ALS_DPALS_ALIGN, 10, b);
    int nonempty = 0;
    for (int s = 0; s < 8; s++) {
        cr_assert(b[s] <= b[s + 1], "bounds not monotone at %d: %u > %u", s, b[s], b[s + 1]);
        nonempty += b[s + 1] > b[s];
    }
    cr_assert_eq(b[8], 300u, "last bound %u", b[8]);
    cr_assert(nonempty >= 1 && nonempty <= 3, "%d non-empty blocks of 300 rows with alignment 128", nonempty);
    free(R.ptr), free(R.idx), free(R.val);
}

Test(dpals, needed_lists_match_brute_force)
{
    als_csr R = make(700, 1000);
    const int P = 4;
    uint32_t ob[5] = {0, 256, 512, 512, 1000}; /* the other side's blocks, one empty */
    /* the block of rows [128, 384) as a rank would hold it */
    als_csr L = R;
    const uint32_t r0 = 128, r1 = 384;
    L.nrows = r1 - r0;
    L.ptr = malloc(((size_t)L.nrows + 1) * sizeof *L.ptr);
    cr_assert(L.ptr, "malloc");
    for (uint32_t r = 0; r <= L.nrows; r++)
        L.ptr[r] = R.ptr[r0 + r] - R.ptr[r0];
    L.idx = R.idx + R.ptr[r0];
    L.nnz = R.ptr[r1] - R.ptr[r0];
    uint32_t *needed = malloc(R.ncols * sizeof *needed);
    size_t first[5];
    cr_assert(needed, "malloc");
    size_t n = als_dpals_needed(&L, ob, P, needed, first);
    unsigned char *seen = calloc(R.ncols, 1);
    cr_assert(seen, "calloc");
    for (size_t e = 0; e < L.nnz; e++)
        seen[L.idx[e]] = 1;
    size_t want = 0;
    for (uint32_t c = 0; c < R.ncols; c++)
        want += seen[c];
    cr_assert_eq(n, want, "%zu distinct columns, brute force %zu", n, want);
    for (size_t j = 0; j < n; j++) {
        cr_assert(seen[needed[j]], "column %u listed but not used", needed[j]);
        if (j)
            cr_assert(needed[j - 1] < needed[j], "not ascending at %zu: %u, %u", j, needed[j - 1], needed[j]);
    }
    cr_assert_eq(first[0], 0u, "first[0] = %zu", first[0]);
    cr_assert_eq(first[P], n, "first[P] = %zu, not %zu", first[P], n);
    for (int s = 0; s < P; s++)
        for (size_t j = first[s]; j < first[s + 1]; j++)
            cr_assert(needed[j] >= ob[s] && needed[j] < ob[s + 1], "column %u listed for owner %d [%u, %u)",
                      needed[j], s, ob[s], ob[s + 1]);
    cr_assert_eq(first[2], first[3], "the empty block owns nothing: [%zu, %zu)", first[2], first[3]);
    free(seen);
    free(needed);
    free(L.ptr);
    free(R.ptr), free(R.idx), free(R.val);
}

#ifndef HAVE_MPI
Test(dpals, without_mpi_says_so)
{
    als_dpals_stats s;
    memset(&s, 0, sizeof s);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_dpals_stats_gather(&s, &s, &d);
    cr_assert_eq(st, ALS_E_USAGE, "status %d", (int)st);
    cr_assert(strstr(d.msg, "built without MPI"), "message: %s", d.msg);
}
#endif
