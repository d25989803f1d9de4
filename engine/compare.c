/* compare.c -- paired and unpaired differences between results files (see
 * compare.h).  Per-path data are read a metric at a time, [path, year] for
 * every year, so each chunk is decompressed once per metric and file. */
#include "compare.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "stats.h"

/* sd = IQR / IQR_PER_SD for normal data. */
#define IQR_PER_SD 1.3489795003921634

static void diff_init(ipsim_compare_diff *d, int method)
{
    d->diff = d->se = d->lo = d->hi = NAN;
    d->n = 0;
    d->method = method;
    d->significant = 0;
}

/* Symmetric interval diff +- z se; significant when it excludes 0. */
static void diff_symmetric(ipsim_compare_diff *d)
{
    d->lo = d->diff - IPSIM_WILSON_Z * d->se;
    d->hi = d->diff + IPSIM_WILSON_Z * d->se;
    d->significant = fabs(d->diff) > IPSIM_WILSON_Z * d->se;
}

/* ---- statistics ---- */

void ipsim_compare_mean_paired(const double *a, const double *b, size_t n,
                               ipsim_compare_diff *out)
{
    diff_init(out, IPSIM_CMP_PAIRED);
    double sum = 0.0, ss = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            sum += b[i] - a[i];
            m++;
        }
    out->n = m;
    if (m == 0)
        return;
    double mean = sum / (double)m;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            double e = (b[i] - a[i]) - mean;
            ss += e * e;
        }
    out->diff = mean;
    out->se = m > 1 ? sqrt(ss / (double)(m - 1) / (double)m) : NAN;
    if (m > 1)
        diff_symmetric(out);
}

/* Mean and variance (n - 1) of the finite values; returns their count. */
static size_t finite_moments(const double *x, size_t n, double *mean, double *var)
{
    double s = 0.0, ss = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            s += x[i];
            m++;
        }
    *mean = m ? s / (double)m : NAN;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            ss += (x[i] - *mean) * (x[i] - *mean);
    *var = m > 1 ? ss / (double)(m - 1) : NAN;
    return m;
}

void ipsim_compare_mean_welch(const double *a, size_t na, const double *b, size_t nb,
                              ipsim_compare_diff *out)
{
    diff_init(out, IPSIM_CMP_UNPAIRED);
    double ma, va, mb, vb;
    size_t ka = finite_moments(a, na, &ma, &va), kb = finite_moments(b, nb, &mb, &vb);
    out->n = ka + kb;
    out->diff = mb - ma;
    if (ka > 1 && kb > 1) {
        out->se = sqrt(va / (double)ka + vb / (double)kb);
        diff_symmetric(out);
    }
}

void ipsim_compare_mean_summary(double mean_a, double iqr_a, size_t na, double mean_b,
                                double iqr_b, size_t nb, ipsim_compare_diff *out)
{
    diff_init(out, IPSIM_CMP_SUMMARY);
    out->n = na + nb;
    out->diff = mean_b - mean_a;
    double sa = iqr_a / IQR_PER_SD, sb = iqr_b / IQR_PER_SD;
    if (na > 0 && nb > 0 && isfinite(sa) && isfinite(sb) && (sa > 0 || sb > 0)) {
        out->se = sqrt(sa * sa / (double)na + sb * sb / (double)nb);
        diff_symmetric(out);
    }
}

void ipsim_compare_prop_paired(size_t both, size_t b_only, size_t a_only, size_t n,
                               ipsim_compare_diff *out)
{
    diff_init(out, IPSIM_CMP_PAIRED);
    out->n = n;
    if (n == 0 || both + b_only + a_only > n)
        return;
    double nn = (double)n, s = (double)b_only, t = (double)a_only;
    double r = (double)both, u = nn - r - s - t;
    double p1 = (r + s) / nn, p2 = (r + t) / nn; /* B, A */
    out->diff = (s - t) / nn;
    out->se = n > 1 ? sqrt((s + t - (s - t) * (s - t) / nn) / (nn - 1.0) / nn) : NAN;
    double l1, u1, l2, u2;
    ipsim_stats_wilson(both + b_only, n, IPSIM_WILSON_Z, &l1, &u1);
    ipsim_stats_wilson(both + a_only, n, IPSIM_WILSON_Z, &l2, &u2);
    /* phi: correlation of the two indicators; 0 when a margin is empty. */
    double margins = (r + s) * (t + u) * (r + t) * (s + u);
    double phi = margins > 0 ? (r * u - s * t) / sqrt(margins) : 0.0;
    double dl = p1 - l1, du = u2 - p2, el = p2 - l2, eu = u1 - p1;
    out->lo = out->diff - sqrt(fmax(0.0, dl * dl - 2.0 * phi * dl * du + du * du));
    out->hi = out->diff + sqrt(fmax(0.0, el * el - 2.0 * phi * el * eu + eu * eu));
    out->significant = out->lo > 0.0 || out->hi < 0.0;
}

