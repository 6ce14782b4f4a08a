/* test_model — the model folder (exact round trip, every validation error), the top-k kernel
 * against its naive reference, cosine similarity and fold-in on hand-computed cases, and fold-in
 * reproducing the user factors of a model trained with als_train. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "als_model.h"
#include "als_util.h"

#define ASSERT_NEAR(got, want, tol, what)                                                        \
    cr_assert(fabs((double)(got) - (double)(want)) <= (tol), "%s: got %.9g, want %.9g", what,    \
              (double)(got), (double)(want))

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_model.XXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp failed");
}

static void rm_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert(system(cmd) == 0, "cannot remove %s", tmpdir);
}

/* A hand-made model: factors N(0,1) from the counter RNG, ids "u<i>" and "<10 i>". */
typedef struct {
    als_model m;
    als_params p;
    als_idmap users, items;
    als_csr seen;
} fixture;

static void fixture_make(fixture *f, uint32_t nu, uint32_t ni, int k, bool bias, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->m.nusers = nu;
    f->m.nitems = ni;
    f->m.rank = k;
    f->m.U = malloc((size_t)nu * (size_t)k * sizeof(float));
    f->m.V = malloc((size_t)ni * (size_t)k * sizeof(float));
    cr_assert(f->m.U && f->m.V, "malloc");
    for (size_t i = 0; i < (size_t)nu * (size_t)k; i++)
        f->m.U[i] = (float)als_rand_normal(seed, 1, i);
    for (size_t i = 0; i < (size_t)ni * (size_t)k; i++)
        f->m.V[i] = (float)als_rand_normal(seed, 2, i);
    if (bias) {
        f->m.has_bias = true;
        f->m.mu = 3.5294117647058822;
        f->m.ubias = malloc(nu * sizeof(float));
        f->m.ibias = malloc(ni * sizeof(float));
        for (uint32_t i = 0; i < nu; i++)
            f->m.ubias[i] = (float)als_rand_normal(seed, 3, i) * 0.3f;
        for (uint32_t i = 0; i < ni; i++)
            f->m.ibias[i] = (float)als_rand_normal(seed, 4, i) * 0.3f;
    }
    f->p.rank = k;
    f->p.regParam = 0.1;
    f->p.maxIter = 7;
    f->p.alpha = 40.0 / 3.0;
    f->p.seed = 18446744073709551615ULL;
    f->p.bias = bias;
    f->p.cgSteps = 3;
    als_idmap_init(&f->users);
    als_idmap_init(&f->items);
    char buf[32];
    uint32_t idx;
    for (uint32_t i = 0; i < nu; i++) {
        int n = snprintf(buf, sizeof buf, "u%u", i);
        cr_assert(als_idmap_intern(&f->users, buf, (size_t)n, &idx) == ALS_OK && idx == i, "intern");
    }
    for (uint32_t i = 0; i < ni; i++) {
        int n = snprintf(buf, sizeof buf, "%u", 10 * i + 7);
        cr_assert(als_idmap_intern(&f->items, buf, (size_t)n, &idx) == ALS_OK && idx == i, "intern");
    }
    /* seen: each user rates ~1/3 of the items, in decreasing item order (so saving must sort) */
    size_t cap = (size_t)nu * ni, ne = 0;
    uint32_t *ru = malloc(cap * sizeof *ru), *ri = malloc(cap * sizeof *ri);
    float *rv = malloc(cap * sizeof *rv);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t i = ni; i-- > 0;)
            if (als_rand_uniform(seed, 5, (uint64_t)u * ni + i) < 0.33) {
                ru[ne] = u;
                ri[ne] = i;
                rv[ne++] = (float)(1 + (u + i) % 5);
            }
    cr_assert(als_csr_build(&f->seen, nu, ni, ru, ri, rv, NULL, ne) == ALS_OK, "csr");
    free(ru);
    free(ri);
    free(rv);
}

static void fixture_free(fixture *f)
{
    free(f->m.U);
    free(f->m.V);
    free(f->m.ubias);
    free(f->m.ibias);
    als_idmap_free(&f->users);
    als_idmap_free(&f->items);
    als_csr_free(&f->seen);
}

static void save_fixture(const fixture *f, const char *dir, bool with_seen)
{
    als_diag d;
    als_diag_clear(&d);
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    als_status st = als_model_save(dir, &f->m, &f->p, &f->users, &f->items, with_seen ? &f->seen : NULL, sha, &d);
    cr_assert(st == ALS_OK, "save failed: %s: %s", d.path, d.msg);
}

/* ---- save / load -------------------------------------------------------------------------- */

