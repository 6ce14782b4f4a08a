/* als_importance — parameter importances of a search by the variance of binned marginals
 * (docs/report.md "Parameter importance"): for each searched parameter, the share of the
 * variance of the trials' CV values explained by the means of its bins — the correlation ratio
 *     η²_p = Σ_b n_b (ȳ_b − ȳ)² / Σ_i (y_i − ȳ)²
 * — and the importances η²_p / Σ_q η²_q, which sum to 1.  A parameter with at most B distinct
 * values gets one bin per value; one with more gets B bins of (nearly) equal count by rank, so the
 * bins are the same on a linear or a log scale.  B = clamp(⌊√n⌋, 2, ALS_IMP_MAX_BINS) for n trials.
 * Pure functions on arrays: no I/O, no global state. */
#ifndef ALS_IMPORTANCE_H
#define ALS_IMPORTANCE_H

#include <stdbool.h>
#include <stddef.h>

#define ALS_IMP_MAX_BINS 10
#define ALS_IMP_MIN_TRIALS 3 /* fewer finite trials: no importances */

/* B for n trials: clamp(floor(sqrt(n)), 2, ALS_IMP_MAX_BINS). */
size_t als_importance_nbins(size_t n);

/* Bins of x[0..n): at most max_bins distinct values → one bin per value, in ascending order of the
 * value; more → max_bins bins by rank: the j-th smallest value (0-based, ties in input order) goes
 * to bin ⌊j·max_bins/n⌋, and every value equal to it to the bin of its first occurrence, empty
 * bins dropped.  bin[i] ∈ [0, nb); returns nb (0 when n = 0, max_bins = 0 or out of memory).
 * x must hold no NaN (the caller maps an absent value to one sentinel, e.g. -INFINITY). */
size_t als_importance_bins(const double *x, size_t n, size_t max_bins, size_t *bin);

/* η² of y[0..n) grouped by bin[] (values in [0, nbins)): between-bin over total sum of squares,
 * in [0, 1]; NaN when n = 0 or the y are all equal. */
double als_importance_eta2(const double *y, const size_t *bin, size_t n, size_t nbins);

/* The whole method: X is column-major n × p (parameter k of trial i at X[k*n + i]), y[n] finite.
 * Fills eta2[p], share[p] (η²_k / Σ η²; NaN when Σ η² = 0) and nbins[p].  Returns false (outputs
 * NaN / 0) when n < ALS_IMP_MIN_TRIALS, p = 0, the y are all equal, or out of memory (*oom set). */
bool als_importance_compute(const double *X, const double *y, size_t n, size_t p, double *eta2, double *share,
                            size_t *nbins, bool *oom);

#endif
