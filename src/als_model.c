/* als_model — the model folder (save/load with validation), top-k recommendation by blocked
 * SGEMM + per-row heaps, cosine similarity, and fold-in of a new user (docs/model.md).
 *
 * Everything that reads a model folder treats it as untrusted input: each file is checked
 * against model.yaml (dtype, shape, id counts, duplicate ids, CSR structure) and any mismatch is
 * an ALS_E_INPUT naming the file, so a corrupted folder is a clear message, never a crash. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_model.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_bpmf.h"
#include "als_limits.h"
#include "als_util.h"
#include "als_yflat.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SEEN_MAGIC "ALSCSR1\n"
#define SEEN_HDR 24 /* magic (8) + nrows u32 + ncols u32 + nnz u64 */

static void samples_free(als_model_samples *S);

void als_model_dir_init(als_model_dir *md)
{
    memset(md, 0, sizeof *md);
    als_idmap_init(&md->users);
    als_idmap_init(&md->items);
}

/* The arrays of md->m are allocated by als_model_load with malloc, so they are freed here
 * directly rather than by als_model_free (whose allocation scheme belongs to the solver). */
void als_model_dir_free(als_model_dir *md)
{
    if (!md)
        return;
    free(md->m.U);
    free(md->m.V);
    free(md->m.ubias);
    free(md->m.ibias);
    als_idmap_free(&md->users);
    als_idmap_free(&md->items);
    als_csr_free(&md->seen);
    free(md->user_count);
    free(md->item_count);
    samples_free(&md->samples);
    memset(md, 0, sizeof *md);
}

/* ---- saving ------------------------------------------------------------------------------- */

/* Shortest "%.{15,16,17}g" that reads back to the same double. */
static void fmt_double(char *out, size_t n, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static als_status write_ids(const char *path, const als_idmap *ids, uint32_t n, als_diag *d)
{
    als_afile a;
    if (ids && ids->n != n)
        return als_diag_set(d, ALS_E_INTERNAL, path, 0, 0, "id map has %u ids, the model has %u rows",
                            ids->n, n);
    for (uint32_t i = 0; ids && i < n; i++) {
        const char *s = als_idmap_str(ids, i);
        if (!s[0] || strpbrk(s, "\r\n"))
            return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                                "id of row %u is empty or contains a line break; cannot be saved", i);
    }
    als_status st = als_afile_open(&a, path, d);
    if (st)
        return st;
    for (uint32_t i = 0; i < n; i++) {
        if (ids)
            fputs(als_idmap_str(ids, i), a.f);
        else
            fprintf(a.f, "%u", i);
        fputc('\n', a.f);
    }
    return als_afile_commit(&a, d);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const uint32_t *a = pa, *b = pb;
    return (a[0] > b[0]) - (a[0] < b[0]);
}

/* seen.csr: rows written with their entries sorted by column, so the file is canonical. */
static als_status write_seen(const char *path, const als_csr *s, als_diag *d)
{
    uint32_t *pair = NULL; /* (idx, float bits) pairs of one row */
    size_t maxlen = 0;
    for (uint32_t r = 0; r < s->nrows; r++)
        if (als_csr_rowlen(s, r) > maxlen)
            maxlen = als_csr_rowlen(s, r);
    pair = malloc((maxlen ? maxlen : 1) * 2 * sizeof *pair);
    if (!pair)
        return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
    als_afile a;
    als_status st = als_afile_open(&a, path, d);
    if (st) {
        free(pair);
        return st;
    }
    unsigned char hdr[SEEN_HDR];
    memcpy(hdr, SEEN_MAGIC, 8);
    uint64_t nnz = s->nnz;
    memcpy(hdr + 8, &s->nrows, 4); /* little-endian hosts only (x86-64, aarch64) */
    memcpy(hdr + 12, &s->ncols, 4);
    memcpy(hdr + 16, &nnz, 8);
    fwrite(hdr, 1, sizeof hdr, a.f);
    for (uint32_t r = 0; r <= s->nrows; r++) {
        uint64_t p = s->ptr[r];
        fwrite(&p, 8, 1, a.f);
    }
    /* Two passes over the rows: sorted indices, then the values in the same order. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t r = 0; r < s->nrows; r++) {
            size_t len = als_csr_rowlen(s, r);
            for (size_t e = 0; e < len; e++) {
                pair[2 * e] = s->idx[s->ptr[r] + e];
                memcpy(&pair[2 * e + 1], &s->val[s->ptr[r] + e], 4);
            }
            qsort(pair, len, 2 * sizeof *pair, cmp_entry);
            for (size_t e = 0; e < len; e++)
                fwrite(&pair[2 * e + (size_t)pass], 4, 1, a.f);
        }
    }
    free(pair);
    return als_afile_commit(&a, d);
}

static als_status save_dir(const char *dir, const als_model *m, const als_params *p, const als_model_bpmf *b,
                           const als_idmap *users, const als_idmap *items, const als_csr *seen,
                           const char *data_sha256, als_diag *d)
{
    char path[4096];
    als_status st;
    if (m->rank < 1 || !m->U || !m->V)
        return als_diag_set(d, ALS_E_INTERNAL, dir, 0, 0, "cannot save an empty model");
    if (b && !m->has_bias)
        return als_diag_set(d, ALS_E_INTERNAL, dir, 0, 0, "a bpmf model folder must carry biases and mu");
    if (seen && (seen->nrows != m->nusers || seen->ncols != m->nitems))
        return als_diag_set(d, ALS_E_INTERNAL, dir, 0, 0,
                            "seen ratings are %u x %u, the model is %u users x %u items", seen->nrows,
                            seen->ncols, m->nusers, m->nitems);
    if ((st = als_mkdir_p(dir, d)))
        return st;
    size_t k = (size_t)m->rank;
    als_path_join(path, sizeof path, dir, "user_factors.npy");
    if ((st = als_npy_write_f32(path, m->U, m->nusers, k, d)))
        return st;
    als_path_join(path, sizeof path, dir, "item_factors.npy");
    if ((st = als_npy_write_f32(path, m->V, m->nitems, k, d)))
        return st;
    als_path_join(path, sizeof path, dir, "user_ids.txt");
    if ((st = write_ids(path, users, m->nusers, d)))
        return st;
    als_path_join(path, sizeof path, dir, "item_ids.txt");
    if ((st = write_ids(path, items, m->nitems, d)))
        return st;
    if (m->has_bias) {
        als_path_join(path, sizeof path, dir, "user_bias.npy");
        if ((st = als_npy_write_f32(path, m->ubias, m->nusers, 1, d)))
            return st;
        als_path_join(path, sizeof path, dir, "item_bias.npy");
        if ((st = als_npy_write_f32(path, m->ibias, m->nitems, 1, d)))
            return st;
    }
    if (seen) {
        als_path_join(path, sizeof path, dir, "seen.csr");
        if ((st = write_seen(path, seen, d)))
            return st;
    }

    /* model.yaml last: it lists the files, so it is only updated once they are all in place. */
    als_afile a;
    if ((st = als_afile_open_at(&a, dir, "model.yaml", d)))
        return st;
    char num[64];
    FILE *f = a.f;
    fprintf(f, "# alstune model folder (docs/model.md).  Factors: numpy.load('user_factors.npy').\n");
    fprintf(f, "format_version: 1\n");
    fprintf(f, "alstune_version: %s\n", PACKAGE_VERSION);
    if (b) {
        fprintf(f, "model: bpmf\n");
        fprintf(f, "rank: %d\n", m->rank);
        fprintf(f, "implicitPrefs: false\n");
        fmt_double(num, sizeof num, b->alpha);
        fprintf(f, "alpha: %s\n", num);
        fprintf(f, "sample_alpha: %s\n", b->sample_alpha ? "true" : "false");
        fprintf(f, "burnin: %d\n", b->burnin);
        fprintf(f, "samples: %d\n", b->samples);
        fprintf(f, "bpmf_bias: %s\n", b->bpmf_bias ? "true" : "false");
        fprintf(f, "keep_samples: %d\n", b->keep_samples);
        if (b->keep_samples > 0)
            fprintf(f, "thin: %d\n", b->thin);
        fprintf(f, "nonnegative: false\n");
        fprintf(f, "bias: true\n");
        fmt_double(num, sizeof num, m->mu);
        fprintf(f, "mu: %s\n", num);
        fprintf(f, "seed: %llu\n", (unsigned long long)p->seed);
    } else {
        fprintf(f, "rank: %d\n", m->rank);
        fmt_double(num, sizeof num, p->regParam);
        fprintf(f, "regParam: %s\n", num);
        fprintf(f, "maxIter: %d\n", p->maxIter);
        fprintf(f, "implicitPrefs: %s\n", p->implicitPrefs ? "true" : "false");
        fmt_double(num, sizeof num, p->alpha);
        fprintf(f, "alpha: %s\n", num);
        fprintf(f, "nonnegative: %s\n", p->nonnegative ? "true" : "false");
        fprintf(f, "bias: %s\n", m->has_bias ? "true" : "false");
        fmt_double(num, sizeof num, m->has_bias ? m->mu : 0.0);
        fprintf(f, "mu: %s\n", num);
        fprintf(f, "seed: %llu\n", (unsigned long long)p->seed);
        fprintf(f, "solver: %s\n", p->solver == ALS_SOLVE_CG ? "cg" : "cholesky");
        fprintf(f, "cgSteps: %d\n", p->cgSteps);
    }
    fprintf(f, "nusers: %u\n", m->nusers);
    fprintf(f, "nitems: %u\n", m->nitems);
    fprintf(f, "data_sha256: \"%s\"\n", data_sha256 ? data_sha256 : "");
    fprintf(f, "files: [user_factors.npy, item_factors.npy, user_ids.txt, item_ids.txt%s%s]\n",
            m->has_bias ? ", user_bias.npy, item_bias.npy" : "", seen ? ", seen.csr" : "");
    return als_afile_commit(&a, d);
}