static void check_roundtrip(bool bias)
{
    make_tmpdir();
    fixture f;
    fixture_make(&f, 13, 21, 5, bias, 11);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/model", tmpdir);
    save_fixture(&f, dir, true);
    als_model_dir md;
    als_model_dir_init(&md);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_model_load(&md, dir, &d);
    cr_assert(st == ALS_OK, "load failed (%d): %s: %s", st, d.path, d.msg);
    cr_assert(md.m.nusers == 13 && md.m.nitems == 21 && md.m.rank == 5, "sizes %u %u %d", md.m.nusers,
              md.m.nitems, md.m.rank);
    cr_assert(memcmp(md.m.U, f.m.U, 13 * 5 * sizeof(float)) == 0, "user factors differ");
    cr_assert(memcmp(md.m.V, f.m.V, 21 * 5 * sizeof(float)) == 0, "item factors differ");
    cr_assert(md.m.has_bias == bias, "has_bias %d", md.m.has_bias);
    if (bias) {
        cr_assert(md.m.mu == f.m.mu, "mu %.17g vs %.17g", md.m.mu, f.m.mu);
        cr_assert(memcmp(md.m.ubias, f.m.ubias, 13 * sizeof(float)) == 0, "user biases differ");
        cr_assert(memcmp(md.m.ibias, f.m.ibias, 21 * sizeof(float)) == 0, "item biases differ");
    }
    cr_assert(md.p.regParam == 0.1 && md.p.maxIter == 7 && md.p.alpha == 40.0 / 3.0, "params %.17g %d %.17g",
              md.p.regParam, md.p.maxIter, md.p.alpha);
    cr_assert(md.p.seed == 18446744073709551615ULL, "seed %llu", (unsigned long long)md.p.seed);
    cr_assert(strcmp(md.data_sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") == 0,
              "sha %s", md.data_sha256);
    cr_assert(md.users.n == 13 && md.items.n == 21, "id counts %u %u", md.users.n, md.items.n);
    for (uint32_t i = 0; i < 21; i++)
        cr_assert(strcmp(als_idmap_str(&md.items, i), als_idmap_str(&f.items, i)) == 0, "item id %u: %s vs %s",
                  i, als_idmap_str(&md.items, i), als_idmap_str(&f.items, i));
    cr_assert(md.seen.nnz == f.seen.nnz, "seen nnz %zu vs %zu", md.seen.nnz, f.seen.nnz);
    for (uint32_t u = 0; u < 13; u++) {
        cr_assert(als_csr_rowlen(&md.seen, u) == als_csr_rowlen(&f.seen, u), "row %u length", u);
        for (size_t e = md.seen.ptr[u]; e < md.seen.ptr[u + 1]; e++) {
            uint32_t i = md.seen.idx[e];
            if (e > md.seen.ptr[u])
                cr_assert(md.seen.idx[e - 1] < i, "row %u not sorted", u);
            cr_assert(md.seen.val[e] == (float)(1 + (u + i) % 5), "row %u item %u value %g", u, i,
                      (double)md.seen.val[e]);
        }
    }
    als_model_dir_free(&md);
    fixture_free(&f);
    rm_tmpdir();
}

Test(folder, roundtrip_exact) { check_roundtrip(false); }
Test(folder, roundtrip_exact_bias) { check_roundtrip(true); }

Test(folder, without_seen_loads_empty_seen)
{
    make_tmpdir();
    fixture f;
    fixture_make(&f, 4, 6, 3, false, 2);
    save_fixture(&f, tmpdir, false);
    als_model_dir md;
    als_model_dir_init(&md);
    als_diag d;
    cr_assert(als_model_load(&md, tmpdir, &d) == ALS_OK, "load: %s", d.msg);
    cr_assert(md.seen.nnz == 0 && md.seen.nrows == 4 && md.seen.ptr[4] == 0, "seen should be empty 4 rows");
    als_model_dir_free(&md);
    fixture_free(&f);
    rm_tmpdir();
}

Test(folder, yaml_doubles_roundtrip_exactly)
{
    double vals[] = {0.1, 1.0 / 3.0, 1e-300, 0.30000000000000004, 12345.678901234567};
    for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++) {
        make_tmpdir();
        fixture f;
        fixture_make(&f, 2, 3, 2, false, 3);
        f.p.regParam = vals[j];
        save_fixture(&f, tmpdir, true);
        als_model_dir md;
        als_model_dir_init(&md);
        als_diag d;
        cr_assert(als_model_load(&md, tmpdir, &d) == ALS_OK, "load: %s", d.msg);
        cr_assert(md.p.regParam == vals[j], "regParam %.17g read back as %.17g", vals[j], md.p.regParam);
        als_model_dir_free(&md);
        fixture_free(&f);
        rm_tmpdir();
    }
}

