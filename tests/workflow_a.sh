#!/usr/bin/env bash
# workflow_a.sh -- end-to-end checks of overrides, sweeps and goal seek from
# the command line: --set errors exit 2 naming the --set text and leave no
# file; --set resolves like an edited file; results files record the
# overrides; sweep CSV round-trips through Python's csv module and is
# monotone where the model makes it so; solve finds a computable answer and
# exits 1 when the range cannot reach P; no temporary file is left behind.
# usage: workflow_a.sh IPSIM_BIN SOURCE_DIR WORK_DIR
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
bin=$1 src=$2 work=$3
py=/usr/bin/python3
rm -rf "$work" && mkdir -p "$work/tmp" && cd "$work" || exit 1
export TMPDIR=$work/tmp
no_file() { # PATH DESCRIPTION
  if [ ! -e "$1" ] && [ ! -e "$1.partial" ]; then ok; else bad "$2: $1 was left behind"; fi
}

tb=$src/scenarios/thai_binh_2025.yaml
cat >small.yaml <<'YAML'
ipsim: 1
name: small
start: "2025-01"
horizon_months: 36
seed: 3
zones:
  - {name: Lien Ha Thai, area_ha: 1000, leased_ha: 600, clean_ha: 10, clearance_ha_per_year: 5,
     projects_per_year: 30, fdi_capital_median_musd: 10, domestic_capital_median_musd: 3,
     capital_per_ha_musd: 4}
  - {name: "Phase ]2[", area_ha: 100, projects_per_year: 2, fdi_capital_median_musd: 10,
     domestic_capital_median_musd: 3, capital_per_ha_musd: 4}
targets:
  - {name: Leased 2027, metric: leased_ha, year: 2027, op: ">=", value: 700}
  - {name: FDI 2026, metric: fdi_registered_musd, year: 2026, op: ">=", value: 400}
YAML
# the same scenario with the overridden values edited into the file
sed -e 's/clearance_ha_per_year: 5,/clearance_ha_per_year: 40,/' \
    -e 's/^horizon_months: 36/horizon_months: 36\nmacro: {sigma: 0.3}/' \
    -e 's/area_ha: 100,/area_ha: 150,/' small.yaml >edited.yaml

# --help of the new subcommands: synopsis, options, example
for c in sweep solve; do
  expect_status 0 "$c --help" "$bin" $c --help
  contains out.txt "usage: ipsim $c" "$c --help synopsis"
  contains out.txt "--set KEY=VALUE" "$c --help options"
  contains out.txt "example:" "$c --help example"
done
expect_status 0 "run --help" "$bin" run --help; contains out.txt "--set KEY=VALUE" "run --help lists --set"
expect_status 0 "check --help" "$bin" check --help; contains out.txt "--set KEY=VALUE" "check --help lists --set"

# ---- overrides: bad ones exit 2, name the --set text, leave no file ----
bad_set() { # SET MESSAGE-PART
  expect_status 2 "--set $1" "$bin" run small.yaml -n 10 -o bad.h5 --set "$1"
  contains err.txt "--set $1: $2" "--set $1 message"
  no_file bad.h5 "--set $1"
}
bad_set 'zones[Nowhere].clearance_ha_per_year=40' 'zones[Nowhere]: no zone is named "Nowhere"'
bad_set 'zones[7].clearance_ha_per_year=40' 'zones[7]: index 7 is out of range'
bad_set 'zones[Lien Ha Thai.clearance_ha_per_year=40' "malformed KEY: '[' without a matching ']'"
bad_set 'zones[0].clearance_ha_per_year' "malformed KEY: no '=' after KEY"
bad_set 'zones[Lien Ha Thai].fdi_share=2' 'zones[Lien Ha Thai].fdi_share: 2 is out of range (expected a number in [0, 1])'
bad_set 'macro.sigmaa=0.3' 'macro.sigmaa: unknown key (did you mean "sigma"?)'
bad_set 'targets[FDI 2030].value=1' 'targets[FDI 2030]: no target is named "FDI 2030"'
expect_status 2 "check --set" "$bin" check small.yaml --set 'zones[0].fdi_share=-1'
contains err.txt "--set zones[0].fdi_share=-1: zones[Lien Ha Thai].fdi_share" "check names --set"

