#!/usr/bin/python3
"""examples.py -- the Python side of a results file, as the README shows it.

Usage: examples.py IPSIM_BIN SOURCE_DIR WORK_DIR

Runs a small scenario through the CLI (--store yearly and --store summary),
then checks that xarray (engine="h5netcdf") opens the root and every group
with named dimensions and units, and that examples/read_results.py's pandas
tables hold exactly the file's numbers and its script prints them.
The last line says how many checks passed and failed.
"""
import importlib.util
import os
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr

from checklib import Checks, expect

N = 60
ZONES = ["North <Park>", "South & Co"]
SCENARIO = """\
ipsim: 1
name: examples check
start: "2025-04"
horizon_months: 30
seed: 11
macro: {sigma: 0.2}
defaults: {capital_per_ha_musd: 4, fdi_capital_median_musd: 8, domestic_capital_median_musd: 2}
zones:
  - {name: "North <Park>", area_ha: 400, leased_ha: 100, clean_ha: 80, clearance_ha_per_year: 30,
     projects_per_year: 10, initial: {operating_capital_musd: 200}}
  - {name: "South & Co", area_ha: 200, clean_ha: 40, projects_per_year: 5}
targets:
  - {name: FDI 2026, metric: fdi_registered_musd, year: 2026, op: ">=", value: 40}
  - {name: South occupancy, metric: occupancy, year: 2027, op: ">=", value: 0.2, zone: "South & Co"}
"""


def load_example(source):
    spec = importlib.util.spec_from_file_location(
        "read_results_example", os.path.join(source, "examples", "read_results.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def check_xarray(fn):
    with h5py.File(fn, "r") as f:
        years = list(f["year"][:])
        units = {m: f["yearly"][m].attrs["units"] for m in f["yearly"]}
    with xr.open_dataset(fn, engine="h5netcdf") as root:
        expect({"path", "year", "zone", "quantile", "target"} <= set(root.dims),
               f"root dims {set(root.dims)}")
        expect(list(root["year"].values) == years, "root year coordinate")
        expect([str(z) for z in root["zone"].values] == ZONES, "root zone coordinate")
    want = {"yearly": ("path", "year"), "yearly_zone": ("path", "year", "zone"),
            "summary": ("quantile", "year")}
    for group, dims in want.items():
        with xr.open_dataset(fn, engine="h5netcdf", group=group) as ds:
            v = ds["production_musd"]
            expect(v.dims == dims, f"{group}/production_musd dims {v.dims} != {dims}")
            expect(v.attrs.get("units") == "musd", f"{group}/production_musd units")
            for name, var in ds.data_vars.items():
                expect(var.attrs.get("units") == units[name.removesuffix("_mean")],
                       f"{group}/{name} units {var.attrs.get('units')!r}")


def check_open_group(ex, fn):
    ds = ex.open_group(fn, "yearly_zone")
    try:
        expect(ds["occupancy"].dims == ("path", "year", "zone"), "yearly_zone dims")
        zone = ds["occupancy"].sel(zone="South & Co", year=2027)
        with h5py.File(fn, "r") as f:
            y = list(f["year"][:]).index(2027)
            want = f["yearly_zone/occupancy"][:, y, 1]
        expect(np.array_equal(zone.values, want), ".sel(zone=, year=) on open_group")
    finally:
        ds.close()


def check_targets(ex, fn):
    t = ex.targets(fn)
    with h5py.File(fn, "r") as f:
        rows = f["targets"][:]
    expect(len(t) == 2 and list(t["name"]) == ["FDI 2026", "South occupancy"], f"names {list(t['name'])}")
    expect(list(t["zone"]) == ["", "South & Co"], "zone column decoded")
    for k in ["p_met", "p_low", "p_high", "mean", "q05", "q50", "q95", "shortfall"]:
        expect(np.array_equal(t[k].to_numpy(), rows[k]), f"targets column {k}")


def check_summary(ex, fn):
    s = ex.summary(fn)
    with h5py.File(fn, "r") as f:
        years = f["year"][:]
        for m in ["occupancy", "production_musd", "lost_projects"]:
            for yi, y in enumerate(years):
                expect(s.loc[(y, "mean"), m] == f["summary"][m + "_mean"][yi], f"{m} {y} mean")
                for qi, q in enumerate(ex.QUANTILE_NAMES):
                    expect(s.loc[(y, q), m] == f["summary"][m][qi, yi], f"{m} {y} {q}")
        expect(s.attrs["units"]["production_musd"] == "musd", "summary units")


def check_yearly(ex, fn):
    y, z = ex.yearly(fn), ex.yearly_zone(fn)
    with h5py.File(fn, "r") as f:
        n_years = len(f["year"])
        expect(y.shape == (N * n_years, len(f["yearly"])), f"yearly shape {y.shape}")
        expect(z.shape == (N * n_years * 2, len(f["yearly_zone"])), f"yearly_zone shape {z.shape}")
        years = f["year"][:]
        for m in ["fdi_registered_musd", "leased_ha"]:
            a = f["yearly"][m][:]
            expect(y.loc[(7, years[1]), m] == a[7, 1], f"yearly {m} path 7")
            b = f["yearly_zone"][m][:]
            expect(z.loc[(N - 1, years[-1], ZONES[1]), m] == b[N - 1, -1, 1], f"yearly_zone {m}")
    expect(y.attrs["units"]["leased_ha"] == "ha", "yearly units")


def check_script(source, fn, per_path):
    p = subprocess.run([sys.executable, os.path.join(source, "examples", "read_results.py"), fn],
                       capture_output=True, text=True, timeout=120)
    expect(p.returncode == 0, f"read_results.py exit {p.returncode}: {p.stderr}")
    for s in ["examples check", "FDI 2026", "South occupancy", "production_musd", "2027"]:
        expect(s in p.stdout, f"'{s}' not in the script's output")
    expect(("(not stored" in p.stdout) != per_path, "per-path section")


def run_cli(binary, scen, out, store):
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([binary, "run", scen, "-n", str(N), "-j", "2", "-o", out, "--quiet",
                        "--store", store], capture_output=True, text=True, timeout=300)
    expect(p.returncode == 0 and os.path.exists(out), f"ipsim run: {p.returncode} {p.stderr}")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: examples.py IPSIM_BIN SOURCE_DIR WORK_DIR")
    binary, source, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    scen = os.path.join(work, "examples.yaml")
    with open(scen, "w") as fp:
        fp.write(SCENARIO)
    fn, fn_sum = os.path.join(work, "yearly.h5"), os.path.join(work, "summary.h5")
    c = Checks()
    c.run("run --store yearly", run_cli, binary, scen, fn, "yearly")
    c.run("run --store summary", run_cli, binary, scen, fn_sum, "summary")
    if c.failed:
        return c.summary()
    ex = load_example(source)
    c.run("xarray opens root and groups with dims and units", check_xarray, fn)
    c.run("open_group gives coordinates", check_open_group, ex, fn)
    c.run("targets DataFrame", check_targets, ex, fn)
    c.run("summary DataFrame", check_summary, ex, fn)
    c.run("yearly DataFrames", check_yearly, ex, fn)
    c.run("script on a yearly file", check_script, source, fn, True)
    c.run("script on a summary file", check_script, source, fn_sum, False)
    c.run("no per-path tables in a summary file",
          lambda: expect(ex.yearly(fn_sum) is None and ex.yearly_zone(fn_sum) is None, "not None"))
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
