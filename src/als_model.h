/* als_model — the model folder (design §7) and what a trained model is used for: top-k
 * recommendation, similar items, fold-in of a new user.
 *
 * Model folder: model.yaml (params, sizes, data fingerprint, version), user_factors.npy,
 * item_factors.npy (float32, C order), user_ids.txt, item_ids.txt (original ids, one per line,
 * row order), user_bias.npy / item_bias.npy (n×1, bias models), seen.csr (the training ratings,
 * so recommendations can exclude what a user already rated, and fold-in can be checked).
 * seen.csr layout (little-endian): "ALSCSR1\n", u32 nrows, u32 ncols, u64 nnz, u64 ptr[nrows+1],
 * u32 idx[nnz] (increasing within a row), f32 val[nnz].  See docs/model.md. */
#ifndef ALS_MODEL_H
#define ALS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "als_data.h"
#include "als_solver.h"
#include "als_sparse.h"

/* What model.yaml records about a BPMF model (`model: bpmf`, docs/model.md "BPMF models").  The
 * folder's factors are the posterior means of the collected samples; it is always a bias model
 * (mu = the centring offset c; user_bias/item_bias the posterior-mean biases, or zeros when the
 * sampler ran without biases).  is_bpmf false: an ALS model (no `model` key). */
typedef struct {
    bool is_bpmf;
    double alpha;          /* the fixed observation precision, or the last drawn one when sample_alpha */
    bool sample_alpha;
    int burnin, samples;
    bool bpmf_bias;        /* the sampler drew biases (else the bias files are zeros) */
    int keep_samples;      /* thinned samples kept in samples/ (0: none) */
    int thin;              /* kept: collected samples thin, 2·thin, ..., keep_samples·thin */
} als_model_bpmf;

/* The kept samples of a bpmf folder (samples/, docs/model.md "Samples"), loaded on demand by
 * als_model_load_samples; n = 0 when not loaded. */
typedef struct {
    int n;                 /* kept samples (model.yaml's keep_samples) */
    float **U, **V;        /* n factor tables, nusers × rank and nitems × rank */
    float **ub, **ib;      /* n bias vectors when the sampler drew biases (bpmf_bias), else NULL */
    /* from samples/user_prior_NNN.npy, when loaded with the priors (else NULL): */
    double *alpha;         /* n: α of the sample */
    double *bias_prec;     /* n: λ_b, the prior precision of a bias */
    double *mu;            /* n × rank: μ_U */
    double *Lambda;        /* n × rank × rank: Λ_U, row-major */
} als_model_samples;

