/* Unit tests of als_report (CSV and flat-YAML readers, results loading) and als_check
 * (tolerances, verdicts, baseline round trip), the warnings and the CI/trials figures.  Fixtures:
 * tests/fixtures/results/{tiny,edge,interior,sampled}. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "als_check.h"
#include "als_plot.h"
#include "als_report.h"
#include "als_util.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/als-report-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp(%s) failed", tmpdir);
}

static void rm_tmpdir(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert(system(cmd) == 0, "cannot remove %s", tmpdir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void fixture(char *out, size_t n)
{
    const char *top = getenv("TOP_SRCDIR");
    snprintf(out, n, "%s/tests/fixtures/results/tiny", top ? top : "..");
}

/* ---- numbers -------------------------------------------------------------------------------- */

Test(report, parse_double_agrees_with_strtod)
{
    const char *good[] = {"0", "1", "-2.5", "0.92165300381632953", "1e-3", "1E+10", "nan", "inf", "-inf", ".5",
                          "4.9406564584124654e-324"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v = -7, want = strtod(good[i], NULL);
        cr_assert(als_str_to_double(good[i], &v), "'%s' should parse", good[i]);
        cr_assert((isnan(want) && isnan(v)) || v == want, "'%s': got %.17g, strtod %.17g", good[i], v, want);
    }
    const char *bad[] = {"", " 1", "1 ", "1x", "abc", "0.9.1", "1e400", "--1", ","};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 0;
        cr_assert(!als_str_to_double(bad[i], &v), "'%s' should be rejected, got %.17g", bad[i], v);
    }
}

Test(report, str_to_long_whole_string_and_range)
{
    long v = -7;
    cr_assert(als_str_to_long("42", 0, 100, &v) && v == 42, "'42' -> %ld", v);
    cr_assert(als_str_to_long("-3", -5, 5, &v) && v == -3, "'-3' -> %ld", v);
    const char *bad[] = {"", " 1", "1 ", "1x", "0x10", "1.0", "101", "-6", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 0;
        cr_assert(!als_str_to_long(bad[i], -5, 100, &v), "'%s' should be rejected, got %ld", bad[i], v);
    }
    cr_assert(!als_str_to_long(NULL, 0, 1, &v), "NULL should be rejected");
}

Test(report, next_line_and_trim)
{
    char text[] = "a,b\r\n\n  c \t\nlast";
    char *p = text, *l;
    const char *want[] = {"a,b", "", "  c \t", "last"};
    for (size_t i = 0; i < 4; i++) {
        l = als_str_next_line(&p);
        cr_assert(l && strcmp(l, want[i]) == 0, "line %zu: got '%s', want '%s'", i, l ? l : "(null)", want[i]);
    }
    cr_assert(als_str_next_line(&p) == NULL, "end of text");
    char blank[] = " \t x y\t ";
    cr_assert_str_eq(als_str_trim(blank), "x y", "trim");
}

Test(report, str_to_u64_digits_only)
{
    uint64_t v = 0;
    cr_assert(als_str_to_u64("18446744073709551615", &v) && v == UINT64_MAX, "max -> %llu", (unsigned long long)v);
    const char *bad[] = {"", "-1", "+1", " 1", "1 ", "18446744073709551616", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(!als_str_to_u64(bad[i], &v), "'%s' should be rejected", bad[i]);
}

Test(report, json_str_escapes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f, "open_memstream");
    als_json_str(f, "a\"b\\c\nd\re\tf\x01g\xc3\xa9");
    fclose(f);
    cr_assert_str_eq(buf, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\xc3\xa9\"", "got %s", buf);
    free(buf);
}

