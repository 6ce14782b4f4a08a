/* cmd_train.c — `alstune train`: load a ratings file, train one ALS model (als_solver) printing the
 * training RMSE per iteration, and write the model folder (als_model_save); or, with --model bpmf,
 * run the BPMF Gibbs sampler (als_bpmf) and write its posterior-mean factors (als_model_save_bpmf,
 * docs/bpmf.md, docs/model.md). */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_bpmf.h"
#include "als_data.h"
#include "als_dpals.h"
#include "als_mpi.h"
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
    "With --model bpmf, run Bayesian PMF by Gibbs sampling instead (docs/bpmf.md) and write the\n"
    "posterior means of the collected samples' factors as the model (always a bias model: mu is the\n"
    "mean training rating; see docs/model.md).  Each collected sample prints 'sample N  alpha A\n"
    "train_rmse X' (of that sample).  The factors never depend on --threads.\n"
    "\n"
    "Options (Spark's parameter names):\n"
    "      --model NAME        als (default) or bpmf\n"
    "  -k, --rank K            number of latent factors, 1..1024 (default 10; bpmf: 1..512)\n"
    "  -r, --regParam L        regularisation lambda >= 0, scaled by each row's rating count (ALS-WR)\n"
    "                          (default 0.1)\n"
    "  -n, --maxIter N         iterations, 0..100000 (default 10; 0 writes the random initial model)\n"
    "      --implicitPrefs     implicit feedback (Hu-Koren-Volinsky): ratings are confidences\n"
    "                          c = alpha*|r|, preference [r > 0]\n"
    "  -a, --alpha A           implicit confidence scale >= 0 (default 1.0); with --model bpmf the\n"
    "                          observation precision > 0 (default 2), or 'sample' to draw it from its\n"
    "                          Gamma(1, 1) conditional every sweep (2 is then the start value)\n"
    "      --nonnegative       constrain the factors to be >= 0 (NNLS per row)\n"
    "      --bias              also learn a global mean and user/movie biases (explicit only; not in\n"
    "                          Spark); with --model bpmf, sample b_u + b_i with a N(0, 1) prior\n"
    "      --solver NAME       implicit row solver: cholesky (exact, default) or cg (conjugate gradient,\n"
    "                          warm-started; faster at large rank)\n"
    "      --cgSteps N         CG steps per row and half-iteration, >= 1 (default 3)\n"
    "      --burnin B          bpmf: sweeps discarded, 0..1000000 (default 20)\n"
    "      --samples S         bpmf: sweeps collected after the burn-in, 1..1000000 (default 200)\n"
    "      --keep-samples N    bpmf: also write N thinned samples' factors to MODELDIR/samples/,\n"
    "                          0..samples (default 0; docs/model.md)\n"
    "  -s, --seed S            seed of the random initial factors, an integer >= 0 (default 0)\n"
    "  -t, --threads T         OpenMP threads, 0 = all cores (default 0)\n"
    "  -f, --input-format FMT  auto (default), csv, dat (user::item::rating), udata, tsv\n"
    "  -o, --out MODELDIR      the model folder to write (created if needed; required)\n"
    "      --mpi[=EXCHANGE]    data-parallel ALS over the ranks of mpirun (docs/scale-dataparallel.md):\n"
    "                          the same model folder, written by rank 0; EXCHANGE: auto (default),\n"
    "                          lists or allgather\n"
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

/* Running sums of the collected samples' factors (and biases), for their posterior means. */
typedef struct {
    double *U, *V, *ub, *ib;
    const als_csr *by_user;
    bool quiet;
    const char *out;       /* the model folder, for --keep-samples */
    int keep, thin;
    als_status st;         /* a failed sample write (the run is then stopped) */
    double bias_prec;      /* λ_b, stored with each kept sample for fold-in */
    float *prior;          /* 2 + k + k² floats: the kept sample's α, λ_b, μ_U, Λ_U */
    als_diag *d;
} bpmf_acc;

/* Write kept sample j (1-based) as samples/{user,item}_factors_NNN.npy (and the biases), and
 * samples/user_prior_NNN.npy = (α, λ_b, μ_U, Λ_U), what a fold-in of a new user needs. */