/* A model folder loaded (or about to be saved). */
typedef struct {
    als_model_bpmf bpmf;   /* model: bpmf (is_bpmf), else all zero */
    als_model_samples samples; /* kept samples (als_model_load_samples), else n = 0 */
    als_model m;           /* factors (and biases) */
    als_params p;          /* training parameters */
    als_idmap users, items;/* original ids in row order */
    als_csr seen;          /* training ratings by user (nusers × nitems); nnz = 0 if absent */
    uint32_t *user_count;  /* training ratings per user / per item, from seen.csr; NULL when the */
    uint32_t *item_count;  /* folder has none.  A row with count 0 is cold: Spark's model would not
                            * know it, so recommend/similar/foldin leave it out */
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
/* The same for a BPMF model: m holds the posterior-mean factors and must have biases (mu = c);
 * p supplies rank and seed only; b the BPMF keys. */
als_status als_model_save_bpmf(const char *dir, const als_model *m, const als_params *p,
                               const als_model_bpmf *b, const als_idmap *users, const als_idmap *items,
                               const als_csr *seen, const char *data_sha256, als_diag *d);
/* Load and validate (missing files, wrong dtype, shape mismatch, id count mismatch → ALS_E_INPUT
 * naming the file). */
als_status als_model_load(als_model_dir *md, const char *dir, als_diag *d);

/* ---- top-k ---------------------------------------------------------------------------------- */
/* Top-k lists of n query rows: row r's entries are idx/score[r*k .. r*k + count[r]), best first
 * (score descending, ties by smaller index).  count[r] < k when fewer candidates exist. */
typedef struct {
    size_t n;
    int k;
    uint32_t *idx;
    float *score;
    uint32_t *count;
} als_topk;

als_status als_topk_alloc(als_topk *t, size_t n, int k);
void als_topk_free(als_topk *t);

/* The one top-k routine (recommend, foldin, and the ranking metrics of als_eval in the tuner and
 * in `evaluate`): for each r < n, query row q = rows ? rows[r] : r of Q (rank columns),
 * the top k targets t < nt by Q[q]·T[t] + qadd[q] + tadd[t] (qadd, tadd may be NULL; −inf in
 * tadd removes a target), skipping the targets listed in row q of excl (may be NULL; columns in
 * any order).  Blocks of bq queries × bt targets go through cblas_sgemm (single
 * threaded) into a per-thread buffer, blocks of queries run in parallel on `threads` OpenMP
 * threads (0 = all), and each query keeps a k-sized heap.  bq, bt ≤ 0 pick the defaults.
 * The result does not depend on threads or block sizes except through float rounding of the
 * dot products.  out must be allocated with n rows and k. */
als_status als_topk_gemm(const float *Q, const uint32_t *rows, size_t n, const float *T, uint32_t nt,
                         int rank, const float *qadd, const float *tadd, const als_csr *excl, int threads,
                         int bq, int bt, als_topk *out, als_diag *d);
/* Reference for the tests: double dot products, full sort. Same contract as als_topk_gemm. */
als_status als_topk_naive(const float *Q, const uint32_t *rows, size_t n, const float *T, uint32_t nt,
                          int rank, const float *qadd, const float *tadd, const als_csr *excl,
                          als_topk *out, als_diag *d);
/* Top-k of one score vector s[0..n) into idx/score (capacity k), skipping non-finite and -inf
 * scores; returns the count. Ties by smaller index. */
uint32_t als_topk_select(const float *s, uint32_t n, int k, uint32_t *idx, float *score);

/* Recommendations of a loaded model: for users (by_item false) the top-k items of each dense
 * user index rows[0..n) (rows NULL: all users, n ignored); for items (by_item true) the top-k
 * users of each item.  Scores are predictions (x_u·y_i, plus μ + b_u + b_i for bias models).
 * exclude_seen skips the training ratings stored in the folder (seen.csr); cold targets (no
 * training rating) are never recommended.  out is allocated here; free with als_topk_free. */
als_status als_model_recommend(const als_model_dir *md, bool by_item, const uint32_t *rows, size_t n,
                               int k, bool exclude_seen, int threads, als_topk *out, als_diag *d);

/* Cosine similarity of factor rows (items, or users when by_user): for each query row, the top-k
 * other rows by cos(f_q, f_j); the row itself and zero-norm rows are excluded (a zero-norm query
 * gets an empty list).  out is allocated here. */
als_status als_model_similar(const als_model_dir *md, bool by_user, const uint32_t *rows, size_t n,
                             int k, als_topk *out, als_diag *d);

/* Fold in a new user: the user half-step of ALS against the fixed item factors, with the model's
 * parameters (explicit: (Σ y yᵀ + λ n I) x = Σ r y; implicit: (YᵀY + Σ c y yᵀ + λ n⁺ I) x =
 * Σ_{r>0} (1+c) y, c = α|r|; nonnegative: NNLS; bias models: b_u solved jointly with x against
 * r − μ − b_i).  items[0..n) dense item indices (no duplicates), ratings their values.
 * x receives rank floats; *bias (may be NULL) the user bias (0 without bias).
 * ALS_E_INPUT when there is nothing to solve for, ALS_E_NUMERIC if the system is singular. */
als_status als_model_foldin(const als_model_dir *md, const uint32_t *items, const float *ratings,
                            size_t n, float *x, float *bias, als_diag *d);

/* ---- kept BPMF samples (docs/model.md "Samples") ----------------------------------------------- */

/* Load the kept samples of a loaded bpmf folder md (read from dir): samples/user_factors_NNN.npy,
 * item_factors_NNN.npy (and the biases with bpmf_bias), and with priors also user_prior_NNN.npy
 * (what a fold-in needs).  ALS_E_INPUT naming the folder or the file when md is not a bpmf folder,
 * keeps no samples, or a file is missing, has the wrong dtype or shape, or holds bad values. */
als_status als_model_load_samples(als_model_dir *md, const char *dir, bool priors, als_diag *d);

/* Posterior mean and standard deviation of the prediction for dense indices (u, i) over the
 * loaded samples: p_j = mu + b_u⁽ʲ⁾ + b_i⁽ʲ⁾ + x_u⁽ʲ⁾·y_i⁽ʲ⁾ (double), mean = Σ p_j / n,
 * sd = sqrt(Σ (p_j − mean)² / n) (numpy's std); NaN for indices out of range or no samples. */
void als_model_sample_stats(const als_model_dir *md, int64_t u, int64_t i, double *mean, double *sd);

/* The value of n sorted numbers v at probability q ∈ [0, 1], linear interpolation (numpy's
 * default): h = (n − 1)q, v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋ + 1] − v[⌊h⌋]). */
double als_model_quantile(const double *v, size_t n, double q);

/* Recommendations for users rows[0..n) (rows NULL: all users) ranked by the kept samples'
 * predictions: their mean (q < 0) or their q-quantile (0 ≤ q ≤ 1, als_model_quantile); cold
 * movies never, seen ones not when exclude_seen.  Needs the samples loaded.  out allocated here. */
als_status als_model_recommend_samples(const als_model_dir *md, const uint32_t *rows, size_t n, int k,
                                       bool exclude_seen, double q, int threads, als_topk *out, als_diag *d);

/* Gibbs fold-in of a new user into a bpmf folder (samples loaded with priors): for each kept
 * sample j, x⁽ʲ⁾ (and b⁽ʲ⁾ with biases) is one draw from the user's conditional given that
 * sample's item factors (and biases), α, μ_U, Λ_U and λ_b (als_bpmf_draw_row), with the normals of
 * als_bpmf_seed(seed, 0, ALS_BPMF_SIDE_FOLDIN, 0, j); scores[i] (nitems) = the mean over j of
 * mu + b⁽ʲ⁾ + b_i⁽ʲ⁾ + x⁽ʲ⁾·y_i⁽ʲ⁾; x (rank) and *ubias (may be NULL) the means of the draws.
 * Deterministic for a seed.  items distinct dense indices.  ALS_E_INPUT when n is 0 or the
 * samples are not loaded, ALS_E_NUMERIC when a system is not positive definite. */
als_status als_model_foldin_bpmf(const als_model_dir *md, const uint32_t *items, const float *ratings, size_t n,
                                 uint64_t seed, double *scores, float *x, float *ubias, als_diag *d);

/* Whether a user / item row has training ratings (true for every row without seen.csr). */
bool als_model_warm(const als_model_dir *md, bool item, int64_t row);

/* Prediction of a loaded model for dense indices; NaN when either is out of range. */
double als_model_predict(const als_model_dir *md, int64_t u, int64_t i);

#endif
