/* test_calibrate.c -- `ipsim calibrate` recovers the parameters of
 * histories that ipsim itself simulated, with honest standard errors.
 *
 * Each fitted zone is simulated as two ipsim zones, one of FDI projects
 * (fdi_share 1, rate p lambda) and one of domestic ones (fdi_share 0, rate
 * (1 - p) lambda): by Poisson thinning their sum is one zone with rate
 * lambda and FDI share p, and it gives the FDI counts that the results
 * file does not store.  Every path is one 30-year history.  Over REPS
 * histories and 3 zones, for every parameter, z = (estimate - truth) / SE:
 * (for medians on the log scale: (ln estimate - ln truth) / (SE / estimate)):
 *   - |estimate - truth| <= 3 SE but in at most 2 % of histories (0.27 %
 *     for a normal z; lognormal capital gives z heavier tails, and 2 %
 *     still catches SEs 30 % too small), and never beyond 6 SE;
 *   - z has sd near 1 and mean near 0 (SEs neither too small nor too
 *     large, estimates not biased by more than a fraction of an SE);
 *   - without FDI counts (capital totals only), the documented weaker
 *     behaviour: SEs of the FDI share and medians 15-35 % small;
 *   - the project form, from months with exactly one registration (their
 *     capital and land are one project's);
 *   - bad histories are refused with FILE:LINE:COL, exposures with partial
 *     years, and the YAML fragment loads into a scenario. */
#include "testutil.h"

#include <stdlib.h>

#include "calibrate.h"
#include "csv_read.h"
#include "metrics.h"

enum { REPS = 200, YEARS = 30, NZ = 3, BOOT = 100 };

typedef struct {
    const char *name;
    double lambda, p, mf, md, sigma, mi, si;
} truth;

static const truth T[NZ] = {
    {"Alpha", 20, 0.4, 10, 3, 0.8, 4, 0.5},
    {"Beta", 8, 0.25, 6, 2, 0.6, 2.5, 0.5},
    {"Gamma", 30, 0.6, 15, 5, 1.0, 5, 0.5},
};

/* parameters in the order of z[] below */
enum { K_RATE, K_P, K_MF, K_MD, K_SIGMA, K_MI, K_SI, NK };
static const char *const knames[NK] = {"projects_per_year", "fdi_share",     "fdi_median",
                                       "domestic_median",   "capital_sigma", "capital_per_ha",
                                       "intensity_sigma"};

static double truth_of(const truth *t, int k)
{
    const double v[NK] = {t->lambda, t->p, t->mf, t->md, t->sigma, t->mi, t->si};
    return v[k];
}

static const ipsim_calib_est *est_of(const ipsim_calib_zone *z, int k)
{
    const ipsim_calib_est *e[NK] = {&z->rate,  &z->fdi_share,      &z->fdi_median,     &z->domestic_median,
                                    &z->sigma, &z->capital_per_ha, &z->intensity_sigma};
    return e[k];
}

/* The scenario: 2 ipsim zones per fitted zone (FDI, domestic). */
static void simulate(tu_sim *s, int monthly_si)
{
    static char yaml[8192];
    int n =
        snprintf(yaml, sizeof yaml, "ipsim: 1\nstart: \"1990-01\"\nhorizon_months: %d\nzones:\n", 12 * YEARS);
    for (int k = 0; k < NZ; k++)
        for (int c = 0; c < 2; c++) {
            const truth *t = &T[k];
            double med = c ? t->md : t->mf, si = monthly_si ? 0.3 + 0.2 * k : t->si;
            n += snprintf(yaml + n, sizeof yaml - (size_t)n,
                          "  - {name: %s %d, area_ha: 1e9, clean_ha: 1e9, projects_per_year: %.17g,\n"
                          "     fdi_share: %d, fdi_capital_median_musd: %.17g,\n"
                          "     domestic_capital_median_musd: %.17g, capital_sigma: %.17g,\n"
                          "     capital_per_ha_musd: %.17g, intensity_sigma: %.17g}\n",
                          t->name, c, c ? (1 - t->p) * t->lambda : t->p * t->lambda, c ? 0 : 1, med, med,
                          t->sigma, t->mi, si);
        }
    tu_sim_init(s, yaml, REPS);
    tu_sim_run(s, 20171004);
}

