/* fuzz_yaml — the experiment YAML (als_config_load, libyaml).  The input is the YAML file,
 * written to the scratch folder next to small ratings.csv / movies.csv (and the other names the
 * seeds use), so that valid experiments get past the data-file checks.  A loaded experiment is
 * written back with als_config_write, and that file must load again to the same experiment. */
#include "fuzz_common.h"

#include "als_config.h"

static const char ratings_csv[] = "userId,movieId,rating\n1,10,4\n1,20,3\n2,10,5\n";
static const char movies_csv[] = "movieId,title,genres\n10,A (2001),Drama\n20,B (2002),Comedy\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512], rt[512];
    static FILE *devnull;
    if (!path[0]) {
        const char *dir = fz_dir();
        char p[512];
        const char *const rnames[] = {"ratings.csv", "ratings.dat", "u.data", "r.csv"};
        for (size_t i = 0; i < sizeof rnames / sizeof *rnames; i++)
            fz_write(fz_path(p, sizeof p, dir, rnames[i]), (const uint8_t *)ratings_csv, sizeof ratings_csv - 1);
        fz_write(fz_path(p, sizeof p, dir, "movies.csv"), (const uint8_t *)movies_csv, sizeof movies_csv - 1);
        fz_path(path, sizeof path, dir, "experiment.yaml");
        fz_path(rt, sizeof rt, dir, "roundtrip.yaml");
        devnull = fopen("/dev/null", "w");
    }
    fz_write(path, data, size);
    fz_cli_args((const char *const[]){"tune", "@/experiment.yaml", "--dry-run", NULL});
    als_experiment *e = malloc(sizeof *e), *e2 = malloc(sizeof *e2);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(e, path, &d);
    if (st == ALS_OK) {
        FZ_ASSERT(e->rank.n >= 1 && e->rank.n <= ALS_GRID_MAX);
        FZ_ASSERT(e->regParam.n >= 1 && e->maxIter.n >= 1 && e->alpha.n >= 1);
        FZ_ASSERT(e->implicitPrefs.n >= 1 && e->nonnegative.n >= 1 && e->bias.n >= 1);
        FZ_ASSERT(e->numFolds >= 2);
        FZ_ASSERT(e->testFraction >= 0 && e->testFraction < 1);
        als_config_write(e, devnull);
        FILE *f = fopen(rt, "w");
        FZ_ASSERT(f);
        als_config_write(e, f);
        fclose(f);
        als_diag d2;
        als_diag_clear(&d2);
        st = als_config_load(e2, rt, &d2);
        if (st != ALS_OK)
            fprintf(stderr, "round trip: %s:%ld:%ld: %s\n", d2.path, d2.line, d2.col, d2.msg);
        FZ_ASSERT(st == ALS_OK);
        FZ_ASSERT(e2->rank.n == e->rank.n && e2->regParam.n == e->regParam.n && e2->maxIter.n == e->maxIter.n);
        for (int i = 0; i < e->rank.n; i++)
            FZ_ASSERT(e2->rank.v[i] == e->rank.v[i]);
        for (int i = 0; i < e->regParam.n; i++)
            FZ_ASSERT(e2->regParam.v[i] == e->regParam.v[i]);
        FZ_ASSERT(e2->numFolds == e->numFolds && e2->testFraction == e->testFraction);
        FZ_ASSERT(e2->metric.kind == e->metric.kind && e2->metric.k == e->metric.k && e2->seed == e->seed && e2->splitSeed == e->splitSeed);
        FZ_ASSERT(e2->synthetic == e->synthetic);
    } else {
        FZ_CHECK_DIAG(st, d);
    }
    free(e);
    free(e2);
    return 0;
}
