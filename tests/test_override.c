/* test_override.c -- `--set KEY=VALUE` overrides (engine/override.h): every
 * KEY form reaches the value it names (created where the file has no
 * mapping yet; names in brackets may hold dots and spaces, and are quoted
 * when they hold ']' or are all digits), the result is the scenario an edited file gives, the texts
 * are kept for the results file, and bad keys or values fail with
 * IPSIM_EINPUT and a message that names the --set argument. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scenario.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* No macro:, no baseline:, no defaults:; zone names with ']' and '.' and
 * one that is all digits; a target without a name. */
static const char base[] =
    "ipsim: 1\n"
    "name: override test\n"
    "start: \"2025-01\"\n"
    "horizon_months: 24\n"
    "zones:\n"
    "  - name: Lien Ha Thai\n"
    "    area_ha: 1000\n"
    "    clean_ha: 100\n"
    "    projects_per_year: 25\n"
    "    fdi_capital_median_musd: 10\n"
    "    domestic_capital_median_musd: 3\n"
    "    capital_per_ha_musd: 4\n"
    "    expansions: [{ha: 300, threshold: 0.7, delay_months: 24}, {ha: 50, threshold: 0.9}]\n"
    "  - name: \"Phase ]2[ v1.5\"\n"
    "    area_ha: 200\n"
    "    projects_per_year: 5\n"
    "    fdi_capital_median_musd: 10\n"
    "    domestic_capital_median_musd: 3\n"
    "    capital_per_ha_musd: 4\n"
    "  - name: \"2025\"\n"
    "    area_ha: 300\n"
    "    projects_per_year: 5\n"
    "    fdi_capital_median_musd: 10\n"
    "    domestic_capital_median_musd: 3\n"
    "    capital_per_ha_musd: 4\n"
    "  - {name: Lot 1.5, area_ha: 50, projects_per_year: 1, fdi_capital_median_musd: 10,\n"
    "     domestic_capital_median_musd: 3, capital_per_ha_musd: 4}\n"
    "targets:\n"
    "  - {name: FDI 2025, metric: fdi_registered_musd, year: 2025, op: \">=\", value: 1200}\n"
    "  - {metric: projects_registered, year: 2026, op: \">=\", value: 10, zone: Lien Ha Thai}\n";

static int parse_with(ipsim_scenario *scn, const char *text, const char *const *sets, size_t n,
                      ipsim_error *err)
{
    memset(err, 0, sizeof *err);
    return ipsim_scenario_parse_with(scn, text, strlen(text), "base.yaml", sets, n, err);
}

static void parse_ok(ipsim_scenario *scn, const char *text, const char *const *sets, size_t n)
{
    ipsim_error err;
    if (parse_with(scn, text, sets, n, &err) != IPSIM_OK)
        fail_msg("does not parse: %s", err.msg);
}

static void test_every_key_form(void **state)
{
    static const char *const sets[] = {
        "macro.sigma=0.3",
        "defaults.fdi_share=0.25",
        "baseline.production_musd=5650",
        "seed=7",
        "zones[Lien Ha Thai].clearance_ha_per_year=40",
        "zones[0].expansions[1].threshold=0.8",
        "zones[\"Phase ]2[ v1.5\"].area_ha=222",
        "zones[1].leased_ha=5",
        "zones[Lot 1.5].clean_ha=7",
        "zones[\"2025\"].area_ha=333",
        "zones[2].clean_ha=33",
        "zones[Lien Ha Thai].upgrades=[{from: \"2027-01\", attractiveness: 1.2}]",
        "zones[Lien Ha Thai].wwtp=2026-03",
        "zones[Lien Ha Thai].initial.operating_capital_musd=1300",
        "targets[FDI 2025].value=900",
        "targets[projects_registered 2026 Lien Ha Thai].value=12",
        "targets[1].op=<=",
    };
    ipsim_scenario scn;
    parse_ok(&scn, base, sets, N_OF(sets));
    assert_true(scn.macro_sigma == 0.3);
    assert_true(scn.macro_rho == 0.5); /* created macro: keeps the other default */
    assert_true(scn.has_baseline && scn.baseline_production_musd == 5650);
    assert_true(scn.has_seed && scn.seed == 7);
    for (size_t z = 0; z < 4; z++)
        assert_true(scn.zones[z].fdi_share == 0.25);
    const ipsim_zone *a = &scn.zones[0];
    assert_true(a->clearance_ha_per_year == 40);
    assert_true(a->expansions[1].threshold == 0.8);
    assert_true(a->expansions[0].threshold == 0.7);
    assert_int_equal(a->n_upgrades, 1);
    assert_true(a->upgrades[0].attractiveness == 1.2);
    assert_int_equal(a->upgrades[0].from_abs, IPSIM_MONTH_ABS(2027, 1));
    assert_int_equal(a->wwtp_from_abs, IPSIM_MONTH_ABS(2026, 3));
    assert_true(a->initial_operating_capital_musd == 1300);
    assert_true(scn.zones[1].area_ha == 222 && scn.zones[1].leased_ha == 5);
    assert_true(scn.zones[2].area_ha == 333 && scn.zones[2].clean_ha == 33);
    assert_true(scn.zones[3].clean_ha == 7);
    assert_true(scn.targets[0].value == 900);
    assert_true(scn.targets[1].value == 12);
    assert_int_equal(scn.targets[1].op, IPSIM_OP_LE);
    ipsim_scenario_free(&scn);
}