/* Save a good folder, apply a corruption, and expect ALS_E_INPUT with path and message. */
static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert(fp, "cannot write %s", path);
    fputs(text, fp);
    fclose(fp);
}

static void truncate_file(const char *path, long keep)
{
    cr_assert(truncate(path, keep) == 0, "truncate %s", path);
}

static void expect_load_error(const char *file, const char *pattern)
{
    als_model_dir md;
    als_model_dir_init(&md);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_model_load(&md, tmpdir, &d);
    cr_assert(st == ALS_E_INPUT, "corrupt %s: status %d, want ALS_E_INPUT (msg: %s)", file, st, d.msg);
    cr_assert(strstr(d.path, file) != NULL, "diag path '%s' should name %s", d.path, file);
    cr_assert(strstr(d.msg, pattern) != NULL, "diag msg '%s' should contain '%s'", d.msg, pattern);
    cr_assert(md.m.U == NULL && md.users.n == 0, "failed load must leave md empty");
}

typedef void (*corruptor)(const char *dir);

static void with_corruption(corruptor c, const char *file, const char *pattern)
{
    make_tmpdir();
    fixture f;
    fixture_make(&f, 5, 7, 3, true, 4);
    save_fixture(&f, tmpdir, true);
    c(tmpdir);
    expect_load_error(file, pattern);
    fixture_free(&f);
    rm_tmpdir();
}

static char pbuf[600];
static const char *P(const char *dir, const char *name)
{
    snprintf(pbuf, sizeof pbuf, "%s/%s", dir, name);
    return pbuf;
}

static void c_missing_ids(const char *dir) { unlink(P(dir, "item_ids.txt")); }
static void c_missing_yaml(const char *dir) { unlink(P(dir, "model.yaml")); }
static void c_trunc_npy(const char *dir) { truncate_file(P(dir, "user_factors.npy"), 128 + 20); }
static void c_trunc_header(const char *dir) { truncate_file(P(dir, "item_factors.npy"), 30); }
static void c_dup_id(const char *dir) { write_text(P(dir, "user_ids.txt"), "u0\nu1\nu2\nu1\nu4\n"); }
static void c_few_ids(const char *dir) { write_text(P(dir, "user_ids.txt"), "u0\nu1\nu2\nu3\n"); }
static void c_empty_id(const char *dir) { write_text(P(dir, "item_ids.txt"), "1\n2\n\n4\n5\n6\n7\n"); }
static void c_rank(const char *dir)
{
    float z[5 * 4] = {0};
    cr_assert(als_npy_write_f32(P(dir, "user_factors.npy"), z, 5, 4, NULL) == ALS_OK, "write");
}
static void c_dtype(const char *dir)
{
    /* same bytes, dtype '<f8': a float64 array is not accepted */
    char *buf;
    size_t len;
    cr_assert(als_read_file(P(dir, "item_factors.npy"), &buf, &len, NULL) == ALS_OK, "read");
    char *f4 = strstr(buf + 10, "<f4");
    cr_assert(f4, "no <f4 in header");
    f4[2] = '8';
    FILE *fp = fopen(P(dir, "item_factors.npy"), "wb");
    fwrite(buf, 1, len, fp);
    fclose(fp);
    free(buf);
}
static void c_bias_shape(const char *dir)
{
    float z[7 * 2] = {0};
    cr_assert(als_npy_write_f32(P(dir, "item_bias.npy"), z, 7, 2, NULL) == ALS_OK, "write");
}
static void c_yaml_value(const char *dir)
{
    char *buf;
    size_t len;
    cr_assert(als_read_file(P(dir, "model.yaml"), &buf, &len, NULL) == ALS_OK, "read");
    char *r = strstr(buf, "rank: 3");
    cr_assert(r, "rank line");
    memcpy(r, "rank: x", 7);
    write_text(P(dir, "model.yaml"), buf);
    free(buf);
}
static void c_seen_trunc(const char *dir) { truncate_file(P(dir, "seen.csr"), 60); }
static void c_seen_magic(const char *dir) { write_text(P(dir, "seen.csr"), "not a csr file at all, really not"); }
static void c_nan(const char *dir)
{
    float z[5 * 3] = {0};
    z[7] = NAN;
    cr_assert(als_npy_write_f32(P(dir, "user_factors.npy"), z, 5, 3, NULL) == ALS_OK, "write");
}

