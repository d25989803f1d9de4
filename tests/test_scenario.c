/* test_scenario.c -- the scenario reader: good files resolve as MODEL.md §3,
 * §9 and §11 say (defaults merging, list replacement, core-schema typing,
 * calendar, default names), print -> parse is an identity, and bad inputs
 * fail with IPSIM_EINPUT at the exact line:col with the key path named. */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"
#include "scenario.h"

#define HEAD "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 24\n"
/* zone A: "- name" on line 5; its extra keys start on line 11 */
#define ZONE_A                                                                        \
    "  - name: A\n    area_ha: 100\n    projects_per_year: 10\n"                      \
    "    fdi_capital_median_musd: 10\n    domestic_capital_median_musd: 2\n"          \
    "    capital_per_ha_musd: 5\n"
#define GOOD HEAD "zones:\n" ZONE_A

static int parse(ipsim_scenario *scn, const char *text, const char *file, ipsim_error *err)
{
    memset(err, 0, sizeof *err);
    return ipsim_scenario_parse(scn, text, strlen(text), file, err);
}

static void parse_ok(ipsim_scenario *scn, const char *text)
{
    ipsim_error err;
    if (parse(scn, text, "t.yaml", &err) != IPSIM_OK)
        fail_msg("does not parse: %s", err.msg);
}

/* ---- good scenarios ------------------------------------------------------ */

static const char full[] =
    "ipsim: 1\n"
    "name: Thai Binh 2025\n"
    "start: \"2025-01\"\n"
    "horizon_months: 72\n"
    "seed: 20250101\n"
    "macro: {sigma: 0.25, annual_persistence: 0.4}\n"
    "redirect_prob: 0.3\n"
    "productivity_growth: 0.03\n"
    "baseline: {production_musd: 9000}\n"
    "defaults:\n"
    "  fdi_share: 0.4\n"
    "  capital_per_ha_musd: 6\n"
    "  fdi_capital_median_musd: 12\n"
    "  domestic_capital_median_musd: 3\n"
    "  wwtp: \"2026-07\"\n"
    "  initial: {operating_capital_musd: 5, pipeline_months: 6}\n"
    "  expansions: [{ha: 10, threshold: 0.9}]\n"
    "  upgrades: [{from: 2024-06, attractiveness: 2}]\n"
    "zones:\n"
    "  - name: Lien Ha Thai\n"
    "    kind: economic_zone\n"
    "    area_ha: 1337\n"
    "    leased_ha: 700\n"
    "    clean_ha: 150\n"
    "    projects_per_year: 30\n"
    "    fdi_capital_median_musd: 15\n"
    "    domestic_capital_median_musd: 4\n"
    "    wwtp: true\n"
    "    initial: {operating_capital_musd: 2500, operating_projects: 80}\n"
    "    upgrades:   [{from: \"2027-01\", attractiveness: 1.25}]\n"
    "    expansions: [{ha: 300, threshold: 0.6, delay_months: 24}, {ha: 50, threshold: 1}]\n"
    "  - name: Hai Long\n"
    "    area_ha: 1e3\n"
    "    projects_per_year: 0x10\n"
    "    clearance_ha_per_year: 0o17\n"
    "    clearance_cv: +.5\n"
    "    ramp_months: 6\n"
    "    attractiveness: 0\n"
    "targets:\n"
    "  - name: FDI 2025\n"
    "    metric: fdi_registered_musd\n"
    "    year: 2025\n"
    "    op: \">=\"\n"
    "    value: 1200\n"
    "    zone: Lien Ha Thai\n"
    "  - {metric: production_growth, year: 2025, op: \"<=\", value: -0.5}\n"
    "  - {metric: occupancy, year: 2030, op: \">=\", value: 0.75, zone: Hai Long}\n";

