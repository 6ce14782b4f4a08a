#!/bin/sh
# Kept BPMF samples (issue 15 items 3 and 4; docs/model.md "Samples", "Uncertainty", "Fold-in of a
# bpmf folder"): the fold-in prior stored with every kept sample; `predict --std`; `recommend
# --rank-by mean|quantile`, checked against numpy on the .npy files (skipped without numpy); the
# Gibbs fold-in of a new user (a training user folded in recovers the trained predictions,
# deterministic for a seed); and the loader's errors on missing or corrupt sample files.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
TINY=$TOP_SRCDIR/tests/fixtures/data/tiny.csv

"$ALSTUNE" gen -u 300 -i 200 -r 6000 -m 5 -q -o syn >/dev/null 2>&1
run "$ALSTUNE" train syn/ratings.csv --model bpmf --rank 4 --burnin 10 --samples 40 --keep-samples 20 --seed 5 -q -o m
check "train --keep-samples 20 of 40 exits 0 and writes a prior per kept sample" \
    '[ "$RC" = 0 ] && [ -s m/samples/user_prior_001.npy ] && [ -s m/samples/user_prior_020.npy ] &&
     [ ! -e m/samples/user_prior_021.npy ] && [ -z "$(ls m/samples | grep tmp)" ]'
run "$ALSTUNE" train syn/ratings.csv --model bpmf --rank 4 --burnin 3 --samples 4 --keep-samples 2 --bias --seed 5 -q -o mb
check "with --bias too" '[ "$RC" = 0 ] && [ -s mb/samples/user_prior_002.npy ] && [ -s mb/samples/item_bias_002.npy ]'

# --- predict --std
head -n 40 syn/ratings.csv >pairs.csv
run "$ALSTUNE" predict m pairs.csv --std
check "predict --std: two more columns, posterior_mean and posterior_std" \
    '[ "$RC" = 0 ] && [ "$(printf "%s\n" "$OUT" | head -n 1)" = "userId,movieId,rating,prediction,posterior_mean,posterior_std" ] &&
     [ "$(printf "%s\n" "$OUT" | wc -l)" = 40 ]'
printf '%s\n' "$OUT" >std.csv
check "every posterior_std is a number >= 0, and not all 0" \
    'awk -F, "NR > 1 { if (!(\$6 + 0 >= 0)) bad = 1; if (\$6 + 0 > 0) pos = 1 } END { exit bad || !pos }" std.csv'
run "$ALSTUNE" predict m pairs.csv
check "predict without --std: the columns it always had" \
    '[ "$(printf "%s\n" "$OUT" | head -n 1)" = "userId,movieId,rating,prediction" ]'
run "$ALSTUNE" predict m pairs.csv --std --cold-start nan
check "--std with --cold-start nan runs" '[ "$RC" = 0 ]'

# --- recommend --rank-by
run "$ALSTUNE" recommend m --user 1 -k 8 --rank-by mean --format csv
printf '%s\n' "$OUT" >rb_mean.csv
check "recommend --rank-by mean exits 0 with 8 rows" '[ "$RC" = 0 ] && [ "$(wc -l <rb_mean.csv)" = 9 ]'
run "$ALSTUNE" recommend m --user 1 -k 8 --rank-by quantile --quantile 0.9 --format csv
printf '%s\n' "$OUT" >rb_q.csv
check "recommend --rank-by quantile exits 0, and ranks otherwise than the mean" \
    '[ "$RC" = 0 ] && [ "$(wc -l <rb_q.csv)" = 9 ] && ! cmp -s rb_q.csv rb_mean.csv'
run "$ALSTUNE" recommend m --all-users -k 5 --rank-by quantile --threads 1
o1=$OUT
run "$ALSTUNE" recommend m --all-users -k 5 --rank-by quantile --threads 2
check "--rank-by quantile --all-users: 1 and 2 threads identical" '[ "$RC" = 0 ] && [ "$OUT" = "$o1" ]'
run "$ALSTUNE" recommend m --user 1 -k 8 --rank-by factors --format csv
o1=$OUT
run "$ALSTUNE" recommend m --user 1 -k 8 --format csv
check "--rank-by factors is the default" '[ "$OUT" = "$o1" ]'

PY=""
for cand in ${BPMF_PYTHON:-python3 /usr/bin/python3}; do
    if "$cand" -c 'import numpy' >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -n "$PY" ]; then
    run "$PY" - m <<'PYEOF'