als_status als_model_save(const char *dir, const als_model *m, const als_params *p,
                          const als_idmap *users, const als_idmap *items, const als_csr *seen,
                          const char *data_sha256, als_diag *d)
{
    return save_dir(dir, m, p, NULL, users, items, seen, data_sha256, d);
}

als_status als_model_save_bpmf(const char *dir, const als_model *m, const als_params *p,
                               const als_model_bpmf *b, const als_idmap *users, const als_idmap *items,
                               const als_csr *seen, const char *data_sha256, als_diag *d)
{
    return save_dir(dir, m, p, b, users, items, seen, data_sha256, d);
}

/* ---- loading ------------------------------------------------------------------------------ */

/* A key of model.yaml: what is known and whether it was seen. */
enum {
    K_FORMAT, K_VERSION, K_RANK, K_REG, K_MAXITER, K_IMPLICIT, K_ALPHA, K_NONNEG, K_BIAS, K_MU,
    K_SEED, K_SOLVER, K_CGSTEPS, K_NUSERS, K_NITEMS, K_SHA, K_FILES,
    K_MODEL, K_SAMPLE_ALPHA, K_BURNIN, K_SAMPLES, K_BPMF_BIAS, K_KEEP, K_THIN, K_COUNT
};
static const char *const yaml_keys[K_COUNT] = {
    "format_version", "alstune_version", "rank", "regParam", "maxIter", "implicitPrefs", "alpha",
    "nonnegative", "bias", "mu", "seed", "solver", "cgSteps", "nusers", "nitems", "data_sha256",
    "files", "model", "sample_alpha", "burnin", "samples", "bpmf_bias",
    "keep_samples", "thin"};
/* Keys every model.yaml must have (a bpmf one: not regParam, but alpha, burnin and samples). */
static const int yaml_required[] = {K_FORMAT, K_RANK, K_REG, K_IMPLICIT, K_BIAS, K_NUSERS, K_NITEMS, K_FILES};
static const int yaml_required_bpmf[] = {K_FORMAT, K_RANK,    K_ALPHA, K_BURNIN, K_SAMPLES,
                                         K_BIAS,   K_NUSERS,  K_NITEMS, K_FILES};

enum { F_UF, F_IF, F_UIDS, F_IIDS, F_UB, F_IB, F_SEEN, F_COUNT };
static const char *const file_names[F_COUNT] = {"user_factors.npy", "item_factors.npy", "user_ids.txt",
                                                "item_ids.txt",     "user_bias.npy",    "item_bias.npy",
                                                "seen.csr"};

typedef struct {
    bool has[K_COUNT];
    bool files[F_COUNT];
    long format;
} yaml_info;

static bool parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(s, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static als_status parse_files(const als_yentry *e, yaml_info *y, const char *path, als_diag *d)
{
    long line = e->line;
    if (!e->list)
        return als_diag_set(d, ALS_E_INPUT, path, line, 0, "files: expected a list [a.npy, b.txt, ...], found '%s'",
                            e->value);
    char v[4096];
    snprintf(v, sizeof v, "%s", e->value);
    char *save = NULL;
    for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = als_str_trim(tok);
        int f = -1;
        for (int j = 0; j < F_COUNT; j++)
            if (strcmp(t, file_names[j]) == 0)
                f = j;
        if (f < 0)
            return als_diag_set(d, ALS_E_INPUT, path, line, 0, "files: unknown model file '%s'", t);
        y->files[f] = true;
    }
    return ALS_OK;
}

