/* mkmodel — test helper: write a model folder from a small hand-written spec, so the CLI tests
 * of recommend/similar/foldin/predict/evaluate can use models whose outputs are computed by hand.
 *
 *   mkmodel DIR < SPEC
 *
 * SPEC, one directive per line ('#' comments):
 *   rank K
 *   param NAME VALUE        regParam, alpha, maxIter, implicitPrefs (0/1), nonnegative (0/1)
 *   mu M                    makes a bias model (then user/item lines end with their bias)
 *   user ID f1 ... fK [b]   rows in order of appearance
 *   item ID f1 ... fK [b]
 *   seen USERID ITEMID R    a training rating (seen.csr); without any, no seen.csr is written
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als_model.h"

#define MAXROWS 1000
#define MAXK 16

static double num(const char *s, int line)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (!s || errno || end == s || *end) {
        fprintf(stderr, "mkmodel: line %d: expected a number, found '%s'\n", line, s ? s : "(nothing)");
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkmodel DIR < SPEC\n");
        return 2;
    }
    static float U[MAXROWS * MAXK], V[MAXROWS * MAXK], ub[MAXROWS], ib[MAXROWS], sv[MAXROWS * 4];
    static uint32_t su[MAXROWS * 4], si[MAXROWS * 4];
    als_idmap users, items;
    als_idmap_init(&users);
    als_idmap_init(&items);
    als_params p;
    als_params_default(&p);
    int k = 0, line = 0;
    bool bias = false;
    double mu = 0;
    size_t ns = 0;
    char buf[4096];
    while (fgets(buf, sizeof buf, stdin)) {
        line++;
        char *save = NULL, *w = strtok_r(buf, " \t\r\n", &save);
        if (!w || w[0] == '#')
            continue;
        if (strcmp(w, "rank") == 0) {
            k = (int)num(strtok_r(NULL, " \t\r\n", &save), line);
            if (k < 1 || k > MAXK)
                return fprintf(stderr, "mkmodel: rank must be in [1, %d]\n", MAXK), 2;
            p.rank = k;
        } else if (strcmp(w, "param") == 0) {
            char *name = strtok_r(NULL, " \t\r\n", &save);
            double v = num(strtok_r(NULL, " \t\r\n", &save), line);
            if (!name)
                return 2;
            if (strcmp(name, "regParam") == 0)
                p.regParam = v;
            else if (strcmp(name, "alpha") == 0)
                p.alpha = v;
            else if (strcmp(name, "maxIter") == 0)
                p.maxIter = (int)v;
            else if (strcmp(name, "implicitPrefs") == 0)
                p.implicitPrefs = v != 0;
            else if (strcmp(name, "nonnegative") == 0)
                p.nonnegative = v != 0;
            else
                return fprintf(stderr, "mkmodel: line %d: unknown param %s\n", line, name), 2;
        } else if (strcmp(w, "mu") == 0) {
            bias = true;
            mu = num(strtok_r(NULL, " \t\r\n", &save), line);
        } else if (strcmp(w, "user") == 0 || strcmp(w, "item") == 0) {
            bool is_user = w[0] == 'u';
            char *id = strtok_r(NULL, " \t\r\n", &save);
            if (!id || k == 0)
                return fprintf(stderr, "mkmodel: line %d: need rank first and an id\n", line), 2;
            als_idmap *map = is_user ? &users : &items;
            uint32_t r;
            if (als_idmap_intern(map, id, strlen(id), &r) || r >= MAXROWS)
                return 2;
            float *row = (is_user ? U : V) + (size_t)r * MAXK;
            for (int j = 0; j < k; j++)
                row[j] = (float)num(strtok_r(NULL, " \t\r\n", &save), line);
            if (bias)
                (is_user ? ub : ib)[r] = (float)num(strtok_r(NULL, " \t\r\n", &save), line);
        } else if (strcmp(w, "seen") == 0) {
            char *u = strtok_r(NULL, " \t\r\n", &save), *i = strtok_r(NULL, " \t\r\n", &save);
            double v = num(strtok_r(NULL, " \t\r\n", &save), line);
            int64_t ur = u ? als_idmap_find(&users, u, strlen(u)) : -1;
            int64_t ir = i ? als_idmap_find(&items, i, strlen(i)) : -1;
            if (ur < 0 || ir < 0 || ns == MAXROWS * 4)
                return fprintf(stderr, "mkmodel: line %d: seen needs a known user and item\n", line), 2;
            su[ns] = (uint32_t)ur;
            si[ns] = (uint32_t)ir;
            sv[ns++] = (float)v;
        } else {
            return fprintf(stderr, "mkmodel: line %d: unknown directive %s\n", line, w), 2;
        }
    }
    als_model m;
    if (als_model_alloc(&m, users.n, items.n, k, bias))
        return 3;
    for (uint32_t r = 0; r < users.n; r++)
        memcpy(m.U + (size_t)r * (size_t)k, U + (size_t)r * MAXK, (size_t)k * sizeof(float));
    for (uint32_t r = 0; r < items.n; r++)
        memcpy(m.V + (size_t)r * (size_t)k, V + (size_t)r * MAXK, (size_t)k * sizeof(float));
    if (bias) {
        m.mu = mu;
        memcpy(m.ubias, ub, users.n * sizeof(float));
        memcpy(m.ibias, ib, items.n * sizeof(float));
        p.bias = true;
    }
    als_csr seen;
    memset(&seen, 0, sizeof seen);
    if (ns > 0 && als_csr_build(&seen, users.n, items.n, su, si, sv, NULL, ns))
        return 3;
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_model_save(argv[1], &m, &p, &users, &items, ns ? &seen : NULL, NULL, &d);
    if (st)
        als_diag_print(&d, stderr);
    als_csr_free(&seen);
    als_model_free(&m);
    als_idmap_free(&users);
    als_idmap_free(&items);
    return als_status_exit_code(st);
}
