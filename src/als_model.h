/* als_model — the model folder (design §7) and what a trained model is used for: top-k
 * recommendation, similar items, fold-in of a new user.
 *
 * Model folder: model.yaml (params, sizes, data fingerprint, version), user_factors.npy,
 * item_factors.npy (float32, C order), user_ids.txt, item_ids.txt (original ids, one per line,
 * row order), user_bias.npy / item_bias.npy (n×1, bias models), seen.csr (the training ratings,
 * so recommendations can exclude what a user already rated). */
#ifndef ALS_MODEL_H
#define ALS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "als_data.h"
#include "als_solver.h"
#include "als_sparse.h"

/* A model folder loaded (or about to be saved). */
typedef struct {
    als_model m;           /* factors (and biases) */
    als_params p;          /* training parameters */
    als_idmap users, items;/* original ids in row order */
    als_csr seen;          /* training ratings by user (nusers × nitems); nnz = 0 if absent */
    char data_sha256[65];  /* fingerprint of the training data, "" if unknown */
    char version[64];
} als_model_dir;

void als_model_dir_init(als_model_dir *md);
void als_model_dir_free(als_model_dir *md);
/* Write the folder dir (created if needed); each file written under a temporary name and renamed.
 * users/items: the id maps of the ratings the model was trained on; seen: training ratings by user
 * (may be NULL). */
als_status als_model_save(const char *dir, const als_model *m, const als_params *p,
                          const als_idmap *users, const als_idmap *items, const als_csr *seen,
                          const char *data_sha256, als_diag *d);
/* Load and validate (missing files, wrong dtype, shape mismatch, id count mismatch → ALS_E_INPUT
 * naming the file). */
als_status als_model_load(als_model_dir *md, const char *dir, als_diag *d);

#endif