Test(folder, missing_id_file) { with_corruption(c_missing_ids, "item_ids.txt", "missing model file"); }
Test(folder, missing_yaml) { with_corruption(c_missing_yaml, "model.yaml", "missing model file"); }
Test(folder, truncated_npy) { with_corruption(c_trunc_npy, "user_factors.npy", "truncated"); }
Test(folder, truncated_npy_header) { with_corruption(c_trunc_header, "item_factors.npy", "truncated"); }
Test(folder, duplicate_id) { with_corruption(c_dup_id, "user_ids.txt", "duplicate id 'u1' (first on line 2)"); }
Test(folder, id_count_mismatch) { with_corruption(c_few_ids, "user_ids.txt", "has 4 ids, but user_factors.npy has 5 rows"); }
Test(folder, empty_id_line) { with_corruption(c_empty_id, "item_ids.txt", "empty line"); }
Test(folder, rank_mismatch) { with_corruption(c_rank, "user_factors.npy", "shape (5, 4) does not match model.yaml, expected (5, 3)"); }
Test(folder, wrong_dtype) { with_corruption(c_dtype, "item_factors.npy", "float32"); }
Test(folder, bias_shape) { with_corruption(c_bias_shape, "item_bias.npy", "expected (7, 1)"); }
Test(folder, yaml_bad_value) { with_corruption(c_yaml_value, "model.yaml", "rank: invalid value 'x'"); }
Test(folder, seen_truncated) { with_corruption(c_seen_trunc, "seen.csr", "truncated"); }
Test(folder, seen_bad_magic) { with_corruption(c_seen_magic, "seen.csr", "bad magic"); }
Test(folder, nan_factor) { with_corruption(c_nan, "user_factors.npy", "non-finite value at row 2, column 1"); }

Test(folder, yaml_error_has_line_number)
{
    make_tmpdir();
    fixture f;
    fixture_make(&f, 5, 7, 3, false, 4);
    save_fixture(&f, tmpdir, false);
    write_text(P(tmpdir, "model.yaml"), "format_version: 1\nrank: 3\nfrobnicate: yes\n");
    als_model_dir md;
    als_model_dir_init(&md);
    als_diag d;
    als_diag_clear(&d);
    cr_assert(als_model_load(&md, tmpdir, &d) == ALS_E_INPUT, "status");
    cr_assert(d.line == 3 && strstr(d.msg, "unknown key 'frobnicate'"), "line %ld msg %s", d.line, d.msg);
    fixture_free(&f);
    rm_tmpdir();
}

/* ---- top-k -------------------------------------------------------------------------------- */

Test(topk, select_known_answer)
{
    /* scores 1 3 3 2 -inf 5 NaN: top 3 = item 5 (5), then the tie 3,3 by index: 1, 2 */
    float s[] = {1, 3, 3, 2, -INFINITY, 5, NAN};
    uint32_t idx[3];
    float sc[3];
    uint32_t n = als_topk_select(s, 7, 3, idx, sc);
    cr_assert(n == 3, "count %u", n);
    cr_assert(idx[0] == 5 && idx[1] == 1 && idx[2] == 2, "order %u %u %u, want 5 1 2", idx[0], idx[1], idx[2]);
    cr_assert(sc[0] == 5 && sc[1] == 3 && sc[2] == 3, "scores %g %g %g", sc[0], sc[1], sc[2]);
    /* k larger than the candidates: -inf and NaN never enter */
    uint32_t idx7[7];
    float sc7[7];
    n = als_topk_select(s, 7, 7, idx7, sc7);
    cr_assert(n == 5, "count %u, want 5 (skipping -inf and NaN)", n);
    cr_assert(idx7[3] == 3 && idx7[4] == 0, "tail %u %u, want 3 0", idx7[3], idx7[4]);
}

