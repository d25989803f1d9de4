/* stream.c -- keyed Philox4x32-10 streams and batches of their blocks;
 * see stream.h.  The hot calls (selecting a stream, drawing a word) are
 * inline in the header.
 *
 * A batch is computed in 256-bit lanes, eight blocks per vector, with
 * AVX-512VL's instructions where the CPU has them, else AVX2's (checked at
 * run time, so one binary runs anywhere), else with Random123's scalar
 * philox4x32.  All compute the same function, which tests/test_stream.c
 * checks word for word.  (A version in 512-bit vectors, sixteen lanes, was
 * slower over the whole run: docs/performance.md.) */
#include "stream.h"

#include "lines.h"

#include <stdlib.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

int ipsim_stream_init(ipsim_stream *s, ipsim_error *err)
{
    (void)err;
    memset(s, 0, sizeof *s);
    return IPSIM_OK;
}

void ipsim_stream_free(ipsim_stream *s)
{
    memset(s, 0, sizeof *s);
}

void ipsim_stream_set_path(ipsim_stream *s, uint64_t seed, uint64_t path)
{
    s->key.v[0] = (uint32_t)seed;
    s->key.v[1] = (uint32_t)(seed >> 32);
    s->ctr.v[0] = (uint32_t)path;
    s->pos = s->end = 0;
    s->gen++;
}

void ipsim_stream_refill(ipsim_stream *s)
{
    philox4x32_ctr_t out = philox4x32(s->ctr, s->key);
    memcpy(s->buf, out.v, sizeof out.v);
    s->ctr.v[3]++;
    s->pos = 0;
    s->end = 4;
}

void ipsim_stream_block(const ipsim_stream *s, uint32_t c1, uint32_t c2, uint32_t c3,
                        uint32_t out[4])
{
    philox4x32_ctr_t c = {{s->ctr.v[0], c1, c2, c3}};
    philox4x32_ctr_t r = philox4x32(c, s->key);
    memcpy(out, r.v, sizeof r.v);
}

int ipsim_stream_batch_alloc(ipsim_stream_batch *b, size_t cap, ipsim_error *err)
{
    memset(b, 0, sizeof *b);
    /* room for a whole last vector of eight */
    size_t n = (cap + 7) / 8 * 8;
    /* each thread has a batch: on lines of their own (lines.h) */
    b->c1 = ipsim_lines_alloc(n, sizeof *b->c1);
    b->c2 = ipsim_lines_alloc(n, sizeof *b->c2);
    b->c3 = ipsim_lines_alloc(n, sizeof *b->c3);
    b->w = ipsim_lines_alloc(n, sizeof *b->w);
    if (!b->c1 || !b->c2 || !b->c3 || !b->w) {
        ipsim_stream_batch_free(b);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory allocating a batch of streams");
    }
    b->cap = cap;
    return IPSIM_OK;
}

void ipsim_stream_batch_free(ipsim_stream_batch *b)
{
    free(b->c1);
    free(b->c2);
    free(b->c3);
    free(b->w);
    memset(b, 0, sizeof *b);
}

/* Block j of the batch: its counter words.  A batch of pairs (b->pairs)
 * holds n streams whose blocks 0 and 1 it computes, block j being block
 * j % 2 of stream j / 2 (a project's two, in demand.c). */
static void counter_of(const ipsim_stream_batch *b, size_t j, uint32_t c[3])
{
    size_t k = b->pairs ? j / 2 : j;
    c[0] = b->c1[k];
    c[1] = b->c2[k];
    c[2] = b->pairs ? (uint32_t)(j % 2) : b->c3[k];
}

/* The blocks of the batch. */
static size_t blocks_of(const ipsim_stream_batch *b)
{
    return b->pairs ? 2 * b->n : b->n;
}

static void batch_scalar(const ipsim_stream *s, ipsim_stream_batch *b, size_t from)
{
    for (size_t j = from; j < blocks_of(b); j++) {
        uint32_t c[3];
        counter_of(b, j, c);
        ipsim_stream_block(s, c[0], c[1], c[2], b->w[j]);
    }
}

#ifdef HAVE_AVX2_PATH
/* Philox4x32-10 on eight counters per vector, several vectors at a time so
 * that the multiplies of one hide the latency of the others.  The round
 * is Random123's: (hi, lo) of M0 x0 and M1 x2, then
 * x = {hi(M1 x2) ^ x1 ^ k0, lo(M1 x2), hi(M0 x0) ^ x3 ^ k1, lo(M0 x0)},
 * and the key is bumped by the Weyl constants. */
