/* als_report — results-folder readers (CSV, flat YAML) and the Markdown/HTML report with
 * gnuplot SVG figures.  See als_report.h for the contracts and docs/report.md for the user's view.
 *
 * The report is built in memory (two growing strings, one per format) and written with
 * temp + rename at the end, so a failure leaves the previous report in place.  Figures: gnuplot
 * reads a script (kept beside the SVG as plots/NAME.gp so a researcher can restyle a figure) and
 * writes the SVG on stdout, which goes straight into the temporary file of the SVG. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_report.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "als_util.h"

extern char **environ;

/* =============================================================================================
 * CSV
 * ============================================================================================= */

bool als_report_parse_double(const char *s, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return false;
    if (errno == ERANGE && isinf(v))
        return false; /* overflow ("1e400"); underflow to a subnormal or 0 is kept, as strtod gives it */
    *out = v;
    return true;
}

void als_csv_free(als_csv *t)
{
    free(t->names);
    free(t->cells);
    free(t->lines);
    free(t->buf);
    char path[sizeof t->path];
    memcpy(path, t->path, sizeof path);
    memset(t, 0, sizeof *t);
    memcpy(t->path, path, sizeof path);
}

/* Split line (NUL-terminated, no newline) at ',' into out[0..max); returns the field count
 * (may exceed max: then only max are stored). */
static size_t split_fields(char *line, char **out, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *c = strchr(p, ',');
        if (n < max)
            out[n] = p;
        n++;
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static void chomp_cr(char *s)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '\r')
        s[n - 1] = '\0';
}

als_status als_csv_read(als_csv *t, const char *path, als_diag *d)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    size_t len;
    als_diag tmp;
    if (als_read_file(path, &t->buf, &len, &tmp) != ALS_OK)
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "%s", tmp.msg);
    if (memchr(t->buf, '\0', len))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "binary file (NUL byte), expected CSV text");
    /* count lines for the arrays */
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += t->buf[i] == '\n';
    char *p = t->buf;
    long lineno = 0;
    char *header = NULL;
    /* header: the first non-blank line */
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        chomp_cr(p);
        char *line = p;
        p = nl ? nl + 1 : p + strlen(p);
        if (*line) {
            header = line;
            break;
        }
    }
    if (!header)
        return als_diag_set(d, ALS_E_INPUT, path, 1, 0, "empty file, expected a CSV header row");
    size_t nc = 1;
    for (const char *q = header; *q; q++)
        nc += *q == ',';
    t->ncols = nc;
    t->names = calloc(nc, sizeof *t->names);
    t->cells = calloc(nlines * nc, sizeof *t->cells);
    t->lines = calloc(nlines, sizeof *t->lines);
    if (!t->names || !t->cells || !t->lines) {
        als_csv_free(t);
        return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
    }
    split_fields(header, t->names, nc);
    for (size_t c = 0; c < nc; c++) {
        if (!t->names[c][0]) {
            als_csv_free(t);
            return als_diag_set(d, ALS_E_INPUT, path, lineno, 0, "empty column name %zu in the header", c + 1);
        }
    }
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        chomp_cr(p);
        char *line = p;
        p = nl ? nl + 1 : p + strlen(p);
        if (!*line)
            continue;
        size_t got = split_fields(line, t->cells + t->nrows * nc, nc);
        if (got != nc) {
            als_csv_free(t);
            return als_diag_set(d, ALS_E_INPUT, path, lineno, 0,
                                "expected %zu comma-separated fields (as in the header), found %zu", nc, got);
        }
        t->lines[t->nrows++] = lineno;
    }
    return ALS_OK;
}

int als_csv_col(const als_csv *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->names[c], name) == 0)
            return (int)c;
    return -1;
}

als_status als_csv_need(const als_csv *t, const char *name, int *col, als_diag *d)
{
    *col = als_csv_col(t, name);
    if (*col >= 0)
        return ALS_OK;
    return als_diag_set(d, ALS_E_INPUT, t->path, 1, 0, "missing column '%s' in the header (found %zu columns: %s%s)",
                        name, t->ncols, t->ncols ? t->names[0] : "", t->ncols > 1 ? ", ..." : "");
}

static long field_col(const als_csv *t, size_t row, int col)
{
    /* 1-based character column of field col in its line */
    long c = 1;
    for (int k = 0; k < col; k++)
        c += (long)strlen(t->cells[row * t->ncols + (size_t)k]) + 1;
    return c;
}

als_status als_csv_double(const als_csv *t, size_t row, int col, double *out, als_diag *d)
{
    if (col < 0) {
        *out = NAN;
        return ALS_OK;
    }
    const char *s = als_csv_at(t, row, col);
    if (als_report_parse_double(s, out))
        return ALS_OK;
    return als_diag_set(d, ALS_E_INPUT, t->path, t->lines[row], field_col(t, row, col),
                        "expected a number in column '%s', found '%.60s'", t->names[col], s);
}

als_status als_csv_bool(const als_csv *t, size_t row, int col, bool *out, als_diag *d)
{
    *out = false;
    if (col < 0)
        return ALS_OK;
    const char *s = als_csv_at(t, row, col);
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = true;
        return ALS_OK;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        return ALS_OK;
    return als_diag_set(d, ALS_E_INPUT, t->path, t->lines[row], field_col(t, row, col),
                        "expected true or false in column '%s', found '%.60s'", t->names[col], s);
}

/* =============================================================================================
 * flat YAML
 * ============================================================================================= */

void als_yflat_init(als_yflat *y) { memset(y, 0, sizeof *y); }

void als_yflat_free(als_yflat *y)
{
    for (size_t i = 0; i < y->n; i++) {
        free(y->e[i].key);
        free(y->e[i].value);
    }
    free(y->e);
    memset(y, 0, sizeof *y);
}

const als_yentry *als_yflat_find(const als_yflat *y, const char *key)
{
    for (size_t i = 0; i < y->n; i++)
        if (strcmp(y->e[i].key, key) == 0)
            return &y->e[i];
    return NULL;
}

const char *als_yflat_get(const als_yflat *y, const char *key)
{
    const als_yentry *e = als_yflat_find(y, key);
    if (!e || !e->value[0] || strcmp(e->value, "null") == 0 || strcmp(e->value, "~") == 0)
        return NULL;
    return e->value;
}

als_status als_yflat_double(const als_yflat *y, const char *key, double *out, als_diag *d)
{
    const als_yentry *e = als_yflat_find(y, key);
    if (!e || !e->value[0])
        return als_diag_set(d, ALS_E_INPUT, y->path, e ? e->line : 0, 0, "missing value for '%s'", key);
    if (als_report_parse_double(e->value, out))
        return ALS_OK;
    return als_diag_set(d, ALS_E_INPUT, y->path, e->line, e->col, "expected a number for '%s', found '%.60s'", key,
                        e->value);
}

typedef struct {
    als_yflat *y;
    long line;
    als_diag *d;
} yctx;

static als_status y_add(yctx *c, const char *key, const char *value, long col, bool list, bool item)
{
    als_yflat *y = c->y;
    if (y->n == y->cap) {
        size_t ncap = y->cap ? 2 * y->cap : 32;
        als_yentry *ne = realloc(y->e, ncap * sizeof *ne);
        if (!ne)
            return als_diag_set(c->d, ALS_E_NOMEM, y->path, c->line, 0, "out of memory");
        y->e = ne;
        y->cap = ncap;
    }
    als_yentry *e = &y->e[y->n];
    e->key = strdup(key);
    e->value = strdup(value);
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return als_diag_set(c->d, ALS_E_NOMEM, y->path, c->line, 0, "out of memory");
    }
    e->line = c->line;
    e->col = col;
    e->list = list;
    e->item = item;
    y->n++;
    return ALS_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Remove a trailing comment ('#' at the start or after a blank, outside quotes). */
static void strip_comment(char *s)
{
    char q = 0;
    for (char *p = s; *p; p++) {
        if (q) {
            if (*p == q)
                q = 0;
            else if (q == '"' && *p == '\\' && p[1])
                p++;
        } else if (*p == '\'' || *p == '"') {
            q = *p;
        } else if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

/* Unquote a scalar in place ('...' with '' for ', "..." with \-escapes); plain scalars as is. */
static als_status y_unquote(yctx *c, char *s, long col, char **out)
{
    if (*s == '\'' || *s == '"') {
        char q = *s;
        char *w = s, *r = s + 1;
        for (;;) {
            if (!*r)
                return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "unterminated quoted string");
            if (*r == q) {
                if (q == '\'' && r[1] == '\'') {
                    *w++ = '\'';
                    r += 2;
                    continue;
                }
                r++;
                break;
            }
            if (q == '"' && *r == '\\' && r[1]) {
                r++;
                *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
                r++;
                continue;
            }
            *w++ = *r++;
        }
        if (*trim(r))
            return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col + (long)(r - s),
                                "unexpected text after a quoted string: '%.40s'", r);
        *w = '\0';
        *out = s;
        return ALS_OK;
    }
    if (*s == '&' || *s == '*' || *s == '!' || *s == '|' || *s == '>')
        return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col,
                            "unsupported YAML ('%c': anchors, tags and block scalars are not used in alstune files)",
                            *s);
    *out = s;
    return ALS_OK;
}

/* Split s at top-level commas (outside quotes and brackets) into items; returns the count or
 * -1 when there are too many. */
static int split_flow(char *s, char **items, int max)
{
    int n = 0, depth = 0;
    char q = 0;
    char *start = s;
    for (char *p = s;; p++) {
        if (q) {
            if (*p == q)
                q = 0;
            if (*p)
                continue;
        }
        if (*p == '\'' || *p == '"')
            q = *p;
        else if (*p == '[' || *p == '{')
            depth++;
        else if (*p == ']' || *p == '}')
            depth--;
        else if ((*p == ',' && depth == 0) || !*p) {
            bool end = !*p;
            *p = '\0';
            if (n == max)
                return -1;
            items[n++] = start;
            if (end)
                break;
            start = p + 1;
        }
    }
    return n;
}

/* "[a, b]" → list entry key = "a, b". */
static als_status y_flow_list(yctx *c, const char *key, char *s, long col)
{
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != ']')
        return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "expected a flow list '[...]', found '%.40s'", s);
    s[n - 1] = '\0';
    char *inner = trim(s + 1);
    char joined[4096];
    joined[0] = '\0';
    size_t jl = 0;
    if (*inner) {
        char *items[256];
        int k = split_flow(inner, items, 256);
        if (k < 0)
            return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "flow list longer than 256 items");
        for (int i = 0; i < k; i++) {
            char *it = trim(items[i]), *v;
            if (!*it || *it == '[' || *it == '{')
                return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col,
                                    "expected scalar list items, found '%.40s'", it);
            als_status st = y_unquote(c, it, col, &v);
            if (st)
                return st;
            int w = snprintf(joined + jl, sizeof joined - jl, "%s%s", i ? ", " : "", v);
            if (w < 0 || (size_t)w >= sizeof joined - jl)
                return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "flow list too long");
            jl += (size_t)w;
        }
    }
    return y_add(c, key, joined, col, true, false);
}

static als_status y_value(yctx *c, const char *key, char *v, long col);

/* "{a: 1, b: [x]}" → entries key.a, key.b. */
static als_status y_flow_map(yctx *c, const char *key, char *s, long col)
{
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != '}')
        return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "expected a flow mapping '{...}', found '%.40s'",
                            s);
    s[n - 1] = '\0';
    char *inner = trim(s + 1);
    if (!*inner)
        return ALS_OK;
    char *items[256];
    int k = split_flow(inner, items, 256);
    if (k < 0)
        return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "flow mapping longer than 256 items");
    for (int i = 0; i < k; i++) {
        char *it = trim(items[i]);
        char *colon = strstr(it, ": ");
        if (!colon && (n = strlen(it)) && it[n - 1] == ':')
            colon = it + n - 1;
        if (!colon || colon == it)
            return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col + (long)(it - s),
                                "expected 'key: value' in a flow mapping, found '%.40s'", it);
        *colon = '\0';
        char sub[1024];
        snprintf(sub, sizeof sub, "%s%s%s", key, *key ? "." : "", trim(it));
        als_status st = y_value(c, sub, trim(colon + 1), col + (long)(colon + 1 - s));
        if (st)
            return st;
    }
    return ALS_OK;
}

