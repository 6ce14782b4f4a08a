/* als_sparse — compressed sparse rows of a ratings subset, by user and by item.
 *
 * Built once per fold and shared read-only by every job that trains on it.  Within a row the
 * entries keep the order of the input subset (a stable counting sort), so results never depend
 * on threads. */
#ifndef ALS_SPARSE_H
#define ALS_SPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "als_error.h"

typedef struct {
    uint32_t nrows, ncols;
    size_t nnz;
    size_t *ptr;     /* nrows + 1 offsets */
    uint32_t *idx;   /* column index per entry */
    float *val;      /* value per entry */
} als_csr;

/* Build the CSR of the entries (row[e], col[e], val[e]) for e in subset[0..nsub) (or for
 * e in 0..n when subset is NULL; nsub is then n).  Returns ALS_E_NOMEM on failure. */
als_status als_csr_build(als_csr *m, uint32_t nrows, uint32_t ncols, const uint32_t *row,
                         const uint32_t *col, const float *val, const size_t *subset, size_t nsub);
/* Transpose (by-user → by-item). */
als_status als_csr_transpose(als_csr *t, const als_csr *m);
void als_csr_free(als_csr *m);
static inline uint32_t als_csr_rowlen(const als_csr *m, uint32_t r) { return (uint32_t)(m->ptr[r + 1] - m->ptr[r]); }

#endif
