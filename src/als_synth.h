/* als_synth — deterministic MovieLens-like synthetic data (explicit ratings 1–5 or implicit
 * play counts).  Same options → same ratings, byte for byte, on every machine and thread count.
 * The embedded default data of experiments/grid.yaml and the data of every large benchmark. */
#ifndef ALS_SYNTH_H
#define ALS_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "als_data.h"

typedef struct {
    const char *preset;   /* "ml-100k", "ml-1m", "ml-25m", "msd" or NULL (custom) */
    uint32_t users;       /* 0 = preset's value */
    uint32_t items;
    uint64_t ratings;     /* target count (exact) */
    int rank;             /* planted rank */
    double noise;         /* σ of the Gaussian noise before rounding */
    bool implicit;        /* play counts instead of 1–5 stars */
    uint32_t min_per_user;/* every user gets at least this many ratings (default 20) */
    uint64_t seed;
} als_synth_opts;

/* Fill o from a preset name (NULL or "" = ml-100k); false when the preset is unknown.  Fields the
 * caller set to non-zero afterwards override the preset. */
bool als_synth_preset(als_synth_opts *o, const char *preset, uint64_t seed);
/* Check the options (users ≥ 1, items ≥ 1, ratings ≤ users·items, min_per_user·users ≤ ratings,
 * min_per_user ≤ items, rank ≥ 1, noise ≥ 0). */
als_status als_synth_check(const als_synth_opts *o, als_diag *d);
/* Generate into r (ids "1".."users" and "1".."items", as strings) and, when movies is not NULL, a
 * matching catalogue with titles "Synthetic Movie N (YEAR)" and genres. */
als_status als_synth_generate(const als_synth_opts *o, als_ratings *r, als_movies *movies, als_diag *d);
/* Write ratings.csv (header userId,movieId,rating,timestamp) / movies.csv (movieId,title,genres). */
als_status als_synth_write_ratings(const als_ratings *r, const char *path, als_diag *d);
als_status als_synth_write_movies(const als_movies *m, const char *path, als_diag *d);

#endif