static als_status y_value(yctx *c, const char *key, char *v, long col)
{
    if (*v == '{')
        return y_flow_map(c, key, v, col);
    if (*v == '[')
        return y_flow_list(c, key, v, col);
    char *u;
    als_status st = y_unquote(c, v, col, &u);
    if (st)
        return st;
    return y_add(c, key, u, col, false, false);
}

typedef struct {
    int indent;
    bool is_item;
    int nitems;
    char path[1024];
} yframe;

#define Y_DEPTH 32

/* Find the ':' ending a block key ("key: v" or "key:"); NULL when the line is not a key. */
static char *key_colon(char *s)
{
    if (*s == '\'' || *s == '"' || *s == '{' || *s == '[')
        return NULL;
    for (char *p = s; *p; p++)
        if (*p == ':' && (p[1] == ' ' || p[1] == '\t' || p[1] == '\0'))
            return p;
    return NULL;
}

/* Append item text to the joined list value of key (creating the entry). */
static als_status y_list_append(yctx *c, const char *key, const char *item, long col)
{
    for (size_t i = 0; i < c->y->n; i++) {
        als_yentry *e = &c->y->e[i];
        if (e->list && strcmp(e->key, key) == 0) {
            size_t n = strlen(e->value) + strlen(item) + 3;
            char *nv = malloc(n);
            if (!nv)
                return als_diag_set(c->d, ALS_E_NOMEM, c->y->path, c->line, 0, "out of memory");
            snprintf(nv, n, "%s%s%s", e->value, e->value[0] ? ", " : "", item);
            free(e->value);
            e->value = nv;
            return ALS_OK;
        }
    }
    return y_add(c, key, item, col, true, false);
}

als_status als_yflat_parse(als_yflat *y, const char *path, const char *text, als_diag *d)
{
    als_yflat_free(y);
    snprintf(y->path, sizeof y->path, "%s", path);
    char *buf = strdup(text);
    if (!buf)
        return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
    yframe st[Y_DEPTH];
    int top = -1;
    yctx c = {y, 0, d};
    als_status rc = ALS_OK;
    char *p = buf;
    while (*p && !rc) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        c.line++;
        char *line = p;
        p = nl ? nl + 1 : p + strlen(p);
        chomp_cr(line);
        int indent = 0;
        while (line[indent] == ' ')
            indent++;
        if (line[indent] == '\t') {
            rc = als_diag_set(d, ALS_E_INPUT, path, c.line, indent + 1, "tab in indentation (YAML allows spaces only)");
            break;
        }
        strip_comment(line);
        char *s = trim(line);
        if (!*s || strcmp(s, "---") == 0)
            continue;
        long col = (long)(s - line) + 1;
        char itempath[1100];
        bool dash = s[0] == '-' && (s[1] == ' ' || s[1] == '\0');
        if (dash) {
            while (top >= 0 && (st[top].indent > indent || (st[top].indent == indent && st[top].is_item)))
                top--;
            if (top < 0 || st[top].is_item) {
                rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "list item without a 'key:' above it");
                break;
            }
            int idx = st[top].nitems++;
            snprintf(itempath, sizeof itempath, "%s[%d]", st[top].path, idx);
            char *rest = trim(s + 1);
            long rcol = col + (long)(rest - s);
            if (!*rest) {
                rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "empty list item (nested blocks are not supported)");
                break;
            }
            if (*rest == '{') {
                rc = y_flow_map(&c, itempath, rest, rcol);
                continue;
            }
            char *kc = key_colon(rest);
            if (!kc) {
                char *u;
                if ((rc = y_unquote(&c, rest, rcol, &u)))
                    break;
                if (!(rc = y_add(&c, itempath, u, rcol, false, true)))
                    rc = y_list_append(&c, st[top].path, u, rcol);
                continue;
            }
            /* "- key: value": an item mapping whose keys sit at indent + 2 */
            if (top + 1 >= Y_DEPTH) {
                rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "nesting deeper than %d levels", Y_DEPTH);
                break;
            }
            top++;
            st[top].indent = indent;
            st[top].is_item = true;
            st[top].nitems = 0;
            if (snprintf(st[top].path, sizeof st[top].path, "%s", itempath) >= (int)sizeof st[top].path) {
                rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "key path too long");
                break;
            }
            indent = (int)(rest - line);
            s = rest;
            col = rcol;
        } else {
            while (top >= 0 && st[top].indent >= indent)
                top--;
        }
        char *kc = key_colon(s);
        if (!kc) {
            rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "expected 'key: value', found '%.60s'", s);
            break;
        }
        *kc = '\0';
        char *key = trim(s);
        char full[1100];
        snprintf(full, sizeof full, "%s%s%s", top >= 0 ? st[top].path : "", top >= 0 ? "." : "", key);
        char *v = trim(kc + 1);
        if (!*v) {
            if (top + 1 >= Y_DEPTH) {
                rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "nesting deeper than %d levels", Y_DEPTH);
                break;
            }
            top++;
            st[top].indent = indent;
            st[top].is_item = false;
            st[top].nitems = 0;
            if (snprintf(st[top].path, sizeof st[top].path, "%s", full) >= (int)sizeof st[top].path) {
                rc = als_diag_set(d, ALS_E_INPUT, path, c.line, col, "key path too long");
                break;
            }
            continue;
        }
        rc = y_value(&c, full, v, col + (long)(v - s));
    }
    free(buf);
    return rc;
}

als_status als_yflat_read(als_yflat *y, const char *path, als_diag *d)
{
    char *buf;
    size_t len;
    als_diag tmp;
    als_yflat_init(y);
    snprintf(y->path, sizeof y->path, "%s", path);
    if (als_read_file(path, &buf, &len, &tmp) != ALS_OK)
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "%s", tmp.msg);
    if (memchr(buf, '\0', len)) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "binary file (NUL byte), expected YAML text");
    }
    als_status st = als_yflat_parse(y, path, buf, d);
    free(buf);
    return st;
}

/* =============================================================================================
 * results folder
 * ============================================================================================= */

bool als_metric_name_lower_is_better(const char *name)
{
    static const char *const lower[] = {"rmse", "mse", "mae", "mpr"};
    size_t n = strcspn(name, "@");
    for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
        if (strlen(lower[i]) == n && strncasecmp(name, lower[i], n) == 0)
            return true;
    return false;
}

void als_results_free(als_results *r)
{
    free(r->cells);
    free(r->iters);
    free(r->folds);
    als_yflat_free(&r->experiment);
    als_yflat_free(&r->best);
    als_yflat_free(&r->provenance);
    r->cells = NULL;
    r->iters = NULL;
    r->folds = NULL;
    r->ncells = r->niters = r->nfold_rows = 0;
}

static bool same_params(const als_rcell *a, const als_rcell *b)
{
    return a->rank == b->rank && a->regParam == b->regParam && a->maxIter == b->maxIter &&
           (a->alpha == b->alpha || (isnan(a->alpha) && isnan(b->alpha))) && a->implicitPrefs == b->implicitPrefs &&
           a->nonnegative == b->nonnegative && a->bias == b->bias;
}

long als_results_find_cell(const als_results *r, const als_rcell *c)
{
    for (size_t i = 0; i < r->ncells; i++)
        if (same_params(&r->cells[i], c))
            return (long)i;
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_position(const void *a, const void *b)
{
    const als_rcell *x = a, *y = b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return 0;
}

static als_status need_long(const als_csv *t, size_t row, int col, long *out, als_diag *d)
{
    double v;
    als_status st = als_csv_double(t, row, col, &v, d);
    if (st)
        return st;
    if (!(v == floor(v)) || fabs(v) > 1e15)
        return als_diag_set(d, ALS_E_INPUT, t->path, t->lines[row], field_col(t, row, col),
                            "expected an integer in column '%s', found '%s'", t->names[col], als_csv_at(t, row, col));
    *out = (long)v;
    return ALS_OK;
}

static als_status load_summary(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_cell, c_rank, c_reg, c_mi, c_metric, c_mean, c_std;
    if ((st = als_csv_need(&t, "cell", &c_cell, d)) || (st = als_csv_need(&t, "rank", &c_rank, d)) ||
        (st = als_csv_need(&t, "regParam", &c_reg, d)) || (st = als_csv_need(&t, "maxIter", &c_mi, d)) ||
        (st = als_csv_need(&t, "metric", &c_metric, d)) || (st = als_csv_need(&t, "mean", &c_mean, d)) ||
        (st = als_csv_need(&t, "std", &c_std, d)))
        goto fail;
    int c_pos = als_csv_col(&t, "position"), c_alpha = als_csv_col(&t, "alpha"),
        c_imp = als_csv_col(&t, "implicitPrefs"), c_nn = als_csv_col(&t, "nonnegative"), c_bias = als_csv_col(&t, "bias"),
        c_min = als_csv_col(&t, "min"), c_max = als_csv_col(&t, "max"), c_nf = als_csv_col(&t, "n_folds"),
        c_mr = als_csv_col(&t, "mean_rmse"), c_mm = als_csv_col(&t, "mean_mae");
    if (t.nrows == 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, 2, 0, "no rows after the header, expected one row per grid cell");
        goto fail;
    }
    r->cells = calloc(t.nrows, sizeof *r->cells);
    if (!r->cells) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rcell *c = &r->cells[i];
        const char *m = als_csv_at(&t, i, c_metric);
        if (i == 0) {
            /* a name token: it is copied unquoted into baselines and reports */
            if (!*m || strlen(m) >= sizeof r->metric ||
                strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@_.-") != strlen(m)) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], field_col(&t, i, c_metric),
                                  "expected a metric name in column 'metric', found '%.60s'", m);
                goto fail;
            }
            snprintf(r->metric, sizeof r->metric, "%s", m);
        } else if (strcmp(m, r->metric) != 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], field_col(&t, i, c_metric),
                              "expected the same metric on every row ('%s'), found '%.60s'", r->metric, m);
            goto fail;
        }
        double nf = NAN;
        c->position = (long)i + 1;
        if ((c_pos >= 0 && (st = need_long(&t, i, c_pos, &c->position, d))) ||
            (st = need_long(&t, i, c_cell, &c->cell, d)) || (st = als_csv_double(&t, i, c_rank, &c->rank, d)) ||
            (st = als_csv_double(&t, i, c_reg, &c->regParam, d)) || (st = als_csv_double(&t, i, c_mi, &c->maxIter, d)) ||
            (st = als_csv_double(&t, i, c_alpha, &c->alpha, d)) || (st = als_csv_bool(&t, i, c_imp, &c->implicitPrefs, d)) ||
            (st = als_csv_bool(&t, i, c_nn, &c->nonnegative, d)) || (st = als_csv_bool(&t, i, c_bias, &c->bias, d)) ||
            (st = als_csv_double(&t, i, c_mean, &c->mean, d)) || (st = als_csv_double(&t, i, c_std, &c->std, d)) ||
            (st = als_csv_double(&t, i, c_min, &c->min, d)) || (st = als_csv_double(&t, i, c_max, &c->max, d)) ||
            (st = als_csv_double(&t, i, c_nf, &nf, d)) || (st = als_csv_double(&t, i, c_mr, &c->mean_rmse, d)) ||
            (st = als_csv_double(&t, i, c_mm, &c->mean_mae, d)))
            goto fail;
        if (c->cell < 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], field_col(&t, i, c_cell),
                              "expected a cell number ≥ 0, found %ld", c->cell);
            goto fail;
        }
        if (!(c->rank >= 1) || !(c->maxIter >= 1)) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], 0, "expected rank ≥ 1 and maxIter ≥ 1, found %g and %g",
                              c->rank, c->maxIter);
            goto fail;
        }
        if (isfinite(nf) && !(nf >= 0 && nf <= 1e15 && nf == floor(nf))) { /* (long)nf would be UB */
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], field_col(&t, i, c_nf),
                              "expected a fold count (an integer ≥ 0) in column 'n_folds', found '%s'",
                              als_csv_at(&t, i, c_nf));
            goto fail;
        }
        c->n_folds = isfinite(nf) ? (long)nf : 0;
        bool seen = false;
        for (size_t k = 0; k < r->n_maxIter; k++)
            seen |= r->maxIters[k] == c->maxIter;
        if (!seen) {
            if (r->n_maxIter == sizeof r->maxIters / sizeof r->maxIters[0]) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], 0, "more than %zu distinct maxIter values",
                                  sizeof r->maxIters / sizeof r->maxIters[0]);
                goto fail;
            }
            r->maxIters[r->n_maxIter++] = c->maxIter;
        }
        for (size_t k = 0; k < i; k++) {
            if (r->cells[k].cell == c->cell) {
                st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], field_col(&t, i, c_cell),
                                  "cell %ld appears twice (first on line %ld)", c->cell, t.lines[k]);
                goto fail;
            }
        }
        r->ncells++;
    }
    qsort(r->maxIters, r->n_maxIter, sizeof r->maxIters[0], cmp_double);
    for (size_t i = 0; i < r->ncells; i++)
        r->cells[i].cell0 = r->cells[i].cell - r->cells[i].cell % (long)r->n_maxIter;
    /* stable sort by position: insertion order among equal positions (qsort is not stable, but
     * positions are unique in a well-formed file; check that) */
    qsort(r->cells, r->ncells, sizeof *r->cells, cmp_position);
    for (size_t i = 1; i < r->ncells; i++) {
        if (r->cells[i].position == r->cells[i - 1].position) {
            st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "position %ld appears twice", r->cells[i].position);
            goto fail;
        }
    }
    snprintf(r->metric, sizeof r->metric, "%s", als_csv_at(&t, 0, c_metric));
    r->higher_is_better = !als_metric_name_lower_is_better(r->metric);
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

