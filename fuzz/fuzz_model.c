/* fuzz_model — the model folder (als_model_load: model.yaml, the .npy headers and data, the id
 * files, seen.csr), then what the commands do with a loaded model: recommend (users and items,
 * with and without seen ratings), similar, predict and fold-in.
 *
 * Input: byte 0 is a presence mask over the eight files, in this order:
 *   bit 0 model.yaml, 1 user_factors.npy, 2 item_factors.npy, 3 user_ids.txt, 4 item_ids.txt,
 *   5 user_bias.npy, 6 item_bias.npy, 7 seen.csr;
 * the rest is the present files' contents joined by FZ_SEP ("\n%%\n"), in the same order. */
#include "fuzz_common.h"

#include <math.h>

#include "als_model.h"

static const char *const names[8] = {"model.yaml", "user_factors.npy", "item_factors.npy",
                                     "user_ids.txt", "item_ids.txt", "user_bias.npy",
                                     "item_bias.npy", "seen.csr"};

static void use(const als_model_dir *md)
{
    const als_model *m = &md->m;
    als_diag d;
    als_topk t;
    uint32_t row0 = 0;
    if (m->nusers > 0 && m->nitems > 0) {
        for (int seen = 0; seen < 2; seen++) {
            if (als_model_recommend(md, false, &row0, 1, 3, seen, 1, &t, &d) == ALS_OK) {
                FZ_ASSERT(t.count[0] <= 3);
                for (uint32_t j = 0; j < t.count[0]; j++)
                    FZ_ASSERT(t.idx[j] < m->nitems);
                als_topk_free(&t);
            }
            if (als_model_recommend(md, true, &row0, 1, 3, seen, 1, &t, &d) == ALS_OK) {
                for (uint32_t j = 0; j < t.count[0]; j++)
                    FZ_ASSERT(t.idx[j] < m->nusers);
                als_topk_free(&t);
            }
        }
        if (m->nusers <= 64 && als_model_recommend(md, false, NULL, 0, 2, true, 1, &t, &d) == ALS_OK)
            als_topk_free(&t);
        (void)als_model_predict(md, 0, 0);
        (void)als_model_predict(md, (int64_t)m->nusers, 0);
        (void)als_model_warm(md, false, 0);
        (void)als_model_warm(md, true, 0);
        uint32_t items[2] = {0, m->nitems - 1};
        float r[2] = {4.0f, 1.0f}, bias = 0;
        float *x = malloc((size_t)m->rank * sizeof *x);
        (void)als_model_foldin(md, items, r, m->nitems > 1 ? 2 : 1, x, &bias, &d);
        free(x);
    }
    if (m->nitems > 0 && als_model_similar(md, false, &row0, 1, 3, &t, &d) == ALS_OK) {
        for (uint32_t j = 0; j < t.count[0]; j++)
            FZ_ASSERT(t.idx[j] < m->nitems && t.idx[j] != 0);
        als_topk_free(&t);
    }
    if (m->nusers > 0 && als_model_similar(md, true, &row0, 1, 3, &t, &d) == ALS_OK)
        als_topk_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[512];
    if (!dir[0])
        fz_path(dir, sizeof dir, fz_dir(), "model");
    mkdir(dir, 0700);
    if (size < 1)
        return 0;
    fz_write_folder(dir, names, 8, data[0], data + 1, size - 1);
    fz_cli_args((const char *const[]){"recommend", "@/model", "--all-users", "-k", "3", "--threads", "1", NULL});
    als_model_dir md;
    als_model_dir_init(&md);
    als_diag d;
    als_diag_clear(&d);
    als_status st = als_model_load(&md, dir, &d);
    if (st == ALS_OK) {
        const als_model *m = &md.m;
        FZ_ASSERT(m->rank >= 1);
        FZ_ASSERT(md.users.n == m->nusers && md.items.n == m->nitems);
        FZ_ASSERT(m->nusers == 0 || m->U);
        FZ_ASSERT(m->nitems == 0 || m->V);
        FZ_ASSERT(!m->has_bias || ((m->nusers == 0 || m->ubias) && (m->nitems == 0 || m->ibias)));
        FZ_ASSERT(md.seen.ptr && md.seen.nrows == m->nusers && md.seen.ncols == m->nitems);
        FZ_ASSERT(md.seen.ptr[0] == 0 && md.seen.ptr[m->nusers] == md.seen.nnz);
        for (uint32_t u = 0; u < m->nusers; u++) {
            FZ_ASSERT(md.seen.ptr[u] <= md.seen.ptr[u + 1]);
            for (size_t e = md.seen.ptr[u]; e < md.seen.ptr[u + 1]; e++) {
                FZ_ASSERT(md.seen.idx[e] < m->nitems);
                FZ_ASSERT(e == md.seen.ptr[u] || md.seen.idx[e - 1] < md.seen.idx[e]);
            }
        }
        use(&md);
    } else {
        FZ_CHECK_DIAG(st, d);
    }
    als_model_dir_free(&md);
    return 0;
}
