/* cmd_evaluate.c — `alstune predict` and `alstune evaluate`: a model folder applied to a ratings
 * file.  DATA is read by the ratings loader (als_data; for predict the rating column is
 * optional), cold start and every metric come from als_eval — the evaluator the tuner uses — so
 * `evaluate` on a refit model and its holdout reproduces best.yaml's test section exactly. */
#define _POSIX_C_SOURCE 200809L
#include "cmd_model.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "als_eval.h"
#include "als_metrics.h"
#include "als_limits.h"
#include "cli.h"

static int parse_cold(const char *cmd, const char *s, als_cold_start *c)
{
    if (strcmp(s, "drop") == 0)
        *c = ALS_COLD_DROP;
    else if (strcmp(s, "nan") == 0)
        *c = ALS_COLD_NAN;
    else if (strcmp(s, "mean") == 0)
        *c = ALS_COLD_MEAN;
    else
        return als_cli_usage_error(cmd, "--cold-start expects drop, nan or mean, got '%s'", s);
    return 0;
}

static const char *cold_word(als_cold_start c)
{
    return c == ALS_COLD_DROP ? "dropped" : c == ALS_COLD_NAN ? "NaN" : "mean";
}

/* ---- the data file ------------------------------------------------------------------------ */

/* Load DATA with the ratings loader; pairs: the rating column is optional (predict). */
static int load_data(const char *cmd, const char *path, bool pairs, als_ratings *r)
{
    als_load_opts o;
    als_load_opts_default(&o);
    o.rating_optional = pairs;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_ratings_load(r, path, &o, &d);
    if (st)
        return als_cli_fail(st, &d);
    if (r->n_duplicates > 0)
        fprintf(stderr, "alstune %s: %s: %zu duplicate (user, movie) pairs; the last %s of each was used\n", cmd,
                path, r->n_duplicates, r->has_rating ? "rating" : "row");
    return 0;
}

/* DATA's dense ids as model rows/columns: known ids get the model's index, unknown ones the
 * indices after the model's (nusers + j, nitems + j), so they are cold for als_eval. */
typedef struct {
    uint32_t *urow, *icol;    /* per data user / item */
    uint32_t nrows, ncols;
} mapping;

static void mapping_free(mapping *mp)
{
    free(mp->urow);
    free(mp->icol);
}

static int mapping_build(const als_model_dir *md, const als_ratings *r, mapping *mp)
{
    memset(mp, 0, sizeof *mp);
    mp->urow = malloc((r->users.n ? r->users.n : 1) * sizeof *mp->urow);
    mp->icol = malloc((r->items.n ? r->items.n : 1) * sizeof *mp->icol);
    if (!mp->urow || !mp->icol)
        return 3;
    uint64_t nr = md->m.nusers, nc = md->m.nitems;
    for (uint32_t u = 0; u < r->users.n; u++) {
        const char *s = als_idmap_str(&r->users, u);
        int64_t k = als_idmap_find(&md->users, s, strlen(s));
        mp->urow[u] = k >= 0 ? (uint32_t)k : (uint32_t)nr++;
    }
    for (uint32_t i = 0; i < r->items.n; i++) {
        const char *s = als_idmap_str(&r->items, i);
        int64_t k = als_idmap_find(&md->items, s, strlen(s));
        mp->icol[i] = k >= 0 ? (uint32_t)k : (uint32_t)nc++;
    }
    if (nr >= UINT32_MAX || nc >= UINT32_MAX)
        return 3;
    mp->nrows = (uint32_t)nr;
    mp->ncols = (uint32_t)nc;
    return 0;
}

/* The model side of als_eval for a model folder. */
static als_eval_model eval_model(const als_model_dir *md)
{
    als_eval_model em = {.m = &md->m,
                         .train = md->user_count ? &md->seen : NULL,
                         .item_count = md->item_count,
                         .train_mean = md->user_count ? als_eval_train_mean(&md->seen) : NAN};
    return em;
}

