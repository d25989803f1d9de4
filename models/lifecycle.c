/* lifecycle.c -- what happens to a placed project later: its operation
 * start or its abandonment, and the initial pipeline (MODEL.md §3, §4.2c).
 *
 * Future events live in per-zone month calendars (capital and count
 * starting, land returned), so applying month t's events costs O(1) per
 * zone whatever the number of projects; events due at or after the horizon
 * go to a sink row T, which is never applied (so that scheduling needs no
 * branch on the due month, which near the horizon no predictor guesses).
 * A cell is zeroed as it is applied, so a path that ran to its end leaves
 * the calendar empty for the next one without clearing Z*T cells
 * (ws->cal_dirty says when it did not); only the sink row is cleared per
 * path. */
#include "model.h"

#include <math.h>
#include <string.h>

#if defined(__AVX__)
#include <immintrin.h>
#endif

/* Month-major, so that one month's cells of every zone are adjacent. */
static size_t cell(const ipsim_ws *ws, size_t z, int t)
{
    return (size_t)t * ws->m->Z + z;
}

/* Initial pipeline (§3): month j < P starts K/P and floor((j+1)n/P) -
 * floor(jn/P) projects; they take no land and are never abandoned. */
static void pipeline_schedule(ipsim_ws *ws, size_t z)
{
    const ipsim_zone *zp = &ws->m->zones[z];
    long P = zp->initial_pipeline_months, n = zp->initial_pipeline_projects;
    double K = zp->initial_pipeline_capital_musd;
    if (K == 0.0 && n == 0)
        return;
    long last = P < ws->m->T ? P : ws->m->T;
    for (long j = 0; j < last; j++) {
        long cnt = (long)(((long double)(j + 1) * n) / P) - (long)(((long double)j * n) / P);
        ipsim_event_cell *e = &ws->cal[cell(ws, z, (int)j)];
        e->capital += K / (double)P;
        e->count += (double)cnt;
    }
}

void ipsim_lifecycle_reset(ipsim_ws *ws)
{
    size_t Z = ws->m->Z, T = (size_t)ws->m->T;
    if (ws->cal_dirty)
        memset(ws->cal, 0, Z * T * sizeof *ws->cal);
    memset(ws->cal + Z * T, 0, Z * sizeof *ws->cal); /* the sink row */
    ws->cal_dirty = 1; /* until ipsim_lifecycle_done */
    for (size_t z = 0; z < Z; z++) {
        ws->n_op[z] = (double)ws->m->zones[z].initial_operating_projects;
        pipeline_schedule(ws, z);
    }
}

#if !defined(__AVX__)
/* x if c, else +0.0, without a branch (the empty asm hides the mask from
 * GCC, which would turn it back into one). */
static inline double keep_if(double x, int c)
{
    uint64_t b, mask = -(uint64_t)(c != 0);
#if defined(__GNUC__)
    __asm__("" : "+r"(mask));
#endif
    memcpy(&b, &x, sizeof b);
    b &= mask;
    memcpy(&x, &b, sizeof x);
    return x;
}
#endif

void ipsim_lifecycle_schedule(ipsim_ws *ws, size_t w, int t, const ipsim_project *p)
{
    long due = (long)t + p->lag;
    due = due < ws->m->T ? due : ws->m->T; /* past the horizon: the sink row */
    ipsim_event_cell *e = &ws->cal[cell(ws, w, (int)due)];
    /* no branch on the abandon draw, which no predictor guesses (GCC
     * compiles ?: on doubles to one): bit masks pick x or +0.0, and adding
     * +0.0 leaves the other fields exactly as they were */
    int ab = p->abandon;
#if defined(__AVX__)
    __m256d x = _mm256_set_pd(0.0, p->land, 1.0, p->capital);
    __m256i k = _mm256_xor_si256(_mm256_set1_epi64x(-(long long)(ab != 0)),
                                 _mm256_set_epi64x(0, 0, -1, -1));
    x = _mm256_and_pd(x, _mm256_castsi256_pd(k));
    _mm256_store_pd(&e->capital, _mm256_add_pd(_mm256_load_pd(&e->capital), x));
#else
    e->land += keep_if(p->land, ab);
    e->capital += keep_if(p->capital, !ab);
    e->count += keep_if(1.0, !ab);
#endif
}

/* Applied whether or not anything is due (a branch on it would be
 * mispredicted in a third of zone-months): starting 0 capital, adding 0
 * projects and returning 0 ha change nothing, bit for bit. */
void ipsim_lifecycle_apply(ipsim_ws *ws, int t)
{
    ipsim_event_cell *row = &ws->cal[cell(ws, 0, t)];
    ipsim_production_age(ws, t);
    ipsim_production_start_all(ws, &row[0].capital, sizeof *row / sizeof row[0].capital);
    for (size_t z = 0; z < ws->m->Z; z++) {
        ipsim_event_cell *e = &row[z];
        ws->n_op[z] += e->count;
        ipsim_land_return(ws, z, e->land);
        *e = (ipsim_event_cell){0.0, 0.0, 0.0, 0.0};
    }
}

void ipsim_lifecycle_done(ipsim_ws *ws)
{
    ws->cal_dirty = 0;
}
