/* fuzz_movies — the movie catalogue loader (als_movies_load: movies.csv, u.item, movies.dat,
 * detected from the content).  The input is the file; it is written to the scratch folder.
 * On success every title and genre list must be valid UTF-8 and findable by its id. */
#include "fuzz_common.h"

#include "als_data.h"

static bool utf8_ok(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s++, n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (n == 9)
            return false;
        while (n--)
            if ((*s++ & 0xC0) != 0x80)
                return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[512];
    if (!path[0])
        fz_path(path, sizeof path, fz_dir(), "movies.csv");
    fz_write(path, data, size);
    fz_cli_args((const char *const[]){"stats", FUZZ_SRCDIR "/tests/fixtures/data/ratings.csv", "--movies",
                                      "@/movies.csv", NULL});
    als_movies m;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_movies_load(&m, path, &d);
    if (st == ALS_OK) {
        FZ_ASSERT(m.ids.n == m.n);
        for (size_t i = 0; i < m.n; i++) {
            const char *id = als_idmap_str(&m.ids, (uint32_t)i);
            FZ_ASSERT(m.title[i] && m.genres[i]);
            FZ_ASSERT(utf8_ok((const unsigned char *)m.title[i]));
            FZ_ASSERT(utf8_ok((const unsigned char *)m.genres[i]));
            FZ_ASSERT(als_movies_title(&m, id) == m.title[i]);
            FZ_ASSERT(als_movies_genres(&m, id) == m.genres[i]);
        }
    } else {
        FZ_CHECK_DIAG(st, d);
        FZ_ASSERT(m.n == 0);
    }
    als_movies_free(&m);
    return 0;
}
