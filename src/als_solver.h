/* als_solver — the ALS core with Spark MLlib's semantics (design §6, docs/als.md).
 *
 *   explicit (ALS-WR):  (Y_uᵀY_u + λ n_u I) x_u = Y_uᵀ r_u
 *   implicit (HKV + Spark): (YᵀY + Σ_{i∈u} c_ui y_i y_iᵀ + λ n⁺_u I) x_u = Σ_{r>0} (1+c_ui) y_i,
 *                            c = α|r|, n⁺_u = #{r_ui > 0}
 *   nonnegative: the same per-row systems solved under x ≥ 0
 *   bias (beyond Spark): r ≈ μ + b_u + b_i + x_u·y_i, biases regularised like the factors.
 * Each iteration solves every item given the users, then every user given the items.
 * Factors are float, row-major (n × rank); products are float, sums of more than 128 of them and
 * every solve are double (docs/als.md §2).  Results do not depend on the thread count. */
#ifndef ALS_SOLVER_H
#define ALS_SOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "als_error.h"
#include "als_sparse.h"

typedef enum { ALS_SOLVE_CHOLESKY = 0, ALS_SOLVE_CG } als_implicit_solver;

typedef struct {
    int rank;                /* k ≥ 1 */
    double regParam;         /* λ ≥ 0 */
    int maxIter;             /* ≥ 1 (0 allowed: init only) */
    bool implicitPrefs;
    double alpha;            /* ≥ 0, implicit confidence scale */
    bool nonnegative;
    uint64_t seed;           /* init: seeded by (seed, side, row) */
    bool bias;               /* learn μ, b_u, b_i (explicit only) */
    als_implicit_solver solver; /* implicit: exact Cholesky or warm-started CG */
    int cgSteps;             /* CG steps per row per half-iteration (default 3) */
    int threads;             /* OpenMP threads for the row loops; 0 = all */
} als_params;

/* The trained model: x_u = U + u*rank, y_i = V + i*rank. */
typedef struct {
    uint32_t nusers, nitems;
    int rank;
    float *U;                /* nusers × rank */
    float *V;                /* nitems × rank */
    bool has_bias;
    double mu;               /* global mean (bias models) */
    float *ubias, *ibias;    /* per-user / per-item biases (bias models), else NULL */
} als_model;

/* Spark's defaults: rank 10, regParam 0.1, maxIter 10, alpha 1, cholesky, cgSteps 3, seed 0. */
void als_params_default(als_params *p);
/* Reject bad values with a message naming the parameter, before any work. */
als_status als_params_check(const als_params *p, als_diag *d);

als_status als_model_alloc(als_model *m, uint32_t nusers, uint32_t nitems, int rank, bool bias);
void als_model_free(als_model *m);
/* Spark's init: each row N(0,1) per component, scaled to unit norm (|·| for nonnegative),
 * seeded by (seed, side, row) so the result does not depend on threads.  Biases start at 0,
 * mu at the mean rating of `by_user` (bias models). */
void als_model_init(als_model *m, const als_params *p, const als_csr *by_user);

/* Called after each full iteration (1-based).  Return non-zero to stop training early. */
typedef int (*als_iter_cb)(int iter, const als_model *m, void *ctx);

/* Run p->maxIter iterations starting from the factors already in m (see als_model_init).
 * by_user: nusers × nitems ratings; by_item: its transpose.  Rows with no ratings keep zero
 * factors on the side being solved (their predictions are then cold-start, see als_predict).
 * Returns ALS_E_NUMERIC (with a message) if a system cannot be solved or factors go non-finite. */
als_status als_train(als_model *m, const als_params *p, const als_csr *by_user,
                     const als_csr *by_item, als_iter_cb cb, void *ctx, als_diag *d);

/* Predicted rating; NaN if u or i is out of range (unknown id).  A row without training ratings
 * has a zero factor (and bias), so it predicts 0 (or μ + the other bias): cold start is for the
 * caller to detect from the training data. */
double als_predict(const als_model *m, int64_t u, int64_t i);

/* Explicit objective (design §6) at the current factors: Σ(r - pred)² + λ(Σ n_u‖x_u‖² + Σ n_i‖y_i‖²)
 * (+ the bias terms).  Used by the property tests. */
double als_objective(const als_model *m, const als_params *p, const als_csr *by_user,
                     const als_csr *by_item);
/* Training RMSE over by_user. */
double als_train_rmse(const als_model *m, const als_csr *by_user);

/* Kernels exposed for tests and benchmarks.
 * Solve the SPD system A x = b (A: k×k row-major, double; only its upper triangle is read; on
 * success A is overwritten by the Cholesky factor U, A = UᵀU, with zeros below the diagonal, and b
 * by x).  Returns false when A is not positive definite (a pivot ≤ 1e-10 × its diagonal entry). */
bool als_cholesky_solve(double *A, double *b, int k);
/* Nonnegative least squares on normal equations: min ½xᵀAx - bᵀx s.t. x ≥ 0 (A SPD k×k, upper
 * triangle read), by the Lawson–Hanson active-set method.  x holds the warm start on entry.
 * work: at least k*k + 6*k doubles.  Returns the iterations used, or -1 when a sub-system is not
 * positive definite. */
int als_nnls_solve(const double *A, const double *b, double *x, int k, double *work);

/* ---- internal: the half-iteration engine shared by als_train and the data-parallel driver
 * (als_dpals, docs/scale-dataparallel.md); not a stable interface.  It solves the rows of local
 * rating blocks exactly as als_train does, so a row's factor is bitwise the same as long as it sees
 * the same ratings (in the same order), the same neighbour factors and the same Gram matrix. */
typedef struct als_rowsolver als_rowsolver;
/* Workspaces for the rows of R0 (side 0, users) and R1 (side 1, items) under p (checked); mu: the
 * global mean of a bias model.  R0 and R1 must outlive the solver (their schedules are kept). */
als_status als_rowsolver_new(als_rowsolver **out, const als_params *p, double mu, const als_csr *R0,
                             const als_csr *R1, als_diag *d);
/* The padded row stride (floats) of the factor tables the solver reads and writes. */
int als_rowsolver_ld(const als_rowsolver *S);
/* Implicit: the Gram matrix of the other side, from its upper triangle (a ≤ c < rank, row by row). */
void als_rowsolver_set_gram(als_rowsolver *S, const double *upper);
/* Solve every row of R (the block given for `side` at creation): Y is the neighbour table (ld
 * floats per row, zero padding) indexed by R's column ids, yb its biases (bias models, else NULL);
 * X the side's table, ld floats per local row (in: the current factors, for the NNLS/CG warm
 * starts; out: the new ones), xb its biases.  row0: the global index of local row 0, for messages.
 * Returns ALS_E_NUMERIC with the first failing row's message, as als_train. */
als_status als_rowsolver_solve(als_rowsolver *S, const als_csr *R, int side, const float *Y, const float *yb,
                               float *X, float *xb, uint32_t row0, int iter, als_diag *d);
void als_rowsolver_free(als_rowsolver *S);

#endif
