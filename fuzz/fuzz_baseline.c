/* fuzz_baseline — the regression gate's baseline file (als_baseline_load), then `check` against
 * the results folder tests/fixtures/results/tiny (als_check_run with the baseline's tolerance and
 * with an override, als_check_print).  The input is the baseline YAML. */
#include "fuzz_common.h"

#include "als_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512];
    static als_results res;
    static FILE *devnull;
    if (!path[0]) {
        fz_path(path, sizeof path, fz_dir(), "baseline.yaml");
        als_diag d;
        if (als_results_load(&res, FUZZ_SRCDIR "/tests/fixtures/results/tiny", &d) != ALS_OK) {
            fprintf(stderr, "fuzz_baseline: %s: %s\n", d.path, d.msg);
            abort();
        }
        devnull = fopen("/dev/null", "w");
    }
    fz_write(path, data, size);
    fz_cli_args((const char *const[]){"check", FUZZ_SRCDIR "/tests/fixtures/results/tiny", "--baseline",
                                      "@/baseline.yaml", NULL});
    als_baseline b;
    memset(&b, 0, sizeof b);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_baseline_load(&b, path, &d);
    if (st == ALS_OK) {
        FZ_ASSERT(b.ncells == 0 || b.cells);
        als_tolerance tol = {0.5, true};
        for (int i = 0; i < 2; i++) {
            als_check_result cr;
            memset(&cr, 0, sizeof cr);
            als_diag_clear(&d);
            als_status cs = als_check_run(&res, &b, i ? &tol : NULL, &cr, &d);
            FZ_ASSERT(cs == ALS_OK || cs == ALS_E_CHECK || cs == ALS_E_INPUT);
            if (cs == ALS_E_INPUT)
                FZ_CHECK_DIAG(cs, d);
            else
                als_check_print(&cr, res.dir, path, devnull);
            als_check_result_free(&cr);
        }
    } else {
        FZ_CHECK_DIAG(st, d);
    }
    als_baseline_free(&b);
    return 0;
}
