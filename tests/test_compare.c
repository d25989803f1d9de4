/* test_compare.c -- paired and unpaired differences (compare.c) on inputs
 * whose answers are known or computed by hand, the CSV writer (csv.c), and
 * the results reader and file comparison on small runs (results_read.c). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "compare.h"
#include "csv.h"
#include "metrics.h"
#include "results_read.h"
#include "run.h"
#include "scenario.h"

#define assert_near(got, want, tol)                                                        \
    do {                                                                                   \
        double g_ = (got), w_ = (want);                                                    \
        if (!(fabs(g_ - w_) <= (tol) * fmax(1.0, fabs(w_))))                               \
            fail_msg("%s = %.17g, expected %.17g", #got, g_, w_);                          \
    } while (0)

/* ---- statistics ---- */

static void identical_arrays_give_exact_zero(void **state)
{
    double a[6] = {1.5, 2.25, 1e6, -3.0, 0.0, NAN};
    ipsim_compare_diff d;
    ipsim_compare_mean_paired(a, a, 6, &d);
    assert_true(d.diff == 0.0 && d.se == 0.0);
    assert_int_equal(d.n, 5); /* the NaN pair is left out */
    assert_int_equal(d.method, IPSIM_CMP_PAIRED);
    assert_false(d.significant);
    /* identical indicators: 30 met in both of 100, none discordant */
    ipsim_compare_prop_paired(30, 0, 0, 100, &d);
    assert_true(d.diff == 0.0 && d.se == 0.0);
    assert_true(d.lo < 0.0 && d.hi > 0.0);
    assert_false(d.significant);
    (void)state;
}

static void paired_mean_by_hand(void **state)
{
    /* d = 1, 2, 0, 3: mean 1.5, sd sqrt(5/3), se sqrt(5/3)/2 */
    double a[5] = {1, 2, 3, 4, NAN}, b[5] = {2, 4, 3, 7, 100};
    ipsim_compare_diff d;
    ipsim_compare_mean_paired(a, b, 5, &d);
    assert_int_equal(d.n, 4);
    assert_near(d.diff, 1.5, 1e-15);
    assert_near(d.se, sqrt(5.0 / 3.0) / 2.0, 1e-15);
    assert_near(d.lo, 1.5 - 1.959964 * sqrt(5.0 / 3.0) / 2.0, 1e-15);
    assert_true(d.significant); /* 1.5 > 1.96 * 0.6455 */
    /* a constant shift has SE 0 and is significant */
    double c[4] = {3, 4, 5, 6};
    ipsim_compare_mean_paired(a, c, 4, &d);
    assert_true(d.diff == 2.0 && d.se == 0.0 && d.significant);
    (void)state;
}

static void welch_by_hand(void **state)
{
    /* a: mean 2.5, var 5/3; b: mean 4, var 4 -> se sqrt(5/12 + 4/3) */
    double a[4] = {1, 2, 3, 4}, b[4] = {2, 4, 6, INFINITY};
    ipsim_compare_diff d;
    ipsim_compare_mean_welch(a, 4, b, 4, &d);
    assert_int_equal(d.method, IPSIM_CMP_UNPAIRED);
    assert_int_equal(d.n, 7);
    assert_near(d.diff, 1.5, 1e-15);
    assert_near(d.se, sqrt(5.0 / 12.0 + 4.0 / 3.0), 1e-15);
    assert_false(d.significant); /* 1.5 < 1.96 * 1.32 */
    (void)state;
}

static void summary_se_from_iqr(void **state)
{
    /* IQR = 2 * 1.349: sd 2 in both; se = sqrt(4/100 + 4/400) */
    double iqr = 2.0 * 1.3489795003921634;
    ipsim_compare_diff d;
    ipsim_compare_mean_summary(10.0, iqr, 100, 11.0, iqr, 400, &d);
    assert_int_equal(d.method, IPSIM_CMP_SUMMARY);
    assert_near(d.diff, 1.0, 1e-15);
    assert_near(d.se, sqrt(4.0 / 100 + 4.0 / 400), 1e-14);
    assert_true(d.significant);
    /* no spread recorded: SE unknown, never flagged */
    ipsim_compare_mean_summary(0.0, 0.0, 100, 1.0, 0.0, 100, &d);
    assert_true(isnan(d.se));
    assert_false(d.significant);
    (void)state;
}

/* Newcombe (1998) method 10, worked by hand (Python, same formulas) for the
 * table of Altman et al., Statistics with Confidence, table 6.2: 14 met in
 * both, 5 only in B, 0 only in A, 22 in neither. */