static char csv[1 << 18];

static double yz(const tu_sim *s, int m, size_t p, int y, int zone)
{
    if (y < 0)
        return 0; /* leased land before the start */
    return ipsim_block_yearly_zone(&s->blk, m, p)[(size_t)y * s->blk.n_zones + (size_t)zone];
}

/* Path p as a yearly history: counts, capital, land leased in the year. */
static const char *yearly_history(const tu_sim *s, size_t p, int with_counts)
{
    int n = snprintf(csv, sizeof csv, "zone,year,projects,%sfdi_musd,domestic_musd,leased_ha\n",
                     with_counts ? "fdi_projects," : "");
    for (int k = 0; k < NZ; k++)
        for (int y = 0; y < YEARS; y++) {
            int f = 2 * k, d = 2 * k + 1;
            double nf = yz(s, IPSIM_M_REGISTERED, p, y, f), nd = yz(s, IPSIM_M_REGISTERED, p, y, d);
            double land = 0;
            for (int z = f; z <= d; z++)
                land += yz(s, IPSIM_M_LEASED, p, y, z) - yz(s, IPSIM_M_LEASED, p, y - 1, z);
            char counts[32] = "";
            if (with_counts)
                snprintf(counts, sizeof counts, "%.0f,", nf);
            n += snprintf(csv + n, sizeof csv - (size_t)n, "%s,%d,%.0f,%s%.17g,%.17g,%.17g\n", T[k].name,
                          1990 + y, nf + nd, counts, yz(s, IPSIM_M_FDI, p, y, f),
                          yz(s, IPSIM_M_DOMESTIC, p, y, d), land);
        }
    return csv;
}

static double mz(const tu_sim *s, int m, size_t p, int t, int zone)
{
    if (t < 0)
        return 0;
    return ipsim_block_monthly_zone(&s->blk, m, p)[(size_t)t * s->blk.n_zones + (size_t)zone];
}

/* Path p as project rows: the months in which exactly one project
 * registered in the fitted zone (then its capital and land are known). */
static const char *project_history(const tu_sim *s, size_t p)
{
    int n = snprintf(csv, sizeof csv, "zone,year,fdi,capital_musd,land_ha\n");
    for (int k = 0; k < NZ; k++)
        for (int t = 0; t < 12 * YEARS; t++) {
            int f = 2 * k, d = 2 * k + 1;
            double nf = mz(s, IPSIM_M_REGISTERED, p, t, f), nd = mz(s, IPSIM_M_REGISTERED, p, t, d);
            if (nf + nd != 1)
                continue;
            int z = nf ? f : d;
            double cap = nf ? mz(s, IPSIM_M_FDI, p, t, f) : mz(s, IPSIM_M_DOMESTIC, p, t, d);
            double land = mz(s, IPSIM_M_LEASED, p, t, z) - mz(s, IPSIM_M_LEASED, p, t - 1, z);
            n += snprintf(csv + n, sizeof csv - (size_t)n, "%s,%d,%d,%.17g,%.17g\n", T[k].name, 1990 + t / 12,
                          nf ? 1 : 0, cap, land);
        }
    return csv;
}

static void fit(const char *text, int boot, ipsim_calib *c)
{
    ipsim_csv_table t;
    ipsim_error err = {0};
    ipsim_calib_opts o;
    ipsim_calibrate_opts_init(&o);
    o.bootstrap = boot;
    if (ipsim_csv_read_text(&t, text, strlen(text), "sim.csv", &err) != IPSIM_OK)
        fail_msg("%s", err.msg);
    if (ipsim_calibrate_fit(c, &t, &o, &err) != IPSIM_OK)
        fail_msg("%s", err.msg);
    ipsim_csv_table_free(&t);
    assert_int_equal(c->n_zones, NZ);
}

static double z[NK][NZ][REPS];

/* Fits every path; z-scores into z[][][].  used[k]: parameter k is fitted
 * in this form. */
