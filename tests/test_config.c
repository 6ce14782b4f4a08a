/* Unit tests of als_config: defaults, lists, ranges, synthetic data, path resolution, the
 * write → load round trip, and the line:col and text of every kind of error. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "als_config.h"
#include "als_estimate.h"
#include "als_limits.h"
#include "als_runner.h"
#include "als_solver.h"
#include "als_util.h"

/* tests/fixtures/yaml in the source tree: $TOP_SRCDIR (make check), else next to this file. */
static const char *fixture(const char *name)
{
    static char buf[8][8192];
    static int next;
    char *out = buf[next++ % 8];
    const char *top = getenv("TOP_SRCDIR");
    if (top && *top) {
        snprintf(out, 8192, "%s/tests/fixtures/yaml/%s", top, name);
    } else {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        snprintf(out, 8192, "%s/fixtures/yaml/%s", dir, name);
    }
    return out;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static als_experiment E; /* big: static, not on the stack */
static als_experiment E2;

static void load_ok(als_experiment *e, const char *path)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(e, path, &d);
    cr_assert_eq(st, ALS_OK, "loading %s: status %d, %s:%ld:%ld: %s", path, st, d.path, d.line, d.col, d.msg);
}

static void axis_is(const als_axis *a, const char *what, int n, const double *want)
{
    cr_assert_eq(a->n, n, "%s: %d values, expected %d", what, a->n, n);
    for (int i = 0; i < n; i++)
        cr_assert(a->v[i] == want[i], "%s[%d] = %.17g, expected %.17g", what, i, a->v[i], want[i]);
}

/* A scratch directory under $TMPDIR, removed by the caller's rm_rf. */
static char tmpdir[256];
static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/als-config-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp %s failed", tmpdir);
}
static void rm_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0, "cannot remove %s", tmpdir);
}
static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

/* ---- defaults -------------------------------------------------------------------------------- */
Test(config, defaults_are_spark_s)
{
    als_experiment_default(&E);
    double ten[] = {10}, reg[] = {0.1}, one[] = {1}, zero[] = {0};
    axis_is(&E.rank, "rank", 1, ten);
    axis_is(&E.regParam, "regParam", 1, reg);
    axis_is(&E.maxIter, "maxIter", 1, ten);
    axis_is(&E.alpha, "alpha", 1, one);
    axis_is(&E.implicitPrefs, "implicitPrefs", 1, zero);
    axis_is(&E.nonnegative, "nonnegative", 1, zero);
    axis_is(&E.bias, "bias", 1, zero);
    cr_assert_eq(E.coldStart, ALS_COLD_DROP, "coldStart %d", E.coldStart);
    cr_assert_eq(E.seed, 42u, "seed %llu", (unsigned long long)E.seed);
    cr_assert_eq(E.solver, ALS_SOLVE_CHOLESKY, "solver %d", E.solver);
    cr_assert_eq(E.cgSteps, 3, "cgSteps %d", E.cgSteps);
    cr_assert(E.testFraction == 0.2, "testFraction %g", E.testFraction);
    cr_assert_eq(E.numFolds, 5, "numFolds %d", E.numFolds);
    cr_assert_eq(E.scheme, ALS_SPLIT_RANDOM, "scheme %d", E.scheme);
    cr_assert_eq(E.leaveK, 1, "leaveK %d", E.leaveK);
    cr_assert_eq(E.splitSeed, 42u, "split seed %llu", (unsigned long long)E.splitSeed);
    cr_assert_eq(E.metric.kind, ALS_METRIC_RMSE, "metric kind %d", E.metric.kind);
    cr_assert_str_eq(E.metric.name, "rmse", "metric name %s", E.metric.name);
    cr_assert_eq(E.rankingK, 10, "rankingK %d", E.rankingK);
    cr_assert(E.relevanceThreshold == 4.0, "relevanceThreshold %g", E.relevanceThreshold);
    cr_assert_eq(E.load.format, ALS_FMT_AUTO, "format %d", E.load.format);
    cr_assert_eq(E.load.duplicates, ALS_DUP_LAST, "duplicates %d", E.load.duplicates);
    cr_assert(!E.load.has_range && !E.load.skip_bad_lines, "range %d skip %d", E.load.has_range,
              E.load.skip_bad_lines);
    cr_assert_null(E.load.user_col, "user_col should be NULL");
    cr_assert_str_eq(als_cold_start_name(ALS_COLD_DROP), "drop", "cold start name");
    cr_assert_str_eq(als_cold_start_name(ALS_COLD_NAN), "nan", "cold start name");
    cr_assert_str_eq(als_cold_start_name(ALS_COLD_MEAN), "mean", "cold start name");
}

Test(config, minimal_file_takes_defaults_and_its_name)
{
    load_ok(&E, fixture("good_minimal.yaml"));
    cr_assert_str_eq(E.name, "good_minimal", "name '%s'", E.name);
    cr_assert(!E.synthetic, "not synthetic");
    cr_assert(E.ratings[0] == '/' && ends_with(E.ratings, "/tests/fixtures/yaml/ratings.csv"),
              "ratings resolved to '%s'", E.ratings);
    cr_assert_str_eq(E.movies, "", "movies '%s'", E.movies);
    cr_assert_str_eq(E.output, "", "output '%s'", E.output);
    cr_assert_str_eq(E.path, fixture("good_minimal.yaml"), "path '%s'", E.path);
    double ten[] = {10};
    axis_is(&E.rank, "rank", 1, ten);
    cr_assert_eq(E.numFolds, 5, "numFolds %d", E.numFolds);
    cr_assert_str_eq(E.metric.name, "rmse", "metric %s", E.metric.name);
}

Test(config, tutorial_grid_lists)
{
    load_ok(&E, fixture("good_grid.yaml"));
    cr_assert_str_eq(E.name, "tutorial-grid", "name '%s'", E.name);
    double rank[] = {5, 10, 20, 50}, reg[] = {0.01, 0.05, 0.1, 0.2}, it[] = {5, 10, 20};
    axis_is(&E.rank, "rank", 4, rank);
    axis_is(&E.regParam, "regParam", 4, reg);
    axis_is(&E.maxIter, "maxIter", 3, it);
    cr_assert(ends_with(E.movies, "/tests/fixtures/yaml/movies.csv"), "movies '%s'", E.movies);
    cr_assert_eq(E.numFolds, 3, "numFolds %d", E.numFolds);
    cr_assert_eq(E.splitSeed, 7u, "split seed %llu", (unsigned long long)E.splitSeed);
    cr_assert_eq(E.seed, 42u, "als seed %llu", (unsigned long long)E.seed);
}

Test(config, ranges_linear_log_and_rounded)
{
    load_ok(&E, fixture("good_ranges.yaml"));
    double rank[] = {2, 3, 4};                 /* 2, 2.5→3 (round half away), 3, 3.5→4, 4 deduplicated */
    double reg[] = {0.001, 0.01, 0.1, 1, 10}; /* log-spaced, endpoints exact */
    double it[] = {5, 10, 15, 20};
    double alpha[] = {0, 0.5, 1};
    axis_is(&E.rank, "rank", 3, rank);
    axis_is(&E.regParam, "regParam", 5, reg);
    axis_is(&E.maxIter, "maxIter", 4, it);
    axis_is(&E.alpha, "alpha", 3, alpha);
}

