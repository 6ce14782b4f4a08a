/* main.c — the alstune binary: global options and subcommand dispatch, nothing else (the shared
 * CLI helpers are in cli.c).  Every subcommand returns its exit code; main returns it. */
#include "config.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    als_cmd_fn fn;
    const char *summary;
    const char *help;
} command;

#define ALS_TABLE_ROW(n, s) {#n, als_cmd_##n, s, als_help_##n},
static const command commands[] = {ALS_COMMANDS(ALS_TABLE_ROW)};
#undef ALS_TABLE_ROW
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "Usage: alstune EXPERIMENT.yaml [--threads N] [--out DIR] [--fresh] [--quiet]\n"
               "       alstune COMMAND [ARGS...]\n\n"
               "Tune, cross-validate and use ALS matrix-factorization recommenders with Spark MLlib's\n"
               "semantics, on all cores of one machine.\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s %s\n", "help", "show the help of a command");
    fprintf(f, "\nOptions:\n  -h, --help     show this help\n  -V, --version  show version and build information\n\n"
               "Exit status: 0 ok, 1 check failed, 2 usage or bad input, 3 I/O error, 4 numerical failure.\n"
               "See 'alstune help COMMAND' and the alstune(1) man page.\n");
}

static void version(void)
{
    printf("alstune %s (git %s)\n", PACKAGE_VERSION, ALS_GIT_SHA);
    printf("OpenBLAS: %s; %s build linked; parallel mode %d (0 serial, 1 pthreads, 2 OpenMP)\n",
           openblas_get_config(), ALS_OPENBLAS_VARIANT, openblas_get_parallel());
#ifdef HAVE_MPI
    printf("MPI: %s (mpirun -np N alstune tune; docs/scale.md)\n", ALS_MPI_BUILD);
#else
    printf("MPI: no (built without MPI; ./configure --with-mpi)\n");
#endif
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int has_yaml_suffix(const char *s)
{
    size_t n = strlen(s);
    return (n > 5 && strcmp(s + n - 5, ".yaml") == 0) || (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *a = argv[1];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
        version();
        return 0;
    }
    if (strcmp(a, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        const command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "alstune: no such command '%s'; see 'alstune --help'\n", argv[2]);
            return 2;
        }
        fputs(c->help, stdout);
        return 0;
    }
    const command *c = find_command(a);
    if (!c && (has_yaml_suffix(a) || strchr(a, '/'))) {
        /* `alstune experiments/grid.yaml` is `alstune tune experiments/grid.yaml` */
        return als_cmd_tune(argc, argv);
    }
    if (!c) {
        fprintf(stderr, "alstune: unknown command '%s'; see 'alstune --help'\n", a);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(c->help, stdout);
            return 0;
        }
    }
    return c->fn(argc - 1, argv + 1);
}
