/* cmd_model.c — `alstune recommend`, `alstune similar` and `alstune foldin`: using a trained
 * model folder (docs/model.md), plus the helpers shared with cmd_evaluate.c. */
#define _POSIX_C_SOURCE 200809L
#include "cmd_model.h"
#include "als_util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als_limits.h"
#include "cli.h"

/* ---- shared helpers ----------------------------------------------------------------------- */

int cm_parse_format(const char *cmd, const char *s, cm_format *f)
{
    if (strcmp(s, "text") == 0)
        *f = OUT_TEXT;
    else if (strcmp(s, "csv") == 0)
        *f = OUT_CSV;
    else if (strcmp(s, "json") == 0)
        *f = OUT_JSON;
    else
        return als_cli_usage_error(cmd, "--format expects text, csv or json, got '%s'", s);
    return 0;
}

als_status cm_out_open(cm_out *o, const char *path, als_diag *d)
{
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->f = stdout;
        return ALS_OK;
    }
    als_status st = als_afile_open(&o->a, path, d);
    if (st)
        return st;
    o->f = o->a.f;
    o->to_file = true;
    return ALS_OK;
}

als_status cm_out_commit(cm_out *o, als_diag *d)
{
    if (o->to_file)
        return als_afile_commit(&o->a, d);
    if (fflush(stdout) != 0 || ferror(stdout))
        return als_diag_set(d, ALS_E_IO, "<stdout>", 0, 0, "write error: %s", strerror(errno));
    return ALS_OK;
}

void cm_out_abort(cm_out *o)
{
    if (o->to_file)
        als_afile_abort(&o->a);
}


static int ids_push(cm_ids *ids, const char *s, size_t len)
{
    if (ids->n == ids->cap) {
        size_t nc = ids->cap ? 2 * ids->cap : 16;
        char **nv = realloc(ids->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        ids->v = nv;
        ids->cap = nc;
    }
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    c[len] = '\0';
    ids->v[ids->n++] = c;
    return 0;
}

int cm_ids_add_list(cm_ids *ids, const char *list)
{
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len > 0 && ids_push(ids, s, len))
            return -1;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

als_status cm_ids_add_file(cm_ids *ids, const char *path, als_diag *d)
{
    char *buf;
    size_t len;
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    if (memchr(buf, '\0', len)) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "binary file (NUL byte), expected one id per line");
    }
    char *p = buf;
    for (char *line; (line = als_str_next_line(&p)) != NULL;) {
        const char *s = als_str_trim(line);
        size_t l = strlen(s);
        if (l == 0 || *s == '#')
            continue;
        if (ids_push(ids, s, l)) {
            free(buf);
            return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        }
    }
    free(buf);
    return ALS_OK;
}

void cm_ids_free(cm_ids *ids)
{
    for (size_t i = 0; i < ids->n; i++)
        free(ids->v[i]);
    free(ids->v);
    memset(ids, 0, sizeof *ids);
}

int cm_load_model(als_model_dir *md, const char *dir)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_model_load(md, dir, &d);
    if (st)
        return als_cli_fail(st, &d);
    return 0;
}

int cm_load_samples(als_model_dir *md, const char *dir, bool priors)
{
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_model_load_samples(md, dir, priors, &d);
    if (st)
        return als_cli_fail(st, &d);
    return 0;
}

int cm_load_movies(als_movies *mv, const char *path, bool *have)
{
    *have = false;
    if (!path)
        return 0;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_movies_load(mv, path, &d);
    if (st)
        return als_cli_fail(st, &d);
    *have = true;
    return 0;
}

/* ---- printing top-k lists ----------------------------------------------------------------- */

typedef struct {
    const char *qcol, *tcol, *scol; /* CSV/JSON column names of query, target, score */
    const char *listkey;            /* JSON key of the list */
    const char *noun;               /* text: "movies", "users", "similar movies"... */
    const als_idmap *tids;          /* target id strings */
    const als_movies *movies;       /* NULL: no titles */
    bool titles_on_target;          /* titles describe targets (else the query) */
    bool no_query_col;              /* foldin: no query column in CSV */
} listfmt;

static const char *title_of(const listfmt *lf, const char *id)
{
    const char *t = lf->movies ? als_movies_title(lf->movies, id) : NULL;
    return t ? t : "";
}

static const char *genres_of(const listfmt *lf, const char *id)
{
    const char *g = lf->movies ? als_movies_genres(lf->movies, id) : NULL;
    return g ? g : "";
}

static void print_header(FILE *f, cm_format fmt, const listfmt *lf)
{
    if (fmt == OUT_CSV) {
        if (!lf->no_query_col)
            fprintf(f, "%s,", lf->qcol);
        fprintf(f, "rank,%s,%s%s\n", lf->tcol, lf->scol, lf->movies ? ",title,genres" : "");
    } else if (fmt == OUT_JSON) {
        fputs("[\n", f);
    }
}