static void test_full_scenario(void **state)
{
    ipsim_scenario s;
    parse_ok(&s, full);
    assert_string_equal(s.name, "Thai Binh 2025");
    assert_string_equal(s.path, "t.yaml");
    assert_int_equal(s.text_len, strlen(full));
    assert_memory_equal(s.text, full, s.text_len);
    assert_int_equal(s.start_abs, IPSIM_MONTH_ABS(2025, 1));
    assert_int_equal(s.horizon_months, 72);
    assert_true(s.has_seed);
    assert_true(s.seed == 20250101u);
    assert_true(s.macro_sigma == 0.25 && s.macro_rho == 0.4);
    assert_true(s.redirect_prob == 0.3 && s.productivity_growth == 0.03);
    assert_true(s.has_baseline && s.baseline_production_musd == 9000);
    assert_int_equal(s.n_zones, 2);
    const ipsim_zone *a = &s.zones[0];
    assert_string_equal(a->name, "Lien Ha Thai");
    assert_int_equal(a->kind, IPSIM_ECONOMIC_ZONE);
    assert_true(a->area_ha == 1337 && a->leased_ha == 700 && a->clean_ha == 150);
    assert_true(a->fdi_share == 0.4 && a->capital_per_ha_musd == 6);       /* defaults */
    assert_true(a->fdi_capital_median_musd == 15);                         /* own wins */
    assert_true(a->clearance_cv == 0.5 && a->capital_sigma == 1.2);        /* built-in */
    assert_true(a->months_to_operation == 18 && a->months_to_operation_cv == 0.5);
    assert_true(a->output_per_capital == 1 && a->ramp_months == 12);
    assert_int_equal(a->wwtp_from_abs, IPSIM_WWTP_ALWAYS);
    /* a zone's own initial replaces the default one whole */
    assert_true(a->initial_operating_capital_musd == 2500);
    assert_int_equal(a->initial_operating_projects, 80);
    assert_int_equal(a->initial_pipeline_months, 12);
    assert_int_equal(a->n_upgrades, 1);
    assert_int_equal(a->upgrades[0].from_abs, IPSIM_MONTH_ABS(2027, 1));
    assert_true(a->upgrades[0].attractiveness == 1.25);
    assert_int_equal(a->n_expansions, 2);
    assert_true(a->expansions[0].ha == 300 && a->expansions[0].threshold == 0.6);
    assert_int_equal(a->expansions[0].delay_months, 24);
    assert_int_equal(a->expansions[1].delay_months, 0);
    ipsim_scenario_free(&s);
    assert_null(s.zones);
}

/* Core-schema integers in hex and octal past 2^64 are finite numbers, as
 * the same values in decimal are. */
static void test_based_beyond_64_bits(void **state)
{
    (void)state;
    ipsim_scenario s;
    parse_ok(&s, HEAD "zones:\n"
                      "  - {name: A, area_ha: 0x10000000000000000, clean_ha: 0o2000000000000000000000,\n"
                      "     projects_per_year: 0xFFFFFFFFFFFFFFFFFFFF, attractiveness: 0,\n"
                      "     fdi_capital_median_musd: 10, domestic_capital_median_musd: 2,\n"
                      "     capital_per_ha_musd: 5}\n");
    assert_true(s.zones[0].area_ha == 0x1p64);
    assert_true(s.zones[0].clean_ha == 0x1p64);
    assert_true(fabs(s.zones[0].projects_per_year / 0x1p80 - 1.0) < 1e-15);
    ipsim_scenario_free(&s);
}

static void test_defaults_and_typing(void **state)
{
    ipsim_scenario s;
    parse_ok(&s, full);
    const ipsim_zone *b = &s.zones[1];
    assert_int_equal(b->kind, IPSIM_PARK);
    assert_true(b->area_ha == 1000);                 /* 1e3 is a number */
    assert_true(b->projects_per_year == 16);         /* 0x10 */
    assert_true(b->clearance_ha_per_year == 15);     /* 0o17 */
    assert_true(b->clearance_cv == 0.5);             /* +.5 */
    assert_true(b->attractiveness == 0);
    assert_int_equal(b->ramp_months, 6);
    assert_true(b->fdi_capital_median_musd == 12 && b->domestic_capital_median_musd == 3);
    assert_int_equal(b->wwtp_from_abs, IPSIM_MONTH_ABS(2026, 7));
    /* default lists and initial, copied into the zone */
    assert_true(b->initial_operating_capital_musd == 5);
    assert_int_equal(b->initial_pipeline_months, 6);
    assert_int_equal(b->n_expansions, 1);
    assert_int_equal(b->expansions[0].delay_months, 0);
    assert_int_equal(b->n_upgrades, 1);
    assert_int_equal(b->upgrades[0].from_abs, IPSIM_MONTH_ABS(2024, 6)); /* before start */
    ipsim_scenario_free(&s);
}

static void test_bool_and_null_spellings(void **state)
{
    ipsim_scenario s;
    parse_ok(&s, GOOD "    wwtp: TRUE\n");
    assert_int_equal(s.zones[0].wwtp_from_abs, IPSIM_WWTP_ALWAYS);
    ipsim_scenario_free(&s);
    parse_ok(&s, GOOD "    wwtp: False\n");
    assert_int_equal(s.zones[0].wwtp_from_abs, IPSIM_WWTP_NEVER);
    ipsim_scenario_free(&s);
    parse_ok(&s, GOOD);
    assert_int_equal(s.zones[0].wwtp_from_abs, IPSIM_WWTP_NEVER);
    assert_false(s.has_seed);
    assert_false(s.has_baseline);
    assert_true(s.macro_sigma == 0 && s.macro_rho == 0.5);
    assert_int_equal(s.n_targets, 0);
    ipsim_scenario_free(&s);
    /* a quoted "true" is a string, and not a date */
    ipsim_error err;
    assert_int_equal(parse(&s, GOOD "    wwtp: \"true\"\n", "t.yaml", &err), IPSIM_EINPUT);
}

