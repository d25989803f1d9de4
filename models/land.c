/* land.c -- the land of each zone: expansion phases, site clearance, and
 * where an arriving project is placed (MODEL.md §4.2a-b, §4.3, §11.1-2).
 *
 * Invariant, every month: L + C + U = A with L, C, U >= 0.  Every change
 * moves hectares between two of the three, so conservation holds by
 * construction; min() and the fit test keep each one non-negative. */
#include "model.h"

#include <limits.h>
#include <math.h>


#if defined(__SSE2__) && !defined(__AVX2__)
#include <emmintrin.h>
#endif

void ipsim_land_prepare(ipsim_model *m, size_t z)
{
    const ipsim_zone *zp = &m->zones[z];
    ipsim_zone_draws *d = &m->draws[z];
    double kappa = zp->clearance_ha_per_year, c = zp->clearance_cv;
    d->clear_drawn =
        kappa > 0.0 && c > 0.0 &&
        ipsim_variates_gamma_mean_cv(&d->clear_shape, &d->clear_scale, kappa / 12.0, c);
}

/* ws->exp_at[z]: leased land below which the next phase cannot trigger,
 * +inf while a phase is pending or none is left.  Below threshold*A*(1 -
 * 2^-50), L/A rounds to less than the threshold (three roundings of 2^-53
 * at most), so the monthly scan skips the division for every zone below it
 * and the exact test decides the rest: the same months as L/A >= threshold. */
static void expansion_arm(ipsim_ws *ws, size_t z)
{
    const ipsim_zone *zp = &ws->m->zones[z];
    ws->exp_at[z] = INFINITY;
    if (ws->exp_due[z] < 0 && (size_t)ws->exp_next[z] < zp->n_expansions)
        ws->exp_at[z] = zp->expansions[ws->exp_next[z]].threshold * ws->A[z] * (1.0 - 0x1p-50);
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
        if (ws->U[z] < 0.0) /* rounding only: the reader rejects L + C > A (1 + 1e-9) */
            ws->U[z] = 0.0;
        ws->exp_next[z] = 0;
        ws->exp_due[z] = -1;
        expansion_arm(ws, z);
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
    } else if ((size_t)ws->exp_next[z] < zp->n_expansions) {
        const ipsim_expansion *e = &zp->expansions[ws->exp_next[z]];
        if (ws->L[z] / ws->A[z] >= e->threshold) {
            /* due at T or later is never applied: T stands for them all,
             * and t + delay_months may be past INT_MAX */
            ws->exp_due[z] = e->delay_months < ws->m->T - t ? t + e->delay_months : ws->m->T;
            if (ws->exp_due[z] <= t)
                expansion_apply(ws, z);
        }
    }
    expansion_arm(ws, z);
}

/* 1 if zone z may expand in month t: a pending phase is due (-1, none, is
 * past every t as unsigned), or its leased land is near the next
 * threshold. */
static inline int expansion_near(const ipsim_ws *ws, size_t z, int t)
{
    return (ws->L[z] >= ws->exp_at[z]) | ((unsigned)ws->exp_due[z] <= (unsigned)t);
}

/* Most months no zone is near: one pass in SIMD lanes says so, and only
 * the other months test zone by zone. */
void ipsim_land_expand_all(ipsim_ws *ws, int t)
{
    size_t Z = ws->m->Z;
    int any = 0;
    for (size_t z = 0; z < Z; z++)
        any |= expansion_near(ws, z, t);
    for (size_t z = 0; any && z < Z; z++)
        if (expansion_near(ws, z, t))
            ipsim_land_expand(ws, z, t);
}

/* X for zone z in month t from its clearance stream; w holds the stream's
 * first block.  Marsaglia-Tsang's first try decides from two words in
 * ~97 % of draws (ipsim_variates_gamma_words); the rest draw on. */
static double clear_draw(ipsim_ws *ws, size_t z, int t, const uint32_t w[4])
{
    const ipsim_zone_draws *d = &ws->m->draws[z];
    double g;
    ws->draws[IPSIM_P_CLEARANCE]++;
    if (ipsim_variates_gamma_words(&d->clear_shape, w[0], w[1], &g))
        return d->clear_scale * g;
    ipsim_stream_at_words(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_CLEARANCE, 0, w, 1);
    return d->clear_scale * ipsim_variates_gamma(&ws->st, &d->clear_shape);
}

