/* calibrate.c -- fitting zone parameters to a history; see calibrate.h and
 * docs/scenarios.md ("ipsim calibrate") for the formats and estimators.
 *
 * Reading: every cell is checked where it stands, so a bad history gets a
 * FILE:LINE:COL message before any fitting.  Rows are then sorted by
 * (zone, year) so that each zone is one contiguous slice.
 *
 * Why moments and a bootstrap for yearly totals: a year's capital is a sum
 * of lognormals, which has no closed-form likelihood.  The quasi-likelihood
 * mean (ratio of sums) is exact and efficient; sigma comes from the Pearson
 * dispersion.  A Gaussian pseudo-likelihood minimised over (mu, sigma) was
 * measured worse on simulated histories (more bias in sigma and the
 * medians, more spread in the medians; docs/scenarios.md).
 * Delta-method SEs of sigma are far too large when sigma is near 1 (the
 * dispersion's variance is driven by rare huge years), so SEs come from a
 * parametric bootstrap of the model itself (compound Poisson-lognormal with
 * the observed counts), which also removes most of the small-sample bias. */
#include "calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "scenario.h"

enum { C_ZONE, C_YEAR, C_PROJECTS, C_FDI_MUSD, C_DOM_MUSD, C_FDI_PROJECTS, C_LEASED, C_MONTHS, N_YCOLS };
enum { P_ZONE, P_YEAR, P_FDI, P_CAPITAL, P_LAND, P_MONTHS, N_PCOLS };
static const char *const ycols[N_YCOLS] = {"zone",          "year",         "projects",  "fdi_musd",
                                           "domestic_musd", "fdi_projects", "leased_ha", "months"};
static const char *const pcols[N_PCOLS] = {"zone", "year", "fdi", "capital_musd", "land_ha", "months"};
enum { N_YREQUIRED = 5, N_PREQUIRED = 4 };

/* One row, parsed.  Yearly form: n, nf (-1 unknown), sf, sd, land (NaN
 * missing).  Project form: n = 1, nf = fdi flag, sf or sd = capital. */
typedef struct {
    const char *zone;
    int year;
    size_t row;
    double n, nf, sf, sd, land, months;
} hrow;

/* A zone's rows, sorted by year; first_row: its first row in the file. */
typedef struct {
    const hrow *r;
    size_t n, first_row;
} zslice;

/* ---- reading ------------------------------------------------------------ */

typedef struct {
    const ipsim_csv_table *t;
    const char *const *names;
    int col[N_YCOLS]; /* table column of each known column, or -1 */
    ipsim_error *err;
} reader;

static int bad_cell(const reader *rd, size_t row, int k, const char *what, const char *expect)
{
    const ipsim_csv_field *f = ipsim_csv_table_cell(rd->t, row, (size_t)rd->col[k]);
    return ipsim_error_set(rd->err, IPSIM_EINPUT, "%s:%d:%d: %s: '%.60s' %s (expected %s)", rd->t->name,
                           f->line, f->col, rd->names[k], f->s, what, expect);
}

/* Cell of known column k as a number in [lo, hi] (whole if asked).  An
 * empty cell gives NaN when allowed. */
static int cell_num(const reader *rd, size_t row, int k, int whole, double lo, double hi, int empty_ok,
                    const char *expect, double *out)
{
    *out = NAN;
    if (rd->col[k] < 0)
        return IPSIM_OK;
    const char *s = ipsim_csv_table_cell(rd->t, row, (size_t)rd->col[k])->s;
    if (s[0] == '\0')
        return empty_ok ? IPSIM_OK : bad_cell(rd, row, k, "is empty", expect);
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || end == s || !isfinite(v))
        return bad_cell(rd, row, k, "is not a number", expect);
    if ((whole && v != floor(v)) || v < lo || v > hi)
        return bad_cell(rd, row, k, whole && v != floor(v) ? "is not a whole number" : "is out of range",
                        expect);
    *out = v;
    return IPSIM_OK;
}

