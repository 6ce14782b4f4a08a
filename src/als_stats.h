/* als_stats — exploratory statistics of a ratings set (the EDA of the MovieLens tutorials), for
 * `alstune stats`: sizes and sparsity, the rating histogram, ratings per user and per movie, the
 * most-rated movies, and, given a catalogue, genre counts and the movies nobody rated.
 *
 * als_stats_compute fills an als_stats from loaded data; the writers print it as text, CSV
 * (metric,value rows) or JSON to a FILE the caller owns. */
#ifndef ALS_STATS_H
#define ALS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "als_data.h"

typedef struct {
    double value;        /* a distinct rating value */
    size_t count;
} als_stats_bin;

/* Distribution of a count (ratings per user or per movie). */
typedef struct {
    uint32_t min, max;
    double median, mean;
} als_stats_dist;

typedef struct {
    uint32_t item;       /* dense item index into the ratings' item map */
    size_t count;        /* number of ratings */
    double mean;         /* mean rating */
} als_stats_top;

typedef struct {
    char *name;
    size_t ratings;      /* ratings of movies with this genre */
    size_t movies;       /* catalogue movies with this genre */
} als_stats_genre;

typedef struct {
    size_t n_ratings;
    uint32_t n_users, n_items;
    double sparsity;             /* 1 - n_ratings / (n_users * n_items) */
    double mean, stddev;         /* of the ratings (population std) */
    double min, max;
    size_t n_bins;               /* distinct rating values, ascending */
    als_stats_bin *bins;
    als_stats_dist per_user, per_item;
    size_t n_top;                /* most-rated movies, by count then first-seen order */
    als_stats_top *top;
    /* catalogue (all zero/NULL when none was given) */
    bool has_movies;
    size_t n_catalogue;          /* movies in the catalogue */
    size_t n_unrated;            /* catalogue movies with no rating ... */
    size_t *unrated;             /* ... their catalogue rows, in catalogue order */
    size_t n_uncatalogued;       /* rated items missing from the catalogue */
    size_t n_genres;             /* by ratings (descending), then name */
    als_stats_genre *genres;
    size_t n_no_genre;           /* catalogue movies without a genre */
} als_stats;

typedef enum { ALS_STATS_TEXT = 0, ALS_STATS_CSV, ALS_STATS_JSON } als_stats_format;
/* "text", "csv", "json" → format; false when unknown. */
bool als_stats_format_parse(const char *s, als_stats_format *f);

/* Compute the statistics of r (n ≥ 1) with the top_n most-rated movies; movies may be NULL.
 * s is overwritten; free it with als_stats_free.  ALS_E_NOMEM or ALS_E_INPUT (empty r). */
als_status als_stats_compute(als_stats *s, const als_ratings *r, const als_movies *movies,
                             size_t top_n, als_diag *d);
void als_stats_free(als_stats *s);

/* Write s in the given format.  r supplies the original ids, movies (may be NULL) the titles;
 * source names the ratings file in the output.  Doubles are written with %.17g in CSV and JSON. */
void als_stats_write(const als_stats *s, const als_ratings *r, const als_movies *movies,
                     const char *source, als_stats_format fmt, FILE *f);

#endif