static void test_seed_range(void **state)
{
    ipsim_scenario s;
    parse_ok(&s, GOOD "seed: 18446744073709551615\n");
    assert_true(s.seed == UINT64_MAX);
    ipsim_scenario_free(&s);
    parse_ok(&s, GOOD "seed: 0\n");
    assert_true(s.has_seed && s.seed == 0);
    ipsim_scenario_free(&s);
    parse_ok(&s, GOOD "seed: -0\n");
    assert_true(s.has_seed && s.seed == 0);
    ipsim_scenario_free(&s);
    parse_ok(&s, GOOD "seed: +7\n");
    assert_true(s.seed == 7);
    ipsim_scenario_free(&s);
}

/* L + C = A in decimal is fully allocated land, although 50.1 + 50.2 is
 * 100.30000000000001 in binary (§2: to 1e-9 relative); beyond that it is
 * an error (the bad-input table). */
static void test_land_tolerance(void **state)
{
#define LAND_ZONE(area)                                                                   \
    HEAD "zones:\n  - name: A\n    area_ha: " area "\n    projects_per_year: 10\n"        \
         "    fdi_capital_median_musd: 10\n    domestic_capital_median_musd: 2\n"        \
         "    capital_per_ha_musd: 5\n    leased_ha: 50.1\n    clean_ha: 50.2\n"
    ipsim_scenario s;
    ipsim_error err;
    assert_true(50.1 + 50.2 > 100.3);
    parse_ok(&s, LAND_ZONE("100.3"));
    ipsim_scenario_free(&s);
    assert_int_equal(parse(&s, LAND_ZONE("100.2999"), "t.yaml", &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "zones[A].leased_ha: leased_ha + clean_ha"));
#undef LAND_ZONE
}

/* The core schema's explicit tags type their values, quoted or not
 * (YAML 1.2 §10.3); keys may carry !!str. */
static void test_core_tags(void **state)
{
    ipsim_scenario s;
    parse_ok(&s, "ipsim: !!int 1\nstart: !!str 2025-01\nhorizon_months: !!int \"24\"\n"
                 "!!str seed: 7\nmacro: !!map {sigma: !!float 1e-1}\n"
                 "redirect_prob: !!float .5\nzones: !!seq\n"
                 "  - name: !!str 2025\n    area_ha: !!float 100\n"
                 "    projects_per_year: 10\n    fdi_capital_median_musd: 10\n"
                 "    domestic_capital_median_musd: 2\n    capital_per_ha_musd: 5\n"
                 "    wwtp: !!bool true\n");
    assert_int_equal(s.horizon_months, 24);
    assert_true(s.seed == 7);
    assert_true(s.macro_sigma == 0.1 && s.redirect_prob == 0.5);
    assert_string_equal(s.zones[0].name, "2025");
    assert_true(s.zones[0].area_ha == 100.0);
    ipsim_scenario_free(&s);
}

static void test_calendar(void **state)
{
    ipsim_scenario s;
    parse_ok(&s, "ipsim: 1\nstart: 2025-07\nhorizon_months: 30\nzones:\n" ZONE_A);
    assert_int_equal(ipsim_scenario_first_year(&s), 2025);
    assert_int_equal(ipsim_scenario_n_years(&s), 3); /* 2025-07 .. 2027-12 */
    assert_int_equal(ipsim_scenario_year_of_month(&s, 0), 0);
    assert_int_equal(ipsim_scenario_year_of_month(&s, 5), 0);
    assert_int_equal(ipsim_scenario_year_of_month(&s, 6), 1);
    assert_int_equal(ipsim_scenario_year_of_month(&s, 29), 2);
    assert_true(ipsim_scenario_year_partial(&s, 0));
    assert_false(ipsim_scenario_year_partial(&s, 1));
    assert_false(ipsim_scenario_year_partial(&s, 2));
    ipsim_scenario_free(&s);
    parse_ok(&s, "ipsim: 1\nstart: 2025-01\nhorizon_months: 1\nzones:\n" ZONE_A);
    assert_int_equal(ipsim_scenario_n_years(&s), 1);
    assert_true(ipsim_scenario_year_partial(&s, 0));
    ipsim_scenario_free(&s);
    char buf[16];
    ipsim_month_format(IPSIM_MONTH_ABS(2025, 1), buf, sizeof buf);
    assert_string_equal(buf, "2025-01");
    ipsim_month_format(IPSIM_MONTH_ABS(1999, 12), buf, sizeof buf);
    assert_string_equal(buf, "1999-12");
}

