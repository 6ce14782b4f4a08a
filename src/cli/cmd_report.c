/* cmd_report.c — `alstune report` (report.md + report.html of a results folder) and
 * `alstune check` (the regression gate against a baseline YAML). */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_check.h"
#include "als_report.h"
#include "cli.h"

const char als_help_report[] =
    "Usage: alstune report RESULTS_DIR [--no-plots]\n"
    "\n"
    "Write RESULTS_DIR/report.md and RESULTS_DIR/report.html for a results folder of\n"
    "'alstune tune' (docs/outputs.md): the experiment and data set, a heat map of the mean CV\n"
    "metric over rank x regParam (one panel per maxIter), the spread over folds (mean +- std),\n"
    "learning curves of the best configurations, the top-10 cells, the best cell with its\n"
    "holdout test metrics, and the provenance of the run.\n"
    "\n"
    "report.html is one self-contained file (inline CSS and SVG, no network).  report.md shows\n"
    "the figures from RESULTS_DIR/plots/NAME.svg; plots/*.gp are the gnuplot scripts that drew\n"
    "them (edit and rerun: gnuplot heatmap.gp > heatmap.svg).\n"
    "\n"
    "Options:\n"
    "  --no-plots   tables only: do not run gnuplot\n"
    "  -h, --help   show this help\n"
    "\n"
    "Figures need the gnuplot program (Debian: gnuplot-nox), found on PATH or named by the\n"
    "environment variable ALSTUNE_GNUPLOT; without it the report keeps its tables and says so.\n"
    "Exit status: 0 written, 2 not a results folder or a garbled file (path:line: error: ...),\n"
    "3 the report could not be written.  See docs/report.md.\n";

const char als_help_check[] =
    "Usage: alstune check RESULTS_DIR --baseline FILE.yaml [--tolerance T]\n"
    "       alstune check RESULTS_DIR --write-baseline FILE.yaml [--tolerance T]\n"
    "\n"
    "Compare a results folder of 'alstune tune' with a baseline (the CI regression gate):\n"
    "the best cell's mean CV metric, the holdout test metric (when the baseline has one) and\n"
    "the mean CV metric of every cell of the baseline, matched by parameters.  Prints a table\n"
    "(item, baseline, now, delta, verdict).  Each item is 'ok' within the tolerance,\n"
    "'improved' when better by more than it (this passes), 'REGRESSED' when worse by more,\n"
    "'MISSING' when a baseline cell is not in the results (the grid lost it; this fails).\n"
    "Lower is better for rmse, mse, mae and mpr; higher for every other metric.\n"
    "\n"
    "Options:\n"
    "  --baseline FILE        compare against FILE\n"
    "  --write-baseline FILE  create or replace FILE from RESULTS_DIR (temp + rename)\n"
    "  --tolerance T          allowed worsening: a number in metric units (absolute, e.g. 0.002)\n"
    "                         or a percentage of the baseline value (relative, e.g. 1%).\n"
    "                         Default: the baseline's tolerance; in a new baseline, the metric's\n"
    "                         default: 0.002 for rmse, mae, r2 and var, 0.004 for mse, 1% for\n"
    "                         ranking metrics, mpr and auc.\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 no regression (or baseline written), 1 a regression beyond the tolerance or\n"
    "a missing cell, 2 bad usage or input: missing or garbled files, a baseline for another\n"
    "metric or data set (path:line: error: ...).  See docs/report.md and docs/reproducibility.md.\n";

/* Write the report of dir (gnuplot from $ALSTUNE_GNUPLOT when set); a failure is printed on
 * stderr, the report's notes go to log as warnings (log may be NULL).  Returns the exit code. */
