/* test_report.c -- the HTML report: axis ticks and number format, escaping
 * of user text, fans computed from per-path data against the stored
 * summaries, the page's contents for one and two files, and bad inputs that
 * must leave no page (and never touch a results file). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <cmocka.h>

#include "metrics.h"
#include "report.h"
#include "report_chart.h"
#include "report_data.h"
#include "results_read.h"
#include "run.h"
#include "scenario.h"

#define TMP IPSIM_TEST_TMP "/report_"

static const char *yaml_one =
    "ipsim: 1\nname: \"Report <one> & 'two'\"\nstart: \"2025-04\"\nhorizon_months: 30\n"
    "macro: {sigma: 0.2}\n"
    "zones:\n"
    "  - {name: \"Zone <b>&amp;\", area_ha: 300, leased_ha: 100, clean_ha: 60,\n"
    "     clearance_ha_per_year: 40, projects_per_year: 10, fdi_capital_median_musd: 8,\n"
    "     domestic_capital_median_musd: 2, capital_per_ha_musd: 4,\n"
    "     initial: {operating_capital_musd: 300}}\n"
    "targets:\n"
    "  - {name: \"FDI <2026>\", metric: fdi_registered_musd, year: 2026, op: \">=\", value: 40}\n"
    "  - {metric: occupancy, year: 2027, op: \">=\", value: 0.5, zone: \"Zone <b>&amp;\"}\n"
    "  - {metric: leased_ha, year: 2026, op: \"<=\", value: 200}\n"
    "  - {metric: production_growth, year: 2026, op: \">=\", value: 0.1}\n";

static const char *yaml_two =
    "ipsim: 1\nname: Second\nstart: \"2025-01\"\nhorizon_months: 36\n"
    "defaults: {fdi_capital_median_musd: 8, domestic_capital_median_musd: 2, "
    "capital_per_ha_musd: 4}\n"
    "zones:\n"
    "  - {name: North, area_ha: 200, clean_ha: 80, projects_per_year: 6}\n"
    "  - {name: \"Zone <b>&amp;\", area_ha: 300, leased_ha: 100, clean_ha: 60, "
    "projects_per_year: 10}\n"
    "targets:\n"
    "  - {name: \"FDI <2026>\", metric: fdi_registered_musd, year: 2026, op: \">=\", value: 40}\n";

static void run_file(const char *yaml, const char *path, enum ipsim_store store, size_t n)
{
    ipsim_scenario scn;
    ipsim_error err = {0};
    if (ipsim_scenario_parse(&scn, yaml, strlen(yaml), "report.yaml", &err) != IPSIM_OK)
        fail_msg("scenario: %s", err.msg);
    ipsim_run_opts o;
    ipsim_run_opts_init(&o);
    o.n_paths = n;
    o.seed = 3;
    o.threads = 2;
    o.store = store;
    remove(path);
    if (ipsim_run(&scn, &o, path, NULL, &err) != IPSIM_OK)
        fail_msg("run: %s", err.msg);
    ipsim_scenario_free(&scn);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- ticks, numbers, escaping ---- */

static void test_ticks(void **state)
{
    const double cases[][3] = {{0, 1237, 6},   {0.61, 0.93, 6}, {-3.2, 7.9, 5},
                               {1e6, 1.3e6, 6}, {0, 0.004, 4},   {17, 17, 6}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double lo = cases[i][0], hi = cases[i][1], first, last, step;
        ipsim_chart_ticks(lo, hi, (int)cases[i][2], &first, &last, &step);
        double e = pow(10, floor(log10(step) + 1e-9)), f = step / e;
        if (!(fabs(f - 1) < 1e-9 || fabs(f - 2) < 1e-9 || fabs(f - 5) < 1e-9))
            fail_msg("case %zu: step %g is not 1, 2 or 5 x 10^k", i, step);
        assert_true(first <= lo + 1e-12 && last >= hi - 1e-12);
        assert_true(fabs(first / step - round(first / step)) < 1e-6);
        double ticks = (last - first) / step + 1;
        if (!(ticks >= 3 && ticks <= 2 * cases[i][2] + 1))
            fail_msg("case %zu: %g ticks", i, ticks);
    }
    double first, last, step;
    ipsim_chart_ticks(0, 1237, 6, &first, &last, &step);
    assert_true(step == 200 && first == 0 && last == 1400);
}

