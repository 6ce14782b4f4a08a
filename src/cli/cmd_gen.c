/* cmd_gen.c — `alstune gen`: write deterministic synthetic MovieLens-like data (als_synth). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_synth.h"
#include "als_util.h"
#include "cli.h"

const char als_help_gen[] =
    "Usage: alstune gen [--preset NAME] [OPTIONS] [--seed S] -o DIR\n"
    "\n"
    "Generate deterministic synthetic MovieLens-like data into the directory DIR (created if\n"
    "needed): DIR/ratings.csv (userId,movieId,rating,timestamp) and a matching DIR/movies.csv\n"
    "(movieId,title,genres).  The same options always give the same bytes, whatever the machine\n"
    "load or thread count.  Explicit ratings are whole stars 1-5 from a planted low-rank model;\n"
    "--implicit writes play counts >= 1 instead.  See docs/synthetic.md.\n"
    "\n"
    "Options:\n"
    "  -p, --preset NAME       ml-100k (default: 943 users, 1682 movies, 100000 ratings),\n"
    "                          ml-1m (6040, 3706, 1000209), ml-25m (162541, 59047, 25000095),\n"
    "                          msd (implicit play counts: 20000 users, 10000 songs, 1000000 plays)\n"
    "  -u, --users N           number of users (overrides the preset)\n"
    "  -i, --items M           number of movies\n"
    "  -r, --ratings R         exact number of ratings (distinct user-movie pairs)\n"
    "  -k, --rank K            rank of the planted model (default 10)\n"
    "  -n, --noise S           sd of the Gaussian noise before rounding (explicit; presets: 0.82)\n"
    "      --implicit          play counts instead of star ratings\n"
    "      --explicit          star ratings (undoes --implicit or the msd preset)\n"
    "  -m, --min-per-user N    every user gets at least N ratings (preset: 20; msd: 10)\n"
    "  -s, --seed S            random seed, an integer >= 0 (default 42)\n"
    "  -o, --out DIR           output directory (required)\n"
    "  -q, --quiet             do not print the summary line\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 ok, 2 bad option or inconsistent sizes, 3 I/O error.\n";

#define CMD "gen"

int als_cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"preset", required_argument, NULL, 'p'},  {"users", required_argument, NULL, 'u'},
        {"items", required_argument, NULL, 'i'},   {"ratings", required_argument, NULL, 'r'},
        {"rank", required_argument, NULL, 'k'},    {"noise", required_argument, NULL, 'n'},
        {"implicit", no_argument, NULL, 'I'},      {"explicit", no_argument, NULL, 'E'},
        {"min-per-user", required_argument, NULL, 'm'}, {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},     {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    const char *preset = NULL, *out = NULL;
    long users = -1, items = -1, ratings = -1, rank = -1, minpu = -1, seed = 42;
    double noise = -1.0;
    int implicit = -1; /* -1: the preset's */
    bool quiet = false;
    int c;
    while ((c = als_cli_getopt(CMD, argc, argv, ":p:u:i:r:k:n:m:s:o:q", opts)) != -1) {
        switch (c) {
        case 'p': preset = optarg; break;
        case 'u':
            if (als_cli_int(CMD, "--users", optarg, 1, (long)UINT32_MAX - 2, &users))
                return 2;
            break;
        case 'i':
            if (als_cli_int(CMD, "--items", optarg, 1, (long)UINT32_MAX - 2, &items))
                return 2;
            break;
        case 'r':
            if (als_cli_int(CMD, "--ratings", optarg, 1, 1L << 40, &ratings))
                return 2;
            break;
        case 'k':
            if (als_cli_int(CMD, "--rank", optarg, 1, 1000, &rank))
                return 2;
            break;
        case 'n':
            if (als_cli_double(CMD, "--noise", optarg, 0.0, 100.0, &noise))
                return 2;
            break;
        case 'm':
            if (als_cli_int(CMD, "--min-per-user", optarg, 0, (long)UINT32_MAX - 2, &minpu))
                return 2;
            break;
        case 's':
            if (als_cli_int(CMD, "--seed", optarg, 0, INT64_MAX, &seed))
                return 2;
            break;
        case 'I': implicit = 1; break;
        case 'E': implicit = 0; break;
        case 'o': out = optarg; break;
        case 'q': quiet = true; break;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (optind < argc)
        return als_cli_usage_error(CMD, "unexpected argument '%s' (the output directory goes after -o)",
                                   argv[optind]);
    if (!out)
        return als_cli_usage_error(CMD, "missing -o DIR (the output directory)");

    als_synth_opts o;
    if (!als_synth_preset(&o, preset, (uint64_t)seed))
        return als_cli_usage_error(CMD, "unknown preset '%s' (expected ml-100k, ml-1m, ml-25m or msd)", preset);
    if (users > 0)
        o.users = (uint32_t)users;
    if (items > 0)
        o.items = (uint32_t)items;
    if (ratings > 0)
        o.ratings = (uint64_t)ratings;
    if (rank > 0)
        o.rank = (int)rank;
    if (noise >= 0.0)
        o.noise = noise;
    if (minpu >= 0)
        o.min_per_user = (uint32_t)minpu;
    if (implicit >= 0)
        o.implicit = implicit == 1;

    als_diag d;
    als_diag_clear(&d);
    als_status st = als_synth_check(&o, &d);
    if (st)
        return als_cli_fail(st, &d);
    if ((st = als_mkdir_p(out, &d)))
        return als_cli_fail(st, &d);

    double t0 = als_now();
    als_ratings r;
    als_movies mv;
    if ((st = als_synth_generate(&o, &r, &mv, &d)))
        return als_cli_fail(st, &d);
    double t1 = als_now();
    char rpath[4200], mpath[4200];
    als_path_join(rpath, sizeof rpath, out, "ratings.csv");
    als_path_join(mpath, sizeof mpath, out, "movies.csv");
    st = als_synth_write_ratings(&r, rpath, &d);
    if (!st)
        st = als_synth_write_movies(&mv, mpath, &d);
    double t2 = als_now();
    if (!st && !quiet)
        printf("wrote %zu %s (%u users, %u movies, preset %s, seed %ld) to %s and %s "
               "(generate %.2f s, write %.2f s)\n",
               r.n, o.implicit ? "play counts" : "ratings", o.users, o.items, o.preset, seed, rpath, mpath,
               t1 - t0, t2 - t1);
    als_ratings_free(&r);
    als_movies_free(&mv);
    return st ? als_cli_fail(st, &d) : 0;
}