Test(report, metric_direction_by_name)
{
    const char *lower[] = {"rmse", "RMSE", "mse", "mae", "mpr"};
    const char *higher[] = {"r2", "var", "ndcg@10", "precision@5", "recall@20", "map", "map@10", "auc"};
    for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
        cr_assert(als_metric_name_lower_is_better(lower[i]), "%s should be lower-is-better", lower[i]);
    for (size_t i = 0; i < sizeof higher / sizeof higher[0]; i++)
        cr_assert(!als_metric_name_lower_is_better(higher[i]), "%s should be higher-is-better", higher[i]);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

Test(report, csv_by_column_name_with_crlf_and_blank_lines)
{
    make_tmpdir();
    char p[400];
    snprintf(p, sizeof p, "%s/a.csv", tmpdir);
    write_file(p, "x,extra,value\r\n1,foo,2.5\r\n\r\n3,bar,nan\r\n");
    als_csv t;
    als_diag d;
    cr_assert_eq(als_csv_read(&t, p, &d), ALS_OK, "read failed: %s", d.msg);
    cr_assert_eq(t.nrows, 2, "rows: %zu", t.nrows);
    cr_assert_eq(t.ncols, 3, "cols: %zu", t.ncols);
    int c = als_csv_col(&t, "value");
    cr_assert_eq(c, 2, "column 'value' at %d", c);
    cr_assert_eq(als_csv_col(&t, "nope"), -1, "absent column");
    double v;
    cr_assert_eq(als_csv_double(&t, 0, c, &v, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(v, 2.5, "value %g", v);
    cr_assert_eq(als_csv_double(&t, 1, c, &v, &d), ALS_OK, "%s", d.msg);
    cr_assert(isnan(v), "nan expected, got %g", v);
    cr_assert_eq(t.lines[1], 4, "second row is on line 4, got %ld", t.lines[1]);
    /* a text field read as a number: line and column of the field */
    cr_assert_eq(als_csv_double(&t, 0, 1, &v, &d), ALS_E_INPUT, "foo is not a number");
    cr_assert_eq(d.line, 2, "line %ld", d.line);
    cr_assert_eq(d.col, 3, "col %ld", d.col);
    cr_assert(strstr(d.msg, "'extra'") && strstr(d.msg, "'foo'"), "message: %s", d.msg);
    als_csv_free(&t);
    rm_tmpdir();
}

Test(report, csv_errors_name_the_line)
{
    make_tmpdir();
    char p[400];
    snprintf(p, sizeof p, "%s/b.csv", tmpdir);
    write_file(p, "a,b\n1,2\n1,2,3\n");
    als_csv t;
    als_diag d;
    cr_assert_eq(als_csv_read(&t, p, &d), ALS_E_INPUT, "3 fields under a 2-column header");
    cr_assert_eq(d.line, 3, "line %ld", d.line);
    cr_assert(strstr(d.msg, "expected 2") && strstr(d.msg, "found 3"), "message: %s", d.msg);
    als_csv_free(&t);
    write_file(p, "a,b\n1,2\n");
    cr_assert_eq(als_csv_read(&t, p, &d), ALS_OK, "%s", d.msg);
    int c;
    cr_assert_eq(als_csv_need(&t, "mean", &c, &d), ALS_E_INPUT, "missing column");
    cr_assert(d.line == 1 && strstr(d.msg, "'mean'"), "line %ld message %s", d.line, d.msg);
    als_csv_free(&t);
    snprintf(p, sizeof p, "%s/missing.csv", tmpdir);
    cr_assert_eq(als_csv_read(&t, p, &d), ALS_E_INPUT, "missing file is bad input");
    cr_assert_str_eq(d.path, p, "path in the diagnostic: %s", d.path);
    als_csv_free(&t);
    rm_tmpdir();
}

/* ---- flat YAML ------------------------------------------------------------------------------ */

Test(report, yflat_subset)
{
    const char *text = "# comment\n"
                       "name: tiny   # trailing comment\n"
                       "params: {rank: 10, regParam: 0.1, flags: [a, b]}\n"
                       "data:\n"
                       "  ratings: 'it''s here.csv'\n"
                       "  movies: \"q\\\"uote # not a comment\"\n"
                       "  nested:\n"
                       "    deep: 3\n"
                       "als:\n"
                       "  rank: [5, 10, 20]\n"
                       "  maxIter:\n"
                       "    - 5\n"
                       "    - 10\n"
                       "test: null\n"
                       "cells:\n"
                       "  - {cell: 0, mean: 0.5}\n"
                       "  - cell: 1\n"
                       "    mean: 0.25\n"
                       "- {cell: 2, mean: 0.125}\n"
                       "last: x\n";
    als_yflat y;
    als_yflat_init(&y);
    als_diag d;
    cr_assert_eq(als_yflat_parse(&y, "t.yaml", text, &d), ALS_OK, "parse: %s:%ld:%ld %s", d.path, d.line, d.col, d.msg);
    struct { const char *k, *v; } want[] = {{"name", "tiny"},
                                            {"params.rank", "10"},
                                            {"params.regParam", "0.1"},
                                            {"params.flags", "a, b"},
                                            {"data.ratings", "it's here.csv"},
                                            {"data.movies", "q\"uote # not a comment"},
                                            {"data.nested.deep", "3"},
                                            {"als.rank", "5, 10, 20"},
                                            {"als.maxIter", "5, 10"},
                                            {"als.maxIter[1]", "10"},
                                            {"cells[0].mean", "0.5"},
                                            {"cells[1].cell", "1"},
                                            {"cells[1].mean", "0.25"},
                                            {"cells[2].mean", "0.125"},
                                            {"last", "x"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *v = als_yflat_get(&y, want[i].k);
        cr_assert(v != NULL, "key %s missing", want[i].k);
        cr_assert_str_eq(v, want[i].v, "key %s: got '%s', want '%s'", want[i].k, v, want[i].v);
    }
    cr_assert_null(als_yflat_get(&y, "test"), "null value reads as absent");
    const als_yentry *e = als_yflat_find(&y, "data.nested.deep");
    cr_assert(e && e->line == 8 && e->col == 11, "deep at %ld:%ld", e ? e->line : -1, e ? e->col : -1);
    double x;
    cr_assert_eq(als_yflat_double(&y, "cells[1].mean", &x, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(x, 0.25, "got %g", x);
    cr_assert_eq(als_yflat_double(&y, "name", &x, &d), ALS_E_INPUT, "name is not a number");
    cr_assert(d.line == 2 && d.col == 7, "at %ld:%ld", d.line, d.col);
    cr_assert_eq(als_yflat_double(&y, "nope", &x, &d), ALS_E_INPUT, "absent key");
    als_yflat_free(&y);
}

/* model.yaml (als_model) is read with als_yflat too: a flow list of files, a quoted hash. */
Test(report, yflat_reads_model_yaml)
{
    als_yflat y;
    als_yflat_init(&y);
    als_diag d;
    als_diag_clear(&d);
    const char *text = "format_version: 1\nrank: 3\nregParam: 0.1  # comment\n"
                       "data_sha256: \"ab\"\nfiles: [user_factors.npy, item_factors.npy]\n";
    cr_assert(als_yflat_parse(&y, "m/model.yaml", text, &d) == ALS_OK, "parse: %s", d.msg);
    const als_yentry *f = als_yflat_find(&y, "files");
    cr_assert(f && f->list && strcmp(f->value, "user_factors.npy, item_factors.npy") == 0 && f->line == 5,
              "files entry: %s", f ? f->value : "(none)");
    cr_assert_str_eq(als_yflat_get(&y, "data_sha256"), "ab", "quoted value unquoted");
    cr_assert_str_eq(als_yflat_get(&y, "regParam"), "0.1", "comment stripped");
    als_yflat_free(&y);
}

Test(report, yflat_errors)
{
    struct { const char *text; long line, col; const char *msg; } cases[] = {
        {"a: 1\n\tb: 2\n", 2, 1, "tab"},
        {"a: 1\nb: 'open\n", 2, 4, "unterminated"},
        {"- x\n", 1, 1, "list item"},
        {"a: 1\njust text\n", 2, 1, "key: value"},
        {"a: &anchor 1\n", 1, 4, "unsupported"},
        {"a: [1, 2\n", 1, 4, "flow list"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        als_yflat y;
        als_yflat_init(&y);
        als_diag d;
        als_diag_clear(&d);
        cr_assert_eq(als_yflat_parse(&y, "e.yaml", cases[i].text, &d), ALS_E_INPUT, "case %zu should fail", i);
        cr_assert(d.line == cases[i].line && d.col == cases[i].col, "case %zu at %ld:%ld, want %ld:%ld (%s)", i, d.line,
                  d.col, cases[i].line, cases[i].col, d.msg);
        cr_assert(strstr(d.msg, cases[i].msg), "case %zu message: %s", i, d.msg);
        als_yflat_free(&y);
    }
}

/* ---- results folder ------------------------------------------------------------------------- */

Test(report, fixture_loads_and_is_consistent)
{
    char dir[4096];
    fixture(dir, sizeof dir);
    als_results r;
    als_diag d;
    cr_assert_eq(als_results_load(&r, dir, &d), ALS_OK, "%s:%ld: %s", d.path, d.line, d.msg);
    cr_assert_eq(r.ncells, 8, "cells %zu", r.ncells);
    cr_assert_str_eq(r.metric, "rmse", "metric %s", r.metric);
    cr_assert(!r.higher_is_better, "rmse is lower-is-better");
    cr_assert_eq(r.n_maxIter, 2, "maxIter values %zu", r.n_maxIter);
    cr_assert(r.maxIters[0] == 5 && r.maxIters[1] == 10, "maxIters %g %g", r.maxIters[0], r.maxIters[1]);
    cr_assert_eq(r.niters, 4 * 3 * 10, "iterations rows %zu", r.niters);
    cr_assert_eq(r.nfold_rows, 8 * 3, "folds rows %zu", r.nfold_rows);
    cr_assert_str_eq(r.name, "tiny", "name %s", r.name);
    /* best first, and the best's mean ± std is what folds.csv says (sample std) */
    const als_rcell *b = &r.cells[0];
    cr_assert(b->position == 1 && b->cell == 7 && b->cell0 == 6, "best: position %ld cell %ld cell0 %ld", b->position,
              b->cell, b->cell0);
    double v[8];
    int n = 0;
    for (size_t i = 0; i < r.nfold_rows; i++)
        if (r.folds[i].cell == b->cell && n < 8)
            v[n++] = r.folds[i].value;
    cr_assert_eq(n, 3, "folds of the best cell: %d", n);
    double m = (v[0] + v[1] + v[2]) / 3, s = 0;
    for (int i = 0; i < 3; i++)
        s += (v[i] - m) * (v[i] - m);
    s = sqrt(s / 2);
    cr_assert(fabs(m - b->mean) < 1e-12 && fabs(s - b->std) < 1e-12, "mean %.17g vs %.17g, std %.17g vs %.17g", m,
              b->mean, s, b->std);
    for (size_t i = 1; i < r.ncells; i++)
        cr_assert(r.cells[i].mean >= r.cells[i - 1].mean, "not sorted at %zu: %g < %g", i, r.cells[i].mean,
                  r.cells[i - 1].mean);
    const char *tv = als_yflat_get(&r.best, "test.value");
    cr_assert(tv && strcmp(tv, "0.92505300381632949") == 0, "test.value %s", tv ? tv : "(null)");
    cr_assert_str_eq(als_yflat_get(&r.experiment, "dataset.n_users"), "943", "n_users");
    als_rcell probe = r.cells[3];
    cr_assert_eq(als_results_find_cell(&r, &probe), 3, "find_cell of row 3");
    probe.regParam = 0.3;
    cr_assert_eq(als_results_find_cell(&r, &probe), -1, "no cell with regParam 0.3");
    als_results_free(&r);
}

Test(report, missing_folder_and_summary_are_input_errors)
{
    als_results r;
    als_diag d;
    cr_assert_eq(als_results_load(&r, "/nonexistent/results/x", &d), ALS_E_INPUT, "missing folder");
    cr_assert_str_eq(d.path, "/nonexistent/results/x", "path %s", d.path);
    als_results_free(&r);
    make_tmpdir();
    cr_assert_eq(als_results_load(&r, tmpdir, &d), ALS_E_INPUT, "folder without summary.csv");
    cr_assert(strstr(d.path, "summary.csv") && strstr(d.msg, "missing"), "%s: %s", d.path, d.msg);
    als_results_free(&r);
    char p[400];
    snprintf(p, sizeof p, "%s/summary.csv", tmpdir);
    write_file(p, "position,cell,rank,regParam,maxIter,metric,mean,std\n1,0,5,0.1,5,rmse,0.9,0.01\n"
                  "2,1,5,0.1,10,mae,0.8,0.01\n");
    cr_assert_eq(als_results_load(&r, tmpdir, &d), ALS_E_INPUT, "mixed metrics");
    cr_assert(d.line == 3 && strstr(d.msg, "'mae'"), "line %ld: %s", d.line, d.msg);
    als_results_free(&r);
    rm_tmpdir();
}

/* ---- check ---------------------------------------------------------------------------------- */

Test(check, tolerance_parse_and_defaults)
{
    als_tolerance t;
    cr_assert(als_tolerance_parse("0.002", &t) && !t.relative && t.value == 0.002, "0.002: %g rel %d", t.value,
              t.relative);
    cr_assert(als_tolerance_parse("1%", &t) && t.relative && fabs(t.value - 0.01) < 1e-15, "1%%: %g rel %d", t.value,
              t.relative);
    const char *bad[] = {"", "-0.1", "x", "1%%", "%", "nan", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(!als_tolerance_parse(bad[i], &t), "'%s' should be rejected", bad[i]);
    t = als_check_default_tolerance("rmse");
    cr_assert(!t.relative && t.value == 0.002, "rmse default %g rel %d", t.value, t.relative);
    t = als_check_default_tolerance("mse");
    cr_assert(!t.relative && t.value == 0.004, "mse default %g", t.value);
    t = als_check_default_tolerance("ndcg@10");
    cr_assert(t.relative && t.value == 0.01, "ndcg default %g rel %d", t.value, t.relative);
    t.value = 0.01;
    t.relative = true;
    cr_assert(fabs(als_tolerance_abs(&t, -0.5) - 0.005) < 1e-15, "relative of |-0.5|: %g", als_tolerance_abs(&t, -0.5));
}

Test(check, verdicts)
{
    /* lower is better, tolerance 0.002 */
    cr_assert_eq(als_check_compare(0.9, 0.9019, false, 0.002), ALS_VERDICT_OK, "worse within tolerance");
    cr_assert_eq(als_check_compare(0.9, 0.902, false, 0.002), ALS_VERDICT_OK, "exactly at the tolerance");
    cr_assert_eq(als_check_compare(0.9, 0.9021, false, 0.002), ALS_VERDICT_REGRESSED, "worse beyond tolerance");
    cr_assert_eq(als_check_compare(0.9, 0.8979, false, 0.002), ALS_VERDICT_IMPROVED, "better beyond tolerance");
    cr_assert_eq(als_check_compare(0.9, 0.8990, false, 0.002), ALS_VERDICT_OK, "better within tolerance");
    /* higher is better */
    cr_assert_eq(als_check_compare(0.30, 0.297, true, 0.002), ALS_VERDICT_REGRESSED, "ndcg dropped");
    cr_assert_eq(als_check_compare(0.30, 0.303, true, 0.002), ALS_VERDICT_IMPROVED, "ndcg rose");
    /* NaN */
    cr_assert_eq(als_check_compare(0.9, NAN, false, 0.002), ALS_VERDICT_REGRESSED, "NaN now");
    cr_assert_eq(als_check_compare(NAN, NAN, false, 0.002), ALS_VERDICT_OK, "NaN both");
    cr_assert_eq(als_check_compare(NAN, 0.9, false, 0.002), ALS_VERDICT_IMPROVED, "NaN before");
}

Test(check, baseline_round_trip_and_regression)
{
    char dir[4096];
    fixture(dir, sizeof dir);
    als_results r;
    als_diag d;
    cr_assert_eq(als_results_load(&r, dir, &d), ALS_OK, "%s", d.msg);
    make_tmpdir();
    char p[400];
    snprintf(p, sizeof p, "%s/sub/base.yaml", tmpdir);
    cr_assert_eq(als_baseline_write(&r, NULL, p, &d), ALS_OK, "write: %s", d.msg);
    als_baseline b;
    cr_assert_eq(als_baseline_load(&b, p, &d), ALS_OK, "load: %s:%ld: %s", d.path, d.line, d.msg);
    cr_assert_str_eq(b.metric, "rmse", "metric %s", b.metric);
    cr_assert_eq(b.ncells, r.ncells, "cells %zu vs %zu", b.ncells, r.ncells);
    cr_assert(b.has_tolerance && !b.tol.relative && b.tol.value == 0.002, "tolerance %g", b.tol.value);
    cr_assert_eq(b.best.mean, r.cells[0].mean, "best mean %.17g vs %.17g (must round-trip)", b.best.mean,
                 r.cells[0].mean);
    cr_assert(b.has_test && b.test_value == 0.92505300381632949, "test %.17g", b.test_value);
    for (size_t i = 0; i < b.ncells; i++)
        cr_assert_eq(b.cells[i].mean, r.cells[i].mean, "cell %zu mean %.17g vs %.17g", i, b.cells[i].mean,
                     r.cells[i].mean);
    als_check_result res;
    cr_assert_eq(als_check_run(&r, &b, NULL, &res, &d), ALS_OK, "identical results pass: %s", d.msg);
    cr_assert_eq(res.n, 1 + 1 + 8, "items: %zu", res.n);
    cr_assert(res.n_regressed == 0 && res.n_improved == 0, "regressed %zu improved %zu", res.n_regressed,
              res.n_improved);
    als_check_result_free(&res);
    /* worsen the best cell by 0.005 (> 0.002): the best item and its cell regress */
    r.cells[0].mean += 0.005;
    cr_assert_eq(als_check_run(&r, &b, NULL, &res, &d), ALS_E_CHECK, "regression must fail");
    cr_assert_eq(res.n_regressed, 2, "regressed items %zu", res.n_regressed);
    als_check_result_free(&res);
    /* a looser tolerance lets it pass */
    als_tolerance loose = {0.01, false};
    cr_assert_eq(als_check_run(&r, &b, &loose, &res, &d), ALS_OK, "0.01 tolerance passes");
    als_check_result_free(&res);
    /* improvement */
    r.cells[0].mean -= 0.010;
    cr_assert_eq(als_check_run(&r, &b, NULL, &res, &d), ALS_OK, "improvement passes");
    cr_assert_eq(res.n_improved, 2, "improved items %zu", res.n_improved);
    als_check_result_free(&res);
    /* another metric is a mismatch, not a regression */
    snprintf(r.metric, sizeof r.metric, "mae");
    cr_assert_eq(als_check_run(&r, &b, NULL, &res, &d), ALS_E_INPUT, "metric mismatch is bad input");
    als_check_result_free(&res);
    als_baseline_free(&b);
    als_results_free(&r);
    rm_tmpdir();
}

/* ---- warnings about the search (issue 12 item 5) and sampled searches ------------------------ */

static void load_fixture(als_results *r, const char *name)
{
    char dir[4096];
    const char *top = getenv("TOP_SRCDIR");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/results/%s", top ? top : "..", name);
    als_diag d;
    cr_assert_eq(als_results_load(r, dir, &d), ALS_OK, "%s:%ld: %s", d.path, d.line, d.msg);
}

Test(warnings, edge_fixture_warns_on_both_axes_and_the_curve)
{
    als_results r;
    load_fixture(&r, "edge");
    cr_assert(r.has_stats && !r.has_trials, "edge: stats columns, a grid");
    als_rwarn w[ALS_RWARN_MAX];
    size_t n = als_results_warnings(&r, w);
    cr_assert_eq(n, 3, "3 warnings, got %zu", n);
    cr_assert(w[0].kind == ALS_RWARN_EDGE_HIGH && strcmp(w[0].param, "rank") == 0 && w[0].value == 10 &&
                  w[0].lo == 5 && w[0].hi == 10 && !w[0].distribution,
              "rank: %s", w[0].text);
    cr_assert_str_eq(w[0].text, "rank 10 is the largest value tried (values tried 5 to 10): extend the range upward");
    cr_assert(w[1].kind == ALS_RWARN_EDGE_HIGH && strcmp(w[1].param, "regParam") == 0 && w[1].value == 0.1,
              "regParam: %s", w[1].text);
    cr_assert(w[2].kind == ALS_RWARN_IMPROVING && w[2].value == 10, "improving: %s", w[2].text);
    cr_assert(w[2].gain > 0.01 && w[2].gain < 0.013, "gain %g", w[2].gain);
    cr_assert(strstr(w[2].text, "still improving at maxIter 10") && strstr(w[2].text, "try more iterations"), "%s",
              w[2].text);
    /* the same curve read as a higher-is-better metric is getting worse: no IMPROVING */
    r.higher_is_better = true;
    for (size_t i = 0; i < r.niters; i++)
        r.iters[i].value = -r.iters[i].value;
    n = als_results_warnings(&r, w);
    cr_assert(n == 3 && w[2].kind == ALS_RWARN_IMPROVING, "negated metric, higher is better, still improving");
    for (size_t i = 0; i < r.niters; i++)
        r.iters[i].value = -r.iters[i].value;
    n = als_results_warnings(&r, w);
    cr_assert_eq(n, 2, "a rising curve of a higher-is-better metric is not improving: %zu", n);
    als_results_free(&r);
}

Test(warnings, interior_fixture_has_none)
{
    als_results r;
    load_fixture(&r, "interior");
    als_rwarn w[ALS_RWARN_MAX];
    size_t n = als_results_warnings(&r, w);
    cr_assert_eq(n, 0, "no warning, got %zu (%s)", n, n ? w[0].text : "");
    /* best at maxIter 20, the largest tried, and a flat curve: the upper maxIter edge is the curve's call */
    cr_assert(r.cells[0].maxIter == 20, "best maxIter %g", r.cells[0].maxIter);
    als_results_free(&r);
}

Test(warnings, lower_edges_and_the_selected_cell)
{
    als_results r;
    load_fixture(&r, "interior");
    als_rwarn w[ALS_RWARN_MAX];
    /* another cell selected (one_se): the warnings are about it */
    long k = -1;
    for (size_t i = 0; i < r.ncells && k < 0; i++)
        if (r.cells[i].rank == 5 && r.cells[i].regParam == 0.05 && r.cells[i].maxIter == 5)
            k = (long)i;
    cr_assert(k > 0);
    r.selected = k;
    size_t n = als_results_warnings(&r, w);
    cr_assert_eq(n, 3, "rank, regParam, maxIter at their smallest: %zu", n);
    for (size_t i = 0; i < 3; i++)
        cr_assert(w[i].kind == ALS_RWARN_EDGE_LOW && strstr(w[i].text, "smallest value tried") &&
                      strstr(w[i].text, "extend the range downward"),
                  "%s", w[i].text);
    cr_assert_str_eq(w[2].param, "maxIter");
    als_results_free(&r);
}

Test(warnings, sampled_search_loads_trials_and_names_the_distribution)
{
    als_results r;
    load_fixture(&r, "sampled");
    cr_assert(r.has_trials && r.ntrials == 8, "trials %zu", r.ntrials);
    cr_assert(r.trials[7].trial == 7 && r.trials[7].rank == 15 && r.trials[7].position == 1, "trial 7");
    als_rwarn w[ALS_RWARN_MAX];
    cr_assert_eq(als_results_warnings(&r, w), 0, "best inside the sampled ranges");
    /* make the largest rank drawn (31) the best: an edge of the values tried, named with the range */
    for (size_t i = 0; i < r.ncells; i++)
        if (r.cells[i].rank == 31)
            r.selected = (long)i;
    size_t n = als_results_warnings(&r, w);
    cr_assert(n >= 1 && w[0].kind == ALS_RWARN_EDGE_HIGH && w[0].distribution && w[0].lo == 4 && w[0].hi == 40,
              "%zu: %s", n, n ? w[0].text : "");
    cr_assert_str_eq(w[0].text, "rank 31 is the largest value tried (searched range [4, 40]): extend the range upward");
    als_results_free(&r);
}

Test(warnings, old_folder_without_stats)
{
    als_results r;
    load_fixture(&r, "tiny");
    cr_assert(!r.has_stats && !r.has_trials && r.selected == -1);
    cr_assert_eq(als_results_chosen(&r), &r.cells[0], "no selected column: the best");
    als_sbuf g = {0};
    int W;
    char cap[512];
    cr_assert(!als_plot_ci(&r, &g, &W, cap, sizeof cap), "no CI figure without issue 13's columns");
    cr_assert(!als_plot_trials(&r, &g, &W, cap, sizeof cap), "no trials figure for a grid");
    free(g.s);
    als_results_free(&r);
}

Test(warnings, ci_and_trials_scripts)
{
    als_results r;
    load_fixture(&r, "sampled");
    als_sbuf g = {0};
    int W;
    char cap[1024];
    cr_assert(als_plot_ci(&r, &g, &W, cap, sizeof cap) && !g.oom);
    /* the selected cell's bar: mean ± t(0.975, 2)·se, t = 4.302652729911275 */
    const char *sel = strstr(g.s, "$SEL << EOD\n");
    cr_assert(sel != NULL, "no $SEL block in\n%s", g.s);
    long x;
    double m, h;
    cr_assert(sscanf(sel + 12, "%ld %lf %lf", &x, &m, &h) == 3, "selected row: %.60s", sel);
    cr_assert(x == 1 && m == r.cells[0].mean, "position %ld mean %.17g", x, m);
    cr_assert(fabs(h / (4.302652729911275 * r.cells[0].se) - 1) < 1e-9, "half-width %.17g", h);
    cr_assert(strstr(cap, "t(0.975, k−1)·se"), "caption states the interval: %s", cap);
    free(g.s);
    memset(&g, 0, sizeof g);
    cr_assert(als_plot_trials(&r, &g, &W, cap, sizeof cap) && !g.oom);
    cr_assert(strstr(g.s, "$T0 << EOD") && strstr(g.s, "$T1 << EOD") && !strstr(g.s, "$T2"),
              "two sampled parameters (rank, regParam), maxIter fixed");
    cr_assert(strstr(g.s, "set logscale x"), "log-uniform distributions drawn on a log axis");
    free(g.s);
    als_results_free(&r);
}

/* ---- what the search tells the user: pruned search, history, importances, rungs (issue 12) ----- */

Test(search, pruned_fixture_loads_rungs_budget_state_and_timings)
{
    als_results r;
    load_fixture(&r, "pruned");
    cr_assert(r.has_trials && r.has_budget && r.ntrials == 11, "trials %zu", r.ntrials);
    cr_assert(r.trials[0].state == ALS_TRIAL_PRUNED && r.trials[0].budget == 5 && r.trials[0].position == -1);
    cr_assert(r.trials[7].state == ALS_TRIAL_COMPLETE && r.trials[7].budget == 20 && r.trials[7].position == 1);
    cr_assert(r.has_rungs && r.nrungs == 18, "rungs %zu", r.nrungs);
    const als_rrung *x = &r.rungs[8]; /* 2,0,1,10,rmse,0.95317358327528512,true */
    cr_assert(x->trial == 2 && x->bracket == 0 && x->rung == 1 && x->budget == 10 && x->promoted &&
              x->value == 0.95317358327528512);
    cr_assert(!r.rungs[17].promoted && r.rungs[17].bracket == 1 && r.rungs[17].budget == 20);
    cr_assert(r.has_timings && r.njobs == 33, "job rows %zu", r.njobs);
    als_results_free(&r);
    /* a trials.csv without budget (written before the pruner): every trial complete, budget NaN */
    load_fixture(&r, "sampled");
    cr_assert(!r.has_budget && !r.has_rungs && !r.has_timings);
    for (size_t i = 0; i < r.ntrials; i++)
        cr_assert(r.trials[i].state == ALS_TRIAL_COMPLETE && isnan(r.trials[i].budget));
    als_results_free(&r);
}

Test(search, history_best_so_far_and_wall_time)
{
    als_results r;
    load_fixture(&r, "pruned");
    als_rstep *s;
    size_t nu;
    bool oom;
    size_t n = als_results_sequence(&r, &s, &nu, &oom);
    cr_assert(n == 11 && !oom && nu == 0);
    double best[11], wall[11];
    cr_assert(als_results_history(&r, s, n, best, wall));
    /* trials 0, 1 pruned: no best yet; trial 2 completes at 0.92443678699825982, trial 7 at
     * 0.92324284530004197, trial 9 (0.92442168717224316) does not beat it */
    cr_assert(isnan(best[0]) && isnan(best[1]));
    cr_assert(best[2] == 0.92443678699825982 && best[6] == 0.92443678699825982);
    cr_assert(best[7] == 0.92324284530004197 && best[10] == 0.92324284530004197);
    /* a config's 3 jobs take 0.01·budget + 0.001·fold s: 0.03·budget + 0.003; budgets 5, 5, 20 */
    cr_assert_float_eq(wall[0], 0.153, 1e-12);
    cr_assert_float_eq(wall[1], 0.306, 1e-12);
    cr_assert_float_eq(wall[2], 0.909, 1e-12);
    free(s);
    als_results_free(&r);
    /* a grid: cells in cell order; a config's jobs count at its first cell (tiny: 2 maxIter values,
     * config 0's jobs 0.21 + 0.22 + 0.23 s), the next cell of the config reuses them */
    load_fixture(&r, "tiny");
    n = als_results_sequence(&r, &s, &nu, &oom);
    cr_assert(n == r.ncells && n >= 4 && r.n_maxIter == 2);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(s[i].cell, (long)i, "cell order");
    cr_assert_float_eq(s[0].seconds, 0.66, 1e-12);
    cr_assert(s[1].seconds == 0 && s[1].cell0 == 0 && s[2].cell0 == 2 && s[2].seconds > 0);
    free(s);
    als_results_free(&r);
    /* no timings.csv: no wall time */
    load_fixture(&r, "sampled");
    n = als_results_sequence(&r, &s, &nu, &oom);
    double b8[8], w8[8];
    cr_assert(n == 8 && !als_results_history(&r, s, n, b8, w8) && isnan(w8[0]) && isnan(w8[7]));
    free(s);
    als_results_free(&r);
}

Test(search, importances_of_the_sampled_fixture)
{
    /* 8 trials -> B = 2 bins of 4 by rank; η² computed independently (python, from trials.csv):
     * rank 0.3262957707803841, regParam 0.5678812582886756 */
    als_results r;
    load_fixture(&r, "sampled");
    als_rimportance m;
    bool oom;
    cr_assert(als_results_importance(&r, &m, &oom) && !oom);
    cr_assert(m.n_trials == 8 && m.max_bins == 2 && m.np == 2, "n %zu B %zu np %zu", m.n_trials, m.max_bins, m.np);
    cr_assert_str_eq(m.p[0].name, "regParam", "sorted by importance");
    cr_assert_str_eq(m.p[1].name, "rank");
    cr_assert_float_eq(m.p[0].eta2, 0.5678812582886756, 1e-12);
    cr_assert_float_eq(m.p[1].eta2, 0.3262957707803841, 1e-12);
    cr_assert_float_eq(m.p[0].share, 0.5678812582886756 / (0.5678812582886756 + 0.3262957707803841), 1e-12);
    cr_assert_float_eq(m.p[0].share + m.p[1].share, 1.0, 1e-12);
    als_sbuf g = {0};
    int W;
    char cap[1024];
    cr_assert(als_plot_importance(&r, &m, &g, &W, cap, sizeof cap) && !g.oom);
    cr_assert(strstr(g.s, "\"regParam\" 0.63") && strstr(g.s, "\"rank\" 0.36"), "bars in order:\n%s", g.s);
    free(g.s);
    als_results_free(&r);
    /* the pruned fixture: only its 3 complete trials count */
    load_fixture(&r, "pruned");
    cr_assert(als_results_importance(&r, &m, &oom) && m.n_trials == 3);
    als_results_free(&r);
}

Test(search, rung_history_and_parallel_scripts)
{
    als_results r;
    load_fixture(&r, "pruned");
    als_sbuf g = {0};
    int W;
    char cap[1024];
    cr_assert(als_plot_rungs(&r, &g, &W, cap, sizeof cap) && !g.oom);
    /* bracket 0: trials 0 1 3 5 pruned at 5 and 4 6 at 10 (grey), 2 complete (blue), 7 best (red) */
    const char *b0 = strstr(g.s, "$R0_0 << EOD\n");
    cr_assert(b0 && !strncmp(b0 + 13, "5 1.0754277170135011\n\n5 1.0672644290539177\n\n", 44), "%s", g.s);
    cr_assert(strstr(g.s, "$R0_2 << EOD\n5 1.0572745562046708\n10 0.95197964157706727\n20 0.92324284530004197\n\nEOD"),
              "the best trial's line");
    cr_assert(strstr(g.s, "set logscale x 2") && strstr(g.s, "'bracket 1'"));
    cr_assert(!strstr(g.s, "$R1_2 using"), "bracket 1 has no best trial: no empty block plotted");
    cr_assert(strstr(cap, "the 8 of 11 trials pruned"), "%s", cap);
    free(g.s);
    memset(&g, 0, sizeof g);
    cr_assert(als_plot_history(&r, &g, &W, cap, sizeof cap) && !g.oom);
    const char *h = strstr(g.s, "$H << EOD\n");
    double w0;
    cr_assert(h && sscanf(h + 10, "1 %lf nan nan\n", &w0) == 1 && fabs(w0 - 0.153) < 1e-12, "%.300s", g.s);
    cr_assert(strstr(cap, "3 of 11 trials completed"), "%s", cap);
    free(g.s);
    memset(&g, 0, sizeof g);
    cr_assert(als_plot_parallel(&r, &g, &W, cap, sizeof cap) && !g.oom);
    cr_assert(strstr(cap, "the 8 pruned or failed trials are left out"), "%s", cap);
    cr_assert(strstr(g.s, "'rank' 1, 'regParam' 2, 'RMSE' 3"), "%s", g.s);
    free(g.s);
    als_results_free(&r);
    /* no rungs.csv: no diagram */
    load_fixture(&r, "sampled");
    memset(&g, 0, sizeof g);
    cr_assert(!als_plot_rungs(&r, &g, &W, cap, sizeof cap));
    free(g.s);
    als_results_free(&r);
}

static void expect_load_error(const char *file, const char *text, const char *want)
{
    make_tmpdir();
    char cmd[1024], path[512];
    const char *top = getenv("TOP_SRCDIR");
    snprintf(cmd, sizeof cmd, "cp -R '%s/tests/fixtures/results/pruned/.' '%s/'", top ? top : "..", tmpdir);
    cr_assert(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/%s", tmpdir, file);
    write_file(path, text);
    als_results r;
    als_diag d;
    cr_assert_eq(als_results_load(&r, tmpdir, &d), ALS_E_INPUT, "%s accepted", text);
    char got[2048];
    snprintf(got, sizeof got, "%s:%ld:%ld: %s", strrchr(d.path, '/') + 1, d.line, d.col, d.msg);
    cr_assert(strstr(got, want), "got '%s', want '%s'", got, want);
    rm_tmpdir();
}

Test(search, bad_rungs_trials_and_timings_are_located_errors)
{
    const char *H = "trial,bracket,rung,budget,metric,value,promoted\n";
    char t[512];
    snprintf(t, sizeof t, "%s0,0,0,5,rmse,0.9,maybe\n", H);
    expect_load_error("rungs.csv", t, "rungs.csv:2:18: expected true or false in column 'promoted', found 'maybe'");
    snprintf(t, sizeof t, "%s0,0,0,0,rmse,0.9,true\n", H);
    expect_load_error("rungs.csv", t, "rungs.csv:2:7: expected a number of iterations (≥ 1) in column 'budget'");
    snprintf(t, sizeof t, "%s0,-1,0,5,rmse,0.9,true\n", H);
    expect_load_error("rungs.csv", t, "rungs.csv:2:3: expected an integer ≥ 0 in column 'bracket'");
    snprintf(t, sizeof t, "%s0,0,0,5,ndcg@10,0.9,true\n", H);
    expect_load_error("rungs.csv", t, "rungs.csv:2:9: expected the metric of summary.csv ('rmse')");
    expect_load_error("rungs.csv", "trial,bracket,rung,budget,metric,value\n", "rungs.csv:1:");
    expect_load_error("trials.csv",
                      "trial,cell,position,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,state,budget,metric,mean\n"
                      "0,0,,7,0.0213,20,1,false,false,false,stopped,5,rmse,1.07\n",
                      "trials.csv:2:38: expected complete, pruned or failed in column 'state', found 'stopped'");
    expect_load_error("trials.csv",
                      "trial,cell,position,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,state,budget,metric,mean\n"
                      "0,0,,7,0.0213,20,1,false,false,false,pruned,0.5,rmse,1.07\n",
                      "trials.csv:2:45: expected a number of iterations (≥ 1) in column 'budget'");
    expect_load_error("timings.csv", "phase,cell0,fold,seconds,threads\nload,,,x,2\njob,0,0,abc,1\n",
                      "timings.csv:3:9: expected a number in column 'seconds', found 'abc'");
}
