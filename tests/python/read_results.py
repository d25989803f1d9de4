#!/usr/bin/python3
"""read_results.py -- the results file as its readers see it (MODEL.md §10).

Usage: read_results.py IPSIM_BIN SOURCE_DIR WORK_DIR

Runs a small scenario through the CLI and checks the file with h5py and with
xarray (engine="h5netcdf"): attributes, scales, shapes, units, summaries
against numpy's quantiles, targets against the per-path data, and the
accounting identities of the model (land, occupancy, yearly = months).
Exits 1 with a message per failed check; the last line says how many passed.
"""
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr

from checklib import Checks, expect

N, SEED = 200, 7
YEARS = [2025, 2026, 2027]
ZONES = ["Alpha Park", "Beta Cluster"]
Z_WILSON = 1.959964

UNITS = {
    "area_ha": "ha", "leased_ha": "ha", "clean_ha": "ha", "occupancy": "1",
    "projects_registered": "projects", "fdi_registered_musd": "musd",
    "domestic_registered_musd": "musd", "projects_operating": "projects",
    "production_musd": "musd", "lost_projects": "projects",
    "lost_capital_musd": "musd", "total_registered_musd": "musd",
    "production_growth": "1",
}
METRICS = list(UNITS)
MONTHLY = [m for m in METRICS if m != "production_growth"]
STOCKS = ["area_ha", "leased_ha", "clean_ha", "projects_operating"]
FLOWS = ["projects_registered", "fdi_registered_musd", "domestic_registered_musd",
         "production_musd", "lost_projects", "lost_capital_musd", "total_registered_musd"]

SCENARIO = """\
ipsim: 1
name: python reader check
start: "2025-07"
horizon_months: 30
macro: {sigma: 0.2, annual_persistence: 0.5}
redirect_prob: 0.3
productivity_growth: 0.02
baseline: {production_musd: 450}
defaults:
  capital_per_ha_musd: 5
  fdi_capital_median_musd: 10
  domestic_capital_median_musd: 3
zones:
  - name: Alpha Park
    area_ha: 600
    leased_ha: 300
    clean_ha: 60
    clearance_ha_per_year: 40
    projects_per_year: 12
    wwtp: true
    initial: {operating_capital_musd: 400, operating_projects: 20}
  - name: Beta Cluster
    kind: cluster
    area_ha: 300
    leased_ha: 60
    clean_ha: 40
    projects_per_year: 6
    polluting_share: 0.3
    wwtp: "2026-01"
    initial: {pipeline_capital_musd: 50, pipeline_projects: 5}
    expansions: [{ha: 100, threshold: 0.22, delay_months: 6}]
targets:
  - name: FDI 2026
    metric: fdi_registered_musd
    year: 2026
    op: ">="
    value: 130
  - metric: occupancy
    year: 2027
    op: "<="
    value: 0.225
    zone: Beta Cluster
"""
# (metric, year, zone index or None, op, value), as in SCENARIO.
TARGETS = [("fdi_registered_musd", 2026, None, ">=", 130.0),
           ("occupancy", 2027, 1, "<=", 0.225)]


def close(a, b, rtol=1e-9, atol=1e-9):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all(
        (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= atol + rtol * np.abs(b))))


def text(x):
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