static als_status load_iterations(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_c0, c_fold, c_it, c_tr, c_va;
    if ((st = als_csv_need(&t, "cell0", &c_c0, d)) || (st = als_csv_need(&t, "fold", &c_fold, d)) ||
        (st = als_csv_need(&t, "iteration", &c_it, d)) || (st = als_csv_need(&t, "train_rmse", &c_tr, d)) ||
        (st = als_csv_need(&t, "valid_rmse", &c_va, d)))
        goto fail;
    int c_val = als_csv_col(&t, "value");
    r->iters = calloc(t.nrows ? t.nrows : 1, sizeof *r->iters);
    if (!r->iters) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_riter *it = &r->iters[i];
        if ((st = need_long(&t, i, c_c0, &it->cell0, d)) || (st = need_long(&t, i, c_fold, &it->fold, d)) ||
            (st = need_long(&t, i, c_it, &it->iteration, d)) || (st = als_csv_double(&t, i, c_tr, &it->train_rmse, d)) ||
            (st = als_csv_double(&t, i, c_va, &it->valid_rmse, d)) || (st = als_csv_double(&t, i, c_val, &it->value, d)))
            goto fail;
        if (it->iteration < 1) {
            st = als_diag_set(d, ALS_E_INPUT, path, t.lines[i], field_col(&t, i, c_it),
                              "expected an iteration ≥ 1, found %ld", it->iteration);
            goto fail;
        }
        r->niters++;
    }
    r->has_iterations = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

static als_status load_folds(als_results *r, const char *path, als_diag *d)
{
    als_csv t;
    als_status st = als_csv_read(&t, path, d);
    if (st)
        goto fail;
    int c_cell, c_fold, c_val;
    if ((st = als_csv_need(&t, "cell", &c_cell, d)) || (st = als_csv_need(&t, "fold", &c_fold, d)) ||
        (st = als_csv_need(&t, "value", &c_val, d)))
        goto fail;
    int c_nt = als_csv_col(&t, "n_train"), c_nv = als_csv_col(&t, "n_valid"), c_nd = als_csv_col(&t, "n_dropped");
    r->folds = calloc(t.nrows ? t.nrows : 1, sizeof *r->folds);
    if (!r->folds) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        als_rfold *f = &r->folds[i];
        if ((st = need_long(&t, i, c_cell, &f->cell, d)) || (st = need_long(&t, i, c_fold, &f->fold, d)) ||
            (st = als_csv_double(&t, i, c_val, &f->value, d)) || (st = als_csv_double(&t, i, c_nt, &f->n_train, d)) ||
            (st = als_csv_double(&t, i, c_nv, &f->n_valid, d)) || (st = als_csv_double(&t, i, c_nd, &f->n_dropped, d)))
            goto fail;
        r->nfold_rows++;
    }
    r->has_folds = true;
    als_csv_free(&t);
    return ALS_OK;
fail:
    als_csv_free(&t);
    return st;
}

als_status als_results_load(als_results *r, const char *dir, als_diag *d)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return als_diag_set(d, ALS_E_INPUT, dir, 0, 0, "no such results folder (%s); run 'alstune tune' first",
                            strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return als_diag_set(d, ALS_E_INPUT, dir, 0, 0, "not a folder, expected a results folder of 'alstune tune'");
    char path[4200];
    als_path_join(path, sizeof path, dir, "summary.csv");
    if (!als_file_exists(path))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                            "missing: expected the results folder of 'alstune tune' (docs/outputs.md)");
    als_status st = load_summary(r, path, d);
    if (st)
        goto fail;
    als_path_join(path, sizeof path, dir, "iterations.csv");
    if (als_file_exists(path) && (st = load_iterations(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "folds.csv");
    if (als_file_exists(path) && (st = load_folds(r, path, d)))
        goto fail;
    als_path_join(path, sizeof path, dir, "experiment.yaml");
    if (als_file_exists(path)) {
        if ((st = als_yflat_read(&r->experiment, path, d)))
            goto fail;
        r->has_experiment = true;
    }
    als_path_join(path, sizeof path, dir, "best.yaml");
    if (als_file_exists(path)) {
        if ((st = als_yflat_read(&r->best, path, d)))
            goto fail;
        r->has_best = true;
    }
    als_path_join(path, sizeof path, dir, "provenance.yaml");
    if (als_file_exists(path)) {
        if ((st = als_yflat_read(&r->provenance, path, d)))
            goto fail;
        r->has_provenance = true;
    }
    const char *name = r->has_experiment ? als_yflat_get(&r->experiment, "name") : NULL;
    if (name) {
        snprintf(r->name, sizeof r->name, "%s", name);
    } else {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", dir);
        size_t n = strlen(tmp);
        while (n > 1 && tmp[n - 1] == '/')
            tmp[--n] = '\0';
        const char *b = strrchr(tmp, '/');
        snprintf(r->name, sizeof r->name, "%s", b ? b + 1 : tmp);
    }
    return ALS_OK;
fail:
    als_results_free(r);
    return st;
}

/* =============================================================================================
 * growing strings
 * ============================================================================================= */

typedef struct {
    char *s;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int need = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (need < 0) {
        b->oom = true;
        return;
    }
    if (b->n + (size_t)need + 1 > b->cap) {
        size_t ncap = (b->cap ? 2 * b->cap : 8192) + (size_t)need;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    b->n += (size_t)need;
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

static void sb_puts(sbuf *b, const char *s) { sb_printf(b, "%s", s); }

static void sb_putn(sbuf *b, const char *s, size_t n) { sb_printf(b, "%.*s", (int)n, s); }

/* HTML text (for element content and double-quoted attributes). */
static void sb_html(sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '&': sb_puts(b, "&amp;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        default: sb_putn(b, s, 1);
        }
    }
}

/* Markdown table cell text: escape the characters that would break a table or start markup. */
static void sb_md(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[' || *s == ']' || *s == '\\')
            sb_putn(b, "\\", 1);
        if (*s == '\n')
            sb_puts(b, " ");
        else
            sb_putn(b, s, 1);
    }
}

/* A gnuplot single-quoted string for enhanced text: specials escaped, ' doubled. */
static void sb_gp(sbuf *b, const char *s)
{
    sb_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            sb_puts(b, "''");
        else if (strchr("^_@&~{}\\", *s)) {
            sb_putn(b, "\\", 1);
            sb_putn(b, s, 1);
        } else
            sb_putn(b, s, 1);
    }
    sb_puts(b, "'");
}

/* =============================================================================================
 * formatting helpers
 * ============================================================================================= */

typedef char num_t[48];

static const char *fmt_metric(num_t out, double v)
{
    if (isnan(v))
        snprintf(out, sizeof(num_t), "nan");
    else
        snprintf(out, sizeof(num_t), "%.4f", v);
    return out;
}

static const char *fmt_param(num_t out, double v)
{
    snprintf(out, sizeof(num_t), "%g", v);
    return out;
}

/* Integers with thousands separators ("100,000"); anything else verbatim. */
static const char *fmt_count_str(num_t out, const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno) {
        snprintf(out, sizeof(num_t), "%s", s);
        return out;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", v < 0 ? -v : v);
    size_t n = strlen(digits), w = 0;
    if (v < 0)
        out[w++] = '-';
    for (size_t i = 0; i < n && w + 2 < sizeof(num_t); i++) {
        if (i && (n - i) % 3 == 0)
            out[w++] = ',';
        out[w++] = digits[i];
    }
    out[w] = '\0';
    return out;
}

static const char *fmt_count(num_t out, double v)
{
    if (!isfinite(v)) {
        snprintf(out, sizeof(num_t), "–");
        return out;
    }
    char s[48];
    snprintf(s, sizeof s, "%.0f", v);
    return fmt_count_str(out, s);
}

/* Display name of a metric: "RMSE", "NDCG@10", "R²"... */
static void metric_label(char *out, size_t n, const char *m)
{
    static const struct { const char *in, *out; } map[] = {
        {"rmse", "RMSE"}, {"mse", "MSE"}, {"mae", "MAE"}, {"r2", "R²"}, {"var", "explained variance"},
        {"mpr", "MPR"}, {"auc", "AUC"}, {"map", "MAP"}, {"ndcg", "NDCG"}, {"precision", "precision"},
        {"recall", "recall"}};
    size_t base = strcspn(m, "@");
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strlen(map[i].in) == base && strncasecmp(m, map[i].in, base) == 0) {
            snprintf(out, n, "%s%s", map[i].out, m + base);
            return;
        }
    }
    snprintf(out, n, "%s", m);
}

static const char *const COLORS[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                     "#E69F00", "#56B4E9", "#000000", "#999999"};
#define NCOLORS (sizeof COLORS / sizeof COLORS[0])

/* =============================================================================================
 * grid structure: distinct axis values, varying axes
 * ============================================================================================= */

#define AXMAX 256
typedef struct {
    double v[AXMAX];
    size_t n;
} axis_t;

static void axis_add(axis_t *a, double v)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] == v || (isnan(a->v[i]) && isnan(v)))
            return;
    if (a->n < AXMAX)
        a->v[a->n++] = v;
}

static long axis_index(const axis_t *a, double v)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] == v)
            return (long)i;
    return -1;
}

typedef struct {
    axis_t rank, reg, mi, alpha;
    bool vary_alpha, vary_imp, vary_nn, vary_bias;
} grid_t;

static void grid_build(const als_results *r, grid_t *g)
{
    memset(g, 0, sizeof *g);
    bool imp[2] = {0}, nn[2] = {0}, bias[2] = {0};
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        axis_add(&g->rank, c->rank);
        axis_add(&g->reg, c->regParam);
        axis_add(&g->mi, c->maxIter);
        axis_add(&g->alpha, c->alpha);
        imp[c->implicitPrefs] = true;
        nn[c->nonnegative] = true;
        bias[c->bias] = true;
    }
    qsort(g->rank.v, g->rank.n, sizeof(double), cmp_double);
    qsort(g->reg.v, g->reg.n, sizeof(double), cmp_double);
    qsort(g->mi.v, g->mi.n, sizeof(double), cmp_double);
    qsort(g->alpha.v, g->alpha.n, sizeof(double), cmp_double);
    g->vary_alpha = g->alpha.n > 1;
    g->vary_imp = imp[0] && imp[1];
    g->vary_nn = nn[0] && nn[1];
    g->vary_bias = bias[0] && bias[1];
}

static bool better(const als_results *r, double a, double b)
{
    if (isnan(b))
        return !isnan(a);
    if (isnan(a))
        return false;
    return r->higher_is_better ? a > b : a < b;
}

/* Best cell (index into r->cells) with this rank/regParam/maxIter over the other axes, or -1. */
static long best_at(const als_results *r, double rank, double reg, double mi)
{
    long best = -1;
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        if (c->rank == rank && c->regParam == reg && c->maxIter == mi &&
            (best < 0 || better(r, c->mean, r->cells[best].mean)))
            best = (long)i;
    }
    return best;
}

/* "rank 10, λ 0.1" plus the other axes that vary in the grid. */
static void config_label(const grid_t *g, const als_rcell *c, char *out, size_t n)
{
    int w = snprintf(out, n, "rank %g, λ %g", c->rank, c->regParam);
    if (w < 0 || (size_t)w >= n)
        return;
    size_t k = (size_t)w;
    if (g->vary_alpha)
        k += (size_t)snprintf(out + k, n - k, ", α %g", c->alpha);
    if (g->vary_imp && k < n)
        k += (size_t)snprintf(out + k, n - k, c->implicitPrefs ? ", implicit" : ", explicit");
    if (g->vary_nn && k < n)
        k += (size_t)snprintf(out + k, n - k, c->nonnegative ? ", nonneg" : "");
    if (g->vary_bias && k < n)
        snprintf(out + k, n - k, c->bias ? ", bias" : "");
}

