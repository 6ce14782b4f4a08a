/* cmd_tune.c — `alstune tune FILE.yaml` (also `alstune FILE.yaml`): run an experiment. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "als_config.h"
#include "als_data.h"
#include "als_estimate.h"
#include "als_runner.h"
#include "als_limits.h"
#include "als_mpi.h"
#include "als_util.h"
#include "cli.h"
#include "cmd_tune.h"

const char als_help_tune[] =
    "Usage: alstune tune EXPERIMENT.yaml [OPTIONS]\n"
    "       alstune EXPERIMENT.yaml [OPTIONS]\n"
    "\n"
    "Run the experiment: grid search over Spark's ALS parameters (rank, regParam, maxIter, alpha,\n"
    "implicitPrefs, nonnegative, bias) with k-fold cross-validation on all cores, then refit the\n"
    "best cell on all non-test data.  Results go to results/<name>/ (docs/outputs.md): folds.csv,\n"
    "iterations.csv, summary.csv, best.yaml, model/, experiment.yaml, timings.csv, provenance.yaml,\n"
    "report.md and report.html.  An interrupted run resumes where it stopped when rerun.\n"
    "\n"
    "Options:\n"
    "  -t, --threads N   worker threads (default: all cores); results do not depend on it\n"
    "  -o, --out DIR     write the results to DIR instead of the experiment's output folder\n"
    "      --fresh       discard previous results in the output folder instead of resuming\n"
    "  -q, --quiet       no progress bar and no final table\n"
    "      --no-report   do not write report.md/report.html at the end\n"
    "      --save-holdout  also write holdout.csv: the held-out test ratings (userId,movieId,rating,\n"
    "                    original ids), so `alstune evaluate DIR/model DIR/holdout.csv` can\n"
    "                    reproduce best.yaml's test metrics\n"
    "  -n, --dry-run     validate the experiment and read the data; print the experiment resolved\n"
    "                    (YAML), the job count and an estimate of peak memory and run time; with\n"
    "                    --shard or under mpirun also the split of the jobs per shard or rank\n"
    "      --shard I/N   run only shard I (0 .. N-1) of the jobs, a deterministic cost-balanced\n"
    "                    subset, journaled in the folder's folds.shard-I-of-N.csv and\n"
    "                    iterations.shard-I-of-N.csv; shards may run at the same time (SLURM\n"
    "                    arrays, Kubernetes Indexed Jobs); then `alstune merge DIR` (or a plain\n"
    "                    tune) writes the outputs of one run (docs/scale.md)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Under `mpirun -np N alstune tune` rank 0 deals the jobs to all ranks and alone writes; the\n"
    "outputs are the same bytes as one process's (docs/scale.md).\n"
    "SIGINT (Ctrl-C) or SIGTERM stops the run after the write in progress; rerun to resume.\n"
    "A second run on the same output folder is refused while the first holds its lock.\n"
    "\n"
    "Exit status: 0 ok, 2 bad experiment or data (file:line:col: error: ...), 3 I/O error,\n"
    "4 numerical failure, 5 output folder in use by another run, 130/143 interrupted by\n"
    "SIGINT/SIGTERM.  See docs/yaml.md for the experiment schema.\n";

/* The stop request: the signal number, set by the handler; the runner polls it at safe points. */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig) { g_stop = sig; }

/* SIGINT/SIGTERM ask the runner to stop; SA_RESETHAND makes a second one act at once. */
static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)(SA_RESTART | SA_RESETHAND);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The message and exit status (128 + signal) of an interrupted run. */
static int interrupted_exit(int sig, const char *path, const char *out_dir)
{
    fprintf(stderr, "alstune tune: interrupted by %s; completed jobs are saved; resume with: alstune tune %s%s%s\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", path, out_dir ? " --out " : "", out_dir ? out_dir : "");
    return 128 + (sig == SIGTERM ? SIGTERM : SIGINT);
}

static void put_bytes(const char *what, double b)
{
    printf("#   %-34s %10.1f MB\n", what, b / 1e6);
}

/* --dry-run: the resolved experiment, the job count, the data's size (the ratings file is read:
 * the estimate needs its users and items, and the checks that need the data run here too) and
 * the estimate of als_estimate.h.  Everything after the YAML is a '#' comment, so the output
 * loads again as an experiment. */
