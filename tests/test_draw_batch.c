/* test_draw_batch.c -- the model draws a month's projects in batches (their
 * first Philox blocks computed together, a straight-line path for the
 * common case); every project must be exactly the one ipsim_demand_project
 * draws on its own from the same key, whatever the rejections, and the
 * counts exactly ipsim_demand_count's.  Zones cover the fixed lag, the
 * gamma boost (shape < 1) and the usual shape. */
#include "testutil.h"

static const char *yaml_mix =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 60\nredirect_prob: 0.4\n"
    "macro: {sigma: 0.3}\n"
    "defaults: {area_ha: 1e6, clean_ha: 1e6, fdi_capital_median_musd: 10,\n"
    "           domestic_capital_median_musd: 3, capital_per_ha_musd: 4, polluting_share: 0.2,\n"
    "           abandon_prob: 0.1}\n"
    "zones:\n"
    "  - {name: A, projects_per_year: 30}\n"
    "  - {name: B, projects_per_year: 12, months_to_operation_cv: 0}\n"
    "  - {name: C, projects_per_year: 0}\n"
    "  - {name: D, projects_per_year: 200, months_to_operation_cv: 1.7, capital_sigma: 2.5}\n"
    "  - {name: E, projects_per_year: 6, months_to_operation: 0}\n";

static void test_batch_equals_single(void **state)
{
    tu_sim a, b;
    tu_sim_init(&a, yaml_mix, 1);
    tu_sim_init(&b, yaml_mix, 1);
    ipsim_error err;
    size_t projects = 0, zones_seen[5] = {0};
    for (uint64_t path = 0; path < 30; path++) {
        ipsim_stream_set_path(&a.ws.st, 21, path);
        ipsim_stream_set_path(&b.ws.st, 21, path);
        ipsim_demand_reset(&a.ws);
        ipsim_demand_reset(&b.ws);
        for (int t = 0; t < 60; t++) {
            double ma = ipsim_demand_macro(&a.ws, t), mb = ipsim_demand_macro(&b.ws, t);
            assert_true(ma == mb);
            assert_int_equal(ipsim_demand_month(&a.ws, t, ma, &err), IPSIM_OK);
            for (size_t z = 0; z < 5; z++)
                assert_int_equal(a.ws.arrivals[z], ipsim_demand_count(&b.ws, z, t, mb));
            size_t n, z = 0;
            unsigned i = 0;
            while ((n = ipsim_demand_next(&a.ws, t)) > 0) {
                for (size_t k = 0; k < n; k++) {
                    while (i >= a.ws.arrivals[z]) { /* the (zone, i) it must be */
                        z++;
                        i = 0;
                    }
                    assert_int_equal(a.ws.chunk_zone[k], z);
                    ipsim_project want;
                    ipsim_demand_project(&b.ws, z, t, i, &want);
                    const ipsim_project *got = &a.ws.chunk[k];
                    if (got->fdi != want.fdi || got->needs_wwtp != want.needs_wwtp ||
                        got->abandon != want.abandon || got->redirect != want.redirect ||
                        got->capital != want.capital || got->land != want.land ||
                        got->lag != want.lag)
                        fail_msg("path %llu month %d zone %zu project %u differs %d%d%d%d %g %g %g %g %d %d",
                                 (unsigned long long)path, t, z, i, got->fdi != want.fdi, got->needs_wwtp != want.needs_wwtp, got->abandon != want.abandon, got->redirect != want.redirect, got->capital, want.capital, got->land, want.land, got->lag, want.lag);
                    zones_seen[z]++;
                    projects++;
                    i++;
                }
            }
        }
    }
    /* zone D's ~17 arrivals a month span chunks and its shape 0.35 takes
     * the boost; every zone with arrivals was drawn */
    assert_true(projects > 20000);
    assert_true(zones_seen[0] > 0 && zones_seen[1] > 0 && zones_seen[3] > 0 && zones_seen[4] > 0);
    assert_int_equal(zones_seen[2], 0);
    tu_sim_free(&a);
    tu_sim_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_equals_single),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
