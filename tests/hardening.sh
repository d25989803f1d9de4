#!/usr/bin/env bash
# hardening.sh -- results survive failures and interruptions (issue 5):
#   atomic results: a failed or interrupted run never leaves a truncated FILE
#     nor touches an existing FILE;
#   checkpoints: SIGINT / SIGTERM stop after the current block (exit 130 /
#     143) and print the command that resumes; SIGKILL at any moment leaves
#     a resumable FILE.partial; the resumed file's datasets are bit-identical
#     to an uninterrupted run's; resume refuses another scenario, seed, path
#     count, store mode or block size (exit 2) and an unreadable partial
#     file (exit 1); two runs never write the same file;
#   resource errors: unwritable directory, full disk (ENOSPC, and EFBIG under
#     `ulimit -f`), out of memory: a clear message, exit 1, nothing left.
# usage: hardening.sh IPSIM_BIN SOURCE_DIR WORK_DIR
set -u
if [ $# -ne 3 ]; then
  echo "usage: $0 IPSIM_BIN SOURCE_DIR WORK_DIR" >&2
  exit 2
fi
bin=$(realpath "$1") src=$(realpath "$2") work=$3
PY=/usr/bin/python3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
# A copy: the runs compared must all read the same text.
cp "$src/scenarios/thai_binh_2025.yaml" scenario.yaml || exit 1
scn=$work/scenario.yaml
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect WHAT CONDITION...: one check.
expect() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
absent() { [ ! -e "$1" ]; }
# none_left FILE: neither FILE nor any FILE.* (partial, scratch, .new) exists.
none_left() { [ ! -e "$1" ] && [ -z "$(ls -d "$1".* 2>/dev/null)" ]; }
# has_msg FILE TEXT: the fixed string TEXT is in FILE.
has_msg() { grep -qF -- "$2" "$1" || { sed 's/^/  | /' "$1" | head -5; return 1; }; }

# same A B: every dataset and attribute equal, bit for bit (floats compared
# as bytes, so NaN == NaN), except the creation time and the dimension-scale
# references (object addresses).
cat >same.py <<'EOF'
import sys, h5py, numpy as np
SKIP = {"created_utc", "DIMENSION_LIST", "REFERENCE_LIST"}
def objects(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o))
    return out
def attrs(o):
    return {k: o.attrs[k] for k in o.attrs if k not in SKIP}
def equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return a.tobytes() == b.tobytes() if a.dtype.kind == "f" else a.tolist() == b.tolist()
def same_attrs(x, y):
    ax, ay = attrs(x), attrs(y)
    return set(ax) == set(ay) and all(equal(ax[k], ay[k]) for k in ax)
bad, n = [], 0
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    oa, ob = objects(a), objects(b)
    if set(oa) != set(ob):
        bad.append("objects differ: %s" % sorted(set(oa) ^ set(ob)))
    for name in sorted(set(oa) & set(ob)):
        if isinstance(oa[name], h5py.Dataset):
            n += 1
            if not equal(oa[name][()], ob[name][()]):
                bad.append("dataset %s differs" % name)
        if not same_attrs(oa[name], ob[name]):
            bad.append("attributes of %s differ" % name)
    if not same_attrs(a, b):
        bad.append("root attributes differ")
print("\n".join(bad + ["%d datasets compared, %d differences" % (n, len(bad))]))
sys.exit(1 if bad or n < 20 else 0)
EOF
same() { $PY same.py "$1" "$2" >same.txt 2>&1 || { sed 's/^/  | /' same.txt | head -5; return 1; }; }

# The runs: long enough (dozens of blocks, and about a second at one
# thread: the last tenth must outlast a poll below) to be stopped midway.
declare -A ARGS=(
  [yearly]="-n 20000 --block-paths 250 --store yearly"
  [summary]="-n 20000 --block-paths 250 --store summary"
  [monthly]="-n 800 --block-paths 20 --store monthly"
)
for store in yearly summary monthly; do
  # shellcheck disable=SC2086
  "$bin" run "$scn" ${ARGS[$store]} -q -j 2 -o "ref_$store.h5" || bad "reference run ($store)"
done
# unreserved FILE: the disk space FILE holds is about its size, so no
# blocks reserved for the data (results.c: reserve_data) were left behind
# past its end.
unreserved() { [ $(($(stat -c '%b*%B' "$1"))) -le $(($(stat -c %s "$1") + 1048576)) ]; }
for store in yearly summary monthly; do
  expect "reference run ($store): no space reserved past its end" unreserved "ref_$store.h5"
