/* test_stats.c -- quantiles, Wilson intervals and target figures (stats.h)
 * against values computed by hand and by R's quantile(type = 7). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <string.h>

#include "stats.h"

#define TOL 1e-12

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g (tol %g)", got, want, tol);
}

static void test_quantile_probs(void **state)
{
    (void)state;
    const double want[IPSIM_NQUANTILES] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        assert_true(ipsim_quantile_probs[i] == want[i]);
}

/* Hand-computed: k = 0 gives [0, z²/n / (1 + z²/n)]; k = n the mirror. */
static void test_wilson_ends(void **state)
{
    (void)state;
    double lo, hi, z2n = IPSIM_WILSON_Z * IPSIM_WILSON_Z / 10.0;
    ipsim_stats_wilson(0, 10, IPSIM_WILSON_Z, &lo, &hi);
    assert_true(lo == 0.0);
    assert_near(hi, z2n / (1.0 + z2n), TOL);
    assert_near(hi, 0.2775328030260577, TOL);
    ipsim_stats_wilson(10, 10, IPSIM_WILSON_Z, &lo, &hi);
    assert_near(lo, 1.0 / (1.0 + z2n), TOL);
    assert_true(hi == 1.0);
}

static void test_wilson_middle(void **state)
{
    (void)state;
    double lo, hi;
    /* k = n/2: centred on 1/2, half-width z sqrt(1/(4n) + z²/(4n²)) / (1 + z²/n). */
    ipsim_stats_wilson(5, 10, IPSIM_WILSON_Z, &lo, &hi);
    assert_near(lo, 0.23659308901147935, TOL);
    assert_near(hi, 0.7634069109885206, TOL);
    assert_near(lo + hi, 1.0, TOL);
    ipsim_stats_wilson(3, 40, IPSIM_WILSON_Z, &lo, &hi);
    assert_near(lo, 0.025836025573262464, TOL);
    assert_near(hi, 0.19864233651643165, TOL);
    ipsim_stats_wilson(0, 0, IPSIM_WILSON_Z, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

/* R: quantile(c(3.1, -2, 7.5, 0, 12, 4.4, 1), c(.05, .25, .5, .75, .95), type = 7)
 *    -1.40  0.50  3.10  5.95 10.65 */
static void test_quantiles_type7(void **state)
{
    (void)state;
    const double x[] = {3.1, -2, 7.5, 0, 12, 4.4, 1};
    const double want[] = {-1.4, 0.5, 3.1, 5.95, 10.65};
    double scratch[7], mean, q[IPSIM_NQUANTILES];
    size_t n = ipsim_stats_summary(x, 7, scratch, &mean, q);
    assert_int_equal(n, 7);
    assert_near(mean, 26.0 / 7.0, TOL);
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        assert_near(q[i], want[i], 1e-12);
}

/* One value: every quantile is that value. */
static void test_quantiles_single(void **state)
{
    (void)state;
    const double x[] = {42.5};
    double scratch[1], mean, q[IPSIM_NQUANTILES];
    assert_int_equal(ipsim_stats_summary(x, 1, scratch, &mean, q), 1);
    assert_true(mean == 42.5);
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        assert_true(q[i] == 42.5);
}

/* Non-finite values are left out: the result equals that of the finite ones. */
static void test_summary_nonfinite(void **state)
{
    (void)state;
    const double x[] = {NAN, 3.1, -2, INFINITY, 7.5, 0, 12, -INFINITY, 4.4, 1, NAN};
    const double want[] = {-1.4, 0.5, 3.1, 5.95, 10.65};
    double scratch[11], mean, q[IPSIM_NQUANTILES];
    assert_int_equal(ipsim_stats_summary(x, 11, scratch, &mean, q), 7);
    assert_near(mean, 26.0 / 7.0, TOL);
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        assert_near(q[i], want[i], 1e-12);

    const double none[] = {NAN, INFINITY};
    assert_int_equal(ipsim_stats_summary(none, 2, scratch, &mean, q), 0);
    assert_true(isnan(mean));
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        assert_true(isnan(q[i]));
    assert_int_equal(ipsim_stats_summary(none, 0, scratch, &mean, q), 0);
    assert_true(isnan(mean));
}

static void test_met(void **state)
{
    (void)state;
    assert_true(ipsim_stats_met(5.0, 0, 5.0)); /* >= is inclusive */
    assert_true(ipsim_stats_met(5.0, 1, 5.0)); /* <= is inclusive */
    assert_true(ipsim_stats_met(6.0, 0, 5.0));
    assert_false(ipsim_stats_met(4.0, 0, 5.0));
    assert_true(ipsim_stats_met(4.0, 1, 5.0));
    assert_false(ipsim_stats_met(6.0, 1, 5.0));
    assert_false(ipsim_stats_met(NAN, 0, 5.0));
    assert_false(ipsim_stats_met(NAN, 1, 5.0));
    assert_false(ipsim_stats_met(INFINITY, 0, 5.0)); /* non-finite never meets */
    assert_false(ipsim_stats_met(-INFINITY, 1, 5.0));
    assert_true(ipsim_stats_met(-0.0, 0, 0.0));
}

/* x = 1..10 against ">= 7": met by 7..10; shortfall (6+5+...+1)/10 = 2.1. */
static void test_target_ge(void **state)
{
    (void)state;
    double x[10], scratch[10];
    for (int i = 0; i < 10; i++)
        x[i] = i + 1;
    ipsim_target_stats s;
    ipsim_stats_target(x, 10, 0, 7.0, scratch, &s);
    assert_int_equal(s.n, 10);
    assert_int_equal(s.n_met, 4);
    assert_int_equal(s.n_finite, 10);
    assert_near(s.p_met, 0.4, TOL);
    double lo, hi;
    ipsim_stats_wilson(4, 10, IPSIM_WILSON_Z, &lo, &hi);
    assert_true(s.p_low == lo && s.p_high == hi);
    assert_near(s.mean, 5.5, TOL);
    assert_near(s.shortfall, 2.1, TOL);
    /* R: quantile(1:10, c(.05,.25,.5,.75,.95)) = 1.45 3.25 5.50 7.75 9.55 */
    const double want[] = {1.45, 3.25, 5.5, 7.75, 9.55};
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        assert_near(s.q[i], want[i], 1e-12);
}

/* x = 1..10 against "<= 3": met by 1..3; shortfall (1+2+...+7)/10 = 2.8. */
static void test_target_le(void **state)
{
    (void)state;
    double x[10], scratch[10];
    for (int i = 0; i < 10; i++)
        x[i] = i + 1;
    ipsim_target_stats s;
    ipsim_stats_target(x, 10, 1, 3.0, scratch, &s);
    assert_int_equal(s.n_met, 3);
    assert_near(s.p_met, 0.3, TOL);
    assert_near(s.shortfall, 2.8, TOL);
}

/* Non-finite values count in n (not met) but not in mean or shortfall. */
static void test_target_nonfinite(void **state)
{
    (void)state;
    const double x[] = {NAN, 10.0, INFINITY, 2.0};
    double scratch[4];
    ipsim_target_stats s;
    ipsim_stats_target(x, 4, 0, 5.0, scratch, &s);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.n_met, 1);
    assert_int_equal(s.n_finite, 2);
    assert_near(s.p_met, 0.25, TOL);
    assert_near(s.mean, 6.0, TOL);
    assert_near(s.shortfall, 1.5, TOL); /* (0 + 3) / 2 */
    ipsim_stats_target(x, 4, 1, 5.0, scratch, &s);
    assert_int_equal(s.n_met, 1);
    assert_near(s.shortfall, 2.5, TOL); /* (5 + 0) / 2 */

    const double none[] = {NAN, NAN};
    ipsim_stats_target(none, 2, 0, 1.0, scratch, &s);
    assert_int_equal(s.n_met, 0);
    assert_true(s.p_met == 0.0 && s.p_low == 0.0);
    assert_true(isnan(s.mean) && isnan(s.shortfall) && isnan(s.q[2]));
}

/* Met everywhere: p = 1 exactly, upper bound 1, no shortfall. */
static void test_target_all_met(void **state)
{
    (void)state;
    const double x[] = {5, 6, 7};
    double scratch[3];
    ipsim_target_stats s;
    ipsim_stats_target(x, 3, 0, 5.0, scratch, &s);
    assert_true(s.p_met == 1.0 && s.p_high == 1.0 && s.p_low < 1.0);
    assert_true(s.shortfall == 0.0);
}

/* The quantiles come from a selection of the ranks they read, not a full
 * sort: they must equal, bit for bit, those of a sorted copy, on data with
 * no ties, many ties, one value, and sorted or reversed runs. */
static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 11;
}

