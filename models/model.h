/* model.h -- one Monte Carlo path of MODEL.md §4, split by mechanism.
 *
 * ipsim_model holds what every path shares, precomputed once and read-only
 * (attractiveness by zone and month, growth factors, macro constants).
 * ipsim_ws is a caller-owned workspace per thread: the state of every zone
 * as plain arrays (structure of arrays) and per-zone event calendars, all
 * allocated up front so the per-month loop never allocates.
 *
 * The mechanisms, one file each:
 *   demand.c     macro factor, arrival counts, the seven draws of a project
 *   land.c       expansion, clearance, fit/redirect/placement
 *   lifecycle.c  operation starts and abandonments (calendars), pipeline
 *   production.c ramp-up and monthly production
 *   targets.c    per-path values of targets
 *   path.c       the monthly loop and yearly aggregation */
#ifndef IPSIM_MODEL_H
#define IPSIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "error.h"
#include "metrics.h"
#include "scenario.h"
#include "stream.h"
#include "variates.h"

/* A zone's draw parameters, prepared once so that no draw pays for a log,
 * a sqrt or a division it could share (variates.h). */
typedef struct {
    uint64_t fdi, wwtp, abandon, redirect; /* Bernoulli thresholds */
    double log_median[2];               /* ln median capital: [domestic, fdi] */
    double capital_sigma;
    double log_capital_per_ha, intensity_sigma;
    ipsim_variates_gamma_shape lag_shape;
    double lag_scale;                   /* G = lag_scale * Gamma(shape, 1) */
    int lag_fixed;                      /* tau when no lag is drawn (cv or mean 0), else 0 */
    ipsim_variates_gamma_shape clear_shape;
    double clear_scale;                 /* X = clear_scale * Gamma(shape, 1) */
    int clear_drawn;                    /* kappa > 0 and cv > 0 */
} ipsim_zone_draws;

/* Consecutive zones with the same ring length R (production.c): their
 * ramp_months, or T + 1 where that is more. */
typedef struct {
    size_t first, len; /* zones first .. first + len - 1 */
    int R;
    size_t ring_off;   /* their rings: ring[ring_off + slot * len + i] */
} ipsim_ramp_run;

typedef struct {
    const ipsim_scenario *scn;
    const ipsim_zone *zones; /* the parameters in force (per path later) */
    size_t Z;
    int T, n_years;
    int *year_of;        /* [T] year index of month t */
    double *attr;        /* [Z*T] a(t) = a0 * prod x over upgrades in force */
    ipsim_zone_draws *draws; /* [Z] */
    double *count_mean;  /* [T*Z], month-major: lambda/12 * a(t) */
    int *wwtp_from;      /* [Z] month index from which the WWTP works */
    double *growth;      /* [T] (1+g)^(t/12) / 12 */
    double macro_phi, macro_shock_sd; /* phi, s*sqrt(1-phi^2) */
    double *macro_half_var;           /* [T] v_t / 2 */
    size_t ring_total;   /* sum of the rings' lengths over zones (production.c) */
    ipsim_ramp_run *ramp_runs; /* [n_ramp_runs] */
    size_t n_ramp_runs;
    size_t *zone_run;    /* [Z] the run of zone z */
    /* zones with kappa > 0, by kind of clearance: fixed (c = 0) or drawn */
    size_t *clear_fixed_z, n_clear_fixed, *clear_drawn_z, n_clear_drawn;
    /* per zone, dense for the monthly production loop */
    double *output_per_capital; /* [Z] o */
    double *ramp_len;           /* [Z] R */
} ipsim_model;

/* A project as drawn at arrival (MODEL.md §4.3, draws 1-7). */
typedef struct {
    int fdi;
    double capital;   /* K, musd */
    double land;      /* l = K / I, ha */
    int needs_wwtp;
    int lag;          /* tau >= 1, months */
    int abandon;
    int redirect;
} ipsim_project;

/* One calendar cell: what month t brings to zone z (lifecycle.c).  Four
 * doubles, aligned: a placement adds to all of them at once in one SIMD
 * add, and no cell straddles two cache lines. */
typedef struct {
    _Alignas(32) double capital; /* capital starting operation */
    double count;                /* projects starting operation */
    double land;                 /* land returned by abandonments */
    double unused;               /* always 0 */
} ipsim_event_cell;