Test(config, everything_given)
{
    load_ok(&E, fixture("good_all.yaml"));
    cr_assert_str_eq(E.name, "every-key", "name");
    cr_assert(E.output[0] == '/' && ends_with(E.output, "/tests/fixtures/out/every-key") &&
                  !strstr(E.output, "/../") && !strstr(E.output, "/./"),
              "output resolved relative to the YAML file and normalised: '%s'", E.output);
    cr_assert_eq(E.load.format, ALS_FMT_CSV, "format %d", E.load.format);
    cr_assert(E.load.skip_bad_lines, "skip_bad_lines");
    cr_assert_eq(E.load.duplicates, ALS_DUP_FIRST, "duplicates %d", E.load.duplicates);
    cr_assert(E.load.has_range && E.load.min_rating == 0.5 && E.load.max_rating == 5,
              "range %d [%g, %g]", E.load.has_range, E.load.min_rating, E.load.max_rating);
    cr_assert(E.load.user_col && !strcmp(E.load.user_col, "userId"), "user_col");
    cr_assert(E.load.item_col && !strcmp(E.load.item_col, "movieId"), "item_col");
    cr_assert(E.load.rating_col && !strcmp(E.load.rating_col, "rating"), "rating_col");
    cr_assert(E.testFraction == 0.25, "testFraction %g", E.testFraction);
    cr_assert_eq(E.scheme, ALS_SPLIT_LEAVE_K_OUT, "scheme %d", E.scheme);
    cr_assert_eq(E.leaveK, 2, "leaveK %d", E.leaveK);
    cr_assert_eq(E.splitSeed, 123456789012345ull, "split seed %llu", (unsigned long long)E.splitSeed);
    cr_assert_eq(E.seed, UINT64_MAX, "seed %llu", (unsigned long long)E.seed);
    double rank[] = {4, 8}, a[] = {2.5}, nn[] = {0, 1}, one[] = {1};
    axis_is(&E.rank, "rank (block list)", 2, rank);
    axis_is(&E.alpha, "alpha", 1, a);
    axis_is(&E.nonnegative, "nonnegative", 2, nn);
    axis_is(&E.bias, "bias", 1, one);
    cr_assert_eq(E.coldStart, ALS_COLD_NAN, "coldStartStrategy NaN (case-insensitive) → %d", E.coldStart);
    cr_assert_eq(E.cgSteps, 5, "cgSteps %d", E.cgSteps);
    cr_assert_eq(E.metric.kind, ALS_METRIC_NDCG_AT, "metric kind %d", E.metric.kind);
    cr_assert_eq(E.metric.k, 5, "metric k %d", E.metric.k);
    cr_assert_eq(E.rankingK, 5, "rankingK %d", E.rankingK);
    cr_assert(E.relevanceThreshold == 3.5, "relevanceThreshold %g", E.relevanceThreshold);
}

Test(config, synthetic_preset_overrides_and_implicit_metric)
{
    load_ok(&E, fixture("good_synthetic.yaml"));
    als_synth_opts want;
    cr_assert(als_synth_preset(&want, "ml-100k", 7), "ml-100k preset known");
    cr_assert(E.synthetic, "synthetic");
    cr_assert_str_eq(E.synth.preset, "ml-100k", "preset");
    cr_assert_eq(E.synth.seed, 7u, "seed %llu", (unsigned long long)E.synth.seed);
    cr_assert_eq(E.synth.users, want.users, "users %u vs preset %u", E.synth.users, want.users);
    cr_assert_eq(E.synth.ratings, want.ratings, "ratings");
    cr_assert(E.synth.implicit, "implicit override applied");
    cr_assert_str_eq(E.ratings, "", "no ratings file: '%s'", E.ratings);
    cr_assert_eq(E.solver, ALS_SOLVE_CG, "solver %d", E.solver);
    cr_assert_eq(E.cgSteps, 4, "cgSteps %d", E.cgSteps);
    /* implicitPrefs and no metric: ndcg at rankingK (20) */
    cr_assert_eq(E.metric.kind, ALS_METRIC_NDCG_AT, "default metric for implicit: kind %d (%s)",
                 E.metric.kind, E.metric.name);
    cr_assert_eq(E.metric.k, 20, "k %d", E.metric.k);
    cr_assert_str_eq(E.metric.name, "ndcg@20", "metric name");
}

Test(config, synthetic_overrides_after_preset_whatever_the_key_order)
{
    make_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/s.yaml", tmpdir);
    write_text(p, "data:\n  synthetic: {users: 50, items: 40, ratings: 900, rank: 3, noise: 0.25,\n"
                  "              min_per_user: 5, preset: ml-1m, seed: 9}\n");
    load_ok(&E, p);
    cr_assert_eq(E.synth.users, 50u, "users %u", E.synth.users);
    cr_assert_eq(E.synth.items, 40u, "items %u", E.synth.items);
    cr_assert_eq(E.synth.ratings, 900u, "ratings %llu", (unsigned long long)E.synth.ratings);
    cr_assert_eq(E.synth.rank, 3, "rank %d", E.synth.rank);
    cr_assert(E.synth.noise == 0.25, "noise %g", E.synth.noise);
    cr_assert_eq(E.synth.min_per_user, 5u, "min_per_user %u", E.synth.min_per_user);
    cr_assert_eq(E.synth.seed, 9u, "seed");
    cr_assert_str_eq(E.synth.preset, "ml-1m", "preset");
    cr_assert_str_eq(E.name, "s", "name from the file name");
    rm_tmpdir();
}

/* Paths are relative to the YAML file, not to the current directory; the name drops only the
 * last extension; CRLF line ends are fine. */
Test(config, paths_relative_to_the_yaml_file)
{
    make_tmpdir();
    char sub[512], data[600], yaml[600];
    snprintf(sub, sizeof sub, "%s/exp", tmpdir);
    cr_assert_eq(mkdir(sub, 0777), 0, "mkdir %s", sub);
    snprintf(data, sizeof data, "%s/r.csv", tmpdir);
    write_text(data, "userId,movieId,rating\n1,1,5\n");
    snprintf(yaml, sizeof yaml, "%s/my.exp.yaml", sub);
    write_text(yaml, "data:\r\n  ratings: ../r.csv\r\noutput: ./out/../res\r\n");
    load_ok(&E, yaml);
    char want[700];
    char *real = realpath(data, NULL);
    cr_assert_not_null(real, "realpath");
    cr_assert_str_eq(E.ratings, real, "ratings '%s', expected '%s'", E.ratings, real);
    free(real);
    real = realpath(sub, NULL);
    snprintf(want, sizeof want, "%s/res", real);
    free(real);
    cr_assert_str_eq(E.output, want, "output '%s', expected '%s'", E.output, want);
    cr_assert_str_eq(E.name, "my.exp", "name '%s'", E.name);
    rm_tmpdir();
}

Test(config, missing_yaml_or_directory_is_bad_input)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(&E, "/nonexistent/dir/x.yaml", &d);
    cr_assert_eq(st, ALS_E_INPUT, "status %d (%s)", st, d.msg);
    cr_assert(strstr(d.msg, "cannot open experiment file") && !strcmp(d.path, "/nonexistent/dir/x.yaml"),
              "diag %s: %s", d.path, d.msg);
    st = als_config_load(&E, "/", &d);
    cr_assert_eq(st, ALS_E_INPUT, "directory: status %d (%s)", st, d.msg);
    cr_assert(strstr(d.msg, "is a directory"), "diag %s", d.msg);
}

