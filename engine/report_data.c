/* report_data.c -- fans (mean and quantiles over paths) for the report; see
 * report_data.h.  Per-path data comes through results_read.h. */
#include "report_data.h"

#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* Doubles read per block of columns: 32 MiB, whatever the number of paths
 * (at least one column is read, however many paths there are). */
#define BLOCK_DOUBLES ((size_t)1 << 22)

void ipsim_fan_free(ipsim_fan *fan)
{
    free(fan->x);
    free(fan->mean);
    free(fan->q);
    memset(fan, 0, sizeof *fan);
}

static int fan_alloc(ipsim_fan *fan, size_t n, ipsim_error *err)
{
    memset(fan, 0, sizeof *fan);
    fan->x = calloc(n ? n : 1, sizeof *fan->x);
    fan->mean = calloc(n ? n : 1, sizeof *fan->mean);
    fan->q = calloc((n ? n : 1) * IPSIM_NQUANTILES, sizeof *fan->q);
    if (!fan->x || !fan->mean || !fan->q) {
        ipsim_fan_free(fan);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory for a chart's %zu points", n);
    }
    fan->n = n;
    return IPSIM_OK;
}

int ipsim_fan_has_monthly(const ipsim_rfile *f)
{
    return f->store && strcmp(f->store, "monthly") == 0;
}

int ipsim_fan_yearly(const ipsim_rfile *f, int metric, ipsim_fan *out, ipsim_error *err)
{
    int rc = fan_alloc(out, f->n_years, err);
    double *q = rc == IPSIM_OK ? malloc((f->n_years + 1) * IPSIM_NQUANTILES * sizeof *q) : NULL;
    if (rc == IPSIM_OK && !q)
        rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory reading %s", f->filename);
    if (rc == IPSIM_OK)
        rc = ipsim_rfile_summary(f, metric, out->mean, q, err);
    for (size_t j = 0; rc == IPSIM_OK && j < f->n_years; j++) {
        out->x[j] = f->years[j];
        for (int k = 0; k < IPSIM_NQUANTILES; k++)
            out->q[j * IPSIM_NQUANTILES + k] = q[(size_t)k * f->n_years + j];
    }
    free(q);
    if (rc != IPSIM_OK)
        ipsim_fan_free(out);
    return rc;
}

/* Column `col` of a block buf[path][width] summarised into point j of fan. */
typedef struct {
    double *col, *scratch;
} column_work;

static void summarise(const double *buf, size_t paths, size_t width, size_t col, column_work *w,
                      ipsim_fan *fan, size_t j)
{
    for (size_t p = 0; p < paths; p++)
        w->col[p] = buf[p * width + col];
    ipsim_stats_summary(w->col, paths, w->scratch, &fan->mean[j], &fan->q[j * IPSIM_NQUANTILES]);
}

static int work_alloc(column_work *w, double **buf, size_t paths, size_t block, ipsim_error *err)
{
    w->col = malloc(paths * sizeof *w->col);
    w->scratch = malloc(paths * sizeof *w->scratch);
    *buf = malloc(paths * block * sizeof **buf);
    if (w->col && w->scratch && *buf)
        return IPSIM_OK;
    free(w->col);
    free(w->scratch);
    free(*buf);
    w->col = w->scratch = *buf = NULL;
    return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory for %zu paths of a chart", paths);
}

/* Columns per block when each column holds `per_column` doubles per path. */
static size_t block_columns(size_t paths, size_t per_column, size_t total)
{
    size_t per = paths * per_column;
    size_t b = per ? BLOCK_DOUBLES / per : total;
    if (b < 1)
        b = 1;
    return b < total ? b : total;
}

int ipsim_fan_monthly(const ipsim_rfile *f, int metric, ipsim_fan *out, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (!ipsim_fan_has_monthly(f) || metric < 0 || metric >= IPSIM_NMONTHLY)
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%s: no monthly results for %s (run with --store monthly)",
                               f->filename, ipsim_metric_get(metric) ? ipsim_metric_get(metric)->name : "?");
    size_t n = (size_t)f->horizon_months;
    int rc = fan_alloc(out, n, err);
    if (rc != IPSIM_OK)
        return rc;
    for (size_t t = 0; t < n; t++)
        out->x[t] = (double)(f->start_abs + (int)t) / 12.0;
    size_t nb = block_columns(f->paths, 1, n);
    column_work w;
    double *buf;
    rc = work_alloc(&w, &buf, f->paths, nb, err);
    for (size_t m0 = 0; rc == IPSIM_OK && m0 < n; m0 += nb) {
        size_t nm = n - m0 < nb ? n - m0 : nb;
        rc = ipsim_rfile_monthly(f, metric, m0, nm, buf, err);
        for (size_t j = 0; rc == IPSIM_OK && j < nm; j++)
            summarise(buf, f->paths, nm, j, &w, out, m0 + j);
    }
    if (buf) {
        free(buf);
        free(w.col);
        free(w.scratch);
    }
    if (rc != IPSIM_OK)
        ipsim_fan_free(out);
    return rc;
}

int ipsim_fan_zones(const ipsim_rfile *f, int metric, size_t z0, size_t nz, ipsim_fan *out,
                    ipsim_error *err)
{
    size_t ny = f->n_years;
    int rc = IPSIM_OK;
    size_t made = 0;
    for (; rc == IPSIM_OK && made < nz; made++) {
        rc = fan_alloc(&out[made], ny, err);
        for (size_t j = 0; rc == IPSIM_OK && j < ny; j++)
            out[made].x[j] = f->years[j];
    }
    size_t nb = block_columns(f->paths, ny, nz);
    column_work w = {0};
    double *buf = NULL;
    if (rc == IPSIM_OK && nz > 0)
        rc = work_alloc(&w, &buf, f->paths, ny * nb, err);
    for (size_t k0 = 0; rc == IPSIM_OK && k0 < nz; k0 += nb) {
        size_t nk = nz - k0 < nb ? nz - k0 : nb;
        rc = ipsim_rfile_yearly_zone(f, metric, 0, ny, z0 + k0, nk, buf, err);
        for (size_t k = 0; rc == IPSIM_OK && k < nk; k++)
            for (size_t j = 0; j < ny; j++)
                summarise(buf, f->paths, ny * nk, j * nk + k, &w, &out[k0 + k], j);
    }
    if (buf) {
        free(buf);
        free(w.col);
        free(w.scratch);
    }
    if (rc != IPSIM_OK)
        for (size_t k = 0; k < made; k++)
            ipsim_fan_free(&out[k]);
    return rc;
}
