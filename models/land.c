/* land.c -- the land of each zone: expansion phases, site clearance, and
 * where an arriving project is placed (MODEL.md §4.2a-b, §4.3, §11.1-2).
 *
 * Invariant, every month: L + C + U = A with L, C, U >= 0.  Every change
 * moves hectares between two of the three, so conservation holds by
 * construction; min() and the fit test keep each one non-negative. */
#include "model.h"

void ipsim_land_prepare(ipsim_model *m, size_t z)
{
    const ipsim_zone *zp = &m->zones[z];
    ipsim_zone_draws *d = &m->draws[z];
    double kappa = zp->clearance_ha_per_year, c = zp->clearance_cv;
    d->clear_drawn = kappa > 0.0 && c > 0.0;
    if (d->clear_drawn) {
        ipsim_variates_gamma_prep(&d->clear_shape, 1.0 / (c * c));
        d->clear_scale = kappa / 12.0 * c * c;
    }
}

void ipsim_land_reset(ipsim_ws *ws)
{
    const ipsim_model *m = ws->m;
    for (size_t z = 0; z < m->Z; z++) {
        const ipsim_zone *zp = &m->zones[z];
        ws->A[z] = zp->area_ha;
        ws->L[z] = zp->leased_ha;
        ws->C[z] = zp->clean_ha;
        ws->U[z] = zp->area_ha - zp->leased_ha - zp->clean_ha;
        if (ws->U[z] < 0.0) /* rounding only: the reader rejects L + C > A */
            ws->U[z] = 0.0;
        ws->exp_next[z] = 0;
        ws->exp_due[z] = -1;
    }
}

static void expansion_apply(ipsim_ws *ws, size_t z)
{
    const ipsim_expansion *e = &ws->m->zones[z].expansions[ws->exp_next[z]];
    ws->A[z] += e->ha;
    ws->U[z] += e->ha;
    ws->exp_next[z]++;
    ws->exp_due[z] = -1;
}

/* One phase at a time, in order: a pending phase blocks the next, and the
 * month a phase is applied no other phase may trigger (§11.1). */
void ipsim_land_expand(ipsim_ws *ws, size_t z, int t)
{
    const ipsim_zone *zp = &ws->m->zones[z];
    if (ws->exp_due[z] >= 0) {
        if (ws->exp_due[z] <= t)
            expansion_apply(ws, z);
        return;
    }
    if ((size_t)ws->exp_next[z] >= zp->n_expansions)
        return;
    const ipsim_expansion *e = &zp->expansions[ws->exp_next[z]];
    if (ws->L[z] / ws->A[z] >= e->threshold) {
        ws->exp_due[z] = t + e->delay_months;
        if (ws->exp_due[z] <= t)
            expansion_apply(ws, z);
    }
}

void ipsim_land_clear(ipsim_ws *ws, size_t z, int t)
{
    const ipsim_zone *zp = &ws->m->zones[z];
    const ipsim_zone_draws *d = &ws->m->draws[z];
    double kappa = zp->clearance_ha_per_year;
    if (!(kappa > 0.0) || !(ws->U[z] > 0.0))
        return;
    double x;
    if (!d->clear_drawn) {
        x = kappa / 12.0;
    } else {
        ipsim_stream_at(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_CLEARANCE, 0);
        x = d->clear_scale * ipsim_variates_gamma(&ws->st, &d->clear_shape);
        ws->draws[IPSIM_P_CLEARANCE]++;
    }
    double cleared = x < ws->U[z] ? x : ws->U[z];
    ws->U[z] -= cleared;
    ws->C[z] += cleared;
}

int ipsim_land_fits(const ipsim_ws *ws, size_t z, int t, const ipsim_project *p)
{
    if (!(ws->C[z] >= p->land))
        return 0;
    return !p->needs_wwtp || ws->m->wwtp_from[z] <= t;
}

/* The fitting zone with the most clean land is the WWTP-eligible zone
 * with the most clean land, if that one has room: one pass, no call. */
long ipsim_land_host(const ipsim_ws *ws, size_t z, int t, const ipsim_project *p)
{
    if (ipsim_land_fits(ws, z, t, p))
        return (long)z;
    if (!p->redirect)
        return -1;
    const double *C = ws->C;
    const int *wwtp_from = ws->m->wwtp_from;
    long best = -1;
    double most = -1.0;
    for (size_t w = 0; w < ws->m->Z; w++) {
        /* strict > keeps the first zone in file order on ties */
        if (C[w] > most && w != z && (!p->needs_wwtp || wwtp_from[w] <= t)) {
            most = C[w];
            best = (long)w;
        }
    }
    return best >= 0 && most >= p->land ? best : -1;
}

/* ipsim_land_take and ipsim_land_return are inline in model.h. */