Test(config, a_huge_file_is_refused_before_reading)
{
    make_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/big.yaml", tmpdir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "create %s", p);
    for (int i = 0; i < 300000; i++) /* 300000 × 17 bytes = 5.1 MB > 4 MiB */
        fputs("1\t242\t3\t88125094\n", f);
    fclose(f);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(&E, p, &d);
    rm_tmpdir();
    cr_assert_eq(st, ALS_E_INPUT, "status %d (%s)", st, d.msg);
    cr_assert(strstr(d.msg, "too large for an experiment file"), "message: %s", d.msg);
}

/* ---- round trip: write → load gives the same experiment --------------------------------------- */
static void axis_eq(const als_axis *a, const als_axis *b, const char *what)
{
    cr_assert_eq(a->n, b->n, "%s: %d vs %d values", what, a->n, b->n);
    for (int i = 0; i < a->n; i++)
        cr_assert(a->v[i] == b->v[i], "%s[%d]: %.17g vs %.17g", what, i, a->v[i], b->v[i]);
}
static void str_eq_or_null(const char *a, const char *b, const char *what)
{
    cr_assert((!a && !b) || (a && b && !strcmp(a, b)), "%s: '%s' vs '%s'", what, a ? a : "(null)",
              b ? b : "(null)");
}

static void experiments_equal(const als_experiment *a, const als_experiment *b)
{
    cr_assert_str_eq(a->name, b->name, "name");
    cr_assert_str_eq(a->output, b->output, "output");
    cr_assert_eq(a->synthetic, b->synthetic, "synthetic");
    if (a->synthetic) {
        str_eq_or_null(a->synth.preset, b->synth.preset, "preset");
        cr_assert(a->synth.users == b->synth.users && a->synth.items == b->synth.items &&
                      a->synth.ratings == b->synth.ratings && a->synth.rank == b->synth.rank &&
                      a->synth.noise == b->synth.noise && a->synth.implicit == b->synth.implicit &&
                      a->synth.min_per_user == b->synth.min_per_user && a->synth.seed == b->synth.seed,
                  "synthetic options differ: users %u/%u ratings %llu/%llu noise %.17g/%.17g",
                  a->synth.users, b->synth.users, (unsigned long long)a->synth.ratings,
                  (unsigned long long)b->synth.ratings, a->synth.noise, b->synth.noise);
    }
    cr_assert_str_eq(a->ratings, b->ratings, "ratings");
    cr_assert_str_eq(a->movies, b->movies, "movies");
    cr_assert_eq(a->load.format, b->load.format, "format");
    cr_assert_eq(a->load.skip_bad_lines, b->load.skip_bad_lines, "skip_bad_lines");
    cr_assert_eq(a->load.duplicates, b->load.duplicates, "duplicates");
    cr_assert_eq(a->load.has_range, b->load.has_range, "has_range");
    if (a->load.has_range)
        cr_assert(a->load.min_rating == b->load.min_rating && a->load.max_rating == b->load.max_rating,
                  "rating range");
    str_eq_or_null(a->load.user_col, b->load.user_col, "user_col");
    str_eq_or_null(a->load.item_col, b->load.item_col, "item_col");
    str_eq_or_null(a->load.rating_col, b->load.rating_col, "rating_col");
    cr_assert(a->testFraction == b->testFraction, "testFraction %.17g vs %.17g", a->testFraction, b->testFraction);
    cr_assert_eq(a->numFolds, b->numFolds, "numFolds");
    cr_assert_eq(a->scheme, b->scheme, "scheme");
    cr_assert_eq(a->leaveK, b->leaveK, "leaveK");
    cr_assert_eq(a->splitSeed, b->splitSeed, "split seed");
    axis_eq(&a->rank, &b->rank, "rank");
    axis_eq(&a->regParam, &b->regParam, "regParam");
    axis_eq(&a->maxIter, &b->maxIter, "maxIter");
    axis_eq(&a->alpha, &b->alpha, "alpha");
    axis_eq(&a->implicitPrefs, &b->implicitPrefs, "implicitPrefs");
    axis_eq(&a->nonnegative, &b->nonnegative, "nonnegative");
    axis_eq(&a->bias, &b->bias, "bias");
    cr_assert_eq(a->coldStart, b->coldStart, "coldStart");
    cr_assert_eq(a->seed, b->seed, "seed");
    cr_assert_eq(a->solver, b->solver, "solver");
    cr_assert_eq(a->cgSteps, b->cgSteps, "cgSteps");
    cr_assert_eq(a->earlyStopping, b->earlyStopping, "earlyStopping");
    cr_assert(a->esPatience == b->esPatience && a->esMinDelta == b->esMinDelta, "earlyStopping %d/%d %.17g/%.17g",
              a->esPatience, b->esPatience, a->esMinDelta, b->esMinDelta);
    cr_assert_eq(a->metric.kind, b->metric.kind, "metric kind");
    cr_assert_eq(a->metric.k, b->metric.k, "metric k");
    cr_assert_str_eq(a->metric.name, b->metric.name, "metric name");
    cr_assert_eq(a->rankingK, b->rankingK, "rankingK");
    cr_assert(a->relevanceThreshold == b->relevanceThreshold, "relevanceThreshold");
    cr_assert_eq(a->search.sampled, b->search.sampled, "search sampled");
    if (a->search.sampled)
        cr_assert(a->search.method == b->search.method && a->search.trials == b->search.trials &&
                      a->search.seed == b->search.seed,
                  "search: method %d/%d trials %d/%d", a->search.method, b->search.method, a->search.trials,
                  b->search.trials);
    const als_dist *da[4] = {&a->search.rank, &a->search.regParam, &a->search.maxIter, &a->search.alpha};
    const als_dist *db[4] = {&b->search.rank, &b->search.regParam, &b->search.maxIter, &b->search.alpha};
    for (int i = 0; i < 4; i++)
        cr_assert(da[i]->on == db[i]->on && da[i]->log == db[i]->log && da[i]->integer == db[i]->integer,
                  "distribution %d differs: on %d/%d log %d/%d int %d/%d", i, da[i]->on, db[i]->on, da[i]->log,
                  db[i]->log, da[i]->integer, db[i]->integer);
}

static void round_trip(const char *fixture_name)
{
    load_ok(&E, fixture(fixture_name));
    make_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/experiment.yaml", tmpdir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "cannot create %s", p);
    als_config_write(&E, f);
    /* The runner appends dataset, grid and fingerprint mappings; loading must accept them. */
    fputs("dataset:\n  n_ratings: 6\ngrid:\n  n_configs: 1\n  maxIter: [10]\n"
          "fingerprint:\n  config_sha256: 0123abcd\n  data_sha256: 4567ef01\n", f);
    cr_assert_eq(fclose(f), 0, "write %s", p);
    load_ok(&E2, p);
    experiments_equal(&E, &E2);
    /* And writing the reloaded one gives the same bytes. */
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *m1 = open_memstream(&t1, &n1), *m2 = open_memstream(&t2, &n2);
    als_config_write(&E, m1);
    als_config_write(&E2, m2);
    fclose(m1);
    fclose(m2);
    cr_assert(n1 == n2 && !memcmp(t1, t2, n1), "rewritten YAML differs:\n%s\n---\n%s", t1, t2);
    free(t1);
    free(t2);
    rm_tmpdir();
}

