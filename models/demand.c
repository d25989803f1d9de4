/* demand.c -- who arrives: the macro factor, monthly arrival counts and the
 * seven draws of each arriving project (MODEL.md §4.1, §4.3).
 *
 * The macro factor, each count and each project draw from their own keyed
 * streams (stream.h), so the draws are the same in any scenario that makes
 * them: a policy changes what happens to a project, never which project
 * arrives.
 *   - A count below the PTRS mean inverts one word: word t % 4 of the
 *     block of (zone, t - t % 4, COUNT), so one Philox block serves four
 *     months (cached per zone); from the PTRS mean on, the count has its
 *     own stream (zone, t, COUNT_LARGE).
 *   - A project's seven draws share one stream (zone, t, PROJECT, i): the
 *     four Bernoullis take the four words of its first block, then
 *     capital, intensity and lag take words in that order.  Only the lag's
 *     gamma (and, rarely, a ziggurat normal) consumes a variable number of
 *     words, and it comes last; its parameters are zone parameters, which
 *     no policy (an upgrade, a WWTP date, a clearance rate) changes.
 *     The model computes the first two blocks of a month's projects in
 *     batches (stream.h), which gives the same words. */
#include "model.h"

#include <math.h>

void ipsim_demand_prepare(ipsim_model *m, size_t z)
{
    const ipsim_zone *zp = &m->zones[z];
    ipsim_zone_draws *d = &m->draws[z];
    d->count_mean = zp->projects_per_year / 12.0;
    d->fdi = ipsim_variates_threshold(zp->fdi_share);
    d->wwtp = ipsim_variates_threshold(zp->polluting_share);
    d->abandon = ipsim_variates_threshold(zp->abandon_prob);
    d->redirect = ipsim_variates_threshold(m->scn->redirect_prob);
    d->log_median[0] = log(zp->domestic_capital_median_musd);
    d->log_median[1] = log(zp->fdi_capital_median_musd);
    d->capital_sigma = zp->capital_sigma;
    d->log_capital_per_ha = log(zp->capital_per_ha_musd);
    d->intensity_sigma = zp->intensity_sigma;
    double mu = zp->months_to_operation, cv = zp->months_to_operation_cv;
    d->lag_fixed = 0;
    if (cv == 0.0 || mu == 0.0) {
        /* also covers mu = 0: Gamma with scale 0 is 0, so tau = 1 */
        double c = ceil(mu);
        d->lag_fixed = c < 1.0 ? 1 : c < 1e9 ? (int)c : 1000000000;
    } else {
        ipsim_variates_gamma_prep(&d->lag_shape, 1.0 / (cv * cv));
        d->lag_scale = mu * cv * cv;
    }
}

void ipsim_demand_reset(ipsim_ws *ws)
{
    ws->macro_m = 0.0;
}

double ipsim_demand_macro(ipsim_ws *ws, int t)
{
    const ipsim_model *m = ws->m;
    if (m->macro_shock_sd == 0.0)
        return 1.0;
    ipsim_stream_at(&ws->st, 0, (uint32_t)t, IPSIM_P_MACRO, 0);
    double eps = ipsim_variates_normal(&ws->st);
    ws->draws[IPSIM_P_MACRO]++;
    ws->macro_m = m->macro_phi * ws->macro_m + m->macro_shock_sd * eps;
    return exp(ws->macro_m - m->macro_half_var[t]);
}

/* The count's word for month t: word t % 4 of the zone's block for the
 * four months from t - t % 4, computed once for the four. */
static uint32_t count_word(ipsim_ws *ws, size_t z, int t)
{
    if (ws->count_gen != ws->st.gen) { /* another path: the cache is stale */
        for (size_t k = 0; k < ws->m->Z; k++)
            ws->count_quad[k] = -1;
        ws->count_gen = ws->st.gen;
    }
    if (ws->count_quad[z] != t / 4) {
        uint32_t first = (uint32_t)(t - t % 4);
        ipsim_stream_block(&ws->st, ipsim_stream_c1((uint32_t)z, first),
                           ipsim_stream_c2(IPSIM_P_COUNT, 0), 0, ws->count_words[z]);
        ws->count_quad[z] = t / 4;
    }
    return ws->count_words[z][t % 4];
}