static void test_default_names(void **state)
{
    ipsim_scenario s;
    ipsim_error err;
    assert_int_equal(parse(&s, GOOD, "some/dir/thai_binh.v2.yaml", &err), IPSIM_OK);
    assert_string_equal(s.name, "thai_binh.v2");
    ipsim_scenario_free(&s);
    assert_int_equal(parse(&s, GOOD, "plain", &err), IPSIM_OK);
    assert_string_equal(s.name, "plain");
    ipsim_scenario_free(&s);
    assert_int_equal(parse(&s, GOOD, NULL, &err), IPSIM_OK);
    assert_string_equal(s.name, "scenario");
    ipsim_scenario_free(&s);

    parse_ok(&s, full);
    assert_int_equal(s.n_targets, 3);
    assert_string_equal(s.targets[0].name, "FDI 2025");
    assert_int_equal(s.targets[0].zone, 0);
    assert_int_equal(s.targets[0].metric, IPSIM_M_FDI);
    assert_int_equal(s.targets[0].op, IPSIM_OP_GE);
    assert_string_equal(s.targets[1].name, "production_growth 2025");
    assert_int_equal(s.targets[1].zone, -1);
    assert_int_equal(s.targets[1].op, IPSIM_OP_LE);
    assert_true(s.targets[1].value == -0.5);
    assert_string_equal(s.targets[2].name, "occupancy 2030 Hai Long");
    assert_int_equal(s.targets[2].zone, 1);
    assert_int_equal(s.targets[2].year, 2030);
    ipsim_scenario_free(&s);
}

/* ---- print -> parse round trip ------------------------------------------ */

static void assert_same_zone(const ipsim_zone *a, const ipsim_zone *b)
{
    assert_string_equal(a->name, b->name);
    /* every scalar field between kind and upgrades, compared as a block */
    ipsim_zone x = *a, y = *b;
    x.name = y.name = NULL;
    x.upgrades = y.upgrades = NULL;
    x.expansions = y.expansions = NULL;
    assert_memory_equal(&x, &y, sizeof x);
    if (a->n_upgrades)
        assert_memory_equal(a->upgrades, b->upgrades, a->n_upgrades * sizeof *a->upgrades);
    if (a->n_expansions)
        assert_memory_equal(a->expansions, b->expansions,
                            a->n_expansions * sizeof *a->expansions);
}

static void assert_same_scenario(const ipsim_scenario *a, const ipsim_scenario *b)
{
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->start_abs, b->start_abs);
    assert_int_equal(a->horizon_months, b->horizon_months);
    assert_int_equal(a->has_seed, b->has_seed);
    assert_true(a->seed == b->seed);
    assert_true(a->macro_sigma == b->macro_sigma && a->macro_rho == b->macro_rho);
    assert_true(a->redirect_prob == b->redirect_prob);
    assert_true(a->productivity_growth == b->productivity_growth);
    assert_int_equal(a->has_baseline, b->has_baseline);
    assert_true(a->baseline_production_musd == b->baseline_production_musd);
    assert_int_equal(a->n_zones, b->n_zones);
    for (size_t i = 0; i < a->n_zones; i++)
        assert_same_zone(&a->zones[i], &b->zones[i]);
    assert_int_equal(a->n_targets, b->n_targets);
    for (size_t i = 0; i < a->n_targets; i++) {
        const ipsim_target *p = &a->targets[i], *q = &b->targets[i];
        assert_string_equal(p->name, q->name);
        assert_true(p->metric == q->metric && p->year == q->year && p->op == q->op &&
                    p->value == q->value && p->zone == q->zone);
    }
}

static void round_trip(const char *text)
{
    ipsim_scenario a, b;
    ipsim_error err;
    char *buf = NULL;
    size_t len = 0;
    parse_ok(&a, text);
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(ipsim_scenario_print(f, &a), IPSIM_OK);
    fclose(f);
    if (parse(&b, buf, "printed.yaml", &err) != IPSIM_OK)
        fail_msg("printed scenario does not parse: %s\n%s", err.msg, buf);
    assert_same_scenario(&a, &b);
    free(buf);
    ipsim_scenario_free(&a);
    ipsim_scenario_free(&b);
}

static void test_round_trip(void **state)
{
    round_trip(full);
    round_trip(GOOD);
    round_trip(GOOD "seed: 18446744073709551615\nproductivity_growth: -0.1\n"
                    "redirect_prob: 0.1\n");
    /* awkward numbers and names survive: escapes, unicode, line separators */
    round_trip("ipsim: 1\nname: \"tab\\there \\\"q\\\" \\\\ \\u2028 \\x01 Thái Bình\"\n"
               "start: \"1999-12\"\nhorizon_months: 1200\n"
               "zones:\n  - {name: \"Z\\u0085\\uFEFF\", area_ha: 0.1, leased_ha: 0.07,"
               " clean_ha: 0.03, projects_per_year: 1e-300, fdi_capital_median_musd: 1e300,"
               " domestic_capital_median_musd: 3.3333333333333335,"
               " capital_per_ha_musd: 5e-324, wwtp: \"0001-01\"}\n"
               "targets:\n  - {metric: leased_ha, year: 2099, op: \"<=\", value: -1e-9,"
               " zone: \"Z\\u0085\\uFEFF\", name: \"\\U0001F600\"}\n");
}

static void test_round_trip_project_scenario(void **state)
{
    ipsim_scenario a;
    ipsim_error err;
    const char *path = IPSIM_SOURCE_DIR "/scenarios/thai_binh_2025.yaml";
    FILE *f = fopen(path, "r");
    if (!f)
        skip();
    fclose(f);
    if (ipsim_scenario_load(&a, path, &err) != IPSIM_OK)
        fail_msg("%s", err.msg);
    assert_non_null(a.text);
    assert_string_equal(a.path, path);
    round_trip(a.text);
    ipsim_scenario_free(&a);
}

