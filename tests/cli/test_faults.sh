#!/bin/sh
# Disk full and other write failures on every output file of `alstune tune` (and of gen, train,
# recommend): exit 3 naming the file, no temporary file left, every output already in place
# intact, and a rerun with space resumes to byte-identical outputs.
#
# The disk is a small tmpfs mounted here, which needs root; otherwise the tests are skipped.
# A filler file leaves exactly k free pages, for k = 0, 1, 2, ... until the run succeeds, so each
# output file in turn is the one that hits the full disk.
. "$(dirname "$0")/lib.sh"
MNT="$WORK/mnt"
mkdir -p "$MNT"
if [ "$(id -u)" != 0 ]; then
    skip "disk-full tests" "not root: they mount a small tmpfs"
    finish; exit $?
fi
if ! mount -t tmpfs -o size=4m,mode=0755 tmpfs "$MNT" 2>"$WORK/mount.err"; then
    skip "disk-full tests" "cannot mount a tmpfs: $(head -c 200 "$WORK/mount.err")"
    finish; exit $?
fi
trap 'umount "$MNT" 2>/dev/null; rm -rf "$WORK"' EXIT

PAGE=$(stat -f -c %S "$MNT")
# fill K: leave exactly K free blocks on the tmpfs
fill() {
    rm -f "$MNT/filler"
    avail=$(stat -f -c %a "$MNT")
    n=$((avail - $1))
    [ "$n" -gt 0 ] && fallocate -l $((n * PAGE)) "$MNT/filler"
    [ "$(stat -f -c %a "$MNT")" = "$1" ]
}
unfill() { rm -f "$MNT/filler"; }

cat > "$WORK/f.yaml" <<EOY
name: faults
data:
  synthetic: {preset: ml-100k, seed: 3, users: 120, items: 80, ratings: 2400, min_per_user: 8}
split: {testFraction: 0.2, numFolds: 2, seed: 5}
als: {rank: [2, 3], regParam: [0.1, 0.3], maxIter: [2, 3], seed: 11}
metric: rmse
EOY
DET="experiment.yaml folds.csv iterations.csv summary.csv best.yaml model/model.yaml model/user_factors.npy model/item_factors.npy model/user_ids.txt model/item_ids.txt model/seen.csr plots/heatmap.svg plots/spread.svg plots/learning.svg"
# report.md without its provenance rows (times, resumed jobs), which differ run to run
# and with the folder's name replaced
report_core() {
    grep -v -E '^\| (start|end|wall\\_seconds|jobs\\_resumed) \|' "$1/report.md" | sed "s|$1|DIR|g"
}
same_as_ref() { # DIR: every deterministic output equals the reference run's
    for f in $DET; do cmp -s "$WORK/ref/$f" "$1/$f" || { echo "differs: $f"; return 1; }; done
    report_core "$WORK/ref" > "$WORK/r1"; report_core "$1" > "$WORK/r2"
    cmp -s "$WORK/r1" "$WORK/r2" || { echo "differs: report.md"; return 1; }
}
# intact DIR: what a failed run left is either absent or whole: deterministic files equal the
# reference, journal rows are rows of the reference journal, no temporary file
intact() {
    [ -z "$(find "$1" -name '*.tmp.*')" ] || { echo "temporary files left: $(find "$1" -name '*.tmp.*')"; return 1; }
    for f in experiment.yaml summary.csv best.yaml model/user_factors.npy model/item_factors.npy model/user_ids.txt \
             model/item_ids.txt model/seen.csr; do
        [ ! -e "$1/$f" ] || cmp -s "$WORK/ref/$f" "$1/$f" || { echo "damaged: $f"; return 1; }
    done
    for f in folds.csv iterations.csv; do
        [ -e "$1/$f" ] || continue
        # complete lines must be reference rows; a cut last line (no newline) is allowed
        sed '$!b; /^$/d' "$1/$f" | head -n "$(wc -l < "$1/$f")" | sort > "$WORK/have"
        sort "$WORK/ref/$f" > "$WORK/want"
        [ -z "$(comm -23 "$WORK/have" "$WORK/want")" ] || { echo "damaged: $f: $(comm -23 "$WORK/have" "$WORK/want" | head -2)"; return 1; }
    done
}

