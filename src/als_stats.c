/* als_stats — dataset statistics for `alstune stats` (see als_stats.h).  One pass over the
 * ratings gives the per-user and per-item counts, the item sums and the histogram; medians use
 * GSL's sort and statistics; genre counts walk the catalogue once. */
#include "als_stats.h"
#include "als_util.h"

#include <gsl/gsl_sort_uint.h>
#include <gsl/gsl_statistics_uint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool als_stats_format_parse(const char *s, als_stats_format *f)
{
    if (strcmp(s, "text") == 0)
        *f = ALS_STATS_TEXT;
    else if (strcmp(s, "csv") == 0)
        *f = ALS_STATS_CSV;
    else if (strcmp(s, "json") == 0)
        *f = ALS_STATS_JSON;
    else
        return false;
    return true;
}

void als_stats_free(als_stats *s)
{
    free(s->bins);
    free(s->top);
    free(s->unrated);
    for (size_t g = 0; g < s->n_genres; g++)
        free(s->genres[g].name);
    free(s->genres);
    memset(s, 0, sizeof *s);
}

/* Distinct rating values: open addressing on the float's bits (few values in practice; grows). */
typedef struct {
    uint32_t *key;   /* bits + 1 would overflow for NaN patterns; ratings are finite, 0 = empty */
    size_t *count;
    size_t cap, n;
} valset;

static inline uint32_t float_key(float v)
{
    uint32_t b;
    if (v == 0.0f)
        v = 0.0f; /* -0 and +0 are one value */
    memcpy(&b, &v, sizeof b);
    return b ^ 0x80000000u; /* never 0 for a finite value: 0x80000000 is -0, folded above */
}

static bool valset_grow(valset *h)
{
    size_t ncap = h->cap ? h->cap * 2 : 64;
    uint32_t *nk = calloc(ncap, sizeof *nk);
    size_t *nc = calloc(ncap, sizeof *nc);
    if (!nk || !nc) {
        free(nk);
        free(nc);
        return false;
    }
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->key[i])
            continue;
        size_t j = (h->key[i] * 2654435761u) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = h->key[i];
        nc[j] = h->count[i];
    }
    free(h->key);
    free(h->count);
    h->key = nk;
    h->count = nc;
    h->cap = ncap;
    return true;
}

static bool valset_add(valset *h, float v)
{
    if ((h->n + 1) * 2 > h->cap && !valset_grow(h))
        return false;
    uint32_t k = float_key(v);
    size_t j = (k * 2654435761u) & (h->cap - 1);
    while (h->key[j] && h->key[j] != k)
        j = (j + 1) & (h->cap - 1);
    if (!h->key[j]) {
        h->key[j] = k;
        h->n++;
    }
    h->count[j]++;
    return true;
}

static int bin_cmp(const void *a, const void *b)
{
    double x = ((const als_stats_bin *)a)->value, y = ((const als_stats_bin *)b)->value;
    return (x > y) - (x < y);
}

static void dist_of(uint32_t *counts, size_t n, als_stats_dist *out)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += counts[i];
    gsl_sort_uint(counts, 1, n);
    out->min = counts[0];
    out->max = counts[n - 1];
    out->median = gsl_stats_uint_median_from_sorted_data(counts, 1, n);
    out->mean = sum / (double)n;
}

typedef struct {
    uint32_t count, item;
} item_count;

