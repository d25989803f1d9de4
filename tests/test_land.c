/* test_land.c -- ordering rules of land (MODEL.md §4.2a-b, §4.3, §11.1-2):
 * expansion trigger, delay and one-phase-at-a-time; clearance capped by
 * uncleared land; WWTP from a date; redirect to the fitting zone with the
 * most clean land; loss in the arrival zone. */
#include "testutil.h"

#define ZONE(name, extra)                                                              \
    "  - {name: " name ", projects_per_year: 0, fdi_capital_median_musd: 1,\n"        \
    "     domestic_capital_median_musd: 1, capital_per_ha_musd: 1, " extra "}\n"

static void test_expansion_delay_and_order(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
                    "E", "area_ha: 100, leased_ha: 60,\n"
                         "     expansions: [{ha: 50, threshold: 0.6, delay_months: 3},\n"
                         "                  {ha: 20, threshold: 0.0},\n"
                         "                  {ha: 5, threshold: 0.0}]"),
                1);
    ipsim_ws *ws = &s.ws;
    ipsim_land_reset(ws);
    /* t: area at the end of step 2a */
    const double want[] = {100, 100, 100, 150, 170, 175, 175, 175};
    for (int t = 0; t < 8; t++) {
        ipsim_land_expand(ws, 0, t);
        if (fabs(ws->A[0] - want[t]) > 1e-12)
            fail_msg("month %d: area %g, expected %g", t, ws->A[0], want[t]);
        assert_close(ws->L[0] + ws->C[0] + ws->U[0], ws->A[0], 1e-12);
    }
    tu_sim_free(&s);
}

/* A delay that takes the due month past the horizon, however far (here
 * past INT_MAX), leaves the phase pending: never applied (§4.3). */
static void test_expansion_delay_past_horizon(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
                    "E", "area_ha: 1000,\n"
                         "     expansions: [{ha: 1, threshold: 0},\n"
                         "                  {ha: 100, threshold: 0, delay_months: 2147483647},\n"
                         "                  {ha: 10, threshold: 0}]"),
                1);
    ipsim_ws *ws = &s.ws;
    ipsim_land_reset(ws);
    for (int t = 0; t < 12; t++) {
        ipsim_land_expand(ws, 0, t);
        if (ws->A[0] != 1001.0)
            fail_msg("month %d: area %g, expected 1001", t, ws->A[0]);
    }
    tu_sim_free(&s);
}

static void test_expansion_threshold_not_reached(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
                    "E", "area_ha: 100, leased_ha: 59.9,\n"
                         "     expansions: [{ha: 50, threshold: 0.6}, {ha: 20, threshold: 0}]"),
                1);
    ipsim_land_reset(&s.ws);
    for (int t = 0; t < 12; t++)
        ipsim_land_expand(&s.ws, 0, t);
    /* phases are taken in order: the second waits for the first */
    assert_close(s.ws.A[0], 100.0, 0);
    s.ws.L[0] = 60.0; /* as if leasing reached the threshold */
    s.ws.U[0] -= 0.1;
    ipsim_land_expand(&s.ws, 0, 5);
    assert_close(s.ws.A[0], 150.0, 0);
    tu_sim_free(&s);
}

/* The monthly scan skips zones whose leased land is clearly below the next
 * threshold; at the boundary it must trigger exactly when L / A >= threshold
 * in floating point, as the single-zone rule does. */
static void test_expansion_scan_at_the_threshold(void **state)
{
    const double thresholds[] = {0.6, 0.7, 0.75, 1.0 / 3.0, 0.1, 1.0, 0.0};
    const double areas[] = {3.0, 7.0, 100.0, 1337.0, 0.3, 123456.789};
    int triggered = 0, not_triggered = 0;
    for (size_t i = 0; i < sizeof thresholds / sizeof *thresholds; i++)
        for (size_t j = 0; j < sizeof areas / sizeof *areas; j++) {
            char yaml[512];
            snprintf(yaml, sizeof yaml,
                     "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
                         "E", "area_ha: %.17g,\n     expansions: [{ha: 1, threshold: %.17g}]"),
                     areas[j], thresholds[i]);
            tu_sim s;
            tu_sim_init(&s, yaml, 1);
            double th = thresholds[i], a = areas[j], l = th * a;
            for (int k = 0; k < 64; k++)
                l = nextafter(l, 0.0);
            for (int k = 0; k < 128; k++, l = nextafter(l, INFINITY)) {
                if (l > a)
                    break;
                ipsim_land_reset(&s.ws);
                s.ws.L[0] = l;
                ipsim_land_expand_all(&s.ws, 0);
                int want = l / a >= th, got = s.ws.A[0] != a;
                if (want != got)
                    fail_msg("threshold %.17g, area %.17g, leased %.17g: triggered %d, L/A >= "
                             "threshold %d",
                             th, a, l, got, want);
                triggered += got;
                not_triggered += !got;
            }
            tu_sim_free(&s);
        }
    /* both sides of every boundary were tried */
    assert_true(triggered > 100);
    assert_true(not_triggered > 100);
}