static const char *varying_axes_text(const grid_t *g, char *out, size_t n)
{
    out[0] = '\0';
    size_t k = 0;
    const char *names[4] = {"alpha", "implicitPrefs", "nonnegative", "bias"};
    bool v[4] = {g->vary_alpha, g->vary_imp, g->vary_nn, g->vary_bias};
    for (int i = 0; i < 4; i++)
        if (v[i] && k < n)
            k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", names[i]);
    return out;
}

/* =============================================================================================
 * gnuplot
 * ============================================================================================= */

static bool find_program(const char *name, char *out, size_t n)
{
    if (strchr(name, '/')) {
        snprintf(out, n, "%s", name);
        struct stat sb;
        return stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        snprintf(out, n, "%.*s/%s", (int)len, len ? path : ".", name);
        struct stat sb;
        if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
            return true;
        path += len;
        if (*path == ':')
            path++;
    }
    return false;
}

/* Run `prog script` with stdout into svg_path (temp + rename); on failure err gets gnuplot's
 * first lines of stderr (or the reason) and false is returned. */
static bool run_gnuplot(const char *prog, const char *script, const char *svg_path, char *err, size_t nerr)
{
    als_afile a;
    als_diag d;
    err[0] = '\0';
    if (als_afile_open(&a, svg_path, &d) != ALS_OK) {
        snprintf(err, nerr, "%.400s", d.msg);
        return false;
    }
    char errpath[4400];
    if (snprintf(errpath, sizeof errpath, "%s.stderr.%ld", svg_path, (long)getpid()) >= (int)sizeof errpath) {
        snprintf(err, nerr, "path too long");
        als_afile_abort(&a);
        return false;
    }
    int efd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (efd < 0) {
        snprintf(err, nerr, "cannot create %.300s: %s", errpath, strerror(errno));
        als_afile_abort(&a);
        return false;
    }
    fflush(a.f);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fileno(a.f), 1);
    posix_spawn_file_actions_adddup2(&fa, efd, 2);
    char *argv[] = {(char *)prog, (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    bool ok = false;
    if (rc != 0) {
        snprintf(err, nerr, "cannot run %.300s: %s", prog, strerror(rc));
    } else {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            struct stat sb;
            ok = fstat(fileno(a.f), &sb) == 0 && sb.st_size > 0;
            if (!ok)
                snprintf(err, nerr, "gnuplot wrote no SVG");
        } else {
            char msg[400] = "";
            ssize_t got = pread(efd, msg, sizeof msg - 1, 0);
            msg[got > 0 ? got : 0] = '\0';
            for (char *q = msg; *q; q++)
                if (*q == '\n' || *q == '\r')
                    *q = ' ';
            if (WIFEXITED(status))
                snprintf(err, nerr, "gnuplot exited with status %d%s%s", WEXITSTATUS(status), *trim(msg) ? ": " : "",
                         trim(msg));
            else
                snprintf(err, nerr, "gnuplot was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        }
    }
    close(efd);
    unlink(errpath);
    if (!ok) {
        als_afile_abort(&a);
        return false;
    }
    if (als_afile_commit(&a, &d) != ALS_OK) {
        snprintf(err, nerr, "%.400s", d.msg);
        return false;
    }
    return true;
}

static void gp_header(sbuf *g, const char *name, int w, int h)
{
    sb_printf(g,
              "# plots/%s.gp — written by 'alstune report'; edit and redraw with:  gnuplot %s.gp > %s.svg\n"
              "set terminal svg size %d,%d dynamic enhanced font 'sans,12' background rgb 'white'\n"
              "set encoding utf8\n"
              "set border lw 1 lc rgb '#333333'\n"
              "set tics nomirror\n",
              name, name, name, w, h);
}

/* Screen coordinates of a panel's plot area inside a ncols × nrows multiplot of panel size pw×ph
 * (pixels) with extra_w pixels reserved on the right and top_h on top. */
static void gp_margins(sbuf *g, int W, int H, int col, int row, int pw, int ph, int top_h, int l, int r, int t, int b)
{
    double x0 = col * pw, y0 = top_h + row * ph;
    sb_printf(g, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", (x0 + l) / W, (x0 + pw - r) / W);
    sb_printf(g, "set tmargin at screen %.4f\nset bmargin at screen %.4f\n", 1.0 - (y0 + t) / H,
              1.0 - (y0 + ph - b) / H);
}

/* A panel title just above the plot area (gnuplot's own title sits at the top of the canvas
 * when the margins are fixed, where the SVG clips it). */
static void gp_title(sbuf *g, const char *text)
{
    sb_puts(g, "set label 100 ");
    sb_gp(g, text);
    sb_puts(g, " at graph 0.5, graph 1 center offset 0,0.9 font ',12'\n");
}

static void gp_xtics_categories(sbuf *g, const axis_t *a, const char *axis)
{
    sb_printf(g, "set %stics (", axis);
    for (size_t i = 0; i < a->n; i++) {
        num_t s;
        sb_printf(g, "%s'%s' %zu", i ? ", " : "", fmt_param(s, a->v[i]), i);
    }
    sb_puts(g, ")\n");
}

#define PW 330 /* panel width, px */
#define PH 300 /* panel height, px */
#define LEGEND_W 170

/* Heat map of the mean CV metric over rank × regParam, one panel per maxIter. */
static bool gp_heatmap(const als_results *r, const grid_t *G, sbuf *g, int *W_out, char *caption, size_t ncap)
{
    size_t np = G->mi.n, ncols = np < 3 ? np : 3, nrows = (np + ncols - 1) / ncols;
    int W = (int)ncols * PW + 150, H = (int)nrows * PH + 10;
    *W_out = W;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < r->ncells; i++) {
        double v = r->cells[i].mean;
        if (isfinite(v)) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    if (!isfinite(lo))
        return false;
    if (hi - lo < 1e-12 * fmax(1.0, fabs(hi))) {
        double pad = fmax(1e-6, fabs(hi) * 1e-4);
        lo -= pad;
        hi += pad;
    }
    char ml[64], vtxt[200];
    metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "heatmap", W, H);
    sb_puts(g, "set palette defined (0 '#440154', 0.125 '#472d7b', 0.25 '#3b528b', 0.375 '#2c728e', 0.5 '#21918c', "
               "0.625 '#28ae80', 0.75 '#5ec962', 0.875 '#addc30', 1 '#fde725')\n");
    if (!r->higher_is_better)
        sb_puts(g, "set palette negative   # better (lower) values are brighter\n");
    sb_printf(g, "set cbrange [%.17g:%.17g]\nset cbtics format '%%.3f' font ',10'\n", lo, hi);
    sb_puts(g, "set cblabel ");
    char cbl[160];
    snprintf(cbl, sizeof cbl, "mean CV %s (%s is better)", ml, r->higher_is_better ? "higher" : "lower");
    sb_gp(g, cbl);
    sb_puts(g, " offset 1,0\n");
    gp_xtics_categories(g, &G->reg, "x");
    gp_xtics_categories(g, &G->rank, "y");
    if (G->reg.n > 5)
        sb_puts(g, "set xtics rotate by 45 right\n");
    sb_printf(g, "set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n", G->reg.n - 1, G->rank.n - 1);
    sb_puts(g, "set xlabel 'regParam (λ)'\nset ylabel 'rank'\nset tics scale 0\nset border lw 0.5\n");
    const char *vfmt = G->reg.n <= 4 ? "%.4f" : "%.3f";
    int lfont = G->reg.n <= 5 ? 10 : 8;
    /* the best cell of the whole grid */
    const als_rcell *best = &r->cells[0];
    sb_puts(g, "set multiplot\n");
    for (size_t p = 0; p < np; p++) {
        sb_printf(g, "$H%zu << EOD\n", p);
        for (size_t ri = 0; ri < G->rank.n; ri++) {
            for (size_t gi = 0; gi < G->reg.n; gi++) {
                long b = best_at(r, G->rank.v[ri], G->reg.v[gi], G->mi.v[p]);
                if (b < 0 || !isfinite(r->cells[b].mean))
                    continue;
                double v = r->cells[b].mean, t = (v - lo) / (hi - lo);
                if (!r->higher_is_better)
                    t = 1 - t;
                int tc = t < 0.6 ? 0xffffff : 0x000000;
                snprintf(vtxt, sizeof vtxt, vfmt, v);
                sb_printf(g, "%zu %zu %.17g \"%s\" %d\n", gi, ri, v, vtxt, tc);
            }
        }
        sb_puts(g, "EOD\n");
    }
    for (size_t p = 0; p < np; p++) {
        size_t col = p % ncols, row = p / ncols;
        gp_margins(g, W, H, (int)col, (int)row, PW, PH, 0, 80, 15, 40, 55);
        char title[64];
        snprintf(title, sizeof title, "maxIter = %g", G->mi.v[p]);
        gp_title(g, title);
        sb_puts(g, "unset object\n");
        if (best->maxIter == G->mi.v[p]) {
            long bx = axis_index(&G->reg, best->regParam), by = axis_index(&G->rank, best->rank);
            if (bx >= 0 && by >= 0)
                sb_printf(g,
                          "set object 1 rect from %g,%g to %g,%g front fillstyle empty border lc rgb '#e4002b' "
                          "lw 3\n",
                          (double)bx - 0.47, (double)by - 0.47, (double)bx + 0.47, (double)by + 0.47);
        }
        if (p == np - 1) {
            double top = 1.0 - 40.0 / H, bot = 1.0 - ((double)(nrows - 1) * PH + PH - 55) / H;
            sb_printf(g, "set colorbox user origin screen %.4f,%.4f size screen %.4f,%.4f\n",
                      ((double)ncols * PW + 20) / W, bot, 18.0 / W, top - bot);
        } else {
            sb_puts(g, "unset colorbox\n");
        }
        sb_printf(g,
                  "plot $H%zu using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid 1.0 noborder "
                  "fillcolor palette notitle, \\\n     $H%zu using 1:2:4:5 with labels font ',%d' tc rgb variable notitle\n",
                  p, p, lfont);
    }
    sb_puts(g, "unset multiplot\n");
    char vary[128];
    varying_axes_text(G, vary, sizeof vary);
    snprintf(caption, ncap,
             "Mean cross-validated %s of every rank × regParam cell, one panel per maxIter%s%s%s. "
             "The red frame marks the best cell; brighter is better.",
             ml, vary[0] ? " (best over " : "", vary, vary[0] ? ")" : "");
    return true;
}

/* Mean ± std over folds against regParam, one line per rank, one panel per maxIter. */
static bool gp_spread(const als_results *r, const grid_t *G, sbuf *g, int *W_out, char *caption, size_t ncap)
{
    size_t np = G->mi.n, ncols = np < 3 ? np : 3, nrows = (np + ncols - 1) / ncols;
    int W = (int)ncols * PW + LEGEND_W, H = (int)nrows * PH + 10;
    *W_out = W;
    double lo = INFINITY, hi = -INFINITY;
    long nfolds = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const als_rcell *c = &r->cells[i];
        double s = isfinite(c->std) ? c->std : 0;
        if (isfinite(c->mean)) {
            lo = fmin(lo, c->mean - s);
            hi = fmax(hi, c->mean + s);
        }
        if (c->n_folds > nfolds)
            nfolds = c->n_folds;
    }
    if (!isfinite(lo))
        return false;
    double pad = (hi - lo) * 0.06;
    if (pad <= 0)
        pad = fmax(1e-6, fabs(hi) * 1e-3);
    char ml[64], yl[160];
    metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "spread", W, H);
    sb_printf(g, "set yrange [%.17g:%.17g]\nset ytics format '%%.3f'\n", lo - pad, hi + pad);
    gp_xtics_categories(g, &G->reg, "x");
    if (G->reg.n > 5)
        sb_puts(g, "set xtics rotate by 45 right\n");
    sb_printf(g, "set xrange [-0.4:%zu.4]\n", G->reg.n - 1);
    if (nfolds > 0)
        snprintf(yl, sizeof yl, "CV %s, mean ± std over %ld folds", ml, nfolds);
    else
        snprintf(yl, sizeof yl, "CV %s, mean ± std over folds", ml);
    sb_puts(g, "set xlabel 'regParam (λ)'\nset ylabel ");
    sb_gp(g, yl);
    sb_puts(g, "\nset grid ytics lc rgb '#dddddd' lw 1 dt 1\n");
    double width = 0.5, step = G->rank.n > 1 ? width / (double)(G->rank.n - 1) : 0;
    for (size_t p = 0; p < np; p++) {
        for (size_t ri = 0; ri < G->rank.n; ri++) {
            sb_printf(g, "$S%zu_%zu << EOD\n", p, ri);
            for (size_t gi = 0; gi < G->reg.n; gi++) {
                long b = best_at(r, G->rank.v[ri], G->reg.v[gi], G->mi.v[p]);
                if (b < 0 || !isfinite(r->cells[b].mean))
                    continue;
                double x = (double)gi + (G->rank.n > 1 ? -width / 2 + step * (double)ri : 0);
                double s = r->cells[b].std;
                sb_printf(g, "%.6f %.17g %.17g\n", x, r->cells[b].mean, isfinite(s) ? s : 0.0);
            }
            sb_puts(g, "EOD\n");
        }
    }
    sb_puts(g, "set multiplot\n");
    for (size_t p = 0; p < np; p++) {
        size_t col = p % ncols, row = p / ncols;
        gp_margins(g, W, H, (int)col, (int)row, PW, PH, 0, 90, 15, 40, 55);
        char title[64];
        snprintf(title, sizeof title, "maxIter = %g", G->mi.v[p]);
        gp_title(g, title);
        if (p == np - 1)
            sb_printf(g, "set key at screen %.4f,%.4f left top Left reverse samplen 2 spacing 1.3 title 'rank' box lc rgb '#bbbbbb'\n",
                      ((double)ncols * PW + 10) / W, 1.0 - 40.0 / H);
        else
            sb_puts(g, "unset key\n");
        sb_puts(g, "plot ");
        for (size_t ri = 0; ri < G->rank.n; ri++) {
            num_t s;
            sb_printf(g, "%s$S%zu_%zu using 1:2:3 with yerrorlines lw 1.6 pt 7 ps 0.7 lc rgb '%s' title '%s'",
                      ri ? ", \\\n     " : "", p, ri, COLORS[ri % NCOLORS], fmt_param(s, G->rank.v[ri]));
        }
        sb_puts(g, "\n");
    }
    sb_puts(g, "unset multiplot\n");
    char vary[128];
    varying_axes_text(G, vary, sizeof vary);
    snprintf(caption, ncap,
             "Mean ± sample standard deviation over folds of the validation %s of each cell, "
             "against regParam, one line per rank (points offset horizontally so the bars do not overlap)%s%s%s.",
             ml, vary[0] ? "; best over " : "", vary, "");
    return true;
}