static void compare_gemm_naive(uint32_t nq, uint32_t nt, int rank, int k, bool adds, bool with_excl,
                               bool subset, int threads, int bq, int bt)
{
    float *Q = malloc((size_t)nq * (size_t)rank * sizeof *Q), *T = malloc((size_t)nt * (size_t)rank * sizeof *T);
    float *qa = malloc(nq * sizeof *qa), *ta = malloc(nt * sizeof *ta);
    for (size_t i = 0; i < (size_t)nq * (size_t)rank; i++)
        Q[i] = (float)als_rand_normal(7, 1, i);
    for (size_t i = 0; i < (size_t)nt * (size_t)rank; i++)
        T[i] = (float)als_rand_normal(7, 2, i);
    for (uint32_t i = 0; i < nq; i++)
        qa[i] = (float)als_rand_normal(7, 3, i);
    for (uint32_t i = 0; i < nt; i++)
        ta[i] = (float)als_rand_normal(7, 4, i);
    /* exclusions: a random half of the targets for each query, increasing */
    als_csr ex;
    memset(&ex, 0, sizeof ex);
    if (with_excl) {
        size_t cap = (size_t)nq * nt, ne = 0;
        uint32_t *r = malloc(cap * sizeof *r), *c = malloc(cap * sizeof *c);
        float *v = malloc(cap * sizeof *v);
        for (uint32_t q = 0; q < nq; q++)
            for (uint32_t t = 0; t < nt; t++)
                if (als_rand_uniform(7, 5, (uint64_t)q * nt + t) < (q == 3 ? 0.99 : 0.5)) {
                    r[ne] = q;
                    c[ne] = t;
                    v[ne++] = 1;
                }
        cr_assert(als_csr_build(&ex, nq, nt, r, c, v, NULL, ne) == ALS_OK, "csr");
        free(r);
        free(c);
        free(v);
    }
    uint32_t *rows = NULL;
    size_t n = nq;
    if (subset) {
        n = nq / 2;
        rows = malloc(n * sizeof *rows);
        for (size_t i = 0; i < n; i++)
            rows[i] = (uint32_t)((i * 7 + 3) % nq);
    }
    als_topk a, b;
    cr_assert(als_topk_alloc(&a, n, k) == ALS_OK && als_topk_alloc(&b, n, k) == ALS_OK, "alloc");
    als_diag d;
    cr_assert(als_topk_gemm(Q, rows, n, T, nt, rank, adds ? qa : NULL, adds ? ta : NULL, with_excl ? &ex : NULL,
                            threads, bq, bt, &a, &d) == ALS_OK, "gemm: %s", d.msg);
    cr_assert(als_topk_naive(Q, rows, n, T, nt, rank, adds ? qa : NULL, adds ? ta : NULL, with_excl ? &ex : NULL,
                             &b, &d) == ALS_OK, "naive");
    for (size_t r = 0; r < n; r++) {
        cr_assert(a.count[r] == b.count[r], "row %zu count %u vs naive %u (threads %d bq %d bt %d)", r, a.count[r],
                  b.count[r], threads, bq, bt);
        for (uint32_t j = 0; j < a.count[r]; j++) {
            size_t o = r * (size_t)k + j;
            cr_assert(a.idx[o] == b.idx[o], "row %zu pos %u: idx %u vs naive %u (scores %.9g %.9g; bq %d bt %d)", r,
                      j, a.idx[o], b.idx[o], (double)a.score[o], (double)b.score[o], bq, bt);
            ASSERT_NEAR(a.score[o], b.score[o], 1e-4 * (1 + fabs(b.score[o])), "score");
        }
    }
    als_topk_free(&a);
    als_topk_free(&b);
    als_csr_free(&ex);
    free(rows);
    free(Q);
    free(T);
    free(qa);
    free(ta);
}

Test(topk, gemm_matches_naive_plain) { compare_gemm_naive(37, 101, 8, 5, false, false, false, 1, 0, 0); }
Test(topk, gemm_matches_naive_blocks)
{
    int bqs[] = {1, 5, 64}, bts[] = {1, 7, 1000};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            compare_gemm_naive(37, 101, 8, 6, true, true, false, 2, bqs[i], bts[j]);
}
Test(topk, gemm_matches_naive_subset_excl_adds) { compare_gemm_naive(40, 120, 16, 10, true, true, true, 2, 4, 16); }
Test(topk, gemm_k_exceeds_candidates) { compare_gemm_naive(9, 20, 3, 30, false, true, false, 1, 2, 3); }

Test(topk, ties_broken_by_index_across_blocks)
{
    /* every target identical: scores tie, the result must be targets 0..k-1 whatever the blocks */
    float Q[2] = {1, 2}, T[2 * 50];
    for (int i = 0; i < 50; i++) {
        T[2 * i] = 0.5f;
        T[2 * i + 1] = 0.25f;
    }
    for (int bt = 1; bt <= 50; bt += 7) {
        als_topk t;
        cr_assert(als_topk_alloc(&t, 1, 4) == ALS_OK, "alloc");
        cr_assert(als_topk_gemm(Q, NULL, 1, T, 50, 2, NULL, NULL, NULL, 1, 1, bt, &t, NULL) == ALS_OK, "gemm");
        for (uint32_t j = 0; j < 4; j++)
            cr_assert(t.idx[j] == j, "bt %d pos %u: idx %u, want %u", bt, j, t.idx[j], j);
        als_topk_free(&t);
    }
}