/* The monthly scan over many zones: only the zones near a threshold or
 * with a phase due expand, wherever they are in the list, including when
 * it is the last zone alone. */
static void test_expansion_scan_many_zones(void **state)
{
    enum { NZ = 9 };
    char yaml[4096] = "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 24\nzones:\n";
    for (int z = 0; z < NZ; z++) {
        char zone[256];
        snprintf(zone, sizeof zone,
                 ZONE("Z%d", "area_ha: 100, expansions: [{ha: 10, threshold: 0.6, "
                             "delay_months: %d}]"),
                 z, z % 2 ? 3 : 0);
        strcat(yaml, zone);
    }
    tu_sim s;
    tu_sim_init(&s, yaml, 1);
    for (int k = 0; k < NZ; k++) {
        ipsim_land_reset(&s.ws);
        s.ws.L[k] = 60.0;
        s.ws.U[k] -= 60.0;
        for (int t = 0; t < 5; t++) {
            ipsim_land_expand_all(&s.ws, t);
            for (int z = 0; z < NZ; z++) {
                /* zone k triggers in month 0 and its phase comes after its delay */
                int grown = z == k && t >= (k % 2 ? 3 : 0);
                if (s.ws.A[z] != (grown ? 110.0 : 100.0))
                    fail_msg("zone %d near, month %d: zone %d has area %g", k, t, z, s.ws.A[z]);
            }
        }
    }
    tu_sim_free(&s);
}

static void test_clearance_capped_by_uncleared(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
                    "K", "area_ha: 100, leased_ha: 50, clean_ha: 25,\n"
                         "     clearance_ha_per_year: 120, clearance_cv: 0"),
                1);
    ipsim_ws *ws = &s.ws;
    ipsim_land_reset(ws);
    const double clean[] = {35, 45, 50, 50};
    for (int t = 0; t < 4; t++) {
        ipsim_land_clear_all(ws, t);
        assert_close(ws->C[0], clean[t], 1e-12);
        assert_true(ws->U[0] >= 0.0);
    }
    tu_sim_free(&s);
}

static void test_clearance_gamma_mean(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 1000\nzones:\n" ZONE(
                    "K", "area_ha: 1e9, clearance_ha_per_year: 60, clearance_cv: 0.8"),
                1);
    ipsim_ws *ws = &s.ws;
    ipsim_stream_set_path(&ws->st, 3, 0);
    ipsim_land_reset(ws);
    double prev = 0.0, sum = 0.0, sum2 = 0.0;
    for (int t = 0; t < 1000; t++) {
        ipsim_land_clear_all(ws, t);
        double x = ws->C[0] - prev;
        prev = ws->C[0];
        sum += x;
        sum2 += x * x;
    }
    /* X ~ Gamma(1/c^2, (k/12) c^2): mean 5, sd c * 5 = 4 */
    assert_within_se(sum / 1000.0, 5.0, 4.0 / sqrt(1000.0));
    double var = sum2 / 1000.0 - (sum / 1000.0) * (sum / 1000.0);
    assert_true(var > 9.0 && var < 25.0);
    tu_sim_free(&s);
}

/* MODEL.md allows any finite cv >= 0.  One too small for 1/c^2 clears
 * kappa/12 a month, as c = 0 does (the gamma's limit); one too large for
 * the scale (kappa/12) c^2 clears nothing (its draws are 0, not NaN, which
 * min(x, U) would have turned into the whole uncleared land at once). */
