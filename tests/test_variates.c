/* test_variates.c -- each sampler of variates.h against GSL's exact
 * distribution functions: Kolmogorov-Smirnov for the continuous ones,
 * chi-square for the Poisson, binomial checks for the Bernoulli and the
 * ziggurat's tail.  Every sample draws from many keyed streams, one per
 * draw, as the model does.  Each test fails a correct sampler with
 * probability ALPHA; its critical value is derived from that and the
 * sample size, never tuned to the seed. */
#include "testutil.h"

#include <float.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "variates.h"

#define ALPHA 1e-6
#define N_KS 400000

typedef double (*sampler_fn)(ipsim_stream *s, const void *arg);
typedef double (*cdf_fn)(double x, const void *arg);

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One draw per stream (zone k % 1000, month k / 1000 % 1000, index ...). */
static void select_stream(ipsim_stream *s, size_t k)
{
    ipsim_stream_at(s, (uint32_t)(k % 1000), (uint32_t)(k / 1000 % 1000), IPSIM_P_PROJECT,
                    (uint32_t)(k / 1000000));
}

/* The KS statistic of n draws against cdf must stay below the critical
 * value sqrt(ln(2/ALPHA) / (2n)) (the asymptotic Kolmogorov bound). */
static void ks_check(const char *what, sampler_fn draw, const void *arg, cdf_fn cdf, uint64_t seed)
{
    static double x[N_KS];
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, seed, 3);
    for (size_t k = 0; k < N_KS; k++) {
        select_stream(&s, k);
        x[k] = draw(&s, arg);
        if (!isfinite(x[k]))
            fail_msg("%s: draw %zu is %g", what, k, x[k]);
    }
    qsort(x, N_KS, sizeof *x, cmp_double);
    double d = 0.0;
    for (size_t i = 0; i < N_KS; i++) {
        double f = cdf(x[i], arg);
        double lo = f - (double)i / N_KS, hi = (double)(i + 1) / N_KS - f;
        d = fmax(d, fmax(lo, hi));
    }
    double crit = sqrt(log(2.0 / ALPHA) / (2.0 * N_KS));
    if (!(d < crit))
        fail_msg("%s: KS D = %.5f, critical %.5f", what, d, crit);
}

/* ---- normal and lognormal ---- */

static double draw_normal(ipsim_stream *s, const void *arg)
{
    (void)arg;
    return ipsim_variates_normal(s);
}

static double cdf_normal(double x, const void *arg)
{
    (void)arg;
    return gsl_cdf_ugaussian_P(x);
}

static void test_normal_ks(void **state)
{
    ks_check("normal", draw_normal, NULL, cdf_normal, 11);
}

/* The ziggurat's rare branches: the tail beyond r = 3.4426 and the wedges
 * must put the right mass there.  P(|Z| > 3) and P(|Z| > 3.4426), as
 * binomial proportions of 4e6 draws, against the exact values. */
static void test_normal_tails(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 12, 0);
    const size_t n = 4000000;
    const double cut[2] = {3.0, 3.442619855896652};
    double hits[2] = {0, 0}, far = 0;
    ipsim_stream_at(&s, 0, 0, IPSIM_P_MACRO, 0); /* one long stream: 1e6 blocks */
    for (size_t k = 0; k < n; k++) {
        double z = fabs(ipsim_variates_normal(&s));
        for (int c = 0; c < 2; c++)
            hits[c] += z > cut[c];
        far += z > 4.5;
    }
    for (int c = 0; c < 2; c++) {
        double p = 2.0 * gsl_cdf_ugaussian_Q(cut[c]);
        assert_within_se(hits[c] / (double)n, p, sqrt(p * (1 - p) / (double)n));
    }
    assert_true(far > 0); /* the tail sampler reaches beyond the last layer */
}

/* Most normals take one word: a point inside a layer's inner rectangle,
 * 97.3 % of them with these tables (the rest take two or more words). */
static void test_normal_one_word(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 13, 0);
    size_t one = 0, n = 100000;
    for (size_t k = 0; k < n; k++) {
        select_stream(&s, k);
        ipsim_variates_normal(&s);
        one += s.pos == 1;
    }
    assert_true(one > 0.95 * (double)n);
}

