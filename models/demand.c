/* demand.c -- who arrives: the macro factor, monthly arrival counts and the
 * seven draws of each arriving project (MODEL.md §4.1, §4.3).
 *
 * Each draw comes from its own keyed stream (stream.h), so the draws are
 * the same in any scenario that makes them: a policy changes what happens
 * to a project, never which project arrives. */
#include "model.h"

#include <math.h>

#include <gsl/gsl_randist.h>

void ipsim_demand_reset(ipsim_ws *ws)
{
    ws->macro_m = 0.0;
}

double ipsim_demand_macro(ipsim_ws *ws, int t)
{
    const ipsim_model *m = ws->m;
    if (m->macro_shock_sd == 0.0)
        return 1.0;
    gsl_rng *r = ipsim_stream_at(&ws->st, 0, (uint32_t)t, IPSIM_P_MACRO, 0);
    double eps = gsl_ran_gaussian_ziggurat(r, 1.0);
    ws->macro_m = m->macro_phi * ws->macro_m + m->macro_shock_sd * eps;
    return exp(ws->macro_m - m->macro_half_var[t]);
}

unsigned ipsim_demand_count(ipsim_ws *ws, size_t z, int t, double macro)
{
    const ipsim_model *m = ws->m;
    double mu = m->zones[z].projects_per_year / 12.0 * m->attr[z * (size_t)m->T + (size_t)t] * macro;
    if (!(mu > 0.0))
        return 0;
    gsl_rng *r = ipsim_stream_at(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_COUNT, 0);
    return gsl_ran_poisson(r, mu);
}

/* A stream per draw: (zone, month, purpose, project index). */
static gsl_rng *draw(ipsim_ws *ws, size_t z, int t, int purpose, unsigned i)
{
    return ipsim_stream_at(&ws->st, (uint32_t)z, (uint32_t)t, (uint32_t)purpose, i);
}

static int lag_months(ipsim_ws *ws, const ipsim_zone *zp, size_t z, int t, unsigned i)
{
    double mu = zp->months_to_operation, cv = zp->months_to_operation_cv;
    double g;
    if (cv == 0.0 || mu == 0.0)
        g = mu; /* also covers mu = 0: Gamma with scale 0 is 0, so tau = 1 */
    else
        g = gsl_ran_gamma(draw(ws, z, t, IPSIM_P_LAG, i), 1.0 / (cv * cv), mu * cv * cv);
    double c = ceil(g);
    if (!(c < 1e9)) /* a lag past any horizon: never applied anyway */
        c = 1e9;
    return c < 1.0 ? 1 : (int)c;
}

void ipsim_demand_project(ipsim_ws *ws, size_t z, int t, unsigned i, ipsim_project *p)
{
    const ipsim_zone *zp = &ws->m->zones[z];
    p->fdi = gsl_ran_bernoulli(draw(ws, z, t, IPSIM_P_FDI, i), zp->fdi_share);
    double median = p->fdi ? zp->fdi_capital_median_musd : zp->domestic_capital_median_musd;
    p->capital = gsl_ran_lognormal(draw(ws, z, t, IPSIM_P_CAPITAL, i), log(median), zp->capital_sigma);
    double intensity = gsl_ran_lognormal(draw(ws, z, t, IPSIM_P_INTENSITY, i),
                                         log(zp->capital_per_ha_musd), zp->intensity_sigma);
    p->land = p->capital / intensity;
    p->needs_wwtp = gsl_ran_bernoulli(draw(ws, z, t, IPSIM_P_WWTP, i), zp->polluting_share);
    p->lag = lag_months(ws, zp, z, t, i);
    p->abandon = gsl_ran_bernoulli(draw(ws, z, t, IPSIM_P_ABANDON, i), zp->abandon_prob);
    p->redirect = gsl_ran_bernoulli(draw(ws, z, t, IPSIM_P_REDIRECT, i), ws->m->scn->redirect_prob);
}

/* Records a placed project in host w; the arrival zone keeps lost ones. */
static void place(ipsim_ws *ws, size_t w, int t, const ipsim_project *p)
{
    size_t Z = ws->m->Z;
    ipsim_land_take(ws, w, p->land);
    ws->out[IPSIM_M_REGISTERED * Z + w] += 1.0;
    ws->out[(p->fdi ? IPSIM_M_FDI : IPSIM_M_DOMESTIC) * Z + w] += p->capital;
    ipsim_lifecycle_schedule(ws, w, t, p);
}

int ipsim_demand_arrivals(ipsim_ws *ws, int t, double macro, ipsim_error *err)
{
    size_t Z = ws->m->Z;
    for (size_t z = 0; z < Z; z++) {
        unsigned n = ipsim_demand_count(ws, z, t, macro);
        if (n >= IPSIM_STREAM_MAX_INDEX)
            return ipsim_error_set(err, IPSIM_EINPUT,
                                   "zone %s: %u arrivals in one month exceed the stream limit %u",
                                   ws->m->zones[z].name, n, IPSIM_STREAM_MAX_INDEX);
        for (unsigned i = 0; i < n; i++) {
            ipsim_project p;
            ipsim_demand_project(ws, z, t, i, &p);
            long w = ipsim_land_host(ws, z, t, &p);
            if (w >= 0) {
                place(ws, (size_t)w, t, &p);
            } else {
                ws->out[IPSIM_M_LOST * Z + z] += 1.0;
                ws->out[IPSIM_M_LOST_CAPITAL * Z + z] += p.capital;
            }
        }
    }
    return IPSIM_OK;
}
