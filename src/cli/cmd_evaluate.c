/* cmd_evaluate.c — `alstune predict` and `alstune evaluate`: a model folder applied to a ratings
 * file, with Spark's cold-start strategies and the metric definitions of als_metrics.
 *
 * "Cold" means what it means in the tuner (als_runner): the user or the movie is unknown to the
 * model, or has no training rating in the folder's seen.csr.  The same rules make `evaluate` on a
 * refit model agree with the numbers `alstune tune` reports. */
#define _POSIX_C_SOURCE 200809L
#include "cmd_model.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "als_metrics.h"
#include "cli.h"

typedef enum { COLD_DROP = 0, COLD_NAN, COLD_MEAN } cold_strategy;

static int parse_cold(const char *cmd, const char *s, cold_strategy *c)
{
    if (strcmp(s, "drop") == 0)
        *c = COLD_DROP;
    else if (strcmp(s, "nan") == 0)
        *c = COLD_NAN;
    else if (strcmp(s, "mean") == 0)
        *c = COLD_MEAN;
    else
        return als_cli_usage_error(cmd, "--cold-start expects drop, nan or mean, got '%s'", s);
    return 0;
}

/* ---- the data file ------------------------------------------------------------------------ */

static bool name_in(const char *s, size_t len, const char *const *names)
{
    for (; *names; names++)
        if (strlen(*names) == len && strncasecmp(s, *names, len) == 0)
            return true;
    return false;
}

/* Fallback for `predict` on a file of (user, movie) pairs without ratings: a CSV or TSV whose
 * header names a user and a movie column and no rating column.  Fields are split on the
 * separator (no quoting).  Returns ALS_E_INPUT with *applies false when the file is not such a
 * pairs file (the caller then reports the ratings loader's error). */
static als_status read_pairs(const char *path, als_ratings *r, bool *applies, als_diag *d)
{
    static const char *const unames[] = {"userId", "user_id", "user", NULL};
    static const char *const inames[] = {"movieId", "movie_id", "movie", "itemId", "item_id", "item", NULL};
    static const char *const rnames[] = {"rating", "score", "count", "plays", "playcount", "value", NULL};
    *applies = false;
    char *buf;
    size_t len;
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    size_t pos = 0, cap = 0;
    long line = 0;
    int ucol = -1, icol = -1, nf_head = 0;
    char sep = 0;
    char *s;
    size_t l;
    while ((s = cm_next_line(buf, len, &pos, &line, &l)) != NULL) {
        if (l == 0)
            continue;
        if (!sep) {
            sep = strchr(s, ',') ? ',' : strchr(s, '\t') ? '\t' : 0;
            if (!sep)
                goto not_pairs;
            int k = 0;
            for (char *p = s;; k++) {
                char *e = strchr(p, sep);
                size_t fl = e ? (size_t)(e - p) : strlen(p);
                if (name_in(p, fl, rnames))
                    goto not_pairs;
                if (ucol < 0 && name_in(p, fl, unames))
                    ucol = k;
                else if (icol < 0 && name_in(p, fl, inames))
                    icol = k;
                if (!e)
                    break;
                p = e + 1;
            }
            if (ucol < 0 || icol < 0)
                goto not_pairs;
            nf_head = k + 1;
            *applies = true;
            continue;
        }
        const char *f[2] = {NULL, NULL};
        size_t fl[2] = {0, 0};
        int k = 0;
        for (char *p = s;; k++) {
            char *e = strchr(p, sep);
            size_t l2 = e ? (size_t)(e - p) : strlen(p);
            if (k == ucol) {
                f[0] = p;
                fl[0] = l2;
            }
            if (k == icol) {
                f[1] = p;
                fl[1] = l2;
            }
            if (!e)
                break;
            p = e + 1;
        }
        if (k + 1 != nf_head || fl[0] == 0 || fl[1] == 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, line, 0,
                              "expected %d fields with a user and a movie id like the header, found '%.80s'", nf_head, s);
            goto fail;
        }
        if (r->n == cap) {
            cap = cap ? 2 * cap : 1024;
            uint32_t *nu = realloc(r->user, cap * sizeof *nu);
            if (nu)
                r->user = nu;
            uint32_t *ni = realloc(r->item, cap * sizeof *ni);
            if (ni)
                r->item = ni;
            float *nr = realloc(r->rating, cap * sizeof *nr);
            if (nr)
                r->rating = nr;
            if (!nu || !ni || !nr) {
                st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
                goto fail;
            }
        }
        if (als_idmap_intern(&r->users, f[0], fl[0], &r->user[r->n]) ||
            als_idmap_intern(&r->items, f[1], fl[1], &r->item[r->n])) {
            st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
            goto fail;
        }
        r->rating[r->n++] = NAN;
    }
    free(buf);
    return ALS_OK;
