/* demand_lanes.c -- the batched project draws of demand.c (project_words)
 * four projects at a time, in AVX2 lanes.
 *
 * A project's draws from its first eight words are a long chain of
 * dependent operations (a normal, v^3, the squeeze, the lag), and with
 * ~1 project per zone-month that chain, one project after another, was
 * most of the draws' time.  Here four chains run side by side.  The same
 * operations in the same order as demand.c's scalar code (no FMA: the
 * build has -ffp-contract=off), so the same numbers bit for bit; the
 * zones' parameters and the ziggurat's tables come by gathers.  The draw
 * tests compare the two paths project by project. */
#include "model.h"

#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* A field of the zones' ipsim_zone_draws in each lane, at byte offsets
 * off (z * sizeof) of the lanes' zones. */
AVX2 static inline __m256d field_pd(const ipsim_zone_draws *d, size_t field, __m256i off)
{
    return _mm256_i64gather_pd((const double *)(const void *)((const char *)d + field), off, 1);
}

AVX2 static inline __m128i field_i32(const ipsim_zone_draws *d, size_t field, __m256i off)
{
    return _mm256_i64gather_epi32((const int *)(const void *)((const char *)d + field), off, 1);
}

/* Four 64-bit lane masks as four 32-bit ones. */
AVX2 static inline __m128i narrow(__m256d mask)
{
    const __m256i low = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(mask), low));
}

/* Four unsigned words as doubles, exactly. */
AVX2 static inline __m256d word_pd(__m128i w)
{
    __m128i flipped = _mm_xor_si128(w, _mm_set1_epi32(INT32_MIN));
    return _mm256_add_pd(_mm256_cvtepi32_pd(flipped), _mm256_set1_pd(2147483648.0));
}

/* ipsim_variates_normal_word on four words; *ok: all ones where decided. */
AVX2 static inline __m256d normal4(__m128i w, __m128i *ok)
{
    __m128i i = _mm_and_si128(w, _mm_set1_epi32(0x7F)), j = _mm_srli_epi32(w, 8);
    __m128i bit = _mm_and_si128(_mm_srli_epi32(w, 6), _mm_set1_epi32(2));
    __m256d sign = _mm256_sub_pd(_mm256_cvtepi32_pd(bit), _mm256_set1_pd(1.0));
    __m256d width = _mm256_i32gather_pd(ipsim_variates_zig_w, i, 8);
    __m128i k = _mm_i32gather_epi32((const int *)(const void *)ipsim_variates_zig_k, i, 4);
    *ok = _mm_cmpgt_epi32(k, j); /* j < 2^24 and k: signed is unsigned here */
    return _mm256_mul_pd(sign, _mm256_mul_pd(_mm256_cvtepi32_pd(j), width));
}

/* Projects k .. k+3: their words w[2k .. 2k+7] as eight vectors of four. */
AVX2 static inline void words4(const uint32_t (*w)[4], __m128i v[8])
{
    __m256i r[4], t[4];
    for (int q = 0; q < 4; q++)
        r[q] = _mm256_loadu_si256((const __m256i *)(const void *)w[2 * q]);
    t[0] = _mm256_unpacklo_epi32(r[0], r[1]);
    t[1] = _mm256_unpackhi_epi32(r[0], r[1]);
    t[2] = _mm256_unpacklo_epi32(r[2], r[3]);
    t[3] = _mm256_unpackhi_epi32(r[2], r[3]);
    __m256i u[4] = {_mm256_unpacklo_epi64(t[0], t[2]), _mm256_unpackhi_epi64(t[0], t[2]),
                    _mm256_unpacklo_epi64(t[1], t[3]), _mm256_unpackhi_epi64(t[1], t[3])};
    for (int q = 0; q < 4; q++) {
        v[q] = _mm256_castsi256_si128(u[q]);          /* words 0-3: first block */
        v[q + 4] = _mm256_extracti128_si256(u[q], 1); /* words 4-7: second */
    }
}

