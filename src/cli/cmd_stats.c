/* cmd_stats.c — `alstune stats`: load a ratings file (and optionally a movie catalogue) and print
 * the exploratory statistics of als_stats as text, CSV or JSON.  Every problem with the input
 * files, including a missing or unreadable file, exits with status 2 (docs/data.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_data.h"
#include "als_stats.h"
#include "cli.h"

const char als_help_stats[] =
    "Usage: alstune stats DATA [--movies FILE] [--format text|csv|json] [--top N]\n"
    "                     [--input-format FMT] [--skip-bad-lines] [--duplicates last|first|error]\n"
    "                     [--rating-range MIN,MAX] [--user-col NAME] [--item-col NAME]\n"
    "                     [--rating-col NAME]\n"
    "\n"
    "Exploratory statistics of a ratings file: number of ratings, users and movies, sparsity,\n"
    "the rating histogram and mean, ratings per user and per movie (min/median/mean/max), the\n"
    "most-rated movies and, with a catalogue, genre counts and the movies nobody rated.\n"
    "\n"
    "DATA is MovieLens ratings.csv, ratings.dat or Spark's sample_movielens_ratings.txt\n"
    "(user::item::rating[::timestamp]), ml-100k u.data, or a CSV/TSV file with a header naming\n"
    "its columns; the format is detected from the first line (see docs/data.md).\n"
    "\n"
    "Options:\n"
    "  --movies FILE         movie catalogue for titles and genres: movies.csv, u.item or\n"
    "                        movies.dat (detected from the content)\n"
    "  --format FMT          output: text (default), csv (metric,value rows) or json\n"
    "  --top N               list the N most-rated movies (default 10; 0 = none)\n"
    "  --input-format FMT    auto (default), csv, tsv, udata or dat ('::'-separated)\n"
    "  --skip-bad-lines      skip malformed lines and report how many (warning on stderr)\n"
    "                        instead of failing at the first one\n"
    "  --duplicates POLICY   a (user, movie) pair rated more than once: keep the last rating\n"
    "                        (last, default), the first (first), or fail (error)\n"
    "  --rating-range MIN,MAX  reject ratings outside [MIN, MAX]\n"
    "  --user-col NAME, --item-col NAME, --rating-col NAME\n"
    "                        header names of the columns in a CSV/TSV file (defaults accept\n"
    "                        userId/user/user_id, movieId/itemId/item/movie, rating/score/count)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok; 2 bad usage or bad input, including a missing or unreadable file\n"
    "(message 'path:line: error: ...'); 3 out of memory.\n";

int als_cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"movies", required_argument, NULL, 'm'},      {"format", required_argument, NULL, 'f'},
        {"top", required_argument, NULL, 't'},         {"input-format", required_argument, NULL, 'i'},
        {"skip-bad-lines", no_argument, NULL, 's'},    {"duplicates", required_argument, NULL, 'D'},
        {"rating-range", required_argument, NULL, 'r'}, {"user-col", required_argument, NULL, 'U'},
        {"item-col", required_argument, NULL, 'I'},    {"rating-col", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0}};
    als_load_opts lo;
    als_load_opts_default(&lo);
    als_stats_format fmt = ALS_STATS_TEXT;
    const char *movies_path = NULL;
    long top = 10;
    int c, rc;

    while ((c = als_cli_getopt("stats", argc, argv, ":", longopts)) != -1) {
        switch (c) {
        case 'm': movies_path = optarg; break;
        case 'f':
            if (!als_stats_format_parse(optarg, &fmt))
                return als_cli_usage_error("stats", "--format expects text, csv or json, got '%s'", optarg);
            break;
        case 't':
            if ((rc = als_cli_int("stats", "--top", optarg, 0, 1000000, &top)))
                return rc;
            break;
        case 'i':
            if (!als_format_parse(optarg, &lo.format))
                return als_cli_usage_error("stats", "--input-format expects auto, csv, tsv, udata or dat, got '%s'",
                                           optarg);
            break;
        case 's': lo.skip_bad_lines = true; break;
        case 'D':
            if (strcmp(optarg, "last") == 0)
                lo.duplicates = ALS_DUP_LAST;
            else if (strcmp(optarg, "first") == 0)
                lo.duplicates = ALS_DUP_FIRST;
            else if (strcmp(optarg, "error") == 0)
                lo.duplicates = ALS_DUP_ERROR;
            else
                return als_cli_usage_error("stats", "--duplicates expects last, first or error, got '%s'", optarg);
            break;
        case 'r': {
            char *comma = strchr(optarg, ',');
            if (!comma || !als_parse_double(optarg, (size_t)(comma - optarg), &lo.min_rating) ||
                !als_parse_double(comma + 1, strlen(comma + 1), &lo.max_rating) ||
                lo.min_rating > lo.max_rating)
                return als_cli_usage_error("stats", "--rating-range expects MIN,MAX with MIN <= MAX, got '%s'",
                                           optarg);
            lo.has_range = true;
            break;
        }
        case 'U': lo.user_col = optarg; break;
        case 'I': lo.item_col = optarg; break;
        case 'R': lo.rating_col = optarg; break;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (als_cli_operands("stats", argc, argv, 1, "expected a ratings file", "one ratings file"))
        return 2;
    const char *path = argv[optind];

    als_ratings r;
    als_movies mv;
    als_stats s;
    als_diag d;
    als_status st;
    als_ratings_init(&r);
    als_movies_init(&mv);
    memset(&s, 0, sizeof s);
    if ((st = als_ratings_load(&r, path, &lo, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    if (r.n_bad_lines) {
        /* d holds the first skipped line's message */
        als_diag w = d;
        snprintf(w.msg, sizeof w.msg, "skipped %zu bad line%s (the first: %.900s)", r.n_bad_lines,
                 r.n_bad_lines == 1 ? "" : "s", d.msg);
        als_diag_print_warning(&w, stderr);
    }
    if (r.n_duplicates) {
        als_diag w;
        als_diag_set(&w, ALS_OK, path, 0, 0, "%zu duplicate (user, movie) rating%s dropped, kept the %s",
                     r.n_duplicates, r.n_duplicates == 1 ? "" : "s",
                     lo.duplicates == ALS_DUP_FIRST ? "first" : "last");
        als_diag_print_warning(&w, stderr);
    }
    if (movies_path && (st = als_movies_load(&mv, movies_path, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    if ((st = als_stats_compute(&s, &r, movies_path ? &mv : NULL, (size_t)top, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    als_stats_write(&s, &r, movies_path ? &mv : NULL, path, fmt, stdout);
    rc = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "alstune stats: error writing the output\n");
        rc = 3;
    }
done:
    als_stats_free(&s);
    als_movies_free(&mv);
    als_ratings_free(&r);
    return rc;
}