static void newcombe_paired_by_hand(void **state)
{
    ipsim_compare_diff d;
    ipsim_compare_prop_paired(14, 5, 0, 41, &d);
    assert_near(d.diff, 5.0 / 41.0, 1e-15);
    assert_near(d.lo, 0.022210434423420716, 1e-12);
    assert_near(d.hi, 0.21678167855051042, 1e-12);
    assert_near(d.se, 0.051739520574625435, 1e-12);
    assert_true(d.significant);
    /* 12 both, 3 only B, 7 only A, 78 neither: -0.04, interval spans 0 */
    ipsim_compare_prop_paired(12, 3, 7, 100, &d);
    assert_near(d.diff, -0.04, 1e-15);
    assert_near(d.lo, -0.10647330275786933, 1e-12);
    assert_near(d.hi, 0.023635434918134926, 1e-12);
    assert_near(d.se, 0.031526804372460492, 1e-12);
    assert_false(d.significant);
    /* swapping A and B mirrors the interval */
    ipsim_compare_diff e;
    ipsim_compare_prop_paired(12, 7, 3, 100, &e);
    assert_near(e.diff, 0.04, 1e-15);
    assert_near(e.lo, -d.hi, 1e-14);
    assert_near(e.hi, -d.lo, 1e-14);
    (void)state;
}

static void two_sample_z_by_hand(void **state)
{
    ipsim_compare_diff d;
    ipsim_compare_prop_unpaired(30, 100, 45, 100, &d);
    double se = sqrt(0.3 * 0.7 / 100 + 0.45 * 0.55 / 100);
    assert_near(d.diff, 0.15, 1e-15);
    assert_near(d.se, se, 1e-15);
    assert_near(d.lo, 0.15 - 1.959964 * se, 1e-15);
    assert_near(d.hi, 0.15 + 1.959964 * se, 1e-15);
    assert_true(d.significant);
    (void)state;
}

/* ---- CSV ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1 << 16, 1);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static void csv_quoting_and_numbers(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_compare.csv", IPSIM_TEST_TMP);
    unlink(path);
    const char *head[] = {"name", "x", "n"};
    ipsim_csv *w;
    ipsim_error err = {0};
    assert_int_equal(ipsim_csv_open(&w, path, head, 3, &err), IPSIM_OK);
    ipsim_csv_str(w, "Phúc Khánh, giai đoạn \"2\"");
    ipsim_csv_num(w, 0.1);
    ipsim_csv_int(w, -7);
    ipsim_csv_end_row(w);
    ipsim_csv_str(w, "two\nlines");
    ipsim_csv_num(w, NAN);
    ipsim_csv_num(w, 1200.0);
    ipsim_csv_end_row(w);
    ipsim_csv_str(w, "");
    ipsim_csv_num(w, 1.0 / 3.0);
    ipsim_csv_num(w, -INFINITY);
    ipsim_csv_end_row(w);
    assert_int_equal(access(path, F_OK), -1); /* only PATH.partial so far */
    assert_int_equal(ipsim_csv_close(w, &err), IPSIM_OK);
    size_t len;
    char *text = slurp(path, &len);
    const char *want = "\xEF\xBB\xBFname,x,n\r\n"
                       "\"Phúc Khánh, giai đoạn \"\"2\"\"\",0.1,-7\r\n"
                       "\"two\nlines\",,1200\r\n"
                       ",0.3333333333333333,\r\n";
    assert_string_equal(text, want);
    free(text);
    char buf[IPSIM_CSV_NUM_BUF];
    const double v[] = {1e-300, 123456789012345678.0, -2.5e-7, 0.30000000000000004};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_true(strtod(ipsim_csv_format_number(buf, v[i]), NULL) == v[i]);
    assert_string_equal(ipsim_csv_format_number(buf, 1500.0), "1500");
    (void)state;
}

static void csv_counts_fields(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_compare_bad.csv", IPSIM_TEST_TMP);
    unlink(path);
    const char *head[] = {"a", "b"};
    ipsim_csv *w;
    ipsim_error err = {0};
    assert_int_equal(ipsim_csv_open(&w, path, head, 2, &err), IPSIM_OK);
    ipsim_csv_num(w, 1.0);
    ipsim_csv_end_row(w);
    assert_int_not_equal(ipsim_csv_close(w, &err), IPSIM_OK);
    assert_int_equal(access(path, F_OK), -1);
    (void)state;
}

/* ---- results files ---- */

static const char *scenario_text(double clearance, const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "ipsim: 1\nname: cmp\nstart: \"2025-07\"\nhorizon_months: 24\n"
             "macro: {sigma: 0.2}\n"
             "zones:\n"
             "  - {name: Full, area_ha: 100, leased_ha: 40, clean_ha: 60,\n"
             "     clearance_ha_per_year: %g, projects_per_year: 20,\n"
             "     fdi_capital_median_musd: 10, domestic_capital_median_musd: 3,\n"
             "     capital_per_ha_musd: 2%s}\n"
             "targets:\n"
             "  - {name: Registered, metric: projects_registered, year: 2026, op: \">=\", value: 18}\n"
             "  - {name: Occupancy, metric: occupancy, year: 2027, op: \">=\", value: 0.9}\n",
             clearance, extra);
    return buf;
}

