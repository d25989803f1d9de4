/* variates.h -- the samplers the model draws with, over keyed streams.
 *
 * Written for speed, each consuming few 32-bit words of a stream.h stream
 * (a Philox block gives four):
 *   normal      ziggurat, 128 layers; one word in ~97 % of draws
 *   lognormal   exp of a ziggurat normal (inline exp, below)
 *   gamma       Marsaglia-Tsang with its squeeze (shape < 1: the
 *               U^(1/shape) boost); about two words
 *   poisson     inversion of one word at every mean: the CDF summed from 0
 *               below 10, searched from the mode from 10 on; so that with
 *               the same word a larger mean never gives a smaller count
 *               (common random numbers, MODEL.md §6)
 *   bernoulli   one word against a precomputed threshold
 * The *_word(s) functions give a draw from the words the model already
 * holds when those words alone decide it, for the batched common path. 
 * Parameters that cost a sqrt or a log are prepared once per zone
 * (ipsim_variates_gamma_prep, ipsim_variates_threshold), not per draw.
 *
 * Changing any algorithm here changes the numbers a seed gives: bump
 * IPSIM_VARIATES_VERSION, which the results file records. */
#ifndef IPSIM_VARIATES_H
#define IPSIM_VARIATES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stream.h"

/* 2: counts from a mean of 10 on by inversion of the count's word (the
 * search below) instead of Hormann's PTRS from a stream of their own, whose
 * counts a policy that moved a mean across 10 left uncorrelated. */
#define IPSIM_VARIATES_VERSION 2

/* Means at or above this are inverted by a search from the mode rather
 * than by summing the CDF from 0. */
#define IPSIM_VARIATES_POISSON_SEARCH 10.0

/* A gamma shape prepared for Marsaglia-Tsang. */
typedef struct {
    double d, c;      /* d = a' - 1/3, c = 1 / sqrt(9 d), a' = a or a + 1 */
    double inv_shape; /* 1 / a, for the boost when a < 1 */
    int boost;        /* a < 1 */
} ipsim_variates_gamma_shape;

/* shape > 0. */
void ipsim_variates_gamma_prep(ipsim_variates_gamma_shape *g, double shape);

/* The gamma of mean `mean` >= 0 and coefficient of variation cv > 0 that
 * MODEL.md draws (shape 1/cv^2, scale mean cv^2), prepared into *g and
 * *scale; returns 0 instead where 1/cv^2 overflows (cv below ~7e-155): no
 * double tells that gamma from its mean, which is then the draw, as at cv
 * = 0.  A scale past DBL_MAX (cv above ~1e154) is held there, so that the
 * zeros its vanishing shape draws stay 0 rather than 0 * inf = NaN. */
int ipsim_variates_gamma_mean_cv(ipsim_variates_gamma_shape *g, double *scale, double mean,
                                 double cv);

/* exp(x) inline, as the ARM optimized-routines exp (the algorithm of
 * glibc's): x = k ln2/128 + r, exp(x) = 2^(k/128) (1 + p(r)) with a table
 * of 2^(i/128) and a degree-5 polynomial, error below 0.52 ulp.  It saves
 * the library call in the hot loop; |x| >= 512 and NaN go to exp(). */
#define IPSIM_VARIATES_EXP_N 128
extern const uint64_t ipsim_variates_exp_tab[2 * IPSIM_VARIATES_EXP_N];