run "$ALSTUNE" tune "$WORK/f.yaml" --out "$WORK/ref" --quiet
check "reference run on a normal disk" '[ $RC = 0 ] && [ -s "$WORK/ref/report.html" ]'

STEP=${ALSTUNE_FAULTS_STEP:-1}   # `make valgrind` thins the sweep
bad_exit="" bad_intact="" bad_resume="" named="" k=0 nfail=0 nresumed=0
while [ $k -lt 400 ]; do
    rm -rf "$MNT/r"
    fill $k || { bad_exit="$bad_exit [k=$k: cannot fill the tmpfs]"; break; }
    run timeout 60 "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet
    [ $RC = 0 ] && break
    nfail=$((nfail + 1))
    # the message names one of our output files and says why
    file=$(printf '%s\n' "$ERR" | sed -n "s|^$MNT/r/\([^:]*\): error: .*No space left on device.*|\1|p" | head -n1)
    if [ $RC != 3 ] || [ -z "$file" ]; then
        bad_exit="$bad_exit [k=$k: exit $RC: $(printf '%s' "$ERR" | head -c 200)]"
    fi
    why=$(intact "$MNT/r") || bad_intact="$bad_intact [k=$k after failing at $file: $why]"
    case " $named " in
    *" $file "*) ;;
    *)  # a new failure point: rerun with space, must resume to the reference outputs
        named="$named $file"
        unfill
        run timeout 60 "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet
        nresumed=$((nresumed + 1))
        why=$(same_as_ref "$MNT/r") && [ $RC = 0 ] || bad_resume="$bad_resume [failed at $file: rerun exit $RC $why]"
        ;;
    esac
    k=$((k + STEP))
done
unfill
echo "# $nfail disk-full failures at k = 0..$((k - STEP)) free pages (step $STEP); files named:$named"
check "the run succeeds once the disk has room ($k free pages)" '[ $RC = 0 ] && same_as_ref "$MNT/r"'
check "every disk-full failure exits 3 with 'FILE: error: ... No space left on device'" '[ -z "$bad_exit" ] || { echo "$bad_exit"; false; }'
check "after every failure the outputs in place are intact and no temporary file is left" '[ -z "$bad_intact" ] || { echo "$bad_intact"; false; }'
check "after a failure at each of $nresumed files, a rerun with space gives byte-identical outputs" '[ -z "$bad_resume" ] || { echo "$bad_resume"; false; }'
# (not summary.csv nor model/user_factors.npy: the pages the journal's final rewrite frees are
# always enough for them; the rename test below covers them)
for f in experiment.yaml iterations.csv folds.csv model/item_factors.npy model/user_ids.txt model/item_ids.txt \
         model/seen.csr model/model.yaml best.yaml timings.csv provenance.yaml plots/heatmap.gp report.md \
         report.html; do
    if [ "$STEP" = 1 ]; then
        check "a full disk is met and reported at $f" 'case " $named " in *" $f "*) true;; *) false;; esac'
    else
        skip "a full disk is met and reported at $f" "the sweep steps $STEP pages"
    fi
done

# other write errors, on each output file in turn: the final name is taken by a directory, so
# the rename of the finished temporary fails (the disk-full sweep above cannot reach summary.csv
# and model/user_factors.npy: the journal's rewrite just before frees as much as they need)
bad="" n=0
# (folds.csv is left out: a folder with a folds.csv and no experiment.yaml is refused at once)
for f in experiment.yaml iterations.csv summary.csv model/user_factors.npy model/item_factors.npy \
         model/user_ids.txt model/item_ids.txt model/seen.csr model/model.yaml best.yaml timings.csv \
         provenance.yaml report.md report.html; do
    rm -rf "$MNT/r"
    mkdir -p "$MNT/r/$f/x"
    run "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet
    n=$((n + 1))
    printf '%s\n' "$ERR" | grep -q "^$MNT/r/$f: error: cannot rename temporary file: Is a directory" && [ $RC = 3 ] ||
        bad="$bad [$f: exit $RC: $(printf '%s' "$ERR" | head -c 200)]"
    rm -rf "$MNT/r/$f"
    why=$(intact "$MNT/r") || bad="$bad [$f: $why]"
    run "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet
    why=$(same_as_ref "$MNT/r") && [ $RC = 0 ] || bad="$bad [$f: rerun exit $RC $why]"
