/* test_synth — the synthetic generator's contract: exact sizes, distinct pairs, minimum per user,
 * ids, value ranges, determinism (also across thread counts), MovieLens-like shape of the
 * presets, and files that the data module reads back. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "als_synth.h"

static als_synth_opts custom(uint32_t users, uint32_t items, uint64_t ratings, uint64_t seed)
{
    als_synth_opts o;
    cr_assert(als_synth_preset(&o, "ml-100k", seed), "ml-100k preset");
    o.users = users;
    o.items = items;
    o.ratings = ratings;
    return o;
}

static void gen(const als_synth_opts *o, als_ratings *r, als_movies *m)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_synth_generate(o, r, m, &d);
    cr_assert_eq(st, ALS_OK, "als_synth_generate: status %d: %s", st, d.msg);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The structural invariants every generated data set must satisfy. */
static void check_invariants(const als_synth_opts *o, const als_ratings *r)
{
    cr_assert_eq(r->n, (size_t)o->ratings, "n = %zu, want exactly %llu", r->n, (unsigned long long)o->ratings);
    cr_assert_eq(r->users.n, o->users, "users interned: %u, want %u", r->users.n, o->users);
    cr_assert_eq(r->items.n, o->items, "items interned: %u, want %u", r->items.n, o->items);
    /* ids are "1".."N" in index order */
    char want[16];
    for (uint32_t u = 0; u < o->users; u += 1 + o->users / 7) {
        snprintf(want, sizeof want, "%u", u + 1);
        cr_assert_str_eq(als_idmap_str(&r->users, u), want, "user id of index %u", u);
    }
    snprintf(want, sizeof want, "%u", o->items);
    cr_assert_str_eq(als_idmap_str(&r->items, o->items - 1), want, "last item id");

    uint32_t *per_user = calloc(o->users, sizeof *per_user);
    uint32_t *per_item = calloc(o->items, sizeof *per_item);
    uint64_t *pairs = malloc(r->n * sizeof *pairs);
    for (size_t e = 0; e < r->n; e++) {
        cr_assert(r->user[e] < o->users && r->item[e] < o->items, "rating %zu: (%u, %u) out of range", e,
                  r->user[e], r->item[e]);
        if (e > 0) /* grouped by user, items ascending within a user */
            cr_assert(r->user[e] > r->user[e - 1] || (r->user[e] == r->user[e - 1] && r->item[e] > r->item[e - 1]),
                      "rating %zu: (%u, %u) after (%u, %u) breaks the (user, item) order", e, r->user[e],
                      r->item[e], r->user[e - 1], r->item[e - 1]);
        per_user[r->user[e]]++;
        per_item[r->item[e]]++;
        pairs[e] = (uint64_t)r->user[e] << 32 | r->item[e];
        float v = r->rating[e];
        if (o->implicit)
            cr_assert(v >= 1.0f && v == floorf(v), "rating %zu: play count %g is not an integer >= 1", e, v);
        else
            cr_assert(v >= 1.0f && v <= 5.0f && v == floorf(v), "rating %zu: %g is not a whole star 1..5", e, v);
    }
    qsort(pairs, r->n, sizeof *pairs, cmp_u64);
    for (size_t e = 1; e < r->n; e++)
        cr_assert(pairs[e] != pairs[e - 1], "duplicate pair (%u, %u)", (unsigned)(pairs[e] >> 32),
                  (unsigned)(pairs[e] & 0xffffffffu));
    for (uint32_t u = 0; u < o->users; u++)
        cr_assert(per_user[u] >= o->min_per_user, "user %u has %u ratings < min_per_user %u", u, per_user[u],
                  o->min_per_user);
    if (o->ratings >= o->items)
        for (uint32_t i = 0; i < o->items; i++)
            cr_assert(per_item[i] >= 1, "item %u has no rating (ratings %llu >= items %u)", i,
                      (unsigned long long)o->ratings, o->items);
    free(per_user);
    free(per_item);
    free(pairs);
}

static bool same(const als_ratings *a, const als_ratings *b)
{
    return a->n == b->n && memcmp(a->user, b->user, a->n * sizeof *a->user) == 0 &&
           memcmp(a->item, b->item, a->n * sizeof *a->item) == 0 &&
           memcmp(a->rating, b->rating, a->n * sizeof *a->rating) == 0;
}

