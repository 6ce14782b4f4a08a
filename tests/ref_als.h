/* ref_als — a naive double-precision ALS used only by the tests: straight loops over the rating
 * triplets, dense normal equations, Gaussian elimination, and projected coordinate descent for
 * nonnegative rows.  Deliberately shares no code with src/als_solver.c. */
#ifndef REF_ALS_H
#define REF_ALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int nu, ni, k;
    double *U, *V;   /* nu × k, ni × k */
    bool bias;
    double mu;
    double *bu, *bi;
} ref_model;

typedef struct {
    int rank;
    double regParam;
    bool implicitPrefs;
    double alpha;
    bool nonnegative;
    bool bias;
} ref_params;

/* Allocate with zero factors; returns false on allocation failure. */
bool ref_model_alloc(ref_model *m, int nu, int ni, int k, bool bias);
void ref_model_free(ref_model *m);
/* iters full iterations (items given users, then users given items), Spark's maths.
 * Returns false when a system is singular. */
bool ref_als_train(ref_model *m, const ref_params *p, const uint32_t *u, const uint32_t *i, const float *r,
                   size_t n, int iters);

#endif