static als_status dry_run(als_experiment *e, int threads, als_diag *d)
{
    als_data_shape s = {0};
    if (e->synthetic) {
        s.ratings = e->synth.ratings;
        s.users = e->synth.users;
        s.items = e->synth.items;
    } else {
        als_ratings r;
        als_ratings_init(&r);
        struct stat sb;
        if (stat(e->ratings, &sb) == 0)
            s.file_bytes = (uint64_t)sb.st_size;
        als_experiment_fix_cols(e);
        als_status st = als_ratings_load(&r, e->ratings, &e->load, d);
        s.ratings = r.n;
        s.users = r.users.n;
        s.items = r.items.n;
        als_ratings_free(&r);
        if (st)
            return st;
    }
    /* the data-dependent check the runner makes first, at the key; the random holdout's size is
     * known without splitting (the other schemes' depends on each user's ratings: the run checks) */
    double ntrain = (double)s.ratings - floor((double)s.ratings * e->testFraction);
    if (e->scheme == ALS_SPLIT_RANDOM && ntrain < e->numFolds)
        return als_experiment_error(e, ALS_KEY_NUMFOLDS, d,
                                    "numFolds: %d folds need at least as many ratings, but only %.0f remain "
                                    "for cross-validation after the %g test holdout",
                                    e->numFolds, ntrain, e->testFraction);
    /* only now, with every check passed: a bad experiment prints nothing on stdout */
    als_config_write(e, stdout);
    double nc = als_experiment_nconfigs(e);
    char folds[96]; /* "5 folds", "5 folds x 3 repeats" (split.numRepeats: the jobs are k·R per config) */
    int fl = snprintf(folds, sizeof folds, "%d folds", e->numFolds);
    if (e->numRepeats > 1 && fl > 0)
        snprintf(folds + fl, sizeof folds - (size_t)fl, " x %d repeats", e->numRepeats);
    if (e->search.sampled) /* trials that draw the same config share its jobs: an upper bound */
        printf("# %s search: %.0f trials, %s: at most %.0f jobs", als_search_method_name(e->search.method), nc, folds,
               als_experiment_njobs(e));
    else
        printf("# %.0f configs x %d maxIter values, %s: %.0f jobs", nc, e->maxIter.n, folds, als_experiment_njobs(e));
    if (e->replicates > 1)
        printf(", %d replicates each: %.0f trainings", e->replicates, als_experiment_njobs(e) * e->replicates);
    putchar('\n');
    int t = threads > 0 ? threads : omp_get_num_procs();
    als_estimate est;
    als_estimate_run(e, &s, t, &est);
    if (e->outerFolds >= 2) /* nested CV: K + 1 searches (docs/statistics.md) */
        printf("# nested CV: then %d inner runs of the same search on all but one outer fold: %.0f jobs more, "
               "%.0f jobs in all\n", e->outerFolds, est.jobs_nested, est.jobs);
    printf("# data: %" PRIu64 " ratings, %u users, %u items\n", s.ratings, s.users, s.items);
    printf("# estimate with %d threads (docs/scale.md \"Estimates\"): peak memory %.1f MB, run time %.1f s on idle "
           "cores (%.1f CPU seconds)\n", t, est.peak_bytes / 1e6, est.seconds, est.cpu_seconds);
    put_bytes("ratings, ids, index arrays", est.bytes_data);
    put_bytes("while loading (file buffer)", est.bytes_load);
    put_bytes("fold matrices (during CV)", est.bytes_folds);
    put_bytes("running jobs", est.bytes_jobs);
    put_bytes("journal rows (to the summary)", est.bytes_journal);
    put_bytes("refit (after CV)", est.bytes_refit);
    printf("#   flops: CV %.3g, refit %.3g; seconds: load %.1f, split %.1f, CV %.1f, refit %.1f; CPU %.1f s\n",
           est.flops_cv, est.flops_refit, est.seconds_load, est.seconds_split, est.seconds_cv, est.seconds_refit,
           est.cpu_seconds);
    if (est.outer_runs > 0)
        printf("#   nested CV: %.0f inner runs, flops %.3g, seconds %.1f (included in the run time and CPU seconds above)\n", est.outer_runs,
               est.flops_nested, est.seconds_nested);
    return ALS_OK;
}

/* --shard I/N: 0 <= I < N <= ALS_SHARDS_MAX; 2 (after the message) when malformed */
static int parse_shard(const char *s, als_run_opts *ro)
{
    const char *slash = strchr(s, '/');
    char a[32];
    long i, n;
    if (slash && (size_t)(slash - s) < sizeof a) {
        memcpy(a, s, (size_t)(slash - s));
        a[slash - s] = '\0';
        if (als_str_to_long(a, 0, ALS_SHARDS_MAX - 1, &i) && als_str_to_long(slash + 1, 1, ALS_SHARDS_MAX, &n) &&
            i < n) {
            ro->shard = (int)i;
            ro->nshards = (int)n;
            return 0;
        }
    }
    return als_cli_usage_error("tune", "--shard expects I/N with 0 <= I < N <= %d (shard I of N), got '%s'",
                               ALS_SHARDS_MAX, s);
}

/* ---- shared with merge (cmd_tune.h) -------------------------------------------------------- */

int ct_run_opt(const char *cmd, int c, const char *arg, als_run_opts *ro, bool *report)
{
    long v;
    switch (c) {
    case 't':
        if (als_cli_int(cmd, "--threads", arg, 1, ALS_THREADS_MAX, &v))
            return 2;
        ro->threads = (int)v;
        return 0;
    case 'q': ro->quiet = true; return 0;
    case 'R': *report = false; return 0;
    default: return 2;
    }
}

