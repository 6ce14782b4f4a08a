/* stats_test_driver — prints what src/als_stats_test computes on a fold-score file, for
 * tests/cli/test_stats_scipy.sh to compare with scipy.  Test scaffolding, not part of alstune.
 *
 * A fold-score file is CSV: a header "repeat,fold,NAME1,NAME2,..." and one row per fold with a
 * score per cell.  Commands (numbers printed with %.17g):
 *   pair FILE A B N_TRAIN N_VALID     tests on d = A − B (column names):
 *        paired_t T P / corrected_t T P / wilcoxon_auto T P EXACT / wilcoxon_exact T P EXACT /
 *        wilcoxon_approx T P Z
 *   compare FILE TEST LEVEL HIGHER N_TRAIN N_VALID   (TEST: corrected|paired|wilcoxon)
 *        best NAME, then per cell: cell NAME MEAN MEAN_DIFF STAT P P_HOLM EQUIVALENT
 *   holm P1 P2 ...                    adjusted p-values, one per line
 *   boot FILE COL B CONF SEED ROOT    ci LO HI, then rep VALUE per resample (units = rows)
 * Exit 0 on success, 2 on bad arguments or input, 1 when the library returns an error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_stats_test.h"

#define MAXC 64
#define MAXR 4096

static char names[MAXC][64];
static double cols[MAXC][MAXR];
static size_t ncol, nrow;

static int num(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0';
}

static int load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 0;
    }
    char line[8192];
    long ln = 0;
    ncol = nrow = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        size_t c = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), c++) {
            if (c < 2)
                continue; /* repeat, fold */
            if (c - 2 >= MAXC) {
                fprintf(stderr, "%s:%ld: too many columns\n", path, ln);
                fclose(f);
                return 0;
            }
            if (ln == 1) {
                snprintf(names[c - 2], sizeof names[c - 2], "%s", tok);
            } else if (!num(tok, &cols[c - 2][nrow])) {
                fprintf(stderr, "%s:%ld: not a number: '%s'\n", path, ln, tok);
                fclose(f);
                return 0;
            }
        }
        if (ln == 1) {
            ncol = c >= 2 ? c - 2 : 0;
            continue;
        }
        if (c - 2 != ncol || nrow + 1 >= MAXR) {
            fprintf(stderr, "%s:%ld: expected %zu scores\n", path, ln, ncol);
            fclose(f);
            return 0;
        }
        nrow++;
    }
    fclose(f);
    return ncol > 0 && nrow > 0;
}

static long col_of(const char *name)
{
    for (size_t c = 0; c < ncol; c++)
        if (strcmp(names[c], name) == 0)
            return (long)c;
    fprintf(stderr, "no column '%s'\n", name);
    return -1;
}

static int fail(als_status st, const als_diag *d)
{
    fprintf(stderr, "error (%s): %s\n", als_status_name(st), d->msg);
    return 1;
}

static int cmd_pair(char **a)
{
    double ntr, nva;
    if (!load(a[0]) || !num(a[3], &ntr) || !num(a[4], &nva))
        return 2;
    long ca = col_of(a[1]), cb = col_of(a[2]);
    if (ca < 0 || cb < 0)
        return 2;
    double d[MAXR];
    for (size_t j = 0; j < nrow; j++)
        d[j] = cols[ca][j] - cols[cb][j];
    als_diag dg;
    als_stest_result r;
    als_status st;
    if ((st = als_stest_paired_t(d, nrow, &r, &dg)) != ALS_OK)
        return fail(st, &dg);
    printf("paired_t %.17g %.17g\n", r.statistic, r.pvalue);
    if ((st = als_stest_corrected_t(d, nrow, ntr, nva, &r, &dg)) != ALS_OK)
        return fail(st, &dg);
    printf("corrected_t %.17g %.17g\n", r.statistic, r.pvalue);
    als_stest_workspace *w = als_stest_workspace_alloc(nrow);
    if (!w)
        return 1;
    static const struct {
        const char *name;
        als_wilcoxon_method m;
    } ms[] = {{"wilcoxon_auto", ALS_WILCOXON_AUTO},
              {"wilcoxon_exact", ALS_WILCOXON_EXACT},
              {"wilcoxon_approx", ALS_WILCOXON_APPROX}};
    for (size_t i = 0; i < 3; i++) {
        if ((st = als_stest_wilcoxon(d, nrow, ms[i].m, w, &r, &dg)) != ALS_OK) {
            als_stest_workspace_free(w);
            return fail(st, &dg);
        }
        if (ms[i].m == ALS_WILCOXON_APPROX)
            printf("%s %.17g %.17g %.17g\n", ms[i].name, r.statistic, r.pvalue, r.z);
        else
            printf("%s %.17g %.17g %d\n", ms[i].name, r.statistic, r.pvalue, r.exact);
    }
    als_stest_workspace_free(w);
    return 0;
}

