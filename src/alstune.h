/* alstune.h — the whole public API of libalstune in one include:
 *
 *   #include <alstune/alstune.h>        (cc $(pkg-config --cflags alstune) ...)
 *
 * Every header below can also be included on its own (<alstune/als_solver.h>, ...).  They need
 * nothing but the C11 standard headers: no config.h, no OpenBLAS/GSL/libyaml headers.
 * See docs/library.md for the contract (ownership, errors, threads, versioning). */
#ifndef ALSTUNE_H
#define ALSTUNE_H

#include "als_error.h"   /* als_status, als_diag */
#include "als_util.h"    /* atomic file writes, SHA-256, .npy, counter-based RNG */
#include "als_data.h"    /* ratings and movie catalogues, id maps */
#include "als_sparse.h"  /* als_csr */
#include "als_solver.h"  /* als_params, als_model, als_train, als_predict */
#include "als_model.h"   /* model folders, top-k, recommend, similar, fold-in */
#include "als_metrics.h" /* RMSE, MAE, ranking metrics */
#include "als_split.h"   /* train/test splits, folds */
#include "als_synth.h"   /* synthetic ratings */
#include "als_stats.h"   /* dataset statistics */
#include "als_config.h"  /* experiment YAML → als_experiment */
#include "als_runner.h"  /* the tuning workbench */
#include "als_limits.h"  /* every bound of every parameter, in one table */
#include "als_eval.h"    /* one evaluator: cold start, regression and ranking metrics, top-k */
#include "als_estimate.h" /* memory and time estimate of an experiment (tune --dry-run) */
#include "als_search.h"  /* search spaces, random/Sobol/TPE samplers, Hyperband brackets */
#include "als_stats_test.h" /* paired tests over folds, Holm, one-SE rule, bootstrap */
#include "als_bpmf.h"    /* Bayesian PMF: the Gibbs sampler (not yet a model kind of tune) */

#endif