/* ---- bad inputs ---------------------------------------------------------- */

typedef struct {
    const char *text;
    const char *want; /* the message starts with "t.yaml:" want */
} bad_case;

static const bad_case bad_cases[] = {
    {GOOD "    fdi_share: 1.5\n",
     "11:16: zones[A].fdi_share: 1.5 is out of range (expected a number in [0, 1])"},
    {"ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 72.0\nzones:\n" ZONE_A,
     "3:17: horizon_months: 72.0 is not a whole number"},
    {"ipsim: 1\nstart: \"2025-01\"\nhorizon_months: \"72\"\nzones:\n" ZONE_A,
     "3:17: horizon_months: found the quoted string \"72\""},
    {"ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 0\nzones:\n" ZONE_A,
     "3:17: horizon_months: 0 is out of range (expected a whole number in [1, 1200])"},
    {"ipsim: 1\nstart: \"2025-13\"\nhorizon_months: 1\nzones:\n" ZONE_A, "2:8: start:"},
    {"ipsim: 1\nstart: 2025-1\nhorizon_months: 1\nzones:\n" ZONE_A, "2:8: start:"},
    {"ipsim: 1\nstart: 202501\nhorizon_months: 1\nzones:\n" ZONE_A, "2:8: start: found the number"},
    {"ipsim: 2\nstart: \"2025-01\"\nhorizon_months: 1\nzones:\n" ZONE_A, "1:8: ipsim:"},
    {"start: \"2025-01\"\nhorizon_months: 1\nzones:\n" ZONE_A, "1:1: ipsim: missing required key"},
    {HEAD "zones: []\n", "4:8: zones: the list is empty"},
    {HEAD, "1:1: zones: missing required key"},
    {HEAD "zones: {a: 1}\n", "4:8: zones: found a mapping"},
    {HEAD "zones:\n  - 7\n", "5:5: zones[0]: found the number 7"},
    {GOOD "    wwtp: yes\n", "11:11: zones[A].wwtp: found the string \"yes\""},
    {GOOD "    wwtp: \"2025-00\"\n", "11:11: zones[A].wwtp:"},
    {GOOD "    attractiveness: .nan\n", "11:21: zones[A].attractiveness: .nan is not a finite"},
    {GOOD "    attractiveness: -.Inf\n", "11:21: zones[A].attractiveness: -.Inf is not a finite"},
    {GOOD "    attractiveness: 1e999\n", "11:21: zones[A].attractiveness: 1e999 is too large"},
    {GOOD "    attractiveness: -1e999\n", "11:21: zones[A].attractiveness: -1e999 is too large"},
    {GOOD "    attractiveness: 1,5\n", "11:21: zones[A].attractiveness: found the string"},
    {GOOD "    attractiveness: 0x\n", "11:21: zones[A].attractiveness: found the string"},
    {GOOD "    attractiveness:\n", "11:20: zones[A].attractiveness: found an empty value"},
    {GOOD "    attractiveness: -0.1\n", "11:21: zones[A].attractiveness: -0.1 is out of range"},
    {GOOD "    clearence_cv: 1\n", "11:5: zones[A].clearence_cv: unknown key (did you mean \"clearance_cv\"?)"},
    {GOOD "    area_ha: 5\n", "11:5: zones[A].area_ha: duplicate key (expected each key once; first given at line 6, column 5)"},
    {GOOD "    redirect_prob: 0.5\n", "11:5: zones[A].redirect_prob: unknown zone key"},
    {GOOD "capital_sigma: 1\n", "11:1: capital_sigma: unknown top-level key"},
    {GOOD "horizn_months: 1\n", "11:1: horizn_months: unknown key (did you mean \"horizon_months\"?)"},
    {GOOD "    leased_ha: 80\n    clean_ha: 21\n", "11:16: zones[A].leased_ha: leased_ha + clean_ha"},
    {GOOD "    clean_ha: 101\n", "11:15: zones[A].clean_ha: leased_ha + clean_ha"},
    {HEAD "defaults:\n  leased_ha: 101\nzones:\n" ZONE_A, "5:14: zones[A].leased_ha: leased_ha + clean_ha"},
    {HEAD "defaults:\n  fdi_share: 2\nzones:\n" ZONE_A, "5:14: defaults.fdi_share: 2 is out of range"},
    {HEAD "defaults:\n  name: X\nzones:\n" ZONE_A, "5:3: defaults.name:"},
    {HEAD "defaults: []\nzones:\n" ZONE_A, "4:11: defaults: found a list"},
    {HEAD "defaults:\n  initial: {operating_projects: -1}\nzones:\n" ZONE_A,
     "5:33: defaults.initial.operating_projects: -1 is out of range"},
    {HEAD "zones:\n  - name: A\n    area_ha: 100\n", "5:5: zones[A].projects_per_year: missing required key"},
    {HEAD "zones:\n  - area_ha: 100\n", "5:5: zones[0].name: missing required key"},
    {HEAD "zones:\n  - {name: 5, bogus: 1}\n", "5:15: zones[0].bogus: unknown key"},
    {HEAD "zones:\n  - {name: 5}\n", "5:12: zones[0].name: found the number 5"},
    {HEAD "zones:\n  - {name: \"\"}\n", "5:12: zones[0].name: the string is empty"},
    {HEAD "zones:\n  - {name: \"a\\0b\"}\n", "5:12: zones[0].name: the value holds a NUL character"},
    {HEAD "zones:\n" ZONE_A ZONE_A, "11:11: zones[1].name: duplicate zone name \"A\""},
    {GOOD "    kind: Park\n", "11:11: zones[A].kind: unknown kind \"Park\""},
    {GOOD "    ramp_months: 1.5\n", "11:18: zones[A].ramp_months: 1.5 is not a whole number"},
    {GOOD "    ramp_months: 99999999999999999999\n", "11:18: zones[A].ramp_months: 99999999999999999999 is too large"},
    {GOOD "    upgrades: {from: 2025-01}\n", "11:15: zones[A].upgrades: found a mapping"},
    {GOOD "    upgrades: [{from: 2025-01}]\n", "11:16: zones[A].upgrades[0].attractiveness: missing"},
    {GOOD "    upgrades: [{from: 2025-01, attractiveness: 1, to: 1}]\n", "11:51: zones[A].upgrades[0].to: unknown key"},
    {GOOD "    expansions: [{ha: 0, threshold: 0.5}]\n", "11:23: zones[A].expansions[0].ha: 0 is out of range (expected a number > 0)"},
    {GOOD "    expansions: [{ha: 1, threshold: 0.5, delay_months: 2.0}]\n", "11:56: zones[A].expansions[0].delay_months: 2.0 is not a whole number"},
    {GOOD "    initial: {pipeline_months: 0}\n", "11:32: zones[A].initial.pipeline_months: 0 is out of range"},
    {GOOD "    initial: 5\n", "11:14: zones[A].initial: found the number 5"},
    {GOOD "macro: {sigma: -1}\n", "11:16: macro.sigma: -1 is out of range (expected a number >= 0)"},
    {GOOD "macro: {annual_persistence: 1.0}\n", "11:29: macro.annual_persistence: 1.0 is out of range (expected a number in [0, 1))"},
    {GOOD "macro: {rho: 0.5}\n", "11:9: macro.rho: unknown key"},
    {GOOD "redirect_prob: 1.01\n", "11:16: redirect_prob: 1.01 is out of range"},
    {GOOD "productivity_growth: -1\n", "11:22: productivity_growth: -1 is out of range (expected a number > -1)"},
    {GOOD "baseline: {production_musd: 0}\n", "11:29: baseline.production_musd: 0 is out of range"},
    {GOOD "baseline: {}\n", "11:11: baseline.production_musd: missing required key"},
    {GOOD "seed: -1\n", "11:7: seed: -1 is out of range"},
    {GOOD "seed: 18446744073709551616\n", "11:7: seed: 18446744073709551616 is out of range"},
    {GOOD "seed: 1e3\n", "11:7: seed: 1e3 is not a whole number"},
    {GOOD "name: 2025\n", "11:7: name: found the number 2025"},
    {GOOD "targets: {}\n", "11:10: targets: found a mapping"},
    {GOOD "targets:\n  - {metric: jobs, year: 2025, op: \">=\", value: 1}\n",
     "12:14: targets[0].metric: unknown metric \"jobs\" (expected one of: area_ha,"},
    {GOOD "targets:\n  - {metric: ocupancy, year: 2025, op: \">=\", value: 1}\n",
     "12:14: targets[0].metric: unknown metric \"ocupancy\" (did you mean \"occupancy\"?"},
    {GOOD "targets:\n  - {metric: occupancy, year: 2024, op: \">=\", value: 1}\n",
     "12:31: targets[0].year: 2024 is outside the simulated years (expected a year in [2025, 2026])"},
    {GOOD "targets:\n  - {metric: occupancy, year: \"2025\", op: \">=\", value: 1}\n",
     "12:31: targets[0].year: found the quoted string \"2025\""},
    {GOOD "targets:\n  - {metric: occupancy, year: 2025, op: \">\", value: 1}\n",
     "12:41: targets[0].op: unknown operator \">\""},
    {GOOD "targets:\n  - {metric: occupancy, year: 2025, value: 1}\n", "12:5: targets[0].op: missing required key"},
    {GOOD "targets:\n  - {metric: occupancy, year: 2025, op: \"<=\"}\n", "12:5: targets[0].value: missing"},
    {GOOD "targets:\n  - {metric: occupancy, year: 2025, op: \"<=\", value: .inf}\n",
     "12:54: targets[0].value: .inf is not a finite number"},
    {GOOD "targets:\n  - {metric: occupancy, year: 2025, op: \"<=\", value: 1, zone: B}\n",
     "12:63: targets[0].zone: unknown zone \"B\""},
    {GOOD "targets:\n  - {metric: production_growth, year: 2025, op: \"<=\", value: 1}\n",
     "12:39: targets[0].year: production_growth in the first simulated year 2025 needs baseline"},
    {GOOD "baseline: {production_musd: 1}\ntargets:\n"
          "  - {metric: production_growth, year: 2025, op: \"<=\", value: 1, zone: A}\n",
     "13:39: targets[0].year: production_growth of a zone is undefined in the first"},
    {GOOD "targets:\n  - 5\n", "12:5: targets[0]: found the number 5"},
    {"", "1:1: (root): the file is empty"},
    {"# only a comment\n", "1:1: (root): the file is empty"},
    {"---\n", "1:1: (root): found an empty document"},
    {"hello\n", "1:1: (root): found the string \"hello\""},
    {"- 1\n", "1:1: (root): found a list"},
    {GOOD "---\nipsim: 1\n", "11:1: (root): more than one YAML document"},
    {GOOD "x: &a 1\n", "11:4: x: anchor &a is not supported"},
    {GOOD "x: *a\n", "11:4: x: alias *a is not supported"},
    {GOOD "x: !foo 1\n", "11:4: x: tag !foo is not supported"},
    {GOOD "seed: !!binary aGk=\n", "11:7: seed: tag !!binary is not supported"},
    {GOOD "seed: !!int abc\n", "11:7: seed: the value does not fit its tag !!int"},
    {GOOD "seed: !!float 5\n", "11:7: seed: !!float 5 is not a whole number"},
    {GOOD "seed: !!str 5\n", "11:7: seed: found the string \"5\""},
    {GOOD "macro: !!seq {sigma: 0.1}\n", "11:8: macro: the value does not fit its tag !!seq"},
    {GOOD "!!int 5: 1\n", "11:1: (root): a mapping key must be a plain name"},
    {GOOD "? [a]\n: 1\n", "11:3: (root): a mapping key must be a plain name"},
    {GOOD "\tx: 1\n", "11:1: syntax error: tab character"},
    {GOOD "x: \"abc\n", "11:4: syntax error: the quoted string opened here is never closed"},
    {GOOD "x: [1, 2\n", "12:1: syntax error: did not find expected ',' or ']'"},
    {GOOD "x: y: z\n", "11:5: syntax error: mapping values are not allowed"},
    {GOOD "op: >=\n", "11:6: syntax error:"},
    {GOOD "x: \xff\xfe\n", "11:4: syntax error: invalid leading UTF-8 octet"},
    {GOOD "x: a\x01\n", "11:5: syntax error: control characters are not allowed"},
};