static void collect(const tu_sim *s, int form, const int used[NK])
{
    for (size_t p = 0; p < REPS; p++) {
        ipsim_calib c;
        fit(form == 0   ? yearly_history(s, p, 1)
            : form == 1 ? yearly_history(s, p, 0)
                        : project_history(s, p),
            form == 2 ? 0 : BOOT, &c);
        for (int k = 0; k < NZ; k++) {
            assert_string_equal(c.zones[k].name, T[k].name);
            for (int q = 0; q < NK; q++) {
                if (!used[q])
                    continue;
                const ipsim_calib_est *e = est_of(&c.zones[k], q);
                double want = form == 2 && q == K_SI ? 0.3 + 0.2 * k : truth_of(&T[k], q);
                if (!e->ok || !(e->se > 0))
                    fail_msg("history %zu, %s: %s not fitted", p, T[k].name, knames[q]);
                /* medians: SE = median x SE(log median) (delta method), so
                 * z is taken on the log scale, where the estimate is normal */
                int lg = q == K_MF || q == K_MD || q == K_MI;
                z[q][k][p] =
                    lg ? (log(e->value) - log(want)) / (e->se / e->value) : (e->value - want) / e->se;
            }
        }
        ipsim_calibrate_free(&c);
    }
}

/* Over the REPS histories, the z-scores of each parameter have sd in
 * [lo, hi] and |mean| <= mean_tol (the SEs are honest); at most pct % of
 * the estimates of a parameter are more than 3 SE off, none more than
 * max_z SE. */
static void check_z(const int used[NK], double lo, double hi, double mean_tol, int pct, double max_z)
{
    for (int q = 0; q < NK; q++) {
        int over = 0;
        for (int k = 0; used[q] && k < NZ; k++)
            for (int p = 0; p < REPS; p++) {
                over += fabs(z[q][k][p]) > 3;
                if (fabs(z[q][k][p]) > max_z)
                    fail_msg("history %d, %s: %s is %.1f SE off (expected at most %g)", p, T[k].name,
                             knames[q], z[q][k][p], max_z);
            }
        if (over > NZ * REPS * pct / 100)
            fail_msg("%s: %d of %d estimates more than 3 SE off (expected at most %d %%)", knames[q], over,
                     NZ * REPS, pct);
        for (int k = 0; used[q] && k < NZ; k++) {
            double mean, var;
            tu_moments(z[q][k], REPS, &mean, &var);
            print_message("%-18s %-6s z mean %+.3f sd %.3f\n", knames[q], T[k].name, mean, sqrt(var));
            if (!(sqrt(var) >= lo && sqrt(var) <= hi && fabs(mean) <= mean_tol))
                fail_msg("%s, %s: z-scores have mean %.3f and sd %.3f (expected |mean| <= %.2f, sd in "
                         "[%.2f, %.2f])",
                         knames[q], T[k].name, mean, sqrt(var), mean_tol, lo, hi);
        }
    }
}

static void test_yearly_with_counts(void **state)
{
    tu_sim s;
    simulate(&s, 0);
    const int used[NK] = {1, 1, 1, 1, 1, 1, 0};
    collect(&s, 0, used);
    /* sd of z from 200 histories has an SE of about 0.05 */
    check_z(used, 0.8, 1.25, 0.35, 2, 6);
    tu_sim_free(&s);
}

static void test_yearly_without_counts(void **state)
{
    tu_sim s;
    simulate(&s, 0);
    const int used[NK] = {1, 1, 1, 1, 1, 1, 0};
    collect(&s, 1, used);
    check_z(used, 0.75, 1.45, 0.45, 5, 10);
    tu_sim_free(&s);
}

static void test_project_rows(void **state)
{
    tu_sim s;
    simulate(&s, 1);
    /* the rate is not tested here: rows are only the single-project months */
    const int used[NK] = {0, 1, 1, 1, 1, 1, 1};
    collect(&s, 2, used);
    check_z(used, 0.8, 1.25, 0.35, 2, 6);
    tu_sim_free(&s);
}

/* ---- exposures, forms, and the fragment --------------------------------- */

static void fit_text(const char *text, ipsim_calib *c)
{
    ipsim_csv_table t;
    ipsim_error err = {0};
    ipsim_calib_opts o;
    ipsim_calibrate_opts_init(&o);
    if (ipsim_csv_read_text(&t, text, strlen(text), "h.csv", &err) != IPSIM_OK)
        fail_msg("%s", err.msg);
    if (ipsim_calibrate_fit(c, &t, &o, &err) != IPSIM_OK)
        fail_msg("%s", err.msg);
    ipsim_csv_table_free(&t);
}