/* model.yaml is flat YAML (als_yflat): one `key: value` per known key, files as a flow list. */
static als_status parse_yaml(als_model_dir *md, const char *path, yaml_info *y, als_diag *d)
{
    als_yflat yf;
    memset(y, 0, sizeof *y);
    als_status st = als_yflat_read(&yf, path, d);
    if (st)
        goto out;
    als_params *p = &md->p;
    long v;
    for (size_t i = 0; i < yf.n; i++) {
        const als_yentry *e = &yf.e[i];
        if (e->item)
            continue; /* an item of a block list; the whole list is its own entry */
        const char *key = e->key, *val = e->value;
        long lineno = e->line;
        int k = -1;
        for (int j = 0; j < K_COUNT; j++)
            if (strcmp(key, yaml_keys[j]) == 0)
                k = j;
        if (k < 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, lineno, 0, "unknown key '%s'", key);
            goto out;
        }
        if (y->has[k]) {
            st = als_diag_set(d, ALS_E_INPUT, path, lineno, 0, "duplicate key '%s'", key);
            goto out;
        }
        y->has[k] = true;
        bool ok = true;
        switch (k) {
        case K_FORMAT:
            ok = als_str_to_long(val, 1, 1000, &y->format);
            if (ok && y->format != 1) {
                st = als_diag_set(d, ALS_E_INPUT, path, lineno, 0,
                                  "format_version %ld is not supported (this alstune reads version 1)", y->format);
                goto out;
            }
            break;
        case K_VERSION:
            snprintf(md->version, sizeof md->version, "%s", val);
            break;
        case K_RANK:
            ok = als_str_to_long(val, 1, 100000, &v);
            md->m.rank = p->rank = (int)v;
            break;
        case K_REG:
            ok = (als_str_to_double(val, &p->regParam) && isfinite(p->regParam)) && p->regParam >= 0;
            break;
        case K_MAXITER:
            ok = als_str_to_long(val, 0, 1000000000, &v);
            p->maxIter = (int)v;
            break;
        case K_IMPLICIT: ok = parse_bool(val, &p->implicitPrefs); break;
        case K_ALPHA: ok = (als_str_to_double(val, &p->alpha) && isfinite(p->alpha)) && p->alpha >= 0; break;
        case K_NONNEG: ok = parse_bool(val, &p->nonnegative); break;
        case K_BIAS:
            ok = parse_bool(val, &p->bias);
            md->m.has_bias = p->bias;
            break;
        case K_MU: ok = (als_str_to_double(val, &md->m.mu) && isfinite(md->m.mu)); break;
        case K_SEED: ok = als_str_to_u64(val, &p->seed); break;
        case K_SOLVER:
            if (strcmp(val, "cholesky") == 0)
                p->solver = ALS_SOLVE_CHOLESKY;
            else if (strcmp(val, "cg") == 0)
                p->solver = ALS_SOLVE_CG;
            else
                ok = false;
            break;
        case K_CGSTEPS:
            ok = als_str_to_long(val, 0, 1000000, &v);
            p->cgSteps = (int)v;
            break;
        case K_NUSERS:
            ok = als_str_to_long(val, 0, (long)UINT32_MAX - 1, &v);
            md->m.nusers = (uint32_t)v;
            break;
        case K_NITEMS:
            ok = als_str_to_long(val, 0, (long)UINT32_MAX - 1, &v);
            md->m.nitems = (uint32_t)v;
            break;
        case K_SHA:
            ok = strlen(val) == 0 || strlen(val) == 64;
            snprintf(md->data_sha256, sizeof md->data_sha256, "%s", val);
            break;
        case K_FILES:
            if ((st = parse_files(e, y, path, d)))
                goto out;
            break;
        case K_MODEL:
            if (strcmp(val, "bpmf") == 0)
                md->bpmf.is_bpmf = true;
            else if (strcmp(val, "als") != 0)
                ok = false;
            break;
        case K_SAMPLE_ALPHA: ok = parse_bool(val, &md->bpmf.sample_alpha); break;
        case K_BURNIN:
            ok = als_str_to_long(val, 0, ALS_BURNIN_MAX, &v);
            md->bpmf.burnin = (int)v;
            break;
        case K_SAMPLES:
            ok = als_str_to_long(val, 1, ALS_SAMPLES_MAX, &v);
            md->bpmf.samples = (int)v;
            break;
        case K_BPMF_BIAS: ok = parse_bool(val, &md->bpmf.bpmf_bias); break;
        case K_KEEP:
            ok = als_str_to_long(val, 0, ALS_SAMPLES_MAX, &v);
            md->bpmf.keep_samples = (int)v;
            break;
        case K_THIN:
            ok = als_str_to_long(val, 1, ALS_SAMPLES_MAX, &v);
            md->bpmf.thin = (int)v;
            break;
        }
        if (!ok) {
            st = als_diag_set(d, ALS_E_INPUT, path, lineno, 0, "%s: invalid value '%s'", key, val);
            goto out;
        }
    }
    const int *req = md->bpmf.is_bpmf ? yaml_required_bpmf : yaml_required;
    size_t nreq = md->bpmf.is_bpmf ? sizeof yaml_required_bpmf / sizeof yaml_required_bpmf[0]
                                   : sizeof yaml_required / sizeof yaml_required[0];
    for (size_t j = 0; j < nreq; j++)
        if (!y->has[req[j]]) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "missing key '%s'%s", yaml_keys[req[j]],
                              md->bpmf.is_bpmf ? " (required in a model: bpmf folder)" : "");
            goto out;
        }
    if (md->bpmf.is_bpmf) {
        md->bpmf.alpha = p->alpha;
        if (md->bpmf.keep_samples > 0 &&
            (!y->has[K_THIN] || (long)md->bpmf.keep_samples * md->bpmf.thin > md->bpmf.samples)) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                              "keep_samples: %d needs thin with keep_samples x thin <= samples (%d)",
                              md->bpmf.keep_samples, md->bpmf.samples);
            goto out;
        }
        if (p->implicitPrefs || p->nonnegative || !p->bias || !(p->alpha > 0)) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                              "model: bpmf needs implicitPrefs: false, nonnegative: false, bias: true and "
                              "alpha > 0 (docs/model.md)");
            goto out;
        }
    } else {
        static const int only_bpmf[] = {K_SAMPLE_ALPHA, K_BURNIN, K_SAMPLES, K_BPMF_BIAS, K_KEEP, K_THIN};
        for (size_t j = 0; j < sizeof only_bpmf / sizeof only_bpmf[0]; j++)
            if (y->has[only_bpmf[j]]) {
                st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "key '%s' is only for model: bpmf",
                                  yaml_keys[only_bpmf[j]]);
                goto out;
            }
    }
    for (int f = F_UF; f <= F_IIDS; f++)
        if (!y->files[f]) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "files: the required file %s is not listed", file_names[f]);
            goto out;
        }
    if (p->bias != (y->files[F_UB] && y->files[F_IB])) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                          "bias: %s but files %s user_bias.npy and item_bias.npy", p->bias ? "true" : "false",
                          p->bias ? "does not list" : "lists");
        goto out;
    }
out:
    als_yflat_free(&yf);
    return st;
}

/* Read a factor or bias matrix and check its shape against model.yaml. */
static als_status load_npy(const char *dir, const char *name, size_t rows, size_t cols, float **out,
                           als_diag *d)
{
    char path[4096];
    als_path_join(path, sizeof path, dir, name);
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "missing model file (listed in model.yaml)");
    size_t r, c;
    als_status st = als_npy_read_f32(path, out, &r, &c, d);
    if (st)
        return st == ALS_E_IO ? ALS_E_INPUT : st;
    if (r != rows || c != cols) {
        free(*out);
        *out = NULL;
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                            "shape (%zu, %zu) does not match model.yaml, expected (%zu, %zu)", r, c, rows, cols);
    }
    for (size_t i = 0; i < r * c; i++)
        if (!isfinite((*out)[i])) {
            free(*out);
            *out = NULL;
            return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "non-finite value at row %zu, column %zu",
                                i / c, i % c);
        }
    return ALS_OK;
}