static als_status write_sample(const bpmf_acc *a, const als_bpmf_state *s, int j)
{
    const size_t K = (size_t)s->rank;
    static const char *const names[4] = {"user_factors", "item_factors", "user_bias", "item_bias"};
    const float *data[4] = {s->U, s->V, s->ubias, s->ibias};
    size_t rows[4] = {s->nusers, s->nitems, s->nusers, s->nitems};
    size_t cols[4] = {(size_t)s->rank, (size_t)s->rank, 1, 1};
    char dir[4096], rel[64], path[4200];
    als_path_join(dir, sizeof dir, a->out, "samples");
    for (int f = 0; f < (s->ubias ? 4 : 2); f++) {
        snprintf(rel, sizeof rel, "%s_%03d.npy", names[f], j);
        als_path_join(path, sizeof path, dir, rel);
        als_status st = als_npy_write_f32(path, data[f], rows[f], cols[f], a->d);
        if (st)
            return st;
    }
    a->prior[0] = (float)s->alpha;
    a->prior[1] = (float)a->bias_prec;
    for (size_t c = 0; c < K; c++)
        a->prior[2 + c] = (float)s->mu[0][c];
    for (size_t c = 0; c < K * K; c++)
        a->prior[2 + K + c] = (float)s->Lambda[0][c];
    snprintf(rel, sizeof rel, "user_prior_%03d.npy", j);
    als_path_join(path, sizeof path, dir, rel);
    return als_npy_write_f32(path, a->prior, 1, 2 + K + K * K, a->d);
}

static void add_f(double *sum, const float *x, size_t n)
{
    for (size_t j = 0; j < n; j++)
        sum[j] += (double)x[j];
}

static int bpmf_collect(int nsamples, const als_bpmf_state *s, void *ctx)
{
    bpmf_acc *a = ctx;
    size_t k = (size_t)s->rank;
    add_f(a->U, s->U, (size_t)s->nusers * k);
    add_f(a->V, s->V, (size_t)s->nitems * k);
    if (s->ubias) {
        add_f(a->ub, s->ubias, s->nusers);
        add_f(a->ib, s->ibias, s->nitems);
    }
    if (a->keep > 0 && nsamples % a->thin == 0 && nsamples / a->thin <= a->keep &&
        (a->st = write_sample(a, s, nsamples / a->thin)))
        return 1;
    if (!a->quiet) {
        const als_csr *r = a->by_user;
        double sse = 0;
        for (uint32_t u = 0; u < r->nrows; u++)
            for (uint64_t e = r->ptr[u]; e < r->ptr[u + 1]; e++) {
                double t = (double)r->val[e] - als_bpmf_predict_current(s, u, r->idx[e]);
                sse += t * t;
            }
        fprintf(stderr, "sample %d  alpha %.6g  train_rmse %.6f\n", nsamples, s->alpha,
                r->nnz ? sqrt(sse / (double)r->nnz) : 0.0);
    }
    return 0;
}

static void mean_f(float *out, const double *sum, size_t n, int count)
{
    for (size_t j = 0; j < n; j++)
        out[j] = (float)(sum[j] / count);
}

/* Train BPMF on the loaded ratings and write the folder; the caller frees what it owns. */
static als_status train_bpmf(const als_bpmf_params *bp, int keep, const als_ratings *r, const als_csr *by_user,
                             const als_csr *by_item, const char *out, const char *sha, bool quiet, double t0,
                             als_diag *d)
{
    als_bpmf_state s;
    als_model m;
    memset(&m, 0, sizeof m);
    bpmf_acc a = {NULL, NULL, NULL, NULL, by_user, quiet, out, keep, keep > 0 ? bp->samples / keep : 1, ALS_OK,
                  bp->bias_prec, NULL, d};
    uint32_t nu = r->users.n, ni = r->items.n;
    size_t k = (size_t)bp->rank;
    als_status st = als_bpmf_state_alloc(&s, nu, ni, bp, d);
    if (st)
        return st;
    a.U = calloc((size_t)nu * k + 1, sizeof *a.U);
    a.V = calloc((size_t)ni * k + 1, sizeof *a.V);
    a.ub = calloc((size_t)nu + 1, sizeof *a.ub);
    a.ib = calloc((size_t)ni + 1, sizeof *a.ib);
    a.prior = calloc(2 + k + k * k, sizeof *a.prior);
    if (!a.U || !a.V || !a.ub || !a.ib || !a.prior || als_model_alloc(&m, nu, ni, bp->rank, true)) {
        st = als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory for the factors (%u users, %u movies, rank %d)",
                          nu, ni, bp->rank);
        goto out;
    }
    if (keep > 0) {
        char dir[4096];
        als_path_join(dir, sizeof dir, out, "samples");
        if ((st = als_mkdir_p(dir, d)))
            goto out;
    }
    double t1 = als_now();
    st = als_bpmf_run(&s, bp, by_user, by_item, NULL, NULL, 0, bpmf_collect, &a, NULL, NULL, d);
    if (!st)
        st = a.st;
    if (st)
        goto out;
    double t2 = als_now();
    if (s.collected < 1) {
        st = als_diag_set(d, ALS_E_INTERNAL, "", 0, 0, "bpmf: no sample collected");
        goto out;
    }
    mean_f(m.U, a.U, (size_t)nu * k, s.collected);
    mean_f(m.V, a.V, (size_t)ni * k, s.collected);
    mean_f(m.ubias, a.ub, nu, s.collected);
    mean_f(m.ibias, a.ib, ni, s.collected);
    m.mu = s.offset;
    als_params p;
    als_params_default(&p);
    p.rank = bp->rank;
    p.seed = bp->seed;
    p.bias = true;
    als_model_bpmf b = {true, s.alpha, bp->sample_alpha, bp->burnin, bp->samples, bp->bias, keep, a.thin};
    if ((st = als_model_save_bpmf(out, &m, &p, &b, &r->users, &r->items, by_user, sha, d)))
        goto out;
    if (!quiet)
        fprintf(stderr,
                "bpmf rank %d, %d + %d sweeps on %zu ratings (%u users, %u movies) in %.2f s (load %.2f s); "
                "train RMSE of the mean factors %.6f; alpha %.6g; model written to %s\n",
                bp->rank, bp->burnin, bp->samples, r->n, nu, ni, t2 - t1, t1 - t0, als_train_rmse(&m, by_user),
                s.alpha, out);