void ipsim_compare_prop_unpaired(size_t ka, size_t na, size_t kb, size_t nb,
                                 ipsim_compare_diff *out)
{
    diff_init(out, IPSIM_CMP_UNPAIRED);
    out->n = na + nb;
    if (na == 0 || nb == 0)
        return;
    double pa = (double)ka / (double)na, pb = (double)kb / (double)nb;
    out->diff = pb - pa;
    out->se = sqrt(pa * (1.0 - pa) / (double)na + pb * (1.0 - pb) / (double)nb);
    diff_symmetric(out);
}

int ipsim_compare_pairable(const ipsim_rfile *a, const ipsim_rfile *b, char *why, size_t n)
{
    if (a->seed != b->seed)
        snprintf(why, n, "seed %llu vs %llu", (unsigned long long)b->seed,
                 (unsigned long long)a->seed);
    else if (a->paths != b->paths)
        snprintf(why, n, "%zu paths vs %zu", b->paths, a->paths);
    else if (a->start_abs != b->start_abs)
        snprintf(why, n, "start %s vs %s", b->start, a->start);
    else {
        int same = a->n_zones == b->n_zones;
        for (size_t z = 0; same && z < a->n_zones; z++)
            same = strcmp(a->zones[z], b->zones[z]) == 0;
        if (!same) {
            snprintf(why, n, "different zones");
            return 0;
        }
        snprintf(why, n, "same seed, paths, start and zones");
        return 1;
    }
    return 0;
}

/* ---- targets ---- */

/* Index of the k-th comparison target called name, or -1. */
static long find_target(const ipsim_comparison *c, const char *name, size_t k)
{
    for (size_t i = 0; i < c->n_targets; i++)
        if (strcmp(c->targets[i].name, name) == 0 && k-- == 0)
            return (long)i;
    return -1;
}

static int match_targets(ipsim_comparison *c, const ipsim_rfile *files)
{
    size_t total = 0;
    for (size_t f = 0; f < c->n_files; f++)
        total += files[f].n_targets;
    c->targets = calloc(total + 1, sizeof *c->targets);
    if (!c->targets)
        return -1;
    for (size_t f = 0; f < c->n_files; f++)
        for (size_t t = 0; t < files[f].n_targets; t++) {
            const char *name = files[f].targets[t].name;
            size_t k = 0;
            for (size_t u = 0; u < t; u++)
                k += strcmp(files[f].targets[u].name, name) == 0;
            long i = find_target(c, name, k);
            if (i < 0) {
                ipsim_compare_target *ct = &c->targets[c->n_targets];
                ct->name = name;
                ct->index = malloc(c->n_files * sizeof *ct->index);
                ct->d = calloc(c->n_files, sizeof *ct->d);
                if (!ct->index || !ct->d)
                    return -1;
                for (size_t g = 0; g < c->n_files; g++)
                    ct->index[g] = -1;
                i = (long)c->n_targets++;
            }
            c->targets[i].index[f] = (long)t;
        }
    return 0;
}

/* Paired P(met) of target tb in b against ta in a, from target_values. */
static int target_paired(const ipsim_rfile *a, size_t ta, const ipsim_rfile *b, size_t tb,
                         double *xa, double *xb, ipsim_compare_diff *d, ipsim_error *err)
{
    int rc = ipsim_rfile_target_values(a, ta, 1, xa, err);
    if (rc == IPSIM_OK)
        rc = ipsim_rfile_target_values(b, tb, 1, xb, err);
    if (rc != IPSIM_OK)
        return rc;
    const ipsim_target *s = &a->targets[ta], *t = &b->targets[tb];
    size_t both = 0, b_only = 0, a_only = 0;
    for (size_t p = 0; p < a->paths; p++) {
        int ma = ipsim_stats_met(xa[p], (int)s->op, s->value);
        int mb = ipsim_stats_met(xb[p], (int)t->op, t->value);
        both += (size_t)(ma && mb);
        b_only += (size_t)(mb && !ma);
        a_only += (size_t)(ma && !mb);
    }
    ipsim_compare_prop_paired(both, b_only, a_only, a->paths, d);
    return IPSIM_OK;
}