def run_cli(binary, scen, out, store, threads):
    cmd = [binary, "run", scen, "-n", str(N), "-s", str(SEED), "-j", str(threads),
           "--store", store, "-o", out, "--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    expect(p.returncode == 0, f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    expect(os.path.exists(out), f"{out} not written")
    expect(not os.path.exists(out + ".partial"), f"{out}.partial left behind")
    expect(not os.path.exists(out + ".partial.scratch"), "scratch file left behind")


# ---- h5py ----

def check_root_attrs(f):
    a = f.attrs
    for k in ["format", "ipsim_version", "scenario_name", "start", "created_utc", "store"]:
        expect(isinstance(a[k], str), f"attribute {k} is {type(a[k]).__name__}, not str")
    expect(a["format"] == "ipsim", f"format = {a['format']!r}")
    expect(int(a["format_version"]) == 1, "format_version != 1")
    expect(a["scenario_name"] == "python reader check", f"scenario_name = {a['scenario_name']!r}")
    expect(int(a["seed"]) == SEED and int(a["paths"]) == N, "seed or paths wrong")
    expect(a["start"] == "2025-07" and int(a["horizon_months"]) == 30, "start or horizon wrong")
    expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["created_utc"]),
           f"created_utc = {a['created_utc']!r}")
    expect(a["store"] == "monthly", f"store = {a['store']!r}")
    expect(list(a["partial_years"]) == [1, 0, 0], f"partial_years = {a['partial_years']}")


def check_scenario_text(f, scen):
    with open(scen, "rb") as fp:
        want = fp.read()
    expect(f["scenario"][()] == want, "scenario text is not the file, verbatim")


def check_scales(f):
    expect(np.array_equal(f["path"][:], np.arange(N)), "path scale is not 0..N-1")
    expect(list(f["year"][:]) == YEARS, f"year scale = {f['year'][:]}")
    expect([text(z) for z in f["zone"][:]] == ZONES, "zone scale wrong")
    expect(np.array_equal(f["quantile"][:], [0.05, 0.25, 0.5, 0.75, 0.95]), "quantile scale")
    months = [text(m) for m in f["month"][:]]
    expect(len(months) == 30 and months[0] == "2025-07" and months[6] == "2026-01"
           and months[-1] == "2027-12", f"month scale = {months[:3]}...{months[-1:]}")
    expect(list(f["target"][:]) == [0, 1], "target scale")
    for s in ["path", "year", "zone", "quantile", "month", "target"]:
        expect(f[s].attrs.get("CLASS") == b"DIMENSION_SCALE", f"{s} is not a dimension scale")


def check_shapes_units(f):
    shapes = {"yearly": (N, 3), "yearly_zone": (N, 3, 2),
              "monthly": (N, 30), "monthly_zone": (N, 30, 2)}
    for group, shape in shapes.items():
        names = MONTHLY if group.startswith("monthly") else METRICS
        expect(sorted(f[group]) == sorted(names), f"{group}/ holds {sorted(f[group])}")
        for m in names:
            d = f[group][m]
            expect(d.shape == shape and d.dtype == np.float64, f"{group}/{m}: {d.shape} {d.dtype}")
            expect(d.attrs.get("units") == UNITS[m], f"{group}/{m} units {d.attrs.get('units')!r}")
            expect(len(d.dims[0]) == 1 and d.dims[0][0].name == "/path", f"{group}/{m} axis 0")
    for m in METRICS:
        expect(f["summary"][m].shape == (5, 3), f"summary/{m} shape")
        expect(f["summary"][m + "_mean"].shape == (3,), f"summary/{m}_mean shape")
        expect(f["summary"][m].attrs.get("units") == UNITS[m], f"summary/{m} units")
    expect(f["target_values"].shape == (N, 2), "target_values shape")
    expect(f["targets"].shape == (2,), "targets shape")


def check_summary(f):
    for m in METRICS:
        x = f["yearly"][m][:]
        q, mean = f["summary"][m][:], f["summary"][m + "_mean"][:]
        for y in range(3):
            col = x[:, y][np.isfinite(x[:, y])]
            want_q = np.quantile(col, [0.05, 0.25, 0.5, 0.75, 0.95]) if col.size else [np.nan] * 5
            want_m = col.mean() if col.size else np.nan
            expect(close(q[:, y], want_q), f"summary/{m} year {YEARS[y]}: {q[:, y]} != {want_q}")
            expect(close(mean[y], want_m), f"summary/{m}_mean year {YEARS[y]}: {mean[y]} != {want_m}")