typedef struct {
    double mu, sigma;
} ln_arg;

static double draw_lognormal(ipsim_stream *s, const void *arg)
{
    const ln_arg *a = arg;
    return ipsim_variates_lognormal(s, a->mu, a->sigma);
}

static double cdf_lognormal(double x, const void *arg)
{
    const ln_arg *a = arg;
    return gsl_cdf_lognormal_P(x, a->mu, a->sigma);
}

static void test_lognormal_ks(void **state)
{
    const ln_arg cases[] = {{log(10.0), 1.2}, {log(4.0), 0.5}};
    for (size_t c = 0; c < 2; c++)
        ks_check("lognormal", draw_lognormal, &cases[c], cdf_lognormal, 20 + c);
}

/* ---- gamma ---- */

typedef struct {
    double shape;
    ipsim_variates_gamma_shape g;
} gamma_arg;

static double draw_gamma(ipsim_stream *s, const void *arg)
{
    return ipsim_variates_gamma(s, &((const gamma_arg *)arg)->g);
}

static double cdf_gamma(double x, const void *arg)
{
    return gsl_cdf_gamma_P(x, ((const gamma_arg *)arg)->shape, 1.0);
}

/* Shapes below 1 (the boost), at 1, the model's usual 4 (cv 0.5), and
 * large. */
static void test_gamma_ks(void **state)
{
    const double shapes[] = {0.15, 0.7, 1.0, 4.0, 1.0 / (0.8 * 0.8), 60.0};
    for (size_t c = 0; c < sizeof shapes / sizeof shapes[0]; c++) {
        gamma_arg a;
        a.shape = shapes[c];
        ipsim_variates_gamma_prep(&a.g, shapes[c]);
        char what[64];
        snprintf(what, sizeof what, "gamma shape %g", shapes[c]);
        ks_check(what, draw_gamma, &a, cdf_gamma, 30 + c);
    }
}

/* The mean-and-cv form: the scale is MODEL.md's mean cv^2, rounded as
 * written; a cv too small for 1/cv^2 is the mean itself (0 returned); a
 * cv so large that its scale overflows draws finite values, all zero here,
 * never NaN (0 * inf). */
static void test_gamma_mean_cv_extremes(void **state)
{
    ipsim_variates_gamma_shape g;
    double scale = -1.0;
    assert_int_equal(ipsim_variates_gamma_mean_cv(&g, &scale, 10.0, 0.5), 1);
    assert_true(scale == 10.0 * 0.5 * 0.5 && g.d == 4.0 - 1.0 / 3.0);
    assert_int_equal(ipsim_variates_gamma_mean_cv(&g, &scale, 10.0, 1e-100), 1);
    assert_int_equal(ipsim_variates_gamma_mean_cv(&g, &scale, 10.0, 1e-170), 0);
    assert_int_equal(ipsim_variates_gamma_mean_cv(&g, &scale, 10.0, 5e-324), 0);
    const double huge[] = {1e100, 1e160, 1e300, DBL_MAX};
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 5, 0);
    for (size_t c = 0; c < sizeof huge / sizeof huge[0]; c++) {
        assert_int_equal(ipsim_variates_gamma_mean_cv(&g, &scale, 10.0, huge[c]), 1);
        assert_true(isfinite(scale) && scale > 0.0);
        for (size_t k = 0; k < 10000; k++) {
            select_stream(&s, k);
            double x = scale * ipsim_variates_gamma(&s, &g);
            if (!(x == 0.0))
                fail_msg("cv %g: draw %g, expected 0", huge[c], x);
        }
    }
}

/* ---- Poisson ---- */

/* Chi-square of n draws against the Poisson pmf, bins with an expected
 * count below 5 merged into their neighbours; the statistic must stay
 * below the chi-square quantile 1 - ALPHA. */
