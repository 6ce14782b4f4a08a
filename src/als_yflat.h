/* als_yflat — the reader of the flat YAML subset alstune writes (experiment.yaml, best.yaml,
 * provenance.yaml, baselines): each leaf becomes an entry keyed by its dotted path.  The one
 * line-based YAML reader of the library; full YAML (the experiment files people write) goes
 * through libyaml in als_config. */
#ifndef ALS_YFLAT_H
#define ALS_YFLAT_H

#include <stdbool.h>
#include <stddef.h>

#include "als_error.h"

/* The YAML subset alstune writes (experiment.yaml, best.yaml, provenance.yaml, baselines):
 * block mappings by indentation, `key: scalar`, flow mappings `key: {a: 1, b: x}`, flow lists
 * `key: [1, 2]`, block lists of scalars or of mappings (`- a: 1` / `- {a: 1}`), '#' comments,
 * single/double-quoted scalars.  Each leaf becomes an entry keyed by its dotted path:
 * "params.rank", "cells[3].mean".  A list of scalars (flow or block) is one entry whose value is
 * the items joined by ", " (its block items also appear as "key[i]", flagged item).
 * Anchors, tags, multi-line scalars and multiple documents are errors. */
typedef struct {
    char *key;    /* dotted path */
    char *value;  /* unquoted scalar; "" for an empty value; lists joined by ", " */
    long line, col;
    bool list;    /* a list of scalars */
    bool item;    /* one element of a block list ("key[i]") */
} als_yentry;

typedef struct {
    char path[4096];
    als_yentry *e;
    size_t n, cap;
} als_yflat;

void als_yflat_init(als_yflat *y);
void als_yflat_free(als_yflat *y);
/* Parse text (path is for messages).  Errors are ALS_E_INPUT at path:line:col. */
als_status als_yflat_parse(als_yflat *y, const char *path, const char *text, als_diag *d);
/* Read and parse a file; a missing file is ALS_E_INPUT. */
als_status als_yflat_read(als_yflat *y, const char *path, als_diag *d);
const als_yentry *als_yflat_find(const als_yflat *y, const char *key);
/* The value of key, or NULL when absent or null ("", "null", "~"). */
const char *als_yflat_get(const als_yflat *y, const char *key);
/* key as a number: absent → ALS_E_INPUT "path: error: missing key"; junk → path:line:col. */
als_status als_yflat_double(const als_yflat *y, const char *key, double *out, als_diag *d);

#endif
