/* config_check — test driver for als_config: loads one experiment YAML and prints either the
 * resolved experiment (stdout, exit 0) or the GNU-style diagnostic (stderr, exit 2/3).  The CLI
 * tests run it until `alstune tune FILE --dry-run` exists, and keep working with either. */
#include <stdio.h>
#include <string.h>

#include "als_config.h"

int main(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "tune") || !strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
            continue; /* accept the real command's spelling */
        path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: config_check FILE.yaml\n");
        return 2;
    }
    static als_experiment e; /* large: keep it off the stack */
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(&e, path, &d);
    if (st != ALS_OK) {
        als_diag_print(&d, stderr);
        return als_status_exit_code(st);
    }
    als_config_write(&e, stdout);
    return 0;
}
