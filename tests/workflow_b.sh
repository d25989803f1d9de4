#!/usr/bin/env bash
# workflow_b.sh -- end-to-end checks of summary, compare, batch and export:
# a policy that cannot change anything gives paired differences of exactly
# 0; common random numbers shrink the variance of a real policy's difference
# at least tenfold (the ratio is printed); compare says paired or not; a
# batch with a bad scenario; CSV round trips; summary options; bad files.
# usage: workflow_b.sh IPSIM_BIN SOURCE_DIR WORK_DIR PYTHON
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
set -u
bin=$1 src=$2 work=$3 py=${4:-/usr/bin/python3}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
pycheck() { # DESCRIPTION SCRIPT ARGS...: the script prints FAIL lines, or nothing
  local what=$1 script=$2; shift 2
  "$py" -c "$script" "$@" >py.txt 2>&1; local rc=$?
  if [ $rc = 0 ] && ! grep -q FAIL py.txt; then ok; grep -v '^$' py.txt | sed 's/^/  /'
  else bad "$what"; sed 's/^/  | /' py.txt | head -30; fi
}

# Two zones; the second has no uncleared land (area = leased + clean) and no
# polluting projects, so its clearance rate and WWTP date cannot matter.
cat >base.yaml <<'YAML'
ipsim: 1
name: workflow base
start: "2025-01"
horizon_months: 36
seed: 42
macro: {sigma: 0.3, annual_persistence: 0.5}
redirect_prob: 0.3
zones:
  - {name: "Phúc Khánh, giai đoạn \"2\"", area_ha: 2000, leased_ha: 500, clean_ha: 1200,
     clearance_ha_per_year: 100, projects_per_year: 40, fdi_capital_median_musd: 10,
     domestic_capital_median_musd: 3, capital_per_ha_musd: 4,
     initial: {operating_capital_musd: 500, operating_projects: 20}}
  - {name: Tiền Hải, area_ha: 300, leased_ha: 150, clean_ha: 150, clearance_ha_per_year: 0,
     projects_per_year: 15, fdi_capital_median_musd: 8, domestic_capital_median_musd: 2,
     capital_per_ha_musd: 4, polluting_share: 0, wwtp: false}
targets:
  - {name: FDI 2026, metric: fdi_registered_musd, year: 2026, op: ">=", value: 450}
  - {name: Occupancy 2027, metric: occupancy, year: 2027, op: ">=", value: 0.5}
  - {name: Tien Hai registered, metric: projects_registered, year: 2027, op: ">=", value: 14,
     zone: Tiền Hải}
YAML
sed 's/clearance_ha_per_year: 0,/clearance_ha_per_year: 40,/; s/wwtp: false}/wwtp: "2025-06"}/' \
  base.yaml >noop.yaml
sed 's/operating_projects: 20}}/operating_projects: 20},\n     upgrades: [{from: "2025-01", attractiveness: 1.5}]}/' \
  base.yaml >policy.yaml
cmp -s base.yaml noop.yaml && bad "noop.yaml is not a variant" || ok
grep -q 'attractiveness: 1.5' policy.yaml && ok || bad "policy.yaml has no upgrade"

# ---- help ----
for c in summary compare batch export; do
  expect_status 0 "$c --help" "$bin" "$c" --help
  contains out.txt "usage: ipsim $c" "$c --help synopsis"
  contains out.txt "options:" "$c --help options"
  contains out.txt "example:" "$c --help example"
done

# ---- runs ----
expect_status 0 "run base" "$bin" run base.yaml -n 2000 -j 2 -o base.h5 -q
expect_status 0 "run noop" "$bin" run noop.yaml -n 2000 -j 2 -o noop.h5 -q
expect_status 0 "run policy" "$bin" run policy.yaml -n 2000 -j 2 -o policy.h5 -q
expect_status 0 "run policy, other seed" "$bin" run policy.yaml -n 2000 -j 2 -s 43 -o policy43.h5 -q

# ---- a policy that cannot change anything: paired differences exactly 0 ----
pycheck "no-op policy: every per-path value identical" '
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
np.seterr(invalid="ignore")
n = 0
for g in ("yearly", "yearly_zone"):
    for m in a[g]:
        x, y = a[g][m][:], b[g][m][:]
        d = y - x
        if not np.array_equal(x, y, equal_nan=True) or np.any(d[np.isfinite(d)] != 0):
            print("FAIL", g, m, "paired difference not exactly 0")
        n += 1
if not np.array_equal(a["target_values"][:], b["target_values"][:], equal_nan=True):
    print("FAIL target_values differ")
