/* fuzz_results — the results-folder readers of `report` and `check` (als_results_load: summary,
 * iterations and folds CSVs, experiment/best/provenance YAML), then what the commands do with a
 * loaded folder: the report without plots (als_report_write: report.md, report.html), a baseline
 * written from it (als_baseline_write), read back and checked against the folder itself, which
 * must pass.
 *
 * Input: byte 0 is a presence mask over the files, in this order:
 *   bit 0 summary.csv, 1 iterations.csv, 2 folds.csv, 3 experiment.yaml, 4 best.yaml,
 *   5 provenance.yaml, 6 trials.csv, 7 rungs.csv (a pruned search, issue 12);
 * the rest is the present files' contents joined by FZ_SEP ("\n%%\n"), in the same order. */
#include "fuzz_common.h"

#include "als_check.h"
#include "als_report.h"

static const char *const names[8] = {"summary.csv", "iterations.csv", "folds.csv", "experiment.yaml",
                                     "best.yaml",   "provenance.yaml", "trials.csv", "rungs.csv"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[512], bpath[512];
    if (!dir[0]) {
        fz_path(dir, sizeof dir, fz_dir(), "results");
        fz_path(bpath, sizeof bpath, fz_dir(), "baseline.yaml");
        mkdir(dir, 0700);
    }
    if (size < 1)
        return 0;
    fz_write_folder(dir, names, 8, data[0], data + 1, size - 1);
    fz_cli_args((const char *const[]){"report", "@/results", "--no-plots", "--next", "check", "@/results",
                                      "--write-baseline", "@/written-baseline.yaml", NULL});
    als_results r;
    memset(&r, 0, sizeof r);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_results_load(&r, dir, &d);
    if (st == ALS_OK) {
        FZ_ASSERT(r.ncells == 0 || r.cells);
        FZ_ASSERT(r.n_maxIter <= sizeof r.maxIters / sizeof *r.maxIters);
        for (size_t i = 0; i < r.ncells; i++)
            FZ_ASSERT(als_results_find_cell(&r, &r.cells[i]) >= 0);
        als_report_opts o;
        als_report_opts_default(&o);
        o.plots = false;
        als_report_info info;
        als_diag_clear(&d);
        st = als_report_write(&r, &o, &info, &d);
        if (st != ALS_OK)
            FZ_CHECK_DIAG(st, d);
        als_diag_clear(&d);
        if (als_baseline_write(&r, NULL, bpath, &d) == ALS_OK) {
            als_baseline b;
            memset(&b, 0, sizeof b);
            als_diag_clear(&d);
            st = als_baseline_load(&b, bpath, &d);
            if (st != ALS_OK)
                fprintf(stderr, "baseline written from the folder does not load: %s:%ld:%ld: %s\n", d.path,
                        d.line, d.col, d.msg);
            FZ_ASSERT(st == ALS_OK);
            als_check_result cr;
            memset(&cr, 0, sizeof cr);
            als_diag_clear(&d);
            st = als_check_run(&r, &b, NULL, &cr, &d);
            if (st != ALS_OK)
                fprintf(stderr, "folder checked against its own baseline: status %d: %s:%ld:%ld: %s\n", (int)st,
                        d.path, d.line, d.col, d.msg);
            FZ_ASSERT(st == ALS_OK);
            als_check_result_free(&cr);
            als_baseline_free(&b);
        } else {
            FZ_CHECK_DIAG(ALS_E_INPUT, d);
        }
    } else {
        FZ_CHECK_DIAG(st, d);
    }
    als_results_free(&r);
    return 0;
}