static inline double ipsim_variates_exp(double x)
{
    if (!(fabs(x) < 512.0))
        return exp(x);
    const double shift = 0x1.8p52; /* rounds z to an integer kept in the low bits */
    double z = 0x1.71547652b82fep7 * x, kd = z + shift;
    uint64_t ki, sbits;
    memcpy(&ki, &kd, sizeof ki);
    kd -= shift;
    double r = x + kd * -0x1.62e42fefa0000p-8 + kd * -0x1.cf79abc9e3b3ap-47;
    size_t idx = 2 * (size_t)(ki % IPSIM_VARIATES_EXP_N);
    double tail, scale;
    memcpy(&tail, &ipsim_variates_exp_tab[idx], sizeof tail);
    sbits = ipsim_variates_exp_tab[idx + 1] + (ki << 45);
    memcpy(&scale, &sbits, sizeof scale);
    double r2 = r * r;
    double p = tail + r + r2 * (0x1.ffffffffffdbdp-2 + r * 0x1.555555555543cp-3) +
               r2 * r2 * (0x1.55555cf172b91p-5 + r * 0x1.1111167a4d017p-7);
    return scale + scale * p;
}

/* y[k] = ipsim_variates_exp(x[k]) for k < n, bit for bit, four at a time
 * in AVX2 lanes where the CPU has AVX2 (the same operations in the same
 * order: no FMA, the same table). */
void ipsim_variates_exp_n(const double *x, double *y, size_t n);

/* The ziggurat (variates.c): its tables, and the rare rest of a draw
 * whose first word w fell outside the layer's inner rectangle. */
#define IPSIM_VARIATES_ZIG_LAYERS 128
extern const uint32_t ipsim_variates_zig_k[IPSIM_VARIATES_ZIG_LAYERS];
extern const double ipsim_variates_zig_w[IPSIM_VARIATES_ZIG_LAYERS];
double ipsim_variates_normal_rest(ipsim_stream *s, uint32_t w);

/* The standard normal a first word w gives alone: the layer (bits 0-6),
 * the sign (bit 7) and the abscissa (bits 8-31).  Returns 1 when the point
 * is inside the layer's inner rectangle (~97 %), when *x is the draw;
 * else the draw goes on (ipsim_variates_normal_rest) with more words. */
static inline int ipsim_variates_normal_word(uint32_t w, double *x)
{
    uint32_t i = w & 0x7Fu, j = w >> 8;
    /* +1 or -1 from bit 7 without a branch mispredicted half the time */
    *x = ((double)(int)((w >> 6) & 2u) - 1.0) * ((double)j * ipsim_variates_zig_w[i]);
    return j < ipsim_variates_zig_k[i];
}

/* Standard normal. */
static inline double ipsim_variates_normal(ipsim_stream *s)
{
    uint32_t w = ipsim_stream_u32(s);
    double x;
    if (ipsim_variates_normal_word(w, &x))
        return x;
    return ipsim_variates_normal_rest(s, w);
}

/* exp(mu + sigma Z). */
static inline double ipsim_variates_lognormal(ipsim_stream *s, double mu, double sigma)
{
    return ipsim_variates_exp(mu + sigma * ipsim_variates_normal(s));
}

/* Gamma(shape, scale 1). */
double ipsim_variates_gamma(ipsim_stream *s, const ipsim_variates_gamma_shape *g);

/* log(x) for a normal, finite x > 0, with an absolute error below 1e-12
 * (1 + |log x|): not glibc's log, so it only decides where the result is
 * clear by a margin far wider than that (ipsim_variates_gamma_log_test).
 * x = 2^k z with z in [0.6875, 1.375), z in one of 128 ranges with a
 * tabled c near its middle: log x = k ln 2 + log c + log(1 + r), r = z/c - 1,
 * |r| < 0.004, log(1 + r) to r^4.  No division, so a short chain. */
#define IPSIM_VARIATES_LOG_N 128
extern const double ipsim_variates_log_tab[2 * IPSIM_VARIATES_LOG_N];