Test(config, round_trip_minimal) { round_trip("good_minimal.yaml"); }
Test(config, round_trip_grid) { round_trip("good_grid.yaml"); }
Test(config, round_trip_ranges) { round_trip("good_ranges.yaml"); }
Test(config, round_trip_synthetic) { round_trip("good_synthetic.yaml"); }
Test(config, round_trip_every_key) { round_trip("good_all.yaml"); }
Test(config, round_trip_random_search) { round_trip("search_random.yaml"); }
Test(config, round_trip_sobol_search) { round_trip("search_sobol.yaml"); }
Test(config, round_trip_categorical_search) { round_trip("search_categorical.yaml"); }

/* ---- search: ---------------------------------------------------------------------------------- */
Test(search, default_is_the_grid)
{
    load_ok(&E, fixture("good_grid.yaml"));
    cr_assert(!E.search.sampled, "a file without search: is sampled");
    cr_assert(!E.search.rank.on && !E.search.regParam.on && !E.search.maxIter.on && !E.search.alpha.on,
              "a grid has distributions");
    cr_assert(als_experiment_nconfigs(&E) == (double)als_runner_nconfigs(&E), "nconfigs %g vs %d",
              als_experiment_nconfigs(&E), als_runner_nconfigs(&E));
}

Test(search, random_distributions_and_lists)
{
    load_ok(&E, fixture("search_random.yaml"));
    const als_search_cfg *s = &E.search;
    cr_assert(s->sampled && s->method == ALS_SEARCH_RANDOM, "method %d sampled %d", s->method, s->sampled);
    cr_assert(s->trials == 6 && s->seed == 7, "trials %d seed %llu", s->trials, (unsigned long long)s->seed);
    cr_assert(s->rank.on && s->rank.integer && !s->rank.log, "rank: on %d int %d log %d", s->rank.on,
              s->rank.integer, s->rank.log);
    axis_is(&E.rank, "rank bounds", 2, (const double[]){2, 8});
    cr_assert(s->regParam.on && !s->regParam.integer && s->regParam.log, "regParam: int %d log %d",
              s->regParam.integer, s->regParam.log);
    axis_is(&E.regParam, "regParam bounds", 2, (const double[]){0.01, 1});
    cr_assert(s->maxIter.on && s->maxIter.integer, "maxIter distribution");
    axis_is(&E.maxIter, "maxIter bounds", 2, (const double[]){3, 6});
    cr_assert(!s->alpha.on, "alpha is a fixed scalar");
    axis_is(&E.nonnegative, "nonnegative choices", 2, (const double[]){0, 1});
    /* jobs: trials x folds; iteration rows: x the largest maxIter */
    cr_assert(als_experiment_nconfigs(&E) == 6 && als_experiment_njobs(&E) == 18 && als_experiment_iter_rows(&E) == 108,
              "nconfigs %g njobs %g rows %g", als_experiment_nconfigs(&E), als_experiment_njobs(&E),
              als_experiment_iter_rows(&E));
    cr_assert_eq(als_runner_nconfigs(&E), 6, "runner configs %d", als_runner_nconfigs(&E));
    cr_assert(E.pos[ALS_KEY_MAXITER].line == 13 && E.pos[ALS_KEY_MAXITER].col == 12, "maxIter at %ld:%ld",
              E.pos[ALS_KEY_MAXITER].line, E.pos[ALS_KEY_MAXITER].col);
    cr_assert(s->pos.line == 9 && s->pos.col == 18, "search.method at %ld:%ld", s->pos.line, s->pos.col);
}

Test(search, sobol_default_seed_and_type_int_on_a_float_parameter)
{
    make_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/s.yaml", tmpdir);
    /* als: before search: (the loader reads search: first whatever the order) */
    write_text(p, "data:\n  synthetic: {preset: ml-100k}\nals:\n  regParam: {min: 1, max: 5, type: int}\n"
                  "  alpha: {min: 0.5, max: 40, log: true}\nsearch:\n  method: sobol\n  trials: 3\n");
    load_ok(&E, p);
    cr_assert(E.search.sampled && E.search.method == ALS_SEARCH_SOBOL && E.search.seed == 42,
              "sobol, default seed 42: method %d seed %llu", E.search.method, (unsigned long long)E.search.seed);
    cr_assert(E.search.regParam.on && E.search.regParam.integer && !E.search.regParam.log, "regParam type int");
    cr_assert(E.search.alpha.on && !E.search.alpha.integer && E.search.alpha.log, "alpha log float");
    axis_is(&E.alpha, "alpha bounds", 2, (const double[]){0.5, 40});
    rm_tmpdir();
}

Test(search, method_grid_keeps_ranges)
{
    make_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/g.yaml", tmpdir);
    write_text(p, "data:\n  synthetic: {preset: ml-100k}\nsearch: {method: grid}\nals:\n"
                  "  rank: {min: 2, max: 8, num: 3}\n");
    load_ok(&E, p);
    cr_assert(!E.search.sampled && !E.search.rank.on, "method: grid is not sampled");
    axis_is(&E.rank, "rank grid", 3, (const double[]){2, 5, 8});
    rm_tmpdir();
}

Test(search, an_int_distribution_beyond_2_to_the_53_is_refused)
{
    make_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/big.yaml", tmpdir);
    write_text(p, "data:\n  synthetic: {preset: ml-100k}\nsearch: {method: random, trials: 2}\nals:\n"
                  "  regParam: {min: 1, max: 1e30, type: int}\n");
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_config_load(&E, p, &d), ALS_E_INPUT, "accepted: %s", d.msg);
    cr_assert(d.line == 5 && d.col == 27 && strstr(d.msg, "type int needs max <= 9007199254740992"),
              "at %ld:%ld: %s", d.line, d.col, d.msg);
    rm_tmpdir();
}

Test(search, runner_refuses_a_bad_search_built_in_code_before_reading_anything)
{
    load_ok(&E, fixture("search_random.yaml"));
    E.search.trials = 0;
    als_run_opts o = {.threads = 1, .quiet = true, .out_dir = "/nonexistent/never-created"};
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "trials 0 accepted: %s", d.msg);
    cr_assert(strstr(d.msg, "trials must be an integer in [1, 10000]") != NULL, "message: %s", d.msg);
    load_ok(&E, fixture("search_random.yaml"));
    E.search.method = ALS_SEARCH_TPE;
    E.search.batch = 0;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "tpe batch 0 accepted: %s", d.msg);
    cr_assert(strstr(d.msg, "search.batch must be an integer in [1, 1000]") != NULL, "message: %s", d.msg);
    load_ok(&E, fixture("search_grid_halving.yaml"));
    E.search.eta = 1;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "eta 1 accepted: %s", d.msg);
    cr_assert(strstr(d.msg, "eta must be an integer in [2, 100]") != NULL, "message: %s", d.msg);
    load_ok(&E, fixture("search_grid_halving.yaml"));
    E.search.minIter = 19;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "minIter 19 accepted: %s", d.msg);
    cr_assert(strstr(d.msg, "minIter: 19 is above maxIter 18") != NULL, "message: %s", d.msg);
}

