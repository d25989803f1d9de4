/* results_summary.c -- the finish step of a results file: per-path data
 * read back in path order, then summary/<metric> quantiles and means and
 * the targets table (MODEL.md §7, §10), the columns read at once shared out
 * among the run's threads.  See results_impl.h. */
#include "results_impl.h"

#include <omp.h>

/* ---- finish: summaries ---- */



int rs_readback_alloc(readback *rb, size_t n_paths, size_t width, int lanes)
{
    rb->width = width;
    rb->lanes = lanes < 1 ? 1 : lanes;
    rb->all = rb->col = rb->sort = NULL;
    if ((width && n_paths > SIZE_MAX / sizeof(double) / width) ||
        n_paths > SIZE_MAX / sizeof(double) / (size_t)rb->lanes)
        return -1;
    rb->all = malloc(n_paths * width * sizeof(double));
    rb->col = malloc(n_paths * (size_t)rb->lanes * sizeof(double));
    rb->sort = malloc(n_paths * (size_t)rb->lanes * sizeof(double));
    return rb->all && rb->col && rb->sort ? 0 : -1;
}

void rs_readback_free(readback *rb)
{
    free(rb->all);
    free(rb->col);
    free(rb->sort);
}

/* Reads columns [c0, c0+nc) of a [path, column] dataset into rb->all. */
static herr_t read_columns(hid_t ds, size_t n_paths, size_t c0, size_t nc, readback *rb)
{
    hsize_t start[2] = {0, c0}, count[2] = {n_paths, nc};
    hid_t mem = H5Screate_simple(2, count, NULL), fsp = H5Dget_space(ds);
    herr_t st = mem < 0 || fsp < 0
                    ? -1
                    : H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
    if (st >= 0)
        st = H5Dread(ds, H5T_NATIVE_DOUBLE, mem, fsp, H5P_DEFAULT, rb->all);
    hid_t stack = rs_errors_save(st);
    if (mem >= 0)
        H5Sclose(mem);
    if (fsp >= 0)
        H5Sclose(fsp);
    rs_errors_restore(stack);
    return st;
}

/* The calling thread's column buffer; its scratch in *sort. */
static double *lane(const readback *rb, size_t n_paths, double **sort)
{
    size_t k = (size_t)omp_get_thread_num();
    *sort = rb->sort + k * n_paths;
    return rb->col + k * n_paths;
}

/* Column c of the nc read back, in path order, into the calling thread's
 * lane; returns the lane's scratch in *sort. */
static double *gather(const readback *rb, size_t n_paths, size_t nc, size_t c, double **sort)
{
    double *col = lane(rb, n_paths, sort);
    for (size_t p = 0; p < n_paths; p++)
        col[p] = rb->all[p * nc + c];
    return col;
}

/* A small contiguous float64 dataset with scales, units and long_name. */
static herr_t summary_dataset(hid_t g, const char *name, int rank, const hsize_t *dims,
                              const hid_t *scales, const double *data, int m, const char *prefix)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = sp < 0
                   ? -1
                   : H5Dcreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (st >= 0)
        st = rs_attr_metric(ds, m, prefix);
    if (st >= 0)
        st = rs_attach(ds, scales, rank);
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

/* Column y of metric m's statistics into mean[y] and q[k * ny + y]. */
static void column_stats(const ipsim_results *r, const double *col, double *sort, size_t y,
                         double *q, double *mean)
{
    double qq[IPSIM_NQUANTILES];
    ipsim_stats_summary(col, r->n_paths, sort, &mean[y], qq);
    for (int k = 0; k < IPSIM_NQUANTILES; k++)
        q[k * r->n_years + y] = qq[k];
}

/* Metric m's statistics, every year, from yearly/<metric>: the years a
 * batch of rb->width columns at a time, then a column per thread (no HDF5
 * call in the threads). */
static herr_t stats_from_file(const ipsim_results *r, int m, readback *rb, double *q,
                              double *mean)
{
    size_t ny = r->n_years, np = r->n_paths;
    for (size_t y0 = 0; y0 < ny; y0 += rb->width) {
        size_t nc = ny - y0 < rb->width ? ny - y0 : rb->width;
        if (read_columns(r->group[G_YEARLY][m], np, y0, nc, rb) < 0)
            return -1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(rb->lanes) if (rb->lanes > 1)
        for (long c = 0; c < (long)nc; c++) {
            double *sort, *col = gather(rb, np, nc, (size_t)c, &sort);
            column_stats(r, col, sort, y0 + (size_t)c, q, mean);
        }
    }
    return 0;
}