static void test_exposure_and_order(void **state)
{
    ipsim_calib c;
    /* 6 months of 2019 and all of 2020: 18 projects in 1.5 years; zones in
     * order of first appearance; quoted names with commas; BOM and CRLF. */
    fit_text("\xEF\xBB\xBFzone,year,projects,fdi_musd,domestic_musd,months\r\n"
             "\"Z, 2\",2020,4,10,2.5,\r\n"
             "Z1,2020,12,30.5,12,\r\n"
             "# a comment line\r\n"
             "\r\n"
             "Z1,2019,6,11,7,6\r\n",
             &c);
    assert_int_equal(c.form, IPSIM_CALIB_YEARLY);
    assert_int_equal(c.n_zones, 2);
    assert_string_equal(c.zones[0].name, "Z, 2");
    assert_string_equal(c.zones[1].name, "Z1");
    assert_close(c.zones[1].rate.value, 12.0, 1e-12);
    assert_close(c.zones[1].rate.se, sqrt(12.0 / 1.5), 1e-12);
    assert_int_equal(c.zones[1].first_year, 2019);
    assert_false(c.zones[1].fdi_share.value < 0);
    ipsim_calibrate_free(&c);

    /* project rows: 2018 and 2020 seen, so three years of exposure; MLE */
    fit_text("zone,year,fdi,capital_musd,land_ha\n"
             "P,2018,1,8,2\nP,2018,0,2,1\nP,2020,1,18,3\nP,2020,0,4.5,\n",
             &c);
    assert_int_equal(c.form, IPSIM_CALIB_PROJECTS);
    assert_close(c.zones[0].rate.value, 4.0 / 3.0, 1e-12);
    assert_close(c.zones[0].fdi_share.value, 0.5, 1e-12);
    assert_close(c.zones[0].fdi_median.value, sqrt(8.0 * 18.0), 1e-12);
    assert_close(c.zones[0].domestic_median.value, sqrt(2.0 * 4.5), 1e-12);
    assert_int_equal(c.zones[0].n_land, 3);
    assert_close(c.zones[0].capital_per_ha.value, cbrt(4.0 * 2.0 * 6.0), 1e-12);
    ipsim_calibrate_free(&c);
}

static void test_fragment_loads(void **state)
{
    tu_sim s;
    ipsim_calib c;
    simulate(&s, 0);
    fit(yearly_history(&s, 0, 1), 50, &c);
    char *frag = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&frag, &len);
    assert_non_null(f);
    assert_int_equal(ipsim_calibrate_write(f, &c, "sim.csv"), IPSIM_OK);
    fclose(f);
    /* zone entries start at column 0: indent them under zones: */
    static char yaml[1 << 16];
    int n = snprintf(yaml, sizeof yaml,
                     "ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 12\n"
                     "defaults: {area_ha: 100}\nzones:\n");
    for (const char *p = frag; *p; p++) {
        if (p == frag || p[-1] == '\n')
            yaml[n++] = ' ', yaml[n++] = ' ';
        yaml[n++] = *p;
    }
    yaml[n] = '\0';
    ipsim_scenario scn;
    tu_parse(&scn, yaml);
    assert_int_equal(scn.n_zones, NZ);
    for (int k = 0; k < NZ; k++) {
        assert_string_equal(scn.zones[k].name, T[k].name);
        /* the fragment rounds to two digits of the SE */
        assert_true(fabs(scn.zones[k].projects_per_year - c.zones[k].rate.value) <= c.zones[k].rate.se / 10);
        assert_true(fabs(scn.zones[k].capital_sigma - c.zones[k].sigma.value) <= c.zones[k].sigma.se / 10);
    }
    ipsim_scenario_free(&scn);
    free(frag);
    ipsim_calibrate_free(&c);
    tu_sim_free(&s);
}

/* ---- bad histories ------------------------------------------------------ */

typedef struct {
    const char *text;
    const char *want; /* the message starts with "h.csv:" want */
} bad_case;

