/* test_stream.c -- keyed streams: a draw depends on its key and nothing
 * else, different keys give different numbers, and a stream is uniform. */
#include "testutil.h"

#include <gsl/gsl_rng.h>

static void first_draws(ipsim_stream *s, uint64_t seed, uint64_t path, uint32_t z, uint32_t t,
                        uint32_t pur, uint32_t i, unsigned long out[8])
{
    ipsim_stream_set_path(s, seed, path);
    gsl_rng *r = ipsim_stream_at(s, z, t, pur, i);
    for (int k = 0; k < 8; k++)
        out[k] = gsl_rng_get(r);
}

static void test_same_key_same_draws(void **state)
{
    ipsim_stream a, b;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&a, &err), IPSIM_OK);
    assert_int_equal(ipsim_stream_init(&b, &err), IPSIM_OK);
    unsigned long x[8], y[8];
    first_draws(&a, 42, 7, 3, 11, IPSIM_P_CAPITAL, 5, x);
    /* b visits other keys first: must not matter */
    first_draws(&b, 42, 9, 1, 2, IPSIM_P_COUNT, 0, y);
    first_draws(&b, 42, 7, 3, 11, IPSIM_P_CAPITAL, 5, y);
    assert_memory_equal(x, y, sizeof x);
    ipsim_stream_free(&a);
    ipsim_stream_free(&b);
}

static void test_each_key_part_matters(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    unsigned long base[8], other[8];
    first_draws(&s, 42, 7, 3, 11, IPSIM_P_LAG, 5, base);
    const uint64_t keys[][6] = {
        {43, 7, 3, 11, IPSIM_P_LAG, 5},          {42 | (1ull << 40), 7, 3, 11, IPSIM_P_LAG, 5},
        {42, 8, 3, 11, IPSIM_P_LAG, 5},          {42, 7, 4, 11, IPSIM_P_LAG, 5},
        {42, 7, 3, 12, IPSIM_P_LAG, 5},          {42, 7, 3, 11, IPSIM_P_ABANDON, 5},
        {42, 7, 3, 11, IPSIM_P_LAG, 6},          {42, 7, 3, 11 + 4096, IPSIM_P_LAG, 5},
    };
    /* The last key wraps the month field: streams are only distinct for
     * months < 4096, which is why the horizon is capped at 1200. */
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        first_draws(&s, keys[k][0], keys[k][1], (uint32_t)keys[k][2], (uint32_t)keys[k][3],
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
        /* many short streams, as the model uses them */
        gsl_rng *r = ipsim_stream_at(&s, (uint32_t)(i % 97), (uint32_t)(i % 1200), IPSIM_P_FDI,
                                     (uint32_t)(i / 1200));
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0.0 && u < 1.0);
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
        cmocka_unit_test(test_same_key_same_draws),
        cmocka_unit_test(test_each_key_part_matters),
        cmocka_unit_test(test_uniform_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