print("no-op policy: %d metric datasets and %d targets, every paired difference exactly 0" % (n, a["target_values"].shape[1]))
' base.h5 noop.h5
expect_status 0 "compare no-op" "$bin" compare base.h5 noop.h5 --metric all --csv noop.csv
contains out.txt "B vs A: PAIRED" "no-op compare is paired"
cp out.txt noop_compare.txt
pycheck "compare prints 0 for every no-op difference" '
import sys, re, csv
lines = open(sys.argv[1]).read().splitlines()
i = next(k for k, l in enumerate(lines) if l.startswith("metric "))
rows = 0
for l in lines[i + 1:]:
    if l.startswith("*"): break
    f = l.split()
    if f[-2:] != ["+0", "0"] and f[-2:] != ["-", "-"]:
        print("FAIL metric row not exactly 0:", l)
    rows += 1
if rows != 13 * 3: print("FAIL expected 39 metric rows, got", rows)
j = next(k for k, l in enumerate(lines) if l.startswith("target "))
for l in lines[j + 1:j + 4]:
    if "+0.0000 [" not in l or "*" in l: print("FAIL target row:", l)
with open(sys.argv[2], newline="", encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        if r["file"].endswith("noop.h5") and (float(r["delta_p_met"]) != 0 or r["paired"] != "1"):
            print("FAIL csv row", r)
' noop_compare.txt noop.csv

# ---- common random numbers: paired vs unpaired variance of a real policy ----
pycheck "paired variance at least 10x smaller" '
import sys, h5py, numpy as np
a, b, c = (h5py.File(p, "r") for p in sys.argv[1:4])
years = a["year"][:]
for m in ("projects_registered", "fdi_registered_musd", "total_registered_musd", "leased_ha", "production_musd"):
    for y in range(len(years)):
        xa, xb, xc = a["yearly/" + m][:, y], b["yearly/" + m][:, y], c["yearly/" + m][:, y]
        r = np.var(xc - xa, ddof=1) / np.var(xb - xa, ddof=1)
        if y == len(years) - 1 or m == "projects_registered":
            print("ratio = var(X_B - X_A, different seeds) / var(paired difference): %-22s %d: %6.1f" % (m, years[y], r))
        if m == "projects_registered" and not r >= 10:
            print("FAIL", m, years[y], "ratio", r, "< 10")
' base.h5 policy.h5 policy43.h5
expect_status 0 "compare policy" "$bin" compare base.h5 policy.h5 policy43.h5 --metric projects_registered --year 2027
contains out.txt "B vs A: PAIRED" "same seed is paired"
contains out.txt "C vs A: NOT PAIRED (seed 43 vs 42)" "other seed is not paired"
cp out.txt policy_compare.txt
pycheck "compare figures equal paired and Welch statistics" '
import sys, h5py, numpy as np
a, b, c = (h5py.File(p, "r") for p in sys.argv[1:4])
row = next(l for l in open(sys.argv[4]) if l.startswith("projects_registered")).split()
xa, xb, xc = (f["yearly/projects_registered"][:, 2] for f in (a, b, c))
d = xb - xa
want = [d.mean(), d.std(ddof=1) / np.sqrt(len(d)), xc.mean() - xa.mean(),
        np.sqrt(xa.var(ddof=1) / len(xa) + xc.var(ddof=1) / len(xc))]
got = [float(row[5]), float(row[6]), float(row[8]), float(row[9])]
for g, w, what in zip(got, want, ("paired diff", "paired SE", "unpaired diff", "Welch SE")):
    if abs(g - w) > 1e-2 * abs(w): print("FAIL", what, g, "vs", w)
if row[7] != "*": print("FAIL paired difference not flagged significant:", row)
' base.h5 policy.h5 policy43.h5 policy_compare.txt

# ---- batch: one bad scenario among good ones ----
printf 'ipsim: 1\nstart: "2025-01"\nhorizon_months: 12\nzones: []\n' >bad.yaml
expect_status 2 "batch with a bad scenario" "$bin" batch base.yaml bad.yaml policy.yaml -o out -n 500 -j 2
contains err.txt "bad.yaml" "bad scenario reported"
contains out.txt "seed 42" "batch prints its seed"
[ -s out/base.h5 ] && [ -s out/policy.h5 ] && [ -s out/comparison.csv ] && ok || bad "batch outputs missing"
[ ! -e out/bad.h5 ] && [ ! -e out/bad.h5.partial ] && ok || bad "file written for the bad scenario"
contains out.txt "B vs A: PAIRED" "batch prints the comparison"
pycheck "batch files and comparison.csv" '
import sys, csv, h5py
with open("out/comparison.csv", newline="", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
if len(rows) != 6: print("FAIL expected 6 rows, got", len(rows))
p = {}
for name in ("base", "policy"):
    with h5py.File("out/%s.h5" % name, "r") as h:
        if h.attrs["seed"] != 42 or h.attrs["paths"] != 500: print("FAIL", name, "seed/paths")
        for t in h["targets"][:]:
            p[(name, t["name"].decode())] = t["p_met"]
for r in rows:
    name = "base" if r["file"].endswith("base.h5") else "policy"
    if abs(float(r["p_met"]) - p[(name, r["target"])]) > 0: print("FAIL p_met", r)
    if name == "base" and (r["delta_p_met"] or r["paired"]): print("FAIL reference row has a delta", r)
    if name == "policy":
        want = p[("policy", r["target"])] - p[("base", r["target"])]
        if r["paired"] != "1" or abs(float(r["delta_p_met"]) - want) > 1e-12: print("FAIL delta", r)
        if not float(r["delta_p_low"]) <= float(r["delta_p_met"]) <= float(r["delta_p_high"]): print("FAIL interval", r)
'
expect_status 0 "batch, all good, -s" "$bin" batch base.yaml policy.yaml -o out_s -n 100 -s 7 -q
[ ! -s out.txt ] && ok || bad "batch --quiet printed something"
pycheck "batch -s seeds every file" '
import h5py
for n in ("base", "policy"):
    with h5py.File("out_s/%s.h5" % n, "r") as h:
        if h.attrs["seed"] != 7: print("FAIL", n, "seed", h.attrs["seed"])
'
mkdir -p out_fail/policy.h5   # a directory where the results file must go
expect_status 1 "batch with a failing run" "$bin" batch base.yaml policy.yaml -o out_fail -n 100 -q
contains err.txt "policy" "failed run reported"
[ -s out_fail/base.h5 ] && ok || bad "the good scenario of a failing batch was not written"
expect_status 2 "batch without -o" "$bin" batch base.yaml
expect_status 2 "batch, two scenarios one file" "$bin" batch base.yaml ./base.yaml -o out_dup
[ ! -e out_dup ] && ok || bad "batch with clashing names created its directory"

# ---- export: CSV round trip ----
expect_status 0 "export" "$bin" export base.h5 --csv exp
pycheck "export round trip" '
import csv, h5py, numpy as np
def rows(name):
    raw = open("exp/" + name, "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"): print("FAIL no BOM in", name)
    if raw.count(b"\n") != raw.count(b"\r\n"): print("FAIL lines do not end in CRLF:", name)
    with open("exp/" + name, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))
def num(s): return float(s) if s != "" else float("nan")
def same(x, y):
    return (np.isnan(x) and np.isnan(y)) or abs(x - y) <= 1e-12 * max(1.0, abs(y))
h = h5py.File("base.h5", "r")
years = list(h["year"][:]); partial = list(h["year"].attrs["partial"])
zones = [z.decode() for z in h["zone"][:]]
pr = rows("province_yearly.csv")
if pr[0] != ["metric", "year", "partial", "mean", "q05", "q25", "q50", "q75", "q95"]: print("FAIL header", pr[0])
if len(pr) != 1 + 13 * len(years): print("FAIL province rows", len(pr))
for r in pr[1:]:
    y = years.index(int(r[1])); q = h["summary/" + r[0]][:, y]
    want = [h["summary/" + r[0] + "_mean"][y]] + list(q)
    if int(r[2]) != partial[y] or not all(same(num(g), w) for g, w in zip(r[3:], want)): print("FAIL province", r)
zr = rows("zone_yearly.csv")
if zr[0] != ["zone", "metric", "year", "mean", "q05", "q25", "q50", "q75", "q95"]: print("FAIL header", zr[0])
if len(zr) != 1 + len(zones) * 13 * len(years): print("FAIL zone rows", len(zr))
if set(r[0] for r in zr[1:]) != set(zones): print("FAIL zone names do not round-trip", set(r[0] for r in zr[1:]))
for r in zr[1:]:
    x = h["yearly_zone/" + r[1]][:, years.index(int(r[2])), zones.index(r[0])]
    x = x[np.isfinite(x)]
    want = [x.mean()] + list(np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95])) if len(x) else [float("nan")] * 6
    if not all(same(num(g), w) for g, w in zip(r[3:], want)): print("FAIL zone", r, want)