static void print_footer(FILE *f, cm_format fmt, bool any)
{
    if (fmt == OUT_JSON)
        fputs(any ? "\n]\n" : "]\n", f);
}

/* One query's list; first: whether it is the first list printed (JSON commas). */
static void print_list(FILE *f, cm_format fmt, const listfmt *lf, const char *qname, const als_topk *t,
                       size_t r, bool first)
{
    const uint32_t *idx = t->idx + r * (size_t)t->k;
    const float *sc = t->score + r * (size_t)t->k;
    uint32_t cnt = t->count[r];
    if (fmt == OUT_CSV) {
        for (uint32_t j = 0; j < cnt; j++) {
            const char *tid = als_idmap_str(lf->tids, idx[j]);
            if (!lf->no_query_col) {
                als_csv_field(f, qname);
                fputc(',', f);
            }
            fprintf(f, "%u,", j + 1);
            als_csv_field(f, tid);
            fprintf(f, ",%.9g", (double)sc[j]);
            if (lf->movies) {
                const char *mid = lf->titles_on_target ? tid : qname;
                fputc(',', f);
                als_csv_field(f, title_of(lf, mid));
                fputc(',', f);
                als_csv_field(f, genres_of(lf, mid));
            }
            fputc('\n', f);
        }
    } else if (fmt == OUT_JSON) {
        fputs(first ? "  {" : ",\n  {", f);
        if (!lf->no_query_col) {
            cm_json_str(f, lf->qcol);
            fputs(": ", f);
            cm_json_str(f, qname);
            fputs(", ", f);
        }
        if (lf->movies && !lf->titles_on_target) {
            fputs("\"title\": ", f);
            cm_json_str(f, title_of(lf, qname));
            fputs(", \"genres\": ", f);
            cm_json_str(f, genres_of(lf, qname));
            fputs(", ", f);
        }
        cm_json_str(f, lf->listkey);
        fputs(": [", f);
        for (uint32_t j = 0; j < cnt; j++) {
            const char *tid = als_idmap_str(lf->tids, idx[j]);
            fputs(j ? ",\n    {" : "\n    {", f);
            cm_json_str(f, lf->tcol);
            fputs(": ", f);
            cm_json_str(f, tid);
            fprintf(f, ", \"%s\": %.9g", lf->scol, (double)sc[j]);
            if (lf->movies && lf->titles_on_target) {
                fputs(", \"title\": ", f);
                cm_json_str(f, title_of(lf, tid));
                fputs(", \"genres\": ", f);
                cm_json_str(f, genres_of(lf, tid));
            }
            fputc('}', f);
        }
        fputs(cnt ? "\n  ]}" : "]}", f);
    } else {
        if (lf->no_query_col)
            fprintf(f, "%s: top %u %s\n", qname, cnt, lf->noun);
        else if (lf->movies && !lf->titles_on_target && title_of(lf, qname)[0])
            fprintf(f, "%s %s (%s): top %u %s\n", lf->qcol, qname, title_of(lf, qname), cnt, lf->noun);
        else
            fprintf(f, "%s %s: top %u %s\n", lf->qcol, qname, cnt, lf->noun);
        for (uint32_t j = 0; j < cnt; j++) {
            const char *tid = als_idmap_str(lf->tids, idx[j]);
            fprintf(f, "  %3u. %-8s %9.4f", j + 1, tid, (double)sc[j]);
            if (lf->movies && lf->titles_on_target) {
                const char *ti = title_of(lf, tid), *g = genres_of(lf, tid);
                if (ti[0])
                    fprintf(f, "  %s", ti);
                if (g[0])
                    fprintf(f, "  [%s]", g);
            }
            fputc('\n', f);
        }
    }
}

/* Resolve requested id strings to model rows (users, or movies when item); one message per
 * unknown or cold id (a row without training ratings, which Spark's model would not have).
 * Returns the number resolved (rows[] filled, names[] the matching strings). */
static size_t resolve_ids(const char *cmd, const cm_ids *ids, const als_model_dir *md, bool item,
                          uint32_t *rows, const char **names)
{
    const als_idmap *map = item ? &md->items : &md->users;
    const char *what = item ? "movie" : "user";
    size_t n = 0;
    for (size_t i = 0; i < ids->n; i++) {
        int64_t r = als_idmap_find(map, ids->v[i], strlen(ids->v[i]));
        if (r < 0) {
            fprintf(stderr, "alstune %s: unknown %s id '%s' (not in the model's training data); skipped\n",
                    cmd, what, ids->v[i]);
            continue;
        }
        if (!als_model_warm(md, item, r)) {
            fprintf(stderr, "alstune %s: %s id '%s' has no training ratings in the model (cold start); skipped\n",
                    cmd, what, ids->v[i]);
            continue;
        }
        rows[n] = (uint32_t)r;
        names[n++] = ids->v[i];
    }
    return n;
}