static void clear_apply(ipsim_ws *ws, size_t z, double x)
{
    double cleared = x < ws->U[z] ? x : ws->U[z];
    ws->U[z] -= cleared;
    ws->C[z] += cleared;
}


void ipsim_land_clear_draws(ipsim_ws *ws, int t, const size_t *zones, size_t n, double *x)
{
    ipsim_stream_batch *b = &ws->batch;
    for (size_t k0 = 0; k0 < n; k0 += b->cap) {
        size_t k1 = n - k0 < b->cap ? n : k0 + b->cap;
        ipsim_stream_batch_reset(b, 0);
        for (size_t k = k0; k < k1; k++)
            ipsim_stream_batch_add(b, (uint32_t)zones[k], (uint32_t)t, IPSIM_P_CLEARANCE, 0, 0);
        ipsim_stream_batch_run(&ws->st, b);
        for (size_t k = k0; k < k1; k++)
            x[k] = clear_draw(ws, zones[k], t, b->w[k - k0]);
    }
}

/* The zones that clear in month t are those with kappa > 0 and uncleared
 * land left; zones are independent in step 2, so the fixed clearances (c =
 * 0) go first and the drawn ones, listed without a branch, after. */
void ipsim_land_clear_all(ipsim_ws *ws, int t)
{
    const ipsim_model *m = ws->m;
    for (size_t k = 0; k < m->n_clear_fixed; k++) {
        size_t z = m->clear_fixed_z[k];
        if (ws->U[z] > 0.0)
            clear_apply(ws, z, m->zones[z].clearance_ha_per_year / 12.0);
    }
    size_t n = 0;
    for (size_t k = 0; k < m->n_clear_drawn; k++) {
        size_t z = m->clear_drawn_z[k];
        ws->clear_zone[n] = z;
        n += ws->U[z] > 0.0;
    }
    ipsim_land_clear_draws(ws, t, ws->clear_zone, n, ws->clear_x);
    for (size_t k = 0; k < n; k++)
        clear_apply(ws, ws->clear_zone[k], ws->clear_x[k]);
}

/* One test, no branch on the WWTP draw: no predictor can guess it (the
 * empty asm keeps GCC from splitting the & into two branches again). */
int ipsim_land_fits(const ipsim_ws *ws, size_t z, int t, const ipsim_project *p)
{
    int fits = (ws->C[z] >= p->land) & (!p->needs_wwtp | (ws->m->wwtp_from[z] <= t));
#if defined(__GNUC__)
    __asm__("" : "+r"(fits));
#endif
    return fits;
}

/* Which zones a project needing a WWTP may use at month t, as all-ones
 * (may) or zero masks.  The mask of month lo holds until the next zone's
 * WWTP opens (hi), so it is recomputed at most once per opening date a
 * path passes (and when a new path starts again from month 0), not every
 * month with a redirect. */
static const uint64_t *wwtp_mask(ipsim_ws *ws, int t)
{
    if (t < ws->mask_lo || t >= ws->mask_hi) {
        int hi = INT_MAX;
        for (size_t w = 0; w < ws->m->Z; w++) {
            int from = ws->m->wwtp_from[w];
            ws->wwtp_mask[w] = from <= t ? ~(uint64_t)0 : 0;
            hi = from > t && from < hi ? from : hi;
        }
        ws->mask_lo = t;
        ws->mask_hi = hi;
    }
    return ws->wwtp_mask;
}

/* C[w] where mask[w] allows it (everywhere when mask is NULL), else -1. */
static inline double allowed(const double *C, const uint64_t *mask, size_t w)
{
    return !mask || mask[w] ? C[w] : -1.0;
}

/* The same for LANES zones at a time from w, in the widest SIMD lanes the
 * build has: max, and the bits of the lanes equal to a value. */