static void test_bad_inputs(void **state)
{
    char want[1200];
    int failed = 0;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        ipsim_scenario s;
        ipsim_error err;
        int rc = parse(&s, bad_cases[i].text, "t.yaml", &err);
        snprintf(want, sizeof want, "t.yaml:%s", bad_cases[i].want);
        if (rc != IPSIM_EINPUT || strncmp(err.msg, want, strlen(want)) != 0) {
            print_error("case %zu: rc %d\n  got:  %s\n  want: %s...\n", i, rc, err.msg, want);
            failed++;
        }
        if (rc == IPSIM_OK)
            ipsim_scenario_free(&s);
        assert_null(s.zones); /* nothing to free after an error */
        assert_null(s.name);
    }
    assert_int_equal(failed, 0);
}

/* 63 nested lists under a root key reach depth 64 (allowed); 64 do not. */
static void test_nesting_limit(void **state)
{
    char text[400];
    ipsim_scenario s;
    ipsim_error err;
    for (int lists = 63; lists <= 64; lists++) {
        int n = snprintf(text, sizeof text, "%s", GOOD "macro: ");
        for (int i = 0; i < lists; i++)
            text[n++] = '[';
        for (int i = 0; i < lists; i++)
            text[n++] = ']';
        text[n++] = '\n';
        text[n] = '\0';
        assert_int_equal(parse(&s, text, "t.yaml", &err), IPSIM_EINPUT);
        if (lists == 63)
            assert_non_null(strstr(err.msg, "t.yaml:11:8: macro: found a list"));
        else
            assert_non_null(strstr(err.msg, "t.yaml:11:71: macro[0][0]"));
        if (lists == 64)
            assert_non_null(strstr(err.msg, "nesting is deeper than 64 levels"));
    }
}