int ct_load_experiment(const char *path, als_experiment **e, als_diag *d)
{
    *e = malloc(sizeof **e);
    if (!*e)
        return 3;
    als_status st = als_config_load(*e, path, d);
    if (st) {
        free(*e);
        *e = NULL;
        return als_cli_fail(st, d);
    }
    return 0;
}

void ct_say_done(const als_run_opts *ro, const char *what, const char *dir, bool with_report)
{
    if (!ro->quiet)
        printf("\n%s: %s/  (summary.csv, folds.csv, best.yaml, model/%s)\n", what, dir,
               with_report ? ", report.html" : "");
}

static int tune_main(int argc, char **argv);

/* Under mpirun, MPI lives for the whole command; rank 0 alone prints (docs/scale.md). */
int als_cmd_tune(int argc, char **argv)
{
    int rc = tune_main(argc, argv);
    als_mpi_finalize();
    return rc;
}

static int tune_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"threads", required_argument, NULL, 't'}, {"out", required_argument, NULL, 'o'},
        {"fresh", no_argument, NULL, 'F'},         {"quiet", no_argument, NULL, 'q'},
        {"no-report", no_argument, NULL, 'R'},     {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},          {"save-holdout", no_argument, NULL, 'H'},
        {"shard", required_argument, NULL, 'S'},   {NULL, 0, NULL, 0}};
    als_run_opts ro = {.log = stderr, .out = stdout};
    bool dry = false, report = true;
    int c;
    while ((c = als_cli_getopt("tune", argc, argv, "t:o:qnh", opts)) != -1) {
        switch (c) {
        case 'o': ro.out_dir = optarg; break;
        case 'F': ro.fresh = true; break;
        case 'H': ro.save_holdout = true; break;
        case 'n': dry = true; break;
        case 'S':
            if (parse_shard(optarg, &ro))
                return 2;
            break;
        case 'h': fputs(als_help_tune, stdout); return 0;
        default: /* -t, -q, --no-report; '?': als_cli_getopt printed the one message */
            if (ct_run_opt("tune", c, optarg, &ro, &report))
                return 2;
            break;
        }
    }
    if (als_cli_operands("tune", argc, argv, 1, "expected exactly one EXPERIMENT.yaml argument",
                         "exactly one EXPERIMENT.yaml argument"))
        return 2;
    const char *path = argv[optind];
    als_diag d;
    als_diag_clear(&d);
    bool worker = false;
    if (als_mpi_launched()) { /* mpirun -np N: MPI only then, so a plain run is unchanged */
        als_status ms = als_mpi_init(&d);
        if (ms) { /* e.g. built without MPI: said once, by the process mpirun numbered 0 */
            const char *r = getenv("OMPI_COMM_WORLD_RANK") ? getenv("OMPI_COMM_WORLD_RANK") : getenv("PMIX_RANK");
            return r && strcmp(r, "0") != 0 ? als_status_exit_code(ms) : als_cli_fail(ms, &d);
        }
        worker = als_mpi_rank() > 0;
        if (worker) { /* progress and errors come from rank 0 only */
            if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) {
                /* nothing: the rank still works, and rank 0 reports its errors */
            }
            ro.log = NULL;
            ro.out = NULL;
            ro.quiet = true;
        }
    }
    als_experiment *e;
    int rc = ct_load_experiment(path, &e, &d);
    if (rc)
        return rc;
    als_status st;
    if (dry) {
        st = worker ? ALS_OK : dry_run(e, ro.threads, &d);
        if (!st && !worker && (ro.nshards > 0 || als_mpi_size() > 1)) {
            fflush(stdout);
            st = als_runner_plan(e, &ro, als_mpi_size(), &d);
        }
        free(e);
        return st ? als_cli_fail(st, &d) : 0;
    }
    als_run_result res;
    memset(&res, 0, sizeof res);
    g_stop = 0;
    ro.stop = &g_stop;
    install_handlers();
    st = als_run_experiment(e, &ro, &res, &d);
    free(e);
    if (st == ALS_E_INTERRUPTED)
        return interrupted_exit((int)g_stop, path, ro.out_dir);
    if (st)
        return als_cli_fail(st, &d);
    if (worker)
        return 0;
    if (ro.nshards > 0) {
        als_runner_unlock(&res);
        if (!ro.quiet)
            printf("shard %d/%d done in %s/; when every shard is done: alstune merge %s\n", ro.shard, ro.nshards,
                   res.out_dir, res.out_dir);
        return 0;
    }
    if (report && !g_stop) /* the report is written while the folder is still locked */
        rc = als_report_after_tune(res.out_dir, ro.quiet ? NULL : stderr);
    als_runner_unlock(&res);
    if (g_stop && rc == 0) /* every result is written: say so, but keep the status of a stop */
        return interrupted_exit((int)g_stop, path, ro.out_dir);
    ct_say_done(&ro, "results", res.out_dir, report && rc == 0);
    return rc;
}
