/* als_dpals — data-parallel ALS over MPI (docs/scale-dataparallel.md): the block split, the
 * receive/send lists (Spark's InBlock/OutBlock), the factor exchange (lists or all-gather), the
 * fixed-order Gram reduction and the final gather.  The rows themselves are solved by the solver's
 * engine (als_rowsolver), never by a copy of it.  Without MPI only the pure helpers work. */
#include "config.h"

#include "als_dpals.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "als_kernels.h"
#include "als_mpi.h"
#include "als_util.h"

#ifdef HAVE_MPI
#include <mpi.h>
#endif

/* ---- pure helpers (no MPI) --------------------------------------------------------------- */

void als_dpals_split(const als_csr *R, int P, uint32_t align, int kk, uint32_t *bounds)
{
    const double k2 = (double)kk * kk, k3 = k2 * kk / 4.0;
    double total = 0.0;
    for (uint32_t r = 0; r < R->nrows; r++)
        total += (double)als_csr_rowlen(R, r) * k2 + k3;
    if (align < 1)
        align = 1;
    bounds[0] = 0;
    double acc = 0.0;
    uint32_t r = 0;
    for (int b = 1; b < P; b++) {
        const double want = total * (double)b / (double)P;
        while (r < R->nrows && acc < want) {
            acc += (double)als_csr_rowlen(R, r) * k2 + k3;
            r++;
        }
        /* round the boundary to the nearest multiple of align (never backwards) */
        uint64_t q = ((uint64_t)r + align / 2) / align * align;
        if (q > R->nrows)
            q = R->nrows;
        if (q < bounds[b - 1])
            q = bounds[b - 1];
        bounds[b] = (uint32_t)q;
        /* the walk continues from the rounded boundary */
        while (r < q) {
            acc += (double)als_csr_rowlen(R, r) * k2 + k3;
            r++;
        }
        while (r > q) {
            r--;
            acc -= (double)als_csr_rowlen(R, r) * k2 + k3;
        }
    }
    bounds[P] = R->nrows;
}

size_t als_dpals_needed(const als_csr *R_loc, const uint32_t *bounds, int P, uint32_t *needed, size_t *first)
{
    unsigned char *mark = calloc(R_loc->ncols ? R_loc->ncols : 1, 1);
    size_t n = 0;
    if (mark) {
        for (size_t e = 0; e < R_loc->nnz; e++)
            mark[R_loc->idx[e]] = 1;
        for (uint32_t c = 0; c < R_loc->ncols; c++)
            if (mark[c])
                needed[n++] = c;
        free(mark);
    } else {
        /* no memory for the marks: a quadratic-free fallback is not worth it here; report none */
        n = 0;
    }
    size_t j = 0;
    for (int s = 0; s <= P; s++) {
        while (s < P && j < n && needed[j] < bounds[s])
            j++;
        first[s] = s == P ? n : j;
    }
    return n;
}

#ifndef HAVE_MPI

static als_status no_mpi(als_diag *d)
{
    return als_diag_set(d, ALS_E_USAGE, "", 0, 0,
                        "data-parallel training needs MPI, but alstune was built without MPI "
                        "(install libopenmpi-dev openmpi-bin and configure --with-mpi=yes)");
}

als_status als_dpals_stats_gather(const als_dpals_stats *mine, als_dpals_stats *all, als_diag *d)
{
    (void)mine, (void)all;
    return no_mpi(d);
}

als_status als_dpals_agree(als_status st, als_diag *d)
{
    (void)d;
    return st;
}

als_status als_dpals_train(als_model *m, const als_params *p, const als_csr *by_user, const als_csr *by_item,
                           als_dpals_exchange mode, als_dpals_iter_cb cb, void *ctx, als_dpals_stats *stats,
                           als_diag *d)
{
    (void)m, (void)p, (void)by_user, (void)by_item, (void)mode, (void)cb, (void)ctx;
    memset(stats, 0, sizeof *stats);
    return no_mpi(d);
}

#else /* HAVE_MPI */


