#!/usr/bin/env bash
# bad_inputs.sh -- every file in the bad-input corpus must be refused by the
# CLI as an input error (MODEL.md §9): exit status 2, a message on stderr
# naming the file, a :LINE:COL: and the key given on the file's first line
# ("# expect: KEY"), and no results file created or changed -- never a
# crash or a hang (every command runs under `timeout 10`).  Files too big to
# commit (a 5 MiB file, 10001 zones, ...) are generated into WORK_DIR/gen.
# usage: bad_inputs.sh IPSIM_BIN BAD_DIR WORK_DIR
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
if [ $# -ne 3 ]; then
  echo "usage: $0 IPSIM_BIN BAD_DIR WORK_DIR" >&2
  exit 2
fi
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1

# A results file that already exists must survive a refused run untouched.
head -c 4096 /dev/urandom >"$work/keep.h5" && cp "$work/keep.h5" "$work/keep.ref"

# check_message FILE KEY ERRFILE WHAT: stderr names the file, with :LINE:COL:
# right after it, and the expected key (matched as a fixed string: [ ] . are
# literal).
check_message() {
  local file=$1 key=$2 errf=$3 what=$4 msg
  msg=$(cat "$errf")
  if ! grep -qF -- "$file:" "$errf"; then
    bad "$what: message does not name $file"
  elif [[ "$msg" != *"$file:"[0-9]*:[0-9]*:* ]]; then
    bad "$what: no :LINE:COL: after the file name"
  elif ! grep -qF -- "$key" "$errf"; then
    bad "$what: message lacks '$key'"
  else
    ok; return
  fi
  sed 's/^/  | /' "$errf" | head -5
}

# expect_refused WHAT FILE KEY CMD...: exit status 2 and a located message.
expect_refused() {
  local what=$1 file=$2 key=$3; shift 3
  timeout 10 "$@" >"$work/out.txt" 2>"$work/err.txt"
  local got=$?
  if [ "$got" = 2 ]; then ok; else bad "$what: exit $got, expected 2"; fi
  check_message "$file" "$key" "$work/err.txt" "$what"
}

# The generated files: over each reader limit of engine/scenario.h.
gen=$work/gen
mkdir -p "$gen"
head3='ipsim: 1
start: "2025-01"
horizon_months: 24'
zone='{name: Z, area_ha: 10, projects_per_year: 1, fdi_capital_median_musd: 1, domestic_capital_median_musd: 1, capital_per_ha_musd: 1}'
{ printf '# expect: (root)\n%s\nzones: [%s]\n# ' "$head3" "$zone"
  head -c $((5 << 20)) /dev/zero | tr '\0' x; echo; } >"$gen/five_mib.yaml"
{ printf '# expect: zones\n%s\nzones:\n' "$head3"
  for i in $(seq 0 10000); do echo "  - ${zone/name: Z/name: Z$i}"; done; } >"$gen/zones_10001.yaml"
{ printf '# expect: targets\n%s\nzones: [%s]\ntargets:\n' "$head3" "$zone"
  for i in $(seq 0 1000); do echo '  - {metric: occupancy, year: 2025, op: ">=", value: 0.5}'; done
} >"$gen/targets_1001.yaml"
{ printf '# expect: zones[Z].upgrades\n%s\nzones:\n  - %s\n' "$head3" "${zone%\}}, upgrades: ["
  for i in $(seq 0 1000); do echo '      {from: "2025-01", attractiveness: 1},'; done; echo '    ]}'
} >"$gen/upgrades_1001.yaml"
{ printf '# expect: macro.a.a.a\n%s\nmacro:\n' "$head3"
  ind='  '; for i in $(seq 1 200); do echo "${ind}a:"; ind="$ind  "; done; echo "${ind}1"
} >"$gen/nesting_200_mappings.yaml"

n_files=0
for f in "$dir"/*.yaml "$gen"/*.yaml; do
  [ -e "$f" ] || continue
  n_files=$((n_files + 1))
  name=$(basename "$f")
  key=$(head -n 1 "$f" | sed -n 's/^# expect: //p')
  if [ -z "$key" ]; then
    bad "$name: first line is not '# expect: KEY'"
    continue
  fi
  expect_refused "check $name" "$f" "$key" "$bin" check "$f"
  expect_refused "run $name" "$f" "$key" "$bin" run "$f" -n 10 -o "$work/out.h5"
  if [ -e "$work/out.h5" ] || [ -e "$work/out.h5.partial" ]; then
    bad "run $name: left a results file behind"
    rm -f "$work/out.h5" "$work/out.h5.partial"
  else
    ok
  fi
  expect_refused "run $name over keep.h5" "$f" "$key" "$bin" run "$f" -n 10 -o "$work/keep.h5"
  if cmp -s "$work/keep.h5" "$work/keep.ref" && [ ! -e "$work/keep.h5.partial" ]; then
    ok
  else
    bad "run $name: changed the existing keep.h5"
    cp "$work/keep.ref" "$work/keep.h5"
  fi
done
[ "$n_files" -ge 100 ] && ok || bad "only $n_files bad files in $dir and $gen (expected at least 100)"

finish