static void poisson_check(double mu, uint64_t seed)
{
    enum { KMAX = 4096 };
    static double obs[KMAX + 1];
    const size_t n = 400000;
    memset(obs, 0, sizeof obs);
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, seed, 0);
    for (size_t k = 0; k < n; k++) {
        select_stream(&s, k);
        unsigned x = ipsim_variates_poisson(&s, mu);
        obs[x < KMAX ? x : KMAX]++;
    }
    double chi2 = 0, o = 0, e = 0, cum = 0;
    int df = -1;
    for (unsigned k = 0; k <= KMAX; k++) {
        double pk = k < KMAX ? gsl_ran_poisson_pdf(k, mu) : fmax(0.0, 1.0 - cum);
        cum += pk;
        o += obs[k];
        e += (double)n * pk;
        int last = k == KMAX || (double)n * (1.0 - cum) < 5.0;
        if (e >= 5.0 && !last) {
            chi2 += (o - e) * (o - e) / e;
            df++;
            o = e = 0;
        } else if (last) {
            /* everything from here on in one bin */
            for (unsigned j = k + 1; j <= KMAX; j++)
                o += obs[j];
            e += (double)n * fmax(0.0, 1.0 - cum);
            if (e > 0) {
                chi2 += (o - e) * (o - e) / e;
                df++;
            }
            break;
        }
    }
    assert_true(df >= 1);
    double crit = gsl_cdf_chisq_Qinv(ALPHA, df);
    if (!(chi2 < crit))
        fail_msg("Poisson(%g): chi2 %.1f on %d df, critical %.1f", mu, chi2, df, crit);
}

/* The CDF summed from 0 below 10, searched from the mode from 10 on. */
static void test_poisson_chi2(void **state)
{
    const double mus[] = {0.02, 1.04, 4.5, 9.99, 10.0, 37.5, 1000.0};
    for (size_t c = 0; c < sizeof mus / sizeof mus[0]; c++)
        poisson_check(mus[c], 40 + c);
}

static void test_poisson_edges(void **state)
{
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 50, 0);
    ipsim_stream_at(&s, 0, 0, IPSIM_P_COUNT, 0);
    assert_int_equal(ipsim_variates_poisson(&s, 0.0), 0);
    assert_int_equal(s.end, 0); /* a zero mean draws nothing */
    /* Inversion with one word: with the same word a larger mean never
     * gives fewer arrivals (an upgrade adds projects, keeps the others). */
    for (uint32_t i = 0; i < 20000; i++) {
        ipsim_stream_at(&s, 1, 2, IPSIM_P_COUNT, i);
        unsigned lo = ipsim_variates_poisson(&s, 1.3);
        assert_int_equal(s.pos, 1);
        ipsim_stream_at(&s, 1, 2, IPSIM_P_COUNT, i);
        unsigned hi = ipsim_variates_poisson(&s, 1.3 * 1.25);
        assert_true(hi >= lo);
    }
}

/* Every mean inverts one word, so with the same word a larger mean never
 * gives fewer arrivals, across the switch at 10 (8.3 -> 10.8) and far
 * beyond it; and the search from the mode gives exactly the count of the
 * CDF summed from 0, where both apply. */
static void test_poisson_monotone_and_search(void **state)
{
    const double mus[] = {1.3, 8.3, 9.99, 12.0, 45.0, 150.0, 1000.0, 1e5};
    for (uint32_t i = 0; i < 200000; i++) {
        uint32_t w = (uint32_t)(i * 2654435761u) ^ (i >> 3);
        for (size_t c = 0; c < sizeof mus / sizeof mus[0]; c++) {
            unsigned lo = ipsim_variates_poisson_inv(w, mus[c]);
            unsigned hi = ipsim_variates_poisson_inv(w, mus[c] * 1.3);
            if (hi < lo)
                fail_msg("word %u: Poisson(%g) gives %u, Poisson(%g) %u", w, mus[c], lo,
                         mus[c] * 1.3, hi);
        }
        double mu = 0.5 + 9.4 * (double)(i % 1000) / 1000.0;
        assert_int_equal(ipsim_variates_poisson_search(ipsim_stream_word_uniform(w), mu),
                         ipsim_variates_poisson_inv(w, mu));
    }
    /* the extreme words, u = 2^-33 and 1 - 2^-33 (the CDF summed in Python) */
    assert_int_equal(ipsim_variates_poisson_inv(0, 45.0), 10);
    assert_int_equal(ipsim_variates_poisson_inv(0xFFFFFFFFu, 45.0), 94);
}