done
check "a failed rename at each of the $n output files: exit 3 naming it, outputs intact, rerun byte-identical" \
    '[ -z "$bad" ] || { echo "$bad"; false; }'

# the live journal: a full disk while appending rows leaves at most a cut last line, which a
# rerun ignores (fill the disk during a run that resumes from a journal of headers only)
rm -rf "$MNT/r"
run "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet --no-report
head -n 7 "$WORK/ref/folds.csv" | head -c -9 > "$MNT/r/folds.csv"   # 6 rows and a cut one
head -n 1 "$WORK/ref/iterations.csv" > "$MNT/r/iterations.csv"
run "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet
check "a journal ending in a cut row resumes to byte-identical outputs" '[ $RC = 0 ] && same_as_ref "$MNT/r"'

# a read-only file system: exit 3 naming the file, nothing else is touched
rm -rf "$MNT/r"
run "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet
mount -o remount,ro "$MNT"
run "$ALSTUNE" tune "$WORK/f.yaml" --out "$MNT/r" --quiet --fresh
expect_fail "read-only results folder: exit 3 naming the file" 3 "^$MNT/r/[a-z.]*: error: .*Read-only file system"
mount -o remount,rw "$MNT"
check "the read-only failure left the earlier outputs intact" 'same_as_ref "$MNT/r"'

# the other commands that write files
fill 0
run "$ALSTUNE" gen --users 50 --items 40 --ratings 800 --min-per-user 5 -s 1 -o "$MNT/gen" -q
check "gen on a full disk: exit 3 naming the file, no temporary file" \
    '[ $RC = 3 ] && printf "%s" "$ERR" | grep -q "^$MNT/gen[^:]*: error: .*No space left" && [ -z "$(find "$MNT" -name "*.tmp.*")" ]'
unfill
"$ALSTUNE" gen --users 50 --items 40 --ratings 800 --min-per-user 5 -s 1 -o "$WORK/gen" -q >/dev/null 2>&1
D="$WORK/gen/ratings.csv"
fill 0
run "$ALSTUNE" train "$D" --rank 2 --maxIter 2 -q -o "$MNT/model"
check "train on a full disk: exit 3 naming the file, no temporary file" \
    '[ $RC = 3 ] && printf "%s" "$ERR" | grep -q "^$MNT/model/[^:]*: error: .*No space left" && [ -z "$(find "$MNT" -name "*.tmp.*")" ]'
uid=$(head -n1 "$WORK/ref/model/user_ids.txt")
run "$ALSTUNE" recommend "$WORK/ref/model" --user "$uid" --format csv -o "$MNT/rec.csv"
check "recommend -o on a full disk: exit 3 naming the file, no temporary file" \
    '[ $RC = 3 ] && printf "%s" "$ERR" | grep -q "^$MNT/rec.csv: error: .*No space left" && [ -z "$(find "$MNT" -name "*.tmp.*")" ]'
"$ALSTUNE" train "$D" --rank 2 --maxIter 2 -q -o "$WORK/gm" >/dev/null 2>&1
run "$ALSTUNE" predict "$WORK/gm" "$D" -o "$MNT/pred.csv"
check "predict -o on a full disk: exit 3 naming the file, no temporary file" \
    '[ $RC = 3 ] && printf "%s" "$ERR" | grep -q "^$MNT/pred.csv: error: .*No space left" && [ -z "$(find "$MNT" -name "*.tmp.*")" ]'
unfill
finish
