/* stream.h -- keyed random streams (MODEL.md §6).
 *
 * Every draw is a pure function of (seed, path, zone, month, purpose, index):
 * the seed is the Philox4x32-10 key, the other five fill the first three
 * counter words, and the fourth counter word numbers the 128-bit blocks of
 * one stream.  A stream hands out the 32-bit words of its blocks in order,
 * four per block, to the samplers of variates.h.  Two runs that select the
 * same stream get the same words whatever else they did before (common
 * random numbers), and selecting a stream costs nothing until its first
 * word is needed.
 *
 * Blocks can also be computed many at a time (ipsim_stream_batch): where
 * the CPU has AVX2 (better, AVX-512VL), eight blocks per instruction in
 * SIMD lanes; a batch of pairs computes the first two blocks of each of
 * its streams from one pair of counter words.  A stream
 * primed with blocks from a batch (ipsim_stream_at_words) gives exactly the
 * words it would have computed itself.
 *
 * Counter layout:  c0 = path,  c1 = zone << 12 | month,
 *                  c2 = purpose << 28 | index,  c3 = block number. */
#ifndef IPSIM_STREAM_H
#define IPSIM_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <Random123/philox.h>

#include "error.h"

/* One purpose per group of draws that must not shift one another: a
 * policy that changes how many words one group consumes (a clearance that
 * is skipped, more arrivals) never moves another group's words. */
enum ipsim_purpose {
    IPSIM_P_MACRO = 0,   /* eps_t (zone 0) */
    IPSIM_P_CLEARANCE,   /* X, per zone and month */
    IPSIM_P_COUNT,       /* N: word t % 4 of (zone, t - t % 4) */
    IPSIM_P_PROJECT,     /* the seven draws of arriving project `index` */
    IPSIM_NPURPOSES
};

#define IPSIM_STREAM_MAX_PATHS 0xFFFFFFFFull   /* path < 2^32 */
#define IPSIM_STREAM_MAX_ZONES (1u << 20)
#define IPSIM_STREAM_MAX_MONTHS (1u << 12)
#define IPSIM_STREAM_MAX_INDEX (1u << 28)

/* Blocks a stream can hold primed. */
#define IPSIM_STREAM_PRIMED 2

typedef struct {
    philox4x32_key_t key;
    philox4x32_ctr_t ctr;                   /* the stream's counter; v[3] = next block */
    uint32_t buf[4 * IPSIM_STREAM_PRIMED]; /* words not yet used: buf[pos .. end) */
    unsigned pos, end;
    uint32_t gen; /* bumped by every ipsim_stream_set_path: tags caches of words */
} ipsim_stream;

/* Kept for symmetry with the other per-thread objects: a stream owns no
 * memory, so these cannot fail. */
int ipsim_stream_init(ipsim_stream *s, ipsim_error *err);
void ipsim_stream_free(ipsim_stream *s);

/* Selects the seed and path for the following ipsim_stream_at() calls. */
void ipsim_stream_set_path(ipsim_stream *s, uint64_t seed, uint64_t path);

static inline uint32_t ipsim_stream_c1(uint32_t zone, uint32_t month)
{
    return (zone << 12) | (month & 0xFFFu);
}

static inline uint32_t ipsim_stream_c2(uint32_t purpose, uint32_t index)
{
    return (purpose << 28) | (index & 0x0FFFFFFFu);
}

/* Selects the stream (zone, month, purpose, index) from its first word. */
static inline void ipsim_stream_at(ipsim_stream *s, uint32_t zone, uint32_t month,
                                   uint32_t purpose, uint32_t index)
{
    s->ctr.v[1] = ipsim_stream_c1(zone, month);
    s->ctr.v[2] = ipsim_stream_c2(purpose, index);
    s->ctr.v[3] = 0;
    s->pos = s->end = 0;
}

/* The same, with its first n_blocks blocks (<= IPSIM_STREAM_PRIMED)
 * already computed in words[0 .. 4 n_blocks). */
