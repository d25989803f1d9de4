/* test_experiment.c -- sweeps and goal seek on common random numbers
 * (engine/experiment.h): the values of --vary; more clearance never lowers
 * mean leased land where clean land is scarce; a lever the model ignores
 * changes nothing at all; goal seek finds answers that can be computed (a
 * deterministic production target, and a Poisson arrival count) and says
 * when the range cannot reach P; nothing is left in the temporary directory. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>

#include "experiment.h"
#include "metrics.h"

#define Z_TOL 4.5 /* standard errors allowed in the statistical check */

/* Writes text to a scenario file under the test build directory. */
static const char *scenario_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", IPSIM_TEST_TMP, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static ipsim_experiment *open_x(const char *path, const ipsim_experiment_opts *o)
{
    ipsim_experiment *x = NULL;
    ipsim_error err = {0};
    if (ipsim_experiment_open(&x, path, NULL, 0, o, &err) != IPSIM_OK)
        fail_msg("open: %s", err.msg);
    return x;
}

static void eval_ok(ipsim_experiment *x, const char *set, ipsim_experiment_point *pt)
{
    ipsim_error err = {0};
    if (ipsim_experiment_eval(x, set, pt, &err) != IPSIM_OK)
        fail_msg("%s: %s", set ? set : "(base)", err.msg);
}

/* ---- --vary values ---- */

static void expect_values(const char *spec, const char *const *want, size_t n_want)
{
    char **v;
    size_t n;
    ipsim_error err = {0};
    if (ipsim_sweep_values(spec, &v, &n, &err) != IPSIM_OK)
        fail_msg("%s: %s", spec, err.msg);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i], want[i]);
    ipsim_sweep_values_free(v, n);
}

static void test_sweep_values(void **state)
{
    static const char *const r1[] = {"0", "0.25", "0.5", "0.75", "1"};
    static const char *const r2[] = {"0.1", "0.2", "0.3"};
    static const char *const r3[] = {"20", "30", "40"};
    static const char *const l1[] = {"[{from: \"2027-01\", attractiveness: 1.2}]", "[]"};
    static const char *const l2[] = {"true", "\"2026-01\"", "'a,b'", "{sigma: 0.1, x: 2}"};
    static const char *const l3[] = {"7"};
    expect_values("0:1:0.25", r1, 5);
    expect_values("0.1:0.3:0.1", r2, 3); /* no 0.30000000000000004, no lost last value */
    expect_values("20:45:10", r3, 3);
    expect_values("[{from: \"2027-01\", attractiveness: 1.2}],[]", l1, 2);
    expect_values("true,\"2026-01\",'a,b',{sigma: 0.1, x: 2}", l2, 4);
    expect_values("7", l3, 1);
    static const char *const bad[] = {"1:0:1", "0:1:0", "0:1:-1", "0:1e9:1e-9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char **v;
        size_t n;
        ipsim_error err = {0};
        assert_int_equal(ipsim_sweep_values(bad[i], &v, &n, &err), IPSIM_EINPUT);
        assert_non_null(strstr(err.msg, "--vary"));
    }
}

/* ---- sweeps ---- */

/* One zone with little clean land and no redirect: land is the constraint,
 * so clearance decides how much gets leased. */
static const char scarce[] =
    "ipsim: 1\nname: scarce\nstart: \"2025-01\"\nhorizon_months: 48\nseed: 11\n"
    "macro: {sigma: 0.2}\n"
    "zones:\n"
    "  - {name: A, area_ha: 2000, leased_ha: 500, clean_ha: 5, clearance_ha_per_year: 0,\n"
    "     projects_per_year: 40, fdi_capital_median_musd: 10,\n"
    "     domestic_capital_median_musd: 3, capital_per_ha_musd: 4, abandon_prob: 0.1}\n"
    "  - {name: B, area_ha: 300, leased_ha: 290, clean_ha: 2, projects_per_year: 5,\n"
    "     fdi_capital_median_musd: 10, domestic_capital_median_musd: 3, capital_per_ha_musd: 4}\n"
    "targets:\n"
    "  - {name: Leased 2028, metric: leased_ha, year: 2028, op: \">=\", value: 800}\n";

