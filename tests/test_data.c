/* Unit tests of als_data (ratings and movies parsing, id maps, number parsing) and als_stats. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "als_data.h"
#include "als_stats.h"
#include "als_util.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *srcdir(void)
{
    const char *t = getenv("TOP_SRCDIR");
    if (t && *t)
        return t;
    static char dir[4096];
    als_path_dirname(dir, sizeof dir, __FILE__); /* .../tests */
    strncat(dir, "/..", sizeof dir - strlen(dir) - 1);
    return dir;
}

static const char *fixture(const char *name)
{
    static char path[4][4096];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/tests/fixtures/data/%s", srcdir(), name);
    return path[k];
}

static als_status parse_str(als_ratings *r, const char *text, const als_load_opts *o, als_diag *d)
{
    return als_ratings_parse(r, text, strlen(text), "t.csv", o, d);
}

/* Parse text that must fail; check the status, the line and that msg contains want. */
static void expect_error(const char *text, const als_load_opts *o, long line, const char *want)
{
    als_ratings r;
    als_diag d;
    als_status st = als_ratings_parse(&r, text, strlen(text), "bad.csv", o, &d);
    cr_assert_eq(st, ALS_E_INPUT, "parsing %s: status %d, expected ALS_E_INPUT", text, st);
    cr_assert_eq(d.line, line, "parsing %s: error at line %ld, expected %ld (msg: %s)", text, d.line, line, d.msg);
    cr_assert(strstr(d.msg, want), "parsing %s: message '%s' lacks '%s'", text, d.msg, want);
    cr_assert_str_eq(d.path, "bad.csv", "path in diag: '%s'", d.path);
    cr_assert_eq(r.n, 0, "failed parse left %zu ratings", r.n);
    cr_assert_null(r.user, "failed parse left arrays");
}

static const char *uid(const als_ratings *r, size_t k) { return als_idmap_str(&r->users, r->user[k]); }
static const char *iid(const als_ratings *r, size_t k) { return als_idmap_str(&r->items, r->item[k]); }

/* ---- number parsing against strtod / strtol ----------------------------------------------- */

static void check_double(const char *s)
{
    size_t len = strlen(s);
    char *end;
    errno = 0;
    double want = strtod(s, &end);
    /* our grammar is strtod's decimal form only: no blanks, hex, inf or nan */
    bool want_ok = len > 0 && strspn(s, "0123456789+-.eE") == len && end == s + len && isfinite(want);
    double got = -12345.678;
    bool ok = als_parse_double(s, len, &got);
    cr_assert_eq(ok, want_ok, "als_parse_double(\"%s\") returned %d, strtod says %d (%.17g)", s, ok, want_ok, want);
    if (ok)
        cr_assert(memcmp(&got, &want, sizeof got) == 0, "als_parse_double(\"%s\") = %.17g, strtod = %.17g", s,
                  got, want);
}

static void check_long(const char *s)
{
    size_t len = strlen(s);
    char *end;
    errno = 0;
    long want = strtol(s, &end, 10);
    bool want_ok = len > 0 && !strchr(" \t\n\v\f\r", s[0]) && end == s + len && errno != ERANGE;
    long got = -777;
    bool ok = als_parse_long(s, len, &got);
    cr_assert_eq(ok, want_ok, "als_parse_long(\"%s\") returned %d, strtol says %d (%ld)", s, ok, want_ok, want);
    if (ok)
        cr_assert_eq(got, want, "als_parse_long(\"%s\") = %ld, strtol = %ld", s, got, want);
}

