#!/bin/sh
# Bad options, for every command: a missing value, an unknown option, a value given to a flag, a
# bad number, a value out of range and an extra operand each give exactly one message, on
# stderr, naming the command and the option (or the operand), then "Try 'alstune CMD --help'.",
# and exit 2.  Nothing is read or written: option errors come before any file is opened.
# Regression (issue 11): `alstune tune x.yaml --threads` printed getopt's own message and then a
# second "unknown option".
. "$(dirname "$0")/lib.sh"

# bad NAME CMD WANT ARGS...: `alstune ARGS...` must fail with exactly one usage message of
# command CMD whose text contains WANT (a fixed string).
bad() {
    name=$1 cmd=$2 want=$3
    shift 3
    run "$ALSTUNE" "$@"
    first=$(printf '%s\n' "$ERR" | head -n 1)
    nlines=$(printf '%s\n' "$ERR" | wc -l)
    if [ "$RC" = 2 ] && [ "$nlines" = 2 ] &&
        printf '%s\n' "$first" | grep -q "^alstune $cmd: " &&
        printf '%s\n' "$first" | grep -qF -- "$want" &&
        [ "$(printf '%s\n' "$ERR" | tail -n 1)" = "Try 'alstune $cmd --help'." ] &&
        [ -z "$OUT" ]; then
        _tap 0 "$name"
    else
        _tap 1 "$name" "want exit 2 and one message 'alstune $cmd: ...$want...'" "exit status: $RC" \
            "stderr ($nlines lines): $(printf '%s' "$ERR" | head -c 600)" "stdout: $(printf '%s' "$OUT" | head -c 200)"
    fi
}

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$WORK" || exit 1

# --- the regression case, both spellings of tune
bad "tune x.yaml --threads (no value): one message" tune "option '--threads' needs a value" tune x.yaml --threads
bad "x.yaml --threads (no value): one message" tune "option '--threads' needs a value" x.yaml --threads
bad "tune -t (no value)" tune "option '-t' needs a value" tune x.yaml -t