tr = rows("targets.csv")
t = h["targets"][:]
if len(tr) != 1 + len(t): print("FAIL targets rows")
for r, row in zip(tr[1:], t):
    for k, v in zip(tr[0], r):
        w = row[k]
        if isinstance(w, bytes): ok = v == w.decode()
        else: ok = same(num(v), float(w))
        if not ok: print("FAIL targets", k, v, w)
print("export: %d province, %d zone and %d target rows equal the HDF5 file" % (len(pr) - 1, len(zr) - 1, len(tr) - 1))
'
expect_status 0 "run --store summary" "$bin" run base.yaml -n 100 --store summary -o summ.h5 -q
expect_status 0 "export --store summary" "$bin" export summ.h5 --csv exp_s
contains out.txt "zone_yearly.csv not written" "export says why zone_yearly.csv is missing"
[ -s exp_s/province_yearly.csv ] && [ -s exp_s/targets.csv ] && [ ! -e exp_s/zone_yearly.csv ] && ok \
  || bad "export of a --store summary file"
expect_status 2 "export without --csv" "$bin" export base.h5

# ---- summary ----
expect_status 0 "summary" "$bin" summary base.h5
contains out.txt "Tien Hai registered" "summary target table"
contains out.txt "fdi_registered_musd" "summary default metrics"
expect_status 0 "summary --metric all" "$bin" summary base.h5 --metric all
for m in area_ha clean_ha projects_operating lost_capital_musd production_growth; do
  contains out.txt "$m" "summary --metric all lists $m"