/* ---- what recommend, similar and foldin share --------------------------------------------- */

/* The list options: -k/--top, --movies, --format, -o/--output. */
typedef struct {
    long k;
    const char *movies_path, *out_path;
    cm_format fmt;
} list_opts;

/* One of the list options: 0 taken, else 2 (a bad value, after its message, or not a list option:
 * the caller's default case, where '?' lands too). */
static int list_opt(const char *cmd, int c, const char *arg, list_opts *lo)
{
    switch (c) {
    case 'k': return als_cli_int(cmd, "-k", arg, 1, ALS_TOPK_MAX, &lo->k);
    case 'm': lo->movies_path = arg; return 0;
    case 'f': return cm_parse_format(cmd, arg, &lo->fmt);
    case 'o': lo->out_path = arg; return 0;
    default: return 2;
    }
}

/* The state of a recommend or similar run: requested ids, model, catalogue, lists, and the
 * resolved rows with their id strings. */
typedef struct {
    cm_ids ids;
    als_model_dir md;
    als_movies mv;
    als_topk t;
    als_diag d;
    uint32_t *rows;
    const char **names;
} query;

static void query_init(query *q)
{
    memset(q, 0, sizeof *q);
    als_model_dir_init(&q->md);
    als_movies_init(&q->mv);
    als_diag_clear(&q->d);
}

static void query_free(query *q)
{
    cm_ids_free(&q->ids);
    free(q->rows);
    free(q->names);
    als_topk_free(&q->t);
    als_movies_free(&q->mv);
    als_model_dir_free(&q->md);
}

/* Room for n rows and names: 0, or 3 after the message. */
static int query_alloc(const char *cmd, query *q, size_t n)
{
    q->rows = malloc((n ? n : 1) * sizeof *q->rows);
    q->names = malloc((n ? n : 1) * sizeof *q->names);
    if (!q->rows || !q->names) {
        fprintf(stderr, "alstune %s: error: out of memory for the list of ids\n", cmd);
        return 3;
    }
    return 0;
}

/* The requested ids as model rows (*n of them, at least one): 0, or the exit code (3 out of
 * memory, 2 none of them known and warm). */
static int query_resolve(const char *cmd, query *q, bool item, size_t *n)
{
    int rc = query_alloc(cmd, q, q->ids.n);
    if (rc)
        return rc;
    *n = resolve_ids(cmd, &q->ids, &q->md, item, q->rows, q->names);
    if (*n == 0) {
        fprintf(stderr, "alstune %s: none of the requested ids is in the model\n", cmd);
        return 2;
    }
    return 0;
}

/* Write the n lists of q->t to out_path (stdout when NULL): header, lists, footer, commit.
 * query_titles: in text, a "# title" line above each list whose query has one.  Returns the
 * exit code. */
static int query_print(query *q, const listfmt *lf, size_t n, const list_opts *lo, bool query_titles)
{
    cm_out out;
    als_status st = cm_out_open(&out, lo->out_path, &q->d);
    if (st)
        return als_cli_fail(st, &q->d);
    print_header(out.f, lo->fmt, lf);
    for (size_t r = 0; r < n; r++) {
        if (query_titles && lo->fmt == OUT_TEXT && lf->movies && title_of(lf, q->names[r])[0])
            fprintf(out.f, "# %s\n", title_of(lf, q->names[r]));
        print_list(out.f, lo->fmt, lf, q->names[r], &q->t, r, r == 0);
    }
    print_footer(out.f, lo->fmt, n > 0);
    if ((st = cm_out_commit(&out, &q->d)))
        return als_cli_fail(st, &q->d);
    return 0;
}

/* ---- recommend ---------------------------------------------------------------------------- */