static als_status load_ids(const char *dir, const char *name, uint32_t expect, const char *factors,
                           als_idmap *ids, als_diag *d)
{
    char path[4096];
    als_path_join(path, sizeof path, dir, name);
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "missing model file (listed in model.yaml)");
    char *buf;
    size_t len;
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    if (memchr(buf, '\0', len)) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "binary file (NUL byte), expected one id per line");
        goto out;
    }
    long line = 0;
    char *p = buf;
    for (char *s; (s = als_str_next_line(&p)) != NULL;) {
        line++;
        size_t l = strlen(s);
        if (l == 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, line, 0, "expected an id, found an empty line");
            goto out;
        }
        uint32_t before = ids->n, idx;
        if ((st = als_idmap_intern(ids, s, l, &idx))) {
            als_diag_set(d, st, path, line, 0, "out of memory");
            goto out;
        }
        if (ids->n == before) {
            st = als_diag_set(d, ALS_E_INPUT, path, line, 0, "duplicate id '%.*s' (first on line %u)",
                              (int)(l > 200 ? 200 : l), s, idx + 1);
            goto out;
        }
    }
    if (ids->n != expect)
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "has %u ids, but %s has %u rows", ids->n, factors, expect);
out:
    free(buf);
    return st;
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static als_status load_seen(const char *dir, uint32_t nusers, uint32_t nitems, als_csr *s, als_diag *d)
{
    char path[4096];
    als_path_join(path, sizeof path, dir, "seen.csr");
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "missing model file (listed in model.yaml)");
    char *cbuf;
    size_t len;
    als_status st = als_read_file(path, &cbuf, &len, d);
    if (st)
        return st;
    const unsigned char *b = (const unsigned char *)cbuf;
    memset(s, 0, sizeof *s);
    if (len < SEEN_HDR || memcmp(b, SEEN_MAGIC, 8) != 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "not a seen.csr file (bad magic or truncated header)");
        goto fail;
    }
    uint32_t nr = rd32(b + 8), nc = rd32(b + 12);
    uint64_t nnz = rd64(b + 16);
    if (nr != nusers || nc != nitems) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "is %u x %u, model.yaml says %u users x %u items", nr,
                          nc, nusers, nitems);
        goto fail;
    }
    uint64_t need = SEEN_HDR + 8 * ((uint64_t)nr + 1);
    if (nnz > (len - SEEN_HDR) / 8 || need + 8 * nnz != len) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                          "truncated or oversized: %llu entries need %llu bytes, file has %zu",
                          (unsigned long long)nnz, (unsigned long long)(need + 8 * nnz), len);
        goto fail;
    }
    s->nrows = nr;
    s->ncols = nc;
    s->nnz = (size_t)nnz;
    s->ptr = malloc(((size_t)nr + 1) * sizeof *s->ptr);
    s->idx = malloc((nnz ? nnz : 1) * sizeof *s->idx);
    s->val = malloc((nnz ? nnz : 1) * sizeof *s->val);
    if (!s->ptr || !s->idx || !s->val) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (uint32_t r = 0; r <= nr; r++) {
        uint64_t p = rd64(b + SEEN_HDR + 8 * (size_t)r);
        if ((r == 0 && p != 0) || (r > 0 && p < s->ptr[r - 1]) || p > nnz || (r == nr && p != nnz)) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "corrupt row offsets at row %u", r);
            goto fail;
        }
        s->ptr[r] = (size_t)p;
    }
    memcpy(s->idx, b + need, 4 * (size_t)nnz);
    memcpy(s->val, b + need + 4 * nnz, 4 * (size_t)nnz);
    for (uint32_t r = 0; r < nr; r++)
        for (size_t e = s->ptr[r]; e < s->ptr[r + 1]; e++)
            if (s->idx[e] >= nc || (e > s->ptr[r] && s->idx[e] <= s->idx[e - 1]) || !isfinite(s->val[e])) {
                st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                                  "corrupt entry %zu of row %u (item index %u of %u, must be increasing, "
                                  "value finite)", e - s->ptr[r], r, s->idx[e], nc);
                goto fail;
            }
    free(cbuf);
    return ALS_OK;
fail:
    free(cbuf);
    als_csr_free(s);
    return st;
}

als_status als_model_load(als_model_dir *md, const char *dir, als_diag *d)
{
    char path[4096];
    yaml_info y;
    als_status st;
    als_model_dir_free(md);
    als_model_dir_init(md);
    /* Spark's defaults for the keys a model.yaml may omit. */
    md->p.rank = 10;
    md->p.regParam = 0.1;
    md->p.maxIter = 10;
    md->p.alpha = 1.0;
    md->p.cgSteps = 3;
    als_path_join(path, sizeof path, dir, "model.yaml");
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "missing model file; is '%s' a model folder "
                            "(written by alstune train or tune)?", dir);
    if ((st = parse_yaml(md, path, &y, d)))
        goto fail;
    als_model *m = &md->m;
    size_t k = (size_t)m->rank;
    if ((st = load_npy(dir, "user_factors.npy", m->nusers, k, &m->U, d)) ||
        (st = load_npy(dir, "item_factors.npy", m->nitems, k, &m->V, d)) ||
        (st = load_ids(dir, "user_ids.txt", m->nusers, "user_factors.npy", &md->users, d)) ||
        (st = load_ids(dir, "item_ids.txt", m->nitems, "item_factors.npy", &md->items, d)))
        goto fail;
    if (m->has_bias && ((st = load_npy(dir, "user_bias.npy", m->nusers, 1, &m->ubias, d)) ||
                        (st = load_npy(dir, "item_bias.npy", m->nitems, 1, &m->ibias, d))))
        goto fail;
    if (y.files[F_SEEN] && (st = load_seen(dir, m->nusers, m->nitems, &md->seen, d)))
        goto fail;
    if (y.files[F_SEEN]) {
        md->user_count = calloc(m->nusers ? m->nusers : 1, sizeof *md->user_count);
        md->item_count = calloc(m->nitems ? m->nitems : 1, sizeof *md->item_count);
        if (!md->user_count || !md->item_count) {
            st = als_diag_set(d, ALS_E_NOMEM, dir, 0, 0, "out of memory");
            goto fail;
        }
        for (uint32_t u = 0; u < m->nusers; u++)
            md->user_count[u] = als_csr_rowlen(&md->seen, u);
        for (size_t e = 0; e < md->seen.nnz; e++)
            md->item_count[md->seen.idx[e]]++;
    } else {
        md->seen.nrows = m->nusers;
        md->seen.ncols = m->nitems;
        md->seen.ptr = calloc((size_t)m->nusers + 1, sizeof *md->seen.ptr);
        if (!md->seen.ptr) {
            st = als_diag_set(d, ALS_E_NOMEM, dir, 0, 0, "out of memory");
            goto fail;
        }
    }
    return ALS_OK;
fail:
    als_model_dir_free(md);
    als_model_dir_init(md);
    return st;
}

/* ---- top-k -------------------------------------------------------------------------------- */

als_status als_topk_alloc(als_topk *t, size_t n, int k)
{
    memset(t, 0, sizeof *t);
    if (k < 1)
        return ALS_E_INTERNAL;
    size_t cells = n * (size_t)k;
    t->n = n;
    t->k = k;
    t->idx = malloc((cells ? cells : 1) * sizeof *t->idx);
    t->score = malloc((cells ? cells : 1) * sizeof *t->score);
    t->count = calloc(n ? n : 1, sizeof *t->count);
    if (!t->idx || !t->score || !t->count) {
        als_topk_free(t);
        return ALS_E_NOMEM;
    }
    return ALS_OK;
}

void als_topk_free(als_topk *t)
{
    if (!t)
        return;
    free(t->idx);
    free(t->score);
    free(t->count);
    memset(t, 0, sizeof *t);
}

/* A k-sized min-heap whose root is the worst entry kept: lower score, or equal score and larger
 * index.  Targets arrive in increasing index order, so a newcomer only enters with a strictly
 * higher score than the root, and ties are always won by the smaller index. */
static inline bool worse(float sa, uint32_t ia, float sb, uint32_t ib)
{
    return sa < sb || (sa == sb && ia > ib);
}

static void heap_sift_down(float *hs, uint32_t *hi, uint32_t cnt, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < cnt && worse(hs[l], hi[l], hs[w], hi[w]))
            w = l;
        if (r < cnt && worse(hs[r], hi[r], hs[w], hi[w]))
            w = r;
        if (w == i)
            return;
        float ts = hs[i];
        hs[i] = hs[w];
        hs[w] = ts;
        uint32_t ti = hi[i];
        hi[i] = hi[w];
        hi[w] = ti;
        i = w;
    }
}

static void heap_push(float *hs, uint32_t *hi, uint32_t *cnt, float s, uint32_t idx)
{
    uint32_t i = (*cnt)++;
    hs[i] = s;
    hi[i] = idx;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!worse(hs[i], hi[i], hs[p], hi[p]))
            break;
        float ts = hs[i];
        hs[i] = hs[p];
        hs[p] = ts;
        uint32_t ti = hi[i];
        hi[i] = hi[p];
        hi[p] = ti;
        i = p;
    }
}