static void test_clearance_never_lowers_leased_land(void **state)
{
    ipsim_experiment_opts o;
    ipsim_experiment_opts_init(&o);
    o.n_paths = 400;
    o.threads = 2;
    o.metric = IPSIM_M_LEASED;
    o.year = 2028;
    ipsim_experiment *x = open_x(scenario_file("scarce.yaml", scarce), &o);
    static const char *const sets[] = {
        "zones[A].clearance_ha_per_year=0", "zones[A].clearance_ha_per_year=10",
        "zones[A].clearance_ha_per_year=25", "zones[A].clearance_ha_per_year=50",
        "zones[A].clearance_ha_per_year=100", "zones[A].clearance_ha_per_year=200",
    };
    double prev = -1, first = 0, p_prev = -1;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        ipsim_experiment_point pt;
        eval_ok(x, sets[i], &pt);
        assert_true(pt.has_metric);
        assert_int_equal(pt.n_targets, 1);
        assert_int_equal(pt.n_paths, 400);
        assert_int_equal(pt.seed, 11);
        /* the target's metric is the extra metric: same mean, two routes */
        assert_true(pt.metric.mean == pt.targets[0].mean);
        if (pt.metric.mean < prev || pt.targets[0].p_met < p_prev)
            fail_msg("%s: mean leased_ha %.6g, P(met) %.3f after %.6g, %.3f", sets[i],
                     pt.metric.mean, pt.targets[0].p_met, prev, p_prev);
        if (i == 0)
            first = pt.metric.mean;
        prev = pt.metric.mean;
        p_prev = pt.targets[0].p_met;
        ipsim_experiment_point_free(&pt);
    }
    assert_true(prev > first); /* clearance mattered: the check above could fail */
    ipsim_experiment_close(x);
}

/* With sigma 0 the persistence of the macro factor changes no draw's
 * distribution and, on common random numbers, no draw at all: every
 * statistic is identical; the same value twice is identical too. */
static void test_inert_lever_changes_nothing(void **state)
{
    ipsim_experiment_opts o;
    ipsim_experiment_opts_init(&o);
    o.n_paths = 300;
    o.metric = IPSIM_M_PRODUCTION;
    o.year = 2027;
    ipsim_experiment *x = open_x(scenario_file("inert.yaml", scarce), &o);
    ipsim_experiment_point a, b, c, d;
    eval_ok(x, "macro={sigma: 0, annual_persistence: 0.1}", &a);
    eval_ok(x, "macro={sigma: 0, annual_persistence: 0.9}", &b);
    eval_ok(x, NULL, &c);
    eval_ok(x, NULL, &d);
    assert_memory_equal(a.targets, b.targets, sizeof *a.targets);
    assert_memory_equal(&a.metric, &b.metric, sizeof a.metric);
    assert_memory_equal(c.targets, d.targets, sizeof *c.targets);
    /* and the base (sigma 0.2) differs from both, so the check can fail */
    assert_true(memcmp(&a.metric, &c.metric, sizeof a.metric) != 0);
    ipsim_experiment_point_free(&a);
    ipsim_experiment_point_free(&b);
    ipsim_experiment_point_free(&c);
    ipsim_experiment_point_free(&d);
    ipsim_experiment_close(x);
}

