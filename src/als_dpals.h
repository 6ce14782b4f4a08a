/* als_dpals — data-parallel ALS over MPI (docs/scale-dataparallel.md).
 *
 * Users and items are split into P contiguous blocks (one per rank, balanced by work; with implicit
 * feedback the boundaries are multiples of ALS_DPALS_ALIGN rows).  Rank r owns the ratings of its user block (by user) and
 * of its item block (by item) and the factors of both blocks.  Before a half-iteration every rank
 * receives the neighbour factor rows its own rows need: either by precomputed send/receive lists
 * (Spark's OutBlock/InBlock; MPI_Alltoallv) or by an all-gather of every block (MPI_Allgatherv),
 * chosen per side from the list volume.  The rows are then solved by the solver's own engine
 * (als_rowsolver), and the implicit Gram matrix YᵀY is reduced over the ranks in the fixed order
 * of the single-process kernel, so the factors are bitwise those of als_train for any rank count.
 *
 * Built without MPI, the entry points return ALS_E_USAGE with "built without MPI". */
#ifndef ALS_DPALS_H
#define ALS_DPALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "als_error.h"
#include "als_solver.h"
#include "als_sparse.h"

/* Implicit feedback: block boundaries are multiples of this many rows, a multiple of the kernels'
 * float chunk (ALS_KCHUNK), so a rank's Gram partials are whole chunks of the single-process sum. */
#define ALS_DPALS_ALIGN 128

typedef enum { ALS_DPALS_AUTO = 0, ALS_DPALS_LISTS, ALS_DPALS_ALLGATHER } als_dpals_exchange;

/* Lists are used when the rows they move are below this fraction of the all-gather's (auto). */
#define ALS_DPALS_LIST_FRACTION 0.8

/* What one rank did (filled on every rank). */
typedef struct {
    int rank, nranks;
    als_dpals_exchange exchange[2]; /* the mode used to send the user table (0) and item table (1) */
    uint64_t list_rows[2];          /* rows this rank would receive from others by lists, per table */
    uint64_t gather_rows[2];        /* ... by the all-gather */
    int iters;                      /* iterations run */
    double seconds;                 /* wall time of the iterations (without setup and final gather) */
    double comm_seconds;            /* of which in MPI calls (waiting for slower ranks included) */
    double setup_seconds;           /* blocks, lists, solver workspaces */
    uint64_t bytes_sent;            /* factor and Gram bytes this rank handed to other ranks, all iterations */
    uint64_t bytes_recv;
    size_t local_bytes;             /* bytes of this rank's ratings blocks and factor tables */
    long maxrss_kb;                 /* peak resident set of this process so far (getrusage) */
} als_dpals_stats;

/* Row boundaries of P blocks over R's rows: bounds[0] = 0 ≤ bounds[1] ≤ … ≤ bounds[P] = nrows,
 * each inner boundary a multiple of align, balancing the per-row work Σ (n_r·kk² + kk³/4) with kk
 * unknowns per row.  bounds: P + 1 entries.  Pure (no MPI): the same on every rank. */
void als_dpals_split(const als_csr *R, int P, uint32_t align, int kk, uint32_t *bounds);

/* The receive lists of one rank: the distinct column ids of its block R_loc (rows of one side,
 * columns = rows of the other side), ascending, and for each owner s (whose rows are
 * [bounds[s], bounds[s+1])) the range [first[s], first[s+1]) of them it owns.  needed: at least
 * R_loc->nnz (or ncols) entries; first: P + 1.  Returns the number of distinct ids.  The send list
 * of rank s to rank r is rank r's needed[first[s] .. first[s+1]). */
size_t als_dpals_needed(const als_csr *R_loc, const uint32_t *bounds, int P, uint32_t *needed, size_t *first);

/* Train over MPI_COMM_WORLD, started by als_mpi_init (als_mpi.h: the one MPI start-up and
 * finalize of alstune).  Every rank passes the same full ratings (by_user, by_item) and the
 * same model m, allocated and initialised by als_model_init (so every rank starts from Spark's
 * init); the iterations use only the rank's blocks.  On success rank 0's m holds the factors
 * (bitwise those of als_train); the other ranks' m hold their own blocks' rows only.  cb (may be
 * NULL) runs on rank 0 after each iteration with that iteration's statistics (m is not yet
 * gathered: do not read its factors there).  Errors (numerical failures included) are agreed:
 * every rank returns the status and message of the lowest failing rank. */
typedef int (*als_dpals_iter_cb)(int iter, const als_dpals_stats *so_far, void *ctx);
als_status als_dpals_train(als_model *m, const als_params *p, const als_csr *by_user, const als_csr *by_item,
                           als_dpals_exchange mode, als_dpals_iter_cb cb, void *ctx, als_dpals_stats *stats,
                           als_diag *d);

/* Collective over MPI_COMM_WORLD: every rank passes its status (and message); every rank returns
 * the lowest failing rank's status and message, or ALS_OK.  Lets the ranks stop together when one
 * of them fails before training (reading the file), instead of waiting for it forever. */
als_status als_dpals_agree(als_status st, als_diag *d);

/* Rank 0 receives every rank's statistics into all[0..nranks) (other ranks: all unused). */
als_status als_dpals_stats_gather(const als_dpals_stats *mine, als_dpals_stats *all, als_diag *d);

#endif