/* Heap sort in place: best first. */
static void heap_finish(float *hs, uint32_t *hi, uint32_t cnt)
{
    for (uint32_t end = cnt; end > 1; end--) {
        float ts = hs[0];
        hs[0] = hs[end - 1];
        hs[end - 1] = ts;
        uint32_t ti = hi[0];
        hi[0] = hi[end - 1];
        hi[end - 1] = ti;
        heap_sift_down(hs, hi, end - 1, 0);
    }
}

/* Offer s[0..n) (target indices base + j) to a heap; the hot loop of recommend-for-all. */
static inline void heap_offer(const float *s, uint32_t n, uint32_t base, float *hs, uint32_t *hi,
                              uint32_t *cnt, uint32_t k)
{
    uint32_t j = 0;
    while (*cnt < k && j < n) {
        if (s[j] > -INFINITY)
            heap_push(hs, hi, cnt, s[j], base + j);
        j++;
    }
    if (*cnt < k)
        return;
    float thr = hs[0];
#ifdef __SSE2__
    /* Most scores lose against the k-th best: test 16 at a time (SSE2 is baseline on x86-64)
     * and only look closer at groups that hold a candidate. */
    for (; j + 16 <= n; j += 16) {
        __m128 t = _mm_set1_ps(thr);
        int mask = _mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(s + j), t)) |
                   _mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(s + j + 4), t)) |
                   _mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(s + j + 8), t)) |
                   _mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(s + j + 12), t));
        if (!mask)
            continue;
        for (uint32_t e = j; e < j + 16; e++)
            if (s[e] > thr) {
                hs[0] = s[e];
                hi[0] = base + e;
                heap_sift_down(hs, hi, k, 0);
                thr = hs[0];
            }
    }
#endif
    for (; j < n; j++) {
        if (s[j] > thr) {
            hs[0] = s[j];
            hi[0] = base + j;
            heap_sift_down(hs, hi, k, 0);
            thr = hs[0];
        }
    }
}

uint32_t als_topk_select(const float *s, uint32_t n, int k, uint32_t *idx, float *score)
{
    uint32_t cnt = 0;
    if (k < 1)
        return 0;
    heap_offer(s, n, 0, score, idx, &cnt, (uint32_t)k);
    heap_finish(score, idx, cnt);
    return cnt;
}

als_status als_topk_gemm(const float *Q, const uint32_t *rows, size_t n, const float *T, uint32_t nt,
                         int rank, const float *qadd, const float *tadd, const als_csr *excl, int threads,
                         int bq, int bt, als_topk *out, als_diag *d)
{
    if (out->n != n || out->k < 1 || rank < 1)
        return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "als_topk_gemm: output not allocated for %zu rows", n);
    if (n == 0)
        return ALS_OK;
    if (nt == 0) {
        memset(out->count, 0, n * sizeof *out->count);
        return ALS_OK;
    }
    if (bq <= 0)
        bq = 256;
    if (bt <= 0)
        bt = 2048;
    if ((uint32_t)bt > nt)
        bt = (int)nt;
    size_t nblocks = (n + (size_t)bq - 1) / (size_t)bq;
    if ((size_t)bq > n)
        bq = (int)n;
    int nth = threads;
#ifdef _OPENMP
    if (nth <= 0)
        nth = omp_get_max_threads();
#endif
    if (nth < 1)
        nth = 1;
    if ((size_t)nth > nblocks)
        nth = (int)nblocks;
    size_t kk = (size_t)rank, per = (size_t)bq * (size_t)bt + (size_t)bq * kk;
    float *work = malloc((size_t)nth * per * sizeof *work);
    if (!work) {
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the top-k workspace");
    }
    /* One BLAS thread per block: the parallelism is over query blocks. */
    int nested = 0, saved = 1;
#ifdef _OPENMP
    nested = omp_in_parallel();
#endif
    if (!nested) {
        saved = openblas_get_num_threads();
        openblas_set_num_threads(1);
    }
    const uint32_t k = (uint32_t)out->k;
#pragma omp parallel num_threads(nth)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        float *C = work + (size_t)tid * per;
        float *Qb = C + (size_t)bq * (size_t)bt;
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblocks; b++) {
            size_t q0 = b * (size_t)bq;
            int m = (int)((n - q0) < (size_t)bq ? (n - q0) : (size_t)bq);
            const float *A = Q + q0 * kk;
            if (rows) {
                for (int r = 0; r < m; r++)
                    memcpy(Qb + (size_t)r * kk, Q + (size_t)rows[q0 + (size_t)r] * kk, kk * sizeof *Qb);
                A = Qb;
            }
            for (int r = 0; r < m; r++)
                out->count[q0 + (size_t)r] = 0;
            for (uint32_t t0 = 0; t0 < nt; t0 += (uint32_t)bt) {
                int w = (int)(nt - t0 < (uint32_t)bt ? nt - t0 : (uint32_t)bt);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, w, rank, 1.0f, A, rank,
                            T + (size_t)t0 * kk, rank, 0.0f, C, w);
                for (int r = 0; r < m; r++) {
                    size_t o = q0 + (size_t)r, q = rows ? rows[o] : o;
                    float *s = C + (size_t)r * (size_t)w;
                    if (excl) {
                        /* rows in any order (the tuner's training rows keep file order): each
                         * target block scans the row, a small cost next to the block's SGEMM */
                        for (size_t e = excl->ptr[q], end = excl->ptr[q + 1]; e < end; e++)
                            if (excl->idx[e] >= t0 && excl->idx[e] - t0 < (uint32_t)w)
                                s[excl->idx[e] - t0] = -INFINITY;
                    }
                    if (qadd || tadd) {
                        float qa = qadd ? qadd[q] : 0.0f;
                        for (int j = 0; j < w; j++)
                            s[j] = s[j] + qa + (tadd ? tadd[t0 + (uint32_t)j] : 0.0f);
                    }
                    heap_offer(s, (uint32_t)w, t0, out->score + o * k, out->idx + o * k, &out->count[o], k);
                }
            }
            for (int r = 0; r < m; r++) {
                size_t o = q0 + (size_t)r;
                heap_finish(out->score + o * k, out->idx + o * k, out->count[o]);
            }
        }
    }
    if (!nested)
        openblas_set_num_threads(saved);
    free(work);
    return ALS_OK;
}

typedef struct {
    double s;
    uint32_t i;
} scored;

