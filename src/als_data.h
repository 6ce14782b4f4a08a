/* als_data — ratings and movie catalogues: parsing MovieLens formats, string→dense id maps,
 * and the exploratory statistics behind `alstune stats`.
 *
 * Ratings are held as three parallel arrays (user, item, rating) of dense indices in first-seen
 * order; the original id strings are kept in als_idmap so output can use them. */
#ifndef ALS_DATA_H
#define ALS_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "als_error.h"

/* String → dense index map (first-seen order), open addressing over an arena of strings. */
typedef struct {
    uint32_t n;          /* number of ids */
    uint32_t cap;        /* capacity of offs */
    size_t *offs;        /* offs[i] = offset of id i's NUL-terminated string in arena */
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t *table;     /* hash slots: index+1, 0 = empty */
    size_t table_cap;    /* power of two */
} als_idmap;

void als_idmap_init(als_idmap *m);
void als_idmap_free(als_idmap *m);
/* Index of s (len bytes, need not be NUL-terminated), inserting it when absent.
 * Returns ALS_E_NOMEM on allocation failure (or when more than UINT32_MAX-1 ids). */
als_status als_idmap_intern(als_idmap *m, const char *s, size_t len, uint32_t *out);
/* Index of s or -1 when absent. */
int64_t als_idmap_find(const als_idmap *m, const char *s, size_t len);
static inline const char *als_idmap_str(const als_idmap *m, uint32_t i) { return m->arena + m->offs[i]; }

typedef enum {
    ALS_FMT_AUTO = 0,
    ALS_FMT_CSV,      /* MovieLens ratings.csv: header userId,movieId,rating[,timestamp] */
    ALS_FMT_COLONS,   /* user::item::rating[::timestamp] (ml-1m/10m ratings.dat, Spark sample) */
    ALS_FMT_UDATA,    /* ml-100k u.data: user<TAB>item<TAB>rating<TAB>timestamp, no header */
    ALS_FMT_TSV       /* generic tab-separated with a header naming the columns */
} als_format;

/* Duplicate (user, item) policy: see docs/data.md. */
typedef enum { ALS_DUP_LAST = 0, ALS_DUP_FIRST, ALS_DUP_ERROR } als_dup_policy;

typedef struct {
    als_format format;          /* ALS_FMT_AUTO: detect from the first line / extension */
    bool skip_bad_lines;        /* count bad lines as warnings instead of failing */
    als_dup_policy duplicates;  /* default ALS_DUP_LAST */
    bool has_range;             /* reject ratings outside [min_rating, max_rating] */
    double min_rating, max_rating;
    const char *user_col, *item_col, *rating_col; /* generic CSV/TSV column names (NULL = defaults) */
    /* Optional columns, for the readers of (user, item[, rating]) files (predict, foldin):
     * rating_optional: a header without a rating column (or a headerless file of exactly two
     *   fields) is accepted; every rating is then NaN and has_rating false.
     * user_optional: a header without a user column is accepted; every row then belongs to one
     *   user with the id "" and has_user is false (fold-in files: movieId,rating). */
    bool rating_optional, user_optional;
} als_load_opts;

typedef struct {
    size_t n;            /* ratings after duplicate removal */
    uint32_t *user;      /* dense user index per rating */
    uint32_t *item;      /* dense item index per rating */
    float *rating;
    als_idmap users, items;
    size_t n_duplicates; /* duplicate (user,item) pairs resolved by the policy */
    size_t n_bad_lines;  /* lines skipped under skip_bad_lines */
    long first_bad_line; /* line number of the first skipped line, 0 if none */
    als_format format;   /* format actually parsed */
    bool has_rating;     /* false: the file had no rating column (rating_optional); ratings are NaN */
    bool has_user;       /* false: the file had no user column (user_optional); one user "" */
} als_ratings;

void als_load_opts_default(als_load_opts *o);
/* Parse path into r (which the caller zero-initialises or als_ratings_init()s).  On failure r is
 * left empty and d says "path:line: what was expected, what was found".  On success with
 * skip_bad_lines and n_bad_lines > 0, d holds the first skipped line's diagnostic. */
als_status als_ratings_load(als_ratings *r, const char *path, const als_load_opts *o, als_diag *d);
/* Parse from memory (used by the loader and by tests); path is only used in diagnostics. */
als_status als_ratings_parse(als_ratings *r, const char *buf, size_t len, const char *path,
                             const als_load_opts *o, als_diag *d);
void als_ratings_init(als_ratings *r);
void als_ratings_free(als_ratings *r);
const char *als_format_name(als_format f);
/* "csv", "dat"/"colons", "udata", "tsv", "auto" → format; false when unknown. */
bool als_format_parse(const char *s, als_format *f);

/* Movie catalogue: titles and genres keyed by the original movie id string. */
typedef struct {
    size_t n;
    als_idmap ids;       /* movie id → row */
    char **title;        /* UTF-8 */
    char **genres;       /* '|'-separated genre names, UTF-8 ("" when none) */
} als_movies;

void als_movies_init(als_movies *m);
void als_movies_free(als_movies *m);
/* movies.csv (quoted titles, doubled quotes), u.item (pipe, Latin-1 → UTF-8, 19 genre flags),
 * movies.dat (::).  Detected from the content. */
als_status als_movies_load(als_movies *m, const char *path, als_diag *d);
/* Title of a movie id, or NULL. */
const char *als_movies_title(const als_movies *m, const char *id);
const char *als_movies_genres(const als_movies *m, const char *id);

/* Hand-written number parsing, tested against strtod/strtol.  Both parse the whole span
 * [s, s+len) and return false on anything else (empty, trailing junk, NaN, inf, overflow). */
bool als_parse_double(const char *s, size_t len, double *out);
bool als_parse_long(const char *s, size_t len, long *out);

#endif