static inline double ipsim_variates_log_approx(double x)
{
    uint64_t ix, iz, top;
    memcpy(&ix, &x, sizeof ix);
    top = ix - 0x3fe6000000000000ull;
    int64_t k = (int64_t)top >> 52; /* arithmetic shift (GCC, Clang) */
    size_t i = (size_t)(top >> 45) % IPSIM_VARIATES_LOG_N;
    iz = ix - (top & (0xfffull << 52));
    double z;
    memcpy(&z, &iz, sizeof z);
    double r = z * ipsim_variates_log_tab[2 * i] - 1.0, r2 = r * r;
    double p = r + r2 * (-0.5 + r * (1.0 / 3)) + r2 * r2 * -0.25;
    return ((double)k * 0x1.62e42fefa39efp-1 + ipsim_variates_log_tab[2 * i + 1]) + p;
}

/* Marsaglia and Tsang's log test, log(u) < x^2/2 + d (1 - v + log v), taken
 * exactly as glibc's log() would decide it: by the approximate logarithms
 * where that is clear by 1e-9 of the terms' size (a thousand times their
 * error), else by glibc's log (~1e-9 of the tests).  So the same numbers,
 * without two library calls for one gamma try in ten. */
int ipsim_variates_gamma_log_test(const ipsim_variates_gamma_shape *g, double x2, double v,
                                  double u);

/* Marsaglia and Tsang's squeeze on a try's x^2 and u: accepts without a
 * logarithm (~92 % of tries). */
static inline int ipsim_variates_gamma_squeeze(double x2, double u)
{
    return u < 1.0 - 0.0331 * x2 * x2;
}

/* Marsaglia and Tsang's acceptance test of a try (x, v = (1 + c x)^3, u):
 * the squeeze first, the logarithms only when it fails. */
static inline int ipsim_variates_gamma_accepts(const ipsim_variates_gamma_shape *g, double x,
                                               double v, double u)
{
    double x2 = x * x;
    return ipsim_variates_gamma_squeeze(x2, u) || ipsim_variates_gamma_log_test(g, x2, v, u);
}

/* Marsaglia and Tsang's first try from the two words w0 (its normal) and
 * w1 (its uniform), with no branch on them (the batched path takes many
 * at once, and a squeeze that fails one try in ten would be a mispredicted
 * branch): *r = d v and *tr the try, and
 *   IPSIM_GAMMA_ACCEPT  the squeeze accepts it: *r is the draw;
 *   IPSIM_GAMMA_LOG     only the log test can (ipsim_variates_gamma_log_test
 *                       on *tr): *r is the draw if it does;
 *   IPSIM_GAMMA_MORE    the words do not decide (the normal needs more, a
 *                       shape below 1 needs a third word for its boost, or
 *                       v <= 0): ipsim_variates_gamma on the same words does.
 * The same arithmetic as ipsim_variates_gamma, so the same number. */
enum { IPSIM_GAMMA_ACCEPT = 0, IPSIM_GAMMA_LOG = 1, IPSIM_GAMMA_MORE = 2 };

typedef struct {
    double x2, v, u;
} ipsim_variates_gamma_try;

static inline int ipsim_variates_gamma_first(const ipsim_variates_gamma_shape *g, uint32_t w0,
                                             uint32_t w1, double *r, ipsim_variates_gamma_try *tr)
{
    double x;
    int normal = ipsim_variates_normal_word(w0, &x);
    double v = 1.0 + g->c * x;
    int more = (!normal) | g->boost | (!(v > 0.0));
    v = v * v * v;
    *r = g->d * v;
    tr->x2 = x * x;
    tr->v = v;
    tr->u = ipsim_stream_word_uniform(w1);
    int squeeze = ipsim_variates_gamma_squeeze(tr->x2, tr->u);
    return more * IPSIM_GAMMA_MORE | (!more & !squeeze); /* arithmetic: no branch */
}

/* The gamma the two words w0 and w1 give alone: 1 and *r when
 * Marsaglia-Tsang's first try is accepted (~96 % at shape 4; never for a
 * shape below 1); else 0, and ipsim_variates_gamma on the same words
 * decides. */