/* One side's rows on this rank and the neighbour table they read. */
typedef struct {
    uint32_t r0, r1;         /* this rank's rows of the side: [r0, r1) */
    als_csr R;               /* their ratings; columns index Y */
    als_dpals_exchange mode; /* how Y is filled */
    uint32_t ny;             /* rows of Y */
    float *Y, *yb;           /* neighbour factors (ld-padded) and biases (bias models) */
    int *scount, *sdispl, *rcount, *rdispl; /* lists: floats to/from each rank; all-gather: rcount/rdispl */
    uint32_t *sendidx;       /* lists: offsets into the other side's own table, grouped by destination */
    size_t nsend;
    float *sbuf, *rbuf;
} dp_side;

typedef struct {
    const als_params *p;
    int rank, P, k, kk, ld, nthreads;
    uint32_t *bounds[2];     /* P + 1 each: users, items */
    float *X[2];             /* own rows, ld-padded: users, items */
    float *xb[2];            /* own biases */
    dp_side s[2];            /* side 0: users (read items); side 1: items (read users) */
    MPI_Comm comm;           /* a duplicate of MPI_COMM_WORLD */
    double *part, *scratch;  /* implicit: Gram partials per chunk, per-thread ld × ld scratch */
    size_t npart_cap;
    als_dpals_stats *st;
} dp_state;

static void side_free(dp_side *s)
{
    free(s->R.ptr);
    free(s->R.idx);
    free(s->R.val);
    free(s->Y);
    free(s->yb);
    free(s->scount);
    free(s->sdispl);
    free(s->rcount);
    free(s->rdispl);
    free(s->sendidx);
    free(s->sbuf);
    free(s->rbuf);
    memset(s, 0, sizeof *s);
}

/* The lowest failing rank's status and message, on every rank of comm (ALS_OK when none failed). */
static als_status agree_on(MPI_Comm comm, als_status st, als_diag *d)
{
    int rank = 0, P = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    int mine = st ? rank : P, low = P;
    MPI_Allreduce(&mine, &low, 1, MPI_INT, MPI_MIN, comm);
    if (low == P)
        return ALS_OK;
    int code = (int)st;
    MPI_Bcast(&code, 1, MPI_INT, low, comm);
    MPI_Bcast(d, (int)sizeof *d, MPI_BYTE, low, comm);
    return (als_status)code;
}

static als_status agree(const dp_state *S, als_status st, als_diag *d)
{
    return agree_on(S->comm, st, d);
}

als_status als_dpals_agree(als_status st, als_diag *d)
{
    return agree_on(MPI_COMM_WORLD, st, d);
}