/* Finds the form from the header and maps the columns. */
static int map_columns(reader *rd, enum ipsim_calib_form *form)
{
    const ipsim_csv_table *t = rd->t;
    int has_projects = ipsim_csv_table_column(t, "projects") >= 0;
    int has_capital = ipsim_csv_table_column(t, "capital_musd") >= 0;
    if (has_projects == has_capital)
        return ipsim_error_set(rd->err, IPSIM_EINPUT,
                               "%s:%d:1: header: %s (expected the yearly columns zone, year, projects, "
                               "fdi_musd, domestic_musd or the project columns zone, year, fdi, "
                               "capital_musd; see 'ipsim calibrate --help')",
                               t->name, t->header[0].line,
                               has_projects ? "both 'projects' and 'capital_musd': unknown format"
                                            : "unknown format");
    *form = has_projects ? IPSIM_CALIB_YEARLY : IPSIM_CALIB_PROJECTS;
    int n = has_projects ? N_YCOLS : N_PCOLS, n_req = has_projects ? N_YREQUIRED : N_PREQUIRED;
    rd->names = has_projects ? ycols : pcols;
    for (int k = 0; k < N_YCOLS; k++)
        rd->col[k] = k < n ? ipsim_csv_table_column(t, rd->names[k]) : -1;
    for (size_t c = 0; c < t->n_cols; c++) {
        int known = 0;
        for (int k = 0; k < n; k++)
            known |= rd->col[k] == (int)c;
        if (!known) {
            char list[160] = "";
            for (int k = 0; k < n; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                         rd->names[k]);
            return ipsim_error_set(rd->err, IPSIM_EINPUT,
                                   "%s:%d:%d: %.60s: unknown column (expected one of %s)", t->name,
                                   t->header[c].line, t->header[c].col, t->header[c].s, list);
        }
    }
    for (int k = 0; k < n_req; k++)
        if (rd->col[k] < 0)
            return ipsim_error_set(rd->err, IPSIM_EINPUT,
                                   "%s:%d:1: %s: missing column (expected it in the header of a %s history)",
                                   t->name, t->header[0].line, rd->names[k],
                                   has_projects ? "yearly" : "project");
    if (t->n_rows == 0)
        return ipsim_error_set(rd->err, IPSIM_EINPUT, "%s:%d:1: no data rows (expected one row per %s)",
                               t->name, t->header[0].line, has_projects ? "zone and year" : "project");
    return IPSIM_OK;
}

static int check_zone_name(const reader *rd, size_t row)
{
    const char *s = ipsim_csv_table_cell(rd->t, row, (size_t)rd->col[C_ZONE])->s;
    if (s[0] == '\0')
        return bad_cell(rd, row, C_ZONE, "is empty", "a zone name");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return bad_cell(rd, row, C_ZONE, "holds a control character", "printable text");
    return IPSIM_OK;
}

/* The consistency of one yearly row's counts and capital. */
static int check_yearly(const reader *rd, size_t row, const hrow *h)
{
    int known = h->nf >= 0;
    double nd = known ? h->n - h->nf : h->n;
    if (known && h->nf > h->n)
        return bad_cell(rd, row, C_FDI_PROJECTS, "is more than projects", "at most the year's projects");
    if (known && (h->nf > 0) != (h->sf > 0))
        return bad_cell(rd, row, C_FDI_MUSD,
                        h->nf > 0 ? "is 0 for a year with FDI projects"
                                  : "is not 0 for a year without FDI projects",
                        h->nf > 0 ? "> 0" : "0");
    if (known && (nd > 0) != (h->sd > 0))
        return bad_cell(rd, row, C_DOM_MUSD,
                        nd > 0 ? "is 0 for a year with domestic projects"
                               : "is not 0 for a year without domestic projects",
                        nd > 0 ? "> 0" : "0");
    if (!known && h->n == 0 && h->sf + h->sd > 0)
        return bad_cell(rd, row, h->sf > 0 ? C_FDI_MUSD : C_DOM_MUSD, "is not 0 for a year without projects",
                        "0");
    if (!known && h->n > 0 && h->sf + h->sd == 0)
        return bad_cell(rd, row, C_FDI_MUSD, "and domestic_musd are 0 for a year with projects",
                        "capital > 0");
    return IPSIM_OK;
}