static inline int ipsim_variates_gamma_words(const ipsim_variates_gamma_shape *g, uint32_t w0,
                                             uint32_t w1, double *r)
{
    ipsim_variates_gamma_try tr;
    int first = ipsim_variates_gamma_first(g, w0, w1, r, &tr);
    return first == IPSIM_GAMMA_ACCEPT ||
           (first == IPSIM_GAMMA_LOG && ipsim_variates_gamma_log_test(g, tr.x2, tr.v, tr.u));
}

/* Poisson(mu), mu >= 0 and finite: inversion of one word; nothing drawn
 * for 0. */
unsigned ipsim_variates_poisson(ipsim_stream *s, double mu);

/* Poisson(mu) by inversion of u in (0, 1), for any mu > 0 (used from
 * IPSIM_VARIATES_POISSON_SEARCH on): the smallest k with P(N <= k) >= u,
 * searched from the mode; 2^32 - 1 for mu >= 2^31. */
unsigned ipsim_variates_poisson_search(double u, double mu);

/* Poisson(mu) by inversion of the word w below the search's mean:
 * N = the number of CDF values P(N <= j) below u, so with the same word a
 * larger mean (smaller CDF values) never gives a smaller count.  The first
 * four terms are compared without branches (a count is below 4 in 98 % of
 * months at a mean near 1, and an unpredictable loop exit would cost more
 * than the sums); the rest of the CDF is walked only when u lies beyond.
 * Reciprocals from a table keep divisions out of the loop. */
#define IPSIM_VARIATES_RECIP 64
extern const double ipsim_variates_recip[IPSIM_VARIATES_RECIP];

unsigned ipsim_variates_poisson_tail(double u, double mu, double p, double cdf);

/* The first four terms of the inversion of u, with p0 = exp(-mu) given:
 * the count when it is below 4 (u <= P(N <= 3), *tail = 0), else *tail =
 * 1 and ipsim_variates_poisson_tail(u, mu, *p3, *f3) goes on.  No branch,
 * so that a compiler can take many means at once in SIMD lanes. */
static inline unsigned ipsim_variates_poisson_head(double u, double mu, double p0, int *tail,
                                                   double *p3, double *f3)
{
    const double *r = ipsim_variates_recip;
    double p1 = p0 * (mu * r[1]), p2 = p1 * (mu * r[2]);
    *p3 = p2 * (mu * r[3]);
    double f0 = p0, f1 = f0 + p1, f2 = f1 + p2;
    *f3 = f2 + *p3;
    *tail = u > *f3;
    return (unsigned)(u > f0) + (unsigned)(u > f1) + (unsigned)(u > f2);
}

/* Poisson(mu), mu > 0, by inversion of the word w, at any mean; p0 =
 * ipsim_variates_exp(-mu) given (computed for many means at once with
 * ipsim_variates_exp_n), which the search does not use. */
static inline unsigned ipsim_variates_poisson_inv_p0(uint32_t w, double mu, double p0)
{
    double u = ipsim_stream_word_uniform(w), p3, f3;
    if (mu >= IPSIM_VARIATES_POISSON_SEARCH)
        return ipsim_variates_poisson_search(u, mu);
    int tail;
    unsigned n = ipsim_variates_poisson_head(u, mu, p0, &tail, &p3, &f3);
    return tail ? ipsim_variates_poisson_tail(u, mu, p3, f3) : n;
}

static inline unsigned ipsim_variates_poisson_inv(uint32_t w, double mu)
{
    return ipsim_variates_poisson_inv_p0(w, mu, ipsim_variates_exp(-mu));
}

/* The threshold t with P(word < t) = p to 2^-32: ceil(p 2^32), for p in
 * [0, 1]; the same decision as GSL's u < p with u = word / 2^32. */
uint64_t ipsim_variates_threshold(double p);

static inline int ipsim_variates_bernoulli(ipsim_stream *s, uint64_t threshold)
{
    return (uint64_t)ipsim_stream_u32(s) < threshold;
}

#endif