static int cmp_scored(const void *pa, const void *pb)
{
    const scored *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

als_status als_topk_naive(const float *Q, const uint32_t *rows, size_t n, const float *T, uint32_t nt,
                          int rank, const float *qadd, const float *tadd, const als_csr *excl,
                          als_topk *out, als_diag *d)
{
    scored *c = malloc((nt ? nt : 1) * sizeof *c);
    if (!c)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    for (size_t o = 0; o < n; o++) {
        size_t q = rows ? rows[o] : o;
        uint32_t nc = 0;
        for (uint32_t t = 0; t < nt; t++) {
            bool skip = false;
            for (size_t e = excl ? excl->ptr[q] : 0; excl && e < excl->ptr[q + 1]; e++)
                skip |= excl->idx[e] == t;
            if (skip)
                continue;
            double s = 0;
            for (int j = 0; j < rank; j++)
                s += (double)Q[q * (size_t)rank + (size_t)j] * T[(size_t)t * (size_t)rank + (size_t)j];
            s += (qadd ? qadd[q] : 0.0) + (tadd ? tadd[t] : 0.0);
            c[nc].s = s;
            c[nc++].i = t;
        }
        qsort(c, nc, sizeof *c, cmp_scored);
        uint32_t m = nc < (uint32_t)out->k ? nc : (uint32_t)out->k;
        for (uint32_t j = 0; j < m; j++) {
            out->idx[o * (size_t)out->k + j] = c[j].i;
            out->score[o * (size_t)out->k + j] = (float)c[j].s;
        }
        out->count[o] = m;
    }
    free(c);
    return ALS_OK;
}

als_status als_model_recommend(const als_model_dir *md, bool by_item, const uint32_t *rows, size_t n,
                               int k, bool exclude_seen, int threads, als_topk *out, als_diag *d)
{
    const als_model *m = &md->m;
    uint32_t nq = by_item ? m->nitems : m->nusers, nt = by_item ? m->nusers : m->nitems;
    if (!rows)
        n = nq;
    for (size_t r = 0; rows && r < n; r++)
        if (rows[r] >= nq)
            return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "row %u out of range", rows[r]);
    als_status st = als_topk_alloc(out, n, k);
    if (st)
        return als_diag_set(d, st, "", 0, 0, "out of memory for %zu top-%d lists", n, k);
    /* Bias models: the query side adds μ + b_q (constant per row), the target side b_t; cold
     * targets get −inf so they are never candidates. */
    float *qadd = NULL, *tadd = NULL;
    const uint32_t *tcount = by_item ? md->user_count : md->item_count;
    als_csr tr;
    memset(&tr, 0, sizeof tr);
    const als_csr *excl = NULL;
    if (m->has_bias) {
        const float *qb = by_item ? m->ibias : m->ubias;
        qadd = malloc((nq ? nq : 1) * sizeof *qadd);
        if (!qadd) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            goto fail;
        }
        for (uint32_t q = 0; q < nq; q++)
            qadd[q] = (float)(m->mu + qb[q]);
    }
    if (m->has_bias || tcount) {
        const float *tb = m->has_bias ? (by_item ? m->ubias : m->ibias) : NULL;
        tadd = malloc((nt ? nt : 1) * sizeof *tadd);
        if (!tadd) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            goto fail;
        }
        for (uint32_t t = 0; t < nt; t++)
            tadd[t] = tcount && tcount[t] == 0 ? -INFINITY : tb ? tb[t] : 0.0f;
    }
    if (exclude_seen && md->seen.nnz > 0) {
        if (by_item) {
            if (als_csr_transpose(&tr, &md->seen)) {
                st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
                goto fail;
            }
            excl = &tr;
        } else {
            excl = &md->seen;
        }
    }
    st = als_topk_gemm(by_item ? m->V : m->U, rows, n, by_item ? m->U : m->V, nt, m->rank, qadd, tadd,
                       excl, threads, 0, 0, out, d);
    if (st)
        goto fail;
    free(qadd);
    free(tadd);
    als_csr_free(&tr);
    return ALS_OK;
fail:
    free(qadd);
    free(tadd);
    als_csr_free(&tr);
    als_topk_free(out);
    return st;
}

als_status als_model_similar(const als_model_dir *md, bool by_user, const uint32_t *rows, size_t n,
                             int k, als_topk *out, als_diag *d)
{
    const als_model *m = &md->m;
    uint32_t nf = by_user ? m->nusers : m->nitems;
    const float *F = by_user ? m->U : m->V;
    size_t kk = (size_t)m->rank;
    als_status st = als_topk_alloc(out, n, k);
    if (st)
        return als_diag_set(d, st, "", 0, 0, "out of memory");
    double *norm = malloc((nf ? nf : 1) * sizeof *norm);
    float *s = malloc((nf ? nf : 1) * sizeof *s);
    if (!norm || !s) {
        free(norm);
        free(s);
        als_topk_free(out);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    }
    for (uint32_t j = 0; j < nf; j++) {
        double a = 0;
        for (size_t c = 0; c < kk; c++)
            a += (double)F[j * kk + c] * F[j * kk + c];
        norm[j] = sqrt(a);
    }
    for (size_t r = 0; r < n; r++) {
        uint32_t q = rows[r];
        out->count[r] = 0;
        if (q >= nf || norm[q] == 0)
            continue;
        const float *fq = F + (size_t)q * kk;
        for (uint32_t j = 0; j < nf; j++) {
            if (j == q || norm[j] == 0) {
                s[j] = -INFINITY;
                continue;
            }
            double a = 0;
            for (size_t c = 0; c < kk; c++)
                a += (double)fq[c] * F[j * kk + c];
            s[j] = (float)(a / (norm[q] * norm[j]));
        }
        out->count[r] = als_topk_select(s, nf, k, out->idx + r * (size_t)k, out->score + r * (size_t)k);
    }
    free(norm);
    free(s);
    return ALS_OK;
}

bool als_model_warm(const als_model_dir *md, bool item, int64_t row)
{
    if (row < 0 || row >= (int64_t)(item ? md->m.nitems : md->m.nusers))
        return false;
    const uint32_t *c = item ? md->item_count : md->user_count;
    return !c || c[row] > 0;
}

double als_model_predict(const als_model_dir *md, int64_t u, int64_t i)
{
    const als_model *m = &md->m;
    if (u < 0 || i < 0 || u >= (int64_t)m->nusers || i >= (int64_t)m->nitems)
        return NAN;
    size_t kk = (size_t)m->rank;
    const float *x = m->U + (size_t)u * kk, *y = m->V + (size_t)i * kk;
    double s = 0;
    for (size_t c = 0; c < kk; c++)
        s += (double)x[c] * y[c];
    if (m->has_bias)
        s += m->mu + m->ubias[u] + m->ibias[i];
    return s;
}

/* ---- fold-in ------------------------------------------------------------------------------ */

