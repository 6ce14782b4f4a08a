/* cli.c — the helpers every subcommand shares: usage errors, option values, and the one
 * option-parsing loop step (als_cli_getopt) that turns each bad option into exactly one
 * message.  main.c only dispatches; the library (src/) never includes cli.h. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_util.h"
#include "cli.h"

int als_cli_fail(als_status st, const als_diag *d)
{
    if (d)
        als_diag_print(d, stderr);
    return als_status_exit_code(st);
}

int als_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "alstune %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'alstune %s --help'.\n", cmd);
    return 2;
}

int als_cli_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    long v;
    if (!als_str_to_long(s, LONG_MIN, LONG_MAX, &v))
        return als_cli_usage_error(cmd, "%s expects an integer in [%ld, %ld], got '%s'", opt, lo, hi, s);
    if (v < lo || v > hi)
        return als_cli_usage_error(cmd, "%s expects an integer in [%ld, %ld], got %ld (out of range)", opt, lo, hi,
                                   v);
    *out = v;
    return 0;
}

int als_cli_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    double v;
    if (!als_str_to_double(s, &v))
        return als_cli_usage_error(cmd, "%s expects a number in [%g, %g], got '%s'", opt, lo, hi, s);
    if (!(v >= lo && v <= hi))
        return als_cli_usage_error(cmd, "%s expects a number in [%g, %g], got %s (out of range)", opt, lo, hi, s);
    *out = v;
    return 0;
}

int als_cli_operands(const char *cmd, int argc, char **argv, int n, const char *missing, const char *expected)
{
    if (argc - optind > n)
        return als_cli_usage_error(cmd, "unexpected argument '%s' (expected %s)", argv[optind + n], expected);
    if (argc - optind < n)
        return als_cli_usage_error(cmd, "%s", missing);
    return 0;
}

/* ---- option parsing ------------------------------------------------------------------------ */

/* The long option named by "--name[=value]" (exact match first, then a unique prefix, as
 * getopt_long resolves it); *nmatch counts the prefix matches when there is no exact one. */
static const struct option *long_lookup(const struct option *longopts, const char *arg, size_t *nmatch)
{
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    const struct option *hit = NULL;
    *nmatch = 0;
    for (const struct option *o = longopts; o && o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len) {
            *nmatch = 1;
            return o;
        }
        if (!hit || hit->has_arg != o->has_arg || hit->flag != o->flag || hit->val != o->val)
            (*nmatch)++;
        if (!hit)
            hit = o;
    }
    return hit;
}

/* Print the one message for a '?' or ':' from getopt_long.  argv[optind - 1] is the element
 * getopt_long finished with, except for an unknown short option in the middle of a group
 * ("-qx": optind still points at the group), hence optopt for short options. */
static void bad_option(const char *cmd, int c, char **argv, const struct option *longopts)
{
    const char *prev = optind > 0 ? argv[optind - 1] : "";
    bool is_long = strncmp(prev, "--", 2) == 0 && prev[2] != '\0';
    size_t nmatch = 0;
    const struct option *o = is_long ? long_lookup(longopts, prev, &nmatch) : NULL;
    /* an unknown short option right after a long one ("--out x -Z"): prev is not the culprit */
    if (is_long && c == '?' && optopt != 0 && !(o && nmatch == 1 && o->val == optopt && o->has_arg == no_argument))
        is_long = false;
    if (!is_long) {
        if (c == ':')
            als_cli_usage_error(cmd, "option '-%c' needs a value", optopt);
        else if (optopt > 0x20 && optopt < 0x7f)
            als_cli_usage_error(cmd, "unknown option '-%c'", optopt);
        else
            als_cli_usage_error(cmd, "unknown option '%s'", prev);
        return;
    }
    int len = (int)strcspn(prev, "=");
    if (c == ':') {
        als_cli_usage_error(cmd, "option '--%s' needs a value", o ? o->name : prev + 2);
    } else if (optopt != 0 && o && nmatch == 1) {
        als_cli_usage_error(cmd, "option '--%s' takes no value (found '%s')", o->name, prev);
    } else if (nmatch > 1) {
        char alts[512];
        size_t w = 0;
        alts[0] = '\0';
        for (const struct option *p = longopts; p->name && w + 1 < sizeof alts; p++)
            if (strncmp(p->name, prev + 2, (size_t)len - 2) == 0) {
                int k = snprintf(alts + w, sizeof alts - w, "%s--%s", w ? ", " : "", p->name);
                if (k < 0)
                    break;
                w += (size_t)k;
            }
        if (w >= sizeof alts)
            w = sizeof alts - 1;
        als_cli_usage_error(cmd, "ambiguous option '%.*s' (could be %s)", len, prev, alts);
    } else {
        als_cli_usage_error(cmd, "unknown option '%.*s'", len, prev);
    }
}

int als_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    static char **cur_argv;
    static bool active;
    /* a new parse: optind = 0 makes glibc forget a half-scanned short-option group too */
    if (!active || argv != cur_argv) {
        optind = 0;
        cur_argv = argv;
        active = true;
    }
    opterr = 0;
    /* a leading ':' makes a missing value ':' rather than '?' */
    char so[128];
    if (shortopts[0] == ':')
        snprintf(so, sizeof so, "%s", shortopts);
    else
        snprintf(so, sizeof so, ":%s", shortopts);
    static const struct option none[] = {{NULL, 0, NULL, 0}};
    int c = getopt_long(argc, argv, so, longopts ? longopts : none, NULL);
    if (c == -1) {
        active = false;
        return -1;
    }
    if (c == '?' || c == ':') {
        bad_option(cmd, c, argv, longopts ? longopts : none);
        active = false;
        return '?';
    }
    return c;
}