static void test_later_set_wins_and_is_recorded(void **state)
{
    static const char *const sets[] = {"macro.sigma=0.3", "zones[0].area_ha=2000",
                                       "macro.sigma=0.1"};
    ipsim_scenario scn;
    parse_ok(&scn, base, sets, N_OF(sets));
    assert_true(scn.macro_sigma == 0.1);
    assert_int_equal(scn.n_overrides, N_OF(sets));
    for (size_t i = 0; i < N_OF(sets); i++)
        assert_string_equal(scn.overrides[i], sets[i]);
    /* the file's text is kept verbatim, overrides beside it */
    assert_int_equal(scn.text_len, strlen(base));
    assert_memory_equal(scn.text, base, strlen(base));
    ipsim_scenario_free(&scn);
    parse_ok(&scn, base, NULL, 0);
    assert_int_equal(scn.n_overrides, 0);
    assert_null(scn.overrides);
    ipsim_scenario_free(&scn);
}

static char *printed(const ipsim_scenario *scn)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(ipsim_scenario_print(f, scn), IPSIM_OK);
    fclose(f);
    return buf;
}

/* A value written with --set resolves exactly as the same value edited
 * into the file. */
static void test_same_as_editing_the_file(void **state)
{
    static const char *const sets[] = {
        "zones[Lien Ha Thai].clearance_ha_per_year=40",
        "macro={sigma: 0.2, annual_persistence: 0.3}",
        "zones[0].expansions[0].delay_months=12",
    };
    char edited[sizeof base + 256];
    const char *cut = strstr(base, "    expansions:");
    int head = (int)(cut - base);
    snprintf(edited, sizeof edited,
             "%.*s    clearance_ha_per_year: 40\n"
             "    expansions: [{ha: 300, threshold: 0.7, delay_months: 12}, {ha: 50, threshold: "
             "0.9}]\n%s",
             head, base, strstr(cut, "  - name: \"Phase"));
    char *with_macro = malloc(strlen(edited) + 64);
    const char *zones = strstr(edited, "zones:");
    sprintf(with_macro, "%.*smacro: {sigma: 0.2, annual_persistence: 0.3}\n%s",
            (int)(zones - edited), edited, zones);
    ipsim_scenario a, b;
    parse_ok(&a, base, sets, N_OF(sets));
    parse_ok(&b, with_macro, NULL, 0);
    char *pa = printed(&a), *pb = printed(&b);
    assert_string_equal(pa, pb);
    /* and it differs from the base, so the comparison can fail */
    ipsim_scenario c;
    parse_ok(&c, base, NULL, 0);
    char *pc = printed(&c);
    assert_string_not_equal(pa, pc);
    free(pa);
    free(pb);
    free(pc);
    free(with_macro);
    ipsim_scenario_free(&a);
    ipsim_scenario_free(&b);
    ipsim_scenario_free(&c);
}

typedef struct {
    const char *set;
    const char *says; /* part of the message after "--set SET: " */
} bad_set;