static void test_clearance_extreme_cv(void **state)
{
    const char *fmt = "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
        "K", "area_ha: 1000, clearance_ha_per_year: 120, clearance_cv: %s");
    const char *cv[] = {"1e-170", "1e200"};
    const double cleared[] = {10.0, 0.0};
    for (int c = 0; c < 2; c++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, fmt, cv[c]);
        tu_sim s;
        tu_sim_init(&s, yaml, 1);
        ipsim_stream_set_path(&s.ws.st, 2, 0);
        ipsim_land_reset(&s.ws);
        for (int t = 0; t < 12; t++) {
            double before = s.ws.C[0];
            ipsim_land_clear_all(&s.ws, t);
            assert_close(s.ws.C[0] - before, cleared[c], 1e-12);
        }
        tu_sim_free(&s);
    }
}

static void test_kappa_zero_clears_nothing(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nzones:\n" ZONE(
                    "K", "area_ha: 100, clearance_ha_per_year: 0, clearance_cv: 0.5"),
                1);
    ipsim_land_reset(&s.ws);
    for (int t = 0; t < 12; t++)
        ipsim_land_clear_all(&s.ws, t);
    assert_close(s.ws.C[0], 0.0, 0);
    tu_sim_free(&s);
}

static const char *yaml_three =
    "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 36\nzones:\n"
    ZONE("Z0", "area_ha: 100, clean_ha: 5, wwtp: true")
    ZONE("Z1", "area_ha: 100, clean_ha: 50")
    ZONE("Z2", "area_ha: 100, clean_ha: 50, wwtp: \"2026-01\"")
    ZONE("Z3", "area_ha: 100, clean_ha: 20, wwtp: \"2020-06\"");

static void test_wwtp_from_date(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_three, 1);
    ipsim_land_reset(&s.ws);
    ipsim_project p = {.land = 1.0, .needs_wwtp = 1};
    assert_true(ipsim_land_fits(&s.ws, 0, 0, &p));  /* wwtp: true */
    assert_false(ipsim_land_fits(&s.ws, 1, 30, &p)); /* wwtp: false (default) */
    assert_false(ipsim_land_fits(&s.ws, 2, 11, &p)); /* 2025-12 */
    assert_true(ipsim_land_fits(&s.ws, 2, 12, &p));  /* 2026-01 */
    assert_true(ipsim_land_fits(&s.ws, 3, 0, &p));   /* a date before start */
    p.needs_wwtp = 0;
    assert_true(ipsim_land_fits(&s.ws, 1, 0, &p));
    p.land = 50.0000001;
    assert_false(ipsim_land_fits(&s.ws, 1, 0, &p));
    tu_sim_free(&s);
}

static void test_redirect_most_clean_land(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_three, 1);
    ipsim_land_reset(&s.ws);
    ipsim_project p = {.land = 10.0, .redirect = 1};
    /* Z1 and Z2 tie on 50 ha: the first in file order wins */
    assert_int_equal(ipsim_land_host(&s.ws, 0, 0, &p), 1);
    s.ws.C[2] = 50.5;
    assert_int_equal(ipsim_land_host(&s.ws, 0, 0, &p), 2);
    /* the arrival zone first when it fits */
    assert_int_equal(ipsim_land_host(&s.ws, 3, 0, &p), 3);
    /* needs a WWTP: Z2 only from 2026-01; Z0 is the arrival zone */
    p.needs_wwtp = 1;
    assert_int_equal(ipsim_land_host(&s.ws, 0, 11, &p), 3);
    assert_int_equal(ipsim_land_host(&s.ws, 0, 12, &p), 2);
    /* no redirect: lost */
    p.redirect = 0;
    assert_int_equal(ipsim_land_host(&s.ws, 0, 12, &p), -1);
    /* nowhere fits */
    p.redirect = 1;
    p.land = 1000.0;
    assert_int_equal(ipsim_land_host(&s.ws, 0, 12, &p), -1);
    tu_sim_free(&s);
}

/* The host of a project needing a WWTP in months visited in any order
 * (each path starts again from month 0), against the rule applied from
 * scratch: the first zone in file order with the most clean land among
 * those with a working WWTP in that month, if it has room. */
