/* als_mpi — the MPI layer of `mpirun -np N alstune tune` (docs/scale.md): start-up when launched
 * by mpirun, the ranks' hosts and library version for provenance.yaml, and point-to-point byte
 * messages with polling (the runner's job dealer sleeps between polls instead of spinning).
 *
 * Always compiled: without MPI (configure --with-mpi=no) als_mpi_init returns a clear "built
 * without MPI" error, rank is 0 and size 1, and every other call is a no-op that fails. */
#ifndef ALS_MPI_H
#define ALS_MPI_H

#include <stdbool.h>
#include <stddef.h>

#include "als_error.h"

/* Was this process started by mpirun/mpiexec (OpenMPI's OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK,
 * PMI_SIZE/PMI_RANK or MPICH's MPI_LOCALNRANKS set)?  A plain run never initialises MPI and
 * behaves exactly as without it.  The one start-up of `tune` and `train --mpi`. */
bool als_mpi_launched(void);

/* Initialise MPI (thread level FUNNELED: only the thread that called this calls MPI) and gather
 * every rank's host name to rank 0.  Collective: every rank calls it.  Without MPI:
 * ALS_E_USAGE "built without MPI". */
als_status als_mpi_init(als_diag *d);

/* Finalise MPI when als_mpi_init succeeded (no-op otherwise), after a barrier: no rank leaves
 * before rank 0 has printed its error (mpirun's abort banner would otherwise cut it).  Collective. */
void als_mpi_finalize(void);

/* Stop every rank of the job at once (a rank that cannot go on; mpirun reports it). */
void als_mpi_abort(int code);

bool als_mpi_active(void); /* initialised and not finalised */
int als_mpi_rank(void);    /* 0 when not active */
int als_mpi_size(void);    /* 1 when not active */

/* The MPI library's version string (MPI_Get_library_version, first line) or "" without MPI. */
const char *als_mpi_library(void);

/* Host name of rank r (rank 0 only knows them all; others know their own). */
const char *als_mpi_host(int r);

/* Send n bytes to rank `to` with `tag` (blocking until the buffer may be reused). */
als_status als_mpi_send(int to, int tag, const void *buf, size_t n, als_diag *d);

/* Is a message waiting (from any rank when from < 0)?  Fills its source, tag and length. */
bool als_mpi_poll(int from, int *src, int *tag, size_t *len);

/* Receive the message found by als_mpi_poll (exactly n bytes from src with tag). */
als_status als_mpi_recv(int src, int tag, void *buf, size_t n, als_diag *d);

/* Sleep a little (1 ms) between polls. */
void als_mpi_nap(void);

#endif