/* Side t's block on this rank: its rows of R (global columns), its receive lists and the mode. */
static als_status side_setup(dp_state *S, int t, const als_csr *R, als_dpals_exchange want, als_diag *d)
{
    dp_side *s = &S->s[t];
    const int P = S->P, me = S->rank;
    const uint32_t *ob = S->bounds[1 - t]; /* the other side's blocks */
    s->r0 = S->bounds[t][me];
    s->r1 = S->bounds[t][me + 1];
    const size_t e0 = R->ptr[s->r0], nnz = R->ptr[s->r1] - e0;
    const uint32_t nr = s->r1 - s->r0, ncols = R->ncols;
    s->R.nrows = nr;
    s->R.ncols = ncols;
    s->R.nnz = nnz;
    s->R.ptr = malloc(((size_t)nr + 1) * sizeof *s->R.ptr);
    s->R.idx = malloc((nnz ? nnz : 1) * sizeof *s->R.idx);
    s->R.val = malloc((nnz ? nnz : 1) * sizeof *s->R.val);
    uint32_t *needed = malloc(((size_t)ncols + 1) * sizeof *needed);
    size_t *first = malloc(((size_t)P + 1) * sizeof *first);
    uint32_t *map = NULL;
    long long sums[2] = {0, 0}, tot[2] = {0, 0};
    if (!s->R.ptr || !s->R.idx || !s->R.val || !needed || !first)
        goto nomem;
    for (uint32_t r = 0; r <= nr; r++)
        s->R.ptr[r] = R->ptr[s->r0 + r] - e0;
    memcpy(s->R.idx, R->idx + e0, nnz * sizeof *s->R.idx);
    memcpy(s->R.val, R->val + e0, nnz * sizeof *s->R.val);
    const size_t nneed = als_dpals_needed(&s->R, ob, P, needed, first);
    const uint32_t own_other = ob[me + 1] - ob[me];
    S->st->list_rows[1 - t] = nneed - (first[me + 1] - first[me]);
    S->st->gather_rows[1 - t] = ncols - own_other;
    sums[0] = (long long)S->st->list_rows[1 - t];
    sums[1] = (long long)S->st->gather_rows[1 - t];
    MPI_Allreduce(sums, tot, 2, MPI_LONG_LONG, MPI_SUM, S->comm);
    s->mode = want != ALS_DPALS_AUTO ? want
              : (double)tot[0] < ALS_DPALS_LIST_FRACTION * (double)tot[1] ? ALS_DPALS_LISTS
                                                                             : ALS_DPALS_ALLGATHER;
    S->st->exchange[1 - t] = s->mode;
    if ((size_t)ncols * (size_t)S->kk > (size_t)INT_MAX) {
        free(needed);
        free(first);
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "%u rows of %d floats exceed MPI's int counts: too large for --mpi", ncols, S->kk);
    }
    s->rcount = calloc((size_t)P + 1, sizeof(int));
    s->rdispl = calloc((size_t)P + 1, sizeof(int));
    if (!s->rcount || !s->rdispl)
        goto nomem;
    if (s->mode == ALS_DPALS_ALLGATHER) {
        s->ny = ncols;
        for (int q = 0; q < P; q++) {
            s->rcount[q] = (int)((ob[q + 1] - ob[q]) * (uint32_t)S->kk);
            s->rdispl[q] = (int)(ob[q] * (uint32_t)S->kk);
        }
        s->rbuf = malloc(((size_t)ncols * (size_t)S->kk + 1) * sizeof(float));
        if (!s->rbuf)
            goto nomem;
    } else {
        /* Compact columns: needed[j] → j (monotone, so the order inside each row is kept). */
        s->ny = (uint32_t)nneed;
        map = malloc(((size_t)ncols + 1) * sizeof *map);
        int *rrows = calloc((size_t)P + 1, sizeof(int)), *srows = calloc((size_t)P + 1, sizeof(int));
        int *sd = calloc((size_t)P + 1, sizeof(int));
        s->scount = calloc((size_t)P + 1, sizeof(int));
        s->sdispl = calloc((size_t)P + 1, sizeof(int));
        if (!map || !rrows || !srows || !sd || !s->scount || !s->sdispl) {
            free(rrows);
            free(srows);
            free(sd);
            goto nomem;
        }
        for (size_t j = 0; j < nneed; j++)
            map[needed[j]] = (uint32_t)j;
        for (size_t e = 0; e < nnz; e++)
            s->R.idx[e] = map[s->R.idx[e]];
        s->R.ncols = (uint32_t)nneed;
        for (int q = 0; q < P; q++)
            rrows[q] = (int)(first[q + 1] - first[q]);
        MPI_Alltoall(rrows, 1, MPI_INT, srows, 1, MPI_INT, S->comm);
        size_t ns = 0;
        for (int q = 0; q < P; q++) {
            sd[q] = (int)ns;
            ns += (size_t)srows[q];
        }
        s->nsend = ns;
        if (ns * (size_t)S->kk > (size_t)INT_MAX) {
            free(rrows);
            free(srows);
            free(sd);
            free(map);
            free(needed);
            free(first);
            return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                                "%zu rows of %d floats to send exceed MPI's int counts: too large for --mpi", ns,
                                S->kk);
        }
        s->sendidx = malloc((ns ? ns : 1) * sizeof *s->sendidx);
        int *rd = calloc((size_t)P + 1, sizeof(int));
        if (!s->sendidx || !rd) {
            free(rrows);
            free(srows);
            free(sd);
            free(rd);
            goto nomem;
        }
        for (int q = 0; q < P; q++)
            rd[q] = (int)first[q];
        /* The OutBlock: each owner learns which of its rows every other rank needs. */
        MPI_Alltoallv(needed, rrows, rd, MPI_UINT32_T, s->sendidx, srows, sd, MPI_UINT32_T, S->comm);
        for (size_t j = 0; j < ns; j++)
            s->sendidx[j] -= ob[me];
        for (int q = 0; q < P; q++) {
            s->scount[q] = srows[q] * S->kk;
            s->sdispl[q] = sd[q] * S->kk;
            s->rcount[q] = rrows[q] * S->kk;
            s->rdispl[q] = rd[q] * S->kk;
        }
        free(rrows);
        free(srows);
        free(sd);
        free(rd);
        s->sbuf = malloc((ns * (size_t)S->kk + 1) * sizeof(float));
        s->rbuf = malloc((nneed * (size_t)S->kk + 1) * sizeof(float));
        if (!s->sbuf || !s->rbuf)
            goto nomem;
    }
    if (s->mode == ALS_DPALS_ALLGATHER) {
        s->sbuf = malloc(((size_t)own_other * (size_t)S->kk + 1) * sizeof(float));
        if (!s->sbuf)
            goto nomem;
    }
    s->Y = als_kernels_alloc(((size_t)s->ny + 1) * (size_t)S->ld * sizeof(float));
    if (S->p->bias)
        s->yb = calloc((size_t)s->ny + 1, sizeof(float));
    if (!s->Y || (S->p->bias && !s->yb))
        goto nomem;
    free(map);
    free(needed);
    free(first);
    return ALS_OK;