static int read_row(const reader *rd, enum ipsim_calib_form form, size_t row, hrow *h)
{
    double year;
    int rc = check_zone_name(rd, row);
    if (!rc)
        rc = cell_num(rd, row, C_YEAR, 1, 1900, 2200, 0, "a year from 1900 to 2200", &year);
    if (!rc)
        rc = cell_num(rd, row, form == IPSIM_CALIB_PROJECTS ? P_MONTHS : C_MONTHS, 1, 1, 12, 1,
                      "a whole number of months from 1 to 12, or empty for 12", &h->months);
    if (rc)
        return rc;
    h->zone = ipsim_csv_table_cell(rd->t, row, (size_t)rd->col[C_ZONE])->s;
    h->year = (int)year;
    h->row = row;
    if (isnan(h->months))
        h->months = 12;
    if (form == IPSIM_CALIB_PROJECTS) {
        double fdi, k;
        h->n = 1;
        if ((rc = cell_num(rd, row, P_FDI, 1, 0, 1, 0, "0 (domestic) or 1 (FDI)", &fdi)) ||
            (rc = cell_num(rd, row, P_CAPITAL, 0, 1e-300, 1e12, 0, "registered capital in musd > 0", &k)) ||
            (rc = cell_num(rd, row, P_LAND, 0, 1e-300, 1e9, 1, "land in ha > 0, or empty", &h->land)))
            return rc;
        h->nf = fdi;
        h->sf = fdi ? k : 0;
        h->sd = fdi ? 0 : k;
        return IPSIM_OK;
    }
    if ((rc = cell_num(rd, row, C_PROJECTS, 1, 0, 1e7, 0, "a whole number of projects >= 0", &h->n)) ||
        (rc = cell_num(rd, row, C_FDI_PROJECTS, 1, 0, 1e7, 0, "a whole number of FDI projects >= 0",
                       &h->nf)) ||
        (rc = cell_num(rd, row, C_FDI_MUSD, 0, 0, 1e12, 0, "FDI capital in musd >= 0", &h->sf)) ||
        (rc = cell_num(rd, row, C_DOM_MUSD, 0, 0, 1e12, 0, "domestic capital in musd >= 0", &h->sd)) ||
        (rc = cell_num(rd, row, C_LEASED, 0, 0, 1e9, 1, "land leased in the year, ha >= 0, or empty",
                       &h->land)))
        return rc;
    if (isnan(h->nf))
        h->nf = -1;
    return check_yearly(rd, row, h);
}

static int cmp_rows(const void *a, const void *b)
{
    const hrow *x = a, *y = b;
    int c = strcmp(x->zone, y->zone);
    if (c)
        return c;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_slices(const void *a, const void *b)
{
    const zslice *x = a, *y = b;
    return x->first_row < y->first_row ? -1 : x->first_row > y->first_row;
}

/* Rows sorted by (zone, year), cut into zones in order of first
 * appearance; a yearly history may give a zone's year only once, and a
 * project history must give a zone-year's months the same on every row. */
static int group(const reader *rd, enum ipsim_calib_form form, hrow *h, size_t n, zslice **out, size_t *n_out)
{
    qsort(h, n, sizeof *h, cmp_rows);
    size_t nz = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(h[i].zone, h[i - 1].zone) != 0) {
            nz++;
            continue;
        }
        if (h[i].year != h[i - 1].year)
            continue;
        if (form == IPSIM_CALIB_YEARLY) {
            char msg[200];
            snprintf(msg, sizeof msg, "repeats zone '%.60s', year %d of line %d", h[i].zone, h[i].year,
                     ipsim_csv_table_cell(rd->t, h[i - 1].row, (size_t)rd->col[C_YEAR])->line);
            return bad_cell(rd, h[i].row, C_YEAR, msg, "one row per zone and year");
        }
        if (h[i].months != h[i - 1].months)
            return bad_cell(rd, h[i].row, P_MONTHS, "differs from another row of the same zone and year",
                            "the same months on every row of a zone's year");
    }
    if (nz > IPSIM_MAX_ZONES)
        return ipsim_error_set(rd->err, IPSIM_EINPUT,
                               "%s:%d:1: zone: %zu zones (expected at most %d, as in a scenario)",
                               rd->t->name, rd->t->header[0].line, nz, IPSIM_MAX_ZONES);
    zslice *z = calloc(nz, sizeof *z);
    if (!z)
        return ipsim_error_set(rd->err, IPSIM_ENOMEM, "%s: out of memory", rd->t->name);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(h[i].zone, h[i - 1].zone) != 0)
            z[k++] = (zslice){h + i, 0, h[i].row};
        z[k - 1].n++;
        if (h[i].row < z[k - 1].first_row)
            z[k - 1].first_row = h[i].row;
    }
    qsort(z, nz, sizeof *z, cmp_slices);
    *out = z;
    *n_out = nz;
    return IPSIM_OK;
}

