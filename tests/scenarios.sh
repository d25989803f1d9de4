#!/usr/bin/env bash
# scenarios.sh -- every scenarios/*.yaml passes `ipsim check`, names its
# seed and states its targets, and runs at a small path count: exit 0, a
# target table with one row per target, and a results file (no .partial).
# usage: scenarios.sh IPSIM_BIN SOURCE_DIR WORK_DIR [PATHS]
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
bin=$1 src=$2 work=$3 paths=${4:-200}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

n_files=0
for f in "$src"/scenarios/*.yaml; do
  s=$(basename "$f" .yaml)
  n_files=$((n_files + 1))
  # sources and targets are stated in the file
  grep -q "seeds/0[0-9][0-9]_" "$f" && ok || bad "$s: no 'seeds/NNN_' source named"
  grep -q "^targets:" "$f" && ok || bad "$s: no targets"

  if "$bin" check "$f" >check.txt 2>err.txt; then ok; else bad "$s: ipsim check exit $?"; cat err.txt; continue; fi
  n_targets=$(sed -n '/^targets:/,$p' check.txt | grep -c '^  - name: ')
  [ "$n_targets" -ge 1 ] && ok || bad "$s: the resolved scenario has no targets"

  "$bin" run "$f" -n "$paths" -j 2 -o "$s.h5" >out.txt 2>err.txt; rc=$?
  [ "$rc" = 0 ] && ok || { bad "$s: ipsim run exit $rc"; cat err.txt; continue; }
  grep -qF "$paths paths" out.txt && ok || bad "$s: run line lacks '$paths paths'"
  # the table: a header with P(met), then one row per target
  rows=$(awk '/P\(met\)/ { f = 1; next } f && NF' out.txt | wc -l)
  grep -qF "P(met)" out.txt && [ "$rows" = "$n_targets" ] && ok ||
    { bad "$s: table has $rows rows for $n_targets targets"; cat out.txt; }
  [ -s "$s.h5" ] && [ ! -e "$s.h5.partial" ] && ok || bad "$s: $s.h5 missing or .partial left"
done
[ "$n_files" -ge 6 ] && ok || bad "expected at least the 6 seed scenarios, found $n_files"

finish