unsigned ipsim_demand_count(ipsim_ws *ws, size_t z, int t, double macro)
{
    const ipsim_model *m = ws->m;
    double mu = m->draws[z].count_mean * m->attr[z * (size_t)m->T + (size_t)t] * macro;
    if (!(mu > 0.0))
        return 0;
    ws->draws[IPSIM_P_COUNT]++;
    if (mu < IPSIM_VARIATES_POISSON_PTRS)
        return ipsim_variates_poisson_inv(count_word(ws, z, t), mu);
    ipsim_stream_at(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_COUNT_LARGE, 0);
    return ipsim_variates_poisson_ptrs(&ws->st, mu);
}

static int lag_months(ipsim_stream *s, const ipsim_zone_draws *d)
{
    if (d->lag_fixed)
        return d->lag_fixed;
    double c = ceil(d->lag_scale * ipsim_variates_gamma(s, &d->lag_shape));
    if (!(c < 1e9)) /* a lag past any horizon: never applied anyway */
        c = 1e9;
    return c < 1.0 ? 1 : (int)c;
}

/* The seven draws from the project's selected stream. */
static void project_draws(ipsim_ws *ws, size_t z, ipsim_project *p)
{
    const ipsim_zone_draws *d = &ws->m->draws[z];
    ipsim_stream *s = &ws->st;
    p->fdi = ipsim_variates_bernoulli(s, d->fdi);
    p->needs_wwtp = ipsim_variates_bernoulli(s, d->wwtp);
    p->abandon = ipsim_variates_bernoulli(s, d->abandon);
    p->redirect = ipsim_variates_bernoulli(s, d->redirect);
    p->capital = ipsim_variates_lognormal(s, d->log_median[p->fdi], d->capital_sigma);
    double intensity = ipsim_variates_lognormal(s, d->log_capital_per_ha, d->intensity_sigma);
    p->land = p->capital / intensity;
    p->lag = lag_months(s, d);
    ws->draws[IPSIM_P_PROJECT]++;
}

void ipsim_demand_project(ipsim_ws *ws, size_t z, int t, unsigned i, ipsim_project *p)
{
    ipsim_stream_at(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i);
    project_draws(ws, z, p);
}

int ipsim_demand_month(ipsim_ws *ws, int t, double macro, ipsim_error *err)
{
    for (size_t z = 0; z < ws->m->Z; z++) {
        unsigned n = ipsim_demand_count(ws, z, t, macro);
        if (n >= IPSIM_STREAM_MAX_INDEX)
            return ipsim_error_set(err, IPSIM_EINPUT,
                                   "zone %s: %u arrivals in one month exceed the stream limit %u",
                                   ws->m->zones[z].name, n, IPSIM_STREAM_MAX_INDEX);
        ws->arrivals[z] = n;
    }
    ws->next_zone = 0;
    ws->next_index = 0;
    return IPSIM_OK;
}

size_t ipsim_demand_next(ipsim_ws *ws, int t)
{
    ipsim_stream_batch *b = &ws->batch;
    size_t z = ws->next_zone, n = 0;
    unsigned i = ws->next_index;
    b->n = 0;
    while (z < ws->m->Z && n < IPSIM_DEMAND_CHUNK) {
        if (i >= ws->arrivals[z]) {
            z++;
            i = 0;
            continue;
        }
        ws->chunk_zone[n++] = z;
        ipsim_stream_batch_add(b, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i, 0);
        ipsim_stream_batch_add(b, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i, 1);
        i++;
    }
    ws->next_zone = z;
    ws->next_index = i;
    ipsim_stream_batch_run(&ws->st, b);
    for (size_t k = 0; k < n; k++) {
        size_t zk = ws->chunk_zone[k];
        uint32_t ik = b->c2[2 * k] & 0x0FFFFFFFu; /* the index it was added with */
        ipsim_stream_at_words(&ws->st, (uint32_t)zk, (uint32_t)t, IPSIM_P_PROJECT, ik,
                              b->w[2 * k], 2);
        project_draws(ws, zk, &ws->chunk[k]);
    }
    return n;
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
    size_t Z = ws->m->Z, n;
    int rc = ipsim_demand_month(ws, t, macro, err);
    if (rc != IPSIM_OK)
        return rc;
    while ((n = ipsim_demand_next(ws, t)) > 0) {
        for (size_t k = 0; k < n; k++) {
            const ipsim_project *p = &ws->chunk[k];
            size_t z = ws->chunk_zone[k];
            long w = ipsim_land_host(ws, z, t, p);
            if (w >= 0) {
                place(ws, (size_t)w, t, p);
            } else {
                ws->out[IPSIM_M_LOST * Z + z] += 1.0;
                ws->out[IPSIM_M_LOST_CAPITAL * Z + z] += p->capital;
            }
        }
    }
    return IPSIM_OK;
}