/* The same from the scratch file (summary mode): each thread reads its
 * column into its lane; the first error is kept. */
static int stats_from_scratch(const ipsim_results *r, int m, readback *rb, double *q,
                              double *mean, ipsim_error *err)
{
    int rc = IPSIM_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(rb->lanes) if (rb->lanes > 1)
    for (long y = 0; y < (long)r->n_years; y++) {
        double *sort, *col = lane(rb, r->n_paths, &sort);
        ipsim_error e = {0};
        int k = ipsim_scratch_column(&r->scratch, r->scratch_name, (size_t)m, (size_t)y, col, &e);
        if (k == IPSIM_OK)
            column_stats(r, col, sort, (size_t)y, q, mean);
#pragma omp critical(ipsim_scratch_error)
        if (k != IPSIM_OK && rc == IPSIM_OK) {
            rc = k;
            if (err)
                *err = e;
        }
    }
    return rc;
}

/* summary/<metric> [quantile, year] and summary/<metric>_mean [year]. */
static herr_t summary_write(const ipsim_results *r, hid_t g, int m, const double *q,
                            const double *mean)
{
    const char *name = ipsim_metric_get(m)->name;
    char mean_name[128];
    snprintf(mean_name, sizeof mean_name, "%s_mean", name);
    hsize_t dq[2] = {IPSIM_NQUANTILES, r->n_years}, dm[1] = {r->n_years};
    hid_t sq[2] = {r->scale[S_QUANTILE], r->scale[S_YEAR]};
    if (summary_dataset(g, name, 2, dq, sq, q, m, "quantiles over paths of ") < 0 ||
        summary_dataset(g, mean_name, 1, dm, &r->scale[S_YEAR], mean, m, "mean over paths of ") < 0)
        return -1;
    return 0;
}

int rs_write_summaries(ipsim_results *r, readback *rb, ipsim_error *err)
{
    double *q = malloc(IPSIM_NQUANTILES * r->n_years * sizeof *q);
    double *mean = malloc(r->n_years * sizeof *mean);
    if (!q || !mean) {
        free(q);
        free(mean);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory summarising");
    }
    int rc = IPSIM_OK;
    hid_t g = H5Gcreate2(r->file, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        rc = rs_h5_error(err, r->partial_name, "write summaries");
    for (int m = 0; m < IPSIM_NMETRICS && rc == IPSIM_OK; m++) {
        if (r->store == IPSIM_STORE_SUMMARY)
            rc = stats_from_scratch(r, m, rb, q, mean, err);
        else if (stats_from_file(r, m, rb, q, mean) < 0)
            rc = rs_h5_error(err, r->partial_name, "read back the yearly data");
        if (rc == IPSIM_OK && summary_write(r, g, m, q, mean) < 0)
            rc = rs_h5_error(err, r->partial_name, "write summaries");
    }
    if (g >= 0)
        H5Gclose(g);
    free(q);
    free(mean);
    return rc;
}

/* ---- finish: targets ---- */

typedef struct {
    const char *name, *metric;
    int32_t year;
    const char *zone, *op;
    double value, p_met, p_low, p_high, mean, q05, q25, q50, q75, q95, shortfall;
    uint64_t n_finite, n_met;
} target_row;

static hid_t target_row_type(hid_t str)
{
    const struct {
        const char *name;
        size_t offset;
        hid_t type;
    } fields[] = {
        {"name", HOFFSET(target_row, name), str},
        {"metric", HOFFSET(target_row, metric), str},
        {"year", HOFFSET(target_row, year), H5T_NATIVE_INT32},
        {"zone", HOFFSET(target_row, zone), str},
        {"op", HOFFSET(target_row, op), str},
        {"value", HOFFSET(target_row, value), H5T_NATIVE_DOUBLE},
        {"p_met", HOFFSET(target_row, p_met), H5T_NATIVE_DOUBLE},
        {"p_low", HOFFSET(target_row, p_low), H5T_NATIVE_DOUBLE},
        {"p_high", HOFFSET(target_row, p_high), H5T_NATIVE_DOUBLE},
        {"mean", HOFFSET(target_row, mean), H5T_NATIVE_DOUBLE},
        {"q05", HOFFSET(target_row, q05), H5T_NATIVE_DOUBLE},
        {"q25", HOFFSET(target_row, q25), H5T_NATIVE_DOUBLE},
        {"q50", HOFFSET(target_row, q50), H5T_NATIVE_DOUBLE},
        {"q75", HOFFSET(target_row, q75), H5T_NATIVE_DOUBLE},
        {"q95", HOFFSET(target_row, q95), H5T_NATIVE_DOUBLE},
        {"shortfall", HOFFSET(target_row, shortfall), H5T_NATIVE_DOUBLE},
        {"n_finite", HOFFSET(target_row, n_finite), H5T_NATIVE_UINT64},
        {"n_met", HOFFSET(target_row, n_met), H5T_NATIVE_UINT64},
    };
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(target_row));
    for (size_t i = 0; t >= 0 && i < sizeof fields / sizeof fields[0]; i++)
        if (H5Tinsert(t, fields[i].name, fields[i].offset, fields[i].type) < 0) {
            H5Tclose(t);
            t = -1;
        }
    return t;
}

