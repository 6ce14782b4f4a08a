/* als_error — status codes and diagnostics shared by every alstune module.
 *
 * Library code never prints and never exits: it returns an als_status and, on failure,
 * fills an als_diag (path, line, col, message).  main.c prints it GNU-style as
 *   path:line:col: error: message
 * and maps the status to the process exit code (see als_status_exit_code). */
#ifndef ALS_ERROR_H
#define ALS_ERROR_H

#include <stdarg.h>
#include <stdio.h>

typedef enum {
    ALS_OK = 0,
    ALS_E_INPUT,    /* bad user input: malformed file, bad parameter (exit 2) */
    ALS_E_USAGE,    /* bad command line (exit 2) */
    ALS_E_IO,       /* file could not be read/written (exit 3) */
    ALS_E_NOMEM,    /* allocation failed (exit 3) */
    ALS_E_NUMERIC,  /* numerical failure: singular system, non-finite factors (exit 4) */
    ALS_E_CHECK,    /* a regression check failed (exit 1) */
    ALS_E_INTERNAL, /* a bug (exit 70) */
    ALS_E_INTERRUPTED, /* stopped on request (SIGINT/SIGTERM) at a safe point (exit 128 + signal; 130) */
    ALS_E_BUSY      /* the output folder is locked by another process (exit 5) */
} als_status;

#define ALS_DIAG_PATH_MAX 1024
#define ALS_DIAG_MSG_MAX 1024

typedef struct {
    char path[ALS_DIAG_PATH_MAX]; /* "" when the error is not about a file */
    long line;                    /* 1-based; 0 = unknown */
    long col;                     /* 1-based; 0 = unknown */
    char msg[ALS_DIAG_MSG_MAX];
} als_diag;

/* Fill d (may be NULL: then nothing happens) and return status; for one-line error returns:
 *   return als_diag_set(d, ALS_E_INPUT, path, line, 0, "expected ..., found '%s'", tok); */
als_status als_diag_set(als_diag *d, als_status status, const char *path, long line, long col,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));
als_status als_diag_vset(als_diag *d, als_status status, const char *path, long line, long col,
                         const char *fmt, va_list ap);
void als_diag_clear(als_diag *d);

/* Print "path:line:col: error: msg" (parts that are unknown are omitted) to f. */
void als_diag_print(const als_diag *d, FILE *f);
/* Same with "warning:" instead of "error:". */
void als_diag_print_warning(const als_diag *d, FILE *f);

/* Process exit code for a status: 0 ok, 1 check failed, 2 input/usage, 3 I/O or memory,
 * 4 numerical, 5 output folder busy, 130 interrupted (the CLI uses 128 + the signal), 70 internal. */
int als_status_exit_code(als_status s);
const char *als_status_name(als_status s);

#endif