Test(preset, values)
{
    als_synth_opts o;
    cr_assert(als_synth_preset(&o, "ml-1m", 5), "ml-1m");
    cr_assert(o.users == 6040 && o.items == 3706 && o.ratings == 1000209 && !o.implicit && o.seed == 5,
              "ml-1m: %u %u %llu implicit %d seed %llu", o.users, o.items, (unsigned long long)o.ratings,
              o.implicit, (unsigned long long)o.seed);
    cr_assert(als_synth_preset(&o, "ml-25m", 1), "ml-25m");
    cr_assert(o.users == 162541 && o.items == 59047 && o.ratings == 25000095, "ml-25m sizes %u %u %llu", o.users,
              o.items, (unsigned long long)o.ratings);
    cr_assert(als_synth_preset(&o, "msd", 1) && o.implicit, "msd is implicit");
    cr_assert(als_synth_preset(&o, NULL, 1) && o.users == 943 && o.items == 1682 && o.ratings == 100000 &&
                  o.rank == 10 && o.min_per_user == 20,
              "NULL is ml-100k: %u %u %llu rank %d min %u", o.users, o.items, (unsigned long long)o.ratings,
              o.rank, o.min_per_user);
    cr_assert(als_synth_preset(&o, "", 1) && o.users == 943, "\"\" is ml-100k");
    cr_assert(!als_synth_preset(&o, "ml-10m", 1), "unknown preset must fail");
}

Test(check, rejects_inconsistent_options)
{
    struct { const char *what; uint32_t users, items; uint64_t ratings; int rank; double noise; uint32_t minpu; } bad[] = {
        {"users", 0, 10, 10, 10, 0.5, 0},
        {"items", 10, 0, 10, 10, 0.5, 0},
        {"ratings", 10, 10, 0, 10, 0.5, 0},
        {"exceed users", 10, 10, 101, 10, 0.5, 0},
        {"min_per_user", 10, 10, 50, 10, 0.5, 11},
        {"min_per_user × users", 10, 30, 50, 10, 0.5, 6},
        {"rank", 10, 10, 50, 0, 0.5, 0},
        {"noise", 10, 10, 50, 10, -1.0, 0},
        {"noise", 10, 10, 50, 10, NAN, 0},
    };
    for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
        als_synth_opts o = custom(bad[t].users, bad[t].items, bad[t].ratings, 1);
        o.rank = bad[t].rank;
        o.noise = bad[t].noise;
        o.min_per_user = bad[t].minpu;
        als_diag d;
        als_diag_clear(&d);
        cr_assert_eq(als_synth_check(&o, &d), ALS_E_INPUT, "case %zu (%s) must be rejected", t, bad[t].what);
        cr_assert(strstr(d.msg, bad[t].what) != NULL, "case %zu: message '%s' should mention '%s'", t, d.msg,
                  bad[t].what);
        als_ratings r;
        cr_assert_eq(als_synth_generate(&o, &r, NULL, &d), ALS_E_INPUT, "generate must refuse case %zu", t);
        cr_assert(r.n == 0 && r.user == NULL, "nothing allocated on failure");
    }
    als_synth_opts ok = custom(10, 10, 100, 1);
    ok.min_per_user = 10;
    cr_assert_eq(als_synth_check(&ok, NULL), ALS_OK, "the full 10x10 matrix is allowed");
}

Test(generate, invariants_custom)
{
    als_synth_opts o = custom(300, 500, 20000, 11);
    als_ratings r;
    gen(&o, &r, NULL);
    check_invariants(&o, &r);
    als_ratings_free(&r);
}

Test(generate, dense_and_nearly_dense)
{
    /* every pair: the sampler must fall back to sampling without replacement over all items */
    als_synth_opts o = custom(12, 30, 360, 3);
    o.min_per_user = 30;
    als_ratings r;
    gen(&o, &r, NULL);
    check_invariants(&o, &r);
    als_ratings_free(&r);
    o = custom(40, 30, 1100, 4);
    o.min_per_user = 5;
    gen(&o, &r, NULL);
    check_invariants(&o, &r);
    als_ratings_free(&r);
    /* fewer ratings than items: no coverage guarantee, the rest holds */
    o = custom(5, 1000, 100, 5);
    gen(&o, &r, NULL);
    check_invariants(&o, &r);
    als_ratings_free(&r);
}

