/* floor.c -- ipsim's draw floor (see bench.h): the cost of a run's random
 * draws alone, to measure how lean the model's bookkeeping is. */
#include "bench.h"

#include <stdlib.h>
#include <time.h>

#include "model.h"

const char *const bench_kind_names[BENCH_NKINDS] = {"macro", "count", "clearance", "projects",
                                                    "lags"};

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

bench_spread bench_spread_of(double *x, size_t n)
{
    bench_spread s = {0, 0, 0};
    if (n == 0)
        return s;
    qsort(x, n, sizeof *x, cmp_double);
    s.min = x[0];
    s.max = x[n - 1];
    s.median = n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
    return s;
}

/* The zone-months of one path that could draw a clearance. */
static uint64_t clearable(const ipsim_model *m)
{
    uint64_t n = 0;
    for (size_t z = 0; z < m->Z; z++)
        n += m->draws[z].clear_drawn ? (uint64_t)m->T : 0;
    return n;
}

static void floor_paths(ipsim_ws *ws, uint64_t seed, size_t paths, uint64_t clearances,
                        uint64_t counts[BENCH_NKINDS], volatile double *sink)
{
    const ipsim_model *m = ws->m;
    /* Bresenham: each eligible zone-month adds `clearances` to `due` and
     * draws once `due` reaches `eligible`, so exactly `clearances` draws
     * are spread evenly (clearances <= eligible). */
    uint64_t eligible = clearable(m) * (uint64_t)paths, due = 0;
    double acc = 0.0;
    ipsim_error err;
    for (size_t p = 0; p < paths; p++) {
        ipsim_stream_set_path(&ws->st, seed, p);
        ipsim_demand_reset(ws);
        for (int t = 0; t < m->T; t++) {
            double macro = ipsim_demand_macro(ws, t);
            acc += macro;
            size_t n = 0;
            for (size_t z = 0; z < m->Z; z++)
                if (m->draws[z].clear_drawn && (due += clearances) >= eligible) {
                    due -= eligible;
                    ws->clear_zone[n++] = z;
                }
            ipsim_land_clear_draws(ws, t, ws->clear_zone, n, ws->clear_x);
            for (size_t k = 0; k < n; k++)
                acc += ws->clear_x[k];
            if (ipsim_demand_month(ws, t, macro, &err) != IPSIM_OK)
                continue; /* the run failed the same way */
            while ((n = ipsim_demand_next(ws, t)) > 0)
                for (size_t k = 0; k < n; k++) {
                    const ipsim_project *pr = &ws->chunk[k];
                    acc += pr->land + pr->capital + pr->lag + pr->fdi + pr->needs_wwtp +
                           pr->abandon + pr->redirect;
                    counts[BENCH_LAGS] += m->draws[ws->chunk_zone[k]].lag_fixed == 0;
                }
        }
    }
    *sink = acc;
    counts[BENCH_MACRO] = ws->draws[IPSIM_P_MACRO];
    counts[BENCH_COUNT] = ws->draws[IPSIM_P_COUNT];
    counts[BENCH_CLEARANCE] = ws->draws[IPSIM_P_CLEARANCE];
    counts[BENCH_PROJECTS] = ws->draws[IPSIM_P_PROJECT];
}

int bench_floor(const ipsim_scenario *scn, uint64_t seed, size_t paths, uint64_t clearances,
                uint64_t counts[BENCH_NKINDS], double *seconds, ipsim_error *err)
{
    ipsim_model m;
    ipsim_ws ws;
    volatile double sink;
    int rc = ipsim_model_init(&m, scn, err);
    if (rc != IPSIM_OK)
        return rc;
    rc = ipsim_ws_alloc(&ws, &m, err);
    if (rc == IPSIM_OK) {
        for (int k = 0; k < BENCH_NKINDS; k++)
            counts[k] = 0;
        double t0 = bench_now();
        floor_paths(&ws, seed, paths, clearances, counts, &sink);
        *seconds = bench_now() - t0;
        ipsim_ws_free(&ws);
    }
    ipsim_model_free(&m);
    return rc;
}