/* Every bad search fixture: ALS_E_INPUT at a line and column of the file, nothing else. */
Test(search, bad_configurations_are_positioned_errors)
{
    static const struct {
        const char *file;
        long line, col;
        const char *msg;
    } cases[] = {
        {"bad_search_trials_zero.yaml", 5, 34, "search.trials: expected an integer in [1, 10000]"},
        {"bad_search_trials_huge.yaml", 5, 34, "(the limit: every trial is numFolds jobs"},
        {"bad_search_min_gt_max.yaml", 7, 27, "regParam: distribution min 1 > max 0.1"},
        {"bad_search_log_min_zero.yaml", 7, 19, "a log distribution needs min > 0"},
        {"bad_search_dist_grid.yaml", 7, 9, "needs a sampled search"},
        {"bad_search_dist_nosearch.yaml", 6, 9, "needs a sampled search"},
        {"bad_search_num_sampler.yaml", 7, 26, "'num' makes a grid range"},
        {"bad_search_method.yaml", 5, 18, "expected one of grid, random, sobol, tpe"},
        {"bad_search_tpe.yaml", 5, 41, "search.batch: expected an integer in [1, 1000]"},
        {"bad_search_no_trials.yaml", 5, 18, "needs 'trials: N'"},
        {"bad_search_trials_grid.yaml", 7, 3, "search.trials: only for a sampled search"},
        {"bad_search_nothing.yaml", 5, 18, "needs a parameter to sample"},
        {"bad_search_type_float.yaml", 7, 32, "rank is an integer"},
        {"bad_search_type_grid.yaml", 6, 34, "'type' belongs to a distribution"},
        {"bad_search_key.yaml", 5, 37, "unknown key 'prune' in 'search'"},
        {"bad_search_rank_bound.yaml", 7, 23, "rank max: expected an integer in [1, 1024]"},
        {"bad_search_float_equal.yaml", 7, 29, "needs min < max"},
        {"bad_search_int_min.yaml", 7, 19, "type int needs an integer min"},
        {"bad_search_seed.yaml", 5, 43, "search.seed: expected an integer >= 0"},
        {"bad_search_maxiter_wide.yaml", 7, 12, "more than 256 distinct maxIter values"},
        {"bad_search_jobs.yaml", 5, 33, "search.trials: 10000 trials x 11 folds = 110000 jobs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        als_diag d;
        als_diag_clear(&d);
        als_status st = als_config_load(&E, fixture(cases[i].file), &d);
        cr_assert_eq(st, ALS_E_INPUT, "%s: status %d (%s)", cases[i].file, st, d.msg);
        cr_assert(d.line == cases[i].line && d.col == cases[i].col, "%s: at %ld:%ld, expected %ld:%ld (%s)",
                  cases[i].file, d.line, d.col, cases[i].line, cases[i].col, d.msg);
        cr_assert(strstr(d.msg, cases[i].msg) != NULL, "%s: message '%s' lacks '%s'", cases[i].file, d.msg,
                  cases[i].msg);
    }
}

Test(config, written_doubles_round_trip_exactly)
{
    make_tmpdir();
    char p[512], data[512];
    snprintf(data, sizeof data, "%s/r.csv", tmpdir);
    write_text(data, "userId,movieId,rating\n1,1,5\n");
    snprintf(p, sizeof p, "%s/awkward.yaml", tmpdir);
    write_text(p, "data: {ratings: r.csv}\n"
                  "als:\n  regParam: [0.1, 0.30000000000000004, 1e-300, 2.2250738585072014e-308, "
                  "123456789.123456789]\n  alpha: 0.7\nsplit: {testFraction: 0.1}\n"
                  "relevanceThreshold: -2.5e-7\n");
    load_ok(&E, p);
    double want[] = {0.1, 0.30000000000000004, 1e-300, 2.2250738585072014e-308, 123456789.123456789};
    axis_is(&E.regParam, "regParam", 5, want);
    snprintf(p, sizeof p, "%s/again.yaml", tmpdir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "create");
    als_config_write(&E, f);
    fclose(f);
    load_ok(&E2, p);
    axis_eq(&E.regParam, &E2.regParam, "regParam");
    cr_assert(E2.relevanceThreshold == -2.5e-7, "relevanceThreshold %.17g", E2.relevanceThreshold);
    cr_assert(E2.testFraction == 0.1, "testFraction %.17g", E2.testFraction);
    rm_tmpdir();
}

/* ---- errors: status, file:line:col and message ----------------------------------------------- */
/* Self-contained (no pointers): Criterion copies parameters into another process. */
typedef struct {
    char file[64];
    long line, col;
    char msg[160]; /* a substring the message must contain */
} bad_case;

ParameterizedTestParameters(config, errors)
{
    static bad_case cases[] = {
        {"bad_syntax.yaml", 5, 11, "YAML syntax error: did not find expected ',' or ']'"},
        {"bad_tab.yaml", 2, 1, "tabs cannot indent YAML"},
        {"bad_key_regparam.yaml", 5, 3, "unknown key 'regparam' in 'als'; did you mean 'regParam'?"},
        {"bad_key_maxiter.yaml", 4, 3, "unknown key 'maxiter' in 'als'; did you mean 'maxIter'?"},
        {"bad_key_numfolds.yaml", 4, 3, "unknown key 'numfolds' in 'split'; did you mean 'numFolds'?"},
        {"bad_key_misplaced.yaml", 3, 1, "unknown key 'rank'; it belongs under 'als:'"},
        {"bad_key_unknown.yaml", 4, 3, "unknown key 'learningRate' in 'als'; expected one of: rank, regParam"},
        {"bad_rank_word.yaml", 4, 9, "rank: expected an integer in [1, 1024], found 'ten'"},
        {"bad_rank_float.yaml", 4, 9, "rank: expected an integer in [1, 1024], found '2.5'"},
        {"bad_rank_quoted.yaml", 4, 9, "rank: expected an integer in [1, 1024], found the string \"10\""},
        {"bad_implicit_maybe.yaml", 4, 18, "implicitPrefs: expected true or false, found 'maybe'"},
        {"bad_empty_list.yaml", 4, 9, "rank: empty list"},
        {"bad_list_too_long.yaml", 4, 13, "regParam: list has 257 values; at most 256 are allowed"},
        {"bad_rank_zero.yaml", 4, 13, "rank: expected an integer in [1, 1024], found '0'"},
        {"bad_regparam_negative.yaml", 4, 13, "regParam: expected a number >= 0, found '-0.1'"},
        {"bad_maxiter_zero.yaml", 4, 12, "maxIter: expected an integer in [1, 100000], found '0'"},
        {"bad_alpha_negative.yaml", 5, 11, "alpha: expected a number >= 0, found '-1'"},
        {"bad_numfolds_one.yaml", 4, 13, "numFolds: expected an integer in [2, 1000], found '1'"},
        {"bad_numfolds_synthetic.yaml", 4, 13, "numFolds: 25 folds need at least as many ratings"},
        {"bad_testfraction.yaml", 4, 17, "testFraction: expected a number in [0, 1), found '1.0'"},
        {"bad_duplicate_key.yaml", 6, 3, "duplicate key 'rank' (first given at line 4)"},
        {"bad_missing_file.yaml", 2, 3, "no-such-ratings.csv' not found"},
        {"bad_both_data.yaml", 3, 3, "give either 'ratings' (a file) or 'synthetic'"},
        {"bad_neither_data.yaml", 1, 1, "data: expected 'ratings' (a ratings file) or 'synthetic'"},
        {"bad_no_data.yaml", 1, 1, "missing required key 'data'"},
        {"bad_preset.yaml", 3, 13, "preset: expected one of ml-100k, ml-1m, ml-25m, msd, found 'ml-200k'"},
        {"bad_metric.yaml", 3, 9, "metric: unknown metric 'rsme'; did you mean 'rmse'?"},
        {"bad_anchor.yaml", 4, 9, "YAML anchors (&ranks) are not supported"},
        {"bad_not_mapping.yaml", 1, 1, "expected a mapping of experiment keys"},
        {"bad_empty.yaml", 1, 1, "empty experiment file"},
        {"bad_not_utf8.yaml", 2, 14, "not a UTF-8 text file"},
        {"bad_garbage.yaml", 1, 1, "not a UTF-8 text file: control characters are not allowed"},
        {"bad_range_log.yaml", 4, 19, "regParam: a log range needs min > 0"},
        {"bad_range_keys.yaml", 4, 27, "unknown key 'steps' in 'rank range'"},
        {"bad_cold_start.yaml", 4, 22, "found 'dorp'; did you mean 'drop'?"},
        {"bad_two_documents.yaml", 3, 1, "a second YAML document starts here"},
        {"bad_bias_implicit.yaml", 5, 9, "bias: biases are for explicit ratings only"},
        {"bad_scheme.yaml", 4, 11, "did you mean 'per_user'?"},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *bc, config, errors)
{
    const char *p = fixture(bc->file);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(&E, p, &d);
    cr_assert_eq(st, ALS_E_INPUT, "%s: status %d, expected ALS_E_INPUT (%s)", bc->file, st, d.msg);
    cr_assert_str_eq(d.path, p, "%s: diag path '%s'", bc->file, d.path);
    cr_assert(d.line == bc->line && d.col == bc->col, "%s: at %ld:%ld, expected %ld:%ld (%s)", bc->file,
              d.line, d.col, bc->line, bc->col, d.msg);
    cr_assert(strstr(d.msg, bc->msg), "%s: message '%s' lacks '%s'", bc->file, d.msg, bc->msg);
}

/* Errors that are easier to state inline than as fixture files. */
typedef struct {
    char yaml[256];
    long line, col;
    char msg[160];
} inline_case;

ParameterizedTestParameters(config, inline_errors)
{
    static inline_case cases[] = {
        {"data: {ratings: r.csv}\nals: {rank: {min: 5, max: 1, num: 3}}\n", 2, 27, "range max 1 is less than min 5"},
        {"data: {ratings: r.csv}\nals: {rank: {min: 1, max: 5}}\n", 2, 13, "missing 'num'"},
        {"data: {ratings: r.csv}\nals: {rank: {min: 1, max: 5, num: 300}}\n", 2, 35, "rank num: expected an integer in [1, 256]"},
        {"data: {ratings: r.csv}\nals: {implicitPrefs: {min: 0, max: 1, num: 2}}\n", 2, 22, "implicitPrefs: expected true, false or a list"},
        {"data: {ratings: r.csv}\nals: {rank: [5, 10, 5]}\n", 2, 21, "rank: value 5 appears twice"},
        {"data: {ratings: r.csv}\nals: {regParam: [0.1, [0.2]]}\n", 2, 23, "regParam: expected a number >= 0, found a list"},
        {"data: {ratings: r.csv}\nals: {regParam: .inf}\n", 2, 17, "found '.inf'"},
        {"data: {ratings: r.csv}\nals: {regParam: 0x10}\n", 2, 17, "found '0x10'"},
        {"data: {ratings: r.csv}\nals: {rank: 99999999999999999999}\n", 2, 13, "expected an integer in [1, 1024]"},
        {"data: {ratings: r.csv}\nals: {seed: -1}\n", 2, 13, "seed: expected an integer >= 0, found '-1'"},
        {"data: {ratings: r.csv}\nals: {implicitPrefs: yes}\n", 2, 22, "expected true or false, found 'yes'"},
        {"data: {ratings: r.csv}\nals: {rank: }\n", 2, 13, "rank: expected an integer in [1, 1024], found nothing"},
        {"data: {ratings: r.csv}\nals: {solver: lu}\n", 2, 15, "solver: expected one of cholesky, cg"},
        {"data: {ratings: r.csv}\nals: {cgSteps: 0}\n", 2, 16, "cgSteps: expected an integer in [1, 100000]"},
        {"data: {ratings: r.csv}\nals: 10\n", 2, 6, "als: expected a mapping of keys, found '10'"},
        /* als.earlyStopping (issue 12 item 4) */
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 0}}\n", 2, 33, "patience: expected an integer in [1, 100000], found '0'"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 100001}}\n", 2, 33, "(the limit: a patience above the largest maxIter"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 1.5}}\n", 2, 33, "patience: expected an integer"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 2, minDelta: -1}}\n", 2, 46, "minDelta: expected a number >= 0, found '-1'"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 2, minDelta: .inf}}\n", 2, 46, "minDelta: expected a number >= 0, found '.inf'"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 2, minDelta: .nan}}\n", 2, 46, "minDelta: expected a number >= 0, found '.nan'"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 2, minDelta: 1e999}}\n", 2, 46, "minDelta: expected a number >= 0"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 2, patiance: 3}}\n", 2, 36, "unknown key 'patiance' in 'als.earlyStopping'; did you mean 'patience'?"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {patience: 2, restore_best: true}}\n", 2, 36, "expected one of: patience, minDelta"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: {minDelta: 0.1}}\n", 2, 22, "earlyStopping: patience is required"},
        {"data: {ratings: r.csv}\nals: {earlyStopping: 5}\n", 2, 22, "earlyStopping: expected a mapping of keys"},
        {"data: {ratings: r.csv}\nearlyStopping: {patience: 2}\n", 2, 1, "unknown key 'earlyStopping'; it belongs under 'als:'"},
        {"data: {ratings: r.csv}\nsplit: {scheme: leave_k_out, leaveK: 0}\n", 2, 38, "leaveK: expected an integer in [1, 1000000]"},
        {"data: {ratings: r.csv}\nsplit: {testFraction: -0.1}\n", 2, 23, "expected a number in [0, 1)"},
        {"data: {ratings: r.csv}\nmetric: ndgc@5\n", 2, 9, "did you mean 'ndcg@5'?"},
        {"data: {ratings: r.csv}\nmetric: [rmse]\n", 2, 9, "metric: expected one of rmse"},
        {"data: {ratings: r.csv}\nrankingK: 0\n", 2, 11, "rankingK: expected an integer in [1, 1000000]"},
        {"data: {ratings: r.csv}\nrelevanceThreshold: high\n", 2, 21, "relevanceThreshold: expected a number"},
        {"data: {ratings: r.csv}\nname: a/b\n", 2, 7, "name: expected a folder name without '/'"},
        {"data: {ratings: r.csv}\nname: ..\n", 2, 7, "cannot name a results folder"},
        {"data: {ratings: r.csv, format: xls}\n", 1, 32, "format: expected one of auto, csv"},
        {"data: {ratings: r.csv, duplicates: sum}\n", 1, 36, "duplicates: expected one of last, first, error"},
        {"data: {ratings: r.csv, rating_range: [5, 1]}\n", 1, 42, "rating_range: expected max > min"},
        {"data: {ratings: r.csv, rating_range: [1, 2, 3]}\n", 1, 38, "expected a list of two numbers"},
        {"data: {ratings: r.csv, skip_bad_lines: 1}\n", 1, 40, "skip_bad_lines: expected true or false"},
        {"data: {ratings: r.csv, movies: nope.csv}\n", 1, 24, "movies: file"},
        {"data: {ratings: .}\n", 1, 8, "is a directory"},
        {"data: {synthetic: {preset: ml-100k}, movies: r.csv}\n", 1, 38, "movies: not used with synthetic"},
        {"data: {synthetic: {users: 0}}\n", 1, 27, "users: expected an integer in [1, "},
        {"data: {synthetic: {users: 10, items: 5, ratings: 100}}\n", 1, 19, "synthetic: "},
        {"data: {synthetic: {presett: ml-1m}}\n", 1, 20, "unknown key 'presett' in 'data.synthetic'; did you mean 'preset'?"},
        {"data: [r.csv]\n", 1, 7, "data: expected a mapping of keys, found a list"},
        {"data: {ratings: r.csv}\nfingerprint: {a: 1}\nfingerprint: {a: 1}\n", 3, 1, "duplicate key 'fingerprint'"},
        {"data: {ratings: r.csv}\n? [a]\n: 1\n", 2, 3, "expected a key name, found a list used as a key"},
        {"data: {ratings: r.csv}\nals: !!map {rank: 1}\n", 2, 6, "YAML tags (tag:yaml.org,2002:map) are not supported"},
        {"data: {ratings: r.csv}\nals:\n  rank: *x\n", 3, 9, "YAML aliases (*x) are not supported"},
        {"data: {ratings: r.csv}\nals: {rank: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}\n",
         2, 43, "nesting deeper than 32 levels"},
        {"# only a comment\n", 1, 1, "empty experiment file"},
        {"---\n", 1, 1, "empty experiment file"},
        {"just a string\n", 1, 1, "found 'just a string'"},
        {"data: {ratings: r.csv}\nrank\n", 3, 1, "YAML syntax error: could not find expected ':' (while scanning a simple key that starts at line 2, column 1)"},
        {"\xef\xbb\xbf" "data: {ratings: r.csv}\nals: {rank: -3}\n", 2, 13, "found '-3'"},
    };
    return cr_make_param_array(inline_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(inline_case *ic, config, inline_errors)
{
    make_tmpdir();
    char p[512], data[512];
    snprintf(data, sizeof data, "%s/r.csv", tmpdir);
    write_text(data, "userId,movieId,rating\n1,1,5\n");
    snprintf(p, sizeof p, "%s/case.yaml", tmpdir);
    write_text(p, ic->yaml);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_config_load(&E, p, &d);
    rm_tmpdir();
    cr_assert_eq(st, ALS_E_INPUT, "status %d for:\n%s\n(%s)", st, ic->yaml, d.msg);
    cr_assert(d.line == ic->line && d.col == ic->col, "at %ld:%ld, expected %ld:%ld: %s\nfor:\n%s", d.line,
              d.col, ic->line, ic->col, d.msg, ic->yaml);
    cr_assert(strstr(d.msg, ic->msg), "message '%s' lacks '%s' for:\n%s", d.msg, ic->msg, ic->yaml);
}

/* A valid ratings path with duplicates-free boolean grid and an explicit list of one value. */
Test(config, boolean_grid_and_scalar_forms)
{
    make_tmpdir();
    char p[512], data[512];
    snprintf(data, sizeof data, "%s/r.csv", tmpdir);
    write_text(data, "userId,movieId,rating\n1,1,5\n");
    snprintf(p, sizeof p, "%s/b.yaml", tmpdir);
    write_text(p, "data: {ratings: r.csv, movies: \"\", rating_range: null}\n"
                  "als:\n  implicitPrefs: [false, true]\n  nonnegative: [True]\n  bias: FALSE\n"
                  "  rank: [7]\n  regParam: {min: 0.5, max: 0.5, num: 3}\n");
    load_ok(&E, p);
    rm_tmpdir();
    double fb[] = {0, 1}, t[] = {1}, f0[] = {0}, seven[] = {7}, half[] = {0.5};
    axis_is(&E.implicitPrefs, "implicitPrefs", 2, fb);
    axis_is(&E.nonnegative, "nonnegative", 1, t);
    axis_is(&E.bias, "bias", 1, f0);
    axis_is(&E.rank, "rank", 1, seven);
    axis_is(&E.regParam, "regParam (min = max: one value)", 1, half);
    cr_assert_str_eq(E.movies, "", "empty movies = none");
    cr_assert(!E.load.has_range, "null rating_range = none");
    /* implicitPrefs partly true and no metric: ranking metric */
    cr_assert_str_eq(E.metric.name, "ndcg@10", "metric %s", E.metric.name);
}

/* ---- limits, key positions, job cap, estimate (issue 11) ------------------------------------- */
Test(limits, key_positions_are_kept_for_data_dependent_errors)
{
    make_tmpdir();
    char y[512], r[512];
    snprintf(r, sizeof r, "%s/r.csv", tmpdir);
    write_text(r, "userId,movieId,rating\n1,1,4\n");
    snprintf(y, sizeof y, "%s/e.yaml", tmpdir);
    write_text(y, "data:\n  ratings: r.csv\nsplit:\n  numFolds: 7\nals:\n  rank: [2, 3]\n  regParam: 0\n");
    load_ok(&E, y);
    cr_assert(E.pos[ALS_KEY_NUMFOLDS].line == 4 && E.pos[ALS_KEY_NUMFOLDS].col == 13, "numFolds at %ld:%ld",
              E.pos[ALS_KEY_NUMFOLDS].line, E.pos[ALS_KEY_NUMFOLDS].col);
    cr_assert(E.pos[ALS_KEY_RANK].line == 6 && E.pos[ALS_KEY_RANK].col == 9, "rank at %ld:%ld",
              E.pos[ALS_KEY_RANK].line, E.pos[ALS_KEY_RANK].col);
    cr_assert(E.pos[ALS_KEY_REGPARAM].line == 7 && E.pos[ALS_KEY_MAXITER].line == 0, "regParam %ld, maxIter %ld",
              E.pos[ALS_KEY_REGPARAM].line, E.pos[ALS_KEY_MAXITER].line);
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_experiment_error(&E, ALS_KEY_NUMFOLDS, &d, "numFolds: %d", 7), ALS_E_INPUT, "status");
    cr_assert(d.line == 4 && d.col == 13 && strcmp(d.path, y) == 0, "at %s:%ld:%ld", d.path, d.line, d.col);
    /* the runner, with the data read: numFolds 7 > the one rating, at numFolds' line:col */
    als_run_opts o = {.threads = 1, .quiet = true, .fresh = true, .out_dir = tmpdir};
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "numFolds 7 on 1 rating accepted");
    cr_assert(d.line == 4 && d.col == 13 && strstr(d.msg, "numFolds: 7 folds") != NULL, "%ld:%ld: %s", d.line,
              d.col, d.msg);
    rm_tmpdir();
}

