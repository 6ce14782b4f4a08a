/* fuzz_yflat — the flat YAML reader behind experiment.yaml, best.yaml, provenance.yaml and the
 * baselines (als_yflat_parse), in memory, so it runs much faster than the folder targets.  The
 * input is the text (a NUL is added, as the file reader does).  Every entry must be findable by
 * its key, and each value read as a number. */
#include "fuzz_common.h"

#include "als_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (getenv("FUZZ_UNPACK")) { /* a baseline file: the flat-YAML reader's strictest user */
        char path[512];
        fz_write(fz_path(path, sizeof path, fz_dir(), "baseline.yaml"), data, size);
        fz_cli_args((const char *const[]){"check", FUZZ_SRCDIR "/tests/fixtures/results/tiny", "--baseline",
                                          "@/baseline.yaml", NULL});
    }
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    als_yflat y;
    als_yflat_init(&y);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_yflat_parse(&y, "fuzz.yaml", text, &d);
    if (st == ALS_OK) {
        for (size_t i = 0; i < y.n && i < 32; i++) {
            FZ_ASSERT(y.e[i].key && y.e[i].value);
            const als_yentry *e = als_yflat_find(&y, y.e[i].key);
            FZ_ASSERT(e && !strcmp(e->key, y.e[i].key));
            (void)als_yflat_get(&y, y.e[i].key);
            double v;
            if (als_yflat_double(&y, y.e[i].key, &v, &d) != ALS_OK)
                FZ_CHECK_DIAG(ALS_E_INPUT, d);
        }
    } else {
        FZ_CHECK_DIAG(st, d);
    }
    als_yflat_free(&y);
    free(text);
    return 0;
}
