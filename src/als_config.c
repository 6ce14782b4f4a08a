/* als_config — the experiment YAML (design §4, docs/yaml.md) → als_experiment, and back.
 *
 * The only libyaml user.  libyaml's event parser builds a small tree of nodes that remember
 * their 1-based line:col; the schema walk below then checks every key and value against it, so
 * each error names file:line:col and says what was expected and what was found.  Anchors,
 * aliases and tags are rejected (an experiment is short; a value written out is easier to read
 * than a reference to it). */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */
#include "als_config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "als_solver.h"
#include "als_util.h"

#define CFG_FILE_MAX (4L << 20) /* an experiment file is small; refuse anything larger */
#define CFG_DEPTH_MAX 32        /* the schema nests 4 deep */

/* ---- the node tree -------------------------------------------------------------------------- */
enum { YN_SCALAR, YN_SEQ, YN_MAP };

typedef struct {
    int kind;
    bool plain;     /* plain scalar (unquoted, not a block literal) */
    char *s;        /* scalar text (NUL-terminated), NULL for collections */
    long line, col; /* 1-based */
    int first, last, next; /* children: first/last child, next sibling; -1 = none */
    int n;          /* number of children (a mapping has key, value, key, value, ...) */
} ynode;

typedef struct {
    const char *path; /* the YAML file as given, for diagnostics */
    char dir[4096];   /* its directory: paths in the file are relative to it */
    const char *buf;  /* file contents (reader errors give byte offsets into it) */
    size_t len;
    ynode *v;
    int n, cap;
    als_diag *d;
    bool sampled;     /* search.method is a sampler: als ranges are distributions, not grids */
} ycfg;

static als_status at(ycfg *c, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static als_status at(ycfg *c, long line, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    als_diag_vset(c->d, ALS_E_INPUT, c->path, line, col, fmt, ap);
    va_end(ap);
    return ALS_E_INPUT;
}

#define ERR_AT(c, node, ...) at((c), (c)->v[node].line, (c)->v[node].col, __VA_ARGS__)

static void tree_free(ycfg *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i].s);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static int node_new(ycfg *c, int kind, const yaml_mark_t *m)
{
    if (c->n == c->cap) {
        int ncap = c->cap ? 2 * c->cap : 64;
        ynode *nv = realloc(c->v, (size_t)ncap * sizeof *nv);
        if (!nv)
            return -1;
        c->v = nv;
        c->cap = ncap;
    }
    ynode *y = &c->v[c->n];
    memset(y, 0, sizeof *y);
    y->kind = kind;
    y->line = (long)m->line + 1;
    y->col = (long)m->column + 1;
    y->first = y->last = y->next = -1;
    return c->n++;
}

/* line:col (1-based, columns in characters) of a byte offset into the file. */
static void offset_pos(const ycfg *c, size_t off, long *line, long *col)
{
    long l = 1, k = 1;
    for (size_t i = 0; i < off && i < c->len; i++) {
        unsigned char ch = (unsigned char)c->buf[i];
        if (ch == '\n') {
            l++;
            k = 1;
        } else if ((ch & 0xC0) != 0x80) {
            k++;
        }
    }
    *line = l;
    *col = k;
}

/* Does line line0 (0-based) of the file contain a tab before its first non-blank character? */
static bool line_has_tab(const ycfg *c, size_t line0)
{
    size_t i = 0;
    for (size_t l = 0; l < line0 && i < c->len; i++)
        if (c->buf[i] == '\n')
            l++;
    for (; i < c->len && (c->buf[i] == ' ' || c->buf[i] == '\t'); i++)
        if (c->buf[i] == '\t')
            return true;
    return false;
}

static als_status syntax_error(ycfg *c, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return als_diag_set(c->d, ALS_E_NOMEM, c->path, 0, 0, "out of memory parsing YAML");
    if (p->error == YAML_READER_ERROR) {
        long line, col;
        offset_pos(c, p->problem_offset, &line, &col);
        if (p->problem_value != -1)
            return at(c, line, col, "not a UTF-8 text file: %s (byte 0x%02X)",
                      p->problem ? p->problem : "unreadable input", (unsigned)p->problem_value & 0xFFu);
        return at(c, line, col, "not a UTF-8 text file: %s", p->problem ? p->problem : "unreadable input");
    }
    long line = (long)p->problem_mark.line + 1, col = (long)p->problem_mark.column + 1;
    if (line_has_tab(c, p->problem_mark.line))
        return at(c, line, col, "YAML syntax error: %s (tabs cannot indent YAML; use spaces)",
                  p->problem ? p->problem : "invalid YAML");
    if (p->context)
        return at(c, line, col, "YAML syntax error: %s (%s that starts at line %ld, column %ld)",
                  p->problem ? p->problem : "invalid YAML", p->context,
                  (long)p->context_mark.line + 1, (long)p->context_mark.column + 1);
    return at(c, line, col, "YAML syntax error: %s", p->problem ? p->problem : "invalid YAML");
}

/* Parse c->buf into the node tree; *root = the document's root node or -1 for an empty file. */
static als_status tree_build(ycfg *c, int *root)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int stack[CFG_DEPTH_MAX];
    int depth = 0, ndocs = 0;
    als_status st = ALS_OK;
    bool have_ev = false, done = false;

    *root = -1;
    if (!yaml_parser_initialize(&p))
        return als_diag_set(c->d, ALS_E_NOMEM, c->path, 0, 0, "out of memory initialising libyaml");
    yaml_parser_set_input_string(&p, (const unsigned char *)c->buf, c->len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            st = syntax_error(c, &p);
            goto fail;
        }
        have_ev = true;
        long line = (long)ev.start_mark.line + 1, col = (long)ev.start_mark.column + 1;
        const yaml_char_t *anchor = NULL, *tag = NULL;
        int kind = -1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (ndocs++ > 0) {
                st = at(c, line, col, "a second YAML document starts here; an experiment file holds "
                                      "exactly one");
                goto fail;
            }
            break;
        case YAML_ALIAS_EVENT:
            st = at(c, line, col, "YAML aliases (*%s) are not supported; write the value out",
                    (const char *)ev.data.alias.anchor);
            goto fail;
        case YAML_SCALAR_EVENT:
            anchor = ev.data.scalar.anchor;
            tag = ev.data.scalar.tag;
            kind = YN_SCALAR;
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.data.sequence_start.anchor;
            tag = ev.data.sequence_start.tag;
            kind = YN_SEQ;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev.data.mapping_start.anchor;
            tag = ev.data.mapping_start.tag;
            kind = YN_MAP;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        if (kind >= 0) {
            if (anchor) {
                st = at(c, line, col, "YAML anchors (&%s) are not supported; write the value out",
                        (const char *)anchor);
                goto fail;
            }
            if (tag) {
                st = at(c, line, col, "YAML tags (%s) are not supported; write the plain value",
                        (const char *)tag);
                goto fail;
            }
            int id = node_new(c, kind, &ev.start_mark);
            if (id < 0)
                goto nomem;
            if (kind == YN_SCALAR) {
                c->v[id].plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                c->v[id].s = malloc(ev.data.scalar.length + 1);
                if (!c->v[id].s)
                    goto nomem;
                memcpy(c->v[id].s, ev.data.scalar.value, ev.data.scalar.length);
                c->v[id].s[ev.data.scalar.length] = '\0';
                if (strlen(c->v[id].s) != ev.data.scalar.length) {
                    st = at(c, line, col, "a NUL character inside a string is not supported");
                    goto fail;
                }
            }
            if (depth == 0) {
                *root = id;
            } else {
                ynode *par = &c->v[stack[depth - 1]];
                if (par->kind == YN_MAP && par->n % 2 == 0 && kind != YN_SCALAR) {
                    st = at(c, line, col, "expected a key name, found a %s used as a key",
                            kind == YN_MAP ? "mapping" : "list");
                    goto fail;
                }
                if (par->last >= 0)
                    c->v[par->last].next = id;
                else
                    par->first = id;
                par->last = id;
                par->n++;
            }
            if (kind != YN_SCALAR) {
                if (depth == CFG_DEPTH_MAX) {
                    st = at(c, line, col, "nesting deeper than %d levels", CFG_DEPTH_MAX);
                    goto fail;
                }
                stack[depth++] = id;
            }
        }
        yaml_event_delete(&ev);
        have_ev = false;
    }
    yaml_parser_delete(&p);
    return ALS_OK;
nomem:
    st = als_diag_set(c->d, ALS_E_NOMEM, c->path, 0, 0, "out of memory parsing YAML");
fail:
    if (have_ev)
        yaml_event_delete(&ev);
    yaml_parser_delete(&p);
    return st;
}

/* ---- describing what was found ---------------------------------------------------------------- */
static bool is_null(const ynode *y)
{
    return y->kind == YN_SCALAR && y->plain &&
           (!y->s[0] || !strcmp(y->s, "~") || !strcmp(y->s, "null") || !strcmp(y->s, "Null") ||
            !strcmp(y->s, "NULL"));
}

/* null, or the empty string "" */
static bool is_empty(const ynode *y)
{
    return is_null(y) || (y->kind == YN_SCALAR && !y->s[0]);
}

/* "'ten'", "the string \"10\"", "nothing", "a list", "a mapping" (truncated to fit). */
static const char *found(const ynode *y, char *buf, size_t n)
{
    if (y->kind == YN_SEQ)
        return "a list";
    if (y->kind == YN_MAP)
        return "a mapping";
    if (is_null(y))
        return "nothing";
    if (y->plain)
        snprintf(buf, n, "'%.60s%s'", y->s, strlen(y->s) > 60 ? "..." : "");
    else
        snprintf(buf, n, "the string \"%.60s%s\"", y->s, strlen(y->s) > 60 ? "..." : "");
    return buf;
}

/* ---- "did you mean": optimal-string-alignment distance, case-insensitive ------------------- */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63)
        return SIZE_MAX;
    size_t d[64][64];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

/* The closest of names[0..n) to s, or NULL when none is close (distance ≤ 2 and < |s|). */
static const char *closest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bd = SIZE_MAX, len = strlen(s);
    for (size_t i = 0; i < n; i++) {
        size_t dd = edit_distance(s, names[i]);
        if (dd < bd) {
            bd = dd;
            best = names[i];
        }
    }
    return (bd <= 2 && bd < len) ? best : NULL;
}

/* ---- the schema ------------------------------------------------------------------------------- */
/* fingerprint, dataset and grid are written by the runner into results/<name>/experiment.yaml
 * after the experiment itself; they are accepted and ignored so that file loads again. */
enum { K_NAME, K_OUTPUT, K_DATA, K_SPLIT, K_ALS, K_METRIC, K_RANKINGK, K_RELTHR, K_FINGERPRINT,
       K_DATASET, K_GRID, K_STATS, K_SELECT, K_SEARCH, K_REPLICATES, K_PRUNER, K_TOP_N };
static const char *const top_keys[] = {"name", "output", "data", "split", "als", "metric",
                                       "rankingK", "relevanceThreshold", "fingerprint", "dataset",
                                       "grid", "statistics", "select", "search", "replicates", "pruner"};
enum { D_RATINGS, D_MOVIES, D_FORMAT, D_SKIP, D_DUPS, D_RANGE, D_UCOL, D_ICOL, D_RCOL, D_SYNTH, D_N };
static const char *const data_keys[] = {"ratings", "movies", "format", "skip_bad_lines", "duplicates",
                                        "rating_range", "user_col", "item_col", "rating_col",
                                        "synthetic"};
enum { S_PRESET, S_SEED, S_USERS, S_ITEMS, S_RATINGS, S_RANK, S_NOISE, S_IMPLICIT, S_MINPU, S_N };
static const char *const synth_keys[] = {"preset", "seed", "users", "items", "ratings",
                                         "rank", "noise", "implicit", "min_per_user"};
enum { P_TESTF, P_FOLDS, P_SCHEME, P_LEAVEK, P_SEED, P_REPEATS, P_OUTER, P_N };
static const char *const split_keys[] = {"testFraction", "numFolds", "scheme", "leaveK", "seed", "numRepeats",
                                         "outerFolds"};