# ---- an override resolves exactly like the edited file ----
sets=(--set 'zones[Lien Ha Thai].clearance_ha_per_year=40' --set macro.sigma=0.3
      --set 'zones["Phase ]2["].area_ha=150')
expect_status 0 "check with --set" "$bin" check small.yaml "${sets[@]}"; cp out.txt set.txt
expect_status 0 "check edited" "$bin" check edited.yaml; cp out.txt edited.txt
expect_status 0 "check plain" "$bin" check small.yaml; cp out.txt plain.txt
cmp -s set.txt edited.txt && ok || bad "check --set differs from the edited file: $(diff set.txt edited.txt | head -5)"
cmp -s set.txt plain.txt && bad "--set changed nothing in check's output" || ok

# ---- the results file records the overrides and keeps the text verbatim ----
expect_status 0 "run with --set" "$bin" run small.yaml -n 200 -o set.h5 "${sets[@]}"
expect_status 0 "run edited" "$bin" run edited.yaml -n 200 -o edited.h5
"$py" - set.h5 edited.h5 small.yaml <<'PY' >py.txt 2>&1 && ok || { bad "overrides in results: $(cat py.txt)"; }
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
want = ["zones[Lien Ha Thai].clearance_ha_per_year=40", "macro.sigma=0.3",
        'zones["Phase ]2["].area_ha=150']
got = [s.decode() if isinstance(s, bytes) else s for s in a.attrs["overrides"]]
assert got == want, got
got = [s.decode() if isinstance(s, bytes) else s for s in a["scenario"].attrs["overrides"]]
assert got == want, got
text = a["scenario"][()]
text = text.decode() if isinstance(text, bytes) else text
assert text == open(sys.argv[3]).read(), "scenario text is not verbatim"
assert "overrides" not in b.attrs
# same seed, same resolved scenario: the same numbers
for m in ("leased_ha", "fdi_registered_musd"):
    assert np.array_equal(a["yearly"][m][()], b["yearly"][m][()]), m
PY

# ---- sweep: CSV to a file and to stdout, parsed back ----
vary='zones[Lien Ha Thai].clearance_ha_per_year=0:60:15'
expect_status 0 "sweep -o" "$bin" sweep small.yaml --vary "$vary" -n 300 -j 2 \
  --metric leased_ha --year 2027 -o sweep.csv
[ ! -s out.txt ] && ok || bad "sweep -o wrote to stdout"
contains err.txt "5 values of zones[Lien Ha Thai].clearance_ha_per_year, 300 paths each" "sweep summary"
expect_status 0 "sweep to stdout" "$bin" sweep small.yaml --vary "$vary" -n 300 -j 1 \
  --metric leased_ha --year 2027
cp out.txt sweep_stdout.csv
"$py" - sweep.csv sweep_stdout.csv <<'PY' >py.txt 2>&1 && ok || bad "sweep CSV: $(cat py.txt)"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
head, body = rows[0], rows[1:]
assert head[0] == "zones[Lien Ha Thai].clearance_ha_per_year", head
targets = ["Leased 2027", "FDI 2026"]
want = [head[0]] + [f"{t} {c}" for t in targets for c in ("p_met", "p_low", "p_high", "mean")]
assert head == want + ["mean leased_ha 2027"], head
assert [r[0] for r in body] == ["0", "15", "30", "45", "60"], [r[0] for r in body]
assert all(len(r) == len(head) for r in body)
for r in body:
    for k in range(len(targets)):
        p, lo, hi = (float(x) for x in r[1 + 4 * k: 4 + 4 * k])
        assert 0 <= lo <= p <= hi <= 1, r