Test(limits, runner_checks_parameters_and_the_job_cap_before_reading_anything)
{
    /* An experiment built in code (no loader): rank 1100 once crashed in als_model_init. The data
     * file does not exist, so an answer about the rank proves nothing was read first. */
    als_experiment_default(&E);
    snprintf(E.path, sizeof E.path, "code.yaml");
    snprintf(E.ratings, sizeof E.ratings, "/nonexistent/ratings.csv");
    snprintf(E.name, sizeof E.name, "x");
    E.rank.v[0] = 1100;
    E.pos[ALS_KEY_RANK].line = 3;
    E.pos[ALS_KEY_RANK].col = 9;
    als_run_opts o = {.threads = 1, .quiet = true, .out_dir = "/nonexistent/out"};
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "rank 1100 accepted by the runner");
    cr_assert(strstr(d.msg, "rank must be an integer in [1, 1024], got 1100") != NULL && d.line == 3 && d.col == 9,
              "%s:%ld:%ld: %s", d.path, d.line, d.col, d.msg);
    E.rank.v[0] = 10;
    E.maxIter.v[0] = 1e9;
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "maxIter 1e9 accepted by the runner");
    cr_assert(strstr(d.msg, "maxIter must be an integer in [0, 100000]") != NULL, "%s", d.msg);
    E.maxIter.v[0] = 10;
    E.rank.n = E.regParam.n = E.alpha.n = 256;
    for (int i = 0; i < 256; i++)
        E.rank.v[i] = 1 + i, E.regParam.v[i] = 0.01 * (i + 1), E.alpha.v[i] = 1 + i;
    cr_assert(als_experiment_njobs(&E) == 256.0 * 256 * 256 * 5, "njobs %g", als_experiment_njobs(&E));
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "a 256^3 grid accepted by the runner");
    cr_assert(strstr(d.msg, "83886080 jobs; at most 100000 jobs are allowed") != NULL, "%s", d.msg);
}