not_pairs:
    free(buf);
    return ALS_E_INPUT;
fail:
    free(buf);
    als_ratings_free(r);
    return st;
}

/* Load DATA as ratings (any format of als_ratings_load) or, when allow_pairs, as pairs. */
static int load_data(const char *cmd, const char *path, bool allow_pairs, als_ratings *r, bool *has_rating)
{
    als_load_opts o;
    als_load_opts_default(&o);
    als_diag d, d2;
    als_diag_clear(&d);
    als_diag_clear(&d2);
    *has_rating = true;
    als_status st = als_ratings_load(r, path, &o, &d);
    if (!st) {
        if (r->n_duplicates > 0)
            fprintf(stderr, "alstune %s: %s: %zu duplicate (user, movie) pairs; the last rating of each was used\n",
                    cmd, path, r->n_duplicates);
        return 0;
    }
    if (allow_pairs && st == ALS_E_INPUT) {
        bool applies;
        als_ratings_free(r);
        als_ratings_init(r);
        als_status st2 = read_pairs(path, r, &applies, &d2);
        if (applies) {
            *has_rating = false;
            return st2 ? als_cli_fail(st2, &d2) : 0;
        }
        als_ratings_free(r);
        als_ratings_init(r);
    }
    return als_cli_fail(st, &d);
}

/* DATA's dense ids mapped to model rows, and the mean training rating. */
typedef struct {
    int64_t *umap, *imap;     /* data index → model row, -1 unknown */
    double train_mean;        /* mean training rating (NaN without seen.csr) */
} mapping;

static void mapping_free(mapping *mp)
{
    free(mp->umap);
    free(mp->imap);
}

static int mapping_build(const als_model_dir *md, const als_ratings *r, mapping *mp)
{
    memset(mp, 0, sizeof *mp);
    mp->umap = malloc((r->users.n ? r->users.n : 1) * sizeof *mp->umap);
    mp->imap = malloc((r->items.n ? r->items.n : 1) * sizeof *mp->imap);
    if (!mp->umap || !mp->imap)
        return 3;
    for (uint32_t u = 0; u < r->users.n; u++) {
        const char *s = als_idmap_str(&r->users, u);
        mp->umap[u] = als_idmap_find(&md->users, s, strlen(s));
    }
    for (uint32_t i = 0; i < r->items.n; i++) {
        const char *s = als_idmap_str(&r->items, i);
        mp->imap[i] = als_idmap_find(&md->items, s, strlen(s));
    }
    mp->train_mean = NAN;
    if (md->seen.nnz > 0) {
        double sum = 0;
        for (size_t e = 0; e < md->seen.nnz; e++)
            sum += md->seen.val[e];
        mp->train_mean = sum / (double)md->seen.nnz;
    }
    return 0;
}

/* Warm: known to the model and with training ratings (every known row when there is no seen.csr). */
static bool user_warm(const als_model_dir *md, const mapping *mp, int64_t u)
{
    (void)mp;
    return als_model_warm(md, false, u);
}

static bool item_warm(const als_model_dir *md, const mapping *mp, int64_t i)
{
    (void)mp;
    return als_model_warm(md, true, i);
}

/* The cold-start fallback of --cold-start mean: μ + known biases (bias models), else the mean
 * training rating. */
static double cold_mean(const als_model_dir *md, const mapping *mp, int64_t u, int64_t i)
{
    const als_model *m = &md->m;
    if (m->has_bias) {
        double p = m->mu;
        if (user_warm(md, mp, u))
            p += m->ubias[u];
        if (item_warm(md, mp, i))
            p += m->ibias[i];
        return p;
    }
    return mp->train_mean;
}

/* ---- predict ------------------------------------------------------------------------------ */

