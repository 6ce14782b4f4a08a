/* als_error — diagnostics: formatting and exit-code mapping. */
#include "als_error.h"

#include <string.h>

als_status als_diag_vset(als_diag *d, als_status status, const char *path, long line, long col,
                         const char *fmt, va_list ap)
{
    if (!d)
        return status;
    snprintf(d->path, sizeof d->path, "%s", path ? path : "");
    d->line = line;
    d->col = col;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    return status;
}

als_status als_diag_set(als_diag *d, als_status status, const char *path, long line, long col,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    als_diag_vset(d, status, path, line, col, fmt, ap);
    va_end(ap);
    return status;
}

void als_diag_clear(als_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
}

static void print_kind(const als_diag *d, FILE *f, const char *kind)
{
    if (d->path[0]) {
        fputs(d->path, f);
        if (d->line > 0) {
            fprintf(f, ":%ld", d->line);
            if (d->col > 0)
                fprintf(f, ":%ld", d->col);
        }
        fputs(": ", f);
    } else {
        fputs("alstune: ", f);
    }
    fprintf(f, "%s: %s\n", kind, d->msg[0] ? d->msg : "unknown error");
}

void als_diag_print(const als_diag *d, FILE *f) { print_kind(d, f, "error"); }
void als_diag_print_warning(const als_diag *d, FILE *f) { print_kind(d, f, "warning"); }

int als_status_exit_code(als_status s)
{
    switch (s) {
    case ALS_OK: return 0;
    case ALS_E_CHECK: return 1;
    case ALS_E_INPUT:
    case ALS_E_USAGE: return 2;
    case ALS_E_IO:
    case ALS_E_NOMEM: return 3;
    case ALS_E_NUMERIC: return 4;
    case ALS_E_BUSY: return 5;
    case ALS_E_INTERRUPTED: return 130;
    case ALS_E_INTERNAL: break;
    }
    return 70;
}

const char *als_status_name(als_status s)
{
    switch (s) {
    case ALS_OK: return "ok";
    case ALS_E_INPUT: return "bad input";
    case ALS_E_USAGE: return "usage";
    case ALS_E_IO: return "I/O error";
    case ALS_E_NOMEM: return "out of memory";
    case ALS_E_NUMERIC: return "numerical failure";
    case ALS_E_CHECK: return "check failed";
    case ALS_E_BUSY: return "busy";
    case ALS_E_INTERRUPTED: return "interrupted";
    case ALS_E_INTERNAL: break;
    }
    return "internal error";
}