nomem:
    free(map);
    free(needed);
    free(first);
    return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the data-parallel blocks of the %s",
                        t ? "items" : "users");
}

/* Fill side t's neighbour table from the other side's own rows (X[1-t], xb[1-t]). */
static void exchange(dp_state *S, int t)
{
    dp_side *s = &S->s[t];
    const int o = 1 - t, k = S->k, kk = S->kk, me = S->rank, P = S->P;
    const size_t L = (size_t)S->ld, KK = (size_t)kk;
    const float *Xo = S->X[o], *xbo = S->xb[o];
    const uint32_t own = S->bounds[o][me + 1] - S->bounds[o][me];
    double t0 = als_now();
    uint64_t sent = 0, recv = 0;
    if (s->mode == ALS_DPALS_ALLGATHER) {
        for (uint32_t r = 0; r < own; r++) {
            memcpy(s->sbuf + r * KK, Xo + r * L, (size_t)k * sizeof(float));
            if (kk > k)
                s->sbuf[r * KK + (size_t)k] = xbo[r];
        }
        MPI_Allgatherv(s->sbuf, (int)(own * KK), MPI_FLOAT, s->rbuf, s->rcount, s->rdispl, MPI_FLOAT, S->comm);
        sent = (uint64_t)own * KK * sizeof(float) * (uint64_t)(P - 1);
        recv = (uint64_t)(s->ny - own) * KK * sizeof(float);
    } else {
        for (size_t j = 0; j < s->nsend; j++) {
            const uint32_t r = s->sendidx[j];
            memcpy(s->sbuf + j * KK, Xo + r * L, (size_t)k * sizeof(float));
            if (kk > k)
                s->sbuf[j * KK + (size_t)k] = xbo[r];
        }
        MPI_Alltoallv(s->sbuf, s->scount, s->sdispl, MPI_FLOAT, s->rbuf, s->rcount, s->rdispl, MPI_FLOAT,
                      S->comm);
        for (int q = 0; q < P; q++)
            if (q != me) {
                sent += (uint64_t)s->scount[q] * sizeof(float);
                recv += (uint64_t)s->rcount[q] * sizeof(float);
            }
    }
    S->st->comm_seconds += als_now() - t0;
    S->st->bytes_sent += sent;
    S->st->bytes_recv += recv;
    for (uint32_t j = 0; j < s->ny; j++) {
        memcpy(s->Y + j * L, s->rbuf + j * KK, (size_t)k * sizeof(float));
        if (kk > k)
            s->yb[j] = s->rbuf[j * KK + (size_t)k];
    }
}