const char als_help_predict[] =
    "Usage: alstune predict MODELDIR DATA [-o FILE] [--cold-start drop|nan|mean]\n"
    "\n"
    "Predicted ratings for the (user, movie) pairs of DATA: any ratings format alstune reads\n"
    "(ratings.csv, u.data, ratings.dat, ...), or a CSV/TSV whose header names only user and\n"
    "movie columns (e.g. userId,movieId).  Output is CSV:\n"
    "    userId,movieId,rating,prediction    (rating only when DATA has ratings)\n"
    "one row per distinct pair of DATA, in file order (a pair repeated in a ratings file keeps\n"
    "its last rating, as when training).\n"
    "\n"
    "  -o, --output FILE     write to FILE (temporary name + rename) instead of stdout\n"
    "  --cold-start S        rows whose user or movie is unknown to the model or has no training\n"
    "                        rating: drop (default) omits them, nan writes NaN (Spark), mean\n"
    "                        writes the mean training rating, or mu + the known biases for bias\n"
    "                        models\n"
    "\n"
    "Exit status: 0 ok, 2 bad usage / unreadable DATA / corrupt model folder, 3 I/O error.\n";

int als_cmd_predict(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"cold-start", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "predict", *out_path = NULL;
    cold_strategy cs = COLD_DROP;
    int rc = 0, c;
    als_model_dir md;
    als_ratings r;
    mapping mp;
    als_diag d;
    cm_out out;
    bool has_rating = true;
    memset(&mp, 0, sizeof mp);
    als_model_dir_init(&md);
    als_ratings_init(&r);
    als_diag_clear(&d);
    while ((c = als_cli_getopt(cmd, argc, argv, ":o:", opts)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'c':
            if ((rc = parse_cold(cmd, optarg, &cs)))
                goto done;
            break;
        default: /* '?': als_cli_getopt printed the one message */
            rc = 2;
            goto done;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 2, "expected MODELDIR and DATA", "MODELDIR and DATA")))
        goto done;
    if ((rc = cm_load_model(&md, argv[optind])) || (rc = load_data(cmd, argv[optind + 1], true, &r, &has_rating)) ||
        (rc = mapping_build(&md, &r, &mp)))
        goto done;
    if (cs == COLD_MEAN && !md.m.has_bias && isnan(mp.train_mean)) {
        fprintf(stderr, "alstune %s: --cold-start mean needs the training ratings (seen.csr) or a bias model; "
                        "%s has neither\n", cmd, argv[optind]);
        rc = 2;
        goto done;
    }
    als_status st = cm_out_open(&out, out_path, &d);
    if (st) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    fprintf(out.f, "userId,movieId,%sprediction\n", has_rating ? "rating," : "");
    size_t ncold = 0;
    for (size_t e = 0; e < r.n; e++) {
        int64_t u = mp.umap[r.user[e]], i = mp.imap[r.item[e]];
        double p;
        if (!user_warm(&md, &mp, u) || !item_warm(&md, &mp, i)) {
            ncold++;
            if (cs == COLD_DROP)
                continue;
            p = cs == COLD_NAN ? NAN : cold_mean(&md, &mp, u, i);
        } else {
            p = als_model_predict(&md, u, i);
        }
        als_csv_field(out.f, als_idmap_str(&r.users, r.user[e]));
        fputc(',', out.f);
        als_csv_field(out.f, als_idmap_str(&r.items, r.item[e]));
        if (has_rating)
            fprintf(out.f, ",%.9g", (double)r.rating[e]);
        if (isnan(p))
            fputs(",NaN\n", out.f);
        else
            fprintf(out.f, ",%.9g\n", p);
    }
    if ((st = cm_out_commit(&out, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    if (ncold > 0)
        fprintf(stderr, "alstune %s: %zu of %zu rows are cold-start (%s)\n", cmd, ncold, r.n,
                cs == COLD_DROP ? "dropped" : cs == COLD_NAN ? "NaN" : "mean");
done:
    mapping_free(&mp);
    als_ratings_free(&r);
    als_model_dir_free(&md);
    return rc;
}

/* ---- evaluate ----------------------------------------------------------------------------- */

const char als_help_evaluate[] =
    "Usage: alstune evaluate MODELDIR DATA [--metric LIST] [-k 10] [--threshold 4.0]\n"
    "                       [--cold-start drop|nan|mean] [--format text|csv|json] [-o FILE]\n"
    "\n"
    "Metrics of a model folder on a ratings file (typically the held-out test set), with Spark's\n"
    "definitions (docs/metrics.md):\n"
    "  regression: rmse, mse, mae, r2, var        over the (user, movie, rating) rows of DATA\n"
    "  ranking:    precision@k, recall@k, ndcg@k, map, map@k, mpr, auc\n"
    "              per user of DATA known to the model, averaged over users with at least one\n"
    "              relevant movie: relevant = the user's movies in DATA rated >= --threshold\n"
    "              (explicit models) or with rating > 0 (implicit models); the ranking covers\n"
    "              the movies with training ratings that the user did not rate in training\n"
    "\n"
    "  --metric LIST       comma-separated metrics (default: rmse,mse,mae,r2,var for explicit\n"
    "                      models, precision@k,recall@k,ndcg@k,map@k,mpr,auc for implicit ones);\n"
    "                      precision, recall, ndcg and map@ without a number use -k; Spark's\n"
    "                      names (precisionAtK, ndcgAtK, meanAveragePrecision...) are accepted\n"
    "  -k, --top N         default k of the ranking metrics and the list length of map (10)\n"
    "  --threshold R       relevance threshold for explicit models (default 4.0)\n"
    "  --cold-start S      rows whose user or movie is unknown or has no training rating:\n"
    "                      drop (default) leaves them out; nan makes the metrics NaN when there\n"
    "                      is any (Spark); mean predicts the mean training rating (mu + known\n"
    "                      biases for bias models).  Ranking metrics skip cold users and cold\n"
    "                      relevant movies under drop and mean, and are NaN under nan.\n"
    "  --format FMT        text (default: metric,value lines), csv (header metric,value, %.17g),\n"
    "                      or json (an object)\n"
    "  -o, --output FILE   write to FILE instead of stdout\n"
    "  --threads N         threads for the top-k recommendations (default: all cores)\n"
    "\n"
    "A summary (rows, cold-start rows, users ranked) goes to stderr.\n"
    "Exit status: 0 ok, 2 bad usage / unknown metric / unreadable DATA / corrupt model folder,\n"
    "3 I/O error.\n";

#define MAX_METRICS 32

/* Parse a comma-separated metric list; names of @k metrics without a number get -k. */
static int parse_metrics(const char *cmd, const char *list, long k, als_metric *met, int *nmet)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return 3;
    *nmet = 0;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char name[80];
        size_t tl = strlen(tok);
        if (tl > 0 && tok[tl - 1] == '@')
            snprintf(name, sizeof name, "%.60s%ld", tok, k); /* "map@" → map@k */
        else
            snprintf(name, sizeof name, "%.60s", tok);
        if (*nmet == MAX_METRICS) {
            rc = als_cli_usage_error(cmd, "at most %d metrics", MAX_METRICS);
            break;
        }
        if (!als_metric_parse(name, &met[*nmet])) {
            rc = als_cli_usage_error(cmd, "unknown metric '%s' (rmse, mse, mae, r2, var, precision@k, recall@k, "
                                          "ndcg@k, map, map@k, mpr, auc)", tok);
            break;
        }
        if (!strchr(name, '@') && met[*nmet].k > 0) { /* "ndcg" → ndcg@k */
            char withk[100];
            snprintf(withk, sizeof withk, "%s@%ld", name, k);
            als_metric_parse(withk, &met[*nmet]);
        }
        (*nmet)++;
    }
    if (!rc && *nmet == 0)
        rc = als_cli_usage_error(cmd, "--metric: no metric given");
    free(copy);
    return rc;
}