/* ---- fitting ------------------------------------------------------------ */

static ipsim_calib_est est(double v, double se)
{
    return (ipsim_calib_est){v, se, 1};
}

/* Poisson rate with exposure, and the Pearson dispersion of the counts. */
static void fit_rate(const double *c, const double *e, size_t n, ipsim_calib_zone *z)
{
    double sc = 0, se = 0;
    for (size_t i = 0; i < n; i++)
        sc += c[i], se += e[i];
    double lam = sc / se;
    z->rate = est(lam, sqrt(lam / se));
    z->projects = sc;
    z->exposure_years = se;
    z->dispersion = NAN;
    if (n >= 2 && lam > 0) {
        double x2 = 0;
        for (size_t i = 0; i < n; i++)
            x2 += (c[i] - lam * e[i]) * (c[i] - lam * e[i]) / (lam * e[i]);
        z->dispersion = x2 / (double)(n - 1);
    }
}

/* Yearly totals of one zone: N, FDI count (NULL: unknown), capital by
 * class (0 FDI, 1 domestic), land leased (NaN: not given). */
typedef struct {
    size_t n;
    double *N, *nf, *s[2], *land;
} ydata;

/* Parameters fitted from yearly totals, in the order bootstrapped. */
enum { T_P, T_MU_F, T_MU_D, T_SIGMA, T_LOG_MI, N_THETA };
typedef struct {
    double v[N_THETA];
    int ok[N_THETA];
} ytheta;

static double class_count(const ydata *d, size_t i, int c)
{
    return c == 0 ? d->nf[i] : d->N[i] - d->nf[i];
}

/* Pearson sum((S - k a)^2 / (k a^2)) of class c over years with k > 0,
 * k the class's count (by_class) or all projects; m counts the years. */
static double pearson(const ydata *d, int c, int by_class, double a, int *m)
{
    double x2 = 0;
    for (size_t i = 0; i < d->n; i++) {
        double k = by_class ? class_count(d, i, c) : d->N[i];
        if (k > 0) {
            x2 += (d->s[c][i] - k * a) * (d->s[c][i] - k * a) / (k * a * a);
            (*m)++;
        }
    }
    return x2;
}

/* Method of moments (quasi-likelihood means, Pearson dispersion). */
static void ymom(const ydata *d, double sigma_i, ytheta *th)
{
    memset(th, 0, sizeof *th);
    double tn = 0, t[2] = {0, 0}, ss[2] = {0, 0}, a[2] = {0, 0}, v = NAN;
    for (size_t i = 0; i < d->n; i++) {
        tn += d->N[i];
        ss[0] += d->s[0][i];
        ss[1] += d->s[1][i];
        if (d->nf)
            t[0] += d->nf[i], t[1] += d->N[i] - d->nf[i];
    }
    if (tn == 0)
        return;
    if (d->nf) {
        th->v[T_P] = t[0] / tn;
        th->ok[T_P] = 1;
        double x2 = 0;
        int m = 0, k = 0;
        for (int c = 0; c < 2; c++)
            if (t[c] > 0) {
                a[c] = ss[c] / t[c];
                x2 += pearson(d, c, 1, a[c], &m);
                k++;
            }
        if (m > k)
            v = x2 / (m - k);
    } else {
        /* E[S_c | N] = N b_c with b_f = p a_f; Pearson D_c = w / p_c - 1
         * (w = e^sigma^2, p_f = p, p_d = 1 - p): two equations for p, w. */
        double b[2] = {ss[0] / tn, ss[1] / tn}, dd[2] = {NAN, NAN};
        int m = 0;
        for (int c = 0; c < 2; c++)
            if (b[c] > 0) {
                m = 0;
                dd[c] = pearson(d, c, 0, b[c], &m);
                dd[c] = m >= 2 ? dd[c] / (m - 1) : NAN;
            }
        if (m < 2)
            return;
        if (b[0] == 0)
            th->v[T_P] = 0, v = dd[1];
        else if (b[1] == 0)
            th->v[T_P] = 1, v = dd[0];
        else {
            double A = 1 + dd[0], B = 1 + dd[1];
            th->v[T_P] = B / (A + B);
            v = A * B / (A + B) - 1;
        }
        th->ok[T_P] = 1;
        a[0] = th->v[T_P] > 0 ? b[0] / th->v[T_P] : 0;
        a[1] = th->v[T_P] < 1 ? b[1] / (1 - th->v[T_P]) : 0;
    }
    if (isnan(v))
        return;
    double s2 = log1p(fmax(v, 0));
    th->v[T_SIGMA] = sqrt(s2);
    th->ok[T_SIGMA] = 1;
    for (int c = 0; c < 2; c++)
        if (a[c] > 0) {
            th->v[T_MU_F + c] = log(a[c]) - s2 / 2;
            th->ok[T_MU_F + c] = 1;
        }
    double k = 0, l = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!isnan(d->land[i]))
            k += d->s[0][i] + d->s[1][i], l += d->land[i];
    if (k > 0 && l > 0) {
        th->v[T_LOG_MI] = log(k / l) + sigma_i * sigma_i / 2;
        th->ok[T_LOG_MI] = 1;
    }
}

