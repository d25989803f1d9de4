/* test_closed_forms.c -- MODEL.md §8 as statistical tests: with no macro
 * noise, redirect, pollution, clearance or abandonment and ample clean
 * land, yearly arrivals are Poisson(lambda a), capital and land means have
 * closed forms, production from initial capital is deterministic, and macro
 * noise keeps the mean of arrivals but raises their variance.  Fixed seeds;
 * tolerances are Z_TOL standard errors computed from the model. */
#include "testutil.h"

#include <stdlib.h>

enum { PATHS = 4000 };

/* Two zones; Z1 has an upgrade from 2026-01 (a = 1.5 * 2 = 3 in 2026). */
static const char *yaml_base =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 24\n%s"
    "zones:\n"
    "  - {name: Z0, area_ha: 1e9, clean_ha: 1e9, projects_per_year: 30,\n"
    "     fdi_share: 0.4, fdi_capital_median_musd: 15, domestic_capital_median_musd: 4,\n"
    "     capital_sigma: 1.1, capital_per_ha_musd: 6, intensity_sigma: 0.5,\n"
    "     months_to_operation: 6, ramp_months: 3}\n"
    "  - {name: Z1, area_ha: 1e9, clean_ha: 1e9, projects_per_year: 10, attractiveness: 1.5,\n"
    "     fdi_share: 0.7, fdi_capital_median_musd: 25, domestic_capital_median_musd: 8,\n"
    "     capital_sigma: 0.9, capital_per_ha_musd: 3, intensity_sigma: 0.3,\n"
    "     upgrades: [{from: \"2026-01\", attractiveness: 2}]}\n";

typedef struct {
    double lambda_a[2][2]; /* [zone][year] */
    double pf[2], med_f[2], med_d[2], sk[2], mi[2], si[2];
} expect;

static const expect E = {
    {{30, 30}, {15, 30}}, {0.4, 0.7}, {15, 25}, {4, 8}, {1.1, 0.9}, {6, 3}, {0.5, 0.3},
};

static void run(tu_sim *s, const char *province)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, yaml_base, province);
    tu_sim_init(s, yaml, PATHS);
    tu_sim_run(s, 20250101);
}

static double column(const tu_sim *s, int m, size_t y, size_t z, double *x)
{
    for (size_t p = 0; p < PATHS; p++)
        x[p] = ipsim_block_yearly_zone(&s->blk, m, p)[y * s->blk.n_zones + z];
    return 0;
}

static void test_arrivals_poisson(void **state)
{
    tu_sim s;
    static double x[PATHS];
    run(&s, "");
    for (size_t z = 0; z < 2; z++)
        for (size_t y = 0; y < 2; y++) {
            double la = E.lambda_a[z][y], mean, var;
            column(&s, IPSIM_M_REGISTERED, y, z, x);
            tu_moments(x, PATHS, &mean, &var);
            assert_within_se(mean, la, sqrt(la / PATHS));
            /* Var of a sample variance of Poisson(l): (l + 2 l^2) / n */
            assert_within_se(var, la, sqrt((la + 2 * la * la) / PATHS));
            for (size_t p = 0; p < PATHS; p++)
                assert_true(x[p] == floor(x[p]) && x[p] >= 0);
        }
    tu_sim_free(&s);
}

static void test_fdi_capital_mean(void **state)
{
    tu_sim s;
    static double x[PATHS];
    run(&s, "");
    for (size_t z = 0; z < 2; z++)
        for (size_t y = 0; y < 2; y++) {
            double la = E.lambda_a[z][y], mean, var;
            double want = la * E.pf[z] * E.med_f[z] * exp(E.sk[z] * E.sk[z] / 2);
            /* compound Poisson: Var = l p E[K^2] */
            double ek2 = E.med_f[z] * E.med_f[z] * exp(2 * E.sk[z] * E.sk[z]);
            column(&s, IPSIM_M_FDI, y, z, x);
            tu_moments(x, PATHS, &mean, &var);
            assert_within_se(mean, want, sqrt(la * E.pf[z] * ek2 / PATHS));
        }
    tu_sim_free(&s);
}