Test(topk, recommend_matches_bruteforce_predictions)
{
    make_tmpdir();
    fixture f;
    fixture_make(&f, 17, 29, 4, true, 9);
    save_fixture(&f, tmpdir, true);
    als_model_dir md;
    als_model_dir_init(&md);
    als_diag d;
    cr_assert(als_model_load(&md, tmpdir, &d) == ALS_OK, "load: %s", d.msg);
    for (int by_item = 0; by_item < 2; by_item++)
        for (int excl = 0; excl < 2; excl++) {
            als_topk t;
            cr_assert(als_model_recommend(&md, by_item, NULL, 0, 5, excl, 2, &t, &d) == ALS_OK, "recommend");
            uint32_t nq = by_item ? 29 : 17, nt = by_item ? 17 : 29;
            cr_assert(t.n == nq, "n %zu", t.n);
            for (uint32_t q = 0; q < nq; q++) {
                /* brute force: predictions of every unseen target, best first */
                double best[5];
                uint32_t bi[5], nb = 0;
                for (uint32_t x = 0; x < nt; x++) {
                    uint32_t u = by_item ? x : q, i = by_item ? q : x;
                    if (!als_model_warm(&md, !by_item, x))
                        continue; /* cold targets are never recommended */
                    bool seen = false;
                    for (size_t e = f.seen.ptr[u]; e < f.seen.ptr[u + 1]; e++)
                        seen |= f.seen.idx[e] == i;
                    if (excl && seen)
                        continue;
                    double s = als_model_predict(&md, u, i);
                    uint32_t pos = nb < 5 ? nb++ : 5;
                    while (pos > 0 && best[pos - 1] < s) {
                        if (pos < 5) {
                            best[pos] = best[pos - 1];
                            bi[pos] = bi[pos - 1];
                        }
                        pos--;
                    }
                    if (pos < 5) {
                        best[pos] = s;
                        bi[pos] = x;
                    }
                }
                cr_assert(t.count[q] == nb, "by_item %d excl %d q %u: count %u want %u", by_item, excl, q, t.count[q], nb);
                for (uint32_t j = 0; j < nb; j++) {
                    cr_assert(t.idx[q * 5 + j] == bi[j], "by_item %d excl %d q %u pos %u: %u want %u", by_item, excl, q,
                              j, t.idx[q * 5 + j], bi[j]);
                    ASSERT_NEAR(t.score[q * 5 + j], best[j], 1e-5, "score = prediction");
                }
            }
            als_topk_free(&t);
        }
    als_model_dir_free(&md);
    fixture_free(&f);
    rm_tmpdir();
}

/* ---- similar ------------------------------------------------------------------------------ */

static void tiny_dir(als_model_dir *md, int rank, uint32_t ni, const float *V)
{
    als_model_dir_init(md);
    md->m.rank = md->p.rank = rank;
    md->m.nusers = 1;
    md->m.nitems = ni;
    md->m.U = calloc((size_t)rank, sizeof(float));
    md->m.V = malloc((size_t)ni * (size_t)rank * sizeof(float));
    memcpy(md->m.V, V, (size_t)ni * (size_t)rank * sizeof(float));
}

Test(similar, cosine_known_answer)
{
    /* i0 (1,0), i1 (1,1), i2 (0,2), i3 (0,0), i4 (-3,0):
     * cos(i0,i1) = 1/√2, cos(i0,i2) = 0, cos(i0,i4) = -1; i3 has zero norm, i0 is itself */
    float V[] = {1, 0, 1, 1, 0, 2, 0, 0, -3, 0};
    als_model_dir md;
    tiny_dir(&md, 2, 5, V);
    uint32_t rows[] = {0, 3};
    als_topk t;
    als_diag d;
    cr_assert(als_model_similar(&md, false, rows, 2, 10, &t, &d) == ALS_OK, "similar");
    cr_assert(t.count[0] == 3, "count %u, want 3", t.count[0]);
    cr_assert(t.idx[0] == 1 && t.idx[1] == 2 && t.idx[2] == 4, "order %u %u %u, want 1 2 4", t.idx[0], t.idx[1], t.idx[2]);
    ASSERT_NEAR(t.score[0], 1 / sqrt(2.0), 1e-7, "cos(i0,i1)");
    ASSERT_NEAR(t.score[1], 0, 1e-7, "cos(i0,i2)");
    ASSERT_NEAR(t.score[2], -1, 1e-7, "cos(i0,i4)");
    cr_assert(t.count[1] == 0, "zero-norm query: count %u, want 0", t.count[1]);
    als_topk_free(&t);
    als_model_dir_free(&md);
}

/* ---- fold-in ------------------------------------------------------------------------------ */

Test(foldin, explicit_rank1_by_hand)
{
    /* y = 1, 2, 0.5; ratings 3 on item 0 and 4 on item 1; λ = 0.1, n = 2:
     * (1 + 4 + 0.1·2) x = 3 + 8  →  x = 11 / 5.2 */
    float V[] = {1, 2, 0.5f};
    als_model_dir md;
    tiny_dir(&md, 1, 3, V);
    md.p.regParam = 0.1;
    uint32_t it[] = {0, 1};
    float r[] = {3, 4}, x, b = 99;
    als_diag d;
    cr_assert(als_model_foldin(&md, it, r, 2, &x, &b, &d) == ALS_OK, "foldin: %s", d.msg);
    ASSERT_NEAR(x, 11.0 / 5.2, 1e-6, "x");
    cr_assert(b == 0, "bias %g, want 0 for a model without bias", (double)b);
    als_model_dir_free(&md);
}