/* The Gram matrix of the other side's whole table, bitwise as compute_yty in als_solver.c: the
 * single-process kernel adds one double per 128-row chunk, in chunk order.  Each rank computes its
 * chunks' contributions (its block starts on a chunk boundary), then the running sum passes from
 * rank 0 to rank P-1 (adding in chunk order) and the last rank broadcasts it. */
static als_status gram_chain(dp_state *S, int t, als_rowsolver *RS, als_diag *d)
{
    const int o = 1 - t, k = S->k, ld = S->ld, me = S->rank, P = S->P;
    const size_t L = (size_t)ld, nup = (size_t)k * (size_t)(k + 1) / 2;
    const uint32_t own = S->bounds[o][me + 1] - S->bounds[o][me];
    const size_t nch = (own + ALS_KCHUNK - 1) / ALS_KCHUNK;
    const als_kernel_table *kt = als_kernels();
    if (nch > S->npart_cap) {
        free(S->part);
        S->part = malloc(nch * nup * sizeof(double));
        S->npart_cap = S->part ? nch : 0;
        if (!S->part)
            return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the Gram partials");
    }
    const float *Xo = S->X[o];
    const int nt = S->nthreads < (int)nch ? S->nthreads : (int)(nch ? nch : 1);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
    for (size_t c = 0; c < nch; c++) {
        double *C = S->scratch + (size_t)omp_get_thread_num() * L * L;
        const size_t r0 = c * ALS_KCHUNK, m = own - r0 < ALS_KCHUNK ? own - r0 : ALS_KCHUNK;
        kt->gram(k, ld, m, Xo + r0 * L, Xo + r0 * L, C, false);
        double *out = S->part + c * nup;
        for (int a = 0; a < k; a++)
            for (int b = a; b < k; b++)
                *out++ = C[(size_t)a * L + (size_t)b];
    }
    double *acc = S->scratch; /* nup values and a flag: has any chunk been added yet */
    memset(acc, 0, (nup + 1) * sizeof(double));
    double t0 = als_now();
    if (me > 0)
        MPI_Recv(acc, (int)(nup + 1), MPI_DOUBLE, me - 1, 7, S->comm, MPI_STATUS_IGNORE);
    for (size_t c = 0; c < nch; c++) {
        const double *pc = S->part + c * nup;
        if (acc[nup] == 0.0) {
            memcpy(acc, pc, nup * sizeof(double)); /* the kernel's first chunk is stored, not added */
            acc[nup] = 1.0;
        } else {
            for (size_t j = 0; j < nup; j++)
                acc[j] += pc[j];
        }
    }
    if (me < P - 1)
        MPI_Send(acc, (int)(nup + 1), MPI_DOUBLE, me + 1, 7, S->comm);
    MPI_Bcast(acc, (int)(nup + 1), MPI_DOUBLE, P - 1, S->comm);
    S->st->comm_seconds += als_now() - t0;
    const uint64_t msg = (uint64_t)(nup + 1) * sizeof(double);
    S->st->bytes_sent += (me < P - 1 ? msg : 0) + (me == P - 1 ? msg * (uint64_t)(P - 1) : 0);
    S->st->bytes_recv += (me > 0 ? msg : 0) + (me < P - 1 ? msg : 0);
    als_rowsolver_set_gram(RS, acc);
    return ALS_OK;
}

