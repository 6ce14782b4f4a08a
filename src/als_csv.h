/* als_csv — the reader of the CSV files alstune writes into a results folder (summary.csv,
 * folds.csv, iterations.csv; docs/outputs.md).  Header-driven: columns are found by name, so added
 * columns do not break old readers.  Not the ratings reader (als_data), which is streaming and
 * tolerant of the many public formats; this one holds a whole small file in memory. */
#ifndef ALS_CSV_H
#define ALS_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "als_error.h"

/* A CSV file with a header row: ',' separators, no quoting (docs/outputs.md), CRLF tolerated,
 * blank lines skipped.  Every row must have as many fields as the header. */
typedef struct {
    char path[4096];
    size_t ncols, nrows;
    char **names;  /* ncols header names */
    char **cells;  /* nrows × ncols field pointers (row-major), into buf */
    long *lines;   /* 1-based file line of each row */
    char *buf;     /* the file text, split in place */
} als_csv;

/* Read path.  A missing file is ALS_E_INPUT ("path: error: cannot open ..."), a row with the
 * wrong number of fields is ALS_E_INPUT at path:line.  On failure t is left empty (free-able). */
als_status als_csv_read(als_csv *t, const char *path, als_diag *d);
void als_csv_free(als_csv *t);
/* Column index of name, or -1. */
int als_csv_col(const als_csv *t, const char *name);
/* Like als_csv_col, but a missing column is ALS_E_INPUT at path:1 naming the column. */
als_status als_csv_need(const als_csv *t, const char *name, int *col, als_diag *d);
static inline const char *als_csv_at(const als_csv *t, size_t row, int col)
{
    return t->cells[row * t->ncols + (size_t)col];
}
/* Field (row, col) as a number (strtod: "nan"/"inf" accepted; empty or trailing junk is
 * ALS_E_INPUT at path:line:col naming the column and the text found).  col < 0 gives NaN. */
als_status als_csv_double(const als_csv *t, size_t row, int col, double *out, als_diag *d);
/* 1-based character column of field col in line row (for messages). */
long als_csv_field_col(const als_csv *t, size_t row, int col);
/* "true"/"false" (also 1/0); col < 0 gives false. */
als_status als_csv_bool(const als_csv *t, size_t row, int col, bool *out, als_diag *d);

#endif
