/* stream.h -- keyed random streams (MODEL.md §6).
 *
 * Every draw is a pure function of (seed, path, zone, month, purpose, index):
 * the seed is the Philox4x32 key, the other five fill the first three
 * counter words, and Random123's GSL micro-generator uses the fourth word
 * for its own draw count.  Any GSL sampler can then draw from a stream, and
 * two runs that make the same draw get the same number whatever else they
 * do (common random numbers).
 *
 * Counter layout:  c0 = path,  c1 = zone << 12 | month,
 *                  c2 = purpose << 28 | index,  c3 = draw count. */
#ifndef IPSIM_STREAM_H
#define IPSIM_STREAM_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "error.h"

/* One purpose per kind of draw, so a policy that changes one draw's
 * parameters (and a rejection sampler's consumption) never shifts another. */
enum ipsim_purpose {
    IPSIM_P_MACRO = 0, /* eps_t (zone 0) */
    IPSIM_P_CLEARANCE, /* X, per zone and month */
    IPSIM_P_COUNT,     /* N, per zone and month */
    IPSIM_P_FDI,       /* the seven draws of arriving project `index` */
    IPSIM_P_CAPITAL,
    IPSIM_P_INTENSITY,
    IPSIM_P_WWTP,
    IPSIM_P_LAG,
    IPSIM_P_ABANDON,
    IPSIM_P_REDIRECT,
    IPSIM_NPURPOSES
};

#define IPSIM_STREAM_MAX_PATHS 0xFFFFFFFFull   /* path < 2^32 */
#define IPSIM_STREAM_MAX_ZONES (1u << 20)
#define IPSIM_STREAM_MAX_MONTHS (1u << 12)
#define IPSIM_STREAM_MAX_INDEX (1u << 28)

typedef struct {
    gsl_rng *rng;
    uint32_t key[2];
    uint32_t path;
} ipsim_stream;

int ipsim_stream_init(ipsim_stream *s, ipsim_error *err);
void ipsim_stream_free(ipsim_stream *s);

/* Selects the seed and path for the following ipsim_stream_at() calls. */
void ipsim_stream_set_path(ipsim_stream *s, uint64_t seed, uint64_t path);

/* Restarts the generator at the stream (zone, month, purpose, index) and
 * returns it for GSL samplers.  Valid until the next call. */
gsl_rng *ipsim_stream_at(ipsim_stream *s, uint32_t zone, uint32_t month, uint32_t purpose,
                         uint32_t index);

#endif