static int check_cold_mean(const char *cmd, const char *dir, als_cold_start cs, const als_eval_model *em)
{
    if (cs == ALS_COLD_MEAN && !em->m->has_bias && isnan(em->train_mean)) {
        fprintf(stderr, "alstune %s: --cold-start mean needs the training ratings (seen.csr) or a bias model; "
                        "%s has neither\n", cmd, dir);
        return 2;
    }
    return 0;
}

/* ---- what predict and evaluate share ------------------------------------------------------ */

/* The model folder, DATA, DATA's ids mapped onto the model, and the model side of als_eval. */
typedef struct {
    als_model_dir md;
    als_ratings r;
    mapping mp;
    als_eval_model em;
    als_diag d;
} run;

static void run_init(run *v)
{
    memset(&v->mp, 0, sizeof v->mp);
    memset(&v->em, 0, sizeof v->em);
    als_model_dir_init(&v->md);
    als_ratings_init(&v->r);
    als_diag_clear(&v->d);
}

static void run_free(run *v)
{
    mapping_free(&v->mp);
    als_ratings_free(&v->r);
    als_model_dir_free(&v->md);
}

/* The options both take: -o/--output and --cold-start.  0 taken, else 2 (a bad value, after its
 * message, or not one of them: the caller's default case, where '?' lands too). */
static int run_opt(const char *cmd, int c, const char *arg, const char **out_path, als_cold_start *cs)
{
    switch (c) {
    case 'o': *out_path = arg; return 0;
    case 'c': return parse_cold(cmd, arg, cs);
    default: return 2;
    }
}

/* After the model is loaded: DATA (pairs: the rating column optional), its mapping onto the
 * model, and whether --cold-start mean can be served.  0, or the exit code. */
static int run_load_data(const char *cmd, char **argv, bool pairs, als_cold_start cs, run *v)
{
    int rc;
    if ((rc = load_data(cmd, argv[optind + 1], pairs, &v->r)) || (rc = mapping_build(&v->md, &v->r, &v->mp)))
        return rc;
    v->em = eval_model(&v->md);
    return check_cold_mean(cmd, argv[optind], cs, &v->em);
}

/* ---- predict ------------------------------------------------------------------------------ */

const char als_help_predict[] =
    "Usage: alstune predict MODELDIR DATA [-o FILE] [--cold-start drop|nan|mean] [--std]\n"
    "\n"
    "Predicted ratings for the (user, movie) pairs of DATA: any ratings format alstune reads\n"
    "(ratings.csv, u.data, ratings.dat, ...), or a CSV/TSV whose header names only user and\n"
    "movie columns (userId,movieId, uid,iid, ...: the names of docs/data.md, any case), or\n"
    "headerless user,movie pairs.  Output is CSV:\n"
    "    userId,movieId,rating,prediction    (rating only when DATA has ratings)\n"
    "one row per distinct pair of DATA, in file order (a pair repeated in a ratings file keeps\n"
    "its last rating, as when training).\n"
    "\n"
    "  -o, --output FILE     write to FILE (temporary name + rename) instead of stdout\n"
    "  --cold-start S        rows whose user or movie is unknown to the model or has no training\n"
    "                        rating: drop (default) omits them, nan writes NaN (Spark), mean\n"
    "                        writes the mean training rating, or mu + the known biases for bias\n"
    "                        models\n"
    "  --std                 bpmf folders with kept samples (train --keep-samples N): two more\n"
    "                        columns, posterior_mean and posterior_std, the mean and standard\n"
    "                        deviation of the N kept samples' predictions (docs/model.md)\n"
    "\n"
    "Exit status: 0 ok, 2 bad usage / unreadable DATA / corrupt model folder, 3 I/O error.\n";

