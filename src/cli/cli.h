/* cli.h — the alstune subcommands and the helpers they share (cli.c).  Each subcommand lives in
 * src/cli/cmd_<name>.c, parses its options with als_cli_getopt, and returns a process exit code
 * (see als_status_exit_code); only main.c exits.  main.c answers `alstune help NAME` and
 * `alstune NAME --help` from the als_help_<name> text.  This header is for src/cli/ only: no
 * library file (src/als_*.c) includes it (tests/cli/test_layers.sh checks). */
#ifndef ALS_CLI_H
#define ALS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "als_error.h"

typedef int (*als_cmd_fn)(int argc, char **argv);

#define ALS_COMMANDS(X)                                                                          \
    X(tune, "run a YAML experiment: grid search with k-fold cross-validation")                   \
    X(merge, "combine the shards of tune --shard I/N into the outputs of one run")                \
    X(stats, "exploratory statistics of a ratings file (the tutorials' EDA)")                    \
    X(gen, "generate deterministic synthetic MovieLens-like data")                               \
    X(train, "train one ALS model and write a model folder")                                     \
    X(recommend, "top-k movies for users, or top-k users for movies")                            \
    X(similar, "most similar movies (or users) by cosine of the factors")                        \
    X(foldin, "fold in a new user's ratings and recommend for them")                             \
    X(predict, "predict ratings for a file of (user, movie) pairs")                              \
    X(evaluate, "regression and ranking metrics of a model on a ratings file")                   \
    X(report, "write report.md and report.html for a results folder")                            \
    X(check, "compare a results folder against a baseline (CI regression gate)")

#define ALS_DECLARE_CMD(name, summary)                                                           \
    int als_cmd_##name(int argc, char **argv);                                                   \
    extern const char als_help_##name[];
ALS_COMMANDS(ALS_DECLARE_CMD)
#undef ALS_DECLARE_CMD

/* Write report.md/report.html for a finished results folder (cmd_report.c); log may be NULL.
 * Returns an exit code; a missing gnuplot is a warning, not a failure. */
int als_report_after_tune(const char *results_dir, FILE *log);

/* Print d to stderr GNU-style and return the exit code for st. */
int als_cli_fail(als_status st, const als_diag *d);
/* "alstune NAME: message" and "Try 'alstune NAME --help'." on stderr; returns 2 (bad usage). */
int als_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse a whole-string integer/double option value (als_str_to_long/als_str_to_double) within
 * [lo, hi]; on failure print one usage error naming opt and return 2, else 0. */
int als_cli_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int als_cli_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
/* After the options, exactly n operands (argv[optind..]): returns 0, or 2 after one message —
 * too few: missing (e.g. "missing MODELDIR"); too many: "unexpected argument 'X' (expected
 * EXPECTED)", naming the first extra operand. */
int als_cli_operands(const char *cmd, int argc, char **argv, int n, const char *missing, const char *expected);

/* One getopt_long step for subcommand cmd, with getopt's own messages off.  Returns the option's
 * value (optarg set as usual), -1 after the last option (optind = first operand), or '?' after
 * printing exactly one usage message naming the command and the option: unknown option,
 * ambiguous abbreviation, missing value, or a value given to a flag.  The caller returns 2 on '?'
 * and prints nothing more.  A new argv (or the end of the previous parse) restarts getopt, so
 * callers do not touch optind/opterr.  shortopts may omit the leading ':'. */
int als_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts, const struct option *longopts);

#endif