/* One history drawn from the fitted model, with the observed counts (and
 * FDI counts when known) and land given in the same years. */
static void ysimulate(const ydata *d, const ytheta *th, double sigma_i, gsl_rng *r, ydata *out)
{
    for (size_t i = 0; i < d->n; i++) {
        unsigned n = (unsigned)d->N[i];
        unsigned f = d->nf ? (unsigned)d->nf[i] : gsl_ran_binomial(r, th->v[T_P], n);
        double s[2] = {0, 0}, land = 0;
        for (unsigned j = 0; j < n; j++) {
            int c = j < f ? 0 : 1;
            double k = gsl_ran_lognormal(r, th->v[T_MU_F + c], th->v[T_SIGMA]);
            s[c] += k;
            if (th->ok[T_LOG_MI])
                land += k / gsl_ran_lognormal(r, th->v[T_LOG_MI], sigma_i);
        }
        if (out->nf)
            out->nf[i] = f;
        out->s[0][i] = s[0];
        out->s[1][i] = s[1];
        out->land[i] = isnan(d->land[i]) ? NAN : th->ok[T_LOG_MI] ? land : d->land[i];
    }
}

/* Parametric bootstrap: se[k] = sd of the refitted parameter, and th
 * bias-corrected to 2 th - mean(refits).  work: 4 arrays of d->n, plus
 * N_THETA arrays of o->bootstrap. */
