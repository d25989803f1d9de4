/* production.c -- output of operating projects (MODEL.md §4.4).
 *
 * A project started in month s yields K*o*ramp(t-s)*(1+g)^(t/12)/12 with
 * ramp(a) = min(1, (a+1)/R).  Instead of a list of projects, each zone keeps
 *   k_full  capital at full ramp,
 *   ramp_w  capital started in the last R-1 months (still ramping),
 *   ramp_v  the sum over those cohorts of K*(age+1),
 * so production is o*growth(t)*(k_full + ramp_v/R).  A ring buffer of the
 * last R months' starts says which cohort reaches full ramp next; its
 * cursor ring_pos = t % R moves one slot a month (no division in the
 * monthly loop).  Ageing is O(1) per month; every R months the two sums are
 * recomputed from the ring so that rounding from the incremental updates
 * cannot accumulate. */
#include "model.h"

#include <string.h>

void ipsim_production_reset(ipsim_ws *ws)
{
    const ipsim_model *m = ws->m;
    memset(ws->ring, 0, m->ring_total * sizeof *ws->ring);
    for (size_t z = 0; z < m->Z; z++) {
        ws->k_full[z] = m->zones[z].initial_operating_capital_musd;
        ws->ramp_w[z] = 0.0;
        ws->ramp_v[z] = 0.0;
        ws->ring_pos[z] = 0;
    }
}

/* At a month t with t % R == 0, so the cohort of age a is in slot R - a. */
static void resum(ipsim_ws *ws, size_t z, int t, int R)
{
    const double *ring = ws->ring + ws->ring_off[z];
    double w = 0.0, v = 0.0;
    for (int age = 0; age < R - 1 && age <= t; age++) {
        double k = ring[age ? R - age : 0];
        w += k;
        v += k * (double)(age + 1);
    }
    ws->ramp_w[z] = w;
    ws->ramp_v[z] = v;
}

void ipsim_production_age(ipsim_ws *ws, size_t z, int t)
{
    int R = ws->m->zones[z].ramp_months;
    if (R <= 1 || t == 0)
        return;
    double *ring = ws->ring + ws->ring_off[z];
    int pos = ws->ring_pos[z] + 1 == R ? 0 : ws->ring_pos[z] + 1; /* t % R */
    ws->ring_pos[z] = pos;
    /* The cohort started at t-R+1 (slot (t+1) % R) now has age R-1: full ramp. */
    int grad = pos + 1 == R ? 0 : pos + 1;
    double k = ring[grad];
    ring[grad] = 0.0;
    ws->k_full[z] += k;
    if (pos == 0) {
        resum(ws, z, t, R);
    } else {
        ws->ramp_v[z] += ws->ramp_w[z] - k * (double)R;
        ws->ramp_w[z] -= k;
    }
}

/* ipsim_production_start and ipsim_production_month are inline in model.h. */