/* Rank 0 collects every block's rows of one side into the model's (unpadded) arrays. */
static als_status gather_side(dp_state *S, int t, float *out, float *outb, als_diag *d)
{
    const int P = S->P, me = S->rank, k = S->k;
    const uint32_t *b = S->bounds[t];
    const uint32_t own = b[me + 1] - b[me];
    int *cnt = calloc((size_t)P + 1, sizeof(int)), *dsp = calloc((size_t)P + 1, sizeof(int));
    float *buf = malloc(((size_t)own * (size_t)k + 1) * sizeof(float));
    if (!cnt || !dsp || !buf) {
        free(cnt);
        free(dsp);
        free(buf);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory gathering the factors");
    }
    for (int q = 0; q < P; q++) {
        cnt[q] = (int)((b[q + 1] - b[q]) * (uint32_t)k);
        dsp[q] = (int)(b[q] * (uint32_t)k);
    }
    for (uint32_t r = 0; r < own; r++)
        memcpy(buf + (size_t)r * (size_t)k, S->X[t] + (size_t)r * (size_t)S->ld, (size_t)k * sizeof(float));
    MPI_Gatherv(buf, (int)(own * (uint32_t)k), MPI_FLOAT, out, cnt, dsp, MPI_FLOAT, 0, S->comm);
    if (outb) {
        for (int q = 0; q < P; q++) {
            cnt[q] = (int)(b[q + 1] - b[q]);
            dsp[q] = (int)b[q];
        }
        MPI_Gatherv(S->xb[t], (int)own, MPI_FLOAT, outb, cnt, dsp, MPI_FLOAT, 0, S->comm);
    }
    free(cnt);
    free(dsp);
    free(buf);
    return ALS_OK;
}

als_status als_dpals_train(als_model *m, const als_params *p, const als_csr *by_user, const als_csr *by_item,
                           als_dpals_exchange mode, als_dpals_iter_cb cb, void *ctx, als_dpals_stats *stats,
                           als_diag *d)
{
    memset(stats, 0, sizeof *stats);
    if (!als_mpi_active())
        return als_diag_set(d, ALS_E_USAGE, "", 0, 0, "data-parallel training: MPI is not initialised");
    dp_state S;
    memset(&S, 0, sizeof S);
    als_rowsolver *RS = NULL;
    /* a communicator of our own: no tag or ordering clash with messages of the caller (tune's
     * job dealer) on MPI_COMM_WORLD */
    MPI_Comm_dup(MPI_COMM_WORLD, &S.comm);
    MPI_Comm_rank(S.comm, &S.rank);
    MPI_Comm_size(S.comm, &S.P);
    stats->rank = S.rank;
    stats->nranks = S.P;
    S.st = stats;
    S.p = p;
    S.k = p->rank;
    S.kk = p->rank + (p->bias ? 1 : 0);
    S.ld = als_kernels_ld(S.kk);
    S.nthreads = p->threads > 0 ? p->threads : omp_get_max_threads();
    const size_t L = (size_t)S.ld, K = (size_t)S.k;
    double t0 = als_now();
    als_status st = als_params_check(p, d);
    if (!st && (m->rank != p->rank || by_user->nrows != m->nusers || by_item->nrows != m->nitems ||
                (p->bias && !m->has_bias)))
        st = als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "data-parallel training: the model does not match the data");
    if ((st = agree(&S, st, d)) || p->maxIter == 0)
        goto out;

    st = ALS_E_NOMEM;
    S.bounds[0] = malloc(((size_t)S.P + 1) * sizeof(uint32_t));
    S.bounds[1] = malloc(((size_t)S.P + 1) * sizeof(uint32_t));
    if (!S.bounds[0] || !S.bounds[1]) {
        als_diag_set(d, st, "", 0, 0, "out of memory for the block bounds");
        goto setup_done;
    }
    /* Only the implicit Gram chain needs chunk-aligned blocks; explicit rows split anywhere, which
     * balances better when a few rows (popular movies) are heavy. */
    const uint32_t align = p->implicitPrefs ? ALS_DPALS_ALIGN : 1;
    als_dpals_split(by_user, S.P, align, S.kk, S.bounds[0]);
    als_dpals_split(by_item, S.P, align, S.kk, S.bounds[1]);
    st = ALS_OK;
    for (int t = 0; t < 2 && !st; t++) {
        const float *src = t ? m->V : m->U;
        const float *srcb = t ? m->ibias : m->ubias;
        const uint32_t r0 = S.bounds[t][S.rank], nr = S.bounds[t][S.rank + 1] - r0;
        S.X[t] = als_kernels_alloc(((size_t)nr + 1) * L * sizeof(float));
        S.xb[t] = calloc((size_t)nr + 1, sizeof(float));
        if (!S.X[t] || !S.xb[t]) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the local factor tables");
            break;
        }
        /* Spark's init, as als_train's copy_in: rows without ratings are zero */
        const als_csr *R = t ? by_item : by_user;
        for (uint32_t r = 0; r < nr; r++) {
            if (als_csr_rowlen(R, r0 + r) > 0)
                memcpy(S.X[t] + r * L, src + (size_t)(r0 + r) * K, K * sizeof(float));
            if (srcb)
                S.xb[t][r] = srcb[r0 + r];
        }
        st = side_setup(&S, t, R, mode, d);
    }
    if (!st)
        st = als_rowsolver_new(&RS, p, m->mu, &S.s[0].R, &S.s[1].R, d);
    if (!st && p->implicitPrefs) {
        S.scratch = als_kernels_alloc((size_t)S.nthreads * L * L * sizeof(double) + (L * L + 1) * sizeof(double));
        if (!S.scratch)
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the Gram scratch");
    }