static void test_redirect_wwtp_any_month_order(void **state)
{
    tu_sim s;
    tu_sim_init(&s,
                "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 48\nzones:\n"
                ZONE("A", "area_ha: 100, clean_ha: 1")
                ZONE("B", "area_ha: 100, clean_ha: 40, wwtp: \"2027-01\"")
                ZONE("C", "area_ha: 100, clean_ha: 30, wwtp: \"2026-01\"")
                ZONE("D", "area_ha: 100, clean_ha: 20, wwtp: \"2025-07\"")
                ZONE("E", "area_ha: 100, clean_ha: 50, wwtp: false")
                ZONE("F", "area_ha: 100, clean_ha: 10, wwtp: true"),
                1);
    ipsim_land_reset(&s.ws);
    const int months[] = {0,  5,  6,  11, 12, 23, 24, 47, 0,  30, 12, 11, 6,  5,
                          24, 24, 0,  47, 23, 6,  13, 25, 1,  7,  11, 0,  12, 24};
    int hosts[4] = {0};
    ipsim_project p = {.land = 15.0, .redirect = 1, .needs_wwtp = 1};
    for (size_t i = 0; i < sizeof months / sizeof *months; i++) {
        int t = months[i];
        long want = -1;
        double most = -1.0;
        for (size_t w = 0; w < s.model.Z; w++)
            if (s.model.wwtp_from[w] <= t && s.ws.C[w] > most) {
                most = s.ws.C[w];
                want = (long)w;
            }
        want = most >= p.land ? want : -1;
        long got = ipsim_land_host(&s.ws, 0, t, &p);
        if (got != want)
            fail_msg("month %d (visit %zu): host %ld, expected %ld", t, i, got, want);
        hosts[got < 0 ? 0 : got == 1 ? 1 : got == 2 ? 2 : 3]++;
    }
    /* each WWTP era was visited: D alone, then C, then B lead */
    assert_true(hosts[1] > 0 && hosts[2] > 0 && hosts[3] > 0);
    tu_sim_free(&s);
}

/* A whole path: projects that fit nowhere are lost in the arrival zone;
 * redirected ones register in the host zone. */
static void test_loss_and_redirect_in_path(void **state)
{
    tu_sim s;
    const char *ok =
        "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nredirect_prob: 1\nzones:\n"
        "  - {name: Full, area_ha: 100, leased_ha: 100, projects_per_year: 120,\n"
        "     fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,\n"
        "     capital_per_ha_musd: 1000}\n"
        "  - {name: Host, area_ha: 1e6, clean_ha: 1e6, projects_per_year: 0,\n"
        "     fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,\n"
        "     capital_per_ha_musd: 1000}\n";
    tu_sim_init(&s, ok, 1);
    tu_sim_run(&s, 5);
    const double *reg = ipsim_block_yearly_zone(&s.blk, IPSIM_M_REGISTERED, 0);
    const double *lost = ipsim_block_yearly_zone(&s.blk, IPSIM_M_LOST, 0);
    assert_true(reg[1] > 50.0);  /* all of Full's arrivals go to Host */
    assert_int_equal(reg[0], 0);
    assert_int_equal(lost[0], 0);
    tu_sim_free(&s);

    const char *nowhere =
        "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\nredirect_prob: 0\nzones:\n"
        "  - {name: Full, area_ha: 100, leased_ha: 100, projects_per_year: 120,\n"
        "     fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,\n"
        "     capital_per_ha_musd: 1000}\n"
        "  - {name: Host, area_ha: 1e6, clean_ha: 1e6, projects_per_year: 0,\n"
        "     fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,\n"
        "     capital_per_ha_musd: 1000}\n";
    tu_sim_init(&s, nowhere, 1);
    tu_sim_run(&s, 5);
    reg = ipsim_block_yearly_zone(&s.blk, IPSIM_M_REGISTERED, 0);
    lost = ipsim_block_yearly_zone(&s.blk, IPSIM_M_LOST, 0);
    const double *lostk = ipsim_block_yearly_zone(&s.blk, IPSIM_M_LOST_CAPITAL, 0);
    assert_true(lost[0] > 50.0);
    assert_int_equal(reg[0] + reg[1], 0);
    assert_int_equal(lost[1], 0);
    assert_true(lostk[0] > 0.0);
    tu_sim_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expansion_delay_and_order),
        cmocka_unit_test(test_expansion_delay_past_horizon),
        cmocka_unit_test(test_expansion_threshold_not_reached),
        cmocka_unit_test(test_expansion_scan_at_the_threshold),
        cmocka_unit_test(test_expansion_scan_many_zones),
        cmocka_unit_test(test_clearance_capped_by_uncleared),
        cmocka_unit_test(test_clearance_gamma_mean),
        cmocka_unit_test(test_clearance_extreme_cv),
        cmocka_unit_test(test_kappa_zero_clears_nothing),
        cmocka_unit_test(test_wwtp_from_date),
        cmocka_unit_test(test_redirect_wwtp_any_month_order),
        cmocka_unit_test(test_redirect_most_clean_land),
        cmocka_unit_test(test_loss_and_redirect_in_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