/* ---- exp ---- */

/* Within 1 ulp of libm's exp (both are within ~0.5 ulp of the truth) over
 * the whole range and exact or right at the special values. */
static void test_exp(void **state)
{
    double worst = 0.0;
    for (int k = -1000000; k <= 1000000; k++) {
        double x = k * 7.0e-4 + (k % 7) * 1.3e-9; /* [-700, 700], irregular */
        double want = exp(x), got = ipsim_variates_exp(x);
        double ulps = fabs(got - want) / (nextafter(want, INFINITY) - want);
        worst = fmax(worst, ulps);
    }
    if (!(worst <= 1.0))
        fail_msg("exp: %.2f ulp from libm", worst);
    assert_true(ipsim_variates_exp(0.0) == 1.0);
    assert_true(ipsim_variates_exp(1e-300) == 1.0);
    assert_true(isinf(ipsim_variates_exp(1000.0)));
    assert_true(ipsim_variates_exp(-1000.0) == 0.0);
    assert_true(isnan(ipsim_variates_exp(NAN)));
}

/* The array exp (AVX2 lanes where the CPU has them) gives the scalar
 * exp's bits exactly, special values and a ragged tail included. */
static void test_exp_n(void **state)
{
    enum { N = 200003 };
    static double x[N], y[N];
    for (int k = 0; k < N; k++)
        x[k] = (k - N / 2) * 7.1e-3 + (k % 11) * 1.7e-9; /* [-710, 710] */
    const double special[] = {0.0, -0.0, 511.999, -511.999, 512.0, -512.0, 1e6, -1e6, NAN,
                              INFINITY, -INFINITY, 1e-300, -745.2, 709.8};
    for (size_t j = 0; j < sizeof special / sizeof *special; j++)
        x[7 * j + 3] = special[j];
    for (size_t n = N; n >= N - 3; n--) {
        ipsim_variates_exp_n(x, y, n);
        for (size_t k = 0; k < n; k++) {
            double want = ipsim_variates_exp(x[k]);
            if (memcmp(&want, &y[k], sizeof want) != 0)
                fail_msg("exp_n(%.17g) = %.17g, scalar %.17g", x[k], y[k], want);
        }
    }
}

/* ---- the gamma's log test ---- */

/* The approximate log is within 1e-12 (1 + |log x|) of libm's, from the
 * smallest uniform a word gives to 1e300 and at the powers of two. */
static void test_log_approx(void **state)
{
    double worst = 0.0, at = 0.0;
    for (long n = 0; n < 3000000; n++) {
        double x = n % 3 == 0   ? ipsim_stream_word_uniform((uint32_t)((uint64_t)n * 2654435761u))
                   : n % 3 == 1 ? 1e-3 + 1e-5 * (double)n
                                : exp(-700.0 + 1390.0 * (double)n / 3e6);
        double e = fabs(ipsim_variates_log_approx(x) - log(x)) / (1.0 + fabs(log(x)));
        if (e > worst) {
            worst = e;
            at = x;
        }
    }
    for (int k = -1020; k <= 1020; k++)
        for (int d = -1; d <= 1; d++) {
            double x = d < 0 ? nextafter(ldexp(1.0, k), 0.0) : d > 0 ? nextafter(ldexp(1.0, k), 2.0 * ldexp(1.0, k)) : ldexp(1.0, k);
            worst = fmax(worst, fabs(ipsim_variates_log_approx(x) - log(x)) / (1.0 + fabs(log(x))));
        }
    if (!(worst < 1e-12))
        fail_msg("log_approx: error %.3g (at %.17g)", worst, at);
}

/* glibc's decision, as ipsim_variates_gamma_accepts made it before. */
static int log_test_libm(const ipsim_variates_gamma_shape *g, double x2, double v, double u)
{
    return log(u) < 0.5 * x2 + g->d * (1.0 - v + log(v));
}

/* ipsim_variates_gamma_log_test decides as glibc's log does: on the tries
 * a gamma makes whose squeeze fails, and on u placed within a few ulps of
 * the boundary exp(x^2/2 + d (1 - v + log v)), where the approximate logs
 * alone would decide some wrongly (the margin sends those to glibc). */