Test(limits, estimate_grows_with_the_data_and_the_grid)
{
    als_experiment_default(&E);
    als_data_shape s = {.ratings = 100000, .users = 943, .items = 1682, .file_bytes = 2000000};
    als_estimate a, b, c;
    als_estimate_run(&E, &s, 2, &a);
    cr_assert(a.jobs == 5 && a.peak_bytes > 8e6 && a.peak_bytes < 1e8 && a.seconds > 0 && a.seconds < 60,
              "ml-100k default: jobs %g peak %g s %g", a.jobs, a.peak_bytes, a.seconds);
    s.ratings *= 10;
    als_estimate_run(&E, &s, 2, &b);
    cr_assert(b.peak_bytes > 5 * (a.peak_bytes - ALS_EST_BASE_BYTES) && b.seconds > 5 * a.seconds,
              "10x ratings: peak %g vs %g, s %g vs %g", b.peak_bytes, a.peak_bytes, b.seconds, a.seconds);
    E.rank.v[0] = 100;
    als_estimate_run(&E, &s, 2, &c);
    cr_assert(c.seconds > 10 * b.seconds, "rank 100 vs 10: %g s vs %g s", c.seconds, b.seconds);
    als_estimate_run(&E, &s, 1, &b);
    cr_assert(fabs(b.seconds_cv - 2 * c.seconds_cv) < 1e-9 * c.seconds_cv, "1 thread %g s, 2 threads %g s",
              b.seconds_cv, c.seconds_cv);
}