static inline void ipsim_stream_at_words(ipsim_stream *s, uint32_t zone, uint32_t month,
                                         uint32_t purpose, uint32_t index, const uint32_t *words,
                                         unsigned n_blocks)
{
    s->ctr.v[1] = ipsim_stream_c1(zone, month);
    s->ctr.v[2] = ipsim_stream_c2(purpose, index);
    s->ctr.v[3] = n_blocks;
    memcpy(s->buf, words, 16 * (size_t)n_blocks);
    s->pos = 0;
    s->end = 4 * n_blocks;
}

/* Skips the next n words of those primed (n <= the words left). */
static inline void ipsim_stream_skip(ipsim_stream *s, unsigned n)
{
    s->pos += n;
}

/* Computes the stream's next block into buf (out of line: the inline
 * fast path below stays small enough to inline everywhere). */
void ipsim_stream_refill(ipsim_stream *s);

/* Next 32-bit word of the selected stream. */
static inline uint32_t ipsim_stream_u32(ipsim_stream *s)
{
    if (s->pos == s->end)
        ipsim_stream_refill(s);
    return s->buf[s->pos++];
}

/* A uniform in the open interval (0, 1) from one word: (w + 1/2) / 2^32,
 * so that log() of it is always finite. */
static inline double ipsim_stream_word_uniform(uint32_t w)
{
    return ((double)w + 0.5) * (1.0 / 4294967296.0);
}

static inline double ipsim_stream_uniform(ipsim_stream *s)
{
    return ipsim_stream_word_uniform(ipsim_stream_u32(s));
}

/* Philox4x32-10 of the counter {path, c1, c2, c3} of the stream's path:
 * one block computed on its own. */
void ipsim_stream_block(const ipsim_stream *s, uint32_t c1, uint32_t c2, uint32_t c3,
                        uint32_t out[4]);

/* Blocks of many streams of one path, computed together.  Either n
 * blocks, c1, c2, c3 the counter words of each (pairs = 0), or the blocks
 * 0 and 1 of n streams (pairs = 1: c1, c2 the streams' words, the blocks
 * in w[2k] and w[2k + 1]; n <= cap / 2). */
typedef struct {
    uint32_t *c1, *c2, *c3; /* [cap] counter words */
    uint32_t (*w)[4];       /* [cap] the blocks' words, after ipsim_stream_batch_run */
    size_t n, cap;
    int pairs;
} ipsim_stream_batch;

int ipsim_stream_batch_alloc(ipsim_stream_batch *b, size_t cap, ipsim_error *err);
void ipsim_stream_batch_free(ipsim_stream_batch *b);

/* Empties the batch, for blocks (pairs = 0) or pairs of blocks. */
static inline void ipsim_stream_batch_reset(ipsim_stream_batch *b, int pairs)
{
    b->n = 0;
    b->pairs = pairs;
}

/* Sets stream k of a batch of pairs to (zone, month, purpose, index);
 * k < cap / 2 (n is the caller's to set). */
static inline void ipsim_stream_batch_put(ipsim_stream_batch *b, size_t k, uint32_t zone,
                                          uint32_t month, uint32_t purpose, uint32_t index)
{
    b->c1[k] = ipsim_stream_c1(zone, month);
    b->c2[k] = ipsim_stream_c2(purpose, index);
}

/* Appends block `block` of stream (zone, month, purpose, index) to a
 * batch of blocks; n < cap. */
static inline void ipsim_stream_batch_add(ipsim_stream_batch *b, uint32_t zone, uint32_t month,
                                          uint32_t purpose, uint32_t index, uint32_t block)
{
    b->c1[b->n] = ipsim_stream_c1(zone, month);
    b->c2[b->n] = ipsim_stream_c2(purpose, index);
    b->c3[b->n] = block;
    b->n++;
}

/* Computes b->w[0 .. b->n) with the key and path of s, in the widest
 * SIMD lanes the CPU has. */
void ipsim_stream_batch_run(const ipsim_stream *s, ipsim_stream_batch *b);

/* The same in lanes no wider than isa's (for tests: every way gives the
 * same words), and the widest the CPU has. */
enum { IPSIM_ISA_SCALAR = 0, IPSIM_ISA_AVX2 = 1, IPSIM_ISA_AVX512VL = 2 };
void ipsim_stream_batch_run_isa(const ipsim_stream *s, ipsim_stream_batch *b, int isa);
int ipsim_stream_batch_isa(void);

#endif