int als_cmd_predict(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"cold-start", required_argument, NULL, 'c'},
                                         {"std", no_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "predict", *out_path = NULL;
    als_cold_start cs = ALS_COLD_DROP;
    bool want_std = false;
    int rc = 0, c;
    run v;
    cm_out out;
    run_init(&v);
    while ((c = als_cli_getopt(cmd, argc, argv, ":o:", opts)) != -1) {
        switch (c) {
        case 's': want_std = true; break;
        default: /* -o, --cold-start; '?': als_cli_getopt printed the one message */
            if ((rc = run_opt(cmd, c, optarg, &out_path, &cs)))
                goto done;
            break;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 2, "expected MODELDIR and DATA", "MODELDIR and DATA")))
        goto done;
    if ((rc = cm_load_model(&v.md, argv[optind])) ||
        (want_std && (rc = cm_load_samples(&v.md, argv[optind], false))) ||
        (rc = run_load_data(cmd, argv, true, cs, &v)))
        goto done;
    const als_ratings *r = &v.r;
    als_status st = cm_out_open(&out, out_path, &v.d);
    if (st) {
        rc = als_cli_fail(st, &v.d);
        goto done;
    }
    fprintf(out.f, "userId,movieId,%sprediction%s\n", r->has_rating ? "rating," : "",
            want_std ? ",posterior_mean,posterior_std" : "");
    size_t ncold = 0;
    for (size_t e = 0; e < r->n; e++) {
        uint32_t u = v.mp.urow[r->user[e]], i = v.mp.icol[r->item[e]];
        double p, pm = NAN, psd = NAN;
        if (als_eval_cold(&v.em, u, i)) {
            ncold++;
            if (cs == ALS_COLD_DROP)
                continue;
            p = cs == ALS_COLD_NAN ? NAN : als_eval_cold_mean(&v.em, u, i);
        } else {
            p = als_model_predict(&v.md, u, i);
            if (want_std)
                als_model_sample_stats(&v.md, u, i, &pm, &psd);
        }
        als_csv_field(out.f, als_idmap_str(&r->users, r->user[e]));
        fputc(',', out.f);
        als_csv_field(out.f, als_idmap_str(&r->items, r->item[e]));
        if (r->has_rating)
            fprintf(out.f, ",%.9g", (double)r->rating[e]);
        const double col[3] = {p, pm, psd};
        for (int j = 0; j < (want_std ? 3 : 1); j++) {
            if (isnan(col[j]))
                fputs(",NaN", out.f);
            else
                fprintf(out.f, ",%.9g", col[j]);
        }
        fputc('\n', out.f);
    }
    if ((st = cm_out_commit(&out, &v.d))) {
        rc = als_cli_fail(st, &v.d);
        goto done;
    }
    if (ncold > 0)
        fprintf(stderr, "alstune %s: %zu of %zu rows are cold-start (%s)\n", cmd, ncold, r->n, cold_word(cs));
done:
    run_free(&v);
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

#define MAX_METRICS ALS_EVAL_MAX_METRICS

/* Parse a comma-separated metric list (als_eval_parse_metrics); a usage error when bad. */
static int parse_metrics(const char *cmd, const char *list, long k, als_metric *met, int *nmet)
{
    als_diag d;
    als_diag_clear(&d);
    if (als_eval_parse_metrics(list, (int)k, met, MAX_METRICS, nmet, &d))
        return als_cli_usage_error(cmd, "%s", d.msg);
    return 0;
}

