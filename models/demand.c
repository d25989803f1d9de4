/* demand.c -- who arrives: the macro factor, monthly arrival counts and the
 * seven draws of each arriving project (MODEL.md §4.1, §4.3).
 *
 * The macro factor, each count and each project draw from their own keyed
 * streams (stream.h), so the draws are the same in any scenario that makes
 * them: a policy changes what happens to a project, never which project
 * arrives.
 *   - A count inverts one word, at any mean: word t % 4 of the block of
 *     (zone, t - t % 4, COUNT), so one Philox block serves four months
 *     (the model computes every zone's at once, every fourth month).  With
 *     the same word a larger mean never gives fewer arrivals, so a policy
 *     that raises a mean adds projects and keeps the others.
 *   - A project's seven draws share one stream (zone, t, PROJECT, i): the
 *     four Bernoullis take the four words of its first block, then
 *     capital, intensity and lag take words in that order.  Only the
 *     ziggurat normals (rarely, and as the words alone decide) and the
 *     lag's gamma (last; its shape is the zone's) consume a variable number
 *     of words, and no policy (an upgrade, a WWTP date, a clearance rate)
 *     changes either.
 *     The model computes the first two blocks of a month's projects in
 *     batches (stream.h), which gives the same words. */
#include "model.h"

#include <math.h>
#include <string.h>