/* ---- als.earlyStopping (issue 12 item 4) ------------------------------------------------------ */

Test(config, early_stopping_off_by_default_and_not_written)
{
    make_tmpdir();
    char p[512], data[512], out[512];
    snprintf(data, sizeof data, "%s/r.csv", tmpdir);
    write_text(data, "userId,movieId,rating\n1,1,5\n");
    snprintf(p, sizeof p, "%s/plain.yaml", tmpdir);
    write_text(p, "data: {ratings: r.csv}\n");
    load_ok(&E, p);
    cr_assert(!E.earlyStopping, "earlyStopping on by default");
    snprintf(out, sizeof out, "%s/experiment.yaml", tmpdir);
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    als_config_write(&E, f);
    fclose(f);
    char *text = NULL;
    size_t n = 0;
    als_diag d;
    cr_assert_eq(als_read_file(out, &text, &n, &d), ALS_OK);
    cr_assert_null(strstr(text, "earlyStopping"), "experiment.yaml names earlyStopping when it was not given");
    free(text);
    rm_tmpdir();
}

Test(config, early_stopping_parsed_written_and_reloaded)
{
    make_tmpdir();
    char p[512], data[512], out[512];
    snprintf(data, sizeof data, "%s/r.csv", tmpdir);
    write_text(data, "userId,movieId,rating\n1,1,5\n");
    snprintf(p, sizeof p, "%s/es.yaml", tmpdir);
    write_text(p, "data: {ratings: r.csv}\nals:\n  maxIter: 20\n  earlyStopping: {patience: 3, minDelta: 0.0005}\n");
    load_ok(&E, p);
    cr_assert(E.earlyStopping && E.esPatience == 3 && E.esMinDelta == 0.0005, "earlyStopping %d %d %g",
              E.earlyStopping, E.esPatience, E.esMinDelta);
    write_text(p, "data: {ratings: r.csv}\nals:\n  earlyStopping: {patience: 100000}\n");
    load_ok(&E, p);
    cr_assert(E.earlyStopping && E.esPatience == 100000 && E.esMinDelta == 0, "minDelta defaults to 0");
    E.esMinDelta = 0.25;
    snprintf(out, sizeof out, "%s/experiment.yaml", tmpdir);
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    als_config_write(&E, f);
    fclose(f);
    load_ok(&E2, out);
    cr_assert(E2.earlyStopping && E2.esPatience == 100000 && E2.esMinDelta == 0.25, "round trip %d %d %g",
              E2.earlyStopping, E2.esPatience, E2.esMinDelta);
    rm_tmpdir();
}

Test(config, runner_refuses_bad_early_stopping_built_in_code_before_reading_anything)
{
    load_ok(&E, fixture("search_random.yaml"));
    E.earlyStopping = true;
    E.esPatience = 0;
    als_run_opts o = {.threads = 1, .quiet = true, .out_dir = "/nonexistent/never-created"};
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "patience 0 accepted: %s", d.msg);
    cr_assert(strstr(d.msg, "patience must be an integer in [1, 100000]") != NULL, "message: %s", d.msg);
    E.esPatience = 2;
    E.esMinDelta = -1;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "minDelta -1 accepted: %s", d.msg);
    cr_assert(strstr(d.msg, "minDelta must be a finite number >= 0") != NULL, "message: %s", d.msg);
    E.esMinDelta = NAN;
    als_diag_clear(&d);
    cr_assert_eq(als_run_experiment(&E, &o, NULL, &d), ALS_E_INPUT, "minDelta NaN accepted: %s", d.msg);
}