static void run_store(const char *yaml, uint64_t seed, size_t paths, enum ipsim_store store,
                      const char *name, char *path, size_t n)
{
    ipsim_scenario scn;
    ipsim_error err = {0};
    snprintf(path, n, "%s/%s", IPSIM_TEST_TMP, name);
    assert_int_equal(ipsim_scenario_parse(&scn, yaml, strlen(yaml), "cmp.yaml", &err), IPSIM_OK);
    ipsim_run_opts o;
    ipsim_run_opts_init(&o);
    o.n_paths = paths;
    o.seed = seed;
    o.threads = 2;
    o.store = store;
    if (ipsim_run(&scn, &o, path, NULL, &err) != IPSIM_OK)
        fail_msg("run: %s", err.msg);
    ipsim_scenario_free(&scn);
}

static void run_to(const char *yaml, uint64_t seed, size_t paths, const char *name, char *path,
                   size_t n)
{
    run_store(yaml, seed, paths, IPSIM_STORE_YEARLY, name, path, n);
}

static void monthly_reader(void **state)
{
    char a[512];
    run_store(scenario_text(0, ""), 3, 50, IPSIM_STORE_MONTHLY, "cmp_monthly.h5", a, sizeof a);
    ipsim_rfile f;
    ipsim_error err = {0};
    assert_int_equal(ipsim_rfile_open(&f, a, &err), IPSIM_OK);
    assert_true(f.monthly);
    double m[50 * 6], y[50];
    /* 2025 is months 0..5 (July to December): its flow is their sum */
    assert_int_equal(ipsim_rfile_monthly(&f, IPSIM_M_REGISTERED, 0, 6, m, &err), IPSIM_OK);
    assert_int_equal(ipsim_rfile_yearly(&f, IPSIM_M_REGISTERED, 0, 1, y, &err), IPSIM_OK);
    for (size_t p = 0; p < 50; p++) {
        double s = 0;
        for (size_t j = 0; j < 6; j++)
            s += m[p * 6 + j];
        assert_true(s == y[p]);
    }
    assert_int_not_equal(ipsim_rfile_monthly(&f, IPSIM_M_PRODUCTION_GROWTH, 0, 1, m, &err),
                         IPSIM_OK);
    ipsim_rfile_close(&f);
    run_to(scenario_text(0, ""), 3, 50, "cmp_yearly.h5", a, sizeof a);
    assert_int_equal(ipsim_rfile_open(&f, a, &err), IPSIM_OK);
    assert_false(f.monthly);
    assert_int_equal(ipsim_rfile_monthly(&f, IPSIM_M_REGISTERED, 0, 6, m, &err), IPSIM_EINPUT);
    ipsim_rfile_close(&f);
    (void)state;
}

static void reader_checks_what_it_opens(void **state)
{
    char a[512], bogus[600];
    run_to(scenario_text(0, ""), 5, 300, "cmp_reader.h5", a, sizeof a);
    ipsim_rfile f;
    ipsim_error err = {0};
    assert_int_equal(ipsim_rfile_open(&f, a, &err), IPSIM_OK);
    assert_string_equal(f.scenario_name, "cmp");
    assert_int_equal(f.seed, 5);
    assert_int_equal(f.paths, 300);
    assert_int_equal(f.n_years, 3);
    assert_int_equal(f.years[0], 2025);
    assert_true(f.partial[0] && !f.partial[1] && f.partial[2]);
    assert_int_equal(f.n_zones, 1);
    assert_string_equal(f.zones[0], "Full");
    assert_int_equal(f.n_targets, 2);
    assert_int_equal(f.targets[1].metric, IPSIM_M_OCCUPANCY);
    assert_int_equal(f.targets[1].zone, -1);
    /* per-path data agree with the stored summary and the targets table */
    double *x = malloc(300 * 3 * sizeof *x), mean[3], q[5 * 3];
    assert_int_equal(ipsim_rfile_yearly(&f, IPSIM_M_REGISTERED, 0, 3, x, &err), IPSIM_OK);
    assert_int_equal(ipsim_rfile_summary(&f, IPSIM_M_REGISTERED, mean, q, &err), IPSIM_OK);
    double s = 0;
    size_t met = 0;
    for (size_t p = 0; p < 300; p++) {
        s += x[p * 3 + 1];
        met += x[p * 3 + 1] >= 18;
    }
    assert_near(mean[1], s / 300, 1e-12);
    assert_int_equal(f.target_stats[0].n_met, met);
    assert_int_equal(ipsim_rfile_target_values(&f, 0, 1, x, &err), IPSIM_OK);
    assert_int_equal(ipsim_rfile_yearly(&f, IPSIM_M_REGISTERED, 1, 1, x + 300, &err), IPSIM_OK);
    assert_memory_equal(x, x + 300, 300 * sizeof *x);
    free(x);
    ipsim_rfile_close(&f);

    snprintf(bogus, sizeof bogus, "%s/cmp_missing.h5", IPSIM_TEST_TMP);
    assert_int_equal(ipsim_rfile_open(&f, bogus, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, bogus));
    snprintf(bogus, sizeof bogus, "%s/cmp_text.h5", IPSIM_TEST_TMP);
    FILE *t = fopen(bogus, "w");
    assert_non_null(t);
    fputs("not HDF5\n", t);
    fclose(t);
    assert_int_equal(ipsim_rfile_open(&f, bogus, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "not an ipsim results file"));
    snprintf(bogus, sizeof bogus, "%s.partial", a);
    assert_int_equal(ipsim_rfile_open(&f, bogus, &err), IPSIM_EINPUT);
    (void)state;
}