def wilson(k, n):
    p, z2 = k / n, Z_WILSON ** 2
    d = 1 + z2 / n
    c = (p + z2 / (2 * n)) / d
    h = Z_WILSON * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def check_targets(f):
    rows, tv = f["targets"][:], f["target_values"][:]
    for t, (metric, year, zone, op, value) in enumerate(TARGETS):
        r = rows[t]
        y = YEARS.index(year)
        per_path = (f["yearly"][metric][:, y] if zone is None
                    else f["yearly_zone"][metric][:, y, zone])
        expect(np.array_equal(tv[:, t], per_path, equal_nan=True),
               f"target {t}: target_values differ from the yearly data")
        expect(text(r["metric"]) == metric and int(r["year"]) == year, f"target {t} metric/year")
        expect(text(r["zone"]) == ("" if zone is None else ZONES[zone]), f"target {t} zone")
        expect(text(r["op"]) == op and float(r["value"]) == value, f"target {t} op/value")
        fin = per_path[np.isfinite(per_path)]
        met = (fin >= value) if op == ">=" else (fin <= value)
        p = met.sum() / N
        expect(close(r["p_met"], p), f"target {t}: p_met {r['p_met']} != share {p}")
        lo, hi = wilson(met.sum(), N)
        expect(close(r["p_low"], lo) and close(r["p_high"], hi), f"target {t}: Wilson interval")
        expect(r["p_low"] <= r["p_met"] <= r["p_high"], f"target {t}: p_met outside interval")
        q = np.quantile(fin, [0.05, 0.25, 0.5, 0.75, 0.95])
        got_q = [r[k] for k in ["q05", "q25", "q50", "q75", "q95"]]
        expect(close(got_q, q) and close(r["mean"], fin.mean()), f"target {t}: mean/quantiles")
        gap = np.maximum(0, value - fin) if op == ">=" else np.maximum(0, fin - value)
        expect(close(r["shortfall"], gap.mean()), f"target {t}: shortfall")
        expect(int(r["n_finite"]) == fin.size, f"target {t}: n_finite")


def check_land(f):
    for g in ["yearly_zone", "monthly_zone", "yearly", "monthly"]:
        a, l, c = (f[g][m][:] for m in ["area_ha", "leased_ha", "clean_ha"])
        expect(np.all(l >= -1e-9) and np.all(c >= -1e-9), f"{g}: negative leased or clean land")
        expect(np.all(l + c <= a * (1 + 1e-9)), f"{g}: leased + clean > area")
        occ = f[g]["occupancy"][:]
        expect(np.all((occ >= 0) & (occ <= 1)), f"{g}: occupancy outside [0, 1]")
        expect(close(occ, l / a), f"{g}: occupancy != leased / area")


def check_province_is_sum(f):
    for g in ["yearly", "monthly"]:
        for m in (METRICS if g == "yearly" else MONTHLY):
            if m in ("occupancy", "production_growth"):
                continue
            expect(close(f[g][m][:], f[g + "_zone"][m][:].sum(axis=-1), rtol=1e-9, atol=1e-6),
                   f"{g}/{m} is not the sum over zones")