static void ybootstrap(const ydata *d, ytheta *th, const ipsim_calib_opts *o, unsigned long seed,
                       double *work, double *draws, double se[N_THETA])
{
    ydata sim = {d->n, d->N, d->nf ? work : NULL, {work + d->n, work + 2 * d->n}, work + 3 * d->n};
    size_t nb = (size_t)o->bootstrap, cnt[N_THETA] = {0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return;
    gsl_rng_set(r, seed);
    for (size_t b = 0; b < nb; b++) {
        ytheta t;
        ysimulate(d, th, o->intensity_sigma, r, &sim);
        ymom(&sim, o->intensity_sigma, &t);
        for (int k = 0; k < N_THETA; k++)
            if (t.ok[k])
                draws[k * nb + cnt[k]++] = t.v[k];
    }
    gsl_rng_free(r);
    for (int k = 0; k < N_THETA; k++) {
        se[k] = NAN;
        if (!th->ok[k] || cnt[k] < 2)
            continue;
        double mean = gsl_stats_mean(draws + k * nb, 1, cnt[k]);
        se[k] = gsl_stats_sd_m(draws + k * nb, 1, cnt[k], mean);
        th->v[k] = 2 * th->v[k] - mean;
    }
}

static void fit_yearly(const zslice *z, const ipsim_calib_opts *o, int counts_known, unsigned long seed,
                       double *scratch, double *draws, ipsim_calib_zone *out)
{
    size_t n = z->n;
    double *e = scratch, *N = scratch + n, *nf = scratch + 2 * n, *s0 = scratch + 3 * n,
           *s1 = scratch + 4 * n, *land = scratch + 5 * n, *work = scratch + 6 * n;
    for (size_t i = 0; i < n; i++) {
        const hrow *h = &z->r[i];
        e[i] = h->months / 12, N[i] = h->n, nf[i] = h->nf, s0[i] = h->sf, s1[i] = h->sd, land[i] = h->land;
        if (!isnan(h->land))
            out->n_land++;
    }
    fit_rate(N, e, n, out);
    out->fdi_projects = -1;
    ydata d = {n, N, counts_known ? nf : NULL, {s0, s1}, land};
    ytheta th;
    ymom(&d, o->intensity_sigma, &th);
    double se[N_THETA];
    for (int k = 0; k < N_THETA; k++)
        se[k] = NAN;
    if (th.ok[T_SIGMA] && o->bootstrap >= 2)
        ybootstrap(&d, &th, o, seed, work, draws, se);
    if (counts_known) {
        double p = th.v[T_P];
        out->fdi_projects = p * out->projects;
        if (th.ok[T_P])
            out->fdi_share = est(p, sqrt(p * (1 - p) / out->projects));
    } else if (th.ok[T_P]) {
        out->fdi_share = est(fmin(1, fmax(0, th.v[T_P])), se[T_P]);
    }
    if (th.ok[T_SIGMA])
        out->sigma = est(fmax(0, th.v[T_SIGMA]), se[T_SIGMA]);
    ipsim_calib_est *med[2] = {&out->fdi_median, &out->domestic_median};
    for (int c = 0; c < 2; c++)
        if (th.ok[T_SIGMA] && th.ok[T_MU_F + c])
            *med[c] = est(exp(th.v[T_MU_F + c]), exp(th.v[T_MU_F + c]) * se[T_MU_F + c]);
    if (th.ok[T_SIGMA] && th.ok[T_LOG_MI])
        out->capital_per_ha = est(exp(th.v[T_LOG_MI]), exp(th.v[T_LOG_MI]) * se[T_LOG_MI]);
}

/* Lognormal fit of logs x: median e^mean, sigma the sd with n - 1 in the
 * denominator (the MLE's n biases sigma low by ~1/(4n) of itself, a
 * visible share of its SE in 30-year histories). */
static void lognormal_fit(const double *x, size_t n, ipsim_calib_est *median, ipsim_calib_est *sigma)
{
    double m = gsl_stats_mean(x, 1, n), s = n >= 2 ? gsl_stats_sd_m(x, 1, n, m) : 0;
    *median = est(exp(m), exp(m) * s / sqrt((double)n));
    if (n >= 2)
        *sigma = est(s, s / sqrt(2.0 * (double)(n - 1)));
}

static void fit_projects(const zslice *z, double *scratch, ipsim_calib_zone *out)
{
    size_t n = z->n, ny = (size_t)(z->r[n - 1].year - z->r[0].year + 1);
    double *cnt = scratch, *e = scratch + ny, *logi = scratch + 2 * ny;
    for (size_t y = 0; y < ny; y++)
        cnt[y] = 0, e[y] = 1;
    size_t nc[2] = {0, 0}, nl = 0;
    double mean[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const hrow *h = &z->r[i];
        size_t y = (size_t)(h->year - z->r[0].year);
        int c = h->nf > 0 ? 0 : 1;
        double k = h->sf + h->sd;
        cnt[y] += 1;
        e[y] = h->months / 12;
        nc[c]++;
        mean[c] += log(k);
        if (!isnan(h->land))
            logi[nl++] = log(k / h->land);
    }
    fit_rate(cnt, e, ny, out);
    out->n_years = (int)ny;
    out->n_land = (int)nl;
    out->fdi_projects = (double)nc[0];
    double p = (double)nc[0] / (double)n;
    out->fdi_share = est(p, sqrt(p * (1 - p) / (double)n));
    /* pooled sigma: one capital_sigma for both classes (MODEL.md §3) */
    double ss = 0;
    for (int c = 0; c < 2; c++)
        mean[c] = nc[c] ? mean[c] / (double)nc[c] : 0;
    for (size_t i = 0; i < n; i++) {
        double dev = log(z->r[i].sf + z->r[i].sd) - mean[z->r[i].nf > 0 ? 0 : 1];
        ss += dev * dev;
    }
    size_t df = n - (size_t)((nc[0] > 0) + (nc[1] > 0)); /* as lognormal_fit: unbiased variance */
    double s = df > 0 ? sqrt(ss / (double)df) : 0;
    if (df > 0)
        out->sigma = est(s, s / sqrt(2.0 * (double)df));
    ipsim_calib_est *med[2] = {&out->fdi_median, &out->domestic_median};
    for (int c = 0; c < 2; c++)
        if (nc[c] > 0)
            *med[c] = est(exp(mean[c]), exp(mean[c]) * s / sqrt((double)nc[c]));
    if (nl > 0)
        lognormal_fit(logi, nl, &out->capital_per_ha, &out->intensity_sigma);
}

void ipsim_calibrate_opts_init(ipsim_calib_opts *o)
{
    o->bootstrap = 400;
    o->seed = 1;
    o->intensity_sigma = 0.5;
}

int ipsim_calibrate_fit(ipsim_calib *c, const ipsim_csv_table *t, const ipsim_calib_opts *o, ipsim_error *err)
{
    memset(c, 0, sizeof *c);
    reader rd = {.t = t, .err = err};
    enum ipsim_calib_form form = IPSIM_CALIB_YEARLY;
    int rc = map_columns(&rd, &form);
    if (rc)
        return rc;
    hrow *h = calloc(t->n_rows, sizeof *h);
    if (!h)
        return ipsim_error_set(err, IPSIM_ENOMEM, "%s: out of memory", t->name);
    for (size_t i = 0; i < t->n_rows && !rc; i++)
        rc = read_row(&rd, form, i, &h[i]);
    zslice *z = NULL;
    size_t nz = 0;
    if (!rc)
        rc = group(&rd, form, h, t->n_rows, &z, &nz);
    size_t max_n = 0;
    for (size_t k = 0; k < nz; k++)
        max_n = z[k].n > max_n ? z[k].n : max_n;
    /* project form: 2 x year span (<= 301) + n; yearly: 10 n */
    double *scratch = rc ? NULL : malloc((10 * max_n + 2 * 301) * sizeof *scratch);
    double *draws =
        rc ? NULL : malloc((size_t)N_THETA * (size_t)(o->bootstrap > 0 ? o->bootstrap : 1) * sizeof *draws);
    c->zones = rc ? NULL : calloc(nz, sizeof *c->zones);
    if (!rc && (!scratch || !draws || !c->zones))
        rc = ipsim_error_set(err, IPSIM_ENOMEM, "%s: out of memory", t->name);
    c->form = form;
    c->opts = *o;
    c->has_fdi_counts = form == IPSIM_CALIB_PROJECTS || rd.col[C_FDI_PROJECTS] >= 0;
    c->has_land = rd.col[form == IPSIM_CALIB_PROJECTS ? P_LAND : C_LEASED] >= 0;
    for (size_t k = 0; k < nz && !rc; k++) {
        ipsim_calib_zone *out = &c->zones[k];
        c->n_zones++;
        out->name = strdup(z[k].r[0].zone);
        if (!out->name) {
            rc = ipsim_error_set(err, IPSIM_ENOMEM, "%s: out of memory", t->name);
            break;
        }
        out->first_year = z[k].r[0].year;
        out->last_year = z[k].r[z[k].n - 1].year;
        out->n_years = (int)z[k].n;
        if (form == IPSIM_CALIB_PROJECTS)
            fit_projects(&z[k], scratch, out);
        else
            fit_yearly(&z[k], o, c->has_fdi_counts, (unsigned long)(o->seed + 7919u * k), scratch, draws,
                       out);
    }
    free(scratch);
    free(draws);
    free(z);
    free(h);
    if (rc)
        ipsim_calibrate_free(c);
    return rc;
}

void ipsim_calibrate_free(ipsim_calib *c)
{
    for (size_t k = 0; k < c->n_zones; k++)
        free(c->zones[k].name);
    free(c->zones);
    memset(c, 0, sizeof *c);
}

/* ---- the YAML fragment -------------------------------------------------- */

/* v with two significant digits of its SE (all digits when SE is 0 or
 * unknown), so the fragment shows what the data support. */
static const char *fmt_value(char buf[48], double v, double se)
{
    if (!(se > 0) || !isfinite(se)) {
        snprintf(buf, 48, "%.6g", v);
        return buf;
    }
    int dec = 1 - (int)floor(log10(se));
    dec = dec < 0 ? 0 : dec > 12 ? 12 : dec;
    snprintf(buf, 48, "%.*f", dec, v);
    return buf;
}

static const char *fmt_se(char buf[48], double se)
{
    if (isnan(se))
        snprintf(buf, 48, "SE not computed (--bootstrap 0)");
    else
        snprintf(buf, 48, "SE %.2g", se);
    return buf;
}

static void put_key(FILE *out, const char *key, const ipsim_calib_est *e, const char *note,
                    const char *why_not)
{
    char kv[128], v[48], se[48];
    if (!e->ok) {
        fprintf(out, "  # %s: not identifiable (%s)\n", key, why_not);
        return;
    }
    snprintf(kv, sizeof kv, "  %s: %s", key, fmt_value(v, e->value, e->se));
    fprintf(out, "%-40s # %s%s%s\n", kv, fmt_se(se, e->se), note[0] ? "; " : "", note);
}

static void put_name(FILE *out, const char *s)
{
    fputs("- name: \"", out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int ipsim_calibrate_write(FILE *out, const ipsim_calib *c, const char *source)
{
    int yearly = c->form == IPSIM_CALIB_YEARLY;
    fprintf(out,
            "# ipsim calibrate: fitted from %s (%s), %zu zone%s.\n"
            "# Copy each entry's keys into the scenario zone of the same name (it keeps\n"
            "# its area_ha, leased_ha and other keys).  Standard errors (SE) are in the\n"
            "# comments; docs/scenarios.md describes the estimators.\n",
            source, yearly ? "yearly totals" : "project rows", c->n_zones, c->n_zones == 1 ? "" : "s");
    if (yearly && c->zones && c->opts.bootstrap >= 2)
        fprintf(out,
                "# Capital from yearly totals: moments, SEs and bias correction from %d\n"
                "# bootstrap histories (seed %llu).\n",
                c->opts.bootstrap, (unsigned long long)c->opts.seed);
    for (size_t k = 0; k < c->n_zones; k++) {
        const ipsim_calib_zone *z = &c->zones[k];
        char note[256];
        put_name(out, z->name);
        fprintf(out, "    # %d-%d, %d %s\n", z->first_year, z->last_year, z->n_years,
                yearly ? (z->n_years == 1 ? "row" : "rows") : "years spanned");
        snprintf(note, sizeof note, "%.0f projects in %.4g years", z->projects, z->exposure_years);
        if (!isnan(z->dispersion))
            snprintf(note + strlen(note), sizeof note - strlen(note), "; dispersion %.2f (1 if Poisson)",
                     z->dispersion);
        if (z->projects == 0)
            snprintf(note + strlen(note), sizeof note - strlen(note), "; 95%% upper bound %.3g",
                     3.0 / z->exposure_years);
        put_key(out, "projects_per_year", &z->rate, note, "");
        if (c->has_fdi_counts)
            snprintf(note, sizeof note, "%.0f of %.0f projects", z->fdi_projects, z->projects);
        else
            snprintf(note, sizeof note,
                     "from capital totals (no fdi_projects column): weak, SEs ~1.3x small");
        put_key(out, "fdi_share", &z->fdi_share, note, "no projects");
        put_key(out, "fdi_capital_median_musd", &z->fdi_median, "", "no FDI projects, or too few years");
        put_key(out, "domestic_capital_median_musd", &z->domestic_median, "",
                "no domestic projects, or too few years");
        put_key(out, "capital_sigma", &z->sigma, "", "too few years or projects");
        if (!c->has_land) {
            fprintf(out, "  # capital_per_ha_musd: not identifiable (no %s column)\n",
                    yearly ? "leased_ha" : "land_ha");
            continue;
        }
        if (yearly)
            snprintf(note, sizeof note, "%d year%s of land; assumes intensity_sigma %g", z->n_land,
                     z->n_land == 1 ? "" : "s", c->opts.intensity_sigma);
        else
            snprintf(note, sizeof note, "%d projects with land", z->n_land);
        put_key(out, "capital_per_ha_musd", &z->capital_per_ha, note, "no land leased with capital");
        if (yearly && z->capital_per_ha.ok) {
            char kv[128];
            snprintf(kv, sizeof kv, "  intensity_sigma: %g", c->opts.intensity_sigma);
            fprintf(out, "%-40s # assumed: yearly totals cannot identify it (--intensity-sigma)\n", kv);
        } else if (!yearly) {
            put_key(out, "intensity_sigma", &z->intensity_sigma, "", "fewer than 2 projects with land");
        }
    }
    return ferror(out) ? IPSIM_EIO : IPSIM_OK;
}
