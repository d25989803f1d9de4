/* test_production.c -- ramp-up and production (MODEL.md §4.4): the O(1)
 * accumulators agree with the per-project definition, month by month. */
#include "testutil.h"

#include <stdlib.h>

static const char *yaml_ramp =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 240\nproductivity_growth: 0.05\n"
    "zones:\n"
    "  - {name: R1, area_ha: 10, projects_per_year: 0, fdi_capital_median_musd: 1,\n"
    "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1, ramp_months: 1,\n"
    "     output_per_capital: 2}\n"
    "  - {name: R2, area_ha: 10, projects_per_year: 0, fdi_capital_median_musd: 1,\n"
    "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1, ramp_months: 2}\n"
    "  - {name: R5, area_ha: 10, projects_per_year: 0, fdi_capital_median_musd: 1,\n"
    "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1, ramp_months: 5,\n"
    "     initial: {operating_capital_musd: 7}}\n"
    "  - {name: R12, area_ha: 10, projects_per_year: 0, fdi_capital_median_musd: 1,\n"
    "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1, ramp_months: 12,\n"
    "     output_per_capital: 0.5}\n";

/* Runs of zones with the same R (rings shared a run at a time). */
#define ZONE_R(name, r)                                                                   \
    "  - {name: " name ", area_ha: 10, projects_per_year: 0, fdi_capital_median_musd: 1,\n" \
    "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1, ramp_months: " r "}\n"
static const char *yaml_runs =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 240\nproductivity_growth: 0.05\n"
    "zones:\n" ZONE_R("A", "3") ZONE_R("B", "3") ZONE_R("C", "3") ZONE_R("D", "1")
        ZONE_R("E", "1") ZONE_R("F", "12") ZONE_R("G", "12") ZONE_R("H", "3");

/* Random starts in random months; production by the O(1) accumulators
 * must equal the sum over projects of K*o*ramp(t-s)*(1+g)^(t/12)/12. */
static void ramp_matches_definition(const char *yaml, size_t n_zones, size_t n_runs)
{
    tu_sim s;
    tu_sim_init(&s, yaml, 1);
    ipsim_ws *ws = &s.ws;
    assert_int_equal(s.model.n_ramp_runs, n_runs);
    ipsim_production_reset(ws);
    enum { T = 240, Z = 8 };
    assert_true(n_zones <= Z);
    static double start[Z][T];
    memset(start, 0, sizeof start);
    srand(12345);
    for (int t = 0; t < T; t++) {
        ipsim_production_age(ws, t);
        for (size_t z = 0; z < n_zones; z++) {
            int k = rand() % 3; /* 0, 1 or 2 starts this month */
            for (int i = 0; i < k; i++) {
                double K = 1.0 + (double)(rand() % 1000) / 10.0;
                start[z][t] += K;
                ipsim_production_start(ws, z, K);
            }
            const ipsim_zone *zp = &s.scn.zones[z];
            double want = zp->initial_operating_capital_musd;
            for (int u = 0; u <= t; u++) {
                double ramp = (double)(t - u + 1) / zp->ramp_months;
                want += start[z][u] * (ramp < 1.0 ? ramp : 1.0);
            }
            want *= zp->output_per_capital * pow(1.05, t / 12.0) / 12.0;
            assert_close(ipsim_production_month(ws, z, (int)t), want, 1e-12);
        }
    }
    tu_sim_free(&s);
}

static void test_ramp_matches_definition(void **state)
{
    ramp_matches_definition(yaml_ramp, 4, 4);
}

static void test_ramp_runs_match_definition(void **state)
{
    ramp_matches_definition(yaml_runs, 8, 4);
}

/* R past the horizon (any whole number >= 1 is valid, §11.9): the ring is
 * T + 1 slots, so that B, C and D share one run, and R = 2^31 - 1 needs no
 * 16 GB; production still ramps by the true R. */
static const char *yaml_long_ramps =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 240\nproductivity_growth: 0.05\n"
    "zones:\n" ZONE_R("A", "3") ZONE_R("B", "2147483647") ZONE_R("C", "1000")
        ZONE_R("D", "241") ZONE_R("E", "240");

static void test_ramp_longer_than_horizon(void **state)
{
    ramp_matches_definition(yaml_long_ramps, 5, 3);
    tu_sim s;
    tu_sim_init(&s, yaml_long_ramps, 1);
    assert_int_equal(s.model.ring_total, 3 + 3 * 241 + 240);
    tu_sim_free(&s);
}

/* Every zone's starts at once (from calendar cells, stride 4) give the
 * same accumulators, bit for bit, as zone-by-zone starts, on runs of
 * zones with R = 1, 3 and 12. */
static void test_start_all_matches_start(void **state)
{
    tu_sim a, b;
    tu_sim_init(&a, yaml_runs, 1);
    tu_sim_init(&b, yaml_runs, 1);
    size_t Z = a.model.Z;
    ipsim_production_reset(&a.ws);
    ipsim_production_reset(&b.ws);
    double cells[8][4];
    srand(777);
    for (int t = 0; t < 100; t++) {
        ipsim_production_age(&a.ws, t);
        ipsim_production_age(&b.ws, t);
        for (size_t z = 0; z < Z; z++) {
            cells[z][0] = rand() % 4 ? (double)(rand() % 1000) / 7.0 : 0.0;
            cells[z][1] = cells[z][2] = cells[z][3] = -1.0; /* not capital: never read */
            ipsim_production_start(&a.ws, z, cells[z][0]);
        }
        ipsim_production_start_all(&b.ws, &cells[0][0], 4);
        for (size_t z = 0; z < Z; z++) {
            double pa = ipsim_production_month(&a.ws, z, t), pb = ipsim_production_month(&b.ws, z, t);
            if (memcmp(&pa, &pb, sizeof pa) != 0 || a.ws.k_full[z] != b.ws.k_full[z] ||
                a.ws.ramp_w[z] != b.ws.ramp_w[z] || a.ws.ramp_v[z] != b.ws.ramp_v[z])
                fail_msg("month %d, zone %zu: production %.17g against %.17g", t, z, pb, pa);
        }
    }
    tu_sim_free(&a);
    tu_sim_free(&b);
}

/* ramp(0) = 1/R: a project produces in the month it starts. */
static void test_first_month_ramp(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_ramp, 1);
    ipsim_production_reset(&s.ws);
    ipsim_production_age(&s.ws, 0);
    ipsim_production_start(&s.ws, 3, 24.0);
    assert_close(ipsim_production_month(&s.ws, 3, 0), 24.0 * 0.5 / 12.0 / 12.0, 1e-15);
    tu_sim_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ramp_matches_definition),
        cmocka_unit_test(test_ramp_runs_match_definition),
        cmocka_unit_test(test_ramp_longer_than_horizon),
        cmocka_unit_test(test_start_all_matches_start),
        cmocka_unit_test(test_first_month_ramp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