enum { A_RANK, A_REG, A_MAXITER, A_ALPHA, A_IMPLICIT, A_NONNEG, A_BIAS, A_COLD, A_SEED, A_SOLVER,
       A_CGSTEPS, A_EARLY, A_MODEL, A_SAMPLES, A_BPMF, A_N };
static const char *const als_keys[] = {"rank", "regParam", "maxIter", "alpha", "implicitPrefs",
                                       "nonnegative", "bias", "coldStartStrategy", "seed", "solver",
                                       "cgSteps", "earlyStopping", "model", "samples", "bpmf"};
/* als.bpmf (issue 15, docs/yaml.md "BPMF") */
enum { B_BURNIN, B_MU0, B_BETA0, B_W0, B_NU0, B_ASHAPE, B_ARATE, B_BIASPREC, B_INIT, B_N };
static const char *const bpmf_keys[] = {"burnin", "mu0", "beta0", "W0", "nu0", "alphaShape", "alphaRate",
                                        "biasPrecision", "initScale"};
enum { E_PATIENCE, E_MINDELTA, E_N };
static const char *const early_keys[] = {"patience", "minDelta"};
enum { T_TEST, T_LEVEL, T_BOOT, T_N };
static const char *const stats_keys[] = {"test", "level", "bootstrap"};
enum { R_MIN, R_MAX, R_NUM, R_LOG, R_TYPE, R_N };
static const char *const range_keys[] = {"min", "max", "num", "log", "type"};
enum { Q_METHOD, Q_TRIALS, Q_SEED, Q_BATCH, Q_N };
static const char *const search_keys[] = {"method", "trials", "seed", "batch"};
enum { U_METHOD, U_MINITER, U_ETA, U_N };
static const char *const pruner_keys[] = {"method", "minIter", "eta"};
static const char *const pruner_names[] = {"none", "halving", "hyperband"};
/* grid first: index 0 is "not sampled"; the rest in als_search_method order + 1 */
static const char *const method_names[] = {"grid", "random", "sobol", "tpe"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define KEYS_MAX 16
_Static_assert(NELEM(top_keys) == K_TOP_N && NELEM(data_keys) == D_N && NELEM(synth_keys) == S_N &&
                   NELEM(split_keys) == P_N && NELEM(als_keys) == A_N && NELEM(range_keys) == R_N &&
                   NELEM(stats_keys) == T_N && NELEM(search_keys) == Q_N && NELEM(early_keys) == E_N &&
                   NELEM(bpmf_keys) == B_N && NELEM(pruner_keys) == U_N,
               "key tables and their enums disagree");
_Static_assert(K_TOP_N <= KEYS_MAX && D_N <= KEYS_MAX && A_N <= KEYS_MAX, "KEYS_MAX too small");

typedef struct {
    const char *name;
    const char *const *keys;
    size_t n;
} section;
/* In the order misplaced keys are looked up in (als first: most keys are ALS parameters). */
enum { SEC_TOP, SEC_ALS, SEC_SPLIT, SEC_DATA, SEC_SYNTH, SEC_STATS, SEC_SEARCH, SEC_EARLY, SEC_BPMF, SEC_PRUNER };
static const section sections[] = {
    [SEC_TOP] = {"", top_keys, NELEM(top_keys)},
    [SEC_ALS] = {"als", als_keys, NELEM(als_keys)},
    [SEC_SPLIT] = {"split", split_keys, NELEM(split_keys)},
    [SEC_DATA] = {"data", data_keys, NELEM(data_keys)},
    [SEC_SYNTH] = {"data.synthetic", synth_keys, NELEM(synth_keys)},
    [SEC_STATS] = {"statistics", stats_keys, NELEM(stats_keys)},
    [SEC_SEARCH] = {"search", search_keys, NELEM(search_keys)},
    [SEC_EARLY] = {"als.earlyStopping", early_keys, NELEM(early_keys)},
    [SEC_BPMF] = {"als.bpmf", bpmf_keys, NELEM(bpmf_keys)},
    [SEC_PRUNER] = {"pruner", pruner_keys, NELEM(pruner_keys)},
};

static const char *const preset_names[] = {"ml-100k", "ml-1m", "ml-25m", "msd"};
static const char *const cold_names[] = {"drop", "nan", "mean"};
static const char *const solver_names[] = {"cholesky", "cg"};
static const char *const dup_names[] = {"last", "first", "error"};
static const char *const scheme_names[] = {"random", "per_user", "leave_k_out"};
static const char *const format_names[] = {"auto", "csv", "dat", "colons", "udata", "tsv"};
static const char *const stat_test_names[] = {"corrected_t", "paired_t", "wilcoxon"};
static const char *const select_names[] = {"best", "one_se"};
static const char *const metric_names[] = {"rmse", "mse", "mae", "r2", "var", "precision@10",
                                           "recall@10", "ndcg@10", "map", "map@10", "mpr", "auc"};
#define METRIC_LIST "rmse, mse, mae, r2, var, precision@K, recall@K, ndcg@K, map, map@K, mpr, auc"

static void join_names(char *out, size_t n, const char *const *names, size_t k)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < k && off < n; i++) {
        int w = snprintf(out + off, n - off, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

static als_status unknown_key(ycfg *c, int kn, const section *sec)
{
    const char *key = c->v[kn].s;
    const char *hint = closest(key, sec->keys, sec->n);
    char in[64] = "";
    if (sec->name[0])
        snprintf(in, sizeof in, " in '%s'", sec->name);
    if (hint)
        return ERR_AT(c, kn, "unknown key '%s'%s; did you mean '%s'?", key, in, hint);
    /* A key of another section, misplaced? */
    char where[160] = "";
    size_t off = 0;
    const char *spelled = NULL;
    for (size_t s = 0; s < NELEM(sections); s++) {
        if (&sections[s] == sec || !sections[s].name[0])
            continue;
        for (size_t i = 0; i < sections[s].n; i++)
            if (!strcasecmp(key, sections[s].keys[i])) {
                int w = snprintf(where + off, sizeof where - off, "%s'%s:'", off ? " or " : "",
                                 sections[s].name);
                if (w > 0 && (size_t)w < sizeof where - off)
                    off += (size_t)w;
                spelled = sections[s].keys[i];
                break;
            }
    }
    if (off && strcmp(spelled, key) != 0)
        return ERR_AT(c, kn, "unknown key '%s'%s; it belongs under %s, spelled '%s'", key, in, where,
                      spelled);
    if (off)
        return ERR_AT(c, kn, "unknown key '%s'%s; it belongs under %s", key, in, where);
    char list[512];
    join_names(list, sizeof list, sec->keys, sec->n);
    return ERR_AT(c, kn, "unknown key '%s'%s; expected one of: %s", key, in, list);
}

/* Check that map's keys are known and unique; val[k]/key[k] = value/key node of key k or -1. */
static als_status map_keys(ycfg *c, int map, const section *sec, int *val, int *key)
{
    for (size_t k = 0; k < sec->n; k++)
        val[k] = key[k] = -1;
    for (int kn = c->v[map].first; kn >= 0; kn = c->v[c->v[kn].next].next) {
        int vn = c->v[kn].next;
        size_t k = 0;
        while (k < sec->n && strcmp(c->v[kn].s, sec->keys[k]) != 0)
            k++;
        if (k == sec->n)
            return unknown_key(c, kn, sec);
        if (key[k] >= 0)
            return ERR_AT(c, kn, "duplicate key '%s' (first given at line %ld)", sec->keys[k],
                          c->v[key[k]].line);
        key[k] = kn;
        val[k] = vn;
    }
    return ALS_OK;
}

static als_status want_map(ycfg *c, int n, const char *key)
{
    char b[128];
    if (c->v[n].kind != YN_MAP)
        return ERR_AT(c, n, "%s: expected a mapping of keys, found %s", key, found(&c->v[n], b, sizeof b));
    return ALS_OK;
}

/* ---- scalar values ------------------------------------------------------------------------------ */
static bool text_long(const char *s, long *out) { return als_str_to_long(s, LONG_MIN, LONG_MAX, out); }

static bool text_u64(const char *s, uint64_t *out) { return als_str_to_u64(s, out); }

/* Decimal numbers only: no hex, inf or nan, which strtod would accept. */
static bool text_double(const char *s, double *out)
{
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p))
            return false;
    double v;
    if (!als_str_to_double(s, &v) || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static als_status get_long(ycfg *c, int n, const char *key, long lo, long hi, long *out)
{
    char b[128], want[96];
    if (hi == LONG_MAX || hi == INT_MAX)
        snprintf(want, sizeof want, "an integer >= %ld", lo);
    else
        snprintf(want, sizeof want, "an integer in [%ld, %ld]", lo, hi);
    const ynode *y = &c->v[n];
    long v;
    if (y->kind != YN_SCALAR || !y->plain || !text_long(y->s, &v) || v < lo || v > hi)
        return ERR_AT(c, n, "%s: expected %s, found %s", key, want, found(y, b, sizeof b));
    *out = v;
    return ALS_OK;
}

static als_status get_int(ycfg *c, int n, const char *key, int lo, int *out)
{
    long v;
    als_status st = get_long(c, n, key, lo, INT_MAX, &v);
    if (st == ALS_OK)
        *out = (int)v;
    return st;
}

static als_status get_u64(ycfg *c, int n, const char *key, uint64_t lo, uint64_t *out)
{
    char b[128];
    const ynode *y = &c->v[n];
    uint64_t v;
    if (y->kind != YN_SCALAR || !y->plain || !text_u64(y->s, &v) || v < lo)
        return ERR_AT(c, n, "%s: expected an integer >= %" PRIu64 ", found %s", key, lo,
                      found(y, b, sizeof b));
    *out = v;
    return ALS_OK;
}

/* A value bounded by the table of limits (als_limits.h); lo, when not NaN, raises the table's
 * lower bound for this key.  A value above the upper bound is told why the bound exists. */
static als_status get_lim(ycfg *c, int n, const char *key, als_limit_id id, double lo, double *out)
{
    const als_limit *l = als_limit_get(id);
    if (isnan(lo))
        lo = l->lo;
    char b[128], want[96];
    if (l->integer)
        snprintf(want, sizeof want, "an integer in [%.0f, %.0f]", lo, l->hi);
    else if (l->hi >= 1e30) /* a bound against overflow only: not worth a number in the message */
        snprintf(want, sizeof want, "a number >= %g", lo);
    else
        snprintf(want, sizeof want, "a number in [%g, %g]", lo, l->hi);
    const ynode *y = &c->v[n];
    double v = 0;
    long iv = 0;
    bool parsed = false;
    if (y->kind == YN_SCALAR && y->plain) {
        if (l->integer) {
            parsed = text_long(y->s, &iv);
            v = (double)iv;
        } else {
            parsed = text_double(y->s, &v);
        }
    }
    if (parsed && v >= lo && v <= l->hi) {
        *out = v;
        return ALS_OK;
    }
    if (parsed && v > l->hi)
        return ERR_AT(c, n, "%s: expected %s, found %s (the limit: %s)", key, want, found(y, b, sizeof b), l->why);
    return ERR_AT(c, n, "%s: expected %s, found %s", key, want, found(y, b, sizeof b));
}

static als_status get_lim_int(ycfg *c, int n, const char *key, als_limit_id id, int *out)
{
    double v;
    als_status st = get_lim(c, n, key, id, NAN, &v);
    if (st == ALS_OK)
        *out = (int)v;
    return st;
}

/* A finite number in [lo, hi] (hi_open: [lo, hi)); lo = -HUGE_VAL for no lower bound. */
static als_status get_double(ycfg *c, int n, const char *key, double lo, double hi, bool hi_open,
                             double *out)
{
    char b[128], want[96];
    if (lo == -HUGE_VAL && hi == HUGE_VAL)
        snprintf(want, sizeof want, "a number");
    else if (hi == HUGE_VAL)
        snprintf(want, sizeof want, "a number >= %g", lo);
    else
        snprintf(want, sizeof want, "a number in [%g, %g%c", lo, hi, hi_open ? ')' : ']');
    const ynode *y = &c->v[n];
    double v;
    if (y->kind != YN_SCALAR || !y->plain || !text_double(y->s, &v) || v < lo || v > hi ||
        (hi_open && v == hi))
        return ERR_AT(c, n, "%s: expected %s, found %s", key, want, found(y, b, sizeof b));
    *out = v;
    return ALS_OK;
}

/* YAML 1.2 core booleans only: yes/no/on/off are strings there, so they are refused. */
static als_status get_bool(ycfg *c, int n, const char *key, bool *out)
{
    char b[128];
    const ynode *y = &c->v[n];
    if (y->kind == YN_SCALAR && y->plain) {
        if (!strcmp(y->s, "true") || !strcmp(y->s, "True") || !strcmp(y->s, "TRUE")) {
            *out = true;
            return ALS_OK;
        }
        if (!strcmp(y->s, "false") || !strcmp(y->s, "False") || !strcmp(y->s, "FALSE")) {
            *out = false;
            return ALS_OK;
        }
    }
    return ERR_AT(c, n, "%s: expected true or false, found %s", key, found(y, b, sizeof b));
}

static als_status get_string(ycfg *c, int n, const char *key, char *out, size_t size)
{
    char b[128];
    const ynode *y = &c->v[n];
    if (y->kind != YN_SCALAR || (y->plain && is_null(y)))
        return ERR_AT(c, n, "%s: expected a string, found %s", key, found(y, b, sizeof b));
    if (strlen(y->s) >= size)
        return ERR_AT(c, n, "%s: string too long (%zu bytes, at most %zu)", key, strlen(y->s), size - 1);
    memcpy(out, y->s, strlen(y->s) + 1);
    return ALS_OK;
}

/* One of names[0..k) (case-insensitively when ci); *out = its index. */
static als_status get_enum(ycfg *c, int n, const char *key, const char *const *names, size_t k,
                           bool ci, int *out)
{
    char b[128], list[256];
    const ynode *y = &c->v[n];
    if (y->kind == YN_SCALAR && !is_null(y))
        for (size_t i = 0; i < k; i++)
            if (ci ? !strcasecmp(y->s, names[i]) : !strcmp(y->s, names[i])) {
                *out = (int)i;
                return ALS_OK;
            }
    join_names(list, sizeof list, names, k);
    const char *hint = y->kind == YN_SCALAR ? closest(y->s, names, k) : NULL;
    if (hint)
        return ERR_AT(c, n, "%s: expected one of %s, found %s; did you mean '%s'?", key, list,
                      found(y, b, sizeof b), hint);
    return ERR_AT(c, n, "%s: expected one of %s, found %s", key, list, found(y, b, sizeof b));
}

/* ---- grid axes: scalar, list, or range mapping {min, max, num, log} ------------------------- */
typedef enum { AX_INT, AX_DOUBLE, AX_BOOL } axis_type;

static als_status axis_value(ycfg *c, int n, const char *key, axis_type t, als_limit_id id, double lo,
                             double *out)
{
    if (t == AX_BOOL) {
        bool b = false;
        als_status st = get_bool(c, n, key, &b);
        *out = b ? 1.0 : 0.0;
        return st;
    }
    return get_lim(c, n, key, id, lo, out);
}

static void axis_fmt(char *b, size_t n, axis_type t, double v)
{
    if (t == AX_BOOL)
        snprintf(b, n, "%s", v != 0 ? "true" : "false");
    else
        snprintf(b, n, "%.17g", v);
}

/* x rounded to 15 significant digits: grid values are read by people, and 0.1 reads better
 * than the 0.10000000000000006 that the arithmetic of a range leaves behind. */
static double snap15(double x)
{
    char b[64];
    snprintf(b, sizeof b, "%.15g", x);
    return strtod(b, NULL);
}

static als_status axis_range(ycfg *c, int map, const char *key, axis_type t, als_limit_id id, double lo,
                             als_axis *ax)
{
    /* a grid range's keys: range_keys without "type", which only a distribution has */
    static const section sec = {"range", range_keys, R_TYPE};
    int val[KEYS_MAX], kn[KEYS_MAX];
    char where[64];
    snprintf(where, sizeof where, "%s range", key);
    /* {min, max[, log, type]} without num is a distribution (docs/yaml.md "search"): under the
     * grid say so rather than only "missing num" or "unknown key 'type'". */
    bool has_num = false, has_type = false, has_min = false, has_max = false, dist_keys = true;
    int type_key = -1;
    for (int k = c->v[map].first; k >= 0; k = c->v[c->v[k].next].next) {
        const char *name = c->v[k].s;
        has_num |= !strcmp(name, "num");
        has_min |= !strcmp(name, "min");
        has_max |= !strcmp(name, "max");
        if (!strcmp(name, "type")) {
            has_type = true;
            type_key = k;
        }
        dist_keys &= !strcmp(name, "min") || !strcmp(name, "max") || !strcmp(name, "log") || !strcmp(name, "type");
    }
    if (has_num && has_type)
        return ERR_AT(c, type_key, "%s: 'type' belongs to a distribution of a sampled search "
                      "(search.method: random, sobol or tpe); a grid range is {min, max, num, log}", key);
    if (!has_num && dist_keys && (has_type || (has_min && has_max)))
        return ERR_AT(c, map, "%s: a range needs min, max and num (missing 'num'); a mapping without num "
                      "is a distribution, which needs a sampled search (search.method: random, sobol or tpe)", key);
    section s2 = sec;
    s2.name = where;
    als_status st;
    if ((st = map_keys(c, map, &s2, val, kn)))
        return st;
    for (int k = R_MIN; k <= R_NUM; k++)
        if (val[k] < 0)
            return ERR_AT(c, map, "%s: a range needs min, max and num (missing '%s')", key, range_keys[k]);
    double mn, mx;
    char kmin[80], kmax[80];
    snprintf(kmin, sizeof kmin, "%s min", key);
    snprintf(kmax, sizeof kmax, "%s max", key);
    if ((st = axis_value(c, val[R_MIN], kmin, t, id, lo, &mn)) ||
        (st = axis_value(c, val[R_MAX], kmax, t, id, lo, &mx)))
        return st;
    if (mx < mn)
        return ERR_AT(c, val[R_MAX], "%s: range max %.17g is less than min %.17g", key, mx, mn);
    int num;
    char knum[80];
    snprintf(knum, sizeof knum, "%s num", key);
    if ((st = get_lim_int(c, val[R_NUM], knum, ALS_LIM_GRID_VALUES, &num)))
        return st;
    bool lg = false;
    if (val[R_LOG] >= 0 && (st = get_bool(c, val[R_LOG], "log", &lg)))
        return st;
    if (lg && !(mn > 0))
        return ERR_AT(c, val[R_MIN], "%s: a log range needs min > 0, found %.17g", key, mn);
    ax->n = 0;
    for (int i = 0; i < num; i++) {
        double v;
        if (i == 0)
            v = mn;
        else if (i == num - 1)
            v = mx;
        else {
            double f = (double)i / (double)(num - 1);
            v = lg ? pow(10.0, log10(mn) + f * (log10(mx) - log10(mn))) : mn + f * (mx - mn);
            v = snap15(v);
        }
        if (t == AX_INT)
            v = round(v);
        if (ax->n > 0 && ax->v[ax->n - 1] == v) /* values are non-decreasing: duplicates adjacent */
            continue;
        ax->v[ax->n++] = v;
    }
    return ALS_OK;
}

/* A distribution {min, max, log, type} of a sampled search: the axis holds [min, max]. */
static als_status axis_dist(ycfg *c, int map, const char *key, axis_type t, als_limit_id id, double lo,
                            als_axis *ax, als_dist *dist)
{
    static const section sec = {"distribution", range_keys, NELEM(range_keys)};
    int val[KEYS_MAX], kn[KEYS_MAX];
    char where[64];
    snprintf(where, sizeof where, "%s distribution", key);
    section s2 = sec;
    s2.name = where;
    als_status st = map_keys(c, map, &s2, val, kn);
    if (st)
        return st;
    if (val[R_NUM] >= 0)
        return ERR_AT(c, kn[R_NUM], "%s: 'num' makes a grid range, but search.method is a sampler: a "
                      "parameter is a distribution {min, max, log, type}; drop num (the search's trials "
                      "say how many configs are drawn)", key);
    for (int k = R_MIN; k <= R_MAX; k++)
        if (val[k] < 0)
            return ERR_AT(c, map, "%s: a distribution needs min and max (missing '%s')", key, range_keys[k]);
    bool integer = t == AX_INT;
    if (val[R_TYPE] >= 0) {
        static const char *const types[] = {"int", "float"};
        int k;
        char kt[80];
        snprintf(kt, sizeof kt, "%s type", key);
        if ((st = get_enum(c, val[R_TYPE], kt, types, NELEM(types), false, &k)))
            return st;
        if (t == AX_INT && k == 1)
            return ERR_AT(c, val[R_TYPE], "%s: type float, but %s is an integer; use type: int or leave "
                          "type out", key, key);
        integer = k == 0;
    }
    double mn, mx;
    char kmin[80], kmax[80];
    snprintf(kmin, sizeof kmin, "%s min", key);
    snprintf(kmax, sizeof kmax, "%s max", key);
    if ((st = axis_value(c, val[R_MIN], kmin, t, id, lo, &mn)) ||
        (st = axis_value(c, val[R_MAX], kmax, t, id, lo, &mx)))
        return st;
    char b1[40], b2[40];
    if (integer && mn != floor(mn))
        return ERR_AT(c, val[R_MIN], "%s: type int needs an integer min, found %s", key,
                      als_fmt_double(b1, mn));
    if (integer && mx != floor(mx))
        return ERR_AT(c, val[R_MAX], "%s: type int needs an integer max, found %s", key,
                      als_fmt_double(b1, mx));
    if (integer && mx > 9007199254740992.0) /* 2^53: the sampler's integers are exact doubles and longs */
        return ERR_AT(c, val[R_MAX], "%s: type int needs max <= 9007199254740992 (2^53), found %s", key,
                      als_fmt_double(b1, mx));
    if (mx < mn)
        return ERR_AT(c, val[R_MAX], "%s: distribution min %s > max %s", key, als_fmt_double(b1, mn),
                      als_fmt_double(b2, mx));
    if (!integer && mx == mn)
        return ERR_AT(c, val[R_MAX], "%s: a continuous distribution needs min < max, found %s for both; "
                      "a fixed value is a scalar", key, als_fmt_double(b1, mn));
    bool lg = false;
    if (val[R_LOG] >= 0 && (st = get_bool(c, val[R_LOG], "log", &lg)))
        return st;
    if (lg && !(integer ? mn >= 1 : mn > 0))
        return ERR_AT(c, val[R_MIN], "%s: a log distribution needs min %s, found %s", key,
                      integer ? ">= 1" : "> 0", als_fmt_double(b1, mn));
    ax->n = 2;
    ax->v[0] = mn;
    ax->v[1] = mx;
    dist->on = true;
    dist->log = lg;
    dist->integer = integer;
    return ALS_OK;
}

/* A scalar, a list, or a mapping: a grid range {min, max, num, log}, or under a sampled search a
 * distribution (dist, NULL for booleans). */
static als_status axis_parse(ycfg *c, int n, const char *key, axis_type t, als_limit_id id, double lo,
                             als_axis *ax, als_dist *dist)
{
    const ynode *y = &c->v[n];
    if (y->kind == YN_SCALAR) {
        ax->n = 1;
        return axis_value(c, n, key, t, id, lo, &ax->v[0]);
    }
    if (y->kind == YN_MAP) {
        if (t == AX_BOOL || !dist)
            return ERR_AT(c, n, "%s: expected true, false or a list of them, found a mapping", key);
        if (c->sampled)
            return axis_dist(c, n, key, t, id, lo, ax, dist);
        return axis_range(c, n, key, t, id, lo, ax);
    }
    if (y->n == 0)
        return ERR_AT(c, n, "%s: empty list; expected at least one value", key);
    if (y->n > ALS_GRID_MAX)
        return ERR_AT(c, n, "%s: list has %d values; at most %d are allowed", key, y->n, ALS_GRID_MAX);
    ax->n = 0;
    for (int e = y->first; e >= 0; e = c->v[e].next) {
        double v;
        als_status st = axis_value(c, e, key, t, id, lo, &v);
        if (st)
            return st;
        for (int i = 0; i < ax->n; i++)
            if (ax->v[i] == v) {
                char b[64];
                axis_fmt(b, sizeof b, t, v);
                return ERR_AT(c, e, "%s: value %s appears twice in the list", key, b);
            }
        ax->v[ax->n++] = v;
    }
    return ALS_OK;
}

/* ---- paths ------------------------------------------------------------------------------------ */
/* Lexically normalised absolute path of p (relative to the cwd); false when it does not fit. */
static bool path_absolute(const char *p, char *out, size_t n)
{
    char tmp[8192];
    if (p[0] == '/') {
        if (strlen(p) >= sizeof tmp)
            return false;
        memcpy(tmp, p, strlen(p) + 1);
    } else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            return false;
        int w = snprintf(tmp, sizeof tmp, "%s/%s", cwd, p);
        if (w < 0 || (size_t)w >= sizeof tmp)
            return false;
    }
    /* Components onto out, resolving "." and ".." lexically. */
    size_t len = 0;
    char *save = NULL;
    if (n < 2)
        return false;
    out[0] = '\0';
    for (char *tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
            out[len] = '\0';
            continue;
        }
        size_t tl = strlen(tok);
        if (len + 1 + tl + 1 > n)
            return false;
        out[len++] = '/';
        memcpy(out + len, tok, tl + 1);
        len += tl;
    }
    if (len == 0) {
        out[0] = '/';
        out[1] = '\0';
    }
    return true;
}