static void test_quantiles_select_equals_sort(void **state)
{
    (void)state;
    static double x[5003], sorted[5003], scratch[5003];
    const size_t sizes[] = {1, 2, 3, 5, 16, 17, 20, 21, 100, 257, 1000, 5003};
    uint64_t seed = 42;
    int checked = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int kind = 0; kind < 6; kind++) {
            size_t n = sizes[si];
            for (size_t i = 0; i < n; i++) {
                double u = (double)lcg(&seed) / 9007199254740992.0;
                x[i] = kind == 0   ? u * 1e3 - 200.0                      /* distinct */
                       : kind == 1 ? (double)(lcg(&seed) % 4)             /* four values */
                       : kind == 2 ? 7.25                                 /* one value */
                       : kind == 3 ? (double)i                            /* sorted */
                       : kind == 4 ? (double)(n - i)                      /* reversed */
                                   : (lcg(&seed) % 3 ? 0.0 : u * 50.0);   /* mostly zero */
            }
            for (size_t i = 0; i < n; i++)
                sorted[i] = x[i];
            gsl_sort(sorted, 1, n);
            double mean, q[IPSIM_NQUANTILES];
            assert_int_equal(ipsim_stats_summary(x, n, scratch, &mean, q), n);
            for (int k = 0; k < IPSIM_NQUANTILES; k++) {
                double want = gsl_stats_quantile_from_sorted_data(sorted, 1, n,
                                                                  ipsim_quantile_probs[k]);
                if (memcmp(&want, &q[k], sizeof want) != 0)
                    fail_msg("n %zu, data kind %d, quantile %g: %.17g, sorted copy %.17g", n,
                             kind, ipsim_quantile_probs[k], q[k], want);
                checked++;
            }
        }
    assert_int_equal(checked, 12 * 6 * IPSIM_NQUANTILES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_probs),
        cmocka_unit_test(test_wilson_ends),
        cmocka_unit_test(test_wilson_middle),
        cmocka_unit_test(test_quantiles_type7),
        cmocka_unit_test(test_quantiles_single),
        cmocka_unit_test(test_quantiles_select_equals_sort),
        cmocka_unit_test(test_summary_nonfinite),
        cmocka_unit_test(test_met),
        cmocka_unit_test(test_target_ge),
        cmocka_unit_test(test_target_le),
        cmocka_unit_test(test_target_nonfinite),
        cmocka_unit_test(test_target_all_met),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