const char als_help_recommend[] =
    "Usage: alstune recommend MODELDIR (--user ID... | --users FILE | --all-users |\n"
    "                                   --item ID... | --items FILE | --all-items) [options]\n"
    "\n"
    "Top-k movies for users (Spark's recommendForUserSubset / recommendForAllUsers), or top-k\n"
    "users for movies (recommendForItemSubset / recommendForAllItems), from a model folder written\n"
    "by `alstune train` or `alstune tune`.\n"
    "\n"
    "  --user ID[,ID...]   users to recommend for (original ids; repeatable)\n"
    "  --users FILE        users to recommend for, one id per line ('#' comments allowed)\n"
    "  --all-users         every user of the model (blocked SGEMM + per-user heaps)\n"
    "  --item ID[,ID...]   movies to find top users for (repeatable)\n"
    "  --items FILE        movies, one id per line\n"
    "  --all-items         every movie of the model\n"
    "  -k, --top N         list length (default 10)\n"
    "  --movies FILE       movie catalogue (movies.csv, u.item, movies.dat) for titles and genres\n"
    "  --include-seen      keep what the user rated in training (Spark's behaviour); by default\n"
    "                      training ratings stored in the model are excluded\n"
    "  --format FMT        text (default), csv or json\n"
    "                      csv columns: userId,rank,movieId,score[,title,genres]\n"
    "                      (items: movieId,rank,userId,score[,title,genres])\n"
    "  -o, --output FILE   write to FILE (temporary name + rename) instead of stdout\n"
    "  --threads N         OpenMP threads for --all-users/--all-items (default: all cores)\n"
    "  --rank-by WHAT      bpmf folders, users only: factors (default: the posterior-mean factors),\n"
    "                      mean (the mean of the kept samples' predictions) or quantile (their\n"
    "                      --quantile Q, linear interpolation: an optimistic ranking for Q > 0.5);\n"
    "                      mean and quantile need kept samples (train --keep-samples N)\n"
    "  --quantile Q        0..1 (default 0.9), with --rank-by quantile\n"
    "\n"
    "Scores are predicted ratings (x_u.y_i, plus mu + b_u + b_i for bias models); ties are broken\n"
    "by the smaller model row, so output is deterministic.  Unknown ids get one message each on\n"
    "stderr and the others are still served.\n"
    "Exit status: 0 when at least one requested id was served, 2 when none was (or bad usage /\n"
    "a corrupt model folder), 3 on I/O errors.\n";