static void test_limits(void **state)
{
    ipsim_scenario s;
    ipsim_error err;
    size_t cap = 20u << 20;
    char *text = malloc(cap);
    assert_non_null(text);
    /* too many targets */
    size_t n = (size_t)snprintf(text, cap, "%stargets:\n", GOOD);
    for (int i = 0; i <= IPSIM_MAX_TARGETS; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "  - {metric: occupancy, year: 2025, op: \">=\", value: 0}\n");
    assert_int_equal(parse(&s, text, "t.yaml", &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "t.yaml:12:3: targets: 1001 targets is too many"));
    /* IPSIM_MAX_ZONES zones are fine, one more is not */
    for (int extra = 0; extra <= 1; extra++) {
        n = (size_t)snprintf(text, cap, "%s", HEAD "defaults: {area_ha: 1, projects_per_year: 1,"
                             " fdi_capital_median_musd: 1, domestic_capital_median_musd: 1,"
                             " capital_per_ha_musd: 1}\nzones:\n");
        for (int i = 0; i < IPSIM_MAX_ZONES + extra; i++)
            n += (size_t)snprintf(text + n, cap - n, "  - name: z%d\n", i);
        int rc = parse(&s, text, "t.yaml", &err);
        if (!extra) {
            assert_int_equal(rc, IPSIM_OK);
            assert_int_equal(s.n_zones, IPSIM_MAX_ZONES);
            ipsim_scenario_free(&s);
        } else {
            assert_int_equal(rc, IPSIM_EINPUT);
            assert_non_null(strstr(err.msg, "zones: 10001 zones is too many"));
        }
    }
    /* the size limit is checked before any parsing */
    memset(text, ' ', IPSIM_MAX_FILE_BYTES + 1);
    assert_int_equal(ipsim_scenario_parse(&s, text, IPSIM_MAX_FILE_BYTES + 1, "big.yaml", &err),
                     IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "big.yaml:1:1: (root): the file is too large"));
    free(text);
}

