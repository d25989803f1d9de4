/* test_stream.c -- keyed streams: a stream's words depend on its key and
 * nothing else, different keys give different words, words come four per
 * Philox4x32-10 block in counter order, and they are uniform. */
#include "testutil.h"

#include <Random123/philox.h>

static void first_words(ipsim_stream *s, uint64_t seed, uint64_t path, uint32_t z, uint32_t t,
                        uint32_t pur, uint32_t i, uint32_t out[8])
{
    ipsim_stream_set_path(s, seed, path);
    ipsim_stream_at(s, z, t, pur, i);
    for (int k = 0; k < 8; k++)
        out[k] = ipsim_stream_u32(s);
}

static void test_same_key_same_words(void **state)
{
    ipsim_stream a, b;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&a, &err), IPSIM_OK);
    assert_int_equal(ipsim_stream_init(&b, &err), IPSIM_OK);
    uint32_t x[8], y[8];
    first_words(&a, 42, 7, 3, 11, IPSIM_P_PROJECT, 5, x);
    /* b visits other keys first and leaves a block half used: must not matter */
    first_words(&b, 42, 9, 1, 2, IPSIM_P_COUNT, 0, y);
    ipsim_stream_u32(&b);
    first_words(&b, 42, 7, 3, 11, IPSIM_P_PROJECT, 5, y);
    assert_memory_equal(x, y, sizeof x);
    ipsim_stream_free(&a);
    ipsim_stream_free(&b);
}

/* The documented layout (docs/model.md §1): word k of a stream is word
 * k % 4 of Philox4x32-10 at counter {path, zone << 12 | month,
 * purpose << 28 | index, k / 4}, key {seed low, seed high}. */
static void test_layout(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    const uint64_t seed = 0x123456789abcdefull;
    uint32_t w[8];
    first_words(&s, seed, 77, 5, 300, IPSIM_P_CLEARANCE, 9, w);
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    for (uint32_t blk = 0; blk < 2; blk++) {
        philox4x32_ctr_t c = {{77, (5u << 12) | 300u, ((uint32_t)IPSIM_P_CLEARANCE << 28) | 9u, blk}};
        philox4x32_ctr_t r = philox4x32(c, k);
        for (int j = 0; j < 4; j++)
            assert_int_equal(w[blk * 4 + (uint32_t)j], r.v[j]);
    }
    ipsim_stream_free(&s);
}

/* A batch computes the blocks a stream would compute itself, for every
 * batch size (whole vectors of eight, a last partial one, a scalar tail)
 * and in every SIMD width this CPU has (scalar too), and a stream primed
 * with them continues where they stop. */
static void test_batch_matches_streams(void **state)
{
    ipsim_stream s, t;
    ipsim_error err;
    ipsim_stream_batch b;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    assert_int_equal(ipsim_stream_init(&t, &err), IPSIM_OK);
    assert_int_equal(ipsim_stream_batch_alloc(&b, 64, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 0xfedcba9876543210ull, 4242);
    ipsim_stream_set_path(&t, 0xfedcba9876543210ull, 4242);
    for (size_t n = 1; n <= 64 * (IPSIM_ISA_AVX512VL + 1); n++) {
        int isa = (int)((n - 1) / 64);
        size_t m = (n - 1) % 64 + 1;
        b.n = 0;
        for (size_t i = 0; i < m; i++)
            ipsim_stream_batch_add(&b, (uint32_t)(i % 7), (uint32_t)(n + i), IPSIM_P_PROJECT,
                                   (uint32_t)i, (uint32_t)(i % 2));
        ipsim_stream_batch_run_isa(&s, &b, isa);
        for (size_t i = 0; i < m; i++) {
            ipsim_stream_at(&t, (uint32_t)(i % 7), (uint32_t)(n + i), IPSIM_P_PROJECT, (uint32_t)i);
            uint32_t want[8];
            for (int k = 0; k < 8; k++)
                want[k] = ipsim_stream_u32(&t);
            if (memcmp(b.w[i], want + 4 * (i % 2), sizeof b.w[i]) != 0)
                fail_msg("batch of %zu (isa %d of %d): block %zu differs", m, isa,
                         ipsim_stream_batch_isa(), i);
        }
    }
    /* primed with two blocks, the stream goes on with its third */
    b.n = 0;
    ipsim_stream_batch_add(&b, 3, 9, IPSIM_P_PROJECT, 5, 0);
    ipsim_stream_batch_add(&b, 3, 9, IPSIM_P_PROJECT, 5, 1);
    ipsim_stream_batch_run(&s, &b);
    ipsim_stream_at_words(&s, 3, 9, IPSIM_P_PROJECT, 5, b.w[0], 2);
    ipsim_stream_at(&t, 3, 9, IPSIM_P_PROJECT, 5);
    for (int k = 0; k < 20; k++)
        assert_int_equal(ipsim_stream_u32(&s), ipsim_stream_u32(&t));
    ipsim_stream_batch_free(&b);
}

static void test_each_key_part_matters(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    uint32_t base[8], other[8];
    first_words(&s, 42, 7, 3, 11, IPSIM_P_PROJECT, 5, base);
    const uint64_t keys[][6] = {
        {43, 7, 3, 11, IPSIM_P_PROJECT, 5},          {42 | (1ull << 40), 7, 3, 11, IPSIM_P_PROJECT, 5},
        {42, 8, 3, 11, IPSIM_P_PROJECT, 5},          {42, 7, 4, 11, IPSIM_P_PROJECT, 5},
        {42, 7, 3, 12, IPSIM_P_PROJECT, 5},          {42, 7, 3, 11, IPSIM_P_COUNT, 5},
        {42, 7, 3, 11, IPSIM_P_PROJECT, 6},          {42, 7, 3, 11 + 4096, IPSIM_P_PROJECT, 5},
    };
    /* The last key wraps the month field: streams are only distinct for
     * months < 4096, which is why the horizon is capped at 1200. */
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        first_words(&s, keys[k][0], keys[k][1], (uint32_t)keys[k][2], (uint32_t)keys[k][3],
                    (uint32_t)keys[k][4], (uint32_t)keys[k][5], other);
        if (k == 7)
            assert_memory_equal(base, other, sizeof base);
        else
            assert_memory_not_equal(base, other, sizeof base);
    }
    ipsim_stream_free(&s);
}

static void test_uniform_moments(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 1, 0);
    const size_t n = 200000;
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        /* many short streams, as the model uses them; every third draw
         * crosses into a stream's second block */
        if (i % 6 == 0)
            ipsim_stream_at(&s, (uint32_t)(i % 97), (uint32_t)(i % 1200), IPSIM_P_PROJECT,
                            (uint32_t)(i / 1200));
        double u = ipsim_stream_uniform(&s);
        assert_true(u > 0.0 && u < 1.0);
        sum += u;
        sum2 += u * u;
    }
    double mean = sum / (double)n, var = sum2 / (double)n - mean * mean;
    assert_within_se(mean, 0.5, sqrt(1.0 / 12.0 / (double)n));
    assert_within_se(var, 1.0 / 12.0, sqrt(1.0 / 180.0 / (double)n));
    ipsim_stream_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_key_same_words),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_batch_matches_streams),
        cmocka_unit_test(test_each_key_part_matters),
        cmocka_unit_test(test_uniform_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
