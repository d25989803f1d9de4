/* production.c -- output of operating projects (MODEL.md §4.4).
 *
 * A project started in month s yields K*o*ramp(t-s)*(1+g)^(t/12)/12 with
 * ramp(a) = min(1, (a+1)/R).  Instead of a list of projects, each zone keeps
 *   k_full  capital at full ramp,
 *   ramp_w  capital started in the last R-1 months (still ramping),
 *   ramp_v  the sum over those cohorts of K*(age+1),
 * so production is o*growth(t)*(k_full + ramp_v/R).  A ring buffer of the
 * last R months' starts says which cohort reaches full ramp next; its
 * cursor t % R moves one slot a month (no division in the monthly loop).
 * Ageing is O(1) per month; every R months the two sums are recomputed
 * from the ring so that rounding from the incremental updates cannot
 * accumulate.
 *
 * Zones are aged a run at a time: a run is consecutive zones (file order)
 * with the same R, whose rings are one block [R][run length], slot-major,
 * and share one cursor.  Ageing a run is then one pass over contiguous
 * arrays with no per-zone R, cursor or branch; most scenarios are one run
 * (R defaults to 12). */
#include "model.h"

#include <string.h>

/* Zone z's ring length: R, or T + 1 where R > T.  A cohort reaches full
 * ramp at age R - 1, which past the horizon it never does: the ring then
 * never wraps, and its graduating slot (still empty) is all it reads, as
 * with R slots; while R slots would be 16 GB a thread for R = 2^31 - 1. */
static int ring_len(const ipsim_model *m, size_t z)
{
    int R = m->zones[z].ramp_months;
    return R > m->T ? m->T + 1 : R;
}

size_t ipsim_production_runs(const ipsim_model *m, ipsim_ramp_run *runs, size_t *zone_run)
{
    size_t n = 0, off = 0;
    for (size_t z = 0; z < m->Z; z++) {
        int R = ring_len(m, z);
        if (z == 0 || R != ring_len(m, z - 1)) {
            if (runs)
                runs[n] = (ipsim_ramp_run){.first = z, .len = 0, .R = R, .ring_off = off};
            n++;
        }
        if (runs)
            runs[n - 1].len++;
        if (zone_run)
            zone_run[z] = n - 1;
        off += (size_t)R;
    }
    return n;
}

void ipsim_production_reset(ipsim_ws *ws)
{
    const ipsim_model *m = ws->m;
    memset(ws->ring, 0, m->ring_total * sizeof *ws->ring);
    for (size_t z = 0; z < m->Z; z++) {
        ws->k_full[z] = m->zones[z].initial_operating_capital_musd;
        ws->ramp_w[z] = 0.0;
        ws->ramp_v[z] = 0.0;
    }
    for (size_t r = 0; r < m->n_ramp_runs; r++)
        ws->ring_pos[r] = 0;
}

/* Month t with t % R == 0, zones z0 .. z0+n-1 of a run whose rings are
 * ring[slot * n + i]: the cohort of age a is in slot R - a.  Each zone's
 * sums add its cohorts from age 0 up, a slot (a contiguous row of the
 * run's zones) at a time, so that the zones' sums are SIMD lanes. */
static void resum(ipsim_ws *ws, const double *ring, size_t z0, size_t n, int t, int R)
{
    double *restrict w = ws->ramp_w + z0, *restrict v = ws->ramp_v + z0;
    for (size_t i = 0; i < n; i++)
        w[i] = v[i] = 0.0;
    for (int age = 0; age < R - 1 && age <= t; age++) {
        const double *restrict k = ring + (size_t)(age ? R - age : 0) * n;
        double a = (double)(age + 1);
        for (size_t i = 0; i < n; i++) {
            w[i] += k[i];
            v[i] += k[i] * a;
        }
    }
}

void ipsim_production_age(ipsim_ws *ws, int t)
{
    const ipsim_model *m = ws->m;
    for (size_t r = 0; t > 0 && r < m->n_ramp_runs; r++) {
        const ipsim_ramp_run *run = &m->ramp_runs[r];
        int R = run->R;
        if (R <= 1)
            continue;
        size_t n = run->len, z0 = run->first;
        double *ring = ws->ring + run->ring_off;
        int pos = ws->ring_pos[r] + 1 == R ? 0 : ws->ring_pos[r] + 1; /* t % R */
        ws->ring_pos[r] = pos;
        /* The cohort started at t-R+1 (slot (t+1) % R) now has age R-1:
         * full ramp. */
        double *grad = ring + (size_t)(pos + 1 == R ? 0 : pos + 1) * n;
        double *restrict k_full = ws->k_full + z0, *restrict w = ws->ramp_w + z0,
                         *restrict v = ws->ramp_v + z0;
        for (size_t i = 0; i < n; i++) {
            double k = grad[i];
            grad[i] = 0.0;
            k_full[i] += k;
            if (pos != 0) { /* the same for the whole run: hoisted out */
                v[i] += w[i] - k * (double)R;
                w[i] -= k;
            }
        }
        if (pos == 0)
            resum(ws, ring, z0, n, t, R);
    }
}

/* Zone z's ring slot for this month's starts (t % R), or NULL where R = 1. */
static double *slot_of(ipsim_ws *ws, const ipsim_ramp_run *run, size_t r, size_t z)
{
    if (run->R <= 1)
        return NULL;
    return ws->ring + run->ring_off + (size_t)ws->ring_pos[r] * run->len + (z - run->first);
}

/* Starts in zones z0 .. z0+n-1 of run r, zone z0 + i starting
 * capital[i * stride]: at full ramp at once where R = 1, else into the
 * month's ring slot and the ramping sums, in one pass over contiguous
 * rows that the compiler may vectorise (restrict: the ring, the sums and
 * the capital, a calendar row, are separate arrays). */
static void start_ramping(double *restrict slot, double *restrict w, double *restrict v,
                          const double *restrict capital, size_t stride, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double k = capital[i * stride];
        slot[i] += k;
        w[i] += k;
        v[i] += k;
    }
}

static void start_zones(ipsim_ws *ws, size_t r, size_t z0, size_t n, const double *capital,
                        size_t stride)
{
    double *slot = slot_of(ws, &ws->m->ramp_runs[r], r, z0);
    if (!slot) {
        for (size_t i = 0; i < n; i++)
            ws->k_full[z0 + i] += capital[i * stride];
        return;
    }
    start_ramping(slot, ws->ramp_w + z0, ws->ramp_v + z0, capital, stride, n);
}

void ipsim_production_start(ipsim_ws *ws, size_t z, double capital)
{
    start_zones(ws, ws->m->zone_run[z], z, 1, &capital, 0);
}

void ipsim_production_start_all(ipsim_ws *ws, const double *capital, size_t stride)
{
    const ipsim_model *m = ws->m;
    for (size_t r = 0; r < m->n_ramp_runs; r++) {
        const ipsim_ramp_run *run = &m->ramp_runs[r];
        start_zones(ws, r, run->first, run->len, capital + run->first * stride, stride);
    }
}

/* ipsim_production_month is inline in model.h. */