void ipsim_demand_prepare(ipsim_model *m, size_t z)
{
    const ipsim_zone *zp = &m->zones[z];
    ipsim_zone_draws *d = &m->draws[z];
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
    /* mu = 0 too: Gamma with scale 0 is 0, so tau = 1 */
    if (cv == 0.0 || mu == 0.0 ||
        !ipsim_variates_gamma_mean_cv(&d->lag_shape, &d->lag_scale, mu, cv)) {
        double c = ceil(mu);
        d->lag_fixed = c < 1.0 ? 1 : c < 1e9 ? (int)c : 1000000000;
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
    return ipsim_variates_exp(ws->macro_m - m->macro_half_var[t]);
}

/* The count with mean mu by inverting its word w, p0 = exp(-mu) given
 * (computed for many zones at once); 0 for mu <= 0.  The callers count the
 * draws. */
static unsigned count_of(double mu, uint32_t w, double p0)
{
    return mu > 0.0 ? ipsim_variates_poisson_inv_p0(w, mu, p0) : 0;
}

/* The count block of zone z for the four months from t - t % 4. */
static void count_block(const ipsim_ws *ws, size_t z, int t, uint32_t w[4])
{
    ipsim_stream_block(&ws->st, ipsim_stream_c1((uint32_t)z, (uint32_t)(t - t % 4)),
                       ipsim_stream_c2(IPSIM_P_COUNT, 0), 0, w);
}

unsigned ipsim_demand_count(ipsim_ws *ws, size_t z, int t, double macro)
{
    const ipsim_model *m = ws->m;
    uint32_t w[4];
    count_block(ws, z, t, w);
    double mu = m->count_mean[(size_t)t * m->Z + z] * macro;
    ws->draws[IPSIM_P_COUNT] += mu > 0.0;
    return count_of(mu, w[t % 4], ipsim_variates_exp(-mu));
}

/* Every zone's count block for the four months from t - t % 4, a batch at
 * a time, unless ws->count_words already holds them for this path: word q
 * of zone z's block in count_words[q Z + z], so that a month's words are
 * one array. */
static void count_blocks(ipsim_ws *ws, int t)
{
    if (ws->count_gen == ws->st.gen && ws->count_quad == t / 4)
        return;
    ipsim_stream_batch *b = &ws->batch;
    for (size_t z0 = 0; z0 < ws->m->Z; z0 += b->cap) {
        size_t z1 = ws->m->Z - z0 < b->cap ? ws->m->Z : z0 + b->cap;
        ipsim_stream_batch_reset(b, 0);
        for (size_t z = z0; z < z1; z++)
            ipsim_stream_batch_add(b, (uint32_t)z, (uint32_t)(t - t % 4), IPSIM_P_COUNT, 0, 0);
        ipsim_stream_batch_run(&ws->st, b);
        for (size_t q = 0; q < 4; q++)
            for (size_t z = z0; z < z1; z++)
                ws->count_words[q * ws->m->Z + z] = b->w[z - z0][q];
    }
    ws->count_gen = ws->st.gen;
    ws->count_quad = t / 4;
}

/* The exponents of capital and land from the project's normals z1
 * (capital) and z2 (intensity): K = exp(a), I = exp(b) and l = K / I =
 * exp(a - b), two independent exps and no division. */
static void project_exponents(const ipsim_zone_draws *d, int fdi, double z1, double z2,
                              double *log_capital, double *log_land)
{
    double a = d->log_median[fdi] + d->capital_sigma * z1;
    double b = d->log_capital_per_ha + d->intensity_sigma * z2;
    *log_capital = a;
    *log_land = a - b;
}

/* The lag from its Gamma(shape, 1) draw g (unused when the lag is fixed):
 * ceil(y), at least 1, for 0 <= y < 1e9, else 1e9 (past any horizon:
 * never applied).  As the truncation plus one where it fell short, in
 * integers: the same number as ceil(), without the branchy ceil() of
 * baseline x86-64 or a long chain of double operations, and with selects
 * rather than branches (the batched path computes it even for draws it
 * will redo). */
static int project_lag(const ipsim_zone_draws *d, double g)
{
    double y = d->lag_scale * g;
    y = y < 1e9 ? y : 1e9;
    y = y > 0.0 ? y : 0.0; /* (a draw to redo may give any y) */
    int i = (int)y;
    i += (double)i < y;
    i = i < 1 ? 1 : i;
    return d->lag_fixed ? d->lag_fixed : i;
}

/* The draws after the four Bernoullis, from the stream: the two normals
 * and the lag's gamma, in that order. */
static void project_rest(ipsim_stream *s, const ipsim_zone_draws *d, ipsim_project *p, double *a,
                         double *l)
{
    double z1 = ipsim_variates_normal(s);
    double z2 = ipsim_variates_normal(s);
    double g = d->lag_fixed ? 0.0 : ipsim_variates_gamma(s, &d->lag_shape);
    project_exponents(d, p->fdi, z1, z2, a, l);
    p->lag = project_lag(d, g);
}

/* The seven draws from the project's selected stream, in its order. */
static void project_draws(ipsim_ws *ws, size_t z, ipsim_project *p)
{
    const ipsim_zone_draws *d = &ws->m->draws[z];
    ipsim_stream *s = &ws->st;
    p->fdi = ipsim_variates_bernoulli(s, d->fdi);
    p->needs_wwtp = ipsim_variates_bernoulli(s, d->wwtp);
    p->abandon = ipsim_variates_bernoulli(s, d->abandon);
    p->redirect = ipsim_variates_bernoulli(s, d->redirect);
    double a, l;
    project_rest(s, d, p, &a, &l);
    p->capital = ipsim_variates_exp(a);
    p->land = ipsim_variates_exp(l);
}

/* What the stream's first eight words leave of a project (project_words). */
enum {
    WORDS_DONE,   /* all of it: only the two exps are left */
    WORDS_LOG,    /* the lag, if the log test accepts its first try */
    WORDS_LAG,    /* all but the lag, whose gamma needs more words */
    /* (these three are IPSIM_GAMMA_ACCEPT, _LOG and _MORE of the lag) */
    WORDS_NORMAL, /* the Bernoullis only: a normal needs more words */
};

/* The four Bernoullis from the stream's first four words w. */
static void project_flags(const ipsim_zone_draws *d, const uint32_t w[4], ipsim_project *p)
{
    p->fdi = (uint64_t)w[0] < d->fdi;
    p->needs_wwtp = (uint64_t)w[1] < d->wwtp;
    p->abandon = (uint64_t)w[2] < d->abandon;
    p->redirect = (uint64_t)w[3] < d->redirect;
}

/* The rest of a project from the stream's first eight words w: the
 * exponents of its capital and land (*a, *l: the exps are left to the
 * caller, many at once), its *lag, and the returned WORDS_* of what is
 * left (~93 % of projects: nothing).  Straight-line code with no branch on
 * the words, whose outcomes are random.  demand_lanes.c does the same
 * four projects at a time. */
static int project_words(const ipsim_zone_draws *d, const uint32_t w[8], double *a, double *l,
                         int *lag)
{
    double z1, z2, g;
    ipsim_variates_gamma_try tr;
    int normals = ipsim_variates_normal_word(w[4], &z1) & ipsim_variates_normal_word(w[5], &z2);
    /* a fixed lag draws nothing: its (zeroed) shape only makes numbers */
    int first = ipsim_variates_gamma_first(&d->lag_shape, w[6], w[7], &g, &tr);
    first = d->lag_fixed ? IPSIM_GAMMA_ACCEPT : first;
    project_exponents(d, (uint64_t)w[0] < d->fdi, z1, z2, a, l);
    *lag = project_lag(d, g);
    /* WORDS_NORMAL (3) or'ed onto any other gives itself: no branch */
    return first | (!normals * WORDS_NORMAL);
}

void ipsim_demand_project(ipsim_ws *ws, size_t z, int t, unsigned i, ipsim_project *p)
{
    ipsim_stream_at(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i);
    project_draws(ws, z, p);
    ws->draws[IPSIM_P_PROJECT]++;
}

int ipsim_demand_month(ipsim_ws *ws, int t, double macro, ipsim_error *err)
{
    const ipsim_model *m = ws->m;
    size_t Z = m->Z;
    const double *mean = m->count_mean + (size_t)t * Z;
    double *mu = ws->count_mu, *p0 = ws->count_p0;
    unsigned *n = ws->arrivals;
    int *tail = ws->count_tail;
    count_blocks(ws, t);
    const uint32_t *w = ws->count_words + (size_t)(t % 4) * Z;
    /* every zone's P(N = 0) = exp(-mu) at once, in SIMD lanes */
    for (size_t z = 0; z < Z; z++) {
        mu[z] = mean[z] * macro;
        p0[z] = -mu[z];
    }
    ipsim_variates_exp_n(p0, p0, Z);
    /* the usual count (a mean in (0, 10), fewer than 4 arrivals) of
     * every zone, in SIMD lanes too; then the others */
    uint64_t drawn = 0;
    int any = 0;
    for (size_t z = 0; z < Z; z++) {
        double p3, f3;
        n[z] = ipsim_variates_poisson_head(ipsim_stream_word_uniform(w[z]), mu[z], p0[z], &tail[z],
                                           &p3, &f3);
        tail[z] |= !(mu[z] > 0.0) | !(mu[z] < IPSIM_VARIATES_POISSON_SEARCH);
        drawn += mu[z] > 0.0;
        any |= tail[z];
    }
    ws->draws[IPSIM_P_COUNT] += drawn;
    for (size_t z = 0; any && z < Z; z++) {
        if (!tail[z])
            continue;
        n[z] = count_of(mu[z], w[z], p0[z]);
        if (n[z] >= IPSIM_STREAM_MAX_INDEX)
            return ipsim_error_set(err, IPSIM_EINPUT,
                                   "zones[%s].projects_per_year: %u arrivals in one month (the "
                                   "macro factor included) exceed the %u a zone-month's random "
                                   "stream can index",
                                   m->zones[z].name, n[z], IPSIM_STREAM_MAX_INDEX);
    }
    ws->next_zone = 0;
    ws->next_index = 0;
    return IPSIM_OK;
}

/* What project_words left of project k of the chunk, from its stream,
 * whose first two blocks the batch holds.  Out of line: ~7 % of
 * projects. */
__attribute__((noinline)) static void redraw(ipsim_ws *ws, int t, size_t k, int left)
{
    const ipsim_stream_batch *b = &ws->batch;
    size_t z = ws->chunk_zone[k];
    const ipsim_zone_draws *d = &ws->m->draws[z];
    ipsim_project *p = &ws->chunk[k];
    uint32_t i = b->c2[k] & 0x0FFFFFFFu; /* the index it was put with */
    ipsim_stream_at_words(&ws->st, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i, b->w[2 * k], 2);
    ipsim_stream_skip(&ws->st, 4); /* the Bernoullis, which project_flags drew */
    double a, l;
    project_rest(&ws->st, d, p, &a, &l);
    if (left == WORDS_NORMAL) { /* else the normals, so a and l, are the batch's */
        p->capital = ipsim_variates_exp(a);
        p->land = ipsim_variates_exp(l);
    }
}

/* Projects [0, n) of the chunk from the batch's words: project_words for
 * all (four at a time where the CPU allows), the exps of all in SIMD
 * lanes, then the log tests and the redraws of the few that need them,
 * from lists made without a branch. */
static void chunk_draw(ipsim_ws *ws, int t, size_t n)
{
    const ipsim_stream_batch *b = &ws->batch;
    const ipsim_zone_draws *draws = ws->m->draws;
    double *la = ws->chunk_exp, *ll = ws->chunk_exp + IPSIM_DEMAND_CHUNK;
    int *lag = ws->chunk_lag;
    unsigned char *left = ws->chunk_left;
    size_t *tests = ws->chunk_tests, *redo = ws->chunk_redo, n_tests = 0, n_redo = 0;
    size_t k = ipsim_demand_words_lanes(draws, ws->chunk_zone, b->w, n, la, ll, lag, left);
    for (; k < n; k++)
        left[k] = (unsigned char)project_words(&draws[ws->chunk_zone[k]], b->w[2 * k], &la[k],
                                               &ll[k], &lag[k]);
    ipsim_variates_exp_n(la, la, n); /* capital and land of all */
    ipsim_variates_exp_n(ll, ll, n);
    for (k = 0; k < n; k++) {
        ipsim_project *p = &ws->chunk[k];
        project_flags(&draws[ws->chunk_zone[k]], b->w[2 * k], p);
        p->capital = la[k];
        p->land = ll[k];
        p->lag = lag[k];
        tests[n_tests] = k;
        n_tests += left[k] == WORDS_LOG;
        redo[n_redo] = k;
        n_redo += left[k] >= WORDS_LAG;
    }
    for (size_t j = 0; j < n_tests; j++) {
        k = tests[j];
        const ipsim_variates_gamma_shape *g = &draws[ws->chunk_zone[k]].lag_shape;
        ipsim_variates_gamma_try tr;
        double r;
        ipsim_variates_gamma_first(g, b->w[2 * k + 1][2], b->w[2 * k + 1][3], &r, &tr);
        if (!ipsim_variates_gamma_log_test(g, tr.x2, tr.v, tr.u)) {
            left[k] = WORDS_LAG;
            redo[n_redo++] = k;
        }
    }
    for (size_t j = 0; j < n_redo; j++)
        redraw(ws, t, redo[j], left[redo[j]]);
}

size_t ipsim_demand_next(ipsim_ws *ws, int t)
{
    ipsim_stream_batch *b = &ws->batch;
    size_t z = ws->next_zone, n = 0;
    unsigned i = ws->next_index;
    while (z < ws->m->Z && n < IPSIM_DEMAND_CHUNK) {
        unsigned left = ws->arrivals[z] - i; /* i <= arrivals[z] */
        if (left <= 2 && n + 2 <= IPSIM_DEMAND_CHUNK) {
            /* the usual zone: two slots written whether used or not, so
             * that no branch depends on the (random) count */
            for (unsigned j = 0; j < 2; j++) {
                ws->chunk_zone[n + j] = z;
                ipsim_stream_batch_put(b, n + j, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i + j);
            }
            n += left;
            z++;
            i = 0;
            continue;
        }
        for (; i < ws->arrivals[z] && n < IPSIM_DEMAND_CHUNK; i++) {
            ws->chunk_zone[n] = z;
            ipsim_stream_batch_put(b, n++, (uint32_t)z, (uint32_t)t, IPSIM_P_PROJECT, i);
        }
        if (i == ws->arrivals[z]) {
            z++;
            i = 0;
        }
    }
    ws->next_zone = z;
    ws->next_index = i;
    ipsim_stream_batch_reset(b, 1);
    b->n = n;
    ipsim_stream_batch_run(&ws->st, b); /* every project's first two blocks */
    chunk_draw(ws, t, n);
    ws->draws[IPSIM_P_PROJECT] += n;
    return n;
}

/* Records a placed project in host w; the arrival zone keeps lost ones.
 * Inline in the arrivals loop, where most projects are placed. */
static inline __attribute__((always_inline)) void place(ipsim_ws *ws, size_t w, int t,
                                                        const ipsim_project *p)
{
    size_t Z = ws->m->Z;
    ipsim_land_take(ws, w, p->land);
    ws->out[IPSIM_M_REGISTERED * Z + w] += 1.0;
    ws->out[(p->fdi ? IPSIM_M_FDI : IPSIM_M_DOMESTIC) * Z + w] += p->capital;
    ipsim_lifecycle_schedule(ws, w, t, p);
}

/* Records a project lost in its arrival zone z. */
static inline void lose(ipsim_ws *ws, size_t z, const ipsim_project *p)
{
    size_t Z = ws->m->Z;
    ws->out[IPSIM_M_LOST * Z + z] += 1.0;
    ws->out[IPSIM_M_LOST_CAPITAL * Z + z] += p->capital;
}

/* A project that does not fit where it arrives and may be redirected:
 * redirected or lost.  Out of line, so that the common path (it fits) is
 * one branch and little code, and the redirect search's registers stay
 * out of it. */
__attribute__((noinline)) static void misfit(ipsim_ws *ws, size_t z, int t,
                                             const ipsim_project *p)
{
    long w = ipsim_land_elsewhere(ws, z, t, p);
    if (w >= 0)
        place(ws, (size_t)w, t, p);
    else
        lose(ws, z, p);
}

int ipsim_demand_arrivals(ipsim_ws *ws, int t, double macro, ipsim_error *err)
{
    size_t n;
    int rc = ipsim_demand_month(ws, t, macro, err);
    if (rc != IPSIM_OK)
        return rc;
    while ((n = ipsim_demand_next(ws, t)) > 0) {
        for (size_t k = 0; k < n; k++) {
            const ipsim_project *p = &ws->chunk[k];
            size_t z = ws->chunk_zone[k];
            if (ipsim_land_fits(ws, z, t, p)) {
                place(ws, z, t, p);
            } else if (!p->redirect) { /* lost, without the call */
                lose(ws, z, p);
            } else {
                misfit(ws, z, t, p);
            }
        }
    }
    return IPSIM_OK;
}