als_status als_model_foldin(const als_model_dir *md, const uint32_t *items, const float *ratings,
                            size_t n, float *x, float *bias, als_diag *d)
{
    const als_model *m = &md->m;
    const als_params *p = &md->p;
    const int k = m->rank;
    const bool use_bias = m->has_bias && !p->implicitPrefs;
    const int kb = k + (use_bias ? 1 : 0);
    const size_t K = (size_t)kb;
    if (md->bpmf.is_bpmf)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0,
                            "a bpmf model is folded in by als_model_foldin_bpmf over its kept samples "
                            "(docs/model.md)");
    if (n == 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "no ratings of movies known to the model: nothing to fold in");
    double *A = calloc(K * K + 2 * K + (K * K + 8 * K) + (K * K + K), sizeof *A);
    if (!A)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    double *b = A + K * K, *sol = b + K, *work = sol + K;
    size_t nreg = 0;
    if (p->implicitPrefs) {
        /* YᵀY over every item, then the confidence-weighted terms of the rated ones. */
        for (uint32_t i = 0; i < m->nitems; i++) {
            const float *y = m->V + (size_t)i * (size_t)k;
            for (int r = 0; r < k; r++)
                for (int c = 0; c <= r; c++)
                    A[(size_t)r * K + (size_t)c] += (double)y[r] * y[c];
        }
        for (size_t e = 0; e < n; e++) {
            const float *y = m->V + (size_t)items[e] * (size_t)k;
            double c1 = p->alpha * fabs((double)ratings[e]);
            if (ratings[e] > 0) {
                nreg++;
                for (int r = 0; r < k; r++)
                    b[r] += (1.0 + c1) * y[r];
            }
            for (int r = 0; r < k; r++)
                for (int c = 0; c <= r; c++)
                    A[(size_t)r * K + (size_t)c] += c1 * y[r] * y[c];
        }
    } else {
        for (size_t e = 0; e < n; e++) {
            const float *y = m->V + (size_t)items[e] * (size_t)k;
            double t = ratings[e];
            if (use_bias)
                t -= m->mu + m->ibias[items[e]];
            for (int r = 0; r < kb; r++) {
                double yr = r < k ? y[r] : 1.0;
                b[r] += t * yr;
                for (int c = 0; c <= r; c++)
                    A[(size_t)r * K + (size_t)c] += yr * (c < k ? y[c] : 1.0);
            }
        }
        nreg = n;
    }
    for (size_t r = 0; r < K; r++) {
        A[r * K + r] += p->regParam * (double)nreg;
        for (size_t c = 0; c < r; c++)
            A[c * K + r] = A[r * K + c];
    }
    als_status st = ALS_OK;
    if (p->implicitPrefs && nreg == 0) {
        /* b = 0: the solution is 0, as in the solver (also under x ≥ 0) */
        memset(sol, 0, K * sizeof *sol);
    } else if (p->nonnegative && use_bias) {
        /* x ≥ 0 with a free bias (as in the solver): eliminate the bias through the Schur
         * complement, A' = A_xx − a aᵀ / A_bb, b' = b_x − a b_b / A_bb, solve the NNLS in x, then
         * b_u = (b_b − aᵀx) / A_bb. */
        const size_t kx = (size_t)k;
        double *S = work + K * K + 8 * K, *sb = S + kx * kx, abb = A[kx * K + kx];
        for (size_t r = 0; r < kx; r++) {
            sb[r] = b[r] - A[r * K + kx] * b[kx] / abb;
            for (size_t c = 0; c < kx; c++)
                S[r * kx + c] = A[r * K + c] - A[r * K + kx] * A[c * K + kx] / abb;
        }
        if (als_nnls_solve(S, sb, sol, k, work) < 0)
            st = als_diag_set(d, ALS_E_NUMERIC, "", 0, 0, "the nonnegative fold-in system is not positive definite");
        double t = b[kx];
        for (size_t r = 0; r < kx; r++)
            t -= A[r * K + kx] * sol[r];
        sol[kx] = t / abb;
    } else if (p->nonnegative) {
        if (als_nnls_solve(A, b, sol, kb, work) < 0)
            st = als_diag_set(d, ALS_E_NUMERIC, "", 0, 0, "the nonnegative fold-in system is not positive definite");
    } else {
        memcpy(sol, b, K * sizeof *sol);
        if (!als_cholesky_solve(A, sol, kb))
            st = als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                              "the fold-in system is singular (regParam %g, %zu ratings): add ratings or "
                              "use a model with regParam > 0", p->regParam, n);
    }
    if (!st) {
        for (int r = 0; r < k; r++)
            x[r] = (float)sol[r];
        if (bias)
            *bias = use_bias ? (float)sol[k] : 0.0f;
        for (int r = 0; r < k; r++)
            if (!isfinite(x[r]))
                st = als_diag_set(d, ALS_E_NUMERIC, "", 0, 0, "fold-in produced non-finite factors");
    }
    free(A);
    return st;
}

/* ---- kept BPMF samples ------------------------------------------------------------------------ */

static void samples_free(als_model_samples *S)
{
    for (int j = 0; j < S->n; j++) {
        if (S->U)
            free(S->U[j]);
        if (S->V)
            free(S->V[j]);
        if (S->ub)
            free(S->ub[j]);
        if (S->ib)
            free(S->ib[j]);
    }
    free(S->U);
    free(S->V);
    free(S->ub);
    free(S->ib);
    free(S->alpha);
    free(S->bias_prec);
    free(S->mu);
    free(S->Lambda);
    memset(S, 0, sizeof *S);
}

/* samples/user_prior_NNN.npy: float32 (1, 2 + k + k²) = α, λ_b, μ_U, Λ_U (row-major). */
static als_status load_prior(const char *dir, const char *rel, int k, als_model_samples *S, int j, als_diag *d)
{
    char path[4096];
    als_path_join(path, sizeof path, dir, rel);
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                            "missing kept-sample prior (alpha, mu, Lambda of the users), which fold-in needs; "
                            "the folder was written before alstune kept them: retrain with --keep-samples");
    const size_t K = (size_t)k, len = 2 + K + K * K;
    float *v = NULL;
    als_status st = load_npy(dir, rel, 1, len, &v, d);
    if (st)
        return st;
    const double alpha = v[0], lb = v[1];
    if (!(alpha > 0) || !(lb > 0)) {
        free(v);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "alpha and the bias precision must be > 0, got %g and %g",
                            alpha, lb);
    }
    const float *L = v + 2 + K;
    for (size_t a = 0; a < K; a++) {
        if (!(L[a * K + a] > 0)) {
            const double bad = (double)L[a * K + a]; /* read before v (which L points into) is freed */
            free(v);
            return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "Lambda[%zu][%zu] = %g: a precision needs a positive "
                                "diagonal", a, a, bad);
        }
        for (size_t b = 0; b < a; b++)
            if (L[a * K + b] != L[b * K + a]) {
                free(v);
                return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "Lambda is not symmetric at [%zu][%zu]", a, b);
            }
    }
    S->alpha[j] = alpha;
    S->bias_prec[j] = lb;
    for (size_t a = 0; a < K; a++)
        S->mu[(size_t)j * K + a] = (double)v[2 + a];
    for (size_t a = 0; a < K * K; a++)
        S->Lambda[(size_t)j * K * K + a] = (double)L[a];
    free(v);
    return ALS_OK;
}

als_status als_model_load_samples(als_model_dir *md, const char *dir, bool priors, als_diag *d)
{
    als_model_samples *S = &md->samples;
    samples_free(S);
    char ypath[4096];
    als_path_join(ypath, sizeof ypath, dir, "model.yaml");
    if (!md->bpmf.is_bpmf)
        return als_diag_set(d, ALS_E_INPUT, ypath, 0, 0,
                            "not a model: bpmf folder; posterior samples exist only for BPMF models (docs/model.md)");
    const int n = md->bpmf.keep_samples;
    if (n < 1)
        return als_diag_set(d, ALS_E_INPUT, ypath, 0, 0,
                            "the folder keeps no posterior samples (keep_samples: 0); train with "
                            "alstune train --model bpmf --keep-samples N");
    const als_model *m = &md->m;
    const size_t K = (size_t)m->rank, N = (size_t)n;
    const bool bias = md->bpmf.bpmf_bias;
    als_status st = ALS_OK;
    S->U = calloc(N, sizeof *S->U);
    S->V = calloc(N, sizeof *S->V);
    if (bias) {
        S->ub = calloc(N, sizeof *S->ub);
        S->ib = calloc(N, sizeof *S->ib);
    }
    if (priors) {
        S->alpha = calloc(N, sizeof *S->alpha);
        S->bias_prec = calloc(N, sizeof *S->bias_prec);
        S->mu = calloc(N * K, sizeof *S->mu);
        S->Lambda = calloc(N * K * K, sizeof *S->Lambda);
    }
    S->n = n;
    if (!S->U || !S->V || (bias && (!S->ub || !S->ib)) ||
        (priors && (!S->alpha || !S->bias_prec || !S->mu || !S->Lambda))) {
        st = als_diag_set(d, ALS_E_NOMEM, dir, 0, 0, "out of memory for %d kept samples", n);
        goto fail;
    }
    for (int j = 0; j < n; j++) {
        char rel[4][64];
        snprintf(rel[0], sizeof rel[0], "samples/user_factors_%03d.npy", j + 1);
        snprintf(rel[1], sizeof rel[1], "samples/item_factors_%03d.npy", j + 1);
        snprintf(rel[2], sizeof rel[2], "samples/user_bias_%03d.npy", j + 1);
        snprintf(rel[3], sizeof rel[3], "samples/item_bias_%03d.npy", j + 1);
        if ((st = load_npy(dir, rel[0], m->nusers, K, &S->U[j], d)) ||
            (st = load_npy(dir, rel[1], m->nitems, K, &S->V[j], d)))
            goto fail;
        if (bias && ((st = load_npy(dir, rel[2], m->nusers, 1, &S->ub[j], d)) ||
                     (st = load_npy(dir, rel[3], m->nitems, 1, &S->ib[j], d))))
            goto fail;
        if (priors) {
            char prel[64];
            snprintf(prel, sizeof prel, "samples/user_prior_%03d.npy", j + 1);
            if ((st = load_prior(dir, prel, m->rank, S, j, d)))
                goto fail;
        }
    }
    return ALS_OK;
fail:
    samples_free(S);
    return st;
}