static void target_row_fill(const ipsim_results *r, size_t i, const ipsim_target_stats *s,
                            target_row *row)
{
    const ipsim_target *t = &r->scn->targets[i];
    row->name = t->name ? t->name : "";
    row->metric = ipsim_metric_get(t->metric) ? ipsim_metric_get(t->metric)->name : "";
    row->year = t->year;
    row->zone = t->zone >= 0 && (size_t)t->zone < r->n_zones ? r->scn->zones[t->zone].name : "";
    row->op = t->op == IPSIM_OP_LE ? "<=" : ">=";
    row->value = t->value;
    row->p_met = s->p_met;
    row->p_low = s->p_low;
    row->p_high = s->p_high;
    row->mean = s->mean;
    row->q05 = s->q[0];
    row->q25 = s->q[1];
    row->q50 = s->q[2];
    row->q75 = s->q[3];
    row->q95 = s->q[4];
    row->shortfall = s->shortfall;
    row->n_finite = s->n_finite;
    row->n_met = s->n_met;
}

/* Statistics of every target, from target_values read back a batch of
 * columns at a time (the batch fits the buffer sized for the summaries). */
static herr_t compute_targets(const ipsim_results *r, readback *rb, ipsim_target_stats *st)
{
    size_t np = r->n_paths;
    for (size_t c0 = 0; c0 < r->n_targets; c0 += rb->width) {
        size_t nc = r->n_targets - c0 < rb->width ? r->n_targets - c0 : rb->width;
        if (read_columns(r->target_values, np, c0, nc, rb) < 0)
            return -1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(rb->lanes) if (rb->lanes > 1)
        for (long c = 0; c < (long)nc; c++) {
            const ipsim_target *t = &r->scn->targets[c0 + (size_t)c];
            double *sort, *col = gather(rb, np, nc, (size_t)c, &sort);
            ipsim_stats_target(col, np, (int)t->op, t->value, sort, &st[c0 + (size_t)c]);
        }
    }
    return 0;
}

static herr_t write_targets_table(const ipsim_results *r, const ipsim_target_stats *st)
{
    /* Zeroed: the padding between fields reaches the file too. */
    target_row *rows = calloc(r->n_targets, sizeof *rows);
    hid_t str = rs_str_type();
    hid_t type = str < 0 ? -1 : target_row_type(str);
    hsize_t n = r->n_targets;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t ds = !rows || type < 0 || sp < 0 ? -1
                                           : H5Dcreate2(r->file, "targets", type, sp, H5P_DEFAULT,
                                                        H5P_DEFAULT, H5P_DEFAULT);
    herr_t s = ds < 0 ? -1 : 0;
    for (size_t i = 0; s >= 0 && i < r->n_targets; i++)
        target_row_fill(r, i, &st[i], &rows[i]);
    if (s >= 0)
        s = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows);
    if (s >= 0)
        s = rs_attach(ds, &r->scale[S_TARGET], 1);
    if (s >= 0)
        s = rs_attr_str(ds, "long_name",
                     "targets: probability met (Wilson 95%), mean, quantiles, "
                     "expected shortfall");
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    if (type >= 0)
        H5Tclose(type);
    if (str >= 0)
        H5Tclose(str);
    free(rows);
    return s;
}

herr_t rs_write_target_stats(const ipsim_results *r, readback *rb, ipsim_target_stats *out)
{
    if (!r->n_targets)
        return 0;
    ipsim_target_stats *st = out ? out : malloc(r->n_targets * sizeof *st);
    herr_t s = st ? compute_targets(r, rb, st) : -1;
    if (s >= 0)
        s = write_targets_table(r, st);
    if (st != out)
        free(st);
    return s;
}