/* A data file given at value node vn (key node kn): joined with the YAML file's directory, must
 * exist and not be a directory; out = its canonical absolute path. */
static als_status data_file(ycfg *c, int kn, int vn, const char *key, char *out, size_t size)
{
    char rel[4096], joined[8192];
    als_status st = get_string(c, vn, key, rel, sizeof rel);
    if (st)
        return st;
    als_path_join(joined, sizeof joined, c->dir, rel);
    struct stat sb;
    if (stat(joined, &sb) != 0) {
        if (errno == ENOENT)
            return ERR_AT(c, kn, "%s: file '%s' not found (paths are relative to the YAML file's "
                                 "directory)", key, joined);
        return ERR_AT(c, kn, "%s: cannot access '%s': %s", key, joined, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return ERR_AT(c, kn, "%s: '%s' is a directory; expected a file", key, joined);
    char *real = realpath(joined, NULL);
    if (!real)
        return ERR_AT(c, kn, "%s: cannot resolve '%s': %s", key, joined, strerror(errno));
    bool fits = strlen(real) < size;
    if (fits)
        memcpy(out, real, strlen(real) + 1);
    free(real);
    if (!fits)
        return ERR_AT(c, kn, "%s: path '%s' is too long", key, joined);
    return ALS_OK;
}

static als_status check_name(ycfg *c, int n, const char *name)
{
    if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
        return at(c, n >= 0 ? c->v[n].line : 1, n >= 0 ? c->v[n].col : 1,
                  "name: '%s' cannot name a results folder", name);
    for (const char *p = name; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
            return at(c, n >= 0 ? c->v[n].line : 1, n >= 0 ? c->v[n].col : 1,
                      "name: expected a folder name without '/' or control characters, found '%s'",
                      name);
    return ALS_OK;
}

/* ---- public ----------------------------------------------------------------------------------- */
const char *als_pruner_name(als_pruner p)
{
    return p <= ALS_PRUNE_HYPERBAND ? pruner_names[p] : "none";
}

const char *als_cold_start_name(als_cold_start c)
{
    switch (c) {
    case ALS_COLD_DROP: return "drop";
    case ALS_COLD_NAN: return "nan";
    case ALS_COLD_MEAN: return "mean";
    }
    return "?";
}

const char *als_stat_test_name(als_stat_test t)
{
    return (unsigned)t < NELEM(stat_test_names) ? stat_test_names[t] : "corrected_t";
}

const char *als_select_rule_name(als_select_rule r)
{
    return (unsigned)r < NELEM(select_names) ? select_names[r] : "best";
}

void als_experiment_fix_cols(als_experiment *e)
{
    e->load.user_col = e->user_col[0] ? e->user_col : NULL;
    e->load.item_col = e->item_col[0] ? e->item_col : NULL;
    e->load.rating_col = e->rating_col[0] ? e->rating_col : NULL;
}

/* Remember where key k's value is (node n; n < 0: not given). */
static void mark(ycfg *c, als_experiment *e, als_key k, int n)
{
    if (n >= 0) {
        e->pos[k].line = c->v[n].line;
        e->pos[k].col = c->v[n].col;
    }
}

double als_experiment_nconfigs(const als_experiment *e)
{
    if (e->search.sampled)
        return e->search.trials;
    return (double)e->rank.n * e->regParam.n * e->alpha.n * e->implicitPrefs.n * e->nonnegative.n * e->bias.n;
}

double als_experiment_njobs(const als_experiment *e)
{
    return als_experiment_nconfigs(e) * e->numFolds * (e->numRepeats > 1 ? e->numRepeats : 1);
}

double als_experiment_iter_rows(const als_experiment *e)
{
    double mx = 0;
    for (int i = 0; i < e->maxIter.n; i++)
        mx = e->maxIter.v[i] > mx ? e->maxIter.v[i] : mx;
    return als_experiment_njobs(e) * mx;
}

als_status als_experiment_error(const als_experiment *e, als_key k, als_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const als_keypos *p = (unsigned)k < ALS_KEY_N ? &e->pos[k] : NULL;
    als_diag_vset(d, ALS_E_INPUT, e->path, p ? p->line : 0, p ? p->col : 0, fmt, ap);
    va_end(ap);
    return ALS_E_INPUT;
}

static void axis_one(als_axis *a, double v)
{
    a->n = 1;
    a->v[0] = v;
}

void als_experiment_default(als_experiment *e)
{
    memset(e, 0, sizeof *e);
    als_load_opts_default(&e->load);
    als_experiment_fix_cols(e);
    e->testFraction = 0.2;
    e->numFolds = 5;
    e->scheme = ALS_SPLIT_RANDOM;
    e->leaveK = 1;
    e->splitSeed = 42;
    axis_one(&e->rank, 10);
    axis_one(&e->regParam, 0.1);
    axis_one(&e->maxIter, 10);
    axis_one(&e->alpha, 1.0);
    axis_one(&e->implicitPrefs, 0);
    axis_one(&e->nonnegative, 0);
    axis_one(&e->bias, 0);
    e->coldStart = ALS_COLD_DROP;
    e->seed = 42;
    e->solver = ALS_SOLVE_CHOLESKY;
    e->cgSteps = 3;
    if (!als_metric_parse("rmse", &e->metric)) {
        e->metric.kind = ALS_METRIC_RMSE;
        e->metric.k = 0;
        snprintf(e->metric.name, sizeof e->metric.name, "rmse");
    }
    e->rankingK = 10;
    e->relevanceThreshold = 4.0;
    e->statTest = ALS_STAT_CORRECTED_T;
    e->statLevel = 0.05;
    e->bootstrapB = 1000;
    e->select = ALS_SELECT_BEST;
    e->numRepeats = 1;
    e->outerFolds = 0;
    e->outerFold = -1;
    e->replicates = 1;
    e->search.method = ALS_SEARCH_RANDOM;
    e->search.seed = 42;
    /* als.model bpmf (issue 15): the paper's hyperprior (docs/bpmf.md §5) */
    e->model = ALS_MODEL_ALS;
    e->bpmfBurnin = 20;
    e->bpmfBeta0 = 2;
    e->bpmfW0 = 1;
    e->bpmfAlphaShape = e->bpmfAlphaRate = e->bpmfBiasPrec = 1;
    e->bpmfInitScale = 0.1;
    e->search.batch = 8;
    e->search.minIter = 1;
    e->search.eta = 3;
}

static als_status load_synthetic(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "synthetic")) || (st = map_keys(c, map, &sections[SEC_SYNTH], val, kn)))
        return st;
    int preset = 0;
    uint64_t seed = 42;
    if (val[S_PRESET] >= 0 &&
        (st = get_enum(c, val[S_PRESET], "preset", preset_names, NELEM(preset_names), false, &preset)))
        return st;
    if (val[S_SEED] >= 0 && (st = get_u64(c, val[S_SEED], "seed", 0, &seed)))
        return st;
    memset(&e->synth, 0, sizeof e->synth);
    if (!als_synth_preset(&e->synth, preset_names[preset], seed))
        return ERR_AT(c, val[S_PRESET] >= 0 ? val[S_PRESET] : map, "preset: '%s' is not known to the "
                      "generator", preset_names[preset]);
    e->synth.preset = preset_names[preset];
    e->synth.seed = seed;
    long l;
    if (val[S_USERS] >= 0) {
        if ((st = get_long(c, val[S_USERS], "users", 1, UINT32_MAX - 1L, &l)))
            return st;
        e->synth.users = (uint32_t)l;
    }
    if (val[S_ITEMS] >= 0) {
        if ((st = get_long(c, val[S_ITEMS], "items", 1, UINT32_MAX - 1L, &l)))
            return st;
        e->synth.items = (uint32_t)l;
    }
    if (val[S_RATINGS] >= 0 && (st = get_u64(c, val[S_RATINGS], "ratings", 1, &e->synth.ratings)))
        return st;
    if (val[S_RANK] >= 0 && (st = get_int(c, val[S_RANK], "rank", 1, &e->synth.rank)))
        return st;
    if (val[S_NOISE] >= 0 && (st = get_double(c, val[S_NOISE], "noise", 0, HUGE_VAL, false, &e->synth.noise)))
        return st;
    if (val[S_IMPLICIT] >= 0 && (st = get_bool(c, val[S_IMPLICIT], "implicit", &e->synth.implicit)))
        return st;
    if (val[S_MINPU] >= 0) {
        if ((st = get_long(c, val[S_MINPU], "min_per_user", 0, UINT32_MAX - 1L, &l)))
            return st;
        e->synth.min_per_user = (uint32_t)l;
    }
    als_diag sd;
    als_diag_clear(&sd);
    if (als_synth_check(&e->synth, &sd) != ALS_OK)
        return ERR_AT(c, map, "synthetic: %s", sd.msg);
    return ALS_OK;
}

