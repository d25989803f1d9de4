/* test_demand.c -- the draws of arriving projects and the macro factor
 * (MODEL.md §4.1, §4.3, §11.11): each draw's distribution, edge cases of
 * the operation lag, E[M_t] = 1 and the macro factor's persistence. */
#include "testutil.h"

#define ZONE_KEYS                                                               \
    "area_ha: 1e9, clean_ha: 1e9, projects_per_year: 12,"                       \
    " fdi_capital_median_musd: 20, domestic_capital_median_musd: 5,"            \
    " capital_per_ha_musd: 2"

static void test_project_draw_distributions(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nredirect_prob: 0.3\nzones:\n"
                "  - {name: D, " ZONE_KEYS ", fdi_share: 0.25, capital_sigma: 0.8,\n"
                "     intensity_sigma: 0.4, polluting_share: 0.1, abandon_prob: 0.2,\n"
                "     months_to_operation: 18, months_to_operation_cv: 0.5}\n",
                1);
    ipsim_ws *ws = &s.ws;
    ipsim_stream_set_path(&ws->st, 99, 0);
    const unsigned n = 100000;
    double fdi = 0, logk_fdi = 0, n_fdi = 0, logi = 0, logi2 = 0, wwtp = 0, ab = 0, rd = 0, lag = 0;
    for (unsigned i = 0; i < n; i++) {
        ipsim_project p;
        ipsim_demand_project(ws, 0, (int)(i % 12), i / 12, &p);
        fdi += p.fdi;
        if (p.fdi) {
            logk_fdi += log(p.capital);
            n_fdi++;
        }
        double li = log(p.capital / p.land);
        logi += li;
        logi2 += li * li;
        wwtp += p.needs_wwtp;
        ab += p.abandon;
        rd += p.redirect;
        assert_true(p.lag >= 1);
        lag += p.lag;
    }
    double N = n;
    assert_within_se(fdi / N, 0.25, sqrt(0.25 * 0.75 / N));
    assert_within_se(logk_fdi / n_fdi, log(20.0), 0.8 / sqrt(n_fdi));
    assert_within_se(logi / N, log(2.0), 0.4 / sqrt(N));
    assert_within_se(sqrt(logi2 / N - (logi / N) * (logi / N)), 0.4, 0.4 / sqrt(2.0 * N));
    assert_within_se(wwtp / N, 0.1, sqrt(0.1 * 0.9 / N));
    assert_within_se(ab / N, 0.2, sqrt(0.2 * 0.8 / N));
    assert_within_se(rd / N, 0.3, sqrt(0.3 * 0.7 / N));
    /* ceil(G) with G ~ Gamma(mean 18, sd 9): mean in (18, 19) */
    assert_true(lag / N > 18.0 && lag / N < 19.0);
    tu_sim_free(&s);
}

static void test_lag_edge_cases(void **state)
{
    const char *fmt = "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n"
                      "  - {name: D, " ZONE_KEYS ", months_to_operation: %s,"
                      " months_to_operation_cv: %s}\n";
    /* a cv too small for 1/c^2 is the lag at c = 0; one too large for the
     * scale draws gammas of 0 (not NaN, which would never operate): 1 */
    const char *cases[][3] = {{"0", "0.5", "1"}, {"0", "0", "1"},      {"6.2", "0", "7"},
                              {"0.3", "0", "1"}, {"5", "1e-170", "5"}, {"5", "1e200", "1"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, fmt, cases[c][0], cases[c][1]);
        tu_sim s;
        tu_sim_init(&s, yaml, 1);
        ipsim_stream_set_path(&s.ws.st, 1, 0);
        for (unsigned i = 0; i < 100; i++) {
            ipsim_project p;
            ipsim_demand_project(&s.ws, 0, 0, i, &p);
            assert_int_equal(p.lag, atoi(cases[c][2]));
        }
        tu_sim_free(&s);
    }
}

static void test_macro_mean_one(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 24\n"
                "macro: {sigma: 0.4, annual_persistence: 0.6}\nzones:\n"
                "  - {name: D, " ZONE_KEYS "}\n",
                1);
    ipsim_ws *ws = &s.ws;
    enum { PATHS = 20000 };
    static double m0[PATHS], m23[PATHS];
    for (size_t p = 0; p < PATHS; p++) {
        ipsim_stream_set_path(&ws->st, 5, p);
        ipsim_demand_reset(ws);
        for (int t = 0; t < 24; t++) {
            double M = ipsim_demand_macro(ws, t);
            if (t == 0)
                m0[p] = M;
            if (t == 23)
                m23[p] = M;
        }
    }
    /* v_t = s^2 (1 - phi^(2(t+1))), M_t lognormal: E = 1, Var = e^v - 1 */
    double phi = pow(0.6, 1.0 / 12.0);
    double v0 = 0.16 * (1.0 - phi * phi), v23 = 0.16 * (1.0 - pow(phi, 48.0));
    double mean, var, m4 = 0.0;
    tu_moments(m0, PATHS, &mean, &var);
    assert_within_se(mean, 1.0, sqrt((exp(v0) - 1.0) / PATHS));
    tu_moments(m23, PATHS, &mean, &var);
    assert_within_se(mean, 1.0, sqrt((exp(v23) - 1.0) / PATHS));
    for (size_t p = 0; p < PATHS; p++)
        m4 += pow(m23[p] - mean, 4.0) / PATHS;
    assert_within_se(var, exp(v23) - 1.0, sqrt((m4 - var * var) / PATHS));
    tu_sim_free(&s);
}

