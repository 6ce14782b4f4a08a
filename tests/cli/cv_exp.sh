# tests/cli/cv_exp.sh — the small experiments the CLI tests write, sourced by them: exp for the
# issue-13 tests (test_cv_repeats.sh, test_cv_more.sh), ml_exp for test_early.sh and
# test_tune_bpmf.sh.
# exp NAME SPLIT-EXTRA TOP-EXTRA [ALS-EXTRA] — a small synthetic experiment (2 x 2 configs x
# maxIter [3, 6], 3 folds); $CV_REG (default [0.1, 0.3]) is the regParam list, $CV_SEED (default 1)
# als.seed.
exp() {
    cat <<EOY
name: $1
data:
  synthetic: {users: 150, items: 100, ratings: 3000, rank: 2, noise: 1.0, seed: 11}
split:
  testFraction: 0.2
  numFolds: 3
  seed: 3
${2-}
als:
  rank: [2, 4]
  regParam: ${CV_REG:-[0.1, 0.3]}
  maxIter: [3, 6]
  seed: ${CV_SEED:-1}
EOY
    if [ -n "${4-}" ]; then printf '%s\n' "$4"; fi
    cat <<EOY
metric: rmse
${3-}
EOY
}

# ml_exp NAME ALS-LINES [METRIC] — a small ml-100k-like synthetic experiment (300 users, 200
# movies, 9000 ratings, 3 folds): the als: block is ALS-LINES (indented), the metric METRIC
# (default rmse).
ml_exp() {
    cat <<EOY
name: $1
data:
  synthetic: {preset: ml-100k, seed: 3, users: 300, items: 200, ratings: 9000, min_per_user: 10}
split:
  testFraction: 0.2
  numFolds: 3
  seed: 5
als:
$2
metric: ${3:-rmse}
EOY
}