static als_status load_data(ycfg *c, als_experiment *e, int kdata, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "data")) || (st = map_keys(c, map, &sections[SEC_DATA], val, kn)))
        return st;
    mark(c, e, ALS_KEY_DATA, map);
    mark(c, e, ALS_KEY_RATINGS, val[D_RATINGS] >= 0 ? val[D_RATINGS] : val[D_SYNTH]);
    if (val[D_RATINGS] >= 0 && val[D_SYNTH] >= 0) {
        int later = c->v[kn[D_RATINGS]].line > c->v[kn[D_SYNTH]].line ? kn[D_RATINGS] : kn[D_SYNTH];
        return ERR_AT(c, later, "data: give either 'ratings' (a file) or 'synthetic' (generated data), "
                                "not both");
    }
    if (val[D_RATINGS] < 0 && val[D_SYNTH] < 0)
        return ERR_AT(c, kdata, "data: expected 'ratings' (a ratings file) or 'synthetic' (generated "
                                "data), found neither");
    if (val[D_SYNTH] >= 0) {
        e->synthetic = true;
        if (val[D_MOVIES] >= 0 && !is_empty(&c->v[val[D_MOVIES]]))
            return ERR_AT(c, kn[D_MOVIES], "movies: not used with synthetic data (the generator makes "
                                           "its own catalogue)");
        if ((st = load_synthetic(c, e, val[D_SYNTH])))
            return st;
    } else {
        if ((st = data_file(c, kn[D_RATINGS], val[D_RATINGS], "ratings", e->ratings, sizeof e->ratings)))
            return st;
        if (val[D_MOVIES] >= 0 && !is_empty(&c->v[val[D_MOVIES]]) &&
            (st = data_file(c, kn[D_MOVIES], val[D_MOVIES], "movies", e->movies, sizeof e->movies)))
            return st;
    }
    if (val[D_FORMAT] >= 0) {
        int f;
        if ((st = get_enum(c, val[D_FORMAT], "format", format_names, NELEM(format_names), false, &f)))
            return st;
        if (!als_format_parse(format_names[f], &e->load.format))
            return ERR_AT(c, val[D_FORMAT], "format: '%s' is not known to the loader", format_names[f]);
    }
    if (val[D_SKIP] >= 0 && (st = get_bool(c, val[D_SKIP], "skip_bad_lines", &e->load.skip_bad_lines)))
        return st;
    if (val[D_DUPS] >= 0) {
        int dp;
        if ((st = get_enum(c, val[D_DUPS], "duplicates", dup_names, NELEM(dup_names), false, &dp)))
            return st;
        e->load.duplicates = dp == 0 ? ALS_DUP_LAST : dp == 1 ? ALS_DUP_FIRST : ALS_DUP_ERROR;
    }
    if (val[D_RANGE] >= 0 && !is_null(&c->v[val[D_RANGE]])) {
        int rn = val[D_RANGE];
        char b[128];
        if (c->v[rn].kind != YN_SEQ || c->v[rn].n != 2)
            return ERR_AT(c, rn, "rating_range: expected a list of two numbers [min, max], found %s",
                          c->v[rn].kind == YN_SEQ ? (c->v[rn].n < 2 ? "fewer values" : "more values")
                                                  : found(&c->v[rn], b, sizeof b));
        int a = c->v[rn].first, z = c->v[a].next;
        double lo, hi;
        if ((st = get_double(c, a, "rating_range", -HUGE_VAL, HUGE_VAL, false, &lo)) ||
            (st = get_double(c, z, "rating_range", -HUGE_VAL, HUGE_VAL, false, &hi)))
            return st;
        if (!(lo < hi))
            return ERR_AT(c, z, "rating_range: expected max > min, found [%.17g, %.17g]", lo, hi);
        e->load.has_range = true;
        e->load.min_rating = lo;
        e->load.max_rating = hi;
    }
    /* Column names: "" means the default. */
    static const int cols[] = {D_UCOL, D_ICOL, D_RCOL};
    char *dst[] = {e->user_col, e->item_col, e->rating_col};
    for (int i = 0; i < 3; i++) {
        int vn = val[cols[i]];
        if (vn < 0)
            continue;
        if (c->v[vn].kind != YN_SCALAR)
            return ERR_AT(c, vn, "%s: expected a column name, found %s", data_keys[cols[i]],
                          c->v[vn].kind == YN_SEQ ? "a list" : "a mapping");
        if (is_null(&c->v[vn]))
            dst[i][0] = '\0';
        else if ((st = get_string(c, vn, data_keys[cols[i]], dst[i], sizeof e->user_col)))
            return st;
    }
    als_experiment_fix_cols(e);
    return ALS_OK;
}

