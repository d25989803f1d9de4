#!/usr/bin/env bash
# cli.sh -- end-to-end checks of the ipsim command line: help and version,
# exit statuses, option errors, check's round trip, a real run's table and
# file, default output name, --quiet, and failures that must leave no file.
# usage: cli.sh IPSIM_BIN SOURCE_DIR WORK_DIR
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
bin=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

tb=$src/scenarios/thai_binh_2025.yaml
cat >small.yaml <<'YAML'
ipsim: 1
name: small test
start: "2025-01"
horizon_months: 24
zones:
  - {name: One, area_ha: 100, clean_ha: 50, projects_per_year: 12,
     fdi_capital_median_musd: 10, domestic_capital_median_musd: 3, capital_per_ha_musd: 2}
targets:
  - {name: Registered 2026, metric: projects_registered, year: 2026, op: ">=", value: 10}
YAML

expect_status 0 "--version" "$bin" --version; contains out.txt "ipsim " "--version"
expect_status 0 "--help" "$bin" --help; contains out.txt "usage: ipsim" "--help"
expect_status 0 "run --help" "$bin" run --help; contains out.txt "--store" "run --help"
contains out.txt "example:" "run --help"
expect_status 0 "check --help" "$bin" check --help
expect_status 2 "no command" "$bin"
expect_status 2 "unknown command" "$bin" frobnicate
expect_status 2 "unknown option" "$bin" run small.yaml --bogus
expect_status 2 "-n 0" "$bin" run small.yaml -n 0 -o x.h5; contains err.txt "-n/--paths" "-n 0 message"
expect_status 2 "-n abc" "$bin" run small.yaml -n abc -o x.h5
expect_status 2 "-j -1" "$bin" run small.yaml -j -1 -o x.h5
# a whole number is digits only: strtoull alone would take " -1" as 2^64 - 1
for v in " -1" " 5" "+5" "5 " "$(printf '\t5')"; do
  expect_status 2 "-s '$v'" "$bin" run small.yaml -s "$v" -o x.h5
  contains err.txt "-s/--seed: '$v' is not valid" "-s '$v' message"
  expect_status 2 "-n '$v'" "$bin" run small.yaml -n "$v" -o x.h5
done
expect_status 2 "calibrate --intensity-sigma ' 1'" "$bin" calibrate x.csv --intensity-sigma " 1"
contains err.txt "--intensity-sigma: ' 1' is not valid" "a number with a leading blank"
expect_status 2 "--store weekly" "$bin" run small.yaml --store weekly -o x.h5
expect_status 2 "missing scenario" "$bin" run -o x.h5
expect_status 2 "scenario file missing" "$bin" run nothere.yaml -o x.h5; contains err.txt "nothere.yaml" "missing file named"
[ ! -e x.h5 ] && [ ! -e x.h5.partial ] && ok || bad "option errors left a file"

# check prints a resolved scenario that checks again, unchanged
expect_status 0 "check thai binh" "$bin" check "$tb"; cp out.txt resolved.yaml
contains resolved.yaml "clearance_ha_per_year" "resolved scenario lists every zone key"
expect_status 0 "check resolved" "$bin" check resolved.yaml
cmp -s out.txt resolved.yaml && ok || bad "check output is not a fixed point"

# a real run: table on stdout, file renamed from .partial
expect_status 0 "run thai binh" "$bin" run "$tb" -n 300 -j 2 -o tb.h5
contains out.txt "P(met)" "target table header"
contains out.txt "95% interval" "target table header"
contains out.txt "300 paths" "run line"
[ -s tb.h5 ] && [ ! -e tb.h5.partial ] && ok || bad "tb.h5 missing or .partial left"

# default output name: scenario name + .h5, in the current directory
expect_status 0 "default output" "$bin" run small.yaml -n 50 --store summary
[ -s "small test.h5" ] && ok || bad "default output 'small test.h5' not written"
contains out.txt "Registered 2026" "target name in table"

