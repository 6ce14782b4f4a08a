/* als_split — seeded train/test holdout and k-fold assignment of ratings.
 *
 * All functions are deterministic functions of (seed, input) and never depend on threads. */
#ifndef ALS_SPLIT_H
#define ALS_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "als_data.h"

typedef enum { ALS_SPLIT_RANDOM = 0, ALS_SPLIT_PER_USER, ALS_SPLIT_LEAVE_K_OUT } als_split_scheme;

const char *als_split_scheme_name(als_split_scheme s);
bool als_split_scheme_parse(const char *s, als_split_scheme *out);

/* Holdout: like Spark's randomSplit([1-f, f]) but exact-size.  random: a seeded shuffle, the
 * first round(f·n) ratings go to test.  per_user: each user's ratings shuffled, round(f·n_u) to
 * test.  leave_k_out: k ratings of each user with more than k go to test (k = leave_k).
 * Writes index arrays (into r's rating arrays, ascending) allocated with malloc. */
als_status als_split_holdout(const als_ratings *r, double test_fraction, als_split_scheme scheme,
                             int leave_k, uint64_t seed, size_t **train, size_t *ntrain,
                             size_t **test, size_t *ntest, als_diag *d);

/* k-fold: fold[j] ∈ [0, k) for each of the n entries idx[0..n) (indices into r).  random: a
 * seeded shuffle cut into k folds whose sizes differ by at most one.  per_user: each user's
 * entries shuffled and dealt round-robin from a user-specific offset so every fold has about
 * 1/k of each user.  leave_k_out behaves as per_user for folds. */
als_status als_split_kfold(const als_ratings *r, const size_t *idx, size_t n, int k,
                           als_split_scheme scheme, uint64_t seed, int *fold, als_diag *d);

#endif