#define AVX2 __attribute__((target("avx2")))
/* AVX-512VL's instructions on the same 256-bit vectors (no 512-bit ones,
 * which lower the clock): a two-source permute puts the products' halves
 * where they go (one instruction for a blend and a shift) and a
 * three-input XOR ends the round, 12 instructions for eight blocks instead
 * of 18; with 32 vector registers, four groups of eight are in flight. */
#define AVX512VL __attribute__((target("avx2,avx512f,avx512vl")))

AVX2 static inline void mulhilo8(__m256i x, __m256i m, __m256i *hi, __m256i *lo)
{
    __m256i even = _mm256_mul_epu32(x, m);                       /* lanes 0 2 4 6 */
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m); /* lanes 1 3 5 7 */
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

AVX2 static inline void round8(__m256i x[4], __m256i k0, __m256i k1)
{
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M4x32_0);
    const __m256i m1 = _mm256_set1_epi32((int)PHILOX_M4x32_1);
    __m256i hi0, lo0, hi1, lo1;
    mulhilo8(x[0], m0, &hi0, &lo0);
    mulhilo8(x[2], m1, &hi1, &lo1);
    x[0] = _mm256_xor_si256(_mm256_xor_si256(hi1, x[1]), k0);
    x[1] = lo1;
    x[2] = _mm256_xor_si256(_mm256_xor_si256(hi0, x[3]), k1);
    x[3] = lo0;
}

AVX512VL static inline void round8_vl(__m256i x[4], __m256i k0, __m256i k1)
{
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M4x32_0);
    const __m256i m1 = _mm256_set1_epi32((int)PHILOX_M4x32_1);
    const __m256i lo = _mm256_setr_epi32(0, 8, 2, 10, 4, 12, 6, 14);
    const __m256i hi = _mm256_setr_epi32(1, 9, 3, 11, 5, 13, 7, 15);
    __m256i e0 = _mm256_mul_epu32(x[0], m0), o0 = _mm256_mul_epu32(_mm256_srli_epi64(x[0], 32), m0);
    __m256i e2 = _mm256_mul_epu32(x[2], m1), o2 = _mm256_mul_epu32(_mm256_srli_epi64(x[2], 32), m1);
    __m256i hi1 = _mm256_permutex2var_epi32(e2, hi, o2), hi0 = _mm256_permutex2var_epi32(e0, hi, o0);
    /* 0x96: a ^ b ^ c */
    __m256i x0 = _mm256_ternarylogic_epi32(hi1, x[1], k0, 0x96);
    __m256i x2 = _mm256_ternarylogic_epi32(hi0, x[3], k1, 0x96);
    x[1] = _mm256_permutex2var_epi32(e2, lo, o2);
    x[3] = _mm256_permutex2var_epi32(e0, lo, o0);
    x[0] = x0;
    x[2] = x2;
}

/* The counters of blocks j .. j+7 into x[1..3] (x[0] is the path). */
AVX2 static inline void load8(const ipsim_stream_batch *b, size_t j, int pairs, __m256i x[4])
{
    if (pairs) { /* four streams, each twice: blocks 0 1 0 1 ... */
        const __m256i twice = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
        __m128i c1 = _mm_loadu_si128((const __m128i *)(b->c1 + j / 2));
        __m128i c2 = _mm_loadu_si128((const __m128i *)(b->c2 + j / 2));
        x[1] = _mm256_permutevar8x32_epi32(_mm256_castsi128_si256(c1), twice);
        x[2] = _mm256_permutevar8x32_epi32(_mm256_castsi128_si256(c2), twice);
        x[3] = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
    } else {
        x[1] = _mm256_loadu_si256((const __m256i *)(b->c1 + j));
        x[2] = _mm256_loadu_si256((const __m256i *)(b->c2 + j));
        x[3] = _mm256_loadu_si256((const __m256i *)(b->c3 + j));
    }
}

/* The four words of eight blocks (one vector per word) to w[0..8). */
AVX2 static inline void store8(const __m256i x[4], uint32_t (*w)[4])
{
    __m256i t0 = _mm256_unpacklo_epi32(x[0], x[1]), t1 = _mm256_unpackhi_epi32(x[0], x[1]);
    __m256i t2 = _mm256_unpacklo_epi32(x[2], x[3]), t3 = _mm256_unpackhi_epi32(x[2], x[3]);
    __m256i r[4] = {_mm256_unpacklo_epi64(t0, t2), _mm256_unpackhi_epi64(t0, t2),
                    _mm256_unpacklo_epi64(t1, t3), _mm256_unpackhi_epi64(t1, t3)};
    for (int j = 0; j < 4; j++) {
        _mm_storeu_si128((__m128i *)w[j], _mm256_castsi256_si128(r[j]));
        _mm_storeu_si128((__m128i *)w[j + 4], _mm256_extracti128_si256(r[j], 1));
    }
}