static void test_numbers(void **state)
{
    char b[64];
    ipsim_chart_number(b, sizeof b, 1234567, 1);
    assert_string_equal(b, "1,234,567");
    ipsim_chart_number(b, sizeof b, -1500, 500);
    assert_string_equal(b, "-1,500");
    ipsim_chart_number(b, sizeof b, 0.25, 0.05);
    assert_string_equal(b, "0.25");
    ipsim_chart_number(b, sizeof b, -1e-12, 0.1);
    assert_string_equal(b, "0.0");
    ipsim_chart_number(b, sizeof b, 999.9, 0.1);
    assert_string_equal(b, "999.9");
    ipsim_chart_number(b, sizeof b, 100, 20);
    assert_string_equal(b, "100");
    double scale;
    assert_string_equal(ipsim_chart_unit(IPSIM_M_OCCUPANCY, &scale), "%");
    assert_true(scale == 100);
    assert_string_equal(ipsim_chart_unit(IPSIM_M_FDI, &scale), "musd");
    assert_true(scale == 1);
}

static void test_escape(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ipsim_html_escape(m, "<a href=\"x\">&'</a>");
    fclose(m);
    assert_string_equal(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    free(buf);
}

/* ---- fans against what the file stores ---- */

static void assert_fan_equal(const ipsim_fan *a, size_t ja, const ipsim_fan *b, size_t jb)
{
    for (int k = 0; k < IPSIM_NQUANTILES; k++) {
        double x = a->q[ja * IPSIM_NQUANTILES + k], y = b->q[jb * IPSIM_NQUANTILES + k];
        if (!(fabs(x - y) <= 1e-9 * fmax(1, fabs(y))))
            fail_msg("quantile %d: %.17g != %.17g", k, x, y);
    }
    assert_true(fabs(a->mean[ja] - b->mean[jb]) <= 1e-9 * fmax(1, fabs(b->mean[jb])));
}

/* One zone: the zone's fans are the province's; December of the monthly
 * fan of a stock is its yearly value, and the yearly fan is summary/. */
static void test_fans(void **state)
{
    const char *h5 = TMP "fans.h5";
    run_file(yaml_one, h5, IPSIM_STORE_MONTHLY, 97);
    ipsim_rfile f;
    ipsim_error err = {0};
    assert_int_equal(ipsim_rfile_open(&f, h5, &err), IPSIM_OK);
    assert_true(ipsim_fan_has_monthly(&f));
    const int metrics[] = {IPSIM_M_OCCUPANCY, IPSIM_M_LEASED, IPSIM_M_PRODUCTION};
    for (size_t i = 0; i < 3; i++) {
        int m = metrics[i];
        ipsim_fan year, zone, month;
        assert_int_equal(ipsim_fan_yearly(&f, m, &year, &err), IPSIM_OK);
        assert_int_equal(ipsim_fan_zones(&f, m, 0, 1, &zone, &err), IPSIM_OK);
        assert_int_equal(ipsim_fan_monthly(&f, m, &month, &err), IPSIM_OK);
        assert_int_equal(year.n, f.n_years);
        assert_int_equal(month.n, 30);
        for (size_t j = 0; j < f.n_years; j++) {
            assert_true(year.x[j] == f.years[j] && zone.x[j] == f.years[j]);
            assert_fan_equal(&zone, j, &year, j);
        }
        /* 2025-04 + 30 months: Dec 2025 is month 8, Dec 2026 month 20. */
        assert_true(fabs(month.x[8] - (2025 + 11.0 / 12)) < 1e-12);
        if (m != IPSIM_M_PRODUCTION) {
            assert_fan_equal(&month, 8, &year, 0);
            assert_fan_equal(&month, 20, &year, 1);
            assert_fan_equal(&month, 29, &year, 2); /* 2027 ends at its last simulated month */
        }
        for (size_t j = 0; j < month.n; j++)
            assert_true(month.q[j * 5] <= month.q[j * 5 + 2] && month.q[j * 5 + 2] <= month.q[j * 5 + 4]);
        ipsim_fan_free(&year);
        ipsim_fan_free(&zone);
        ipsim_fan_free(&month);
    }
    ipsim_fan g;
    assert_int_equal(ipsim_fan_monthly(&f, IPSIM_M_PRODUCTION_GROWTH, &g, &err), IPSIM_EINPUT);
    ipsim_rfile_close(&f);
}

/* ---- the page ---- */

static void assert_self_contained(const char *html)
{
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "href="));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "url("));
    /* the only URL is SVG's namespace */
    assert_int_equal(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

/* Every path's d attribute holds only commands and numbers: a value that
 * is not finite (production_growth in the first year, without a baseline)
 * must break the line, never be written as nan or inf. */
static void assert_paths_finite(const char *html)
{
    size_t n = 0;
    for (const char *p = strstr(html, " d=\""); p; p = strstr(p + 1, " d=\"")) {
        const char *d = p + 4;
        size_t len = strcspn(d, "\"");
        if (strspn(d, "MLZlml0123456789.- ") != len)
            fail_msg("path data with other characters: %.60s", d);
        n++;
    }
    assert_true(n > 0);
}

static void test_page_one(void **state)
{
    const char *h5 = TMP "one.h5", *html = TMP "one.html";
    run_file(yaml_one, h5, IPSIM_STORE_MONTHLY, 60);
    remove(html);
    const char *files[] = {h5};
    ipsim_error err = {0};
    assert_int_equal(ipsim_report_write(html, files, 1, NULL, &err), IPSIM_OK);
    assert_false(exists(TMP "one.html.partial"));
    char *s = slurp(html);
    assert_self_contained(s);
    /* user text is escaped everywhere */
    assert_null(strstr(s, "<b>"));
    assert_null(strstr(s, "<one>"));
    assert_null(strstr(s, "<2026>"));
    assert_non_null(strstr(s, "Report &lt;one&gt; &amp; &#39;two&#39;"));
    assert_non_null(strstr(s, "Zone &lt;b&gt;&amp;amp;"));
    assert_non_null(strstr(s, "FDI &lt;2026&gt;"));
    /* key charts per year and per month, zone small multiples, target metrics */
    const char *ids[] = {"year-occupancy", "year-fdi_registered_musd", "year-total_registered_musd",
                         "year-production_musd", "year-lost_projects", "year-leased_ha",
                         "year-production_growth",
                         "month-occupancy", "month-production_musd", "zone-occupancy-0",
                         "zone-production_musd-0"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char want[80];
        snprintf(want, sizeof want, "id=\"%s\"", ids[i]);
        if (!strstr(s, want))
            fail_msg("no chart %s", ids[i]);
    }
    size_t charts = count(s, "<svg class=\"chart");
    assert_int_equal(charts, 7 + 5 + 2);
    assert_paths_finite(s);
    assert_int_equal(count(s, "class=\"median\""), charts);
    assert_int_equal(count(s, "class=\"band90\""), charts);
    assert_int_equal(count(s, "class=\"band50\""), charts);
    assert_null(strstr(s, "class=\"median\" d=\"\""));
    /* targets: FDI, leased_ha and growth on their yearly charts (leased_ha
     * has no monthly chart), the zone target on its zone's occupancy */
    assert_int_equal(count(s, "<g class=\"target\">"), 4);
    assert_non_null(strstr(s, "<table class=\"targets\">"));
    assert_null(strstr(s, "<table class=\"comparison\">"));
    assert_non_null(strstr(s, "@media print"));
    free(s);
}

static void test_page_two(void **state)
{
    const char *a = TMP "a.h5", *b = TMP "b.h5", *html = TMP "two.html";
    run_file(yaml_one, a, IPSIM_STORE_YEARLY, 40);
    run_file(yaml_two, b, IPSIM_STORE_SUMMARY, 40);
    const char *files[] = {a, b};
    ipsim_report_opts o;
    ipsim_report_opts_init(&o);
    o.title = "A & B";
    ipsim_error err = {0};
    assert_int_equal(ipsim_report_write(html, files, 2, &o, &err), IPSIM_OK);
    char *s = slurp(html);
    assert_self_contained(s);
    assert_non_null(strstr(s, "<title>A &amp; B"));
    assert_non_null(strstr(s, "<table class=\"comparison\">"));
    /* both files on every province chart, in the first two palette colours */
    assert_int_equal(count(s, "id=\"year-"), 7);
    assert_int_equal(count(s, "class=\"series\" data-series=\"1\""), 7);
    assert_int_equal(count(s, "class=\"bands\" data-series=\"1\""), 7);
    assert_paths_finite(s);
    assert_non_null(strstr(s, "color:#0072B2"));
    assert_non_null(strstr(s, "color:#E69F00"));
    /* no monthly charts (neither file has them); b has no zone data */
    assert_null(strstr(s, "id=\"month-"));
    assert_non_null(strstr(s, "keeps no per-zone results"));
    /* the shared target is one row with two P(met) cells */
    assert_int_equal(count(s, "FDI &lt;2026&gt;</td>"), 1 + 2);
    free(s);
}

/* ---- bad input: a clear error, no page, nothing damaged ---- */

static void test_bad_inputs(void **state)
{
    const char *h5 = TMP "bad.h5", *html = TMP "bad.html";
    run_file(yaml_one, h5, IPSIM_STORE_YEARLY, 10);
    ipsim_error err = {0};
    remove(html);
    const char *missing[] = {TMP "no_such.h5"};
    assert_int_equal(ipsim_report_write(html, missing, 1, NULL, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "no_such.h5"));
    assert_false(exists(html));

    /* the output is the input */
    struct stat before, after;
    assert_int_equal(stat(h5, &before), 0);
    const char *self[] = {h5};
    assert_int_equal(ipsim_report_write(h5, self, 1, NULL, &err), IPSIM_EINPUT);
    assert_int_equal(stat(h5, &after), 0);
    assert_true(before.st_size == after.st_size && before.st_mtime == after.st_mtime);

    /* monthly asked of a yearly file; an existing page survives */
    FILE *f = fopen(html, "w");
    fputs("keep me", f);
    fclose(f);
    ipsim_report_opts o;
    ipsim_report_opts_init(&o);
    o.monthly = IPSIM_REPORT_MONTHLY_YES;
    assert_int_equal(ipsim_report_write(html, self, 1, &o, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "monthly"));
    char *s = slurp(html);
    assert_string_equal(s, "keep me");
    free(s);

    const char *nine[9];
    for (int i = 0; i < 9; i++)
        nine[i] = h5;
    assert_int_equal(ipsim_report_write(html, nine, 9, NULL, &err), IPSIM_EINPUT);

    /* a file that is not a results file */
    const char *text[] = {html};
    assert_int_equal(ipsim_report_write(TMP "bad2.html", text, 1, NULL, &err), IPSIM_EINPUT);
    assert_false(exists(TMP "bad2.html"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks),     cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_escape),    cmocka_unit_test(test_fans),
        cmocka_unit_test(test_page_one),  cmocka_unit_test(test_page_two),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
