/* cmd_train.c — `alstune train`: load a ratings file, train one ALS model (als_solver) printing the
 * training RMSE per iteration, and write the model folder (als_model_save). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_data.h"
#include "als_model.h"
#include "als_solver.h"
#include "als_sparse.h"
#include "als_util.h"
#include "als_limits.h"
#include "cli.h"

const char als_help_train[] =
    "Usage: alstune train DATA [OPTIONS] -o MODELDIR\n"
    "\n"
    "Train one ALS model with Spark MLlib's semantics on the ratings file DATA (MovieLens\n"
    "ratings.csv, ratings.dat / '::'-separated, ml-100k u.data, or a CSV/TSV with a header; detected\n"
    "from the content) and write the model folder MODELDIR: model.yaml, user_factors.npy,\n"
    "item_factors.npy, user_ids.txt, item_ids.txt, seen.csr (and user_bias.npy, item_bias.npy with\n"
    "--bias).  Each iteration prints 'iteration N  train_rmse X' on stderr.  The factors depend only\n"
    "on the data and the options, never on --threads.  See docs/als.md for the maths.\n"
    "\n"
    "Options (Spark's parameter names):\n"
    "  -k, --rank K            number of latent factors, 1..1024 (default 10)\n"
    "  -r, --regParam L        regularisation lambda >= 0, scaled by each row's rating count (ALS-WR)\n"
    "                          (default 0.1)\n"
    "  -n, --maxIter N         iterations, 0..100000 (default 10; 0 writes the random initial model)\n"
    "      --implicitPrefs     implicit feedback (Hu-Koren-Volinsky): ratings are confidences\n"
    "                          c = alpha*|r|, preference [r > 0]\n"
    "  -a, --alpha A           implicit confidence scale >= 0 (default 1.0)\n"
    "      --nonnegative       constrain the factors to be >= 0 (NNLS per row)\n"
    "      --bias              also learn a global mean and user/movie biases (explicit only; not in\n"
    "                          Spark)\n"
    "      --solver NAME       implicit row solver: cholesky (exact, default) or cg (conjugate gradient,\n"
    "                          warm-started; faster at large rank)\n"
    "      --cgSteps N         CG steps per row and half-iteration, >= 1 (default 3)\n"
    "  -s, --seed S            seed of the random initial factors, an integer >= 0 (default 0)\n"
    "  -t, --threads T         OpenMP threads, 0 = all cores (default 0)\n"
    "  -f, --input-format FMT  auto (default), csv, dat (user::item::rating), udata, tsv\n"
    "  -o, --out MODELDIR      the model folder to write (created if needed; required)\n"
    "  -q, --quiet             do not print the per-iteration lines and the summary\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 ok, 2 bad option or bad input file, 3 I/O error, 4 numerical failure (for example\n"
    "regParam 0 with a user or movie that has fewer ratings than rank).  Nothing is written on failure.\n";

#define CMD "train"

static int print_iter(int iter, const als_model *m, void *ctx)
{
    const als_csr *by_user = ctx;
    fprintf(stderr, "iteration %d  train_rmse %.6f\n", iter, als_train_rmse(m, by_user));
    return 0;
}

/* The solver names a failing row by its dense index ("user 12", "item 3"); add its original id. */
static void name_row(als_diag *d, const als_ratings *r)
{
    static const char *const kinds[2] = {"user ", "item "};
    for (int k = 0; k < 2; k++) {
        const char *at = strstr(d->msg, kinds[k]);
        char *end;
        if (!at)
            continue;
        unsigned long long row = strtoull(at + 5, &end, 10);
        const als_idmap *ids = k ? &r->items : &r->users;
        if (end == at + 5 || row >= ids->n)
            continue;
        size_t len = strlen(d->msg);
        snprintf(d->msg + len, sizeof d->msg - len, " (%s id '%s')", k ? "movie" : "user",
                 als_idmap_str(ids, (uint32_t)row));
        return;
    }
}