AVX2 static size_t words_avx2(const ipsim_zone_draws *draws, const size_t *zone,
                              const uint32_t (*w)[4], size_t n, double *log_capital,
                              double *log_land, int *lag, unsigned char *left)
{
#define AT(f) offsetof(ipsim_zone_draws, f)
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    const __m128i one32 = _mm_set1_epi32(1), zero32 = _mm_setzero_si128();
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        __m256i z = _mm256_loadu_si256((const __m256i *)(const void *)(zone + k));
        __m256i off = _mm256_mul_epu32(z, _mm256_set1_epi64x((long long)sizeof *draws));
        __m128i v[8], ok1, ok2, okg;
        words4(w + 2 * k, v);
        /* fdi, for the capital's median */
        __m256i fdi = _mm256_cmpgt_epi64(
            _mm256_i64gather_epi64((const long long *)(const void *)((const char *)draws + AT(fdi)),
                                   off, 1),
            _mm256_cvtepu32_epi64(v[0]));
        __m256i off_median = _mm256_add_epi64(off, _mm256_and_si256(fdi, _mm256_set1_epi64x(8)));
        __m256d z1 = normal4(v[4], &ok1), z2 = normal4(v[5], &ok2), x = normal4(v[6], &okg);
        /* ipsim_variates_gamma_first */
        __m256d v1 = _mm256_add_pd(one, _mm256_mul_pd(field_pd(draws, AT(lag_shape.c), off), x));
        __m256d vpos = _mm256_cmp_pd(v1, zero, _CMP_GT_OQ);
        __m256d v3 = _mm256_mul_pd(_mm256_mul_pd(v1, v1), v1);
        __m256d g = _mm256_mul_pd(field_pd(draws, AT(lag_shape.d), off), v3);
        __m256d x2 = _mm256_mul_pd(x, x);
        __m256d u = _mm256_mul_pd(_mm256_add_pd(word_pd(v[7]), _mm256_set1_pd(0.5)),
                                  _mm256_set1_pd(1.0 / 4294967296.0));
        __m256d bound = _mm256_sub_pd(one, _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(0.0331), x2), x2));
        __m128i squeeze = narrow(_mm256_cmp_pd(u, bound, _CMP_LT_OQ));
        __m128i no_boost = _mm_cmpeq_epi32(field_i32(draws, AT(lag_shape.boost), off), zero32);
        /* lanes the words decide (else IPSIM_GAMMA_MORE), blended on this
         * mask as it is: given its negation, GCC 12.2 (-O2 -march=native,
         * AVX-512VL) dropped the negation here, and the draw tests caught it */
        __m128i decided = _mm_and_si128(_mm_and_si128(okg, narrow(vpos)), no_boost);
        __m128i code = _mm_andnot_si128(squeeze, one32); /* ACCEPT or LOG */
        code = _mm_blendv_epi8(_mm_set1_epi32(IPSIM_GAMMA_MORE), code, decided);
        __m128i fixed = field_i32(draws, AT(lag_fixed), off);
        __m128i drawn = _mm_cmpeq_epi32(fixed, zero32);
        code = _mm_and_si128(code, drawn); /* a fixed lag: ACCEPT */
        code = _mm_or_si128(code, _mm_andnot_si128(_mm_and_si128(ok1, ok2), _mm_set1_epi32(3)));
        /* project_exponents */
        __m256d a = _mm256_add_pd(field_pd(draws, AT(log_median), off_median),
                                  _mm256_mul_pd(field_pd(draws, AT(capital_sigma), off), z1));
        __m256d b = _mm256_add_pd(field_pd(draws, AT(log_capital_per_ha), off),
                                  _mm256_mul_pd(field_pd(draws, AT(intensity_sigma), off), z2));
        _mm256_storeu_pd(log_capital + k, a);
        _mm256_storeu_pd(log_land + k, _mm256_sub_pd(a, b));
        /* project_lag */
        __m256d y = _mm256_mul_pd(field_pd(draws, AT(lag_scale), off), g);
        y = _mm256_max_pd(_mm256_min_pd(y, _mm256_set1_pd(1e9)), zero);
        __m128i i = _mm256_cvttpd_epi32(y);
        i = _mm_sub_epi32(i, narrow(_mm256_cmp_pd(_mm256_cvtepi32_pd(i), y, _CMP_LT_OQ)));
        i = _mm_max_epi32(i, one32);
        i = _mm_blendv_epi8(fixed, i, drawn);
        _mm_storeu_si128((__m128i *)(void *)(lag + k), i);
        __m128i bytes = _mm_packus_epi16(_mm_packus_epi32(code, code), zero32);
        int four = _mm_cvtsi128_si32(bytes);
        memcpy(left + k, &four, 4);
    }
    return k;
#undef AT
}
#endif

size_t ipsim_demand_words_lanes(const ipsim_zone_draws *draws, const size_t *zone,
                                const uint32_t (*w)[4], size_t n, double *log_capital,
                                double *log_land, int *lag, unsigned char *left)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2"))
        return words_avx2(draws, zone, w, n, log_capital, log_land, lag, left);
#endif
    return 0;
}