/* Prediction of kept sample j for valid dense indices. */
static double sample_predict(const als_model_dir *md, int j, uint32_t u, uint32_t i)
{
    const als_model_samples *S = &md->samples;
    const size_t K = (size_t)md->m.rank;
    const float *x = S->U[j] + (size_t)u * K, *y = S->V[j] + (size_t)i * K;
    double s = md->m.mu;
    if (S->ub)
        s += (double)S->ub[j][u] + (double)S->ib[j][i];
    for (size_t a = 0; a < K; a++)
        s += (double)x[a] * (double)y[a];
    return s;
}

void als_model_sample_stats(const als_model_dir *md, int64_t u, int64_t i, double *mean, double *sd)
{
    const als_model_samples *S = &md->samples;
    *mean = *sd = NAN;
    if (S->n < 1 || u < 0 || i < 0 || (uint64_t)u >= md->m.nusers || (uint64_t)i >= md->m.nitems)
        return;
    double t = 0.0, t2 = 0.0;
    for (int j = 0; j < S->n; j++)
        t += sample_predict(md, j, (uint32_t)u, (uint32_t)i);
    const double mn = t / S->n;
    for (int j = 0; j < S->n; j++) {
        const double e = sample_predict(md, j, (uint32_t)u, (uint32_t)i) - mn;
        t2 += e * e;
    }
    *mean = mn;
    *sd = sqrt(t2 / S->n);
}

double als_model_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    const double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

als_status als_model_recommend_samples(const als_model_dir *md, const uint32_t *rows, size_t n, int k,
                                       bool exclude_seen, double q, int threads, als_topk *out, als_diag *d)
{
    const als_model *m = &md->m;
    const als_model_samples *S = &md->samples;
    if (S->n < 1)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "no kept samples loaded");
    if (!rows)
        n = m->nusers;
    for (size_t r = 0; rows && r < n; r++)
        if (rows[r] >= m->nusers)
            return als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "row %u out of range", rows[r]);
    als_status st = als_topk_alloc(out, n, k);
    if (st)
        return als_diag_set(d, st, "", 0, 0, "out of memory for %zu top-%d lists", n, k);
    const uint32_t ni = m->nitems;
    const size_t NS = (size_t)S->n;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    if (nt < 1)
        nt = 1;
    /* per thread: NS × ni sample predictions, NS values to sort, ni scores */
    const size_t per = NS * ni + NS + ni;
    double *buf = malloc((size_t)nt * per * sizeof *buf);
    float *sc = malloc((size_t)nt * (ni ? ni : 1) * sizeof *sc);
    if (!buf || !sc) {
        free(buf);
        free(sc);
        als_topk_free(out);
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the sample predictions");
    }
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
    for (size_t r = 0; r < n; r++) {
        double *P = buf + (size_t)omp_get_thread_num() * per, *v = P + NS * ni;
        float *score = sc + (size_t)omp_get_thread_num() * ni;
        const uint32_t u = rows ? rows[r] : (uint32_t)r;
        for (size_t j = 0; j < NS; j++)
            for (uint32_t i = 0; i < ni; i++)
                P[j * ni + i] = sample_predict(md, (int)j, u, i);
        for (uint32_t i = 0; i < ni; i++) {
            if (md->item_count && md->item_count[i] == 0) {
                score[i] = -INFINITY;
                continue;
            }
            double t = 0.0;
            for (size_t j = 0; j < NS; j++)
                t += v[j] = P[j * ni + i];
            if (q < 0) {
                score[i] = (float)(t / (double)NS);
            } else {
                qsort(v, NS, sizeof *v, cmp_double);
                score[i] = (float)als_model_quantile(v, NS, q);
            }
        }
        if (exclude_seen && md->seen.nnz > 0)
            for (uint64_t e = md->seen.ptr[u]; e < md->seen.ptr[u + 1]; e++)
                score[md->seen.idx[e]] = -INFINITY;
        out->count[r] = als_topk_select(score, ni, k, out->idx + r * (size_t)k, out->score + r * (size_t)k);
    }
    free(buf);
    free(sc);
    return ALS_OK;
}

als_status als_model_foldin_bpmf(const als_model_dir *md, const uint32_t *items, const float *ratings, size_t n,
                                 uint64_t seed, double *scores, float *x, float *ubias, als_diag *d)
{
    const als_model *m = &md->m;
    const als_model_samples *S = &md->samples;
    if (!md->bpmf.is_bpmf || S->n < 1 || !S->alpha)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "bpmf fold-in needs the kept samples with their priors");
    if (n == 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "no ratings of movies known to the model: nothing to fold in");
    const int k = m->rank;
    const bool bias = S->ub != NULL;
    const size_t K = (size_t)k, KK = K + (bias ? 1 : 0), NS = (size_t)S->n;
    double *z = malloc((3 * KK + KK * KK + 2 * KK) * sizeof *z);
    if (!z)
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    double *xs = z + KK, *xsum = xs + KK, *work = xsum + KK;
    memset(xsum, 0, KK * sizeof *xsum);
    for (uint32_t i = 0; i < m->nitems; i++)
        scores[i] = 0.0;
    als_status st = ALS_OK;
    for (size_t j = 0; j < NS; j++) {
        if (!als_bpmf_normals(seed, 0, ALS_BPMF_SIDE_FOLDIN, 0, j, z, (int)KK)) {
            st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
            break;
        }
        if (!als_bpmf_draw_row(k, bias, S->V[j], bias ? S->ib[j] : NULL, items, ratings, n, m->mu, S->alpha[j],
                               S->mu + j * K, S->Lambda + j * K * K, S->bias_prec[j], z, xs, work)) {
            st = als_diag_set(d, ALS_E_NUMERIC, "", 0, 0,
                              "the fold-in system of kept sample %zu is not positive definite", j + 1);
            break;
        }
        for (size_t a = 0; a < KK; a++)
            xsum[a] += xs[a];
        const double b = bias ? xs[K] : 0.0;
        for (uint32_t i = 0; i < m->nitems; i++) {
            const float *y = S->V[j] + (size_t)i * K;
            double s = m->mu + b + (bias ? (double)S->ib[j][i] : 0.0);
            for (size_t a = 0; a < K; a++)
                s += xs[a] * (double)y[a];
            scores[i] += s;
        }
    }
    if (!st) {
        for (uint32_t i = 0; i < m->nitems; i++)
            scores[i] /= (double)NS;
        for (size_t a = 0; a < K; a++)
            x[a] = (float)(xsum[a] / (double)NS);
        if (ubias)
            *ubias = bias ? (float)(xsum[K] / (double)NS) : 0.0f;
    }
    free(z);
    return st;
}