static void test_bad_metric_year_and_value(void **state)
{
    ipsim_experiment_opts o;
    ipsim_experiment_opts_init(&o);
    o.metric = IPSIM_M_LEASED;
    o.year = 2040;
    ipsim_experiment *x = NULL;
    ipsim_error err = {0};
    const char *path = scenario_file("bad_year.yaml", scarce);
    assert_int_equal(ipsim_experiment_open(&x, path, NULL, 0, &o, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "--year: 2040 is outside the simulated years"));
    assert_null(x);
    o.year = 2025;
    x = open_x(path, &o);
    assert_int_equal(ipsim_experiment_check(x, "zones[A].clearance_ha_per_year=-1", &err),
                     IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "--set zones[A].clearance_ha_per_year=-1: "));
    ipsim_experiment_close(x);
}

/* ---- goal seek ---- */

/* Only initial operating capital and no arrivals: 2025 production is
 * K_op * o exactly (MODEL.md §8), so P(production >= V) jumps from 0 to 1
 * at o = V / K_op. */
static const char steady[] =
    "ipsim: 1\nname: steady\nstart: \"2025-01\"\nhorizon_months: 12\n"
    "zones:\n"
    "  - {name: A, area_ha: 100, projects_per_year: 0, fdi_capital_median_musd: 10,\n"
    "     domestic_capital_median_musd: 3, capital_per_ha_musd: 4,\n"
    "     initial: {operating_capital_musd: 800}}\n"
    "targets:\n"
    "  - {name: Production, metric: production_musd, year: 2025, op: \">=\", value: 1000}\n"
    "  - {name: Cap, metric: production_musd, year: 2025, op: \"<=\", value: 1000}\n";

static ipsim_solve_result solve_ok(ipsim_experiment *x, const ipsim_solve_opts *so)
{
    ipsim_solve_result r;
    ipsim_error err = {0};
    if (ipsim_experiment_solve(x, so, &r, &err) != IPSIM_OK)
        fail_msg("solve: %s", err.msg);
    return r;
}

static void test_solve_deterministic_production(void **state)
{
    ipsim_experiment_opts o;
    ipsim_experiment_opts_init(&o);
    o.n_paths = 20;
    ipsim_experiment *x = open_x(scenario_file("steady.yaml", steady), &o);
    double answer = 1000.0 / 800.0;
    ipsim_solve_opts so = {.key = "zones[A].output_per_capital", .lo = 0.3, .hi = 4, .target = 0,
                           .prob = 1, .direction = IPSIM_SOLVE_MIN, .tol = 1e-4};
    ipsim_solve_result r = solve_ok(x, &so);
    assert_int_equal(r.status, IPSIM_SOLVE_FOUND);
    if (fabs(r.x - answer) > so.tol)
        fail_msg("smallest output_per_capital %.10g, expected %.10g +- %g", r.x, answer, so.tol);
    assert_true(r.at.p_met == 1);
    assert_true(r.bracket_hi - r.bracket_lo <= so.tol);
    assert_true(r.bracket_lo <= answer + 1e-9 && answer <= r.bracket_hi + 1e-9);
    assert_true(r.at_lo.p_met == 0 && r.at_hi.p_met == 1);
    assert_true(r.n_evals >= 2 && r.n_evals < 30);
    ipsim_solve_result_free(&r);

    /* the largest value for the "<=" target is the same switch */
    so.target = 1;
    so.direction = IPSIM_SOLVE_MAX;
    r = solve_ok(x, &so);
    assert_int_equal(r.status, IPSIM_SOLVE_FOUND);
    if (fabs(r.x - answer) > so.tol)
        fail_msg("largest output_per_capital %.10g, expected %.10g +- %g", r.x, answer, so.tol);
    assert_true(r.at.p_met == 1);
    ipsim_solve_result_free(&r);

    /* a range that cannot reach P, with P(met) at both ends */
    so.target = 0;
    so.direction = IPSIM_SOLVE_MIN;
    so.lo = 0.5;
    so.hi = 1.2;
    r = solve_ok(x, &so);
    assert_int_equal(r.status, IPSIM_SOLVE_UNREACHABLE);
    assert_true(r.at_lo.p_met == 0 && r.at_hi.p_met == 0);
    assert_int_equal(r.n_evals, 2);
    ipsim_solve_result_free(&r);

    /* already met at the low end */
    so.lo = 2;
    so.hi = 3;
    r = solve_ok(x, &so);
    assert_int_equal(r.status, IPSIM_SOLVE_AT_END);
    assert_true(r.x == 2 && r.at.p_met == 1);
    ipsim_solve_result_free(&r);

    ipsim_error err = {0};
    so.tol = 0;
    assert_int_equal(ipsim_experiment_solve(x, &so, &r, &err), IPSIM_EINPUT);
    ipsim_experiment_close(x);
}

