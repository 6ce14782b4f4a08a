/* cmd_pending.c — TEMPORARY scaffolding during parallel development: commands whose module has
 * not landed yet.  Each definition is removed when its real src/cmd_<name>.c lands. */
#include "cli.h"
#include <stdio.h>
#define PENDING(name)                                                                            \
    const char als_help_##name[] = "alstune " #name ": not implemented yet\n";                   \
    int als_cmd_##name(int argc, char **argv)                                                    \
    {                                                                                            \
        (void)argc;                                                                              \
        (void)argv;                                                                              \
        fprintf(stderr, "alstune " #name ": not implemented yet\n");                             \
        return 70;                                                                               \
    }
