#!/usr/bin/python3
"""check_json.py -- reads ipsim-bench's output on stdin and checks that every
JSON line parses and has every field its configuration must have (ctest
bench_smoke).  Prints "N passed, N failed"; exit status 1 on any failure."""
import json
import math
import sys

SPREAD = ("median", "min", "max")
FIELDS = {
    "run": {"scenario": str, "zones": int, "months": int, "paths": int, "store": str,
            "threads": int, "reps": int, "warmup": int, "wall_s": SPREAD, "simulate_s": SPREAD,
            "write_s": SPREAD, "write_busy_s": SPREAD, "finish_s": SPREAD, "peak_rss_kib": SPREAD,
            "zone_months_per_s": float, "paths_per_s": float, "ns_per_zone_month": float,
            "efficiency": float, "simulate_share": float, "write_share": float,
            "write_busy_share": float, "finish_share": float, "load_start": str, "load_end": str,
            "cpu": str, "efficiency_rounds": SPREAD, "cpu_s": SPREAD, "cpu_over_1thread": SPREAD,
            "cores_busy": float, "direct_bytes": int},
    "floor_ipsim": {"scenario": str, "paths": int, "threads": int, "reps": int, "warmup": int,
                    "ns_per_zone_month": SPREAD, "draws": dict, "run_draws": dict,
                    "run_ns_per_zone_month": float, "simulate_ns_per_zone_month": float,
                    "run_over_floor": float, "simulate_over_floor": float,
                    "run_over_floor_rounds": SPREAD, "simulate_over_floor_rounds": SPREAD},
    "floor_numpy": {"numpy": str, "python": str, "bit_generator": str, "block_zone_months": int,
                    "reps": int, "warmup": int, "ns_per_zone_month": SPREAD,
                    "draws_per_block": dict, "run_ns_per_zone_month": float,
                    "simulate_ns_per_zone_month": float, "floor_over_run": float,
                    "floor_over_simulate": float},
    "side_by_side": {"scenario": str, "runs": int, "threads": int, "paths": int, "reps": int,
                     "warmup": int, "wall_s": SPREAD, "simulate_s": SPREAD, "paths_per_s": float,
                     "efficiency": float, "cpu": str, "efficiency_rounds": SPREAD,
                     "cpu_s": SPREAD, "cpu_over_1thread": SPREAD, "cores_busy": float},
    "memory": {"scenario": str, "store": str, "threads": int, "paths": list,
               "peak_rss_kib": list, "wall_s": list, "growth": float},
}

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def positive(v):
    return isinstance(v, (int, float)) and math.isfinite(v) and v > 0


seen = {}
max_threads = 0
for line in sys.stdin:
    if not line.startswith("{"):
        continue
    try:
        obj = json.loads(line)
    except ValueError as e:
        check(False, "JSON line does not parse: %s: %s" % (e, line.strip()))
        continue
    cfg = obj.get("config")
    check(cfg in FIELDS, "unknown config %r" % cfg)
    if cfg not in FIELDS:
        continue
    seen[cfg] = seen.get(cfg, 0) + 1
    for key, kind in FIELDS[cfg].items():
        v = obj.get(key)
        if kind == SPREAD:
            ok = isinstance(v, dict) and all(positive(v.get(k)) or (key == "write_s" and v.get(k) == 0)
                                             for k in SPREAD) and v["min"] <= v["median"] <= v["max"]
        elif kind is float:
            ok = isinstance(v, (int, float)) and math.isfinite(v)
        elif kind is int:
            ok = isinstance(v, int) and v >= 0
        else:
            ok = isinstance(v, kind) and len(v) > 0
        check(ok, "%s: field %s is %r" % (cfg, key, v))
    if cfg == "run":
        max_threads = max(max_threads, obj.get("threads", 0))
        if obj.get("threads") == 1:
            check(obj.get("cpu_over_1thread") == {"median": 1, "min": 1, "max": 1},
                  "the 1-thread run's CPU over its own: %r" % obj.get("cpu_over_1thread"))
    if cfg in ("run", "side_by_side"):
        # computing threads plus, for each run, the writer thread
        cores = obj.get("threads", 0) if cfg == "run" else obj.get("runs", 0)
        check(positive(obj.get("cores_busy")) and obj["cores_busy"] <= 2 * cores,
              "%s: cores busy %r for %r cores" % (cfg, obj.get("cores_busy"), cores))
    if cfg == "side_by_side":
        check(obj["runs"] == max_threads, "side by side: %r runs, %r threads" % (obj["runs"], max_threads))
    if cfg == "floor_ipsim":
        # the floor draws exactly what the run drew
        check(obj["draws"].get("projects", 0) > 0, "the floor drew no project")
        for k, n in obj["run_draws"].items():
            check(obj["draws"].get(k) == n, "floor draws %s: %r, run %r" % (k, obj["draws"].get(k), n))

check(seen.get("run", 0) >= 1, "no run line")
check(seen.get("floor_ipsim", 0) == 1, "no ipsim floor line")
# N one-thread runs side by side whenever N > 1 threads were measured
check(seen.get("side_by_side", 0) == (max_threads > 1), "side by side lines: %r" % seen.get("side_by_side"))
check(seen.get("floor_numpy", 0) == 1, "no NumPy floor line")
check(seen.get("memory", 0) == 1, "no memory line")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