/* split.numRepeats and split.outerFolds (issue 13, docs/statistics.md): R seeded fold partitions,
 * at most ALS_NUMFOLDS_MAX folds in all; K >= 2 outer folds of nested cross-validation. */
static als_status load_split_cv(ycfg *c, als_experiment *e, const int *val)
{
    als_status st;
    if (val[P_REPEATS] >= 0) {
        if ((st = get_lim_int(c, val[P_REPEATS], "numRepeats", ALS_LIM_NUMREPEATS, &e->numRepeats)))
            return st;
        if ((long)e->numFolds * e->numRepeats > ALS_NUMFOLDS_MAX)
            return ERR_AT(c, val[P_REPEATS], "numRepeats: %d folds x %d repeats = %ld folds; at most %d are "
                          "allowed (%s)", e->numFolds, e->numRepeats, (long)e->numFolds * e->numRepeats,
                          ALS_NUMFOLDS_MAX, als_limit_get(ALS_LIM_NUMFOLDS)->why);
    }
    if (val[P_OUTER] >= 0 && (st = get_lim_int(c, val[P_OUTER], "outerFolds", ALS_LIM_OUTERFOLDS, &e->outerFolds)))
        return st;
    return ALS_OK;
}

static als_status load_split(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "split")) || (st = map_keys(c, map, &sections[SEC_SPLIT], val, kn)))
        return st;
    if (val[P_TESTF] >= 0 && (st = get_double(c, val[P_TESTF], "testFraction", 0, 1, true, &e->testFraction)))
        return st;
    mark(c, e, ALS_KEY_SPLIT, map);
    mark(c, e, ALS_KEY_TESTFRACTION, val[P_TESTF]);
    mark(c, e, ALS_KEY_NUMFOLDS, val[P_FOLDS]);
    mark(c, e, ALS_KEY_LEAVEK, val[P_LEAVEK]);
    if (val[P_FOLDS] >= 0 && (st = get_lim_int(c, val[P_FOLDS], "numFolds", ALS_LIM_NUMFOLDS, &e->numFolds)))
        return st;
    if (val[P_SCHEME] >= 0) {
        int s;
        if ((st = get_enum(c, val[P_SCHEME], "scheme", scheme_names, NELEM(scheme_names), false, &s)))
            return st;
        if (!als_split_scheme_parse(scheme_names[s], &e->scheme))
            return ERR_AT(c, val[P_SCHEME], "scheme: '%s' is not known to the splitter", scheme_names[s]);
    }
    if (val[P_LEAVEK] >= 0 && (st = get_lim_int(c, val[P_LEAVEK], "leaveK", ALS_LIM_LEAVEK, &e->leaveK)))
        return st;
    if (val[P_SEED] >= 0 && (st = get_u64(c, val[P_SEED], "seed", 0, &e->splitSeed)))
        return st;
    if (e->synthetic && (uint64_t)e->numFolds > e->synth.ratings)
        return ERR_AT(c, val[P_FOLDS], "numFolds: %d folds need at least as many ratings, but the "
                      "synthetic data has %" PRIu64, e->numFolds, e->synth.ratings);
    return load_split_cv(c, e, val);
}

/* statistics: {test, level, bootstrap} (issue 13, docs/statistics.md) */
static als_status load_statistics(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "statistics")) || (st = map_keys(c, map, &sections[SEC_STATS], val, kn)))
        return st;
    if (val[T_TEST] >= 0) {
        int t;
        if ((st = get_enum(c, val[T_TEST], "test", stat_test_names, NELEM(stat_test_names), false, &t)))
            return st;
        e->statTest = (als_stat_test)t;
    }
    if (val[T_LEVEL] >= 0) {
        /* (0, 1): a level of 0 would call every cell equivalent, 1 none */
        char b[128];
        const ynode *y = &c->v[val[T_LEVEL]];
        double v;
        if (y->kind != YN_SCALAR || !y->plain || !text_double(y->s, &v) || !(v > 0 && v < 1))
            return ERR_AT(c, val[T_LEVEL], "level: expected a number in (0, 1), found %s", found(y, b, sizeof b));
        e->statLevel = v;
    }
    if (val[T_BOOT] >= 0 && (st = get_lim_int(c, val[T_BOOT], "bootstrap", ALS_LIM_BOOTSTRAP, &e->bootstrapB)))
        return st;
    return ALS_OK;
}

/* als.earlyStopping: {patience, minDelta} (issue 12 item 4, docs/yaml.md "earlyStopping").
 * patience is required (there is no sensible default for it); minDelta defaults to 0. */
static als_status load_early(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "earlyStopping")) || (st = map_keys(c, map, &sections[SEC_EARLY], val, kn)))
        return st;
    if (val[E_PATIENCE] < 0)
        return ERR_AT(c, map, "earlyStopping: patience is required (an integer in [%ld, %ld])",
                      als_limit_lo(ALS_LIM_PATIENCE), als_limit_hi(ALS_LIM_PATIENCE));
    if ((st = get_lim_int(c, val[E_PATIENCE], "patience", ALS_LIM_PATIENCE, &e->esPatience)))
        return st;
    e->esMinDelta = 0;
    if (val[E_MINDELTA] >= 0 &&
        (st = get_double(c, val[E_MINDELTA], "minDelta", 0, HUGE_VAL, false, &e->esMinDelta)))
        return st;
    e->earlyStopping = true;
    return ALS_OK;
}

static bool axis_all(const als_axis *a, double v)
{
    for (int i = 0; i < a->n; i++)
        if (a->v[i] != v)
            return false;
    return true;
}

/* ---- als.model: bpmf (issue 15, docs/yaml.md "BPMF") ---------------------------------------- */

/* A number > 0 and at most the prior limit (`what` says why it must be positive). */
static als_status get_bpmf_pos(ycfg *c, int n, const char *key, const char *what, double *out)
{
    char b[128];
    const ynode *y = &c->v[n];
    double v;
    if (y->kind != YN_SCALAR || !y->plain || !text_double(y->s, &v) || !(v > 0))
        return ERR_AT(c, n, "%s: expected a number > 0%s, found %s", key, what, found(y, b, sizeof b));
    if (!als_limit_ok(ALS_LIM_BPMF_PRIOR, v))
        return ERR_AT(c, n, "%s: expected a number in (0, %g], found %s (the limit: %s)", key, ALS_BPMF_PRIOR_MAX,
                      found(y, b, sizeof b), als_limit_get(ALS_LIM_BPMF_PRIOR)->why);
    *out = v;
    return ALS_OK;
}

/* One value of a BPMF alpha axis: a number in (0, ALS_ALPHA_MAX] or `sample` (stored as NaN). */
static als_status bpmf_alpha_value(ycfg *c, int n, double *out)
{
    const ynode *y = &c->v[n];
    if (y->kind == YN_SCALAR && y->plain && !strcmp(y->s, "sample")) {
        *out = NAN;
        return ALS_OK;
    }
    char b[128];
    double v;
    if (y->kind != YN_SCALAR || !y->plain || !text_double(y->s, &v) || !(v > 0) || !als_limit_ok(ALS_LIM_ALPHA, v))
        return ERR_AT(c, n, "alpha: expected a number > 0 (the observation precision) or 'sample' (drawn from "
                      "its Gamma conditional), found %s", found(y, b, sizeof b));
    *out = v;
    return ALS_OK;
}

/* alpha: a value or a list of values of bpmf_alpha_value; under a sampled search also a
 * distribution {min, max, log} of numbers > 0 (dist). */
static als_status bpmf_alpha_axis(ycfg *c, int n, als_axis *ax, als_dist *dist)
{
    const ynode *y = &c->v[n];
    if (y->kind == YN_MAP && c->sampled) {
        als_status st = axis_dist(c, n, "alpha", AX_DOUBLE, ALS_LIM_ALPHA, NAN, ax, dist);
        if (!st && !(ax->v[0] > 0))
            return ERR_AT(c, n, "alpha: a distribution with model: bpmf needs min > 0 (the observation "
                          "precision), found %.17g", ax->v[0]);
        if (!st && dist->integer)
            return ERR_AT(c, n, "alpha: type int; the observation precision is a float distribution");
        return st;
    }
    if (y->kind == YN_SCALAR) {
        ax->n = 1;
        return bpmf_alpha_value(c, n, &ax->v[0]);
    }
    if (y->kind != YN_SEQ || y->n == 0)
        return ERR_AT(c, n, "alpha: expected a number > 0, 'sample' or a non-empty list of them");
    if (y->n > ALS_GRID_MAX)
        return ERR_AT(c, n, "alpha: list has %d values; at most %d are allowed", y->n, ALS_GRID_MAX);
    ax->n = 0;
    for (int k = y->first; k >= 0; k = c->v[k].next) {
        double v;
        als_status st = bpmf_alpha_value(c, k, &v);
        if (st)
            return st;
        for (int i = 0; i < ax->n; i++)
            if (ax->v[i] == v || (isnan(v) && isnan(ax->v[i])))
                return ERR_AT(c, k, "alpha: value %s appears twice in the list", c->v[k].s);
        ax->v[ax->n++] = v;
    }
    return ALS_OK;
}