import numpy as np, sys, csv
d = sys.argv[1]
y = dict(l.split(': ', 1) for l in open(d + '/model.yaml').read().splitlines() if ': ' in l and not l.startswith('#'))
mu, k, n = float(y['mu']), int(y['rank']), int(y['keep_samples'])
Us = np.array([np.load('%s/samples/user_factors_%03d.npy' % (d, j)) for j in range(1, n + 1)], dtype=np.float64)
Vs = np.array([np.load('%s/samples/item_factors_%03d.npy' % (d, j)) for j in range(1, n + 1)], dtype=np.float64)
users = open(d + '/user_ids.txt').read().split('\n')[:-1]
items = open(d + '/item_ids.txt').read().split('\n')[:-1]
pr = np.load('%s/samples/user_prior_001.npy' % d)
assert pr.shape == (1, 2 + k + k * k) and pr.dtype == np.float32, pr.shape
assert float(y['alpha']) == pr[0, 0] == 2.0 and pr[0, 1] == 1.0, pr[0, :2]
L = pr[0, 2 + k:].reshape(k, k)
assert np.all(L == L.T) and np.all(np.linalg.eigvalsh(L) > 0)
# predict --std
for row in list(csv.reader(open('std.csv')))[1:]:
    u, i = users.index(row[0]), items.index(row[1])
    p = mu + np.einsum('jk,jk->j', Us[:, u], Vs[:, i])
    assert abs(p.mean() - float(row[4])) < 1e-6 and abs(p.std() - float(row[5])) < 1e-6, (row, p.mean(), p.std())
# recommend --rank-by mean / quantile for user '1', seen movies out
u = users.index('1')
P = mu + np.einsum('jk,jik->ji', Us[:, u], Vs)            # samples x items
rated = set()
for l in open('syn/ratings.csv').read().split('\n')[1:]:
    f = l.split(',')
    if len(f) > 1 and f[0] == '1':
        rated.add(items.index(f[1]))
for name, score in (('rb_mean.csv', P.mean(axis=0)), ('rb_q.csv', np.quantile(P, 0.9, axis=0))):
    score = score.copy()
    score[list(rated)] = -np.inf
    top = np.argsort(-score, kind='stable')[:8]
    got = [r for r in csv.reader(open(name))][1:]
    assert [items[i] for i in top] == [r[2] for r in got], (name, [items[i] for i in top], got)
    assert all(abs(score[i] - float(r[3])) < 1e-5 for i, r in zip(top, got)), name
print('ok')
PYEOF
    check "numpy on the .npy files: the prior's shape and values, predict --std's mean and std (np.std), \
recommend --rank-by mean and quantile (np.quantile) lists and scores" '[ "$RC" = 0 ] && [ "$OUT" = ok ]'
else
    skip "numpy checks of the kept samples" "no python3 with numpy (BPMF_PYTHON names one)"
fi

