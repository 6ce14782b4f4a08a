/* tests/install/example.c — a program built against the *installed* libalstune by
 * tests/cli/test_install.sh, with nothing but `pkg-config --cflags --libs alstune`:
 *
 *   example MODEL_DIR
 *
 * Trains explicit ALS on a 6×6 ratings matrix held in memory (two taste groups: users u0–u2
 * rate items i0–i2 five stars and i3–i5 one star, users u3–u5 the other way round; u0 has not
 * rated i2 and i5), saves the model folder, loads it back and prints u0's top-3 unseen items as
 *   u0 ITEM SCORE
 * Exits 0 when the answer is the obvious one (i2 near 5 stars first, then i5 near 1 star, and
 * nothing else), 1 otherwise, 2 on a library error (printed as path:line:col: error: ...). */
#include <alstune/alstune.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char RATINGS[] =
    "userId,movieId,rating\n"
    "u0,i0,5\nu0,i1,5\nu0,i3,1\nu0,i4,1\n"
    "u1,i0,5\nu1,i1,5\nu1,i2,5\nu1,i3,1\nu1,i4,1\nu1,i5,1\n"
    "u2,i0,5\nu2,i1,5\nu2,i2,5\nu2,i3,1\nu2,i4,1\nu2,i5,1\n"
    "u3,i0,1\nu3,i1,1\nu3,i2,1\nu3,i3,5\nu3,i4,5\nu3,i5,5\n"
    "u4,i0,1\nu4,i1,1\nu4,i2,1\nu4,i3,5\nu4,i4,5\nu4,i5,5\n"
    "u5,i0,1\nu5,i1,1\nu5,i2,1\nu5,i3,5\nu5,i4,5\nu5,i5,5\n";

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL_DIR\n", argv[0]);
        return 2;
    }
    als_diag d;
    als_diag_clear(&d);
    als_ratings r;
    als_load_opts o;
    als_params p;
    als_csr by_user = {0}, by_item = {0};
    als_model m = {0};
    als_model_dir md;
    als_topk top = {0};
    int rc = 1;
    als_ratings_init(&r);
    als_model_dir_init(&md);

    /* 1. Ratings: parsed from memory (als_ratings_load reads a file the same way). */
    als_load_opts_default(&o);
    o.format = ALS_FMT_CSV;
    als_status st = als_ratings_parse(&r, RATINGS, sizeof RATINGS - 1, "<memory>", &o, &d);
    /* 2. Parameters: Spark's defaults, then ours; checked before any work. */
    als_params_default(&p);
    p.rank = 2;
    p.regParam = 0.01;
    p.maxIter = 20;
    p.seed = 42;
    p.threads = 1;
    if (!st)
        st = als_params_check(&p, &d);
    /* 3. The two CSR views, the model, Spark's initialisation, training. */
    if (!st)
        st = als_csr_build(&by_user, r.users.n, r.items.n, r.user, r.item, r.rating, NULL, r.n);
    if (!st)
        st = als_csr_transpose(&by_item, &by_user);
    if (!st)
        st = als_model_alloc(&m, r.users.n, r.items.n, p.rank, p.bias);
    if (!st) {
        als_model_init(&m, &p, &by_user);
        st = als_train(&m, &p, &by_user, &by_item, NULL, NULL, &d);
    }
    /* 4. Save the model folder, load it back, recommend u0's top 3 unseen items. */
    if (!st)
        st = als_model_save(argv[1], &m, &p, &r.users, &r.items, &by_user, "", &d);
    if (!st)
        st = als_model_load(&md, argv[1], &d);
    int64_t u0 = st ? -1 : als_idmap_find(&md.users, "u0", 2);
    uint32_t row = u0 < 0 ? 0 : (uint32_t)u0;
    if (!st && u0 < 0)
        st = als_diag_set(&d, ALS_E_INTERNAL, argv[1], 0, 0, "user u0 is not in the loaded model");
    if (!st)
        st = als_model_recommend(&md, false, &row, 1, 3, true, 1, &top, &d);
    if (st) {
        als_diag_print(&d, stderr);
        rc = 2;
        goto done;
    }

    double rmse = als_train_rmse(&m, &by_user);
    printf("train_rmse %.4f\n", rmse);
    for (uint32_t j = 0; j < top.count[0]; j++)
        printf("u0 %s %.3f\n", als_idmap_str(&md.items, top.idx[j]), (double)top.score[j]);
    rc = !(rmse < 0.2 && top.count[0] == 2 &&
           strcmp(als_idmap_str(&md.items, top.idx[0]), "i2") == 0 && fabs(top.score[0] - 5.0) < 0.5 &&
           strcmp(als_idmap_str(&md.items, top.idx[1]), "i5") == 0 && fabs(top.score[1] - 1.0) < 0.5 &&
           fabs(als_model_predict(&md, row, top.idx[0]) - top.score[0]) < 1e-4);
    if (rc)
        fprintf(stderr, "example: unexpected recommendations\n");
done:
    als_topk_free(&top);
    als_model_dir_free(&md);
    als_model_free(&m);
    als_csr_free(&by_item);
    als_csr_free(&by_user);
    als_ratings_free(&r);
    return rc;
}
