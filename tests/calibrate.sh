#!/usr/bin/env bash
# calibrate.sh -- `ipsim calibrate` end to end: help, exit statuses, bad
# histories refused with FILE:LINE:COL and no output written, -o written
# whole, and a round trip: a 30-year history simulated by `ipsim run`
# (read back with h5py) is fitted within 3 SE of the scenario's parameters,
# and the fragment drops into a scenario that checks and runs.
# usage: calibrate.sh IPSIM_BIN SOURCE_DIR WORK_DIR PYTHON
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
bin=$1 src=$2 work=$3 py=${4:-/usr/bin/python3}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

expect_status 0 "calibrate --help" "$bin" calibrate --help
for want in "usage: ipsim calibrate" "options:" "--bootstrap" "example:" "fdi_projects"; do
  contains out.txt "$want" "calibrate --help"
done
expect_status 2 "no history" "$bin" calibrate
expect_status 2 "unknown option" "$bin" calibrate h.csv --bogus
expect_status 2 "--bootstrap x" "$bin" calibrate h.csv --bootstrap x
expect_status 2 "--intensity-sigma -1" "$bin" calibrate h.csv --intensity-sigma -1
contains err.txt "--intensity-sigma" "option named"
expect_status 2 "missing file" "$bin" calibrate nothere.csv
contains err.txt "nothere.csv" "missing file named"

# Bad histories: exit 2, FILE:LINE:COL and the column, -o not written and
# an existing -o file kept as it was.
echo "keep me" >keep.yaml && cp keep.yaml keep.ref
bad_csv() { # NAME LOCATION COLUMN TEXT
  printf '%b' "$4" >"$1.csv"
  expect_status 2 "$1" "$bin" calibrate "$1.csv" -o keep.yaml
  contains err.txt "$1.csv:$2:" "$1: location"
  contains err.txt "$3" "$1: column named"
  cmp -s keep.yaml keep.ref && [ ! -e keep.yaml.partial ] && ok || bad "$1: -o file changed"
}
bad_csv missing_column 1:1 "domestic_musd: missing column" "zone,year,projects,fdi_musd\nA,2020,1,2\n"
bad_csv not_a_number 3:12 "fdi_musd: 'x1'" \
  "zone,year,projects,fdi_projects,fdi_musd,domestic_musd\nA,2019,1,1,3,0\nA,2020,3,1,x1,4\n"
bad_csv negative_count 2:8 "projects: '-2' is out of range" "zone,year,projects,fdi_musd,domestic_musd\nA,2020,-2,1,1\n"
bad_csv unknown_format 1:1 "unknown format" "zone,year,count\nA,2020,3\n"
bad_csv unknown_column 1:43 "leased: unknown column" "zone,year,projects,fdi_musd,domestic_musd,leased\nA,2020,1,1,0,2\n"
bad_csv project_fdi 2:8 "fdi: 'yes'" "zone,year,fdi,capital_musd\nA,2020,yes,5\n"

# A good history: stdout, and -o written whole (same text, no .partial).
printf 'zone,year,projects,fdi_projects,fdi_musd,domestic_musd,leased_ha\nA,2018,3,1,12,5,4\nA,2019,5,2,30,7,9\nA,2020,2,1,8,2,\nB,2020,1,0,0,3,1\n' >good.csv
expect_status 0 "good history" "$bin" calibrate good.csv --bootstrap 50
cp out.txt stdout.yaml
contains stdout.yaml "- name: \"A\"" "zone A"
contains stdout.yaml "projects_per_year: " "rate"
expect_status 0 "good history -o" "$bin" calibrate good.csv --bootstrap 50 -o frag.yaml
[ ! -s out.txt ] && cmp -s frag.yaml stdout.yaml && [ ! -e frag.yaml.partial ] && ok || bad "-o differs from stdout"
expect_status 1 "unwritable -o" "$bin" calibrate good.csv -o /nonexistent-dir/f.yaml
contains err.txt "/nonexistent-dir/f.yaml" "unwritable output named"

# Round trip through ipsim run + h5py: zone R as an FDI and a domestic
# ipsim zone (sum: rate 15, FDI share 0.4), 30 years, one path.
cat >truth.yaml <<'YAML'
ipsim: 1
name: calibrate truth
start: "1990-01"
horizon_months: 360
defaults: {area_ha: 1e9, clean_ha: 1e9, capital_sigma: 0.7, capital_per_ha_musd: 4, intensity_sigma: 0.5}
zones:
  - {name: R fdi, projects_per_year: 6, fdi_share: 1, fdi_capital_median_musd: 12, domestic_capital_median_musd: 12}
  - {name: R dom, projects_per_year: 9, fdi_share: 0, fdi_capital_median_musd: 3, domestic_capital_median_musd: 3}
YAML
expect_status 0 "simulate history" "$bin" run truth.yaml -n 3 -s 7 -o truth.h5 --quiet
"$py" - truth.h5 hist.csv <<'PY' && ok || bad "history extraction"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = lambda m: f["yearly_zone/" + m][0]          # path 0: [year, zone]
n, fdi, dom, leased = g("projects_registered"), g("fdi_registered_musd"), g("domestic_registered_musd"), g("leased_ha")
land = np.diff(np.vstack([np.zeros((1, 2)), leased]), axis=0).sum(axis=1)
with open(sys.argv[2], "w") as out:
    out.write("zone,year,projects,fdi_projects,fdi_musd,domestic_musd,leased_ha\n")
    for i, y in enumerate(f["year"][:]):
        out.write("R,%d,%d,%d,%.17g,%.17g,%.17g\n" % (y, n[i].sum(), n[i, 0], fdi[i, 0], dom[i, 1], land[i]))
PY
expect_status 0 "calibrate simulated history" "$bin" calibrate hist.csv -o fit.yaml
"$py" - fit.yaml <<'PY' && ok || bad "simulated parameters not recovered within 3 SE"
import re, sys, math
truth = {"projects_per_year": 15, "fdi_share": 0.4, "fdi_capital_median_musd": 12,
         "domestic_capital_median_musd": 3, "capital_sigma": 0.7,
         "capital_per_ha_musd": 4}
seen = 0
for line in open(sys.argv[1]):
    m = re.match(r"\s+(\w+): ([-0-9.e+]+)\s+# SE ([-0-9.e+]+)", line)
    if m and m.group(1) in truth:
        v, se, t = float(m.group(2)), float(m.group(3)), truth[m.group(1)]
        z = (v - t) / se
        print("%-30s %10.4g  SE %8.3g  truth %6g  z %+.2f" % (m.group(1), v, se, t, z))
        seen += 1
        if not abs(z) <= 3:
            sys.exit(1)
sys.exit(0 if seen == len(truth) else 1)
PY

# The fragment drops into a scenario's zones: (indented two spaces).
{ printf 'ipsim: 1\nstart: "2025-01"\nhorizon_months: 24\ndefaults: {area_ha: 500, clean_ha: 200}\nzones:\n'
  sed 's/^/  /' fit.yaml; } >fitted.yaml
expect_status 0 "fitted scenario checks" "$bin" check fitted.yaml
contains out.txt "projects_per_year" "resolved fitted scenario"
expect_status 0 "fitted scenario runs" "$bin" run fitted.yaml -n 50 -o fitted.h5 --quiet

finish