typedef struct {
    const ipsim_model *m;
    ipsim_stream st;
    /* land, per zone */
    double *A, *L, *C, *U;
    int *exp_next;     /* next untriggered expansion phase */
    int *exp_due;      /* due month of the pending phase, or -1 */
    double *exp_at;    /* L from which the next phase may trigger (land.c) */
    size_t *clear_zone; /* [Z] zones drawing a clearance this month, */
    double *clear_x;    /* [Z] and their draws */
    uint64_t *wwtp_mask; /* [Z] zones with a working WWTP in months [mask_lo, mask_hi) */
    int mask_lo, mask_hi;
    /* lifecycle calendar, [t*Z + z]: one cell per zone-month, its sums
     * together (one aligned 32-byte cell per event); T+1 rows, the
     * last a sink for events past the horizon (lifecycle.c) */
    ipsim_event_cell *cal;
    int cal_dirty;       /* a path left cells behind: clear before the next */
    /* production, per zone */
    double *k_full;    /* capital at full ramp */
    double *ramp_w;    /* capital still ramping */
    double *ramp_v;    /* sum over ramping cohorts of K * (age + 1) */
    double *ring;      /* last R months of starts, per run (ipsim_ramp_run) */
    int *ring_pos;     /* [n_ramp_runs] t % R of the month last aged */
    double *n_op;      /* projects operating */
    double macro_m;    /* m_t */
    /* arrival counts: every zone's count block of four months, cached */
    uint32_t *count_words; /* [4][Z] */
    int count_quad;     /* t / 4 of the blocks held, */
    uint32_t count_gen; /* and the st.gen (path) they belong to */
    unsigned *arrivals; /* [Z] this month's counts */
    int *count_tail;    /* [Z] 1 where the count is not the usual one (demand.c) */
    /* this month's projects, drawn IPSIM_DEMAND_CHUNK at a time */
    ipsim_stream_batch batch;    /* their first two blocks */
    ipsim_project *chunk;        /* [IPSIM_DEMAND_CHUNK] */
    double *chunk_exp;           /* [2][IPSIM_DEMAND_CHUNK] ln capital, ln land */
    int *chunk_lag;              /* [IPSIM_DEMAND_CHUNK] */
    unsigned char *chunk_left;   /* [IPSIM_DEMAND_CHUNK] what the batch's words left (demand.c) */
    size_t *chunk_tests, *chunk_redo; /* [IPSIM_DEMAND_CHUNK] projects to finish, by how */
    double *count_mu, *count_p0; /* [Z] this month's count means, exp(-mean) */
    size_t *chunk_zone;          /* [IPSIM_DEMAND_CHUNK] arrival zone */
    size_t next_zone;            /* where the next chunk starts: zone, */
    unsigned next_index;         /* and project index in it */
    uint64_t draws[IPSIM_NPURPOSES]; /* draws made, by purpose (for bench/) */
    /* this month's outputs per zone: [IPSIM_NMONTHLY][Z] */
    double *out;
} ipsim_ws;

/* Shared model. */
int ipsim_model_init(ipsim_model *m, const ipsim_scenario *scn, ipsim_error *err);
void ipsim_model_free(ipsim_model *m);

/* Workspace (one per thread). */
int ipsim_ws_alloc(ipsim_ws *ws, const ipsim_model *m, ipsim_error *err);
void ipsim_ws_free(ipsim_ws *ws);

/* Runs path `path` and stores it in slot `slot` of b. */
int ipsim_path_run(ipsim_ws *ws, uint64_t seed, uint64_t path, ipsim_block *b, size_t slot,
                   ipsim_error *err);

/* demand.c */
void ipsim_demand_prepare(ipsim_model *m, size_t z); /* m->draws[z], demand part */
void ipsim_demand_reset(ipsim_ws *ws);
double ipsim_demand_macro(ipsim_ws *ws, int t);
unsigned ipsim_demand_count(ipsim_ws *ws, size_t z, int t, double macro);
void ipsim_demand_project(ipsim_ws *ws, size_t z, int t, unsigned i, ipsim_project *p);
/* Month t's arrivals as the model (and bench/'s draw floor) take them:
 * ipsim_demand_month() draws every zone's count (ws->arrivals); then each
 * ipsim_demand_next() draws the next projects in (zone, i) order, up to
 * IPSIM_DEMAND_CHUNK with their blocks computed in one batch, into
 * ws->chunk and ws->chunk_zone, and returns how many (0: none left).  The
 * projects are those ipsim_demand_project() would draw. */