static const bad_set bad[] = {
    {"zones[Nowhere].fdi_share=0.5", "zones[Nowhere]: no zone is named \"Nowhere\""},
    {"zones[4].fdi_share=0.5", "zones[4]: index 4 is out of range (expected 0 to 3"},
    {"zones[0].expansions[2].ha=10", "zones[0].expansions[2]: index 2 is out of range"},
    {"zones[0].upgrades[0].from=2027-01", "zones[0].upgrades: there is no list here"},
    {"targets[FDI 2030].value=1", "targets[FDI 2030]: no target is named \"FDI 2030\""},
    {"zones[0].expansions[first].ha=1", "are selected by number"},
    {"zones[Lien Ha Thai.fdi_share=0.5", "malformed KEY: '[' without a matching ']'"},
    {"zones[Lien Ha Thai].fdi_share", "malformed KEY: no '=' after KEY"},
    {"zones[].fdi_share=0.5", "malformed KEY: empty []"},
    {"zones[0]x=1", "malformed KEY: unexpected text after ']'"},
    {"macro..sigma=0.3", "malformed KEY: a key name is missing"},
    {"=0.3", "malformed KEY: a key name is missing"},
    {"zones[\"Lien Ha Thai].x=1", "malformed KEY: a quoted name is never closed"},
    {"zones[Lien Ha Thai].fdi_share=2",
     "zones[Lien Ha Thai].fdi_share: 2 is out of range (expected a number in [0, 1])"},
    {"zones[0].fdi_shar=0.5", "zones[Lien Ha Thai].fdi_shar: unknown key (did you mean"},
    {"horizon_months=24.0", "horizon_months: 24.0 is not a whole number"},
    {"macro.sigma=[1,", "VALUE:"},
    {"macro.sigma=&a 1", "anchor &a is not supported"},
    {"macro=0.3", "macro: found the number 0.3 (expected a mapping"},
    {"macro.sigma.x=1", "macro.sigma: found a single value (expected a mapping"},
    {"zones[0].upgrades=[{from: \"2027-13\", attractiveness: 1}]",
     "zones[Lien Ha Thai].upgrades[0].from: \"2027-13\" is not a valid date"},
    {"defaults.name=X", "defaults.name: a zone's name cannot be set under defaults:"},
    {"zones[0].area_ha=", "zones[Lien Ha Thai].area_ha: found an empty value (null)"},
};

static void test_bad_sets(void **state)
{
    for (size_t i = 0; i < N_OF(bad); i++) {
        ipsim_scenario scn;
        ipsim_error err;
        const char *sets[] = {"macro.sigma=0.2", bad[i].set};
        int rc = parse_with(&scn, base, sets, 2, &err);
        if (rc != IPSIM_EINPUT)
            fail_msg("--set %s: rc %d, expected IPSIM_EINPUT", bad[i].set, rc);
        char head[512];
        snprintf(head, sizeof head, "--set %s: ", bad[i].set);
        if (strncmp(err.msg, head, strlen(head)) || !strstr(err.msg + strlen(head), bad[i].says))
            fail_msg("--set %s: message \"%s\", expected \"%s%s...\"", bad[i].set, err.msg, head,
                     bad[i].says);
        assert_null(scn.zones); /* nothing to free after an error */
    }
}

/* A bad value in the file is still reported at the file, even with
 * overrides elsewhere; load_with reads files like load. */
static void test_load_with_file(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/override_test.yaml", IPSIM_TEST_TMP);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(base, f);
    fclose(f);
    static const char *const sets[] = {"zones[Lien Ha Thai].clearance_ha_per_year=40"};
    ipsim_scenario scn;
    ipsim_error err = {0};
    assert_int_equal(ipsim_scenario_load_with(&scn, path, sets, 1, &err), IPSIM_OK);
    assert_true(scn.zones[0].clearance_ha_per_year == 40);
    assert_string_equal(scn.path, path);
    ipsim_scenario_free(&scn);
    static const char *const bad_sets[] = {"zones[0].clean_ha=5000"};
    assert_int_equal(ipsim_scenario_load_with(&scn, path, bad_sets, 1, &err), IPSIM_EINPUT);
    /* leased + clean > area is reported at the value that broke it */
    assert_non_null(strstr(err.msg, "--set zones[0].clean_ha=5000: zones[Lien Ha Thai].clean_ha"));
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_form),
        cmocka_unit_test(test_later_set_wins_and_is_recorded),
        cmocka_unit_test(test_same_as_editing_the_file),
        cmocka_unit_test(test_bad_sets),
        cmocka_unit_test(test_load_with_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