Test(foldin, implicit_rank1_by_hand)
{
    /* y = 1, 2, 0.5; α = 2, λ = 0.1; r = 3 on item 0 (c = 6, p = 1), r = -1 on item 2 (c = 2, p = 0)
     * YᵀY = 1 + 4 + 0.25 = 5.25; A = 5.25 + 6·1 + 2·0.25 + 0.1·n⁺(1) = 11.85; b = (1+6)·1 = 7 */
    float V[] = {1, 2, 0.5f};
    als_model_dir md;
    tiny_dir(&md, 1, 3, V);
    md.p.regParam = 0.1;
    md.p.implicitPrefs = true;
    md.p.alpha = 2;
    uint32_t it[] = {0, 2};
    float r[] = {3, -1}, x;
    als_diag d;
    cr_assert(als_model_foldin(&md, it, r, 2, &x, NULL, &d) == ALS_OK, "foldin: %s", d.msg);
    ASSERT_NEAR(x, 7.0 / 11.85, 1e-6, "x");
    als_model_dir_free(&md);
}

Test(foldin, nonnegative_by_hand)
{
    /* y0 = (1,0), y1 = (0,1); r = 2, -3; λ = 0.1, n = 2: A = 1.2 I, b = (2, -3).
     * Unconstrained x = (1.667, -2.5); under x ≥ 0 the second component is clamped: (2/1.2, 0). */
    float V[] = {1, 0, 0, 1};
    als_model_dir md;
    tiny_dir(&md, 2, 2, V);
    md.p.regParam = 0.1;
    md.p.nonnegative = true;
    uint32_t it[] = {0, 1};
    float r[] = {2, -3}, x[2];
    als_diag d;
    cr_assert(als_model_foldin(&md, it, r, 2, x, NULL, &d) == ALS_OK, "foldin: %s", d.msg);
    ASSERT_NEAR(x[0], 2 / 1.2, 1e-6, "x0");
    ASSERT_NEAR(x[1], 0, 1e-9, "x1");
    md.p.nonnegative = false;
    cr_assert(als_model_foldin(&md, it, r, 2, x, NULL, &d) == ALS_OK, "foldin: %s", d.msg);
    ASSERT_NEAR(x[1], -2.5, 1e-6, "unconstrained x1");
    als_model_dir_free(&md);
}

Test(foldin, nothing_to_fold_in)
{
    float V[] = {1};
    als_model_dir md;
    tiny_dir(&md, 1, 1, V);
    float x;
    als_diag d;
    cr_assert(als_model_foldin(&md, NULL, NULL, 0, &x, NULL, &d) == ALS_E_INPUT, "empty fold-in must be ALS_E_INPUT");
    als_model_dir_free(&md);
}

/* Fold-in of a trained user's own training ratings reproduces their stored factors: each ALS
 * iteration ends with the user half-step against the final item factors, which is exactly the
 * fold-in system.  Checked for every model kind, through a save/load of the folder. */