static int cmd_compare(char **a)
{
    als_stest_compare_in in = {0};
    double hib;
    if (!load(a[0]) || !num(a[2], &in.level) || !num(a[3], &hib) || !num(a[4], &in.n_train) ||
        !num(a[5], &in.n_valid))
        return 2;
    if (strcmp(a[1], "corrected") == 0)
        in.test = ALS_STEST_CORRECTED_T;
    else if (strcmp(a[1], "paired") == 0)
        in.test = ALS_STEST_PAIRED_T;
    else if (strcmp(a[1], "wilcoxon") == 0)
        in.test = ALS_STEST_WILCOXON;
    else
        return 2;
    static double scores[MAXC * MAXR];
    for (size_t c = 0; c < ncol; c++)
        for (size_t j = 0; j < nrow; j++)
            scores[c * nrow + j] = cols[c][j];
    in.scores = scores;
    in.n_cells = ncol;
    in.n_folds = nrow;
    in.higher_is_better = hib != 0;
    als_stest_cell out[MAXC];
    size_t best;
    als_diag dg;
    als_status st = als_stest_compare_best(&in, &best, out, &dg);
    if (st != ALS_OK)
        return fail(st, &dg);
    printf("best %s\n", names[best]);
    for (size_t c = 0; c < ncol; c++)
        printf("cell %s %.17g %.17g %.17g %.17g %.17g %d\n", names[c], out[c].mean,
               out[c].mean_diff, out[c].statistic, out[c].pvalue, out[c].p_holm,
               out[c].equivalent_to_best);
    return 0;
}

static int cmd_holm(int argc, char **a)
{
    double p[256] = {0}, q[256] = {0};
    size_t m = 0;
    if (argc > 256)
        return 2;
    for (int i = 0; i < argc; i++, m++)
        if (!num(a[i], &p[m]))
            return 2;
    als_diag dg;
    als_status st = als_stest_holm(p, m, q, &dg);
    if (st != ALS_OK)
        return fail(st, &dg);
    for (size_t i = 0; i < m; i++)
        printf("%.17g\n", q[i]);
    return 0;
}

static int cmd_boot(char **a)
{
    double B, conf, seed, root;
    if (!load(a[0]) || !num(a[2], &B) || !num(a[3], &conf) || !num(a[4], &seed) ||
        !num(a[5], &root) || B < 2 || B > 1e6)
        return 2;
    long c = col_of(a[1]);
    if (c < 0)
        return 2;
    als_stest_mean_ctx ctx = {cols[c], NULL, root != 0};
    size_t nb = (size_t)B;
    double *rep = malloc(nb * sizeof *rep), lo, hi;
    if (!rep)
        return 1;
    als_diag dg;
    als_status st = als_stest_bootstrap_ci(nrow, nb, conf, (unsigned long)seed, als_stest_stat_mean,
                                           &ctx, &lo, &hi, rep, &dg);
    if (st != ALS_OK) {
        free(rep);
        return fail(st, &dg);
    }
    printf("ci %.17g %.17g\n", lo, hi);
    for (size_t b = 0; b < nb; b++)
        printf("rep %.17g\n", rep[b]);
    free(rep);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 7 && strcmp(argv[1], "pair") == 0)
        return cmd_pair(argv + 2);
    if (argc >= 8 && strcmp(argv[1], "compare") == 0)
        return cmd_compare(argv + 2);
    if (argc >= 2 && strcmp(argv[1], "holm") == 0)
        return cmd_holm(argc - 2, argv + 2);
    if (argc >= 8 && strcmp(argv[1], "boot") == 0)
        return cmd_boot(argv + 2);
    fprintf(stderr, "usage: stats_test_driver pair|compare|holm|boot ... (see the source)\n");
    return 2;
}