static int write_report(const char *dir, bool plots, FILE *log, als_report_info *info)
{
    als_report_opts o;
    als_report_opts_default(&o);
    o.plots = plots;
    const char *gp = getenv("ALSTUNE_GNUPLOT");
    if (gp && *gp)
        o.gnuplot = gp;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_report_dir(dir, &o, info, &d);
    if (st)
        return als_cli_fail(st, &d);
    for (int i = 0; log && i < info->n_notes; i++) {
        als_diag w;
        als_diag_set(&w, ALS_OK, dir, 0, 0, "%s", info->notes[i]);
        als_diag_print_warning(&w, log);
    }
    for (size_t i = 0; log && i < info->n_warnings; i++) { /* the edge / still-improving warnings */
        als_diag w;
        als_diag_set(&w, ALS_OK, dir, 0, 0, "%s", info->warnings[i].text);
        als_diag_print_warning(&w, log);
    }
    return 0;
}

int als_cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"no-plots", no_argument, NULL, 'P'}, {NULL, 0, NULL, 0}};
    als_report_opts o;
    als_report_opts_default(&o);
    int c;
    while ((c = als_cli_getopt("report", argc, argv, "", opts)) != -1) {
        switch (c) {
        case 'P': o.plots = false; break;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (als_cli_operands("report", argc, argv, 1, "expected a results folder (e.g. results/NAME)", "one results folder"))
        return 2;
    als_report_info info;
    int rc = write_report(argv[optind], o.plots, stderr, &info);
    if (rc == 0)
        printf("wrote %s and %s (%d figure%s)\n", info.html_path, info.md_path, info.n_plots,
               info.n_plots == 1 ? "" : "s");
    return rc;
}

/* Called by `alstune tune` at the end of a run (declared weak in cmd_tune.c, so tune links
 * without this module).  Writes the report of results_dir; notes go to log as warnings (log may
 * be NULL: quiet).  Returns the process exit code: 0, or that of a failure (printed on stderr). */
int als_report_after_tune(const char *results_dir, FILE *log)
{
    als_report_info info;
    return write_report(results_dir, true, log, &info);
}

int als_cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {{"baseline", required_argument, NULL, 'b'},
                                         {"write-baseline", required_argument, NULL, 'w'},
                                         {"tolerance", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    const char *baseline = NULL, *write = NULL;
    als_tolerance tol;
    bool have_tol = false;
    int c;
    while ((c = als_cli_getopt("check", argc, argv, "", opts)) != -1) {
        switch (c) {
        case 'b': baseline = optarg; break;
        case 'w': write = optarg; break;
        case 't':
            if (!als_tolerance_parse(optarg, &tol))
                return als_cli_usage_error("check", "--tolerance expects a number ≥ 0 or a percentage (e.g. 0.002 or 1%%), "
                                                    "got '%s'",
                                           optarg);
            have_tol = true;
            break;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (als_cli_operands("check", argc, argv, 1, "expected a results folder (e.g. results/NAME)", "one results folder"))
        return 2;
    if (!baseline == !write)
        return als_cli_usage_error("check", "expected exactly one of --baseline FILE and --write-baseline FILE");
    const char *dir = argv[optind];
    als_diag d;
    als_diag_clear(&d);
    als_results r;
    als_status st = als_results_load(&r, dir, &d);
    if (st)
        return als_cli_fail(st, &d);
    if (write) {
        st = als_baseline_write(&r, have_tol ? &tol : NULL, write, &d);
        if (!st)
            printf("wrote baseline %s (%zu cells, metric %s, best %.6f)\n", write, r.ncells, r.metric, r.cells[0].mean);
        als_results_free(&r);
        return st ? als_cli_fail(st, &d) : 0;
    }
    als_baseline b;
    if ((st = als_baseline_load(&b, baseline, &d))) {
        als_results_free(&r);
        return als_cli_fail(st, &d);
    }
    als_check_result res;
    st = als_check_run(&r, &b, have_tol ? &tol : NULL, &res, &d);
    int rc;
    if (st == ALS_OK || st == ALS_E_CHECK) {
        als_check_print(&res, dir, baseline, stdout);
        rc = st == ALS_OK ? 0 : als_status_exit_code(st);
    } else {
        rc = als_cli_fail(st, &d);
    }
    als_check_result_free(&res);
    als_baseline_free(&b);
    als_results_free(&r);
    return rc;
}
