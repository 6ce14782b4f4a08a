/* als_util — small shared services: crash-safe file writing (temp + fsync + rename), whole-file
 * reading, mkdir -p, SHA-256 fingerprints, .npy float32 matrices, and a counter-based RNG whose
 * draws depend only on (seed, stream, index) — the basis of thread-independent results. */
#ifndef ALS_UTIL_H
#define ALS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "als_error.h"

/* ---- files ---------------------------------------------------------------------------------- */
/* A file being written under a temporary name "<path>.tmp.<pid>"; als_afile_commit fsyncs and
 * renames it over path, als_afile_abort removes it.  Nothing half-written is ever visible. */
typedef struct {
    FILE *f;
    char path[4096];
    char tmp[4200];
} als_afile;

/* Every failure (open, a write, fflush, fsync, close, rename) is ALS_E_IO naming the final path,
 * with the temporary file removed and whatever was at path before left untouched. */
als_status als_afile_open(als_afile *a, const char *path, als_diag *d);
/* The same for the file NAME in the folder DIR (als_path_join(DIR, NAME)); a->path is the joined path. */
als_status als_afile_open_at(als_afile *a, const char *dir, const char *name, als_diag *d);
als_status als_afile_commit(als_afile *a, als_diag *d);   /* finish + rename */
/* The two halves of commit, for files that must appear together: finish every one of them
 * (flush, fsync, close; the temporary stays), then rename them. */
als_status als_afile_finish(als_afile *a, als_diag *d);
als_status als_afile_rename(als_afile *a, als_diag *d);
void als_afile_abort(als_afile *a);  /* close and remove the temporary (any stage; idempotent) */

/* Read the whole file into a NUL-terminated malloc'd buffer (*len excludes the NUL).
 * Errors: missing file, directory, unreadable → ALS_E_INPUT (bad input, exit 2); a read failing
 * part-way → ALS_E_IO. */
als_status als_read_file(const char *path, char **buf, size_t *len, als_diag *d);
/* mkdir -p; ALS_E_IO on failure. */
als_status als_mkdir_p(const char *path, als_diag *d);
bool als_file_exists(const char *path);
/* dir + "/" + rel unless rel is absolute; result in out (size n). */
void als_path_join(char *out, size_t n, const char *dir, const char *rel);
/* Directory part of path ("." when none). */
void als_path_dirname(char *out, size_t n, const char *path);

/* ---- SHA-256 -------------------------------------------------------------------------------- */
typedef struct {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} als_sha256;
void als_sha256_init(als_sha256 *s);
void als_sha256_update(als_sha256 *s, const void *data, size_t n);
void als_sha256_hex(als_sha256 *s, char out[65]); /* finalises */
als_status als_sha256_file(const char *path, char out[65], als_diag *d);

/* ---- .npy (format 1.0, little-endian float32, C order, 2-D) ------------------------------- */
als_status als_npy_write_f32(const char *path, const float *data, size_t rows, size_t cols, als_diag *d);
/* Reads a 2-D '<f4' C-order array; any other dtype/shape/size is an error naming the file. */
als_status als_npy_read_f32(const char *path, float **data, size_t *rows, size_t *cols, als_diag *d);

/* ---- counter-based random numbers ------------------------------------------------------- */
uint64_t als_mix64(uint64_t x);                       /* splitmix64 finaliser */
/* Uniform in (0,1) and standard normal, as pure functions of (seed, stream, index). */
double als_rand_uniform(uint64_t seed, uint64_t stream, uint64_t index);
double als_rand_normal(uint64_t seed, uint64_t stream, uint64_t index);

/* ---- CSV ---------------------------------------------------------------------------------- */
/* Write s as one CSV field (RFC 4180): as is, or quoted with doubled quotes when it contains a
 * comma, a quote or a line break. */
void als_csv_field(FILE *f, const char *s);

/* ---- number parsing ------------------------------------------------------------------------ */
/* The one whole-string number parser of the library (the CLI, results readers, model.yaml and
 * experiment YAML scalars go through it; als_data's length-delimited hot-path parser is tested
 * against strtod).  Both reject NULL, "", leading white space and trailing bytes. */
/* strtod: "nan"/"inf" accepted (callers that need a finite value check isfinite), overflow
 * ("1e400") rejected, underflow to a subnormal or 0 kept as strtod gives it. */
bool als_str_to_double(const char *s, double *out);
/* strtol base 10 within [lo, hi]; overflow or a value outside the range → false. */
bool als_str_to_long(const char *s, long lo, long hi, long *out);
/* Unsigned decimal (digits only: no sign, no blank), up to UINT64_MAX. */
bool als_str_to_u64(const char *s, uint64_t *out);

/* Cut the next line off the text at *p in place ('\n' becomes NUL, a trailing '\r' is removed)
 * and advance *p past it; returns the line, or NULL at the end of the text. */
char *als_str_next_line(char **p);
/* Strip leading and trailing blanks (space, tab) of s in place; returns the first non-blank. */
char *als_str_trim(char *s);

/* ---- JSON ----------------------------------------------------------------------------------- */
/* Write s as a JSON string: quotes, '"' and '\\' escaped, \n \r \t, other control bytes as
 * \u00XX; other bytes (UTF-8) as they are. */
void als_json_str(FILE *f, const char *s);

/* ---- number formatting --------------------------------------------------------------------- */
/* Shortest of %.15g/%.16g/%.17g that reads back to exactly v ("nan", "inf", "-inf" for the
 * non-finite); out needs 32 bytes.  Used for every number alstune writes to CSV/YAML. */
char *als_fmt_double(char out[32], double v);

/* ---- time --------------------------------------------------------------------------------- */
double als_now(void);   /* monotonic seconds */

#endif
