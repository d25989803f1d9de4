/* variates.h -- the samplers the model draws with, over keyed streams.
 *
 * Written for speed, each consuming few 32-bit words of a stream.h stream
 * (a Philox block gives four):
 *   normal      ziggurat, 128 layers; one word in ~99 % of draws
 *   lognormal   exp of a ziggurat normal
 *   gamma       Marsaglia-Tsang with its squeeze (shape < 1: the
 *               U^(1/shape) boost); about two words
 *   poisson     inversion (chop-down search) of one word for means below
 *               10, Hormann's PTRS transformed rejection from 10 on
 *   bernoulli   one word against a precomputed threshold
 * Parameters that cost a sqrt or a log are prepared once per zone
 * (ipsim_variates_gamma_prep, ipsim_variates_threshold), not per draw.
 *
 * Changing any algorithm here changes the numbers a seed gives: bump
 * IPSIM_VARIATES_VERSION, which the results file records. */
#ifndef IPSIM_VARIATES_H
#define IPSIM_VARIATES_H

#include <math.h>
#include <stdint.h>

#include "stream.h"

#define IPSIM_VARIATES_VERSION 1

/* Means at or above this use PTRS rather than inversion. */
#define IPSIM_VARIATES_POISSON_PTRS 10.0

/* A gamma shape prepared for Marsaglia-Tsang. */
typedef struct {
    double d, c;      /* d = a' - 1/3, c = 1 / sqrt(9 d), a' = a or a + 1 */
    double inv_shape; /* 1 / a, for the boost when a < 1 */
    int boost;        /* a < 1 */
} ipsim_variates_gamma_shape;

/* shape > 0. */
void ipsim_variates_gamma_prep(ipsim_variates_gamma_shape *g, double shape);

/* The ziggurat (variates.c): its tables, and the rare rest of a draw
 * whose first word w fell outside the layer's inner rectangle. */
#define IPSIM_VARIATES_ZIG_LAYERS 128
extern const uint32_t ipsim_variates_zig_k[IPSIM_VARIATES_ZIG_LAYERS];
extern const double ipsim_variates_zig_w[IPSIM_VARIATES_ZIG_LAYERS];
double ipsim_variates_normal_rest(ipsim_stream *s, uint32_t w);

/* Standard normal.  A word gives the layer (bits 0-6), the sign (bit 7)
 * and the abscissa (bits 8-31); inside the layer's inner rectangle, ~97 %
 * of the time, that is the draw. */
static inline double ipsim_variates_normal(ipsim_stream *s)
{
    uint32_t w = ipsim_stream_u32(s);
    uint32_t i = w & 0x7Fu, j = w >> 8;
    if (j < ipsim_variates_zig_k[i])
        /* +1 or -1 from bit 7 without a branch mispredicted half the time */
        return ((double)(int)((w >> 6) & 2u) - 1.0) * ((double)j * ipsim_variates_zig_w[i]);
    return ipsim_variates_normal_rest(s, w);
}

/* exp(mu + sigma Z). */
static inline double ipsim_variates_lognormal(ipsim_stream *s, double mu, double sigma)
{
    return exp(mu + sigma * ipsim_variates_normal(s));
}

/* Gamma(shape, scale 1). */
double ipsim_variates_gamma(ipsim_stream *s, const ipsim_variates_gamma_shape *g);

/* Poisson(mu), mu >= 0 and finite: inversion of one word below
 * IPSIM_VARIATES_POISSON_PTRS, PTRS from there on; nothing drawn for 0. */
unsigned ipsim_variates_poisson(ipsim_stream *s, double mu);

/* Poisson(mu) by inversion of the word w, for 0 < mu < the PTRS mean.  With
 * the same word a larger mean never gives a smaller count. */
unsigned ipsim_variates_poisson_inv(uint32_t w, double mu);

/* Poisson(mu) by PTRS (transformed rejection), for mu >= 10. */
unsigned ipsim_variates_poisson_ptrs(ipsim_stream *s, double mu);

/* The threshold t with P(word < t) = p to 2^-32: ceil(p 2^32), for p in
 * [0, 1]; the same decision as GSL's u < p with u = word / 2^32. */
uint64_t ipsim_variates_threshold(double p);

static inline int ipsim_variates_bernoulli(ipsim_stream *s, uint64_t threshold)
{
    return (uint64_t)ipsim_stream_u32(s) < threshold;
}

#endif