int als_cmd_evaluate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'M'},  {"top", required_argument, NULL, 'k'},
        {"threshold", required_argument, NULL, 'T'}, {"cold-start", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'f'},  {"output", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
    const char *cmd = "evaluate", *out_path = NULL, *metric_list = NULL;
    als_cold_start cs = ALS_COLD_DROP;
    cm_format fmt = OUT_TEXT;
    long k = 10, threads = 0;
    double threshold = 4.0;
    int rc = 0, c;
    run v;
    cm_out out;
    als_metric met[MAX_METRICS];
    int nmet = 0;
    uint32_t *row = NULL, *col = NULL;
    als_csr data;
    als_eval_ws *ws = NULL;
    memset(&data, 0, sizeof data);
    run_init(&v);
    while ((c = als_cli_getopt(cmd, argc, argv, ":k:o:", opts)) != -1) {
        switch (c) {
        case 'M': metric_list = optarg; break;
        case 'k':
            if ((rc = als_cli_int(cmd, "-k", optarg, 1, ALS_TOPK_MAX, &k)))
                goto done;
            break;
        case 'T':
            if ((rc = als_cli_double(cmd, "--threshold", optarg, -1e300, 1e300, &threshold)))
                goto done;
            break;
        case 'f':
            if ((rc = cm_parse_format(cmd, optarg, &fmt)))
                goto done;
            break;
        case 't':
            if ((rc = als_cli_int(cmd, "--threads", optarg, 1, ALS_THREADS_MAX, &threads)))
                goto done;
            break;
        default: /* -o, --cold-start; '?': als_cli_getopt printed the one message */
            if ((rc = run_opt(cmd, c, optarg, &out_path, &cs)))
                goto done;
            break;
        }
    }
    if ((rc = als_cli_operands(cmd, argc, argv, 2, "expected MODELDIR and DATA", "MODELDIR and DATA")))
        goto done;
    /* An explicit metric list is checked before any loading, so a typo is reported at once; the
     * default list depends on the model kind. */
    als_status st0;
    if (metric_list && (rc = parse_metrics(cmd, metric_list, k, met, &nmet)))
        goto done;
    if ((rc = cm_load_model(&v.md, argv[optind])))
        goto done;
    if (!metric_list &&
        (rc = parse_metrics(cmd, v.md.p.implicitPrefs ? "precision,recall,ndcg,map@,mpr,auc" : "rmse,mse,mae,r2,var",
                            k, met, &nmet)))
        goto done;
    if ((rc = run_load_data(cmd, argv, false, cs, &v)))
        goto done;
    const als_ratings *r = &v.r;
    /* DATA by user in the model's row/column space: the layout the tuner evaluates its holdout in */
    row = malloc((r->n ? r->n : 1) * sizeof *row);
    col = malloc((r->n ? r->n : 1) * sizeof *col);
    if (!row || !col) {
        rc = 3;
        goto done;
    }
    for (size_t e = 0; e < r->n; e++) {
        row[e] = v.mp.urow[r->user[e]];
        col[e] = v.mp.icol[r->item[e]];
    }
    if (als_csr_build(&data, v.mp.nrows, v.mp.ncols, row, col, r->rating, NULL, r->n)) {
        rc = 3;
        goto done;
    }
    als_eval_opts eo = {.cold = cs, .implicit = v.md.p.implicitPrefs, .threshold = threshold, .k = (int)k,
                        .threads = (int)threads};
    als_eval_result res;
    if ((st0 = als_eval_ws_alloc(&ws, data.nrows, v.md.m.nitems, data.nnz, met, nmet, &eo, &v.d)) ||
        (st0 = als_eval_run(ws, &v.em, &data, &res, &v.d))) {
        rc = als_cli_fail(st0, &v.d);
        goto done;
    }
    const double *val = res.value;
    bool any_ranking = false;
    for (int j = 0; j < nmet; j++)
        any_ranking |= als_metric_is_ranking(&met[j]);
    als_status st = cm_out_open(&out, out_path, &v.d);
    if (st) {
        rc = als_cli_fail(st, &v.d);
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
    if ((st = cm_out_commit(&out, &v.d))) {
        rc = als_cli_fail(st, &v.d);
        goto done;
    }
    fprintf(stderr, "alstune %s: %zu rows, %zu cold-start (%s)", cmd, res.n_rows, res.n_cold, cold_word(cs));
    if (any_ranking)
        fprintf(stderr, ", %zu users ranked", res.n_ranked);
    fputc('\n', stderr);
done:
    free(row);
    free(col);
    als_csr_free(&data);
    als_eval_ws_free(ws);
    run_free(&v);
    return rc;
}