def check_years_from_months(f):
    year_of = np.array([2025 + (6 + t) // 12 for t in range(30)])
    for g in ["", "_zone"]:
        for m in FLOWS + STOCKS:
            mo, yr = f["monthly" + g][m][:], f["yearly" + g][m][:]
            for y, cal in enumerate(YEARS):
                idx = np.nonzero(year_of == cal)[0]
                want = mo[:, idx].sum(axis=1) if m in FLOWS else mo[:, idx[-1]]
                expect(close(yr[:, y], want, atol=1e-6), f"yearly{g}/{m} {cal} != its months")
    fdi, dom, tot = (f["yearly"][m][:] for m in
                     ["fdi_registered_musd", "domestic_registered_musd", "total_registered_musd"])
    expect(close(tot, fdi + dom), "total_registered != fdi + domestic")
    prod, growth = f["yearly"]["production_musd"][:], f["yearly"]["production_growth"][:]
    prev = np.column_stack([np.full(N, 450.0), prod[:, :-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        want = prod / prev - 1
    expect(close(growth, want), "production_growth != production / previous - 1")


# ---- xarray ----

def check_xarray(path):
    dims = {None: {"path", "year", "zone", "quantile", "month", "target"},
            "yearly": {"path", "year"}, "yearly_zone": {"path", "year", "zone"},
            "summary": {"quantile", "year"}, "monthly": {"path", "month"},
            "monthly_zone": {"path", "month", "zone"}}
    for group, want in dims.items():
        with xr.open_dataset(path, engine="h5netcdf", group=group) as ds:
            expect(set(ds.dims) == want, f"group {group}: dims {set(ds.dims)} != {want}")
            if group is None:
                expect(list(ds["year"].values) == YEARS, "xarray year coordinate")
                expect([text(z) for z in ds["zone"].values] == ZONES, "xarray zone coordinate")
                expect(ds["target_values"].dims == ("path", "target"), "target_values dims")
                continue
            for name, v in ds.data_vars.items():
                expect("units" in v.attrs, f"{group}/{name}: no units attribute")
            if group.endswith("_zone"):
                expect(ds["leased_ha"].dims[-1] == "zone", f"{group}: last axis not zone")
    with xr.open_dataset(path, engine="h5netcdf", group="summary") as ds:
        expect(ds["fdi_registered_musd"].dims == ("quantile", "year"), "summary dims")
        expect(ds["fdi_registered_musd_mean"].dims == ("year",), "summary mean dims")


# ---- other store modes and thread counts give the same numbers ----

def check_same_summary(path_a, path_b):
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        expect(b.attrs["store"] == "summary", "second run is not a summary store")
        expect("yearly" not in b and "yearly_zone" not in b and "monthly" not in b,
               "summary store holds per-path groups")
        for m in METRICS:
            for k in (m, m + "_mean"):
                expect(np.array_equal(a["summary"][k][:], b["summary"][k][:], equal_nan=True),
                       f"summary/{k} differs between -j 2 monthly and -j 1 summary")
        expect(np.array_equal(a["target_values"][:], b["target_values"][:], equal_nan=True),
               "target_values differ between runs")
        ra, rb = a["targets"][:], b["targets"][:]
        for k in ["p_met", "p_low", "p_high", "mean", "q50", "shortfall"]:
            expect(np.array_equal(ra[k], rb[k], equal_nan=True), f"targets.{k} differs between runs")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: read_results.py IPSIM_BIN SOURCE_DIR WORK_DIR")
    binary, _source, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    scen = os.path.join(work, "reader.yaml")
    with open(scen, "w") as fp:
        fp.write(SCENARIO)
    out, out_sum = os.path.join(work, "r.h5"), os.path.join(work, "r_summary.h5")
    for p in (out, out_sum):
        if os.path.exists(p):
            os.remove(p)

    c = Checks()
    c.run("cli run --store monthly -j 2", run_cli, binary, scen, out, "monthly", 2)
    if c.failed:
        return c.summary()
    with h5py.File(out, "r") as f:
        c.run("root attributes", check_root_attrs, f)
        c.run("scenario text", check_scenario_text, f, scen)
        c.run("dimension scales", check_scales, f)
        c.run("shapes and units", check_shapes_units, f)
        c.run("summary vs numpy quantiles", check_summary, f)
        c.run("targets vs per-path data", check_targets, f)
        c.run("land accounting and occupancy", check_land, f)
        c.run("province = sum of zones", check_province_is_sum, f)
        c.run("yearly from monthly", check_years_from_months, f)
    c.run("xarray h5netcdf root and groups", check_xarray, out)
    c.run("cli run --store summary -j 1", run_cli, binary, scen, out_sum, "summary", 1)
    if os.path.exists(out_sum):
        c.run("summary store and -j 1 give the same figures", check_same_summary, out, out_sum)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
