#!/usr/bin/python3
"""read_results.py -- an ipsim results file as pandas DataFrames and xarray.

usage: /usr/bin/python3 examples/read_results.py RESULTS.h5

Prints the target table, the province's yearly summary (mean and quantiles of
every metric, from summary/) and the first rows of the per-path yearly table.
Needs Debian's python3 with python3-h5py, python3-pandas and python3-xarray.
The functions below are meant to be imported or copied:

    targets(fn)          one row per target: name, metric, year, zone, op, value,
                         p_met, p_low, p_high, mean, q05 ... q95, shortfall
    summary(fn)          index (year, stat), stat = mean, q05, q25, q50, q75, q95;
                         one column per metric
    yearly(fn)           index (path, year), one column per metric (province)
    yearly_zone(fn)      index (path, year, zone), one column per metric
    open_group(fn, g)    xarray Dataset of group g with the root's coordinates

Every DataFrame carries the metrics' units in .attrs["units"].
"""
import sys

import h5py
import numpy as np
import pandas as pd
import xarray as xr

QUANTILE_NAMES = ["q05", "q25", "q50", "q75", "q95"]


def _text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _units(group):
    return {k: _text(d.attrs.get("units", "")) for k, d in group.items()}


def targets(fn):
    """The targets table, strings decoded; empty when there are no targets."""
    with h5py.File(fn, "r") as f:
        if "targets" not in f:
            return pd.DataFrame()
        rows = f["targets"][:]
    df = pd.DataFrame({k: rows[k] for k in rows.dtype.names})
    for k in df.columns:
        if df[k].dtype == object:
            df[k] = df[k].map(_text)
    return df


def summary(fn):
    """Province mean and quantiles per year, from summary/ (always present)."""
    with h5py.File(fn, "r") as f:
        years, g = f["year"][:], f["summary"]
        metrics = sorted(k for k in g if not k.endswith("_mean"))
        cols = {}
        for m in metrics:
            block = np.vstack([g[m + "_mean"][:], g[m][:]])  # [stat, year]
            cols[m] = block.T.reshape(-1)
        units = {m: _text(g[m].attrs.get("units", "")) for m in metrics}
    idx = pd.MultiIndex.from_product([years, ["mean"] + QUANTILE_NAMES], names=["year", "stat"])
    df = pd.DataFrame(cols, index=idx)
    df.attrs["units"] = units
    return df


def _per_path(fn, group):
    with h5py.File(fn, "r") as f:
        if group not in f:
            return None  # --store summary keeps no per-path data
        g = f[group]
        axes = [f["path"][:], f["year"][:]]
        names = ["path", "year"]
        if group.endswith("_zone"):
            axes.append([_text(z) for z in f["zone"][:]])
            names.append("zone")
        data = {m: g[m][:].reshape(-1) for m in sorted(g)}
        units = _units(g)
    df = pd.DataFrame(data, index=pd.MultiIndex.from_product(axes, names=names))
    df.attrs["units"] = units
    return df


def yearly(fn):
    """Per-path province values, index (path, year); None without yearly/."""
    return _per_path(fn, "yearly")


def yearly_zone(fn):
    """Per-path zone values, index (path, year, zone); None without yearly_zone/."""
    return _per_path(fn, "yearly_zone")


def open_group(fn, group):
    """xarray Dataset of one group, with the root's dimension scales (year,
    zone, month, quantile, path) as its coordinates."""
    root = xr.open_dataset(fn, engine="h5netcdf")
    ds = xr.open_dataset(fn, engine="h5netcdf", group=group)
    coords = {d: root[d].values for d in ds.dims if d in root.coords}
    root.close()
    return ds.assign_coords(coords)


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: read_results.py RESULTS.h5")
    fn = argv[1]
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    with h5py.File(fn, "r") as f:
        print(f"{_text(f.attrs['scenario_name'])}: {int(f.attrs['paths'])} paths, "
              f"seed {int(f.attrs['seed'])}, store {_text(f.attrs.get('store', '?'))}")

    t = targets(fn)
    print("\n== targets ==")
    if t.empty:
        print("(no targets)")
    else:
        print(t[["name", "metric", "year", "zone", "op", "value", "p_met", "p_low", "p_high",
                 "q05", "q50", "q95", "shortfall"]].to_string(index=False))

    s = summary(fn)
    print("\n== province, yearly medians (summary/, q50) ==")
    cols = ["occupancy", "fdi_registered_musd", "total_registered_musd", "production_musd",
            "lost_projects"]
    med = s.xs("q50", level="stat")[cols]
    print(med.to_string())
    print("units:", {c: s.attrs["units"][c] for c in cols})

    y = yearly(fn)
    print("\n== per-path yearly values (first rows) ==")
    print("(not stored: run with --store yearly or monthly)" if y is None
          else y[cols].head(8).to_string())

    if y is not None:
        ds = open_group(fn, "yearly")
        first = int(ds["year"][0])
        fdi = ds["fdi_registered_musd"].sel(year=first)
        print(f"\nxarray: yearly/fdi_registered_musd dims {fdi.dims}, {first} mean "
              f"{float(fdi.mean()):.6g} {ds['fdi_registered_musd'].attrs['units']}")
        ds.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
