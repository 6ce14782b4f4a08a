/* cmd_merge.c — `alstune merge DIR`: combine the shards of `tune --shard I/N` into the outputs of
 * one run (docs/scale.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_config.h"
#include "als_limits.h"
#include "als_mpi.h"
#include "als_runner.h"
#include "als_util.h"
#include "cli.h"
#include "cmd_tune.h"

const char als_help_merge[] =
    "Usage: alstune merge RESULTS_DIR [OPTIONS]\n"
    "\n"
    "Combine the shards of `alstune tune EXPERIMENT.yaml --shard I/N` (their journals\n"
    "folds.shard-I-of-N.csv and iterations.shard-I-of-N.csv in RESULTS_DIR) into exactly the outputs\n"
    "of one run: folds.csv, iterations.csv, summary.csv, the refit model, best.yaml, the report.\n"
    "The experiment is RESULTS_DIR/experiment.yaml, written by the shards; no job is run.  When\n"
    "every job is there the shards' journals and locks are removed.  A plain `alstune tune` of\n"
    "the experiment merges too, and runs any missing job itself.\n"
    "\n"
    "Options:\n"
    "  -t, --threads N   threads for the refit (default: all cores)\n"
    "  -q, --quiet       no final table\n"
    "      --no-report   do not write report.md/report.html\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 merged; 1 jobs missing (the message names them and their shards: run those\n"
    "shards, or a plain tune); 2 not a results folder or bad experiment.yaml; 3 I/O error;\n"
    "5 the folder is in use (a shard or a tune is still running).  See docs/scale.md.\n";

int als_cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"threads", required_argument, NULL, 't'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"no-report", no_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    als_run_opts ro = {.log = stderr, .out = stdout, .merge = true};
    bool report = true;
    int c;
    while ((c = als_cli_getopt("merge", argc, argv, "t:qh", opts)) != -1) {
        switch (c) {
        case 'h': fputs(als_help_merge, stdout); return 0;
        default: /* -t, -q, --no-report; '?': als_cli_getopt printed the one message */
            if (ct_run_opt("merge", c, optarg, &ro, &report))
                return 2;
            break;
        }
    }
    if (als_cli_operands("merge", argc, argv, 1, "expected exactly one RESULTS_DIR argument",
                         "exactly one RESULTS_DIR argument"))
        return 2;
    if (als_mpi_launched())
        return als_cli_usage_error("merge", "run merge as one process, without mpirun (it runs no job)");
    const char *dir = argv[optind];
    char path[4200];
    als_path_join(path, sizeof path, dir, "experiment.yaml");
    als_diag d;
    als_diag_clear(&d);
    if (!als_file_exists(path)) {
        als_diag_set(&d, ALS_E_INPUT, dir, 0, 0,
                     "not a results folder: no experiment.yaml (the shards of `alstune tune --shard I/N` write it)");
        return als_cli_fail(ALS_E_INPUT, &d);
    }
    als_experiment *e;
    int rc = ct_load_experiment(path, &e, &d);
    if (rc)
        return rc;
    ro.out_dir = dir;
    als_run_result res;
    memset(&res, 0, sizeof res);
    als_status st = als_run_experiment(e, &ro, &res, &d);
    free(e);
    if (st)
        return als_cli_fail(st, &d);
    rc = report ? als_report_after_tune(res.out_dir, ro.quiet ? NULL : stderr) : 0;
    als_runner_unlock(&res);
    ct_say_done(&ro, "merged", res.out_dir, report && rc == 0);
    return rc;
}
