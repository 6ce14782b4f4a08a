/* cmd_tune.c — `alstune tune FILE.yaml` (also `alstune FILE.yaml`): run an experiment. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_config.h"
#include "als_runner.h"
#include "cli.h"

const char als_help_tune[] =
    "Usage: alstune tune EXPERIMENT.yaml [OPTIONS]\n"
    "       alstune EXPERIMENT.yaml [OPTIONS]\n"
    "\n"
    "Run the experiment: grid search over Spark's ALS parameters (rank, regParam, maxIter, alpha,\n"
    "implicitPrefs, nonnegative, bias) with k-fold cross-validation on all cores, then refit the\n"
    "best cell on all non-test data.  Results go to results/<name>/ (docs/outputs.md): folds.csv,\n"
    "iterations.csv, summary.csv, best.yaml, model/, experiment.yaml, timings.csv, provenance.yaml,\n"
    "report.md and report.html.  An interrupted run resumes where it stopped when rerun.\n"
    "\n"
    "Options:\n"
    "  -t, --threads N   worker threads (default: all cores); results do not depend on it\n"
    "  -o, --out DIR     write the results to DIR instead of the experiment's output folder\n"
    "      --fresh       discard previous results in the output folder instead of resuming\n"
    "  -q, --quiet       no progress bar and no final table\n"
    "      --no-report   do not write report.md/report.html at the end\n"
    "  -n, --dry-run     validate the experiment, print it resolved (YAML) and the job count\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 ok, 2 bad experiment or data (file:line:col: error: ...), 3 I/O error,\n"
    "4 numerical failure.  See docs/yaml.md for the experiment schema.\n";

int als_cmd_tune(int argc, char **argv)
{
    static const struct option opts[] = {
        {"threads", required_argument, NULL, 't'}, {"out", required_argument, NULL, 'o'},
        {"fresh", no_argument, NULL, 'F'},         {"quiet", no_argument, NULL, 'q'},
        {"no-report", no_argument, NULL, 'R'},     {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    als_run_opts ro = {.log = stderr, .out = stdout};
    bool dry = false, report = true;
    int c;
    long v;
    while ((c = als_cli_getopt("tune", argc, argv, "t:o:qnh", opts)) != -1) {
        switch (c) {
        case 't':
            if (als_cli_int("tune", "--threads", optarg, 1, 4096, &v))
                return 2;
            ro.threads = (int)v;
            break;
        case 'o': ro.out_dir = optarg; break;
        case 'F': ro.fresh = true; break;
        case 'q': ro.quiet = true; break;
        case 'R': report = false; break;
        case 'n': dry = true; break;
        case 'h': fputs(als_help_tune, stdout); return 0;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (als_cli_operands("tune", argc, argv, 1, "expected exactly one EXPERIMENT.yaml argument",
                         "exactly one EXPERIMENT.yaml argument"))
        return 2;
    const char *path = argv[optind];
    als_experiment *e = malloc(sizeof *e);
    if (!e)
        return 3;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(e, path, &d);
    if (st) {
        free(e);
        return als_cli_fail(st, &d);
    }
    if (dry) {
        als_config_write(e, stdout);
        int nc = als_runner_nconfigs(e);
        printf("# %d configs x %d maxIter values, %d folds: %d jobs\n", nc, e->maxIter.n, e->numFolds,
               nc * e->numFolds);
        free(e);
        return 0;
    }
    als_run_result res;
    memset(&res, 0, sizeof res);
    st = als_run_experiment(e, &ro, &res, &d);
    free(e);
    if (st)
        return als_cli_fail(st, &d);
    int rc = 0;
    if (report)
        rc = als_report_after_tune(res.out_dir, ro.quiet ? NULL : stderr);
    if (!ro.quiet)
        printf("\nresults: %s/  (summary.csv, folds.csv, best.yaml, model/%s)\n", res.out_dir,
               report && rc == 0 ? ", report.html" : "");
    return rc;
}
