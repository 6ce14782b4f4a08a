/* fuzz_ratings — the ratings parser (als_ratings_parse) in every format and option combination.
 *
 * Input: 4 option bytes, then the file text.
 *   byte 0: bits 0-2 format (auto, csv, dat, udata, tsv; 5-7 → auto), bit 3 skip_bad_lines,
 *           bits 4-5 duplicates (last, first, error, last), bit 6 has_range,
 *           bit 7 parse from a copy with no spare byte after it (otherwise a NUL follows, as
 *           with als_read_file)
 *   byte 1: bits 0-2 min_rating, bits 3-5 max_rating (from a table with odd values)
 *   byte 2: bits 0-3 user_col, bits 4-7 item_col (0 = NULL: the defaults; else a name)
 *   byte 3: bits 0-3 rating_col
 * On success the result's invariants are checked; on failure the diagnostic must be set. */
#include "fuzz_common.h"

#include <math.h>

#include "als_data.h"

static const double range_vals[8] = {0.5, 1.0, 5.0, 0.0, -1.0, 4.5, 1e308, -1e-300};
static const char *const col_names[16] = {
    NULL, "userId", "movieId", "rating", "customer", "product", "score", "", "user", "item",
    "count", "USERID", "a", "user_id", "movie", "timestamp"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    als_load_opts o;
    als_load_opts_default(&o);
    unsigned b0 = data[0], b1 = data[1], b2 = data[2], b3 = data[3];
    o.format = (als_format)((b0 & 7) < 5 ? (b0 & 7) : 0);
    o.skip_bad_lines = (b0 >> 3) & 1;
    o.duplicates = (als_dup_policy)(((b0 >> 4) & 3) % 3);
    o.has_range = (b0 >> 6) & 1;
    o.min_rating = range_vals[b1 & 7];
    o.max_rating = range_vals[(b1 >> 3) & 7];
    o.user_col = col_names[b2 & 15];
    o.item_col = col_names[(b2 >> 4) & 15];
    o.rating_col = col_names[b3 & 15];
    bool exact = (b0 >> 7) & 1;
    size_t len = size - 4;
    /* a heap copy of exactly len bytes (plus the NUL that als_read_file adds, unless exact), so
     * AddressSanitizer sees any read past the end */
    char *buf = malloc(exact ? (len ? len : 1) : len + 1);
    memcpy(buf, data + 4, len);
    if (!exact)
        buf[len] = 0;

    if (getenv("FUZZ_UNPACK")) { /* the file and the `alstune stats` options it stands for */
        static const char *const fmt[5] = {"auto", "csv", "dat", "udata", "tsv"};
        static const char *const dup[3] = {"last", "first", "error"};
        const char *argv[20];
        char range[80], path[512];
        int k = 0;
        fz_write(fz_path(path, sizeof path, fz_dir(), "ratings.txt"), data + 4, len);
        argv[k++] = "stats";
        argv[k++] = "@/ratings.txt";
        argv[k++] = "--input-format";
        argv[k++] = fmt[o.format];
        if (o.skip_bad_lines)
            argv[k++] = "--skip-bad-lines";
        argv[k++] = "--duplicates";
        argv[k++] = dup[o.duplicates];
        if (o.has_range) {
            snprintf(range, sizeof range, "%.17g,%.17g", o.min_rating, o.max_rating);
            argv[k++] = "--rating-range";
            argv[k++] = range;
        }
        const char *const *cols[3] = {&o.user_col, &o.item_col, &o.rating_col};
        const char *const opt[3] = {"--user-col", "--item-col", "--rating-col"};
        for (int i = 0; i < 3; i++)
            if (*cols[i]) {
                argv[k++] = opt[i];
                argv[k++] = *cols[i];
            }
        argv[k] = NULL;
        fz_cli_args(argv);
    }

    als_ratings r;
    als_ratings_init(&r);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_ratings_parse(&r, buf, len, "fuzz.csv", &o, &d);
    if (st == ALS_OK) {
        FZ_ASSERT(r.n == 0 || (r.user && r.item && r.rating));
        FZ_ASSERT(r.format != ALS_FMT_AUTO);
        for (size_t k = 0; k < r.n; k++) {
            FZ_ASSERT(r.user[k] < r.users.n);
            FZ_ASSERT(r.item[k] < r.items.n);
            FZ_ASSERT(isfinite(r.rating[k]));
            if (o.has_range)
                FZ_ASSERT(r.rating[k] >= (float)o.min_rating - 1e-6f * fabsf((float)o.min_rating) &&
                          r.rating[k] <= (float)o.max_rating + 1e-6f * fabsf((float)o.max_rating));
        }
        size_t total = 0;
        for (uint32_t i = 0; i < r.users.n; i++) {
            const char *s = als_idmap_str(&r.users, i);
            total += strlen(s);
            FZ_ASSERT(als_idmap_find(&r.users, s, strlen(s)) == (int64_t)i);
        }
        for (uint32_t i = 0; i < r.items.n; i++) {
            const char *s = als_idmap_str(&r.items, i);
            total += strlen(s);
            FZ_ASSERT(als_idmap_find(&r.items, s, strlen(s)) == (int64_t)i);
        }
        FZ_ASSERT(total <= len);
        if (r.n_bad_lines > 0)
            FZ_ASSERT(o.skip_bad_lines && r.first_bad_line > 0);
        if (o.duplicates == ALS_DUP_ERROR)
            FZ_ASSERT(r.n_duplicates == 0);
    } else {
        FZ_CHECK_DIAG(st, d);
        FZ_ASSERT(r.n == 0);
    }
    als_ratings_free(&r);
    free(buf);
    return 0;
}