Test(generate, deterministic_seeded_and_thread_independent)
{
    als_synth_opts o = custom(400, 600, 30000, 21);
    als_ratings a, b, c;
#ifdef _OPENMP
    int nt = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    gen(&o, &a, NULL);
#ifdef _OPENMP
    omp_set_num_threads(3); /* more threads than cores is fine: the result must not change */
#endif
    gen(&o, &b, NULL);
#ifdef _OPENMP
    omp_set_num_threads(nt);
#endif
    cr_assert(same(&a, &b), "1 thread and 3 threads gave different ratings");
    o.seed = 22;
    gen(&o, &c, NULL);
    cr_assert(!same(&a, &c), "seeds 21 and 22 gave the same ratings");
    als_ratings_free(&a);
    als_ratings_free(&b);
    als_ratings_free(&c);
}

Test(generate, implicit_counts)
{
    als_synth_opts o;
    cr_assert(als_synth_preset(&o, "msd", 5), "msd");
    o.users = 2000;
    o.items = 1500;
    o.ratings = 100000;
    als_ratings r;
    gen(&o, &r, NULL);
    check_invariants(&o, &r);
    /* heavy-tailed counts: most are small, a few are large */
    size_t ones = 0;
    float mx = 0;
    double sum = 0;
    for (size_t e = 0; e < r.n; e++) {
        ones += r.rating[e] == 1.0f;
        mx = fmaxf(mx, r.rating[e]);
        sum += r.rating[e];
    }
    double mean = sum / (double)r.n;
    cr_assert(ones > r.n / 4 && ones < r.n * 9 / 10, "share of count 1: %zu of %zu", ones, r.n);
    cr_assert(mx >= 50 * mean, "max count %g should dwarf the mean %g (heavy tail)", mx, mean);
    als_ratings_free(&r);
}

/* The ml-100k preset looks like ml-100k: rating histogram, mean, spread, long tails. */
Test(generate, ml100k_shape)
{
    als_synth_opts o;
    cr_assert(als_synth_preset(&o, "ml-100k", 42), "preset");
    als_ratings r;
    gen(&o, &r, NULL);
    check_invariants(&o, &r);
    double sum = 0, sq = 0;
    size_t hist[6] = {0};
    uint32_t *pi = calloc(o.items, sizeof *pi), *pu = calloc(o.users, sizeof *pu);
    for (size_t e = 0; e < r.n; e++) {
        sum += r.rating[e];
        sq += r.rating[e] * r.rating[e];
        hist[(int)r.rating[e]]++;
        pi[r.item[e]]++;
        pu[r.user[e]]++;
    }
    double mean = sum / r.n, sd = sqrt(sq / r.n - mean * mean);
    /* real ml-100k: mean 3.53, sd 1.13, stars 6% 11% 27% 34% 21% */
    cr_assert(mean > 3.35 && mean < 3.75, "mean rating %g, real ml-100k 3.53", mean);
    cr_assert(sd > 0.95 && sd < 1.3, "rating sd %g, real ml-100k 1.13", sd);
    for (int s = 1; s <= 5; s++)
        cr_assert(hist[s] > r.n / 50, "star %d has only %zu ratings", s, hist[s]);
    cr_assert(hist[4] > hist[2] && hist[3] > hist[1], "histogram shape: %zu %zu %zu %zu %zu", hist[1], hist[2],
              hist[3], hist[4], hist[5]);
    uint32_t top = 0, heavy = 0;
    size_t items_le_5 = 0;
    for (uint32_t i = 0; i < o.items; i++) {
        top = pi[i] > top ? pi[i] : top;
        items_le_5 += pi[i] <= 5;
    }
    for (uint32_t u = 0; u < o.users; u++)
        heavy = pu[u] > heavy ? pu[u] : heavy;
    /* real: most-rated movie 583 ratings, 141+ movies with a single rating; busiest user 737 */
    cr_assert(top > 300 && top < 800, "most-rated item has %u ratings", top);
    cr_assert(items_le_5 > 50, "only %zu items with <= 5 ratings: the tail is too thin", items_le_5);
    cr_assert(heavy > 400, "busiest user has %u ratings: activity not long-tailed", heavy);
    free(pi);
    free(pu);
    als_ratings_free(&r);
}