/* most ratings first, then first-seen order */
static int top_cmp(const void *a, const void *b)
{
    const item_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

static int genre_cmp(const void *a, const void *b)
{
    const als_stats_genre *x = a, *y = b;
    if (x->ratings != y->ratings)
        return x->ratings > y->ratings ? -1 : 1;
    return strcmp(x->name, y->name);
}

als_status als_stats_compute(als_stats *s, const als_ratings *r, const als_movies *movies,
                             size_t top_n, als_diag *d)
{
    memset(s, 0, sizeof *s);
    if (r->n == 0)
        return als_diag_set(d, ALS_E_INPUT, "", 0, 0, "expected at least one rating, found none");
    als_status st = ALS_OK;
    uint32_t nu = r->users.n, ni = r->items.n;
    uint32_t *ucount = calloc(nu, sizeof *ucount), *icount = calloc(ni, sizeof *icount);
    item_count *order = NULL;
    double *isum = calloc(ni, sizeof *isum);
    valset vs = {0};
    als_idmap gmap;
    als_idmap_init(&gmap);
    if (!ucount || !icount || !isum)
        goto nomem;

    s->n_ratings = r->n;
    s->n_users = nu;
    s->n_items = ni;
    s->sparsity = 1.0 - (double)r->n / ((double)nu * (double)ni);
    double sum = 0;
    s->min = s->max = r->rating[0];
    for (size_t k = 0; k < r->n; k++) {
        float v = r->rating[k];
        ucount[r->user[k]]++;
        icount[r->item[k]]++;
        isum[r->item[k]] += v;
        sum += v;
        if (v < s->min)
            s->min = v;
        if (v > s->max)
            s->max = v;
        if (!valset_add(&vs, v))
            goto nomem;
    }
    s->mean = sum / (double)r->n;
    double ss = 0;
    for (size_t k = 0; k < r->n; k++)
        ss += ((double)r->rating[k] - s->mean) * ((double)r->rating[k] - s->mean);
    s->stddev = sqrt(ss / (double)r->n);

    if (!(s->bins = malloc(vs.n * sizeof *s->bins)))
        goto nomem;
    for (size_t j = 0; j < vs.cap; j++) {
        if (!vs.key[j])
            continue;
        uint32_t b = vs.key[j] ^ 0x80000000u;
        float v;
        memcpy(&v, &b, sizeof v);
        s->bins[s->n_bins].value = v;
        s->bins[s->n_bins++].count = vs.count[j];
    }
    qsort(s->bins, s->n_bins, sizeof *s->bins, bin_cmp);

    /* top-N before the counts get sorted for the medians */
    if (top_n > ni)
        top_n = ni;
    if (top_n) {
        if (!(order = malloc(ni * sizeof *order)) || !(s->top = malloc(top_n * sizeof *s->top)))
            goto nomem;
        for (uint32_t i = 0; i < ni; i++)
            order[i] = (item_count){icount[i], i};
        qsort(order, ni, sizeof *order, top_cmp);
        for (size_t t = 0; t < top_n; t++) {
            uint32_t i = order[t].item;
            s->top[t] = (als_stats_top){.item = i, .count = icount[i], .mean = isum[i] / icount[i]};
        }
        s->n_top = top_n;
    }

    if (movies) {
        s->has_movies = true;
        s->n_catalogue = movies->n;
        size_t rated = 0, gcap = 0;
        for (size_t j = 0; j < movies->n; j++) {
            const char *id = als_idmap_str(&movies->ids, (uint32_t)j);
            int64_t it = als_idmap_find(&r->items, id, strlen(id));
            size_t cnt = it >= 0 ? icount[it] : 0;
            if (it >= 0) {
                rated++;
            } else {
                size_t *nu2 = realloc(s->unrated, (s->n_unrated + 1) * sizeof *nu2);
                if (!nu2)
                    goto nomem;
                s->unrated = nu2;
                s->unrated[s->n_unrated++] = j;
            }
            const char *g = movies->genres[j];
            if (!*g)
                s->n_no_genre++;
            while (*g) {
                size_t len = strcspn(g, "|");
                uint32_t gi;
                if (als_idmap_intern(&gmap, g, len, &gi))
                    goto nomem;
                if (gi >= gcap) {
                    size_t ncap = gcap ? gcap * 2 : 32;
                    als_stats_genre *ng = realloc(s->genres, ncap * sizeof *ng);
                    if (!ng)
                        goto nomem;
                    s->genres = ng;
                    gcap = ncap;
                }
                if (gi == s->n_genres) {
                    if (!(s->genres[gi].name = strndup(g, len)))
                        goto nomem;
                    s->genres[gi].ratings = s->genres[gi].movies = 0;
                    s->n_genres++;
                }
                s->genres[gi].movies++;
                s->genres[gi].ratings += cnt;
                g += len;
                if (*g == '|')
                    g++;
            }
        }
        s->n_uncatalogued = ni - rated;
        if (s->n_genres)
            qsort(s->genres, s->n_genres, sizeof *s->genres, genre_cmp);
    }

    dist_of(ucount, nu, &s->per_user);
    dist_of(icount, ni, &s->per_item);
    goto done;
nomem:
    st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory computing statistics");
    als_stats_free(s);
done:
    free(ucount);
    free(icount);
    free(isum);
    free(order);
    free(vs.key);
    free(vs.count);
    als_idmap_free(&gmap);
    return st;
}

/* ==== writers ================================================================================ */

static const char *item_title(const als_ratings *r, const als_movies *m, uint32_t item)
{
    if (!m)
        return NULL;
    return als_movies_title(m, als_idmap_str(&r->items, item));
}

static void write_text(const als_stats *s, const als_ratings *r, const als_movies *m,
                       const char *source, FILE *f)
{
    fprintf(f, "ratings file        %s (%s)\n", source, als_format_name(r->format));
    fprintf(f, "ratings             %zu\n", s->n_ratings);
    fprintf(f, "users               %u\n", s->n_users);
    fprintf(f, "movies              %u\n", s->n_items);
    fprintf(f, "sparsity            %.6f (density %.4f%%)\n", s->sparsity, 100 * (1 - s->sparsity));
    fprintf(f, "rating mean         %.5f (std %.5f, min %g, max %g)\n", s->mean, s->stddev, s->min, s->max);
    fprintf(f, "duplicates removed  %zu\n", r->n_duplicates);
    fprintf(f, "bad lines skipped   %zu\n", r->n_bad_lines);
    fprintf(f, "\nrating histogram (%zu distinct values)\n", s->n_bins);
    size_t maxc = 0;
    for (size_t b = 0; b < s->n_bins; b++)
        if (s->bins[b].count > maxc)
            maxc = s->bins[b].count;
    size_t shown = s->n_bins > 30 ? 30 : s->n_bins;
    for (size_t b = 0; b < shown; b++) {
        int bar = (int)(40.0 * (double)s->bins[b].count / (double)maxc + 0.5);
        fprintf(f, "  %8g %10zu %6.2f%%  %.*s\n", s->bins[b].value, s->bins[b].count,
                100.0 * (double)s->bins[b].count / (double)s->n_ratings, bar,
                "########################################");
    }
    if (shown < s->n_bins)
        fprintf(f, "  ... %zu more values (see --format csv)\n", s->n_bins - shown);
    fprintf(f, "\nratings per user    min %u, median %g, mean %.2f, max %u\n", s->per_user.min,
            s->per_user.median, s->per_user.mean, s->per_user.max);
    fprintf(f, "ratings per movie   min %u, median %g, mean %.2f, max %u\n", s->per_item.min,
            s->per_item.median, s->per_item.mean, s->per_item.max);
    if (s->n_top) {
        fprintf(f, "\ntop %zu most-rated movies\n  %4s  %-10s %8s %6s  %s\n", s->n_top, "#", "movie",
                "ratings", "mean", m ? "title" : "");
        for (size_t t = 0; t < s->n_top; t++) {
            const char *title = item_title(r, m, s->top[t].item);
            fprintf(f, "  %4zu  %-10s %8zu %6.3f  %s\n", t + 1, als_idmap_str(&r->items, s->top[t].item),
                    s->top[t].count, s->top[t].mean, title ? title : (m ? "(not in catalogue)" : ""));
        }
    }
    if (s->has_movies) {
        fprintf(f, "\ncatalogue           %zu movies, %zu never rated, %zu rated movies not in it\n",
                s->n_catalogue, s->n_unrated, s->n_uncatalogued);
        if (s->n_unrated) {
            fprintf(f, "never rated        ");
            for (size_t j = 0; j < s->n_unrated && j < 20; j++)
                fprintf(f, " %s", als_idmap_str(&m->ids, (uint32_t)s->unrated[j]));
            fprintf(f, "%s\n", s->n_unrated > 20 ? " ..." : "");
        }
        if (s->n_genres) {
            fprintf(f, "\ngenres (by ratings)\n  %-20s %10s %8s\n", "genre", "ratings", "movies");
            for (size_t g = 0; g < s->n_genres; g++)
                fprintf(f, "  %-20s %10zu %8zu\n", s->genres[g].name, s->genres[g].ratings,
                        s->genres[g].movies);
            if (s->n_no_genre)
                fprintf(f, "  %-20s %10s %8zu\n", "(no genre)", "", s->n_no_genre);
        }
    }
}

static void csv_row_s(FILE *f, const char *metric, const char *value)
{
    als_csv_field(f, metric);
    fputc(',', f);
    als_csv_field(f, value);
    fputc('\n', f);
}

static void csv_row_z(FILE *f, const char *metric, size_t v)
{
    als_csv_field(f, metric);
    fprintf(f, ",%zu\n", v);
}

static void csv_row_d(FILE *f, const char *metric, double v)
{
    als_csv_field(f, metric);
    fprintf(f, ",%.17g\n", v);
}

static void write_csv(const als_stats *s, const als_ratings *r, const als_movies *m,
                      const char *source, FILE *f)
{
    char key[512];
    fputs("metric,value\n", f);
    csv_row_s(f, "file", source);
    csv_row_s(f, "format", als_format_name(r->format));
    csv_row_z(f, "ratings", s->n_ratings);
    csv_row_z(f, "users", s->n_users);
    csv_row_z(f, "movies", s->n_items);
    csv_row_d(f, "sparsity", s->sparsity);
    csv_row_d(f, "rating_mean", s->mean);
    csv_row_d(f, "rating_std", s->stddev);
    csv_row_d(f, "rating_min", s->min);
    csv_row_d(f, "rating_max", s->max);
    csv_row_z(f, "duplicates", r->n_duplicates);
    csv_row_z(f, "bad_lines", r->n_bad_lines);
    csv_row_z(f, "distinct_ratings", s->n_bins);
    for (size_t b = 0; b < s->n_bins; b++) {
        snprintf(key, sizeof key, "count_rating_%.9g", s->bins[b].value);
        csv_row_z(f, key, s->bins[b].count);
    }
    const als_stats_dist *dist[2] = {&s->per_user, &s->per_item};
    const char *dname[2] = {"ratings_per_user", "ratings_per_movie"};
    for (int k = 0; k < 2; k++) {
        snprintf(key, sizeof key, "%s_min", dname[k]);
        csv_row_z(f, key, dist[k]->min);
        snprintf(key, sizeof key, "%s_median", dname[k]);
        csv_row_d(f, key, dist[k]->median);
        snprintf(key, sizeof key, "%s_mean", dname[k]);
        csv_row_d(f, key, dist[k]->mean);
        snprintf(key, sizeof key, "%s_max", dname[k]);
        csv_row_z(f, key, dist[k]->max);
    }
    for (size_t t = 0; t < s->n_top; t++) {
        snprintf(key, sizeof key, "top_%zu_movie", t + 1);
        csv_row_s(f, key, als_idmap_str(&r->items, s->top[t].item));
        snprintf(key, sizeof key, "top_%zu_ratings", t + 1);
        csv_row_z(f, key, s->top[t].count);
        snprintf(key, sizeof key, "top_%zu_mean", t + 1);
        csv_row_d(f, key, s->top[t].mean);
        const char *title = item_title(r, m, s->top[t].item);
        if (title) {
            snprintf(key, sizeof key, "top_%zu_title", t + 1);
            csv_row_s(f, key, title);
        }
    }
    if (s->has_movies) {
        csv_row_z(f, "catalogue_movies", s->n_catalogue);
        csv_row_z(f, "catalogue_unrated", s->n_unrated);
        csv_row_z(f, "rated_not_in_catalogue", s->n_uncatalogued);
        for (size_t g = 0; g < s->n_genres; g++) {
            snprintf(key, sizeof key, "genre_%s_ratings", s->genres[g].name);
            csv_row_z(f, key, s->genres[g].ratings);
            snprintf(key, sizeof key, "genre_%s_movies", s->genres[g].name);
            csv_row_z(f, key, s->genres[g].movies);
        }
        csv_row_z(f, "movies_without_genre", s->n_no_genre);
    }
}

static void json_dist(FILE *f, const char *name, const als_stats_dist *d)
{
    fprintf(f, "  \"%s\": {\"min\": %u, \"median\": %.17g, \"mean\": %.17g, \"max\": %u},\n", name, d->min,
            d->median, d->mean, d->max);
}

static void write_json(const als_stats *s, const als_ratings *r, const als_movies *m,
                       const char *source, FILE *f)
{
    fputs("{\n  \"file\": ", f);
    als_json_str(f, source);
    fprintf(f, ",\n  \"format\": \"%s\",\n", als_format_name(r->format));
    fprintf(f, "  \"ratings\": %zu,\n  \"users\": %u,\n  \"movies\": %u,\n", s->n_ratings, s->n_users, s->n_items);
    fprintf(f, "  \"sparsity\": %.17g,\n", s->sparsity);
    fprintf(f, "  \"rating_mean\": %.17g,\n  \"rating_std\": %.17g,\n", s->mean, s->stddev);
    fprintf(f, "  \"rating_min\": %.17g,\n  \"rating_max\": %.17g,\n", s->min, s->max);
    fprintf(f, "  \"duplicates\": %zu,\n  \"bad_lines\": %zu,\n", r->n_duplicates, r->n_bad_lines);
    fputs("  \"histogram\": [", f);
    for (size_t b = 0; b < s->n_bins; b++)
        fprintf(f, "%s\n    {\"rating\": %.9g, \"count\": %zu}", b ? "," : "", s->bins[b].value, s->bins[b].count);
    fputs("\n  ],\n", f);
    json_dist(f, "ratings_per_user", &s->per_user);
    json_dist(f, "ratings_per_movie", &s->per_item);
    fputs("  \"top_movies\": [", f);
    for (size_t t = 0; t < s->n_top; t++) {
        fprintf(f, "%s\n    {\"movie\": ", t ? "," : "");
        als_json_str(f, als_idmap_str(&r->items, s->top[t].item));
        fprintf(f, ", \"ratings\": %zu, \"mean\": %.17g", s->top[t].count, s->top[t].mean);
        const char *title = item_title(r, m, s->top[t].item);
        if (title) {
            fputs(", \"title\": ", f);
            als_json_str(f, title);
        }
        fputc('}', f);
    }
    fputs(s->n_top ? "\n  ]" : "]", f);
    if (s->has_movies) {
        fprintf(f, ",\n  \"catalogue\": {\n    \"movies\": %zu,\n    \"unrated\": %zu,\n"
                   "    \"rated_not_in_catalogue\": %zu,\n    \"movies_without_genre\": %zu,\n"
                   "    \"unrated_ids\": [",
                s->n_catalogue, s->n_unrated, s->n_uncatalogued, s->n_no_genre);
        for (size_t j = 0; j < s->n_unrated; j++) {
            fputs(j ? ", " : "", f);
            als_json_str(f, als_idmap_str(&m->ids, (uint32_t)s->unrated[j]));
        }
        fputs("],\n    \"genres\": [", f);
        for (size_t g = 0; g < s->n_genres; g++) {
            fprintf(f, "%s\n      {\"genre\": ", g ? "," : "");
            als_json_str(f, s->genres[g].name);
            fprintf(f, ", \"ratings\": %zu, \"movies\": %zu}", s->genres[g].ratings, s->genres[g].movies);
        }
        fputs(s->n_genres ? "\n    ]\n  }" : "]\n  }", f);
    }
    fputs("\n}\n", f);
}

void als_stats_write(const als_stats *s, const als_ratings *r, const als_movies *movies,
                     const char *source, als_stats_format fmt, FILE *f)
{
    switch (fmt) {
    case ALS_STATS_TEXT: write_text(s, r, movies, source, f); break;
    case ALS_STATS_CSV: write_csv(s, r, movies, source, f); break;
    case ALS_STATS_JSON: write_json(s, r, movies, source, f); break;
    }
}
