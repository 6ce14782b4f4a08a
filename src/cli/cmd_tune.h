/* cmd_tune.h — helpers shared by the run subcommands (cmd_tune.c: tune; cmd_merge.c: merge).
 * Internal to the alstune binary. */
#ifndef ALS_CMD_TUNE_H
#define ALS_CMD_TUNE_H

#include <stdbool.h>

#include "als_config.h"
#include "als_runner.h"

/* The options tune and merge share: -t/--threads, -q/--quiet, --no-report (report set false).
 * Returns 0 when c was one of them, else 2 (a bad value, after its message, or another option:
 * the caller's default case, where '?' lands too). */
int ct_run_opt(const char *cmd, int c, const char *arg, als_run_opts *ro, bool *report);

/* Load the experiment at path into a new *e (the caller frees it): 0, or the exit code after the
 * message (*e NULL). */
int ct_load_experiment(const char *path, als_experiment **e, als_diag *d);

/* Unless ro->quiet, the closing line "\n<what>: DIR/  (summary.csv, ...)"; with_report: the
 * report was written. */
void ct_say_done(const als_run_opts *ro, const char *what, const char *dir, bool with_report);

#endif