/* als.bpmf: {burnin, mu0, beta0, W0, nu0, alphaShape, alphaRate, biasPrecision, initScale}. */
static als_status load_bpmf_keys(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "bpmf")) || (st = map_keys(c, map, &sections[SEC_BPMF], val, kn)))
        return st;
    if (val[B_BURNIN] >= 0 && (st = get_lim_int(c, val[B_BURNIN], "burnin", ALS_LIM_BURNIN, &e->bpmfBurnin)))
        return st;
    if (val[B_MU0] >= 0 && (st = get_double(c, val[B_MU0], "mu0", -HUGE_VAL, HUGE_VAL, false, &e->bpmfMu0)))
        return st;
    static const struct {
        int key;
        size_t off;
        const char *what;
    } pos[] = {
        {B_BETA0, offsetof(als_experiment, bpmfBeta0), " (the prior's confidence in mu0)"},
        {B_W0, offsetof(als_experiment, bpmfW0), " (W0 = W0 x identity, the Wishart scale, must be positive definite)"},
        {B_NU0, offsetof(als_experiment, bpmfNu0), " and > rank - 1 (the Wishart's degrees of freedom)"},
        {B_ASHAPE, offsetof(als_experiment, bpmfAlphaShape), " (the Gamma prior of a sampled alpha)"},
        {B_ARATE, offsetof(als_experiment, bpmfAlphaRate), " (the Gamma prior of a sampled alpha)"},
        {B_BIASPREC, offsetof(als_experiment, bpmfBiasPrec), " (the precision of the bias prior)"},
    };
    for (size_t i = 0; i < NELEM(pos); i++)
        if (val[pos[i].key] >= 0 &&
            (st = get_bpmf_pos(c, val[pos[i].key], bpmf_keys[pos[i].key], pos[i].what,
                               (double *)((char *)e + pos[i].off))))
            return st;
    if (val[B_NU0] >= 0) {
        e->bpmfNu0Pos.line = c->v[val[B_NU0]].line;
        e->bpmfNu0Pos.col = c->v[val[B_NU0]].col;
    }
    if (val[B_INIT] >= 0) {
        double v;
        if ((st = get_lim(c, val[B_INIT], "initScale", ALS_LIM_BPMF_INIT, NAN, &v)))
            return st;
        e->bpmfInitScale = v;
    }
    return ALS_OK;
}

/* als.model and, for bpmf, its keys and axes: alpha (numbers or `sample`), samples (into the maxIter
 * axis), bpmf:, with the ALS-only keys refused.  For als, the BPMF-only keys are refused. */
static als_status load_model(ycfg *c, als_experiment *e, const int *val, const int *kn)
{
    static const char *const model_names[] = {"als", "bpmf"};
    als_status st;
    if (val[A_MODEL] >= 0) {
        int k;
        if ((st = get_enum(c, val[A_MODEL], "model", model_names, NELEM(model_names), false, &k)))
            return st;
        e->model = k == 1 ? ALS_MODEL_BPMF : ALS_MODEL_ALS;
        e->bpmfPos.line = c->v[val[A_MODEL]].line;
        e->bpmfPos.col = c->v[val[A_MODEL]].col;
    }
    if (e->model != ALS_MODEL_BPMF) {
        for (int k = A_SAMPLES; k <= A_BPMF; k++)
            if (val[k] >= 0)
                return ERR_AT(c, kn[k], "%s: only for model: bpmf (the Gibbs sampler, docs/bpmf.md); ALS trains "
                              "maxIter iterations", als_keys[k]);
        return ALS_OK;
    }
    static const int als_only[] = {A_REG, A_MAXITER, A_SOLVER, A_CGSTEPS, A_EARLY};
    for (size_t i = 0; i < NELEM(als_only); i++)
        if (val[als_only[i]] >= 0)
            return ERR_AT(c, kn[als_only[i]], "%s: an ALS key; model: bpmf learns its regularisation from the "
                          "Normal-Wishart priors (als.bpmf) and runs samples, not maxIter (docs/yaml.md \"BPMF\")",
                          als_keys[als_only[i]]);
    static const int bools[] = {A_IMPLICIT, A_NONNEG};
    for (size_t i = 0; i < NELEM(bools); i++) {
        int vn = val[bools[i]];
        als_axis ax = {0};
        if (vn >= 0 && (st = axis_parse(c, vn, als_keys[bools[i]], AX_BOOL, ALS_LIM_N, 0, &ax, NULL)))
            return st;
        if (vn >= 0 && !axis_all(&ax, 0))
            return ERR_AT(c, vn, "%s: model: bpmf supports explicit ratings without constraints only; "
                          "%s must be false", als_keys[bools[i]], als_keys[bools[i]]);
    }
    e->regParam.n = 1;
    e->regParam.v[0] = 0;
    e->alpha.n = 1;
    e->alpha.v[0] = 2; /* the paper's fixed observation precision */
    e->maxIter.n = 1;
    e->maxIter.v[0] = 200; /* samples */
    mark(c, e, ALS_KEY_ALPHA, val[A_ALPHA]);
    if (val[A_ALPHA] >= 0 && (st = bpmf_alpha_axis(c, val[A_ALPHA], &e->alpha, &e->search.alpha)))
        return st;
    if (val[A_SAMPLES] >= 0) {
        mark(c, e, ALS_KEY_MAXITER, val[A_SAMPLES]);
        if ((st = axis_parse(c, val[A_SAMPLES], "samples", AX_INT, ALS_LIM_SAMPLES, NAN, &e->maxIter,
                             &e->search.maxIter)))
            return st;
    }
    if (val[A_BPMF] >= 0 && (st = load_bpmf_keys(c, e, val[A_BPMF])))
        return st;
    return ALS_OK;
}

/* After the metric and the als: axes: what model: bpmf needs of them (rank, nu0, metric). */
static als_status check_bpmf(ycfg *c, als_experiment *e)
{
    if (e->model != ALS_MODEL_BPMF)
        return ALS_OK;
    const als_keypos *rk = &e->pos[ALS_KEY_RANK];
    for (int i = 0; i < e->rank.n; i++) {
        if (!als_limit_ok(ALS_LIM_BPMF_RANK, e->rank.v[i]))
            return at(c, rk->line ? rk->line : e->bpmfPos.line, rk->line ? rk->col : e->bpmfPos.col,
                      "rank: expected an integer in [1, %d] with model: bpmf, found %.17g (the limit: %s)",
                      ALS_BPMF_RANK_MAX, e->rank.v[i], als_limit_get(ALS_LIM_BPMF_RANK)->why);
        if (e->bpmfNu0 > 0 && !(e->bpmfNu0 > e->rank.v[i] - 1))
            return at(c, e->bpmfNu0Pos.line, e->bpmfNu0Pos.col,
                      "nu0: expected a number > rank - 1 = %.17g for rank %.17g (the Wishart prior is improper "
                      "otherwise); leave nu0 out for nu0 = rank", e->rank.v[i] - 1, e->rank.v[i]);
    }
    if (als_metric_is_ranking(&e->metric))
        return at(c, e->pos[ALS_KEY_METRIC].line ? e->pos[ALS_KEY_METRIC].line : e->bpmfPos.line,
                  e->pos[ALS_KEY_METRIC].line ? e->pos[ALS_KEY_METRIC].col : e->bpmfPos.col,
                  "metric: %s is a ranking metric; model: bpmf is scored by its posterior-mean predictions with "
                  "rmse, mse, mae, r2 or var", e->metric.name);
    return ALS_OK;
}

static als_status load_als(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "als")) || (st = map_keys(c, map, &sections[SEC_ALS], val, kn)))
        return st;
    /* Bounds from the table of limits; maxIter's lower bound is 1 here, not the solver's 0: a
     * tuning job is evaluated after its iterations, and 0 iterations is no model to evaluate. */
    static const struct {
        int key;
        axis_type t;
        als_limit_id id;
        double lo;
        size_t off;
        int pos;
        size_t doff; /* its distribution under a sampled search; 0: none (booleans) */
    } axes[] = {
        {A_RANK, AX_INT, ALS_LIM_RANK, NAN, offsetof(als_experiment, rank), ALS_KEY_RANK,
         offsetof(als_experiment, search.rank)},
        {A_REG, AX_DOUBLE, ALS_LIM_REGPARAM, NAN, offsetof(als_experiment, regParam), ALS_KEY_REGPARAM,
         offsetof(als_experiment, search.regParam)},
        {A_MAXITER, AX_INT, ALS_LIM_MAXITER, 1, offsetof(als_experiment, maxIter), ALS_KEY_MAXITER,
         offsetof(als_experiment, search.maxIter)},
        {A_ALPHA, AX_DOUBLE, ALS_LIM_ALPHA, NAN, offsetof(als_experiment, alpha), ALS_KEY_ALPHA,
         offsetof(als_experiment, search.alpha)},
        {A_IMPLICIT, AX_BOOL, ALS_LIM_N, 0, offsetof(als_experiment, implicitPrefs), -1, 0},
        {A_NONNEG, AX_BOOL, ALS_LIM_N, 0, offsetof(als_experiment, nonnegative), -1, 0},
        {A_BIAS, AX_BOOL, ALS_LIM_N, 0, offsetof(als_experiment, bias), -1, 0},
    };
    mark(c, e, ALS_KEY_ALS, map);
    mark(c, e, ALS_KEY_CGSTEPS, val[A_CGSTEPS]);
    if ((st = load_model(c, e, val, kn)))
        return st;
    for (size_t i = 0; i < NELEM(axes); i++) {
        int vn = val[axes[i].key];
        if (e->model == ALS_MODEL_BPMF && (axes[i].key == A_ALPHA || axes[i].key == A_REG ||
                                          axes[i].key == A_MAXITER))
            continue; /* load_model read or refused them */
        if (axes[i].pos >= 0)
            mark(c, e, (als_key)axes[i].pos, vn);
        als_dist *dist = axes[i].doff ? (als_dist *)((char *)e + axes[i].doff) : NULL;
        if (vn >= 0 && (st = axis_parse(c, vn, als_keys[axes[i].key], axes[i].t, axes[i].id, axes[i].lo,
                                        (als_axis *)((char *)e + axes[i].off), dist)))
            return st;
    }
    if (val[A_COLD] >= 0) {
        int k;
        if ((st = get_enum(c, val[A_COLD], "coldStartStrategy", cold_names, NELEM(cold_names), true, &k)))
            return st;
        e->coldStart = (als_cold_start)k;
    }
    if (val[A_SEED] >= 0 && (st = get_u64(c, val[A_SEED], "seed", 0, &e->seed)))
        return st;
    if (val[A_SOLVER] >= 0) {
        int k;
        if ((st = get_enum(c, val[A_SOLVER], "solver", solver_names, NELEM(solver_names), false, &k)))
            return st;
        e->solver = k == 0 ? ALS_SOLVE_CHOLESKY : ALS_SOLVE_CG;
    }
    if (val[A_CGSTEPS] >= 0 && (st = get_lim_int(c, val[A_CGSTEPS], "cgSteps", ALS_LIM_CGSTEPS, &e->cgSteps)))
        return st;
    if (val[A_EARLY] >= 0 && (st = load_early(c, e, val[A_EARLY])))
        return st;
    if (axis_all(&e->implicitPrefs, 1) && !axis_all(&e->bias, 0))
        return ERR_AT(c, val[A_BIAS], "bias: biases are for explicit ratings only, but implicitPrefs "
                                      "is true");
    return ALS_OK;
}