# --- foldin: a training user folded in recovers the trained predictions; seeded
awk -F, 'NR > 1 && $1 == "1" { print $2 "," $3 }' syn/ratings.csv | { echo movieId,rating; cat; } >u1.csv
run "$ALSTUNE" foldin m --ratings u1.csv -k 20 --format csv --seed 1
printf '%s\n' "$OUT" >f1.csv
check "foldin of a bpmf folder exits 0 with 20 movies" '[ "$RC" = 0 ] && [ "$(wc -l <f1.csv)" = 21 ]'
"$ALSTUNE" recommend m --user 1 -k 20 --rank-by mean --format csv >r1.csv
# common movies of the two top-20 lists, the mean and the largest score difference over them (one
# draw per kept sample: Monte Carlo noise of about sd/sqrt(20) per score)
cmp_lists() { awk -F, 'NR == FNR { if (FNR > 1) s[$3] = $4; next } FNR > 1 && ($2 in s) { n++; d = $3 - s[$2]; if (d < 0) d = -d; t += d; if (d > m) m = d }
    END { printf "%d %.4f %.4f\n", n, t / n, m }' "$1" "$2"; }
res=$(cmp_lists r1.csv f1.csv)
echo "# user 1 folded in vs trained (--rank-by mean), top 20: common movies, mean and max |score difference|: $res"
check "user 1 folded in: >= 15 of the trained top 20, scores within 0.08 on average and 0.25 at most ($res)" \
    'set -- $res; [ "$1" -ge 15 ] && awk -v a="$2" -v m="$3" "BEGIN { exit !(a < 0.08 && m < 0.25) }"'
run "$ALSTUNE" foldin m --ratings u1.csv -k 20 --format csv --seed 1
check "the same seed: identical output" '[ "$OUT" = "$(cat f1.csv)" ]'
run "$ALSTUNE" foldin m --ratings u1.csv -k 20 --format csv --seed 2
check "another seed: other scores" '[ "$RC" = 0 ] && [ "$OUT" != "$(cat f1.csv)" ]'
run "$ALSTUNE" foldin m --ratings u1.csv -k 3 --print-factors
check "--print-factors prints the mean of the drawn factors (4 values) and a bias" \
    '[ "$RC" = 0 ] && printf "%s\n" "$OUT" | grep -Eq "^factors:( [-0-9.e]+){4}$" && printf "%s\n" "$OUT" | grep -q "^bias: 0$"'
awk -F, 'NR > 1 && $1 == "1" { print $2 "," $3 }' syn/ratings.csv | { echo movieId,rating; cat; } >u1b.csv
run "$ALSTUNE" foldin mb --ratings u1b.csv -k 3 --print-factors --seed 4
check "a folder with --bias folds in with a drawn bias" \
    '[ "$RC" = 0 ] && printf "%s\n" "$OUT" | grep -Eq "^bias: -?[0-9]" && ! printf "%s\n" "$OUT" | grep -q "^bias: 0$"'

# --- bad inputs
run "$ALSTUNE" train "$TINY" --rank 2 -q -o als
run "$ALSTUNE" predict als "$TINY" --std
expect_fail "predict --std on an ALS folder" 2 "als/model.yaml: error: not a model: bpmf folder"
run "$ALSTUNE" recommend als --user u1 --rank-by mean
expect_fail "recommend --rank-by mean on an ALS folder" 2 "not a model: bpmf folder"
printf 'movieId,rating\nm1,5\n' >new.csv
run "$ALSTUNE" foldin als --ratings new.csv --seed 3
expect_fail "foldin --seed on an ALS folder" 2 "--seed is for bpmf folders"
run "$ALSTUNE" train "$TINY" --model bpmf --rank 2 --burnin 1 --samples 2 -q -o nok
run "$ALSTUNE" predict nok "$TINY" --std
expect_fail "predict --std without kept samples" 2 "nok/model.yaml: error: the folder keeps no posterior samples"
run "$ALSTUNE" recommend m --user 1 --quantile 0.5
expect_fail "--quantile without --rank-by quantile" 2 "--quantile goes with --rank-by quantile"
run "$ALSTUNE" recommend m --user 1 --rank-by quantile --quantile 1.5
expect_fail "--quantile 1.5" 2 "--quantile"
run "$ALSTUNE" recommend m --user 1 --rank-by median
expect_fail "--rank-by median" 2 "--rank-by expects factors, mean or quantile, got 'median'"
run "$ALSTUNE" recommend m --item 1 --rank-by mean
expect_fail "--rank-by mean for movies" 2 "--rank-by mean ranks movies for users"
mkdir -p e1 && cp -r m/* e1/ && rm e1/samples/user_prior_007.npy
run "$ALSTUNE" foldin e1 --ratings u1.csv
expect_fail "foldin with a kept sample's prior missing names the file" 2 "e1/samples/user_prior_007.npy: error: missing kept-sample prior"
run "$ALSTUNE" predict e1 pairs.csv --std
check "predict --std does not need the priors" '[ "$RC" = 0 ]'
rm -rf e1 && mkdir -p e1 && cp -r m/* e1/ && head -c 100 m/samples/item_factors_003.npy >e1/samples/item_factors_003.npy
run "$ALSTUNE" predict e1 pairs.csv --std
expect_fail "a truncated sample file is named" 2 "e1/samples/item_factors_003.npy: error: truncated"
rm -rf e1 && mkdir -p e1 && cp -r m/* e1/ && cp m/samples/user_factors_001.npy e1/samples/item_factors_002.npy
run "$ALSTUNE" recommend e1 --user 1 --rank-by mean
expect_fail "a sample of the wrong shape is named" 2 "e1/samples/item_factors_002.npy: error: shape \\(300, 4\\) does not match"
if [ -n "$PY" ]; then
    rm -rf e1 && mkdir -p e1 && cp -r m/* e1/
    "$PY" -c 'import numpy as np, sys; a = np.load(sys.argv[1]); a[0, 0] = -1; np.save(sys.argv[1], a)' e1/samples/user_prior_004.npy
    run "$ALSTUNE" foldin e1 --ratings u1.csv
    expect_fail "a prior with alpha <= 0 is named" 2 "e1/samples/user_prior_004.npy: error: alpha and the bias precision must be > 0"
    "$PY" -c 'import numpy as np, sys; a = np.load(sys.argv[1]); a[0, 0] = 2; a[0, 7] += 1; np.save(sys.argv[1], a)' e1/samples/user_prior_004.npy
    run "$ALSTUNE" foldin e1 --ratings u1.csv
    expect_fail "an asymmetric Lambda is named" 2 "e1/samples/user_prior_004.npy: error: Lambda is not symmetric"
    rm -rf e1 && mkdir -p e1 && cp -r m/* e1/ # Lambda[0][0] sits after alpha, the bias precision and mu (rank 4)
    "$PY" -c 'import numpy as np, sys; a = np.load(sys.argv[1]); a[0, 6] = -3; np.save(sys.argv[1], a)' e1/samples/user_prior_004.npy
    run "$ALSTUNE" foldin e1 --ratings u1.csv
    expect_fail "a Lambda with a non-positive diagonal is named, with the value" 2 \
        "e1/samples/user_prior_004.npy: error: Lambda\\[0\\]\\[0\\] = -3: a precision needs a positive diagonal"
else
    skip "corrupt priors" "no numpy"
fi
finish