/* Correlation of log factors 12 months apart is rho (stationary part). */
static void test_macro_annual_persistence(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 400\n"
                "macro: {sigma: 0.3, annual_persistence: 0.5}\nzones:\n"
                "  - {name: D, " ZONE_KEYS "}\n",
                1);
    ipsim_ws *ws = &s.ws;
    const size_t paths = 4000;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t p = 0; p < paths; p++) {
        ipsim_stream_set_path(&ws->st, 8, p);
        ipsim_demand_reset(ws);
        double x = 0;
        for (int t = 0; t < 400; t++) {
            ipsim_demand_macro(ws, t);
            if (t == 387)
                x = ws->macro_m;
        }
        double y = ws->macro_m; /* t = 399 */
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
    }
    double r = sxy / sqrt(sxx * syy);
    /* se of a correlation near 0.5 with n = 4000: (1 - r^2)/sqrt(n) */
    assert_within_se(r, 0.5, 0.75 / sqrt((double)paths));
    assert_within_se(sxx / paths, 0.09, 0.09 * sqrt(2.0 / paths));
    tu_sim_free(&s);
}

static void test_macro_off_is_one(void **state)
{
    tu_sim s;
    tu_sim_init(&s, "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n"
                    "  - {name: D, " ZONE_KEYS "}\n",
                1);
    for (int t = 0; t < 12; t++)
        assert_close(ipsim_demand_macro(&s.ws, t), 1.0, 0);
    tu_sim_free(&s);
}

/* Common random numbers (§6) for the counts, as the model draws them
 * (every zone's month at once): an upgrade x1.3 from month 6 takes a mean
 * of 100/12 = 8.3 a month across 10 (zone U), and 300/12 = 25 further
 * (zone V); path by path, month by month, the upgraded counts are never
 * smaller, and before the upgrade they are the same. */
static void test_counts_monotone_in_policy(void **state)
{
#define ZONES_UV(up)                                                                    \
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 24\n"                              \
    "macro: {sigma: 0.2, annual_persistence: 0.5}\nzones:\n"                            \
    "  - {name: U, area_ha: 1e9, clean_ha: 1e9, projects_per_year: 100, "                \
    "fdi_capital_median_musd: 20, domestic_capital_median_musd: 5, "                      \
    "capital_per_ha_musd: 2" up "}\n"                                                   \
    "  - {name: V, area_ha: 1e9, clean_ha: 1e9, projects_per_year: 300, "                \
    "fdi_capital_median_musd: 20, domestic_capital_median_musd: 5, "                      \
    "capital_per_ha_musd: 2" up "}\n"
    tu_sim a, b;
    tu_sim_init(&a, ZONES_UV(""), 1);
    tu_sim_init(&b, ZONES_UV(", upgrades: [{from: \"2025-07\", attractiveness: 1.3}]"), 1);
#undef ZONES_UV
    ipsim_error err;
    size_t more = 0;
    for (uint64_t path = 0; path < 400; path++) {
        ipsim_stream_set_path(&a.ws.st, 3, path);
        ipsim_stream_set_path(&b.ws.st, 3, path);
        ipsim_demand_reset(&a.ws);
        ipsim_demand_reset(&b.ws);
        for (int t = 0; t < 24; t++) {
            double ma = ipsim_demand_macro(&a.ws, t), mb = ipsim_demand_macro(&b.ws, t);
            assert_int_equal(ipsim_demand_month(&a.ws, t, ma, &err), IPSIM_OK);
            assert_int_equal(ipsim_demand_month(&b.ws, t, mb, &err), IPSIM_OK);
            for (size_t z = 0; z < 2; z++) {
                unsigned na = a.ws.arrivals[z], nb = b.ws.arrivals[z];
                if (t < 6 ? nb != na : nb < na)
                    fail_msg("path %lu month %d zone %zu: %u arrivals, %u with the upgrade",
                             (unsigned long)path, t, z, na, nb);
                more += nb > na;
            }
        }
    }
    assert_true(more > 400 * 18); /* and the upgrade does add arrivals */
    tu_sim_free(&a);
    tu_sim_free(&b);
}

/* The loader refuses a mean of 2^28 arrivals a month or more (tests/bad);
 * just below it, a macro factor above 1 still takes a month's count past
 * what the stream can index: bad input, named, and no draw of a project. */
static void test_count_past_stream_limit(void **state)
{
    (void)state;
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 3\nzones:\n"
                "  - {name: A, area_ha: 1e9, clean_ha: 1e9, projects_per_year: 3.2e9, "
                "fdi_capital_median_musd: 20, domestic_capital_median_musd: 5, "
                "capital_per_ha_musd: 2}\n",
                1);
    ipsim_error err = {0};
    ipsim_stream_set_path(&s.ws.st, 3, 0);
    ipsim_demand_reset(&s.ws);
    assert_int_equal(ipsim_demand_month(&s.ws, 0, 0.99, &err), IPSIM_OK);
    assert_true(s.ws.arrivals[0] < IPSIM_STREAM_MAX_INDEX);
    assert_int_equal(ipsim_demand_month(&s.ws, 1, 1.01, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "zones[A].projects_per_year"));
    tu_sim_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_project_draw_distributions),
        cmocka_unit_test(test_lag_edge_cases),
        cmocka_unit_test(test_macro_mean_one),
        cmocka_unit_test(test_macro_annual_persistence),
        cmocka_unit_test(test_macro_off_is_one),
        cmocka_unit_test(test_counts_monotone_in_policy),
        cmocka_unit_test(test_count_past_stream_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