# more clearance never lowers mean leased land (common random numbers)
leased = [float(r[-1]) for r in body]
assert all(b >= a for a, b in zip(leased, leased[1:])), leased
assert leased[-1] > leased[0], leased
# the target's mean is the same metric: both routes agree
assert all(float(r[4]) == float(r[-1]) for r in body)
# written to stdout: the same table (no BOM), whatever the thread count
other = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
assert other == rows, "stdout CSV differs from the file"
PY
# a list of YAML values, commas inside brackets kept
expect_status 0 "sweep list" "$bin" sweep small.yaml -n 50 \
  --vary 'zones[0].upgrades=[],[{from: "2026-01", attractiveness: 2}]' -o list.csv
"$py" -c "import csv,sys; r=list(csv.reader(open('list.csv',encoding='utf-8-sig')));
assert [x[0] for x in r[1:]]==['[]','[{from: \"2026-01\", attractiveness: 2}]'], r" && ok || bad "sweep list values"
# a bad value is found before any run; no CSV is written
expect_status 2 "sweep bad value" "$bin" sweep small.yaml --vary 'zones[0].fdi_share=0.5,1.5' -o b.csv
contains err.txt "--set zones[0].fdi_share=1.5: zones[Lien Ha Thai].fdi_share: 1.5 is out of range" "sweep names the bad value"
no_file b.csv "sweep bad value"
expect_status 2 "sweep bad range" "$bin" sweep small.yaml --vary 'zones[0].fdi_share=1:0:0.1'
expect_status 2 "sweep no --vary" "$bin" sweep small.yaml
expect_status 2 "sweep unknown metric" "$bin" sweep small.yaml --vary 'seed=1,2' --metric nope --year 2025
expect_status 2 "sweep year outside" "$bin" sweep small.yaml --vary 'seed=1,2' --metric leased_ha --year 2040

# ---- solve: a computable answer, and a range that cannot reach P ----
cat >steady.yaml <<'YAML'
ipsim: 1
start: "2025-01"
horizon_months: 12
zones:
  - {name: A, area_ha: 100, projects_per_year: 0, fdi_capital_median_musd: 10,
     domestic_capital_median_musd: 3, capital_per_ha_musd: 4,
     initial: {operating_capital_musd: 400}}
targets:
  - {name: Output, metric: production_musd, year: 2025, op: ">=", value: 1000}
YAML
expect_status 0 "solve steady" "$bin" solve steady.yaml --target Output --prob 0.9 \
  --vary 'zones[A].output_per_capital' --range 1:4 --tol 0.001 -n 20
contains out.txt "smallest zones[A].output_per_capital = " "solve answer line"
"$py" -c "
import re
t = open('out.txt').read()
x = float(re.search(r'output_per_capital = (\S+)', t).group(1))
assert abs(x - 2.5) <= 0.001, x
assert 'P(Output met) = 1.000' in t, t
" && ok || bad "solve steady: answer is not 2.5 +- 0.001: $(cat out.txt)"
expect_status 1 "solve unreachable" "$bin" solve steady.yaml --target Output --prob 0.9 \
  --vary 'zones[A].output_per_capital' --range 1:2 -n 20
contains err.txt "is not reached anywhere in [1, 2]" "unreachable message"
contains err.txt "P(met) = 0.000" "unreachable gives P at the ends"
expect_status 2 "solve unknown target" "$bin" solve steady.yaml --target Nope --prob 0.9 \
  --vary 'zones[A].output_per_capital' --range 1:2
expect_status 2 "solve bad prob" "$bin" solve steady.yaml --target Output --prob 1.5 \
  --vary 'zones[A].output_per_capital' --range 1:2
expect_status 2 "solve bad lever" "$bin" solve steady.yaml --target Output --prob 0.5 \
  --vary 'zones[B].output_per_capital' --range 1:2
contains err.txt 'no zone is named "B"' "solve names the bad lever"

# nothing left in TMPDIR by sweeps and solves
[ -z "$(ls -A "$TMPDIR")" ] && ok || bad "left in TMPDIR: $(ls -A "$TMPDIR")"

finish