#if defined(__AVX2__)
#include <immintrin.h>
#define LANES 4
typedef __m256d lanes;
static inline lanes lanes_allowed(const double *C, const uint64_t *mask, size_t w)
{
    __m256d c = _mm256_loadu_pd(C + w);
    if (!mask)
        return c;
    __m256d k = _mm256_castsi256_pd(_mm256_loadu_si256((const __m256i *)(mask + w)));
    return _mm256_blendv_pd(_mm256_set1_pd(-1.0), c, k);
}
static inline lanes lanes_set(double x) { return _mm256_set1_pd(x); }
static inline lanes lanes_max(lanes a, lanes b) { return _mm256_max_pd(a, b); }
static inline double lanes_hmax(lanes a)
{
    __m128d h = _mm_max_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_max_pd(h, _mm_unpackhi_pd(h, h)));
}
static inline uint64_t lanes_eq(lanes a, double x)
{
    return (uint64_t)_mm256_movemask_pd(_mm256_cmp_pd(a, _mm256_set1_pd(x), _CMP_EQ_OQ));
}
#elif defined(__SSE2__)
#define LANES 2
typedef __m128d lanes;
static inline lanes lanes_allowed(const double *C, const uint64_t *mask, size_t w)
{
    __m128d c = _mm_loadu_pd(C + w);
    if (!mask)
        return c;
    __m128d k = _mm_castsi128_pd(_mm_loadu_si128((const __m128i *)(mask + w)));
    return _mm_or_pd(_mm_and_pd(k, c), _mm_andnot_pd(k, _mm_set1_pd(-1.0)));
}
static inline lanes lanes_set(double x) { return _mm_set1_pd(x); }
static inline lanes lanes_max(lanes a, lanes b) { return _mm_max_pd(a, b); }
static inline double lanes_hmax(lanes a) { return _mm_cvtsd_f64(_mm_max_pd(a, _mm_unpackhi_pd(a, a))); }
static inline uint64_t lanes_eq(lanes a, double x)
{
    return (uint64_t)_mm_movemask_pd(_mm_cmpeq_pd(a, _mm_set1_pd(x)));
}
#endif

/* The first zone in file order with the largest allowed C (ties: the
 * first), or -1 when no zone is allowed; *most gets its C.  Branch-free
 * over the zones: which one leads is random, and a mispredicted branch per
 * zone would cost more than the comparisons; the first is the lowest bit
 * of a mask of the zones equal to the largest, 64 zones at a time. */
static long most_clean(const double *C, const uint64_t *mask, size_t Z, double *most)
{
    size_t w = 0;
    double m = -1.0;
#ifdef LANES
    lanes m0 = lanes_set(-1.0), m1 = m0;
    for (; w + 2 * LANES <= Z; w += 2 * LANES) {
        m0 = lanes_max(m0, lanes_allowed(C, mask, w));
        m1 = lanes_max(m1, lanes_allowed(C, mask, w + LANES));
    }
    m = lanes_hmax(lanes_max(m0, m1));
#endif
    for (; w < Z; w++) {
        double c = allowed(C, mask, w);
        m = c > m ? c : m;
    }
    *most = m;
    if (m < 0.0)
        return -1;
    for (size_t w0 = 0; w0 < Z; w0 += 64) {
        size_t end = Z - w0 < 64 ? Z : w0 + 64;
        uint64_t bits = 0;
        w = w0;
#ifdef LANES
        for (; w + LANES <= end; w += LANES)
            bits |= lanes_eq(lanes_allowed(C, mask, w), m) << (w - w0);
#endif
        for (; w < end; w++)
            bits |= (uint64_t)(allowed(C, mask, w) == m) << (w - w0);
        if (bits)
            return (long)(w0 + (size_t)__builtin_ctzll(bits));
    }
    return -1; /* not reached: m is some allowed zone's C */
}

/* The fitting zone with the most clean land other than z is the eligible
 * zone other than z with the most clean land (the first in file order on
 * ties), if that one has room.  Since p does not fit z, z need not be left
 * out of the search: if z is not eligible, the mask leaves it out; if it
 * is, C[z] < l, so z leads only when no zone has room, and otherwise ties
 * with no zone that has. */
long ipsim_land_elsewhere(ipsim_ws *ws, size_t z, int t, const ipsim_project *p)
{
    (void)z;
    if (!p->redirect)
        return -1;
    const uint64_t *mask = p->needs_wwtp ? wwtp_mask(ws, t) : NULL;
    double most;
    long best = most_clean(ws->C, mask, ws->m->Z, &most);
    return best >= 0 && most >= p->land ? best : -1;
}

long ipsim_land_host(ipsim_ws *ws, size_t z, int t, const ipsim_project *p)
{
    return ipsim_land_fits(ws, z, t, p) ? (long)z : ipsim_land_elsewhere(ws, z, t, p);
}

/* ipsim_land_take and ipsim_land_return are inline in model.h. */