static int compare_targets(ipsim_comparison *c, const ipsim_rfile *files, double *xa, double *xb,
                           ipsim_error *err)
{
    const ipsim_rfile *a = &files[0];
    for (size_t i = 0; i < c->n_targets; i++) {
        ipsim_compare_target *ct = &c->targets[i];
        for (size_t f = 1; f < c->n_files; f++) {
            long ta = ct->index[0], tb = ct->index[f];
            diff_init(&ct->d[f], IPSIM_CMP_NONE);
            if (ta < 0 || tb < 0)
                continue;
            if (c->paired[f]) {
                int rc = target_paired(a, (size_t)ta, &files[f], (size_t)tb, xa, xb, &ct->d[f],
                                       err);
                if (rc != IPSIM_OK)
                    return rc;
            } else {
                ipsim_compare_prop_unpaired(a->target_stats[ta].n_met, a->paths,
                                            files[f].target_stats[tb].n_met, files[f].paths,
                                            &ct->d[f]);
            }
        }
    }
    return IPSIM_OK;
}

/* ---- metrics ---- */

typedef struct {
    double *mean, *q; /* summaries of one file: [n_years], [quantile][n_years] */
    double *all;      /* per-path [path, year] of one file, or NULL */
} metric_data;

static int metric_load(const ipsim_rfile *f, int m, int per_path, metric_data *md,
                       ipsim_error *err)
{
    md->mean = malloc((f->n_years + 1) * sizeof *md->mean);
    md->q = malloc((IPSIM_NQUANTILES * f->n_years + 1) * sizeof *md->q);
    md->all = per_path ? malloc((f->paths * f->n_years + 1) * sizeof *md->all) : NULL;
    if (!md->mean || !md->q || (per_path && !md->all))
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory reading %s", f->filename);
    int rc = ipsim_rfile_summary(f, m, md->mean, md->q, err);
    if (rc == IPSIM_OK && per_path)
        rc = ipsim_rfile_yearly(f, m, 0, f->n_years, md->all, err);
    return rc;
}

static void metric_free(metric_data *md)
{
    free(md->mean);
    free(md->q);
    free(md->all);
    memset(md, 0, sizeof *md);
}

static void column(const ipsim_rfile *f, const double *all, size_t y, double *out)
{
    for (size_t p = 0; p < f->paths; p++)
        out[p] = all[p * f->n_years + y];
}

/* Row r (metric m, its year) for file f against file 0. */
static void compare_cell(ipsim_comparison *c, ipsim_compare_row *row, const ipsim_rfile *files,
                         size_t f, const metric_data *ma, const metric_data *mb, double *xa,
                         double *xb)
{
    const ipsim_rfile *a = &files[0], *b = &files[f];
    long ya = ipsim_rfile_year_index(a, row->year), yb = ipsim_rfile_year_index(b, row->year);
    diff_init(&row->d[f], IPSIM_CMP_NONE);
    if (ya < 0 || yb < 0)
        return;
    if (ma->all && mb->all) {
        column(a, ma->all, (size_t)ya, xa);
        column(b, mb->all, (size_t)yb, xb);
        if (c->paired[f])
            ipsim_compare_mean_paired(xa, xb, a->paths, &row->d[f]);
        else
            ipsim_compare_mean_welch(xa, a->paths, xb, b->paths, &row->d[f]);
        return;
    }
    double iqr_a = ma->q[3 * a->n_years + ya] - ma->q[1 * a->n_years + ya];
    double iqr_b = mb->q[3 * b->n_years + yb] - mb->q[1 * b->n_years + yb];
    ipsim_compare_mean_summary(ma->mean[ya], iqr_a, a->paths, mb->mean[yb], iqr_b, b->paths,
                               &row->d[f]);
}