# --quiet prints nothing
expect_status 0 "quiet" "$bin" run small.yaml -n 50 -o q.h5 --quiet
[ ! -s out.txt ] && [ ! -s err.txt ] && ok || bad "--quiet printed something"

# same seed, different threads: same table
"$bin" run small.yaml -n 400 -s 5 -j 1 -o a.h5 | tail -n +2 >t1.txt
"$bin" run small.yaml -n 400 -s 5 -j 2 -o b.h5 | tail -n +2 >t2.txt
cmp -s t1.txt t2.txt && ok || bad "tables differ between -j1 and -j2"

# a destination that can never be the file (empty, a directory) is bad input,
# refused before any path is computed (else `timeout` would end these runs of
# 50 million paths, exit 124), for every command that writes a file
mkdir -p adir && touch adir/keep
"$bin" run small.yaml -n 20 -q -o r.h5
for cmd in "run small.yaml -n 50000000 --store summary" \
           "sweep small.yaml --vary redirect_prob=0,0.5 -n 50000000" "report r.h5"; do
  for o in "" adir adir/; do
    # shellcheck disable=SC2086
    expect_status 2 "$cmd -o '$o'" timeout 10 "$bin" $cmd -o "$o"
    if [ -z "$o" ]; then contains err.txt "name is empty" "$cmd -o '': message"
    else contains err.txt "$o: is a directory" "$cmd -o '$o': message"; fi
  done
done
[ "$(ls -A adir)" = keep ] && ok || bad "a refused -o DIR was written into: $(ls -A adir)"
ls -A | grep -q partial && bad "stray files: $(ls -A)" || ok

# an output that is one of the command's inputs (by any name: ./, a link) is
# bad input, refused before any work, and the input is left as it was
cp small.yaml in.yaml && cp small.yaml in.orig && ln -sf in.yaml in.link.yaml
"$bin" run small.yaml -n 20 -s 2 -q -o r2.h5 && cp r.h5 r.orig && echo "a,b" >hist.csv
for c in "run in.yaml -n 50000000 -o in.yaml" "run in.yaml -n 50000000 -o ./in.yaml" \
         "run in.link.yaml -n 50000000 -o in.yaml" \
         "sweep in.yaml --vary redirect_prob=0,0.5 -n 50000000 -o in.yaml" \
         "report r.h5 -o r.h5" "compare r2.h5 r.h5 --csv r.h5" "calibrate hist.csv -o hist.csv"; do
  # shellcheck disable=SC2086
  expect_status 2 "$c" timeout 10 "$bin" $c
  contains err.txt "is the input file" "$c: message"
done
cmp -s in.yaml in.orig && cmp -s r.h5 r.orig && [ "$(cat hist.csv)" = "a,b" ] && ok ||
  bad "an input was changed by a refused output"
mkdir -p bdir && cp small.yaml "bdir/small.h5"
expect_status 2 "batch writing over its scenario" "$bin" batch bdir/small.h5 -o bdir -n 10
contains err.txt "is the input file" "batch: message"
cmp -s bdir/small.h5 small.yaml && ok || bad "batch replaced its scenario file"

# an unwritable destination is a failure (1), not bad input, and leaves nothing
expect_status 1 "unwritable output" "$bin" run small.yaml -n 10 -o /nonexistent-dir/x.h5
contains err.txt "/nonexistent-dir/x.h5" "unwritable output named"

# A FIFO that nothing writes to, named as the scenario or the history, is
# an empty input (2) at once, not a command waiting forever for a writer;
# a pipe with a writer, as <(...), reads as a file.
rm -f fifo && mkfifo fifo
expect_status 2 "check a FIFO with no writer" timeout 20 "$bin" check fifo
contains err.txt "fifo:1:1" "FIFO: named, as an empty file"
expect_status 2 "calibrate from a FIFO with no writer" timeout 20 "$bin" calibrate fifo -o cal.yaml
expect_status 0 "check a pipe" "$bin" check <(cat small.yaml)
rm -f fifo

finish