Test(numbers, double_edge_cases)
{
    static const char *cases[] = {
        "0", "-0", "+0", "0.0", "-0.0", "1", "5", "4.5", "0.5", "3.5", "-1", "+2", ".5", "5.", "-.5",
        ".", "", "-", "+", "e5", "1e", "1e+", "1e-", "1e5", "1E5", "1e-5", "2.5e+3", "1e22", "1e23",
        "9007199254740992", "9007199254740993", "9007199254740995", "123456789012345678901234567890",
        "0.1", "0.2", "0.3", "0.7", "1.1", "2.675", "0.000001", "0.1234567890123456789",
        "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "-1e309", "4.9e-324", "2e-324",
        "1e-400", "2.2250738585072014e-308", "2.2250738585072011e-308", "nan", "NaN", "inf", "-inf",
        "infinity", "0x10", "0x1p3", "1,5", "1 ", " 1", "1\t", "4.0\r", "--1", "+-1", "1..2", "1.2.3",
        "1e1.5", "00012", "000.000", "0e0", "0e999999999", "1e-999999999", "1e999999999",
        "123.456e-7", "99999999999999999999e-20", "1000000000000000000000000e-3",
        "0.000000000000000000000000000001", "12345678901234567890e0",
        "3.14159265358979323846264338327950288", "5e-1", "45e-1", "4.50000000000000000000000001",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_double(cases[i]);
}

Test(numbers, double_random_against_strtod)
{
    char s[96];
    /* structured: random digits, point and exponent — mostly valid numbers */
    for (uint64_t k = 0; k < 200000; k++) {
        size_t o = 0;
        uint64_t h = als_mix64(k * 2 + 1);
        if (h & 1)
            s[o++] = (h & 2) ? '-' : '+';
        int nd = 1 + (int)(als_mix64(h) % 25), dot = (int)(als_mix64(h + 1) % (uint64_t)(nd + 2)) - 1;
        for (int j = 0; j < nd; j++) {
            if (j == dot)
                s[o++] = '.';
            s[o++] = (char)('0' + als_mix64(h + 10 + (uint64_t)j) % 10);
        }
        if (als_mix64(h + 3) % 3 == 0)
            o += (size_t)sprintf(s + o, "e%d", (int)(als_mix64(h + 4) % 700) - 350);
        s[o] = '\0';
        check_double(s);
    }
    /* random doubles printed every way we write them, and ratings-like values */
    for (uint64_t k = 0; k < 50000; k++) {
        uint64_t bits = als_mix64(k + 99);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        snprintf(s, sizeof s, "%.17g", v);
        check_double(s);
        snprintf(s, sizeof s, "%.9g", v);
        check_double(s);
        snprintf(s, sizeof s, "%.3f", als_rand_uniform(1, 1, k) * 10);
        check_double(s);
        snprintf(s, sizeof s, "%g", als_rand_normal(1, 2, k) * 1e6);
        check_double(s);
    }
    /* garbage over the number alphabet */
    static const char alpha[] = "0123456789..ee+-E x";
    for (uint64_t k = 0; k < 100000; k++) {
        uint64_t h = als_mix64(k + 7777);
        size_t len = 1 + h % 12;
        for (size_t j = 0; j < len; j++)
            s[j] = alpha[als_mix64(h + j) % (sizeof alpha - 1)];
        s[len] = '\0';
        check_double(s);
    }
}

Test(numbers, long_against_strtol)
{
    static const char *cases[] = {"0", "-0", "+0", "1", "-1", "42", "007", "9223372036854775807",
                                  "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                                  "99999999999999999999", "", "-", "+", "1.0", "1e3", " 1", "1 ",
                                  "0x1f", "12a", "--1", "+-2"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_long(cases[i]);
    char s[64];
    static const char alpha[] = "0123456789012345678901234567890123456789+- ";
    for (uint64_t k = 0; k < 200000; k++) {
        uint64_t h = als_mix64(k + 31337);
        size_t len = 1 + h % 21;
        for (size_t j = 0; j < len; j++)
            s[j] = alpha[als_mix64(h + j) % (sizeof alpha - 1)];
        s[len] = '\0';
        check_long(s);
        snprintf(s, sizeof s, "%ld", (long)als_mix64(k));
        check_long(s);
    }
}

/* ---- id map --------------------------------------------------------------------------------- */

Test(idmap, first_seen_order_and_lookup)
{
    als_idmap m;
    als_idmap_init(&m);
    char s[32];
    /* 100000 distinct strings, each interned twice; index = order of first appearance */
    for (uint32_t k = 0; k < 100000; k++) {
        int len = snprintf(s, sizeof s, "id-%08llx", (unsigned long long)als_mix64(k));
        uint32_t a, b;
        cr_assert_eq(als_idmap_intern(&m, s, (size_t)len, &a), ALS_OK, "intern %s", s);
        cr_assert_eq(a, k, "first intern of %s gave %u, expected %u", s, a, k);
        cr_assert_eq(als_idmap_intern(&m, s, (size_t)len, &b), ALS_OK, "re-intern %s", s);
        cr_assert_eq(b, k, "re-intern of %s gave %u, expected %u", s, b, k);
    }
    cr_assert_eq(m.n, 100000, "n = %u", m.n);
    for (uint32_t k = 0; k < 100000; k += 997) {
        int len = snprintf(s, sizeof s, "id-%08llx", (unsigned long long)als_mix64(k));
        cr_assert_eq(als_idmap_find(&m, s, (size_t)len), (int64_t)k, "find %s", s);
        cr_assert_str_eq(als_idmap_str(&m, k), s, "str of %u", k);
    }
    cr_assert_eq(als_idmap_find(&m, "nope", 4), -1, "absent id found");
    cr_assert_eq(als_idmap_find(&m, "id-", 3), -1, "prefix found");
    /* the empty string and embedded prefixes are ids like any other */
    uint32_t e;
    cr_assert_eq(als_idmap_intern(&m, "", 0, &e), ALS_OK, "intern empty");
    cr_assert_eq(e, 100000, "empty id index %u", e);
    als_idmap_free(&m);
    cr_assert_eq(als_idmap_find(&m, "x", 1), -1, "find on a freed map");
}

/* ---- ratings formats ------------------------------------------------------------------------ */

static void check_ratings(const als_ratings *r, size_t n, const char *const *users,
                          const char *const *items, const float *ratings)
{
    cr_assert_eq(r->n, n, "n = %zu, expected %zu", r->n, n);
    for (size_t k = 0; k < n; k++) {
        cr_assert_str_eq(uid(r, k), users[k], "rating %zu: user '%s', expected '%s'", k, uid(r, k), users[k]);
        cr_assert_str_eq(iid(r, k), items[k], "rating %zu: item '%s', expected '%s'", k, iid(r, k), items[k]);
        cr_assert_eq(r->rating[k], ratings[k], "rating %zu: %g, expected %g", k, r->rating[k], ratings[k]);
    }
}

Test(ratings, movielens_csv_and_crlf)
{
    static const char *const u[] = {"1", "1", "2", "3"}, *const i[] = {"10", "20", "10", "30"};
    static const float v[] = {4.0f, 3.5f, 5.0f, 0.5f};
    const char *files[] = {"ratings.csv", "ratings_crlf.csv"};
    for (int f = 0; f < 2; f++) {
        als_ratings r;
        als_diag d;
        als_status st = als_ratings_load(&r, fixture(files[f]), NULL, &d);
        cr_assert_eq(st, ALS_OK, "%s: %s", files[f], d.msg);
        cr_assert_eq(r.format, ALS_FMT_CSV, "%s: format %s", files[f], als_format_name(r.format));
        check_ratings(&r, 4, u, i, v);
        cr_assert_eq(r.users.n, 3, "users %u", r.users.n);
        cr_assert_eq(r.items.n, 3, "items %u", r.items.n);
        cr_assert_eq(r.n_duplicates + r.n_bad_lines, 0, "dups %zu bad %zu", r.n_duplicates, r.n_bad_lines);
        als_ratings_free(&r);
    }
}

Test(ratings, colons_with_and_without_timestamp)
{
    als_ratings r;
    als_diag d;
    cr_assert_eq(als_ratings_load(&r, fixture("ratings.dat"), NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.format, ALS_FMT_COLONS, "format %s", als_format_name(r.format));
    static const char *const u1[] = {"1", "1", "2", "2"}, *const i1[] = {"1001", "602", "1001", "3003"};
    static const float v1[] = {5, 3, 4, 4};
    check_ratings(&r, 4, u1, i1, v1);
    als_ratings_free(&r);

    cr_assert_eq(als_ratings_load(&r, fixture("sample_movielens_ratings.txt"), NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.format, ALS_FMT_COLONS, "format %s", als_format_name(r.format));
    static const char *const u2[] = {"0", "0", "1", "1", "2"}, *const i2[] = {"2", "3", "2", "5", "3"};
    static const float v2[] = {3, 1, 2, 5, 4};
    check_ratings(&r, 5, u2, i2, v2);
    als_ratings_free(&r);
}

Test(ratings, udata_and_generic_tsv)
{
    als_ratings r;
    als_diag d;
    cr_assert_eq(als_ratings_load(&r, fixture("u.data"), NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.format, ALS_FMT_UDATA, "format %s", als_format_name(r.format));
    static const char *const u1[] = {"101", "102", "103", "101"}, *const i1[] = {"201", "202", "203", "203"};
    static const float v1[] = {3, 3, 1, 2};
    check_ratings(&r, 4, u1, i1, v1);
    als_ratings_free(&r);

    /* "customer product score note": score is a default rating name; the others are named */
    als_load_opts o;
    als_load_opts_default(&o);
    o.user_col = "customer";
    o.item_col = "product";
    cr_assert_eq(als_ratings_load(&r, fixture("generic.tsv"), &o, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.format, ALS_FMT_TSV, "format %s", als_format_name(r.format));
    static const char *const u2[] = {"alice", "bob", "alice"}, *const i2[] = {"book-1", "book-2", "book-2"};
    static const float v2[] = {2.5f, 1, 4};
    check_ratings(&r, 3, u2, i2, v2);
    als_ratings_free(&r);

    /* without the column names the header does not name the user column */
    cr_assert_eq(als_ratings_load(&r, fixture("generic.tsv"), NULL, &d), ALS_E_INPUT, "generic.tsv without names");
    cr_assert(strstr(d.msg, "user column"), "msg: %s", d.msg);
    cr_assert_eq(d.line, 1, "line %ld", d.line);
}

Test(ratings, header_columns_in_any_order_and_quotes)
{
    als_ratings r;
    als_diag d;
    const char *text = "timestamp,rating,\"itemId\",user\n5,4.5,\"a,b\",\"x \"\"q\"\"\"\n6,2,c,y\n";
    cr_assert_eq(parse_str(&r, text, NULL, &d), ALS_OK, "%s", d.msg);
    static const char *const u[] = {"x \"q\"", "y"}, *const i[] = {"a,b", "c"};
    static const float v[] = {4.5f, 2};
    check_ratings(&r, 2, u, i, v);
    als_ratings_free(&r);

    /* a headerless CSV is positional */
    cr_assert_eq(parse_str(&r, "u1,i1,3\nu2,i1,4\n", NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.n, 2, "n %zu", r.n);
    cr_assert_str_eq(uid(&r, 0), "u1", "user 0");
    als_ratings_free(&r);

    /* forced format wins over detection: a '::' file read as csv has one field per line */
    als_load_opts o;
    als_load_opts_default(&o);
    o.format = ALS_FMT_CSV;
    expect_error("1::2::3\n", &o, 1, "expected at least 3 fields");
}

Test(ratings, bom_no_trailing_newline_blank_lines_spaces)
{
    als_ratings r;
    als_diag d;
    const char *text = "\xEF\xBB\xBFuserId,movieId,rating\n\n1, 2 ,3\n   \n4,5,1";
    cr_assert_eq(parse_str(&r, text, NULL, &d), ALS_OK, "%s", d.msg);
    static const char *const u[] = {"1", "4"}, *const i[] = {"2", "5"};
    static const float v[] = {3, 1};
    check_ratings(&r, 2, u, i, v);
    als_ratings_free(&r);
}

Test(ratings, string_ids_first_seen_order)
{
    als_ratings r;
    als_diag d;
    /* "10" before "9"; "010" and "10" are different strings; numbers and names mix */
    const char *text = "user,item,rating\nbob,10,1\nann,9,2\nbob,010,3\nzed,x,4\nann,10,5\n7,9,1\n";
    cr_assert_eq(parse_str(&r, text, NULL, &d), ALS_OK, "%s", d.msg);
    static const char *const users[] = {"bob", "ann", "zed", "7"}, *const items[] = {"10", "9", "010", "x"};
    cr_assert_eq(r.users.n, 4, "users %u", r.users.n);
    cr_assert_eq(r.items.n, 4, "items %u", r.items.n);
    for (uint32_t k = 0; k < 4; k++) {
        cr_assert_str_eq(als_idmap_str(&r.users, k), users[k], "user %u", k);
        cr_assert_str_eq(als_idmap_str(&r.items, k), items[k], "item %u", k);
    }
    static const uint32_t ui[] = {0, 1, 0, 2, 1, 3}, ii[] = {0, 1, 2, 3, 0, 1};
    for (size_t k = 0; k < 6; k++) {
        cr_assert_eq(r.user[k], ui[k], "rating %zu user index %u, expected %u", k, r.user[k], ui[k]);
        cr_assert_eq(r.item[k], ii[k], "rating %zu item index %u, expected %u", k, r.item[k], ii[k]);
    }
    als_ratings_free(&r);

    /* decimal ids far apart and in descending order are still first-seen */
    cr_assert_eq(parse_str(&r, "5000000,3,1\n2,99999999,2\n123456789,3,3\n0,0,4\n", NULL, &d), ALS_OK, "%s", d.msg);
    static const char *const u2[] = {"5000000", "2", "123456789", "0"};
    for (uint32_t k = 0; k < 4; k++)
        cr_assert_str_eq(als_idmap_str(&r.users, k), u2[k], "user %u", k);
    cr_assert_eq(r.items.n, 3, "items %u", r.items.n);
    als_ratings_free(&r);
}

/* ---- duplicates ----------------------------------------------------------------------------- */

/* u1/a twice (grouped), u2/b three times with u2 coming back after u3 (not grouped) */
static const char dup_text[] = "userId,movieId,rating\n"
                               "u1,a,1\n"   /* line 2 */
                               "u1,a,2\n"   /* line 3 */
                               "u2,b,3\n"   /* line 4 */
                               "u3,b,4\n"   /* line 5 */
                               "u2,b,5\n"   /* line 6 */
                               "u2,c,1\n"   /* line 7 */
                               "u2,b,4.5\n" /* line 8 */;

Test(duplicates, keep_last_default)
{
    als_ratings r;
    als_diag d;
    cr_assert_eq(parse_str(&r, dup_text, NULL, &d), ALS_OK, "%s", d.msg);
    /* survivors in file order: line 3, 5, 7, 8 */
    static const char *const u[] = {"u1", "u3", "u2", "u2"}, *const i[] = {"a", "b", "c", "b"};
    static const float v[] = {2, 4, 1, 4.5f};
    check_ratings(&r, 4, u, i, v);
    cr_assert_eq(r.n_duplicates, 3, "n_duplicates %zu", r.n_duplicates);
    cr_assert_eq(r.users.n, 3, "users %u", r.users.n);
    als_ratings_free(&r);
}

Test(duplicates, keep_first)
{
    als_ratings r;
    als_diag d;
    als_load_opts o;
    als_load_opts_default(&o);
    o.duplicates = ALS_DUP_FIRST;
    cr_assert_eq(parse_str(&r, dup_text, &o, &d), ALS_OK, "%s", d.msg);
    static const char *const u[] = {"u1", "u2", "u3", "u2"}, *const i[] = {"a", "b", "b", "c"};
    static const float v[] = {1, 3, 4, 1};
    check_ratings(&r, 4, u, i, v);
    cr_assert_eq(r.n_duplicates, 3, "n_duplicates %zu", r.n_duplicates);
    als_ratings_free(&r);
}

Test(duplicates, error_names_both_lines)
{
    als_load_opts o;
    als_load_opts_default(&o);
    o.duplicates = ALS_DUP_ERROR;
    expect_error(dup_text, &o, 3, "first at line 2");
    /* the earliest duplicate in the file is reported, with blank and skipped lines counted */
    o.skip_bad_lines = true;
    expect_error("userId,movieId,rating\n\nu1,a,1\nbad line\nu2,a,1\n\nu1,a,3\n", &o, 7, "first at line 3");
    expect_error("u9,z,1\nu2,b,3\nu3,b,4\nu2,b,5\n", &o, 4, "user 'u2' for item 'b' (first at line 2)");
}

/* ---- errors --------------------------------------------------------------------------------- */

Test(errors, malformed_lines)
{
    const char *h = "userId,movieId,rating,timestamp\n";
    char t[512];
#define E(body, line, msg)                                                                        \
    do {                                                                                          \
        snprintf(t, sizeof t, "%s%s", h, body);                                                   \
        expect_error(t, NULL, line, msg);                                                         \
    } while (0)
    E("1,2,3,4\n1,2,3\n", 3, "expected 4 fields separated by ',', found 3 in '1,2,3'");
    E("1,2,3,4,5\n", 2, "found 5");
    E("1,2,abc,4\n", 2, "expected a finite number as the rating in field 3, found 'abc'");
    E("1,2,nan,4\n", 2, "found 'nan'");
    E("1,2,inf,4\n", 2, "found 'inf'");
    E("1,2,1e999,4\n", 2, "found '1e999'");
    E("1,2,1e39,4\n", 2, "found '1e39'"); /* finite double, not a float */
    E("1,2,,4\n", 2, "found ''");
    E(",2,3,4\n", 2, "expected a non-empty user id in field 1");
    E("1,,3,4\n", 2, "expected a non-empty item id in field 2");
    E("1\t2\t3\t4\n", 2, "found 1 in '1\\t2\\t3\\t4'"); /* mixed separators */
    E("1,\"2,3,4\n", 2, "expected a closing '\"'");
    E("1,\"2\"x,3,4\n", 2, "expected a separator after the closing '\"'");
#undef E
    static const char nul[] = "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,3\0,4\n5,6,7,8\n";
    als_ratings r;
    als_diag d;
    cr_assert_eq(als_ratings_parse(&r, nul, sizeof nul - 1, "bad.csv", NULL, &d), ALS_E_INPUT, "NUL accepted");
    cr_assert(d.line == 3 && strstr(d.msg, "found a NUL byte at byte 6 of the line"), "NUL: line %ld msg %s", d.line,
              d.msg);
    expect_error("", NULL, 1, "found an empty file");
    expect_error("\xEF\xBB\xBF", NULL, 1, "found an empty file");
    expect_error("\n\n  \n", NULL, 4, "found only blank lines");
    expect_error("userId,movieId,rating\n", NULL, 2, "expected ratings after the header, found end of file");
    expect_error("userId,movieId,rating", NULL, 2, "after the header");
    expect_error("1 2 3\n", NULL, 1, "expected fields separated by ',', tabs or '::', found '1 2 3'");
    expect_error("1,2\n", NULL, 1, "expected at least 3 fields (user, item, rating) separated by ','");
    expect_error("1::2::3\n1::2\n", NULL, 2, "expected 3 fields separated by '::', found 2 in '1::2'");
    expect_error("1\t2\t3\t4\n5\t6\tx\t7\n", NULL, 2, "found 'x'");
    expect_error("user,item,value,rating\n", NULL, 2, "after the header");
    expect_error("a,b,c\n", NULL, 1, "found 'c'");

    als_load_opts o;
    als_load_opts_default(&o);
    o.user_col = "who";
    expect_error("userId,movieId,rating\n1,2,3\n", &o, 1, "expected a column named 'who' in the header");
    expect_error("1,2,3\n", &o, 1, "expected a header naming column 'who'");
    als_load_opts_default(&o);
    o.has_range = true;
    o.min_rating = 1;
    o.max_rating = 5;
    expect_error("1,2,5\n1,3,5.5\n", &o, 2, "expected a rating in [1, 5], found '5.5'");
    expect_error("1,2,0\n", &o, 1, "found '0'");
}

Test(errors, binary_garbage_and_long_lines)
{
    char bin[256];
    for (int k = 0; k < 256; k++)
        bin[k] = (char)(255 - k); /* contains '\n' and NUL */
    als_ratings r;
    als_diag d;
    cr_assert_eq(als_ratings_parse(&r, bin, sizeof bin, "bin", NULL, &d), ALS_E_INPUT, "binary accepted");
    cr_assert(d.line >= 1, "line %ld", d.line);

    size_t n = 70000 + 64;
    char *t = malloc(n + 1);
    strcpy(t, "userId,movieId,rating\n1,2,3\n1,");
    size_t o = strlen(t);
    memset(t + o, 'x', 70000);
    strcpy(t + o + 70000, ",4\n");
    expect_error(t, NULL, 3, "expected a line of at most 65536 bytes, found 70004 bytes");
    /* a long line first */
    expect_error(t + 28, NULL, 1, "at most 65536 bytes");
    /* 65536 bytes exactly is fine */
    memset(t, 0, n);
    strcpy(t, "1,");
    memset(t + 2, 'y', 65536 - 6);
    strcpy(t + 65536 - 4, ",3,4\n");
    cr_assert_eq(parse_str(&r, t, NULL, &d), ALS_OK, "65536-byte line rejected: %s", d.msg);
    cr_assert_eq(strlen(iid(&r, 0)), 65536 - 6, "item id length %zu", strlen(iid(&r, 0)));
    als_ratings_free(&r);
    free(t);
}

Test(errors, skip_bad_lines_counts)
{
    als_load_opts o;
    als_load_opts_default(&o);
    o.skip_bad_lines = true;
    als_ratings r;
    als_diag d;
    const char *text = "userId,movieId,rating\n1,2,3\n1,2\nx,y,z\n4,5,6\n,1,2\n7,8,9\n";
    cr_assert_eq(parse_str(&r, text, &o, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.n, 3, "n %zu", r.n);
    cr_assert_eq(r.n_bad_lines, 3, "bad lines %zu", r.n_bad_lines);
    cr_assert_eq(r.first_bad_line, 3, "first bad line %ld", r.first_bad_line);
    cr_assert_eq(d.line, 3, "diag line %ld", d.line);
    cr_assert(strstr(d.msg, "expected 3 fields"), "diag of the first bad line: %s", d.msg);
    static const char *const u[] = {"1", "4", "7"}, *const i[] = {"2", "5", "8"};
    static const float v[] = {3, 6, 9};
    check_ratings(&r, 3, u, i, v);
    als_ratings_free(&r);

    /* all lines bad: an error naming the first */
    cr_assert_eq(parse_str(&r, "userId,movieId,rating\n1,2\n3,4\n", &o, &d), ALS_E_INPUT, "no good line accepted");
    cr_assert_eq(d.line, 2, "line %ld", d.line);
    cr_assert(strstr(d.msg, "2 bad lines"), "msg %s", d.msg);
}

Test(errors, files)
{
    als_ratings r;
    als_diag d;
    cr_assert_eq(als_ratings_load(&r, "/nonexistent/ratings.csv", NULL, &d), ALS_E_INPUT, "missing file (bad input, exit 2)");
    cr_assert(strstr(d.msg, "cannot open"), "msg %s", d.msg);
    cr_assert_str_eq(d.path, "/nonexistent/ratings.csv", "path %s", d.path);
    cr_assert_eq(als_ratings_load(&r, srcdir(), NULL, &d), ALS_E_INPUT, "directory");
    cr_assert(strstr(d.msg, "is a directory"), "msg %s", d.msg);
    char tmp[] = "/tmp/alstune-test-data-XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert(fd >= 0, "mkstemp");
    close(fd);
    cr_assert_eq(als_ratings_load(&r, tmp, NULL, &d), ALS_E_INPUT, "empty file");
    cr_assert(strstr(d.msg, "empty file") && d.line == 1, "msg %s line %ld", d.msg, d.line);
    unlink(tmp);
}

/* ---- movies --------------------------------------------------------------------------------- */

Test(movies, csv_quoted_titles)
{
    als_movies m;
    als_diag d;
    cr_assert_eq(als_movies_load(&m, fixture("movies.csv"), &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(m.n, 4, "n %zu", m.n);
    cr_assert_str_eq(als_movies_title(&m, "11"), "American President, The (1995)", "quoted comma");
    cr_assert_str_eq(als_movies_title(&m, "12"), "Dracula: Dead and Loving It \"Uncut\" (1995)", "doubled quotes");
    cr_assert_str_eq(als_movies_genres(&m, "11"), "Comedy|Drama|Romance", "genres");
    cr_assert_str_eq(als_movies_genres(&m, "13"), "", "no genres listed");
    cr_assert_null(als_movies_title(&m, "2"), "absent movie");
    cr_assert_str_eq(als_idmap_str(&m.ids, 0), "1", "first id");
    als_movies_free(&m);
}

Test(movies, uitem_latin1_and_genre_flags)
{
    als_movies m;
    als_diag d;
    cr_assert_eq(als_movies_load(&m, fixture("u.item"), &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(m.n, 3, "n %zu", m.n);
    cr_assert_str_eq(als_movies_title(&m, "543"), "Mis\xc3\xa9rables, Les (1995)", "Latin-1 e-acute to UTF-8: %s",
                     als_movies_title(&m, "543"));
    cr_assert_str_eq(als_movies_genres(&m, "1"), "Animation|Children's|Comedy", "flags: %s", als_movies_genres(&m, "1"));
    cr_assert_str_eq(als_movies_genres(&m, "543"), "Drama|Musical", "flags: %s", als_movies_genres(&m, "543"));
    cr_assert_str_eq(als_movies_genres(&m, "267"), "unknown", "flags: %s", als_movies_genres(&m, "267"));
    als_movies_free(&m);
}

Test(movies, dat_and_already_utf8)
{
    als_movies m;
    als_diag d;
    cr_assert_eq(als_movies_load(&m, fixture("movies.dat"), &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(m.n, 3, "n %zu", m.n);
    cr_assert_str_eq(als_movies_title(&m, "73"), "Mis\xc3\xa9rables, Les (1995)", "%s", als_movies_title(&m, "73"));
    cr_assert_str_eq(als_movies_genres(&m, "2"), "Adventure|Children's|Fantasy", "genres");
    als_movies_free(&m);

    /* UTF-8 text is kept as it is, not converted twice */
    char tmp[] = "/tmp/alstune-test-movies-XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert(fd >= 0, "mkstemp");
    const char *text = "movieId,title,genres\n5,Am\xc3\xa9lie (2001),Comedy|Romance\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text), "write");
    close(fd);
    cr_assert_eq(als_movies_load(&m, tmp, &d), ALS_OK, "%s", d.msg);
    cr_assert_str_eq(als_movies_title(&m, "5"), "Am\xc3\xa9lie (2001)", "%s", als_movies_title(&m, "5"));
    als_movies_free(&m);
    unlink(tmp);
}

static als_status movies_from(als_movies *m, const char *text, als_diag *d)
{
    char tmp[] = "/tmp/alstune-test-movies-XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert(fd >= 0, "mkstemp");
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text), "write");
    close(fd);
    als_status st = als_movies_load(m, tmp, d);
    unlink(tmp);
    return st;
}

Test(movies, detection_corner_cases)
{
    als_movies m;
    als_diag d;
    /* u.item whose first title has a comma is still u.item */
    cr_assert_eq(movies_from(&m, "7|Twelve Monkeys, The (1995)|01-Jan-1995||u|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|1|0|0|0\n", &d),
                 ALS_OK, "%s", d.msg);
    cr_assert_str_eq(als_movies_title(&m, "7"), "Twelve Monkeys, The (1995)", "title");
    cr_assert_str_eq(als_movies_genres(&m, "7"), "Drama|Sci-Fi", "genres %s", als_movies_genres(&m, "7"));
    als_movies_free(&m);
    /* a long line with doubled quotes is an error, not a scratch-buffer overflow */
    size_t n = 200000;
    char *t = malloc(n + 64);
    strcpy(t, "movieId,title,genres\n1,\"");
    size_t o = strlen(t);
    for (size_t k = 0; k < n / 2; k++, o += 2)
        memcpy(t + o, "\"\"", 2);
    strcpy(t + o, "\",Drama\n");
    cr_assert_eq(movies_from(&m, t, &d), ALS_E_INPUT, "200 KB line accepted");
    cr_assert(d.line == 2 && strstr(d.msg, "at most 65536 bytes"), "line %ld: %s", d.line, d.msg);
    free(t);
    /* a headerless movies.csv with string ids keeps its first row */
    cr_assert_eq(movies_from(&m, "m1,First,Drama\nm2,Second,Comedy\n", &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(m.n, 2, "n %zu", m.n);
    cr_assert_str_eq(als_movies_title(&m, "m1"), "First", "first row");
    als_movies_free(&m);
}

Test(movies, errors)
{
    struct {
        const char *text;
        long line;
        const char *msg;
    } cases[] = {
        {"movieId,title,genres\n1,Toy Story,Comedy\n2,\"Open quote,Drama\n", 3, "closing"},
        {"movieId,title,genres\n1,A,Comedy\n1,B,Drama\n", 3, "found movie '1' again (first at line 2)"},
        {"1|A|x||u|0|0\n", 1, "expected 24 fields separated by '|', found 7"},
        {"1|A|||u|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|2\n", 1, "expected genre flag 0 or 1 in field 24 (Western)"},
        {"movieId,title,genres\n", 2, "found end of file"},
        {"", 1, "empty file"},
        {"just text\n", 1, "expected movies.csv, u.item or movies.dat"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char tmp[] = "/tmp/alstune-test-movies-XXXXXX";
        int fd = mkstemp(tmp);
        cr_assert(fd >= 0, "mkstemp");
        cr_assert_eq(write(fd, cases[k].text, strlen(cases[k].text)), (ssize_t)strlen(cases[k].text), "write");
        close(fd);
        als_movies m;
        als_diag d;
        als_status st = als_movies_load(&m, tmp, &d);
        unlink(tmp);
        cr_assert_eq(st, ALS_E_INPUT, "case %zu accepted", k);
        cr_assert_eq(d.line, cases[k].line, "case %zu: line %ld, expected %ld (%s)", k, d.line, cases[k].line, d.msg);
        cr_assert(strstr(d.msg, cases[k].msg), "case %zu: '%s' lacks '%s'", k, d.msg, cases[k].msg);
        cr_assert_eq(m.n, 0, "case %zu left %zu movies", k, m.n);
    }
}

/* ---- stats ---------------------------------------------------------------------------------- */

Test(stats, tiny_hand_computed)
{
    /* tiny.csv: u1 m1 5, u1 m2 3, u2 m1 4, u3 m3 1, u3 m1 2, u2 m5 4
     * tiny_movies.csv: m1 Drama|Comedy, m2 Drama, m3 (none), m4 Comedy (unrated); m5 not in it */
    als_ratings r;
    als_movies m;
    als_stats s;
    als_diag d;
    cr_assert_eq(als_ratings_load(&r, fixture("tiny.csv"), NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_movies_load(&m, fixture("tiny_movies.csv"), &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_stats_compute(&s, &r, &m, 2, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(s.n_ratings, 6, "n %zu", s.n_ratings);
    cr_assert_eq(s.n_users, 3, "users %u", s.n_users);
    cr_assert_eq(s.n_items, 4, "items %u", s.n_items);
    cr_assert_float_eq(s.sparsity, 1.0 - 6.0 / 12.0, 1e-15, "sparsity %g", s.sparsity);
    cr_assert_float_eq(s.mean, 19.0 / 6.0, 1e-15, "mean %g", s.mean);
    double var = (pow(5 - 19.0 / 6, 2) + pow(3 - 19.0 / 6, 2) + 2 * pow(4 - 19.0 / 6, 2) + pow(1 - 19.0 / 6, 2) +
                  pow(2 - 19.0 / 6, 2)) / 6;
    cr_assert_float_eq(s.stddev, sqrt(var), 1e-12, "std %g vs %g", s.stddev, sqrt(var));
    cr_assert_eq(s.n_bins, 5, "bins %zu", s.n_bins);
    static const double val[] = {1, 2, 3, 4, 5};
    static const size_t cnt[] = {1, 1, 1, 2, 1};
    for (int b = 0; b < 5; b++) {
        cr_assert_eq(s.bins[b].value, val[b], "bin %d value %g", b, s.bins[b].value);
        cr_assert_eq(s.bins[b].count, cnt[b], "bin %d count %zu", b, s.bins[b].count);
    }
    /* per user: u1 2, u2 2, u3 2; per item: m1 3, m2 1, m3 1, m5 1 */
    cr_assert(s.per_user.min == 2 && s.per_user.max == 2 && s.per_user.median == 2, "per user %u %g %u",
              s.per_user.min, s.per_user.median, s.per_user.max);
    cr_assert(s.per_item.min == 1 && s.per_item.max == 3 && s.per_item.median == 1, "per item %u %g %u",
              s.per_item.min, s.per_item.median, s.per_item.max);
    cr_assert_float_eq(s.per_item.mean, 1.5, 1e-15, "per item mean %g", s.per_item.mean);
    cr_assert_eq(s.n_top, 2, "top %zu", s.n_top);
    cr_assert_str_eq(als_idmap_str(&r.items, s.top[0].item), "m1", "top 1");
    cr_assert_eq(s.top[0].count, 3, "top 1 count");
    cr_assert_float_eq(s.top[0].mean, 11.0 / 3, 1e-12, "top 1 mean %g", s.top[0].mean);
    cr_assert_str_eq(als_idmap_str(&r.items, s.top[1].item), "m2", "top 2: ties in first-seen order");
    cr_assert_eq(s.n_catalogue, 4, "catalogue %zu", s.n_catalogue);
    cr_assert_eq(s.n_unrated, 1, "unrated %zu", s.n_unrated);
    cr_assert_str_eq(als_idmap_str(&m.ids, (uint32_t)s.unrated[0]), "m4", "unrated id");
    cr_assert_eq(s.n_uncatalogued, 1, "rated but not in the catalogue %zu", s.n_uncatalogued);
    cr_assert_eq(s.n_no_genre, 1, "without genre %zu", s.n_no_genre);
    cr_assert_eq(s.n_genres, 2, "genres %zu", s.n_genres);
    /* Drama: m1 (3) + m2 (1) = 4 ratings, 2 movies; Comedy: m1 (3) + m4 (0) = 3 ratings, 2 movies */
    cr_assert_str_eq(s.genres[0].name, "Drama", "genre 0");
    cr_assert(s.genres[0].ratings == 4 && s.genres[0].movies == 2, "Drama %zu %zu", s.genres[0].ratings,
              s.genres[0].movies);
    cr_assert_str_eq(s.genres[1].name, "Comedy", "genre 1");
    cr_assert(s.genres[1].ratings == 3 && s.genres[1].movies == 2, "Comedy %zu %zu", s.genres[1].ratings,
              s.genres[1].movies);

    /* the CSV writer reports the same numbers */
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    als_stats_write(&s, &r, &m, "tiny.csv", ALS_STATS_CSV, f);
    fclose(f);
    cr_assert(strstr(out, "\nratings,6\n") && strstr(out, "\nusers,3\n") && strstr(out, "\nmovies,4\n"),
              "csv: %s", out);
    cr_assert(strstr(out, "\ncount_rating_4,2\n") && strstr(out, "\ntop_1_title,Alpha (2001)\n"), "csv: %s", out);
    free(out);
    als_stats_free(&s);
    als_movies_free(&m);
    als_ratings_free(&r);
}

Test(stats, median_of_even_counts_and_no_catalogue)
{
    als_ratings r;
    als_stats s;
    als_diag d;
    /* users: a 1, b 2, c 3, e 4 ratings → median 2.5 */
    const char *text = "a,1,1\nb,1,1\nb,2,1\nc,1,1\nc,2,1\nc,3,1\ne,1,1\ne,2,1\ne,3,1\ne,4,2\n";
    cr_assert_eq(parse_str(&r, text, NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(als_stats_compute(&s, &r, NULL, 100, &d), ALS_OK, "%s", d.msg);
    cr_assert_float_eq(s.per_user.median, 2.5, 1e-15, "median %g", s.per_user.median);
    cr_assert_eq(s.n_top, 4, "top capped at the item count: %zu", s.n_top);
    cr_assert(!s.has_movies && s.n_genres == 0, "no catalogue");
    cr_assert_eq(s.n_bins, 2, "bins %zu", s.n_bins);
    als_stats_free(&s);
    als_ratings_free(&r);
}

/* ---- real data ------------------------------------------------------------------------------ */

Test(ratings, ml100k_udata)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../shared/data/ml-100k/u.data", srcdir());
    if (access(path, R_OK) != 0)
        cr_skip_test("MovieLens 100k not found at %s", path);
    als_ratings r;
    als_diag d;
    cr_assert_eq(als_ratings_load(&r, path, NULL, &d), ALS_OK, "%s", d.msg);
    cr_assert_eq(r.format, ALS_FMT_UDATA, "format %s", als_format_name(r.format));
    cr_assert_eq(r.n, 100000, "ratings %zu", r.n);
    cr_assert_eq(r.users.n, 943, "users %u", r.users.n);
    cr_assert_eq(r.items.n, 1682, "items %u", r.items.n);
    cr_assert_str_eq(uid(&r, 0), "196", "first user");
    cr_assert_str_eq(iid(&r, 0), "242", "first item");
    als_ratings_free(&r);
}

/* ---- optional columns (predict's pairs, foldin's movieId,rating) ---------------------------- */

Test(optional, rating_column_optional_pairs)
{
    als_ratings r;
    als_diag d;
    als_load_opts o;
    als_load_opts_default(&o);
    o.rating_optional = true;
    /* header names compared case-insensitively; uid/iid are known names */
    cr_assert_eq(parse_str(&r, "UID,Iid\n1,20\n3,10\n1,20\n", &o, &d), ALS_OK, "%s", d.msg);
    cr_assert(!r.has_rating && r.has_user, "has_rating %d has_user %d", r.has_rating, r.has_user);
    /* duplicates resolved as for ratings (last kept, file order): (3,10) then (1,20) */
    cr_assert_eq(r.n, 2, "n %zu", r.n);
    cr_assert_eq(r.n_duplicates, 1, "dups %zu", r.n_duplicates);
    cr_assert_str_eq(als_idmap_str(&r.users, r.user[0]), "3", "first user %s", als_idmap_str(&r.users, r.user[0]));
    cr_assert_str_eq(als_idmap_str(&r.items, r.item[1]), "20", "second item %s", als_idmap_str(&r.items, r.item[1]));
    cr_assert(isnan(r.rating[0]) && isnan(r.rating[1]), "ratings NaN: %g %g", (double)r.rating[0], (double)r.rating[1]);
    als_ratings_free(&r);
    /* a rating column, when there, is read */
    cr_assert_eq(parse_str(&r, "user_id,movie_id,Rating\n1,20,4\n", &o, &d), ALS_OK, "%s", d.msg);
    cr_assert(r.has_rating && r.rating[0] == 4.0f, "rating %g", (double)r.rating[0]);
    als_ratings_free(&r);
    /* headerless two fields: pairs; three: ratings */
    cr_assert_eq(parse_str(&r, "1,20\n2,30\n", &o, &d), ALS_OK, "%s", d.msg);
    cr_assert(!r.has_rating && r.n == 2, "n %zu", r.n);
    als_ratings_free(&r);
    /* without the flag a pairs header is the usual error */
    als_load_opts_default(&o);
    cr_assert_eq(parse_str(&r, "uid,iid\n1,20\n", &o, &d), ALS_E_INPUT, "pairs without rating_optional");
    cr_assert(strstr(d.msg, "rating column"), "message: %s", d.msg);
}

Test(optional, user_column_optional_one_user)
{
    als_ratings r;
    als_diag d;
    als_load_opts o;
    als_load_opts_default(&o);
    o.user_optional = true;
    o.duplicates = ALS_DUP_ERROR;
    cr_assert_eq(parse_str(&r, "movie_id,rating\n10,4\n40,2.5\n", &o, &d), ALS_OK, "%s", d.msg);
    cr_assert(!r.has_user && r.has_rating && r.users.n == 1 && r.n == 2, "users %u n %zu", r.users.n, r.n);
    cr_assert_str_eq(als_idmap_str(&r.users, 0), "", "the one user is ''");
    cr_assert(r.rating[1] == 2.5f, "rating %g", (double)r.rating[1]);
    als_ratings_free(&r);
    /* a duplicate item names the item and both lines */
    cr_assert_eq(parse_str(&r, "MovieId,rating\n10,4\n10,5\n", &o, &d), ALS_E_INPUT, "duplicate item");
    cr_assert(d.line == 3 && strstr(d.msg, "second rating for item '10' (first at line 2)"), "%ld: %s", d.line, d.msg);
    /* the rating column stays required */
    cr_assert_eq(parse_str(&r, "movieId,stars2\n10,4\n", &o, &d), ALS_E_INPUT, "no rating column");
    cr_assert(strstr(d.msg, "rating column"), "message: %s", d.msg);
    /* a user column, when there, is read */
    cr_assert_eq(parse_str(&r, "userId,movieId,rating,timestamp\n7,30,5,0\n", &o, &d), ALS_OK, "%s", d.msg);
    cr_assert(r.has_user && r.users.n == 1, "has_user");
    cr_assert_str_eq(als_idmap_str(&r.users, 0), "7", "user 7");
    als_ratings_free(&r);
}