done
# What grows block by block, and its full size: FILE.partial, or in summary
# mode the scratch file of uncompressed province yearly values.  That file
# has its full length from the start (every column in place, sparse until
# written), so its progress is the disk space it holds.
declare -A GROWS=([yearly]=partial [summary]=partial.scratch [monthly]=partial)
declare -A SIZE=(
  [yearly]=$(stat -c %s ref_yearly.h5) [monthly]=$(stat -c %s ref_monthly.h5)
  [summary]=$($PY -c "
import h5py
with h5py.File('ref_summary.h5', 'r') as f:
    print(int(f.attrs['paths']) * len(f['year']) * len(f['summary']) // 2 * 8)")
)

# start_run STORE OUT [ARGS...]: a run at one thread in the background ($pid).
start_run() {
  local store=$1 out=$2; shift 2
  # shellcheck disable=SC2086
  "$bin" run "$scn" ${ARGS[$store]} -q -j 1 -o "$out" "$@" 2>"$out.err" &
  pid=$!
}

# written STORE FILE: the bytes of FILE that hold what the run wrote.
written() {
  if [ "$1" = summary ]; then
    echo $(($(stat -c '%b*%B' "$2" 2>/dev/null || echo 0)))
  else
    stat -c %s "$2" 2>/dev/null || echo 0
  fi
}

# wait_partial STORE OUT PERCENT: until the run ($pid) has written about
# PERCENT % of its blocks; 1 if it ended first.
wait_partial() {
  local f=$2.${GROWS[$1]} bytes=$((SIZE[$1] * $3 / 100)) i
  for i in $(seq 1 6000); do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(written "$1" "$f")" -ge "$bytes" ] && return 0
    sleep 0.01
  done
  return 1
}

# ---- SIGINT and SIGTERM: stop after a block, print the resume command ----

# stop_and_resume SIG STATUS STORE FRACTION: an existing FILE survives the
# interrupted run untouched; the printed command resumes it to a file equal
# to the reference run's.
stop_and_resume() {
  local sig=$1 status=$2 store=$3 frac=$4 out=stop_$1_$3.h5
  echo "previous results" >"$out" && cp "$out" old.ref
  start_run "$store" "$out"
  expect "$sig $store: blocks were being written" wait_partial "$store" "$out" "$frac"
  kill "-$sig" "$pid"
  wait "$pid"
  local rc=$?
  expect "$sig $store: exit $rc, expected $status" [ "$rc" = "$status" ]
  expect "$sig $store: FILE.partial kept" [ -s "$out.partial" ]
  expect "$sig $store: no space reserved past the partial's end" unreserved "$out.partial"
  expect "$sig $store: existing FILE untouched" cmp -s "$out" old.ref
  expect "$sig $store: says where the blocks are" has_msg "$out.err" "kept in $out.partial"
  local cmd
  cmd=$(sed -n 's/^ipsim: to resume: ipsim //p' "$out.err")
  expect "$sig $store: prints the resume command" [ -n "$cmd" ]
  eval "\"\$bin\" $cmd" 2>resume.err
  rc=$?
  expect "$sig $store: resume exit $rc" [ "$rc" = 0 ]
  expect "$sig $store: resumed == uninterrupted" same "ref_$store.h5" "$out"
  expect "$sig $store: no space reserved past the end" unreserved "$out"
  expect "$sig $store: no partial left" absent "$out.partial"
  rm -f "$out"
}
stop_and_resume INT 130 yearly 30
stop_and_resume TERM 143 summary 40
stop_and_resume INT 130 monthly 50

# ---- SIGKILL at several moments, and a resume killed in turn ----

kill_and_resume() {
  local store=$1 frac=$2 out=kill_$1_$2.h5
  start_run "$store" "$out"
  expect "KILL $store $frac%: blocks were being written" wait_partial "$store" "$out" "$frac"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  expect "KILL $store $frac%: no FILE" absent "$out"
  expect "KILL $store $frac%: FILE.partial kept" [ -s "$out.partial" ]
  if [ "$frac" = 60 ]; then # kill the resume too, while it copies or computes
    start_run "$store" "$out" --resume
    sleep 0.3
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  local rc=0
  if [ -e "$out.partial" ]; then # (else the killed resume had finished)
    # shellcheck disable=SC2086
    "$bin" run "$scn" ${ARGS[$store]} -q -j 2 -o "$out" --resume 2>resume.err
    rc=$?
  fi
  expect "KILL $store $frac%: resume exit $rc" [ "$rc" = 0 ]
  [ "$rc" = 0 ] || sed 's/^/  | /' resume.err
  expect "KILL $store $frac%: resumed == uninterrupted" same "ref_$store.h5" "$out"
  expect "KILL $store $frac%: nothing else left" [ -z "$(ls -d "$out".* 2>/dev/null | grep -v '\.err$')" ]
  rm -f "$out"
}
kill_and_resume yearly 20
kill_and_resume yearly 60
kill_and_resume yearly 90
kill_and_resume summary 50
kill_and_resume monthly 30

# ---- resume copies the finished blocks, and refuses another run ----

out=refuse.h5
start_run yearly "$out"
wait_partial yearly "$out" 33
kill -INT "$pid"
wait "$pid"
cp "$out.partial" partial.ref
# A second run, or a resume, while one is writing the file is refused.
start_run yearly busy.h5
wait_partial yearly busy.h5 10
"$bin" run "$scn" ${ARGS[yearly]} -q -o busy.h5 2>busy.err
expect "second run on a busy file: exit $?" [ $? = 1 ]
expect "second run: says why" has_msg busy.err "another ipsim run is writing"
"$bin" run "$scn" ${ARGS[yearly]} -q -o busy.h5 --resume 2>busy.err
expect "resume of a running run: exit $?" [ $? = 1 ]
kill -INT "$pid"
wait "$pid"
expect "busy: the first run stopped cleanly" [ -s busy.h5.partial ]
"$bin" run "$scn" ${ARGS[yearly]} -q -o busy.h5 --resume 2>busy.err
expect "busy: the first run was not disturbed" same ref_yearly.h5 busy.h5

# refuse WHAT KEY ARGS...: exit 2, a message naming KEY, partial untouched.
refuse() {
  local what=$1 key=$2; shift 2
  "$bin" run "$@" -q -o "$out" --resume 2>refuse.err
  local rc=$?
  expect "resume with $what: exit $rc, expected 2" [ "$rc" = 2 ]
  expect "resume with $what: message" has_msg refuse.err "$key"
  expect "resume with $what: partial untouched" cmp -s "$out.partial" partial.ref
  expect "resume with $what: no FILE" absent "$out"
  expect "resume with $what: no .new left" absent "$out.partial.new"
}
refuse "another seed" "seed differs" "$scn" ${ARGS[yearly]} -s 99
refuse "another path count" "paths differs" "$scn" -n 20001 --block-paths 250
refuse "another store mode" "store differs" "$scn" -n 20000 --block-paths 250 --store monthly
refuse "another block size" "block_paths differs" "$scn" -n 20000 --block-paths 125
sed 's/^name: .*/&  # edited/' "$scn" >edited.yaml
refuse "an edited scenario" "scenario file is not the one" edited.yaml ${ARGS[yearly]}
if "$bin" run --help | grep -q -- '--set'; then
  refuse "an override" "overrides differs" "$scn" ${ARGS[yearly]} --set macro.sigma=0.31
fi
# The finished blocks are copied, not computed again: a value planted in
# block 0 of the partial file reaches the final file.
$PY -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    f['yearly/area_ha'][0, 0] = -12345.0
" "$out.partial" || bad "cannot plant a value in the partial file"
"$bin" run "$scn" ${ARGS[yearly]} -q -o "$out" --resume 2>resume.err
expect "resume after refusals: exit $?" [ $? = 0 ]
expect "resume copies finished blocks" $PY -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r') as f:
    sys.exit(0 if f['yearly/area_ha'][0, 0] == -12345.0 else 1)
" "$out"

# Nothing to resume, a complete FILE, an unreadable partial file.
"$bin" run "$scn" -n 100 -q -o nothing.h5 --resume 2>r.err
expect "resume without a partial: exit $?" [ $? = 2 ]
expect "resume without a partial: message" has_msg r.err "nothing.h5.partial does not exist"
cp ref_yearly.h5 done.h5
"$bin" run "$scn" ${ARGS[yearly]} -q -o done.h5 --resume 2>r.err
expect "resume of a complete run: exit $?" [ $? = 2 ]
expect "resume of a complete run: message" has_msg r.err "done.h5 is complete"
expect "resume of a complete run: FILE untouched" cmp -s done.h5 ref_yearly.h5
head -c 100000 /dev/urandom >garbage.h5.partial
"$bin" run "$scn" ${ARGS[yearly]} -q -o garbage.h5 --resume 2>r.err
expect "unreadable partial: exit $?" [ $? = 1 ]
expect "unreadable partial: message" has_msg r.err "cannot be resumed"
expect "unreadable partial: no FILE" absent garbage.h5
expect "unreadable partial: no .new left" absent garbage.h5.partial.new
"$bin" run "$scn" -n 100 -q -o garbage.h5 2>r.err
expect "a fresh run replaces an unreadable partial: exit $?" [ $? = 0 ]
expect "fresh run: no partial left" absent garbage.h5.partial

# ---- resource errors: exit 1, clear message, nothing half-written ----

# resource WHAT STATUS MSG OUT: after a run that wrote to OUT.
resource() {
  local what=$1 rc=$2 msg=$3 out=$4
  expect "$what: exit $rc, expected 1" [ "$rc" = 1 ]
  expect "$what: message" has_msg res.err "$msg"
  expect "$what: nothing half-written" none_left "$out"
}
# Unwritable directory (as root: as nobody, if setpriv can switch).
mkdir -p ro && chmod 555 ro
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  as_user=()
fi
if [ "$(id -u)" != 0 ] || [ ${#as_user[@]} -gt 0 ]; then
  # The other user must be able to run ipsim and read the scenario, which a
  # work tree under a private directory (mktemp -d) does not allow.
  pub=$(mktemp -d) && chmod 755 "$pub" && cp "$bin" "$scn" "$pub/" &&
    chmod 755 "$pub/ipsim" && chmod 644 "$pub/scenario.yaml" &&
    mkdir "$pub/ro" && chmod 555 "$pub/ro"
  "${as_user[@]}" "$pub/ipsim" run "$pub/scenario.yaml" -n 100 -q -o "$pub/ro/out.h5" 2>res.err
  resource "unwritable directory" $? "Permission denied" "$pub/ro/out.h5"
  rm -rf "$pub"
fi
touch not_a_dir
"$bin" run "$scn" -n 100 -q -o not_a_dir/out.h5 2>res.err
resource "directory that is a file" $? "Not a directory" not_a_dir/out.h5
# Full disk: writes fail with ENOSPC (the file being created, FILE.partial.new,
# is /dev/full) ...
ln -s /dev/full full.h5.partial.new
echo "previous results" >full.h5 && cp full.h5 old.ref
"$bin" run "$scn" -n 2000 -q -o full.h5 2>res.err
expect "disk full (ENOSPC): exit $?" [ $? = 1 ]
expect "disk full (ENOSPC): message" has_msg res.err "No space left on device"
expect "disk full (ENOSPC): existing FILE untouched" cmp -s full.h5 old.ref
expect "disk full (ENOSPC): no partial left" none_left full.h5.partial
# ... and with EFBIG midway, a file size limit (SIGXFSZ ignored).
echo "previous results" >big.h5
(ulimit -f 2048; trap '' XFSZ; exec "$bin" run "$scn" -n 4000 -q -o big.h5 2>res.err)
expect "file size limit (EFBIG): exit $?" [ $? = 1 ]
expect "file size limit (EFBIG): message" has_msg res.err "File too large"
expect "file size limit (EFBIG): existing FILE untouched" cmp -s big.h5 old.ref
expect "file size limit (EFBIG): no partial left" absent big.h5.partial
# Out of memory: a block of 2^20 paths (7 GB) cannot be allocated under a
# 600 MB address-space limit.  AddressSanitizer cannot start under
# `ulimit -v`; its own allocation limit stands in for it there.
if ldd "$bin" 2>/dev/null | grep -q libasan; then
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:allocator_may_return_null=1:max_allocation_size_mb=600" \
    "$bin" run "$scn" -n 2000 --block-paths 1048576 -q -o oom.h5 2>res.err
  rc=$?
else
  (ulimit -v 600000; exec "$bin" run "$scn" -n 2000 --block-paths 1048576 -q -o oom.h5 2>res.err)
  rc=$?
fi
resource "out of memory" $rc "out of memory" oom.h5

# Option limits: exit 2, naming the option; nothing written.
for bad_opt in "-n 0" "-n 99999999999999999999" "--block-paths 0" "--block-paths 9999999"; do
  # shellcheck disable=SC2086
  "$bin" run "$scn" $bad_opt -q -o opt.h5 2>res.err
  expect "$bad_opt: exit $?, expected 2" [ $? = 2 ]
  expect "$bad_opt: names the option" has_msg res.err "${bad_opt%% *}"
  expect "$bad_opt: nothing written" none_left opt.h5
done

# The results files are big: kept only when something failed.
[ "$fail" = 0 ] && rm -f ./*.h5 ./*.h5.*
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