static void test_leased_increase_mean(void **state)
{
    tu_sim s;
    static double x[PATHS];
    run(&s, "");
    for (size_t z = 0; z < 2; z++) {
        double prev[PATHS];
        for (size_t p = 0; p < PATHS; p++)
            prev[p] = 0.0; /* leased_ha starts at 0 */
        for (size_t y = 0; y < 2; y++) {
            double la = E.lambda_a[z][y], mean, var;
            double ek = (E.pf[z] * E.med_f[z] + (1 - E.pf[z]) * E.med_d[z]) * exp(E.sk[z] * E.sk[z] / 2);
            double want = la * ek * exp(E.si[z] * E.si[z] / 2) / E.mi[z];
            column(&s, IPSIM_M_LEASED, y, z, x);
            for (size_t p = 0; p < PATHS; p++) {
                double v = x[p];
                x[p] -= prev[p];
                prev[p] = v;
            }
            tu_moments(x, PATHS, &mean, &var);
            /* se from the sample: land per project has a heavy tail */
            assert_within_se(mean, want, sqrt(var / PATHS));
        }
    }
    tu_sim_free(&s);
}

static void test_initial_production_deterministic(void **state)
{
    const char *yaml =
        "ipsim: 1\nstart: \"2025-04\"\nhorizon_months: 30\nproductivity_growth: 0.07\n"
        "zones:\n"
        "  - {name: Z0, area_ha: 100, projects_per_year: 0, fdi_capital_median_musd: 15,\n"
        "     domestic_capital_median_musd: 4, capital_per_ha_musd: 6, output_per_capital: 1.3,\n"
        "     initial: {operating_capital_musd: 900, operating_projects: 12}}\n";
    tu_sim s;
    tu_sim_init(&s, yaml, 3);
    tu_sim_run(&s, 1);
    for (size_t p = 0; p < 3; p++) {
        const double *mp = ipsim_block_monthly(&s.blk, IPSIM_M_PRODUCTION, p);
        const double *yp = ipsim_block_yearly(&s.blk, IPSIM_M_PRODUCTION, p);
        double year_sum[3] = {0, 0, 0};
        for (int t = 0; t < 30; t++) {
            double want = 900 * 1.3 * pow(1.07, t / 12.0) / 12.0;
            assert_close(mp[t], want, 1e-13);
            year_sum[(t + 3) / 12] += want;
        }
        /* 2025 is partial (Apr-Dec), 2027 too (Jan-Sep): plain sums */
        for (int y = 0; y < 3; y++)
            assert_close(yp[y], year_sum[y], 1e-13);
        assert_close(ipsim_block_yearly(&s.blk, IPSIM_M_OPERATING, p)[2], 12, 0);
    }
    tu_sim_free(&s);
}

static void test_macro_noise_keeps_mean_raises_variance(void **state)
{
    tu_sim s;
    static double x[PATHS];
    run(&s, "macro: {sigma: 0.5, annual_persistence: 0.5}\n");
    for (size_t y = 0; y < 2; y++) {
        double la = E.lambda_a[0][y], mean, var;
        column(&s, IPSIM_M_REGISTERED, y, 0, x);
        tu_moments(x, PATHS, &mean, &var);
        /* mean unchanged; se from the sample since the variance grew */
        assert_within_se(mean, la, sqrt(var / PATHS));
        /* the variance exceeds Poisson's by many of its standard errors */
        assert_true(var > la + 10 * sqrt((la + 2 * la * la) / PATHS));
    }
    tu_sim_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrivals_poisson),
        cmocka_unit_test(test_fdi_capital_mean),
        cmocka_unit_test(test_leased_increase_mean),
        cmocka_unit_test(test_initial_production_deterministic),
        cmocka_unit_test(test_macro_noise_keeps_mean_raises_variance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