/* Learning curves of the best (up to 3) configs, averaged over folds.  Panels: for rmse, the
 * training vs validation RMSE and a zoom on the validation RMSE over the second half of the
 * iterations (where the configs differ by less than the full range shows); for other metrics,
 * the validation metric and the training vs validation RMSE. */
static bool gp_learning(const als_results *r, const grid_t *G, sbuf *g, int *W_out, char *caption, size_t ncap)
{
    if (!r->has_iterations || r->niters == 0)
        return false;
    long cfg[3];
    size_t ncfg = 0;
    const als_rcell *cfgcell[3];
    for (size_t i = 0; i < r->ncells && ncfg < 3; i++) {
        bool dup = false;
        for (size_t k = 0; k < ncfg; k++)
            dup |= cfg[k] == r->cells[i].cell0;
        if (dup)
            continue;
        bool has = false; /* only configs that have iterations */
        for (size_t k = 0; k < r->niters && !has; k++)
            has = r->iters[k].cell0 == r->cells[i].cell0;
        if (!has)
            continue;
        cfgcell[ncfg] = &r->cells[i];
        cfg[ncfg++] = r->cells[i].cell0;
    }
    if (ncfg == 0)
        return false;
    long maxit = 0;
    for (size_t k = 0; k < r->niters; k++)
        if (r->iters[k].iteration > maxit)
            maxit = r->iters[k].iteration;
    bool is_rmse = strcasecmp(r->metric, "rmse") == 0;
    bool have_value = false;
    for (size_t k = 0; k < r->niters && !have_value; k++)
        have_value = !isnan(r->iters[k].value);
    enum { P_METRIC, P_RMSE, P_ZOOM } kinds[2];
    int npanels = 0;
    if (!is_rmse && have_value)
        kinds[npanels++] = P_METRIC;
    kinds[npanels++] = P_RMSE;
    long zoom_from = maxit / 2 + 1;
    if (npanels == 1 && maxit >= 4)
        kinds[npanels++] = P_ZOOM;
    int pw = npanels == 1 ? 600 : 450, ph = 340;
    int W = npanels * pw + LEGEND_W + 40, H = ph + 10;
    *W_out = W;
    char ml[64];
    metric_label(ml, sizeof ml, r->metric);
    gp_header(g, "learning", W, H);
    /* fold-averaged curves: columns iteration, train_rmse, valid_rmse, value */
    double *sum = calloc((size_t)maxit * 3, sizeof *sum);
    long *cnt = calloc((size_t)maxit * 3, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        g->oom = true;
        return true;
    }
    double rmse_first = -INFINITY, rmse_rest_hi = -INFINITY, rmse_lo = INFINITY;
    for (size_t k = 0; k < ncfg; k++) {
        memset(sum, 0, (size_t)maxit * 3 * sizeof *sum);
        memset(cnt, 0, (size_t)maxit * 3 * sizeof *cnt);
        for (size_t i = 0; i < r->niters; i++) {
            const als_riter *it = &r->iters[i];
            if (it->cell0 != cfg[k])
                continue;
            size_t j = (size_t)(it->iteration - 1) * 3;
            double v[3] = {it->train_rmse, it->valid_rmse, it->value};
            for (int q = 0; q < 3; q++)
                if (isfinite(v[q])) {
                    sum[j + (size_t)q] += v[q];
                    cnt[j + (size_t)q]++;
                }
        }
        sb_printf(g, "$L%zu << EOD\n# iteration  train_rmse  valid_rmse  %s  (means over folds)\n", k, r->metric);
        for (long t = 0; t < maxit; t++) {
            size_t j = (size_t)t * 3;
            if (!cnt[j] && !cnt[j + 1] && !cnt[j + 2])
                continue;
            sb_printf(g, "%ld", t + 1);
            for (int q = 0; q < 3; q++) {
                if (cnt[j + (size_t)q]) {
                    double m = sum[j + (size_t)q] / (double)cnt[j + (size_t)q];
                    sb_printf(g, " %.17g", m);
                    if (q < 2) { /* RMSE extremes: of iteration 1, and of the rest */
                        if (t == 0)
                            rmse_first = fmax(rmse_first, m);
                        else
                            rmse_rest_hi = fmax(rmse_rest_hi, m);
                        rmse_lo = fmin(rmse_lo, m);
                    }
                } else {
                    sb_puts(g, " NaN");
                }
            }
            sb_puts(g, "\n");
        }
        sb_puts(g, "EOD\n");
    }
    free(sum);
    free(cnt);
    sb_puts(g, "set xlabel 'iteration'\nset grid lc rgb '#e5e5e5' lw 1 dt 1\n");
    /* The first iteration starts from random factors and can sit far above the rest: when it
     * would take more than half of the RMSE axis, the axis ends a little above iteration 2. */
    bool clip = isfinite(rmse_first) && isfinite(rmse_rest_hi) && isfinite(rmse_lo) &&
                rmse_first - rmse_rest_hi > rmse_rest_hi - rmse_lo;
    double clip_lo = 0, clip_hi = 0;
    if (clip) {
        double pad = (rmse_rest_hi - rmse_lo) * 0.08;
        clip_lo = rmse_lo - pad;
        clip_hi = rmse_rest_hi + pad;
    }
    sb_puts(g, "set multiplot\n");
    for (int p = 0; p < npanels; p++) {
        gp_margins(g, W, H, p, 0, pw, ph, 0, 85, 25, 40, 55);
        long x0 = kinds[p] == P_ZOOM ? zoom_from : 1;
        sb_printf(g, "set xrange [%ld:%ld]\n", x0, maxit > x0 ? maxit : x0 + 1);
        sb_printf(g, "set xtics %ld\n", maxit - x0 <= 20 ? 1 : (maxit - x0) / 10);
        sb_puts(g, "unset arrow\n");
        for (size_t k = 0; k < G->mi.n; k++) /* arrows are not clipped: only those inside the range */
            if (G->mi.v[k] > (double)x0 && G->mi.v[k] < (double)maxit)
                sb_printf(g, "set arrow %zu from %g, graph 0 to %g, graph 1 nohead dt 3 lw 1 lc rgb '#888888' back\n",
                          k + 1, G->mi.v[k], G->mi.v[k]);
        sb_puts(g, kinds[p] == P_ZOOM ? "set ytics format '%.4f'\n" : "set ytics format '%.3f'\n");
        if (kinds[p] == P_RMSE && clip)
            sb_printf(g, "set yrange [%.6g:%.6g]\n", clip_lo, clip_hi);
        else
            sb_puts(g, "set autoscale y\n");
        char title[160];
        if (kinds[p] == P_METRIC)
            snprintf(title, sizeof title, "validation %s", ml);
        else if (kinds[p] == P_RMSE)
            snprintf(title, sizeof title, "RMSE: training (dashed), validation (solid)");
        else
            snprintf(title, sizeof title, "validation RMSE, iterations %ld–%ld", x0, maxit);
        gp_title(g, title);
        sb_puts(g, "set ylabel ");
        sb_gp(g, kinds[p] == P_METRIC ? ml : "RMSE");
        sb_puts(g, "\n");
        if (p == npanels - 1)
            sb_printf(g, "set key at screen %.4f,%.4f left top Left reverse samplen 2.5 spacing 1.3 box lc rgb '#bbbbbb'\n",
                      ((double)npanels * pw + 15) / W, 1.0 - 40.0 / H);
        else
            sb_puts(g, "unset key\n");
        sb_puts(g, "plot ");
        for (size_t k = 0; k < ncfg; k++) {
            char lab[200];
            config_label(G, cfgcell[k], lab, sizeof lab);
            const char *col = COLORS[k % NCOLORS];
            int ycol = kinds[p] == P_METRIC ? 4 : 3;
            sb_printf(g, "%s$L%zu using 1:%d with linespoints lw 2 pt 7 ps 0.6 lc rgb '%s' title ", k ? ", \\\n     " : "",
                      k, ycol, col);
            sb_gp(g, lab);
            if (kinds[p] == P_RMSE)
                sb_printf(g, ", \\\n     $L%zu using 1:2 with lines lw 2 dt 2 lc rgb '%s' notitle", k, col);
        }
        if (p == npanels - 1)
            sb_puts(g, ", \\\n     NaN with lines lw 2 dt 1 lc rgb '#444444' title 'validation', \\\n"
                       "     NaN with lines lw 2 dt 2 lc rgb '#444444' title 'training'");
        sb_puts(g, "\n");
    }
    sb_puts(g, "unset multiplot\n");
    if (kinds[0] == P_METRIC)
        snprintf(caption, ncap,
                 "Learning curves of the %zu best configurations (ranked by their best cell), averaged over folds: "
                 "validation %s (left) and training (dashed) vs validation (solid) RMSE (right). Dotted vertical "
                 "lines mark the grid's maxIter values.",
                 ncfg, ml);
    else
        snprintf(caption, ncap,
                 "Learning curves of the %zu best configurations (ranked by their best cell), averaged over folds: "
                 "training (dashed) vs validation (solid) RMSE%s. Dotted vertical lines mark the grid's maxIter values.",
                 ncfg, npanels == 2 ? "; right: the validation RMSE over the second half of the iterations, zoomed" : "");
    if (clip) {
        size_t n = strlen(caption);
        snprintf(caption + n, ncap - n,
                 " The RMSE axis ends a little above the values of iteration 2: after the first iteration "
                 "(from random factors) the RMSE is up to %.3f, off the top.",
                 rmse_first);
    }
    return true;
}

/* =============================================================================================
 * the report
 * ============================================================================================= */

typedef struct {
    const char *name;  /* heatmap, spread, learning */
    const char *title;
    char caption[1024];
    int width;         /* px */
    char *svg;         /* the SVG text (malloc'd) when drawn */
    bool drawn;
} figure;

