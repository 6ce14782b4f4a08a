/* als_yflat — a line parser for the flat YAML subset of als_yflat.h. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_yflat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_util.h"

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
    if (als_str_to_double(e->value, out))
        return ALS_OK;
    return als_diag_set(d, ALS_E_INPUT, y->path, e->line, e->col, "expected a number for '%s', found '%.60s'", key,
                        e->value);
}

#define Y_DEPTH 32 /* nesting levels, block and flow alike: deeper input is refused, never recursed into */

typedef struct {
    als_yflat *y;
    long line;
    als_diag *d;
    int depth; /* flow mappings open around the value being read */
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
        if (*als_str_trim(r))
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
    char *inner = als_str_trim(s + 1);
    char joined[4096];
    joined[0] = '\0';
    size_t jl = 0;
    if (*inner) {
        char *items[256];
        int k = split_flow(inner, items, 256);
        if (k < 0)
            return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "flow list longer than 256 items");
        for (int i = 0; i < k; i++) {
            char *it = als_str_trim(items[i]), *v;
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
    if (c->depth + 1 >= Y_DEPTH) /* a bound on the recursion (stack) and on the rescans of deep input */
        return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "nesting deeper than %d levels", Y_DEPTH);
    s[n - 1] = '\0';
    char *inner = als_str_trim(s + 1);
    if (!*inner)
        return ALS_OK;
    char *items[256];
    int k = split_flow(inner, items, 256);
    if (k < 0)
        return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col, "flow mapping longer than 256 items");
    for (int i = 0; i < k; i++) {
        char *it = als_str_trim(items[i]);
        char *colon = strstr(it, ": ");
        if (!colon && (n = strlen(it)) && it[n - 1] == ':')
            colon = it + n - 1;
        if (!colon || colon == it)
            return als_diag_set(c->d, ALS_E_INPUT, c->y->path, c->line, col + (long)(it - s),
                                "expected 'key: value' in a flow mapping, found '%.40s'", it);
        *colon = '\0';
        char sub[1024];
        snprintf(sub, sizeof sub, "%s%s%s", key, *key ? "." : "", als_str_trim(it));
        c->depth++;
        als_status st = y_value(c, sub, als_str_trim(colon + 1), col + (long)(colon + 1 - s));
        c->depth--;
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
    yctx c = {y, 0, d, 0};
    als_status rc = ALS_OK;
    char *p = buf;
    for (char *line; !rc && (line = als_str_next_line(&p)) != NULL;) {
        c.line++;
        int indent = 0;
        while (line[indent] == ' ')
            indent++;
        if (line[indent] == '\t') {
            rc = als_diag_set(d, ALS_E_INPUT, path, c.line, indent + 1, "tab in indentation (YAML allows spaces only)");
            break;
        }
        strip_comment(line);
        char *s = als_str_trim(line);
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
            char *rest = als_str_trim(s + 1);
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
        char *key = als_str_trim(s);
        char full[1100];
        snprintf(full, sizeof full, "%s%s%s", top >= 0 ? st[top].path : "", top >= 0 ? "." : "", key);
        char *v = als_str_trim(kc + 1);
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