/* search: {method, trials, seed}.  Read before als:, whose ranges it turns into distributions. */
static als_status load_search(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "search")) || (st = map_keys(c, map, &sections[SEC_SEARCH], val, kn)))
        return st;
    int m = 0;
    if (val[Q_METHOD] >= 0) {
        if ((st = get_enum(c, val[Q_METHOD], "search.method", method_names, NELEM(method_names), false, &m)))
            return st;
        e->search.pos.line = c->v[val[Q_METHOD]].line;
        e->search.pos.col = c->v[val[Q_METHOD]].col;
    }
    if (m == 0) {
        for (int k = Q_TRIALS; k <= Q_BATCH; k++)
            if (val[k] >= 0)
                return ERR_AT(c, kn[k], "search.%s: only for a sampled search (method: random, sobol or tpe); "
                              "method: grid trains every point of the als: axes", search_keys[k]);
        return ALS_OK;
    }
    e->search.sampled = c->sampled = true;
    e->search.method = m == 1 ? ALS_SEARCH_RANDOM : m == 2 ? ALS_SEARCH_SOBOL : ALS_SEARCH_TPE;
    if (val[Q_BATCH] >= 0) {
        if (m != 3)
            return ERR_AT(c, kn[Q_BATCH], "search.batch: only for method: tpe (the round size of its proposals); "
                          "%s proposals read no results", method_names[m]);
        if ((st = get_lim_int(c, val[Q_BATCH], "search.batch", ALS_LIM_BATCH, &e->search.batch)))
            return st;
    }
    if (val[Q_TRIALS] < 0)
        return ERR_AT(c, val[Q_METHOD], "search.method: %s needs 'trials: N', the number of configs to draw",
                      method_names[m]);
    if ((st = get_lim_int(c, val[Q_TRIALS], "search.trials", ALS_LIM_TRIALS, &e->search.trials)))
        return st;
    e->search.trials_pos.line = c->v[val[Q_TRIALS]].line;
    e->search.trials_pos.col = c->v[val[Q_TRIALS]].col;
    if (val[Q_SEED] >= 0 && (st = get_u64(c, val[Q_SEED], "search.seed", 0, &e->search.seed)))
        return st;
    return ALS_OK;
}

/* After als: a sampled search needs something to sample, and a sampled maxIter must fit the
 * runner's table of maxIter values (every config is evaluated at each sampled maxIter). */
static als_status check_search(ycfg *c, als_experiment *e)
{
    const als_search_cfg *s = &e->search;
    if (!s->sampled)
        return ALS_OK;
    bool any = s->rank.on || s->regParam.on || s->maxIter.on || s->alpha.on || e->rank.n > 1 ||
               e->regParam.n > 1 || e->maxIter.n > 1 || e->alpha.n > 1 || e->implicitPrefs.n > 1 ||
               e->nonnegative.n > 1 || e->bias.n > 1;
    if (!any)
        return at(c, s->pos.line, s->pos.col, "search.method: %s needs a parameter to sample: give one under als: "
                      "a distribution {min, max} or a list of values", als_search_method_name(s->method));
    double jobs = als_experiment_njobs(e);
    if (!als_limit_ok(ALS_LIM_JOBS, jobs))
        return at(c, s->trials_pos.line, s->trials_pos.col, "search.trials: %d trials x %d folds = %.0f jobs; at "
                  "most %d jobs are allowed (%s)", s->trials, e->numFolds, jobs, ALS_JOBS_MAX,
                  als_limit_get(ALS_LIM_JOBS)->why);
    if (s->maxIter.on && s->trials > ALS_GRID_MAX && e->maxIter.v[1] - e->maxIter.v[0] + 1 > ALS_GRID_MAX)
        return at(c, e->pos[ALS_KEY_MAXITER].line, e->pos[ALS_KEY_MAXITER].col,
                  "maxIter: a distribution over %.0f values with %d trials could draw more than %d distinct "
                  "maxIter values (each config is evaluated at every drawn maxIter); narrow it to %d values "
                  "or use at most %d trials", e->maxIter.v[1] - e->maxIter.v[0] + 1, s->trials, ALS_GRID_MAX,
                  ALS_GRID_MAX, ALS_GRID_MAX);
    /* tpe: configs arrive round by round, so the maxIter table (the cells of every config) is fixed
     * up front: every integer of a maxIter distribution */
    if (s->method == ALS_SEARCH_TPE && s->maxIter.on && e->maxIter.v[1] - e->maxIter.v[0] + 1 > ALS_GRID_MAX)
        return at(c, e->pos[ALS_KEY_MAXITER].line, e->pos[ALS_KEY_MAXITER].col,
                  "maxIter: method tpe evaluates every config at every maxIter of the distribution, so it may "
                  "span at most %d values, got [%.0f, %.0f]", ALS_GRID_MAX, e->maxIter.v[0], e->maxIter.v[1]);
    return ALS_OK;
}

/* pruner: {method, minIter, eta} (docs/search.md "Pruning").  Read after als:, whose maxIter is the
 * top budget: it must be one value. */
static als_status load_pruner(ycfg *c, als_experiment *e, int map)
{
    int val[KEYS_MAX], kn[KEYS_MAX];
    als_status st;
    if ((st = want_map(c, map, "pruner")) || (st = map_keys(c, map, &sections[SEC_PRUNER], val, kn)))
        return st;
    int m = 0;
    if (val[U_METHOD] >= 0 &&
        (st = get_enum(c, val[U_METHOD], "pruner.method", pruner_names, NELEM(pruner_names), false, &m)))
        return st;
    if (m == 0) {
        for (int k = U_MINITER; k <= U_ETA; k++)
            if (val[k] >= 0)
                return ERR_AT(c, kn[k], "pruner.%s: only with pruner.method halving or hyperband", pruner_keys[k]);
        return ALS_OK;
    }
    int where = val[U_METHOD];
    if (e->search.maxIter.on || e->maxIter.n != 1)
        return ERR_AT(c, where, "pruner.method: %s: maxIter is the largest budget and must be one value, but it is "
                      "a %s; the rungs' budgets come from minIter, eta and maxIter", pruner_names[m],
                      e->search.maxIter.on ? "distribution" : "list");
    if (e->earlyStopping)
        return ERR_AT(c, where, "pruner.method: %s and als.earlyStopping both stop training early; use one of them",
                      pruner_names[m]);
    if (val[U_ETA] >= 0 && (st = get_lim_int(c, val[U_ETA], "pruner.eta", ALS_LIM_ETA, &e->search.eta)))
        return st;
    if (val[U_MINITER] >= 0) {
        if ((st = get_lim_int(c, val[U_MINITER], "pruner.minIter", ALS_LIM_MINITER, &e->search.minIter)))
            return st;
        if (e->search.minIter > (int)e->maxIter.v[0])
            return ERR_AT(c, val[U_MINITER], "pruner.minIter: %d is above maxIter %.0f (the largest budget)",
                          e->search.minIter, e->maxIter.v[0]);
    }
    if ((int)e->maxIter.v[0] < 1)
        return ERR_AT(c, where, "pruner.method: %s needs maxIter >= 1", pruner_names[m]);
    e->search.pruner = (als_pruner)m;
    e->search.pruner_pos.line = c->v[where].line;
    e->search.pruner_pos.col = c->v[where].col;
    return ALS_OK;
}

static als_status load_tree(ycfg *c, als_experiment *e, int root)
{
    char b[128];
    als_status st;
    if (root < 0 || is_null(&c->v[root]))
        return at(c, 1, 1, "empty experiment file; expected a mapping with at least a 'data' key");
    if (c->v[root].kind != YN_MAP)
        return ERR_AT(c, root, "expected a mapping of experiment keys (name, data, split, als, metric, "
                               "...), found %s", found(&c->v[root], b, sizeof b));
    int val[KEYS_MAX], kn[KEYS_MAX];
    if ((st = map_keys(c, root, &sections[SEC_TOP], val, kn)))
        return st;

    /* name: given, or the YAML file's base name without its extension. */
    if (val[K_NAME] >= 0) {
        if ((st = get_string(c, val[K_NAME], "name", e->name, sizeof e->name)) ||
            (st = check_name(c, val[K_NAME], e->name)))
            return st;
    } else {
        const char *base = strrchr(c->path, '/');
        base = base ? base + 1 : c->path;
        snprintf(e->name, sizeof e->name, "%s", base);
        char *dot = strrchr(e->name, '.');
        if (dot && dot != e->name)
            *dot = '\0';
        if (check_name(c, -1, e->name))
            return at(c, 1, 1, "name: cannot derive a results folder name from the file name '%s'; "
                               "add a 'name:' key", base);
    }
    if (val[K_OUTPUT] >= 0 && !is_empty(&c->v[val[K_OUTPUT]])) {
        char rel[4096], joined[8192];
        if ((st = get_string(c, val[K_OUTPUT], "output", rel, sizeof rel)))
            return st;
        als_path_join(joined, sizeof joined, c->dir, rel);
        if (!path_absolute(joined, e->output, sizeof e->output))
            return ERR_AT(c, val[K_OUTPUT], "output: cannot make '%s' an absolute path", joined);
    }
    if (val[K_DATA] < 0)
        return ERR_AT(c, root, "missing required key 'data' (a 'ratings' file or 'synthetic' data)");
    if ((st = load_data(c, e, kn[K_DATA], val[K_DATA])))
        return st;
    if (val[K_SPLIT] >= 0 && (st = load_split(c, e, val[K_SPLIT])))
        return st;
    if (val[K_SEARCH] >= 0 && (st = load_search(c, e, val[K_SEARCH])))
        return st;
    if (val[K_ALS] >= 0 && (st = load_als(c, e, val[K_ALS])))
        return st;
    if (val[K_SEARCH] >= 0 && (st = check_search(c, e)))
        return st;
    if (val[K_PRUNER] >= 0 && (st = load_pruner(c, e, val[K_PRUNER])))
        return st;
    /* The job cap, before any work: a grid of 256 values on four axes is 4 G jobs. */
    double jobs = als_experiment_njobs(e);
    if (!als_limit_ok(ALS_LIM_JOBS, jobs)) {
        int where = val[K_ALS] >= 0 ? kn[K_ALS] : val[K_SPLIT] >= 0 ? kn[K_SPLIT] : root;
        return ERR_AT(c, where, "the grid has %.0f points (without maxIter) x %d folds = %.0f jobs; at most %d "
                      "jobs are allowed (%s)", als_experiment_nconfigs(e), e->numFolds, jobs, ALS_JOBS_MAX,
                      als_limit_get(ALS_LIM_JOBS)->why);
    }
    double rows = als_experiment_iter_rows(e);
    if (!als_limit_ok(ALS_LIM_ITER_ROWS, rows)) {
        int where = e->pos[ALS_KEY_MAXITER].line > 0 ? -1 : val[K_ALS] >= 0 ? kn[K_ALS] : root;
        const char *why = als_limit_get(ALS_LIM_ITER_ROWS)->why;
        if (where < 0)
            return at(c, e->pos[ALS_KEY_MAXITER].line, e->pos[ALS_KEY_MAXITER].col,
                      "maxIter: %.0f jobs x %.0f iterations = %.0f iteration rows; at most %d are allowed (%s)",
                      jobs, rows / jobs, rows, ALS_ITER_ROWS_MAX, why);
        return ERR_AT(c, where, "maxIter: %.0f jobs x %.0f iterations = %.0f iteration rows; at most %d are allowed "
                      "(%s)", jobs, rows / jobs, rows, ALS_ITER_ROWS_MAX, why);
    }
    if (val[K_STATS] >= 0 && (st = load_statistics(c, e, val[K_STATS])))
        return st;
    if (val[K_REPLICATES] >= 0 &&
        (st = get_lim_int(c, val[K_REPLICATES], "replicates", ALS_LIM_REPLICATES, &e->replicates)))
        return st;
    if (val[K_SELECT] >= 0) {
        int sr;
        if ((st = get_enum(c, val[K_SELECT], "select", select_names, NELEM(select_names), false, &sr)))
            return st;
        e->select = (als_select_rule)sr;
    }
    mark(c, e, ALS_KEY_RANKINGK, val[K_RANKINGK]);
    mark(c, e, ALS_KEY_METRIC, val[K_METRIC]);
    if (val[K_RANKINGK] >= 0 && (st = get_lim_int(c, val[K_RANKINGK], "rankingK", ALS_LIM_TOPK, &e->rankingK)))
        return st;
    if (val[K_RELTHR] >= 0 &&
        (st = get_double(c, val[K_RELTHR], "relevanceThreshold", -HUGE_VAL, HUGE_VAL, false,
                         &e->relevanceThreshold)))
        return st;
    if (val[K_METRIC] >= 0) {
        int mn = val[K_METRIC];
        const ynode *y = &c->v[mn];
        if (y->kind != YN_SCALAR || is_null(y))
            return ERR_AT(c, mn, "metric: expected one of %s, found %s", METRIC_LIST, found(y, b, sizeof b));
        if (!als_metric_parse(y->s, &e->metric)) {
            char head[64];
            snprintf(head, sizeof head, "%s", y->s);
            char *atp = strchr(head, '@');
            const char *hint = closest(y->s, metric_names, NELEM(metric_names));
            if (!hint && atp) { /* judge the name part only: "ndgc@5" → ndcg@5 */
                *atp = '\0';
                static const char *const heads[] = {"precision", "recall", "ndcg", "map"};
                const char *h = closest(head, heads, NELEM(heads));
                if (h) {
                    char sug[64];
                    snprintf(sug, sizeof sug, "%s@%s", h, strchr(y->s, '@') + 1);
                    return ERR_AT(c, mn, "metric: unknown metric %s; did you mean '%s'? (expected "
                                  "one of %s)", found(y, b, sizeof b), sug, METRIC_LIST);
                }
            }
            if (hint)
                return ERR_AT(c, mn, "metric: unknown metric %s; did you mean '%s'? (expected one "
                              "of %s)", found(y, b, sizeof b), hint, METRIC_LIST);
            return ERR_AT(c, mn, "metric: unknown metric %s (expected one of %s)", found(y, b, sizeof b),
                          METRIC_LIST);
        }
    } else if (!axis_all(&e->implicitPrefs, 0)) {
        /* Implicit feedback has no ratings to compare with: rank by default. */
        char m[32];
        snprintf(m, sizeof m, "ndcg@%d", e->rankingK);
        if (!als_metric_parse(m, &e->metric))
            return als_diag_set(c->d, ALS_E_INTERNAL, c->path, 0, 0, "metric '%s' not recognised", m);
    }
    return check_bpmf(c, e);
}