out:
    als_model_free(&m);
    free(a.U);
    free(a.V);
    free(a.ub);
    free(a.ib);
    free(a.prior);
    als_bpmf_state_free(&s);
    return st;
}

/* ---- --mpi: data-parallel ALS (als_dpals, docs/scale-dataparallel.md) ----------------------- */

/* Check that --mpi can run, then start MPI; ranks other than 0 stay quiet. */
static als_status mpi_start(bool bpmf, int *rank, bool *quiet, als_diag *d)
{
    if (bpmf)
        return als_diag_set(d, ALS_E_USAGE, "", 0, 0, "train: --mpi trains ALS only; --model bpmf does not take it");
    if (!als_mpi_launched())
        return als_diag_set(d, ALS_E_USAGE, "", 0, 0,
                            "train: --mpi must be started by mpirun, e.g. mpirun -np 4 alstune train --mpi ...");
    /* the one MPI start-up of alstune (als_mpi, as `tune` under mpirun) */
    als_status st = als_mpi_init(d);
    if (st == ALS_E_USAGE)
        return als_diag_set(d, ALS_E_USAGE, "", 0, 0,
                            "data-parallel training needs MPI, but alstune was built without MPI "
                            "(install libopenmpi-dev openmpi-bin and configure --with-mpi=yes)");
    *rank = als_mpi_rank();
    if (!st && *rank != 0)
        *quiet = true;
    return st;
}

static int print_dp_iter(int iter, const als_dpals_stats *s, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "iteration %d  seconds %.3f  rank0_sent_bytes %llu\n", iter, s->seconds,
            (unsigned long long)s->bytes_sent);
    return 0;
}

/* Train over the ranks; rank 0 prints one line per rank (docs/scale-dataparallel.md). */
static als_status train_dpals(als_model *m, const als_params *p, const als_csr *by_user, const als_csr *by_item,
                              als_dpals_exchange mode, bool quiet, als_diag *d)
{
    static const char *const names[3] = {"auto", "lists", "allgather"};
    als_dpals_stats s, *all = NULL;
    als_status st = als_dpals_train(m, p, by_user, by_item, mode, quiet ? NULL : print_dp_iter, NULL, &s, d);
    if (st)
        return st;
    if (s.rank == 0 && !(all = calloc((size_t)s.nranks, sizeof *all)))
        return als_diag_set(d, ALS_E_NOMEM, "", 0, 0, "out of memory");
    if (!(st = als_dpals_stats_gather(&s, all, d)) && !quiet)
        for (int r = 0; r < s.nranks; r++) {
            const als_dpals_stats *a = &all[r];
            const double it = a->iters > 0 ? a->iters : 1;
            fprintf(stderr,
                    "rank %d/%d  seconds_per_iter %.4f  comm_per_iter %.4f  sent_bytes_per_iter %.0f  "
                    "recv_bytes_per_iter %.0f  local_MB %.1f  maxrss_MB %.1f  users_table %s  items_table %s\n",
                    a->rank, a->nranks, a->seconds / it, a->comm_seconds / it, (double)a->bytes_sent / it,
                    (double)a->bytes_recv / it, (double)a->local_bytes / 1048576.0, (double)a->maxrss_kb / 1024.0,
                    names[a->exchange[0]], names[a->exchange[1]]);
        }
    free(all);
    return st;
}