int als_cmd_evaluate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'M'},  {"top", required_argument, NULL, 'k'},
        {"threshold", required_argument, NULL, 'T'}, {"cold-start", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'f'},  {"output", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
    const char *cmd = "evaluate", *out_path = NULL, *metric_list = NULL;
    cold_strategy cs = COLD_DROP;
    cm_format fmt = OUT_TEXT;
    long k = 10, threads = 0;
    double threshold = 4.0;
    int rc = 0, c;
    als_model_dir md;
    als_ratings r;
    mapping mp;
    als_diag d;
    cm_out out;
    bool has_rating;
    als_metric met[MAX_METRICS];
    double val[MAX_METRICS];
    int nmet = 0;
    double *pred = NULL, *act = NULL;
    als_csr byu;
    als_topk t;
    uint32_t *rows = NULL, *rel = NULL, *cand_of = NULL, *rel_c = NULL;
    float *tadd = NULL, *scores = NULL, *cand = NULL;
    memset(&byu, 0, sizeof byu);
    memset(&t, 0, sizeof t);
    memset(&mp, 0, sizeof mp);
    als_model_dir_init(&md);
    als_ratings_init(&r);
    als_diag_clear(&d);
    while ((c = als_cli_getopt(cmd, argc, argv, ":k:o:", opts)) != -1) {
        switch (c) {
        case 'M': metric_list = optarg; break;
        case 'k':
            if ((rc = als_cli_int(cmd, "-k", optarg, 1, 1000000, &k)))
                goto done;
            break;
        case 'T':
            if ((rc = als_cli_double(cmd, "--threshold", optarg, -1e300, 1e300, &threshold)))
                goto done;
            break;
        case 'c':
            if ((rc = parse_cold(cmd, optarg, &cs)))
                goto done;
            break;
        case 'f':
            if ((rc = cm_parse_format(cmd, optarg, &fmt)))
                goto done;
            break;
        case 'o': out_path = optarg; break;
        case 't':
            if ((rc = als_cli_int(cmd, "--threads", optarg, 1, 4096, &threads)))
                goto done;
            break;
        default: /* '?': als_cli_getopt printed the one message */
            rc = 2;
            goto done;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 2, "expected MODELDIR and DATA", "MODELDIR and DATA")))
        goto done;
    /* An explicit metric list is checked before any loading, so a typo is reported at once; the
     * default list depends on the model kind. */
    if (metric_list && (rc = parse_metrics(cmd, metric_list, k, met, &nmet)))
        goto done;
    if ((rc = cm_load_model(&md, argv[optind])))
        goto done;
    if (!metric_list &&
        (rc = parse_metrics(cmd, md.p.implicitPrefs ? "precision,recall,ndcg,map@,mpr,auc" : "rmse,mse,mae,r2,var",
                            k, met, &nmet)))
        goto done;
    if ((rc = load_data(cmd, argv[optind + 1], false, &r, &has_rating)) || (rc = mapping_build(&md, &r, &mp)))
        goto done;
    const als_model *m = &md.m;
    if (cs == COLD_MEAN && !m->has_bias && isnan(mp.train_mean)) {
        fprintf(stderr, "alstune %s: --cold-start mean needs the training ratings (seen.csr) or a bias model; "
                        "%s has neither\n", cmd, argv[optind]);
        rc = 2;
        goto done;
    }

    /* Regression over the rows. */
    pred = malloc((r.n ? r.n : 1) * sizeof *pred);
    act = malloc((r.n ? r.n : 1) * sizeof *act);
    if (!pred || !act) {
        rc = 3;
        goto done;
    }
    size_t np = 0, ncold = 0;
    for (size_t e = 0; e < r.n; e++) {
        int64_t u = mp.umap[r.user[e]], i = mp.imap[r.item[e]];
        double p;
        if (!user_warm(&md, &mp, u) || !item_warm(&md, &mp, i)) {
            ncold++;
            if (cs != COLD_MEAN)
                continue;
            p = cold_mean(&md, &mp, u, i);
        } else {
            p = als_model_predict(&md, u, i);
        }
        pred[np] = p;
        act[np++] = r.rating[e];
    }
    als_regression reg = als_metrics_regression(pred, act, np);
    bool nan_all = cs == COLD_NAN && ncold > 0;

    /* Ranking: which metrics, and the longest list they need. */
    bool any_topk = false, any_full = false;
    int K = (int)k;
    for (int j = 0; j < nmet; j++) {
        if (!als_metric_is_ranking(&met[j]))
            continue;
        if (met[j].kind == ALS_METRIC_MPR || met[j].kind == ALS_METRIC_AUC) {
            any_full = true;
        } else {
            any_topk = true;
            if (met[j].k > K)
                K = met[j].k;
        }
    }
    size_t nranked = 0;
    bool rank_nan = false;
    double sum[MAX_METRICS] = {0};
    size_t cnt[MAX_METRICS] = {0};
    if (any_topk || any_full) {
        /* DATA by model user: rows of byu are data users, entries data items. */
        if (als_csr_build(&byu, r.users.n, r.items.n, r.user, r.item, r.rating, NULL, r.n)) {
            rc = 3;
            goto done;
        }
        rows = malloc((r.users.n ? r.users.n : 1) * sizeof *rows);
        tadd = malloc((m->nitems ? m->nitems : 1) * sizeof *tadd);
        rel = malloc((r.items.n ? r.items.n : 1) * sizeof *rel);
        if (!rows || !tadd || !rel) {
            rc = 3;
            goto done;
        }
        /* Items without training ratings are not candidates (−inf); bias models add b_i (μ + b_u is
         * constant per user and does not change the order). */
        for (uint32_t i = 0; i < m->nitems; i++)
            tadd[i] = !item_warm(&md, &mp, i) ? -INFINITY : m->has_bias ? m->ibias[i] : 0.0f;
        /* Users to rank: known, warm, with at least one relevant warm movie in DATA. */
        size_t nrows = 0;
        for (uint32_t du = 0; du < r.users.n && !rank_nan; du++) {
            if (byu.ptr[du] == byu.ptr[du + 1])
                continue;
            int64_t u = mp.umap[du];
            if (!user_warm(&md, &mp, u)) {
                if (cs == COLD_NAN)
                    rank_nan = true;
                continue;
            }
            size_t nrel = 0;
            for (size_t e = byu.ptr[du]; e < byu.ptr[du + 1]; e++) {
                bool relevant = md.p.implicitPrefs ? byu.val[e] > 0 : byu.val[e] >= threshold;
                if (!relevant)
                    continue;
                if (!item_warm(&md, &mp, mp.imap[byu.idx[e]])) {
                    if (cs == COLD_NAN)
                        rank_nan = true;
                    continue;
                }
                nrel++;
            }
            if (nrel > 0)
                rows[nrows++] = (uint32_t)u;
        }
        /* rows[] are model users; map them back to data users for the relevant sets. */
        int64_t *data_of = malloc((m->nusers ? m->nusers : 1) * sizeof *data_of);
        if (!data_of) {
            rc = 3;
            goto done;
        }
        for (uint32_t du = 0; du < r.users.n; du++)
            if (mp.umap[du] >= 0)
                data_of[mp.umap[du]] = du;
        if (!rank_nan && any_topk) {
            als_status st = als_topk_alloc(&t, nrows, K);
            if (!st)
                st = als_topk_gemm(m->U, rows, nrows, m->V, m->nitems, m->rank, NULL, tadd,
                                   md.seen.nnz ? &md.seen : NULL, (int)threads, 0, 0, &t, &d);
            if (st) {
                free(data_of);
                rc = als_cli_fail(st, &d);
                goto done;
            }
        }
        if (!rank_nan && any_full) {
            scores = malloc((m->nitems ? m->nitems : 1) * sizeof *scores);
            cand = malloc((m->nitems ? m->nitems : 1) * sizeof *cand);
            cand_of = malloc((m->nitems ? m->nitems : 1) * sizeof *cand_of);
            rel_c = malloc((r.items.n ? r.items.n : 1) * sizeof *rel_c);
            if (!scores || !cand || !cand_of || !rel_c) {
                free(data_of);
                rc = 3;
                goto done;
            }
        }
        for (size_t o = 0; o < nrows && !rank_nan; o++) {
            uint32_t u = rows[o];
            uint32_t du = (uint32_t)data_of[u];
            size_t nrel = 0;
            for (size_t e = byu.ptr[du]; e < byu.ptr[du + 1]; e++) {
                bool relevant = md.p.implicitPrefs ? byu.val[e] > 0 : byu.val[e] >= threshold;
                int64_t i = mp.imap[byu.idx[e]];
                if (relevant && item_warm(&md, &mp, i))
                    rel[nrel++] = (uint32_t)i;
            }
            if (any_full) {
                const float *x = m->U + (size_t)u * (size_t)m->rank;
                for (uint32_t i = 0; i < m->nitems; i++) {
                    const float *y = m->V + (size_t)i * (size_t)m->rank;
                    double s = 0;
                    for (int j = 0; j < m->rank; j++)
                        s += (double)x[j] * y[j];
                    scores[i] = (float)s + tadd[i];
                }
                for (size_t e = md.seen.nnz ? md.seen.ptr[u] : 0; md.seen.nnz && e < md.seen.ptr[u + 1]; e++)
                    scores[md.seen.idx[e]] = -INFINITY;
            }
            uint32_t nc = 0;
            size_t nrc = 0;
            if (any_full) {
                for (uint32_t i = 0; i < m->nitems; i++) {
                    if (scores[i] == -INFINITY) {
                        cand_of[i] = UINT32_MAX;
                        continue;
                    }
                    cand_of[i] = nc;
                    cand[nc++] = scores[i];
                }
                for (size_t j = 0; j < nrel; j++)
                    if (cand_of[rel[j]] != UINT32_MAX)
                        rel_c[nrc++] = cand_of[rel[j]];
            }
            for (int j = 0; j < nmet; j++) {
                if (!als_metric_is_ranking(&met[j]))
                    continue;
                double v;
                if (met[j].kind == ALS_METRIC_MPR || met[j].kind == ALS_METRIC_AUC) {
                    if (nrc == 0)
                        continue;
                    v = met[j].kind == ALS_METRIC_MPR ? als_metric_user_mpr(cand, nc, rel_c, nrc)
                                                      : als_metric_user_auc(cand, nc, rel_c, nrc);
                } else {
                    size_t len = t.count[o];
                    if (met[j].kind == ALS_METRIC_MAP && len > (size_t)k)
                        len = (size_t)k; /* map: over the -k list */
                    v = als_metric_user(&met[j], t.idx + o * (size_t)K, len, rel, nrel);
                }
                if (isnan(v))
                    continue; /* undefined for this user (e.g. AUC when every candidate is relevant) */
                sum[j] += v;
                cnt[j]++;
            }
            nranked++;
        }
        free(data_of);
    }
    for (int j = 0; j < nmet; j++) {
        switch (met[j].kind) {
        case ALS_METRIC_RMSE: val[j] = reg.rmse; break;
        case ALS_METRIC_MSE: val[j] = reg.mse; break;
        case ALS_METRIC_MAE: val[j] = reg.mae; break;
        case ALS_METRIC_R2: val[j] = reg.r2; break;
        case ALS_METRIC_VAR: val[j] = reg.var; break;
        default: val[j] = rank_nan || cnt[j] == 0 ? NAN : sum[j] / (double)cnt[j]; break;
        }
        if (nan_all)
            val[j] = NAN;
    }
    als_status st = cm_out_open(&out, out_path, &d);
    if (st) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    if (fmt == OUT_CSV)
        fputs("metric,value\n", out.f);
    if (fmt == OUT_JSON)
        fputc('{', out.f);
    for (int j = 0; j < nmet; j++) {
        char num[64];
        if (isnan(val[j]))
            snprintf(num, sizeof num, fmt == OUT_JSON ? "null" : "NaN");
        else if (isinf(val[j]))
            snprintf(num, sizeof num, fmt == OUT_JSON ? "null" : val[j] > 0 ? "Infinity" : "-Infinity");
        else
            snprintf(num, sizeof num, fmt == OUT_TEXT ? "%.9g" : "%.17g", val[j]);
        if (fmt == OUT_JSON)
            fprintf(out.f, "%s\"%s\": %s", j ? ", " : "", met[j].name, num);
        else
            fprintf(out.f, "%s,%s\n", met[j].name, num);
    }
    if (fmt == OUT_JSON)
        fputs("}\n", out.f);
    if ((st = cm_out_commit(&out, &d))) {
        rc = als_cli_fail(st, &d);
        goto done;
    }
    fprintf(stderr, "alstune %s: %zu rows, %zu cold-start (%s)", cmd, r.n, ncold,
            cs == COLD_DROP ? "dropped" : cs == COLD_NAN ? "NaN" : "mean");
    if (any_topk || any_full)
        fprintf(stderr, ", %zu users ranked", nranked);
    fputc('\n', stderr);
done:
    free(pred);
    free(act);
    free(rows);
    free(rel);
    free(rel_c);
    free(cand_of);
    free(tadd);
    free(scores);
    free(cand);
    als_topk_free(&t);
    als_csr_free(&byu);
    mapping_free(&mp);
    als_ratings_free(&r);
    als_model_dir_free(&md);
    return rc;
}
