#!/usr/bin/python3
"""numpy_draws.py -- the NumPy draw floor of ipsim-bench (docs/performance.md).

What vectorised NumPy would need just to draw the random numbers of an
ipsim run, before any model work: the same mix of draws per zone-month as
the run made (macro normals, Poisson counts, clearance gammas and, per
arriving project, four Bernoullis, two lognormals and a lag gamma), drawn
with numpy.random.Generator(numpy.random.Philox(seed)) in blocks of 10^6
zone-months.  ipsim-bench passes the run's draw counts; the script scales
them to one block, times warm-up + measured blocks and prints one JSON line
with the ns per zone-month (median, min, max).

Run it with Debian's /usr/bin/python3 (python3-numpy).
"""
import argparse
import json
import math
import platform
import time

import numpy as np


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--zone-months", type=float, required=True, help="zone-months of the run")
    p.add_argument("--macro", type=float, default=0, help="macro normals the run drew")
    p.add_argument("--count", type=float, default=0, help="Poisson counts the run drew")
    p.add_argument("--count-mean", type=float, default=1.0, help="their mean")
    p.add_argument("--clearance", type=float, default=0, help="clearance gammas the run drew")
    p.add_argument("--clearance-shape", type=float, default=4.0)
    p.add_argument("--projects", type=float, default=0, help="arriving projects")
    p.add_argument("--lags", type=float, default=0, help="lag gammas (projects with a random lag)")
    p.add_argument("--lag-shape", type=float, default=4.0)
    p.add_argument("--block", type=int, default=10**6, help="zone-months per block")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--seed", type=int, default=20250101)
    return p.parse_args()


def per_block(n, a):
    return int(round(n * a.block / a.zone_months))


def draw_block(g, a):
    n_count, n_proj, n_lags = per_block(a.count, a), per_block(a.projects, a), per_block(a.lags, a)
    g.standard_normal(per_block(a.macro, a))                  # macro eps_t
    g.poisson(np.full(n_count, a.count_mean))                 # N per zone-month
    if a.clearance_shape > 0:
        g.gamma(a.clearance_shape, 1.0, per_block(a.clearance, a))  # clearance X
    u = g.random((4, n_proj))                                 # fdi, wwtp, abandon, redirect
    fdi = u[0] < 0.45
    capital = g.lognormal(np.where(fdi, math.log(10.0), math.log(3.0)), 1.2)
    intensity = g.lognormal(math.log(8.0), 0.5, n_proj)
    land = capital / intensity
    if a.lag_shape > 0:
        lag = np.maximum(1.0, np.ceil(g.gamma(a.lag_shape, 4.5, n_lags)))
    return land


def main():
    a = parse()
    g = np.random.Generator(np.random.Philox(a.seed))
    times = []
    for i in range(a.warmup + a.reps):
        t0 = time.perf_counter()
        draw_block(g, a)
        dt = time.perf_counter() - t0
        if i >= a.warmup:
            times.append(1e9 * dt / a.block)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    print(json.dumps({
        "config": "floor_numpy", "numpy": np.__version__, "python": platform.python_version(),
        "bit_generator": "Philox", "block_zone_months": a.block, "reps": n, "warmup": a.warmup,
        "ns_per_zone_month": {"median": med, "min": times[0], "max": times[-1]},
        "draws_per_block": {"macro": per_block(a.macro, a), "count": per_block(a.count, a),
                            "clearance": per_block(a.clearance, a),
                            "projects": per_block(a.projects, a), "lags": per_block(a.lags, a)},
    }))


if __name__ == "__main__":
    main()