#define IPSIM_DEMAND_CHUNK 128
int ipsim_demand_month(ipsim_ws *ws, int t, double macro, ipsim_error *err);
size_t ipsim_demand_next(ipsim_ws *ws, int t);
/* demand_lanes.c: what demand.c's project_words does for the projects
 * [0, n) of a chunk (zones zone[], words w[2k], w[2k+1]), into
 * log_capital[], log_land[], lag[] and left[], four at a time in AVX2
 * lanes where the CPU has them; returns how many it did (a multiple of
 * four, 0 without AVX2). */
size_t ipsim_demand_words_lanes(const ipsim_zone_draws *draws, const size_t *zone,
                                const uint32_t (*w)[4], size_t n, double *log_capital,
                                double *log_land, int *lag, unsigned char *left);
/* Step 3 for every zone: draws, places (land.c) and schedules (lifecycle.c). */
int ipsim_demand_arrivals(ipsim_ws *ws, int t, double macro, ipsim_error *err);

/* land.c */
void ipsim_land_prepare(ipsim_model *m, size_t z); /* m->draws[z], clearance part */
void ipsim_land_reset(ipsim_ws *ws);
void ipsim_land_expand(ipsim_ws *ws, size_t z, int t);
/* Step 2a for every zone of month t. */
void ipsim_land_expand_all(ipsim_ws *ws, int t);
/* Step 2b for every zone of month t (their draws in one batch: the same
 * numbers as zone by zone, zones being independent in step 2). */
void ipsim_land_clear_all(ipsim_ws *ws, int t);
/* The clearance draws X of the n zones zones[] in month t, into x[]. */
void ipsim_land_clear_draws(ipsim_ws *ws, int t, const size_t *zones, size_t n, double *x);
int ipsim_land_fits(const ipsim_ws *ws, size_t z, int t, const ipsim_project *p);
/* Host zone for p arriving in z (redirect rule), or -1 when lost: z if
 * it fits, else ipsim_land_elsewhere.  The monthly loop takes the two
 * steps apart (demand.c: the second out of line). */
long ipsim_land_host(ipsim_ws *ws, size_t z, int t, const ipsim_project *p);
/* The same for a p that does not fit z. */
long ipsim_land_elsewhere(ipsim_ws *ws, size_t z, int t, const ipsim_project *p);
/* The two moves of leased land, inline: called once per project and zone-month. */
static inline void ipsim_land_take(ipsim_ws *ws, size_t w, double ha)
{
    ws->C[w] -= ha;
    ws->L[w] += ha;
}

static inline void ipsim_land_return(ipsim_ws *ws, size_t w, double ha)
{
    ws->L[w] -= ha;
    ws->C[w] += ha;
    if (ws->L[w] < 0.0) /* rounding of many adds and subtracts */
        ws->L[w] = 0.0;
}

/* lifecycle.c */
void ipsim_lifecycle_reset(ipsim_ws *ws);
void ipsim_lifecycle_schedule(ipsim_ws *ws, size_t w, int t, const ipsim_project *p);
/* Step 2c for every zone of month t (ageing the ramps first). */
void ipsim_lifecycle_apply(ipsim_ws *ws, int t);
/* The path applied every month: its calendar is empty again. */
void ipsim_lifecycle_done(ipsim_ws *ws);

/* production.c */
/* The runs of m's zones (ipsim_ramp_run) into runs[] and zone_run[] when
 * not NULL; returns how many. */
size_t ipsim_production_runs(const ipsim_model *m, ipsim_ramp_run *runs, size_t *zone_run);
void ipsim_production_reset(ipsim_ws *ws);
/* Advances every zone's ramp to month t: call it for every month in order
 * (t = 0, 1, ...), before that month's starts. */
void ipsim_production_age(ipsim_ws *ws, int t);
/* A start in zone z this month (after ipsim_production_age). */
void ipsim_production_start(ipsim_ws *ws, size_t z, double capital);
/* Every zone's starts this month: zone z starts capital[z * stride]. */
void ipsim_production_start_all(ipsim_ws *ws, const double *capital, size_t stride);
/* ramp_v is 0 where R = 1, so ramp_v / R is the ramping capital everywhere. */
static inline double ipsim_production_month(const ipsim_ws *ws, size_t z, int t)
{
    const ipsim_model *m = ws->m;
    double ramping = ws->ramp_v[z] / m->ramp_len[z];
    return m->output_per_capital[z] * m->growth[t] * (ws->k_full[z] + ramping);
}

/* targets.c */
void ipsim_targets_eval(const ipsim_model *m, ipsim_block *b, size_t slot);

#endif