/* Blocks j .. j + 8 g - 1, g groups of eight at once (g <= 4; a constant
 * once inlined, so the loops over groups unroll), in AVX2 or, vl, with
 * AVX-512VL's rounds. */
#define GROUPS(round)                                                                          \
    const __m256i w0 = _mm256_set1_epi32((int)PHILOX_W32_0);                                   \
    const __m256i w1 = _mm256_set1_epi32((int)PHILOX_W32_1);                                   \
    __m256i x[4][4];                                                                           \
    for (int q = 0; q < g; q++) {                                                              \
        x[q][0] = _mm256_set1_epi32((int)s->ctr.v[0]);                                         \
        load8(b, j + 8 * (size_t)q, pairs, x[q]);                                              \
    }                                                                                          \
    __m256i k0 = _mm256_set1_epi32((int)s->key.v[0]), k1 = _mm256_set1_epi32((int)s->key.v[1]); \
    for (int r = 0; r < 10; r++) {                                                             \
        for (int q = 0; q < g; q++)                                                            \
            round(x[q], k0, k1);                                                               \
        k0 = _mm256_add_epi32(k0, w0);                                                         \
        k1 = _mm256_add_epi32(k1, w1);                                                         \
    }                                                                                          \
    for (int q = 0; q < g; q++)                                                                \
        store8(x[q], b->w + j + 8 * (size_t)q);

AVX2 static inline __attribute__((always_inline)) void groups_avx2(const ipsim_stream *s,
                                                                   ipsim_stream_batch *b, size_t j,
                                                                   int g, int pairs)
{
    GROUPS(round8)
}

AVX512VL static inline __attribute__((always_inline)) void groups_vl(const ipsim_stream *s,
                                                                      ipsim_stream_batch *b,
                                                                      size_t j, int g, int pairs)
{
    GROUPS(round8_vl)
}

/* Whole groups while they fill, then a last group of eight if more than
 * two blocks are left (its lanes past the end are computed and ignored:
 * the arrays have room for them); returns the blocks done. */
AVX2 static size_t batch_avx2(const ipsim_stream *s, ipsim_stream_batch *b, int pairs)
{
    size_t j = 0, n = blocks_of(b);
    for (; j + 16 <= n; j += 16)
        groups_avx2(s, b, j, 2, pairs);
    if (j < n && n - j > 2) {
        groups_avx2(s, b, j, 1, pairs);
        j += 8;
    }
    return j;
}

AVX512VL static size_t batch_avx512vl(const ipsim_stream *s, ipsim_stream_batch *b, int pairs)
{
    size_t j = 0, n = blocks_of(b);
    for (; j + 32 <= n; j += 32)
        groups_vl(s, b, j, 4, pairs);
    if (j + 16 <= n) {
        groups_vl(s, b, j, 2, pairs);
        j += 16;
    }
    if (j < n && n - j > 2) {
        groups_vl(s, b, j, 1, pairs);
        j += 8;
    }
    return j;
}
#endif

int ipsim_stream_batch_isa(void)
{
#ifdef HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512f"))
        return IPSIM_ISA_AVX512VL;
    if (__builtin_cpu_supports("avx2"))
        return IPSIM_ISA_AVX2;
#endif
    return IPSIM_ISA_SCALAR;
}

void ipsim_stream_batch_run_isa(const ipsim_stream *s, ipsim_stream_batch *b, int isa)
{
    size_t done = 0;
    int have = ipsim_stream_batch_isa();
    isa = isa < have ? isa : have;
#ifdef HAVE_AVX2_PATH
    /* (pairs as a constant, so that the inlined loads are one or the other) */
    if (isa == IPSIM_ISA_AVX512VL)
        done = b->pairs ? batch_avx512vl(s, b, 1) : batch_avx512vl(s, b, 0);
    else if (isa == IPSIM_ISA_AVX2)
        done = b->pairs ? batch_avx2(s, b, 1) : batch_avx2(s, b, 0);
#endif
    if (done < blocks_of(b))
        batch_scalar(s, b, done);
}

void ipsim_stream_batch_run(const ipsim_stream *s, ipsim_stream_batch *b)
{
    ipsim_stream_batch_run_isa(s, b, IPSIM_ISA_AVX512VL);
}