/* Every row of metric m: rows[0 .. n_years). */
static int compare_metric(ipsim_comparison *c, ipsim_compare_row *rows, size_t n_years,
                          const ipsim_rfile *files, int m, double *xa, double *xb,
                          ipsim_error *err)
{
    metric_data ma = {0}, mb = {0};
    int rc = metric_load(&files[0], m, files[0].per_path, &ma, err);
    for (size_t f = 0; f < c->n_files && rc == IPSIM_OK; f++) {
        if (f > 0)
            rc = metric_load(&files[f], m, files[0].per_path && files[f].per_path, &mb, err);
        const metric_data *md = f > 0 ? &mb : &ma;
        for (size_t r = 0; r < n_years && rc == IPSIM_OK; r++) {
            long y = ipsim_rfile_year_index(&files[f], rows[r].year);
            rows[r].mean[f] = y >= 0 ? md->mean[y] : NAN;
            rows[r].partial |= y >= 0 && files[f].partial[y];
            if (f > 0)
                compare_cell(c, &rows[r], files, f, &ma, &mb, xa, xb);
        }
        metric_free(&mb);
    }
    metric_free(&ma);
    return rc;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Every year of any file, ascending, into *out. */
static size_t all_years(const ipsim_rfile *files, size_t n_files, int **out)
{
    size_t total = 0, n = 0;
    for (size_t f = 0; f < n_files; f++)
        total += files[f].n_years;
    int *y = malloc((total + 1) * sizeof *y);
    if (!y)
        return 0;
    for (size_t f = 0; f < n_files; f++)
        for (size_t i = 0; i < files[f].n_years; i++)
            y[n++] = files[f].years[i];
    qsort(y, n, sizeof *y, cmp_int);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || y[i] != y[k - 1])
            y[k++] = y[i];
    *out = y;
    return k;
}

static int alloc_rows(ipsim_comparison *c, const int *metrics, size_t n_metrics,
                      const int *years, size_t n_years)
{
    c->rows = calloc(n_metrics * n_years + 1, sizeof *c->rows);
    if (!c->rows)
        return -1;
    for (size_t i = 0; i < n_metrics; i++)
        for (size_t j = 0; j < n_years; j++) {
            ipsim_compare_row *row = &c->rows[c->n_rows++];
            row->metric = metrics[i];
            row->year = years[j];
            row->mean = malloc(c->n_files * sizeof *row->mean);
            row->d = calloc(c->n_files, sizeof *row->d);
            if (!row->mean || !row->d)
                return -1;
        }
    return 0;
}

int ipsim_compare_files(ipsim_comparison *c, const ipsim_rfile *files, size_t n_files,
                        const int *metrics, size_t n_metrics, const int *years, size_t n_years,
                        ipsim_error *err)
{
    memset(c, 0, sizeof *c);
    c->n_files = n_files;
    int *own_years = NULL;
    if (!years)
        n_years = all_years(files, n_files, &own_years);
    size_t max_paths = 0;
    for (size_t f = 0; f < n_files; f++)
        max_paths = files[f].paths > max_paths ? files[f].paths : max_paths;
    double *xa = malloc((max_paths + 1) * sizeof *xa), *xb = malloc((max_paths + 1) * sizeof *xb);
    c->paired = calloc(n_files + 1, sizeof *c->paired);
    int rc = IPSIM_OK;
    if (!xa || !xb || !c->paired || (!years && !own_years) || match_targets(c, files) < 0 ||
        alloc_rows(c, metrics, n_metrics, years ? years : own_years, n_years) < 0)
        rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory comparing %zu files", n_files);
    for (size_t f = 1; f < n_files && rc == IPSIM_OK; f++) {
        char why[160];
        c->paired[f] = ipsim_compare_pairable(&files[0], &files[f], why, sizeof why);
    }
    if (rc == IPSIM_OK)
        rc = compare_targets(c, files, xa, xb, err);
    for (size_t i = 0; i < n_metrics && rc == IPSIM_OK; i++)
        rc = compare_metric(c, c->rows + i * n_years, n_years, files, metrics[i], xa, xb, err);
    free(xa);
    free(xb);
    free(own_years);
    if (rc != IPSIM_OK)
        ipsim_compare_free(c);
    return rc;
}

void ipsim_compare_free(ipsim_comparison *c)
{
    for (size_t i = 0; c->targets && i < c->n_targets; i++) {
        free(c->targets[i].index);
        free(c->targets[i].d);
    }
    /* A target allocated but not yet counted when memory ran out. */
    if (c->targets) {
        free(c->targets[c->n_targets].index);
        free(c->targets[c->n_targets].d);
    }
    for (size_t i = 0; c->rows && i < c->n_rows; i++) {
        free(c->rows[i].mean);
        free(c->rows[i].d);
    }
    free(c->targets);
    free(c->rows);
    free(c->paired);
    memset(c, 0, sizeof *c);
}