Test(generate, movies_catalogue)
{
    als_synth_opts o = custom(50, 120, 3000, 9);
    als_ratings r;
    als_movies m;
    gen(&o, &r, &m);
    cr_assert_eq(m.n, 120, "movies: %zu", m.n);
    static const char *genres = "|Action|Adventure|Animation|Children|Comedy|Crime|Documentary|Drama|Fantasy|"
                                "Film-Noir|Horror|Musical|Mystery|Romance|Sci-Fi|Thriller|War|Western|";
    for (size_t i = 0; i < m.n; i++) {
        unsigned id;
        int year;
        char tail;
        cr_assert(sscanf(m.title[i], "Synthetic Movie %u (%d)%c", &id, &year, &tail) == 2 && id == i + 1 &&
                      year >= 1900 && year <= 2030,
                  "title %zu: '%s'", i, m.title[i]);
        cr_assert_str_eq(als_idmap_str(&m.ids, (uint32_t)i), als_idmap_str(&r.items, (uint32_t)i),
                         "movie id %zu matches the ratings' item id", i);
        cr_assert(m.genres[i][0] != '\0', "movie %zu has genres", i);
        char g[256];
        snprintf(g, sizeof g, "%s", m.genres[i]);
        for (char *tok = strtok(g, "|"); tok; tok = strtok(NULL, "|")) {
            char pat[64];
            snprintf(pat, sizeof pat, "|%s|", tok);
            cr_assert(strstr(genres, pat), "movie %zu: '%s' is not a MovieLens genre", i, tok);
        }
    }
    als_ratings_free(&r);
    als_movies_free(&m);
}

Test(files, write_and_read_back)
{
    als_synth_opts o = custom(60, 90, 2500, 13);
    als_ratings r, back;
    als_movies m, mback;
    gen(&o, &r, &m);
    char dir[] = "/tmp/test_synth.XXXXXX";
    cr_assert(mkdtemp(dir), "mkdtemp");
    char rp[128], mp[128];
    snprintf(rp, sizeof rp, "%s/ratings.csv", dir);
    snprintf(mp, sizeof mp, "%s/movies.csv", dir);
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_synth_write_ratings(&r, rp, &d), ALS_OK, "write ratings: %s", d.msg);
    cr_assert_eq(als_synth_write_movies(&m, mp, &d), ALS_OK, "write movies: %s", d.msg);

    FILE *f = fopen(rp, "r");
    char line[256];
    cr_assert(f && fgets(line, sizeof line, f), "read header");
    cr_assert_str_eq(line, "userId,movieId,rating,timestamp\n", "header");
    cr_assert(fgets(line, sizeof line, f), "first line");
    unsigned uid, iid;
    long ts;
    int stars;
    cr_assert(sscanf(line, "%u,%u,%d,%ld", &uid, &iid, &stars, &ts) == 4 && uid == 1 && ts > 900000000L,
              "first line '%s'", line);
    fclose(f);

    als_load_opts lo;
    als_load_opts_default(&lo);
    cr_assert_eq(als_ratings_load(&back, rp, &lo, &d), ALS_OK, "load back: %s", d.msg);
    cr_assert_eq(back.n, r.n, "read back %zu of %zu", back.n, r.n);
    for (size_t e = 0; e < r.n; e++) {
        /* same lines in the same order; dense item indices differ (first-seen order), ids do not */
        const char *u0 = als_idmap_str(&r.users, r.user[e]), *u1 = als_idmap_str(&back.users, back.user[e]);
        const char *i0 = als_idmap_str(&r.items, r.item[e]), *i1 = als_idmap_str(&back.items, back.item[e]);
        cr_assert(strcmp(u0, u1) == 0 && strcmp(i0, i1) == 0 && back.rating[e] == r.rating[e],
                  "rating %zu: (%s, %s, %g) read back as (%s, %s, %g)", e, u0, i0, r.rating[e], u1, i1,
                  back.rating[e]);
    }
    cr_assert_eq(als_movies_load(&mback, mp, &d), ALS_OK, "load movies back: %s", d.msg);
    cr_assert_eq(mback.n, m.n, "movies read back %zu of %zu", mback.n, m.n);
    cr_assert_str_eq(als_movies_title(&mback, "7"), m.title[6], "title of movie 7");
    cr_assert_str_eq(als_movies_genres(&mback, "7"), m.genres[6], "genres of movie 7");

    als_ratings_free(&r);
    als_ratings_free(&back);
    als_movies_free(&m);
    als_movies_free(&mback);
    unlink(rp);
    unlink(mp);
    rmdir(dir);
}

Test(files, write_to_missing_directory_fails)
{
    als_synth_opts o = custom(10, 20, 200, 1);
    o.min_per_user = 5;
    als_ratings r;
    gen(&o, &r, NULL);
    als_diag d;
    als_diag_clear(&d);
    cr_assert_eq(als_synth_write_ratings(&r, "/nonexistent-dir/ratings.csv", &d), ALS_E_IO, "must fail with I/O");
    cr_assert(strstr(d.path, "/nonexistent-dir/ratings.csv"), "diag names the path: '%s'", d.path);
    als_ratings_free(&r);
}
