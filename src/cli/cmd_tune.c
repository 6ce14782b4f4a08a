/* cmd_tune.c — `alstune tune FILE.yaml` (also `alstune FILE.yaml`): run an experiment. */
#include <getopt.h>
#include <signal.h>
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
    "SIGINT (Ctrl-C) or SIGTERM stops the run after the write in progress; rerun to resume.\n"
    "A second run on the same output folder is refused while the first holds its lock.\n"
    "\n"
    "Exit status: 0 ok, 2 bad experiment or data (file:line:col: error: ...), 3 I/O error,\n"
    "4 numerical failure, 5 output folder in use by another run, 130/143 interrupted by\n"
    "SIGINT/SIGTERM.  See docs/yaml.md for the experiment schema.\n";

/* The stop request: the signal number, set by the handler; the runner polls it at safe points. */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig) { g_stop = sig; }

/* SIGINT/SIGTERM ask the runner to stop; SA_RESETHAND makes a second one act at once. */
static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)(SA_RESTART | SA_RESETHAND);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The message and exit status (128 + signal) of an interrupted run. */
static int interrupted_exit(int sig, const char *path, const char *out_dir)
{
    fprintf(stderr, "alstune tune: interrupted by %s; completed jobs are saved; resume with: alstune tune %s%s%s\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", path, out_dir ? " --out " : "", out_dir ? out_dir : "");
    return 128 + (sig == SIGTERM ? SIGTERM : SIGINT);
}

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
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:o:qnh", opts, NULL)) != -1) {
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
        default: return als_cli_usage_error("tune", "unknown option");
        }
    }
    if (optind != argc - 1)
        return als_cli_usage_error("tune", "expected exactly one EXPERIMENT.yaml argument");
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
    g_stop = 0;
    ro.stop = &g_stop;
    install_handlers();
    st = als_run_experiment(e, &ro, &res, &d);
    free(e);
    if (st == ALS_E_INTERRUPTED)
        return interrupted_exit((int)g_stop, path, ro.out_dir);
    if (st)
        return als_cli_fail(st, &d);
    int rc = 0;
    if (report && !g_stop) /* the report is written while the folder is still locked */
        rc = als_report_after_tune(res.out_dir, ro.quiet ? NULL : stderr);
    als_runner_unlock(&res);
    if (g_stop && rc == 0) /* every result is written: say so, but keep the status of a stop */
        return interrupted_exit((int)g_stop, path, ro.out_dir);
    if (!ro.quiet)
        printf("\nresults: %s/  (summary.csv, folds.csv, best.yaml, model/%s)\n", res.out_dir,
               report && rc == 0 ? ", report.html" : "");
    return rc;
}
