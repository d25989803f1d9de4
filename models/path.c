/* path.c -- one Monte Carlo path: the monthly loop of MODEL.md §4 in its
 * order, and the monthly-to-yearly aggregation of §1 and §5.
 *
 * Also builds the shared read-only model (ipsim_model) and the per-thread
 * workspace (ipsim_ws); everything the loop touches is allocated here,
 * before the first month. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"

/* Zeroed arrays on cache lines of their own (lines.h). */
#define ALLOC(ptr, n, err)                                                              \
    do {                                                                                \
        size_t n_ = (size_t)(n);                                                        \
        if (n_ == 0)                                                                    \
            n_ = 1;                                                                     \
        if (!((ptr) = ipsim_lines_alloc(n_, sizeof *(ptr))))                                  \
            return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory (%zu elements)", n_); \
    } while (0)

static int model_tables(ipsim_model *m, const ipsim_scenario *scn, ipsim_error *err)
{
    size_t Z = m->Z, T = (size_t)m->T;
    int y0 = ipsim_scenario_first_year(scn);
    ALLOC(m->year_of, T, err);
    ALLOC(m->attr, Z * T, err);
    ALLOC(m->draws, Z, err);
    ALLOC(m->count_mean, T * Z, err);
    ALLOC(m->wwtp_from, Z, err);
    ALLOC(m->growth, T, err);
    ALLOC(m->macro_half_var, T, err);
    ALLOC(m->clear_fixed_z, Z, err);
    ALLOC(m->clear_drawn_z, Z, err);
    ALLOC(m->output_per_capital, Z, err);
    ALLOC(m->ramp_len, Z, err);
    for (size_t t = 0; t < T; t++) {
        m->year_of[t] = (scn->start_abs + (int)t) / 12 - y0;
        m->growth[t] = pow(1.0 + scn->productivity_growth, (double)t / 12.0) / 12.0;
        double s = scn->macro_sigma;
        m->macro_half_var[t] = 0.5 * s * s * (1.0 - pow(m->macro_phi, 2.0 * (double)(t + 1)));
    }
    for (size_t z = 0; z < Z; z++) {
        const ipsim_zone *zp = &m->zones[z];
        for (size_t t = 0; t < T; t++) {
            double a = zp->attractiveness;
            for (size_t u = 0; u < zp->n_upgrades; u++)
                if (zp->upgrades[u].from_abs - scn->start_abs <= (int)t)
                    a *= zp->upgrades[u].attractiveness;
            m->attr[z * T + t] = a;
            m->count_mean[t * Z + z] = zp->projects_per_year / 12.0 * a;
        }
        int w = zp->wwtp_from_abs;
        m->wwtp_from[z] = (w == IPSIM_WWTP_ALWAYS || w == IPSIM_WWTP_NEVER) ? w : w - scn->start_abs;
        m->output_per_capital[z] = zp->output_per_capital;
        m->ramp_len[z] = (double)zp->ramp_months;
        ipsim_demand_prepare(m, z);
        ipsim_land_prepare(m, z);
        if (zp->clearance_ha_per_year > 0.0) {
            if (m->draws[z].clear_drawn)
                m->clear_drawn_z[m->n_clear_drawn++] = z;
            else
                m->clear_fixed_z[m->n_clear_fixed++] = z;
        }
    }
    m->n_ramp_runs = ipsim_production_runs(m, NULL, NULL);
    ALLOC(m->ramp_runs, m->n_ramp_runs, err);
    ALLOC(m->zone_run, Z, err);
    ipsim_production_runs(m, m->ramp_runs, m->zone_run);
    const ipsim_ramp_run *last = &m->ramp_runs[m->n_ramp_runs - 1];
    m->ring_total = last->ring_off + (size_t)last->R * last->len;
    return IPSIM_OK;
}

int ipsim_model_init(ipsim_model *m, const ipsim_scenario *scn, ipsim_error *err)
{
    memset(m, 0, sizeof *m);
    m->scn = scn;
    m->zones = scn->zones;
    m->Z = scn->n_zones;
    m->T = scn->horizon_months;
    m->n_years = ipsim_scenario_n_years(scn);
    m->macro_phi = pow(scn->macro_rho, 1.0 / 12.0);
    m->macro_shock_sd = scn->macro_sigma * sqrt(1.0 - m->macro_phi * m->macro_phi);
    int rc = model_tables(m, scn, err);
    if (rc != IPSIM_OK)
        ipsim_model_free(m);
    return rc;
}

void ipsim_model_free(ipsim_model *m)
{
    free(m->year_of);
    free(m->attr);
    free(m->draws);
    free(m->count_mean);
    free(m->wwtp_from);
    free(m->growth);
    free(m->macro_half_var);
    free(m->clear_fixed_z);
    free(m->clear_drawn_z);
    free(m->output_per_capital);
    free(m->ramp_len);
    free(m->ramp_runs);
    free(m->zone_run);
    memset(m, 0, sizeof *m);
}

static int ws_arrays(ipsim_ws *ws, const ipsim_model *m, ipsim_error *err)
{
    size_t Z = m->Z, ZT = m->Z * (size_t)m->T;
    ALLOC(ws->A, Z, err);
    ALLOC(ws->L, Z, err);
    ALLOC(ws->C, Z, err);
    ALLOC(ws->U, Z, err);
    ALLOC(ws->exp_next, Z, err);
    ALLOC(ws->exp_due, Z, err);
    ALLOC(ws->exp_at, Z, err);
    ALLOC(ws->clear_zone, Z, err);
    ALLOC(ws->clear_x, Z, err);
    ALLOC(ws->wwtp_mask, Z, err);
    ALLOC(ws->cal, ZT + m->Z, err); /* + a sink row (lifecycle.c) */
    ALLOC(ws->k_full, Z, err);
    ALLOC(ws->ramp_w, Z, err);
    ALLOC(ws->ramp_v, Z, err);
    ALLOC(ws->ring, m->ring_total, err);
    ALLOC(ws->ring_pos, m->n_ramp_runs, err);
    ALLOC(ws->n_op, Z, err);
    ALLOC(ws->out, (size_t)IPSIM_NMONTHLY * Z, err);
    ALLOC(ws->count_words, 4 * Z, err);
    ALLOC(ws->count_tail, Z, err);
    ALLOC(ws->arrivals, Z, err);
    ALLOC(ws->chunk, IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->chunk_zone, IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->chunk_exp, 2 * IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->chunk_left, IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->chunk_lag, IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->chunk_tests, IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->chunk_redo, IPSIM_DEMAND_CHUNK, err);
    ALLOC(ws->count_mu, Z, err);
    ALLOC(ws->count_p0, Z, err);
    return IPSIM_OK;
}

int ipsim_ws_alloc(ipsim_ws *ws, const ipsim_model *m, ipsim_error *err)
{
    memset(ws, 0, sizeof *ws);
    ws->m = m;
    ws->count_quad = -1; /* no count blocks yet */
    int rc = ipsim_stream_init(&ws->st, err);
    if (rc == IPSIM_OK)
        rc = ipsim_stream_batch_alloc(&ws->batch, 2 * IPSIM_DEMAND_CHUNK, err);
    if (rc == IPSIM_OK)
        rc = ws_arrays(ws, m, err);
    if (rc != IPSIM_OK)
        ipsim_ws_free(ws);
    return rc;
}

void ipsim_ws_free(ipsim_ws *ws)
{
    ipsim_stream_free(&ws->st);
    ipsim_stream_batch_free(&ws->batch);
    free(ws->count_words);
    free(ws->count_tail);
    free(ws->arrivals);
    free(ws->chunk);
    free(ws->chunk_zone);
    free(ws->chunk_exp);
    free(ws->chunk_left);
    free(ws->chunk_lag);
    free(ws->chunk_tests);
    free(ws->chunk_redo);
    free(ws->count_mu);
    free(ws->count_p0);
    free(ws->A);
    free(ws->L);
    free(ws->C);
    free(ws->U);
    free(ws->exp_next);
    free(ws->exp_due);
    free(ws->exp_at);
    free(ws->clear_zone);
    free(ws->clear_x);
    free(ws->wwtp_mask);
    free(ws->cal);
    free(ws->k_full);
    free(ws->ramp_w);
    free(ws->ramp_v);
    free(ws->ring);
    free(ws->ring_pos);
    free(ws->n_op);
    free(ws->out);
    memset(ws, 0, sizeof *ws);
}

/* 1 if month t is the last simulated month of its year, when the stocks
 * of the year are taken. */
static int year_end(const ipsim_model *m, int t)
{
    return t + 1 == m->T || m->year_of[t + 1] != m->year_of[t];
}

/* The flows of every zone in month t that the arrivals did not add up,
 * and, when `stocks`, the stocks at its end. */
static void month_close(ipsim_ws *ws, int t, int stocks)
{
    size_t Z = ws->m->Z;
    double *o = ws->out;
    double *restrict prod = o + IPSIM_M_PRODUCTION * Z, *restrict total = o + IPSIM_M_TOTAL_REGISTERED * Z;
    const double *restrict fdi = o + IPSIM_M_FDI * Z, *restrict dom = o + IPSIM_M_DOMESTIC * Z;
    for (size_t z = 0; z < Z; z++)
        prod[z] = ipsim_production_month(ws, z, t);
    for (size_t z = 0; z < Z; z++)
        total[z] = fdi[z] + dom[z];
    for (size_t z = 0; stocks && z < Z; z++) {
        o[IPSIM_M_AREA * Z + z] = ws->A[z];
        o[IPSIM_M_LEASED * Z + z] = ws->L[z];
        o[IPSIM_M_CLEAN * Z + z] = ws->C[z];
        o[IPSIM_M_OCCUPANCY * Z + z] = ws->L[z] / ws->A[z];
        o[IPSIM_M_OPERATING * Z + z] = ws->n_op[z];
    }
}

/* The province value of metric m from per-zone values v[0..Z-1] (and, for
 * occupancy, the zones' leased and area values). */
static double province(int m, const double *v, const double *leased, const double *area, size_t Z)
{
    double s = 0.0;
    if (m == IPSIM_M_OCCUPANCY) {
        double a = 0.0;
        for (size_t z = 0; z < Z; z++) {
            s += leased[z];
            a += area[z];
        }
        return s / a;
    }
    for (size_t z = 0; z < Z; z++)
        s += v[z];
    return s;
}

static void month_store(ipsim_ws *ws, ipsim_block *b, size_t slot, int t)
{
    size_t Z = ws->m->Z;
    const double *o = ws->out;
    for (int m = 0; m < IPSIM_NMONTHLY; m++) {
        memcpy(ipsim_block_monthly_zone(b, m, slot) + (size_t)t * Z, o + (size_t)m * Z, Z * sizeof *o);
        ipsim_block_monthly(b, m, slot)[t] =
            province(m, o + (size_t)m * Z, o + IPSIM_M_LEASED * Z, o + IPSIM_M_AREA * Z, Z);
    }
}

/* 1 if month t is the first simulated month of its year. */
static int year_start(const ipsim_model *m, int t)
{
    return t == 0 || m->year_of[t - 1] != m->year_of[t];
}

/* Adds month t to the yearly per-zone values: flows add up from the year's
 * first simulated month, which sets them (so no zeroing of the slot before
 * a path), stocks take the value of the year's last (`stocks` is 1 then).
 * Every year has both months: each yearly value is written by its path. */
static void add_to(double *restrict dst, const double *restrict src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

static void month_accumulate(ipsim_ws *ws, ipsim_block *b, size_t slot, int t, int stocks)
{
    size_t Z = ws->m->Z, y = (size_t)ws->m->year_of[t];
    const double *o = ws->out;
    int first = year_start(ws->m, t);
    for (int m = 0; m < IPSIM_NMONTHLY; m++) {
        double *dst = ipsim_block_yearly_zone(b, m, slot) + y * Z;
        const double *src = o + (size_t)m * Z;
        int flow = ipsim_metric_get(m)->kind == IPSIM_FLOW;
        if (flow && !first)
            add_to(dst, src, Z);
        else if (flow || stocks)
            memcpy(dst, src, Z * sizeof *dst);
    }
}

/* Zeroes the flows the arrivals add to; month_close writes every other
 * row before it is read. */
static void month_open(ipsim_ws *ws)
{
    size_t Z = ws->m->Z;
    double *o = ws->out;
    memset(o + IPSIM_M_REGISTERED * Z, 0, 3 * Z * sizeof *o); /* registered, fdi, domestic */
    memset(o + IPSIM_M_LOST * Z, 0, 2 * Z * sizeof *o);       /* lost, lost capital */
}

static double growth_ratio(double now, double before)
{
    return now / before - 1.0;
}

/* Province yearly values and production_growth, from the zone values. */
static void year_close(const ipsim_model *mdl, ipsim_block *b, size_t slot)
{
    size_t Z = mdl->Z, Y = (size_t)mdl->n_years;
    const ipsim_scenario *scn = mdl->scn;
    for (size_t y = 0; y < Y; y++) {
        const double *leased = ipsim_block_yearly_zone(b, IPSIM_M_LEASED, slot) + y * Z;
        const double *area = ipsim_block_yearly_zone(b, IPSIM_M_AREA, slot) + y * Z;
        for (int m = 0; m < IPSIM_NMONTHLY; m++)
            ipsim_block_yearly(b, m, slot)[y] =
                province(m, ipsim_block_yearly_zone(b, m, slot) + y * Z, leased, area, Z);
    }
    const double *pz = ipsim_block_yearly_zone(b, IPSIM_M_PRODUCTION, slot);
    const double *pp = ipsim_block_yearly(b, IPSIM_M_PRODUCTION, slot);
    double *gz = ipsim_block_yearly_zone(b, IPSIM_M_PRODUCTION_GROWTH, slot);
    double *gp = ipsim_block_yearly(b, IPSIM_M_PRODUCTION_GROWTH, slot);
    for (size_t z = 0; z < Z; z++)
        gz[z] = NAN; /* no zone has a year before the first (§11.3) */
    gp[0] = scn->has_baseline ? growth_ratio(pp[0], scn->baseline_production_musd) : NAN;
    for (size_t y = 1; y < Y; y++) {
        gp[y] = growth_ratio(pp[y], pp[y - 1]);
        for (size_t z = 0; z < Z; z++)
            gz[y * Z + z] = growth_ratio(pz[y * Z + z], pz[(y - 1) * Z + z]);
    }
}

int ipsim_path_run(ipsim_ws *ws, uint64_t seed, uint64_t path, ipsim_block *b, size_t slot,
                   ipsim_error *err)
{
    const ipsim_model *m = ws->m;
    ipsim_stream_set_path(&ws->st, seed, path);
    ipsim_demand_reset(ws);
    ipsim_land_reset(ws);
    ipsim_production_reset(ws);
    ipsim_lifecycle_reset(ws);

    for (int t = 0; t < m->T; t++) {
        month_open(ws);
        double macro = ipsim_demand_macro(ws, t);
        /* step 2 a zone at a time is step 2 a mechanism at a time, zones
         * being independent here; this way the clearances draw in a batch */
        ipsim_land_expand_all(ws, t);
        ipsim_land_clear_all(ws, t);
        ipsim_lifecycle_apply(ws, t);
        int rc = ipsim_demand_arrivals(ws, t, macro, err);
        if (rc != IPSIM_OK)
            return rc;
        int stocks = b->monthly || year_end(m, t);
        month_close(ws, t, stocks);
        if (b->monthly)
            month_store(ws, b, slot, t);
        month_accumulate(ws, b, slot, t, stocks);
    }
    ipsim_lifecycle_done(ws);
    year_close(m, b, slot);
    ipsim_targets_eval(m, b, slot);
    return IPSIM_OK;
}
