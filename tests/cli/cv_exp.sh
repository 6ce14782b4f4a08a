# tests/cli/cv_exp.sh — sourced by the issue-13 CLI tests (test_cv_repeats.sh, test_cv_more.sh).
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