int als_cmd_train(int argc, char **argv)
{
    enum { O_IMPLICIT = 256, O_NONNEG, O_BIAS, O_SOLVER, O_CGSTEPS };
    static const struct option opts[] = {
        {"rank", required_argument, NULL, 'k'},         {"regParam", required_argument, NULL, 'r'},
        {"maxIter", required_argument, NULL, 'n'},      {"implicitPrefs", no_argument, NULL, O_IMPLICIT},
        {"alpha", required_argument, NULL, 'a'},        {"nonnegative", no_argument, NULL, O_NONNEG},
        {"bias", no_argument, NULL, O_BIAS},            {"solver", required_argument, NULL, O_SOLVER},
        {"cgSteps", required_argument, NULL, O_CGSTEPS}, {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'},      {"input-format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},          {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    als_params p;
    als_params_default(&p);
    als_load_opts lo;
    als_load_opts_default(&lo);
    const char *out = NULL;
    bool quiet = false;
    long v;
    double x;
    int c;
    while ((c = als_cli_getopt(CMD, argc, argv, ":k:r:n:a:s:t:f:o:q", opts)) != -1) {
        switch (c) {
        case 'k':
            if (als_cli_int(CMD, "--rank", optarg, 1, ALS_RANK_MAX, &v))
                return 2;
            p.rank = (int)v;
            break;
        case 'r':
            if (als_cli_double(CMD, "--regParam", optarg, 0.0, ALS_REGPARAM_MAX, &x))
                return 2;
            p.regParam = x;
            break;
        case 'n':
            if (als_cli_int(CMD, "--maxIter", optarg, 0, ALS_MAXITER_MAX, &v))
                return 2;
            p.maxIter = (int)v;
            break;
        case 'a':
            if (als_cli_double(CMD, "--alpha", optarg, 0.0, ALS_ALPHA_MAX, &x))
                return 2;
            p.alpha = x;
            break;
        case 's':
            if (als_cli_int(CMD, "--seed", optarg, 0, INT64_MAX, &v))
                return 2;
            p.seed = (uint64_t)v;
            break;
        case 't':
            if (als_cli_int(CMD, "--threads", optarg, 0, ALS_THREADS_MAX, &v))
                return 2;
            p.threads = (int)v;
            break;
        case O_CGSTEPS:
            if (als_cli_int(CMD, "--cgSteps", optarg, 1, ALS_CGSTEPS_MAX, &v))
                return 2;
            p.cgSteps = (int)v;
            break;
        case O_IMPLICIT: p.implicitPrefs = true; break;
        case O_NONNEG: p.nonnegative = true; break;
        case O_BIAS: p.bias = true; break;
        case O_SOLVER:
            if (strcmp(optarg, "cholesky") == 0)
                p.solver = ALS_SOLVE_CHOLESKY;
            else if (strcmp(optarg, "cg") == 0)
                p.solver = ALS_SOLVE_CG;
            else
                return als_cli_usage_error(CMD, "--solver expects cholesky or cg, got '%s'", optarg);
            break;
        case 'f':
            if (!als_format_parse(optarg, &lo.format))
                return als_cli_usage_error(CMD, "--input-format expects auto, csv, dat, udata or tsv, got '%s'",
                                           optarg);
            break;
        case 'o': out = optarg; break;
        case 'q': quiet = true; break;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (als_cli_operands(CMD, argc, argv, 1, "missing the ratings file DATA", "only one ratings file DATA"))
        return 2;
    if (!out)
        return als_cli_usage_error(CMD, "missing -o MODELDIR (the model folder to write)");
    const char *data = argv[optind];

    als_diag d;
    als_diag_clear(&d);
    als_status st = als_params_check(&p, &d);
    if (st) {
        als_diag_print(&d, stderr);
        return 2;
    }

    als_ratings r;
    als_ratings_init(&r);
    als_csr by_user, by_item;
    memset(&by_user, 0, sizeof by_user);
    memset(&by_item, 0, sizeof by_item);
    als_model m;
    memset(&m, 0, sizeof m);
    char sha[65] = "";
    double t0 = als_now();

    if ((st = als_ratings_load(&r, data, &lo, &d)))
        goto fail;
    if (r.n == 0) {
        st = als_diag_set(&d, ALS_E_INPUT, data, 0, 0, "no ratings in the file: nothing to train on");
        goto fail;
    }
    if ((st = als_sha256_file(data, sha, &d)))
        goto fail;
    if ((st = als_csr_build(&by_user, r.users.n, r.items.n, r.user, r.item, r.rating, NULL, r.n)) ||
        (st = als_csr_transpose(&by_item, &by_user))) {
        als_diag_set(&d, st, data, 0, 0, "out of memory building the rating matrices (%zu ratings)", r.n);
        goto fail;
    }
    if ((st = als_model_alloc(&m, r.users.n, r.items.n, p.rank, p.bias))) {
        als_diag_set(&d, st, "", 0, 0, "out of memory for the factors (%u users, %u movies, rank %d)", r.users.n,
                     r.items.n, p.rank);
        goto fail;
    }
    als_model_init(&m, &p, &by_user);
    double t1 = als_now();
    if ((st = als_train(&m, &p, &by_user, &by_item, quiet ? NULL : print_iter, &by_user, &d))) {
        if (st == ALS_E_NUMERIC)
            name_row(&d, &r);
        goto fail;
    }
    double t2 = als_now();
    if ((st = als_model_save(out, &m, &p, &r.users, &r.items, &by_user, sha, &d)))
        goto fail;
    if (!quiet)
        fprintf(stderr,
                "trained rank %d on %zu ratings (%u users, %u movies) in %.2f s (load %.2f s); train RMSE %.6f; "
                "model written to %s\n",
                p.rank, r.n, r.users.n, r.items.n, t2 - t1, t1 - t0, als_train_rmse(&m, &by_user), out);
fail:
    als_model_free(&m);
    als_csr_free(&by_user);
    als_csr_free(&by_item);
    als_ratings_free(&r);
    return st ? als_cli_fail(st, &d) : 0;
}