static void files_pair_only_with_common_random_numbers(void **state)
{
    char a[512], b[512], c[512];
    /* The zone has no uncleared land: a clearance rate cannot change it. */
    run_to(scenario_text(0, ""), 9, 400, "cmp_a.h5", a, sizeof a);
    run_to(scenario_text(50, ""), 9, 400, "cmp_b.h5", b, sizeof b);
    run_to(scenario_text(0, ""), 10, 400, "cmp_c.h5", c, sizeof c);
    ipsim_rfile f[3];
    ipsim_error err = {0};
    assert_int_equal(ipsim_rfile_open(&f[0], a, &err), IPSIM_OK);
    assert_int_equal(ipsim_rfile_open(&f[1], b, &err), IPSIM_OK);
    assert_int_equal(ipsim_rfile_open(&f[2], c, &err), IPSIM_OK);
    int metrics[IPSIM_NMETRICS];
    for (int m = 0; m < IPSIM_NMETRICS; m++)
        metrics[m] = m;
    ipsim_comparison cmp;
    assert_int_equal(ipsim_compare_files(&cmp, f, 3, metrics, IPSIM_NMETRICS, NULL, 0, &err),
                     IPSIM_OK);
    assert_true(cmp.paired[1] && !cmp.paired[2]);
    assert_int_equal(cmp.n_targets, 2);
    assert_int_equal(cmp.n_rows, IPSIM_NMETRICS * 3);
    for (size_t i = 0; i < cmp.n_targets; i++) {
        assert_int_equal(cmp.targets[i].d[1].method, IPSIM_CMP_PAIRED);
        assert_true(cmp.targets[i].d[1].diff == 0.0);
        assert_int_equal(cmp.targets[i].d[2].method, IPSIM_CMP_UNPAIRED);
    }
    for (size_t r = 0; r < cmp.n_rows; r++) {
        const ipsim_compare_diff *d = &cmp.rows[r].d[1];
        assert_int_equal(d->method, IPSIM_CMP_PAIRED);
        if (d->n) /* production_growth is NaN in the first year */
            assert_true(d->diff == 0.0 && d->se == 0.0 && !d->significant);
        assert_int_equal(cmp.rows[r].d[2].method, IPSIM_CMP_UNPAIRED);
    }
    ipsim_compare_free(&cmp);
    /* only the years asked for */
    int years[1] = {2026};
    assert_int_equal(ipsim_compare_files(&cmp, f, 2, metrics, 2, years, 1, &err), IPSIM_OK);
    assert_int_equal(cmp.n_rows, 2);
    assert_int_equal(cmp.rows[1].year, 2026);
    assert_int_equal(cmp.rows[1].metric, 1);
    ipsim_compare_free(&cmp);
    for (int i = 0; i < 3; i++)
        ipsim_rfile_close(&f[i]);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identical_arrays_give_exact_zero),
        cmocka_unit_test(paired_mean_by_hand),
        cmocka_unit_test(welch_by_hand),
        cmocka_unit_test(summary_se_from_iqr),
        cmocka_unit_test(newcombe_paired_by_hand),
        cmocka_unit_test(two_sample_z_by_hand),
        cmocka_unit_test(csv_quoting_and_numbers),
        cmocka_unit_test(csv_counts_fields),
        cmocka_unit_test(reader_checks_what_it_opens),
        cmocka_unit_test(monthly_reader),
        cmocka_unit_test(files_pair_only_with_common_random_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
