/* test_lifecycle.c -- scheduled events (MODEL.md §3, §4.2c): pipeline
 * start-up, operation starts, abandonment returning land, events at or
 * after the horizon never applied. */
#include "testutil.h"

static const char *yaml_pipe =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 6\nzones:\n"
    "  - {name: P, area_ha: 100, leased_ha: 40, clean_ha: 10, projects_per_year: 0,\n"
    "     fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,\n"
    "     capital_per_ha_musd: 1, ramp_months: 1,\n"
    "     initial: {operating_capital_musd: 12, operating_projects: 4,\n"
    "               pipeline_capital_musd: 30, pipeline_projects: 7, pipeline_months: 3}}\n";

static void test_pipeline_startup(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_pipe, 1);
    tu_sim_run(&s, 1);
    const double *op = ipsim_block_monthly(&s.blk, IPSIM_M_OPERATING, 0);
    const double *prod = ipsim_block_monthly(&s.blk, IPSIM_M_PRODUCTION, 0);
    const double *leased = ipsim_block_monthly(&s.blk, IPSIM_M_LEASED, 0);
    const double *reg = ipsim_block_monthly(&s.blk, IPSIM_M_REGISTERED, 0);
    /* floor((j+1)7/3) - floor(7j/3) = 2, 2, 3 */
    const double want_op[] = {6, 8, 11, 11, 11, 11};
    for (int t = 0; t < 6; t++) {
        assert_close(op[t], want_op[t], 0);
        double k = 12.0 + 10.0 * (t < 3 ? t + 1 : 3);
        assert_close(prod[t], k / 12.0, 1e-14);
        assert_close(leased[t], 40.0, 0); /* pipeline takes no land */
        assert_close(reg[t], 0.0, 0);     /* and is not registration */
    }
    tu_sim_free(&s);
}

static void test_pipeline_beyond_horizon(void **state)
{
    const char *yaml =
        "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 2\nzones:\n"
        "  - {name: P, area_ha: 100, projects_per_year: 0, fdi_capital_median_musd: 1,\n"
        "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1,\n"
        "     initial: {pipeline_capital_musd: 30, pipeline_projects: 7, pipeline_months: 3}}\n";
    tu_sim s;
    tu_sim_init(&s, yaml, 1);
    tu_sim_run(&s, 1);
    const double *op = ipsim_block_monthly(&s.blk, IPSIM_M_OPERATING, 0);
    assert_close(op[0], 2, 0);
    assert_close(op[1], 4, 0);
    tu_sim_free(&s);
}

static const char *yaml_events =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 10\nzones:\n"
    "  - {name: E, area_ha: 100, leased_ha: 40, clean_ha: 10, projects_per_year: 0,\n"
    "     fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,\n"
    "     capital_per_ha_musd: 1, ramp_months: 4}\n";

static void test_abandonment_returns_land(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_events, 1);
    ipsim_ws *ws = &s.ws;
    ipsim_land_reset(ws);
    ipsim_lifecycle_reset(ws);
    ipsim_production_reset(ws);
    ipsim_project p = {.capital = 8.0, .land = 5.0, .lag = 3, .abandon = 1};
    ipsim_land_take(ws, 0, p.land);
    ipsim_lifecycle_schedule(ws, 0, 2, &p);
    for (int t = 0; t < 10; t++) {
        ipsim_lifecycle_apply(ws, t);
        double want_l = t < 5 ? 45.0 : 40.0;
        assert_close(ws->L[0], want_l, 1e-12);
        assert_close(ws->C[0], 50.0 - want_l, 1e-12);
        assert_close(ws->n_op[0], 0.0, 0); /* abandoned: never operates */
        assert_close(ipsim_production_month(ws, 0, t), 0.0, 0);
    }
    tu_sim_free(&s);
}

static void test_operation_start_ramps(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_events, 1);
    ipsim_ws *ws = &s.ws;
    ipsim_land_reset(ws);
    ipsim_lifecycle_reset(ws);
    ipsim_production_reset(ws);
    ipsim_project p = {.capital = 12.0, .land = 5.0, .lag = 2, .abandon = 0};
    ipsim_lifecycle_schedule(ws, 0, 1, &p); /* starts at t = 3 */
    for (int t = 0; t < 10; t++) {
        ipsim_lifecycle_apply(ws, t);
        double ramp = t < 3 ? 0.0 : fmin(1.0, (t - 3 + 1) / 4.0);
        assert_close(ws->n_op[0], t < 3 ? 0.0 : 1.0, 0);
        assert_close(ipsim_production_month(ws, 0, t), 12.0 * ramp / 12.0, 1e-14);
    }
    tu_sim_free(&s);
}

static void test_events_past_horizon_dropped(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_events, 1);
    ipsim_ws *ws = &s.ws;
    ipsim_land_reset(ws);
    ipsim_lifecycle_reset(ws);
    ipsim_production_reset(ws);
    ipsim_project p = {.capital = 12.0, .land = 5.0, .lag = 1, .abandon = 1};
    ipsim_lifecycle_schedule(ws, 0, 9, &p); /* due at t = 10 = T */
    p.abandon = 0;
    ipsim_lifecycle_schedule(ws, 0, 9, &p);
    double sum = 0.0;
    for (size_t c = 0; c < 10; c++)
        sum += ws->cal[c].capital + ws->cal[c].count + ws->cal[c].land;
    assert_close(sum, 0.0, 0);
    /* they went to the sink row (cell T), which no month applies and the
     * next path's reset clears */
    assert_close(ws->cal[10].capital, 12.0, 0);
    assert_close(ws->cal[10].count, 1.0, 0);
    assert_close(ws->cal[10].land, 5.0, 0);
    assert_close(ws->cal[10].unused, 0.0, 0);
    double L = ws->L[0], n_op = ws->n_op[0];
    for (int t = 0; t < 10; t++)
        ipsim_lifecycle_apply(ws, t);
    assert_close(ws->L[0], L, 0);
    assert_close(ws->n_op[0], n_op, 0);
    ipsim_lifecycle_reset(ws);
    assert_close(ws->cal[10].capital + ws->cal[10].count + ws->cal[10].land, 0.0, 0);
    tu_sim_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipeline_startup),
        cmocka_unit_test(test_pipeline_beyond_horizon),
        cmocka_unit_test(test_abandonment_returns_land),
        cmocka_unit_test(test_operation_start_ramps),
        cmocka_unit_test(test_events_past_horizon_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