als_status als_config_load(als_experiment *e, const char *path, als_diag *d)
{
    ycfg c;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.d = d;
    char *buf = NULL;
    size_t len = 0;
    als_status st;

    als_experiment_default(e);
    if (strlen(path) >= sizeof e->path)
        return als_diag_set(d, ALS_E_USAGE, "", 0, 0, "experiment path too long");
    memcpy(e->path, path, strlen(path) + 1);
    struct stat sb;
    /* A path that names nothing (or a directory) is a bad argument, exit 2; a file that exists
     * but cannot be read is an I/O error (als_read_file), exit 3. */
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "cannot open experiment file: %s",
                                strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "is a directory; expected an experiment "
                            "YAML file");
    } else if (S_ISREG(sb.st_mode) && sb.st_size > CFG_FILE_MAX) {
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                            "%lld bytes is too large for an experiment file (at most %ld); is this "
                            "a data file?", (long long)sb.st_size, CFG_FILE_MAX);
    }
    if ((st = als_read_file(path, &buf, &len, d)))
        return st;
    als_path_dirname(c.dir, sizeof c.dir, path);
    c.buf = buf;
    c.len = len;
    int root;
    if ((st = tree_build(&c, &root)) == ALS_OK)
        st = load_tree(&c, e, root);
    tree_free(&c);
    free(buf);
    return st;
}

/* ---- writing ---------------------------------------------------------------------------------- */
/* The shortest round-trip form of x (als_fmt_double: the fingerprint hashes these bytes). */
static void put_double(FILE *f, double x)
{
    char b[32];
    fputs(als_fmt_double(b, x), f);
}

static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02X", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_axis(FILE *f, const char *key, const als_axis *a, bool boolean, const als_dist *dist)
{
    if (dist && dist->on) { /* a distribution of a sampled search: the axis is [min, max] */
        fprintf(f, "  %s: {min: ", key);
        put_double(f, a->v[0]);
        fputs(", max: ", f);
        put_double(f, a->v[1]);
        fprintf(f, ", log: %s, type: %s}\n", dist->log ? "true" : "false", dist->integer ? "int" : "float");
        return;
    }
    fprintf(f, "  %s: [", key);
    for (int i = 0; i < a->n; i++) {
        if (i)
            fputs(", ", f);
        if (boolean)
            fputs(a->v[i] != 0 ? "true" : "false", f);
        else
            put_double(f, a->v[i]);
    }
    fputs("]\n", f);
}

static const char *format_key(als_format fm)
{
    switch (fm) {
    case ALS_FMT_AUTO: return "auto";
    case ALS_FMT_CSV: return "csv";
    case ALS_FMT_COLONS: return "dat";
    case ALS_FMT_UDATA: return "udata";
    case ALS_FMT_TSV: return "tsv";
    }
    return "auto";
}

/* The als: section of a model: bpmf experiment (issue 15): only the keys it accepts. */
static void put_bpmf(FILE *f, const als_experiment *e)
{
    fputs("  model: bpmf\n", f);
    put_axis(f, "rank", &e->rank, false, &e->search.rank);
    if (e->search.alpha.on) /* a sampled search's distribution (numbers > 0) */
        put_axis(f, "alpha", &e->alpha, false, &e->search.alpha);
    else {
    fputs("  alpha: [", f);
    for (int i = 0; i < e->alpha.n; i++) {
        fputs(i ? ", " : "", f);
        if (isnan(e->alpha.v[i]))
            fputs("sample", f);
        else
            put_double(f, e->alpha.v[i]);
    }
    fputs("]\n", f);
    }
    put_axis(f, "samples", &e->maxIter, false, &e->search.maxIter);
    put_axis(f, "bias", &e->bias, true, NULL);
    fprintf(f, "  coldStartStrategy: %s\n  seed: %" PRIu64 "\n", als_cold_start_name(e->coldStart), e->seed);
    fprintf(f, "  bpmf: {burnin: %d, mu0: ", e->bpmfBurnin);
    put_double(f, e->bpmfMu0);
    fputs(", beta0: ", f);
    put_double(f, e->bpmfBeta0);
    fputs(", W0: ", f);
    put_double(f, e->bpmfW0);
    if (e->bpmfNu0 > 0) { /* 0: each config's rank, written by leaving the key out */
        fputs(", nu0: ", f);
        put_double(f, e->bpmfNu0);
    }
    fputs(", alphaShape: ", f);
    put_double(f, e->bpmfAlphaShape);
    fputs(", alphaRate: ", f);
    put_double(f, e->bpmfAlphaRate);
    fputs(", biasPrecision: ", f);
    put_double(f, e->bpmfBiasPrec);
    fputs(", initScale: ", f);
    put_double(f, e->bpmfInitScale);
    fputs("}\n", f);
}

void als_config_write(const als_experiment *e, FILE *f)
{
    fputs("# alstune experiment, resolved: every key with its value, defaults filled in\n", f);
    fputs("name: ", f);
    put_str(f, e->name);
    fputs("\noutput: ", f);
    put_str(f, e->output);
    fputs("\ndata:\n", f);
    if (e->synthetic) {
        const als_synth_opts *s = &e->synth;
        fputs("  synthetic: {", f);
        if (s->preset)
            fprintf(f, "preset: %s, ", s->preset);
        fprintf(f, "seed: %" PRIu64 ", users: %" PRIu32 ", items: %" PRIu32 ", ratings: %" PRIu64
                   ", rank: %d, noise: ", s->seed, s->users, s->items, s->ratings, s->rank);
        put_double(f, s->noise);
        fprintf(f, ", implicit: %s, min_per_user: %" PRIu32 "}\n", s->implicit ? "true" : "false",
                s->min_per_user);
    } else {
        fputs("  ratings: ", f);
        put_str(f, e->ratings);
        fputs("\n  movies: ", f);
        put_str(f, e->movies);
        fputc('\n', f);
    }
    fprintf(f, "  format: %s\n", format_key(e->load.format));
    fprintf(f, "  skip_bad_lines: %s\n", e->load.skip_bad_lines ? "true" : "false");
    fprintf(f, "  duplicates: %s\n", e->load.duplicates == ALS_DUP_FIRST   ? "first"
                                     : e->load.duplicates == ALS_DUP_ERROR ? "error"
                                                                           : "last");
    if (e->load.has_range) {
        fputs("  rating_range: [", f);
        put_double(f, e->load.min_rating);
        fputs(", ", f);
        put_double(f, e->load.max_rating);
        fputs("]\n", f);
    } else {
        fputs("  rating_range: null\n", f);
    }
    fputs("  user_col: ", f);
    put_str(f, e->user_col);
    fputs("\n  item_col: ", f);
    put_str(f, e->item_col);
    fputs("\n  rating_col: ", f);
    put_str(f, e->rating_col);
    fputs("\nsplit:\n  testFraction: ", f);
    put_double(f, e->testFraction);
    fprintf(f, "\n  numFolds: %d\n  scheme: %s\n  leaveK: %d\n  seed: %" PRIu64 "\n", e->numFolds,
            scheme_names[e->scheme <= ALS_SPLIT_LEAVE_K_OUT ? e->scheme : 0], e->leaveK, e->splitSeed);
    if (e->numRepeats > 1) /* issue 13's keys are written only when set: other experiments are unchanged */
        fprintf(f, "  numRepeats: %d\n", e->numRepeats);
    if (e->outerFolds > 0)
        fprintf(f, "  outerFolds: %d\n", e->outerFolds);
    fputs("als:\n", f);
    if (e->model == ALS_MODEL_BPMF) {
        put_bpmf(f, e);
        goto after_als;
    }
    put_axis(f, "rank", &e->rank, false, &e->search.rank);
    put_axis(f, "regParam", &e->regParam, false, &e->search.regParam);
    put_axis(f, "maxIter", &e->maxIter, false, &e->search.maxIter);
    put_axis(f, "alpha", &e->alpha, false, &e->search.alpha);
    put_axis(f, "implicitPrefs", &e->implicitPrefs, true, NULL);
    put_axis(f, "nonnegative", &e->nonnegative, true, NULL);
    put_axis(f, "bias", &e->bias, true, NULL);
    fprintf(f, "  coldStartStrategy: %s\n  seed: %" PRIu64 "\n  solver: %s\n  cgSteps: %d\n",
            als_cold_start_name(e->coldStart), e->seed, e->solver == ALS_SOLVE_CG ? "cg" : "cholesky",
            e->cgSteps);
    if (e->earlyStopping) { /* written only when set: experiments without it are unchanged */
        fprintf(f, "  earlyStopping: {patience: %d, minDelta: ", e->esPatience);
        put_double(f, e->esMinDelta);
        fputs("}\n", f);
    }
after_als:
    if (e->search.sampled && e->search.method == ALS_SEARCH_TPE)
        fprintf(f, "search: {method: tpe, trials: %d, seed: %" PRIu64 ", batch: %d}\n", e->search.trials,
                e->search.seed, e->search.batch);
    else if (e->search.sampled) /* the grid (the default) writes no search: section */
        fprintf(f, "search: {method: %s, trials: %d, seed: %" PRIu64 "}\n",
                als_search_method_name(e->search.method), e->search.trials, e->search.seed);
    if (e->search.pruner != ALS_PRUNE_NONE) /* written only when set */
        fprintf(f, "pruner: {method: %s, minIter: %d, eta: %d}\n", als_pruner_name(e->search.pruner),
                e->search.minIter, e->search.eta);
    fprintf(f, "metric: %s\nrankingK: %d\nrelevanceThreshold: ", e->metric.name, e->rankingK);
    put_double(f, e->relevanceThreshold);
    fprintf(f, "\nstatistics: {test: %s, level: ", als_stat_test_name(e->statTest));
    put_double(f, e->statLevel);
    fprintf(f, ", bootstrap: %d}\nselect: %s\n", e->bootstrapB, als_select_rule_name(e->select));
    if (e->replicates > 1)
        fprintf(f, "replicates: %d\n", e->replicates);
}
