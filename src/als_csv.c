/* als_csv — header-driven CSV reader of results files; contracts in als_csv.h. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include "als_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_util.h"

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
    for (char *line; (line = als_str_next_line(&p)) != NULL;) {
        lineno++;
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
    for (char *line; (line = als_str_next_line(&p)) != NULL;) {
        lineno++;
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

long als_csv_field_col(const als_csv *t, size_t row, int col)
{
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
    if (als_str_to_double(s, out))
        return ALS_OK;
    return als_diag_set(d, ALS_E_INPUT, t->path, t->lines[row], als_csv_field_col(t, row, col),
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
    return als_diag_set(d, ALS_E_INPUT, t->path, t->lines[row], als_csv_field_col(t, row, col),
                        "expected true or false in column '%s', found '%.60s'", t->names[col], s);
}

