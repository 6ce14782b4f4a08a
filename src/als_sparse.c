/* als_sparse — CSR construction by stable counting sort. */
#include "als_sparse.h"

#include <stdlib.h>
#include <string.h>

void als_csr_free(als_csr *m)
{
    if (!m)
        return;
    free(m->ptr);
    free(m->idx);
    free(m->val);
    memset(m, 0, sizeof *m);
}

als_status als_csr_build(als_csr *m, uint32_t nrows, uint32_t ncols, const uint32_t *row,
                         const uint32_t *col, const float *val, const size_t *subset, size_t nsub)
{
    memset(m, 0, sizeof *m);
    m->nrows = nrows;
    m->ncols = ncols;
    m->nnz = nsub;
    m->ptr = calloc((size_t)nrows + 1, sizeof *m->ptr);
    m->idx = malloc((nsub ? nsub : 1) * sizeof *m->idx);
    m->val = malloc((nsub ? nsub : 1) * sizeof *m->val);
    size_t *fill = calloc((size_t)nrows + 1, sizeof *fill);
    if (!m->ptr || !m->idx || !m->val || !fill) {
        free(fill);
        als_csr_free(m);
        return ALS_E_NOMEM;
    }
    for (size_t k = 0; k < nsub; k++)
        m->ptr[row[subset ? subset[k] : k] + 1]++;
    for (uint32_t r = 0; r < nrows; r++)
        m->ptr[r + 1] += m->ptr[r];
    memcpy(fill, m->ptr, ((size_t)nrows + 1) * sizeof *fill);
    for (size_t k = 0; k < nsub; k++) {
        size_t e = subset ? subset[k] : k;
        size_t at = fill[row[e]]++;
        m->idx[at] = col[e];
        m->val[at] = val[e];
    }
    free(fill);
    return ALS_OK;
}

als_status als_csr_transpose(als_csr *t, const als_csr *m)
{
    memset(t, 0, sizeof *t);
    t->nrows = m->ncols;
    t->ncols = m->nrows;
    t->nnz = m->nnz;
    t->ptr = calloc((size_t)t->nrows + 1, sizeof *t->ptr);
    t->idx = malloc((m->nnz ? m->nnz : 1) * sizeof *t->idx);
    t->val = malloc((m->nnz ? m->nnz : 1) * sizeof *t->val);
    size_t *fill = calloc((size_t)t->nrows + 1, sizeof *fill);
    if (!t->ptr || !t->idx || !t->val || !fill) {
        free(fill);
        als_csr_free(t);
        return ALS_E_NOMEM;
    }
    for (size_t e = 0; e < m->nnz; e++)
        t->ptr[m->idx[e] + 1]++;
    for (uint32_t r = 0; r < t->nrows; r++)
        t->ptr[r + 1] += t->ptr[r];
    memcpy(fill, t->ptr, ((size_t)t->nrows + 1) * sizeof *fill);
    for (uint32_t r = 0; r < m->nrows; r++)
        for (size_t e = m->ptr[r]; e < m->ptr[r + 1]; e++) {
            size_t at = fill[m->idx[e]]++;
            t->idx[at] = r;
            t->val[at] = m->val[e];
        }
    free(fill);
    return ALS_OK;
}