typedef struct {
    const als_results *r;
    grid_t G;
    sbuf md, html;
    als_report_info *info;
    figure fig[3];
    int nfig;
} rep;

static void note(rep *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(rep *R, const char *fmt, ...)
{
    if (R->info->n_notes >= ALS_REPORT_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(R->info->notes[R->info->n_notes++], sizeof R->info->notes[0], fmt, ap);
    va_end(ap);
}

/* Inline an SVG file's text: drop the XML prolog/doctype, make ids unique with a prefix, give the
 * root element an accessible label and a max-width. */
static char *svg_for_html(const char *svg, int k, const char *label, int width)
{
    const char *start = strstr(svg, "<svg");
    if (!start)
        return NULL;
    sbuf b = {0};
    char pre[16];
    snprintf(pre, sizeof pre, "f%d-", k);
    const char *p = start;
    bool root_done = false;
    while (*p) {
        if (!root_done && strncmp(p, "<svg", 4) == 0) {
            sb_printf(&b, "<svg role=\"img\" style=\"max-width:%dpx\" aria-label=\"", width);
            sb_html(&b, label);
            sb_puts(&b, "\"");
            p += 4;
            root_done = true;
            continue;
        }
        if (strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
            sb_puts(&b, "<title>");
            sb_html(&b, label);
            sb_puts(&b, "</title>");
            p += 22;
            continue;
        }
        if (strncmp(p, "id='", 4) == 0 || strncmp(p, "id=\"", 4) == 0) {
            if (p == start || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') {
                sb_putn(&b, p, 4);
                sb_puts(&b, pre);
                p += 4;
                continue;
            }
        }
        if (strncmp(p, "href='#", 7) == 0 || strncmp(p, "href=\"#", 7) == 0) {
            sb_putn(&b, p, 7);
            sb_puts(&b, pre);
            p += 7;
            continue;
        }
        if (strncmp(p, "url(#", 5) == 0) {
            sb_puts(&b, "url(#");
            sb_puts(&b, pre);
            p += 5;
            continue;
        }
        size_t run = strcspn(p + 1, "<iuh") + 1;
        sb_putn(&b, p, run);
        p += run;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static als_status write_text(const char *path, const sbuf *b, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open(&a, path, d);
    if (st)
        return st;
    if (b->n && fwrite(b->s, 1, b->n, a.f) != b->n) {
        als_afile_abort(&a);
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "write failed: %s", strerror(errno));
    }
    return als_afile_commit(&a, d);
}

static void draw_figures(rep *R, const als_report_opts *o, als_diag *d, als_status *st)
{
    const als_results *r = R->r;
    static const char *const names[3] = {"heatmap", "spread", "learning"};
    static const char *const titles[3] = {"Mean CV metric over the grid", "Spread over folds", "Learning curves"};
    R->nfig = 0;
    char prog[4096];
    const char *want = o->gnuplot ? o->gnuplot : "gnuplot";
    bool have_gp = o->plots && find_program(want, prog, sizeof prog);
    if (o->plots && !have_gp) {
        R->info->gnuplot_missing = true;
        note(R, "gnuplot was not found (%s): the report has tables only; install gnuplot (Debian: gnuplot-nox) and "
                "rerun 'alstune report'", want);
    }
    if (!o->plots)
        note(R, "plots were disabled (--no-plots): the report has tables only");
    if (!have_gp)
        return;
    char dir[4200];
    als_path_join(dir, sizeof dir, r->dir, "plots");
    if ((*st = als_mkdir_p(dir, d)) != ALS_OK)
        return;
    for (int k = 0; k < 3; k++) {
        figure *f = &R->fig[R->nfig];
        memset(f, 0, sizeof *f);
        f->name = names[k];
        f->title = titles[k];
        sbuf g = {0};
        bool ok = k == 0   ? gp_heatmap(r, &R->G, &g, &f->width, f->caption, sizeof f->caption)
                  : k == 1 ? gp_spread(r, &R->G, &g, &f->width, f->caption, sizeof f->caption)
                           : gp_learning(r, &R->G, &g, &f->width, f->caption, sizeof f->caption);
        if (!ok) {
            free(g.s);
            if (k == 2)
                note(R, "no learning curves: iterations.csv is %s", r->has_iterations ? "empty" : "missing");
            else
                note(R, "no %s figure: no finite mean in summary.csv", f->name);
            continue;
        }
        if (g.oom) {
            free(g.s);
            *st = als_diag_set(d, ALS_E_NOMEM, r->dir, 0, 0, "out of memory");
            return;
        }
        R->info->n_plots_wanted++;
        char gp[4300], svg[4300], err[512];
        snprintf(gp, sizeof gp, "%s/%s.gp", dir, f->name);
        snprintf(svg, sizeof svg, "%s/%s.svg", dir, f->name);
        *st = write_text(gp, &g, d);
        free(g.s);
        if (*st)
            return;
        R->nfig++;
        if (!run_gnuplot(prog, gp, svg, err, sizeof err)) {
            note(R, "plots/%s.svg was not drawn: %s", f->name, err);
            continue;
        }
        char *text;
        size_t len;
        als_diag tmp;
        if (als_read_file(svg, &text, &len, &tmp) != ALS_OK) {
            note(R, "plots/%s.svg cannot be read back: %s", f->name, tmp.msg);
            continue;
        }
        f->svg = svg_for_html(text, R->nfig, f->title, f->width);
        free(text);
        if (!f->svg) {
            note(R, "plots/%s.svg is not an SVG file", f->name);
            continue;
        }
        f->drawn = true;
        R->info->n_plots++;
    }
}

/* ---- tables: a table is written to both outputs at once ------------------------------------ */

typedef struct {
    rep *R;
    int ncols;
    const char *align; /* per column: 'l' or 'r' */
} table;

static void t_begin(table *t, rep *R, const char *cls, const char *align, const char *const *head, int ncols)
{
    t->R = R;
    t->ncols = ncols;
    t->align = align;
    sb_printf(&R->html, "<table class=\"%s\">\n<thead><tr>", cls);
    sb_puts(&R->md, "|");
    for (int i = 0; i < ncols; i++) {
        sb_printf(&R->html, "<th class=\"%c\">", align[i]);
        sb_html(&R->html, head[i]);
        sb_puts(&R->html, "</th>");
        sb_puts(&R->md, " ");
        sb_md(&R->md, head[i]);
        sb_puts(&R->md, " |");
    }
    sb_puts(&R->html, "</tr></thead>\n<tbody>\n");
    sb_puts(&R->md, "\n|");
    for (int i = 0; i < ncols; i++)
        sb_puts(&R->md, align[i] == 'r' ? "---:|" : ":---|");
    sb_puts(&R->md, "\n");
}

/* One row; cells[i] plain text.  cls: optional row class ("best"). */
static void t_row(table *t, const char *cls, const char *const *cells)
{
    rep *R = t->R;
    if (cls)
        sb_printf(&R->html, "<tr class=\"%s\">", cls);
    else
        sb_puts(&R->html, "<tr>");
    sb_puts(&R->md, "|");
    for (int i = 0; i < t->ncols; i++) {
        sb_printf(&R->html, "<td class=\"%c\">", t->align[i]);
        sb_html(&R->html, cells[i]);
        sb_puts(&R->html, "</td>");
        sb_puts(&R->md, " ");
        if (cls && i == 0)
            sb_puts(&R->md, "**");
        sb_md(&R->md, cells[i]);
        if (cls && i == 0)
            sb_puts(&R->md, "**");
        sb_puts(&R->md, " |");
    }
    sb_puts(&R->html, "</tr>\n");
    sb_puts(&R->md, "\n");
}

static void t_end(table *t)
{
    sb_puts(&t->R->html, "</tbody></table>\n");
    sb_puts(&t->R->md, "\n");
}

static void h2(rep *R, const char *id, const char *title)
{
    sb_printf(&R->html, "<h2 id=\"%s\">", id);
    sb_html(&R->html, title);
    sb_puts(&R->html, "</h2>\n");
    sb_printf(&R->md, "## %s\n\n", title);
}

static void para(rep *R, const char *text)
{
    sb_puts(&R->html, "<p>");
    sb_html(&R->html, text);
    sb_puts(&R->html, "</p>\n");
    sb_md(&R->md, text);
    sb_puts(&R->md, "\n\n");
}

/* Two-column key/value table from y entries with the given prefix (prefix stripped). */
static void kv_table(rep *R, const als_yflat *y, const char *prefix, const char *const *skip, const char *cls)
{
    static const char *const head[2] = {"setting", "value"};
    table t;
    bool any = false;
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < y->n; i++) {
        const als_yentry *e = &y->e[i];
        if (e->item || strncmp(e->key, prefix, pl) != 0)
            continue;
        bool skipped = false;
        for (const char *const *s = skip; s && *s && !skipped; s++) {
            size_t sl = strlen(*s);
            skipped = strncmp(e->key, *s, sl) == 0 && (e->key[sl] == '\0' || e->key[sl] == '.' || e->key[sl] == '[');
        }
        if (skipped || !e->value[0] || strcmp(e->value, "null") == 0)
            continue; /* unset options (empty or null) are left out */
        if (!any) {
            t_begin(&t, R, cls, "ll", head, 2);
            any = true;
        }
        const char *row[2] = {e->key + pl, e->value[0] ? e->value : "—"};
        if (e->list) {
            char v[2048];
            snprintf(v, sizeof v, "[%s]", e->value);
            const char *row2[2] = {e->key + pl, v};
            t_row(&t, NULL, row2);
        } else {
            t_row(&t, NULL, row);
        }
    }
    if (any)
        t_end(&t);
}

static void section_summary(rep *R)
{
    const als_results *r = R->r;
    const als_rcell *b = &r->cells[0];
    char ml[64], lab[200], txt[1024];
    num_t m, s;
    metric_label(ml, sizeof ml, r->metric);
    config_label(&R->G, b, lab, sizeof lab);
    sb_puts(&R->html, "<div class=\"card\">\n<div class=\"big\">");
    sb_printf(&R->html, "<span class=\"k\">best cell</span> rank <b>%g</b>, regParam <b>%g</b>, maxIter <b>%g</b>",
              b->rank, b->regParam, b->maxIter);
    if (R->G.vary_alpha || b->implicitPrefs)
        sb_printf(&R->html, ", alpha <b>%g</b>", b->alpha);
    if (b->implicitPrefs)
        sb_puts(&R->html, ", implicit");
    if (b->nonnegative)
        sb_puts(&R->html, ", nonnegative");
    if (b->bias)
        sb_puts(&R->html, ", biases");
    sb_puts(&R->html, "</div>\n<div class=\"stats\">");
    snprintf(txt, sizeof txt, "%s ± %s", fmt_metric(m, b->mean), fmt_metric(s, b->std));
    sb_puts(&R->html, "<div><span class=\"k\">CV ");
    sb_html(&R->html, ml);
    sb_printf(&R->html, ", mean ± std over %ld folds</span><span class=\"v\">", b->n_folds);
    sb_html(&R->html, txt);
    sb_puts(&R->html, "</span></div>");
    sb_printf(&R->md, "**Best cell:** rank %g, regParam %g, maxIter %g", b->rank, b->regParam, b->maxIter);
    if (R->G.vary_alpha || b->implicitPrefs)
        sb_printf(&R->md, ", alpha %g", b->alpha);
    sb_printf(&R->md, " — CV %s %s ± %s over %ld folds", ml, fmt_metric(m, b->mean), fmt_metric(s, b->std), b->n_folds);
    const char *tv = r->has_best ? als_yflat_get(&r->best, "test.value") : NULL;
    const char *tn = r->has_best ? als_yflat_get(&r->best, "test.n_test") : NULL;
    double tval;
    if (tv && als_report_parse_double(tv, &tval)) {
        num_t c;
        sb_printf(&R->html, "<div><span class=\"k\">holdout test %s%s%s</span><span class=\"v\">%s</span></div>", ml,
                  tn ? ", n = " : "", tn ? fmt_count_str(c, tn) : "", fmt_metric(m, tval));
        sb_printf(&R->md, "; holdout test %s %s", ml, fmt_metric(m, tval));
        if (tn)
            sb_printf(&R->md, " (%s ratings)", fmt_count_str(c, tn));
    }
    sb_printf(&R->html, "<div><span class=\"k\">grid</span><span class=\"v\">%zu cells</span></div>", r->ncells);
    sb_puts(&R->html, "</div>\n</div>\n");
    sb_puts(&R->md, ".\n\n");
}

static void section_experiment(rep *R)
{
    const als_results *r = R->r;
    h2(R, "experiment", "Experiment");
    if (!r->has_experiment) {
        para(R, "experiment.yaml is missing from the results folder: the setup cannot be shown.");
    } else {
        sb_puts(&R->html, "<div class=\"cols\"><div>\n<h3>Setup</h3>\n");
        sb_puts(&R->md, "### Setup\n\n");
        static const char *const skip[] = {"name",       "dataset",   "grid",      "fingerprint", "als.rank",
                                           "als.regParam", "als.maxIter", "als.alpha", "als.implicitPrefs",
                                           "als.nonnegative", "als.bias", NULL};
        kv_table(R, &r->experiment, "", skip, "kv");
        sb_puts(&R->html, "</div><div>\n");
    }
    if (!r->has_experiment)
        sb_puts(&R->html, "<div class=\"cols\"><div>\n");
    /* grid, from summary.csv */
    sb_puts(&R->html, "<h3>Grid</h3>\n");
    sb_puts(&R->md, "### Grid\n\n");
    static const char *const gh[3] = {"axis", "values", "n"};
    table t;
    t_begin(&t, R, "kv", "llr", gh, 3);
    const axis_t *ax[4] = {&R->G.rank, &R->G.reg, &R->G.mi, &R->G.alpha};
    const char *an[4] = {"rank", "regParam", "maxIter", "alpha"};
    for (int a = 0; a < 4; a++) {
        if (a == 3 && (isnan(ax[a]->v[0]) && ax[a]->n == 1))
            continue;
        char vals[2048] = "";
        size_t k = 0;
        for (size_t i = 0; i < ax[a]->n && k < sizeof vals - 40; i++)
            k += (size_t)snprintf(vals + k, sizeof vals - k, "%s%g", i ? ", " : "", ax[a]->v[i]);
        char n[16];
        snprintf(n, sizeof n, "%zu", ax[a]->n);
        const char *row[3] = {an[a], vals, n};
        t_row(&t, NULL, row);
    }
    bool imp_any = false, nn_any = false, bias_any = false;
    for (size_t i = 0; i < R->r->ncells; i++) {
        imp_any |= R->r->cells[i].implicitPrefs;
        nn_any |= R->r->cells[i].nonnegative;
        bias_any |= R->r->cells[i].bias;
    }
    const char *bn[3] = {"implicitPrefs", "nonnegative", "bias"};
    bool bv[3] = {R->G.vary_imp, R->G.vary_nn, R->G.vary_bias}, ba[3] = {imp_any, nn_any, bias_any};
    for (int a = 0; a < 3; a++) {
        const char *row[3] = {bn[a], bv[a] ? "false, true" : ba[a] ? "true" : "false", bv[a] ? "2" : "1"};
        t_row(&t, NULL, row);
    }
    char ncells[32], nf[32];
    snprintf(ncells, sizeof ncells, "%zu", r->ncells);
    const char *rowc[3] = {"cells", "", ncells};
    t_row(&t, NULL, rowc);
    snprintf(nf, sizeof nf, "%ld", r->cells[0].n_folds);
    const char *rowf[3] = {"folds", "", nf};
    t_row(&t, NULL, rowf);
    t_end(&t);

    /* data set */
    sb_puts(&R->html, "<h3>Data set</h3>\n");
    sb_puts(&R->md, "### Data set\n\n");
    static const struct { const char *key, *label; } ds[] = {
        {"dataset.n_ratings", "ratings"},
        {"dataset.n_users", "users"},
        {"dataset.n_items", "items (movies)"},
        {"dataset.n_train", "ratings for cross-validation"},
        {"dataset.n_test", "holdout test ratings"},
        {"dataset.n_duplicates", "duplicates removed"},
        {"dataset.n_bad_lines", "bad lines skipped"}};
    static const char *const dh[2] = {"statistic", "value"};
    bool any = false;
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        const char *v = r->has_experiment ? als_yflat_get(&r->experiment, ds[i].key) : NULL;
        if (!v)
            continue;
        if (!any)
            t_begin(&t, R, "kv", "lr", dh, 2);
        any = true;
        num_t c;
        const char *row[2] = {ds[i].label, fmt_count_str(c, v)};
        t_row(&t, NULL, row);
    }
    double nr, nu, ni;
    const char *snr = r->has_experiment ? als_yflat_get(&r->experiment, "dataset.n_ratings") : NULL;
    const char *snu = r->has_experiment ? als_yflat_get(&r->experiment, "dataset.n_users") : NULL;
    const char *sni = r->has_experiment ? als_yflat_get(&r->experiment, "dataset.n_items") : NULL;
    if (any && snr && snu && sni && als_report_parse_double(snr, &nr) && als_report_parse_double(snu, &nu) &&
        als_report_parse_double(sni, &ni) && nu > 0 && ni > 0) {
        char dens[64];
        snprintf(dens, sizeof dens, "%.2f%%", 100.0 * nr / (nu * ni));
        const char *row[2] = {"density (ratings / users × items)", dens};
        t_row(&t, NULL, row);
        snprintf(dens, sizeof dens, "%.1f", nr / nu);
        const char *row2[2] = {"ratings per user (mean)", dens};
        t_row(&t, NULL, row2);
    }
    if (!any && r->has_folds && r->nfold_rows > 0) {
        /* fall back on the fold sizes */
        t_begin(&t, R, "kv", "lr", dh, 2);
        any = true;
        const als_rfold *f = &r->folds[0];
        num_t c;
        const char *row[2] = {"ratings for cross-validation (fold 0: train + valid + dropped)",
                              fmt_count(c, f->n_train + f->n_valid + f->n_dropped)};
        t_row(&t, NULL, row);
        const char *tn = r->has_best ? als_yflat_get(&r->best, "test.n_test") : NULL;
        if (tn) {
            const char *row2[2] = {"holdout test ratings", fmt_count_str(c, tn)};
            t_row(&t, NULL, row2);
        }
    }
    if (any)
        t_end(&t);
    else
        para(R, "No data set statistics: experiment.yaml has no dataset: section and folds.csv is missing.");
    sb_puts(&R->html, "</div></div>\n");
}

static void section_figures(rep *R)
{
    h2(R, "figures", "Figures");
    int num = 0;
    for (int k = 0; k < R->nfig; k++) {
        figure *f = &R->fig[k];
        if (!f->drawn)
            continue;
        num++;
        sb_printf(&R->html, "<figure class=\"plot\" id=\"fig-%s\">\n", f->name);
        sb_puts(&R->html, f->svg);
        sb_printf(&R->html, "\n<figcaption><b>Figure %d. ", num);
        sb_html(&R->html, f->title);
        sb_puts(&R->html, ".</b> ");
        sb_html(&R->html, f->caption);
        sb_puts(&R->html, "</figcaption>\n</figure>\n");
        sb_printf(&R->md, "![Figure %d: %s](plots/%s.svg)\n\n*Figure %d. %s.* ", num, f->title, f->name, num,
                  f->title);
        sb_md(&R->md, f->caption);
        sb_puts(&R->md, "\n\n");
    }
    if (R->info->n_plots == 0)
        para(R, "No figures (see the notes above).");
}

static void section_top(rep *R)
{
    const als_results *r = R->r;
    const grid_t *G = &R->G;
    size_t n = r->ncells < 10 ? r->ncells : 10;
    char ml[64], title[128];
    metric_label(ml, sizeof ml, r->metric);
    snprintf(title, sizeof title, "Top %zu cells", n);
    h2(R, "top", title);
    const char *head[16];
    char align[17];
    int nc = 0;
    char h_mean[96], h_delta[96];
    snprintf(h_mean, sizeof h_mean, "CV %s mean ± std", ml);
    snprintf(h_delta, sizeof h_delta, "Δ vs best");
    bool is_rmse = strcasecmp(r->metric, "rmse") == 0, is_mae = strcasecmp(r->metric, "mae") == 0;
    bool show_rmse = !is_rmse, show_mae = !is_mae;
    for (size_t i = 0; i < n; i++) {
        show_rmse &= !isnan(r->cells[i].mean_rmse) || i > 0;
        show_mae &= !isnan(r->cells[i].mean_mae) || i > 0;
    }
    if (isnan(r->cells[0].mean_rmse))
        show_rmse = false;
    if (isnan(r->cells[0].mean_mae))
        show_mae = false;
#define COL(h, a) (head[nc] = (h), align[nc++] = (a))
    COL("#", 'r');
    COL("rank", 'r');
    COL("regParam", 'r');
    COL("maxIter", 'r');
    if (G->vary_alpha)
        COL("alpha", 'r');
    if (G->vary_imp)
        COL("implicitPrefs", 'l');
    if (G->vary_nn)
        COL("nonnegative", 'l');
    if (G->vary_bias)
        COL("bias", 'l');
    COL(h_mean, 'r');
    COL("min", 'r');
    COL("max", 'r');
    COL(h_delta, 'r');
    if (show_rmse)
        COL("mean RMSE", 'r');
    if (show_mae)
        COL("mean MAE", 'r');
#undef COL
    align[nc] = '\0';
    table t;
    t_begin(&t, R, "data", align, head, nc);
    for (size_t i = 0; i < n; i++) {
        const als_rcell *c = &r->cells[i];
        char buf[16][64];
        const char *row[16];
        int k = 0;
        num_t a, b;
        snprintf(buf[k], 64, "%ld", c->position), k++;
        snprintf(buf[k], 64, "%g", c->rank), k++;
        snprintf(buf[k], 64, "%g", c->regParam), k++;
        snprintf(buf[k], 64, "%g", c->maxIter), k++;
        if (G->vary_alpha)
            snprintf(buf[k], 64, "%g", c->alpha), k++;
        if (G->vary_imp)
            snprintf(buf[k], 64, "%s", c->implicitPrefs ? "true" : "false"), k++;
        if (G->vary_nn)
            snprintf(buf[k], 64, "%s", c->nonnegative ? "true" : "false"), k++;
        if (G->vary_bias)
            snprintf(buf[k], 64, "%s", c->bias ? "true" : "false"), k++;
        snprintf(buf[k], 64, "%.24s ± %.24s", fmt_metric(a, c->mean), fmt_metric(b, c->std)), k++;
        snprintf(buf[k], 64, "%s", fmt_metric(a, c->min)), k++;
        snprintf(buf[k], 64, "%s", fmt_metric(a, c->max)), k++;
        if (i == 0)
            snprintf(buf[k], 64, "—"), k++;
        else
            snprintf(buf[k], 64, "%+.4f", c->mean - r->cells[0].mean), k++;
        if (show_rmse)
            snprintf(buf[k], 64, "%s", fmt_metric(a, c->mean_rmse)), k++;
        if (show_mae)
            snprintf(buf[k], 64, "%s", fmt_metric(a, c->mean_mae)), k++;
        for (int j = 0; j < k; j++)
            row[j] = buf[j];
        t_row(&t, i == 0 ? "best" : NULL, row);
    }
    t_end(&t);
    char txt[512];
    snprintf(txt, sizeof txt,
             "Sorted best first (%s is better); std is the sample standard deviation over folds (n − 1); "
             "all %zu cells are in summary.csv.",
             r->higher_is_better ? "higher" : "lower", r->ncells);
    para(R, txt);
}

static void section_best(rep *R)
{
    const als_results *r = R->r;
    const als_rcell *b = &r->cells[0];
    char ml[64];
    metric_label(ml, sizeof ml, r->metric);
    h2(R, "best", "Best cell");
    table t;
    /* per fold */
    if (r->has_folds) {
        static const char *const head[5] = {"fold", "value", "n_train", "n_valid", "n_dropped"};
        char hv[96];
        snprintf(hv, sizeof hv, "validation %s", ml);
        const char *h[5] = {head[0], hv, head[2], head[3], head[4]};
        bool any = false;
        for (size_t i = 0; i < r->nfold_rows; i++) {
            const als_rfold *f = &r->folds[i];
            if (f->cell != b->cell)
                continue;
            if (!any) {
                sb_puts(&R->html, "<div class=\"cols\"><div>\n<h3>Cross-validation folds</h3>\n");
                sb_puts(&R->md, "### Cross-validation folds\n\n");
                t_begin(&t, R, "data", "rrrrr", h, 5);
            }
            any = true;
            num_t a, n1, n2, n3;
            char fold[32];
            snprintf(fold, sizeof fold, "%ld", f->fold);
            const char *row[5] = {fold, fmt_metric(a, f->value), fmt_count(n1, f->n_train), fmt_count(n2, f->n_valid),
                                  fmt_count(n3, f->n_dropped)};
            t_row(&t, NULL, row);
        }
        if (any) {
            num_t a, s;
            char ms[96];
            snprintf(ms, sizeof ms, "%.24s ± %.24s", fmt_metric(a, b->mean), fmt_metric(s, b->std));
            const char *row[5] = {"mean ± std", ms, "", "", ""};
            t_row(&t, "best", row);
            t_end(&t);
            sb_puts(&R->html, "</div><div>\n");
        } else {
            sb_puts(&R->html, "<div class=\"cols\"><div>\n");
        }
    } else {
        sb_puts(&R->html, "<div class=\"cols\"><div>\n");
    }
    sb_puts(&R->html, "<h3>Holdout test set</h3>\n");
    sb_puts(&R->md, "### Holdout test set\n\n");
    const char *tv = r->has_best ? als_yflat_get(&r->best, "test.value") : NULL;
    if (!r->has_best) {
        para(R, "best.yaml is missing: no holdout metrics.");
    } else if (!tv && !als_yflat_get(&r->best, "test.rmse")) {
        para(R, "No holdout test set (testFraction is 0): the CV estimate is the only one.");
    } else {
        static const char *const head[2] = {"metric", "value"};
        t_begin(&t, R, "kv", "lr", head, 2);
        static const struct { const char *key, *label; bool count; } tm[] = {
            {"test.n_test", "test ratings", true}, {"test.n_dropped", "dropped (cold start)", true},
            {"test.rmse", "RMSE", false},          {"test.mae", "MAE", false},
            {"test.mse", "MSE", false},            {"test.r2", "R²", false}};
        for (size_t i = 0; i < sizeof tm / sizeof tm[0]; i++) {
            const char *v = als_yflat_get(&r->best, tm[i].key);
            if (!v)
                continue;
            num_t a;
            double x;
            const char *shown = tm[i].count ? fmt_count_str(a, v)
                                : als_report_parse_double(v, &x) ? fmt_metric(a, x)
                                                                 : v;
            const char *row[2] = {tm[i].label, shown};
            t_row(&t, NULL, row);
        }
        const char *tm_name = als_yflat_get(&r->best, "test.metric");
        double x;
        if (tv && tm_name && strcasecmp(tm_name, "rmse") && strcasecmp(tm_name, "mae") && strcasecmp(tm_name, "mse") &&
            strcasecmp(tm_name, "r2") && als_report_parse_double(tv, &x)) {
            char lab[64];
            num_t a;
            metric_label(lab, sizeof lab, tm_name);
            const char *row[2] = {lab, fmt_metric(a, x)};
            t_row(&t, NULL, row);
        }
        t_end(&t);
        const char *tr = als_yflat_get(&r->best, "refit.train_rmse");
        const char *nt = als_yflat_get(&r->best, "refit.n_train");
        const char *model = als_yflat_get(&r->best, "model");
        char txt[1024];
        num_t a, c;
        if (tr && als_report_parse_double(tr, &x)) {
            snprintf(txt, sizeof txt,
                     "The best cell was refit on all %s non-test ratings (training RMSE %s) and evaluated once on the "
                     "holdout set%s%s%s.",
                     nt ? fmt_count_str(c, nt) : "", fmt_metric(a, x), model ? "; model folder: " : "",
                     model ? model : "", model ? "/" : "");
            para(R, txt);
        }
    }
    sb_puts(&R->html, "</div></div>\n");
}

static void section_provenance(rep *R)
{
    const als_results *r = R->r;
    h2(R, "provenance", "Provenance");
    if (r->has_provenance) {
        kv_table(R, &r->provenance, "", NULL, "kv mono");
    } else if (r->has_experiment && als_yflat_find(&r->experiment, "fingerprint.config_sha256")) {
        para(R, "provenance.yaml is missing; the experiment's fingerprint:");
        kv_table(R, &r->experiment, "fingerprint.", NULL, "kv mono");
    } else {
        para(R, "provenance.yaml is missing.");
    }
}

static const char CSS[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f6f7f9;color:#1d2330;font:15px/1.5 'DejaVu Sans',system-ui,-apple-system,'Segoe "
    "UI',Roboto,sans-serif}\n"
    "main{max-width:1160px;margin:0 auto;padding:28px 36px 48px;background:#fff;min-height:100vh;"
    "box-shadow:0 0 0 1px #e3e6eb}\n"
    "h1{font-size:26px;margin:0 0 4px}\n"
    "h2{font-size:19px;margin:36px 0 12px;padding-bottom:4px;border-bottom:2px solid #e3e6eb}\n"
    "h3{font-size:15px;margin:16px 0 8px;color:#3a4254}\n"
    ".sub{color:#5b6375;margin:0 0 18px}\n"
    ".note{background:#fff5d6;border-left:4px solid #e0a800;padding:8px 12px;margin:10px 0;font-size:14px}\n"
    ".card{border:1px solid #d7dce4;border-radius:6px;padding:14px 18px;margin:14px 0 6px;background:#fafbfc}\n"
    ".card .big{font-size:17px;margin-bottom:8px}\n"
    ".card .stats{display:flex;flex-wrap:wrap;gap:12px 40px}\n"
    ".card .stats div{display:flex;flex-direction:column}\n"
    ".k{color:#5b6375;font-size:12px;text-transform:uppercase;letter-spacing:.04em;margin-right:6px}\n"
    ".v{font-size:22px;font-variant-numeric:tabular-nums;font-weight:600}\n"
    ".cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:8px 36px;align-items:start}\n"
    "table{border-collapse:collapse;margin:6px 0 10px;font-size:14px;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:4px 10px;border-bottom:1px solid #e3e6eb;vertical-align:top}\n"
    "th{background:#f0f2f5;font-weight:600;border-bottom:2px solid #cfd5de;white-space:nowrap}\n"
    "td.r,th.r{text-align:right}td.l,th.l{text-align:left}\n"
    "table.data td.r{white-space:nowrap}\n"
    "table.kv td:first-child{color:#3a4254;white-space:nowrap}\n"
    "table.mono td:last-child{font-family:'DejaVu Sans Mono',monospace;font-size:12.5px;word-break:break-all}\n"
    "tr.best td{background:#eef6ee;font-weight:600}\n"
    "figure.plot{margin:18px 0 26px}\n"
    "figure.plot>svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:13.5px;color:#3a4254;max-width:900px;margin-top:6px}\n"
    "footer{margin-top:36px;font-size:12.5px;color:#5b6375;border-top:1px solid #e3e6eb;padding-top:8px}\n"
    "code{font-family:'DejaVu Sans Mono',monospace;font-size:13px;background:#f0f2f5;padding:1px 4px;border-radius:3px}\n"
    "@media print{body{background:#fff}main{box-shadow:none;padding:0}figure.plot{break-inside:avoid}}\n";

static const char JS_HEAD[] =
    "<script>\n"
    "window.alsErrors=0;\n"
    "window.addEventListener('error',function(){window.alsErrors++;\n"
    "  if(document.body)document.body.setAttribute('data-errors',String(window.alsErrors));},true);\n"
    "</script>\n";

/* Counts the figures that laid out with a non-empty box (the browser test reads data-plots). */
static const char JS_TAIL[] =
    "<script>\n"
    "(function(){var n=0,s=document.querySelectorAll('figure.plot>svg');\n"
    "for(var i=0;i<s.length;i++){try{var b=s[i].getBBox();if(b.width>0&&b.height>0)n++;}catch(e){window.alsErrors++;}}\n"
    "document.body.setAttribute('data-plots',String(n));\n"
    "document.body.setAttribute('data-errors',String(window.alsErrors));})();\n"
    "</script>\n";

als_status als_report_write(const als_results *r, const als_report_opts *o, als_report_info *info_out,
                            als_diag *d)
{
    als_report_info info_local;
    als_report_info *info = info_out ? info_out : &info_local;
    memset(info, 0, sizeof *info);
    rep R;
    memset(&R, 0, sizeof R);
    R.r = r;
    R.info = info;
    als_status st = ALS_OK;
    if (r->ncells == 0)
        return als_diag_set(d, ALS_E_INPUT, r->dir, 0, 0, "no cells to report");
    grid_build(r, &R.G);
    if (!r->has_experiment)
        note(&R, "experiment.yaml is missing: the setup is not shown");
    if (!r->has_best)
        note(&R, "best.yaml is missing: no holdout test metrics");
    if (!r->has_provenance)
        note(&R, "provenance.yaml is missing");
    if (!r->has_folds)
        note(&R, "folds.csv is missing: no per-fold table");
    draw_figures(&R, o, d, &st);
    if (st)
        goto done;

    char ml[64];
    metric_label(ml, sizeof ml, r->metric);
    /* ---- head ---- */
    sb_puts(&R.html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    sb_html(&R.html, r->name);
    sb_puts(&R.html, " — alstune report</title>\n<meta name=\"generator\" content=\"alstune " PACKAGE_VERSION "\">\n<style>\n");
    sb_puts(&R.html, CSS);
    sb_puts(&R.html, "</style>\n");
    sb_puts(&R.html, JS_HEAD);
    sb_printf(&R.html, "</head>\n<body data-errors=\"0\" data-plots=\"0\" data-expected-plots=\"%d\">\n<main>\n",
              info->n_plots);
    sb_puts(&R.html, "<h1>");
    sb_html(&R.html, r->name);
    sb_puts(&R.html, "</h1>\n<p class=\"sub\">ALS hyper-parameter search with k-fold cross-validation — selection metric ");
    sb_html(&R.html, ml);
    sb_printf(&R.html, " (%s is better) · %zu cells · results folder <code>", r->higher_is_better ? "higher" : "lower",
              r->ncells);
    sb_html(&R.html, r->dir);
    sb_puts(&R.html, "</code></p>\n");
    sb_printf(&R.md, "# %s — alstune report\n\n", r->name);
    sb_printf(&R.md, "ALS hyper-parameter search with k-fold cross-validation — selection metric %s (%s is better), "
                     "%zu cells. Results folder `%s`. The HTML version (report.html) has the same content in one "
                     "self-contained file.\n\n",
              ml, r->higher_is_better ? "higher" : "lower", r->ncells, r->dir);
    for (int i = 0; i < info->n_notes; i++) {
        sb_puts(&R.html, "<div class=\"note\"><b>Note:</b> ");
        sb_html(&R.html, info->notes[i]);
        sb_puts(&R.html, "</div>\n");
        sb_puts(&R.md, "> **Note:** ");
        sb_md(&R.md, info->notes[i]);
        sb_puts(&R.md, "\n\n");
    }
    section_summary(&R);
    section_experiment(&R);
    section_figures(&R);
    section_top(&R);
    section_best(&R);
    section_provenance(&R);
    sb_puts(&R.html, "<footer>Written by alstune " PACKAGE_VERSION " from the files of docs/outputs.md; regenerate with "
                     "<code>alstune report ");
    sb_html(&R.html, r->dir);
    sb_puts(&R.html, "</code>. Figures drawn by gnuplot; their scripts are in plots/*.gp.</footer>\n</main>\n");
    sb_puts(&R.html, JS_TAIL);
    sb_puts(&R.html, "</body>\n</html>\n");
    sb_printf(&R.md, "---\nWritten by alstune " PACKAGE_VERSION "; regenerate with `alstune report %s`.\n", r->dir);
    if (R.md.oom || R.html.oom) {
        st = als_diag_set(d, ALS_E_NOMEM, r->dir, 0, 0, "out of memory building the report");
        goto done;
    }
    als_path_join(info->md_path, sizeof info->md_path, r->dir, "report.md");
    als_path_join(info->html_path, sizeof info->html_path, r->dir, "report.html");
    if ((st = write_text(info->md_path, &R.md, d)) || (st = write_text(info->html_path, &R.html, d)))
        goto done;
done:
    for (int k = 0; k < 3; k++)
        free(R.fig[k].svg);
    free(R.md.s);
    free(R.html.s);
    return st;
}

void als_report_opts_default(als_report_opts *o)
{
    o->plots = true;
    o->gnuplot = NULL;
}

als_status als_report_dir(const char *dir, const als_report_opts *o, als_report_info *info, als_diag *d)
{
    als_results r;
    als_status st = als_results_load(&r, dir, d);
    if (st)
        return st;
    st = als_report_write(&r, o, info, d);
    als_results_free(&r);
    return st;
}