setup_done:
    if ((st = agree(&S, st, d)))
        goto out;
    for (int t = 0; t < 2; t++) {
        stats->local_bytes += S.s[t].R.nnz * (sizeof(uint32_t) + sizeof(float)) +
                              ((size_t)S.s[t].R.nrows + 1) * sizeof(size_t);
        stats->local_bytes += ((size_t)S.s[t].r1 - S.s[t].r0) * (L + 1) * sizeof(float);
        stats->local_bytes += (size_t)S.s[t].ny * (L + 1) * sizeof(float);
        stats->local_bytes += (S.s[t].nsend + (size_t)S.s[t].ny) * (size_t)S.kk * sizeof(float);
    }
    stats->setup_seconds = als_now() - t0;

    const double t1 = als_now();
    for (int it = 1; it <= p->maxIter; it++) {
        /* items given the users, then users given the items, as als_train */
        for (int t = 1; t >= 0; t--) {
            exchange(&S, t);
            st = p->implicitPrefs ? gram_chain(&S, t, RS, d) : ALS_OK;
            if (!st)
                st = als_rowsolver_solve(RS, &S.s[t].R, t, S.s[t].Y, p->bias ? S.s[t].yb : NULL, S.X[t],
                                         p->bias ? S.xb[t] : NULL, S.s[t].r0, it, d);
            double ta = als_now();
            st = agree(&S, st, d);
            stats->comm_seconds += als_now() - ta;
            if (st)
                goto out;
        }
        stats->iters = it;
        stats->seconds = als_now() - t1;
        int stop = 0;
        if (S.rank == 0 && cb)
            stop = cb(it, stats, ctx);
        MPI_Bcast(&stop, 1, MPI_INT, 0, S.comm);
        if (stop)
            break;
    }
    stats->seconds = als_now() - t1;
    st = gather_side(&S, 0, m->U, p->bias ? m->ubias : NULL, d);
    if (!st)
        st = gather_side(&S, 1, m->V, p->bias ? m->ibias : NULL, d);
    st = agree(&S, st, d);
out:;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        stats->maxrss_kb = ru.ru_maxrss;
    als_rowsolver_free(RS);
    for (int t = 0; t < 2; t++) {
        side_free(&S.s[t]);
        free(S.X[t]);
        free(S.xb[t]);
        free(S.bounds[t]);
    }
    free(S.part);
    free(S.scratch);
    MPI_Comm_free(&S.comm);
    return st;
}

als_status als_dpals_stats_gather(const als_dpals_stats *mine, als_dpals_stats *all, als_diag *d)
{
    (void)d;
    MPI_Gather(mine, (int)sizeof *mine, MPI_BYTE, all, (int)sizeof *mine, MPI_BYTE, 0, MPI_COMM_WORLD);
    return ALS_OK;
}

#endif /* HAVE_MPI */