#define YH "zone,year,projects,fdi_projects,fdi_musd,domestic_musd\n"
static const bad_case bad_cases[] = {
    {"", "1:1: no header line"},
    {"zone,year\nA,2020\n", "1:1: header: unknown format"},
    {"zone,year,projects,capital_musd\n", "1:1: header: both 'projects' and 'capital_musd'"},
    {"zone,year,projects,fdi_musd\nA,2020,1,2\n", "1:1: domestic_musd: missing column"},
    {"zone,year,projects,fdi_musd,domestic_musd,colour\nA,2020,1,2,3,red\n", "1:43: colour: unknown column"},
    {YH, "1:1: no data rows"},
    {YH "A,2020,3,1,abc,4\n", "2:12: fdi_musd: 'abc' is not a number"},
    {YH "A,2020,-3,1,5,4\n", "2:8: projects: '-3' is out of range"},
    {YH "A,2020,2.5,1,5,4\n", "2:8: projects: '2.5' is not a whole number"},
    {YH "A,2020,2,3,5,4\n", "2:10: fdi_projects: '3' is more than projects"},
    {YH "A,2020,2,1,0,4\n", "2:12: fdi_musd: '0' is 0 for a year with FDI projects"},
    {YH "A,2020,2,2,5,4\n", "2:14: domestic_musd: '4' is not 0 for a year without domestic projects"},
    {YH "A,2020,2,1,5,\n", "2:14: domestic_musd: '' is empty"},
    {YH "A,2020,2,1,5,4\nA,2020,1,0,0,1\n", "3:3: year: '2020' repeats zone 'A', year 2020 of line 2"},
    {YH "A,20x0,2,1,5,4\n", "2:3: year: '20x0' is not a number"},
    {YH ",2020,2,1,5,4\n", "2:1: zone: '' is empty"},
    {YH "A,2020,2,1,5\n", "2:12: the row has 5 fields (expected 6, as in the header)"},
    {YH "A,2020,2,1,5,4,9\n", "2:16: the row has 7 fields (expected 6, as in the header)"},
    {YH "\"A,2020,2,1,5,4\n", "2:1: unclosed quote"},
    {YH "\"A\"x,2020,2,1,5,4\n", "2:4: text after a quoted field"},
    {"zone,year,zone\n", "1:11: column 'zone' appears twice"},
    {"zone,,year\n", "1:6: empty column name"},
    {"zone,year,projects,fdi_musd,domestic_musd,months\nA,2020,1,1,0,13\n",
     "2:14: months: '13' is out of range"},
    {"zone,year,fdi,capital_musd\nA,2020,2,5\n", "2:8: fdi: '2' is out of range"},
    {"zone,year,fdi,capital_musd\nA,2020,1,0\n", "2:10: capital_musd: '0' is out of range"},
    {"zone,year,fdi,capital_musd,months\nA,2020,1,1,6\nA,2020,0,1,7\n", "3:12: months: '7' differs"},
    {"zone,year,projects,fdi_musd,domestic_musd\nA,2020,0,5,0\n",
     "2:10: fdi_musd: '5' is not 0 for a year without projects"},
    {"zone,year,projects,fdi_musd,domestic_musd\nA\xff,2020,1,5,0\n", "2:2: not UTF-8 text"},
};

static void test_bad_histories(void **state)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *b = &bad_cases[i];
        ipsim_csv_table t;
        ipsim_calib c;
        ipsim_error err = {0};
        ipsim_calib_opts o;
        ipsim_calibrate_opts_init(&o);
        int rc = ipsim_csv_read_text(&t, b->text, strlen(b->text), "h.csv", &err);
        if (rc == IPSIM_OK) {
            rc = ipsim_calibrate_fit(&c, &t, &o, &err);
            ipsim_csv_table_free(&t);
            if (rc == IPSIM_OK)
                ipsim_calibrate_free(&c);
        }
        char want[256];
        snprintf(want, sizeof want, "h.csv:%s", b->want);
        if (rc != IPSIM_EINPUT || strncmp(err.msg, want, strlen(want)) != 0)
            fail_msg("case %zu: got %d \"%s\", expected \"%s...\"", i, rc, err.msg, want);
        assert_non_null(strstr(err.msg, "(expected"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_histories),         cmocka_unit_test(test_exposure_and_order),
        cmocka_unit_test(test_fragment_loads),        cmocka_unit_test(test_yearly_with_counts),
        cmocka_unit_test(test_yearly_without_counts), cmocka_unit_test(test_project_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