/* s = 0 and ample clean land: yearly registrations ~ Poisson(lambda)
 * (MODEL.md §8), so P(N >= 10) = Q(9; lambda).  The lambda found for
 * P = 0.5 must have a true probability within Z_TOL standard errors of 0.5. */
static const char poisson[] =
    "ipsim: 1\nname: poisson\nstart: \"2025-01\"\nhorizon_months: 12\nseed: 5\n"
    "zones:\n"
    "  - {name: A, area_ha: 1e6, clean_ha: 1e6, projects_per_year: 5,\n"
    "     fdi_capital_median_musd: 10, domestic_capital_median_musd: 3,\n"
    "     capital_per_ha_musd: 4}\n"
    "targets:\n"
    "  - {name: Arrivals, metric: projects_registered, year: 2025, op: \">=\", value: 10}\n";

static void test_solve_poisson_tail(void **state)
{
    ipsim_experiment_opts o;
    ipsim_experiment_opts_init(&o);
    o.n_paths = 2000;
    ipsim_experiment *x = open_x(scenario_file("poisson.yaml", poisson), &o);
    ipsim_solve_opts so = {.key = "zones[A].projects_per_year", .lo = 2, .hi = 30, .target = 0,
                           .prob = 0.5, .direction = IPSIM_SOLVE_MIN, .tol = 0.01};
    ipsim_solve_result r = solve_ok(x, &so);
    assert_int_equal(r.status, IPSIM_SOLVE_FOUND);
    double p_true = gsl_cdf_poisson_Q(9, r.x);
    double se = sqrt(0.25 / (double)o.n_paths);
    if (fabs(p_true - 0.5) > Z_TOL * se + 0.01)
        fail_msg("lambda %.4g has P(N >= 10) = %.4f, expected 0.5 +- %.4f", r.x, p_true,
                 Z_TOL * se + 0.01);
    assert_true(r.at.p_met >= 0.5);
    /* the other end of the bracket misses P */
    for (size_t i = 0; i < r.n_evals; i++)
        if (r.evals[i].x == r.bracket_lo)
            assert_true(r.evals[i].st.p_met < 0.5);
    ipsim_solve_result_free(&r);
    ipsim_experiment_close(x);
}

/* Every run's file is deleted and the directory removed at close. */
static void test_leaves_nothing_behind(void **state)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/experiment_tmp", IPSIM_TEST_TMP);
    mkdir(dir, 0700);
    setenv("TMPDIR", dir, 1);
    ipsim_experiment_opts o;
    ipsim_experiment_opts_init(&o);
    o.n_paths = 50;
    ipsim_experiment *x = open_x(scenario_file("steady2.yaml", steady), &o);
    ipsim_experiment_point pt;
    eval_ok(x, "zones[A].output_per_capital=2", &pt);
    ipsim_experiment_point_free(&pt);
    ipsim_experiment_close(x);
    unsetenv("TMPDIR");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fail_msg("left behind: %s/%s", dir, e->d_name);
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_values),
        cmocka_unit_test(test_clearance_never_lowers_leased_land),
        cmocka_unit_test(test_inert_lever_changes_nothing),
        cmocka_unit_test(test_bad_metric_year_and_value),
        cmocka_unit_test(test_solve_deterministic_production),
        cmocka_unit_test(test_solve_poisson_tail),
        cmocka_unit_test(test_leaves_nothing_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