int als_cmd_train(int argc, char **argv)
{
    enum { O_IMPLICIT = 256, O_NONNEG, O_BIAS, O_SOLVER, O_CGSTEPS, O_MODEL, O_BURNIN, O_SAMPLES, O_KEEP, O_MPI };
    static const struct option opts[] = {
        {"rank", required_argument, NULL, 'k'},         {"regParam", required_argument, NULL, 'r'},
        {"maxIter", required_argument, NULL, 'n'},      {"implicitPrefs", no_argument, NULL, O_IMPLICIT},
        {"alpha", required_argument, NULL, 'a'},        {"nonnegative", no_argument, NULL, O_NONNEG},
        {"bias", no_argument, NULL, O_BIAS},            {"solver", required_argument, NULL, O_SOLVER},
        {"cgSteps", required_argument, NULL, O_CGSTEPS}, {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'},      {"input-format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},          {"quiet", no_argument, NULL, 'q'},
        {"model", required_argument, NULL, O_MODEL},    {"burnin", required_argument, NULL, O_BURNIN},
        {"samples", required_argument, NULL, O_SAMPLES}, {"keep-samples", required_argument, NULL, O_KEEP},
        {"mpi", optional_argument, NULL, O_MPI},
        {NULL, 0, NULL, 0}};
    als_params p;
    als_params_default(&p);
    als_load_opts lo;
    als_load_opts_default(&lo);
    als_bpmf_params bp;
    als_bpmf_params_default(&bp);
    const char *out = NULL, *alpha_arg = NULL;
    const char *als_only = NULL; /* an ALS-only option given (refused with --model bpmf) */
    const char *bpmf_only = NULL;
    bool quiet = false, bpmf = false;
    int mpi = -1, mpi_rank = 0; /* --mpi: the exchange (als_dpals_exchange), else -1 */
    bool agreed = false;        /* --mpi: the ranks compared their status after loading */
    int keep = 0;
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
            als_only = "--regParam";
            break;
        case 'n':
            if (als_cli_int(CMD, "--maxIter", optarg, 0, ALS_MAXITER_MAX, &v))
                return 2;
            p.maxIter = (int)v;
            als_only = "--maxIter";
            break;
        case 'a': alpha_arg = optarg; break; /* its meaning depends on --model: parsed below */
        case O_MODEL:
            if (strcmp(optarg, "bpmf") == 0)
                bpmf = true;
            else if (strcmp(optarg, "als") == 0)
                bpmf = false;
            else
                return als_cli_usage_error(CMD, "--model expects als or bpmf, got '%s'", optarg);
            break;
        case O_BURNIN:
            if (als_cli_int(CMD, "--burnin", optarg, als_limit_lo(ALS_LIM_BURNIN), als_limit_hi(ALS_LIM_BURNIN), &v))
                return 2;
            bp.burnin = (int)v;
            bpmf_only = "--burnin";
            break;
        case O_SAMPLES:
            if (als_cli_int(CMD, "--samples", optarg, als_limit_lo(ALS_LIM_SAMPLES), als_limit_hi(ALS_LIM_SAMPLES),
                            &v))
                return 2;
            bp.samples = (int)v;
            bpmf_only = "--samples";
            break;
        case O_KEEP:
            if (als_cli_int(CMD, "--keep-samples", optarg, 0, als_limit_hi(ALS_LIM_SAMPLES), &v))
                return 2;
            keep = (int)v;
            bpmf_only = "--keep-samples";
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
            als_only = "--cgSteps";
            break;
        case O_IMPLICIT:
            p.implicitPrefs = true;
            als_only = "--implicitPrefs";
            break;
        case O_NONNEG:
            p.nonnegative = true;
            als_only = "--nonnegative";
            break;
        case O_BIAS: p.bias = true; break;
        case O_SOLVER:
            if (strcmp(optarg, "cholesky") == 0)
                p.solver = ALS_SOLVE_CHOLESKY;
            else if (strcmp(optarg, "cg") == 0)
                p.solver = ALS_SOLVE_CG;
            else
                return als_cli_usage_error(CMD, "--solver expects cholesky or cg, got '%s'", optarg);
            als_only = "--solver";
            break;
        case 'f':
            if (!als_format_parse(optarg, &lo.format))
                return als_cli_usage_error(CMD, "--input-format expects auto, csv, dat, udata or tsv, got '%s'",
                                           optarg);
            break;
        case 'o': out = optarg; break;
        case 'q': quiet = true; break;
        case O_MPI:
            if (!optarg || strcmp(optarg, "auto") == 0)
                mpi = ALS_DPALS_AUTO;
            else if (strcmp(optarg, "lists") == 0)
                mpi = ALS_DPALS_LISTS;
            else if (strcmp(optarg, "allgather") == 0)
                mpi = ALS_DPALS_ALLGATHER;
            else
                return als_cli_usage_error(CMD, "--mpi expects auto, lists or allgather, got '%s'", optarg);
            break;
        default: return 2; /* '?': als_cli_getopt printed the one message */
        }
    }
    if (als_cli_operands(CMD, argc, argv, 1, "missing the ratings file DATA", "only one ratings file DATA"))
        return 2;
    if (bpmf) {
        if (als_only)
            return als_cli_usage_error(CMD, "%s is an ALS option; --model bpmf does not take it (docs/bpmf.md)",
                                       als_only);
        if (p.rank > ALS_BPMF_MAX_RANK)
            return als_cli_usage_error(CMD, "--rank expects an integer in [1, %d] with --model bpmf, got %d",
                                       ALS_BPMF_MAX_RANK, p.rank);
        if (alpha_arg && strcmp(alpha_arg, "sample") == 0)
            bp.sample_alpha = true;
        else if (alpha_arg) {
            if (!als_str_to_double(alpha_arg, &x) || !(x > 0 && x <= ALS_ALPHA_MAX))
                return als_cli_usage_error(CMD,
                                           "--alpha expects a number in (0, %g] or 'sample' with --model bpmf, "
                                           "got '%s'",
                                           ALS_ALPHA_MAX, alpha_arg);
            bp.alpha = x;
        }
        if (keep > bp.samples)
            return als_cli_usage_error(CMD, "--keep-samples %d is more than --samples %d", keep, bp.samples);
        bp.rank = p.rank;
        bp.seed = p.seed;
        bp.threads = p.threads;
        bp.bias = p.bias;
    } else {
        if (bpmf_only)
            return als_cli_usage_error(CMD, "%s is only for --model bpmf", bpmf_only);
        if (alpha_arg) {
            if (als_cli_double(CMD, "--alpha", alpha_arg, 0.0, ALS_ALPHA_MAX, &x))
                return 2;
            p.alpha = x;
        }
    }
    if (!out)
        return als_cli_usage_error(CMD, "missing -o MODELDIR (the model folder to write)");
    const char *data = argv[optind];

    als_diag d;
    als_diag_clear(&d);
    als_status st = bpmf ? als_bpmf_params_check(&bp, &d) : als_params_check(&p, &d);
    if (st) {
        als_diag_print(&d, stderr);
        return 2;
    }
    if (mpi >= 0 && (st = mpi_start(bpmf, &mpi_rank, &quiet, &d)))
        return als_cli_fail(st, &d);

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
    if (bpmf) {
        if ((st = train_bpmf(&bp, keep, &r, &by_user, &by_item, out, sha, quiet, t0, &d)) == ALS_E_NUMERIC)
            name_row(&d, &r);
        goto fail;
    }
    if ((st = als_model_alloc(&m, r.users.n, r.items.n, p.rank, p.bias))) {
        als_diag_set(&d, st, "", 0, 0, "out of memory for the factors (%u users, %u movies, rank %d)", r.users.n,
                     r.items.n, p.rank);
        goto fail;
    }
    als_model_init(&m, &p, &by_user);
    if (mpi >= 0 && (agreed = true, st = als_dpals_agree(ALS_OK, &d)))
        goto fail;
    double t1 = als_now();
    if (mpi >= 0)
        st = train_dpals(&m, &p, &by_user, &by_item, (als_dpals_exchange)mpi, quiet, &d);
    else
        st = als_train(&m, &p, &by_user, &by_item, quiet ? NULL : print_iter, &by_user, &d);
    if (st) {
        if (st == ALS_E_NUMERIC)
            name_row(&d, &r);
        goto fail;
    }
    double t2 = als_now();
    if (mpi_rank == 0 && (st = als_model_save(out, &m, &p, &r.users, &r.items, &by_user, sha, &d)))
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
    if (mpi >= 0) {
        if (!agreed) /* this rank failed before training: tell the others, which wait for it */
            st = als_dpals_agree(st, &d);
        /* errors are printed by rank 0 only, before any rank exits (mpirun reports exits) */
        int rc = !st ? 0 : mpi_rank == 0 ? als_cli_fail(st, &d) : als_status_exit_code(st);
        als_mpi_finalize(); /* after a barrier: rank 0 has printed */
        return rc;
    }
    return st ? als_cli_fail(st, &d) : 0;
}