static void foldin_matches_training(bool implicit, bool nonneg, bool bias, als_implicit_solver solver)
{
    const uint32_t nu = 30, ni = 40;
    size_t cap = (size_t)nu * ni, n = 0;
    uint32_t *ru = malloc(cap * sizeof *ru), *ri = malloc(cap * sizeof *ri);
    float *rv = malloc(cap * sizeof *rv);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t i = 0; i < ni; i++) {
            double x = als_rand_uniform(21, 1, (uint64_t)u * ni + i);
            if (x < 0.3) {
                ru[n] = u;
                ri[n] = i;
                /* explicit 1..5; implicit counts 1..5 with a few negatives */
                double v = 1 + floor(als_rand_uniform(21, 2, n) * 5);
                rv[n++] = (float)(implicit && x < 0.03 ? -v : v);
            }
        }
    als_csr by_user, by_item;
    cr_assert(als_csr_build(&by_user, nu, ni, ru, ri, rv, NULL, n) == ALS_OK, "csr");
    cr_assert(als_csr_transpose(&by_item, &by_user) == ALS_OK, "transpose");
    als_params p;
    als_params_default(&p);
    p.rank = 4;
    p.maxIter = 6;
    p.regParam = 0.05;
    p.implicitPrefs = implicit;
    p.alpha = 2.0;
    p.nonnegative = nonneg;
    p.bias = bias;
    p.solver = solver;
    p.threads = 1;
    p.seed = 3;
    als_model m;
    als_diag d;
    cr_assert(als_model_alloc(&m, nu, ni, p.rank, bias) == ALS_OK, "alloc");
    als_model_init(&m, &p, &by_user);
    cr_assert(als_train(&m, &p, &by_user, &by_item, NULL, NULL, &d) == ALS_OK, "train: %s", d.msg);

    make_tmpdir();
    als_idmap users, items;
    als_idmap_init(&users);
    als_idmap_init(&items);
    char buf[32];
    uint32_t idx;
    for (uint32_t u = 0; u < nu; u++)
        als_idmap_intern(&users, buf, (size_t)snprintf(buf, sizeof buf, "%u", u + 1), &idx);
    for (uint32_t i = 0; i < ni; i++)
        als_idmap_intern(&items, buf, (size_t)snprintf(buf, sizeof buf, "%u", i + 1), &idx);
    cr_assert(als_model_save(tmpdir, &m, &p, &users, &items, &by_user, NULL, &d) == ALS_OK, "save: %s", d.msg);
    als_model_dir md;
    als_model_dir_init(&md);
    cr_assert(als_model_load(&md, tmpdir, &d) == ALS_OK, "load: %s", d.msg);

    float x[4], b;
    double worst = 0;
    for (uint32_t u = 0; u < nu; u++) {
        size_t e0 = md.seen.ptr[u], len = md.seen.ptr[u + 1] - e0;
        if (len == 0)
            continue;
        cr_assert(als_model_foldin(&md, md.seen.idx + e0, md.seen.val + e0, len, x, &b, &d) == ALS_OK,
                  "foldin user %u: %s", u, d.msg);
        for (int j = 0; j < 4; j++) {
            double want = md.m.U[u * 4 + (uint32_t)j];
            worst = fmax(worst, fabs(x[j] - want));
            cr_assert(fabs(x[j] - want) <= 1e-5 * (1 + fabs(want)),
                      "implicit %d nonneg %d bias %d: user %u factor %d: fold-in %.9g, trained %.9g", implicit,
                      nonneg, bias, u, j, (double)x[j], want);
            if (nonneg)
                cr_assert(x[j] >= 0, "nonnegative fold-in gave %g", (double)x[j]);
        }
        if (bias)
            cr_assert(fabs(b - md.m.ubias[u]) <= 1e-5 * (1 + fabs(md.m.ubias[u])),
                      "user %u bias: fold-in %.9g, trained %.9g", u, (double)b, (double)md.m.ubias[u]);
    }
    cr_log_info("fold-in vs training: max |diff| %.3g", worst);
    als_model_dir_free(&md);
    als_idmap_free(&users);
    als_idmap_free(&items);
    als_model_free(&m);
    als_csr_free(&by_user);
    als_csr_free(&by_item);
    free(ru);
    free(ri);
    free(rv);
    rm_tmpdir();
}

Test(foldin, reproduces_trained_explicit) { foldin_matches_training(false, false, false, ALS_SOLVE_CHOLESKY); }
Test(foldin, reproduces_trained_implicit) { foldin_matches_training(true, false, false, ALS_SOLVE_CHOLESKY); }
Test(foldin, reproduces_trained_nonnegative) { foldin_matches_training(false, true, false, ALS_SOLVE_CHOLESKY); }
Test(foldin, reproduces_trained_implicit_nonnegative) { foldin_matches_training(true, true, false, ALS_SOLVE_CHOLESKY); }
Test(foldin, reproduces_trained_bias) { foldin_matches_training(false, false, true, ALS_SOLVE_CHOLESKY); }
Test(foldin, reproduces_trained_bias_nonnegative) { foldin_matches_training(false, true, true, ALS_SOLVE_CHOLESKY); }

/* als_model_quantile: numpy's default (linear) interpolation. */
Test(samples, quantile_is_numpys_linear)
{
    const double v[4] = {1.0, 2.0, 3.0, 4.0};
    cr_assert(als_model_quantile(v, 4, 0.0) == 1.0 && als_model_quantile(v, 4, 1.0) == 4.0, "ends");
    cr_assert(fabs(als_model_quantile(v, 4, 0.5) - 2.5) < 1e-15, "median %g", als_model_quantile(v, 4, 0.5));
    cr_assert(fabs(als_model_quantile(v, 4, 0.9) - 3.7) < 1e-12, "q 0.9: %g (numpy: 3.7)", als_model_quantile(v, 4, 0.9));
    cr_assert(als_model_quantile(v, 1, 0.3) == 1.0, "one value");
    cr_assert(isnan(als_model_quantile(v, 0, 0.3)), "no value");
}