int als_cmd_recommend(int argc, char **argv)
{
    static const struct option opts[] = {
        {"user", required_argument, NULL, 'u'},   {"users", required_argument, NULL, 'U'},
        {"all-users", no_argument, NULL, 'A'},    {"item", required_argument, NULL, 'i'},
        {"items", required_argument, NULL, 'I'},  {"all-items", no_argument, NULL, 'B'},
        {"top", required_argument, NULL, 'k'},    {"movies", required_argument, NULL, 'm'},
        {"include-seen", no_argument, NULL, 's'}, {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'}, {"threads", required_argument, NULL, 't'},
        {"rank-by", required_argument, NULL, 'R'}, {"quantile", required_argument, NULL, 'Q'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "recommend";
    const char *rank_by = NULL;
    double quantile = 0.9;
    bool have_q = false;
    bool all = false, by_item = false, by_user = false, include_seen = false, have_movies = false;
    list_opts lo = {.k = 10, .fmt = OUT_TEXT};
    long threads = 0;
    int rc = 0, c;
    query q;
    query_init(&q);
    while ((c = als_cli_getopt(cmd, argc, argv, ":k:o:", opts)) != -1) {
        switch (c) {
        case 'u':
        case 'i':
        case 'U':
        case 'I':
            if ((c == 'u' || c == 'U') ? by_item : by_user) {
                rc = als_cli_usage_error(cmd, "give users (--user/--users/--all-users) or movies "
                                              "(--item/--items/--all-items), not both");
                goto done;
            }
            if (c == 'u' || c == 'U')
                by_user = true;
            else
                by_item = true;
            if (c == 'u' || c == 'i') {
                if (cm_ids_add_list(&q.ids, optarg)) {
                    rc = 3;
                    goto done;
                }
            } else {
                als_status st = cm_ids_add_file(&q.ids, optarg, &q.d);
                if (st) {
                    rc = als_cli_fail(st, &q.d);
                    goto done;
                }
            }
            break;
        case 'A':
        case 'B':
            if (c == 'A' ? by_item : by_user) {
                rc = als_cli_usage_error(cmd, "give users or movies, not both");
                goto done;
            }
            all = true;
            if (c == 'A')
                by_user = true;
            else
                by_item = true;
            break;
        case 't':
            if ((rc = als_cli_int(cmd, "--threads", optarg, 1, ALS_THREADS_MAX, &threads)))
                goto done;
            break;
        case 's': include_seen = true; break;
        case 'R':
            if (strcmp(optarg, "factors") && strcmp(optarg, "mean") && strcmp(optarg, "quantile")) {
                rc = als_cli_usage_error(cmd, "--rank-by expects factors, mean or quantile, got '%s'", optarg);
                goto done;
            }
            rank_by = optarg;
            break;
        case 'Q':
            if ((rc = als_cli_double(cmd, "--quantile", optarg, als_limit_get(ALS_LIM_QUANTILE)->lo,
                                     als_limit_get(ALS_LIM_QUANTILE)->hi, &quantile)))
                goto done;
            have_q = true;
            break;
        default: /* -k, --movies, --format, -o; '?': als_cli_getopt printed the one message */
            if ((rc = list_opt(cmd, c, optarg, &lo)))
                goto done;
            break;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 1, "missing MODELDIR", "one MODELDIR")))
        goto done;
    const bool by_samples = rank_by && strcmp(rank_by, "factors") != 0;
    if (have_q && !(rank_by && strcmp(rank_by, "quantile") == 0)) {
        rc = als_cli_usage_error(cmd, "--quantile goes with --rank-by quantile");
        goto done;
    }
    if (by_samples && by_item) {
        rc = als_cli_usage_error(cmd, "--rank-by %s ranks movies for users (--user/--users/--all-users)", rank_by);
        goto done;
    }
    if (!by_user && !by_item) {
        rc = als_cli_usage_error(cmd, "say whom to recommend for: --user ID, --users FILE, --all-users, "
                                      "--item ID, --items FILE or --all-items");
        goto done;
    }
    if (all && q.ids.n > 0) {
        rc = als_cli_usage_error(cmd, "--all-users/--all-items cannot be combined with explicit ids");
        goto done;
    }
    if (!all && q.ids.n == 0) {
        rc = als_cli_usage_error(cmd, "no ids given");
        goto done;
    }
    if ((rc = cm_load_model(&q.md, argv[optind])) ||
        (by_samples && (rc = cm_load_samples(&q.md, argv[optind], false))) ||
        (rc = cm_load_movies(&q.mv, lo.movies_path, &have_movies)))
        goto done;
    const als_idmap *qmap = by_item ? &q.md.items : &q.md.users;
    size_t n = 0;
    if (all) {
        /* every warm row (cold ones, without training ratings, are not in Spark's model) */
        if ((rc = query_alloc(cmd, &q, qmap->n)))
            goto done;
        for (uint32_t r = 0; r < qmap->n; r++)
            if (als_model_warm(&q.md, by_item, r)) {
                q.rows[n] = r;
                q.names[n++] = als_idmap_str(qmap, r);
            }
        if (n < qmap->n)
            fprintf(stderr, "alstune %s: %zu %s without training ratings (cold start) skipped\n", cmd,
                    (size_t)qmap->n - n, by_item ? "movies" : "users");
    } else if ((rc = query_resolve(cmd, &q, by_item, &n))) {
        goto done;
    }
    als_status st = by_samples ? als_model_recommend_samples(&q.md, q.rows, n, (int)lo.k, !include_seen,
                                                             strcmp(rank_by, "mean") == 0 ? -1.0 : quantile,
                                                             (int)threads, &q.t, &q.d)
                               : als_model_recommend(&q.md, by_item, q.rows, n, (int)lo.k, !include_seen,
                                                     (int)threads, &q.t, &q.d);
    if (st) {
        rc = als_cli_fail(st, &q.d);
        goto done;
    }
    listfmt lf = {
        .qcol = by_item ? "movieId" : "userId",
        .tcol = by_item ? "userId" : "movieId",
        .scol = "score",
        .listkey = "recommendations",
        .noun = by_item ? "users" : "movies",
        .tids = by_item ? &q.md.users : &q.md.items,
        .movies = have_movies ? &q.mv : NULL,
        .titles_on_target = !by_item,
    };
    rc = query_print(&q, &lf, n, &lo, false);
done:
    query_free(&q);
    return rc;
}

/* ---- similar ------------------------------------------------------------------------------ */

const char als_help_similar[] =
    "Usage: alstune similar MODELDIR (--item ID... | --user ID...) [-k 10] [--movies FILE]\n"
    "                      [--format text|csv|json] [-o FILE]\n"
    "\n"
    "Most similar movies (or users) by the cosine of their factor vectors.  The movie itself and\n"
    "movies whose factors are all zero are excluded.\n"
    "\n"
    "  --item ID[,ID...]   movies to find similar movies for (repeatable)\n"
    "  --user ID[,ID...]   users to find similar users for (repeatable)\n"
    "  -k, --top N         list length (default 10)\n"
    "  --movies FILE       movie catalogue for titles and genres\n"
    "  --format FMT        text (default), csv or json\n"
    "                      csv columns: movieId,rank,similarMovieId,similarity[,title,genres]\n"
    "                      (users: userId,rank,similarUserId,similarity)\n"
    "  -o, --output FILE   write to FILE instead of stdout\n"
    "\n"
    "Exit status: 0 when at least one id was served, 2 when none was (or bad usage / a corrupt\n"
    "model folder), 3 on I/O errors.\n";

int als_cmd_similar(int argc, char **argv)
{
    static const struct option opts[] = {
        {"user", required_argument, NULL, 'u'}, {"item", required_argument, NULL, 'i'},
        {"top", required_argument, NULL, 'k'},  {"movies", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "similar";
    bool by_user = false, by_item = false, have_movies = false;
    list_opts lo = {.k = 10, .fmt = OUT_TEXT};
    int rc = 0, c;
    query q;
    query_init(&q);
    while ((c = als_cli_getopt(cmd, argc, argv, ":k:o:", opts)) != -1) {
        switch (c) {
        case 'u':
        case 'i':
            if (c == 'u' ? by_item : by_user) {
                rc = als_cli_usage_error(cmd, "give --item or --user ids, not both");
                goto done;
            }
            *(c == 'u' ? &by_user : &by_item) = true;
            if (cm_ids_add_list(&q.ids, optarg)) {
                rc = 3;
                goto done;
            }
            break;
        default: /* -k, --movies, --format, -o; '?': als_cli_getopt printed the one message */
            if ((rc = list_opt(cmd, c, optarg, &lo)))
                goto done;
            break;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 1, "missing MODELDIR", "one MODELDIR")))
        goto done;
    if (q.ids.n == 0) {
        rc = als_cli_usage_error(cmd, "say what to compare: --item ID or --user ID");
        goto done;
    }
    size_t n = 0;
    if ((rc = cm_load_model(&q.md, argv[optind])) || (rc = cm_load_movies(&q.mv, lo.movies_path, &have_movies)) ||
        (rc = query_resolve(cmd, &q, !by_user, &n)))
        goto done;
    als_status st = als_model_similar(&q.md, by_user, q.rows, n, (int)lo.k, &q.t, &q.d);
    if (st) {
        rc = als_cli_fail(st, &q.d);
        goto done;
    }
    for (size_t r = 0; r < n; r++)
        if (q.t.count[r] == 0)
            fprintf(stderr, "alstune %s: %s '%s' has all-zero factors (no training ratings); no similarity "
                            "defined\n", cmd, by_user ? "user" : "movie", q.names[r]);
    listfmt lf = {
        .qcol = by_user ? "userId" : "movieId",
        .tcol = by_user ? "similarUserId" : "similarMovieId",
        .scol = "similarity",
        .listkey = "similar",
        .noun = by_user ? "similar users" : "similar movies",
        .tids = by_user ? &q.md.users : &q.md.items,
        .movies = (have_movies && !by_user) ? &q.mv : NULL,
        .titles_on_target = true,
    };
    rc = query_print(&q, &lf, n, &lo, true);
done:
    query_free(&q);
    return rc;
}

/* ---- foldin ------------------------------------------------------------------------------- */

const char als_help_foldin[] =
    "Usage: alstune foldin MODELDIR --ratings NEW.csv [-k 10] [--movies FILE]\n"
    "                     [--format text|csv|json] [-o FILE] [--print-factors] [--seed N]\n"
    "\n"
    "Add a new user without retraining: their factors are one ALS user half-step against the\n"
    "model's fixed movie factors with the model's own parameters (regParam x number of ratings;\n"
    "implicit: Y'Y + sum c y y' with c = alpha|r|; nonnegative: NNLS; bias models: the user bias\n"
    "is solved jointly), then the top-k movies they have not rated are recommended.\n"
    "\n"
    "A bpmf folder needs kept samples (train --model bpmf --keep-samples N): for each kept sample\n"
    "the user's factor (and bias) is drawn once from its conditional given that sample's movie\n"
    "factors and hyperparameters, and the scores are the mean of the N samples' predictions\n"
    "(a Gibbs fold-in, docs/model.md); --print-factors prints the mean of the draws.\n"
    "\n"
    "  --ratings FILE      one user's ratings: a CSV/TSV whose header names a movie and a rating\n"
    "                      column (movieId,rating; movie_id, item, score, ...: the names of\n"
    "                      docs/data.md, any case; other columns are ignored, so a slice of\n"
    "                      ratings.csv works); ids are the model's original movie ids; unknown\n"
    "                      ones are warned about and ignored\n"
    "  -k, --top N         list length (default 10)\n"
    "  --movies FILE       movie catalogue for titles and genres\n"
    "  --format FMT        text (default), csv (rank,movieId,score[,title,genres]) or json\n"
    "  -o, --output FILE   write to FILE instead of stdout\n"
    "  --print-factors     also print the folded-in factors (and bias): text and json only\n"
    "  --seed N            bpmf folders: the seed of the fold-in draws (default 0; the same seed\n"
    "                      gives the same output)\n"
    "\n"
    "Exit status: 0 ok; 2 bad usage, a malformed ratings file, a duplicate movie, or no rated\n"
    "movie known to the model; 3 I/O error; 4 singular system.\n";

/* Read NEW.csv with the ratings loader (the user column optional, a repeated movie an error):
 * the model rows of its known, warm movies and their ratings.  Unknown and cold movies are warned
 * about and left out. */
static als_status read_new_ratings(const char *path, const als_model_dir *md, uint32_t **oi, float **or_,
                                   size_t *on, als_diag *d)
{
    *oi = NULL;
    *or_ = NULL;
    *on = 0;
    als_load_opts o;
    als_load_opts_default(&o);
    o.user_optional = true;
    o.duplicates = ALS_DUP_ERROR;
    als_ratings r;
    als_status st = als_ratings_load(&r, path, &o, d);
    if (st)
        return st;
    uint32_t *it = malloc((r.n ? r.n : 1) * sizeof *it);
    float *rt = malloc((r.n ? r.n : 1) * sizeof *rt);
    size_t n = 0;
    if (!it || !rt) {
        st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    if (r.users.n > 1) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                          "expected the ratings of one new user, found %u users ('%s', '%s', ...) in the user column",
                          r.users.n, als_idmap_str(&r.users, 0), als_idmap_str(&r.users, 1));
        goto fail;
    }
    for (size_t e = 0; e < r.n; e++) {
        const char *id = als_idmap_str(&r.items, r.item[e]);
        int64_t i = als_idmap_find(&md->items, id, strlen(id));
        if (i < 0) {
            fprintf(stderr, "%s: warning: movie id '%s' is not in the model; ignored\n", path, id);
            continue;
        }
        if (!als_model_warm(md, true, i)) {
            fprintf(stderr, "%s: warning: movie id '%s' has no training ratings in the model (cold start); "
                            "ignored\n", path, id);
            continue;
        }
        it[n] = (uint32_t)i;
        rt[n++] = r.rating[e];
    }
    if (n == 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, 0, 0, "none of the rated movies is known to the model; nothing to fold in");
        goto fail;
    }
    als_ratings_free(&r);
    *oi = it;
    *or_ = rt;
    *on = n;
    return ALS_OK;
fail:
    als_ratings_free(&r);
    free(it);
    free(rt);
    return st;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int als_cmd_foldin(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ratings", required_argument, NULL, 'r'}, {"top", required_argument, NULL, 'k'},
        {"movies", required_argument, NULL, 'm'},  {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},  {"print-factors", no_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 'S'},    {NULL, 0, NULL, 0}};
    const char *cmd = "foldin";
    long seed = 0;
    bool have_seed = false;
    double *bscores = NULL;
    float *fscores = NULL;
    const char *ratings_path = NULL;
    bool have_movies = false, print_factors = false;
    list_opts lo = {.k = 10, .fmt = OUT_TEXT};
    int rc = 0, c;
    als_model_dir md;
    als_movies mv;
    als_topk t;
    als_diag d;
    cm_out out;
    uint32_t *items = NULL;
    float *ratings = NULL, *x = NULL, bias = 0;
    size_t n = 0;
    als_csr excl;
    memset(&excl, 0, sizeof excl);
    als_model_dir_init(&md);
    als_movies_init(&mv);
    memset(&t, 0, sizeof t);
    als_diag_clear(&d);
    while ((c = als_cli_getopt(cmd, argc, argv, ":k:o:", opts)) != -1) {
        switch (c) {
        case 'r': ratings_path = optarg; break;
        case 'p': print_factors = true; break;
        case 'S':
            if ((rc = als_cli_int(cmd, "--seed", optarg, 0, INT64_MAX, &seed)))
                goto done;
            have_seed = true;
            break;
        default: /* -k, --movies, --format, -o; '?': als_cli_getopt printed the one message */
            if ((rc = list_opt(cmd, c, optarg, &lo)))
                goto done;
            break;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 1, "missing MODELDIR", "one MODELDIR")))
        goto done;
    if (!ratings_path) {
        rc = als_cli_usage_error(cmd, "--ratings NEW.csv is required");
        goto done;
    }
    if (print_factors && lo.fmt == OUT_CSV) {
        rc = als_cli_usage_error(cmd, "--print-factors works with --format text or json");
        goto done;
    }
    if ((rc = cm_load_model(&md, argv[optind])))
        goto done;
    if (have_seed && !md.bpmf.is_bpmf) {
        rc = als_cli_usage_error(cmd, "--seed is for bpmf folders (an ALS fold-in draws nothing)");
        goto done;
    }
    if ((md.bpmf.is_bpmf && (rc = cm_load_samples(&md, argv[optind], true))) ||
        (rc = cm_load_movies(&mv, lo.movies_path, &have_movies)))
        goto done;
    als_status st = read_new_ratings(ratings_path, &md, &items, &ratings, &n, &d);
    if (st) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    x = malloc((size_t)md.m.rank * sizeof *x);
    if (!x) {
        rc = 3;
        goto done;
    }
    if (md.bpmf.is_bpmf) {
        /* Gibbs fold-in: the mean prediction over the kept samples, rated and cold movies out */
        bscores = malloc(((size_t)md.m.nitems + 1) * sizeof *bscores);
        fscores = malloc(((size_t)md.m.nitems + 1) * sizeof *fscores);
        if (!bscores || !fscores || als_topk_alloc(&t, 1, (int)lo.k)) {
            rc = 3;
            goto done;
        }
        if ((st = als_model_foldin_bpmf(&md, items, ratings, n, (uint64_t)seed, bscores, x, &bias, &d))) {
            rc = als_cli_fail(st, &d);
            goto done;
        }
        for (uint32_t i = 0; i < md.m.nitems; i++)
            fscores[i] = als_model_warm(&md, true, i) ? (float)bscores[i] : -INFINITY;
        for (size_t e = 0; e < n; e++)
            fscores[items[e]] = -INFINITY;
        t.count[0] = als_topk_select(fscores, md.m.nitems, (int)lo.k, t.idx, t.score);
        goto print;
    }
    if ((st = als_model_foldin(&md, items, ratings, n, x, &bias, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    /* Exclude the movies just rated: a one-row CSR with increasing columns. */
    uint32_t *zeros = calloc(n, sizeof *zeros);
    if (!zeros || als_csr_build(&excl, 1, md.m.nitems, zeros, items, ratings, NULL, n) ||
        als_topk_alloc(&t, 1, (int)lo.k)) {
        free(zeros);
        rc = 3;
        goto done;
    }
    free(zeros);
    qsort(excl.idx, n, sizeof *excl.idx, cmp_u32);
    float qadd = md.m.has_bias ? (float)(md.m.mu + bias) : 0.0f;
    if ((st = als_topk_gemm(x, NULL, 1, md.m.V, md.m.nitems, md.m.rank, md.m.has_bias ? &qadd : NULL,
                            md.m.has_bias ? md.m.ibias : NULL, &excl, 1, 1, 0, &t, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
print:;
    listfmt lf = {
        .qcol = "userId",
        .tcol = "movieId",
        .scol = "score",
        .listkey = "recommendations",
        .noun = "movies",
        .tids = &md.items,
        .movies = have_movies ? &mv : NULL,
        .titles_on_target = true,
        .no_query_col = true,
    };
    if ((st = cm_out_open(&out, lo.out_path, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    if (lo.fmt == OUT_TEXT && print_factors) {
        fprintf(out.f, "factors:");
        for (int j = 0; j < md.m.rank; j++)
            fprintf(out.f, " %.9g", (double)x[j]);
        fputc('\n', out.f);
        if (md.m.has_bias)
            fprintf(out.f, "bias: %.9g\n", (double)bias);
    }
    if (lo.fmt == OUT_JSON) {
        fprintf(out.f, "{\"rated\": %zu", n);
        if (print_factors) {
            fputs(", \"factors\": [", out.f);
            for (int j = 0; j < md.m.rank; j++)
                fprintf(out.f, "%s%.9g", j ? ", " : "", (double)x[j]);
            fputc(']', out.f);
            if (md.m.has_bias)
                fprintf(out.f, ", \"bias\": %.9g", (double)bias);
        }
        fputs(", \"recommendations\": [", out.f);
        for (uint32_t j = 0; j < t.count[0]; j++) {
            const char *tid = als_idmap_str(&md.items, t.idx[j]);
            fputs(j ? ",\n  {\"movieId\": " : "\n  {\"movieId\": ", out.f);
            cm_json_str(out.f, tid);
            fprintf(out.f, ", \"score\": %.9g", (double)t.score[j]);
            if (have_movies) {
                fputs(", \"title\": ", out.f);
                cm_json_str(out.f, title_of(&lf, tid));
                fputs(", \"genres\": ", out.f);
                cm_json_str(out.f, genres_of(&lf, tid));
            }
            fputc('}', out.f);
        }
        fputs(t.count[0] ? "\n]}\n" : "]}\n", out.f);
    } else {
        print_header(out.f, lo.fmt, &lf);
        print_list(out.f, lo.fmt, &lf, "new user", &t, 0, true);
    }
    if ((st = cm_out_commit(&out, &d)))
        rc = als_cli_fail(st, &d);
done:
    free(bscores);
    free(fscores);
    free(items);
    free(ratings);
    free(x);
    als_csr_free(&excl);
    als_topk_free(&t);
    als_movies_free(&mv);
    als_model_dir_free(&md);
    return rc;
}