static void test_gamma_log_test_exact(void **state)
{
    const double shapes[] = {0.3, 1.0, 1.5, 4.0, 25.0, 400.0};
    long tries = 0, boundary = 0;
    for (size_t j = 0; j < sizeof shapes / sizeof *shapes; j++) {
        ipsim_variates_gamma_shape g;
        ipsim_variates_gamma_prep(&g, shapes[j]);
        for (uint32_t n = 0; n < 400000; n++) {
            /* a normal from a word, and a uniform from another */
            double x;
            uint32_t w0 = n * 2654435761u, w1 = n * 40503u + 12345u * (uint32_t)j;
            if (!ipsim_variates_normal_word(w0, &x))
                continue;
            double v = 1.0 + g.c * x;
            if (!(v > 0.0))
                continue;
            v = v * v * v;
            double x2 = x * x, u = ipsim_stream_word_uniform(w1);
            if (!(u < 1.0 - 0.0331 * x2 * x2)) {
                tries++;
                if (ipsim_variates_gamma_log_test(&g, x2, v, u) != log_test_libm(&g, x2, v, u))
                    fail_msg("shape %g: x %.17g u %.17g decided otherwise", shapes[j], x, u);
            }
            /* the boundary: u = exp(rhs) and its neighbours, when in (0, 1) */
            double rhs = 0.5 * x2 + g.d * (1.0 - v + log(v)), ub = exp(rhs);
            if (n % 16 || !(ub > 0.0 && ub < 1.0))
                continue;
            for (int k = -4; k <= 4; k++) {
                double uk = ub;
                for (int m = 0; m < abs(k); m++)
                    uk = nextafter(uk, k < 0 ? 0.0 : 1.0);
                boundary++;
                if (ipsim_variates_gamma_log_test(&g, x2, v, uk) != log_test_libm(&g, x2, v, uk))
                    fail_msg("shape %g: x %.17g u %.17g at the boundary decided otherwise",
                             shapes[j], x, uk);
            }
        }
    }
    assert_true(tries > 100000 && boundary > 100000);
}

/* ---- Bernoulli ---- */

static void test_bernoulli(void **state)
{
    assert_true(ipsim_variates_threshold(0.0) == 0);
    assert_true(ipsim_variates_threshold(1.0) == (uint64_t)1 << 32);
    /* GSL's decision u < p with u = w / 2^32, at the boundary words */
    const double p = 0.3;
    uint64_t t = ipsim_variates_threshold(p);
    assert_true((double)(t - 1) / 4294967296.0 < p);
    assert_false((double)t / 4294967296.0 < p);
    ipsim_stream s;
    ipsim_error err;
    assert_int_equal(ipsim_stream_init(&s, &err), IPSIM_OK);
    ipsim_stream_set_path(&s, 60, 0);
    const size_t n = 400000;
    double hits = 0, never = 0, always = 0;
    for (size_t k = 0; k < n; k++) {
        select_stream(&s, k);
        hits += ipsim_variates_bernoulli(&s, t);
        never += ipsim_variates_bernoulli(&s, ipsim_variates_threshold(0.0));
        always += ipsim_variates_bernoulli(&s, ipsim_variates_threshold(1.0));
    }
    assert_within_se(hits / (double)n, p, sqrt(p * (1 - p) / (double)n));
    assert_true(never == 0 && always == (double)n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_ks),        cmocka_unit_test(test_normal_tails),
        cmocka_unit_test(test_normal_one_word),  cmocka_unit_test(test_lognormal_ks),
        cmocka_unit_test(test_gamma_ks),         cmocka_unit_test(test_gamma_mean_cv_extremes),
        cmocka_unit_test(test_poisson_chi2),
        cmocka_unit_test(test_poisson_edges),
        cmocka_unit_test(test_poisson_monotone_and_search),    cmocka_unit_test(test_exp), cmocka_unit_test(test_exp_n),
        cmocka_unit_test(test_log_approx),       cmocka_unit_test(test_gamma_log_test_exact),
        cmocka_unit_test(test_bernoulli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
