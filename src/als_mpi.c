/* als_mpi — see als_mpi.h.  Every MPI call of alstune's tuning runs is here, behind HAVE_MPI. */
#define _GNU_SOURCE
#include "als_mpi.h"

#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_MPI
#include <mpi.h>
#endif

#define HOST_MAX 256

static bool g_active;
static int g_rank, g_size = 1;
static char g_lib[256];
static char *g_hosts; /* g_size * HOST_MAX bytes on rank 0, HOST_MAX elsewhere */

bool als_mpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK", "MPI_LOCALNRANKS"};
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
        if (getenv(vars[k]))
            return true;
    return false;
}

bool als_mpi_active(void) { return g_active; }
int als_mpi_rank(void) { return g_active ? g_rank : 0; }
int als_mpi_size(void) { return g_active ? g_size : 1; }
const char *als_mpi_library(void) { return g_lib; }

const char *als_mpi_host(int r)
{
    if (!g_hosts || r < 0 || r >= g_size || (g_rank != 0 && r != g_rank))
        return "";
    return g_hosts + (size_t)(g_rank == 0 ? r : 0) * HOST_MAX;
}

void als_mpi_nap(void)
{
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

#ifdef HAVE_MPI

als_status als_mpi_init(als_diag *d)
{
    if (g_active)
        return ALS_OK;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return als_diag_set(d, ALS_E_IO, "", 0, 0, "MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    g_active = true;
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(lib, &len);
    lib[len < (int)sizeof lib ? len : (int)sizeof lib - 1] = '\0';
    lib[strcspn(lib, "\n,")] = '\0'; /* "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4" */
    snprintf(g_lib, sizeof g_lib, "%s", lib);
    char host[HOST_MAX];
    memset(host, 0, sizeof host);
    gethostname(host, sizeof host - 1);
    g_hosts = calloc(g_rank == 0 ? (size_t)g_size : 1, HOST_MAX);
    if (!g_hosts)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    if (g_rank != 0)
        memcpy(g_hosts, host, HOST_MAX);
    MPI_Gather(host, HOST_MAX, MPI_CHAR, g_hosts, HOST_MAX, MPI_CHAR, 0, MPI_COMM_WORLD);
    return ALS_OK;
}

void als_mpi_finalize(void)
{
    if (!g_active)
        return;
    MPI_Barrier(MPI_COMM_WORLD); /* no rank leaves before rank 0 has printed */
    MPI_Finalize();
    g_active = false;
    free(g_hosts);
    g_hosts = NULL;
}

void als_mpi_abort(int code)
{
    if (g_active)
        MPI_Abort(MPI_COMM_WORLD, code);
}

als_status als_mpi_send(int to, int tag, const void *buf, size_t n, als_diag *d)
{
    if (!g_active || n > INT_MAX)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "MPI message of %zu bytes to rank %d not sent", n, to);
    if (MPI_Send(buf, (int)n, MPI_BYTE, to, tag, MPI_COMM_WORLD) != MPI_SUCCESS)
        return als_diag_set(d, ALS_E_IO, "", 0, 0, "MPI_Send to rank %d failed", to);
    return ALS_OK;
}

bool als_mpi_poll(int from, int *src, int *tag, size_t *len)
{
    if (!g_active)
        return false;
    int flag = 0, count = 0;
    MPI_Status s;
    if (MPI_Iprobe(from < 0 ? MPI_ANY_SOURCE : from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s) != MPI_SUCCESS ||
        !flag)
        return false;
    MPI_Get_count(&s, MPI_BYTE, &count);
    *src = s.MPI_SOURCE;
    *tag = s.MPI_TAG;
    *len = (size_t)count;
    return true;
}

als_status als_mpi_recv(int src, int tag, void *buf, size_t n, als_diag *d)
{
    if (!g_active || n > INT_MAX)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "MPI message from rank %d not received", src);
    if (MPI_Recv(buf, (int)n, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return als_diag_set(d, ALS_E_IO, "", 0, 0, "MPI_Recv from rank %d failed", src);
    return ALS_OK;
}

#else /* !HAVE_MPI */

als_status als_mpi_init(als_diag *d)
{
    return als_diag_set(d, ALS_E_USAGE, "", 0, 0,
                        "this alstune was built without MPI, so it cannot run under mpirun; rebuild with "
                        "./configure --with-mpi (apt-get install libopenmpi-dev openmpi-bin), or run it "
                        "without mpirun (one process, all cores), or use --shard I/N (docs/scale.md)");
}

void als_mpi_finalize(void) {}
void als_mpi_abort(int code) { (void)code; }

als_status als_mpi_send(int to, int tag, const void *buf, size_t n, als_diag *d)
{
    (void)tag;
    (void)buf;
    (void)n;
    return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "built without MPI: no message to rank %d", to);
}

bool als_mpi_poll(int from, int *src, int *tag, size_t *len)
{
    (void)from;
    (void)src;
    (void)tag;
    (void)len;
    return false;
}

als_status als_mpi_recv(int src, int tag, void *buf, size_t n, als_diag *d)
{
    (void)tag;
    (void)buf;
    (void)n;
    return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "built without MPI: no message from rank %d", src);
}

#endif