/* Every prefix of a good file, and copies with one byte replaced, either
 * parse or fail cleanly with a located message: never a crash. */
static void expect_clean(const char *buf, size_t n)
{
    ipsim_scenario s;
    ipsim_error err;
    int rc = ipsim_scenario_parse(&s, buf, n, "t.yaml", &err);
    if (rc == IPSIM_OK) {
        ipsim_scenario_free(&s);
        return;
    }
    assert_int_equal(rc, IPSIM_EINPUT);
    if (strncmp(err.msg, "t.yaml:", 7) != 0)
        fail_msg("unlocated message: %s", err.msg);
}

static void test_truncated_and_corrupted(void **state)
{
    size_t len = strlen(full);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    unsigned x = 12345;
    for (size_t i = 0; i <= len; i++) {
        memcpy(buf, full, len);
        expect_clean(buf, i);
        if (i == len)
            break;
        x = x * 1103515245u + 12345u;
        buf[i] = (char)(x >> 16);
        expect_clean(buf, len);
    }
    free(buf);
}

static void test_load(void **state)
{
    ipsim_scenario s;
    ipsim_error err;
    assert_int_equal(ipsim_scenario_load(&s, IPSIM_TEST_DIR "/no/such/file.yaml", &err),
                     IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "no/such/file.yaml"));
    assert_int_equal(ipsim_scenario_load(&s, IPSIM_TEST_DIR, &err), IPSIM_EINPUT);
}

/* Reads "# expect: KEY" from the first line of a corpus file. */
static int expected_key(const char *path, char *key, size_t size)
{
    char line[256];
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int ok = fgets(line, sizeof line, f) && !strncmp(line, "# expect: ", 10);
    fclose(f);
    if (!ok)
        return -1;
    line[strcspn(line, "\r\n")] = '\0';
    snprintf(key, size, "%s", line + 10);
    return 0;
}

/* One corpus file: "" if it fails as its first line says, else why not. */
static void check_corpus_file(const char *path, char *why, size_t size)
{
    char key[256], loc[1100];
    ipsim_scenario s;
    ipsim_error err;
    why[0] = '\0';
    if (expected_key(path, key, sizeof key)) {
        snprintf(why, size, "%s: first line is not '# expect: KEY'", path);
        return;
    }
    if (ipsim_scenario_load(&s, path, &err) != IPSIM_EINPUT) {
        ipsim_scenario_free(&s);
        snprintf(why, size, "%s: not refused as an input error", path);
        return;
    }
    snprintf(loc, sizeof loc, "%s:", path);
    if (strncmp(err.msg, loc, strlen(loc)) || !strstr(err.msg, key))
        snprintf(why, size, "%s: message lacks the file or \"%s\": %s", path, key, err.msg);
}

/* Same corpus as tests/bad_inputs.sh, through the library. */
static void test_bad_corpus(void **state)
{
    const char *dir = IPSIM_TEST_DIR "/bad";
    char why[2400] = "";
    size_t count = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    assert_non_null(d);
    while (!why[0] && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        char path[1024];
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        check_corpus_file(path, why, sizeof why);
        count++;
    }
    closedir(d);
    if (why[0])
        fail_msg("%s", why);
    assert_true(count >= 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_scenario),
        cmocka_unit_test(test_defaults_and_typing),
        cmocka_unit_test(test_based_beyond_64_bits),
        cmocka_unit_test(test_bool_and_null_spellings),
        cmocka_unit_test(test_seed_range),
        cmocka_unit_test(test_land_tolerance),
        cmocka_unit_test(test_core_tags),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_default_names),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_project_scenario),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_truncated_and_corrupted),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_bad_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