# --- every command, every kind of bad option
# tune
bad "tune: unknown option" tune "unknown option '--frobnicate'" tune x.yaml --frobnicate
bad "tune: unknown short option in a group" tune "unknown option '-Z'" tune x.yaml -qZ
bad "tune: flag given a value" tune "option '--fresh' takes no value" tune x.yaml --fresh=yes
bad "tune: bad number" tune "--threads expects an integer" tune x.yaml --threads abc
bad "tune: out of range" tune "--threads expects an integer in [1, 4096], got 0 (out of range)" tune x.yaml --threads 0
bad "tune: abbreviated option without value names the full option" tune "option '--threads' needs a value" tune x.yaml --thr
bad "tune: extra operand" tune "unexpected argument 'y.yaml'" tune x.yaml y.yaml
bad "tune: bad --shard" tune "--shard expects I/N with 0 <= I < N <= 100000" tune x.yaml --shard 2/2
bad "tune: --shard without a value" tune "option '--shard' needs a value" tune x.yaml --shard
# merge (docs/scale.md)
bad "merge: unknown option" merge "unknown option '--frobnicate'" merge results/x --frobnicate
bad "merge: bad number" merge "--threads expects an integer" merge results/x --threads many
bad "merge: flag given a value" merge "option '--quiet' takes no value" merge results/x --quiet=1
bad "merge: extra operand" merge "unexpected argument 'results/y'" merge results/x results/y
bad "merge: no operand" merge "expected exactly one RESULTS_DIR argument" merge
# stats
bad "stats: missing value" stats "option '--top' needs a value" stats r.csv --top
bad "stats: unknown option" stats "unknown option '--frobnicate'" stats r.csv --frobnicate
bad "stats: flag given a value" stats "option '--skip-bad-lines' takes no value" stats r.csv --skip-bad-lines=1
bad "stats: bad number" stats "--top expects an integer" stats r.csv --top ten
bad "stats: out of range" stats "--top expects an integer in [0, 1000000], got -1 (out of range)" stats r.csv --top -1
bad "stats: extra operand" stats "unexpected argument 'extra.csv' (expected one ratings file)" stats r.csv extra.csv
# gen
bad "gen: missing value" gen "option '--users' needs a value" gen -o d --users
bad "gen: unknown option" gen "unknown option '--frobnicate'" gen -o d --frobnicate
bad "gen: flag given a value" gen "option '--quiet' takes no value" gen -o d --quiet=1
bad "gen: bad number" gen "--noise expects a number" gen -o d --noise x1
bad "gen: out of range" gen "--users expects an integer in [1, " gen -o d --users 0
bad "gen: extra operand" gen "unexpected argument 'extra'" gen -o d extra
# train
bad "train: missing value" train "option '--rank' needs a value" train r.csv -o m --rank
bad "train: unknown option" train "unknown option '--frobnicate'" train r.csv -o m --frobnicate
bad "train: flag given a value" train "option '--bias' takes no value" train r.csv -o m --bias=true
bad "train: bad number" train "--regParam expects a number" train r.csv -o m --regParam 0.1x
bad "train: out of range" train "--rank expects an integer in [1, 1024], got 5000 (out of range)" train r.csv -o m --rank 5000
bad "train: extra operand" train "unexpected argument 'extra.csv'" train r.csv extra.csv -o m
bad "train: bad --model" train "--model expects als or bpmf, got 'lda'" train r.csv -o m --model lda
bad "train: --burnin out of range" train "--burnin expects an integer in [0, 1000000], got -1 (out of range)" train r.csv -o m --model bpmf --burnin -1
bad "train: --burnin not a number" train "--burnin expects an integer in [0, 1000000], got 'x'" train r.csv -o m --model bpmf --burnin x
bad "train: --samples out of range" train "--samples expects an integer in [1, 1000000], got 0 (out of range)" train r.csv -o m --model bpmf --samples 0
bad "train: --samples missing value" train "option '--samples' needs a value" train r.csv -o m --model bpmf --samples
bad "train: bpmf --alpha 0" train "--alpha expects a number in (0, 1e+30] or 'sample' with --model bpmf, got '0'" train r.csv -o m --model bpmf --alpha 0
bad "train: bpmf --alpha word" train "or 'sample' with --model bpmf, got 'lots'" train r.csv --alpha lots -o m --model bpmf
bad "train: bpmf --rank 513" train "--rank expects an integer in [1, 512] with --model bpmf, got 513" train r.csv -o m --model bpmf --rank 513
bad "train: bpmf --implicitPrefs" train "--implicitPrefs is an ALS option; --model bpmf does not take it" train r.csv -o m --model bpmf --implicitPrefs
bad "train: bpmf --nonnegative" train "--nonnegative is an ALS option; --model bpmf does not take it" train r.csv -o m --nonnegative --model bpmf
bad "train: --burnin without bpmf" train "--burnin is only for --model bpmf" train r.csv -o m --burnin 3
bad "train: --keep-samples more than --samples" train "--keep-samples 300 is more than --samples 200" train r.csv -o m --model bpmf --keep-samples 300
bad "train: --keep-samples not a number" train "--keep-samples expects an integer in [0, 1000000], got 'all'" train r.csv -o m --model bpmf --keep-samples all
# recommend, similar, foldin (model commands)
bad "recommend: missing value" recommend "option '--threads' needs a value" recommend m --user 1 --threads
bad "recommend: unknown option" recommend "unknown option '--frobnicate'" recommend m --user 1 --frobnicate
bad "recommend: flag given a value" recommend "option '--all-users' takes no value" recommend m --all-users=1
bad "recommend: bad number" recommend "-k expects an integer" recommend m --user 1 -k many
bad "recommend: out of range" recommend "-k expects an integer in [1, 1000000], got 0 (out of range)" recommend m --user 1 -k 0
bad "recommend: extra operand" recommend "unexpected argument 'extra' (expected one MODELDIR)" recommend m extra --user 1
bad "similar: missing value" similar "option '--item' needs a value" similar m --item
bad "similar: unknown option" similar "unknown option '--frobnicate'" similar m --item 1 --frobnicate
bad "similar: bad number" similar "-k expects an integer" similar m --item 1 --top 1.5
bad "similar: out of range" similar "-k expects an integer in [1, 1000000], got -3 (out of range)" similar m --item 1 -k -3
bad "similar: extra operand" similar "unexpected argument 'extra' (expected one MODELDIR)" similar m extra --item 1
bad "foldin: missing value" foldin "option '--ratings' needs a value" foldin m --ratings
bad "foldin: unknown option" foldin "unknown option '--frobnicate'" foldin m --ratings n.csv --frobnicate
bad "foldin: flag given a value" foldin "option '--print-factors' takes no value" foldin m --ratings n.csv --print-factors=1
bad "foldin: bad number" foldin "-k expects an integer" foldin m --ratings n.csv -k ''
bad "foldin: out of range" foldin "-k expects an integer in [1, 1000000], got 99999999 (out of range)" foldin m --ratings n.csv -k 99999999
bad "foldin: extra operand" foldin "unexpected argument 'extra' (expected one MODELDIR)" foldin m extra --ratings n.csv
# predict, evaluate
bad "predict: missing value" predict "option '--output' needs a value" predict m d.csv --output
bad "predict: unknown option" predict "unknown option '--frobnicate'" predict m d.csv --frobnicate
bad "predict: bad value" predict "--cold-start expects drop, nan or mean" predict m d.csv --cold-start maybe
bad "predict: extra operand" predict "unexpected argument 'extra'" predict m d.csv extra
bad "evaluate: missing value" evaluate "option '--threshold' needs a value" evaluate m d.csv --threshold
bad "evaluate: unknown option" evaluate "unknown option '--frobnicate'" evaluate m d.csv --frobnicate
bad "evaluate: bad number" evaluate "--threshold expects a number" evaluate m d.csv --threshold high
bad "evaluate: out of range" evaluate "--threads expects an integer in [1, 4096], got 5000 (out of range)" evaluate m d.csv --threads 5000
bad "evaluate: extra operand" evaluate "unexpected argument 'extra'" evaluate m d.csv extra
# report, check
bad "report: unknown option" report "unknown option '--frobnicate'" report results/x --frobnicate
bad "report: flag given a value" report "option '--no-plots' takes no value" report results/x --no-plots=1
bad "report: extra operand" report "unexpected argument 'results/y'" report results/x results/y
bad "check: missing value" check "option '--baseline' needs a value" check results/x --baseline
bad "check: unknown option" check "unknown option '--frobnicate'" check results/x --frobnicate
bad "check: bad number" check "--tolerance expects a number" check results/x --baseline b.yaml --tolerance lots
bad "check: out of range" check "--tolerance expects a number" check results/x --baseline b.yaml --tolerance -1
bad "check: extra operand" check "unexpected argument 'results/y'" check results/x results/y --baseline b.yaml
bad "recommend: ambiguous abbreviation lists the candidates" recommend "ambiguous option '--use' (could be --user, --users)" recommend m --use 1

# --- every command listed by `alstune --help` is covered above
run "$ALSTUNE" --help
cmds=$(printf '%s\n' "$OUT" | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | grep -v '^help$')
missing=""
for c in $cmds; do
    grep -q "^bad \"$c: extra operand\"" "$SELF" || missing="$missing $c"
done
check "every command of alstune --help has its bad-option cases here ($(echo $cmds | wc -w) commands)" '[ -n "$cmds" ] && [ -z "$missing" ] || { echo "# missing:$missing"; false; }'
finish