done
expect_status 0 "summary --zone" "$bin" summary base.h5 --zone "Tiền Hải" --metric projects_registered,leased_ha
contains out.txt "Zone Tiền Hải" "summary --zone title"
cp out.txt zone_summary.txt
pycheck "summary --zone figures" '
import h5py, numpy as np
h = h5py.File("base.h5", "r")
z = [x.decode() for x in h["zone"][:]].index("Tiền Hải")
lines = open("zone_summary.txt").read().splitlines()
i = next(k for k, l in enumerate(lines) if l.startswith("metric "))
body = lines[i + 1:i + 7]
for k, m in enumerate(("projects_registered", "leased_ha")):
    for y in range(3):
        f = body[3 * k + y].split()[-5:]
        x = h["yearly_zone/" + m][:, y, z]
        want = [h["year"][y], x.mean(), *np.quantile(x, [0.05, 0.5, 0.95])]
        if int(f[0]) != want[0] or any(abs(float(g) - w) > 1e-5 * max(1, abs(w)) for g, w in zip(f[1:], want[1:])):
            print("FAIL", m, f, want)
'
expect_status 2 "summary --zone unknown" "$bin" summary base.h5 --zone "Nowhere Park"
contains err.txt "Nowhere Park" "bad --zone named"
expect_status 2 "summary --metric unknown" "$bin" summary base.h5 --metric occupancy,occupency
contains err.txt "occupency" "bad --metric named"
expect_status 2 "summary --zone of a --store summary file" "$bin" summary summ.h5 --zone "Tiền Hải"
contains err.txt "--store summary" "summary store named"
sed 's/start: "2025-01"/start: "2025-07"/' base.yaml >partial.yaml
expect_status 0 "run partial years" "$bin" run partial.yaml -n 50 -o partial.h5 -q
expect_status 0 "summary partial years" "$bin" summary partial.h5 --metric occupancy
contains out.txt "2025*" "partial year flagged"
contains out.txt "* partly simulated year" "partial year explained"

# ---- compare: options and unpaired summaries ----
expect_status 2 "compare one file" "$bin" compare base.h5
expect_status 2 "compare --year outside" "$bin" compare base.h5 policy.h5 --year 2040
contains err.txt "2040" "bad --year named"
expect_status 2 "compare --metric unknown" "$bin" compare base.h5 policy.h5 --metric nope
expect_status 0 "compare with a --store summary file" "$bin" compare base.h5 summ.h5
contains out.txt "NOT PAIRED (100 paths vs 2000)" "different path counts are not paired"
contains out.txt "SE approximate" "summary-based comparison says so"

# ---- files that are not results ----
"$py" -c 'import h5py; f = h5py.File("plain.h5", "w"); f["x"] = 1; f.attrs["format"] = "other"'
for f in base.yaml plain.h5 missing.h5 base.h5.partial; do
  [ "$f" = base.h5.partial ] && cp base.h5 base.h5.partial
  expect_status 2 "summary $f" "$bin" summary "$f"
  contains err.txt "$f" "summary $f names the file"
  expect_status 2 "compare $f" "$bin" compare base.h5 "$f"
  expect_status 2 "export $f" "$bin" export "$f" --csv exp_bad
done
contains err.txt ".partial" "a .partial file is called unfinished"
[ ! -e exp_bad ] && ok || bad "export of a bad file created its directory"

finish
